/* detail_tree.c — a call's parameters decoded for the explorer's detail
 * tree (issue 17, item 3), from the reader's typed items (detail.c).
 *
 * Values are decoded by what the attribute is, not by how the tracer
 * printed it: CK_ULONG attributes (sizes, lengths, classes, types) are
 * numbers in the traced host's byte order (little-endian, 8 or 4 bytes, as
 * p11call.c's ulong_of); big integers (CKA_PUBLIC_EXPONENT, CKA_MODULUS)
 * are big-endian bytes; CK_BBOOL one byte. Text values (labels, ids,
 * applications) are shown quoted when every byte is printable, else as
 * hex. A value redaction masked is said to be masked: its length is all
 * that is left. The log's own rows stay one level down (raw = 1) so
 * nothing is hidden that the tree claims to decode.
 *
 * Each decoded node carries the filter that selects calls with that value
 * (Wireshark's "Apply as filter"); the fields are filter_fields.c's.
 */
#include "hsmscope/detail.h"

#include <stdio.h>
#include <string.h>

#include "hsmscope/ckconst.h"

#define VMAX 4096               /* bytes of a value decoded; longer ones are cut */

struct walk {
	hs_dnode_fn fn;
	void *ctx;
	struct hs_buf text, filter;
	int rc;
	int mech_open;              /* a pMechanism node is open: its params go under it */
};

static int emit(struct walk *w, int depth, int raw)
{
	struct hs_dnode n;

	if (w->rc)
		return w->rc;
	n.depth = depth;
	n.raw = raw;
	n.text = hs_buf_cstr(&w->text);
	n.filter = hs_buf_cstr(&w->filter);
	w->rc = w->fn(w->ctx, &n);
	hs_buf_clear(&w->text);
	hs_buf_clear(&w->filter);
	return w->rc;
}

void hs_detail_quote(struct hs_buf *out, const char *s, size_t n)
{
	size_t i;

	hs_buf_addc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			hs_buf_addc(out, '\\');
		hs_buf_addc(out, c >= 0x20 && c < 0x7f ? (char)c : '.');
	}
	hs_buf_addc(out, '"');
}

/* What an attribute's bytes are. */
enum vtype { V_BYTES, V_ULONG, V_BIGINT, V_BOOL, V_TEXT };

struct attr_kind {
	const char *name;
	enum vtype type;
	enum hs_ck_kind names;      /* V_ULONG: the table naming its values, or HS_CK_KIND_COUNT */
};

static const struct attr_kind attr_kinds[] = {
	{ "CKA_CLASS", V_ULONG, HS_CK_CLASS },
	{ "CKA_KEY_TYPE", V_ULONG, HS_CK_KEYTYPE },
	{ "CKA_CERTIFICATE_TYPE", V_ULONG, HS_CK_CERTTYPE },
	{ "CKA_KEY_GEN_MECHANISM", V_ULONG, HS_CK_MECH },
	{ "CKA_NAME_HASH_ALGORITHM", V_ULONG, HS_CK_MECH },
	{ "CKA_MODULUS_BITS", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_VALUE_LEN", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_VALUE_BITS", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_PRIME_BITS", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_SUBPRIME_BITS", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_CERTIFICATE_CATEGORY", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_JAVA_MIDP_SECURITY_DOMAIN", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_PIXEL_X", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_PIXEL_Y", V_ULONG, HS_CK_KIND_COUNT },
	{ "CKA_PUBLIC_EXPONENT", V_BIGINT, HS_CK_KIND_COUNT },
	{ "CKA_MODULUS", V_BIGINT, HS_CK_KIND_COUNT },
	{ "CKA_PRIME", V_BIGINT, HS_CK_KIND_COUNT },
	{ "CKA_SUBPRIME", V_BIGINT, HS_CK_KIND_COUNT },
	{ "CKA_BASE", V_BIGINT, HS_CK_KIND_COUNT },
	{ "CKA_LABEL", V_TEXT, HS_CK_KIND_COUNT },
	{ "CKA_APPLICATION", V_TEXT, HS_CK_KIND_COUNT },
	{ "CKA_ID", V_TEXT, HS_CK_KIND_COUNT },
	{ "CKA_URL", V_TEXT, HS_CK_KIND_COUNT },
	{ "CKA_TOKEN", V_BOOL, 0 }, { "CKA_PRIVATE", V_BOOL, 0 }, { "CKA_TRUSTED", V_BOOL, 0 },
	{ "CKA_SENSITIVE", V_BOOL, 0 }, { "CKA_ENCRYPT", V_BOOL, 0 }, { "CKA_DECRYPT", V_BOOL, 0 },
	{ "CKA_WRAP", V_BOOL, 0 }, { "CKA_UNWRAP", V_BOOL, 0 }, { "CKA_SIGN", V_BOOL, 0 },
	{ "CKA_SIGN_RECOVER", V_BOOL, 0 }, { "CKA_VERIFY", V_BOOL, 0 },
	{ "CKA_VERIFY_RECOVER", V_BOOL, 0 }, { "CKA_DERIVE", V_BOOL, 0 },
	{ "CKA_EXTRACTABLE", V_BOOL, 0 }, { "CKA_LOCAL", V_BOOL, 0 },
	{ "CKA_NEVER_EXTRACTABLE", V_BOOL, 0 }, { "CKA_ALWAYS_SENSITIVE", V_BOOL, 0 },
	{ "CKA_MODIFIABLE", V_BOOL, 0 }, { "CKA_COPYABLE", V_BOOL, 0 },
	{ "CKA_DESTROYABLE", V_BOOL, 0 }, { "CKA_ALWAYS_AUTHENTICATE", V_BOOL, 0 },
	{ "CKA_WRAP_WITH_TRUSTED", V_BOOL, 0 },
};

