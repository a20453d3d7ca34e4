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

#include "spy_int.h"

#define QMAX 256                /* calls held at once before the oldest is forced out */
#define MAX_INSTANCES 64        /* process instances remembered for attribution */
#define SNAP 3                  /* newest instances saved in the resume state */
#define CONTESTS 128            /* undecided attributions followed at once */
#define CMEMBERS 8              /* calls one of them can be between */
#define ROW_LEN 79              /* a print_generic dump row: "    %08X  " 48 hex, ' ', 16 ascii */
#define PEND_MAX 48             /* lines held after a thread line before it is decided */
#define NEAR_ADDR (1ull << 20)  /* bytes: buffers this close lie on one thread's stack */

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
	const struct spy_sig *sig;  /* what its function prints (table storage), NULL unknown */
	int nin;                    /* inputs sig prints */
	int in_at;                  /* index in sig of the last input taken, -1 none */
	int outs;                   /* [out] lines taken */
	unsigned outs_seen;         /* bit i: sig's output i taken (each is printed once) */
	int64_t attrs_left;         /* template attributes announced and not seen yet */
	uint64_t in_hash;           /* hash of its input lines: alike calls have equal ones */
	unsigned long long in_addr[2]; /* its input buffers' addresses, 0 none */
	int await_spec;             /* its last line "[out] pX[..]" waits for the "addr / len"
	                               the spy prints with a second fprintf */
};

/* An attribution the evidence left open: a line that more than one call
 * could take went to one of them. Once every member has taken its line of
 * the same kind (`key`), the contest is over: when the lines were all the
 * same (two threads' C_Sign both returning CKR_OK), any choice said the
 * same; when they differ, every member's attribution is uncertain. Members
 * are held in the queue until then (hold_from), so the flag is set before
 * they leave. `alike` contests were between calls whose function and
 * inputs are the same: any choice gives the same facts, but a thread line
 * (new header) may still show which thread's call it was. */
struct contest {
	int used;
	int alike;                  /* members had equal inputs: never uncertain */
	int bad;                    /* members took different lines: uncertain */
	char key[32];               /* "Returned" or the parameter name */
	uint64_t hash;              /* hash of the first member's line */
	int n;                      /* members */
	struct call *m[CMEMBERS];   /* the queue's calls, borrowed */
	int got[CMEMBERS];          /* member took its line (or can take none) */
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
	int new_header;             /* a "P:pid; T:tid" line was seen: threads are named */
	int64_t cur_inst;           /* process instance of the line before, -1 unknown: a
	                               process writes its lines in chunks that end with a
	                               Returned (the spy flushes there), so the lines of a
	                               chunk are one process's */
	struct {
		int on;                 /* a thread line waits for the input lines after it */
		int64_t pid, tid, ts;   /* what it said */
		struct hs_buf text;     /* the lines held, each NUL-ended, back to back */
		int nl;                 /* lines held */
		struct {
			size_t at, n;       /* the line in text */
			int64_t off, lineno;
			int param;          /* an "[in] name" line (name at name_at, name_len) */
			size_t name_at, name_len;
		} l[PEND_MAX];
	} pend;                     /* a thread line that more than one header could own,
	                               and the input lines after it that will tell which */
	struct contest con[CONTESTS]; /* undecided attributions */
	struct hs_buf line;         /* the current line, NUL-terminated */
	struct hs_buf join;         /* a parameter line put back together */
	struct hs_buf out_wait;     /* "[out] pX[..]" whose "addr / len" (the evidence of
	                               whose buffer it is) is still to come, "" none */
	int64_t out_off, out_line;  /* where it was */
	int no_defer;               /* giving the held line: hold it no more */
	struct hs_parse_stats st;   /* running counters */
};

static const char banner_mark[] = "OpenSC PKCS#11 spy";

static void feed_piece(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno,
                       struct call *prefer);
static struct call *take_ts(struct hs_parser *p, int64_t ts);
static int ts_ambiguous(struct hs_parser *p);
static void flush_pend(struct hs_parser *p);

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

/* "YYYY-MM-DD HH:MM:SS.mmm" (zero-padded, any fraction up to µs) at s,
 * which is NUL-terminated at or after s[n]; returns µs or HS_NONE. */
static int64_t parse_ts(const char *s, size_t n)
{
	int y, mo, d, h, mi, sec, used = 0, k;
	long us = 0;

	if (n < 19 || !is_digit(s[0]) || sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
	                                        &sec, &used) != 6 || used != 19)
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

