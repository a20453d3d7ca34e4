/* corrtest.h — what the correlation tests (test_correlate.c,
 * test_correlate_refresh.c) share: a scratch directory, indexing a fixture
 * of test/fixtures/correlate/ into it with hs_index_open(), and one-value
 * SQL queries over the index.
 *
 * Like harness.h, everything here is static: each test_*.c is one binary;
 * the functions are inline only so that a test using a few of them builds
 * without -Wunused-function. slurp's buffer is the caller's to free.
 */
#ifndef HS_TEST_CORRTEST_H
#define HS_TEST_CORRTEST_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsmscope/index.h"
#include "harness.h"

#define FX "test/fixtures/correlate/"

static char tmp[256];           /* scratch directory (corr_begin) */

/* ------------------------------------------------------------- helpers */

static inline struct hs_index *open_paths(const char *const *paths, int n, const char *db, int rebuild)
{
	struct hs_index_opts o;
	struct hs_index *ix = NULL;
	struct hs_error err;
	char path[512];

	memset(&o, 0, sizeof o);
	snprintf(path, sizeof path, "%s/%s", tmp, db);
	o.index_path = path;
	o.rebuild = rebuild;
	if (hs_index_open(paths, n, &o, &ix, &err) < 0) {
		fprintf(stderr, "cannot index %s: %s\n", paths[0], err.msg);
		return NULL;
	}
	return ix;
}

static inline struct hs_index *open_fx(const char *name)
{
	char path[256], db[64];
	const char *p = path;

	snprintf(path, sizeof path, FX "%s", name);
	snprintf(db, sizeof db, "%s.db", name);
	return open_paths(&p, 1, db, 1);
}

/* First column of the first row of a query, as an integer; -999 when none. */
static inline int64_t q1(struct hs_index *ix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int64_t q1(struct hs_index *ix, const char *fmt, ...)
{
	char sql[1024];
	sqlite3_stmt *st;
	int64_t v = -999;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(hs_index_db(ix), sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bad test query: %s: %s\n", sql, sqlite3_errmsg(hs_index_db(ix)));
		return -999;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ... as text ("" when none). */
static inline const char *qs(struct hs_index *ix, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline const char *qs(struct hs_index *ix, char *buf, size_t len, const char *fmt, ...)
{
	char sql[1024];
	sqlite3_stmt *st;
	va_list ap;

	buf[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(hs_index_db(ix), sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bad test query: %s\n", sql);
		return buf;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

/* n of the k-th (0-based) event calling func */
static inline int64_t nth(struct hs_index *ix, const char *func, int k)
{
	return q1(ix, "SELECT n FROM events WHERE func = '%s' ORDER BY n LIMIT 1 OFFSET %d", func, k);
}

static inline int has_anomaly(struct hs_index *ix, int64_t n, const char *kind)
{
	return q1(ix, "SELECT count(*) FROM anomalies WHERE n = %lld AND kind = '%s'", (long long)n,
	          kind) == 1;
}

static inline int linked(struct hs_index *ix, int64_t a, int64_t b, const char *kind)
{
	return q1(ix, "SELECT count(*) FROM links WHERE n = %lld AND peer = %lld AND kind = '%s'",
	          (long long)a, (long long)b, kind) == 1 &&
	       q1(ix, "SELECT count(*) FROM links WHERE n = %lld AND peer = %lld AND kind = '%s'",
	          (long long)b, (long long)a, kind) == 1;
}

static inline int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* The scratch directory: made at the start, removed with what is in it at
 * the end. 0, or -1 when it cannot be made. */
static inline int corr_begin(void)
{
	snprintf(tmp, sizeof tmp, "%s/hscorr.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

static inline void corr_end(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
}

#endif
