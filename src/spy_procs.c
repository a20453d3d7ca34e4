/* spy_procs.c — which process made a call, by the old header's evidence
 * (Debian's spy 0.23 names no process or thread per call): the buffer
 * addresses each process instance showed (a process's buffers lie near
 * each other, another's far), and the sessions each opened and what runs
 * on each (a process that never opened a handle, or whose session cannot
 * take the function now, did not make the call). A call whose process is
 * a guess moves, or trades processes with another, when later evidence
 * says so. Split from spy_attr.c, which decides among the calls of one
 * line; see its header for the contests. The operation families serve
 * the new header too (hs_spy_sess_next_fits: which of two threads' calls
 * a session's next input line can be).
 *
 * A guess has mates: when two processes' counts met at N and a guess gave
 * one of them the first header N, the next header N that only the other
 * count fits is the complement, as much a guess (cands: the instances
 * either could be). Mates stay queued together until both processes are
 * two calls on, so that a later buffer or a later call on a session one
 * of them changed can still trade them; once one is decided, so is its
 * mate (settle_mates).
 */
#include <string.h>

#include "hsmscope/util.h"

#include "spy_int.h"

/* The one process instance whose remembered buffers lie within NEAR_PROC
 * of a, -1 none or several. */
static int64_t addr_inst(const struct hs_parser *p, unsigned long long a)
{
	int64_t found = -1;
	int i;

	for (i = 0; i < PADDR && i < p->ring.npaddr; i++) {
		unsigned long long b = p->ring.paddr[i].addr & SPY_ADDR_MASK, d = hs_spy_addr_dist(b, a);
		if (d >= NEAR_PROC)
			continue;
		if (found >= 0 && found != p->ring.paddr[i].inst)
			return -1;
		found = p->ring.paddr[i].inst;
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
	for (i = 0; i < PADDR && i < p->ring.npaddr; i++) {
		unsigned long long b = p->ring.paddr[i].addr & SPY_ADDR_MASK, d = hs_spy_addr_dist(b, a);
		unsigned long long k = p->ring.paddr[i].addr & ~SPY_ADDR_MASK;
		if (p->ring.paddr[i].inst != inst || (k && k != kind))
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

	for (i = 0; i < PADDR && i < p->ring.npaddr; i++)
		if (p->ring.paddr[i].inst == inst && p->ring.paddr[i].addr == a)
			return;
	p->ring.paddr[p->ring.npaddr % PADDR].inst = inst;
	p->ring.paddr[p->ring.npaddr % PADDR].addr = a;
	p->ring.npaddr++;
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

/* New header: can a call of c's function on session h come next, by what
 * the latest call on h before it (the one whose thread line came last, of
 * c's process, returned CKR_OK) left running? 0 when it would fail: an Init
 * while its family runs, or a call of a family that none runs (a
 * single-part call or Final that filled a buffer ended it; a length query
 * leaves it running). 1 when it fits or nothing says. */
int hs_spy_sess_next_fits(struct hs_parser *p, const struct call *c, int64_t h)
{
	const struct call *o = NULL;
	int i, ko, kc, fo, fc, running;

	for (i = 0; h != HS_NONE && i < p->b.q.count; i++) {
		const struct call *x = q_at(p, i);
		if (x != c && x->named == h && x->has_ts && x->qc.pc.ev.instance == c->qc.pc.ev.instance &&
		    (!o || x->l_ts > o->l_ts))
			o = x;
	}
	if (!o || !o->qc.returned || !o->qc.pc.ev.ok || (fo = op_family(o->qc.pc.ev.func, &ko)) < 0 ||
	    (fc = op_family(c->qc.pc.ev.func, &kc)) != fo)
		return 1;
	running = ko != OP_ENDS || !o->out_buffer;
	return kc == OP_INIT ? !running : running;
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

/* c came to its process by a skipped number (its count was at num - 2,
 * the hole rule): instance k's count is at num - 2 too, with no number
 * skipped, so c could have skipped one there as well. */
static int skip_fits(const struct hs_parser *p, const struct call *c, int64_t k)
{
	int64_t num = c->qc.pc.ev.call_no;

	return c->guessed_last_n == num - 2 && p->inst[k % MAX_INSTANCES].last_n == num - 2 &&
	       p->inst[k % MAX_INSTANCES].hole < 0;
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
		if (p->inst[i0 % MAX_INSTANCES].hole == num - 1 && c->guessed_last_n == num - 2)
			p->inst[i0 % MAX_INSTANCES].hole = -1; /* c had skipped it there */
		p->inst[i0 % MAX_INSTANCES].last_n = c->guessed_last_n;
		p->inst[j % MAX_INSTANCES].last_n = num;
	} else if (skip_fits(p, c, j) && p->inst[i0 % MAX_INSTANCES].last_n == num &&
	           p->inst[i0 % MAX_INSTANCES].hole == num - 1) {
		/* c came by a skipped number (the hole rule) and skips it in j
		 * instead */
		p->inst[i0 % MAX_INSTANCES].hole = -1;
		p->inst[i0 % MAX_INSTANCES].last_n = c->guessed_last_n;
		p->inst[j % MAX_INSTANCES].hole = num - 1;
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

static void settle_mates(struct hs_parser *p, const struct call *c);

/* c (number num) on instance i0 is instance j's, j's count is at num - 2
 * and i0's at num: the counts crossed one call earlier, and i0's call x
 * of num - 1, a guess that j could have made, was j's. Both go to j, and
 * i0's count goes back to where it was before x. x: the moved call, NULL
 * when the counts say otherwise. */
static struct call *undo_cross(struct hs_parser *p, struct call *c, int64_t j)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance;
	struct call *x = NULL, *m[2];
	int i;

	for (i = 0; i < p->b.q.count && !x; i++)
		if (q_at(p, i)->qc.pc.ev.instance == i0 && q_at(p, i)->qc.pc.ev.call_no == num - 1)
			x = q_at(p, i);
	if (!x || !x->guessed || !(x->cands & (1ull << (j % MAX_INSTANCES))) ||
	    p->inst[i0 % MAX_INSTANCES].last_n != num || p->inst[j % MAX_INSTANCES].last_n != num - 2)
		return NULL;
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
	return x;
}

/* c (number num), a guess on instance i0, showed a buffer far from
 * i0's and near no process's: the counts crossed one call earlier. The
 * one process k still at num - 2, whose buffers are not far, made c, and
 * i0's call x of num - 1, a guess too, was k's (undo_cross). 1 done. */
static int undo_guess_far(struct hs_parser *p, struct call *c, unsigned long long ka)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance, k, j = -1;
	int nk = 0;

	for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
		if (k != i0 && p->inst[k % MAX_INSTANCES].last_n == num - 2 && !addr_far(p, k, ka))
			j = k, nk++;
	return nk == 1 && undo_cross(p, c, j) != NULL;
}

static int could_be(struct hs_parser *p, const struct call *c, int64_t k);

/* A queued call of c's process other than c showed an input buffer
 * within NEAR_PROC of a. */
static int queued_own_near(struct hs_parser *p, const struct call *c, unsigned long long a)
{
	int i, j;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at(p, i);
		if (o == c || o->qc.pc.ev.instance != c->qc.pc.ev.instance)
			continue;
		for (j = 0; j < 2; j++) {
			unsigned long long b = o->in_addr[j], d = hs_spy_addr_dist(b, a);
			if (b && d < NEAR_PROC)
				return 1;
		}
	}
	return 0;
}

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
			d = hs_spy_addr_dist(b, a);
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

	if (p->inst[k % MAX_INSTANCES].last_n == num - 1 || skip_fits(p, c, k))
		return 1;
	for (i = 0; i < p->b.q.count; i++)
		if (q_at(p, i) != c && q_at(p, i)->qc.pc.ev.instance == k &&
		    q_at(p, i)->qc.pc.ev.call_no == num)
			return q_at(p, i)->guessed;
	return 0;
}

#define IBIT(k) (1ull << ((k) % MAX_INSTANCES))

uint64_t hs_spy_complement(struct hs_parser *p, int64_t num, int64_t fit)
{
	uint64_t m = 0;
	int i;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *d = q_at(p, i);
		if (d->guessed && d->qc.pc.ev.call_no == num && d->qc.pc.ev.instance != fit &&
		    (d->cands & IBIT(fit)) && d->guessed_last_n == num - 1)
			m |= IBIT(d->qc.pc.ev.instance);
	}
	return m ? m | IBIT(fit) : 0;
}

