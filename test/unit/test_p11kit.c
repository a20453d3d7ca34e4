/* test_p11kit.c — the p11-kit log-calls parser, driven through its
 * descriptor as the pipeline drives it (lines split as reader.c splits
 * them, each in a buffer of exactly its length; paths relative to the
 * repository root).
 *
 * Per fixture (test/fixtures/p11kit/): the events expected (function,
 * return, incomplete, instance, session, slot, user type, handles, a piece
 * of the detail that must be there), the lines skipped, the safe point.
 * For every fixture: re-parsing from finish()'s safe_offset with its state
 * gives the same events from there on, and so does a log read in two
 * parts. The real captures give one event per call line and one return per
 * return line. basic.log and basic-spy.log are one workload recorded at
 * once by the spy (in front) and p11-kit (behind p11-kit-proxy.so): the
 * same calls, return codes, processes and sessions, but for what the
 * proxy adds. Also: detection (with junk on top; nobody else's samples),
 * redaction of every PIN form through hs_pipeline_run, hostile lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detect.h"
#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"
#include "harness.h"
#include "parsetest.h"

extern const struct hs_parser_desc hs_parser_p11kit;
extern const struct hs_parser_desc hs_parser_spy;
#define P (&hs_parser_p11kit)
#define FX "test/fixtures/p11kit/"
#define N HS_NONE

/* ------------------------------------------------------------ harness */

static const struct hs_parser_opts fixture_opts = { 3, "fixture", NULL };
static const struct hs_parser_opts lines_opts = { 0, "lines", NULL };

/* Parse buf[start..len) as lines numbered from `line`, after resume(state)
 * when state is not NULL. */
static void parse(const char *buf, size_t len, size_t start, int64_t line, const char *state,
                  struct got *g, struct hs_parse_stats *st)
{
	parse_with(P, &fixture_opts, buf, len, start, line, state, g, st);
}

/* Lines of buf that start with prefix and, with exact, are no longer. */
static int count_lines(const char *buf, size_t len, const char *prefix, int name_only)
{
	size_t pos = 0, m = strlen(prefix);
	int k = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t e = nl ? (size_t)(nl - buf) : len, i;
		if (e - pos >= m && memcmp(buf + pos, prefix, m) == 0) {
			for (i = pos + m; i < e && buf[i] != ' '; i++)
				;
			if (!name_only || i == e)
				k++;
			else if (e - i > 7 && memcmp(buf + i, " = CKR_", 7) == 0)
				k += name_only == 2;
		}
		pos = e + 1;
	}
	return k;
}

/* --------------------------------------------------------- expectations */

struct exp {
	const char *func;
	int64_t rv;                 /* N: none (incomplete, or a name hsmscope lacks) */
	int incomplete;
	int64_t instance, session, slot, user;
	const char *keys;           /* "role=0xh ...", "" none */
	const char *has;            /* a piece of the detail, NULL: not checked */
};

struct fixture {
	const char *file;
	int64_t skipped;            /* lines reported as skipped */
	int64_t safe_line;          /* where a refresh starts again */
	int nexp;
	const struct exp *exp;
};

#define E(...) { __VA_ARGS__ }

