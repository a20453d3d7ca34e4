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
 * (inputs).
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
	return c->dump_left == 0 && c->attrs_left <= 0 && !c->await_spec &&
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
static int64_t opened_at(const struct hs_parser *p, int64_t inst, int64_t h)
{
	int64_t at = -1;
	int i;

	for (i = 0; h != HS_NONE && i < 64 && i < p->nopened; i++)
		if (p->opened[i].handle == h && p->opened[i].inst == inst && p->opened[i].off > at)
			at = p->opened[i].off;
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
	for (i = 0; i < 64 && i < p->nopened; i++)
		if (p->opened[i].inst == inst && p->opened[i].handle != h &&
		    p->opened[i].off > a->qc.pc.ev.offset && p->opened[i].off < b->qc.pc.ev.offset &&
		    p->opened[i].off > back)
			back = p->opened[i].off;
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
		if (cand[i]->qc.pc.ev.offset >= opened_at(p, cand[i]->qc.pc.ev.instance, h))
			cand[j++] = cand[i];
	if (j == 2)
		*best = handle_best(p, cand[0], cand[1], h);
	return j;
}

/* Swap only where a and b begin (header line, number): their thread
 * lines, threads and lines stay. The queue keeps offset order. */
static void swap_header(struct hs_parser *p, struct call *a, struct call *b)
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
		    !y->named || opened_at(p, y->qc.pc.ev.instance, y->named) > o->qc.pc.ev.offset)
			continue;
		swap_header(p, o, y);
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
		int64_t at = kind == K_IN ? opened_at(p, o->qc.pc.ev.instance, p->in_handle) : -1;
		if (o == avoid || !fits(o, kind, name, len, known, ok))
			continue;
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
			unsigned long long a = cand[i]->in_addr[j], d = a > addr ? a - addr : addr - a;
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

/* Old header: c is held as a guess (hs_spy_hold_from): its process's
 * count is not two calls on yet, and a later buffer may still move it. */
