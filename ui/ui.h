/* ui.h — the interactive explorer, started by `hsmscope FILE...`.
 *
 * Ownership: hs_ui_run() borrows files and opts for its whole run.
 */
#ifndef HS_UI_UI_H
#define HS_UI_UI_H

#include <stdio.h>

#include "hsmscope/index.h"
#include "hsmscope/sql.h"

struct hs_ui_opts {
	struct hs_index_opts iopts; /* how to open the index (callbacks are the UI's) */
	int follow;                 /* start in follow mode (--follow) */
	int color;                  /* 0 never, 1 when the terminal can (NO_COLOR respected) */
	const char *filter;         /* initial filter text, or NULL */
	/* the `;` prompt's limits from the command line, or NULL: the
	 * configuration's (sql.timeout, sql.max_memory), else the defaults */
	const struct hs_sql_limits *sql_limits;
	/* the first file as the user named it, for the status line and the
	 * export's default name ("standard input" for `-`, whose bytes were
	 * spooled to a cache file), or NULL: the file's own path */
	const char *shown;
};

/* Run the explorer on the terminal until the user quits. Returns an exit
 * code of main's enum: 0 ok, 2 input error, 3 filter error. The terminal is
 * restored before it returns, whatever happened. */
int hs_ui_run(const char *const *files, int nfiles, const struct hs_ui_opts *opts);

/* The explorer's keys as the help shows them, one per line ("key\taction"),
 * and its config actions: for `hsmscope --list keys` (the man page's test). */
void hs_ui_list_keys(FILE *out);

#endif
