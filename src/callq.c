/* callq.c — the FIFO of open calls shared by the call-trace parsers.
 *
 * Data structure: `ring` is a bounded ring of pointers to calls, oldest at
 * `head`, in call-start order (by the offset of each call's first line).
 * A call is allocated with the size of the parser's own struct, whose first
 * member is the struct hs_callq_call the queue reads. When a call leaves, it
 * becomes a spare while fewer than HS_CALLQ_SPARES are kept, else it is
 * freed: a trace then allocates nothing per call, and a spare keeps the
 * memory of its event's detail for the next call (the spy indexes hundreds
 * of megabytes this way). One spare was not enough: calls leave in bursts
 * (a return lets those queued behind it go) and the queue fills again, so
 * 1,247 of 9,283 calls of a 4 MB cut of the bench log were allocated and
 * zeroed anew (646 with 64 spares: the queue's own peaks). The queue never
 * looks at a line; which call a line belongs to is the parser's business.
 */
#include <stdlib.h>
#include <string.h>

#include "hsmscope/callq.h"

void hs_callq_init(struct hs_callq *q, size_t size, int max, const struct hs_sink *sink,
                   struct hs_parse_stats *st, int *stop, const struct hs_callq_hooks *hooks)
{
	memset(q, 0, sizeof *q);
	q->size = size < sizeof(struct hs_callq_call) ? sizeof(struct hs_callq_call) : size;
	q->max = max < 1 ? 1 : max > HS_CALLQ_MAX ? HS_CALLQ_MAX : max;
	q->sink = sink;
	q->st = st;
	q->stop = stop;
	if (hooks)
		q->hooks = *hooks;
}

static void free_call(struct hs_callq *q, struct hs_callq_call *c)
{
	if (q->hooks.release)
		q->hooks.release(q->hooks.ctx, c);
	hs_p11call_free(&c->pc);
	free(c);
}

void hs_callq_free(struct hs_callq *q)
{
	while (q->count) {
		free_call(q, hs_callq_at(q, 0));
		q->head = (q->head + 1) % q->max;
		q->count--;
	}
	while (q->nspare)
		free_call(q, q->spare[--q->nspare]);
}

struct hs_callq_call *hs_callq_new(struct hs_callq *q)
{
	struct hs_callq_call *c;

	if (q->nspare) {
		c = q->spare[--q->nspare];
		hs_p11call_reset(&c->pc);
		c->returned = 0;
		if (q->hooks.reuse)
			q->hooks.reuse(q->hooks.ctx, c);
		else
			memset((char *)c + sizeof *c, 0, q->size - sizeof *c);
		return c;
	}
	c = calloc(1, q->size);
	if (c)
		hs_p11call_init(&c->pc);
	return c;
}

void hs_callq_discard(struct hs_callq *q, struct hs_callq_call *c)
{
	if (q->nspare < HS_CALLQ_SPARES)
		q->spare[q->nspare++] = c;
	else
		free_call(q, c);
}

void hs_callq_push(struct hs_callq *q, struct hs_callq_call *c)
{
	int i;

	if (q->count == q->max)
		hs_callq_emit_front(q, 1);
	for (i = q->count; i > 0 && hs_callq_at(q, i - 1)->pc.ev.offset > c->pc.ev.offset; i--)
		q->ring[(q->head + i) % q->max] = hs_callq_at(q, i - 1);
	q->ring[(q->head + i) % q->max] = c;
	q->count++;
	c->pc.ev.skipped_lines = q->pending_skips;
	q->pending_skips = 0;
}

int hs_callq_is_open(const struct hs_callq *q, const struct hs_callq_call *c)
{
	int i;

	for (i = 0; c && i < q->count; i++)
		if (hs_callq_at(q, i) == c)
			return !c->returned;
	return 0;
}

struct hs_callq_call *hs_callq_oldest_open(const struct hs_callq *q)
{
	int i;

	for (i = 0; i < q->count; i++)
		if (!hs_callq_at(q, i)->returned)
			return hs_callq_at(q, i);
	return NULL;
}

struct hs_callq_call *hs_callq_newest_open(const struct hs_callq *q)
{
	int i;

	for (i = q->count - 1; i >= 0; i--)
		if (!hs_callq_at(q, i)->returned)
			return hs_callq_at(q, i);
	return NULL;
}

void hs_callq_give_up(struct hs_callq *q, struct hs_callq_call *c)
{
	if (c->returned)
		return;
	c->returned = 1;
	c->pc.ev.incomplete = 1;
	q->st->incomplete++;
}

/* c leaves: summarized, counted, passed to the sink unless the parser has
 * stopped, then recycled or freed. */
static void emit(struct hs_callq *q, struct hs_callq_call *c)
{
	if (q->hooks.on_emit)
		q->hooks.on_emit(q->hooks.ctx, c);
	if (!c->returned) {
		c->pc.ev.incomplete = 1;
		q->st->incomplete++;
	}
	if (hs_p11call_lines_done(&c->pc) < 0)
		*q->stop = 1;
	hs_p11call_summarize(&c->pc);
	q->st->events++;
	if (!*q->stop && q->sink->on_event(q->sink->ctx, &c->pc.ev))
		*q->stop = 1;
	hs_callq_discard(q, c);
}

void hs_callq_emit_front(struct hs_callq *q, int force)
{
	int64_t hold = q->hooks.hold_from ? q->hooks.hold_from(q->hooks.ctx) : INT64_MAX;

	while (q->count && (force-- > 0 || (hs_callq_at(q, 0)->returned &&
	                                    hs_callq_at(q, 0)->pc.ev.offset < hold))) {
		struct hs_callq_call *c = hs_callq_at(q, 0);
		q->head = (q->head + 1) % q->max;
		q->count--;
		emit(q, c);
	}
}

void hs_callq_skip(struct hs_callq *q, struct hs_callq_call *c, int64_t lineno, int64_t off,
                   const char *why)
{
	if (q->sink->on_skip)
		q->sink->on_skip(q->sink->ctx, lineno, off, why);
	q->st->skipped++;
	if (c)
		c->pc.ev.skipped_lines++;
	else
		q->pending_skips++;
}
