/* main.c — the hsmscope command: argument parsing, the batch commands and
 * their exit codes. It wires the core's modules together and holds no
 * logic of its own beyond formatting their answers for a terminal or pipe.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>

#include "hsmscope/export.h"
#include "hsmscope/cli.h"
#include "hsmscope/config.h"
#include "hsmscope/detect.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/lifecycle.h"
#include "hsmscope/metrics.h"
#include "hsmscope/query.h"
#include "hsmscope/report.h"
#include "hsmscope/safefile.h"
#include "hsmscope/spool.h"
#include "hsmscope/sql.h"
#include "hsmscope/sqlout.h"
#include "hsmscope/stats.h"
#include "hsmscope/version.h"
#include "../ui/ui.h"
#include "main_int.h"


static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Set by SQLite's error log when a statement met a damaged index page,
 * whichever module ran it and whether or not it looked at the result
 * code: the command then ends with one line that says so and exit 2. */
static int index_damaged;

static void on_sqlite_log(void *ctx, int code, const char *msg)
{
	(void)ctx;
	(void)msg;
	if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
		index_damaged = 1;
}

/* Errors name files and quote log text: both escaped, like all output. */
static void print_error(const struct hs_error *e)
{
	char buf[1024];

	if (index_damaged)
		return; /* the damage is the cause: said once, at the end */
	hs_error_format(e, buf, sizeof buf);
	fputs("hsmscope: ", stderr);
	hs_escape_puts(stderr, buf);
	if (e->hint[0]) {
		fputs(" (", stderr);
		hs_escape_puts(stderr, e->hint);
		fputc(')', stderr);
	}
	fputc('\n', stderr);
}

/* An error writing to standard output: name it, as every write error does. */
static int output_error(struct hs_error *e)
{
	if (!e->file[0])
		hs_strlcpy(e->file, "standard output", sizeof e->file);
	print_error(e);
	return EXIT_INPUT;
}

static void on_file_error(void *ctx, const struct hs_error *e)
{
	int *reported = ctx;

	(*reported)++;
	print_error(e);
}

/* The commands, in --help's order; the explorer (no name) last. */
enum {
	G_FORMAT = 1 << 0,          /* --format */
	G_FILTER = 1 << 1,          /* --filter */
	G_EXPORT = 1 << 2,          /* export's output options */
	G_GREP = 1 << 3,            /* grep's options */
	G_SQL = 1 << 4,             /* the limits of an SQL statement */
	G_UI = 1 << 5,              /* the explorer's */
};

static int cmd_analyze(struct cli *c, struct hs_index *ix, struct hs_filter *f);
static int cmd_export(struct cli *c, struct hs_index *ix, struct hs_filter *f);
static int cmd_index(struct cli *c, struct hs_index *ix, struct hs_filter *f);
static int cmd_sessions(struct cli *c, struct hs_index *ix, struct hs_filter *f);
static int cmd_sql(struct cli *c, struct hs_index *ix, struct hs_filter *f);

