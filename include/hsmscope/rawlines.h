/* rawlines.h — the file's own lines around one call, with the call's
 * lines picked out: what the explorer's Raw pane shows.
 *
 * Ownership: a struct hs_rawlines is the caller's; hs_rawlines_read()
 * fills it (reusing its memory) and hs_rawlines_free() releases what it
 * holds. Line texts point into its buffer.
 *
 * Every byte comes back through redaction (redact.h): the call's own
 * lines as the call's detail (its function known), every other line in
 * strict mode, since whose it is is not known here (another thread's
 * C_Login may lie among them): every dump row, every line after a
 * parameter, and key values are masked. A line the parser split between
 * two calls counts as another's.
 */
#ifndef HSMSCOPE_RAWLINES_H
#define HSMSCOPE_RAWLINES_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/event.h"
#include "hsmscope/index.h"
#include "hsmscope/util.h"

#define HS_RAWLINES_MAX 5000    /* lines read at most: the rest is counted */

enum hs_raw_owner {
	HS_RAW_OTHER = 0,           /* another call's line, or nobody's (a blank) */
	HS_RAW_OWN = 1,             /* this call's */
	HS_RAW_SHARED = 2,          /* this call's, with another call's text on it */
};

struct hs_rawline {
	const char *s;              /* into the struct's text; not NUL-ended */
	size_t len;
	int64_t lineno;             /* 1-based line number in the file */
	int64_t offset;             /* byte offset of its start (in the log, decompressed) */
	int owner;                  /* enum hs_raw_owner */
};

struct hs_rawlines {
	struct hs_buf text;         /* owned: every line's bytes, redacted */
	struct hs_rawline *line;    /* owned: n entries */
	int n, cap;
	int own;                    /* lines of the call among them */
	int64_t own_left;           /* the call's lines past HS_RAWLINES_MAX, not read */
};

void hs_rawlines_init(struct hs_rawlines *r);
void hs_rawlines_free(struct hs_rawlines *r);

/* Read the file of e (as the index knows it) from the call's first line to
 * its last. 1: read; 0: the index holds no line record for e (a tracer
 * that does not record them, or an index of an older version): the caller
 * shows the parsed lines instead; -1: the file could not be read (err). */
int hs_rawlines_read(struct hs_index *ix, const struct hs_event *e, int redact_data,
                     struct hs_rawlines *r, struct hs_error *err);

#endif
