/* metrics.c — the OpenMetrics exposition of `analyze` (see metrics.h).
 *
 * Everything comes from GROUP BY queries over the index, so memory does not
 * grow with the log. Histogram buckets are counted by SQLite in one pass
 * (sum(dur_us <= bound) per bound); the buckets are cumulative, as the
 * format wants. Spy durations are upper bounds (time to the thread's next
 * call): the HELP line says so.
 */
#include "hsmscope/metrics.h"

#include <sqlite3.h>
#include <string.h>

#include "hsmscope/lifecycle.h"

/* Bucket bounds in µs and as the `le` label (seconds). */
static const struct { int64_t us; const char *le; } buckets[] = {
	{ 100, "0.0001" }, { 500, "0.0005" }, { 1000, "0.001" }, { 5000, "0.005" },
	{ 10000, "0.01" }, { 50000, "0.05" }, { 100000, "0.1" }, { 500000, "0.5" },
	{ 1000000, "1.0" }, { 5000000, "5.0" },
};
#define NBUCKETS ((int)(sizeof buckets / sizeof buckets[0]))

/* A label value: log text, so escaped first (hs_escape: no control, C1 or
 * bidi character, always UTF-8 as the format requires), then the format's
 * own escapes for backslash, double quote and newline. */
static void label(FILE *out, const char *v)
{
	struct hs_buf b;
	const char *p;

	hs_buf_init(&b);
	if (v && hs_escape(&b, v, strlen(v)) < 0)
		hs_buf_clear(&b);
	fputc('"', out);
	for (p = hs_buf_cstr(&b); *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('"', out);
	hs_buf_free(&b);
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

static int calls(struct hs_index *ix, const struct hs_filter *f, FILE *out, struct hs_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (hs_stats_prepare(ix, "SELECT func, CASE WHEN incomplete THEN 'incomplete' ELSE"
	                     " coalesce(rv_name, CAST(rv AS TEXT), '') END, count(*)"
	                     " FROM events e WHERE %s GROUP BY 1, 2 ORDER BY 1, 2", f, &st, err) < 0)
		return -1;
	fputs("# TYPE hsmscope_calls counter\n"
	      "# HELP hsmscope_calls Calls (audit: commands) by function and return code.\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs("hsmscope_calls_total{func=", out);
		label(out, col(st, 0));
		fputs(",rv=", out);
		label(out, col(st, 1));
		fprintf(out, "} %lld\n", (long long)sqlite3_column_int64(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (hs_stats_prepare(ix, "SELECT func, sum(NOT ok AND NOT incomplete), sum(incomplete)"
	                     " FROM events e WHERE %s GROUP BY 1 ORDER BY 1", f, &st, err) < 0)
		return -1;
	fputs("# TYPE hsmscope_errors counter\n"
	      "# HELP hsmscope_errors Calls that returned an error, by function.\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs("hsmscope_errors_total{func=", out);
		label(out, col(st, 0));
		fprintf(out, "} %lld\n", (long long)sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	fputs("# TYPE hsmscope_incomplete_calls counter\n"
	      "# HELP hsmscope_incomplete_calls Calls that never returned in the log.\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs("hsmscope_incomplete_calls_total{func=", out);
		label(out, col(st, 0));
		fprintf(out, "} %lld\n", (long long)sqlite3_column_int64(st, 2));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
fail:
	hs_error_set(err, "index", 0, 0, "metrics query failed: %s", sqlite3_errmsg(hs_index_db(ix)));
	return -1;
}

static int durations(struct hs_index *ix, const struct hs_filter *f, int exact, FILE *out,
                     struct hs_error *err)
{
	struct hs_buf sql;
	sqlite3_stmt *st;
	int rc, i;

	hs_buf_init(&sql);
	hs_buf_adds(&sql, "SELECT func, count(*), sum(dur_us)");
	for (i = 0; i < NBUCKETS; i++)
		hs_buf_printf(&sql, ", sum(dur_us <= %lld)", (long long)buckets[i].us);
	hs_buf_adds(&sql, " FROM events e WHERE dur_us IS NOT NULL AND (%s) GROUP BY 1 ORDER BY 1");
	if (hs_buf_failed(&sql)) {
		hs_buf_free(&sql);
		hs_error_set(err, "index", 0, 0, "statistics query failed: out of memory");
		return -1;
	}
	rc = hs_stats_prepare(ix, hs_buf_cstr(&sql), f, &st, err);
	hs_buf_free(&sql);
	if (rc < 0)
		return -1;
	fprintf(out, "# TYPE hsmscope_call_duration_seconds histogram\n"
	        "# HELP hsmscope_call_duration_seconds Call durations by function%s.\n",
	        exact ? "" : " (upper bounds: time to the thread's next call)");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *func = col(st, 0);
		for (i = 0; i < NBUCKETS; i++) {
			fputs("hsmscope_call_duration_seconds_bucket{func=", out);
			label(out, func);
			fprintf(out, ",le=\"%s\"} %lld\n", buckets[i].le,
			        (long long)sqlite3_column_int64(st, 3 + i));
		}
		fputs("hsmscope_call_duration_seconds_bucket{func=", out);
		label(out, func);
		fprintf(out, ",le=\"+Inf\"} %lld\n", (long long)sqlite3_column_int64(st, 1));
		fputs("hsmscope_call_duration_seconds_count{func=", out);
		label(out, func);
		fprintf(out, "} %lld\n", (long long)sqlite3_column_int64(st, 1));
		fputs("hsmscope_call_duration_seconds_sum{func=", out);
		label(out, func);
		fprintf(out, "} %.6f\n", (double)sqlite3_column_int64(st, 2) / 1e6);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	hs_error_set(err, "index", 0, 0, "metrics query failed: %s", sqlite3_errmsg(hs_index_db(ix)));
	return -1;
}

/* One counter family with one sample per HSM. */
static void hsm_family(FILE *out, const struct hs_lc_summary *c, const char *name, const char *help,
                       int64_t (*value)(const struct hs_lc_hsm *))
{
	fprintf(out, "# TYPE %s counter\n# HELP %s %s\n", name, name, help);
	for (int i = 0; i < c->nhsms; i++) {
		fprintf(out, "%s_total{hsm=", name);
		label(out, c->hsms[i].hsm);
		fprintf(out, "} %lld\n", (long long)value(&c->hsms[i]));
	}
}

static int64_t v_events(const struct hs_lc_hsm *h) { return h->events; }
static int64_t v_gaps(const struct hs_lc_hsm *h) { return h->ngaps; }
static int64_t v_reboots(const struct hs_lc_hsm *h) { return h->reboots; }
static int64_t v_missing(const struct hs_lc_hsm *h)
{
	int64_t n = 0;

	for (int i = 0; i < h->ngaps; i++)
		if (h->gaps[i].missing > 0)
			n += h->gaps[i].missing;
	return n;
}

static void hsms(const struct hs_lc_summary *c, FILE *out)
{
	if (c->nhsms == 0)
		return;
	hsm_family(out, c, "hsmscope_hsm_events", "Audit events per HSM stream.", v_events);
	hsm_family(out, c, "hsmscope_hsm_seq_gaps", "Gaps in an HSM's sequence numbers.", v_gaps);
	hsm_family(out, c, "hsmscope_hsm_missing_events", "Audit events missing in the gaps.", v_missing);
	hsm_family(out, c, "hsmscope_hsm_reboots", "Reboot-counter changes.", v_reboots);
	fputs("# TYPE hsmscope_failed_logins counter\n"
	      "# HELP hsmscope_failed_logins Failed CN_LOGINs by HSM and user.\n", out);
	for (int i = 0; i < c->nhsms; i++)
		for (int j = 0; j < c->hsms[i].nlogins; j++) {
			fputs("hsmscope_failed_logins_total{hsm=", out);
			label(out, c->hsms[i].hsm);
			fputs(",user=", out);
			label(out, c->hsms[i].logins[j].user);
			fprintf(out, "} %lld\n", (long long)c->hsms[i].logins[j].failed);
		}
}

int hs_metrics_write(struct hs_index *ix, const struct hs_filter *f, const struct hs_stats *s,
                     FILE *out, struct hs_error *err)
{
	if (calls(ix, f, out, err) < 0 || durations(ix, f, s->dur_exact, out, err) < 0)
		return -1;
	hsms(&s->corr, out);
	fputs("# EOF\n", out);
	if (fflush(out) != 0 || ferror(out)) {
		hs_error_set(err, "", 0, 0, "write error");
		return -1;
	}
	return 0;
}
