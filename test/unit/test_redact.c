/* test_redact.c — masking of PINs and key material in detail lines, and the
 * pipeline's promise that nothing unredacted reaches a sink.
 *
 * Table-driven: each case is a detail text as the spy parser keeps it
 * (pkcs11-display.c's print_generic and print_print layouts, trailing
 * blanks cut), the event's function, whether data buffers are hidden too,
 * and either the exact text expected or the lines expected to be masked.
 * A masked line must keep its length and layout: the offset column stays,
 * every hex digit of the data becomes '*' ("** **"), and exactly as many
 * ASCII characters as there are bytes become '*'; other lines stay as they
 * were. Then secrets.log (test/fixtures/spy/) goes through
 * hs_pipeline_run(): no PIN or secret may appear in any detail or summary,
 * as text, as the spy's spaced hex (either case) or as print_print's
 * grouped hex; what must be kept is kept.
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsmscope/pipeline.h"
#include "hsmscope/redact.h"
#include "harness.h"

extern const struct hs_parser_desc hs_parser_spy;

struct rcase {
	const char *name;
	const char *func;
	int data;                   /* opts.data */
	const char *in;
	const char *out;            /* exact result, or NULL: see masked */
	const char *masked;         /* 0-based line numbers that must be masked, "1,3" */
};

#define PIN_USER "    00000000  75 73 65 72 2D 70 69 6E 2D 31 33 35 37           user-pin-1357"
#define PIN_USER_MASKED "    00000000  ** ** ** ** ** ** ** ** ** ** ** ** **           *************"
#define PIN_SO "    00000000  73 6F 2D 70 69 6E 2D 38 36 34 32                 so-pin-8642"
#define PIN_SO_MASKED "    00000000  ** ** ** ** ** ** ** ** ** ** **                 ***********"
#define PIN_NEW1 "    00000000  6E 65 77 2D 75 73 65 72 2D 70 69 6E 2D 32 34 36  new-user-pin-246"
#define PIN_NEW2 "    00000010  38                                               8"
#define PIN_WRONG "    00000000  77 72 6F 6E 67 2D 70 69 6E 2D 30 30 30 30        wrong-pin-0000"
#define LABEL1 "    00000000  62 61 73 69 63 20 20 20 20 20 20 20 20 20 20 20  basic"
#define LABEL2 "    00000010  20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20"
#define AES1 "    00000000  73 65 63 72 65 74 2D 61 65 73 2D 6B 65 79 2D 6D  secret-aes-key-m"
#define AES2 "    00000010  61 74 65 72 69 61 6C 2D 30 30 31 31 32 32 33 33  aterial-00112233"
#define CERT1 "    00000000  30 82 01 0A 02 82 01 01 00 C4 57 19 8B B7 2A EE  0.........W...*."
#define BYTES3 "    00000000  01 00 01                                         ..."
#define ATTR(name) "    " name
#define SPEC16 "00007ffd0000a000 / 16"
#define SPEC32 "00007ffd0000a000 / 32"

