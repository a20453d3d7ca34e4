/* test_logger.c — the Pkcs11Interop pkcs11-logger parser, driven through
 * its descriptor as the pipeline drives it: each fixture
 * (test/fixtures/logger/, paths relative to the repository root) is split
 * into lines the way reader.c does ("\n", and a "\r" before it, removed),
 * every line handed over in a buffer of exactly its length, the events
 * copied out of on_event.
 *
 * Checked: the exact events of the written fixtures (function, line, time,
 * duration, pid, tid, instance, return, session, slot, handles, detail);
 * for every real capture, one event per call start ("Entered" or, before
 * 2.3, a bare "Calling"), one return per "Returning", the prefix fields it
 * has, instances per banner, an exact duration exactly where the logger
 * timed the module; resume from finish()'s safe_offset at many cut points
 * of every fixture; hostile lines; the probe against every parser's samples
 * and every fixture of the other formats; and, through hs_pipeline_run, that
 * no PIN or key material of secrets.log survives redaction.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detect.h"
#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"
#include "harness.h"
#include "parsetest.h"

extern const struct hs_parser_desc hs_parser_logger;
#define P (&hs_parser_logger)
#define FX "test/fixtures/logger/"
#define N HS_NONE

/* ------------------------------------------------------------ harness */

static const struct hs_parser_opts fixture_opts = { 2, "fixture", NULL };
static const struct hs_parser_opts lines_opts = { 2, "x", NULL };

/* Parse buf[start..stop) as lines numbered from `line`, after resume(state)
 * when state is not NULL. */
static void parse(const char *buf, size_t stop, size_t start, int64_t line, const char *state,
                  struct got *g, struct hs_parse_stats *st)
{
	parse_with(P, &fixture_opts, buf, stop, start, line, state, g, st);
}

static int parse_file(const char *path, struct got *g, struct hs_parse_stats *st)
{
	size_t len;
	char *buf = slurp(path, &len);

	memset(g, 0, sizeof *g);
	if (!buf) {
		fprintf(stderr, "  cannot read %s (run from the repository root)\n", path);
		CHECK(!"fixture missing");
		return -1;
	}
	parse(buf, len, 0, 1, NULL, g, st);
	free(buf);
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS[.f]" as the civil time it says (the fraction of a
 * second, up to µs), N for NULL. */
static int64_t ts_of(const char *s)
{
	int y, mo, d, h, mi, sec, used = 0, k;
	long us = 0;

	if (!s || sscanf(s, "%d-%d-%d %d:%d:%d%n", &y, &mo, &d, &h, &mi, &sec, &used) < 6)
		return N;
	s += used;
	for (k = 0, s += *s == '.'; k < 6; k++)
		us = us * 10 + (*s >= '0' && *s <= '9' ? *s++ - '0' : 0);
	return hs_civil_to_us(y, mo, d, h, mi, sec, us);
}

/* ------------------------------------------------------- written cases */

struct exp {
	const char *func;
	int64_t line, instance, rv;
	const char *rv_name;
	const char *ts;             /* NULL: none */
	int64_t dur_us, pid, tid, session, slot;
	const char *keys;           /* "role=0xN,..." */
	const char *detail;         /* NULL: not checked */
};

static int check_event(const char *file, int i, const struct hs_event *e, const struct exp *x)
{
	char keys[256];
	int ok;

	keys_of(e, ",", keys, sizeof keys);
	ok = strcmp(e->func, x->func) == 0 && e->line == x->line && e->instance == x->instance &&
	     e->rv == x->rv && strcmp(e->rv_name, x->rv_name) == 0 && e->ts_us == ts_of(x->ts) &&
	     e->ts_utc == 0 && e->dur_us == x->dur_us && e->pid == x->pid && e->tid == x->tid &&
	     e->session == x->session && e->slot == x->slot && strcmp(keys, x->keys) == 0 &&
	     e->incomplete == (x->rv == N) && strcmp(e->format, "logger") == 0 && e->file_id == 2 &&
	     (!x->detail || strcmp(hs_buf_cstr(&e->detail), x->detail) == 0);
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "  %s event %d: %s line %lld inst %lld rv %lld %s ts %lld dur %lld pid %lld "
		        "tid %lld session %lld slot %lld keys %s\n---\n%s\n---\n", file, i, e->func,
		        (long long)e->line, (long long)e->instance, (long long)e->rv, e->rv_name,
		        (long long)e->ts_us, (long long)e->dur_us, (long long)e->pid, (long long)e->tid,
		        (long long)e->session, (long long)e->slot, keys, hs_buf_cstr(&e->detail));
	return ok;
}

