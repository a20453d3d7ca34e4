/* test_spy.c — the OpenSC pkcs11-spy parser, driven through its descriptor
 * as the pipeline drives it: each fixture (test/fixtures/spy/, paths
 * relative to the repository root) is split into lines the way reader.c
 * does ("\n", and a "\r" before it, removed), every line is handed over in
 * a buffer of exactly its length (so an over-read shows under valgrind),
 * and the events are copied out of on_event.
 *
 * Table-driven: for every fixture the exact events (function, call number,
 * return value and name, ok, incomplete, timestamp, pid, tid, instance,
 * session, slot, user type, handles, summary, detail lines, skipped lines).
 * A detail is given either as text or as the fixture's line numbers ("8,
 * 13-17"), which the test reads from the fixture with trailing blanks cut.
 * Then, for every fixture and real capture: re-parsing from finish()'s
 * safe_offset with its state rebuilds exactly the events from there on;
 * the real captures (share/samples, and /tmp/cap when present) give one
 * event per "N: " header and one return per "Returned:". Also: resume of a
 * growing capture, a few single lines, probe scores, the reader path.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"
#include "harness.h"
#include "hsmscope/detect.h"
#include "parsetest.h"

extern const struct hs_parser_desc hs_parser_spy;
#define P (&hs_parser_spy)
#define FX "test/fixtures/spy/"
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

/* Append fixture lines "a-b,c" (trailing blanks cut, as the parser keeps
 * them) to out, '\n'-separated. */
static void lines_of(const char *buf, size_t len, const char *spec, struct hs_buf *out)
{
	const char *s = spec;

	while (*s) {
		long a = strtol(s, (char **)&s, 10), b = a, l;
		if (*s == '-')
			b = strtol(s + 1, (char **)&s, 10);
		for (l = a; l <= b; l++) {
			int64_t off = line_offset(buf, len, l);
			const char *p = buf + off, *nl = memchr(p, '\n', len - (size_t)off);
			size_t n = nl ? (size_t)(nl - p) : len - (size_t)off;
			while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
				n--;
			if (out->len)
				hs_buf_addc(out, '\n');
			hs_buf_add(out, p, n);
		}
		while (*s == ',' || *s == ' ')
			s++;
	}
}

/* "YYYY-MM-DD HH:MM:SS.mmm" read as the civil time it says, or N for NULL. */
static int64_t ts_of(const char *s)
{
	int y, mo, d, h, mi, sec, ms;

	if (!s || sscanf(s, "%d-%d-%d %d:%d:%d.%d", &y, &mo, &d, &h, &mi, &sec, &ms) != 7)
		return N;
	return hs_civil_to_us(y, mo, d, h, mi, sec, ms * 1000L);
}

/* ------------------------------------------------------------- tables */

struct exp {
	const char *func;
	int64_t call_no, line, instance;
	int64_t rv;
	const char *rv_name;
	int ok, incomplete;
	const char *ts;             /* NULL: none */
	int64_t pid, tid, session, slot, user_type;
	int64_t skipped;            /* ev.skipped_lines */
	const char *keys;           /* "role=0xN,..." */
	const char *summary;        /* NULL: not checked */
	const char *dlines;         /* detail as fixture lines, or NULL */
	const char *detail;         /* detail as text, when dlines is NULL */
};

struct fixture {
	const char *file;
	int nexp;
	const struct exp *exp;
	int64_t skipped, incomplete; /* stats */
	const char *why;            /* skip reasons, in order of first use */
	int64_t safe_line;          /* finish(): line of safe_offset */
};

#define OK 0, "CKR_OK", 1, 0
#define NOLOG N, N, N           /* no session, slot, user type */
#define T1 5001, 140210071299904LL
#define T2 5001, 140210062907200LL

static const struct exp old_header[] = {
	{ "C_Initialize", 0, 6, 0, OK, "2026-11-22 12:03:09.513", N, N, NOLOG, 0, "", "", "8", NULL },
	{ "C_OpenSession", 1, 11, 0, OK, "2026-11-22 12:03:09.515", N, N, 1, 0x54373e5b, N, 0, "",
	  "slot=0x54373e5b session=0x1", "13-17", NULL },
	{ "C_Login", 2, 20, 0, OK, "2026-11-22 12:03:09.516", N, N, 1, N, 1, 0, "",
	  "session=0x1 user=CKU_USER", "22-25", NULL },
	{ "C_FindObjectsInit", 3, 28, 0, OK, "2026-11-22 12:03:09.517", N, N, 1, N, N, 0, "",
	  "session=0x1 label=\"basic-rsa\"", "30-35", NULL },
	{ "C_FindObjects", 4, 38, 0, OK, "2026-11-22 12:03:09.517", N, N, 1, N, N, 0, "found=0x3",
	  "session=0x1 found=0x3 found=1", "40-43", NULL },
	{ "C_Logout", 5, 46, 0, 257, "CKR_USER_NOT_LOGGED_IN", 0, 0, "2026-11-22 12:03:09.518", N, N, 1, N, N,
	  0, "", "session=0x1", "48", NULL },
};

static const struct exp new_header[] = {
	{ "C_Initialize", 0, 6, 0, OK, "2026-11-22 11:49:27.785", 30222, 139821603928128LL, NOLOG, 0, "", "",
	  "8", NULL },
	{ "C_GetSlotList", 1, 11, 0, OK, "2026-11-22 11:49:27.786", 30222, 139821603928128LL, NOLOG, 0, "", "",
	  "13-16", NULL },
	{ "C_OpenSession", 2, 19, 0, OK, "2026-11-22 11:49:27.787", 30222, 139821603928128LL, 2, 0, N, 0, "",
	  "slot=0x0 session=0x2", "21-25", NULL },
	{ "C_Login", 3, 28, 0, OK, "2026-11-22 11:49:27.788", 30222, 139821603928128LL, 2, N, 0, 0, "",
	  "session=0x2 user=CKU_SO", "30-33", NULL },
	{ "C_InitPIN", 4, 36, 0, OK, "2026-11-22 11:49:27.790", 30222, 139821603928128LL, 2, N, N, 0, "",
	  "session=0x2", "38-40", NULL },
	{ "C_CloseSession", 5, 43, 0, OK, "2026-11-22 11:49:27.791", 30222, 139821603928128LL, 2, N, N, 0, "",
	  "session=0x2", "45", NULL },
};

/* Three processes; the last two start together and interleave, so only
 * their call numbers tell them apart. */
