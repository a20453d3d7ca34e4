/* spy_attr.c — which open call a spy line goes to when several threads or
 * processes write one log, by the evidence the log holds.
 *
 * A line may go only to a call that can print it (spy_sig.c: its
 * function prints that parameter, at that point of its inputs, or after
 * them; a return comes after any dump, and a CKR_OK of a function with
 * outputs after one of them). Within one process's flushed chunk (the spy
 * flushes at every return) other processes' calls are out. Among several
 * calls still, an output buffer goes to the call whose input buffers lie
 * near it (a thread's buffers are on its own stack), else to the call that
 * took the line before (a thread prints its lines one after another unless
 * another interrupts), else to the oldest (outputs, returns) or the newest
 * (inputs). New header: a thread heads its next call only after its call
 * before returned, so its thread line goes to a header after that return;
 * when two threads' headers of one function went the other way round by
 * order alone, they swap (hs_spy_head_repair).
 *
 * Data structure: a choice the evidence left open becomes a contest — a
 * key (the kind of line), the candidate calls and whether each has taken
 * its line of that kind yet. When all have, the contest is over: equal
 * lines (two threads' CKR_OK) mean any choice said the same; different
 * ones mark every member uncertain. Members stay in the queue until then
 * (hs_spy_hold_from), so the flag is set before they leave. Alike contests
 * (same function and inputs) are never uncertain: only a thread line can
 * still tell their calls apart, and hs_spy_rescue() acts on it.
 */
#include <string.h>

#include "hsmscope/util.h"

#include "spy_int.h"

/* The call has printed all its inputs: what it prints next comes after
 * its call into the module (an unknown function: once no dump or
 * template is in progress). */
int hs_spy_in_done(const struct call *c)
{
	return (c->dump_left == 0 || c->dump_open) && c->attrs_left <= 0 && !c->await_spec &&
	       (!c->sig || c->in_at == c->nin - 1);
}

/* Two calls that would print the same from here on, whichever took a line. */
int hs_spy_alike(const struct call *a, const struct call *b)
{
	return a->qc.pc.ev.instance == b->qc.pc.ev.instance && a->in_hash == b->in_hash &&
	       strcmp(a->qc.pc.ev.func, b->qc.pc.ev.func) == 0;
}

/* Can c take a line of this kind: an input named name (inputs come in the
 * order sig gives, "pMechanism" may repeat), an output its function prints
 * once its inputs are all out, or a return (after any dump, and for CKR_OK
 * of a function that prints outputs, after one of them)? known: some
 * function prints the name, so a call whose function does not cannot
 * take it. */
static int fits(const struct call *c, int kind, const char *name, size_t len, int known, int ok)
{
	int k;

	if (c->qc.returned)
		return 0;
	if (kind == K_IN) {
		if (c->outs || c->dump_left || c->attrs_left > 0 || c->await_spec)
			return 0;
		if (!c->sig || !known)
			return 1;
		k = hs_spy_sig_in_index(c->sig, name, len);
		return k >= 0 && (k == c->in_at + 1 ||
		                  (k == c->in_at && len == 10 && memcmp(name, "pMechanism", 10) == 0));
	}
	if (!hs_spy_in_done(c))
		return 0;
	if (kind == K_OUT) {
		if (!c->sig || !known)
			return 1;
		k = hs_spy_sig_out_index(c->sig, name, len);
		return k >= 0 && (k > 31 || !(c->outs_seen & (1u << k)));
	}
	return !ok || !c->sig || !c->sig->out[0] || c->outs > 0;
}

/* The contest is over: when its members took different lines, none of
 * their attributions is certain. */
static void contest_end(struct hs_parser *p, struct contest *k)
{
	int i;

	if (k->bad && !k->alike)
		for (i = 0; i < k->n; i++)
			k->m[i]->qc.pc.ev.uncertain = 1;
	k->used = 0;
	p->ncon--;
}

static void contest_check(struct hs_parser *p, struct contest *k)
{
	int i;

	for (i = 0; i < k->n; i++)
		if (!k->got[i])
			return;
	contest_end(p, k);
}

