/* report.c — the text report of `analyze` (report.h).
 *
 * Each section is one or two queries over the index, printed through a
 * small table: rows of escaped cells collected first (at most TABLE_ROWS,
 * so memory does not grow with the log), then printed with every column
 * as wide as its widest cell. A section with nothing to say is left out,
 * except the totals, which always print.
 */
#include "hsmscope/report.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/correlate.h"
#include "hsmscope/detect.h"

#define TABLE_COLS 8            /* columns a table can have */
#define FIRST_NS 5              /* event numbers listed per anomaly kind */

struct report;

struct table {
	int ncols;
	int right[TABLE_COLS];      /* 1: right-aligned (numbers) */
	char **cell;                /* owned, escaped, (cap + 1) x ncols; row 0 the header */
	int nrows;                  /* rows kept, header included */
	int cap;                    /* rows kept at most, header aside */
	int64_t more;               /* rows past cap, counted, not kept */
	int oom;                    /* a cell could not be allocated */
	struct report *report;      /* told of oom when freed, may be NULL */
};

struct report {
	struct hs_index *ix;        /* not owned */
	sqlite3 *db;                /* the index's connection, not owned */
	const struct hs_filter *f;  /* not owned, NULL: all */
	FILE *out;                  /* not owned */
	struct hs_error *err;       /* the caller's */
	int ms_decimals;            /* decimals of a duration in ms: the clock's */
	int failed;                 /* a query failed: err is set */
	int oom;                    /* a table lost a cell: the report is not whole */
};

/* ------------------------------------------------------------ helpers */

static char *escaped(const char *s)
{
	struct hs_buf b;
	char *r;

	hs_buf_init(&b);
	if (hs_escape(&b, s ? s : "", s ? strlen(s) : 0) < 0) {
		hs_buf_free(&b);
		return NULL;
	}
	r = hs_strdup(hs_buf_cstr(&b));
	hs_buf_free(&b);
	return r;
}

static void put_esc(FILE *out, const char *s)
{
	char *e = escaped(s);

	fputs(e ? e : "?", out);
	free(e);
}

#define CELL(t, r, c) ((t)->cell[(size_t)(r) * (size_t)(t)->ncols + (size_t)(c)])

/* A table of ncols columns keeping at most cap rows: a top-N for the
 * sections that rank, every row for the bounded ones (functions). */
static void table_init(struct table *t, struct report *R, int ncols, int cap,
                       const char *const *header, const char *align)
{
	memset(t, 0, sizeof *t);
	t->report = R;
	t->ncols = ncols;
	t->cell = calloc((size_t)(cap + 1) * (size_t)ncols, sizeof *t->cell);
	t->cap = t->cell ? cap : 0;
	t->oom = !t->cell;
	for (int c = 0; c < ncols && t->cell; c++) {
		t->right[c] = align[c] == 'r';
		if (!(CELL(t, 0, c) = hs_strdup(header[c])))
			t->oom = 1;
	}
	t->nrows = t->cell ? 1 : 0;
}

/* Add a row of raw (log) strings; NULL is printed as "-". */
static void table_row(struct table *t, const char *const *v)
{
	if (t->nrows > t->cap) {
		t->more++;
		return;
	}
	for (int c = 0; c < t->ncols; c++)
		if (!(CELL(t, t->nrows, c) = escaped(v[c] ? v[c] : "-")))
			t->oom = 1;
	t->nrows++;
}

static void table_print(struct table *t, FILE *out, const char *indent)
{
	int w[TABLE_COLS] = { 0 };

	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			if (CELL(t, r, c) && hs_text_width(CELL(t, r, c)) > w[c])
				w[c] = hs_text_width(CELL(t, r, c));
	for (int r = 0; r < t->nrows; r++) {
		fputs(indent, out);
		for (int c = 0; c < t->ncols; c++) {
			const char *s = CELL(t, r, c) ? CELL(t, r, c) : "?";
			int pad = w[c] - hs_text_width(s);
			int last = c == t->ncols - 1;
			if (c)
				fputs("  ", out);
			if (t->right[c])
				fprintf(out, "%*s%s", pad, "", s);
			else
				fprintf(out, "%s%*s", s, last ? 0 : pad, "");
		}
		fputc('\n', out);
	}
	if (t->more)
		fprintf(out, "%s... and %lld more\n", indent, (long long)t->more);
}

