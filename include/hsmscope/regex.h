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

/* What the caller of hs_regex_register_hooks learns and decides. */
struct hs_regex_hooks {
	int limit_hit;              /* set to 1 when a match failed on a PCRE2
	                             * resource limit (steps, depth, heap): the
	                             * pattern's fault, a filter error */
	/* Polled between pieces of one long match (a match cannot otherwise be
	 * interrupted); non-zero fails it with SQLITE_INTERRUPT. May be NULL. */
	int (*should_stop)(void *ctx);
	void *ctx;                  /* passed to should_stop */
};

/* hs_regex_register() with hooks (borrowed for the connection's life). */
int hs_regex_register_hooks(struct sqlite3 *db, struct hs_regex_hooks *hooks);

#endif
