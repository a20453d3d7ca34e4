/* parse_logger.c — Pkcs11Interop pkcs11-logger logs, 1.0 to 2.3.0.
 *
 * Every line the logger writes is "0x<pid> : 0x<tid> : <text>" (pid as
 * %0#10x, tid as %0#18lx since 2.3.0 and %0#10x before; flags 2 and 4 drop
 * either field). A call is
 *     ****** (a separator)            2.3: 126 stars; older: "*** <time> ***"
 *     <time> - Entered C_Xxx          older: "Calling C_Xxx", no time
 *     Input / " name: value" lines / templates ("  *** Begin attribute ...")
 *     <time> - Calling C_Xxx          2.3 only: the real module is called ...
 *     <time> - Received response from C_Xxx       ... and has returned
 *     Output / " name: value" lines   (only when the call succeeded)
 *     <time> - Returning <rv> (<CKR_NAME>)         older: no time
 * and each process writes a banner ("PKCS11-LOGGER <version>" between two
 * separators) before its first call. Lines are written whole under a lock,
 * but threads interleave line by line inside calls, so a line belongs to
 * the open call of the thread its prefix names; without the prefix the
 * lines are taken to come one call at a time. What the parameter lines
 * say is read by logger_param.c.
 *
 * Data structure: `q` is the FIFO of calls (callq.h) in the order they
 * began (at their separator, which may come before another thread's call
 * that is entered first, so a call is put in its place by offset); a call
 * leaves it (is
 * emitted) once it has returned or been given up, every call before it has
 * left, and no thread holds a separator before it whose call is still to be
 * entered. `thr` is a small table of the threads (pid, tid) seen: each knows
 * its open call and its pending separator (for the older layout also the
 * call's time). `pids` maps a pid to its process instance; a banner of a pid
 * that already made calls starts a new instance (pid reuse), and lines
 * without a pid form instances cut at banners and at a C_Initialize after
 * C_Finalize. Each call and separator remembers, as a `struct snap`, the
 * instance numbering where it began: finish() reports the oldest unfinished
 * one's as the resume point and state.
 *
 * Durations are exact only in 2.3.0, where the logger times the real
 * module: Received minus Calling (C_GetFunctionList, which never reaches the
 * module: Returning minus Entered). Older logs print no end time.
 *
 * The parser only reads; redaction is applied to every event after it
 * leaves here, and no byte value is ever written into a line of text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/pbase.h"
#include "hsmscope/chars.h"
#include "hsmscope/callq.h"
#include "hsmscope/parser.h"
#include "logger_int.h"

#define QMAX 256                /* calls held at once before the oldest is forced out */
#define TMAX 64                 /* threads followed at once */
#define PMAX 64                 /* pids remembered for instance attribution */
#define SNAP 4                  /* newest pid instances saved in the resume state */
#define PID_MAX_LINUX 0x400000  /* a lone 10-digit field above this is a tid */
#define KEEP_BYTES (1u << 20)   /* decode buffer kept between lines */

/* The instance numbering at some point of the file: where a re-parse that
 * starts there must begin. */
struct snap {
	int64_t offset, line;       /* the line a re-parse starts at */
	int64_t ninst;              /* instances numbered so far */
	int64_t noid;               /* instance of lines without a pid, -1 none yet */
	int noid_state;             /* 0 no call in it, 1 calls, 2 C_Finalize seen */
	int gen;                    /* layout seen: 0 not yet, 2 up to 2.2, 3 2.3 */
	int n;                      /* entries used in pid[] */
	struct {
		int64_t pid, id;
		int calls;
	} pid[SNAP];                /* the newest pid instances, newest first */
};

struct call {
	struct hs_callq_call qc;    /* the event being built, returned: its Returning line was
	                               seen or it was given up (takes no more lines); first */
	int64_t t_enter;            /* 2.3 "Entered" time, µs, HS_NONE */
	int64_t t_call;             /* 2.3 "Calling" time, µs, HS_NONE */
	struct snap res;            /* where a re-parse must start to rebuild it */
	struct lg_call par;         /* its parameter lines so far (logger_param.c) */
};

struct thread {
	struct hs_slot s;           /* key (pid, tid), HS_NONE where the prefix leaves one
	                               out; stamp: p->clock at its last use */
	struct call *open;          /* its call in progress, NULL none */
	int64_t sep_ts;             /* time of its pending separator (older layout), HS_NONE */
	int64_t sep_off;            /* offset of its pending separator, -1 none */
	struct snap sep_res;        /* the numbering before that separator */
};