static const struct exp banner_calls[] = {
	{ "C_Initialize", 0, 6, 0, OK, "2026-11-22 12:00:00.000", N, N, NOLOG, 0, "", "", "8", NULL },
	{ "C_GetInfo", 1, 11, 0, OK, "2026-11-22 12:00:00.001", N, N, NOLOG, 0, "", "", NULL, "" },
	{ "C_Finalize", 2, 15, 0, OK, "2026-11-22 12:00:00.002", N, N, NOLOG, 0, "", "", "17", NULL },
	{ "C_Initialize", 0, 26, 2, OK, "2026-11-22 12:00:01.000", N, N, NOLOG, 0, "", "", "28", NULL },
	{ "C_Initialize", 0, 31, 1, OK, "2026-11-22 12:00:01.001", N, N, NOLOG, 0, "", "", "33", NULL },
	/* both counts are at 1: nothing in the log says whose each "1:" is;
	 * the parser takes the process whose chunk ended last (the spy flushes
	 * at each return, and a thread's next call often follows its return) */
	{ "C_Finalize", 1, 36, 1, OK, "2026-11-22 12:00:01.002", N, N, NOLOG, 0, "", "", "38", NULL },
	{ "C_Finalize", 1, 41, 2, 5, "CKR_GENERAL_ERROR", 0, 0, "2026-11-22 12:00:01.003", N, N, NOLOG, 0, "",
	  "", "43", NULL },
};

/* Two threads: returns go to the oldest open call, dump lines to the dump
 * they continue, and thread 2 starting #7 ends its unreturned #6. */
static const struct exp threads[] = {
	{ "C_Initialize", 0, 6, 0, OK, "2026-11-22 12:35:02.341", T1, NOLOG, 0, "", "", "8", NULL },
	{ "C_OpenSession", 1, 11, 0, OK, "2026-11-22 12:35:02.347", T1, 1, 0xbfd5352, N, 0, "",
	  "slot=0xbfd5352 session=0x1", "13-17", NULL },
	{ "C_OpenSession", 2, 20, 0, OK, "2026-11-22 12:35:02.347", T2, 2, 0xbfd5352, N, 0, "",
	  "slot=0xbfd5352 session=0x2", "22-25,33", NULL },
	{ "C_SignInit", 3, 27, 0, OK, "2026-11-22 12:35:02.347", T1, 1, N, N, 0, "hKey=0x2",
	  "session=0x1 mech=CKM_SHA256_RSA_PKCS hKey=0x2", "29-32", NULL },
	{ "C_Sign", 4, 37, 0, OK, "2026-11-22 12:35:02.348", T1, 1, N, N, 0, "", "session=0x1",
	  "39-41,49-52", NULL },
	{ "C_SignInit", 5, 42, 0, 130, "CKR_KEY_HANDLE_INVALID", 0, 0, "2026-11-22 12:35:02.348", T2, 2, N, N,
	  0, "hKey=0x9", "session=0x2 mech=CKM_SHA256_RSA_PKCS hKey=0x9", "44-47", NULL },
	{ "C_GetSessionInfo", 6, 56, 0, N, "", 0, 1, "2026-11-22 12:35:02.349", T2, 2, N, N, 0, "",
	  "session=0x2", "58", NULL },
	{ "C_CloseSession", 7, 60, 0, OK, "2026-11-22 12:35:02.350", T2, 2, N, N, 0, "", "session=0x2", "62",
	  NULL },
	{ "C_CloseSession", 8, 65, 0, OK, "2026-11-22 12:35:02.350", T1, 1, N, N, 0, "", "session=0x1", "67",
	  NULL },
};

static const struct exp truncated[] = {
	{ "C_Initialize", 0, 6, 0, OK, "2026-11-22 12:35:03.716", N, N, NOLOG, 0, "", "", "8", NULL },
	{ "C_GetSlotList", 1, 11, 0, OK, "2026-11-22 12:35:03.718", N, N, NOLOG, 0, "", "", "13-17", NULL },
	{ "C_GenerateKeyPair", 2, 21, 0, N, "", 0, 1, "2026-11-22 12:35:03.725", N, N, 1, N, N, 1, "",
	  "session=0x1 mech=CKM_RSA_PKCS_KEY_PAIR_GEN label=\"killed-rsa\"", "23-35", NULL },
};

/* Prose, prompts, elisions, a tool's warning, a ruler and blank padding
 * around and inside calls: each skipped and charged to the call it
 * interrupts or to the next call. */
static const struct exp junk[] = {
	{ "C_Initialize", 0, 7, 0, OK, "2026-11-22 12:35:03.716", N, N, NOLOG, 2, "", "", "9", NULL },
	{ "C_Sign", 7, 16, 0, OK, "2026-11-22 12:35:03.801", N, N, 1, N, N, 3, "", "session=0x1",
	  "18-22,24", NULL },
	{ "C_Logout", 8, 32, 0, OK, "2026-11-22 12:35:03.802", N, N, 1, N, N, 3, "", "session=0x1", "34", NULL },
};

static const struct exp glued[] = {
	{ "C_GetMechanismInfo", 11, 6, 0, 112, "CKR_MECHANISM_INVALID", 0, 0, "2026-11-22 12:35:03.477", N, N, N,
	  0x2183fb2f, N, 0, "", "slot=0x2183fb2f mech=0x80001234", NULL,
	  "[in] slotID = 0x2183fb2f\n[in] type = 0x80001234" },
	{ "C_GetMechanismInfo", 12, 11, 0, OK, "2026-11-22 12:35:03.477", N, N, N, 0x2183fb2f, N, 0, "",
	  "slot=0x2183fb2f mech=CKM_SHA_1", NULL,
	  "[in] slotID = 0x2183fb2f\n[in] type = CKM_SHA_1\n[out] pInfo:\n"
	  "CKM_SHA_1                     : min:0 max:0 flags:0x400 ( Digest )" },
};

