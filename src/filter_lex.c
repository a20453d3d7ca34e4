/* filter_lex.c — the filter lexer: text in, one array of tokens out.
 *
 * The whole text is tokenized up front into struct hs_flex (a growable
 * token array plus a byte pool for decoded strings and error messages),
 * because filter.c must look at every token before it knows whether the
 * text is an expression or a bare regex. Lexical errors therefore do not
 * stop the scan: they become FT_ERR tokens at the offending position, and
 * only the parser turns one into an error if the text is an expression.
 * Token positions are byte offsets; filter.c reports them as 1-based
 * columns. The spelling of literals that is not a token of its own (a
 * time inside a string, a duration), the smart-case scan of a regex and
 * the edit distance behind "did you mean" live here too, so filter.c keeps
 * to grammar and SQL.
 */
#include "filter_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/chars.h"
#include "hsmscope/regex.h"

/* A filter identifier's character: a letter or '_' (digits after the first) */
static int is_ident(char c) { return hs_is_alpha(c) || c == '_'; }

/* "µ" (U+00B5) and "μ" (U+03BC) both spell micro in a unit. */
static size_t micro_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if ((u[0] == 0xC2 && u[1] == 0xB5) || (u[0] == 0xCE && u[1] == 0xBC))
		return 2;
	return 0;
}

void hs_flex_free(struct hs_flex *lx)
{
	free(lx->tok);
	hs_buf_free(&lx->pool);
	lx->tok = NULL;
	lx->ntok = lx->cap = 0;
}

const char *hs_flex_str(const struct hs_flex *lx, const struct hs_ftoken *t)
{
	return hs_buf_cstr(&lx->pool) + t->str;
}

static struct hs_ftoken *push(struct hs_flex *lx, enum hs_ftok type, size_t pos, size_t len)
{
	struct hs_ftoken *t;

	if (lx->ntok == lx->cap) {
		int cap = lx->cap ? lx->cap * 2 : 32;
		t = realloc(lx->tok, (size_t)cap * sizeof *t);
		if (!t)
			return NULL;
		lx->tok = t;
		lx->cap = cap;
	}
	t = &lx->tok[lx->ntok++];
	memset(t, 0, sizeof *t);
	t->type = type;
	t->pos = pos;
	t->len = len;
	return t;
}

/* Add s[0..n) and a NUL to the pool; returns its offset or -1. */
static long pool_add(struct hs_flex *lx, const char *s, size_t n)
{
	size_t at = lx->pool.len;

	if (hs_buf_add(&lx->pool, s, n) < 0 || hs_buf_addc(&lx->pool, '\0') < 0)
		return -1;
	return (long)at;
}

static int push_err(struct hs_flex *lx, size_t pos, size_t len, const char *msg)
{
	struct hs_ftoken *t = push(lx, FT_ERR, pos, len);
	long at = pool_add(lx, msg, strlen(msg));

	if (!t || at < 0)
		return -1;
	t->str = (size_t)at;
	return 0;
}

int hs_flex_duration(const char *num, size_t numlen, const char *unit, size_t unitlen,
                     int64_t *us)
{
	static const struct { const char *name; int64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xC2\xB5s", 1000 }, { "\xCE\xBCs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000LL }, { "m", 60000000000LL },
		{ "h", 3600000000000LL }, { "", 1000000 },
	};
	int64_t mult = 0, ip = 0, fp = 0, scale = 1, ns;
	size_t i = 0;
	int neg = 0, digits = 0;

	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
		if (strlen(units[u].name) == unitlen && memcmp(units[u].name, unit, unitlen) == 0)
			mult = units[u].ns;
	if (!mult)
		return -1;
	if (i < numlen && num[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < numlen && hs_is_digit(num[i]); i++, digits++) {
		if (ip > (INT64_MAX / mult - 9) / 10)
			return -1;
		ip = ip * 10 + (num[i] - '0');
	}
	if (i < numlen && num[i] == '.') {
		for (i++; i < numlen && hs_is_digit(num[i]); i++, digits++)
			if (scale < 1000000000) { /* digits past 1 ns cannot matter */
				fp = fp * 10 + (num[i] - '0');
				scale *= 10;
			}
	}
	if (!digits || i != numlen)
		return -1;
	ns = ip * mult + (int64_t)((double)fp * (double)mult / (double)scale + 0.5);
	*us = (ns + 500) / 1000; /* round to the µs the index stores */
	if (neg)
		*us = -*us;
	return 0;
}

