/* spy_lines.c — which of the file's lines are a call's own (the spy
 * parser, spy_int.h): each line a call takes is noted, and when the call
 * is emitted its runs of lines become the event's line text the Raw pane
 * marks (struct hs_event's lines). Split from parse_spy.c.
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

/* ------------------------------------------------------- a call's lines */

void hs_spy_own_line(struct hs_parser *p, struct call *c, int64_t lineno, int64_t off)
{
	struct hs_buf *b = &c->qc.pc.ev.lines;
	struct spy_run r = { lineno, 1, off, lineno == p->split_lineno }, *last;

	if (lineno <= 0)
		return;
	last = b->len >= sizeof r ? (struct spy_run *)(void *)(b->data + b->len - sizeof r) : NULL;
	if (last && !r.shared && !last->shared && lineno >= last->first &&
	    lineno <= last->first + last->count) {
		if (lineno == last->first + last->count)
			last->count++; /* the next line: most calls are one run */
		return;
	}
	if (last && last->shared && r.shared && last->first == lineno)
		return;
	if (hs_buf_add(b, (const char *)&r, sizeof r) < 0)
		p->b.stop = 1;
}

/* The lines `from` took from line `first` on become `to`'s (a run across
 * `first` is cut there). */
void hs_spy_lines_move(struct hs_parser *p, struct call *from, struct call *to, int64_t first)
{
	struct hs_buf *b = &from->qc.pc.ev.lines;
	struct spy_run *r = (struct spy_run *)(void *)b->data, t;
	size_t n = b->len / sizeof *r, i, keep = 0;

	for (i = 0; i < n; i++) {
		t = r[i];
		if (t.first + t.count <= first) {
			r[keep++] = t;
			continue;
		}
		if (t.first < first) { /* cut: the head stays (the tail's offset is unknown: 0) */
			r[keep] = t, r[keep++].count = first - t.first;
			t.count -= first - t.first, t.first = first, t.off = 0;
		}
		if (hs_buf_add(&to->qc.pc.ev.lines, (const char *)&t, sizeof t) < 0)
			p->b.stop = 1;
	}
	b->len = keep * sizeof *r;
}

static int run_cmp(const void *a, const void *b)
{
	const struct spy_run *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return y->shared - x->shared; /* a shared line before a plain run at the same line */
}

/* "R*" or "R+K", after a space unless first (no printf: a run or more per call) */
static void put_run(struct hs_buf *b, int64_t rel, int64_t count, int shared)
{
	char t[2 * HS_FMT_INT + 2];
	size_t n = 0;

	if (b->len)
		t[n++] = ' ';
	n += hs_fmt_dec(t + n, rel);
	if (shared) {
		t[n++] = '*';
	} else {
		t[n++] = '+';
		n += hs_fmt_dec(t + n, count);
	}
	hs_buf_add(b, t, n);
}

/* The runs, with the header, time and return lines, sorted and merged,
 * as the event's text ("R+K" / "R*" relative to its line). */
void hs_spy_lines_text(struct hs_parser *p, struct call *c)
{
	struct hs_event *e = &c->qc.pc.ev;
	struct spy_run *r, extra[3] = { { e->line, 1, e->offset, 0 }, { c->l_ts, 1, c->l_ts_off, 0 },
	                                 { c->l_ret, 1, c->l_ret_off, 0 } };
	size_t n, i, j, k;
	int64_t base;

	for (i = 0; i < 3; i++)
		if (extra[i].first > 0 && hs_buf_add(&e->lines, (const char *)&extra[i], sizeof *r) < 0)
			p->b.stop = 1;
	n = e->lines.len / sizeof *r;
	r = (struct spy_run *)(void *)e->lines.data;
	if (!n)
		return;
	qsort(r, n, sizeof *r, run_cmp);
	hs_buf_clear(&p->join);
	/* a call whose identity moved (hs_spy_rescue) may own lines above its
	 * header: the runs then count from its first line, named first */
	if (r[0].first < e->line)
		hs_buf_printf(&p->join, "@%lld:%lld", (long long)r[0].off, (long long)r[0].first);
	base = r[0].first < e->line ? r[0].first : e->line;
	for (i = 0; i < n; i = k) {
		int64_t end = r[i].first + r[i].count, at = r[i].first;
		for (k = i + 1; k < n && r[k].first <= end; k++)
			if (r[k].first + r[k].count > end)
				end = r[k].first + r[k].count;
		/* one stretch of lines i..k-1; the shared ones in it said apart */
		for (j = i; j < k; j++) {
			if (!r[j].shared || r[j].first < at)
				continue;
			if (r[j].first > at)
				put_run(&p->join, at - base, r[j].first - at, 0);
			put_run(&p->join, r[j].first - base, 1, 1);
			at = r[j].first + 1;
		}
		if (at < end)
			put_run(&p->join, at - base, end - at, 0);
	}
	hs_buf_clear(&e->lines);
	if (hs_buf_add(&e->lines, p->join.data, p->join.len) < 0)
		p->b.stop = 1;
}