#define OK 0, "CKR_OK"
#define WIN 0x956c, 0x6838
#define QP 0x1f40, 0x7f3a5c7d1740LL

static const struct exp windows[] = {
	{ "C_OpenSession", 15, 0, OK, "2025-02-12 06:28:22.171", 1000, WIN, 1, 1, "",
	  "[in] slotID = 0x1\n[in] flags = 0x6\n      CKF_RW_SESSION: TRUE\n"
	  "      CKF_SERIAL_SESSION: TRUE\n[out] *phSession = 0x1" },
	{ "C_Login", 32, 0, 160, "CKR_PIN_INCORRECT", "2025-02-12 06:28:22.175", 16000, WIN, 1, N, "",
	  "[in] hSession = 0x1\n[in] userType = CKU_USER\n[in] pPin / 14" },
	{ "C_CloseSession", 43, 0, OK, "2025-02-12 06:28:22.193", 1000, WIN, 1, N, "",
	  "[in] hSession = 0x1" },
};

static const struct exp quirks[] = {
	{ "C_UnwrapKey", 15, 0, OK, "2026-11-30 09:15:02.0013", 1200, QP, 1, N,
	  "hUnwrappingKey=0x5,hKey=0x9",
	  "[in] hSession = 0x1\n[in] pMechanism->type = CKM_AES_KEY_WRAP_PAD\n"
	  "[in] hUnwrappingKey = 0x5\n[in] pWrappedKey / 8\n"
	  "    00000000  00 11 22 33 44 55 66 77                          ..\"3DUfw        \n"
	  "[in] ulWrappedKeyLen = 0x8\n[in] pTemplate[3]: \n"
	  "    CKA_CLASS             CKO_SECRET_KEY\n    CKA_UNWRAP_TEMPLATE   / 48\n"
	  "    CKA_EXTRACTABLE       False\n    0x80000101            / 2\n"
	  "    00000000  AB CD                                            ..              \n"
	  "    CKA_LABEL             / 8\n"
	  "    00000000  75 6E 77 72 61 70 70 65                          unwrappe        \n"
	  "[out] hKey = 0x9" },
	{ "C_GetAttributeValue", 65, 0, 17, "CKR_ATTRIBUTE_SENSITIVE", "2026-11-30 09:15:02.0027", 40, QP, 1,
	  N, "hObject=0x9",
	  "[in] hSession = 0x1\n[in] hObject = 0x9\n[in] pTemplate[2]: \n"
	  "    CKA_VALUE             / 16\n    CKA_LABEL             / 32\n[out] pTemplate[2]: \n"
	  "    CKA_VALUE             / -1\n    CKA_LABEL             / 8\n"
	  "    00000000  75 6E 77 72 61 70 70 65                          unwrappe        " },
	{ "C_FindObjectsInit", 101, 0, OK, "2026-11-30 09:15:02.0028", 5, QP, 1, N, "",
	  "[in] hSession = 0x1\n[in] pTemplate[0]: " },
	{ "C_FindObjects", 110, 0, OK, "2026-11-30 09:15:02.00282", 15, QP, 1, N, "found=0x5,found=0x9",
	  "[in] hSession = 0x1\n[in] ulMaxObjectCount = 0x3\n[out] ulObjectCount = 0x2\n"
	  "Object 0x5 matches\nObject 0x9 matches" },
	{ "C_FindObjectsFinal", 132, 0, OK, "2026-11-30 09:15:02.0029", 5, QP, 1, N, "", NULL },
	{ "C_SignInit", 139, 0, 0x80000111, "0x80000111", "2026-11-30 09:15:02.003", 10, QP, 1, N, "hKey=0x5",
	  "[in] hSession = 0x1\n[in] pMechanism->type = 0x80000101\n[in] pMechanism->pParameter / 4\n"
	  "    00000000  01 02 03 04                                      ....            \n"
	  "[in] hKey = 0x5" },
	{ "C_SignInit", 152, 0, OK, "2026-11-30 09:15:02.0031", 40, QP, 1, N, "hKey=0x5", NULL },
	{ "C_Sign", 164, 0, OK, "2026-11-30 09:15:02.0032", 5, QP, 1, N, "",
	  "[in] hSession = 0x1\n[in] pData / 12\n"
	  "    00000000  64 61 74 61 20 74 6F 20 73 69 67 6E              data to sign    \n"
	  "[in] ulDataLen = 0xc\n[in] *pulSignatureLen = 0x0\n"
	  "[out] pSignature NULL [size : 0x100 (256)]" },
	{ "C_GenerateRandom", 181, 0, OK, "2026-11-30 09:15:02.0033", 80, QP, 1, N, "", NULL },
	{ "C_DestroyObject", 195, 0, OK, "2026-11-30 09:15:02.0034", 90, QP, 1, N, "hObject=0x9",
	  "[in] hSession = 0x1\n[in] hObject = 0x9" },
};

