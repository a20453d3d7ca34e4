/* filter.h — the display filter language, compiled to SQL.
 *
 * Ownership: hs_filter_compile() returns a filter the caller frees with
 * hs_filter_free(); strings it returns belong to the filter.
 *
 * One language for the CLI and the TUI: Wireshark-style expressions
 * (`rv != CKR_OK && func ~ "^C_Sign"`), or, when the text is not an
 * expression, a PCRE2 regex over the event's text. User text never enters
 * the SQL: every literal becomes a bound parameter (:f1, :f2, ...).
 */
#ifndef HSMSCOPE_FILTER_H
#define HSMSCOPE_FILTER_H

#include "hsmscope/util.h"

struct sqlite3_stmt;
struct hs_filter;

/* Compile text. Empty or all-blank text is the filter that matches all.
 * Returns 0, or -1 with err->file = "filter", err->col the 1-based column of
 * the bad token and err->msg what was expected (never executed). */
int hs_filter_compile(const char *text, struct hs_filter **out, struct hs_error *err);
void hs_filter_free(struct hs_filter *f);

/* A boolean SQL expression over the columns of `events AS e` ("1" when the
 * filter matches all). It may call hs_regexp(), registered by
 * hs_regex_register(). */
const char *hs_filter_sql(const struct hs_filter *f);
/* Bind the filter's parameters into a statement prepared from SQL that
 * contains hs_filter_sql(). Returns 0 or an SQLite error code. */
int hs_filter_bind(const struct hs_filter *f, struct sqlite3_stmt *st);
/* Turn f into its complement (grep -v): the events it did not match. An
 * event for which the test is NULL (a field it lacks) did not match, so
 * it is in the complement. Returns 0, -1 on OOM (f unchanged). */
int hs_filter_negate(struct hs_filter *f);
/* The text as given, and whether it was taken as a bare regex. */
const char *hs_filter_text(const struct hs_filter *f);
int hs_filter_is_regex(const struct hs_filter *f);

/* Render an error with the expression and a caret under the bad column:
 *   filter:1:9: expected a value after '==', found end of input
 *     rv == 
 *           ^                                               */
void hs_filter_error_caret(const char *text, const struct hs_error *err,
                           struct hs_buf *out);

/* A time typed to go to: what the ts field takes ("2026-11-22 11:23:10.5",
 * "2026-11-22"), a time of day ("11:23:10.5", on the date of ref_us), or a
 * signed duration from ref_us ("+1.5s", "-200ms", "+30": ms). Into *us (µs,
 * civil time read as UTC like the index's). 0, or -1 when it is none of
 * those (or needs ref_us and it is HS_NONE). */
int hs_filter_parse_time(const char *s, int64_t ref_us, int64_t *us);

/* The field names, for help and completion: i-th name or NULL. */
const char *hs_filter_field_name(int i, const char **help);

#endif
