/* view_list.c — the event list: a window over the filter's matches.
 *
 * The list never holds more than one screen of events. The list widget
 * works on ranks (0-based positions among the matches, count known from the
 * index); this view keeps `rows`, the events of ranks [ctop, ctop + cn),
 * fetched with two hs_query_page() calls around the selection, whose number
 * and rank the app always knows. Moving to a rank off the cache asks the
 * index for that one row, starting from the nearest known place (the
 * selection, the first row, or the last), so PgDn costs a page and `G` costs
 * one backwards row, never a walk over the whole log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/query.h"
#include "listwidget.h"

struct list {
	struct hs_lw lw;            /* ranks */
	struct hs_event *rows;      /* owned: events of ranks ctop.. */
	enum hs_role *role;         /* owned: colouring of each cached row */
	int cap;                    /* rows allocated */
	int cn;                     /* rows valid */
	int64_t ctop;               /* rank of rows[0] */
	int64_t prev_ts;            /* time of the match before rows[0], HS_NONE */
	unsigned gen;               /* app->gen the cache belongs to */
	int width;                  /* columns of the window */
	int seen[HS_COL_COUNT];     /* widest text seen per column (C_*), display columns */
	int colw[HS_COL_COUNT];     /* widths chosen by layout_cols, display columns */
	int time_key;               /* time format `seen` was measured in, -1 none */
	struct hs_app *app;         /* during draw only */
};

static void *list_open(struct hs_app *app)
{
	struct list *l = calloc(1, sizeof *l);

	(void)app;
	if (l) {
		hs_lw_init(&l->lw, 0);
		l->time_key = -1;
	}
	return l;
}

static void drop_rows(struct list *l)
{
	int i;

	for (i = 0; i < l->cap; i++)
		hs_event_free(&l->rows[i]);
	free(l->rows);
	free(l->role);
	l->rows = NULL;
	l->role = NULL;
	l->cap = l->cn = 0;
}

static void list_close(void *st)
{
	struct list *l = st;

	drop_rows(l);
	hs_lw_free(&l->lw);
	free(l);
}

static int ensure_cap(struct list *l, int want)
{
	int i;

	if (want <= l->cap)
		return 0;
	drop_rows(l);
	l->rows = calloc((size_t)want, sizeof *l->rows);
	l->role = calloc((size_t)want, sizeof *l->role);
	if (!l->rows || !l->role) {
		free(l->rows);
		free(l->role);
		l->rows = NULL;
		l->role = NULL;
		return -1;
	}
	for (i = 0; i < want; i++)
		hs_event_init(&l->rows[i]);
	l->cap = want;
	return 0;
}

/* The number of the event at rank, asking the index from the nearest known
 * place. 0 when there is none (or on error, with the message set). */
static int64_t resolve(struct hs_app *app, struct list *l, int64_t rank)
{
	struct hs_event ev;
	struct hs_error err;
	int64_t from_sel = rank - app->sel_rank, from_end = app->count - 1 - rank;
	int64_t n = 0;
	int got;

	if (rank < 0 || rank >= app->count)
		return 0;
	if (l->gen == app->gen && rank >= l->ctop && rank < l->ctop + l->cn)
		return l->rows[rank - l->ctop].n;
	hs_event_init(&ev);
	if (app->sel_rank < 0 || (from_sel < 0 ? -from_sel : from_sel) > rank)
		got = hs_query_page(app->ix, app->filter, 1, 1, rank, &ev, 1, &err);
	else if ((from_sel < 0 ? -from_sel : from_sel) > from_end)
		got = hs_query_page(app->ix, app->filter, INT64_MAX, -1, from_end, &ev, 1, &err);
	else if (from_sel >= 0)
		got = hs_query_page(app->ix, app->filter, app->sel_n + 1, 1, from_sel - 1, &ev, 1, &err);
	else
		got = hs_query_page(app->ix, app->filter, app->sel_n - 1, -1, -from_sel - 1, &ev, 1, &err);
	if (got == 1)
		n = ev.n;
	else if (got < 0)
		hs_app_msg(app, 1, "%s", err.msg);
	hs_event_free(&ev);
	return n;
}

