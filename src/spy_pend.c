/* spy_pend.c — a thread line that waits for the lines after it (the spy
 * parser, spy_int.h): with several alike calls open, a time or thread line
 * is held with the input lines that follow it until they, or a return,
 * say whose it is. Split from parse_spy.c.
 */
#include <limits.h>
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

/* Can c be the call of the waiting thread line, given the input lines
 * held after it (they must continue its inputs in its signature's order)? */
static int pend_fits(const struct hs_parser *p, const struct call *c)
{
	int at = c->in_at, i, k;
	int64_t h;

	if (c->has_ts || (c->qc.returned && !hs_spy_held_early(p, c)) || c->outs || c->dump_left || c->attrs_left > 0 ||
	    c->await_spec)
		return 0;
	for (i = 0; c->sig && i < p->pend.nl; i++) {
		const char *nm = p->pend.text.data + p->pend.l[i].name_at;
		size_t len = p->pend.l[i].name_len;
		if (!p->pend.l[i].param || !hs_spy_known_in(nm, len))
			continue;
		k = hs_spy_sig_in_index(c->sig, nm, len);
		if (k < 0 || !(k == at + 1 || (k == at && len == 10 && memcmp(nm, "pMechanism", 10) == 0)))
			return 0;
		at = k;
		/* new header: "[in] hSession = h" is not the line of a call headed
		 * before its process returned h (the thread could not know it yet);
		 * two thread lines in a row may be followed by the second's inputs */
		h = p->new_header ? hs_spy_session_named(p->pend.text.data + p->pend.l[i].at, p->pend.l[i].n, nm, len)
		                  : HS_NONE;
		if (h != HS_NONE && !p->pend.any_handle &&
		    c->qc.pc.ev.offset < hs_spy_opened_at(p, c->qc.pc.ev.instance, h))
			return 0;
	}
	return 1;
}

/* c would have printed all its inputs with the lines held (1 when its
 * function is unknown). */
static int pend_complete(const struct hs_parser *p, const struct call *c)
{
	int at = c->in_at, i, k;

	for (i = 0; c->sig && i < p->pend.nl; i++) {
		const char *nm = p->pend.text.data + p->pend.l[i].name_at;
		if (p->pend.l[i].param && (k = hs_spy_sig_in_index(c->sig, nm, p->pend.l[i].name_len)) > at)
			at = k;
	}
	return !c->sig || at == c->nin - 1;
}

/* The spy takes a call's time after printing its header, so a thread
 * line its process printed before c's header holds an earlier time than
 * c's: a waiting thread line older than such a line is not c's (its thread
 * paused between its header and its time, and others' calls were headed in
 * between). Only lines of the waiting line's own process count: each
 * process writes through its own buffer, flushed at each return, so lines
 * of two processes lie in the file in the order of their flushes, not of
 * their times. New header only (it names the process). */
static int pend_too_old(const struct hs_parser *p, const struct call *c)
{
	int i;

	for (i = 0; p->new_header && p->pend.pid != HS_NONE && i < p->b.q.count; i++) {
		const struct call *o = q_at((struct hs_parser *)p, i);
		if (o != c && o->has_ts && o->l_ts > 0 && o->l_ts < c->qc.pc.ev.line &&
		    o->qc.pc.ev.pid == p->pend.pid && o->qc.pc.ev.ts_us > p->pend.ts)
			return 1;
	}
	return 0;
}

/* Old header: a call headed after a later time was read takes its time
 * after that one (ts_floor): t's older time is not its. */
static int fits_floor(struct hs_parser *p, const struct call *c, const struct spy_tline *t)
{
	(void)p;
	return c->ts_floor == HS_NONE || t->ts == HS_NONE || t->ts >= c->ts_floor;
}

/* The calls the waiting thread line can be: in cand[], their count. */
static int pend_cands(const struct hs_parser *p, struct call **cand, int max)
{
	const struct spy_tline t = { p->pend.ts, p->pend.pid, p->pend.tid };
	int i, nc = 0;

	for (i = 0; i < p->b.q.count && nc < max; i++)
		if (pend_fits(p, q_at((struct hs_parser *)p, i)) && !pend_too_old(p, q_at((struct hs_parser *)p, i)) &&
		    (p->pend.chunk < 0 || q_at((struct hs_parser *)p, i)->qc.pc.ev.instance == p->pend.chunk))
			cand[nc++] = q_at((struct hs_parser *)p, i);
	/* new header: a header in another process's chunk is that process's
	 * (hs_spy_chunk_pid); a call headed before the thread's call before
	 * returned is another thread's (pend_decide repairs the case none
	 * could be); old header: a call headed after a later time was read
	 * takes its time after that one, so this older time is not its. Each
	 * only when another candidate fits (hs_spy_narrow). */
	nc = hs_spy_narrow((struct hs_parser *)p, cand, nc, hs_spy_fits_chunk, &t, NULL);
	nc = hs_spy_narrow((struct hs_parser *)p, cand, nc, hs_spy_fits_head, &t, NULL);
	nc = hs_spy_narrow((struct hs_parser *)p, cand, nc, fits_floor, &t, NULL);
	return nc;
}

