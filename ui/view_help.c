/* view_help.c — the help screen, generated from the key map (so it cannot
 * miss a binding), followed by the filter fields the filter module knows
 * and the meaning of the row colours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/filter.h"
#include "keymap.h"
#include "listwidget.h"

struct hline {
	char keys[48];              /* "j, Down" or "" */
	char text[200];             /* what it does, or a section title */
	int title;                  /* 1 = section title */
	enum hs_role role;          /* colour sample rows */
};

struct help {
	struct hs_lw lw;            /* over rows */
	struct hline *lines;        /* owned: the help, one line per binding */
	int n, cap;
	struct hline *rows;         /* owned: lines wrapped to the screen's width */
	int nrows;
	int wrapped_for;            /* width rows were made for, 0 none */
	struct hs_app *app;
};

#define KEYS_X 3                /* column of the keys */
#define TEXT_X 29               /* column of the descriptions */

static struct hline *push(struct help *h)
{
	if (h->n == h->cap) {
		int cap = h->cap ? h->cap * 2 : 64;
		struct hline *nl = realloc(h->lines, (size_t)cap * sizeof *nl);
		if (!nl)
			return NULL;
		h->lines = nl;
		h->cap = cap;
	}
	memset(&h->lines[h->n], 0, sizeof h->lines[h->n]);
	return &h->lines[h->n++];
}

static void text(struct help *h, int title, enum hs_role role, const char *keys, const char *s)
{
	struct hline *l = push(h);

	if (!l)
		return;
	l->title = title;
	l->role = role;
	hs_strlcpy(l->keys, keys, sizeof l->keys);
	hs_strlcpy(l->text, s, sizeof l->text);
}

static void *help_open(struct hs_app *app)
{
	struct help *h = calloc(1, sizeof *h);
	const struct hs_binding *b, *prev = NULL;
	const char *group = "", *name, *fhelp;
	char line[200];
	int i;

	(void)app;
	if (!h)
		return NULL;
	hs_lw_init(&h->lw, 0);
	text(h, 1, HS_ROLE_NORMAL, "", "hsmscope: keys (Esc or ? to go back; q quits)");
	for (i = 0; (b = hs_keymap_nth(i)); i++) {
		if (strcmp(b->group, group) != 0) {
			group = b->group;
			text(h, 0, HS_ROLE_NORMAL, "", "");
			text(h, 1, HS_ROLE_NORMAL, "", group);
		}
		/* bindings sharing a description share a line */
		if (prev && strcmp(prev->help, b->help) == 0 && h->n) {
			struct hline *l = &h->lines[h->n - 1];
			if (!strstr(l->keys, b->keyname) && strlen(l->keys) + strlen(b->keyname) + 3 < sizeof l->keys) {
				strcat(l->keys, ", ");
				strcat(l->keys, b->keyname);
			}
		} else {
			text(h, 0, HS_ROLE_NORMAL, b->keyname, b->help);
		}
		prev = b;
	}
	text(h, 0, HS_ROLE_NORMAL, "", "");
	text(h, 1, HS_ROLE_NORMAL, "", "Sessions view (s): process > slot > session > login > operation");
	text(h, 0, HS_ROLE_NORMAL, "Enter", "filter the list to the node's events and go back to it "
	     "(on a call: that event in the whole list); Backspace comes back");
	text(h, 0, HS_ROLE_NORMAL, "Right, Left, Space", "open / close a node (Left on a closed one: its parent)");
	text(h, 0, HS_ROLE_NORMAL, "Esc", "back to the list, filter unchanged");
	text(h, 0, HS_ROLE_NORMAL, "", "");
	text(h, 1, HS_ROLE_NORMAL, "", "Timeline (t): a row per process, thread, session (audit: HSM, login)");
	text(h, 0, HS_ROLE_NORMAL, "= x ! > -", "calls, a failed call, an anomaly, never ended, between calls");
	text(h, 0, HS_ROLE_NORMAL, "Left, Right", "pan the time window (+ - 0: zoom in, out, all)");
	text(h, 0, HS_ROLE_NORMAL, "Enter", "filter the list to the row's events (Backspace comes back)");
	text(h, 0, HS_ROLE_NORMAL, "", "");
	text(h, 1, HS_ROLE_NORMAL, "", "Filter bar");
	text(h, 0, HS_ROLE_NORMAL, "Left, Right, Home, End", "move in the text");
	text(h, 0, HS_ROLE_NORMAL, "Backspace, Delete", "delete a character");
	text(h, 0, HS_ROLE_NORMAL, "Ctrl-U / Ctrl-W", "clear the text / delete the word before the cursor");
	text(h, 0, HS_ROLE_NORMAL, "Tab", "complete a field, a constant (CKR_, CKM_, CKA_, ...) or a function name");
	text(h, 0, HS_ROLE_NORMAL, "Up, Down", "earlier filters (history)");
	text(h, 0, HS_ROLE_NORMAL, "Enter / Esc", "apply (only when the bar is green) / cancel");
	text(h, 0, HS_ROLE_NORMAL, "", "");
	text(h, 1, HS_ROLE_NORMAL, "", "Filter fields (e.g.  rv != CKR_OK && func ~ \"^C_Sign\"  or a regex)");
	for (i = 0; (name = hs_filter_field_name(i, &fhelp)); i++) {
		snprintf(line, sizeof line, "%s", fhelp ? fhelp : "");
		text(h, 0, HS_ROLE_NORMAL, name, line);
	}
	text(h, 0, HS_ROLE_NORMAL, "", "");
	text(h, 1, HS_ROLE_NORMAL, "", "Row colours (add rules in ~/.config/hsmscope/colors: ROLE FILTER)");
	text(h, 0, HS_ROLE_ERROR, "error", "the call failed (rv is not CKR_OK / not SUCCESS)");
	text(h, 0, HS_ROLE_WARN, "warn", "the call never returned in the log");
	text(h, 0, HS_ROLE_ANOMALY, "anomaly", "correlation found something wrong (see the detail pane)");
	text(h, 0, HS_ROLE_MARK, "*", "a marked event");
	return h;
}