#define PR 0x1f40, 0x7f3a5c7d1740LL
static const struct exp pidreuse[] = {
	{ "C_Initialize", 15, 0, OK, "2026-11-30 10:00:00.0002", 0, PR, N, N, "", "[in] pInitArgs = NULL" },
	{ "C_Finalize", 22, 0, OK, "2026-11-30 10:00:00.0003", 0, PR, N, N, "", "[in] pReserved = NULL" },
	{ "C_Initialize", 43, 1, OK, "2026-11-30 10:05:00.0002", 0, PR, N, N, "", NULL },
	{ "C_OpenSession", 50, 1, OK, "2026-11-30 10:05:00.0003", 10, PR, 1, 0, "", NULL },
	{ "C_CloseSession", 67, 1, OK, "2026-11-30 10:05:00.0004", 0, PR, 1, N, "", NULL },
	{ "C_Finalize", 74, 1, OK, "2026-11-30 10:05:00.0005", 0, PR, N, N, "", NULL },
};

static const struct exp reinit[] = {
	{ "C_Initialize", 15, 0, OK, "2026-11-30 11:00:00.0002", 0, N, N, N, N, "", NULL },
	{ "C_Finalize", 22, 0, OK, "2026-11-30 11:00:00.0003", 0, N, N, N, N, "", NULL },
	{ "C_Initialize", 29, 1, OK, "2026-11-30 11:00:01.0002", 0, N, N, N, N, "", NULL },
	{ "C_Finalize", 36, 1, OK, "2026-11-30 11:00:01.0003", 0, N, N, N, N, "", NULL },
	{ "C_Initialize", 57, 2, OK, "2026-11-30 11:00:02.0002", 0, N, N, N, N, "", NULL },
};

struct fixture {
	const char *file;
	int nexp;
	const struct exp *exp;
	int skipped;
};

#define FIX(f, a, s) { FX f, (int)(sizeof a / sizeof a[0]), a, s }

static void test_written(void)
{
	static const struct fixture fixtures[] = {
		FIX("windows.log", windows, 0), FIX("quirks.log", quirks, 0),
		FIX("pidreuse.log", pidreuse, 0), FIX("reinit.log", reinit, 0),
	};
	size_t f;

	for (f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
		const struct fixture *fx = &fixtures[f];
		struct got g;
		struct hs_parse_stats st;
		int i;

		if (parse_file(fx->file, &g, &st) < 0)
			continue;
		CHECK(g.n == fx->nexp && st.events == fx->nexp);
		CHECK(g.skips == fx->skipped && st.skipped == fx->skipped && st.incomplete == 0);
		if (g.n != fx->nexp)
			fprintf(stderr, "  %s: %d events\n", fx->file, g.n);
		for (i = 0; i < g.n && i < fx->nexp; i++)
			check_event(fx->file, i, &g.ev[i], &fx->exp[i]);
		got_free(&g);
	}
}

/* -------------------------------------------------------- real captures */

struct capture {
	const char *file;
	int64_t instances;
	int pid, tid;               /* the prefix prints it */
	int exact;                  /* 2.3: durations from the logger */
	int skipped;
	int threads;                /* distinct (pid, tid) */
};

