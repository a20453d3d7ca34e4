/* screen.c — the explorer's layout and drawing: the windows of the panes
 * and full-screen views, their titles, the filter bar, the caret and the
 * status line. Layout, top to bottom: the filter bar; in the main mode the
 * event list (with its column header), the detail tree and the raw lines,
 * each of the last two under a title row; in the other modes one
 * full-screen view; the status line. Panes are rebuilt on every resize,
 * down to 80x24. Each view draws only its own window (view.h); this file
 * draws what is around them.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

#include "filterbar.h"
#include "keymap.h"
#include "prompt.h"
#include "search.h"
#include "theme.h"

void hs_screen_free(struct hs_app *app)
{
	int i;

	for (i = 0; i < HS_PANE_COUNT; i++) {
		if (app->pane[i])
			delwin(app->pane[i]);
		if (app->title[i])
			delwin(app->title[i]);
		app->pane[i] = app->title[i] = NULL;
	}
	if (app->bar)
		delwin(app->bar);
	if (app->status)
		delwin(app->status);
	if (app->full)
		delwin(app->full);
	app->bar = app->status = app->full = NULL;
}

/* The heights of the three panes (0: not shown) for avail rows, each of
 * detail and raw under a title row. By default the list takes 45% (at
 * least a dozen events on a small terminal), the detail 35/55 of the rest;
 * `+`/`-` move rows between the list and the panes below, `v` hides a pane
 * and `z` shows only the focused one. */
static void pane_heights(const struct hs_app *app, int avail, int h[HS_PANE_COUNT])
{
	int shown[HS_PANE_COUNT], nlow = 0, i, low, max_list;

	for (i = 0; i < HS_PANE_COUNT; i++) {
		shown[i] = app->zoomed ? i == app->focus : !app->hidden[i] || i == app->focus;
		h[i] = 0;
	}
	nlow = shown[HS_PANE_DETAIL] + shown[HS_PANE_RAW];
	avail -= nlow; /* their title rows */
	if (!shown[HS_PANE_LIST]) {
		low = avail;
	} else if (!nlow) {
		h[HS_PANE_LIST] = avail;
		return;
	} else {
		int list_h = avail * 45 / 100;
		/* a small terminal still lists a dozen events: the list is what
		 * one scans, the panes below are read one event at a time */
		if (list_h < 13)
			list_h = avail - 7 < 13 ? avail - 7 : 13;
		list_h += app->list_adj;
		max_list = avail - 2 * nlow;
		if (list_h > max_list)
			list_h = max_list;
		if (list_h < 3)
			list_h = 3;
		h[HS_PANE_LIST] = list_h;
		low = avail - list_h;
	}
	if (nlow == 2) {
		h[HS_PANE_DETAIL] = low * 35 / 55;
		if (h[HS_PANE_DETAIL] < 2)
			h[HS_PANE_DETAIL] = 2;
		h[HS_PANE_RAW] = low - h[HS_PANE_DETAIL];
		if (h[HS_PANE_RAW] < 1) {
			h[HS_PANE_RAW] = 1;
			h[HS_PANE_DETAIL] = low - 1;
		}
	} else if (nlow == 1) {
		h[shown[HS_PANE_DETAIL] ? HS_PANE_DETAIL : HS_PANE_RAW] = low;
	}
}

void hs_screen_layout(struct hs_app *app)
{
	int avail, h[HS_PANE_COUNT], y, i;

	hs_screen_free(app);
	getmaxyx(stdscr, app->rows, app->cols);
	if (app->rows < 8 || app->cols < 20)
		return;
	app->bar = newwin(1, app->cols, 0, 0);
	keypad(app->bar, TRUE);
	nodelay(app->bar, TRUE);
	app->status = newwin(1, app->cols, app->rows - 1, 0);
	avail = app->rows - 2;
	app->full = newwin(avail, app->cols, 1, 0);
	app->laid_focus = app->focus;
	if (app->hidden[app->focus] && !app->zoomed)
		app->hidden[app->focus] = 0; /* a pane one moves to shows again */
	pane_heights(app, avail, h);
	y = 1;
	for (i = 0; i < HS_PANE_COUNT; i++) {
		if (h[i] <= 0)
			continue;
		if (i != HS_PANE_LIST)
			app->title[i] = newwin(1, app->cols, y++, 0);
		app->pane[i] = newwin(h[i], app->cols, y, 0);
		keypad(app->pane[i], TRUE);
		y += h[i];
	}
	app->detail_rows = h[HS_PANE_DETAIL];
	app->raw_rows = h[HS_PANE_RAW];
}

