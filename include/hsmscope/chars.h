/* chars.h — the character classes the parsers and redaction test, in one
 * place (they were written again in each parser). ASCII only, whatever the
 * locale: log syntax is ASCII, and isdigit() & co. would read the locale
 * and take a negative char as undefined behaviour.
 *
 * Ownership: nothing is allocated.
 */
#ifndef HSMSCOPE_CHARS_H
#define HSMSCOPE_CHARS_H

#include <string.h>

/* ' ', TAB, VT, FF, CR: '\t'..'\r' but '\n' (two tests for most bytes) */
static inline int hs_is_blank(char c) { return c == ' ' || ((unsigned char)(c - '\t') <= 4 && c != '\n'); }
static inline int hs_is_digit(char c) { return c >= '0' && c <= '9'; }
static inline int hs_is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static inline int hs_is_alpha(char c) { return hs_is_upper(c) || (c >= 'a' && c <= 'z'); }
static inline int hs_is_hex(char c)
{
	return hs_is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}
/* The value of a hex digit, -1 when c is none */
static inline int hs_hexval(char c)
{
	if (hs_is_digit(c))
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}
/* A letter, digit or '_': part of a C identifier (CKA_VALUE, C_Login) */
static inline int hs_is_word(char c) { return c == '_' || hs_is_digit(c) || hs_is_alpha(c); }
static inline char hs_lower(char c) { return hs_is_upper(c) ? (char)(c - 'A' + 'a') : c; }
/* The first non-blank of s[i..e), or e */
static inline size_t hs_skip_blanks(const char *s, size_t i, size_t e)
{
	while (i < e && hs_is_blank(s[i]))
		i++;
	return i;
}
/* The end of the word (hs_is_word) that starts at s[i], at most e */
static inline size_t hs_word_end(const char *s, size_t i, size_t e)
{
	while (i < e && hs_is_word(s[i]))
		i++;
	return i;
}
/* The length of the NUL-ended line s without its trailing blanks and CR:
 * a format probe's sample line as the parser will read it */
static inline size_t hs_line_len(const char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* Where a character of a JSON text stands with respect to strings, so that
 * brackets and quotes inside a string are not taken for structure. The state
 * (which the caller keeps, across lines too) is whether a string is open and
 * whether the last character was its backslash; zero is outside any string. */
struct hs_jstr {
	unsigned char in;           /* 1 inside a string */
	unsigned char esc;          /* 1 right after a backslash in it */
};
enum hs_jstr_at {
	HS_JSTR_OUT,                /* structure or blank: outside any string */
	HS_JSTR_OPEN,               /* the quote that opens a string */
	HS_JSTR_IN,                 /* a character of the string (escapes as written) */
	HS_JSTR_CLOSE               /* the quote that closes it */
};
static inline enum hs_jstr_at hs_jstr_step(struct hs_jstr *j, char c)
{
	if (!j->in) {
		if (c != '"')
			return HS_JSTR_OUT;
		j->in = 1;
		return HS_JSTR_OPEN;
	}
	if (j->esc)
		j->esc = 0;
	else if (c == '\\')
		j->esc = 1;
	else if (c == '"') {
		j->in = 0;
		return HS_JSTR_CLOSE;
	}
	return HS_JSTR_IN;
}

#endif
