/* parse_p11kit.c — p11-kit's log-calls output, as p11-kit 0.24 writes it.
 *
 * `log-calls: yes` in a module's config (or in pkcs11.conf for all) makes
 * p11-kit put a logging layer in front of the module (p11-kit/log.c). Each
 * call is written to stderr in two blocks, one fwrite each:
 *     C_Login                              before the call: its name,
 *       IN: hSession = S1                  then "  IN: " lines
 *       IN: userType = CKU_USER
 *       IN: pPin = (13) "user-pin-1357"
 *      OUT: ...                            after it: " OUT: " lines (only
 *     C_Login = CKR_PIN_INCORRECT          when it succeeded), the return
 * Structures continue on tab-indented lines up to a "      }" line. There
 * are no timestamps, no pids, no thread ids and no module names: several
 * logged modules, threads and processes are told apart only by order.
 * Handles are "S1" (sessions), "H2" (objects), "SL0" (slots, decimal).
 * Byte buffers are C-like strings ("\t", "\n", "\r", "\xAB"; '"' and '\'
 * are not escaped) cut at about 120 characters with "...". Input templates
 * list attribute types only; C_GetAttributeValue's output template prints
 * values, except those p11-kit thinks sensitive ("(61) NOT-PRINTED").
 * Behind p11-kit-proxy.so the log shows the proxy's calls into the module:
 * real slot ids and session handles, and calls of the proxy's own.
 *
 * Everything is rewritten into the spy's layout through p11call.h: a
 * string becomes the dump of its bytes (so redaction masks a PIN), "S1"
 * becomes "[in] hSession = 0x1", "(2) [ H2, H3 ]" the spy's "Object 0x2
 * matches" lines, and so on.
 *
 * Data structure: `q` is the FIFO of calls (callq.h) in the order their
 * names were read; a call leaves it, as an event, once it returned and
 * every call before it has left. "  IN: " lines go to the call whose name line came
 * just before (`in_call`). " OUT: " lines name no call, and with threads
 * another call's start may come between a call's IN and OUT blocks, so
 * they wait in `pend` until the return line names the function; they then
 * go, with the return, to the oldest open call of that name (the thread
 * that entered first is the likeliest to leave first). Without pids a new
 * process is seen by its C_Initialize: one after a C_Finalize returned, or
 * while calls are still open (their process died in them: they end as
 * incomplete), starts a new instance. The proxy initializes every logged
 * module in a row, so a C_Initialize after another is the same process.
 *
 * Resume: every call remembers the instance state before it; finish()
 * reports the oldest call still open (or the end) as the safe point, and
 * state "inst=I fin=F seen=S" restores the numbering there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/pbase.h"
#include "hsmscope/chars.h"
#include "hsmscope/callq.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#define QMAX 256                /* calls held at once before the oldest is forced out */
#define PEND_MAX (1u << 20)     /* bytes of OUT lines held for one return */
#define NAME_MAX_LEN 48         /* a parameter name we keep */

/* The instance numbering at one point of the input. */
struct snap {
	int64_t offset, line;       /* where a re-parse would start: a call's name line */
	int64_t inst;               /* the current instance, 0-based */
	int fin;                    /* a C_Finalize returned in it */
	int seen;                   /* it has seen a call */
};

struct call {
	struct hs_callq_call qc;    /* the event being built, returned: its return line was
	                               read or it was given up; first */
	char sname[NAME_MAX_LEN];   /* the structure its lines continue ("pMechanism"), "" none */
	struct snap res;            /* the numbering before it, for resume */
};

struct hs_parser {
	struct hs_pbase b;          /* sink, file id, the open calls, counters, stop, line */
	struct call *in_call;       /* the call whose IN block is being read, or NULL */
	int cont;                   /* tab lines go to: 0 nobody, 1 in_call, 2 pend */
	struct hs_buf pend;         /* OUT lines waiting for their return, '\n'-ended */
	int64_t pend_lines;         /* lines in pend */
	int64_t pend_dropped;       /* OUT lines over PEND_MAX, counted only */
	int64_t pend_off, pend_no;  /* offset and line number of pend's first line */
	struct snap now;            /* the numbering as it is (offset/line unused) */
	struct hs_buf bytes;        /* scratch: a decoded buffer */
	struct hs_buf text;         /* scratch: a line being formatted */
};

/* ---------------------------------------------------------------- helpers */


