/* view_sql.c — the result of a `;` statement, like lnav's SQL prompt: one
 * read-only statement over the index (hs_sql_exec: its own read-only
 * connection, so nothing typed can change the index) shown as a table.
 * Esc goes back to the list.
 *
 * The result is kept in memory up to SQL_ROWS_MAX rows of SQL_COLS_MAX
 * columns (what is left out is counted and said, in the title and the
 * status line): a person reads a screenful, a script uses `hsmscope sql`.
 * The statement runs within app->sql_limits (time, memory) and Ctrl-C or
 * Esc stops it; the result shown changes only when a statement completes.
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
#define SQL_CELL_KEEP 512       /* bytes of a value kept (more is never shown) */

/* One statement's result, as kept for the screen. */
struct result {
	char stmt[HS_LINE_MAX];     /* the statement shown in the title */
	int ncol;                   /* columns kept, at most SQL_COLS_MAX */
	int ncol_all;               /* columns the statement gave */
	char *names[SQL_COLS_MAX];  /* owned */
	int width[SQL_COLS_MAX];    /* display width of each column */
	char **cells;               /* owned: nrows * ncol strings, NULL = SQL NULL */
	int nrows, cap;
	long total;                 /* rows the statement gave */
};

struct sqlview {
	struct hs_lw lw;            /* flat: one row per result row */
	struct result res;          /* the result shown */
	struct hs_app *app;         /* borrowed during a call */
};

static void clear_result(struct result *r)
{
	for (int i = 0; i < r->ncol; i++)
		free(r->names[i]);
	for (long i = 0; i < (long)r->nrows * r->ncol; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->nrows = r->cap = r->ncol = r->ncol_all = 0;
	r->total = 0;
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

	clear_result(&v->res);
	hs_lw_free(&v->lw);
	free(v);
}

/* Display width of s (UTF-8 lead bytes), escaped as the theme shows it. */
static int width_of(const char *s)
{
	return s ? hs_theme_width(s, strlen(s)) : 4;
}

/* The first SQL_CELL_KEEP bytes of v, not cutting a UTF-8 character. */
static char *keep(const char *v)
{
	size_t n = strlen(v);
	char *c;

	if (n > SQL_CELL_KEEP) {
		n = SQL_CELL_KEEP;
		while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
			n--;
	}
	if (!(c = malloc(n + 1)))
		return NULL;
	memcpy(c, v, n);
	c[n] = '\0';
	return c;
}

static int on_row(void *ctx, int ncol, const char *const *names, const char *const *vals,
                  const enum hs_sql_kind *kinds)
{
	struct result *r = ctx;

	(void)kinds;
	if (r->ncol == 0) {
		r->ncol_all = ncol;
		r->ncol = ncol > SQL_COLS_MAX ? SQL_COLS_MAX : ncol;
		for (int i = 0; i < r->ncol; i++) {
			r->names[i] = hs_strdup(names[i] ? names[i] : "");
			r->width[i] = width_of(r->names[i]);
		}
	}
	r->total++;
	if (r->nrows >= SQL_ROWS_MAX)
		return 0; /* counted, not kept */
	if (r->nrows == r->cap) {
		int cap = r->cap ? r->cap * 2 : 64;
		char **nc = realloc(r->cells, (size_t)cap * (size_t)r->ncol * sizeof *nc);
		if (!nc)
			return 1;
		r->cells = nc;
		r->cap = cap;
	}
	for (int i = 0; i < r->ncol; i++) {
		char **c = &r->cells[(size_t)r->nrows * (size_t)r->ncol + (size_t)i];
		int w;
		*c = vals[i] ? keep(vals[i]) : NULL;
		w = width_of(*c);
		if (w > r->width[i])
			r->width[i] = w > SQL_CELL_MAX ? SQL_CELL_MAX : w;
	}
	r->nrows++;
	return 0;
}

/* The prompt's Enter: run the statement into a new result, and show it
 * only once it is complete: a cancelled or failed statement leaves the
 * screen as it was. */
static int run_stmt(struct hs_app *app, const char *text)
{
	struct sqlview *v = app->vstate[HS_VIEW_OF_MODE(HS_MODE_SQL)];
	struct result r;
	struct hs_error err;
	char buf[700], cols[64];

	if (!text[0])
		return HS_R_HANDLED | HS_R_REDRAW;
	memset(&r, 0, sizeof r);
	hs_strlcpy(r.stmt, text, sizeof r.stmt);
	if (hs_sql_run(app->ix, text, &app->sql_limits, on_row, &r, &err) < 0) {
		clear_result(&r);
		hs_error_format(&err, buf, sizeof buf);
		hs_app_msg(app, 1, "%s%s%s", buf, err.hint[0] ? " — " : "", err.hint);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	clear_result(&v->res);
	v->res = r;
	hs_lw_set_rows(&v->lw, v->res.nrows);
	hs_lw_select(&v->lw, 0, 0);
	hs_app_set_mode(app, HS_MODE_SQL);
	cols[0] = '\0';
	if (r.ncol_all > r.ncol)
		snprintf(cols, sizeof cols, "; %d columns, the first %d shown", r.ncol_all, r.ncol);
	hs_app_msg(app, 0, "%ld row%s%s%s", r.total, r.total == 1 ? "" : "s",
	           r.total > r.nrows ? " (the first 10000 shown; `hsmscope sql` gives them all)" : "",
	           cols);
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_sql(struct hs_app *app, int arg)
{
	struct sqlview *v = app->vstate[HS_VIEW_OF_MODE(HS_MODE_SQL)];

	(void)arg;
	hs_app_prompt(app, "SQL (read-only): ", v && v->res.stmt[0] ? v->res.stmt : "SELECT ", 0, run_stmt);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static void put_cells(struct sqlview *v, WINDOW *w, int y, int width, char *const *cells,
                      attr_t a, int header)
{
	const struct result *r = &v->res;
	int x = 1;

	for (int i = 0; i < r->ncol && x < width; i++) {
		const char *s = header ? r->names[i] : cells[i];
		int cw = r->width[i];
		if (cw > width - x)
			cw = width - x;
		hs_theme_puts(w, y, x, cw, s ? s : "NULL",
		              !header && !s ? hs_theme_attr(&v->app->theme, HS_ROLE_DIM) : a);
		x += r->width[i] + 2;
	}
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	struct sqlview *v = ctx;
	attr_t a = selected ? hs_theme_attr(&v->app->theme, HS_ROLE_SELECTED) : A_NORMAL;

	(void)x;
	if (selected)
		hs_theme_fill(w, y, 0, width, a);
	put_cells(v, w, y, width, v->res.cells + (size_t)row * (size_t)v->res.ncol, a, 0);
}

static void sql_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct sqlview *v = st;
	int width = getmaxx(w);
	attr_t h = hs_theme_attr(&app->theme, HS_ROLE_HEADER);
	char title[HS_LINE_MAX + 128], cols[64];

	(void)focused;
	v->app = app;
	hs_theme_fill(w, 0, 0, width, h);
	cols[0] = '\0';
	if (v->res.ncol_all > v->res.ncol) /* never a silent cut */
		snprintf(cols, sizeof cols, ", %d columns, %d shown", v->res.ncol_all, v->res.ncol);
	/* the counts first: a long statement is cut at the right edge */
	snprintf(title, sizeof title, "SQL (%ld row%s%s; ; edits, Esc back): %s", v->res.total,
	         v->res.total == 1 ? "" : "s", cols, v->res.stmt);
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
