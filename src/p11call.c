/* p11call.c — the spy's detail layout, written for any call tracer, and
 * the event fields read back from its lines.
 *
 * Writers (hs_p11call_scalar, _bytes, _attr, ...) only format a line and
 * pass it to hs_p11call_line(), which appends it and reads it: a field is
 * therefore set by exactly one piece of code whichever tracer the line came
 * from, the spy's own verbatim lines included. The dump layout is OpenSC's
 * pkcs11-display.c print_generic: "    %08X  " then 16 "XX " columns (the
 * row padded to 48), one blank, the bytes as ASCII ('.' when not
 * printable) padded to 16 — the layout redact.c masks and
 * correlate_obj.c reads labels and ids from.
 */
#include "hsmscope/chars.h"
#include "hsmscope/p11call.h"

#include <stdio.h>
#include <string.h>

#include "hsmscope/ckconst.h"

void hs_p11call_init(struct hs_p11call *c)
{
	hs_event_init(&c->ev);
	c->mech[0] = c->label[0] = '\0';
	c->found = -1;
	c->run_first = c->run_n = 0;
}

void hs_p11call_reset(struct hs_p11call *c)
{
	hs_event_reset(&c->ev);
	c->mech[0] = c->label[0] = '\0';
	c->found = -1;
	c->run_first = c->run_n = 0;
}

void hs_p11call_free(struct hs_p11call *c) { hs_event_free(&c->ev); }

int hs_p11call_lines_done(struct hs_p11call *c)
{
	int rc = 0;

	if (c->run_n > 0)
		rc = hs_event_lines_run(&c->ev, c->run_first, c->run_n);
	c->run_n = 0;
	return rc;
}

int hs_p11call_saw(struct hs_p11call *c, int64_t lineno)
{
	if (lineno < c->ev.line || lineno <= 0)
		return 0; /* above the call's first line: runs count from it */
	if (c->run_n > 0) {
		if (lineno < c->run_first + c->run_n)
			return 0; /* already counted (or going back) */
		if (lineno == c->run_first + c->run_n) {
			c->run_n++;
			return 0;
		}
		if (hs_p11call_lines_done(c) < 0)
			return -1;
	}
	c->run_first = lineno;
	c->run_n = 1;
	return 0;
}


int hs_p11call_func(struct hs_p11call *c, const char *name, size_t n)
{
	char f[sizeof c->ev.func];
	size_t i;

	while (n && (name[n - 1] == ' ' || name[n - 1] == ')' || name[n - 1] == '('))
		n--;
	if (n < 3 || n + 3 > sizeof f)
		return -1;
	for (i = 0; i < n; i++)
		if (!(name[i] == '_' || hs_is_digit(name[i]) || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= 'a' && name[i] <= 'z')))
			return -1;
	if (name[0] == 'C' && name[1] == '_') {
		memcpy(f, name, n);
		f[n] = '\0';
	} else {
		f[0] = 'C', f[1] = '_';
		memcpy(f + 2, name, n);
		f[n + 2] = '\0';
	}
	/* a vendor function (C_Xxx not in the tables) is kept only when the
	 * tracer wrote the C_ itself */
	if (!(name[0] == 'C' && name[1] == '_') && !hs_ck_func_hint(f)[0])
		return -1;
	hs_strlcpy(c->ev.func, f, sizeof c->ev.func);
	return 0;
}

static const char *find_sub(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0)
			return s + i;
	return NULL;
}

