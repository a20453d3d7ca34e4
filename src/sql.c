/* sql.c — read-only SQL over an index (`hsmscope sql`, the TUI's `;`).
 *
 * The statement never runs on the index's own handle: it gets a fresh
 * connection opened read-only with query_only set, so even a statement that
 * SQLite would accept as a write (or an ATTACH of another file) is refused
 * by SQLite itself, not by our guessing at the text.
 */
#include "hsmscope/sql.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/index.h"
#include "hsmscope/regex.h"

#define SQL_MAX_COLS 256        /* columns delivered per row */

static void set_db_error(struct hs_error *err, sqlite3 *db, const char *sql)
{
	long col = 0;
	int off = sqlite3_error_offset(db);

	if (off >= 0 && sql != NULL)
		col = off + 1;
	hs_error_set(err, "sql", col ? 1 : 0, col, "%s", sqlite3_errmsg(db));
}

long hs_sql_exec(struct hs_index *ix, const char *sql, hs_sql_row_fn fn,
                 void *ctx, struct hs_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	const char *names[SQL_MAX_COLS];
	const char *vals[SQL_MAX_COLS];
	enum hs_sql_kind kinds[SQL_MAX_COLS];
	size_t boff[SQL_MAX_COLS];
	struct hs_buf blob;
	long rows = -1;
	int ncol, rc;

	hs_error_clear(err);
	hs_buf_init(&blob);
	if (sqlite3_open_v2(hs_index_info(ix)->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		hs_error_set(err, hs_index_info(ix)->path, 0, 0, "cannot open the index read-only: %s",
		             db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, 2000);
	/* no ATTACH: the statement sees the index and nothing else */
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	if (sqlite3_exec(db, "PRAGMA query_only=1", NULL, NULL, NULL) != SQLITE_OK ||
	    hs_regex_register(db) != SQLITE_OK) {
		set_db_error(err, db, NULL);
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
		set_db_error(err, db, sql);
		goto out;
	}
	if (st == NULL) {
		hs_error_set(err, "sql", 0, 0, "empty statement");
		hs_error_hint(err, "try: SELECT func, count(*) FROM events GROUP BY func");
		goto out;
	}
	tail = hs_skip_ws(tail);
	while (*tail == ';')
		tail = hs_skip_ws(tail + 1);
	if (*tail != '\0') {
		hs_error_set(err, "sql", 1, (long)(tail - sql) + 1, "only one statement at a time");
		goto out;
	}
	if (!sqlite3_stmt_readonly(st)) {
		hs_error_set(err, "sql", 0, 0, "the index is read-only here: only queries run");
		goto out;
	}
	ncol = sqlite3_column_count(st);
	if (ncol > SQL_MAX_COLS)
		ncol = SQL_MAX_COLS;
	for (int i = 0; i < ncol; i++)
		names[i] = sqlite3_column_name(st, i);
	rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* a BLOB is shown as x'..', never as raw bytes: its text goes
		 * into one buffer (pieces NUL-separated) and is pointed at once
		 * the buffer no longer moves */
		hs_buf_clear(&blob);
		for (int i = 0; i < ncol; i++) {
			int type = sqlite3_column_type(st, i);
			kinds[i] = type == SQLITE_NULL ? HS_SQL_NULL : type == SQLITE_INTEGER ? HS_SQL_INT :
			           type == SQLITE_FLOAT ? HS_SQL_REAL : HS_SQL_TEXT;
			boff[i] = (size_t)-1;
			if (type == SQLITE_BLOB) {
				const unsigned char *b = sqlite3_column_blob(st, i);
				int n = sqlite3_column_bytes(st, i);
				boff[i] = blob.len;
				hs_buf_adds(&blob, "x'");
				for (int j = 0; j < n; j++)
					hs_buf_printf(&blob, "%02x", b[j]);
				hs_buf_add(&blob, "'", 2);
			} else {
				vals[i] = (const char *)sqlite3_column_text(st, i);
			}
		}
		for (int i = 0; i < ncol; i++)
			if (boff[i] != (size_t)-1)
				vals[i] = blob.data + boff[i];
		rows++;
		if (fn != NULL && fn(ctx, ncol, names, vals, kinds) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_db_error(err, db, NULL);
		rows = -1;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	hs_buf_free(&blob);
	return rows;
}
