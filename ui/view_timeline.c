/* view_timeline.c — the timeline (`t`): one row per process, thread (when a
 * process has more than one) and session of a call trace, or per HSM and
 * login span of an audit log, each a bar over the time axis from its first
 * to its last event: `=` where it has calls, `x` where one failed, `!` where
 * one has an anomaly, `>` at the end of one that never ended in the log, and
 * a `|` line down the empty cells at the selected event's time.
 * +/- zoom around the selected event's time, Left/Right pan, 0 shows the whole trace,
 * Enter filters the event list to the row's events (Backspace comes back).
 *
 * The rows come from the core (hs_lc_walk and hs_lc_threads: the whole
 * trace, filters do not apply); the marks of the rows on screen from
 * hs_query_histogram() over the row's filter (one bucket per column), so
 * the cost is what is on screen. This file only lays them out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/filter.h"
#include "hsmscope/lifecycle.h"
#include "hsmscope/query.h"
#include "listwidget.h"

#define ROWS_MAX 20000          /* rows read; a trace with more says so */
#define HEAD 3                  /* title, legend, axis */
#define COLS_MAX 512            /* bar columns computed */

enum cell { C_NONE, C_SPAN, C_CALLS, C_ERR, C_ANOM, C_OPEN };

struct trow {
	enum hs_lc_kind kind;       /* PROCESS, SESSION, HSM, LOGIN; SLOT = a thread */
	int depth;                  /* 0: process or HSM */
	char label[96];             /* as the row shows it (log text: drawn escaped) */
	char filter[512];           /* its events (from the core) */
	int64_t first_n, last_n;    /* its first and last event */
	int64_t first_ts, last_ts;  /* where it starts and ends on the axis: µs, or
	                               its event numbers when the log has no times
	                               (by_n); HS_NONE when unknown */
	int64_t calls, errors;
	int open_end;
	struct hs_filter *f, *fa;   /* owned, compiled when first drawn: its events,
	                               and those of them with an anomaly */
	int bad;                    /* its filter did not compile: no marks */
	unsigned char cells[COLS_MAX]; /* enum cell per column, for key */
	int64_t key_t0, key_span;   /* the window cells were computed for */
	int key_w;                  /* and the width; 0 = not computed */
};

struct timeline {
	struct hs_lw lw;            /* flat: one list row per trow */
	struct trow *rows;          /* owned */
	int n, cap;
	int more;                   /* rows not read (over ROWS_MAX) */
	int64_t total;              /* app->total the rows were read for; -1 none */
	int64_t tmin, tmax;         /* the axis's range (µs, or event numbers when
	                               by_n); HS_NONE: nothing to draw */
	int by_n;                   /* the log records no times: the axis is the
	                               events' order */
	int64_t t0, span;           /* the window: [t0, t0 + span), span >= 1 */
	int barw;                   /* bar columns at the last draw */
	int labelw;                 /* the widest label with its indent, columns */
	int cursor;                 /* bar column of the selected event's time, -1 */
	struct hs_app *app;         /* borrowed during a call */
};

static void *tl_open(struct hs_app *app)
{
	struct timeline *t = calloc(1, sizeof *t);

	(void)app;
	if (t) {
		hs_lw_init(&t->lw, 0);
		t->total = -1;
	}
	return t;
}

static void free_rows(struct timeline *t)
{
	for (int i = 0; i < t->n; i++) {
		hs_filter_free(t->rows[i].f);
		hs_filter_free(t->rows[i].fa);
	}
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}

static void tl_close(void *st)
{
	struct timeline *t = st;

	free_rows(t);
	hs_lw_free(&t->lw);
	free(t);
}

static struct trow *add_row(struct timeline *t)
{
	struct trow *r;

	if (t->n >= ROWS_MAX) {
		t->more++;
		return NULL;
	}
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 64;
		struct trow *nr = realloc(t->rows, (size_t)cap * sizeof *nr);
		if (!nr)
			return NULL;
		t->rows = nr;
		t->cap = cap;
	}
	r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	return r;
}

static void span_of(struct timeline *t, int64_t a, int64_t b)
{
	if (a != HS_NONE && (t->tmin == HS_NONE || a < t->tmin))
		t->tmin = a;
	if (b != HS_NONE && (t->tmax == HS_NONE || b > t->tmax))
		t->tmax = b;
}

