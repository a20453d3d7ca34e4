/* test_pbase.c — the parser base's resume state (pbase.h): what a parser
 * writes it reads back, whatever the length (the old char[128] cut a long
 * process table silently), numbers of every sign and hex bit patterns,
 * text with blanks and '%', lists; keys that are absent, misspelt or hold
 * something else leave the default. The recent-threads table's choices.
 * And a parser built on the base runs
 * through create/finish/destroy with the state owned by its stats; the
 * buffers it gives the base are freed by the base. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hsmscope/pbase.h"

extern const struct hs_parser_desc hs_parser_tpm2;

static void roundtrip(void)
{
	struct hs_buf s;
	struct hs_parse_stats st = { 0 };
	const char *cur = NULL;
	int64_t v[4], x;
	char text[64];
	int i, n;

	hs_buf_init(&s);
	hs_pstate_int(&s, "n", 3);
	hs_pstate_int(&s, "neg", -2);
	hs_pstate_int(&s, "big", INT64_MIN);
	hs_pstate_text(&s, "stream", "hsm 1/%x\tend");
	hs_pstate_list(&s, "t");
	for (i = 0; i < 200; i++) /* far past 128 bytes */
		hs_pstate_item(&s, (int64_t[]){ (int64_t)0xfedcba9876543210ULL + i, i, -1 }, 3);
	hs_pstate_list(&s, "empty");
	hs_pstate_int(&s, "after", 7);
	hs_pstate_give(&s, &st);
	CHECK(st.state && strlen(st.state) > 4000);
	CHECK(s.len == 0 && !s.data);
	CHECK(hs_pstate_get_int(st.state, "n", &x) && x == 3);
	CHECK(hs_pstate_get_int(st.state, "neg", &x) && x == -2);
	CHECK(hs_pstate_get_int(st.state, "big", &x) && x == INT64_MIN);
	CHECK(hs_pstate_get_text(st.state, "stream", text, sizeof text) && strcmp(text, "hsm 1/%x\tend") == 0);
	CHECK(hs_pstate_get_int(st.state, "after", &x) && x == 7);
	for (i = 0; (n = hs_pstate_next(st.state, "t", &cur, v, 4)) == 3; i++)
		CHECK(v[0] == (int64_t)(0xfedcba9876543210ULL + (uint64_t)i) && v[1] == i && v[2] == -1);
	CHECK(i == 200 && n == 0);
	cur = NULL;
	CHECK(hs_pstate_next(st.state, "empty", &cur, v, 4) == 0);
	/* absent, a prefix of a key, a list read as a number: not found */
	x = 42;
	CHECK(!hs_pstate_get_int(st.state, "nothere", &x) && x == 42);
	CHECK(!hs_pstate_get_int(st.state, "ne", &x) && x == 42);
	CHECK(!hs_pstate_get_int(st.state, "t", &x) && x == 42);
	CHECK(!hs_pstate_get_int(NULL, "n", &x) && x == 42);
	hs_parse_stats_free(&st);
	CHECK(st.state == NULL);
	/* another grammar (an older release's) is not misread */
	CHECK(!hs_pstate_get_int("instances=4 1:-1:57 2:-1:-2", "1", &x));
	cur = NULL;
	CHECK(hs_pstate_next("i=1:x:3,4:5:6", "i", &cur, v, 4) == -1);
	CHECK(!hs_pstate_get_int("n=12abc", "n", &x) && !hs_pstate_get_int("n=", "n", &x));
	CHECK(hs_pstate_get_int("m=1 n=0x10", "n", &x) && x == 16);
}

/* The recent-threads table: found by the whole key, a new key takes the
 * first free entry, then the least recently used one (the first of equal
 * stamps), and a find renews the stamp. */
struct ent {
	struct hs_slot s;
	int payload;
};