/* Edit distance counting a swap of neighbours as one edit (OSA), so the
 * usual typo "fucn" is one edit from "func". */
int hs_flex_distance(const char *a, const char *b)
{
	int r0[64], r1[64], r2[64], la = (int)strlen(a), lb = (int)strlen(b), i, j;
	int *pp = r0, *p = r1, *c = r2, *t;

	if (la > 63 || lb > 63)
		return 99;
	for (j = 0; j <= lb; j++)
		p[j] = j;
	for (i = 1; i <= la; i++) {
		c[0] = i;
		for (j = 1; j <= lb; j++) {
			int best = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < best) best = p[j] + 1;
			if (c[j - 1] + 1 < best) best = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
		}
		t = pp; pp = p; p = c; c = t;
	}
	return p[lb];
}

static int digits(const char **s, int n, int *v)
{
	for (*v = 0; n > 0; n--, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return 0;
}

int hs_flex_time(const char *s, int64_t *us)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0, n;
	long frac = 0, scale = 1000000;

	/* || stops at the first mismatch, so s never steps past the NUL */
	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
	    digits(&s, 2, &d))
		return -1;
	if (*s == ' ' || *s == 'T') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &sec))
				return -1;
			if (*s == '.') {
				for (s++, n = 0; *s >= '0' && *s <= '9'; s++, n++)
					if (n < 6) {
						scale /= 10;
						frac += (*s - '0') * scale;
					}
				if (!n)
					return -1;
			}
		}
	}
	if (*s == 'Z')
		s++;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	*us = hs_civil_to_us(y, mo, d, h, mi, sec, frac);
	return 0;
}

/* Does the pattern hold an uppercase letter that is not part of an escape,
 * a (*VERB) or a (?flags) group? Non-ASCII letters are asked of PCRE2. */