static void apply_rules(struct hs_app *app, struct list *l)
{
	int64_t ns[256];
	int i, r, k, got;
	struct hs_error err;

	for (i = 0; i < l->cn; i++) {
		const struct hs_event *e = &l->rows[i];
		/* the built-in rules, Wireshark's "bad" colours: the core says
		 * what failed, what never returned and what is anomalous */
		l->role[i] = e->anomalies[0] ? HS_ROLE_ANOMALY : e->incomplete ? HS_ROLE_WARN :
		             !e->ok ? HS_ROLE_ERROR : HS_ROLE_NORMAL;
	}
	if (!l->cn)
		return;
	/* user rules (~/.config/hsmscope/colors), last listed first so that the
	 * first rule wins */
	for (r = app->theme.nrules - 1; r >= 0; r--) {
		got = hs_query_match_range(app->ix, app->theme.rules[r].filter, l->rows[0].n,
		                           l->rows[l->cn - 1].n, ns, 256, &err);
		for (k = 0, i = 0; k < got && i < l->cn; i++) {
			while (k < got && ns[k] < l->rows[i].n)
				k++;
			if (k < got && ns[k] == l->rows[i].n)
				l->role[i] = app->theme.rules[r].role;
		}
	}
}

/* Fetch ranks [top, top+h) around the selection. */
static void refill(struct hs_app *app, struct list *l)
{
	int h = l->lw.height, before, after, got, i;
	struct hs_error err;
	struct hs_event *tmp;

	l->cn = 0;
	l->gen = app->gen;
	l->ctop = l->lw.top;
	l->prev_ts = HS_NONE;
	if (app->count <= 0 || app->sel_rank < 0 || ensure_cap(l, h + 1) < 0)
		return;
	before = (int)(app->sel_rank - l->lw.top);
	after = (int)(l->lw.top + h - app->sel_rank);
	if (after > app->count - app->sel_rank)
		after = (int)(app->count - app->sel_rank);
	/* backwards from the selection, one more for the previous row's time */
	got = hs_query_page(app->ix, app->filter, app->sel_n - 1, -1, 0, l->rows, before + 1, &err);
	if (got < 0) {
		hs_app_msg(app, 1, "%s", err.msg);
		return;
	}
	if (got > before)
		l->prev_ts = l->rows[before].ts_us;
	if (got < before) {
		/* the index changed under us: restart from the selection */
		before = got;
		l->ctop = app->sel_rank - got;
	}
	/* reverse the first `before` rows into place */
	tmp = malloc(sizeof *tmp);
	for (i = 0; tmp && i < before / 2; i++) {
		memcpy(tmp, &l->rows[i], sizeof *tmp);
		memcpy(&l->rows[i], &l->rows[before - 1 - i], sizeof *tmp);
		memcpy(&l->rows[before - 1 - i], tmp, sizeof *tmp);
	}
	free(tmp);
	got = hs_query_page(app->ix, app->filter, app->sel_n, 1, 0, l->rows + before, after, &err);
	if (got < 0) {
		hs_app_msg(app, 1, "%s", err.msg);
		got = 0;
	}
	l->cn = before + got;
	apply_rules(app, l);
}

/* Keep the widget's selection on the app's, and the cache on the window. */
static void sync(struct hs_app *app, struct list *l)
{
	int far;

	if (l->lw.nrows != app->count)
		hs_lw_set_rows(&l->lw, app->count);
	if (app->sel_rank != l->lw.sel) {
		far = app->sel_rank < l->lw.top || app->sel_rank >= l->lw.top + l->lw.height;
		/* a jump lands mid-screen; a step at the edge scrolls by one */
		hs_lw_select(&l->lw, app->sel_rank,
		             far && (app->sel_rank < l->lw.top - 1 ||
		                     app->sel_rank > l->lw.top + l->lw.height));
	}
	if (l->gen != app->gen || l->ctop != l->lw.top ||
	    l->cn < (int)(app->count - l->lw.top < l->lw.height ? app->count - l->lw.top : l->lw.height))
		refill(app, l);
}

/* ------------------------------------------------------------- columns */

enum { C_NO, C_TIME, C_SRC, C_FUNC, C_RV, C_DUR, C_SESS, C_SUM, C_MECH, C_OBJ, C_SEQ, C_USER,
       C_COUNT };

#define TEXT_MAX 512

static const char *col_title(const struct hs_app *app, int c)
{
	static const char *const titles[C_COUNT] = { "No.", "Time", "Source", "Function",
	                                             "Result", "Dur", "Sess", "Summary",
	                                             "Mechanism", "Object", "Seq", "User" };

	if (c == C_TIME)
		return hs_app_time_title(app);
	/* an audit log's words */
	if (app->audit && (c == C_SRC || c == C_FUNC || c == C_RV))
		return c == C_SRC ? "HSM" : c == C_FUNC ? "Opcode" : "Response";
	return titles[c];
}