/* Thread 2's Returned lands at the end of thread 1's last dump line. */
static const struct exp midline[] = {
	{ "C_Sign", 0, 6, 0, OK, "2026-11-22 13:00:00.100", 7001, 140000000000001LL, 1, N, N, 0, "",
	  "session=0x1", NULL,
	  "[in] hSession = 0x1\n"
	  "[in] pData[ulDataLen] 00007f0000001000 / 4\n"
	  "    00000000  64 61 74 61                                      data\n"
	  "[out] pSignature[*pulSignatureLen] 00007f0000002000 / 32\n"
	  "    00000000  41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50  ABCDEFGHIJKLMNOP\n"
	  "    00000010  51 52 53 54 55 56 57 58 59 5A 5B 5C 5D 5E 5F 60  QRSTUVWXYZ[\\]^_`" },
	{ "C_DigestInit", 1, 12, 0, OK, "2026-11-22 13:00:00.101", 7001, 140000000000002LL, 2, N, N, 0, "",
	  "session=0x2 mech=CKM_SHA256", "14-16", NULL },
	{ "C_EncryptInit", 2, 23, 0, OK, "2026-11-22 13:00:00.200", 7001, 140000000000001LL, 1, N, N, 0,
	  "hKey=0x10", "session=0x1 mech=CKM_AES_CBC_PAD hKey=0x10", "25-27", NULL },
	{ "C_Digest", 3, 29, 0, OK, "2026-11-22 13:00:00.201", 7001, 140000000000002LL, 2, N, N, 0, "",
	  "session=0x2", NULL,
	  "[in] hSession = 0x2\n"
	  "[in] pData[ulDataLen] 00007f0000003000 / 16\n"
	  "    00000000  64 69 67 65 73 74 2D 6D 65\n"
	  " 73 73 61 67 65 2D 30  digest-message-0\n"
	  "[out] pDigest[*pulDigestLen] 00007f0000004000 / 4\n"
	  "    00000000  DE AD BE EF                                      ...." },
};

static const struct exp setopstate[] = {
	{ "C_GetOperationState", 82, 6, 0, 84, "CKR_FUNCTION_NOT_SUPPORTED", 0, 0, "2026-11-22 12:35:03.585", N,
	  N, 2, N, N, 0, "", "session=0x2", "8", NULL },
	{ "C_SetOperationState", 83, 11, 0, 84, "CKR_FUNCTION_NOT_SUPPORTED", 0, 0, "2026-11-22 12:35:03.585", N,
	  N, 2, N, N, 0, "hEncryptionKey=0x0,hAuthenticationKey=0x0",
	  "session=0x2 hEncryptionKey=0x0 hAuthenticationKey=0x0", "13-17", NULL },
};

static const struct exp null_rv[] = {
	{ "C_SetPIN", 0, 6, 0, 440, "CKR_PIN_TOO_WEAK", 0, 0, "2026-11-22 12:35:03.600", N, N, 2, N, N, 0, "",
	  "session=0x2", "8-12", NULL },
	{ "C_GenerateRandom", 1, 15, 0, 0x80000101, "0x80000101", 0, 0, "2026-11-22 12:35:03.601", N, N, 2, N,
	  N, 0, "", "session=0x2", "17", NULL },
	{ "C_Logout", 2, 20, 0, OK, "2026-11-22 12:35:03.602", N, N, 2, N, N, 0, "", "session=0x2", "22", NULL },
};

/* A log cut in the middle of a call (its tail and a Returned with no call
 * are skipped), then a new process: the cut part is instance 0. */
static const struct exp orphan[] = {
	{ "C_Logout", 12, 6, 0, OK, "2026-11-22 12:40:00.000", N, N, 1, N, N, 3, "", "session=0x1", "8", NULL },
	{ "C_Initialize", 0, 16, 1, OK, "2026-11-22 12:41:00.000", N, N, NOLOG, 1, "", "", "18", NULL },
};

static const struct exp header_eof[] = {
	{ "C_Initialize", 0, 6, 0, OK, "2026-11-22 12:50:00.000", N, N, NOLOG, 0, "", "", "8", NULL },
	{ "C_Finalize", 1, 11, 0, N, "", 0, 1, NULL, N, N, NOLOG, 0, "", "", NULL, "" },
};

/* print_print over 32 bytes glues the next chunk's hex onto the ASCII
 * line; exactly 32 bytes leaves a line of blanks; the label is decoded
 * whole for the summary. */
static const struct exp print_long[] = {
	{ "C_CreateObject", 0, 6, 0, OK, "2026-11-22 13:10:00.000", N, N, 1, N, N, 0, "phObject=0x11",
	  "session=0x1 phObject=0x11 label=\"a-very-long-label-for-the-signing-key-01\"", "8-17,19-21", NULL },
};

static const struct fixture fixtures[] = {
	{ FX "old-header.log", 6, old_header, 0, 0, "", 50 },
	{ FX "crlf.log", 6, old_header, 0, 0, "", 50 },
	{ FX "new-header.log", 6, new_header, 0, 0, "", 47 },
	/* safe line 36: "1: C_Finalize" there is a guess between two processes
	 * (both at 0) that a later buffer could still move: a refresh re-reads it */
	{ FX "banners.log", 7, banner_calls, 0, 0, "", 36 },
	{ FX "threads-new.log", 9, threads, 0, 1, "", 69 },
	{ FX "truncated.log", 3, truncated, 1, 1, "text outside any call|", 21 },
	{ FX "junk.log", 3, junk, 9, 0,
	  "text outside any call|shell prompt|elision|tool message|ruler|", 40 },
	{ FX "glued.log", 2, glued, 0, 0, "", 17 },
	{ FX "midline.log", 4, midline, 0, 0, "", 38 },
	{ FX "setopstate.log", 2, setopstate, 0, 0, "", 19 },
	{ FX "null-rv.log", 3, null_rv, 0, 0, "", 24 },
	{ FX "orphan.log", 2, orphan, 4, 0, "text outside any call|'Returned:' without a call|", 20 },
	{ FX "header-eof.log", 2, header_eof, 0, 1, "", 11 },
	{ FX "print-long.log", 1, print_long, 0, 0, "", 23 },
};

