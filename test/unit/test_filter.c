/* test_filter.c — the filter language against a real (in-memory) index.
 *
 * Rather than compare generated SQL text, every case runs its filter over
 * 16 hand-made events built with the index's own schema and checks the
 * exact set of matching event numbers ("3,4,15"). Error cases check the
 * column and the message. The hostile cases push SQL through every field,
 * as a literal and as a regex, and then prove the table is intact. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/regex.h"

#define T0 "2026-11-22 11:23:1"     /* the events' minute; T0 "0" is 11:23:10 */

/* n, file, ts (ms after 11:23:10), pid, tid, func, rv (-1 NULL), rv_name,
 * ok (-1 NULL), incomplete, dur_us (-1 NULL), session (-1 NULL), slot,
 * user, user_type, hsm, seq, summary, detail, login_id, span_id, session_id */
static const struct row {
	int n, file, ts_ms, pid, tid;
	const char *func;
	long long rv;
	const char *rv_name;
	int ok, incomplete;
	long long dur_us, session;
	int slot;
	const char *user;
	int user_type;
	const char *hsm;
	int seq;
	const char *summary, *detail;
	int login, span, session_id;
} rows[] = {
	{ 1, 0, 0, 100, 1, "C_Initialize", 0, "CKR_OK", 1, 0, 50, -1, -1, NULL, -1, NULL, -1, "", NULL, -1, -1, -1 },
	{ 2, 0, 1000, 100, 1, "C_OpenSession", 0, "CKR_OK", 1, 0, 1200, 1, 0, NULL, -1, NULL, -1,
	  "slotID=0 flags=0x6", NULL, -1, -1, 1 },
	{ 3, 0, 2000, 100, 1, "C_Login", 0xa0, "CKR_PIN_INCORRECT", 0, 0, 3000, 1, 0, NULL, 1, NULL, -1,
	  "userType=CKU_USER", "[in] pPin = ****", -1, -1, 1 },
	{ 4, 0, 3000, 100, 1, "C_Login", 0, "CKR_OK", 1, 0, 2500, 1, 0, NULL, 0, NULL, -1,
	  "userType=CKU_SO", "[in] pPin = ****", 1, -1, 1 },
	{ 5, 0, 4000, 100, 2, "C_SignInit", 0, "CKR_OK", 1, 0, 100, 1, -1, NULL, -1, NULL, -1,
	  "mech=CKM_SHA256_RSA_PKCS hKey=262152", NULL, 1, 1, 1 },
	{ 6, 0, 4500, 100, 2, "C_Sign", 0, "CKR_OK", 1, 0, 2000000, 1, -1, NULL, -1, NULL, -1,
	  "ulDataLen=32", "label: Schl\xC3\xBCssel \xC3\x84\xC3\x96\xC3\x9C", 1, 1, 1 },
	{ 7, 0, 5000, 101, 1, "C_SignInit", 0x70, "CKR_MECHANISM_INVALID", 0, 0, 10, 2, -1, NULL, -1,
	  NULL, -1, "mech=CKM_FOO", NULL, -1, -1, -1 },
	{ 8, 0, 6000, 101, 1, "C_FindObjects", 0, "CKR_OK", 1, 0, 61000000, 16, -1, NULL, -1, NULL,
	  -1, "found 3", NULL, -1, -1, -1 },
	{ 9, 0, 7000, 101, 1, "C_CloseSession", 0xb3, "CKR_SESSION_HANDLE_INVALID", 0, 0, 20, 3, -1,
	  NULL, -1, NULL, -1, "", NULL, -1, -1, -1 },
	{ 10, 0, 8000, 101, 1, "C_Finalize", -1, NULL, -1, 1, -1, -1, -1, NULL, -1, NULL, -1, "",
	  NULL, -1, -1, -1 },
	{ 11, 1, 10000, -1, -1, "CN_LOGIN", 0, "Success", 1, 0, -1, -1, -1, "admin", 0, "HSM-1", 100,
	  "user=admin", NULL, 2, -1, -1 },
	{ 12, 1, 11000, -1, -1, "CN_CREATE_USER", 0, "Success", 1, 0, -1, -1, -1, "admin", 0,
	  "HSM-1", 102, "crypto_user", NULL, 2, -1, -1 },
	{ 13, 1, 12000, -1, -1, "CN_DESTROY_OBJECT", 0, "Success", 1, 0, -1, -1, -1, "O'Brien", 1,
	  "HSM-2", 5, "key=262152", "'); DROP TABLE events; --", -1, -1, -1 },
	{ 14, 0, 9000, 100, 1, "C_GetAttributeValue", 0x12, "CKR_ATTRIBUTE_TYPE_INVALID", 0, 0, 300,
	  1, -1, NULL, -1, NULL, -1, "na\xC3\xAFve", "\xFF\xFE raw \xC3 label", 1, -1, 1 },
	{ 15, 0, 9500, 100, 1, "C_Logout", 0, "CKR_OK", 1, 0, 900, 1, -1, NULL, -1, NULL, -1, "",
	  NULL, 1, -1, 1 },
	{ 16, 0, 9900, 100, 1, "C_DigestInit", 0, "CKR_OK", 1, 0, 1500, 4, -1, NULL, -1, NULL, -1,
	  "path=C:\\temp; x", "a;b \"quoted\" 100%", -1, -1, -1 },
};
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

