/* correlate.c — the correlator's frame: setup, the INSERTs into the
 * correlation tables, replay on refresh, end of trace, and the two small
 * containers the rules use. The rules themselves are in correlate_p11.c
 * (call traces: processes, sessions, logins, operations), correlate_obj.c
 * (their object handles, and the detail lines correlation reads) and
 * correlate_audit.c (CloudHSM: streams, gaps, reboots, logins, keys,
 * cluster view); correlate_int.h describes the state.
 *
 * Data structures: `struct hmap` maps a three-integer key to a record index
 * (open addressing with linear probing; deletion shifts the following
 * entries back, so there are no tombstones and probes stay short); `struct
 * slab` holds fixed-size records whose indexes stay valid while they are
 * in use. Both grow by doubling up to a cap.
 *
 * Writing: every row is written once, with a prepared INSERT, when the
 * thing it describes ends, or by finish() for what is still open; event
 * rows are never updated (index.c stores session_id, login_id and span_id
 * with the row, after hs_correlate_event() set them).
 *
 * Replay (a refresh that appends to an index): the stored events are run
 * through the same rules again with writes switched off, reading only the
 * narrow columns (plus the detail of the few calls whose templates or
 * results matter), in n order. Ids are handed out in event order, so the
 * replayed state has the ids the stored rows carry. Then the rows that
 * finish() wrote for what was open, rows about events that were deleted,
 * and the end-of-trace findings (at_end anomalies, cluster links) are
 * dropped: the next finish() writes them again from the new state.
 */
#include "correlate_int.h"

#include "hsmscope/detect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- hash map */

