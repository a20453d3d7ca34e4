/* view_stats.c — the `analyze` figures for the filtered events: totals,
 * return codes, a per-function table sortable by calls, errors or p95 (c,
 * e, p), and a histogram of calls and errors over time in text bars (like
 * lnav's histogram and Wireshark's I/O graph) whose buckets are round
 * sizes (1 ms, 10 ms, ... 1 min, ...), and the anomalies of the trace.
 * Enter on a function, return code, bucket or anomaly filters the list to
 * it (Backspace there comes back); the cursor starts on the function table.
 *
 * Computed when the view is entered or the filter/index changed: the
 * figures come from hs_stats_compute(), the buckets from
 * hs_query_histogram(); this file only lays them out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/query.h"
#include "hsmscope/stats.h"
#include "listwidget.h"

#define NBUCKETS 24             /* at most */

enum sort_key { SORT_CALLS, SORT_ERRORS, SORT_P95 };
enum skind { S_TEXT, S_TITLE, S_FUNC, S_BAR };

struct sline {
	enum skind kind;
	char text[256];
	enum hs_role role;
	int idx;                    /* S_FUNC: index into stats.funcs; S_BAR: bucket */
	char expr[HS_TEXT_MAX + 32]; /* the filter Enter applies, "" none */
};

struct stats {
	struct hs_lw lw;
	struct hs_stats s;          /* owned (hs_stats_free) */
	int have;                   /* s is filled */
	int64_t calls[NBUCKETS], errors[NBUCKETS];
	int64_t bucket_us;          /* width of a bucket, µs: a round size */
	int64_t start_us;           /* start of the first bucket, a multiple of it */
	int nb;                     /* buckets used, 1..NBUCKETS */
	int table_row;              /* line of the function table's first row, -1 */
	struct sline *lines;        /* owned */
	int n, cap;
	int sort;                   /* enum sort_key */
	unsigned gen;               /* app->gen the figures are for */
	struct hs_app *app;
};

static void *stats_open(struct hs_app *app)
{
	struct stats *s = calloc(1, sizeof *s);

	(void)app;
	if (s) {
		hs_lw_init(&s->lw, 0);
		s->gen = (unsigned)-1;
	}
	return s;
}

static void stats_close(void *st)
{
	struct stats *s = st;

	if (s->have)
		hs_stats_free(&s->s);
	free(s->lines);
	hs_lw_free(&s->lw);
	free(s);
}

static struct sline *add(struct stats *s, enum skind kind, enum hs_role role, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct sline *add(struct stats *s, enum skind kind, enum hs_role role, const char *fmt, ...)
{
	struct sline *l;
	va_list ap;

	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 128;
		struct sline *nl = realloc(s->lines, (size_t)cap * sizeof *nl);
		if (!nl)
			return NULL;
		s->lines = nl;
		s->cap = cap;
	}
	l = &s->lines[s->n++];
	l->kind = kind;
	l->role = role;
	l->idx = 0;
	l->expr[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof l->text, fmt, ap);
	va_end(ap);
	return l;
}

static int cmp_calls(const void *a, const void *b)
{
	const struct hs_func_stats *x = a, *y = b;
	return x->calls < y->calls ? 1 : x->calls > y->calls ? -1 : strcmp(x->name, y->name);
}

static int cmp_errors(const void *a, const void *b)
{
	const struct hs_func_stats *x = a, *y = b;
	return x->errors < y->errors ? 1 : x->errors > y->errors ? -1 : cmp_calls(a, b);
}

static int cmp_p95(const void *a, const void *b)
{
	const struct hs_func_stats *x = a, *y = b;
	double px = x->dur.count ? x->dur.p95 : -1, py = y->dur.count ? y->dur.p95 : -1;
	return px < py ? 1 : px > py ? -1 : cmp_calls(a, b);
}

/* Whether text can go between double quotes in a filter as it is. */
static int quotable(const char *text)
{
	return *text && !strpbrk(text, "\"\\");
}

/* The filter for a return code's row: by name when it is a CKR_ name, by
 * the response text for an audit log, by number otherwise. */
