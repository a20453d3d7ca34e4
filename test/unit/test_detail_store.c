/* test_detail_store.c — the events' detail text kept apart from the rows
 * (index_detail.c) and the two-thread pipeline (pipeline_thread.c):
 *   - details written through the block writer read back through
 *     hs_detail(n, dref) and the view event_details exactly, across many
 *     blocks (a detail over a block's size included), empty ones as '';
 *   - a number never stored reads as NULL; a gap in the numbers starts a
 *     new block; dref reads a detail filed under another number;
 *   - hs_index_detail_truncate() forgets the details after the last kept
 *     event, so what is written next under those numbers is what is read
 *     (the connection's cached block included);
 *   - a damaged block is an error of the query (SQLITE_CORRUPT), not text;
 *   - the threaded pipeline hands the sink the same events in the same
 *     order as hs_pipeline_run(), progress included, and stops cleanly
 *     when the sink says stop.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "hsmscope/index.h"
#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"

extern const struct hs_parser_desc hs_parser_spy;

/* The detail stored for number n of the test: distinct, of varied length,
 * some empty, one of 1200 KiB (over a block's size). */
static size_t make_detail(int64_t n, char *buf, size_t cap)
{
	size_t len, i;

	if (n % 7 == 0)
		return 0;
	len = n == 500 ? (size_t)1200 << 10 : (size_t)(n * 37 % 900) + 1;
	if (len > cap)
		len = cap;
	for (i = 0; i < len; i++)
		buf[i] = (char)('a' + (n * 31 + (int64_t)i) % 26);
	if (len > 12)
		snprintf(buf, 13, "[%010lld", (long long)n), buf[11] = ']';
	return len;
}

static sqlite3 *make_db(void)
{
	sqlite3 *db;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(hs_index_detail_register(db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, hs_index_schema_sql(), NULL, NULL, NULL) == SQLITE_OK);
	return db;
}

