/* regex.c — PCRE2 matching, alone and as the SQLite function hs_regexp().
 *
 * A struct hs_regex is one compiled pattern plus everything a match needs,
 * allocated once: the code (JIT-compiled when the library has a JIT), one
 * match-data block sized for a single pair (we only ask "does it match"),
 * and a match context carrying a private JIT stack. Reusing these makes a
 * match over a million rows allocation-free. The SQLite binding keeps one
 * hs_regex per statement in the function's auxdata slot, so a constant
 * pattern is compiled once per statement, not once per row (the design of
 * sqlean's regexp extension). This is the only file that includes pcre2.h.
 *
 * Invalid UTF-8 in subjects: patterns are compiled with PCRE2_UTF |
 * PCRE2_MATCH_INVALID_UTF (PCRE2 >= 10.34). Log text is not guaranteed to
 * be UTF-8 (hex dumps, binary labels), and a per-row "invalid UTF-8" error
 * would abort a whole filter scan. The alternative, validating each subject
 * ourselves and passing PCRE2_NO_UTF_CHECK, costs a full extra pass per row
 * and must then decide what to do with invalid rows; MATCH_INVALID_UTF
 * instead lets the matcher (JIT included) treat bad bytes as characters
 * that nothing matches, so the valid parts of a line still match.
 *
 * A regex is not safe to use from two threads at once (the match data is
 * shared); hsmscope matches from one thread per database connection.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "hsmscope/regex.h"

#include <pcre2.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JIT_STACK_MIN (32 * 1024)   /* bytes, PCRE2's default */
#define JIT_STACK_MAX (1024 * 1024) /* bytes, room for deep patterns */
/* Backtracking steps one match may take. PCRE2's default (10 million) lets a
 * catastrophic pattern such as (\d+\s?)+Z spend ~80 ms on one log line
 * with the JIT, and a query can only be cancelled between two rows; a
 * million keeps one row under ~10 ms and is far above what an ordinary
 * pattern needs on a log line (thousands). Hitting it is an error, never a
 * silent "no match". */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 100000          /* interpreter backtracking depth (JIT ignores it) */
#define HEAP_LIMIT_KIB (16 * 1024)  /* interpreter heap for backtracking, KiB */

struct hs_regex {
	pcre2_code *code;           /* owned */
	pcre2_match_data *md;       /* owned, reused by every match */
	pcre2_match_context *mctx;  /* owned: the limits, and the JIT stack when jit */
	pcre2_jit_stack *jstack;    /* owned, NULL without a JIT */
	int jit;                    /* 1 when code was JIT-compiled */
};

void hs_regex_free(struct hs_regex *re)
{
	if (!re)
		return;
	pcre2_jit_stack_free(re->jstack);
	pcre2_match_context_free(re->mctx);
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

/* Try the JIT; any failure (no JIT in this build, no executable memory)
 * just leaves the interpreter in charge, which gives the same answers. */
static void try_jit(struct hs_regex *re)
{
	if (pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) != 0)
		return;
	re->jstack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (re->jstack)
		pcre2_jit_stack_assign(re->mctx, NULL, re->jstack);
	re->jit = 1;
}

int hs_regex_compile(const char *pattern, int flags, struct hs_regex **out,
                     struct hs_error *err)
{
	/* \C could match half a character: refuse it, UTF mode is the point */
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C |
	                PCRE2_USE_OFFSET_LIMIT; /* for match_rc's windows */
	size_t skip = 0, erroff = 0;
	int errcode = 0;
	struct hs_regex *re;

	*out = NULL;
	/* A leading (?i) becomes a compile flag rather than pattern text, so
	 * start-of-pattern verbs such as (*CR) that follow it stay legal. */
	if (strncmp(pattern, "(?i)", 4) == 0) {
		skip = 4;
		flags |= HS_RE_CASELESS;
	}
	if (flags & HS_RE_CASELESS)
		opts |= PCRE2_CASELESS;
	re = calloc(1, sizeof *re);
	if (!re) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	re->code = pcre2_compile((PCRE2_SPTR)(pattern + skip), PCRE2_ZERO_TERMINATED, opts,
	                         &errcode, &erroff, NULL);
	if (!re->code) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
			strcpy((char *)msg, "invalid pattern");
		hs_error_set(err, "", 0, (long)(erroff + skip) + 1, "%s", (const char *)msg);
		free(re);
		return -1;
	}
	re->mctx = pcre2_match_context_create(NULL);
	re->md = pcre2_match_data_create(1, NULL);
	if (!re->md || !re->mctx) {
		hs_regex_free(re);
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
	try_jit(re);
	*out = re;
	return 0;
}

/* One PCRE2 call: matches starting at offsets from..limit (limit
 * PCRE2_UNSET: to the end). >= 0 match, PCRE2_ERROR_NOMATCH, or another
 * error. */