static int held_guess(struct hs_parser *p, const struct call *c)
{
	return !p->new_header && c->guessed &&
	       p->inst[c->qc.pc.ev.instance % MAX_INSTANCES].last_n < c->qc.pc.ev.call_no + 2;
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
	hs_spy_lines_text(p, (struct call *)qc);
	if (((struct call *)qc)->guessed)
		qc->pc.ev.uncertain = 1; /* which process made it is a guess */
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
	for (i = 0; !p->new_header && i < p->b.q.count; i++)
		if (held_guess(p, q_at(p, i)) && q_at(p, i)->qc.pc.ev.offset < hold)
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

/* Give a time (or thread) line to a call still without one. */
/* c takes time ts: the latest its process's calls took (old header). */
void hs_spy_ts_note(struct hs_parser *p, const struct call *c, int64_t ts)
{
	struct instance *in = hs_spy_inst_get(p, c->qc.pc.ev.instance);

	if (!p->new_header && ts != HS_NONE && ts > in->max_ts)
		in->max_ts = ts;
}

struct call *hs_spy_take_ts(struct hs_parser *p, int64_t ts)
{
	struct call *first = NULL;
	int i, j, chunk = hs_spy_chunk_inst(p), strict;

	/* The spy takes the time just after printing the header, so times
	 * follow header order: a time older than that of a call headed before
	 * c is not c's (a thread paused between the two lines, and its time
	 * comes late); it is the newest such call's that fits. Old header: a
	 * time older than one read before c's header is not c's either
	 * (ts_floor: it counts the calls that have left the queue too); when
	 * no call is left by that, any. */
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
int hs_spy_ts_ambiguous(struct hs_parser *p)
{
	struct call *first = NULL;
	int i, chunk = hs_spy_chunk_inst(p);

	for (i = 0; i < p->b.q.count; i++) {
		struct call *c = q_at(p, i);
		if (c->has_ts || c->qc.returned || (chunk >= 0 && c->qc.pc.ev.instance != chunk))
			continue;
		if (first && !hs_spy_alike(first, c))
			return 1;
		if (!first)
			first = c;
	}
	return 0;
}

/* The one process instance whose remembered buffers lie within NEAR_PROC
 * of a, -1 none or several. */
static int64_t addr_inst(const struct hs_parser *p, unsigned long long a)
{
	int64_t found = -1;
	int i;

	for (i = 0; i < PADDR && i < p->npaddr; i++) {
		unsigned long long b = p->paddr[i].addr & SPY_ADDR_MASK, d = b > a ? b - a : a - b;
		if (d >= NEAR_PROC)
			continue;
		if (found >= 0 && found != p->paddr[i].inst)
			return -1;
		found = p->paddr[i].inst;
	}
	return found;
}

/* Which function showed a buffer, 1-127 (a hash of its name): the main
 * thread's buffers (a C_Login's PIN) lie elsewhere than a worker thread's
 * (its C_Sign's data), so only buffers a function of the same name
 * showed say where a process's buffers for it lie. */
static unsigned long long addr_kind(const char *func)
{
	return (hs_hash64_run(func, strlen(func), 0) % 127 + 1) << 56;
}

/* Instance inst's remembered buffers of this kind (a's bits 56-62) all
 * lie NEAR_PROC or farther from a (and it has some): a is not its. */
static int addr_far(const struct hs_parser *p, int64_t inst, unsigned long long a)
{
	unsigned long long kind = a & ~SPY_ADDR_MASK;
	int i, some = 0;

	a &= SPY_ADDR_MASK;
	for (i = 0; i < PADDR && i < p->npaddr; i++) {
		unsigned long long b = p->paddr[i].addr & SPY_ADDR_MASK, d = b > a ? b - a : a - b;
		unsigned long long k = p->paddr[i].addr & ~SPY_ADDR_MASK;
		if (p->paddr[i].inst != inst || (k && k != kind))
			continue;
		if (d < NEAR_PROC)
			return 0;
		some = 1;
	}
	return some;
}

static void addr_note(struct hs_parser *p, int64_t inst, unsigned long long a)
{
	int i;

	for (i = 0; i < PADDR && i < p->npaddr; i++)
		if (p->paddr[i].inst == inst && p->paddr[i].addr == a)
			return;
	p->paddr[p->npaddr % PADDR].inst = inst;
	p->paddr[p->npaddr % PADDR].addr = a;
	p->npaddr++;
}

/* ------------------------------------------- sessions (old header) */

/* The operation families a session runs one of at a time (PKCS#11: an
 * Init while one runs fails with CKR_OPERATION_ACTIVE, a call of it when
 * none runs with CKR_OPERATION_NOT_INITIALIZED). */
static const char *const families[] = {
	"Sign", "Verify", "Encrypt", "Decrypt", "Digest", "SignRecover", "VerifyRecover", "FindObjects",
};

enum { OP_INIT, OP_GOES_ON, OP_ENDS };

/* The family of func (bit index), -1 none; *kind what the call does to it. */
static int op_family(const char *func, int *kind)
{
	size_t i, l;

	if (strncmp(func, "C_", 2) != 0)
		return -1;
	func += 2;
	for (i = 0; i < sizeof families / sizeof families[0]; i++) {
		l = strlen(families[i]);
		if (strncmp(func, families[i], l) != 0)
			continue;
		if (!strcmp(func + l, "Init"))
			*kind = OP_INIT;
		else if (!strcmp(func + l, "Update") || (i == 4 && !strcmp(func + l, "Key")) ||
		         (i == 7 && !func[l]))
			*kind = OP_GOES_ON;
		else if (!strcmp(func + l, "Final") || !func[l])
			*kind = OP_ENDS;
		else
			continue;
		return (int)i;
	}
	return -1;
}

static struct inst_sess *sess_find(struct inst_sessions *ss, int64_t h)
{
	int i;

	for (i = 0; i < ss->n; i++)
		if (ss->sess[i].h == h)
			return &ss->sess[i];
	return NULL;
}

/* Could a call of func on session h be instance k's? */
static int sess_fits(struct hs_parser *p, int64_t k, const char *func, int64_t h)
{
	struct inst_sessions *ss = &p->inst[k % MAX_INSTANCES].ss;
	struct inst_sess *e;
	int kind, f;

	if (!ss->known)
		return 1;
	if (!(e = sess_find(ss, h)))
		return 0;
	if ((f = op_family(func, &kind)) < 0)
		return 1;
	if (kind == OP_INIT)
		return !(e->active & (1u << f));
	return ((e->active | e->maybe) & (1u << f)) != 0;
}

/* Count c's use of session h on instance k (remembering the entry before,
 * so that a move can take it back). */
static void sess_apply(struct hs_parser *p, struct call *c, int64_t k, int64_t h)
{
	struct inst_sessions *ss = &p->inst[k % MAX_INSTANCES].ss;
	struct inst_sess *e = sess_find(ss, h);
	int kind, f = op_family(c->qc.pc.ev.func, &kind);

	if (!e)
		return;
	c->sess_inst = k;
	c->sess_prev = *e;
	if (!strcmp(c->qc.pc.ev.func, "C_CloseSession")) {
		*e = ss->sess[--ss->n];
		return;
	}
	if (f < 0)
		return;
	if (kind == OP_ENDS)
		e->active &= ~(1u << f), e->maybe |= 1u << f;
	else
		e->active |= 1u << f, e->maybe &= ~(1u << f);
}

/* Take back what sess_apply() counted for c (c moves to another process). */
static void sess_unapply(struct hs_parser *p, struct call *c)
{
	struct inst_sessions *ss;
	struct inst_sess *e;

	if (c->sess_inst < 0)
		return;
	ss = &p->inst[c->sess_inst % MAX_INSTANCES].ss;
	if ((e = sess_find(ss, c->sess_prev.h)))
		*e = c->sess_prev;
	else if (ss->n < ISESS)
		ss->sess[ss->n++] = c->sess_prev;
	c->sess_inst = -1;
}

void hs_spy_sess_output(struct hs_parser *p, struct call *c, int buffer)
{
	struct inst_sess *e;
	int kind, f;

	if (!buffer || c->sess_inst < 0 || (f = op_family(c->qc.pc.ev.func, &kind)) < 0 || kind != OP_ENDS)
		return;
	if ((e = sess_find(&p->inst[c->sess_inst % MAX_INSTANCES].ss, c->sess_prev.h)))
		e->maybe &= ~(1u << f);
}

void hs_spy_sess_opened(struct hs_parser *p, const struct call *c, int64_t h)
{
	struct inst_sessions *ss = &p->inst[c->qc.pc.ev.instance % MAX_INSTANCES].ss;
	struct inst_sess *e = sess_find(ss, h);

	if (!e && ss->n == ISESS) {
		ss->known = 0; /* more sessions than followed: no longer the whole truth */
		return;
	}
	if (!e)
		e = &ss->sess[ss->n++];
	e->h = h, e->active = e->maybe = 0;
}

/* Move guessed c (number num) to instance j; 1 done. The call of that
 * number that went to j instead takes c's place. */
static int move_guess(struct hs_parser *p, struct call *c, int64_t j)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance;
	struct call *d = NULL;
	int i;

	for (i = 0; i < p->b.q.count && !d; i++)
		if (q_at(p, i) != c && q_at(p, i)->qc.pc.ev.instance == j && q_at(p, i)->qc.pc.ev.call_no == num)
			d = q_at(p, i);
	if (d && !d->guessed)
		return 0; /* the evidence disagrees: c stays a guess */
	if (d) { /* the two calls of number num swap processes */
		int64_t t = d->guessed_last_n, dh = d->sess_inst >= 0 ? d->sess_prev.h : HS_NONE;
		sess_unapply(p, d);
		d->qc.pc.ev.instance = i0;
		d->guessed_last_n = c->guessed_last_n;
		c->guessed_last_n = t;
		if (dh != HS_NONE)
			sess_apply(p, d, i0, dh);
	} else if (p->inst[j % MAX_INSTANCES].last_n == num - 1 &&
	           p->inst[i0 % MAX_INSTANCES].last_n == num) {
		p->inst[i0 % MAX_INSTANCES].last_n = c->guessed_last_n;
		p->inst[j % MAX_INSTANCES].last_n = num;
	} else {
		return 0; /* the counts moved on since: leave the guess as it is */
	}
	if (c->sess_inst >= 0) {
		int64_t ch = c->sess_prev.h;
		sess_unapply(p, c);
		sess_apply(p, c, j, ch);
	}
	c->qc.pc.ev.instance = j;
	if (p->cur_inst == i0)
		p->cur_inst = j;
	return 1;
}

/* x and y (of one number, different instances) trade processes. */
static void trade_inst(struct hs_parser *p, struct call *x, struct call *y)
{
	int64_t xi = x->qc.pc.ev.instance, yi = y->qc.pc.ev.instance, t;
	int64_t xh = x->sess_inst >= 0 ? x->sess_prev.h : HS_NONE, yh = y->sess_inst >= 0 ? y->sess_prev.h : HS_NONE;

	sess_unapply(p, x);
	sess_unapply(p, y);
	x->qc.pc.ev.instance = yi;
	y->qc.pc.ev.instance = xi;
	t = x->guessed_last_n, x->guessed_last_n = y->guessed_last_n, y->guessed_last_n = t;
	if (xh != HS_NONE)
		sess_apply(p, x, yi, xh);
	if (yh != HS_NONE)
		sess_apply(p, y, xi, yh);
}

/* c (number num, instance i0, not a guess by the counts) showed a buffer
 * of instance j's: the counts met one call earlier and were guessed then
 * (x of i0 and y of j, both num - 1, one of them a guess). The buffer says
 * the guess was the wrong way round: x and y trade processes and c goes
 * to j. 1 done. */
static int undo_guess(struct hs_parser *p, struct call *c, int64_t j)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance;
	struct call *x = NULL, *y = NULL;
	int i;

	if (p->inst[i0 % MAX_INSTANCES].last_n != num || p->inst[j % MAX_INSTANCES].last_n != num - 1)
		return 0;
	for (i = 0; i < p->b.q.count; i++) {
		struct call *o = q_at(p, i);
		if (o->qc.pc.ev.call_no != num - 1)
			continue;
		if (o->qc.pc.ev.instance == i0)
			x = o;
		else if (o->qc.pc.ev.instance == j)
			y = o;
	}
	if (!x || !y || !(x->guessed || y->guessed))
		return 0;
	trade_inst(p, x, y);
	if (c->sess_inst >= 0) {
		int64_t ch = c->sess_prev.h;
		sess_unapply(p, c);
		sess_apply(p, c, j, ch);
	}
	c->qc.pc.ev.instance = j;
	c->guessed_last_n = num - 1;
	p->inst[i0 % MAX_INSTANCES].last_n = num - 1;
	p->inst[j % MAX_INSTANCES].last_n = num;
	if (p->cur_inst == i0)
		p->cur_inst = j;
	return 1;
}

