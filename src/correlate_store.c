/* correlate_store.c — the one module that writes the correlator's rows and
 * state into the index (corrstore.h). The correlator (correlate*.c) knows
 * no SQL; this is its sink.
 *
 * Rows: a prepared INSERT per table; rows with an id replace the row with
 * that id (a thing still open at the end of one run is written again when
 * it ends in a later one); a link is stored in both directions.
 *
 * Going on from a saved state (the refresh path, issue 15 item 3): the state
 * is saved with the resume point of the parse, the number of the last event
 * before it (kept_n) and, for each append-only table, the rowid up to which
 * its rows were written by that state. A refresh deletes what came after —
 * events past kept_n, rows past those rowids, ids past the state's counters
 * — with range deletes on keys, so its cost follows what is redone, not the
 * index. Which events the next refresh redoes is known only when the parse
 * ends (its resume point: the start of the earliest call still open); a
 * ring of the last events seen, with the rowids at each, says where that
 * point falls. When no event at or past it was seen (a finished log) the
 * live state is saved as is; otherwise a second correlator loads the latest
 * state before it (a snapshot the store took during the run, or the state
 * the run started from) and replays the kept events after that; when even
 * that cannot be known the saved state is dropped and the next refresh
 * replays all.
 *
 * The state is stored in 32 KiB chunks (corr_chunks) with a manifest of
 * their hashes (corr_state.state): a save rewrites only the chunks that
 * changed, a load checks every one.
 */
#include "hsmscope/corrstore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/index.h"
#include "corrstore_int.h"

/* An at_end anomaly already in the index: finish() emits every one again
 * on each refresh; those that are still true are left as they are. */
struct atend {
	uint64_t h;                 /* atend_hash() of its values */
	int64_t rowid;
	int64_t n, ref;             /* ref HS_NONE: NULL */
	char *text;                 /* owned: kind, '\0', detail */
	int seen;                   /* emitted again by this finish() */
};

/* The append-only tables' INSERTs. An anomaly's rowid is given: rows found
 * at the end of the trace (at_end) live at AT_END_BASE and up, so that a
 * refresh keeps those still true and rewinds the others by a rowid range. */
static const char *const insert_sql[HS_CROW_COUNT] = {
	[HS_CROW_ANOMALY] = "INSERT INTO anomalies(n, kind, detail, ref, at_end, rowid)"
		" VALUES(?1,?2,?3,?4,?5,?6)",
	[HS_CROW_LINK] = "INSERT INTO links(n, peer, kind) VALUES(?1,?2,?3)",
	[HS_CROW_GAP] = "INSERT INTO seq_gaps(n, hsm, after, before, missing) VALUES(?1,?2,?3,?4,?5)",
	[HS_CROW_ATTR] = "INSERT INTO attributions(n, users) VALUES(?1,?2)",
};

/* The tables whose rows have an id, their columns in bind order (id
 * first). A row is written when new or when one of its values changed:
 * finish() emits every open session, login, span, ... again on each
 * refresh, and an unchanged one is only compared, not rewritten. */
static const char *const upsert_cols[HS_CROW_COUNT][2] = {
	[HS_CROW_SESSION] = { "sessions", "id process_id file_id instance slot handle open_n close_n"
		" first_n last_n calls errors state" },
	[HS_CROW_LOGIN] = { "logins", "id process_id file_id instance hsm slot user_type user"
		" session_id session login_n logout_n last_n calls errors state" },
	[HS_CROW_SPAN] = { "spans", "id kind session_id init_n end_n last_n calls errors state" },
	[HS_CROW_OBJECT] = { "objects", "id file_id instance hsm handle label obj_id class token"
		" session_id created_n found_n destroyed_n last_n uses state" },
	[HS_CROW_PROCESS] = { "processes", "id file_id instance pid first_n last_n init_n final_n"
		" calls errors state" },
	[HS_CROW_STREAM] = { "streams", "id hsm file_id first_n last_n first_ts last_ts events"
		" errors reboots gaps missing" },
};