/* c took a line of kind key whose text hashes to h. */
void hs_spy_contest_take(struct hs_parser *p, const struct call *c, const char *key, uint64_t h)
{
	int j, i;

	if (!p->ncon)
		return;
	for (j = 0; j < CONTESTS; j++) {
		struct contest *k = &p->con[j];
		if (!k->used || strcmp(k->key, key) != 0)
			continue;
		for (i = 0; i < k->n; i++)
			if (k->m[i] == c && !k->got[i]) {
				k->got[i] = 1;
				k->bad |= h != k->hash;
				contest_check(p, k);
				break;
			}
	}
}

/* c takes no more lines (returned, given up) or leaves the queue (gone):
 * a contest whose line it never took is lost; one that cannot follow it
 * any further ends now. */
void hs_spy_contest_leave(struct hs_parser *p, const struct call *c, int gone)
{
	int j, i;

	if (!p->ncon)
		return;
	for (j = 0; j < CONTESTS; j++) {
		struct contest *k = &p->con[j];
		for (i = 0; k->used && i < k->n; i++)
			if (k->m[i] == c) {
				if (!k->got[i])
					k->got[i] = 1, k->bad = 1;
				if (gone) {
					k->bad |= !k->alike && k->n > 1;
					for (i = 0; i < k->n; i++)
						k->got[i] = 1;
				}
				contest_check(p, k);
				break;
			}
	}
}

/* chosen took the line (key, h); cand[0..nc) could have. */
static void contest_open(struct hs_parser *p, const char *key, uint64_t h, struct call **cand,
                         int nc, int all_alike, const struct call *chosen)
{
	struct contest *k = NULL;
	int j;

	for (j = 0; j < CONTESTS && !k; j++)
		if (!p->con[j].used)
			k = &p->con[j];
	/* all in use (threads stalled in the module for long keep theirs
	 * open): the stalest, whose newest member began first, ends now, so
	 * that the newest choices, which the next thread lines may still
	 * correct, are followed */
	if (!k) {
		int64_t stalest = INT64_MAX;
		int i;
		for (j = 0; j < CONTESTS; j++) {
			int64_t newest = 0;
			for (i = 0; i < p->con[j].n; i++)
				if (p->con[j].m[i]->qc.pc.ev.offset > newest)
					newest = p->con[j].m[i]->qc.pc.ev.offset;
			if (newest < stalest)
				stalest = newest, k = &p->con[j];
		}
		contest_end(p, k);
	}
	memset(k, 0, sizeof *k);
	k->used = 1;
	p->ncon++;
	k->alike = all_alike;
	k->hash = h;
	hs_strlcpy(k->key, key, sizeof k->key);
	for (j = 0; j < nc && j < CMEMBERS; j++) {
		k->m[k->n] = cand[j];
		k->got[k->n++] = cand[j] == chosen;
	}
}

/* Where instance inst's session handle h was returned, -1 not in the log. */
int64_t hs_spy_opened_at(const struct hs_parser *p, int64_t inst, int64_t h)
{
	int64_t at = -1;
	int i;

	for (i = 0; h != HS_NONE && i < OPENED && i < p->ring.nopened; i++)
		if (p->ring.opened[i].handle == h && p->ring.opened[i].inst == inst && p->ring.opened[i].off > at)
			at = p->ring.opened[i].off;
	return at;
}

/* Two calls of one process could print "[in] hSession = h": when another
 * handle of it came back after the older began, and the newer is the
 * first call headed since, the newer is likely that handle's thread's
 * next call and the older takes h. The older, or NULL when nothing says. */
static struct call *handle_best(struct hs_parser *p, struct call *x, struct call *y, int64_t h)
{
	struct call *a = x->qc.pc.ev.offset < y->qc.pc.ev.offset ? x : y, *b = a == x ? y : x;
	int64_t inst = a->qc.pc.ev.instance, back = -1;
	int i;