/* c (number num), a guess on instance i0, showed a buffer far from
 * i0's and near no process's: the counts crossed one call earlier. The
 * one process k still at num - 2, whose buffers are not far, made c, and
 * i0's call x of num - 1, a guess too, was k's: both go to k, and i0's
 * count goes back to where it was before x. 1 done. */
static int undo_guess_far(struct hs_parser *p, struct call *c, unsigned long long ka)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance, k, j = -1;
	struct call *x = NULL, *m[2];
	int i, nk = 0;

	for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
		if (k != i0 && p->inst[k % MAX_INSTANCES].last_n == num - 2 && !addr_far(p, k, ka))
			j = k, nk++;
	for (i = 0; i < p->b.q.count && !x; i++)
		if (q_at(p, i)->qc.pc.ev.instance == i0 && q_at(p, i)->qc.pc.ev.call_no == num - 1)
			x = q_at(p, i);
	if (nk != 1 || !x || !x->guessed || p->inst[i0 % MAX_INSTANCES].last_n != num)
		return 0;
	p->inst[i0 % MAX_INSTANCES].last_n = x->guessed_last_n;
	p->inst[j % MAX_INSTANCES].last_n = num;
	x->guessed_last_n = num - 2;
	c->guessed_last_n = num - 1;
	m[0] = x, m[1] = c;
	for (i = 0; i < 2; i++) {
		if (m[i]->sess_inst >= 0) {
			int64_t h = m[i]->sess_prev.h;
			sess_unapply(p, m[i]);
			sess_apply(p, m[i], j, h);
		}
		m[i]->qc.pc.ev.instance = j;
	}
	if (p->cur_inst == i0)
		p->cur_inst = j;
	return 1;
}