static void table_free(struct table *t)
{
	if (t->oom && t->report)
		t->report->oom = 1;
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			free(CELL(t, r, c));
	free(t->cell);
	t->cell = NULL;
	t->nrows = 0;
}

/* Print t under a heading when it has rows, then free it. */
static void table_section(struct table *t, FILE *out, const char *heading)
{
	if (t->nrows > 1) {
		fprintf(out, "\n%s\n", heading);
		table_print(t, out, "  ");
	}
	table_free(t);
}

static const char *plural(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void fmt_i64(char *buf, size_t len, int64_t v)
{
	if (v == HS_NONE)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static void fmt_ms(const struct report *R, char *buf, size_t len, double ms)
{
	snprintf(buf, len, "%.*f", R->ms_decimals, ms);
}

/* Prepare sql ("%s": the filter's condition over `events e`, when with_f). */
static sqlite3_stmt *prep(struct report *R, const char *sql, int with_f)
{
	sqlite3_stmt *st = NULL;

	if (R->failed)
		return NULL;
	if (with_f) {
		if (hs_stats_prepare(R->ix, sql, R->f, &st, R->err) < 0) {
			R->failed = 1;
			return NULL;
		}
		return st;
	}
	if (sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK) {
		hs_error_set(R->err, "index", 0, 0, "report query failed: %s", sqlite3_errmsg(R->db));
		R->failed = 1;
		return NULL;
	}
	return st;
}

/* Step st; on an error (not a row, not done) set err. 1 row, 0 done/error. */
static int step(struct report *R, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE && !R->failed) {
		hs_error_set(R->err, "index", 0, 0, "report query failed: %s", sqlite3_errmsg(R->db));
		R->failed = 1;
	}
	return 0;
}

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, i);
}

static int64_t scalar(struct report *R, const char *sql, int with_f)
{
	sqlite3_stmt *st = prep(R, sql, with_f);
	int64_t v = 0;

	if (st && step(R, st))
		v = i64(st, 0);
	sqlite3_finalize(st);
	return v == HS_NONE ? 0 : v;
}

/* ------------------------------------------------------------ sections */

