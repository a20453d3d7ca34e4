/* theme.h — colour pairs, the role → attribute mapping, and the only way
 * text reaches the screen: escaped (hs_escape) and clipped by display width.
 *
 * Ownership: a struct hs_theme owns its colouring rules (hs_theme_free).
 * Nothing here decides what is an error: callers pass a role.
 */
#ifndef HS_UI_THEME_H
#define HS_UI_THEME_H

#include <curses.h>
#include <stddef.h>

struct hs_filter;

enum hs_role {
	HS_ROLE_NORMAL,
	HS_ROLE_HEADER,             /* column header of the list */
	HS_ROLE_TITLE,              /* pane title, unfocused */
	HS_ROLE_TITLE_FOCUS,        /* pane title, focused */
	HS_ROLE_STATUS,             /* status line */
	HS_ROLE_SELECTED,           /* selected row of the focused pane */
	HS_ROLE_SELECTED_DIM,       /* selected row of another pane */
	HS_ROLE_ERROR,              /* failed call */
	HS_ROLE_WARN,               /* call that never returned */
	HS_ROLE_ANOMALY,            /* event with an anomaly */
	HS_ROLE_MARK,               /* the mark column */
	HS_ROLE_FILTER_OK,          /* filter bar: text compiles */
	HS_ROLE_FILTER_BAD,         /* filter bar: text does not compile */
	HS_ROLE_FILTER_BADCHAR,     /* the character the error points at */
	HS_ROLE_DIM,                /* secondary text */
	HS_ROLE_KEY,                /* a key name in hints and help */
	HS_ROLE_BAR,                /* histogram bar */
	HS_ROLE_BAR_ERR,            /* histogram bar of errors */
	HS_ROLE_MSG_ERR,            /* an error message on the status line */
	HS_ROLE_COUNT
};

/* A Wireshark-style colouring rule: events matching the filter get a role. */
struct hs_color_rule {
	char name[32];              /* for messages */
	enum hs_role role;          /* what matching rows look like */
	struct hs_filter *filter;   /* owned */
};

#define HS_MAX_RULES 16

struct hs_theme {
	int color;                  /* 1 when colours are in use */
	attr_t attr[HS_ROLE_COUNT]; /* the attribute of each role */
	struct hs_color_rule rules[HS_MAX_RULES]; /* user rules, first match wins */
	int nrules;
	char rules_error[256];      /* first problem met reading the rules, or "" */
};

/* Set up colours (when want_color and the terminal has them) or monochrome
 * attributes. Call after initscr(). */
void hs_theme_init(struct hs_theme *t, int want_color);
/* Give role the colours fg on bg (curses numbers, -1 default); nothing on
 * a monochrome terminal. */
void hs_theme_set_color(struct hs_theme *t, enum hs_role r, short fg, short bg);
/* Read colouring rules from path, lines "ROLE FILTER" (ROLE one of error,
 * warn, anomaly, mark, dim), '#' comments. A missing file is not an error. */
void hs_theme_load_rules(struct hs_theme *t, const char *path);
void hs_theme_free(struct hs_theme *t);
attr_t hs_theme_attr(const struct hs_theme *t, enum hs_role r);

/* Draw s[0..len) escaped, at (y, x), in at most maxw columns, with attr a.
 * A text wider than maxw ends in an ellipsis (`…`, or `~` when the
 * terminal is not UTF-8), so a cut never looks like a whole value.
 * Returns the columns used. */
int hs_theme_put(WINDOW *w, int y, int x, int maxw, const char *s, size_t len, attr_t a);
int hs_theme_puts(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a);
/* The same as hs_theme_puts (every cut shows now); kept for the callers
 * that say so. */
int hs_theme_puts_cut(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a);
/* The ellipsis hs_theme_puts_cut draws. */
const char *hs_theme_ellipsis(void);
/* Display columns s would take once escaped. */
int hs_theme_width(const char *s, size_t len);
/* Fill columns [x, x+n) of row y with blanks in attr a. */
void hs_theme_fill(WINDOW *w, int y, int x, int n, attr_t a);

#endif