static void row_from_node(struct timeline *t, const struct hs_lc_node *nd, int depth)
{
	struct trow *r = add_row(t);

	if (!r)
		return;
	r->kind = nd->kind;
	r->depth = depth;
	hs_strlcpy(r->label, nd->label, sizeof r->label);
	hs_strlcpy(r->filter, nd->filter, sizeof r->filter);
	r->first_n = nd->first_n;
	r->last_n = nd->last_n;
	r->first_ts = nd->first_ts;
	r->last_ts = nd->last_ts;
	r->calls = nd->calls;
	r->errors = nd->errors;
	r->open_end = nd->open_end;
	span_of(t, nd->first_ts, nd->last_ts);
}

/* A process's threads, when it has more than one (one is the process). */
static void add_threads(struct timeline *t, const struct hs_lc_node *proc)
{
	struct hs_lc_thread *th = NULL;
	struct hs_error err;
	int n = 0;

	if (hs_lc_threads(t->app->ix, proc, &th, &n, &err) < 0) {
		hs_app_msg(t->app, 1, "%s", err.msg);
		return;
	}
	for (int i = 0; n > 1 && i < n; i++) {
		struct trow *r = add_row(t);
		if (!r)
			break;
		r->kind = HS_LC_SLOT; /* a thread: no kind of the tree's own */
		r->depth = 1;
		snprintf(r->label, sizeof r->label, "thread %lld", (long long)th[i].tid);
		hs_strlcpy(r->filter, th[i].filter, sizeof r->filter);
		r->first_n = th[i].first_n;
		r->last_n = th[i].last_n;
		r->first_ts = th[i].first_ts;
		r->last_ts = th[i].last_ts;
		r->calls = th[i].calls;
		r->errors = th[i].errors;
		r->open_end = th[i].open_end;
	}
	free(th);
}

/* Processes (with their threads) and sessions; HSMs and login spans. */
static int walk_fn(void *ctx, const struct hs_lc_node *nd, int depth)
{
	struct timeline *t = ctx;

	switch (nd->kind) {
	case HS_LC_PROCESS:
		row_from_node(t, nd, 0);
		add_threads(t, nd);
		return 0;
	case HS_LC_HSM:
		row_from_node(t, nd, 0);
		return 0;
	case HS_LC_SLOT:
		return 0;
	case HS_LC_SESSION:
	case HS_LC_LOGIN:
		/* under its process or HSM (a session is two steps down in the
		 * tree, under its slot: one here, as a thread) */
		row_from_node(t, nd, depth > 0);
		return 1;
	default:
		return 1;
	}
}

/* The whole trace's span, µs: at least 1 ms, so that a trace of one
 * instant is one short bar, not the width of the screen. */
static int64_t whole_span(const struct timeline *t)
{
	int64_t s = t->tmax - t->tmin + 1;

	return s < 1000 && !t->by_n ? 1000 : s;
}

static void load(struct hs_app *app, struct timeline *t)
{
	struct hs_error err;

	free_rows(t);
	t->more = 0;
	t->tmin = t->tmax = HS_NONE;
	t->total = app->total;
	t->app = app;
	if (hs_lc_walk(app->ix, walk_fn, t, &err) < 0)
		hs_app_msg(app, 1, "%s", err.msg);
	if (app->cancelled)
		t->total = -1; /* not read whole: again next time */
	t->labelw = 0;
	for (int i = 0; i < t->n; i++) {
		int w = t->rows[i].depth * 2 + hs_theme_width(t->rows[i].label, strlen(t->rows[i].label));
		if (w > t->labelw)
			t->labelw = w;
	}
	/* no times at all (NSS, tpm2-pkcs11 logs): the events' order is the
	 * axis, each row from its first to its last event */
	t->by_n = 0;
	if (t->tmin == HS_NONE && t->n > 0) {
		t->by_n = 1;
		for (int i = 0; i < t->n; i++) {
			struct trow *r = &t->rows[i];
			r->first_ts = r->first_n > 0 ? r->first_n : HS_NONE;
			r->last_ts = r->last_n > 0 ? r->last_n : r->first_ts;
			span_of(t, r->first_ts, r->last_ts);
		}
	}
	t->t0 = t->tmin;
	t->span = t->tmin == HS_NONE ? 1 : whole_span(t);
	hs_lw_set_rows(&t->lw, t->n);
}

