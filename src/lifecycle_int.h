/* lifecycle_int.h — what lifecycle.c (the cursor and its scan) and
 * lifecycle_node.c (filling one node from the index, and the small SQLite
 * and text helpers both use) share. Private to the core: not installed. */
#ifndef HSMSCOPE_LIFECYCLE_INT_H
#define HSMSCOPE_LIFECYCLE_INT_H
#include <sqlite3.h>
#include <stdint.h>

#include "hsmscope/lifecycle.h"


enum src { SRC_ROOTS, SRC_PROCESS, SRC_SLOT, SRC_SESSION, SRC_SESSION_LOGIN, SRC_LOGIN, SRC_SPAN,
           SRC_HSM, SRC_NONE };

struct row {                    /* one event of a scan */
	int64_t n, ts;              /* its number; µs, HS_NONE */
	int64_t login_id, span_id;  /* correlation, HS_NONE */
	int ts_utc, ok, incomplete; /* flags as in events */
	char func[64];              /* function */
	char rv_name[HS_TEXT_MAX];  /* return code name or response, as the event's */
	char summary[256];          /* its one-line summary, as the event's */
	char anomalies[128];        /* its anomaly kinds, comma-separated */
};

#define FOLD_STATES 4           /* distinct states of a fold counted by name */

struct fold_state {             /* calls of a fold that ended one way */
	char name[HS_TEXT_MAX];     /* return code name, response, or "never returned" */
	int64_t count;
};

struct iset {                   /* ids already shown */
	int64_t *v;                 /* owned, cap slots, 0 = empty */
	int cap, count;             /* slots allocated (a power of two), ids stored */
};

struct hs_lc_cursor {
	struct hs_index *ix;        /* not owned */
	sqlite3 *db;                /* the index's */
	enum src src;               /* what is listed */
	int64_t a, b, lo, hi;       /* the source's keys and n range */
	char hsm[128];              /* SRC_HSM: the stream's HSM id */
	char fold_func[64];         /* listing a fold: only its calls */
	int group_logins, group_spans, fold; /* 1: logins / spans become nodes, calls fold */
	int leaves_only;            /* listing a fold: skip what the parent grouped */
	int64_t proc_id;            /* SRC_PROCESS: processes.id (for its slots) */
	char parent_filter[512];    /* for the filters of folds */
	int nfiles;                 /* files in the index */
	sqlite3_stmt *main;         /* the scan (or the roots / sessions) */
	sqlite3_stmt *slots;        /* SRC_PROCESS: its slots */
	sqlite3_stmt *st_ts, *st_login, *st_span, *st_sl, *st_proc, *st_stream, *st_sess,
	             *st_ids, *st_threads; /* owned lookups, prepared on first use */
	int have_row;               /* row read, not used yet */
	struct row row;             /* that row */
	int main_done;              /* the scan is at its end */
	int have_fold;              /* fold being built */
	struct row fold_first;      /* its first call */
	int64_t fold_count, fold_errors, fold_last_n, fold_last_ts; /* calls, failed, last n, µs */
	int fold_open;              /* a folded call never returned */
	char fold_anomalies[128];   /* their anomaly kinds, each once */
	struct fold_state fold_states[FOLD_STATES]; /* their states, first seen first */
	int nfold_states;           /* entries used */
	int64_t fold_other;         /* calls whose state did not find a free entry */
	int have_slot, slots_done;  /* next slot row */
	int64_t slot_first;         /* its first event */
	struct iset logins, spans;  /* logins and spans already shown as nodes */
};

void hs_lc_setf(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void hs_lc_addf(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void hs_lc_quote(char *dst, size_t len, const char *s);
int64_t hs_lc_col_i64(sqlite3_stmt *st, int i);
void hs_lc_col_str(sqlite3_stmt *st, int i, char *dst, size_t len);
void hs_lc_bind_i64(sqlite3_stmt *st, int i, int64_t v);
int hs_lc_prep(struct hs_lc_cursor *c, sqlite3_stmt **st, const char *sql, struct hs_error *err);
int hs_lc_db_error(struct hs_lc_cursor *c, struct hs_error *err);
void hs_lc_times(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err);
void hs_lc_node_init(struct hs_lc_node *nd, enum hs_lc_kind kind);
int hs_lc_fill_process(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd, struct hs_error *err);
int hs_lc_fill_stream(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd, struct hs_error *err);
int hs_lc_fill_session(struct hs_lc_cursor *c, sqlite3_stmt *st, struct hs_lc_node *nd, struct hs_error *err);
int hs_lc_fill_login(struct hs_lc_cursor *c, int64_t id, int64_t session_id, struct hs_lc_node *nd, struct hs_error *err);
int hs_lc_fill_span(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd, struct hs_error *err);
void hs_lc_fill_call(const struct row *r, struct hs_lc_node *nd);

#endif