static const struct rcase cases[] = {
	{ "C_Login: the PIN", "C_Login", 0,
	  "[in] hSession = 0x1\n[in] userType = CKU_USER\n[in] pPin[ulPinLen] 00007ffc22af8911 / 13\n" PIN_USER,
	  "[in] hSession = 0x1\n[in] userType = CKU_USER\n[in] pPin[ulPinLen] 00007ffc22af8911 / 13\n"
	  PIN_USER_MASKED, NULL },
	{ "C_InitToken: PIN masked, label kept", "C_InitToken", 0,
	  "[in] slotID = 0x0\n[in] pPin[ulPinLen] 00007ffc0915b913 / 11\n" PIN_SO "\n"
	  "[in] pLabel[32] 00007ffc0915aab0 / 32\n" LABEL1 "\n" LABEL2,
	  "[in] slotID = 0x0\n[in] pPin[ulPinLen] 00007ffc0915b913 / 11\n" PIN_SO_MASKED "\n"
	  "[in] pLabel[32] 00007ffc0915aab0 / 32\n" LABEL1 "\n" LABEL2, NULL },
	{ "C_InitPIN", "C_InitPIN", 0,
	  "[in] hSession = 0x2\n[in] pPin[ulPinLen] 00007ffc0915b920 / 13\n" PIN_USER,
	  "[in] hSession = 0x2\n[in] pPin[ulPinLen] 00007ffc0915b920 / 13\n" PIN_USER_MASKED, NULL },
	{ "C_SetPIN: both PINs, the new one over two lines", "C_SetPIN", 0,
	  "[in] hSession = 0x2\n[in] pOldPin[ulOldLen] 00007fffe038c8e1 / 13\n" PIN_USER "\n"
	  "[in] pNewPin[ulNewLen] 00007fffe038c8fe / 17\n" PIN_NEW1 "\n" PIN_NEW2,
	  "[in] hSession = 0x2\n[in] pOldPin[ulOldLen] 00007fffe038c8e1 / 13\n" PIN_USER_MASKED "\n"
	  "[in] pNewPin[ulNewLen] 00007fffe038c8fe / 17\n"
	  "    00000000  ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **  ****************\n"
	  "    00000010  **                                               *", NULL },
	{ "C_LoginUser: PIN masked, user name kept", "C_LoginUser", 0,
	  "[in] hSession = 0x1\n[in] userType = CKU_USER\n[in] pPin[ulPinLen] 00007fffe038c8fe / 14\n" PIN_WRONG
	  "\n[in] pUsername[ulUsernameLen] 00007fffe038c900 / 5\n"
	  "    00000000  61 6C 69 63 65                                   alice",
	  NULL, "3" },
	{ "a 40-byte PIN wraps over three lines", "C_Login", 0,
	  "[in] hSession = 0x1\n[in] userType = CKU_SO\n[in] pPin[ulPinLen] 00007ffc22af8911 / 40\n"
	  "    00000000  61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61  aaaaaaaaaaaaaaaa\n"
	  "    00000010  62 62 62 62 62 62 62 62 62 62 62 62 62 62 62 62  bbbbbbbbbbbbbbbb\n"
	  "    00000020  63 20 63 20 63 20 63 20                          c c c c",
	  NULL, "3,4,5" },
	{ "a PIN filed under another call (threads) is still a PIN", "C_Sign", 0,
	  "[in] hSession = 0x1\n[in] pData[ulDataLen] 00007f1c9a9fda60 / 3\n"
	  "    00000000  61 62 63                                         abc\n"
	  "[in] pPin[ulPinLen] 00007ffc0a9ec8f4 / 13\n" PIN_USER,
	  NULL, "4" },
	{ "CKA_VALUE of a secret key", "C_CreateObject", 0,
	  "[in] hSession = 0x1\n[in] pTemplate[3]:\n" ATTR("CKA_CLASS             CKO_SECRET_KEY\n")
	  ATTR("CKA_VALUE             " SPEC32 "\n") AES1 "\n" AES2 "\n[out] *phObject = 0x10",
	  NULL, "4,5" },
	{ "CKA_VALUE of a private key, class after the value", "C_CreateObject", 0,
	  "[in] hSession = 0x2\n[in] pTemplate[3]:\n" ATTR("CKA_VALUE             " SPEC32 "\n") AES1 "\n" AES2
	  "\n" ATTR("CKA_CLASS             CKO_PRIVATE_KEY\n") ATTR("CKA_KEY_TYPE          CKK_EC"),
	  NULL, "3,4" },
	{ "CKA_VALUE read back, class unknown", "C_GetAttributeValue", 0,
	  "[in] hSession = 0x1\n[in] hObject = 0x10\n[in] pTemplate[1]:\n"
	  ATTR("CKA_VALUE             " SPEC32 "\n") "[out] pTemplate[1]:\n"
	  ATTR("CKA_VALUE             " SPEC32 "\n") AES1 "\n" AES2,
	  NULL, "6,7" },
	{ "CKA_VALUE of a certificate is kept (class before)", "C_CreateObject", 0,
	  "[in] hSession = 0x1\n[in] pTemplate[2]:\n" ATTR("CKA_CLASS             CKO_CERTIFICATE\n")
	  ATTR("CKA_VALUE             " SPEC16 "\n") CERT1,
	  NULL, "" },
	{ "CKA_VALUE of a certificate is kept (class after)", "C_GetAttributeValue", 0,
	  "[in] hSession = 0x1\n[in] hObject = 0x5\n[in] pTemplate[2]:\n"
	  ATTR("CKA_CLASS             00007fffee090d88 / 8\n") ATTR("CKA_VALUE             " SPEC16 "\n")
	  "[out] pTemplate[2]:\n" ATTR("CKA_VALUE             " SPEC16 "\n") CERT1 "\n"
	  ATTR("CKA_CLASS             CKO_CERTIFICATE"),
	  NULL, "" },
	{ "CKA_VALUE of a public key is kept; the private template's is not", "C_GenerateKeyPair", 0,
	  "[in] hSession = 0x1\n[in] pPublicKeyTemplate[2]:\n" ATTR("CKA_CLASS             CKO_PUBLIC_KEY\n")
	  ATTR("CKA_VALUE             " SPEC16 "\n") CERT1 "\n[in] pPrivateKeyTemplate[2]:\n"
	  ATTR("CKA_VALUE             " SPEC32 "\n") AES1 "\n" AES2 "\n" ATTR("CKA_SENSITIVE         True"),
	  NULL, "7,8" },
	{ "a public key template without a class line is public", "C_GenerateKeyPair", 0,
	  "[in] pPublicKeyTemplate[1]:\n" ATTR("CKA_VALUE             " SPEC16 "\n") CERT1,
	  NULL, "" },
	{ "private key parts are always masked, whatever the class", "C_CreateObject", 0,
	  "[in] pTemplate[8]:\n" ATTR("CKA_CLASS             CKO_PUBLIC_KEY\n")
	  ATTR("CKA_PUBLIC_EXPONENT   00007fffee091345 / 3\n") BYTES3 "\n"
	  ATTR("CKA_PRIVATE_EXPONENT  " SPEC32 "\n") AES1 "\n" AES2 "\n"
	  ATTR("CKA_PRIME_1           " SPEC16 "\n") CERT1 "\n"
	  ATTR("CKA_PRIME_2           " SPEC16 "\n") CERT1 "\n"
	  ATTR("CKA_EXPONENT_1        " SPEC16 "\n") CERT1 "\n"
	  ATTR("CKA_EXPONENT_2        " SPEC16 "\n") CERT1 "\n"
	  ATTR("CKA_COEFFICIENT       " SPEC16 "\n") CERT1 "\n"
	  ATTR("CKA_MODULUS           " SPEC16 "\n") CERT1,
	  NULL, "5,6,8,10,12,14,16" },
	{ "private key parts in print_print's layout", "C_CreateObject", 0,
	  "[in] pTemplate[3]:\n"
	  ATTR("CKA_PRIVATE_EXPONENT  00007ffd00001000 / 40\n")
	  "    612D7665 72792D6C 6F6E672D 6C616265 6C2D666F 722D7468 652D7369 676E696E\n"
	  "     a - v e  r y - l  o n g -  l a b e  l - f o  r - t h  e - s i  g n i n672D6B65 792D3031\n"
	  "     g - k e  y - 0 1\n"
	  ATTR("CKA_COEFFICIENT       00007ffd00002000 / 9\n")
	  "    62617369 632D7273 61\n"
	  "     b a s i  c - r s  a\n"
	  ATTR("CKA_LABEL             00007ffd00002000 / 9\n")
	  "    62617369 632D7273 61\n"
	  "     b a s i  c - r s  a",
	  "[in] pTemplate[3]:\n"
	  ATTR("CKA_PRIVATE_EXPONENT  00007ffd00001000 / 40\n")
	  "    ******** ******** ******** ******** ******** ******** ******** ********\n"
	  "     * * * *  * * * *  * * * *  * * * *  * * * *  * * * *  * * * *  * * * ********* ********\n"
	  "     * * * *  * * * *\n"
	  ATTR("CKA_COEFFICIENT       00007ffd00002000 / 9\n")
	  "    ******** ******** **\n"
	  "     * * * *  * * * *  *\n"
	  ATTR("CKA_LABEL             00007ffd00002000 / 9\n")
	  "    62617369 632D7273 61\n"
	  "     b a s i  c - r s  a", NULL },
	{ "data buffers are kept by default", "C_Sign", 0,
	  "[in] hSession = 0x1\n[in] pData[ulDataLen] 00007f1c9a9fda60 / 16\n" CERT1
	  "\n[out] pSignature[*pulSignatureLen] 00007f1c9a9fdaa0 / 3\n" BYTES3,
	  NULL, "" },
	{ "opts.data hides data buffers", "C_Sign", 1,
	  "[in] hSession = 0x1\n[in] pData[ulDataLen] 00007f1c9a9fda60 / 16\n" CERT1
	  "\n[out] pSignature[*pulSignatureLen] 00007f1c9a9fdaa0 / 3\n" BYTES3,
	  NULL, "2,4" },
	{ "opts.data keeps labels, ids and public values", "C_CreateObject", 1,
	  "[in] pTemplate[4]:\n" ATTR("CKA_CLASS             CKO_PUBLIC_KEY\n")
	  ATTR("CKA_LABEL             00007ffd00002000 / 9\n") "    62617369 632D7273 61\n"
	  "     b a s i  c - r s  a\n" ATTR("CKA_ID                000055595c160700 / 3\n") BYTES3 "\n"
	  ATTR("CKA_VALUE             " SPEC16 "\n") CERT1 "\n[in] pLabel[32] 00007ffc0915aab0 / 32\n"
	  LABEL1 "\n" LABEL2,
	  NULL, "" },
	{ "a data object's value is data: kept, or hidden with opts.data", "C_CreateObject", 1,
	  "[in] pTemplate[2]:\n" ATTR("CKA_CLASS             CKO_DATA\n")
	  ATTR("CKA_VALUE             " SPEC16 "\n") CERT1,
	  NULL, "3" },
	{ "a data object's value is kept by default", "C_CreateObject", 0,
	  "[in] pTemplate[2]:\n" ATTR("CKA_CLASS             CKO_DATA\n")
	  ATTR("CKA_VALUE             " SPEC16 "\n") CERT1,
	  NULL, "" },
	{ "nothing secret: token info and mechanism lines stay", "C_GetTokenInfo", 1,
	  "[in] slotID = 0x0\n[out] pInfo:\n      label:                  'basic'\n"
	  "      flags:                   c00025\n        CKF_RNG\n      ulMaxPinLen:             255",
	  NULL, "" },
	{ "a PIN dump line cut in two by another process's output", "C_Login", 0,
	  "[in] hSession = 0x1\n[in] pPin[ulPinLen] 00007ffc0a9ec8f4 / 13\n    00000000  75 73 65 72 2D\n"
	  "70 69 6E 2D 31 33 35 37           user-pin-1357",
	  "[in] hSession = 0x1\n[in] pPin[ulPinLen] 00007ffc0a9ec8f4 / 13\n    00000000  ** ** ** ** **\n"
	  "** ** ** ** ** ** ** **           *************", NULL },
	{ "free text after an output parameter stays, even with opts.data", "C_FindObjects", 1,
	  "[in] hSession = 0x1\n[in] ulMaxObjectCount = 0x1\n[out] ulObjectCount = 0x1\nObject 0x3 matches",
	  NULL, "" },
	/* by structure, not by spacing (issue 14) */
	{ "TABs in a PIN's parameter line and dump row", "C_Login", 0,
	  "[in]\tpPin[ulPinLen] 00007ffc22af88ff / 11\n"
	  "    00000000  73 6F 2D 70 69 6E 2D 38 36 34 32\t\t       so-pin-8642",
	  "[in]\tpPin[ulPinLen] 00007ffc22af88ff / 11\n"
	  "    00000000  ** ** ** ** ** ** ** ** ** ** **\t\t       ***********", NULL },
	{ "squeezed spaces: the text column right after the bytes", "C_InitToken", 0,
	  "[in] pPin[ulPinLen] 00007ffc22af88ff / 11\n 00000000 73 6F 2D 70 69 6E 2D 38 36 34 32 so-pin-8642",
	  "[in] pPin[ulPinLen] 00007ffc22af88ff / 11\n 00000000 ** ** ** ** ** ** ** ** ** ** ** ***********", NULL },
	{ "CRLF line ends", "C_Login", 0,
	  "[in] pPin[ulPinLen] 00007ffc22af88ff / 11\r\n"
	  "    00000000  73 6F 2D 70 69 6E 2D 38 36 34 32                 so-pin-8642\r",
	  "[in] pPin[ulPinLen] 00007ffc22af88ff / 11\r\n"
	  "    00000000  ** ** ** ** ** ** ** ** ** ** **                 ***********\r", NULL },
	{ "a PIN written inline as 'pPin: ...' is masked from its name on", "C_Login", 0,
	  "[in] hSession = 0x1\n[in] pPin: user-pin-1357",
	  "[in] hSession = 0x1\n[in] pPin* *************", NULL },
	{ "a PIN's pointer alone is no secret (NSS)", "C_Login", 0,
	  "[in] hSession = 0x1\n[in] pPin 0x55d75d7cf000\n[in] ulPinLen = 11", NULL, "" },
	{ "'CKA_PRIME_1:' and a TAB before the announcement", "C_CreateObject", 0,
	  "[in] pTemplate[2]:\n    CKA_PRIME_1:\t00007ffd0000b000 / 11\n"
	  "    00000000  70 72 69 6D 65 2D 6F 6E 65 2D 70                 prime-one-p",
	  NULL, "2" },
	{ "'CKA_VALUE=' without indentation", "C_CreateObject", 0,
	  "[in] pTemplate[1]:\nCKA_VALUE=00007ffd0000a000 / 32\n" AES1 "\n" AES2, NULL, "2,3" },
	{ "CKA_VALUE_LEN is not CKA_VALUE", "C_GenerateKey", 0,
	  "[in] pTemplate[1]:\n    CKA_VALUE_LEN\t00007ffe75f9c558 / 8\n"
	  "    00000000  10 00 00 00 00 00 00 00                          ........", NULL, "" },
	{ "a dump row no dump announced is masked, offset and all", "C_Sign", 0,
	  "[in] hSession = 0x1\n" PIN_USER,
	  "[in] hSession = 0x1\n"
	  "    ********  ** ** ** ** ** ** ** ** ** ** ** ** **           *************", NULL },
	{ "a data dump's rows after an elision, a mechanism parameter: kept", "C_Sign", 0,
	  "[in] pMechanism->pParameter / 16\n" CERT1 "\n[in] pData[ulDataLen] 00007f1c9a9fda60 / 48\n" AES1
	  "\n    . . .\n    00000020  60 61 62 63 64 65 66 67 68 69 6A 6B 6C 6D 6E 6F  `abcdefghijklmno",
	  NULL, "" },
	{ "a PIN's announcement with a blank before '[ulPinLen]'", "C_Login", 0,
	  "[in] pPin [ulPinLen] 00007ffc22af8911 / 13\n" PIN_USER,
	  "[in] pPin [ulPinLen] 00007ffc22af8911 / 13\n" PIN_USER_MASKED, NULL },
	{ "'/0x55cf..' is an address, not a length: the PIN's line is masked", "C_Login", 0,
	  "[in] pPin = /0x55cfa8d80a10", "[in] pPin * ***************", NULL },
	{ "an attribute the spy could not name: its bytes masked, offset kept", "C_GetAttributeValue", 0,
	  "[out] pTemplate[1]:\n    CKA_? (0x80000123)    00007ffe75f9c53a / 11\n"
	  "    00000000  73 6F 2D 70 69 6E 2D 38 36 34 32                 so-pin-8642",
	  "[out] pTemplate[1]:\n    CKA_? (0x80000123)    00007ffe75f9c53a / 11\n" PIN_SO_MASKED, NULL },
	{ "... but '/ -1' (unavailable) announces nothing", "C_GetAttributeValue", 0,
	  "[out] pTemplate[1]:\n    CKA_? (0xcf534301)    00007fff29991698 / -1", NULL, "" },
	{ "a row already masked counts its bytes: the next is still the value's", "C_Login", 0,
	  "[in] pPin[ulPinLen] 00007fff65ec2899 / 17\n"
	  "    00000000  ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **  ****************\n"
	  "    00000010  38                                               8",
	  "[in] pPin[ulPinLen] 00007fff65ec2899 / 17\n"
	  "    00000000  ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **  ****************\n"
	  "    00000010  **                                               *", NULL },
	{ "print_print's hex line that reads as a dump row: kept in a label", "C_InitToken", 0,
	  "[in] pLabel[ulLabelLen] 00007ffd0000a000 / 5\n    68656C6C 6F\n     h e l l  o", NULL, "" },
	{ "... masked whole where no label waits for it", "C_Sign", 0,
	  "[in] hSession = 0x1\n    68656C6C 6F 70 69\n", NULL, "1" },
	{ "short and odd lines", "C_Login", 0, "[\n[in]\n[out]\n    \n    0\n[in] x", NULL, "" },
	{ "empty detail", "C_Login", 0, "", "", NULL },
};

