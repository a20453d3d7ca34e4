/* parse_shim.c — Mastercard libpkcs11shim logs (a fork of OpenSC's spy).
 *
 * A shim call is a block of bracketed lines (pkcs11-shim.c enter/retne):
 *     [cnt] 0000000000000007 - C_Login       per-process counter, decimal
 *     [pid] 9153   [ppd] 9139   [tid] 9153   one line each
 *     [tic] 2026-12-01 07:33:37.634156       local time at entry, µs
 *     [in ] ... / [out] ... / 6-space indented templates, dumps, info
 *     [toc] 2026-12-01 07:33:37.639377       local time at return
 *     [lap] 0.005221                         toc - tic, exact, s.µs
 *     [ret] 160 CKR_PIN_INCORRECT            rv in decimal and its name
 * after a banner per process ("PKCS#11 shim library", "pid: N"). This file
 * reads the blocks; shim_values.c translates the parameter lines into the
 * spy's layout through p11call.h (a PIN the shim masked, "** **", becomes a
 * length without a dump: the tracer never recorded the bytes). [lap] is the
 * tracer's own measurement and becomes dur_us.
 *
 * Threads. PKCS11SHIM_CONSISTENCY=1 and 2 write a call's block whole (2 in
 * the order calls return); 0 lets concurrent threads' lines interleave, and
 * only the header carries a thread id. So: `q` is the FIFO of calls
 * (callq.h) in header order, emitted from the front once returned. A header
 * field goes to the newest call still expecting that field; `[in ]` lines to
 * the call that took the last header field (a thread prints its inputs right
 * after its header); a [toc]/[lap] pair to the open call whose [tic] equals
 * toc - lap (exact: one timeval subtraction), [ret] to the call closed last.
 * `[out]` lines are printed by a thread just before its [toc], so while
 * several calls are open they wait in `limbo` and go to the call the next
 * [lap] closes. Indented lines continue the call that took the line above; a
 * dump row with an offset goes to the call whose dump expects it.
 *
 * Instances: each banner's "pid: N" starts one; a call's [pid] picks the
 * newest instance of that pid (a pid never announced gets its own).
 *
 * Resume: each call remembers where a re-parse must start to rebuild it
 * (its header, or that of the oldest call open when it began) and the
 * newest instances' pids; finish() reports the oldest open call's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"
#include "shim_int.h"

/* "YYYY-MM-DD HH:MM:SS.uuuuuu" exactly (trailing blanks trimmed): µs or HS_NONE. */
static int64_t parse_ts(const char *s, size_t n)
{
	int v[7] = { 0 }, k, i = 0;
	static const char sep[] = "-- ::.";
	static const int width[] = { 4, 2, 2, 2, 2, 2, 6 };

	if (n != 26)
		return HS_NONE;
	for (k = 0; k < 7; k++) {
		int w;
		for (w = 0; w < width[k]; w++, i++) {
			if (!hs_is_digit(s[i]))
				return HS_NONE;
			v[k] = v[k] * 10 + (s[i] - '0');
		}
		if (k < 6 && s[i++] != sep[k])
			return HS_NONE;
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return HS_NONE;
	return hs_civil_to_us(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
}

/* "%ld.%06ld" (seconds may be negative after a clock step): µs, or HS_NONE. */
static int64_t parse_lap(const char *s, size_t n)
{
	size_t i = 0, d;
	int64_t sec = 0, us = 0;
	int neg = 0;

	if (i < n && s[i] == '-')
		neg = 1, i++;
	for (d = 0; i < n && hs_is_digit(s[i]) && d < 12; i++, d++)
		sec = sec * 10 + (s[i] - '0');
	if (!d || i + 7 != n || s[i] != '.')
		return HS_NONE;
	for (i++; i < n; i++) {
		if (!hs_is_digit(s[i]))
			return HS_NONE;
		us = us * 10 + (s[i] - '0');
	}
	return (neg ? -sec : sec) * 1000000 + us;
}

/* ---------------------------------------------------------- call queue */

static struct call *q_at(struct hs_parser *p, int i)
{
	return (struct call *)hs_callq_at(&p->b.q, i);
}

/* c may be NULL or a call that has left. */
static int is_open(struct hs_parser *p, const struct call *c)
{
	return hs_callq_is_open(&p->b.q, (const struct hs_callq_call *)c);
}

/* A call leaves: its value rows in progress are written, and `cur` and
 * `last` must not point at it when it is recycled. */
static void on_emit(void *ctx, struct hs_callq_call *qc)
{
	struct hs_parser *p = ctx;
	struct call *c = (struct call *)qc;

	hs_shim_flush(p, c);
	if (p->last == c)
		p->last = NULL;
	if (p->cur == c)
		p->cur = NULL;
}

/* A recycled call: blank again, but the bytes of its value rows keep their memory. */
static void reuse_call(void *ctx, struct hs_callq_call *qc)
{
	struct call *c = (struct call *)qc;
	unsigned char *b = c->pd.b;
	size_t cap = c->pd.cap;

	(void)ctx;
	memset((char *)c + sizeof c->qc, 0, sizeof *c - sizeof c->qc);
	c->pd.b = b, c->pd.cap = cap;
}

static void release_call(void *ctx, struct hs_callq_call *qc)
{
	(void)ctx;
	free(((struct call *)qc)->pd.b);
}

/* The oldest open call, with `unclosed` one still without its [toc]. */
static struct call *oldest_open(struct hs_parser *p, int unclosed)
{
	int i;

	for (i = 0; i < p->b.q.count; i++) {
		struct call *c = q_at(p, i);
		if (!c->qc.returned && !(unclosed && c->closed))
			return c;
	}
	return NULL;
}

static struct call *newest_open(struct hs_parser *p, int unclosed)
{
	int i;

	for (i = p->b.q.count - 1; i >= 0; i--) {
		struct call *c = q_at(p, i);
		if (!c->qc.returned && !(unclosed && c->closed))
			return c;
	}
	return NULL;
}

static int count_unclosed(struct hs_parser *p)
{
	int i, k = 0;

	for (i = 0; i < p->b.q.count; i++)
		k += !q_at(p, i)->qc.returned && !q_at(p, i)->closed;
	return k;
}

void hs_shim_skip(struct hs_parser *p, int64_t lineno, int64_t off, const char *why)
{
	hs_callq_skip(&p->b.q, hs_callq_newest_open(&p->b.q), lineno, off, why);
}

static void take_snap(struct hs_parser *p, struct resume_point *r, int64_t off, int64_t lineno)
{
	int64_t k;

	r->offset = off;
	r->line = lineno;
	r->ninst = p->ninst;
	for (r->n = 0, k = p->ninst - 1; k >= 0 && r->n < SNAP; k--)
		r->pid[r->n++] = p->inst_pid[k % MAX_INST];
}

static int64_t new_instance(struct hs_parser *p, int64_t pid)
{
	p->inst_pid[p->ninst % MAX_INST] = pid;
	return p->ninst++;
}
/* A dump row no pending value of `c` takes may be another thread's. */
static struct call *row_owner(struct hs_parser *p, struct call *c, const char *s, size_t n)
{
	int64_t off = 0;
	size_t i;
	int k;

	if (c && c->pd.kind != PD_NONE)
		return c;
	if (n < 14 || !hs_starts(s, n, IND))
		return c;
	for (i = 6; i < 14; i++) {
		if (!hs_is_hex(s[i]))
			return c;
		off = off * 16 + hs_hexval(s[i]);
	}
	for (k = p->b.q.count - 1; k >= 0; k--) {
		struct call *o = q_at(p, k);
		if (!o->qc.returned && o->pd.kind != PD_NONE && o->pd.style != 2 && o->pd.got == off)
			return o;
	}
	return c;
}

/* Give the [out] lines held in limbo to the call they turned out to be. */
static void replay_limbo(struct hs_parser *p, struct call *c, int64_t lineno, int64_t off)
{
	const char *s = p->limbo.data, *end = s ? s + p->limbo.len : NULL;

	while (s && s < end && !p->b.stop) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		if (hs_starts(s, n, "[out] "))
			hs_shim_param_line(p, c, 1, s + 6, n - 6, lineno, off);
		else
			hs_shim_cont_line(p, c, s, n, lineno, off);
		s = nl ? nl + 1 : end;
	}
	c->qc.pc.ev.elided_lines += p->limbo_lost;
	p->limbo_lost = 0;
	hs_buf_clear(&p->limbo);
	p->in_limbo = 0;
}

static void to_limbo(struct hs_parser *p, const char *s, size_t n)
{
	if (p->limbo.len + n + 1 > LIMBO_MAX) {
		p->limbo_lost++;
		return;
	}
	if (hs_buf_add(&p->limbo, s, n) < 0 || hs_buf_addc(&p->limbo, '\n') < 0)
		p->b.stop = 1;
	p->in_limbo = 1;
}

/* ------------------------------------------------------- block lines */

static void on_header(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	const char *r = s + 6, *end = s + n, *nm;
	int64_t num = HS_NONE;
	struct call *c, *o;
	size_t d = 0;

	while (r + d < end && hs_is_digit(r[d]))
		d++;
	if (!d || !hs_starts(r + d, (size_t)(end - r - d), " - ")) {
		hs_shim_skip(p, lineno, off, "a [cnt] line without a counter and a function");
		return;
	}
	if (!hs_shim_whole_int(r, d, &num))
		num = HS_NONE;
	nm = r + d + 3;
	if (p->b.q.count == QMAX) /* a full queue gives up its oldest even for a bad name */
		hs_callq_emit_front(&p->b.q, 1);
	c = (struct call *)hs_callq_new(&p->b.q);
	if (!c) {
		p->b.stop = 1;
		return;
	}
	if (hs_p11call_func(&c->qc.pc, nm, (size_t)(end - nm)) < 0) {
		hs_callq_discard(&p->b.q, &c->qc);
		hs_shim_skip(p, lineno, off, "a [cnt] line naming no PKCS#11 function");
		return;
	}
	o = oldest_open(p, 0); /* a re-parse must rebuild every call still open */
	if (o)
		c->res = o->res;
	else
		take_snap(p, &c->res, off, lineno);
	if (!p->ninst)
		new_instance(p, HS_NONE); /* text before any banner */
	c->qc.pc.ev.format = "shim";
	c->qc.pc.ev.file_id = p->b.file_id;
	c->qc.pc.ev.offset = off;
	c->qc.pc.ev.line = lineno;
	c->qc.pc.ev.call_no = num;
	c->qc.pc.ev.instance = p->ninst - 1;
	c->qc.pc.ev.ts_utc = 0;
	hs_callq_push(&p->b.q, &c->qc);
	p->cur = c;
	if (hs_p11call_saw(&c->qc.pc, lineno) < 0)
		p->b.stop = 1;
}

/* [pid] [ppd] [tid] [tic]: field k (1..4) of the newest call expecting it. */
static void on_field(struct hs_parser *p, int k, const char *v, size_t vn, int64_t off,
                     int64_t lineno)
{
	struct call *c = NULL;
	int64_t x = HS_NONE;
	int i, pass;

	if (k == 4 ? (x = parse_ts(v, vn)) == HS_NONE : !hs_shim_whole_int(v, vn, &x)) {
		hs_shim_skip(p, lineno, off, "a header line with an unreadable value");
		return;
	}
	for (pass = 0; pass < 2 && !c; pass++) /* exact next field, else any still missing it */
		for (i = p->b.q.count - 1; i >= 0 && !c; i--) {
			struct call *o = q_at(p, i);
			if (!o->qc.returned && (pass ? o->fields < k : o->fields == k - 1))
				c = o;
		}
	if (!c) {
		hs_shim_skip(p, lineno, off, "a header line without its [cnt]");
		return;
	}
	c->fields = k;
	p->cur = c;
	if (hs_p11call_saw(&c->qc.pc, lineno) < 0)
		p->b.stop = 1;
	if (k == 1) {
		int64_t inst = HS_NONE, j;
		for (j = p->ninst - 1; j >= 0 && j >= p->ninst - MAX_INST; j--)
			if (p->inst_pid[j % MAX_INST] == x) {
				inst = j;
				break;
			}
		if (inst == HS_NONE && p->inst_pid[(p->ninst - 1) % MAX_INST] == HS_NONE)
			p->inst_pid[(inst = p->ninst - 1) % MAX_INST] = x; /* no banner named it */
		c->qc.pc.ev.pid = x;
		c->qc.pc.ev.instance = inst != HS_NONE ? inst : new_instance(p, x);
	} else if (k == 3) {
		c->qc.pc.ev.tid = x;
		/* a thread is in one call at a time: its older open calls are over */
		for (i = 0; i < p->b.q.count; i++) {
			struct call *o = q_at(p, i);
			if (o != c && !o->qc.returned && o->qc.pc.ev.tid == x && o->qc.pc.ev.pid == c->qc.pc.ev.pid)
				hs_callq_give_up(&p->b.q, &o->qc);
		}
		hs_callq_emit_front(&p->b.q, 0);
	} else if (k == 4) {
		c->qc.pc.ev.ts_us = x;
	}
}

/* The call a [toc] at `toc` with [lap] `lap` (either may be HS_NONE) ends. */
static struct call *close_call(struct hs_parser *p, int64_t toc, int64_t lap, int64_t lineno,
                               int64_t off)
{
	struct call *c = NULL;
	int i;

	if (toc != HS_NONE && lap != HS_NONE)
		for (i = 0; i < p->b.q.count && !c; i++) {
			struct call *o = q_at(p, i);
			if (!o->qc.returned && !o->closed && o->fields >= 4 && o->qc.pc.ev.ts_us == toc - lap)
				c = o;
		}
	if (!c)
		c = oldest_open(p, 1);
	if (!c)
		return NULL;
	c->closed = 1;
	c->close_seq = ++p->close_seq;
	if ((toc != HS_NONE && hs_p11call_saw(&c->qc.pc, p->toc_line) < 0) ||
	    hs_p11call_saw(&c->qc.pc, lineno) < 0)
		p->b.stop = 1;
	if (lap != HS_NONE && lap >= 0)
		c->qc.pc.ev.dur_us = lap;
	else if (toc != HS_NONE && c->qc.pc.ev.ts_us != HS_NONE && toc >= c->qc.pc.ev.ts_us)
		c->qc.pc.ev.dur_us = toc - c->qc.pc.ev.ts_us;
	if (p->limbo.len || p->limbo_lost)
		replay_limbo(p, c, lineno, off);
	return c;
}

static void on_ret(struct hs_parser *p, const char *v, size_t vn, int64_t off, int64_t lineno)
{
	struct call *c = NULL;
	int64_t rv;
	int used, i;
	const char *nm;

	/* the call closed last: a thread prints [toc] [lap] [ret] in a row, and a
	 * call whose [ret] was lost must not take every later one */
	for (i = 0; i < p->b.q.count; i++) {
		struct call *o = q_at(p, i);
		if (!o->qc.returned && o->closed && (!c || o->close_seq > c->close_seq))
			c = o;
	}
	if (!c)
		c = close_call(p, p->toc, HS_NONE, lineno, off);
	p->toc = HS_NONE;
	used = vn ? hs_parse_int(v, &rv) : 0;
	if (!c || !used) {
		hs_shim_skip(p, lineno, off, c ? "a [ret] line without a number" : "a [ret] line without a call");
		return;
	}
	hs_shim_flush(p, c);
	if (hs_p11call_saw(&c->qc.pc, lineno) < 0)
		p->b.stop = 1;
	nm = hs_skip_ws(v + used);
	hs_p11call_return(&c->qc.pc, rv, nm, (size_t)(v + vn - nm));
	c->qc.returned = 1;
	hs_callq_emit_front(&p->b.q, 0);
}

static void on_out(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	struct call *c;

	if (count_unclosed(p) > 1 || p->in_limbo) { /* whose it is, the next [lap] says */
		to_limbo(p, s, n);
		return;
	}
	c = newest_open(p, 1);
	if (!c) {
		hs_shim_skip(p, lineno, off, "an [out] line without a call");
		return;
	}
	if (p->limbo.len)
		replay_limbo(p, c, lineno, off);
	hs_shim_param_line(p, c, 1, s + 6, n - 6, lineno, off);
}

/* ------------------------------------------------------------- feeding */

static int shim_feed(struct hs_parser *p, const char *line, size_t len, int64_t off, int64_t lineno)
{
	size_t n = trim_end(line, len);
	struct call *c;
	const char *s;
	int64_t v;

	if (n == 0 || p->b.stop) /* a blank line opens every block */
		return p->b.stop;
	hs_buf_clear(&p->b.line);
	if (hs_buf_add(&p->b.line, line, n) < 0)
		return (p->b.stop = 1);
	s = p->b.line.data;
	if (hs_starts(s, n, IND) || s[0] == '\t') {
		if (p->in_limbo) {
			to_limbo(p, s, n);
			return p->b.stop;
		}
		c = row_owner(p, is_open(p, p->last) ? p->last : newest_open(p, 0), s, n);
		if (c)
			hs_shim_cont_line(p, c, s, n, lineno, off);
		else
			hs_shim_skip(p, lineno, off, "an indented line outside any call");
		return p->b.stop;
	}
	p->in_limbo = 0;
	if (n >= 6 && s[0] == '[' && s[4] == ']' && s[5] == ' ') {
		const char *v6 = s + 6;
		size_t vn = n - 6;
		if (memcmp(s, "[cnt]", 5) == 0)
			on_header(p, s, n, off, lineno);
		else if (memcmp(s, "[pid]", 5) == 0)
			on_field(p, 1, v6, vn, off, lineno);
		else if (memcmp(s, "[ppd]", 5) == 0)
			on_field(p, 2, v6, vn, off, lineno);
		else if (memcmp(s, "[tid]", 5) == 0)
			on_field(p, 3, v6, vn, off, lineno);
		else if (memcmp(s, "[tic]", 5) == 0)
			on_field(p, 4, v6, vn, off, lineno);
		else if (memcmp(s, "[toc]", 5) == 0) {
			p->toc_line = lineno;
			if ((p->toc = parse_ts(v6, vn)) == HS_NONE)
				hs_shim_skip(p, lineno, off, "a [toc] line without a time");
		} else if (memcmp(s, "[lap]", 5) == 0) {
			if ((v = parse_lap(v6, vn)) == HS_NONE || !close_call(p, p->toc, v, lineno, off))
				hs_shim_skip(p, lineno, off, "a [lap] line without a call or a time");
			p->toc = HS_NONE;
		} else if (memcmp(s, "[ret]", 5) == 0)
			on_ret(p, v6, vn, off, lineno);
		else if (memcmp(s, "[in ]", 5) == 0 || memcmp(s, "[out]", 5) == 0) {
			if (s[1] == 'o') {
				on_out(p, s, n, off, lineno);
				return p->b.stop;
			}
			c = is_open(p, p->cur) && !p->cur->closed ? p->cur : newest_open(p, 1);
			if (c)
				hs_shim_param_line(p, c, 0, v6, vn, lineno, off);
			else
				hs_shim_skip(p, lineno, off, "an [in ] line without a call");
		} else if (memcmp(s, "[lib]", 5) != 0) /* "[lib] process forked ..", "[lib] *** EOF ***" */
			hs_shim_skip(p, lineno, off, "a bracketed line the shim does not write");
		return p->b.stop;
	}
	if (hs_starts(s, n, "[in] ")) { /* _shim_dump_ptr: "[in] pReserved = %p" */
		c = is_open(p, p->cur) && !p->cur->closed ? p->cur : newest_open(p, 1);
		if (c)
			hs_shim_param_line(p, c, 0, s + 5, n - 5, lineno, off);
		else
			hs_shim_skip(p, lineno, off, "an [in] line without a call");
		return p->b.stop;
	}
	if (hs_is_hex(s[0]) && hs_shim_bufspec(s, n, &v) && is_open(p, p->last)) {
		/* the bytes behind pReserved, printed with no prefix */
		hs_shim_flush(p, p->last);
		hs_shim_pd_open(p->last, PD_BYTES, 0, "*pReserved", 10, v);
		return p->b.stop;
	}
	if (hs_starts(s, n, "pid: ") && hs_shim_whole_int(s + 5, n - 5, &v)) { /* a process's banner */
		new_instance(p, v);
		return p->b.stop;
	}
	if (s[0] == '*' || hs_starts(s, n, "ppid: ") || hs_starts(s, n, "PKCS11SHIM_") ||
	    hs_starts(s, n, "library: \""))
		return p->b.stop; /* the rest of the banner */
	hs_shim_skip(p, lineno, off, "text outside the shim's layout");
	return p->b.stop;
}

static struct hs_parser *shim_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = hs_pbase_create(sizeof *p, sink, o, sizeof(struct call), QMAX,
	                                      &(struct hs_callq_hooks){ .on_emit = on_emit,
	                                                                .reuse = reuse_call,
	                                                                .release = release_call });

	if (!p)
		return NULL;
	p->toc = HS_NONE;
	hs_pbase_buf(&p->b, &p->limbo);
	return p;
}