/* ---------------------------------------------------------- attribution */

enum { K_IN, K_OUT, K_RET };

/* The call has printed all its inputs: what it prints next comes after
 * its call into the module (an unknown function: once no dump or
 * template is in progress). */
static int in_done(const struct call *c)
{
	return c->dump_left == 0 && c->attrs_left <= 0 && !c->await_spec &&
	       (!c->sig || c->in_at == c->nin - 1);
}

/* Two calls that would print the same from here on, whichever took a line. */
static int alike(const struct call *a, const struct call *b)
{
	return a->qc.pc.ev.instance == b->qc.pc.ev.instance && a->in_hash == b->in_hash &&
	       strcmp(a->qc.pc.ev.func, b->qc.pc.ev.func) == 0;
}

/* Can c take a line of this kind: an input named name (inputs come in the
 * order sig gives, "pMechanism" may repeat), an output its function prints
 * once its inputs are all out, or a return (after any dump, and for CKR_OK
 * of a function that prints outputs, after one of them)? known: some
 * function prints the name, so a call whose function does not cannot
 * take it. */
static int fits(const struct call *c, int kind, const char *name, size_t len, int known, int ok)
{
	int k;

	if (c->qc.returned)
		return 0;
	if (kind == K_IN) {
		if (c->outs || c->dump_left || c->attrs_left > 0 || c->await_spec)
			return 0;
		if (!c->sig || !known)
			return 1;
		k = spy_sig_in_index(c->sig, name, len);
		return k >= 0 && (k == c->in_at + 1 ||
		                  (k == c->in_at && len == 10 && memcmp(name, "pMechanism", 10) == 0));
	}
	if (!in_done(c))
		return 0;
	if (kind == K_OUT) {
		if (!c->sig || !known)
			return 1;
		k = spy_sig_out_index(c->sig, name, len);
		return k >= 0 && (k > 31 || !(c->outs_seen & (1u << k)));
	}
	return !ok || !c->sig || !c->sig->out[0] || c->outs > 0;
}

/* The contest is over: when its members took different lines, none of
 * their attributions is certain. */
static void contest_end(struct contest *k)
{
	int i;

	if (k->bad && !k->alike)
		for (i = 0; i < k->n; i++)
			k->m[i]->qc.pc.ev.uncertain = 1;
	k->used = 0;
}

static void contest_check(struct contest *k)
{
	int i;

	for (i = 0; i < k->n; i++)
		if (!k->got[i])
			return;
	contest_end(k);
}

/* c took a line of kind key whose text hashes to h. */
static void contest_take(struct hs_parser *p, const struct call *c, const char *key, uint64_t h)
{
	int j, i;

	for (j = 0; j < CONTESTS; j++) {
		struct contest *k = &p->con[j];
		if (!k->used || strcmp(k->key, key) != 0)
			continue;
		for (i = 0; i < k->n; i++)
			if (k->m[i] == c && !k->got[i]) {
				k->got[i] = 1;
				k->bad |= h != k->hash;
				contest_check(k);
				break;
			}
	}
}

/* c takes no more lines (returned, given up) or leaves the queue (gone):
 * a contest whose line it never took is lost; one that cannot follow it
 * any further ends now. */
static void contest_leave(struct hs_parser *p, const struct call *c, int gone)
{
	int j, i;

	for (j = 0; j < CONTESTS; j++) {
		struct contest *k = &p->con[j];
		for (i = 0; k->used && i < k->n; i++)
			if (k->m[i] == c) {
				if (!k->got[i])
					k->got[i] = 1, k->bad = 1;
				if (gone) {
					k->bad |= !k->alike && k->n > 1;
					for (i = 0; i < k->n; i++)
						k->got[i] = 1;
				}
				contest_check(k);
				break;
			}
	}
}

/* chosen took the line (key, h); cand[0..nc) could have. */
static void contest_open(struct hs_parser *p, const char *key, uint64_t h, struct call **cand,
                         int nc, int all_alike, const struct call *chosen)
{
	struct contest *k = NULL;
	int j;

	for (j = 0; j < CONTESTS && !k; j++)
		if (!p->con[j].used)
			k = &p->con[j];
	if (!k) { /* too many open at once to follow: say so on each */
		for (j = 0; j < nc && !all_alike; j++)
			cand[j]->qc.pc.ev.uncertain = 1;
		return;
	}
	memset(k, 0, sizeof *k);
	k->used = 1;
	k->alike = all_alike;
	k->hash = h;
	hs_strlcpy(k->key, key, sizeof k->key);
	for (j = 0; j < nc && j < CMEMBERS; j++) {
		k->m[k->n] = cand[j];
		k->got[k->n++] = cand[j] == chosen;
	}
}

