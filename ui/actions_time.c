/* actions_time.c — the explorer's moves in time: `:` with a time instead
 * of a number (go to the first event at or after it), and the time
 * reference (Ctrl-T, Wireshark's "Set Time Reference"): the time column and
 * the detail count from the reference event while it is set.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "app.h"
#include "hsmscope/filter.h"
#include "hsmscope/query.h"

/* What `+1.5s` and a time of day count from: the reference when one is
 * set (what the time column shows), else the selected event. */
static int64_t time_base(struct hs_app *app)
{
	const struct hs_event *e;

	if (app->ref_n > 0 && app->ref_ts != HS_NONE)
		return app->ref_ts;
	e = hs_app_current(app);
	if (e && e->ts_us != HS_NONE)
		return e->ts_us;
	return app->first_ts;
}

int hs_goto_time(struct hs_app *app, const char *text)
{
	const struct hs_event *e;
	struct hs_error err;
	int64_t us, n;
	char ts[64];

	if (hs_filter_parse_time(text, time_base(app), &us) < 0) {
		hs_app_msg(app, 1, "not an event number or a time (2026-11-22 11:23:10.5, 11:23:10, +1.5s): %.60s",
		           text);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	hs_format_ts(us, ts, sizeof ts, us % 1000 != 0); /* µs only when it has them */
	n = hs_query_seek(app->ix, app->filter, 0, 1, HS_SEEK_TS, us, &err);
	if (n < 0) {
		hs_app_msg(app, 1, "%s", err.msg);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (n == 0) {
		hs_app_msg(app, 1, "no %sevent at or after %s", app->filter ? "shown " : "", ts);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	hs_app_goto(app, n, 1);
	/* short enough for 80 columns: the clock alone when the event landed
	 * on has the same date */
	e = hs_app_current(app);
	if (e && e->ts_us != HS_NONE) {
		char at[64];
		hs_format_ts(e->ts_us, at, sizeof at, 0);
		if (!strncmp(at, ts, 11))
			memmove(ts, ts + 11, strlen(ts + 11) + 1);
	}
	hs_app_msg(app, 0, "the first %sat or after %s", app->filter ? "shown " : "", ts);
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_time_ref(struct hs_app *app, int arg)
{
	const struct hs_event *e = hs_app_current(app);

	(void)arg;
	if (!e)
		return HS_R_HANDLED;
	if (app->ref_n > 0 && app->ref_n == e->n) {
		app->ref_n = 0;
		app->ref_ts = HS_NONE;
		hs_app_msg(app, 0, "time reference unset");
	} else if (e->ts_us == HS_NONE) {
		hs_app_msg(app, 1, "event %lld has no time: it cannot be the time reference",
		           (long long)e->n);
		return HS_R_HANDLED | HS_R_REDRAW;
	} else {
		app->ref_n = e->n;
		app->ref_ts = e->ts_us;
		hs_app_msg(app, 0, "time reference: event %lld (times count from it; Ctrl-T on it unsets)",
		           (long long)e->n);
	}
	app->gen++; /* the detail and the list's time column are drawn again */
	return HS_R_HANDLED | HS_R_RELAYOUT;
}

/* `%` lands on its partner: the status line says what the link is, above
 * all when it leads to another HSM of the cluster (a CN_LOGIN's partner is
 * the same login on the next HSM, not its logout). Kinds: the links table's. */
void hs_peer_why(struct hs_app *app, int64_t from, int64_t to)
{
	static const struct { const char *kind, *why; } whys[] = {
		{ "session", "the other end of its session (open/close)" },
		{ "login", "the other end of its login" },
		{ "span", "the other end of its operation (Init/end)" },
		{ "object", "the other end of its object's life (create/destroy)" },
	};
	const struct hs_event *e = hs_app_current(app);
	struct hs_error err;
	char kind[32];
	size_t i;

	if (hs_query_link_kind(app->ix, from, to, kind, sizeof kind, &err) <= 0)
		return;
	if (e && !strcmp(kind, "same_login")) {
		/* the reason first: at 80 columns the HSM is what is cut (the
		 * list's HSM column shows it) */
		hs_app_msg(app, 0, "%%: the same login on another HSM: %s (a cluster client logs in to every HSM at once)",
		           e->hsm);
		return;
	}
	if (e && !strcmp(kind, "sync")) {
		hs_app_msg(app, 0, "%%: the key's copy on another HSM: %s (extract -> insert: synchronised)", e->hsm);
		return;
	}
	for (i = 0; i < sizeof whys / sizeof whys[0]; i++)
		if (!strcmp(kind, whys[i].kind))
			hs_app_msg(app, 0, "%%: %s (%% again: back)", whys[i].why);
}
