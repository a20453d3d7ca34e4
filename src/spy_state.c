/* spy_state.c — the spy parser's resume state (spy_int.h): what a refresh
 * needs to go on from the parse's resume point (instances, their pids and
 * sessions, the buffer addresses seen), written at finish and read back
 * by resume, as key=value (pbase.h); and, new header, the notes of where
 * each thread's buffers lie that are part of it. Split from parse_spy.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "hsmscope/pbase.h"
#include "hsmscope/callq.h"
#include "hsmscope/chars.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"
#include "spy_int.h"

/* state: "instances=K u=U r=R [b=1] i=d:pid:last,..." where item d
 * describes instance K-d (pid -1 = unknown), R the instance K-R whose chunk
 * ended last (0 none), and b=1 says a banner came after the last header. */
void hs_spy_resume(struct hs_parser *p, const char *state)
{
	int64_t k, u, v[3], s4[4];
	const char *cur = NULL;
	int i;

	if (!hs_pstate_get_int(state, "instances", &k) || k <= 0)
		return; /* nothing but the implicit instance had been seen */
	p->implicit = 0;
	p->ninst = k;
	p->unbound_from = k;
	/* Instances not described below can no longer take a call by its
	 * number (-2 + 1 is never a call number). */
	for (i = 0; i < MAX_INSTANCES; i++)
		p->inst[i].pid = HS_NONE, p->inst[i].last_n = -2, p->inst[i].hole = -1, p->inst[i].ss.known = 0;
	hs_spy_inst_get(p, k - 1)->last_n = -1;
	if (hs_pstate_get_int(state, "u", &u) && u >= 0 && u <= k)
		p->unbound_from = u;
	/* the process whose chunk ended last */
	if (hs_pstate_get_int(state, "r", &u) && u >= 1 && u <= k && u <= MAX_INSTANCES)
		p->ret_inst = k - u;
	/* a banner just before the resume point: the header after it is
	 * the new process's (without it, two counts at -1 made it a guess) */
	p->after_banner = hs_pstate_get_int(state, "b", &u) && u == 1;
	while (hs_pstate_next(state, "i", &cur, v, 3) == 3) {
		if (v[0] >= 1 && v[0] <= k && v[0] <= MAX_INSTANCES) {
			hs_spy_inst_get(p, k - v[0])->pid = v[1] < 0 ? HS_NONE : v[1];
			hs_spy_inst_get(p, k - v[0])->last_n = v[2];
			hs_spy_inst_get(p, k - v[0])->ss.known = 1, hs_spy_inst_get(p, k - v[0])->ss.n = 0;
		}
	}
	/* the numbers their counts skipped (old header: a later header of
	 * that number is theirs) */
	cur = NULL;
	while (hs_pstate_next(state, "h", &cur, v, 3) == 2)
		if (v[0] >= 1 && v[0] <= k && v[0] <= MAX_INSTANCES && v[1] >= 0)
			hs_spy_inst_get(p, k - v[0])->hole = v[1];
	/* the sessions of the instances described: each had its every
	 * session opened in the log unless nk says otherwise */
	cur = NULL;
	while (hs_pstate_next(state, "nk", &cur, v, 3) == 1)
		if (v[0] >= 1 && v[0] <= k && v[0] <= MAX_INSTANCES)
			hs_spy_inst_get(p, k - v[0])->ss.known = 0;
	cur = NULL;
	while (hs_pstate_next(state, "s", &cur, s4, 4) == 4) {
		struct inst_sessions *ss;
		if (s4[0] < 1 || s4[0] > k || s4[0] > MAX_INSTANCES || !(ss = &hs_spy_inst_get(p, k - s4[0])->ss)->known)
			continue;
		if (ss->n == ISESS) {
			ss->known = 0; /* more than a parse keeps: not a state it wrote */
			continue;
		}
		ss->sess[ss->n].h = s4[1];
		ss->sess[ss->n].active = (unsigned)s4[2];
		ss->sess[ss->n++].maybe = (unsigned)s4[3];
	}
	/* the ring of buffer addresses; any doubt leaves it empty (a state
	 * without it is an older one: attribution then has less evidence) */
	if (hs_pstate_get_int(state, "an", &u) && u >= 0 && u <= INT_MAX) {
		int n = 0, ok = 1;
		cur = NULL;
		while (ok && hs_pstate_next(state, "a", &cur, v, 3) == 2) {
			if (n >= PADDR || v[0] < 1 || v[0] > k)
				ok = 0;
			else
				p->paddr[n].inst = k - v[0], p->paddr[n++].addr = (unsigned long long)v[1];
		}
		if (ok && n == (u < PADDR ? u : PADDR))
			p->npaddr = (int)u;
	}
	/* the ring of returns, in the order they were written */
	cur = NULL;
	while (hs_pstate_next(state, "sr", &cur, s4, 4) == 4)
		if (s4[0] >= 1 && s4[0] <= k && s4[0] <= MAX_INSTANCES) {
			struct spy_sret *x = &p->sret[p->nsret++ % SRET];
			x->inst = k - s4[0], x->handle = s4[1], x->line = s4[2], x->head = s4[3];
		}
	cur = NULL;
	while (hs_pstate_next(state, "op", &cur, v, 3) == 3)
		if (v[0] >= 1 && v[0] <= k && v[0] <= MAX_INSTANCES) {
			struct spy_opened *x = &p->opened[p->nopened++ % OPENED];
			x->inst = k - v[0], x->handle = v[1], x->off = v[2];
		}
	cur = NULL;
	for (i = 0; i < TADDR && hs_pstate_next(state, "t", &cur, v, 3) == 3; i++)
		p->taddr[i].pid = v[0], p->taddr[i].tid = v[1], p->taddr[i].addr = (unsigned long long)v[2];
	p->ntaddr = i;
}

