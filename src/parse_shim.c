/* parse_shim.c — Mastercard libpkcs11shim logs (a fork of OpenSC's spy).
 *
 * A shim call is a block of bracketed lines (pkcs11-shim.c enter/retne):
 *     [cnt] 0000000000000007 - C_Login       per-process counter, decimal
 *     [pid] 9153   [ppd] 9139   [tid] 9153   one line each
 *     [tic] 2026-12-01 07:33:37.634156       local time at entry, µs
 *     [in ] ... / [out] ... / 6-space indented templates, dumps, info
 *     [toc] 2026-12-01 07:33:37.639377       local time at return
 *     [lap] 0.005221                         toc - tic, exact, s.µs
 *     [ret] 160 CKR_PIN_INCORRECT            rv in decimal and its name
 * after a banner per process ("PKCS#11 shim library", "pid: N"). The
 * parameters are translated into the spy's layout through p11call.h: byte
 * buffers ("[in ] pPin[ulPinLen] <addr> / 11" + dump rows) are collected and
 * written with hs_p11call_bytes, the shim's masked PIN rows ("** **") as a
 * length without a dump (the tracer never recorded the bytes), decoded
 * attributes with hs_p11call_attr_text, scalars with hs_p11call_scalar.
 * [lap] is the tracer's own measurement and becomes dur_us.
 *
 * Threads. PKCS11SHIM_CONSISTENCY=1 and 2 write a call's block whole (2 in
 * the order calls return); 0 lets concurrent threads' lines interleave, and
 * only the header carries a thread id. So: `q` is a FIFO of calls in header
 * order, emitted from the front once returned. A header field goes to the
 * newest call still expecting that field; `[in ]` lines to the call that
 * took the last header field (a thread prints its inputs right after its
 * header); a [toc]/[lap] pair to the open call whose [tic] equals toc - lap
 * (exact: one timeval subtraction), [ret] to the oldest call so closed.
 * `[out]` lines are printed by a thread just before its [toc], so while
 * several calls are open they wait in `limbo` and go to the call the next
 * [lap] closes. Indented lines continue the call that took the line above;
 * a dump row with an offset goes to the call whose dump expects it.
 *
 * Instances: each banner's "pid: N" starts one; a call's [pid] picks the
 * newest instance of that pid (a pid never announced gets its own).
 *
 * Resume: each call remembers where a re-parse must start to rebuild it
 * (its header, or that of the oldest call open when it began) and the
 * newest instances' pids; finish() reports the oldest open call's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#define QMAX 128                /* calls held at once before the oldest is forced out */
#define MAX_INST 64             /* instances remembered for pid lookup */
#define SNAP 6                  /* newest instances saved in the resume state */
#define BYTES_MAX (256u << 10)  /* bytes kept of one buffer: its dump already fills
                                   the detail cap (HS_EVENT_DETAIL_MAX) */
#define LIMBO_MAX (1u << 20)    /* bytes of [out] lines held while their call is unknown */
#define IND "      "            /* the shim's SPACER: 6 blanks */

struct resume_point {
	int64_t offset, line;       /* a call's header line, or the end */
	int64_t ninst;              /* instances so far */
	int n;                      /* entries used in pid[] */
	int64_t pid[SNAP];          /* pids of the newest instances, newest first */
};

enum { PD_NONE, PD_BYTES, PD_ATTR };

/* A buffer or attribute whose value rows are still being read. */
struct pending {
	int kind;                   /* PD_* */
	int out;                    /* an [out] parameter */
	char name[96];              /* spy's parameter name, or the CKA_ name */
	uint64_t type;              /* attribute type, when has_type */
	int has_type;               /* type known (CKA_ name in the tables, or CKA_? (0x..)) */
	int64_t len;                /* length the tracer announced */
	int64_t got;                /* bytes seen in rows so far */
	int masked;                 /* rows were "**": the tracer hid the bytes */
	int style;                  /* 0 none yet, 1 print_generic rows, 2 print_print pairs */
	int print_next;             /* print_print: 1 hex line expected, 2 ascii line */
	int broken;                 /* a row did not fit: write the length only */
	unsigned char *b;           /* kept bytes (owned), at most BYTES_MAX */
	size_t cap;                 /* bytes allocated at b */
};

struct call {
	struct hs_p11call pc;       /* the event being built; owns its detail; first */
	int fields;                 /* header lines seen: 1 pid, 2 ppd, 3 tid, 4 tic */
	int64_t toc;                /* [toc] µs, HS_NONE until closed */
	int closed;                 /* [lap] (or [toc]) matched it: waits for [ret] */
	uint64_t close_seq;         /* order calls were closed in */
	int returned;               /* [ret] seen, or given up */
	int section;                /* indented text: 0 none, 1 template, 2 info block */
	int tmpl_out;               /* the open template is an [out] one */
	struct pending pd;          /* value rows in progress */
	struct resume_point res;    /* where a re-parse must start to rebuild this call */
};