struct pidinst {
	int64_t pid;                /* HS_NONE: entry free */
	int64_t id;                 /* its instance */
	int calls;                  /* a call was made in it */
};

struct hs_parser {
	struct hs_pbase b;          /* sink, file id, the open calls, counters, stop, line */
	struct thread thr[TMAX];    /* threads seen recently */
	uint64_t clock;             /* stamps for thr[] */
	struct pidinst pids[PMAX];  /* ring of pid instances, pids[(npids-1) % PMAX] newest */
	int64_t npids;              /* entries ever added to pids[] */
	int64_t ninst;              /* instances numbered so far */
	int64_t noid;               /* instance of lines without a pid, -1 none yet */
	int noid_state;             /* see struct snap */
	int gen;                    /* see struct snap */
	struct lg_bytes buf;        /* decoded HEX(..) values, owned */
	struct thread *cur;         /* the thread of the line being read, NULL none */
};

/* ---------------------------------------------------------------- helpers */


/* "YYYY-MM-DD HH:MM:SS" with an optional fraction of up to 6 digits, at s;
 * returns its length (0: none) and the time in µs. */
static size_t parse_time(const char *s, size_t n, int64_t *ts)
{
	int f[6], k, i;
	static const int at[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2, 2, 2 };
	long us = 0;
	size_t u = 19;

	if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return 0;
	for (k = 0; k < 6; k++)
		for (f[k] = 0, i = 0; i < len[k]; i++) {
			if (!hs_is_digit(s[at[k] + i]))
				return 0;
			f[k] = f[k] * 10 + s[at[k] + i] - '0';
		}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
		return 0;
	if (u < n && s[u] == '.') {
		for (k = 0, u++; k < 6; k++)
			us = us * 10 + (u < n && hs_is_digit(s[u]) ? s[u++] - '0' : 0);
		if (u < n && hs_is_digit(s[u]))
			return 0;
	}
	*ts = hs_civil_to_us(f[0], f[1], f[2], f[3], f[4], f[5], us);
	return u;
}

/* One "0x...... : " field of the prefix: its width (10 or 18) and value. */
static size_t field(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	if (n < 13 || s[0] != '0' || s[1] != 'x')
		return 0;
	for (i = 2, *v = 0; i < n && hs_is_hex(s[i]); i++)
		*v = *v << 4 | (uint64_t)hs_hexval(s[i]);
	if ((i != 10 && i != 18) || i + 3 > n || memcmp(s + i, " : ", 3) != 0)
		return 0;
	return i;
}

/* Split off the prefix: the fields it has go to *pid and *tid. Returns the
 * length of the prefix. With one field, 2.3's widths tell which it is; the
 * older layout prints both as 10 digits, and a value no Linux pid reaches
 * is the (truncated) pthread_self() of a tid. */
static size_t prefix(const char *s, size_t n, int gen, int64_t *pid, int64_t *tid)
{
	uint64_t a, b;
	size_t w1 = field(s, n, &a), w2 = w1 == 10 ? field(s + 13, n - 13, &b) : 0;

	*pid = *tid = HS_NONE;
	if (w1 && w2) {
		*pid = (int64_t)a, *tid = (int64_t)b;
		return 13 + w2 + 3;
	}
	if (w1 == 18 || (w1 == 10 && gen != 3 && a > PID_MAX_LINUX))
		*tid = (int64_t)a;
	else if (w1)
		*pid = (int64_t)a;
	return w1 ? w1 + 3 : 0;
}

/* ---------------------------------------------------------- instances */

static struct pidinst *pid_find(const struct hs_parser *p, int64_t pid)
{
	int64_t k;

	for (k = p->npids - 1; k >= 0 && k >= p->npids - PMAX; k--)
		if (p->pids[k % PMAX].pid == pid)
			return (struct pidinst *)&p->pids[k % PMAX];
	return NULL;
}

static struct pidinst *pid_add(struct hs_parser *p, int64_t pid, int64_t id, int calls)
{
	struct pidinst *e = &p->pids[p->npids++ % PMAX];

	e->pid = pid, e->id = id, e->calls = calls;
	return e;
}