static const char extra_sql[] =
	"INSERT INTO files(id, path, format) VALUES (0, '/logs/softhsm.log', 'spy'),"
	" (1, '/logs/audit-HSM.log', 'cloudhsm');"
	"INSERT INTO event_keys(n, i, handle, role) VALUES (5, 0, 262152, 'hKey'), (6, 0, 262152, 'hKey'),"
	" (7, 0, 5, 'hKey'), (8, 0, 7, 'phObject'), (8, 1, 8, 'phObject'), (8, 2, 9, 'phObject'),"
	" (13, 0, 262152, 'handle');"
	"INSERT INTO links(n, peer, kind) VALUES (4, 15, 'login'), (15, 4, 'login'), (5, 6, 'span'), (6, 5, 'span');"
	"INSERT INTO anomalies(n, kind, detail) VALUES (9, 'session_not_open', 'closed twice'), (12, 'seq_gap', ''),"
	" (13, 'seq_gap', ''), (13, 'reboot', '');"
	/* handle 5 named "old" ended before event 7 used the handle again */
	"INSERT INTO objects(file_id, hsm, handle, label, obj_id, created_n, destroyed_n, last_n) VALUES"
	" (0, NULL, 262152, 'sign-key', '01', 5, NULL, 6), (0, NULL, 5, 'old', NULL, 1, 3, 3),"
	" (1, 'HSM-2', 262152, NULL, NULL, NULL, 13, 13);";