static const struct attr_kind *kind_of(struct hs_dstr name)
{
	size_t i;

	/* every name is "CKA_" and more: the byte after the prefix first
	 * (a name it rules out differs there or in length), as the index
	 * asks this of every attribute of every call */
	for (i = 0; i < sizeof attr_kinds / sizeof attr_kinds[0]; i++)
		if ((name.n < 5 || attr_kinds[i].name[4] == name.s[4]) && hs_dstr_is(name, attr_kinds[i].name))
			return &attr_kinds[i];
	return NULL;
}

static int printable(const unsigned char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] >= 0x7f)
			return 0;
	return n > 0;
}

static void add_hex(struct hs_buf *b, const unsigned char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hs_buf_printf(b, "%02x", v[i]);
}

/* A big-endian unsigned integer: decimal up to 8 bytes, else its size. */
static void add_bigint(struct hs_buf *b, const unsigned char *v, size_t n)
{
	uint64_t u = 0;
	size_t i = 0, bits;

	while (i < n && v[i] == 0)
		i++;
	if (n - i <= 8) {
		for (; i < n; i++)
			u = u << 8 | v[i];
		hs_buf_printf(b, "%llu", (unsigned long long)u);
		return;
	}
	bits = (n - i) * 8;
	for (u = v[i]; u < 0x80; u <<= 1)
		bits--;
	hs_buf_printf(b, "%zu-bit integer", bits);
}

/* A CK_ULONG in host byte order, 8 or 4 bytes. */
static int ulong_of(const unsigned char *v, size_t n, uint64_t *out)
{
	size_t i;

	if (n != 8 && n != 4)
		return 0;
	*out = 0;
	for (i = n; i > 0; i--)
		*out = *out << 8 | v[i - 1];
	return 1;
}

/* The filter for an attribute of a template: its name, or for a label its
 * text (label == "..."). */
static void attr_filter(struct walk *w, struct hs_dstr name, const unsigned char *v, size_t n,
                        int text_ok)
{
	if (hs_dstr_is(name, "CKA_LABEL") && text_ok) {
		hs_buf_adds(&w->filter, "label == ");
		hs_detail_quote(&w->filter, (const char *)v, n);
	} else if (hs_dstr_is(name, "CKA_ID") && n) {
		hs_buf_adds(&w->filter, "object == \"");
		add_hex(&w->filter, v, n);
		hs_buf_addc(&w->filter, '"');
	} else if (name.n > 4 && memcmp(name.s, "CKA_", 4) == 0 && name.s[4] != '?') {
		hs_buf_printf(&w->filter, "attr == %.*s", (int)name.n, name.s);
	}
}

