/* correlate_p11.c — correlation rules for PKCS#11 call traces (the spy, and
 * any later tracer): they read only the normalized event fields (func, rv,
 * ok, incomplete, session, slot, user_type, keys with their parameter
 * roles, file_id/instance/pid) and, for a few calls, the decoded detail
 * lines (creation templates, C_FindObjects results, C_SessionCancel flags,
 * NULL output buffers).
 *
 * State (see correlate_int.h): one p11_proc per process instance (file,
 * instance) with its slots (open-session count and login per slot) and a
 * ring of recently closed session handles; one p11_sess per open session
 * (file, instance, handle), holding its active operations; one obj per
 * live or recently destroyed object handle (file, instance, handle).
 *
 * Rules, in PKCS#11's own terms:
 *  - a session is (process instance, handle, opening event): C_OpenSession
 *    → C_CloseSession, C_CloseAllSessions of its slot, or C_Finalize;
 *  - a login is per process and slot: successful C_Login/C_LoginUser (not
 *    CKU_CONTEXT_SPECIFIC, which re-authenticates one operation) → C_Logout,
 *    or implicitly the close of the slot's last session or C_Finalize;
 *  - an operation starts with a successful C_xxxInit and ends with a
 *    single-part call or C_xxxFinal unless it returned
 *    CKR_BUFFER_TOO_SMALL or only asked for the output length, or with any
 *    error of an Update; C_SessionCancel cancels; a failed Init is a span of
 *    its own (init_failed);
 *  - object handles are scoped to their process instance: created
 *    (GenerateKey[Pair], CreateObject, CopyObject, UnwrapKey, DeriveKey) or
 *    found (C_FindObjects), used, and destroyed (C_DestroyObject); session
 *    objects (CKA_TOKEN false or absent) die with their session (the
 *    object rules are in correlate_obj.c).
 * Before a process's C_Initialize is seen (a log cut from the middle),
 * unknown sessions and handles are taken as opened before the log, not as
 * anomalies.
 */
#include "correlate_int.h"

#include "hsmscope/chars.h"
#include "hsmscope/detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CKR_BUFFER_TOO_SMALL 0x150
#define CKR_OPERATION_NOT_INITIALIZED 0x91
#define CKR_CRYPTOKI_NOT_INITIALIZED 0x190
#define CKU_CONTEXT_SPECIFIC 2

/* ------------------------------------------------------ operation table */

enum orole { R_INIT, R_SINGLE, R_UPDATE, R_FINAL, R_MSG, R_FIND };

static const struct {
	const char *kind;           /* spans.kind */
	const char *init;           /* its Init function */
	const char *cancel;         /* its word in C_SessionCancel's flags */
} ops[] = {
	{ "Encrypt", "C_EncryptInit", "Encrypt" },
	{ "Decrypt", "C_DecryptInit", "Decrypt" },
	{ "Digest", "C_DigestInit", "Digest" },
	{ "Sign", "C_SignInit", "Sign" },
	{ "SignRecover", "C_SignRecoverInit", "SigRecov" },
	{ "Verify", "C_VerifyInit", "Verify" },
	{ "VerifyRecover", "C_VerifyRecoverInit", "VerRecov" },
	{ "FindObjects", "C_FindObjectsInit", "" },
	{ "MessageEncrypt", "C_MessageEncryptInit", "Encrypt" },
	{ "MessageDecrypt", "C_MessageDecryptInit", "Decrypt" },
	{ "MessageSign", "C_MessageSignInit", "Sign" },
	{ "MessageVerify", "C_MessageVerifyInit", "Verify" },
	{ "VerifySignature", "C_VerifySignatureInit", "Verify" },
};
enum { O_ENC, O_DEC, O_DIG, O_SIGN, O_SIGNREC, O_VER, O_VERREC, O_FIND, O_MENC, O_MDEC, O_MSIGN,
       O_MVER, O_VERSIG, O_COUNT };