static void help_close(void *st)
{
	struct help *h = st;

	free(h->lines);
	free(h->rows);
	hs_lw_free(&h->lw);
	free(h);
}

static void draw_line(void *ctx, WINDOW *w, int y, int x, int width, int64_t row, int selected)
{
	struct help *h = ctx;
	const struct hs_theme *t = &h->app->theme;
	const struct hline *l = &h->rows[row];
	attr_t a = selected ? hs_theme_attr(t, HS_ROLE_SELECTED) : A_NORMAL;

	if (selected)
		hs_theme_fill(w, y, x, width, a);
	if (l->title) {
		hs_theme_puts(w, y, x + 1, width - 1, l->text, a | A_BOLD);
		return;
	}
	hs_theme_puts(w, y, x + KEYS_X, TEXT_X - KEYS_X - 2, l->keys,
	              selected ? a : hs_theme_attr(t, l->role == HS_ROLE_NORMAL ? HS_ROLE_KEY : l->role));
	hs_theme_puts(w, y, x + TEXT_X, width - TEXT_X, l->text, a);
}

/* Wrap the descriptions at blanks to the room right of the keys, so a
 * narrow terminal shows all of them; a word longer than the room is cut by
 * the drawing. Returns the rows made (counting only when out is NULL). */
static int wrap(const struct help *h, int room, struct hline *out)
{
	int i, n = 0;

	for (i = 0; i < h->n; i++) {
		const struct hline *l = &h->lines[i];
		const char *p = l->text;
		int first = 1;
		if (l->title || hs_theme_width(p, strlen(p)) <= room) {
			if (out)
				out[n] = *l;
			n++;
			continue;
		}
		while (*p) {
			size_t cut = strlen(p), sp = 0, k;
			/* the longest prefix ending before a blank that fits */
			for (k = 1; k <= strlen(p); k++)
				if ((p[k] == ' ' || p[k] == '\0') && hs_theme_width(p, k) <= room)
					sp = k;
			if (hs_theme_width(p, cut) > room)
				cut = sp ? sp : cut;
			if (out) {
				out[n] = *l;
				if (!first)
					out[n].keys[0] = '\0';
				snprintf(out[n].text, sizeof out[n].text, "%.*s", (int)cut, p);
			}
			n++;
			first = 0;
			p += cut;
			while (*p == ' ')
				p++;
		}
	}
	return n;
}

static void help_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct help *h = st;
	int width = getmaxx(w), room = width - TEXT_X, n;
	struct hline *rows;

	(void)focused;
	h->app = app;
	if (width != h->wrapped_for && room > 8) {
		n = wrap(h, room, NULL);
		if ((rows = calloc((size_t)n, sizeof *rows))) {
			wrap(h, room, rows);
			free(h->rows);
			h->rows = rows;
			h->nrows = n;
			h->wrapped_for = width;
			hs_lw_set_rows(&h->lw, n);
		}
	}
	if (!h->rows)
		return;
	hs_lw_set_height(&h->lw, getmaxy(w));
	hs_lw_draw(&h->lw, w, 0, getmaxx(w), draw_line, h, A_NORMAL);
}

static int help_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	(void)app;
	return hs_lw_nav(&((struct help *)st)->lw, cmd);
}

static int help_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	(void)app;
	(void)x;
	(void)dbl;
	return hs_lw_click(&((struct help *)st)->lw, y);
}

const struct hs_view hs_view_help = {
	.name = "Help",
	.open = help_open,
	.close = help_close,
	.draw = help_draw,
	.nav = help_nav,
	.click = help_click,
};
