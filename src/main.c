/* main.c — the hsmscope command: argument parsing, the batch commands and
 * their exit codes. It wires the core's modules together and holds no
 * logic of its own beyond formatting their answers for a terminal or pipe.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>

#include "hsmscope/export.h"
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
	const char *cmd;            /* command name */
	int stdin_implicit;         /* no FILE given: "-" was added for a piped stdin */
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
	struct hs_index_opts iopts; /* index options */
	char **files;               /* positional inputs (argv slice) */
	int nfiles;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Errors name files and quote log text: both escaped, like all output. */
static void print_error(const struct hs_error *e)
{
	char buf[1024];

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

static const char usage_text[] =
	"usage: hsmscope COMMAND [OPTIONS] FILE...\n"
	"\n"
	"Index and analyse PKCS#11 call traces and AWS CloudHSM audit logs.\n"
	"\n"
	"commands:\n"
	"  analyze FILE...     summary: calls, errors by return code, durations by function\n"
	"  export FILE...      the events as JSON\n"
	"  grep EXPR FILE...   one line per event matching the filter EXPR (either\n"
	"                      order: an existing file is a file; -e EXPR to be explicit)\n"
	"  index FILE...       build or refresh the index and say where it is\n"
	"  sessions FILE...    the lifecycle tree: process > slot > session > login >\n"
	"                      operations (audit: HSM > login > commands), with times,\n"
	"                      counts, errors and what never ended\n"
	"  sql FILE... STMT    run one read-only SQL statement over the index\n"
	"                      (schema: man hsmscope, or  sql FILE \"SELECT sql FROM sqlite_schema\")\n"
	"  FILE...             open the interactive explorer (? shows its keys)\n"
	"\n"
	"options:\n"
	"  --format FMT        analyze: text (default), json, events, pretty-events,\n"
	"                      openmetrics; export: json (default), ndjson, es-bulk, csv;\n"
	"                      sessions: text, json;\n"
	"                      sql: table (default), csv, json\n"
	"  --filter EXPR       analyze and export only the events matching EXPR\n"
	"  -o, --output FILE   export: write FILE (atomically; never overwritten without\n"
	"                      --force); - is standard output\n"
	"  --force             replace an existing output file (a regular file only; its\n"
	"                      permissions are kept)\n"
	"  --es-index NAME     export --format es-bulk: the _index (default hsmscope-events)\n"
	"  -c, --count         grep: print only the number of matching events\n"
	"  -v, --invert-match  grep: the events that do not match\n"
	"  -m, --max-count N   grep: stop after N matching events\n"
	"  --json              grep: the matching events as NDJSON (export's schema)\n"
	"  -e, --regexp EXPR   grep: the expression (when it could be taken for a file)\n"
	"  --index FILE        use this index file instead of ~/.cache/hsmscope/ (it must\n"
	"                      be missing, empty or an hsmscope index)\n"
	"  --rebuild           ignore an existing index\n"
	"  --keep-going        with several files, load the good ones when some are bad;\n"
	"                      a cut or corrupt compressed file: keep the events before it\n"
	"  --hsm NAME          HSM id for CloudHSM audit text files (default: file name)\n"
	"  --redact data       also hide data buffers (PINs and secret keys always are)\n"
	"  --color WHEN        auto (default), always, never; NO_COLOR is respected\n"
	"  --tz ZONE           the zone local-time logs (the spy's) were written in, e.g.\n"
	"                      Europe/Paris: JSON and reports then carry its offset\n"
	"  --follow            explorer: show the log as it grows, like tail -f\n"
	"  -h, --help          this help;  --version  the version\n"
	"\n"
	"filters: field expressions like  rv != CKR_OK && func ~ \"^C_Sign\"  or\n"
	"  session == 0x1 && dur > 5ms. Text that is not an expression is a PCRE2\n"
	"  regex over each event's text, case-sensitive unless it is all lower case.\n"
	"  Fields: n ts func rv rv_name ok error pid tid session slot user user_type\n"
	"  hsm seq key dur file format text incomplete login span session_id peer\n"
	"  anomaly object line summary. ok, error and incomplete are booleans: an\n"
	"  incomplete call is neither ok nor error, so !ok is error || incomplete.\n"
	"\n"
	"exit status: 0 ok, 1 usage, 2 input error, 3 filter error; grep, as grep(1):\n"
	"  0 something matched, 1 nothing matched, 2 input error, 3 filter error,\n"
	"  4 usage error.\n";

/* The usage, then the formats from the parser registry (so a new parser
 * is listed without anyone editing this text), wrapped at 78 columns. */
static void print_usage(FILE *out)
{
	const struct hs_parser_desc *const *d = hs_detect_parsers();
	int col, i;

	fputs(usage_text, out);
	fputs("\nany input may be compressed: gzip, bzip2, xz, zstd (told by content, not name);\n"
	      "FILE - is standard input, and so is no FILE when it is not a terminal\n", out);
	fputs("\ninputs, detected from their content (man hsmscope: INPUT FORMATS):\n ", out);
	for (col = 1, i = 0; d[i]; i++) {
		int w = (int)strlen(d[i]->title) + 2;
		if (col + w > 78) {
			fputs("\n ", out);
			col = 1;
		}
		fprintf(out, " %s%s", d[i]->title, d[i + 1] ? "," : "\n");
		col += w;
	}
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
		if (hs_export_events(ix, f, ef, stdout, &err) < 0)
			return output_error(&err);
		return EXIT_OK;
	}
	if (hs_stats_compute(ix, f, &s, &err) < 0) {
		print_error(&err);
		return EXIT_INPUT;
	}
	if (strcmp(fmt, "openmetrics") == 0) {
		int rc = hs_metrics_write(ix, f, &s, stdout, &err);
		hs_stats_free(&s);
		if (rc < 0)
			return output_error(&err);
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
		print_error(&err);
		return EXIT_INPUT;
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
			print_error(&err);
			return EXIT_INPUT;
		}
		fprintf(stderr, "hsmscope: wrote %lld events to ", (long long)j.written);
		hs_escape_puts(stderr, c->out);
		fputc('\n', stderr);
		return EXIT_OK;
	}
	if (export_fn(&j, stdout, &err) < 0)
		return output_error(&err);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- grep */

