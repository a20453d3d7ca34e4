/* loading.c — the explorer while its index is opened in the background.
 *
 * The core opens the index in a thread of its own (hs_index_load_*,
 * index.h); this file is the UI's side of it, so that app.c's loop only
 * calls hs_loading_tick() on each turn:
 *   - first open: the progress box until the build's first commit (a
 *     quarter second), then the list over the partial index — scrolled,
 *     filtered and counted over what is loaded — with the progress on the
 *     status line; when the build is done the app switches to the finished
 *     index, keeping filter and selection. A reused index opens at once.
 *   - follow mode: a refresh runs in the background while the app keeps
 *     reading its current index; when it is done the app switches.
 * Ctrl-C or q during the first load cancel it: the core removes what it
 * wrote. Nothing here touches SQL or log text.
 */
#include "loading.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "hsmscope/query.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double pct(const struct hs_index_load_status *st)
{
	return st->bytes_total > 0 ? 100.0 * (double)st->bytes_done / (double)st->bytes_total : 0.0;
}

/* The box over the blank screen before anything can be shown. */
static void draw_box(struct hs_app *app, const struct hs_index_load_status *st)
{
	int w = COLS - 8 > 70 ? 70 : COLS - 8, y = LINES / 2 - 2, x = (COLS - w) / 2, fill, i;
	attr_t a = hs_theme_attr(&app->theme, HS_ROLE_STATUS);
	char line[128];

	if (w < 20 || y < 1)
		return;
	fill = (int)(pct(st) / 100.0 * (w - 4));
	for (i = -1; i < 4; i++)
		hs_theme_fill(stdscr, y + i, x - 2, w + 4, a);
	hs_theme_puts(stdscr, y - 1, x, w, "Indexing (once; reused next time)", a | A_BOLD);
	hs_theme_puts(stdscr, y, x, w, app->files[0], a);
	mvaddch(y + 1, x, '[');
	for (i = 0; i < w - 4; i++)
		mvaddch(y + 1, x + 1 + i, i < fill ? '#' : '.');
	mvaddch(y + 1, x + w - 3, ']');
	snprintf(line, sizeof line, "%lld calls   %.0f%%   Ctrl-C cancels (nothing is kept)",
	         (long long)st->events, pct(st));
	hs_theme_puts(stdscr, y + 2, x, w, line, a);
	refresh();
}

/* Is more than half a second of parsing left, at the pace so far? Once
 * parsed, a small log's end is near: it is shown whole. */
static int long_to_go(const struct hs_index_load_status *st, double elapsed)
{
	double left;

	if (st->parsed || st->bytes_done <= 0 || st->bytes_total <= 0)
		return 0;
	left = elapsed * (double)(st->bytes_total - st->bytes_done) / (double)st->bytes_done;
	return left >= 0.5;
}

int hs_loading_open(struct hs_app *app, struct hs_error *err)
{
	struct hs_loading *L = &app->loading;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	struct hs_index *ix;
	double t0 = now_s();

	if (hs_index_load_start(app->files, app->nfiles, &app->iopts, HS_LOAD_PARTIAL, &L->ld,
	                        err) < 0)
		return -1;
	L->refresh = 0;
	for (;;) {
		hs_index_load_status(L->ld, &L->st);
		if (L->st.done || L->st.finishing) {
			struct hs_index_load *ld = L->ld;
			struct hs_index_load_view v;
			L->ld = NULL;
			if (hs_index_load_finish(ld, &ix, NULL, 0, &v, err) < 0)
				return -1;
			hs_app_use_index(app, ix, 0, 1);
			return 0;
		}
		if (*app->stop) {
			hs_index_load_cancel(L->ld);
			L->ld = NULL;
			hs_error_set(err, "", 0, 0, "interrupted: no index written");
			return -1;
		}
		/* the first rows are there: show them while the rest loads (a
		 * log indexed in well under a second shows whole at once) */
		if (L->st.partial && L->st.committed > 0 && now_s() - t0 >= 0.4 &&
		    long_to_go(&L->st, now_s() - t0) && (ix = hs_index_load_partial(L->ld, err))) {
			int64_t rows = hs_index_load_snapshot(L->ld, &L->snap_max);
			L->partial = 1;
			hs_app_use_index(app, ix, 1, 0);
			app->total = rows >= 0 ? rows : L->st.committed;
			return 0;
		}
		/* a reused or small index opens without a flash of the box */
		if (app->curses_on && now_s() - t0 >= 0.15)
			draw_box(app, &L->st);
		nanosleep(&pause, NULL);
	}
}

