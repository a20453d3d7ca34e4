/* correlate_int.h — the correlator's state, shared by correlate.c (setup,
 * storage, replay, the small containers), correlate_p11.c (call traces),
 * correlate_obj.c (their object handles and detail lines) and
 * correlate_audit.c (CloudHSM audit streams). Not a public header.
 *
 * Ownership: everything here belongs to the struct hs_correlator; records
 * live in slabs (arrays reused through a free list) found through hash maps
 * keyed by three integers, and are released as soon as the thing they
 * follow ends (its row written). What stays is only what is open: process
 * instances, open sessions with their active operations, login states,
 * live (and recently destroyed) object handles, audit streams with their
 * open logins — each with a cap (see the *_MAX constants).
 *
 * The state is saved between runs (correlate_state.c): records hold no
 * pointers but the few marked "owned" there, which the saver writes out
 * separately; the hash maps are rebuilt from the records' keys.
 */
#ifndef HSMSCOPE_CORRELATE_INT_H
#define HSMSCOPE_CORRELATE_INT_H

#include <stdint.h>

#include "hsmscope/correlate.h"

#define PROCS_MAX 65536         /* process instances followed at once */
#define SESSIONS_MAX 65536      /* open sessions followed at once */
#define OBJECTS_MAX 262144      /* live and destroyed handles remembered */
#define STREAMS_MAX 4096        /* audit streams (HSMs) */
#define AU_LOGINS_MAX 64        /* open logins per audit stream */
#define MARKS_MAX 65536         /* audit logins / key syncs kept for the cluster view */
#define PINRUNS_MAX 4096        /* tokens followed at once (failed-login runs) */
#define OPS_MAX 4               /* operations active at once in one session */
#define CLOSED_RING 8           /* closed session handles remembered per process */
#define SAME_LOGIN_US 5000000   /* one login seen on several HSMs: within 5 s */
#define SYNC_US 60000000        /* EXTRACT ↔ INSERT of a key sync: within 60 s */

/* ------------------------------------------------------------ containers */

struct ckey {
	int64_t a, b, c;            /* e.g. file_id, instance, handle */
};

struct hslot {
	struct ckey k;
	int32_t v;                  /* record index, -1 = empty slot */
};

/* Open addressing, linear probing, backward-shift deletion. */
struct hmap {
	struct hslot *slot;         /* owned, mask + 1 entries */
	uint32_t mask;              /* capacity - 1 (capacity a power of two) */
	uint32_t count;             /* keys stored */
};

int hs_hmap_get(const struct hmap *m, const struct ckey *k);  /* index or -1 */
int hs_hmap_put(struct hmap *m, const struct ckey *k, int v); /* 0, -1 OOM */
void hs_hmap_del(struct hmap *m, const struct ckey *k);
void hs_hmap_free(struct hmap *m);

/* Fixed-size records that start with `int used`, reused through a free
 * list; indexes stay valid while a record is in use. */
struct slab {
	char *rec;                  /* owned, cap records of size bytes */
	size_t size;                /* bytes per record */
	int hi;                     /* records ever handed out (high-water mark) */
	int cap;                    /* records allocated */
	int max;                    /* cap never grows past this */
	int *freel;                 /* owned stack of released indexes */
	int nfree;
	int live;                   /* records in use */
};

int hs_slab_alloc(struct slab *s);             /* index, -1 when full or OOM */
void hs_slab_release(struct slab *s, int i);
void hs_slab_free(struct slab *s);
#define SLAB_AT(s, i, type) ((type *)((s)->rec + (size_t)(i) * (s)->size))

/* --------------------------------------------------------------- records */

struct p11_op {                 /* an active operation span in a session */
	int cls;                    /* index in the operation table, -1 = free */
	int64_t id;                 /* spans.id */
	int64_t init_n, last_n;     /* its Init, its latest call */
	int64_t calls, errors;
};

struct p11_sess {
	int used;
	struct ckey key;            /* file_id, instance, session handle */
	int proc;                   /* index in procs */
	int64_t id;                 /* sessions.id */
	int64_t slot;               /* slot id, HS_NONE unknown */
	int64_t open_n;             /* C_OpenSession, HS_NONE: opened before the log */
	int64_t first_n, last_n;
	int64_t calls, errors;
	int nobjs;                  /* session objects created in it, still live */
	int tainted;                /* an event of uncertain attribution touched it since its
	                               last Init: its operations raise no anomaly */
	uint64_t row_hash;          /* hash of its end-of-trace row the store holds, 0 unknown */
	struct p11_op ops[OPS_MAX];
};