/* Decide the waiting thread line: the one call its input lines fit, or,
 * `forced` (something else begins), the newest that fits, uncertain when
 * the others differ. Then its lines are given to that call again. */
static void pend_decide(struct hs_parser *p, int forced)
{
	struct call *cand[CMEMBERS], *c, *best = NULL, *other = NULL;
	int nc = pend_cands(p, cand, CMEMBERS), i, all_alike = 1, contested = 0, by_sess = 0;
	int64_t h = HS_NONE;

	/* a held "[in] hSession = h": only a call begun after its process
	 * returned h can print it; of two, the older when the newer likely
	 * names the handle returned in between (spy_attr.c handle_best) */
	for (i = 0; i < p->pend.nl && h == HS_NONE; i++)
		if (p->pend.l[i].param)
			h = hs_spy_session_named(p->pend.text.data + p->pend.l[i].at, p->pend.l[i].n,
			                  p->pend.text.data + p->pend.l[i].name_at, p->pend.l[i].name_len);
	if (h != HS_NONE && nc > 1 && !p->new_header) {
		struct call *keep[CMEMBERS];
		int nk;
		memcpy(keep, cand, sizeof(struct call *) * (size_t)nc);
		nk = hs_spy_handle_cands(p, keep, nc, h, &best);
		if (nk > 0)
			memcpy(cand, keep, sizeof(struct call *) * (size_t)nk), nc = nk;
		else
			best = NULL;
	}
	/* new header, forced (the inputs held did not tell): of calls of one
	 * operation family, the one that can come next on the session held,
	 * by what its latest call left running (a C_Sign after a C_Sign into
	 * a buffer would fail, a C_SignInit would not); this assumes the call
	 * did not fail, so the choice stays uncertain */
	if (forced && h != HS_NONE && nc > 1 && p->new_header) {
		struct call *keep[CMEMBERS];
		int nk = 0;
		for (i = 0; i < nc; i++)
			if (hs_spy_sess_next_fits(p, cand[i], h))
				keep[nk++] = cand[i];
		if (nk > 0 && nk < nc) {
			for (i = 0; i < nc; i++)
				by_sess |= !hs_spy_alike(cand[i], keep[0]);
			/* of two, the other: a buffer may confirm the choice later */
			other = nc == 2 && nk == 1 ? (cand[0] == keep[0] ? cand[1] : cand[0]) : NULL;
			memcpy(cand, keep, sizeof(struct call *) * (size_t)nk), nc = nk;
		}
	}
	/* decided by a return: the inputs held are those of a call that has
	 * printed them all (a C_CloseSession's one line, not the first of a
	 * C_SignInit's four), when some candidates would and others not */
	if (p->pend_ret && nc > 1) {
		struct call *keep[CMEMBERS];
		int nk = 0;
		for (i = 0; i < nc; i++)
			if (pend_complete(p, cand[i]))
				keep[nk++] = cand[i];
		if (nk > 0 && nk < nc) {
			for (i = 0; i < nc; i++)
				contested |= !hs_spy_alike(cand[i], keep[0]);
			memcpy(cand, keep, sizeof(struct call *) * (size_t)nk), nc = nk;
			for (i = 0; best && i < nc && cand[i] != best; i++)
				;
			if (best && i == nc)
				best = NULL;
		}
	}
	if (nc > 1 && !forced && !best) {
		for (i = 1; i < nc; i++)
			all_alike &= hs_spy_alike(cand[0], cand[i]);
		if (!all_alike)
			return;
	}
	/* new header: none of them could be the thread's call (it returned
	 * after their headers): a header swapped with another thread's call
	 * of the same function may be */
	for (i = 0; p->pend.pid != HS_NONE && i < nc; i++)
		if (hs_spy_thread_could_head(p, cand[i], p->pend.pid, p->pend.tid))
			break;
	if (p->pend.pid != HS_NONE && nc && i == nc &&
	    (c = hs_spy_head_repair(p, cand, nc, p->pend.pid, p->pend.tid, p->pend.ts, HS_NONE)))
		cand[0] = c, nc = 1, best = NULL;
	p->pend.on = 0;
	c = best ? best : nc ? cand[nc - 1] : hs_spy_take_ts(p, p->pend.ts, p->pend.pid, p->pend.tid);
	p->pend.chunk = -1;
	for (i = 0; i < nc - 1; i++)
		if (!hs_spy_alike(cand[i], c))
			c->qc.pc.ev.uncertain = 1;
	if (c && contested)
		c->qc.pc.ev.uncertain = 1; /* a return told them apart, not the inputs */
	/* the session's state told them apart: uncertain, unless a buffer
	 * on one thread's stack confirms it (hs_spy_forced_confirm) */
	if (c && by_sess && other && c == cand[0] && nc == 1)
		c->forced = other, c->forced_pending = 1;
	else if (c && by_sess)
		c->qc.pc.ev.uncertain = 1;
	if (c) {
		hs_spy_reopen_early(c);
		hs_spy_ts_note(p, c, p->pend.ts);
		c->qc.pc.ev.ts_us = p->pend.ts;
		c->has_ts = 1;
		c->l_ts = p->pend.lineno, c->l_ts_off = p->pend.off;
		if (p->pend.pid != HS_NONE)
			hs_spy_bind_pid(p, c, p->pend.pid, p->pend.tid);
		p->last = c;
	}
	for (i = 0; i < p->pend.nl; i++) {
		char *l = p->pend.text.data + p->pend.l[i].at;
		int64_t doff;
		int b, g;
		hs_spy_feed_piece(p, l, p->pend.l[i].n, p->pend.l[i].off, p->pend.l[i].lineno,
		           hs_spy_dump_kind(l, p->pend.l[i].n, &doff, &b, &g) ? NULL : c);
	}
	p->pend.nl = 0;
	hs_buf_clear(&p->pend.text);
	hs_spy_drain(p);
}

