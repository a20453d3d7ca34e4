/* lifecycle_summary.c — the correlation figures of `analyze --format json`
 * (lifecycle.h): counts over the narrow correlation tables (sessions,
 * logins, objects, anomalies) and, per audit stream, its gaps, logins per
 * user, key opcodes and user management. Each figure is one GROUP BY or
 * count query; arrays grow by doubling and belong to the summary.
 */
#include "hsmscope/lifecycle.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, i);
}

static void col_str(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	hs_strlcpy(dst, s ? (const char *)s : "", len);
}

static int64_t count_of(sqlite3 *db, const char *sql, int *failed)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*failed = 1;
		return 0;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int grow(void **v, int n, size_t size)
{
	void *nv;

	if (n & (n - 1) && n) /* capacity doubles at powers of two */
		return 0;
	nv = realloc(*v, (size_t)(n ? n * 2 : 4) * size);
	if (!nv)
		return -1;
	*v = nv;
	return 0;
}

static const char key_opcodes[] =
	"'CN_GENERATE_KEY','CN_GENERATE_KEY_PAIR','CN_CREATE_OBJECT','CN_MODIFY_OBJECT',"
	"'CN_DESTROY_OBJECT','CN_TOMBSTONE_OBJECT','CN_SHARE_OBJECT','CN_WRAP_KEY','CN_UNWRAP_KEY',"
	"'CN_DERIVE_KEY','CN_NIST_AES_WRAP','CN_INSERT_MASKED_OBJECT_USER',"
	"'CN_EXTRACT_MASKED_OBJECT_USER'";