/* The raw rows of the value read at `from` (up to `to`), one level down. */
static void raw_rows(struct walk *w, const struct hs_detail_iter *from,
                     const struct hs_detail_iter *to, int depth)
{
	struct hs_detail_iter it = *from;
	struct hs_detail_item x;

	while (it.p != to->p || it.glued != to->glued) {
		if (!hs_detail_next(&it, &x))
			break;
		hs_buf_printf(&w->text, "%.*s", (int)x.value.n, x.value.s);
		if (x.kind == HS_DI_DUMP || x.kind == HS_DI_PRINT) {
			size_t b = 0;
			while (b < x.line.n && (x.line.s[b] == ' ' || x.line.s[b] == '\t'))
				b++;
			hs_buf_clear(&w->text);
			hs_buf_printf(&w->text, "%.*s", (int)(x.line.n - b), x.line.s + b);
		}
		if (emit(w, depth, 1))
			return;
	}
}

/* An attribute: decoded by its kind, the raw rows under it. */
static void do_attr(struct walk *w, struct hs_detail_iter *it, const struct hs_detail_item *x,
                    int depth)
{
	const struct attr_kind *k = kind_of(x->name);
	unsigned char v[VMAX];
	struct hs_detail_iter start = *it;
	size_t n = 0;
	int masked = 0, text_ok = 0;
	uint64_t u;
	const char *nm;

	hs_buf_printf(&w->text, "%.*s ", (int)x->name.n, x->name.s);
	if (x->len == HS_NONE) { /* printed decoded: CKO_..., True/False */
		if (k && k->type == V_BOOL && (hs_dstr_is(x->value, "True") || hs_dstr_is(x->value, "False")))
			hs_buf_adds(&w->text, x->value.s[0] == 'T' ? "true" : "false");
		else
			hs_buf_printf(&w->text, "%.*s", (int)x->value.n, x->value.s);
		if (k && k->type == V_ULONG && k->names != HS_CK_KIND_COUNT && x->value.n &&
		    hs_ck_lookup(hs_buf_cstr(&w->text) + x->name.n + 1, &u, NULL))
			hs_buf_printf(&w->text, " (0x%llx)", (unsigned long long)u);
		attr_filter(w, x->name, (const unsigned char *)x->value.s, x->value.n, 0);
		emit(w, depth, 0);
		return;
	}
	if (x->len > 0)
		n = hs_detail_value(it, v, sizeof v, &masked);
	if (x->len < 0) {
		hs_buf_adds(&w->text, "(not available: length -1)");
	} else if (n == 0 && x->len > 0) {
		hs_buf_printf(&w->text, "(%lld bytes requested)", (long long)x->len);
	} else if (x->len == 0) {
		hs_buf_adds(&w->text, "(empty)");
	} else if (masked) {
		hs_buf_printf(&w->text, "(masked: %zu bytes)", n);
	} else if (n > sizeof v) {
		hs_buf_printf(&w->text, "(%zu bytes)", n);
	} else if (k && k->type == V_ULONG && ulong_of(v, n, &u)) {
		nm = k->names != HS_CK_KIND_COUNT ? hs_ck_name(k->names, u) : NULL;
		if (nm)
			hs_buf_printf(&w->text, "%s (0x%llx)", nm, (unsigned long long)u);
		else
			hs_buf_printf(&w->text, "%llu", (unsigned long long)u);
	} else if (k && k->type == V_BIGINT) {
		add_bigint(&w->text, v, n);
	} else if (k && k->type == V_BOOL && n == 1) {
		hs_buf_adds(&w->text, v[0] ? "true" : "false");
	} else if (printable(v, n) && (!k || k->type == V_TEXT)) {
		hs_detail_quote(&w->text, (const char *)v, n);
		text_ok = 1;
	} else if (k && k->type == V_TEXT && n <= 32) {
		hs_buf_adds(&w->text, "0x");
		add_hex(&w->text, v, n);
	} else {
		hs_buf_printf(&w->text, "(%zu bytes)", n);
	}
	if (!masked && n <= sizeof v)
		attr_filter(w, x->name, v, n, text_ok);
	else
		attr_filter(w, x->name, NULL, 0, 0);
	if (emit(w, depth, 0))
		return;
	raw_rows(w, &start, it, depth + 1);
}