static int check_event(const char *file, int i, const struct hs_event *e, const struct exp *x,
                       const char *buf, size_t len)
{
	struct hs_buf want;
	char keys[256];
	int fails = hs_t_fail;

	hs_buf_init(&want);
	if (x->dlines)
		lines_of(buf, len, x->dlines, &want);
	else
		hs_buf_adds(&want, x->detail);
	keys_of(e, ",", keys, sizeof keys);
	CHECK(strcmp(e->func, x->func) == 0);
	CHECK(e->call_no == x->call_no);
	CHECK(e->line == x->line);
	CHECK(e->offset == line_offset(buf, len, x->line));
	CHECK(e->instance == x->instance);
	CHECK(e->rv == x->rv);
	CHECK(strcmp(e->rv_name, x->rv_name) == 0);
	CHECK(e->ok == x->ok);
	CHECK(e->incomplete == x->incomplete);
	CHECK(e->ts_us == ts_of(x->ts));
	CHECK(e->ts_utc == 0);
	CHECK(e->pid == x->pid);
	CHECK(e->tid == x->tid);
	CHECK(e->session == x->session);
	CHECK(e->slot == x->slot);
	CHECK(e->user_type == x->user_type);
	CHECK(e->skipped_lines == x->skipped);
	CHECK(strcmp(keys, x->keys) == 0);
	CHECK(!x->summary || strcmp(e->summary, x->summary) == 0);
	CHECK(strcmp(hs_buf_cstr(&e->detail), hs_buf_cstr(&want)) == 0);
	CHECK(e->file_id == 3 && strcmp(e->format, "spy") == 0 && e->dur_us == N);
	if (hs_t_fail != fails)
		fprintf(stderr, "  in %s event %d (%s #%lld): summary \"%s\" keys \"%s\"\n  detail:\n%s\n"
		        "  wanted:\n%s\n", file, i, e->func, (long long)e->call_no, e->summary, keys,
		        hs_buf_cstr(&e->detail), hs_buf_cstr(&want));
	hs_buf_free(&want);
	return hs_t_fail == fails;
}

/* Re-parsing from where finish() says a refresh must start, with its
 * state, gives the same events as the full parse from there on. */
static void check_resume(const char *name, const char *buf, size_t len, const struct got *full,
                         const struct hs_parse_stats *st)
{
	struct got g;
	struct hs_parse_stats st2;
	int i, first = full->n;
	int fails = hs_t_fail;

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
		CHECK(strcmp(hs_buf_cstr(&a->detail), hs_buf_cstr(&b->detail)) == 0);
	}
	CHECK(st2.safe_offset == st->safe_offset && strcmp(st2.state, st->state) == 0);
	if (hs_t_fail != fails)
		fprintf(stderr, "  resume of %s at %lld (\"%s\"): %d events, wanted %d\n", name,
		        (long long)st->safe_offset, st->state, g.n, full->n - first);
	got_free(&g);
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
		int i, bad = 0;

		CHECK(buf != NULL);
		if (!buf) {
			fprintf(stderr, "  cannot read %s (run from the repository root)\n", fx->file);
			continue;
		}
		parse(buf, len, 0, 1, NULL, &g, &st);
		CHECK(g.n == fx->nexp);
		CHECK(st.events == fx->nexp);
		CHECK(st.skipped == fx->skipped && g.skips == fx->skipped);
		CHECK(st.incomplete == fx->incomplete);
		CHECK(strcmp(g.why, fx->why) == 0);
		CHECK(st.safe_line == fx->safe_line);
		CHECK(st.safe_offset == (line_offset(buf, len, fx->safe_line) < 0 ? (int64_t)len :
		                         line_offset(buf, len, fx->safe_line)));
		for (i = 0; i < g.n && i < fx->nexp; i++)
			bad += !check_event(fx->file, i, &g.ev[i], &fx->exp[i], buf, len);
		if (g.n != fx->nexp || st.skipped != fx->skipped || strcmp(g.why, fx->why) != 0 ||
		    st.safe_line != fx->safe_line)
			fprintf(stderr, "  %s: %d events, %lld skipped (%s), safe line %lld\n", fx->file, g.n,
			        (long long)st.skipped, g.why, (long long)st.safe_line);
		(void)bad;
		check_resume(fx->file, buf, len, &g, &st);
		got_free(&g);
		free(buf);
	}
}

/* crlf.log really has CRLF line ends (a checkout must not convert it), and
 * through the reader the events are the same as through our splitter. */
static void test_reader_path(void)
{
	static const char *const files[] = { FX "crlf.log", FX "header-eof.log", FX "junk.log" };
	size_t f, len;
	char *buf = slurp(FX "crlf.log", &len);

	CHECK(buf && strstr(buf, "C_Login\r\n") != NULL);
	free(buf);
	for (f = 0; f < sizeof files / sizeof files[0]; f++) {
		struct got a, b;
		struct hs_parse_stats sa, sb;
		struct hs_sink sink = { .ctx = &b, .on_event = on_event, .on_skip = on_skip };
		struct hs_pipeline_input in;
		struct hs_error err;
		int i;

		buf = slurp(files[f], &len);
		if (!buf) {
			CHECK(!"fixture missing");
			continue;
		}
		parse(buf, len, 0, 1, NULL, &a, &sa);
		memset(&in, 0, sizeof in);
		in.path = files[f];
		in.file_id = 3;
		in.parser = P;
		memset(&b, 0, sizeof b);
		CHECK(hs_pipeline_run(&in, &sink, &sb, &err) == 0);
		got_keep_state(&b, &sb);
		CHECK(a.n == b.n && sa.skipped == sb.skipped && sa.safe_offset == sb.safe_offset &&
		      sa.safe_line == sb.safe_line && strcmp(sa.state, sb.state) == 0);
		for (i = 0; i < a.n && i < b.n; i++) {
			CHECK(a.ev[i].offset == b.ev[i].offset && a.ev[i].line == b.ev[i].line);
			CHECK(strcmp(a.ev[i].func, b.ev[i].func) == 0 && a.ev[i].rv == b.ev[i].rv);
			CHECK(a.ev[i].detail.len == b.ev[i].detail.len); /* redaction keeps lengths */
		}
		got_free(&a);
		got_free(&b);
		free(buf);
	}
}

/* A capture read while it grows: part 1 ends inside a call; finish() says
 * where to start again, and a parser resumed there over the grown file
 * numbers instances as the full parse does. Old style (an earlier process
 * was killed in a call, so the safe point stays there) and new style. */
