/* index_live.c — opening an index in a thread of its own, and reading a
 * build while it runs (include/hsmscope/index.h, "opening in the
 * background").
 *
 * The thread runs hs_idx_open_live() (index.c) with hooks: a build then
 * writes its temporary file in WAL mode and the writer commits every
 * HS_LIVE_COMMIT_S (hs_idx_live_tick below, called by index_write.c
 * between rows), so that a read-only connection of the caller's thread —
 * the partial index — sees the events written so far. WAL lets that reader
 * and the writer work at once without "database is locked". At the end
 * the build waits in release() until the caller has closed the partial
 * index (hs_index_load_finish), because the file can only leave WAL mode
 * with no other connection on it; then it is renamed into place as always.
 *
 * Everything the two threads share is in struct hs_index_load under its
 * mutex; the caller's callbacks (drawing, reading keys) are never called
 * from the loading thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hsmscope/filter.h"
#include "hsmscope/query.h"

#include "index_int.h"

#define ERRS_MAX 16             /* file errors kept for the caller */

struct hs_index_load {
	struct hs_idx_live live;    /* first: the hooks get &live */
	pthread_t thread;
	int started;                /* thread is joinable */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* the caller's, borrowed */
	const char *const *paths;
	int npaths;
	struct hs_index_opts user;  /* the caller's options, for its indexes */
	struct hs_index_opts topts; /* the thread's: no caller callbacks */
	int flags;                  /* HS_LOAD_* */
	double t0;                  /* monotonic s at the start */
	volatile sig_atomic_t cancel; /* the thread's interrupted flag */

	/* under mu */
	char tmp[4096];             /* the build's temporary file, "" none */
	int ready;                  /* tmp is readable */
	int building, parsed, finishing, done;
	int released;               /* the caller closed its reader: go on */
	int64_t bytes_done, bytes_total, events, committed;
	struct hs_error errs[ERRS_MAX]; /* file errors, for on_file_error */
	int nerrs;
	/* what the caller will show on the finished index (hs_index_load_want),
	 * counted here so that the switch costs the caller nothing */
	char *want_text;            /* owned: the filter's text, "" none; NULL: nothing wanted */
	int64_t want_keep;          /* the event to keep selected, 0 none */
	char *got_text;             /* owned: the text counted, NULL none */
	int64_t got_keep;
	struct hs_index_load_view got;

	/* the thread's result (read after join) */
	int rc;
	struct hs_index *ix;
	struct hs_error err;

	/* the caller's */
	struct hs_index *partial;   /* owned, NULL none */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------- the building thread */

static void count_wanted(struct hs_index_load *ld, struct hs_index *ix);

void hs_idx_live_tick(struct writer *w)
{
	struct hs_idx_live *l = w->live;
	double t = now_s();

	if (t - l->last_commit < HS_LIVE_COMMIT_S)
		return;
	l->last_commit = t;
	/* the details of the events committed so far go with them: a reader
	 * finds each event's block (index_detail.c) */
	if (hs_index_detail_flush(w->det) < 0) {
		snprintf(w->errmsg, sizeof w->errmsg, "%s", hs_index_detail_error(w->det));
		w->failed = 1;
		return;
	}
	if (hs_idx_live_commit(w->db, l, w->events) < 0 && sqlite3_get_autocommit(w->db)) {
		/* committed but could not begin again: rows would be lost */
		snprintf(w->errmsg, sizeof w->errmsg, "%s", sqlite3_errmsg(w->db));
		w->failed = 1;
	}
}

int hs_idx_live_commit(sqlite3 *db, struct hs_idx_live *l, int64_t rows)
{
	char sql[160];

	/* nothing is stepping between rows; a COMMIT that fails anyway leaves
	 * the transaction open and is tried again at the next tick */
	snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES('" HS_LIVE_ROWS_KEY "', %lld)",
	         (long long)rows);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	l->committed(l, rows);
	return 0;
}

