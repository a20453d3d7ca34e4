/* redact.c — masking of secrets in an event's detail lines, in place.
 *
 * The detail text is walked line by line with a little state: which
 * template we are in (and its CKO_ class, which may come after the value),
 * how secret the value being dumped is, and how many of its announced bytes
 * are still to come. Masking keeps every byte's position: hex digits and
 * the bytes' text become '*', so the layout and lengths stay readable.
 *
 * Lines are recognised by their structure, never by their spacing: users
 * paste logs through editors and tickets that turn blanks into TABs,
 * squeeze or drop indentation, add CR or trailing blanks and write
 * "name=", "name =" or "name:". So a line is read as tokens: a parameter
 * line is "[in]"/"[out]" (any blanks around) and a name (words joined by
 * "->" count as one: pMechanism->pParameter); an attribute line starts
 * with a CKA_ name or a vendor type's 0x number at any indentation; a dump
 * row starts with a hex
 * offset followed by two-digit hex bytes, whatever separates them and
 * wherever its text column sits. A name is a whole word: CKA_VALUE is not
 * CKA_VALUE_LEN, whatever character ends it.
 *
 * Secret: the PIN buffers of C_Login, C_LoginUser, C_InitToken, C_InitPIN
 * and C_SetPIN (every value there except pLabel/pUsername), and a pPin,
 * pOldPin or pNewPin wherever it appears (with threads interleaving, a
 * parser may file one under another call); the attributes
 * CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT;
 * CKA_VALUE unless its template says the object is public (certificate,
 * public key, data, domain parameters). When the class is not stated the
 * value is masked: better an unreadable certificate than a leaked key.
 * With opts.data, data buffers go too: every parameter's dump except the
 * token label, the user name and the interface name, and CKA_VALUE of
 * data objects.
 *
 * Fail-closed, where the structure is in doubt:
 * - after a secret's name, every line up to the next parameter or
 *   attribute line is masked whole, whatever it looks like (the rest of a
 *   dump row another process cut in two, a text column pushed onto its own
 *   line);
 * - a secret written inline ("pPin = \"1234\"", "pPin: 1234", a secret
 *   attribute followed by its value) is masked from the end of its name,
 *   unless what follows is exactly the announcement of a dump
 *   ("[ulPinLen] <address> / <length>") or a bare pointer ("0x55d7...",
 *   NSS's pPin) or NULL;
 * - a PIN parameter's name (pPin, pOldPin, pNewPin, pin) met in any line
 *   that is not a dump row masks the rest of that line;
 * - a dump row that no announced dump is waiting for (an orphan, one past
 *   the announced length, one whose offset is not the next or a later one)
 *   is masked whole, offset included, even among data: another thread's
 *   PIN row may have been filed there. A data dump keeps its rows after an
 *   elision (". . ."), the headless rest of a row cut in two right after
 *   it, and print_print's hex line (whose first group reads as an offset).
 *
 * The dump layouts are OpenSC's pkcs11-display.c: print_generic writes
 * "    %08X  " + 16 "XX " columns + " " + the bytes as ASCII; print_print
 * (CKA_LABEL, CKA_APPLICATION) writes 4-byte hex groups on one line and
 * " c" pairs in groups of four on the next, and for values over 32 bytes
 * the next chunk's hex follows the ASCII line with no newline. A row in
 * print_generic's exact columns has exactly as many text characters masked
 * as it has bytes (a blank byte is masked too); in any other layout its
 * whole text column is.
 */
#include "hsmscope/chars.h"
#include "hsmscope/redact.h"

#include <string.h>
#include <strings.h>

/* How secret the lines after a parameter or attribute are. */
enum level {
	PLAIN = 0,                  /* kept; an orphan dump row is still masked */
	DATA = 1,                   /* opts.data: dump rows and the dump's other lines */
	SECRET = 2,                 /* every line up to the next name */
};

