/* test_util.c — the escaping every output goes through, as a table of
 * (input bytes, text form, JSON form): control bytes, OSC 52, CSI, DEL,
 * C1 controls, each bidi control, invalid UTF-8 (bad leads, overlongs,
 * surrogates, past U+10FFFF, cut sequences); then CSV text cells (formula
 * prefixes, quoting, kept or escaped newlines) and an exhaustive check
 * that no code point or byte a terminal acts on survives either dialect. */
#include <string.h>

#include "harness.h"
#include "hsmscope/util.h"

static const struct {
	const char *in;
	const char *text;           /* hs_escape */
	const char *json;           /* hs_escape_json, input as one JSON string body */
} cases[] = {
	{ "plain text", "plain text", "plain text" },
	{ "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91",
	  "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91" },
	{ "a\tb\nc\rd", "a\\tb\\nc\\rd", "a\tb\nc\rd" },
	{ "\x1B]52;c;SFNQ\x07", "\\e]52;c;SFNQ\\x07", "\\u001b]52;c;SFNQ\\u0007" },
	{ "\x1B[2J\x1B[31m", "\\e[2J\\e[31m", "\\u001b[2J\\u001b[31m" },
	{ "del\x7F", "del\\x7F", "del\\u007f" },
	{ "c1 \xC2\x9B" "1m \xC2\x80 \xC2\x9F", "c1 \\xC2\\x9B1m \\xC2\\x80 \\xC2\\x9F",
	  "c1 \\u009b1m \\u0080 \\u009f" },
	{ "\xC2\xA0nbsp", "\xC2\xA0nbsp", "\xC2\xA0nbsp" },
	{ "rlo\xE2\x80\xAEtxt.exe", "rlo\\u202Etxt.exe", "rlo\\u202etxt.exe" },
	{ "\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD", "\\u202A\\u202B\\u202C\\u202D",
	  "\\u202a\\u202b\\u202c\\u202d" },
	{ "\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9", "\\u2066\\u2067\\u2068\\u2069",
	  "\\u2066\\u2067\\u2068\\u2069" },
	{ "\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C", "\\u200E\\u200F\\u061C", "\\u200e\\u200f\\u061c" },
	/* neighbours of the bidi controls are ordinary text */
	{ "\xE2\x80\x8D\xE2\x80\xAF\xE2\x81\xA5\xD8\x9B", "\xE2\x80\x8D\xE2\x80\xAF\xE2\x81\xA5\xD8\x9B",
	  "\xE2\x80\x8D\xE2\x80\xAF\xE2\x81\xA5\xD8\x9B" },
	{ "bad\xFF\xFE", "bad\\xFF\\xFE", "bad\\ufffd\\ufffd" },
	{ "overlong\xC0\xAF", "overlong\\xC0\\xAF", "overlong\\ufffd\\ufffd" },
	{ "surrogate\xED\xA0\x80", "surrogate\\xED\\xA0\\x80", "surrogate\\ufffd\\ufffd\\ufffd" },
	{ "big\xF4\x90\x80\x80", "big\\xF4\\x90\\x80\\x80", "big\\ufffd\\ufffd\\ufffd\\ufffd" },
	{ "cut\xE2\x80", "cut\\xE2\\x80", "cut\\ufffd\\ufffd" },
	{ "lone\x80x", "lone\\x80x", "lone\\ufffdx" },
};

static int esc(int json, const char *in, size_t n, const char *want)
{
	struct hs_buf b;
	int ok;

	hs_buf_init(&b);
	ok = (json ? hs_escape_json(&b, in, n) : hs_escape(&b, in, n)) == 0 &&
	     strcmp(hs_buf_cstr(&b), want) == 0;
	if (!ok)
		fprintf(stderr, "  %s of \"%s\": got \"%s\", want \"%s\"\n", json ? "json" : "text", in,
		        hs_buf_cstr(&b), want);
	hs_buf_free(&b);
	return ok;
}

