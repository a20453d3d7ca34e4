/* act_panes.c — the keys that change the main screen's panes: grow or
 * shrink the focused pane against the others (+ -), show only the focused
 * pane (z, like tmux's zoom), hide the focused pane (v) and put the layout
 * back (V). They change struct hs_app's layout fields; screen.c lays the
 * windows out from them.
 */
#include "actions.h"
#include "app.h"

#define STEP 2                  /* rows moved by one + or - */

int act_pane_size(struct hs_app *app, int grow)
{
	int low = !app->hidden[HS_PANE_DETAIL] || !app->hidden[HS_PANE_RAW];

	if (app->zoomed) {
		hs_app_msg(app, 0, "a zoomed pane fills the screen (z: back to all panes)");
		return HS_R_HANDLED;
	}
	if (!low || app->hidden[HS_PANE_LIST]) {
		hs_app_msg(app, 0, "only one pane is shown (V: all panes)");
		return HS_R_HANDLED;
	}
	/* the list grows when it has the focus, the panes below when they do */
	app->list_adj += (app->focus == HS_PANE_LIST) == (grow > 0) ? STEP : -STEP;
	/* past the screen's height it would only have to be undone */
	if (app->list_adj > app->rows)
		app->list_adj = app->rows;
	if (app->list_adj < -app->rows)
		app->list_adj = -app->rows;
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_zoom(struct hs_app *app, int arg)
{
	(void)arg;
	app->zoomed = !app->zoomed;
	hs_app_msg(app, 0, app->zoomed ? "zoomed: only this pane (Tab: the next one; z: all panes)" :
	                                 "all panes");
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_hide(struct hs_app *app, int arg)
{
	static const char *const names[HS_PANE_COUNT] = { "event list", "detail", "raw" };
	int i, to = -1;

	(void)arg;
	if (app->zoomed) {
		hs_app_msg(app, 0, "a zoomed pane fills the screen (z: back to all panes)");
		return HS_R_HANDLED;
	}
	/* the next shown pane after this one takes the focus */
	for (i = 1; i < HS_PANE_COUNT && to < 0; i++)
		if (!app->hidden[(app->focus + i) % HS_PANE_COUNT])
			to = (app->focus + i) % HS_PANE_COUNT;
	if (to < 0) {
		hs_app_msg(app, 0, "the last pane shown stays (V: all panes)");
		return HS_R_HANDLED;
	}
	app->hidden[app->focus] = 1;
	hs_app_msg(app, 0, "%s pane hidden (V: all panes)", names[app->focus]);
	app->focus = to;
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_layout_reset(struct hs_app *app, int arg)
{
	int i;

	(void)arg;
	app->list_adj = 0;
	app->zoomed = 0;
	for (i = 0; i < HS_PANE_COUNT; i++)
		app->hidden[i] = 0;
	hs_app_msg(app, 0, "all panes, default sizes");
	return HS_R_HANDLED | HS_R_RELAYOUT;
}
