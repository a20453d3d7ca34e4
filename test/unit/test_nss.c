/* test_nss.c — the NSS PKCS#11 module logger parser, driven through its
 * descriptor as the pipeline drives it: each fixture (test/fixtures/nss/,
 * paths relative to the repository root) is split into lines the way
 * reader.c does ("\n", and a "\r" before it, removed), every line handed
 * over in a buffer of exactly its length, the events copied out.
 *
 * Table-driven: for the written fixtures the exact events (function, line,
 * instance, rv, ok, incomplete, tid, session, slot, user type, handles,
 * summary) and detail lines that must be there; for the real captures one
 * event per call line, one return per rv line, and what each level shows;
 * the timing table's rows; detection (also with other output on top, and
 * not claiming the other formats' samples); redaction through
 * hs_pipeline_run; and resume: a capture read in two parts, cut after any
 * of its lines, gives the events of one read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detect.h"
#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"
#include "harness.h"
#include "parsetest.h"

extern const struct hs_parser_desc hs_parser_nss;
#define P (&hs_parser_nss)
#define FX "test/fixtures/nss/"
#define N HS_NONE

/* ------------------------------------------------------------ harness */

static const struct hs_parser_opts fixture_opts = { 3, "fixture", NULL };

/* Parse buf[start..end) as lines numbered from `line`, after resume(state)
 * when state is not NULL. */
static void parse_part(const char *buf, size_t start, size_t end, int64_t line, const char *state,
                       struct got *g, struct hs_parse_stats *st)
{
	parse_with(P, &fixture_opts, buf, end, start, line, state, g, st);
}

static char *parse_file(const char *name, struct got *g, struct hs_parse_stats *st, size_t *len)
{
	char path[256], *buf;

	snprintf(path, sizeof path, FX "%s", name);
	buf = slurp(path, len);
	CHECK(buf != NULL);
	if (!buf) {
		memset(g, 0, sizeof *g);
		memset(st, 0, sizeof *st);
		return NULL;
	}
	parse_part(buf, 0, *len, 1, NULL, g, st);
	return buf;
}

static int count_lines(const char *buf, const char *needle)
{
	int n = 0;
	const char *p = buf;

	while ((p = strstr(p, needle)) != NULL)
		n++, p++;
	return n;
}