/* Count call starts and returns the way a reader of the log would. */
static void count_lines(const char *buf, size_t len, int64_t *calls, int64_t *returns,
                        int64_t *banners)
{
	const char *s;

	*calls = *returns = *banners = 0;
	for (s = buf; (s = strstr(s, " - Entered C_")); s++)
		(*calls)++;
	for (s = buf; (s = strstr(s, "Calling C_")); s++) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n && s[n - 1] == '\r')
			n--;
		if ((s - buf < 2 || s[-1] != ' ' || s[-2] != '-') && !memchr(s + 8, ' ', n - 8))
			(*calls)++;
	}
	for (s = buf; (s = strstr(s, "Returning ")); s++)
		if (strncmp(s + 10, "function", 8) != 0)
			(*returns)++;
	for (s = buf; (s = strstr(s, "PKCS11-LOGGER ")); s++)
		(*banners)++;
	(void)len;
}

static void test_captures(void)
{
	static const struct capture caps[] = {
		{ FX "cross-logger.log", 7, 1, 1, 1, 0, 7 }, { FX "noprefix.log", 2, 0, 0, 1, 0, 1 },
		{ FX "tidonly.log", 2, 0, 1, 1, 0, 2 },      { FX "pidonly.log", 2, 1, 0, 1, 0, 2 },
		{ FX "secrets.log", 7, 1, 1, 1, 0, 7 },      { FX "v22-basic.log", 2, 1, 1, 0, 0, 2 },
		{ FX "v22-noprefix.log", 2, 0, 0, 0, 0, 1 }, { FX "v22-tidonly.log", 2, 0, 1, 0, 0, 2 },
		{ FX "threads.log", 1, 1, 1, 1, 0, 3 },      { FX "killed.log", 1, 1, 1, 1, 0, 1 },
		{ FX "stdout.log", 2, 1, 1, 1, 3, 2 },       { FX "junk.log", 1, 1, 1, 1, 4, 1 },
	};
	size_t f;

	for (f = 0; f < sizeof caps / sizeof caps[0]; f++) {
		const struct capture *c = &caps[f];
		struct got g;
		struct hs_parse_stats st;
		size_t len;
		char *buf = slurp(c->file, &len);
		int64_t calls, returns, banners, returned = 0, maxinst = -1;
		uint64_t tids[8], key;
		int i, k, nt = 0, fields = 1, durs = 1, order = 1;

		if (!buf) {
			CHECK(!"capture missing");
			continue;
		}
		count_lines(buf, len, &calls, &returns, &banners);
		parse(buf, len, 0, 1, NULL, &g, &st);
		for (i = 0; i < g.n; i++) {
			const struct hs_event *e = &g.ev[i];
			returned += e->rv != N;
			if (e->instance > maxinst)
				maxinst = e->instance;
			fields &= (e->pid != N) == c->pid && (e->tid != N) == c->tid;
			/* exact where the logger timed it: every call that returned */
			durs &= c->exact ? (e->dur_us != N) == (e->rv != N) : e->dur_us == N;
			order &= i == 0 || e->offset > g.ev[i - 1].offset;
			key = (uint64_t)e->tid * 31u + (uint64_t)e->pid;
			for (k = 0; k < nt && tids[k] != key; k++)
				;
			if (k == nt && nt < 8)
				tids[nt++] = key;
		}
		CHECK(g.n == calls && st.events == calls);
		CHECK(returned == returns && st.incomplete == calls - returns);
		CHECK(maxinst + 1 == c->instances && banners == c->instances);
		CHECK(fields && durs && order);
		CHECK(st.skipped == c->skipped);
		CHECK(nt == c->threads);
		if (g.n != calls || returned != returns || maxinst + 1 != c->instances || !fields || !durs ||
		    !order || st.skipped != c->skipped || nt != c->threads)
			fprintf(stderr, "  %s: %d events (%lld starts), %lld returns (%lld), %lld instances, "
			        "fields %d durs %d order %d, %lld skipped, %d threads\n", c->file, g.n,
			        (long long)calls, (long long)returned, (long long)returns, (long long)maxinst + 1,
			        fields, durs, order, (long long)st.skipped, nt);
		got_free(&g);
		free(buf);
	}
}