/* The call a line of this kind goes to, by the evidence: the calls that
 * fit it (fits()); among several, the one whose input buffers lie near
 * the output buffer the line shows, else the call that took the line
 * before (a thread prints its lines one after another unless another
 * interrupts), else the oldest (outputs, returns: it entered first) or the
 * newest (inputs). A choice among calls that differ opens a contest.
 * NULL: no call fits (the caller falls back on order alone). */
static struct call *pick(struct hs_parser *p, int kind, const char *key, uint64_t h,
                         const char *name, size_t len, int ok, unsigned long long addr,
                         const struct call *avoid)
{
	struct call *cand[CMEMBERS], *c = NULL, *near = NULL;
	int nc = 0, i, j, nnear = 0, all_alike = 1;
	int known = kind == K_IN ? spy_known_in(name, len) : kind == K_OUT ? spy_known_out(name, len) : 0;

	for (i = 0; i < p->q.count && nc < CMEMBERS; i++) {
		struct call *o = q_at(p, i);
		if (o != avoid && fits(o, kind, name, len, known, ok))
			cand[nc++] = o;
	}
	/* within a chunk of one process, another process's calls are out */
	for (i = 0; i < nc && p->cur_inst >= 0; i++)
		if (cand[i]->qc.pc.ev.instance == p->cur_inst)
			break;
	if (i < nc && p->cur_inst >= 0) {
		for (i = j = 0; i < nc; i++)
			if (cand[i]->qc.pc.ev.instance == p->cur_inst)
				cand[j++] = cand[i];
		nc = j;
	}
	if (nc <= 1)
		return nc ? cand[0] : NULL;
	for (i = 0; addr && i < nc; i++)
		for (j = 0; j < 2; j++)
			if (cand[i]->in_addr[j] && (cand[i]->in_addr[j] > addr ? cand[i]->in_addr[j] - addr :
			                            addr - cand[i]->in_addr[j]) < NEAR_ADDR) {
				near = cand[i], nnear++;
				break;
			}
	if (nnear == 1)
		return near;
	for (i = 0; i < nc && !c; i++)
		if (cand[i] == p->last)
			c = cand[i];
	if (!c)
		c = kind == K_IN ? cand[nc - 1] : cand[0];
	for (i = 0; i < nc; i++)
		all_alike &= alike(cand[i], c);
	/* alike calls say the same whichever took it; only a thread line can
	 * still tell them apart, so they are followed only when there are some */
	if (!all_alike || p->new_header)
		contest_open(p, key, h, cand, nc, all_alike, c);
	return c;
}

/* The contest key of an [in]/[out] line: up to its first ' ' or '='. */
static void param_key(const char *s, size_t n, char *key, size_t keylen)
{
	size_t i = s[1] == 'i' ? 5 : 6;

	while (i < n && s[i] != ' ' && s[i] != '=')
		i++;
	if (i >= keylen)
		i = keylen - 1;
	memcpy(key, s, i);
	key[i] = '\0';
}

static void swap_identity(struct hs_parser *p, struct call *a, struct call *b)
{
	struct hs_event *x = &a->qc.pc.ev, *y = &b->qc.pc.ev;
	struct resume_point r = a->res;
	int64_t t;
	int i, ia = -1, ib = -1, h = a->has_ts;

#define SWAP64(f) (t = x->f, x->f = y->f, y->f = t)
	SWAP64(offset), SWAP64(line), SWAP64(call_no), SWAP64(ts_us), SWAP64(pid), SWAP64(tid);
	SWAP64(instance);
#undef SWAP64
	t = a->guessed_last_n, a->guessed_last_n = b->guessed_last_n, b->guessed_last_n = t;
	a->res = b->res, b->res = r;
	a->has_ts = b->has_ts, b->has_ts = h;
	for (i = 0; i < p->q.count; i++) {
		if (q_at(p, i) == a)
			ia = i;
		if (q_at(p, i) == b)
			ib = i;
	}
	if (ia >= 0 && ib >= 0) { /* keep the ring in offset order */
		p->q.ring[(p->q.head + ia) % p->q.max] = &b->qc;
		p->q.ring[(p->q.head + ib) % p->q.max] = &a->qc;
	}
}