static const struct exp pins_exp[] = {
	E("C_Initialize", 0, 0, 0, N, N, N, "", "[in] pInitArgs = NULL"),
	E("C_InitToken", 0, 0, 0, N, 1, N, "", "[in] pLabel / 32\n    00000000  70 69 6E 73 20"),
	E("C_OpenSession", 0, 0, 0, 1, 1, N, "", "[out] *phSession = 0x1"),
	E("C_Login", 0, 0, 0, 1, N, 0, "", "[in] pPin / 11\n    00000000  73 6F 2D 70"),
	E("C_InitPIN", 0, 0, 0, 1, N, N, "", "[in] pPin / 13\n"),
	E("C_Logout", 0, 0, 0, 1, N, N, "", NULL),
	E("C_Login", 0xa0, 0, 0, 1, N, 1, "", "[in] pPin / 14\n"),
	E("C_Login", 0, 0, 0, 1, N, 1, "", NULL),
	E("C_SetPIN", 0, 0, 0, 1, N, N, "", "[in] pNewPin / 17\n    00000000  6E 65 77 2D"),
	/* p i " n \ x TAB q 01 7F: '"' and '\' are themselves */
	E("C_Login", 0, 0, 0, 1, N, 2, "", "70 69 22 6E 5C 78 09 71 01 7F"),
	E("C_Login", 0x100, 0, 0, 1, N, 1, "", "[in] pPin / 0"),
	E("C_Login", 0xa2, 0, 0, 1, N, 1, "", "[in] pPin / 119\n"),
	E("C_CloseSession", 0, 0, 0, 1, N, N, "", NULL),
	E("C_Finalize", 0, 0, 0, N, N, N, "", NULL),
};

static const struct exp values_exp[] = {
	E("C_Initialize", 0, 0, 0, N, N, N, "", NULL),
	E("C_OpenSession", 0, 0, 0, 1, 1, N, "", NULL),
	E("C_CreateObject", 0, 0, 0, 1, N, N, "phObject=0x5",
	  "[in] pTemplate[5]: \n    CKA_CLASS\n    CKA_KEY_TYPE\n    CKA_TOKEN\n    CKA_VALUE\n"),
	E("C_GetAttributeValue", 0, 0, 0, 1, N, N, "hObject=0x5",
	  "    CKA_TOKEN             True\n    CKA_VALUE             / 16\n    CKA_LABEL             / 10\n"
	  "    00000000  61 65 73 20 7D 2C 20 7B 20 31  "),
	E("C_GetAttributeValue", 0, 0, 0, 1, N, N, "hObject=0x6",
	  "    00000070  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA\n"
	  "    (p11-kit printed the first 128 of 528 bytes)\n    CKA_ID                / 2\n"),
	E("C_GetAttributeValue", 0, 0, 0, 1, N, N, "hObject=0x5",
	  "    CKA_LABEL             / 10\n    0x80001234            / 4\n    CKA_MODULUS           / 256"),
	E("C_GetAttributeValue", 0x11, 0, 0, 1, N, N, "hObject=0x5", NULL),
	E("C_GetAttributeValue", 0x150, 0, 0, 1, N, N, "hObject=0x5", "[out] pTemplate[1]: "),
	E("C_GenerateKey", 0, 0, 0, 1, N, N, "hKey=0x7", "[in] pMechanism->type = CKM_AES_KEY_GEN\n"),
	E("C_DeriveKey", 0, 0, 0, 1, N, N, "hBaseKey=0x7 hKey=0x8",
	  "[in] pMechanism->type = CKM_0x80000042\n[in] pMechanism->pParameter / 4\n"),
	E("C_CopyObject", 0, 0, 0, 1, N, N, "hObject=0x8 phNewObject=0x9", NULL),
	E("C_FindObjectsInit", 0, 0, 0, 1, N, N, "", NULL),
	E("C_FindObjects", 0, 0, 0, 1, N, N, "found=0x5 found=0x7 found=0x9",
	  "[in] ulMaxObjectCount = 0xa\n[out] ulObjectCount = 0x3\nObject 0x5 matches\n"),
	E("C_FindObjects", 0, 0, 0, 1, N, N, "", "[out] ulObjectCount = 0x0"),
	E("C_FindObjectsFinal", 0, 0, 0, 1, N, N, "", NULL),
	E("C_GetObjectSize", 0, 0, 0, 1, N, N, "hObject=0x9", "[out] *pulSize = 0x4d2"),
	E("C_DestroyObject", 0, 0, 0, 1, N, N, "hObject=0x9", NULL),
	E("C_SignInit", 0, 0, 0, 1, N, N, "hKey=0x7", "[in] pMechanism->pParameter = NULL"),
	E("C_Sign", 0, 0, 0, 1, N, N, "", "[out] pSignature NULL [size : 0x20 (32)]"),
	E("C_Sign", 0, 0, 0, 1, N, N, "", "[out] pSignature / 32\n    00000000  9B 81 95 1A"),
	E("C_GetSessionInfo", 0, 0, 0, 1, N, N, "", "[out] pInfo: \n    slotID: SL1\n"),
	E("C_GetMechanismInfo", 0, 0, 0, N, 1, N, "", "    flags: 768 = CKF_ENCRYPT | CKF_DECRYPT"),
	E("C_SeedRandom", 0x120, 0, 0, 1, N, N, "", "[in] pSeed / 4"),
	E("C_VendorThing", 0x80000007, 0, 0, 1, N, N, "", NULL),
	E("C_CloseSession", 0, 0, 0, 1, N, N, "", NULL),
	E("C_Finalize", 0, 0, 0, N, N, N, "", NULL),
};

