/* test_spy_cut.c — a refresh of a spy log reads as a whole parse, wherever
 * the log was cut (issues 15 item 4, 16).
 *
 * The index parses what a log holds, keeps finish()'s safe_offset and state,
 * and on a refresh drops the events from safe_offset on and resumes there
 * with that state. So, for every spy fixture and a set of cuts: parse the
 * log's first bytes as the index would have seen them, resume over the
 * whole log from that parse's safe_offset with its state, and the events the
 * first parse gave before safe_offset followed by the resumed ones must be
 * the whole parse's, field by field. And a log read while it grows, the
 * index refreshed again and again, each time from where the refresh before
 * left it, ends with the whole parse's events too. (Not: a refreshed
 * parse's final state is the whole parse's. It need not be: calls a contest
 * holds in the queue past the resume point are in neither state's ring of
 * returns, and a refresh that began after the contest did not hold them.)
 *
 * Cuts: every line of the small fixtures, evenly spread lines of the big
 * ones (the number chosen by size, so the test stays within a few seconds,
 * about half a minute under ASan), plus byte offsets from a fixed seed, most
 * inside a line. A cut inside a line is what the index meets when it reads a
 * log being written: the pipeline holds the unterminated last line back
 * (hold_partial, pipeline.c), so the parse ends where that line begins; the
 * test does the same, and for one such cut per fixture checks that the
 * pipeline itself, reading the cut bytes from a file, says the same.
 *
 * A mismatch prints the fixture, the cut's byte offset and line, the resume
 * point and state, and the first event and field that differ.
 *
 * `build/test/test_spy_cut LOG...` cuts the logs named at every line instead
 * (a closer look at one fixture, or at a capture of one's own).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"
#include "harness.h"
#include "parsetest.h"

extern const struct hs_parser_desc hs_parser_spy;
#define P (&hs_parser_spy)

static const struct hs_parser_opts fixture_opts = { 3, "fixture", NULL };

/* Bytes of parsing spent on one fixture's cuts (each cut parses about
 * the whole file once: its prefix, then the rest from the resume point):
 * a file of n bytes gets about CUT_BYTES / n cuts at line starts, at least
 * MIN_CUTS, at most every line; the smallest conc-* capture (old header,
 * threads of several processes) every DENSE_STEP-th line (every line
 * would cost 400 MB of parsing, 8 s plain and 35 s under ASan).
 * Read while it grows, it is refreshed about GROW_BYTES / n times, at
 * least MIN_GROW (each refresh reads from the resume point to the cut,
 * which in the conc-threads-* captures stays near the start: see
 * held_noout, spy_attr.c). */
#define CUT_BYTES (1ll << 20)
#define MIN_CUTS 8
#define GROW_BYTES (1ll << 20)
#define MIN_GROW 4
#define DENSE_STEP 3
/* and RANDOM_CUTS byte offsets from the seed, more on small files */
#define RANDOM_CUTS(n) (2 + ((n) < CUT_BYTES / 128 ? 30 : CUT_BYTES / 4 / (n)))

/* Parse buf[start..len) as lines numbered from `line`, after resume(state)
 * when state is not NULL (as test_spy.c's parse()). */
static void parse(const char *buf, size_t len, size_t start, int64_t line, const char *state,
                  struct got *g, struct hs_parse_stats *st)
{
	parse_with(P, &fixture_opts, buf, len, start, line, state, g, st);
}

/* The first field in which a and b differ, NULL when none does. */
static const char *differs(const struct hs_event *a, const struct hs_event *b)
{
	int i;

#define SAME(f) if (a->f != b->f) return #f
#define SAME_S(f) if (strcmp(a->f, b->f) != 0) return #f
	SAME_S(func);
	SAME(call_no);
	SAME(line);
	SAME(offset);
	SAME(instance);
	SAME(pid);
	SAME(tid);
	SAME(ts_us);
	SAME(rv);
	SAME_S(rv_name);
	SAME(ok);
	SAME(incomplete);
	SAME(uncertain);
	SAME(session);
	SAME(slot);
	SAME(user_type);
	SAME(nkeys);
	for (i = 0; i < a->nkeys; i++)
		if (a->keys[i].handle != b->keys[i].handle || strcmp(a->keys[i].role, b->keys[i].role) != 0)
			return "keys";
	SAME_S(summary);
	if (strcmp(hs_buf_cstr(&a->detail), hs_buf_cstr(&b->detail)) != 0)
		return "detail";
	if (strcmp(hs_buf_cstr(&a->lines), hs_buf_cstr(&b->lines)) != 0)
		return "lines";
	SAME(elided_lines);
	/* not skipped_lines: a line skipped just before the resume point is
	 * charged to the next call in a whole parse and is not read again by a
	 * refresh; the index does not keep the count (it counts its own skips) */
#undef SAME
#undef SAME_S
	return NULL;
}