static int has_line(const struct hs_event *e, const char *line)
{
	const char *d = hs_buf_cstr(&e->detail), *p = d;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == d || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

/* ------------------------------------------------------------- tables */

struct exp {
	const char *func;
	int64_t line, instance, rv;
	int ok, incomplete;
	int64_t tid, session, slot, user_type;
	const char *keys;           /* "role=0xN,..." */
	const char *summary;        /* NULL: not checked */
	const char *lines;          /* '|'-separated detail lines that must be there, or NULL */
};

struct fixture {
	const char *file;
	int nexp;
	const struct exp *exp;
	int skipped, incomplete;
};

#define TA (-1409808576LL)
#define TB 1236481792LL

static const struct exp threads[] = {
	{ "C_Initialize", 1, 0, 0, 1, 0, TA, N, N, N, "", "", "[in] pInitArgs 0x7f3c1d4e56a0" },
	{ "C_OpenSession", 4, 0, 0, 1, 0, TA, 1, 0x2c4f1a3b, N, "", "slot=0x2c4f1a3b session=0x1",
	  "[in] flags = 0x6|[in] phSession 0x7ffc01432400|[out] *phSession = 0x1" },
	{ "C_WaitForSlotEvent", 10, 0, 0, 1, 0, TB, N, N, N, "", "",
	  "[in] flags = 0x0|[in] pSlot 0x7f2a41ffed58|[in] pRserved = NULL" },
	{ "C_Login", 16, 0, 0, 1, 0, TA, 1, N, 1, "", "session=0x1 user=CKU_USER",
	  "[in] userType = CKU_USER|[in] pPin 0x564f92d808a0|[in] ulPinLen = 0xd" },
	{ "C_GenerateKey", 22, 0, 0, 1, 0, TA, 1, N, N, "phKey=0x2",
	  "session=0x1 mech=CKM_AES_KEY_GEN phKey=0x2 label=\"aes-1\"",
	  "[in] pTemplate[3]: |    CKA_TOKEN             True|[in] pMechanism->type = CKM_AES_KEY_GEN|"
	  "[out] *phKey = 0x2" },
	{ "C_GetTokenInfo", 29, 0, 0, 1, 0, TB, N, 0x2c4f1a3b, N, "", "slot=0x2c4f1a3b",
	  "[out] pInfo: |      label = \"nss-tok                         \"" },
	{ "C_Logout", 40, 0, 0, 1, 0, TA, 1, N, N, "", "session=0x1", NULL },
	{ "C_CloseSession", 43, 0, 0, 1, 0, TA, 1, N, N, "", "session=0x1", NULL },
	{ "C_Finalize", 46, 0, 0, 1, 0, TA, N, N, N, "", "", "[in] pReserved = NULL" },
};

#define T1 743786304LL
#define T2 (-59832512LL)

/* Killed in C_GenerateKeyPair; the next process's calls wait behind it and
 * the file ends on a call line without its newline. */
static const struct exp truncated[] = {
	{ "C_Initialize", 1, 0, 0, 1, 0, T1, N, N, N, "", "", NULL },
	{ "C_OpenSession", 4, 0, 0, 1, 0, T1, 3, 0x11bff2d8, N, "", "slot=0x11bff2d8 session=0x3", NULL },
	{ "C_GenerateKeyPair", 13, 0, N, 0, 1, T1, 3, N, N, "", "session=0x3 mech=CKM_RSA_PKCS_KEY_PAIR_GEN",
	  "[in] pPublicKeyTemplate[2]: |    CKA_MODULUS_BITS      / 8|"
	  "    00000000  00 08 00 00 00 00 00 00                          ........        |"
	  "[in] pPrivateKeyTemplate[1]: |    CKA_SIGN              True" },
	{ "C_Initialize", 26, 1, 0, 1, 0, T2, N, N, N, "", "", NULL },
	{ "C_GetInfo", 29, 1, 0, 1, 0, T2, N, N, N, "", "",
	  "[out] pInfo: |      cryptoki version: 2.40|      library version: 2.6" },
	{ "C_CloseAllSessions", 36, 1, 0, 1, 0, T2, N, 0x11bff2d8, N, "", "slot=0x11bff2d8", NULL },
	{ "C_Finalize", 39, 1, N, 0, 1, T2, N, N, N, "", "", NULL },
};

#define TF 1478686528LL

/* Outputs printed after failed calls are garbage: kept, never read. */
static const struct exp failed[] = {
	{ "C_OpenSession", 1, 0, 0xe1, 0, 0, TF, N, 1, N, "", "slot=0x1", "[out] *phSession = 0x14324f0" },
	{ "C_GetTokenInfo", 9, 0, 0xe1, 0, 0, TF, N, 1, N, "", "slot=0x1", NULL },
	{ "C_GenerateKey", 13, 0, 0x101, 0, 0, TF, 2, N, N, "", "session=0x2 mech=CKM_AES_KEY_GEN",
	  "[out] *phKey = 0x55e72ef5" },
	{ "C_FindObjects", 23, 0, 0xb3, 0, 0, TF, 9, N, N, "", "session=0x9",
	  "[out] ulObjectCount = 0x2|Object 0x6fa8c0e0 matches|Object 0x0 matches" },
	{ "C_CreateObject", 32, 0, 0x101, 0, 0, TF, 3, N, N, "", "session=0x3",
	  "    CKA_CLASS             CKO_DATA|[out] *phObject = 0x0" },
	{ "C_GetAttributeValue", 41, 0, 0x11, 0, 0, TF, 1, N, N, "hObject=0x5", "session=0x1 hObject=0x5",
	  "[out] pTemplate[1]: |    CKA_VALUE             / -1" },
	{ "C_Sign", 48, 0, 0x150, 0, 0, TF, 6, N, N, "", "session=0x6",
	  "[out] pSignature 0x55b01831f900|[out] *pulSignatureLen = 0x100" },
};

#define TM1 409798464LL
#define TM2 (-1592383680LL)

/* Two processes appending at once, then a third that reuses the first's
 * thread prefix (no ASLR) and calls C_Initialize twice. */
static const struct exp multiproc[] = {
	{ "C_Initialize", 1, 0, 0, 1, 0, TM1, N, N, N, "", "", NULL },
	{ "C_OpenSession", 4, 0, 0, 1, 0, TM1, 1, 0x3223f854, N, "", NULL, NULL },
	{ "C_Initialize", 10, 1, 0, 1, 0, TM2, N, N, N, "", "", NULL },
	{ "C_OpenSession", 15, 1, 0, 1, 0, TM2, 1, 0x3223f854, N, "", NULL, NULL },
	{ "C_Login", 21, 0, 0, 1, 0, TM1, 1, N, 1, "", NULL, NULL },
	{ "C_Login", 29, 1, 0xa0, 0, 0, TM2, 1, N, 1, "", NULL, NULL },
	{ "C_CloseSession", 35, 0, 0, 1, 0, TM1, 1, N, N, "", NULL, NULL },
	{ "C_CloseSession", 38, 1, 0, 1, 0, TM2, 1, N, N, "", NULL, NULL },
	{ "C_Finalize", 41, 0, 0, 1, 0, TM1, N, N, N, "", "", NULL },
	{ "C_Finalize", 44, 1, 0, 1, 0, TM2, N, N, N, "", "", NULL },
	{ "C_Initialize", 47, 2, 0, 1, 0, TM1, N, N, N, "", "", NULL },
	{ "C_Initialize", 50, 2, 0x191, 0, 0, TM1, N, N, N, "", "", NULL },
	{ "C_OpenSession", 53, 2, 0, 1, 0, TM1, 1, 0x3223f854, N, "", NULL, NULL },
	{ "C_Finalize", 61, 2, 0, 1, 0, TM1, N, N, N, "", "", NULL },
};

#define TJ 1339492160LL

/* Output of the tool and of other NSPR modules around and inside calls,
 * CRLF line ends, an elision, a stray parameter of no call. */
static const struct exp junk[] = {
	{ "C_Initialize", 5, 0, 0, 1, 0, TJ, N, N, N, "", "", NULL },
	{ "C_Login", 8, 0, 0xa0, 0, 0, TJ, 1, N, 1, "", "session=0x1 user=CKU_USER", "[in] ulPinLen = 0xe" },
	{ "C_Logout", 17, 0, 0x101, 0, 0, TJ, 1, N, N, "", "session=0x1", NULL },
};

#define TQ 2093381440LL

static const struct exp quirks[] = {
	{ "C_Initialize", 1, 0, 0, 1, 0, TQ, N, N, N, "", "", NULL },
	{ "C_GetSlotList", 4, 0, 0, 1, 0, TQ, N, N, N, "", "",
	  "[in] tokenPresent = 0x1|[out] pSlotList 0x55cfa8d7f770|[out] *pulCount = 0x2|[out] pSlotList: |"
	  "      slotID[0] = 3223f854" },
	{ "C_GetMechanismInfo", 12, 0, 0, 1, 0, TQ, N, 0x3223f854, N, "", "slot=0x3223f854 mech=CKM_RSA_PKCS",
	  "[in] type = CKM_RSA_PKCS" },
	{ "C_InitToken", 17, 0, 0, 1, 0, TQ, N, 0x3223f854, N, "", "slot=0x3223f854",
	  "[in] pPin 0x55cfa8d80a10|[in] ulPinLen = 0xb|[in] pLabel 0x55cfa8d80a30" },
	{ "C_OpenSession", 23, 0, 0, 1, 0, TQ, 1, 0x3223f854, N, "", NULL,
	  "[in] pApplication = NULL|[in] Notify = 0x0" },
	{ "C_InitPIN", 31, 0, 0, 1, 0, TQ, 1, N, N, "", "session=0x1", NULL },
	{ "C_SetPIN", 36, 0, 0xa2, 0, 0, TQ, 1, N, N, "", "session=0x1",
	  "[in] pOldPin 0x55cfa8d80a10|[in] ulNewLen = 0x2" },
	{ "C_Login", 43, 0, 0xb3, 0, 0, TQ, 0, N, 0, "", "session=0x0 user=CKU_SO", "[in] hSession = 0x0" },
	{ "C_LoginUser", 49, 0, 0x80000123LL, 0, 0, TQ, 1, N, 1, "", NULL, "[in] pUsername 0x55cfa8d80a90" },
	{ "C_EncryptInit", 57, 0, 0, 1, 0, TQ, 1, N, N, "hKey=0x2", "session=0x1 mech=0x80000001 hKey=0x2",
	  NULL },
	{ "C_Encrypt", 63, 0, 0, 1, 0, TQ, 1, N, N, "", "session=0x1",
	  "[out] pEncryptedData NULL [size : 0x20 (32)]|[out] *pulEncryptedDataLen = 0x20" },
	{ "C_Encrypt", 71, 0, 0, 1, 0, TQ, 1, N, N, "", "session=0x1", "[out] pEncryptedData 0x55cfa8d81100" },
	{ "C_FindObjectsInit", 79, 0, 0, 1, 0, TQ, 1, N, N, "", NULL,
	  "    CKA_LABEL             / 48|      (the logger printed 48 of 60 bytes)|"
	  "    CKA_ID                / 6|    0x80000002            / 2|    CKA_CLASS             / 8|"
	  "    00000000  01 00 00 80 00 00 00 00                          ........        " },
	{ "C_FindObjects", 88, 0, 0, 1, 0, TQ, 1, N, N, "found=0x7,found=0x8", "session=0x1 found=0x7 found=0x8 found=2",
	  "[out] ulObjectCount = 0x2|Object 0x7 matches|Object 0x8 matches" },
	{ "C_FindObjectsFinal", 97, 0, 0, 1, 0, TQ, 1, N, N, "", NULL, NULL },
	{ "C_GetAttributeValue", 100, 0, 0, 1, 0, TQ, 1, N, N, "hObject=0x7", NULL,
	  "[out] pTemplate[3]: |    CKA_LABEL             / 60|    CKA_MODULUS           / 0|"
	  "    CKA_SUBJECT           / 5" },
	{ "C_UnwrapKey", 109, 0, 0, 1, 0, TQ, 1, N, N, "hUnwrappingKey=0x2,phKey=0x9",
	  "session=0x1 mech=CKM_AES_KEY_WRAP hUnwrappingKey=0x2 phKey=0x9",
	  "[in] pTemplate[2]: |    CKA_CLASS             CKO_SECRET_KEY|[in] ulWrappedKeyLen = 0x28" },
	{ "C_DestroyObject", 123, 0, 0, 1, 0, TQ, 1, N, N, "hObject=0x9", NULL, NULL },
	{ "C_DigestKey", 127, 0, 0, 1, 0, TQ, 1, N, N, "", NULL, NULL },
	{ "C_GetSessionInfo", 130, 0, 0, 1, 0, TQ, 1, N, N, "", "session=0x1",
	  "[out] pInfo: |      slotID = 0x3223f854|      state = CKS_RW_USER_FUNCTIONS" },
	{ "C_Logout", 138, 0, 0, 1, 0, TQ, 1, N, N, "", NULL, NULL },
	{ "C_CloseAllSessions", 141, 0, 0, 1, 0, TQ, N, 0x3223f854, N, "", NULL, NULL },
	{ "C_Finalize", 144, 0, 0, 1, 0, TQ, N, N, N, "", "", NULL },
};

#define TO 3086920384LL

/* NSS before 3.12.2 (2008) printed every rv in hex; 32-bit pointers. */
static const struct exp old_rv[] = {
	{ "C_Initialize", 1, 0, 0, 1, 0, TO, N, N, N, "", "", NULL },
	{ "C_OpenSession", 4, 0, 0, 1, 0, TO, 2, 1, N, "", "slot=0x1 session=0x2", NULL },
	{ "C_Login", 12, 0, 0xa0, 0, 0, TO, 2, N, 1, "", "session=0x2 user=CKU_USER", NULL },
	{ "C_CloseSession", 18, 0, 0xb3, 0, 0, TO, 2, N, N, "", "session=0x2", NULL },
};

#define E(a) (int)(sizeof a / sizeof a[0]), a

static const struct fixture fixtures[] = {
	{ "threads.log", E(threads), 0, 0 },
	{ "truncated.log", E(truncated), 1, 2 },
	{ "failed.log", E(failed), 0, 0 },
	{ "multiproc.log", E(multiproc), 0, 0 },
	{ "junk.log", E(junk), 7, 0 },
	{ "quirks.log", E(quirks), 0, 0 },
	{ "old-rv.log", E(old_rv), 0, 0 },
};

static void check_lines(const struct hs_event *e, const char *spec, const char *file)
{
	char one[512];
	const char *s = spec, *bar;

	while (s && *s) {
		size_t n;
		bar = strchr(s, '|');
		n = bar ? (size_t)(bar - s) : strlen(s);
		snprintf(one, sizeof one, "%.*s", (int)n, s);
		CHECK(has_line(e, one));
		if (!has_line(e, one))
			fprintf(stderr, "  %s line %lld (%s): no detail line '%s' in:\n%s\n", file,
			        (long long)e->line, e->func, one, hs_buf_cstr(&e->detail));
		s = bar ? bar + 1 : NULL;
	}
}

static void test_fixtures(void)
{
	size_t f;

	for (f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
		const struct fixture *fx = &fixtures[f];
		struct got g;
		struct hs_parse_stats st;
		size_t len;
		char *buf = parse_file(fx->file, &g, &st, &len);
		int i;

		CHECK(g.n == fx->nexp);
		if (g.n != fx->nexp)
			fprintf(stderr, "  %s: %d events, expected %d\n", fx->file, g.n, fx->nexp);
		CHECK(st.skipped == fx->skipped && g.skips == fx->skipped);
		CHECK(st.incomplete == fx->incomplete && st.events == g.n);
		if (st.skipped != fx->skipped || st.incomplete != fx->incomplete)
			fprintf(stderr, "  %s: skipped %lld incomplete %lld\n", fx->file, (long long)st.skipped,
			        (long long)st.incomplete);
		for (i = 0; i < g.n && i < fx->nexp; i++) {
			const struct hs_event *e = &g.ev[i];
			const struct exp *x = &fx->exp[i];
			char keys[256];
			int good;
			keys_of(e, ",", keys, sizeof keys);
			good = strcmp(e->func, x->func) == 0 && e->line == x->line && e->instance == x->instance &&
			       e->rv == x->rv && e->ok == x->ok && e->incomplete == x->incomplete &&
			       e->tid == x->tid && e->session == x->session && e->slot == x->slot &&
			       e->user_type == x->user_type && strcmp(keys, x->keys) == 0 &&
			       (!x->summary || strcmp(e->summary, x->summary) == 0) && e->pid == N &&
			       e->ts_us == N && e->dur_us == N && e->call_no == N && strcmp(e->format, "nss") == 0 &&
			       e->file_id == 3;
			if (strcmp(fx->file, "old-rv.log") == 0) /* the name comes from our table */
				good &= strcmp(e->rv_name, i == 2 ? "CKR_PIN_INCORRECT" : i == 3 ?
				               "CKR_SESSION_HANDLE_INVALID" : "CKR_OK") == 0;
			CHECK(good);
			if (!good)
				fprintf(stderr,
				        "  %s #%d: %s line %lld inst %lld rv %lld ok %d inc %d tid %lld s %lld "
				        "slot %lld u %lld keys '%s' summary '%s'\n",
				        fx->file, i, e->func, (long long)e->line, (long long)e->instance,
				        (long long)e->rv, e->ok, e->incomplete, (long long)e->tid,
				        (long long)e->session, (long long)e->slot, (long long)e->user_type, keys,
				        e->summary);
			check_lines(e, x->lines, fx->file);
		}
		got_free(&g);
		free(buf);
	}
}

/* ------------------------------------------------------ real captures */

struct real {
	const char *file;
	int level;                  /* nss_mod_log level */
	int ts;                     /* NSPR timestamps */
	int processes;              /* instances */
	int logins;                 /* C_Login calls, one of them failed when 2 */
	int table;                  /* timing table rows in the file */
};

static const struct real reals[] = {
	{ "login-l1.log", 1, 0, 2, 2, 0 },     { "login-l3.log", 3, 0, 2, 2, 0 },
	{ "login-l4.log", 4, 0, 2, 2, 0 },     { "login-l4-ts.log", 4, 1, 1, 1, 0 },
	{ "keygen-l4-ts.log", 4, 1, 1, 1, 0 }, { "import-l4.log", 4, 0, 1, 0, 0 },
	{ "mixed-l1-ts.log", 1, 1, 1, 1, 18 }, { "all-l5.log", 5, 0, 1, 0, 0 },
};

/* "2026-12-01 07:43:54.939643 UTC - " at the start of s, as µs. */
static int64_t stamp_of(const char *s)
{
	int y, mo, d, h, mi, sec;
	long us;

	if (sscanf(s, "%d-%d-%d %d:%d:%d.%ld UTC", &y, &mo, &d, &h, &mi, &sec, &us) != 7)
		return N;
	return hs_civil_to_us(y, mo, d, h, mi, sec, us);
}

static void test_real(void)
{
	size_t r;

	for (r = 0; r < sizeof reals / sizeof reals[0]; r++) {
		const struct real *x = &reals[r];
		struct got g;
		struct hs_parse_stats st;
		size_t len;
		char *buf = parse_file(x->file, &g, &st, &len);
		int i, logins = 0, bad = 0, sessions = 0, attrs = 0, max_inst = -1;

		if (!buf)
			continue;
		/* one event per call line, each with its return */
		CHECK(g.n == count_lines(buf, "]: C_"));
		CHECK(st.incomplete == 0 && count_lines(buf, "]:   rv = ") == g.n);
		CHECK(g.nrows == x->table);
		for (i = 0; i < g.n; i++) {
			const struct hs_event *e = &g.ev[i];
			const char *line = buf + e->offset;
			CHECK(e->ts_utc == x->ts && (e->ts_us != N) == x->ts && e->dur_us == N);
			if (x->ts)
				CHECK(e->ts_us == stamp_of(line));
			if (strcmp(e->func, "C_Login") == 0) {
				logins++;
				bad += e->rv == 0xa0;
				/* the session is an input: level 3 and up */
				CHECK((e->session != N) == (x->level >= 3));
			}
			if (strcmp(e->func, "C_OpenSession") == 0 && e->ok) {
				sessions++;
				CHECK((e->session != N) == (x->level >= 4)); /* *phSession: level 4 */
			}
			if (strstr(hs_buf_cstr(&e->detail), "\n    CKA_"))
				attrs++;
			if (e->instance > max_inst)
				max_inst = (int)e->instance;
			CHECK(i == 0 || e->offset > g.ev[i - 1].offset);
		}
		CHECK(max_inst + 1 == x->processes);
		CHECK(logins == x->logins && sessions >= 1);
		CHECK((attrs > 0) == (x->level >= 4)); /* template attributes: level 4 */
		if (strncmp(x->file, "login-", 6) == 0)
			CHECK(bad == 1); /* the wrong PIN */
		got_free(&g);
		free(buf);
	}
}

/* The rows of the timing table: units, the refinement by the average, the
 * table's own spelling C_UnWrapKey, and the real tables' counts. */
static void test_table(void)
{
	static const struct {
		const char *func;
		int64_t calls, total_us;
	} rows[] = {
		{ "C_Initialize", 1, 1000 },           { "C_Finalize", 1, 0 },
		{ "C_Sign", 5, 12345 },                { "C_SignInit", 7, 9999 },
		{ "C_UnwrapKey", 2, 45000000 },        { "C_WaitForSlotEvent", 1, 4500000000LL },
		{ "C_FindObjects", 40, 0 },
	};
	struct got g;
	struct hs_parse_stats st;
	size_t len, i;
	char *buf = parse_file("table.log", &g, &st, &len);
	int k, calls;

	CHECK(g.n == 0 && st.skipped == 0 && g.nrows == 7);
	for (i = 0; i < sizeof rows / sizeof rows[0] && (int)i < g.nrows; i++) {
		CHECK(strcmp(g.row[i].func, rows[i].func) == 0 && g.row[i].calls == rows[i].calls &&
		      g.row[i].total_us == rows[i].total_us && g.row[i].file_id == 3);
		if (g.row[i].total_us != rows[i].total_us)
			fprintf(stderr, "  %s: %lld us\n", g.row[i].func, (long long)g.row[i].total_us);
	}
	CHECK(g.nrows == 7 && strncmp(buf + g.row[2].offset, "C_Sign ", 7) == 0);
	got_free(&g);
	free(buf);

	/* the table of the real capture counts the calls the log shows */
	buf = parse_file("mixed-l1-ts.log", &g, &st, &len);
	CHECK(g.nrows == 18 && st.skipped == 2);
	for (k = 0; k < g.nrows && k < 64; k++) {
		for (calls = 0, i = 0; i < (size_t)g.n; i++)
			calls += strcmp(g.ev[i].func, g.row[k].func) == 0;
		CHECK(calls == g.row[k].calls && g.row[k].total_us % 1000 == 0); /* ms ticks */
	}
	got_free(&g);
	free(buf);
	buf = parse_file("table-file.log", &g, &st, &len);
	CHECK(g.n == 0 && st.skipped == 0 && g.nrows == 21);
	CHECK(g.nrows > 18 && strcmp(g.row[18].func, "C_GenerateKeyPair") == 0 &&
	      g.row[18].total_us == 262000);
	got_free(&g);
	free(buf);
}

/* ---------------------------------------------------------- resume */

static int same_event(const struct hs_event *a, const struct hs_event *b)
{
	return strcmp(a->func, b->func) == 0 && a->offset == b->offset && a->line == b->line &&
	       a->instance == b->instance && a->rv == b->rv && a->ok == b->ok &&
	       a->incomplete == b->incomplete && a->session == b->session && a->slot == b->slot &&
	       a->tid == b->tid && a->ts_us == b->ts_us && strcmp(a->summary, b->summary) == 0 &&
	       strcmp(hs_buf_cstr(&a->detail), hs_buf_cstr(&b->detail)) == 0;
}

/* Cut the capture after every line: the first part's events before its
 * safe_offset, then a re-parse of the whole from there with its state,
 * are exactly the events of one read. */
static void resume_all_cuts(const char *file)
{
	struct got whole, a, b;
	struct hs_parse_stats st, sa, sb;
	size_t len, cut;
	char *buf = parse_file(file, &whole, &st, &len);
	int64_t line = 1;
	int failures = 0;

	if (!buf)
		return;
	for (cut = 0; cut < len && failures < 3; cut++) {
		int i, k = 0, good = 1;
		if (buf[cut] != '\n')
			continue;
		line++;
		parse_part(buf, 0, cut + 1, 1, NULL, &a, &sa);
		parse_part(buf, (size_t)sa.safe_offset, len, sa.safe_line, sa.state, &b, &sb);
		for (i = 0; i < a.n && a.ev[i].offset < sa.safe_offset; i++, k++)
			good &= k < whole.n && same_event(&a.ev[i], &whole.ev[k]);
		for (i = 0; i < b.n; i++, k++)
			good &= k < whole.n && same_event(&b.ev[i], &whole.ev[k]);
		good &= k == whole.n && sa.safe_offset <= (int64_t)cut + 1;
		if (!good) {
			failures++;
			fprintf(stderr, "  %s: cut after line %lld (safe line %lld, state '%s'): %d events, not %d\n",
			        file, (long long)line - 1, (long long)sa.safe_line, sa.state, k, whole.n);
		}
		CHECK(good);
		got_free(&a);
		got_free(&b);
	}
	got_free(&whole);
	free(buf);
}

static void test_resume(void)
{
	static const char *const files[] = {
		"threads.log", "truncated.log", "failed.log", "multiproc.log", "junk.log", "quirks.log",
		"secrets.log", "login-l4.log", "login-l1.log", "mixed-l1-ts.log", "table.log",
	};
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		resume_all_cuts(files[i]);
}

/* ------------------------------------------------------- detection */

static const char *const junk_top[] = {
	"$ NSS_DEBUG_PKCS11_MODULE=softhsm NSPR_LOG_MODULES=nss_mod_log:4 certutil -K -h nss-tok",
	"certutil: Checking token \"nss-tok\" in slot \"SoftHSM slot ID 0x11bff2d8\"",
	"Generating key.  This may take a few moments...",
	"",
	"warning: something unrelated",
};

/* The first HS_DETECT_LINES lines of a fixture, after `njunk` lines of junk_top. */
static const struct hs_parser_desc *detect_file(const char *file, int njunk, int *score)
{
	static char lines[HS_DETECT_LINES][512];
	const char *ptrs[HS_DETECT_LINES];
	char path[256];
	FILE *f;
	int n = 0;

	for (; n < njunk && n < HS_DETECT_LINES; n++)
		snprintf(lines[n], sizeof lines[n], "%s", junk_top[n % 5]);
	snprintf(path, sizeof path, FX "%s", file);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (n < HS_DETECT_LINES && fgets(lines[n], sizeof lines[n], f)) {
		lines[n][strcspn(lines[n], "\r\n")] = '\0';
		n++;
	}
	fclose(f);
	for (int i = 0; i < n; i++)
		ptrs[i] = lines[i];
	return hs_detect(ptrs, n, score);
}

static void test_detect(void)
{
	static const char *const files[] = {
		"threads.log", "truncated.log", "failed.log", "multiproc.log", "junk.log", "quirks.log",
		"old-rv.log", "secrets.log", "login-l1.log", "login-l3.log", "login-l4.log", "login-l4-ts.log",
		"keygen-l4-ts.log", "import-l4.log", "mixed-l1-ts.log", "all-l5.log", "table.log",
		"table-file.log",
	};
	const struct hs_parser_desc *const *ps = hs_detect_parsers();
	size_t i;
	int k, score, nlines;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		CHECK(detect_file(files[i], 0, &score) == P);
		CHECK(detect_file(files[i], 5, &score) == P);
		if (detect_file(files[i], 5, &score) != P)
			fprintf(stderr, "  %s not detected after junk (score %d)\n", files[i], score);
	}
	/* our samples are ours; the others' are not */
	for (k = 0; ps[k]; k++) {
		for (nlines = 0; ps[k]->samples && ps[k]->samples[nlines]; nlines++)
			;
		if (ps[k] == P) {
			CHECK(hs_detect(ps[k]->samples, nlines, &score) == P);
			continue;
		}
		CHECK(hs_detect_probe(P, ps[k]->samples, nlines) < HS_DETECT_MIN_SCORE);
		CHECK(hs_detect_probe(ps[k], P->samples, 9) < hs_detect_probe(P, P->samples, 9));
	}
	/* spy and CloudHSM fixtures are not claimed */
	{
		static const char *const spy[] = { "0: C_Initialize", "2026-11-22 12:03:09.513",
			                           "[in] pInitArgs = (nil)", "Returned:  0 CKR_OK",
			                           "P:30222; T:0x139821603928128 2026-11-22 11:49:27.785" };
		CHECK(hs_detect_probe(P, spy, 5) == 0);
	}
}