	if (b->qc.pc.ev.instance != inst || a->guessed || b->guessed)
		return NULL;
	for (i = 0; i < OPENED && i < p->ring.nopened; i++)
		if (p->ring.opened[i].inst == inst && p->ring.opened[i].handle != h &&
		    p->ring.opened[i].off > a->qc.pc.ev.offset && p->ring.opened[i].off < b->qc.pc.ev.offset &&
		    p->ring.opened[i].off > back)
			back = p->ring.opened[i].off;
	if (back < 0)
		return NULL;
	for (i = 0; i < p->b.q.count; i++)
		if (q_at(p, i) != b && q_at(p, i)->qc.pc.ev.instance == inst &&
		    q_at(p, i)->qc.pc.ev.offset > back && q_at(p, i)->qc.pc.ev.offset < b->qc.pc.ev.offset)
			return NULL;
	return a;
}

/* The calls of cand[] that could print "[in] hSession = h" (begun after
 * their process returned h) are kept, in order; their count. *best: of
 * two, the older by handle_best(), else NULL. */
int hs_spy_handle_cands(struct hs_parser *p, struct call **cand, int nc, int64_t h, struct call **best)
{
	int i, j;

	*best = NULL;
	for (i = j = 0; i < nc; i++)
		if (cand[i]->qc.pc.ev.offset >= hs_spy_opened_at(p, cand[i]->qc.pc.ev.instance, h))
			cand[j++] = cand[i];
	if (j == 2)
		*best = handle_best(p, cand[0], cand[1], h);
	if (!*best)
		*best = hs_spy_alike_free(p, cand, j, h);
	return j;
}

/* Swap only where a and b begin (header line, number): their thread
 * lines, threads and lines stay. The queue keeps offset order. */
void hs_spy_swap_header(struct hs_parser *p, struct call *a, struct call *b)
{
	struct hs_event *x = &a->qc.pc.ev, *y = &b->qc.pc.ev;
	struct resume_point r = a->res;
	int64_t t;
	int i, ia = -1, ib = -1;

	t = x->offset, x->offset = y->offset, y->offset = t;
	t = x->line, x->line = y->line, y->line = t;
	t = x->call_no, x->call_no = y->call_no, y->call_no = t;
	a->res = b->res, b->res = r;
	for (i = 0; i < p->b.q.count; i++) {
		if (q_at(p, i) == a)
			ia = i;
		if (q_at(p, i) == b)
			ib = i;
	}
	if (ia >= 0 && ib >= 0) {
		p->b.q.ring[(p->b.q.head + ia) % p->b.q.max] = &b->qc;
		p->b.q.ring[(p->b.q.head + ib) % p->b.q.max] = &a->qc;
	}
}

/* New header: o has its thread line and is about to take its first input,
 * which names a session returned at offset `at`, after o's header. Two
 * threads printed their headers of the same function one after the other
 * and then their thread lines, and only order gave o the earlier header:
 * when a later header y of the same function and process, another
 * thread's, named a session returned before o's header, the headers were
 * the other way round and they swap (y has taken its inputs, so it is
 * never swapped back). 1: swapped (o's header is now
 * after `at`). */
static int header_swap(struct hs_parser *p, struct call *o, int64_t at)
{
	int i;

	if (!p->new_header || !o->has_ts || o->in_at != -1 || at < 0)
		return 0;
	for (i = 0; i < p->b.q.count; i++) {
		struct call *y = q_at(p, i);
		if (y == o || !y->has_ts || y->qc.pc.ev.offset <= at || y->qc.pc.ev.tid == o->qc.pc.ev.tid ||
		    y->qc.pc.ev.instance != o->qc.pc.ev.instance ||
		    strcmp(y->qc.pc.ev.func, o->qc.pc.ev.func) != 0 ||
		    !y->named || hs_spy_opened_at(p, y->qc.pc.ev.instance, y->named) > o->qc.pc.ev.offset)
			continue;
		hs_spy_swap_header(p, o, y);
		return 1;
	}
	return 0;
}

/* The call a line of this kind goes to, by the evidence: the calls that
 * fit it (fits()); among several, the one whose input buffers lie near
 * the output buffer the line shows, else the call that took the line
 * before (a thread prints its lines one after another unless another
 * interrupts), else the oldest (outputs, returns: it entered first) or the
 * newest (inputs). A choice among calls that differ opens a contest.
 * NULL: no call fits (the caller falls back on order alone). */