static void put_escaped(const char *s)
{
	hs_escape_puts(stdout, s);
}

/* "p2" (the process instance, 1-based) for call traces, the HSM id for
 * audit logs: which process or stream an event is from. */
static void put_proc(const struct hs_event *e)
{
	if (e->hsm[0])
		put_escaped(e->hsm);
	else if (e->instance != HS_NONE)
		printf("p%lld", (long long)e->instance + 1);
	else
		putchar('-');
}

/* One event as a grep line: n, time, process, function, result, session,
 * summary, then [anomalies]; fields joined by one space, none trailing. */
static void grep_line(const struct cli *c, const struct hs_event *e)
{
	const char *on = "", *off = "";
	char ts[48];

	if (c->color) {
		on = e->incomplete ? "\033[33m" : !e->ok ? "\033[31m" : "";
		off = *on ? "\033[0m" : "";
	}
	if (e->ts_us != HS_NONE)
		hs_format_ts(e->ts_us, ts, sizeof ts, 0);
	else
		hs_strlcpy(ts, "-", sizeof ts);
	printf("%lld %s ", (long long)e->n, ts);
	put_proc(e);
	putchar(' ');
	put_escaped(e->func);
	printf(" %s", on);
	put_escaped(e->rv_name[0] ? e->rv_name : e->incomplete ? "(no return)" : "-");
	fputs(off, stdout);
	if (e->session != HS_NONE)
		printf(" 0x%llx", (unsigned long long)e->session);
	else
		fputs(" -", stdout);
	if (e->summary[0]) {
		putchar(' ');
		put_escaped(e->summary);
	}
	if (e->anomalies[0]) {
		fputs(" [", stdout);
		put_escaped(e->anomalies);
		putchar(']');
	}
	putchar('\n');
}

