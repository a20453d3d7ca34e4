/* spy_state.c — the spy parser's resume state (spy_int.h): what a refresh
 * needs to go on from the parse's resume point (instances, their pids and
 * sessions, the buffer addresses seen), written at finish and read back
 * by resume, as key=value (pbase.h); and, new header, the notes of where
 * each thread's buffers lie that are part of it. Split from parse_spy.c.
 */
#include <limits.h>
#include <stddef.h>
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

/* ------------------------------------------------ the rings of evidence */

/* How a number of a ring entry is written: as it is (an address as the
 * int64_t of its bits), or an instance counted back from the newest (K -
 * id, as in the i= items). */
enum num_kind { RN_INT, RN_INST };

struct ring_num {
	size_t off;                 /* of an int64_t or unsigned long long in the entry */
	enum num_kind kind;
};

/* A ring of struct spy_rings: its count is written "count_key=N", then its
 * min(N, size) newest entries, oldest first, as the items of "key"; read
 * back, each lands in the slot it had, so the ring goes on as it would
 * have. */
struct ring_desc {
	const char *key, *count_key;
	size_t arr, count;          /* offsets in struct spy_rings */
	int64_t size;               /* entries */
	size_t esize;               /* bytes of one */
	const struct ring_num *num; /* the numbers of an entry, in the order written */
	int nnum;
};
#define RING_NUMS 4             /* the most numbers of an entry */

static const struct ring_num paddr_nums[] = {
	{ offsetof(struct spy_paddr, inst), RN_INST }, { offsetof(struct spy_paddr, addr), RN_INT },
};
static const struct ring_num taddr_nums[] = {
	{ offsetof(struct spy_taddr, pid), RN_INT }, { offsetof(struct spy_taddr, tid), RN_INT },
	{ offsetof(struct spy_taddr, addr), RN_INT },
};
static const struct ring_num sret_nums[] = {
	{ offsetof(struct spy_sret, inst), RN_INST }, { offsetof(struct spy_sret, handle), RN_INT },
	{ offsetof(struct spy_sret, line), RN_INT }, { offsetof(struct spy_sret, head), RN_INT },
};
static const struct ring_num opened_nums[] = {
	{ offsetof(struct spy_opened, inst), RN_INST }, { offsetof(struct spy_opened, handle), RN_INT },
	{ offsetof(struct spy_opened, off), RN_INT },
};

/* Every ring of struct spy_rings, once: key, count key, the array, its
 * count, the numbers of an entry. The table and the checks below are made
 * from this list, so a ring or an entry's field left out of it does not
 * compile. */
#define SPY_RINGS(X)                                            \
	X("a", "an", paddr, npaddr, paddr_nums)                 \
	X("t", "tn", taddr, ntaddr, taddr_nums)                 \
	X("sr", "srn", sret, nsret, sret_nums)                  \
	X("op", "opn", opened, nopened, opened_nums)

#define RING_OF(m) (((struct spy_rings *)0)->m)
#define NUMS_OF(nums) (sizeof nums / sizeof nums[0])
#define RING_ROW(key, count_key, a, n, nums)                                                    \
	{ key, count_key, offsetof(struct spy_rings, a), offsetof(struct spy_rings, n),         \
	  (int64_t)(sizeof RING_OF(a) / sizeof RING_OF(a)[0]), sizeof RING_OF(a)[0], nums,      \
	  (int)NUMS_OF(nums) },
static const struct ring_desc rings[] = { SPY_RINGS(RING_ROW) };

