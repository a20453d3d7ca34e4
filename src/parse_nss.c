/* parse_nss.c — the NSS PKCS#11 module logger (NSS lib/pk11wrap/debug_module.c),
 * enabled with NSS_DEBUG_PKCS11_MODULE="<module name>" and
 * NSPR_LOG_MODULES=nss_mod_log:N (NSPR_LOG_FILE=path, else stderr).
 *
 * Every line goes through NSPR's PR_LogPrint, which puts
 *     [YYYY-MM-DD HH:MM:SS.uuuuuu UTC - ]<id>[<PRThread ptr>]: <message>
 * in front (the time only with NSPR's "timestamp" option, always UTC; id is
 * the OS thread id, printed signed; no pid anywhere). A call is
 *     C_Login                     the name, no indent (level 1)
 *       hSession = 0x1            inputs, two blanks (level 3)
 *       *phSession = 0x1          outputs after the call, whatever rv is (level 4)
 *         CKA_LABEL = "k1" [2]    template attributes, four blanks (level 4)
 *           mechanism = CKM_X     the mechanism, six blanks (level 4)
 *       rv = CKR_PIN_INCORRECT    the return: a CKR_ name, or 0x%x (level 1)
 * PINs and data buffers are only ever printed as pointers and lengths;
 * attribute values print as CK_TRUE/CK_FALSE, CKO_/CKK_/CKT_ names, a
 * number, "quoted text" [len], a DER name as text, or the upper-case hex of
 * their first 24 bytes [len]; "[0x<addr>] [len]" when there is no value.
 * Each is translated into the spy layout through p11call.h, byte values as
 * dumps. When the traced process shuts NSS down, the logger prints its own
 * table (function, calls, total time, average) to stdout or
 * $NSS_OUTPUT_FILE — not to the NSPR log — so it is in the file only when
 * the user captured both streams; its rows go to sink->on_tracer_stat.
 *
 * Data structure: `q` is the FIFO of calls (callq.h) in the order their
 * first lines were read; a call leaves it (is emitted) once it and every
 * call before it have returned, or when the FIFO is full. A line belongs to the open call
 * of its thread (the whole "id[ptr]" prefix, hashed): NSPR writes lines
 * whole, so threads interleave only line by line. `thr` maps recent threads
 * to their process instance: a C_Initialize after that instance's
 * C_Finalize, or on a thread new to an instance already initialized, starts
 * the next one. Output lines that carry a handle are held in the call's
 * `held` until rv is known: the logger prints them after a failed call too,
 * with whatever the variable held (a failed C_OpenSession shows a random
 * *phSession), so they are only read when the call succeeded. Template
 * headers are written when the first attribute arrives (the pointer and
 * count lines come first, other parameters may come between).
 *
 * Resume: every call remembers where a re-parse must start to rebuild it
 * (its own first line, or the oldest call open when it began) and the
 * instance state at that point; finish() reports the oldest open call's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/pbase.h"
#include "hsmscope/chars.h"
#include "hsmscope/callq.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#define QMAX 256                /* calls held at once before the oldest is forced out */
#define TMAX 64                 /* threads remembered */
#define IMAX 64                 /* instance states remembered (a ring) */
#define SNAP 3                  /* newest threads saved in the resume state */
#define VALUE_MAX 4096          /* bytes of one attribute value kept (NSS prints <= 48) */
#define HELD_MAX 65536          /* bytes of held output lines per call */

enum { I_FRESH, I_INIT, I_FINAL };  /* an instance: no C_Initialize yet, initialized, finalized */

struct thr {
	struct hs_slot s;           /* key: (hash of the "id[ptr]" prefix, 0); stamp:
	                               p->tick when last used, for eviction */
	int64_t inst;               /* its process instance */
};

/* Where a re-parse starts and the instance state just before it. */
struct resume_point {
	int64_t offset, line;       /* a call's first line, or the end */
	int64_t ninst, cur;         /* instances so far, the newest */
	int cur_state;              /* I_* of cur */
	int n;                      /* entries used in t[] */
	struct {
		uint64_t key;           /* a thread (struct thr key) */
		int64_t inst;           /* its instance */
		int state;              /* that instance's I_* */
	} t[SNAP];                  /* the most recent threads, newest first */
};

struct tmpl {
	char name[24];              /* "pTemplate", "pPublicKeyTemplate", ... */
	int64_t count;              /* its ulCount, -1 not seen */
	int state;                  /* 0 none, 1 pointer seen (header owed), 2 header written */
};

struct call {
	struct hs_callq_call qc;    /* the event being built, returned: rv seen or given up; first */
	uint64_t key;               /* its thread */
	int getattr;                /* C_GetAttributeValue: the attributes are outputs */
	int info;                   /* 1 GetInfo/SlotInfo/TokenInfo, 2 GetSessionInfo */
	int info_open;              /* "[out] pInfo: " written */
	int slots_open;             /* "[out] pSlotList: " written */
	int64_t prev_cur;           /* this C_Initialize began instance cur: the one before */
	int prev_state;             /* and cur's state before it, to undo (ALREADY_INITIALIZED) */
	int began;                  /* 1 when prev_cur/prev_state are set */
	struct tmpl t[2];           /* [0] pTemplate or public, [1] private (GenerateKeyPair) */
	int tcur;                   /* template the next attribute joins */
	char nullbuf[32];           /* an output buffer passed as NULL, its length to come */
	struct hs_buf held;         /* '\n'-ended output lines read only when rv is CKR_OK */
	struct resume_point res;    /* where a re-parse must start to rebuild this call */
};

