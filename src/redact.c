/* redact.c — masking of secrets in an event's detail lines, in place.
 *
 * A policy over the typed items of the detail reader (detail.h): the
 * reader says what each line is (a parameter, a template, an attribute, a
 * dump row, a print row, an object handle, free text) on any spacing, and
 * this file decides which of them hold a secret and which of their bytes
 * to mask. Masking keeps every byte's position: hex digits and the bytes'
 * text become '*', so the layout and lengths stay readable. The reader
 * tolerates what editors and tickets do to a pasted log (TABs for blanks,
 * squeezed or dropped indentation, CR line ends, trailing blanks, "name=",
 * "name:", lines cut short), so redaction does too: a name is a whole
 * word, CKA_VALUE is not CKA_VALUE_LEN.
 *
 * Secret: the PIN buffers of C_Login, C_LoginUser, C_InitToken, C_InitPIN
 * and C_SetPIN (every value there except pLabel/pUsername), and a pPin,
 * pOldPin or pNewPin wherever it appears (with threads interleaving, a
 * parser may file one under another call); the attributes
 * CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT,
 * and one the spy could not name ("CKA_? (0x80000123)": a vendor's, which
 * may be secret); CKA_VALUE unless its template says the object is public
 * (certificate, public key, data, domain parameters). When the class is
 * not stated the value is masked: better an unreadable certificate than a
 * leaked key. With opts.data, data buffers go too: every parameter's dump
 * except the token label, the user name and the interface name, and
 * CKA_VALUE of data objects.
 *
 * The policy keeps its own count of the dump it waits for (its next
 * offset and the bytes still due) rather than trusting the reader's owner
 * of a row: a row is the value's only when its offset is the next one or
 * a later one (rows elided: ". . .") within the announced length.
 *
 * Fail-closed, where the structure is in doubt:
 * - after a secret's name, every item up to the next parameter or
 *   attribute is masked whole, whatever it is (the rest of a dump row
 *   another process cut in two, a text column pushed onto its own line);
 * - a secret written inline ("pPin = \"1234\"", "pPin: 1234", a secret
 *   attribute followed by its value) is masked from the end of its name,
 *   unless what follows is exactly the announcement of a dump
 *   ("[ulPinLen] <address> / <length>") or a bare pointer ("0x55d7...",
 *   NSS's pPin) or NULL;
 * - a PIN parameter's name (pPin, pOldPin, pNewPin, pin) met in free text
 *   or in another parameter's line masks the rest of that line (the
 *   safety net for what the reader could only call text);
 * - a dump row that no announced dump is waiting for (an orphan, one past
 *   the announced length, one whose offset is not the next or a later one)
 *   is masked whole, offset included, even among data: another thread's
 *   PIN row may have been filed there. A data dump keeps its rows after an
 *   elision (". . ."), the headless rest of a row cut in two right after
 *   it, and print_print's hex line even where it reads as a dump row
 *   ("68656C6C 6F": the label "hello").
 *
 * A masked dump row keeps its offset; its bytes' column and its ASCII
 * column (the reader's hex and text spans) are masked: in print_generic's
 * own columns exactly a character per byte, a blank byte too; elsewhere
 * the whole text column, blanks and all.
 *
 * The lines other tracers' parsers keep (NSS's "pPin = 0x...", the shim's
 * "[in ] pPin[ulPinLen] ...") go through the same policy: the reader
 * calls what it does not know text, where the PIN-name net applies.
 * hs_redact_foreign (below) is the other tracers' raw lines' own masking.
 */
#include "hsmscope/chars.h"
#include "hsmscope/detail.h"
#include "hsmscope/redact.h"

#include <string.h>
#include <strings.h>

/* How secret the lines after a parameter or attribute are. */
enum level {
	PLAIN = 0,                  /* kept; an orphan dump row is still masked */
	DATA = 1,                   /* opts.data: dump rows and the dump's other lines */
	SECRET = 2,                 /* every line up to the next name */
};

/* One detail line (or a glued part of one) and what is masked of it. */
struct line {
	char *s;                    /* its first byte, in the event's detail (not NUL-ended) */
	size_t n;                   /* bytes, without the '\n' */
	size_t b, e;                /* first non-blank; end once trailing blanks are cut */
	int changed;                /* a byte was masked */
};

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