static void take_snap(const struct hs_parser *p, struct snap *r, int64_t off, int64_t line)
{
	int64_t k;

	r->offset = off, r->line = line;
	r->ninst = p->ninst, r->noid = p->noid, r->noid_state = p->noid_state, r->gen = p->gen;
	r->n = 0;
	for (k = p->npids - 1; k >= 0 && k >= p->npids - PMAX && r->n < SNAP; k--) {
		const struct pidinst *e = &p->pids[k % PMAX];
		if (e->pid == HS_NONE || pid_find(p, e->pid) != e)
			continue;
		r->pid[r->n].pid = e->pid, r->pid[r->n].id = e->id, r->pid[r->n].calls = e->calls;
		r->n++;
	}
}

/* The instance a call of this pid (HS_NONE: none printed) belongs to. */
static int64_t instance_for(struct hs_parser *p, int64_t pid, const char *func)
{
	struct pidinst *e;

	if (pid != HS_NONE) {
		e = pid_find(p, pid);
		if (!e)
			e = pid_add(p, pid, p->ninst++, 0);
		e->calls = 1;
		return e->id;
	}
	if (p->noid < 0 || (p->noid_state == 2 && strcmp(func, "C_Initialize") == 0))
		p->noid = p->ninst++, p->noid_state = 1;
	if (strcmp(func, "C_Finalize") == 0)
		p->noid_state = 2;
	else if (p->noid_state == 0)
		p->noid_state = 1;
	return p->noid;
}

/* ------------------------------------------------------------ call queue */

/* A call leaves: no thread may still point at it when it is recycled. */
static void forget_call(void *ctx, struct hs_callq_call *c)
{
	struct hs_parser *p = ctx;
	int i;

	for (i = 0; i < TMAX; i++)
		if ((struct hs_callq_call *)p->thr[i].open == c)
			p->thr[i].open = NULL;
}

/* The first line of a call not made yet: a separator waiting for its
 * "Entered" (threads write the two apart). No call after it may leave
 * before that one is queued, or events would leave out of order. */
static int64_t first_pending(void *ctx)
{
	const struct hs_parser *p = ctx;
	int64_t m = INT64_MAX;
	int i;

	for (i = 0; i < TMAX; i++)
		if (p->thr[i].s.used && p->thr[i].sep_off >= 0 && p->thr[i].sep_off < m)
			m = p->thr[i].sep_off;
	return m;
}

static void emit_front(struct hs_parser *p) { hs_callq_emit_front(&p->b.q, 0); }

/* A call beginning at `off`: the queue keeps it in offset order, as a
 * thread's separator may precede another thread's call that is entered first. */
static struct call *new_call(struct hs_parser *p, int64_t off)
{
	struct call *c = (struct call *)hs_callq_new(&p->b.q);

	if (!c)
		return NULL;
	c->t_call = c->t_enter = HS_NONE;
	c->par.pc = &c->qc.pc;
	c->par.buf = &p->buf;
	c->qc.pc.ev.offset = off;
	hs_callq_push(&p->b.q, &c->qc);
	return c;
}

/* --------------------------------------------------------------- threads */

static void thread_clear(struct thread *t)
{
	t->open = NULL;
	t->sep_ts = HS_NONE;
	t->sep_off = -1;
}

/* The entry of (pid, tid); with `add`, made when missing, evicting the
 * least recently used thread (its open call is given up). */
static struct thread *thread_get(struct hs_parser *p, int64_t pid, int64_t tid, int add)
{
	struct thread *t = hs_slot_find(p->thr, TMAX, sizeof p->thr[0], pid, tid, p->clock + 1), *old;

	if (t) {
		p->clock++;
		return t;
	}
	if (!add)
		return NULL;
	old = hs_slot_victim(p->thr, TMAX, sizeof p->thr[0]);
	if (old->s.used && old->open)
		hs_callq_give_up(&p->b.q, &old->open->qc);
	thread_clear(old);
	hs_slot_set(&old->s, pid, tid, ++p->clock);
	emit_front(p);
	return old;
}

/* A banner: the process (pid, or every line without one) starts anew, so
 * its open calls are over and its next call opens a new instance. */