static void slots(void)
{
	struct ent t[3];
	struct ent *e;

	memset(t, 0, sizeof t);
	CHECK(hs_slot_find(t, 3, sizeof t[0], 0, 0, 1) == NULL); /* free entries match nothing */
	e = hs_slot_victim(t, 3, sizeof t[0]);
	CHECK(e == &t[0]);
	hs_slot_set(&e->s, 10, 1, 1);
	e = hs_slot_victim(t, 3, sizeof t[0]);
	CHECK(e == &t[1]);
	hs_slot_set(&e->s, 10, 2, 2);
	hs_slot_set(&((struct ent *)hs_slot_victim(t, 3, sizeof t[0]))->s, 11, 1, 2);
	CHECK(hs_slot_find(t, 3, sizeof t[0], 10, 3, 9) == NULL); /* the whole key */
	CHECK(hs_slot_find(t, 3, sizeof t[0], 10, 1, 5) == &t[0] && t[0].s.stamp == 5);
	/* full: the least recently used goes; t[1] and t[2] tie at 2: the first */
	CHECK(hs_slot_victim(t, 3, sizeof t[0]) == &t[1]);
	t[1].s.stamp = 6;
	CHECK(hs_slot_victim(t, 3, sizeof t[0]) == &t[2]);
}

/* tpm2 is built on the base: its state survives a finish and a resume */
static int count(void *ctx, struct hs_event *e)
{
	(void)e;
	++*(int *)ctx;
	return 0;
}

static void base_parser(void)
{
	const struct hs_parser_desc *d = &hs_parser_tpm2;
	int n = 0;
	struct hs_sink sink = { .ctx = &n, .on_event = count };
	struct hs_parser_opts o = { 0, "x", NULL };
	struct hs_parse_stats st;
	struct hs_parser *p = d->create(&sink, &o);
	const char *l[] = {
		"INFO on line: \"1\" in file: \"src/pkcs11.c\": enter \"C_Finalize\"",
		"INFO on line: \"1\" in file: \"src/pkcs11.c\": return \"C_Finalize\" value: 0",
		"INFO on line: \"2\" in file: \"src/pkcs11.c\": enter \"C_Initialize\"",
		"INFO on line: \"2\" in file: \"src/pkcs11.c\": return \"C_Initialize\" value: 0",
		"INFO on line: \"3\" in file: \"src/pkcs11.c\": enter \"C_Login\"",
	};
	int64_t x, off = 0;
	int i;

	CHECK(p != NULL);
	if (!p)
		return;
	d->resume(p, "inst=4 fin=0");
	for (i = 0; i < 5; i++) {
		d->feed_line(p, l[i], strlen(l[i]), off, i + 1);
		off += (int64_t)strlen(l[i]) + 1;
	}
	d->finish(p, off, 6, &st);
	d->destroy(p);
	CHECK(n == 3 && st.events == 3 && st.incomplete == 1);
	/* the open C_Login is where a refresh starts, in instance 5 */
	CHECK(st.safe_line == 5 && hs_pstate_get_int(st.state, "inst", &x) && x == 5);
	CHECK(hs_pstate_get_int(st.state, "fin", &x) && x == 0);
	hs_parse_stats_free(&st);
	/* destroyed with a call held and no finish: freed, nothing emitted */
	n = 0;
	p = d->create(&sink, &o);
	d->feed_line(p, l[4], strlen(l[4]), 0, 1);
	d->destroy(p);
	CHECK(n == 0);
}

/* The buffers a parser gives the base are empty at once and freed with it
 * (the sanitized run's leak check sees one that is not). */
static void own_buffers(void)
{
	struct mine {
		struct hs_pbase b;
		struct hs_buf x, y;
	} *m;
	struct hs_sink sink = { 0 };
	struct hs_parser_opts o = { 0, "x", NULL };

	m = hs_pbase_create(sizeof *m, &sink, &o, sizeof(struct hs_callq_call), 4, NULL);
	CHECK(m != NULL);
	if (!m)
		return;
	hs_pbase_buf(&m->b, &m->x);
	hs_pbase_buf(&m->b, &m->y);
	CHECK(m->b.nbufs == 2 && m->x.len == 0 && m->y.len == 0);
	hs_buf_add(&m->x, "held until destroy", 18);
	hs_buf_add(&m->y, "and this", 8);
	CHECK(m->x.len == 18 && !hs_buf_failed(&m->y));
	hs_pbase_destroy(&m->b);
}

int main(void)
{
	roundtrip();
	slots();
	base_parser();
	own_buffers();
	TEST_END();
}