static void bind_i(sqlite3_stmt *st, int i, long long v)
{
	if (v == -1)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static void bind_s(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static sqlite3 *make_db(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *err = NULL;
	/* 2026-11-22 11:23:10 UTC in µs */
	const long long t0 = 1795346590LL * 1000000;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return NULL;
	if (hs_index_detail_register(db) != SQLITE_OK || /* events.detail calls it */
	    sqlite3_exec(db, hs_index_schema_sql(), NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(db, extra_sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "schema: %s\n", err);
		sqlite3_free(err);
		sqlite3_close(db);
		return NULL;
	}
	CHECK(hs_regex_register(db) == SQLITE_OK);
	/* the rows as events shows them, then stored as the index stores them
	 * (event_rows, funcs, formats, event_audit; rv_name, summary kept as
	 * they are) */
	CHECK(sqlite3_exec(db, "CREATE TEMP TABLE ev(n, file_id, format, line, ts_us, ts_utc, pid, tid,"
	                   " func, rv, rv_name, ok, incomplete, dur_us, session, slot, user, user_type,"
	                   " hsm, seq, summary, dref, login_id, span_id, session_id)",
	                   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db,
	                         "INSERT INTO ev(n, file_id, format, line, ts_us, ts_utc, pid, tid,"
	                         " func, rv, rv_name, ok, incomplete, dur_us, session, slot, user,"
	                         " user_type, hsm, seq, summary, dref, login_id, span_id, session_id)"
	                         " VALUES (?,?,?,?,?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	                         -1, &st, NULL) == SQLITE_OK);
	for (int i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		sqlite3_reset(st);
		bind_i(st, 1, r->n);
		bind_i(st, 2, r->file);
		bind_s(st, 3, r->file ? "cloudhsm" : "spy");
		bind_i(st, 4, r->n * 10);
		bind_i(st, 5, t0 + r->ts_ms * 1000LL);
		bind_i(st, 6, r->pid);
		bind_i(st, 7, r->tid);
		bind_s(st, 8, r->func);
		bind_i(st, 9, r->rv);
		bind_s(st, 10, r->rv_name);
		bind_i(st, 11, r->ok);
		bind_i(st, 12, r->incomplete);
		bind_i(st, 13, r->dur_us);
		bind_i(st, 14, r->session);
		bind_i(st, 15, r->slot);
		bind_s(st, 16, r->user);
		bind_i(st, 17, r->user_type);
		bind_s(st, 18, r->hsm);
		bind_i(st, 19, r->seq);
		bind_s(st, 20, r->summary);
		sqlite3_bind_null(st, 21); /* the detail goes to its block below */
		bind_i(st, 22, r->login);
		bind_i(st, 23, r->span);
		bind_i(st, 24, r->session_id);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
	}
	sqlite3_finalize(st);
	CHECK(sqlite3_exec(db,
	                   "INSERT INTO funcs(name) SELECT DISTINCT func FROM ev WHERE func IS NOT NULL;"
	                   "INSERT INTO formats(name) SELECT DISTINCT format FROM ev;"
	                   "INSERT INTO event_rows(n, file_id, format_id, line, ts_us, ts_utc, pid, tid,"
	                   " func_id, rv, rv_name, ok, incomplete, dur_us, session, slot, user_type,"
	                   " summary, dref, login_id, span_id, session_id)"
	                   " SELECT n, file_id, (SELECT id FROM formats WHERE name = format), line,"
	                   " ts_us, ts_utc, pid, tid,"
	                   " (SELECT id FROM funcs WHERE name = func), rv, ifnull(rv_name, ''), ok,"
	                   " incomplete, dur_us, session, slot, user_type, summary, dref, login_id,"
	                   " span_id, session_id FROM ev;"
	                   "INSERT INTO event_audit(n, user, hsm, seq) SELECT n, user, hsm, seq FROM ev"
	                   " WHERE user IS NOT NULL OR hsm IS NOT NULL OR seq IS NOT NULL;"
	                   "DROP TABLE ev;", NULL, NULL, NULL) == SQLITE_OK);
	/* the details, stored as the index stores them (in n order) */
	{
		struct hs_detail_writer *w = hs_index_detail_writer_new(db);
		CHECK(w != NULL);
		for (long long n = 1; w && n <= NROWS; n++)
			for (int i = 0; i < NROWS; i++)
				if (rows[i].n == n)
					CHECK(hs_index_detail_add(w, n, rows[i].detail ? rows[i].detail : "",
					                          rows[i].detail ? strlen(rows[i].detail) : 0) == 0);
		CHECK(hs_index_detail_flush(w) == 0);
		hs_index_detail_writer_free(w);
	}
	return db;
}

/* The matching n of filter as "1,4,7" ("" for none), or "ERR col: msg". */
static void run(sqlite3 *db, const char *filter, char *out, size_t outlen)
{
	struct hs_filter *f;
	struct hs_error err;
	struct hs_buf sql;
	sqlite3_stmt *st;
	size_t len = 0;
	int rc;

	out[0] = '\0';
	if (hs_filter_compile(filter, &f, &err) < 0) {
		/* a short message is enough for comparing; cut it explicitly */
		int n = snprintf(out, outlen, "ERR %ld: ", err.col);
		if (n > 0 && (size_t)n < outlen)
			hs_strlcpy(out + n, err.msg, outlen - (size_t)n);
		return;
	}
	hs_buf_init(&sql);
	hs_buf_printf(&sql, "SELECT e.n FROM events e WHERE %s ORDER BY e.n", hs_filter_sql(f));
	if (sqlite3_prepare_v2(db, hs_buf_cstr(&sql), -1, &st, NULL) != SQLITE_OK) {
		snprintf(out, outlen, "SQL %s: %s", sqlite3_errmsg(db), hs_buf_cstr(&sql));
	} else {
		rc = hs_filter_bind(f, st);
		if (rc != SQLITE_OK)
			snprintf(out, outlen, "BIND %s", sqlite3_errstr(rc));
		while (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			if (rc != SQLITE_ROW) {
				if (rc != SQLITE_DONE)
					snprintf(out, outlen, "STEP %s", sqlite3_errmsg(db));
				break;
			}
			rc = SQLITE_OK;
			len += (size_t)snprintf(out + len, outlen - len, "%s%d", len ? "," : "",
			                        sqlite3_column_int(st, 0));
		}
		sqlite3_finalize(st);
	}
	hs_buf_free(&sql);
	hs_filter_free(f);
}

static int expect(sqlite3 *db, const char *filter, const char *want)
{
	char got[512];

	run(db, filter, got, sizeof got);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "filter [%s]\n  got  [%s]\n  want [%s]\n", filter, got, want);
		return 0;
	}
	return 1;
}

#define ALL "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"
#define RV0 "1,2,4,5,6,8,11,12,13,15,16"
#define OK RV0

static const struct { const char *filter, *want; } matches[] = {
	/* empty matches all */
	{ "", ALL }, { "   \t", ALL },
	/* numbers, hex, constants, every comparison */
	{ "rv == 0", RV0 }, { "rv = 0", RV0 }, { "rv == CKR_OK", RV0 },
	{ "rv != CKR_OK", "3,7,9,14" },       /* 10 has no rv: not "!= 0" */
	{ "rv == 0xa0", "3" }, { "rv == 0XA0", "3" }, { "rv == 160", "3" },
	{ "rv == CKR_PIN_INCORRECT", "3" }, { "rv == \"CKR_PIN_INCORRECT\"", "3" },
	{ "rv > 0x70", "3,9" }, { "rv >= 0x70", "3,7,9" }, { "rv < 0x12", RV0 },
	{ "rv <= 0x12", "1,2,4,5,6,8,11,12,13,14,15,16" },
	{ "n > 14", "15,16" }, { "n == -1", "" }, { "n > -5", ALL }, { "line == 30", "3" },
	{ "session == 0x10", "8" }, { "session == 16", "8" },
	{ "session != 1", "7,8,9,16" },       /* no session: false */
	{ "session in {2, 3 4}", "7,9,16" }, { "session not in {1, 2}", "8,9,16" },
	{ "pid == 101", "7,8,9,10" }, { "tid == 2", "5,6" }, { "slot == 0", "2,3,4" },
	{ "seq > 50", "11,12" }, { "user_type == CKU_SO", "4,11,12" },
	{ "user_type == CKU_USER", "3,13" }, { "user_type != CKU_SO", "3,13" },
	/* booleans, alone and compared */
	{ "ok", OK }, { "error", "3,7,9,14" }, { "!ok", "3,7,9,10,14" }, { "not ok", "3,7,9,10,14" },
	{ "!!ok", OK }, { "! ! error", "3,7,9,14" }, { "ok == true", OK }, { "ok == 1", OK },
	{ "ok == false", "3,7,9,14" }, { "ok != 1", "3,7,9,14" }, { "error == 0", OK },
	{ "incomplete", "10" }, { "!incomplete", "1,2,3,4,5,6,7,8,9,11,12,13,14,15,16" },
	{ "error && !incomplete", "3,7,9,14" }, { "incomplete or error", "3,7,9,10,14" },
	/* several values per event: any matches; negatives mean none does */
	{ "anomaly", "9,12,13" }, { "!anomaly", "1,2,3,4,5,6,7,8,10,11,14,15,16" },
	{ "anomaly == seq_gap", "12,13" }, { "anomaly == \"reboot\"", "13" },
	{ "anomaly != seq_gap", "9" }, { "anomaly ~ \"^seq\"", "12,13" },
	{ "anomaly !~ \"^seq\"", "9" }, { "anomaly contains gap", "12,13" },
	{ "anomaly in {reboot, session_not_open}", "9,13" }, { "anomaly not in {seq_gap}", "9" },
	{ "key == 262152", "5,6,13" }, { "key == 0x40008", "5,6,13" }, { "key != 262152", "7,8" },
	{ "key in {5, 9}", "7,8" }, { "key > 7", "5,6,8,13" }, { "peer == 4", "15" },
	{ "peer == 15 || peer == 5", "4,6" }, { "login == 1", "4,5,6,14,15" },
	{ "login == 2", "11,12" }, { "login != 1", "11,12" }, { "span == 1", "5,6" },
	{ "session_id == 1", "2,3,4,5,6,14,15" },
	/* objects by label, CKA_ID or handle, as they were at the event */
	{ "object == \"sign-key\"", "5,6" }, { "object == 262152", "5,6,13" },
	{ "object == 0x40008", "5,6,13" }, { "object ~ \"^sign\"", "5,6" }, { "object == \"01\"", "5,6" },
	{ "object == old", "" }, { "object == 5", "7" }, { "object != \"sign-key\"", "7,8,13" },
	{ "object contains key", "5,6" }, { "object in {old, 9}", "8" },
	/* precedence: not > and > or; parentheses */
	{ "rv == CKR_PIN_INCORRECT || rv == 0x70 && session == 2", "3,7" },
	{ "rv == CKR_PIN_INCORRECT || rv == 0x70 && session == 1", "3" },
	{ "(rv == CKR_PIN_INCORRECT || rv == 0x70) && session == 2", "7" },
	{ "rv == 0x70 && session == 2 || rv == 0xa0", "3,7" },
	{ "!rv == 0 && session == 1", "3,14" },
	{ "!(rv == 0 && session == 1)", "1,3,7,8,9,10,11,12,13,14,16" },
	{ "not (session == 1)", "1,7,8,9,10,11,12,13,16" }, /* ! is a true complement */
	{ "ok and session == 1 or rv == 0xb3", "2,4,5,6,9,15" },
	{ "ok && (session == 2 || session == 3)", "" },
	{ "((((ok))))", OK },
	/* durations: units, bare number = ms, fractions */
	{ "dur > 1.5ms", "3,4,6,8" }, { "dur >= 1.5ms", "3,4,6,8,16" }, { "dur == 1500us", "16" },
	{ "dur == 1500\xC2\xB5s", "16" }, { "dur > 2", "3,4,6,8" }, { "dur >= 2s", "6,8" },
	{ "dur > 1m", "8" }, { "dur < 100us", "1,7,9" }, { "dur == 0.05ms", "1" },
	{ "dur <= 1.2", "1,2,5,7,9,14,15" }, { "dur > -1ms", "1,2,3,4,5,6,7,8,9,14,15,16" },
	{ "dur in {50us, 2s}", "1,6" }, { "dur == \"2s\"", "6" },
	/* times: civil time read as UTC, optional fraction */
	{ "ts > \"" T0 "0\"", "2,3,4,5,6,7,8,9,10,11,12,13,14,15,16" },
	{ "ts >= \"" T0 "4.5\"", "6,7,8,9,10,11,12,13,14,15,16" },
	{ "ts < \"" T0 "4.500001\"", "1,2,3,4,5,6" },
	{ "ts == \"2026-11-22T11:23:13Z\"", "4" }, { "ts < \"2026-11-22\"", "" },
	{ "ts >= \"" T0 "9\" && ts < \"2026-11-22 11:23:20\"", "14,15,16" },
	{ "ts > \"2026-11-22 11:23\"", ALL },
	/* strings: bare words, quotes, escapes */
	{ "func == C_Login", "3,4" }, { "func == \"C_Login\"", "3,4" }, { "opcode == CN_LOGIN", "11" },
	{ "func != C_Login", "1,2,5,6,7,8,9,10,11,12,13,14,15,16" },
	{ "func in {C_Login, C_Logout}", "3,4,15" }, { "func == \"C_\\x4cogin\"", "3,4" },
	{ "user == admin", "11,12" }, { "user != admin", "13" }, { "user == \"O'Brien\"", "13" },
	{ "user == \"O\\x27Brien\"", "13" }, { "hsm == \"HSM-1\"", "11,12" },
	{ "hsm > \"HSM-1\"", "13" }, { "format == cloudhsm", "11,12,13" },
	{ "file == \"/logs/audit-HSM.log\"", "11,12,13" },
	{ "file ~ \"softhsm\"", "1,2,3,4,5,6,7,8,9,10,14,15,16" },
	{ "rv_name contains \"PIN\"", "3" }, { "func contains Sign", "5,6,7" },
	{ "func contains sign", "" },         /* contains is case-sensitive */
	{ "text contains \"****\"", "3,4" }, { "text contains \"\\n[in]\"", "3,4" },
	{ "summary contains \"C:\\\\temp; x\"", "16" }, { "text contains \"\\\"quoted\\\"\"", "16" },
	{ "text contains \"'); DROP TABLE events; --\"", "13" },
	/* ~ and !~: PCRE2, case-sensitive in expressions, anchors */
	{ "func ~ \"^C_Sign\"", "5,6,7" }, { "func ~ \"Sign$\"", "6" },
	{ "func ~ \"^C_Log(in|out)$\"", "3,4,15" }, { "func ~ C_Log", "3,4,15" },
	{ "func !~ \"^C_\"", "11,12,13" }, { "func ~ \"^c_sign\"", "" },
	{ "func ~ \"(?i)^c_sign\"", "5,6,7" }, { "hsm ~ \"^HSM-[12]$\"", "11,12,13" },
	{ "user !~ \"^a\"", "13" },           /* no user: not a match of !~ either */
	{ "summary ~ \"\\bCKM_SHA256\"", "5" }, { "text ~ \"\\d{6}\"", "5,13" },
	/* UTF-8 in patterns and subjects; invalid UTF-8 in a subject */
	{ "text ~ \"Schl\xC3\xBCssel\"", "6" }, { "text ~ \"(?i)schl\xC3\x9Cssel\"", "6" },
	{ "text ~ \"^label: Schl.ssel\"", "" }, /* ^ is the start of the text... */
	{ "text ~ \"(?m)^label: Schl.ssel\"", "6" }, /* ...or of a line with (?m) */
	{ "text ~ \"na\xC3\xAFve\"", "14" }, { "text ~ \"raw . label\"", "" },
	/* bare regex over the text, smart case */
	{ "C_Login", "3,4" }, { "c_login", "3,4" }, { "CKR_PIN", "3" }, { "pin", "3,4" },
	{ "  C_Login  ", "3,4" }, { "^C_Log", "3,4,15" }, { "\\bC_Sign\\b", "6" },
	{ "\\bc_sign\\b", "6" }, { "found 3$", "8" }, { "C_Sign|C_Verify", "5,6,7" },
	{ "session", "2,9" }, { "Session", "2,9" }, { "Error", "" }, { "logged in", "" },
	{ "ok &&", "" }, { "rv in 1", "" }, { "seq_gap", "" }, { "schl\xC3\xBCssel", "6" },
	{ "SCHL\xC3\x9CSSEL", "" }, { "\xC3\x84\xC3\x96\xC3\x9C", "6" }, /* ÄÖÜ: uppercase */
	{ "\xC3\xA4\xC3\xB6\xC3\xBC", "6" }, { "label", "6,14" }, { "raw", "14" },
	{ "\\Sign", "5,6,7" }, { "(?i)LABEL", "6,14" },
	/* hostile text is data: as bare regex, as literal in every quoting */
	{ "\"; DROP TABLE events; --", "" },
	{ "rv_name == \"'); DROP TABLE events; --\"", "" },
	{ "user contains \"';\"", "" }, { "user contains \"'\"", "13" },
	{ "rv_name == \"x\\\" OR 1=1 --\"", "" }, { "summary == \":f1\"", "" }, { "user == \"?\"", "" },
	{ "text ~ \"'\\\\); DROP TABLE events; --\"", "13" },
	{ "text ~ \"\\Q'); DROP TABLE events; --\\E\"", "13" },
};

static const struct { const char *filter; long col; const char *msg; } errors[] = {
	{ "rv ==", 4, "expected a value after '==', found end of input" },
	{ "fucn == C_Sign", 1, "unknown field 'fucn' (did you mean 'func'?)" },
	{ "sesion == 1", 1, "unknown field 'sesion' (did you mean 'session'?)" },
	{ "bogus == 1", 1, "unknown field 'bogus'" },
	{ "rv == CKR_FOO", 7, "'CKR_FOO' is not a known constant" },
	{ "rv == CKR_PIN_INCORECT", 7,
	  "'CKR_PIN_INCORECT' is not a known constant (did you mean 'CKR_PIN_INCORRECT'?)" },
	{ "session == abc", 12, "'abc' is not a number or a known constant" },
	{ "rv == \"12x\"", 7, "'12x' is not a number" },
	{ "func == \"abc", 9, "unterminated string" },
	{ "func == \"abc\\", 9, "unterminated string" },
	{ "(rv == 0", 1, "expected ')' to close this '(', found end of input" },
	{ "(rv == 0 ok)", 10, "expected ')', found 'ok'" },
	{ "rv == 0 ok", 9, "expected '&&' or '||', found 'ok'" },
	{ "rv == 0)", 8, "unmatched ')'" },
	{ "== 5", 1, "expected a field, found '=='" },
	{ "rv == 0 &&", 9, "expected a field after '&&', found end of input" },
	{ "rv == 0 || (", 12, "expected a field after '(', found end of input" },
	{ "session 5 == 1", 9, "expected an operator after 'session', found '5'" },
	{ "rv == 1 && session", 12, "expected an operator after 'session', found end of input" },
	{ "rv == 1.5", 7, "'1.5' is not a whole number" },
	{ "rv == 99999999999999999999", 7, "'99999999999999999999' does not fit in 64 bits" },
	{ "rv == 5ms", 7, "'5ms' is a duration, but 'rv' is a number" },
	{ "rv ~ \"x\"", 4, "'~' needs a text field, but 'rv' is a number" },
	{ "dur contains 5", 5, "'contains' needs a text field, but 'dur' is a duration" },
	{ "ok < 1", 4, "'<' does not apply to the boolean field 'ok'" },
	{ "ok not in {1}", 4, "'not in' does not apply to the boolean field 'ok'" },
	{ "ok == maybe", 7, "expected true, false, 1 or 0 for 'ok', found 'maybe'" },
	{ "dur > fast", 7, "'fast' is not a duration (like 5ms, 1.5s, 300us)" },
	{ "dur > 0x10", 7, "'0x10' is not a duration (like 5ms, 1.5s, 300us)" },
	{ "dur > 5parsecs", 7, "not a number or a duration (units: us, ms, s, m, h)" },
	{ "ts > \"yesterday\"", 6,
	  "expected a time like \"2026-11-22 11:23:10.5\" for 'ts', found '\"yesterday\"'" },
	{ "ts > \"2026-02-29\"", 6,
	  "expected a time like \"2026-11-22 11:23:10.5\" for 'ts', found '\"2026-02-29\"'" },
	{ "ts > 5", 6, "expected a time like \"2026-11-22 11:23:10.5\" for 'ts', found '5'" },
	{ "func ~ \"(unclosed\"", 18, "invalid regex: missing closing parenthesis" },
	{ "func ~ \"\\t[\"", 12, "invalid regex: missing terminating ] for character class" },
	{ "text !~ \"a{2,1}\"", 15, "invalid regex: numbers out of order in {} quantifier" },
	{ "foo(", 5, "invalid regex: missing closing parenthesis" },
	{ "   foo(", 8, "invalid regex: missing closing parenthesis" },
	{ "C_Sign[", 8, "invalid regex: missing terminating ] for character class" },
	{ "'); DROP TABLE events; --", 2, "invalid regex: unmatched closing parenthesis" },
	{ "x'); DELETE FROM events; --", 3, "invalid regex: unmatched closing parenthesis" },
	{ "rv == 0 & ok", 9, "unexpected '&' (did you mean '&&'?)" },
	{ "func == C_Sign.*", 15, "unexpected character '.'" },
	{ "rv in {", 7, "expected a value after '{', found end of input" },
	{ "rv in {}", 8, "expected a value after '{', found '}'" },
	{ "rv in {1, 2", 11, "expected ',' or '}' after '2', found end of input" },
	{ "rv in {1, 2 == 3}", 13, "expected ',' or '}' after '2', found '=='" },
	{ "rv in 1 || ok == 1", 7, "expected '{' after 'in', found '1'" },
	{ "key in {1} && key not 5", 19, "expected an operator after 'key', found 'not'" },
	{ "user == \"a\\x0\"", 11, "\\x needs two hex digits" },
	{ "user == \"a\\x00\"", 11, "\\x00 is not allowed in a string" },
	{ "hsm == HSM-1", 11, "expected '&&' or '||', found '-1'" },
	{ "rv == CKM_SHA256_RSA_PKCS", 7, "'CKM_SHA256_RSA_PKCS' is not a CKR_* constant, which 'rv' needs" },
	{ "user_type == CKR_OK || rv == CKU_SO", 30, "'CKU_SO' is not a CKR_* constant, which 'rv' needs" },
	{ "rv == \xE2\x82\xAC", 7, "unexpected character '\xE2\x82\xAC'" },
	{ "user == 0x", 9, "not a number or a duration (units: us, ms, s, m, h)" },
};

static void test_matches(sqlite3 *db)
{
	for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++)
		CHECK(expect(db, matches[i].filter, matches[i].want));
}

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		struct hs_filter *f = (struct hs_filter *)&f;
		struct hs_error err;
		int rc = hs_filter_compile(errors[i].filter, &f, &err);

		if (rc != -1 || f || err.col != errors[i].col || strcmp(err.msg, errors[i].msg) != 0 ||
		    strcmp(err.file, "filter") != 0 || err.line != 1)
			fprintf(stderr, "error case [%s]\n  got  %d %ld [%s]\n  want -1 %ld [%s]\n",
			        errors[i].filter, rc, err.col, err.msg, errors[i].col, errors[i].msg);
		CHECK(rc == -1 && f == NULL);
		CHECK(err.col == errors[i].col);
		CHECK(strcmp(err.msg, errors[i].msg) == 0);
		CHECK(strcmp(err.file, "filter") == 0 && err.line == 1);
		hs_filter_free(f);
	}
}