static void on_banner(struct hs_parser *p, int64_t pid)
{
	struct pidinst *e = pid != HS_NONE ? pid_find(p, pid) : NULL;
	int i;

	for (i = 0; i < TMAX; i++)
		if (p->thr[i].s.used && p->thr[i].s.a == pid && p->thr[i].open) {
			hs_callq_give_up(&p->b.q, &p->thr[i].open->qc);
			p->thr[i].open = NULL;
		}
	if (e && e->calls)
		e->pid = HS_NONE;
	else if (pid == HS_NONE && p->noid_state)
		p->noid = -1, p->noid_state = 0;
	emit_front(p);
}

/* --------------------------------------------------------------- lines */

/* Charged to the thread's open call, else to the next call. */
static void skip_line(struct hs_parser *p, struct thread *t, int64_t lineno, int64_t off,
                      const char *why)
{
	hs_callq_skip(&p->b.q, t && t->open ? &t->open->qc : NULL, lineno, off, why);
}

static void on_separator(struct hs_parser *p, struct thread *t, int64_t ts, int64_t off,
                         int64_t lineno)
{
	t->sep_ts = ts;
	t->sep_off = off;
	take_snap(p, &t->sep_res, off, lineno);
	emit_front(p); /* the separator it replaces may have held calls back */
}

/* A separator written without the pid/tid prefix (seen in pasted logs whose
 * other lines have it) belongs to the next call a prefixed thread enters:
 * hand it, with its time, to t when t has none of its own. */
static void adopt_separator(struct hs_parser *p, struct thread *t)
{
	int i;

	if (t->sep_off >= 0 || (t->s.a == HS_NONE && t->s.b == HS_NONE))
		return;
	for (i = 0; i < TMAX; i++) {
		struct thread *o = &p->thr[i];
		if (!o->s.used || o->s.a != HS_NONE || o->s.b != HS_NONE || o->sep_off < 0 || o->open)
			continue;
		t->sep_ts = o->sep_ts;
		t->sep_off = o->sep_off;
		t->sep_res = o->sep_res;
		o->sep_off = -1;
		o->sep_ts = HS_NONE;
		return;
	}
}

static void on_call(struct hs_parser *p, struct thread *t, const char *name, size_t n,
                    int64_t ts, int64_t off, int64_t lineno)
{
	struct call *c;
	size_t i;

	for (i = 0; i < n; i++) /* the logger prints __FUNCTION__: one word */
		if (!(name[i] == '_' || hs_is_digit(name[i]) || ((name[i] | 0x20) >= 'a' && (name[i] | 0x20) <= 'z')))
			break;
	if (i != n || n < 3 || n >= sizeof c->qc.pc.ev.func) {
		skip_line(p, t, lineno, off, "not a function name");
		return;
	}
	if (t->open) { /* a thread is in one call at a time */
		hs_callq_give_up(&p->b.q, &t->open->qc);
		t->open = NULL;
	}
	adopt_separator(p, t);
	c = new_call(p, t->sep_off >= 0 ? t->sep_off : off);
	if (!c) {
		p->b.stop = 1;
		return;
	}
	if (hs_p11call_func(&c->qc.pc, name, n) < 0)
		memcpy(c->qc.pc.ev.func, name, n), c->qc.pc.ev.func[n] = '\0';
	if (t->sep_off >= 0) { /* the call began at its separator */
		c->res = t->sep_res;
		if (ts == HS_NONE)
			ts = t->sep_ts;
	} else {
		take_snap(p, &c->res, off, lineno);
	}
	c->qc.pc.ev.format = "logger";
	c->qc.pc.ev.file_id = p->b.file_id;
	c->qc.pc.ev.offset = c->res.offset;
	c->qc.pc.ev.line = c->res.line;
	c->t_enter = ts;
	c->qc.pc.ev.ts_us = ts;
	c->qc.pc.ev.ts_utc = 0;
	c->qc.pc.ev.pid = t->s.a;
	c->qc.pc.ev.tid = t->s.b;
	c->qc.pc.ev.instance = instance_for(p, t->s.a, c->qc.pc.ev.func);
	t->sep_off = -1;
	t->sep_ts = HS_NONE;
	t->open = c;
	/* its separator (the call's first line) and this line */
	if (hs_p11call_saw(&c->qc.pc, c->res.line) < 0 || hs_p11call_saw(&c->qc.pc, lineno) < 0)
		p->b.stop = 1;
	emit_front(p);
}