/* The row whose events hold the selected event most narrowly. */
static void select_current(struct hs_app *app, struct timeline *t)
{
	int best = -1;
	struct hs_error err;

	if (app->sel_n <= 0)
		return;
	for (int i = 0; i < t->n; i++) {
		struct trow *r = &t->rows[i];
		/* only rows whose range holds it are asked (a trace of
		 * thousands of sessions stays quick) */
		if (r->first_n > app->sel_n || (r->last_n > 0 && r->last_n < app->sel_n) || r->bad)
			continue;
		if (!r->f && hs_filter_compile(r->filter, &r->f, &err) < 0) {
			r->bad = 1;
			continue;
		}
		if (hs_query_seek(app->ix, r->f, 0, 1, HS_SEEK_N, app->sel_n, &err) > 0)
			best = i; /* later rows are deeper or later: narrower */
	}
	if (best >= 0)
		hs_lw_select(&t->lw, best, 1);
}

/* The cells of row r for the window and width: its span, then the
 * histogram of its calls, errors and anomalies, one bucket a column. */
static void compute_cells(struct timeline *t, struct trow *r, int w)
{
	int64_t calls[COLS_MAX], errors[COLS_MAX], anom[COLS_MAX], none[COLS_MAX];
	struct hs_error err;
	char expr[600];
	int c;

	r->key_t0 = t->t0;
	r->key_span = t->span;
	r->key_w = w;
	memset(r->cells, C_NONE, sizeof r->cells);
	if (r->first_ts == HS_NONE || t->tmin == HS_NONE)
		return;
	for (c = 0; c < w; c++) {
		/* the positions [a, b) whose histogram bucket is c (the core's
		 * (p - t0) * w / span); none when the window is narrower than
		 * the screen: then c lies between a - 1 and a */
		int64_t a = t->t0 + ((int64_t)c * t->span + w - 1) / w;
		int64_t b = t->t0 + ((int64_t)(c + 1) * t->span + w - 1) / w;
		int64_t end = r->open_end ? t->tmax : r->last_ts;
		if (a < b ? r->first_ts < b && end >= a : r->first_ts < a && end >= a)
			r->cells[c] = C_SPAN;
	}
	if (r->bad)
		return;
	if (!r->f && hs_filter_compile(r->filter, &r->f, &err) < 0) {
		r->bad = 1;
		return;
	}
	if (!r->fa) {
		snprintf(expr, sizeof expr, "(%s) && anomaly", r->filter);
		if (hs_filter_compile(expr, &r->fa, &err) < 0)
			r->fa = NULL;
	}
	memset(calls, 0, sizeof calls);
	memset(errors, 0, sizeof errors);
	memset(anom, 0, sizeof anom);
	if ((t->by_n ? hs_query_histogram_n : hs_query_histogram)(t->app->ix, r->f, t->t0,
	                                                          t->t0 + t->span - 1, w, calls,
	                                                          errors, &err) < 0) {
		hs_app_msg(t->app, 1, "%s", err.msg);
		r->key_w = 0;
		return;
	}
	if (r->fa)
		(t->by_n ? hs_query_histogram_n : hs_query_histogram)(t->app->ix, r->fa, t->t0,
		                                                      t->t0 + t->span - 1, w, anom,
		                                                      none, &err);
	for (c = 0; c < w; c++) {
		if (anom[c])
			r->cells[c] = C_ANOM;
		else if (errors[c])
			r->cells[c] = C_ERR;
		else if (calls[c])
			r->cells[c] = C_CALLS;
	}
	/* the end of one that never ended, when it is in the window */
	if (r->open_end && t->tmax >= t->t0 && t->tmax < t->t0 + t->span) {
		c = (int)((t->tmax - t->t0) * w / t->span);
		if (c >= w)
			c = w - 1;
		if (r->cells[c] == C_SPAN || r->cells[c] == C_CALLS)
			r->cells[c] = C_OPEN;
	}
	if (t->app->cancelled)
		r->key_w = 0;
}