static void show_event(const char *who, const struct hs_event *e)
{
	char keys[256];

	keys_of(e, ",", keys, sizeof keys);
	fprintf(stderr, "    %s: %s #%lld line %lld inst %lld pid %lld tid %lld rv %lld%s%s session %lld"
	        " keys \"%s\" summary \"%s\" lines \"%s\" skipped %lld\n      detail: %s\n", who, e->func,
	        (long long)e->call_no, (long long)e->line, (long long)e->instance, (long long)e->pid,
	        (long long)e->tid, (long long)e->rv, e->incomplete ? " incomplete" : "",
	        e->uncertain ? " uncertain" : "", (long long)e->session, keys, e->summary,
	        hs_buf_cstr(&e->lines), (long long)e->skipped_lines, hs_buf_cstr(&e->detail));
}

/* Counts over the whole run, for the summary line. */
struct tally {
	long cuts, steps, mismatches, pipeline_checked;
	long long parsed;           /* bytes fed */
};

/* Where the pipeline's parse of buf[0..cut) ends: it holds an unterminated
 * last line back, so the parse ends where that line begins. */
static size_t held_end(const char *buf, size_t cut)
{
	while (cut > 0 && buf[cut - 1] != '\n')
		cut--;
	return cut;
}

/* The line number of byte offset `at`, for the messages. */
static long long line_at(const char *buf, size_t at)
{
	long long l = 1;
	size_t i;

	for (i = 0; i < at; i++)
		l += buf[i] == '\n';
	return l;
}

/* What the refreshed index holds (events, their number n; event i is
 * ev(i)) against the whole parse: the first event that differs and how
 * (stderr, after `what`). 1: the same. */
static int same_events(const char *what, const struct hs_event *(*ev)(void *, int), void *ctx, int n,
                       const struct got *whole)
{
	const char *field = NULL;
	int k;

	for (k = 0; k < n && k < whole->n; k++)
		if ((field = differs(ev(ctx, k), &whole->ev[k])))
			break;
	if (!field && n == whole->n)
		return 1;
	fprintf(stderr, "%s", what);
	if (field) {
		fprintf(stderr, "  event %d: %s differs\n", k, field);
		show_event("whole  ", &whole->ev[k]);
		show_event("refresh", ev(ctx, k));
	} else {
		fprintf(stderr, "  %d events, the whole parse %d\n", n, whole->n);
	}
	return 0;
}

/* One refresh: the events a parse of a prefix kept, then a resumed one's. */
struct refresh {
	const struct got *pre, *res;
	int kept;                   /* pre's events before its safe_offset */
};

static const struct hs_event *refresh_ev(void *ctx, int k)
{
	const struct refresh *r = ctx;

	return k < r->kept ? &r->pre->ev[k] : &r->res->ev[k - r->kept];
}

/* A refresh after the index read buf[0..cut): the same events as whole.
 * 1: so. */
static int check_cut(const char *file, const char *buf, size_t len, size_t cut, const struct got *whole,
                     struct tally *t)
{
	struct got pre, res;
	struct hs_parse_stats pst, rst;
	struct refresh r = { &pre, &res, 0 };
	size_t end = held_end(buf, cut);
	char what[512];
	int ok;

	parse(buf, end, 0, 1, NULL, &pre, &pst);
	parse(buf, len, (size_t)pst.safe_offset, pst.safe_line, pst.state, &res, &rst);
	t->cuts++;
	t->parsed += (long long)end + (long long)(len - (size_t)pst.safe_offset);
	while (r.kept < pre.n && pre.ev[r.kept].offset < pst.safe_offset)
		r.kept++;
	snprintf(what, sizeof what, "FAIL %s cut at byte %zu (line %lld%s): resume at %lld line %lld \"%.300s\","
	         " %d events kept\n", file, cut, line_at(buf, cut), end < cut ? ", its start held back" : "",
	         (long long)pst.safe_offset, (long long)pst.safe_line, pst.state, r.kept);
	ok = pst.safe_offset >= 0 && (size_t)pst.safe_offset <= end;
	if (!ok)
		fprintf(stderr, "%s  the resume point lies past the end\n", what);
	ok = ok && same_events(what, refresh_ev, &r, r.kept + res.n, whole);
	CHECK(ok);
	t->mismatches += !ok;
	got_free(&pre);
	got_free(&res);
	return ok;
}

