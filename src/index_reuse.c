/* index_reuse.c — whether an index on disk can be reused as it is,
 * refreshed (its one log only grew) or must be rebuilt, and the refresh
 * itself: the stored tail from the resume point on is dropped (by key
 * ranges when the correlator's state was saved, corrstore.h), the new
 * part parsed, in one transaction committed without a flush under a boot
 * tag (docs/ENGINE.md, "Durability of a refresh"). index.c opens, builds
 * and calls these; index_int.h declares them.
 */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hsmscope/index.h"
#include "hsmscope/reader.h"
#include "hsmscope/version.h"
#include "core_id.h"          /* HS_CORE_ID, written by the Makefile */

#include "index_int.h"

/* Run sql, a DELETE of file ?1's rows from byte offset ?2 on. 0, or -1. */
static int drop_tail(sqlite3 *db, const char *sql, int file_id, int64_t start)
{
	sqlite3_stmt *del;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &del, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(del, 1, file_id);
	sqlite3_bind_int64(del, 2, start);
	rc = sqlite3_step(del) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(del);
	return rc;
}

/* A refresh in place commits without flushing to the disk (synchronous=OFF,
 * see docs/ENGINE.md "Durability of a refresh"): a process killed at any
 * point leaves SQLite's journal, which rolls the refresh back; only an OS
 * crash or power loss can lose those writes, and that is a new boot. So the
 * index says, in its header's user_version, the boot under which it may
 * have been written without a flush — written durably (by a flushed
 * commit) before the first unflushed one of that boot. An index that says
 * another boot is not trusted: rebuilt. 0: nothing unflushed (a build, or
 * no boot id known: every refresh is flushed). */
static int32_t boot_tag(void)
{
	char id[64];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	uint32_t h = 2166136261u;
	size_t n, i;

	if (!f)
		return 0;
	n = fread(id, 1, sizeof id, f);
	fclose(f);
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)id[i]) * 16777619u;
	h &= 0x7fffffff;
	return n >= 32 ? (int32_t)(h ? h : 1) : 0;
}

static int32_t user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int32_t v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The stored tail of file_id from the resume point on is dropped, and
 * numbering goes on after what is kept (n must not depend on where an
 * earlier run stopped). With the correlator's state saved at that point
 * (corrstore.h) everything is done by key ranges; without, the old way:
 * scans by offset and a replay of every stored event. 0, or -1. */