static void on_ready(struct hs_idx_live *l, const char *tmp)
{
	struct hs_index_load *ld = (struct hs_index_load *)l;

	pthread_mutex_lock(&ld->mu);
	hs_strlcpy(ld->tmp, tmp, sizeof ld->tmp);
	ld->ready = 1;
	ld->building = 1;
	pthread_mutex_unlock(&ld->mu);
}

static void on_committed(struct hs_idx_live *l, int64_t rows)
{
	struct hs_index_load *ld = (struct hs_index_load *)l;

	pthread_mutex_lock(&ld->mu);
	ld->committed = rows;
	pthread_mutex_unlock(&ld->mu);
}

static void on_parsed(struct hs_idx_live *l)
{
	struct hs_index_load *ld = (struct hs_index_load *)l;

	pthread_mutex_lock(&ld->mu);
	ld->parsed = 1;
	ld->bytes_done = ld->bytes_total;
	pthread_mutex_unlock(&ld->mu);
}

static int on_release(struct hs_idx_live *l)
{
	struct hs_index_load *ld = (struct hs_index_load *)l;
	struct hs_index *ix;
	struct hs_error err;

	/* the heavy part of the switch, while the caller still reads: once
	 * it has let go, what is left is a rename and an open */
	if (hs_idx_open_reader(ld->tmp, &ld->topts, &ix, &err) == 0) {
		count_wanted(ld, ix);
		hs_index_close(ix);
	}
	pthread_mutex_lock(&ld->mu);
	ld->finishing = 1;
	while (!ld->released)
		pthread_cond_wait(&ld->cv, &ld->mu);
	pthread_mutex_unlock(&ld->mu);
	return ld->cancel ? -1 : 0;
}

static void on_progress(void *ctx, int64_t done, int64_t total, int64_t events)
{
	struct hs_index_load *ld = ctx;

	pthread_mutex_lock(&ld->mu);
	ld->bytes_done = done;
	ld->bytes_total = total;
	ld->events = events;
	pthread_mutex_unlock(&ld->mu);
}

static void on_file_error(void *ctx, const struct hs_error *e)
{
	struct hs_index_load *ld = ctx;

	pthread_mutex_lock(&ld->mu);
	if (ld->nerrs < ERRS_MAX)
		ld->errs[ld->nerrs++] = *e;
	pthread_mutex_unlock(&ld->mu);
}

/* Count what the caller wants shown on ix (in this thread, on an index
 * nobody else uses yet): the filter's matches and the rank of the event it
 * keeps selected. Anything that fails leaves it to the caller. */
static void count_wanted(struct hs_index_load *ld, struct hs_index *ix)
{
	struct hs_filter *f = NULL;
	struct hs_error err;
	char *text;
	int64_t keep, count, rank = -1, last;

	pthread_mutex_lock(&ld->mu);
	text = ld->want_text ? hs_strdup(ld->want_text) : NULL;
	keep = ld->want_keep;
	pthread_mutex_unlock(&ld->mu);
	if (!text)
		return;
	if (*text && hs_filter_compile(text, &f, &err) < 0)
		goto out;
	count = hs_query_count(ix, f, &err);
	if (count < 0)
		goto out;
	if (keep > 0 && hs_query_seek(ix, f, 0, 1, HS_SEEK_N, keep, &err) == keep &&
	    (rank = hs_query_rank(ix, f, keep, &err)) < 0)
		goto out;
	/* where following the end goes (a backward scan to the last match) */
	if ((last = hs_query_seek(ix, f, INT64_MAX, -1, HS_SEEK_ANY, 0, &err)) < 0)
		goto out;
	pthread_mutex_lock(&ld->mu);
	free(ld->got_text);
	ld->got_text = text;
	text = NULL;
	ld->got_keep = keep;
	ld->got.count = count;
	ld->got.rank = rank;
	ld->got.last_n = last;
	pthread_mutex_unlock(&ld->mu);
out:
	hs_filter_free(f);
	free(text);
}

