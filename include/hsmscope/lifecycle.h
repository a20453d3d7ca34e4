/* lifecycle.h — the structure of a trace as a tree, read from the index:
 *
 *   call traces:  process → slot → session → login span → operation span → call
 *   audit logs:   HSM → user login span → command
 *
 * plus calls outside those (a process's C_GetSlotList, a session's calls
 * before its login, commands while nobody is logged in), with runs of
 * consecutive calls of one function folded into one node. It is built by
 * correlation (correlate.h) and read here lazily: a cursor lists one
 * node's children in timeline order, and nothing else is loaded, so the
 * TUI can expand a node of a trace of any size, and the CLI can stream the
 * whole tree. Each node carries a filter expression in the filter language
 * (filter.h) selecting its events, for "show me these".
 *
 * Also here: the correlation figures of `analyze --format json` (sessions,
 * logins, objects, anomalies, and per HSM of an audit log).
 *
 * Ownership: a cursor from hs_lc_open() is freed by hs_lc_close(); nodes
 * are plain structs the caller owns (no pointers inside); a summary is
 * freed by hs_lc_summary_free(). Labels hold log text as is: escape it
 * before it reaches a terminal (hs_escape).
 */
#ifndef HSMSCOPE_LIFECYCLE_H
#define HSMSCOPE_LIFECYCLE_H

#include <stdint.h>
#include <stdio.h>

#include "hsmscope/event.h"
#include "hsmscope/index.h"
#include "hsmscope/util.h"

enum hs_lc_kind {
	HS_LC_PROCESS,              /* a process instance of a call trace */
	HS_LC_SLOT,                 /* a slot, within a process */
	HS_LC_SESSION,              /* a session */
	HS_LC_LOGIN,                /* a login span (within a session, or an HSM) */
	HS_LC_SPAN,                 /* an operation: C_xxxInit .. its end */
	HS_LC_CALLS,                /* consecutive calls of one function, folded */
	HS_LC_CALL,                 /* one event */
	HS_LC_HSM,                  /* an audit log stream */
};

struct hs_lc_node {
	enum hs_lc_kind kind;
	int64_t id;                 /* row id: processes, sessions, logins, spans or
	                               streams.id; the event's n for a call; 0 for a
	                               slot or a fold */
	char label[640];            /* one line: "session 0x1", "login CKU_USER", ...;
	                               a call's holds its func, state and summary whole */
	char func[64];              /* a call or fold: its function or opcode */
	char state[HS_TEXT_MAX];    /* closed, leaked, ended, implicit, open, done,
	                               failed, ...; a call: its return code name or
	                               audit response, whole */
	char anomalies[128];        /* a call: its anomaly kinds, comma-separated */
	char filter[512];           /* the node's events, as a filter expression */
	int64_t first_n, last_n;    /* its first and last event */
	int64_t first_ts, last_ts;  /* µs, HS_NONE when unknown */
	int ts_utc;                 /* 1 when the times are UTC */
	int64_t calls, errors;      /* events under it, and the failed ones */
	int open_end;               /* 1 when it never ended in the log (a leaked
	                               session, an open login, an unfinished operation,
	                               a process without C_Finalize, a call that never
	                               returned) */
	int has_children;           /* 1 when hs_lc_open() on it lists something */
	int64_t k[4];               /* private: what listing its children needs */
};

struct hs_lc_cursor;

/* List the children of parent (NULL: the roots — processes and HSMs) in
 * timeline order. Returns 0, or -1 with err set. */
int hs_lc_open(struct hs_index *ix, const struct hs_lc_node *parent,
               struct hs_lc_cursor **out, struct hs_error *err);
/* 1 = node filled, 0 = no more, -1 = error (err set). */
int hs_lc_next(struct hs_lc_cursor *c, struct hs_lc_node *node, struct hs_error *err);
void hs_lc_close(struct hs_lc_cursor *c);