/* What the captures say beyond counting. */
static void test_capture_details(void)
{
	struct got g;
	struct hs_parse_stats st;
	int i, signs = 0, logins = 0;

	/* killed: the key pair call is open at the end, and a refresh starts
	 * again at its separator */
	if (parse_file(FX "killed.log", &g, &st) == 0) {
		const struct hs_event *e = &g.ev[g.n - 1];
		CHECK(strcmp(e->func, "C_GenerateKeyPair") == 0 && e->incomplete && e->rv == N &&
		      e->dur_us == N && st.incomplete == 1);
		CHECK(st.safe_offset == e->offset && st.safe_line == e->line);
		got_free(&g);
	}
	/* threads: each worker's C_Sign is on the session it opened */
	if (parse_file(FX "threads.log", &g, &st) == 0) {
		for (i = 0; i < g.n; i++) {
			const struct hs_event *e = &g.ev[i];
			int j;
			if (strcmp(e->func, "C_Sign") != 0)
				continue;
			for (j = i - 1; j >= 0; j--)
				if (strcmp(g.ev[j].func, "C_OpenSession") == 0 && g.ev[j].tid == e->tid)
					break;
			signs += j >= 0 && g.ev[j].session == e->session && e->session != N && e->ok;
		}
		CHECK(signs == 6);
		got_free(&g);
	}
	/* the older layout: the time is the separator's, seconds only */
	if (parse_file(FX "v22-basic.log", &g, &st) == 0) {
		CHECK(g.n > 0 && g.ev[0].ts_us == ts_of("2026-12-01 07:42:38"));
		CHECK(strcmp(g.ev[0].func, "C_GetFunctionList") == 0 && g.ev[0].line == 9);
		for (i = 0; i < g.n; i++)
			if (strcmp(g.ev[i].func, "C_Login") == 0)
				logins += g.ev[i].rv == 0xa0 ? 100 : 1;
		CHECK(logins == 101);
		CHECK(g.ev[0].tid > 0 && g.ev[0].tid <= 0xffffffffLL);
		got_free(&g);
	}
	/* a lone 10-digit field above any pid is the tid (2.2, flags 2) */
	if (parse_file(FX "v22-tidonly.log", &g, &st) == 0) {
		CHECK(g.n > 0 && g.ev[0].pid == N && g.ev[0].tid > 0x400000);
		got_free(&g);
	}
}

/* --------------------------------------------------------------- resume */

/* Cut buf at `cut` (a line start): what the first part emits before its
 * safe offset plus what a resumed parser emits from there over the whole
 * buf must be the full parse. */
static int check_cut(const char *file, const char *buf, size_t len, size_t cut, const struct got *full)
{
	struct got a, b;
	struct hs_parse_stats sa, sb;
	int64_t line;
	size_t i;
	int k = 0, m, ok = 1;

	parse(buf, cut, 0, 1, NULL, &a, &sa);
	ok &= sa.safe_offset >= 0 && (size_t)sa.safe_offset <= cut;
	line = 1;
	for (i = 0; i < (size_t)sa.safe_offset; i++)
		line += buf[i] == '\n';
	ok &= sa.safe_line == line;
	parse(buf, len, (size_t)sa.safe_offset, sa.safe_line, sa.state, &b, &sb);
	for (m = 0; m < a.n && a.ev[m].offset < sa.safe_offset; m++, k++)
		ok &= k < full->n && full->ev[k].offset == a.ev[m].offset &&
		      strcmp(full->ev[k].func, a.ev[m].func) == 0 && full->ev[k].rv == a.ev[m].rv;
	ok &= k + b.n == full->n;
	for (m = 0; m < b.n && k + m < full->n; m++) {
		const struct hs_event *x = &full->ev[k + m], *y = &b.ev[m];
		ok &= x->offset == y->offset && x->line == y->line && strcmp(x->func, y->func) == 0 &&
		      x->rv == y->rv && x->ts_us == y->ts_us && x->dur_us == y->dur_us &&
		      x->instance == y->instance && x->session == y->session && x->pid == y->pid &&
		      strcmp(hs_buf_cstr(&x->detail), hs_buf_cstr(&y->detail)) == 0;
	}
	if (!ok)
		fprintf(stderr, "  %s cut at %zu: safe %lld (line %lld) state '%s': %d+%d events of %d\n",
		        file, cut, (long long)sa.safe_offset, (long long)sa.safe_line, sa.state, k, b.n, full->n);
	got_free(&a);
	got_free(&b);
	return ok;
}