static int could_be(struct hs_parser *p, const struct call *c, int64_t k);

/* Of the processes that could have made c and whose notes are not far
 * from a, those whose calls still queued (guesses too: they note
 * nothing) showed an input buffer near a; their count, *k the last. */
static int queued_near(struct hs_parser *p, const struct call *c, unsigned long long a, int64_t *k)
{
	int64_t i0 = c->qc.pc.ev.instance, seen = -1;
	unsigned long long ka = a | addr_kind(c->qc.pc.ev.func), b, d;
	int i, j, n = 0;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at(p, i);
		int64_t oi = o->qc.pc.ev.instance;
		if (o == c || oi == i0 || oi == seen || !could_be(p, c, oi) || addr_far(p, oi, ka))
			continue;
		for (j = 0; j < 2; j++) {
			b = o->in_addr[j];
			d = b > a ? b - a : a - b;
			if (b && d < NEAR_PROC) {
				if (n && oi != *k)
					return 2;
				*k = oi, n = 1, seen = oi;
				break;
			}
		}
	}
	return n;
}

/* Could instance k have made call number num instead of c (its count is
 * just before it, or its call of that number is a guess too)? */
static int could_be(struct hs_parser *p, const struct call *c, int64_t k)
{
	int64_t num = c->qc.pc.ev.call_no;
	int i;

	if (p->inst[k % MAX_INSTANCES].last_n == num - 1)
		return 1;
	for (i = 0; i < p->b.q.count; i++)
		if (q_at(p, i) != c && q_at(p, i)->qc.pc.ev.instance == k &&
		    q_at(p, i)->qc.pc.ev.call_no == num)
			return q_at(p, i)->guessed;
	return 0;
}