static void *run(void *arg)
{
	struct hs_index_load *ld = arg;
	struct hs_index *ix = NULL;
	int rc;

	rc = hs_idx_open_live(ld->paths, ld->npaths, &ld->topts, &ld->live, &ix, &ld->err);
	/* a refresh (a build counted in on_release, before its rename) */
	if (rc == 0 && !ld->got_text)
		count_wanted(ld, ix);
	pthread_mutex_lock(&ld->mu);
	ld->rc = rc;
	ld->ix = ix;
	ld->done = 1;
	pthread_mutex_unlock(&ld->mu);
	return NULL;
}

/* ------------------------------------------------------ the caller's side */

int hs_index_load_start(const char *const *paths, int npaths, const struct hs_index_opts *opts,
                        int flags, struct hs_index_load **out, struct hs_error *err)
{
	struct hs_index_load *ld = calloc(1, sizeof *ld);
	sigset_t all, old;
	int rc;

	hs_error_clear(err);
	if (!ld) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	ld->live.ready = on_ready;
	ld->live.committed = on_committed;
	ld->live.parsed = on_parsed;
	ld->live.release = on_release;
	ld->live.cancel = &ld->cancel;
	ld->paths = paths;
	ld->npaths = npaths;
	ld->flags = flags;
	ld->t0 = now_s();
	if (opts)
		ld->user = *opts;
	ld->topts = ld->user;
	ld->topts.on_progress = on_progress;
	ld->topts.on_file_error = on_file_error;
	ld->topts.should_stop = NULL;
	ld->topts.ctx = ld;
	ld->topts.interrupted = &ld->cancel;
	pthread_mutex_init(&ld->mu, NULL);
	pthread_cond_init(&ld->cv, NULL);
	/* signals stay with the caller's thread (its handlers set its flags,
	 * and SIGWINCH must interrupt its poll) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* an SQLite built without threads cannot have two connections in two
	 * threads: then (or with no thread to be had) the open is done here,
	 * as hs_index_open() would, and the load is done at once */
	rc = sqlite3_threadsafe() ? pthread_create(&ld->thread, NULL, run, ld) : -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		ld->flags = 0;
		ld->topts.interrupted = ld->user.interrupted; /* the caller's Ctrl-C */
		ld->rc = hs_idx_open_live(paths, npaths, &ld->topts, NULL, &ld->ix, &ld->err);
		ld->done = 1;
	} else {
		ld->started = 1;
	}
	*out = ld;
	return 0;
}

void hs_index_load_status(struct hs_index_load *ld, struct hs_index_load_status *st)
{
	memset(st, 0, sizeof *st);
	pthread_mutex_lock(&ld->mu);
	st->done = ld->done;
	st->finishing = ld->finishing;
	st->building = ld->building;
	st->parsed = ld->parsed;
	st->partial = ld->ready && (ld->flags & HS_LOAD_PARTIAL) && !ld->done;
	st->bytes_done = ld->bytes_done;
	st->bytes_total = ld->bytes_total;
	st->events = ld->events;
	st->committed = ld->committed;
	pthread_mutex_unlock(&ld->mu);
	st->seconds = now_s() - ld->t0;
}

struct hs_index *hs_index_load_partial(struct hs_index_load *ld, struct hs_error *err)
{
	char tmp[sizeof ld->tmp];
	int ok;

	hs_error_clear(err);
	if (ld->partial)
		return ld->partial;
	pthread_mutex_lock(&ld->mu);
	ok = ld->ready && (ld->flags & HS_LOAD_PARTIAL) && !ld->done && !ld->finishing;
	hs_strlcpy(tmp, ld->tmp, sizeof tmp);
	pthread_mutex_unlock(&ld->mu);
	/* the file stays while the build waits for release(), which needs this
	 * thread: it cannot vanish under the open below, but a failed build
	 * may have removed it — then the open fails and finish says why */
	if (!ok || hs_idx_open_reader(tmp, &ld->user, &ld->partial, err) < 0)
		return NULL;
	hs_idx_reader_files(ld->partial, ld->paths, ld->npaths);
	return ld->partial;
}