/* Copy s[0..n) without trailing blanks into out (cut to fit). */
static void copy_trimmed(char *out, size_t outlen, const char *s, size_t n)
{
	while (n && s[n - 1] == ' ')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static int name_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* "[in] name = value" and "[out] name = value" lines we know. */
static void note_param(struct hs_p11call *c, const char *s, size_t n)
{
	const char *name, *eq, *end = s + n;
	size_t nl;
	int64_t v;
	uint64_t u;
	char role[40];

	if (n < 6)
		return;
	name = s[1] == 'i' ? s + 5 : s + 6;
	eq = find_sub(name, (size_t)(end - name), " = ");
	if (!eq)
		return;
	nl = (size_t)(eq - name);
	eq += 3;
	if (name_is(name, nl, "pMechanism->type") || name_is(name, nl, "type")) {
		/* one word: the spy may glue the next line on ("0x210A[out] pInfo:") */
		const char *w = eq;
		while (w < end && *w != ' ' && *w != '[')
			w++;
		copy_trimmed(c->mech, sizeof c->mech, eq, (size_t)(w - eq));
		return;
	}
	if (name_is(name, nl, "userType")) {
		copy_trimmed(role, sizeof role, eq, (size_t)(end - eq));
		if (hs_ck_lookup(role, &u, NULL))
			c->ev.user_type = (int64_t)u;
		else if (hs_parse_int(role, &v))
			c->ev.user_type = v;
		return;
	}
	if (!hs_parse_int(eq, &v))
		return;
	if (*name == '*')
		name++, nl--;
	if (name_is(name, nl, "slotID"))
		c->ev.slot = v;
	else if (name_is(name, nl, "hSession") || name_is(name, nl, "phSession"))
		c->ev.session = v;
	else if (nl >= 2 && (name[0] == 'h' || (name[0] == 'p' && name[1] == 'h')) &&
	         nl < sizeof c->ev.keys[0].role) {
		copy_trimmed(role, sizeof role, name, nl);
		hs_event_add_key(&c->ev, v, role);
	} else if (name_is(name, nl, "ulObjectCount"))
		c->found = v;
}

void hs_p11call_note(struct hs_p11call *c, const char *s, size_t n)
{
	int64_t h;

	if (n > 4 && s[0] == '[' && (s[1] == 'i' || s[1] == 'o') &&
	    (memcmp(s, "[in] ", 5) == 0 || (n > 5 && memcmp(s, "[out] ", 6) == 0)))
		note_param(c, s, n);
	else if (n > 7 && memcmp(s, "Object ", 7) == 0 && hs_parse_int(s + 7, &h))
		hs_event_add_key(&c->ev, h, "found");
}

int hs_p11call_line(struct hs_p11call *c, const char *s, size_t n)
{
	if (hs_event_add_line(&c->ev, s, n) < 0)
		return -1;
	hs_p11call_note(c, s, n);
	return 0;
}

/* Format one line into buf and take it. */
static int put(struct hs_p11call *c, struct hs_buf *b)
{
	int rc = b->data ? hs_p11call_line(c, b->data, b->len) : -1;

	hs_buf_free(b);
	return rc;
}

static const char *dir(int out) { return out ? "[out]" : "[in]"; }

int hs_p11call_scalar(struct hs_p11call *c, int out, const char *name, const char *value)
{
	struct hs_buf b;

	hs_buf_init(&b);
	if (hs_buf_printf(&b, "%s %s = %s", dir(out), name, value) < 0) {
		hs_buf_free(&b);
		return -1;
	}
	return put(c, &b);
}

int hs_p11call_ulong(struct hs_p11call *c, int out, const char *name, uint64_t value)
{
	char v[24];

	snprintf(v, sizeof v, "0x%llx", (unsigned long long)value);
	return hs_p11call_scalar(c, out, name, v);
}

/* The dump lines of b[0..n), print_generic's layout. */
static int dump(struct hs_p11call *c, const unsigned char *b, size_t n)
{
	char line[96];
	size_t off, i, k;

	for (off = 0; off < n; off += 16) {
		size_t row = n - off < 16 ? n - off : 16;
		k = (size_t)snprintf(line, sizeof line, "    %08zX  ", off);
		for (i = 0; i < 16; i++) {
			if (i < row)
				snprintf(line + k, sizeof line - k, "%02X ", b[off + i]);
			else
				memcpy(line + k, "   ", 3);
			k += 3;
		}
		line[k++] = ' ';
		for (i = 0; i < 16; i++)
			line[k++] = i < row ? (b[off + i] >= 0x20 && b[off + i] < 0x7f ? (char)b[off + i] : '.') : ' ';
		if (hs_event_add_line(&c->ev, line, k) < 0)
			return -1;
	}
	return 0;
}

int hs_p11call_bytes(struct hs_p11call *c, int out, const char *name, const unsigned char *b,
                     size_t n)
{
	struct hs_buf l;

	hs_buf_init(&l);
	if (hs_buf_printf(&l, "%s %s / %zu", dir(out), name, n) < 0 || put(c, &l) < 0)
		return -1;
	return b ? dump(c, b, n) : 0;
}

int hs_p11call_null_buffer(struct hs_p11call *c, const char *name, int64_t size)
{
	struct hs_buf b;
	int rc;

	hs_buf_init(&b);
	if (size == HS_NONE)
		rc = hs_buf_printf(&b, "[out] %s NULL [size : ?]", name);
	else
		rc = hs_buf_printf(&b, "[out] %s NULL [size : 0x%llx (%lld)]", name,
		                   (unsigned long long)size, (long long)size);
	if (rc < 0) {
		hs_buf_free(&b);
		return -1;
	}
	return put(c, &b);
}

int hs_p11call_template(struct hs_p11call *c, int out, const char *name, int64_t count)
{
	struct hs_buf b;
	int rc;

	hs_buf_init(&b);
	if (count >= 0)
		rc = hs_buf_printf(&b, "%s %s[%lld]: ", dir(out), name, (long long)count);
	else
		rc = hs_buf_printf(&b, "%s %s: ", dir(out), name);
	if (rc < 0) {
		hs_buf_free(&b);
		return -1;
	}
	return put(c, &b);
}

/* Attributes the spy prints as True/False. */
static const char *const bool_attrs[] = {
	"CKA_TOKEN", "CKA_PRIVATE", "CKA_TRUSTED", "CKA_SENSITIVE", "CKA_ENCRYPT", "CKA_DECRYPT",
	"CKA_WRAP", "CKA_UNWRAP", "CKA_SIGN", "CKA_SIGN_RECOVER", "CKA_VERIFY",
	"CKA_VERIFY_RECOVER", "CKA_DERIVE", "CKA_EXTRACTABLE", "CKA_LOCAL", "CKA_NEVER_EXTRACTABLE",
	"CKA_ALWAYS_SENSITIVE", "CKA_MODIFIABLE", "CKA_COPYABLE", "CKA_DESTROYABLE",
	"CKA_ALWAYS_AUTHENTICATE", "CKA_WRAP_WITH_TRUSTED", NULL,
};

static int is_bool_attr(const char *name)
{
	int i;

	for (i = 0; bool_attrs[i]; i++)
		if (strcmp(bool_attrs[i], name) == 0)
			return 1;
	return 0;
}

/* "    NAME                  text" (the spy pads names to 21). */
static int attr_line(struct hs_p11call *c, const char *name, const char *text, size_t n)
{
	struct hs_buf b;

	hs_buf_init(&b);
	if (hs_buf_printf(&b, "    %-21s %.*s", name, (int)n, text) < 0) {
		hs_buf_free(&b);
		return -1;
	}
	return put(c, &b);
}

static int attr_bytes(struct hs_p11call *c, const char *name, const unsigned char *v, size_t n)
{
	char len[32];
	size_t i, k = 0;

	if (v && !c->label[0] && strcmp(name, "CKA_LABEL") == 0) { /* for the summary */
		for (i = 0; i < n && k + 1 < sizeof c->label; i++)
			c->label[k++] = v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' ? (char)v[i] : '.';
		c->label[k] = '\0';
	}

	snprintf(len, sizeof len, "/ %zu", n);
	if (attr_line(c, name, len, strlen(len)) < 0)
		return -1;
	return v ? dump(c, v, n) : 0;
}

/* A CK_ULONG value in host byte order (little-endian here, like the
 * traced application), of 8 or 4 bytes. */
static int ulong_of(const unsigned char *v, size_t n, uint64_t *out)
{
	size_t i;

	if (!v || (n != 8 && n != 4))
		return 0;
	*out = 0;
	for (i = n; i > 0; i--)
		*out = *out << 8 | v[i - 1];
	return 1;
}

int hs_p11call_attr(struct hs_p11call *c, uint64_t type, const unsigned char *v, size_t n)
{
	const char *name = hs_ck_name(HS_CK_ATTR, type), *vn = NULL;
	char num[24];
	uint64_t u;

	if (!name) {
		snprintf(num, sizeof num, "0x%llx", (unsigned long long)type);
		name = num;
	}
	if (strcmp(name, "CKA_CLASS") == 0 && ulong_of(v, n, &u))
		vn = hs_ck_name(HS_CK_CLASS, u);
	else if (strcmp(name, "CKA_KEY_TYPE") == 0 && ulong_of(v, n, &u))
		vn = hs_ck_name(HS_CK_KEYTYPE, u);
	else if (v && n == 1 && is_bool_attr(name))
		vn = v[0] ? "True" : "False";
	if (vn)
		return attr_line(c, name, vn, strlen(vn));
	return attr_bytes(c, name, v, n);
}

/* Attributes whose value is secret in some object: never left as text. */
static const char *const secret_attrs[] = {
	"CKA_VALUE", "CKA_PRIVATE_EXPONENT", "CKA_PRIME_1", "CKA_PRIME_2", "CKA_EXPONENT_1",
	"CKA_EXPONENT_2", "CKA_COEFFICIENT", NULL,
};

int hs_p11call_attr_text(struct hs_p11call *c, const char *name, const char *text, size_t n)
{
	/* "CK" + one letter + "_" + upper case: a constant's name */
	int named = n > 4 && text[0] == 'C' && text[1] == 'K' && text[2] >= 'A' && text[2] <= 'Z' &&
	            text[3] == '_';
	size_t i;

	for (i = 0; named && i < n; i++) /* one name, nothing after it */
		if (!(text[i] == '_' || hs_is_digit(text[i]) || (text[i] >= 'A' && text[i] <= 'Z')))
			named = 0;
	for (i = 0; named && secret_attrs[i]; i++)
		if (strcmp(name, secret_attrs[i]) == 0)
			named = 0;
	if (named || (is_bool_attr(name) && ((n == 4 && memcmp(text, "True", 4) == 0) ||
	                                     (n == 5 && memcmp(text, "False", 5) == 0))))
		return attr_line(c, name, text, n);
	return attr_bytes(c, name, (const unsigned char *)text, n);
}

int hs_p11call_found(struct hs_p11call *c, int64_t handle)
{
	char line[48];

	snprintf(line, sizeof line, "Object 0x%llx matches", (unsigned long long)handle);
	return hs_p11call_line(c, line, strlen(line));
}

void hs_p11call_return(struct hs_p11call *c, int64_t rv, const char *name, size_t n)
{
	const char *known = hs_ck_name(HS_CK_RV, (uint64_t)rv);

	while (n && name[n - 1] == ' ')
		n--;
	c->ev.rv = rv;
	if (name && n && !(n == 6 && memcmp(name, "(null)", 6) == 0) && n < sizeof c->ev.rv_name) {
		memcpy(c->ev.rv_name, name, n);
		c->ev.rv_name[n] = '\0';
	} else if (known) {
		hs_strlcpy(c->ev.rv_name, known, sizeof c->ev.rv_name);
	} else {
		snprintf(c->ev.rv_name, sizeof c->ev.rv_name, "0x%llx", (unsigned long long)rv);
	}
	c->ev.ok = rv == 0;
}

/* The summary is written straight into the event's array, cut where
 * hs_strlcpy cut the whole text before (no buffer, no printf per call):
 * len counts the whole text, last is its last byte. */
struct sumw {
	char *d;
	size_t cap, len;
	char last;
};

static void sum_add(struct sumw *w, const char *s, size_t n)
{
	if (!n)
		return;
	if (w->len < w->cap - 1)
		memcpy(w->d + w->len, s, n < w->cap - 1 - w->len ? n : w->cap - 1 - w->len);
	w->len += n;
	w->last = s[n - 1];
}

static void sum_adds(struct sumw *w, const char *s) { sum_add(w, s, strlen(s)); }

/* "<name>0x<hex> " */
static void sum_hex(struct sumw *w, const char *name, uint64_t v)
{
	char t[HS_FMT_INT + 3];
	size_t n;

	sum_adds(w, name);
	t[0] = '0', t[1] = 'x';
	n = 2 + hs_fmt_hex(t + 2, v);
	t[n++] = ' ';
	sum_add(w, t, n);
}

void hs_p11call_summarize(struct hs_p11call *c)
{
	struct hs_event *e = &c->ev;
	struct sumw w = { e->summary, sizeof e->summary, 0, 0 };
	char t[HS_FMT_INT];
	int i;
	const char *u;

	/* The spy prints *phSession whatever C_OpenSession returned: after a
	 * failure it is whatever the variable held, no session of the call's.
	 * The line stays in the detail, as the log has it. */
	if (e->rv != HS_NONE && !e->ok && strcmp(e->func, "C_OpenSession") == 0)
		e->session = HS_NONE;
	if (e->slot != HS_NONE)
		sum_hex(&w, "slot=", (uint64_t)e->slot);
	if (e->session != HS_NONE)
		sum_hex(&w, "session=", (uint64_t)e->session);
	u = e->user_type != HS_NONE ? hs_ck_name(HS_CK_USER, (uint64_t)e->user_type) : NULL;
	if (u) {
		sum_adds(&w, "user=");
		sum_adds(&w, u);
		sum_add(&w, " ", 1);
	} else if (e->user_type != HS_NONE) {
		sum_hex(&w, "user=", (uint64_t)e->user_type);
	}
	if (c->mech[0]) {
		sum_adds(&w, "mech=");
		sum_adds(&w, c->mech);
		sum_add(&w, " ", 1);
	}
	for (i = 0; i < e->nkeys; i++) {
		sum_adds(&w, e->keys[i].role);
		sum_hex(&w, "=", (uint64_t)e->keys[i].handle);
	}
	if (c->label[0]) {
		sum_adds(&w, "label=\"");
		sum_adds(&w, c->label);
		sum_add(&w, "\" ", 2);
	}
	if (c->found >= 0) {
		sum_adds(&w, "found=");
		sum_add(&w, t, hs_fmt_dec(t, c->found));
		sum_add(&w, " ", 1);
	}
	if (w.len && w.last == ' ')
		w.len--;
	e->summary[w.len < w.cap - 1 ? w.len : w.cap - 1] = '\0';
}

long hs_p11_hex_decode(const char *s, size_t n, unsigned char *out, size_t max)
{
	size_t i = 0, k = 0;
	int hi = -1;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	for (; i < n; i++) {
		int v = hs_hexval(s[i]);
		if (v < 0) {
			if (s[i] == ' ' || s[i] == ':' || s[i] == '\t')
				continue;
			return -1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (k < max)
			out[k] = (unsigned char)(hi * 16 + v);
		k++;
		hi = -1;
	}
	if (hi >= 0)
		return -1;
	return (long)(k < max ? k : max);
}
