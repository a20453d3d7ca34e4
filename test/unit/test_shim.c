/* test_shim.c — the Mastercard libpkcs11shim parser, driven through its
 * descriptor as the pipeline drives it (test/fixtures/shim/, paths relative
 * to the repository root): lines split as reader.c splits them, each handed
 * over in a buffer of exactly its length, events copied out of on_event.
 *
 * Table-driven for the small fixtures: every event's function, counter,
 * line, instance, return, incompleteness, timestamp, tracer duration, pid,
 * tid, session, slot, user type, handles, and some details. For every real
 * capture: one event per [cnt], one return per [ret], each duration the
 * [lap] of its own block (mode 0 too, where blocks interleave: there each
 * ts + dur is one of the file's [toc]s, each used once), every thread's
 * calls in their program order on their own sessions, re-parse from
 * finish()'s safe point. Also: the spy and the shim recording one workload
 * agree call by call; redaction through the pipeline; detection with junk
 * on top and against every other parser's samples; a capture read while it
 * grows; hostile single lines; a dump of a million rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detect.h"
#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"
#include "harness.h"
#include "parsetest.h"

extern const struct hs_parser_desc hs_parser_shim;
extern const struct hs_parser_desc hs_parser_spy;
#define P (&hs_parser_shim)
#define FX "test/fixtures/shim/"
#define N HS_NONE

/* ------------------------------------------------------------ harness */

static const struct hs_parser_opts fixture_opts = { 3, "fixture", NULL };
static const struct hs_parser_opts lines_opts = { 0, "x", NULL };

/* Parse buf[start..len) as lines numbered from `line`, after resume(state)
 * when state is not NULL. */
static void parse(const char *buf, size_t len, size_t start, int64_t line, const char *state,
                  struct got *g, struct hs_parse_stats *st)
{
	parse_with(P, &fixture_opts, buf, len, start, line, state, g, st);
}

/* "YYYY-MM-DD HH:MM:SS.uuuuuu" as the civil time it says; N for NULL. */
static int64_t ts_of(const char *s)
{
	int y, mo, d, h, mi, sec;
	long us;

	if (!s || sscanf(s, "%d-%d-%d %d:%d:%d.%ld", &y, &mo, &d, &h, &mi, &sec, &us) != 7)
		return N;
	return hs_civil_to_us(y, mo, d, h, mi, sec, us);
}

/* Re-parsing from where finish() says a refresh must start, with its
 * state, gives the same events as the full parse from there on. */
static void check_resume(const char *name, const char *buf, size_t len, const struct got *full,
                         const struct hs_parse_stats *st)
{
	struct got g;
	struct hs_parse_stats st2;
	int i, first = full->n, fails = hs_t_fail;

	for (i = 0; i < full->n; i++)
		if (full->ev[i].offset >= st->safe_offset) {
			first = i;
			break;
		}
	CHECK(st->safe_offset >= 0 && (size_t)st->safe_offset <= len);
	CHECK(line_offset(buf, len, st->safe_line) == st->safe_offset ||
	      ((size_t)st->safe_offset == len && buf[len - 1] == '\n'));
	parse(buf, len, (size_t)st->safe_offset, st->safe_line, st->state, &g, &st2);
	CHECK(g.n == full->n - first);
	for (i = 0; i < g.n && first + i < full->n; i++) {
		const struct hs_event *a = &g.ev[i], *b = &full->ev[first + i];
		CHECK(strcmp(a->func, b->func) == 0 && a->call_no == b->call_no && a->line == b->line);
		CHECK(a->instance == b->instance && a->pid == b->pid && a->tid == b->tid);
		CHECK(a->rv == b->rv && a->incomplete == b->incomplete && a->session == b->session);
		CHECK(a->dur_us == b->dur_us && a->ts_us == b->ts_us);
		CHECK(strcmp(hs_buf_cstr(&a->detail), hs_buf_cstr(&b->detail)) == 0);
	}
	CHECK(st2.safe_offset == st->safe_offset && strcmp(st2.state, st->state) == 0);
	if (hs_t_fail != fails)
		fprintf(stderr, "  resume of %s at %lld (\"%s\"): %d events, wanted %d\n", name,
		        (long long)st->safe_offset, st->state, g.n, full->n - first);
	got_free(&g);
}

/* ------------------------------------------------------------- tables */

