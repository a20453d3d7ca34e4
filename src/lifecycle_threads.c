/* lifecycle_threads.c — the threads of one process of a call trace
 * (lifecycle.h), for the explorer's timeline: each thread's first and last
 * event and time, calls and errors, and a filter selecting its events.
 * One GROUP BY over the events of the process's range (ev_thread index).
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

int hs_lc_threads(struct hs_index *ix, const struct hs_lc_node *process,
                  struct hs_lc_thread **out, int *nout, struct hs_error *err)
{
	sqlite3 *db = hs_index_db(ix);
	sqlite3_stmt *st = NULL;
	struct hs_lc_thread *v = NULL, *nv;
	int n = 0, cap = 0, rc;

	*out = NULL;
	*nout = 0;
	if (!process || process->kind != HS_LC_PROCESS)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT tid, min(n), max(n), min(ts_us), max(ts_us), count(*),"
	                       " sum(ok = 0 AND incomplete = 0), sum(incomplete = 1) FROM events"
	                       " WHERE file_id = ?1 AND instance = ?2 AND n BETWEEN ?3 AND ?4"
	                       " AND tid IS NOT NULL GROUP BY tid ORDER BY min(n)", -1, &st,
	                       NULL) != SQLITE_OK) {
		hs_error_set(err, "index", 0, 0, "threads query failed: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, process->k[0]);
	sqlite3_bind_int64(st, 2, process->k[1]);
	sqlite3_bind_int64(st, 3, process->first_n);
	sqlite3_bind_int64(st, 4, process->last_n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hs_lc_thread *t;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, (size_t)cap * sizeof *v);
			if (!nv) {
				hs_error_set(err, "index", 0, 0, "out of memory listing threads");
				goto fail;
			}
			v = nv;
		}
		t = &v[n++];
		memset(t, 0, sizeof *t);
		t->tid = sqlite3_column_int64(st, 0);
		t->first_n = sqlite3_column_int64(st, 1);
		t->last_n = sqlite3_column_int64(st, 2);
		t->first_ts = col_i64(st, 3);
		t->last_ts = col_i64(st, 4);
		t->calls = sqlite3_column_int64(st, 5);
		t->errors = sqlite3_column_int64(st, 6);
		t->open_end = sqlite3_column_int64(st, 7) > 0;
		/* proc is 1-based; the range keeps another file's process of the
		 * same instance number out */
		snprintf(t->filter, sizeof t->filter, "proc == %lld && tid == %lld && n >= %lld && n <= %lld",
		         (long long)process->k[1] + 1, (long long)t->tid, (long long)t->first_n,
		         (long long)t->last_n);
	}
	if (rc != SQLITE_DONE) {
		hs_error_set(err, "index", 0, 0, "threads query failed: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_finalize(st);
	*out = v;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(v);
	return -1;
}