/* Where each thread's buffers lie (a thread's stack; old header: each
 * session's), so an output whose call's own input address was garbled
 * (buf_spec) still finds its thread. The newest note of each thread. */
void hs_spy_thread_addr_note(struct hs_parser *p, const struct call *c, unsigned long long a)
{
	int64_t pid = c->qc.pc.ev.pid, tid = c->qc.pc.ev.tid;
	int i;

	/* old header: no thread is named, but a threaded program's threads
	 * each use their own session, so the session stands for the thread */
	if (!p->new_header && c->named > 0)
		pid = SPY_TADDR_SESS, tid = c->named;
	else if (!p->new_header || !c->has_ts || pid == HS_NONE || tid == HS_NONE)
		return;
	if (!a)
		return;
	for (i = 0; i < TADDR; i++)
		if (p->taddr[i].addr && p->taddr[i].pid == pid && p->taddr[i].tid == tid) {
			p->taddr[i].addr = a;
			return;
		}
	i = p->ntaddr++ % TADDR;
	p->taddr[i].pid = pid, p->taddr[i].tid = tid, p->taddr[i].addr = a;
}

/* The buffer c's thread showed last, 0 none. */
static unsigned long long thread_note(const struct hs_parser *p, const struct call *c)
{
	int i;

	for (i = 0; c->has_ts && i < TADDR; i++)
		if (p->taddr[i].addr && p->taddr[i].pid == c->qc.pc.ev.pid && p->taddr[i].tid == c->qc.pc.ev.tid)
			return p->taddr[i].addr;
	return 0;
}

int hs_spy_thread_addr_near(const struct hs_parser *p, const struct call *c, unsigned long long a)
{
	unsigned long long t = thread_note(p, c);

	return a && t && hs_spy_addr_dist(t, a) < NEAR_ADDR;
}

/* Old header: an output at a that lies off c's own input buffers and
 * beside the latest input buffer another session's call showed was
 * printed by that call's thread: c took it by order alone (a fresh
 * recording had six C_Sign on 0x6 each take 0x5's output). */
static int sess_addr_other(const struct hs_parser *p, const struct call *c, unsigned long long a)
{
	int i, j;

	if (!c->in_addr[0] || c->named <= 0)
		return 0;
	for (j = 0; j < 2; j++)
		if (c->in_addr[j] && hs_spy_addr_dist(c->in_addr[j], a) < NEAR_ADDR)
			return 0;
	for (i = 0; i < TADDR; i++) {
		const struct spy_taddr *t = &p->taddr[i];
		if (t->addr && t->pid == SPY_TADDR_SESS && t->tid != c->named &&
		    hs_spy_addr_dist(t->addr, a) < NEAR_ADDR)
			return 1;
	}
	return 0;
}

/* New header: an output buffer at a that lies off c's thread's buffers
 * and beside another thread's was printed by that thread (each thread's
 * buffers are on its own stack): c took it by order alone, and the output
 * is likely another call's (new-threads-c4b-9: two threads each printed
 * their C_Sign's output after the other's next input). 1: so. */
int hs_spy_thread_addr_other(const struct hs_parser *p, const struct call *c, unsigned long long a)
{
	int i;

	if (!p->new_header && a)
		return sess_addr_other(p, c, a);
	if (!p->new_header || !a || !c->has_ts || !thread_note(p, c) || hs_spy_thread_addr_near(p, c, a))
		return 0;
	for (i = 0; i < TADDR; i++) {
		const struct spy_taddr *t = &p->taddr[i];
		if (t->addr && t->pid == c->qc.pc.ev.pid && t->tid != c->qc.pc.ev.tid &&
		    hs_spy_addr_dist(t->addr, a) < NEAR_ADDR)
			return 1;
	}
	return 0;
}

