/* parse_spy.c — OpenSC pkcs11-spy logs, both header styles.
 *
 * A spy call looks like
 *     N: C_Name
 *     YYYY-MM-DD HH:MM:SS.mmm                      (OpenSC <= 0.23)
 *     P:<pid>; T:0x<tid> YYYY-MM-DD HH:MM:SS.mmm   (OpenSC >= 0.24)
 *     [in] ... / [out] ... / indented templates and hex dumps
 *     Returned:  <rv> <CKR_NAME>
 * and every process that loads the spy writes a banner and restarts N at 0.
 * Threads and processes appending to one file interleave at the granularity
 * of the spy's fprintf calls, so a call's lines can be apart.
 *
 * Data structure: `q` is the FIFO of calls (callq.h) in the order their
 * headers were read. A call stays in it until it has returned (or is given
 * up as incomplete) *and* every call before it has been emitted, so events
 * leave in header order. Which open call a line belongs to is decided per kind of
 * line: a timestamp goes to the newest call still without one, `[in]` to the
 * newest call, `[out]` and `Returned:` to the oldest open call (the spy
 * prints them when the call returns, and with several threads in flight the
 * one that entered first is the likeliest to leave first), and a hex dump
 * line to the call whose dump it continues: print_generic lines carry their
 * offset and print_print lines alternate hex/ascii, so among the calls with
 * a dump still short of its announced length, the one expecting exactly
 * this line (the newest such) takes it. A thread that starts a new call
 * ends any older call of its own as incomplete: a thread is in one call at
 * a time. A banner makes every call still open "suspect" (its process may
 * have been killed in it): a suspect call takes a return only when no
 * other call is open, so a dead call does not shift every later return.
 * Instances are numbered from 0 in banner order; text before any banner
 * (a log cut from the middle) is instance 0 too.
 *
 * The reader's lines are not NUL-terminated, so each line is first copied
 * into `line` (a NUL after it) and everything below reads that copy.
 *
 * Resume: every call remembers, as `res`, where a re-parse would have to
 * start for it to be rebuilt (its own header, or that of the oldest call
 * still open when it began, whose lines may come after it) and the instance
 * numbering at that point; finish() reports the res of the oldest call
 * still open, or the end, as safe_offset and state.
 *
 * The parser only reads; redaction is applied to every event after it
 * leaves here (see redact.h), and the parser never copies a PIN dump into
 * the summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hsmscope/callq.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#define QMAX 256                /* calls held at once before the oldest is forced out */
#define MAX_INSTANCES 64        /* process instances remembered for attribution */
#define SNAP 3                  /* newest instances saved in the resume state */

/* Where a re-parse starts and the instance numbering just before it. */
struct resume_point {
	int64_t offset, line;       /* a call's header line, or the end */
	int64_t ninst;              /* instances so far; 0 = only the unused implicit one */
	int64_t unbound_from;       /* first instance whose pid was not known */
	int n;                      /* entries used in in[] */
	struct {
		int64_t id, pid, last_n;
	} in[SNAP];                 /* the newest instances, newest first */
};

struct call {
	struct hs_callq_call qc;    /* the event being built, returned: Returned: seen or
	                               given up; first */
	int has_ts;                 /* timestamp line seen */
	int suspect;                /* open when a later banner came: its process
	                               may have been killed, so it takes a return
	                               only when no other call is open */
	int64_t dump_left;          /* bytes of the dump in progress not yet seen, 0 none */
	int64_t dump_next;          /* print_generic: offset its next line must show */
	int print_next;             /* print_print: 1 hex line expected, 2 ascii, 0 neither */
	uint64_t dump_seq;          /* when the dump opened: the newest claims a line */
	int label_next;             /* the print_print dump in progress is CKA_LABEL's value */
	int64_t guessed_last_n;     /* last_n of ev.instance before the header took it,
	                               restored when a pid names another instance */
	struct resume_point res;    /* where a re-parse must start to rebuild this call */
};

struct instance {
	int64_t pid;                /* HS_NONE until a new-style header names it */
	int64_t last_n;             /* last call number seen, -1 none, -2 unknown (resumed) */
};

