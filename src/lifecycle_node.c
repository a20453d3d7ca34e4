/* lifecycle_node.c — one node of the session/login tree filled from the
 * index (a process, an HSM stream, a session, a login, an operation span, a
 * call), and the SQLite and text helpers the cursor (lifecycle.c) uses too.
 * Split from lifecycle.c by job: the cursor walks, this fills. */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"
#include "lifecycle_int.h"

/* ------------------------------------------------------------- helpers */


void hs_lc_setf(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}


void hs_lc_addf(char *dst, size_t len, const char *fmt, ...)
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
void hs_lc_quote(char *dst, size_t len, const char *s)
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

int64_t hs_lc_col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, i);
}

void hs_lc_col_str(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	hs_strlcpy(dst, s ? (const char *)s : "", len);
}

void hs_lc_bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == HS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

int hs_lc_prep(struct hs_lc_cursor *c, sqlite3_stmt **st, const char *sql, struct hs_error *err)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	if (hs_index_stmt_take(c->ix, sql, st) == SQLITE_OK)
		return 0;
	hs_error_set(err, "index", 0, 0, "sessions: %s", sqlite3_errmsg(c->db));
	hs_error_hint(err, "rebuild the index (--rebuild): it may predate correlation");
	return -1;
}

int hs_lc_db_error(struct hs_lc_cursor *c, struct hs_error *err)
{
	hs_error_set(err, "index", 0, 0, "sessions: %s", sqlite3_errmsg(c->db));
	return -1;
}
void hs_lc_times(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	int i;

	nd->first_ts = nd->last_ts = HS_NONE;
	for (i = 0; i < 2; i++) {
		int64_t n = i ? nd->last_n : nd->first_n;
		if (n == HS_NONE || hs_lc_prep(c, &c->st_ts, "SELECT ts_us, ts_utc FROM events WHERE n = ?1",
		                         err) < 0)
			continue;
		sqlite3_bind_int64(c->st_ts, 1, n);
		if (sqlite3_step(c->st_ts) == SQLITE_ROW) {
			*(i ? &nd->last_ts : &nd->first_ts) = hs_lc_col_i64(c->st_ts, 0);
			nd->ts_utc = sqlite3_column_int(c->st_ts, 1);
		}
	}
}

void hs_lc_node_init(struct hs_lc_node *nd, enum hs_lc_kind kind)
{
	memset(nd, 0, sizeof *nd);
	nd->kind = kind;
	nd->first_n = nd->last_n = nd->first_ts = nd->last_ts = HS_NONE;
}

static void func_at(struct hs_lc_cursor *c, int64_t n, char *out, size_t len,
                    struct hs_error *err)
{
	out[0] = '\0';
	if (n == HS_NONE || hs_lc_prep(c, &c->st_sl, "SELECT func FROM events WHERE n = ?1", err) < 0)
		return;
	sqlite3_bind_int64(c->st_sl, 1, n);
	if (sqlite3_step(c->st_sl) == SQLITE_ROW)
		hs_lc_col_str(c->st_sl, 0, out, len);
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

int hs_lc_fill_process(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd,
                        struct hs_error *err)
{
	sqlite3_stmt *st;
	int64_t pid;