static uint32_t key_hash(const struct ckey *k)
{
	uint64_t h = (uint64_t)k->a * 0x9E3779B97F4A7C15ull;

	h ^= (uint64_t)k->b + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
	h ^= (uint64_t)k->c * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 31;
	h *= 0x94D049BB133111EBull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static int key_eq(const struct ckey *x, const struct ckey *y)
{
	return x->a == y->a && x->b == y->b && x->c == y->c;
}

int hs_hmap_get(const struct hmap *m, const struct ckey *k)
{
	uint32_t i;

	if (!m->slot)
		return -1;
	for (i = key_hash(k) & m->mask; m->slot[i].v >= 0; i = (i + 1) & m->mask)
		if (key_eq(&m->slot[i].k, k))
			return m->slot[i].v;
	return -1;
}

static int hmap_grow(struct hmap *m)
{
	uint32_t cap = m->slot ? (m->mask + 1) * 2 : 64, i, j;
	struct hslot *ns = malloc(cap * sizeof *ns);

	if (!ns)
		return -1;
	for (i = 0; i < cap; i++)
		ns[i].v = -1;
	for (i = 0; m->slot && i <= m->mask; i++) {
		if (m->slot[i].v < 0)
			continue;
		for (j = key_hash(&m->slot[i].k) & (cap - 1); ns[j].v >= 0; j = (j + 1) & (cap - 1))
			;
		ns[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = ns;
	m->mask = cap - 1;
	return 0;
}

int hs_hmap_put(struct hmap *m, const struct ckey *k, int v)
{
	uint32_t i;

	if ((!m->slot || (m->count + 1) * 4 > (m->mask + 1) * 3) && hmap_grow(m) < 0)
		return -1;
	for (i = key_hash(k) & m->mask; m->slot[i].v >= 0; i = (i + 1) & m->mask)
		if (key_eq(&m->slot[i].k, k)) {
			m->slot[i].v = v;
			return 0;
		}
	m->slot[i].k = *k;
	m->slot[i].v = v;
	m->count++;
	return 0;
}

void hs_hmap_del(struct hmap *m, const struct ckey *k)
{
	uint32_t i, j, home;

	if (!m->slot)
		return;
	for (i = key_hash(k) & m->mask; m->slot[i].v >= 0; i = (i + 1) & m->mask)
		if (key_eq(&m->slot[i].k, k))
			break;
	if (m->slot[i].v < 0)
		return;
	m->slot[i].v = -1;
	m->count--;
	/* shift back the entries that probed past the hole */
	for (j = (i + 1) & m->mask; m->slot[j].v >= 0; j = (j + 1) & m->mask) {
		home = key_hash(&m->slot[j].k) & m->mask;
		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slot[i] = m->slot[j];
			m->slot[j].v = -1;
			i = j;
		}
	}
}

void hs_hmap_free(struct hmap *m)
{
	free(m->slot);
	memset(m, 0, sizeof *m);
}

/* ----------------------------------------------------------------- slab */

int hs_slab_alloc(struct slab *s)
{
	int i;

	if (s->nfree) {
		i = s->freel[--s->nfree];
	} else {
		if (s->hi == s->cap) {
			int cap = s->cap ? s->cap * 2 : 64;
			char *nr;
			int *nf;
			if (s->cap >= s->max)
				return -1;
			if (cap > s->max)
				cap = s->max;
			nr = realloc(s->rec, (size_t)cap * s->size);
			if (!nr)
				return -1;
			s->rec = nr;
			nf = realloc(s->freel, (size_t)cap * sizeof *nf);
			if (!nf)
				return -1;
			s->freel = nf;
			s->cap = cap;
		}
		i = s->hi++;
	}
	memset(s->rec + (size_t)i * s->size, 0, s->size);
	*(int *)(void *)(s->rec + (size_t)i * s->size) = 1;
	s->live++;
	return i;
}

void hs_slab_release(struct slab *s, int i)
{
	*(int *)(void *)(s->rec + (size_t)i * s->size) = 0;
	s->freel[s->nfree++] = i;
	s->live--;
}

void hs_slab_free(struct slab *s)
{
	free(s->rec);
	free(s->freel);
	s->rec = NULL;
	s->freel = NULL;
	s->hi = s->cap = s->nfree = s->live = 0;
}

/* -------------------------------------------------------------- objects */

void hs_obj_release(struct hs_correlator *c, int oi)
{
	struct obj *o = SLAB_AT(&c->objs, oi, struct obj);

	if (o->key.a >= 0) {
		SLAB_AT(&c->procs, o->owner, struct p11_proc)->nobjs--;
		if (o->sess >= 0)
			SLAB_AT(&c->sess, o->sess, struct p11_sess)->nobjs--;
	}
	free(o->label);
	free(o->obj_id);
	o->label = o->obj_id = NULL;
	hs_hmap_del(&c->obj_map, &o->key);
	hs_slab_release(&c->objs, oi);
}

/* Forget destroyed handles (their rows are written) to make room. */
static void obj_evict(struct hs_correlator *c)
{
	int i;

	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used && !o->live)
			hs_obj_release(c, i);
	}
}

int hs_obj_new(struct hs_correlator *c, const struct ckey *k, int owner)
{
	struct obj *o;
	int oi = hs_slab_alloc(&c->objs);

	if (oi < 0 && c->objs.live >= OBJECTS_MAX) {
		obj_evict(c);
		oi = hs_slab_alloc(&c->objs);
	}
	if (oi < 0 || hs_hmap_put(&c->obj_map, k, oi) < 0) {
		if (oi >= 0)
			hs_slab_release(&c->objs, oi);
		c->dropped++;
		return -1;
	}
	o = SLAB_AT(&c->objs, oi, struct obj);
	o->key = *k;
	o->owner = owner;
	o->sess = -1;
	o->id = c->next_object++;
	o->handle = k->c;
	o->session_id = o->created_n = o->found_n = o->destroyed_n = o->last_n = HS_NONE;
	o->token = -1;
	o->live = 1;
	hs_strlcpy(o->state, "live", sizeof o->state);
	if (k->a >= 0)
		SLAB_AT(&c->procs, owner, struct p11_proc)->nobjs++;
	return oi;
}


/* ------------------------------------------------------------- anomalies */