struct hs_parser {
	struct hs_sink sink;        /* where events go */
	int file_id;
	struct hs_callq q;          /* the open calls, in header order; owns them */
	struct instance inst[MAX_INSTANCES]; /* ring of recent instances */
	int64_t ninst;              /* instances seen (banners, plus one implicit) */
	int implicit;               /* instance 0 exists only for text before a banner and
	                               has no call yet: the first banner takes it over */
	int64_t unbound_from;       /* first instance whose pid is not known yet */
	int after_banner;           /* the previous line was the banner */
	int stop;                   /* the sink asked to stop */
	struct call *last;          /* call that took the last detail line (may be gone) */
	uint64_t seq;               /* dumps opened so far */
	struct hs_buf line;         /* the current line, NUL-terminated */
	struct hs_parse_stats st;   /* running counters */
};

static const char banner_mark[] = "OpenSC PKCS#11 spy";

/* ---------------------------------------------------------------- helpers */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
static int hexval(char c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

static struct instance *inst_get(struct hs_parser *p, int64_t id)
{
	return &p->inst[id % MAX_INSTANCES];
}

static int64_t new_instance(struct hs_parser *p)
{
	int64_t id = p->ninst++;
	struct instance *in = inst_get(p, id);

	in->pid = HS_NONE;
	in->last_n = -1;
	return id;
}

/* "N: C_Name", trailing blanks allowed. Names without "C_" are taken only
 * when they are a PKCS#11 function once "C_" is put in front (the spy
 * prints "SetOperationState"), so "1: Setup" in pasted prose is no call.
 * The name is written, normalized, into func. */
static int parse_header(const char *s, size_t n, int64_t *num, char *func, size_t funclen)
{
	size_t i = 0, j, nlen;
	const char *name;

	while (i < n && is_digit(s[i]))
		i++;
	if (i == 0 || i > 12 || i + 2 >= n || s[i] != ':' || s[i + 1] != ' ')
		return 0;
	j = i + 2;
	name = s + j;
	while (j < n && (s[j] == '_' || is_digit(s[j]) || (s[j] >= 'A' && s[j] <= 'Z') ||
	                 (s[j] >= 'a' && s[j] <= 'z')))
		j++;
	nlen = (size_t)(s + j - name);
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j != n || nlen < 3 || nlen + 3 > funclen)
		return 0;
	if (name[0] == 'C' && name[1] == '_') {
		memcpy(func, name, nlen);
		func[nlen] = '\0';
	} else {
		if (name[0] < 'A' || name[0] > 'Z')
			return 0;
		func[0] = 'C', func[1] = '_';
		memcpy(func + 2, name, nlen);
		func[nlen + 2] = '\0';
		if (!hs_ck_func_hint(func)[0])
			return 0;
	}
	hs_parse_int(s, num);
	return 1;
}

/* The n digits at s as a number, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD HH:MM:SS.mmm" (zero-padded, any fraction up to µs) at s,
 * which is NUL-terminated at or after s[n]; returns µs or HS_NONE. Read
 * by position, not sscanf: this runs for every call (sscanf was 5% of a
 * build). */