/* ts: the Returning line's time (2.3), HS_NONE before. */
static void on_return(struct hs_parser *p, struct thread *t, const char *s, size_t n, int64_t ts,
                      int64_t off, int64_t lineno)
{
	struct call *c;
	uint64_t rv;
	const char *nm;
	size_t nl;

	if (!t || !t->open || !hs_lg_num_name(s, n, &rv, &nm, &nl)) {
		skip_line(p, t, lineno, off, "'Returning' without a call");
		return;
	}
	if (is_word(nm, nl, "Unknown"))
		nl = 0;
	c = t->open;
	if (hs_p11call_saw(&c->qc.pc, lineno) < 0)
		p->b.stop = 1;
	hs_p11call_return(&c->qc.pc, (int64_t)rv, nm, nl);
	/* C_GetFunctionList never reaches the module: the logger's own time is
	 * the call's */
	if (c->qc.pc.ev.dur_us == HS_NONE && c->t_call == HS_NONE && c->t_enter != HS_NONE &&
	    ts != HS_NONE && ts >= c->t_enter)
		c->qc.pc.ev.dur_us = ts - c->t_enter;
	c->qc.returned = 1;
	t->open = NULL;
	emit_front(p);
}

/* --------------------------------------------------------------- parser */

/* Lines of the banner and of the logger's own messages: not calls, not junk. */
static int own_line(const char *s, size_t n)
{
	static const char *const own[] = {
		"PKCS#11 logging proxy module", "Developed as a part of the Pkcs11Interop project",
		"Please visit www.pkcs11interop.net for more information", "NOTE: Memory contents",
		"Memory contents are dumped", "Successfuly loaded ", "Unable to load ",
		"Unable to find C_GetFunctionList", "Unable to call C_GetFunctionList",
		"C_GetFunctionList returned ", "Environment variable ", "Value of ",
		"Unable to read the value", "Unable to copy the value", "Unable to allocate memory",
		NULL,
	};
	int i;

	for (i = 0; own[i]; i++)
		if (hs_starts(s, n, own[i]))
			return 1;
	return 0;
}

/* A separator: all stars, or stars around a time (before 2.3). */
static int separator(const char *s, size_t n, int64_t *ts)
{
	size_t i = 0, k;

	*ts = HS_NONE;
	while (i < n && s[i] == '*')
		i++;
	if (i == n)
		return n >= 20 ? 3 : 0;
	if (i < 10 || s[i] != ' ' || !(k = parse_time(s + i + 1, n - i - 1, ts)))
		return 0;
	return is_word(s + i + 1 + k, n - i - 1 - k, " ***") ? 2 : 0;
}