struct call *hs_spy_pick(struct hs_parser *p, int kind, const char *key, uint64_t h,
                         const char *name, size_t len, int ok, unsigned long long addr,
                         const struct call *avoid)
{
	struct call *cand[CMEMBERS], *c = NULL, *near = NULL;
	int nc = 0, i, j, all_alike = 1;
	unsigned long long best = NEAR_ADDR, second = NEAR_ADDR;
	int known, open = 0, swapped = 0;
	int64_t at_inst = 0, at_val = -1; /* hs_spy_opened_at's last answer, and for whom */
	int at_have = 0;

	/* one call open (a log of one thread): it is the only choice there is */
	for (i = 0; i < p->b.q.count && open < 2; i++)
		if (!q_at(p, i)->qc.returned && q_at(p, i) != avoid)
			c = q_at(p, i), open++;
	if (open < 2)
		return c && fits(c, kind, name, len, 1, ok) ? c : NULL;
	c = NULL;
	known = kind == K_IN ? hs_spy_known_in(name, len) : kind == K_OUT ? hs_spy_known_out(name, len) : 0;
	for (i = 0; i < p->b.q.count && nc < CMEMBERS; i++) {
		struct call *o = q_at(p, i);
		int64_t at = -1;
		if (o == avoid || !fits(o, kind, name, len, known, ok))
			continue;
		/* a held output name whose "addr / len" came garbled: only a
		 * call headed before the name could have printed it */
		if (kind == K_OUT && p->spec_nul && o->qc.pc.ev.offset > p->spec_nul_before)
			continue;
		/* only for the calls that fit, once per instance: a look-up
		 * for every queued call was a tenth of the parse thread */
		if (kind == K_IN && p->in_handle != HS_NONE) {
			if (!at_have || o->qc.pc.ev.instance != at_inst)
				at_have = 1, at_inst = o->qc.pc.ev.instance,
				at_val = hs_spy_opened_at(p, at_inst, p->in_handle);
			at = at_val;
		}
		if (o->qc.pc.ev.offset > at)
			cand[nc++] = o;
		else if (!swapped && header_swap(p, o, at))
			nc = 0, i = -1, swapped = 1; /* the queue's order changed: look again */
	}
	/* within a chunk of one process, another process's calls are out */
	for (i = 0; i < nc && p->cur_inst >= 0; i++)
		if (cand[i]->qc.pc.ev.instance == p->cur_inst)
			break;
	if (i < nc && p->cur_inst >= 0) {
		for (i = j = 0; i < nc; i++)
			if (cand[i]->qc.pc.ev.instance == p->cur_inst)
				cand[j++] = cand[i];
		nc = j;
	}
	/* new header: enter() prints a call's thread line before anything
	 * else of it, so a call whose thread line has not come yet (another
	 * thread wrote between its header and that line) prints nothing yet.
	 * A preference only: a thread line the parser could not read would
	 * otherwise leave its call without lines */
	for (i = 0; i < nc && p->new_header; i++)
		if (cand[i]->has_ts)
			break;
	if (i < nc && p->new_header) {
		for (i = j = 0; i < nc; i++)
			if (cand[i]->has_ts)
				cand[j++] = cand[i];
		nc = j;
	}
	if (nc <= 1)
		return nc ? cand[0] : NULL;
	/* the nearest input buffer, when it is much nearer than any other */
	for (i = 0; addr && i < nc; i++)
		for (j = 0; j < 2; j++) {
			unsigned long long a = cand[i]->in_addr[j], d = hs_spy_addr_dist(a, addr);
			if (!a || d >= NEAR_ADDR)
				continue;
			if (d < best) {
				if (near != cand[i])
					second = best;
				best = d, near = cand[i];
			} else if (near != cand[i] && d < second) {
				second = d;
			}
		}
	if (near && second / 16 > best)
		return near;
	/* new header: else the one call whose thread's earlier input buffers
	 * lie near it (a thread's buffers are on its own stack; its call's
	 * own input address may have come garbled, buf_spec) */
	for (i = 0, near = NULL, j = 0; addr && kind == K_OUT && p->new_header && i < nc; i++)
		if (hs_spy_thread_addr_near(p, cand[i], addr))
			near = cand[i], j++;
	if (near && j == 1)
		return near;
	/* "[in] hSession = h" that two calls of one process could print: the
	 * older, when the newer likely names the handle returned in between */
	if (kind == K_IN && p->in_handle != HS_NONE && nc == 2)
		c = handle_best(p, cand[0], cand[1], p->in_handle);
	for (i = 0; i < nc && !c; i++)
		if (cand[i] == p->last)
			c = cand[i];
	if (!c)
		c = kind == K_IN ? cand[nc - 1] : cand[0];
	for (i = 0; i < nc; i++)
		all_alike &= hs_spy_alike(cand[i], c);
	/* hs_spy_alike calls say the same whichever took it; only a thread line can
	 * still tell them apart, so they are followed only when there are some */
	if (!all_alike || p->new_header)
		contest_open(p, key, h, cand, nc, all_alike, c);
	return c;
}

