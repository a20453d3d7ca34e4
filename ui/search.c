/* search.c — `/` search inside the detail and raw panes (see search.h).
 *
 * The pane tells its items' text through its view's item_text hook and
 * lends its list widget; this file finds the matches, moves the widget's
 * selection to them (a tree opens the match's parents) and, after the pane
 * is drawn, highlights what matches on screen by re-attributing the cells,
 * so that a view draws its text as always. Matching is literal and, as in
 * less -i and lnav, ignores case unless the pattern has a capital letter.
 */
#include "search.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "actions.h"
#include "app.h"
#include "listwidget.h"

static int has_upper(const char *s)
{
	for (; *s; s++)
		if (isupper((unsigned char)*s))
			return 1;
	return 0;
}

/* Whether text[0..len) contains pat (ASCII case folded when icase). */
static int contains(const char *text, size_t len, const char *pat, int icase)
{
	size_t n = strlen(pat), i, k;

	if (!n || n > len)
		return 0;
	for (i = 0; i + n <= len; i++) {
		for (k = 0; k < n; k++) {
			unsigned char a = (unsigned char)text[i + k], b = (unsigned char)pat[k];
			if (icase ? tolower(a) != tolower(b) : a != b)
				break;
		}
		if (k == n)
			return 1;
	}
	return 0;
}

static int searchable(struct hs_app *app, int pane)
{
	return app->mode == HS_MODE_MAIN && pane != HS_PANE_LIST && app->view[pane]->item_text &&
	       app->view[pane]->widget;
}

/* The item the widget has selected (tree: its node), -1 when none. */
static int64_t current(struct hs_lw *lw)
{
	if (lw->sel < 0)
		return -1;
	return lw->tree ? hs_lw_node_at(lw, lw->sel) : lw->sel;
}

static void select_item(struct hs_lw *lw, int64_t i)
{
	if (lw->tree)
		hs_lw_select_node(lw, (int)i);
	else
		hs_lw_select(lw, i, 1);
}

/* Go to the next (dir 1) or previous (-1) match after the selected item,
 * wrapping, and say where we are. from_here: the selected item counts
 * (a new search starts on the selected line, as less starts at the top). */
static int go(struct hs_app *app, int pane, int dir, int from_here)
{
	const struct hs_view *v = app->view[pane];
	void *st = app->vstate[pane];
	struct hs_lw *lw = v->widget(st);
	int icase = !has_upper(app->search), wrapped = 0;
	int64_t n, i, cur = current(lw), hit = -1, k, total = 0, rank = 0;
	const char *t;
	size_t len;

	/* keys typed ahead (":27 Enter Tab /x Enter") reach here before the
	 * pane was drawn for the selected event: bring it up to date first */
	if (app->pane[pane])
		v->draw(app, st, app->pane[pane], app->focus == pane);
	for (n = 0; v->item_text(st, n, &len); n++)
		;
	if (n == 0) {
		hs_app_msg(app, 0, "nothing to search in this pane");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (cur < 0)
		cur = dir > 0 ? n - 1 : 0;
	for (k = from_here ? 0 : 1; k <= n; k++) {
		i = ((cur + dir * k) % n + n) % n;
		t = v->item_text(st, i, &len);
		if (t && contains(t, len, app->search, icase)) {
			hit = i;
			wrapped = dir > 0 ? i < cur || (i == cur && k) : i > cur || (i == cur && k);
			break;
		}
	}
	if (hit < 0) {
		hs_app_msg(app, 1, "not found: %s", app->search);
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	for (i = 0; i < n; i++) {
		t = v->item_text(st, i, &len);
		if (t && contains(t, len, app->search, icase)) {
			total++;
			if (i <= hit)
				rank++;
		}
	}
	select_item(lw, hit);
	/* short: the status line's left part leaves ~35 columns at 80 */
	if (wrapped)
		hs_app_msg(app, 0, "wrapped to the %s: %lld of %lld", dir > 0 ? "top" : "bottom",
		           (long long)rank, (long long)total);
	else
		hs_app_msg(app, 0, "/%s: %lld of %lld (n/N)", app->search, (long long)rank,
		           (long long)total);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static int search_done(struct hs_app *app, const char *text)
{
	if (!text)
		return HS_R_HANDLED;
	if (!*text) { /* empty: the last pattern again, as in less */
		if (!app->search[0])
			return HS_R_HANDLED;
	} else {
		hs_strlcpy(app->search, text, sizeof app->search);
	}
	app->search_pane = app->focus;
	if (!searchable(app, app->focus))
		return HS_R_HANDLED;
	return go(app, app->focus, 1, 1);
}

int act_search(struct hs_app *app, int arg)
{
	(void)arg;
	if (!searchable(app, app->focus))
		return act_filter(app, 0);
	hs_app_prompt(app, app->focus == HS_PANE_DETAIL ? "search the detail: /" : "search the raw lines: /",
	              "", 0, search_done);
	return HS_R_HANDLED | HS_R_REDRAW;
}

int act_search_next(struct hs_app *app, int dir)
{
	if (!app->search[0]) {
		hs_app_msg(app, 0, "no search: Tab to a pane, then /");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (!searchable(app, app->focus)) {
		hs_app_msg(app, 0, "n/N search a pane: Tab to it");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	app->search_pane = app->focus;
	return go(app, app->focus, dir, 0);
}

void hs_search_highlight(struct hs_app *app, int pane, WINDOW *w)
{
	wchar_t pat[256], *line;
	int rows = getmaxy(w), cols = getmaxx(w), y, x, k, icase = !has_upper(app->search);
	size_t plen;

	if (!app->search[0] || pane != app->search_pane || !searchable(app, pane))
		return;
	plen = mbstowcs(pat, app->search, sizeof pat / sizeof pat[0] - 1);
	if (plen == (size_t)-1 || plen == 0 || (int)plen > cols || !(line = calloc((size_t)cols, sizeof *line)))
		return;
	for (y = 0; y < rows; y++) {
		for (x = 0; x < cols; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1] = { 0 };
			attr_t a;
			short pair;
			line[x] = L' ';
			if (mvwin_wch(w, y, x, &cc) == OK && getcchar(&cc, wc, &a, &pair, NULL) != ERR && wc[0])
				line[x] = wc[0];
		}
		for (x = 0; x + (int)plen <= cols; x++) {
			for (k = 0; k < (int)plen; k++)
				if (icase ? towlower((wint_t)line[x + k]) != towlower((wint_t)pat[k]) : line[x + k] != pat[k])
					break;
			if (k < (int)plen)
				continue;
			for (k = 0; k < (int)plen; k++) {
				cchar_t cc;
				wchar_t wc[CCHARW_MAX + 1] = { 0 };
				attr_t a = 0;
				short pair = 0;
				if (mvwin_wch(w, y, x + k, &cc) == OK)
					getcchar(&cc, wc, &a, &pair, NULL);
				mvwchgat(w, y, x + k, 1, ((a & ~A_COLOR) ^ A_REVERSE) | A_BOLD | A_UNDERLINE, pair, NULL);
			}
			x += (int)plen - 1;
		}
	}
	free(line);
}
