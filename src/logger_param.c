/* logger_param.c — one pkcs11-logger call's parameter lines, rewritten
 * into the spy's detail layout through p11call.h (parse_logger.c finds the
 * lines of each call; this file reads what they say).
 *
 * The logger prints a parameter per line at one blank of indent
 * (" hSession: 1", " *pData: HEX(0011AA)", " userType: 1 (CKU_USER)"),
 * members of what the line above introduced deeper (struct fields, flags,
 * "  mechanism: 64 (CKM_SHA256_RSA_PKCS)", list elements), and templates
 * between "  *** Begin attribute template ***" and "  *** End ...", one
 * attribute per four lines ("  Attribute 0", "   Attribute: 3 (CKA_LABEL)",
 * "   pValue: 0x..", "   ulValueLen: 5", "   *pValue: HEX(..)"; nested
 * templates of array attributes use the same indent). Handles and counts
 * are decimal; pointers are "(nil)", "0x7ffc.." or, on Windows, 16 bare
 * hex digits. State kept between the lines of a call is in struct lg_call:
 * the template being read, the attribute in progress, a PIN whose length is
 * still to come, an output buffer printed as NULL (a length query).
 *
 * What must never become text: the PIN the logger prints with flag 8
 * (" *pPin: user-pin-1357") and every HEX(..) value go to dumps, which
 * redaction masks. What the logger prints of output buffers before the
 * module has filled them (the input side of *phKey, *phObject[i],
 * C_GetAttributeValue's values) is garbage and is dropped.
 */
#include "logger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"