void hs_spy_sess_use(struct hs_parser *p, struct call *c, int64_t h)
{
	int64_t i0 = c->qc.pc.ev.instance, k, other = -1;
	int nother = 0, fit0;

	if (p->new_header || c->sess_inst >= 0)
		return;
	if (c->guessed) {
		fit0 = sess_fits(p, i0, c->qc.pc.ev.func, h);
		for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
			if (k != i0 && could_be(p, c, k) && sess_fits(p, k, c->qc.pc.ev.func, h))
				other = k, nother++;
		if (!fit0 && nother == 1 && move_guess(p, c, other))
			c->guessed = 0, c->sole = 1;
		else if (fit0 && nother == 0)
			c->guessed = 0, c->sole = 1;
	}
	sess_apply(p, c, c->qc.pc.ev.instance, h);
}

/* The old header names no process: when processes' call counts meet, the
 * header's process is a guess (on_header). Each process's buffers lie in
 * its own address space (thread stacks side by side; ASLR places each
 * process's elsewhere), so an input buffer near those of one process's
 * certain calls, and of no other's, names c's process: c moves there
 * (taking its count: the call of that number that went there instead
 * takes c's place) and is no longer a guess. Only calls whose number fit
 * one process alone are noted as evidence. */
void hs_spy_addr_evidence(struct hs_parser *p, struct call *c, unsigned long long a)
{
	int64_t j = addr_inst(p, a), i0 = c->qc.pc.ev.instance;
	unsigned long long ka = a | addr_kind(c->qc.pc.ev.func);

	if (!c->guessed) {
		/* only a call no other process could have made says where its
		 * process's buffers lie (one told by its chunk may be wrong, and
		 * a wrong note would mislead every call after it) */
		if (c->sole && (j < 0 || j == i0))
			addr_note(p, i0, ka);
		else if (j >= 0 && j != i0 && !undo_guess(p, c, j))
			c->qc.pc.ev.uncertain = 1; /* its buffer is another process's */
		return;
	}
	/* no process's buffers lie near it, but far from the guessed one's:
	 * the one other process that could have made it and whose buffers
	 * are not far (none seen yet: a process whose calls were all guesses) */
	if (j < 0 && addr_far(p, i0, ka)) {
		int64_t k, other = -1;
		int nother = 0;
		for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
			if (k != i0 && could_be(p, c, k) && !addr_far(p, k, ka))
				other = k, nother++;
		if (nother > 1)
			nother = queued_near(p, c, a, &other);
		if (nother == 1)
			j = other;
		else if (nother == 0 && undo_guess_far(p, c, ka))
			return; /* still a guess: the crossing was one */
	}
	if (j < 0)
		return;
	if (j != i0 && !move_guess(p, c, j))
		return;
	c->guessed = 0;
}
