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

#define RING 4096               /* events remembered for the checkpoint */
#define SNAP_BIG (8u << 20)     /* a state this big is kept in one snapshot, not two */
#define SNAP_EVERY 16384        /* events between two snapshots of the live state, at least
                                   (a replay costs ~10 us an event, a snapshot ~0.3 ns a byte) */
#define STATE_MAX (512u << 20)  /* a saved state bigger than this is not ours */
#define CHUNK (32u << 10)       /* bytes of state per corr_chunks row */
#define MANIFEST_MAGIC "HSCSMAN1"

struct note {
	int64_t n, offset;          /* an event and its byte offset */
	int64_t marks[HS_CSMARK_COUNT]; /* rowids before it was correlated */
};

struct hs_corrstore {
	sqlite3 *db;                /* borrowed: the index being written */
	sqlite3_stmt *st[HS_CROW_COUNT]; /* owned prepared INSERTs */
	int64_t marks[HS_CSMARK_COUNT]; /* the last rowid of each append-only table */
	struct note *ring;          /* owned, RING entries; the event noted k-th is at k % RING */
	int64_t noted;              /* events noted */
	int64_t evicted_max;        /* the highest offset of the events no longer in the ring, -1 */
	struct hs_buf snap[2];      /* owned: the live state saved now and then during a run */
	int64_t snap_n[2];          /* each is the state after the events up to this n, -1 none */
	int64_t next_snap;          /* noted count at which the next one is taken */
	struct atend *ae;           /* owned: the at_end anomalies stored, nae of them, by hash */
	size_t nae;
	int ae_loaded;              /* ae read from the index */
	int64_t ae_next;            /* the rowid of the next at_end anomaly */
};

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

#define AT_END_BASE ((int64_t)1 << 62) /* the first rowid of an at_end anomaly */

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

/* The append-only tables, in HS_CSMARK_* order. */
static const char *const mark_table[HS_CSMARK_COUNT] = {
	"anomalies", "links", "seq_gaps", "attributions"
};

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
static int read_marks(struct hs_corrstore *s)
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
	if (read_marks(s) < 0)
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
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	w = 0;
	if (n)
		memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 32);
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
	if (read_marks(s) < 0) {
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
	rc = read_marks(s);
	if (rc < 0)
		hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(s->db));
out:
	for (i = 0; i < HS_CROW_COUNT; i++)
		sqlite3_finalize(f.del[i]);
	return rc;
}