/* One detail line and what the walk knows of it. */
struct line {
	char *s;                    /* its first byte, in the event's detail (not NUL-ended) */
	size_t n;                   /* bytes, without the '\n' */
	size_t b, e;                /* first non-blank; end once trailing blanks are cut */
	int changed;                /* a byte was masked */
};

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static size_t skip_blanks(const char *s, size_t i, size_t e)
{
	while (i < e && is_blank(s[i]))
		i++;
	return i;
}

static size_t word_end(const char *s, size_t i, size_t e)
{
	while (i < e && hs_is_word(s[i]))
		i++;
	return i;
}

/* The end of a parameter's name: words joined by "->" or '.'
 * ("pMechanism->pParameter"), so that what follows is its value. */
static size_t name_end(const char *s, size_t i, size_t e)
{
	size_t j = word_end(s, i, e);

	while (j > i) {
		size_t k = j + (j + 1 < e && s[j] == '-' && s[j + 1] == '>' ? 2 : j < e && s[j] == '.' ? 1 : 0);
		if (k == j || k >= e || !hs_is_word(s[k]))
			break;
		j = word_end(s, k, e);
	}
	return j;
}

/* Is s[i..j) one of list's words (case kept, or ignored with nocase)? */
static int word_in(const char *const *list, const char *s, size_t i, size_t j, int nocase)
{
	unsigned char c0;
	int k;

	if (j == i) {
		for (k = 0; list[k]; k++)
			if (!list[k][0])
				return 1;
		return 0;
	}
	/* the first byte first: this runs for every word of every detail
	 * line, and most words start unlike every name of the list. Without
	 * case, bytes equal but for bit 0x20 go on to strncasecmp (which
	 * decides); no byte strncasecmp takes for another differs otherwise */
	c0 = (unsigned char)s[i] | (nocase ? 0x20 : 0);
	for (k = 0; list[k]; k++)
		if (((unsigned char)list[k][0] | (nocase ? 0x20 : 0)) == c0 &&
		    strlen(list[k]) == j - i &&
		    (nocase ? strncasecmp(s + i, list[k], j - i) : strncmp(s + i, list[k], j - i)) == 0)
			return 1;
	return 0;
}

/* Every non-blank of l from byte `from` on becomes '*'. */
static void mask_from(struct line *l, size_t from)
{
	size_t i;

	for (i = from; i < l->e; i++)
		if (!is_blank(l->s[i]) && l->s[i] != '*')
			l->s[i] = '*', l->changed = 1;
}

/* Every byte of l in [from, to) becomes '*', blanks included. */
static void mask_all(struct line *l, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to && i < l->e; i++)
		if (l->s[i] != '*')
			l->s[i] = '*', l->changed = 1;
}

/* A parameter line: "[in]", "[out]" (or the shim's "[in ]") at its first
 * non-blank, blanks, '*'s, then a name at [*nb, *ne), not empty. */
static int param_name(const struct line *l, size_t *nb, size_t *ne)
{
	const char *s = l->s;
	size_t i = l->b + 1, k = 0;

	if (l->b >= l->e || s[l->b] != '[')
		return 0;
	while (i < l->e && s[i] >= 'a' && s[i] <= 'z' && k < 3)
		i++, k++;
	if (k < 2)
		return 0;
	if (i < l->e && s[i] == ' ')
		i++;
	if (i >= l->e || s[i] != ']')
		return 0;
	i = skip_blanks(s, i + 1, l->e);
	while (i < l->e && s[i] == '*')
		i++;
	*nb = i;
	*ne = name_end(s, i, l->e);
	return *ne > i;
}

/* An attribute line: a CKA_ name, or a vendor type's number ("0x80000101"),
 * at its first non-blank, ending at *ne. */