static const struct {
	const char *kind, *help;
} kinds[AN_COUNT] = {
	[AN_SESSION_NOT_OPEN] = { "session_not_open",
		"a call on a session handle that is not open in its process (never opened, or closed)" },
	[AN_UNKNOWN_HANDLE] = { "unknown_handle",
		"an object handle used that its process never created or found before" },
	[AN_DESTROYED_HANDLE] = { "destroyed_handle",
		"an object or key handle used after it was destroyed" },
	[AN_OP_WITHOUT_INIT] = { "op_without_init",
		"an operation call (C_Sign, C_EncryptUpdate, ...) with no C_xxxInit active in its session" },
	[AN_INIT_UNFINISHED] = { "init_unfinished",
		"a C_xxxInit whose operation never finished: replaced, its session closed, or the log ended" },
	[AN_LOGIN_UNENDED] = { "login_unended",
		"a successful login with no logout, last session close, finalize or reboot before the log ends" },
	[AN_LOGOUT_WITHOUT_LOGIN] = { "logout_without_login",
		"a successful logout with no login before it in the log" },
	[AN_SESSION_LEAKED] = { "session_leaked",
		"a session never closed: no C_CloseSession, C_CloseAllSessions or C_Finalize before the log ends" },
	[AN_CALL_AFTER_FINALIZE] = { "call_after_finalize",
		"a call made after its process called C_Finalize (and before a new C_Initialize)" },
	[AN_NEVER_RETURNED] = { "never_returned",
		"a call that never returned in the log: its thread or process died, or the log was cut" },
	[AN_SEQ_GAP] = { "seq_gap",
		"audit events are missing: the stream's sequence number jumped" },
	[AN_SEQ_ORDER] = { "seq_order",
		"an audit sequence number went back or repeated without a reboot" },
	[AN_REBOOT] = { "reboot",
		"the HSM's reboot counter changed: it restarted, and its logins ended" },
	[AN_SYNC_UNMATCHED] = { "sync_unmatched",
		"a key sent to (or received from) the cluster with no matching event on another loaded HSM" },
	[AN_HANDLE_MISSING] = { "handle_missing",
		"a call succeeded but the log shows no handle it returned (its [out] line is missing or"
		" was attributed to another call)" },
	[AN_PIN_RETRY_BURST] = { "pin_retry_burst",
		"3 or more logins in a row failed with CKR_PIN_INCORRECT on one token: the token may"
		" lock the PIN (the run ends at a successful login or the end of the log)" },
	[AN_CALL_BEFORE_INITIALIZE] = { "call_before_initialize",
		"a call made before its process called C_Initialize (only C_GetFunctionList and"
		" C_GetInterface[List] may come first)" },
	[AN_CALL_NO_GAP] = { "call_no_gap",
		"the tracer's own call counter (libpkcs11shim [cnt]) jumped: calls are missing from the log" },
};

const char *hs_correlate_anomaly_kind(int i, const char **help)
{
	if (i < 0 || i >= AN_COUNT)
		return NULL;
	if (help)
		*help = kinds[i].help;
	return kinds[i].kind;
}

/* -------------------------------------------------------------- storage */

static const char *const insert_sql[ST_COUNT] = {
	[ST_ANOMALY] = "INSERT INTO anomalies(n, kind, detail, ref, at_end) VALUES(?1,?2,?3,?4,?5)",
	[ST_LINK] = "INSERT INTO links(n, peer, kind) VALUES(?1,?2,?3)",
	[ST_SESSION] = "INSERT OR REPLACE INTO sessions(id, process_id, file_id, instance, slot, handle,"
		" open_n, close_n, first_n, last_n, calls, errors, state)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
	[ST_LOGIN] = "INSERT OR REPLACE INTO logins(id, process_id, file_id, instance, hsm, slot,"
		" user_type, user, session_id, session, login_n, logout_n, last_n, calls, errors, state)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
	[ST_SPAN] = "INSERT OR REPLACE INTO spans(id, kind, session_id, init_n, end_n, last_n, calls,"
		" errors, state) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
	[ST_OBJECT] = "INSERT OR REPLACE INTO objects(id, file_id, instance, hsm, handle, label, obj_id,"
		" class, token, session_id, created_n, found_n, destroyed_n, last_n, uses, state)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
	[ST_PROCESS] = "INSERT OR REPLACE INTO processes(id, file_id, instance, pid, first_n, last_n,"
		" init_n, final_n, calls, errors, state) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
	[ST_STREAM] = "INSERT OR REPLACE INTO streams(id, hsm, file_id, first_n, last_n, first_ts,"
		" last_ts, events, errors, reboots, gaps, missing)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
	[ST_GAP] = "INSERT INTO seq_gaps(n, hsm, after, before, missing) VALUES(?1,?2,?3,?4,?5)",
	[ST_ATTR] = "INSERT INTO attributions(n, users) VALUES(?1,?2)",
};