/* c is no longer a guess: a call of its number that could have been
 * made only by c's process or one other is that other's (the two counts
 * met at that number, and c took one of them). */
static void settle_mates(struct hs_parser *p, const struct call *c)
{
	int64_t ci = c->qc.pc.ev.instance;
	int i;

	for (i = 0; i < p->b.q.count; i++) {
		struct call *d = q_at(p, i);
		uint64_t rest = d->cands & ~IBIT(ci);
		if (d != c && d->guessed && d->qc.pc.ev.call_no == c->qc.pc.ev.call_no &&
		    (d->cands & IBIT(ci)) && rest == IBIT(d->qc.pc.ev.instance))
			d->guessed = 0;
	}
}

/* A call of no other process than i0's (its count) names session h,
 * which i0 does not hold in a state c's function can follow: a guessed
 * call y of i0 that changed h (closed it, began or ended an operation on
 * it) may have been the other process's, whose call x of the same number
 * went to i0's place. When trading x and y makes c fit, that was the
 * mistake: they trade and are guesses no more. Only when no call after
 * them touched the sessions either changed (what is taken back is their
 * own change). 1: traded. */
static int sess_trade(struct hs_parser *p, struct call *c, int64_t h)
{
	int64_t i0 = c->qc.pc.ev.instance;
	int i, j, l;

	for (i = 0; i < p->b.q.count; i++) {
		struct call *y = q_at(p, i), *x = NULL;
		int64_t xi, xh;
		if (y == c || !y->guessed || y->qc.pc.ev.instance != i0 || y->sess_inst != i0 ||
		    y->sess_prev.h != h)
			continue;
		for (j = 0; j < p->b.q.count && !x; j++) {
			struct call *o = q_at(p, j);
			if (o != y && o != c && o->guessed && o->qc.pc.ev.call_no == y->qc.pc.ev.call_no &&
			    o->qc.pc.ev.instance != i0 && (y->cands & IBIT(o->qc.pc.ev.instance)) &&
			    (o->cands & IBIT(i0)))
				x = o;
		}
		if (!x)
			continue;
		xi = x->qc.pc.ev.instance;
		xh = x->sess_inst >= 0 ? x->sess_prev.h : HS_NONE;
		for (l = 0; l < p->b.q.count; l++) {
			const struct call *z = q_at(p, l);
			if (z == c || z == x || z == y || z->sess_inst < 0 ||
			    z->qc.pc.ev.offset < (x->qc.pc.ev.offset < y->qc.pc.ev.offset ? x : y)->qc.pc.ev.offset)
				continue;
			if ((z->sess_inst == i0 || z->sess_inst == xi) && (z->sess_prev.h == h || z->sess_prev.h == xh))
				break;
		}
		if (l < p->b.q.count)
			continue;
		trade_inst(p, x, y);
		if (sess_fits(p, i0, c->qc.pc.ev.func, h)) {
			x->guessed = y->guessed = 0;
			settle_mates(p, x);
			settle_mates(p, y);
			return 1;
		}
		trade_inst(p, x, y); /* no better: back as they were */
	}
	return 0;
}

