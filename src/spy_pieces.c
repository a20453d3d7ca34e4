/* spy_pieces.c — a spy line that holds pieces of several calls. Threads
 * and processes write one file with separate fprintf calls, so a line may
 * be one call's input name and another's "addr / len", an output name
 * with an input after it, a dump row or a label with another thread's
 * Returned or time line glued on, or two threads' "addr / len" run
 * together. hs_spy_feed_piece splits such a line where the spy's own
 * syntax says a new piece begins and hands each piece to the parser
 * (parse_spy.c) as if it were a line of its own. Split from parse_spy.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/callq.h"
#include "hsmscope/chars.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#include "spy_int.h"

/* A held output line and an input line waiting for its "addr / len" at
 * once: the address is the output's when it lies near the input buffers
 * of a call that can print that output (a thread's buffers are on its
 * own stack), else the waiting input's. 1: the input's. */
/* Does a lie within NEAR_ADDR of an input buffer of an open call that has
 * printed all its inputs and no output yet (one that prints an output
 * next)? `same`: an input buffer at a itself counts. */
static int near_waiting_input(struct hs_parser *p, unsigned long long a, int same)
{
	unsigned long long b, d;
	int i, j;

	for (i = 0; i < p->b.q.count; i++) {
		const struct call *c = q_at(p, i);
		if (c->qc.returned || c->outs || !hs_spy_in_done(c))
			continue;
		for (j = 0; j < 2; j++) {
			b = c->in_addr[j];
			d = hs_spy_addr_dist(b, a);
			if (b && (d || same) && d < NEAR_ADDR)
				return 1;
		}
	}
	return 0;
}

static int spec_is_awaited_in(struct hs_parser *p, const char *s, size_t n, const struct call *avoid)
{
	unsigned long long a = hs_spy_buffer_addr(s, n);
	int i, in = 0;

	/* a call whose last line is an output name waits for an output's
	 * address, not an input's (outputs come after every input) */
	for (i = 0; i < p->b.q.count && !in; i++)
		in = !q_at(p, i)->qc.returned && q_at(p, i)->await_spec && !q_at(p, i)->outs &&
		     q_at(p, i) != avoid;
	return in && a && !near_waiting_input(p, a, 1);
}

/* "00007fb497ffda70 / 21\0": an "addr / len" and NULs to the end of the
 * line, when an output name waits for its own. pkcs11-display.c's
 * buf_spec writes every "addr / len" into one static buffer: a thread
 * whose fprintf took the length of its own text and then read the buffer
 * after another thread wrote its shorter one printed the other's text and
 * the NUL after it. The output name's "addr / len" may be lost that way,
 * so which open call printed it, and which return follows it, is not
 * known: each call that could have (all inputs out, no output yet,
 * headed before the name) is uncertain. */