static int hsm_summary(sqlite3 *db, struct hs_lc_hsm *h, struct hs_error *err)
{
	sqlite3_stmt *st[3] = { NULL, NULL, NULL };
	char sql[1024];
	int i, rc = -1;

	snprintf(sql, sizeof sql, "SELECT func, count(*) FROM events WHERE hsm = ?1 AND"
	         " (log_type = 1 OR func IN (%s)) GROUP BY func ORDER BY func", key_opcodes);
	if (sqlite3_prepare_v2(db, "SELECT after, before, missing FROM seq_gaps WHERE hsm = ?1"
	                           " ORDER BY n", -1, &st[0], NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT ifnull(user, ''), rv, ok, incomplete, count(*) FROM events"
	                           " WHERE hsm = ?1 AND func = 'CN_LOGIN' GROUP BY 1, rv, ok, incomplete"
	                           " ORDER BY 1, rv", -1, &st[1], NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st[2], NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < 3; i++)
		sqlite3_bind_text(st[i], 1, h->hsm, -1, SQLITE_STATIC);
	while (sqlite3_step(st[0]) == SQLITE_ROW) {
		if (grow((void **)&h->gaps, h->ngaps, sizeof *h->gaps) < 0)
			goto oom;
		h->gaps[h->ngaps].after = col_i64(st[0], 0);
		h->gaps[h->ngaps].before = col_i64(st[0], 1);
		h->gaps[h->ngaps++].missing = sqlite3_column_int64(st[0], 2);
	}
	while (sqlite3_step(st[1]) == SQLITE_ROW) { /* one row per (user, code) */
		struct hs_lc_user *u = h->nlogins ? &h->logins[h->nlogins - 1] : NULL;
		const char *name = (const char *)sqlite3_column_text(st[1], 0);
		int64_t count = sqlite3_column_int64(st[1], 4);
		if (!u || strcmp(u->user, name ? name : "") != 0) {
			if (grow((void **)&h->logins, h->nlogins, sizeof *h->logins) < 0)
				goto oom;
			u = &h->logins[h->nlogins++];
			memset(u, 0, sizeof *u);
			col_str(st[1], 0, u->user, sizeof u->user);
		}
		if (sqlite3_column_int(st[1], 2)) {
			u->ok += count;
		} else if (!sqlite3_column_int(st[1], 3)) {
			u->failed += count;
			if (u->ncodes < HS_LC_CODES) {
				u->code[u->ncodes] = col_i64(st[1], 1);
				u->code_count[u->ncodes++] = count;
			}
		}
	}
	while (sqlite3_step(st[2]) == SQLITE_ROW) {
		struct hs_lc_count *k;
		if (grow((void **)&h->key_events, h->nkey_events, sizeof *h->key_events) < 0)
			goto oom;
		k = &h->key_events[h->nkey_events++];
		col_str(st[2], 0, k->name, sizeof k->name);
		k->count = sqlite3_column_int64(st[2], 1);
	}
	rc = 0;
	goto out;
oom:
	hs_error_set(err, "", 0, 0, "out of memory");
	for (i = 0; i < 3; i++) {
		sqlite3_finalize(st[i]);
		st[i] = NULL;
	}
	return -1;
out:
	if (rc < 0)
		hs_error_set(err, "index", 0, 0, "summary: %s", sqlite3_errmsg(db));
	for (i = 0; i < 3; i++)
		sqlite3_finalize(st[i]);
	return rc;
}

int hs_lc_summary(struct hs_index *ix, struct hs_lc_summary *s, struct hs_error *err)
{
	sqlite3 *db = hs_index_db(ix);
	sqlite3_stmt *st = NULL;
	int failed = 0;

	memset(s, 0, sizeof *s);
	s->sessions_opened = count_of(db, "SELECT count(*) FROM sessions WHERE open_n IS NOT NULL",
	                              &failed);
	s->sessions_closed = count_of(db, "SELECT count(*) FROM sessions WHERE close_n IS NOT NULL",
	                              &failed);
	s->sessions_leaked = count_of(db, "SELECT count(*) FROM sessions WHERE state = 'leaked'",
	                              &failed);
	s->logins_ok = count_of(db, "SELECT count(*) FROM events WHERE func IN ('C_Login',"
	                        " 'C_LoginUser', 'CN_LOGIN') AND ok", &failed);
	s->logins_failed = count_of(db, "SELECT count(*) FROM events WHERE func IN ('C_Login',"
	                            " 'C_LoginUser', 'CN_LOGIN') AND NOT ok AND NOT incomplete",
	                            &failed);
	s->login_spans = count_of(db, "SELECT count(*) FROM logins", &failed);
	s->objects_created = count_of(db, "SELECT count(*) FROM objects WHERE created_n IS NOT NULL",
	                              &failed);
	s->objects_destroyed = count_of(db, "SELECT count(*) FROM objects"
	                                " WHERE destroyed_n IS NOT NULL", &failed);
	if (failed)
		goto dberr;
	if (sqlite3_prepare_v2(db, "SELECT kind, count(*) FROM anomalies GROUP BY kind ORDER BY kind",
	                       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (grow((void **)&s->anomalies, s->nanomalies, sizeof *s->anomalies) < 0)
			goto oom;
		col_str(st, 0, s->anomalies[s->nanomalies].name, sizeof s->anomalies[0].name);
		s->anomalies[s->nanomalies++].count = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT hsm, events, first_ts, last_ts, reboots,"
	                       " (SELECT count(*) FROM events e WHERE e.hsm = s.hsm AND e.ok AND e.func IN"
	                       "  ('CN_CREATE_USER', 'CN_CREATE_CO', 'CN_CREATE_APPLIANCE_USER')),"
	                       " (SELECT count(*) FROM events e WHERE e.hsm = s.hsm AND e.ok"
	                       "  AND e.func = 'CN_DELETE_USER')"
	                       " FROM streams s ORDER BY hsm", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct hs_lc_hsm *h;
		if (grow((void **)&s->hsms, s->nhsms, sizeof *s->hsms) < 0)
			goto oom;
		h = &s->hsms[s->nhsms++];
		memset(h, 0, sizeof *h);
		col_str(st, 0, h->hsm, sizeof h->hsm);
		h->events = sqlite3_column_int64(st, 1);
		h->first_ts = col_i64(st, 2);
		h->last_ts = col_i64(st, 3);
		h->reboots = sqlite3_column_int64(st, 4);
		h->users_created = sqlite3_column_int64(st, 5);
		h->users_deleted = sqlite3_column_int64(st, 6);
		if (hsm_summary(db, h, err) < 0) {
			sqlite3_finalize(st);
			hs_lc_summary_free(s);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
oom:
	sqlite3_finalize(st);
	hs_lc_summary_free(s);
	hs_error_set(err, "", 0, 0, "out of memory");
	return -1;
dberr:
	hs_error_set(err, "index", 0, 0, "summary: %s", sqlite3_errmsg(db));
	hs_error_hint(err, "rebuild the index (--rebuild): it may predate correlation");
	sqlite3_finalize(st);
	hs_lc_summary_free(s);
	return -1;
}

void hs_lc_summary_free(struct hs_lc_summary *s)
{
	int i;

	for (i = 0; i < s->nhsms; i++) {
		free(s->hsms[i].gaps);
		free(s->hsms[i].logins);
		free(s->hsms[i].key_events);
	}
	free(s->hsms);
	free(s->anomalies);
	memset(s, 0, sizeof *s);
}
