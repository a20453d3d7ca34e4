/* stats.c — computing the `analyze` figures with SQLite.
 *
 * Counts come from GROUP BY queries. Percentiles need sorted durations:
 * one query streams (func, dur_us) ordered by both — covered by the
 * ev_func index when no filter is given — and picks the nearest-rank
 * positions per function as it goes, knowing each function's count from
 * the first query. Memory stays bounded by the number of functions.
 */
#include "hsmscope/stats.h"

#include <math.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

int hs_stats_prepare(struct hs_index *ix, const char *sql_tmpl, const struct hs_filter *f,
                     struct sqlite3_stmt **st, struct hs_error *err)
{
	struct hs_buf sql;
	const char *hole = strstr(sql_tmpl, "%s");
	int rc;

	hs_buf_init(&sql);
	hs_buf_add(&sql, sql_tmpl, (size_t)(hole - sql_tmpl));
	hs_buf_adds(&sql, f ? hs_filter_sql(f) : "1");
	hs_buf_adds(&sql, hole + 2);
	if (hs_buf_failed(&sql)) {
		hs_buf_free(&sql);
		*st = NULL;
		hs_error_set(err, "index", 0, 0, "statistics query failed: out of memory");
		return -1;
	}
	rc = sqlite3_prepare_v2(hs_index_db(ix), hs_buf_cstr(&sql), -1, st, NULL);
	hs_buf_free(&sql);
	if (rc != SQLITE_OK || (f && hs_filter_bind(f, *st) != SQLITE_OK)) {
		hs_error_set(err, "index", 0, 0, "statistics query failed: %s",
		             sqlite3_errmsg(hs_index_db(ix)));
		sqlite3_finalize(*st);
		return -1;
	}
	return 0;
}

/* Finalize a statement whose last step gave rc: 0 when it ran to its
 * end, else -1 with err set. A stopped query (Ctrl-C, a regex limit) must
 * fail the figures, never leave them short. */
static int finish(struct hs_index *ix, sqlite3_stmt *st, int rc, struct hs_error *err)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		hs_error_set(err, "index", 0, 0, "statistics query failed: %s",
		             sqlite3_errmsg(hs_index_db(ix)));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* 1-based nearest rank of percentile p among n values */
static int64_t rank(double p, int64_t n)
{
	int64_t r = (int64_t)ceil(p / 100.0 * (double)n);
	return r < 1 ? 1 : r;
}

/* Feed sorted durations of one group; fills d as the values go by. */
struct pct {
	struct hs_dur_stats *d;
	int64_t seen;
	int64_t r50, r95, r99;
};

static void pct_start(struct pct *p, struct hs_dur_stats *d)
{
	p->d = d;
	p->seen = 0;
	p->r50 = rank(50, d->count);
	p->r95 = rank(95, d->count);
	p->r99 = rank(99, d->count);
}

static void pct_add(struct pct *p, double ms)
{
	p->seen++;
	if (p->seen == 1)
		p->d->min = ms;
	if (p->seen == p->r50)
		p->d->p50 = ms;
	if (p->seen == p->r95)
		p->d->p95 = ms;
	if (p->seen == p->r99)
		p->d->p99 = ms;
	p->d->max = ms;
	p->d->total += ms;
	p->d->avg = p->d->total / (double)p->seen;
}

static int find_func(struct hs_stats *s, const char *name)
{
	int i;

	for (i = 0; i < s->nfuncs; i++)
		if (strcmp(s->funcs[i].name, name) == 0)
			return i;
	return -1;
}