/* The contest key of an [in]/[out] line: up to its first ' ' or '='. */
void hs_spy_param_key(const char *s, size_t n, char *key, size_t keylen)
{
	size_t i = s[1] == 'i' ? 5 : 6;

	while (i < n && s[i] != ' ' && s[i] != '=')
		i++;
	if (i >= keylen)
		i = keylen - 1;
	memcpy(key, s, i);
	key[i] = '\0';
}

void hs_spy_swap_identity(struct hs_parser *p, struct call *a, struct call *b)
{
	struct hs_event *x = &a->qc.pc.ev, *y = &b->qc.pc.ev;
	struct resume_point r = a->res;
	int64_t t;
	int i, ia = -1, ib = -1, h = a->has_ts;

#define SWAP64(f) (t = x->f, x->f = y->f, y->f = t)
	SWAP64(offset), SWAP64(line), SWAP64(call_no), SWAP64(ts_us), SWAP64(pid), SWAP64(tid);
	SWAP64(instance);
#undef SWAP64
	t = a->guessed_last_n, a->guessed_last_n = b->guessed_last_n, b->guessed_last_n = t;
	a->res = b->res, b->res = r;
	a->has_ts = b->has_ts, b->has_ts = h;
	t = a->l_ts, a->l_ts = b->l_ts, b->l_ts = t;
	t = a->l_ts_off, a->l_ts_off = b->l_ts_off, b->l_ts_off = t;
	for (i = 0; i < p->b.q.count; i++) {
		if (q_at(p, i) == a)
			ia = i;
		if (q_at(p, i) == b)
			ib = i;
	}
	if (ia >= 0 && ib >= 0) { /* keep the ring in offset order */
		p->b.q.ring[(p->b.q.head + ia) % p->b.q.max] = &b->qc;
		p->b.q.ring[(p->b.q.head + ib) % p->b.q.max] = &a->qc;
	}
}

/* y's thread began no call after y: y may still be the one open. */
static int thread_idle_since(struct hs_parser *p, const struct call *y)
{
	int i;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at(p, i);
		if (o != y && o->qc.pc.ev.pid == y->qc.pc.ev.pid && o->qc.pc.ev.tid == y->qc.pc.ev.tid &&
		    o->qc.pc.ev.offset > y->qc.pc.ev.offset)
			return 0;
	}
	return 1;
}

/* The return y took was o's: o returns with it, y is open again. */
static void move_return(struct call *o, struct call *y)
{
	struct hs_event *a = &o->qc.pc.ev, *b = &y->qc.pc.ev;

	a->rv = b->rv, a->ok = b->ok;
	memcpy(a->rv_name, b->rv_name, sizeof a->rv_name);
	b->rv = HS_NONE, b->ok = 0, b->rv_name[0] = '\0';
	o->l_ret = y->l_ret, y->l_ret = 0;
	o->l_ret_off = y->l_ret_off;
	o->qc.returned = 1;
	y->qc.returned = 0;
}

/* o took y's return: in every contest over a return, o has taken its
 * line and y has not (o is open when rescued: a return it had taken went
 * to another call, so a flag saying it took one was stale, and kept a
 * second rescue from giving it the return that was its). */