	if (hs_lc_prep(c, &c->st_proc, "SELECT p.file_id, p.instance, p.pid, p.first_n, p.last_n, p.calls,"
	                         " p.errors, p.state, f.path FROM processes p"
	                         " LEFT JOIN files f ON f.id = p.file_id WHERE p.id = ?1", err) < 0)
		return -1;
	st = c->st_proc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	hs_lc_node_init(nd, HS_LC_PROCESS);
	nd->id = id;
	nd->k[0] = sqlite3_column_int64(st, 0);
	nd->k[1] = sqlite3_column_int64(st, 1);
	nd->k[2] = id;
	pid = hs_lc_col_i64(st, 2);
	nd->first_n = hs_lc_col_i64(st, 3);
	nd->last_n = hs_lc_col_i64(st, 4);
	nd->calls = sqlite3_column_int64(st, 5);
	nd->errors = sqlite3_column_int64(st, 6);
	hs_lc_col_str(st, 7, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "finalized") != 0;
	nd->has_children = nd->calls > 0;
	if (pid != HS_NONE) {
		hs_lc_setf(nd->label, sizeof nd->label, "process %lld", (long long)pid);
		hs_lc_setf(nd->filter, sizeof nd->filter, "pid == %lld && n >= %lld && n <= %lld",
		     (long long)pid, (long long)nd->first_n, (long long)nd->last_n);
	} else {
		hs_lc_setf(nd->label, sizeof nd->label, "process #%lld", (long long)nd->k[1] + 1);
		hs_lc_setf(nd->filter, sizeof nd->filter, "n >= %lld && n <= %lld", (long long)nd->first_n,
		     (long long)nd->last_n);
	}
	if (hs_lc_prep(c, &c->st_threads, "SELECT count(DISTINCT tid) FROM events WHERE file_id = ?1"
	                            " AND instance = ?2 AND n BETWEEN ?3 AND ?4", err) == 0) {
		sqlite3_bind_int64(c->st_threads, 1, nd->k[0]);
		sqlite3_bind_int64(c->st_threads, 2, nd->k[1]);
		sqlite3_bind_int64(c->st_threads, 3, nd->first_n);
		sqlite3_bind_int64(c->st_threads, 4, nd->last_n);
		if (sqlite3_step(c->st_threads) == SQLITE_ROW &&
		    sqlite3_column_int64(c->st_threads, 0) > 1)
			hs_lc_addf(nd->label, sizeof nd->label, ", %lld threads",
			     (long long)sqlite3_column_int64(c->st_threads, 0));
	}
	if (c->nfiles > 1 && sqlite3_column_text(st, 8)) {
		const char *path = (const char *)sqlite3_column_text(st, 8), *base = strrchr(path, '/');
		char q[200];
		hs_lc_addf(nd->label, sizeof nd->label, " in %s", base ? base + 1 : path);
		hs_lc_quote(q, sizeof q, path);
		hs_lc_addf(nd->filter, sizeof nd->filter, " && file == %s", q);
	}
	hs_lc_times(c, nd, err);
	return 1;
}

int hs_lc_fill_stream(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd,
                       struct hs_error *err)
{
	sqlite3_stmt *st;
	char q[200];
	int64_t gaps, missing, reboots;

	if (hs_lc_prep(c, &c->st_stream, "SELECT hsm, first_n, last_n, first_ts, last_ts, events, errors,"
	                           " reboots, gaps, missing FROM streams WHERE id = ?1", err) < 0)
		return -1;
	st = c->st_stream;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	hs_lc_node_init(nd, HS_LC_HSM);
	nd->id = nd->k[0] = id;
	hs_lc_col_str(st, 0, nd->func, sizeof nd->func);
	nd->first_n = hs_lc_col_i64(st, 1);
	nd->last_n = hs_lc_col_i64(st, 2);
	nd->first_ts = hs_lc_col_i64(st, 3);
	nd->last_ts = hs_lc_col_i64(st, 4);
	nd->ts_utc = 1;
	nd->calls = sqlite3_column_int64(st, 5);
	nd->errors = sqlite3_column_int64(st, 6);
	reboots = sqlite3_column_int64(st, 7);
	gaps = sqlite3_column_int64(st, 8);
	missing = sqlite3_column_int64(st, 9);
	hs_lc_setf(nd->label, sizeof nd->label, "HSM %s", sqlite3_column_text(st, 0) ?
	     (const char *)sqlite3_column_text(st, 0) : "?");
	if (gaps)
		hs_lc_addf(nd->label, sizeof nd->label, " (%lld gap%s, %lld event%s missing)", (long long)gaps,
		     gaps == 1 ? "" : "s", (long long)missing, missing == 1 ? "" : "s");
	if (reboots)
		hs_lc_addf(nd->label, sizeof nd->label, " (%lld reboot%s)", (long long)reboots,
		     reboots == 1 ? "" : "s");
	nd->func[0] = '\0';
	hs_lc_quote(q, sizeof q, sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	hs_lc_setf(nd->filter, sizeof nd->filter, "hsm == %s", q);
	nd->has_children = nd->calls > 0;
	return 1;
}

int hs_lc_fill_session(struct hs_lc_cursor *c, sqlite3_stmt *st, struct hs_lc_node *nd,
                        struct hs_error *err)
{
	int64_t handle, open_n;