/* The label column: as wide as the longest label, within a third of the
 * screen (the bars keep two thirds), at least 16. */
static int label_width(const struct timeline *t, int width)
{
	int lw = t->labelw + 1, most = width / 3;

	return lw > most ? (most < 16 ? 16 : most) : lw < 16 ? 16 : lw;
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	static const char glyph[] = { ' ', '-', '=', 'x', '!', '>' };
	struct timeline *t = ctx;
	struct trow *r = &t->rows[row];
	const struct hs_theme *th = &t->app->theme;
	attr_t sel = selected ? hs_theme_attr(th, HS_ROLE_SELECTED) : 0;
	int lw = label_width(t, width), bw = width - lw - 1, c;
	char label[128];

	if (bw > COLS_MAX)
		bw = COLS_MAX;
	if (sel)
		hs_theme_fill(w, y, x, lw, sel);
	snprintf(label, sizeof label, "%*s%s", r->depth * 2, "", r->label);
	hs_theme_puts_cut(w, y, x, lw, label,
	                  sel ? sel : hs_theme_attr(th, r->errors ? HS_ROLE_ERROR : HS_ROLE_NORMAL));
	if (bw <= 0)
		return;
	if (r->key_w != bw || r->key_t0 != t->t0 || r->key_span != t->span)
		compute_cells(t, r, bw);
	for (c = 0; c < bw; c++) {
		enum cell k = r->cells[c];
		attr_t a = k == C_ERR ? hs_theme_attr(th, HS_ROLE_BAR_ERR) :
		           k == C_ANOM ? hs_theme_attr(th, HS_ROLE_ANOMALY) | A_BOLD :
		           k == C_CALLS || k == C_OPEN ? hs_theme_attr(th, HS_ROLE_BAR) :
		           k == C_SPAN ? hs_theme_attr(th, HS_ROLE_DIM) : A_NORMAL;
		int ch = glyph[k];
		/* the selected event's time: a line down the empty cells */
		if (c == t->cursor && k == C_NONE)
			ch = '|', a = hs_theme_attr(th, HS_ROLE_DIM);
		wattrset(w, a);
		mvwaddch(w, y, x + lw + 1 + c, (chtype)(unsigned char)ch);
	}
	wattrset(w, A_NORMAL);
}

/* A time for the axis: the clock, with ms; µs when a column is under 1 ms. */
static void axis_time(const struct timeline *t, int64_t us, int fine, char *out, size_t len)
{
	char ts[48];

	(void)t;
	hs_format_ts(us, ts, sizeof ts, fine);
	snprintf(out, len, "%s", ts + 11);
}

static void dur_text(int64_t us, char *out, size_t len)
{
	if (us >= 86400000000LL)
		snprintf(out, len, "%.1f d", (double)us / 86400e6);
	else if (us >= 3600000000LL)
		snprintf(out, len, "%.1f h", (double)us / 3600e6);
	else if (us >= 60000000)
		snprintf(out, len, "%.1f min", (double)us / 60e6);
	else if (us >= 1000000)
		snprintf(out, len, "%.3g s", (double)us / 1e6);
	else if (us >= 1000)
		snprintf(out, len, "%.3g ms", (double)us / 1e3);
	else
		snprintf(out, len, "%lld us", (long long)us);
}