int hs_flex_has_upper(const char *p)
{
	struct hs_buf plain;
	struct hs_regex *re;
	struct hs_error e;
	int up = 0;

	hs_buf_init(&plain);
	while (*p) {
		if (*p == '\\' && p[1]) {
			p += 2;                 /* \S, \p{Lu}, \x{4F}: not letters */
			if (*p == '{')
				while (*p && *p++ != '}')
					;
		} else if (p[0] == '(' && p[1] == '*') {
			for (p += 2; (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '=' ||
			             (*p >= '0' && *p <= '9'); p++)
				;               /* (*UTF), (*LIMIT_MATCH=9) */
		} else if (p[0] == '(' && p[1] == '?') {
			for (p += 2; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '^' ||
			             *p == '-'; p++)
				;               /* (?i), (?-U) */
		} else {
			if (hs_buf_addc(&plain, *p++) < 0)
				break;
		}
	}
	if (hs_regex_compile("\\p{Lu}|\\p{Lt}", 0, &re, &e) == 0) {
		up = hs_regex_match(re, hs_buf_cstr(&plain), plain.len) == 1;
		hs_regex_free(re);
	}
	hs_buf_free(&plain);
	return up;
}

/* A number, maybe negative, hex, with a fraction, and maybe glued to a
 * unit (5ms). Anything else glued to it is an error: "5abc" is neither. */
static int lex_number(struct hs_flex *lx, const char *text, size_t *ip)
{
	size_t start = *ip, i = *ip, num_end, unit_start;
	int hex = 0, frac = 0;
	struct hs_ftoken *t;

	if (text[i] == '-')
		i++;
	if (text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X') && hs_is_hex(text[i + 2])) {
		hex = 1;
		for (i += 2; hs_is_hex(text[i]); i++)
			;
	} else {
		while (hs_is_digit(text[i]))
			i++;
		if (text[i] == '.' && hs_is_digit(text[i + 1])) {
			frac = 1;
			for (i++; hs_is_digit(text[i]); i++)
				;
		}
	}
	num_end = unit_start = i;
	for (;;) {
		size_t m = micro_len(text + i);
		if (m)
			i += m;
		else if (is_ident(text[i]) || hs_is_digit(text[i]))
			i++;
		else
			break;
	}
	*ip = i;
	if (i == unit_start) {
		if (!(t = push(lx, FT_NUM, start, i - start)))
			return -1;
		t->frac = frac;
		return 0;
	}
	if (!hex) {
		int64_t us;
		if (hs_flex_duration(text + start, num_end - start, text + unit_start,
		                     i - unit_start, &us) == 0) {
			if (!(t = push(lx, FT_DUR, start, i - start)))
				return -1;
			t->dur_us = us;
			return 0;
		}
	}
	return push_err(lx, start, i - start,
	                hex ? "not a hex number"
	                    : "not a number or a duration (units: us, ms, s, m, h)");
}

/* A "string": \" \\ \n \t \r and \xNN are decoded; a backslash before any
 * other character is kept with it, so regex escapes like "\d" need no
 * doubling. Scanning always goes on to the closing quote. */
static int lex_string(struct hs_flex *lx, const char *text, size_t *ip)
{
	size_t start = *ip, i = *ip + 1, bad_pos = 0;
	const char *bad = NULL;
	struct hs_buf s;
	struct hs_ftoken *t;
	long at;

	hs_buf_init(&s);
	for (; text[i] && text[i] != '"'; i++) {
		char c = text[i];
		int rc = 0;

		if (c != '\\') {
			rc = hs_buf_addc(&s, c);
		} else if (!text[i + 1]) {
			break; /* a trailing backslash: unterminated */
		} else {
			char e = text[++i];
			switch (e) {
			case '"': case '\\': rc = hs_buf_addc(&s, e); break;
			case 'n': rc = hs_buf_addc(&s, '\n'); break;
			case 't': rc = hs_buf_addc(&s, '\t'); break;
			case 'r': rc = hs_buf_addc(&s, '\r'); break;
			case 'x':
				if (hs_is_hex(text[i + 1]) && hs_is_hex(text[i + 2])) {
					int v = hs_hexval(text[i + 1]) * 16 + hs_hexval(text[i + 2]);
					if (v == 0 && !bad) {
						bad = "\\x00 is not allowed in a string";
						bad_pos = i - 1;
					}
					rc = hs_buf_addc(&s, (char)v);
					i += 2;
				} else if (!bad) {
					bad = "\\x needs two hex digits";
					bad_pos = i - 1;
				}
				break;
			default:
				rc = hs_buf_addc(&s, '\\');
				if (rc == 0)
					rc = hs_buf_addc(&s, e);
				break;
			}
		}
		if (rc < 0) {
			hs_buf_free(&s);
			return -1;
		}
	}
	if (text[i] != '"') {
		hs_buf_free(&s);
		*ip = i + strlen(text + i); /* the string ran to the end */
		return push_err(lx, start, *ip - start, "unterminated string");
	}
	*ip = i + 1;
	if (bad) {
		hs_buf_free(&s);
		return push_err(lx, bad_pos, 2, bad);
	}
	at = pool_add(lx, hs_buf_cstr(&s), s.len);
	t = push(lx, FT_STR, start, *ip - start);
	if (at < 0 || !t) {
		hs_buf_free(&s);
		return -1;
	}
	t->str = (size_t)at;
	t->str_len = s.len;
	hs_buf_free(&s);
	return 0;
}

static const struct {
	const char *text;
	enum hs_ftok type;
	enum hs_fop op;
} puncts[] = {          /* longest first where one is a prefix of another */
	{ "==", FT_CMP, FOP_EQ }, { "!=", FT_CMP, FOP_NE }, { "!~", FT_CMP, FOP_NMATCH },
	{ "<=", FT_CMP, FOP_LE }, { ">=", FT_CMP, FOP_GE }, { "&&", FT_AND, FOP_NONE },
	{ "||", FT_OR, FOP_NONE }, { "=", FT_CMP, FOP_EQ }, { "<", FT_CMP, FOP_LT },
	{ ">", FT_CMP, FOP_GT }, { "~", FT_CMP, FOP_MATCH }, { "!", FT_NOT, FOP_NONE },
	{ "(", FT_LPAREN, FOP_NONE }, { ")", FT_RPAREN, FOP_NONE },
	{ "{", FT_LBRACE, FOP_NONE }, { "}", FT_RBRACE, FOP_NONE },
	{ ",", FT_COMMA, FOP_NONE },
};

static int lex_other(struct hs_flex *lx, const char *text, size_t *ip)
{
	const unsigned char *u = (const unsigned char *)text + *ip;
	size_t i = *ip, n = 1;
	char msg[64];

	for (size_t k = 0; k < sizeof puncts / sizeof puncts[0]; k++) {
		size_t l = strlen(puncts[k].text);
		if (strncmp(text + i, puncts[k].text, l) == 0) {
			struct hs_ftoken *t = push(lx, puncts[k].type, i, l);
			if (!t)
				return -1;
			t->op = puncts[k].op;
			*ip = i + l;
			return 0;
		}
	}
	if (u[0] == '&' || u[0] == '|') {
		snprintf(msg, sizeof msg, "unexpected '%c' (did you mean '%c%c'?)", u[0], u[0], u[0]);
	} else if (u[0] >= 0x21 && u[0] < 0x7F) {
		snprintf(msg, sizeof msg, "unexpected character '%c'", u[0]);
	} else if (u[0] >= 0xC0) {
		while ((u[n] & 0xC0) == 0x80 && n < 4)
			n++;
		snprintf(msg, sizeof msg, "unexpected character '%.*s'", (int)n, (const char *)u);
	} else {
		snprintf(msg, sizeof msg, "unexpected byte 0x%02X", u[0]);
	}
	*ip = i + n;
	return push_err(lx, i, n, msg);
}

int hs_flex_run(const char *text, struct hs_flex *lx)
{
	size_t i = 0;
	int rc = 0;

	memset(lx, 0, sizeof *lx);
	hs_buf_init(&lx->pool);
	while (rc == 0) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (!c)
			break;
		if (is_ident(c)) {
			size_t start = i;
			enum hs_ftok type = FT_WORD;
			while (is_ident(text[i]) || hs_is_digit(text[i]))
				i++;
			/* the word forms of the logic operators */
			if (i - start == 3 && memcmp(text + start, "and", 3) == 0)
				type = FT_AND;
			else if (i - start == 2 && memcmp(text + start, "or", 2) == 0)
				type = FT_OR;
			else if (i - start == 3 && memcmp(text + start, "not", 3) == 0)
				type = FT_NOT;
			rc = push(lx, type, start, i - start) ? 0 : -1;
		} else if (hs_is_digit(c) || (c == '-' && hs_is_digit(text[i + 1]))) {
			rc = lex_number(lx, text, &i);
		} else if (c == '"') {
			rc = lex_string(lx, text, &i);
		} else {
			rc = lex_other(lx, text, &i);
		}
	}
	if (rc == 0 && !push(lx, FT_END, i, 0))
		rc = -1;
	if (rc < 0)
		hs_flex_free(lx);
	return rc;
}