/* Is line b the masking of line a: same length and layout, data gone? */
static int is_masked(const char *a, const char *b, size_t n)
{
	size_t i, pairs = 0, from;

	if (n >= 14 && a[12] == ' ' && a[13] == ' ' && a[4] != ' ') { /* print_generic */
		if (memcmp(a, b, 14) != 0)
			return 0;
		for (i = 14; i < n && i < 62; i++) {
			if (isxdigit((unsigned char)a[i]) ? b[i] != '*' : b[i] != a[i])
				return 0;
			pairs += isxdigit((unsigned char)a[i]) && i % 3 == 2;
		}
		for (i = 62; i < n; i++)
			if (b[i] != (i >= 63 && i < 63 + pairs ? '*' : a[i]))
				return 0;
		return pairs > 0;
	}
	/* print_print: every non-blank after the indent; the rest of a cut
	 * dump line: every non-blank */
	from = n >= 4 && memcmp(a, "    ", 4) == 0 ? 4 : 0;
	for (i = 0; i < n; i++)
		if (b[i] != (i >= from && a[i] != ' ' ? '*' : a[i]))
			return 0;
	return 1;
}

/* Is `line` in the comma-separated list? */
static int listed(const char *list, int line)
{
	while (*list) {
		if (isdigit((unsigned char)*list) && atoi(list) == line)
			return 1;
		list += strcspn(list, ",");
		list += *list == ',';
	}
	return 0;
}

