/* test_regex.c — the PCRE2 wrapper alone and as the SQLite function
 * hs_regexp(): matching, case, UTF-8 (valid and not), error offsets,
 * match limits, and the per-statement cache giving right answers when the
 * pattern changes from row to row. */
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "hsmscope/regex.h"

/* 1/0/-1 as hs_regex_match, or -2 when the pattern does not compile. */
static int m(const char *pattern, int flags, const char *subject, size_t len)
{
	struct hs_regex *re;
	struct hs_error err;
	int rc;

	if (hs_regex_compile(pattern, flags, &re, &err) < 0)
		return -2;
	rc = hs_regex_match(re, subject, len);
	hs_regex_free(re);
	return rc;
}
#define M(p, f, s) m(p, f, s, strlen(s))

static const struct {
	const char *pattern;
	int flags;
	const char *subject;
	int want;
} cases[] = {
	{ "^C_Sign", 0, "C_SignInit CKR_OK", 1 },
	{ "^C_Sign", 0, "x C_SignInit", 0 },
	{ "c_sign", 0, "C_SignInit", 0 },
	{ "c_sign", HS_RE_CASELESS, "C_SignInit", 1 },
	{ "(?i)c_sign", 0, "C_SignInit", 1 },                /* leading (?i) = flag */
	{ "(?i)(*CR)init$", 0, "C_SignINIT", 1 },           /* verbs after (?i) stay legal */
	{ "Init$", 0, "C_SignInit\n", 1 },                    /* $ before a final newline */
	{ "\\AC_", 0, "C_Login", 1 },
	{ "^..$", 0, "\xC3\xBC\xC3\xA9", 1 },                 /* "üé": code points, not bytes */
	{ "^.$", 0, "\xC3\xBC\xC3\xA9", 0 },
	{ "sch\xC3\xBC", HS_RE_CASELESS, "SCH\xC3\x9C", 1 },  /* ü ~ Ü */
	{ "\xC3\x9C", 0, "\xC3\xBC", 0 },                     /* Ü is not ü */
	{ "abc", 0, "\xFF\xFE" "abc", 1 },                    /* invalid UTF-8 before */
	{ "^abc", 0, "\xFF" "abc", 0 },
	{ "a.c", 0, "a\xFF" "c", 0 },                         /* a bad byte is no character */
	{ "a\\C?c", 0, "ac", -2 },                            /* \C is refused in UTF mode */
	{ "", 0, "anything", 1 },
	{ "C_Log(in|out)$", 0, "C_Logout", 1 },
	{ "(*NO_START_OPT)(*LIMIT_MATCH=50)(a+)+b", 0, "aaaaaaaaaaaaaaaaaaaaaaac", -1 },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = M(cases[i].pattern, cases[i].flags, cases[i].subject);
		if (got != cases[i].want)
			fprintf(stderr, "case %zu /%s/ on \"%s\": got %d want %d\n", i,
			        cases[i].pattern, cases[i].subject, got, cases[i].want);
		CHECK(got == cases[i].want);
	}
	/* a NUL inside the subject is part of it */
	CHECK(m("b$", 0, "a\0b", 3) == 1);
	CHECK(m("^a$", 0, "a\0b", 3) == 0);
}

static void test_errors(void)
{
	struct hs_regex *re = (struct hs_regex *)&re;
	struct hs_error err;

	CHECK(hs_regex_compile("ab(c", 0, &re, &err) == -1);
	CHECK(re == NULL);
	CHECK(err.col == 5);
	CHECK(strcmp(err.msg, "missing closing parenthesis") == 0);
	CHECK(hs_regex_compile("a)", 0, &re, &err) == -1);
	CHECK(err.col == 2);
	CHECK(strstr(err.msg, "closing parenthesis") != NULL);
	CHECK(hs_regex_compile("x[", 0, &re, &err) == -1);
	CHECK(err.col == 3);
	/* the offset stays relative to what the caller wrote, (?i) included */
	CHECK(hs_regex_compile("(?i)ab(c", 0, &re, &err) == -1);
	CHECK(err.col == 9);
	/* an invalid UTF-8 pattern is a compile error, at its byte */
	CHECK(hs_regex_compile("ab\xFF", 0, &re, &err) == -1);
	CHECK(err.col == 3);
}