static void returned_moved(struct hs_parser *p, const struct call *o, const struct call *y)
{
	int j, i;

	for (j = 0; j < CONTESTS; j++) {
		struct contest *k = &p->con[j];
		if (!k->used || strcmp(k->key, "Returned") != 0)
			continue;
		for (i = 0; i < k->n; i++) {
			if (k->m[i] == o)
				k->got[i] = 1;
			if (k->m[i] == y)
				k->got[i] = 0;
		}
	}
}

/* 0: c's return came on the line after its own last output line (most
 * likely its own), 1 otherwise. */
static int ret_rank(const struct call *c)
{
	const struct spy_run *r = (const struct spy_run *)(const void *)c->qc.pc.ev.lines.data;
	size_t n = c->qc.pc.ev.lines.len / sizeof *r, i;
	int64_t end = 0;

	for (i = 0; i < n; i++)
		if (r[i].first + r[i].count > end)
			end = r[i].first + r[i].count;
	return !(c->outs > 0 && c->l_ret == end);
}

/* Thread `tid` begins a call while o, its earlier call, has not returned
 * (a thread is in one call at a time): a return that o could have taken
 * went to another thread's call y, still followed in a contest, whose
 * thread began nothing since. When y is hs_spy_alike o, the two swap who they
 * are (y's outputs were o's); else o takes y's return and y is open
 * again. 1: done. */
int hs_spy_rescue(struct hs_parser *p, struct call *o)
{
	struct call *best = NULL;
	int j, i, io, alike = 0;

	/* of several calls that could have taken o's return, the one that
	 * took the latest (a thread's return most often comes just before its
	 * next call, and an older one was likelier its taker's own), unless
	 * that return came right after its taker's own output: the spy prints
	 * a call's outputs and its return together, after the module */
	for (j = 0; j < CONTESTS; j++) {
		struct contest *k = &p->con[j];
		for (io = 0; k->used && io < k->n && k->m[io] != o; io++)
			;
		if (!k->used || io == k->n || (!k->alike && strcmp(k->key, "Returned") != 0))
			continue;
		for (i = 0; i < k->n; i++) {
			struct call *y = k->m[i];
			if (y == o || !y->qc.returned || y->qc.pc.ev.incomplete ||
			    y->qc.pc.ev.pid != o->qc.pc.ev.pid || y->qc.pc.ev.tid == o->qc.pc.ev.tid ||
			    !thread_idle_since(p, y))
				continue;
			if (!best || ret_rank(y) > ret_rank(best) ||
			    (ret_rank(y) == ret_rank(best) && y->l_ret > best->l_ret))
				best = y, alike = k->alike;
		}
	}
	if (!best)
		return 0;
	if (alike) {
		hs_spy_swap_identity(p, o, best);
	} else {
		move_return(o, best);
		returned_moved(p, o, best);
	}
	return 1;
}

/* Thread `tid` begins a call while o, its earlier call, is still short of
 * rows of a dump: at row o->tie_line another thread's call y was at the
 * very same point of an alike dump (hs_spy_dump_owner), took that row, the
 * rest and a return, and its thread began nothing since; o took nothing
 * after. The rows from there and the return were o's (a thread's lines
 * come in order, and o's thread is done with o): the two trade what each
 * took from that row on, and y waits for the rest. 1: done. */
int hs_spy_rescue_dump(struct hs_parser *p, struct call *o)
{
	struct call *y = NULL;
	struct hs_buf *od = &o->qc.pc.ev.detail, *yd;
	int i;

	for (i = 0; o->dump_left > 0 && o->tie_line > 0 && i < p->b.q.count; i++)
		if (q_at(p, i) == o->tie)
			y = o->tie;
	if (!y || y->tie != o || y->tie_line != o->tie_line || !y->qc.returned || y->qc.pc.ev.incomplete ||
	    y->dump_left || y->qc.pc.ev.pid != o->qc.pc.ev.pid || y->outs != o->outs ||
	    strcmp(y->qc.pc.ev.func, o->qc.pc.ev.func) != 0 || od->len != o->tie_len ||
	    o->qc.pc.ev.elided_lines || y->qc.pc.ev.elided_lines || !thread_idle_since(p, y))
		return 0;
	yd = &y->qc.pc.ev.detail;
	if (hs_buf_add(od, yd->data + y->tie_len, yd->len - y->tie_len) < 0) {
		p->b.stop = 1;
		return 0;
	}
	yd->len = y->tie_len, yd->data[yd->len] = '\0';
	hs_spy_lines_move(p, y, o, o->tie_line);
	y->dump_left = o->dump_left, o->dump_left = 0;
	y->dump_next = o->dump_next, y->print_next = o->print_next, y->label_next = o->label_next;
	y->dump_seq = o->dump_seq;
	o->tie = y->tie = NULL, o->tie_line = y->tie_line = 0;
	move_return(o, y);
	returned_moved(p, o, y);
	return 1;
}