/* -------------------------------------------------------------- drawing */

static void draw_title(struct hs_app *app, int pane, const char *extra)
{
	WINDOW *w = app->title[pane];
	attr_t a = hs_theme_attr(&app->theme, app->focus == pane ? HS_ROLE_TITLE_FOCUS : HS_ROLE_TITLE);
	char buf[256];

	if (!w)
		return;
	snprintf(buf, sizeof buf, " %s %s", app->view[pane]->name, extra);
	hs_theme_fill(w, 0, 0, app->cols, a);
	hs_theme_puts(w, 0, 0, app->cols, buf, a);
	wnoutrefresh(w);
}

static void draw_status(struct hs_app *app)
{
	static const char *const hints_main =
		"?:help /:filter e:error S:its session %:partner s:tree x:export q:quit";
	static const char *const hints_full = "Esc:back  Enter:select  ?:help  q:quit";
	static const char *const hints_filter =
		"typing a filter: Enter applies (empty = all)  Esc cancels  Tab: complete  Up/Down: history  Ctrl-U: clear";
	static const char *const tnames[] = { "", "  T: since start", "  T: since prev" };
	WINDOW *w = app->status;
	const struct hs_theme *t = &app->theme;
	const char *base = app->shown, *slash = strrchr(base, '/');
	char left[256], note[160];
	int x;

	if (app->prompt.active) {
		hs_prompt_draw(app, w);
		return;
	}
	hs_theme_fill(w, 0, 0, app->cols, hs_theme_attr(t, HS_ROLE_STATUS));
	if (slash)
		base = slash + 1;
	/* while a filter is typed, the list's position and keys are not the
	 * ones that apply: say what the keys do now */
	if (app->fb.active) {
		snprintf(left, sizeof left, " %.60s%s ", base, app->nfiles > 1 ? " +" : "");
		x = hs_theme_puts(w, 0, 0, app->cols, left, hs_theme_attr(t, HS_ROLE_STATUS) | A_BOLD);
		hs_theme_puts_cut(w, 0, x + 1, app->cols - x - 1, app->fb.hint[0] ? app->fb.hint : hints_filter,
		                  hs_theme_attr(t, HS_ROLE_STATUS));
		return;
	}
	/* "basic.log  No. 120  12/40  marks 2  [FOLLOW]" */
	char tname[48];
	if (app->ref_n > 0) /* the time reference (Ctrl-T) wins over T */
		snprintf(tname, sizeof tname, "  T: since ref %lld", (long long)app->ref_n);
	else
		snprintf(tname, sizeof tname, "%s", tnames[app->time_mode]);
	snprintf(left, sizeof left, " %.60s%s  No. %lld  %lld/%lld  marks %zu%s%s%s ", base,
	         app->nfiles > 1 ? " +" : "", (long long)app->sel_n, (long long)(app->sel_rank + 1),
	         (long long)app->count, app->nmarks, app->follow ? "  [FOLLOW]" : "",
	         app->zoomed && app->mode == HS_MODE_MAIN ? "  [ZOOM]" : "", tname);
	x = hs_theme_puts(w, 0, 0, app->cols, left, hs_theme_attr(t, HS_ROLE_STATUS) | A_BOLD);
	/* while the index loads, its progress comes first (loading.c) */
	hs_loading_note(app, note, sizeof note);
	if (note[0] && x + 1 < app->cols) {
		x += 1 + hs_theme_puts_cut(w, 0, x + 1, app->cols - x - 1, note,
		                           hs_theme_attr(t, HS_ROLE_STATUS) | A_BOLD);
		if (x + 2 >= app->cols || !app->msg[0])
			return;
		x += 2;
	}
	/* a message too long for the line ends in an ellipsis, not mid-word */
	if (app->msg[0])
		hs_theme_puts_cut(w, 0, x + 1, app->cols - x - 1, app->msg,
		                  hs_theme_attr(t, app->msg_err ? HS_ROLE_MSG_ERR : HS_ROLE_STATUS));
	else
		hs_theme_puts_cut(w, 0, x + 1, app->cols - x - 1,
		              app->mode == HS_MODE_MAIN ? hints_main :
		              app->view[HS_VIEW_OF_MODE(app->mode)]->hints ?
		              app->view[HS_VIEW_OF_MODE(app->mode)]->hints : hints_full,
		              hs_theme_attr(t, HS_ROLE_STATUS));
}

