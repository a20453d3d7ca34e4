/* redact.c — masking of secrets in an event's detail lines, in place.
 *
 * The detail text is walked line by line with a little state: which
 * template we are in (and its CKO_ class, which may come after the value),
 * and whether the dump lines that follow a parameter or attribute line are
 * secret. Masking keeps every byte's position: hex digits and the bytes'
 * ASCII column become '*', so the layout and lengths stay readable.
 *
 * Secret: the PIN buffers of C_Login, C_LoginUser, C_InitToken, C_InitPIN
 * and C_SetPIN (every dump there except pLabel/pUsername), and a pPin,
 * pOldPin or pNewPin dump wherever it appears (with threads interleaving,
 * a parser may file one under another call); the attributes
 * CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT;
 * CKA_VALUE unless its template says the object is public (certificate,
 * public key, data, domain parameters). When the class is not stated the
 * value is masked: better an unreadable certificate than a leaked key.
 * With opts.data, data buffers go too: every parameter's dump except the
 * token label, the user name and the interface name, and CKA_VALUE of
 * data objects.
 *
 * A secret written inline — "[in] pPin = \"1234\"" or a secret attribute
 * whose line carries its value instead of announcing a dump — is masked
 * on its line too: another tracer's parser (p11call.h) should never write
 * one, and this makes sure a slip cannot leak it.
 *
 * The dump layouts are OpenSC's pkcs11-display.c: print_generic writes
 * "    %08X  " + 16 "XX " columns + " " + the bytes as ASCII; print_print
 * (CKA_LABEL, CKA_APPLICATION) writes 4-byte hex groups on one line and
 * " c" pairs in groups of four on the next, and for values over 32 bytes
 * the next chunk's hex follows the ASCII line with no newline.
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

/* print_print's hex line ("    62617369 632D") or ASCII line
 * ("     b a s i  c - r s  a", maybe with the next chunk's hex glued on). */
static int is_print(const char *s, size_t n)
{
	size_t i = 4;
	int k = 0, digits = 0;

	if (n < 6 || memcmp(s, "    ", 4) != 0)
		return 0;
	if (s[4] == ' ') {
		while (i < n && k < 32) {
			if (k && k % 4 == 0 && s[i++] != ' ')
				return 0;
			if (i + 1 >= n || s[i] != ' ' || s[i + 1] <= ' ' || s[i + 1] > '~')
				return 0;
			i += 2;
			k++;
		}
		if (i == n)
			return 1;
		if (k < 32)
			return 0;
	}
	for (; i < n; i++) {
		if (is_hex(s[i]))
			digits++;
		else if (s[i] != ' ')
			return 0;
	}
	return digits > 0;
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

/* The line announces a dump: it ends in "<addr> / <len>", len > 0. */
static int announces_dump(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	return i < n && i >= 3 && s[i] != '0' && s[i - 1] == ' ' && s[i - 2] == '/' && s[i - 3] == ' ';
}

/* Every non-blank from column `from` on. */
static void mask_from(char *s, size_t n, size_t from)
{
	size_t i;

	for (i = from; i < n; i++)
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

/* Parameters whose dump is a PIN, in any function. */
static const char *const pin_params[] = { "pPin", "pOldPin", "pNewPin", NULL };

/* Parameters that are never secret nor data: shown even in PIN functions. */
static const char *const plain_params[] = { "pLabel", "pUsername", "pInterfaceName", NULL };

/* Is s[0..n) one of list's words, followed by the end, a blank or '['? */
static int in_list(const char *const *list, const char *s, size_t n)
{
	int i;

	for (i = 0; list[i]; i++) {
		size_t m = strlen(list[i]);
		if (n >= m && memcmp(s, list[i], m) == 0 && (n == m || s[m] == ' ' || s[m] == '['))
			return 1;
	}
	return 0;
}

/* The class of the template that starts at line `from`: 1 public, 2 data
 * object, 0 other or not stated. Looks ahead for its CKA_CLASS line, up to
 * the next [in]/[out] line; a public key template is public unless its
 * class line says otherwise. */
static int template_class(const char *from, const char *end, int pubkey_tmpl)
{
	const char *p = from;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (p != from && p[0] == '[')
			break;
		if (starts(p, n, "    CKA_CLASS ")) {
			const char *v = p + 14;
			size_t vn;
			while (v < p + n && *v == ' ')
				v++;
			vn = (size_t)(p + n - v);
			if (starts(v, vn, "CKO_DATA") && (vn == 8 || v[8] == ' '))
				return 2;
			if (in_list(public_classes, v, vn))
				return 1;
			if (starts(v, vn, "CKO_"))
				return 0;
			/* "CKA_CLASS <addr> / 8": a request, the class is not in it */
		}
		p = nl ? nl + 1 : end;
	}
	return pubkey_tmpl;
}

int hs_redact_event(struct hs_event *e, const struct hs_redact_opts *o)
{
	char *p = e->detail.data, *end = p ? p + e->detail.len : NULL;
	int pin_func = in_list(pin_funcs, e->func, strlen(e->func));
	int data = o && o->data;
	int secret = 0, changed = 0, tmpl_class = 0, in_dump = 0;

	if (!p)
		return 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (is_dump(p, n) || is_print(p, n)) {
			if (secret) {
				if (is_dump(p, n))
					mask_dump(p, n);
				else
					mask_from(p, n, 4);
				changed++;
			}
		} else if (p[0] == '[') {
			/* a parameter: "[in] name..." / "[out] name..." */
			size_t skip = starts(p, n, "[in] ") ? 5 : starts(p, n, "[out] ") ? 6 : n;
			const char *name = p + skip;
			size_t nn = n - skip;
			int plain = in_list(plain_params, name, nn);
			secret = in_list(pin_params, name, nn) || ((pin_func || data) && !plain);
			if (in_list(pin_params, name, nn)) {
				const char *eq = memchr(name, '=', nn);
				if (eq && eq > name && eq[-1] == ' ' && !announces_dump(p, n)) {
					mask_from(p, n, (size_t)(eq - p) + 1);
					changed++;
				}
			}
			if (n >= 2 && (p[n - 1] == ':' || (p[n - 1] == ' ' && p[n - 2] == ':')))
				tmpl_class = template_class(p, end, starts(name, nn, "pPublicKeyTemplate"));
			in_dump = announces_dump(p, n);
		} else if (starts(p, n, "    CKA_")) {
			const char *a = p + 4;
			size_t an = n - 4;
			if (in_list(secret_attrs, a, an))
				secret = 1;
			else if (starts(a, an, "CKA_VALUE "))
				secret = tmpl_class == 0 || (data && tmpl_class == 2);
			else
				secret = 0;
			in_dump = announces_dump(p, n);
			if (secret && !in_dump) { /* the value on the line itself */
				size_t v = 4;
				while (v < n && p[v] != ' ')
					v++;
				if (v < n) {
					mask_from(p, n, v);
					changed++;
				}
			}
		} else if (secret && in_dump && n) {
			/* Inside a secret dump, any other line is the rest of a dump
			 * line that another process's output cut in two: hide it whole.
			 * (Other free text leaves the state as it is.) */
			mask_from(p, n, 0);
			changed++;
		}
		p = nl ? nl + 1 : end;
	}
	return changed;
}