/* Run one-value SQL; returns the int result, -1 for NULL, -2 for an error
 * (its message into msg). */
static int sql1(sqlite3 *db, const char *sql, char *msg, size_t msglen)
{
	sqlite3_stmt *st;
	int rc, v = -2;

	msg[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(msg, msglen, "%s", sqlite3_errmsg(db));
		return -2;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 0);
	else
		snprintf(msg, msglen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return v;
}

static void test_sql(void)
{
	sqlite3 *db;
	char msg[256];

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(hs_regex_register(db) == SQLITE_OK);
	CHECK(sql1(db, "SELECT hs_regexp('^a', 'abc')", msg, sizeof msg) == 1);
	CHECK(sql1(db, "SELECT hs_regexp('^b', 'abc')", msg, sizeof msg) == 0);
	CHECK(sql1(db, "SELECT hs_regexp('x', NULL)", msg, sizeof msg) == 0);
	CHECK(sql1(db, "SELECT hs_regexp(NULL, 'x')", msg, sizeof msg) == -1);
	CHECK(sql1(db, "SELECT hs_regexp('(?i)ABC', 'xabcx')", msg, sizeof msg) == 1);
	CHECK(sql1(db, "SELECT hs_regexp('^12', 123)", msg, sizeof msg) == 1); /* numbers as text */
	/* invalid UTF-8 in a row is not an error, and its valid part matches */
	CHECK(sql1(db, "SELECT hs_regexp('b', CAST(x'ff62fe' AS TEXT))", msg, sizeof msg) == 1);
	CHECK(sql1(db, "SELECT hs_regexp('^b', CAST(x'ff62' AS TEXT))", msg, sizeof msg) == 0);
	/* a bad pattern is an SQL error with PCRE2's message and offset */
	CHECK(sql1(db, "SELECT hs_regexp('a(b', 'ab')", msg, sizeof msg) == -2);
	CHECK(strstr(msg, "missing closing parenthesis") != NULL);
	CHECK(strstr(msg, "offset 3") != NULL);
	/* a match limit is an error, not a silent "no" */
	CHECK(sql1(db, "SELECT hs_regexp('(*NO_START_OPT)(*LIMIT_MATCH=50)(a+)+b', 'aaaaaaaaaaaaaaaaaaaaaac')",
	           msg, sizeof msg) == -2);
	CHECK(strstr(msg, "limit") != NULL);

	/* the cache: a constant pattern over many rows, and a pattern that
	 * changes per row (auxdata must not serve a stale compile) */
	CHECK(sqlite3_exec(db,
	                   "CREATE TABLE t(p TEXT, s TEXT);"
	                   "INSERT INTO t VALUES ('^a', 'abc'), ('^b', 'abc'), ('c$', 'abc'),"
	                   " ('^x', 'xyz'), ('(?i)XY', 'xyz'), ('z$', NULL);"
	                   "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000)"
	                   " INSERT INTO t SELECT 'n/a', 'row ' || i FROM c;",
	                   NULL, NULL, NULL) == SQLITE_OK);
	{
		sqlite3_stmt *st;
		const unsigned char *s;
		CHECK(sqlite3_prepare_v2(db, "SELECT group_concat(hs_regexp(p, s), '')"
		                         " FROM (SELECT * FROM t LIMIT 6)", -1, &st, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		s = sqlite3_column_text(st, 0);
		CHECK(s && strcmp((const char *)s, "101110") == 0);
		sqlite3_finalize(st);
	}
	CHECK(sql1(db, "SELECT count(*) FROM t WHERE hs_regexp('^row 1[0-9]*$', s)", msg,
	           sizeof msg) == 1111);
	/* deterministic: usable in an index on an expression */
	CHECK(sqlite3_exec(db, "CREATE INDEX t_re ON t(hs_regexp('^a', s))", NULL, NULL, NULL) ==
	      SQLITE_OK);
	sqlite3_close(db);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A catastrophic pattern on a longish line stops on our own match limit
 * (an error, quickly: a query can only be cancelled between two rows), and
 * the flagged SQL function says it was a limit, so that a CLI can call it
 * a filter error (exit 3) rather than a broken index (issue 14). */
static void test_limits(void)
{
	char line[4096];
	struct hs_regex *re;
	struct hs_error err;
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0;
	struct hs_regex_hooks hooks = { 0, NULL, NULL };
	int rc;

	line[0] = '\0';
	for (int i = 0; i < 60; i++)
		strcat(line, "12 ");
	strcat(line, "-Z");
	CHECK(hs_regex_compile("(\\d+\\s?)+Z", 0, &re, &err) == 0);
	t0 = now_s();
	CHECK(hs_regex_match(re, line, strlen(line)) == -1);
	/* PCRE2's default (10 million steps) took ~80 ms here; ours is 10x less */
	CHECK(now_s() - t0 < 0.05 * 4); /* room for a loaded machine */
	hs_regex_free(re);

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(hs_regex_register_hooks(db, &hooks) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "SELECT hs_regexp('(\\d+\\s?)+Z', ?1)", -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_text(st, 1, "12 12 ok", -1, SQLITE_STATIC);
	CHECK(sqlite3_step(st) == SQLITE_ROW && hooks.limit_hit == 0); /* no match is no limit */
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, line, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	CHECK(rc == SQLITE_ERROR && hooks.limit_hit == 1);
	CHECK(strstr(sqlite3_errmsg(db), "limit") != NULL);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int never(void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

static int after_a_few(void *ctx)
{
	return ++*(int *)ctx > 3;
}

/* With a stop hook, hs_regexp() searches in windows of start offsets so
 * that one long match can be stopped: the answers are those of one call,
 * and a stop ends a match that PCRE2's limit does not bound. */
static void test_windows(void)
{
	static const char *const pats[] = {
		"needle", "(?<=x)needle", "^abc", "(?m)^needle", "é+needle", "needle$", "\\bneedle\\b",
		"n.{3}le", "(?s)a.*needle", "zzz", "x{200}",
	};
	struct hs_buf subj;
	sqlite3 *db;
	sqlite3_stmt *st;
	int polls = 0, stops = 0, rc;
	struct hs_regex_hooks hooks = { 0, never, &polls };
	double t0;

	hs_buf_init(&subj);
	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(hs_regex_register_hooks(db, &hooks) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "SELECT hs_regexp(?1, ?2)", -1, &st, NULL) == SQLITE_OK);
	/* needles at offsets on both sides of many window edges, after
	 * two-byte characters (a window must not split one) */
	for (int at = 0; at < 3000; at += 7) {
		hs_buf_clear(&subj);
		hs_buf_adds(&subj, "abc");
		for (int i = 0; i < at; i++)
			hs_buf_adds(&subj, i % 3 ? "x" : "\xc3\xa9");
		hs_buf_adds(&subj, "needle\nxyz");
		for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
			struct hs_regex *re;
			struct hs_error err;
			int want;
			CHECK(hs_regex_compile(pats[p], 0, &re, &err) == 0);
			want = hs_regex_match(re, subj.data, subj.len);
			hs_regex_free(re);
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, pats[p], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, subj.data, (int)subj.len, SQLITE_STATIC);
			rc = sqlite3_step(st);
			CHECK(rc == SQLITE_ROW && sqlite3_column_int(st, 0) == want);
			if (rc != SQLITE_ROW || sqlite3_column_int(st, 0) != want)
				fprintf(stderr, "  %s at %d: want %d\n", pats[p], at, want);
		}
	}
	CHECK(polls > 100); /* the long subjects did go in windows */

	/* (\w+)+; on a long line: ~20 s in one PCRE2 call, under its limit;
	 * the hook stops it after a few windows */
	hs_buf_clear(&subj);
	for (int i = 0; i < 200000; i++)
		hs_buf_addc(&subj, "0123456789abcdef \n"[i % 18]);
	hs_buf_addc(&subj, ';');
	hooks.should_stop = after_a_few;
	hooks.ctx = &stops;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, "(\\w+)+;", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subj.data, (int)subj.len, SQLITE_STATIC);
	t0 = now_s();
	rc = sqlite3_step(st);
	CHECK(rc == SQLITE_INTERRUPT);
	CHECK(now_s() - t0 < 1.0);
	CHECK(stops == 4 && hooks.limit_hit == 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	hs_buf_free(&subj);
}

int main(void)
{
	test_cases();
	test_errors();
	test_sql();
	test_limits();
	test_windows();
	TEST_END();
}