static int csv(const char *in, int keep_nl, const char *want)
{
	struct hs_buf b;
	int ok;

	hs_buf_init(&b);
	ok = hs_csv_text(&b, in, keep_nl) == 0 && strcmp(hs_buf_cstr(&b), want) == 0;
	if (!ok)
		fprintf(stderr, "  csv of \"%s\": got \"%s\", want \"%s\"\n", in, hs_buf_cstr(&b), want);
	hs_buf_free(&b);
	return ok;
}

/* Does out hold a byte or code point a terminal acts on? */
static int unsafe(const struct hs_buf *out)
{
	const unsigned char *p = (const unsigned char *)hs_buf_cstr(out);
	size_t i;

	for (i = 0; i < out->len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7F)
			return 1;
		if (p[i] == 0xC2 && i + 1 < out->len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return 1;
		if (p[i] == 0xE2 && i + 2 < out->len && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0x8E || p[i + 2] == 0x8F || (p[i + 2] >= 0xAA && p[i + 2] <= 0xAE)))
			return 1;
		if (p[i] == 0xE2 && i + 2 < out->len && p[i + 1] == 0x81 && p[i + 2] >= 0xA6 &&
		    p[i + 2] <= 0xA9)
			return 1;
		if (p[i] == 0xD8 && i + 1 < out->len && p[i + 1] == 0x9C)
			return 1;
	}
	return 0;
}

/* Every byte value alone, and every code point below U+10000 as UTF-8
 * (surrogates included, which are invalid): nothing unsafe in either form. */
