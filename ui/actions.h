/* actions.h — what the bound keys do (internal to ui/). Each returns an
 * hs_result mask. They change struct hs_app and ask the core; they never
 * draw.
 */
#ifndef HS_UI_ACTIONS_H
#define HS_UI_ACTIONS_H

#include <stdint.h>

struct hs_app;

/* arg values for act_seek: what to look for and which way */
enum hs_seek_arg {
	HS_SK_ERR_NEXT, HS_SK_ERR_PREV, HS_SK_ANOM_NEXT, HS_SK_ANOM_PREV,
	HS_SK_SESS_NEXT, HS_SK_SESS_PREV, HS_SK_MARK_NEXT, HS_SK_MARK_PREV,
};

int act_nav(struct hs_app *app, int nav);          /* enum hs_nav to the focused view */
int act_quit(struct hs_app *app, int arg);
int act_focus(struct hs_app *app, int delta);      /* Tab / Shift-Tab */
int act_mode(struct hs_app *app, int mode);        /* s, i, ? (again: back) */
int act_back(struct hs_app *app, int arg);         /* Esc */
int act_filter(struct hs_app *app, int arg);       /* / */
int act_seek(struct hs_app *app, int what);        /* e E w W o O u U */
int act_peer(struct hs_app *app, int arg);         /* % */
int act_follow_session(struct hs_app *app, int arg); /* S */
int act_sql(struct hs_app *app, int arg);          /* ; (view_sql.c) */
int act_jump_back(struct hs_app *app, int arg);    /* Backspace */
int act_mark(struct hs_app *app, int arg);         /* m */
int act_clear_marks(struct hs_app *app, int arg);  /* C */
int act_export(struct hs_app *app, int arg);       /* x */
int act_goto(struct hs_app *app, int arg);         /* : */
int act_time(struct hs_app *app, int arg);         /* T */
int act_time_ref(struct hs_app *app, int arg);     /* Ctrl-T (actions_time.c) */
/* After `%` went from event from to to: say on the status line what links
 * them (a cluster's same login on another HSM, a key's sync, ...). */
void hs_peer_why(struct hs_app *app, int64_t from, int64_t to);
/* `:` with a time: the first event at or after it (actions_time.c). */
int hs_goto_time(struct hs_app *app, const char *text);
int act_follow(struct hs_app *app, int arg);       /* F */
int act_redraw(struct hs_app *app, int arg);       /* Ctrl-L */
int act_view(struct hs_app *app, int cmd);         /* a full-screen view's own command */
/* search.c: `/` in the detail and raw panes (the filter in the list) */
int act_search(struct hs_app *app, int arg);       /* / */
int act_search_next(struct hs_app *app, int dir);  /* n N */
/* act_panes.c: the main screen's panes */
int act_pane_size(struct hs_app *app, int grow);   /* + - */
int act_zoom(struct hs_app *app, int arg);         /* z */
int act_hide(struct hs_app *app, int arg);         /* v */
int act_layout_reset(struct hs_app *app, int arg); /* V */
int act_detail_filter(struct hs_app *app, int cmd); /* a, A: apply / prepare as filter */

#endif