static void test_growth(const char *one, const char *two, int64_t safe_line, const char *state,
                        const int64_t *inst, const char *const *funcs, const int *incomplete, int nfull)
{
	size_t l1, l2;
	char *b1 = slurp(one, &l1), *b2 = slurp(two, &l2), *all;
	struct got g, full, res;
	struct hs_parse_stats st, stf, str;
	int i, first;

	CHECK(b1 && b2);
	if (!b1 || !b2) {
		free(b1);
		free(b2);
		return;
	}
	all = malloc(l1 + l2);
	memcpy(all, b1, l1);
	memcpy(all + l1, b2, l2);
	parse(b1, l1, 0, 1, NULL, &g, &st);
	CHECK(st.safe_line == safe_line && st.safe_offset == line_offset(b1, l1, safe_line));
	CHECK(strcmp(st.state, state) == 0);
	if (strcmp(st.state, state) != 0)
		fprintf(stderr, "  %s: state \"%s\"\n", one, st.state);
	parse(all, l1 + l2, 0, 1, NULL, &full, &stf);
	CHECK(full.n == nfull);
	for (i = 0; i < full.n && i < nfull; i++) {
		CHECK(full.ev[i].instance == inst[i]);
		CHECK(strcmp(full.ev[i].func, funcs[i]) == 0);
		CHECK(full.ev[i].incomplete == incomplete[i]);
		if (full.ev[i].instance != inst[i] || full.ev[i].incomplete != incomplete[i])
			fprintf(stderr, "  %s+: event %d %s instance %lld incomplete %d\n", one, i, full.ev[i].func,
			        (long long)full.ev[i].instance, full.ev[i].incomplete);
	}
	parse(all, l1 + l2, (size_t)st.safe_offset, st.safe_line, st.state, &res, &str);
	for (first = 0; first < full.n && full.ev[first].offset < st.safe_offset; first++)
		;
	CHECK(res.n == full.n - first);
	for (i = 0; i < res.n && first + i < full.n; i++) {
		CHECK(res.ev[i].instance == full.ev[first + i].instance);
		CHECK(res.ev[i].call_no == full.ev[first + i].call_no);
		CHECK(res.ev[i].incomplete == full.ev[first + i].incomplete);
		CHECK(res.ev[i].pid == full.ev[first + i].pid);
		CHECK(res.ev[i].rv == full.ev[first + i].rv);
	}
	got_free(&g);
	got_free(&full);
	got_free(&res);
	free(all);
	free(b1);
	free(b2);
}

static void test_resume(void)
{
	static const int64_t old_inst[] = { 0, 0, 1, 1, 1, 2 };
	static const char *const old_funcs[] = { "C_Initialize", "C_GenerateKeyPair", "C_Initialize",
	                                         "C_Login", "C_Logout", "C_Initialize" };
	static const int old_inc[] = { 0, 1, 0, 0, 0, 0 };
	static const int64_t new_inst[] = { 0, 0, 1, 0, 1 };
	static const char *const new_funcs[] = { "C_Initialize", "C_Login", "C_Initialize", "C_Logout",
	                                         "C_Finalize" };
	static const int new_inc[] = { 0, 0, 0, 0, 0 };
	struct hs_sink sink = { .ctx = NULL, .on_event = on_event, .on_skip = NULL };
	struct hs_parser_opts po = { 0, "x", NULL };
	struct hs_parser *p;
	struct hs_parse_stats st;
	struct got g;

	/* the killed C_GenerateKeyPair of instance 0 stays open: the safe point
	 * stays at it, and the next process's returns are not given to it */
	test_growth(FX "resume-old-1.log", FX "resume-old-2.log", 11, "instances=1 u=0 r=1 i=1:-1:0",
	            old_inst, old_funcs, old_inc, 6);
	test_growth(FX "resume-new-1.log", FX "resume-new-2.log", 11, "instances=1 u=1 r=1 i=1:100:0",
	            new_inst, new_funcs, new_inc, 5);

	/* an old "instances=K" state (no more fields) still continues instance K-1 */
	memset(&g, 0, sizeof g);
	sink.ctx = &g;
	p = P->create(&sink, &po);
	P->resume(p, "instances=4");
	P->feed_line(p, "57: C_Logout", 12, 0, 1);
	P->feed_line(p, "Returned:  0 CKR_OK", 19, 13, 2);
	P->finish(p, 33, 3, &st);
	got_keep_state(&g, &st);
	P->destroy(p);
	CHECK(g.n == 1 && g.ev[0].instance == 3 && g.ev[0].call_no == 57);
	/* (nk: such a state says nothing of the instances' sessions) */
	CHECK(strcmp(st.state, "instances=4 u=4 r=1 i=1:-1:57,2:-1:-2,3:-1:-2 nk=1,2,3") == 0);
	if (strcmp(st.state, "instances=4 u=4 r=1 i=1:-1:57,2:-1:-2,3:-1:-2 nk=1,2,3") != 0)
		fprintf(stderr, "  state \"%s\"\n", st.state);
	got_free(&g);
}

/* Single lines fed from string literals, NULL-terminated. */
static void feed_all(const char *const *lines, struct got *g, struct hs_parse_stats *st)
{
	int n = 0;

	while (lines[n])
		n++;
	feed_lines_with(P, &lines_opts, lines, n, NULL, g, st);
}

static void test_lines(void)
{
	/* Windows prints "T:<tid>" without 0x; a tid with a-f is really hex */
	static const char *const win[] = {
		"0: C_Initialize", "P:4242; T:7788 2026-11-22 11:49:27.785", "Returned:  0 CKR_OK",
		"1: C_Finalize", "P:4242; T:0x7f3a2b1c0740 2026-11-22 11:49:27.786", "Returned:  0 CKR_OK", NULL,
	};
	/* "1: Setup" is prose, not a call; a header with more text is not one */
	static const char *const prose[] = {
		"1: Setup", "2: C_Login failed", "3: C_Logout", "2026-11-22 11:49:27.785", "Returned:  0 CKR_OK",
		NULL,
	};
	/* a banner after a call that never returned: the new process's
	 * returns go to its own calls */
	static const char *const killed[] = {
		"*************** OpenSC PKCS#11 spy *****************",
		"0: C_Initialize", "2026-11-22 11:00:00.000", "Returned:  0 CKR_OK",
		"1: C_GenerateKeyPair", "2026-11-22 11:00:00.001", "[in] hSession = 0x1",
		"*************** OpenSC PKCS#11 spy *****************",
		"0: C_Initialize", "2026-11-22 11:00:05.000", "Returned:  0 CKR_OK",
		"1: C_Finalize", "2026-11-22 11:00:05.001", "Returned:  0 CKR_OK", NULL,
	};
	/* print_print's ASCII line of unprintable bytes is no elision */
	static const char *const dots[] = {
		"0: C_CreateObject", "2026-11-22 11:00:00.000", "[in] pTemplate[1]: ",
		"    CKA_LABEL             00007ffd00001000 / 5", "    00010203 04", "     . . . .  .",
		"Returned:  0 CKR_OK", NULL,
	};
	struct got g;
	struct hs_parse_stats st;

	feed_all(dots, &g, &st);
	CHECK(g.n == 1 && st.skipped == 0);
	CHECK(g.n == 1 && strcmp(hs_buf_cstr(&g.ev[0].detail), "[in] pTemplate[1]:\n"
	      "    CKA_LABEL             00007ffd00001000 / 5\n    00010203 04\n     . . . .  .") == 0);
	CHECK(g.n == 1 && strcmp(g.ev[0].summary, "label=\".....\"") == 0);
	got_free(&g);
	feed_all(win, &g, &st);
	CHECK(g.n == 2 && g.ev[0].pid == 4242 && g.ev[0].tid == 7788);
	CHECK(g.n == 2 && g.ev[1].tid == 0x7f3a2b1c0740LL && g.ev[1].instance == 0);
	got_free(&g);
	feed_all(prose, &g, &st);
	CHECK(g.n == 1 && strcmp(g.ev[0].func, "C_Logout") == 0 && g.ev[0].call_no == 3);
	CHECK(st.skipped == 2 && g.n == 1 && g.ev[0].skipped_lines == 2);
	got_free(&g);
	feed_all(killed, &g, &st);
	CHECK(g.n == 4 && g.ev[1].incomplete == 1 && g.ev[1].instance == 0);
	CHECK(g.n == 4 && g.ev[2].rv == 0 && g.ev[3].rv == 0 && g.ev[3].instance == 1);
	CHECK(st.incomplete == 1 && st.safe_line == 5);
	got_free(&g);
}