/* The load is done: switch to its index, or say why not. */
static int finish(struct hs_app *app)
{
	struct hs_loading *L = &app->loading;
	struct hs_index_load *ld = L->ld;
	struct hs_index *ix;
	struct hs_error err;
	int64_t keep = app->sel_n;
	struct hs_index_load_view v;
	int at_end = app->sel_rank >= app->count - 1, was_partial = L->partial;

	L->ld = NULL;
	L->partial = 0;
	if (was_partial)
		app->ix = NULL; /* closed by finish() */
	if (hs_index_load_finish(ld, &ix, app->filter_text, keep, &v, &err) < 0) {
		if (was_partial) {
			/* nothing left to show */
			hs_error_format(&err, L->fatal, sizeof L->fatal);
			return HS_R_QUIT;
		}
		hs_app_msg(app, 1, "follow: %s", err.msg);
		return HS_R_REDRAW;
	}
	/* the unit of durations was decided on the first rows, or is kept */
	hs_app_use_index(app, ix, 0, 0);
	if (v.count < 0) {
		/* the filter or the selection changed at the last moment */
		hs_app_index_changed(app, keep, at_end, 1);
	} else {
		/* counted by the loading thread: nothing over every event here */
		app->count = v.count;
		if (v.count == 0)
			hs_app_select(app, 0, -1);
		else if (app->follow && at_end && v.last_n > 0)
			hs_app_select(app, v.last_n, v.count - 1);
		else if (v.rank >= 0 && !(app->follow && at_end))
			hs_app_select(app, keep, v.rank);
		else
			hs_app_index_changed(app, keep, at_end, 0);
	}
	/* the end is news, but not over what a key just said */
	if (was_partial && !app->msg[0] && app->filter)
		hs_app_msg(app, 0, "indexed: %lld events, %lld match", (long long)app->total,
		           (long long)app->count);
	else if (was_partial && !app->msg[0])
		hs_app_msg(app, 0, "indexed: %lld events", (long long)app->total);
	return HS_R_REDRAW;
}

int hs_loading_tick(struct hs_app *app)
{
	struct hs_loading *L = &app->loading;
	struct hs_error err;
	int64_t rows, max_n = 0, more;
	double t;
	int at_end;

	if (!L->ld)
		return HS_R_NONE;
	hs_index_load_status(L->ld, &L->st);
	if (L->st.done || L->st.finishing)
		return finish(app);
	if (app->gen != L->want_gen || app->sel_n != L->want_keep) {
		/* what the switch will need: counted in the loading thread */
		L->want_gen = app->gen;
		L->want_keep = app->sel_n;
		hs_index_load_want(L->ld, app->filter_text, app->sel_n);
	}
	t = now_s();
	if (!L->partial) {
		/* a refresh: the current index stays until it is done; its
		 * progress shows now and then */
		if (t < L->next_draw)
			return HS_R_NONE;
		L->next_draw = t + 0.25;
		return app->mode == HS_MODE_MAIN ? HS_R_REDRAW : HS_R_NONE;
	}
	at_end = app->sel_rank >= app->count - 1;
	/* a new filter was counted whole over the last snapshot */
	if (app->gen != L->counted_gen) {
		L->counted_gen = app->gen;
		L->counted_to = L->snap_max;
	}
	/* this turn's keys and draw read one snapshot, whose size is known:
	 * the list's ranks match its rows */
	rows = hs_index_load_snapshot(L->ld, &max_n);
	L->snap_max = max_n;
	if (rows < 0 || rows == app->total)
		return HS_R_NONE;
	app->total = rows;
	if (!app->filter) {
		app->count = rows;
	} else if (max_n > L->counted_to) {
		/* a filter counts only the rows added since (a thread's held last
		 * call written later below counted_to is missed until the end) */
		more = hs_query_count_from(app->ix, app->filter, L->counted_to + 1, &err);
		if (more >= 0) {
			app->count += more;
			L->counted_to = max_n;
		}
	}
	if (app->sel_rank < 0 && app->count > 0)
		hs_app_index_changed(app, 0, 0, 0);
	else if (app->follow && at_end)
		hs_app_index_changed(app, app->sel_n, 1, 0);
	/* the main screen redraws cheaply (the list keeps its rows); a full
	 * view (statistics, sessions) asks the index again, so less often */
	if (app->mode != HS_MODE_MAIN) {
		if (t < L->next_draw)
			return HS_R_NONE;
		L->next_draw = t + 2.0;
	}
	return HS_R_REDRAW;
}

void hs_loading_unpin(struct hs_app *app)
{
	if (app->loading.ld && app->loading.partial)
		hs_index_load_unpin(app->loading.ld);
}

void hs_loading_refresh(struct hs_app *app)
{
	struct hs_loading *L = &app->loading;
	struct hs_error err;

	if (L->ld)
		return;
	if (hs_index_load_start(app->files, app->nfiles, &app->iopts, 0, &L->ld, &err) < 0) {
		hs_app_msg(app, 1, "follow: %s", err.msg);
		L->ld = NULL;
		return;
	}
	L->refresh = 1;
	L->partial = 0;
	L->want_gen = app->gen;
	L->want_keep = app->sel_n;
	hs_index_load_want(L->ld, app->filter_text, app->sel_n);
}

void hs_loading_note(const struct hs_app *app, char *buf, size_t len)
{
	const struct hs_loading *L = &app->loading;

	buf[0] = '\0';
	if (!L->ld)
		return;
	if (L->refresh) {
		/* follow mode: the screen stays on the index as it was */
		if (L->st.seconds >= 0.2)
			snprintf(buf, len, "refreshing: %.0f%%", pct(&L->st));
		return;
	}
	if (!L->partial)
		return;
	if (L->st.parsed)
		snprintf(buf, len, "Indexing: %lld calls 100%%, finishing; sessions and anomalies"
		         " when done", (long long)L->st.committed);
	else
		snprintf(buf, len, "Indexing: %lld calls %.0f%%; sessions and anomalies when done;"
		         " Ctrl-C cancels", (long long)L->st.committed, pct(&L->st));
}

int hs_loading_stop(struct hs_app *app)
{
	struct hs_loading *L = &app->loading;
	int first = L->ld && !L->refresh;

	if (!L->ld)
		return 0;
	if (L->partial)
		app->ix = NULL; /* the load's: closed with it */
	hs_index_load_cancel(L->ld);
	L->ld = NULL;
	L->partial = 0;
	return first;
}