static int cmd_grep(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	struct hs_export_writer *w = NULL;
	struct hs_query *q;
	struct hs_event e;
	struct hs_error err;
	int rc = 0;
	int64_t count = 0;

	hs_error_clear(&err);
	if (c->count && !c->max) {
		count = hs_query_count(ix, f, &err);
		if (count < 0) {
			print_error(&err);
			return EXIT_INPUT;
		}
		printf("%lld\n", (long long)count);
		return count ? EXIT_OK : EXIT_NOMATCH;
	}
	if (hs_query_open(ix, f, 0, &q, &err) < 0) {
		print_error(&err);
		return EXIT_INPUT;
	}
	if (c->json && !c->count && !(w = hs_export_writer_begin(ix, HS_EXPORT_NDJSON, stdout))) {
		hs_query_close(q);
		fprintf(stderr, "hsmscope: out of memory\n");
		return EXIT_INPUT;
	}
	hs_event_init(&e);
	while ((!c->max || count < c->max) && (rc = hs_query_next(q, &e, &err)) == 1) {
		if (w) {
			if (hs_export_writer_event(w, &e, &err) < 0) {
				rc = -1;
				break;
			}
		} else if (!c->count) {
			grep_line(c, &e);
		}
		count++;
	}
	if (c->max && count >= c->max)
		rc = 0;
	hs_event_free(&e);
	hs_query_close(q);
	if (w && hs_export_writer_end(w, rc < 0 ? NULL : &err) < 0 && rc >= 0)
		rc = -1;
	if (rc < 0) {
		print_error(&err);
		return EXIT_INPUT;
	}
	if (c->count)
		printf("%lld\n", (long long)count);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "hsmscope: standard output: write error\n");
		return EXIT_INPUT;
	}
	return count ? EXIT_OK : EXIT_NOMATCH;
}

/* grep's arguments in either order: an argument that names an existing
 * file is a file; of the others, the expression is the one that parses as
 * a field expression (a bare regex parses as anything), else the first.
 * The rest stay files, so a mistyped one is still "no such file". Says so
 * on stderr when it had to choose. Returns EXIT_OK or a usage error. */
