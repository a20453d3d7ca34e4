/* keymap.c — the table of key bindings, in the order the help shows them.
 *
 * Keys reach this table only when no prompt or filter bar is active and
 * the focused view did not take them. Several keys may share an action
 * (j and Down); the help joins consecutive bindings with the same text.
 */
#include "keymap.h"

#include <stdio.h>

#include "ui.h"

#include <curses.h>
#include <stddef.h>
#include <string.h>

#include "actions.h"
#include "app.h"
#include "view.h"

#define CTRL(c) ((c) & 0x1f)

static const struct hs_binding bindings[] = {
	{ KEY_DOWN, "Down", HS_CTX_ALL, act_nav, HS_NAV_DOWN, "Moving", "next row", "down" },
	{ 'j', "j", HS_CTX_ALL, act_nav, HS_NAV_DOWN, "Moving", "next row", "down" },
	{ KEY_UP, "Up", HS_CTX_ALL, act_nav, HS_NAV_UP, "Moving", "previous row", "up" },
	{ 'k', "k", HS_CTX_ALL, act_nav, HS_NAV_UP, "Moving", "previous row", "up" },
	{ KEY_NPAGE, "PgDn", HS_CTX_ALL, act_nav, HS_NAV_PGDN, "Moving", "next page", "page_down" },
	{ ' ', "Space", HS_CTX_ALL, act_nav, HS_NAV_PGDN, "Moving", "next page", "page_down" },
	{ CTRL('f'), "Ctrl-F", HS_CTX_ALL, act_nav, HS_NAV_PGDN, "Moving", "next page", "page_down" },
	{ KEY_PPAGE, "PgUp", HS_CTX_ALL, act_nav, HS_NAV_PGUP, "Moving", "previous page", "page_up" },
	{ 'b', "b", HS_CTX_ALL, act_nav, HS_NAV_PGUP, "Moving", "previous page", "page_up" },
	{ CTRL('b'), "Ctrl-B", HS_CTX_ALL, act_nav, HS_NAV_PGUP, "Moving", "previous page", "page_up" },
	{ CTRL('d'), "Ctrl-D", HS_CTX_ALL, act_nav, HS_NAV_HALFDN, "Moving", "half a page down", "half_page_down" },
	{ CTRL('u'), "Ctrl-U", HS_CTX_ALL, act_nav, HS_NAV_HALFUP, "Moving", "half a page up", "half_page_up" },
	{ 'g', "g", HS_CTX_ALL, act_nav, HS_NAV_HOME, "Moving", "first row", "first" },
	{ KEY_HOME, "Home", HS_CTX_ALL, act_nav, HS_NAV_HOME, "Moving", "first row", "first" },
	{ '<', "<", HS_CTX_ALL, act_nav, HS_NAV_HOME, "Moving", "first row", "first" },
	{ 'G', "G", HS_CTX_ALL, act_nav, HS_NAV_END, "Moving", "last row (the end of the log)", "last" },
	{ KEY_END, "End", HS_CTX_ALL, act_nav, HS_NAV_END, "Moving", "last row (the end of the log)", "last" },
	{ '>', ">", HS_CTX_ALL, act_nav, HS_NAV_END, "Moving", "last row (the end of the log)", "last" },
	{ '\t', "Tab", HS_CTX_MAIN, act_focus, 1, "Moving", "next pane: list, detail, raw", "next_pane" },
	{ KEY_BTAB, "Shift-Tab", HS_CTX_MAIN, act_focus, -1, "Moving", "previous pane", "prev_pane" },
	{ '\n', "Enter", HS_CTX_ALL, act_nav, HS_NAV_ENTER, "Moving",
	  "list: open the detail; tree: expand/collapse; sessions: filter to the node", "enter" },
	{ '\r', "Enter", HS_CTX_ALL, act_nav, HS_NAV_ENTER, "Moving",
	  "list: open the detail; tree: expand/collapse; sessions: filter to the node", "enter" },
	{ KEY_ENTER, "Enter", HS_CTX_ALL, act_nav, HS_NAV_ENTER, "Moving",
	  "list: open the detail; tree: expand/collapse; sessions: filter to the node", "enter" },
	{ KEY_LEFT, "Left", HS_CTX_ALL, act_nav, HS_NAV_LEFT, "Moving", "tree: collapse, or go to the parent", "collapse" },
	{ 'h', "h", HS_CTX_ALL, act_nav, HS_NAV_LEFT, "Moving", "tree: collapse, or go to the parent", "collapse" },
	{ KEY_RIGHT, "Right", HS_CTX_ALL, act_nav, HS_NAV_RIGHT, "Moving", "tree: expand", "expand" },
	{ 'l', "l", HS_CTX_ALL, act_nav, HS_NAV_RIGHT, "Moving", "tree: expand", "expand" },

	{ '+', "+", HS_CTX_MAIN, act_pane_size, 1, "Panes", "grow the focused pane (list or the panes below)", "pane_grow" },
	{ '-', "-", HS_CTX_MAIN, act_pane_size, -1, "Panes", "shrink the focused pane", "pane_shrink" },
	{ 'z', "z", HS_CTX_MAIN, act_zoom, 0, "Panes", "zoom: only the focused pane, full screen (again: all)", "zoom" },
	{ 'v', "v", HS_CTX_MAIN, act_hide, 0, "Panes", "hide the focused pane", "hide_pane" },
	{ 'V', "V", HS_CTX_MAIN, act_layout_reset, 0, "Panes", "all panes again, at their default sizes", "all_panes" },

	{ '/', "/", HS_CTX_ALL, act_search, 0, "Filtering",
	  "edit the filter (Enter apply, Esc cancel, Up/Down history, Tab completes, empty = all);"
	  " in the detail or raw pane: search in it", "filter" },
	{ 'n', "n", HS_CTX_MAIN, act_search_next, 1, "Filtering",
	  "next match of the pane's search (wraps)", "search_next" },
	{ 'N', "N", HS_CTX_MAIN, act_search_next, -1, "Filtering",
	  "previous match of the pane's search", "search_prev" },
	{ 'a', "a", HS_CTX_MAIN, act_detail_filter, HS_VCMD_APPLY_FILTER, "Filtering",
	  "apply as filter: the detail line's value (mech == CKM_..., label == \"...\")", "apply_filter" },
	{ 'A', "A", HS_CTX_MAIN, act_detail_filter, HS_VCMD_PREPARE_FILTER, "Filtering",
	  "prepare as filter: the detail line's value into the filter bar, to edit", "prepare_filter" },
	{ 'e', "e", HS_CTX_MAIN, act_seek, HS_SK_ERR_NEXT, "Finding", "next error (failed call)", "next_error" },
	{ 'E', "E", HS_CTX_MAIN, act_seek, HS_SK_ERR_PREV, "Finding", "previous error", "prev_error" },
	{ 'w', "w", HS_CTX_MAIN, act_seek, HS_SK_ANOM_NEXT, "Finding", "next anomaly", "next_anomaly" },
	{ 'W', "W", HS_CTX_MAIN, act_seek, HS_SK_ANOM_PREV, "Finding", "previous anomaly", "prev_anomaly" },
	{ 'o', "o", HS_CTX_MAIN, act_seek, HS_SK_SESS_NEXT, "Finding", "next event of the same session", "next_in_session" },
	{ 'S', "S", HS_CTX_MAIN, act_follow_session, 0, "Finding",
	  "follow: filter to this event's session (audit logs: its login)", "follow_session" },
	{ 'O', "O", HS_CTX_MAIN, act_seek, HS_SK_SESS_PREV, "Finding", "previous event of the same session", "prev_in_session" },
	{ '%', "%", HS_CTX_MAIN, act_peer, 0, "Finding",
	  "correlated event (Login<->Logout, Init<->Final, Open<->Close, ...), again: back", "peer" },
	{ KEY_BACKSPACE, "Backspace", HS_CTX_MAIN, act_jump_back, 0, "Finding", "back to the view before the last jump or filter", "jump_back" },
	{ 127, "Backspace", HS_CTX_MAIN, act_jump_back, 0, "Finding", "back to the view before the last jump or filter", "jump_back" },
	{ ':', ":", HS_CTX_MAIN, act_goto, 0, "Finding",
	  "go to an event number, or the first event at or after a time (2026-11-22 11:23:10.5, 11:23:10, +1.5s)",
	  "goto" },

	{ 'm', "m", HS_CTX_MAIN, act_mark, 0, "Marks and export", "mark / unmark the event", "mark" },
	{ 'u', "u", HS_CTX_MAIN, act_seek, HS_SK_MARK_NEXT, "Marks and export", "next mark", "next_mark" },
	{ 'U', "U", HS_CTX_MAIN, act_seek, HS_SK_MARK_PREV, "Marks and export", "previous mark", "prev_mark" },
	{ 'C', "C", HS_CTX_MAIN, act_clear_marks, 0, "Marks and export", "clear all marks", "clear_marks" },
	{ 'x', "x", HS_CTX_MAIN, act_export, 0, "Marks and export",
	  "export the marked events, or all matching the filter (JSON, NDJSON, CSV or es-bulk, by the file's ending)",
	  "export" },

	{ 's', "s", HS_CTX_ALL, act_mode, HS_MODE_SESSIONS, "Views", "sessions and logins tree (Esc: back)", "sessions" },
	{ 'i', "i", HS_CTX_ALL, act_mode, HS_MODE_STATS, "Views", "statistics (Esc: back)", "stats" },
	{ 't', "t", HS_CTX_ALL, act_mode, HS_MODE_TIMELINE, "Views",
	  "timeline: a bar per process, thread, session (audit: HSM, login) over time (Esc: back)",
	  "timeline" },
	{ ';', ";", HS_CTX_ALL, act_sql, 0, "Views", "read-only SQL over the index, as a table (Esc: back)", "sql" },
	{ 'c', "c", HS_CTX_ALL, act_mode, HS_MODE_COLUMNS, "Views",
	  "the list's columns: show, hide, move, resize (saved for the next start; Esc: back)", "columns" },
	{ '?', "?", HS_CTX_ALL, act_mode, HS_MODE_HELP, "Views", "this help (Esc: back)", "help" },
	{ KEY_F(1), "F1", HS_CTX_ALL, act_mode, HS_MODE_HELP, "Views", "this help (Esc: back)", "help" },
	{ 27, "Esc", HS_CTX_ALL, act_back, 0, "Views", "back to the event list; in it, like Backspace", "back" },
	{ 'T', "T", HS_CTX_MAIN, act_time, 0, "Views", "time: absolute, since start, since previous", "time" },
	{ CTRL('t'), "Ctrl-T", HS_CTX_MAIN, act_time_ref, 0, "Views",
	  "set the time reference on the event (times count from it); on it again: unset", "time_ref" },
	{ 'F', "F", HS_CTX_ALL, act_follow, 0, "Views", "follow mode: show the log as it grows", "follow" },
	{ CTRL('l'), "Ctrl-L", HS_CTX_ALL, act_redraw, 0, "Views", "redraw the screen", "redraw" },
	{ 'q', "q", HS_CTX_ALL, act_quit, 0, "Views", "quit", "quit" },
	{ 'c', "c", HS_CTX_STATS, act_view, HS_VCMD_SORT_CALLS, "Statistics",
	  "sort the functions by calls", "sort_calls" },
	{ 'e', "e", HS_CTX_STATS, act_view, HS_VCMD_SORT_ERRORS, "Statistics",
	  "sort the functions by errors", "sort_errors" },
	{ 'p', "p", HS_CTX_STATS, act_view, HS_VCMD_SORT_P95, "Statistics",
	  "sort the functions by p95 duration", "sort_p95" },
	{ ' ', "Space", HS_CTX_SESSIONS, act_view, HS_VCMD_TOGGLE, "Sessions",
	  "expand or collapse the node (Enter filters to it)", "toggle" },
	{ ' ', "Space", HS_CTX_COLUMNS, act_view, HS_VCMD_COL_TOGGLE, "Column editor (c)",
	  "show or hide the column (Enter too)", "column_toggle" },
	{ 'K', "K", HS_CTX_COLUMNS, act_view, HS_VCMD_COL_UP, "Column editor (c)",
	  "move the column left (up here)", "column_left" },
	{ 'J', "J", HS_CTX_COLUMNS, act_view, HS_VCMD_COL_DOWN, "Column editor (c)",
	  "move the column right (down here)", "column_right" },
	{ '+', "+", HS_CTX_COLUMNS, act_view, HS_VCMD_COL_WIDER, "Column editor (c)",
	  "one column wider (a fixed width)", "column_wider" },
	{ '-', "-", HS_CTX_COLUMNS, act_view, HS_VCMD_COL_NARROWER, "Column editor (c)",
	  "one column narrower (a fixed width)", "column_narrower" },
	{ '0', "0", HS_CTX_COLUMNS, act_view, HS_VCMD_COL_FIT, "Column editor (c)",
	  "the width fits the content again", "column_fit" },
	{ 'd', "d", HS_CTX_COLUMNS, act_view, HS_VCMD_COL_DEFAULTS, "Column editor (c)",
	  "the log format's default columns (the saved choice is removed)", "column_defaults" },
	{ '+', "+", HS_CTX_TIMELINE, act_view, HS_VCMD_ZOOM_IN, "Timeline",
	  "zoom in (Left/Right pan; Enter filters the list to the row)", "zoom_in" },
	{ '=', "=", HS_CTX_TIMELINE, act_view, HS_VCMD_ZOOM_IN, "Timeline",
	  "zoom in (Left/Right pan; Enter filters the list to the row)", "zoom_in" },
	{ '-', "-", HS_CTX_TIMELINE, act_view, HS_VCMD_ZOOM_OUT, "Timeline", "zoom out", "zoom_out" },
	{ '0', "0", HS_CTX_TIMELINE, act_view, HS_VCMD_ZOOM_ALL, "Timeline", "the whole trace", "zoom_all" },
};

