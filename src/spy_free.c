/* spy_free.c — old header: which of several alike calls waiting for a
 * time line takes "[in] hSession = h" (the spy parser, spy_int.h), by
 * when each thread was free to head a call: a session's thread is free
 * once its last call returned, and a call headed before that is another
 * thread's. Split from spy_attr.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hsmscope/pbase.h"
#include "hsmscope/callq.h"
#include "hsmscope/chars.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"
#include "spy_int.h"

/* c leaves the queue: where it returned, its session was free after
 * (the queue no longer shows it). */
void hs_spy_free_note(struct hs_parser *p, const struct call *c)
{
	if (!c->qc.returned || !c->named)
		return;
	p->ring.sret[p->ring.nsret % SRET].inst = c->qc.pc.ev.instance;
	p->ring.sret[p->ring.nsret % SRET].handle = c->named;
	p->ring.sret[p->ring.nsret % SRET].line = c->l_ret;
	p->ring.sret[p->ring.nsret % SRET].head = c->qc.pc.ev.line;
	p->ring.nsret++;
}

/* A handle other than h came back, or a call on another session of
 * inst returned, after call a's header and before b's: a thread was free
 * to head b that was not free to head a. Returns are placed by line
 * number (a return's offset may be the line read when it was placed). */
static int freed_between(const struct hs_parser *p, int64_t inst, int64_t h, const struct call *a,
                         const struct call *b)
{
	int64_t ao = a->qc.pc.ev.offset, bo = b->qc.pc.ev.offset, al = a->qc.pc.ev.line, bl = b->qc.pc.ev.line;
	int i;

	for (i = 0; i < OPENED && i < p->ring.nopened; i++)
		if (p->ring.opened[i].inst == inst && p->ring.opened[i].handle != h && p->ring.opened[i].off > ao &&
		    p->ring.opened[i].off < bo)
			return 1;
	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at((struct hs_parser *)p, i);
		if (o->qc.returned && o->qc.pc.ev.instance == inst && o->named && o->named != h &&
		    o->l_ret > al && o->l_ret < bl)
			return 1;
	}
	for (i = 0; i < SRET && i < p->ring.nsret; i++)
		if (p->ring.sret[i].inst == inst && p->ring.sret[i].handle != h && p->ring.sret[i].line > al &&
		    p->ring.sret[i].line < bl)
			return 1;
	return 0;
}

/* A call on h of inst headed at line head and returned at end (INT64_MAX
 * still open): did a call on h headed after it return before it? Then
 * h's thread went on while it looked busy (a thread makes one call at a
 * time): its return is one the order gave it late, and says nothing of
 * when h was free (old-threads-c: a C_SignInit on 0x6 headed at line 5702
 * took the return of line 6231 while 0x6's thread made a dozen calls). */
static int sess_went_on(const struct hs_parser *p, int64_t inst, int64_t h, int64_t head, int64_t end)
{
	int i;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *n = q_at((struct hs_parser *)p, i);
		if (n->qc.returned && n->named == h && n->qc.pc.ev.instance == inst && n->qc.pc.ev.line > head &&
		    n->l_ret < end)
			return 1;
	}
	for (i = 0; i < SRET && i < p->ring.nsret; i++)
		if (p->ring.sret[i].inst == inst && p->ring.sret[i].handle == h && p->ring.sret[i].head > head &&
		    p->ring.sret[i].line < end)
			return 1;
	return 0;
}

/* Could c's thread be h's by when c was headed: after h came back
 * (C_OpenSession) and after every call naming it returned? -1: a call
 * naming h (not in cand[]) is still open, nothing says. */
static int sess_free_before(const struct hs_parser *p, const struct call *c, int64_t h, struct call **cand,
                            int nc)
{
	int64_t inst = c->qc.pc.ev.instance, at = hs_spy_opened_at(p, inst, h);
	int i, j;

	if (at < 0 || at > c->qc.pc.ev.offset)
		return at < 0 ? -1 : 0;
	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at((struct hs_parser *)p, i);
		for (j = 0; j < nc && cand[j] != o; j++)
			;
		if (j < nc || o->qc.pc.ev.instance != inst || o->named != h)
			continue;
		if (sess_went_on(p, inst, h, o->qc.pc.ev.line, o->qc.returned ? o->l_ret : INT64_MAX))
			continue;
		if (!o->qc.returned)
			return -1;
		if (o->l_ret > c->qc.pc.ev.line)
			return 0;
	}
	for (i = 0; i < SRET && i < p->ring.nsret; i++)
		if (p->ring.sret[i].inst == inst && p->ring.sret[i].handle == h && p->ring.sret[i].line > c->qc.pc.ev.line &&
		    !sess_went_on(p, inst, h, p->ring.sret[i].head, p->ring.sret[i].line))
			return 0;
	return 1;
}

/* Old header: calls that would print the same (hs_spy_alike) could take
 * "[in] hSession = h"; by default the newest does. But a call headed
 * before h's session was free (its last call returned) is not the
 * thread's of h, and a thread freed between two headers (another handle
 * came back, a call on another session returned) could head the newer,
 * not the older: the sets of threads that could head them are nested.
 * Giving h to the oldest call headed after h was free leaves the newer
 * one to the threads only it can be; giving it to the newest may leave a
 * later line naming another handle no call that can print it (four
 * C_OpenSession at once, then a C_SignInit headed when only h had come
 * back, stalled, printing h after a newer one's header). That call, or
 * NULL when nothing says (then the newest). h HS_NONE (a time line,
 * before its input says h): cand[0] when some thread was freed between
 * the oldest and the newest, so the input is worth waiting for. */
struct call *hs_spy_alike_free(const struct hs_parser *p, struct call **cand, int nc, int64_t h)
{
	int64_t inst;
	int i;

	if (p->new_header || nc < 2)
		return NULL;
	inst = cand[0]->qc.pc.ev.instance;
	for (i = 0; i < nc; i++)
		if (!hs_spy_alike(cand[i], cand[0]) || cand[i]->guessed)
			return NULL;
	if (h == HS_NONE)
		return freed_between(p, inst, h, cand[0], cand[nc - 1]) ? cand[0] : NULL;
	for (i = 0; i < nc - 1; i++) {
		int f = sess_free_before(p, cand[i], h, cand, nc);
		if (f < 0)
			return NULL;
		if (f)
			break;
	}
	if (i == nc - 1 || !freed_between(p, inst, h, cand[i], cand[nc - 1]))
		return NULL;
	return cand[i];
}
