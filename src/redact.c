/* redact.c — masking of secrets in an event's detail lines, in place.
 *
 * The detail text is walked line by line with a little state: which
 * template we are in (and its CKO_ class, which may come after the value),
 * and whether the dump lines that follow a parameter or attribute line are
 * secret. Masking keeps every byte's position: hex digits and the bytes'
 * ASCII column become '*', so the layout and lengths stay readable.
 *
 * Secret: the PIN buffers of C_Login, C_LoginUser, C_InitToken, C_InitPIN
 * and C_SetPIN (every dump there except pLabel/pUsername); the attributes
 * CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT;
 * CKA_VALUE unless its template says the object is public (certificate,
 * public key, data, domain parameters). When the class is not stated the
 * value is masked: better an unreadable certificate than a leaked key.
 */
#include "hsmscope/redact.h"

#include <string.h>

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static int starts(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	return n >= m && memcmp(s, p, m) == 0;
}

/* "    0000001F  AB CD ...  ascii" */
static int is_dump(const char *s, size_t n)
{
	size_t i;

	if (n < 14 || memcmp(s, "    ", 4) != 0)
		return 0;
	for (i = 4; i < 12; i++)
		if (!is_hex(s[i]))
			return 0;
	return s[12] == ' ' && s[13] == ' ';
}

/* print_print's hex ("    62617369 632D") and ascii ("     b a s i") lines */
static int is_print(const char *s, size_t n)
{
	size_t i;

	if (n < 5 || memcmp(s, "    ", 4) != 0)
		return 0;
	if (s[4] == ' ') {
		/* " x" pairs: a space then one character */
		for (i = 4; i + 1 < n; i += 2)
			if (s[i] != ' ')
				return 0;
		return 1;
	}
	for (i = 4; i < n; i++)
		if (!is_hex(s[i]) && s[i] != ' ')
			return 0;
	return 1;
}

static void mask_dump(char *s, size_t n)
{
	size_t i, pairs = 0, asc;

	/* hex area: columns 14 .. 14 + 16*3 */
	for (i = 14; i < n && i < 14 + 48; i++)
		if (is_hex(s[i])) {
			s[i] = '*';
			if (i + 1 < n && is_hex(s[i + 1]))
				s[++i] = '*', pairs++;
		}
	/* ascii column starts after the hex area and one space */
	asc = 14 + 48 + 1;
	for (i = asc; i < n && i < asc + pairs; i++)
		s[i] = '*';
}

static void mask_print(char *s, size_t n)
{
	size_t i;

	for (i = 4; i < n; i++)
		if (s[i] != ' ')
			s[i] = '*';
}

static const char *const secret_attrs[] = {
	"CKA_PRIVATE_EXPONENT", "CKA_PRIME_1", "CKA_PRIME_2", "CKA_EXPONENT_1",
	"CKA_EXPONENT_2", "CKA_COEFFICIENT", NULL,
};

static const char *const public_classes[] = {
	"CKO_CERTIFICATE", "CKO_PUBLIC_KEY", "CKO_DATA", "CKO_DOMAIN_PARAMETERS", NULL,
};

static const char *const pin_funcs[] = {
	"C_Login", "C_LoginUser", "C_InitToken", "C_InitPIN", "C_SetPIN", NULL,
};

static int in_list(const char *const *list, const char *s, size_t n)
{
	int i;

	for (i = 0; list[i]; i++) {
		size_t m = strlen(list[i]);
		if (n >= m && memcmp(s, list[i], m) == 0 && (n == m || s[m] == ' '))
			return 1;
	}
	return 0;
}

/* Is the template that starts at line `from` public? Looks ahead for its
 * CKA_CLASS line, up to the next [in]/[out] line. */
static int template_public(const char *from, const char *end)
{
	const char *p = from;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (p != from && p[0] == '[')
			break;
		if (starts(p, n, "    CKA_CLASS ")) {
			const char *v = p + 14;
			while (v < p + n && *v == ' ')
				v++;
			return in_list(public_classes, v, (size_t)(p + n - v));
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int hs_redact_event(struct hs_event *e, const struct hs_redact_opts *o)
{
	char *p = e->detail.data, *end = p ? p + e->detail.len : NULL;
	int pin_func = in_list(pin_funcs, e->func, strlen(e->func));
	int secret = 0, changed = 0, tmpl_public = 0;

	if (!p)
		return 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (is_dump(p, n) || is_print(p, n)) {
			if (secret || (o && o->data)) {
				if (is_dump(p, n))
					mask_dump(p, n);
				else
					mask_print(p, n);
				changed++;
			}
		} else if (p[0] == '[') {
			/* a parameter: its dump is secret in PIN functions unless it is
			 * the token label or the user name */
			const char *name = p[1] == 'i' ? p + 5 : p + 6;
			secret = pin_func && !starts(name, n - (size_t)(name - p), "pLabel") &&
			         !starts(name, n - (size_t)(name - p), "pUsername");
			if (n >= 2 && p[n - 1] == ':')
				tmpl_public = template_public(p, end);
			else if (n >= 3 && p[n - 1] == ' ' && p[n - 2] == ':')
				tmpl_public = template_public(p, end);
		} else if (starts(p, n, "    CKA_")) {
			const char *a = p + 4;
			size_t an = n - 4;
			if (in_list(secret_attrs, a, an))
				secret = 1;
			else if (starts(a, an, "CKA_VALUE "))
				secret = !tmpl_public;
			else
				secret = 0;
		} else {
			secret = pin_func ? secret : 0;
		}
		p = nl ? nl + 1 : end;
	}
	return changed;
}