static const struct hs_cli_command commands[] = {
	{ "analyze", "FILE...", "a report: calls, errors, anomalies, failed calls, the\n"
	  "slowest, functions, processes; per HSM its gaps, logins, keys",
	  "text json events pretty-events openmetrics", G_FORMAT | G_FILTER },
	{ "export", "FILE...", "the events as JSON (or NDJSON, es-bulk, CSV)",
	  "json ndjson es-bulk csv", G_FORMAT | G_FILTER | G_EXPORT },
	{ "grep", "EXPR FILE...", "one line per event matching the filter EXPR (either\n"
	  "order: an existing file is a file; -e EXPR to be explicit)", NULL, G_GREP },
	{ "index", "FILE...", "build or refresh the index and say where it is", NULL, 0 },
	{ "sessions", "FILE...", "the lifecycle tree: process > slot > session > login >\n"
	  "operations (audit: HSM > login > commands), with times,\n"
	  "counts, errors and what never ended", "text json", G_FORMAT },
	{ "sql", "FILE... STMT", "run one read-only SQL statement over the index\n"
	  "(schema: man hsmscope, or  sql FILE \"SELECT sql FROM sqlite_schema\")",
	  "table csv json", G_FORMAT | G_SQL },
	{ "", "FILE...", "open the interactive explorer (? shows its keys)", NULL, G_SQL | G_UI },
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

/* Every option: getopt's table, --help, usage checks and the completions
 * are made from this one. */
static const struct hs_cli_option options[] = {
	{ "format", 0, 1, "FMT", "@formats", G_FORMAT, NULL },
	{ "filter", 0, 1, "EXPR", NULL, G_FILTER, "analyze and export only the events matching EXPR" },
	{ "output", 'o', 1, "FILE", "@file", G_EXPORT, "export: write FILE (atomically; never overwritten without\n"
	  "--force); - is standard output" },
	{ "force", 0, 0, NULL, NULL, G_EXPORT, "replace an existing output file (a regular file only; its\n"
	  "permissions are kept)" },
	{ "es-index", 0, 1, "NAME", NULL, G_EXPORT, "export --format es-bulk: the _index (default hsmscope-events)" },
	{ "count", 'c', 0, NULL, NULL, G_GREP, "grep: print only the number of matching events" },
	{ "invert-match", 'v', 0, NULL, NULL, G_GREP, "grep: the events that do not match" },
	{ "max-count", 'm', 1, "N", NULL, G_GREP, "grep: stop after N matching events" },
	{ "json", 0, 0, NULL, NULL, G_GREP, "grep: the matching events as NDJSON (export's schema)" },
	{ "regexp", 'e', 1, "EXPR", NULL, G_GREP, "grep: the expression (when it could be taken for a file)" },
	{ "index", 0, 1, "FILE", "@file", 0, "use this index file instead of ~/.cache/hsmscope/ (it must\n"
	  "be missing, empty or an hsmscope index)" },
	{ "rebuild", 0, 0, NULL, NULL, 0, "ignore an existing index" },
	{ "keep-going", 0, 0, NULL, NULL, 0, "with several files, load the good ones when some are bad;\n"
	  "a cut or corrupt compressed file: keep the events before it" },
	{ "hsm", 0, 1, "NAME", NULL, 0, "HSM id for CloudHSM audit text files (default: file name)" },
	{ "redact", 0, 1, "data", "data", 0, "also hide data buffers (PINs and secret keys always are)" },
	{ "color", 0, 1, "WHEN", "auto always never", 0, "auto (default), always, never; NO_COLOR is respected" },
	{ "tz", 0, 1, "ZONE", NULL, 0, "the zone local-time logs (the spy's) were written in, e.g.\n"
	  "Europe/Paris: JSON and reports then carry its offset" },
	{ "follow", 0, 0, NULL, NULL, G_UI, "explorer: show the log as it grows, like tail -f" },
	{ "timeout", 0, 1, "SECONDS", NULL, G_SQL, "sql: stop a statement after this long (default 30; 0: never)" },
	{ "max-memory", 0, 1, "MB", NULL, G_SQL, "sql: stop a statement that needs more (default 512; 0: no limit)" },
	{ "help", 'h', 0, NULL, NULL, 0, "this help;  --version  the version;  --list commands|options|\n"
	  "formats|fields|keys|inputs [CMD] and --complete bash|zsh: the\n"
	  "tables above, for scripts and shells" },
};
#define NOPTIONS ((int)(sizeof options / sizeof options[0]))

static const char usage_head[] =
	"usage: hsmscope COMMAND [OPTIONS] FILE...\n"
	"\n"
	"Index and analyse PKCS#11 call traces and AWS CloudHSM audit logs.\n"
	"\n";

static const char usage_tail[] =
	"\n"
	"filters: field expressions like  rv != CKR_OK && func ~ \"^C_Sign\"  or\n"
	"  session == 0x1 && dur > 5ms. Text that is not an expression is a PCRE2\n"
	"  regex over each event's text, case-sensitive unless it is all lower case.\n"
	"  ok, error and incomplete are booleans: an incomplete call is neither ok\n"
	"  nor error, so !ok is error || incomplete.\n"
	"\n"
	"Ctrl-C stops any command; in the explorer it (or Esc) stops a running\n"
	"  filter, statistics or SQL statement and keeps the view as it was.\n"
	"\n"
	"exit status: 0 ok, 1 usage, 2 input error (or interrupted), 3 filter or\n"
	"  SQL error (a regex or SQL limit hit included); grep, as grep(1): 0\n"
	"  something matched, 1 nothing matched, 2 input error, 3 filter error,\n"
	"  4 usage error.\n";

/* name, or with w words wrapped at 78 columns after an indent */
static void put_wrapped(FILE *out, const char *word, int *col)
{
	int w = (int)strlen(word) + 1;

	if (*col + w > 78) {
		fputs("\n ", out);
		*col = 1;
	}
	fprintf(out, " %s", word);
	*col += w;
}

/* The usage: commands and options from their tables, the filter fields
 * from the filter compiler, the formats from the parser registry — so a
 * new command, option, field or parser is listed without editing text. */
static void print_usage(FILE *out)
{
	const struct hs_parser_desc *const *d = hs_detect_parsers();
	const char *name;
	char word[96];
	int col, i;

	fputs(usage_head, out);
	hs_cli_help(out, commands, NCOMMANDS, options, NOPTIONS);
	fputs(usage_tail, out);
	fputs("\nany input may be compressed: gzip, bzip2, xz, zstd (told by content, not name);\n"
	      "FILE - is standard input, and so is no FILE when it is not a terminal\n", out);
	fputs("\nfilter fields (man hsmscope: FILTERS):\n ", out);
	for (col = 1, i = 0; (name = hs_filter_field_name(i, NULL)) != NULL; i++)
		put_wrapped(out, name, &col);
	fputs("\n\ninputs, detected from their content (man hsmscope: INPUT FORMATS):\n ", out);
	for (col = 1, i = 0; d[i]; i++) {
		snprintf(word, sizeof word, "%s%s", d[i]->title, d[i + 1] ? "," : "");
		put_wrapped(out, word, &col);
	}
	fputc('\n', out);
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "hsmscope: %s%s", msg, arg ? ": " : "");
	hs_escape_puts(stderr, arg);
	fputs("\nTry 'hsmscope --help'.\n", stderr);
	return EXIT_USAGE;
}