/* Parameter names whose value is a handle, and the field that filters it. */
static const char *param_field(struct hs_dstr name)
{
	if (hs_dstr_is(name, "hSession") || hs_dstr_is(name, "phSession"))
		return "session";
	if (hs_dstr_is(name, "slotID"))
		return "slot";
	if (name.n >= 2 && (name.s[0] == 'h' || (name.s[0] == 'p' && name.s[1] == 'h')) &&
	    !hs_dstr_is(name, "hwnd"))
		return "key";
	return NULL;
}

/* A mechanism's value: a name, or a number named from the table. */
static void mech_text(struct walk *w, struct hs_dstr v)
{
	char num[24];
	const char *nm = NULL;
	size_t k = 0;
	int64_t u;

	while (k < v.n && v.s[k] != ' ' && v.s[k] != '[' && v.s[k] != '\t')
		k++; /* one word: the spy may glue the next line on */
	if (k < sizeof num) {
		memcpy(num, v.s, k);
		num[k] = '\0';
		if (hs_parse_int(num, &u) && num[0] != '-')
			nm = hs_ck_name(HS_CK_MECH, (uint64_t)u);
	}
	if (nm) {
		hs_buf_printf(&w->text, "%s (%.*s)", nm, (int)k, v.s);
		hs_buf_printf(&w->filter, "mech == %s", nm);
	} else {
		hs_buf_printf(&w->text, "%.*s", (int)k, v.s);
		if (k && v.s[0] == 'C')
			hs_buf_printf(&w->filter, "mech == %.*s", (int)k, v.s);
		else if (k)
			hs_buf_printf(&w->filter, "mech == \"%.*s\"", (int)k, v.s);
	}
}

static void do_param(struct walk *w, struct hs_detail_iter *it, const struct hs_detail_item *x)
{
	unsigned char v[VMAX];
	struct hs_detail_iter start = *it;
	const char *dir = x->out ? "[out]" : "[in]", *field;
	int depth = 0, masked = 0;
	size_t n;
	char flags[160];
	uint64_t u;

	if (x->name.n > 12 && memcmp(x->name.s, "pMechanism->", 12) == 0 && w->mech_open)
		depth = 1;
	else
		w->mech_open = 0;
	if (hs_dstr_is(x->name, "pMechanism->type") || hs_dstr_is(x->name, "type")) {
		hs_buf_printf(&w->text, "%s Mechanism: ", dir);
		mech_text(w, x->value);
		w->mech_open = 1;
		emit(w, 0, 0);
		return;
	}
	hs_buf_printf(&w->text, "%s %.*s", dir, (int)x->name.n, x->name.s);
	if (x->null_buf) {
		if (!x->out)
			hs_buf_adds(&w->text, ": NULL");
		else if (x->len != HS_NONE)
			hs_buf_printf(&w->text, ": NULL (a length query: %lld bytes needed)", (long long)x->len);
		else
			hs_buf_adds(&w->text, ": NULL (a length query)");
		emit(w, depth, 0);
		return;
	}
	if (x->len != HS_NONE) {
		n = x->len > 0 ? hs_detail_value(it, v, sizeof v, &masked) : 0;
		if (masked)
			hs_buf_printf(&w->text, ": (masked: %zu bytes)", n);
		else if (n && n <= sizeof v && printable(v, n)) {
			hs_buf_adds(&w->text, " = ");
			hs_detail_quote(&w->text, (const char *)v, n);
		} else
			hs_buf_printf(&w->text, ": %lld bytes", (long long)x->len);
		if (emit(w, depth, 0))
			return;
		raw_rows(w, &start, it, depth + 1);
		return;
	}
	hs_buf_printf(&w->text, " = %.*s", (int)x->value.n, x->value.s);
	field = x->number != HS_NONE ? param_field(x->name) : NULL;
	if (field)
		hs_buf_printf(&w->filter, "%s == 0x%llx", field, (unsigned long long)x->number);
	else if (hs_dstr_is(x->name, "userType") && x->value.n && x->value.s[0] == 'C')
		hs_buf_printf(&w->filter, "user_type == %.*s", (int)x->value.n, x->value.s);
	else if (hs_dstr_is(x->name, "flags") && x->number > 0) {
		hs_ck_flags(HS_CK_SESSFLAG, (uint64_t)x->number, flags, sizeof flags);
		hs_buf_printf(&w->text, " (%s)", flags);
	} else if (x->number != HS_NONE && x->name.n > 2 && x->name.s[0] == 'u' && x->name.s[1] == 'l')
		hs_buf_printf(&w->text, " (%lld)", (long long)x->number);
	else if (hs_dstr_is(x->name, "userType") && x->number != HS_NONE) {
		u = (uint64_t)x->number;
		if (hs_ck_name(HS_CK_USER, u))
			hs_buf_printf(&w->text, " (%s)", hs_ck_name(HS_CK_USER, u));
	}
	emit(w, depth, 0);
}

