/* view_raw.c — the file's own lines around the selected call, in file
 * order, the call's lines picked out (a mark in the first column, the
 * others dim): where threads or processes interleaved, the other calls'
 * lines between them are shown as the file has them. The lines are read
 * back from the file by the core (rawlines.h), through redaction: a spy
 * call's lines as its detail was, the others strictly (whose they are is
 * not known here), every line of another format strictly; every byte
 * escaped when drawn.
 *
 * Where the index holds no record of a call's lines (an index of an older
 * version) or the file cannot be read, the pane shows the
 * event's parsed lines rebuilt in the tracer's layout, and says so. Like
 * Wireshark's bytes pane it follows the selection; it scrolls on its own
 * when focused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detect.h"
#include "hsmscope/rawlines.h"

#include "app.h"
#include "listwidget.h"

struct raw {
	struct hs_lw lw;            /* flat: one row per line */
	struct hs_buf text;         /* owned: the lines, '\n'-separated */
	const char **line;          /* owned array of pointers into text or file.text */
	size_t *len;                /* owned: each line's length */
	unsigned char *own;         /* owned: each row's enum hs_raw_owner, +1 (0: a note) */
	struct hs_rawlines file;    /* the file's lines, when read */
	int nlines, cap;
	int64_t built_n;
	unsigned built_gen;
	struct hs_app *app;
};

static void *raw_open(struct hs_app *app)
{
	struct raw *r = calloc(1, sizeof *r);

	(void)app;
	if (r) {
		hs_lw_init(&r->lw, 0);
		hs_buf_init(&r->text);
		hs_rawlines_init(&r->file);
	}
	return r;
}

static void raw_close(void *st)
{
	struct raw *r = st;

	hs_buf_free(&r->text);
	hs_rawlines_free(&r->file);
	free(r->line);
	free(r->len);
	free(r->own);
	hs_lw_free(&r->lw);
	free(r);
}

/* Room for n rows; 0, or -1 when memory ran out. */
static int reserve(struct raw *r, int n)
{
	if (n > r->cap) {
		const char **nl = realloc(r->line, (size_t)n * sizeof *nl);
		size_t *nn = nl ? realloc(r->len, (size_t)n * sizeof *nn) : NULL;
		unsigned char *no = nn ? realloc(r->own, (size_t)n) : NULL;
		if (nl)
			r->line = nl;
		if (nn)
			r->len = nn;
		if (no)
			r->own = no;
		if (!nl || !nn || !no)
			return -1;
		r->cap = n;
	}
	return 0;
}

/* The notes (in text) as rows, then the file's lines. */
static void set_rows(struct raw *r, int with_file)
{
	const char *p;
	int n, i, k = with_file ? r->file.n : 0;

	if (hs_buf_failed(&r->text)) { /* checked once for all the adds that built it */
		hs_buf_clear(&r->text);
		hs_buf_adds(&r->text, "(out of memory: the call's lines cannot be shown)\n");
	}
	for (n = 0, p = hs_buf_cstr(&r->text); *p; p++)
		n += *p == '\n';
	if (reserve(r, n + k) < 0)
		n = k = 0;
	for (p = hs_buf_cstr(&r->text); *p && r->nlines < n;) {
		const char *nl = strchr(p, '\n');
		r->line[r->nlines] = p;
		r->len[r->nlines] = (size_t)(nl - p);
		r->own[r->nlines] = 0;
		r->nlines++;
		p = nl + 1;
	}
	for (i = 0; i < k; i++, r->nlines++) {
		r->line[r->nlines] = r->file.line[i].s;
		r->len[r->nlines] = r->file.line[i].len;
		r->own[r->nlines] = (unsigned char)(r->file.line[i].owner + 1);
	}
}

/* The file's lines of a call, when the index recorded them: 1 shown. */
static int build_file(struct hs_app *app, struct raw *r, const struct hs_event *e)
{
	struct hs_error err;
	int rc;

	hs_error_clear(&err);
	rc = hs_rawlines_read(app->ix, e, app->iopts.redact_data, &r->file, &err);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		hs_buf_printf(&r->text, "(the file could not be read: %s; the call's lines as parsed,"
		              " rebuilt:)\n", err.msg);
		return 0;
	}
	hs_buf_printf(&r->text, "(file lines %lld-%lld: this call's %d marked >",
	              (long long)r->file.line[0].lineno, (long long)r->file.line[r->file.n - 1].lineno,
	              r->file.own);
	if (r->file.n > r->file.own)
		hs_buf_printf(&r->text, ", %d of other calls dim, masked strictly", r->file.n - r->file.own);
	hs_buf_printf(&r->text, ")\n");
	if (e->uncertain)
		hs_buf_printf(&r->text, "(attribution uncertain: some marked lines may be another call's)\n");
	if (r->file.own_left)
		hs_buf_printf(&r->text, "(%lld more lines of this call after the %d shown)\n",
		              (long long)r->file.own_left, r->file.n);
	set_rows(r, 1); /* last: the rows point into text */
	return 1;
}