/* c (number num, on i0 by its count alone) names session h, which i0
 * holds in no state c's function can follow, and no trade of mates
 * mends it: when i0's count is at num only by the guess x of num - 1,
 * and exactly one other process j that x could have been is at num - 2
 * and holds h so that c fits, x and c are j's (undo_cross): j's num - 1
 * can be no other queued call. x is no longer a guess. 1 done. */
static int sess_cross(struct hs_parser *p, struct call *c, int64_t h)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance, k, j = -1;
	struct call *x = NULL;
	int i, nj = 0;

	for (i = 0; i < p->b.q.count && !x; i++)
		if (q_at(p, i)->qc.pc.ev.instance == i0 && q_at(p, i)->qc.pc.ev.call_no == num - 1)
			x = q_at(p, i);
	if (!c->sole || !x || !x->guessed || (x->sess_inst >= 0 && x->sess_prev.h == h))
		return 0;
	for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
		if (k != i0 && (x->cands & IBIT(k)) && p->inst[k % MAX_INSTANCES].last_n == num - 2 &&
		    sess_fits(p, k, c->qc.pc.ev.func, h))
			j = k, nj++;
	if (nj != 1 || !undo_cross(p, c, j))
		return 0;
	x->guessed = 0;
	settle_mates(p, x);
	return 1;
}

/* Take x's use of its session off its instance's history: the queued
 * calls after it on that session are taken back and counted again
 * without it. 0 when there are too many to follow. */
