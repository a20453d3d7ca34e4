/* test_evcols.c — what src/evcols.h makes fits together, seen from the
 * public API: the events view keeps its published columns in their order
 * (`SELECT * FROM events` is read by scripts), the stored tables keep the
 * column names other writers use, and every column a parser fills goes
 * into the index and comes back out of a query unchanged (the INSERT's
 * binds and fill() both made from the table: a row with the wrong kind or
 * place shows here).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "parsetest.h"
#include "hsmscope/detect.h"
#include "hsmscope/index.h"
#include "hsmscope/query.h"

/* The view's columns as schema 9 had them, written out by hand on purpose:
 * a row moved in evcols.h changes what `SELECT * FROM events` prints. */
static const char *const view_cols[] = {
	"n", "file_id", "offset", "line", "format", "ts_us", "ts_utc", "pid", "tid", "instance",
	"call_no", "func", "rv", "rv_name", "ok", "incomplete", "uncertain", "dur_us", "dur_exact",
	"session", "slot", "user", "user_type", "hsm", "seq", "reboot", "opcode", "cmd_type",
	"log_type", "response", "session_id", "login_id", "span_id", "summary", "dref",
};

/* The stored columns, by the names the index modules, test_filter.c and
 * fuzz_filter.c write them under. */
static const char *const rows_cols[] = {
	"n", "file_id", "offset", "line", "format_id", "ts_us", "ts_utc", "pid", "tid", "instance",
	"call_no", "func_id", "rv", "rv_name", "ok", "incomplete", "uncertain", "dur_us", "dur_exact",
	"session", "slot", "user_type", "session_id", "login_id", "span_id", "summary", "dref",
	"nlines", "summary_id", "runs",
};
static const char *const audit_cols[] = {
	"n", "user", "hsm", "seq", "reboot", "opcode", "cmd_type", "log_type", "response",
};

static void check_names(sqlite3 *db, const char *sql, const char *const *want, size_t n)
{
	sqlite3_stmt *st = NULL;
	size_t i;

	CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
	CHECK(st && (size_t)sqlite3_column_count(st) == n);
	for (i = 0; st && i < n && (int)i < sqlite3_column_count(st); i++)
		if (strcmp(sqlite3_column_name(st, (int)i), want[i]) != 0) {
			fprintf(stderr, "%s: column %zu is %s, want %s\n", sql, i,
			        sqlite3_column_name(st, (int)i), want[i]);
			CHECK(0);
		}
	sqlite3_finalize(st);
}

static void check_schema(void)
{
	sqlite3 *db;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(hs_index_detail_register(db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, hs_index_schema_sql(), NULL, NULL, NULL) == SQLITE_OK);
	check_names(db, "SELECT * FROM events", view_cols, sizeof view_cols / sizeof *view_cols);
	check_names(db, "SELECT * FROM event_rows", rows_cols, sizeof rows_cols / sizeof *rows_cols);
	check_names(db, "SELECT * FROM event_audit", audit_cols, sizeof audit_cols / sizeof *audit_cols);
	sqlite3_close(db);
}

static const struct hs_parser_desc *parser(const char *name)
{
	const struct hs_parser_desc *const *p;

	for (p = hs_detect_parsers(); *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

/* Whether what the parser made (a) and what the index gives back (b) agree
 * on every column the parser fills. The summary of a call that carries a
 * secret is redacted before it is stored, so it is compared only when the
 * parser's has no PIN in it. */
static int same(const struct hs_event *a, const struct hs_event *b)
{
	int i, ok = a->file_id == b->file_id && a->offset == b->offset && a->line == b->line &&
	            strcmp(a->format, b->format) == 0 && a->ts_us == b->ts_us &&
	            a->ts_utc == b->ts_utc && a->pid == b->pid && a->tid == b->tid &&
	            a->instance == b->instance && a->call_no == b->call_no &&
	            strcmp(a->func, b->func) == 0 && a->rv == b->rv &&
	            strcmp(a->rv_name, b->rv_name) == 0 && a->ok == b->ok &&
	            a->incomplete == b->incomplete && a->uncertain == b->uncertain &&
	            (a->dur_us == HS_NONE || a->dur_us == b->dur_us) && a->session == b->session &&
	            a->slot == b->slot && a->user_type == b->user_type &&
	            strcmp(a->user, b->user) == 0 && strcmp(a->hsm, b->hsm) == 0 &&
	            a->seq == b->seq && a->reboot == b->reboot && a->opcode == b->opcode &&
	            a->cmd_type == b->cmd_type && a->log_type == b->log_type &&
	            strcmp(a->response, b->response) == 0 && a->nkeys == b->nkeys &&
	            (strstr(a->summary, "pin") || strcmp(a->summary, b->summary) == 0);

	for (i = 0; ok && i < a->nkeys; i++)
		ok = a->keys[i].handle == b->keys[i].handle && strcmp(a->keys[i].role, b->keys[i].role) == 0;
	if (!ok)
		fprintf(stderr, "event at offset %lld (%s): not the same out of the index\n",
		        (long long)a->offset, a->func);
	return ok;
}

/* Index path with the parser `format` by itself and by hs_index_open(), and
 * compare each event by its offset. Returns how many were compared. */
static int round_trip(const char *path, const char *format, const char *dir)
{
	const struct hs_parser_desc *d = parser(format);
	struct hs_parser_opts po = { 0, path, NULL };
	struct hs_index_opts o;
	struct hs_index *ix = NULL;
	struct hs_error err;
	struct hs_parse_stats st;
	struct hs_query *q = NULL;
	struct hs_event e;
	struct got g;
	char db[512], *text;
	size_t len;
	int i, seen = 0, found;

	CHECK(d != NULL);
	if (!d || !(text = slurp(path, &len)))
		return 0;
	memset(&st, 0, sizeof st);
	parse_with(d, &po, text, len, 0, 1, NULL, &g, &st);
	free(text);
	memset(&o, 0, sizeof o);
	snprintf(db, sizeof db, "%s/%s.db", dir, format);
	o.index_path = db;
	o.rebuild = 1;
	CHECK(hs_index_open(&path, 1, &o, &ix, &err) == 0);
	hs_event_init(&e);
	CHECK(ix && hs_query_open(ix, NULL, 1, &q, &err) == 0);
	while (q && hs_query_next(q, &e, &err) == 1) {
		found = 0;
		for (i = 0; i < g.n && !found; i++)
			if (g.ev[i].offset == e.offset) {
				found = 1;
				CHECK(same(&g.ev[i], &e));
			}
		CHECK(found);
		seen++;
	}
	CHECK(seen == g.n);
	hs_query_close(q);
	hs_event_free(&e);
	hs_index_close(ix);
	got_free(&g);
	return seen;
}

int main(void)
{
	char dir[] = "/tmp/hs-evcols-XXXXXX";
	char rm[64];

	check_schema();
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		TEST_END();
	}
	/* call traces: every call column; audit logs: the event_audit ones */
	CHECK(round_trip("share/samples/softhsm-basic.log", "spy", dir) > 300);
	CHECK(round_trip("share/samples/hsm-abcde123456.log", "cloudhsm", dir) > 5);
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	if (system(rm) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	TEST_END();
}