/* Instance k's count is two calls past num, and the call two on has
 * printed its inputs: the evidence that may still move a guess of num. */
static int count_past(struct hs_parser *p, int64_t k, int64_t num)
{
	int64_t n = p->inst[k % MAX_INSTANCES].last_n;
	int i;

	if (n != num + 2)
		return n > num + 2;
	for (i = p->b.q.count - 1; i >= 0; i--)
		if (q_at(p, i)->qc.pc.ev.instance == k && q_at(p, i)->qc.pc.ev.call_no == n)
			return hs_spy_in_done(q_at(p, i));
	return 1;
}

#define EARLY_HOLD 1000 /* lines a return taken before the thread line holds its call */

/* New header: c took a return before its thread line came (ret_early),
 * and that line may still come (within EARLY_HOLD lines). */
int hs_spy_held_early(const struct hs_parser *p, const struct call *c)
{
	return p->new_header && c->ret_early > 0 && !c->has_ts && p->cur_lineno - c->ret_early < EARLY_HOLD;
}

/* New header: c took a CKR_OK by order alone before printing the output
 * its function prints (ret_noout): the output may still come. */
static int held_noout(const struct hs_parser *p, const struct call *c)
{
	return p->new_header && c->ret_noout > 0 && !c->outs && p->cur_lineno - c->ret_noout < EARLY_HOLD;
}

struct call *hs_spy_reopen_noout(struct hs_parser *p, const char *name, size_t len)
{
	struct hs_event *e;
	struct call *c;
	int i;

	for (i = 0; i < p->b.q.count; i++) {
		c = q_at(p, i), e = &c->qc.pc.ev;
		if (!held_noout(p, c) || !c->qc.returned || !c->sig || hs_spy_sig_out_index(c->sig, name, len) < 0 ||
		    !hs_spy_in_done(c))
			continue;
		e->rv = HS_NONE, e->ok = 0, e->rv_name[0] = '\0';
		c->l_ret = 0, c->ret_noout = 0;
		c->qc.returned = 0;
		e->uncertain = 1;
		return c;
	}
	return NULL;
}

/* c, held (hs_spy_held_early), takes its thread line: it is open again,
 * without a return, uncertain (which call the return was, the log no
 * longer says). */
void hs_spy_reopen_early(struct call *c)
{
	struct hs_event *e = &c->qc.pc.ev;

	if (!c->ret_early || !c->qc.returned)
		return;
	e->rv = HS_NONE, e->ok = 0, e->rv_name[0] = '\0';
	c->l_ret = 0, c->ret_early = 0;
	c->qc.returned = 0;
	e->uncertain = 1;
}

/* Each process writes the spy's lines through its own stdio buffer,
 * flushed at each return (leave()), so what lies between two Returned
 * lines is one process's, headers included: a header printed by a thread
 * whose thread line comes later lies in the chunk of its own process
 * (new-pt-c4-5 line 292, '11: C_SignInit', before process 10986's thread
 * line 293 in one chunk). A chunk showing two processes (a buffer that
 * filled up and was flushed without a return) says nothing. */
void hs_spy_chunk_pid(struct hs_parser *p, int64_t pid)
{
	int i;

	if (p->chunk_pid == pid || p->chunk_pid < 0)
		return;
	p->chunk_pid = p->chunk_pid ? -1 : pid;
	for (i = 0; i < p->b.q.count; i++)
		if (q_at(p, i)->chunk_no == p->chunk_no)
			q_at(p, i)->chunk_pid = p->chunk_pid;
}