static const struct opfunc {
	const char *func;           /* the function */
	int cls, cls2;              /* its operation(s); cls2 -1 unless dual-function */
	enum orole role;            /* what it does to the operation */
} opfuncs[] = {
	{ "C_EncryptInit", O_ENC, -1, R_INIT }, { "C_Encrypt", O_ENC, -1, R_SINGLE },
	{ "C_EncryptUpdate", O_ENC, -1, R_UPDATE }, { "C_EncryptFinal", O_ENC, -1, R_FINAL },
	{ "C_DecryptInit", O_DEC, -1, R_INIT }, { "C_Decrypt", O_DEC, -1, R_SINGLE },
	{ "C_DecryptUpdate", O_DEC, -1, R_UPDATE }, { "C_DecryptFinal", O_DEC, -1, R_FINAL },
	{ "C_DigestInit", O_DIG, -1, R_INIT }, { "C_Digest", O_DIG, -1, R_SINGLE },
	{ "C_DigestUpdate", O_DIG, -1, R_UPDATE }, { "C_DigestKey", O_DIG, -1, R_UPDATE },
	{ "C_DigestFinal", O_DIG, -1, R_FINAL },
	{ "C_SignInit", O_SIGN, -1, R_INIT }, { "C_Sign", O_SIGN, -1, R_SINGLE },
	{ "C_SignUpdate", O_SIGN, -1, R_UPDATE }, { "C_SignFinal", O_SIGN, -1, R_FINAL },
	{ "C_SignRecoverInit", O_SIGNREC, -1, R_INIT }, { "C_SignRecover", O_SIGNREC, -1, R_SINGLE },
	{ "C_VerifyInit", O_VER, -1, R_INIT }, { "C_Verify", O_VER, -1, R_SINGLE },
	{ "C_VerifyUpdate", O_VER, -1, R_UPDATE }, { "C_VerifyFinal", O_VER, -1, R_FINAL },
	{ "C_VerifyRecoverInit", O_VERREC, -1, R_INIT },
	{ "C_VerifyRecover", O_VERREC, -1, R_SINGLE },
	{ "C_FindObjectsInit", O_FIND, -1, R_INIT }, { "C_FindObjects", O_FIND, -1, R_FIND },
	{ "C_FindObjectsFinal", O_FIND, -1, R_FINAL },
	{ "C_MessageEncryptInit", O_MENC, -1, R_INIT }, { "C_EncryptMessage", O_MENC, -1, R_MSG },
	{ "C_EncryptMessageBegin", O_MENC, -1, R_MSG }, { "C_EncryptMessageNext", O_MENC, -1, R_MSG },
	{ "C_MessageEncryptFinal", O_MENC, -1, R_FINAL },
	{ "C_MessageDecryptInit", O_MDEC, -1, R_INIT }, { "C_DecryptMessage", O_MDEC, -1, R_MSG },
	{ "C_DecryptMessageBegin", O_MDEC, -1, R_MSG }, { "C_DecryptMessageNext", O_MDEC, -1, R_MSG },
	{ "C_MessageDecryptFinal", O_MDEC, -1, R_FINAL },
	{ "C_MessageSignInit", O_MSIGN, -1, R_INIT }, { "C_SignMessage", O_MSIGN, -1, R_MSG },
	{ "C_SignMessageBegin", O_MSIGN, -1, R_MSG }, { "C_SignMessageNext", O_MSIGN, -1, R_MSG },
	{ "C_MessageSignFinal", O_MSIGN, -1, R_FINAL },
	{ "C_MessageVerifyInit", O_MVER, -1, R_INIT }, { "C_VerifyMessage", O_MVER, -1, R_MSG },
	{ "C_VerifyMessageBegin", O_MVER, -1, R_MSG }, { "C_VerifyMessageNext", O_MVER, -1, R_MSG },
	{ "C_MessageVerifyFinal", O_MVER, -1, R_FINAL },
	{ "C_VerifySignatureInit", O_VERSIG, -1, R_INIT },
	{ "C_VerifySignature", O_VERSIG, -1, R_SINGLE },
	{ "C_VerifySignatureUpdate", O_VERSIG, -1, R_UPDATE },
	{ "C_VerifySignatureFinal", O_VERSIG, -1, R_FINAL },
	{ "C_DigestEncryptUpdate", O_DIG, O_ENC, R_UPDATE },
	{ "C_DecryptDigestUpdate", O_DEC, O_DIG, R_UPDATE },
	{ "C_SignEncryptUpdate", O_SIGN, O_ENC, R_UPDATE },
	{ "C_DecryptVerifyUpdate", O_DEC, O_VER, R_UPDATE },
};
#define NOPFUNCS ((int)(sizeof opfuncs / sizeof opfuncs[0]))

static const struct opfunc *opfunc_find(const char *func)
{
	int i;

	if (func[0] != 'C' || func[1] != '_')
		return NULL;
	for (i = 0; i < NOPFUNCS; i++)
		if (strcmp(opfuncs[i].func, func) == 0)
			return &opfuncs[i];
	return NULL;
}

static int is_lib_call(const char *f)
{
	return strcmp(f, "C_Initialize") == 0 || strcmp(f, "C_GetFunctionList") == 0 ||
	       strcmp(f, "C_GetInterface") == 0 || strcmp(f, "C_GetInterfaceList") == 0;
}

/* The functions hs_p11_event handles apart (struct p11_fn's kind). */
enum { FK_OTHER, FK_INITIALIZE, FK_FINALIZE, FK_OPEN, FK_CLOSE, FK_CLOSEALL, FK_LOGIN, FK_LOGOUT,
       FK_CANCEL, FK_FIND };

