/* pipeline_thread.c — hs_pipeline_run() on a second core.
 *
 * Reading, parsing and redaction run in a thread of their own; the sink's
 * callbacks (for the index: numbering, correlation, SQLite) run in the
 * caller's thread, as with hs_pipeline_run(). Between them a bounded queue
 * of copied, already redacted events: the parse is about as costly as the
 * writing, so each gets a core.
 *
 * Bounded whatever the log: at most QUEUE_SLOTS items and QUEUE_BYTES of
 * detail text wait in the queue; a slot whose buffer grew past SLOT_KEEP is
 * given its memory back once read. The producer stops when the consumer
 * says so (a sink callback returned non-zero: an SQLite error) or when
 * in->interrupted is set; the caller always joins it before returning, so
 * nothing runs on after a Ctrl-C or an error. The progress callback is
 * called from the caller's thread too (it reaches the explorer's screen).
 *
 * Nothing in the producer is shared with the consumer but the queue: the
 * parsers and redaction keep their state in their own objects (no globals
 * in the core).
 */
#include "hsmscope/pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_SLOTS 512         /* items in flight */
#define QUEUE_BYTES (16u << 20) /* detail bytes in flight (a detail may be 1 MiB) */
#define SLOT_KEEP (64u << 10)   /* a slot's detail buffer kept for reuse */
#define BATCH 32                /* items handed over per lock */

enum kind { IT_EVENT, IT_SKIP, IT_TSTAT, IT_PROGRESS };

struct item {
	enum kind kind;
	struct hs_event ev;         /* IT_EVENT: a copy, detail owned by the slot */
	struct hs_tracer_stat ts;   /* IT_TSTAT */
	int64_t lineno, offset;     /* IT_SKIP; IT_PROGRESS: offset */
	char why[96];               /* IT_SKIP: the parser's reason */
	size_t bytes;               /* detail bytes counted against QUEUE_BYTES */
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t more;        /* the producer published, or ended */
	pthread_cond_t room;        /* the consumer freed slots, or said stop */
	struct item *slots;         /* QUEUE_SLOTS, owned */
	uint64_t tail;              /* published by the producer (under mu) */
	uint64_t head;              /* released by the consumer (under mu) */
	size_t bytes;               /* detail bytes published, not yet released */
	int done;                   /* the producer ended (rc, st, err set) */
	int stop;                   /* the consumer wants no more */
	int waiting_more, waiting_room;

	/* the producer's own */
	uint64_t p_tail;            /* next slot to fill */
	uint64_t p_room;            /* slots known free */
	size_t p_bytes;             /* bytes filled, not yet published */
	const struct hs_pipeline_input *in;
	struct hs_pipeline_input pin; /* in, with progress routed through the queue */
	int rc;
	int oom;                    /* a copy failed: the run failed */
	struct hs_parse_stats st;
	struct hs_error err;
};

/* Producer: hand what was filled to the consumer, and wait for room when
 * there is none (or too many bytes wait). 0, or 1 when told to stop. */
static int publish(struct queue *q, int need_room)
{
	int stop;

	pthread_mutex_lock(&q->mu);
	q->tail = q->p_tail;
	q->bytes += q->p_bytes;
	q->p_bytes = 0;
	if (q->waiting_more)
		pthread_cond_signal(&q->more);
	while (need_room && !q->stop &&
	       (q->p_tail - q->head >= QUEUE_SLOTS || q->bytes >= QUEUE_BYTES)) {
		q->waiting_room = 1;
		pthread_cond_wait(&q->room, &q->mu);
		q->waiting_room = 0;
	}
	q->p_room = QUEUE_SLOTS - (q->p_tail - q->head);
	stop = q->stop;
	pthread_mutex_unlock(&q->mu);
	return stop;
}

/* The producer's next free slot, or NULL when told to stop. */
static struct item *slot(struct queue *q)
{
	if ((q->p_room == 0 || q->p_bytes >= QUEUE_BYTES / 4) && publish(q, 1))
		return NULL;
	if (q->p_room == 0)
		return NULL; /* stop was said while waiting */
	return &q->slots[q->p_tail % QUEUE_SLOTS];
}

static void pushed(struct queue *q, struct item *it)
{
	q->p_tail++;
	q->p_room--;
	q->p_bytes += it->bytes;
	if (q->p_tail % BATCH == 0)
		publish(q, 0);
}

static int q_event(void *ctx, struct hs_event *ev)
{
	struct queue *q = ctx;
	struct item *it = slot(q);
	struct hs_buf keep, keep_lines;

	if (!it)
		return 1;
	/* the fixed part by value; the detail and the line runs (the event's
	 * two owned buffers) into the slot's own buffers */
	keep = it->ev.detail;
	keep_lines = it->ev.lines;
	it->ev = *ev;
	it->ev.detail = keep;
	it->ev.lines = keep_lines;
	hs_buf_clear(&it->ev.detail);
	hs_buf_clear(&it->ev.lines);
	if ((ev->detail.len && hs_buf_add(&it->ev.detail, ev->detail.data, ev->detail.len) < 0) ||
	    (ev->lines.len && hs_buf_add(&it->ev.lines, ev->lines.data, ev->lines.len) < 0)) {
		hs_error_set(&q->err, q->in->path, 0, 0, "out of memory");
		q->oom = 1;
		return 1;
	}
	it->kind = IT_EVENT;
	it->bytes = ev->detail.len + ev->lines.len;
	pushed(q, it);
	return 0;
}