/* Unsigned decimal at s[0..n): digits used, 0 if none or over 64 bits. */
static size_t parse_u64(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n && hs_is_digit(s[i]); i++) {
		if (*v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return 0;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return i;
}

/* "0x" + hex at s[0..n) (p11-kit's 0x%08lX): chars used, 0 if none. */
static size_t parse_hex(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	for (i = 2; i < n && hs_is_hex(s[i]); i++) {
		if (*v >> 60)
			return 0;
		*v = *v << 4 | (uint64_t)hs_hexval(s[i]);
	}
	return i > 2 ? i : 0;
}

/* A whole value "S1", "H2", "SL0" (prefix given) or a plain number. */
static int parse_handle(const char *s, size_t n, const char *pre, uint64_t *v)
{
	size_t m = strlen(pre);

	return n > m && memcmp(s, pre, m) == 0 && parse_u64(s + m, n - m, v) == n - m;
}

/* The C string decoding of log_some_bytes and format_some_bytes: "\t",
 * "\n", "\r" and "\xAB" (either case) are escapes, every other byte is
 * itself (a '\' before anything else is a backslash of the data). With
 * `cut`, a last escape left incomplete by p11-kit's cut is dropped. */
static int unescape(struct hs_buf *out, const char *s, size_t n, int cut)
{
	size_t i;
	char b;

	hs_buf_clear(out);
	if (hs_buf_reserve(out, n + 1) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		b = s[i];
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n' || s[i + 1] == 'r')) {
			b = s[i + 1] == 't' ? '\t' : s[i + 1] == 'n' ? '\n' : '\r';
			i++;
		} else if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && hs_is_hex(s[i + 2]) &&
		           hs_is_hex(s[i + 3])) {
			b = (char)(hs_hexval(s[i + 2]) * 16 + hs_hexval(s[i + 3]));
			i += 3;
		} else if (s[i] == '\\' && i + 3 >= n && cut && (i + 1 == n || s[i + 1] == 'x')) {
			break; /* "\", "\x", "\xA" cut short */
		}
		out->data[out->len++] = b;
	}
	out->data[out->len] = '\0';
	return 0;
}

/* ------------------------------------------------------------ call queue */

static struct call *q_at(struct hs_parser *p, int i)
{
	return (struct call *)hs_callq_at(&p->b.q, i);
}

/* A call leaves: `in_call` must not point at it when it is recycled. */
static void forget_call(void *ctx, struct hs_callq_call *c)
{
	struct hs_parser *p = ctx;

	if ((struct hs_callq_call *)p->in_call == c)
		p->in_call = NULL;
}

static struct call *oldest_open(struct hs_parser *p, const char *func)
{
	int i;

	for (i = 0; i < p->b.q.count; i++) {
		struct call *c = q_at(p, i);
		if (!c->qc.returned && (!func || strcmp(c->qc.pc.ev.func, func) == 0))
			return c;
	}
	return NULL;
}

/* A line no call can take: counted, reported, and charged to the call it
 * interrupts or else to the next call. */
static void skip_line(struct hs_parser *p, int64_t lineno, int64_t off, const char *why)
{
	hs_callq_skip(&p->b.q, hs_callq_newest_open(&p->b.q), lineno, off, why);
}

/* ------------------------------------------------- values into p11call */

/* Out of memory while writing a call's detail: stop rather than lose data silently. */
static void oom(struct hs_parser *p, int rc)
{
	if (rc < 0)
		p->b.stop = 1;
}

/* A line of text, control bytes escaped (TokenInfo's utcTime holds NULs). */
static void put_text(struct hs_parser *p, struct call *c, const char *pre, const char *s, size_t n)
{
	hs_buf_clear(&p->text);
	if (hs_buf_adds(&p->text, pre) < 0 || hs_escape(&p->text, s, n) < 0 || !p->text.data) {
		p->b.stop = 1;
		return;
	}
	oom(p, hs_p11call_line(&c->qc.pc, p->text.data, p->text.len));
}

/* "[in] name / n" and the dump; a cut value says how much is missing. */
static void put_bytes(struct hs_parser *p, struct call *c, int out, const char *name,
                      uint64_t declared, const char *s, size_t n, int cut)
{
	char note[96];

	if (unescape(&p->bytes, s, n, cut) < 0) {
		p->b.stop = 1;
		return;
	}
	oom(p, hs_p11call_bytes(&c->qc.pc, out, name, (const unsigned char *)p->bytes.data, p->bytes.len));
	if (cut && declared > p->bytes.len) {
		snprintf(note, sizeof note, "    (p11-kit printed the first %zu of %llu bytes)",
		         p->bytes.len, (unsigned long long)declared);
		oom(p, hs_p11call_line(&c->qc.pc, note, strlen(note)));
	}
}

/* A buffer "(N) \"...\"" (log_some_bytes): the string runs to the last
 * quote of the line, and a value that does not decode to N bytes but
 * ends in "..." was cut by p11-kit. */