static int grep_args(struct cli *c)
{
	int i, pick = -1, nother = 0, nexpr = 0;

	if (c->expr) {
		c->filter = c->expr;
		return EXIT_OK;
	}
	if (c->nfiles < 2) {
		fprintf(stderr, "hsmscope: grep needs EXPR and FILE...\nTry 'hsmscope --help'.\n");
		return EXIT_GREP_USAGE;
	}
	for (i = 0; i < c->nfiles; i++) {
		struct hs_filter *f;
		struct hs_error err;
		if (access(c->files[i], F_OK) == 0 || strcmp(c->files[i], "-") == 0)
			continue;
		nother++;
		if (hs_filter_compile(c->files[i], &f, &err) == 0) {
			if (!hs_filter_is_regex(f) && nexpr++ == 0)
				pick = i;
			hs_filter_free(f);
		} else if (nexpr == 0 && strpbrk(c->files[i], "=!<>~&|()") != NULL) {
			/* an expression with an error: still the expression, so the
			 * user sees the filter error, not "no such file" */
			pick = i;
			nexpr = 1;
		}
	}
	if (nother == 0) {
		fprintf(stderr, "hsmscope: grep: every argument is an existing file; give the "
		        "expression with -e EXPR\n");
		return EXIT_GREP_USAGE;
	}
	if (nexpr != 1) {
		/* no field expression, or several: the first non-file, grep's order */
		for (pick = 0; access(c->files[pick], F_OK) == 0 || strcmp(c->files[pick], "-") == 0;
		     pick++)
			;
		if (nother > 1) {
			struct hs_buf b;
			hs_buf_init(&b);
			hs_escape(&b, c->files[pick], strlen(c->files[pick]));
			fprintf(stderr, "hsmscope: grep: taking '%s' as the expression (no file has that "
			        "name); use -e EXPR to say so\n", hs_buf_cstr(&b));
			hs_buf_free(&b);
		}
	}
	c->filter = c->files[pick];
	memmove(c->files + pick, c->files + pick + 1, (size_t)(c->nfiles - pick - 1) * sizeof *c->files);
	c->nfiles--;
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
	if (!(c->files[at] = hs_strdup(path))) {
		fprintf(stderr, "hsmscope: out of memory\n");
		return EXIT_INPUT;
	}
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

static int cmd_index(struct hs_index *ix)
{
	const struct hs_index_info *i = hs_index_info(ix);

	fputs("index      ", stdout);
	hs_escape_puts(stdout, i->path);
	putchar('\n');
	printf("state      %s\n", i->reused ? "reused (logs unchanged)" :
	       i->refreshed ? "refreshed (only the new part of the log was read)" : "built");
	printf("files      %lld\n", (long long)i->files);
	printf("events     %lld\n", (long long)i->events);
	printf("incomplete %lld\n", (long long)i->incomplete);
	printf("skipped    %lld line%s\n", (long long)i->skipped, i->skipped == 1 ? "" : "s");
	printf("parsed     %lld bytes in %.3f s\n", (long long)i->parsed_bytes, i->seconds);
	return EXIT_OK;
}

/* ------------------------------------------------------------ sessions */

struct tree_out {
	int json;                   /* 0 text, 1 json */
	const char *tz;             /* --tz zone, NULL unknown */
	int open;                   /* json: nodes whose "children" array is open */
	int first[16];              /* json: no node printed yet at this depth */
};

/* One node of the lifecycle tree; operations are shown, not their calls. */
static int tree_node(void *ctx, const struct hs_lc_node *nd, int depth)
{
	struct tree_out *t = ctx;
	int descend = nd->has_children && nd->kind != HS_LC_SPAN && nd->kind != HS_LC_CALLS &&
	              depth < 14;
	char a[48], b[48];

	if (t->json) {
		cJSON *o = cJSON_CreateObject();
		char *js;
		size_t len;
		while (t->open > depth) {
			fputs("]}", stdout);
			t->open--;
		}
		if (!o)
			return -1;
		cJSON_AddStringToObject(o, "kind", hs_lc_kind_name(nd->kind));
		cJSON_AddStringToObject(o, "label", nd->label);
		cJSON_AddStringToObject(o, "state", nd->state);
		cJSON_AddNumberToObject(o, "first_n", (double)nd->first_n);
		cJSON_AddNumberToObject(o, "last_n", (double)nd->last_n);
		hs_format_iso_zoned(nd->first_ts, nd->ts_utc, t->tz != NULL, a, sizeof a);
		hs_format_iso_zoned(nd->last_ts, nd->ts_utc, t->tz != NULL, b, sizeof b);
		if (nd->first_ts == HS_NONE)
			cJSON_AddNullToObject(o, "first_ts");
		else
			cJSON_AddStringToObject(o, "first_ts", a);
		if (nd->last_ts == HS_NONE)
			cJSON_AddNullToObject(o, "last_ts");
		else
			cJSON_AddStringToObject(o, "last_ts", b);
		if (nd->first_ts == HS_NONE)
			cJSON_AddNullToObject(o, "ts_zone");
		else
			cJSON_AddStringToObject(o, "ts_zone", nd->ts_utc ? "UTC" : t->tz ? t->tz : "local");
		cJSON_AddNumberToObject(o, "calls", (double)nd->calls);
		cJSON_AddNumberToObject(o, "errors", (double)nd->errors);
		cJSON_AddBoolToObject(o, "open_end", nd->open_end);
		cJSON_AddStringToObject(o, "filter", nd->filter);
		if (nd->anomalies[0])
			cJSON_AddStringToObject(o, "anomalies", nd->anomalies);
		js = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!js)
			return -1;
		len = strlen(js);
		js[len - 1] = '\0'; /* the closing brace: children may follow */
		printf("%s\n", t->first[depth] ? "" : ",");
		hs_json_puts(stdout, js);
		cJSON_free(js);
		t->first[depth] = 0;
		if (descend) {
			fputs(",\"children\":[", stdout);
			t->open = depth + 1;
			t->first[depth + 1] = 1;
			return 0;
		}
		fputs("}", stdout);
		return 1;
	}
	hs_format_ts(nd->first_ts, a, sizeof a, 0);
	hs_format_ts(nd->last_ts, b, sizeof b, 0);
	printf("%*s", depth * 2, "");
	put_escaped(nd->label);
	if (nd->first_n != nd->last_n)
		printf("  #%lld-%lld", (long long)nd->first_n, (long long)nd->last_n);
	else
		printf("  #%lld", (long long)nd->first_n);
	if (nd->first_ts != HS_NONE)
		printf("  %s%s%s", a, nd->last_ts != nd->first_ts ? " .. " : "",
		       nd->last_ts == nd->first_ts ? "" : strncmp(a, b, 11) == 0 ? b + 11 : b);
	if (nd->kind != HS_LC_CALL)
		printf("  %lld call%s", (long long)nd->calls, nd->calls == 1 ? "" : "s");
	if (nd->errors && nd->kind != HS_LC_CALL)
		printf(", %lld error%s", (long long)nd->errors, nd->errors == 1 ? "" : "s");
	if (nd->state[0] && nd->kind != HS_LC_CALL) {
		fputs("  ", stdout);
		put_escaped(nd->state);
	}
	if (nd->open_end)
		fputs("  [open end]", stdout);
	if (nd->anomalies[0]) {
		fputs("  [", stdout);
		put_escaped(nd->anomalies);
		putchar(']');
	}
	putchar('\n');
	return descend ? 0 : 1;
}

