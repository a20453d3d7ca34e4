/* view_sessions.c — the lifecycle tree (`s`): process → slot → session →
 * login span → operations → calls, or for audit logs HSM → user login span
 * → commands, with counts, errors and open ends per node. Enter on a node
 * filters the event list to its events (the node's filter comes from the
 * core, lifecycle.h) and goes back to the list (Backspace comes back), on
 * a call it goes to that event in the list; →/← expand and collapse; Esc
 * goes back without filtering. The tree opens on the selected event.
 *
 * The tree is read lazily: a node's children are listed (hs_lc_open) the
 * first time it is expanded and kept, so a trace of millions of calls costs
 * what is on screen. The list widget only knows the visible nodes: after an
 * expand or collapse the widget is refilled from this file's tree in
 * pre-order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/lifecycle.h"
#include "hsmscope/query.h"
#include "listwidget.h"

#define CHILDREN_MAX 5000       /* children listed per node; the rest are summed */

struct snode {
	struct hs_lc_node n;        /* from the core */
	int parent;                 /* index into nodes, -1 at the top */
	int first, next;            /* first child and next sibling, -1 none */
	int depth;
	int loaded;                 /* children listed */
	int expanded;               /* children shown */
	int64_t more;               /* children not listed (over CHILDREN_MAX) */
};

struct sessions {
	struct hs_lw lw;            /* tree mode; data = index into nodes */
	struct snode *nodes;        /* owned */
	int n, cap;
	int64_t total;              /* app->total the tree was read for; -1 none */
	int center;                 /* center the selection on the next draw */
	struct hs_app *app;         /* borrowed during a call */
};

static void *sessions_open(struct hs_app *app)
{
	struct sessions *s = calloc(1, sizeof *s);

	(void)app;
	if (s) {
		hs_lw_init(&s->lw, 1);
		s->total = -1;
	}
	return s;
}

static void sessions_close(void *st)
{
	struct sessions *s = st;

	hs_lw_free(&s->lw);
	free(s->nodes);
	free(s);
}

static int add_node(struct sessions *s, const struct hs_lc_node *n, int parent)
{
	struct snode *sn;

	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 256;
		struct snode *nn = realloc(s->nodes, (size_t)cap * sizeof *nn);
		if (!nn)
			return -1;
		s->nodes = nn;
		s->cap = cap;
	}
	sn = &s->nodes[s->n];
	memset(sn, 0, sizeof *sn);
	sn->n = *n;
	sn->parent = parent;
	sn->first = sn->next = -1;
	sn->depth = parent < 0 ? 0 : s->nodes[parent].depth + 1;
	return s->n++;
}

/* List the children of node p (-1: the roots). 0, or -1 with a message. */
static int load(struct hs_app *app, struct sessions *s, int p)
{
	struct hs_lc_cursor *c;
	struct hs_lc_node n;
	struct hs_error err;
	int rc, last = -1, count = 0, n0 = s->n;

	if (hs_lc_open(app->ix, p < 0 ? NULL : &s->nodes[p].n, &c, &err) < 0) {
		hs_app_msg(app, 1, "sessions: %s", err.msg);
		return -1;
	}
	while ((rc = hs_lc_next(c, &n, &err)) == 1) {
		int i;
		if (count >= CHILDREN_MAX) {
			if (p >= 0)
				s->nodes[p].more++;
			continue;
		}
		if ((i = add_node(s, &n, p)) < 0) {
			rc = -1;
			hs_error_set(&err, "", 0, 0, "out of memory");
			break;
		}
		/* add_node may move the array: index, never hold pointers */
		if (last >= 0)
			s->nodes[last].next = i;
		else if (p >= 0)
			s->nodes[p].first = i;
		last = i;
		count++;
	}
	hs_lc_close(c);
	if (app->cancelled) { /* whatever rc: a stopped cursor may just end */
		/* cancelled: forget the part listed, so that it is listed again */
		s->n = n0;
		if (p >= 0) {
			s->nodes[p].first = -1;
			s->nodes[p].more = 0;
		}
		return -1;
	}
	if (p >= 0)
		s->nodes[p].loaded = 1;
	if (rc < 0) {
		hs_app_msg(app, 1, "sessions: %s", err.msg);
		return -1;
	}
	return 0;
}

static void fill_from(struct sessions *s, int i)
{
	for (; i >= 0; i = s->nodes[i].next) {
		if (hs_lw_add(&s->lw, s->nodes[i].depth, i) < 0)
			return;
		if (s->nodes[i].expanded)
			fill_from(s, s->nodes[i].first);
	}
}

/* Refill the widget with the visible nodes and select node sel (-1: keep
 * the first row). */
static void refill(struct sessions *s, int sel)
{
	int i;

	hs_lw_clear(&s->lw);
	if (s->n > 0)
		fill_from(s, 0);
	hs_lw_done(&s->lw, -1);
	/* the widget draws "+" for a collapsed node with children: say so for
	 * nodes whose children are not in it (not listed, or hidden) */
	for (i = 0; i < s->lw.nnodes; i++) {
		const struct snode *sn = &s->nodes[s->lw.nodes[i].data];
		if (sn->n.has_children && !sn->expanded) {
			s->lw.nodes[i].collapsed = 1;
			if (s->lw.nodes[i].nchildren == 0)
				s->lw.nodes[i].nchildren = 1;
		}
	}
	for (i = 0; sel >= 0 && i < s->lw.nnodes; i++)
		if (s->lw.nodes[i].data == sel) {
			hs_lw_select_node(&s->lw, i);
			break;
		}
}

