/* shim_values.c — a libpkcs11shim call's parameter lines, in the spy's
 * layout: the lines pkcs11-shim.c and pkcs11-display.c print between a
 * call's header and its [toc], translated through p11call.h.
 *
 * Byte buffers and attribute values announce their length ("<addr> / 11");
 * the rows that follow (print_generic: "%08X  XX XX ..  ascii", masked
 * "** **" for PINs unless PKCS11SHIM_REVEALPIN; print_print for labels:
 * 4-byte hex groups, then " c" pairs) are collected in the call's `pd` and
 * written when the next line of the call starts something else: as a dump
 * when every byte was seen in clear, else as the length alone. Scalars,
 * mechanism lines, templates, info blocks and C_FindObjects results map
 * to the spy's "[in] name = value", "pTemplate[N]:", "Object 0x.. matches".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hsmscope/ckconst.h"
#include "shim_int.h"

/* A detail line of plain text (names, True/False, lengths: never bytes). */
static int linef(struct hs_p11call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int linef(struct hs_p11call *c, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	return n < 0 ? -1 : hs_p11call_line(c, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

/* A decimal at s[0..n) that fills it: 1 and *v, or 0. */
int hs_shim_whole_int(const char *s, size_t n, int64_t *v)
{
	size_t i;

	if (n == 0 || n > 19)
		return 0;
	for (i = 0; i < n; i++)
		if (!hs_is_digit(s[i]))
			return 0;
	return hs_parse_int(s, v) > 0;
}

/* buf_spec: "<hex addr> / <len>", "<addr> / -1 (CK_UNAVALABLE_INFORMATION)".
 * Returns 1 with *len (-1 for the latter), or 0. */
int hs_shim_bufspec(const char *s, size_t n, int64_t *len)
{
	size_t i = 0;

	while (i < n && hs_is_hex(s[i]))
		i++;
	if ((i != 8 && i != 16) || !hs_starts(s + i, n - i, " / "))
		return 0;
	i += 3;
	if (hs_starts(s + i, n - i, "-1"))
		return (*len = -1), 1;
	return hs_shim_whole_int(s + i, n - i, len);
}

/* "NULL [size : 0x%lX (%ld)]": 1 and *size (HS_NONE when unreadable). */
static int parse_null(const char *s, size_t n, int64_t *size)
{
	const char *p;
	size_t r;

	if (!hs_starts(s, n, "NULL"))
		return 0;
	*size = HS_NONE;
	p = memchr(s, '(', n);
	if (p) {
		r = (size_t)(s + n - p - 1);
		while (r && (p[r] == ')' || p[r] == ']'))
			r--;
		hs_shim_whole_int(p + 1, r, size);
	}
	return n == 4 || s[4] == ' ';
}

/* ------------------------------------------------------- value rows */

void hs_shim_pd_clear(struct pending *d)
{
	unsigned char *b = d->b;
	size_t cap = d->cap;

	memset(d, 0, sizeof *d);
	d->b = b, d->cap = cap;
}

void hs_shim_pd_open(struct call *c, int kind, int out, const char *name, size_t n, int64_t len)
{
	struct pending *d = &c->pd;

	hs_shim_pd_clear(d);
	d->kind = kind;
	d->out = out;
	if (n >= sizeof d->name)
		n = sizeof d->name - 1;
	memcpy(d->name, name, n);
	d->name[n] = '\0';
	d->len = len;
}

static int pd_keep(struct hs_parser *p, struct pending *d, unsigned char byte)
{
	if (d->got < BYTES_MAX) {
		if ((size_t)d->got >= d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 64;
			unsigned char *b = realloc(d->b, cap);
			if (!b)
				return (p->b.stop = 1), -1;
			d->b = b, d->cap = cap;
		}
		d->b[d->got] = byte;
	}
	d->got++;
	return 0;
}

/* Write the value in progress into the call, in the spy's layout: its
 * bytes when every one was seen in clear and kept, else its length alone
 * (masked by the tracer, cut by another thread's line, or over BYTES_MAX). */
void hs_shim_flush(struct hs_parser *p, struct call *c)
{
	struct pending *d = &c->pd;
	int all = d->got == d->len && !d->masked && !d->broken && d->style && d->got <= BYTES_MAX;
	const unsigned char *v = all ? d->b : NULL;
	size_t n = all ? (size_t)d->got : d->len > 0 ? (size_t)d->len : 0;

	if (d->kind == PD_BYTES && d->len < 0)
		chk(p, linef(&c->qc.pc, "%s %s / -1", d->out ? "[out]" : "[in]", d->name));
	else if (d->kind == PD_BYTES)
		chk(p, hs_p11call_bytes(&c->qc.pc, d->out, d->name, v, n));
	else if (d->kind == PD_ATTR && d->has_type && (v || d->len >= 0))
		chk(p, hs_p11call_attr(&c->qc.pc, d->type, v, n));
	else if (d->kind == PD_ATTR && v)
		chk(p, hs_p11call_attr_text(&c->qc.pc, d->name, (const char *)v, n));
	else if (d->kind == PD_ATTR)
		chk(p, linef(&c->qc.pc, "    %-21s / %lld", d->name, (long long)d->len));
	if (d->kind != PD_NONE && d->got > BYTES_MAX)
		c->qc.pc.ev.elided_lines += (d->got + 15) / 16; /* the rows not kept */
	hs_shim_pd_clear(d);
}

/* A print_generic row "      %08X  XX XX ..  ascii" continuing d: 1 taken,
 * 0 not such a row for d. Row bytes are hex pairs or the masked "**". */
static int take_generic_row(struct hs_parser *p, struct pending *d, const char *s, size_t n)
{
	int64_t off = 0, want;
	size_t i;
	int k;

	if (n < 14 || !hs_starts(s, n, IND) || (n > 14 && !hs_starts(s + 14, n - 14, "  ")))
		return 0;
	for (i = 6; i < 14; i++) {
		if (!hs_is_hex(s[i]))
			return 0;
		off = off * 16 + hs_hexval(s[i]);
	}
	if (d->kind == PD_NONE || d->style == 2 || d->len < 0 || off != d->got)
		return 0;
	want = d->len - d->got < 16 ? d->len - d->got : 16;
	for (k = 0, i = 16; k < 16 && i + 1 < n; k++, i += 3) {
		if (hs_is_hex(s[i]) && hs_is_hex(s[i + 1])) {
			if (pd_keep(p, d, (unsigned char)(hs_hexval(s[i]) * 16 + hs_hexval(s[i + 1]))) < 0)
				return 1;
		} else if (s[i] == '*' && s[i + 1] == '*') {
			d->masked = 1;
			d->got++;
		} else {
			break;
		}
	}
	d->style = 1;
	if (k != want)
		d->broken = 1;
	return 1;
}

/* print_print (CKA_LABEL, CKA_APPLICATION, a few OTP ones): a line of
 * 4-byte hex groups, then a line of " c" pairs; past 32 bytes the next hex
 * follows the pairs on the same line, as in OpenSC. The whole line is
 * checked before a byte is taken. 1 taken, 0 not such a line for d. */
static int take_print_line(struct hs_parser *p, struct pending *d, const char *s, size_t n)
{
	unsigned char b[32];
	size_t i = 6;
	int k = 0, group = 0, hi = -1, nb = 0, ascii = 0;

	if (d->kind != PD_ATTR || d->style == 1 || d->len <= 0 || n <= 6 || !hs_starts(s, n, IND) ||
	    (d->got >= d->len && d->print_next != 2))
		return 0;
	if (!(hs_starts(d->name, strlen(d->name), "CKA_LABEL") || !strcmp(d->name, "CKA_APPLICATION") ||
	      hs_starts(d->name, strlen(d->name), "CKA_OTP_")))
		return 0;
	if (s[6] == ' ') { /* the ascii pairs of the chunk whose hex came last */
		int64_t want = (d->got % 32) ? d->got % 32 : 32;
		if (d->print_next != 2)
			return 0;
		for (; k < want; k++, i += 2) {
			if (k && k % 4 == 0 && (i >= n || s[i++] != ' '))
				return 0;
			if (i + 1 >= n || s[i] != ' ' || s[i + 1] <= ' ')
				return 0;
		}
		ascii = 1;
	} else if (d->print_next == 2) {
		return 0;
	}
	for (; i < n; i++) {
		if (hs_is_hex(s[i]) && ++group <= 8 && nb < 32) {
			if (hi < 0)
				hi = hs_hexval(s[i]);
			else
				b[nb++] = (unsigned char)(hi * 16 + hs_hexval(s[i])), hi = -1;
		} else if (!(s[i] == ' ' && group == 8 && i + 1 < n)) {
			return 0;
		} else {
			group = 0;
		}
	}
	if (hi >= 0 || (!ascii && !nb) || (int64_t)nb > d->len - d->got)
		return 0;
	for (k = 0; k < nb; k++)
		if (pd_keep(p, d, b[k]) < 0)
			return 1;
	d->style = 2;
	d->print_next = nb ? 2 : 1;
	return 1;
}

/* ------------------------------------------------------ translation */

/* The spy's name for a shim parameter where the two differ. */
static const char *spy_name(const char *s, size_t n, size_t *outn)
{
	static const char pparam[] = "pMechanism->pParameter[pMechanism->ulParameterLen]";

	if (n == sizeof pparam - 1 && memcmp(s, pparam, n) == 0) {
		*outn = strlen("pMechanism->pParameter[ulParameterLen]");
		return "pMechanism->pParameter[ulParameterLen]";
	}
	*outn = n;
	return s;
}

static int scalar(struct call *c, int out, const char *name, size_t nn, const char *v, size_t vn)
{
	struct hs_buf b;
	int rc;

	vn = trim_end(v, vn);
	hs_buf_init(&b);
	if (hs_starts(v, vn, "Vendor defined (") && vn > 17) /* a vendor CKM_: its number */
		rc = hs_buf_printf(&b, "0x%.*s", (int)(vn - 17), v + 16);
	else
		rc = hs_buf_add(&b, v, vn);
	if (rc == 0) {
		char name0[128];
		size_t m = nn < sizeof name0 ? nn : sizeof name0 - 1;
		memcpy(name0, name, m);
		name0[m] = '\0';
		rc = hs_p11call_scalar(&c->qc.pc, out, name0, hs_buf_cstr(&b));
	}
	hs_buf_free(&b);
	return rc;
}

/* "NAME <buf_spec>", "NAME NULL [size : ..]", "NAME EMPTY": a byte buffer.
 * Returns 1 when the line was one. */
static int buffer_line(struct hs_parser *p, struct call *c, int out, const char *s, size_t n)
{
	const char *sp = NULL, *nm;
	int64_t len;
	size_t i, nn;
	char name0[128];

	for (i = 0; i < n; i++)
		if (s[i] == ' ') {
			sp = s + i;
			break;
		}
	if (!sp || sp == s)
		return 0;
	nm = spy_name(s, (size_t)(sp - s), &nn);
	sp++;
	if (hs_shim_bufspec(sp, (size_t)(s + n - sp), &len)) {
		hs_shim_pd_open(c, PD_BYTES, out, nm, nn, len);
		return 1;
	}
	if (nn >= sizeof name0)
		nn = sizeof name0 - 1;
	memcpy(name0, nm, nn);
	name0[nn] = '\0';
	if (parse_null(sp, (size_t)(s + n - sp), &len)) {
		chk(p, out ? hs_p11call_null_buffer(&c->qc.pc, name0, len) :
		       hs_p11call_scalar(&c->qc.pc, 0, name0, "NULL"));
		return 1;
	}
	if ((size_t)(s + n - sp) == 5 && memcmp(sp, "EMPTY", 5) == 0) {
		chk(p, hs_p11call_scalar(&c->qc.pc, out, name0, "EMPTY"));
		return 1;
	}
	return 0;
}

/* One attribute line of a template: "CKA_X<pad> value". */
/* One attribute line of a template, "CKA_X<pad> value": 1, or 0 unreadable. */
static int attr_line(struct hs_parser *p, struct call *c, int out, const char *s, size_t n)
{
	const char *v = s, *end = s + n;
	char name[64];
	size_t nl;
	int64_t len;
	uint64_t t;
	enum hs_ck_kind kind;
	int has_type = 0;

	if (hs_starts(s, n, "CKA_? (0x")) { /* unknown type: "CKA_? (0x%08lx)    <buf_spec>" */
		int64_t tv;
		const char *cl = memchr(s, ')', n);
		if (!cl || !hs_parse_int(s + 7, &tv))
			return 0;
		t = (uint64_t)tv, has_type = 1;
		snprintf(name, sizeof name, "0x%llx", (unsigned long long)t);
		v = cl + 1;
	} else {
		while (v < end && *v != ' ')
			v++;
		nl = (size_t)(v - s);
		if (nl >= sizeof name)
			nl = sizeof name - 1;
		memcpy(name, s, nl);
		name[nl] = '\0';
		has_type = hs_ck_lookup(name, &t, &kind) && kind == HS_CK_ATTR;
	}
	while (v < end && *v == ' ')
		v++;
	if (hs_shim_bufspec(v, (size_t)(end - v), &len)) {
		hs_shim_pd_open(c, PD_ATTR, out, name, strlen(name), len);
		c->pd.type = t, c->pd.has_type = has_type;
		if (s[4] == '?') /* the shim prints no value of a type it does not know */
			hs_shim_flush(p, c);
		return 1;
	}
	if ((hs_starts(v, (size_t)(end - v), "True") && (end - v == 4 || v[4] == ' ')) ||
	    (hs_starts(v, (size_t)(end - v), "False") && (end - v == 5 || v[5] == ' '))) {
		/* The spy's boolean line, written as p11call writes one; also for
		 * CKA_KEY_GEN_MECHANISM, which the shim prints as a boolean: the
		 * words True/False are all it recorded, and no secret. */
		chk(p, linef(&c->qc.pc, "    %-21s %s", name, v[0] == 'T' ? "True" : "False"));
		return 1;
	}
	if (hs_starts(v, (size_t)(end - v), "Value ") && has_type) {
		/* print_enum: "Value %lX not found for type CK_..." — the raw CK_ULONG */
		int64_t val;
		unsigned char raw[8];
		int i;
		char hex[24];
		snprintf(hex, sizeof hex, "0x%.16s", v + 6);
		if (!hs_parse_int(hex, &val))
			return 0;
		for (i = 0; i < 8; i++)
			raw[i] = (unsigned char)((uint64_t)val >> (8 * i));
		chk(p, hs_p11call_attr(&c->qc.pc, t, raw, 8));
		return 1;
	}
	if (v == end)
		return 0;
	chk(p, hs_p11call_attr_text(&c->qc.pc, name, v, (size_t)(end - v)));
	return 1;
}

/* Copy s[0..n) into a NUL-terminated name (cut to fit). */
static void cname(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void put_line(struct hs_parser *p, struct call *c, const char *s, size_t n)
{
	chk(p, hs_p11call_line(&c->qc.pc, s, n));
}

/* The text of a "[in ] " or "[out] " line after its prefix, for call c. */
void hs_shim_param_line(struct hs_parser *p, struct call *c, int out, const char *r, size_t n,
                       int64_t lineno, int64_t off)
{
	const char *eq = NULL;
	char name[128];
	size_t i;

	chk(p, hs_p11call_saw(&c->qc.pc, lineno));
	hs_shim_flush(p, c);
	c->section = 0;
	p->last = c;
	n = trim_end(r, n);
	if (n > 1 && r[n - 1] == ':') { /* "NAME[COUNT]:" template, "NAME:" info block */
		const char *br = memchr(r, '[', n);
		size_t nm = br ? (size_t)(br - r) : n - 1;
		int64_t count = -1;
		if (br && !(hs_parse_int(br + 1, &count) && count >= 0))
			count = -1;
		cname(name, sizeof name, r, nm);
		chk(p, hs_p11call_template(&c->qc.pc, out, name, count));
		c->section = nm >= 8 && memcmp(r + nm - 8, "Template", 8) == 0 ? 1 : 2;
		c->tmpl_out = out;
		return;
	}
	if (hs_starts(r, n, "pMechanism->type=")) { /* C_DeriveKey writes it so */
		chk(p, scalar(c, 0, "pMechanism->type", 16, r + 17, n - 17));
		return;
	}
	for (i = 0; i + 3 <= n; i++)
		if (r[i] == ' ' && r[i + 1] == '=' && r[i + 2] == ' ') {
			eq = r + i;
			break;
		}
	if (eq) {
		chk(p, scalar(c, out, r, (size_t)(eq - r), eq + 3, (size_t)(r + n - eq - 3)));
		return;
	}
	if (buffer_line(p, c, out, r, n))
		return;
	hs_shim_skip(p, lineno, off, "a parameter line of no shape the shim writes");
}

/* One "NAME = value" or "NAME=value" piece of a mechanism parameter block
 * (ECDH/ECMQV: "\tkdf=CKD_NULL", "\tpSharedData[ulSharedDataLen] = <buf>"). */
static void param_piece(struct hs_parser *p, struct call *c, const char *t, size_t tn)
{
	char name[128];
	const char *eq = memchr(t, '=', tn), *v;
	size_t nn;
	int64_t len;

	if (!eq)
		return;
	nn = (size_t)(eq - t);
	while (nn && t[nn - 1] == ' ')
		nn--;
	v = eq + 1;
	while (v < t + tn && *v == ' ')
		v++;
	snprintf(name, sizeof name, "pMechanism->pParameter->%.*s", (int)nn, t);
	if (hs_shim_bufspec(v, (size_t)(t + tn - v), &len))
		hs_shim_pd_open(c, PD_BYTES, 0, name, strlen(name), len);
	else
		chk(p, scalar(c, 0, name, strlen(name), v, (size_t)(t + tn - v)));
}

/* An indented line (6 blanks or a tab) continuing call c. */
void hs_shim_cont_line(struct hs_parser *p, struct call *c, const char *s, size_t n,
                      int64_t lineno, int64_t off)
{
	const char *t = s, *end = s + n;
	size_t tn;
	int64_t h;

	chk(p, hs_p11call_saw(&c->qc.pc, lineno));
	p->last = c;
	if (c->pd.kind != PD_NONE &&
	    (take_generic_row(p, &c->pd, s, n) || take_print_line(p, &c->pd, s, n)))
		return;
	hs_shim_flush(p, c);
	while (t < end && (*t == ' ' || *t == '\t'))
		t++;
	tn = (size_t)(end - t);
	if (c->section == 2) { /* info text: labels, versions, flags, lists */
		put_line(p, c, s, n);
		return;
	}
	if (c->section == 1 && (hs_starts(t, tn, "CKA_") || hs_starts(t, tn, "DN: "))) {
		if (t[3] == '_' && !attr_line(p, c, c->tmpl_out, t, tn))
			hs_shim_skip(p, lineno, off, "an attribute line of no shape the shim writes");
		else if (t[3] != '_')
			put_line(p, c, s, n);
		return;
	}
	if (memchr(s, '\t', (size_t)(t - s))) { /* mechanism parameter block */
		const char *q = t;
		while (q < end) { /* ECMQV glues several pieces onto one line */
			const char *nx = q;
			while (nx < end && *nx != '\t')
				nx++;
			param_piece(p, c, q, trim_end(q, (size_t)(nx - q)));
			q = nx < end ? nx + 1 : end;
		}
		return;
	}
	if (hs_starts(t, tn, "pMechanism->type=")) {
		chk(p, scalar(c, 0, "pMechanism->type", 16, t + 17, tn - 17));
	} else if (hs_starts(t, tn, "pMechanism->pParameter->") || hs_starts(t, tn, "pApplication=") ||
	           hs_starts(t, tn, "Notify=")) {
		const char *eq = memchr(t, '=', tn);
		if (eq)
			chk(p, scalar(c, 0, t, (size_t)(eq - t), eq + 1, (size_t)(end - eq - 1)));
		else
			hs_shim_skip(p, lineno, off, "an indented line of no shape the shim writes");
	} else if (hs_starts(t, tn, "Object 0x") && hs_parse_int(t + 7, &h)) {
		chk(p, hs_p11call_found(&c->qc.pc, h));
	} else if (hs_starts(t, tn, "CKF_") || hs_starts(t, tn, "Parameters block for ")) {
		chk(p, linef(&c->qc.pc, "    %.*s", (int)tn, t));
	} else if (tn == 1 && t[0] == '}') {
		/* the end of a parameter block: nothing to keep */
	} else if (strcmp(c->qc.pc.ev.func, "C_GetMechanismInfo") == 0 &&
	           (hs_starts(t, tn, "CKM_") || hs_starts(t, tn, "Vendor defined ("))) {
		chk(p, scalar(c, 0, "type", 4, t, tn));
	} else if (strcmp(c->qc.pc.ev.func, "C_GetMechanismInfo") == 0 &&
	           hs_starts(t, tn, "Unknown Mechanism (") && tn > 20) {
		/* a number the shim's table lacks: its CKM_ name when ours has it */
		char v[24];
		const char *known;
		snprintf(v, sizeof v, "0x%.*s", (int)(tn - 20 < 16 ? tn - 20 : 16), t + 19);
		if (!hs_parse_int(v, &h))
			h = 0;
		known = hs_ck_name(HS_CK_MECH, (uint64_t)h);
		chk(p, hs_p11call_scalar(&c->qc.pc, 0, "type", known ? known : v));
	} else {
		hs_shim_skip(p, lineno, off, "an indented line of no shape the shim writes");
	}
}