static int dstr_in(const char *const *list, struct hs_dstr d, int nocase)
{
	return word_in(list, d.s, 0, d.n, nocase);
}

/* Every non-blank of l from byte `from` on becomes '*'. */
static void mask_from(struct line *l, size_t from)
{
	size_t i;

	for (i = from; i < l->e; i++)
		if (!hs_is_blank(l->s[i]) && l->s[i] != '*')
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

/* The line an item was read from, in the event's own detail: the reader
 * reads it const, masking writes it. */
static void line_of(struct line *l, char *detail, struct hs_dstr d)
{
	l->s = detail + (d.s - detail);
	l->n = l->e = d.n;
	l->b = hs_skip_blanks(l->s, 0, l->e);
	l->changed = 0;
}

/* Where the piece d of an item's line (which starts at ro_line) begins,
 * as an index of that line. */
static size_t at(const char *ro_line, struct hs_dstr d)
{
	return (size_t)(d.s - ro_line);
}

/* Is s[0..n) only a pointer ("0x7ffd..." after an optional '=' or ':',
 * as NSS prints pPin) or NULL? Not a value. */
static int only_pointer(const char *s, size_t n)
{
	size_t i = hs_skip_blanks(s, 0, n), j;

	if (i < n && (s[i] == '=' || s[i] == ':'))
		i = hs_skip_blanks(s, i + 1, n);
	if (n - i == 4 && memcmp(s + i, "NULL", 4) == 0)
		return 1;
	if (i + 2 >= n || s[i] != '0' || s[i + 1] != 'x')
		return 0;
	for (j = i + 2; j < n && hs_is_hex(s[j]); j++)
		;
	return j == n && j - i - 2 >= 6 && j - i - 2 <= 16;
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
	while (l->e > 0 && hs_is_blank(p[l->e - 1]))
		l->e--;
	l->b = hs_skip_blanks(p, 0, l->e);
	l->changed = 0;
}

/* The class a CKA_CLASS attribute states: 1 public, 2 data object, 0
 * other; -1 when it states none ("CKA_CLASS <addr> / 8": a request). */
static int class_of(const struct hs_detail_item *x)
{
	size_t ve = hs_word_end(x->value.s, 0, x->value.n);

	if (ve < 4 || memcmp(x->value.s, "CKO_", 4) != 0)
		return -1;
	if (ve == 8 && memcmp(x->value.s, "CKO_DATA", 8) == 0)
		return 2;
	return word_in(public_classes, x->value.s, 0, ve, 0);
}

/* The class of the rest of a template, read by the iterator `it` (a copy)
 * up to the next parameter: its first CKA_CLASS that states one, else -1. */
static int class_ahead(struct hs_detail_iter it)
{
	struct hs_detail_item x;
	int c;

	while (hs_detail_next(&it, &x)) {
		if ((x.kind == HS_DI_PARAM || x.kind == HS_DI_TEMPLATE) && x.name.n)
			break;
		if (x.kind == HS_DI_ATTR && hs_dstr_is(x.name, "CKA_CLASS") && (c = class_of(&x)) >= 0)
			return c;
	}
	return -1;
}

/* A PIN parameter's name in free text: the rest of the line after it is
 * masked, unless it only announces a dump (then the dump's lines are
 * secret). Returns 1 when one was found. */
static int pin_in_text(struct line *l, int64_t *len, int *announced)
{
	size_t i = l->b, j;

	/* every name of pin_params holds "pin" in some case (a name added
	 * there must too; test_redact's pin_names checks each in free text):
	 * a line without those three bytes names none, and that is most
	 * lines, whose every word word_in would look up */
	for (j = l->b + 2; j < l->e; j++)
		if ((l->s[j] | 0x20) == 'n' && (l->s[j - 1] | 0x20) == 'i' && (l->s[j - 2] | 0x20) == 'p')
			break;
	if (j >= l->e)
		return 0;
	while (i < l->e) {
		if (!hs_is_word(l->s[i])) {
			i++;
			continue;
		}
		j = hs_word_end(l->s, i, l->e);
		if (word_in(pin_params, l->s, i, j, 1) && hs_skip_blanks(l->s, j, l->e) < l->e) {
			*announced = hs_detail_announces(l->s + j, l->e - j, len) && *len >= 0;
			if (!*announced && !only_pointer(l->s + j, l->e - j))
				mask_from(l, j);
			return 1;
		}
		i = j;
	}
	return 0;
}

/* What the walk knows of the lines above. */
struct walk {
	int strict, data, pin_func;
	int level;                  /* enum level of the value being read */
	int tmpl_class;             /* the class its first CKA_CLASS states (1 public,
	                               2 data, 0 other; the class may come after the
	                               value), -1 none seen yet, -2 none in it */
	int pubkey_tmpl;            /* the parameter is a pPublicKeyTemplate */
	int64_t left, next_off;     /* bytes of the dump still due; its next row's offset */
	int cut;                    /* the line before was a row of the dump, cut short */
};

/* Mask a dump row's bytes and whatever follows them, its offset kept. */
static void mask_row(struct line *l, const struct hs_detail_item *x)
{
	size_t t = at(x->line.s, x->text);

	mask_from(l, at(x->line.s, x->hex));
	/* in print_generic's own columns a text character per byte, a blank
	 * byte too; elsewhere the text's blanks cannot be told from padding:
	 * all of them */
	mask_all(l, t, x->columns ? t + (size_t)x->nbytes : t + x->text.n);
}

/* A dump row, or a print row that reads as one (offset, pairs): kept,
 * masked but for its offset (a secret's own row), or masked whole. */
static void dump_item(struct walk *w, struct line *l, const struct hs_detail_item *x)
{
	int64_t off = x->offset;
	int pairs = x->nbytes;
	/* the dump's next row, or a later one (rows elided: ". . .") */
	int next = w->left > 0 && off >= w->next_off && off % 16 == 0 && off < w->next_off + w->left;
	/* print_print's first hex line ("62617369 63") may read as a row whose
	 * offset is not 0: a dump of text, kept when plain */
	int print = w->level == PLAIN && w->left > 0 && w->next_off == 0 && off > 0 && !next;
	/* the rest of the row before, cut in two by another thread */
	int rest = w->level == PLAIN && off == -1 && w->cut;

	if (w->strict) {
		mask_from(l, l->b); /* whose row it is is not known */
	} else if (next) {
		w->left -= off - w->next_off, w->next_off = off;
		if (w->level != PLAIN)
			mask_row(l, x);
	} else if (!print && !rest) {
		mask_from(l, l->b); /* an orphan, or not a row the dump waits for:
		                       fail closed, offset and all */
	}
	w->left -= pairs;
	if (!rest)
		w->next_off += 16;
	w->cut = next && pairs < 16 && w->left > 0;
}

/* A parameter or template line. */
static void param_item(struct walk *w, struct line *l, const struct hs_detail_item *x)
{
	const char *ro = x->line.s;
	size_t ne = at(ro, x->name) + x->name.n;
	int plain = dstr_in(plain_params, x->name, 0);
	int pin = dstr_in(pin_params, x->name, 1);
	/* a length as the spy prints it: "/ -1" (unavailable) announces nothing */
	int ann = x->kind == HS_DI_PARAM && x->len >= 0 && !x->null_buf;
	int64_t len = x->len;
	/* a bare pointer or NULL right after the name ("pPin = 0x7ffd...") */
	int pointer = x->kind == HS_DI_PARAM && !x->null_buf &&
	              !memchr(ro + ne, '[', at(ro, x->value) - ne) &&
	              only_pointer(x->value.s, x->value.n);

	w->level = pin || (w->pin_func && !plain) ? SECRET : w->data && !plain ? DATA : PLAIN;
	if (pin && !ann && !pointer)
		mask_from(l, ne);
	else if (!pin && !plain && pin_in_text(l, &len, &ann))
		w->level = SECRET;
	w->tmpl_class = -1;
	w->pubkey_tmpl = x->name.n >= 18 && memcmp(x->name.s, "pPublicKeyTemplate", 18) == 0;
	w->left = ann ? len : 0, w->next_off = 0;
}

/* The class of the template a CKA_VALUE is in: the first CKA_CLASS of the
 * parameter that states one, above it or below it (looked for below only
 * now, for the few values that need it); a public key template is public
 * unless its class says otherwise; else 0, not stated. */
static int value_class(struct walk *w, const struct hs_detail_iter *it)
{
	if (w->strict)
		return 0;
	if (w->tmpl_class == -1 && (w->tmpl_class = class_ahead(*it)) < 0)
		w->tmpl_class = -2; /* none below either: not looked for again */
	return w->tmpl_class >= 0 ? w->tmpl_class : w->pubkey_tmpl;
}

/* An attribute line. */
static void attr_item(struct walk *w, struct line *l, const struct hs_detail_item *x,
                      const struct hs_detail_iter *it)
{
	int ann = x->len >= 0; /* not "/ -1": nothing follows it */
	int c;

	/* "CKA_? (0x80000123)": the spy could not name it, a vendor's may be
	 * secret; its bytes are masked (none follow "/ -1") */
	if (dstr_in(secret_attrs, x->name, 0) || (ann && x->name.n > 4 && x->name.s[4] == '?'))
		w->level = SECRET;
	else if (hs_dstr_is(x->name, "CKA_VALUE"))
		w->level = (c = value_class(w, it)) == 0 ? SECRET : w->data && c == 2 ? DATA : PLAIN;
	else
		w->level = PLAIN;
	if (w->tmpl_class == -1 && hs_dstr_is(x->name, "CKA_CLASS"))
		w->tmpl_class = class_of(x);
	if (w->level != PLAIN && !ann)
		mask_from(l, at(x->line.s, x->name) + x->name.n); /* the value on the line itself */
	w->left = ann ? x->len : 0, w->next_off = 0;
}

int hs_redact_event(struct hs_event *e, const struct hs_redact_opts *o)
{
	struct hs_detail_iter it;
	struct hs_detail_item x, row;
	struct walk w = { 0 };
	struct line l;
	size_t prev_line = (size_t)-1;
	int changed = 0, glued, ann, line_changed = 0;
	int64_t len;

	if (!e->detail.data)
		return 0;
	w.strict = o && o->strict;
	w.data = o && o->data;
	w.pin_func = w.strict || word_in(pin_funcs, e->func, 0, strlen(e->func), 0);
	/* the reader reads the text as it was: a line is masked only once it
	 * has been read, and the look-ahead for a template's class reads lines
	 * not masked yet */
	hs_detail_iter_init(&it, e->detail.data, e->detail.len);
	while (hs_detail_next(&it, &x)) {
		/* print_print's hex row glued onto its ASCII line: the rest of
		 * that line, read as a line of text (as the line it is part of) */
		glued = x.lineno == prev_line;
		prev_line = x.lineno;
		line_of(&l, e->detail.data, x.line);
		if (l.b == l.e)
			continue;
		if (!glued && x.kind == HS_DI_DUMP) {
			dump_item(&w, &l, &x);
		} else if (!glued && x.kind == HS_DI_PRINT && hs_detail_dump_row(x.line.s, x.line.n, &row)) {
			dump_item(&w, &l, &row); /* a print row, or another thread's dump row */
		} else if (!glued && (x.kind == HS_DI_PARAM || x.kind == HS_DI_TEMPLATE) && x.name.n) {
			w.cut = 0;
			param_item(&w, &l, &x);
		} else if (!glued && x.kind == HS_DI_ATTR) {
			w.cut = 0;
			attr_item(&w, &l, &x, &it);
		} else {
			/* free text (HS_DI_TEXT, an object line, a print row or its
			 * ASCII line): inside a secret it is part of it (the rest of
			 * a dump row another process's output cut in two, a text
			 * column on its own line), hidden whole */
			w.cut = 0;
			if (w.level == SECRET || (w.level == DATA && w.left > 0)) {
				mask_from(&l, l.b);
			} else if (pin_in_text(&l, &len, &ann)) {
				w.level = SECRET; /* a PIN named in free text: what follows is secret too */
				w.left = ann ? len : 0, w.next_off = 0;
			}
		}
		/* a line is counted once, its glued rest with it */
		changed += l.changed && !(glued && line_changed);
		line_changed = l.changed || (glued && line_changed);
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
		j = hs_word_end(s, i, e);
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
			j = hs_word_end(l.s, i, l.e);
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
