/* test_index_live.c — opening an index in the background
 * (hs_index_load_*): the partial index read while a build runs is
 * consistent with the count its snapshot says, the finished index equals
 * a plain open's, cancelling leaves nothing in the directory, a refresh in
 * the background leaves the index opened before readable, and
 * hs_query_count_from counts a tail. No timing: the loops poll until the
 * load says it is done, whatever the machine's speed.
 *
 * The log is the bundled sample repeated (paths relative to the repository
 * root), written into a scratch directory.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/query.h"
#include "harness.h"

#define SAMPLE "share/samples/softhsm-basic.log"
#define LOGINS "func == \"C_Login\""

static char tmp[256];           /* scratch directory */

static void nap(void)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Append the sample times times to path. 0, or -1. */
static int append_sample(const char *path, int times)
{
	static char buf[1 << 16];
	FILE *in, *out = fopen(path, "ab");
	size_t n;
	int i;

	if (!out)
		return -1;
	for (i = 0; i < times; i++) {
		if (!(in = fopen(SAMPLE, "rb"))) {
			fclose(out);
			return -1;
		}
		while ((n = fread(buf, 1, sizeof buf, in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(in);
	}
	return fclose(out);
}

/* Files in the scratch directory whose name contains part. */
static int files_with(const char *part)
{
	DIR *d = opendir(tmp);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strstr(de->d_name, part))
			n++;
	closedir(d);
	return n;
}

static int64_t plain_events(const char *log, const char *db)
{
	struct hs_index_opts o;
	struct hs_index *ix;
	struct hs_error err;
	int64_t n = -1;

	memset(&o, 0, sizeof o);
	o.index_path = db;
	o.rebuild = 1;
	if (hs_index_open(&log, 1, &o, &ix, &err) == 0) {
		n = hs_index_info(ix)->events;
		hs_index_close(ix);
	}
	return n;
}

/* A build read while it runs, then finished. */
static void test_partial(const char *log, int64_t want)
{
	struct hs_index_opts o;
	struct hs_index_load *ld;
	struct hs_index_load_status st;
	struct hs_index *ix = NULL, *part;
	struct hs_error err;
	struct hs_filter *f = NULL;
	char db[320];
	int64_t rows, max_n, seen = 0, last = -1, fc;
	int snapshots = 0, consistent = 1, grows = 1;
	struct hs_index_load_view v;

	snprintf(db, sizeof db, "%s/live.db", tmp);
	memset(&o, 0, sizeof o);
	o.index_path = db;
	CHECK(hs_filter_compile(LOGINS, &f, &err) == 0);
	CHECK(hs_index_load_start(&log, 1, &o, HS_LOAD_PARTIAL, &ld, &err) == 0);
	/* the caller's view on the finished index, counted by the thread */
	hs_index_load_want(ld, LOGINS, 27);
	for (;;) {
		hs_index_load_status(ld, &st);
		if (st.done || st.finishing)
			break;
		if (st.partial && (part = hs_index_load_partial(ld, &err))) {
			rows = hs_index_load_snapshot(ld, &max_n);
			if (rows >= 0) {
				/* what the snapshot says it holds is what queries see */
				if (hs_query_count(part, NULL, &err) != rows)
					consistent = 0;
				/* a filter over the partial index answers */
				fc = hs_query_count(part, f, &err);
				if (fc < 0 || fc > rows)
					consistent = 0;
				if (rows < last)
					grows = 0;
				last = rows;
				seen = rows > seen ? rows : seen;
				snapshots++;
			}
			hs_index_load_unpin(ld);
		}
		nap();
	}
	CHECK(consistent);
	CHECK(grows);
	CHECK(seen <= want);
	CHECK(st.bytes_total > 0);
	printf("partial: %d snapshots, up to %lld of %lld events\n", snapshots, (long long)seen,
	       (long long)want);
	CHECK(hs_index_load_finish(ld, &ix, LOGINS, 27, &v, &err) == 0);
	if (ix) {
		CHECK(hs_index_info(ix)->events == want);
		CHECK(v.count == hs_query_count(ix, f, &err));
		CHECK(v.count > 0);
		CHECK(v.rank == 1); /* event 27 is the sample's second C_Login */
		CHECK(v.last_n == hs_query_seek(ix, f, INT64_MAX, -1, HS_SEEK_ANY, 0, &err));
		CHECK(v.last_n > 27);
		CHECK(hs_query_count(ix, NULL, &err) == want);
		/* a tail count is the whole count less the rank */
		CHECK(hs_query_count_from(ix, f, 1, &err) == hs_query_count(ix, f, &err));
		CHECK(hs_query_count_from(ix, f, want / 2, &err) ==
		      hs_query_count(ix, f, &err) - hs_query_rank(ix, f, want / 2, &err));
		hs_index_close(ix);
	}
	/* the finished index is an ordinary one: no WAL, no temporary file */
	CHECK(files_with("-wal") == 0);
	CHECK(files_with("-shm") == 0);
	CHECK(files_with(".tmp.") == 0);
	CHECK(files_with(".lock") == 0);
	/* and a plain open reuses it */
	memset(&o, 0, sizeof o);
	o.index_path = db;
	CHECK(hs_index_open(&log, 1, &o, &ix, &err) == 0);
	if (ix) {
		CHECK(hs_index_info(ix)->reused == 1);
		hs_index_close(ix);
	}
	hs_filter_free(f);
}

/* Cancelled while it builds: nothing left. */
static void test_cancel(const char *log)
{
	struct hs_index_opts o;
	struct hs_index_load *ld;
	struct hs_index_load_status st;
	struct hs_error err;
	char db[320];

	snprintf(db, sizeof db, "%s/cancel.db", tmp);
	memset(&o, 0, sizeof o);
	o.index_path = db;
	/* at once */
	CHECK(hs_index_load_start(&log, 1, &o, HS_LOAD_PARTIAL, &ld, &err) == 0);
	hs_index_load_cancel(ld);
	/* with the partial index open */
	CHECK(hs_index_load_start(&log, 1, &o, HS_LOAD_PARTIAL, &ld, &err) == 0);
	for (;;) {
		hs_index_load_status(ld, &st);
		if (st.done || st.finishing || (st.partial && hs_index_load_partial(ld, &err)))
			break;
		nap();
	}
	hs_index_load_cancel(ld);
	/* a build done before the cancel was seen keeps its whole index;
	 * else nothing of it is there */
	if (files_with("cancel.db") > 0) {
		struct hs_index *ix;
		CHECK(files_with("cancel.db") == 1);
		CHECK(hs_index_open(&log, 1, &o, &ix, &err) == 0 && hs_index_info(ix)->reused == 1);
		hs_index_close(ix);
	}
	CHECK(files_with("cancel.db.") == 0); /* .tmp.*, -wal, -shm, .lock */
	CHECK(files_with("cancel.db-") == 0);
}

/* Follow mode's refresh: in the background, the old index stays readable. */
static void test_refresh(const char *log, int64_t base)
{
	struct hs_index_opts o;
	struct hs_index_load *ld;
	struct hs_index_load_status st;
	struct hs_index *old = NULL, *ix = NULL;
	struct hs_error err;
	char db[320];
	int readable = 1;
	struct hs_index_load_view v;

	snprintf(db, sizeof db, "%s/grow.db", tmp);
	memset(&o, 0, sizeof o);
	o.index_path = db;
	CHECK(hs_index_open(&log, 1, &o, &old, &err) == 0);
	if (!old)
		return;
	CHECK(append_sample(log, 5) == 0);
	CHECK(hs_index_load_start(&log, 1, &o, 0, &ld, &err) == 0);
	hs_index_load_want(ld, "", 0);
	for (;;) {
		hs_index_load_status(ld, &st);
		CHECK(!st.partial); /* a refresh offers none */
		if (st.done || st.finishing)
			break;
		if (hs_query_count(old, NULL, &err) < base)
			readable = 0;
		nap();
	}
	CHECK(readable);
	/* counted for another filter than the caller's: not given */
	CHECK(hs_index_load_finish(ld, &ix, LOGINS, 0, &v, &err) == 0);
	CHECK(v.count == -1 && v.rank == -1 && v.last_n == -1);
	if (ix) {
		CHECK(hs_index_info(ix)->refreshed == 1);
		CHECK(hs_index_info(ix)->events > base);
		hs_index_close(ix);
	}
	hs_index_close(old);
}

int main(void)
{
	char log[320], plain[320];
	int64_t want;

	snprintf(tmp, sizeof tmp, "%s/hs-live-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(log, sizeof log, "%s/big.log", tmp);
	snprintf(plain, sizeof plain, "%s/plain.db", tmp);
	CHECK(append_sample(log, 40) == 0);
	want = plain_events(log, plain);
	CHECK(want > 0);
	test_partial(log, want);
	test_cancel(log);
	test_refresh(log, want);

	{
		char cmd[400];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmp);
	}
	TEST_END();
}