static int match_from(const struct hs_regex *re, const char *subject, size_t len, size_t from,
                      PCRE2_SIZE limit)
{
	pcre2_set_offset_limit(re->mctx, limit);
	if (re->jit)
		return pcre2_jit_match(re->code, (PCRE2_SPTR)subject, len, from, 0, re->md, re->mctx);
	return pcre2_match(re->code, (PCRE2_SPTR)subject, len, from, 0, re->md, re->mctx);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The raw PCRE2 result: >= 0 match, PCRE2_ERROR_NOMATCH, or another
 * error; STOPPED when hooks->should_stop said so.
 *
 * The match limit bounds the work from one start offset, not the search
 * over all of them: (\w+)+; spends ~20 s on a 200 KB line within it, and
 * one PCRE2 call cannot be interrupted. So with a stop hook the search
 * goes in windows of start offsets (pcre2_set_offset_limit; a match may
 * run past its window's end), polling the hook between them: a window
 * starts at WINDOW_MIN offsets, grows fourfold while windows are quick, halves
 * when one is slow, so that a stop waits for one short window while an
 * ordinary line still takes a few calls. The answer is the same as one
 * call's (lookbehind and ^ see the whole subject); only \G would differ. */
#define WINDOW_MIN 32           /* start offsets in the first window */
#define WINDOW_SLOW_S 0.004     /* s: a window slower than this halves the next */
#define STOPPED (-100000)       /* not a PCRE2 code */

static int match_rc(const struct hs_regex *re, const char *subject, size_t len,
                    const struct hs_regex_hooks *hooks)
{
	size_t from = 0, w = WINDOW_MIN;

	if (!hooks || !hooks->should_stop)
		return match_from(re, subject, len, 0, PCRE2_UNSET);
	for (;;) {
		size_t last = from + w - 1; /* the last start offset of this window */
		double t0 = now_s(), dt;
		int rc;

		if (last + 1 >= len)
			return match_from(re, subject, len, from, PCRE2_UNSET);
		/* windows end on a character: the next starts at a lead byte */
		while (last + 1 < len && ((unsigned char)subject[last + 1] & 0xC0) == 0x80)
			last++;
		rc = match_from(re, subject, len, from, last);
		if (rc != PCRE2_ERROR_NOMATCH || last + 1 >= len)
			return rc;
		if (hooks->should_stop(hooks->ctx))
			return STOPPED;
		dt = now_s() - t0;
		if (dt > WINDOW_SLOW_S)
			w = w > 1 ? w / 2 : 1;
		else if (dt < WINDOW_SLOW_S / 4 && w < ((size_t)1 << 28))
			w *= 4;
		from = last + 1;
	}
}

int hs_regex_match(const struct hs_regex *re, const char *subject, size_t len)
{
	int rc = match_rc(re, subject, len, NULL);

	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* ------------------------------------------------------------ SQLite */

static void free_aux(void *p) { hs_regex_free(p); }

/* hs_regexp(pattern, subject): 1 when subject matches, 0 when not or when
 * subject is NULL; NULL when pattern is NULL. A bad pattern or a match
 * that hits a PCRE2 limit is an SQL error carrying PCRE2's message. */
static void sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hs_regex *re;
	const char *pattern, *subject;
	int cached, rc;

	(void)argc;
	pattern = (const char *)sqlite3_value_text(argv[0]);
	if (!pattern) {
		sqlite3_result_null(ctx);
		return;
	}
	re = sqlite3_get_auxdata(ctx, 0);
	cached = re != NULL;
	if (!re) {
		struct hs_error err;
		char *msg;

		if (hs_regex_compile(pattern, 0, &re, &err) < 0) {
			msg = sqlite3_mprintf("regex error at offset %ld: %s", err.col - 1, err.msg);
			sqlite3_result_error(ctx, msg ? msg : "regex error", -1);
			sqlite3_free(msg);
			return;
		}
	}
	subject = (const char *)sqlite3_value_text(argv[1]);
	if (!subject) {
		sqlite3_result_int(ctx, 0);
	} else {
		struct hs_regex_hooks *hooks = sqlite3_user_data(ctx);

		rc = match_rc(re, subject, (size_t)sqlite3_value_bytes(argv[1]), hooks);
		if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
			sqlite3_result_int(ctx, rc >= 0);
		} else if (rc == STOPPED) {
			sqlite3_result_error(ctx, "interrupted", -1);
			sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
		} else {
			PCRE2_UCHAR msg[256];
			char *m;

			if (hooks)
				hooks->limit_hit = 1;
			if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
				strcpy((char *)msg, "matching failed");
			m = sqlite3_mprintf("regex match error: %s", (const char *)msg);
			sqlite3_result_error(ctx, m ? m : "regex match error", -1);
			sqlite3_free(m);
		}
	}
	/* Hand the compiled pattern to SQLite last: set_auxdata may destroy it
	 * at once (e.g. when the pattern is not constant), so re must not be
	 * touched after this call. */
	if (!cached)
		sqlite3_set_auxdata(ctx, 0, re, free_aux);
}

int hs_regex_register_hooks(struct sqlite3 *db, struct hs_regex_hooks *hooks)
{
	return sqlite3_create_function_v2(db, "hs_regexp", 2,
	                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
	                                  hooks, sql_regexp, NULL, NULL, NULL);
}

int hs_regex_register(struct sqlite3 *db) { return hs_regex_register_hooks(db, NULL); }