static void test_caret(void)
{
	struct hs_filter *f;
	struct hs_error err;
	struct hs_buf b;

	hs_buf_init(&b);
	CHECK(hs_filter_compile("rv ==", &f, &err) == -1);
	hs_filter_error_caret("rv ==", &err, &b);
	CHECK(strcmp(hs_buf_cstr(&b),
	             "filter:1:4: expected a value after '==', found end of input\n"
	             "  rv ==\n"
	             "     ^\n") == 0);
	/* the caret counts characters, not bytes; control bytes are escaped */
	hs_buf_clear(&b);
	CHECK(hs_filter_compile("user == \"\xC3\xA9\" &&\tfucn == 1", &f, &err) == -1);
	hs_filter_error_caret("user == \"\xC3\xA9\" &&\tfucn == 1", &err, &b);
	CHECK(strcmp(hs_buf_cstr(&b),
	             "filter:1:17: unknown field 'fucn' (did you mean 'func'?)\n"
	             "  user == \"\xC3\xA9\" &&\\tfucn == 1\n"
	             "                  ^\n"
	             "  hint: to search the event text for it, write text ~ \"...\"\n") == 0);
	if (strstr(hs_buf_cstr(&b), "hint") == NULL)
		fprintf(stderr, "%s", hs_buf_cstr(&b));
	/* a value glued to other characters: the hint says to quote it */
	CHECK(hs_filter_compile("hsm == HSM-1 && ok", &f, &err) == -1);
	CHECK(strcmp(err.hint, "quote a value that holds other characters: \"HSM-1\"") == 0);
	CHECK(hs_filter_compile("func == C_Sign.* || ok", &f, &err) == -1);
	CHECK(strcmp(err.hint, "quote a value that holds other characters: \"C_Sign.*\"") == 0);
	CHECK(hs_filter_compile("rv == 0 ok", &f, &err) == -1);
	CHECK(err.hint[0] == '\0');
	/* a bare regex error says the text was read as a regex */
	hs_buf_clear(&b);
	CHECK(hs_filter_compile("C_Sign(", &f, &err) == -1);
	CHECK(strstr(err.hint, "regex") != NULL);
	hs_buf_free(&b);
}

