/* spy_times.c — which call a time or thread line belongs to (the spy
 * parser, spy_int.h). The spy prints a call's header and then, at once,
 * its time line (old header) or thread line (new header: `P:pid; T:tid`),
 * but threads interleave: several headers may wait for theirs. Each piece
 * of evidence is a test (its process's chunk, its time against the times
 * already read, whether its thread could have headed the call: a thread
 * heads its next call only after its call before returned), and a test
 * narrows the candidates only when it splits them (hs_spy_narrow). Split
 * from spy_attr.c, which decides the other lines.
 */
#include <string.h>

#include "hsmscope/util.h"

#include "spy_int.h"

int hs_spy_narrow(struct hs_parser *p, struct call **cand, int nc, hs_spy_fits_fn test,
                  const struct spy_tline *t, int *passed)
{
	int i, k = 0;

	for (i = 0; i < nc; i++)
		k += test(p, cand[i], t) != 0;
	if (passed)
		*passed = k;
	if (k == 0 || k == nc)
		return nc;
	for (i = k = 0; i < nc; i++)
		if (test(p, cand[i], t))
			cand[k++] = cand[i];
	return k;
}

int hs_spy_fits_chunk(struct hs_parser *p, const struct call *c, const struct spy_tline *t)
{
	(void)p;
	return hs_spy_chunk_fits(c, t->pid);
}

/* c takes time ts: the latest its process's calls took (old header). */
void hs_spy_ts_note(struct hs_parser *p, const struct call *c, int64_t ts)
{
	struct instance *in = hs_spy_inst_get(p, c->qc.pc.ev.instance);

	if (!p->new_header && ts != HS_NONE && ts > in->max_ts)
		in->max_ts = ts;
}

/* New header: could thread (pid, tid) have printed c's header? The spy
 * prints a call's header and thread line in enter() and its Returned in
 * leave(), so a thread heads its next call only after its call before has
 * returned: not c when a call of that thread in the queue returned after
 * c's header, or is open and was headed after it. pid HS_NONE (old
 * header): any. */
static int could_head(struct hs_parser *p, const struct call *c, int64_t pid, int64_t tid,
                      const struct call *skip)
{
	int i;

	for (i = 0; pid != HS_NONE && i < p->b.q.count; i++) {
		const struct call *o = q_at(p, i);
		if (o == c || o == skip || (skip && o->qc.pc.ev.offset > skip->qc.pc.ev.offset) ||
		    o->qc.pc.ev.pid != pid || o->qc.pc.ev.tid != tid || !o->has_ts)
			continue;
		if (o->qc.returned ? o->l_ret > 0 && o->l_ret_off > c->qc.pc.ev.offset
		                   : o->qc.pc.ev.offset > c->qc.pc.ev.offset)
			return 0;
	}
	return 1;
}

int hs_spy_thread_could_head(struct hs_parser *p, const struct call *c, int64_t pid, int64_t tid)
{
	return could_head(p, c, pid, tid, NULL);
}

int hs_spy_fits_head(struct hs_parser *p, const struct call *c, const struct spy_tline *t)
{
	return could_head(p, c, t->pid, t->tid, NULL);
}

/* New header: can c (headed at its line) take a thread line of process
 * pid with time ts? The spy takes a call's time just after printing its
 * header, so a thread line of that process printed before c's header, or
 * belonging to a call headed before c, holds a time no later than c's.
 * skip: a call not counted. */
static int time_fits(struct hs_parser *p, const struct call *c, int64_t ts, int64_t pid,
                     const struct call *skip)
{
	int i;

	for (i = 0; ts != HS_NONE && i < p->b.q.count; i++) {
		const struct call *o = q_at(p, i);
		if (o == c || o == skip || !o->has_ts || o->qc.pc.ev.pid != pid || o->qc.pc.ev.ts_us <= ts)
			continue;
		if (o->qc.pc.ev.offset < c->qc.pc.ev.offset || (o->l_ts > 0 && o->l_ts < c->qc.pc.ev.line))
			return 0;
	}
	return 1;
}

static int fits_time(struct hs_parser *p, const struct call *c, const struct spy_tline *t)
{
	return time_fits(p, c, t->ts, t->pid, NULL);
}

/* New header: none of cand[] (calls without a thread line, which the
 * waiting one fits by all else) could be thread (pid, tid)'s, since its
 * call before returned after each of their headers. Then a header of the
 * same function that it could have printed went to another thread's call
 * y by order alone (two threads printed "N: C_Name", their thread lines
 * came in another order): when x's header is one y's thread could have
 * printed, y and x swap headers, and x, now after the thread's return,
 * is returned; NULL when no such pair is there. Only the header line and
 * number move: both are the same function's, and x has taken no line.
 * Each thread's time must fit its new header too (time_fits). */
struct call *hs_spy_head_repair(struct hs_parser *p, struct call **cand, int nc, int64_t pid, int64_t tid,
                                int64_t ts, int64_t h)
{
	int64_t inst, hat;
	int i, j;

	for (i = nc - 1; pid != HS_NONE && i >= 0; i--) {
		struct call *x = cand[i];
		if (x->has_ts || x->in_at != -1 || x->outs || x->qc.pc.ev.detail.len)
			continue;
		for (j = p->b.q.count - 1; j >= 0; j--) {
			struct call *y = q_at(p, j);
			if (y == x || !y->has_ts || y->qc.pc.ev.pid != pid || y->qc.pc.ev.tid == tid ||
			    y->qc.pc.ev.instance != x->qc.pc.ev.instance ||
			    y->qc.pc.ev.offset < x->qc.pc.ev.offset ||
			    strcmp(y->qc.pc.ev.func, x->qc.pc.ev.func) != 0 ||
			    !could_head(p, y, pid, tid, NULL) ||
			    !could_head(p, x, y->qc.pc.ev.pid, y->qc.pc.ev.tid, y) ||
			    !time_fits(p, y, ts, pid, NULL) || !time_fits(p, x, y->qc.pc.ev.ts_us, pid, y))
				continue;
			/* h: y's header came after h did, x's before; y's own
			 * session came back before x's header */
			inst = x->qc.pc.ev.instance;
			hat = hs_spy_opened_at(p, inst, h);
			if (h != HS_NONE && (hat < 0 || x->qc.pc.ev.offset > hat || y->qc.pc.ev.offset < hat ||
			                     !y->named || hs_spy_opened_at(p, inst, y->named) > x->qc.pc.ev.offset))
				continue;
			hs_spy_swap_header(p, x, y);
			return x;
		}
	}
	return NULL;
}