/* Walk the tree depth first (roots at depth 0). fn returns 0 to descend
 * into the node's children, 1 to skip them, -1 to stop (walk returns -1
 * then, err untouched). Memory: one cursor per level. */
int hs_lc_walk(struct hs_index *ix,
               int (*fn)(void *ctx, const struct hs_lc_node *node, int depth), void *ctx,
               struct hs_error *err);

/* One thread of a process of a call trace (the timeline's rows). */
struct hs_lc_thread {
	int64_t tid;                /* thread id as the log gives it */
	int64_t first_n, last_n;    /* its first and last event */
	int64_t first_ts, last_ts;  /* µs, HS_NONE when unknown */
	int64_t calls, errors;      /* its events, and the failed ones */
	int open_end;               /* 1 when one of its calls never returned */
	char filter[160];           /* its events, as a filter expression */
};

/* The threads of process (an HS_LC_PROCESS node), by their first event,
 * into *out (malloc'ed, the caller frees it; NULL when none) and *n.
 * 0, or -1 with err set. */
int hs_lc_threads(struct hs_index *ix, const struct hs_lc_node *process,
                  struct hs_lc_thread **out, int *n, struct hs_error *err);

const char *hs_lc_kind_name(enum hs_lc_kind kind); /* "process", "session", ... */

/* Print the whole tree to out as `hsmscope sessions` does: indented text,
 * or with json the JSON of share/schema/sessions.schema.json. Returns 0,
 * or -1 with err set. */
int hs_lc_print(struct hs_index *ix, int json, FILE *out, struct hs_error *err);

/* ------------------------------------------------- figures for `analyze` */

struct hs_lc_count {
	char name[64];              /* anomaly kind, opcode, ... */
	int64_t count;
};

#define HS_LC_CODES 8           /* failure codes kept per user */

struct hs_lc_user {
	char user[64];
	int64_t ok, failed;         /* successful and failed CN_LOGINs */
	int64_t code[HS_LC_CODES];  /* response codes of the failures (HS_NONE: none) */
	int64_t code_count[HS_LC_CODES]; /* failures with that code */
	int ncodes;
};

struct hs_lc_gap {
	int64_t after;              /* sequence number before the gap, HS_NONE: a reboot */
	int64_t before;             /* sequence number after it */
	int64_t missing;            /* events missing */
};

struct hs_lc_hsm {
	char hsm[128];              /* HSM id */
	int64_t events;
	int64_t first_ts, last_ts;  /* µs UTC, HS_NONE when unknown */
	int64_t reboots;            /* reboot-counter changes */
	int64_t users_created, users_deleted; /* successful CN_CREATE_* / CN_DELETE_USER */
	struct hs_lc_gap *gaps;     /* owned, ngaps */
	int ngaps;
	struct hs_lc_user *logins;  /* owned, nlogins, by user */
	int nlogins;
	struct hs_lc_count *key_events; /* owned, nkey_events: key opcode → events */
	int nkey_events;
};

/* The structure of the whole trace (filters do not apply to it). */
struct hs_lc_summary {
	int64_t sessions_opened;    /* C_OpenSession seen */
	int64_t sessions_closed;    /* closed, C_CloseAllSessions or C_Finalize */
	int64_t sessions_leaked;    /* never closed */
	int64_t logins_ok;          /* successful C_Login / C_LoginUser / CN_LOGIN */
	int64_t logins_failed;      /* failed ones */
	int64_t login_spans;        /* login .. its end */
	int64_t objects_created;    /* handles created in the log */
	int64_t objects_destroyed;  /* handles destroyed in the log */
	struct hs_lc_count *anomalies; /* owned, nanomalies: kind → count, by kind */
	int nanomalies;
	struct hs_lc_hsm *hsms;     /* owned, nhsms: audit streams, by id; 0 for call traces */
	int nhsms;
};

int hs_lc_summary(struct hs_index *ix, struct hs_lc_summary *out, struct hs_error *err);
void hs_lc_summary_free(struct hs_lc_summary *s);

#endif
