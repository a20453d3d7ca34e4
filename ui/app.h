/* app.h — struct hs_app: all the state of the explorer, passed down to the
 * views and actions (internal to ui/). There are no globals besides the
 * signal flags in app.c.
 *
 * Ownership: the app owns the index, the filter, the current event, the
 * marks, the windows and every view's state; views borrow the app during a
 * call and keep no pointer into it.
 */
#ifndef HS_UI_APP_H
#define HS_UI_APP_H

#include <curses.h>
#include <signal.h>
#include <stdint.h>

#include "filterbar.h"
#include "keymap.h"
#include "loading.h"
#include "hsmscope/event.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/sql.h"
#include "theme.h"
#include "view.h"

enum hs_pane { HS_PANE_LIST, HS_PANE_DETAIL, HS_PANE_RAW, HS_PANE_COUNT };

/* What fills the screen between the filter bar and the status line. */
enum hs_mode { HS_MODE_MAIN, HS_MODE_SESSIONS, HS_MODE_STATS, HS_MODE_HELP, HS_MODE_SQL,
               HS_MODE_COLUMNS, HS_MODE_TIMELINE, HS_MODE_COUNT };

enum hs_time_mode { HS_TIME_ABS, HS_TIME_START, HS_TIME_PREV, HS_TIME_COUNT };

/* The event list's columns (settings.c names them for the config file). */
enum hs_col { HS_COL_NO, HS_COL_TIME, HS_COL_SRC, HS_COL_FUNC, HS_COL_RV, HS_COL_DUR,
              HS_COL_SESS, HS_COL_SUM, HS_COL_MECH, HS_COL_OBJ, HS_COL_SEQ, HS_COL_USER,
              HS_COL_COUNT };

#define HS_KEYS_MAX 32          /* extra keys from the config file */

struct hs_app;

/* A one-line prompt on the status line (`:` go to, `x` export, y/n). */
struct hs_prompt {
	int active;
	char label[128];            /* shown before the text */
	struct hs_line line;        /* what is typed */
	int yesno;                  /* a single y/n answer */
	/* Called with the text on Enter; returns an hs_result mask. */
	int (*done)(struct hs_app *app, const char *text);
};

#define HS_BACK_MAX 64
#define HS_TYPEAHEAD 64         /* keys kept while a query runs */

/* A view left by a jump or a new filter: Backspace (Esc in the list) comes
 * back to it. */
struct hs_back {
	int64_t n;                  /* the event selected then */
	char *filter;               /* owned: the filter text then ("": none) */
};

struct hs_app {
	/* inputs and index */
	const char *const *files;   /* borrowed from main */
	int nfiles;
	const char *shown;          /* files[0] as the user named it (opts->shown, else
	                               files[0]); borrowed from main */
	struct hs_index_opts iopts; /* with the UI's progress callback */
	struct hs_index *ix;        /* owned, but while loading.partial (the load's) */
	int ix_borrowed;            /* ix is the load's partial index, not the app's */
	struct hs_loading loading;  /* the index opened in the background (loading.c) */
	int64_t total;              /* events in the index */
	int64_t first_ts;           /* µs of event 1, HS_NONE if unknown */
	int dur_ms;                 /* every duration is a whole ms: no decimals */
	int64_t dur_seen_n;         /* events up to this n were looked at for dur_ms */
	int dur_timed, dur_frac;    /* among them: one with a duration, one not a whole ms */
	int64_t *sizes;             /* owned: bytes of each file when last indexed */

	/* the applied filter */
	struct hs_filter *filter;   /* owned; NULL = every event */
	char filter_text[HS_LINE_MAX];
	int64_t count;              /* events matching it */
	unsigned gen;               /* bumped when filter or index change: views drop caches */

	/* the selection, shared by every pane */
	int64_t sel_n;              /* selected event's number, 0 when none */
	int64_t sel_rank;           /* its 0-based rank among the matches, -1 when none */
	struct hs_event cur;        /* the selected event with its detail; owned */
	int64_t cur_n;              /* number loaded into cur, 0 none */
	unsigned cur_gen;           /* gen when cur was loaded */

	/* marks, sorted ascending */
	int64_t *marks;             /* owned */
	size_t nmarks, capmarks;

	/* views to come back to (jumps, and every change of the filter) */
	struct hs_back back[HS_BACK_MAX];
	int nback;
	int64_t peer_from, peer_to; /* the last `%` jump, so that `%` again returns */

	/* display */
	int time_mode;              /* enum hs_time_mode */
	int64_t ref_n;              /* the time reference (Ctrl-T): its event, 0 none */
	int64_t ref_ts;             /* its time, µs (HS_NONE: it has none) */
	int col_order[HS_COL_COUNT]; /* the list's columns, in order (enum hs_col) */
	int ncols;                  /* how many of them are shown; 0 until the
	                               config or the log's format chose */
	int col_width[HS_COL_COUNT]; /* a width the user set (display columns), 0: fit */
	int col_drawn[HS_COL_COUNT]; /* the widths the list last drew, for the editor */
	int cols_saved;             /* the column choice came from the config file */
	int audit;                  /* the first event is from an audit log (HSM) */
	struct {
		int key;                /* curses key code */
		const struct hs_binding *b; /* what it does (keymap.c) */
	} keys[HS_KEYS_MAX];        /* extra keys from the config, tried first */
	int nkeys;
	int follow;                 /* follow mode: the log's growth shows up */
	struct hs_theme theme;
	int mode;                   /* enum hs_mode */
	int focus;                  /* enum hs_pane, in HS_MODE_MAIN */
	int detail_rows, raw_rows;  /* pane heights chosen by the layout */
	/* the panes' layout, changed by keys (act_panes.c), laid out by screen.c */
	int list_adj;               /* rows the list gained (+) or gave up (-) */
	int zoomed;                 /* only the focused pane shows */
	int hidden[HS_PANE_COUNT];  /* panes hidden by v (the focused one always shows) */
	int laid_focus;             /* the focus the layout was made for */

