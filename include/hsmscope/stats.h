/* stats.h — the figures of `analyze`: counts, return codes, durations.
 *
 * Ownership: hs_stats_compute() fills a struct the caller frees with
 * hs_stats_free(). Nothing here formats for a terminal.
 *
 * Percentiles are nearest-rank over the events that have a duration; all
 * durations are in milliseconds as doubles (µs resolution).
 */
#ifndef HSMSCOPE_STATS_H
#define HSMSCOPE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/lifecycle.h"

struct hs_dur_stats {
	int64_t count;              /* events with a duration */
	double min, avg, p50, p95, p99, max, total; /* ms */
};

struct hs_func_stats {
	char name[64];              /* function or opcode */
	int64_t calls, errors;
	struct hs_dur_stats dur;    /* ms */
	int64_t tracer_calls;       /* the tracer's own count (its closing table), -1 none */
	double tracer_total_ms;     /* the time it measured in them, ms, -1 none */
};

struct hs_rv_stats {
	char name[HS_TEXT_MAX];     /* CKR_... or response text */
	int64_t rv;                 /* number, HS_NONE for calls that never returned */
	int64_t count;
};

#define HS_STATS_SKIPS 10        /* skip reasons kept, the most frequent first */

/* Lines no event took, for one reason in one file: where the first one is. */
struct hs_skip {
	int file_id;                /* the file (hs_index_file) */
	char reason[96];            /* the parser's words */
	int64_t line, offset;       /* the first such line: 1-based, bytes */
	int64_t count;              /* lines skipped for this reason */
};

struct hs_stats {
	int64_t total;              /* events matched */
	int64_t errors;             /* returned, not ok */
	int64_t incomplete;         /* never returned */
	double success_rate;        /* ok / returned, 0..1; -1 when none returned (n/a) */
	int64_t processes;          /* distinct (file, process instance) */
	int64_t threads;            /* distinct (file, instance, tid) */
	int64_t first_ts, last_ts;  /* µs, HS_NONE when no times */
	int ts_utc;                 /* 1 when the times are UTC */
	int dur_exact;              /* 1 when every duration came from the tracer
	                               (0 when there are none: dur.count says) */
	int tracer_table;           /* 1 when some file had a tracer's own totals
	                               (tracer_* of funcs; whole trace, unfiltered) */
	struct hs_dur_stats dur;    /* all events with a duration */
	struct hs_func_stats *funcs; /* owned, by calls descending */
	int nfuncs;
	struct hs_rv_stats *rvs;    /* owned, by count descending */
	int nrvs;
	struct hs_lc_summary corr;  /* owned: sessions, logins, objects, anomalies, HSMs
	                               of the whole trace (the filter does not apply) */
	struct hs_skip skips[HS_STATS_SKIPS]; /* why lines were skipped, whole trace,
	                               by count descending */
	int nskips;
	int64_t skip_reasons;       /* (file, reason) pairs in all, nskips of them kept */
};

int hs_stats_compute(struct hs_index *ix, const struct hs_filter *f, struct hs_stats *out,
                     struct hs_error *err);
void hs_stats_free(struct hs_stats *s);
/* The success rate as shown: "97.5%", or "n/a" when no call returned.
 * Writes into buf (16 bytes are enough) and returns it. */
const char *hs_stats_success_text(const struct hs_stats *s, char *buf, size_t len);

struct sqlite3_stmt;
/* Prepare a query over `events e` in which "%s" stands for f's condition
 * ("1" without a filter), with f's parameters bound: the one way figures
 * are asked of the index. 0, or -1 with err set. */
int hs_stats_prepare(struct hs_index *ix, const char *sql_tmpl, const struct hs_filter *f,
                     struct sqlite3_stmt **st, struct hs_error *err);

#endif