static int sess_remove(struct hs_parser *p, struct call *x)
{
	int64_t k = x->sess_inst, h = x->sess_prev.h;
	struct call *later[16];
	int i, n = 0;

	for (i = p->b.q.count - 1; i >= 0; i--) {
		struct call *z = q_at(p, i);
		if (z == x || z->sess_inst != k || z->sess_prev.h != h || z->qc.pc.ev.offset < x->qc.pc.ev.offset)
			continue;
		if (n == 16)
			return 0;
		later[n++] = z; /* newest first */
	}
	for (i = 0; i < n; i++)
		sess_unapply(p, later[i]);
	sess_unapply(p, x);
	for (i = n - 1; i >= 0; i--)
		sess_apply(p, later[i], k, h);
	return 1;
}

/* c (number num) came to i0 by a skipped number (i0's count was at
 * num - 2: the hole rule) and i0's session h cannot take it. When the one
 * guess x of num - 1 that i0 could have made went to a process j whose
 * count is at num, and x on i0 would let c fit, x was i0's (it fills the
 * hole) and j's count skipped num - 1 instead: two threads of j printed
 * their numbers swapped while its count met i0's. 1 done. */
static int sess_hole(struct hs_parser *p, struct call *c, int64_t h)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance, j;
	struct instance *a = &p->inst[i0 % MAX_INSTANCES], *b;
	struct inst_sess e, *ep;
	struct call *x = NULL;
	int i, nx = 0, kind, f;

	if (a->hole != num - 1 || c->guessed_last_n != num - 2 || !a->ss.known ||
	    !(ep = sess_find(&a->ss, h)))
		return 0;
	for (i = 0; i < p->b.q.count; i++) {
		struct call *o = q_at(p, i);
		if (o->guessed && o->qc.pc.ev.call_no == num - 1 && o->qc.pc.ev.instance != i0 &&
		    (o->cands & IBIT(i0)))
			x = o, nx++;
	}
	if (nx != 1 || x->sess_inst < 0 || x->sess_prev.h != h || !strcmp(x->qc.pc.ev.func, "C_CloseSession"))
		return 0;
	j = x->qc.pc.ev.instance;
	b = &p->inst[j % MAX_INSTANCES];
	if (b->hole >= 0 || b->last_n != num)
		return 0;
	/* would c fit i0's session h once x has been counted on it? */
	e = *ep;
	if ((f = op_family(x->qc.pc.ev.func, &kind)) >= 0) {
		if (kind == OP_ENDS)
			e.active &= ~(1u << f), e.maybe |= 1u << f;
		else
			e.active |= 1u << f, e.maybe &= ~(1u << f);
	}
	if ((f = op_family(c->qc.pc.ev.func, &kind)) < 0 ||
	    (kind == OP_INIT ? (e.active & (1u << f)) != 0 : ((e.active | e.maybe) & (1u << f)) == 0))
		return 0;
	if (!sess_remove(p, x))
		return 0;
	sess_apply(p, x, i0, h);
	x->qc.pc.ev.instance = i0;
	x->guessed_last_n = num - 2;
	x->guessed = 0;
	settle_mates(p, x);
	a->hole = -1;
	b->hole = num - 1;
	return 1;
}

/* c's process has its count at c's number only by a guess (its call of
 * the number before is one) or by a skipped number (the hole rule), while
 * another process's count is as far: another reading of the counts could
 * give c elsewhere. */
static int count_by_guess(struct hs_parser *p, const struct call *c)
{
	int64_t num = c->qc.pc.ev.call_no, i0 = c->qc.pc.ev.instance, k;
	int i, other = 0;

	for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
		other |= k != i0 && p->inst[k % MAX_INSTANCES].last_n >= num - 1;
	if (!other)
		return 0;
	if (c->guessed_last_n == num - 2)
		return 1;
	for (i = 0; i < p->b.q.count; i++)
		if (q_at(p, i)->qc.pc.ev.instance == i0 && q_at(p, i)->qc.pc.ev.call_no == num - 1)
			return q_at(p, i)->guessed;
	return 0;
}

/* Could c (a guess) on session h be instance k's, as k was before its
 * call of c's number? That is its state now unless k's calls from that
 * number on changed h: when only k's own guessed call of the number (c's
 * mate, which had c been k's would not be) did, its change is taken back
 * to see; when a later one did, nothing says it could not (1). */