/* OUT blocks go to the call their return names; one name twice in flight
 * goes first in, first out. */
static const struct exp threads_exp[] = {
	E("C_Initialize", 0, 0, 0, N, N, N, "", NULL),
	E("C_OpenSession", 0, 0, 0, 1, 1, N, "", NULL),
	E("C_OpenSession", 0, 0, 0, 2, 1, N, "", NULL),
	E("C_SignInit", 0, 0, 0, 1, N, N, "hKey=0x5", NULL),
	E("C_Sign", 0, 0, 0, 1, N, N, "", "[out] pSignature / 4\n    00000000  01 02 03 04"),
	E("C_DigestInit", 0, 0, 0, 2, N, N, "", "[in] pMechanism->type = CKM_SHA256"),
	E("C_Digest", 0, 0, 0, 2, N, N, "", "[out] pDigest / 4\n    00000000  BA 78 16 BF"),
	E("C_GetSessionInfo", 0, 0, 0, 1, N, N, "", "    state: CKS_RW_PUBLIC_SESSION"),
	E("C_GetSessionInfo", 0xb3, 0, 0, 2, N, N, "", NULL),
	E("C_CloseSession", 0, 0, 0, 1, N, N, "", NULL),
	E("C_CloseSession", 0, 0, 0, 2, N, N, "", NULL),
	E("C_Finalize", 0, 0, 0, N, N, N, "", NULL),
};

/* The process dies in C_Sign; the next C_Initialize is a new process. */
static const struct exp killed_exp[] = {
	E("C_Initialize", 0, 0, 0, N, N, N, "", NULL),
	E("C_OpenSession", 0, 0, 0, 1, 1, N, "", NULL),
	E("C_Login", 0, 0, 0, 1, N, 1, "", NULL),
	E("C_SignInit", 0, 0, 0, 1, N, N, "hKey=0x3", NULL),
	E("C_Sign", N, 1, 0, 1, N, N, "", "[in] pData / 4\n    00000000  64 61 74 61"),
	E("C_Initialize", 0, 0, 1, N, N, N, "", NULL),
	E("C_OpenSession", 0, 0, 1, 1, 1, N, "", NULL),
	E("C_CloseSession", 0, 0, 1, 1, N, N, "", NULL),
	E("C_Finalize", 0, 0, 1, N, N, N, "", NULL),
};

/* Cut at both ends: the head's orphan lines are skipped, the tail's call
 * is incomplete and keeps the OUT lines it had. */
static const struct exp truncated_exp[] = {
	E("C_OpenSession", 0, 0, 0, 1, 1, N, "", NULL),
	E("C_Login", 0, 0, 0, 1, N, 1, "", NULL),
	E("C_GetTokenInfo", N, 1, 0, N, 1, N, "", "[out] pInfo: \n    label: \"cut\"\n"),
};

/* The proxy's own calls: two C_GetSlotList when it starts, and two for
 * each of the application's. */