/* The tree node (index into nodes) of the selected row, or -1. */
static int selected(const struct sessions *s)
{
	int i = hs_lw_node_at(&s->lw, s->lw.sel);

	return i < 0 ? -1 : (int)s->lw.nodes[i].data;
}

static void expand(struct hs_app *app, struct sessions *s, int i)
{
	if (!s->nodes[i].n.has_children)
		return;
	if (!s->nodes[i].loaded && load(app, s, i) < 0)
		return;
	s->nodes[i].expanded = 1;
}

static void reload(struct hs_app *app, struct sessions *s)
{
	int i;

	s->n = 0;
	s->total = app->total;
	if (!app->ix || load(app, s, -1) < 0) {
		if (app->cancelled)
			s->total = -1; /* read again when entered again */
		refill(s, -1);
		return;
	}
	/* open the first levels, down to sessions and login spans, as long as
	 * they are few: what a person opens the view for */
	for (i = 0; i < s->n && s->n < 200 && !app->cancelled; i++)
		if (s->nodes[i].n.kind == HS_LC_PROCESS || s->nodes[i].n.kind == HS_LC_SLOT ||
		    s->nodes[i].n.kind == HS_LC_SESSION || s->nodes[i].n.kind == HS_LC_HSM)
			expand(app, s, i);
	if (app->cancelled)
		s->total = -1;
	refill(s, s->n ? 0 : -1);
}

/* Whether event n is one of node sn's events (its filter says so). */
static int holds(struct hs_app *app, const struct snode *sn, int64_t n)
{
	struct hs_filter *f = NULL;
	struct hs_error err;
	int yes;

	if (sn->n.kind == HS_LC_CALL)
		return sn->n.id == n;
	if (sn->n.first_n > 0 && (n < sn->n.first_n || n > sn->n.last_n))
		return 0;
	if (!sn->n.filter[0] || hs_filter_compile(sn->n.filter, &f, &err) < 0)
		return 0;
	yes = hs_query_seek(app->ix, f, 0, 1, HS_SEEK_N, n, &err) > 0;
	hs_filter_free(f);
	return yes;
}

/* Open the tree down to event n's own node and select it: the tree shows
 * where the event one was looking at lives. Only the nodes on the way are
 * listed. */
static void open_on(struct hs_app *app, struct sessions *s, int64_t n)
{
	int i = s->n ? 0 : -1, found = -1;

	while (i >= 0) {
		if (!holds(app, &s->nodes[i], n)) {
			i = s->nodes[i].next;
			continue;
		}
		found = i;
		if (s->nodes[i].n.kind == HS_LC_CALL)
			break;
		expand(app, s, i);
		i = s->nodes[i].expanded ? s->nodes[i].first : -1;
	}
	if (found >= 0) {
		refill(s, found);
		s->center = 1;
	}
}

static void sessions_enter(struct hs_app *app, void *st)
{
	struct sessions *s = st;

	if (s->total != app->total)
		reload(app, s);
	if (app->sel_n > 0)
		open_on(app, s, app->sel_n);
}

/* Enter on a call: that event inside the full list, among its neighbours
 * (never a one-row `n == N` list); a filter it replaces is pushed, so
 * Backspace comes back to it. */
static void show_call(struct hs_app *app, int64_t n)
{
	hs_app_set_mode(app, HS_MODE_MAIN);
	if (!app->filter) {
		hs_app_goto(app, n, 1);
		return;
	}
	if (hs_app_apply_filter(app, "") == 0)
		hs_app_goto(app, n, 0);
}

static void draw_node(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int sel)
{
	struct sessions *s = ctx;
	const struct snode *sn = &s->nodes[s->lw.nodes[row].data];
	const struct hs_lc_node *n = &sn->n;
	const struct hs_theme *t = &s->app->theme;
	attr_t hi = sel ? hs_theme_attr(t, HS_ROLE_SELECTED) : 0;
	attr_t a = hi ? hi : hs_theme_attr(t, HS_ROLE_NORMAL);
	char ts[48], figures[HS_TEXT_MAX + 256];
	int used;

	if (hi)
		hs_theme_fill(w, y, x, width, hi);
	used = hs_theme_puts(w, y, x, width, n->label, a | (n->kind == HS_LC_CALL ? 0 : A_BOLD));
	/* state, open end, counts, then where it starts */
	if (n->kind == HS_LC_CALL) {
		/* the label already names the function and its return code */
		snprintf(figures, sizeof figures, "  No. %lld", (long long)n->first_n);
	} else {
		hs_format_ts(n->first_ts, ts, sizeof ts, 0);
		snprintf(figures, sizeof figures, "  %s%s%s%lld call%s, %lld error%s  No. %lld..%lld  %s%s",
		         n->state, n->open_end ? " (OPEN END)" : "", n->state[0] || n->open_end ? "  " : "",
		         (long long)n->calls,
		         n->calls == 1 ? "" : "s", (long long)n->errors, n->errors == 1 ? "" : "s",
		         (long long)n->first_n, (long long)n->last_n,
		         n->first_ts == HS_NONE ? "" : ts + 11, sn->more ? "  (first 5000 listed)" : "");
	}
	if (!hi)
		a = hs_theme_attr(t, n->open_end ? HS_ROLE_WARN : n->errors ? HS_ROLE_ERROR :
		                  n->anomalies[0] ? HS_ROLE_ANOMALY : HS_ROLE_DIM);
	if (used < width)
		used += hs_theme_puts(w, y, x + used, width - used, figures, a);
	if (n->anomalies[0] && used + 4 < width) {
		snprintf(figures, sizeof figures, "  [%s]", n->anomalies);
		hs_theme_puts(w, y, x + used, width - used, figures, a);
	}
}