	/* id, handle, slot, open_n, close_n, first_n, last_n, calls, errors, state */
	hs_lc_node_init(nd, HS_LC_SESSION);
	nd->id = nd->k[0] = sqlite3_column_int64(st, 0);
	handle = hs_lc_col_i64(st, 1);
	open_n = hs_lc_col_i64(st, 3);
	nd->first_n = hs_lc_col_i64(st, 5);
	nd->last_n = hs_lc_col_i64(st, 4) != HS_NONE ? hs_lc_col_i64(st, 4) : hs_lc_col_i64(st, 6);
	nd->calls = sqlite3_column_int64(st, 7);
	nd->errors = sqlite3_column_int64(st, 8);
	hs_lc_col_str(st, 9, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "leaked") == 0 || strcmp(nd->state, "open") == 0;
	nd->has_children = nd->calls > 0;
	hs_lc_setf(nd->label, sizeof nd->label, "session 0x%llx%s", (unsigned long long)handle,
	     open_n == HS_NONE ? " (opened before the log)" : "");
	hs_lc_setf(nd->filter, sizeof nd->filter, "session_id == %lld", (long long)nd->id);
	hs_lc_times(c, nd, err);
	return 1;
}

int hs_lc_fill_login(struct hs_lc_cursor *c, int64_t id, int64_t session_id,
                      struct hs_lc_node *nd, struct hs_error *err)
{
	sqlite3_stmt *st;
	int64_t ut, logout_n;
	const char *un;
	char user[64];

	if (hs_lc_prep(c, &c->st_login, "SELECT user_type, user, login_n, logout_n, last_n, calls, errors,"
	                          " state, hsm FROM logins WHERE id = ?1", err) < 0)
		return -1;
	st = c->st_login;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	hs_lc_node_init(nd, HS_LC_LOGIN);
	nd->id = nd->k[0] = id;
	nd->k[1] = session_id;
	ut = hs_lc_col_i64(st, 0);
	hs_lc_col_str(st, 1, user, sizeof user);
	nd->first_n = hs_lc_col_i64(st, 2);
	logout_n = hs_lc_col_i64(st, 3);
	nd->last_n = logout_n != HS_NONE && logout_n > hs_lc_col_i64(st, 4) ? logout_n : hs_lc_col_i64(st, 4);
	nd->calls = sqlite3_column_int64(st, 5);
	nd->errors = sqlite3_column_int64(st, 6);
	hs_lc_col_str(st, 7, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "open") == 0;
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) { /* audit */
		un = audit_user_type(ut);
		if (un)
			hs_lc_setf(nd->label, sizeof nd->label, "login %s (%s)", user[0] ? user : "?", un);
		else
			hs_lc_setf(nd->label, sizeof nd->label, "login %s (type %lld)", user[0] ? user : "?",
			     (long long)ut);
	} else {
		un = ut == HS_NONE ? NULL : hs_ck_name(HS_CK_USER, (uint64_t)ut);
		if (un)
			hs_lc_setf(nd->label, sizeof nd->label, "login %s", un);
		else
			hs_lc_setf(nd->label, sizeof nd->label, "login (user type %lld)", (long long)ut);
	}
	if (session_id > 0) { /* the part of the login in this session */
		hs_lc_setf(nd->filter, sizeof nd->filter, "session_id == %lld && login == %lld",
		     (long long)session_id, (long long)id);
		if (hs_lc_prep(c, &c->st_sess, "SELECT count(*), sum(NOT ok AND NOT incomplete), min(n), max(n)"
		                         " FROM events WHERE session_id = ?1 AND login_id = ?2", err) < 0)
			return -1;
		sqlite3_bind_int64(c->st_sess, 1, session_id);
		sqlite3_bind_int64(c->st_sess, 2, id);
		if (sqlite3_step(c->st_sess) == SQLITE_ROW) {
			nd->calls = sqlite3_column_int64(c->st_sess, 0);
			nd->errors = sqlite3_column_int64(c->st_sess, 1);
			nd->first_n = hs_lc_col_i64(c->st_sess, 2);
			nd->last_n = hs_lc_col_i64(c->st_sess, 3);
		}
	} else {
		hs_lc_setf(nd->filter, sizeof nd->filter, "login == %lld", (long long)id);
	}
	nd->has_children = nd->calls > 0;
	hs_lc_times(c, nd, err);
	return 1;
}

int hs_lc_fill_span(struct hs_lc_cursor *c, int64_t id, struct hs_lc_node *nd,
                     struct hs_error *err)
{
	sqlite3_stmt *st;
	int64_t end_n;
	char kind[32], fi[64], fe[64];