static void totals(struct report *R, const struct hs_stats *s)
{
	const struct hs_index_info *info = hs_index_info(R->ix);
	FILE *out = R->out;
	char a[48], b[48];

	for (int i = 0; i < info->files; i++) {
		const struct hs_index_file *f = hs_index_file(R->ix, i);
		const struct hs_parser_desc *d;
		if (!f)
			continue;
		d = hs_detect_by_name(f->format);
		fputs("file         ", out);
		put_esc(out, f->path);
		fprintf(out, " (%s: %s, %lld %s, %lld %s skipped)\n", f->format, d ? d->title : f->format,
		        (long long)f->events, plural(f->events, "event", "events"),
		        (long long)f->skipped, plural(f->skipped, "line", "lines"));
	}
	if (R->f && hs_filter_text(R->f)[0]) {
		fputs("filter       ", out);
		put_esc(out, hs_filter_text(R->f));
		fputc('\n', out);
	}
	fprintf(out, "calls        %lld   errors %lld   success %s   incomplete %lld\n",
	        (long long)s->total, (long long)s->errors, hs_stats_success_text(s, a, sizeof a),
	        (long long)s->incomplete);
	/* processes and threads mean something for call traces only */
	if (scalar(R, "SELECT count(*) FROM events e WHERE e.hsm IS NULL AND (%s)", 1) > 0) {
		fprintf(out, "processes    %lld", (long long)s->processes);
		if (scalar(R, "SELECT count(*) FROM events e WHERE e.tid IS NOT NULL AND (%s)", 1) > 0)
			fprintf(out, "   threads %lld", (long long)s->threads);
		else
			fputs("   threads: not in this log", out);
		fputc('\n', out);
	}
	if (s->corr.nhsms > 0)
		fprintf(out, "HSMs         %d\n", s->corr.nhsms);
	if (s->first_ts == HS_NONE) {
		fputs("time span    none in this log\n", out);
	} else {
		hs_format_ts(s->first_ts, a, sizeof a, 0);
		hs_format_ts(s->last_ts, b, sizeof b, 0);
		const char *tz = hs_index_info(R->ix)->tz;
		long off;
		char zone[96];
		if (s->ts_utc)
			snprintf(zone, sizeof zone, "UTC");
		else if (tz && hs_zone_offset(s->first_ts, &off) == 0)
			snprintf(zone, sizeof zone, "(local time, %s, UTC%c%02ld:%02ld)", tz,
			         off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
		else
			snprintf(zone, sizeof zone, "(local time as recorded, zone unknown)");
		fprintf(out, "time span    %s .. %s %s\n", a, b, zone);
	}
	fprintf(out, "durations    %s\n", !s->dur.count ? "none in this log" :
	        s->dur_exact ? "as recorded by the tracer" :
	        "estimated: time to the next call of the same process and thread (an upper bound)");
	if (s->dur.count) {
		char v[7][32];
		double d[7] = { s->dur.min, s->dur.avg, s->dur.p50, s->dur.p95, s->dur.p99, s->dur.max,
		                s->dur.total };
		for (int i = 0; i < 7; i++)
			fmt_ms(R, v[i], sizeof v[i], d[i]);
		fprintf(out, "             ms: min %s  avg %s  p50 %s  p95 %s  p99 %s  max %s  total %s\n",
		        v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	}
}

static void anomalies(struct report *R, const struct hs_stats *s)
{
	static const char *const hdr[] = { "kind", "events", "first No.", "meaning" };
	sqlite3_stmt *st;
	struct table t;
	int64_t total = 0;

	if (s->corr.nanomalies == 0)
		return;
	st = prep(R, "SELECT n FROM anomalies WHERE kind = ?1 ORDER BY n LIMIT " "5", 0);
	if (!st)
		return;
	table_init(&t, R, 4, 100, hdr, "lrll");
	for (int i = 0; i < s->corr.nanomalies; i++) {
		const struct hs_lc_count *a = &s->corr.anomalies[i];
		const char *help = "", *name;
		char count[24], first[FIRST_NS * 24 + 8] = "";
		size_t used = 0;
		int k = 0;

		for (int j = 0; (name = hs_correlate_anomaly_kind(j, &help)) != NULL; j++)
			if (strcmp(name, a->name) == 0)
				break;
		if (!name)
			help = "";
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
		while (step(R, st) && used < sizeof first - 24)
			used += (size_t)snprintf(first + used, sizeof first - used, "%s%lld", k++ ? ", " : "",
			                         (long long)sqlite3_column_int64(st, 0));
		if (a->count > k && used < sizeof first - 8)
			snprintf(first + used, sizeof first - used, ", ...");
		snprintf(count, sizeof count, "%lld", (long long)a->count);
		total += a->count;
		table_row(&t, (const char *const[]){ a->name, count, first, help });
	}
	sqlite3_finalize(st);
	fprintf(R->out, "\nanomalies    %lld flagged%s\n", (long long)total,
	        R->f ? " (whole trace: the filter does not apply)" : "");
	table_print(&t, R->out, "  ");
	table_free(&t);
}

static void failing_pairs(struct report *R)
{
	static const char *const hdr[] = { "function", "return code", "calls", "first No." };
	sqlite3_stmt *st = prep(R, "SELECT e.func, ifnull(e.rv_name, e.rv), count(*), min(e.n) "
	                           "FROM events e WHERE e.ok = 0 AND e.incomplete = 0 AND (%s) "
	                           "GROUP BY e.func, e.rv_name ORDER BY count(*) DESC, min(e.n)", 1);
	struct table t;

	if (!st)
		return;
	table_init(&t, R, 4, 20, hdr, "llrr");
	while (step(R, st)) {
		char c[24], n[24];
		fmt_i64(c, sizeof c, i64(st, 2));
		fmt_i64(n, sizeof n, i64(st, 3));
		table_row(&t, (const char *const[]){ text(st, 0), text(st, 1), c, n });
	}
	sqlite3_finalize(st);
	table_section(&t, R->out, "failed calls by function and return code");
}

static void slowest(struct report *R, const struct hs_stats *s)
{
	static const char *const hdr[] = { "No.", "function", "ms", "return code" };
	sqlite3_stmt *st;
	struct table t;

	if (!s->dur.count)
		return;
	st = prep(R, "SELECT e.n, e.func, e.dur_us, ifnull(e.rv_name, '-') FROM events e "
	             "WHERE e.dur_us IS NOT NULL AND (%s) ORDER BY e.dur_us DESC, e.n LIMIT 5", 1);
	if (!st)
		return;
	table_init(&t, R, 4, 5, hdr, "rlrl");
	while (step(R, st)) {
		char n[24], ms[32];
		fmt_i64(n, sizeof n, i64(st, 0));
		fmt_ms(R, ms, sizeof ms, (double)sqlite3_column_int64(st, 2) / 1000.0);
		table_row(&t, (const char *const[]){ n, text(st, 1), ms, text(st, 3) });
	}
	sqlite3_finalize(st);
	table_section(&t, R->out, s->dur_exact ? "slowest calls" :
	              "slowest calls (estimated durations)");
}

static void return_codes(struct report *R, const struct hs_stats *s)
{
	static const char *const hdr[] = { "return code", "calls" };
	struct table t;

	table_init(&t, R, 2, 100, hdr, "lr");
	for (int i = 0; i < s->nrvs; i++) {
		char c[24];
		fmt_i64(c, sizeof c, s->rvs[i].count);
		table_row(&t, (const char *const[]){ s->rvs[i].name, c });
	}
	table_section(&t, R->out, "return codes");
}

static void functions(struct report *R, const struct hs_stats *s)
{
	static const char *const hdr[] = { "function", "calls", "errors", "p50 ms", "p95 ms",
	                                   "max ms", "tracer calls", "tracer ms" };
	struct table t;

	table_init(&t, R, s->tracer_table ? 8 : 6, 500, hdr, "lrrrrrrr");
	for (int i = 0; i < s->nfuncs; i++) {
		const struct hs_func_stats *f = &s->funcs[i];
		char c[24], e[24], p50[32] = "-", p95[32] = "-", mx[32] = "-", tc[24] = "-", tm[32] = "-";
		fmt_i64(c, sizeof c, f->calls);
		fmt_i64(e, sizeof e, f->errors);
		if (f->dur.count) {
			fmt_ms(R, p50, sizeof p50, f->dur.p50);
			fmt_ms(R, p95, sizeof p95, f->dur.p95);
			fmt_ms(R, mx, sizeof mx, f->dur.max);
		}
		if (f->tracer_calls >= 0)
			fmt_i64(tc, sizeof tc, f->tracer_calls);
		if (f->tracer_total_ms >= 0)
			snprintf(tm, sizeof tm, "%.3f", f->tracer_total_ms);
		table_row(&t, (const char *const[]){ f->name, c, e, p50, p95, mx, tc, tm });
	}
	if (t.nrows == 1)
		fputs("\nfunctions\n  (no events)\n", R->out);
	table_section(&t, R->out, "functions");
}

/* Per process instance, for call traces with more than one. */
static void processes(struct report *R, const struct hs_stats *s)
{
	static const char *const hdr[] = { "process", "pid", "threads", "calls", "errors",
	                                   "first No.", "last No." };
	sqlite3_stmt *st;
	struct table t;

	if (s->processes < 2)
		return;
	st = prep(R, "SELECT e.file_id, e.instance, max(e.pid), count(DISTINCT e.tid), count(*), "
	             "sum(e.ok = 0 AND e.incomplete = 0), min(e.n), max(e.n) FROM events e "
	             "WHERE e.hsm IS NULL AND (%s) GROUP BY e.file_id, e.instance ORDER BY min(e.n)", 1);
	if (!st)
		return;
	table_init(&t, R, 7, 20, hdr, "lrrrrrr");
	while (step(R, st)) {
		char p[64], pid[24], th[24], c[24], e[24], a[24], b[24];
		/* 1-based, as everywhere a person reads it; the file when several */
		if (hs_index_info(R->ix)->files > 1)
			snprintf(p, sizeof p, "p%lld (file %lld)", (long long)i64(st, 1) + 1,
			         (long long)i64(st, 0) + 1);
		else
			snprintf(p, sizeof p, "p%lld", (long long)i64(st, 1) + 1);
		fmt_i64(pid, sizeof pid, i64(st, 2));
		if (i64(st, 3) > 0)
			fmt_i64(th, sizeof th, i64(st, 3));
		else
			snprintf(th, sizeof th, "-");
		fmt_i64(c, sizeof c, i64(st, 4));
		fmt_i64(e, sizeof e, i64(st, 5));
		fmt_i64(a, sizeof a, i64(st, 6));
		fmt_i64(b, sizeof b, i64(st, 7));
		table_row(&t, (const char *const[]){ p, pid, th, c, e, a, b });
	}
	sqlite3_finalize(st);
	table_section(&t, R->out, "processes");
}

static void hsm_gaps(struct report *R, const char *hsm)
{
	static const char *const hdr[] = { "sequence", "missing", "last No. before", "first No. after" };
	sqlite3_stmt *st = prep(R, "SELECT g.after, g.before, g.missing, "
	                           "(SELECT max(e.n) FROM events e WHERE e.hsm = g.hsm AND e.n < g.n), g.n "
	                           "FROM seq_gaps g WHERE g.hsm = ?1 ORDER BY g.n", 0);
	struct table t;

	if (!st)
		return;
	sqlite3_bind_text(st, 1, hsm, -1, SQLITE_STATIC);
	table_init(&t, R, 4, 50, hdr, "lrrr");
	while (step(R, st)) {
		char seq[64], m[24], a[24], b[24];
		if (i64(st, 0) == HS_NONE)
			snprintf(seq, sizeof seq, "(reboot) -> 0x%llx", (unsigned long long)i64(st, 1));
		else
			snprintf(seq, sizeof seq, "0x%llx -> 0x%llx", (unsigned long long)i64(st, 0),
			         (unsigned long long)i64(st, 1));
		fmt_i64(m, sizeof m, i64(st, 2));
		fmt_i64(a, sizeof a, i64(st, 3));
		fmt_i64(b, sizeof b, i64(st, 4));
		table_row(&t, (const char *const[]){ seq, m, a, b });
	}
	sqlite3_finalize(st);
	if (t.nrows > 1) {
		fputs("  sequence gaps\n", R->out);
		table_print(&t, R->out, "    ");
	} else {
		fputs("  sequence gaps: none\n", R->out);
	}
	table_free(&t);
}

static void hsm_logins(struct report *R, const struct hs_lc_hsm *h)
{
	static const char *const hdr[] = { "user", "logins ok", "failed", "failure codes" };
	struct table t;

	table_init(&t, R, 4, 100, hdr, "lrrl");
	for (int i = 0; i < h->nlogins; i++) {
		const struct hs_lc_user *u = &h->logins[i];
		char ok[24], bad[24], codes[HS_LC_CODES * 32 + 1] = "";
		size_t used = 0;
		for (int k = 0; k < u->ncodes && used < sizeof codes - 32; k++)
			used += (size_t)snprintf(codes + used, sizeof codes - used, "%s%lld x%lld",
			                         k ? ", " : "", (long long)u->code[k],
			                         (long long)u->code_count[k]);
		fmt_i64(ok, sizeof ok, u->ok);
		fmt_i64(bad, sizeof bad, u->failed);
		table_row(&t, (const char *const[]){ u->user, ok, bad, u->ncodes ? codes : "-" });
	}
	if (t.nrows > 1) {
		fputs("  logins\n", R->out);
		table_print(&t, R->out, "    ");
	}
	table_free(&t);
}

static void hsms(struct report *R, const struct hs_stats *s)
{
	sqlite3_stmt *keys = prep(R, "SELECT sum(created_n IS NOT NULL), sum(destroyed_n IS NOT NULL) "
	                             "FROM objects WHERE hsm = ?1", 0);

	for (int i = 0; keys && i < s->corr.nhsms; i++) {
		const struct hs_lc_hsm *h = &s->corr.hsms[i];
		char a[48] = "-", b[48] = "-";
		if (h->first_ts != HS_NONE) {
			hs_format_ts(h->first_ts, a, sizeof a, 1);
			hs_format_ts(h->last_ts, b, sizeof b, 1);
		}
		fputs("\nHSM ", R->out);
		put_esc(R->out, h->hsm);
		fprintf(R->out, "%s\n  events %lld   %s .. %s UTC   reboots %lld\n",
		        R->f ? " (whole trace)" : "", (long long)h->events, a, b, (long long)h->reboots);
		hsm_gaps(R, h->hsm);
		hsm_logins(R, h);
		sqlite3_reset(keys);
		sqlite3_bind_text(keys, 1, h->hsm, -1, SQLITE_STATIC);
		if (step(R, keys))
			fprintf(R->out, "  users created %lld, deleted %lld   keys created %lld, deleted %lld\n",
			        (long long)h->users_created, (long long)h->users_deleted,
			        (long long)(i64(keys, 0) == HS_NONE ? 0 : i64(keys, 0)),
			        (long long)(i64(keys, 1) == HS_NONE ? 0 : i64(keys, 1)));
	}
	sqlite3_finalize(keys);
}

/* Why lines were skipped, each reason at its first place, as a compiler
 * says where: "trace.log:1234: text outside any call (312 lines like it)". */
static void skips(struct report *R, const struct hs_stats *s)
{
	int64_t total = 0;

	if (s->nskips == 0)
		return;
	for (int i = 0; i < hs_index_info(R->ix)->files; i++) {
		const struct hs_index_file *f = hs_index_file(R->ix, i);
		total += f ? f->skipped : 0;
	}
	fprintf(R->out, "\nskipped lines  %lld (the first line of each reason%s)\n", (long long)total,
	        R->f ? "; whole trace" : "");
	for (int i = 0; i < s->nskips; i++) {
		const struct hs_skip *k = &s->skips[i];
		const struct hs_index_file *f = hs_index_file(R->ix, k->file_id);
		fputs("  ", R->out);
		put_esc(R->out, f ? f->path : "?");
		fprintf(R->out, ":%lld: ", (long long)k->line);
		put_esc(R->out, k->reason);
		if (k->count > 1)
			fprintf(R->out, " (%lld lines like it)", (long long)k->count);
		fputc('\n', R->out);
	}
	if (s->skip_reasons > s->nskips)
		fprintf(R->out, "  ... and %lld more reasons\n", (long long)(s->skip_reasons - s->nskips));
}

/* EXTRACT_MASKED_OBJECT_USER on one HSM -> INSERT_MASKED_OBJECT_USER of the
 * same key on another, and the ones with no partner among the loaded HSMs. */
static void key_sync(struct report *R, const struct hs_stats *s)
{
	static const char *const hdr[] = { "extract No.", "from HSM", "insert No.", "to HSM", "key" };
	sqlite3_stmt *st;
	struct table t;
	int64_t unpaired;

	if (s->corr.nhsms == 0)
		return;
	st = prep(R, "SELECT l.n, a.hsm, l.peer, b.hsm, (SELECT group_concat(printf('0x%x', k.handle), ' ') "
	             "FROM event_keys k WHERE k.n = l.n) FROM links l JOIN events a ON a.n = l.n "
	             "JOIN events b ON b.n = l.peer WHERE l.kind = 'sync' AND a.func LIKE '%EXTRACT%' "
	             "ORDER BY l.n", 0);
	if (!st)
		return;
	table_init(&t, R, 5, 50, hdr, "rlrll");
	while (step(R, st)) {
		char a[24], b[24];
		fmt_i64(a, sizeof a, i64(st, 0));
		fmt_i64(b, sizeof b, i64(st, 2));
		table_row(&t, (const char *const[]){ a, text(st, 1), b, text(st, 3), text(st, 4) });
	}
	sqlite3_finalize(st);
	unpaired = scalar(R, "SELECT count(*) FROM anomalies WHERE kind = 'sync_unmatched'", 0);
	if (t.nrows == 1 && unpaired == 0) {
		table_free(&t);
		return;
	}
	fputs("\nkey synchronisation (extract -> insert)\n", R->out);
	if (t.nrows > 1)
		table_print(&t, R->out, "  ");
	else
		fputs("  no pairs\n", R->out);
	table_free(&t);
	if (unpaired) {
		static const char *const uh[] = { "unpaired No.", "HSM", "opcode", "key" };
		st = prep(R, "SELECT a.n, e.hsm, e.func, (SELECT group_concat(printf('0x%x', k.handle), ' ') "
		             "FROM event_keys k WHERE k.n = a.n) FROM anomalies a JOIN events e ON e.n = a.n "
		             "WHERE a.kind = 'sync_unmatched' ORDER BY a.n", 0);
		if (!st)
			return;
		table_init(&t, R, 4, 50, uh, "rlll");
		while (step(R, st)) {
			char n[24];
			fmt_i64(n, sizeof n, i64(st, 0));
			table_row(&t, (const char *const[]){ n, text(st, 1), text(st, 2), text(st, 3) });
		}
		sqlite3_finalize(st);
		table_print(&t, R->out, "  ");
		table_free(&t);
	}
}

int hs_report_text(struct hs_index *ix, const struct hs_stats *s, const struct hs_filter *f,
                   FILE *out, struct hs_error *err)
{
	struct report R = { ix, hs_index_db(ix), f, out, err, 3, 0, 0 };

	hs_error_clear(err);
	/* the spy's clock ticks in ms: no decimals that only look precise */
	if (s->dur.count &&
	    scalar(&R, "SELECT count(*) FROM events e WHERE e.dur_us % 1000 != 0 AND (%s)", 1) == 0)
		R.ms_decimals = 0;
	totals(&R, s);
	skips(&R, s);
	anomalies(&R, s);
	failing_pairs(&R);
	slowest(&R, s);
	return_codes(&R, s);
	functions(&R, s);
	processes(&R, s);
	hsms(&R, s);
	key_sync(&R, s);
	if (!R.failed && R.oom) {
		hs_error_set(err, "", 0, 0, "out of memory while writing the report");
		R.failed = 1;
	}
	if (!R.failed && (fflush(out) != 0 || ferror(out)))
		hs_error_set(err, "", 0, 0, "standard output: write error");
	return R.failed || err->msg[0] ? -1 : 0;
}