static void draw_bar(struct hs_app *app)
{
	char right[96];

	if (app->filter)
		snprintf(right, sizeof right, " %lld of %lld match ", (long long)app->count, (long long)app->total);
	else
		snprintf(right, sizeof right, " %lld events ", (long long)app->total);
	hs_fb_draw(&app->fb, app->bar, &app->theme, app->filter_text, right);
}

/* While the filter does not compile: a caret under the bad column and the
 * message, over the first row below the bar. */
static void draw_caret(struct hs_app *app)
{
	WINDOW *w = app->mode == HS_MODE_MAIN ? app->pane[HS_PANE_LIST] : app->full;
	const struct hs_filterbar *fb = &app->fb;
	int col = 8, x;
	char buf[600];

	if (!fb->active || fb->valid || !w)
		return;
	col += hs_theme_width(fb->line.buf, (size_t)(fb->err_col - 1 < (long)fb->line.len ? fb->err_col - 1 : (long)fb->line.len));
	if (col >= app->cols - 1)
		col = app->cols - 2;
	hs_theme_fill(w, 0, 0, app->cols, hs_theme_attr(&app->theme, HS_ROLE_HEADER));
	snprintf(buf, sizeof buf, "^ %s", fb->err_msg);
	x = col;
	if (x + (int)strlen(buf) > app->cols)
		x = app->cols - (int)strlen(buf) > 0 ? app->cols - (int)strlen(buf) : 0;
	hs_theme_puts(w, 0, col, 1, "^", hs_theme_attr(&app->theme, HS_ROLE_FILTER_BAD));
	hs_theme_puts(w, 0, x == col ? col + 1 : x, app->cols - (x == col ? col + 1 : x),
	              x == col ? buf + 1 : buf, hs_theme_attr(&app->theme, HS_ROLE_FILTER_BAD));
	wnoutrefresh(w);
}

void hs_screen_draw(struct hs_app *app)
{
	int i, v;
	char extra[160];
	const struct hs_event *e;

	if (!app->bar) {
		erase();
		mvaddstr(0, 0, "terminal too small");
		refresh();
		return;
	}
	if (app->want_redraw) {
		clearok(curscr, TRUE);
		app->want_redraw = 0;
	}
	if (app->mode == HS_MODE_MAIN && (app->zoomed ? app->focus != app->laid_focus : !app->pane[app->focus])) {
		/* the focus moved to a hidden pane, or away from a zoomed one */
		hs_screen_layout(app);
		if (!app->bar)
			return;
	}
	if (app->mode == HS_MODE_MAIN) {
		for (i = 0; i < HS_PANE_COUNT; i++) {
			if (!app->pane[i])
				continue;
			werase(app->pane[i]);
			app->view[i]->draw(app, app->vstate[i], app->pane[i], app->focus == i);
			hs_search_highlight(app, i, app->pane[i]);
			wnoutrefresh(app->pane[i]);
		}
		e = hs_app_current(app);
		extra[0] = '\0';
		if (e)
			snprintf(extra, sizeof extra, "of event %lld %.64s  (Tab: focus, Enter: fold, /: search)",
			         (long long)e->n, e->func);
		draw_title(app, HS_PANE_DETAIL, extra);
		draw_title(app, HS_PANE_RAW, "(PINs and secret keys masked; control bytes escaped)");
	} else {
		v = HS_VIEW_OF_MODE(app->mode);
		werase(app->full);
		app->view[v]->draw(app, app->vstate[v], app->full, 1);
		wnoutrefresh(app->full);
	}
	draw_caret(app);
	draw_status(app);
	draw_bar(app);
	/* the cursor shows only where text is typed */
	if (app->prompt.active) {
		wnoutrefresh(app->bar);
		wnoutrefresh(app->status);
		curs_set(1);
	} else {
		wnoutrefresh(app->status);
		wnoutrefresh(app->bar);
		curs_set(app->fb.active ? 1 : 0);
	}
	doupdate();
}

/* --------------------------------------------------------------- input */