struct hs_parser {
	struct hs_pbase b;          /* sink, file id, the open calls, counters, stop, line */
	struct thr thr[TMAX];       /* recent threads */
	uint64_t tick;              /* lines with a thread prefix so far */
	int ist[IMAX];              /* I_* of instance k at ist[k % IMAX] */
	int64_t ninst;              /* instances started; instance 0 exists from the start */
	int64_t cur;                /* the newest instance: where new threads go */
	int64_t cur_calls;          /* calls given to cur so far (2 when not known) */
};

/* ---------------------------------------------------------------- helpers */


/* A whole number at s[0..n): "0x1f", "31", "-1". 1 when all of it is one. */
static int whole_int(const char *s, size_t n, int64_t *v)
{
	char tmp[32];

	if (n == 0 || n >= sizeof tmp)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return hs_parse_int(tmp, v) == (int)n;
}

/* "YYYY-MM-DD HH:MM:SS.uuuuuu UTC - " at s: its length, µs in *ts; 0 if not. */
static size_t parse_stamp(const char *s, size_t n, int64_t *ts)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd.dddddd UTC - ";
	long f[7] = { 0 };
	size_t i, k = 0;

	for (i = 0; i < sizeof shape - 1; i++)
		if (i >= n || (shape[i] == 'd' ? !hs_is_digit(s[i]) : s[i] != shape[i]))
			return 0;
		else if (shape[i] == 'd')
			f[k] = f[k] * 10 + (s[i] - '0');
		else if (k < 6)
			k++;
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
		return 0;
	*ts = hs_civil_to_us((int)f[0], (int)f[1], (int)f[2], (int)f[3], (int)f[4], (int)f[5], f[6]);
	return sizeof shape - 1;
}

/* The NSPR prefix: optional stamp, "<id>[<hex>]: ". Returns the offset of
 * the message, 0 when the line has no prefix. */
static size_t parse_prefix(const char *s, size_t n, int64_t *ts, int64_t *tid, uint64_t *key)
{
	size_t i = parse_stamp(s, n, ts), id0, br, j;

	if (i == 0)
		*ts = HS_NONE;
	id0 = i;
	if (i < n && s[i] == '-')
		i++;
	for (j = i; j < n && j - i < 20 && hs_is_digit(s[j]); j++)
		;
	if (j == i || j >= n || s[j] != '[')
		return 0;
	br = j++;
	for (i = j; j < n && j - i < 24 && hs_is_hex(s[j]); j++)
		;
	if (j == i || j + 1 >= n || s[j] != ']' || s[j + 1] != ':')
		return 0;
	if (!whole_int(s + id0, br - id0, tid))
		*tid = HS_NONE;
	*key = hs_hash64(s + id0, j + 1 - id0, 0x6e7373) | 1; /* never 0: 0 marks a free slot */
	j += 2;
	return j < n && s[j] == ' ' ? j + 1 : j;
}

/* ------------------------------------------------------------- instances */

static int *ist(struct hs_parser *p, int64_t k) { return &p->ist[k % IMAX]; }

static struct thr *thr_find(struct hs_parser *p, uint64_t key)
{
	return hs_slot_find(p->thr, TMAX, sizeof p->thr[0], (int64_t)key, 0, p->tick);
}

static struct thr *thr_add(struct hs_parser *p, uint64_t key, int64_t inst)
{
	struct thr *t = hs_slot_victim(p->thr, TMAX, sizeof p->thr[0]);

	hs_slot_set(&t->s, (int64_t)key, 0, p->tick);
	t->inst = inst;
	return t;
}

static int64_t new_instance(struct hs_parser *p)
{
	p->cur_calls = 0;
	p->cur = p->ninst++;
	*ist(p, p->cur) = I_FRESH;
	return p->cur;
}

/* The instance a call of func on thread key belongs to (and the state it
 * moves that instance to). */
static int64_t instance_for(struct hs_parser *p, struct call *c, uint64_t key, const char *func)
{
	struct thr *t = thr_find(p, key);
	int init = strcmp(func, "C_Initialize") == 0;
	int64_t k = t ? t->inst : p->cur;

	if (init) {
		int s = *ist(p, k);
		if (s == I_FINAL || (!t && s == I_INIT)) {
			c->prev_cur = p->cur;
			c->prev_state = *ist(p, p->cur);
			c->began = 1;
			k = new_instance(p);
		}
		*ist(p, k) = I_INIT;
	} else if (strcmp(func, "C_Finalize") == 0) {
		*ist(p, k) = I_FINAL;
	}
	if (t)
		t->inst = k;
	else
		thr_add(p, key, k);
	if (k == p->cur)
		p->cur_calls++;
	return k;
}

