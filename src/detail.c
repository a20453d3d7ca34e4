/* detail.c — the reader of a call's detail lines (detail.h).
 *
 * A line is read as tokens, never by its columns: a parameter line is
 * "[in]"/"[out]" (the shim's "[in ]" too) then a name; an attribute line
 * starts with a CKA_ name or a vendor type's 0x number; a dump row is a hex
 * offset then two-digit hex bytes; anything may be separated by any run of
 * blanks (space, TAB, CR, VT, FF). Redaction (redact.c) decides what to
 * mask from these items, so what it masks and what this reader sees agree
 * by construction.
 *
 * The only context kept is the open template and the value being dumped
 * (owner, next offset, bytes still due): it tells print_print's hex line
 * "68656C6C 6F" (the label "hello") from a dump row of offset 0x68656C6C,
 * and gives every dump row the attribute it belongs to.
 */
#include "hsmscope/detail.h"

#include <string.h>

#include "hsmscope/chars.h"
#include "hsmscope/util.h"

/* Where print_print glues the next hex row onto a full ASCII row of 32
 * bytes: 4 blanks + 32 x 2 + 7 group blanks. */
#define PRINT_ASCII_ROW 75

static struct hs_dstr dstr(const char *s, size_t n)
{
	struct hs_dstr d = { s, n };
	return d;
}

int hs_dstr_is(struct hs_dstr d, const char *w)
{
	return d.n == strlen(w) && (d.n == 0 || memcmp(d.s, w, d.n) == 0);
}

static int dstr_eq(struct hs_dstr a, struct hs_dstr b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0);
}