static void put_string_value(struct hs_parser *p, struct call *c, int out, const char *name,
                             uint64_t declared, int have_len, const char *s, size_t n)
{
	size_t e = n;
	int cut;

	while (e > 1 && s[e - 1] != '"')
		e--;
	if (e > 1)
		e--; /* the closing quote */
	else
		e = n; /* no closing quote: the line itself was cut */
	s++, e--;
	if (unescape(&p->bytes, s, e, 0) < 0) {
		p->b.stop = 1;
		return;
	}
	cut = have_len && p->bytes.len != declared && e >= 3 && memcmp(s + e - 3, "...", 3) == 0;
	put_bytes(p, c, out, name, declared, s, cut ? e - 3 : e, cut);
}

/* Attribute type name or number ("CKA_0x80000001"): 1 and *type when known. */
static int attr_type(const char *name, uint64_t *type)
{
	enum hs_ck_kind kind;

	if (hs_starts(name, strlen(name), "CKA_0x"))
		return parse_hex(name + 4, strlen(name + 4), type) == strlen(name + 4);
	return hs_ck_lookup(name, type, &kind) && kind == HS_CK_ATTR;
}

/* "    CKA_X                 text" for what p11call has no writer for. */
static void attr_note(struct hs_parser *p, struct call *c, const char *name, const char *text)
{
	hs_buf_clear(&p->text);
	if (hs_buf_printf(&p->text, "    %-21s %s", name, text) < 0 || !p->text.data) {
		p->b.stop = 1;
		return;
	}
	oom(p, hs_p11call_line(&c->qc.pc, p->text.data, p->text.len));
}

/* One "{ CKA_X = VALUE }" of an output template, VALUE at s[0..n). */
static void put_attr_value(struct hs_parser *p, struct call *c, const char *name, const char *s,
                           size_t n, uint64_t declared, int have_len, int is_str)
{
	uint64_t type = 0, u;
	unsigned char le[8];
	char note[64];
	int known = attr_type(name, &type), i;

	if (is_str) {
		int cut = declared > 128 && n >= 3 && memcmp(s + n - 3, "...", 3) == 0;
		if (unescape(&p->bytes, s, cut ? n - 3 : n, cut) < 0) {
			p->b.stop = 1;
			return;
		}
		if (known)
			oom(p, hs_p11call_attr(&c->qc.pc, type, (const unsigned char *)p->bytes.data, p->bytes.len));
		else
			oom(p, hs_p11call_attr_text(&c->qc.pc, name, p->bytes.data, p->bytes.len));
		if (cut) {
			snprintf(note, sizeof note, "    (p11-kit printed the first %zu of %llu bytes)",
			         p->bytes.len, (unsigned long long)declared);
			oom(p, hs_p11call_line(&c->qc.pc, note, strlen(note)));
		}
		return;
	}
	if (have_len) { /* NULL (a length request), NOT-PRINTED, INVALID */
		if (hs_starts(s, n, "INVALID"))
			attr_note(p, c, name, "-1 (invalid)");
		else if (known)
			oom(p, hs_p11call_attr(&c->qc.pc, type, NULL, (size_t)declared));
		else {
			snprintf(note, sizeof note, "/ %llu", (unsigned long long)declared);
			attr_note(p, c, name, note);
		}
		return;
	}
	/* a ulong printed by name (CKO_, CKK_, CKC_, trust) or number */
	if ((parse_hex(s, n, &u) == n || parse_u64(s, n, &u) > 0) && known) {
		for (i = 0; i < 8; i++)
			le[i] = (unsigned char)(u >> (8 * i));
		oom(p, hs_p11call_attr(&c->qc.pc, type, le, 8));
		return;
	}
	oom(p, hs_p11call_attr_text(&c->qc.pc, name, s, n));
}

/* p11_attrs_format: "(2) [ { CKA_CLASS = CKO_DATA }, { CKA_LABEL = (3) \"abc\" } ]".
 * A string value is read by its length, so a quote or " }" inside it does
 * not end it; should that fail, the value runs to the next "\" }". */
