/* test_callq.c — the call-trace parsers' shared FIFO of open calls: order,
 * forcing out, recycling, skipped lines, the hooks; and util's hs_find and
 * hs_starts, which the parsers read lines with. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hsmscope/callq.h"
#include "hsmscope/util.h"

struct call {
	struct hs_callq_call qc;    /* first, as in every parser */
	int mine;                   /* a parser's own field */
	char *owned;                /* memory the parser's part owns */
};

struct rec {
	int n;                      /* events seen */
	int64_t off[16];            /* their offsets, in order */
	int incomplete[16];         /* their incomplete flags */
	int64_t skipped[16];        /* their skipped_lines */
	int skips;                  /* on_skip calls */
	int stop_after;             /* ask to stop after this many events, 0 never */
	int emitted_hook;           /* on_emit calls */
	int reused;                 /* reuse calls */
	int released;               /* release calls */
	int64_t hold;               /* what hold_from answers */
};

static int on_event(void *ctx, struct hs_event *ev)
{
	struct rec *r = ctx;

	if (r->n < 16) {
		r->off[r->n] = ev->offset;
		r->incomplete[r->n] = ev->incomplete;
		r->skipped[r->n] = ev->skipped_lines;
	}
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

static void on_skip(void *ctx, int64_t lineno, int64_t off, const char *why)
{
	(void)lineno, (void)off, (void)why;
	((struct rec *)ctx)->skips++;
}

static void on_emit(void *ctx, struct hs_callq_call *c)
{
	(void)c;
	((struct rec *)ctx)->emitted_hook++;
}

static void reuse(void *ctx, struct hs_callq_call *c)
{
	((struct rec *)ctx)->reused++;
	((struct call *)c)->mine = 0; /* `owned` is kept */
}

static void release(void *ctx, struct hs_callq_call *c)
{
	((struct rec *)ctx)->released++;
	free(((struct call *)c)->owned);
}

static int64_t hold_from(void *ctx) { return ((struct rec *)ctx)->hold; }

struct fixture {
	struct hs_sink sink;
	struct hs_parse_stats st;
	int stop;
	struct rec r;
	struct hs_callq q;
};

static void setup(struct fixture *f, int max, const struct hs_callq_hooks *hooks)
{
	memset(f, 0, sizeof *f);
	f->r.hold = INT64_MAX;
	f->sink.ctx = &f->r;
	f->sink.on_event = on_event;
	f->sink.on_skip = on_skip;
	hs_callq_init(&f->q, sizeof(struct call), max, &f->sink, &f->st, &f->stop, hooks);
}

static struct call *push(struct fixture *f, int64_t off)
{
	struct call *c = (struct call *)hs_callq_new(&f->q);

	if (!c)
		return NULL;
	c->qc.pc.ev.offset = off;
	hs_callq_push(&f->q, &c->qc);
	return c;
}

/* Events leave in call-start order, each once its calls before it returned. */
static void test_order(void)
{
	struct fixture f;
	struct call *a, *b, *c;

	setup(&f, 8, NULL);
	a = push(&f, 10);
	c = push(&f, 30);
	b = push(&f, 20); /* began before c (the logger's separators) */
	CHECK(f.q.count == 3 && hs_callq_at(&f.q, 1) == &b->qc && hs_callq_at(&f.q, 2) == &c->qc);
	CHECK(hs_callq_oldest_open(&f.q) == &a->qc && hs_callq_newest_open(&f.q) == &c->qc);
	c->qc.returned = 1;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.r.n == 0); /* a and b are still open */
	CHECK(hs_callq_newest_open(&f.q) == &b->qc && hs_callq_is_open(&f.q, &b->qc));
	CHECK(!hs_callq_is_open(&f.q, &c->qc) && !hs_callq_is_open(&f.q, NULL));
	a->qc.returned = b->qc.returned = 1;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.r.n == 3 && f.r.off[0] == 10 && f.r.off[1] == 20 && f.r.off[2] == 30);
	CHECK(f.st.events == 3 && f.st.incomplete == 0 && f.q.count == 0);
	CHECK(hs_callq_oldest_open(&f.q) == NULL && hs_callq_newest_open(&f.q) == NULL);
	hs_callq_free(&f.q);
}

/* A full queue forces its oldest call out as incomplete; the ring wraps. */
static void test_full(void)
{
	struct fixture f;
	struct call *c[5];
	int i;

	setup(&f, 3, NULL);
	for (i = 0; i < 3; i++)
		c[i] = push(&f, i);
	c[1]->qc.returned = 1;
	c[3] = push(&f, 3); /* forces c[0] out, then c[1] may leave too */
	CHECK(f.r.n == 2 && f.r.incomplete[0] == 1 && f.r.incomplete[1] == 0);
	CHECK(f.st.incomplete == 1 && f.q.count == 2);
	c[4] = push(&f, 4);
	CHECK(f.q.count == 3 && hs_callq_at(&f.q, 0) == &c[2]->qc && hs_callq_at(&f.q, 2) == &c[4]->qc);
	hs_callq_emit_front(&f.q, f.q.count); /* end of input: all leave */
	CHECK(f.r.n == 5 && f.r.off[4] == 4 && f.st.incomplete == 4 && f.st.events == 5);
	hs_callq_free(&f.q);
}

