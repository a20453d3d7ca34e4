/* actions.c — what the bound keys do: jumps (errors, anomalies, session,
 * marks, partner event, event number), marks, export, modes and toggles.
 *
 * Every jump asks the core for the next matching number (hs_query_seek)
 * from the selection, then hs_app_goto() finds its rank: nothing here walks
 * the events. Jumps push the view they leave (and so does every new
 * filter, app.c), so Backspace and Esc come back.
 */
#include "actions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "hsmscope/export.h"
#include "hsmscope/query.h"

int act_nav(struct hs_app *app, int nav)
{
	int v = app->mode == HS_MODE_MAIN ? app->focus : HS_VIEW_OF_MODE(app->mode);

	return app->view[v]->nav(app, app->vstate[v], (enum hs_nav)nav);
}

int act_quit(struct hs_app *app, int arg)
{
	(void)app;
	(void)arg;
	return HS_R_HANDLED | HS_R_QUIT;
}

int act_focus(struct hs_app *app, int delta)
{
	int i;

	/* hidden panes are skipped (a zoomed screen shows each in turn) */
	for (i = 0; i < HS_PANE_COUNT; i++) {
		app->focus = (app->focus + HS_PANE_COUNT + delta) % HS_PANE_COUNT;
		if (app->zoomed || !app->hidden[app->focus])
			break;
	}
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_mode(struct hs_app *app, int mode)
{
	hs_app_set_mode(app, app->mode == mode ? HS_MODE_MAIN : mode);
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_back(struct hs_app *app, int arg)
{
	(void)arg;
	if (app->mode != HS_MODE_MAIN) {
		hs_app_set_mode(app, HS_MODE_MAIN);
		return HS_R_HANDLED | HS_R_RELAYOUT;
	}
	if (app->focus != HS_PANE_LIST) {
		app->focus = HS_PANE_LIST;
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	app->msg[0] = '\0';
	/* in the list, Esc is Backspace: back to the view before */
	if (app->nback)
		return act_jump_back(app, 0);
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_filter(struct hs_app *app, int arg)
{
	(void)arg;
	hs_fb_begin(&app->fb, app->filter_text);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static int64_t seek_mark(struct hs_app *app, int dir)
{
	struct hs_error err;
	size_t i;

	if (dir > 0) {
		for (i = 0; i < app->nmarks; i++)
			if (app->marks[i] > app->sel_n &&
			    hs_query_seek(app->ix, app->filter, 0, 1, HS_SEEK_N, app->marks[i], &err) > 0)
				return app->marks[i];
	} else {
		for (i = app->nmarks; i-- > 0;)
			if (app->marks[i] < app->sel_n &&
			    hs_query_seek(app->ix, app->filter, 0, 1, HS_SEEK_N, app->marks[i], &err) > 0)
				return app->marks[i];
	}
	return 0;
}

int act_seek(struct hs_app *app, int what)
{
	static const char *const names[] = {
		[HS_SK_ERR_NEXT] = "error after this one", [HS_SK_ERR_PREV] = "error before this one",
		[HS_SK_ANOM_NEXT] = "anomaly after this one", [HS_SK_ANOM_PREV] = "anomaly before this one",
		[HS_SK_SESS_NEXT] = "later event in this session",
		[HS_SK_SESS_PREV] = "earlier event in this session",
		[HS_SK_MARK_NEXT] = "mark after this one", [HS_SK_MARK_PREV] = "mark before this one",
	};
	int dir = what % 2 == 0 ? 1 : -1;
	const struct hs_event *e;
	struct hs_error err;
	int64_t n;

	if (app->sel_n <= 0)
		return HS_R_HANDLED;
	switch (what) {
	case HS_SK_ERR_NEXT: case HS_SK_ERR_PREV:
		n = hs_query_seek(app->ix, app->filter, app->sel_n, dir, HS_SEEK_ERROR, 0, &err);
		break;
	case HS_SK_ANOM_NEXT: case HS_SK_ANOM_PREV:
		n = hs_query_seek(app->ix, app->filter, app->sel_n, dir, HS_SEEK_ANOMALY, 0, &err);
		break;
	case HS_SK_SESS_NEXT: case HS_SK_SESS_PREV:
		e = hs_app_current(app);
		if (!e || e->session_id == HS_NONE) {
			hs_app_msg(app, 0, "this event is not part of a session");
			return HS_R_HANDLED | HS_R_REDRAW;
		}
		n = hs_query_seek(app->ix, app->filter, app->sel_n, dir, HS_SEEK_SESSION, e->session_id, &err);
		break;
	default:
		if (!app->nmarks) {
			hs_app_msg(app, 0, "no marks: m marks the selected event");
			return HS_R_HANDLED | HS_R_REDRAW;
		}
		n = seek_mark(app, dir);
		break;
	}
	if (n < 0) {
		hs_app_msg(app, 1, "%s", err.msg);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (n == 0) {
		hs_app_msg(app, 0, "no %s%s", names[what], app->filter ? " in the filtered list" : "");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	hs_app_goto(app, n, 1);
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_jump_back(struct hs_app *app, int arg)
{
	(void)arg;
	if (hs_app_pop(app) < 0)
		hs_app_msg(app, 0, "no jump or filter to come back from");
	app->peer_from = app->peer_to = 0;
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_peer(struct hs_app *app, int arg)
{
	const struct hs_event *e = hs_app_current(app);

	(void)arg;
	if (!e)
		return HS_R_HANDLED;
	/* `%` right after a `%` jump goes back, whatever the partner's own
	 * partner is (a C_CloseSession's is its C_OpenSession, not the login) */
	if (app->peer_to == app->sel_n && app->peer_from > 0) {
		int64_t to = app->peer_from;
		app->peer_from = app->peer_to = 0;
		if (app->nback && app->back[app->nback - 1].n == to &&
		    !strcmp(app->back[app->nback - 1].filter, app->filter_text))
			free(app->back[--app->nback].filter);
		hs_app_goto(app, to, 0);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (e->peer != HS_NONE && e->peer > 0) {
		int64_t from = app->sel_n, to = e->peer;
		if (hs_app_goto(app, to, 1) == 0) {
			app->peer_from = from;
			app->peer_to = to;
			hs_peer_why(app, from, to); /* actions_time.c: say why */
		}
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	/* no partner: say so, and stay (going back here looked like a
	 * correlation) */
	hs_app_msg(app, 0, "%s has no correlated event", e->func);
	return HS_R_HANDLED | HS_R_REDRAW;
}

/* Like Wireshark's "Follow stream": the list shows only the selected
 * event's session (or, in an audit log, its login span). The filter text is
 * made from a number the core gave, and goes through the filter compiler
 * like anything typed. */
int act_follow_session(struct hs_app *app, int arg)
{
	const struct hs_event *e = hs_app_current(app);
	char expr[64];
	int64_t n;

	(void)arg;
	if (!e)
		return HS_R_HANDLED;
	if (e->session_id != HS_NONE && e->session_id > 0)
		snprintf(expr, sizeof expr, "session_id == %lld", (long long)e->session_id);
	else if (e->login_id != HS_NONE && e->login_id > 0)
		snprintf(expr, sizeof expr, "login == %lld", (long long)e->login_id);
	else {
		hs_app_msg(app, 0, "%s is not in a session or login (s shows the tree)", e->func);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	n = app->sel_n;
	if (hs_app_apply_filter(app, expr) == 0)
		hs_app_goto(app, n, 0);
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_mark(struct hs_app *app, int arg)
{
	(void)arg;
	if (app->sel_n <= 0)
		return HS_R_HANDLED;
	hs_app_toggle_mark(app, app->sel_n);
	hs_app_msg(app, 0, "%zu marked (u/U: next/previous, x: export them, C: clear)", app->nmarks);
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_clear_marks(struct hs_app *app, int arg)
{
	(void)arg;
	hs_app_msg(app, 0, "%zu marks cleared", app->nmarks);
	app->nmarks = 0;
	return HS_R_HANDLED | HS_R_REDRAW;
}

/* ------------------------------------------------------------ export */

struct export_job {
	struct hs_app *app;
	enum hs_export_format fmt;  /* chosen by the file name's ending */
	int64_t written;
};

static int export_fn(void *ctx, FILE *out, struct hs_error *err)
{
	struct export_job *j = ctx;
	struct hs_app *app = j->app;

	if (app->nmarks)
		j->written = hs_export_numbers(app->ix, app->marks, (int64_t)app->nmarks, j->fmt,
		                               out, err);
	else
		j->written = hs_export_events(app->ix, app->filter, j->fmt, out, err);
	return j->written < 0 ? -1 : 0;
}

static int export_to(struct hs_app *app, const char *path, int force)
{
	struct export_job j = { app, hs_export_format_for_path(path), 0 };
	struct hs_error err;

	hs_error_clear(&err);
	if (hs_export_to_file(path, force, export_fn, &j, &err) < 0) {
		char buf[1024];
		hs_error_format(&err, buf, sizeof buf);
		hs_app_msg(app, 1, "export failed: %s", buf);
	} else {
		hs_app_msg(app, 0, "wrote %lld events to %s (%s)", (long long)j.written, path,
		           hs_export_format_name(j.fmt));
	}
	return HS_R_HANDLED | HS_R_REDRAW;
}

static int export_overwrite(struct hs_app *app, const char *answer)
{
	if (answer[0] != 'y' && answer[0] != 'Y') {
		hs_app_msg(app, 0, "not exported: %s kept", app->pending);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	return export_to(app, app->pending, 1);
}

static int export_path(struct hs_app *app, const char *path)
{
	struct stat sb;
	char label[HS_LINE_MAX + 64];

	if (!*path) {
		hs_app_msg(app, 0, "export cancelled");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (stat(path, &sb) == 0) {
		hs_strlcpy(app->pending, path, sizeof app->pending);
		snprintf(label, sizeof label, "%s exists. Overwrite it? (y/n) ", path);
		hs_app_prompt(app, label, "", 1, export_overwrite);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	return export_to(app, path, 0);
}

int act_export(struct hs_app *app, int arg)
{
	const char *base, *slash;
	char def[HS_LINE_MAX], label[128];
	size_t bl;

	(void)arg;
	if (!app->nmarks && app->count <= 0) {
		hs_app_msg(app, 0, "nothing to export: no marks and no event matches the filter");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	/* default: the log's name without its extension, in the current directory */
	base = app->shown != app->files[0] ? "stdin" : app->files[0];
	if ((slash = strrchr(base, '/')))
		base = slash + 1;
	bl = strcspn(base, ".");
	snprintf(def, sizeof def, "%.*s-%s.json", (int)(bl ? bl : strlen(base)), base,
	         app->nmarks ? "marked" : app->filter ? "filtered" : "all");
	if (app->nmarks)
		snprintf(label, sizeof label, "Export %zu marked events (.json .ndjson .csv .bulk) to: ",
		         app->nmarks);
	else
		snprintf(label, sizeof label, "Export %lld %s events (.json .ndjson .csv .bulk) to: ",
		         (long long)app->count, app->filter ? "filtered" : "");
	hs_app_prompt(app, label, def, 0, export_path);
	return HS_R_HANDLED | HS_R_REDRAW;
}

/* ------------------------------------------------------------- go to */

static int goto_number(struct hs_app *app, const char *text)
{
	char *end;
	long long n;
	struct hs_error err;
	int64_t near;

	errno = 0;
	n = strtoll(text, &end, 10);
	while (*end == ' ')
		end++;
	/* not a number: a time (actions_time.c) */
	if (*text && (*text == '+' || *text == '-' || *end || errno))
		return hs_goto_time(app, text);
	if (!*text || *end || errno || n <= 0) {
		if (*text)
			hs_app_msg(app, 1, "not an event number: %.60s", text);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (n > app->total) {
		hs_app_msg(app, 1, "event %lld: the log has %lld events", n, (long long)app->total);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (hs_query_seek(app->ix, app->filter, 0, 1, HS_SEEK_N, n, &err) > 0) {
		hs_app_goto(app, n, 1);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	/* hidden by the filter: the nearest shown event after it */
	near = hs_query_seek(app->ix, app->filter, n, 1, HS_SEEK_ANY, 0, &err);
	if (near <= 0)
		near = hs_query_seek(app->ix, app->filter, n, -1, HS_SEEK_ANY, 0, &err);
	if (near > 0) {
		hs_app_goto(app, near, 1);
		hs_app_msg(app, 0, "event %lld is hidden by the filter; showing %lld", n, (long long)near);
	}
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_goto(struct hs_app *app, int arg)
{
	(void)arg;
	hs_app_prompt(app, "Go to event number or time: ", "", 0, goto_number);
	return HS_R_HANDLED | HS_R_REDRAW;
}

/* ------------------------------------------------------------ toggles */

int act_time(struct hs_app *app, int arg)
{
	static const char *const names[] = { "absolute", "since the first event", "since the previous row" };

	(void)arg;
	app->time_mode = (app->time_mode + 1) % HS_TIME_COUNT;
	hs_app_msg(app, 0, "time: %s%s", names[app->time_mode],
	           app->ref_n > 0 ? " (after the time reference is unset: Ctrl-T on it)" : "");
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_follow(struct hs_app *app, int arg)
{
	(void)arg;
	app->follow = !app->follow;
	if (app->follow && app->count > 0) {
		hs_app_set_mode(app, HS_MODE_MAIN);
		act_nav(app, HS_NAV_END);
	}
	hs_app_msg(app, 0, app->follow ? "follow mode: new events appear as the log grows (F: stop)" :
	                                 "follow mode off");
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

int act_redraw(struct hs_app *app, int arg)
{
	(void)arg;
	app->want_redraw = 1;
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

/* Apply / Prepare as filter: the detail pane's selected line, whichever
 * pane has the focus (as Wireshark's packet details). */
int act_detail_filter(struct hs_app *app, int cmd)
{
	const struct hs_view *v = app->view[HS_PANE_DETAIL];

	if (app->mode != HS_MODE_MAIN || !v || !v->command)
		return HS_R_NONE;
	return v->command(app, app->vstate[HS_PANE_DETAIL], cmd);
}

int act_view(struct hs_app *app, int cmd)
{
	int v = HS_VIEW_OF_MODE(app->mode);

	if (app->mode == HS_MODE_MAIN || !app->view[v] || !app->view[v]->command)
		return HS_R_NONE;
	return app->view[v]->command(app, app->vstate[v], cmd);
}