static const struct exp proxy_exp[] = {
	E("C_Initialize", 0, 0, 0, N, N, N, "", NULL),
	E("C_GetSlotList", 0, 0, 0, N, N, N, "", "[out] pSlotList = NULL\n[out] *pulCount = 0x1"),
	E("C_GetSlotList", 0, 0, 0, N, N, N, "", "[out] pSlotList[1]: \n    Slot 0x0\n[out] *pulCount = 0x1"),
	E("C_GetSlotList", 0, 0, 0, N, N, N, "", NULL),
	E("C_GetSlotList", 0, 0, 0, N, N, N, "", NULL),
	E("C_GetSlotList", 0, 0, 0, N, N, N, "", NULL),
	E("C_GetSlotList", 0, 0, 0, N, N, N, "", NULL),
	E("C_GetSlotInfo", 0, 0, 0, N, 0, N, "", "    slotDescription: \"SoftHSM slot ID 0x0\""),
	E("C_GetTokenInfo", 0, 0, 0, N, 0, N, "", "    utcTime: \\x00(p11-kit:%d) \\x00U"),
	E("C_Finalize", 0, 0, 0, N, N, N, "", NULL),
};

static const struct fixture fixtures[] = {
	{ FX "pins.log", 0, 64, sizeof pins_exp / sizeof pins_exp[0], pins_exp },
	{ FX "values.log", 0, 145, sizeof values_exp / sizeof values_exp[0], values_exp },
	{ FX "threads.log", 0, 64, sizeof threads_exp / sizeof threads_exp[0], threads_exp },
	{ FX "killed.log", 1, 44, sizeof killed_exp / sizeof killed_exp[0], killed_exp },
	{ FX "truncated.log", 4, 17, sizeof truncated_exp / sizeof truncated_exp[0], truncated_exp },
	{ FX "proxy-list.log", 0, 71, sizeof proxy_exp / sizeof proxy_exp[0], proxy_exp },
};

static int check_event(const char *file, int i, const struct hs_event *e, const struct exp *x)
{
	char keys[256];
	int fails = hs_t_fail;

	keys_of(e, " ", keys, sizeof keys);
	CHECK(strcmp(e->func, x->func) == 0);
	CHECK(e->rv == x->rv);
	CHECK(e->incomplete == x->incomplete);
	CHECK(e->instance == x->instance);
	CHECK(e->session == x->session);
	CHECK(e->slot == x->slot);
	CHECK(e->user_type == x->user);
	CHECK(strcmp(keys, x->keys) == 0);
	CHECK(!x->has || strstr(hs_buf_cstr(&e->detail), x->has) != NULL);
	CHECK(e->ts_us == N && e->dur_us == N && e->pid == N && e->tid == N);
	CHECK(strcmp(e->format, "p11kit") == 0 && e->file_id == 3);
	if (hs_t_fail != fails)
		fprintf(stderr, "  %s event %d: %s rv %lld inc %d inst %lld session %lld slot %lld "
		        "user %lld keys '%s'\n%s\n", file, i, e->func, (long long)e->rv, e->incomplete,
		        (long long)e->instance, (long long)e->session, (long long)e->slot,
		        (long long)e->user_type, keys, hs_buf_cstr(&e->detail));
	return hs_t_fail == fails;
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
	parse(buf, len, (size_t)st->safe_offset, st->safe_line, st->state, &g, &st2);
	CHECK(g.n == full->n - first);
	for (i = 0; i < g.n && first + i < full->n; i++) {
		const struct hs_event *a = &g.ev[i], *b = &full->ev[first + i];
		CHECK(strcmp(a->func, b->func) == 0 && a->line == b->line && a->offset == b->offset);
		CHECK(a->instance == b->instance && a->rv == b->rv && a->incomplete == b->incomplete);
		CHECK(a->session == b->session && a->slot == b->slot);
		CHECK(strcmp(hs_buf_cstr(&a->detail), hs_buf_cstr(&b->detail)) == 0);
	}
	CHECK(st2.safe_offset == st->safe_offset && strcmp(st2.state, st->state) == 0);
	if (hs_t_fail != fails)
		fprintf(stderr, "  resume of %s at %lld (\"%s\"): %d events, wanted %d\n", name,
		        (long long)st->safe_offset, st->state, g.n, full->n - first);
	got_free(&g);
}