static int64_t parse_ts(const char *s, size_t n)
{
	int y, mo, d, h, mi, sec, used = 19, k;
	long us = 0;

	if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return HS_NONE;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
		return HS_NONE;
	if ((size_t)used < n && s[used] == '.')
		for (k = 0, used++; k < 6; k++)
			us = us * 10 + ((size_t)used < n && is_digit(s[used]) ? s[used++] - '0' : 0);
	if ((size_t)used != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return HS_NONE;
	return hs_civil_to_us(y, mo, d, h, mi, sec, us);
}

/* "P:<pid>; T:0x<tid> <ts>" — the tid is printed in decimal after "0x" by
 * the spy (and with no "0x" on Windows); digits a-f mean it really is hex. */
static int parse_new_ts(const char *s, size_t n, int64_t *pid, int64_t *tid, int64_t *ts)
{
	const char *p = s, *end = s + n, *t;
	uint64_t v = 0;
	int hex = 0;

	if (n < 10 || s[0] != 'P' || s[1] != ':')
		return 0;
	p += 2;
	if (!hs_parse_int(p, pid))
		return 0;
	while (p < end && is_digit(*p))
		p++;
	if (end - p < 6 || memcmp(p, "; T:", 4) != 0)
		return 0;
	p += 4;
	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	for (t = p; t < end && is_hex(*t); t++)
		if (!is_digit(*t))
			hex = 1;
	if (t == p || t - p > 20)
		return 0;
	for (; p < t; p++) /* unsigned: a 64-bit pthread_t may use the top bit */
		v = hex ? v * 16 + (uint64_t)hexval(*p) : v * 10 + (uint64_t)(*p - '0');
	*tid = (int64_t)v;
	if (p >= end || *p != ' ')
		return 0;
	*ts = parse_ts(p + 1, (size_t)(end - p - 1));
	return *ts != HS_NONE;
}

/* ------------------------------------------------------------ call queue */

static struct call *q_at(struct hs_parser *p, int i)
{
	return (struct call *)hs_callq_at(&p->q, i);
}

/* c may be NULL or a call that has left. */
static int is_open(struct hs_parser *p, const struct call *c)
{
	return hs_callq_is_open(&p->q, (const struct hs_callq_call *)c);
}

static struct call *newest_open(struct hs_parser *p)
{
	return (struct call *)hs_callq_newest_open(&p->q);
}

static void drain(struct hs_parser *p) { hs_callq_emit_front(&p->q, 0); }

/* A call leaves: `last` must not point at it when it is recycled. */
static void forget_call(void *ctx, struct hs_callq_call *c)
{
	struct hs_parser *p = ctx;

	if ((struct hs_callq_call *)p->last == c)
		p->last = NULL;
}

/* The oldest open call other than `avoid` (NULL: any); with `live`, one
 * not suspected dead if there is such a call. */
static struct call *oldest_open(struct hs_parser *p, const struct call *avoid, int live)
{
	int i;

	for (; live >= 0; live--)
		for (i = 0; i < p->q.count; i++) {
			struct call *c = q_at(p, i);
			if (!c->qc.returned && c != avoid && !(live && c->suspect))
				return c;
		}
	return NULL;
}

/* A line no call can take: counted, reported, and charged to the open
 * call it interrupts or else to the next call's header. */
static void skip_line(struct hs_parser *p, int64_t lineno, int64_t off, const char *why)
{
	hs_callq_skip(&p->q, hs_callq_newest_open(&p->q), lineno, off, why);
}

/* ---------------------------------------------------------- line kinds */

/* The spy's dump lines (pkcs11-display.c). Returns 1 for a print_generic
 * line "    0000001F  AB CD ...  ascii" (*off = its offset, *bytes = the
 * bytes it shows), 2 for a print_print hex line "    62617369 632D7273 61"
 * (*bytes), 3 for a print_print ascii line "     b a s i  c - r s  a"
 * (*bytes; for values over 32 bytes the spy prints no newline before the
 * next chunk's hex, which *glued counts and *off locates), 0 otherwise. */
static int dump_kind(const char *s, size_t n, int64_t *off, int *bytes, int *glued)
{
	size_t i;
	int64_t v = 0;
	int k = 0, digits = 0, group = 0;

	*bytes = *glued = 0;
	if (n < 6 || memcmp(s, "    ", 4) != 0)
		return 0;
	if (n >= 14 && s[12] == ' ' && s[13] == ' ') {
		for (i = 4; i < 12 && is_hex(s[i]); i++)
			v = v * 16 + hexval(s[i]);
		if (i == 12) {
			for (i = 14; i + 1 < n && i < 14 + 48; i += 3)
				if (is_hex(s[i]) && is_hex(s[i + 1]))
					k++;
			*off = v;
			*bytes = k;
			return k ? 1 : 0;
		}
	}
	i = 4;
	if (s[4] == ' ') {
		/* ascii: " c" pairs, a blank between groups of four */
		while (i < n && k < 32) {
			if (k && k % 4 == 0 && s[i++] != ' ')
				return 0;
			if (i + 1 >= n || s[i] != ' ' || s[i + 1] <= ' ' || s[i + 1] > '~')
				return 0;
			i += 2;
			k++;
		}
		*bytes = k;
		if (i == n)
			return 3;
		if (k < 32)
			return 0;
	}
	/* hex: groups of up to 8 digits, one blank between groups */
	for (; i < n; i++) {
		if (is_hex(s[i])) {
			if (++group > 8)
				return 0;
			digits++;
		} else if (s[i] == ' ' && group && i + 1 < n && is_hex(s[i + 1])) {
			group = 0;
		} else {
			return 0;
		}
	}
	if (!digits || digits % 2)
		return 0;
	if (s[4] == ' ') {
		*glued = digits / 2;
		*off = (int64_t)(n - (size_t)digits - (size_t)(digits - 1) / 8);
		return 3;
	}
	*bytes = digits / 2;
	return 2;
}

/* The line announces a dump: "... <addr> / <len>" with len > 0. */
static int64_t opens_dump(const char *s, size_t n)
{
	size_t i;
	int64_t len = 0;

	for (i = n; i > 2; i--)
		if (s[i - 1] == '/' && s[i - 2] == ' ')
			break;
	if (i <= 2 || i + 1 >= n || s[i] != ' ' || s[i + 1] < '1' || s[i + 1] > '9')
		return 0;
	for (i += 1; i < n && is_digit(s[i]) && len < ((int64_t)1 << 40); i++)
		len = len * 10 + (s[i] - '0');
	return i == n ? len : 0;
}

/* The call whose dump this line continues: among open calls with bytes
 * still to come that expect this kind of line (at this offset), the one
 * whose dump opened last, preferring those expecting exactly as many bytes
 * (a full line or the rest) over those expecting more (a line cut short
 * when another process's buffer was flushed into the middle of it). */
static struct call *dump_owner(struct hs_parser *p, int kind, int64_t off, int bytes)
{
	struct call *best = NULL;
	int i, score, best_score = 0;

	for (i = 0; i < p->q.count; i++) {
		struct call *o = q_at(p, i);
		int64_t full = kind == 1 ? 16 : 32, want = o->dump_left < full ? o->dump_left : full;
		if (o->qc.returned || o->dump_left <= 0 || bytes > want)
			continue;
		if (kind == 1 ? (o->print_next == 2 || o->dump_next != off) :
		    kind == 2 ? o->print_next != 1 : o->print_next != 2)
			continue;
		score = bytes == want ? 2 : 1;
		if (score > best_score || (score == best_score && o->dump_seq > best->dump_seq))
			best = o, best_score = score;
	}
	return best;
}

static void decode_label(struct call *c, const char *s, size_t from, size_t n)
{
	size_t i, o = strlen(c->qc.pc.label);

	for (i = from; i + 1 < n && o + 1 < sizeof c->qc.pc.label; i++) {
		if (!is_hex(s[i]) || !is_hex(s[i + 1]))
			continue;
		char ch = (char)(hexval(s[i]) * 16 + hexval(s[i + 1]));
		c->qc.pc.label[o++] = (ch >= 0x20 && ch < 0x7f && ch != '"') ? ch : '.';
		i++;
	}
	c->qc.pc.label[o] = '\0';
}

/* --------------------------------------------------------------- parser */

/* `prefer`: the call that took the start of this line, when the spy glued
 * the Returned onto its own line; `avoid`: the call whose dump line another
 * thread's Returned landed in. */
static void on_returned(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno,
                        struct call *prefer, struct call *avoid)
{
	struct call *c = is_open(p, prefer) ? prefer : oldest_open(p, avoid, 1);
	const char *q = hs_skip_ws(s + 9), *end = s + n;
	int64_t rv;
	int used;

	if (!c)
		c = oldest_open(p, NULL, 1);
	if (!c) {
		skip_line(p, lineno, off, "'Returned:' without a call");
		return;
	}
	used = q < end ? hs_parse_int(q, &rv) : 0;
	if (used) {
		const char *nm = hs_skip_ws(q + used);
		hs_p11call_return(&c->qc.pc, rv, nm, nm < end ? (size_t)(end - nm) : 0);
	}
	c->qc.returned = 1;
	drain(p);
}

/* The instance numbering as it is now, for a re-parse starting here. */
static void take_snap(struct hs_parser *p, struct resume_point *r, int64_t off, int64_t lineno)
{
	int64_t k;

	r->offset = off;
	r->line = lineno;
	r->ninst = p->implicit ? 0 : p->ninst;
	r->unbound_from = p->unbound_from;
	r->n = 0;
	for (k = p->ninst - 1; !p->implicit && k >= 0 && r->n < SNAP; k--, r->n++) {
		r->in[r->n].id = k;
		r->in[r->n].pid = inst_get(p, k)->pid;
		r->in[r->n].last_n = inst_get(p, k)->last_n;
	}
}

static void on_header(struct hs_parser *p, int64_t num, const char *func,
                      int64_t off, int64_t lineno)
{
	int64_t id = p->ninst - 1, k;
	struct call *o = oldest_open(p, NULL, 0), *c;
	struct resume_point res;

	/* A re-parse for this call must also rebuild every call still open. */
	if (o)
		res = o->res;
	else
		take_snap(p, &res, off, lineno);
	/* Old-style logs carry no pid: when processes interleave, a call whose
	 * number continues another live instance's count belongs to it. */
	if (!p->after_banner && inst_get(p, id)->last_n + 1 != num) {
		for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
			if (inst_get(p, k)->last_n + 1 == num) {
				id = k;
				break;
			}
	}
	p->after_banner = 0;
	p->implicit = 0;
	c = (struct call *)hs_callq_new(&p->q);
	if (!c) {
		p->stop = 1;
		return;
	}
	c->res = res;
	c->qc.pc.ev.format = "spy";
	c->qc.pc.ev.file_id = p->file_id;
	c->qc.pc.ev.offset = off;
	c->qc.pc.ev.line = lineno;
	c->qc.pc.ev.call_no = num;
	c->qc.pc.ev.instance = id;
	hs_strlcpy(c->qc.pc.ev.func, func, sizeof c->qc.pc.ev.func);
	hs_callq_push(&p->q, &c->qc);
	c->guessed_last_n = inst_get(p, id)->last_n;
	inst_get(p, id)->last_n = num;
}

/* A new-style timestamp names the process and thread: bind the call to the
 * instance of that pid, or to the oldest instance whose pid is not known. */
static void bind_pid(struct hs_parser *p, struct call *c, int64_t pid, int64_t tid)
{
	int64_t k, id = HS_NONE;
	int i;

	c->qc.pc.ev.pid = pid;
	c->qc.pc.ev.tid = tid;
	for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
		if (inst_get(p, k)->pid == pid) {
			id = k;
			break;
		}
	/* A restarted count (N == 0) with an unbound banner means a new process
	 * that happens to reuse the pid. */
	if (id == HS_NONE || (c->qc.pc.ev.call_no == 0 && p->unbound_from < p->ninst)) {
		if (p->unbound_from < p->ninst - MAX_INSTANCES)
			p->unbound_from = p->ninst - MAX_INSTANCES;
		if (p->unbound_from < p->ninst)
			id = p->unbound_from++;
		else
			id = new_instance(p), p->unbound_from = p->ninst;
		inst_get(p, id)->pid = pid;
	}
	if (id != c->qc.pc.ev.instance) /* the guess from the call number was wrong */
		inst_get(p, c->qc.pc.ev.instance)->last_n = c->guessed_last_n;
	c->qc.pc.ev.instance = id;
	if (c->qc.pc.ev.call_no > inst_get(p, id)->last_n)
		inst_get(p, id)->last_n = c->qc.pc.ev.call_no;
	/* A thread is in one call at a time: its older open calls are over. */
	for (i = 0; i < p->q.count; i++) {
		struct call *o = q_at(p, i);
		if (o != c && !o->qc.returned && o->qc.pc.ev.pid == pid && o->qc.pc.ev.tid == tid)
			hs_callq_give_up(&p->q, &o->qc);
	}
}

/* Returns the call that took the line, NULL when it was skipped. */
/* OpenSC <= 0.18 printed C_GetMechanismInfo's mechanism on a line of its
 * own ("%30s " of its name, or " Unknown Mechanism (%08lx)  "): rewrite it
 * into the later "[in] type = NAME" in out[len]. 0 when s is no such line. */
static size_t old_mech_line(const struct call *c, const char *s, size_t n, char *out, size_t len)
{
	size_t i = 0, j;

	if (!c || strcmp(c->qc.pc.ev.func, "C_GetMechanismInfo") != 0 || n == 0 || s[0] != ' ')
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	if (hs_starts(s + i, n - i, "CKM_")) {
		for (j = i; j < n && s[j] != ' '; j++)
			;
		if (j != n)
			return 0;
	} else if (!hs_starts(s + i, n - i, "Unknown Mechanism (") || s[n - 1] != ')') {
		return 0;
	}
	if (n - i + 12 >= len)
		return 0;
	memcpy(out, "[in] type = ", 12);
	memcpy(out + 12, s + i, n - i);
	return n - i + 12;
}

static struct call *on_detail(struct hs_parser *p, const char *s, size_t n, int64_t off,
                              int64_t lineno, struct call *prefer)
{
	char mech[96];
	struct call *c = NULL;
	int64_t doff = 0, len;
	int bytes, glued, kind = dump_kind(s, n, &doff, &bytes, &glued);

	if (is_open(p, prefer))
		c = prefer;
	else if (kind)
		c = dump_owner(p, kind, doff, bytes);
	if (!c) {
		if (s[0] == '[' && s[1] == 'o')
			c = oldest_open(p, NULL, 1);
		else if (s[0] == '[')
			c = newest_open(p);
		else if (is_open(p, p->last))
			c = p->last; /* a continuation stays with the call before it */
		else
			c = newest_open(p);
	}
	if (!c) {
		skip_line(p, lineno, off, "text outside any call");
		return NULL;
	}
	p->last = c;
	if (!kind && (len = (int64_t)old_mech_line(c, s, n, mech, sizeof mech)) > 0)
		s = mech, n = (size_t)len;
	if (hs_event_add_line(&c->qc.pc.ev, s, n) < 0) {
		p->stop = 1; /* out of memory: stop rather than lose data silently */
		return c;
	}
	if (kind) {
		if (c->label_next && (kind == 2 || glued))
			decode_label(c, s, kind == 2 ? 4 : (size_t)doff, n);
		if (kind == 1) {
			c->dump_next = doff + 16;
			c->print_next = 0;
		} else {
			c->print_next = kind == 2 || glued ? 2 : 1;
		}
		c->dump_left -= kind == 2 ? 0 : bytes; /* a hex line's bytes count with their ascii */
		if (c->dump_left <= 0)
			c->dump_left = 0, c->label_next = 0;
		return c;
	}
	hs_p11call_note(&c->qc.pc, s, n);
	/* Any other line of the call ends its dump; it may announce the next. */
	c->label_next = 0;
	c->dump_left = 0;
	len = opens_dump(s, n);
	if (len > 0) {
		c->dump_left = len;
		c->dump_next = 0;
		c->print_next = 1;
		c->dump_seq = ++p->seq;
	}
	if (n > 13 && memcmp(s, "    CKA_LABEL ", 14) == 0)
		c->label_next = 1, c->qc.pc.label[0] = '\0';
	return c;
}

/* Lines the spy never writes but users paste in: an elision (". . ."), a
 * shell prompt ("$ pkcs11-tool ...", "user@host:~$ ...", "# ..."), a tool's
 * diagnostic ("warning: ...", "error: ..."), a rule of dashes or equals. */
static const char *foreign_line(const char *s, size_t n)
{
	size_t i, dots = 0;
	int64_t off;
	int b, g;

	for (i = 0; i < n && (s[i] == '.' || s[i] == ' ' || s[i] == '\t'); i++)
		dots += s[i] == '.';
	if (i == n && dots >= 3 && dump_kind(s, n, &off, &b, &g) != 3) /* not " . . . ." */
		return "elision";
	for (i = 0; i < n && i < 64 && s[i] != ' '; i++)
		;
	if (i > 0 && i < n && (s[i - 1] == '$' || s[i - 1] == '#' || s[i - 1] == '%'))
		return "shell prompt";
	if ((n > 8 && strncasecmp(s, "warning:", 8) == 0) || (n > 6 && strncasecmp(s, "error:", 6) == 0))
		return "tool message";
	for (i = 0; i < n && (s[i] == '-' || s[i] == '='); i++)
		;
	if (i == n && n >= 3)
		return "ruler";
	return NULL;
}

/* A line may hold pieces of several: "[in] type = X    [out] pInfo:" or
 * "...0x80001234Returned:  112 CKR_..." (the spy left out a newline), or
 * "    00000020  30 ...  0        Returned:  0 CKR_OK" (another thread's
 * return landed before the dump line's newline). Split and handle each
 * piece; s is the parser's own copy, so a piece is NUL-ended in place. */
static void feed_piece(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno,
                       struct call *prefer)
{
	const char *r, *g;
	struct call *owner;
	size_t a;
	char keep;
	int64_t doff;
	int b, gl, dump;

	if (n == 0)
		return;
	if (n >= 9 && memcmp(s, "Returned:", 9) == 0) {
		on_returned(p, s, n, off, lineno, prefer, NULL);
		return;
	}
	r = hs_find(s, n, "Returned:  ");
	g = s[0] == '[' && n > 6 ? hs_find(s + 4, n - 4, " [out] ") : NULL;
	if (!g && s[0] == '[' && n > 6)
		g = hs_find(s + 4, n - 4, " [in] ");
	if (g && (!r || g < r))
		r = NULL, g++;
	else
		g = NULL;
	if (!r && !g) {
		on_detail(p, s, n, off, lineno, prefer);
		return;
	}
	a = (size_t)((r ? r : g) - s);
	while (a && s[a - 1] == ' ')
		a--;
	keep = s[a];
	s[a] = '\0';
	dump = dump_kind(s, a, &doff, &b, &gl) != 0;
	owner = a ? on_detail(p, s, a, off, lineno, prefer) : prefer;
	s[a] = keep;
	if (r && dump)
		on_returned(p, r, n - (size_t)(r - s), off, lineno, NULL, owner);
	else if (r)
		on_returned(p, r, n - (size_t)(r - s), off, lineno, owner, NULL);
	else
		feed_piece(p, s + (g - s), n - (size_t)(g - s), off, lineno, owner);
}

/* Give a timestamp line to the newest call still without one. */
static struct call *take_ts(struct hs_parser *p, int64_t ts)
{
	int i;

	for (i = p->q.count - 1; i >= 0; i--) {
		struct call *c = q_at(p, i);
		if (!c->has_ts && !c->qc.returned) {
			c->qc.pc.ev.ts_us = ts;
			c->has_ts = 1;
			return c;
		}
	}
	return NULL;
}

static int spy_feed(struct hs_parser *p, const char *line, size_t n, int64_t off, int64_t lineno)
{
	int64_t num, ts, pid, tid;
	char func[64], *s;
	const char *why;
	size_t t = n;
	struct call *c;
	int i;

	while (t && (line[t - 1] == ' ' || line[t - 1] == '\t' || line[t - 1] == '\r'))
		t--;
	if (t == 0) /* blank lines separate every call: not worth counting */
		return p->stop;
	hs_buf_clear(&p->line);
	if (hs_buf_add(&p->line, line, t) < 0) {
		p->stop = 1;
		return p->stop;
	}
	s = p->line.data;
	if (s[0] == '*' && hs_find(s, t, banner_mark)) {
		if (p->implicit) /* the text before it was blank: it is instance 0 */
			p->implicit = 0, inst_get(p, 0)->pid = HS_NONE, inst_get(p, 0)->last_n = -1;
		else
			new_instance(p);
		/* A killed process leaves its call open forever; without this, the
		 * next process's returns would each go to the call before theirs. */
		for (i = 0; i < p->q.count; i++)
			q_at(p, i)->suspect = 1;
		p->after_banner = 1;
		return p->stop;
	}
	if (s[0] == 'L' && t > 8 && memcmp(s, "Loaded: ", 8) == 0)
		return p->stop;
	if (is_digit(s[0])) {
		if (parse_header(s, t, &num, func, sizeof func)) {
			on_header(p, num, func, off, lineno);
			return p->stop;
		}
		ts = parse_ts(s, t);
		if (ts != HS_NONE && take_ts(p, ts))
			return p->stop;
	}
	if (s[0] == 'P' && s[1] == ':' && parse_new_ts(s, t, &pid, &tid, &ts)) {
		c = take_ts(p, ts);
		if (c) {
			bind_pid(p, c, pid, tid);
			drain(p);
			return p->stop;
		}
	}
	why = foreign_line(s, t);
	if (why) {
		skip_line(p, lineno, off, why);
		return p->stop;
	}
	feed_piece(p, s, t, off, lineno, NULL);
	return p->stop;
}

static struct hs_parser *spy_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->sink = *sink;
	p->file_id = o->file_id;
	hs_callq_init(&p->q, sizeof(struct call), QMAX, &p->sink, &p->st, &p->stop,
	              &(struct hs_callq_hooks){ .ctx = p, .on_emit = forget_call });
	hs_buf_init(&p->line);
	/* Text before any banner (a log cut from the middle) is instance 0. */
	new_instance(p);
	p->implicit = 1;
	p->unbound_from = 0;
	return p;
}