static void fn_classify(const char *f, struct p11_fn *fn)
{
	static const struct {
		const char *name;
		int kind;
	} kinds[] = {
		{ "C_Initialize", FK_INITIALIZE }, { "C_Finalize", FK_FINALIZE },
		{ "C_OpenSession", FK_OPEN }, { "C_CloseSession", FK_CLOSE },
		{ "C_CloseAllSessions", FK_CLOSEALL }, { "C_Login", FK_LOGIN },
		{ "C_LoginUser", FK_LOGIN }, { "C_Logout", FK_LOGOUT },
		{ "C_SessionCancel", FK_CANCEL }, { "C_FindObjects", FK_FIND },
	};
	const struct opfunc *of = opfunc_find(f);
	size_t i;

	fn->kind = FK_OTHER;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(f, kinds[i].name) == 0)
			fn->kind = (unsigned char)kinds[i].kind;
	fn->lib = (unsigned char)is_lib_call(f);
	fn->creator = (unsigned char)hs_p11_is_creator(f);
	fn->op = of ? (signed char)(of - opfuncs) : -1;
}

/* What hs_p11_event asks of f, from c's cache (a miss classifies f and
 * keeps it while a slot is free; a full cache classifies every time). */
static struct p11_fn p11_fn_of(struct hs_correlator *c, const char *f)
{
	struct p11_fn fn;
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	size_t n = strlen(f), k, i;

	if (n < sizeof fn.name) {
		for (i = 0; i < n; i++)
			h = (h ^ (unsigned char)f[i]) * 1099511628211ull;
		for (k = 0; k < FN_CACHE; k++) {
			struct p11_fn *x = &c->fns[(h + k) & (FN_CACHE - 1)];
			if (!x->name[0]) {
				memcpy(x->name, f, n + 1);
				fn_classify(f, x);
				return *x;
			}
			if (memcmp(x->name, f, n + 1) == 0)
				return *x;
		}
	}
	fn_classify(f, &fn);
	return fn;
}

/* Calls whose detail correlation reads (replay selects only those). */
const char *hs_p11_detail_funcs_sql(void)
{
	return "'C_GenerateKey','C_GenerateKeyPair','C_CreateObject','C_CopyObject','C_UnwrapKey',"
	       "'C_DeriveKey','C_FindObjects','C_SessionCancel'";
}

/* Single-part and Final calls, whose NULL output buffer means "length only". */
const char *hs_p11_lenq_funcs_sql(void)
{
	return "'C_Encrypt','C_EncryptFinal','C_Decrypt','C_DecryptFinal','C_Digest','C_DigestFinal',"
	       "'C_Sign','C_SignFinal','C_SignRecover','C_Verify','C_VerifyFinal','C_VerifyRecover',"
	       "'C_FindObjectsFinal','C_MessageEncryptFinal','C_MessageDecryptFinal',"
	       "'C_MessageSignFinal','C_MessageVerifyFinal','C_VerifySignature',"
	       "'C_VerifySignatureFinal'";
}

/* -------------------------------------------------------- process state */

/* Write and forget processes with nothing open, to make room. */
static void proc_evict(struct hs_correlator *c)
{
	int i;

	for (i = 0; i < c->procs.hi; i++) {
		struct p11_proc *p = proc_at(c, i);
		if (!p->used || p->nsess || p->nobjs || p->nslots)
			continue;
		hs_corr_write_process(c, p);
		hs_p11_cnt_end(c, p, 0); /* errors: c->failed says */
		hs_hmap_del(&c->proc_map, &p->key);
		free(p->slots);
		hs_slab_release(&c->procs, i);
	}
}

static int proc_get(struct hs_correlator *c, const struct hs_event *e)
{
	struct ckey k = { e->file_id, e->instance, 0 };
	struct p11_proc *p;
	int pi = hs_hmap_get(&c->proc_map, &k);

	if (pi >= 0)
		return pi;
	pi = hs_slab_alloc(&c->procs);
	if (pi < 0 && c->procs.live >= PROCS_MAX) {
		proc_evict(c);
		pi = hs_slab_alloc(&c->procs);
	}
	if (pi < 0 || hs_hmap_put(&c->proc_map, &k, pi) < 0) {
		if (pi >= 0)
			hs_slab_release(&c->procs, pi);
		c->dropped++;
		return -1;
	}
	p = proc_at(c, pi);
	p->key = k;
	p->id = c->next_process++;
	p->pid = HS_NONE;
	p->first_n = e->n;
	p->init_n = p->final_n = HS_NONE;
	return pi;
}

static struct p11_slot *slot_find(struct p11_proc *p, int64_t slot)
{
	int i;

	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].slot == slot)
			return &p->slots[i];
	return NULL;
}

static struct p11_slot *slot_get(struct p11_proc *p, int64_t slot)
{
	struct p11_slot *sl = slot_find(p, slot);

