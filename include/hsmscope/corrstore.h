/* corrstore.h — the correlator's rows and state in the index: the one
 * module that writes the correlation tables (sessions, logins, spans,
 * objects, processes, streams, links, anomalies, seq_gaps, attributions),
 * replays stored events into a correlator, and keeps the correlator's
 * state with the index so that a refresh goes on from it.
 *
 * Ownership: a store is created by hs_corrstore_new() and freed by
 * hs_corrstore_free(); it borrows the sqlite3 handle (the index being
 * written). The sink it hands out points into the store.
 *
 * A refresh of a one-file index: hs_corrstore_load() the state saved with
 * the file's resume point, hs_corrstore_rewind() the rows written after it,
 * feed the new events (hs_corrstore_note() each before correlating it),
 * hs_corrstore_checkpoint() once the parse knows its new resume point, then
 * hs_correlate_finish() and hs_corrstore_finished(). Without a usable state: hs_corrstore_replay()
 * every stored event and hs_corrstore_forget_replayed().
 */
#ifndef HSMSCOPE_CORRSTORE_H
#define HSMSCOPE_CORRSTORE_H

#include "hsmscope/correlate.h"
#include "hsmscope/util.h"

struct sqlite3;
struct hs_corrstore;

/* The append-only tables, in the order of hs_corrstate_info.marks. */
enum { HS_CSMARK_ANOMALIES, HS_CSMARK_LINKS, HS_CSMARK_GAPS, HS_CSMARK_ATTRS, HS_CSMARK_COUNT };

struct hs_corrstate_info {
	int file_id;                /* files.id */
	int64_t resume_offset;      /* files.parsed_bytes the state goes on from */
	int64_t kept_n;             /* the last event the state has seen; events after it
	                               have offsets at or past resume_offset */
	int64_t marks[HS_CSMARK_COUNT]; /* rowids up to which those rows belong to the state */
};

int hs_corrstore_new(struct sqlite3 *db, struct hs_corrstore **out, struct hs_error *err);
void hs_corrstore_free(struct hs_corrstore *s);
struct hs_corr_sink hs_corrstore_sink(struct hs_corrstore *s);

/* Event n (at byte offset of its file) is about to be correlated by c
 * (which the store snapshots now and then). */
void hs_corrstore_note(struct hs_corrstore *s, const struct hs_correlator *c, int64_t n,
                       int64_t offset);

/* The state saved for file_id at resume_offset (-1: wherever) into c (a
 * fresh correlator) and its info: 0, or -1 when there is none or it does not fit the index
 * (c is fresh then). Cheap: a few rows by key. */
int hs_corrstore_load(struct sqlite3 *db, int file_id, int64_t resume_offset,
                      struct hs_correlator *c, struct hs_corrstate_info *info);
/* Drop every correlation row written after the state in info was saved
 * (by key ranges: cheap). 0, or -1 (err set). */
int hs_corrstore_rewind(struct hs_corrstore *s, const struct hs_correlator *c,
                        const struct hs_corrstate_info *info, struct hs_error *err);

/* Re-run stored events from_n < n <= to_n (to_n < 0: all) into c, no rows. */
int hs_corrstore_replay(struct sqlite3 *db, struct hs_correlator *c, int64_t from_n, int64_t to_n,
                        struct hs_error *err);
/* After replaying every stored event: drop the rows finish() wrote for
 * what is open, rows about events no longer stored, end-of-trace findings. */
int hs_corrstore_forget_replayed(struct hs_corrstore *s, struct hs_correlator *c,
                                 struct hs_error *err);

/* The parse of file_id ended with its resume point at resume_offset; c has
 * seen every event of it (finish() not yet run). Save the state as of the
 * resume point: c's own when no event from there on was seen, else one
 * rebuilt from the state this run started from (from_n: its kept_n, 0 for
 * none) and the run's kept events. When that cannot be known the saved state
 * is dropped (the next refresh replays). 0, or -1 (err set). */
int hs_corrstore_checkpoint(struct hs_corrstore *s, const struct hs_correlator *c, int file_id,
                            int64_t resume_offset, int64_t from_n, struct hs_error *err);

/* After hs_correlate_finish(): drop the end-of-trace anomalies stored by an
 * earlier run that this finish() did not emit again (those it did are kept
 * as they are, not rewritten). 0, or -1 (err set). */
int hs_corrstore_finished(struct hs_corrstore *s, struct hs_error *err);

/* Forget file_id's saved state (its parse did not end where a state can
 * be had): the next refresh replays. 0, or -1 (err set). */
int hs_corrstore_drop(struct sqlite3 *db, int file_id, struct hs_error *err);

#endif