static int attr_name(const struct line *l, size_t *ne)
{
	const char *s = l->s + l->b;
	size_t n = l->e - l->b, j;

	if (n >= 5 && memcmp(s, "CKA_", 4) == 0) {
		*ne = word_end(l->s, l->b, l->e);
		return 1;
	}
	if (n < 10 || s[0] != '0' || s[1] != 'x')
		return 0;
	for (j = 2; j < n && hs_is_hex(s[j]); j++)
		;
	*ne = l->b + j;
	return j == 10 && (j == n || is_blank(s[j]));
}

/* Does the rest of a named line, from byte i, announce a dump? That is
 * "[len name]" (optional), '=' or ':' (optional), an address (optional)
 * and "/ <length>", with any blanks between and nothing after. */
static int announces(const struct line *l, size_t i, long long *len)
{
	const char *s = l->s;
	size_t e = l->e, j;

	i = skip_blanks(s, i, e);
	if (i < e && s[i] == '[') {
		const char *c = memchr(s + i, ']', e - i);
		if (!c)
			return 0;
		i = skip_blanks(s, (size_t)(c - s) + 1, e);
	}
	if (i < e && (s[i] == '=' || s[i] == ':'))
		i = skip_blanks(s, i + 1, e);
	if (i + 1 < e && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		i += 2;
	for (j = i; j < e && hs_is_hex(s[j]); j++)
		;
	if (j > i && j < e && is_blank(s[j]))
		i = skip_blanks(s, j, e);
	if (i >= e || s[i] != '/')
		return 0;
	i = skip_blanks(s, i + 1, e);
	if (i >= e || !hs_is_digit(s[i]))
		return 0;
	*len = 0;
	for (; i < e && hs_is_digit(s[i]); i++)
		*len = *len < 1000000000000LL ? *len * 10 + (s[i] - '0') : *len;
	return i == e;
}

/* Is the rest of a named line, from byte i, only a pointer ("0x7ffd..."
 * after an optional '=' or ':', as NSS prints pPin) or NULL? Not a value. */
static int only_pointer(const struct line *l, size_t i)
{
	const char *s = l->s;
	size_t j;

	i = skip_blanks(s, i, l->e);
	if (i < l->e && (s[i] == '=' || s[i] == ':'))
		i = skip_blanks(s, i + 1, l->e);
	if (l->e - i == 4 && memcmp(s + i, "NULL", 4) == 0)
		return 1;
	if (i + 2 >= l->e || s[i] != '0' || s[i + 1] != 'x')
		return 0;
	for (j = i + 2; j < l->e && hs_is_hex(s[j]); j++)
		;
	return j == l->e && j - i - 2 >= 6 && j - i - 2 <= 16;
}

static int row_bytes(const struct line *l, size_t oe, size_t *end);

/* A dump row: a hex offset (4 to 16 digits), then a two-digit hex byte,
 * each followed by a blank or the end. Sets the offset and its end. The
 * rest of a row cut in two ("70 69 6E 2D ...  user-pin") is one too, of
 * offset -1, when it starts with three bytes. */
static int dump_row(const struct line *l, long long *off, size_t *oe)
{
	const char *s = l->s;
	size_t i = l->b, j;

	for (j = i; j < l->e && hs_is_hex(s[j]); j++)
		;
	if (j - i == 2 && row_bytes(l, i, &j) >= 3) {
		*off = -1, *oe = i;
		return 1;
	}
	if (j - i < 4 || j - i > 16 || j >= l->e || !is_blank(s[j]))
		return 0;
	*oe = j;
	*off = 0;
	for (; i < j; i++)
		*off = (*off << 4 | hs_hexval(s[i])) & 0x7fffffffffffLL;
	i = skip_blanks(s, j, l->e);
	return i + 1 < l->e && hs_is_hex(s[i]) && hs_is_hex(s[i + 1]) && (i + 2 == l->e || is_blank(s[i + 2]));
}

/* The two-digit hex bytes of a dump row after its offset (which ends at
 * oe), at most 16; *end is where the last one ends. */
static int row_bytes(const struct line *l, size_t oe, size_t *end)
{
	const char *s = l->s;
	size_t i = oe, t;
	int pairs = 0;

	for (; pairs < 16; pairs++, i = t + 2) {
		t = skip_blanks(s, i, l->e);
		if (!(t + 1 < l->e && hs_is_hex(s[t]) && hs_is_hex(s[t + 1]) && (t + 2 == l->e || is_blank(s[t + 2]))))
			break;
	}
	*end = i;
	return pairs;
}

/* Mask a dump row's bytes and text, its offset (ending at oe) kept. */
static void mask_row(struct line *l, size_t oe)
{
	const char *s = l->s;
	size_t i, text, col = l->b + 59; /* print_generic's text column, from the offset */
	int pairs = row_bytes(l, oe, &i), exact;

	mask_from(l, oe); /* the bytes, and whatever follows them */
	/* In print_generic's own columns the text holds one character per
	 * byte, blanks included: mask exactly those. In any other layout the
	 * text's first blank bytes cannot be told from the padding; from its
	 * first non-blank on, every byte goes. */
	exact = oe - l->b == 8 && s[oe] == ' ' && s[oe + 1] == ' ' && i < col;
	for (text = i; exact && text < col; text++)
		exact = s[text] == ' ';
	if (exact)
		mask_all(l, col, col + (size_t)pairs);
	else if ((text = skip_blanks(s, i, l->e)) < l->e)
		mask_all(l, text, l->e);
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

/* Names whose value is a PIN, in any function and any case. */
static const char *const pin_params[] = { "pPin", "pOldPin", "pNewPin", "pin", "oldPin", "newPin", NULL };

/* Parameters that are never secret nor data: shown even in PIN functions. */
static const char *const plain_params[] = { "pLabel", "pUsername", "pInterfaceName", NULL };

static void line_at(struct line *l, char *p, const char *end)
{
	char *nl = memchr(p, '\n', (size_t)(end - p));

	l->s = p;
	l->n = (size_t)((nl ? nl : end) - p);
	l->e = l->n;
	while (l->e > 0 && is_blank(p[l->e - 1]))
		l->e--;
	l->b = skip_blanks(p, 0, l->e);
	l->changed = 0;
}

/* The class of the template whose lines start at `from`: 1 public, 2 data
 * object, 0 other or not stated. Looks ahead for its CKA_CLASS line, up to
 * the next parameter line; a public key template is public unless its
 * class line says otherwise. */
static int template_class(char *from, const char *end, int pubkey_tmpl)
{
	struct line l;
	size_t nb, ne, v, ve;

	for (; from < end; from += l.n + 1) {
		line_at(&l, from, end);
		if (param_name(&l, &nb, &ne))
			break;
		if (!attr_name(&l, &ne) || ne - l.b != 9 || memcmp(l.s + l.b, "CKA_CLASS", 9) != 0)
			continue;
		v = skip_blanks(l.s, ne, l.e);
		if (v < l.e && (l.s[v] == '=' || l.s[v] == ':'))
			v = skip_blanks(l.s, v + 1, l.e);
		ve = word_end(l.s, v, l.e);
		if (ve - v < 4 || memcmp(l.s + v, "CKO_", 4) != 0)
			continue; /* "CKA_CLASS <addr> / 8": a request, the class is not in it */
		if (ve - v == 8 && memcmp(l.s + v, "CKO_DATA", 8) == 0)
			return 2;
		return word_in(public_classes, l.s, v, ve, 0);
	}
	return pubkey_tmpl;
}

/* A PIN parameter's name in a line that is not a dump row: the rest of
 * the line after it is masked, unless it only announces a dump (then the
 * dump's lines are secret). Returns 1 when one was found. */
static int pin_in_text(struct line *l, long long *len, int *announced)
{
	size_t i = l->b, j;

	while (i < l->e) {
		if (!hs_is_word(l->s[i])) {
			i++;
			continue;
		}
		j = word_end(l->s, i, l->e);
		if (word_in(pin_params, l->s, i, j, 1) && skip_blanks(l->s, j, l->e) < l->e) {
			*announced = announces(l, j, len);
			if (!*announced && !only_pointer(l, j))
				mask_from(l, j);
			return 1;
		}
		i = j;
	}
	return 0;
}

int hs_redact_event(struct hs_event *e, const struct hs_redact_opts *o)
{
	char *p = e->detail.data, *end = p ? p + e->detail.len : NULL;
	int strict = o && o->strict;
	int pin_func = strict || word_in(pin_funcs, e->func, 0, strlen(e->func), 0);
	int data = o && o->data;
	int level = PLAIN, tmpl_class = 0, changed = 0, ann;
	long long left = 0, next_off = 0, len; /* bytes of the dump still due; its next row's offset */
	int cut = 0;                           /* the line before was a row of the dump, cut short */
	struct line l;
	size_t nb, ne;

	if (!p)
		return 0;
	for (; p < end; p += l.n + 1) {
		long long off;
		size_t oe;

		line_at(&l, p, end);
		if (l.b == l.e)
			continue;
		if (dump_row(&l, &off, &oe)) {
			size_t be;
			int pairs = row_bytes(&l, oe, &be);
			/* the dump's next row, or a later one (rows elided: ". . .") */
			int next = left > 0 && off >= next_off && off % 16 == 0 && off < next_off + left;
			/* print_print's first hex line ("62617369 63") reads as a row
			 * whose offset is not 0: a dump of text, kept when plain */
			int print = level == PLAIN && left > 0 && next_off == 0 && off > 0 && !next;
			/* the rest of the row before, cut in two by another thread */
			int rest = level == PLAIN && off == -1 && cut;
			if (strict) {
				mask_from(&l, l.b); /* whose row it is is not known */
			} else if (next) {
				left -= off - next_off, next_off = off;
				if (level != PLAIN)
					mask_row(&l, oe);
			} else if (!print && !rest) {
				mask_from(&l, l.b); /* an orphan, or not a row the dump waits
				                       for: fail closed, offset and all */
			}
			left -= pairs;
			if (!rest)
				next_off += 16;
			cut = next && pairs < 16 && left > 0;
			changed += l.changed;
			continue;
		}
		cut = 0;
		if (param_name(&l, &nb, &ne)) {
			int plain = word_in(plain_params, l.s, nb, ne, 0);
			int pin = word_in(pin_params, l.s, nb, ne, 1);
			ann = announces(&l, ne, &len);
			level = pin || (pin_func && !plain) ? SECRET : data && !plain ? DATA : PLAIN;
			if (pin && !ann && !only_pointer(&l, ne))
				mask_from(&l, ne);
			else if (!pin && !plain && pin_in_text(&l, &len, &ann))
				level = SECRET;
			tmpl_class = strict ? 0 : template_class(p + l.n + (p + l.n < end), end,
			                            ne - nb >= 18 && memcmp(l.s + nb, "pPublicKeyTemplate", 18) == 0);
			left = ann ? len : 0, next_off = 0;
		} else if (attr_name(&l, &ne)) {
			ann = announces(&l, ne, &len);
			if (word_in(secret_attrs, l.s, l.b, ne, 0))
				level = SECRET;
			else if (ne - l.b == 9 && memcmp(l.s + l.b, "CKA_VALUE", 9) == 0)
				level = tmpl_class == 0 ? SECRET : data && tmpl_class == 2 ? DATA : PLAIN;
			else
				level = PLAIN;
			if (level != PLAIN && !ann)
				mask_from(&l, ne); /* the value on the line itself */
			left = ann ? len : 0, next_off = 0;
		} else if (level == SECRET || (level == DATA && left > 0)) {
			/* Inside a secret, any other line is part of it: the rest of
			 * a dump row that another process's output cut in two, a
			 * text column on its own line. Hide it whole. */
			mask_from(&l, l.b);
		} else if (pin_in_text(&l, &len, &ann)) {
			level = SECRET; /* a PIN named in free text: what follows is secret too */
			left = ann ? len : 0, next_off = 0;
		}
		changed += l.changed;
	}
	return changed;
}

/* Does word s[i..j) name a secret in another tracer's own layout: a PIN
 * parameter or anything with "pin" in it (but a length, "ulPinLen"), a
 * password, a secret, a key value? Function names (C_InitPIN) do not. */
static int foreign_secret_word(const char *s, size_t i, size_t j)
{
	static const char *const parts[] = { "pin", "passw", "passphrase", "secret", "CKA_VALUE",
	                                     "PRIVATE_EXPONENT", "PRIME_", "EXPONENT_", "COEFFICIENT",
	                                     NULL };
	size_t n = j - i, k, m;
	int w;

	if (n > 2 && s[i] == 'C' && s[i + 1] == '_')
		return 0;
	if (n > 3 && strncasecmp(s + j - 3, "len", 3) == 0)
		return 0;
	if (n > 4 && s[i] == 'C' && s[i + 1] == 'K' && s[i + 2] != 'A' && s[i + 3] == '_')
		return 0; /* a constant's name: CKO_SECRET_KEY, CKU_SO */
	if (word_in(pin_params, s, i, j, 1) || word_in(secret_attrs, s, i, j, 0))
		return 1;
	for (w = 0; parts[w]; w++) {
		m = strlen(parts[w]);
		for (k = i; k + m <= j; k++)
			if (strncasecmp(s + k, parts[w], m) == 0 &&
			    /* "pin" ends a word's part: pPin, so_pin, PIN; not pInfo */
			    (w > 0 || k + m == j || !(s[k + m] >= 'a' && s[k + m] <= 'z')))
				return 1;
	}
	return 0;
}

/* A line that names a PKCS#11 function (a call's start or return in any
 * tracer's layout): where a secret that began above ends. */
static int foreign_boundary(const char *s, size_t b, size_t e)
{
	size_t i = b, j;

	while (i < e) {
		if (!hs_is_word(s[i])) {
			i++;
			continue;
		}
		j = word_end(s, i, e);
		if (j - i > 3 && s[i] == 'C' && s[i + 1] == '_')
			return 1;
		i = j;
	}
	return 0;
}

int hs_redact_foreign(char *text, size_t len)
{
	char *p = text, *end = text + len;
	int secret = 0, changed = 0;
	struct line l;
	size_t i, j;

	if (!text)
		return 0;
	for (; p < end; p += l.n + 1) {
		line_at(&l, p, end);
		l.changed = 0;
		if (foreign_boundary(l.s, 0, l.e))
			secret = 0;
		else if (secret)
			mask_from(&l, 0);
		/* byte values, whose function decides in the detail whether they
		 * are secret (a wrapped key, a PIN): the logger's HEX(..) and
		 * p11-kit's (N) "..", from their first byte to the line's end */
		for (i = 0; i + 4 <= l.e; i++) {
			if (memcmp(l.s + i, "HEX(", 4) == 0) {
				mask_from(&l, i + 4);
				break;
			}
			if (i + 3 <= l.e && l.s[i] == ')' && l.s[i + 1] == ' ' && l.s[i + 2] == '"' && i > 0 &&
			    hs_is_digit(l.s[i - 1])) {
				mask_from(&l, i + 3);
				break;
			}
		}
		for (i = 0; i < l.e;) {
			if (!hs_is_word(l.s[i])) {
				i++;
				continue;
			}
			j = word_end(l.s, i, l.e);
			if (foreign_secret_word(l.s, i, j)) {
				mask_from(&l, j);
				secret = 1;
				break;
			}
			i = j;
		}
		changed += l.changed;
	}
	return changed;
}