/* state: "inst=K p=P1,P2,.." — the number of instances and the pids of the
 * newest ones, newest first (-1 unknown). */
static void shim_resume(struct hs_parser *p, const char *state)
{
	int64_t k, pid;
	const char *cur = NULL;
	int i;

	if (!hs_pstate_get_int(state, "inst", &k) || k <= 0 || k > (1LL << 40))
		return;
	p->ninst = k;
	for (i = 0; i < MAX_INST; i++)
		p->inst_pid[i] = -2; /* an instance whose pid was not saved takes no call */
	for (i = 0; i < SNAP && i < k && hs_pstate_next(state, "p", &cur, &pid, 1) == 1; i++)
		p->inst_pid[(k - 1 - i) % MAX_INST] = pid < 0 ? HS_NONE : pid;
}

static void shim_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                        struct hs_parse_stats *st)
{
	struct call *c = oldest_open(p, 0);
	struct resume_point r;
	int i;

	if ((p->limbo.len || p->limbo_lost) && oldest_open(p, 1))
		replay_limbo(p, oldest_open(p, 1), end_line, end_offset);
	if (c)
		r = c->res;
	else
		take_snap(p, &r, end_offset, end_line);
	hs_pstate_int(&p->b.state, "inst", r.ninst);
	hs_pstate_list(&p->b.state, "p"); /* the newest instance's pid first, -1 unknown */
	for (i = 0; i < r.n; i++)
		hs_pstate_item(&p->b.state, (int64_t[]){ r.pid[i] == HS_NONE ? -1 : r.pid[i] }, 1);
	hs_pbase_finish(&p->b, r.offset, r.line, st);
}