static void rv_filter(const struct hs_rv_stats *r, char *out, size_t len)
{
	if (r->rv == HS_NONE)
		snprintf(out, len, "incomplete");
	else if (!strncmp(r->name, "CKR_", 4) && !strpbrk(r->name, " \"\\"))
		snprintf(out, len, "rv == %s", r->name);
	else if (quotable(r->name))
		snprintf(out, len, "rv_name == \"%s\"", r->name);
	else
		snprintf(out, len, "rv == %lld", (long long)r->rv);
}

/* Round bucket sizes, µs (1, 2, 5 steps; then minutes, hours, days): the
 * histogram's time axis reads like a clock. */
static const int64_t round_sizes[] = {
	1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000,
	1000000, 2000000, 5000000, 10000000, 30000000, 60000000, 120000000, 300000000, 600000000,
	1800000000, 3600000000LL, 2 * 3600000000LL, 6 * 3600000000LL, 12 * 3600000000LL,
	86400000000LL, 7 * 86400000000LL, 30 * 86400000000LL, 365 * 86400000000LL,
};

static void size_name(int64_t us, char *out, size_t len)
{
	if (us >= 86400000000LL)
		snprintf(out, len, "%lld d", (long long)(us / 86400000000LL));
	else if (us >= 3600000000LL)
		snprintf(out, len, "%lld h", (long long)(us / 3600000000LL));
	else if (us >= 60000000)
		snprintf(out, len, "%lld min", (long long)(us / 60000000));
	else if (us >= 1000000)
		snprintf(out, len, "%lld s", (long long)(us / 1000000));
	else
		snprintf(out, len, "%lld ms", (long long)(us / 1000));
}

/* The smallest round size that covers [first, last] in at most NBUCKETS
 * buckets starting at a multiple of it (one instant: one 1 ms bucket). */
static void pick_buckets(struct stats *s, int64_t first, int64_t last)
{
	size_t i;
	int64_t size = 0, start = 0, nb = 0;

	for (i = 0; i < sizeof round_sizes / sizeof round_sizes[0]; i++) {
		size = round_sizes[i];
		start = first - ((first % size) + size) % size;
		nb = (last - start) / size + 1;
		if (nb <= NBUCKETS)
			break;
	}
	if (nb > NBUCKETS) { /* over decades: whole years, more of them */
		size = ((last - first) / NBUCKETS / round_sizes[i - 1] + 1) * round_sizes[i - 1];
		start = first;
		nb = (last - start) / size + 1;
	}
	s->bucket_us = size;
	s->start_us = start;
	s->nb = (int)nb;
}