/* A whole decimal number of at most 20 digits that fits 64 bits. */
int hs_lg_dec(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 20)
		return 0;
	for (i = 0; i < n; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');
		if (!hs_is_digit(s[i]) || *v > UINT64_MAX / 10 || (*v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return 0;
		*v = *v * 10 + d;
	}
	return 1;
}

/* "123 (NAME)": the number and the name inside the parentheses. */
int hs_lg_num_name(const char *s, size_t n, uint64_t *v, const char **nm, size_t *nl)
{
	size_t i = 0;

	while (i < n && hs_is_digit(s[i]))
		i++;
	if (!hs_lg_dec(s, i, v) || i + 3 > n || s[i] != ' ' || s[i + 1] != '(' || s[n - 1] != ')')
		return 0;
	*nm = s + i + 2;
	*nl = n - i - 3;
	return 1;
}

/* The value of "123 (NAME)" as the spy writes it: the name, or 0x7b when
 * the logger did not know it ("Unknown"). */
static void const_value(char *out, size_t len, uint64_t u, const char *nm, size_t nl)
{
	if (is_word(nm, nl, "Unknown") || nl >= len)
		snprintf(out, len, "0x%llx", (unsigned long long)u);
	else
		memcpy(out, nm, nl), out[nl] = '\0';
}

/* "(nil)", "0x7ffc..." or Windows' "000000782AFFF110". */
static int is_pointer(const char *s, size_t n)
{
	size_t i;

	if (is_word(s, n, "(nil)") || (n > 2 && s[0] == '0' && s[1] == 'x'))
		return 1;
	if (n != 8 && n != 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!hs_is_hex(s[i]))
			return 0;
	return 1;
}


static int add(struct lg_call *c, int rc)
{
	if (rc < 0)
		c->oom = 1; /* out of memory: the parser stops rather than lose data silently */
	return rc;
}

/* "HEX(0011AA)" decoded into c->buf; -1 when it is not that. */
static long hex_value(struct lg_call *c, const char *v, size_t n)
{
	size_t need;

	if (n < 5 || memcmp(v, "HEX(", 4) != 0 || v[n - 1] != ')')
		return -1;
	need = (n - 5) / 2 + 1;
	if (need > c->buf->cap) {
		unsigned char *b = realloc(c->buf->b, need);
		if (!b) {
			c->oom = 1;
			return -1;
		}
		c->buf->b = b, c->buf->cap = need;
	}
	return hs_p11_hex_decode(v + 4, n - 5, c->buf->b, c->buf->cap);
}

static void attr_unavailable(struct lg_call *c)
{
	const char *nm = hs_ck_name(HS_CK_ATTR, c->attr_type);
	char num[24], l[64];

	if (!nm)
		snprintf(num, sizeof num, "0x%llx", (unsigned long long)c->attr_type), nm = num;
	snprintf(l, sizeof l, "    %-21s / -1", nm);
	add(c, hs_p11call_line(c->pc, l, strlen(l)));
}

/* The attribute in progress, with the value bytes when there are some. */
static void attr_flush(struct lg_call *c, const unsigned char *v, size_t n)
{
	if (c->attr == 2) {
		if (v && !(strcmp(c->pc->ev.func, "C_GetAttributeValue") == 0 && !c->out))
			add(c, hs_p11call_attr(c->pc, c->attr_type, v, n));
		else if (c->attr_len != UINT64_MAX) /* no value, or a buffer not filled yet */
			add(c, hs_p11call_attr(c->pc, c->attr_type, NULL, (size_t)c->attr_len));
		else /* CK_UNAVAILABLE_INFORMATION: the spy writes "/ -1" */
			attr_unavailable(c);
	}
	c->attr = 0;
}

/* A line inside "*** Begin attribute template ***" .. "*** End ...". */
static void template_line(struct lg_call *c, const char *b, size_t bn)
{
	uint64_t v;
	const char *nm;
	size_t nl;
	long k;

	if (hs_starts(b, bn, "Attribute: ") && hs_lg_num_name(b + 11, bn - 11, &v, &nm, &nl)) {
		c->attr_type = v, c->attr_len = 0, c->attr = 2;
	} else if (hs_starts(b, bn, "Attribute ")) {
		attr_flush(c, NULL, 0);
		c->attr = 1;
	} else if (hs_starts(b, bn, "ulValueLen: ") && hs_lg_dec(b + 12, bn - 12, &v)) {
		c->attr_len = v;
	} else if (hs_starts(b, bn, "*pValue: ") && c->attr == 2) {
		k = hex_value(c, b + 9, bn - 9);
		attr_flush(c, k >= 0 ? c->buf->b : NULL, k >= 0 ? (size_t)k : 0);
	}
	/* "pValue: <pointer>" says nothing the next lines do not */
}

/* A line of a structure, a flag or a list: kept as text, indented below
 * its parameter. None of these holds a secret (token and slot info,
 * session state, mechanism flags, C_Initialize arguments). */
static void member_line(struct lg_call *c, int indent, const char *b, size_t bn)
{
	static const char *const pin_funcs[] = { "C_Login", "C_InitToken", "C_InitPIN", "C_SetPIN", NULL };
	struct hs_buf l;
	int i;

	/* these have no members: such a line can only be the rest of a PIN
	 * with a newline in it (flag 8), which must not become text */
	for (i = 0; pin_funcs[i]; i++)
		if (strcmp(c->pc->ev.func, pin_funcs[i]) == 0)
			return;
	hs_buf_init(&l);
	while (bn && b[bn - 1] == ' ')
		bn--;
	if (hs_buf_printf(&l, "%*s%.*s", indent * 2 + 2, "", (int)bn, b) < 0) {
		c->oom = 1;
	} else {
		add(c, hs_p11call_line(c->pc, l.data, l.len));
	}
	hs_buf_free(&l);
}

/* "*phKey" and friends on the output side: the spy's names for them. */
static const char *out_handle_name(const char *n, size_t nl)
{
	static const char *const map[][2] = {
		{ "*phKey", "hKey" }, { "*phPublicKey", "hPublicKey" },
		{ "*phPrivateKey", "hPrivateKey" }, { "*phSession", "*phSession" },
		{ "*phObject", "*phObject" }, { "*phNewObject", "*phNewObject" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (is_word(n, nl, map[i][0]))
			return map[i][1];
	return NULL;
}

/* " name: value" at indent 1: one parameter. */
static void param(struct lg_call *c, const char *nm, size_t nl, const char *v,
                  size_t vn)
{
	char name[48];
	const char *cn;
	uint64_t u;
	size_t cl;
	long k;
	int out = c->out;

	if (nl >= sizeof name)
		return;
	memcpy(name, nm, nl);
	name[nl] = '\0';
	if (nm[0] == '*') {
		if (is_word(nm, nl, "*pPin") || is_word(nm, nl, "*pOldPin") || is_word(nm, nl, "*pNewPin")) {
			if (is_word(v, vn, "*** Intentionally hidden ***"))
				hs_strlcpy(c->hidden, name + 1, sizeof c->hidden);
			else /* flag 8: the PIN as text */
				add(c, hs_p11call_bytes(c->pc, 0, name + 1, (const unsigned char *)v, vn));
			return;
		}
		if (is_word(nm, nl, "*pLabel")) {
			add(c, hs_p11call_bytes(c->pc, 0, "pLabel", (const unsigned char *)v, vn));
			return;
		}
		if (is_word(nm, nl, "*pSlot"))
			return; /* C_WaitForSlotEvent prints the pointer here (%lu) */
		if (is_word(nm, nl, "*pParameter")) {
			if ((k = hex_value(c, v, vn)) >= 0)
				add(c, hs_p11call_bytes(c->pc, 0, "pMechanism->pParameter", c->buf->b, (size_t)k));
			return;
		}
		if (hs_starts(nm, nl, "*ph")) {
			/* in: what the callee is to overwrite; out: the handle */
			cn = out_handle_name(nm, nl);
			if (out && hs_lg_dec(v, vn, &u))
				add(c, hs_p11call_ulong(c->pc, 1, cn ? cn : name, u));
			return;
		}
		if (is_word(nm, nl, "*pulObjectCount")) {
			if (out && hs_lg_dec(v, vn, &u)) {
				add(c, hs_p11call_ulong(c->pc, 1, "ulObjectCount", u));
				c->found_left = (int64_t)(u > 1u << 30 ? 1u << 30 : u);
			}
			return;
		}
		if ((k = hex_value(c, v, vn)) >= 0) {
			add(c, hs_p11call_bytes(c->pc, out, name + 1, c->buf->b, (size_t)k));
			return;
		}
		if (hs_lg_dec(v, vn, &u)) {
			cl = strlen(c->nil_buf);
			/* "*pulSignatureLen" after "pSignature: (nil)": a length query */
			if (out && cl && hs_starts(nm, nl, "*pul") && nl == cl + 6 &&
			    memcmp(nm + 4, c->nil_buf + 1, cl - 1) == 0)
				add(c, hs_p11call_null_buffer(c->pc, c->nil_buf, (int64_t)u));
			else
				add(c, hs_p11call_ulong(c->pc, out, name, u));
			c->nil_buf[0] = '\0';
			return;
		}
		if (!is_word(v, vn, "*** cannot be displayed ***")) /* text: as bytes */
			add(c, hs_p11call_bytes(c->pc, out, name + 1, (const unsigned char *)v, vn));
		return;
	}
	if (is_pointer(v, vn) && (nm[0] == 'p' || is_word(nm, nl, "Notify") ||
	                          is_word(nm, nl, "RandomData"))) {
		if (nl > 8 && is_word(nm + nl - 8, 8, "Template"))
			hs_strlcpy(c->tmpl, name, sizeof c->tmpl);
		else if (out && is_word(nm, nl, "pInfo"))
			add(c, hs_p11call_template(c->pc, 1, "pInfo", -1));
		else if (is_word(nm, nl, "pInitArgs") || is_word(nm, nl, "pReserved"))
			add(c, hs_p11call_scalar(c->pc, 0, name, is_word(v, vn, "(nil)") ? "NULL" : v));
		if (out && is_word(v, vn, "(nil)") && nl + 1 < sizeof c->nil_buf)
			hs_strlcpy(c->nil_buf, name, sizeof c->nil_buf);
		return;
	}
	if (hs_starts(nm, nl, "pSlotList[")) {
		if (out && hs_lg_dec(v, vn, &u)) {
			char line[40];
			if (!c->list++)
				add(c, hs_p11call_template(c->pc, 1, "pSlotList", -1));
			snprintf(line, sizeof line, "Slot %llu", (unsigned long long)u);
			add(c, hs_p11call_line(c->pc, line, strlen(line)));
		}
		return;
	}
	if (c->hidden[0] && hs_starts(nm, nl, "ul") && nl > 5 && is_word(nm + nl - 3, 3, "Len")) {
		if (hs_lg_dec(v, vn, &u)) /* "[in] pPin / 13": the length, never the PIN */
			add(c, hs_p11call_bytes(c->pc, 0, c->hidden, NULL, (size_t)u));
		c->hidden[0] = '\0';
		return;
	}
	if (is_word(nm, nl, "ulPinLen") || is_word(nm, nl, "ulOldLen") || is_word(nm, nl, "ulNewLen") ||
	    (out && is_word(nm, nl, "ulMaxObjectCount")))
		return; /* the PIN's dump says it; an input repeated */
	if (c->tmpl[0] && nl >= 7 && hs_starts(nm, nl, "ul") && is_word(nm + nl - 5, 5, "Count") &&
	    hs_lg_dec(v, vn, &u)) {
		add(c, hs_p11call_template(c->pc, out, c->tmpl, (int64_t)(u > INT64_MAX ? -1 : (int64_t)u)));
		c->tmpl[0] = '\0';
		return;
	}
	if (hs_lg_num_name(v, vn, &u, &cn, &cl)) { /* "1 (CKU_USER)", "4224 (CKM_AES_KEY_GEN)" */
		char val[64];
		const_value(val, sizeof val, u, cn, cl);
		add(c, hs_p11call_scalar(c->pc, out, name, val));
		return;
	}
	if (hs_lg_dec(v, vn, &u)) {
		add(c, hs_p11call_ulong(c->pc, out, name, u));
		return;
	}
	if (is_word(nm, nl, "Note"))
		return; /* C_GetFunctionList: "Returning function list of PKCS11-LOGGER" */
	if (vn) /* text the logger printed for a parameter: as bytes, to be safe */
		add(c, hs_p11call_bytes(c->pc, out, name, (const unsigned char *)v, vn));
}

void hs_lg_param_line(struct lg_call *c, int indent, const char *b, size_t bn)
{
	const char *colon = memchr(b, ':', bn), *v;
	size_t nl, vn, t = bn;
	uint64_t u;
	long k;
	char val[64];

	while (t && b[t - 1] == ' ')
		t--;
	if (indent == 2 && is_word(b, t, "*** Begin attribute template ***")) {
		attr_flush(c, NULL, 0);
		if (!c->depth++ && c->tmpl[0]) /* no count line came: say so */
			add(c, hs_p11call_template(c->pc, c->out, c->tmpl, -1));
		c->tmpl[0] = '\0';
		return;
	}
	if (indent == 2 && is_word(b, t, "*** End attribute template ***")) {
		attr_flush(c, NULL, 0);
		if (c->depth)
			c->depth--;
		return;
	}
	if (c->depth) {
		template_line(c, b, t);
		return;
	}
	nl = colon ? (size_t)(colon - b) : bn;
	v = colon && nl + 2 <= bn && colon[1] == ' ' ? colon + 2 : b + bn;
	vn = (size_t)(b + bn - v);
	if (nl == 0 || nl > 40 || memchr(b, ' ', nl)) {
		member_line(c, indent, b, bn);
		return;
	}
	if (indent == 1) {
		param(c, b, nl, v, vn);
		return;
	}
	/* indent 2 and more: members of what the line above introduced */
	if (is_word(b, nl, "mechanism") && hs_lg_num_name(v, vn, &u, &v, &vn)) {
		const_value(val, sizeof val, u, v, vn);
		add(c, hs_p11call_scalar(c->pc, 0, "pMechanism->type", val));
	} else if (is_word(b, nl, "*pParameter")) {
		if ((k = hex_value(c, v, vn)) >= 0)
			add(c, hs_p11call_bytes(c->pc, 0, "pMechanism->pParameter", c->buf->b, (size_t)k));
	} else if (is_word(b, nl, "pParameter") || is_word(b, nl, "ulParameterLen")) {
		/* a pointer, and a length printed as one (%p): nothing to read */
	} else if (hs_starts(b, nl, "*phObject[")) {
		if (c->out && c->found_left > 0 && hs_lg_dec(v, vn, &u)) {
			c->found_left--;
			add(c, hs_p11call_found(c->pc, (int64_t)u));
		}
	} else if (hs_starts(b, nl, "pMechanismList[")) {
		if (!c->list++)
			add(c, hs_p11call_template(c->pc, 1, "pMechanismList", -1));
		if (hs_lg_num_name(v, vn, &u, &v, &vn))
			const_value(val, sizeof val, u, v, vn), v = val, vn = strlen(val);
		member_line(c, indent, v, vn);
	} else {
		member_line(c, indent, b, bn);
	}
}

void hs_lg_section(struct lg_call *c, int out)
{
	attr_flush(c, NULL, 0);
	c->out = out;
	c->depth = 0;
	c->tmpl[0] = c->nil_buf[0] = c->hidden[0] = '\0';
}