static int feed_line(struct hs_parser *p, const char *line, size_t n, int64_t off,
                     int64_t lineno)
{
	int64_t pid, tid, ts = HS_NONE;
	struct thread *t;
	size_t pre, k, bn;
	const char *b;
	int sep, indent = 0;

	if (p->b.stop)
		return 1;
	while (n && line[n - 1] == '\r')
		n--;
	hs_buf_clear(&p->b.line);
	if (hs_buf_add(&p->b.line, line, n) < 0) {
		p->b.stop = 1;
		return 1;
	}
	line = p->b.line.data;
	pre = prefix(line, n, p->gen, &pid, &tid);
	b = line + pre;
	bn = n - pre;
	while (indent < (int)bn && b[indent] == ' ')
		indent++;
	if (indent == (int)bn) /* blank: nothing the logger writes */
		return p->b.stop;
	if ((sep = separator(b, bn, &ts))) {
		if (!p->gen || bn == 126)
			p->gen = bn == 126 ? 3 : sep;
		on_separator(p, thread_get(p, pid, tid, 1), ts, off, lineno);
		return p->b.stop;
	}
	if (hs_starts(b, bn, "PKCS11-LOGGER ")) {
		p->gen = hs_starts(b + 14, bn - 14, "2.") && bn > 16 && b[16] >= '3' ? 3 : 2;
		on_banner(p, pid);
		return p->b.stop;
	}
	t = p->cur = thread_get(p, pid, tid, 0);
	if (hs_is_digit(b[0]) && (k = parse_time(b, bn, &ts)) && hs_starts(b + k, bn - k, " - ")) {
		b += k + 3, bn -= k + 3;
		if (hs_starts(b, bn, "Entered ")) {
			p->gen = 3;
			on_call(p, thread_get(p, pid, tid, 1), b + 8, bn - 8, ts, off, lineno);
		} else if (hs_starts(b, bn, "Calling ") || hs_starts(b, bn, "Received response from ")) {
			size_t w = b[0] == 'C' ? 8 : 23;
			struct call *c = t ? t->open : NULL;
			if (c && is_word(b + w, bn - w, c->qc.pc.ev.func)) {
				if (w == 8)
					c->t_call = ts;
				else if (c->t_call != HS_NONE && ts >= c->t_call)
					c->qc.pc.ev.dur_us = ts - c->t_call;
			} else if (!(bn > 9 && is_word(b + bn - 9, 9, " function"))) {
				skip_line(p, t, lineno, off, "module call outside any call");
			}
		} else if (hs_starts(b, bn, "Returning ")) {
			on_return(p, t, b + 10, bn - 10, ts, off, lineno);
		}
		/* else the loader's own lines: "Loading library ...", ... */
		return p->b.stop;
	}
	if (hs_starts(b, bn, "Calling C_")) {
		if (p->gen != 3)
			p->gen = 2;
		on_call(p, thread_get(p, pid, tid, 1), b + 8, bn - 8, HS_NONE, off, lineno);
		return p->b.stop;
	}
	if (hs_starts(b, bn, "Returning ")) {
		on_return(p, t, b + 10, bn - 10, HS_NONE, off, lineno);
		return p->b.stop;
	}
	if (is_word(b, bn, "Input") || is_word(b, bn, "Output")) {
		if (t && t->open)
			hs_lg_section(&t->open->par, b[0] == 'O');
		else
			skip_line(p, t, lineno, off, "'Input'/'Output' without a call");
		return p->b.stop;
	}
	if (own_line(b, bn))
		return p->b.stop;
	if (indent && t && t->open) {
		hs_lg_param_line(&t->open->par, indent, b + indent, bn - (size_t)indent);
		p->b.stop |= t->open->par.oom;
		if (p->buf.cap > KEEP_BYTES) { /* a huge value: do not keep its buffer */
			free(p->buf.b);
			p->buf.b = NULL, p->buf.cap = 0;
		}
		return p->b.stop;
	}
	skip_line(p, t, lineno, off, indent ? "parameter outside any call" :
	          "not a pkcs11-logger line");
	return p->b.stop;
}

/* A line read in the open call of its thread is that call's (the thread
 * table's entry lives until the next line's lookup). */
static int logger_feed(struct hs_parser *p, const char *line, size_t n, int64_t off,
                       int64_t lineno)
{
	p->cur = NULL;
	feed_line(p, line, n, off, lineno);
	if (p->cur && p->cur->open && !p->cur->open->qc.returned &&
	    hs_p11call_saw(&p->cur->open->qc.pc, lineno) < 0)
		p->b.stop = 1;
	return p->b.stop;
}

static struct hs_parser *logger_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = hs_pbase_create(sizeof *p, sink, o, sizeof(struct call), QMAX,
	                                      &(struct hs_callq_hooks){ .on_emit = forget_call,
	                                                                .hold_from = first_pending });
	int i;

	if (!p)
		return NULL;
	p->noid = -1;
	for (i = 0; i < PMAX; i++)
		p->pids[i].pid = HS_NONE;
	return p;
}

/* state: "n=<instances> g=<gen> z=<noid> zs=<its state> p=<pid>:<id>:<calls>,..."
 * (the pids newest first) */
static void logger_resume(struct hs_parser *p, const char *state)
{
	int64_t n, g, z, zs, v[3];
	const char *cur = NULL;

	if (!hs_pstate_get_int(state, "n", &n) || !hs_pstate_get_int(state, "g", &g) ||
	    !hs_pstate_get_int(state, "z", &z) || !hs_pstate_get_int(state, "zs", &zs) ||
	    n < 0 || z < -1 || z >= n || g < 0 || g > 3 || zs < 0 || zs > 2)
		return;
	p->ninst = n, p->gen = (int)g, p->noid = z, p->noid_state = (int)zs;
	while (hs_pstate_next(state, "p", &cur, v, 3) == 3 && v[1] >= 0 && v[1] < n &&
	       v[2] >= 0 && v[2] <= INT32_MAX) {
		if (!pid_find(p, v[0]))
			pid_add(p, v[0], v[1], (int)v[2]);
	}
	/* the pairs were saved newest first: put the newest last */
	if (p->npids > 1) {
		int64_t a = 0, z2 = p->npids - 1;
		for (; a < z2; a++, z2--) {
			struct pidinst tmp = p->pids[a];
			p->pids[a] = p->pids[z2], p->pids[z2] = tmp;
		}
	}
}