/* A spare is recycled: blank again, and no allocation for the next call. */
static void test_recycle(void)
{
	struct fixture f;
	struct call *a, *b;

	setup(&f, 8, NULL);
	a = push(&f, 1);
	a->mine = 7;
	CHECK(hs_p11call_func(&a->qc.pc, "C_Login", 7) == 0);
	a->qc.returned = 1;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.q.nspare == 1 && f.q.spare[0] == &a->qc);
	b = (struct call *)hs_callq_new(&f.q);
	CHECK(b == a && b->mine == 0 && !b->qc.returned && b->qc.pc.ev.func[0] == '\0');
	CHECK(f.q.nspare == 0);
	hs_callq_discard(&f.q, &b->qc); /* not a call after all */
	CHECK(f.q.nspare == 1 && f.q.spare[0] == &b->qc);
	hs_callq_free(&f.q);
}

/* The hooks: on_emit before each event, reuse instead of zeroing, release
 * on every call freed. */
static void test_hooks(void)
{
	struct fixture f;
	struct hs_callq_hooks h = { .on_emit = on_emit, .reuse = reuse, .release = release };
	struct call *a, *b;

	h.ctx = &f.r;
	setup(&f, 8, &h);
	a = push(&f, 1);
	a->owned = malloc(16);
	a->mine = 3;
	a->qc.returned = 1;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.r.emitted_hook == 1 && f.r.released == 0);
	b = push(&f, 2);
	CHECK(b == a && f.r.reused == 1 && b->mine == 0 && b->owned != NULL);
	push(&f, 3);
	hs_callq_free(&f.q); /* two queued, no spare: freed, none emitted */
	CHECK(f.r.released == 2 && f.r.n == 1 && f.r.emitted_hook == 1);
}

/* hold_from keeps calls that began after a pending call's first line. */
static void test_hold(void)
{
	struct fixture f;
	struct hs_callq_hooks h = { .hold_from = hold_from };
	struct call *a, *b;

	h.ctx = &f.r;
	setup(&f, 8, &h);
	a = push(&f, 10);
	b = push(&f, 30);
	a->qc.returned = b->qc.returned = 1;
	f.r.hold = 20;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.r.n == 1 && f.q.count == 1);
	f.r.hold = INT64_MAX;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.r.n == 2 && f.q.count == 0);
	hs_callq_free(&f.q);
}

/* give_up counts a call once; skipped lines go to the call given or wait
 * for the next one pushed. */
static void test_give_up_and_skip(void)
{
	struct fixture f;
	struct call *a, *b;

	setup(&f, 8, NULL);
	hs_callq_skip(&f.q, NULL, 1, 0, "before any call");
	hs_callq_skip(&f.q, NULL, 2, 5, "before any call");
	a = push(&f, 10);
	CHECK(a->qc.pc.ev.skipped_lines == 2 && f.q.pending_skips == 0);
	hs_callq_skip(&f.q, &a->qc, 3, 20, "inside a");
	b = push(&f, 30);
	hs_callq_give_up(&f.q, &a->qc);
	hs_callq_give_up(&f.q, &a->qc);
	CHECK(f.st.incomplete == 1 && a->qc.returned && a->qc.pc.ev.incomplete);
	CHECK(hs_callq_oldest_open(&f.q) == &b->qc);
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.r.n == 1 && f.r.incomplete[0] == 1 && f.r.skipped[0] == 3);
	CHECK(f.st.skipped == 3 && f.r.skips == 3 && f.st.incomplete == 1);
	b->qc.returned = 1;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.r.n == 2 && f.r.skipped[1] == 0 && f.st.incomplete == 1);
	hs_callq_free(&f.q);
}

/* The sink asks to stop: the parser's flag is set, and later calls leave
 * (counted) without reaching the sink. */
static void test_stop(void)
{
	struct fixture f;
	int i;

	setup(&f, 8, NULL);
	f.r.stop_after = 1;
	for (i = 0; i < 3; i++)
		push(&f, i)->qc.returned = 1;
	hs_callq_emit_front(&f.q, 0);
	CHECK(f.stop == 1 && f.r.n == 1 && f.st.events == 3);
	hs_callq_free(&f.q);
}

static void test_strings(void)
{
	const char s[] = "Returned:  0 CKR_OKxyz"; /* read as s[0..19) */

	CHECK(hs_find(s, 19, "CKR_OK") == s + 13);
	CHECK(hs_find(s, 18, "CKR_OK") == NULL); /* past n is not looked at */
	CHECK(hs_find(s, 3, "Returned:") == NULL);
	CHECK(hs_find(s, 19, "") == s);
	CHECK(hs_starts(s, 19, "Returned:"));
	CHECK(!hs_starts(s, 5, "Returned:"));
	CHECK(hs_starts(s, 0, ""));
}

int main(void)
{
	test_order();
	test_full();
	test_recycle();
	test_hooks();
	test_hold();
	test_give_up_and_skip();
	test_stop();
	test_strings();
	TEST_END();
}