static void put_out_template(struct hs_parser *p, struct call *c, const char *name, const char *s,
                             size_t n)
{
	const char *e = s + n, *v, *ve, *eq, *q;
	char aname[NAME_MAX_LEN];
	uint64_t cnt, len;
	size_t k, used;

	used = parse_u64(s + 1, n - 1, &cnt);
	if (!used)
		return;
	oom(p, hs_p11call_template(&c->qc.pc, 1, name, (int64_t)cnt));
	s = hs_find(s, n, "[");
	while (s && s < e && !p->b.stop) {
		s = hs_find(s, (size_t)(e - s), "{ ");
		if (!s)
			break;
		s += 2;
		eq = hs_find(s, (size_t)(e - s), " = ");
		if (!eq || (size_t)(eq - s) >= sizeof aname)
			break;
		memcpy(aname, s, (size_t)(eq - s));
		aname[eq - s] = '\0';
		v = eq + 3;
		if (v < e && *v == '(') {
			used = v[1] == '-' ? 2 : parse_u64(v + 1, (size_t)(e - v - 1), &len);
			if (v[1] == '-')
				len = 0;
			v += 1 + used;
			if (v + 2 > e || v[0] != ')' || v[1] != ' ')
				break;
			v += 2;
			if (v < e && *v == '"') {
				/* walk the escapes for min(len, 128) bytes */
				for (q = v + 1, k = 0; q < e && k < len && k < 128; k++)
					q += (*q == '\\' && q + 1 < e && (q[1] == 't' || q[1] == 'n' || q[1] == 'r')) ? 2 :
					     (*q == '\\' && q + 3 < e && q[1] == 'x' && hs_is_hex(q[2]) &&
					      hs_is_hex(q[3])) ? 4 : 1;
				if (len > 128 && q + 3 <= e && memcmp(q, "...", 3) == 0)
					q += 3;
				if (!(q + 2 <= e && q[0] == '"' && q[1] == ' ' && (q + 2 == e || q[2] == '}')))
					q = hs_find(v + 1, (size_t)(e - v - 1), "\" }");
				ve = q ? q : e;
				put_attr_value(p, c, aname, v + 1, (size_t)(ve - v - 1), len, 1, 1);
				s = q ? q + 1 : e;
				continue;
			}
			ve = hs_find(v, (size_t)(e - v), " }");
			put_attr_value(p, c, aname, v, (size_t)((ve ? ve : e) - v), len, 1, 0);
			s = ve ? ve : e;
			continue;
		}
		ve = hs_find(v, (size_t)(e - v), " }");
		put_attr_value(p, c, aname, v, (size_t)((ve ? ve : e) - v), 0, 0, 0);
		s = ve ? ve : e;
	}
}

/* "(N) [ A, B ]": an input template's types, slots, handles or mechanisms. */
static void put_list(struct hs_parser *p, struct call *c, int out, const char *name,
                     const char *s, size_t n, uint64_t cnt)
{
	const char *e = s + n, *it, *ie;
	uint64_t v;
	char nm[NAME_MAX_LEN + 8];
	int objects = strcmp(c->qc.pc.ev.func, "C_FindObjects") == 0 && strcmp(name, "object") == 0;

	if (objects)
		oom(p, hs_p11call_ulong(&c->qc.pc, 1, "ulObjectCount", cnt));
	else if (strcmp(name, "pTemplate") == 0 || strstr(name, "Template"))
		oom(p, hs_p11call_template(&c->qc.pc, out, name, (int64_t)cnt));
	else {
		snprintf(nm, sizeof nm, "%s[%llu]", name, (unsigned long long)cnt);
		oom(p, hs_p11call_template(&c->qc.pc, out, nm, -1));
	}
	it = hs_find(s, n, "[ ");
	it = it ? it + 2 : e;
	while (it < e && !p->b.stop) {
		for (ie = it; ie < e && *ie != ',' && *ie != ' '; ie++)
			;
		if (ie == it)
			break; /* "]" or "  ]" of an empty list */
		if (parse_handle(it, (size_t)(ie - it), "H", &v) && objects)
			oom(p, hs_p11call_found(&c->qc.pc, (int64_t)v));
		else if (parse_handle(it, (size_t)(ie - it), "SL", &v)) {
			hs_buf_clear(&p->text);
			oom(p, hs_buf_printf(&p->text, "    Slot 0x%llx", (unsigned long long)v));
			if (!p->b.stop)
				oom(p, hs_p11call_line(&c->qc.pc, p->text.data, p->text.len));
		} else
			put_text(p, c, "    ", it, (size_t)(ie - it));
		it = ie;
		while (it < e && (*it == ',' || *it == ' '))
			it++;
		if (it < e && *it == ']')
			break;
	}
	if (!objects && (strcmp(name, "pSlotList") == 0 || strcmp(name, "pMechanismList") == 0))
		oom(p, hs_p11call_ulong(&c->qc.pc, 1, "*pulCount", cnt));
}

/* The spy's name for an output handle, by function. */
static const char *out_handle_name(const char *func, const char *name, char *buf, size_t len)
{
	if (strcmp(name, "phPublicKey") == 0)
		return "hPublicKey";
	if (strcmp(name, "phPrivateKey") == 0)
		return "hPrivateKey";
	if (strcmp(name, "phKey") == 0 || (strcmp(func, "C_DeriveKey") == 0 && strcmp(name, "phObject") == 0))
		return "hKey";
	if (strcmp(name, "size") == 0)
		return "*pulSize";
	snprintf(buf, len, "*%s", name);
	return buf;
}

