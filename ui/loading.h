/* loading.h — the explorer while its index is opened in the background
 * (loading.c): the first screen of a log being indexed, the rows that
 * arrive while the build runs, the switch to the finished index, and
 * follow mode's refreshes, which never hold the loop. Internal to ui/.
 *
 * Ownership: struct hs_loading lives in struct hs_app; it owns the load
 * (hs_index_load, core) and, through it, the partial index app->ix points
 * at while app->loading.partial is set.
 */
#ifndef HSMSCOPE_UI_LOADING_H
#define HSMSCOPE_UI_LOADING_H

#include <stdint.h>

#include "hsmscope/index.h"

struct hs_app;

struct hs_loading {
	struct hs_index_load *ld;   /* owned; NULL: nothing loads */
	int partial;                /* app->ix is the load's partial index (not the app's) */
	int refresh;                /* the load is follow mode's refresh */
	struct hs_index_load_status st; /* as of the last tick */
	int64_t snap_max;           /* the largest event number of the last snapshot */
	int64_t counted_to;         /* the filter's count covers events up to this number */
	unsigned counted_gen;       /* app->gen when counted_to was set */
	unsigned want_gen;          /* app->gen and selection last told the load */
	int64_t want_keep;
	double next_draw;           /* monotonic s: a full view is redrawn again */
	char fatal[1024];           /* the load failed with the partial index shown: why */
};

/* Open the index of app->files: start the load and wait, drawing the
 * progress box, until its first events can be shown or it is done. 0 with
 * app->ix set, or -1 with err set (interrupted: *app->stop is set). */
int hs_loading_open(struct hs_app *app, struct hs_error *err);
/* One turn of the loop: the progress, rows committed since, the switch to
 * the finished index (filter and selection kept). An hs_result mask. */
int hs_loading_tick(struct hs_app *app);
/* The loop waits for the user: let go of the partial index's snapshot. */
void hs_loading_unpin(struct hs_app *app);
/* Follow mode: the logs changed; refresh in the background (no-op while
 * a load runs). */
void hs_loading_refresh(struct hs_app *app);
/* The status line's note while loading ("" when nothing loads). */
void hs_loading_note(const struct hs_app *app, char *buf, size_t len);
/* Stop whatever loads, removing what a build wrote. 1 when that was the
 * first open (the explorer had no whole index yet). */
int hs_loading_stop(struct hs_app *app);

#endif
