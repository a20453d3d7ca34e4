/* main_int.h — what the hsmscope command's files share (main.c and the
 * cmd_*.c of commands that have grown a file of their own). Not part of
 * the core: these files are linked into the binary only.
 *
 * Ownership: a struct cli is main()'s; its strings point into argv.
 */
#ifndef HSMSCOPE_MAIN_INT_H
#define HSMSCOPE_MAIN_INT_H

#include <stdint.h>

#include "hsmscope/cli.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/sql.h"

/* Exit codes, also in the man page. */
enum hs_exit {
	EXIT_OK = 0,                /* done */
	EXIT_USAGE = 1,             /* bad command line */
	EXIT_INPUT = 2,             /* a log could not be read, or an output not written */
	EXIT_FILTER = 3,            /* the filter does not compile */
	/* grep only, as grep(1): 1 is "nothing matched", so grep's usage
	 * errors need a code of their own to stay apart from it */
	EXIT_NOMATCH = 1,           /* grep: no event matched */
	EXIT_GREP_USAGE = 4,        /* grep: bad command line */
};

struct cli {
	const char *cmd;            /* command name; "ui" for the explorer */
	int stdin_implicit;         /* no FILE given: "-" was added for a piped stdin */
	char stdin_path[4200];      /* where standard input was spooled ("-" in files
	                               then points here) */
	const struct hs_cli_command *command; /* its row of commands[] */
	const char *format;         /* --format */
	const char *filter;         /* --filter / grep's expression */
	const char *sql;            /* sql's statement */
	const char *es_index;       /* export --es-index */
	const char *out;            /* -o */
	int force;                  /* --force */
	int count;                  /* grep --count: only the number of matches */
	int invert;                 /* grep -v: the events that do not match */
	int64_t max;                /* grep -m: stop after this many matches, 0 = all */
	int json;                   /* grep --json: matching events as NDJSON */
	const char *expr;           /* grep -e: the expression, never a file */
	char tz_config[64];         /* the config file's tz, when no --tz */
	int color;                  /* colour the output */
	const char *color_when;     /* --color */
	int follow;                 /* --follow, for the explorer */
	struct hs_index_opts iopts; /* index options */
	struct hs_sql_limits sql_limits; /* sql: --timeout, --max-memory */
	int sql_limits_given;       /* one of them was on the command line */
	char **files;               /* positional inputs (argv slice) */
	int nfiles;
};

/* A query failed: say why, and the exit code (interrupted: 2, a regex
 * limit: 3, a write error names standard output, else 2). */
int hs_cli_query_failed(struct hs_index *ix, struct hs_error *err);

/* grep (cmd_grep.c): its arguments in either order, then the command. */
int hs_cli_grep_args(struct cli *c);
int hs_cli_grep(struct cli *c, struct hs_index *ix, struct hs_filter *f);

#endif