int64_t hs_index_load_snapshot(struct hs_index_load *ld, int64_t *max_n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t rows = -1;

	if (!ld->partial)
		return -1;
	db = hs_index_db(ld->partial);
	hs_index_load_unpin(ld);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	/* the first read fixes the snapshot every later query of the turn sees */
	*max_n = 0;
	if (sqlite3_prepare_v2(db, "SELECT (SELECT value FROM meta WHERE key = '" HS_LIVE_ROWS_KEY "'),"
	                           " (SELECT ifnull(max(n), 0) FROM event_rows)", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				rows = sqlite3_column_int64(st, 0);
			*max_n = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	return rows;
}

void hs_index_load_unpin(struct hs_index_load *ld)
{
	sqlite3 *db;

	if (!ld->partial)
		return;
	db = hs_index_db(ld->partial);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

/* Close the partial index and let a build waiting in release() go on. */
static void release(struct hs_index_load *ld)
{
	hs_index_close(ld->partial);
	ld->partial = NULL;
	pthread_mutex_lock(&ld->mu);
	ld->released = 1;
	pthread_cond_signal(&ld->cv);
	pthread_mutex_unlock(&ld->mu);
}

static void load_free(struct hs_index_load *ld)
{
	if (ld->started)
		pthread_join(ld->thread, NULL);
	/* a build that failed with the reader open may leave the WAL files of
	 * its (removed) temporary file: nothing is left behind */
	if (ld->tmp[0] && access(ld->tmp, F_OK) != 0) {
		char p[sizeof ld->tmp + 8];
		snprintf(p, sizeof p, "%s-wal", ld->tmp);
		unlink(p);
		snprintf(p, sizeof p, "%s-shm", ld->tmp);
		unlink(p);
	}
	pthread_cond_destroy(&ld->cv);
	pthread_mutex_destroy(&ld->mu);
	free(ld->want_text);
	free(ld->got_text);
	free(ld);
}

void hs_index_load_want(struct hs_index_load *ld, const char *filter_text, int64_t keep_n)
{
	char *t = hs_strdup(filter_text ? filter_text : "");

	pthread_mutex_lock(&ld->mu);
	free(ld->want_text);
	ld->want_text = t;
	ld->want_keep = keep_n;
	pthread_mutex_unlock(&ld->mu);
}

int hs_index_load_finish(struct hs_index_load *ld, struct hs_index **out, const char *filter_text,
                         int64_t keep_n, struct hs_index_load_view *view, struct hs_error *err)
{
	int i, rc;

	view->count = view->rank = view->last_n = -1;
	release(ld);
	if (ld->started)
		pthread_join(ld->thread, NULL);
	ld->started = 0;
	for (i = 0; i < ld->nerrs; i++)
		if (ld->user.on_file_error)
			ld->user.on_file_error(ld->user.ctx, &ld->errs[i]);
	rc = ld->rc;
	if (rc == 0) {
		hs_idx_set_stop(ld->ix, &ld->user);
		*out = ld->ix;
		if (ld->got_text && strcmp(ld->got_text, filter_text ? filter_text : "") == 0) {
			view->count = ld->got.count;
			view->last_n = ld->got.last_n;
			if (ld->got_keep == keep_n)
				view->rank = ld->got.rank;
		}
	} else {
		*err = ld->err;
		hs_index_close(ld->ix);
	}
	load_free(ld);
	return rc;
}

void hs_index_load_cancel(struct hs_index_load *ld)
{
	if (!ld)
		return;
	ld->cancel = 1;
	release(ld);
	if (ld->started)
		pthread_join(ld->thread, NULL);
	ld->started = 0;
	if (ld->rc == 0) /* it was done before it saw the flag: a whole index, kept */
		hs_index_close(ld->ix);
	load_free(ld);
}