static void test_resume(void)
{
	glob_t gl;
	size_t f;

	if (glob(FX "*.log", 0, NULL, &gl) != 0) {
		CHECK(!"no fixtures");
		return;
	}
	for (f = 0; f < gl.gl_pathc; f++) {
		const char *file = gl.gl_pathv[f];
		struct got full;
		struct hs_parse_stats st;
		size_t len, pos, nlines = 0, step, l = 0;
		char *buf = slurp(file, &len);
		int ok = 1, cuts = 0;

		if (!buf || strstr(file, "cross-spy"))
			goto next;
		parse(buf, len, 0, 1, NULL, &full, &st);
		for (pos = 0; pos < len; pos++)
			nlines += buf[pos] == '\n';
		step = nlines / 23 + 1; /* some 25 cut points per file */
		for (pos = 0; pos < len && cuts < 40; pos++) {
			if (buf[pos] != '\n' || ++l % step)
				continue;
			ok &= check_cut(file, buf, len, pos + 1, &full);
			cuts++;
		}
		CHECK(ok);
		got_free(&full);
	next:
		free(buf);
	}
	globfree(&gl);
}

/* ------------------------------------------------------------- hostile */

static void feed_all(const char *const *lines, int n, struct got *g, struct hs_parse_stats *st)
{
	feed_lines_with(P, &lines_opts, lines, n, NULL, g, st);
}

static void test_hostile(void)
{
	static const char *const odd[] = {
		"0x : 0x : Input", "0x00000001 : ", "0x00000001 : 0x0000000000000001 : ",
		"0x0000000000000000000001 : Entered C_X", "2026-13-45 99:99:99.000000 - Entered C_X",
		"2026-11-30 09:15:02.0000001 - Entered C_X", "2026-11-30 09:15:02.000000 - Entered ",
		"2026-11-30 09:15:02.000000 - Entered C_Login extra", "Returning 99999999999999999999999 (X)",
		"Returning 0 (CKR_OK", "*** 2026-11-30 09:15:02 ***", " hSession: 1", "Input",
		"2026-11-30 09:15:02.000000 - Entered C_Login", " hSession: 18446744073709551615",
		" hSession: 18446744073709551616", " userType: 99999999999999999999 (CKU_X)",
		" *pData: HEX(0)", " *pData: HEX(ZZ)", " *pData: HEX(", " ulCount: 5", "  *** Begin attribute template ***",
		"   Attribute: 17 (CKA_VALUE)", "   ulValueLen: 3", "   *pValue: HEX(414243)",
		"  *** End attribute template ***", "  *** End attribute template ***",
		"\x01\x02\x7f\xff\xfe", "Output", " *phKey: 77",
		"2026-11-30 09:15:02.000100 - Returning 0 (CKR_OK)",
	};
	struct got g;
	struct hs_parse_stats st;
	char *big;
	size_t n = 10u << 20, i;

	feed_all(odd, (int)(sizeof odd / sizeof odd[0]), &g, &st);
	CHECK(g.n == 1 && strcmp(g.ev[0].func, "C_Login") == 0 && g.ev[0].rv == 0);
	CHECK(g.n == 1 && strstr(hs_buf_cstr(&g.ev[0].detail), "[in] hSession = 0xffffffffffffffff\n"));
	CHECK(g.n == 1 && strstr(hs_buf_cstr(&g.ev[0].detail), "[out] hKey = 0x4d") != NULL);
	CHECK(g.n == 1 && strstr(hs_buf_cstr(&g.ev[0].detail), "CKA_VALUE             / 3\n"
	                         "    00000000  41 42 43") != NULL);
	got_free(&g);

	/* flag 8 and a PIN with a newline in it: its second part is no text */
	{
		const char *lines[] = { "2026-11-30 09:15:02.000000 - Entered C_Login", "Input",
			" hSession: 1", " *pPin: first-half", "  second-half-of-the-pin", " ulPinLen: 29",
			"2026-11-30 09:15:02.000100 - Returning 0 (CKR_OK)" };
		feed_all(lines, 7, &g, &st);
		CHECK(g.n == 1 && !strstr(hs_buf_cstr(&g.ev[0].detail), "second-half") &&
		      strstr(hs_buf_cstr(&g.ev[0].detail), "[in] pPin / 10\n"));
		got_free(&g);
	}
	/* a 10 MB HEX(..) value: one event, its dump capped by the event */
	big = malloc(n + 1);
	if (!big)
		return;
	memcpy(big, " *pData: HEX(", 13);
	for (i = 13; i < n - 1; i++) /* n - 14 digits: even */
		big[i] = "0123456789ABCDEF"[i % 16];
	big[n - 1] = ')';
	big[n] = '\0';
	{
		const char *lines[] = { "2026-11-30 09:15:02.000000 - Entered C_Sign", "Input", big,
			"2026-11-30 09:15:02.000100 - Returning 0 (CKR_OK)" };
		feed_all(lines, 4, &g, &st);
		CHECK(g.n == 1 && g.ev[0].detail.len <= HS_EVENT_DETAIL_MAX + 200);
		CHECK(g.n == 1 && g.ev[0].elided_lines > 0);
		got_free(&g);
	}
	/* NULs inside a line, a line of CRs only: nothing to take, no crash */
	memset(big, 0, 300);
	memcpy(big, "2026-11-30 09:15:02.000000 - Entered C_Log", 42);
	memset(big + 200, '\r', 100);
	{
		struct hs_sink sink = { .ctx = &g, .on_event = on_event, .on_skip = on_skip };
		struct hs_parser_opts po = { 2, "x", NULL };
		struct hs_parser *p = P->create(&sink, &po);
		memset(&g, 0, sizeof g);
		P->feed_line(p, big, 100, 0, 1);
		P->feed_line(p, big + 200, 100, 100, 2);
		P->finish(p, 200, 3, &st);
		got_keep_state(&g, &st);
		P->destroy(p);
		CHECK(g.n == 0 && st.skipped == 1);
		got_free(&g);
	}
	free(big);
}

