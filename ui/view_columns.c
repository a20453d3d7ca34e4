/* view_columns.c — the column editor (c), like Wireshark's column
 * preferences: every column of the event list, the shown ones first in
 * their order, then the hidden ones; Space shows or hides one, J/K move it,
 * +/- fix its width, 0 lets it fit its content again, d goes back to the log
 * format's defaults. Each change shows in the list at once and is written
 * to the configuration file (`columns = n,time,func:20,...`, settings.c),
 * so the next start uses it; `d` removes the setting, so the format's
 * defaults apply again.
 *
 * The columns themselves live in struct hs_app (col_order, ncols,
 * col_width); this view keeps only its cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "listwidget.h"
#include "settings.h"

#define HEAD 3                  /* rows above the list: title, keys, blank */
#define WIDTH_MAX 200           /* as settings.c accepts */

struct colview {
	struct hs_lw lw;            /* flat: one row per column */
	int row_col[HS_COL_COUNT];  /* the column (enum hs_col) on each row */
	struct hs_app *app;         /* during draw only */
};

static void *columns_open(struct hs_app *app)
{
	struct colview *v = calloc(1, sizeof *v);

	(void)app;
	if (v)
		hs_lw_init(&v->lw, 0);
	return v;
}

static void columns_close(void *st)
{
	struct colview *v = st;

	hs_lw_free(&v->lw);
	free(v);
}

/* Position of column c among the shown ones, or -1. */
static int shown_at(const struct hs_app *app, int c)
{
	for (int i = 0; i < app->ncols; i++)
		if (app->col_order[i] == c)
			return i;
	return -1;
}

/* Rows: the shown columns in order, then the hidden ones. */
static void rows(struct hs_app *app, struct colview *v)
{
	int n = 0, c;

	for (int i = 0; i < app->ncols; i++)
		v->row_col[n++] = app->col_order[i];
	for (c = 0; c < HS_COL_COUNT; c++)
		if (shown_at(app, c) < 0)
			v->row_col[n++] = c;
	hs_lw_set_rows(&v->lw, n);
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	struct colview *v = ctx;
	struct hs_app *app = v->app;
	int c = v->row_col[row], on = shown_at(app, c) >= 0;
	attr_t a = selected ? hs_theme_attr(&app->theme, HS_ROLE_SELECTED) :
	           hs_theme_attr(&app->theme, on ? HS_ROLE_NORMAL : HS_ROLE_DIM);
	char buf[200], wd[64];

	if (!on)
		snprintf(wd, sizeof wd, "hidden");
	else if (app->col_width[c] > 0)
		snprintf(wd, sizeof wd, "width %d (fixed)", app->col_width[c]);
	else if (app->col_drawn[c] <= 0)
		snprintf(wd, sizeof wd, "no room on this screen (it gives way first)");
	else if (c == HS_COL_SUM)
		snprintf(wd, sizeof wd, "width %d (the rest of the line)", app->col_drawn[c]);
	else
		snprintf(wd, sizeof wd, "width %d (fits the content)", app->col_drawn[c]);
	snprintf(buf, sizeof buf, " [%c] %-12s %-9s %s", on ? 'x' : ' ', hs_view_list_title(app, c),
	         hs_settings_column_name(c), wd);
	if (selected)
		hs_theme_fill(w, y, x, width, a);
	hs_theme_puts_cut(w, y, x, width, buf, a);
}

static void columns_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct colview *v = st;
	int cols = getmaxx(w);

	(void)focused;
	v->app = app;
	rows(app, v);
	hs_theme_puts_cut(w, 0, 1, cols - 1, app->cols_saved ?
	                  "Columns of the event list: saved in the configuration file" :
	                  "Columns of the event list: the log format's defaults (a change is saved)",
	                  hs_theme_attr(&app->theme, HS_ROLE_HEADER) | A_BOLD);
	hs_theme_puts_cut(w, 1, 1, cols - 1, "Space show/hide  K/J move  +/- width  0 fit  d defaults  Esc back", hs_theme_attr(&app->theme, HS_ROLE_DIM));
	hs_lw_set_height(&v->lw, getmaxy(w) - HEAD);
	hs_lw_draw(&v->lw, w, HEAD, cols, draw_row, v, A_NORMAL);
}

/* Save the choice and say so (or why not). */
static int saved(struct hs_app *app, int forget)
{
	char msg[600];
	int rc = hs_settings_save_columns(app, forget, msg, sizeof msg);

	hs_app_msg(app, rc < 0, "%s", msg);
	return HS_R_HANDLED | HS_R_REDRAW;
}

