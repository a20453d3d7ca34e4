/* view_sql.c — the result of a `;` statement, like lnav's SQL prompt: one
 * read-only statement over the index (hs_sql_exec: its own read-only
 * connection, so nothing typed can change the index) shown as a table.
 * Esc goes back to the list.
 *
 * The result is kept in memory up to SQL_ROWS_MAX rows (the count of the
 * rest is shown): a person reads a screenful, a script uses `hsmscope sql`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/sql.h"
#include "listwidget.h"

#define SQL_ROWS_MAX 10000      /* rows kept for the screen */
#define SQL_COLS_MAX 32         /* columns shown */
#define SQL_CELL_MAX 80         /* display width a column is cut to */

struct sqlview {
	struct hs_lw lw;            /* flat: one row per result row */
	char stmt[HS_LINE_MAX];     /* the statement shown in the title */
	int ncol;
	char *names[SQL_COLS_MAX];  /* owned */
	int width[SQL_COLS_MAX];    /* display width of each column */
	char **cells;               /* owned: nrows * ncol strings, NULL = SQL NULL */
	int nrows, cap;
	long total;                 /* rows the statement gave */
	struct hs_app *app;         /* borrowed during a call */
};

static void clear_result(struct sqlview *v)
{
	for (int i = 0; i < v->ncol; i++)
		free(v->names[i]);
	for (long i = 0; i < (long)v->nrows * v->ncol; i++)
		free(v->cells[i]);
	free(v->cells);
	v->cells = NULL;
	v->nrows = v->cap = v->ncol = 0;
	v->total = 0;
	hs_lw_set_rows(&v->lw, 0);
}

static void *sql_open(struct hs_app *app)
{
	struct sqlview *v = calloc(1, sizeof *v);

	(void)app;
	if (v)
		hs_lw_init(&v->lw, 0);
	return v;
}

static void sql_close(void *st)
{
	struct sqlview *v = st;

	clear_result(v);
	hs_lw_free(&v->lw);
	free(v);
}

/* Display width of s (UTF-8 lead bytes), escaped as the theme shows it. */
static int width_of(const char *s)
{
	return s ? hs_theme_width(s, strlen(s)) : 4;
}

static int on_row(void *ctx, int ncol, const char *const *names, const char *const *vals,
                  const enum hs_sql_kind *kinds)
{
	struct sqlview *v = ctx;

	(void)kinds;
	if (ncol > SQL_COLS_MAX)
		ncol = SQL_COLS_MAX;
	if (v->ncol == 0) {
		v->ncol = ncol;
		for (int i = 0; i < ncol; i++) {
			v->names[i] = hs_strdup(names[i] ? names[i] : "");
			v->width[i] = width_of(v->names[i]);
		}
	}
	v->total++;
	if (v->nrows >= SQL_ROWS_MAX)
		return 0; /* counted, not kept */
	if (v->nrows == v->cap) {
		int cap = v->cap ? v->cap * 2 : 64;
		char **nc = realloc(v->cells, (size_t)cap * (size_t)v->ncol * sizeof *nc);
		if (!nc)
			return 1;
		v->cells = nc;
		v->cap = cap;
	}
	for (int i = 0; i < v->ncol; i++) {
		char **c = &v->cells[(size_t)v->nrows * (size_t)v->ncol + (size_t)i];
		int w;
		*c = vals[i] ? hs_strdup(vals[i]) : NULL;
		w = width_of(*c);
		if (w > v->width[i])
			v->width[i] = w > SQL_CELL_MAX ? SQL_CELL_MAX : w;
	}
	v->nrows++;
	return 0;
}

/* The prompt's Enter: run the statement, show the result or the error. */
static int run_stmt(struct hs_app *app, const char *text)
{
	struct sqlview *v = app->vstate[HS_VIEW_OF_MODE(HS_MODE_SQL)];
	struct hs_error err;
	char buf[700];

	if (!text[0])
		return HS_R_HANDLED | HS_R_REDRAW;
	clear_result(v);
	hs_strlcpy(v->stmt, text, sizeof v->stmt);
	if (hs_sql_exec(app->ix, text, on_row, v, &err) < 0) {
		hs_error_format(&err, buf, sizeof buf);
		hs_app_msg(app, 1, "%s%s%s", buf, err.hint[0] ? " — " : "", err.hint);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	hs_lw_set_rows(&v->lw, v->nrows);
	hs_lw_select(&v->lw, 0, 0);
	hs_app_set_mode(app, HS_MODE_SQL);
	hs_app_msg(app, 0, "%ld row%s%s", v->total, v->total == 1 ? "" : "s",
	           v->total > v->nrows ? " (the first 10000 shown; `hsmscope sql` gives them all)" : "");
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_sql(struct hs_app *app, int arg)
{
	struct sqlview *v = app->vstate[HS_VIEW_OF_MODE(HS_MODE_SQL)];

	(void)arg;
	hs_app_prompt(app, "SQL (read-only): ", v && v->stmt[0] ? v->stmt : "SELECT ", 0, run_stmt);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static void put_cells(struct sqlview *v, WINDOW *w, int y, int width, char *const *cells,
                      attr_t a, int header)
{
	int x = 1;

	for (int i = 0; i < v->ncol && x < width; i++) {
		const char *s = header ? v->names[i] : cells[i];
		int cw = v->width[i];
		if (cw > width - x)
			cw = width - x;
		hs_theme_puts(w, y, x, cw, s ? s : "NULL",
		              !header && !s ? hs_theme_attr(&v->app->theme, HS_ROLE_DIM) : a);
		x += v->width[i] + 2;
	}
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	struct sqlview *v = ctx;
	attr_t a = selected ? hs_theme_attr(&v->app->theme, HS_ROLE_SELECTED) : A_NORMAL;

	(void)x;
	if (selected)
		hs_theme_fill(w, y, 0, width, a);
	put_cells(v, w, y, width, v->cells + (size_t)row * (size_t)v->ncol, a, 0);
}

static void sql_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct sqlview *v = st;
	int width = getmaxx(w);
	attr_t h = hs_theme_attr(&app->theme, HS_ROLE_HEADER);
	char title[HS_LINE_MAX + 64];

	(void)focused;
	v->app = app;
	hs_theme_fill(w, 0, 0, width, h);
	snprintf(title, sizeof title, "SQL: %s   (%ld rows; ; edits, Esc back)", v->stmt, v->total);
	hs_theme_puts(w, 0, 1, width - 1, title, h);
	hs_theme_fill(w, 1, 0, width, h);
	put_cells(v, w, 1, width, NULL, h | A_BOLD, 1);
	hs_lw_set_height(&v->lw, getmaxy(w) - 2);
	hs_lw_draw(&v->lw, w, 2, width, draw_row, v, A_NORMAL);
}

static int sql_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	struct sqlview *v = st;

	(void)app;
	if (cmd == HS_NAV_BACK)
		return HS_R_NONE;
	return hs_lw_nav(&v->lw, cmd);
}

static int sql_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	struct sqlview *v = st;

	(void)app;
	(void)x;
	(void)dbl;
	return y < 2 ? HS_R_HANDLED : hs_lw_click(&v->lw, y - 2);
}

const struct hs_view hs_view_sql = {
	.name = "SQL",
	.hints = ";:edit the statement  Esc:back  ?:help  q:quit",
	.open = sql_open,
	.close = sql_close,
	.draw = sql_draw,
	.nav = sql_nav,
	.click = sql_click,
};