/* state: "instances=K u=U d:pid:last ..." where entry d describes instance
 * K-d (pid -1 = unknown). Older states held only "instances=K". */
static void spy_resume(struct hs_parser *p, const char *state)
{
	long long k, u, d, pid, last;
	int used = 0, i;
	const char *s;

	if (!state || sscanf(state, "instances=%lld%n", &k, &used) != 1 || k <= 0)
		return; /* nothing but the implicit instance had been seen */
	p->implicit = 0;
	p->ninst = k;
	p->unbound_from = k;
	/* Instances not described below can no longer take a call by its
	 * number (-2 + 1 is never a call number). */
	for (i = 0; i < MAX_INSTANCES; i++)
		p->inst[i].pid = HS_NONE, p->inst[i].last_n = -2;
	inst_get(p, k - 1)->last_n = -1;
	s = state + used;
	if (sscanf(s, " u=%lld%n", &u, &used) == 1) {
		if (u >= 0 && u <= k)
			p->unbound_from = u;
		s += used;
	}
	while (sscanf(s, " %lld:%lld:%lld%n", &d, &pid, &last, &used) == 3) {
		if (d >= 1 && d <= k && d <= MAX_INSTANCES) {
			inst_get(p, k - d)->pid = pid < 0 ? HS_NONE : pid;
			inst_get(p, k - d)->last_n = last;
		}
		s += used;
	}
}