	if (hs_lc_prep(c, &c->st_span, "SELECT kind, init_n, end_n, last_n, calls, errors, state FROM spans"
	                         " WHERE id = ?1", err) < 0)
		return -1;
	st = c->st_span;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	hs_lc_node_init(nd, HS_LC_SPAN);
	nd->id = nd->k[0] = id;
	hs_lc_col_str(st, 0, kind, sizeof kind);
	nd->first_n = hs_lc_col_i64(st, 1);
	end_n = hs_lc_col_i64(st, 2);
	nd->last_n = end_n != HS_NONE ? end_n : hs_lc_col_i64(st, 3);
	nd->calls = sqlite3_column_int64(st, 4);
	nd->errors = sqlite3_column_int64(st, 5);
	hs_lc_col_str(st, 6, nd->state, sizeof nd->state);
	nd->open_end = strcmp(nd->state, "unfinished") == 0;
	nd->has_children = 1;
	func_at(c, nd->first_n, fi, sizeof fi, err);
	if (end_n != HS_NONE && end_n != nd->first_n) {
		func_at(c, end_n, fe, sizeof fe, err);
		hs_lc_setf(nd->label, sizeof nd->label, "%s: %s .. %s", kind, fi, fe);
	} else if (strcmp(nd->state, "init_failed") == 0) {
		hs_lc_setf(nd->label, sizeof nd->label, "%s: %s failed", kind, fi);
	} else {
		hs_lc_setf(nd->label, sizeof nd->label, "%s: %s, never finished", kind, fi);
	}
	hs_lc_setf(nd->filter, sizeof nd->filter, "span == %lld", (long long)id);
	hs_lc_times(c, nd, err);
	return 1;
}

void hs_lc_fill_call(const struct row *r, struct hs_lc_node *nd)
{
	hs_lc_node_init(nd, HS_LC_CALL);
	nd->id = nd->first_n = nd->last_n = r->n;
	nd->first_ts = nd->last_ts = r->ts;
	nd->ts_utc = r->ts_utc;
	nd->calls = 1;
	nd->errors = !r->ok && !r->incomplete;
	nd->open_end = r->incomplete;
	hs_strlcpy(nd->func, r->func, sizeof nd->func);
	hs_strlcpy(nd->state, r->incomplete ? "(no return)" : r->rv_name, sizeof nd->state);
	hs_strlcpy(nd->anomalies, r->anomalies, sizeof nd->anomalies);
	hs_lc_setf(nd->label, sizeof nd->label, "%s %s%s%s", r->func, nd->state, r->summary[0] ? "  " : "",
	     r->summary);
	hs_lc_setf(nd->filter, sizeof nd->filter, "n == %lld", (long long)r->n);
}

/* ------------------------------------------------------------- scanning */
