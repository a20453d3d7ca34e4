/* index.c — building, refreshing and reusing the SQLite index.
 *
 * An index belongs to one ordered set of log paths. Its `files` table keeps
 * each log's identity (size, mtime, hash of the head) and where parsing
 * stopped (`parsed_bytes`, the parser's resume state). On open:
 *   - every log unchanged            → reuse, nothing parsed;
 *   - one log that only grew         → refresh: in one transaction, drop the
 *                                      events from its last unfinished call
 *                                      on and parse from there;
 *   - anything else                  → rebuild into a new temporary file
 *                                      beside it (safefile.h) with
 *                                      journaling off, then rename(2) into
 *                                      place, so no half index is trusted.
 * Before any of that, the index path must be a file an index may replace
 * (hs_idx_path_ok, index_path.c), and temporary files of killed builds are
 * swept.
 *
 * The rows a parse writes (events, their handles, a tracer's totals, the
 * estimated durations) are index_write.c's; whether an index is trusted,
 * reused, refreshed or rebuilt, and the refresh, index_reuse.c's.
 */
#include "hsmscope/index.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hsmscope/correlate.h"
#include "hsmscope/detect.h"
#include "hsmscope/pipeline.h"
#include "hsmscope/reader.h"
#include "hsmscope/regex.h"
#include "hsmscope/safefile.h"
#include "hsmscope/version.h"
#include "core_id.h"          /* HS_CORE_ID, written by the Makefile */

#include "index_int.h"

#define STMT_CACHE 32           /* statements hs_index_stmt_give() keeps */

struct hs_index {
	sqlite3 *db;                /* owned */
	char *path;                 /* owned */
	struct hs_index_info info;  /* info.path points at path, info.tz at tz */
	char *tz;                   /* owned copy of opts.tz, NULL: unknown */
	struct hs_index_file *files; /* owned, nfiles entries, by id */
	int nfiles;
	/* what stops a running query (from the opts; see hs_index_should_stop) */
	volatile sig_atomic_t *interrupted; /* borrowed, may be NULL */
	int (*should_stop)(void *ctx);      /* borrowed, may be NULL */
	void *stop_ctx;                     /* passed to should_stop */
	struct hs_regex_hooks re_hooks; /* hs_regexp(): limits hit, stop polling */
	sqlite3_stmt *stmts[STMT_CACHE]; /* owned: statements given back, for reuse */
	int nstmts;
};

/* SQLite steps between two looks at the stop conditions: a filter scan
 * spends some tens of steps per row, so this is a look every few rows. */
#define STOP_POLL_STEPS 100

/* ------------------------------------------------------------ helpers */

static double now_s(void);

