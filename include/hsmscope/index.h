/* index.h — the on-disk SQLite index of one opened set of logs.
 *
 * Ownership: hs_index_open() returns an index the caller closes with
 * hs_index_close(); the sqlite3 handle and strings it hands out belong to
 * the index and die with it.
 *
 * The index lives under $XDG_CACHE_HOME/hsmscope/ (directory 0700, files
 * 0600) unless opts.index_path names it. It is reused while its logs are
 * unchanged, refreshed incrementally when a single log only grew, and else
 * rebuilt — always into a temporary file renamed into place, so a crash
 * never leaves a half index that is trusted. It never holds a PIN or secret
 * key material: every event passes through redaction before it is stored.
 *
 * It never destroys a file to make room: opts.index_path must be missing,
 * empty or an hsmscope index, and no index path may be one of the logs, a
 * symlink or a device; the cache directory must be the user's own real,
 * writable directory (safefile.h). Else hs_index_open() fails with a
 * one-line error naming the file and touches nothing.
 */
#ifndef HSMSCOPE_INDEX_H
#define HSMSCOPE_INDEX_H

#include <signal.h>
#include <stdint.h>

#include "hsmscope/util.h"

struct sqlite3;
struct sqlite3_stmt;
struct hs_index;

#define HS_INDEX_SCHEMA_VERSION 10 /* 6: event_lines; 7: detail in zstd blocks; 8: event_params;
                                      9: smaller (event_keys/params by (n, i), ...);
                                      10: the event columns' CREATE text made from
                                      src/evcols.h (same columns, one per line) */

struct hs_index_opts {
	const char *index_path;     /* explicit index file, or NULL for the cache */
	int keep_going;             /* load the good files when some are bad */
	int rebuild;                /* ignore an existing index */
	const char *hsm_name;       /* HSM id for audit text files, or NULL */
	int redact_data;            /* also hide data buffers (--redact data) */
	const char *tz;             /* zone local-time logs were written in (--tz), for
	                               output only; NULL unknown. main() has set TZ to it */
	/* Called per bad input with its error (may be NULL). */
	void (*on_file_error)(void *ctx, const struct hs_error *err);
	/* Called now and then while parsing (may be NULL). */
	void (*on_progress)(void *ctx, int64_t bytes_done, int64_t bytes_total,
	                    int64_t events);
	/* Polled while a query runs on the opened index (every hundred SQLite
	 * steps or so); non-zero makes the query fail, so a person can cancel
	 * a slow filter or statistics (may be NULL). */
	int (*should_stop)(void *ctx);
	void *ctx;                  /* passed to the callbacks */
	volatile sig_atomic_t *interrupted; /* when set non-zero, stop and discard;
	                             * later, a running query stops */
};

/* What the last open did, for `hsmscope index` and the status line. */
struct hs_index_info {
	const char *path;           /* the index file; owned by the index */
	int reused;                 /* 1 when nothing had to be parsed */
	int refreshed;              /* 1 when only the grown tail was parsed */
	int64_t events;             /* events in the index */
	int64_t files;              /* files in the index */
	int64_t skipped;            /* unparsable lines skipped, all files */
	int64_t incomplete;         /* calls with no return */
	int64_t parsed_bytes;       /* bytes parsed by this open */
	double seconds;             /* time this open took */
	const char *tz;             /* opts.tz, owned by the index; NULL: unknown */
	double waited_s;            /* of which spent waiting for another process
	                               building or refreshing the same index */
};

/* Open (build, refresh or reuse) the index of paths. Returns 0, or -1 with
 * err set (a one-line message naming the file and the problem). Opens of
 * one index are serialised by flock(2) on "<index>.lock": a second process
 * waits for the first's build or refresh and then reuses its work. */
int hs_index_open(const char *const *paths, int npaths,
                  const struct hs_index_opts *opts, struct hs_index **out,
                  struct hs_error *err);
void hs_index_close(struct hs_index *ix);

/* The read-side handle for query, filter, stats and export. */
struct sqlite3 *hs_index_db(struct hs_index *ix);
/* A prepared statement for sql on hs_index_db(), one given back earlier
 * with the same text (reset, no bindings) or a new one; *st is the
 * caller's until it gives it back or finalizes it. SQLite's result code. */