/* y's thread began no call after y: y may still be the one open. */
static int thread_idle_since(struct hs_parser *p, const struct call *y)
{
	int i;

	for (i = 0; i < p->q.count; i++) {
		const struct call *o = q_at(p, i);
		if (o != y && o->qc.pc.ev.pid == y->qc.pc.ev.pid && o->qc.pc.ev.tid == y->qc.pc.ev.tid &&
		    o->qc.pc.ev.offset > y->qc.pc.ev.offset)
			return 0;
	}
	return 1;
}

/* The return y took was o's: o returns with it, y is open again. */
static void move_return(struct call *o, struct call *y)
{
	struct hs_event *a = &o->qc.pc.ev, *b = &y->qc.pc.ev;

	a->rv = b->rv, a->ok = b->ok;
	memcpy(a->rv_name, b->rv_name, sizeof a->rv_name);
	b->rv = HS_NONE, b->ok = 0, b->rv_name[0] = '\0';
	o->qc.returned = 1;
	y->qc.returned = 0;
}

/* Thread `tid` begins a call while o, its earlier call, has not returned
 * (a thread is in one call at a time): a return that o could have taken
 * went to another thread's call y, still followed in a contest, whose
 * thread began nothing since. When y is alike o, the two swap who they
 * are (y's outputs were o's); else o takes y's return and y is open
 * again. 1: done. */
static int rescue(struct hs_parser *p, struct call *o)
{
	int j, i, io;

	for (j = 0; j < CONTESTS; j++) {
		struct contest *k = &p->con[j];
		for (io = 0; k->used && io < k->n && k->m[io] != o; io++)
			;
		if (!k->used || io == k->n || (!k->alike && strcmp(k->key, "Returned") != 0))
			continue;
		for (i = 0; i < k->n; i++) {
			struct call *y = k->m[i];
			if (y == o || !y->qc.returned || y->qc.pc.ev.incomplete ||
			    y->qc.pc.ev.pid != o->qc.pc.ev.pid || y->qc.pc.ev.tid == o->qc.pc.ev.tid ||
			    !thread_idle_since(p, y))
				continue;
			if (k->alike) {
				swap_identity(p, o, y);
			} else {
				if (k->got[io]) /* o took a line of this kind already */
					continue;
				move_return(o, y);
				k->got[io] = 1;
				k->got[i] = 0;
			}
			return 1;
		}
	}
	return 0;
}

/* A call leaves the queue: contests cannot follow it, `last` must not point at it. */
static void leave_call(void *ctx, struct hs_callq_call *qc)
{
	struct hs_parser *p = ctx;

	contest_leave(p, (struct call *)qc, 1);
	if ((struct hs_callq_call *)p->last == qc)
		p->last = NULL;
}

/* Calls in an open contest stay until it is decided. */
static int64_t hold_from(void *ctx)
{
	struct hs_parser *p = ctx;
	int64_t hold = INT64_MAX;
	int j, i;

	for (j = 0; j < CONTESTS; j++)
		for (i = 0; p->con[j].used && i < p->con[j].n; i++)
			if (p->con[j].m[i]->qc.pc.ev.offset < hold)
				hold = p->con[j].m[i]->qc.pc.ev.offset;
	return hold;
}

/* --------------------------------------------------------------- parser */

/* `prefer`: the call that took the start of this line, when the spy glued
 * the Returned onto its own line; `avoid`: the call whose dump line another
 * thread's Returned landed in. */
static void on_returned(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno,
                        struct call *prefer, struct call *avoid)
{
	const char *q = hs_skip_ws(s + 9), *end = s + n, *nm = end;
	int used = q < end ? hs_parse_int(q, &(int64_t){ 0 }) : 0;
	int64_t rv = 0;
	struct call *c;
	uint64_t h;

