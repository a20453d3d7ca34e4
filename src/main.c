/* main.c — the hsmscope command: argument parsing, the batch commands and
 * their exit codes. It wires the core's modules together and holds no
 * logic of its own beyond formatting their answers for a terminal or pipe.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsmscope/export.h"
#include "hsmscope/detect.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/lifecycle.h"
#include "hsmscope/metrics.h"
#include "hsmscope/query.h"
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
};

struct cli {
	const char *cmd;            /* command name */
	const char *format;         /* --format */
	const char *filter;         /* --filter / grep's expression */
	const char *sql;            /* sql's statement */
	const char *es_index;       /* export --es-index */
	const char *out;            /* -o */
	int force;                  /* --force */
	int count;                  /* grep --count: only the number of matches */
	int color;                  /* colour the output */
	struct hs_index_opts iopts; /* index options */
	struct hs_sql_limits sql_limits; /* sql: --timeout, --max-memory */
	int sql_limits_given;       /* one of them was on the command line */
	char **files;               /* positional inputs (argv slice) */
	int nfiles;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void print_error(const struct hs_error *e)
{
	char buf[1024];

	hs_error_format(e, buf, sizeof buf);
	if (e->hint[0])
		fprintf(stderr, "hsmscope: %s (%s)\n", buf, e->hint);
	else
		fprintf(stderr, "hsmscope: %s\n", buf);
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
	"  grep FILE... EXPR   one line per event matching the filter EXPR\n"
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
	"  -o, --output FILE   export: write FILE (atomically; never overwritten without --force)\n"
	"  --force             replace an existing output file\n"
	"  --es-index NAME     export --format es-bulk: the _index (default hsmscope-events)\n"
	"  --count             grep: print only the number of matching events\n"
	"  --index FILE        use this index file instead of ~/.cache/hsmscope/\n"
	"  --rebuild           ignore an existing index\n"
	"  --keep-going        with several files, load the good ones when some are bad\n"
	"  --hsm NAME          HSM id for CloudHSM audit text files (default: file name)\n"
	"  --redact data       also hide data buffers (PINs and secret keys always are)\n"
	"  --color WHEN        auto (default), always, never; NO_COLOR is respected\n"
	"  --follow            explorer: show the log as it grows, like tail -f\n"
	"  --timeout SECONDS   sql: stop a statement after this long (default 30; 0: never)\n"
	"  --max-memory MB     sql: stop a statement that needs more (default 512; 0: no limit)\n"
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
	"Ctrl-C stops any command; in the explorer it (or Esc) stops a running\n"
	"  filter, statistics or SQL statement and keeps the view as it was.\n"
	"\n"
	"exit status: 0 ok, 1 usage, 2 input error (or interrupted), 3 filter or\n"
	"  SQL error (a regex or SQL limit hit included).\n";

/* The usage, then the formats from the parser registry (so a new parser
 * is listed without anyone editing this text), wrapped at 78 columns. */
static void print_usage(FILE *out)
{
	const struct hs_parser_desc *const *d = hs_detect_parsers();
	int col, i;

	fputs(usage_text, out);
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
	fprintf(stderr, "hsmscope: %s%s%s\nTry 'hsmscope --help'.\n", msg, arg ? ": " : "",
	        arg ? arg : "");
	return EXIT_USAGE;
}

/* ------------------------------------------------------------- analyze */

static void print_dur(double v, int have)
{
	if (have)
		printf(" %9.3f", v);
	else
		printf(" %9s", "-");
}

/* "OpenSC pkcs11-spy" for "spy": what a person calls the format. */
static const char *format_title(const char *name)
{
	const struct hs_parser_desc *d = hs_detect_by_name(name);

	return d ? d->title : name;
}

static void analyze_text(struct hs_index *ix, const struct hs_stats *s, const char *filter)
{
	const struct hs_index_info *info = hs_index_info(ix);
	char a[48], b[48];
	int i, any = 0;

	for (i = 0; i < info->files; i++) {
		const struct hs_index_file *f = hs_index_file(ix, i);
		if (f)
			printf("file         %s (%s: %s, %lld events, %lld lines skipped)\n", f->path,
			       f->format, format_title(f->format), (long long)f->events, (long long)f->skipped);
	}
	if (filter && *filter)
		printf("filter       %s\n", filter);
	printf("calls        %lld   errors %lld   success %.1f%%   incomplete %lld\n",
	       (long long)s->total, (long long)s->errors, s->success_rate * 100.0,
	       (long long)s->incomplete);
	printf("processes    %lld   threads %lld\n", (long long)s->processes, (long long)s->threads);
	hs_format_ts(s->first_ts, a, sizeof a, 0);
	hs_format_ts(s->last_ts, b, sizeof b, 0);
	if (s->first_ts == HS_NONE)
		printf("time span    none in this log\n");
	else
		printf("time span    %s .. %s%s\n", a, b, s->ts_utc ? " UTC" : " (local time as recorded)");
	printf("durations    %s\n", !s->dur.count ? "none in this log" :
	       s->dur_exact ? "as recorded by the tracer" :
	       "estimated: time to the next call of the same process and thread (an upper bound)");
	if (s->dur.count)
		printf("             ms: min %.3f  avg %.3f  p50 %.3f  p95 %.3f  p99 %.3f  max %.3f  total %.3f\n",
		       s->dur.min, s->dur.avg, s->dur.p50, s->dur.p95, s->dur.p99, s->dur.max, s->dur.total);
	printf("\nreturn codes\n");
	for (i = 0; i < s->nrvs; i++)
		printf("  %-40s %8lld\n", s->rvs[i].name, (long long)s->rvs[i].count);
	printf("\n%-42s %7s %7s %9s %9s %9s", "functions", "calls", "errors", "p50 ms", "p95 ms", "max ms");
	if (s->tracer_table) /* the tracer's own table, beside our figures */
		printf("  %12s %12s", "tracer calls", "tracer ms");
	printf("\n");
	for (i = 0; i < s->nfuncs; i++) {
		const struct hs_func_stats *f = &s->funcs[i];
		printf("  %-40s %7lld %7lld", f->name, (long long)f->calls, (long long)f->errors);
		print_dur(f->dur.p50, f->dur.count > 0);
		print_dur(f->dur.p95, f->dur.count > 0);
		print_dur(f->dur.max, f->dur.count > 0);
		if (s->tracer_table && f->tracer_calls >= 0)
			printf("  %12lld", (long long)f->tracer_calls);
		else if (s->tracer_table)
			printf("  %12s", "-");
		if (s->tracer_table && f->tracer_total_ms >= 0)
			printf(" %12.3f", f->tracer_total_ms);
		else if (s->tracer_table)
			printf(" %12s", "-");
		printf("\n");
		any = 1;
	}
	if (!any)
		printf("  (no events)\n");
}

static int print_json(cJSON *o)
{
	char *s = cJSON_Print(o);

	if (!s)
		return -1;
	printf("%s\n", s);
	cJSON_free(s);
	return 0;
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
static int query_failed(struct hs_index *ix, const struct hs_error *err)
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
			return query_failed(ix, &err);
		}
		return EXIT_OK;
	}
	if (hs_stats_compute(ix, f, &s, &err) < 0) {
		return query_failed(ix, &err);
	}
	if (strcmp(fmt, "openmetrics") == 0) {
		int rc = hs_metrics_write(ix, f, &s, stdout, &err);
		hs_stats_free(&s);
		if (rc < 0) {
			return query_failed(ix, &err);
		}
		return EXIT_OK;
	}
	if (strcmp(fmt, "json") == 0) {
		cJSON *o = hs_export_summary(ix, &s);
		if (c->filter)
			cJSON_AddStringToObject(o, "filter", c->filter);
		print_json(o);
		cJSON_Delete(o);
	} else {
		analyze_text(ix, &s, c->filter);
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
	if (c->out) {
		if (hs_export_to_file(c->out, c->force, export_fn, &j, &err) < 0) {
			return query_failed(ix, &err);
		}
		fprintf(stderr, "hsmscope: wrote %lld events to %s\n", (long long)j.written, c->out);
		return EXIT_OK;
	}
	if (export_fn(&j, stdout, &err) < 0) {
		return query_failed(ix, &err);
	}
	return EXIT_OK;
}