/* ------------------------------------------------------------- analyze */

static int print_json(cJSON *o)
{
	char *s = cJSON_Print(o);
	int rc;

	if (!s)
		return -1;
	rc = hs_json_puts(stdout, s);
	putchar('\n');
	cJSON_free(s);
	return rc;
}

static int compile_filter(const char *text, struct hs_filter **f)
{
	struct hs_error err;
	struct hs_buf b;

	*f = NULL;
	if (!text)
		return EXIT_OK;
	if (hs_filter_compile(text, f, &err) == 0)
		return EXIT_OK;
	hs_buf_init(&b);
	hs_filter_error_caret(text, &err, &b);
	fprintf(stderr, "hsmscope: %s", hs_buf_cstr(&b));
	if (b.len && b.data[b.len - 1] != '\n')
		fputc('\n', stderr);
	hs_buf_free(&b);
	return EXIT_FILTER;
}

/* The exit code of a query that failed on the index: a signal stopped it,
 * a regex of the filter hit a PCRE2 limit (the filter's fault: 3), or the
 * index could not be read (2). The message is printed here. */
int hs_cli_query_failed(struct hs_index *ix, struct hs_error *err)
{
	if (interrupted) {
		fprintf(stderr, "hsmscope: interrupted\n");
		return EXIT_INPUT;
	}
	if (hs_index_take_regex_limit(ix)) {
		fprintf(stderr, "hsmscope: filter: %s (the regex needs too many steps on some event; "
		        "anchor it or make it less ambiguous)\n", err->msg);
		return EXIT_FILTER;
	}
	if (strncmp(err->msg, "write error", 11) == 0)
		return output_error(err); /* names standard output */
	print_error(err);
	return EXIT_INPUT;
}

/* --timeout / --max-memory: a number >= 0 (0: no limit). */
static int parse_limit(const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v >= 0) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