static int cmp_func(const void *a, const void *b)
{
	const struct hs_func_stats *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The most frequent skip reasons of the whole trace, each with its first
 * place, and how many (file, reason) pairs there are in all. */
static int load_skips(struct hs_index *ix, struct hs_stats *s, struct hs_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(hs_index_db(ix), "SELECT file_id, reason, first_line, first_offset,"
	                       " count, (SELECT count(*) FROM skips) FROM skips"
	                       " ORDER BY count DESC, file_id, first_line", -1, &st, NULL) != SQLITE_OK) {
		hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(hs_index_db(ix)));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hs_skip *k;
		s->skip_reasons = sqlite3_column_int64(st, 5);
		if (s->nskips == HS_STATS_SKIPS)
			break;
		k = &s->skips[s->nskips++];
		k->file_id = sqlite3_column_int(st, 0);
		hs_strlcpy(k->reason, (const char *)sqlite3_column_text(st, 1) ?
		           (const char *)sqlite3_column_text(st, 1) : "", sizeof k->reason);
		k->line = sqlite3_column_int64(st, 2);
		k->offset = sqlite3_column_int64(st, 3);
		k->count = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(hs_index_db(ix)));
		return -1;
	}
	return 0;
}

int hs_stats_compute(struct hs_index *ix, const struct hs_filter *f, struct hs_stats *s,
                     struct hs_error *err)
{
	sqlite3_stmt *st;
	struct pct all, fn;
	int cur = -1, rc;