static void spec_nul_mark(struct hs_parser *p, const char *s, size_t n)
{
	const char *z = memchr(s, '\0', n), *e;
	size_t i, at = 0;

	/* or after another thread's input name, whose own "addr / len" then
	 * follows the NULs ("[in] pData[ulDataLen] 00007fbd06dfda70 / 21\0" +
	 * "00007fbd06dfda70 / 21": the NUL-ended copy was the output's) */
	if (z && n > 5 && memcmp(s, "[in] ", 5) == 0 && (e = hs_find(s + 5, (size_t)(z - s) - 5, "] ")) != NULL)
		at = (size_t)(e - s) + 2;
	if (!p->out_wait.len || !z || z == s + at || !hs_spy_is_spec(s + at, (size_t)(z - s) - at))
		return;
	for (i = (size_t)(z - s); i < n && s[i] == '\0'; i++)
		;
	if (i < n && (!at || !hs_spy_is_spec(s + i, n - i)))
		return;
	for (i = 0; i < (size_t)p->b.q.count; i++) {
		struct call *c = q_at(p, (int)i);
		if (!c->qc.returned && !c->outs && hs_spy_in_done(c) && c->qc.pc.ev.offset < p->out_off)
			c->qc.pc.ev.uncertain = 1;
	}
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

	const char *z = memchr(s, '\0', n);
	int nul = p->new_header && z && z > s && hs_spy_is_spec(s, (size_t)(z - s));

	/* the output line it completes was held for it; a copy of another
	 * thread's text and NULs (spec_nul_mark) is the held output's (the
	 * input's own came whole), kept up to the NUL: it says nothing of
	 * the buffer */
	if (p->out_wait.len && (nul || !spec_is_awaited_in(p, s, n, avoid))) {
		if (nul)
			n = (size_t)(z - s), p->spec_nul = 1, p->spec_nul_before = p->out_off;
		hs_buf_clear(&p->join);
		if (hs_buf_add(&p->join, p->out_wait.data, p->out_wait.len) < 0 ||
		    hs_buf_add(&p->join, " ", 1) < 0 || hs_buf_add(&p->join, s, n) < 0) {
			p->b.stop = 1;
			return;
		}
		hs_buf_clear(&p->out_wait);
		c = hs_spy_on_detail(p, p->join.data, p->join.len, p->out_off, p->out_line, NULL);
		p->spec_nul = 0;
		if (c)
			hs_spy_own_line(p, c, lineno, off);
		return;
	}
	if (is_open(p, p->last) && p->last->await_spec && p->last != avoid)
		c = p->last;
	for (i = p->b.q.count - 1; i >= 0 && !c; i--)
		if (!q_at(p, i)->qc.returned && q_at(p, i)->await_spec && q_at(p, i) != avoid)
			c = q_at(p, i);
	if (!c || c->qc.pc.ev.elided_lines) {
		hs_spy_on_detail(p, s, n, off, lineno, c);
		return;
	}
	d = &c->qc.pc.ev.detail;
	for (st = d->len; st > 0 && d->data[st - 1] != '\n'; st--)
		;
	hs_buf_clear(&p->join);
	if (hs_buf_add(&p->join, d->data + st, d->len - st) < 0 || hs_buf_add(&p->join, " ", 1) < 0 ||
	    hs_buf_add(&p->join, s, n) < 0) {
		p->b.stop = 1;
		return;
	}
	d->len = st ? st - 1 : 0;
	d->data[d->len] = '\0';
	c->await_spec = 0;
	hs_spy_on_detail(p, p->join.data, p->join.len, off, lineno, c);
}

#define TS_LEN 23 /* "2026-12-07 20:16:25.239": the old header's time line */

/* An open call has no time line yet. */
static int awaits_ts(struct hs_parser *p)
{
	int i;

	for (i = 0; i < p->b.q.count; i++)
		if (!q_at(p, i)->has_ts && !q_at(p, i)->qc.returned)
			return 1;
	return 0;
}

/* What follows a full dump row on its line was written by another thread
 * (the row's own thread goes on with a newline): a return, a thread line
 * (new header) or time line (old), the second half of a parameter line,
 * or a line of its own. */
static void feed_rest(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno,
                      struct call *owner)
{
	int64_t pid, tid, ts;

	if (n >= 9 && memcmp(s, "Returned:", 9) == 0) {
		hs_spy_on_returned(p, s, n, off, lineno, NULL, owner);
	} else if (s[0] == 'P' && s[1] == ':' && hs_spy_parse_new_ts(s, n, &pid, &tid, &ts)) {
		hs_spy_flush_pend(p);
		hs_spy_on_thread_line(p, pid, tid, ts);
	} else if (!p->new_header && hs_is_digit(s[0]) && (ts = hs_spy_parse_ts(s, n)) != HS_NONE &&
	           hs_spy_oldest_open(p, NULL, 0) && awaits_ts(p)) {
		hs_spy_on_thread_line(p, HS_NONE, HS_NONE, ts); /* the old header's time line */
	} else if (hs_spy_is_spec(s, n)) {
		on_spec(p, s, n, off, lineno, owner);
	} else {
		hs_spy_feed_piece(p, s, n, off, lineno, NULL);
	}
}

/* A new-style thread line that begins inside s (not at its start), NULL. */
static const char *glued_thread_line(const char *s, size_t n)
{
	const char *g = s + 1;
	int64_t pid, tid, ts;

	while ((g = hs_find(g, n - (size_t)(g - s), "P:")) != NULL) {
		if (hs_spy_parse_new_ts(g, n - (size_t)(g - s), &pid, &tid, &ts))
			return g;
		g += 2;
	}
	return NULL;
}

