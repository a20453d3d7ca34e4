/* query.h — cursors over the events of an index, filtered or not.
 *
 * Ownership: a query from hs_query_open() is freed by hs_query_close(); the
 * events it fills are the caller's (hs_event_init before, hs_event_free
 * after). This is the only way the UI, export and grep read events.
 */
#ifndef HSMSCOPE_QUERY_H
#define HSMSCOPE_QUERY_H

#include <stdint.h>

#include "hsmscope/event.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"

struct hs_query;

/* Events matching f (NULL: all) in timeline order, from number `from_n` on
 * (0 or 1 = the first). */
int hs_query_open(struct hs_index *ix, const struct hs_filter *f, int64_t from_n,
                  struct hs_query **out, struct hs_error *err);
/* 1 = ev filled, 0 = no more, -1 = error (err set). */
int hs_query_next(struct hs_query *q, struct hs_event *ev, struct hs_error *err);
void hs_query_close(struct hs_query *q);

/* How many events match f. -1 on error. */
int64_t hs_query_count(struct hs_index *ix, const struct hs_filter *f, struct hs_error *err);

/* One event by its number: 1 found, 0 none, -1 error. */
int hs_query_event(struct hs_index *ix, int64_t n, struct hs_event *ev, struct hs_error *err);

/* What links event n to its partner peer (the kinds of the links table:
 * session, login, span, object, same_login, sync), into kind. 1 found,
 * 0 no such link, -1 error. */
int hs_query_link_kind(struct hs_index *ix, int64_t n, int64_t peer, char *kind, size_t len,
                       struct hs_error *err);

/* An event's id, stable for its file: "<hash of the file's head>-<offset>". */
void hs_query_op_id(struct hs_index *ix, const struct hs_event *ev, char *out, size_t outlen);

/* --- for the explorer: a window over the matches, never all of them --- */

/* Fill up to max events matching f, in timeline order from from_n on
 * (dir > 0: n >= from_n, ascending) or backwards (dir < 0: n <= from_n,
 * descending), after skipping the first `skip` of them. The events are the
 * caller's (each hs_event_init'ed before). Returns how many, -1 on error. */
int hs_query_page(struct hs_index *ix, const struct hs_filter *f, int64_t from_n, int dir,
                  int64_t skip, struct hs_event *evs, int max, struct hs_error *err);

/* How many events matching f come before number n (its 0-based rank when it
 * matches). -1 on error. */
int64_t hs_query_rank(struct hs_index *ix, const struct hs_filter *f, int64_t n,
                      struct hs_error *err);

/* What hs_query_seek() looks for, besides matching f. */
enum hs_seek {
	HS_SEEK_ANY,                /* any event */
	HS_SEEK_ERROR,              /* returned, not ok */
	HS_SEEK_ANOMALY,            /* with at least one anomaly */
	HS_SEEK_SESSION,            /* in correlated session arg (session_id) */
	HS_SEEK_N,                  /* exactly number arg (does it match f?) */
	HS_SEEK_TS,                 /* at or after time arg (µs): go to a time */
};

/* The number of the nearest event matching f and `what` strictly after
 * from_n (dir > 0) or before it (dir < 0); for HS_SEEK_N, arg itself when it
 * matches. 0 when there is none, -1 on error. */
int64_t hs_query_seek(struct hs_index *ix, const struct hs_filter *f, int64_t from_n, int dir,
                      enum hs_seek what, int64_t arg, struct hs_error *err);

/* The numbers of events in [lo_n, hi_n] matching f (a colouring rule, for
 * one screen), ascending, at most max. Returns how many, -1 on error. */
int hs_query_match_range(struct hs_index *ix, const struct hs_filter *f, int64_t lo_n,
                         int64_t hi_n, int64_t *ns, int max, struct hs_error *err);

/* Calls and errors of the events matching f with a time in [first_ts,
 * last_ts] (µs), counted into nbuckets equal time buckets (arrays the
 * caller zeroes). Returns 0, -1 on error. */
int hs_query_histogram(struct hs_index *ix, const struct hs_filter *f, int64_t first_ts,
                       int64_t last_ts, int nbuckets, int64_t *calls, int64_t *errors,
                       struct hs_error *err);
/* The same over event numbers [first_n, last_n] (a log without times). */
int hs_query_histogram_n(struct hs_index *ix, const struct hs_filter *f, int64_t first_n,
                         int64_t last_n, int nbuckets, int64_t *calls, int64_t *errors,
                         struct hs_error *err);

#endif
