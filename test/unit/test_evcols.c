/* test_evcols.c — what src/evcols.h makes fits together: the events view
 * keeps its published columns in their order (`SELECT * FROM events` is
 * read by scripts), every event_rows column but dref is in the INSERT with
 * one bind place each, event_audit likewise, and the query's select list
 * prepares over the view with the places fill() reads.
 */
#include <sqlite3.h>
#include <string.h>

#include "harness.h"
#include "hsmscope/index.h"
#include "../../src/evcols.h"

enum { HS_EVCOLS(HS_EV_X_IENUM) HS_EVI_COUNT_ };
enum { HS_EVCOLS(HS_EV_X_AENUM) HS_EVA_COUNT_ };
enum { HS_EVCOLS(HS_EV_X_QENUM) HS_EVQ_DETAIL_ };

/* The view's columns as schema 9 had them, written out by hand on purpose:
 * a row moved in evcols.h changes what `SELECT * FROM events` prints. */
static const char *const view_cols[] = {
	"n", "file_id", "offset", "line", "format", "ts_us", "ts_utc", "pid", "tid", "instance",
	"call_no", "func", "rv", "rv_name", "ok", "incomplete", "uncertain", "dur_us", "dur_exact",
	"session", "slot", "user", "user_type", "hsm", "seq", "reboot", "opcode", "cmd_type",
	"log_type", "response", "session_id", "login_id", "span_id", "summary", "dref",
};

static int columns(sqlite3 *db, const char *table)
{
	char sql[128];
	sqlite3_stmt *st;
	int n = 0;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s')", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int main(void)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	size_t i, nv = sizeof view_cols / sizeof view_cols[0];

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(hs_index_detail_register(db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, hs_index_schema_sql(), NULL, NULL, NULL) == SQLITE_OK);

	CHECK(sqlite3_prepare_v2(db, "SELECT * FROM events", -1, &st, NULL) == SQLITE_OK);
	CHECK(st && (size_t)sqlite3_column_count(st) == nv);
	for (i = 0; st && i < nv && (int)i < sqlite3_column_count(st); i++)
		if (strcmp(sqlite3_column_name(st, (int)i), view_cols[i]) != 0) {
			fprintf(stderr, "events column %zu: %s, want %s\n", i,
			        sqlite3_column_name(st, (int)i), view_cols[i]);
			CHECK(0);
		}
	sqlite3_finalize(st);

	/* the INSERT names every stored column but dref (set by a merge) */
	CHECK(sqlite3_prepare_v2(db, HS_EVROWS_INSERT_SQL, -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_bind_parameter_count(st) == HS_EVI_COUNT_);
	CHECK(columns(db, "event_rows") == HS_EVI_COUNT_ + 1);
	sqlite3_finalize(st);
	CHECK(sqlite3_prepare_v2(db, HS_EVAUDIT_INSERT_SQL, -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_bind_parameter_count(st) == HS_EVA_COUNT_);
	CHECK(columns(db, "event_audit") == HS_EVA_COUNT_);
	sqlite3_finalize(st);

	/* a row written through the INSERTs reads back through the view */
	CHECK(sqlite3_prepare_v2(db, HS_EVROWS_INSERT_SQL, -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, HS_EVI_n + 1, 7);
	sqlite3_bind_int(st, HS_EVI_file_id + 1, 0);
	sqlite3_bind_int64(st, HS_EVI_user_type + 1, 1);
	sqlite3_bind_text(st, HS_EVI_summary + 1, "hKey=0x2", -1, SQLITE_STATIC);
	CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
	CHECK(sqlite3_prepare_v2(db, HS_EVAUDIT_INSERT_SQL, -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, HS_EVA_n + 1, 7);
	sqlite3_bind_int64(st, HS_EVA_seq + 1, 42);
	sqlite3_bind_text(st, HS_EVA_hsm + 1, "hsm-1", -1, SQLITE_STATIC);
	CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);

	/* the query's list, detail last, over `events e` */
	CHECK(sqlite3_prepare_v2(db, "SELECT " HS_EVQUERY_COLS_SQL ", " HS_EVENT_DETAIL_SQL
	                         " FROM events e", -1, &st, NULL) == SQLITE_OK);
	CHECK(st && sqlite3_column_count(st) == HS_EVQ_DETAIL_ + 1);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);
	CHECK(st && sqlite3_column_int64(st, HS_EVQ_n) == 7);
	CHECK(st && sqlite3_column_int64(st, HS_EVQ_user_type) == 1);
	CHECK(st && sqlite3_column_int64(st, HS_EVQ_seq) == 42);
	CHECK(st && strcmp((const char *)sqlite3_column_text(st, HS_EVQ_hsm), "hsm-1") == 0);
	CHECK(st && strcmp((const char *)sqlite3_column_text(st, HS_EVQ_summary), "hKey=0x2") == 0);
	CHECK(st && sqlite3_column_type(st, HS_EVQ_rv) == SQLITE_NULL);
	sqlite3_finalize(st);

	/* the JSON keys scripts read (share/schema/event.schema.json) */
	CHECK(strcmp(HS_EVC_JKEY(seq), "seq_no") == 0);
	CHECK(strcmp(HS_EVC_JKEY(cmd_type), "command_type") == 0);
	CHECK(strcmp(HS_EVC_JKEY(instance), "proc") == 0);
	sqlite3_close(db);
	TEST_END();
}