static void logger_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                          struct hs_parse_stats *st)
{
	struct snap r;
	int i;

	/* The oldest unfinished call, or separator still waiting for its call,
	 * is where a refresh must start again. */
	take_snap(p, &r, end_offset, end_line);
	if (p->b.q.count)
		r = ((struct call *)hs_callq_at(&p->b.q, 0))->res;
	for (i = 0; i < TMAX; i++)
		if (p->thr[i].s.used && p->thr[i].sep_off >= 0 && p->thr[i].sep_off < r.offset)
			r = p->thr[i].sep_res;
	hs_pstate_int(&p->b.state, "n", r.ninst);
	hs_pstate_int(&p->b.state, "g", r.gen);
	hs_pstate_int(&p->b.state, "z", r.noid);
	hs_pstate_int(&p->b.state, "zs", r.noid_state);
	hs_pstate_list(&p->b.state, "p");
	for (i = 0; i < r.n; i++)
		hs_pstate_item(&p->b.state, (int64_t[]){ r.pid[i].pid, r.pid[i].id, r.pid[i].calls }, 3);
	hs_pbase_finish(&p->b, r.offset, r.line, st);
}

static void logger_destroy(struct hs_parser *p)
{
	if (!p)
		return;
	free(p->buf.b);
	hs_pbase_destroy(&p->b);
}

static int logger_line_score(const char *s, size_t n)
{
	int64_t pid, tid, ts;
	uint64_t v;
	const char *nm;
	size_t nl, k, pre = prefix(s, n, 0, &pid, &tid);
	int sep;

	s += pre, n -= pre;
	if (hs_starts(s, n, "PKCS11-LOGGER ") || is_word(s, n, "PKCS#11 logging proxy module"))
		return 50;
	if (is_word(s, n, "Developed as a part of the Pkcs11Interop project"))
		return 30;
	if ((sep = separator(s, n, &ts)))
		return sep == 2 ? 20 : pre ? 10 : 2;
	if (n && hs_is_digit(s[0]) && (k = parse_time(s, n, &ts)) && hs_starts(s + k, n - k, " - ")) {
		s += k + 3, n -= k + 3;
		if (hs_starts(s, n, "Entered C_"))
			return 25;
		if (hs_starts(s, n, "Calling C_") || hs_starts(s, n, "Received response from C_"))
			return 10;
		return hs_starts(s, n, "Returning ") && hs_lg_num_name(s + 10, n - 10, &v, &nm, &nl) ? 15 : 0;
	}
	if (hs_starts(s, n, "Returning ") && hs_lg_num_name(s + 10, n - 10, &v, &nm, &nl))
		return 10;
	if (hs_starts(s, n, "Calling C_") && !memchr(s + 8, ' ', n - 8))
		return 8;
	if (is_word(s, n, " *pPin: *** Intentionally hidden ***"))
		return 20;
	return pre && (is_word(s, n, "Input") || is_word(s, n, "Output")) ? 4 : 0;
}

static const char *const logger_samples[] = {
	"0x0000956c : 0x0000000000006838 : ******************************************************************************************************************************",
	"0x0000956c : 0x0000000000006838 : 2025-02-12 06:28:22.171000 - Entered C_OpenSession",
	"0x0000956c : 0x0000000000006838 : Input",
	"0x0000956c : 0x0000000000006838 :  slotID: 1",
	"0x0000956c : 0x0000000000006838 :  flags: 6",
	"0x0000956c : 0x0000000000006838 : 2025-02-12 06:28:22.171000 - Calling C_OpenSession",
	"0x0000956c : 0x0000000000006838 : 2025-02-12 06:28:22.171000 - Received response from C_OpenSession",
	"0x0000956c : 0x0000000000006838 : Output",
	"0x0000956c : 0x0000000000006838 :  *phSession: 1",
	"0x0000956c : 0x0000000000006838 : 2025-02-12 06:28:22.171000 - Returning 0 (CKR_OK)",
	NULL,
};

HS_PARSER_DESC_BY_LINE(logger, logger, "Pkcs11Interop pkcs11-logger", 1);
