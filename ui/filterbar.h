/* filterbar.h — line editing (shared with the prompts), filter history, and
 * the filter bar with live validation through hs_filter_compile().
 *
 * Ownership: a struct hs_filterbar owns its history strings and its path
 * (hs_fb_free). It never compiles SQL itself and never runs a query: it only
 * asks the filter module whether the text compiles, and where it does not.
 */
#ifndef HS_UI_FILTERBAR_H
#define HS_UI_FILTERBAR_H

#include <curses.h>
#include <stddef.h>

#include "theme.h"

/* Keys above this bit carry a Unicode code point (from wget_wch). */
#define HS_KEY_UNICODE 0x1000000
#define HS_KEY_CTRL(c) ((c) & 0x1f)
#define HS_KEY_ESC 27

#define HS_LINE_MAX 1024

/* An editable line of UTF-8 text with a cursor (byte offsets). */
struct hs_line {
	char buf[HS_LINE_MAX];      /* NUL-terminated */
	size_t len;                 /* bytes */
	size_t cur;                 /* cursor, bytes, on a character boundary */
};

enum hs_line_result { HS_LINE_EDITED, HS_LINE_MOVED, HS_LINE_UNUSED };

void hs_line_set(struct hs_line *l, const char *text);
/* ←/→ Home/End Backspace Delete Ctrl-A/E/U/W/K and typed characters. */
enum hs_line_result hs_line_key(struct hs_line *l, int ch);
/* Draw the line from column x in width columns, scrolled to show the cursor;
 * bad_col (1-based, 0 none) is drawn in bad_attr. Returns the cursor's screen
 * column. */
int hs_line_draw(const struct hs_line *l, WINDOW *w, int y, int x, int width, attr_t a,
                 long bad_col, attr_t bad_attr);

#define HS_HISTORY_MAX 200

struct hs_filterbar {
	struct hs_line line;        /* the text being edited */
	int active;                 /* keys go here */
	char saved[HS_LINE_MAX];    /* the applied filter, restored by Esc */
	int valid;                  /* the text compiles */
	long err_col;               /* 1-based column of the error, 0 when valid */
	char err_msg[512];          /* the compiler's message */
	char **hist;                /* owned, oldest first */
	int nhist;
	int hpos;                   /* browsing position, nhist = the edited line */
	char draft[HS_LINE_MAX];    /* the edited line while browsing history */
	char *hist_path;            /* owned; NULL when there is nowhere to save */
	char hint[512];             /* what Tab found, shown until the next key; "" none */
};

enum hs_fb_result { HS_FB_NONE, HS_FB_REDRAW, HS_FB_APPLY, HS_FB_CANCEL };

/* Load history from $XDG_STATE_HOME/hsmscope/history (or ~/.local/state). */
void hs_fb_init(struct hs_filterbar *fb);
void hs_fb_free(struct hs_filterbar *fb);
/* Start editing, the bar holding the applied filter text. */
void hs_fb_begin(struct hs_filterbar *fb, const char *current);
enum hs_fb_result hs_fb_key(struct hs_filterbar *fb, int ch);
/* Remember text (the applied filter) and save the history file (0600). */
void hs_fb_remember(struct hs_filterbar *fb, const char *text);
/* Draw the bar on row 0 of w: label, text (green/red while editing), and
 * `right` (the match count) at the right edge. */
void hs_fb_draw(const struct hs_filterbar *fb, WINDOW *w, const struct hs_theme *t,
                const char *applied, const char *right);

#endif