struct exp {
	const char *func;
	int64_t call_no, line, instance;
	int64_t rv;
	const char *rv_name;
	int incomplete;
	const char *ts;             /* [tic], NULL: none */
	int64_t dur;                /* µs from [lap], N: none */
	int64_t pid, tid, session, slot, user_type;
	const char *keys;           /* "role=0xN,..." */
	const char *detail;         /* NULL: not checked */
};

struct fixture {
	const char *file;
	int nexp;
	const struct exp *exp;
	int64_t skipped, incomplete; /* stats */
	const char *why;            /* skip reasons, in order of first use */
	int64_t safe_line;          /* finish(): line of safe_offset */
};

#define OK 0, "CKR_OK", 0
#define D "2026-12-01 "
#define PA 13367, 13367         /* fork.log: the parent */
#define CH 13369, 13369         /* fork.log: the child */

static const struct exp fork_calls[] = {
	{ "C_GetFunctionList", 0, 19, 0, OK, D "07:35:12.445162", 21, PA, N, N, N, "", "" },
	{ "C_Initialize", 1, 28, 0, OK, D "07:35:12.445186", 1140, PA, N, N, N, "",
	  "[in] pInitArgs = (nil)" },
	{ "C_GetSlotList", 2, 38, 0, OK, D "07:35:12.446330", 5, PA, N, N, N, "",
	  "[in] tokenPresent = 0x1\n[out] pSlotList: \n      Slot 347826360\n      Slot 1\n"
	  "[out] *pulCount = 0x2" },
	{ "C_OpenSession", 3, 52, 0, OK, D "07:35:12.446336", 4, PA, 1, 0x14bb68b8, N, "",
	  "[in] slotID = 0x14bb68b8\n[in] flags = 0x4\n[in] pApplication = (nil)\n"
	  "[in] Notify = (nil)\n[out] *phSession = 0x1" },
	{ "C_Finalize", 0, 83, 1, OK, D "07:35:12.446537", 132, CH, N, N, N, "", "" },
	{ "C_Initialize", 1, 92, 1, OK, D "07:35:12.446679", 289, CH, N, N, N, "", NULL },
	{ "C_OpenSession", 2, 102, 1, OK, D "07:35:12.446982", 6, CH, 1, 0x14bb68b8, N, "", NULL },
	{ "C_Login", 3, 116, 1, OK, D "07:35:12.446995", 778, CH, 1, N, 1, "",
	  "[in] hSession = 0x1\n[in] userType = CKU_USER\n[in] pPin[ulPinLen] / 13" },
	{ "C_Logout", 4, 129, 1, OK, D "07:35:12.447780", 4, CH, 1, N, N, "", NULL },
	{ "C_CloseSession", 5, 139, 1, OK, D "07:35:12.447785", 47, CH, 1, N, N, "", NULL },
	{ "C_Finalize", 6, 149, 1, OK, D "07:35:12.447843", 11, CH, N, N, N, "", NULL },
	{ "C_Login", 4, 158, 0, 160, "CKR_PIN_INCORRECT", 0, D "07:35:12.448088", 891, PA, 1, N, 1, "",
	  "[in] hSession = 0x1\n[in] userType = CKU_USER\n[in] pPin[ulPinLen] / 14" },
	{ "C_CloseSession", 5, 171, 0, OK, D "07:35:12.448985", 3, PA, 1, N, N, "", NULL },
	{ "C_Finalize", 6, 181, 0, OK, D "07:35:12.448989", 55, PA, N, N, N, "", NULL },
};

static const struct exp truncated[] = {
	{ "C_FindObjectsFinal", 31, 7, 0, OK, D "09:00:00.000130", 1, 5150, 5150, 1, N, N, "",
	  "[in] hSession = 0x1" },
	{ "C_GenerateKeyPair", 32, 17, 0, N, "", 1, D "09:00:00.000140", N, 5150, 5150, 1, N, N, "",
	  "[in] hSession = 0x1\n[in] pMechanism->type = CKM_RSA_PKCS_KEY_PAIR_GEN\n"
	  "[in] pPublicKeyTemplate[1]: \n    CKA_MODULUS_BITS      / 8\n"
	  "    00000000  00 10 00 00 00 00 00 00                          ........        " },
	{ "C_GetFunctionList", 0, 46, 1, OK, D "09:00:05.000000", 20, 5160, 5160, N, N, N, "", "" },
	{ "C_Initialize", 1, 55, 1, OK, D "09:00:05.000030", 500, 5160, 5160, N, N, N, "", NULL },
	{ "C_OpenSession", 2, 65, 1, OK, D "09:00:05.000540", 5, 5160, 5160, 1, 0, N, "",
	  "[in] slotID = 0x0\n[in] flags = 0x4\n[in] pApplication = (nil)\n[in] Notify = (nil)\n"
	  "[out] *phSession = 0x1" },
};