/* One "name = value" of an IN (out = 0) or OUT line. */
static void put_param(struct hs_parser *p, struct call *c, int out, const char *s, size_t n)
{
	const char *eq = hs_find(s, n, " = "), *v, *e = s + n, *r;
	char name[NAME_MAX_LEN], buf[NAME_MAX_LEN + 16];
	uint64_t num = 0, cnt = 0;
	size_t vn, used, nl;
	int have_len = 0;

	v = eq ? eq + 3 : NULL;
	nl = eq ? (size_t)(eq - s) : 0;
	if (!eq) { /* "pPin= ", "pPin =(", "pPin: " as a paste or an editor left it */
		for (nl = 0; nl < n && hs_is_word(s[nl]); nl++)
			;
		for (v = s + nl; v < e && (*v == ' ' || *v == '\t'); v++)
			;
		if (nl && v < e && (*v == '=' || *v == ':')) {
			eq = v++;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
		}
	}
	if (!eq || nl == 0 || nl >= sizeof name) {
		put_text(p, c, out ? "[out] " : "[in] ", s, n);
		return;
	}
	memcpy(name, s, nl);
	name[nl] = '\0';
	vn = (size_t)(e - v);
	c->sname[0] = '\0';
	if (vn == 1 && v[0] == '{') { /* a structure follows on tab lines */
		hs_strlcpy(c->sname, name, sizeof c->sname);
		if (strcmp(name, "pMechanism") != 0)
			oom(p, hs_p11call_template(&c->qc.pc, out, name, -1));
		return;
	}
	if (vn > 2 && v[0] == '(') {
		used = v[1] == '?' ? 1 : parse_u64(v + 1, vn - 1, &cnt);
		have_len = v[1] != '?';
		r = v + 1 + used;
		if (used && r + 1 < e && r[0] == ')' && r[1] == ' ') {
			r += 2;
			if (*r == '"')
				put_string_value(p, c, out, name, cnt, have_len, r, (size_t)(e - r));
			else if (hs_starts(r, (size_t)(e - r), "NOTHING") && out)
				oom(p, hs_p11call_null_buffer(&c->qc.pc, name, have_len ? (int64_t)cnt : HS_NONE));
			else if (hs_starts(r, (size_t)(e - r), "NOTHING") || hs_starts(r, (size_t)(e - r), "NULL"))
				oom(p, hs_p11call_bytes(&c->qc.pc, out, name, NULL, have_len ? (size_t)cnt : 0));
			else if (hs_starts(r, (size_t)(e - r), "[ {") || (out && strstr(name, "Template")))
				put_out_template(p, c, name, v, vn);
			else if (*r == '[')
				put_list(p, c, out, name, r, (size_t)(e - r), cnt);
			else if (hs_starts(r, (size_t)(e - r), "NO-VALUES") &&
			         strcmp(c->qc.pc.ev.func, "C_FindObjects") == 0)
				oom(p, hs_p11call_ulong(&c->qc.pc, 1, "ulObjectCount", cnt));
			else if (hs_starts(r, (size_t)(e - r), "NO-VALUES")) {
				snprintf(buf, sizeof buf, "%s", name);
				oom(p, hs_p11call_scalar(&c->qc.pc, out, buf, "NULL"));
				oom(p, hs_p11call_ulong(&c->qc.pc, 1, "*pulCount", cnt));
			} else
				put_text(p, c, out ? "[out] " : "[in] ", s, n);
			return;
		}
	}
	if (vn > 1 && v[0] == '"') { /* log_string: C_InitToken's pLabel, raw */
		size_t k = vn - 1;
		while (k > 0 && v[k] != '"')
			k--;
		oom(p, hs_p11call_bytes(&c->qc.pc, out, name, (const unsigned char *)v + 1, k ? k - 1 : vn - 1));
		return;
	}
	/* log_ulong_pointer: "0x7FFC12345678 = 1", or "0x.. = S1" */
	used = parse_hex(v, vn, &num);
	if (used && hs_starts(v + used, vn - used, " = ")) {
		v += used + 3;
		vn = (size_t)(e - v);
		if (strcmp(name, "pulCount") == 0 && !out)
			hs_strlcpy(name, "*pulCount", sizeof name);
		else if (out)
			hs_strlcpy(name, out_handle_name(c->qc.pc.ev.func, name, buf, sizeof buf), sizeof name);
	}
	if (parse_handle(v, vn, "SL", &num) || parse_handle(v, vn, "S", &num) ||
	    parse_handle(v, vn, "H", &num) || parse_u64(v, vn, &num) == vn) {
		if (strcmp(name, "max_object_count") == 0)
			hs_strlcpy(name, "ulMaxObjectCount", sizeof name);
		oom(p, hs_p11call_ulong(&c->qc.pc, out, name, num));
		return;
	}
	/* "6 = CKF_SERIAL_SESSION | CKF_RW_SESSION": the spy's 0x6, names kept */
	used = parse_u64(v, vn, &num);
	if (used && hs_starts(v + used, vn - used, " = ")) {
		hs_buf_clear(&p->text);
		if (hs_buf_printf(&p->text, "%s %s = 0x%llx (", out ? "[out]" : "[in]", name,
		                  (unsigned long long)num) < 0 ||
		    hs_escape(&p->text, v + used + 3, vn - used - 3) < 0 || hs_buf_adds(&p->text, ")") < 0) {
			p->b.stop = 1;
			return;
		}
		oom(p, hs_p11call_line(&c->qc.pc, p->text.data, p->text.len));
		return;
	}
	snprintf(buf, sizeof buf, "%s %s = ", out ? "[out]" : "[in]", name);
	put_text(p, c, buf, v, vn);
}