/* The length of an "addr / len" or a "NULL [size : ..]" at the start of
 * s that another line follows without a newline ("[in] ..", "[out] ..",
 * "Returned:", "P:"), 0 none. */
static size_t spec_prefix(const char *s, size_t n)
{
	size_t i = 0;
	const char *e;

	/* "NULL [size : 0x0 (0)]Returned:  0 CKR_OK" (old header) */
	if (n > 10 && memcmp(s, "NULL [size", 10) == 0 && (e = memchr(s, ']', n)) != NULL) {
		i = (size_t)(e - s) + 1;
		return i < n && (s[i] == '[' || s[i] == 'R' || s[i] == 'P') ? i : 0;
	}
	while (i < n && hs_is_hex(s[i]))
		i++;
	if (i < 8 || i > 16 || i + 4 > n || memcmp(s + i, " / ", 3) != 0)
		return 0;
	for (i += 3; i < n && hs_is_digit(s[i]); i++)
		;
	if (i == n || !hs_is_digit(s[i - 1]) || !(s[i] == '[' || s[i] == 'R' || s[i] == 'P'))
		return 0;
	return hs_spy_is_spec(s, i) ? i : 0;
}

/* "[in] pX[..] addr / len" read while an "[out] pY[..]" waits for its
 * address, and the address lies near the input buffers of a call that has
 * printed all its inputs and no output yet, and is none of them (a
 * thread's buffers are on its own stack): the "addr / len" is that
 * output's, printed by its thread right after another thread's input name
 * ("[out] pSignature[..] [in] pMechanism->pParameter[..] 00007f6ffc9fdab0
 * / 256", the input's own "NULL [size : ..]" later, or at once after the
 * length: "/ 256NULL [size : 0x0 (0)]"). Either header: the new one names
 * the thread of a call, not of an output line. The offset of the "addr /
 * len", 0 none; *end: where it ends (n, or where a glued NULL form
 * begins, the input's own value). */
static size_t spec_of_held_out(struct hs_parser *p, const char *s, size_t n, size_t *end)
{
	const char *e = n > 5 && memcmp(s, "[in] ", 5) == 0 ? hs_find(s + 5, n - 5, "] ") : NULL;
	size_t at = e ? (size_t)(e - s) + 2 : 0, z;
	unsigned long long a;

	if (!p->out_wait.len || !at || at >= n)
		return 0;
	z = (e = hs_find(s + at, n - at, "NULL [size")) != NULL ? (size_t)(e - s) : n;
	if (z < n && !hs_spy_is_spec(s + z, n - z))
		return 0;
	if (!hs_spy_is_spec(s + at, z - at) || !(a = hs_spy_buffer_addr(s + at, z - at)))
		return 0;
	*end = z;
	return near_waiting_input(p, a, 0) ? at : 0; /* an input's own address is no output's */
}

/* Where a second "addr / len" begins that another thread printed right
 * after this line's own one ("... 00007f..ab0 / 25600007f..bb0 / 256":
 * the spy prints 16 hex digits of an address), 0 none. */
static size_t glued_spec(const char *s, size_t n)
{
	size_t i = n, a;

	while (i > 0 && hs_is_digit(s[i - 1]))
		i--;
	if (i == n || i < 3 + 16 + 4 || memcmp(s + i - 3, " / ", 3) != 0)
		return 0;
	a = i - 3 - 16;
	if (!hs_spy_is_spec(s + a, n - a) || !hs_is_digit(s[a - 1]))
		return 0;
	for (i = a; i > 0 && hs_is_digit(s[i - 1]); i--)
		;
	return i >= 3 && i < a && memcmp(s + i - 3, " / ", 3) == 0 ? a : 0;
}

/* "[in] pData[..] [out] pSignature[..] 00007f..a70 / 2100007f..ab0 / 256":
 * two threads' names, then their two "addr / len" run together (the
 * second from a, glued_spec). Each thread prints its name and then its
 * "addr / len" with two fprintf calls, and the two threads took the file
 * in turn, so the "addr / len" come in the order of the names: each goes
 * to its name's line. Both calls are uncertain (the order is the only
 * evidence: the spy's buf_spec keeps its text in one static buffer, so an
 * address another thread printed at that moment may be garbled). 1: done. */