static const struct exp null_rv[] = {
	{ "C_Login", 7, 19, 0, 2147483905LL, "0x80000101", 0, D "10:00:00.000100", 200, 6200, 6200, 1,
	  N, N, "", "[in] hSession = 0x1\n[in] userType = (null)\n[in] pPin[ulPinLen] / 4" },
	{ "C_SignInit", 8, 32, 0, -1, "0xffffffffffffffff", 0, D "10:00:00.000400", 10, 6200, 6200, 1,
	  N, N, "hKey=0x2", "[in] hSession = 0x1\n[in] pMechanism->type = (null)\n"
	  "[in] pMechanism->pParameter[ulParameterLen] = NULL\n[in] hKey = 0x2" },
	{ "C_SignInit", 9, 45, 0, OK, D "10:00:00.000500", 10, 6200, 6200, 1, N, N, "hKey=0x2",
	  "[in] hSession = 0x1\n[in] pMechanism->type = 0x80000123\n"
	  "[in] pMechanism->pParameter[ulParameterLen] = NULL\n[in] hKey = 0x2" },
};

static const struct fixture fixtures[] = {
	{ FX "fork.log", 14, fork_calls, 0, 0, "", 189 },
	{ FX "crlf.log", 14, fork_calls, 0, 0, "", 189 },
	{ FX "truncated.log", 5, truncated, 5, 1,
	  "an [in ] line without a call|an indented line outside any call|"
	  "a [lap] line without a call or a time|a [ret] line without a call|"
	  "text outside the shim's layout|", 17 },
	{ FX "null-rv.log", 3, null_rv, 0, 0, "", 57 },
};

static int check_event(const char *file, int i, const struct hs_event *e, const struct exp *x,
                       const char *buf, size_t len)
{
	char keys[256];
	int fails = hs_t_fail;

	keys_of(e, ",", keys, sizeof keys);
	CHECK(strcmp(e->func, x->func) == 0);
	CHECK(e->call_no == x->call_no);
	CHECK(e->line == x->line);
	CHECK(e->offset == line_offset(buf, len, x->line));
	CHECK(e->instance == x->instance);
	CHECK(e->rv == x->rv);
	CHECK(strcmp(e->rv_name, x->rv_name) == 0);
	CHECK(e->ok == (x->rv == 0));
	CHECK(e->incomplete == x->incomplete);
	CHECK(e->ts_us == ts_of(x->ts));
	CHECK(e->ts_utc == 0);
	CHECK(e->dur_us == x->dur);
	CHECK(e->pid == x->pid);
	CHECK(e->tid == x->tid);
	CHECK(e->session == x->session);
	CHECK(e->slot == x->slot);
	CHECK(e->user_type == x->user_type);
	CHECK(strcmp(keys, x->keys) == 0);
	CHECK(!x->detail || strcmp(hs_buf_cstr(&e->detail), x->detail) == 0);
	CHECK(e->file_id == 3 && strcmp(e->format, "shim") == 0);
	if (hs_t_fail != fails)
		fprintf(stderr, "  in %s event %d (%s #%lld): summary \"%s\" keys \"%s\"\n  detail:\n%s\n",
		        file, i, e->func, (long long)e->call_no, e->summary, keys,
		        hs_buf_cstr(&e->detail));
	return hs_t_fail == fails;
}

static void test_fixtures(void)
{
	size_t f;

	for (f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
		const struct fixture *fx = &fixtures[f];
		struct got g;
		struct hs_parse_stats st;
		size_t len;
		char *buf = slurp(fx->file, &len);
		int i;

		CHECK(buf != NULL);
		if (!buf) {
			fprintf(stderr, "  cannot read %s (run from the repository root)\n", fx->file);
			continue;
		}
		parse(buf, len, 0, 1, NULL, &g, &st);
		CHECK(g.n == fx->nexp && st.events == fx->nexp);
		CHECK(st.skipped == fx->skipped && g.skips == fx->skipped);
		CHECK(st.incomplete == fx->incomplete);
		CHECK(strcmp(g.why, fx->why) == 0);
		CHECK(st.safe_line == fx->safe_line);
		if (g.n != fx->nexp || st.skipped != fx->skipped || strcmp(g.why, fx->why) != 0 ||
		    st.safe_line != fx->safe_line)
			fprintf(stderr, "  %s: %d events, %lld skipped (%s), safe line %lld\n", fx->file, g.n,
			        (long long)st.skipped, g.why, (long long)st.safe_line);
		for (i = 0; i < g.n && i < fx->nexp; i++)
			check_event(fx->file, i, &g.ev[i], &fx->exp[i], buf, len);
		check_resume(fx->file, buf, len, &g, &st);
		got_free(&g);
		free(buf);
	}
}