void hs_spy_forced_confirm(struct hs_parser *p, const struct call *c, unsigned long long a)
{
	const struct call *z;
	int i;

	for (i = 0; a && p->new_header && i < p->b.q.count; i++) {
		struct call *y = q_at(p, i);
		if (!y->forced_pending || (y != c && y->forced != c))
			continue;
		if (!hs_spy_queued(p, y->forced))
			continue; /* the other has left: nothing to weigh it against */
		z = y == c ? y->forced : y;
		if (c->has_ts && z->has_ts && c->qc.pc.ev.tid != z->qc.pc.ev.tid && thread_note(p, z) &&
		    hs_spy_thread_addr_near(p, c, a) && !hs_spy_thread_addr_near(p, z, a))
			y->forced_pending = 0;
	}
}

void hs_spy_put_state(struct hs_parser *p, const struct resume_point *r)
{
	int i, j;

	hs_pstate_int(&p->b.state, "instances", r->ninst);
	hs_pstate_int(&p->b.state, "u", r->unbound_from);
	hs_pstate_int(&p->b.state, "r", r->ret_inst < 0 ? 0 : r->ninst - r->ret_inst);
	if (r->after_banner)
		hs_pstate_int(&p->b.state, "b", 1);
	hs_pstate_list(&p->b.state, "i");
	for (i = 0; i < r->n; i++)
		hs_pstate_item(&p->b.state, (int64_t[]){ r->ninst - r->in[i].id,
		                                    r->in[i].pid == HS_NONE ? -1 : r->in[i].pid,
		                                    r->in[i].last_n }, 3);
	for (i = 0, j = 0; i < r->n; i++)
		j |= r->in[i].hole >= 0;
	if (j) {
		hs_pstate_list(&p->b.state, "h");
		for (i = 0; i < r->n; i++)
			if (r->in[i].hole >= 0)
				hs_pstate_item(&p->b.state, (int64_t[]){ r->ninst - r->in[i].id, r->in[i].hole }, 2);
	}
	/* the sessions of the instances (old header: they tell processes
	 * apart when call counts meet); an instance not listed in nk had its
	 * every session opened in the log, one not in s has none open */
	for (i = 0, j = 0; !p->new_header && i < r->n; i++)
		j |= !r->in[i].ss.known;
	if (j) {
		hs_pstate_list(&p->b.state, "nk");
		for (i = 0; i < r->n; i++)
			if (!r->in[i].ss.known)
				hs_pstate_item(&p->b.state, (int64_t[]){ r->ninst - r->in[i].id }, 1);
	}
	for (i = 0, j = 0; !p->new_header && i < r->n; i++)
		j += r->in[i].ss.known ? r->in[i].ss.n : 0;
	if (j) {
		hs_pstate_list(&p->b.state, "s");
		for (i = 0; i < r->n; i++)
			for (j = 0; r->in[i].ss.known && j < r->in[i].ss.n; j++)
				hs_pstate_item(&p->b.state, (int64_t[]){ r->ninst - r->in[i].id, r->in[i].ss.sess[j].h,
				                                    r->in[i].ss.sess[j].active,
				                                    r->in[i].ss.sess[j].maybe }, 4);
	}
	/* the buffer addresses that tell processes apart, as the ring held them
	 * (old header only: none is noted under the new one) */
	/* where each thread's (old header: session's) buffers lie */
	for (i = j = 0; i < TADDR; i++)
		j += r->taddr[i].addr != 0;
	if (j) {
		hs_pstate_list(&p->b.state, "t");
		for (i = 0; i < TADDR; i++)
			if (r->taddr[i].addr)
				hs_pstate_item(&p->b.state, (int64_t[]){ r->taddr[i].pid, r->taddr[i].tid,
				                                    (int64_t)(r->taddr[i].addr & SPY_ADDR_MASK) }, 3);
	}
	/* the returns of calls that had left the queue (old header, spy_free.c),
	 * oldest first, instances counted back as above */
	if (r->nsret > 0) {
		hs_pstate_list(&p->b.state, "sr");
		for (i = r->nsret > SRET ? r->nsret - SRET : 0; i < r->nsret; i++) {
			const struct spy_sret *x = &r->sret[i % SRET];
			hs_pstate_item(&p->b.state, (int64_t[]){ r->ninst - x->inst, x->handle, x->line, x->head }, 4);
		}
	}
	/* the session handles returned lately (old header, spy_free.c) */
	if (r->nopened > 0) {
		hs_pstate_list(&p->b.state, "op");
		for (i = r->nopened > OPENED ? r->nopened - OPENED : 0; i < r->nopened; i++) {
			const struct spy_opened *x = &r->opened[i % OPENED];
			hs_pstate_item(&p->b.state, (int64_t[]){ r->ninst - x->inst, x->handle, x->off }, 3);
		}
	}
	if (r->npaddr > 0) {
		hs_pstate_int(&p->b.state, "an", r->npaddr);
		hs_pstate_list(&p->b.state, "a");
		for (i = 0; i < PADDR && i < r->npaddr; i++)
			hs_pstate_item(&p->b.state, (int64_t[]){ r->ninst - r->paddr[i].inst,
			                                    (int64_t)r->paddr[i].addr }, 2);
	}
}