static const struct hs_event *got_ev(void *ctx, int k)
{
	return &((const struct got *)ctx)->ev[k];
}

/* A log read while it grows: the index read buf[0..cuts[0]), then
 * refreshed at each cut in turn (cuts ascending), each refresh from the
 * resume point the one before left; at the end it read the whole log, and
 * holds the same events as the whole parse. 1: so. */
static int check_growth(const char *file, const char *buf, size_t len, const size_t *cuts, size_t ncuts,
                        const struct got *whole, struct tally *t)
{
	struct got kept, g, prev;
	struct hs_parse_stats st;
	size_t i, safe = 0, *at;     /* at[k]: the cut whose refresh kept event k */
	int64_t safe_line = 1;
	char what[512];
	int k, ok;

	memset(&kept, 0, sizeof kept);
	memset(&prev, 0, sizeof prev);
	at = calloc((size_t)whole->n + 1, sizeof *at);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? held_end(buf, cuts[i]) : len;
		const char *state = prev.nstates ? prev.states[0] : NULL;
		if (end < safe)
			continue;
		parse(buf, end, safe, safe_line, state, &g, &st);
		t->steps++;
		t->parsed += (long long)(end - safe);
		/* what lies before the new resume point is final: kept */
		for (k = 0; k < g.n && (i == ncuts || g.ev[k].offset < st.safe_offset); k++) {
			if (kept.n <= whole->n)
				at[kept.n] = i < ncuts ? cuts[i] : len;
			on_event(&kept, &g.ev[k]);
		}
		safe = (size_t)st.safe_offset;
		safe_line = st.safe_line;
		got_free(&prev);
		prev = g; /* owns the state the next refresh starts from */
	}
	for (k = 0; k < kept.n && k < whole->n && !differs(&kept.ev[k], &whole->ev[k]); k++)
		;
	snprintf(what, sizeof what, "FAIL %s read while it grew (%zu refreshes): event %d was kept by the"
	         " refresh at byte %zu (line %lld)\n", file, ncuts, k, k <= whole->n ? at[k] : 0,
	         k <= whole->n ? line_at(buf, at[k]) : 0);
	ok = same_events(what, got_ev, &kept, kept.n, whole);
	CHECK(ok);
	t->mismatches += !ok;
	got_free(&kept);
	got_free(&prev);
	free(at);
	return ok;
}

/* The pipeline, reading buf[0..cut) from a file with hold_partial as the
 * index does, ends where check_cut() says: the same resume point, state
 * and events. */
static void check_pipeline(const char *file, const char *buf, size_t cut, struct tally *t)
{
	char path[] = "/tmp/hs-spy-cut-XXXXXX";
	struct got a, b;
	struct hs_parse_stats sa, sb;
	struct hs_sink sink = { .ctx = &b, .on_event = on_event, .on_skip = on_skip };
	struct hs_pipeline_input in;
	struct hs_error err;
	size_t end = held_end(buf, cut);
	int fd = mkstemp(path), i, same;
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(buf, 1, cut, f) == cut);
	fclose(f);
	parse(buf, end, 0, 1, NULL, &a, &sa);
	memset(&in, 0, sizeof in);
	in.path = path;
	in.file_id = 3;
	in.parser = P;
	in.hold_partial = 1;
	memset(&b, 0, sizeof b);
	CHECK(hs_pipeline_run(&in, &sink, &sb, &err) == 0);
	got_keep_state(&b, &sb);
	same = a.n == b.n && sa.safe_offset == sb.safe_offset && sa.safe_line == sb.safe_line &&
	       sb.held_bytes == (int64_t)(cut - end) && strcmp(sa.state, sb.state) == 0;
	for (i = 0; same && i < a.n; i++)
		same = a.ev[i].offset == b.ev[i].offset && strcmp(a.ev[i].func, b.ev[i].func) == 0 &&
		       a.ev[i].rv == b.ev[i].rv && a.ev[i].instance == b.ev[i].instance;
	CHECK(same);
	if (!same)
		fprintf(stderr, "FAIL %s cut at byte %zu: the pipeline held %lld bytes, resumes at %lld \"%s\""
		        " (%d events); the test's cut %zu bytes, %lld \"%s\" (%d)\n", file, cut,
		        (long long)sb.held_bytes, (long long)sb.safe_offset, sb.state, b.n, cut - end,
		        (long long)sa.safe_offset, sa.state, a.n);
	t->pipeline_checked++;
	got_free(&a);
	got_free(&b);
	unlink(path);
}