static int two_names_in_order(struct hs_parser *p, const char *s, size_t a, size_t n, int64_t off,
                              int64_t lineno)
{
	char l1[256], l2[256];
	const char *e1, *e2;
	size_t n1, n2, i2;
	struct call *c1, *c2;
	unsigned long long a1;

	/* NAME1 is s[0, n1), NAME2 s[n1 + 1, i2), then " " and the first
	 * "addr / len" up to a, the second from a */
	if (n < 12 || memcmp(s, "[in] ", 5) != 0 || (e1 = hs_find(s + 5, a - 5, "] [out] ")) == NULL)
		return 0;
	n1 = (size_t)(e1 - s) + 1;
	if ((e2 = hs_find(s + n1 + 7, a - n1 - 7, "] ")) == NULL)
		return 0;
	i2 = (size_t)(e2 - s) + 1;
	if (i2 + 1 >= a || !hs_spy_is_spec(s + i2 + 1, a - i2 - 1) || !hs_spy_is_spec(s + a, n - a) ||
	    n1 + a - i2 >= sizeof l1 || i2 - n1 + n - a >= sizeof l2)
		return 0;
	memcpy(l1, s, n1);
	memcpy(l1 + n1, s + i2, a - i2);
	n1 += a - i2;
	n2 = i2 - ((size_t)(e1 - s) + 2);
	memcpy(l2, e1 + 2, n2);
	l2[n2++] = ' ';
	memcpy(l2 + n2, s + a, n - a);
	n2 += n - a;
	l1[n1] = l2[n2] = '\0';
	p->split_lineno = lineno;
	/* one address twice ("..065fcab0 / 21" + "..065fcab0 / 256"): the
	 * input's is the output's text in buf_spec's buffer, not where its
	 * data lies, and must not place its call's later output */
	a1 = hs_spy_buffer_addr(s + i2 + 1, a - i2 - 1);
	p->spec_garbled = a1 && a1 == hs_spy_buffer_addr(s + a, n - a);
	c1 = hs_spy_on_detail(p, l1, n1, off, lineno, NULL);
	p->spec_garbled = 0;
	c2 = hs_spy_on_detail(p, l2, n2, off, lineno, NULL);
	if (c1)
		c1->qc.pc.ev.uncertain = 1;
	if (c2)
		c2->qc.pc.ev.uncertain = 1;
	return 1;
}

/* "[in] pData[ulDataLen] [out] pSignature[..] 00007f146a3fca70 / 21":
 * two threads' names and one "addr / len" (s is the part from "[out]"),
 * which either could have printed next; it is the input's (owner, whose
 * name waits for it) when it lies near its thread's earlier buffers (a
 * thread's are on its own stack): the output's name is held for its own,
 * still to come. 1: done. */
static int split_out_spec(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno,
                          struct call *owner)
{
	const char *e = n > 6 && memcmp(s, "[out] ", 6) == 0 ? hs_find(s + 6, n - 6, "] ") : NULL;
	size_t at = e ? (size_t)(e - s) + 2 : 0;
	unsigned long long a;
	char keep;

	if (!at || at >= n || !hs_spy_is_spec(s + at, n - at) || !(a = hs_spy_buffer_addr(s + at, n - at)) ||
	    !hs_spy_thread_addr_near(p, owner, a))
		return 0;
	keep = s[at - 1];
	s[at - 1] = '\0';
	hs_spy_on_detail(p, s, at - 1, off, lineno, NULL); /* held: an output name alone */
	s[at - 1] = keep;
	if (!p->out_wait.len)
		return 1; /* the name went to a call at once: the spec would too */
	p->last = owner;
	on_spec(p, s + at, n - at, off, lineno, NULL);
	return 1;
}

/* An output name waits, and s is a NUL-garbled "addr / len" (spec_nul_mark)
 * after another thread's input name, whose own "addr / len" follows the
 * NULs ("[in] pData[ulDataLen] 00007fbd06dfda70 / 21\0" +
 * "00007fbd06dfda70 / 21"): the garbled copy is the output's, the whole
 * one the input's. New header only (Debian's 0.23 spy, whose threads print
 * no thread line, is read as before); a garbled one alone on its line
 * ("00007fb497ffda70 / 21\0", new-threads-c4-7 line 2987) is too: read
 * as the held output's, it went to a stalled call of another thread, and
 * later outputs, one call late there, went to the wrong calls, certain.
 * 1: done. */