static void layout(struct hs_app *app, struct stats *s)
{
	static const char *const sort_names[] = { "calls", "errors", "p95" };
	const struct hs_stats *st = &s->s;
	char a[48], b[48];
	struct sline *l;
	int i, fw, dp = app->dur_ms ? 0 : 3;

	s->n = 0;
	s->table_row = -1;
	if (!s->have) {
		add(s, S_TEXT, HS_ROLE_MSG_ERR, "statistics unavailable (see the status line)");
		hs_lw_set_rows(&s->lw, s->n);
		return;
	}
	if (st->nfuncs > 1) /* funcs is NULL when no event matches */
		qsort(st->funcs, (size_t)st->nfuncs, sizeof *st->funcs,
		      s->sort == SORT_CALLS ? cmp_calls : s->sort == SORT_ERRORS ? cmp_errors : cmp_p95);
	add(s, S_TITLE, HS_ROLE_NORMAL, "Summary%s%s", app->filter ? " of the filter: " : "",
	    app->filter ? app->filter_text : "");
	add(s, S_TEXT, HS_ROLE_NORMAL, "  calls %lld   errors %lld   success %s   incomplete %lld",
	    (long long)st->total, (long long)st->errors, hs_stats_success_text(st, a, sizeof a),
	    (long long)st->incomplete);
	add(s, S_TEXT, HS_ROLE_NORMAL, "  processes %lld   threads %lld", (long long)st->processes,
	    (long long)st->threads);
	hs_format_ts(st->first_ts, a, sizeof a, 0);
	hs_format_ts(st->last_ts, b, sizeof b, 0);
	add(s, S_TEXT, HS_ROLE_NORMAL, "  time span %s .. %s%s", a, b, st->ts_utc ? " UTC" : " (local time as recorded)");
	/* a clock that ticks in ms gets no decimals that only look precise
	 * (the average keeps them: it is not a reading) */
	if (st->dur.count)
		add(s, S_TEXT, HS_ROLE_NORMAL, "  durations (ms%s): min %.*f avg %.3f p50 %.*f p95 %.*f p99 %.*f max %.*f",
		    st->dur_exact ? "" : ", estimated", dp, st->dur.min, st->dur.avg, dp, st->dur.p50, dp,
		    st->dur.p95, dp, st->dur.p99, dp, st->dur.max);
	add(s, S_TEXT, HS_ROLE_NORMAL, "%s", "");
	add(s, S_TITLE, HS_ROLE_NORMAL, "Return codes   (Enter filters)");
	for (i = 0; i < st->nrvs; i++) {
		l = add(s, S_TEXT, st->rvs[i].rv == 0 || st->rvs[i].rv == HS_NONE ? HS_ROLE_NORMAL : HS_ROLE_ERROR,
		        "  %-40s %8lld", st->rvs[i].name, (long long)st->rvs[i].count);
		if (l)
			rv_filter(&st->rvs[i], l->expr, sizeof l->expr);
	}
	add(s, S_TEXT, HS_ROLE_NORMAL, "%s", "");
	if (st->corr.nanomalies) {
		add(s, S_TITLE, HS_ROLE_NORMAL, "Anomalies of the whole trace   (Enter filters)");
		for (i = 0; i < st->corr.nanomalies; i++) {
			const struct hs_lc_count *c = &st->corr.anomalies[i];
			l = add(s, S_TEXT, HS_ROLE_ANOMALY, "  %-40s %8lld", c->name, (long long)c->count);
			if (l && quotable(c->name))
				snprintf(l->expr, sizeof l->expr, "anomaly == \"%s\"", c->name);
		}
		add(s, S_TEXT, HS_ROLE_NORMAL, "%s", "");
	}
	if (st->nskips) {
		/* where lines were skipped and why, as the report says it */
		add(s, S_TITLE, HS_ROLE_NORMAL, "Skipped lines of the whole trace (the first of each reason)");
		for (i = 0; i < st->nskips; i++) {
			const struct hs_skip *k = &st->skips[i];
			const struct hs_index_file *f = hs_index_file(app->ix, k->file_id);
			const char *base = f ? strrchr(f->path, '/') : NULL;
			char like[48] = "";
			if (k->count > 1)
				snprintf(like, sizeof like, " (%lld lines like it)", (long long)k->count);
			add(s, S_TEXT, HS_ROLE_DIM, "  %s:%lld: %s%s", base ? base + 1 : f ? f->path : "?",
			    (long long)k->line, k->reason, like);
		}
		if (st->skip_reasons > st->nskips)
			add(s, S_TEXT, HS_ROLE_DIM, "  ... and %lld more reasons (hsmscope analyze lists them)",
			    (long long)(st->skip_reasons - st->nskips));
		add(s, S_TEXT, HS_ROLE_NORMAL, "%s", "");
	}
	add(s, S_TITLE, HS_ROLE_NORMAL, "Functions, by %s   (sort: c calls, e errors, p p95; Enter filters)",
	    sort_names[s->sort]);
	/* the name column as wide as the longest name (an 80-column screen
	 * then keeps the figures) */
	for (fw = 8, i = 0; i < st->nfuncs; i++)
		if ((int)strlen(st->funcs[i].name) > fw)
			fw = (int)strlen(st->funcs[i].name);
	add(s, S_TEXT, HS_ROLE_DIM, "  %-*s %8s %7s %9s %9s %9s%s", fw, "function", "calls", "errors",
	    "p50 ms", "p95 ms", "max ms", st->tracer_table ? "   tracer: calls      total ms" : "");
	for (i = 0; i < st->nfuncs; i++) {
		const struct hs_func_stats *f = &st->funcs[i];
		char d[3][24], t[2][24] = { "", "" };
		if (f->dur.count) {
			snprintf(d[0], sizeof d[0], "%.*f", dp, f->dur.p50);
			snprintf(d[1], sizeof d[1], "%.*f", dp, f->dur.p95);
			snprintf(d[2], sizeof d[2], "%.*f", dp, f->dur.max);
		} else {
			strcpy(d[0], "-"), strcpy(d[1], "-"), strcpy(d[2], "-");
		}
		if (st->tracer_table) { /* the tracer's own table, beside our figures */
			if (f->tracer_calls >= 0)
				snprintf(t[0], sizeof t[0], "%lld", (long long)f->tracer_calls);
			else
				strcpy(t[0], "-");
			if (f->tracer_total_ms >= 0)
				snprintf(t[1], sizeof t[1], "%.3f", f->tracer_total_ms);
			else
				strcpy(t[1], "-");
		}
		l = add(s, S_FUNC, f->errors ? HS_ROLE_ERROR : HS_ROLE_NORMAL,
		        "  %-*s %8lld %7lld %9s %9s %9s%*s %13s", fw, f->name, (long long)f->calls,
		        (long long)f->errors, d[0], d[1], d[2], st->tracer_table ? 14 : 0, t[0], t[1]);
		if (l) {
			l->idx = i;
			if (i == 0)
				s->table_row = s->n - 1;
			if (quotable(f->name))
				snprintf(l->expr, sizeof l->expr, "func == \"%s\"", f->name);
		}
	}
	add(s, S_TEXT, HS_ROLE_NORMAL, "%s", "");
	if (st->first_ts != HS_NONE && st->last_ts != HS_NONE && s->nb > 0) {
		size_name(s->bucket_us, a, sizeof a);
		add(s, S_TITLE, HS_ROLE_NORMAL, "Calls (#) and errors (x) over time, %d bucket%s of %s   (Enter filters)",
		    s->nb, s->nb == 1 ? "" : "s", a);
		for (i = 0; i < s->nb; i++) {
			l = add(s, S_BAR, HS_ROLE_NORMAL, "%s", "");
			if (!l)
				continue;
			l->idx = i;
			hs_format_ts(s->start_us + (int64_t)i * s->bucket_us, a, sizeof a, 1);
			hs_format_ts(s->start_us + (int64_t)(i + 1) * s->bucket_us, b, sizeof b, 1);
			snprintf(l->expr, sizeof l->expr, "ts >= \"%s\" && ts < \"%s\"", a, b);
		}
	}
	hs_lw_set_rows(&s->lw, s->n);
}