/* hs_detail(n, dref) as one string: 1 and *len set, 0 NULL, -1 error. */
static int read_detail(sqlite3 *db, int64_t n, int64_t dref, char **out, size_t *len)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT hs_detail(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, n);
	if (dref)
		sqlite3_bind_int64(st, 2, dref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		*out = malloc(*len + 1);
		memcpy(*out, sqlite3_column_text(st, 0), *len);
		rc = 1;
	} else {
		rc = rc == SQLITE_ROW ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rc;
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_roundtrip(void)
{
	enum { N = 9000 };
	size_t cap = (size_t)2 << 20, len, got;
	char *buf = malloc(cap), *s;
	sqlite3 *db = make_db();
	struct hs_detail_writer *w = hs_index_detail_writer_new(db);
	int64_t n;
	int bad = 0;

	CHECK(w != NULL);
	for (n = 1; n <= N; n++) {
		len = make_detail(n, buf, cap);
		CHECK(hs_index_detail_add(w, n, buf, len) == 0);
	}
	/* a gap: 10001.. starts a block of its own */
	CHECK(hs_index_detail_add(w, 10001, "after a gap", 11) == 0);
	CHECK(hs_index_detail_flush(w) == 0);
	hs_index_detail_writer_free(w);
	CHECK(scalar(db, "SELECT count(*) FROM detail_blocks") > 3); /* several blocks */
	CHECK(scalar(db, "SELECT max(raw) FROM detail_blocks") >= 1200 << 10); /* over a block */
	/* every one, in order and then backwards (cache hits and misses) */
	for (n = 1; n <= N; n++) {
		len = make_detail(n, buf, cap);
		if (read_detail(db, n, 0, &s, &got) != 1 || got != len || memcmp(s, buf, len) != 0)
			bad++;
		free(s);
	}
	for (n = N; n >= 1; n -= 97) {
		len = make_detail(n, buf, cap);
		if (read_detail(db, n, 0, &s, &got) != 1 || got != len || memcmp(s, buf, len) != 0)
			bad++;
		free(s);
	}
	CHECK(bad == 0);
	CHECK(read_detail(db, 10001, 0, &s, &got) == 1 && got == 11 && memcmp(s, "after a gap", 11) == 0);
	free(s);
	CHECK(read_detail(db, N + 1, 0, &s, &got) == 0);  /* never stored: NULL */
	CHECK(read_detail(db, 9500, 0, &s, &got) == 0);
	CHECK(read_detail(db, 0, 0, &s, &got) == 0);
	/* dref: event 9 whose detail is filed under 12 */
	len = make_detail(12, buf, cap);
	CHECK(read_detail(db, 9, 12, &s, &got) == 1 && got == len && memcmp(s, buf, len) == 0);
	free(s);
	/* the view, over events rows */
	CHECK(sqlite3_exec(db, "INSERT INTO funcs(id, name) VALUES (1, 'C_Sign'), (2, 'C_Verify');"
	                       "INSERT INTO event_rows(n, file_id, func_id) VALUES (12, 0, 1), (13, 0, 2)",
	                       NULL, NULL, NULL) == SQLITE_OK);
	CHECK(scalar(db, "SELECT count(*) FROM event_details WHERE text LIKE 'C_Sign %' || char(10) || '[0000000012]%'") == 1);
	CHECK(scalar(db, "SELECT length(detail) FROM event_details WHERE n = 13") ==
	      (int64_t)make_detail(13, buf, cap));
	sqlite3_close(db);
	free(buf);
}

static void test_truncate(void)
{
	sqlite3 *db = make_db();
	struct hs_detail_writer *w = hs_index_detail_writer_new(db);
	char *s;
	size_t got;
	int64_t n;
	char t[32];

	for (n = 1; n <= 100; n++) {
		snprintf(t, sizeof t, "old %lld", (long long)n);
		CHECK(hs_index_detail_add(w, n, t, strlen(t)) == 0);
	}
	CHECK(hs_index_detail_flush(w) == 0);
	hs_index_detail_writer_free(w);
	CHECK(read_detail(db, 80, 0, &s, &got) == 1); /* caches the block */
	free(s);
	/* a refresh keeps 1..60 and writes 61.. again */
	CHECK(hs_index_detail_truncate(db, 60) == 0);
	CHECK(read_detail(db, 61, 0, &s, &got) == 0);
	CHECK(read_detail(db, 60, 0, &s, &got) == 1 && got == 6 && memcmp(s, "old 60", 6) == 0);
	free(s);
	w = hs_index_detail_writer_new(db);
	for (n = 61; n <= 70; n++) {
		snprintf(t, sizeof t, "new %lld", (long long)n);
		CHECK(hs_index_detail_add(w, n, t, strlen(t)) == 0);
	}
	CHECK(hs_index_detail_flush(w) == 0);
	hs_index_detail_writer_free(w);
	CHECK(read_detail(db, 65, 0, &s, &got) == 1 && got == 6 && memcmp(s, "new 65", 6) == 0);
	free(s);
	CHECK(read_detail(db, 71, 0, &s, &got) == 0);
	/* damage: a byte of the compressed block changed */
	CHECK(sqlite3_exec(db, "UPDATE detail_blocks SET data = substr(data, 1, 20) || x'00' ||"
	                       " substr(data, 22) WHERE first = 1", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(hs_index_detail_register(db) == SQLITE_OK); /* drop the cached block */
	CHECK(read_detail(db, 5, 0, &s, &got) == -1);
	CHECK(sqlite3_extended_errcode(db) == SQLITE_CORRUPT);
	sqlite3_close(db);
}

/* --------------------------------------------------------- two threads */

struct rec {
	struct hs_buf log;          /* "n func rv_name detail-length|..." per event */
	int events, progress, stop_after;
};

static int rec_event(void *ctx, struct hs_event *e)
{
	struct rec *r = ctx;

	r->events++;
	hs_buf_printf(&r->log, "%lld %s %s %zu %lld|", (long long)r->events, e->func, e->rv_name,
	              e->detail.len, (long long)e->offset);
	return r->stop_after && r->events >= r->stop_after;
}

static void rec_skip(void *ctx, int64_t lineno, int64_t offset, const char *why)
{
	struct rec *r = ctx;

	hs_buf_printf(&r->log, "skip %lld %lld %s|", (long long)lineno, (long long)offset, why);
}

static void rec_progress(void *ctx, int64_t offset)
{
	struct rec *r = ctx;

	(void)offset;
	r->progress++;
}

static int run(const char *path, int threaded, struct rec *r, struct hs_parse_stats *st)
{
	struct hs_pipeline_input in;
	struct hs_sink sink = { .ctx = r, .on_event = rec_event, .on_skip = rec_skip };
	struct hs_error err;

	memset(&in, 0, sizeof in);
	in.path = path;
	in.parser = &hs_parser_spy;
	in.start_line = 1;
	in.on_progress = rec_progress;
	in.progress_ctx = r;
	hs_error_clear(&err);
	return threaded ? hs_pipeline_run_threaded(&in, &sink, st, &err)
	                : hs_pipeline_run(&in, &sink, st, &err);
}

static void test_threads(const char *root)
{
	char path[4096], big[] = "/tmp/hs_test_detail.XXXXXX";
	struct rec a, b, c;
	struct hs_parse_stats sa, sb, sc;
	FILE *in, *out;
	char buf[65536];
	size_t got;
	int fd, i;

	/* 40 copies of the sample: more events than the queue holds */
	snprintf(path, sizeof path, "%s/share/samples/softhsm-basic.log", root);
	fd = mkstemp(big);
	CHECK(fd >= 0);
	out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	for (i = 0; out && i < 40; i++) {
		in = fopen(path, "rb");
		CHECK(in != NULL);
		while (in && (got = fread(buf, 1, sizeof buf, in)) > 0)
			fwrite(buf, 1, got, out);
		if (in)
			fclose(in);
	}
	if (out)
		fclose(out);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	CHECK(run(big, 0, &a, &sa) == 0);
	CHECK(run(big, 1, &b, &sb) == 0);
	CHECK(a.events > 10000);
	CHECK(a.events == b.events && a.log.len == b.log.len &&
	      memcmp(hs_buf_cstr(&a.log), hs_buf_cstr(&b.log), a.log.len) == 0);
	CHECK(sa.safe_offset == sb.safe_offset && sa.safe_line == sb.safe_line &&
	      sa.skipped == sb.skipped && strcmp(sa.state, sb.state) == 0);
	CHECK(b.progress == a.progress && b.progress > 0);
	/* the sink says stop: the run ends, having handed nothing after it */
	c.stop_after = 1000;
	CHECK(run(big, 1, &c, &sc) == 0);
	CHECK(c.events == 1000);
	hs_buf_free(&a.log);
	hs_buf_free(&b.log);
	hs_buf_free(&c.log);
	hs_parse_stats_free(&sa); /* the resume states are the stats' own */
	hs_parse_stats_free(&sb);
	hs_parse_stats_free(&sc);
	unlink(big);
}

int main(void)
{
	const char *root = getenv("ROOT");

	test_roundtrip();
	test_truncate();
	test_threads(root && *root ? root : ".");
	TEST_END();
}