/* A tab line of the structure `c->sname`: "\tfield: value". */
static void put_field(struct hs_parser *p, struct call *c, int out, const char *s, size_t n)
{
	const char *colon;
	uint64_t len = 0;
	size_t used;

	while (n && *s == '\t')
		s++, n--;
	colon = hs_find(s, n, ": ");
	if (strcmp(c->sname, "pMechanism") == 0 && colon) {
		const char *v = colon + 2, *e = s + n;
		if (hs_starts(s, n, "mechanism: ")) {
			hs_buf_clear(&p->text);
			if (hs_escape(&p->text, v, (size_t)(e - v)) < 0 || !p->text.data) {
				p->b.stop = 1;
				return;
			}
			oom(p, hs_p11call_scalar(&c->qc.pc, out, "pMechanism->type", p->text.data));
			return;
		}
		if (hs_starts(s, n, "pParameter: (")) {
			used = parse_u64(s + 13, n - 13, &len);
			v = s + 13 + used;
			if (used && hs_starts(v, (size_t)(e - v), ") \"")) {
				put_string_value(p, c, out, "pMechanism->pParameter", len, 1, v + 2,
				                 (size_t)(e - v - 2));
				return;
			}
			oom(p, hs_p11call_scalar(&c->qc.pc, out, "pMechanism->pParameter", "NULL"));
			return;
		}
	}
	put_text(p, c, "    ", s, n);
}

/* One line of a call's detail as p11-kit wrote it (prefix removed). */
static void take_line(struct hs_parser *p, struct call *c, int out, const char *s, size_t n)
{
	if (n && s[0] == '\t') {
		if (c->sname[0])
			put_field(p, c, out, s, n);
		else
			put_text(p, c, "    ", s + 1, n - 1);
	} else if (n && s[0] == '}') {
		c->sname[0] = '\0';
	} else {
		put_param(p, c, out, s, n);
	}
}

/* ------------------------------------------------------------- parser */

static void new_call(struct hs_parser *p, const char *func, int64_t off, int64_t lineno)
{
	struct call *c;
	int i;

	if (strcmp(func, "C_Initialize") == 0) {
		/* A new process: after a C_Finalize, or while calls are open (their
		 * process died in them). */
		int open = oldest_open(p, NULL) != NULL;
		if (p->now.seen && (p->now.fin || open)) {
			for (i = 0; i < p->b.q.count; i++)
				hs_callq_give_up(&p->b.q, hs_callq_at(&p->b.q, i));
			hs_callq_emit_front(&p->b.q, 0);
			p->now.inst++;
			p->now.seen = 0;
		}
		p->now.fin = 0;
	}
	c = (struct call *)hs_callq_new(&p->b.q);
	if (!c) {
		p->b.stop = 1;
		return;
	}
	c->res = p->now;
	c->res.offset = off;
	c->res.line = lineno;
	p->now.seen = 1;
	c->qc.pc.ev.format = "p11kit";
	c->qc.pc.ev.file_id = p->b.file_id;
	c->qc.pc.ev.offset = off;
	c->qc.pc.ev.line = lineno;
	c->qc.pc.ev.instance = p->now.inst;
	hs_p11call_func(&c->qc.pc, func, strlen(func)); /* call_line checked it: C_ and a word */
	hs_callq_push(&p->b.q, &c->qc);
	p->in_call = c;
	p->cont = 0;
	oom(p, hs_p11call_saw(&c->qc.pc, lineno));
}

