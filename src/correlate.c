/* correlate.c — the correlator's frame: setup, the rows it emits into its
 * sink, end of trace, and the two small containers the rules use. The
 * rules themselves are in correlate_p11.c (call traces: processes,
 * sessions, logins, operations), correlate_obj.c (their object handles,
 * and the detail lines correlation reads) and correlate_audit.c (CloudHSM:
 * streams, gaps, reboots, logins, keys, cluster view); correlate_state.c
 * saves and loads the state; correlate_int.h describes it. Nothing here
 * knows SQL: correlate_store.c is the sink that writes the index.
 *
 * Data structures: `struct hmap` maps a three-integer key to a record index
 * (open addressing with linear probing; deletion shifts the following
 * entries back, so there are no tombstones and probes stay short); `struct
 * slab` holds fixed-size records whose indexes stay valid while they are
 * in use. Both grow by doubling up to a cap.
 *
 * Rows: every row is emitted when the thing it describes ends, or by
 * finish() for what is still open; event rows are never updated (index.c
 * stores session_id, login_id and span_id with the row, after
 * hs_correlate_event() set them). A process, live object, open session or
 * open login whose row finish() would emit unchanged (row_hash: what the
 * store holds for it) is not emitted again: a refresh that goes on from a
 * saved state would otherwise rewrite every process of the log and every
 * session left open.
 *
 * Replay (hs_correlate_replay_event): stored events are run through the
 * same rules again with rows switched off; ids are handed out in event
 * order, so the replayed state has the ids the stored rows carry.
 */
#include "correlate_int.h"

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
		"the tracer's own call counter (libpkcs11shim [cnt], pkcs11-spy N:) jumped: calls are missing"
		" from the log" },
};

const char *hs_correlate_anomaly_kind(int i, const char **help)
{
	if (i < 0 || i >= AN_COUNT)
		return NULL;
	if (help)
		*help = kinds[i].help;
	return kinds[i].kind;
}

/* ----------------------------------------------------------------- rows */

/* Hand a row to the sink; 0, or -1 when it refused (c->failed set). */
static int emit(struct hs_correlator *c, const struct hs_corr_row *r)
{
	struct hs_error e;

	if (c->replaying || c->failed || !c->sink.on_row)
		return c->failed ? -1 : 0;
	hs_error_clear(&e);
	if (c->sink.on_row(c->sink.ctx, r, &e) == 0)
		return 0;
	snprintf(c->errmsg, sizeof c->errmsg, "%.200s", e.msg[0] ? e.msg : "a row was refused");
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
	struct hs_corr_row r;
	va_list ap;

	if (c->quiet) /* nothing drawn from lines that may be another call's */
		return 0;
	if (e) {
		size_t l = strlen(e->anomalies), k = strlen(kinds[kind].kind);
		if (!strstr(e->anomalies, kinds[kind].kind) && l + k + 2 < sizeof e->anomalies)
			snprintf(e->anomalies + l, sizeof e->anomalies - l, "%s%s", l ? "," : "",
			         kinds[kind].kind);
	}
	if (c->replaying || c->failed || !c->sink.on_row)
		return c->failed ? -1 : 0;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	memset(&r, 0, sizeof r);
	r.kind = HS_CROW_ANOMALY;
	r.u.anomaly.n = n;
	r.u.anomaly.ref = ref;
	r.u.anomaly.kind = kinds[kind].kind;
	r.u.anomaly.detail = detail;
	r.u.anomaly.at_end = at_end;
	return emit(c, &r);
}

int hs_corr_link(struct hs_correlator *c, int64_t a, int64_t b, const char *kind)
{
	struct hs_corr_row r;

	if (a == HS_NONE || b == HS_NONE || a == b)
		return 0;
	memset(&r, 0, sizeof r);
	r.kind = HS_CROW_LINK;
	r.u.link.n = a;
	r.u.link.peer = b;
	r.u.link.kind = kind;
	return emit(c, &r);
}