/* ---------------------------------------------------------------- grep */

static void put_escaped(const char *s)
{
	struct hs_buf b;

	hs_buf_init(&b);
	hs_escape(&b, s, strlen(s));
	fputs(hs_buf_cstr(&b), stdout);
	hs_buf_free(&b);
}

static int cmd_grep(struct cli *c, struct hs_index *ix, struct hs_filter *f)
{
	struct hs_query *q;
	struct hs_event e;
	struct hs_error err;
	char ts[48];
	int rc;
	int64_t count = 0;

	if (c->count) {
		count = hs_query_count(ix, f, &err);
		if (count < 0) {
			return query_failed(ix, &err);
		}
		printf("%lld\n", (long long)count);
		return EXIT_OK;
	}
	if (hs_query_open(ix, f, 0, &q, &err) < 0) {
		return query_failed(ix, &err);
	}
	hs_event_init(&e);
	while ((rc = hs_query_next(q, &e, &err)) == 1) {
		const char *on = "", *off = "";
		if (c->color) {
			on = e.incomplete ? "\033[33m" : !e.ok ? "\033[31m" : "";
			off = *on ? "\033[0m" : "";
		}
		hs_format_ts(e.ts_us, ts, sizeof ts, 0);
		printf("%lld %s ", (long long)e.n, ts);
		put_escaped(e.func);
		printf(" %s", on);
		put_escaped(e.rv_name[0] ? e.rv_name : e.incomplete ? "(no return)" : "-");
		printf("%s ", off);
		if (e.session != HS_NONE)
			printf("0x%llx ", (unsigned long long)e.session);
		else
			printf("- ");
		put_escaped(e.summary);
		putchar('\n');
		count++;
	}
	hs_event_free(&e);
	hs_query_close(q);
	if (rc < 0) {
		return query_failed(ix, &err);
	}
	return EXIT_OK;
}