/* A log read in two parts, cut at line `cut` (a growing capture read
 * while it was written): the first part's events before its safe point,
 * then the events of a parse resumed there over the whole log, are the
 * events of one full parse. */
static void check_two_parts(const char *name, const char *buf, size_t len, int64_t cut)
{
	struct got full, a, b;
	struct hs_parse_stats sf, sa, sb;
	int64_t off = line_offset(buf, len, cut);
	int i, k = 0, fails = hs_t_fail;

	if (off < 0)
		return;
	parse(buf, len, 0, 1, NULL, &full, &sf);
	parse(buf, (size_t)off, 0, 1, NULL, &a, &sa);
	parse(buf, len, (size_t)sa.safe_offset, sa.safe_line, sa.state, &b, &sb);
	for (i = 0; i < a.n; i++)
		if (a.ev[i].offset < sa.safe_offset) {
			CHECK(k < full.n && strcmp(a.ev[i].func, full.ev[k].func) == 0 &&
			      a.ev[i].instance == full.ev[k].instance && a.ev[i].rv == full.ev[k].rv &&
			      a.ev[i].line == full.ev[k].line);
			k++;
		}
	CHECK(k + b.n == full.n);
	for (i = 0; i < b.n && k + i < full.n; i++) {
		const struct hs_event *x = &b.ev[i], *y = &full.ev[k + i];
		CHECK(strcmp(x->func, y->func) == 0 && x->line == y->line && x->instance == y->instance &&
		      x->rv == y->rv && x->incomplete == y->incomplete && x->session == y->session &&
		      strcmp(hs_buf_cstr(&x->detail), hs_buf_cstr(&y->detail)) == 0);
	}
	if (hs_t_fail != fails)
		fprintf(stderr, "  %s cut at line %lld: %d + %d events, wanted %d\n", name, (long long)cut,
		        k, b.n, full.n);
	got_free(&full);
	got_free(&a);
	got_free(&b);
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
		CHECK(st.safe_line == fx->safe_line);
		CHECK(st.safe_offset == (line_offset(buf, len, fx->safe_line) < 0 ? (int64_t)len :
		                         line_offset(buf, len, fx->safe_line)));
		if (g.n != fx->nexp || st.skipped != fx->skipped || st.safe_line != fx->safe_line)
			fprintf(stderr, "  %s: %d events, %lld skipped (%s), safe line %lld\n", fx->file, g.n,
			        (long long)st.skipped, g.why, (long long)st.safe_line);
		for (i = 0; i < g.n && i < fx->nexp; i++)
			check_event(fx->file, i, &g.ev[i], &fx->exp[i]);
		check_resume(fx->file, buf, len, &g, &st);
		for (i = 2; i < 60; i += 3)
			check_two_parts(fx->file, buf, len, i);
		got_free(&g);
		free(buf);
	}
}

/* ------------------------------------------------------ real captures */

/* One event per call line, one return per return line; `inst` processes. */
static void check_capture(const char *path, int64_t inst, int64_t skipped)
{
	struct got g;
	struct hs_parse_stats st;
	size_t len;
	char *buf = slurp(path, &len);
	int i, rets = 0, fails = hs_t_fail;

	CHECK(buf != NULL);
	if (!buf)
		return;
	parse(buf, len, 0, 1, NULL, &g, &st);
	CHECK(g.n == count_lines(buf, len, "C_", 1));
	for (i = 0; i < g.n; i++)
		rets += !g.ev[i].incomplete;
	CHECK(rets == count_lines(buf, len, "C_", 2) - count_lines(buf, len, "C_", 1));
	CHECK(st.incomplete == 0 && g.n > 0 && g.ev[g.n - 1].instance == inst - 1);
	CHECK(st.skipped == skipped);
	check_resume(path, buf, len, &g, &st);
	for (i = 10; i < 3000; i += 97)
		check_two_parts(path, buf, len, i);
	if (hs_t_fail != fails)
		fprintf(stderr, "  %s: %d events, %lld skipped (%s), last instance %lld\n", path, g.n,
		        (long long)st.skipped, g.why, g.n ? (long long)g.ev[g.n - 1].instance : -1LL);
	got_free(&g);
	free(buf);
}