int hs_spy_chunk_fits(const struct call *c, int64_t pid)
{
	return c->chunk_pid <= 0 || pid == HS_NONE || c->chunk_pid == pid;
}

/* c is held: old header, as a guess (hs_spy_hold_from): its process's
 * count is not two calls on yet (nor that of a process whose call of c's
 * number may be c's mate), and a later buffer or session may still move
 * it; new header, hs_spy_held_early or held_noout. */
static int held_guess(struct hs_parser *p, const struct call *c)
{
	int64_t num = c->qc.pc.ev.call_no, ci = c->qc.pc.ev.instance;
	int i;

	if (p->new_header)
		return hs_spy_held_early(p, c) || held_noout(p, c);
	if (!c->guessed)
		return 0;
	if (!count_past(p, ci, num))
		return 1;
	/* a call of the same number that could have been c's process's
	 * (and c the other's) stays as long as it: they may still trade */
	for (i = 0; i < p->b.q.count; i++) {
		const struct call *d = q_at(p, i);
		int64_t di = d->qc.pc.ev.instance;
		if (d != c && d->guessed && d->qc.pc.ev.call_no == num && di != ci &&
		    (c->cands & (1ull << (di % MAX_INSTANCES))) && (d->cands & (1ull << (ci % MAX_INSTANCES))) &&
		    !count_past(p, di, num))
			return 1;
	}
	return 0;
}

struct call *hs_spy_oldest_unsettled(struct hs_parser *p)
{
	int i;

	for (i = 0; i < p->b.q.count; i++)
		if (!q_at(p, i)->qc.returned || held_guess(p, q_at(p, i)))
			return q_at(p, i);
	return NULL;
}

/* A call leaves the queue: contests cannot follow it, `last` must not point at it. */
void hs_spy_leave_call(void *ctx, struct hs_callq_call *qc)
{
	struct hs_parser *p = ctx;

	hs_spy_contest_leave(p, (struct call *)qc, 1);
	hs_spy_free_note(p, (struct call *)qc);
	hs_spy_lines_text(p, (struct call *)qc);
	if (((struct call *)qc)->guessed)
		qc->pc.ev.uncertain = 1; /* which process made it is a guess */
	if (((struct call *)qc)->forced_pending)
		qc->pc.ev.uncertain = 1; /* its thread line went by the session's state alone */
	if ((struct hs_callq_call *)p->last == qc)
		p->last = NULL;
}

/* Calls in an open contest stay until it is decided. */
int64_t hs_spy_hold_from(void *ctx)
{
	struct hs_parser *p = ctx;
	int64_t hold = INT64_MAX;
	int j, i;

	for (j = 0; p->ncon && j < CONTESTS; j++)
		for (i = 0; p->con[j].used && i < p->con[j].n; i++)
			if (p->con[j].m[i]->qc.pc.ev.offset < hold)
				hold = p->con[j].m[i]->qc.pc.ev.offset;
	/* old header: a call whose process is a guess stays until its
	 * process's count is two calls on, so that the buffer the next call
	 * shows can still move both (undo_guess_far) */
	for (i = 0; i < p->b.q.count; i++) /* the offset first: it is cheaper to ask */
		if (q_at(p, i)->qc.pc.ev.offset < hold && held_guess(p, q_at(p, i)))
			hold = q_at(p, i)->qc.pc.ev.offset;
	return hold;
}

/* The process whose chunk the line being read is in, when the old header
 * leaves it to the chunks to tell processes apart and some call of it
 * still waits for a time line; -1 none. (The spy flushes at each return,
 * so what a process wrote between two returns lies together.) */
int hs_spy_chunk_inst(struct hs_parser *p)
{
	int i;

	if (p->new_header || p->cur_inst < 0)
		return -1;
	for (i = 0; i < p->b.q.count; i++) {
		struct call *c = q_at(p, i);
		if (!c->has_ts && !c->qc.returned && c->qc.pc.ev.instance == p->cur_inst)
			return (int)p->cur_inst;
	}
	return -1;
}