/* New header: the held "[in] hSession = h" (s) fits no call only because
 * each that could take the waiting thread line was headed before h came
 * back: a header of the same function after that went to another
 * thread's call by order alone, and the two swap (hs_spy_head_repair with
 * h). 1: swapped, the line now fits. */
static int handle_repair(struct hs_parser *p, const char *s, size_t n, const char *nm, size_t len)
{
	struct call *cand[CMEMBERS];
	int64_t h = p->new_header ? hs_spy_session_named(s, n, nm, len) : HS_NONE;
	int nc;

	if (h == HS_NONE || p->pend.pid == HS_NONE)
		return 0;
	p->pend.any_handle = 1;
	nc = pend_cands(p, cand, CMEMBERS);
	p->pend.any_handle = 0;
	return nc > 0 && hs_spy_head_repair(p, cand, nc, p->pend.pid, p->pend.tid, p->pend.ts, h) &&
	       pend_cands(p, cand, 1) > 0;
}

/* While a thread line waits: hold s when it can continue the waiting
 * thread's inputs (1), else leave it to be read as usual (0). */
int hs_spy_pend_hold(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	struct call *cand[1];
	int64_t doff;
	int b, g, kind = hs_spy_dump_kind(s, n, &doff, &b, &g), param = 0;
	size_t len = 0, at = p->pend.text.len;
	const char *nm = NULL;

	if (p->pend.nl == PEND_MAX || hs_find(s, n, "Returned:"))
		return 0;
	if (n > 5 && memcmp(s, "[in] ", 5) == 0) {
		nm = hs_spy_param_name(s, n, &len);
		param = len > 0;
	} else if (s[0] != ' ' || !p->pend.nl || (kind && hs_spy_dump_owner(p, kind, doff, b, 0))) {
		return 0; /* not an input's continuation, or a dump row another call awaits */
	}
	if (hs_buf_add(&p->pend.text, s, n) < 0 || hs_buf_add(&p->pend.text, "", 1) < 0) {
		p->b.stop = 1;
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
	if (param && !pend_cands(p, cand, 1) && !handle_repair(p, s, n, nm, len)) {
		/* no call it fits: another thread's line */
		p->pend.nl--;
		p->pend.text.len = at;
		return 0;
	}
	if (param)
		pend_decide(p, 0);
	return 1;
}

/* The waiting thread line is decided now, with what is held. */
void hs_spy_flush_pend(struct hs_parser *p)
{
	if (p->pend.on)
		pend_decide(p, 1);
}