static void test_api(sqlite3 *db)
{
	struct hs_filter *f;
	struct hs_error err;
	sqlite3_stmt *st;
	const char *name, *help;
	int i, seen_func = 0, seen_anomaly = 0;

	CHECK(hs_filter_compile(NULL, &f, &err) == 0);
	CHECK(strcmp(hs_filter_sql(f), "1") == 0);
	hs_filter_free(f);
	CHECK(hs_filter_compile("  ", &f, &err) == 0);
	CHECK(strcmp(hs_filter_sql(f), "1") == 0 && !hs_filter_is_regex(f));
	CHECK(strcmp(hs_filter_text(f), "  ") == 0);
	hs_filter_free(f);
	CHECK(hs_filter_compile("C_Login", &f, &err) == 0 && hs_filter_is_regex(f));
	hs_filter_free(f);
	CHECK(hs_filter_compile("error", &f, &err) == 0 && !hs_filter_is_regex(f));
	hs_filter_free(f);
	CHECK(hs_filter_compile("rv == 0", &f, &err) == 0 && !hs_filter_is_regex(f));
	/* the literal is a parameter; the column is compared bare (indexable) */
	CHECK(strstr(hs_filter_sql(f), "e.rv = :f1") != NULL);
	/* binding into a statement that lacks the filter's SQL is an error */
	CHECK(sqlite3_prepare_v2(db, "SELECT 1", -1, &st, NULL) == SQLITE_OK);
	CHECK(hs_filter_bind(f, st) == SQLITE_RANGE);
	sqlite3_finalize(st);
	hs_filter_free(f);

	/* SQLite uses an index for a numeric comparison */
	CHECK(sqlite3_exec(db, "CREATE INDEX events_session ON event_rows(session)", NULL, NULL, NULL) ==
	      SQLITE_OK);
	CHECK(hs_filter_compile("session == 0x10", &f, &err) == 0);
	{
		struct hs_buf q;
		int used = 0;
		hs_buf_init(&q);
		hs_buf_printf(&q, "EXPLAIN QUERY PLAN SELECT e.n FROM events e WHERE %s",
		              hs_filter_sql(f));
		CHECK(sqlite3_prepare_v2(db, hs_buf_cstr(&q), -1, &st, NULL) == SQLITE_OK);
		CHECK(hs_filter_bind(f, st) == SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW)
			used |= strstr((const char *)sqlite3_column_text(st, 3), "events_session") != NULL;
		CHECK(used);
		sqlite3_finalize(st);
		hs_buf_free(&q);
	}
	hs_filter_free(f);
	CHECK(sqlite3_exec(db, "DROP INDEX events_session", NULL, NULL, NULL) == SQLITE_OK);

	for (i = 0; (name = hs_filter_field_name(i, &help)) != NULL; i++) {
		CHECK(help != NULL && help[0] != '\0');
		seen_func |= strcmp(name, "func") == 0;
		seen_anomaly |= strcmp(name, "anomaly") == 0;
	}
	CHECK(i >= 29 && seen_func && seen_anomaly);
	CHECK(hs_filter_field_name(-1, NULL) == NULL);

	/* nesting and length are bounded, and whatever compiles also runs */
	{
		static const char *const shapes[][3] = {  /* prefix, leaf, suffix */
			{ "!(", "key not in {1, 2}", ")" },
			{ "ok && !(", "key not in {1, 2}", ")" },
			{ "key != 5 || !(anomaly && ", "anomaly !~ \"x\" && key not in {1,2}", ")" },
			{ "!(!(ok) && ", "user !~ \"x\"", ")" },
			{ "!(ok && (", "file !~ \"x\" || key not in {1,2,3}", "))" },
			{ "!(!(", "anomaly !~ \"x\"", ") && rv == 0)" },
			{ "(rv == 0 && (", "ok", ") || ok)" },
		};
		struct hs_buf t;
		char got[512];

		hs_buf_init(&t);
		for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
			for (int k = 1; k <= 30; k++) {
				hs_buf_clear(&t);
				for (i = 0; i < k; i++)
					hs_buf_adds(&t, shapes[s][0]);
				hs_buf_adds(&t, shapes[s][1]);
				for (i = 0; i < k; i++)
					hs_buf_adds(&t, shapes[s][2]);
				run(db, hs_buf_cstr(&t), got, sizeof got);
				if (strncmp(got, "ERR", 3) == 0) {
					CHECK(strstr(got, "too deeply nested") != NULL);
					break;
				}
				if (strspn(got, "0123456789,") != strlen(got))
					fprintf(stderr, "shape %zu depth %d: %.200s\n", s, k, got);
				CHECK(strspn(got, "0123456789,") == strlen(got));
			}
		hs_buf_clear(&t);
		for (i = 0; i < 25; i++)
			hs_buf_addc(&t, '(');
		hs_buf_adds(&t, "ok==1");
		for (i = 0; i < 25; i++)
			hs_buf_addc(&t, ')');
		CHECK(hs_filter_compile(hs_buf_cstr(&t), &f, &err) == -1);
		CHECK(strncmp(err.msg, "too deeply nested", 17) == 0 && err.col == 25);
		t.data[t.len - 1] = '\0';
		run(db, hs_buf_cstr(&t) + 1, got, sizeof got);    /* 24 deep runs */
		CHECK(strcmp(got, OK) == 0);
		hs_buf_clear(&t);
		for (i = 0; i < 25; i++)
			hs_buf_addc(&t, '!');
		hs_buf_adds(&t, "ok == 1");
		CHECK(hs_filter_compile(hs_buf_cstr(&t), &f, &err) == -1);
		CHECK(strncmp(err.msg, "too deeply nested", 17) == 0);
		run(db, hs_buf_cstr(&t) + 1, got, sizeof got);    /* 24 !: even, so ok */
		CHECK(strcmp(got, OK) == 0);
		/* without an operator too: past the limit it is an error at the
		 * 25th '!', never the text run as a regex (issue 14) */
		hs_buf_clear(&t);
		for (i = 0; i < 25; i++)
			hs_buf_addc(&t, '!');
		hs_buf_adds(&t, "ok");
		f = NULL;
		CHECK(hs_filter_compile(hs_buf_cstr(&t), &f, &err) == -1 && f == NULL);
		CHECK(strncmp(err.msg, "too deeply nested", 17) == 0 && err.col == 25);
		hs_buf_clear(&t);
		for (i = 0; i < 30; i++)
			hs_buf_addc(&t, '(');
		hs_buf_adds(&t, "ok");
		CHECK(hs_filter_compile(hs_buf_cstr(&t), &f, &err) == -1 && err.col == 25);
		hs_buf_clear(&t);
		for (i = 0; i < 200; i++)
			hs_buf_printf(&t, "%sn == %d", i ? " || " : "", i);
		run(db, hs_buf_cstr(&t), got, sizeof got);       /* the longest chain runs */
		if (strcmp(got, ALL) != 0)
			fprintf(stderr, "long: %.200s\n", got);
		CHECK(strcmp(got, ALL) == 0);
		hs_buf_adds(&t, " || n == 200");
		CHECK(hs_filter_compile(hs_buf_cstr(&t), &f, &err) == -1);
		CHECK(strcmp(err.msg, "the filter has too many tests (at most 200)") == 0);
		hs_buf_free(&t);
	}
}