static void take_snap(struct hs_parser *p, struct resume_point *r, int64_t off, int64_t lineno)
{
	int i, j, best;
	uint64_t after = UINT64_MAX;

	r->offset = off;
	r->line = lineno;
	r->ninst = p->ninst;
	r->cur = p->cur;
	r->cur_state = *ist(p, p->cur);
	for (r->n = 0; r->n < SNAP; r->n++, after = p->thr[best].s.stamp) {
		for (best = -1, i = 0; i < TMAX; i++) /* the newest seen before `after` */
			if (p->thr[i].s.used && p->thr[i].s.stamp < after &&
			    (best < 0 || p->thr[i].s.stamp > p->thr[best].s.stamp))
				best = i;
		if (best < 0)
			break;
		j = r->n;
		r->t[j].key = (uint64_t)p->thr[best].s.a;
		r->t[j].inst = p->thr[best].inst;
		r->t[j].state = *ist(p, p->thr[best].inst);
	}
}

/* ------------------------------------------------------------ call queue */

static struct call *q_at(struct hs_parser *p, int i)
{
	return (struct call *)hs_callq_at(&p->b.q, i);
}

static struct call *oldest_open(struct hs_parser *p)
{
	return (struct call *)hs_callq_oldest_open(&p->b.q);
}

/* A recycled call: blank again, but `held` keeps its memory. */
static void reuse_call(void *ctx, struct hs_callq_call *qc)
{
	struct call *c = (struct call *)qc;

	(void)ctx;
	memset(&c->key, 0, offsetof(struct call, held) - offsetof(struct call, key));
	hs_buf_clear(&c->held);
}

static void release_call(void *ctx, struct hs_callq_call *qc)
{
	(void)ctx;
	hs_buf_free(&((struct call *)qc)->held);
}

static struct call *open_of(struct hs_parser *p, uint64_t key)
{
	int i;

	for (i = p->b.q.count - 1; i >= 0; i--)
		if (q_at(p, i)->key == key && !q_at(p, i)->qc.returned)
			return q_at(p, i);
	return NULL;
}

/* A line no call takes: charged to c, else to the oldest open call, else
 * to the next call. */
static void skip_line(struct hs_parser *p, struct call *c, int64_t lineno, int64_t off, const char *why)
{
	hs_callq_skip(&p->b.q, c ? &c->qc : hs_callq_oldest_open(&p->b.q), lineno, off, why);
}

/* --------------------------------------------------------- detail lines */

static void put(struct hs_parser *p, struct call *c, const char *s, size_t n)
{
	if (hs_p11call_line(&c->qc.pc, s, n) < 0)
		p->b.stop = 1;
}

/* One formatted detail line; with `held`, kept in c->held to be read only
 * once the call is known to have succeeded. */
static void __attribute__((format(printf, 4, 5)))
putf(struct hs_parser *p, struct call *c, int held, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	if ((size_t)k >= sizeof b)
		k = sizeof b - 1;
	if (!held)
		put(p, c, b, (size_t)k);
	else if (c->held.len + (size_t)k + 1 > HELD_MAX)
		c->qc.pc.ev.elided_lines++;
	else if (hs_buf_add(&c->held, b, (size_t)k) < 0 || hs_buf_addc(&c->held, '\n') < 0)
		p->b.stop = 1;
}

static void flush_template(struct hs_parser *p, struct call *c, int i, int out)
{
	struct tmpl *t = &c->t[i];

	if (t->state != 1)
		return;
	t->state = 2;
	if (hs_p11call_template(&c->qc.pc, out, t->name, t->count) < 0)
		p->b.stop = 1;
}

/* Output buffers that are passed as NULL to learn their length, by function. */
static const char out_buffers[] =
	" C_GetSlotList:pSlotList C_GetMechanismList:pMechanismList C_GetOperationState:pOperationState"
	" C_Encrypt:pEncryptedData C_EncryptUpdate:pEncryptedPart C_EncryptFinal:pLastEncryptedPart"
	" C_Decrypt:pData C_DecryptUpdate:pPart C_DecryptFinal:pLastPart C_Digest:pDigest"
	" C_DigestFinal:pDigest C_Sign:pSignature C_SignFinal:pSignature C_SignRecover:pSignature"
	" C_VerifyRecover:pData C_DigestEncryptUpdate:pEncryptedPart C_DecryptDigestUpdate:pPart"
	" C_SignEncryptUpdate:pEncryptedPart C_DecryptVerifyUpdate:pPart C_WrapKey:pWrappedKey"
	" C_EncryptMessage:pCiphertext C_DecryptMessage:pPlaintext C_EncryptMessageNext:pCiphertextPart"
	" C_DecryptMessageNext:pPlaintextPart C_SignMessage:pSignature C_SignMessageNext:pSignature ";

