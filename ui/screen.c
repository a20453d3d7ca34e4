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

void hs_screen_layout(struct hs_app *app)
{
	int avail, list_h, detail_h, raw_h, y;

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
	/* list 45%, detail 35%, raw the rest; two title rows */
	avail -= 2;
	list_h = avail * 45 / 100;
	/* a small terminal still lists a dozen events: the list is what
	 * one scans, the panes below are read one event at a time */
	if (list_h < 13)
		list_h = avail - 7 < 13 ? avail - 7 : 13;
	if (list_h < 4)
		list_h = 4;
	detail_h = (avail - list_h) * 35 / 55;
	if (detail_h < 2)
		detail_h = 2;
	raw_h = avail - list_h - detail_h;
	if (raw_h < 1) {
		raw_h = 1;
		detail_h = avail - list_h - raw_h;
	}
	y = 1;
	app->pane[HS_PANE_LIST] = newwin(list_h, app->cols, y, 0);
	y += list_h;
	app->title[HS_PANE_DETAIL] = newwin(1, app->cols, y++, 0);
	app->pane[HS_PANE_DETAIL] = newwin(detail_h, app->cols, y, 0);
	y += detail_h;
	app->title[HS_PANE_RAW] = newwin(1, app->cols, y++, 0);
	app->pane[HS_PANE_RAW] = newwin(raw_h, app->cols, y, 0);
	app->detail_rows = detail_h;
	app->raw_rows = raw_h;
	for (y = 0; y < HS_PANE_COUNT; y++)
		if (app->pane[y])
			keypad(app->pane[y], TRUE);
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
		"typing a filter: Enter applies (empty = all)  Esc cancels  Up/Down: history  Ctrl-U: clear";
	static const char *const tnames[] = { "", "  T: since start", "  T: since prev" };
	WINDOW *w = app->status;
	const struct hs_theme *t = &app->theme;
	const char *base = app->shown, *slash = strrchr(base, '/');
	char left[256];
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
		hs_theme_puts_cut(w, 0, x + 1, app->cols - x - 1, hints_filter,
		                  hs_theme_attr(t, HS_ROLE_STATUS));
		return;
	}
	/* "basic.log  No. 120  12/40  marks 2  [FOLLOW]" */
	snprintf(left, sizeof left, " %.60s%s  No. %lld  %lld/%lld  marks %zu%s%s ", base,
	         app->nfiles > 1 ? " +" : "", (long long)app->sel_n, (long long)(app->sel_rank + 1),
	         (long long)app->count, app->nmarks, app->follow ? "  [FOLLOW]" : "", tnames[app->time_mode]);
	x = hs_theme_puts(w, 0, 0, app->cols, left, hs_theme_attr(t, HS_ROLE_STATUS) | A_BOLD);
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
	if (app->mode == HS_MODE_MAIN) {
		for (i = 0; i < HS_PANE_COUNT; i++) {
			werase(app->pane[i]);
			app->view[i]->draw(app, app->vstate[i], app->pane[i], app->focus == i);
			wnoutrefresh(app->pane[i]);
		}
		e = hs_app_current(app);
		extra[0] = '\0';
		if (e)
			snprintf(extra, sizeof extra, "of event %lld %.64s  (Tab: focus, Enter: fold)",
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

