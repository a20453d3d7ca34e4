/* lifecycle.c — the session/login tree read from the correlation tables.
 *
 * A cursor lists one node's children. Structural children come from the
 * narrow tables (processes and streams at the root, a process's slots and
 * a slot's sessions from `sessions`); the rest comes from one ordered scan
 * of the parent's events through an index (session_id, login_id, span_id,
 * hsm), classified row by row:
 *   - the first row of a login (when the parent groups logins: a session,
 *     an HSM) becomes a login node, its later rows are skipped (they are
 *     the login's children);
 *   - likewise the first row of an operation span (sessions and logins in
 *     them) becomes a span node;
 *   - other rows are calls; consecutive calls of one function fold into one
 *     node (HS_LC_CALLS), which needs one row of lookahead.
 * A process also merges its slot nodes (placed at their first event) into
 * its own sessionless calls. State per cursor: its statements, one pending
 * row, the fold being built, the next slot row, and the sets of logins and
 * spans already shown (small open-addressing sets of ids). The figures of
 * `analyze` are in lifecycle_summary.c.
 */
#include "hsmscope/lifecycle.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"

enum src { SRC_ROOTS, SRC_PROCESS, SRC_SLOT, SRC_SESSION, SRC_SESSION_LOGIN, SRC_LOGIN, SRC_SPAN,
           SRC_HSM, SRC_NONE };

#define LEAF_COLS "e.n, e.ts_us, e.ts_utc, e.func, e.rv_name, e.ok, e.incomplete, e.login_id," \
	" e.span_id, e.summary, (SELECT group_concat(a.kind, ',') FROM anomalies a WHERE a.n = e.n)"

static const char *const src_sql[] = {
	[SRC_PROCESS] = "SELECT " LEAF_COLS " FROM events e WHERE e.file_id = ?1 AND e.instance = ?2"
		" AND e.session_id IS NULL AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_SESSION] = "SELECT " LEAF_COLS " FROM events e WHERE e.session_id = ?1"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_SESSION_LOGIN] = "SELECT " LEAF_COLS " FROM events e WHERE e.session_id = ?1"
		" AND e.login_id = ?2 AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_LOGIN] = "SELECT " LEAF_COLS " FROM events e WHERE e.login_id = ?1"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_SPAN] = "SELECT " LEAF_COLS " FROM events e WHERE e.span_id = ?1"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_HSM] = "SELECT " LEAF_COLS " FROM events e WHERE e.hsm = ?5"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
};

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

/* ------------------------------------------------------------- helpers */

static void setf(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void setf(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

static void addf(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void addf(char *dst, size_t len, const char *fmt, ...)
{
	size_t o = strlen(dst);
	va_list ap;

	if (o + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(dst + o, len - o, fmt, ap);
	va_end(ap);
}

/* A string literal of the filter language. */
static void quote(char *dst, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 3)
		return;
	dst[o++] = '"';
	for (; *s && o + 3 < len; s++) {
		if (*s == '"' || *s == '\\')
			dst[o++] = '\\';
		dst[o++] = *s;
	}
	dst[o++] = '"';
	dst[o] = '\0';
}

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, i);
}

static void col_str(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	hs_strlcpy(dst, s ? (const char *)s : "", len);
}

static void bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == HS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int prep(struct hs_lc_cursor *c, sqlite3_stmt **st, const char *sql, struct hs_error *err)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	hs_error_set(err, "index", 0, 0, "sessions: %s", sqlite3_errmsg(c->db));
	hs_error_hint(err, "rebuild the index (--rebuild): it may predate correlation");
	return -1;
}

static int db_error(struct hs_lc_cursor *c, struct hs_error *err)
{
	hs_error_set(err, "index", 0, 0, "sessions: %s", sqlite3_errmsg(c->db));
	return -1;
}