	if (sl)
		return sl;
	if (p->nslots == p->capslots) {
		int cap = p->capslots ? p->capslots * 2 : 4;
		struct p11_slot *ns = realloc(p->slots, (size_t)cap * sizeof *ns);
		if (!ns)
			return NULL;
		p->slots = ns;
		p->capslots = cap;
	}
	sl = &p->slots[p->nslots++];
	memset(sl, 0, sizeof *sl);
	sl->slot = slot;
	sl->session_id = sl->session = HS_NONE;
	return sl;
}

static void slot_drop_if_idle(struct p11_proc *p, struct p11_slot *sl)
{
	if (sl->nsess > 0 || sl->login_id)
		return;
	*sl = p->slots[--p->nslots];
}

static int end_login(struct hs_correlator *c, struct p11_proc *p, struct p11_slot *sl,
                     int64_t end_n, const char *state, int link)
{
	int rc = hs_corr_write_p11_login(c, p, sl, end_n, state);

	if (!rc && link)
		rc = hs_corr_link(c, sl->login_n, end_n, "login");
	sl->login_id = 0;
	return rc;
}

static void attach_login(struct p11_slot *sl, struct hs_event *e)
{
	if (!sl || !sl->login_id)
		return;
	e->login_id = sl->login_id;
	sl->last_n = e->n;
	sl->calls++;
	if (!e->ok && !e->incomplete)
		sl->errors++;
}

/* ------------------------------------------------------------ sessions */

static struct p11_op *op_find(struct p11_sess *s, int cls)
{
	int i;

	for (i = 0; i < OPS_MAX; i++)
		if (s->ops[i].cls == cls + 1)
			return &s->ops[i];
	return NULL;
}

/* ops[].cls holds the class + 1, so a zeroed slot is free */
static int end_op(struct hs_correlator *c, struct p11_sess *s, struct p11_op *op, int64_t end_n,
                  const char *state, int link)
{
	int rc = hs_corr_write_span(c, op->id, ops[op->cls - 1].kind, s->id, op, end_n, state);

	if (!rc && link)
		rc = hs_corr_link(c, op->init_n, end_n, "span");
	memset(op, 0, sizeof *op);
	return rc;
}

/* Abandon the active operations of a session that ends (or, at the end
 * of the trace, leave them unfinished). */
static int abandon_ops(struct hs_correlator *c, struct p11_sess *s, int64_t n, const char *by,
                       int at_end)
{
	char hb[32];
	int i;

	for (i = 0; i < OPS_MAX; i++) {
		struct p11_op *op = &s->ops[i];
		int64_t init_n = op->init_n, last_n = op->last_n;
		const char *init = op->cls ? ops[op->cls - 1].init : "";
		if (!op->cls)
			continue;
		if (end_op(c, s, op, HS_NONE, at_end ? "unfinished" : "abandoned", 0) < 0)
			return -1;
		if (s->tainted)
			continue;
		if ((at_end ? hs_corr_anomaly(c, NULL, init_n, last_n, AN_INIT_UNFINISHED, 1,
		                           "%s never finished before the log ends (ref: its last call)",
		                           init)
		            : hs_corr_anomaly(c, NULL, init_n, n, AN_INIT_UNFINISHED, 0,
		                           "%s never finished: %s ended session %s (see ref)", init, by,
		                           hs_corr_hex(s->key.c, hb, sizeof hb))) < 0)
			return -1;
	}
	return 0;
}

/* Close session si: by a call at n (close_n HS_NONE: still open when the
 * trace ends, at_end set). */
static int close_session(struct hs_correlator *c, int si, int64_t close_n, const char *state,
                         const char *by, int at_end)
{
	struct p11_sess *s = sess_at(c, si);
	struct p11_proc *p = proc_at(c, s->proc);
	struct p11_slot *sl;
	char hb[32];
	int i;

	if (abandon_ops(c, s, close_n, by, at_end) < 0)
		return -1;
	for (i = 0; s->nobjs > 0 && i < c->objs.hi; i++) { /* its session objects die with it */
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used && o->sess == si && o->key.a >= 0 && hs_p11_obj_end(c, i, at_end ? "live" :
		                                                         "session_closed") < 0)
			return -1;
	}
	if ((at_end ? hs_corr_final_session(c, s, state) : hs_corr_write_session(c, s, close_n, state)) < 0)
		return -1;
	if (at_end) {
		if (strcmp(state, "leaked") == 0 &&
		    hs_corr_anomaly(c, NULL, s->open_n != HS_NONE ? s->open_n : s->first_n, s->last_n,
		                 AN_SESSION_LEAKED, 1,
		                 "session %s was never closed (no C_CloseSession, C_CloseAllSessions or"
		                 " C_Finalize; ref: its last call)", hs_corr_hex(s->key.c, hb, sizeof hb)) < 0)
			return -1;
	} else if (hs_corr_link(c, s->open_n, close_n, "session") < 0) {
		return -1;
	}
	p->closed[p->nclosed % CLOSED_RING].handle = s->key.c;
	p->closed[p->nclosed % CLOSED_RING].close_n = close_n;
	p->nclosed++;
	p->nsess--;
	sl = slot_find(p, s->slot);
	if (sl) {
		sl->nsess--;
		if (sl->nsess <= 0 && sl->login_id && !at_end &&
		    end_login(c, p, sl, close_n, "implicit", 1) < 0)
			return -1;
		if (!at_end)
			slot_drop_if_idle(p, sl);
	}
	hs_hmap_del(&c->sess_map, &s->key);
	hs_slab_release(&c->sess, si);
	return 0;
}

