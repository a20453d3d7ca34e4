/* fuzz_filter.c — libFuzzer target: the input as filter text, compiled
 * (parser, regex check, SQL generation) and, when it compiles, run against
 * a small in-memory index with the real schema, the PCRE2 function and a
 * few rows, so the generated SQL and its bindings are exercised too.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/regex.h"

static sqlite3 *db;

static sqlite3 *make_db(void)
{
	sqlite3 *d;

	if (sqlite3_open(":memory:", &d) != SQLITE_OK)
		abort();
	if (hs_index_detail_register(d) != SQLITE_OK ||
	    sqlite3_exec(d, hs_index_schema_sql(), NULL, NULL, NULL) != SQLITE_OK ||
	    hs_regex_register(d) != SQLITE_OK ||
	    sqlite3_exec(d,
	                 /* events is a view (schema 9): its rows, names and audit columns */
	                 "INSERT INTO files(id, path, format) VALUES (0, '/x.log', 'spy');"
	                 "INSERT INTO formats(id, name) VALUES (1, 'spy');"
	                 "INSERT INTO funcs(id, name) VALUES (1, 'C_Login'), (2, 'CN_LOGIN');"
	                 "INSERT INTO event_rows(n, file_id, format_id, func_id, rv, rv_name, ok,"
	                 " incomplete, dur_us, session, ts_us, summary, dref) VALUES"
	                 " (1, 0, 1, 1, 160, 'CKR_PIN_INCORRECT', 0, 0, 1200, 1, 1795346590000000,"
	                 "  'session=0x1', NULL),"
	                 " (2, 0, 1, 2, 0, 'SUCCESS', 1, 0, NULL, NULL, NULL, NULL, NULL);"
	                 "INSERT INTO event_audit(n, hsm, user) VALUES (2, 'hsm-1', 'admin');"
	                 "INSERT INTO event_keys(n, i, handle, role) VALUES (1, 0, 3, 'hKey');"
	                 "INSERT INTO objects(file_id, handle, label, created_n) VALUES (0, 3, 'k', 1);"
	                 "INSERT INTO anomalies(n, kind) VALUES (2, 'seq_gap');"
	                 "INSERT INTO links VALUES (1, 2, 'login');",
	                 NULL, NULL, NULL) != SQLITE_OK)
		abort();
	{
		/* the details, stored apart as the index stores them */
		static const char *const det[] = { "[in] hSession = 0x1", "Response : 0:HSM Return: SUCCESS" };
		struct hs_detail_writer *w = hs_index_detail_writer_new(d);
		if (!w || hs_index_detail_add(w, 1, det[0], strlen(det[0])) < 0 ||
		    hs_index_detail_add(w, 2, det[1], strlen(det[1])) < 0 || hs_index_detail_flush(w) < 0)
			abort();
		hs_index_detail_writer_free(w);
	}
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_filter *f;
	struct hs_error err;
	char *text;

	if (!db)
		db = make_db();
	if (size > 4096)
		return 0;
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (hs_filter_compile(text, &f, &err) == 0) {
		sqlite3_stmt *st;
		char *sql = sqlite3_mprintf("SELECT count(*) FROM events e WHERE %s", hs_filter_sql(f));
		if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
			if (hs_filter_bind(f, st) == SQLITE_OK)
				while (sqlite3_step(st) == SQLITE_ROW)
					;
			sqlite3_finalize(st);
		} else if (sql) {
			/* a filter that compiles must give SQL that prepares */
			abort();
		}
		sqlite3_free(sql);
		hs_filter_free(f);
	} else {
		/* every refusal says where */
		if (err.msg[0] == '\0')
			abort();
	}
	free(text);
	return 0;
}