static void test_cases(void)
{
	size_t c;

	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct rcase *k = &cases[c];
		struct hs_event e;
		struct hs_redact_opts o = { .data = k->data };
		const char *a = k->in, *b, *want = k->out;
		int changed, want_changed = 0, line = 0, fails = hs_t_fail;

		hs_event_init(&e);
		hs_strlcpy(e.func, k->func, sizeof e.func);
		hs_buf_adds(&e.detail, k->in);
		changed = hs_redact_event(&e, &o);
		b = hs_buf_cstr(&e.detail);
		CHECK(e.detail.len == strlen(k->in));
		if (want)
			CHECK(strcmp(b, want) == 0);
		/* line by line: masked where listed (or where the expected text
		 * differs), untouched elsewhere */
		while (*a) {
			size_t n = strcspn(a, "\n");
			int masked = want ? memcmp(a, want, n) != 0 : listed(k->masked, line);
			if (masked) {
				if (!k->out) /* an exact text says it all */
					CHECK(is_masked(a, b, n));
			} else {
				CHECK(memcmp(a, b, n) == 0);
			}
			want_changed += masked;
			a += n + (a[n] != 0);
			b += n + (b[n] != 0);
			if (want)
				want += n + (want[n] != 0);
			line++;
		}
		CHECK(changed == want_changed);
		if (hs_t_fail != fails)
			fprintf(stderr, "  case \"%s\": %d lines changed, got:\n%s\n", k->name, changed,
			        hs_buf_cstr(&e.detail));
		hs_event_free(&e);
	}
}