static int is_out_buffer(const char *func, const char *name, size_t nl)
{
	char k[160];

	snprintf(k, sizeof k, " %s:%.*s ", func, (int)nl, name);
	return strstr(out_buffers, k) != NULL;
}

static void flush_nullbuf(struct hs_parser *p, struct call *c, int64_t size)
{
	if (!c->nullbuf[0])
		return;
	if (hs_p11call_null_buffer(&c->qc.pc, c->nullbuf, size) < 0)
		p->b.stop = 1;
	c->nullbuf[0] = '\0';
}

/* "[out] pInfo: " (or pSlotList), once, then the logger's line under it. */
static void info_line(struct hs_parser *p, struct call *c, int *open, const char *hdr,
                      const char *s, size_t n)
{
	if (!*open) {
		*open = 1;
		if (hs_p11call_template(&c->qc.pc, 1, hdr, -1) < 0)
			p->b.stop = 1;
	}
	putf(p, c, 0, "      %.*s", (int)n, s);
}

/* "  name = value": one parameter, in or out. */
static void on_param(struct hs_parser *p, struct call *c, const char *s, size_t n)
{
	const char *eq = hs_find(s, n, " = "), *v;
	const char *func = c->qc.pc.ev.func;
	char name[64], val[64];
	size_t nl, vn;
	int64_t x;
	int i;

	if (!eq || eq == s || (size_t)(eq - s) >= sizeof name) {
		if (c->info && hs_find(s, n, ": ")) /* "cryptoki version: 2.40" */
			info_line(p, c, &c->info_open, "pInfo", s, n);
		else
			putf(p, c, 0, "      %.*s", (int)n, s); /* keep it, as text */
		return;
	}
	nl = (size_t)(eq - s);
	memcpy(name, s, nl);
	name[nl] = '\0';
	v = eq + 3;
	vn = (size_t)(s + n - v);
	if (vn > 20 && memcmp(v + vn - 20, " (CK_INVALID_HANDLE)", 20) == 0) /* a handle of 0 */
		vn -= 20;
	if (vn < sizeof val) {
		memcpy(val, v, vn);
		val[vn] = '\0';
	} else {
		val[0] = '\0';
	}
	if (c->info && strcmp(name, "hSession") != 0 && strcmp(name, "pInfo") != 0 &&
	    (strcmp(name, "slotID") != 0 || c->info == 2)) {
		info_line(p, c, &c->info_open, "pInfo", s, n);
		return;
	}
	if (hs_starts(name, nl, "slotID[")) { /* C_GetSlotList: "slotID[0] = 3223f854", hex without 0x */
		info_line(p, c, &c->slots_open, "pSlotList", s, n);
		return;
	}
	if (hs_starts(name, nl, "phObject[")) { /* a C_FindObjects result */
		if (whole_int(val, strlen(val), &x))
			putf(p, c, 1, "Object 0x%llx matches", (unsigned long long)x);
		return;
	}
	if (name[0] == '*') {
		int known = whole_int(val, strlen(val), &x);
		if (strcmp(name, "*pulObjectCount") == 0 && known)
			putf(p, c, 1, "[out] ulObjectCount = 0x%llx", (unsigned long long)x);
		else if (name[1] == 'p' && name[2] == 'h' && known)
			putf(p, c, 1, "[out] %s = 0x%llx", name, (unsigned long long)x);
		else {
			if (c->nullbuf[0] && hs_starts(name, nl, "*pul"))
				flush_nullbuf(p, c, known ? x : HS_NONE);
			if (known && hs_p11call_ulong(&c->qc.pc, 1, name, (uint64_t)x) < 0)
				p->b.stop = 1;
			else if (!known)
				putf(p, c, 0, "[out] %.*s", (int)n, s);
		}
		return;
	}
	for (i = 0; i < 2; i++) /* a template's pointer: its header comes with the attributes */
		if ((i == 0 && (strcmp(name, "pTemplate") == 0 || strcmp(name, "pPublicKeyTemplate") == 0)) ||
		    (i == 1 && strcmp(name, "pPrivateKeyTemplate") == 0)) {
			hs_strlcpy(c->t[i].name, name, sizeof c->t[i].name);
			c->t[i].count = -1;
			c->t[i].state = 1;
			c->tcur = i;
			return;
		}
	if ((strcmp(name, "ulCount") == 0 || strcmp(name, "ulAttributeCount") == 0 ||
	     strcmp(name, "ulPublicKeyAttributeCount") == 0 ||
	     strcmp(name, "ulPrivateKeyAttributeCount") == 0) && whole_int(val, strlen(val), &x)) {
		i = strcmp(name, "ulPrivateKeyAttributeCount") == 0;
		if (c->t[i].state == 1) {
			c->t[i].count = x;
			return;
		}
	}
	if (strcmp(name, "phPublicKey") == 0)
		c->tcur = 0;
	else if (strcmp(name, "phPrivateKey") == 0)
		c->tcur = 1;
	if ((name[0] == 'p' || strcmp(name, "RandomData") == 0 || strcmp(name, "interfaces") == 0) &&
	    nl > 1 && whole_int(val, strlen(val), &x)) {
		/* "[in] name 0x..": no " = ", so no handle is read from an address */
		if (x == 0 && is_out_buffer(func, name, nl)) {
			flush_nullbuf(p, c, HS_NONE);
			hs_strlcpy(c->nullbuf, name, sizeof c->nullbuf);
		} else if (x == 0) {
			putf(p, c, 0, "[in] %s = NULL", name);
		} else {
			putf(p, c, 0, "[%s] %s 0x%llx", is_out_buffer(func, name, nl) ? "out" : "in", name,
			     (unsigned long long)x);
		}
		return;
	}
	if (whole_int(val, strlen(val), &x)) {
		const char *sym = NULL;
		if (strcmp(name, "userType") == 0)
			sym = hs_ck_name(HS_CK_USER, (uint64_t)x);
		else if (strcmp(name, "type") == 0)
			sym = hs_ck_name(HS_CK_MECH, (uint64_t)x);
		if (sym ? hs_p11call_scalar(&c->qc.pc, 0, name, sym) < 0 :
		    x < 0 ? hs_p11call_scalar(&c->qc.pc, 0, name, val) < 0 :
		    hs_p11call_ulong(&c->qc.pc, 0, name, (uint64_t)x) < 0)
			p->b.stop = 1;
		return;
	}
	putf(p, c, 0, "[in] %.*s", (int)n, s);
}

