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
 * leave in header order. Which open call a line belongs to is decided by
 * the evidence (spy_attr.c): the parameters each function prints, in
 * order (spy_sig.c), buffer addresses, the process whose flushed chunk
 * this is, and the thread lines of the new header. A time line goes to
 * the newest call still without one; a thread line that several differing
 * headers could own waits (`pend`) for the input lines after it, which
 * say whose it is. A dump line goes to the call whose dump it continues:
 * print_generic lines carry their offset and print_print lines alternate
 * hex/ascii, so among the calls with a dump still short of its announced
 * length, the one expecting exactly this line (the newest such) takes it;
 * whatever follows a full 79-character print_generic row on its line was
 * written by another thread (the row's own goes on with a newline) and is
 * read apart. An output line "[out] pX[..]" waits (`out_wait`) for the
 * "addr / len" the spy prints with a second fprintf, since the address is
 * what tells whose buffer it is. A thread that starts a new call ends any
 * older call of its own (a thread is in one call at a time) — unless
 * another thread's call was given that call's return, which it takes back
 * (hs_spy_rescue), or the rows of a dump tied with its own and the return
 * after them (hs_spy_rescue_dump). A banner makes every call still open
 * "suspect" (its process may have been killed in it): a suspect call takes a return only when no
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
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hsmscope/pbase.h"
#include "hsmscope/callq.h"
#include "hsmscope/chars.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#include "spy_int.h"


static const char banner_mark[] = "OpenSC PKCS#11 spy";

/* ---------------------------------------------------------------- helpers */

struct instance *hs_spy_inst_get(struct hs_parser *p, int64_t id)
{
	return &p->inst[id % MAX_INSTANCES];
}

static int64_t new_instance(struct hs_parser *p)
{
	int64_t id = p->ninst++;
	struct instance *in = hs_spy_inst_get(p, id);

	in->pid = HS_NONE;
	in->last_n = -1;
	in->max_ts = 0;
	in->hole = -1;
	in->ss.known = 1; /* a banner began it: its sessions are opened in the log */
	in->ss.n = 0;
	return id;
}

/* ------------------------------------------------------------ call queue */


static struct call *newest_open(struct hs_parser *p)
{
	return (struct call *)hs_callq_newest_open(&p->b.q);
}

void hs_spy_drain(struct hs_parser *p) { hs_callq_emit_front(&p->b.q, 0); }

/* The oldest open call other than `avoid` (NULL: any); with `live`, one
 * not suspected dead if there is such a call. */
struct call *hs_spy_oldest_open(struct hs_parser *p, const struct call *avoid, int live)
{
	int i;

	for (; live >= 0; live--)
		for (i = 0; i < p->b.q.count; i++) {
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
	hs_callq_skip(&p->b.q, hs_callq_newest_open(&p->b.q), lineno, off, why);
}

/* ---------------------------------------------------------- line kinds */

int hs_spy_queued(const struct hs_parser *p, const struct call *c)
{
	int i;

	for (i = 0; c && i < p->b.q.count; i++)
		if (q_at((struct hs_parser *)p, i) == c)
			return 1;
	return 0;
}

/* The call whose dump this line continues: among open calls with bytes
 * still to come that expect this kind of line (at this offset), the one
 * whose dump opened last, preferring those expecting exactly as many bytes
 * (a full line or the rest) over those expecting more (a line cut short
 * when another process's buffer was flushed into the middle of it). */

/* The row after a tie of two print_generic dumps (two threads' buffers at
 * one offset, both waiting for a full row: hs_spy_dump_owner gave it to
 * the newer) fits no call exactly, but would fit the other one exactly had
 * it taken the tied row ("00000010" with the 5 bytes that end a 21-byte
 * dump, while the winner's 256-byte dump wants 16): each thread prints its
 * rows in order, so the tied row was the other's. It moves there (the
 * winner took nothing since) and the other takes this row. NULL: no. */
static struct call *rowtie_undo(struct hs_parser *p, int64_t off, int bytes)
{
	struct call *w = p->rowtie.win, *l = p->rowtie.lose;
	struct hs_buf *wd, *ld;
	int64_t lw;

	if (!p->rowtie.line || !hs_spy_queued(p, w) || !hs_spy_queued(p, l) || w->qc.returned || l->qc.returned)
		return NULL;
	wd = &w->qc.pc.ev.detail, ld = &l->qc.pc.ev.detail;
	lw = l->dump_left - p->rowtie.bytes;
	if (off != p->rowtie.at + 16 || w->dump_next != off || l->dump_next != p->rowtie.at || l->print_next == 2 ||
	    p->rowtie.bytes != (l->dump_left < 16 ? l->dump_left : 16) || lw <= 0 ||
	    bytes != (lw < 16 ? lw : 16) || bytes == (w->dump_left < 16 ? w->dump_left : 16) ||
	    wd->len <= p->rowtie.len || !ld->len || w->qc.pc.ev.elided_lines || l->qc.pc.ev.elided_lines ||
	    memchr(wd->data + p->rowtie.len + 1, '\n', wd->len - p->rowtie.len - 1) != NULL)
		return NULL;
	if (hs_buf_add(ld, wd->data + p->rowtie.len, wd->len - p->rowtie.len) < 0) {
		p->b.stop = 1;
		return NULL;
	}
	wd->len = p->rowtie.len, wd->data[wd->len] = '\0';
	hs_spy_lines_move(p, w, l, p->rowtie.line);
	w->dump_left += p->rowtie.bytes, w->dump_next = p->rowtie.at;
	l->dump_left -= p->rowtie.bytes, l->dump_next = off, l->print_next = 0;
	p->rowtie.line = 0;
	return l;
}

struct call *hs_spy_dump_owner(struct hs_parser *p, int kind, int64_t off, int bytes, int mark)
{
	struct call *best = NULL, *tie = NULL, *undo;
	int i, score, best_score = 0;

	for (i = 0; i < p->b.q.count; i++) {
		struct call *o = q_at(p, i);
		int64_t full = kind == 1 ? 16 : 32, want = o->dump_left < full ? o->dump_left : full;
		if (o->qc.returned || o->dump_left <= 0 || bytes > want)
			continue;
		if (kind == 1 ? (o->print_next == 2 || o->dump_next != off) :
		    kind == 2 ? o->print_next != 1 : o->print_next != 2)
			continue;
		score = bytes == want ? 2 : 1;
		if (score == best_score)
			tie = o;
		if (score > best_score || (score == best_score && o->dump_seq > best->dump_seq)) {
			if (score > best_score)
				tie = NULL;
			if (score == best_score)
				tie = best;
			best = o, best_score = score;
		}
	}
	if (mark && kind == 1 && best_score < 2 && (undo = rowtie_undo(p, off, bytes)) != NULL)
		return undo;
	/* two dumps both waiting for this very row: nothing in it says whose */
	if (mark && tie)
		tie->qc.pc.ev.uncertain = best->qc.pc.ev.uncertain = 1;
	if (mark && kind == 1 && tie) {
		p->rowtie.win = best, p->rowtie.lose = tie, p->rowtie.line = p->cur_lineno;
		p->rowtie.at = off, p->rowtie.len = best->qc.pc.ev.detail.len, p->rowtie.bytes = bytes;
	}
	/* two alike dumps at the very same point (another thread's C_Sign of
	 * the same length): what either takes from here could be the other's,
	 * which its thread's next call may tell (hs_spy_rescue_dump) */
	if (mark && tie && tie->dump_left == best->dump_left && tie->dump_next == best->dump_next &&
	    tie->print_next == best->print_next && tie->qc.pc.ev.tid != best->qc.pc.ev.tid) {
		tie->tie = best, best->tie = tie;
		tie->tie_line = best->tie_line = p->cur_lineno;
		tie->tie_len = tie->qc.pc.ev.detail.len, best->tie_len = best->qc.pc.ev.detail.len;
	}
	return best;
}

static void decode_label(struct call *c, const char *s, size_t from, size_t n)
{
	size_t i, o = strlen(c->qc.pc.label);

	for (i = from; i + 1 < n && o + 1 < sizeof c->qc.pc.label; i++) {
		if (!hs_is_hex(s[i]) || !hs_is_hex(s[i + 1]))
			continue;
		char ch = (char)(hs_hexval(s[i]) * 16 + hs_hexval(s[i + 1]));
		c->qc.pc.label[o++] = (ch >= 0x20 && ch < 0x7f && ch != '"') ? ch : '.';
		i++;
	}
	c->qc.pc.label[o] = '\0';
}

/* --------------------------------------------------------------- parser */

/* `prefer`: the call that took the start of this line, when the spy glued
 * the Returned onto its own line; `avoid`: the call whose dump line another
 * thread's Returned landed in. */
void hs_spy_on_returned(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno,
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
	h = hs_hash64_run(q, (size_t)(end - q), 0);
	c = is_open(p, prefer) ? prefer : hs_spy_pick(p, K_RET, "Returned", h, "", 0, used && rv == 0, 0, avoid);
	/* a CKR_OK for which no call has printed its output: Debian's 0.23
	 * spy, threads writing at once, now and then garbles an output's line
	 * (its "[out] pSignature[..] addr / 256" came as another copy of the
	 * input's "addr / 21" and a NUL, its 256 bytes of dump after it); the
	 * call is still among those that printed all their inputs (the spy
	 * prints them before calling the module), not one that printed none */
	if (!c && !p->new_header && !is_open(p, prefer) && used && rv == 0)
		c = hs_spy_pick(p, K_RET, "Returned", h, "", 0, 0, 0, avoid);
	if (!c) { /* no call fits the evidence: the oldest open one, as before */
		c = hs_spy_oldest_open(p, avoid, 1);
		if (!c)
			c = hs_spy_oldest_open(p, NULL, 1);
		if (c && hs_spy_oldest_open(p, c, 0))
			c->qc.pc.ev.uncertain = 1;
		/* new header: a CKR_OK for a call that has not printed the
		 * output its function prints: that output may come later (its
		 * return went to a call it was not), and reopen it */
		if (c && p->new_header && used && rv == 0 && c->sig && c->sig->out[0] && !c->outs)
			c->ret_noout = lineno;
	}
	if (!c) {
		skip_line(p, lineno, off, "'Returned:' without a call");
		return;
	}
	if (c->dump_open) /* its return ends a dump of unknown length */
		c->dump_left = 0, c->dump_open = 0;
	if (used)
		hs_p11call_return(&c->qc.pc, rv, nm, nm < end ? (size_t)(end - nm) : 0);
	hs_spy_contest_take(p, c, "Returned", h);
	c->l_ret = lineno, c->l_ret_off = off;
	if (lineno == p->split_lineno)
		hs_spy_own_line(p, c, lineno, off); /* the line holds another call's text too */
	c->qc.returned = 1;
	/* new header: enter() prints a call's thread line and inputs before it
	 * calls the module, so a call whose thread line has not come cannot
	 * have returned: it took this return only because an earlier return
	 * went to a call it was not (the one this was). It stays in the queue
	 * a while, for its thread line to open it again (hs_spy_take_ts). */
	if (p->new_header && !c->has_ts)
		c->ret_early = lineno, c->qc.pc.ev.uncertain = 1;
	p->cur_inst = -1; /* the spy flushed: the next line may be any process's */
	p->chunk_no++, p->chunk_pid = 0;
	p->ret_inst = c->qc.pc.ev.instance;
	hs_spy_contest_leave(p, c, 0);
	hs_spy_drain(p);
}

/* The instance numbering as it is now, for a re-parse starting here. */
void hs_spy_take_snap(struct hs_parser *p, struct resume_point *r, int64_t off, int64_t lineno)
{
	int64_t k;

	r->offset = off;
	r->line = lineno;
	r->ninst = p->implicit ? 0 : p->ninst;
	r->unbound_from = p->unbound_from;
	r->ret_inst = p->ret_inst;
	r->after_banner = p->after_banner;
	r->ring = p->ring;
	r->n = 0;
	for (k = p->ninst - 1; !p->implicit && k >= 0 && r->n < SNAP; k--, r->n++) {
		r->in[r->n].id = k;
		r->in[r->n].pid = hs_spy_inst_get(p, k)->pid;
		r->in[r->n].last_n = hs_spy_inst_get(p, k)->last_n;
		r->in[r->n].hole = hs_spy_inst_get(p, k)->hole;
		r->in[r->n].ss = hs_spy_inst_get(p, k)->ss;
	}
}

static void on_header(struct hs_parser *p, int64_t num, const char *func,
                      int64_t off, int64_t lineno)
{
	int64_t id = p->ninst - 1, k;
	struct call *o = hs_spy_oldest_unsettled(p), *c;
	int guessed = 0, sole = 1, hole = 0;
	uint64_t cands = 0, comp;

	/* the call first, so that its resume point is written in place (a
	 * copy through the stack was two more passes over ~5 KiB a call) */
	c = (struct call *)hs_callq_new(&p->b.q);
	if (!c) {
		p->b.stop = 1;
		return;
	}
	/* A re-parse for this call must also rebuild every call still open
	 * (or held as a guess). */
	if (o)
		c->res = o->res;
	else
		hs_spy_take_snap(p, &c->res, off, lineno);
	/* Old-style logs carry no pid: when processes interleave, a call whose
	 * number continues another live instance's count belongs to it. When
	 * several counts are at that number, the process whose chunk this
	 * line is in, or else the one whose chunk just ended (the spy flushes
	 * at each return, so a process's lines come in chunks, and a thread's
	 * next call often follows its return): a process that just wrote is
	 * the likelier to write on. */
	if (!p->after_banner) {
		int64_t fit = -1, nfit = 0, skip = -1;
		for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
			if (hs_spy_inst_get(p, k)->last_n + 1 == num) {
				if (fit < 0 || k == p->cur_inst || (k == p->ret_inst && fit != p->cur_inst))
					fit = k;
				cands |= 1ull << (k % MAX_INSTANCES);
				nfit += k >= p->ninst - SNAP; /* those a refresh knows too (resume) */
			}
		/* none: the spy takes a call's number before it waits for the
		 * file, so two threads of one process can print theirs swapped
		 * (N+1 before N): a number one past a count leaves a hole that
		 * the next header of the skipped number fills (old header; the
		 * new one names the process) */
		for (k = p->ninst - 1; fit < 0 && !p->new_header && k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
			if (hs_spy_inst_get(p, k)->hole == num)
				fit = k, hole = 1, nfit = 1;
		/* and when the chunk being read is the process whose count
		 * skipped num, the header is its, though other counts are at
		 * num - 1 (processes that began together): a chunk is one
		 * process's, as for the counts that fit */
		if (!p->new_header && p->cur_inst >= 0 && !hole && hs_spy_inst_get(p, p->cur_inst)->hole == num)
			fit = p->cur_inst, hole = 1, nfit = 1;
		for (k = p->ninst - 1; fit < 0 && !p->new_header && k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
			if (hs_spy_inst_get(p, k)->last_n >= 0 && hs_spy_inst_get(p, k)->last_n + 2 == num &&
			    hs_spy_inst_get(p, k)->hole < 0) {
				if (skip < 0 || k == p->cur_inst || (k == p->ret_inst && skip != p->cur_inst))
					skip = k;
				nfit += k >= p->ninst - SNAP;
			}
		if (skip >= 0)
			fit = skip;
		if (fit >= 0)
			id = fit;
		/* more than one process could have written it, and no line of its
		 * chunk says which: a guess until its thread line (new header) */
		guessed = nfit > 1 && fit != p->cur_inst;
		sole = nfit <= 1;
		/* the one count at num may be so only because a guess gave
		 * another process's call of num to the process that could have
		 * made this one: then this call's process is as much a guess */
		if (!guessed && !hole && skip < 0 && fit >= 0 && !p->new_header &&
		    (comp = hs_spy_complement(p, num, fit)) != 0)
			guessed = 1, cands = comp; /* still sole: see hs_spy_addr_evidence */
	}
	p->after_banner = 0;
	p->implicit = 0;
	c->guessed = guessed;
	c->sole = sole;
	c->cands = guessed ? cands : 0;
	c->qc.pc.ev.format = "spy";
	c->qc.pc.ev.file_id = p->b.file_id;
	c->qc.pc.ev.offset = off;
	c->qc.pc.ev.line = lineno;
	c->qc.pc.ev.call_no = num;
	c->qc.pc.ev.instance = id;
	c->chunk_no = p->chunk_no, c->chunk_pid = p->chunk_pid;
	hs_strlcpy(c->qc.pc.ev.func, func, sizeof c->qc.pc.ev.func);
	c->sig = hs_spy_sig_find(func);
	c->nin = c->sig ? hs_spy_sig_nin(c->sig) : 0;
	c->in_at = -1;
	c->sess_inst = -1;
	c->ts_floor = p->new_header || !hs_spy_inst_get(p, id)->max_ts ? HS_NONE : hs_spy_inst_get(p, id)->max_ts;
	hs_callq_push(&p->b.q, &c->qc);
	p->cur_inst = id;
	c->guessed_last_n = hs_spy_inst_get(p, id)->last_n;
	if (hole) /* the number skipped before: the count stays where it is */
		hs_spy_inst_get(p, id)->hole = -1;
	else if (!p->new_header && hs_spy_inst_get(p, id)->last_n >= 0 && hs_spy_inst_get(p, id)->last_n + 2 == num)
		hs_spy_inst_get(p, id)->hole = num - 1, hs_spy_inst_get(p, id)->last_n = num;
	else
		hs_spy_inst_get(p, id)->last_n = num;
}

/* A new-style timestamp names the process and thread: bind the call to the
 * instance of that pid, or to the oldest instance whose pid is not known. */
void hs_spy_bind_pid(struct hs_parser *p, struct call *c, int64_t pid, int64_t tid)
{
	int64_t k, id = HS_NONE;
	int i;

	c->qc.pc.ev.pid = pid;
	c->qc.pc.ev.tid = tid;
	c->guessed = 0; /* the thread line names the process */
	for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
		if (hs_spy_inst_get(p, k)->pid == pid) {
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
		hs_spy_inst_get(p, id)->pid = pid;
	}
	if (id != c->qc.pc.ev.instance) /* the guess from the call number was wrong */
		hs_spy_inst_get(p, c->qc.pc.ev.instance)->last_n = c->guessed_last_n;
	c->qc.pc.ev.instance = id;
	p->cur_inst = id;
	if (c->qc.pc.ev.call_no > hs_spy_inst_get(p, id)->last_n)
		hs_spy_inst_get(p, id)->last_n = c->qc.pc.ev.call_no;
	/* A thread is in one call at a time: its older open calls are over,
	 * unless a return given to an hs_spy_alike call of another thread was theirs. */
	p->new_header = 1;
	for (i = 0; i < p->b.q.count; i++) {
		struct call *o = q_at(p, i);
		if (o != c && !o->qc.returned && o->qc.pc.ev.pid == pid && o->qc.pc.ev.tid == tid &&
		    !hs_spy_rescue(p, o) && !hs_spy_rescue_dump(p, o)) {
			hs_callq_give_up(&p->b.q, &o->qc);
			hs_spy_contest_leave(p, o, 0);
		}
	}
}

/* "[in] hSession = 0x4": the handle, HS_NONE for any other line. */
int64_t hs_spy_session_named(const char *s, size_t n, const char *name, size_t len)
{
	const char *v = name + len;
	int64_t h;

	if (len != 8 || memcmp(name, "hSession", 8) != 0 || (size_t)(v - s) + 3 >= n ||
	    memcmp(v, " = ", 3) != 0 || !hs_parse_int(v + 3, &h))
		return HS_NONE;
	return h;
}

/* Thread o's calls use session h, which the log says another thread's
 * C_OpenSession returned, while o's own C_OpenSession returned another:
 * when the two C_OpenSession were alike (same inputs: which output went
 * to which was decided by order alone) and neither thread has used the
 * handle it was given, they swap who they are. Threads keep to their own
 * session in the workloads that write such logs; a thread that used the
 * handle it was given keeps it. */
static void session_owner(struct hs_parser *p, const struct call *c, int64_t h)
{
	struct call *o = NULL, *y = NULL, *x;
	int i;

	if (!p->new_header || c->qc.pc.ev.tid == HS_NONE)
		return;
	for (i = 0; i < p->b.q.count; i++) {
		x = q_at(p, i);
		if (x == c || strcmp(x->qc.pc.ev.func, "C_OpenSession") != 0 || !x->qc.returned ||
		    !x->qc.pc.ev.ok || x->qc.pc.ev.pid != c->qc.pc.ev.pid)
			continue;
		if (x->qc.pc.ev.tid == c->qc.pc.ev.tid)
			o = x; /* its latest */
		else if (x->qc.pc.ev.session == h)
			y = x;
	}
	if (!o || !y || o->qc.pc.ev.session == h || !hs_spy_alike(o, y))
		return;
	for (i = 0; i < p->b.q.count; i++) { /* a thread that used what it was given keeps it */
		x = q_at(p, i);
		if (x == c || x == o || x == y || x->qc.pc.ev.pid != c->qc.pc.ev.pid)
			continue;
		if ((x->qc.pc.ev.tid == o->qc.pc.ev.tid && x->qc.pc.ev.session == o->qc.pc.ev.session &&
		     x->qc.pc.ev.offset > o->qc.pc.ev.offset) ||
		    (x->qc.pc.ev.tid == y->qc.pc.ev.tid && x->qc.pc.ev.session == h &&
		     x->qc.pc.ev.offset > y->qc.pc.ev.offset))
			return;
	}
	hs_spy_swap_identity(p, o, y);
}

/* c took "[in]/[out] name ...": where it is in its signature, and what
 * the line says about later lines (a template's attribute count, an input
 * buffer's address). */
static void took_param(struct hs_parser *p, struct call *c, const char *s, size_t n,
                       const char *name, size_t len, int out, int64_t off)
{
	const char *b = name + len;
	int k;

	/* "[out] pSignature[*pulSignatureLen]" alone: its "addr / len" comes apart */
	c->await_spec = s[n - 1] == ']' && !memchr(name, ' ', n - (size_t)(name - s));
	if (out && len == 10 && memcmp(name, "*phSession", 10) == 0 && n > len + 9 &&
	    hs_parse_int(name + len + 3, &p->ring.opened[p->ring.nopened % OPENED].handle)) {
		p->ring.opened[p->ring.nopened % OPENED].inst = c->qc.pc.ev.instance;
		p->ring.opened[p->ring.nopened % OPENED].off = off;
		if (!p->new_header)
			hs_spy_sess_opened(p, c, p->ring.opened[p->ring.nopened % OPENED].handle);
		p->ring.nopened++;
	}
	if (out) {
		int filled = hs_spy_buffer_addr(s, n) != 0; /* not a length query */
		c->out_buffer |= filled;
		if (!p->new_header)
			hs_spy_sess_output(p, c, filled);
		c->outs++;
		if (c->sig && (k = hs_spy_sig_out_index(c->sig, name, len)) >= 0 && k < 32)
			c->outs_seen |= 1u << k;
	} else if (c->sig && (k = hs_spy_sig_in_index(c->sig, name, len)) > c->in_at) {
		c->in_at = k;
	}
	if (!out) {
		unsigned long long a = hs_spy_buffer_addr(s, n);
		int64_t h = hs_spy_session_named(s, n, name, len);
		if (a && p->spec_garbled)
			a = 0; /* another buffer's text (buf_spec): not where its data lies */
		if (a)
			c->in_addr[c->in_addr[0] != 0] = a;
		hs_spy_forced_confirm(p, c, a);
		hs_spy_thread_addr_note(p, c, a);
		if (a && !p->new_header)
			hs_spy_addr_evidence(p, c, a);
		if (h != HS_NONE) {
			hs_spy_sess_use(p, c, h);
			c->named = h;
			session_owner(p, c, h);
		}
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

/* A held output line whose address never came: given as it is. */
void hs_spy_flush_out_wait(struct hs_parser *p)
{
	if (!p->out_wait.len)
		return;
	hs_buf_clear(&p->join);
	if (hs_buf_add(&p->join, p->out_wait.data, p->out_wait.len) < 0)
		p->b.stop = 1;
	hs_buf_clear(&p->out_wait);
	p->no_defer = 1;
	hs_spy_on_detail(p, hs_buf_cstr(&p->join), p->join.len, p->out_off, p->out_line, NULL);
	p->no_defer = 0;
}

/* Returns the call that took the line, NULL when it was skipped. */
/* OpenSC <= 0.18 printed C_GetMechanismInfo's mechanism on a line of its
 * own ("%30s " of its name, or " Unknown Mechanism (%08lx)  "): rewrite it
 * into the later "[in] type = NAME" in out[len]. 0 when s is no such line. */
static size_t old_mech_line(const struct call *c, const char *s, size_t n, char *out, size_t len)
{
	size_t i = 0, j;

	if (!c || n == 0 || s[0] != ' ' || strcmp(c->qc.pc.ev.func, "C_GetMechanismInfo") != 0)
		return 0; /* the bytes first: this is asked of every line */
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

/* c took an output at a: when a lies beside the input of a call that took
 * a garbled output by order (nul_out) and has not returned yet, this one
 * was likely that call's, and the garbled one c's: both uncertain. */
static void nul_out_check(struct hs_parser *p, struct call *c, unsigned long long a)
{
	int i, j;

	for (i = 0; a && i < p->b.q.count; i++) {
		struct call *o = q_at(p, i);
		for (j = 0; o != c && o->nul_out && !o->qc.returned && j < 2; j++)
			if (o->in_addr[j] && hs_spy_addr_dist(o->in_addr[j], a) < 0x1000)
				o->qc.pc.ev.uncertain = c->qc.pc.ev.uncertain = 1;
	}
}

struct call *hs_spy_on_detail(struct hs_parser *p, const char *s, size_t n, int64_t off,
                              int64_t lineno, struct call *prefer)
{
	char mech[96];
	struct call *c = NULL;
	int64_t doff = 0, len;
	int bytes, glued, kind = hs_spy_dump_kind(s, n, &doff, &bytes, &glued), alien = 0;
	const char *name = NULL;
	size_t nlen = 0;
	char key[32];
	uint64_t h = 0;

	int param = s[0] == '[' && (s[1] == 'i' || s[1] == 'o') && (name = hs_spy_param_name(s, n, &nlen), nlen);
	int out = param && s[1] == 'o';

	if (param) {
		hs_spy_param_key(s, n, key, sizeof key);
		h = hs_hash64_run(s, n, 0);
	}
	if (out && !p->no_defer && !is_open(p, prefer) && s[n - 1] == ']' && !memchr(name, ' ', n - (size_t)(name - s))) {
		hs_spy_flush_out_wait(p);
		hs_buf_clear(&p->out_wait);
		if (hs_buf_add(&p->out_wait, s, n) < 0)
			p->b.stop = 1;
		p->out_off = off, p->out_line = lineno;
		return NULL; /* whose it is, its buffer's address will tell */
	}
	if (is_open(p, prefer))
		c = prefer;
	else if (kind)
		c = hs_spy_dump_owner(p, kind, doff, bytes, 1);
	else if (param) {
		p->in_handle = out ? HS_NONE : hs_spy_session_named(s, n, name, nlen);
		c = hs_spy_pick(p, out ? K_OUT : K_IN, key, h, name, nlen, 0,
		                out && !p->spec_nul ? hs_spy_buffer_addr(s, n) : 0, NULL);
		p->in_handle = HS_NONE;
	}
	else if (is_open(p, p->last))
		c = p->last; /* a continuation stays with the call before it */
	if (!c) { /* no call fits the evidence: order alone decides, as before */
		if (s[0] == '[' && s[1] == 'o')
			c = hs_spy_oldest_open(p, NULL, 1);
		else
			c = newest_open(p);
		/* an output the call's function never prints: it is not this
		 * call's, whichever it is (a return went to a call it was not):
		 * a held call that prints it takes it, else this call keeps the
		 * text, but its value says nothing of the call (a C_Sign given
		 * "[out] *phSession = 0x6" is no session 6's) */
		if (c && out && c->sig && hs_spy_known_out(name, nlen) &&
		    hs_spy_sig_out_index(c->sig, name, nlen) < 0) {
			struct call *r = hs_spy_reopen_noout(p, name, nlen);
			if (r)
				c = r;
			else
				c->qc.pc.ev.uncertain = 1, alien = 1;
		}
		if (c && param && hs_spy_oldest_open(p, c, 0))
			c->qc.pc.ev.uncertain = 1;
	}
	if (!c && out) /* no call open at all: such a held call may print it */
		c = hs_spy_reopen_noout(p, name, nlen);
	if (!c) {
		skip_line(p, lineno, off, "text outside any call");
		return NULL;
	}
	if (param)
		hs_spy_contest_take(p, c, key, h);
	if (!c->outs && !out)
		c->in_hash = hs_hash64_run(s, n, c->in_hash ^ 0x9e3779b97f4a7c15ull);
	p->last = c;
	hs_spy_own_line(p, c, lineno, off);
	if (!kind && (len = (int64_t)old_mech_line(c, s, n, mech, sizeof mech)) > 0)
		s = mech, n = (size_t)len;
	p->cur_inst = c->qc.pc.ev.instance;
	if (hs_event_add_line(&c->qc.pc.ev, s, n) < 0) {
		p->b.stop = 1; /* out of memory: stop rather than lose data silently */
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
	if (!alien) /* an alien output's rows still follow it, below */
		hs_p11call_note(&c->qc.pc, s, n);
	if (param && !alien)
		took_param(p, c, s, n, name, nlen, out, off);
	else if (c->attrs_left > 0 && n > 8 && memcmp(s, "    CKA_", 8) == 0)
		c->attrs_left--;
	/* Any other line of the call ends its dump; it may announce the next. */
	c->label_next = 0;
	c->dump_left = 0, c->dump_open = 0;
	len = hs_spy_opens_dump(s, n);
	if (len > 0) {
		c->dump_left = len;
		c->dump_next = 0;
		c->print_next = 1;
		c->dump_seq = ++p->seq;
	}
	/* a garbled "addr / len" (spec_nul): the rows tell where its dump
	 * ends; uncertain, as the name's call was chosen by order alone */
	if (len > 0 && out && p->spec_nul)
		c->dump_left = DUMP_OPEN, c->dump_open = 1, c->nul_out = 1, c->qc.pc.ev.uncertain = 1;
	if (out && !p->spec_nul) {
		unsigned long long a = hs_spy_buffer_addr(s, n);
		nul_out_check(p, c, a);
		if (hs_spy_thread_addr_other(p, c, a))
			c->qc.pc.ev.uncertain = 1;
	}
	if (n > 13 && memcmp(s, "    CKA_LABEL ", 14) == 0)
		c->label_next = 1, c->qc.pc.label[0] = '\0';
	return c;
}

/* "P:pid; T:tid time" (old header: the time alone, pid HS_NONE): the
 * newest call without a time is the thread's, unless several differ
 * (then the input lines after it tell). */
void hs_spy_on_thread_line(struct hs_parser *p, int64_t pid, int64_t tid, int64_t ts)
{
	int64_t lineno = p->cur_lineno, off = p->cur_off;
	struct call *c;

	if (pid != HS_NONE)
		p->new_header = 1, hs_spy_chunk_pid(p, pid);
	if (hs_spy_ts_ambiguous(p, ts, pid, tid)) {
		p->pend.on = 1, p->pend.pid = pid, p->pend.tid = tid, p->pend.ts = ts;
		p->pend.chunk = hs_spy_chunk_inst(p);
		p->pend.lineno = lineno, p->pend.off = off;
		p->pend.nl = 0;
		hs_buf_clear(&p->pend.text);
		p->last = NULL;
		return;
	}
	c = hs_spy_take_ts(p, ts, pid, tid);
	if (c) {
		c->l_ts = lineno, c->l_ts_off = off;
		if (pid != HS_NONE)
			hs_spy_bind_pid(p, c, pid, tid);
		p->last = c; /* its inputs follow, unless another thread interrupts */
		hs_spy_drain(p);
	}
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
		return p->b.stop;
	p->cur_lineno = lineno, p->cur_off = off;
	hs_buf_clear(&p->b.line);
	if (hs_buf_add(&p->b.line, line, t) < 0) {
		p->b.stop = 1;
		return p->b.stop;
	}
	s = p->b.line.data;
	if (p->pend.on && hs_spy_pend_hold(p, s, t, off, lineno))
		return p->b.stop;
	if (p->pend.on && (hs_is_digit(s[0]) || s[0] == '*' || (s[0] == 'P' && s[1] == ':') ||
	                   hs_starts(s, t, "[out]") || hs_starts(s, t, "Returned:"))) {
		p->pend_ret = hs_starts(s, t, "Returned:");
		hs_spy_flush_pend(p); /* a header, a time, a banner, a thread line, an output or a
		                  return (which come after a call's inputs): it is decided */
		p->pend_ret = 0;
	}
	/* A banner ends the wait (the process that printed the name may have
	 * been killed); headers do not: the thread that printed "[out] pX[..] "
	 * may be descheduled for hundreds of lines before its "addr / len",
	 * and only that address tells whose output it is */
	if (p->out_wait.len && s[0] == '*')
		hs_spy_flush_out_wait(p);
	if (s[0] == '*' && hs_find(s, t, banner_mark)) {
		if (p->implicit) /* the text before it was blank: it is instance 0 */
			p->implicit = 0, hs_spy_inst_get(p, 0)->pid = HS_NONE, hs_spy_inst_get(p, 0)->last_n = -1,
			hs_spy_inst_get(p, 0)->ss.known = 1, hs_spy_inst_get(p, 0)->ss.n = 0;
		else
			new_instance(p);
		/* A killed process leaves its call open forever; without this, the
		 * next process's returns would each go to the call before theirs. */
		for (i = 0; i < p->b.q.count; i++)
			q_at(p, i)->suspect = 1;
		p->after_banner = 1;
		return p->b.stop;
	}
	if (s[0] == 'L' && t > 8 && memcmp(s, "Loaded: ", 8) == 0)
		return p->b.stop;
	if (hs_is_digit(s[0])) {
		if (hs_spy_parse_header(s, t, &num, func, sizeof func)) {
			on_header(p, num, func, off, lineno);
			return p->b.stop;
		}
		ts = hs_spy_parse_ts(s, t);
		for (i = 0; ts != HS_NONE && i < p->b.q.count; i++)
			if (!q_at(p, i)->has_ts && !q_at(p, i)->qc.returned)
				break;
		if (ts != HS_NONE && i < p->b.q.count) {
			hs_spy_on_thread_line(p, HS_NONE, HS_NONE, ts);
			return p->b.stop;
		}
	}
	if (s[0] == 'P' && s[1] == ':' && hs_spy_parse_new_ts(s, t, &pid, &tid, &ts)) {
		hs_spy_on_thread_line(p, pid, tid, ts);
		return p->b.stop;
	}
	why = hs_spy_foreign_line(s, t);
	if (why) {
		skip_line(p, lineno, off, why);
		return p->b.stop;
	}
	hs_spy_feed_piece(p, s, t, off, lineno, NULL);
	return p->b.stop;
}

/* hooks.reuse: a recycled call blank up to its resume point, which
 * on_header writes whole (the struct's last member, most of its size). */
static void spy_reuse(void *ctx, struct hs_callq_call *qc)
{
	(void)ctx;
	memset((char *)qc + sizeof *qc, 0, offsetof(struct call, res) - sizeof *qc);
}

static struct hs_parser *spy_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = hs_pbase_create(sizeof *p, sink, o, sizeof(struct call), QMAX,
	                                      &(struct hs_callq_hooks){ .on_emit = hs_spy_leave_call,
	                                                                .reuse = spy_reuse,
	                                                                .hold_from = hs_spy_hold_from });

	if (!p)
		return NULL;
	hs_pbase_buf(&p->b, &p->pend.text);
	hs_pbase_buf(&p->b, &p->join);
	hs_pbase_buf(&p->b, &p->out_wait);
	/* Text before any banner (a log cut from the middle) is instance 0. */
	new_instance(p);
	hs_spy_inst_get(p, 0)->ss.known = 0; /* sessions may have been opened before the log */
	p->implicit = 1;
	p->cur_inst = -1;
	p->ret_inst = -1;
	p->in_handle = HS_NONE;
	p->unbound_from = 0;
	return p;
}

static void spy_resume(struct hs_parser *p, const char *state)
{
	hs_spy_resume(p, state);
}

static void spy_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                       struct hs_parse_stats *st)
{
	struct call *c;
	struct resume_point r;

	hs_spy_flush_pend(p);
	hs_spy_flush_out_wait(p);
	/* The oldest unfinished call (or one held as a guess, old header) is
	 * where a refresh must start again. */
	c = hs_spy_oldest_unsettled(p);
	if (c)
		r = c->res;
	else
		hs_spy_take_snap(p, &r, end_offset, end_line);
	hs_spy_put_state(p, &r);
	hs_pbase_finish(&p->b, r.offset, r.line, st);
}

static void spy_destroy(struct hs_parser *p)
{
	hs_pbase_destroy(p ? &p->b : NULL); /* calls still held (no finish()) are freed, not emitted */
}

static int spy_line_score(const char *s, size_t n)
{
	int64_t num, ts, pid, tid;
	char func[64];

	if (n > 18 && hs_find(s, n, banner_mark))
		return 60;
	if (n > 10 && memcmp(s, "Returned:  ", 11) == 0)
		return 15;
	if (hs_spy_parse_header(s, n, &num, func, sizeof func))
		return 15;
	return hs_spy_parse_new_ts(s, n, &pid, &tid, &ts) ? 10 : 0;
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

HS_PARSER_DESC_BY_LINE(spy, spy, "OpenSC pkcs11-spy", 1);