static void bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == HS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (!s || !*s)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Start statement `which`; NULL when nothing must be written. */
static sqlite3_stmt *begin(struct hs_correlator *c, int which)
{
	sqlite3_stmt *st = c->st[which];

	if (c->replaying || c->failed)
		return NULL;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int step(struct hs_correlator *c, sqlite3_stmt *st)
{
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	snprintf(c->errmsg, sizeof c->errmsg, "%s", sqlite3_errmsg(c->db));
	c->failed = 1;
	return -1;
}

const char *hs_corr_hex(int64_t v, char *buf, size_t len)
{
	if (v == HS_NONE)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
	return buf;
}

int hs_corr_anomaly(struct hs_correlator *c, struct hs_event *e, int64_t n, int64_t ref, int kind,
                 int at_end, const char *fmt, ...)
{
	char detail[256];
	sqlite3_stmt *st;
	va_list ap;

	if (c->quiet) /* nothing drawn from lines that may be another call's */
		return 0;
	if (e) {
		size_t l = strlen(e->anomalies), k = strlen(kinds[kind].kind);
		if (!strstr(e->anomalies, kinds[kind].kind) && l + k + 2 < sizeof e->anomalies)
			snprintf(e->anomalies + l, sizeof e->anomalies - l, "%s%s", l ? "," : "",
			         kinds[kind].kind);
	}
	if (!(st = begin(c, ST_ANOMALY)))
		return c->failed ? -1 : 0;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, kinds[kind].kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, detail, -1, SQLITE_TRANSIENT);
	bind_i64(st, 4, ref);
	sqlite3_bind_int(st, 5, at_end);
	return step(c, st);
}

int hs_corr_link(struct hs_correlator *c, int64_t a, int64_t b, const char *kind)
{
	sqlite3_stmt *st;

	if (a == HS_NONE || b == HS_NONE || a == b)
		return 0;
	if (!(st = begin(c, ST_LINK)))
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (step(c, st) < 0)
		return -1;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, b);
	sqlite3_bind_int64(st, 2, a);
	return step(c, st);
}

int hs_corr_write_session(struct hs_correlator *c, const struct p11_sess *s, int64_t close_n,
                       const char *state)
{
	sqlite3_stmt *st = begin(c, ST_SESSION);
	const struct p11_proc *p = SLAB_AT(&c->procs, s->proc, struct p11_proc);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, p->id);
	sqlite3_bind_int64(st, 3, s->key.a);
	sqlite3_bind_int64(st, 4, s->key.b);
	bind_i64(st, 5, s->slot);
	sqlite3_bind_int64(st, 6, s->key.c);
	bind_i64(st, 7, s->open_n);
	bind_i64(st, 8, close_n);
	bind_i64(st, 9, s->first_n);
	bind_i64(st, 10, s->last_n);
	sqlite3_bind_int64(st, 11, s->calls);
	sqlite3_bind_int64(st, 12, s->errors);
	bind_str(st, 13, state);
	return step(c, st);
}