	if (used) {
		hs_parse_int(q, &rv);
		nm = hs_skip_ws(q + used);
	}
	h = hs_hash64(q, (size_t)(end - q), 0);
	c = is_open(p, prefer) ? prefer : pick(p, K_RET, "Returned", h, "", 0, used && rv == 0, 0, avoid);
	if (!c) { /* no call fits the evidence: the oldest open one, as before */
		c = oldest_open(p, avoid, 1);
		if (!c)
			c = oldest_open(p, NULL, 1);
		if (c && oldest_open(p, c, 0))
			c->qc.pc.ev.uncertain = 1;
	}
	if (!c) {
		skip_line(p, lineno, off, "'Returned:' without a call");
		return;
	}
	if (used)
		hs_p11call_return(&c->qc.pc, rv, nm, nm < end ? (size_t)(end - nm) : 0);
	contest_take(p, c, "Returned", h);
	c->qc.returned = 1;
	p->cur_inst = -1; /* the spy flushed: the next line may be any process's */
	contest_leave(p, c, 0);
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
	c->sig = spy_sig_find(func);
	c->nin = c->sig ? spy_sig_nin(c->sig) : 0;
	c->in_at = -1;
	hs_callq_push(&p->q, &c->qc);
	p->cur_inst = id;
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
	p->cur_inst = id;
	if (c->qc.pc.ev.call_no > inst_get(p, id)->last_n)
		inst_get(p, id)->last_n = c->qc.pc.ev.call_no;
	/* A thread is in one call at a time: its older open calls are over,
	 * unless a return given to an alike call of another thread was theirs. */
	p->new_header = 1;
	for (i = 0; i < p->q.count; i++) {
		struct call *o = q_at(p, i);
		if (o != c && !o->qc.returned && o->qc.pc.ev.pid == pid && o->qc.pc.ev.tid == tid &&
		    !rescue(p, o)) {
			hs_callq_give_up(&p->q, &o->qc);
			contest_leave(p, o, 0);
		}
	}
}

/* c took "[in]/[out] name ...": where it is in its signature, and what
 * the line says about later lines (a template's attribute count, an input
 * buffer's address). */
static void took_param(struct call *c, const char *s, size_t n, const char *name, size_t len,
                       int out)
{
	const char *b = name + len;
	int k;

	/* "[out] pSignature[*pulSignatureLen]" alone: its "addr / len" comes apart */
	c->await_spec = s[n - 1] == ']' && !memchr(name, ' ', n - (size_t)(name - s));
	if (out) {
		c->outs++;
		if (c->sig && (k = spy_sig_out_index(c->sig, name, len)) >= 0 && k < 32)
			c->outs_seen |= 1u << k;
	} else if (c->sig && (k = spy_sig_in_index(c->sig, name, len)) > c->in_at) {
		c->in_at = k;
	}
	if (!out) {
		unsigned long long a = spy_buffer_addr(s, n);
		if (a)
			c->in_addr[c->in_addr[0] != 0] = a;
	}
	/* "[in] pTemplate[2]: ": two attribute lines follow */
	if (b < s + n && *b == '[' && hs_parse_int(b + 1, &c->attrs_left)) {
		const char *e = memchr(b, ']', (size_t)(s + n - b));
		if (!e || e + 1 >= s + n || e[1] != ':')
			c->attrs_left = 0;
	} else {
		c->attrs_left = 0;
	}
}

static struct call *on_detail(struct hs_parser *p, const char *s, size_t n, int64_t off,
                              int64_t lineno, struct call *prefer);

/* A held output line whose address never came: given as it is. */
static void flush_out_wait(struct hs_parser *p)
{
	if (!p->out_wait.len)
		return;
	hs_buf_clear(&p->join);
	if (hs_buf_add(&p->join, p->out_wait.data, p->out_wait.len) < 0)
		p->stop = 1;
	hs_buf_clear(&p->out_wait);
	p->no_defer = 1;
	on_detail(p, hs_buf_cstr(&p->join), p->join.len, p->out_off, p->out_line, NULL);
	p->no_defer = 0;
}