struct hs_parser {
	struct hs_sink sink;        /* where events go */
	int file_id;                /* stored in every event */
	struct call *q[QMAX];       /* FIFO of calls, q[head .. head+count) mod QMAX */
	int head, count;
	struct call *spare;         /* one recycled call */
	int64_t inst_pid[MAX_INST]; /* pid of instance k at [k % MAX_INST], HS_NONE unknown */
	int64_t ninst;              /* instances so far */
	struct call *cur;           /* took the last header field: gets [in ] lines */
	struct call *last;          /* took the last detail line: gets continuations */
	int64_t toc;                /* a [toc] waiting for its [lap], µs, HS_NONE */
	uint64_t close_seq;         /* calls closed so far */
	struct hs_buf limbo;        /* [out] lines of a call not known yet, '\n'-ended */
	int64_t limbo_lost;         /* lines over LIMBO_MAX, charged to their call */
	int in_limbo;               /* continuation lines follow an [out] in limbo */
	int replaying;              /* limbo lines are being given to their call */
	int64_t pending_skips;      /* lines skipped while no call was open */
	int stop;                   /* the sink asked to stop, or out of memory */
	struct hs_buf line;         /* the current line, NUL-terminated copy */
	struct hs_parse_stats st;   /* running counters */
};

/* ---------------------------------------------------------------- helpers */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
static int hexval(char c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

static int starts(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	return n >= m && memcmp(s, p, m) == 0;
}

static size_t trim_end(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* "YYYY-MM-DD HH:MM:SS.uuuuuu" exactly (trailing blanks trimmed): µs or HS_NONE. */
static int64_t parse_ts(const char *s, size_t n)
{
	int v[7] = { 0 }, k, i = 0;
	static const char sep[] = "-- ::.";
	static const int width[] = { 4, 2, 2, 2, 2, 2, 6 };

	if (n != 26)
		return HS_NONE;
	for (k = 0; k < 7; k++) {
		int w;
		for (w = 0; w < width[k]; w++, i++) {
			if (!is_digit(s[i]))
				return HS_NONE;
			v[k] = v[k] * 10 + (s[i] - '0');
		}
		if (k < 6 && s[i++] != sep[k])
			return HS_NONE;
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return HS_NONE;
	return hs_civil_to_us(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
}

/* "%ld.%06ld" (seconds may be negative after a clock step): µs, or HS_NONE. */
static int64_t parse_lap(const char *s, size_t n)
{
	size_t i = 0, d;
	int64_t sec = 0, us = 0;
	int neg = 0;

	if (i < n && s[i] == '-')
		neg = 1, i++;
	for (d = 0; i < n && is_digit(s[i]) && d < 12; i++, d++)
		sec = sec * 10 + (s[i] - '0');
	if (!d || i + 7 != n || s[i] != '.')
		return HS_NONE;
	for (i++; i < n; i++) {
		if (!is_digit(s[i]))
			return HS_NONE;
		us = us * 10 + (s[i] - '0');
	}
	return (neg ? -sec : sec) * 1000000 + us;
}

/* A decimal at s[0..n) that fills it: 1 and *v, or 0. */
static int whole_int(const char *s, size_t n, int64_t *v)
{
	size_t i;

	if (n == 0 || n > 19)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return hs_parse_int(s, v) > 0;
}

/* buf_spec: "<hex addr> / <len>", "<addr> / -1 (CK_UNAVALABLE_INFORMATION)".
 * Returns 1 with *len (-1 for the latter), or 0. */
static int parse_bufspec(const char *s, size_t n, int64_t *len)
{
	size_t i = 0;

	while (i < n && is_hex(s[i]))
		i++;
	if ((i != 8 && i != 16) || !starts(s + i, n - i, " / "))
		return 0;
	i += 3;
	if (starts(s + i, n - i, "-1"))
		return (*len = -1), 1;
	return whole_int(s + i, n - i, len);
}

/* "NULL [size : 0x%lX (%ld)]": 1 and *size (HS_NONE when unreadable). */
static int parse_null(const char *s, size_t n, int64_t *size)
{
	const char *p;
	size_t r;

	if (!starts(s, n, "NULL"))
		return 0;
	*size = HS_NONE;
	p = memchr(s, '(', n);
	if (p) {
		r = (size_t)(s + n - p - 1);
		while (r && (p[r] == ')' || p[r] == ']'))
			r--;
		whole_int(p + 1, r, size);
	}
	return n == 4 || s[4] == ' ';
}

/* ---------------------------------------------------------- call queue */

static struct call *q_at(struct hs_parser *p, int i) { return p->q[(p->head + i) % QMAX]; }

static int is_open(struct hs_parser *p, const struct call *c)
{
	int i;

	for (i = 0; c && i < p->count; i++)
		if (q_at(p, i) == c)
			return !c->returned;
	return 0;
}

static void flush_pending(struct hs_parser *p, struct call *c);

static void emit(struct hs_parser *p, struct call *c)
{
	flush_pending(p, c);
	if (!c->returned) {
		c->pc.ev.incomplete = 1;
		p->st.incomplete++;
	}
	hs_p11call_summarize(&c->pc);
	p->st.events++;
	if (!p->stop && p->sink.on_event(p->sink.ctx, &c->pc.ev))
		p->stop = 1;
	if (p->last == c)
		p->last = NULL;
	if (p->cur == c)
		p->cur = NULL;
	if (!p->spare) {
		p->spare = c;
	} else {
		free(c->pd.b);
		hs_p11call_free(&c->pc);
		free(c);
	}
}

/* Emit from the front while finished, after giving up on `force` calls. */
static void emit_front(struct hs_parser *p, int force)
{
	while (p->count && (force-- > 0 || q_at(p, 0)->returned)) {
		struct call *c = q_at(p, 0);
		p->head = (p->head + 1) % QMAX;
		p->count--;
		emit(p, c);
	}
}

/* The oldest open call, with `unclosed` one still without its [toc]. */
static struct call *oldest_open(struct hs_parser *p, int unclosed)
{
	int i;

	for (i = 0; i < p->count; i++) {
		struct call *c = q_at(p, i);
		if (!c->returned && !(unclosed && c->closed))
			return c;
	}
	return NULL;
}

static struct call *newest_open(struct hs_parser *p, int unclosed)
{
	int i;

	for (i = p->count - 1; i >= 0; i--) {
		struct call *c = q_at(p, i);
		if (!c->returned && !(unclosed && c->closed))
			return c;
	}
	return NULL;
}

static int count_unclosed(struct hs_parser *p)
{
	int i, k = 0;

	for (i = 0; i < p->count; i++)
		k += !q_at(p, i)->returned && !q_at(p, i)->closed;
	return k;
}

static void skip_line(struct hs_parser *p, int64_t lineno, int64_t off, const char *why)
{
	struct call *c = newest_open(p, 0);

	if (p->sink.on_skip)
		p->sink.on_skip(p->sink.ctx, lineno, off, why);
	p->st.skipped++;
	if (c)
		c->pc.ev.skipped_lines++;
	else
		p->pending_skips++;
}

static void take_snap(struct hs_parser *p, struct resume_point *r, int64_t off, int64_t lineno)
{
	int64_t k;

	r->offset = off;
	r->line = lineno;
	r->ninst = p->ninst;
	for (r->n = 0, k = p->ninst - 1; k >= 0 && r->n < SNAP; k--)
		r->pid[r->n++] = p->inst_pid[k % MAX_INST];
}

static int64_t new_instance(struct hs_parser *p, int64_t pid)
{
	p->inst_pid[p->ninst % MAX_INST] = pid;
	return p->ninst++;
}

/* ------------------------------------------------------- value rows */

static void pd_clear(struct pending *d)
{
	unsigned char *b = d->b;
	size_t cap = d->cap;

	memset(d, 0, sizeof *d);
	d->b = b, d->cap = cap;
}

static void pd_open(struct call *c, int kind, int out, const char *name, size_t n, int64_t len)
{
	struct pending *d = &c->pd;

	pd_clear(d);
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
	if ((size_t)d->got < BYTES_MAX) {
		if ((size_t)d->got >= d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 64;
			unsigned char *b = realloc(d->b, cap);
			if (!b)
				return (p->stop = 1), -1;
			d->b = b, d->cap = cap;
		}
		d->b[d->got] = byte;
	}
	d->got++;
	return 0;
}

/* Write the value in progress into the call, in the spy's layout. */
static void flush_pending(struct hs_parser *p, struct call *c)
{
	struct pending *d = &c->pd;
	size_t kept = (size_t)(d->got < (int64_t)BYTES_MAX ? d->got : (int64_t)BYTES_MAX);
	int whole = d->got == d->len && !d->masked && !d->broken && d->style;
	struct hs_buf l;
	int rc = 0;

	if (d->kind == PD_BYTES) {
		if (d->len < 0) {
			hs_buf_init(&l);
			rc = hs_buf_printf(&l, "%s %s / -1", d->out ? "[out]" : "[in]", d->name) < 0 ? -1 :
			     hs_p11call_line(&c->pc, l.data, l.len);
			hs_buf_free(&l);
		} else {
			rc = hs_p11call_bytes(&c->pc, d->out, d->name, whole ? d->b : NULL,
			                      whole ? kept : (size_t)d->len);
		}
	} else if (d->kind == PD_ATTR) {
		if (whole && d->has_type)
			rc = hs_p11call_attr(&c->pc, d->type, d->b, kept);
		else if (whole)
			rc = hs_p11call_attr_text(&c->pc, d->name, (const char *)d->b, kept);
		else if (d->len >= 0 && d->has_type)
			rc = hs_p11call_attr(&c->pc, d->type, NULL, (size_t)d->len);
		else {
			hs_buf_init(&l);
			rc = hs_buf_printf(&l, "    %-21s / %lld", d->name, (long long)d->len) < 0 ? -1 :
			     hs_p11call_line(&c->pc, l.data, l.len);
			hs_buf_free(&l);
		}
	}
	if (d->kind != PD_NONE && whole && (size_t)d->got > kept)
		c->pc.ev.elided_lines += (int64_t)(((size_t)d->got - kept + 15) / 16);
	if (rc < 0)
		p->stop = 1;
	pd_clear(d);
}

/* A print_generic row "      %08X  XX XX ..  ascii" continuing d: 1 taken,
 * 0 not such a row for d. Row bytes are hex pairs or the masked "**". */
static int take_generic_row(struct hs_parser *p, struct pending *d, const char *s, size_t n)
{
	int64_t off = 0, want;
	size_t i;
	int k;

	if (n < 14 || !starts(s, n, IND) || (n > 14 && !starts(s + 14, n - 14, "  ")))
		return 0;
	for (i = 6; i < 14; i++) {
		if (!is_hex(s[i]))
			return 0;
		off = off * 16 + hexval(s[i]);
	}
	if (d->kind == PD_NONE || d->style == 2 || d->len < 0 || off != d->got)
		return 0;
	want = d->len - d->got < 16 ? d->len - d->got : 16;
	for (k = 0, i = 16; k < 16 && i + 1 < n; k++, i += 3) {
		if (is_hex(s[i]) && is_hex(s[i + 1])) {
			if (pd_keep(p, d, (unsigned char)(hexval(s[i]) * 16 + hexval(s[i + 1]))) < 0)
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

	if (d->kind != PD_ATTR || d->style == 1 || d->len <= 0 || n <= 6 || !starts(s, n, IND) ||
	    (d->got >= d->len && d->print_next != 2))
		return 0;
	if (!(starts(d->name, strlen(d->name), "CKA_LABEL") || !strcmp(d->name, "CKA_APPLICATION") ||
	      starts(d->name, strlen(d->name), "CKA_OTP_")))
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
		if (is_hex(s[i]) && ++group <= 8 && nb < 32) {
			if (hi < 0)
				hi = hexval(s[i]);
			else
				b[nb++] = (unsigned char)(hi * 16 + hexval(s[i])), hi = -1;
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
	if (starts(v, vn, "Vendor defined (") && vn > 17) /* a vendor CKM_: its number */
		rc = hs_buf_printf(&b, "0x%.*s", (int)(vn - 17), v + 16);
	else
		rc = hs_buf_add(&b, v, vn);
	if (rc == 0) {
		char name0[128];
		size_t m = nn < sizeof name0 ? nn : sizeof name0 - 1;
		memcpy(name0, name, m);
		name0[m] = '\0';
		rc = hs_p11call_scalar(&c->pc, out, name0, hs_buf_cstr(&b));
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
	if (parse_bufspec(sp, (size_t)(s + n - sp), &len)) {
		pd_open(c, PD_BYTES, out, nm, nn, len);
		return 1;
	}
	if (nn >= sizeof name0)
		nn = sizeof name0 - 1;
	memcpy(name0, nm, nn);
	name0[nn] = '\0';
	if (parse_null(sp, (size_t)(s + n - sp), &len)) {
		if ((out ? hs_p11call_null_buffer(&c->pc, name0, len) :
		     hs_p11call_scalar(&c->pc, 0, name0, "NULL")) < 0)
			p->stop = 1;
		return 1;
	}
	if ((size_t)(s + n - sp) == 5 && memcmp(sp, "EMPTY", 5) == 0) {
		if (hs_p11call_scalar(&c->pc, out, name0, "EMPTY") < 0)
			p->stop = 1;
		return 1;
	}
	return 0;
}

/* One attribute line of a template: "CKA_X<pad> value". */
static void attr_line(struct hs_parser *p, struct call *c, int out, const char *s, size_t n)
{
	const char *v = s, *end = s + n;
	char name[64];
	size_t nl;
	int64_t len;
	uint64_t t;
	enum hs_ck_kind kind;
	int has_type = 0;

	if (starts(s, n, "CKA_? (0x")) { /* unknown type: "CKA_? (0x%08lx)    <buf_spec>" */
		int64_t tv;
		const char *cl = memchr(s, ')', n);
		if (!cl || !hs_parse_int(s + 7, &tv))
			return;
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
	if (parse_bufspec(v, (size_t)(end - v), &len)) {
		pd_open(c, PD_ATTR, out, name, strlen(name), len);
		c->pd.type = t, c->pd.has_type = has_type;
		if (s[4] == '?') /* the shim prints no value of a type it does not know */
			flush_pending(p, c);
		return;
	}
	if ((starts(v, (size_t)(end - v), "True") && (end - v == 4 || v[4] == ' ')) ||
	    (starts(v, (size_t)(end - v), "False") && (end - v == 5 || v[5] == ' '))) {
		/* The spy's boolean line, written as p11call writes one; also for
		 * CKA_KEY_GEN_MECHANISM, which the shim prints as a boolean: the
		 * words True/False are all it recorded, and no secret. */
		struct hs_buf b;
		hs_buf_init(&b);
		if (hs_buf_printf(&b, "    %-21s %s", name, v[0] == 'T' ? "True" : "False") < 0 ||
		    hs_p11call_line(&c->pc, b.data, b.len) < 0)
			p->stop = 1;
		hs_buf_free(&b);
		return;
	}
	if (starts(v, (size_t)(end - v), "Value ") && has_type) {
		/* print_enum: "Value %lX not found for type CK_..." — the raw CK_ULONG */
		int64_t val;
		unsigned char raw[8];
		int i;
		char hex[24];
		snprintf(hex, sizeof hex, "0x%.16s", v + 6);
		if (!hs_parse_int(hex, &val))
			return;
		for (i = 0; i < 8; i++)
			raw[i] = (unsigned char)((uint64_t)val >> (8 * i));
		if (hs_p11call_attr(&c->pc, t, raw, 8) < 0)
			p->stop = 1;
		return;
	}
	if (v < end && hs_p11call_attr_text(&c->pc, name, v, (size_t)(end - v)) < 0)
		p->stop = 1;
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
	if (hs_p11call_line(&c->pc, s, n) < 0)
		p->stop = 1;
}

/* The text of a "[in ] " or "[out] " line after its prefix, for call c. */
static void param_line(struct hs_parser *p, struct call *c, int out, const char *r, size_t n,
                       int64_t lineno, int64_t off)
{
	const char *eq = NULL;
	char name[128];
	size_t i;

	flush_pending(p, c);
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
		if (hs_p11call_template(&c->pc, out, name, count) < 0)
			p->stop = 1;
		c->section = nm >= 8 && memcmp(r + nm - 8, "Template", 8) == 0 ? 1 : 2;
		c->tmpl_out = out;
		return;
	}
	if (starts(r, n, "pMechanism->type=")) { /* C_DeriveKey writes it so */
		if (scalar(c, 0, "pMechanism->type", 16, r + 17, n - 17) < 0)
			p->stop = 1;
		return;
	}
	for (i = 0; i + 3 <= n; i++)
		if (r[i] == ' ' && r[i + 1] == '=' && r[i + 2] == ' ') {
			eq = r + i;
			break;
		}
	if (eq) {
		if (scalar(c, out, r, (size_t)(eq - r), eq + 3, (size_t)(r + n - eq - 3)) < 0)
			p->stop = 1;
		return;
	}
	if (buffer_line(p, c, out, r, n))
		return;
	skip_line(p, lineno, off, "a parameter line of no shape the shim writes");
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
	if (parse_bufspec(v, (size_t)(t + tn - v), &len))
		pd_open(c, PD_BYTES, 0, name, strlen(name), len);
	else if (scalar(c, 0, name, strlen(name), v, (size_t)(t + tn - v)) < 0)
		p->stop = 1;
}

/* An indented line (6 blanks or a tab) continuing call c. */
static void cont_line(struct hs_parser *p, struct call *c, const char *s, size_t n,
                      int64_t lineno, int64_t off)
{
	const char *t = s, *end = s + n;
	size_t tn;
	int64_t h;

	p->last = c;
	if (c->pd.kind != PD_NONE &&
	    (take_generic_row(p, &c->pd, s, n) || take_print_line(p, &c->pd, s, n)))
		return;
	flush_pending(p, c);
	while (t < end && (*t == ' ' || *t == '\t'))
		t++;
	tn = (size_t)(end - t);
	if (c->section == 2) { /* info text: labels, versions, flags, lists */
		put_line(p, c, s, n);
		return;
	}
	if (c->section == 1 && (starts(t, tn, "CKA_") || starts(t, tn, "DN: "))) {
		if (t[3] == '_')
			attr_line(p, c, c->tmpl_out, t, tn);
		else
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
	if (starts(t, tn, "pMechanism->type=")) {
		if (scalar(c, 0, "pMechanism->type", 16, t + 17, tn - 17) < 0)
			p->stop = 1;
	} else if (starts(t, tn, "pMechanism->pParameter->") || starts(t, tn, "pApplication=") ||
	           starts(t, tn, "Notify=")) {
		const char *eq = memchr(t, '=', tn);
		if (scalar(c, 0, t, (size_t)(eq - t), eq + 1, (size_t)(end - eq - 1)) < 0)
			p->stop = 1;
	} else if (starts(t, tn, "Object 0x") && hs_parse_int(t + 7, &h)) {
		if (hs_p11call_found(&c->pc, h) < 0)
			p->stop = 1;
	} else if (starts(t, tn, "CKF_") || starts(t, tn, "Parameters block for ")) {
		struct hs_buf b;
		hs_buf_init(&b);
		if (hs_buf_printf(&b, "    %.*s", (int)tn, t) < 0 || hs_p11call_line(&c->pc, b.data, b.len) < 0)
			p->stop = 1;
		hs_buf_free(&b);
	} else if (tn == 1 && t[0] == '}') {
		/* the end of a parameter block: nothing to keep */
	} else if (strcmp(c->pc.ev.func, "C_GetMechanismInfo") == 0 &&
	           (starts(t, tn, "CKM_") || starts(t, tn, "Vendor defined ("))) {
		if (scalar(c, 0, "type", 4, t, tn) < 0)
			p->stop = 1;
	} else if (strcmp(c->pc.ev.func, "C_GetMechanismInfo") == 0 &&
	           starts(t, tn, "Unknown Mechanism (") && tn > 20) {
		/* a number the shim's table lacks: its CKM_ name when ours has it */
		char v[24];
		const char *known;
		snprintf(v, sizeof v, "0x%.*s", (int)(tn - 20 < 16 ? tn - 20 : 16), t + 19);
		if (!hs_parse_int(v, &h))
			h = 0;
		known = hs_ck_name(HS_CK_MECH, (uint64_t)h);
		if (hs_p11call_scalar(&c->pc, 0, "type", known ? known : v) < 0)
			p->stop = 1;
	} else {
		skip_line(p, lineno, off, "an indented line of no shape the shim writes");
	}
}

/* A dump row no pending value of `c` takes may be another thread's. */
static struct call *row_owner(struct hs_parser *p, struct call *c, const char *s, size_t n)
{
	int64_t off = 0;
	size_t i;
	int k;

	if (c && c->pd.kind != PD_NONE)
		return c;
	if (n < 14 || !starts(s, n, IND))
		return c;
	for (i = 6; i < 14; i++) {
		if (!is_hex(s[i]))
			return c;
		off = off * 16 + hexval(s[i]);
	}
	for (k = p->count - 1; k >= 0; k--) {
		struct call *o = q_at(p, k);
		if (!o->returned && o->pd.kind != PD_NONE && o->pd.style != 2 && o->pd.got == off)
			return o;
	}
	return c;
}

/* Give the [out] lines held in limbo to the call they turned out to be. */
static void replay_limbo(struct hs_parser *p, struct call *c, int64_t lineno, int64_t off)
{
	const char *s = p->limbo.data, *end = s ? s + p->limbo.len : NULL;

	p->replaying = 1;
	while (s && s < end && !p->stop) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		if (starts(s, n, "[out] "))
			param_line(p, c, 1, s + 6, n - 6, lineno, off);
		else
			cont_line(p, c, s, n, lineno, off);
		s = nl ? nl + 1 : end;
	}
	p->replaying = 0;
	c->pc.ev.elided_lines += p->limbo_lost;
	p->limbo_lost = 0;
	hs_buf_clear(&p->limbo);
	p->in_limbo = 0;
}

static void to_limbo(struct hs_parser *p, const char *s, size_t n)
{
	if (p->limbo.len + n + 1 > LIMBO_MAX) {
		p->limbo_lost++;
		return;
	}
	if (hs_buf_add(&p->limbo, s, n) < 0 || hs_buf_addc(&p->limbo, '\n') < 0)
		p->stop = 1;
	p->in_limbo = 1;
}

/* ------------------------------------------------------- block lines */

static void on_header(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	const char *r = s + 6, *end = s + n, *nm;
	int64_t num = HS_NONE;
	struct call *c, *o;
	size_t d = 0;

	while (r + d < end && is_digit(r[d]))
		d++;
	if (!d || !starts(r + d, (size_t)(end - r - d), " - ")) {
		skip_line(p, lineno, off, "a [cnt] line without a counter and a function");
		return;
	}
	if (!whole_int(r, d, &num))
		num = HS_NONE;
	nm = r + d + 3;
	if (p->count == QMAX)
		emit_front(p, 1);
	c = p->spare;
	if (c) {
		p->spare = NULL;
		hs_p11call_reset(&c->pc);
	} else {
		c = malloc(sizeof *c);
		if (!c) {
			p->stop = 1;
			return;
		}
		hs_p11call_init(&c->pc);
		c->pd.b = NULL, c->pd.cap = 0;
	}
	if (hs_p11call_func(&c->pc, nm, (size_t)(end - nm)) < 0) {
		p->spare = c;
		skip_line(p, lineno, off, "a [cnt] line naming no PKCS#11 function");
		return;
	}
	c->fields = 0, c->closed = 0, c->returned = 0, c->section = 0, c->tmpl_out = 0;
	c->toc = HS_NONE, c->close_seq = 0;
	pd_clear(&c->pd);
	o = oldest_open(p, 0); /* a re-parse must rebuild every call still open */
	if (o)
		c->res = o->res;
	else
		take_snap(p, &c->res, off, lineno);
	if (!p->ninst)
		new_instance(p, HS_NONE); /* text before any banner */
	c->pc.ev.format = "shim";
	c->pc.ev.file_id = p->file_id;
	c->pc.ev.offset = off;
	c->pc.ev.line = lineno;
	c->pc.ev.call_no = num;
	c->pc.ev.instance = p->ninst - 1;
	c->pc.ev.ts_utc = 0;
	c->pc.ev.skipped_lines = p->pending_skips;
	p->pending_skips = 0;
	p->q[(p->head + p->count) % QMAX] = c;
	p->count++;
	p->cur = c;
}

/* [pid] [ppd] [tid] [tic]: field k (1..4) of the newest call expecting it. */
static void on_field(struct hs_parser *p, int k, const char *v, size_t vn, int64_t off,
                     int64_t lineno)
{
	struct call *c = NULL;
	int64_t x = HS_NONE;
	int i, pass;

	if (k == 4 ? (x = parse_ts(v, vn)) == HS_NONE : !whole_int(v, vn, &x)) {
		skip_line(p, lineno, off, "a header line with an unreadable value");
		return;
	}
	for (pass = 0; pass < 2 && !c; pass++) /* exact next field, else any still missing it */
		for (i = p->count - 1; i >= 0 && !c; i--) {
			struct call *o = q_at(p, i);
			if (!o->returned && (pass ? o->fields < k : o->fields == k - 1))
				c = o;
		}
	if (!c) {
		skip_line(p, lineno, off, "a header line without its [cnt]");
		return;
	}
	c->fields = k;
	p->cur = c;
	if (k == 1) {
		int64_t inst = HS_NONE, j;
		for (j = p->ninst - 1; j >= 0 && j >= p->ninst - MAX_INST; j--)
			if (p->inst_pid[j % MAX_INST] == x) {
				inst = j;
				break;
			}
		if (inst == HS_NONE && p->inst_pid[(p->ninst - 1) % MAX_INST] == HS_NONE)
			p->inst_pid[(inst = p->ninst - 1) % MAX_INST] = x; /* no banner named it */
		c->pc.ev.pid = x;
		c->pc.ev.instance = inst != HS_NONE ? inst : new_instance(p, x);
	} else if (k == 3) {
		c->pc.ev.tid = x;
		/* a thread is in one call at a time: its older open calls are over */
		for (i = 0; i < p->count; i++) {
			struct call *o = q_at(p, i);
			if (o != c && !o->returned && o->pc.ev.tid == x && o->pc.ev.pid == c->pc.ev.pid)
				o->returned = 1, o->pc.ev.incomplete = 1, p->st.incomplete++;
		}
		emit_front(p, 0);
	} else if (k == 4) {
		c->pc.ev.ts_us = x;
	}
}

/* The call a [toc] at `toc` with [lap] `lap` (either may be HS_NONE) ends. */
static struct call *close_call(struct hs_parser *p, int64_t toc, int64_t lap, int64_t lineno,
                               int64_t off)
{
	struct call *c = NULL;
	int i;

	if (toc != HS_NONE && lap != HS_NONE)
		for (i = 0; i < p->count && !c; i++) {
			struct call *o = q_at(p, i);
			if (!o->returned && !o->closed && o->fields >= 4 && o->pc.ev.ts_us == toc - lap)
				c = o;
		}
	if (!c)
		c = oldest_open(p, 1);
	if (!c)
		return NULL;
	c->closed = 1;
	c->close_seq = ++p->close_seq;
	c->toc = toc;
	if (lap != HS_NONE && lap >= 0)
		c->pc.ev.dur_us = lap;
	else if (toc != HS_NONE && c->pc.ev.ts_us != HS_NONE && toc >= c->pc.ev.ts_us)
		c->pc.ev.dur_us = toc - c->pc.ev.ts_us;
	if (p->limbo.len || p->limbo_lost)
		replay_limbo(p, c, lineno, off);
	return c;
}

static void on_ret(struct hs_parser *p, const char *v, size_t vn, int64_t off, int64_t lineno)
{
	struct call *c = NULL;
	int64_t rv;
	int used, i;
	const char *nm;

	for (i = 0; i < p->count; i++) { /* the first closed is the first to return */
		struct call *o = q_at(p, i);
		if (!o->returned && o->closed && (!c || o->close_seq < c->close_seq))
			c = o;
	}
	if (!c)
		c = close_call(p, p->toc, HS_NONE, lineno, off);
	p->toc = HS_NONE;
	used = vn ? hs_parse_int(v, &rv) : 0;
	if (!c || !used) {
		skip_line(p, lineno, off, c ? "a [ret] line without a number" : "a [ret] line without a call");
		return;
	}
	flush_pending(p, c);
	nm = hs_skip_ws(v + used);
	hs_p11call_return(&c->pc, rv, nm, (size_t)(v + vn - nm));
	c->returned = 1;
	emit_front(p, 0);
}

static void on_out(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	struct call *c;

	if (count_unclosed(p) > 1 || p->in_limbo) { /* whose it is, the next [lap] says */
		to_limbo(p, s, n);
		return;
	}
	c = newest_open(p, 1);
	if (!c) {
		skip_line(p, lineno, off, "an [out] line without a call");
		return;
	}
	if (p->limbo.len)
		replay_limbo(p, c, lineno, off);
	param_line(p, c, 1, s + 6, n - 6, lineno, off);
}

/* ------------------------------------------------------------- feeding */

static int shim_feed(struct hs_parser *p, const char *line, size_t len, int64_t off, int64_t lineno)
{
	size_t n = trim_end(line, len);
	struct call *c;
	const char *s;
	int64_t v;

	if (n == 0 || p->stop) /* a blank line opens every block */
		return p->stop;
	hs_buf_clear(&p->line);
	if (hs_buf_add(&p->line, line, n) < 0)
		return (p->stop = 1);
	s = p->line.data;
	if (starts(s, n, IND) || s[0] == '\t') {
		if (p->in_limbo) {
			to_limbo(p, s, n);
			return p->stop;
		}
		c = row_owner(p, is_open(p, p->last) ? p->last : newest_open(p, 0), s, n);
		if (c)
			cont_line(p, c, s, n, lineno, off);
		else
			skip_line(p, lineno, off, "an indented line outside any call");
		return p->stop;
	}
	p->in_limbo = 0;
	if (n >= 6 && s[0] == '[' && s[4] == ']' && s[5] == ' ') {
		const char *v6 = s + 6;
		size_t vn = n - 6;
		if (memcmp(s, "[cnt]", 5) == 0)
			on_header(p, s, n, off, lineno);
		else if (memcmp(s, "[pid]", 5) == 0)
			on_field(p, 1, v6, vn, off, lineno);
		else if (memcmp(s, "[ppd]", 5) == 0)
			on_field(p, 2, v6, vn, off, lineno);
		else if (memcmp(s, "[tid]", 5) == 0)
			on_field(p, 3, v6, vn, off, lineno);
		else if (memcmp(s, "[tic]", 5) == 0)
			on_field(p, 4, v6, vn, off, lineno);
		else if (memcmp(s, "[toc]", 5) == 0) {
			if ((p->toc = parse_ts(v6, vn)) == HS_NONE)
				skip_line(p, lineno, off, "a [toc] line without a time");
		} else if (memcmp(s, "[lap]", 5) == 0) {
			if ((v = parse_lap(v6, vn)) == HS_NONE || !close_call(p, p->toc, v, lineno, off))
				skip_line(p, lineno, off, "a [lap] line without a call or a time");
			p->toc = HS_NONE;
		} else if (memcmp(s, "[ret]", 5) == 0)
			on_ret(p, v6, vn, off, lineno);
		else if (memcmp(s, "[in ]", 5) == 0 || memcmp(s, "[out]", 5) == 0) {
			if (s[1] == 'o') {
				on_out(p, s, n, off, lineno);
				return p->stop;
			}
			c = is_open(p, p->cur) && !p->cur->closed ? p->cur : newest_open(p, 1);
			if (c)
				param_line(p, c, 0, v6, vn, lineno, off);
			else
				skip_line(p, lineno, off, "an [in ] line without a call");
		} else if (memcmp(s, "[lib]", 5) != 0) /* "[lib] process forked ..", "[lib] *** EOF ***" */
			skip_line(p, lineno, off, "a bracketed line the shim does not write");
		return p->stop;
	}
	if (starts(s, n, "[in] ")) { /* _shim_dump_ptr: "[in] pReserved = %p" */
		c = is_open(p, p->cur) && !p->cur->closed ? p->cur : newest_open(p, 1);
		if (c)
			param_line(p, c, 0, s + 5, n - 5, lineno, off);
		else
			skip_line(p, lineno, off, "an [in] line without a call");
		return p->stop;
	}
	if (is_hex(s[0]) && parse_bufspec(s, n, &v) && is_open(p, p->last)) {
		/* the bytes behind pReserved, printed with no prefix */
		flush_pending(p, p->last);
		pd_open(p->last, PD_BYTES, 0, "*pReserved", 10, v);
		return p->stop;
	}
	if (starts(s, n, "pid: ") && whole_int(s + 5, n - 5, &v)) { /* a process's banner */
		new_instance(p, v);
		return p->stop;
	}
	if (s[0] == '*' || starts(s, n, "ppid: ") || starts(s, n, "PKCS11SHIM_") ||
	    starts(s, n, "library: \""))
		return p->stop; /* the rest of the banner */
	skip_line(p, lineno, off, "text outside the shim's layout");
	return p->stop;
}

static struct hs_parser *shim_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->sink = *sink;
	p->file_id = o->file_id;
	p->toc = HS_NONE;
	hs_buf_init(&p->line);
	hs_buf_init(&p->limbo);
	return p;
}

/* state: "inst=K p=P1,P2,.." — the number of instances and the pids of the
 * newest ones, newest first (-1 unknown). */
static void shim_resume(struct hs_parser *p, const char *state)
{
	long long k, pid;
	int used = 0, i;
	const char *s;

	if (!state || sscanf(state, "inst=%lld%n", &k, &used) != 1 || k <= 0 || k > (1LL << 40))
		return;
	p->ninst = k;
	for (i = 0; i < MAX_INST; i++)
		p->inst_pid[i] = -2; /* an instance whose pid was not saved takes no call */
	s = state + used;
	if (strncmp(s, " p=", 3) != 0)
		return;
	for (s += 3, i = 0; i < SNAP && i < k && sscanf(s, "%lld%n", &pid, &used) == 1; i++) {
		p->inst_pid[(k - 1 - i) % MAX_INST] = pid < 0 ? HS_NONE : pid;
		s += used;
		if (*s != ',')
			break;
		s++;
	}
}

static void shim_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                        struct hs_parse_stats *st)
{
	struct call *c = oldest_open(p, 0);
	struct resume_point r;
	size_t len;
	int i;

	if ((p->limbo.len || p->limbo_lost) && oldest_open(p, 1))
		replay_limbo(p, oldest_open(p, 1), end_line, end_offset);
	if (c)
		r = c->res;
	else
		take_snap(p, &r, end_offset, end_line);
	emit_front(p, p->count);
	p->st.safe_offset = r.offset;
	p->st.safe_line = r.line;
	len = (size_t)snprintf(p->st.state, sizeof p->st.state, "inst=%lld p=", (long long)r.ninst);
	for (i = 0; i < r.n && len + 24 < sizeof p->st.state; i++)
		len += (size_t)snprintf(p->st.state + len, sizeof p->st.state - len, "%s%lld", i ? "," : "",
		                        (long long)(r.pid[i] == HS_NONE ? -1 : r.pid[i]));
	*st = p->st;
}

static void shim_destroy(struct hs_parser *p)
{
	if (!p)
		return;
	p->stop = 1; /* calls still held (no finish()) are freed, not emitted */
	emit_front(p, p->count);
	if (p->spare) {
		free(p->spare->pd.b);
		hs_p11call_free(&p->spare->pc);
		free(p->spare);
	}
	hs_buf_free(&p->line);
	hs_buf_free(&p->limbo);
	free(p);
}

static int shim_probe(const char *const *lines, int nlines)
{
	int i, score = 0;
	int64_t v;

	for (i = 0; i < nlines; i++) {
		const char *s = lines[i];
		size_t n = trim_end(s, strlen(s)), d = 6;
		if (n > 20 && strstr(s, "PKCS#11 shim library"))
			score += 60;
		else if (starts(s, n, "PKCS11SHIM_CONSISTENCY=") || starts(s, n, "PKCS11SHIM_LIBRARY="))
			score += 20;
		else if (n < 7 || s[0] != '[' || s[4] != ']' || s[5] != ' ')
			continue;
		else if (memcmp(s, "[cnt]", 5) == 0) {
			while (d < n && is_digit(s[d]))
				d++;
			score += d > 6 && starts(s + d, n - d, " - ") ? 25 : 0;
		} else if (memcmp(s, "[tic]", 5) == 0 || memcmp(s, "[toc]", 5) == 0)
			score += parse_ts(s + 6, n - 6) != HS_NONE ? 10 : 0;
		else if (memcmp(s, "[lap]", 5) == 0)
			score += parse_lap(s + 6, n - 6) != HS_NONE ? 10 : 0;
		else if (memcmp(s, "[ret]", 5) == 0)
			score += hs_parse_int(s + 6, &v) ? 10 : 0;
		else if (memcmp(s, "[pid]", 5) == 0 || memcmp(s, "[tid]", 5) == 0)
			score += whole_int(s + 6, n - 6, &v) ? 3 : 0;
	}
	return score > 100 ? 100 : score;
}

static const char *const shim_samples[] = {
	"************************* PKCS#11 shim library *****************************",
	"* - version 1.9.0                                                          *",
	"pid: 9151",
	"ppid: unforked",
	"PKCS11SHIM_LIBRARY=/usr/lib/softhsm/libsofthsm2.so",
	"PKCS11SHIM_CONSISTENCY=0",
	"",
	"[cnt] 0000000000000001 - C_Initialize",
	"[pid] 9151",
	"[ppd] 9139",
	"[tid] 9151",
	"[tic] 2026-12-01 07:33:37.619426",
	"[in ] pInitArgs = (nil)",
	"[toc] 2026-12-01 07:33:37.619944",
	"[lap] 0.000518",
	"[ret] 0 CKR_OK",
	NULL,
};

const struct hs_parser_desc hs_parser_shim = {
	.name = "shim",
	.title = "Mastercard libpkcs11shim",
	.call_trace = 1,
	.probe = shim_probe,
	.create = shim_create,
	.resume = shim_resume,
	.feed_line = shim_feed,
	.finish = shim_finish,
	.destroy = shim_destroy,
	.samples = shim_samples,
};