const char *hs_view_list_title(const struct hs_app *app, int c)
{
	return c >= 0 && c < C_COUNT ? col_title(app, c) : "";
}

static void source_text(const struct hs_event *e, char *out, size_t len)
{
	if (e->hsm[0])
		snprintf(out, len, "%s", e->hsm);
	else if (e->pid != HS_NONE && e->tid != HS_NONE)
		snprintf(out, len, "%lld:%lld", (long long)e->pid, (long long)e->tid);
	else if (e->pid != HS_NONE)
		snprintf(out, len, "%lld", (long long)e->pid);
	else /* old spy headers: no pid, only the process instance */
		snprintf(out, len, "proc %lld", (long long)e->instance + 1);
}

/* The mechanism of a call, as the core's summary names it ("mech=..."). */
static void mech_text(const struct hs_event *e, char *out, size_t len)
{
	const char *m = strstr(e->summary, "mech=");
	size_t n;

	if (m && (m == e->summary || m[-1] == ' ')) {
		m += 5;
		n = strcspn(m, " ");
		snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), m);
	} else {
		snprintf(out, len, "-");
	}
}

/* The object handles a call names, comma-separated. */
static void objects_text(const struct hs_event *e, char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < e->nkeys && used + 24 < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s0x%llx", i ? "," : "",
		                         (unsigned long long)e->keys[i].handle);
	if (!e->nkeys)
		snprintf(out, len, "-");
}

/* The texts of cached row i, one per column, unpadded. */
static void row_texts(const struct hs_app *app, const struct list *l, int i,
                      char text[C_COUNT][TEXT_MAX])
{
	const struct hs_event *e = &l->rows[i];
	int64_t prev = i > 0 ? l->rows[i - 1].ts_us : l->prev_ts;
	char buf[160];

	snprintf(text[C_NO], TEXT_MAX, "%lld", (long long)e->n);
	hs_app_format_time(app, e->ts_us, prev, buf, sizeof buf);
	if (app->ref_n > 0 && e->n == app->ref_n)
		snprintf(buf, sizeof buf, "*REF*"); /* Wireshark's mark of the reference */
	/* narrow absolute times keep the clock, not the date */
	snprintf(text[C_TIME], TEXT_MAX, "%s", app->time_mode == HS_TIME_ABS && !app->ref_n && l->width < 160 &&
	         strlen(buf) > 11 ? buf + 11 : buf);
	source_text(e, text[C_SRC], TEXT_MAX);
	snprintf(text[C_FUNC], TEXT_MAX, "%s", e->func);
	snprintf(text[C_RV], TEXT_MAX, "%s",
	         e->rv_name[0] ? e->rv_name : e->incomplete ? "(no return)" : "-");
	hs_app_format_dur(app, e->dur_us, e->dur_exact, text[C_DUR], TEXT_MAX);
	if (e->session != HS_NONE)
		snprintf(text[C_SESS], TEXT_MAX, "0x%llx", (unsigned long long)e->session);
	else
		snprintf(text[C_SESS], TEXT_MAX, "-");
	snprintf(text[C_SUM], TEXT_MAX, "%s%s%s%s", e->anomalies[0] ? "[" : "", e->anomalies,
	         e->anomalies[0] ? "] " : "", e->summary);
	mech_text(e, text[C_MECH], TEXT_MAX);
	objects_text(e, text[C_OBJ], TEXT_MAX);
	if (e->seq != HS_NONE)
		snprintf(text[C_SEQ], TEXT_MAX, "0x%llx", (unsigned long long)e->seq);
	else
		snprintf(text[C_SEQ], TEXT_MAX, "-");
	snprintf(text[C_USER], TEXT_MAX, "%s", e->user[0] ? e->user : "-");
}

/* Remember the widest text of each column among the rows on screen; the
 * widths only grow, so that scrolling does not make the columns dance. The
 * time column starts over when its format changes (t, or a resize that
 * drops the date). */