static void spy_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                       struct hs_parse_stats *st)
{
	struct call *c = oldest_open(p, NULL, 0);
	struct resume_point r;
	size_t len;
	int i, m;

	/* The oldest unfinished call is where a refresh must start again. */
	if (c)
		r = c->res;
	else
		take_snap(p, &r, end_offset, end_line);
	hs_callq_emit_front(&p->q, p->q.count);
	p->st.safe_offset = r.offset;
	p->st.safe_line = r.line;
	len = (size_t)snprintf(p->st.state, sizeof p->st.state, "instances=%lld u=%lld",
	                       (long long)r.ninst, (long long)r.unbound_from);
	for (i = 0; i < r.n && len < sizeof p->st.state; i++, len += (size_t)m) {
		m = snprintf(p->st.state + len, sizeof p->st.state - len, " %lld:%lld:%lld",
		             (long long)(r.ninst - r.in[i].id),
		             (long long)(r.in[i].pid == HS_NONE ? -1 : r.in[i].pid),
		             (long long)r.in[i].last_n);
		if (m < 0 || (size_t)m >= sizeof p->st.state - len) {
			p->st.state[len] = '\0'; /* what does not fit is rebuilt from the numbers */
			break;
		}
	}
	*st = p->st;
}

static void spy_destroy(struct hs_parser *p)
{
	if (!p)
		return;
	hs_callq_free(&p->q); /* calls still held (no finish()) are freed, not emitted */
	hs_buf_free(&p->line);
	free(p);
}