#define TS_CANDS 32 /* calls without a thread line looked at (a few per thread) */

/* New header: the calls without a thread line that a thread line of
 * (pid, tid) with time ts can be, in header order, into cand[] (their
 * count): of those open, the ones its time fits (time_fits, when some),
 * of them the ones its thread could have headed (when some); when none
 * could, and `repair`, a header swap may give one (hs_spy_head_repair). */
static int new_ts_cands(struct hs_parser *p, int64_t ts, int64_t pid, int64_t tid, struct call **cand,
                        int repair)
{
	const struct spy_tline t = { ts, pid, tid };
	struct call *x;
	int i, k, nc = 0;

	/* a call held with a return it took before its thread line came
	 * (hs_spy_held_early) is one too: that return was not its */
	for (i = 0; i < p->b.q.count && nc < TS_CANDS; i++)
		if (!q_at(p, i)->has_ts && (!q_at(p, i)->qc.returned || hs_spy_held_early(p, q_at(p, i))))
			cand[nc++] = q_at(p, i);
	/* not of another process's chunk (hs_spy_chunk_pid), its time fits,
	 * its thread could have headed it */
	nc = hs_spy_narrow(p, cand, nc, hs_spy_fits_chunk, &t, NULL);
	nc = hs_spy_narrow(p, cand, nc, fits_time, &t, NULL);
	nc = hs_spy_narrow(p, cand, nc, hs_spy_fits_head, &t, &k);
	if (!k && nc && repair && (x = hs_spy_head_repair(p, cand, nc, pid, tid, ts, HS_NONE)))
		cand[0] = x, nc = 1;
	return nc;
}

struct call *hs_spy_take_ts(struct hs_parser *p, int64_t ts, int64_t pid, int64_t tid)
{
	struct call *first = NULL, *cand[TS_CANDS];
	int i, j, chunk = hs_spy_chunk_inst(p), strict, nc;

	/* The spy takes the time just after printing the header, so times
	 * follow header order: a time older than that of a call headed before
	 * c is not c's (a thread paused between the two lines, and its time
	 * comes late); it is the newest such call's that fits. Old header: a
	 * time older than one read before c's header is not c's either
	 * (ts_floor: it counts the calls that have left the queue too); when
	 * no call is left by that, any. */
	/* new header: the newest of the calls its time and thread fit */
	if (pid != HS_NONE && (nc = new_ts_cands(p, ts, pid, tid, cand, 1)) > 0)
		first = cand[nc - 1];
	if (first)
		hs_spy_reopen_early(first);
	for (strict = 1; strict >= 0 && !first; strict--)
	for (i = p->b.q.count - 1; i >= 0; i--) {
		struct call *c = q_at(p, i);
		if (c->has_ts || c->qc.returned || (chunk >= 0 && c->qc.pc.ev.instance != chunk) ||
		    (strict && c->ts_floor != HS_NONE && ts < c->ts_floor))
			continue;
		if (!first)
			first = c;
		for (j = 0; j < i; j++)
			if (q_at(p, j)->has_ts && q_at(p, j)->qc.pc.ev.ts_us > ts &&
			    q_at(p, j)->qc.pc.ev.instance == c->qc.pc.ev.instance)
				break;
		if (j == i) {
			first = c;
			break;
		}
	}
	if (first) {
		hs_spy_ts_note(p, first, ts);
		first->qc.pc.ev.ts_us = ts;
		first->has_ts = 1;
		first->l_ts = p->cur_lineno;
		first->l_ts_off = p->cur_off;
	}
	return first;
}

/* More than one open call has no thread line yet, and they differ: which
 * one a thread line is is told by the input line after it. */
int hs_spy_ts_ambiguous(struct hs_parser *p, int64_t ts, int64_t pid, int64_t tid)
{
	struct call *first = NULL, *cand[TS_CANDS];
	int i, n, chunk = hs_spy_chunk_inst(p);

	if (pid != HS_NONE) { /* new header */
		int nc = new_ts_cands(p, ts, pid, tid, cand, 0);
		for (i = 1; i < nc; i++)
			if (!hs_spy_alike(cand[0], cand[i]))
				return 1;
		return 0;
	}
	for (i = 0, n = 0; i < p->b.q.count; i++) {
		struct call *c = q_at(p, i);
		if (c->has_ts || c->qc.returned || (chunk >= 0 && c->qc.pc.ev.instance != chunk))
			continue;
		if (first && !hs_spy_alike(first, c))
			return 1;
		if (!first)
			first = c;
		if (n < TS_CANDS)
			cand[n++] = c;
	}
	/* alike, but a later "[in] hSession" may say which can take it (the
	 * oldest, hs_spy_alike_free): the input lines after it decide */
	return n > 1 && hs_spy_alike_free(p, cand, n, HS_NONE);
}