/* ------------------------------------------------------ real captures */

/* Each block's [lap] in µs, in the order of the blocks' [cnt] lines (for
 * files whose blocks are whole); counts of [cnt] and [ret] lines. */
static int64_t *laps_of(const char *buf, size_t len, int *ncnt, int *nret)
{
	int64_t *v = calloc(len / 8 + 1, sizeof *v);
	size_t pos = 0;
	long sec, us;

	*ncnt = *nret = 0;
	while (v && pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		if (strncmp(l, "[cnt] ", 6) == 0)
			v[(*ncnt)++] = N;
		else if (strncmp(l, "[ret] ", 6) == 0)
			(*nret)++;
		else if (*ncnt && sscanf(l, "[lap] %ld.%ld", &sec, &us) == 2)
			v[*ncnt - 1] = sec * 1000000 + us;
		pos = nl ? (size_t)(nl - buf) + 1 : len;
	}
	return v;
}

/* The [toc]s of a file as µs, to match ts + dur against. */
static int toc_used(const char *buf, size_t len, int64_t want, char *used)
{
	size_t pos = 0;
	int k = 0;

	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		if (strncmp(l, "[toc] ", 6) == 0) {
			char ts[32];
			size_t n = (size_t)((nl ? nl : buf + len) - l - 6);
			snprintf(ts, sizeof ts, "%.*s", (int)(n < 26 ? n : 26), l + 6);
			if (ts_of(ts) == want && !used[k])
				return used[k] = 1, 1;
			k++;
		}
		pos = nl ? (size_t)(nl - buf) + 1 : len;
	}
	return 0;
}

static void check_capture(const char *path, int64_t instances, int64_t skipped, int whole)
{
	struct got g;
	struct hs_parse_stats st;
	size_t len;
	char *buf = slurp(path, &len), *used;
	int ncnt = 0, nret = 0, i, returned = 0, bad = 0;
	int64_t maxinst = -1, *laps;

	CHECK(buf != NULL);
	if (!buf)
		return;
	laps = laps_of(buf, len, &ncnt, &nret);
	used = calloc((size_t)ncnt + 1, 1);
	parse(buf, len, 0, 1, NULL, &g, &st);
	CHECK(g.n == ncnt && st.events == ncnt);
	CHECK(st.skipped == skipped);
	for (i = 0; i < g.n; i++) {
		const struct hs_event *e = &g.ev[i];
		returned += e->rv != N;
		if (e->instance > maxinst)
			maxinst = e->instance;
		bad += e->pid == N || e->tid == N || e->ts_us == N || e->dur_us == N;
		if (whole && i < ncnt)
			bad += e->dur_us != laps[i];
		else if (!toc_used(buf, len, e->ts_us + e->dur_us, used))
			bad++;
	}
	CHECK(returned == nret && st.incomplete == ncnt - nret);
	CHECK(maxinst + 1 == instances);
	CHECK(bad == 0);
	if (g.n != ncnt || returned != nret || maxinst + 1 != instances || bad || st.skipped != skipped)
		fprintf(stderr, "  %s: %d events (%d [cnt]), %d returns (%d), %lld instances, %d bad, "
		        "%lld skipped\n", path, g.n, ncnt, returned, nret, (long long)maxinst + 1, bad,
		        (long long)st.skipped);
	check_resume(path, buf, len, &g, &st);
	got_free(&g);
	free(laps);
	free(used);
	free(buf);
}

/* The two-thread program (threads*.log): whatever the mode, each thread's
 * calls in its own order, each on the session its thread opened. */