static void session_row(const struct hs_correlator *c, const struct p11_sess *s, int64_t close_n,
                        const char *state, struct hs_corr_row *r)
{
	const struct p11_proc *p = SLAB_AT(&c->procs, s->proc, struct p11_proc);
	struct hs_crow_session *w = &r->u.session;

	memset(r, 0, sizeof *r);
	r->kind = HS_CROW_SESSION;
	w->id = s->id;
	w->process_id = p->id;
	w->file_id = s->key.a;
	w->instance = s->key.b;
	w->slot = s->slot;
	w->handle = s->key.c;
	w->open_n = s->open_n;
	w->close_n = close_n;
	w->first_n = s->first_n;
	w->last_n = s->last_n;
	w->calls = s->calls;
	w->errors = s->errors;
	w->state = state;
}

int hs_corr_write_session(struct hs_correlator *c, const struct p11_sess *s, int64_t close_n,
                       const char *state)
{
	struct hs_corr_row r;

	session_row(c, s, close_n, state, &r);
	return emit(c, &r);
}

static void p11_login_row(const struct p11_proc *p, const struct p11_slot *sl, int64_t logout_n,
                          const char *state, struct hs_corr_row *r)
{
	struct hs_crow_login *w = &r->u.login;

	memset(r, 0, sizeof *r);
	r->kind = HS_CROW_LOGIN;
	w->id = sl->login_id;
	w->process_id = p->id;
	w->file_id = p->key.a;
	w->instance = p->key.b;
	w->slot = sl->slot;
	w->user_type = sl->user_type;
	w->session_id = sl->session_id;
	w->session = sl->session;
	w->login_n = sl->login_n;
	w->logout_n = logout_n;
	w->last_n = sl->last_n;
	w->calls = sl->calls;
	w->errors = sl->errors;
	w->state = state;
}

int hs_corr_write_p11_login(struct hs_correlator *c, const struct p11_proc *p,
                         const struct p11_slot *sl, int64_t logout_n, const char *state)
{
	struct hs_corr_row r;

	p11_login_row(p, sl, logout_n, state, &r);
	return emit(c, &r);
}

int hs_corr_write_au_login(struct hs_correlator *c, const struct au_stream *s,
                        const struct au_login *l, int64_t logout_n, const char *state)
{
	struct hs_corr_row r;
	struct hs_crow_login *w = &r.u.login;

	memset(&r, 0, sizeof r);
	r.kind = HS_CROW_LOGIN;
	w->id = l->id;
	w->process_id = w->instance = w->slot = w->session_id = HS_NONE;
	w->file_id = s->file_id;
	w->hsm = s->hsm;
	w->user_type = l->user_type;
	w->user = l->user;
	w->session = l->session;
	w->login_n = l->login_n;
	w->logout_n = logout_n;
	w->last_n = l->last_n;
	w->calls = l->calls;
	w->errors = l->errors;
	w->state = state;
	return emit(c, &r);
}

int hs_corr_write_span(struct hs_correlator *c, int64_t id, const char *kind, int64_t session_id,
                    const struct p11_op *op, int64_t end_n, const char *state)
{
	struct hs_corr_row r;
	struct hs_crow_span *w = &r.u.span;

	memset(&r, 0, sizeof r);
	r.kind = HS_CROW_SPAN;
	w->id = id;
	w->kind = kind;
	w->session_id = session_id;
	w->init_n = op->init_n;
	w->end_n = end_n;
	w->last_n = op->last_n;
	w->calls = op->calls;
	w->errors = op->errors;
	w->state = state;
	return emit(c, &r);
}

/* A hash of a row's values: equal rows, equal hashes (0 is kept for
 * "none"). Only rows of one kind are compared. Word by word: finish()
 * hashes every process of the log. */
