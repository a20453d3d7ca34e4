/* view_raw.c — the lines the parser gave the selected event, rebuilt in
 * the tracer's layout from the index (after redaction: the index never has
 * a PIN or key material, so neither does this pane), hex dumps included,
 * every byte escaped. It is not a copy of the file: where threads or
 * processes interleaved, the file holds other calls' lines between these,
 * and the pane's first line says so (showing the file's own lines, with
 * this call's picked out, needs each line's owner in the index: not done
 * yet). Like Wireshark's bytes pane it follows the selection; it scrolls on
 * its own when focused. A call of any tracer is shown in the spy's layout,
 * which every call-trace parser writes its detail in (p11call.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detect.h"

#include "app.h"
#include "listwidget.h"

struct raw {
	struct hs_lw lw;            /* flat: one row per line */
	struct hs_buf text;         /* owned: the lines, '\n'-separated */
	const char **line;          /* owned array of pointers into text */
	size_t *len;                /* owned: each line's length */
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
	}
	return r;
}

static void raw_close(void *st)
{
	struct raw *r = st;

	hs_buf_free(&r->text);
	free(r->line);
	free(r->len);
	hs_lw_free(&r->lw);
	free(r);
}

static void build(struct hs_app *app, struct raw *r)
{
	const struct hs_event *e = hs_app_current(app);
	char ts[64];
	const char *p;
	int n;

	hs_buf_clear(&r->text);
	r->nlines = 0;
	r->built_n = app->sel_n;
	r->built_gen = app->gen;
	if (e) {
		const struct hs_parser_desc *d = hs_detect_by_name(e->format);
		int call = d && d->call_trace; /* every call tracer's detail is in the spy's layout */
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
	if (hs_buf_failed(&r->text)) { /* checked once for all the adds above */
		hs_buf_clear(&r->text);
		hs_buf_adds(&r->text, "(out of memory: the call's lines cannot be shown)\n");
	}
	/* split into lines (count first, then point into the buffer) */
	for (n = 0, p = hs_buf_cstr(&r->text); *p; p++)
		n += *p == '\n';
	if (n > r->cap) {
		const char **nl = realloc(r->line, (size_t)n * sizeof *nl);
		size_t *nn = nl ? realloc(r->len, (size_t)n * sizeof *nn) : NULL;
		if (nl)
			r->line = nl;
		if (nn)
			r->len = nn;
		if (!nl || !nn)
			n = 0;
		else
			r->cap = n;
	}
	for (p = hs_buf_cstr(&r->text); *p && r->nlines < n;) {
		const char *nl = strchr(p, '\n');
		r->line[r->nlines] = p;
		r->len[r->nlines] = (size_t)(nl - p);
		r->nlines++;
		p = nl + 1;
	}
	hs_lw_set_rows(&r->lw, r->nlines);
	hs_lw_select(&r->lw, 0, 0);
}

static void draw_line(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	struct raw *r = ctx;
	struct hs_app *app = r->app;
	attr_t a = selected && app->focus == HS_PANE_RAW ? hs_theme_attr(&app->theme, HS_ROLE_SELECTED) : A_NORMAL;

	if (selected && app->focus == HS_PANE_RAW)
		hs_theme_fill(w, y, x, width, a);
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
	.name = "Raw: the call's lines, rebuilt (redacted)",
	.open = raw_open,
	.close = raw_close,
	.draw = raw_draw,
	.nav = raw_nav,
	.click = raw_click,
	.widget = raw_widget,
	.item_text = raw_item_text,
};
