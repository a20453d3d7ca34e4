/* correlate_store_state.c — the correlator's saved state in the index
 * (corrstore.h): the live state noted now and then during a run, saved in
 * hashed chunks at the resume point of the parse, loaded and checked by a
 * refresh, and what a refresh rewinds (see correlate_store.c's head for
 * the whole design).
 */
#include "hsmscope/corrstore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/index.h"
#include "corrstore_int.h"

void hs_corrstore_note(struct hs_corrstore *s, const struct hs_correlator *c, int64_t n,
                       int64_t offset)
{
	struct note *e = &s->ring[s->noted % RING];

	/* now and then the live state, so that a checkpoint whose resume point
	 * falls before the last events replays a few thousand events, not the
	 * run (the older of two is kept: the ring reaches back past the newer).
	 * Spaced by the state's size, so that saving it stays a small part. */
	if (c && s->noted == s->next_snap) {
		int k = s->snap_n[0] <= s->snap_n[1] ? 0 : 1;
		s->snap[k].len = 0;
		s->snap_n[k] = hs_correlate_save(c, 0, &s->snap[k]) == 0 ? n - 1 : -1;
		if (s->snap[k].len > SNAP_BIG) { /* memory: one big snapshot only */
			hs_buf_free(&s->snap[1 - k]);
			s->snap_n[1 - k] = -1;
		}
		s->next_snap = s->noted + (int64_t)(s->snap[k].len / 256 > SNAP_EVERY ? s->snap[k].len / 256
		                                                                     : SNAP_EVERY);
	}

	if (s->noted >= RING && e->offset > s->evicted_max)
		s->evicted_max = e->offset;
	e->n = n;
	e->offset = offset;
	memcpy(e->marks, s->marks, sizeof e->marks);
	s->noted++;
}

/* ---------------------------------------------------------------- helpers */