static int open_session(struct hs_correlator *c, int pi, struct hs_event *e, int64_t open_n)
{
	struct p11_proc *p = proc_at(c, pi);
	struct ckey k = { p->key.a, p->key.b, e->session };
	struct p11_sess *s;
	struct p11_slot *sl;
	int si = hs_hmap_get(&c->sess_map, &k);

	if (si >= 0 && close_session(c, si, e->n, "superseded", e->func, 0) < 0)
		return -2;
	si = hs_slab_alloc(&c->sess);
	if (si < 0 || hs_hmap_put(&c->sess_map, &k, si) < 0) {
		if (si >= 0)
			hs_slab_release(&c->sess, si);
		p->overflow = 1;
		c->dropped++;
		return -1;
	}
	s = sess_at(c, si);
	s->key = k;
	s->proc = pi;
	s->id = c->next_session++;
	s->slot = e->slot;
	s->open_n = open_n;
	s->first_n = e->n;
	p->nsess++;
	sl = slot_get(p, s->slot);
	if (sl)
		sl->nsess++;
	return si;
}

/* The open session an event names, or -1; flags calls on sessions that
 * are not open, and follows sessions opened before the log. */
static int session_of(struct hs_correlator *c, int pi, struct hs_event *e)
{
	struct p11_proc *p = proc_at(c, pi);
	struct ckey k = { p->key.a, p->key.b, e->session };
	int si = hs_hmap_get(&c->sess_map, &k), i;
	int64_t closed_n = HS_NONE;
	char hb[32];

	if (si >= 0)
		return si;
	for (i = 0; i < CLOSED_RING && i < p->nclosed; i++)
		if (p->closed[i].handle == e->session &&
		    (closed_n == HS_NONE || p->closed[i].close_n > closed_n))
			closed_n = p->closed[i].close_n;
	if ((p->initialized && !p->overflow) || closed_n != HS_NONE) {
		int rc = closed_n != HS_NONE
		         ? hs_corr_anomaly(c, e, e->n, closed_n, AN_SESSION_NOT_OPEN, 0,
		                        "session %s was closed before (see ref)",
		                        hs_corr_hex(e->session, hb, sizeof hb))
		         : hs_corr_anomaly(c, e, e->n, HS_NONE, AN_SESSION_NOT_OPEN, 0,
		                        "session %s was never opened in this process",
		                        hs_corr_hex(e->session, hb, sizeof hb));
		if (rc < 0)
			return -2;
	}
	if (!e->ok && !e->incomplete)
		return -1;
	/* opened before the log (or lost): follow it from here */
	return open_session(c, pi, e, HS_NONE);
}

static int finalize(struct hs_correlator *c, int pi, struct hs_event *e)
{
	struct p11_proc *p = proc_at(c, pi);
	int i;

	for (i = 0; p->nsess > 0 && i < c->sess.hi; i++) {
		struct p11_sess *s = sess_at(c, i);
		if (s->used && s->proc == pi && close_session(c, i, e->n, "finalized", e->func, 0) < 0)
			return -1;
	}
	for (i = p->nslots - 1; i >= 0; i--)
		if (p->slots[i].login_id && end_login(c, p, &p->slots[i], e->n, "implicit", 1) < 0)
			return -1;
	p->nslots = 0;
	for (i = 0; p->nobjs > 0 && i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used && o->key.a >= 0 && o->owner == pi && hs_p11_obj_end(c, i, "finalized") < 0)
			return -1;
	}
	p->finalized = 1;
	p->final_n = e->n;
	return 0;
}

/* -------------------------------------------------------------- events */

