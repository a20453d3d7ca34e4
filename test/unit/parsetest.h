/* parsetest.h — what the parser unit tests (test_spy.c, test_cloudhsm.c,
 * test_p11kit.c, test_nss.c, test_shim.c, test_logger.c) share: a sink
 * that keeps copies of what a parser emits, and a feeder that hands a
 * buffer to a parser descriptor line by line as the pipeline does.
 *
 * Ownership: a struct got owns its event copies (got_free releases them
 * and leaves the got zeroed, ready for the next run); slurp's buffer is the
 * caller's to free; lines are copied before feed_line() and freed after it,
 * so the parser never sees memory beyond the line it was given.
 *
 * Lines are split the way reader.c splits them ("\n", and a "\r" before it,
 * removed), and each is handed over in a malloc'd buffer of exactly its
 * length, so an over-read shows under ASan or valgrind.
 *
 * Like harness.h, everything here is static: each test_*.c is one binary.
 * The functions are also inline only so that a test using a few of them
 * builds without -Wunused-function; helpers one test file alone needs stay
 * in that file.
 */
#ifndef HS_TEST_PARSETEST_H
#define HS_TEST_PARSETEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/parser.h"
#include "harness.h"

struct got {
	struct hs_event *ev;        /* copies of the emitted events, owned */
	int n, cap;
	int skips;                  /* on_skip calls */
	int64_t skip_line[64];      /* their line numbers (first 64) */
	char why[512];              /* every distinct reason, each followed by '|' */
	struct hs_tracer_stat row[64]; /* tracer stat rows (first 64) */
	int nrows;                  /* on_tracer_stat calls */
	int stop_after;             /* on_event returns 1 at this count; 0 never */
	char **states;              /* the stats states of the runs into it (owned:
	                               the stats only borrow them), nstates of them */
	int nstates;
};

/* g takes the state st got from finish() (st keeps pointing at it, valid
 * until got_free(g)): the tests read and resume from it freely. */
static inline void got_keep_state(struct got *g, struct hs_parse_stats *st)
{
	char **s = realloc(g->states, (size_t)(g->nstates + 1) * sizeof *s);

	if (!s) {
		hs_parse_stats_free(st);
		return;
	}
	g->states = s;
	g->states[g->nstates++] = st->state;
}

static inline int on_event(void *ctx, struct hs_event *e)
{
	struct got *g = ctx;

	if (g->n == g->cap) {
		int cap = g->cap ? g->cap * 2 : 16;
		struct hs_event *v = realloc(g->ev, (size_t)cap * sizeof *v);
		if (!v)
			return 1;
		g->ev = v;
		g->cap = cap;
	}
	hs_event_init(&g->ev[g->n]);
	if (hs_event_copy(&g->ev[g->n], e) < 0)
		return 1;
	g->n++;
	return g->stop_after && g->n >= g->stop_after;
}

static inline void on_skip(void *ctx, int64_t line, int64_t off, const char *why)
{
	struct got *g = ctx;
	size_t n = strlen(g->why);

	(void)off;
	if (g->skips < 64)
		g->skip_line[g->skips] = line;
	g->skips++;
	if (!strstr(g->why, why) && n + strlen(why) + 2 < sizeof g->why)
		snprintf(g->why + n, sizeof g->why - n, "%s|", why);
}

static inline void on_row(void *ctx, const struct hs_tracer_stat *ts)
{
	struct got *g = ctx;

	if (g->nrows < 64)
		g->row[g->nrows] = *ts;
	g->nrows++;
}

static inline void got_free(struct got *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		hs_event_free(&g->ev[i]);
	free(g->ev);
	for (i = 0; i < g->nstates; i++)
		free(g->states[i]);
	free(g->states);
	memset(g, 0, sizeof *g);
}