static void check_threads(const char *path)
{
	static const char *const light[] = { "C_OpenSession", "C_GenerateRandom", "C_DigestInit",
		"C_Digest", "C_FindObjectsInit", "C_FindObjects", "C_FindObjectsFinal", "C_CloseSession" };
	static const char *const heavy[] = { "C_OpenSession", "C_GenerateKeyPair", "C_SignInit",
		"C_Sign", "C_CloseSession" };
	static const char *const main_t[] = { "C_GetFunctionList", "C_Initialize", "C_GetSlotList",
		"C_OpenSession", "C_Login", "C_Logout", "C_Login", "C_CloseAllSessions", "C_Finalize" };
	struct got g;
	struct hs_parse_stats st;
	size_t len;
	char *buf = slurp(path, &len);
	int i, k[3] = { 0, 0, 0 }, bad = 0;
	int64_t heavy_tid = N, sess[3] = { N, N, N }, priv = N;

	if (!buf) {
		CHECK(!"fixture missing");
		return;
	}
	parse(buf, len, 0, 1, NULL, &g, &st);
	for (i = 0; i < g.n; i++)
		if (strcmp(g.ev[i].func, "C_GenerateKeyPair") == 0)
			heavy_tid = g.ev[i].tid;
	for (i = 0; i < g.n; i++) {
		const struct hs_event *e = &g.ev[i];
		int t = e->tid == e->pid ? 0 : e->tid == heavy_tid ? 1 : 2;
		const char *want = t == 0 ? (k[0] < 9 ? main_t[k[0]] : "") :
		                   t == 1 ? (k[1] < 5 ? heavy[k[1]] : "") : light[k[2] % 8];
		bad += strcmp(e->func, want) != 0;
		if (strcmp(e->func, "C_OpenSession") == 0)
			sess[t] = e->session;
		else if (t && e->session != sess[t])
			bad++;
		if (strcmp(e->func, "C_GenerateKeyPair") == 0 && e->nkeys >= 2)
			priv = e->keys[1].handle;
		if (strcmp(e->func, "C_SignInit") == 0)
			bad += e->nkeys < 1 || e->keys[0].handle != priv;
		bad += e->rv != (t == 0 && k[0] == 6 ? 160 : 0) || e->incomplete;
		k[t]++;
	}
	CHECK(g.n == 46 && k[0] == 9 && k[1] == 5 && k[2] == 32 && bad == 0 && st.skipped == 0);
	if (!(g.n == 46 && k[0] == 9 && k[1] == 5 && k[2] == 32 && bad == 0))
		fprintf(stderr, "  %s: %d events, threads %d/%d/%d calls, %d bad\n", path, g.n, k[0], k[1],
		        k[2], bad);
	got_free(&g);
	free(buf);
}

/* The spy in front of the shim, one workload: the same calls in the same
 * order with the same returns, sessions, slots, users and handles. The spy
 * asks the shim for its function list where the application asked the spy
 * for an interface: C_GetInterface there is C_GetFunctionList here. */
static void test_pair(void)
{
	struct got a, b;
	struct hs_parse_stats sa, sb;
	size_t la, lb;
	char *shim = slurp(FX "pkcs11-tool.log", &la), *spy = slurp(FX "pkcs11-tool.spy", &lb);
	char ka[256], kb[256];
	int i, bad = 0;

	CHECK(shim && spy);
	if (!shim || !spy) {
		free(shim), free(spy);
		return;
	}
	parse(shim, la, 0, 1, NULL, &a, &sa);
	parse_with(&hs_parser_spy, &fixture_opts, spy, lb, 0, 1, NULL, &b, &sb);
	CHECK(a.n == 343 && a.n == b.n);
	for (i = 0; i < a.n && i < b.n; i++) {
		const struct hs_event *x = &a.ev[i], *y = &b.ev[i];
		int same_func = strcmp(x->func, y->func) == 0 ||
		                (strcmp(x->func, "C_GetFunctionList") == 0 &&
		                 strcmp(y->func, "C_GetInterface") == 0);
		keys_of(x, ",", ka, sizeof ka);
		keys_of(y, ",", kb, sizeof kb);
		if (!same_func || x->rv != y->rv || strcmp(x->rv_name, y->rv_name) != 0 ||
		    x->session != y->session || x->slot != y->slot || x->user_type != y->user_type ||
		    strcmp(ka, kb) != 0 || x->call_no != y->call_no || x->instance != y->instance) {
			if (bad++ < 5)
				fprintf(stderr, "  pair differs at %d: %s/%s %lld/%lld keys %s/%s\n", i, x->func,
				        y->func, (long long)x->rv, (long long)y->rv, ka, kb);
		}
		bad += x->dur_us == N || y->dur_us != N; /* the shim measured, the spy did not */
	}
	CHECK(bad == 0);
	got_free(&a);
	got_free(&b);
	free(shim);
	free(spy);
}

/* ------------------------------------------------------- redaction */

struct scan {
	int events, leaks, masked_dumps;
};

