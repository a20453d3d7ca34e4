/* sql.h — read-only SQL over an index, for `hsmscope sql` and the TUI's `;`.
 *
 * Ownership: the names and values handed to the row callback belong to the
 * statement and are valid only during the call; copy what you keep.
 *
 * The statement runs on its own connection opened with SQLITE_OPEN_READONLY
 * and PRAGMA query_only=1, so no text a user types can change the index,
 * whatever handle the caller holds. The schema it sees is the one the man
 * page documents (hs_index_schema_sql()).
 */
#ifndef HSMSCOPE_SQL_H
#define HSMSCOPE_SQL_H

#include <stdint.h>

#include "hsmscope/util.h"

struct hs_index;

/* What a value is, for outputs that keep types (JSON). */
enum hs_sql_kind { HS_SQL_NULL, HS_SQL_INT, HS_SQL_REAL, HS_SQL_TEXT };

/* Called once per result row: ncol columns, their names, their values as
 * text (NULL for SQL NULL; a BLOB as x'hex') and their kinds. Return
 * non-zero to stop early (not an error). */
typedef int (*hs_sql_row_fn)(void *ctx, int ncol, const char *const *names,
                             const char *const *values, const enum hs_sql_kind *kinds);

/* What one statement may spend. */
struct hs_sql_limits {
	double timeout_s;           /* s the statement may run (its output's reader
	                             * not counted); <= 0: no limit */
	int64_t max_memory;         /* bytes SQLite and the row text may hold; <= 0: none */
};

#define HS_SQL_TIMEOUT_DEFAULT 30.0                    /* s */
#define HS_SQL_MAX_MEMORY_DEFAULT ((int64_t)512 << 20) /* bytes */

/* Run one read-only statement over the index within limits (NULL: the
 * defaults). Returns the number of rows delivered, or -1 with err set:
 * SQLite's message (col = offset of the error in the statement when SQLite
 * reports one), what was refused, "interrupted" when the index's stop
 * conditions (hs_index_should_stop) said so, or which limit was hit.
 * Every column is delivered, however many. Only reads are authorised:
 * no pragma that sets anything, no fts3_tokenizer(), fts5() or
 * load_extension(). The memory limit is SQLite's process-wide heap limit,
 * set for the statement and put back after it. */
long hs_sql_run(struct hs_index *ix, const char *sql, const struct hs_sql_limits *limits,
                hs_sql_row_fn fn, void *ctx, struct hs_error *err);
/* The same with the default limits. */
long hs_sql_exec(struct hs_index *ix, const char *sql, hs_sql_row_fn fn,
                 void *ctx, struct hs_error *err);

#endif