/* Issue 16: a thread's C_OpenSession printed inside another's C_Sign (old
 * header, no thread lines). The spy's own names say whose each line is:
 * *phSession is C_OpenSession's, pSignature C_Sign's, and a CKR_OK of
 * C_Sign comes after its signature. */
static void test_threads_evidence(void)
{
	static const char *const inside[] = {
		"15: C_Sign", "2026-11-22 11:00:00.000", "[in] hSession = 0x3",
		"[in] pData[ulDataLen] 00007f0000001000 / 4",
		"    00000000  61 62 63 64                                      abcd            ",
		"16: C_OpenSession", "2026-11-22 11:00:00.001", "[in] slotID = 0x1", "[in] flags = 0x4",
		"[in] pApplication = (nil)", "[in] Notify = (nil)", "[out] *phSession = 0x4",
		"Returned:  0 CKR_OK",
		"[out] pSignature[*pulSignatureLen] 00007f0000001040 / 4",
		"    00000000  01 02 03 04                                      ....            ",
		"Returned:  0 CKR_OK", NULL,
	};
	/* a return glued to the end of another thread's dump row, and the
	 * second half of an output line ("addr / len") glued to the next one */
	static const char *const glued_rows[] = {
		"1: C_Sign", "P:10; T:0x1 2026-11-22 11:00:00.000", "[in] hSession = 0x3",
		"[in] pData[ulDataLen] 00007f0000001000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"2: C_Sign", "P:10; T:0x2 2026-11-22 11:00:00.000", "[in] hSession = 0x4",
		"[in] pData[ulDataLen] 00007f0000009000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"[out] pSignature[*pulSignatureLen] 00007f0000001040 / 20",
		"    00000000  41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50  ABCDEFGHIJKLMNOP[out] pSignature[*pulSignatureLen] ",
		"    00000010  01 02 03 04                                      ....            00007f0000009040 / 4",
		"    00000000  05 06 07 08                                      ....            Returned:  0 CKR_OK",
		"Returned:  0 CKR_OK", NULL,
	};
	/* another thread's Returned glued after a name whose "addr / len" its
	 * own thread prints next, or after an "addr / len" whose rows follow:
	 * not the call that began the line (thread 1 begins its next call) */
	static const char *const glued_ret[] = {
		"1: C_SignInit", "P:10; T:0x1 2026-11-22 11:00:00.000", "[in] hSession = 0x3",
		"[in] pMechanism->type = CKM_SHA256_RSA_PKCS", "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]",
		"[in] hKey = 0x2",
		"2: C_Sign", "P:10; T:0x2 2026-11-22 11:00:00.000", "[in] hSession = 0x4",
		"[in] pData[ulDataLen] Returned:  0 CKR_OK",
		"3: C_SignInit", "P:10; T:0x1 2026-11-22 11:00:00.001", "[in] hSession = 0x3",
		"[in] pMechanism->type = CKM_SHA256_RSA_PKCS", "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]",
		"[in] hKey = 0x2",
		"00007f0000009000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"[out] pSignature[*pulSignatureLen] 00007f0000009040 / 4Returned:  0 CKR_OK",
		"4: C_Sign", "P:10; T:0x1 2026-11-22 11:00:00.002", "[in] hSession = 0x3",
		"    00000000  05 06 07 08                                      ....            ",
		"Returned:  0 CKR_OK",
		"[in] pData[ulDataLen] 00007f0000001000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"[out] pSignature[*pulSignatureLen] 00007f0000001040 / 4",
		"    00000000  01 02 03 04                                      ....            ",
		"Returned:  0 CKR_OK", NULL,
	};
	/* two signatures of one length at the same row: the newer takes it and
	 * a return; the older's thread then begins its next call, so the row
	 * and the return were the older's */
	static const char *const tie[] = {
		"1: C_Sign", "P:10; T:0x1 2026-11-22 11:00:00.000", "[in] hSession = 0x3",
		"[in] pData[ulDataLen] 00007f0000001000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"2: C_Sign", "P:10; T:0x2 2026-11-22 11:00:00.000", "[in] hSession = 0x4",
		"[in] pData[ulDataLen] 00007f0000009000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"[out] pSignature[*pulSignatureLen] 00007f0000001040 / 32", "    00000000  11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11  ................",
		"[out] pSignature[*pulSignatureLen] 00007f0000009040 / 32", "    00000000  22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22  ################",
		"    00000010  33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33  3333333333333333", "Returned:  0 CKR_OK",
		"3: C_SignInit", "P:10; T:0x1 2026-11-22 11:00:00.001", "[in] hSession = 0x3",
		"[in] pMechanism->type = CKM_SHA256_RSA_PKCS", "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]",
		"[in] hKey = 0x2",
		"    00000010  44 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44  DDDDDDDDDDDDDDDD", "Returned:  0 CKR_OK", "Returned:  0 CKR_OK", NULL,
	};
	/* two threads' output labels, then their "addr / len" run together */
	static const char *const two_specs[] = {
		"1: C_Sign", "P:10; T:0x1 2026-11-22 11:00:00.000", "[in] hSession = 0x3",
		"[in] pData[ulDataLen] 00007f0000001000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"2: C_Sign", "P:10; T:0x2 2026-11-22 11:00:00.000", "[in] hSession = 0x4",
		"[in] pData[ulDataLen] 00007f0000009000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"[out] pSignature[*pulSignatureLen] [out] pSignature[*pulSignatureLen] 00007f0000009040 / 400007f0000001040 / 4",
		"    00000000  05 06 07 08                                      ....            ",
		"    00000000  01 02 03 04                                      ....            ",
		"Returned:  0 CKR_OK", "Returned:  0 CKR_OK", NULL,
	};
	/* a thread stalled between its header (10) and its thread line, which
	 * comes after two later headers, one (12) alike: a thread line printed
	 * before 12's header holds a later time, so the stalled one is 10's */
	static const char *const late_ts[] = {
		"10: C_SignInit",
		"11: C_Sign", "P:10; T:0x2 2026-11-22 11:00:00.500", "[in] hSession = 0x4",
		"[in] pData[ulDataLen] 00007f0000009000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"[out] pSignature[*pulSignatureLen] 00007f0000009040 / 4",
		"    00000000  01 02 03 04                                      ....            ", "Returned:  0 CKR_OK",
		"12: C_SignInit", "13: C_Sign",
		"P:10; T:0x1 2026-11-22 11:00:00.100", "[in] hSession = 0x3",
		"[in] pMechanism->type = CKM_SHA256_RSA_PKCS", "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]",
		"[in] hKey = 0x2", "Returned:  0 CKR_OK",
		"P:10; T:0x2 2026-11-22 11:00:00.501", "[in] hSession = 0x4",
		"[in] pMechanism->type = CKM_SHA256_RSA_PKCS", "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]",
		"[in] hKey = 0x2", "Returned:  0 CKR_OK",
		"P:10; T:0x3 2026-11-22 11:00:00.502", "[in] hSession = 0x5",
		"[in] pData[ulDataLen] 00007f0000005000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"[out] pSignature[*pulSignatureLen] 00007f0000005040 / 4",
		"    00000000  01 02 03 04                                      ....            ", "Returned:  0 CKR_OK", NULL,
	};
	/* thread 2's header, a return at once, and its thread line only after
	 * thread 1's next inputs: a call that has printed no thread line has
	 * not returned (that return was another's), and its thread line and
	 * inputs are its own, not thread 1's C_Sign's */
	static const char *const early_ret[] = {
		"1: C_SignInit", "P:10; T:0x1 2026-11-22 11:00:00.000", "[in] hSession = 0x3",
		"[in] pMechanism->type = CKM_SHA256_RSA_PKCS", "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]",
		"[in] hKey = 0x2", "Returned:  0 CKR_OK",
		"2: C_SignInit", "Returned:  0 CKR_OK",
		"3: C_Sign", "P:10; T:0x1 2026-11-22 11:00:00.001", "[in] hSession = 0x3",
		"[in] pData[ulDataLen] 00007f0000001000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"P:10; T:0x2 2026-11-22 11:00:00.000", "[in] hSession = 0x4",
		"[in] pMechanism->type = CKM_SHA256_RSA_PKCS", "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]",
		"[in] hKey = 0x2", "Returned:  0 CKR_OK",
		"[out] pSignature[*pulSignatureLen] 00007f0000001040 / 4",
		"    00000000  01 02 03 04                                      ....            ", "Returned:  0 CKR_OK", NULL,
	};
	/* a C_OpenSession given a CKR_OK by order before its *phSession: the
	 * *phSession, which the open C_Sign never prints, reopens it */
	static const char *const late_out[] = {
		"1: C_OpenSession", "P:10; T:0x1 2026-11-22 11:00:00.000", "[in] slotID = 0x1", "[in] flags = 0x4",
		"[in] pApplication = (nil)", "[in] Notify = (nil)",
		"2: C_Sign", "P:10; T:0x2 2026-11-22 11:00:00.000", "[in] hSession = 0x3",
		"[in] pData[ulDataLen] 00007f0000009000 / 4", "    00000000  61 62 63 64                                      abcd            ",
		"Returned:  0 CKR_OK", "[out] *phSession = 0x4", "Returned:  0 CKR_OK",
		"[out] pSignature[*pulSignatureLen] 00007f0000009040 / 4",
		"    00000000  01 02 03 04                                      ....            ", "Returned:  0 CKR_OK", NULL,
	};
	struct got g;
	struct hs_parse_stats st;

	feed_all(early_ret, &g, &st);
	CHECK(g.n == 3 && st.incomplete == 0 && g.ev[0].tid == 1 && g.ev[0].session == 3);
	CHECK(g.n == 3 && g.ev[1].call_no == 2 && g.ev[1].tid == 2 && g.ev[1].session == 4 && g.ev[1].uncertain);
	CHECK(g.n == 3 && g.ev[2].call_no == 3 && g.ev[2].tid == 1 && g.ev[2].session == 3 && g.ev[2].rv == 0 &&
	      !strstr(hs_buf_cstr(&g.ev[2].detail), "hKey"));
	got_free(&g);
	feed_all(late_out, &g, &st);
	CHECK(g.n == 2 && st.incomplete == 0 && g.ev[0].session == 4 && g.ev[0].rv == 0 && g.ev[0].uncertain);
	CHECK(g.n == 2 && g.ev[1].session == 3 && g.ev[1].rv == 0 &&
	      !strstr(hs_buf_cstr(&g.ev[1].detail), "phSession"));
	got_free(&g);
	feed_all(inside, &g, &st);
	CHECK(g.n == 2 && strcmp(g.ev[0].func, "C_Sign") == 0 && g.ev[0].session == 3);
	CHECK(g.n == 2 && g.ev[0].rv == 0 && !g.ev[0].incomplete && !g.ev[0].uncertain);
	CHECK(g.n == 2 && strstr(hs_buf_cstr(&g.ev[0].detail), "pSignature") &&
	      !strstr(hs_buf_cstr(&g.ev[0].detail), "phSession"));
	CHECK(g.n == 2 && strcmp(g.ev[1].func, "C_OpenSession") == 0 && g.ev[1].session == 4);
	CHECK(g.n == 2 && g.ev[1].rv == 0 && !strstr(hs_buf_cstr(&g.ev[1].detail), "pSignature"));
	got_free(&g);
	feed_all(glued_rows, &g, &st);
	CHECK(g.n == 2 && g.ev[0].rv == 0 && g.ev[1].rv == 0 && st.incomplete == 0);
	CHECK(g.n == 2 && strstr(hs_buf_cstr(&g.ev[0].detail), "00007f0000001040 / 20") &&
	      !strstr(hs_buf_cstr(&g.ev[0].detail), "9040"));
	CHECK(g.n == 2 && strstr(hs_buf_cstr(&g.ev[1].detail),
	                         "[out] pSignature[*pulSignatureLen] 00007f0000009040 / 4"));
	got_free(&g);
	feed_all(glued_ret, &g, &st);
	CHECK(g.n == 4 && st.incomplete == 0 && st.skipped == 0);
	CHECK(g.n == 4 && g.ev[0].rv == 0 && g.ev[1].rv == 0 && g.ev[2].rv == 0 && g.ev[3].rv == 0);
	CHECK(g.n == 4 && strstr(hs_buf_cstr(&g.ev[1].detail), "00007f0000009040 / 4\n    00000000  05 06 07 08"));
	got_free(&g);
	feed_all(tie, &g, &st);
	CHECK(g.n == 3 && st.incomplete == 0 && g.ev[0].rv == 0 && g.ev[1].rv == 0 && g.ev[2].rv == 0);
	CHECK(g.n == 3 && g.ev[0].tid == 1 && strstr(hs_buf_cstr(&g.ev[0].detail), "00000010  33 33") &&
	      !strstr(hs_buf_cstr(&g.ev[0].detail), "44 44"));
	CHECK(g.n == 3 && g.ev[1].tid == 2 && strstr(hs_buf_cstr(&g.ev[1].detail), "00000010  44 44") &&
	      !strstr(hs_buf_cstr(&g.ev[1].detail), "33 33"));
	got_free(&g);
	feed_all(two_specs, &g, &st);
	CHECK(g.n == 2 && st.incomplete == 0 && g.ev[0].rv == 0 && g.ev[1].rv == 0);
	CHECK(g.n == 2 && strstr(hs_buf_cstr(&g.ev[0].detail), "[out] pSignature[*pulSignatureLen] 00007f0000001040 / 4"));
	CHECK(g.n == 2 && strstr(hs_buf_cstr(&g.ev[1].detail), "[out] pSignature[*pulSignatureLen] 00007f0000009040 / 4"));
	got_free(&g);
	feed_all(late_ts, &g, &st);
	CHECK(g.n == 4 && st.incomplete == 0 && g.ev[0].call_no == 10 && g.ev[0].tid == 1 && g.ev[0].session == 3);
	CHECK(g.n == 4 && g.ev[2].call_no == 12 && g.ev[2].tid == 2 && g.ev[2].session == 4);
	CHECK(g.n == 4 && g.ev[3].call_no == 13 && g.ev[3].tid == 3 && g.ev[3].session == 5);
	got_free(&g);
}