int hs_index_stmt_take(struct hs_index *ix, const char *sql, struct sqlite3_stmt **st);
/* Give st (from hs_index_stmt_take, or NULL) back; the index keeps a few
 * and finalizes them when it closes. */
void hs_index_stmt_give(struct hs_index *ix, struct sqlite3_stmt *st);
const struct hs_index_info *hs_index_info(const struct hs_index *ix);

/* Non-zero when a running query must stop: opts.should_stop said so, or
 * *opts.interrupted is set. Every query on hs_index_db() polls it; other
 * connections over the index (sql.c) poll it too. */
int hs_index_should_stop(struct hs_index *ix);
/* 1 when a query failed because a regex of the filter hit a PCRE2 resource
 * limit since the last call (the filter's fault, not the index's); clears it. */
int hs_index_take_regex_limit(struct hs_index *ix);

/* ------------------------------------------------ opening in the background
 *
 * hs_index_load_start() does what hs_index_open() does in a thread of its
 * own, so that a caller with a screen to keep alive (the explorer) never
 * waits for a build or a refresh. While a build runs, the events written
 * so far are committed every quarter second into its temporary file, and
 * with HS_LOAD_PARTIAL hs_index_load_partial() reads them: scroll, filter
 * and count over what is loaded. That index has no secondary indexes, no
 * sessions or anomalies (correlation writes them at the end; the
 * session_id/login_id/span_id of each event are there) and no files rows
 * until a file is parsed. When status.finishing says so, the caller calls
 * hs_index_load_finish(): the partial index is closed, the temporary file
 * leaves WAL mode and is renamed into place, and the finished index is
 * returned — the caller switches to it, keeping its filter and selection.
 *
 * Cancelling (hs_index_load_cancel) stops the build and removes its
 * temporary files (the index, its -wal and -shm): nothing is left behind,
 * no half index is trusted. A refresh runs in its own transaction: the
 * caller keeps reading its current index (opened earlier) meanwhile.
 *
 * Threads: every hs_index_load_* call comes from one thread (the caller's).
 * The callbacks of opts are never called from the loading thread:
 * on_file_error's messages are kept and handed over by finish, should_stop
 * and interrupted apply to the queries of the returned indexes.
 *
 * Ownership: the load owns the partial index (valid until the next
 * hs_index_load_finish or _cancel); finish and cancel free the load. */
struct hs_index_load;

#define HS_LOAD_PARTIAL 1       /* offer the partial index of a build */

struct hs_index_load_status {
	int done;                   /* finish() returns at once (built, reused, refreshed, failed) */
	int finishing;              /* the build is complete and waits: call finish() */
	int building;               /* a build (not a reuse or a refresh) is running */
	int parsed;                 /* parsing is over: indexes and correlation follow */
	int partial;                /* hs_index_load_partial() has an index to give */
	int64_t bytes_done, bytes_total; /* parsed so far, to parse */
	int64_t events;             /* events parsed so far */
	int64_t committed;          /* events readable through the partial index */
	double seconds;             /* since the start */
};

/* Start opening (building, refreshing or reusing) the index of paths.
 * paths and every string of opts are borrowed until finish or cancel. 0,
 * or -1 with err set (out of memory). With no thread to be had (or an
 * SQLite built without threads) the open is done before it returns, and
 * the load says done at once. */
int hs_index_load_start(const char *const *paths, int npaths, const struct hs_index_opts *opts,
                        int flags, struct hs_index_load **out, struct hs_error *err);
/* Where the load stands; never waits. */
void hs_index_load_status(struct hs_index_load *ld, struct hs_index_load_status *st);
/* The read-only index over what the build has committed, or NULL (none
 * yet, not a build, or no HS_LOAD_PARTIAL). Owned by the load. */
struct hs_index *hs_index_load_partial(struct hs_index_load *ld, struct hs_error *err);
/* Pin the partial index to what the build has committed now: every query
 * until hs_index_load_unpin() (or the next snapshot) sees the same rows.
 * Returns how many events that snapshot holds, or -1 (no partial index,
 * or the count is not known: keep the last); *max_n its largest number. Unpin before waiting for
 * the user: a pinned snapshot keeps the build's WAL from being recycled. */