/* ------------------------------------------------------------ pipeline */

struct collect {
	struct hs_buf text;         /* every detail and summary, concatenated */
	int events;
};

static int collect_event(void *ctx, struct hs_event *e)
{
	struct collect *c = ctx;

	hs_buf_add(&c->text, hs_buf_cstr(&e->detail), e->detail.len);
	hs_buf_addc(&c->text, '\n');
	hs_buf_adds(&c->text, e->summary);
	hs_buf_addc(&c->text, '\n');
	c->events++;
	return 0;
}

/* Does hay contain s, case-insensitively? */
static int has(const char *hay, const char *s)
{
	size_t n = strlen(s), i;

	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)s[i]); i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

/* The forms a secret could leave in: its text (and its first and last 8
 * characters, which survive a line break of the dump; case kept, as the
 * ASCII column keeps it), print_generic's spaced hex of its first 16
 * bytes and print_print's 4-byte groups (either case). */
static int leaks(const char *text, const char *secret)
{
	char hex[128], grouped[128], part[16];
	size_t n = strlen(secret), i, h = 0, g = 0;

	for (i = 0; i < n && i < 16; i++)
		h += (size_t)snprintf(hex + h, sizeof hex - h, "%s%02X", i ? " " : "", (unsigned char)secret[i]);
	for (i = 0; i < n && i < 32; i++)
		g += (size_t)snprintf(grouped + g, sizeof grouped - g, "%s%02X", i && i % 4 == 0 ? " " : "",
		                      (unsigned char)secret[i]);
	if (has(text, hex) || has(text, grouped))
		return 1;
	memcpy(part, secret, 8);
	part[8] = '\0';
	return strstr(text, secret) || strstr(text, part) || strstr(text, secret + n - 8);
}

static void run_file(const char *path, int data, struct collect *c, struct hs_parse_stats *st)
{
	struct hs_sink sink = { .ctx = c, .on_event = collect_event, .on_skip = NULL };
	struct hs_pipeline_input in;
	struct hs_error err;

	memset(&in, 0, sizeof in);
	in.path = path;
	in.parser = &hs_parser_spy;
	in.redact.data = data;
	hs_buf_init(&c->text);
	c->events = 0;
	CHECK(hs_pipeline_run(&in, &sink, st, &err) == 0);
	hs_parse_stats_free(st); /* the counters stay: the tests read those */
}

static void run_secrets(int data, struct collect *c)
{
	struct hs_parse_stats st;

	run_file("test/fixtures/spy/secrets.log", data, c, &st);
	CHECK(st.events == 16 && c->events == 16);
}