/* ------------------------------------------------------- redaction */

struct collect {
	struct hs_buf text;         /* every detail and summary */
	int events;
};

static int collect_event(void *ctx, struct hs_event *e)
{
	struct collect *c = ctx;

	hs_buf_adds(&c->text, hs_buf_cstr(&e->detail));
	hs_buf_addc(&c->text, '\n');
	hs_buf_adds(&c->text, e->summary);
	hs_buf_addc(&c->text, '\n');
	c->events++;
	return 0;
}

static void run_pipeline(const char *file, int data, struct collect *c)
{
	struct hs_sink sink = { .ctx = c, .on_event = collect_event };
	struct hs_pipeline_input in;
	struct hs_parse_stats st;
	struct hs_error err;
	char path[256];

	snprintf(path, sizeof path, FX "%s", file);
	memset(&in, 0, sizeof in);
	in.path = path;
	in.parser = P;
	in.redact.data = data;
	hs_buf_init(&c->text);
	c->events = 0;
	CHECK(hs_pipeline_run(&in, &sink, &st, &err) == 0);
	hs_parse_stats_free(&st);
}

static void test_redaction(void)
{
	struct collect c;
	const char *t;

	run_pipeline("secrets.log", 0, &c);
	t = hs_buf_cstr(&c.text);
	CHECK(c.events == 8);
	/* the secret key (created and read back), the private key's parts */
	CHECK(!strstr(t, "53 45 43 52 45 54") && !strstr(t, "SECRET-KEY"));
	CHECK(!strstr(t, "50 52 49 56 41 54") && !strstr(t, "PRIVATE-EXPON"));
	CHECK(!strstr(t, "50 52 49 4D 45 31") && !strstr(t, "PRIME1"));
	CHECK(strstr(t, "    CKA_VALUE             / 16\n    00000000  ** ** ** ** ** **") != NULL);
	/* kept: a certificate, a data object (without --data), the label */
	CHECK(strstr(t, "30 82 02 A3 30 82") && strstr(t, "DATA-OBJECT-BYTE") && strstr(t, "imp-1"));
	/* the PIN itself is never in the log, its pointer is no secret */
	CHECK(strstr(t, "[in] pPin 0x55d75d7cf000") != NULL);
	hs_buf_free(&c.text);

	run_pipeline("secrets.log", 1, &c);
	CHECK(!strstr(hs_buf_cstr(&c.text), "DATA-OBJECT-BYTE"));
	hs_buf_free(&c.text);

	/* a real import of a secret key: its CKA_VALUE bytes are masked */
	run_pipeline("import-l4.log", 0, &c);
	t = hs_buf_cstr(&c.text);
	CHECK(c.events == 30 && !strstr(t, "DB D6 75 5D 05") && strstr(t, "CKA_VALUE             / 24"));
	hs_buf_free(&c.text);
}