static void shim_destroy(struct hs_parser *p)
{
	hs_pbase_destroy(p ? &p->b : NULL);
}

static int shim_line_score(const char *s, size_t n)
{
	int64_t v;
	size_t d = 6;

	n = trim_end(s, n); /* TABs too */
	if (n > 20 && strstr(s, "PKCS#11 shim library"))
		return 60;
	if (hs_starts(s, n, "PKCS11SHIM_CONSISTENCY=") || hs_starts(s, n, "PKCS11SHIM_LIBRARY="))
		return 20;
	if (n < 7 || s[0] != '[' || s[4] != ']' || s[5] != ' ')
		return 0;
	if (memcmp(s, "[cnt]", 5) == 0) {
		while (d < n && hs_is_digit(s[d]))
			d++;
		return d > 6 && hs_starts(s + d, n - d, " - ") ? 25 : 0;
	}
	if (memcmp(s, "[tic]", 5) == 0 || memcmp(s, "[toc]", 5) == 0)
		return parse_ts(s + 6, n - 6) != HS_NONE ? 10 : 0;
	if (memcmp(s, "[lap]", 5) == 0)
		return parse_lap(s + 6, n - 6) != HS_NONE ? 10 : 0;
	if (memcmp(s, "[ret]", 5) == 0)
		return hs_parse_int(s + 6, &v) ? 10 : 0;
	if (memcmp(s, "[pid]", 5) == 0 || memcmp(s, "[tid]", 5) == 0)
		return hs_shim_whole_int(s + 6, n - 6, &v) ? 3 : 0;
	return 0;
}

static const char *const shim_samples[] = {
	"************************* PKCS#11 shim library *****************************",
	"* - version 1.9.0                                                          *",
	"pid: 9151",
	"ppid: unforked",
	"PKCS11SHIM_LIBRARY=/usr/lib/softhsm/libsofthsm2.so",
	"PKCS11SHIM_CONSISTENCY=0",
	"",
	"[cnt] 0000000000000001 - C_Initialize",
	"[pid] 9151",
	"[ppd] 9139",
	"[tid] 9151",
	"[tic] 2026-12-01 07:33:37.619426",
	"[in ] pInitArgs = (nil)",
	"[toc] 2026-12-01 07:33:37.619944",
	"[lap] 0.000518",
	"[ret] 0 CKR_OK",
	NULL,
};

HS_PARSER_DESC_BY_LINE(shim, shim, "Mastercard libpkcs11shim", 1);