static void measure(const struct hs_app *app, struct list *l)
{
	char text[C_COUNT][TEXT_MAX];
	int i, c, w, tkey = (app->ref_n > 0 ? HS_TIME_COUNT : app->time_mode) * 2 + (l->width >= 160);

	if (tkey != l->time_key) {
		l->time_key = tkey;
		l->seen[C_TIME] = 0;
	}
	for (i = 0; i < l->cn; i++) {
		row_texts(app, l, i, text);
		for (c = 0; c < C_COUNT; c++) {
			if (c == C_SUM)
				continue;
			w = hs_theme_width(text[c], strlen(text[c]));
			if (w > l->seen[c])
				l->seen[c] = w;
		}
	}
}

/* Column widths for this screen width, from the widest values seen: every
 * shown column gets its content's width when the screen has room, and the
 * summary takes what is left. When it has not, the columns give way in
 * `give` order, each down to a floor, and a cut value ends in an ellipsis;
 * the return code, the handles and the number give way last. Columns the
 * configuration leaves out get width 0. */
static void layout_cols(const struct hs_app *app, struct list *l, int cols)
{
	/* (column, floor): who gives way, in order, and down to what; a column
	 * comes back with a lower floor once the others have given enough. A
	 * free-text result gives way down to the longest CKR_ name's width
	 * early, a return code late, a session handle last. */
	static const int give[][2] = { { C_SRC, 11 }, { C_FUNC, 13 }, { C_DUR, 5 }, { C_RV, 34 },
	                               { C_SRC, 7 }, { C_FUNC, 9 }, { C_RV, 16 }, { C_TIME, 8 },
	                               { C_FUNC, 6 }, { C_RV, 10 }, { C_SESS, 5 } };
	static const int optional[] = { C_OBJ, C_MECH, C_SEQ };
	int *w = l->colw, shown[C_COUNT] = { 0 }, used, i, over, cut, fl;

	for (i = 0; i < app->ncols; i++)
		shown[app->col_order[i]] = 1;
	/* the mark column, then each column with the blank before the next:
	 * the last one ends at `used` */
	used = 0;
	for (i = 0; i < C_COUNT; i++) {
		int tw = (int)strlen(col_title(app, i));
		if (i == C_SUM)
			continue;
		/* a width set in the column editor, else the content's */
		w[i] = !shown[i] ? 0 : app->col_width[i] > 0 ? app->col_width[i] :
		       l->seen[i] > tw ? l->seen[i] : tw;
		if (shown[i])
			used += w[i] + 1;
	}
	/* a narrow screen drops the columns the summary repeats before it
	 * cuts anything or squeezes the summary out: a missing column is no
	 * lie, a cut value may be */
	for (i = 0; used + (shown[C_SUM] ? 20 : 0) > cols &&
	            i < (int)(sizeof optional / sizeof optional[0]); i++) {
		if (!shown[optional[i]])
			continue;
		used -= w[optional[i]] + 1;
		w[optional[i]] = 0;
		shown[optional[i]] = 0;
	}
	/* a free-text result (an audit log's error sentence) beyond the
	 * longest CKR_ name gives way first, so that a wide screen keeps a
	 * useful summary */
	over = used + (shown[C_SUM] && cols >= 120 ? 40 : 0) - cols;
	if (over > 0 && w[C_RV] > 34) {
		cut = w[C_RV] - 34 < over ? w[C_RV] - 34 : over;
		w[C_RV] -= cut;
		used -= cut;
	}
	over = used - cols;
	for (i = 0; over > 0 && i < (int)(sizeof give / sizeof give[0]); i++) {
		int c = give[i][0];
		fl = give[i][1];
		if (!shown[c] || w[c] <= fl)
			continue;
		cut = w[c] - fl < over ? w[c] - fl : over;
		w[c] -= cut;
		used -= cut;
		over -= cut;
	}
	/* a sliver of summary says nothing: then none */
	w[C_SUM] = shown[C_SUM] && cols - used - 1 >= 8 ? cols - used - 1 : 0;
	if (app->col_width[C_SUM] > 0 && w[C_SUM] > app->col_width[C_SUM])
		w[C_SUM] = app->col_width[C_SUM];
}

/* Draw one cell: numbers right-aligned, anything cut ends in an ellipsis,
 * and nothing crosses the window's edge. Returns the next cell's x. */
