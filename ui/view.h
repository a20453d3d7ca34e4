/* view.h — the view vtable, internal to ui/.
 *
 * Each view (event list, detail tree, raw lines, sessions tree, statistics,
 * help) is one file exporting one const struct hs_view. A view owns the
 * state its open() returns and frees it in close(); it draws only into the
 * window it is given and never reaches into another view's state: what views
 * share (the selection, the filter, marks) lives in struct hs_app.
 *
 * Key handlers return a bitmask of what happened; the loop in app.c acts on
 * it (redraw, relayout, quit).
 */
#ifndef HS_UI_VIEW_H
#define HS_UI_VIEW_H

#include <curses.h>

struct hs_app;

enum hs_result {
	HS_R_NONE = 0,              /* not handled: try the key map */
	HS_R_HANDLED = 1 << 0,      /* consumed */
	HS_R_REDRAW = 1 << 1,       /* something visible changed */
	HS_R_RELAYOUT = 1 << 2,     /* pane sizes or the screen mode changed */
	HS_R_QUIT = 1 << 3,         /* leave the program */
};

/* Navigation commands the key map sends to the focused view. */
/* The full-screen views' own commands, bound in keymap.c. */
enum hs_vcmd {
	HS_VCMD_SORT_CALLS,         /* statistics: functions by calls */
	HS_VCMD_SORT_ERRORS,        /* statistics: by errors */
	HS_VCMD_SORT_P95,           /* statistics: by p95 duration */
	HS_VCMD_TOGGLE,             /* sessions: expand or collapse the node */
	HS_VCMD_COL_TOGGLE,         /* columns: show or hide the column */
	HS_VCMD_COL_UP,             /* columns: move it left (up the list) */
	HS_VCMD_COL_DOWN,           /* columns: move it right */
	HS_VCMD_COL_WIDER,          /* columns: one display column wider */
	HS_VCMD_COL_NARROWER,       /* columns: one narrower */
	HS_VCMD_COL_FIT,            /* columns: back to fitting its content */
	HS_VCMD_COL_DEFAULTS,       /* columns: the log format's defaults */
	HS_VCMD_ZOOM_IN,            /* timeline: half the time window */
	HS_VCMD_ZOOM_OUT,           /* timeline: twice the time window */
	HS_VCMD_ZOOM_ALL,           /* timeline: the whole trace */
	HS_VCMD_APPLY_FILTER,       /* detail: filter to the selected line's value */
	HS_VCMD_PREPARE_FILTER,     /* detail: that filter into the filter bar, not applied */
};

enum hs_nav {
	HS_NAV_UP, HS_NAV_DOWN, HS_NAV_PGUP, HS_NAV_PGDN, HS_NAV_HOME, HS_NAV_END,
	HS_NAV_ENTER,               /* expand/collapse, or the view's own action */
	HS_NAV_LEFT,                /* collapse, or go to the parent */
	HS_NAV_RIGHT,               /* expand */
	HS_NAV_BACK,                /* Esc: leave a full-screen view */
	HS_NAV_HALFUP, HS_NAV_HALFDN, /* half a page (less's Ctrl-U, Ctrl-D) */
};

struct hs_view {
	const char *name;           /* shown in titles and help */
	const char *hints;          /* status line key hints of a full-screen view, or NULL */
	/* Allocate the view's state; NULL on OOM. */
	void *(*open)(struct hs_app *app);
	void (*close)(void *st);
	/* Draw into w (h rows, w columns); focused says whether keys go here. */
	void (*draw)(struct hs_app *app, void *st, WINDOW *w, int focused);
	/* A navigation command; returns an hs_result mask. */
	int (*nav)(struct hs_app *app, void *st, enum hs_nav cmd);
	/* A key the key map does not own (view-specific), or HS_R_NONE. May be NULL. */
	int (*key)(struct hs_app *app, void *st, int ch);
	/* One of the view's own commands (enum hs_vcmd), bound in the key
	 * map so help lists them and the config can rebind them. May be NULL. */
	int (*command)(struct hs_app *app, void *st, int cmd);
	/* A mouse click at (y, x) inside the view's window. May be NULL. */
	int (*click)(struct hs_app *app, void *st, int y, int x, int dbl);
	/* Called when entered as the full-screen view. May be NULL. */
	void (*enter)(struct hs_app *app, void *st);
	/* `/` search inside the pane (search.c), both NULL when it has none:
	 * the pane's widget, and the text of its item i (tree: node index, in
	 * the order shown; flat: row), its length in *len, NULL past the end. */
	struct hs_lw *(*widget)(void *st);
	const char *(*item_text)(void *st, int64_t i, size_t *len);
};

extern const struct hs_view hs_view_list;
extern const struct hs_view hs_view_detail;
extern const struct hs_view hs_view_raw;
extern const struct hs_view hs_view_sessions;
extern const struct hs_view hs_view_stats;
extern const struct hs_view hs_view_help;
extern const struct hs_view hs_view_sql;
extern const struct hs_view hs_view_columns;

/* The event list's title of column c (enum hs_col), as the list shows it. */
const char *hs_view_list_title(const struct hs_app *app, int c);
extern const struct hs_view hs_view_timeline;

#endif