static int count_events(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every field, every operator, every hostile payload, as a literal and a
 * regex: each either fails to compile or runs cleanly, and the SQL text
 * never holds the payload. Then the table must still hold all 16 rows. */
static void test_injection(sqlite3 *db)
{
	static const char *const payloads[] = {
		"'); DROP TABLE events; --",
		"\\\"; DELETE FROM events; --",       /* an escaped quote in the string */
		"1; DROP TABLE events",
		"1) OR 1=1 --",
		"' OR '1'='1",
		":f1",
		"?1; DELETE FROM events",
		"%s%n%x",
		"\\x27\\x3b DROP TABLE events",
	};
	static const char *const ops[] = { "==", "!=", "<", "contains", "~", "!~", "in" };
	const char *name;
	char text[512], got[512];
	int compiled = 0, ran = 0;

	for (int i = 0; (name = hs_filter_field_name(i, NULL)) != NULL; i++)
		for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
			for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++) {
				struct hs_filter *f;
				struct hs_error err;

				if (strcmp(ops[o], "in") == 0)
					snprintf(text, sizeof text, "%s in {\"%s\", 1}", name, payloads[p]);
				else
					snprintf(text, sizeof text, "%s %s \"%s\"", name, ops[o], payloads[p]);
				if (hs_filter_compile(text, &f, &err) == 0) {
					compiled++;
					CHECK(strstr(hs_filter_sql(f), "DROP") == NULL);
					CHECK(strstr(hs_filter_sql(f), "DELETE") == NULL);
					CHECK(strstr(hs_filter_sql(f), "'") == NULL);
					hs_filter_free(f);
					run(db, text, got, sizeof got);
					/* a result list or nothing; never an SQL error */
					if (strspn(got, "0123456789,") != strlen(got))
						fprintf(stderr, "[%s] -> [%s]\n", text, got);
					CHECK(strspn(got, "0123456789,") == strlen(got));
					ran++;
				} else {
					CHECK(err.col > 0 && err.msg[0]);
				}
			}
	CHECK(compiled > 100 && ran == compiled);
	/* the same payloads as bare text */
	for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++) {
		run(db, payloads[p], got, sizeof got);
		CHECK(strncmp(got, "SQL", 3) != 0 && strncmp(got, "STEP", 4) != 0);
	}
	CHECK(count_events(db) == NROWS);
	CHECK(expect(db, "", ALL));
}