static int put_cell(WINDOW *w, int y, int cx, int cols, int c, int width, const char *s, attr_t a)
{
	int room = cols - cx, tw = hs_theme_width(s, strlen(s));

	if (width <= 0 || room <= 0)
		return cx;
	if (width > room)
		width = room;
	if ((c == C_NO || c == C_DUR) && tw < width)
		hs_theme_puts(w, y, cx + width - tw, tw, s, a);
	else if (c == C_SRC && tw > width && width >= 5 && tw == (int)strlen(s)) {
		/* pid:tid: processes differ at the head, threads at the tail,
		 * so the cut goes in the middle */
		int head = (width - 1) / 2, tail = width - 1 - head;
		hs_theme_put(w, y, cx, head, s, (size_t)head, a);
		hs_theme_puts(w, y, cx + head, 1, hs_theme_ellipsis(), a);
		hs_theme_put(w, y, cx + head + 1, tail, s + tw - tail, (size_t)tail, a);
	} else
		hs_theme_puts_cut(w, y, cx, width, s, a);
	return cx + width + 1;
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, int64_t rank, int selected)
{
	struct list *l = ctx;
	struct hs_app *app = l->app;
	const struct hs_theme *t = &app->theme;
	char text[C_COUNT][TEXT_MAX];
	int i = (int)(rank - l->ctop), cx = x + 1, k, col;
	attr_t a;

	(void)width;
	if (i < 0 || i >= l->cn)
		return;
	a = selected ? hs_theme_attr(t, app->focus == HS_PANE_LIST && app->mode == HS_MODE_MAIN ?
	                                    HS_ROLE_SELECTED : HS_ROLE_SELECTED_DIM)
	             : hs_theme_attr(t, l->role[i]);
	hs_theme_fill(w, y, 0, l->width, a);
	if (hs_app_is_marked(app, l->rows[i].n))
		hs_theme_puts(w, y, 0, 1, "*", hs_theme_attr(t, HS_ROLE_MARK));
	row_texts(app, l, i, text);
	for (k = 0; k < app->ncols; k++) {
		col = app->col_order[k];
		cx = put_cell(w, y, cx, l->width, col, l->colw[col], text[col], a);
	}
}

static void list_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct list *l = st;
	const struct hs_theme *t = &app->theme;
	attr_t ha = hs_theme_attr(t, HS_ROLE_HEADER);
	int rows = getmaxy(w), cols = getmaxx(w), cx = 1, i;

	(void)focused;
	l->app = app;
	l->width = cols;
	hs_lw_set_height(&l->lw, rows - 1);
	sync(app, l);
	measure(app, l);
	layout_cols(app, l, cols);
	memcpy(app->col_drawn, l->colw, sizeof app->col_drawn); /* for the column editor */
	hs_theme_fill(w, 0, 0, cols, ha);
	for (int k = 0; k < app->ncols; k++) {
		i = app->col_order[k];
		cx = put_cell(w, 0, cx, cols, i, l->colw[i], col_title(app, i), ha);
	}
	if (app->count == 0) {
		for (i = 1; i < rows; i++) {
			wmove(w, i, 0);
			wclrtoeol(w);
		}
		hs_theme_puts(w, 2, 2, cols - 2, app->filter ?
		              "No event matches the filter.  Press / to change it (empty = all)." :
		              "The log has no events yet.", hs_theme_attr(t, HS_ROLE_DIM));
		return;
	}
	hs_lw_draw(&l->lw, w, 1, cols, draw_row, l, A_NORMAL);
}

/* Move the selection to the widget's row after a navigation. */
static int follow_widget(struct hs_app *app, struct list *l, int r)
{
	int64_t n;

	if (!(r & HS_R_REDRAW) || l->lw.sel == app->sel_rank)
		return r;
	n = resolve(app, l, l->lw.sel);
	if (n > 0)
		hs_app_select(app, n, l->lw.sel);
	else
		hs_lw_select(&l->lw, app->sel_rank, 0);
	return r | HS_R_REDRAW;
}

static int list_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	struct list *l = st;

	l->app = app;
	if (cmd == HS_NAV_ENTER) {
		/* Enter on a row: look at its detail */
		app->focus = HS_PANE_DETAIL;
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	return follow_widget(app, l, hs_lw_nav(&l->lw, cmd));
}

static int list_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	struct list *l = st;

	(void)x;
	l->app = app;
	app->focus = HS_PANE_LIST;
	if (y < 1)
		return HS_R_HANDLED | HS_R_REDRAW;
	if (dbl)
		app->focus = HS_PANE_DETAIL;
	return follow_widget(app, l, hs_lw_click(&l->lw, y - 1)) | HS_R_REDRAW;
}

const struct hs_view hs_view_list = {
	.name = "Events",
	.open = list_open,
	.close = list_close,
	.draw = list_draw,
	.nav = list_nav,
	.click = list_click,
};