/* "INSERT INTO t(id, a, ..) VALUES(?1, ..) ON CONFLICT(id) DO UPDATE SET
 * a = excluded.a, .. WHERE a IS NOT excluded.a OR ..": into b. */
static int upsert_sql(const char *table, const char *cols, struct hs_buf *b)
{
	char col[32][24];
	int n = 0, i, bad = 0;
	const char *p = cols;

	while (*p && n < 32) {
		size_t l = strcspn(p, " ");
		if (l >= sizeof col[0])
			return -1;
		memcpy(col[n], p, l);
		col[n++][l] = '\0';
		p += l;
		p += strspn(p, " ");
	}
	bad |= hs_buf_printf(b, "INSERT INTO %s(", table);
	for (i = 0; i < n; i++)
		bad |= hs_buf_printf(b, "%s%s", i ? ", " : "", col[i]);
	bad |= hs_buf_printf(b, ") VALUES(");
	for (i = 0; i < n; i++)
		bad |= hs_buf_printf(b, "%s?%d", i ? "," : "", i + 1);
	bad |= hs_buf_printf(b, ") ON CONFLICT(id) DO UPDATE SET ");
	for (i = 1; i < n; i++)
		bad |= hs_buf_printf(b, "%s%s = excluded.%s", i > 1 ? ", " : "", col[i], col[i]);
	bad |= hs_buf_printf(b, " WHERE ");
	for (i = 1; i < n; i++)
		bad |= hs_buf_printf(b, "%s%s IS NOT excluded.%s", i > 1 ? " OR " : "", col[i], col[i]);
	return bad ? -1 : 0;
}