/* A fixed-seed generator: the same cuts on every run and machine. */
static uint64_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* every: a cut every `every` lines; 0: as many as the size allows. */
static void cut_file(const char *file, size_t every, uint64_t *seed, struct tally *t)
{
	struct got whole;
	struct hs_parse_stats wst;
	size_t len, pos, *starts = NULL, nstarts = 0, cap = 0, i, want, step;
	char *buf = slurp(file, &len);
	int failed = 0, mid_done = 0;

	CHECK(buf != NULL);
	if (!buf)
		return;
	/* the start of every line but the first, and the end */
	for (pos = 0; pos < len; pos++)
		if (buf[pos] == '\n' || pos + 1 == len) {
			if (nstarts == cap) {
				size_t *m = realloc(starts, (cap = cap ? cap * 2 : 256) * sizeof *starts);
				if (!m)
					abort();
				starts = m;
			}
			starts[nstarts++] = pos + 1;
		}
	parse(buf, len, 0, 1, NULL, &whole, &wst);
	want = (size_t)(CUT_BYTES / (long long)(len ? len : 1));
	if (want < MIN_CUTS)
		want = MIN_CUTS;
	step = every ? every : want >= nstarts ? 1 : nstarts / want;
	/* a failing fixture reports its first few cuts, not hundreds */
	for (i = step - 1; i < nstarts && failed < 3; i += step)
		failed += !check_cut(file, buf, len, starts[i], &whole, t);
	for (i = 0; i < (size_t)RANDOM_CUTS((long long)len) && failed < 3; i++) {
		size_t cut = (size_t)(next_rand(seed) % (len + 1));
		failed += !check_cut(file, buf, len, cut, &whole, t);
		if (!mid_done && cut > 0 && buf[cut - 1] != '\n') {
			check_pipeline(file, buf, cut, t);
			mid_done = 1;
		}
	}
	/* growing: refreshed at evenly spread lines */
	want = (size_t)(GROW_BYTES / (long long)(len ? len : 1));
	if (want < MIN_GROW)
		want = MIN_GROW;
	step = want >= nstarts ? 1 : nstarts / want;
	for (i = step - 1, want = 0; i < nstarts; i += step)
		starts[want++] = starts[i];
	check_growth(file, buf, len, starts, want, &whole, t);
	got_free(&whole);
	free(starts);
	free(buf);
}

/* With arguments: each log named is cut at every line (a closer look at
 * one fixture, or at a capture of one's own). */
int main(int argc, char **argv)
{
	glob_t gl;
	struct tally t = { 0, 0, 0, 0, 0 };
	uint64_t seed = 0x5eed5eed;
	size_t i;
	long smallest = -1;
	off_t size = 0;

	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++)
			cut_file(argv[i], 1, &seed, &t);
		gl.gl_pathc = (size_t)argc - 1;
	} else {
		CHECK(glob("test/fixtures/spy/*.log", 0, NULL, &gl) == 0);
		CHECK(gl.gl_pathc >= 62); /* the 62 conc-* captures at least (run from the repository root) */
		for (i = 0; i < gl.gl_pathc; i++) {
			struct stat sb;
			if (strstr(gl.gl_pathv[i], "/conc-") && stat(gl.gl_pathv[i], &sb) == 0 &&
			    (smallest < 0 || sb.st_size < size))
				smallest = (long)i, size = sb.st_size;
		}
		for (i = 0; i < gl.gl_pathc; i++)
			cut_file(gl.gl_pathv[i], (long)i == smallest ? DENSE_STEP : 0, &seed, &t);
	}
	printf("%zu logs, %ld cuts (%ld through the pipeline), %ld refreshes of growing logs, %.1f MB parsed,"
	       " %ld mismatched\n", gl.gl_pathc, t.cuts, t.pipeline_checked, t.steps, (double)t.parsed / 1e6,
	       t.mismatches);
	if (argc == 1)
		globfree(&gl);
	TEST_END();
}
