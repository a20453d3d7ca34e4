/* keymap.h — the key → action table. The help screen is generated from it,
 * so a binding and its description cannot drift apart.
 *
 * Ownership: everything returned points into a static const table.
 */
#ifndef HS_UI_KEYMAP_H
#define HS_UI_KEYMAP_H

struct hs_app;

/* Where a binding applies. */
enum hs_key_ctx {
	HS_CTX_MAIN = 1,            /* the list/detail/raw screen */
	HS_CTX_FULL = 2,            /* sessions, statistics, help */
	HS_CTX_ALL = 3,
	/* one full-screen view's own keys: they win over the general ones there */
	HS_CTX_STATS = 4,           /* the statistics view */
	HS_CTX_SESSIONS = 8,        /* the sessions tree */
	HS_CTX_COLUMNS = 16,        /* the column editor */
	HS_CTX_TIMELINE = 32,       /* the timeline */
};

/* The contexts a key is looked up in: the main screen, or the full-screen
 * mode (enum hs_mode) with its own view's keys. */
int hs_keymap_ctx(int mode);

struct hs_binding {
	int key;                    /* curses key code or character */
	const char *keyname;        /* as the help shows it */
	int ctx;                    /* enum hs_key_ctx mask */
	int (*fn)(struct hs_app *app, int arg); /* returns an hs_result mask */
	int arg;                    /* passed to fn */
	const char *group;          /* help section */
	const char *help;           /* what it does; bindings sharing it share a help line */
	const char *action;         /* its name in the config file (key.<action> = ...) */
};

/* The binding of key in ctx, or NULL. */
const struct hs_binding *hs_keymap_find(int key, int ctx);
/* The first binding of the named action, or NULL. */
const struct hs_binding *hs_keymap_action(const char *action);
/* The i-th binding, NULL past the end (help, tests). */
const struct hs_binding *hs_keymap_nth(int i);

#endif
