/* sqlout.h — printing the rows of hs_sql_exec() for `hsmscope sql`.
 *
 * Ownership: hs_sqlout_new() returns a printer freed by hs_sqlout_free();
 * it borrows out until then.
 */
#ifndef HSMSCOPE_SQLOUT_H
#define HSMSCOPE_SQLOUT_H

#include <stdint.h>
#include <stdio.h>

#include "hsmscope/sql.h"

enum hs_sqlout_format {
	HS_SQLOUT_TABLE,            /* aligned, escaped, with a row count */
	HS_SQLOUT_CSV,              /* RFC 4180, header row, CRLF */
	HS_SQLOUT_JSON,             /* an array of objects; numbers and null kept */
};

struct hs_sqlout;

struct hs_sqlout *hs_sqlout_new(enum hs_sqlout_format fmt, FILE *out);
/* The hs_sql_row_fn to pass to hs_sql_exec with the printer as ctx. */
int hs_sqlout_row(void *ctx, int ncol, const char *const *names, const char *const *values,
                  const enum hs_sql_kind *kinds);
/* Print what is held back and the end; 0, or -1 (write error or OOM). */
int hs_sqlout_finish(struct hs_sqlout *o);
void hs_sqlout_free(struct hs_sqlout *o);

#endif