static void test_pipeline(void)
{
	static const char *const secrets[] = {
		"so-pin-8642", "user-pin-1357", "wrong-pin-0000", "new-user-pin-2468",
		"secret-aes-key-material-00112233", "rsa-private-value", "private-exponent-bytes-d",
		"prime-one-p", "prime-two-q", "exponent-one-dp", "exponent-two-dq", "coefficient-qinv",
	};
	struct collect c;
	size_t i;

	run_secrets(0, &c);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		CHECK(!leaks(hs_buf_cstr(&c.text), secrets[i]));
		if (leaks(hs_buf_cstr(&c.text), secrets[i]))
			fprintf(stderr, "  leaked: %s\n", secrets[i]);
	}
	/* kept: the token label, the user name, a certificate, data to sign */
	CHECK(has(hs_buf_cstr(&c.text), "62 61 73 69 63 20 20"));
	CHECK(has(hs_buf_cstr(&c.text), "alice"));
	CHECK(has(hs_buf_cstr(&c.text), "0..certificate-d"));
	CHECK(has(hs_buf_cstr(&c.text), "hello, data to s"));
	CHECK(has(hs_buf_cstr(&c.text), "** ** ** ** ** ** ** ** ** ** **                 ***********"));
	hs_buf_free(&c.text);

	run_secrets(1, &c);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		CHECK(!leaks(hs_buf_cstr(&c.text), secrets[i]));
	CHECK(!has(hs_buf_cstr(&c.text), "hello, data to s"));
	CHECK(!has(hs_buf_cstr(&c.text), "68 65 6C 6C 6F"));
	CHECK(has(hs_buf_cstr(&c.text), "alice"));
	CHECK(has(hs_buf_cstr(&c.text), "0..certificate-d"));
	hs_buf_free(&c.text);
}

/* The real captures (share/samples, and /tmp/cap when present) hold the
 * PINs of the capture recipe: none may come out of the pipeline. */
static void test_captures(void)
{
	static const char *const pins[] = { "so-pin-8642", "user-pin-1357", "wrong-pin-0000",
	                                    "new-user-pin-2468" };
	static const char *const samples[] = { "share/samples/softhsm-basic.log",
	                                       "share/samples/softhsm-basic-opensc026.log" };
	struct hs_parse_stats st;
	struct collect c;
	glob_t gl;
	size_t i, k, n = 0;
	const char *paths[64];

	for (i = 0; i < 2; i++)
		paths[n++] = samples[i];
	if (glob("/tmp/cap/*.log", 0, NULL, &gl) == 0)
		for (i = 0; i < gl.gl_pathc && n < 64; i++)
			paths[n++] = gl.gl_pathv[i];
	else
		printf("skip /tmp/cap (no captures)\n");
	for (i = 0; i < n; i++) {
		FILE *f = fopen(paths[i], "r");
		if (!f) {
			printf("skip %s (absent)\n", paths[i]);
			continue;
		}
		fclose(f);
		run_file(paths[i], 0, &c, &st);
		CHECK(c.events > 0);
		for (k = 0; k < sizeof pins / sizeof pins[0]; k++) {
			CHECK(!leaks(hs_buf_cstr(&c.text), pins[k]));
			if (leaks(hs_buf_cstr(&c.text), pins[k]))
				fprintf(stderr, "  %s leaks %s\n", paths[i], pins[k]);
		}
		hs_buf_free(&c.text);
	}
	if (n > 2)
		globfree(&gl);
}

/* ------------------------------------------------------ whitespace games */

extern const struct hs_parser_desc hs_parser_p11kit;

/* GNU `unexpand -a`: a run of two blanks or more that reaches a tab stop
 * (every 8 columns) becomes a TAB; a lone blank stays. */
static void unexpand_a(struct hs_buf *out, const char *s)
{
	size_t col = 0, pend = 0;

	for (; *s; s++) {
		if (*s == ' ') {
			pend++, col++;
			if (col % 8 == 0) {
				hs_buf_addc(out, pend >= 2 ? '\t' : ' ');
				pend = 0;
			}
			continue;
		}
		for (; pend; pend--)
			hs_buf_addc(out, ' ');
		hs_buf_addc(out, *s);
		col = *s == '\n' ? 0 : col + 1;
	}
}

/* sed's squeeze (s/ +/ /g): every run of spaces becomes one. */
static void squeeze(struct hs_buf *out, const char *s)
{
	for (; *s; s++)
		if (!(*s == ' ' && s[1] == ' '))
			hs_buf_addc(out, *s);
}

/* Run text through the pipeline with parser, as a file would be. */
static void run_text(const char *text, const struct hs_parser_desc *parser, struct collect *c)
{
	struct hs_sink sink = { .ctx = c, .on_event = collect_event, .on_skip = NULL };
	struct hs_pipeline_input in;
	struct hs_parse_stats st;
	struct hs_error err;
	char path[] = "/tmp/test_redact.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	hs_buf_init(&c->text);
	c->events = 0;
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	memset(&in, 0, sizeof in);
	in.path = path;
	in.parser = parser;
	CHECK(hs_pipeline_run(&in, &sink, &st, &err) == 0);
	hs_parse_stats_free(&st);
	unlink(path);
}

/* leaks(), and the secret's first 8 bytes as packed hex in the text with
 * every blank removed (hex however a mutation spaced it). */
