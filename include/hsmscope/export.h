/* export.h — events and summaries as JSON (cJSON), and safe output files.
 *
 * Ownership: cJSON trees returned here are the caller's (cJSON_Delete).
 * Everything exported comes from the index, which only holds redacted
 * events: export never reads a log.
 */
#ifndef HSMSCOPE_EXPORT_H
#define HSMSCOPE_EXPORT_H

#include <stdio.h>

#include "hsmscope/event.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/stats.h"

struct cJSON;

enum hs_export_format {
	HS_EXPORT_JSON,             /* one JSON array, one event per line inside it */
	HS_EXPORT_PRETTY,           /* one JSON array, indented */
	HS_EXPORT_NDJSON,           /* one event object per line */
	HS_EXPORT_ES_BULK,          /* Elasticsearch/OpenSearch _bulk: action line, then
	                               the event, per event; _id stable across runs */
	HS_EXPORT_CSV,              /* RFC 4180: a header row, one row per event */
};

#define HS_EXPORT_ES_INDEX "hsmscope-events" /* default _index of es-bulk */

/* A format's name as --format takes it ("ndjson"), NULL for no format. */
const char *hs_export_format_name(enum hs_export_format fmt);
/* The format a file name asks for by its ending (".csv", ".ndjson",
 * ".jsonl", ".bulk", ".es"; any case), JSON when none does. */
enum hs_export_format hs_export_format_for_path(const char *path);

/* The JSON object of one event (schema in the man page). */
struct cJSON *hs_export_event(struct hs_index *ix, const struct hs_event *e);
/* Stream the events matching f to out. Returns events written, -1 on error.
 * es_index names the _index of HS_EXPORT_ES_BULK (NULL: the default). */
int64_t hs_export_events(struct hs_index *ix, const struct hs_filter *f,
                         enum hs_export_format fmt, FILE *out, struct hs_error *err);
int64_t hs_export_events_to(struct hs_index *ix, const struct hs_filter *f,
                            enum hs_export_format fmt, const char *es_index, FILE *out,
                            struct hs_error *err);
/* Stream the events whose numbers are in ns[0..count) (sorted). */
int64_t hs_export_numbers(struct hs_index *ix, const int64_t *ns, int64_t count,
                          enum hs_export_format fmt, FILE *out, struct hs_error *err);
/* A writer of events one at a time, for callers that choose the events
 * themselves (grep -m, -v): begin writes the format's header, each event
 * one record, end its trailer. The writer is the caller's until
 * hs_export_writer_end(), which frees it and returns the events written
 * (-1 on a write error, err set). */
struct hs_export_writer;
struct hs_export_writer *hs_export_writer_begin(struct hs_index *ix, enum hs_export_format fmt,
                                                FILE *out);
int hs_export_writer_event(struct hs_export_writer *w, const struct hs_event *e,
                           struct hs_error *err);
int64_t hs_export_writer_end(struct hs_export_writer *w, struct hs_error *err);

/* The `analyze --format json` summary. */
struct cJSON *hs_export_summary(struct hs_index *ix, const struct hs_stats *s);

/* Write path atomically: fn writes into a new temporary file beside it
 * (hs_safe_tmp_create: exclusive, never through a symlink), which is
 * renamed over path only when fn returns 0. An existing path is kept
 * unless force is set, and even then only a regular file is replaced, and
 * the new file keeps its permissions (a new one gets 0666 less the umask).
 * Returns 0 or -1 (err set, naming path; no file left behind). */
int hs_export_to_file(const char *path, int force,
                      int (*fn)(void *ctx, FILE *out, struct hs_error *err), void *ctx,
                      struct hs_error *err);

#endif