static void attr_bytes(struct hs_parser *p, struct call *c, const char *name, const unsigned char *b,
                       size_t n)
{
	uint64_t type;
	enum hs_ck_kind kind;

	if (hs_ck_lookup(name, &type, &kind) && kind == HS_CK_ATTR) {
		if (hs_p11call_attr(&c->qc.pc, type, b, n) < 0)
			p->b.stop = 1;
	} else if (hs_p11call_attr_text(&c->qc.pc, name, (const char *)b, n) < 0) {
		p->b.stop = 1;
	}
}

/* "    CKA_X = value [len]" (or "    0x202 = ..." for a type NSS has no name for). */
static void on_attr(struct hs_parser *p, struct call *c, const char *s, size_t n)
{
	const char *eq = hs_find(s, n, " = "), *v, *end = s + n, *lb;
	char name[64];
	unsigned char buf[VALUE_MAX];
	int64_t len = HS_NONE, x;
	size_t vn, k;
	long got;
	int dn = 0;

	if (!eq || eq == s || (size_t)(eq - s) >= sizeof name) {
		putf(p, c, 0, "    %.*s", (int)n, s);
		return;
	}
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	if (name[0] == '0' && name[1] == 'x' && whole_int(name, strlen(name), &x)) {
		const char *nm = hs_ck_name(HS_CK_ATTR, (uint64_t)x);
		if (nm)
			hs_strlcpy(name, nm, sizeof name);
	}
	v = eq + 3;
	/* the trailing " [len]" (all forms but numbers) */
	lb = NULL;
	if (end - v >= 4 && end[-1] == ']')
		for (lb = end - 2; lb > v && (hs_is_digit(*lb) || *lb == '-'); lb--)
			;
	if (lb && lb > v && lb[0] == '[' && lb[-1] == ' ' && whole_int(lb + 1, (size_t)(end - lb - 2), &len))
		end = lb - 1;
	else
		len = HS_NONE;
	vn = (size_t)(end - v);
	if (c->t[c->tcur].state == 0) { /* attributes without their pointer line: a pasted excerpt */
		hs_strlcpy(c->t[c->tcur].name, "pTemplate", sizeof c->t[0].name);
		c->t[c->tcur].count = -1;
		c->t[c->tcur].state = 1;
	}
	flush_template(p, c, c->tcur, c->getattr); /* GetAttributeValue prints them after the call */
	if (len != HS_NONE && vn >= 5 && v[0] == '[' && v[1] == '0' && v[2] == 'x' && v[vn - 1] == ']') {
		/* no value: "[0x0] [256]" a length, "[-1]" unavailable; the spy's layout */
		putf(p, c, 0, "    %-21s / %lld", name, (long long)len);
		return;
	}
	if (len != HS_NONE && ((vn == 7 && memcmp(v, "CK_TRUE", 7) == 0) ||
	                       (vn == 8 && memcmp(v, "CK_FALSE", 8) == 0))) {
		unsigned char b = vn == 7;
		attr_bytes(p, c, name, &b, 1);
		return;
	}
	/* a CK_ULONG: "2048" (no [len]), or a class, key type or trust NSS has
	 * no name for ("0x80000001 [8]"); its bytes, as the spy shows them */
	if ((len == HS_NONE || (vn > 2 && v[0] == '0' && v[1] == 'x' && (len == 4 || len == 8))) &&
	    whole_int(v, vn, &x)) {
		unsigned char b[8];
		for (k = 0; k < 8; k++)
			b[k] = (unsigned char)((uint64_t)x >> (8 * k));
		attr_bytes(p, c, name, b, len == 4 ? 4 : 8);
		return;
	}
	if (vn > 4 && v[0] == 'C' && v[1] == 'K' && v[3] == '_') {
		for (k = 0; k < vn && hs_is_word(v[k]); k++)
			;
		if (k == vn) { /* CKO_, CKK_, CKT_, CKP_ names */
			if (hs_p11call_attr_text(&c->qc.pc, name, v, vn) < 0)
				p->b.stop = 1;
			return;
		}
	}
	if (vn > VALUE_MAX)
		vn = VALUE_MAX;
	if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
		got = (long)(vn - 2);
		memcpy(buf, v + 1, (size_t)got);
	} else {
		got = vn % 2 == 0 ? hs_p11_hex_decode(v, vn, buf, vn) : -1;
		for (k = 0; got > 0 && k < vn; k++)
			if (!hs_is_hex(v[k]))
				got = -1; /* hex_decode allows blanks and ':', NSS prints none */
		if (got <= 0) { /* a DER name NSS printed as text ("CN=x,O=y") */
			got = (long)vn;
			memcpy(buf, v, vn);
			dn = 1;
		}
	}
	attr_bytes(p, c, name, buf, (size_t)got);
	if (len != HS_NONE && len < 0)
		putf(p, c, 0, "      (length %lld: no value)", (long long)len);
	else if (len != HS_NONE && dn)
		putf(p, c, 0, "      (the logger printed the name as text; its DER is %lld bytes)", (long long)len);
	else if (len != HS_NONE && len != got)
		putf(p, c, 0, "      (the logger printed %ld of %lld bytes)", got, (long long)len);
}