static int leaks_any(const char *text, const char *secret)
{
	char hex[17], *packed = malloc(strlen(text) + 1);
	size_t i, k = 0;
	int r;

	if (!packed)
		return 1;
	for (i = 0; text[i]; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
			packed[k++] = text[i];
	packed[k] = '\0';
	for (i = 0; i < 8 && secret[i]; i++)
		snprintf(hex + 2 * i, 3, "%02X", (unsigned char)secret[i]);
	r = leaks(text, secret) || has(packed, hex);
	free(packed);
	return r;
}

static void check_none(const struct collect *c, const char *const *secrets, size_t n, const char *what)
{
	size_t i;

	CHECK(c->events > 0);
	for (i = 0; i < n; i++)
		if (leaks_any(hs_buf_cstr(&c->text), secrets[i])) {
			CHECK(!"secret leaked");
			fprintf(stderr, "  %s: leaked %s\n", what, secrets[i]);
		}
}

#define SPYCALL(n, f) n ": " f "\nP:9001; T:0x1 2026-11-22 15:00:00.080\n"

/* A TAB after CKA_VALUE (an editor, a ticket paste): the AES key must
 * still be masked; and the same call with its whole text tab-expanded. */
static void test_tab_after_attr(void)
{
	static const char log[] =
		"*************** OpenSC PKCS#11 spy *****************\n"
		SPYCALL("0", "C_CreateObject") "[in] hSession = 0x1\n[in] pTemplate[3]: \n"
		"    CKA_CLASS             CKO_SECRET_KEY\n"
		"    CKA_KEY_TYPE          CKK_AES\n"
		"    CKA_VALUE\t\t  00007ffd0000a000 / 16\n"
		"    00000000  4B 45 59 2D 4D 41 54 45 52 49 41 4C 2D 30 31 32  KEY-MATERIAL-012\n"
		"[out] *phObject = 0x10\nReturned:  0 CKR_OK\n";
	static const char *const key[] = { "KEY-MATERIAL-012" };
	struct collect c;

	run_text(log, &hs_parser_spy, &c);
	check_none(&c, key, 1, "CKA_VALUE<TAB>");
	hs_buf_free(&c.text);
}

/* An RSA private key template through `unexpand -a` and squeezed spaces:
 * every private part stays masked. */
static void test_rsa_private_mutated(void)
{
	static const char log[] =
		"*************** OpenSC PKCS#11 spy *****************\n"
		SPYCALL("0", "C_CreateObject") "[in] hSession = 0x2\n[in] pTemplate[8]: \n"
		"    CKA_CLASS             CKO_PRIVATE_KEY      \n"
		"    CKA_KEY_TYPE          CKK_RSA            \n"
		"    CKA_MODULUS           00007ffd0000c000 / 16\n"
		"    00000000  6D 6F 64 75 6C 75 73 2D 70 75 62 6C 69 63 2D 6E  modulus-public-n\n"
		"    CKA_PRIVATE_EXPONENT  00007ffd0000b000 / 24\n"
		"    00000000  70 72 69 76 61 74 65 2D 65 78 70 6F 6E 65 6E 74  private-exponent\n"
		"    00000010  2D 62 79 74 65 73 2D 64                          -bytes-d        \n"
		"    CKA_PRIME_1           00007ffd0000b000 / 11\n"
		"    00000000  70 72 69 6D 65 2D 6F 6E 65 2D 70                 prime-one-p     \n"
		"    CKA_PRIME_2           00007ffd0000b000 / 11\n"
		"    00000000  70 72 69 6D 65 2D 74 77 6F 2D 71                 prime-two-q     \n"
		"    CKA_EXPONENT_1        00007ffd0000b000 / 15\n"
		"    00000000  65 78 70 6F 6E 65 6E 74 2D 6F 6E 65 2D 64 70     exponent-one-dp \n"
		"    CKA_EXPONENT_2        00007ffd0000b000 / 15\n"
		"    00000000  65 78 70 6F 6E 65 6E 74 2D 74 77 6F 2D 64 71     exponent-two-dq \n"
		"    CKA_COEFFICIENT       00007ffd0000b000 / 16\n"
		"    00000000  63 6F 65 66 66 69 63 69 65 6E 74 2D 71 69 6E 76  coefficient-qinv\n"
		"[out] *phObject = 0x11\nReturned:  0 CKR_OK\n";
	static const char *const parts[] = { "private-exponent", "prime-one-p", "prime-two-q",
	                                     "exponent-one-dp", "exponent-two-dq", "coefficient-qinv" };
	struct hs_buf m;
	struct collect c;
	int k;

	for (k = 0; k < 3; k++) {
		hs_buf_init(&m);
		if (k == 0)
			hs_buf_adds(&m, log);
		else if (k == 1)
			unexpand_a(&m, log);
		else
			squeeze(&m, log);
		run_text(hs_buf_cstr(&m), &hs_parser_spy, &c);
		check_none(&c, parts, sizeof parts / sizeof parts[0], k == 0 ? "rsa" : k == 1 ? "rsa tabs" : "rsa squeezed");
		/* the public modulus is no secret: kept */
		CHECK(has(hs_buf_cstr(&c.text), "modulus-public-n"));
		hs_buf_free(&c.text);
		hs_buf_free(&m);
	}
}

/* The basic sample through `unexpand -a` and squeezed spaces: no PIN. */
static void test_sample_mutated(void)
{
	static const char *const pins[] = { "so-pin-8642", "user-pin-1357", "wrong-pin-0000",
	                                    "new-user-pin-2468" };
	FILE *f = fopen("share/samples/softhsm-basic.log", "r");
	struct hs_buf raw, m;
	struct collect c;
	char chunk[4096];
	size_t got;
	int k;

	CHECK(f != NULL);
	if (!f)
		return;
	hs_buf_init(&raw);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		hs_buf_add(&raw, chunk, got);
	fclose(f);
	for (k = 0; k < 2; k++) {
		hs_buf_init(&m);
		if (k == 0)
			unexpand_a(&m, hs_buf_cstr(&raw));
		else
			squeeze(&m, hs_buf_cstr(&raw));
		run_text(hs_buf_cstr(&m), &hs_parser_spy, &c);
		check_none(&c, pins, sizeof pins / sizeof pins[0], k == 0 ? "sample tabs" : "sample squeezed");
		hs_buf_free(&c.text);
		hs_buf_free(&m);
	}
	hs_buf_free(&raw);
}

/* p11-kit with "pPin= " (no blank before '='), and "pPin:": the PIN stays
 * masked in C_Login, C_InitToken and C_SetPIN. */
static void test_p11kit_pin_eq(void)
{
	static const char *const forms[] = { "= ", " =", "=", ": " };
	static const char *const pins[] = { "so-pin-8642", "user-pin-1357", "new-user-pin-2468" };
	struct hs_buf log;
	struct collect c;
	size_t k;

	for (k = 0; k < sizeof forms / sizeof forms[0]; k++) {
		const char *eq = forms[k];
		hs_buf_init(&log);
		hs_buf_printf(&log,
		              "C_Initialize\n  IN: pInitArgs = NULL\nC_Initialize = CKR_OK\n"
		              "C_InitToken\n  IN: slotID = SL1\n  IN: pPin%s(11) \"so-pin-8642\"\n"
		              "  IN: pLabel = \"pins                            \"\nC_InitToken = CKR_OK\n"
		              "C_Login\n  IN: hSession = S1\n  IN: userType = CKU_USER\n"
		              "  IN: pPin%s(13) \"user-pin-1357\"\nC_Login = CKR_OK\n"
		              "C_SetPIN\n  IN: hSession = S1\n  IN: pOldPin%s(13) \"user-pin-1357\"\n"
		              "  IN: pNewPin%s(17) \"new-user-pin-2468\"\nC_SetPIN = CKR_OK\n",
		              eq, eq, eq, eq);
		run_text(hs_buf_cstr(&log), &hs_parser_p11kit, &c);
		CHECK(c.events == 4);
		check_none(&c, pins, sizeof pins / sizeof pins[0], eq);
		hs_buf_free(&c.text);
		hs_buf_free(&log);
	}
}

/* Another tracer's own lines, as the Raw pane shows them: the logger's
 * prefix is no attribute type, a PIN word masks up to the next function,
 * byte values are masked, constants and lengths are no secret words. */
static void test_foreign(void)
{
	char t[] = "0x0000758a : 0x00007fea : Entered C_Login\n"
	           "0x0000758a : 0x00007fea :  userType: 0 (CKU_SO)\n"
	           "0x0000758a : 0x00007fea :  pPin: 0x7fff2eaa98f1\n"
	           "0x0000758a : 0x00007fea :  *pPin: so-pin-8642\n"
	           "0x0000758a : 0x00007fea : Returning 0 (CKR_OK) C_Login\n"
	           "  IN: pInitArgs = NULL\n"
	           "  *pWrappedKey: HEX(0011223344556677)\n"
	           "  IN: pData = (5) \"hello\"\n"
	           "    CKA_CLASS = CKO_SECRET_KEY\n"
	           "  ulPinLen: 11\n";
	size_t n = strlen(t);

	CHECK(hs_redact_foreign(t, n) >= 4);
	CHECK(strlen(t) == n);
	CHECK(strstr(t, "so-pin") == NULL);
	CHECK(strstr(t, "0x7fff2eaa98f1") == NULL);
	CHECK(strstr(t, "0011223344") == NULL);
	CHECK(strstr(t, "hello") == NULL);
	CHECK(strstr(t, "Entered C_Login\n0x0000758a : 0x00007fea :  userType: 0 (CKU_SO)\n") != NULL);
	CHECK(strstr(t, "Returning 0 (CKR_OK) C_Login\n  IN: pInitArgs = NULL\n") != NULL);
	CHECK(strstr(t, "CKA_CLASS = CKO_SECRET_KEY\n  ulPinLen: 11") != NULL);
}

/* Each PIN parameter name, in any case, met in free text or in another
 * parameter's line masks the rest of the line (pin_in_text skips lines
 * without the bytes "pin" in some case: every name must hold them). */
static void test_pin_names(void)
{
	static const char *const names[] = { "pPin", "pOldPin", "pNewPin", "pin", "oldPin", "newPin",
		                                     "PPIN", "OLDPIN", "NewPin", "Pin" };
	static const char *const shapes[][2] = { { "note ", " secret-7531" },
		                                         { "[in] pData ", " secret-7531" },
		                                         { "", "=secret-7531" } };
	size_t i, k;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		for (k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
			struct hs_event e;
			struct hs_redact_opts o = { 0 };
			char line[128];

			hs_event_init(&e);
			hs_strlcpy(e.func, "C_FindObjects", sizeof e.func);
			snprintf(line, sizeof line, "%s%s%s", shapes[k][0], names[i], shapes[k][1]);
			hs_buf_adds(&e.detail, "[in] hSession = 0x1\n");
			hs_buf_adds(&e.detail, line);
			hs_redact_event(&e, &o);
			CHECK(strstr(hs_buf_cstr(&e.detail), "7531") == NULL);
			if (strstr(hs_buf_cstr(&e.detail), "7531"))
				fprintf(stderr, "not masked: %s\n", line);
			hs_event_free(&e);
		}
}

int main(void)
{
	test_foreign();
	test_pin_names();
	test_cases();
	test_pipeline();
	test_captures();
	test_tab_after_attr();
	test_rsa_private_mutated();
	test_sample_mutated();
	test_p11kit_pin_eq();
	TEST_END();
}