static void draw_head(struct timeline *t, WINDOW *w, int width)
{
	const struct hs_theme *th = &t->app->theme;
	int lw = label_width(t, width), bw = width - lw - 1, fine;
	char a[48], b[48], d[32], col[32], line[512];

	if (bw > COLS_MAX)
		bw = COLS_MAX;
	if (t->tmin == HS_NONE) {
		hs_theme_puts(w, 0, 1, width - 1, "Timeline: nothing to draw", hs_theme_attr(th, HS_ROLE_MSG_ERR));
		return;
	}
	fine = bw > 0 && t->span / bw < 1000;
	if (t->by_n) {
		snprintf(a, sizeof a, "No. %lld", (long long)t->t0);
		snprintf(b, sizeof b, "%lld", (long long)(t->t0 + t->span - 1));
		snprintf(d, sizeof d, "%lld events", (long long)t->span);
		snprintf(col, sizeof col, "%.3g", bw > 0 ? (double)t->span / bw : (double)t->span);
		snprintf(line, sizeof line, "Timeline by event number (the log records no times)%s: %s .. %s"
		         " (%s, %s/col), %d row%s%s", t->app->filter ? ", whole trace (not filtered)" : "",
		         a, b, d, col, t->n, t->n == 1 ? "" : "s", t->more ? " (more not read)" : "");
	} else {
		hs_format_ts(t->t0, a, sizeof a, 0);
		axis_time(t, t->t0 + t->span - 1, 0, b, sizeof b);
		dur_text(t->span, d, sizeof d);
		dur_text(bw > 0 ? t->span / bw : t->span, col, sizeof col);
		/* the rows are the trace's structure: a filter does not apply */
		snprintf(line, sizeof line, "Timeline%s: %s .. %s (%s, %s/col), %d row%s%s",
		         t->app->filter ? " of the whole trace (not filtered)" : "", a, b, d, col, t->n,
		         t->n == 1 ? "" : "s", t->more ? " (more not read)" : "");
	}
	hs_theme_puts_cut(w, 0, 1, width - 1, line, hs_theme_attr(th, HS_ROLE_NORMAL) | A_BOLD);
	hs_theme_puts_cut(w, 1, 1, width - 1,
	                  width < 140 ? "= calls  x error  ! anomaly  > never ended  - between  | selected" :
	                  "= calls  x error  ! anomaly  > never ended  - between calls  | the selected event    "
	                  "+/- zoom  Left/Right pan  0 all  Enter: filter to the row",
	                  hs_theme_attr(th, HS_ROLE_DIM));
	/* the axis: the window's first and last time (or number) under the bars */
	if (t->by_n) {
		snprintf(a, sizeof a, "No. %lld", (long long)t->t0);
		snprintf(b, sizeof b, "No. %lld", (long long)(t->t0 + t->span - 1));
	} else {
		axis_time(t, t->t0, fine, a, sizeof a);
		axis_time(t, t->t0 + t->span - 1, fine, b, sizeof b);
	}
	hs_theme_fill(w, 2, 0, width, hs_theme_attr(th, HS_ROLE_HEADER));
	hs_theme_puts_cut(w, 2, 0, lw, t->rows && t->n && t->rows[0].kind == HS_LC_HSM ? "HSM / login" :
	                  "process/thread/session", hs_theme_attr(th, HS_ROLE_HEADER));
	if (bw > (int)(strlen(a) + strlen(b) + 2)) {
		hs_theme_puts(w, 2, lw + 1, bw, a, hs_theme_attr(th, HS_ROLE_HEADER));
		hs_theme_puts(w, 2, lw + 1 + bw - (int)strlen(b), (int)strlen(b), b,
		              hs_theme_attr(th, HS_ROLE_HEADER));
	}
}

/* The selected event's place on the axis (its time, or its number), or
 * HS_NONE. */
static int64_t cursor_pos(struct timeline *t)
{
	const struct hs_event *e = hs_app_current(t->app);

	if (!e)
		return HS_NONE;
	return t->by_n ? e->n : e->ts_us;
}

/* The column of the selected event in the window, -1 outside. */
static int cursor_col(struct timeline *t, int bw)
{
	int64_t at = cursor_pos(t);
	int c;

	if (at == HS_NONE || at < t->t0 || at >= t->t0 + t->span || bw <= 0)
		return -1;
	c = (int)((at - t->t0) * bw / t->span); /* as the core buckets */
	return c < bw ? c : bw - 1;
}

static void tl_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct timeline *t = st;
	int width = getmaxx(w);

	(void)focused;
	t->app = app;
	if (t->total != app->total)
		load(app, t);
	t->barw = width - label_width(t, width) - 1;
	t->cursor = cursor_col(t, t->barw > COLS_MAX ? COLS_MAX : t->barw);
	hs_lw_set_height(&t->lw, getmaxy(w) - HEAD);
	draw_head(t, w, width);
	if (!t->n) {
		hs_theme_puts(w, HEAD, 1, width - 1, "no process, session or HSM in the log",
		              hs_theme_attr(&app->theme, HS_ROLE_DIM));
		return;
	}
	hs_lw_draw(&t->lw, w, HEAD, width, draw_row, t, A_NORMAL);
}