/* Hand the OUT lines held in pend to c, in order. */
static void replay_pend(struct hs_parser *p, struct call *c)
{
	const char *s = hs_buf_cstr(&p->pend), *end = s + p->pend.len, *nl;

	c->sname[0] = '\0';
	while (s < end && !p->b.stop) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		take_line(p, c, 1, s, (size_t)(nl - s));
		s = nl + 1;
	}
	c->qc.pc.ev.elided_lines += p->pend_dropped;
}

static void clear_pend(struct hs_parser *p)
{
	hs_buf_clear(&p->pend);
	p->pend_lines = p->pend_dropped = 0;
}

static void hold_out(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	if (!p->pend_lines && !p->pend_dropped)
		p->pend_off = off, p->pend_no = lineno;
	if (p->pend.len + n + 1 > PEND_MAX) {
		p->pend_dropped++;
		return;
	}
	if (hs_buf_add(&p->pend, s, n) < 0 || hs_buf_addc(&p->pend, '\n') < 0)
		p->b.stop = 1;
	p->pend_lines++;
}

/* "C_Name = CKR_X" or "= CKR_0x%08lX". */
static void on_return(struct hs_parser *p, const char *func, const char *rv, size_t n,
                      int64_t off, int64_t lineno)
{
	struct call *c = oldest_open(p, func);
	uint64_t v = 0;
	enum hs_ck_kind kind;
	int64_t code = HS_NONE;
	int64_t k;

	p->in_call = NULL;
	p->cont = 0;
	if (!c) {
		for (k = 0; k < p->pend_lines + p->pend_dropped; k++)
			skip_line(p, p->pend_no + k, p->pend_off, "OUT line of a call not in the log");
		clear_pend(p);
		skip_line(p, lineno, off, "return of a call not in the log");
		return;
	}
	/* the held OUT lines were the call's, from pend_no on */
	for (k = 0; k < p->pend_lines + p->pend_dropped; k++)
		oom(p, hs_p11call_saw(&c->qc.pc, p->pend_no + k));
	oom(p, hs_p11call_saw(&c->qc.pc, lineno));
	replay_pend(p, c);
	clear_pend(p);
	if (hs_starts(rv, n, "CKR_0x") && parse_hex(rv + 4, n - 4, &v) == n - 4)
		code = (int64_t)v;
	else if (hs_ck_lookup(rv, &v, &kind) && kind == HS_CK_RV)
		code = (int64_t)v;
	hs_p11call_return(&c->qc.pc, code, hs_starts(rv, n, "CKR_0x") ? NULL : rv,
	                  hs_starts(rv, n, "CKR_0x") ? 0 : n);
	c->qc.returned = 1;
	if (strcmp(func, "C_Finalize") == 0 && code == 0)
		p->now.fin = 1;
	hs_callq_emit_front(&p->b.q, 0);
}

/* "C_Name" alone (1), "C_Name = RV" (2), else 0; func gets the name. */
static int call_line(const char *s, size_t n, char *func, size_t flen, size_t *rv_at)
{
	size_t i = 2;

	if (n < 3 || s[0] != 'C' || s[1] != '_')
		return 0;
	while (i < n && hs_is_word(s[i]))
		i++;
	if (i >= flen || i < 3)
		return 0;
	memcpy(func, s, i);
	func[i] = '\0';
	if (i == n)
		return 1;
	if (n > i + 7 && memcmp(s + i, " = CKR_", 7) == 0) {
		size_t j;
		for (j = i + 3; j < n && hs_is_word(s[j]); j++)
			;
		if (j == n) {
			*rv_at = i + 3;
			return 2;
		}
	}
	return 0;
}