/* "  rv = CKR_X" or "  rv = 0x%x". */
static void on_rv(struct hs_parser *p, struct call *c, const char *v, size_t n)
{
	const char *h = c->held.data ? c->held.data : "", *end = h + c->held.len, *nl;
	char name[64];
	int64_t rv = HS_NONE;
	uint64_t u;
	enum hs_ck_kind kind;

	while (n && v[n - 1] == ' ')
		n--;
	if (n && n < sizeof name) {
		memcpy(name, v, n);
		name[n] = '\0';
		if (hs_ck_lookup(name, &u, &kind) && kind == HS_CK_RV)
			rv = (int64_t)u;
		else if (whole_int(name, n, &rv))
			n = 0; /* a number: let p11call name it */
	}
	flush_template(p, c, 0, 0); /* level 3: a pointer and a count, no attributes */
	flush_template(p, c, 1, 0);
	flush_nullbuf(p, c, HS_NONE);
	hs_p11call_return(&c->qc.pc, rv, n ? v : NULL, n); /* an unknown name: rv HS_NONE, not ok */
	/* Handles are read only from a call that succeeded; a failed call's
	 * printed outputs are kept as text. */
	for (; h < end; h = nl + 1) {
		nl = memchr(h, '\n', (size_t)(end - h));
		if (!nl)
			break;
		if (c->qc.pc.ev.ok)
			put(p, c, h, (size_t)(nl - h));
		else if (hs_event_add_line(&c->qc.pc.ev, h, (size_t)(nl - h)) < 0)
			p->b.stop = 1;
	}
	hs_buf_clear(&c->held);
	/* CKR_CRYPTOKI_ALREADY_INITIALIZED: the same process after all, if the
	 * instance it began has no other call yet */
	if (c->began && rv == 0x191 && c->qc.pc.ev.instance == p->cur && p->cur == p->ninst - 1 &&
	    p->cur_calls == 1) {
		struct thr *t = thr_find(p, c->key);
		p->ninst--;
		p->cur = c->prev_cur;
		p->cur_calls = 2;
		*ist(p, p->cur) = c->prev_state == I_FRESH ? I_INIT : c->prev_state;
		c->qc.pc.ev.instance = p->cur;
		if (t)
			t->inst = p->cur;
	}
	c->qc.returned = 1;
	hs_callq_emit_front(&p->b.q, 0);
}

static void on_call(struct hs_parser *p, const char *name, size_t n, uint64_t key, int64_t tid,
                    int64_t ts, int64_t off, int64_t lineno)
{
	struct call *o = open_of(p, key), *old = oldest_open(p), *c;
	struct resume_point res;

	if (o) /* a thread is in one call at a time: its older one never returned */
		hs_callq_give_up(&p->b.q, &o->qc);
	if (old)
		res = old->res;
	else
		take_snap(p, &res, off, lineno);
	c = (struct call *)hs_callq_new(&p->b.q);
	if (!c) {
		p->b.stop = 1;
		return;
	}
	c->res = res;
	if (hs_p11call_func(&c->qc.pc, name, n) < 0) {
		hs_callq_discard(&p->b.q, &c->qc);
		return;
	}
	c->key = key;
	c->getattr = strcmp(c->qc.pc.ev.func, "C_GetAttributeValue") == 0;
	c->info = strcmp(c->qc.pc.ev.func, "C_GetSessionInfo") == 0 ? 2 :
	          (strcmp(c->qc.pc.ev.func, "C_GetInfo") == 0 ||
	           strcmp(c->qc.pc.ev.func, "C_GetSlotInfo") == 0 ||
	           strcmp(c->qc.pc.ev.func, "C_GetTokenInfo") == 0);
	c->qc.pc.ev.format = "nss";
	c->qc.pc.ev.file_id = p->b.file_id;
	c->qc.pc.ev.offset = off;
	c->qc.pc.ev.line = lineno;
	c->qc.pc.ev.ts_us = ts;
	c->qc.pc.ev.ts_utc = ts != HS_NONE;
	c->qc.pc.ev.tid = tid;
	c->qc.pc.ev.instance = instance_for(p, c, key, c->qc.pc.ev.func);
	hs_callq_push(&p->b.q, &c->qc);
	if (hs_p11call_saw(&c->qc.pc, lineno) < 0)
		p->b.stop = 1;
}