static void build(struct hs_app *app, struct raw *r)
{
	const struct hs_event *e = hs_app_current(app);
	char ts[64];

	hs_buf_clear(&r->text);
	r->nlines = 0;
	r->built_n = app->sel_n;
	r->built_gen = app->gen;
	if (e) {
		const struct hs_parser_desc *d = hs_detect_by_name(e->format);
		int call = d && d->call_trace; /* every call tracer's detail is in the spy's layout */
		if (build_file(app, r, e)) { /* any format whose parser recorded them */
			hs_lw_set_rows(&r->lw, r->nlines);
			hs_lw_select(&r->lw, 0, 0);
			return;
		}
		hs_format_ts(e->ts_us, ts, sizeof ts, 0);
		if (call)
			hs_buf_printf(&r->text, "(this call's lines as parsed, from file line %lld, rebuilt;"
			              " the file may hold other calls' lines between them)\n",
			              (long long)e->line);
		if (call && e->uncertain)
			hs_buf_printf(&r->text, "(attribution uncertain: some of them may be another"
			              " call's)\n");
		if (e->hsm[0] || !call)
			hs_buf_printf(&r->text, "%s  %s  %s\n", ts, e->hsm, e->func);
		else {
			hs_buf_printf(&r->text, "%lld: %s\n", (long long)(e->call_no != HS_NONE ? e->call_no : e->n), e->func);
			if (e->pid != HS_NONE)
				hs_buf_printf(&r->text, "P:%lld; T:0x%lld %s\n", (long long)e->pid, (long long)e->tid, ts);
			else
				hs_buf_printf(&r->text, "%s\n", ts);
		}
		if (e->detail.len)
			hs_buf_printf(&r->text, "%s\n", hs_buf_cstr(&e->detail));
		if (e->rv != HS_NONE && call)
			hs_buf_printf(&r->text, "Returned:  %lld %s\n", (long long)e->rv, e->rv_name);
		else if (e->response[0])
			hs_buf_printf(&r->text, "Response : %s\n", e->response);
	}
	set_rows(r, 0);
	hs_lw_set_rows(&r->lw, r->nlines);
	hs_lw_select(&r->lw, 0, 0);
}

static void draw_line(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	struct raw *r = ctx;
	struct hs_app *app = r->app;
	attr_t a = selected && app->focus == HS_PANE_RAW ? hs_theme_attr(&app->theme, HS_ROLE_SELECTED) : A_NORMAL;

	int own = r->own[row];

	if (selected && app->focus == HS_PANE_RAW)
		hs_theme_fill(w, y, x, width, a);
	else if (own == HS_RAW_OTHER + 1)
		a = hs_theme_attr(&app->theme, HS_ROLE_DIM);
	if (own > HS_RAW_OTHER + 1) /* this call's line ('~': another call wrote on it too) */
		hs_theme_puts(w, y, x, 1, own == HS_RAW_SHARED + 1 ? "~" : ">",
		              selected && app->focus == HS_PANE_RAW ? a : hs_theme_attr(&app->theme, HS_ROLE_MARK) | A_BOLD);
	hs_theme_put(w, y, x + 1, width - 1, r->line[row], r->len[row], a);
}

static void raw_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct raw *r = st;

	(void)focused;
	r->app = app;
	if (r->built_n != app->sel_n || r->built_gen != app->gen)
		build(app, r);
	hs_lw_set_height(&r->lw, getmaxy(w));
	hs_lw_draw(&r->lw, w, 0, getmaxx(w), draw_line, r, A_NORMAL);
}

static int raw_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	(void)app;
	return hs_lw_nav(&((struct raw *)st)->lw, cmd);
}

static int raw_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	(void)x;
	(void)dbl;
	app->focus = HS_PANE_RAW;
	return hs_lw_click(&((struct raw *)st)->lw, y) | HS_R_REDRAW;
}

/* For `/` search (search.c): the lines as rows. */
static struct hs_lw *raw_widget(void *st)
{
	return &((struct raw *)st)->lw;
}

static const char *raw_item_text(void *st, int64_t i, size_t *len)
{
	struct raw *r = st;

	if (i < 0 || i >= r->nlines)
		return NULL;
	*len = r->len[i];
	return r->line[i];
}

const struct hs_view hs_view_raw = {
	.name = "Raw: the file's lines, this call's marked (redacted)",
	.open = raw_open,
	.close = raw_close,
	.draw = raw_draw,
	.nav = raw_nav,
	.click = raw_click,
	.widget = raw_widget,
	.item_text = raw_item_text,
};
