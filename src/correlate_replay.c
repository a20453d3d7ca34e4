/* correlate_replay.c — re-run stored events through a correlator
 * (corrstore.h: hs_corrstore_replay), for a refresh without a usable saved
 * state and to rebuild the state at a checkpoint. Split from
 * correlate_store.c, which writes rows and state; this only reads events.
 */
#include "hsmscope/corrstore.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "hsmscope/detect.h"

/* ---------------------------------------------------------------- replay */

/* SQL function hs_corr_lenq(detail): the length-query test of the live
 * path, run inside SQLite so replay does not read big details out. */
static void lenq_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *d = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	sqlite3_result_int(ctx, d ? hs_correlate_length_query(d, (size_t)sqlite3_value_bytes(argv[0])) : 0);
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

/* Re-run the stored events; keys come from a second cursor merged by n. */
int hs_corrstore_replay(struct sqlite3 *db, struct hs_correlator *c, int64_t from_n, int64_t to_n,
                        struct hs_error *err)
{
	sqlite3_stmt *ev = NULL, *keys = NULL;
	struct hs_event e;
	struct hs_buf sql;
	int rc = -1, krc;
	int64_t kn = HS_NONE;

	if (to_n < 0)
		to_n = INT64_MAX;
	hs_buf_init(&sql);
	hs_buf_printf(&sql,
	              "SELECT n, file_id, format, instance, pid, tid, func, rv, rv_name, ok, incomplete,"
	              " session, slot, user_type, user, hsm, seq, reboot, opcode, ts_us, log_type,"
	              " CASE WHEN func IN (%s) THEN hs_detail(n, dref) END,"
	              " CASE WHEN ok AND func IN (%s) THEN hs_corr_lenq(hs_detail(n, dref)) ELSE 0 END, call_no,"
	              " uncertain FROM events WHERE n > ?1 AND n <= ?2 ORDER BY n",
	              hs_correlate_detail_funcs_sql(), hs_correlate_lenq_funcs_sql());
	hs_event_init(&e);
	if (sqlite3_create_function(db, "hs_corr_lenq", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	                            NULL, lenq_fn, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, hs_buf_cstr(&sql), -1, &ev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT n, handle, role FROM event_keys WHERE n > ?1 AND n <= ?2"
	                       " ORDER BY n, i", -1, &keys, NULL) != SQLITE_OK) {
		hs_error_set(err, "", 0, 0, "index: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(ev, 1, from_n);
	sqlite3_bind_int64(ev, 2, to_n);
	sqlite3_bind_int64(keys, 1, from_n);
	sqlite3_bind_int64(keys, 2, to_n);
	krc = sqlite3_step(keys);
	if (krc == SQLITE_ROW)
		kn = sqlite3_column_int64(keys, 0);
	while (sqlite3_step(ev) == SQLITE_ROW) {
		const char *fmt = (const char *)sqlite3_column_text(ev, 2), *d;

		hs_event_reset(&e);
		e.n = sqlite3_column_int64(ev, 0);
		e.file_id = sqlite3_column_int(ev, 1);
		e.format = hs_detect_static_name(fmt);
		e.instance = sqlite3_column_int64(ev, 3);
		e.pid = col_i64(ev, 4);
		e.tid = col_i64(ev, 5);
		col_str(ev, 6, e.func, sizeof e.func);
		e.rv = col_i64(ev, 7);
		col_str(ev, 8, e.rv_name, sizeof e.rv_name);
		e.ok = sqlite3_column_int(ev, 9);
		e.incomplete = sqlite3_column_int(ev, 10);
		e.session = col_i64(ev, 11);
		e.slot = col_i64(ev, 12);
		e.user_type = col_i64(ev, 13);
		col_str(ev, 14, e.user, sizeof e.user);
		col_str(ev, 15, e.hsm, sizeof e.hsm);
		e.seq = col_i64(ev, 16);
		e.reboot = col_i64(ev, 17);
		e.opcode = col_i64(ev, 18);
		e.ts_us = col_i64(ev, 19);
		e.log_type = col_i64(ev, 20);
		d = (const char *)sqlite3_column_text(ev, 21);
		if (d && hs_buf_add(&e.detail, d, (size_t)sqlite3_column_bytes(ev, 21)) < 0) {
			hs_error_set(err, "", 0, 0, "out of memory");
			goto out;
		}
		e.call_no = col_i64(ev, 23);
		e.uncertain = sqlite3_column_int(ev, 24);
		while (krc == SQLITE_ROW && kn <= e.n) {
			if (kn == e.n) {
				const char *role = (const char *)sqlite3_column_text(keys, 2);
				hs_event_add_key(&e, sqlite3_column_int64(keys, 1), role ? role : "");
			}
			krc = sqlite3_step(keys);
			if (krc == SQLITE_ROW)
				kn = sqlite3_column_int64(keys, 0);
		}
		if (hs_correlate_replay_event(c, &e, sqlite3_column_int(ev, 22), err) < 0)
			goto out;
	}
	rc = 0;
out:
	hs_event_free(&e);
	hs_buf_free(&sql);
	sqlite3_finalize(ev);
	sqlite3_finalize(keys);
	sqlite3_create_function(db, "hs_corr_lenq", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	return rc;
}