/* Move the shown column at position i by delta (-1 left, +1 right). */
static int move_col(struct hs_app *app, struct colview *v, int i, int delta)
{
	int j = i + delta, t;

	if (i < 0) {
		hs_app_msg(app, 0, "a hidden column has no place: Space shows it");
		return HS_R_HANDLED;
	}
	if (j < 0 || j >= app->ncols)
		return HS_R_HANDLED;
	t = app->col_order[i];
	app->col_order[i] = app->col_order[j];
	app->col_order[j] = t;
	hs_lw_select(&v->lw, j, 0);
	return saved(app, 0);
}

static int toggle(struct hs_app *app, struct colview *v, int c)
{
	int i = shown_at(app, c), at;

	if (i >= 0) {
		if (app->ncols == 1) {
			hs_app_msg(app, 0, "the last column stays");
			return HS_R_HANDLED;
		}
		memmove(app->col_order + i, app->col_order + i + 1,
		        (size_t)(app->ncols - i - 1) * sizeof *app->col_order);
		app->ncols--;
		hs_lw_select(&v->lw, app->ncols, 0); /* first of the hidden ones */
		return saved(app, 0);
	}
	/* a column shown again goes before the summary when that is last: the
	 * summary takes the rest of the line, so after it would be off screen */
	at = app->ncols;
	if (at > 0 && app->col_order[at - 1] == HS_COL_SUM)
		at--;
	memmove(app->col_order + at + 1, app->col_order + at,
	        (size_t)(app->ncols - at) * sizeof *app->col_order);
	app->col_order[at] = c;
	app->ncols++;
	hs_lw_select(&v->lw, at, 0);
	return saved(app, 0);
}

static int resize(struct hs_app *app, int c, int delta)
{
	int w = app->col_width[c] > 0 ? app->col_width[c] : app->col_drawn[c];

	if (shown_at(app, c) < 0) {
		hs_app_msg(app, 0, "the column is hidden: Space shows it");
		return HS_R_HANDLED;
	}
	if (w <= 0)
		w = (int)strlen(hs_view_list_title(app, c));
	w += delta;
	if (w < 1 || w > WIDTH_MAX)
		return HS_R_HANDLED;
	app->col_width[c] = w;
	return saved(app, 0);
}

static int columns_command(struct hs_app *app, void *st, int cmd)
{
	struct colview *v = st;
	int row = (int)v->lw.sel, c;

	rows(app, v);
	if (row < 0 || row >= HS_COL_COUNT)
		return HS_R_HANDLED;
	c = v->row_col[row];
	switch (cmd) {
	case HS_VCMD_COL_TOGGLE: return toggle(app, v, c);
	case HS_VCMD_COL_UP: return move_col(app, v, shown_at(app, c), -1);
	case HS_VCMD_COL_DOWN: return move_col(app, v, shown_at(app, c), 1);
	case HS_VCMD_COL_WIDER: return resize(app, c, 1);
	case HS_VCMD_COL_NARROWER: return resize(app, c, -1);
	case HS_VCMD_COL_FIT:
		app->col_width[c] = 0;
		return saved(app, 0);
	case HS_VCMD_COL_DEFAULTS:
		hs_settings_default_columns(app);
		hs_lw_select(&v->lw, 0, 0);
		return saved(app, 1);
	}
	return HS_R_NONE;
}

static int columns_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	struct colview *v = st;

	if (cmd == HS_NAV_ENTER)
		return columns_command(app, st, HS_VCMD_COL_TOGGLE);
	if (cmd == HS_NAV_BACK)
		return HS_R_NONE;
	rows(app, v);
	return hs_lw_nav(&v->lw, cmd);
}

static int columns_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	struct colview *v = st;
	int r;

	(void)x;
	if (y < HEAD)
		return HS_R_HANDLED;
	rows(app, v);
	r = hs_lw_click(&v->lw, y - HEAD);
	if (dbl)
		r |= columns_command(app, st, HS_VCMD_COL_TOGGLE);
	return r;
}

const struct hs_view hs_view_columns = {
	.name = "Columns",
	.hints = "Space:show/hide  K/J:move  +/-:width  0:fit  d:defaults  Esc:back",
	.open = columns_open,
	.close = columns_close,
	.draw = columns_draw,
	.nav = columns_nav,
	.command = columns_command,
	.click = columns_click,
};