static int exec(sqlite3 *db, const char *sql, struct hs_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	hs_error_set(err, "", 0, 0, "index: %s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* The one integer sql answers with ?1 bound to a, or dflt (no row, NULL). */
static int64_t one_i64(sqlite3 *db, const char *sql, int64_t a, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ------------------------------------------------------------- the state */

/* The state is stored in chunks of CHUNK bytes (corr_chunks), each with a
 * hash in the manifest (corr_state.state): a refresh rewrites only the
 * chunks that changed (most of a big state is processes that did not),
 * and damage is found before the state is parsed. */
static uint64_t chunk_hash(const unsigned char *p, size_t n)
{
	return hs_hash64_run(p, n, 0); /* a state from a build whose hash differs is
	                                   found damaged and replayed, never misread */
}

struct manifest {
	uint64_t len;               /* bytes of state */
	uint32_t n;                 /* chunks */
	const unsigned char *hash;  /* n 8-byte hashes, in the manifest's blob */
};

static int manifest_read(const void *blob, size_t len, struct manifest *m)
{
	const unsigned char *p = blob;
	uint32_t chunk;

	if (!blob || len < 24 || memcmp(p, MANIFEST_MAGIC, 8))
		return -1;
	memcpy(&m->len, p + 8, 8);
	memcpy(&chunk, p + 16, 4);
	memcpy(&m->n, p + 20, 4);
	m->hash = p + 24;
	if (chunk != CHUNK || m->len > STATE_MAX || m->n != (m->len + CHUNK - 1) / CHUNK ||
	    len != 24 + (size_t)m->n * 8)
		return -1;
	return 0;
}

static uint64_t manifest_hash(const struct manifest *m, uint32_t k)
{
	uint64_t h;

	memcpy(&h, m->hash + (size_t)k * 8, 8);
	return h;
}

/* The chunks of file_id, checked against m, into c's state. */
static int load_chunks(sqlite3 *db, int file_id, const struct manifest *m, struct hs_correlator *c)
{
	sqlite3_stmt *st;
	unsigned char *raw = malloc(m->len ? (size_t)m->len : 1);
	uint32_t k = 0;
	int rc = -1;

	if (!raw)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT k, data FROM corr_chunks WHERE file_id = ?1 ORDER BY k", -1,
	                       &st, NULL) != SQLITE_OK) {
		free(raw);
		return -1;
	}
	sqlite3_bind_int(st, 1, file_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t want;
		const void *d = sqlite3_column_blob(st, 1);
		if (k >= m->n)
			goto out;
		want = k + 1 < m->n ? CHUNK : (size_t)(m->len - (uint64_t)k * CHUNK);
		if (sqlite3_column_int64(st, 0) != k || (size_t)sqlite3_column_bytes(st, 1) != want ||
		    (want && !d) || chunk_hash(d, want) != manifest_hash(m, k))
			goto out;
		memcpy(raw + (size_t)k * CHUNK, d, want);
		k++;
	}
	if (k == m->n)
		rc = hs_correlate_load(c, raw, (size_t)m->len);
out:
	sqlite3_finalize(st);
	free(raw);
	return rc;
}

int hs_corrstore_load(struct sqlite3 *db, int file_id, int64_t resume_offset,
                      struct hs_correlator *c, struct hs_corrstate_info *info)
{
	sqlite3_stmt *st;
	int rc = -1, i;

	memset(info, 0, sizeof *info);
	if (sqlite3_prepare_v2(db, "SELECT resume_offset, kept_n, anomalies_rowid, links_rowid,"
	                           " gaps_rowid, attrs_rowid, state FROM corr_state WHERE file_id = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1; /* an index from before the table: replayed */
	sqlite3_bind_int(st, 1, file_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 6) == SQLITE_BLOB) {
		info->file_id = file_id;
		info->resume_offset = sqlite3_column_int64(st, 0);
		info->kept_n = sqlite3_column_int64(st, 1);
		for (i = 0; i < HS_CSMARK_COUNT; i++)
			info->marks[i] = sqlite3_column_int64(st, 2 + i);
		struct manifest m;
		if ((resume_offset < 0 || info->resume_offset == resume_offset) && info->kept_n >= 0 &&
		    manifest_read(sqlite3_column_blob(st, 6), (size_t)sqlite3_column_bytes(st, 6), &m) == 0)
			rc = load_chunks(db, file_id, &m, c);
	}
	sqlite3_finalize(st);
	if (rc < 0) {
		/* a state that does not load is forgotten, so that the next save
		 * writes every chunk again instead of trusting damaged ones */
		struct hs_error e;
		hs_corrstore_drop(db, file_id, &e);
		return -1;
	}
	if (resume_offset < 0)
		return 0;
	/* the events must be where the state says: kept_n stored, before the
	 * resume point, and the event after it (if any) at or past it */
	if ((info->kept_n > 0 &&
	     one_i64(db, "SELECT offset FROM events WHERE n = ?1", info->kept_n, INT64_MAX) >=
	         resume_offset) ||
	    one_i64(db, "SELECT offset FROM events WHERE n = ?1", info->kept_n + 1, INT64_MAX) <
	        resume_offset ||
	    one_i64(db, "SELECT file_id FROM events WHERE n = ?1", info->kept_n, file_id) != file_id) {
		hs_correlate_load(c, NULL, 0); /* fresh again */
		return -1;
	}
	return 0;
}

int hs_corrstore_rewind(struct hs_corrstore *s, const struct hs_correlator *c,
                        const struct hs_corrstate_info *info, struct hs_error *err)
{
	static const struct {
		const char *table;
		enum hs_corr_kind kind;
	} ids[] = {
		{ "sessions", HS_CROW_SESSION }, { "logins", HS_CROW_LOGIN }, { "spans", HS_CROW_SPAN },
		{ "objects", HS_CROW_OBJECT }, { "processes", HS_CROW_PROCESS },
		{ "streams", HS_CROW_STREAM },
	};
	char sql[160];
	size_t i;

	for (i = 0; i < HS_CSMARK_COUNT; i++) {
		/* the at_end anomalies stay: hs_corrstore_finished() keeps those
		 * finish() emits again and drops the others */
		snprintf(sql, sizeof sql, "DELETE FROM %s WHERE rowid > %lld AND rowid < %lld",
		         mark_table[i], (long long)info->marks[i], (long long)AT_END_BASE);
		if (exec(s->db, sql, err) < 0)
			return -1;
	}
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id >= %lld", ids[i].table,
		         (long long)hs_correlate_next_id(c, ids[i].kind));
		if (exec(s->db, sql, err) < 0)
			return -1;
	}
	if (hs_cs_read_marks(s) < 0) {
		hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Write the state: the chunks whose hash changed, then the manifest. */
static int save(sqlite3 *db, const struct hs_corrstate_info *info, const struct hs_buf *blob,
                struct hs_error *err)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	struct manifest old = { 0, 0, NULL };
	struct hs_buf man;
	uint32_t n = (uint32_t)((blob->len + CHUNK - 1) / CHUNK), k, chunk = CHUNK;
	uint64_t len = blob->len;
	int i, rc = -1, have_old = 0;

	if (blob->len > STATE_MAX) /* not kept: the next refresh replays */
		return hs_corrstore_drop(db, info->file_id, err);
	if (exec(db, hs_index_corr_state_sql(), err) < 0)
		return -1;
	hs_buf_init(&man);
	if (hs_buf_add(&man, MANIFEST_MAGIC, 8) || hs_buf_add(&man, (const char *)&len, 8) ||
	    hs_buf_add(&man, (const char *)&chunk, 4) || hs_buf_add(&man, (const char *)&n, 4))
		goto oom;
	if (sqlite3_prepare_v2(db, "SELECT state FROM corr_state WHERE file_id = ?1", -1, &st, NULL) !=
	        SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO corr_chunks(file_id, k, data) VALUES(?1,?2,?3)",
	                       -1, &ins, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int(st, 1, info->file_id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    manifest_read(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &old) == 0)
		have_old = 1;
	for (k = 0; k < n; k++) {
		size_t l = k + 1 < n ? CHUNK : blob->len - (size_t)k * CHUNK;
		uint64_t h = chunk_hash((const unsigned char *)blob->data + (size_t)k * CHUNK, l);
		if (hs_buf_add(&man, (const char *)&h, 8))
			goto oom;
		if (have_old && k < old.n && manifest_hash(&old, k) == h &&
		    (k + 1 < old.n ? CHUNK : old.len - (uint64_t)k * CHUNK) == l)
			continue; /* stored as it is */
		sqlite3_reset(ins);
		sqlite3_bind_int(ins, 1, info->file_id);
		sqlite3_bind_int64(ins, 2, k);
		sqlite3_bind_blob(ins, 3, blob->data + (size_t)k * CHUNK, (int)l, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto sqlfail;
	}
	/* old's hashes point into st's row: done with them only now */
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM corr_chunks WHERE file_id = ?1 AND k >= ?2", -1, &st,
	                       NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int(st, 1, info->file_id);
	sqlite3_bind_int64(st, 2, n);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO corr_state(file_id, resume_offset, kept_n,"
	                           " anomalies_rowid, links_rowid, gaps_rowid, attrs_rowid, state)"
	                           " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int(st, 1, info->file_id);
	sqlite3_bind_int64(st, 2, info->resume_offset);
	sqlite3_bind_int64(st, 3, info->kept_n);
	for (i = 0; i < HS_CSMARK_COUNT; i++)
		sqlite3_bind_int64(st, 4 + i, info->marks[i]);
	sqlite3_bind_blob(st, 8, man.data, (int)man.len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto sqlfail;
	rc = 0;
	goto out;
oom:
	hs_error_set(err, "", 0, 0, "out of memory");
	goto out;
sqlfail:
	hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	hs_buf_free(&man);
	return rc;
}

/* Forget file_id's saved state. */
int hs_corrstore_drop(struct sqlite3 *db, int file_id, struct hs_error *err)
{
	char sql[128];

	if (exec(db, hs_index_corr_state_sql(), err) < 0)
		return -1;
	snprintf(sql, sizeof sql, "DELETE FROM corr_state WHERE file_id = %d;"
	         " DELETE FROM corr_chunks WHERE file_id = %d", file_id, file_id);
	return exec(db, sql, err);
}

int hs_corrstore_checkpoint(struct hs_corrstore *s, const struct hs_correlator *c, int file_id,
                            int64_t resume_offset, int64_t from_n, struct hs_error *err)
{
	struct hs_corrstate_info info;
	struct hs_correlator *b = NULL;
	struct hs_buf blob;
	int64_t cnt = s->noted < RING ? s->noted : RING, k = 0, i, before = s->evicted_max;
	int rc = -1;

	memset(&info, 0, sizeof info);
	info.file_id = file_id;
	info.resume_offset = resume_offset;
	hs_buf_init(&blob);
	/* the events at or past the resume point: the ring's newest ones */
	while (k < cnt && s->ring[(s->noted - 1 - k) % RING].offset >= resume_offset)
		k++;
	for (i = k; i < cnt; i++) {
		int64_t off = s->ring[(s->noted - 1 - i) % RING].offset;
		if (off > before)
			before = off;
	}
	if (before >= resume_offset || (k == cnt && s->noted > RING))
		return hs_corrstore_drop(s->db, file_id, err); /* not a suffix, or not all in the ring */
	if (k == 0) {
		/* nothing to redo: the live state is the one to go on from */
		info.kept_n = s->noted ? s->ring[(s->noted - 1) % RING].n : from_n;
		memcpy(info.marks, s->marks, sizeof info.marks);
		if (hs_correlate_save(c, 1, &blob) < 0)
			goto oom;
	} else {
		const struct note *first = &s->ring[(s->noted - k) % RING];
		struct hs_corrstate_info prev;
		info.kept_n = first->n - 1;
		memcpy(info.marks, first->marks, sizeof info.marks);
		int j = s->snap_n[0] >= s->snap_n[1] ? 0 : 1;
		if (hs_correlate_new(NULL, &b, err) < 0)
			goto out;
		if (s->snap_n[j] > info.kept_n || s->snap_n[j] < from_n)
			j = 1 - j;
		if (s->snap_n[j] >= from_n && s->snap_n[j] <= info.kept_n && s->snap_n[j] >= 0 &&
		    hs_correlate_load(b, s->snap[j].data, s->snap[j].len) == 0) {
			from_n = s->snap_n[j]; /* a snapshot of this run: replay from there */
		} else if (from_n > 0 &&
		           (hs_corrstore_load(s->db, file_id, -1, b, &prev) < 0 || prev.kept_n != from_n)) {
			/* not there any more: redo it from the start */
			hs_correlate_load(b, NULL, 0);
			from_n = 0;
		}
		if (hs_corrstore_replay(s->db, b, from_n, info.kept_n, err) < 0)
			goto out;
		if (hs_correlate_save(b, 0, &blob) < 0)
			goto oom;
	}
	rc = save(s->db, &info, &blob, err);
	goto out;
oom:
	hs_error_set(err, "", 0, 0, "out of memory");
out:
	hs_correlate_free(b);
	hs_buf_free(&blob);
	return rc;
}

struct forget {
	sqlite3_stmt *del[HS_CROW_COUNT]; /* DELETE by id, for the kinds that have one */
};

static void forget_one(void *ctx, enum hs_corr_kind kind, int64_t id)
{
	struct forget *f = ctx;

	if (!f->del[kind])
		return;
	sqlite3_reset(f->del[kind]);
	sqlite3_bind_int64(f->del[kind], 1, id);
	sqlite3_step(f->del[kind]);
}

int hs_corrstore_forget_replayed(struct hs_corrstore *s, struct hs_correlator *c,
                                 struct hs_error *err)
{
	static const struct {
		enum hs_corr_kind kind;
		const char *sql;
	} del_sql[] = {
		{ HS_CROW_SESSION, "DELETE FROM sessions WHERE id = ?1" },
		{ HS_CROW_LOGIN, "DELETE FROM logins WHERE id = ?1" },
		{ HS_CROW_SPAN, "DELETE FROM spans WHERE id = ?1" },
		{ HS_CROW_OBJECT, "DELETE FROM objects WHERE id = ?1" },
		{ HS_CROW_PROCESS, "DELETE FROM processes WHERE id = ?1" },
	};
	struct forget f;
	char sql[1024];
	size_t i;
	int rc = -1;

	memset(&f, 0, sizeof f);
	snprintf(sql, sizeof sql,
	         "DELETE FROM anomalies WHERE at_end OR n > (SELECT ifnull(max(n), 0) FROM event_rows)"
	         " OR ref > (SELECT ifnull(max(n), 0) FROM event_rows);"
	         "DELETE FROM links WHERE kind IN ('same_login', 'sync')"
	         " OR n > (SELECT ifnull(max(n), 0) FROM event_rows)"
	         " OR peer > (SELECT ifnull(max(n), 0) FROM event_rows);"
	         "DELETE FROM seq_gaps WHERE n > (SELECT ifnull(max(n), 0) FROM event_rows);"
	         "DELETE FROM attributions WHERE n > (SELECT ifnull(max(n), 0) FROM event_rows);"
	         "DELETE FROM streams;"
	         "DELETE FROM sessions WHERE id >= %lld; DELETE FROM logins WHERE id >= %lld;"
	         "DELETE FROM spans WHERE id >= %lld; DELETE FROM objects WHERE id >= %lld;"
	         "DELETE FROM processes WHERE id >= %lld;",
	         (long long)hs_correlate_next_id(c, HS_CROW_SESSION),
	         (long long)hs_correlate_next_id(c, HS_CROW_LOGIN),
	         (long long)hs_correlate_next_id(c, HS_CROW_SPAN),
	         (long long)hs_correlate_next_id(c, HS_CROW_OBJECT),
	         (long long)hs_correlate_next_id(c, HS_CROW_PROCESS));
	if (exec(s->db, sql, err) < 0)
		return -1;
	for (i = 0; i < sizeof del_sql / sizeof del_sql[0]; i++)
		if (sqlite3_prepare_v2(s->db, del_sql[i].sql, -1, &f.del[del_sql[i].kind], NULL) !=
		    SQLITE_OK) {
			hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(s->db));
			goto out;
		}
	hs_correlate_open_rows(c, forget_one, &f);
	rc = hs_cs_read_marks(s);
	if (rc < 0)
		hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(s->db));
out:
	for (i = 0; i < HS_CROW_COUNT; i++)
		sqlite3_finalize(f.del[i]);
	return rc;
}