int hs_keymap_ctx(int mode)
{
	return mode == HS_MODE_MAIN ? HS_CTX_MAIN :
	       mode == HS_MODE_STATS ? HS_CTX_FULL | HS_CTX_STATS :
	       mode == HS_MODE_SESSIONS ? HS_CTX_FULL | HS_CTX_SESSIONS :
	       mode == HS_MODE_COLUMNS ? HS_CTX_FULL | HS_CTX_COLUMNS :
	       mode == HS_MODE_TIMELINE ? HS_CTX_FULL | HS_CTX_TIMELINE : HS_CTX_FULL;
}

/* A view's own binding of key (in ctx's view bits) first, then a general one. */
const struct hs_binding *hs_keymap_find(int key, int ctx)
{
	size_t i;

	for (i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].key == key && (bindings[i].ctx & ctx & ~HS_CTX_ALL))
			return &bindings[i];

	for (i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].key == key && (bindings[i].ctx & ctx))
			return &bindings[i];
	return NULL;
}

const struct hs_binding *hs_keymap_nth(int i)
{
	if (i < 0 || (size_t)i >= sizeof bindings / sizeof bindings[0])
		return NULL;
	return &bindings[i];
}

const struct hs_binding *hs_keymap_action(const char *action)
{
	size_t i;

	for (i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (strcmp(bindings[i].action, action) == 0)
			return &bindings[i];
	return NULL;
}

void hs_ui_list_keys(FILE *out)
{
	const struct hs_binding *b;

	for (int i = 0; (b = hs_keymap_nth(i)) != NULL; i++)
		fprintf(out, "%s\t%s\n", b->keyname, b->action ? b->action : "");
}