static int op_event(struct hs_correlator *c, struct p11_proc *p, int si, struct hs_event *e,
                    const struct opfunc *of)
{
	struct p11_sess *s = si >= 0 ? sess_at(c, si) : NULL;
	struct p11_op *op;
	int k, i;
	char hb[32];

	if (of->role == R_INIT) {
		if (!s)
			return 0;
		if (!e->ok && !e->incomplete) { /* no operation: a span of its own */
			struct p11_op tmp = { of->cls + 1, c->next_span++, e->n, e->n, 1, 1 };
			e->span_id = tmp.id;
			return hs_corr_write_span(c, tmp.id, ops[of->cls].kind, s->id, &tmp, e->n, "init_failed");
		}
		if ((op = op_find(s, of->cls))) {
			int64_t old = op->init_n;
			if (end_op(c, s, op, HS_NONE, "abandoned", 0) < 0 ||
			    (!s->tainted && hs_corr_anomaly(c, NULL, old, e->n, AN_INIT_UNFINISHED, 0,
			                 "%s never finished: a new %s replaced it (see ref)", e->func,
			                 e->func) < 0))
				return -1;
		}
		s->tainted = e->uncertain;
		for (i = 0; i < OPS_MAX && s->ops[i].cls; i++)
			;
		if (i == OPS_MAX) { /* too many at once: the oldest goes */
			for (k = 1, i = 0; k < OPS_MAX; k++)
				if (s->ops[k].init_n < s->ops[i].init_n)
					i = k;
			if (end_op(c, s, &s->ops[i], HS_NONE, "abandoned", 0) < 0)
				return -1;
		}
		op = &s->ops[i];
		op->cls = of->cls + 1;
		op->id = c->next_span++;
		op->init_n = op->last_n = e->n;
		op->calls = 1;
		e->span_id = op->id;
		return 0;
	}
	for (k = 0; k < 2; k++) {
		int cls = k ? of->cls2 : of->cls, ends = 0;
		const char *state = "done";
		if (cls < 0)
			continue;
		op = s ? op_find(s, cls) : NULL;
		if (!op) {
			if (s && s->tainted)
				continue;
			if (((s && s->open_n != HS_NONE && !p->overflow) ||
			     e->rv == CKR_OPERATION_NOT_INITIALIZED) &&
			    hs_corr_anomaly(c, e, e->n, HS_NONE, AN_OP_WITHOUT_INIT, 0,
			                 "%s with no %s active in session %s",
			                 e->func, ops[cls].init, hs_corr_hex(e->session, hb, sizeof hb)) < 0)
				return -1;
			continue;
		}
		op->last_n = e->n;
		if (e->span_id == HS_NONE) { /* a dual-function update counts in its first span */
			e->span_id = op->id;
			op->calls++;
			if (!e->ok && !e->incomplete)
				op->errors++;
		}
		if (e->incomplete)
			ends = 0;
		else if (of->role == R_SINGLE || of->role == R_FINAL)
			ends = e->ok ? !hs_p11_is_length_query(c, e) : e->rv != CKR_BUFFER_TOO_SMALL;
		else if (of->role == R_UPDATE)
			ends = !e->ok;
		if (!e->ok)
			state = "failed";
		if (ends) {
			e->peer = op->init_n;
			if (end_op(c, s, op, e->n, state, 1) < 0)
				return -1;
		}
	}
	return 0;
}

/* Does the value v name the word w ("Encrypt Sign": the spy's flag
 * names, blank-separated)? */
static int names_word(struct hs_dstr v, const char *w)
{
	size_t i = 0, j;

	while (i < v.n) {
		for (j = i; j < v.n && hs_is_word(v.s[j]); j++)
			;
		if (hs_dstr_is((struct hs_dstr){ v.s + i, j - i }, w))
			return 1;
		i = j + 1;
	}
	return 0;
}

/* C_SessionCancel: its [in] parameter "flags = Encrypt Sign " (read by the
 * detail reader, detail.h) ends those operations. */
static int session_cancel(struct hs_correlator *c, struct p11_sess *s, struct hs_event *e)
{
	struct hs_detail_iter it;
	struct hs_detail_item x;
	int i;

	hs_detail_iter_init(&it, e->detail.data, e->detail.len);
	while (hs_detail_next(&it, &x)) {
		if (x.kind != HS_DI_PARAM || x.out || !hs_dstr_is(x.name, "flags"))
			continue;
		for (i = 0; i < OPS_MAX; i++) {
			struct p11_op *op = &s->ops[i];
			const char *w = op->cls ? ops[op->cls - 1].cancel : "";
			if (!op->cls || !*w || !names_word(x.value, w))
				continue;
			if (e->span_id == HS_NONE)
				e->span_id = op->id;
			op->calls++;
			op->last_n = e->n;
			if (end_op(c, s, op, e->n, "cancelled", 1) < 0)
				return -1;
		}
	}
	return 0;
}

/* Whether the spy's call number of e says which calls of its process are
 * missing. The spy counts calls per process (a static counter of the
 * loaded spy). The new header names the process of each call; the old one
 * does not, and the parser tells processes apart by those very numbers, so
 * they are sound only while the file has one process (instance 0): once a
 * second appears, the first's counter is given up. A call whose
 * attribution is uncertain gives its process's counter up too: its number
 * may be another process's. Given up: no call_no_gap from that process. */