static int spy_probe(const char *const *lines, int nlines)
{
	int i, score = 0;
	int64_t num, ts, pid, tid;
	char func[64];

	for (i = 0; i < nlines; i++) {
		const char *s = lines[i];
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
			n--;
		if (n > 18 && hs_find(s, n, banner_mark))
			score += 60;
		else if (n > 10 && memcmp(s, "Returned:  ", 11) == 0)
			score += 15;
		else if (parse_header(s, n, &num, func, sizeof func))
			score += 15;
		else if (parse_new_ts(s, n, &pid, &tid, &ts))
			score += 10;
	}
	return score > 100 ? 100 : score;
}

static const char *const spy_samples[] = {
	"",
	"*************** OpenSC PKCS#11 spy *****************",
	"Loaded: \"/usr/lib/softhsm/libsofthsm2.so\"",
	"",
	"0: C_Initialize",
	"2026-11-22 12:03:09.513",
	"[in] pInitArgs = (nil)",
	"Returned:  0 CKR_OK",
	NULL,
};

const struct hs_parser_desc hs_parser_spy = {
	.name = "spy",
	.title = "OpenSC pkcs11-spy",
	.call_trace = 1,
	.probe = spy_probe,
	.create = spy_create,
	.resume = spy_resume,
	.feed_line = spy_feed,
	.finish = spy_finish,
	.destroy = spy_destroy,
	.samples = spy_samples,
};
