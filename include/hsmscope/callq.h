/* callq.h — the FIFO of open calls that every PKCS#11 call-trace parser
 * (spy, p11-kit, NSS, libpkcs11shim, pkcs11-logger) keeps, and the way its
 * calls leave as events.
 *
 * Ownership: the queue owns every call it hands out — queued, spare, or
 * new and not pushed yet — and frees them in hs_callq_free(); the sink,
 * the stats and the stop flag it is given are the parser's, borrowed for
 * the queue's lifetime (the parser embeds the queue beside them).
 *
 * Why one queue: a tracer writes a call's lines over time, and with
 * several threads or processes in one file the lines of calls in flight
 * interleave. Every call-trace parser therefore holds the calls it has
 * seen begin, in the order they began, gives each line to one of them, and
 * lets a call leave, as an event, only once it and every call before it
 * has returned or been given up — so events leave in call-start order, as
 * parser.h promises. What differs between tracers (which call a line
 * belongs to) stays in the parser; this is the part that does not.
 *
 * A parser's call struct begins with a struct hs_callq_call, and the queue
 * is created with the size of that struct:
 *
 *     struct call { struct hs_callq_call qc; int my_field; ... };
 *     hs_callq_init(&p->q, sizeof(struct call), 256, &p->sink, &p->st, &p->stop, &hooks);
 *     struct call *c = (struct call *)hs_callq_new(&p->q);  (NULL: out of memory)
 *     ... set c->qc.pc.ev.offset and the rest ...
 *     hs_callq_push(&p->q, &c->qc);
 *
 * Call order: init() → for each call: new(), then push() (or discard()
 * when the line turns out not to start a call); as lines come: at(),
 * oldest_open(), newest_open(), give_up(), skip(), and emit_front() after
 * anything that may have finished the front call → emit_front(q, count)
 * at the end of input → free(). An event passed to the sink lives only
 * for the on_event() call: the call is then recycled (up to HS_CALLQ_SPARES
 * spares are kept, so a steady trace allocates no call after its first few) or freed, so a
 * parser must forget every pointer it keeps to a call in its on_emit hook.
 */
#ifndef HSMSCOPE_CALLQ_H
#define HSMSCOPE_CALLQ_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#define HS_CALLQ_MAX 256        /* the most calls any queue holds (its ring's size) */
#define HS_CALLQ_SPARES 64      /* left calls kept for reuse: calls leave in bursts (a
                                   return lets those queued behind it go) */

/* The part of a parser's call the queue reads and writes; first in it. */
struct hs_callq_call {
	struct hs_p11call pc;       /* the event being built; owns its detail */
	int returned;               /* returned, or given up: takes no more lines and may leave */
};

/* What a parser does at the queue's steps; any may be NULL. */
struct hs_callq_hooks {
	void *ctx;                  /* the parser, passed back to each hook */
	/* c is about to leave as an event (before its summary is made): write
	 * what the parser still holds for it, and forget every pointer to it. */
	void (*on_emit)(void *ctx, struct hs_callq_call *c);
	/* A recycled call is handed out again: make the parser's part of it
	 * blank, keeping memory that part owns. NULL: the part is zeroed. */
	void (*reuse)(void *ctx, struct hs_callq_call *c);
	/* c is freed: free what the parser's part of it owns. */
	void (*release)(void *ctx, struct hs_callq_call *c);
	/* Offset of the first line of a call that has begun but is not queued
	 * yet (INT64_MAX none): no call starting after it may leave before it
	 * is queued. NULL: INT64_MAX. */
	int64_t (*hold_from)(void *ctx);
};

struct hs_callq {
	struct hs_callq_call *ring[HS_CALLQ_MAX]; /* owned: ring[(head + i) % max], i < count */
	int head;                   /* ring index of the oldest call */
	int count;                  /* calls queued */
	int max;                    /* calls held before the oldest is forced out, <= HS_CALLQ_MAX */
	size_t size;                /* bytes of the parser's call struct */
	struct hs_callq_call *spare[HS_CALLQ_SPARES]; /* owned: left calls kept for the next ones,
	                               the latest left at [nspare - 1] (new() takes it first) */
	int nspare;                 /* entries used in spare[] */
	int64_t pending_skips;      /* lines skipped with no call to charge: the next call's */
	const struct hs_sink *sink; /* the parser's: where events go */
	struct hs_parse_stats *st;  /* the parser's counters: events, incomplete, skipped */
	int *stop;                  /* the parser's stop flag: set when the sink asks to stop;
	                               while it is set calls leave without reaching the sink */
	struct hs_callq_hooks hooks; /* the parser's, copied at init */
};

/* size >= sizeof(struct hs_callq_call); max in 1..HS_CALLQ_MAX; hooks may be NULL. */
void hs_callq_init(struct hs_callq *q, size_t size, int max, const struct hs_sink *sink,
                   struct hs_parse_stats *st, int *stop, const struct hs_callq_hooks *hooks);
/* Frees every call held, emitting none (a parser destroyed before finish()). */
void hs_callq_free(struct hs_callq *q);

/* A blank call, not queued yet: its pc fresh (hs_p11call_init/reset), not
 * returned, the parser's part zero (or blanked by hooks.reuse). NULL: OOM. */
struct hs_callq_call *hs_callq_new(struct hs_callq *q);
/* Queue c by c->pc.ev.offset, after every call that began at or before it
 * (the end, for every tracer but one whose lines of a call can come after
 * a later call's start), forcing the oldest call out as incomplete when the
 * queue is full; c takes the skipped lines no call could be charged with. */
void hs_callq_push(struct hs_callq *q, struct hs_callq_call *c);
/* Give back a call from new() that will not be pushed. */
void hs_callq_discard(struct hs_callq *q, struct hs_callq_call *c);

/* The i-th queued call, 0 the oldest; i < q->count. */
static inline struct hs_callq_call *hs_callq_at(const struct hs_callq *q, int i)
{
	return q->ring[(q->head + i) % q->max];
}

/* 1 when c is queued and not returned (c may be a stale pointer or NULL). */
int hs_callq_is_open(const struct hs_callq *q, const struct hs_callq_call *c);
/* The oldest / newest queued call not returned, NULL none. */
struct hs_callq_call *hs_callq_oldest_open(const struct hs_callq *q);
struct hs_callq_call *hs_callq_newest_open(const struct hs_callq *q);

/* c never returns (its thread began another call, its process ended): it
 * takes no more lines and leaves, as incomplete, when its turn comes. */
void hs_callq_give_up(struct hs_callq *q, struct hs_callq_call *c);

/* Emit calls from the front while they have returned (and begin before
 * hooks.hold_from), after forcing out the `force` oldest ones whatever
 * their state (those not returned leave as incomplete). */
void hs_callq_emit_front(struct hs_callq *q, int force);

/* A line no call can take: reported to sink->on_skip, counted, and charged
 * to c (the open call it interrupts), or when c is NULL to the next call
 * pushed. */
void hs_callq_skip(struct hs_callq *q, struct hs_callq_call *c, int64_t lineno, int64_t off,
                   const char *why);

#endif