static int open_index(struct cli *c, struct hs_index **ix)
{
	struct hs_error err;
	int reported = 0;

	c->iopts.ctx = &reported;
	if (hs_index_open((const char *const *)c->files, c->nfiles, &c->iopts, ix, &err) < 0) {
		/* bad inputs were reported one by one as they were met */
		if (err.msg[0] && (!reported || c->nfiles > 1))
			print_error(&err);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

static int cmd_analyze(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	struct hs_stats s;
	struct hs_error err;
	const char *fmt = c->format ? c->format : "text";

	if (strcmp(fmt, "events") == 0 || strcmp(fmt, "pretty-events") == 0) {
		enum hs_export_format ef = fmt[0] == 'p' ? HS_EXPORT_PRETTY : HS_EXPORT_NDJSON;
		if (hs_export_events(ix, f, ef, stdout, &err) < 0) {
			return hs_cli_query_failed(ix, &err);
		}
		return EXIT_OK;
	}
	if (hs_stats_compute(ix, f, &s, &err) < 0) {
		return hs_cli_query_failed(ix, &err);
	}
	if (strcmp(fmt, "openmetrics") == 0) {
		int rc = hs_metrics_write(ix, f, &s, stdout, &err);
		hs_stats_free(&s);
		if (rc < 0) {
			return hs_cli_query_failed(ix, &err);
		}
		return EXIT_OK;
	}
	if (strcmp(fmt, "json") == 0) {
		cJSON *o = hs_export_summary(ix, &s);
		if (c->filter)
			cJSON_AddStringToObject(o, "filter", c->filter);
		print_json(o);
		cJSON_Delete(o);
	} else if (hs_report_text(ix, &s, f, stdout, &err) < 0) {
		hs_stats_free(&s);
		return hs_cli_query_failed(ix, &err);
	}
	hs_stats_free(&s);
	return EXIT_OK;
}

/* -------------------------------------------------------------- export */

struct export_job {
	struct hs_index *ix;
	struct hs_filter *f;
	enum hs_export_format fmt;
	const char *es_index;       /* es-bulk's _index, NULL: default */
	int64_t written;
};

static int export_fn(void *ctx, FILE *out, struct hs_error *err)
{
	struct export_job *j = ctx;

	j->written = hs_export_events_to(j->ix, j->f, j->fmt, j->es_index, out, err);
	return j->written < 0 ? -1 : 0;
}

static int cmd_export(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	struct export_job j = { ix, f, HS_EXPORT_JSON, c->es_index, 0 };
	struct hs_error err;

	hs_error_clear(&err);
	if (c->format && strcmp(c->format, "ndjson") == 0)
		j.fmt = HS_EXPORT_NDJSON;
	else if (c->format && strcmp(c->format, "es-bulk") == 0)
		j.fmt = HS_EXPORT_ES_BULK;
	else if (c->format && strcmp(c->format, "csv") == 0)
		j.fmt = HS_EXPORT_CSV;
	if (c->out && strcmp(c->out, "-") != 0) {
		const char *ipath = hs_index_info(ix)->path;
		int i;
		/* not even --force writes over a log being read, or the index */
		for (i = 0; i <= c->nfiles; i++)
			if (hs_safe_same_file(c->out, i < c->nfiles ? c->files[i] : ipath)) {
				hs_error_set(&err, c->out, 0, 0, "is %s; not overwritten",
				             i < c->nfiles ? "one of the logs being read" : "the index");
				print_error(&err);
				return EXIT_INPUT;
			}
		if (hs_export_to_file(c->out, c->force, export_fn, &j, &err) < 0) {
			return hs_cli_query_failed(ix, &err);
		}
		fprintf(stderr, "hsmscope: wrote %lld events to ", (long long)j.written);
		hs_escape_puts(stderr, c->out);
		fputc('\n', stderr);
		return EXIT_OK;
	}
	if (export_fn(&j, stdout, &err) < 0) {
		return hs_cli_query_failed(ix, &err);
	}
	return EXIT_OK;
}

/* --------------------------------------------------------------- stdin */

/* "-" among the files: standard input, copied into the cache directory
 * and read from there like any file. The explorer then takes its keys
 * from the terminal. */
static int spool_stdin(struct cli *c)
{
	char dir[4096], path[4200];
	struct hs_error err;
	int i, at = -1;

	for (i = 0; i < c->nfiles; i++) {
		if (strcmp(c->files[i], "-") != 0)
			continue;
		if (at >= 0)
			return usage_error("standard input can be read only once: - given twice", NULL);
		at = i;
	}
	if (at < 0)
		return EXIT_OK;
	if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "hsmscope: -: standard input is a terminal, not a log"
		        " (pipe one in: zcat trace.log.gz | hsmscope analyze -)\n");
		return EXIT_INPUT;
	}
	if (hs_index_cache_dir(dir, sizeof dir, &err) < 0 ||
	    hs_spool_fd(STDIN_FILENO, dir, path, sizeof path, &err) < 0) {
		if (c->stdin_implicit && strcmp(err.msg, "standard input is empty") == 0)
			return usage_error("no FILE given (and nothing on standard input) for", c->cmd);
		print_error(&err);
		return EXIT_INPUT;
	}
	hs_strlcpy(c->stdin_path, path, sizeof c->stdin_path);
	c->files[at] = c->stdin_path;
	if (strcmp(c->cmd, "ui") == 0) {
		int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
		if (tty < 0 || dup2(tty, STDIN_FILENO) < 0) {
			fprintf(stderr, "hsmscope: no terminal for the explorer's keys: %s\n", strerror(errno));
			return EXIT_INPUT;
		}
		close(tty);
	}
	return EXIT_OK;
}

/* --------------------------------------------------------------- index */