int hs_detail_decode(const char *detail, size_t len, hs_dnode_fn fn, void *ctx)
{
	struct walk w;
	struct hs_detail_iter it;
	struct hs_detail_item x;
	int in_tmpl = 0;

	memset(&w, 0, sizeof w);
	w.fn = fn;
	w.ctx = ctx;
	hs_buf_init(&w.text);
	hs_buf_init(&w.filter);
	hs_detail_iter_init(&it, detail, len);
	while (!w.rc && hs_detail_next(&it, &x)) {
		switch (x.kind) {
		case HS_DI_PARAM:
			in_tmpl = 0;
			do_param(&w, &it, &x);
			break;
		case HS_DI_TEMPLATE:
			in_tmpl = 1;
			w.mech_open = 0;
			hs_buf_printf(&w.text, "%s %.*s", x.out ? "[out]" : "[in]", (int)x.name.n, x.name.s);
			if (x.len != HS_NONE)
				hs_buf_printf(&w.text, " (%lld attribute%s)", (long long)x.len, x.len == 1 ? "" : "s");
			emit(&w, 0, 0);
			break;
		case HS_DI_ATTR:
			do_attr(&w, &it, &x, in_tmpl);
			break;
		case HS_DI_OBJECT:
			hs_buf_printf(&w.text, "Object 0x%llx matches", (unsigned long long)x.number);
			hs_buf_printf(&w.filter, "key == 0x%llx", (unsigned long long)x.number);
			emit(&w, in_tmpl, 0);
			break;
		default: /* text, or rows nothing announced: as the log has them */
			hs_buf_printf(&w.text, "%.*s", (int)x.value.n, x.value.s);
			emit(&w, x.indent > 0 ? 1 : 0, x.kind != HS_DI_TEXT);
			break;
		}
	}
	hs_buf_free(&w.text);
	hs_buf_free(&w.filter);
	return w.rc;
}

/* ------------------------------------------- what the index stores */

/* The value of attribute x (just read from it) that may be stored, or
 * NULL: booleans, CK_ULONGs, a printable label; never anything masked. */
static const char *safe_value(struct hs_detail_iter *it, const struct hs_detail_item *x,
                              char *out, size_t outlen)
{
	const struct attr_kind *k = kind_of(x->name);
	unsigned char v[256];
	size_t n;
	int masked = 0;
	uint64_t u;
	const char *nm;

	if (x->len == HS_NONE) { /* printed decoded */
		if (k && k->type == V_BOOL && (hs_dstr_is(x->value, "True") || hs_dstr_is(x->value, "False")))
			return x->value.s[0] == 'T' ? "true" : "false";
		if (k && k->type == V_ULONG && x->value.n > 4 && x->value.n < outlen &&
		    x->value.s[0] == 'C' && x->value.s[1] == 'K') {
			memcpy(out, x->value.s, x->value.n);
			out[x->value.n] = '\0';
			return hs_ck_lookup(out, &u, NULL) ? out : NULL;
		}
		return NULL;
	}
	if (x->len <= 0 || !k || k->type == V_BIGINT || (k->type == V_TEXT && !hs_dstr_is(x->name, "CKA_LABEL")))
		return NULL;
	n = hs_detail_value(it, v, sizeof v, &masked);
	if (masked || !n || n > sizeof v)
		return NULL;
	if (k->type == V_BOOL)
		return n == 1 ? (v[0] ? "true" : "false") : NULL;
	if (k->type == V_ULONG && ulong_of(v, n, &u)) {
		nm = k->names != HS_CK_KIND_COUNT ? hs_ck_name(k->names, u) : NULL;
		if (nm)
			return nm;
		snprintf(out, outlen, "%llu", (unsigned long long)u);
		return out;
	}
	if (k->type == V_TEXT && printable(v, n) && n < outlen) {
		memcpy(out, v, n);
		out[n] = '\0';
		return out;
	}
	return NULL;
}