/* ----------------------------------------------------------- the table */

/* "C_Login                            3       2000us     666.67us     12.50%"
 * (debug_module.c print_final_statistics: "%-25s %10d %10d%2s " then
 * "%10.2f%2s" and "%10.2f%%"). The time is floored in its unit: z (zero),
 * us, ms, s or m (minutes); the average is always µs, of a 32-bit µs total
 * that wraps past 71 minutes, so it refines the total only when it agrees. */
static int table_row(const char *s, size_t n, struct hs_tracer_stat *ts)
{
	char name[64], unit[4];
	long long calls, t;
	double avg, share;
	int64_t mult, total;
	int used = 0;

	if (n < 20 || n > 200 || s[0] != 'C' || s[1] != '_')
		return 0;
	if (sscanf(s, "%63s %lld %lld %3[zums] %lfus %lf%%%n", name, &calls, &t, unit, &avg, &share,
	           &used) != 6 || (size_t)used != n)
		return 0;
	mult = strcmp(unit, "z") == 0 ? 0 : strcmp(unit, "us") == 0 ? 1 : strcmp(unit, "ms") == 0 ? 1000 :
	       strcmp(unit, "s") == 0 ? 1000000 : strcmp(unit, "m") == 0 ? 60000000 : -1;
	if (mult < 0 || calls < 0 || t < 0 || t > INT64_MAX / 60000000)
		return 0;
	total = t * mult;
	if (mult > 1 && avg >= 0 && avg * (double)calls < 9e15) {
		int64_t fine = (int64_t)(avg * (double)calls + 0.5);
		if (fine >= total && fine < total + mult)
			total = fine;
	}
	if (strcmp(name, "C_UnWrapKey") == 0) /* the table's spelling */
		hs_strlcpy(name, "C_UnwrapKey", sizeof name);
	hs_strlcpy(ts->func, name, sizeof ts->func);
	ts->calls = calls;
	ts->total_us = total;
	return 1;
}

/* The table's other lines: its header, Totals, the sessions line. */
static int table_other(const char *s, size_t n)
{
	const char *t = hs_skip_ws(s);

	return (hs_starts(s, n, "Function ") && hs_find(s, n, "# Calls") && hs_find(s, n, "% Time")) ||
	       (t != s && hs_starts(t, n - (size_t)(t - s), "Totals ")) ||
	       hs_starts(s, n, "Maximum number of concurrent open sessions: ");
}

/* --------------------------------------------------------------- parser */

static int nss_feed(struct hs_parser *p, const char *line, size_t n, int64_t off, int64_t lineno)
{
	int64_t ts, tid;
	uint64_t key;
	size_t m, k;
	char *s;
	struct call *c;
	struct hs_tracer_stat row;

	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		n--;
	if (n == 0 || p->b.stop)
		return p->b.stop;
	hs_buf_clear(&p->b.line);
	if (hs_buf_add(&p->b.line, line, n) < 0) {
		p->b.stop = 1;
		return p->b.stop;
	}
	s = p->b.line.data;
	m = parse_prefix(s, n, &ts, &tid, &key);
	if (m == 0) {
		memset(&row, 0, sizeof row);
		if (table_row(s, n, &row)) {
			row.file_id = p->b.file_id;
			row.offset = off;
			if (p->b.sink.on_tracer_stat)
				p->b.sink.on_tracer_stat(p->b.sink.ctx, &row);
		} else if (!table_other(s, n)) {
			skip_line(p, NULL, lineno, off, "not a module logger line");
		}
		return p->b.stop;
	}
	p->tick++;
	s += m;
	n -= m;
	c = open_of(p, key);
	if (n && s[0] != ' ') {
		for (k = 0; k < n && hs_is_word(s[k]); k++)
			;
		if (k == n && n > 2 && s[0] == 'C' && s[1] == '_')
			on_call(p, s, n, key, tid, ts, off, lineno);
		else
			skip_line(p, c, lineno, off, "another NSPR log module's line");
		return p->b.stop;
	}
	if (!c) {
		skip_line(p, NULL, lineno, off, "parameter of no open call");
		return p->b.stop;
	}
	if (hs_p11call_saw(&c->qc.pc, lineno) < 0) /* before rv: it may leave */
		p->b.stop = 1;
	if (hs_starts(s, n, "  rv = "))
		on_rv(p, c, s + 7, n - 7);
	else if (hs_starts(s, n, "      mechanism = ")) {
		const char *v = s + 18, *sym = NULL;
		int64_t x;
		char val[64];
		if (whole_int(v, n - 18, &x))
			sym = hs_ck_name(HS_CK_MECH, (uint64_t)x);
		snprintf(val, sizeof val, "%.*s", (int)(n - 18), v);
		if (hs_p11call_scalar(&c->qc.pc, 0, "pMechanism->type", sym ? sym : val) < 0)
			p->b.stop = 1;
	} else if (hs_starts(s, n, "    ") && s[4] != ' ')
		on_attr(p, c, s + 4, n - 4);
	else if (hs_starts(s, n, "  ") && s[2] != ' ')
		on_param(p, c, s + 2, n - 2);
	else
		skip_line(p, c, lineno, off, "unknown line in a call");
	return p->b.stop;
}