static void test_captures(void)
{
	check_capture(FX "basic.log", 8, 6);    /* pkcs11-tool's own messages */
	check_capture(FX "quirks.log", 11, 8);
	check_capture(FX "modules.log", 1, 0);  /* three modules, one process */
	check_capture(FX "proxy-list.log", 1, 0);
}

/* basic.log (p11-kit behind the proxy) and basic-spy.log (the spy in
 * front of the proxy) recorded one workload at once. The proxy adds
 * C_GetSlotList calls (two at start, two per application call), the spy
 * alone sees C_GetInterface; everything else is call for call the same:
 * function, return code, process, and session opened and closed. Handles
 * differ (the proxy renumbers slots and sessions), so sessions are
 * compared by their order of opening within each process. */
static int skip_for_cross(const struct hs_event *e)
{
	return strcmp(e->func, "C_GetSlotList") == 0 || strcmp(e->func, "C_GetInterface") == 0;
}

static void test_cross_tracer(void)
{
	struct got a, b;
	struct hs_parse_stats sa, sb;
	size_t la, lb;
	char *ba = slurp(FX "basic.log", &la), *bb = slurp(FX "basic-spy.log", &lb);
	int i = 0, j = 0, same = 1, na = 0, nb = 0, gsa = 0, gsb = 0, fails = hs_t_fail;
	int64_t sess_a = 0, sess_b = 0;

	CHECK(ba && bb);
	if (!ba || !bb) {
		free(ba);
		free(bb);
		return;
	}
	parse_with(P, &fixture_opts, ba, la, 0, 1, NULL, &a, &sa);
	parse_with(&hs_parser_spy, &fixture_opts, bb, lb, 0, 1, NULL, &b, &sb);
	while (same) {
		while (i < a.n && skip_for_cross(&a.ev[i]))
			gsa += strcmp(a.ev[i++].func, "C_GetSlotList") == 0;
		while (j < b.n && skip_for_cross(&b.ev[j]))
			gsb += strcmp(b.ev[j++].func, "C_GetSlotList") == 0;
		if (i == a.n || j == b.n)
			break;
		same = strcmp(a.ev[i].func, b.ev[j].func) == 0 && a.ev[i].rv == b.ev[j].rv &&
		       a.ev[i].instance == b.ev[j].instance && a.ev[i].incomplete == b.ev[j].incomplete &&
		       (a.ev[i].session == N) == (b.ev[j].session == N);
		if (!same)
			fprintf(stderr, "  cross: p11kit %d %s %lld vs spy %d %s %lld\n", i, a.ev[i].func,
			        (long long)a.ev[i].rv, j, b.ev[j].func, (long long)b.ev[j].rv);
		if (strcmp(a.ev[i].func, "C_OpenSession") == 0 && a.ev[i].ok)
			sess_a++, sess_b++;
		/* within a process, one session handle on each side, never mixed */
		if (a.ev[i].session != N)
			na++, nb += b.ev[j].session != N;
		i++, j++;
	}
	CHECK(same && i == a.n && j == b.n);
	CHECK(na == nb && na > 0 && sess_a == 7 && sess_a == sess_b);
	CHECK(gsa == 3 * gsb);  /* 2 at start + 2 for each of the application's 2 */
	CHECK(a.ev[a.n - 1].instance == b.ev[b.n - 1].instance && a.ev[a.n - 1].instance == 7);
	if (hs_t_fail != fails)
		fprintf(stderr, "  cross: %d/%d vs %d/%d events, slot lists %d vs %d\n", i, a.n, j, b.n,
		        gsa, gsb);
	got_free(&a);
	got_free(&b);
	free(ba);
	free(bb);
}