static uint64_t mix_word(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static uint64_t mix(uint64_t h, const int64_t *v, size_t n)
{
	while (n--)
		h = mix_word(h, (uint64_t)*v++);
	return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	uint64_t w;
	size_t n;

	if (!s || !*s)
		return mix_word(h, 0x7f);
	for (n = strlen(s); n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = mix_word(h, w);
	}
	w = 0; /* the rest, with the length in the top byte */
	memcpy(&w, s, n);
	return mix_word(h, w ^ ((uint64_t)n << 56));
}

static void object_row(const struct hs_correlator *c, const struct obj *o, const char *hsm,
                       struct hs_corr_row *r)
{
	struct hs_crow_object *w = &r->u.object;

	(void)c;
	memset(r, 0, sizeof *r);
	r->kind = HS_CROW_OBJECT;
	w->id = o->id;
	w->file_id = o->key.a >= 0 ? o->key.a : HS_NONE;
	w->instance = o->key.a >= 0 ? o->key.b : HS_NONE;
	w->hsm = hsm;
	w->handle = o->handle;
	w->label = o->label;
	w->obj_id = o->obj_id;
	w->cls = o->cls;
	w->token = o->token >= 0 ? o->token : HS_NONE;
	w->session_id = o->session_id;
	w->created_n = o->created_n;
	w->found_n = o->found_n;
	w->destroyed_n = o->destroyed_n;
	w->last_n = o->last_n;
	w->uses = o->uses;
	w->state = o->state;
}

static uint64_t object_hash(const struct hs_corr_row *r)
{
	const struct hs_crow_object *w = &r->u.object;
	int64_t v[11] = { w->id, w->file_id, w->instance, w->handle, w->token, w->session_id,
	                  w->created_n, w->found_n, w->destroyed_n, w->last_n, w->uses };
	uint64_t h = mix(0xcbf29ce484222325ull, v, sizeof v / sizeof v[0]);

	h = mix_str(mix_str(mix_str(mix_str(mix_str(h, w->hsm), w->label), w->obj_id), w->cls),
	            w->state);
	return h ? h : 1;
}

uint64_t hs_corr_object_hash(const struct hs_correlator *c, const struct obj *o, const char *hsm)
{
	struct hs_corr_row r;

	object_row(c, o, hsm, &r);
	return object_hash(&r);
}

int hs_corr_write_object(struct hs_correlator *c, struct obj *o, const char *hsm)
{
	struct hs_corr_row r;

	object_row(c, o, hsm, &r);
	if (emit(c, &r) < 0)
		return -1;
	if (!c->replaying)
		o->row_hash = object_hash(&r);
	return 0;
}

int hs_corr_final_object(struct hs_correlator *c, struct obj *o, const char *hsm)
{
	struct hs_corr_row r;

	object_row(c, o, hsm, &r);
	if (o->row_hash && o->row_hash == object_hash(&r))
		return 0; /* the store has this row already */
	return hs_corr_write_object(c, o, hsm);
}

static void process_row(const struct p11_proc *p, struct hs_corr_row *r)
{
	struct hs_crow_process *w = &r->u.process;

	memset(r, 0, sizeof *r);
	r->kind = HS_CROW_PROCESS;
	w->id = p->id;
	w->file_id = p->key.a;
	w->instance = p->key.b;
	w->pid = p->pid;
	w->first_n = p->first_n;
	w->last_n = p->last_n;
	w->init_n = p->init_n;
	w->final_n = p->final_n;
	w->calls = p->calls;
	w->errors = p->errors;
	w->state = p->finalized ? "finalized" : "running";
}

static uint64_t process_hash(const struct hs_corr_row *r)
{
	const struct hs_crow_process *w = &r->u.process;
	int64_t v[10] = { w->id, w->file_id, w->instance, w->pid, w->first_n, w->last_n,
	                  w->init_n, w->final_n, w->calls, w->errors };
	uint64_t h = mix_str(mix(0xcbf29ce484222325ull, v, sizeof v / sizeof v[0]), w->state);

	return h ? h : 1;
}

uint64_t hs_corr_process_hash(const struct p11_proc *p)
{
	struct hs_corr_row r;

	process_row(p, &r);
	return process_hash(&r);
}

int hs_corr_write_process(struct hs_correlator *c, struct p11_proc *p)
{
	struct hs_corr_row r;

	process_row(p, &r);
	if (emit(c, &r) < 0)
		return -1;
	if (!c->replaying)
		p->row_hash = process_hash(&r);
	return 0;
}

/* Untouched since the state was saved: every change to a process row
 * comes with an event of it, which moves last_n past stable_n. Then its
 * row_hash is its hash now, not worth computing for every process. */
int hs_corr_process_unchanged(const struct hs_correlator *c, const struct p11_proc *p)
{
	return p->row_hash && p->last_n != HS_NONE && p->last_n <= c->stable_n;
}

int hs_corr_final_process(struct hs_correlator *c, struct p11_proc *p)
{
	if (hs_corr_process_unchanged(c, p))
		return 0; /* the store has this row already */
	if (p->row_hash && p->row_hash == hs_corr_process_hash(p))
		return 0; /* the store has this row already */
	return hs_corr_write_process(c, p);
}

/* The state finish() gives a session still open (correlate_p11.c): one
 * whose opening the log does not show is "open", else "leaked". */
static const char *end_session_state(const struct p11_sess *s)
{
	return s->open_n == HS_NONE ? "open" : "leaked";
}

uint64_t hs_corr_end_session_hash(const struct hs_correlator *c, const struct p11_sess *s)
{
	struct hs_corr_row r;
	const struct hs_crow_session *w = &r.u.session;

	session_row(c, s, HS_NONE, end_session_state(s), &r);
	int64_t v[12] = { w->id, w->process_id, w->file_id, w->instance, w->slot, w->handle,
	                  w->open_n, w->close_n, w->first_n, w->last_n, w->calls, w->errors };
	uint64_t h = mix_str(mix(0x84222325cbf29ce4ull, v, sizeof v / sizeof v[0]), w->state);
	return h ? h : 1;
}

uint64_t hs_corr_end_login_hash(const struct p11_proc *p, const struct p11_slot *sl)
{
	struct hs_corr_row r;
	const struct hs_crow_login *w = &r.u.login;

	p11_login_row(p, sl, HS_NONE, "open", &r);
	int64_t v[13] = { w->id, w->process_id, w->file_id, w->instance, w->slot, w->user_type,
	                  w->session_id, w->session, w->login_n, w->logout_n, w->last_n, w->calls,
	                  w->errors };
	uint64_t h = mix_str(mix(0x2325cbf29ce48422ull, v, sizeof v / sizeof v[0]), w->state);
	return h ? h : 1;
}

int hs_corr_final_session(struct hs_correlator *c, const struct p11_sess *s, const char *state)
{
	if (s->row_hash && strcmp(state, end_session_state(s)) == 0 &&
	    s->row_hash == hs_corr_end_session_hash(c, s))
		return 0; /* the store has this row already */
	return hs_corr_write_session(c, s, HS_NONE, state);
}

int hs_corr_final_p11_login(struct hs_correlator *c, const struct p11_proc *p,
                            const struct p11_slot *sl)
{
	if (sl->row_hash && sl->row_hash == hs_corr_end_login_hash(p, sl))
		return 0;
	return hs_corr_write_p11_login(c, p, sl, HS_NONE, "open");
}

int hs_corr_write_stream(struct hs_correlator *c, const struct au_stream *s)
{
	struct hs_corr_row r;
	struct hs_crow_stream *w = &r.u.stream;

	memset(&r, 0, sizeof r);
	r.kind = HS_CROW_STREAM;
	w->id = s->id;
	w->hsm = s->hsm;
	w->file_id = s->file_id;
	w->first_n = s->first_n;
	w->last_n = s->last_n;
	w->first_ts = s->first_ts;
	w->last_ts = s->last_ts;
	w->events = s->events;
	w->errors = s->errors;
	w->reboots = s->reboots;
	w->gaps = s->gaps;
	w->missing = s->missing;
	return emit(c, &r);
}

int hs_corr_write_gap(struct hs_correlator *c, int64_t n, const char *hsm, int64_t after,
                   int64_t before, int64_t missing)
{
	struct hs_corr_row r;

	memset(&r, 0, sizeof r);
	r.kind = HS_CROW_GAP;
	r.u.gap.n = n;
	r.u.gap.hsm = hsm;
	r.u.gap.after = after;
	r.u.gap.before = before;
	r.u.gap.missing = missing;
	return emit(c, &r);
}

int hs_corr_write_attr(struct hs_correlator *c, int64_t n, const char *users)
{
	struct hs_corr_row r;

	if (!users || !*users)
		return 0;
	memset(&r, 0, sizeof r);
	r.kind = HS_CROW_ATTR;
	r.u.attr.n = n;
	r.u.attr.users = users;
	return emit(c, &r);
}

/* ------------------------------------------------------------ lifecycle */

/* A fresh state in a zeroed c. */
static void corr_init(struct hs_correlator *c)
{
	c->next_process = c->next_session = c->next_login = c->next_span = c->next_object =
		c->next_stream = 1;
	c->procs.size = sizeof(struct p11_proc);
	c->procs.max = PROCS_MAX;
	c->sess.size = sizeof(struct p11_sess);
	c->sess.max = SESSIONS_MAX;
	c->objs.size = sizeof(struct obj);
	c->objs.max = OBJECTS_MAX;
}

int hs_correlate_new(const struct hs_corr_sink *sink, struct hs_correlator **out,
                     struct hs_error *err)
{
	struct hs_correlator *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	if (sink)
		c->sink = *sink;
	corr_init(c);
	*out = c;
	return 0;
}

void hs_correlate_free(struct hs_correlator *c)
{
	if (!c)
		return;
	hs_corr_clear(c);
	free(c);
}

void hs_corr_clear(struct hs_correlator *c)
{
	int i;

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
	{
		struct hs_corr_sink sink = c->sink;
		memset(c, 0, sizeof *c);
		c->sink = sink;
		corr_init(c);
	}
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
	if (e->n > c->seen_n)
		c->seen_n = e->n;
	c->quiet = e->uncertain;
	rc = is_audit(e) ? hs_au_event(c, e) : hs_p11_event(c, e);
	c->quiet = 0;
	if (rc < 0 || c->failed)
		return fail(c, err);
	return 0;
}

int hs_correlate_replay_event(struct hs_correlator *c, struct hs_event *e, int length_query,
                              struct hs_error *err)
{
	int rc;

	c->replaying = 1;
	c->replay_lenq = length_query;
	rc = hs_correlate_event(c, e, err);
	c->replaying = 0;
	return rc;
}

int hs_correlate_finish(struct hs_correlator *c, struct hs_error *err)
{
	if (hs_p11_finish(c) < 0 || hs_au_finish(c) < 0 || c->failed)
		return fail(c, err);
	return 0;
}

const char *hs_correlate_detail_funcs_sql(void) { return hs_p11_detail_funcs_sql(); }
const char *hs_correlate_lenq_funcs_sql(void) { return hs_p11_lenq_funcs_sql(); }

int hs_correlate_length_query(const char *detail, size_t len)
{
	return hs_p11_length_query(detail, len);
}

int64_t hs_correlate_next_id(const struct hs_correlator *c, enum hs_corr_kind kind)
{
	switch (kind) {
	case HS_CROW_SESSION: return c->next_session;
	case HS_CROW_LOGIN: return c->next_login;
	case HS_CROW_SPAN: return c->next_span;
	case HS_CROW_OBJECT: return c->next_object;
	case HS_CROW_PROCESS: return c->next_process;
	case HS_CROW_STREAM: return c->next_stream;
	default: return 0;
	}
}

void hs_correlate_open_rows(const struct hs_correlator *c,
                            void (*cb)(void *ctx, enum hs_corr_kind kind, int64_t id), void *ctx)
{
	int i, j;

	for (i = 0; i < c->objs.hi; i++) {
		const struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used && o->live)
			cb(ctx, HS_CROW_OBJECT, o->id);
	}
	for (i = 0; i < c->sess.hi; i++) {
		const struct p11_sess *s = SLAB_AT(&c->sess, i, struct p11_sess);
		if (!s->used)
			continue;
		cb(ctx, HS_CROW_SESSION, s->id);
		for (j = 0; j < OPS_MAX; j++)
			if (s->ops[j].cls)
				cb(ctx, HS_CROW_SPAN, s->ops[j].id);
	}
	for (i = 0; i < c->procs.hi; i++) {
		const struct p11_proc *p = SLAB_AT(&c->procs, i, struct p11_proc);
		if (!p->used)
			continue;
		cb(ctx, HS_CROW_PROCESS, p->id);
		for (j = 0; j < p->nslots; j++)
			if (p->slots[j].login_id)
				cb(ctx, HS_CROW_LOGIN, p->slots[j].login_id);
	}
	for (i = 0; i < c->nstreams; i++)
		for (j = 0; j < c->streams[i].nlogins; j++)
			cb(ctx, HS_CROW_LOGIN, c->streams[i].logins[j].id);
}