static int cmd_index(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	(void)c;
	(void)f;
	const struct hs_index_info *i = hs_index_info(ix);

	fputs("index      ", stdout);
	hs_escape_puts(stdout, i->path);
	putchar('\n');
	printf("state      %s", i->reused ? "reused (logs unchanged)" :
	       i->refreshed ? "refreshed (only the new part of the log was read)" : "built");
	if (i->waited_s >= 0.05)
		printf(" after waiting %.1f s for another hsmscope", i->waited_s);
	printf("\n");
	printf("files      %lld\n", (long long)i->files);
	printf("events     %lld\n", (long long)i->events);
	printf("incomplete %lld\n", (long long)i->incomplete);
	printf("skipped    %lld line%s\n", (long long)i->skipped, i->skipped == 1 ? "" : "s");
	printf("parsed     %lld bytes in %.3f s\n", (long long)i->parsed_bytes, i->seconds);
	return EXIT_OK;
}

static int cmd_sql(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	enum hs_sqlout_format fmt = !c->format || strcmp(c->format, "table") == 0 ? HS_SQLOUT_TABLE :
	                            strcmp(c->format, "csv") == 0 ? HS_SQLOUT_CSV : HS_SQLOUT_JSON;
	struct hs_sqlout *o = hs_sqlout_new(fmt, stdout);
	struct hs_error err;
	long rows;
	int rc;
	(void)f;

	if (!o)
		return EXIT_INPUT;
	rows = hs_sql_run(ix, c->sql, &c->sql_limits, hs_sqlout_row, o, &err);
	if (rows < 0) {
		hs_sqlout_free(o);
		if (interrupted) {
			fprintf(stderr, "hsmscope: sql: interrupted\n");
			return EXIT_INPUT;
		}
		print_error(&err);
		return EXIT_FILTER;
	}
	rc = hs_sqlout_finish(o);
	hs_sqlout_free(o);
	if (rc < 0) {
		fprintf(stderr, "hsmscope: standard output: sql: could not write the result\n");
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

static int cmd_sessions(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	(void)f;
	struct hs_error err;

	if (hs_lc_print(ix, c->format && strcmp(c->format, "json") == 0, stdout, &err) < 0)
		return hs_cli_query_failed(ix, &err);
	return EXIT_OK;
}

/* ------------------------------------------------------- the tables */

static const struct hs_cli_command *find_command(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (commands[i].name[0] && strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* word is one of the space-separated words of list */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p += strcspn(p, " "), p += *p == ' ') {
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0') && n)
			return 1;
	}
	return 0;
}

/* getopt's tables from options[]: a long option's value is 256 + its row */
static int make_getopt(struct option *lo, char *so, size_t solen)
{
	size_t k = 0;

	so[k++] = ':';
	for (int i = 0; i < NOPTIONS; i++) {
		lo[i] = (struct option){ options[i].name,
		                         options[i].has_arg ? required_argument : no_argument, NULL,
		                         256 + i };
		if (options[i].shortname && k + 3 < solen) {
			so[k++] = options[i].shortname;
			if (options[i].has_arg)
				so[k++] = ':';
		}
	}
	lo[NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
	so[k] = '\0';
	return 0;
}

/* One option's effect. EXIT_OK, a usage error, or -1: done (--help). */
static int set_option(struct cli *c, const struct hs_cli_option *o, const char *arg)
{
	const char *n = o->name;

	if (strcmp(n, "format") == 0) c->format = arg;
	else if (strcmp(n, "filter") == 0) c->filter = arg;
	else if (strcmp(n, "output") == 0) c->out = arg;
	else if (strcmp(n, "force") == 0) c->force = 1;
	else if (strcmp(n, "es-index") == 0) c->es_index = arg;
	else if (strcmp(n, "count") == 0) c->count = 1;
	else if (strcmp(n, "invert-match") == 0) c->invert = 1;
	else if (strcmp(n, "json") == 0) c->json = 1;
	else if (strcmp(n, "regexp") == 0) c->expr = arg;
	else if (strcmp(n, "index") == 0) c->iopts.index_path = arg;
	else if (strcmp(n, "rebuild") == 0) c->iopts.rebuild = 1;
	else if (strcmp(n, "keep-going") == 0) c->iopts.keep_going = 1;
	else if (strcmp(n, "hsm") == 0) c->iopts.hsm_name = arg;
	else if (strcmp(n, "color") == 0) c->color_when = arg;
	else if (strcmp(n, "tz") == 0) c->iopts.tz = arg;
	else if (strcmp(n, "follow") == 0) c->follow = 1;
	else if (strcmp(n, "redact") == 0) {
		if (strcmp(arg, "data") != 0)
			return usage_error("--redact takes 'data', not", arg);
		c->iopts.redact_data = 1;
	} else if (strcmp(n, "max-count") == 0) {
		char *end;
		long long m = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end || m < 0)
			return usage_error("-m takes a number of events, not", arg);
		c->max = m ? m : -1; /* -m 0: nothing, as grep(1) */
	} else if (strcmp(n, "timeout") == 0) {
		if (parse_limit(arg, &c->sql_limits.timeout_s) < 0)
			return usage_error("--timeout takes seconds (0: no limit), not", arg);
		c->sql_limits_given = 1;
	} else if (strcmp(n, "max-memory") == 0) {
		double mb;
		if (parse_limit(arg, &mb) < 0 || mb > 1e7)
			return usage_error("--max-memory takes megabytes (0: no limit), not", arg);
		c->sql_limits.max_memory = (int64_t)(mb * 1048576.0);
		c->sql_limits_given = 1;
	} else if (strcmp(n, "help") == 0) {
		print_usage(stdout);
		return -1;
	}
	return EXIT_OK;
}

static int run_command(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	static const struct {
		const char *name;
		int (*run)(struct cli *c, struct hs_index *ix, struct hs_filter *f);
	} runs[] = {
		{ "analyze", cmd_analyze }, { "export", cmd_export }, { "grep", hs_cli_grep },
		{ "index", cmd_index }, { "sessions", cmd_sessions }, { "sql", cmd_sql },
	};

	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
		if (strcmp(runs[i].name, c->cmd) == 0)
			return runs[i].run(c, ix, f);
	return EXIT_USAGE;
}

/* hsmscope --list commands|options [CMD]|formats [CMD]|fields|inputs, and
 * hsmscope --complete bash|zsh: the tables, for scripts, the man page's
 * test and the completions. */
static int list_or_complete(const char *what, const char *arg, const char *cmdname)
{
	const struct hs_cli_command *cmd = NULL;
	const char *name;
	int i;

	if (strcmp(what, "--complete") == 0) {
		if (arg && hs_cli_complete(stdout, arg, commands, NCOMMANDS, options, NOPTIONS) == 0)
			return EXIT_OK;
		return usage_error("--complete takes bash or zsh, not", arg ? arg : "nothing");
	}
	if (!arg)
		return usage_error("--list takes commands, options, formats, fields, keys or inputs", NULL);
	if (strcmp(arg, "commands") == 0) {
		for (i = 0; i < NCOMMANDS; i++)
			if (commands[i].name[0])
				puts(commands[i].name);
		return EXIT_OK;
	}
	if (strcmp(arg, "fields") == 0) {
		for (i = 0; (name = hs_filter_field_name(i, NULL)) != NULL; i++)
			puts(name);
		return EXIT_OK;
	}
	if (strcmp(arg, "keys") == 0) {
		hs_ui_list_keys(stdout);
		return EXIT_OK;
	}
	if (strcmp(arg, "inputs") == 0) {
		const struct hs_parser_desc *const *d = hs_detect_parsers();
		for (i = 0; d[i]; i++)
			printf("%s\t%s\n", d[i]->name, d[i]->title);
		return EXIT_OK;
	}
	/* options and formats: of every command, or of the one named after */
	if (cmdname && !(cmd = strcmp(cmdname, "ui") == 0 ? &commands[NCOMMANDS - 1]
	                                                   : find_command(cmdname)))
		return usage_error("no such command", cmdname);
	if (strcmp(arg, "options") == 0) {
		for (i = 0; i < NOPTIONS; i++) {
			if (cmd && !hs_cli_takes(cmd, &options[i]))
				continue;
			printf("--%s\n", options[i].name);
			if (options[i].shortname)
				printf("-%c\n", options[i].shortname);
		}
		return EXIT_OK;
	}
	if (strcmp(arg, "formats") == 0) {
		for (i = 0; i < NCOMMANDS; i++) {
			const char *p = commands[i].formats;
			if ((cmd && cmd != &commands[i]) || !p)
				continue;
			while (*p) {
				size_t n = strcspn(p, " ");
				if (cmd)
					printf("%.*s\n", (int)n, p);
				else
					printf("%s\t%.*s\n", commands[i].name, (int)n, p);
				p += n + (p[n] == ' ');
			}
		}
		return EXIT_OK;
	}
	return usage_error("--list takes commands, options, formats, fields, keys or inputs, not", arg);
}

/* ---------------------------------------------------------------- main */

/* --tz, else the config file's `tz`: the zone local-time logs were written
 * in. An IANA name (a file under /usr/share/zoneinfo) or UTC; TZ is set to
 * it so the core's hs_zone_offset() answers for that zone. */
static int set_zone(struct cli *c)
{
	char *from_config = c->tz_config;
	const char *z = c->iopts.tz;
	char path[512];
	struct stat st;

	if (!z) {
		struct hs_config cf;
		struct hs_error err;
		hs_config_path(path, sizeof path);
		if (hs_config_load(path, &cf, &err) >= 0) {
			for (int i = 0; i < cf.n; i++)
				if (strcmp(cf.items[i].key, "tz") == 0)
					hs_strlcpy(from_config, cf.items[i].value, sizeof c->tz_config);
			hs_config_free(&cf);
		}
		if (!from_config[0])
			return EXIT_OK;
		z = from_config;
	}
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", z);
	if (strcmp(z, "UTC") != 0 &&
	    (!*z || *z == '/' || strstr(z, "..") || stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
		return usage_error("unknown time zone (an IANA name like Europe/Paris, or UTC)", z);
	if (setenv("TZ", strcmp(z, "UTC") == 0 ? "UTC0" : z, 1) != 0)
		return usage_error("cannot set the time zone", z);
	tzset();
	c->iopts.tz = z;
	return EXIT_OK;
}

static int want_color(const char *when)
{
	if (when && strcmp(when, "always") == 0)
		return 1;
	if (when && strcmp(when, "never") == 0)
		return 0;
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		return 0;
	return isatty(STDOUT_FILENO);
}

int main(int argc, char **argv)
{
	struct cli c;
	struct hs_index *ix = NULL;
	struct hs_filter *f = NULL;
	struct option longopts[NOPTIONS + 1];
	char *implicit[3] = { NULL, NULL, NULL }; /* the files when stdin is the input */
	char shortopts[3 * NOPTIONS + 2];
	int opt, rc, werr;
	struct sigaction sa;

	/* before SQLite initialises: its error log is process-wide config;
	 * its allocation statistics (a global mutex per malloc) are unused */
	sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	memset(&c, 0, sizeof c);
	c.sql_limits.timeout_s = HS_SQL_TIMEOUT_DEFAULT;
	c.sql_limits.max_memory = HS_SQL_MAX_MEMORY_DEFAULT;
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	c.cmd = argv[1];
	if (strcmp(c.cmd, "-h") == 0 || strcmp(c.cmd, "--help") == 0 || strcmp(c.cmd, "help") == 0) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(c.cmd, "--version") == 0) {
		printf("hsmscope %s\n", HS_VERSION);
		return EXIT_OK;
	}
	if (strcmp(c.cmd, "--list") == 0 || strcmp(c.cmd, "--complete") == 0)
		return list_or_complete(c.cmd, argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL);
	if (!(c.command = find_command(c.cmd))) {
		/* A first argument that names no command is a file (a leading
		 * option, `hsmscope --follow FILE`, also means the explorer). */
		if (c.cmd[0] != '-' && access(c.cmd, F_OK) != 0 && strcmp(c.cmd, "-") != 0) {
			fputs("hsmscope: ", stderr);
			hs_escape_puts(stderr, c.cmd);
			fprintf(stderr, ": no such file%s\n", strchr(c.cmd, '/') || strchr(c.cmd, '.') ? "" :
			        " (nor a command: see hsmscope --list commands)");
			return EXIT_INPUT;
		}
		/* `hsmscope FILE...`: the explorer on a terminal, else the summary;
		 * `... | hsmscope -` explores the pipe with keys from the terminal */
		c.command = isatty(STDOUT_FILENO) &&
		            (isatty(STDIN_FILENO) ||
		             (strcmp(c.cmd, "-") == 0 && access("/dev/tty", R_OK) == 0))
		            ? &commands[NCOMMANDS - 1] : find_command("analyze");
		c.cmd = c.command->name[0] ? c.command->name : "ui";
		argv[0] = (char *)c.cmd;
		argv--, argc++;
	}
	if (make_getopt(longopts, shortopts, sizeof shortopts) < 0)
		return EXIT_INPUT;
	optind = 2;
	opterr = 0; /* getopt would echo a bad option raw: usage_error escapes it */
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct hs_cli_option *o = NULL;
		if (opt == ':')
			return usage_error("option needs a value", argv[optind - 1]);
		if (opt >= 256 && opt < 256 + NOPTIONS)
			o = &options[opt - 256];
		for (int i = 0; !o && i < NOPTIONS; i++)
			if (opt == options[i].shortname)
				o = &options[i];
		if (!o)
			return usage_error("bad option", argv[optind - 1]);
		if (!hs_cli_takes(c.command, o)) {
			fprintf(stderr, "hsmscope: --%s is not an option of %s (hsmscope --list options %s)\n"
			        "Try 'hsmscope --help'.\n", o->name, c.cmd, c.cmd);
			return EXIT_USAGE;
		}
		if ((rc = set_option(&c, o, optarg)) != EXIT_OK)
			return rc == -1 ? EXIT_OK : rc;
	}
	c.files = argv + optind;
	c.nfiles = argc - optind;
	/* a batch command given no FILE reads standard input when it is not
	 * a terminal (grep's one argument is then its expression) */
	if (!isatty(STDIN_FILENO) && strcmp(c.cmd, "sql") != 0 && strcmp(c.cmd, "ui") != 0 &&
	    c.nfiles == (strcmp(c.cmd, "grep") == 0 && !c.expr ? 1 : 0)) {
		for (int i = 0; i < c.nfiles; i++)
			implicit[i] = c.files[i];
		implicit[c.nfiles++] = "-";
		c.files = implicit;
		c.stdin_implicit = 1;
	}
	if (strcmp(c.cmd, "grep") == 0 && (rc = hs_cli_grep_args(&c)) != EXIT_OK)
		return rc;
	if (strcmp(c.cmd, "sql") == 0) {
		if (c.nfiles < 2)
			return usage_error("sql needs FILE... STATEMENT", NULL);
		c.sql = c.files[--c.nfiles];
	}
	if (c.nfiles < 1)
		return usage_error("no FILE given for", c.cmd);
	if (c.format && !has_word(c.command->formats, c.format)) {
		fputs("hsmscope: unknown --format for this command: ", stderr);
		hs_escape_puts(stderr, c.format);
		fprintf(stderr, " (%s takes: %s)\nTry 'hsmscope --help'.\n", c.cmd, c.command->formats);
		return EXIT_USAGE;
	}
	if ((rc = set_zone(&c)) != EXIT_OK)
		return rc;
	if ((rc = spool_stdin(&c)) != EXIT_OK)
		return rc;
	c.color = want_color(c.color_when);
	if (strcmp(c.cmd, "ui") == 0) {
		struct hs_ui_opts uo = { c.iopts, c.follow,
		                         !(c.color_when && strcmp(c.color_when, "never") == 0), c.filter,
		                         c.sql_limits_given ? &c.sql_limits : NULL,
		                         c.files[0] == c.stdin_path ? "standard input" : NULL };
		return hs_ui_run((const char *const *)c.files, c.nfiles, &uo);
	}

	if ((rc = compile_filter(c.filter, &f)) != EXIT_OK)
		return rc;
	if (c.invert && f && hs_filter_negate(f) < 0) {
		hs_filter_free(f);
		fprintf(stderr, "hsmscope: out of memory\n");
		return EXIT_INPUT;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	/* every way a build can be stopped short of SIGKILL discards its
	 * temporary file (a hang-up, or progress written to a closed pipe) */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	c.iopts.interrupted = &interrupted;
	c.iopts.on_file_error = on_file_error;

	rc = open_index(&c, &ix);
	/* the index is in place: from here a closed pipe ends hsmscope
	 * quietly, as `hsmscope analyze x.log | head` expects */
	signal(SIGPIPE, SIG_DFL);
	if (rc != EXIT_OK) {
		hs_filter_free(f);
		return rc;
	}
	index_damaged = 0; /* what opening met, it rebuilt */
	rc = run_command(&c, ix, f);
	if (index_damaged) {
		struct hs_error e;
		hs_error_set(&e, hs_index_info(ix)->path, 0, 0,
		             "the index is damaged (database disk image is malformed)");
		hs_error_hint(&e, "run the command again with --rebuild");
		index_damaged = 0;
		print_error(&e);
		rc = EXIT_INPUT;
	} else if (interrupted && rc == EXIT_OK) {
		/* a query stopped by the signal may have looked like its end */
		fprintf(stderr, "hsmscope: interrupted\n");
		rc = EXIT_INPUT;
	}
	hs_index_close(ix);
	hs_filter_free(f);
	/* output buffered until now, or a write that failed earlier (a full
	 * disk): the error names what could not be written */
	werr = fflush(stdout) != 0 ? errno : 0;
	if (werr || ferror(stdout)) {
		if (rc == EXIT_OK)
			fprintf(stderr, "hsmscope: standard output: write error%s%s\n",
			        werr ? ": " : "", werr ? strerror(werr) : "");
		return rc == EXIT_OK ? EXIT_INPUT : rc;
	}
	return rc;
}