	/* windows: bar (filter), pane[] (main mode), full (other modes), status */
	WINDOW *bar, *status, *full;
	WINDOW *pane[HS_PANE_COUNT];
	WINDOW *title[HS_PANE_COUNT]; /* title rows above detail and raw (list: NULL) */
	int rows, cols;

	/* views: the three panes of the main screen, then the full-screen ones */
	const struct hs_view *view[HS_PANE_COUNT + HS_MODE_COUNT];
	void *vstate[HS_PANE_COUNT + HS_MODE_COUNT];

	char search[256];           /* the detail/raw pane's `/` search, "" none (search.c) */
	int search_pane;            /* the pane it was made in (enum hs_pane) */
	struct hs_filterbar fb;
	struct hs_prompt prompt;
	char msg[512];              /* one-off message on the status line */
	int msg_err;                /* shown as an error */
	int want_redraw;            /* clearok on the next refresh */
	char pending[HS_LINE_MAX];  /* a path waiting for the overwrite answer */

	int curses_on;              /* the terminal is in curses mode */
	double next_poll;           /* when follow mode looks at the files next, s */
	volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM/SIGHUP */
	int exit_code;              /* for hs_ui_run's return */

	/* cancelling a running query: Ctrl-C, Esc or q while the index works
	 * (hs_index_opts.should_stop) makes every query of the current key or
	 * draw fail at once; the loop then puts back what `undo` holds */
	int cancelled;              /* the running operation was cancelled */
	int no_queries;             /* the redraw after a cancel: queries fail at once */
	double next_key_poll;       /* when should_stop reads the keyboard next, s */
	double op_t0;               /* when the current key's work or draw began, s */
	int busy_shown;             /* the "working" note is on the status line */
	int typeahead[HS_TYPEAHEAD]; /* other keys read meanwhile, replayed after */
	int ntypeahead;
	struct hs_sql_limits sql_limits; /* the `;` prompt's statement limits */
	struct {
		int filter;             /* 1: the fields below hold the filter left */
		struct hs_filter *old;  /* owned while filter is 1 */
		char text[HS_LINE_MAX];
		int64_t count, sel_n, sel_rank;
		int nback;
		int mode_set;           /* 1: mode is the one before the last switch */
		int mode;               /* enum hs_mode */
	} undo;                     /* kept until the new view has been drawn */
};

/* Index of a full-screen view in app->view[]. */
#define HS_VIEW_OF_MODE(m) (HS_PANE_COUNT + (m))

/* The selected event with its detail (loaded on demand), or NULL. */
const struct hs_event *hs_app_current(struct hs_app *app);
/* The list moved the selection to event n at rank. */
void hs_app_select(struct hs_app *app, int64_t n, int64_t rank);
/* Jump to event n if it matches the filter: 0, or -1 (message set). With
 * remember, the event left is pushed for `%` to come back to. */
int hs_app_goto(struct hs_app *app, int64_t n, int remember);
/* Compile and apply text as the filter (empty: all). 0, or -1 with the
 * error on the status line (the old filter stays). A different filter
 * pushes the view it replaces for hs_app_pop() to come back to. */
int hs_app_apply_filter(struct hs_app *app, const char *text);
/* Push the current view (filter and selection) on the back stack. */
void hs_app_push(struct hs_app *app);
/* Come back to the last pushed view: 0, or -1 when there is none. */
int hs_app_pop(struct hs_app *app);
void hs_app_msg(struct hs_app *app, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Switch the full-screen mode (HS_MODE_MAIN to come back). */
void hs_app_set_mode(struct hs_app *app, int mode);
/* Open a prompt on the status line. */
void hs_app_prompt(struct hs_app *app, const char *label, const char *initial, int yesno,
                   int (*done)(struct hs_app *, const char *));

int hs_app_is_marked(const struct hs_app *app, int64_t n);
void hs_app_toggle_mark(struct hs_app *app, int64_t n);

/* Show ix from now on (the one shown before is closed if the app owned
 * it). borrowed: the load's partial index. whole: a finished first index
 * (the unit of durations is decided on it). */
void hs_app_use_index(struct hs_app *app, struct hs_index *ix, int borrowed, int whole);
/* The index changed under the view: with recount, count the filter's
 * matches again (else app->count is right); select keep, or the last match
 * when at_end and following. */
void hs_app_index_changed(struct hs_app *app, int64_t keep, int at_end, int recount);

/* Format an event's time for the list according to time_mode; prev_ts is
 * the time of the row above it (HS_NONE at the top). */
void hs_app_format_time(const struct hs_app *app, int64_t ts_us, int64_t prev_ts, char *out,
                        size_t outlen);
/* The time column's title: "Time", "Since start", "Since prev", "Since ref". */
const char *hs_app_time_title(const struct hs_app *app);
/* Durations as "1.234ms" / "-", or "4ms" when the log's clock ticks in ms. */
void hs_app_format_dur(const struct hs_app *app, int64_t dur_us, int exact, char *out,
                       size_t outlen);

#endif