static int spy_cnt_sound(struct hs_correlator *c, struct p11_proc *p, const struct hs_event *e)
{
	if (!p->cnt_off && e->pid == HS_NONE && e->instance != 0) {
		struct ckey k = { e->file_id, 0, 0 };
		int first = hs_hmap_get(&c->proc_map, &k);
		if (first >= 0 && !proc_at(c, first)->cnt_off) {
			free(proc_at(c, first)->cnt);
			proc_at(c, first)->cnt = NULL;
			proc_at(c, first)->cnt_off = 1;
		}
		p->cnt_off = 1;
	}
	if (!p->cnt_off && e->uncertain) {
		free(p->cnt);
		p->cnt = NULL;
		p->cnt_off = 1;
	}
	return !p->cnt_off;
}

int hs_p11_event(struct hs_correlator *c, struct hs_event *e)
{
	const char *f = e->func;
	const struct p11_fn fn = p11_fn_of(c, f);
	struct p11_proc *p;
	struct p11_slot *sl = NULL;
	int pi = proc_get(c, e), si = -1, i;
	char hb[32];

	if (pi < 0)
		return 0;
	p = proc_at(c, pi);
	if (e->pid != HS_NONE)
		p->pid = e->pid;
	p->last_n = e->n;
	p->calls++;
	if (!e->ok && !e->incomplete)
		p->errors++;
	/* libpkcs11shim numbers calls per process and prints the pid on every
	 * line; so does the spy (one counter per process) where its numbers
	 * are sound (spy_cnt_sound) */
	if (e->call_no != HS_NONE && e->format &&
	    (strcmp(e->format, "shim") == 0 || (strcmp(e->format, "spy") == 0 && spy_cnt_sound(c, p, e))) &&
	    hs_p11_cnt_check(c, p, e) < 0)
		return -1;
	if (e->incomplete &&
	    hs_corr_anomaly(c, e, e->n, HS_NONE, AN_NEVER_RETURNED, 0, "%s never returned: its thread made no"
	                 " further call, or the log ends", f) < 0)
		return -1;
	if (p->finalized && !fn.lib)
		return hs_corr_anomaly(c, e, e->n, p->final_n, AN_CALL_AFTER_FINALIZE, 0,
		                    "%s after C_Finalize (see ref)", f);

	/* Only the function-list calls may precede C_Initialize. Before it, a
	 * call is flagged when the process's start is in the log (it loaded the
	 * module here) or the module said so: in an excerpt it is no finding. */
	if (fn.lib && fn.kind != FK_INITIALIZE)
		p->loaded = 1;
	else if (!p->initialized && fn.kind != FK_INITIALIZE &&
	         (p->loaded || e->rv == CKR_CRYPTOKI_NOT_INITIALIZED) &&
	         hs_corr_anomaly(c, e, e->n, HS_NONE, AN_CALL_BEFORE_INITIALIZE, 0,
	                      "%s before C_Initialize in this process", f) < 0)
		return -1;
	if (fn.kind == FK_INITIALIZE) {
		p->initialized = 1;
		if (e->ok || e->incomplete) {
			p->finalized = 0;
			if (p->init_n == HS_NONE)
				p->init_n = e->n;
		}
		return 0;
	}
	if (fn.kind == FK_FINALIZE)
		return e->ok ? finalize(c, pi, e) : 0;
	if (fn.kind == FK_OPEN) {
		/* tpm2-pkcs11 logs no arguments: a missing handle says nothing */
		if (e->ok && e->session == HS_NONE && !(e->format && strcmp(e->format, "tpm2") == 0))
			return hs_corr_anomaly(c, e, e->n, HS_NONE, AN_HANDLE_MISSING, 0,
			                    "C_OpenSession returned CKR_OK but the log shows no session handle");
		if (!e->ok)
			return 0;
		if ((si = open_session(c, pi, e, e->n)) < -1)
			return -1;
		if (si >= 0) {
			struct p11_sess *s = sess_at(c, si);
			s->calls = 1;
			s->last_n = e->n;
			e->session_id = s->id;
			attach_login(slot_find(proc_at(c, pi), s->slot), e);
		}
		return 0;
	}

	if (e->session != HS_NONE) {
		if ((si = session_of(c, pi, e)) < -1)
			return -1;
		p = proc_at(c, pi);
		if (si >= 0) {
			struct p11_sess *s = sess_at(c, si);
			s->tainted |= e->uncertain;
			e->session_id = s->id;
			s->last_n = e->n;
			s->calls++;
			if (!e->ok && !e->incomplete)
				s->errors++;
			sl = slot_find(p, s->slot);
		}
	} else if (e->slot != HS_NONE) {
		sl = slot_find(p, e->slot);
	}
	attach_login(sl, e);

	if (fn.kind == FK_CLOSE) {
		if (si >= 0 && e->ok) {
			e->peer = sess_at(c, si)->open_n != HS_NONE ? sess_at(c, si)->open_n : HS_NONE;
			return close_session(c, si, e->n, "closed", f, 0);
		}
		return 0;
	}
	if (fn.kind == FK_CLOSEALL) {
		if (!e->ok)
			return 0;
		for (i = 0; p->nsess > 0 && i < c->sess.hi; i++) {
			struct p11_sess *s = sess_at(c, i);
			if (s->used && s->proc == pi && (s->slot == e->slot || s->slot == HS_NONE ||
			                                 e->slot == HS_NONE) &&
			    close_session(c, i, e->n, "closed_all", f, 0) < 0)
				return -1;
			p = proc_at(c, pi);
		}
		return 0;
	}
	if (fn.kind == FK_LOGIN) {
		struct p11_sess *s = si >= 0 ? sess_at(c, si) : NULL;
		if (hs_p11_pin_check(c, s ? s->slot : e->slot, e) < 0)
			return -1;
		if (e->user_type == CKU_CONTEXT_SPECIFIC) { /* re-authentication of one operation */
			for (i = 0; s && i < OPS_MAX; i++)
				if (s->ops[i].cls && e->span_id == HS_NONE) {
					e->span_id = s->ops[i].id;
					s->ops[i].calls++;
					s->ops[i].last_n = e->n;
				}
			return 0;
		}
		if (!e->ok)
			return 0;
		sl = slot_get(p, s ? s->slot : e->slot);
		if (!sl)
			return 0;
		if (sl->login_id && end_login(c, p, sl, e->n, "superseded", 0) < 0)
			return -1;
		sl->login_id = c->next_login++;
		sl->login_n = sl->last_n = e->n;
		sl->user_type = e->user_type;
		sl->session_id = s ? s->id : HS_NONE;
		sl->session = e->session;
		sl->calls = 1;
		sl->errors = 0;
		e->login_id = sl->login_id;
		return 0;
	}
	if (fn.kind == FK_LOGOUT) {
		if (!e->ok)
			return 0;
		if (sl && sl->login_id) {
			e->peer = sl->login_n;
			if (end_login(c, p, sl, e->n, "ended", 1) < 0)
				return -1;
			slot_drop_if_idle(p, sl);
			return 0;
		}
		if (p->initialized && !p->overflow && si >= 0)
			return hs_corr_anomaly(c, e, e->n, HS_NONE, AN_LOGOUT_WITHOUT_LOGIN, 0,
			                    "C_Logout with no C_Login before it (session %s)",
			                    hs_corr_hex(e->session, hb, sizeof hb));
		return 0;
	}
	if (fn.kind == FK_CANCEL)
		return si >= 0 && e->ok ? session_cancel(c, sess_at(c, si), e) : 0;
	if (fn.op >= 0 && op_event(c, p, si, e, &opfuncs[fn.op]) < 0)
		return -1;
	if (e->nkeys || fn.kind == FK_FIND || fn.creator)
		return hs_p11_objects(c, pi, si, e);
	return 0;
}

