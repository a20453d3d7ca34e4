/* detect.h — the parser registry and format detection from content.
 *
 * Ownership: descriptors are static; nothing returned here is freed.
 *
 * Detection looks only at the first lines of an input (never its name):
 * every registered parser's probe scores them and the best score above a
 * threshold wins, so a few lines of other output at the top do not matter.
 */
#ifndef HSMSCOPE_DETECT_H
#define HSMSCOPE_DETECT_H

#include "hsmscope/parser.h"

#define HS_DETECT_LINES 64      /* lines of an input that probes see */
#define HS_DETECT_MIN_SCORE 30  /* below this, the format is unknown */

/* The registered parsers, NULL-terminated. */
const struct hs_parser_desc *const *hs_detect_parsers(void);
/* The parser by name, or NULL. */
const struct hs_parser_desc *hs_detect_by_name(const char *name);
/* The registered parser's own (static) name equal to name, "other" when
 * none is: events read back from an index point at it. */
const char *hs_detect_static_name(const char *name);
/* d's score 0..100 for these lines: its probe's, or the sum of its
 * line_score over the lines (each passed with its length less trailing
 * blanks and CR), 100 at most. */
int hs_detect_probe(const struct hs_parser_desc *d, const char *const *lines, int nlines);
/* Best parser for these lines (score filled if not NULL), or NULL. */
const struct hs_parser_desc *hs_detect(const char *const *lines, int nlines,
                                       int *score);
/* Append "OpenSC pkcs11-spy, AWS CloudHSM audit log, ..." (every title) to
 * out, for error messages. -1 on OOM. */
int hs_detect_names(struct hs_buf *out);

#endif