static int cmd_sql(struct cli *c, struct hs_index *ix)
{
	enum hs_sqlout_format fmt = !c->format || strcmp(c->format, "table") == 0 ? HS_SQLOUT_TABLE :
	                            strcmp(c->format, "csv") == 0 ? HS_SQLOUT_CSV : HS_SQLOUT_JSON;
	struct hs_sqlout *o = hs_sqlout_new(fmt, stdout);
	struct hs_error err;
	long rows;
	int rc;

	if (!o)
		return EXIT_INPUT;
	rows = hs_sql_exec(ix, c->sql, hs_sqlout_row, o, &err);
	if (rows < 0) {
		hs_sqlout_free(o);
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

static int cmd_sessions(struct cli *c, struct hs_index *ix)
{
	struct tree_out t;
	struct hs_error err;
	int rc;

	memset(&t, 0, sizeof t);
	t.json = c->format && strcmp(c->format, "json") == 0;
	t.tz = hs_index_info(ix)->tz;
	t.first[0] = 1;
	if (t.json)
		fputs("{\"roots\":[", stdout);
	else if (t.tz)
		printf("(local times are %s)\n", t.tz);
	else
		puts("(times: UTC where the log says so, else local time as recorded, zone unknown)");
	rc = hs_lc_walk(ix, tree_node, &t, &err);
	if (t.json) {
		while (t.open-- > 0)
			fputs("]}", stdout);
		fputs("\n]}\n", stdout);
	}
	if (rc < 0) {
		print_error(&err);
		return EXIT_INPUT;
	}
	return EXIT_OK;
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
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'y' },
		{ "count", no_argument, NULL, 'C' },
		{ "invert-match", no_argument, NULL, 'v' },
		{ "max-count", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'J' },
		{ "regexp", required_argument, NULL, 'e' },
		{ "index", required_argument, NULL, 'i' },
		{ "rebuild", no_argument, NULL, 'r' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "hsm", required_argument, NULL, 'H' },
		{ "redact", required_argument, NULL, 'R' },
		{ "color", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "follow", no_argument, NULL, 'w' },
		{ "es-index", required_argument, NULL, 'E' },
		{ "tz", required_argument, NULL, 'Z' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c;
	char *implicit[3] = { NULL, NULL, NULL }; /* the files when stdin is the input */
	struct hs_index *ix = NULL;
	struct hs_filter *f = NULL;
	const char *color = NULL;
	int follow = 0;                 /* --follow, for the explorer */
	int opt, rc, werr, i;
	struct sigaction sa;

	memset(&c, 0, sizeof c);
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
	if (strcmp(c.cmd, "analyze") && strcmp(c.cmd, "export") && strcmp(c.cmd, "grep") &&
	    strcmp(c.cmd, "index") && strcmp(c.cmd, "sessions") && strcmp(c.cmd, "sql")) {
		/* A first argument that names no command is a file (a leading
		 * option, `hsmscope --follow FILE`, also means the explorer). */
		if (c.cmd[0] != '-' && access(c.cmd, F_OK) != 0) {
			struct hs_buf b;
			hs_buf_init(&b);
			hs_escape(&b, c.cmd, strlen(c.cmd));
			fprintf(stderr, "hsmscope: %s: no such file%s\n", hs_buf_cstr(&b),
			        strchr(c.cmd, '/') || strchr(c.cmd, '.') ? "" :
			        " (nor a command: analyze, export, grep, index, sessions, sql)");
			hs_buf_free(&b);
			return EXIT_INPUT;
		}
		/* `hsmscope FILE...`: the explorer on a terminal, else the summary;
		 * `... | hsmscope -` explores the pipe with keys from the terminal */
		c.cmd = isatty(STDOUT_FILENO) &&
		        (isatty(STDIN_FILENO) || (strcmp(c.cmd, "-") == 0 && access("/dev/tty", R_OK) == 0))
		        ? "ui" : "analyze";
		argv[0] = (char *)c.cmd;
		argv--, argc++;
	}
	optind = 2;
	opterr = 0; /* getopt would echo a bad option raw: usage_error escapes it */
	while ((opt = getopt_long(argc, argv, ":o:hcvm:e:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': c.format = optarg; break;
		case 'F': c.filter = optarg; break;
		case 'o': c.out = optarg; break;
		case 'y': c.force = 1; break;
		case 'C': c.count = 1; break;
		case 'i': c.iopts.index_path = optarg; break;
		case 'r': c.iopts.rebuild = 1; break;
		case 'k': c.iopts.keep_going = 1; break;
		case 'H': c.iopts.hsm_name = optarg; break;
		case 'R':
			if (strcmp(optarg, "data") != 0)
				return usage_error("--redact takes 'data', not", optarg);
			c.iopts.redact_data = 1;
			break;
		case 'K': color = optarg; break;
		case 'c': c.count = 1; break;
		case 'v': c.invert = 1; break;
		case 'J': c.json = 1; break;
		case 'e': c.expr = optarg; break;
		case 'm': {
			char *end;
			long long m = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end || m < 0)
				return usage_error("-m takes a number of events, not", optarg);
			c.max = m ? m : -1; /* -m 0: nothing, as grep(1) */
			break;
		}
		case 'w': follow = 1; break;
		case 'E': c.es_index = optarg; break;
		case 'Z': c.iopts.tz = optarg; break;
		case 'h': print_usage(stdout); return EXIT_OK;
		case ':': return usage_error("option needs a value", argv[optind - 1]);
		default: return usage_error("bad option", argv[optind - 1]);
		}
	}
	c.files = argv + optind;
	c.nfiles = argc - optind;
	/* a batch command given no FILE reads standard input when it is not
	 * a terminal (grep's one argument is then its expression) */
	if (!isatty(STDIN_FILENO) && strcmp(c.cmd, "sql") != 0 &&
	    c.nfiles == (strcmp(c.cmd, "grep") == 0 && !c.expr ? 1 : 0)) {
		for (i = 0; i < c.nfiles; i++)
			implicit[i] = c.files[i];
		implicit[c.nfiles++] = "-";
		c.files = implicit;
		c.stdin_implicit = 1;
	}
	if (strcmp(c.cmd, "grep") != 0 && (c.invert || c.max || c.json || c.expr))
		return usage_error("-v, -m, --json and -e are grep's options, not for", c.cmd);
	if (strcmp(c.cmd, "grep") == 0 && (rc = grep_args(&c)) != EXIT_OK)
		return rc;
	if (strcmp(c.cmd, "sql") == 0) {
		if (c.nfiles < 2)
			return usage_error("sql needs FILE... STATEMENT", NULL);
		c.sql = c.files[--c.nfiles];
	}
	if (c.nfiles < 1)
		return usage_error("no FILE given for", c.cmd);
	if (c.format) {
		const char *ok = strcmp(c.cmd, "export") == 0 ? " json ndjson es-bulk csv " :
		                 strcmp(c.cmd, "analyze") == 0 ?
		                 " text json events pretty-events openmetrics " :
		                 strcmp(c.cmd, "sessions") == 0 ? " text json " :
		                 strcmp(c.cmd, "sql") == 0 ? " table csv json " : "";
		char want[64];
		snprintf(want, sizeof want, " %s ", c.format);
		if (!strstr(ok, want))
			return usage_error("unknown --format for this command", c.format);
	}
	if ((rc = set_zone(&c)) != EXIT_OK)
		return rc;
	if ((rc = spool_stdin(&c)) != EXIT_OK)
		return rc;
	c.color = want_color(color);
	if (strcmp(c.cmd, "ui") == 0) {
		struct hs_ui_opts uo = { c.iopts, follow, !(color && strcmp(color, "never") == 0), c.filter };
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
	if (strcmp(c.cmd, "analyze") == 0)
		rc = cmd_analyze(&c, ix, f);
	else if (strcmp(c.cmd, "export") == 0)
		rc = cmd_export(&c, ix, f);
	else if (strcmp(c.cmd, "grep") == 0)
		rc = cmd_grep(&c, ix, f);
	else if (strcmp(c.cmd, "sessions") == 0)
		rc = cmd_sessions(&c, ix);
	else if (strcmp(c.cmd, "sql") == 0)
		rc = cmd_sql(&c, ix);
	else
		rc = cmd_index(ix);
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