struct p11_slot {               /* a slot's state in one process */
	int64_t slot;               /* slot id, HS_NONE unknown */
	int nsess;                  /* open sessions on it */
	int64_t login_id;           /* logins.id while logged in, 0 = not */
	int64_t login_n, last_n;    /* the login, its latest event */
	int64_t user_type;          /* CKU_* */
	int64_t session_id;         /* sessions.id of the login call, HS_NONE */
	int64_t session;            /* its handle */
	int64_t calls, errors;      /* events under the login */
	uint64_t row_hash;          /* hash of its end-of-trace row the store holds, 0 unknown */
};

struct p11_closed {
	int64_t handle, close_n;    /* a session handle and the event that closed it */
};

struct p11_proc {
	int used;
	struct ckey key;            /* file_id, instance, 0 */
	int64_t id;                 /* processes.id */
	int64_t pid;                /* HS_NONE unknown */
	int64_t first_n, last_n, init_n, final_n; /* HS_NONE when none */
	int64_t calls, errors;
	int initialized;            /* C_Initialize seen: unknown handles are anomalies */
	int finalized;              /* C_Finalize returned and no C_Initialize since */
	int overflow;               /* a cap dropped some of its state: be lenient */
	int loaded;                 /* C_GetFunctionList/C_GetInterface seen: its start is in the log */
	int cnt_off;                /* its call numbers say nothing of missing calls (a spy's
	                               process that is a guess, or uncertain): no call_no_gap */
	uint64_t row_hash;          /* hs_corr_row_hash() of the row last emitted for it, 0 none */
	struct cnt_win *cnt;        /* owned: the tracer's call counter (correlate_checks.c), NULL none */
	int nsess;                  /* open sessions */
	int nobjs;                  /* objects in memory */
	struct p11_slot *slots;     /* owned, nslots in use */
	int nslots, capslots;
	struct p11_closed closed[CLOSED_RING]; /* ring of recently closed handles */
	int nclosed;                /* closed handles seen, ring index = nclosed % CLOSED_RING */
};

struct obj {
	int used;
	struct ckey key;            /* p11: file_id, instance, handle; audit: -(stream+1), 0, handle */
	int owner;                  /* procs index (p11) or stream index (audit) */
	int sess;                   /* sess index of a live session object, -1 */
	int64_t id;                 /* objects.id */
	int64_t handle;
	int64_t session_id;         /* sessions.id it was created in, HS_NONE */
	int64_t created_n, found_n, destroyed_n, last_n; /* HS_NONE when none */
	int64_t uses;
	int token;                  /* 1 token, 0 session object, -1 unknown */
	int live;                   /* 0 once destroyed (kept to flag later uses) */
	char state[16];             /* live, destroyed, tombstoned, ... */
	char *label;                /* owned: CKA_LABEL whole, NULL none (freed by hs_obj_release) */
	char *obj_id;               /* owned: CKA_ID as hex, whole, NULL none */
	char cls[32];               /* CKA_CLASS name, or the creating audit opcode */
	uint64_t row_hash;          /* hs_corr_row_hash() of the row last emitted for it, 0 none */
};

struct au_login {
	int64_t id;                 /* logins.id */
	int64_t login_n, last_n;
	int64_t session;            /* session handle of the login */
	int64_t user_type;
	int64_t calls, errors;
	char user[64];
};

struct au_stream {
	char hsm[128];              /* HSM id */
	int file_id;                /* file of its first event */
	int64_t id;                 /* streams.id */
	int64_t first_n, last_n, first_ts, last_ts;
	int64_t events, errors;
	int64_t seq, reboot;        /* last seen, valid when have_seq / have_reboot */
	int have_seq, have_reboot;
	int from_start;             /* its first event had sequence number 0 */
	int64_t reboots, gaps, missing;
	struct au_login logins[AU_LOGINS_MAX]; /* open logins, oldest first */
	int nlogins;
};

struct au_mark {                /* a successful login or a key sync event */
	int stream;                 /* streams index */
	int kind;                   /* sync: 0 extract, 1 insert; login: 0 */
	int64_t n, ts;              /* event number, µs */
	int64_t v;                  /* key handle (sync) or user type (login) */
	char user[64];              /* login: the user */
};

struct pin_run {                /* failed logins in a row on one token (correlate_checks.c) */
	int64_t file_id, slot, user_type; /* the token (slot id, HS_NONE unknown) and user */
	int64_t first_n, last_n;    /* the first and the latest CKR_PIN_INCORRECT */
	int64_t count;              /* CKR_PIN_INCORRECT since the last successful login */
};

/* What hs_p11_event asks of a function name (correlate_p11.c p11_fn_of),
 * worked out once per name and run: every event asked a chain of up to
 * ~70 strcmp (the operation table's 57 entries among them). */