static int nul_spec(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno, struct call *prefer)
{
	const char *z = memchr(s, '\0', n), *e;
	size_t at = 0, i;
	char keep;

	if (!p->new_header || !p->out_wait.len || !z)
		return 0;
	if (n > 5 && memcmp(s, "[in] ", 5) == 0 && (e = hs_find(s + 5, (size_t)(z - s) - 5, "] ")) != NULL)
		at = (size_t)(e - s) + 2;
	if (!at || z == s + at || !hs_spy_is_spec(s + at, (size_t)(z - s) - at))
		return 0;
	for (i = (size_t)(z - s); i < n && s[i] == '\0'; i++)
		;
	if (i < n && !hs_spy_is_spec(s + i, n - i))
		return 0;
	p->split_lineno = lineno;
	if (at) {
		keep = s[at - 1];
		s[at - 1] = '\0';
		hs_spy_on_detail(p, s, at - 1, off, lineno, prefer); /* the input's name */
		s[at - 1] = keep;
	}
	on_spec(p, s + at, i - at, off, lineno, NULL);
	if (i < n)
		on_spec(p, s + i, n - i, off, lineno, NULL);
	return 1;
}

/* A line may hold pieces of several: "[in] type = X    [out] pInfo:" or
 * "...0x80001234Returned:  112 CKR_..." (the spy left out a newline), or
 * "    00000020  30 ...  0        Returned:  0 CKR_OK" (another thread's
 * return landed before the dump line's newline). Split and handle each
 * piece; s is the parser's own copy, so a piece is NUL-ended in place. */
void hs_spy_feed_piece(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno,
                       struct call *prefer)
{
	const char *r, *g;
	struct call *owner;
	size_t a, z;
	char keep;
	int64_t doff;
	int b, gl, dump;

