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
#include "evcols.h"

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

/* The columns correlation reads back are the rows of evcols.h marked cr;
 * the replay's own two (a detail when the function needs one, the length
 * query test) come after them. */
enum { HS_EVCOLS(HS_EV_X_RENUM) HS_EVR_DETAIL_, HS_EVR_LENQ_ };

static void fill(sqlite3_stmt *st, struct hs_event *e)
{
	hs_event_reset(e);
	HS_EVREPLAY_FILL
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
	              "SELECT " HS_EVREPLAY_COLS_SQL ","
	              " CASE WHEN func IN (%s) THEN hs_detail(n, dref) END,"
	              " CASE WHEN ok AND func IN (%s) THEN hs_corr_lenq(hs_detail(n, dref)) ELSE 0 END"
	              " FROM events WHERE n > ?1 AND n <= ?2 ORDER BY n",
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
		const char *d;

		fill(ev, &e);
		d = (const char *)sqlite3_column_text(ev, HS_EVR_DETAIL_);
		if (d && hs_buf_add(&e.detail, d, (size_t)sqlite3_column_bytes(ev, HS_EVR_DETAIL_)) < 0) {
			hs_error_set(err, "", 0, 0, "out of memory");
			goto out;
		}
		while (krc == SQLITE_ROW && kn <= e.n) {
			if (kn == e.n) {
				const char *role = (const char *)sqlite3_column_text(keys, 2);
				hs_event_add_key(&e, sqlite3_column_int64(keys, 1), role ? role : "");
			}
			krc = sqlite3_step(keys);
			if (krc == SQLITE_ROW)
				kn = sqlite3_column_int64(keys, 0);
		}
		if (hs_correlate_replay_event(c, &e, sqlite3_column_int(ev, HS_EVR_LENQ_), err) < 0)
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
