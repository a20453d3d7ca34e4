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

/* An event's id, stable for its file: "<hash of the file's head>-<offset>". */
void hs_query_op_id(struct hs_index *ix, const struct hs_event *ev, char *out, size_t outlen);

#endif