/* ------------------------------------------------------------ hostile */

static void feed_one(struct hs_parser *p, const char *s, size_t n, int64_t *off, int64_t *line)
{
	P->feed_line(p, s, n, *off, (*line)++);
	*off += (int64_t)n + 1;
}

static void test_hostile(void)
{
	struct got g;
	struct hs_sink sink = { .ctx = &g, .on_event = on_event, .on_skip = on_skip, .on_tracer_stat = on_row };
	struct hs_parser_opts po = { 0, "x", NULL };
	struct hs_parse_stats st;
	struct hs_parser *p;
	static const char *const lines[] = {
		"1[a]: C_Login", "1[a]:   hSession = 0x99999999999999999999", "1[a]:   ulPinLen = -5",
		"1[a]:     CKA_VALUE = 0G [2]", "1[a]:     CKA_LABEL = \" [1]", "1[a]:     = [", "1[a]:   = ",
		"1[a]:       mechanism = ", "1[a]:   rv = ", "1[a]: C_", "99999999999999999999999[a]: C_X",
		"1[]: C_Login", "1[a]:", "C_Sign 1 2 xs 3.00us 4.00%", "C_Sign 1 99999999999999999999 m 1.00us 1.00%",
		"2026-13-01 00:00:00.000000 UTC - 1[a]: C_Login",
	};
	char *big;
	size_t i, n = 10u << 20;
	int64_t off = 0, line = 1;

	memset(&g, 0, sizeof g);
	p = P->create(&sink, &po);
	CHECK(p != NULL);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		feed_one(p, lines[i], strlen(lines[i]), &off, &line);
	/* NULs, a line of CRs, and a 10 MB attribute value */
	feed_one(p, "1[a]: C_Sign\0\0x", 15, &off, &line);
	feed_one(p, "\r\r\r\r", 4, &off, &line);
	big = malloc(n);
	CHECK(big != NULL);
	if (big) {
		memset(big, 'A', n);
		memcpy(big, "1[a]:     CKA_VALUE = ", 22);
		memcpy(big + n - 5, " [9]", 4);
		feed_one(p, "1[a]: C_CreateObject", 20, &off, &line);
		feed_one(p, big, n - 1, &off, &line);
		feed_one(p, "1[a]:   rv = CKR_OK", 19, &off, &line);
		free(big);
	}
	for (i = 0; i < 2000; i++) /* far more open calls than the queue holds */
		feed_one(p, i % 2 ? "2[b]: C_Sign" : "3[c]: C_Sign", 12, &off, &line);
	P->finish(p, off, line, &st);
	got_keep_state(&g, &st);
	P->destroy(p);
	CHECK(st.events == g.n && g.n > 2000 && g.ev[g.n - 1].incomplete);
	for (i = 0; i < (size_t)g.n; i++)
		CHECK(g.ev[i].detail.len <= HS_EVENT_DETAIL_MAX + 1);
	CHECK(g.nrows == 0);
	got_free(&g);

	/* destroy without finish frees what is held */
	p = P->create(&sink, &po);
	feed_one(p, "1[a]: C_Login", 13, &off, &line);
	P->destroy(p);
	/* a resume state that is not one of ours is ignored */
	p = P->create(&sink, &po);
	P->resume(p, "garbage");
	P->resume(p, NULL);
	P->resume(p, "n=5 c=9:1 zz:1:1");
	P->resume(p, "n=2 c=1:7");
	P->resume(p, "n=5 c=9 cs=1 t=zz");
	P->resume(p, "n=2 c=1 cs=7");
	P->finish(p, 0, 1, &st);
	CHECK(strncmp(st.state, "n=1 c=0 cs=0", 12) == 0);
	hs_parse_stats_free(&st);
	P->destroy(p);
}

int main(void)
{
	test_fixtures();
	test_real();
	test_table();
	test_resume();
	test_detect();
	test_redaction();
	test_hostile();
	TEST_END();
}