int hs_corr_write_p11_login(struct hs_correlator *c, const struct p11_proc *p,
                         const struct p11_slot *sl, int64_t logout_n, const char *state)
{
	sqlite3_stmt *st = begin(c, ST_LOGIN);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, sl->login_id);
	sqlite3_bind_int64(st, 2, p->id);
	sqlite3_bind_int64(st, 3, p->key.a);
	sqlite3_bind_int64(st, 4, p->key.b);
	bind_i64(st, 6, sl->slot);
	bind_i64(st, 7, sl->user_type);
	bind_i64(st, 9, sl->session_id);
	bind_i64(st, 10, sl->session);
	bind_i64(st, 11, sl->login_n);
	bind_i64(st, 12, logout_n);
	bind_i64(st, 13, sl->last_n);
	sqlite3_bind_int64(st, 14, sl->calls);
	sqlite3_bind_int64(st, 15, sl->errors);
	bind_str(st, 16, state);
	return step(c, st);
}

int hs_corr_write_au_login(struct hs_correlator *c, const struct au_stream *s,
                        const struct au_login *l, int64_t logout_n, const char *state)
{
	sqlite3_stmt *st = begin(c, ST_LOGIN);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, l->id);
	sqlite3_bind_int(st, 3, s->file_id);
	bind_str(st, 5, s->hsm);
	bind_i64(st, 7, l->user_type);
	bind_str(st, 8, l->user);
	bind_i64(st, 10, l->session);
	bind_i64(st, 11, l->login_n);
	bind_i64(st, 12, logout_n);
	bind_i64(st, 13, l->last_n);
	sqlite3_bind_int64(st, 14, l->calls);
	sqlite3_bind_int64(st, 15, l->errors);
	bind_str(st, 16, state);
	return step(c, st);
}

int hs_corr_write_span(struct hs_correlator *c, int64_t id, const char *kind, int64_t session_id,
                    const struct p11_op *op, int64_t end_n, const char *state)
{
	sqlite3_stmt *st = begin(c, ST_SPAN);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, kind);
	bind_i64(st, 3, session_id);
	bind_i64(st, 4, op->init_n);
	bind_i64(st, 5, end_n);
	bind_i64(st, 6, op->last_n);
	sqlite3_bind_int64(st, 7, op->calls);
	sqlite3_bind_int64(st, 8, op->errors);
	bind_str(st, 9, state);
	return step(c, st);
}

int hs_corr_write_object(struct hs_correlator *c, const struct obj *o, const char *hsm)
{
	sqlite3_stmt *st = begin(c, ST_OBJECT);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, o->id);
	if (o->key.a >= 0) {
		sqlite3_bind_int64(st, 2, o->key.a);
		sqlite3_bind_int64(st, 3, o->key.b);
	}
	bind_str(st, 4, hsm);
	sqlite3_bind_int64(st, 5, o->handle);
	bind_str(st, 6, o->label);
	bind_str(st, 7, o->obj_id);
	bind_str(st, 8, o->cls);
	if (o->token >= 0)
		sqlite3_bind_int(st, 9, o->token);
	bind_i64(st, 10, o->session_id);
	bind_i64(st, 11, o->created_n);
	bind_i64(st, 12, o->found_n);
	bind_i64(st, 13, o->destroyed_n);
	bind_i64(st, 14, o->last_n);
	sqlite3_bind_int64(st, 15, o->uses);
	bind_str(st, 16, o->state);
	return step(c, st);
}

int hs_corr_write_process(struct hs_correlator *c, const struct p11_proc *p)
{
	sqlite3_stmt *st = begin(c, ST_PROCESS);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, p->key.a);
	sqlite3_bind_int64(st, 3, p->key.b);
	bind_i64(st, 4, p->pid);
	bind_i64(st, 5, p->first_n);
	bind_i64(st, 6, p->last_n);
	bind_i64(st, 7, p->init_n);
	bind_i64(st, 8, p->final_n);
	sqlite3_bind_int64(st, 9, p->calls);
	sqlite3_bind_int64(st, 10, p->errors);
	sqlite3_bind_text(st, 11, p->finalized ? "finalized" : "running", -1, SQLITE_STATIC);
	return step(c, st);
}