static int sess_fits_instead(struct hs_parser *p, const struct call *c, int64_t k, int64_t h)
{
	int64_t num = c->qc.pc.ev.call_no;
	struct call *d = NULL, *o;
	int i, fits;

	for (i = 0; i < p->b.q.count && !d; i++)
		if ((o = q_at(p, i)) != c && o->guessed && o->qc.pc.ev.instance == k && o->qc.pc.ev.call_no == num)
			d = o;
	for (i = 0; i < p->b.q.count; i++)
		if ((o = q_at(p, i)) != c && o != d && o->qc.pc.ev.instance == k && o->qc.pc.ev.call_no >= num &&
		    o->sess_inst == k && o->sess_prev.h == h)
			return 1;
	if (!d || d->sess_inst != k || d->sess_prev.h != h)
		return sess_fits(p, k, c->qc.pc.ev.func, h);
	sess_unapply(p, d);
	fits = sess_fits(p, k, c->qc.pc.ev.func, h);
	sess_apply(p, d, k, h);
	return fits;
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
			if (k != i0 && could_be(p, c, k) && sess_fits_instead(p, c, k, h))
				other = k, nother++;
		if (!fit0 && nother == 1 && move_guess(p, c, other))
			c->guessed = 0, c->sole = 1;
		else if (fit0 && nother == 0)
			c->guessed = 0, c->sole = 1;
		if (!c->guessed)
			settle_mates(p, c);
	} else if (!sess_fits(p, i0, c->qc.pc.ev.func, h) && !sess_trade(p, c, h) && !sess_cross(p, c, h) &&
	           !sess_hole(p, c, h) && count_by_guess(p, c)) {
		/* its count says i0 only by a guess or a skipped number, i0's
		 * session says no, and no move mends it (two threads of one
		 * process may have printed their numbers swapped while counts
		 * met): which process made it is not certain */
		c->qc.pc.ev.uncertain = 1;
	}
	sess_apply(p, c, c->qc.pc.ev.instance, h);
}

/* No buffer of instance i0 is remembered yet (its calls were all
 * guesses), but its queued calls of c's function showed input buffers,
 * all NEAR_PROC or farther from a: as far as the log tells yet, a is not
 * i0's. */
static int queued_far(struct hs_parser *p, const struct call *c, int64_t i0, unsigned long long a)
{
	int i, j, some = 0;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at(p, i);
		if (o == c || o->qc.pc.ev.instance != i0 || strcmp(o->qc.pc.ev.func, c->qc.pc.ev.func) != 0)
			continue;
		for (j = 0; j < 2; j++) {
			unsigned long long b = o->in_addr[j], d = hs_spy_addr_dist(b, a);
			if (!b)
				continue;
			if (d < NEAR_PROC)
				return 0;
			some = 1;
		}
	}
	return some;
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
		else if (j >= 0 && j != i0 && !undo_guess(p, c, j)) {
			/* its buffer is another process's: the guess it followed
			 * (its count's call just before) was that process's call */
			struct call *x = c->sole ? undo_cross(p, c, j) : NULL;
			if (x) {
				x->guessed = 0;
				settle_mates(p, x);
			} else {
				c->qc.pc.ev.uncertain = 1;
			}
		}
		return;
	}
	/* a guess only as the complement of another call's (its count alone
	 * was at its number): as when it was taken for certain, its buffer
	 * says where its process's lie unless they lie elsewhere; one near
	 * them confirms it */
	if (c->sole && (j < 0 || j == i0) && !addr_far(p, i0, ka)) {
		addr_note(p, i0, ka);
		if (j == i0) {
			c->guessed = 0;
			settle_mates(p, c);
		}
		return;
	}
	/* no process's noted buffers lie near it, nor are the guessed one's
	 * known to lie far (all its calls were guesses): the one other
	 * process that could have made it whose queued calls (guesses too)
	 * showed a buffer near it, when the guessed one's showed none, is
	 * its (a process's buffers lie near each other, another's far) */
	if (j < 0 && !addr_far(p, i0, ka) && !queued_own_near(p, c, a)) {
		int64_t k = -1;
		if (queued_near(p, c, a, &k) == 1)
			j = k;
	}
	/* no process's buffers lie near it, but far from the guessed one's:
	 * the one other process that could have made it and whose buffers
	 * are not far (none seen yet: a process whose calls were all guesses) */
	if (j < 0 && (addr_far(p, i0, ka) || queued_far(p, c, i0, a))) {
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
	/* j's count is one behind the number before c's: the guess c
	 * followed (i0's call just before, which j could have made) was j's
	 * too, and goes along (x stays a guess: j's call of that number may
	 * be another of the calls of it that were guesses) */
	if (j != i0 && !move_guess(p, c, j) && !undo_cross(p, c, j))
		return;
	c->guessed = 0;
	settle_mates(p, c);
}