static struct hs_parser *nss_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = hs_pbase_create(sizeof *p, sink, o, sizeof(struct call), QMAX,
	                                      &(struct hs_callq_hooks){ .reuse = reuse_call,
	                                                                .release = release_call });

	if (p)
		new_instance(p);
	return p;
}

/* state: "n=<instances> c=<the newest> cs=<its I_*> t=<key>:<inst>:<I_*>,..."
 * a thread per item, oldest first (the key, a 64-bit hash, as its bits) */
static void nss_resume(struct hs_parser *p, const char *state)
{
	int64_t k, cur, cs, v[3];
	const char *q = NULL;

	if (!hs_pstate_get_int(state, "n", &k) || !hs_pstate_get_int(state, "c", &cur) ||
	    !hs_pstate_get_int(state, "cs", &cs) || k < 1 || cur < 0 || cur >= k || cs < I_FRESH ||
	    cs > I_FINAL)
		return;
	p->ninst = k;
	p->cur = cur;
	p->cur_calls = 2;
	*ist(p, cur) = (int)cs;
	while (hs_pstate_next(state, "t", &q, v, 3) == 3) {
		uint64_t key = (uint64_t)v[0];
		int64_t inst = v[1];
		int s = (int)v[2];
		if (!key || inst < 0 || inst >= k || v[2] < I_FRESH || v[2] > I_FINAL)
			break;
		p->tick++; /* the newest last, as they were saved */
		if (!thr_find(p, key))
			thr_add(p, key, inst);
		if (inst != cur)
			*ist(p, inst) = s;
	}
}

static void nss_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                       struct hs_parse_stats *st)
{
	struct call *c = oldest_open(p);
	struct resume_point r;
	int i;

	if (c)
		r = c->res;
	else
		take_snap(p, &r, end_offset, end_line);
	hs_pstate_int(&p->b.state, "n", r.ninst);
	hs_pstate_int(&p->b.state, "c", r.cur);
	hs_pstate_int(&p->b.state, "cs", r.cur_state);
	hs_pstate_list(&p->b.state, "t");
	for (i = r.n - 1; i >= 0; i--) /* oldest first, so the newest is the last one added back */
		hs_pstate_item(&p->b.state, (int64_t[]){ (int64_t)r.t[i].key, r.t[i].inst, r.t[i].state }, 3);
	hs_pbase_finish(&p->b, r.offset, r.line, st);
}

static void nss_destroy(struct hs_parser *p)
{
	hs_pbase_destroy(p ? &p->b : NULL);
}

static int nss_line_score(const char *s, size_t n)
{
	int64_t ts, tid;
	uint64_t key;
	struct hs_tracer_stat row;
	size_t m = parse_prefix(s, n, &ts, &tid, &key);

	if (!m) /* the totals table the logger prints at the end */
		return hs_starts(s, n, "Function ") && table_other(s, n) ? 40 : table_row(s, n, &row) ? 5 : 0;
	if (m + 2 < n && s[m] == 'C' && s[m + 1] == '_')
		return 15;
	if (hs_starts(s + m, n - m, "  rv = "))
		return 15;
	return hs_starts(s + m, n - m, "  ") && hs_find(s + m, n - m, " = ") ? 3 : 0;
}

static const char *const nss_samples[] = {
	"409798464[55596f9a0cc0]: C_Initialize",
	"409798464[55596f9a0cc0]:   pInitArgs = 0x7f4e18a2d6a0",
	"409798464[55596f9a0cc0]:   rv = CKR_OK",
	"409798464[55596f9a0cc0]: C_Login",
	"409798464[55596f9a0cc0]:   hSession = 0x1",
	"409798464[55596f9a0cc0]:   userType = 0x1",
	"409798464[55596f9a0cc0]:   pPin = 0x55596fa8b770",
	"409798464[55596f9a0cc0]:   ulPinLen = 13",
	"409798464[55596f9a0cc0]:   rv = CKR_PIN_INCORRECT",
	NULL,
};

HS_PARSER_DESC_BY_LINE(nss, nss, "NSS module logger", 1);