static void exhaustive(void)
{
	struct hs_buf t, j;
	unsigned cp;
	int bad_text = 0, bad_json = 0;

	hs_buf_init(&t);
	hs_buf_init(&j);
	for (cp = 0; cp < 0x10000; cp++) {
		char s[4];
		size_t n;
		if (cp < 0x100) {
			s[0] = (char)cp, n = 1; /* the raw byte */
		} else if (cp < 0x800) {
			s[0] = (char)(0xC0 | (cp >> 6)), s[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
		} else {
			s[0] = (char)(0xE0 | (cp >> 12)), s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
			s[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
		}
		hs_buf_clear(&t);
		hs_buf_clear(&j);
		hs_escape(&t, s, n);
		hs_escape_json(&j, s, n);
		bad_text += unsafe(&t);
		/* JSON keeps \t \n \r as whitespace between tokens */
		bad_json += !(cp == '\t' || cp == '\n' || cp == '\r') && unsafe(&j);
		if (cp >= 0x80 && cp < 0xA0) { /* C1 as UTF-8, too */
			s[0] = (char)0xC2, s[1] = (char)cp;
			hs_buf_clear(&t);
			hs_buf_clear(&j);
			hs_escape(&t, s, 2);
			hs_escape_json(&j, s, 2);
			bad_text += unsafe(&t);
			bad_json += unsafe(&j);
		}
	}
	CHECK(bad_text == 0);
	CHECK(bad_json == 0);
	hs_buf_free(&t);
	hs_buf_free(&j);
}

/* hs_fmt_dec / hs_fmt_hex write what "%lld" / "%llx" write. */
static void numbers(void)
{
	static const int64_t v[] = { 0, 1, -1, 9, 10, 42, -77, 123456789, INT64_MAX, INT64_MIN,
	                             INT64_MIN + 1, 0x7fffffff, -0x80000000LL };
	char a[HS_FMT_INT + 1], want[64];
	size_t i, n;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		n = hs_fmt_dec(a, v[i]);
		a[n] = '\0';
		snprintf(want, sizeof want, "%lld", (long long)v[i]);
		CHECK(strcmp(a, want) == 0);
		n = hs_fmt_hex(a, (uint64_t)v[i]);
		a[n] = '\0';
		snprintf(want, sizeof want, "%llx", (unsigned long long)v[i]);
		CHECK(strcmp(a, want) == 0);
	}
}

/* A failed allocation is sticky: later adds do nothing, the content stays
 * a whole prefix, one check at the end sees it; clear starts afresh. (A
 * reserve no doubling can reach fails as an allocation would.) */
static void sticky(void)
{
	struct hs_buf b;

	hs_buf_init(&b);
	CHECK(hs_buf_adds(&b, "abc") == 0 && !hs_buf_failed(&b));
	CHECK(hs_buf_reserve(&b, SIZE_MAX / 2) == -1);
	CHECK(hs_buf_failed(&b));
	CHECK(hs_buf_adds(&b, "def") == -1);
	CHECK(hs_buf_printf(&b, "%d", 42) == -1);
	CHECK(hs_buf_addc(&b, 'x') == -1);
	CHECK(hs_escape(&b, "ghi", 3) == -1);
	CHECK(strcmp(hs_buf_cstr(&b), "abc") == 0 && b.len == 3);
	CHECK(hs_buf_failed(&b));
	hs_buf_clear(&b);
	CHECK(!hs_buf_failed(&b));
	CHECK(hs_buf_adds(&b, "new") == 0 && strcmp(hs_buf_cstr(&b), "new") == 0);
	hs_buf_free(&b);
	CHECK(!hs_buf_failed(&b) && b.len == 0);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(esc(0, cases[i].in, strlen(cases[i].in), cases[i].text));
		CHECK(esc(1, cases[i].in, strlen(cases[i].in), cases[i].json));
	}
	/* a NUL inside the text is a byte like any other */
	CHECK(esc(0, "a\0b", 3, "a\\x00b"));
	CHECK(esc(1, "a\0b", 3, "a\\u0000b"));
	/* JSON text: the structure passes, only string contents change */
	CHECK(esc(1, "{\n\t\"k\":\t\"\xE2\x80\xAE\"\n}", 15, "{\n\t\"k\":\t\"\\u202e\"\n}"));

	CHECK(csv("plain", 0, "plain"));
	CHECK(csv("=HYPERLINK(\"http://x\")", 0, "\"'=HYPERLINK(\"\"http://x\"\")\""));
	CHECK(csv("+1", 0, "'+1"));
	CHECK(csv("-2", 0, "'-2"));
	CHECK(csv("@SUM(A1)", 0, "'@SUM(A1)"));
	CHECK(csv("\t=1", 0, "'\\t=1"));
	CHECK(csv("\r=1", 0, "'\\r=1"));
	CHECK(csv("a=1", 0, "a=1"));
	CHECK(csv("", 0, ""));
	CHECK(csv("a,b", 0, "\"a,b\""));
	CHECK(csv("l1\nl2\x1B", 1, "\"l1\nl2\\e\""));
	CHECK(csv("l1\nl2", 0, "l1\\nl2"));
	CHECK(csv("\xE2\x80\xAE" "=1", 0, "\\u202E=1"));
	/* a hex dump row's text column: where it starts, or 0 */
	{
		const char *row = "    000000C0  1D A8 D6 6E 7F 5D 6A 71 B9 70 0E A7 08 D8 46 2A  ...n\x7f]jq.p....F*";
		const char *last = "    00000010  41 7F 42                                         A\x7f" "B";
		CHECK(hs_dump_text_at(row, strlen(row)) == strlen(row) - 16);
		CHECK(row[hs_dump_text_at(row, strlen(row)) + 4] == 0x7f);
		CHECK(hs_dump_text_at(last, strlen(last)) == strlen(last) - 3);
		CHECK(hs_dump_text_at("    000000C0  1D A8  ..x", 24) == 0); /* 3 text bytes for 2 */
		CHECK(hs_dump_text_at("[in] pTemplate[2]: ", 19) == 0);
		CHECK(hs_dump_text_at("    CKA_CLASS  00 00", 19) == 0);
	}
	exhaustive();
	sticky();
	numbers();
	TEST_END();
}