/* --------------------------------------------------------------- probe */

static int nlines_of(const char *const *s)
{
	int i = 0;

	while (s[i])
		i++;
	return i;
}

/* The first HS_DETECT_LINES lines of path, as hs_detect is given them. */
static int head_lines(const char *path, char *buf, size_t cap, const char **lines)
{
	FILE *f = fopen(path, "rb");
	size_t got = f ? fread(buf, 1, cap - 1, f) : 0;
	char *p = buf;
	int n = 0;

	if (f)
		fclose(f);
	buf[got] = '\0';
	while (n < HS_DETECT_LINES && *p) {
		char *nl = strchr(p, '\n');
		lines[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = nl + 1;
	}
	return n;
}

static void test_probe(void)
{
	const struct hs_parser_desc *const *all = hs_detect_parsers();
	static char buf[1 << 16];
	const char *lines[HS_DETECT_LINES];
	glob_t gl;
	size_t f;
	int i, n, s;

	CHECK(hs_detect_by_name("logger") == P);
	/* every parser's samples: the logger claims none but its own */
	for (i = 0; all[i]; i++) {
		s = hs_detect_probe(P, all[i]->samples, nlines_of(all[i]->samples));
		CHECK(all[i] == P ? s >= 75 : s < HS_DETECT_MIN_SCORE);
		if (all[i] != P)
			CHECK(hs_detect_probe(all[i], P->samples, nlines_of(P->samples)) < HS_DETECT_MIN_SCORE);
		CHECK(hs_detect(all[i]->samples, nlines_of(all[i]->samples), NULL) == all[i]);
	}
	/* every logger fixture is read as the logger's, the spy's as the spy's */
	if (glob(FX "*.log", 0, NULL, &gl) == 0) {
		for (f = 0; f < gl.gl_pathc; f++) {
			const struct hs_parser_desc *d;
			n = head_lines(gl.gl_pathv[f], buf, sizeof buf, lines);
			d = hs_detect(lines, n, &s);
			CHECK(d == (strstr(gl.gl_pathv[f], "cross-spy") ? hs_detect_by_name("spy") : P));
			if (d != P && !strstr(gl.gl_pathv[f], "cross-spy"))
				fprintf(stderr, "  %s detected as %s\n", gl.gl_pathv[f], d ? d->name : "nothing");
		}
		globfree(&gl);
	}
	/* the other formats' fixtures and samples are not claimed */
	if (glob("test/fixtures/*/*", 0, NULL, &gl) == 0) {
		glob("share/samples/*", GLOB_APPEND, NULL, &gl);
		for (f = 0; f < gl.gl_pathc; f++) {
			if (strstr(gl.gl_pathv[f], "/logger/") || strstr(gl.gl_pathv[f], ".md"))
				continue;
			n = head_lines(gl.gl_pathv[f], buf, sizeof buf, lines);
			s = hs_detect_probe(P, lines, n);
			CHECK(s < HS_DETECT_MIN_SCORE);
			if (s >= HS_DETECT_MIN_SCORE)
				fprintf(stderr, "  %s: logger probe %d\n", gl.gl_pathv[f], s);
		}
		globfree(&gl);
	}
}

/* ------------------------------------------------------------- secrets */

struct collect {
	struct hs_buf text;         /* every detail and summary, concatenated */
	int events;
	int masked;                 /* PIN dumps seen masked */
};

static int collect_event(void *ctx, struct hs_event *e)
{
	struct collect *c = ctx;

	c->events++;
	hs_buf_adds(&c->text, e->summary);
	hs_buf_addc(&c->text, '\n');
	hs_buf_add(&c->text, e->detail.data ? e->detail.data : "", e->detail.len);
	hs_buf_addc(&c->text, '\n');
	if (strstr(hs_buf_cstr(&e->detail), "[in] pPin / 13\n    00000000  ** ** **"))
		c->masked++;
	return 0;
}

/* s in any form the dumps or the log could carry it */
static int leaks(const char *text, const char *s)
{
	char spaced[256], packed[256];
	size_t i, n = strlen(s), a = 0, b = 0;

	for (i = 0; i < n && i < 16; i++) {
		a += (size_t)snprintf(spaced + a, sizeof spaced - a, "%s%02X", i ? " " : "", (unsigned char)s[i]);
		b += (size_t)snprintf(packed + b, sizeof packed - b, "%02X", (unsigned char)s[i]);
	}
	return strstr(text, s) || strstr(text, spaced) || strstr(text, packed);
}

static void test_secrets(void)
{
	static const char *const secrets[] = { "so-pin-8642", "user-pin-1357", "wrong-pin-0000",
		"new-user-pin-2468", "KEY-MATERIAL-0123" };
	struct hs_sink sink;
	struct hs_pipeline_input in;
	struct hs_parse_stats st;
	struct hs_error err;
	struct collect c;
	size_t i, len;
	char *raw = slurp(FX "secrets.log", &len);

	/* the log itself has them all, so finding none below proves something */
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		CHECK(raw && leaks(raw, secrets[i]));
	free(raw);
	memset(&c, 0, sizeof c);
	hs_buf_init(&c.text);
	memset(&sink, 0, sizeof sink);
	sink.ctx = &c;
	sink.on_event = collect_event;
	memset(&in, 0, sizeof in);
	in.path = FX "secrets.log";
	in.parser = P;
	CHECK(hs_pipeline_run(&in, &sink, &st, &err) == 0);
	hs_parse_stats_free(&st);
	CHECK(c.events == 91 && c.masked >= 3);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		CHECK(!leaks(hs_buf_cstr(&c.text), secrets[i]));
		if (leaks(hs_buf_cstr(&c.text), secrets[i]))
			fprintf(stderr, "  %s leaks\n", secrets[i]);
	}
	/* the data buffer is kept (redaction only hides secrets by default) */
	CHECK(strstr(hs_buf_cstr(&c.text), "50 4C 41 49 4E 54 45 58 54") != NULL);
	hs_buf_free(&c.text);
}

int main(void)
{
	test_written();
	test_captures();
	test_capture_details();
	test_resume();
	test_hostile();
	test_probe();
	test_secrets();
	TEST_END();
}
