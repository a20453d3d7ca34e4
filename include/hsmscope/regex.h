/* regex.h — PCRE2 (JIT) matching, alone and as an SQLite function.
 *
 * Ownership: hs_regex_compile() returns a regex freed by hs_regex_free().
 * This module is the only includer of pcre2.h.
 */
#ifndef HSMSCOPE_REGEX_H
#define HSMSCOPE_REGEX_H

#include <stddef.h>

#include "hsmscope/util.h"

struct sqlite3;
struct hs_regex;

#define HS_RE_CASELESS 1        /* match ignoring case */

/* Compile pattern (UTF-8). On a syntax error returns -1 with err->col the
 * 1-based offset of the error in pattern and err->msg PCRE2's message. */
int hs_regex_compile(const char *pattern, int flags, struct hs_regex **out,
                     struct hs_error *err);
/* 1 match, 0 no match, -1 matching error: a PCRE2 resource limit (a
 * million backtracking steps, 16 MiB of backtracking heap) was hit. */
int hs_regex_match(const struct hs_regex *re, const char *subject, size_t len);
void hs_regex_free(struct hs_regex *re);

/* Register hs_regexp(pattern, subject) -> 1/0 (NULL subject -> 0) on db: the
 * pattern is compiled once per statement and cached with sqlite3_set_auxdata.
 * A leading "(?i)" in pattern makes it caseless. Returns an SQLite code. */
int hs_regex_register(struct sqlite3 *db);
/* The same, and *limit_hit (borrowed for the connection's life) is set to 1
 * whenever a match fails on a PCRE2 resource limit (match steps, depth,
 * heap): such a failure is the pattern's fault, so a caller can report it
 * as a filter error rather than a broken index. */
int hs_regex_register_flagged(struct sqlite3 *db, int *limit_hit);

#endif