#define FN_CACHE 128                /* names remembered (a power of two) */
struct p11_fn {
	char name[64];              /* the name (hs_event.func), "" unused slot */
	unsigned char kind;         /* FK_* of correlate_p11.c */
	unsigned char lib;          /* C_Initialize or a function-list call */
	unsigned char creator;      /* hs_p11_is_creator */
	signed char op;             /* index in correlate_p11.c's opfuncs, -1 none */
};

struct hs_correlator {
	struct hs_corr_sink sink;   /* where rows go (on_row NULL: nowhere) */
	int replaying;              /* 1 while replay re-runs stored events: no rows */
	int replay_lenq;            /* during replay: the event's length-query flag */
	int failed;                 /* the sink refused a row; errmsg says why */
	int quiet;                  /* the event being correlated is of uncertain
	                               attribution: it raises no anomaly */
	char errmsg[256];
	int64_t next_process, next_session, next_login, next_span, next_object, next_stream;
	int64_t dropped;            /* things not followed because a cap was reached */
	int64_t seen_n;             /* the largest event n correlated (saved with the state) */
	int64_t stable_n;           /* seen_n of the state loaded: a process whose last_n is
	                               not past it has not changed since (its row_hash holds) */

	struct slab procs;          /* struct p11_proc */
	struct slab sess;           /* struct p11_sess */
	struct slab objs;           /* struct obj */
	struct hmap proc_map, sess_map, obj_map;

	struct au_stream *streams;  /* owned, nstreams in use */
	int nstreams, capstreams;
	struct au_mark *logmarks;   /* owned: successful audit logins */
	int nlogmarks, caplogmarks;
	struct au_mark *syncmarks;  /* owned: EXTRACT/INSERT_MASKED_OBJECT_USER */
	int nsyncmarks, capsyncmarks;
	struct pin_run *pinruns;    /* owned: failed-login runs per token, npinruns used */
	int npinruns, cappinruns;
	struct p11_fn fns[FN_CACHE]; /* by hash of the name, linear probing; not saved */
};

/* anomaly kinds (index into the table of correlate.c) */
enum {
	AN_SESSION_NOT_OPEN, AN_UNKNOWN_HANDLE, AN_DESTROYED_HANDLE, AN_OP_WITHOUT_INIT,
	AN_INIT_UNFINISHED, AN_LOGIN_UNENDED, AN_LOGOUT_WITHOUT_LOGIN, AN_SESSION_LEAKED,
	AN_CALL_AFTER_FINALIZE, AN_NEVER_RETURNED, AN_SEQ_GAP, AN_SEQ_ORDER, AN_REBOOT,
	AN_SYNC_UNMATCHED, AN_HANDLE_MISSING, AN_PIN_RETRY_BURST, AN_CALL_BEFORE_INITIALIZE,
	AN_CALL_NO_GAP, AN_COUNT
};

/* ------------------------------------------------------- storage (correlate.c) */

/* Each emits one row into the sink; 0, or -1 when the sink refused it
 * (c->failed set). None emits while replaying. An anomaly on an event being correlated (e != NULL) is
 * also added to e->anomalies; its detail names no event numbers (a merge
 * or refresh renumbers events): the event it refers to is `ref`. */