/* Returns the call that took the line, NULL when it was skipped. */
static struct call *on_detail(struct hs_parser *p, const char *s, size_t n, int64_t off,
                              int64_t lineno, struct call *prefer)
{
	struct call *c = NULL;
	int64_t doff = 0, len;
	int bytes, glued, kind = dump_kind(s, n, &doff, &bytes, &glued);
	const char *name = NULL;
	size_t nlen = 0;
	char key[32];
	uint64_t h = 0;

	int param = s[0] == '[' && (s[1] == 'i' || s[1] == 'o') && (name = spy_param_name(s, n, &nlen), nlen);
	int out = param && s[1] == 'o';

	if (param) {
		param_key(s, n, key, sizeof key);
		h = hs_hash64(s, n, 0);
	}
	if (out && !p->no_defer && !is_open(p, prefer) && s[n - 1] == ']' && !memchr(name, ' ', n - (size_t)(name - s))) {
		flush_out_wait(p);
		hs_buf_clear(&p->out_wait);
		if (hs_buf_add(&p->out_wait, s, n) < 0)
			p->stop = 1;
		p->out_off = off, p->out_line = lineno;
		return NULL; /* whose it is, its buffer's address will tell */
	}
	if (is_open(p, prefer))
		c = prefer;
	else if (kind)
		c = dump_owner(p, kind, doff, bytes);
	else if (param)
		c = pick(p, out ? K_OUT : K_IN, key, h, name, nlen, 0, out ? spy_buffer_addr(s, n) : 0, NULL);
	else if (is_open(p, p->last))
		c = p->last; /* a continuation stays with the call before it */
	if (!c) { /* no call fits the evidence: order alone decides, as before */
		if (s[0] == '[' && s[1] == 'o')
			c = oldest_open(p, NULL, 1);
		else
			c = newest_open(p);
		if (c && param && oldest_open(p, c, 0))
			c->qc.pc.ev.uncertain = 1;
	}
	if (!c) {
		skip_line(p, lineno, off, "text outside any call");
		return NULL;
	}
	if (param)
		contest_take(p, c, key, h);
	if (!c->outs && !out)
		c->in_hash = hs_hash64(s, n, c->in_hash ^ 0x9e3779b97f4a7c15ull);
	p->last = c;
	p->cur_inst = c->qc.pc.ev.instance;
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
	if (param)
		took_param(c, s, n, name, nlen, out);
	else if (c->attrs_left > 0 && n > 8 && memcmp(s, "    CKA_", 8) == 0)
		c->attrs_left--;
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

/* "P:pid; T:tid time": the newest call without a time is the thread's,
 * unless several differ (then the input lines after it tell). */
static void on_thread_line(struct hs_parser *p, int64_t pid, int64_t tid, int64_t ts)
{
	struct call *c;

	p->new_header = 1;
	if (ts_ambiguous(p)) {
		p->pend.on = 1, p->pend.pid = pid, p->pend.tid = tid, p->pend.ts = ts;
		p->pend.nl = 0;
		hs_buf_clear(&p->pend.text);
		p->last = NULL;
		return;
	}
	c = take_ts(p, ts);
	if (c) {
		bind_pid(p, c, pid, tid);
		p->last = c; /* its inputs follow, unless another thread interrupts */
		drain(p);
	}
}

/* "00007f1af33fcaa0 / 256", "NULL [size : 0x0 (0)]", "EMPTY": the second
 * half of a buffer parameter's line. */
static int is_spec(const char *s, size_t n)
{
	size_t i = 0;

	if ((n >= 10 && memcmp(s, "NULL [size", 10) == 0) || (n == 5 && memcmp(s, "EMPTY", 5) == 0))
		return 1;
	while (i < n && is_hex(s[i]))
		i++;
	if (i < 8 || i > 16 || i + 4 > n || memcmp(s + i, " / ", 3) != 0)
		return 0;
	for (i += 3; i < n && is_digit(s[i]); i++)
		;
	return i == n;
}

/* The second half of a buffer parameter's line: joined to the line of the
 * call waiting for it (the one that took the last line, else the newest),
 * which is read again whole. */
static void on_spec(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno,
                    const struct call *avoid)
{
	struct call *c = NULL;
	struct hs_buf *d;
	size_t st;
	int i;

	if (p->out_wait.len) { /* the output line it completes was held for it */
		hs_buf_clear(&p->join);
		if (hs_buf_add(&p->join, p->out_wait.data, p->out_wait.len) < 0 ||
		    hs_buf_add(&p->join, " ", 1) < 0 || hs_buf_add(&p->join, s, n) < 0) {
			p->stop = 1;
			return;
		}
		hs_buf_clear(&p->out_wait);
		on_detail(p, p->join.data, p->join.len, p->out_off, p->out_line, NULL);
		return;
	}
	if (is_open(p, p->last) && p->last->await_spec && p->last != avoid)
		c = p->last;
	for (i = p->q.count - 1; i >= 0 && !c; i--)
		if (!q_at(p, i)->qc.returned && q_at(p, i)->await_spec && q_at(p, i) != avoid)
			c = q_at(p, i);
	if (!c || c->qc.pc.ev.elided_lines) {
		on_detail(p, s, n, off, lineno, c);
		return;
	}
	d = &c->qc.pc.ev.detail;
	for (st = d->len; st > 0 && d->data[st - 1] != '\n'; st--)
		;
	hs_buf_clear(&p->join);
	if (hs_buf_add(&p->join, d->data + st, d->len - st) < 0 || hs_buf_add(&p->join, " ", 1) < 0 ||
	    hs_buf_add(&p->join, s, n) < 0) {
		p->stop = 1;
		return;
	}
	d->len = st ? st - 1 : 0;
	d->data[d->len] = '\0';
	c->await_spec = 0;
	on_detail(p, p->join.data, p->join.len, off, lineno, c);
}

/* What follows a full dump row on its line was written by another thread
 * (the row's own thread goes on with a newline): a return, a thread line,
 * the second half of a parameter line, or a line of its own. */
static void feed_rest(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno,
                      struct call *owner)
{
	int64_t pid, tid, ts;

	if (n >= 9 && memcmp(s, "Returned:", 9) == 0) {
		on_returned(p, s, n, off, lineno, NULL, owner);
	} else if (s[0] == 'P' && s[1] == ':' && parse_new_ts(s, n, &pid, &tid, &ts)) {
		flush_pend(p);
		on_thread_line(p, pid, tid, ts);
	} else if (is_spec(s, n)) {
		on_spec(p, s, n, off, lineno, owner);
	} else {
		feed_piece(p, s, n, off, lineno, NULL);
	}
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
	if (n > ROW_LEN && dump_kind(s, ROW_LEN, &doff, &b, &gl) == 1) {
		keep = s[ROW_LEN];
		s[ROW_LEN] = '\0';
		owner = on_detail(p, s, ROW_LEN, off, lineno, prefer);
		s[ROW_LEN] = keep;
		feed_rest(p, s + ROW_LEN, n - ROW_LEN, off, lineno, owner);
		return;
	}
	if (is_spec(s, n)) {
		on_spec(p, s, n, off, lineno, NULL);
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

/* Can c be the call of the waiting thread line, given the input lines
 * held after it (they must continue its inputs in its signature's order)? */
static int pend_fits(const struct hs_parser *p, const struct call *c)
{
	int at = c->in_at, i, k;

	if (c->has_ts || c->qc.returned || c->outs || c->dump_left || c->attrs_left > 0 ||
	    c->await_spec)
		return 0;
	for (i = 0; c->sig && i < p->pend.nl; i++) {
		const char *nm = p->pend.text.data + p->pend.l[i].name_at;
		size_t len = p->pend.l[i].name_len;
		if (!p->pend.l[i].param || !spy_known_in(nm, len))
			continue;
		k = spy_sig_in_index(c->sig, nm, len);
		if (k < 0 || !(k == at + 1 || (k == at && len == 10 && memcmp(nm, "pMechanism", 10) == 0)))
			return 0;
		at = k;
	}
	return 1;
}

/* The calls the waiting thread line can be: in cand[], their count. */
static int pend_cands(const struct hs_parser *p, struct call **cand, int max)
{
	int i, nc = 0;

	for (i = 0; i < p->q.count && nc < max; i++)
		if (pend_fits(p, q_at((struct hs_parser *)p, i)))
			cand[nc++] = q_at((struct hs_parser *)p, i);
	return nc;
}

/* Decide the waiting thread line: the one call its input lines fit, or,
 * `forced` (something else begins), the newest that fits, uncertain when
 * the others differ. Then its lines are given to that call again. */
static void pend_decide(struct hs_parser *p, int forced)
{
	struct call *cand[CMEMBERS], *c;
	int nc = pend_cands(p, cand, CMEMBERS), i, all_alike = 1;

	if (nc > 1 && !forced) {
		for (i = 1; i < nc; i++)
			all_alike &= alike(cand[0], cand[i]);
		if (!all_alike)
			return;
	}
	p->pend.on = 0;
	c = nc ? cand[nc - 1] : take_ts(p, p->pend.ts);
	for (i = 0; i < nc - 1; i++)
		if (!alike(cand[i], c))
			c->qc.pc.ev.uncertain = 1;
	if (c) {
		c->qc.pc.ev.ts_us = p->pend.ts;
		c->has_ts = 1;
		bind_pid(p, c, p->pend.pid, p->pend.tid);
		p->last = c;
	}
	for (i = 0; i < p->pend.nl; i++) {
		char *l = p->pend.text.data + p->pend.l[i].at;
		int64_t doff;
		int b, g;
		feed_piece(p, l, p->pend.l[i].n, p->pend.l[i].off, p->pend.l[i].lineno,
		           dump_kind(l, p->pend.l[i].n, &doff, &b, &g) ? NULL : c);
	}
	p->pend.nl = 0;
	hs_buf_clear(&p->pend.text);
	drain(p);
}

/* While a thread line waits: hold s when it can continue the waiting
 * thread's inputs (1), else leave it to be read as usual (0). */
static int pend_hold(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	struct call *cand[1];
	int64_t doff;
	int b, g, kind = dump_kind(s, n, &doff, &b, &g), param = 0;
	size_t len = 0, at = p->pend.text.len;
	const char *nm = NULL;

	if (p->pend.nl == PEND_MAX || hs_find(s, n, "Returned:"))
		return 0;
	if (n > 5 && memcmp(s, "[in] ", 5) == 0) {
		nm = spy_param_name(s, n, &len);
		param = len > 0;
	} else if (s[0] != ' ' || !p->pend.nl || (kind && dump_owner(p, kind, doff, b))) {
		return 0; /* not an input's continuation, or a dump row another call awaits */
	}
	if (hs_buf_add(&p->pend.text, s, n) < 0 || hs_buf_add(&p->pend.text, "", 1) < 0) {
		p->stop = 1;
		return 0;
	}
	p->pend.l[p->pend.nl].at = at;
	p->pend.l[p->pend.nl].n = n;
	p->pend.l[p->pend.nl].off = off;
	p->pend.l[p->pend.nl].lineno = lineno;
	p->pend.l[p->pend.nl].param = param;
	p->pend.l[p->pend.nl].name_at = param ? at + (size_t)(nm - s) : 0;
	p->pend.l[p->pend.nl].name_len = len;
	p->pend.nl++;
	if (param && !pend_cands(p, cand, 1)) { /* no call it fits: another thread's line */
		p->pend.nl--;
		p->pend.text.len = at;
		return 0;
	}
	if (param)
		pend_decide(p, 0);
	return 1;
}

/* The waiting thread line is decided now, with what is held. */
static void flush_pend(struct hs_parser *p)
{
	if (p->pend.on)
		pend_decide(p, 1);
}

/* More than one open call has no thread line yet, and they differ: which
 * one a thread line is is told by the input line after it. */
static int ts_ambiguous(struct hs_parser *p)
{
	struct call *first = NULL;
	int i;

	for (i = 0; i < p->q.count; i++) {
		struct call *c = q_at(p, i);
		if (c->has_ts || c->qc.returned)
			continue;
		if (first && !alike(first, c))
			return 1;
		if (!first)
			first = c;
	}
	return 0;
}

static int spy_feed(struct hs_parser *p, const char *line, size_t n, int64_t off, int64_t lineno)
{
	int64_t num, ts, pid, tid;
	char func[64], *s;
	const char *why;
	size_t t = n;
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
	if (p->pend.on && pend_hold(p, s, t, off, lineno))
		return p->stop;
	if (p->pend.on && (is_digit(s[0]) || s[0] == '*' || (s[0] == 'P' && s[1] == ':')))
		flush_pend(p); /* a header, a time, a banner or a thread line: it is decided */
	if (p->out_wait.len && (is_digit(s[0]) || s[0] == '*'))
		flush_out_wait(p);
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
		on_thread_line(p, pid, tid, ts);
		return p->stop;
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
	              &(struct hs_callq_hooks){ .ctx = p, .on_emit = leave_call,
	                                          .hold_from = hold_from });
	hs_buf_init(&p->line);
	hs_buf_init(&p->pend.text);
	hs_buf_init(&p->join);
	hs_buf_init(&p->out_wait);
	/* Text before any banner (a log cut from the middle) is instance 0. */
	new_instance(p);
	p->implicit = 1;
	p->cur_inst = -1;
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

	flush_pend(p);
	flush_out_wait(p);
	c = oldest_open(p, NULL, 0);
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
	hs_buf_free(&p->pend.text);
	hs_buf_free(&p->join);
	hs_buf_free(&p->out_wait);
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