static void test_probe(void)
{
	static const char *const spy_new[] = { "", "0: C_GetInterface",
		"P:30222; T:0x139821603928128 2026-11-22 11:49:27.785", "[compat]", "Returned:  0 CKR_OK",
		"", "1: C_Initialize" };
	static const char *const other[] = { "Time: 12/13/17 23:09:04.761594, usecs:1513206544761594",
		"Sequence No : 0x29", "Opcode : CN_GENERATE_KEY_PAIR (0x19)" };
	int i;

	for (i = 0; P->samples[i]; i++)
		;
	CHECK(hs_detect_probe(P, P->samples, i) >= 75);
	CHECK(hs_detect_probe(P, spy_new, 7) >= 50);
	CHECK(hs_detect_probe(P, other, 3) == 0);
}

/* Real captures: one event per header, one return per "Returned:". */
static void check_capture(const char *path, int64_t want_instances, int want_pids)
{
	struct got g;
	struct hs_parse_stats st;
	size_t len, pos = 0;
	char *buf = slurp(path, &len);
	int64_t headers = 0, returns = 0, banners = 0, returned = 0, maxinst = -1;
	const char *s;
	int i, pids = 1;

	if (!buf) {
		printf("skip %s (absent)\n", path);
		return;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, k = pos;
		while (k < end && buf[k] >= '0' && buf[k] <= '9')
			k++;
		if (k > pos && k + 1 < end && buf[k] == ':' && buf[k + 1] == ' ')
			headers++;
		pos = nl ? end + 1 : len;
	}
	for (s = buf; (s = strstr(s, "Returned:")); s++)
		returns++;
	for (s = buf; (s = strstr(s, "OpenSC PKCS#11 spy")); s++)
		banners++;
	parse(buf, len, 0, 1, NULL, &g, &st);
	for (i = 0; i < g.n; i++) {
		returned += g.ev[i].rv != N;
		if (g.ev[i].instance > maxinst)
			maxinst = g.ev[i].instance;
		if (want_pids && (g.ev[i].pid == N || g.ev[i].tid == N))
			pids = 0;
	}
	CHECK(g.n == headers && st.events == headers);
	CHECK(returned == returns);
	CHECK(st.incomplete == headers - returns);
	CHECK(maxinst + 1 == (want_instances >= 0 ? want_instances : banners));
	CHECK(pids);
	if (g.n != headers || returned != returns || maxinst + 1 != banners)
		fprintf(stderr, "  %s: %d events (%lld headers), %lld returns (%lld), %lld instances (%lld)\n",
		        path, g.n, (long long)headers, (long long)returned, (long long)returns,
		        (long long)maxinst + 1, (long long)banners);
	check_resume(path, buf, len, &g, &st);
	got_free(&g);
	free(buf);
}

static void test_captures(void)
{
	glob_t gl;
	size_t i;

	check_capture("share/samples/softhsm-basic.log", 7, 0);
	check_capture("share/samples/softhsm-basic-opensc026.log", 7, 1);
	if (glob("/tmp/cap/*.log", 0, NULL, &gl) != 0) {
		printf("skip /tmp/cap (no captures)\n");
		return;
	}
	for (i = 0; i < gl.gl_pathc; i++)
		check_capture(gl.gl_pathv[i], -1, 0);
	globfree(&gl);
}

int main(void)
{
	test_fixtures();
	test_reader_path();
	test_resume();
	test_lines();
	test_threads_evidence();
	test_probe();
	test_captures();
	TEST_END();
}
