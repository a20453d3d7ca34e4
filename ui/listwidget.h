/* listwidget.h — one list/tree widget for every scrolling pane: scrolling,
 * selection, and expand/collapse of a tree, for any row source.
 *
 * Ownership: the widget owns its node arrays (hs_lw_free). It knows nothing
 * of events: rows are numbers (flat mode, any count — the event list has
 * millions and keeps none of them here) or nodes with a depth and a caller's
 * int64 datum (tree mode). Drawing a row's text is the caller's callback.
 */
#ifndef HS_UI_LISTWIDGET_H
#define HS_UI_LISTWIDGET_H

#include <curses.h>
#include <stdint.h>

#include "view.h"

struct hs_lw_node {
	int depth;                  /* 0 = top level */
	int collapsed;              /* children hidden */
	int nchildren;              /* direct children */
	int parent;                 /* node index, -1 at top level */
	int64_t data;               /* the caller's */
};

struct hs_lw {
	int64_t nrows;              /* visible rows */
	int64_t top;                /* first row on screen */
	int64_t sel;                /* selected row, -1 when empty */
	int height;                 /* rows on screen */
	/* tree mode (tree = 1): nodes and the visible ones in order */
	int tree;
	struct hs_lw_node *nodes;   /* owned */
	int nnodes, capnodes;
	int *vis;                   /* owned: visible row -> node index */
};

/* Draws row `row` (node index in tree mode) at (y, x) in width columns. */
typedef void (*hs_lw_draw_fn)(void *ctx, WINDOW *w, int y, int x, int width, int64_t row,
                              int selected);

void hs_lw_init(struct hs_lw *lw, int tree);
void hs_lw_free(struct hs_lw *lw);
/* Flat mode: the row count changed; keeps sel/top inside it. */
void hs_lw_set_rows(struct hs_lw *lw, int64_t nrows);
void hs_lw_set_height(struct hs_lw *lw, int height);
/* Tree mode: drop all nodes / append one (in pre-order); -1 on OOM. */
void hs_lw_clear(struct hs_lw *lw);
int hs_lw_add(struct hs_lw *lw, int depth, int64_t data);
/* After adding: collapse every node at depth >= depth (-1: none), and
 * recompute the visible rows. */
void hs_lw_done(struct hs_lw *lw, int collapse_depth);
/* The node of visible row `row`, or -1. */
int hs_lw_node_at(const struct hs_lw *lw, int64_t row);
/* Select the visible row of node i (expanding its ancestors). */
void hs_lw_select_node(struct hs_lw *lw, int i);

/* Select row (clamped) and scroll the least to show it; center when it
 * was far off screen. */
void hs_lw_select(struct hs_lw *lw, int64_t row, int center);
/* Apply a navigation command; returns an hs_result mask. */
int hs_lw_nav(struct hs_lw *lw, enum hs_nav cmd);
/* A click on screen row y: select it. Returns an hs_result mask. */
int hs_lw_click(struct hs_lw *lw, int y);
/* Draw rows top..top+height-1 starting at screen row y0; the widget draws
 * the tree markers and indentation, the callback the text. */
void hs_lw_draw(const struct hs_lw *lw, WINDOW *w, int y0, int width, hs_lw_draw_fn fn,
                void *ctx, attr_t marker_attr);

#endif