/* each entry is its numbers, all 8 bytes wide: none left out */
#define RING_ENTRY_CHECK(key, count_key, a, n, nums)                                            \
	_Static_assert(sizeof RING_OF(a)[0] == NUMS_OF(nums) * sizeof(int64_t) &&                \
	               NUMS_OF(nums) <= RING_NUMS, "ring " key ": an entry's field not in " #nums);
SPY_RINGS(RING_ENTRY_CHECK)
_Static_assert(sizeof(unsigned long long) == sizeof(int64_t), "addresses are written as int64_t");
/* and the rings are all of struct spy_rings (it has no padding) */
#define RING_BYTES(key, count_key, a, n, nums) +sizeof RING_OF(a) + sizeof RING_OF(n)
_Static_assert(sizeof(struct spy_rings) == 0 SPY_RINGS(RING_BYTES),
               "a ring of struct spy_rings is not in SPY_RINGS");

static void put_rings(struct hs_buf *s, const struct spy_rings *g, int64_t ninst)
{
	const struct ring_desc *d;
	int64_t n, i, v[RING_NUMS];
	int j;

	for (d = rings; d < rings + sizeof rings / sizeof rings[0]; d++) {
		memcpy(&n, (const char *)g + d->count, sizeof n);
		if (n <= 0)
			continue;
		hs_pstate_int(s, d->count_key, n);
		hs_pstate_list(s, d->key);
		for (i = n > d->size ? n - d->size : 0; i < n; i++) {
			const char *e = (const char *)g + d->arr + (size_t)(i % d->size) * d->esize;
			for (j = 0; j < d->nnum; j++) {
				memcpy(&v[j], e + d->num[j].off, sizeof v[j]);
				if (d->num[j].kind == RN_INST)
					v[j] = ninst - v[j];
			}
			hs_pstate_item(s, v, d->nnum);
		}
	}
}

/* The rings put_rings() wrote, k instances seen. Any doubt about a ring
 * (a count or an entry this code would not have written) leaves it empty:
 * attribution then has less evidence, as from a state without it. */
static void get_rings(struct spy_rings *g, const char *state, int64_t k)
{
	const struct ring_desc *d;
	int64_t n, i, want, v[RING_NUMS];
	const char *cur;
	int j, got, ok;

	for (d = rings; d < rings + sizeof rings / sizeof rings[0]; d++) {
		char *arr = (char *)g + d->arr, *e;
		if (!hs_pstate_get_int(state, d->count_key, &n) || n <= 0)
			continue;
		want = n < d->size ? n : d->size;
		cur = NULL;
		for (i = 0, ok = 1; ok && (got = hs_pstate_next(state, d->key, &cur, v, RING_NUMS)) != 0; i++) {
			ok = got == d->nnum && i < want;
			for (j = 0; ok && j < d->nnum; j++)
				if (d->num[j].kind == RN_INST)
					ok = v[j] >= 1 && v[j] <= k, v[j] = k - v[j];
			e = arr + (size_t)((n - want + i) % d->size) * d->esize; /* the slot it had */
			for (j = 0; ok && j < d->nnum; j++)
				memcpy(e + d->num[j].off, &v[j], sizeof v[j]);
		}
		if (!ok || i != want) {
			memset(arr, 0, (size_t)d->size * d->esize);
			n = 0;
		}
		memcpy((char *)g + d->count, &n, sizeof n);
	}
}

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
	get_rings(&p->ring, state, k);
}

/* Where each thread's buffers lie (a thread's stack; old header: each
 * session's), so an output whose call's own input address was garbled
 * (buf_spec) still finds its thread. The newest note of each thread. */
void hs_spy_thread_addr_note(struct hs_parser *p, const struct call *c, unsigned long long a)
{
	int64_t pid = c->qc.pc.ev.pid, tid = c->qc.pc.ev.tid;
	struct spy_taddr *t;
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
		if ((t = &p->ring.taddr[i])->addr && t->pid == pid && t->tid == tid) {
			t->addr = a;
			return;
		}
	t = &p->ring.taddr[p->ring.ntaddr++ % TADDR];
	t->pid = pid, t->tid = tid, t->addr = a;
}

/* The buffer c's thread showed last, 0 none. */
static unsigned long long thread_note(const struct hs_parser *p, const struct call *c)
{
	int i;

	for (i = 0; c->has_ts && i < TADDR; i++) {
		const struct spy_taddr *t = &p->ring.taddr[i];
		if (t->addr && t->pid == c->qc.pc.ev.pid && t->tid == c->qc.pc.ev.tid)
			return t->addr;
	}
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
		const struct spy_taddr *t = &p->ring.taddr[i];
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
		const struct spy_taddr *t = &p->ring.taddr[i];
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
	put_rings(&p->b.state, &r->ring, r->ninst);
}