static void sessions_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct sessions *s = st;
	int h = getmaxy(w), width = getmaxx(w);

	(void)focused;
	s->app = app;
	if (s->total != app->total)
		reload(app, s);
	wmove(w, 0, 0);
	wclrtoeol(w);
	hs_theme_fill(w, 0, 0, width, hs_theme_attr(&app->theme, HS_ROLE_HEADER));
	hs_theme_puts(w, 0, 1, width - 1,
	              "Sessions and logins   Enter: show its events   Right/Left: open/close   Esc: back",
	              hs_theme_attr(&app->theme, HS_ROLE_HEADER));
	if (s->lw.nnodes == 0) {
		hs_lw_set_height(&s->lw, h - 1);
		wmove(w, 1, 0);
		wclrtobot(w);
		hs_theme_puts(w, 2, 2, width - 2, "no processes, sessions or HSM streams in this log",
		              hs_theme_attr(&app->theme, HS_ROLE_DIM));
		return;
	}
	hs_lw_set_height(&s->lw, h - 1);
	if (s->center) {
		/* the height is known only now: the event's node mid-screen, with
		 * what comes before it in view */
		s->center = 0;
		s->lw.top = s->lw.sel + s->lw.height;
		hs_lw_select(&s->lw, s->lw.sel, 1);
	}
	hs_lw_draw(&s->lw, w, 1, width, draw_node, s, hs_theme_attr(&app->theme, HS_ROLE_DIM));
}

static int sessions_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	struct sessions *s = st;
	int i = selected(s);

	switch (cmd) {
	case HS_NAV_ENTER:
		if (i < 0)
			return HS_R_HANDLED;
		if (s->nodes[i].n.kind == HS_LC_CALL) {
			show_call(app, s->nodes[i].n.id);
			return HS_R_HANDLED | HS_R_RELAYOUT;
		}
		if (hs_app_apply_filter(app, s->nodes[i].n.filter) == 0) {
			hs_app_set_mode(app, HS_MODE_MAIN);
			if (s->nodes[i].n.first_n > 0)
				hs_app_goto(app, s->nodes[i].n.first_n, 0);
		}
		return HS_R_HANDLED | HS_R_RELAYOUT;
	case HS_NAV_RIGHT:
		if (i < 0 || s->nodes[i].expanded)
			return HS_R_HANDLED;
		expand(app, s, i);
		refill(s, i);
		return HS_R_HANDLED | HS_R_REDRAW;
	case HS_NAV_LEFT:
		if (i < 0)
			return HS_R_HANDLED;
		if (s->nodes[i].expanded)
			s->nodes[i].expanded = 0;
		else if (s->nodes[i].parent >= 0)
			i = s->nodes[i].parent;
		refill(s, i);
		return HS_R_HANDLED | HS_R_REDRAW;
	case HS_NAV_BACK:
		return HS_R_NONE;
	default:
		return hs_lw_nav(&s->lw, cmd);
	}
}

static int sessions_command(struct hs_app *app, void *st, int cmd)
{
	struct sessions *s = st;
	int i = selected(s);

	/* space toggles like Enter does in the other trees; Enter is "show" */
	if (cmd != HS_VCMD_TOGGLE || i < 0)
		return HS_R_HANDLED;
	if (s->nodes[i].expanded)
		s->nodes[i].expanded = 0;
	else
		expand(app, s, i);
	refill(s, i);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static int sessions_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	struct sessions *s = st;
	int r;

	(void)x;
	if (y < 1)
		return HS_R_HANDLED;
	r = hs_lw_click(&s->lw, y - 1);
	return dbl ? r | sessions_nav(app, st, HS_NAV_ENTER) : r;
}

const struct hs_view hs_view_sessions = {
	.name = "Sessions",
	.hints = "Enter:show its events  Right/Left/Space:open/close  Esc:back  ?:help  q:quit",
	.open = sessions_open,
	.close = sessions_close,
	.draw = sessions_draw,
	.nav = sessions_nav,
	.command = sessions_command,
	.click = sessions_click,
	.enter = sessions_enter,
};