/* ---------------------------------------------------- detect, redaction */

static void test_detect(void)
{
	const struct hs_parser_desc *const *all = hs_detect_parsers();
	static const char *const junk[] = {
		"$ pkcs11-tool --module /usr/lib/x86_64-linux-gnu/p11-kit-proxy.so -L",
		"Using slot with index 0 (0x11)",
		"warning: PKCS11 function C_GetAttributeValue(VALUE) failed: rv = CKR_ATTRIBUTE_SENSITIVE (0x11)",
		"",
		"C_Login failed, see below",
		"C_Initialize",
		"  IN: pInitArgs = NULL",
		"C_Initialize = CKR_OK",
		"C_OpenSession",
		"  IN: slotID = SL0",
		" OUT: phSession = 0x7FFCD69A0550 = S1",
		"C_OpenSession = CKR_OK",
	};
	static const char *const words[] = { "C_Initialize", "C_Finalize", "some text", "C_Login" };
	int i, n, score;

	for (i = 0; P->samples[i]; i++)
		;
	CHECK(hs_detect(P->samples, i, &score) == P && score >= 75);
	CHECK(hs_detect(junk, 12, &score) == P && score >= 60);
	CHECK(hs_detect_probe(P, words, 4) == 0); /* function names alone are no log */
	for (i = 0; all[i]; i++) {
		if (all[i] == P)
			continue;
		for (n = 0; all[i]->samples[n]; n++)
			;
		CHECK(hs_detect_probe(P, all[i]->samples, n) == 0);
		CHECK(hs_detect_probe(all[i], P->samples, 8) < HS_DETECT_MIN_SCORE);
		CHECK(hs_detect_probe(all[i], junk, 12) < HS_DETECT_MIN_SCORE);
	}
}

/* The fixtures through hs_pipeline_run: detected from content, and no PIN,
 * in no form, in any detail or summary. */
static void test_redaction(void)
{
	static const char *const files[] = { FX "pins.log", FX "basic.log", FX "quirks.log",
		FX "killed.log", FX "truncated.log" };
	static const char *const pins[] = { "so-pin-8642", "user-pin-1357", "wrong-pin-0000",
		"new-user-pin-2468", "user-pin-2468", "long-pin-012345", "pi\"n\\x",
		/* hex as the dumps write it */
		"73 6F 2D 70 69 6E", "75 73 65 72 2D 70 69 6E", "77 72 6F 6E 67", "6C 6F 6E 67 2D 70",
		"70 69 22 6E 5C 78" };
	size_t f, k;

	for (f = 0; f < sizeof files / sizeof files[0]; f++) {
		struct got g;
		struct hs_parse_stats st;
		struct hs_sink sink = { .ctx = &g, .on_event = on_event, .on_skip = on_skip };
		struct hs_pipeline_input in;
		struct hs_error err;
		const struct hs_parser_desc *d = NULL;
		int i;

		CHECK(hs_pipeline_detect(files[f], &d, &err) == 0 && d == P);
		memset(&in, 0, sizeof in);
		memset(&g, 0, sizeof g);
		in.path = files[f];
		in.parser = P;
		CHECK(hs_pipeline_run(&in, &sink, &st, &err) == 0);
		got_keep_state(&g, &st);
		CHECK(g.n > 0);
		for (i = 0; i < g.n; i++) {
			const char *det = hs_buf_cstr(&g.ev[i].detail);
			for (k = 0; k < sizeof pins / sizeof pins[0]; k++) {
				CHECK(!strstr(det, pins[k]) && !strstr(g.ev[i].summary, pins[k]));
				if (strstr(det, pins[k]))
					fprintf(stderr, "  %s: '%s' in event %d:\n%s\n", files[f], pins[k], i, det);
			}
		}
		got_free(&g);
	}
}

/* ------------------------------------------------------ hostile lines */

