/* app.c — struct hs_app, the terminal's life cycle and the loop.
 *
 * The loop waits in poll() on the terminal (and a timer in follow mode),
 * reads every pending key with wget_wch(), offers each to whoever has the
 * keyboard — the filter bar or a prompt when active, else the focused
 * view's own keys, else the key map — and acts once on the OR of the
 * returned hs_result masks: relayout, redraw, quit. SIGWINCH interrupts the
 * poll and ncurses turns it into KEY_RESIZE. SIGINT, SIGTERM and SIGHUP set
 * a flag (the only globals: volatile sig_atomic_t) that ends the loop, so
 * every exit path — q, Ctrl-C, a signal, an error from the core — runs the
 * same endwin().
 *
 * Cancelling: the index polls should_stop() while any query runs. A
 * Ctrl-C then (the terminal stays in cbreak mode, so it arrives as SIGINT)
 * is taken off the flag and means "stop this query", not "quit"; Esc and q
 * read from the keyboard mean the same, and other keys typed meanwhile are
 * kept and replayed. Every query of that key's work or that draw then fails
 * at once, and the loop puts back the filter, selection and mode that were
 * shown before (app->undo, kept until a new view has been drawn whole).
 *
 * Layout and drawing around the views are in screen.c.
 */
#include "app.h"

#include <locale.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "actions.h"
#include "hsmscope/query.h"
#include "keymap.h"
#include "prompt.h"
#include "screen.h"
#include "settings.h"
#include "ui.h"

static volatile sig_atomic_t stop_flag;    /* SIGINT, SIGTERM, SIGHUP */
static volatile sig_atomic_t term_flag;    /* SIGTERM, SIGHUP: never a cancel */
static volatile sig_atomic_t curses_flag;  /* for the fatal-signal handler */

static void on_stop(int sig)
{
	if (sig != SIGINT)
		term_flag = 1;
	stop_flag = 1;
}

/* A crash: give the terminal back before dying (best effort — endwin is
 * not async-signal-safe, but the process is going down either way). */