int hs_corr_anomaly(struct hs_correlator *c, struct hs_event *e, int64_t n, int64_t ref, int kind,
                 int at_end, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
int hs_corr_link(struct hs_correlator *c, int64_t a, int64_t b, const char *kind);
int hs_corr_write_session(struct hs_correlator *c, const struct p11_sess *s, int64_t close_n,
                       const char *state);
int hs_corr_write_p11_login(struct hs_correlator *c, const struct p11_proc *p,
                         const struct p11_slot *sl, int64_t logout_n, const char *state);
int hs_corr_write_au_login(struct hs_correlator *c, const struct au_stream *s,
                        const struct au_login *l, int64_t logout_n, const char *state);
int hs_corr_write_span(struct hs_correlator *c, int64_t id, const char *kind, int64_t session_id,
                    const struct p11_op *op, int64_t end_n, const char *state);
int hs_corr_write_object(struct hs_correlator *c, struct obj *o, const char *hsm);
int hs_corr_write_process(struct hs_correlator *c, struct p11_proc *p);
/* The same at the end of the trace: not emitted again when the row last
 * emitted for it (row_hash) is the same. */
int hs_corr_final_object(struct hs_correlator *c, struct obj *o, const char *hsm);
int hs_corr_final_process(struct hs_correlator *c, struct p11_proc *p);
/* What the rows of those would be now (correlate_state.c saves them). */
uint64_t hs_corr_object_hash(const struct hs_correlator *c, const struct obj *o, const char *hsm);
uint64_t hs_corr_process_hash(const struct p11_proc *p);
int hs_corr_process_unchanged(const struct hs_correlator *c, const struct p11_proc *p);
/* The rows finish() writes for a session and a login still open, as
 * hashes (saved with a clean state); and those writes, skipped when the
 * store holds the same row (row_hash). */
uint64_t hs_corr_end_session_hash(const struct hs_correlator *c, const struct p11_sess *s);
uint64_t hs_corr_end_login_hash(const struct p11_proc *p, const struct p11_slot *sl);
int hs_corr_final_session(struct hs_correlator *c, const struct p11_sess *s, const char *state);
int hs_corr_final_p11_login(struct hs_correlator *c, const struct p11_proc *p,
                            const struct p11_slot *sl);
int hs_corr_write_stream(struct hs_correlator *c, const struct au_stream *s);
int hs_corr_write_gap(struct hs_correlator *c, int64_t n, const char *hsm, int64_t after,
                   int64_t before, int64_t missing);
int hs_corr_write_attr(struct hs_correlator *c, int64_t n, const char *users);

/* Free everything c holds (the sink aside) and leave it empty. */
void hs_corr_clear(struct hs_correlator *c);

/* "0x1f" */
const char *hs_corr_hex(int64_t v, char *buf, size_t len);

/* A new live object record for handle k->c (a p11 owner is a procs index,
 * an audit owner a streams index); -1 when the cap is reached. Releasing
 * forgets it (its row must be written first if it matters). */
int hs_obj_new(struct hs_correlator *c, const struct ckey *k, int owner);
void hs_obj_release(struct hs_correlator *c, int oi);

/* ------------------------------------------------ call traces (correlate_p11.c) */

static inline struct p11_proc *proc_at(struct hs_correlator *c, int pi)
{
	return SLAB_AT(&c->procs, pi, struct p11_proc);
}

static inline struct p11_sess *sess_at(struct hs_correlator *c, int si)
{
	return SLAB_AT(&c->sess, si, struct p11_sess);
}


int hs_p11_event(struct hs_correlator *c, struct hs_event *e);
int hs_p11_finish(struct hs_correlator *c);
/* The operation table's size (a saved op's cls is at most this). */
int hs_p11_nops(void);
/* ------------------------------------ objects and detail lines (correlate_obj.c) */

/* 1 when a successful single-part or Final call only asked for the output
 * length (its output buffer was NULL): the operation goes on. */
int hs_p11_length_query(const char *detail, size_t len);
/* The same for the event being correlated (during replay: from SQL). */
int hs_p11_is_length_query(const struct hs_correlator *c, const struct hs_event *e);
/* The handles an event creates, finds, uses or destroys. */
int hs_p11_objects(struct hs_correlator *c, int pi, int si, struct hs_event *e);
int hs_p11_is_creator(const char *func);
/* Write a live object's row with state, and forget it. */
int hs_p11_obj_end(struct hs_correlator *c, int oi, const char *state);
/* Whether correlation needs the event's detail text (replay reads only those). */
const char *hs_p11_detail_funcs_sql(void);
const char *hs_p11_lenq_funcs_sql(void);
void hs_p11_free(struct hs_correlator *c);

/* ------------------------------------ runs of call-trace events (correlate_checks.c) */

/* A C_Login/C_LoginUser that returned, on token `slot` (HS_NONE unknown):
 * counts CKR_PIN_INCORRECT in a row, flags pin_retry_burst when a run of
 * PIN_BURST or more ends. */
int hs_p11_pin_check(struct hs_correlator *c, int64_t slot, const struct hs_event *e);
/* An event with the tracer's own call number: flags call_no_gap where
 * numbers are missing (threads may log out of order: a window waits). */
int hs_p11_cnt_check(struct hs_correlator *c, struct p11_proc *p, struct hs_event *e);
/* The process leaves memory (at_end: the trace ended): flag what its
 * window still holds, and free it. */
int hs_p11_cnt_end(struct hs_correlator *c, struct p11_proc *p, int at_end);
/* The trace ended: flag the runs still going. */
int hs_p11_checks_finish(struct hs_correlator *c);

/* ---------------------------------------------- audit logs (correlate_audit.c) */

int hs_au_event(struct hs_correlator *c, struct hs_event *e);
int hs_au_finish(struct hs_correlator *c);
void hs_au_free(struct hs_correlator *c);

/* ------------------------------------------- saved state (correlate_state.c) */

/* The size of the tracer's call counter window (correlate_checks.c). */
size_t hs_p11_cnt_size(void);
/* Check a loaded call counter window; 0 sane, -1 not. */
int hs_p11_cnt_check_loaded(const struct cnt_win *w);

#endif