static int dblank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
static int dhex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Whether detail can yield a row of hs_detail_params, by bytes alone (the
 * index asks for every call; most details of a trace yield none, and the
 * reader's pass costs far more than this). Necessary conditions, from
 * detail.c: a parameter row needs a name "type" or "pMechanism->type",
 * so the bytes "type"; an attribute item is a line (split at '\n' as the
 * reader does, a glued rest is never one) whose first non-blank bytes are
 * "CKA_", or "0x" then exactly 8 hex digits then a blank or the line's
 * end (read_attr). */
static int may_have_params(const char *d, size_t len)
{
	const char *p = d, *end = d + len, *nl;
	size_t i;

	if (!d || !len)
		return 0;
	for (p = d; (p = memchr(p, 't', (size_t)(end - p))) != NULL && end - p >= 4; p++)
		if (memcmp(p, "type", 4) == 0)
			return 1; /* memmem is a GNU extension */
	p = d;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		while (p < nl && dblank(*p))
			p++;
		if (nl - p >= 4 && memcmp(p, "CKA_", 4) == 0)
			return 1;
		if (nl - p >= 10 && p[0] == '0' && p[1] == 'x') {
			for (i = 2; i < 10 && dhex(p[i]); i++)
				;
			if (i == 10 && (p + 10 == nl || dblank(p[10])))
				return 1;
		}
		if (nl == end)
			break;
	}
	return 0;
}

int hs_detail_params(const char *detail, size_t len, hs_dparam_fn fn, void *ctx)
{
	struct hs_detail_iter it;
	struct hs_detail_item x;
	char name[64], val[256], num[64];
	const char *v, *nm;
	size_t k;
	int64_t u;
	uint64_t t;
	int rc = 0;

	if (!may_have_params(detail, len))
		return 0;
	hs_detail_iter_init(&it, detail, len);
	while (!rc && hs_detail_next(&it, &x)) {
		if (x.kind == HS_DI_PARAM &&
		    (hs_dstr_is(x.name, "pMechanism->type") || hs_dstr_is(x.name, "type"))) {
			for (k = 0; k < x.value.n && k + 1 < sizeof num && x.value.s[k] != ' ' &&
			            x.value.s[k] != '[' && x.value.s[k] != '\t'; k++)
				num[k] = x.value.s[k];
			num[k] = '\0';
			if (!k)
				continue;
			nm = hs_parse_int(num, &u) && num[0] != '-' ? hs_ck_name(HS_CK_MECH, (uint64_t)u) : NULL;
			if (!nm && hs_ck_lookup(num, &t, NULL))
				u = (int64_t)t;
			else if (!nm)
				u = HS_NONE;
			rc = fn(ctx, 0, u, nm ? nm : num, NULL);
		} else if (x.kind == HS_DI_ATTR && x.name.n < sizeof name &&
		           !(x.name.n > 4 && x.name.s[4] == '?')) {
			memcpy(name, x.name.s, x.name.n);
			name[x.name.n] = '\0';
			if (hs_ck_lookup(name, &t, NULL))
				u = (int64_t)t;
			else if (!hs_parse_int(name, &u) || name[0] != '0')
				u = HS_NONE;
			v = safe_value(&it, &x, val, sizeof val);
			rc = fn(ctx, 1, u, name, v);
		}
	}
	return rc;
}