static void tl_enter(struct hs_app *app, void *st)
{
	struct timeline *t = st;

	t->app = app;
	if (app->full)
		hs_lw_set_height(&t->lw, getmaxy(app->full) - HEAD);
	if (t->total != app->total)
		load(app, t);
	select_current(app, t);
}

/* Keep the window inside the trace. */
static void clamp_window(struct timeline *t)
{
	int64_t whole = whole_span(t);
	int64_t least = t->barw > 0 ? t->barw : 1; /* a µs a column at most */

	if (t->tmin == HS_NONE)
		return;
	if (t->span > whole)
		t->span = whole;
	if (t->span < least)
		t->span = least < whole ? least : whole;
	if (t->t0 + t->span > t->tmin + whole)
		t->t0 = t->tmin + whole - t->span;
	if (t->t0 < t->tmin)
		t->t0 = t->tmin;
}

/* Zoom around the selected event's time when it is in the window (it
 * keeps its column), else around the middle. */
static int zoom(struct timeline *t, int in)
{
	int64_t at = t->t0 + t->span / 2, pos = cursor_pos(t);
	double frac = 0.5;

	if (t->tmin == HS_NONE)
		return HS_R_HANDLED;
	if (pos != HS_NONE && pos >= t->t0 && pos < t->t0 + t->span) {
		at = pos;
		frac = (double)(at - t->t0) / (double)t->span;
	}
	if (in == 0) {
		t->t0 = t->tmin;
		t->span = whole_span(t);
	} else {
		t->span = in > 0 ? t->span / 2 : t->span * 2;
		t->t0 = at - (int64_t)(frac * (double)t->span);
	}
	clamp_window(t);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static int tl_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	struct timeline *t = st;
	struct trow *r;
	int64_t first;

	switch (cmd) {
	case HS_NAV_ENTER:
		if (t->lw.sel < 0 || t->lw.sel >= t->n)
			return HS_R_HANDLED;
		r = &t->rows[t->lw.sel];
		first = r->first_n;
		/* a copy: applying the filter may read the rows again */
		{
			char expr[sizeof r->filter];
			hs_strlcpy(expr, r->filter, sizeof expr);
			int64_t was = app->sel_n;
			struct hs_error err;
			if (hs_app_apply_filter(app, expr) == 0) {
				hs_app_set_mode(app, HS_MODE_MAIN);
				/* the selected event when it is in the row, else its first */
				if (was > 0 && hs_query_seek(app->ix, app->filter, 0, 1, HS_SEEK_N, was, &err) > 0)
					hs_app_goto(app, was, 0);
				else if (first > 0)
					hs_app_goto(app, first, 0);
			}
		}
		return HS_R_HANDLED | HS_R_RELAYOUT;
	case HS_NAV_LEFT:
	case HS_NAV_RIGHT:
		if (t->tmin == HS_NONE)
			return HS_R_HANDLED;
		t->t0 += (cmd == HS_NAV_LEFT ? -1 : 1) * (t->span / 4 > 0 ? t->span / 4 : 1);
		clamp_window(t);
		return HS_R_HANDLED | HS_R_REDRAW;
	default:
		return hs_lw_nav(&t->lw, cmd);
	}
}

static int tl_command(struct hs_app *app, void *st, int cmd)
{
	struct timeline *t = st;

	t->app = app;
	switch (cmd) {
	case HS_VCMD_ZOOM_IN: return zoom(t, 1);
	case HS_VCMD_ZOOM_OUT: return zoom(t, -1);
	case HS_VCMD_ZOOM_ALL: return zoom(t, 0);
	default: return HS_R_NONE;
	}
}

static int tl_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	struct timeline *t = st;
	int r = y >= HEAD ? hs_lw_click(&t->lw, y - HEAD) : HS_R_NONE;

	(void)x;
	return dbl && y >= HEAD ? r | tl_nav(app, st, HS_NAV_ENTER) : r;
}

const struct hs_view hs_view_timeline = {
	.name = "Timeline",
	.hints = "+/-:zoom h/l:pan 0:all Enter:filter Esc:back",
	.open = tl_open,
	.close = tl_close,
	.draw = tl_draw,
	.nav = tl_nav,
	.command = tl_command,
	.click = tl_click,
	.enter = tl_enter,
};
