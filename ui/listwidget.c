/* listwidget.c — scrolling, selection and a collapsible tree for any rows.
 *
 * Flat mode keeps only three numbers (nrows, top, sel), so it serves a list
 * of millions of rows that live in the index. Tree mode keeps the nodes in
 * pre-order with a depth each; `vis` maps screen rows to visible nodes and
 * is rebuilt after every expand/collapse (trees here have at most a few
 * thousand nodes: an event's detail lines, the sessions of a trace).
 */
#include "listwidget.h"

#include <stdlib.h>
#include <string.h>

void hs_lw_init(struct hs_lw *lw, int tree)
{
	memset(lw, 0, sizeof *lw);
	lw->tree = tree;
	lw->sel = -1;
	lw->height = 1;
}

void hs_lw_free(struct hs_lw *lw)
{
	free(lw->nodes);
	free(lw->vis);
	lw->nodes = NULL;
	lw->vis = NULL;
	lw->nnodes = lw->capnodes = 0;
}

static void clamp(struct hs_lw *lw)
{
	if (lw->nrows <= 0) {
		lw->sel = -1;
		lw->top = 0;
		return;
	}
	if (lw->sel < 0)
		lw->sel = 0;
	if (lw->sel >= lw->nrows)
		lw->sel = lw->nrows - 1;
	if (lw->top > lw->sel)
		lw->top = lw->sel;
	if (lw->sel >= lw->top + lw->height)
		lw->top = lw->sel - lw->height + 1;
	if (lw->top > lw->nrows - lw->height)
		lw->top = lw->nrows - lw->height;
	if (lw->top < 0)
		lw->top = 0;
}

void hs_lw_set_rows(struct hs_lw *lw, int64_t nrows)
{
	lw->nrows = nrows;
	clamp(lw);
}

void hs_lw_set_height(struct hs_lw *lw, int height)
{
	lw->height = height > 0 ? height : 1;
	clamp(lw);
}

void hs_lw_clear(struct hs_lw *lw)
{
	lw->nnodes = 0;
	lw->nrows = 0;
	lw->sel = -1;
	lw->top = 0;
}

int hs_lw_add(struct hs_lw *lw, int depth, int64_t data)
{
	struct hs_lw_node *n;
	int p;

	if (lw->nnodes == lw->capnodes) {
		int cap = lw->capnodes ? lw->capnodes * 2 : 64;
		struct hs_lw_node *nn = realloc(lw->nodes, (size_t)cap * sizeof *nn);
		int *nv = realloc(lw->vis, (size_t)cap * sizeof *nv);
		if (nn)
			lw->nodes = nn;
		if (nv)
			lw->vis = nv;
		if (!nn || !nv)
			return -1;
		lw->capnodes = cap;
	}
	/* the parent is the nearest earlier node that is shallower */
	for (p = lw->nnodes - 1; p >= 0 && lw->nodes[p].depth >= depth; p--)
		;
	if (p >= 0 && depth > lw->nodes[p].depth + 1)
		depth = lw->nodes[p].depth + 1;
	if (p < 0)
		depth = 0;
	n = &lw->nodes[lw->nnodes];
	n->depth = depth;
	n->collapsed = 0;
	n->nchildren = 0;
	n->parent = p;
	n->data = data;
	if (p >= 0)
		lw->nodes[p].nchildren++;
	return lw->nnodes++;
}

static void rebuild(struct hs_lw *lw)
{
	int i, hide_below = -1;

	lw->nrows = 0;
	for (i = 0; i < lw->nnodes; i++) {
		const struct hs_lw_node *n = &lw->nodes[i];
		if (hide_below >= 0 && n->depth > hide_below)
			continue;
		hide_below = -1;
		lw->vis[lw->nrows++] = i;
		if (n->collapsed && n->nchildren)
			hide_below = n->depth;
	}
	clamp(lw);
}

void hs_lw_done(struct hs_lw *lw, int collapse_depth)
{
	int i;

	for (i = 0; i < lw->nnodes; i++)
		lw->nodes[i].collapsed = collapse_depth >= 0 && lw->nodes[i].depth >= collapse_depth;
	rebuild(lw);
}

int hs_lw_node_at(const struct hs_lw *lw, int64_t row)
{
	if (!lw->tree || row < 0 || row >= lw->nrows)
		return -1;
	return lw->vis[row];
}

