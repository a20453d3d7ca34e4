/* correlate.h — the structure of a trace: process instances, sessions,
 * logins, operation spans, object lifecycles, and for audit logs sequence
 * gaps, reboots, login spans per user and key synchronisation.
 *
 * Ownership: the correlator is created by hs_correlate_new() and freed by
 * hs_correlate_free(); it borrows the sqlite3 handle (the index being
 * written) and writes only the correlation tables (sessions, logins, spans,
 * objects, links, anomalies; see index_schema.c).
 *
 * Call order: new → [replay, when a refresh appends to an existing index]
 * → event() for every event in n order, before it is stored → finish() once
 * after the last event → free. event() fills e->session_id, e->login_id and
 * e->span_id (so they are stored with the row) and records links and
 * anomalies as soon as they are known; finish() records what only the end of
 * the trace tells (sessions never closed, spans never finished, ...).
 */
#ifndef HSMSCOPE_CORRELATE_H
#define HSMSCOPE_CORRELATE_H

#include "hsmscope/event.h"
#include "hsmscope/util.h"

struct sqlite3;
struct hs_correlator;

int hs_correlate_new(struct sqlite3 *db, struct hs_correlator **out, struct hs_error *err);
/* Rebuild the state from the events already in the index, and drop the
 * end-of-trace findings of the previous run (they may no longer hold). */
int hs_correlate_replay(struct hs_correlator *c, struct hs_error *err);
/* -1 on an SQLite/OOM error (err set), else 0. */
int hs_correlate_event(struct hs_correlator *c, struct hs_event *e, struct hs_error *err);
int hs_correlate_finish(struct hs_correlator *c, struct hs_error *err);
void hs_correlate_free(struct hs_correlator *c);

/* The anomaly kinds, for help, completion and tests: i-th or NULL. */
const char *hs_correlate_anomaly_kind(int i, const char **help);

#endif