static void q_skip(void *ctx, int64_t lineno, int64_t offset, const char *why)
{
	struct queue *q = ctx;
	struct item *it = slot(q);

	if (!it)
		return;
	it->kind = IT_SKIP;
	it->lineno = lineno;
	it->offset = offset;
	hs_strlcpy(it->why, why ? why : "", sizeof it->why);
	it->bytes = 0;
	pushed(q, it);
}

static void q_tstat(void *ctx, const struct hs_tracer_stat *ts)
{
	struct queue *q = ctx;
	struct item *it = slot(q);

	if (!it)
		return;
	it->kind = IT_TSTAT;
	it->ts = *ts;
	it->bytes = 0;
	pushed(q, it);
}

static void q_progress(void *ctx, int64_t offset)
{
	struct queue *q = ctx;
	struct item *it = slot(q);

	if (!it)
		return;
	it->kind = IT_PROGRESS;
	it->offset = offset;
	it->bytes = 0;
	pushed(q, it);
}

static void *producer(void *arg)
{
	struct queue *q = arg;
	struct hs_sink qs = { .ctx = q, .on_event = q_event, .on_skip = q_skip,
	                      .on_tracer_stat = q_tstat };
	int rc;

	rc = hs_pipeline_run(&q->pin, &qs, &q->st, &q->err);
	publish(q, 0);
	pthread_mutex_lock(&q->mu);
	q->rc = rc;
	q->done = 1;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Consumer: hand items to the caller's sink until the producer ended and
 * the queue is empty. Returns non-zero when the sink said stop. */
static int consume(struct queue *q, const struct hs_sink *sink)
{
	uint64_t head = 0, tail = 0;
	size_t freed = 0;
	int stopped = 0;

	for (;;) {
		if (head == tail || (head % BATCH) == 0) {
			int done;
			pthread_mutex_lock(&q->mu);
			q->head = head;
			q->bytes -= freed;
			freed = 0;
			if (stopped)
				q->stop = 1;
			if (q->waiting_room)
				pthread_cond_signal(&q->room);
			while (q->tail == head && !q->done) {
				q->waiting_more = 1;
				pthread_cond_wait(&q->more, &q->mu);
				q->waiting_more = 0;
			}
			tail = q->tail;
			done = q->done;
			pthread_mutex_unlock(&q->mu);
			if (head == tail && done)
				return stopped;
		}
		{
			struct item *it = &q->slots[head % QUEUE_SLOTS];
			if (!stopped) {
				switch (it->kind) {
				case IT_EVENT:
					stopped = sink->on_event(sink->ctx, &it->ev) != 0;
					break;
				case IT_SKIP:
					if (sink->on_skip)
						sink->on_skip(sink->ctx, it->lineno, it->offset, it->why);
					break;
				case IT_TSTAT:
					if (sink->on_tracer_stat)
						sink->on_tracer_stat(sink->ctx, &it->ts);
					break;
				case IT_PROGRESS:
					if (q->in->on_progress)
						q->in->on_progress(q->in->progress_ctx, it->offset);
					break;
				}
			}
			if (it->kind == IT_EVENT && it->ev.detail.cap > SLOT_KEEP)
				hs_buf_free(&it->ev.detail); /* a big one: its memory goes back */
			if (it->kind == IT_EVENT && it->ev.lines.cap > SLOT_KEEP)
				hs_buf_free(&it->ev.lines);
			freed += it->bytes;
			head++;
		}
	}
}

int hs_pipeline_run_threaded(const struct hs_pipeline_input *in, const struct hs_sink *sink,
                             struct hs_parse_stats *st, struct hs_error *err)
{
	struct queue *q = calloc(1, sizeof *q);
	pthread_t th;
	int i, stopped, rc;

	if (!q || !(q->slots = calloc(QUEUE_SLOTS, sizeof *q->slots))) {
		free(q);
		return hs_pipeline_run(in, sink, st, err); /* no room for a queue: one thread */
	}
	for (i = 0; i < QUEUE_SLOTS; i++)
		hs_event_init(&q->slots[i].ev);
	q->in = in;
	q->pin = *in;
	q->pin.on_progress = in->on_progress ? q_progress : NULL;
	q->pin.progress_ctx = q;
	q->p_room = QUEUE_SLOTS;
	hs_error_clear(&q->err);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	if (pthread_create(&th, NULL, producer, q) != 0) {
		rc = hs_pipeline_run(in, sink, st, err);
		goto out;
	}
	stopped = consume(q, sink);
	if (stopped) {
		/* the sink failed: let the producer out of a wait, then join */
		pthread_mutex_lock(&q->mu);
		q->stop = 1;
		pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->mu);
	}
	pthread_join(th, NULL);
	*st = q->st;
	rc = q->oom ? -1 : q->rc;
	if (q->err.msg[0])
		*err = q->err;
out:
	for (i = 0; i < QUEUE_SLOTS; i++)
		hs_event_free(&q->slots[i].ev);
	pthread_cond_destroy(&q->more);
	pthread_cond_destroy(&q->room);
	pthread_mutex_destroy(&q->mu);
	free(q->slots);
	free(q);
	return rc;
}
