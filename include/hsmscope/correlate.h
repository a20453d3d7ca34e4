/* correlate.h — the structure of a trace: process instances, sessions,
 * logins, operation spans, object lifecycles, and for audit logs sequence
 * gaps, reboots, login spans per user and key synchronisation.
 *
 * The correlator is a state machine with no storage of its own: it is fed
 * events in n order and emits what it finds as typed rows into a sink
 * (struct hs_corr_sink below), the way a parser emits events into an
 * hs_sink. corrstore.h is the sink that writes them to the index; unit tests
 * collect them in memory.
 *
 * Ownership: the correlator is created by hs_correlate_new() and freed by
 * hs_correlate_free(); it copies the sink struct (the sink's ctx stays the
 * caller's). Strings in a row are borrowed for the duration of on_row().
 *
 * Call order: new → [load a saved state, or replay stored events] → event()
 * for every event in n order, before it is stored → finish() once after the
 * last event → free. event() fills e->session_id, e->login_id and e->span_id
 * (so they are stored with the row) and emits links and anomalies as soon
 * as they are known; finish() emits what only the end of the trace tells
 * (sessions never closed, spans never finished, ...) and leaves the state
 * spent: save it before finish() to go on later.
 *
 * Rows: sessions, logins, spans, objects, processes and streams carry an id
 * and are emitted again whenever what they describe changes its end state
 * (a store replaces the row with the same id); anomalies, links, seq gaps and
 * attributions are only ever added.
 */
#ifndef HSMSCOPE_CORRELATE_H
#define HSMSCOPE_CORRELATE_H

#include <stddef.h>

#include "hsmscope/event.h"
#include "hsmscope/util.h"

struct hs_correlator;

/* Row kinds, one per correlation table (index_schema.c). */
enum hs_corr_kind {
	HS_CROW_ANOMALY, HS_CROW_LINK, HS_CROW_SESSION, HS_CROW_LOGIN, HS_CROW_SPAN,
	HS_CROW_OBJECT, HS_CROW_PROCESS, HS_CROW_STREAM, HS_CROW_GAP, HS_CROW_ATTR, HS_CROW_COUNT
};

/* In every row an integer is HS_NONE and a string NULL or "" where the
 * column is NULL. n values are events.n. */
struct hs_crow_anomaly {
	int64_t n, ref;             /* the event it is about, the one it refers to */
	const char *kind;           /* hs_correlate_anomaly_kind() name (static) */
	const char *detail;         /* one line for a person, no event numbers */
	int at_end;                 /* 1: known only because the trace ended */
};
struct hs_crow_link {           /* one pair; a store keeps both directions */
	int64_t n, peer;
	const char *kind;           /* session, login, span, object, same_login, sync */
};
struct hs_crow_session {
	int64_t id, process_id, file_id, instance, slot, handle;
	int64_t open_n, close_n, first_n, last_n, calls, errors;
	const char *state;          /* closed, leaked, open, finalized, ... */
};
struct hs_crow_login {          /* call traces: process_id..session_id; audit: hsm, user */
	int64_t id, process_id, file_id, instance, slot, user_type, session_id, session;
	int64_t login_n, logout_n, last_n, calls, errors;
	const char *hsm, *user, *state;
};
struct hs_crow_span {
	int64_t id, session_id, init_n, end_n, last_n, calls, errors;
	const char *kind, *state;
};
struct hs_crow_object {
	int64_t id, file_id, instance, handle, token, session_id;
	int64_t created_n, found_n, destroyed_n, last_n, uses;
	const char *hsm, *label, *obj_id, *cls, *state;
};
struct hs_crow_process {
	int64_t id, file_id, instance, pid, first_n, last_n, init_n, final_n, calls, errors;
	const char *state;          /* running, finalized */
};
struct hs_crow_stream {
	int64_t id, file_id, first_n, last_n, first_ts, last_ts, events, errors, reboots, gaps,
		missing;
	const char *hsm;
};
struct hs_crow_gap {
	int64_t n, after, before, missing;
	const char *hsm;
};
struct hs_crow_attr {
	int64_t n;
	const char *users;          /* comma-separated */
};

struct hs_corr_row {
	enum hs_corr_kind kind;     /* which member of u */
	union {
		struct hs_crow_anomaly anomaly;
		struct hs_crow_link link;
		struct hs_crow_session session;
		struct hs_crow_login login;
		struct hs_crow_span span;
		struct hs_crow_object object;
		struct hs_crow_process process;
		struct hs_crow_stream stream;
		struct hs_crow_gap gap;
		struct hs_crow_attr attr;
	} u;
};

struct hs_corr_sink {
	void *ctx;                  /* the caller's */
	/* 0, or -1 with err set: the correlator stops and reports it */
	int (*on_row)(void *ctx, const struct hs_corr_row *row, struct hs_error *err);
};

/* sink NULL: rows are dropped (the state alone is wanted). */
int hs_correlate_new(const struct hs_corr_sink *sink, struct hs_correlator **out,
                     struct hs_error *err);
/* -1 on a sink/OOM error (err set), else 0. */
int hs_correlate_event(struct hs_correlator *c, struct hs_event *e, struct hs_error *err);
/* An event already stored and correlated once: the state moves on, no row
 * is emitted. length_query: hs_correlate_length_query() of its detail, for
 * a caller that does not give the detail of every call. */
int hs_correlate_replay_event(struct hs_correlator *c, struct hs_event *e, int length_query,
                              struct hs_error *err);
int hs_correlate_finish(struct hs_correlator *c, struct hs_error *err);
void hs_correlate_free(struct hs_correlator *c);

/* Replay needs the detail of these calls only (an SQL list of quoted
 * names), and the length-query flag of the successful ones in the second. */
const char *hs_correlate_detail_funcs_sql(void);
const char *hs_correlate_lenq_funcs_sql(void);
int hs_correlate_length_query(const char *detail, size_t len);

/* Ids handed out so far (the next id of each table) — rows with an id at or
 * past these were not written by this state. kind: SESSION, LOGIN, SPAN,
 * OBJECT, PROCESS or STREAM; else 0. */
int64_t hs_correlate_next_id(const struct hs_correlator *c, enum hs_corr_kind kind);
/* Every row of a thing still open (what finish() would write): kind and id. */
void hs_correlate_open_rows(const struct hs_correlator *c,
                            void (*cb)(void *ctx, enum hs_corr_kind kind, int64_t id), void *ctx);

/* The state as bytes, to go on from later (correlate_state.c): appended to
 * out. clean: 1 when the store holds every row this state emitted plus what
 * finish() will write now (then unchanged rows are not written again); 0
 * when it may not (a state rebuilt by replay). 0, or -1 out of memory. */
int hs_correlate_save(const struct hs_correlator *c, int clean, struct hs_buf *out);
/* Replace c's state (a fresh correlator's) by a saved one. Every field is
 * checked: a blob of another version, truncated or hostile gives -1 and a
 * fresh state, never a crash. */
int hs_correlate_load(struct hs_correlator *c, const void *blob, size_t len);

/* The anomaly kinds, for help, completion and tests: i-th or NULL. */
const char *hs_correlate_anomaly_kind(int i, const char **help);

#endif