static int p11kit_feed(struct hs_parser *p, const char *line, size_t n, int64_t off, int64_t lineno)
{
	char func[64];
	size_t t = n, rv_at = 0;
	const char *s;
	int kind;

	while (t && (line[t - 1] == ' ' || line[t - 1] == '\r'))
		t--;
	if (t == 0) /* tools print blank lines after their warnings */
		return p->b.stop;
	hs_buf_clear(&p->b.line);
	if (hs_buf_add(&p->b.line, line, t) < 0 || !p->b.line.data) {
		p->b.stop = 1;
		return p->b.stop;
	}
	s = p->b.line.data;
	kind = call_line(s, t, func, sizeof func, &rv_at);
	if (kind == 1) {
		new_call(p, func, off, lineno);
	} else if (kind == 2) {
		on_return(p, func, s + rv_at, t - rv_at, off, lineno);
	} else if (t > 6 && memcmp(s, "  IN: ", 6) == 0) {
		if (p->in_call && !p->in_call->qc.returned) {
			take_line(p, p->in_call, 0, s + 6, t - 6);
			oom(p, hs_p11call_saw(&p->in_call->qc.pc, lineno));
			p->cont = p->in_call->sname[0] ? 1 : 0;
		} else {
			skip_line(p, lineno, off, "IN line outside a call");
		}
	} else if (t > 6 && memcmp(s, " OUT: ", 6) == 0) {
		p->in_call = NULL;
		hold_out(p, s + 6, t - 6, off, lineno);
		p->cont = 2;
	} else if (s[0] == '\t' || (t == 7 && memcmp(s, "      }", 7) == 0)) {
		const char *b = s[0] == '\t' ? s : s + 6;
		size_t bn = s[0] == '\t' ? t : 1;
		if (p->cont == 1 && p->in_call && !p->in_call->qc.returned) {
			take_line(p, p->in_call, 0, b, bn);
			oom(p, hs_p11call_saw(&p->in_call->qc.pc, lineno));
		} else if (p->cont == 2)
			hold_out(p, b, bn, off, lineno);
		else
			skip_line(p, lineno, off, "structure line outside a call");
		if (b[0] == '}')
			p->cont = 0;
	} else {
		skip_line(p, lineno, off, "not p11-kit output");
	}
	return p->b.stop;
}

static struct hs_parser *p11kit_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = hs_pbase_create(sizeof *p, sink, o, sizeof(struct call), QMAX,
	                                      &(struct hs_callq_hooks){ .on_emit = forget_call });

	if (!p)
		return NULL;
	hs_pbase_buf(&p->b, &p->bytes);
	hs_pbase_buf(&p->b, &p->text);
	hs_pbase_buf(&p->b, &p->pend);
	return p;
}

/* state: inst=<process instance> fin=<C_Finalize returned> seen=<a call seen in it> */
static void p11kit_resume(struct hs_parser *p, const char *state)
{
	int64_t inst, fin, seen;

	if (hs_pstate_get_int(state, "inst", &inst) && inst >= 0 && hs_pstate_get_int(state, "fin", &fin) &&
	    hs_pstate_get_int(state, "seen", &seen)) {
		p->now.inst = inst;
		p->now.fin = fin != 0;
		p->now.seen = seen != 0;
	}
}

static void p11kit_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                          struct hs_parse_stats *st)
{
	struct call *c = oldest_open(p, NULL);
	struct snap r = p->now;
	int64_t k;

	if (c)
		r = c->res;
	else
		r.offset = end_offset, r.line = end_line;
	/* OUT lines whose return never came: shown with the call they most
	 * likely belong to, the oldest still open. */
	if (p->pend_lines + p->pend_dropped) {
		if (c)
			replay_pend(p, c);
		else
			for (k = 0; k < p->pend_lines + p->pend_dropped; k++)
				skip_line(p, p->pend_no + k, p->pend_off, "OUT line of a call not in the log");
		clear_pend(p);
	}
	hs_pstate_int(&p->b.state, "inst", r.inst);
	hs_pstate_int(&p->b.state, "fin", r.fin);
	hs_pstate_int(&p->b.state, "seen", r.seen);
	hs_pbase_finish(&p->b, r.offset, r.line, st);
}

static void p11kit_destroy(struct hs_parser *p)
{
	hs_pbase_destroy(p ? &p->b : NULL);
}

/* A call name alone, "  IN: x = ", " OUT: x = " and "C_X = CKR_..." lines;
 * the name lines count only with the others, so a word is no log. */
static int p11kit_probe(const char *const *lines, int nlines)
{
	int i, names = 0, params = 0, rets = 0, score;
	char func[64];
	size_t rv_at;

	for (i = 0; i < nlines; i++) {
		const char *s = lines[i];
		size_t n = hs_line_len(s);
		int k = call_line(s, n, func, sizeof func, &rv_at);
		if (k == 1)
			names++;
		else if (k == 2)
			rets++;
		else if (n > 9 && (memcmp(s, "  IN: ", 6) == 0 || memcmp(s, " OUT: ", 6) == 0) &&
		         hs_is_word(s[6]) && hs_find(s + 6, n - 6, " = "))
			params++;
	}
	if (!rets && !params)
		return 0;
	score = names * 10 + params * 10 + rets * 20;
	return score;
}

static const char *const p11kit_samples[] = {
	"C_Initialize",
	"  IN: pInitArgs = NULL",
	"C_Initialize = CKR_OK",
	"C_GetSlotList",
	"  IN: tokenPresent = CK_FALSE",
	"  IN: pulCount = 0x7FFF5A43AB40 = 0",
	" OUT: pSlotList = (1) NO-VALUES",
	"C_GetSlotList = CKR_OK",
	NULL,
};

HS_PARSER_DESC(p11kit, p11kit, "p11-kit log-calls", 1);