int hs_corr_write_stream(struct hs_correlator *c, const struct au_stream *s)
{
	sqlite3_stmt *st = begin(c, ST_STREAM);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, s->id);
	bind_str(st, 2, s->hsm);
	sqlite3_bind_int(st, 3, s->file_id);
	bind_i64(st, 4, s->first_n);
	bind_i64(st, 5, s->last_n);
	bind_i64(st, 6, s->first_ts);
	bind_i64(st, 7, s->last_ts);
	sqlite3_bind_int64(st, 8, s->events);
	sqlite3_bind_int64(st, 9, s->errors);
	sqlite3_bind_int64(st, 10, s->reboots);
	sqlite3_bind_int64(st, 11, s->gaps);
	sqlite3_bind_int64(st, 12, s->missing);
	return step(c, st);
}

int hs_corr_write_gap(struct hs_correlator *c, int64_t n, const char *hsm, int64_t after,
                   int64_t before, int64_t missing)
{
	sqlite3_stmt *st = begin(c, ST_GAP);

	if (!st)
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, n);
	bind_str(st, 2, hsm);
	bind_i64(st, 3, after);
	bind_i64(st, 4, before);
	sqlite3_bind_int64(st, 5, missing);
	return step(c, st);
}

int hs_corr_write_attr(struct hs_correlator *c, int64_t n, const char *users)
{
	sqlite3_stmt *st;

	if (!users || !*users)
		return 0;
	if (!(st = begin(c, ST_ATTR)))
		return c->failed ? -1 : 0;
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, users, -1, SQLITE_TRANSIENT);
	return step(c, st);
}

/* ------------------------------------------------------------ lifecycle */

int hs_correlate_new(struct sqlite3 *db, struct hs_correlator **out, struct hs_error *err)
{
	struct hs_correlator *c = calloc(1, sizeof *c);
	int i;

	*out = NULL;
	if (!c) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	c->db = db;
	c->next_process = c->next_session = c->next_login = c->next_span = c->next_object =
		c->next_stream = 1;
	c->procs.size = sizeof(struct p11_proc);
	c->procs.max = PROCS_MAX;
	c->sess.size = sizeof(struct p11_sess);
	c->sess.max = SESSIONS_MAX;
	c->objs.size = sizeof(struct obj);
	c->objs.max = OBJECTS_MAX;
	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(db, insert_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i],
		                       NULL) != SQLITE_OK) {
			hs_error_set(err, "", 0, 0, "index: correlation tables: %s", sqlite3_errmsg(db));
			hs_correlate_free(c);
			return -1;
		}
	*out = c;
	return 0;
}

void hs_correlate_free(struct hs_correlator *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(c->st[i]);
	hs_p11_free(c);
	hs_au_free(c);
	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used) {
			free(o->label);
			free(o->obj_id);
		}
	}
	hs_slab_free(&c->procs);
	hs_slab_free(&c->sess);
	hs_slab_free(&c->objs);
	hs_hmap_free(&c->proc_map);
	hs_hmap_free(&c->sess_map);
	hs_hmap_free(&c->obj_map);
	free(c);
}

static int is_audit(const struct hs_event *e)
{
	/* Azure Cloud HSM's rows are CloudHSM audit events (parse_azurehsm.c) */
	return e->format && (strcmp(e->format, "cloudhsm") == 0 || strcmp(e->format, "azurehsm") == 0);
}

static int fail(struct hs_correlator *c, struct hs_error *err)
{
	hs_error_set(err, "", 0, 0, "%s", c->errmsg[0] ? c->errmsg : "out of memory");
	return -1;
}

int hs_correlate_event(struct hs_correlator *c, struct hs_event *e, struct hs_error *err)
{
	int rc;

	e->session_id = e->login_id = e->span_id = e->peer = HS_NONE;
	e->anomalies[0] = '\0';
	c->quiet = e->uncertain;
	rc = is_audit(e) ? hs_au_event(c, e) : hs_p11_event(c, e);
	c->quiet = 0;
	if (rc < 0 || c->failed)
		return fail(c, err);
	return 0;
}

int hs_correlate_finish(struct hs_correlator *c, struct hs_error *err)
{
	if (hs_p11_finish(c) < 0 || hs_au_finish(c) < 0 || c->failed)
		return fail(c, err);
	return 0;
}

/* --------------------------------------------------------------- replay */