/* A time the user types to go somewhere (the explorer's `:`): the filter's
 * ts forms, a time of day on ref's date, or a signed duration from ref. */
int hs_filter_parse_time(const char *s, int64_t ref_us, int64_t *us)
{
	char buf[64];
	int64_t v, day;
	size_t k;

	while (*s == ' ')
		s++;
	k = strlen(s);
	while (k && s[k - 1] == ' ')
		k--;
	if (!k || k >= sizeof buf - 12)
		return -1;
	memcpy(buf, s, k);
	buf[k] = '\0';
	if (hs_flex_time(buf, &v) == 0) {
		*us = v;
		return 0;
	}
	if (ref_us == HS_NONE)
		return -1;
	if (buf[0] == '+' || buf[0] == '-') {
		size_t d = 1;
		while (buf[d] && (buf[d] == '.' || (buf[d] >= '0' && buf[d] <= '9')))
			d++;
		if (hs_flex_duration(buf + 1, d - 1, buf + d, strlen(buf + d), &v) < 0)
			return -1;
		*us = buf[0] == '+' ? ref_us + v : ref_us - v;
		return 0;
	}
	/* HH:MM[:SS[.frac]] on ref's date (times are civil, read as UTC) */
	if (k < 5 || buf[2] != ':')
		return -1;
	{
		char full[80];
		snprintf(full, sizeof full, "2000-01-01 %s", buf);
		if (hs_flex_time(full, &v) < 0)
			return -1;
	}
	day = ref_us - (((ref_us % 86400000000LL) + 86400000000LL) % 86400000000LL);
	*us = day + (v - hs_civil_to_us(2000, 1, 1, 0, 0, 0, 0));
	return 0;
}