/* The whole file, NUL-terminated (the NUL not counted in *len); NULL when
 * it cannot be read. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		b[n] = '\0';
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* Feed buf[start..end) to parser d, told opts, as lines numbered from
 * `line`, after resume(state) when state is not NULL. The events are added
 * to g, which the caller zeroes (cloudhsm's stop test sets g->stop_after
 * first). Stops where feed_line() asks to, as the pipeline does, and
 * finishes at the offset reached. Returns 1 when stopped, 0 at end, -1
 * when create() failed. */
static inline int parse_into(const struct hs_parser_desc *d, const struct hs_parser_opts *opts,
                      const char *buf, size_t end, size_t start, int64_t line, const char *state,
                      struct got *g, struct hs_parse_stats *st)
{
	struct hs_sink sink = { .ctx = g, .on_event = on_event, .on_skip = on_skip,
	                        .on_tracer_stat = on_row };
	struct hs_parser *p = d->create(&sink, opts);
	size_t pos = start;
	int stopped = 0;

	if (!p)
		return -1;
	if (state)
		d->resume(p, state);
	while (pos < end && !stopped) {
		const char *nl = memchr(buf + pos, '\n', end - pos);
		size_t e = nl ? (size_t)(nl - buf) : end, n = e - pos;
		char *copy = malloc(n ? n : 1);
		if (n && buf[e - 1] == '\r')
			n--;
		memcpy(copy, buf + pos, n);
		stopped = d->feed_line(p, copy, n, (int64_t)pos, line++) != 0;
		free(copy);
		pos = nl ? e + 1 : end;
	}
	d->finish(p, (int64_t)pos, line, st);
	got_keep_state(g, st);
	d->destroy(p);
	return stopped;
}

/* parse_into() into a fresh g, a failed create() counted as a failure. */
static inline void parse_with(const struct hs_parser_desc *d, const struct hs_parser_opts *opts,
                       const char *buf, size_t end, size_t start, int64_t line, const char *state,
                       struct got *g, struct hs_parse_stats *st)
{
	memset(g, 0, sizeof *g);
	if (parse_into(d, opts, buf, end, start, line, state, g, st) < 0)
		CHECK(!"create failed");
}

/* Feed n separate lines (string literals, or lens[i] bytes each when lens
 * is not NULL) into a fresh g, one byte of offset for each line end; the
 * way the tests hand a parser single odd lines. */
static inline void feed_lines_with(const struct hs_parser_desc *d, const struct hs_parser_opts *opts,
                            const char *const *lines, int n, const size_t *lens, struct got *g,
                            struct hs_parse_stats *st)
{
	struct hs_sink sink = { .ctx = g, .on_event = on_event, .on_skip = on_skip,
	                        .on_tracer_stat = on_row };
	struct hs_parser *p = d->create(&sink, opts);
	int64_t off = 0;
	int i;

	memset(g, 0, sizeof *g);
	if (!p)
		return;
	for (i = 0; i < n; i++) {
		size_t l = lens ? lens[i] : strlen(lines[i]);
		char *copy = malloc(l ? l : 1);
		memcpy(copy, lines[i], l);
		d->feed_line(p, copy, l, off, i + 1);
		free(copy);
		off += (int64_t)l + 1;
	}
	d->finish(p, off, n + 1, st);
	got_keep_state(g, st);
	d->destroy(p);
}

/* Byte offset of 1-based line `line` in buf, -1 when no line starts
 * there (past the end, including just after a final "\n"). */
static inline int64_t line_offset(const char *buf, size_t len, int64_t line)
{
	size_t pos = 0;
	int64_t l = 1;

	while (l < line && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl)
			return -1;
		pos = (size_t)(nl - buf) + 1;
		l++;
	}
	return pos < len ? (int64_t)pos : -1;
}

/* An event's key handles as "role=0xHANDLE", sep between them. */
static inline void keys_of(const struct hs_event *e, const char *sep, char *out, size_t outlen)
{
	size_t k = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < e->nkeys && k < outlen; i++)
		k += (size_t)snprintf(out + k, outlen - k, "%s%s=0x%llx", i ? sep : "", e->keys[i].role,
		                      (unsigned long long)e->keys[i].handle);
}

#endif
