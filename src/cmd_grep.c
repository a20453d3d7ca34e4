/* cmd_grep.c — `hsmscope grep`, as grep(1) behaves: EXPR and files in
 * either order (an existing file is a file; of the rest the one that
 * parses as a field expression is EXPR), one line per matching event —
 * number, time, process, function, result, session, summary, [anomalies]
 * — or their count, or their JSON; -v, -m; exit 1 when nothing matched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsmscope/export.h"
#include "hsmscope/query.h"
#include "main_int.h"


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

int hs_cli_grep(struct cli *c, struct hs_index *ix, struct hs_filter *f)
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
			return hs_cli_query_failed(ix, &err);
		}
		printf("%lld\n", (long long)count);
		return count ? EXIT_OK : EXIT_NOMATCH;
	}
	/* a grep line shows no detail text: only NDJSON needs it */
	if (hs_query_open_ex(ix, f, 0, c->json && !c->count ? 0 : HS_QUERY_NO_DETAIL, &q, &err) < 0) {
		return hs_cli_query_failed(ix, &err);
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
	if (w) {
		struct hs_error werr;
		if (hs_export_writer_end(w, &werr) < 0 && rc >= 0) {
			err = werr;
			rc = -1;
		}
	}
	if (rc < 0) {
		return hs_cli_query_failed(ix, &err);
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
int hs_cli_grep_args(struct cli *c)
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