	memset(s, 0, sizeof *s);
	s->first_ts = s->last_ts = HS_NONE;
	s->success_rate = -1.0; /* no call returned: there is no rate */
	if (hs_stats_prepare(ix, "SELECT count(*), sum(NOT ok AND NOT incomplete), sum(incomplete),"
	             " sum(ok), min(ts_us), max(ts_us), max(ts_utc),"
	             " count(DISTINCT file_id || ':' || instance),"
	             " count(DISTINCT file_id || ':' || instance || ':' || ifnull(tid, '')),"
	             " count(dur_us), ifnull(min(CASE WHEN dur_us IS NOT NULL THEN dur_exact END), 0)"
	             " FROM events e WHERE %s", f, &st, err))
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ok;
		s->total = sqlite3_column_int64(st, 0);
		s->errors = sqlite3_column_int64(st, 1);
		s->incomplete = sqlite3_column_int64(st, 2);
		ok = sqlite3_column_int64(st, 3);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			s->first_ts = sqlite3_column_int64(st, 4);
			s->last_ts = sqlite3_column_int64(st, 5);
		}
		s->ts_utc = sqlite3_column_int(st, 6);
		s->processes = sqlite3_column_int64(st, 7);
		s->threads = sqlite3_column_int64(st, 8);
		s->dur.count = sqlite3_column_int64(st, 9);
		s->dur_exact = sqlite3_column_int(st, 10);
		s->success_rate = (ok + s->errors) ? (double)ok / (double)(ok + s->errors) : -1.0;
	}
	if (finish(ix, st, rc, err) < 0)
		return -1;

	if (hs_stats_prepare(ix, "SELECT func, count(*), sum(NOT ok AND NOT incomplete), count(dur_us)"
	             " FROM events e WHERE %s GROUP BY func", f, &st, err))
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hs_func_stats *nf = realloc(s->funcs, (size_t)(s->nfuncs + 1) * sizeof *nf);
		if (!nf) {
			sqlite3_finalize(st);
			hs_error_set(err, "", 0, 0, "out of memory");
			goto fail;
		}
		s->funcs = nf;
		nf = &s->funcs[s->nfuncs++];
		memset(nf, 0, sizeof *nf);
		hs_strlcpy(nf->name, sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "",
		           sizeof nf->name);
		nf->calls = sqlite3_column_int64(st, 1);
		nf->errors = sqlite3_column_int64(st, 2);
		nf->dur.count = sqlite3_column_int64(st, 3);
	}
	if (finish(ix, st, rc, err) < 0)
		goto fail;

	if (hs_stats_prepare(ix, "SELECT rv, rv_name, count(*) FROM events e WHERE %s"
	             " GROUP BY rv, rv_name ORDER BY count(*) DESC, rv", f, &st, err))
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hs_rv_stats *nr = realloc(s->rvs, (size_t)(s->nrvs + 1) * sizeof *nr);
		if (!nr) {
			sqlite3_finalize(st);
			hs_error_set(err, "", 0, 0, "out of memory");
			goto fail;
		}
		s->rvs = nr;
		nr = &s->rvs[s->nrvs++];
		nr->rv = sqlite3_column_type(st, 0) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, 0);
		hs_strlcpy(nr->name, sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1)
		                                                : "(no return)", sizeof nr->name);
		nr->count = sqlite3_column_int64(st, 2);
	}
	if (finish(ix, st, rc, err) < 0)
		goto fail;

	/* per-function percentiles, streamed in (func, dur) order */
	if (hs_stats_prepare(ix, "SELECT func, dur_us FROM events e WHERE dur_us IS NOT NULL AND (%s)"
	             " ORDER BY func, dur_us", f, &st, err))
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "";
		double ms = (double)sqlite3_column_int64(st, 1) / 1000.0;
		if (cur < 0 || strcmp(s->funcs[cur].name, name) != 0) {
			cur = find_func(s, name);
			if (cur < 0)
				continue;
			pct_start(&fn, &s->funcs[cur].dur);
		}
		pct_add(&fn, ms);
	}
	if (finish(ix, st, rc, err) < 0)
		goto fail;

	/* overall percentiles need one sorted pass over all durations */
	if (hs_stats_prepare(ix, "SELECT dur_us FROM events e WHERE dur_us IS NOT NULL AND (%s) ORDER BY dur_us",
	         f, &st, err))
		goto fail;
	pct_start(&all, &s->dur);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		pct_add(&all, (double)sqlite3_column_int64(st, 0) / 1000.0);
	if (finish(ix, st, rc, err) < 0)
		goto fail;

	/* the tracer's own totals, beside ours: the whole trace, as it counted */
	for (cur = 0; cur < s->nfuncs; cur++)
		s->funcs[cur].tracer_calls = -1, s->funcs[cur].tracer_total_ms = -1;
	if (sqlite3_prepare_v2(hs_index_db(ix), "SELECT func, sum(calls), sum(total_us)"
	                       " FROM tracer_stats GROUP BY func", -1, &st, NULL) != SQLITE_OK) {
		hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(hs_index_db(ix)));
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		cur = name ? find_func(s, name) : -1;
		s->tracer_table = 1;
		if (cur < 0 && name && !f) {
			/* the tracer counted calls the log does not show (a level
			 * that prints less, a table without its calls): a row of
			 * its own, with none of ours, rather than hidden */
			struct hs_func_stats *nf = realloc(s->funcs, (size_t)(s->nfuncs + 1) * sizeof *nf);
			if (!nf) {
				sqlite3_finalize(st);
				hs_error_set(err, "", 0, 0, "out of memory");
				goto fail;
			}
			s->funcs = nf;
			cur = s->nfuncs++;
			memset(&nf[cur], 0, sizeof nf[cur]);
			hs_strlcpy(nf[cur].name, name, sizeof nf[cur].name);
			nf[cur].tracer_calls = -1, nf[cur].tracer_total_ms = -1;
		}
		if (cur < 0)
			continue;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			s->funcs[cur].tracer_calls = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			s->funcs[cur].tracer_total_ms = (double)sqlite3_column_int64(st, 2) / 1000.0;
	}
	if (finish(ix, st, rc, err) < 0)
		goto fail;

	/* qsort(NULL, 0, ...) is undefined: a log with no events has no funcs */
	if (s->nfuncs > 1)
		qsort(s->funcs, (size_t)s->nfuncs, sizeof *s->funcs, cmp_func);
	if (hs_lc_summary(ix, &s->corr, err) < 0)
		goto fail;
	if (load_skips(ix, s, err) < 0)
		goto fail;
	return 0;
fail:
	hs_stats_free(s);
	return -1;
}

const char *hs_stats_success_text(const struct hs_stats *s, char *buf, size_t len)
{
	if (s->success_rate < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f%%", s->success_rate * 100.0);
	return buf;
}

void hs_stats_free(struct hs_stats *s)
{
	free(s->funcs);
	free(s->rvs);
	hs_lc_summary_free(&s->corr);
	s->funcs = NULL;
	s->rvs = NULL;
	s->nfuncs = s->nrvs = 0;
}