static void bi(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == HS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static void bs(sqlite3_stmt *st, int i, const char *s)
{
	if (!s || !*s)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int step(struct hs_corrstore *s, sqlite3_stmt *st, struct hs_error *err)
{
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	hs_error_set(err, "", 0, 0, "%s", sqlite3_errmsg(s->db));
	return -1;
}

/* ------------------------------------------------------ at_end anomalies */

static uint64_t atend_hash(int64_t n, const char *kind, const char *detail, int64_t ref)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const char *p;

	h = (h ^ (uint64_t)n) * 0x100000001b3ull;
	h = (h ^ (uint64_t)ref) * 0x100000001b3ull;
	for (p = kind ? kind : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	h = (h ^ 0xff) * 0x100000001b3ull;
	for (p = detail ? detail : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h;
}

static int atend_cmp(const void *a, const void *b)
{
	const struct atend *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h ? 1 : x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

static void atend_free(struct hs_corrstore *s)
{
	size_t i;

	for (i = 0; i < s->nae; i++)
		free(s->ae[i].text);
	free(s->ae);
	s->ae = NULL;
	s->nae = 0;
}

/* s->ae: the at_end anomalies stored (a range of rowids: cheap). */
static int atend_load(struct hs_corrstore *s)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	s->ae_loaded = 1;
	s->ae_next = AT_END_BASE;
	if (sqlite3_prepare_v2(s->db, "SELECT rowid, n, kind, detail, ifnull(ref, ?1) FROM anomalies"
	                              " WHERE rowid >= ?2 ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, HS_NONE);
	sqlite3_bind_int64(st, 2, AT_END_BASE);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct atend *e;
		if (s->nae == cap) {
			struct atend *g = realloc(s->ae, (cap = cap ? 2 * cap : 256) * sizeof *g);
			if (!g) {
				sqlite3_finalize(st);
				return -1;
			}
			s->ae = g;
		}
		const char *k = (const char *)sqlite3_column_text(st, 2);
		const char *d = (const char *)sqlite3_column_text(st, 3);
		size_t kl = strlen(k ? k : ""), dl = strlen(d ? d : "");
		e = &s->ae[s->nae];
		if (!(e->text = malloc(kl + dl + 2))) {
			sqlite3_finalize(st);
			return -1;
		}
		s->nae++;
		memcpy(e->text, k ? k : "", kl + 1);
		memcpy(e->text + kl + 1, d ? d : "", dl + 1);
		e->rowid = sqlite3_column_int64(st, 0);
		e->n = sqlite3_column_int64(st, 1);
		e->ref = sqlite3_column_int64(st, 4);
		e->h = atend_hash(e->n, e->text, e->text + kl + 1, e->ref);
		e->seen = 0;
		s->ae_next = e->rowid + 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (s->nae)
		qsort(s->ae, s->nae, sizeof *s->ae, atend_cmp);
	return 0;
}

/* Is a (an at_end anomaly emitted now) stored already, and not yet
 * matched? Then it is marked seen: 1. */
static int atend_match(struct hs_corrstore *s, const struct hs_crow_anomaly *a)
{
	const char *detail = a->detail ? a->detail : "";
	uint64_t h = atend_hash(a->n, a->kind, detail, a->ref);
	size_t lo = 0, hi = s->nae;

	while (lo < hi) { /* the first entry with this hash */
		size_t mid = lo + (hi - lo) / 2;
		if (s->ae[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->nae && s->ae[lo].h == h; lo++) {
		struct atend *e = &s->ae[lo];
		if (!e->seen && e->n == a->n && e->ref == a->ref && strcmp(e->text, a->kind) == 0 &&
		    strcmp(e->text + strlen(e->text) + 1, detail) == 0) {
			e->seen = 1;
			return 1;
		}
	}
	return 0;
}

int hs_corrstore_finished(struct hs_corrstore *s, struct hs_error *err)
{
	sqlite3_stmt *del;
	size_t i;
	int rc = 0;

	if (!s->ae_loaded && atend_load(s) < 0)
		goto fail;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM anomalies WHERE rowid = ?1", -1, &del, NULL) !=
	    SQLITE_OK)
		goto fail;
	for (i = 0; i < s->nae && !rc; i++) {
		if (s->ae[i].seen)
			continue;
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, s->ae[i].rowid);
		rc = sqlite3_step(del) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(del);
	atend_free(s);
	if (!rc)
		return 0;
fail:
	hs_error_set(err, "", 0, 0, "index: anomalies: %s", sqlite3_errmsg(s->db));
	return -1;
}

/* The statement that writes rows of kind k, prepared on first use. */
static sqlite3_stmt *stmt(struct hs_corrstore *s, int k, struct hs_error *err)
{
	struct hs_buf sql;
	int rc;

	if (s->st[k])
		return s->st[k];
	hs_buf_init(&sql);
	rc = insert_sql[k] ? hs_buf_printf(&sql, "%s", insert_sql[k])
	                   : upsert_sql(upsert_cols[k][0], upsert_cols[k][1], &sql);
	if (rc == 0 && sqlite3_prepare_v3(s->db, hs_buf_cstr(&sql), -1, SQLITE_PREPARE_PERSISTENT,
	                                  &s->st[k], NULL) != SQLITE_OK)
		rc = -1;
	hs_buf_free(&sql);
	if (rc < 0) {
		hs_error_set(err, "", 0, 0, "index: correlation tables: %s", sqlite3_errmsg(s->db));
		return NULL;
	}
	return s->st[k];
}

static int on_row(void *ctx, const struct hs_corr_row *r, struct hs_error *err)
{
	struct hs_corrstore *s = ctx;
	sqlite3_stmt *st;
	int mark = -1;

	if ((unsigned)r->kind >= HS_CROW_COUNT) {
		hs_error_set(err, "", 0, 0, "correlation: a row of unknown kind %d", (int)r->kind);
		return -1;
	}
	if (!(st = stmt(s, r->kind, err)))
		return -1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	switch (r->kind) {
	case HS_CROW_ANOMALY: {
		const struct hs_crow_anomaly *a = &r->u.anomaly;
		sqlite3_bind_int64(st, 1, a->n);
		sqlite3_bind_text(st, 2, a->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->detail ? a->detail : "", -1, SQLITE_TRANSIENT);
		bi(st, 4, a->ref);
		sqlite3_bind_int(st, 5, a->at_end);
		if (a->at_end) {
			if (!s->ae_loaded && atend_load(s) < 0) {
				hs_error_set(err, "", 0, 0, "index: anomalies: %s", sqlite3_errmsg(s->db));
				return -1;
			}
			if (atend_match(s, a))
				return 0; /* stored as it is */
			sqlite3_bind_int64(st, 6, s->ae_next++);
		} else {
			sqlite3_bind_int64(st, 6, s->marks[HS_CSMARK_ANOMALIES] + 1);
			mark = HS_CSMARK_ANOMALIES;
		}
		break;
	}
	case HS_CROW_LINK: {
		const struct hs_crow_link *l = &r->u.link;
		sqlite3_bind_int64(st, 1, l->n);
		sqlite3_bind_int64(st, 2, l->peer);
		sqlite3_bind_text(st, 3, l->kind, -1, SQLITE_TRANSIENT);
		if (step(s, st, err) < 0)
			return -1;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, l->peer);
		sqlite3_bind_int64(st, 2, l->n);
		mark = HS_CSMARK_LINKS;
		break;
	}
	case HS_CROW_SESSION: {
		const struct hs_crow_session *w = &r->u.session;
		sqlite3_bind_int64(st, 1, w->id);
		sqlite3_bind_int64(st, 2, w->process_id);
		sqlite3_bind_int64(st, 3, w->file_id);
		sqlite3_bind_int64(st, 4, w->instance);
		bi(st, 5, w->slot);
		sqlite3_bind_int64(st, 6, w->handle);
		bi(st, 7, w->open_n);
		bi(st, 8, w->close_n);
		bi(st, 9, w->first_n);
		bi(st, 10, w->last_n);
		sqlite3_bind_int64(st, 11, w->calls);
		sqlite3_bind_int64(st, 12, w->errors);
		bs(st, 13, w->state);
		break;
	}
	case HS_CROW_LOGIN: {
		const struct hs_crow_login *w = &r->u.login;
		sqlite3_bind_int64(st, 1, w->id);
		bi(st, 2, w->process_id);
		bi(st, 3, w->file_id);
		bi(st, 4, w->instance);
		bs(st, 5, w->hsm);
		bi(st, 6, w->slot);
		bi(st, 7, w->user_type);
		bs(st, 8, w->user);
		bi(st, 9, w->session_id);
		bi(st, 10, w->session);
		bi(st, 11, w->login_n);
		bi(st, 12, w->logout_n);
		bi(st, 13, w->last_n);
		sqlite3_bind_int64(st, 14, w->calls);
		sqlite3_bind_int64(st, 15, w->errors);
		bs(st, 16, w->state);
		break;
	}
	case HS_CROW_SPAN: {
		const struct hs_crow_span *w = &r->u.span;
		sqlite3_bind_int64(st, 1, w->id);
		bs(st, 2, w->kind);
		bi(st, 3, w->session_id);
		bi(st, 4, w->init_n);
		bi(st, 5, w->end_n);
		bi(st, 6, w->last_n);
		sqlite3_bind_int64(st, 7, w->calls);
		sqlite3_bind_int64(st, 8, w->errors);
		bs(st, 9, w->state);
		break;
	}
	case HS_CROW_OBJECT: {
		const struct hs_crow_object *w = &r->u.object;
		sqlite3_bind_int64(st, 1, w->id);
		bi(st, 2, w->file_id);
		bi(st, 3, w->instance);
		bs(st, 4, w->hsm);
		sqlite3_bind_int64(st, 5, w->handle);
		bs(st, 6, w->label);
		bs(st, 7, w->obj_id);
		bs(st, 8, w->cls);
		bi(st, 9, w->token);
		bi(st, 10, w->session_id);
		bi(st, 11, w->created_n);
		bi(st, 12, w->found_n);
		bi(st, 13, w->destroyed_n);
		bi(st, 14, w->last_n);
		sqlite3_bind_int64(st, 15, w->uses);
		bs(st, 16, w->state);
		break;
	}
	case HS_CROW_PROCESS: {
		const struct hs_crow_process *w = &r->u.process;
		sqlite3_bind_int64(st, 1, w->id);
		sqlite3_bind_int64(st, 2, w->file_id);
		sqlite3_bind_int64(st, 3, w->instance);
		bi(st, 4, w->pid);
		bi(st, 5, w->first_n);
		bi(st, 6, w->last_n);
		bi(st, 7, w->init_n);
		bi(st, 8, w->final_n);
		sqlite3_bind_int64(st, 9, w->calls);
		sqlite3_bind_int64(st, 10, w->errors);
		bs(st, 11, w->state);
		break;
	}
	case HS_CROW_STREAM: {
		const struct hs_crow_stream *w = &r->u.stream;
		sqlite3_bind_int64(st, 1, w->id);
		bs(st, 2, w->hsm);
		sqlite3_bind_int64(st, 3, w->file_id);
		bi(st, 4, w->first_n);
		bi(st, 5, w->last_n);
		bi(st, 6, w->first_ts);
		bi(st, 7, w->last_ts);
		sqlite3_bind_int64(st, 8, w->events);
		sqlite3_bind_int64(st, 9, w->errors);
		sqlite3_bind_int64(st, 10, w->reboots);
		sqlite3_bind_int64(st, 11, w->gaps);
		sqlite3_bind_int64(st, 12, w->missing);
		break;
	}
	case HS_CROW_GAP: {
		const struct hs_crow_gap *w = &r->u.gap;
		sqlite3_bind_int64(st, 1, w->n);
		bs(st, 2, w->hsm);
		bi(st, 3, w->after);
		bi(st, 4, w->before);
		sqlite3_bind_int64(st, 5, w->missing);
		mark = HS_CSMARK_GAPS;
		break;
	}
	case HS_CROW_ATTR:
		sqlite3_bind_int64(st, 1, r->u.attr.n);
		sqlite3_bind_text(st, 2, r->u.attr.users ? r->u.attr.users : "", -1, SQLITE_TRANSIENT);
		mark = HS_CSMARK_ATTRS;
		break;
	default:
		return -1;
	}
	if (step(s, st, err) < 0)
		return -1;
	if (mark >= 0)
		s->marks[mark] = sqlite3_last_insert_rowid(s->db);
	return 0;
}

struct hs_corr_sink hs_corrstore_sink(struct hs_corrstore *s)
{
	struct hs_corr_sink k = { s, on_row };

	return k;
}

/* s->marks from the tables: each the last rowid (the next row gets one more). */
int hs_cs_read_marks(struct hs_corrstore *s)
{
	char sql[128];
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < HS_CSMARK_COUNT; i++) {
		snprintf(sql, sizeof sql, "SELECT ifnull(max(rowid), 0) FROM %s WHERE rowid < %lld",
		         mark_table[i], (long long)AT_END_BASE);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			return -1;
		s->marks[i] = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
	}
	return 0;
}

int hs_corrstore_new(struct sqlite3 *db, struct hs_corrstore **out, struct hs_error *err)
{
	struct hs_corrstore *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s || !(s->ring = malloc(RING * sizeof *s->ring))) {
		free(s);
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	s->db = db;
	s->evicted_max = -1;
	hs_buf_init(&s->snap[0]);
	hs_buf_init(&s->snap[1]);
	s->snap_n[0] = s->snap_n[1] = -1;
	s->next_snap = SNAP_EVERY;
	/* the INSERTs are prepared when first used (stmt()): a refresh needs few */
	if (hs_cs_read_marks(s) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	hs_error_set(err, "", 0, 0, "index: correlation tables: %s", sqlite3_errmsg(db));
	hs_corrstore_free(s);
	return -1;
}

void hs_corrstore_free(struct hs_corrstore *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < HS_CROW_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	atend_free(s);
	free(s->ring);
	hs_buf_free(&s->snap[0]);
	hs_buf_free(&s->snap[1]);
	free(s);
}