/* `:` in the explorer: the ts field's forms, a time of day on the date of
 * the reference, a signed duration from it. */
static void test_parse_time(void)
{
	int64_t ref = hs_civil_to_us(2026, 11, 22, 11, 23, 10, 500000), us = 0;

	CHECK(hs_filter_parse_time("2026-11-22 11:23:10.5", HS_NONE, &us) == 0 && us == ref);
	CHECK(hs_filter_parse_time(" 2026-11-22T11:23:10.5Z ", HS_NONE, &us) == 0 && us == ref);
	CHECK(hs_filter_parse_time("2026-11-22", HS_NONE, &us) == 0 &&
	      us == hs_civil_to_us(2026, 11, 22, 0, 0, 0, 0));
	CHECK(hs_filter_parse_time("09:00", ref, &us) == 0 && us == hs_civil_to_us(2026, 11, 22, 9, 0, 0, 0));
	CHECK(hs_filter_parse_time("23:59:59.25", ref, &us) == 0 &&
	      us == hs_civil_to_us(2026, 11, 22, 23, 59, 59, 250000));
	CHECK(hs_filter_parse_time("+1.5s", ref, &us) == 0 && us == ref + 1500000);
	CHECK(hs_filter_parse_time("-200ms", ref, &us) == 0 && us == ref - 200000);
	CHECK(hs_filter_parse_time("+30", ref, &us) == 0 && us == ref + 30000); /* bare: ms */
	CHECK(hs_filter_parse_time("+1m", ref, &us) == 0 && us == ref + 60000000);
	CHECK(hs_filter_parse_time("09:00", HS_NONE, &us) == -1);
	CHECK(hs_filter_parse_time("+1s", HS_NONE, &us) == -1);
	CHECK(hs_filter_parse_time("25:00", ref, &us) == -1);
	CHECK(hs_filter_parse_time("+1.5 parsecs", ref, &us) == -1);
	CHECK(hs_filter_parse_time("soon", ref, &us) == -1);
	CHECK(hs_filter_parse_time("", ref, &us) == -1);
	CHECK(hs_filter_parse_time("2026-02-30", ref, &us) == -1);
}

int main(void)
{
	sqlite3 *db = make_db();

	CHECK(db != NULL);
	if (!db)
		TEST_END();
	CHECK(count_events(db) == NROWS);
	test_matches(db);
	test_errors();
	test_caret();
	test_api(db);
	test_injection(db);
	test_parse_time();
	sqlite3_close(db);
	TEST_END();
}