static int iset_has(const struct iset *s, int64_t v)
{
	int i;

	if (!s->cap)
		return 0;
	for (i = (int)((uint64_t)v * 0x9E3779B97F4A7C15ull >> 40) & (s->cap - 1); s->v[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->v[i] == v)
			return 1;
	return 0;
}

static int iset_add(struct iset *s, int64_t v) /* 1 added, 0 present, -1 OOM */
{
	int i;

	if ((s->count + 1) * 2 > s->cap) {
		int cap = s->cap ? s->cap * 2 : 16, j;
		int64_t *nv = calloc((size_t)cap, sizeof *nv);
		if (!nv)
			return -1;
		for (j = 0; j < s->cap; j++) {
			if (!s->v[j])
				continue;
			for (i = (int)((uint64_t)s->v[j] * 0x9E3779B97F4A7C15ull >> 40) & (cap - 1); nv[i];
			     i = (i + 1) & (cap - 1))
				;
			nv[i] = s->v[j];
		}
		free(s->v);
		s->v = nv;
		s->cap = cap;
	}
	for (i = (int)((uint64_t)v * 0x9E3779B97F4A7C15ull >> 40) & (s->cap - 1); s->v[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->v[i] == v)
			return 0;
	s->v[i] = v;
	s->count++;
	return 1;
}

static void times(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	int i;

	nd->first_ts = nd->last_ts = HS_NONE;
	for (i = 0; i < 2; i++) {
		int64_t n = i ? nd->last_n : nd->first_n;
		if (n == HS_NONE || prep(c, &c->st_ts, "SELECT ts_us, ts_utc FROM events WHERE n = ?1",
		                         err) < 0)
			continue;
		sqlite3_bind_int64(c->st_ts, 1, n);
		if (sqlite3_step(c->st_ts) == SQLITE_ROW) {
			*(i ? &nd->last_ts : &nd->first_ts) = col_i64(c->st_ts, 0);
			nd->ts_utc = sqlite3_column_int(c->st_ts, 1);
		}
	}
}

static void node_init(struct hs_lc_node *nd, enum hs_lc_kind kind)
{
	memset(nd, 0, sizeof *nd);
	nd->kind = kind;
	nd->first_n = nd->last_n = nd->first_ts = nd->last_ts = HS_NONE;
}

static void func_at(struct hs_lc_cursor *c, int64_t n, char *out, size_t len,
                    struct hs_error *err)
{
	out[0] = '\0';
	if (n == HS_NONE || prep(c, &c->st_sl, "SELECT func FROM events WHERE n = ?1", err) < 0)
		return;
	sqlite3_bind_int64(c->st_sl, 1, n);
	if (sqlite3_step(c->st_sl) == SQLITE_ROW)
		col_str(c->st_sl, 0, out, len);
}

static const char *audit_user_type(int64_t t)
{
	switch (t) {
	case 1: return "CN_CRYPTO_USER";
	case 2: return "CN_CRYPTO_OFFICER";
	case 5: return "CN_APPLIANCE_USER";
	case 6: return "CN_CRYPTO_PRE_OFFICER";
	default: return NULL;
	}
}

/* ---------------------------------------------------------- node filling */

static int fill_process(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd,
                        struct hs_error *err)
{
	sqlite3_stmt *st;
	int64_t pid;

	if (prep(c, &c->st_proc, "SELECT p.file_id, p.instance, p.pid, p.first_n, p.last_n, p.calls,"
	                         " p.errors, p.state, f.path FROM processes p"
	                         " LEFT JOIN files f ON f.id = p.file_id WHERE p.id = ?1", err) < 0)
		return -1;
	st = c->st_proc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	node_init(nd, HS_LC_PROCESS);
	nd->id = id;
	nd->k[0] = sqlite3_column_int64(st, 0);
	nd->k[1] = sqlite3_column_int64(st, 1);
	nd->k[2] = id;
	pid = col_i64(st, 2);
	nd->first_n = col_i64(st, 3);
	nd->last_n = col_i64(st, 4);
	nd->calls = sqlite3_column_int64(st, 5);
	nd->errors = sqlite3_column_int64(st, 6);
	col_str(st, 7, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "finalized") != 0;
	nd->has_children = nd->calls > 0;
	if (pid != HS_NONE) {
		setf(nd->label, sizeof nd->label, "process %lld", (long long)pid);
		setf(nd->filter, sizeof nd->filter, "pid == %lld && n >= %lld && n <= %lld",
		     (long long)pid, (long long)nd->first_n, (long long)nd->last_n);
	} else {
		setf(nd->label, sizeof nd->label, "process #%lld", (long long)nd->k[1] + 1);
		setf(nd->filter, sizeof nd->filter, "n >= %lld && n <= %lld", (long long)nd->first_n,
		     (long long)nd->last_n);
	}
	if (prep(c, &c->st_threads, "SELECT count(DISTINCT tid) FROM events WHERE file_id = ?1"
	                            " AND instance = ?2 AND n BETWEEN ?3 AND ?4", err) == 0) {
		sqlite3_bind_int64(c->st_threads, 1, nd->k[0]);
		sqlite3_bind_int64(c->st_threads, 2, nd->k[1]);
		sqlite3_bind_int64(c->st_threads, 3, nd->first_n);
		sqlite3_bind_int64(c->st_threads, 4, nd->last_n);
		if (sqlite3_step(c->st_threads) == SQLITE_ROW &&
		    sqlite3_column_int64(c->st_threads, 0) > 1)
			addf(nd->label, sizeof nd->label, ", %lld threads",
			     (long long)sqlite3_column_int64(c->st_threads, 0));
	}
	if (c->nfiles > 1 && sqlite3_column_text(st, 8)) {
		const char *path = (const char *)sqlite3_column_text(st, 8), *base = strrchr(path, '/');
		char q[200];
		addf(nd->label, sizeof nd->label, " in %s", base ? base + 1 : path);
		quote(q, sizeof q, path);
		addf(nd->filter, sizeof nd->filter, " && file == %s", q);
	}
	times(c, nd, err);
	return 1;
}

static int fill_stream(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd,
                       struct hs_error *err)
{
	sqlite3_stmt *st;
	char q[200];
	int64_t gaps, missing, reboots;

	if (prep(c, &c->st_stream, "SELECT hsm, first_n, last_n, first_ts, last_ts, events, errors,"
	                           " reboots, gaps, missing FROM streams WHERE id = ?1", err) < 0)
		return -1;
	st = c->st_stream;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	node_init(nd, HS_LC_HSM);
	nd->id = nd->k[0] = id;
	col_str(st, 0, nd->func, sizeof nd->func);
	nd->first_n = col_i64(st, 1);
	nd->last_n = col_i64(st, 2);
	nd->first_ts = col_i64(st, 3);
	nd->last_ts = col_i64(st, 4);
	nd->ts_utc = 1;
	nd->calls = sqlite3_column_int64(st, 5);
	nd->errors = sqlite3_column_int64(st, 6);
	reboots = sqlite3_column_int64(st, 7);
	gaps = sqlite3_column_int64(st, 8);
	missing = sqlite3_column_int64(st, 9);
	setf(nd->label, sizeof nd->label, "HSM %s", sqlite3_column_text(st, 0) ?
	     (const char *)sqlite3_column_text(st, 0) : "?");
	if (gaps)
		addf(nd->label, sizeof nd->label, " (%lld gap%s, %lld event%s missing)", (long long)gaps,
		     gaps == 1 ? "" : "s", (long long)missing, missing == 1 ? "" : "s");
	if (reboots)
		addf(nd->label, sizeof nd->label, " (%lld reboot%s)", (long long)reboots,
		     reboots == 1 ? "" : "s");
	nd->func[0] = '\0';
	quote(q, sizeof q, sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	setf(nd->filter, sizeof nd->filter, "hsm == %s", q);
	nd->has_children = nd->calls > 0;
	return 1;
}

static int fill_session(struct hs_lc_cursor *c, sqlite3_stmt *st, struct hs_lc_node *nd,
                        struct hs_error *err)
{
	int64_t handle, open_n;

	/* id, handle, slot, open_n, close_n, first_n, last_n, calls, errors, state */
	node_init(nd, HS_LC_SESSION);
	nd->id = nd->k[0] = sqlite3_column_int64(st, 0);
	handle = col_i64(st, 1);
	open_n = col_i64(st, 3);
	nd->first_n = col_i64(st, 5);
	nd->last_n = col_i64(st, 4) != HS_NONE ? col_i64(st, 4) : col_i64(st, 6);
	nd->calls = sqlite3_column_int64(st, 7);
	nd->errors = sqlite3_column_int64(st, 8);
	col_str(st, 9, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "leaked") == 0 || strcmp(nd->state, "open") == 0;
	nd->has_children = nd->calls > 0;
	setf(nd->label, sizeof nd->label, "session 0x%llx%s", (unsigned long long)handle,
	     open_n == HS_NONE ? " (opened before the log)" : "");
	setf(nd->filter, sizeof nd->filter, "session_id == %lld", (long long)nd->id);
	times(c, nd, err);
	return 1;
}

static int fill_login(struct hs_lc_cursor *c, int64_t id, int64_t session_id,
                      struct hs_lc_node *nd, struct hs_error *err)
{
	sqlite3_stmt *st;
	int64_t ut, logout_n;
	const char *un;
	char user[64];

	if (prep(c, &c->st_login, "SELECT user_type, user, login_n, logout_n, last_n, calls, errors,"
	                          " state, hsm FROM logins WHERE id = ?1", err) < 0)
		return -1;
	st = c->st_login;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	node_init(nd, HS_LC_LOGIN);
	nd->id = nd->k[0] = id;
	nd->k[1] = session_id;
	ut = col_i64(st, 0);
	col_str(st, 1, user, sizeof user);
	nd->first_n = col_i64(st, 2);
	logout_n = col_i64(st, 3);
	nd->last_n = logout_n != HS_NONE && logout_n > col_i64(st, 4) ? logout_n : col_i64(st, 4);
	nd->calls = sqlite3_column_int64(st, 5);
	nd->errors = sqlite3_column_int64(st, 6);
	col_str(st, 7, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "open") == 0;
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) { /* audit */
		un = audit_user_type(ut);
		if (un)
			setf(nd->label, sizeof nd->label, "login %s (%s)", user[0] ? user : "?", un);
		else
			setf(nd->label, sizeof nd->label, "login %s (type %lld)", user[0] ? user : "?",
			     (long long)ut);
	} else {
		un = ut == HS_NONE ? NULL : hs_ck_name(HS_CK_USER, (uint64_t)ut);
		if (un)
			setf(nd->label, sizeof nd->label, "login %s", un);
		else
			setf(nd->label, sizeof nd->label, "login (user type %lld)", (long long)ut);
	}
	if (session_id > 0) { /* the part of the login in this session */
		setf(nd->filter, sizeof nd->filter, "session_id == %lld && login == %lld",
		     (long long)session_id, (long long)id);
		if (prep(c, &c->st_sess, "SELECT count(*), sum(NOT ok AND NOT incomplete), min(n), max(n)"
		                         " FROM events WHERE session_id = ?1 AND login_id = ?2", err) < 0)
			return -1;
		sqlite3_bind_int64(c->st_sess, 1, session_id);
		sqlite3_bind_int64(c->st_sess, 2, id);
		if (sqlite3_step(c->st_sess) == SQLITE_ROW) {
			nd->calls = sqlite3_column_int64(c->st_sess, 0);
			nd->errors = sqlite3_column_int64(c->st_sess, 1);
			nd->first_n = col_i64(c->st_sess, 2);
			nd->last_n = col_i64(c->st_sess, 3);
		}
	} else {
		setf(nd->filter, sizeof nd->filter, "login == %lld", (long long)id);
	}
	nd->has_children = nd->calls > 0;
	times(c, nd, err);
	return 1;
}

static int fill_span(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd,
                     struct hs_error *err)
{
	sqlite3_stmt *st;
	int64_t end_n;
	char kind[32], fi[64], fe[64];

	if (prep(c, &c->st_span, "SELECT kind, init_n, end_n, last_n, calls, errors, state FROM spans"
	                         " WHERE id = ?1", err) < 0)
		return -1;
	st = c->st_span;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	node_init(nd, HS_LC_SPAN);
	nd->id = nd->k[0] = id;
	col_str(st, 0, kind, sizeof kind);
	nd->first_n = col_i64(st, 1);
	end_n = col_i64(st, 2);
	nd->last_n = end_n != HS_NONE ? end_n : col_i64(st, 3);
	nd->calls = sqlite3_column_int64(st, 4);
	nd->errors = sqlite3_column_int64(st, 5);
	col_str(st, 6, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "unfinished") == 0;
	nd->has_children = 1;
	func_at(c, nd->first_n, fi, sizeof fi, err);
	if (end_n != HS_NONE && end_n != nd->first_n) {
		func_at(c, end_n, fe, sizeof fe, err);
		setf(nd->label, sizeof nd->label, "%s: %s .. %s", kind, fi, fe);
	} else if (strcmp(nd->state, "init_failed") == 0) {
		setf(nd->label, sizeof nd->label, "%s: %s failed", kind, fi);
	} else {
		setf(nd->label, sizeof nd->label, "%s: %s, never finished", kind, fi);
	}
	setf(nd->filter, sizeof nd->filter, "span == %lld", (long long)id);
	times(c, nd, err);
	return 1;
}

static void fill_call(const struct row *r, struct hs_lc_node *nd)
{
	node_init(nd, HS_LC_CALL);
	nd->id = nd->first_n = nd->last_n = r->n;
	nd->first_ts = nd->last_ts = r->ts;
	nd->ts_utc = r->ts_utc;
	nd->calls = 1;
	nd->errors = !r->ok && !r->incomplete;
	nd->open_end = r->incomplete;
	hs_strlcpy(nd->func, r->func, sizeof nd->func);
	hs_strlcpy(nd->state, r->incomplete ? "(no return)" : r->rv_name, sizeof nd->state);
	hs_strlcpy(nd->anomalies, r->anomalies, sizeof nd->anomalies);
	setf(nd->label, sizeof nd->label, "%s %s%s%s", r->func, nd->state, r->summary[0] ? "  " : "",
	     r->summary);
	setf(nd->filter, sizeof nd->filter, "n == %lld", (long long)r->n);
}

/* ------------------------------------------------------------- scanning */

static int read_row(struct hs_lc_cursor *c, struct hs_error *err)
{
	sqlite3_stmt *st = c->main;
	int rc;

	if (c->have_row)
		return 1;
	if (c->main_done)
		return 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		c->main_done = 1;
		return 0;
	}
	if (rc != SQLITE_ROW)
		return db_error(c, err);
	c->row.n = sqlite3_column_int64(st, 0);
	c->row.ts = col_i64(st, 1);
	c->row.ts_utc = sqlite3_column_int(st, 2);
	col_str(st, 3, c->row.func, sizeof c->row.func);
	col_str(st, 4, c->row.rv_name, sizeof c->row.rv_name);
	c->row.ok = sqlite3_column_int(st, 5);
	c->row.incomplete = sqlite3_column_int(st, 6);
	c->row.login_id = col_i64(st, 7);
	c->row.span_id = col_i64(st, 8);
	col_str(st, 9, c->row.summary, sizeof c->row.summary);
	col_str(st, 10, c->row.anomalies, sizeof c->row.anomalies);
	c->have_row = 1;
	return 1;
}

static int read_slot(struct hs_lc_cursor *c, struct hs_error *err)
{
	int rc;

	if (c->have_slot || c->slots_done || !c->slots)
		return c->have_slot;
	rc = sqlite3_step(c->slots);
	if (rc == SQLITE_DONE) {
		c->slots_done = 1;
		return 0;
	}
	if (rc != SQLITE_ROW)
		return db_error(c, err);
	c->slot_first = sqlite3_column_int64(c->slots, 1);
	c->have_slot = 1;
	return 1;
}

/* The next slot row of a process as a node; the row is consumed. */
static int emit_slot(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	sqlite3_stmt *st = c->slots;
	int64_t slot = col_i64(st, 0), nsess = sqlite3_column_int64(st, 5);

	node_init(nd, HS_LC_SLOT);
	nd->k[0] = c->proc_id;
	nd->k[1] = slot;
	nd->first_n = sqlite3_column_int64(st, 1);
	nd->last_n = sqlite3_column_int64(st, 2);
	nd->calls = sqlite3_column_int64(st, 3);
	nd->errors = sqlite3_column_int64(st, 4);
	nd->open_end = sqlite3_column_int64(st, 6) > 0;
	nd->has_children = 1;
	if (slot == HS_NONE)
		setf(nd->label, sizeof nd->label, "slot ?");
	else
		setf(nd->label, sizeof nd->label, "slot 0x%llx", (unsigned long long)slot);
	addf(nd->label, sizeof nd->label, " (%lld session%s)", (long long)nsess, nsess == 1 ? "" : "s");
	if (nsess <= 24 && prep(c, &c->st_ids, "SELECT id FROM sessions WHERE process_id = ?1"
	                                      " AND slot IS ?2 ORDER BY id", err) == 0) {
		int first = 1;
		sqlite3_bind_int64(c->st_ids, 1, c->proc_id);
		bind_i64(c->st_ids, 2, slot);
		setf(nd->filter, sizeof nd->filter, "session_id in {");
		while (sqlite3_step(c->st_ids) == SQLITE_ROW) {
			addf(nd->filter, sizeof nd->filter, "%s%lld", first ? "" : ", ",
			     (long long)sqlite3_column_int64(c->st_ids, 0));
			first = 0;
		}
		addf(nd->filter, sizeof nd->filter, "}");
	} else {
		setf(nd->filter, sizeof nd->filter, "session_id >= %lld && session_id <= %lld",
		     (long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 8));
	}
	times(c, nd, err);
	c->have_slot = 0;
	return 1;
}

/* Add the comma-separated kinds of `kinds` to `set`, each once. */
static void add_kinds(char *set, size_t len, const char *kinds)
{
	char k[48];
	const char *p = kinds;

	while (*p) {
		size_t n = strcspn(p, ","), l = strlen(set);
		if (n < sizeof k) {
			memcpy(k, p, n);
			k[n] = '\0';
			if (!strstr(set, k) && l + n + 2 < len)
				snprintf(set + l, len - l, "%s%s", l ? "," : "", k);
		}
		p += n + (p[n] == ',');
	}
}

/* Count one folded call under its state. */
static void fold_state_add(struct hs_lc_cursor *c, const struct row *r)
{
	const char *name = r->incomplete ? "never returned" : r->rv_name[0] ? r->rv_name : "?";
	int i;

	for (i = 0; i < c->nfold_states; i++)
		if (strcmp(c->fold_states[i].name, name) == 0) {
			c->fold_states[i].count++;
			return;
		}
	if (c->nfold_states == FOLD_STATES) {
		c->fold_other++;
		return;
	}
	hs_strlcpy(c->fold_states[c->nfold_states].name, name, sizeof c->fold_states[0].name);
	c->fold_states[c->nfold_states++].count = 1;
}

/* A fold's state: how many of its calls ended each way ("1 CKR_OK, 1 never
 * returned"). What does not fit whole is counted as "N other", never cut. */
static void fold_state_text(const struct hs_lc_cursor *c, char *out, size_t len)
{
	int64_t other = c->fold_other;
	size_t o = 0;
	int i, k;

	out[0] = '\0';
	for (i = 0; i < c->nfold_states; i++) {
		const struct fold_state *fs = &c->fold_states[i];
		char num[24];
		k = snprintf(num, sizeof num, "%lld ", (long long)fs->count);
		/* room for this one and a final ", NNN other" */
		if (o + (o ? 2 : 0) + (size_t)k + strlen(fs->name) + 32 >= len) {
			other += fs->count;
			continue;
		}
		o += (size_t)snprintf(out + o, len - o, "%s%s%s", o ? ", " : "", num, fs->name);
	}
	if (other)
		snprintf(out + o, len - o, "%s%lld other", o ? ", " : "", (long long)other);
}

static void emit_fold(struct hs_lc_cursor *c, struct hs_lc_node *nd)
{
	char q[80];

	if (c->fold_count == 1) {
		fill_call(&c->fold_first, nd);
	} else {
		node_init(nd, HS_LC_CALLS);
		nd->first_n = c->fold_first.n;
		nd->last_n = c->fold_last_n;
		nd->first_ts = c->fold_first.ts;
		nd->last_ts = c->fold_last_ts;
		nd->ts_utc = c->fold_first.ts_utc;
		nd->calls = c->fold_count;
		nd->errors = c->fold_errors;
		nd->open_end = c->fold_open;
		nd->has_children = 1;
		hs_strlcpy(nd->anomalies, c->fold_anomalies, sizeof nd->anomalies);
		hs_strlcpy(nd->func, c->fold_first.func, sizeof nd->func);
		setf(nd->label, sizeof nd->label, "%s (%lld calls)", c->fold_first.func,
		     (long long)c->fold_count);
		fold_state_text(c, nd->state, sizeof nd->state);
		nd->k[0] = c->src;
		nd->k[1] = c->a;
		nd->k[2] = c->b;
		quote(q, sizeof q, c->fold_first.func);
		setf(nd->filter, sizeof nd->filter, "%s%s%sfunc == %s && n >= %lld && n <= %lld",
		     c->parent_filter[0] ? "(" : "", c->parent_filter, c->parent_filter[0] ? ") && " : "",
		     q, (long long)nd->first_n, (long long)nd->last_n);
	}
	c->have_fold = 0;
}

/* One node from the event scan (merging a process's slots in). */
static int next_scan(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	int rc;

	for (;;) {
		if ((rc = read_row(c, err)) < 0 || read_slot(c, err) < 0)
			return -1;
		if (c->have_slot && (!rc || c->slot_first < c->row.n)) {
			if (c->have_fold) {
				emit_fold(c, nd);
				return 1;
			}
			return emit_slot(c, nd, err);
		}
		if (!rc) {
			if (c->have_fold) {
				emit_fold(c, nd);
				return 1;
			}
			return 0;
		}
		if (c->leaves_only && ((c->group_logins && c->row.login_id != HS_NONE) ||
		                       (c->group_spans && c->row.span_id != HS_NONE))) {
			c->have_row = 0;
			continue;
		}
		if (c->group_logins && c->row.login_id != HS_NONE) {
			if (iset_has(&c->logins, c->row.login_id)) {
				c->have_row = 0; /* a child of the login shown before */
				continue;
			}
			if (c->have_fold) { /* the login comes after the fold */
				emit_fold(c, nd);
				return 1;
			}
			if (iset_add(&c->logins, c->row.login_id) < 0)
				goto oom;
			c->have_row = 0;
			if ((rc = fill_login(c, c->row.login_id, c->src == SRC_SESSION ? c->a : 0, nd,
			                     err)) != 0)
				return rc;
			continue;
		}
		if (c->group_spans && c->row.span_id != HS_NONE) {
			if (iset_has(&c->spans, c->row.span_id)) {
				c->have_row = 0;
				continue;
			}
			if (c->have_fold) {
				emit_fold(c, nd);
				return 1;
			}
			if (iset_add(&c->spans, c->row.span_id) < 0)
				goto oom;
			c->have_row = 0;
			if ((rc = fill_span(c, c->row.span_id, nd, err)) != 0)
				return rc;
			continue;
		}
		if (c->fold_func[0] && strcmp(c->row.func, c->fold_func) != 0) {
			c->have_row = 0;
			continue;
		}
		if (c->have_fold && (!c->fold || strcmp(c->fold_first.func, c->row.func) != 0)) {
			emit_fold(c, nd);
			return 1;
		}
		if (!c->have_fold) {
			c->fold_first = c->row;
			c->have_fold = 1;
			c->fold_count = c->fold_errors = 0;
			c->fold_open = 0;
			c->fold_anomalies[0] = '\0';
			c->nfold_states = 0;
			c->fold_other = 0;
		}
		fold_state_add(c, &c->row);
		if (c->row.anomalies[0])
			add_kinds(c->fold_anomalies, sizeof c->fold_anomalies, c->row.anomalies);
		c->fold_count++;
		c->fold_errors += !c->row.ok && !c->row.incomplete;
		c->fold_open |= c->row.incomplete;
		c->fold_last_n = c->row.n;
		c->fold_last_ts = c->row.ts;
		c->have_row = 0;
		if (!c->fold) {
			emit_fold(c, nd);
			return 1;
		}
	}
oom:
	hs_error_set(err, "", 0, 0, "out of memory");
	return -1;
}

/* -------------------------------------------------------------- cursors */

static int set_hsm(struct hs_lc_cursor *c, int64_t stream_id, struct hs_error *err)
{
	if (prep(c, &c->st_stream, "SELECT hsm FROM streams WHERE id = ?1", err) < 0)
		return -1;
	sqlite3_bind_int64(c->st_stream, 1, stream_id);
	if (sqlite3_step(c->st_stream) == SQLITE_ROW)
		col_str(c->st_stream, 0, c->hsm, sizeof c->hsm);
	sqlite3_finalize(c->st_stream);
	c->st_stream = NULL;
	return 0;
}

static void source_flags(struct hs_lc_cursor *c)
{
	c->group_logins = c->src == SRC_SESSION || c->src == SRC_HSM;
	c->group_spans = c->src == SRC_SESSION || c->src == SRC_SESSION_LOGIN;
}

int hs_lc_open(struct hs_index *ix, const struct hs_lc_node *parent, struct hs_lc_cursor **out,
               struct hs_error *err)
{
	struct hs_lc_cursor *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	c->ix = ix;
	c->db = hs_index_db(ix);
	c->nfiles = (int)hs_index_info(ix)->files;
	c->lo = 0;
	c->hi = INT64_MAX;
	c->src = SRC_NONE;
	if (!parent) {
		c->src = SRC_ROOTS;
		if (prep(c, &c->main, "SELECT 0, id, first_n FROM processes UNION ALL"
		                      " SELECT 1, id, first_n FROM streams ORDER BY 3, 1, 2", err) < 0)
			goto fail;
		*out = c;
		return 0;
	}
	hs_strlcpy(c->parent_filter, parent->filter, sizeof c->parent_filter);
	c->fold = 1;
	switch (parent->kind) {
	case HS_LC_PROCESS:
		c->src = SRC_PROCESS;
		c->a = parent->k[0];
		c->b = parent->k[1];
		c->proc_id = parent->k[2];
		c->lo = parent->first_n;
		c->hi = parent->last_n;
		if (prep(c, &c->slots, "SELECT slot, min(first_n), max(ifnull(close_n, last_n)),"
		                       " sum(calls), sum(errors), count(*), sum(state = 'leaked'), min(id),"
		                       " max(id) FROM sessions WHERE process_id = ?1 GROUP BY slot"
		                       " ORDER BY 2", err) < 0)
			goto fail;
		sqlite3_bind_int64(c->slots, 1, c->proc_id);
		break;
	case HS_LC_SLOT:
		c->src = SRC_SLOT;
		if (prep(c, &c->main, "SELECT id, handle, slot, open_n, close_n, first_n, last_n, calls,"
		                      " errors, state FROM sessions WHERE process_id = ?1 AND slot IS ?2"
		                      " ORDER BY first_n", err) < 0)
			goto fail;
		sqlite3_bind_int64(c->main, 1, parent->k[0]);
		bind_i64(c->main, 2, parent->k[1]);
		*out = c;
		return 0;
	case HS_LC_SESSION:
		c->src = SRC_SESSION;
		c->a = parent->k[0];
		break;
	case HS_LC_LOGIN:
		if (parent->k[1] > 0) {
			c->src = SRC_SESSION_LOGIN;
			c->a = parent->k[1];
			c->b = parent->k[0];
		} else {
			c->src = SRC_LOGIN;
			c->a = parent->k[0];
		}
		break;
	case HS_LC_SPAN:
		c->src = SRC_SPAN;
		c->a = parent->k[0];
		break;
	case HS_LC_HSM:
		c->src = SRC_HSM;
		c->a = parent->k[0];
		break;
	case HS_LC_CALLS:
		c->src = (enum src)parent->k[0];
		c->a = parent->k[1];
		c->b = parent->k[2];
		c->lo = parent->first_n;
		c->hi = parent->last_n;
		c->fold = 0;
		c->leaves_only = 1;
		hs_strlcpy(c->fold_func, parent->func, sizeof c->fold_func);
		break;
	case HS_LC_CALL:
		*out = c; /* no children */
		return 0;
	}
	if (c->src >= SRC_NONE || c->src == SRC_ROOTS || c->src == SRC_SLOT) {
		hs_error_set(err, "", 0, 0, "sessions: not a node of this tree");
		goto fail;
	}
	source_flags(c);
	if (c->src == SRC_HSM && set_hsm(c, c->a, err) < 0)
		goto fail;
	if (prep(c, &c->main, src_sql[c->src], err) < 0)
		goto fail;
	sqlite3_bind_int64(c->main, 1, c->a);
	sqlite3_bind_int64(c->main, 2, c->b);
	sqlite3_bind_int64(c->main, 3, c->lo == HS_NONE ? 0 : c->lo);
	sqlite3_bind_int64(c->main, 4, c->hi == HS_NONE ? INT64_MAX : c->hi);
	sqlite3_bind_text(c->main, 5, c->hsm, -1, SQLITE_STATIC);
	*out = c;
	return 0;
fail:
	hs_lc_close(c);
	return -1;
}

int hs_lc_next(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	int rc;

	if (c->src == SRC_NONE || !c->main)
		return 0;
	if (c->src == SRC_ROOTS) {
		for (;;) {
			rc = sqlite3_step(c->main);
			if (rc == SQLITE_DONE)
				return 0;
			if (rc != SQLITE_ROW)
				return db_error(c, err);
			rc = sqlite3_column_int(c->main, 0)
			     ? fill_stream(c, sqlite3_column_int64(c->main, 1), nd, err)
			     : fill_process(c, sqlite3_column_int64(c->main, 1), nd, err);
			if (rc)
				return rc;
		}
	}
	if (c->src == SRC_SLOT) {
		rc = sqlite3_step(c->main);
		if (rc == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return db_error(c, err);
		return fill_session(c, c->main, nd, err);
	}
	return next_scan(c, nd, err);
}

void hs_lc_close(struct hs_lc_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->main);
	sqlite3_finalize(c->slots);
	sqlite3_finalize(c->st_ts);
	sqlite3_finalize(c->st_login);
	sqlite3_finalize(c->st_span);
	sqlite3_finalize(c->st_sl);
	sqlite3_finalize(c->st_proc);
	sqlite3_finalize(c->st_stream);
	sqlite3_finalize(c->st_sess);
	sqlite3_finalize(c->st_ids);
	sqlite3_finalize(c->st_threads);
	free(c->logins.v);
	free(c->spans.v);
	free(c);
}

static int walk(struct hs_index *ix, const struct hs_lc_node *parent, int depth,
                int (*fn)(void *ctx, const struct hs_lc_node *node, int depth), void *ctx,
                struct hs_error *err)
{
	struct hs_lc_cursor *c;
	struct hs_lc_node nd;
	int rc;

	if (hs_lc_open(ix, parent, &c, err) < 0)
		return -1;
	while ((rc = hs_lc_next(c, &nd, err)) == 1) {
		int r = fn(ctx, &nd, depth);
		if (r < 0 || (r == 0 && nd.has_children && walk(ix, &nd, depth + 1, fn, ctx, err) < 0)) {
			rc = -1;
			break;
		}
	}
	hs_lc_close(c);
	return rc < 0 ? -1 : 0;
}

int hs_lc_walk(struct hs_index *ix, int (*fn)(void *ctx, const struct hs_lc_node *node, int depth),
               void *ctx, struct hs_error *err)
{
	return walk(ix, NULL, 0, fn, ctx, err);
}

const char *hs_lc_kind_name(enum hs_lc_kind kind)
{
	static const char *const names[] = {
		[HS_LC_PROCESS] = "process", [HS_LC_SLOT] = "slot", [HS_LC_SESSION] = "session",
		[HS_LC_LOGIN] = "login", [HS_LC_SPAN] = "operation", [HS_LC_CALLS] = "calls",
		[HS_LC_CALL] = "call", [HS_LC_HSM] = "hsm",
	};

	return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}