void hs_lw_select_node(struct hs_lw *lw, int i)
{
	int p;
	int64_t r;

	if (i < 0 || i >= lw->nnodes)
		return;
	for (p = lw->nodes[i].parent; p >= 0; p = lw->nodes[p].parent)
		lw->nodes[p].collapsed = 0;
	rebuild(lw);
	for (r = 0; r < lw->nrows; r++)
		if (lw->vis[r] == i)
			hs_lw_select(lw, r, 1);
}

void hs_lw_select(struct hs_lw *lw, int64_t row, int center)
{
	int far = row < lw->top || row >= lw->top + lw->height;

	lw->sel = row;
	if (center && far)
		lw->top = row - lw->height / 2;
	clamp(lw);
}

static int toggle(struct hs_lw *lw, int want) /* want: -1 toggle, 0 expand, 1 collapse */
{
	int i = hs_lw_node_at(lw, lw->sel);
	struct hs_lw_node *n;

	if (i < 0)
		return HS_R_NONE;
	n = &lw->nodes[i];
	if (!n->nchildren) {
		/* Left on a leaf goes to its parent, like a file manager */
		if (want == 1 && n->parent >= 0) {
			hs_lw_select_node(lw, n->parent);
			return HS_R_HANDLED | HS_R_REDRAW;
		}
		return HS_R_HANDLED;
	}
	if (want == 1 && n->collapsed && n->parent >= 0) {
		hs_lw_select_node(lw, n->parent);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	n->collapsed = want < 0 ? !n->collapsed : want;
	rebuild(lw);
	return HS_R_HANDLED | HS_R_REDRAW;
}

int hs_lw_nav(struct hs_lw *lw, enum hs_nav cmd)
{
	int64_t old = lw->sel, oldtop = lw->top;

	switch (cmd) {
	case HS_NAV_UP: lw->sel--; break;
	case HS_NAV_DOWN: lw->sel++; break;
	case HS_NAV_PGUP:
		lw->sel -= lw->height - 1;
		lw->top -= lw->height - 1;
		break;
	case HS_NAV_PGDN:
		lw->sel += lw->height - 1;
		lw->top += lw->height - 1;
		break;
	case HS_NAV_HALFUP:
		lw->sel -= lw->height / 2 > 0 ? lw->height / 2 : 1;
		lw->top -= lw->height / 2;
		break;
	case HS_NAV_HALFDN:
		lw->sel += lw->height / 2 > 0 ? lw->height / 2 : 1;
		lw->top += lw->height / 2;
		break;
	case HS_NAV_HOME: lw->sel = 0; break;
	case HS_NAV_END: lw->sel = lw->nrows - 1; break;
	case HS_NAV_ENTER: return lw->tree ? toggle(lw, -1) : HS_R_NONE;
	case HS_NAV_LEFT: return lw->tree ? toggle(lw, 1) : HS_R_NONE;
	case HS_NAV_RIGHT: return lw->tree ? toggle(lw, 0) : HS_R_NONE;
	case HS_NAV_BACK: return HS_R_NONE;
	}
	if (lw->top < 0)
		lw->top = 0;
	clamp(lw);
	return HS_R_HANDLED | (old != lw->sel || oldtop != lw->top ? HS_R_REDRAW : 0);
}

int hs_lw_click(struct hs_lw *lw, int y)
{
	int64_t row = lw->top + y;

	if (y < 0 || row >= lw->nrows)
		return HS_R_HANDLED;
	lw->sel = row;
	clamp(lw);
	return HS_R_HANDLED | HS_R_REDRAW;
}

void hs_lw_draw(const struct hs_lw *lw, WINDOW *w, int y0, int width, hs_lw_draw_fn fn,
                void *ctx, attr_t marker_attr)
{
	int y;

	for (y = 0; y < lw->height; y++) {
		int64_t row = lw->top + y;
		int x = 0;
		wmove(w, y0 + y, 0);
		wclrtoeol(w);
		if (row >= lw->nrows)
			continue;
		if (lw->tree) {
			const struct hs_lw_node *n = &lw->nodes[lw->vis[row]];
			x = 2 * n->depth;
			if (x > width / 2)
				x = width / 2;
			wattrset(w, marker_attr);
			/* ASCII markers: safe in every locale and terminal */
			mvwaddstr(w, y0 + y, x, !n->nchildren ? "  " : n->collapsed ? "+ " : "- ");
			wattrset(w, A_NORMAL);
			x += 2;
			fn(ctx, w, y0 + y, x, width - x, lw->vis[row], row == lw->sel);
		} else {
			fn(ctx, w, y0 + y, 0, width, row, row == lw->sel);
		}
	}
}