static void compute(struct hs_app *app, struct stats *s)
{
	struct hs_error err;

	if (s->have)
		hs_stats_free(&s->s);
	s->have = 0;
	s->gen = app->gen;
	memset(s->calls, 0, sizeof s->calls);
	memset(s->errors, 0, sizeof s->errors);
	if (hs_stats_compute(app->ix, app->filter, &s->s, &err) < 0) {
		hs_app_msg(app, 1, "%s", err.msg);
		if (app->cancelled)
			s->gen = (unsigned)-1; /* not computed: again next time */
		layout(app, s);
		return;
	}
	s->have = 1;
	s->nb = 0;
	if (s->s.first_ts != HS_NONE && s->s.last_ts != HS_NONE) {
		pick_buckets(s, s->s.first_ts, s->s.last_ts);
		/* the range is whole buckets, so the core's equal split is ours */
		if (hs_query_histogram(app->ix, app->filter, s->start_us,
		                       s->start_us + (int64_t)s->nb * s->bucket_us - 1, s->nb, s->calls,
		                       s->errors, &err) < 0)
			hs_app_msg(app, 1, "%s", err.msg);
	}
	if (app->cancelled)
		s->gen = (unsigned)-1; /* not computed whole: again next time */
	layout(app, s);
	/* the cursor starts on the table, not on the summary lines, with the
	 * top of the page in view */
	if (s->table_row >= 0) {
		s->lw.top = 0;
		hs_lw_select(&s->lw, s->table_row, 0);
	}
}