/* --------------------------------------------------------------- index */

static int cmd_index(struct hs_index *ix)
{
	const struct hs_index_info *i = hs_index_info(ix);

	printf("index      %s\n", i->path);
	printf("state      %s\n", i->reused ? "reused (logs unchanged)" :
	       i->refreshed ? "refreshed (only the new part of the log was read)" : "built");
	printf("files      %lld\n", (long long)i->files);
	printf("events     %lld\n", (long long)i->events);
	printf("incomplete %lld\n", (long long)i->incomplete);
	printf("skipped    %lld lines\n", (long long)i->skipped);
	printf("parsed     %lld bytes in %.3f s\n", (long long)i->parsed_bytes, i->seconds);
	return EXIT_OK;
}

/* ------------------------------------------------------------ sessions */

struct tree_out {
	int json;                   /* 0 text, 1 json */
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
		hs_format_iso(nd->first_ts, nd->ts_utc, a, sizeof a);
		hs_format_iso(nd->last_ts, nd->ts_utc, b, sizeof b);
		if (nd->first_ts == HS_NONE)
			cJSON_AddNullToObject(o, "first_ts");
		else
			cJSON_AddStringToObject(o, "first_ts", a);
		if (nd->last_ts == HS_NONE)
			cJSON_AddNullToObject(o, "last_ts");
		else
			cJSON_AddStringToObject(o, "last_ts", b);
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
		printf("%s\n%.*s", t->first[depth] ? "" : ",", (int)(len - 1), js);
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
	if (nd->anomalies[0])
		printf("  [%s]", nd->anomalies);
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
		fprintf(stderr, "hsmscope: sql: could not write the result\n");
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
	t.first[0] = 1;
	if (t.json)
		fputs("{\"roots\":[", stdout);
	rc = hs_lc_walk(ix, tree_node, &t, &err);
	if (t.json) {
		while (t.open-- > 0)
			fputs("]}", stdout);
		fputs("\n]}\n", stdout);
	}
	if (rc < 0) {
		return query_failed(ix, &err);
	}
	return EXIT_OK;
}