	if (n == 0)
		return;
	if (n >= 9 && memcmp(s, "Returned:", 9) == 0) {
		hs_spy_on_returned(p, s, n, off, lineno, prefer, NULL);
		return;
	}
	if (p->out_wait.len && memchr(s, '\0', n))
		spec_nul_mark(p, s, n);
	if (n > 40 && (a = glued_spec(s, n)) > 0) {
		if (two_names_in_order(p, s, a, n, off, lineno))
			return;
		p->split_lineno = lineno;
		keep = s[a];
		s[a] = '\0';
		hs_spy_feed_piece(p, s, a, off, lineno, prefer);
		s[a] = keep;
		hs_spy_feed_piece(p, s + a, n - a, off, lineno, NULL);
		return;
	}
	if (n > ROW_LEN && hs_spy_dump_kind(s, ROW_LEN, &doff, &b, &gl) == 1) {
		p->split_lineno = lineno;
		keep = s[ROW_LEN];
		s[ROW_LEN] = '\0';
		owner = hs_spy_on_detail(p, s, ROW_LEN, off, lineno, prefer);
		s[ROW_LEN] = keep;
		feed_rest(p, s + ROW_LEN, n - ROW_LEN, off, lineno, owner);
		return;
	}
	if (hs_spy_is_spec(s, n)) {
		on_spec(p, s, n, off, lineno, NULL);
		return;
	}
	if (nul_spec(p, s, n, off, lineno, prefer))
		return;
	/* "00007fbaf0dfda70 / 21[in] pMechanism->..": a thread's awaited
	 * "addr / len" and, before its newline, another thread's line */
	if ((a = spec_prefix(s, n)) > 0) {
		p->split_lineno = lineno;
		keep = s[a];
		s[a] = '\0';
		on_spec(p, s, a, off, lineno, NULL);
		s[a] = keep;
		hs_spy_feed_piece(p, s + a, n - a, off, lineno, NULL);
		return;
	}
	/* "[in] pData[ulDataLen] P:1998; T:0x1406.. 2026-..": another thread's
	 * thread line (one fprintf, whole) landed before this line's rest */
	if (n > 20 && (g = glued_thread_line(s, n)) != NULL) {
		p->split_lineno = lineno;
		a = (size_t)(g - s);
		while (a && s[a - 1] == ' ')
			a--;
		keep = s[a];
		s[a] = '\0';
		hs_spy_feed_piece(p, s, a, off, lineno, prefer);
		owner = is_open(p, p->last) ? p->last : NULL;
		s[a] = keep;
		feed_rest(p, (char *)g, n - (size_t)(g - s), off, lineno, owner);
		return;
	}
	/* old header: "[out] pSignature[..] 00007f.. / 2562026-12-07
	 * 20:16:25.239": another thread's time line (23 characters, the
	 * fixed width of its "%Y-%m-%d %H:%M:%S.mmm") before this line's
	 * newline; the rows of the "addr / len" follow from its own thread */
	if (!p->new_header && n > 40 && s[0] == '[' && hs_is_digit(s[n - TS_LEN - 1]) &&
	    hs_spy_parse_ts(s + n - TS_LEN, TS_LEN) != HS_NONE &&
	    hs_spy_opens_dump(s, n - TS_LEN) > 0 && awaits_ts(p)) {
		p->split_lineno = lineno;
		a = n - TS_LEN;
		keep = s[a];
		s[a] = '\0';
		owner = hs_spy_on_detail(p, s, a, off, lineno, prefer);
		s[a] = keep;
		feed_rest(p, s + a, TS_LEN, off, lineno, owner);
		return;
	}
	r = hs_find(s, n, "Returned:  ");
	/* "[in] type = CKM_X    [out] pInfo:", or another thread's "[out] pX"
	 * right after this one's "addr / len" ("... / 256[out] pSignature...") */
	g = s[0] == '[' && n > 6 ? hs_find(s + 4, n - 4, "[out] ") : NULL;
	if (!g && s[0] == '[' && n > 6)
		g = hs_find(s + 4, n - 4, "[in] ");
	if (g && (!r || g < r))
		r = NULL;
	else
		g = NULL;
	if (!r && !g && (a = spec_of_held_out(p, s, n, &z)) > 0) {
		p->split_lineno = lineno;
		keep = s[a - 1];
		s[a - 1] = '\0';
		hs_spy_on_detail(p, s, a - 1, off, lineno, prefer);
		s[a - 1] = keep;
		keep = s[z];
		s[z] = '\0';
		on_spec(p, s + a, z - a, off, lineno, NULL);
		s[z] = keep;
		if (z < n) /* the input's own NULL form, glued after the output's */
			on_spec(p, s + z, n - z, off, lineno, NULL);
		return;
	}
	if (!r && !g) {
		hs_spy_on_detail(p, s, n, off, lineno, prefer);
		return;
	}
	p->split_lineno = lineno;
	a = (size_t)((r ? r : g) - s);
	while (a && s[a - 1] == ' ')
		a--;
	keep = s[a];
	s[a] = '\0';
	dump = hs_spy_dump_kind(s, a, &doff, &b, &gl) != 0;
	owner = a ? hs_spy_on_detail(p, s, a, off, lineno, prefer) : prefer;
	s[a] = keep;
	/* after a dump row, after a name whose "addr / len" its own thread
	 * prints next ("[in] pData[ulDataLen] Returned:  0 CKR_OK"), or after
	 * an "addr / len" whose rows its own thread prints next ("[out]
	 * pSignature[..] 00007f.. / 256Returned:  0 CKR_OK"): the return is
	 * another thread's */
	if (r && (dump || (a && s[a - 1] == ']') ||
	          (is_open(p, owner) && (owner->dump_left > 0 || owner->await_spec))))
		hs_spy_on_returned(p, r, n - (size_t)(r - s), off, lineno, NULL, owner);
	else if (r)
		hs_spy_on_returned(p, r, n - (size_t)(r - s), off, lineno, owner, NULL);
	else if (a && s[a - 1] == ']' && is_open(p, owner) && owner->await_spec &&
	         split_out_spec(p, s + (g - s), n - (size_t)(g - s), off, lineno, owner))
		;
	else if (a && (hs_spy_opens_dump(s, a) > 0 || s[a - 1] == ']'))
		/* a whole "... addr / len", or a name whose "addr / len" its own
		 * thread prints next ("[in] pData[ulDataLen] [out] pSignature[..]
		 * 00007f.. / 256"): the rest is another thread's */
		hs_spy_feed_piece(p, s + (g - s), n - (size_t)(g - s), off, lineno, NULL);
	else
		hs_spy_feed_piece(p, s + (g - s), n - (size_t)(g - s), off, lineno, owner);
}