static void feed_all(const char *const *lines, int n, const size_t *lens, struct got *g,
                     struct hs_parse_stats *st)
{
	feed_lines_with(P, &lines_opts, lines, n, lens, g, st);
}

static void test_hostile(void)
{
	static const char nul_line[] = "  IN: pPin = (4) \"a\0b\"";
	static const char *const odd[] = {
		"C_", "C_Login", "  IN: hSession = S99999999999999999999999999", "  IN: pPin = (18446744073709551615) \"x",
		"  IN: pPin = (3) \"\\x", "  IN: pTemplate = (5) [ CKA_CLASS, ", " OUT:", " OUT: x = (1) [ { CKA_",
		" OUT: pTemplate = (2) [ { CKA_LABEL = (99999999999) \"ab\" }, { = } ]", "\t", "      }",
		"C_Login = CKR_", "C_Login = CKR_OK", "C_Login = CKR_OK", " OUT: orphan = 1",
		"C_Logout = CKR_0xFFFFFFFFFFFFFFFFFF", "  IN: hSession = S1",
	};
	const char *nul[3] = { "C_Login", nul_line, "C_Login = CKR_OK" };
	size_t nul_lens[3] = { 7, sizeof nul_line - 1, 16 };
	struct got g;
	struct hs_parse_stats st;
	struct hs_buf big;
	const char *bigl[4];
	int i;

	feed_all(nul, 3, nul_lens, &g, &st);
	CHECK(g.n == 1 && g.ev[0].rv == 0 && strstr(hs_buf_cstr(&g.ev[0].detail), "[in] pPin / 3") != NULL);
	got_free(&g);
	feed_all(odd, (int)(sizeof odd / sizeof odd[0]), NULL, &g, &st);
	CHECK(g.n == 1 && g.ev[0].rv == 0 && st.skipped >= 5);
	got_free(&g);
	/* a 10 MB line of IN and of OUT, and a huge template: bounded, no hang */
	hs_buf_init(&big);
	hs_buf_adds(&big, "  IN: pData = (10000000) \"");
	for (i = 0; i < 1000000; i++)
		hs_buf_adds(&big, "\\x41ABCDEFG");
	bigl[0] = "C_Sign";
	bigl[1] = hs_buf_cstr(&big);
	bigl[2] = bigl[1] + 1; /* " IN: ..." is no OUT line: skipped */
	bigl[3] = "C_Sign = CKR_OK";
	feed_all(bigl, 4, NULL, &g, &st);
	CHECK(g.n == 1 && g.ev[0].rv == 0 && g.ev[0].detail.len <= HS_EVENT_DETAIL_MAX + 4096);
	got_free(&g);
	hs_buf_free(&big);
	hs_buf_init(&big);
	hs_buf_adds(&big, " OUT: pTemplate = (300000) [");
	for (i = 0; i < 300000; i++)
		hs_buf_adds(&big, i ? ", { CKA_LABEL = (3) \"abc\" }" : " { CKA_LABEL = (3) \"abc\" }");
	hs_buf_adds(&big, " ]");
	bigl[0] = "C_GetAttributeValue";
	bigl[1] = hs_buf_cstr(&big);
	bigl[2] = "C_GetAttributeValue = CKR_OK";
	feed_all(bigl, 3, NULL, &g, &st);
	CHECK(g.n == 1 && g.ev[0].detail.len <= HS_EVENT_DETAIL_MAX + 4096 && g.ev[0].elided_lines > 0);
	got_free(&g);
	hs_buf_free(&big);
	/* more calls open at once than the queue holds: the oldest leave */
	{
		const char *many[600];
		for (i = 0; i < 600; i++)
			many[i] = "C_WaitForSlotEvent";
		feed_all(many, 600, NULL, &g, &st);
		CHECK(g.n == 600 && st.incomplete == 600);
		got_free(&g);
	}
}

int main(void)
{
	test_fixtures();
	test_captures();
	test_cross_tracer();
	test_detect();
	test_redaction();
	test_hostile();
	TEST_END();
}