/* ---------------------------------------------------------------- main */

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
		{ "index", required_argument, NULL, 'i' },
		{ "rebuild", no_argument, NULL, 'r' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "hsm", required_argument, NULL, 'H' },
		{ "redact", required_argument, NULL, 'R' },
		{ "color", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "follow", no_argument, NULL, 'w' },
		{ "es-index", required_argument, NULL, 'E' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "max-memory", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c;
	struct hs_index *ix = NULL;
	struct hs_filter *f = NULL;
	const char *color = NULL;
	int follow = 0;                 /* --follow, for the explorer */
	int opt, rc;
	struct sigaction sa;

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
	if (strcmp(c.cmd, "analyze") && strcmp(c.cmd, "export") && strcmp(c.cmd, "grep") &&
	    strcmp(c.cmd, "index") && strcmp(c.cmd, "sessions") && strcmp(c.cmd, "sql")) {
		/* a leading option (`hsmscope --follow FILE`) also means the explorer */
		if (c.cmd[0] != '-' && access(c.cmd, F_OK) != 0)
			return usage_error("unknown command", c.cmd);
		/* `hsmscope FILE...`: the explorer on a terminal, else the summary */
		c.cmd = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? "ui" : "analyze";
		argv[0] = (char *)c.cmd;
		argv--, argc++;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
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
		case 'c': color = optarg; break;
		case 'w': follow = 1; break;
		case 'E': c.es_index = optarg; break;
		case 'T':
			if (parse_limit(optarg, &c.sql_limits.timeout_s) < 0)
				return usage_error("--timeout takes seconds (0: no limit), not", optarg);
			c.sql_limits_given = 1;
			break;
		case 'M': {
			double mb;
			if (parse_limit(optarg, &mb) < 0 || mb > 1e7)
				return usage_error("--max-memory takes megabytes (0: no limit), not", optarg);
			c.sql_limits.max_memory = (int64_t)(mb * 1048576.0);
			c.sql_limits_given = 1;
			break;
		}
		case 'h': print_usage(stdout); return EXIT_OK;
		default: return usage_error("bad option", NULL);
		}
	}
	c.files = argv + optind;
	c.nfiles = argc - optind;
	if (strcmp(c.cmd, "grep") == 0) {
		if (c.nfiles < 2)
			return usage_error("grep needs FILE... EXPR", NULL);
		c.filter = c.files[--c.nfiles];
	}
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
	c.color = want_color(color);
	if (strcmp(c.cmd, "ui") == 0) {
		struct hs_ui_opts uo = { c.iopts, follow, !(color && strcmp(color, "never") == 0), c.filter,
		                         c.sql_limits_given ? &c.sql_limits : NULL };
		return hs_ui_run((const char *const *)c.files, c.nfiles, &uo);
	}

	if ((rc = compile_filter(c.filter, &f)) != EXIT_OK)
		return rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	c.iopts.interrupted = &interrupted;
	c.iopts.on_file_error = on_file_error;

	if ((rc = open_index(&c, &ix)) != EXIT_OK) {
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
	if (interrupted && rc == EXIT_OK) {
		/* a query stopped by the signal may have looked like its end */
		fprintf(stderr, "hsmscope: interrupted\n");
		rc = EXIT_INPUT;
	}
	hs_index_close(ix);
	hs_filter_free(f);
	return rc;
}