static int scan_event(void *ctx, struct hs_event *e)
{
	static const char *const secrets[] = {
		"so-pin-8642", "user-pin-1357", "wrong-pin-0000", "user-pin-2468",
		"73 6F 2D 70 69 6E", "75 73 65 72 2D 70 69 6E", "77 72 6F 6E 67 2D",
		"47 60 48 98 14 12 D3 FA", /* shapes.log: the derived secret key's CKA_VALUE */
		NULL,
	};
	struct scan *s = ctx;
	const char *d = hs_buf_cstr(&e->detail);
	int i;

	s->events++;
	for (i = 0; secrets[i]; i++)
		if (strstr(d, secrets[i]) || strstr(e->summary, secrets[i]))
			s->leaks++, fprintf(stderr, "  leak of \"%s\" in %s #%lld\n", secrets[i], e->func,
			                    (long long)e->call_no);
	if (strstr(d, "pPin[ulPinLen] / ") && strstr(d, "    00000000  ** ** **"))
		s->masked_dumps++;
	return 0;
}

/* Through the pipeline no PIN or secret key reaches a sink: the shim's own
 * masking gives a length without a dump, REVEALPIN's clear PINs are masked. */
static void test_redaction(void)
{
	static const struct {
		const char *file;
		int events, masked; /* masked: events with a PIN dump shown as ** */
	} cases[] = {
		{ FX "reveal.log", 38, 5 }, { FX "pkcs11-tool.log", 343, 0 },
		{ FX "shapes.log", 23, 0 }, { FX "crypto.log", 132, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scan s = { 0, 0, 0 };
		struct hs_sink sink = { .ctx = &s, .on_event = scan_event };
		struct hs_pipeline_input in;
		struct hs_parse_stats st;
		struct hs_error err;

		memset(&in, 0, sizeof in);
		in.path = cases[i].file;
		in.parser = P;
		CHECK(hs_pipeline_run(&in, &sink, &st, &err) == 0);
		hs_parse_stats_free(&st);
		CHECK(s.events == cases[i].events && s.leaks == 0 && s.masked_dumps == cases[i].masked);
		if (s.events != cases[i].events || s.masked_dumps != cases[i].masked)
			fprintf(stderr, "  %s: %d events, %d masked PIN dumps\n", cases[i].file, s.events,
			        s.masked_dumps);
	}
}

/* ------------------------------------------------------- detection */

static int detect_file(const char *path, const struct hs_parser_desc **d)
{
	struct hs_error err;

	return hs_pipeline_detect(path, d, &err);
}

static void test_detect(void)
{
	static const char *const files[] = { "pkcs11-tool.log", "crypto.log", "reveal.log",
		"threads.log", "threads-callblock.log", "threads-deferred.log", "fork.log", "crlf.log",
		"shapes.log", "junk.log", "truncated.log", "null-rv.log" };
	static const char *const junk[] = { "$ pkcs11-tool -L", "Available slots:",
		"warning: something", "Using slot with index 0 (0x0)", "" };
	const struct hs_parser_desc *const *all = hs_detect_parsers(), *d;
	const char *lines[HS_DETECT_LINES];
	int i, n, score;
	size_t f;

	for (n = 0; P->samples[n]; n++)
		;
	CHECK(hs_detect(P->samples, n, &score) == P && score >= 75);
	for (i = 0; i < 5; i++) /* a few lines of other output on top */
		lines[i] = junk[i];
	for (i = 0; P->samples[i] && 5 + i < HS_DETECT_LINES; i++)
		lines[5 + i] = P->samples[i];
	CHECK(hs_detect(lines, 5 + i, NULL) == P);
	/* from the first [cnt] on, without the banner */
	CHECK(hs_detect(P->samples + 7, n - 7, NULL) == P);
	for (f = 0; f < sizeof files / sizeof files[0]; f++) {
		char path[128];
		snprintf(path, sizeof path, FX "%s", files[f]);
		d = NULL;
		CHECK(detect_file(path, &d) == 0 && d == P);
		if (d != P)
			fprintf(stderr, "  %s detected as %s\n", path, d ? d->name : "nothing");
	}
	d = NULL;
	CHECK(detect_file(FX "pkcs11-tool.spy", &d) == 0 && d == &hs_parser_spy);
	/* no other parser's samples are ours, and ours are no other's */
	for (i = 0; all[i]; i++) {
		if (all[i] == P)
			continue;
		for (n = 0; all[i]->samples[n]; n++)
			;
		CHECK(hs_detect_probe(P, all[i]->samples, n) < HS_DETECT_MIN_SCORE);
		CHECK(hs_detect(all[i]->samples, n, NULL) != P);
		for (n = 0; P->samples[n]; n++)
			;
		CHECK(hs_detect_probe(all[i], P->samples, n) < hs_detect_probe(P, P->samples, n));
	}
}

/* ------------------------------------------------------ resume, lines */

/* A capture read while it grows: fork.log cut inside the child's C_Login;
 * finish() says where to start again, and the parser resumed there over
 * the whole file gives the full parse's events, instances included. */
static void test_growth(void)
{
	struct got part, full, rest;
	struct hs_parse_stats sp, sf, sr;
	size_t len;
	char *buf = slurp(FX "fork.log", &len);
	int64_t cut = buf ? line_offset(buf, len, 122) : -1;
	int i, first;

	CHECK(cut > 0);
	if (cut <= 0) {
		free(buf);
		return;
	}
	parse(buf, (size_t)cut, 0, 1, NULL, &part, &sp);
	CHECK(part.n == 8 && sp.safe_line == 116 && strcmp(sp.state, "inst=2 p=13369,13367") == 0);
	parse(buf, len, 0, 1, NULL, &full, &sf);
	parse(buf, len, (size_t)sp.safe_offset, sp.safe_line, sp.state, &rest, &sr);
	for (first = 0; first < full.n && full.ev[first].offset < sp.safe_offset; first++)
		;
	CHECK(rest.n == full.n - first && rest.n == 7);
	for (i = 0; i < rest.n && first + i < full.n; i++) {
		const struct hs_event *a = &rest.ev[i], *b = &full.ev[first + i];
		CHECK(a->line == b->line && a->instance == b->instance && a->rv == b->rv &&
		      a->dur_us == b->dur_us && a->session == b->session);
	}
	CHECK(strcmp(sr.state, sf.state) == 0 && sr.safe_offset == sf.safe_offset);
	got_free(&part);
	got_free(&full);
	got_free(&rest);
	free(buf);
}

/* Single lines fed from string literals, NULL-terminated. */
static void feed_lines(const char *const *lines, struct got *g, struct hs_parse_stats *st)
{
	int n = 0;

	while (lines[n])
		n++;
	feed_lines_with(P, &lines_opts, lines, n, NULL, g, st);
}

#define HDR(cnt, fn, tic) "[cnt] " cnt " - " fn, "[pid] 7", "[ppd] 1", "[tid] 7", "[tic] " tic

static void test_lines(void)
{
	/* numbers past 64 bits, impossible dates, a negative lap, junk values */
	static const char *const hostile[] = {
		"[cnt] 99999999999999999999999 - C_Login", "[pid] 123456789012345678901234", "[ppd] x",
		"[tid] 7", "[tic] 2026-13-45 25:61:61.000000", "[in ] hSession = 0xffffffffffffffffff",
		"[in ] pPin[ulPinLen] 00007ffd00000000 / 99999999999999999999",
		"      00000000  ** **", "[toc] 2026-12-01 10:00:00.000000", "[lap] -1.999999",
		"[ret] 99999999999999999999 CKR_OK", "[ret] abc",
		HDR("0000000000000001", "C_Logout", "2026-12-01 10:00:01.000000"),
		"      pMechanism->pParameter->nothing", "[in ] pTemplate[99999999999999999999]: ",
		"      CKA_? (0xzz)    00007ffd00000000 / 2", "      CKA_LABEL             00007ffd00000000 / 40",
		"      41424344 45464748 49", "       A B C D  E F G H  I", "[in ] pData[ulDataLen] NULL [size",
		"[toc] 2026-12-01 10:00:01.000010", "[lap] 0.000010", "[ret] 0 CKR_OK", NULL,
	};
	/* two open calls: [out] lines wait until a [toc]/[lap] pair names the
	 * Digest (tic = toc - lap); a last [out] once only one call is open */
	static const char *const limbo[] = {
		HDR("0000000000000001", "C_OpenSession", "2026-12-01 10:00:00.000000"),
		"[cnt] 0000000000000002 - C_Digest", "[pid] 7", "[ppd] 1", "[tid] 8",
		"[tic] 2026-12-01 10:00:00.000001", "[out] *phSession = 0x5", "[out] pDigest[*pulDigestLen] 00007ffd00000000 / 2",
		"      00000000  AB CD                                            ..              ",
		"[toc] 2026-12-01 10:00:00.000009", "[lap] 0.000008", "[ret] 0 CKR_OK",
		"[out] *phSession = 0x6", NULL,
	};
	struct got g;
	struct hs_parse_stats st;

	feed_lines(hostile, &g, &st);
	CHECK(g.n == 2 && st.events == 2);
	CHECK(g.n == 2 && g.ev[0].call_no == N && g.ev[0].pid == N && g.ev[0].ts_us == N);
	CHECK(g.n == 2 && g.ev[0].rv == N && g.ev[0].incomplete == 1 && g.ev[0].dur_us == N);
	CHECK(g.n == 2 && g.ev[1].rv == 0 && g.ev[1].dur_us == 10 && g.ev[1].instance == 0);
	CHECK(g.n == 2 && strstr(hs_buf_cstr(&g.ev[1].detail), "CKA_LABEL             / 40") != NULL);
	got_free(&g);
	feed_lines(limbo, &g, &st);
	/* the pair closes the Digest (tic = toc - lap) and its [out] lines go to
	 * it; the open C_OpenSession takes the trailing [out] at the end */
	CHECK(g.n == 2 && strcmp(g.ev[1].func, "C_Digest") == 0 && g.ev[1].dur_us == 8);
	CHECK(g.n == 2 && strstr(hs_buf_cstr(&g.ev[1].detail), "[out] pDigest[*pulDigestLen] / 2\n"
	                         "    00000000  AB CD") != NULL);
	CHECK(g.n == 2 && g.ev[1].session == 5 && g.ev[0].session == 6 && g.ev[0].incomplete == 1);
	got_free(&g);
}

/* A dump of a million rows: memory stays bounded (BYTES_MAX kept, the
 * detail capped) and the call's length is still the tracer's. */
static void test_huge_dump(void)
{
	struct got g;
	struct hs_parse_stats st;
	struct hs_sink sink = { .ctx = &g, .on_event = on_event, .on_skip = on_skip };
	struct hs_parser_opts po = { 0, "x", NULL };
	struct hs_parser *p = P->create(&sink, &po);
	static const char *const head[] = { HDR("0000000000000001", "C_Sign", "2026-12-01 10:00:00.000000"),
		"[in ] hSession = 0x1", "[in ] pData[ulDataLen] 00007ffd00000000 / 16000000" };
	char row[96];
	int64_t ln = 1, off = 0;
	long i;

	memset(&g, 0, sizeof g);
	for (i = 0; i < 7; i++, ln++)
		P->feed_line(p, head[i], strlen(head[i]), off, ln), off += 80;
	for (i = 0; i < 1000000; i++, ln++) {
		int n = snprintf(row, sizeof row, "      %08lX  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  "
		                 "AAAAAAAAAAAAAAAA", i * 16);
		P->feed_line(p, row, (size_t)n, off, ln), off += n + 1;
	}
	P->feed_line(p, "[toc] 2026-12-01 10:00:01.000000", 32, off, ln++);
	P->feed_line(p, "[lap] 1.000000", 14, off, ln++);
	P->feed_line(p, "[ret] 0 CKR_OK", 14, off, ln++);
	P->finish(p, off, ln, &st);
	got_keep_state(&g, &st);
	P->destroy(p);
	CHECK(g.n == 1 && st.skipped == 0);
	CHECK(g.n == 1 && g.ev[0].detail.len <= HS_EVENT_DETAIL_MAX + 256 && g.ev[0].elided_lines >= 900000);
	CHECK(g.n == 1 && strstr(hs_buf_cstr(&g.ev[0].detail), "[in] pData[ulDataLen] / 16000000") != NULL);
	CHECK(g.n == 1 && g.ev[0].dur_us == 1000000);
	got_free(&g);
}

int main(void)
{
	test_fixtures();
	check_capture(FX "pkcs11-tool.log", 7, 0, 1);
	check_capture(FX "crypto.log", 9, 0, 1);
	check_capture(FX "reveal.log", 4, 0, 1);
	check_capture(FX "shapes.log", 1, 0, 1);
	check_capture(FX "fork.log", 2, 0, 1);
	check_capture(FX "junk.log", 1, 14, 1);
	check_capture(FX "threads-callblock.log", 1, 0, 1);
	check_capture(FX "threads-deferred.log", 1, 0, 1);
	check_capture(FX "threads.log", 1, 0, 0);
	check_threads(FX "threads.log");
	check_threads(FX "threads-callblock.log");
	check_threads(FX "threads-deferred.log");
	test_pair();
	test_redaction();
	test_detect();
	test_growth();
	test_lines();
	test_huge_dump();
	TEST_END();
}
