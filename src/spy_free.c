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
	p->sret[p->nsret % 64].inst = c->qc.pc.ev.instance;
	p->sret[p->nsret % 64].handle = c->named;
	p->sret[p->nsret % 64].off = c->l_ret_off;
	p->nsret++;
}

/* A handle other than h came back, or a call on another session of
 * inst returned, between offsets a and b: a thread was free to head a
 * call at b that was not at a. */
static int freed_between(const struct hs_parser *p, int64_t inst, int64_t h, int64_t a, int64_t b)
{
	int i;

	for (i = 0; i < 64 && i < p->nopened; i++)
		if (p->opened[i].inst == inst && p->opened[i].handle != h && p->opened[i].off > a &&
		    p->opened[i].off < b)
			return 1;
	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at((struct hs_parser *)p, i);
		if (o->qc.returned && o->qc.pc.ev.instance == inst && o->named && o->named != h &&
		    o->l_ret_off > a && o->l_ret_off < b)
			return 1;
	}
	for (i = 0; i < 64 && i < p->nsret; i++)
		if (p->sret[i].inst == inst && p->sret[i].handle != h && p->sret[i].off > a &&
		    p->sret[i].off < b)
			return 1;
	return 0;
}

/* Where session h of inst was last free (returned by C_OpenSession, or a
 * call naming it returned), -1 not seen; INT64_MAX: a call naming it is
 * still open. */
static int64_t sess_free_at(const struct hs_parser *p, int64_t inst, int64_t h, struct call **cand, int nc)
{
	int64_t at = hs_spy_opened_at(p, inst, h);
	int i, j;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *o = q_at((struct hs_parser *)p, i);
		for (j = 0; j < nc && cand[j] != o; j++)
			;
		if (j < nc || o->qc.pc.ev.instance != inst || o->named != h)
			continue;
		if (!o->qc.returned)
			return INT64_MAX;
		if (o->l_ret_off > at)
			at = o->l_ret_off;
	}
	for (i = 0; i < 64 && i < p->nsret; i++)
		if (p->sret[i].inst == inst && p->sret[i].handle == h && p->sret[i].off > at)
			at = p->sret[i].off;
	return at;
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
	int64_t inst, at;
	int i;

	if (p->new_header || nc < 2)
		return NULL;
	inst = cand[0]->qc.pc.ev.instance;
	for (i = 0; i < nc; i++)
		if (!hs_spy_alike(cand[i], cand[0]) || cand[i]->guessed)
			return NULL;
	if (h == HS_NONE)
		return freed_between(p, inst, h, cand[0]->qc.pc.ev.offset, cand[nc - 1]->qc.pc.ev.offset) ? cand[0]
		                                                                                            : NULL;
	at = sess_free_at(p, inst, h, cand, nc);
	if (at < 0 || at == INT64_MAX)
		return NULL;
	for (i = 0; i < nc - 1 && cand[i]->qc.pc.ev.offset < at; i++)
		;
	if (i == nc - 1 ||
	    !freed_between(p, inst, h, cand[i]->qc.pc.ev.offset, cand[nc - 1]->qc.pc.ev.offset))
		return NULL;
	return cand[i];
}