/* A decimal or 0x-hex integer filling s[i..e) exactly (a '-' allowed). */
static int whole_int(const char *s, size_t i, size_t e, int64_t *out)
{
	uint64_t v = 0;
	int neg = 0;
	size_t d = 0;

	if (i < e && s[i] == '-')
		neg = 1, i++;
	if (e - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		for (i += 2; i < e && hs_is_hex(s[i]); i++, d++) {
			if (v >> 60)
				return 0;
			v = v << 4 | (uint64_t)hs_hexval(s[i]);
		}
	} else {
		for (; i < e && hs_is_digit(s[i]); i++, d++) {
			if (v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
	}
	if (!d || i != e || (neg && v > (uint64_t)INT64_MAX))
		return 0;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 1;
}

/* The end of a parameter's name: words joined by "->" or '.'. */
static size_t name_end(const char *s, size_t i, size_t e)
{
	size_t j = hs_word_end(s, i, e);

	while (j > i) {
		size_t k = j + (j + 1 < e && s[j] == '-' && s[j + 1] == '>' ? 2 : j < e && s[j] == '.' ? 1 : 0);
		if (k == j || k >= e || !hs_is_word(s[k]))
			break;
		j = hs_word_end(s, k, e);
	}
	return j;
}

/* "[addr] / N" (the address optional, after an optional "[len name]" and
 * an optional '=' or ':'), up to the end: the announcement of a dump of N
 * bytes. */
static int announces(const char *s, size_t i, size_t e, int64_t *len)
{
	size_t j;

	i = hs_skip_blanks(s, i, e);
	if (i < e && s[i] == '[') { /* "pPin [ulPinLen] 0x.. / 4": blanks before it */
		const char *c = memchr(s + i, ']', e - i);
		if (!c)
			return 0;
		i = hs_skip_blanks(s, (size_t)(c - s) + 1, e);
	}
	if (i < e && (s[i] == '=' || s[i] == ':'))
		i = hs_skip_blanks(s, i + 1, e);
	if (i + 1 < e && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		i += 2;
	for (j = i; j < e && hs_is_hex(s[j]); j++)
		;
	if (j > i && j < e && hs_is_blank(s[j]))
		i = hs_skip_blanks(s, j, e);
	if (i >= e || s[i] != '/')
		return 0;
	i = hs_skip_blanks(s, i + 1, e);
	if (e - i > 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		return 0; /* the spy prints a length in decimal: "/0x55cf.." is an address */
	return whole_int(s, i, e, len);
}

int hs_detail_announces(const char *s, size_t n, int64_t *len)
{
	return s && announces(s, 0, n, len);
}

/* "NULL [size : 0x100 (256)]" or "NULL [size : ?]" from i. */
static int null_buffer(const char *s, size_t i, size_t e, int64_t *size)
{
	size_t j;

	i = hs_skip_blanks(s, i, e);
	if (e - i < 4 || memcmp(s + i, "NULL", 4) != 0)
		return 0;
	i = hs_skip_blanks(s, i + 4, e);
	if (i >= e || s[i] != '[')
		return 0;
	*size = HS_NONE;
	i = hs_skip_blanks(s, i + 1, e);
	if (e - i >= 4 && memcmp(s + i, "size", 4) == 0)
		i = hs_skip_blanks(s, i + 4, e);
	if (i < e && s[i] == ':')
		i = hs_skip_blanks(s, i + 1, e);
	for (j = i; j < e && (hs_is_hex(s[j]) || s[j] == 'x' || s[j] == 'X'); j++)
		;
	if (!whole_int(s, i, j, size))
		*size = HS_NONE;
	return 1;
}

/* Two hex digits (or "**", a masked byte) at s[t], then a blank or the end. */
static int pair_at(const char *s, size_t t, size_t e, int *masked)
{
	if (t + 1 >= e || (t + 2 < e && !hs_is_blank(s[t + 2])))
		return 0;
	*masked = s[t] == '*';
	if (*masked)
		return s[t + 1] == '*';
	return hs_is_hex(s[t]) && hs_is_hex(s[t + 1]);
}

/* The bytes of a dump row after its offset (ending at i): at most 16
 * pairs; the ASCII column after them. */
static void row_bytes(struct hs_detail_item *it, const char *s, size_t b, size_t i, size_t e)
{
	size_t t, col = 0;
	int hi, lo;

	it->nbytes = 0;
	it->hex = dstr(s + hs_skip_blanks(s, i, e), 0);
	/* pair_at's test, with each digit's value read once: this runs for
	 * every byte of every dump (most of the reader's time) */
	for (; it->nbytes < 16; i = t + 2) {
		t = hs_skip_blanks(s, i, e);
		if (t + 1 >= e || (t + 2 < e && !hs_is_blank(s[t + 2])))
			break;
		hi = hs_hexval(s[t]);
		lo = hs_hexval(s[t + 1]);
		if (hi >= 0 && lo >= 0)
			it->bytes[it->nbytes++] = (unsigned char)(hi << 4 | lo);
		else if (s[t] == '*' && s[t + 1] == '*')
			it->masked = 1, it->bytes[it->nbytes++] = 0;
		else
			break;
		it->hex.n = (size_t)(s + t + 2 - it->hex.s);
	}
	/* print_generic's own columns: the text starts 59 after the offset */
	if (it->offset >= 0 && i - b >= 10 && s[b + 8] == ' ' && s[b + 9] == ' ')
		col = b + 59;
	if (col && col <= e && col > i) { /* a blank at least after the bytes */
		size_t k;
		for (k = i; k < col && s[k] == ' '; k++)
			;
		if (k == col) {
			it->text = dstr(s + col, e - col);
			it->columns = 1;
			return;
		}
	}
	t = hs_skip_blanks(s, i, e);
	it->text = dstr(s + t, e - t);
}

/* A dump row: offset (4..16 hex digits) then at least one pair; or the
 * headless rest of a row (three pairs or more). */
static int dump_row(struct hs_detail_item *it, const char *s, size_t b, size_t e)
{
	size_t j, t;
	int m, pairs = 0;

	for (j = b; j < e && hs_is_hex(s[j]); j++)
		;
	if (j - b == 2) {
		for (t = b; pairs < 3 && pair_at(s, t, e, &m); pairs++)
			t = hs_skip_blanks(s, t + 2, e);
		if (pairs < 3)
			return 0;
		it->offset = -1;
		row_bytes(it, s, b, b, e);
		return 1;
	}
	if (j - b < 4 || j - b > 16 || j >= e || !hs_is_blank(s[j]))
		return 0;
	t = hs_skip_blanks(s, j, e);
	if (!pair_at(s, t, e, &m))
		return 0;
	it->offset = 0;
	for (t = b; t < j; t++)
		it->offset = (it->offset << 4 | hs_hexval(s[t])) & 0x7fffffffffffLL;
	row_bytes(it, s, b, j, e);
	return 1;
}

/* print_print's hex line: groups of hex digits of even length, at most 8,
 * separated by blanks, nothing else. */
static int print_row(struct hs_detail_item *it, const char *s, size_t b, size_t e)
{
	size_t i = b, j;
	int n = 0, masked = 0;

	while (i < e) {
		for (j = i; j < e && (hs_is_hex(s[j]) || s[j] == '*'); j++)
			masked |= s[j] == '*';
		if (j == i || (j - i) % 2 || j - i > 8 || (j < e && !hs_is_blank(s[j])))
			return 0;
		for (; i < j && n < HS_DETAIL_ROW_MAX; i += 2)
			it->bytes[n++] = s[i] == '*' ? 0 : (unsigned char)(hs_hexval(s[i]) * 16 + hs_hexval(s[i + 1]));
		i = hs_skip_blanks(s, j, e);
	}
	if (!n)
		return 0;
	it->nbytes = n;
	it->masked = masked;
	return 1;
}

/* "[in]", "[out]", "[in ]" at b: the end of the bracket, and out. */
static int param_head(const char *s, size_t b, size_t e, size_t *after, int *out)
{
	size_t i = b + 1, k = 0;

	if (b >= e || s[b] != '[')
		return 0;
	while (i < e && s[i] >= 'a' && s[i] <= 'z' && k < 3)
		i++, k++;
	if (k < 2)
		return 0;
	*out = s[b + 1] == 'o';
	if (i < e && s[i] == ' ')
		i++;
	if (i >= e || s[i] != ']')
		return 0;
	*after = i + 1;
	return 1;
}

/* Does a name ending in "Template" (any case) name a template? */
static int names_template(const char *s, size_t nb, size_t ne)
{
	return ne - nb >= 8 && (memcmp(s + ne - 8, "Template", 8) == 0 ||
	                        memcmp(s + ne - 8, "template", 8) == 0);
}

static void read_param(struct hs_detail_iter *itr, struct hs_detail_item *it, const char *s,
                       size_t i, size_t e)
{
	size_t nb, ne, r, close = 0;
	int64_t v;
	int bracket = 0;

	i = hs_skip_blanks(s, i, e);
	while (i < e && s[i] == '*')
		i++;
	nb = i;
	ne = name_end(s, nb, e);
	it->kind = HS_DI_PARAM;
	it->name = dstr(s + nb, ne - nb);
	it->value = dstr(s + ne, 0);
	r = ne;
	if (r < e && s[r] == '[') { /* pTemplate[2], pPin[ulPinLen] */
		const char *c = memchr(s + r, ']', e - r);
		if (c) {
			close = (size_t)(c - s);
			bracket = 1;
			r = close + 1;
		}
	}
	r = hs_skip_blanks(s, r, e);
	/* "name[2]:" or "name:" then nothing: a template, or a header of
	 * decoded lines ("[out] pInfo:") */
	if (r < e && s[r] == ':' && hs_skip_blanks(s, r + 1, e) == e) {
		if (bracket || names_template(s, nb, ne)) {
			it->kind = HS_DI_TEMPLATE;
			if (!bracket || !whole_int(s, ne + 1, close, &it->len))
				it->len = HS_NONE;
			itr->tmpl = it->name;
			itr->tmpl_out = it->out;
		}
		return;
	}
	if (r == e) /* "[in] flags = " cut: no value */
		return;
	if (null_buffer(s, r, e, &v)) {
		it->null_buf = 1;
		it->len = v;
		it->value = dstr(s + r, 4);
		return;
	}
	if (announces(s, r, e, &v)) {
		it->len = v;
		itr->owner = it->name;
		itr->next_off = 0;
		itr->left = v;
		return;
	}
	if (s[r] == '=' || s[r] == ':')
		r = hs_skip_blanks(s, r + 1, e);
	it->value = dstr(s + r, e - r);
	if (!whole_int(s, r, e, &it->number))
		it->number = HS_NONE;
}

/* An attribute line: CKA_ name (the spy's "CKA_? (0x..)" whole) or a
 * vendor number 0x + 8 hex digits, at b. */
static int read_attr(struct hs_detail_iter *itr, struct hs_detail_item *it, const char *s,
                     size_t b, size_t e)
{
	size_t ne, r;
	int64_t v;

	if (e - b >= 5 && memcmp(s + b, "CKA_", 4) == 0) {
		ne = hs_word_end(s, b, e);
		if (ne < e && s[ne] == '?') { /* "CKA_? (0xcf534301)" */
			const char *c = memchr(s + ne, ')', e - ne);
			ne = c ? (size_t)(c - s) + 1 : ne + 1;
		}
	} else if (e - b >= 10 && s[b] == '0' && s[b + 1] == 'x') {
		for (ne = b + 2; ne < e && hs_is_hex(s[ne]); ne++)
			;
		if (ne - b != 10 || (ne < e && !hs_is_blank(s[ne])))
			return 0;
	} else {
		return 0;
	}
	it->kind = HS_DI_ATTR;
	it->name = dstr(s + b, ne - b);
	it->owner = itr->tmpl;
	it->out = itr->tmpl_out;
	r = hs_skip_blanks(s, ne, e);
	if (announces(s, r, e, &v)) {
		it->len = v;
		itr->owner = it->name;
		itr->next_off = 0;
		itr->left = v;
		return 1;
	}
	if (r < e && (s[r] == '=' || s[r] == ':'))
		r = hs_skip_blanks(s, r + 1, e);
	it->value = dstr(s + r, e - r);
	if (!whole_int(s, r, e, &it->number))
		it->number = HS_NONE;
	return 1;
}

static void item_clear(struct hs_detail_item *it)
{
	memset(it, 0, sizeof *it);
	it->number = it->len = it->offset = HS_NONE;
}

/* Read the line s[0..e) (trailing blanks cut) into it. */
static void read_line(struct hs_detail_iter *itr, struct hs_detail_item *it, const char *s,
                      size_t e, int glued)
{
	size_t b = hs_skip_blanks(s, 0, e), i, after;
	int was_print = itr->print, out;
	int64_t h;

	for (i = 0; i < b; i++)
		it->indent += s[i] == '\t' ? 8 : 1;
	it->line = dstr(s, e);
	it->kind = HS_DI_TEXT;
	it->value = dstr(s + b, e - b);
	itr->print = 0;
	if (!glued && param_head(s, b, e, &after, &out)) {
		it->out = out;
		itr->tmpl = dstr(NULL, 0);
		itr->owner = dstr(NULL, 0);
		itr->left = HS_NONE;
		read_param(itr, it, s, after, e);
		return;
	}
	if (!glued && read_attr(itr, it, s, b, e)) {
		if (it->len == HS_NONE)
			itr->owner = dstr(NULL, 0), itr->left = HS_NONE;
		return;
	}
	if (!glued && e - b > 7 && memcmp(s + b, "Object", 6) == 0 && hs_is_blank(s[b + 6])) {
		size_t j = hs_skip_blanks(s, b + 6, e), k = j;
		while (k < e && !hs_is_blank(s[k]))
			k++;
		if (whole_int(s, j, k, &h)) {
			it->kind = HS_DI_OBJECT;
			it->number = h;
			itr->owner = dstr(NULL, 0);
			return;
		}
	}
	/* a value's rows: a dump row at the offset due (or a later one, rows
	 * elided), else a print row while bytes are due, else any dump row */
	if (b < e) {
		struct hs_detail_item d = *it;
		int is_dump = dump_row(&d, s, b, e);
		int due = itr->left != HS_NONE && itr->left > 0;
		int at_off = is_dump && (d.offset == -1 || (d.offset >= itr->next_off && d.offset % 16 == 0 &&
		                                            (!due || d.offset < itr->next_off + itr->left)));
		if (is_dump && (at_off || !due)) {
			*it = d;
			it->kind = HS_DI_DUMP;
		} else if ((due || glued) && print_row(it, s, b, e)) {
			it->kind = HS_DI_PRINT;
			itr->print = 1;
		} else if (is_dump) {
			*it = d;
			it->kind = HS_DI_DUMP;
		}
		if (it->kind == HS_DI_DUMP || it->kind == HS_DI_PRINT) {
			it->owner = due || itr->left == HS_NONE ? itr->owner : dstr(NULL, 0);
			if (itr->left != HS_NONE)
				itr->left -= it->nbytes;
			if (it->kind == HS_DI_DUMP && it->offset >= 0)
				itr->next_off = it->offset + 16;
			return;
		}
	}
	if (was_print) {
		it->kind = HS_DI_PRINT_TEXT;
		it->owner = itr->owner;
		/* a full row of 32 with the next hex row glued on */
		if (e > PRINT_ASCII_ROW && hs_is_hex(s[PRINT_ASCII_ROW]) && b > 0 && b < PRINT_ASCII_ROW) {
			itr->glued = s + PRINT_ASCII_ROW;
			it->line.n = PRINT_ASCII_ROW;
			while (it->line.n && hs_is_blank(s[it->line.n - 1]))
				it->line.n--;
		}
		it->value = dstr(s + b, it->line.n > b ? it->line.n - b : 0);
		return;
	}
	if (itr->left != HS_NONE && itr->left <= 0)
		itr->owner = dstr(NULL, 0);
}

int hs_detail_dump_row(const char *s, size_t n, struct hs_detail_item *item)
{
	size_t b, i;

	item_clear(item);
	while (n && hs_is_blank(s[n - 1]))
		n--;
	b = hs_skip_blanks(s, 0, n);
	for (i = 0; i < b; i++)
		item->indent += s[i] == '\t' ? 8 : 1;
	item->line = dstr(s, n);
	if (b >= n || !dump_row(item, s, b, n)) {
		item_clear(item);
		return 0;
	}
	item->kind = HS_DI_DUMP;
	return 1;
}

void hs_detail_iter_init(struct hs_detail_iter *it, const char *detail, size_t len)
{
	memset(it, 0, sizeof *it);
	it->p = detail;
	it->end = detail ? detail + len : NULL;
	it->left = HS_NONE;
}

int hs_detail_next(struct hs_detail_iter *it, struct hs_detail_item *item)
{
	const char *nl, *s;
	size_t n;

	item_clear(item);
	if (it->glued) {
		s = it->glued;
		nl = memchr(s, '\n', (size_t)(it->end - s));
		n = (size_t)((nl ? nl : it->end) - s);
		it->glued = NULL;
		it->p = nl ? nl + 1 : it->end;
		while (n && hs_is_blank(s[n - 1]))
			n--;
		item->lineno = it->lineno - 1;
		read_line(it, item, s, n, 1);
		return 1;
	}
	if (!it->p || it->p >= it->end)
		return 0;
	s = it->p;
	nl = memchr(s, '\n', (size_t)(it->end - s));
	n = (size_t)((nl ? nl : it->end) - s);
	it->p = nl ? nl + 1 : it->end;
	item->lineno = it->lineno++;
	while (n && hs_is_blank(s[n - 1]))
		n--;
	read_line(it, item, s, n, 0); /* may leave a glued rest, read next */
	return 1;
}

size_t hs_detail_value(struct hs_detail_iter *it, unsigned char *out, size_t max, int *masked)
{
	struct hs_detail_iter save;
	struct hs_detail_item item;
	struct hs_dstr owner = it->owner;
	size_t got = 0;
	int k;

	if (masked)
		*masked = 0;
	if (!owner.n)
		return 0;
	for (;;) {
		save = *it;
		if (!hs_detail_next(it, &item))
			break;
		if (item.kind == HS_DI_PRINT_TEXT)
			continue;
		if ((item.kind != HS_DI_DUMP && item.kind != HS_DI_PRINT) || !dstr_eq(item.owner, owner)) {
			*it = save;
			break;
		}
		if (masked && item.masked)
			*masked = 1;
		for (k = 0; k < item.nbytes; k++, got++)
			if (got < max)
				out[got] = item.bytes[k];
	}
	return got;
}