int64_t hs_index_load_snapshot(struct hs_index_load *ld, int64_t *max_n);
void hs_index_load_unpin(struct hs_index_load *ld);
/* What the caller will show on the finished index: the matches of
 * filter_text ("" or NULL: all) and the rank of event keep_n (0: none).
 * The loading thread counts them before the switch (a count over every
 * event can take seconds); say it again when either changes. */
void hs_index_load_want(struct hs_index_load *ld, const char *filter_text, int64_t keep_n);
/* What hs_index_load_want() asked, on the finished index; each -1 when
 * not counted for exactly the filter_text and keep_n given to finish. */
struct hs_index_load_view {
	int64_t count;              /* events matching the filter */
	int64_t rank;               /* 0-based rank of keep_n among them (-1: it does not match) */
	int64_t last_n;             /* number of the last match, 0 none */
};

/* Wait for the end (at once when status says done or finishing), free the
 * load and its partial index: 0 with *out the index (the caller closes
 * it) and *view, or -1 with err set. */
int hs_index_load_finish(struct hs_index_load *ld, struct hs_index **out, const char *filter_text,
                         int64_t keep_n, struct hs_index_load_view *view, struct hs_error *err);
/* Stop, remove what the build wrote, free the load and its partial index. */
void hs_index_load_cancel(struct hs_index_load *ld);

/* One input of the index, as stored in its files table. */
struct hs_index_file {
	char *path;                 /* absolute path; owned by the index */
	char format[16];            /* parser name */
	char head_hash[17];         /* identity hash of the first 64 KiB */
	int64_t events;             /* events read from it */
	int64_t skipped;            /* lines skipped in it */
};

/* The file with this id, or NULL. */
const struct hs_index_file *hs_index_file(const struct hs_index *ix, int id);

/* The SQL that creates an empty index (documented in the man page). */
const char *hs_index_schema_sql(void);
/* The table of the correlator's saved state (in the schema too). */
const char *hs_index_corr_state_sql(void);
/* Where the index of these paths lives by default (caller frees). */
char *hs_index_default_path(const char *const *paths, int npaths, struct hs_error *err);
/* The private cache directory ($XDG_CACHE_HOME or ~/.cache, then
 * /hsmscope), created when missing, into dir. 0, or -1 (err set). */
int hs_index_cache_dir(char *dir, size_t dirlen, struct hs_error *err);

/* --- the events' detail text, stored apart in compressed blocks
 * (index_detail.c). Every connection that reads events.detail or
 * events.text needs hs_index_detail_register() (hs_index_open() and
 * hs_sql_run() do it). */

/* Register the SQL function hs_detail(n, dref) on db. An SQLite code. */
/* What a text filter searches, over `events e`: the function, return
 * value, summary and detail lines of the event. (No quote in it: filter
 * SQL holds no string literal.) */
#define HS_EVENT_TEXT_SQL                                                        \
	"(e.func || char(32) || ifnull(e.rv_name, char()) || char(32)"             \
	" || ifnull(e.summary, char()) || char(10)"                                 \
	" || ifnull(hs_detail(e.n, e.dref), char()))"
/* The event's detail text, over `events e`. */
#define HS_EVENT_DETAIL_SQL "hs_detail(e.n, e.dref)"
int hs_index_detail_register(struct sqlite3 *db);

/* Writes the details of consecutive events into detail_blocks of db (a
 * connection inside the caller's transaction). Owned by the caller: free
 * with hs_index_detail_writer_free() after a last hs_index_detail_flush(). */
struct hs_detail_writer;
struct hs_detail_writer *hs_index_detail_writer_new(struct sqlite3 *db); /* NULL: OOM / SQL */
/* Add the detail of detail number n (the event's n as written). 0, or -1
 * (hs_index_detail_error() says why). */
int hs_index_detail_add(struct hs_detail_writer *w, int64_t n, const char *s, size_t len);
/* Store the pending block: what was added becomes readable. 0, or -1. */
int hs_index_detail_flush(struct hs_detail_writer *w);
const char *hs_index_detail_error(const struct hs_detail_writer *w);
void hs_index_detail_writer_free(struct hs_detail_writer *w); /* drops what is pending */
/* Forget the details numbered after last (a refresh parses them again).
 * Also drops db's cached block. 0, or -1. */
int hs_index_detail_truncate(struct sqlite3 *db, int64_t last);

#endif