/* --------------------------------------------------------------- finish */

int hs_p11_finish(struct hs_correlator *c)
{
	int i, j;

	if (hs_p11_checks_finish(c) < 0)
		return -1;
	for (i = 0; i < c->sess.hi; i++) {
		struct p11_sess *s = sess_at(c, i);
		/* a session whose opening the log does not show (an excerpt)
		 * cannot be called leaked: it may be closed after the excerpt */
		if (s->used && close_session(c, i, HS_NONE, s->open_n == HS_NONE ? "open" : "leaked", "",
		                             1) < 0)
			return -1;
	}
	for (i = 0; i < c->procs.hi; i++) {
		struct p11_proc *p = proc_at(c, i);
		if (!p->used)
			continue;
		for (j = 0; j < p->nslots; j++) {
			struct p11_slot *sl = &p->slots[j];
			char hb[32];
			if (!sl->login_id)
				continue;
			if (hs_corr_final_p11_login(c, p, sl) < 0 ||
			    hs_corr_anomaly(c, NULL, sl->login_n, sl->last_n, AN_LOGIN_UNENDED, 1,
			                 "login on slot %s never ended: no C_Logout, last session close or"
			                 " C_Finalize before the log ends", hs_corr_hex(sl->slot, hb, sizeof hb)) < 0)
				return -1;
		}
		if (hs_corr_final_process(c, p) < 0)
			return -1;
	}
	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used && o->live && o->key.a >= 0 && hs_corr_final_object(c, o, NULL) < 0)
			return -1;
	}
	return 0;
}

int hs_p11_nops(void)
{
	return O_COUNT;
}

void hs_p11_free(struct hs_correlator *c)
{
	int i;

	for (i = 0; i < c->procs.hi; i++) {
		struct p11_proc *p = proc_at(c, i);
		if (p->used) {
			free(p->slots);
			free(p->cnt);
		}
	}
	free(c->pinruns);
	c->pinruns = NULL;
}