static void draw_bar(struct stats *s, WINDOW *w, int y, int x, int width, int i, attr_t sel)
{
	const struct hs_theme *t = &s->app->theme;
	int64_t max = 1;
	char label[128], ts[48];
	int j, bw, cw, ew, lw;

	for (j = 0; j < s->nb; j++)
		if (s->calls[j] > max)
			max = s->calls[j];
	hs_format_ts(s->start_us + (int64_t)i * s->bucket_us, ts, sizeof ts, 0);
	/* a day or more: the date; else the clock */
	if (s->bucket_us >= 86400000000LL)
		ts[10] = '\0';
	snprintf(label, sizeof label, "  %s %7lld %5lld ", s->bucket_us >= 86400000000LL ? ts : ts + 11,
	         (long long)s->calls[i], (long long)s->errors[i]);
	lw = hs_theme_puts(w, y, x, width, label, sel ? sel : A_NORMAL);
	bw = width - lw - 1;
	if (bw <= 0)
		return;
	cw = (int)((s->calls[i] * bw + max - 1) / max);
	ew = (int)((s->errors[i] * bw + max - 1) / max);
	for (j = 0; j < cw; j++) {
		attr_t a = hs_theme_attr(t, j < ew ? HS_ROLE_BAR_ERR : HS_ROLE_BAR);
		wattrset(w, a);
		mvwaddch(w, y, x + lw + j, j < ew ? 'x' : '#');
	}
	wattrset(w, A_NORMAL);
}

static void draw_line(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	struct stats *s = ctx;
	const struct sline *l = &s->lines[row];
	attr_t sel = selected ? hs_theme_attr(&s->app->theme, HS_ROLE_SELECTED) : 0;
	attr_t a = sel ? sel : hs_theme_attr(&s->app->theme, l->role);

	if (sel)
		hs_theme_fill(w, y, x, width, sel);
	if (l->kind == S_BAR) {
		draw_bar(s, w, y, x, width, l->idx, sel);
		return;
	}
	hs_theme_puts(w, y, x + 1, width - 1, l->text, l->kind == S_TITLE ? a | A_BOLD : a);
}

static void stats_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct stats *s = st;

	(void)focused;
	s->app = app;
	hs_lw_set_height(&s->lw, getmaxy(w));
	if (s->gen != app->gen)
		compute(app, s);
	hs_lw_draw(&s->lw, w, 0, getmaxx(w), draw_line, s, A_NORMAL);
}

/* Entering the view computes at once, so that keys typed right after `i`
 * move over the new figures, not the old ones. */
static void stats_enter(struct hs_app *app, void *st)
{
	struct stats *s = st;

	s->app = app;
	/* the page's height, for the first selection to scroll right */
	if (app->full)
		hs_lw_set_height(&s->lw, getmaxy(app->full));
	if (s->gen != app->gen)
		compute(app, s);
}

static int stats_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	struct stats *s = st;
	const struct sline *l;
	char expr[sizeof l->expr];

	if (cmd == HS_NAV_ENTER && s->lw.sel >= 0 && s->lw.sel < s->n) {
		l = &s->lines[s->lw.sel];
		if (!l->expr[0] || !s->have)
			return HS_R_HANDLED;
		/* a copy: applying the filter recomputes these lines */
		hs_strlcpy(expr, l->expr, sizeof expr);
		if (hs_app_apply_filter(app, expr) == 0)
			hs_app_set_mode(app, HS_MODE_MAIN);
		return HS_R_HANDLED | HS_R_RELAYOUT;
	}
	return hs_lw_nav(&s->lw, cmd);
}

static int stats_command(struct hs_app *app, void *st, int cmd)
{
	struct stats *s = st;
	int sort = cmd == HS_VCMD_SORT_CALLS ? SORT_CALLS : cmd == HS_VCMD_SORT_ERRORS ? SORT_ERRORS :
	           cmd == HS_VCMD_SORT_P95 ? SORT_P95 : -1;

	if (sort < 0)
		return HS_R_NONE;
	s->sort = sort;
	if (s->gen == app->gen)
		layout(app, s);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static int stats_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	struct stats *s = st;
	int r = hs_lw_click(&s->lw, y);

	(void)x;
	return dbl ? r | stats_nav(app, st, HS_NAV_ENTER) : r;
}

const struct hs_view hs_view_stats = {
	.name = "Statistics",
	.open = stats_open,
	.close = stats_close,
	.draw = stats_draw,
	.nav = stats_nav,
	.command = stats_command,
	.click = stats_click,
	.enter = stats_enter,
};