/* SQL function hs_corr_lenq(detail): the length-query test of the live
 * path, run inside SQLite so replay does not read big details out. */
static void lenq_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *d = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	sqlite3_result_int(ctx, d ? hs_p11_length_query(d, (size_t)sqlite3_value_bytes(argv[0])) : 0);
}

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, i);
}

static void col_str(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	hs_strlcpy(dst, s ? (const char *)s : "", len);
}

static int exec(struct hs_correlator *c, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(c->errmsg, sizeof c->errmsg, "%s", msg ? msg : sqlite3_errmsg(c->db));
	sqlite3_free(msg);
	c->failed = 1;
	return -1;
}

/* Re-run the stored events; keys come from a second cursor merged by n. */
static int replay_events(struct hs_correlator *c)
{
	sqlite3_stmt *ev = NULL, *keys = NULL;
	struct hs_event e;
	struct hs_buf sql;
	int rc = -1, krc, krc2;
	int64_t kn = HS_NONE;

	hs_buf_init(&sql);
	hs_buf_printf(&sql,
	              "SELECT n, file_id, format, instance, pid, tid, func, rv, rv_name, ok, incomplete,"
	              " session, slot, user_type, user, hsm, seq, reboot, opcode, ts_us, log_type,"
	              " CASE WHEN func IN (%s) THEN detail END,"
	              " CASE WHEN ok AND func IN (%s) THEN hs_corr_lenq(detail) ELSE 0 END, call_no,"
	              " uncertain FROM events ORDER BY n", hs_p11_detail_funcs_sql(), hs_p11_lenq_funcs_sql());
	hs_event_init(&e);
	if (hs_buf_failed(&sql)) {
		snprintf(c->errmsg, sizeof c->errmsg, "out of memory");
		c->failed = 1;
		goto out;
	}
	if (sqlite3_create_function(c->db, "hs_corr_lenq", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	                            NULL, lenq_fn, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, hs_buf_cstr(&sql), -1, &ev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT n, handle, role FROM event_keys ORDER BY n, rowid", -1,
	                       &keys, NULL) != SQLITE_OK) {
		snprintf(c->errmsg, sizeof c->errmsg, "%s", sqlite3_errmsg(c->db));
		c->failed = 1;
		goto out;
	}
	krc = sqlite3_step(keys);
	if (krc == SQLITE_ROW)
		kn = sqlite3_column_int64(keys, 0);
	c->replaying = 1;
	while (sqlite3_step(ev) == SQLITE_ROW) {
		const char *fmt = (const char *)sqlite3_column_text(ev, 2), *d;

		hs_event_reset(&e);
		e.n = sqlite3_column_int64(ev, 0);
		e.file_id = sqlite3_column_int(ev, 1);
		e.format = hs_detect_static_name(fmt);
		e.instance = sqlite3_column_int64(ev, 3);
		e.pid = col_i64(ev, 4);
		e.tid = col_i64(ev, 5);
		col_str(ev, 6, e.func, sizeof e.func);
		e.rv = col_i64(ev, 7);
		col_str(ev, 8, e.rv_name, sizeof e.rv_name);
		e.ok = sqlite3_column_int(ev, 9);
		e.incomplete = sqlite3_column_int(ev, 10);
		e.session = col_i64(ev, 11);
		e.slot = col_i64(ev, 12);
		e.user_type = col_i64(ev, 13);
		col_str(ev, 14, e.user, sizeof e.user);
		col_str(ev, 15, e.hsm, sizeof e.hsm);
		e.seq = col_i64(ev, 16);
		e.reboot = col_i64(ev, 17);
		e.opcode = col_i64(ev, 18);
		e.ts_us = col_i64(ev, 19);
		e.log_type = col_i64(ev, 20);
		d = (const char *)sqlite3_column_text(ev, 21);
		if (d && hs_buf_add(&e.detail, d, (size_t)sqlite3_column_bytes(ev, 21)) < 0)
			goto out;
		c->replay_lenq = sqlite3_column_int(ev, 22);
		e.call_no = col_i64(ev, 23);
		e.uncertain = sqlite3_column_int(ev, 24);
		while (krc == SQLITE_ROW && kn <= e.n) {
			if (kn == e.n) {
				const char *role = (const char *)sqlite3_column_text(keys, 2);
				hs_event_add_key(&e, sqlite3_column_int64(keys, 1), role ? role : "");
			}
			krc = sqlite3_step(keys);
			if (krc == SQLITE_ROW)
				kn = sqlite3_column_int64(keys, 0);
		}
		e.session_id = e.login_id = e.span_id = e.peer = HS_NONE;
		e.anomalies[0] = '\0';
		c->quiet = e.uncertain;
		krc2 = is_audit(&e) ? hs_au_event(c, &e) : hs_p11_event(c, &e);
		c->quiet = 0;
		if (krc2 < 0 || c->failed)
			goto out;
	}
	rc = 0;
out:
	c->replaying = 0;
	hs_event_free(&e);
	hs_buf_free(&sql);
	sqlite3_finalize(ev);
	sqlite3_finalize(keys);
	sqlite3_create_function(c->db, "hs_corr_lenq", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	return rc;
}

/* Drop what finish() wrote for things still open, and rows about deleted
 * events or handed-out ids beyond the replayed state. */
static int replay_cleanup(struct hs_correlator *c)
{
	static const char *const del_sql[] = {
		"DELETE FROM sessions WHERE id = ?1", "DELETE FROM logins WHERE id = ?1",
		"DELETE FROM spans WHERE id = ?1", "DELETE FROM objects WHERE id = ?1",
		"DELETE FROM processes WHERE id = ?1",
	};
	sqlite3_stmt *del[5] = { NULL, NULL, NULL, NULL, NULL };
	char sql[1024];
	int i, rc = -1;

	snprintf(sql, sizeof sql,
	         "DELETE FROM anomalies WHERE at_end OR n > (SELECT ifnull(max(n), 0) FROM events)"
	         " OR ref > (SELECT ifnull(max(n), 0) FROM events);"
	         "DELETE FROM links WHERE kind IN ('same_login', 'sync')"
	         " OR n > (SELECT ifnull(max(n), 0) FROM events)"
	         " OR peer > (SELECT ifnull(max(n), 0) FROM events);"
	         "DELETE FROM seq_gaps WHERE n > (SELECT ifnull(max(n), 0) FROM events);"
	         "DELETE FROM attributions WHERE n > (SELECT ifnull(max(n), 0) FROM events);"
	         "DELETE FROM streams;"
	         "DELETE FROM sessions WHERE id >= %lld; DELETE FROM logins WHERE id >= %lld;"
	         "DELETE FROM spans WHERE id >= %lld; DELETE FROM objects WHERE id >= %lld;"
	         "DELETE FROM processes WHERE id >= %lld;",
	         (long long)c->next_session, (long long)c->next_login, (long long)c->next_span,
	         (long long)c->next_object, (long long)c->next_process);
	if (exec(c, sql) < 0)
		return -1;
	for (i = 0; i < 5; i++)
		if (sqlite3_prepare_v2(c->db, del_sql[i], -1, &del[i], NULL) != SQLITE_OK) {
			snprintf(c->errmsg, sizeof c->errmsg, "%s", sqlite3_errmsg(c->db));
			c->failed = 1;
			goto out;
		}
	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (!o->used || !o->live)
			continue;
		sqlite3_reset(del[3]);
		sqlite3_bind_int64(del[3], 1, o->id);
		sqlite3_step(del[3]);
	}
	if (hs_p11_forget_open(c, del[0], del[1], del[2], del[3], del[4]) < 0 ||
	    hs_au_forget_open(c, del[1], del[3]) < 0)
		goto out;
	rc = 0;
out:
	for (i = 0; i < 5; i++)
		sqlite3_finalize(del[i]);
	return rc;
}

int hs_correlate_replay(struct hs_correlator *c, struct hs_error *err)
{
	if (replay_events(c) < 0 || replay_cleanup(c) < 0)
		return fail(c, err);
	return 0;
}