int hs_idx_exec(sqlite3 *db, const char *sql, struct hs_error *err, const char *path)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		hs_error_set(err, path, 0, 0, "index: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- inputs */

static int check_inputs(const char *const *paths, int npaths, struct input *in,
                        const struct hs_index_opts *o, struct hs_error *err)
{
	int i, good = 0;
	struct hs_error e;

	for (i = 0; i < npaths; i++) {
		in[i].path = paths[i];
		in[i].ok = 0;
		hs_error_clear(&e);
		if (hs_file_identify(paths[i], &in[i].id, &e) == 0 &&
		    hs_pipeline_detect(paths[i], &in[i].parser, &e) == 0) {
			in[i].ok = 1;
			good++;
			if (!realpath(paths[i], in[i].real))
				hs_strlcpy(in[i].real, paths[i], sizeof in[i].real);
			continue;
		}
		if (o->on_file_error)
			o->on_file_error(o->ctx, &e);
		if (!err->msg[0])
			*err = e;
	}
	if (good == npaths || (good > 0 && o->keep_going))
		return 0;
	if (npaths > 1 && good == 0)
		hs_error_set(err, "", 0, 0, "none of the %d files could be read", npaths);
	else if (npaths > 1) {
		hs_error_set(err, "", 0, 0, "%d of %d files could not be read; nothing was indexed",
		             npaths - good, npaths);
		hs_error_hint(err, "give --keep-going to load the others");
	}
	return -1;
}

/* ---------------------------------------------------------- build/reuse */

/* Secondary indexes, built once after the load (each is a full scan and a
 * sort). Only those a query needs to avoid a full scan per row, per node
 * or per keystroke are kept (docs/ENGINE.md, "Secondary indexes"):
 *   ev_func   func filters, counts and the per-function statistics
 *             (ORDER BY func, dur_us);
 *   ev_session_id  the session tree's per-login counts (no n range there);
 *   ev_offset the Raw pane's calls around a line (rawlines.c). Not on
 *             (file_id, offset): SQLite, with no statistics, takes an
 *             equality on file_id for a selective one and walked a whole
 *             file where n DESC LIMIT 1 was meant;
 *   links_n, anomalies_n   the per-row subqueries of every list page
 *             (partner, anomalies) and `%` partner jumps; event_keys and
 *             event_params need none: they are keyed by (n, i);
 *   keys_handle   key/object filters; the small tables' own.
 * Dropped: time, rv, session, user, hsm, the thread and the login/span
 * ids. Their queries either walk n in order and stop at LIMIT (list
 * pages, seeks), or carry an n range (the session tree), or scan anyway
 * (reports, counts); the rows are narrow now (no detail text), so such a
 * scan reads a fraction of what it read. */
static const char index_sql[] =
	"CREATE INDEX ev_func ON event_rows(func_id, dur_us);"
	"CREATE INDEX ev_session_id ON event_rows(session_id) WHERE session_id IS NOT NULL;"
	"CREATE INDEX ev_offset ON event_rows(offset);"
	"CREATE INDEX keys_handle ON event_keys(handle);"
	"CREATE INDEX links_n ON links(n);"
	"CREATE INDEX anomalies_n ON anomalies(n);"
	"CREATE INDEX anomalies_kind ON anomalies(kind);"
	"CREATE INDEX sessions_process ON sessions(process_id, slot);"
	"CREATE INDEX attributions_n ON attributions(n);";


struct progress {
	const struct hs_index_opts *o;
	struct writer *w;
	int64_t base, total;        /* bytes before this file, bytes of all files */
};

static void on_progress(void *ctx, int64_t offset)
{
	struct progress *p = ctx;

	p->o->on_progress(p->o->ctx, p->base + offset, p->total, p->w->next_n - 1);
}

/* The file's row after its parse: where a refresh starts and with what
 * state, its identity and counts. rc is the parse's; tail as parse_file's. */
static int store_file(struct writer *w, struct input *in, int file_id, int rc, int tail,
                      const struct hs_parse_stats *st, const struct hs_index_opts *o,
                      struct hs_error *err)
{
	sqlite3_stmt *up;
	int damaged = 0;

	if (w->failed) {
		hs_error_set(err, in->path, 0, 0, "index: %s", w->errmsg);
		return -1;
	}
	/* damaged data (a cut or corrupt compressed file, a read error): with
	 * --keep-going the events before it stay, the error is said, and the
	 * row's size of -1 makes the next open read the file again */
	if (rc < 0 && o->keep_going) {
		if (o->on_file_error)
			o->on_file_error(o->ctx, err);
		hs_error_clear(err);
		damaged = 1;
		rc = 0;
	}
	if (rc)
		return rc < 0 ? -1 : 1;
	if (hs_idx_writer_skips_store(w, file_id) < 0) {
		hs_error_set(err, in->path, 0, 0, "index: %s", w->errmsg);
		return -1;
	}
	/* the correlator's state as of the resume point, for the next refresh
	 * (a tail pass leaves the resume point, and so the state, where it was) */
	if (w->checkpoint && !tail &&
	    (damaged ? hs_corrstore_drop(w->db, file_id, err)
	             : hs_corrstore_checkpoint(w->cstore, w->corr, file_id, st->safe_offset, w->from_n, err)) < 0) {
		hs_strlcpy(err->file, in->path, sizeof err->file);
		return -1;
	}
	if (sqlite3_prepare_v2(w->db,
	        "INSERT OR REPLACE INTO files(id, path, format, size, mtime_ns, head_hash,"
	        " parsed_bytes, parsed_lines, parser_state, events, skipped, incomplete,"
	        " inode, ctime_ns, tail_hash)"
	        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
	        " CASE WHEN ?16 >= 0 THEN ?16 ELSE (SELECT count(*) FROM event_rows WHERE file_id = ?1) END,"
	        " ifnull((SELECT skipped FROM files WHERE id = ?1 AND ?12), 0) + ?10,"
	        " CASE WHEN ?17 >= 0 THEN ?17 ELSE"
	        " (SELECT count(*) FROM event_rows WHERE file_id = ?1 AND incomplete) END,"
	        " ?13, ?14, ?15)",
	        -1, &up, NULL) != SQLITE_OK) {
		hs_error_set(err, in->path, 0, 0, "index: %s", sqlite3_errmsg(w->db));
		return -1;
	}
	sqlite3_bind_int(up, 1, file_id);
	sqlite3_bind_text(up, 2, in->real, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 3, in->parser->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(up, 4, damaged ? -1 : in->id.size);
	sqlite3_bind_int64(up, 5, in->id.mtime_ns);
	sqlite3_bind_text(up, 6, in->id.head_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(up, 7, st->safe_offset);
	sqlite3_bind_int64(up, 8, st->safe_line);
	sqlite3_bind_text(up, 9, st->state ? st->state : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(up, 10, w->skipped);
	sqlite3_bind_int(up, 12, w->refreshing);
	sqlite3_bind_int64(up, 13, in->id.inode);
	sqlite3_bind_int64(up, 14, in->id.ctime_ns);
	sqlite3_bind_text(up, 15, in->id.tail_hash, -1, SQLITE_STATIC);
	/* a refresh knows its counts (what was kept plus what it wrote): no
	 * count(*) over the whole index */
	sqlite3_bind_int64(up, 16, w->base_events >= 0 ? w->base_events + w->events : -1);
	sqlite3_bind_int64(up, 17, w->base_events >= 0 ? w->base_incomplete + w->incomplete : -1);
	rc = sqlite3_step(up);
	sqlite3_finalize(up);
	if (rc != SQLITE_DONE) {
		hs_error_set(err, in->path, 0, 0, "index: %s", sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
}

/* Parse in from start into w. hold: keep an unterminated last line back
 * (*held = its bytes). tail: the pass that parses that line after all; the
 * resume point stays where the parse began, so the next refresh drops and
 * re-reads the line once it is whole. */
int hs_idx_parse_file(struct writer *w, struct input *in, int file_id, int64_t start,
                      int64_t start_line, const char *state, int hold, int tail,
                      int64_t *held, const struct hs_index_opts *o, struct hs_error *err)
{
	struct hs_pipeline_input pi;
	struct hs_sink sink = hs_idx_writer_sink(w);
	struct hs_parse_stats st;
	struct progress prog;
	int rc;

	memset(&pi, 0, sizeof pi);
	pi.path = in->path;
	pi.file_id = file_id;
	pi.parser = in->parser;
	pi.start_offset = start;
	pi.start_line = start_line;
	pi.resume_state = state;
	pi.hsm_name = o->hsm_name;
	pi.redact.data = o->redact_data;
	pi.interrupted = o->interrupted;
	pi.hold_partial = hold && !tail;
	if (o->on_progress) {
		prog.o = o;
		prog.w = w;
		prog.base = w->bytes_before;
		prog.total = w->bytes_total;
		pi.on_progress = on_progress;
		pi.progress_ctx = &prog;
	}
	w->call_trace = in->parser->call_trace;
	w->skipped = 0;
	hs_idx_writer_skips_reset(w);
	rc = hs_pipeline_run_threaded(&pi, &sink, &st, err);
	*held = st.held_bytes;
	if (tail) {
		st.safe_offset = start;
		st.safe_line = start_line;
		hs_parse_stats_free(&st); /* the state it had when the line was cut */
		st.state = state ? strdup(state) : NULL;
		w->skipped = 0; /* counted when the line is whole */
		hs_idx_writer_skips_reset(w);
	}
	hs_idx_writer_flush(w);
	rc = store_file(w, in, file_id, rc, tail, &st, o, err);
	hs_parse_stats_free(&st);
	return rc;
}


/* Renumber a multi-file index so that n follows time across files. */
static int merge_timeline(sqlite3 *db, struct hs_error *err, const char *path)
{
	return hs_idx_exec(db,
		"UPDATE event_rows SET dref = n;" /* the details stay filed under the old n */
		"CREATE TEMP TABLE nmap(old INTEGER PRIMARY KEY, new INTEGER);"
		"INSERT INTO nmap SELECT n, row_number() OVER"
		" (ORDER BY ts_us IS NULL, ts_us, file_id, n) FROM events;"
		"UPDATE event_rows SET n = -(SELECT new FROM nmap WHERE old = event_rows.n);"
		"UPDATE event_rows SET n = -n;"
		"UPDATE event_audit SET n = -(SELECT new FROM nmap WHERE old = event_audit.n);"
		"UPDATE event_audit SET n = -n;"
		/* keyed by (n, i): negated first, as events, so that no new key
		 * meets an old one */
		"UPDATE event_keys SET n = -(SELECT new FROM nmap WHERE old = event_keys.n);"
		"UPDATE event_keys SET n = -n;"
		"UPDATE event_param_rows SET n = -(SELECT new FROM nmap WHERE old = event_param_rows.n);"
		"UPDATE event_param_rows SET n = -n;"
		"UPDATE links SET n = (SELECT new FROM nmap WHERE old = links.n),"
		" peer = (SELECT new FROM nmap WHERE old = links.peer);"
		"UPDATE anomalies SET n = (SELECT new FROM nmap WHERE old = anomalies.n),"
		" ref = (SELECT new FROM nmap WHERE old = anomalies.ref);"
		"UPDATE sessions SET open_n = (SELECT new FROM nmap WHERE old = open_n),"
		" close_n = (SELECT new FROM nmap WHERE old = close_n);"
		"UPDATE logins SET login_n = (SELECT new FROM nmap WHERE old = login_n),"
		" logout_n = (SELECT new FROM nmap WHERE old = logout_n);"
		"UPDATE spans SET init_n = (SELECT new FROM nmap WHERE old = init_n),"
		" end_n = (SELECT new FROM nmap WHERE old = end_n);"
		"UPDATE objects SET created_n = (SELECT new FROM nmap WHERE old = created_n),"
		" destroyed_n = (SELECT new FROM nmap WHERE old = destroyed_n),"
		" found_n = (SELECT new FROM nmap WHERE old = found_n),"
		" last_n = (SELECT new FROM nmap WHERE old = last_n);"
		"UPDATE sessions SET first_n = (SELECT new FROM nmap WHERE old = first_n),"
		" last_n = (SELECT new FROM nmap WHERE old = last_n);"
		"UPDATE logins SET last_n = (SELECT new FROM nmap WHERE old = last_n);"
		"UPDATE spans SET last_n = (SELECT new FROM nmap WHERE old = last_n);"
		"UPDATE processes SET first_n = (SELECT new FROM nmap WHERE old = first_n),"
		" last_n = (SELECT new FROM nmap WHERE old = last_n),"
		" init_n = (SELECT new FROM nmap WHERE old = init_n),"
		" final_n = (SELECT new FROM nmap WHERE old = final_n);"
		"UPDATE streams SET first_n = (SELECT new FROM nmap WHERE old = first_n),"
		" last_n = (SELECT new FROM nmap WHERE old = last_n);"
		"UPDATE seq_gaps SET n = (SELECT new FROM nmap WHERE old = seq_gaps.n);"
		"UPDATE attributions SET n = (SELECT new FROM nmap WHERE old = attributions.n);"
		"DROP TABLE nmap;", err, path);
}

/* SQLite's progress handler of a live build: a cancel stops even one long
 * statement (CREATE INDEX over every event takes seconds). */
static int live_stop(void *ctx)
{
	struct hs_idx_live *l = ctx;

	return *l->cancel != 0;
}

/* Remove what SQLite keeps beside a temporary index in WAL mode. */
static void unlink_wal(const char *tmp)
{
	char p[PATH_MAX + 48];

	snprintf(p, sizeof p, "%s-wal", tmp);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", tmp);
	unlink(p);
}

/* Build the index of in into a temporary file renamed to ipath. live (may
 * be NULL): others read the temporary file while it is written — WAL mode,
 * a commit now and then (index_write.c), the hooks of index_int.h. */
static int build(const char *ipath, struct input *in, int npaths,
                 const struct hs_index_opts *o, struct hs_idx_live *live,
                 struct hs_index_info *info, struct hs_error *err)
{
	char tmp[PATH_MAX + 32];
	sqlite3 *db = NULL;
	struct writer w;
	int i, fd, rc = -1, nfiles = 0, nok = 0, early;
	int64_t held = 0;
	char sql[512];

	/* create it ourselves so it is private from the first byte; fd stays
	 * open (its lock says the file is in use) until it is renamed */
	fd = hs_safe_tmp_create(ipath, tmp, sizeof tmp, err);
	if (fd < 0) {
		hs_error_hint(err, "check the directory or give --index FILE");
		return -1;
	}
	/* one thread uses a connection: no mutex per call (serialized mode
	 * took a lock and unlock around every bind and step) */
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK) {
		hs_error_set(err, tmp, 0, 0, "cannot open the index: %s", sqlite3_errmsg(db));
		goto out;
	}
	/* a live build: no exclusive lock and a journal readers can share
	 * (the page size is set before WAL fixes it) */
	if (hs_idx_exec(db, live ? "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
	                    "PRAGMA cache_size=-16384; PRAGMA application_id=" APP_ID_SQL ";"
	                  : "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	                    "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-16384;"
	                    "PRAGMA page_size=8192; PRAGMA application_id=" APP_ID_SQL ";",
	         err, tmp) ||
	    hs_index_detail_register(db) != SQLITE_OK || /* the schema names it */
	    hs_idx_exec(db, hs_index_schema_sql(), err, tmp))
		goto out;
	if (live) {
		live->last_commit = now_s();
		sqlite3_progress_handler(db, 1000, live_stop, live);
		/* leaving WAL mode at the end needs the file alone: wait for a
		 * reader (sql.c's own connection) finishing its statement */
		sqlite3_busy_timeout(db, 5000);
		live->ready(live, tmp);
	}
	if (hs_idx_exec(db, "BEGIN", err, tmp))
		goto out;
	if (hs_idx_writer_prepare(&w, db, err, tmp) < 0) {
		hs_idx_writer_free(&w);
		goto out;
	}
	w.live = live;
	w.next_n = 1;
	w.checkpoint = npaths == 1; /* a merged set is rebuilt, never refreshed */
	for (i = 0; i < npaths; i++)
		if (in[i].ok) {
			w.bytes_total += in[i].id.size;
			nok++;
		}
	/* One file: the indexes are kept up during the load, by this thread
	 * while the parse thread is the slower of the two (it waits for the
	 * parse about half the time), instead of a full scan and sort each
	 * after it, while the parse thread would idle. Several files are
	 * renumbered after the load (merge_timeline): indexed after that. */
	early = nok == 1;
	if (early && hs_idx_exec(db, index_sql, err, tmp)) {
		hs_idx_writer_free(&w);
		goto out;
	}
	for (i = 0; i < npaths; i++) {
		if (!in[i].ok)
			continue;
		/* a merged set is rebuilt when it grows: only one file is held */
		rc = hs_idx_parse_file(&w, &in[i], i, 0, 1, NULL, npaths == 1, 0, &held, o, err);
		if (rc)
			break;
		w.bytes_before += in[i].id.size;
		nfiles++;
	}
	info->events = w.next_n - 1;
	if (live && !rc) {
		/* every event is readable before the long tail of the build (its
		 * detail too: the pending block is written first) */
		hs_index_detail_flush(w.det);
		hs_idx_live_commit(db, live, w.events);
		live->parsed(live);
	}
	if (!rc && hs_correlate_finish(w.corr, err) < 0)
		rc = -1;
	hs_idx_writer_free(&w);
	if (rc) {
		if (rc > 0)
			hs_error_set(err, ipath, 0, 0, "interrupted: no index written");
		rc = -1;
		goto out;
	}
	rc = -1;
	if (nfiles > 1 && merge_timeline(db, err, tmp))
		goto out;
	if (!early && hs_idx_exec(db, index_sql, err, tmp))
		goto out;
	snprintf(sql, sizeof sql,
	         "INSERT INTO meta VALUES('schema_version', '%d');"
	         "INSERT INTO meta VALUES('hsmscope_version', '" HS_VERSION "');"
	         "INSERT INTO meta VALUES('core_id', '" HS_CORE_ID "');"
	         "INSERT INTO meta VALUES('dur_method', 'time to the next call of the same"
	         " process and thread (upper bound, resolution of the log''s clock)');",
	         HS_INDEX_SCHEMA_VERSION);
	if (hs_idx_exec(db, sql, err, tmp) ||
	    (live && hs_idx_exec(db, "DELETE FROM meta WHERE key = '" HS_LIVE_ROWS_KEY "'", err, tmp)) ||
	    hs_idx_exec(db, "COMMIT", err, tmp))
		goto out;
	if (held > 0) {
		if (hs_idx_exec(db, "BEGIN", err, tmp))
			goto out;
		if (hs_idx_refresh_pass(db, &in[0], 0, 1, &held, o, err) != 0 || hs_idx_exec(db, "COMMIT", err, tmp)) {
			if (o->interrupted && *o->interrupted)
				hs_error_set(err, ipath, 0, 0, "interrupted: no index written");
			goto out;
		}
		info->events = 0; /* load_info() counts them */
	}
	if (live) {
		/* copy the WAL back while readers still read (cheap later), wait
		 * for them to close, then leave WAL mode: the index renamed into
		 * place is an ordinary one */
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (live->release(live) < 0) {
			hs_error_set(err, ipath, 0, 0, "interrupted: no index written");
			goto out;
		}
		live = NULL; /* no reader left: the WAL files go with the mode */
		if (hs_idx_exec(db, "PRAGMA journal_mode=DELETE", err, tmp))
			goto out;
	}
	rc = 0;
out:
	if (live && db) /* failed with readers open: no copy of the WAL on close */
		sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	if (sqlite3_close(db) != SQLITE_OK && rc == 0) {
		hs_error_set(err, tmp, 0, 0, "cannot finish the index");
		rc = -1;
	}
	if (rc == 0 && rename(tmp, ipath) != 0) {
		hs_error_set(err, ipath, 0, 0, "cannot move the index into place: %s", strerror(errno));
		rc = -1;
	}
	unlink_wal(tmp); /* whatever SQLite left of a live build */
	if (rc != 0) {
		unlink(tmp);
		/* name the index the user asked for, not a file that is gone */
		if (strncmp(err->file, tmp, sizeof err->file - 1) == 0)
			hs_strlcpy(err->file, ipath, sizeof err->file);
	}
	close(fd);
	return rc;
}

/* count_events: count the events (else info.events is already right: a
 * live build knows, and its caller waits for this open) */
static int load_info(struct hs_index *ix, int count_events)
{
	sqlite3_stmt *st;

	/* files.events, not count(*) over events: opening stays instant */
	if (sqlite3_prepare_v2(ix->db, "SELECT ifnull(sum(events), 0), count(*),"
	                               " sum(skipped), sum(incomplete) FROM files", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (count_events)
			ix->info.events = sqlite3_column_int64(st, 0);
		ix->info.files = sqlite3_column_int64(st, 1);
		ix->info.skipped = sqlite3_column_int64(st, 2);
		ix->info.incomplete = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(ix->db, "SELECT id, path, format, head_hash, events, skipped"
	                               " FROM files ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0);
		struct hs_index_file *f;
		if (id < 0 || id > 100000)
			continue;
		if (id >= ix->nfiles) {
			f = realloc(ix->files, (size_t)(id + 1) * sizeof *f);
			if (!f)
				break;
			memset(f + ix->nfiles, 0, (size_t)(id + 1 - ix->nfiles) * sizeof *f);
			ix->files = f;
			ix->nfiles = id + 1;
		}
		f = &ix->files[id];
		free(f->path);
		f->path = hs_strdup(sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		hs_strlcpy(f->format, sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "", sizeof f->format);
		hs_strlcpy(f->head_hash, sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "", sizeof f->head_hash);
		f->events = sqlite3_column_int64(st, 4);
		f->skipped = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return 0;
}

const struct hs_index_file *hs_index_file(const struct hs_index *ix, int id)
{
	if (id < 0 || id >= ix->nfiles || !ix->files[id].path)
		return NULL;
	return &ix->files[id];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Take lp, "<index>.lock" (0600). Another hsmscope building or
 * refreshing this index holds it: wait, so its work is reused instead of
 * done twice, or thrown away because its transaction looked like a broken
 * index. The holder removes the file when done (nothing is left behind,
 * even on Ctrl-C), so a lock taken on a file no longer at lp is stale and
 * taken again. Returns the fd for unlock_index(), or -1 when no lock can
 * be had (a read-only directory): then we go on unlocked, as before. 1 in
 * *stop when interrupted while waiting. */
static int lock_index(const char *lp, const struct hs_index_opts *o, double *waited, int *stop)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	struct stat held, now;
	double t0 = now_s();
	int fd;

	*stop = 0;
	for (;;) {
		fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -1;
		while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if ((errno != EWOULDBLOCK && errno != EINTR) ||
			    (o->interrupted && *o->interrupted)) {
				*stop = o->interrupted && *o->interrupted;
				close(fd);
				return -1;
			}
			nanosleep(&pause, NULL);
		}
		if (fstat(fd, &held) == 0 && stat(lp, &now) == 0 &&
		    held.st_ino == now.st_ino && held.st_dev == now.st_dev)
			break;
		close(fd); /* removed by the holder we waited for: take the new one */
	}
	*waited = now_s() - t0;
	return fd;
}

static void unlock_index(int fd, const char *lp)
{
	if (fd < 0)
		return;
	unlink(lp); /* while still held: see lock_index() */
	close(fd);
}

int hs_index_should_stop(struct hs_index *ix)
{
	/* the caller's own test first: the explorer takes a Ctrl-C meant
	 * for the running query off the flag before it reads as "quit" */
	if (ix->should_stop && ix->should_stop(ix->stop_ctx))
		return 1;
	return ix->interrupted && *ix->interrupted;
}

static int on_vm_progress(void *ctx) { return hs_index_should_stop(ctx); }

int hs_index_take_regex_limit(struct hs_index *ix)
{
	int hit = ix->re_hooks.limit_hit;

	ix->re_hooks.limit_hit = 0;
	return hit;
}

int hs_index_open(const char *const *paths, int npaths, const struct hs_index_opts *opts,
                  struct hs_index **out, struct hs_error *err)
{
	return hs_idx_open_live(paths, npaths, opts, NULL, out, err);
}

void hs_idx_set_stop(struct hs_index *ix, const struct hs_index_opts *o)
{
	ix->interrupted = o->interrupted;
	ix->should_stop = o->should_stop;
	ix->stop_ctx = o->ctx;
}

int hs_idx_open_reader(const char *tmp, const struct hs_index_opts *opts,
                       struct hs_index **out, struct hs_error *err)
{
	struct hs_index *ix = calloc(1, sizeof *ix);

	hs_error_clear(err);
	if (!ix || !(ix->path = hs_strdup(tmp))) {
		free(ix);
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	ix->info.path = ix->path;
	/* WAL: the builder's commits never lock this reader out; the busy
	 * timeout covers the moments SQLite itself takes the WAL index */
	if (sqlite3_open_v2(tmp, &ix->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK) {
		hs_error_set(err, tmp, 0, 0, "cannot read the index being built: %s",
		             sqlite3_errmsg(ix->db));
		goto fail;
	}
	sqlite3_busy_timeout(ix->db, 5000);
	ix->re_hooks.ctx = ix;
	if (hs_regex_register_hooks(ix->db, &ix->re_hooks) != SQLITE_OK ||
	    hs_index_detail_register(ix->db) != SQLITE_OK) { /* detail and text read through it */
		hs_error_set(err, tmp, 0, 0, "cannot register the regex and detail functions");
		goto fail;
	}
	if (opts->tz && !(ix->info.tz = ix->tz = hs_strdup(opts->tz))) {
		hs_error_set(err, "", 0, 0, "out of memory");
		goto fail;
	}
	hs_idx_set_stop(ix, opts);
	sqlite3_progress_handler(ix->db, STOP_POLL_STEPS, on_vm_progress, ix);
	ix->re_hooks.should_stop = on_vm_progress;
	*out = ix;
	return 0;
fail:
	hs_index_close(ix);
	return -1;
}

void hs_idx_reader_files(struct hs_index *ix, const char *const *paths, int npaths)
{
	char real[PATH_MAX];
	int i;

	if (ix->nfiles || npaths <= 0 || !(ix->files = calloc((size_t)npaths, sizeof *ix->files)))
		return;
	ix->nfiles = npaths;
	for (i = 0; i < npaths; i++)
		ix->files[i].path = hs_strdup(realpath(paths[i], real) ? real : paths[i]);
}

int hs_idx_open_live(const char *const *paths, int npaths, const struct hs_index_opts *opts,
                     struct hs_idx_live *live, struct hs_index **out, struct hs_error *err)
{
	struct hs_index_opts none;
	struct input *in = NULL;
	struct hs_index *ix = NULL;
	enum plan plan = PLAN_BUILD;
	double t0 = now_s();
	int grown = -1, i, lock = -1, stop;
	char lockpath[PATH_MAX + 8];

	hs_error_clear(err);
	if (!opts) {
		memset(&none, 0, sizeof none);
		opts = &none;
	}
	if (npaths <= 0) {
		hs_error_set(err, "", 0, 0, "no input files");
		return -1;
	}
	in = calloc((size_t)npaths, sizeof *in);
	ix = calloc(1, sizeof *ix);
	if (!in || !ix) {
		hs_error_set(err, "", 0, 0, "out of memory");
		goto fail;
	}
	if (check_inputs(paths, npaths, in, opts, err) < 0)
		goto fail;
	hs_error_clear(err);
	ix->path = opts->index_path ? hs_strdup(opts->index_path)
	                            : hs_index_default_path(paths, npaths, err);
	if (!ix->path)
		goto fail;
	ix->info.path = ix->path;
	if (hs_idx_path_ok(ix->path, paths, npaths, opts->index_path != NULL, err) < 0)
		goto fail;
	snprintf(lockpath, sizeof lockpath, "%s.lock", ix->path);
	lock = lock_index(lockpath, opts, &ix->info.waited_s, &stop);
	if (stop) {
		hs_error_set(err, ix->path, 0, 0, "interrupted while waiting for another hsmscope"
		             " indexing the same logs");
		goto fail;
	}
	hs_safe_tmp_sweep(ix->path); /* what killed builds left */

	if (!opts->rebuild && access(ix->path, F_OK) == 0) {
		if (sqlite3_open_v2(ix->path, &ix->db,
		                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | OPEN_NOFOLLOW,
		                    NULL) == SQLITE_OK) {
			sqlite3_busy_timeout(ix->db, 5000);
			/* quick_check reads the generated column events.detail */
			if (hs_index_detail_register(ix->db) == SQLITE_OK && hs_idx_trusted(ix->db, ix->path))
				plan = hs_idx_decide(ix->db, in, npaths, &grown);
			if (plan == PLAN_REUSE && !hs_idx_pages_ok(ix->db, ix->path))
				plan = PLAN_BUILD;
		}
		if (plan == PLAN_REFRESH) {
			int rrc = hs_idx_refresh(ix->db, &in[grown], grown, opts, live != NULL, &ix->info, err);
			if (live) /* the reader's cache again (see refresh) */
				sqlite3_exec(ix->db, "PRAGMA cache_size=-2000; PRAGMA cache_spill=1", NULL, NULL, NULL);
			if (rrc < 0) {
				if (opts->interrupted && *opts->interrupted)
					goto fail;
				plan = PLAN_BUILD; /* anything odd: start over */
				hs_error_clear(err);
			} else {
				ix->info.refreshed = 1;
			}
		}
		if (plan == PLAN_BUILD) {
			sqlite3_close(ix->db);
			ix->db = NULL;
		}
	}
	if (plan == PLAN_BUILD) {
		if (build(ix->path, in, npaths, opts, live, &ix->info, err) < 0)
			goto fail;
		for (i = 0; i < npaths; i++)
			if (in[i].ok)
				ix->info.parsed_bytes += in[i].id.size;
		if (sqlite3_open_v2(ix->path, &ix->db,
		                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | OPEN_NOFOLLOW,
		                    NULL) != SQLITE_OK) {
			hs_error_set(err, ix->path, 0, 0, "cannot open the index: %s", sqlite3_errmsg(ix->db));
			goto fail;
		}
		sqlite3_busy_timeout(ix->db, 5000);
	}
	ix->info.reused = plan == PLAN_REUSE;
	chmod(ix->path, 0600);
	ix->re_hooks.ctx = ix;
	if (hs_regex_register_hooks(ix->db, &ix->re_hooks) != SQLITE_OK ||
	    hs_index_detail_register(ix->db) != SQLITE_OK) {
		hs_error_set(err, ix->path, 0, 0, "cannot register the regex function");
		goto fail;
	}
	load_info(ix, !(live && plan == PLAN_BUILD && ix->info.events > 0));
	if (opts->tz && !(ix->info.tz = ix->tz = hs_strdup(opts->tz))) {
		hs_error_set(err, "", 0, 0, "out of memory");
		goto fail;
	}
	ix->interrupted = opts->interrupted;
	ix->should_stop = opts->should_stop;
	ix->stop_ctx = opts->ctx;
	sqlite3_progress_handler(ix->db, STOP_POLL_STEPS, on_vm_progress, ix);
	ix->re_hooks.should_stop = on_vm_progress; /* inside one long match too */
	ix->info.seconds = now_s() - t0;
	unlock_index(lock, lockpath);
	free(in);
	*out = ix;
	return 0;
fail:
	unlock_index(lock, lockpath);
	free(in);
	hs_index_close(ix);
	return -1;
}

void hs_index_close(struct hs_index *ix)
{
	if (!ix)
		return;
	int i;

	while (ix->nstmts)
		sqlite3_finalize(ix->stmts[--ix->nstmts]);
	sqlite3_close(ix->db);
	for (i = 0; i < ix->nfiles; i++)
		free(ix->files[i].path);
	free(ix->files);
	free(ix->path);
	free(ix->tz);
	free(ix);
}

struct sqlite3 *hs_index_db(struct hs_index *ix) { return ix->db; }

/* Preparing a statement over the events view plans its joins each time;
 * the session tree opens a cursor per node, each with the same few
 * statements, so they are kept and handed out again. */
int hs_index_stmt_take(struct hs_index *ix, const char *sql, struct sqlite3_stmt **st)
{
	int i;

	for (i = ix->nstmts - 1; i >= 0; i--)
		if (strcmp(sqlite3_sql(ix->stmts[i]), sql) == 0) {
			*st = ix->stmts[i];
			ix->stmts[i] = ix->stmts[--ix->nstmts];
			sqlite3_clear_bindings(*st);
			return SQLITE_OK;
		}
	return sqlite3_prepare_v2(ix->db, sql, -1, st, NULL);
}

void hs_index_stmt_give(struct hs_index *ix, struct sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	if (ix->nstmts == STMT_CACHE)
		sqlite3_finalize(ix->stmts[--ix->nstmts]); /* the oldest stays: a simple bound */
	ix->stmts[ix->nstmts++] = st;
}

const struct hs_index_info *hs_index_info(const struct hs_index *ix) { return &ix->info; }