static void on_fatal(int sig)
{
	if (curses_flag)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_key(struct hs_app *app);

/* ------------------------------------------------------------ helpers */

void hs_app_msg(struct hs_app *app, int err, const char *fmt, ...)
{
	va_list ap;

	/* what fails because of a cancel says nothing: "cancelled" will */
	if (app->cancelled || app->no_queries)
		return;
	va_start(ap, fmt);
	vsnprintf(app->msg, sizeof app->msg, fmt, ap);
	va_end(ap);
	app->msg_err = err;
}

const struct hs_event *hs_app_current(struct hs_app *app)
{
	struct hs_error err;
	int rc;

	if (app->sel_n <= 0)
		return NULL;
	if (app->cur_n == app->sel_n && app->cur_gen == app->gen)
		return &app->cur;
	rc = hs_query_event(app->ix, app->sel_n, &app->cur, &err);
	if (rc != 1) {
		if (rc < 0)
			hs_app_msg(app, 1, "%s", err.msg);
		app->cur_n = 0;
		return NULL;
	}
	app->cur_n = app->sel_n;
	app->cur_gen = app->gen;
	return &app->cur;
}

void hs_app_select(struct hs_app *app, int64_t n, int64_t rank)
{
	app->sel_n = n;
	app->sel_rank = rank;
}

int hs_app_goto(struct hs_app *app, int64_t n, int remember)
{
	struct hs_error err;
	int64_t rank;

	if (hs_query_seek(app->ix, app->filter, 0, 1, HS_SEEK_N, n, &err) <= 0) {
		hs_app_msg(app, 0, "event %lld is hidden by the filter (/ then Ctrl-U Enter shows all)",
		            (long long)n);
		return -1;
	}
	rank = hs_query_rank(app->ix, app->filter, n, &err);
	if (rank < 0) {
		hs_app_msg(app, 1, "%s", err.msg);
		return -1;
	}
	if (remember && app->sel_n != n)
		hs_app_push(app);
	hs_app_select(app, n, rank);
	return 0;
}

void hs_app_push(struct hs_app *app)
{
	char *f;

	if (app->sel_n <= 0 || !(f = strdup(app->filter_text)))
		return;
	if (app->nback == HS_BACK_MAX) {
		free(app->back[0].filter);
		memmove(app->back, app->back + 1, (HS_BACK_MAX - 1) * sizeof *app->back);
		app->nback--;
	}
	app->back[app->nback++] = (struct hs_back){ app->sel_n, f };
}

static int apply_filter(struct hs_app *app, const char *text, int push);
static void reselect(struct hs_app *app, int64_t n);

int hs_app_pop(struct hs_app *app)
{
	struct hs_back b;
	int64_t from = app->sel_n;

	if (!app->nback)
		return -1;
	b = app->back[--app->nback];
	if (strcmp(b.filter, app->filter_text) != 0 && apply_filter(app, b.filter, 0) == 0)
		hs_app_msg(app, 0, "back to %s%s (%lld events)", *b.filter ? "the filter " : "all events",
		           b.filter, (long long)app->count);
	if (hs_app_goto(app, b.n, 0) < 0 && app->sel_n == from)
		reselect(app, b.n);
	free(b.filter);
	return 0;
}

/* Put the selection on the first match at or after n (else the last
 * match), after the filter or the index changed. */
static void reselect(struct hs_app *app, int64_t n)
{
	struct hs_error err;
	int64_t to = 0;

	if (app->count <= 0) {
		hs_app_select(app, 0, -1);
		return;
	}
	if (n > 0)
		to = hs_query_seek(app->ix, app->filter, n - 1, 1, HS_SEEK_ANY, 0, &err);
	if (to <= 0)
		to = hs_query_seek(app->ix, app->filter, n > 0 ? INT64_MAX : 0, n > 0 ? -1 : 1,
		                   HS_SEEK_ANY, 0, &err);
	if (to <= 0 || hs_app_goto(app, to, 0) < 0)
		hs_app_select(app, 0, -1);
}

static void go_last(struct hs_app *app)
{
	struct hs_error err;
	int64_t n = hs_query_seek(app->ix, app->filter, INT64_MAX, -1, HS_SEEK_ANY, 0, &err);

	if (n > 0)
		hs_app_select(app, n, app->count - 1);
}

int hs_app_apply_filter(struct hs_app *app, const char *text)
{
	return apply_filter(app, text, 1);
}

static int apply_filter(struct hs_app *app, const char *text, int push)
{
	struct hs_filter *f = NULL;
	struct hs_error err;
	int64_t count;
	const char *t = hs_skip_ws(text);

	hs_error_clear(&err);
	if (*t && hs_filter_compile(text, &f, &err) < 0) {
		hs_app_msg(app, 1, "filter:%ld: %s", err.col, err.msg);
		return -1;
	}
	count = hs_query_count(app->ix, f, &err);
	if (count < 0) {
		hs_app_msg(app, 1, "%s", err.msg);
		hs_filter_free(f);
		return -1;
	}
	/* the filter left is kept until the new one has been drawn: a cancel
	 * before that (the selection below, the list's rows) brings it back,
	 * and the back stack as it was */
	if (app->undo.filter) {
		hs_filter_free(app->filter);
	} else {
		app->undo.filter = 1;
		app->undo.old = app->filter;
		hs_strlcpy(app->undo.text, app->filter_text, sizeof app->undo.text);
		app->undo.count = app->count;
		app->undo.sel_n = app->sel_n;
		app->undo.sel_rank = app->sel_rank;
		app->undo.nback = app->nback;
	}
	if (push && strcmp(*t ? text : "", app->filter_text) != 0)
		hs_app_push(app);
	app->filter = f;
	hs_strlcpy(app->filter_text, *t ? text : "", sizeof app->filter_text);
	app->count = count;
	app->gen++;
	reselect(app, app->sel_n);
	if (*t)
		hs_fb_remember(&app->fb, text);
	if (app->cancelled)
		return -1;
	if (*t)
		hs_app_msg(app, 0, "%lld of %lld events match", (long long)count, (long long)app->total);
	else
		hs_app_msg(app, 0, "showing all %lld events", (long long)count);
	return 0;
}

/* The new view has been drawn whole: what it replaced is gone for good. */
static void settle(struct hs_app *app)
{
	if (app->undo.filter)
		hs_filter_free(app->undo.old);
	app->undo.filter = 0;
	app->undo.old = NULL;
	app->undo.mode_set = 0;
}

/* A query was cancelled: back to the filter, selection and mode shown
 * before. Returns the hs_result mask for the loop. */
static int after_cancel(struct hs_app *app)
{
	int restored = app->undo.filter || app->undo.mode_set;

	app->cancelled = 0;
	if (app->undo.filter) {
		hs_filter_free(app->filter);
		app->filter = app->undo.old;
		hs_strlcpy(app->filter_text, app->undo.text, sizeof app->filter_text);
		app->count = app->undo.count;
		app->sel_n = app->undo.sel_n;
		app->sel_rank = app->undo.sel_rank;
		while (app->nback > app->undo.nback) /* the view pushed for it */
			free(app->back[--app->nback].filter);
		app->gen++;
		app->undo.filter = 0;
		app->undo.old = NULL;
	}
	if (app->undo.mode_set)
		app->mode = app->undo.mode;
	app->undo.mode_set = 0;
	hs_app_msg(app, 0, "cancelled");
	/* with nothing to go back to, the view that was being drawn is what
	 * was slow: redraw it once without asking the index again */
	app->no_queries = !restored;
	return HS_R_RELAYOUT;
}

/* hs_index_opts.should_stop: polled by the index while a query runs. */
static int should_stop(void *ctx)
{
	struct hs_app *app = ctx;
	double t;
	int ch;

	if (app->no_queries)
		app->cancelled = 1; /* the views see it as one */
	if (app->cancelled || term_flag)
		return 1;
	if (stop_flag && app->loading.ld && !app->loading.refresh)
		return 1; /* Ctrl-C during the first load cancels it: the loop ends */
	if (stop_flag) {
		/* Ctrl-C while the index works: stop that, not the program */
		stop_flag = 0;
		app->cancelled = 1;
		return 1;
	}
	t = now_s();
	if (!app->curses_on || t < app->next_key_poll)
		return 0;
	app->next_key_poll = t + 0.02;
	if (!app->busy_shown && t - app->op_t0 > 0.3 && app->status) {
		/* a slow one: say how to stop it */
		app->busy_shown = 1;
		hs_theme_fill(app->status, 0, 0, app->cols, hs_theme_attr(&app->theme, HS_ROLE_STATUS));
		hs_theme_puts(app->status, 0, 1, app->cols - 1, "working... Ctrl-C or Esc stops it",
		              hs_theme_attr(&app->theme, HS_ROLE_STATUS) | A_BOLD);
		wrefresh(app->status);
	}
	while ((ch = read_key(app)) != ERR) {
		/* q is text while the filter bar or a prompt has the keyboard */
		int q = ch == 'q' && !app->fb.active && !app->prompt.active;
		if (ch == HS_KEY_ESC || ch == HS_KEY_CTRL('c') || ch == HS_KEY_CTRL('g') || q) {
			app->cancelled = 1;
			if (q && app->ntypeahead < HS_TYPEAHEAD) /* and then quit */
				app->typeahead[app->ntypeahead++] = ch;
			return 1;
		}
		if (app->ntypeahead < HS_TYPEAHEAD)
			app->typeahead[app->ntypeahead++] = ch;
	}
	return 0;
}

void hs_app_set_mode(struct hs_app *app, int mode)
{
	int v = HS_VIEW_OF_MODE(mode);

	if (!app->undo.mode_set) {
		app->undo.mode_set = 1;
		app->undo.mode = app->mode;
	}
	app->mode = mode;
	if (mode != HS_MODE_MAIN && app->view[v]->enter)
		app->view[v]->enter(app, app->vstate[v]);
}

void hs_app_prompt(struct hs_app *app, const char *label, const char *initial, int yesno,
                   int (*done)(struct hs_app *, const char *))
{
	struct hs_prompt *p = &app->prompt;

	p->active = 1;
	hs_strlcpy(p->label, label, sizeof p->label);
	hs_line_set(&p->line, initial);
	p->yesno = yesno;
	p->done = done;
}

static size_t mark_pos(const struct hs_app *app, int64_t n)
{
	size_t lo = 0, hi = app->nmarks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (app->marks[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int hs_app_is_marked(const struct hs_app *app, int64_t n)
{
	size_t i = mark_pos(app, n);

	return i < app->nmarks && app->marks[i] == n;
}

void hs_app_toggle_mark(struct hs_app *app, int64_t n)
{
	size_t i = mark_pos(app, n);

	if (i < app->nmarks && app->marks[i] == n) {
		memmove(app->marks + i, app->marks + i + 1, (app->nmarks - i - 1) * sizeof *app->marks);
		app->nmarks--;
		return;
	}
	if (app->nmarks == app->capmarks) {
		size_t cap = app->capmarks ? app->capmarks * 2 : 64;
		int64_t *nm = realloc(app->marks, cap * sizeof *nm);
		if (!nm) {
			hs_app_msg(app, 1, "out of memory");
			return;
		}
		app->marks = nm;
		app->capmarks = cap;
	}
	memmove(app->marks + i + 1, app->marks + i, (app->nmarks - i) * sizeof *app->marks);
	app->marks[i] = n;
	app->nmarks++;
}

void hs_app_format_time(const struct hs_app *app, int64_t ts_us, int64_t prev_ts, char *out,
                        size_t outlen)
{
	int64_t base = app->time_mode == HS_TIME_START ? app->first_ts : prev_ts;

	if (ts_us == HS_NONE) {
		snprintf(out, outlen, "-");
		return;
	}
	/* a time reference (Ctrl-T) wins over T's mode, as in Wireshark */
	if (app->ref_n > 0 && app->ref_ts != HS_NONE) {
		snprintf(out, outlen, "%+.6f", (double)(ts_us - app->ref_ts) / 1e6);
		return;
	}
	if (app->time_mode == HS_TIME_ABS) {
		hs_format_ts(ts_us, out, outlen, 0);
		return;
	}
	if (base == HS_NONE) {
		snprintf(out, outlen, "%.6f", 0.0);
		return;
	}
	snprintf(out, outlen, "%.6f", (double)(ts_us - base) / 1e6);
}

const char *hs_app_time_title(const struct hs_app *app)
{
	if (app->ref_n > 0)
		return "Since ref";
	return app->time_mode == HS_TIME_ABS ? "Time" :
	       app->time_mode == HS_TIME_START ? "Since start" : "Since prev";
}

void hs_app_format_dur(const struct hs_app *app, int64_t dur_us, int exact, char *out,
                       size_t outlen)
{
	/* estimated or exact reads the same here; the detail pane says which */
	(void)exact;
	if (dur_us == HS_NONE)
		snprintf(out, outlen, "-");
	else if (app->dur_ms)
		snprintf(out, outlen, "%lldms", (long long)(dur_us / 1000));
	else
		snprintf(out, outlen, "%.3fms", (double)dur_us / 1000.0);
}

/* Whether every duration of the log is a whole ms (the spy's clock ticks
 * in ms): then durations show no decimals that only look precise, as the
 * core's report decides. */
/* Whether every duration is a whole ms (app->dur_ms). A follow refresh
 * looks at the events past those already looked at: a scan of the whole
 * index on every tick would freeze the screen on a big log (a duration a
 * refresh gives an older event is not looked at again). */
static void whole_ms(struct hs_app *app, struct hs_index *ix, int again)
{
	sqlite3_stmt *st = NULL;

	if (!again)
		app->dur_seen_n = app->dur_frac = app->dur_timed = 0;
	if (sqlite3_prepare_v2(hs_index_db(ix), "SELECT ifnull(max(n), 0), count(dur_us),"
	                       " count(dur_us % 1000 != 0 OR NULL) FROM events WHERE n > ?1", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, app->dur_seen_n);
		if (sqlite3_step(st) == SQLITE_ROW) {
			if (sqlite3_column_int64(st, 0) > app->dur_seen_n)
				app->dur_seen_n = sqlite3_column_int64(st, 0);
			app->dur_timed |= sqlite3_column_int64(st, 1) > 0;
			app->dur_frac |= sqlite3_column_int64(st, 2) > 0;
		}
	}
	sqlite3_finalize(st);
	app->dur_ms = app->dur_timed && !app->dur_frac;
}

/* ------------------------------------------------------- index opening */

static void on_file_error(void *ctx, const struct hs_error *e)
{
	struct hs_app *app = ctx;
	char buf[800];

	hs_error_format(e, buf, sizeof buf);
	hs_app_msg(app, 1, "%s", buf);
}

static int record_sizes(struct hs_app *app, int *grew)
{
	struct stat sb;
	int i;

	*grew = 0;
	for (i = 0; i < app->nfiles; i++) {
		if (stat(app->files[i], &sb) != 0)
			continue;
		if ((int64_t)sb.st_size != app->sizes[i])
			*grew = 1;
		app->sizes[i] = (int64_t)sb.st_size;
	}
	return 0;
}

void hs_app_use_index(struct hs_app *app, struct hs_index *ix, int borrowed, int whole)
{
	int again = app->ix != NULL; /* a follow refresh or a growing partial index */
	struct hs_event first;
	struct hs_error err;

	if (app->ix && app->ix != ix && !app->ix_borrowed)
		hs_index_close(app->ix);
	app->ix = ix;
	app->ix_borrowed = borrowed;
	app->total = hs_index_info(ix)->events;
	app->first_ts = HS_NONE;
	hs_event_init(&first);
	if (hs_query_event(ix, 1, &first, &err) == 1) {
		app->first_ts = first.ts_us;
		app->audit = first.hsm[0] != '\0';
	}
	hs_event_free(&first);
	if (!app->ncols)
		hs_settings_default_columns(app);
	whole_ms(app, ix, again && !whole); /* a whole index first met: every event */
	app->gen++;
}

void hs_app_index_changed(struct hs_app *app, int64_t keep, int at_end, int recount)
{
	struct hs_error err;
	int64_t count;

	if (recount) {
		count = app->filter ? hs_query_count(app->ix, app->filter, &err) : app->total;
		app->count = count < 0 ? 0 : count;
	}
	if (app->follow && at_end)
		go_last(app);
	else
		reselect(app, keep);
}

/* The first open: in the background, the first rows as soon as they are
 * written (loading.c). */
static int open_index(struct hs_app *app, struct hs_error *err)
{
	int grew;

	record_sizes(app, &grew);
	return hs_loading_open(app, err);
}

/* Follow mode: when a log changed size, refresh the index in the
 * background (only the new part is parsed); loading.c switches to it
 * when done, keeping the filter, and stays at the end if we were there. */
static int poll_growth(struct hs_app *app)
{
	int grew;
	int64_t *old;

	if (app->loading.ld)
		return HS_R_NONE; /* one at a time: the next poll sees what grew since */
	old = malloc((size_t)app->nfiles * sizeof *old);
	if (!old)
		return HS_R_NONE;
	memcpy(old, app->sizes, (size_t)app->nfiles * sizeof *old);
	record_sizes(app, &grew);
	if (!grew) {
		free(old);
		return HS_R_NONE;
	}
	hs_loading_refresh(app);
	if (!app->loading.ld) /* not started: look again next time */
		memcpy(app->sizes, old, (size_t)app->nfiles * sizeof *old);
	free(old);
	return HS_R_NONE;
}

/* ------------------------------------------------------------- layout */

static int on_mouse(struct hs_app *app)
{
	MEVENT me;
	int i, v, y, x, dbl;

	if (getmouse(&me) != OK)
		return HS_R_NONE;
	/* the wheel scrolls the focused pane by three rows */
	if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		int r = 0;
		for (i = 0; i < 3; i++)
			r |= act_nav(app, me.bstate & BUTTON4_PRESSED ? HS_NAV_UP : HS_NAV_DOWN);
		return r;
	}
	if (!(me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return HS_R_NONE;
	dbl = (me.bstate & BUTTON1_DOUBLE_CLICKED) != 0;
	if (app->bar && wenclose(app->bar, me.y, me.x) && !app->fb.active && !app->prompt.active) {
		hs_fb_begin(&app->fb, app->filter_text);
		return HS_R_REDRAW;
	}
	if (app->mode != HS_MODE_MAIN) {
		v = HS_VIEW_OF_MODE(app->mode);
		if (app->full && wenclose(app->full, me.y, me.x) && app->view[v]->click) {
			getbegyx(app->full, y, x);
			return app->view[v]->click(app, app->vstate[v], me.y - y, me.x - x, dbl);
		}
		return HS_R_NONE;
	}
	for (i = 0; i < HS_PANE_COUNT; i++) {
		if (app->title[i] && wenclose(app->title[i], me.y, me.x)) {
			app->focus = i;
			return HS_R_REDRAW;
		}
		if (app->pane[i] && wenclose(app->pane[i], me.y, me.x) && app->view[i]->click) {
			getbegyx(app->pane[i], y, x);
			return app->view[i]->click(app, app->vstate[i], me.y - y, me.x - x, dbl);
		}
	}
	return HS_R_NONE;
}

/* Read one key: characters above ASCII come as HS_KEY_UNICODE + code point,
 * function keys as KEY_*. ERR when none is waiting. Keys are read through
 * the filter bar's window: wget_wch() refreshes the window it reads from,
 * and the bar is redrawn every time, while stdscr would paint over panes. */
static int read_key(struct hs_app *app)
{
	wint_t wc;
	int rc = wget_wch(app->bar ? app->bar : stdscr, &wc);

	if (rc == ERR)
		return ERR;
	if (rc == KEY_CODE_YES)
		return (int)wc;
	return wc < 0x80 ? (int)wc : HS_KEY_UNICODE + (int)wc;
}

static int on_key(struct hs_app *app, int ch)
{
	const struct hs_binding *b;
	int v, r, i;

	if (ch == KEY_RESIZE)
		return HS_R_RELAYOUT;
	if (ch == KEY_MOUSE)
		return on_mouse(app);
	if (app->prompt.active)
		return hs_prompt_key(app, ch);
	if (app->fb.active) {
		switch (hs_fb_key(&app->fb, ch)) {
		case HS_FB_APPLY:
			if (hs_app_apply_filter(app, app->fb.line.buf) == 0 && app->mode != HS_MODE_SESSIONS)
				hs_app_set_mode(app, HS_MODE_MAIN);
			return HS_R_RELAYOUT;
		case HS_FB_CANCEL:
		case HS_FB_REDRAW:
			return HS_R_REDRAW;
		case HS_FB_NONE:
			return HS_R_HANDLED;
		}
	}
	if (app->msg[0] && ch != ERR) {
		/* a message stays until the next key */
		app->msg[0] = '\0';
		app->msg_err = 0;
	}
	v = app->mode == HS_MODE_MAIN ? app->focus : HS_VIEW_OF_MODE(app->mode);
	if (app->view[v]->key && (r = app->view[v]->key(app, app->vstate[v], ch)) != HS_R_NONE)
		return r | HS_R_REDRAW;
	b = NULL;
	for (i = 0; i < app->nkeys && !b; i++) /* the config's keys first */
		if (app->keys[i].key == ch && (app->keys[i].b->ctx & hs_keymap_ctx(app->mode)))
			b = app->keys[i].b;
	if (!b)
		b = hs_keymap_find(ch, hs_keymap_ctx(app->mode));
	if (!b)
		return HS_R_REDRAW;
	return b->fn(app, b->arg) | HS_R_REDRAW;
}

/* A key's work or a draw begins: the clock of the "working" note. */
static void begin_op(struct hs_app *app)
{
	app->op_t0 = now_s();
	app->busy_shown = 0;
}

/* The next key: one typed while a query ran first, else the terminal's. */
static int next_key(struct hs_app *app)
{
	int ch;

	if (app->ntypeahead == 0)
		return read_key(app);
	ch = app->typeahead[0];
	memmove(app->typeahead, app->typeahead + 1, (size_t)--app->ntypeahead * sizeof *app->typeahead);
	return ch;
}

static void run_loop(struct hs_app *app)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	int r = HS_R_RELAYOUT, ch;

	while (!*app->stop) {
		if (r & HS_R_RELAYOUT)
			hs_screen_layout(app);
		if (r & (HS_R_REDRAW | HS_R_RELAYOUT)) {
			begin_op(app);
			hs_screen_draw(app);
			if (app->cancelled && !app->no_queries) {
				r = after_cancel(app);
				continue;
			}
			app->cancelled = app->no_queries = 0;
			settle(app);
		}
		r = 0;
		hs_loading_unpin(app);
		if (app->ntypeahead == 0 &&
		    poll(&pfd, 1, app->loading.ld ? 100 : app->follow ? 250 : 1000) < 0) {
			/* a signal: SIGWINCH turns into KEY_RESIZE below */
		}
		if (app->loading.ld) { /* first: this turn's keys read its snapshot */
			begin_op(app);
			r |= hs_loading_tick(app);
			if (app->cancelled)
				r |= after_cancel(app);
			if (r & HS_R_QUIT)
				return;
		}
		while ((ch = next_key(app)) != ERR) {
			begin_op(app);
			r |= on_key(app, ch);
			if (app->cancelled)
				r |= after_cancel(app);
			if (r & HS_R_QUIT || *app->stop)
				return;
		}
		if (app->follow && now_s() >= app->next_poll) {
			app->next_poll = now_s() + 0.5;
			begin_op(app);
			r |= poll_growth(app);
			if (app->cancelled)
				r |= after_cancel(app);
		}
	}
}

/* ------------------------------------------------------------ life cycle */

static void curses_start(struct hs_app *app, int color)
{
	initscr();
	curses_flag = 1;
	app->curses_on = 1;
	cbreak();       /* not raw: Ctrl-C stays a signal, so indexing can be stopped */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	refresh();      /* stdscr is painted once, blank, and never again */
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
	          BUTTON5_PRESSED, NULL);
	mouseinterval(150);
	hs_theme_init(&app->theme, color && !(getenv("NO_COLOR") && *getenv("NO_COLOR")));
}

static void curses_stop(struct hs_app *app)
{
	if (!app->curses_on)
		return;
	hs_screen_free(app);
	endwin();
	app->curses_on = 0;
	curses_flag = 0;
}

static char *rules_path(void)
{
	const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct hs_buf b;

	hs_buf_init(&b);
	if (cfg && *cfg == '/')
		hs_buf_printf(&b, "%s/hsmscope/colors", cfg);
	else if (home && *home)
		hs_buf_printf(&b, "%s/.config/hsmscope/colors", home);
	if (hs_buf_failed(&b)) { /* a cut path would name another file */
		hs_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static void app_free(struct hs_app *app)
{
	int i;

	for (i = 0; i < HS_PANE_COUNT + HS_MODE_COUNT; i++)
		if (app->view[i] && app->vstate[i])
			app->view[i]->close(app->vstate[i]);
	hs_fb_free(&app->fb);
	hs_theme_free(&app->theme);
	hs_event_free(&app->cur);
	hs_filter_free(app->filter);
	while (app->nback)
		free(app->back[--app->nback].filter);
	hs_loading_stop(app);
	if (app->ix && !app->ix_borrowed)
		hs_index_close(app->ix);
	free(app->marks);
	free(app->sizes);
}

int hs_ui_run(const char *const *files, int nfiles, const struct hs_ui_opts *opts)
{
	static const struct hs_view *const views[HS_PANE_COUNT + HS_MODE_COUNT] = {
		[HS_PANE_LIST] = &hs_view_list,
		[HS_PANE_DETAIL] = &hs_view_detail,
		[HS_PANE_RAW] = &hs_view_raw,
		[HS_VIEW_OF_MODE(HS_MODE_MAIN)] = NULL, /* the main mode is the panes */
		[HS_VIEW_OF_MODE(HS_MODE_SESSIONS)] = &hs_view_sessions,
		[HS_VIEW_OF_MODE(HS_MODE_STATS)] = &hs_view_stats,
		[HS_VIEW_OF_MODE(HS_MODE_HELP)] = &hs_view_help,
		[HS_VIEW_OF_MODE(HS_MODE_SQL)] = &hs_view_sql,
		[HS_VIEW_OF_MODE(HS_MODE_COLUMNS)] = &hs_view_columns,
		[HS_VIEW_OF_MODE(HS_MODE_TIMELINE)] = &hs_view_timeline,
	};
	struct hs_app app;
	struct hs_error err;
	struct sigaction sa;
	char cfg_msg[512];          /* the configuration's first problem, or "" */
	char *rp;
	int i, rc = 0;

	setlocale(LC_ALL, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "hsmscope: the explorer needs a terminal (use analyze, grep or export in scripts)\n");
		return 1;
	}
	memset(&app, 0, sizeof app);
	app.files = files;
	app.nfiles = nfiles;
	app.shown = opts->shown ? opts->shown : files[0];
	app.iopts = opts->iopts;
	app.iopts.on_progress = NULL; /* the load's status says it (loading.c) */
	app.iopts.on_file_error = on_file_error;
	app.iopts.should_stop = should_stop;
	app.iopts.ctx = &app;
	app.iopts.interrupted = &stop_flag;
	app.sql_limits.timeout_s = HS_SQL_TIMEOUT_DEFAULT;
	app.sql_limits.max_memory = HS_SQL_MAX_MEMORY_DEFAULT;
	app.stop = &stop_flag;
	app.follow = opts->follow;
	app.sel_rank = -1;
	hs_event_init(&app.cur);
	hs_fb_init(&app.fb);
	app.sizes = calloc((size_t)nfiles, sizeof *app.sizes);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);

	curses_start(&app, opts->color);
	if ((rp = rules_path())) {
		hs_theme_load_rules(&app.theme, rp);
		free(rp);
	}
	app.ncols = 0; /* the config's, else the log format's (open_index) */
	hs_settings_apply(&app, cfg_msg, sizeof cfg_msg);
	if (opts->sql_limits) /* the command line over the configuration */
		app.sql_limits = *opts->sql_limits;
	if (!app.sizes || open_index(&app, &err) < 0) {
		curses_stop(&app);
		if (!app.sizes)
			fprintf(stderr, "hsmscope: out of memory\n");
		else if (stop_flag)
			fprintf(stderr, "hsmscope: interrupted: no index written\n");
		else {
			char buf[1024];
			hs_error_format(&err, buf, sizeof buf);
			fputs("hsmscope: ", stderr); /* a file name is escaped like log text */
			hs_escape_puts(stderr, buf);
			fputs(err.hint[0] ? " (" : "", stderr);
			hs_escape_puts(stderr, err.hint);
			fputs(err.hint[0] ? ")\n" : "\n", stderr);
		}
		app_free(&app);
		return 2;
	}
	for (i = 0; i < HS_PANE_COUNT + HS_MODE_COUNT; i++) {
		app.view[i] = views[i];
		if (views[i] && !(app.vstate[i] = views[i]->open(&app))) {
			curses_stop(&app);
			fprintf(stderr, "hsmscope: out of memory\n");
			app_free(&app);
			return 2;
		}
	}
	if (hs_app_apply_filter(&app, opts->filter ? opts->filter : "") < 0) {
		if (!app.cancelled) {
			curses_stop(&app);
			fputs("hsmscope: ", stderr);
			hs_escape_puts(stderr, app.msg);
			fputc('\n', stderr);
			app_free(&app);
			return 3;
		}
		/* the --filter was cancelled: there is no view before it to go
		 * back to, so every event is shown */
		after_cancel(&app);
		app.no_queries = 0;
		hs_app_apply_filter(&app, "");
		app.cancelled = 0;
		snprintf(cfg_msg, sizeof cfg_msg, "cancelled: the filter was not applied");
	}
	/* a problem with the user's files first, else the welcome */
	hs_app_msg(&app, 0, "%s", cfg_msg[0] ? cfg_msg : app.theme.rules_error[0] ? app.theme.rules_error :
	           "Welcome: ? shows every key; e jumps to the next failed call");
	app.msg_err = (cfg_msg[0] && strncmp(cfg_msg, "cancelled", 9) != 0) || app.theme.rules_error[0];
	if (app.follow)
		go_last(&app);
	run_loop(&app);
	/* quitting while the first load runs cancels it: nothing is kept */
	i = hs_loading_stop(&app) && stop_flag;
	curses_stop(&app);
	rc = 0;
	if (app.loading.fatal[0] || i) {
		fputs("hsmscope: ", stderr);
		hs_escape_puts(stderr, app.loading.fatal[0] ? app.loading.fatal :
		               "interrupted: no index written");
		fputc('\n', stderr);
		rc = 2;
	}
	app_free(&app);
	return rc;
}