static int drop_tail_rows(sqlite3 *db, struct writer *w, int file_id, int64_t start,
                          int64_t *maxn, struct hs_error *err)
{
	struct hs_corrstate_info info;
	sqlite3_stmt *st;
	int64_t events = -1, incomplete = 0, gone = 0, gone_inc = 0;

	if (sqlite3_prepare_v2(db, "SELECT events, incomplete FROM files WHERE id = ?1", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, file_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			events = sqlite3_column_int64(st, 0);
			incomplete = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	if (events >= 0 && hs_corrstore_load(db, file_id, start, w->corr, &info) == 0) {
		if (sqlite3_prepare_v2(db, "SELECT count(*), ifnull(sum(incomplete != 0), 0) FROM event_rows"
		                           " WHERE n > ?1", -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_int64(st, 1, info.kept_n);
		if (sqlite3_step(st) == SQLITE_ROW) {
			gone = sqlite3_column_int64(st, 0);
			gone_inc = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		if (drop_tail(db, "DELETE FROM event_keys WHERE n > ?2 AND ?1 = ?1", file_id, info.kept_n) ||
		    drop_tail(db, "DELETE FROM event_param_rows WHERE n > ?2 AND ?1 = ?1", file_id, info.kept_n) ||
		    drop_tail(db, "DELETE FROM event_audit WHERE n > ?2 AND ?1 = ?1", file_id, info.kept_n) ||
		    drop_tail(db, "DELETE FROM event_rows WHERE n > ?2 AND ?1 = ?1", file_id, info.kept_n) ||
		    drop_tail(db, "DELETE FROM tracer_stats WHERE file_id = ?1 AND offset >= ?2", file_id, start) ||
		    hs_corrstore_rewind(w->cstore, w->corr, &info, err) < 0)
			return -1;
		*maxn = info.kept_n;
		w->from_n = info.kept_n;
		w->base_events = events - gone;
		w->base_incomplete = incomplete - gone_inc;
		return 0;
	}
	/* the unfinished tail of the last run is parsed again (keys first:
	 * they are found through their events) */
	if (drop_tail(db, "DELETE FROM event_keys WHERE n IN (SELECT n FROM event_rows"
	                  " WHERE file_id = ?1 AND offset >= ?2)", file_id, start) ||
	    drop_tail(db, "DELETE FROM event_param_rows WHERE n IN (SELECT n FROM event_rows"
	                  " WHERE file_id = ?1 AND offset >= ?2)", file_id, start) ||
	    drop_tail(db, "DELETE FROM event_audit WHERE n IN (SELECT n FROM event_rows"
	                  " WHERE file_id = ?1 AND offset >= ?2)", file_id, start) ||
	    drop_tail(db, "DELETE FROM event_rows WHERE file_id = ?1 AND offset >= ?2", file_id, start) ||
	    drop_tail(db, "DELETE FROM tracer_stats WHERE file_id = ?1 AND offset >= ?2", file_id, start))
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT ifnull(max(n), 0) FROM event_rows", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		*maxn = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (hs_corrstore_replay(db, w->corr, 0, -1, err) < 0 ||
	    hs_corrstore_forget_replayed(w->cstore, w->corr, err) < 0)
		return -1;
	return 0;
}

/* The end of the last whole line of the file's first size bytes (the part
 * the run before a refresh read; an unfinished last line was not counted,
 * see hs_idx_parse_file's tail pass), found by reading back from size; from
 * when the answer is not known (size unknown, read error). */
static int64_t whole_lines_end(const char *path, int64_t from, int64_t size)
{
	char buf[4096];
	int64_t at = size, base;
	size_t k;
	FILE *f;

	if (size <= from || !(f = fopen(path, "rb")))
		return from;
	while (at > from) {
		k = at - from < (int64_t)sizeof buf ? (size_t)(at - from) : sizeof buf;
		base = at - (int64_t)k;
		if (fseeko(f, (off_t)base, SEEK_SET) != 0 || fread(buf, 1, k, f) != k)
			break;
		while (k > 0 && buf[k - 1] != '\n')
			k--;
		if (k > 0) {
			fclose(f);
			return base + (int64_t)k;
		}
		at = base;
	}
	fclose(f);
	return from;
}

/* One parse of file_id from its resume point, inside the caller's
 * transaction: drop what was stored from there on, number on from what is
 * kept, bring correlation to that point, parse. tail: see hs_idx_parse_file(). 0,
 * 1 when interrupted, -1 on error (err set). */
int hs_idx_refresh_pass(sqlite3 *db, struct input *in, int file_id, int tail, int64_t *held,
                        const struct hs_index_opts *o, struct hs_error *err)
{
	sqlite3_stmt *st;
	int64_t start = 0, line = 1, maxn = 0, old_size = -1;
	char *state = NULL;         /* the parser's resume state: any length (pbase.h) */
	struct writer w;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT parsed_bytes, parsed_lines, parser_state, size"
	                           " FROM files WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto fail0;
	sqlite3_bind_int(st, 1, file_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		start = sqlite3_column_int64(st, 0);
		line = sqlite3_column_int64(st, 1);
		old_size = sqlite3_column_int64(st, 3);
		if (sqlite3_column_text(st, 2) && *sqlite3_column_text(st, 2) &&
		    !(state = strdup((const char *)sqlite3_column_text(st, 2)))) {
			sqlite3_finalize(st);
			hs_error_set(err, in->path, 0, 0, "out of memory");
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (hs_idx_writer_prepare(&w, db, err, in->path) < 0)
		goto fail;
	w.base_events = -1;
	if (drop_tail_rows(db, &w, file_id, start, &maxn, err) < 0)
		goto fail;
	if (hs_index_detail_truncate(db, maxn) < 0)
		goto fail;
	if (sqlite3_prepare_v2(db, "SELECT n, ts_us, EXISTS(SELECT 1 FROM events f"
	                           " WHERE f.func = 'C_Finalize' AND f.file_id = ?1"
	                           " AND f.instance = ?2 AND f.n >= e.n)"
	                           " FROM events e WHERE file_id = ?1 AND instance = ?2"
	                           " AND tid IS ?3 ORDER BY n DESC LIMIT 1", -1, &w.prev, NULL) ||
	    sqlite3_prepare_v2(db, "UPDATE event_rows SET dur_us = ?1, dur_exact = 0 WHERE n = ?2"
	                           " AND dur_us IS NULL", -1, &w.set_dur, NULL))
		goto fail;
	w.refreshing = 1;
	w.skips_from = whole_lines_end(in->path, start, old_size);
	w.checkpoint = 1;
	w.next_n = maxn + 1;
	w.bytes_before = -start; /* progress counts from the resume point */
	w.bytes_total = in->id.size - start;
	rc = hs_idx_parse_file(&w, in, file_id, start, line, state, 1, tail, held, o, err);
	if (!rc && (hs_correlate_finish(w.corr, err) < 0 || hs_corrstore_finished(w.cstore, err) < 0))
		rc = -1;
	hs_idx_writer_free(&w);
	free(state);
	return rc;
fail:
	hs_idx_writer_free(&w);
fail0:
	free(state);
	if (!err->msg[0])
		hs_error_set(err, in->path, 0, 0, "index: %s", sqlite3_errmsg(db));
	return -1;
}

/* The log only grew: parse its new part, and an unterminated last line
 * in a second pass (see parse_file), in one transaction. */
int hs_idx_refresh(sqlite3 *db, struct input *in, int file_id, const struct hs_index_opts *o,
                   int background, struct hs_index_info *info, struct hs_error *err)
{
	int64_t held = 0, start = 0;
	sqlite3_stmt *st;
	int rc, unflushed;
	int32_t tag;

	/* in the background (the explorer keeps reading the index through its
	 * own connection): written pages stay in memory up to 64 MiB instead
	 * of spilling into the file, which would lock readers out until the
	 * commit; past that SQLite spills as usual */
	if (background && hs_idx_exec(db, "PRAGMA cache_size=-65536; PRAGMA cache_spill=8192", err, in->path))
		return -1;
	/* no flush when this boot's tag is already durable in the header;
	 * else this commit is flushed and makes it so (see boot_tag()) */
	tag = boot_tag();
	unflushed = tag != 0 && user_version(db) == tag;
	if (unflushed && hs_idx_exec(db, "PRAGMA synchronous=OFF", err, in->path))
		return -1;
	if (hs_idx_exec(db, "BEGIN IMMEDIATE", err, in->path))
		goto fail;
	if (!unflushed && tag != 0) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version=%ld", (long)tag);
		if (hs_idx_exec(db, sql, err, in->path)) {
			hs_idx_exec(db, "ROLLBACK", NULL, NULL);
			goto fail;
		}
	}
	if (sqlite3_prepare_v2(db, "SELECT parsed_bytes FROM files WHERE id = ?1", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, file_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			start = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	rc = hs_idx_refresh_pass(db, in, file_id, 0, &held, o, err);
	if (!rc && held > 0)
		rc = hs_idx_refresh_pass(db, in, file_id, 1, &held, o, err);
	info->parsed_bytes = in->id.size - start;
	if (rc) {
		if (rc > 0)
			hs_error_set(err, in->path, 0, 0, "interrupted: index left as it was");
		hs_idx_exec(db, "ROLLBACK", NULL, NULL);
		goto fail;
	}
	if (hs_idx_exec(db, "COMMIT", err, in->path)) {
		hs_idx_exec(db, "ROLLBACK", NULL, NULL);
		goto fail;
	}
	if (unflushed)
		hs_idx_exec(db, "PRAGMA synchronous=FULL", NULL, NULL);
	return 0;
fail:
	if (unflushed)
		hs_idx_exec(db, "PRAGMA synchronous=FULL", NULL, NULL);
	return -1;
}

#define QUICK_CHECK_MAX (8 << 20) /* bytes of index checked page by page on reuse */

/* Is the file at path, opened as db, an index we wrote and whole? Never
 * trust what is there: a truncated copy, a foreign SQLite file or garbage
 * is rebuilt. The schema version and the size SQLite's header promises
 * are checked always (cheap); small indexes reused as they are get
 * PRAGMA quick_check too (pages_ok()) — on a big one that reads every page (6 s for 450 MB) and would break the
 * promise that reopening is instant, so there a damaged page shows up as
 * an error of the query that reads it, whose hint says --rebuild. */
int hs_idx_trusted(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	struct stat sb;
	int64_t pages = 0, page_size = 0;
	int ok = 0;

	if (stat(path, &sb) != 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT (SELECT value FROM meta WHERE key = 'schema_version'),"
	                           " (SELECT page_count FROM pragma_page_count()),"
	                           " (SELECT page_size FROM pragma_page_size()),"
	                           " (SELECT value FROM meta WHERE key = 'hsmscope_version'),"
	                           " (SELECT value FROM meta WHERE key = 'core_id')",
	                       -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 3);
		const char *core = (const char *)sqlite3_column_text(st, 4);
		ok = sqlite3_column_int(st, 0) == HS_INDEX_SCHEMA_VERSION && v && strcmp(v, HS_VERSION) == 0 &&
		     core && strcmp(core, HS_CORE_ID) == 0;
		pages = sqlite3_column_int64(st, 1);
		page_size = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (!ok || pages <= 0 || pages * page_size > (int64_t)sb.st_size)
		return 0;
	return ok;
}

/* PRAGMA quick_check of a small index that is reused as it is (see
 * trusted()). Not before a refresh: its cost grows with the index, and a
 * damaged page the refresh meets fails it (then the index is rebuilt),
 * one it does not is said by the query that meets it, as on a big index. */
int hs_idx_pages_ok(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	struct stat sb;
	int ok = 0;

	if (stat(path, &sb) != 0)
		return 0;
	if (sb.st_size > QUICK_CHECK_MAX)
		return 1;
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_text(st, 0) && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}

/* Did the log only grow since it was indexed at old_size? The same inode,
 * and the same bytes at the start and just before the old end: a file
 * truncated and written again past its old size is another log. */
static int only_grew(const struct input *in, int64_t old_size, const char *head_hash,
                     const char *tail_hash)
{
	char h[17];
	struct hs_error e;
	int64_t head = old_size < 65536 ? old_size : 65536;
	int64_t tail = old_size < HS_FILE_TAIL ? old_size : HS_FILE_TAIL;

	return hs_file_hash_range(in->path, 0, head, h, &e) == 0 && strcmp(h, head_hash) == 0 &&
	       hs_file_hash_range(in->path, old_size - tail, tail, h, &e) == 0 &&
	       strcmp(h, tail_hash) == 0;
}

/* Compare the index's files table with the inputs. A log is the same when
 * its size, mtime, inode, ctime (which no one can set back) and the hashes
 * of its head and tail are; it only grew when only_grew() says so. */
enum plan hs_idx_decide(sqlite3 *db, struct input *in, int npaths, int *grown)
{
	sqlite3_stmt *st;
	int rows = 0, changed = 0, ok = 1;
	int32_t v;

	*grown = -1;
	v = user_version(db);
	if (v != 0 && v != boot_tag())
		return PLAN_BUILD; /* refreshed without a flush before a reboot: writes may be lost */
	if (sqlite3_prepare_v2(db, "SELECT (SELECT value FROM meta WHERE key='schema_version'),"
	                           " id, path, format, size, mtime_ns, head_hash, inode, ctime_ns,"
	                           " tail_hash FROM files ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return PLAN_BUILD;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 1);
		const char *path = (const char *)sqlite3_column_text(st, 2);
		const char *fmt = (const char *)sqlite3_column_text(st, 3);
		int64_t size = sqlite3_column_int64(st, 4), mtime = sqlite3_column_int64(st, 5);
		const char *hh = (const char *)sqlite3_column_text(st, 6);
		int64_t inode = sqlite3_column_int64(st, 7), ctime = sqlite3_column_int64(st, 8);
		const char *th = (const char *)sqlite3_column_text(st, 9);

		if (sqlite3_column_int(st, 0) != HS_INDEX_SCHEMA_VERSION || id < 0 || id >= npaths ||
		    !in[id].ok || !path || strcmp(path, in[id].real) || !fmt ||
		    strcmp(fmt, in[id].parser->name) || !hh || !th) {
			ok = 0;
			break;
		}
		rows++;
		if (size == in[id].id.size && mtime == in[id].id.mtime_ns &&
		    inode == in[id].id.inode && ctime == in[id].id.ctime_ns &&
		    strcmp(hh, in[id].id.head_hash) == 0 && strcmp(th, in[id].id.tail_hash) == 0)
			continue;
		/* a compressed file cannot be read from the middle: rebuilt */
		if (in[id].id.size > size && in[id].id.codec == 0 && inode == in[id].id.inode &&
		    only_grew(&in[id], size, hh, th)) {
			changed++;
			*grown = id;
		} else {
			ok = 0;
			break;
		}
	}
	sqlite3_finalize(st);
	{
		int i, want = 0;
		for (i = 0; i < npaths; i++)
			want += in[i].ok;
		if (rows != want)
			ok = 0;
	}
	if (!ok)
		return PLAN_BUILD;
	if (changed == 0)
		return PLAN_REUSE;
	/* one file that grew, in a one-file index: parse only its new part;
	 * in a merged set the new events would break time order, so rebuild */
	return (changed == 1 && npaths == 1) ? PLAN_REFRESH : PLAN_BUILD;
}
