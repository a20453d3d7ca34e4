/* test_correlate.c — correlation, through the real pipeline and index: each
 * fixture of test/fixtures/correlate/ (paths relative to the repository
 * root) is indexed into a scratch directory with hs_index_open(), and the
 * correlation tables, the events' session/login/span ids and the lifecycle
 * tree are checked with SQL and the public API.
 *
 * Fixtures (one rule each, spy logs in the OpenSC >= 0.24 style so threads
 * are named): handle-reuse (session and object handles reused in one
 * process), threads (three threads, three sessions, interleaved
 * operations), killed (a process dies inside C_SignUpdate), two-procs (two
 * processes at once with equal handles), anomalies (one of each call-trace
 * anomaly), logins (explicit, implicit, close-all, finalize, failed,
 * context-specific), ops (length query, CKR_BUFFER_TOO_SMALL, errors that
 * end operations, dual-function updates, message API, C_SessionCancel,
 * object creation by copy/unwrap/derive), cut (a log starting mid-process),
 * and audit-a/-b (two CloudHSM streams: gaps, reboots, logins, attribution,
 * keys, sync). Generated at run time: many sessions with reused handles.
 * The incremental refresh is test_correlate_refresh.c's; the helpers both
 * use are corrtest.h.
 */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsmscope/correlate.h"
#include "hsmscope/export.h"
#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/lifecycle.h"
#include "hsmscope/query.h"

#include "corrtest.h"

/* --------------------------------------------------------------- rules */

static void test_handle_reuse(void)
{
	struct hs_index *ix = open_fx("handle-reuse.log");
	char b[64];
	int64_t gen, del;

	CHECK(ix != NULL);
	if (!ix)
		return;
	/* one process, two sessions with the same handle, kept apart */
	CHECK(q1(ix, "SELECT count(*) FROM sessions WHERE handle = 1") == 2);
	CHECK(q1(ix, "SELECT count(DISTINCT session_id) FROM events WHERE session = 1") == 2);
	CHECK(q1(ix, "SELECT session_id FROM events WHERE func = 'C_Encrypt'") !=
	      q1(ix, "SELECT session_id FROM events WHERE func = 'C_SignInit'"));
	CHECK(linked(ix, nth(ix, "C_OpenSession", 0), nth(ix, "C_CloseSession", 0), "session"));
	CHECK(linked(ix, nth(ix, "C_OpenSession", 1), nth(ix, "C_CloseSession", 1), "session"));
	CHECK(q1(ix, "SELECT count(*) FROM sessions WHERE state = 'closed'") == 2);
	/* the object handle 0x2 is reused after C_DestroyObject: two lives */
	gen = nth(ix, "C_GenerateKey", 0);
	del = nth(ix, "C_DestroyObject", 0);
	CHECK(q1(ix, "SELECT count(*) FROM objects WHERE handle = 2") == 2);
	CHECK(q1(ix, "SELECT destroyed_n FROM objects WHERE created_n = %lld", (long long)gen) == del);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT label FROM objects WHERE created_n = %lld",
	                (long long)gen), "aes-one") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT obj_id FROM objects WHERE created_n = %lld",
	                (long long)gen), "01") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT class FROM objects WHERE created_n = %lld",
	                (long long)gen), "CKO_SECRET_KEY") == 0);
	CHECK(q1(ix, "SELECT token FROM objects WHERE created_n = %lld", (long long)gen) == 1);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT label FROM objects WHERE created_n = %lld",
	                (long long)nth(ix, "C_CreateObject", 0)), "data-two") == 0);
	CHECK(linked(ix, gen, del, "object"));
	/* the encryption span: Init .. single-part call */
	CHECK(linked(ix, nth(ix, "C_EncryptInit", 0), nth(ix, "C_Encrypt", 0), "span"));
	/* a failed Init is a span of its own, with no partner */
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM spans WHERE init_n = %lld",
	                (long long)nth(ix, "C_SignInit", 0)), "init_failed") == 0);
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 0);
	hs_index_close(ix);
}

static void test_threads(void)
{
	struct hs_index *ix = open_fx("threads.log");
	int64_t s2, s3, login;

	CHECK(ix != NULL);
	if (!ix)
		return;
	CHECK(q1(ix, "SELECT count(*) FROM sessions") == 3);
	s2 = q1(ix, "SELECT id FROM sessions WHERE handle = 2");
	s3 = q1(ix, "SELECT id FROM sessions WHERE handle = 3");
	/* thread 2: one multi-part signature; thread 3: two single-part ones */
	CHECK(q1(ix, "SELECT count(DISTINCT span_id) FROM events WHERE session_id = %lld"
	             " AND func LIKE 'C_Sign%%'", (long long)s2) == 1);
	CHECK(q1(ix, "SELECT count(*) FROM events WHERE session_id = %lld AND func LIKE 'C_Sign%%'"
	             " AND span_id IS NULL", (long long)s2) == 0);
	CHECK(q1(ix, "SELECT calls FROM spans WHERE session_id = %lld", (long long)s2) == 4);
	CHECK(q1(ix, "SELECT count(*) FROM spans WHERE session_id = %lld AND state = 'done'",
	         (long long)s3) == 2);
	CHECK(q1(ix, "SELECT func FROM events WHERE n = (SELECT end_n FROM spans WHERE session_id = %lld)"
	             " AND func = 'C_SignFinal'", (long long)s2) != -999 ||
	      q1(ix, "SELECT count(*) FROM events e JOIN spans s ON e.n = s.end_n WHERE s.session_id = %lld"
	             " AND e.func = 'C_SignFinal'", (long long)s2) == 1);
	/* the login of the first thread covers the other threads' sessions */
	login = q1(ix, "SELECT login_id FROM events WHERE func = 'C_Login'");
	CHECK(login > 0);
	CHECK(q1(ix, "SELECT count(*) FROM events WHERE session_id IN (%lld, %lld)"
	             " AND login_id IS NOT %lld", (long long)s2, (long long)s3, (long long)login) == 0);
	CHECK(linked(ix, nth(ix, "C_Login", 0), nth(ix, "C_Logout", 0), "login"));
	CHECK(q1(ix, "SELECT login_id FROM events WHERE func = 'C_Finalize'") == -999);
	/* the key found by C_FindObjects is used by the three C_SignInit calls */
	CHECK(q1(ix, "SELECT found_n FROM objects WHERE handle = 7") == nth(ix, "C_FindObjects", 0));
	CHECK(q1(ix, "SELECT uses FROM objects WHERE handle = 7") == 3);
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 0);
	hs_index_close(ix);
}

static void test_killed(void)
{
	struct hs_index *ix = open_fx("killed.log");
	char b[64];
	int64_t upd;

	CHECK(ix != NULL);
	if (!ix)
		return;
	/* the process that finished first is clean */
	CHECK(q1(ix, "SELECT count(*) FROM anomalies a JOIN events e USING (n) WHERE e.pid = 3004") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM processes WHERE pid = 3004"),
	             "finalized") == 0);
	/* the killed one: its last call never returned, and nothing ended */
	upd = nth(ix, "C_SignUpdate", 1);
	CHECK(q1(ix, "SELECT incomplete FROM events WHERE n = %lld", (long long)upd) == 1);
	CHECK(has_anomaly(ix, upd, "never_returned"));
	CHECK(has_anomaly(ix, nth(ix, "C_SignInit", 0), "init_unfinished"));
	CHECK(has_anomaly(ix, nth(ix, "C_OpenSession", 1), "session_leaked"));
	CHECK(has_anomaly(ix, nth(ix, "C_Login", 0), "login_unended"));
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 4);
	CHECK(q1(ix, "SELECT count(*) FROM anomalies WHERE at_end") == 3);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM processes WHERE pid = 3003"),
	             "running") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM spans WHERE kind = 'Sign'"),
	             "unfinished") == 0);
	CHECK(q1(ix, "SELECT calls FROM spans WHERE kind = 'Sign'") == 3);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM logins"), "open") == 0);
	CHECK(q1(ix, "SELECT logout_n FROM logins") == -999);
	hs_index_close(ix);
}

static void test_two_procs(void)
{
	struct hs_index *ix = open_fx("two-procs.log");
	int64_t gen, sign;
	char b[64];

	CHECK(ix != NULL);
	if (!ix)
		return;
	CHECK(q1(ix, "SELECT count(*) FROM processes") == 2);
	CHECK(q1(ix, "SELECT count(*) FROM sessions WHERE handle = 1") == 2);
	CHECK(q1(ix, "SELECT count(DISTINCT process_id) FROM sessions") == 2);
	/* every session's events come from its own process */
	CHECK(q1(ix, "SELECT count(*) FROM sessions s WHERE (SELECT count(DISTINCT e.pid) FROM events e"
	             " WHERE e.session_id = s.id) != 1") == 0);
	CHECK(q1(ix, "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id"
	             " WHERE s.instance != e.instance") == 0);
	/* the key pair's private handle, created by C_GenerateKeyPair, used by C_SignInit */
	gen = nth(ix, "C_GenerateKeyPair", 0);
	sign = nth(ix, "C_SignInit", 0);
	CHECK(q1(ix, "SELECT handle FROM objects WHERE created_n = %lld AND class = 'CKO_PRIVATE_KEY'",
	         (long long)gen) == 3);
	CHECK(q1(ix, "SELECT handle FROM event_keys WHERE n = %lld AND role = 'hKey'", (long long)sign) == 3);
	CHECK(q1(ix, "SELECT uses FROM objects WHERE created_n = %lld AND handle = 3", (long long)gen) == 1);
	CHECK(q1(ix, "SELECT last_n FROM objects WHERE created_n = %lld AND handle = 3",
	         (long long)gen) == sign);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT label FROM objects WHERE handle = 3"), "pair") == 0);
	/* the other process's handle 0x2 is another object */
	CHECK(q1(ix, "SELECT count(DISTINCT instance) FROM objects WHERE handle = 2") == 2);
	/* a failed C_Verify ends its operation */
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM spans WHERE kind = 'Verify'"), "failed") == 0);
	CHECK(linked(ix, nth(ix, "C_VerifyInit", 0), nth(ix, "C_Verify", 0), "span"));
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 0);
	hs_index_close(ix);
}

static void test_anomalies(void)
{
	struct hs_index *ix = open_fx("anomalies.log");
	const char *kind, *help;
	int i, known = 0;

	CHECK(ix != NULL);
	if (!ix)
		return;
	CHECK(has_anomaly(ix, nth(ix, "C_Sign", 0), "op_without_init"));
	CHECK(has_anomaly(ix, nth(ix, "C_DigestInit", 0), "init_unfinished"));
	CHECK(q1(ix, "SELECT ref FROM anomalies WHERE kind = 'init_unfinished' AND n = %lld",
	         (long long)nth(ix, "C_DigestInit", 0)) == nth(ix, "C_DigestInit", 1));
	CHECK(has_anomaly(ix, nth(ix, "C_EncryptInit", 0), "destroyed_handle"));
	CHECK(q1(ix, "SELECT ref FROM anomalies WHERE kind = 'destroyed_handle' LIMIT 1") ==
	      nth(ix, "C_DestroyObject", 0));
	CHECK(has_anomaly(ix, nth(ix, "C_GetAttributeValue", 0), "unknown_handle"));
	CHECK(has_anomaly(ix, nth(ix, "C_GetSessionInfo", 0), "session_not_open"));
	CHECK(has_anomaly(ix, nth(ix, "C_GetSessionInfo", 1), "session_not_open"));
	CHECK(q1(ix, "SELECT ref FROM anomalies WHERE n = %lld",
	         (long long)nth(ix, "C_GetSessionInfo", 1)) == nth(ix, "C_CloseSession", 0));
	CHECK(has_anomaly(ix, nth(ix, "C_Logout", 1), "logout_without_login"));
	CHECK(!has_anomaly(ix, nth(ix, "C_Logout", 0), "logout_without_login"));
	CHECK(has_anomaly(ix, nth(ix, "C_GetInfo", 0), "call_after_finalize"));
	CHECK(q1(ix, "SELECT ref FROM anomalies WHERE kind = 'call_after_finalize'") ==
	      nth(ix, "C_Finalize", 0));
	/* the second process dies with everything open */
	CHECK(has_anomaly(ix, nth(ix, "C_OpenSession", 2), "session_leaked"));
	CHECK(has_anomaly(ix, nth(ix, "C_Login", 1), "login_unended"));
	CHECK(has_anomaly(ix, nth(ix, "C_DecryptInit", 0), "init_unfinished"));
	/* a successful C_OpenSession whose handle the log lost */
	CHECK(has_anomaly(ix, nth(ix, "C_OpenSession", 3), "handle_missing"));
	/* every kind stored is a documented one */
	for (i = 0; (kind = hs_correlate_anomaly_kind(i, &help)); i++) {
		CHECK(help && *help);
		known += (int)q1(ix, "SELECT count(*) FROM anomalies WHERE kind = '%s'", kind);
	}
	CHECK(i >= 15);
	CHECK(known == q1(ix, "SELECT count(*) FROM anomalies"));
	CHECK(hs_correlate_anomaly_kind(-1, NULL) == NULL);
	/* events carry their kinds when read back */
	{
		struct hs_event e;
		struct hs_error err;
		hs_event_init(&e);
		CHECK(hs_query_event(ix, nth(ix, "C_DecryptInit", 0), &e, &err) == 1);
		CHECK(strstr(e.anomalies, "init_unfinished") != NULL);
		CHECK(strstr(e.anomalies, "unknown_handle") != NULL);
		hs_event_free(&e);
	}
	hs_index_close(ix);
}

static void test_logins(void)
{
	struct hs_index *ix = open_fx("logins.log");
	struct hs_lc_summary s;
	struct hs_error err;
	char b[64];
	int64_t ctx;

	CHECK(ix != NULL);
	if (!ix)
		return;
	CHECK(q1(ix, "SELECT count(*) FROM logins") == 4);
	/* the failed login is an attempt: no span, and no login for its event */
	CHECK(q1(ix, "SELECT login_id FROM events WHERE n = %lld", (long long)nth(ix, "C_Login", 0)) == -999);
	/* explicit logout, on another session of the same slot */
	CHECK(q1(ix, "SELECT logout_n FROM logins WHERE login_n = %lld",
	         (long long)nth(ix, "C_Login", 1)) == nth(ix, "C_Logout", 0));
	CHECK(linked(ix, nth(ix, "C_Login", 1), nth(ix, "C_Logout", 0), "login"));
	/* the SO login ends when the slot's last session closes */
	CHECK(q1(ix, "SELECT logout_n FROM logins WHERE user_type = 0") == nth(ix, "C_CloseSession", 1));
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM logins WHERE user_type = 0"), "implicit") == 0);
	/* C_CloseAllSessions of slot 0x11 ends that slot's login, C_Finalize the other */
	CHECK(q1(ix, "SELECT logout_n FROM logins WHERE slot = 17 AND login_n = %lld",
	         (long long)nth(ix, "C_Login", 3)) == nth(ix, "C_CloseAllSessions", 0));
	CHECK(q1(ix, "SELECT logout_n FROM logins WHERE slot = 34") == nth(ix, "C_Finalize", 0));
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM sessions WHERE handle = 3"), "closed_all") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM sessions WHERE handle = 4"), "finalized") == 0);
	CHECK(linked(ix, nth(ix, "C_OpenSession", 3), nth(ix, "C_Finalize", 0), "session"));
	/* CKU_CONTEXT_SPECIFIC re-authenticates the operation: no new login */
	ctx = nth(ix, "C_Login", 5);
	CHECK(q1(ix, "SELECT user_type FROM events WHERE n = %lld", (long long)ctx) == 2);
	CHECK(q1(ix, "SELECT span_id FROM events WHERE n = %lld", (long long)ctx) ==
	      q1(ix, "SELECT id FROM spans WHERE kind = 'Sign'"));
	CHECK(q1(ix, "SELECT login_id FROM events WHERE n = %lld", (long long)ctx) ==
	      q1(ix, "SELECT login_id FROM events WHERE n = %lld", (long long)nth(ix, "C_Login", 3)));
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 1); /* the unknown key 0x9 */
	CHECK(hs_lc_summary(ix, &s, &err) == 0);
	CHECK(s.logins_ok == 5 && s.logins_failed == 1 && s.login_spans == 4);
	CHECK(s.sessions_opened == 4 && s.sessions_closed == 4 && s.sessions_leaked == 0);
	CHECK(s.nhsms == 0);
	hs_lc_summary_free(&s);
	hs_index_close(ix);
}

/* C_SessionCancel's flags read through the detail reader: ops.log pasted
 * with its flags line as "[in]<TAB>flags:<TAB><TAB>Decrypt " (as long as the
 * original) still cancels the Decrypt operation. */
static void test_cancel_pasted(void)
{
	char path[512], *text, *at;
	const char *p = path;
	struct hs_index *ix = NULL;
	size_t len;

	snprintf(path, sizeof path, "%s/ops-pasted.log", tmp);
	text = slurp(FX "ops.log", &len);
	at = text ? strstr(text, "[in] flags = Decrypt ") : NULL;
	CHECK(at != NULL);
	if (at && (memcpy(at, "[in]\tflags:\t\tDecrypt ", 21), write_file(path, text, len) == 0))
		ix = open_paths(&p, 1, "ops-pasted.db", 1);
	CHECK(ix != NULL);
	if (ix) {
		CHECK(q1(ix, "SELECT end_n FROM spans WHERE kind = 'Decrypt' AND state = 'cancelled'") ==
		      nth(ix, "C_SessionCancel", 0));
		hs_index_close(ix);
	}
	free(text);
}

static void test_ops(void)
{
	struct hs_index *ix = open_fx("ops.log");
	char b[64];
	int64_t dig, enc;

	CHECK(ix != NULL);
	if (!ix)
		return;
	/* a length query and CKR_BUFFER_TOO_SMALL leave the operation active */
	CHECK(q1(ix, "SELECT calls FROM spans WHERE kind = 'Sign'") == 4);
	CHECK(q1(ix, "SELECT end_n FROM spans WHERE kind = 'Sign'") == nth(ix, "C_Sign", 2));
	/* an Update error ends the operation; the Final after it has no Init */
	CHECK(q1(ix, "SELECT end_n FROM spans WHERE kind = 'Encrypt' AND state = 'failed'") ==
	      nth(ix, "C_EncryptUpdate", 0));
	CHECK(has_anomaly(ix, nth(ix, "C_EncryptFinal", 0), "op_without_init"));
	/* a dual-function update belongs to both operations */
	dig = q1(ix, "SELECT id FROM spans WHERE kind = 'Digest'");
	enc = q1(ix, "SELECT id FROM spans WHERE kind = 'Encrypt' AND state = 'done'");
	CHECK(q1(ix, "SELECT span_id FROM events WHERE func = 'C_DigestEncryptUpdate'") == dig);
	CHECK(q1(ix, "SELECT calls FROM spans WHERE id = %lld", (long long)enc) == 2);
	CHECK(q1(ix, "SELECT last_n FROM spans WHERE id = %lld", (long long)enc) ==
	      nth(ix, "C_EncryptFinal", 1));
	CHECK(q1(ix, "SELECT calls FROM spans WHERE id = %lld", (long long)dig) == 3);
	/* message API, C_SessionCancel, failed Init */
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM spans WHERE kind = 'MessageSign'"), "done") == 0);
	CHECK(q1(ix, "SELECT calls FROM spans WHERE kind = 'MessageSign'") == 4);
	CHECK(q1(ix, "SELECT end_n FROM spans WHERE kind = 'Decrypt' AND state = 'cancelled'") ==
	      nth(ix, "C_SessionCancel", 0));
	CHECK(q1(ix, "SELECT count(*) FROM spans WHERE kind = 'Decrypt' AND state = 'init_failed'") == 1);
	CHECK(q1(ix, "SELECT count(*) FROM spans WHERE state = 'failed'") == 2);
	/* objects created by copy (inherits), unwrap and derive; session objects die with it */
	CHECK(q1(ix, "SELECT token FROM objects WHERE handle = 12") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM objects WHERE handle = 12"),
	             "session_closed") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT label FROM objects WHERE handle = 13"), "unwrapped") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT obj_id FROM objects WHERE handle = 13"), "33") == 0);
	CHECK(q1(ix, "SELECT token FROM objects WHERE handle = 13") == 1);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM objects WHERE handle = 13"), "finalized") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM objects WHERE handle = 14"),
	             "session_closed") == 0);
	CHECK(q1(ix, "SELECT uses FROM objects WHERE handle = 13") == 1); /* the DeriveKey base */
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 1);
	hs_index_close(ix);
	test_cancel_pasted();
}

static void test_cut(void)
{
	struct hs_index *ix = open_fx("cut.log");

	CHECK(ix != NULL);
	if (!ix)
		return;
	/* without C_Initialize, what came before the log is taken as it is */
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 0);
	CHECK(q1(ix, "SELECT count(*) FROM sessions WHERE open_n IS NULL") == 2);
	CHECK(q1(ix, "SELECT close_n FROM sessions WHERE handle = 5") == nth(ix, "C_CloseSession", 0));
	CHECK(q1(ix, "SELECT count(*) FROM spans WHERE state = 'done'") == 1);
	CHECK(q1(ix, "SELECT span_id FROM events WHERE func = 'C_SignUpdate'") == -999);
	hs_index_close(ix);
}

/* Many sessions open at once, closed out of order, handles reused. */
static void test_many_sessions(void)
{
	struct hs_buf b;
	char path[300];
	const char *p = path;
	struct hs_index *ix;
	int i, n = 0, round;

	hs_buf_init(&b);
	hs_buf_adds(&b, "*************** OpenSC PKCS#11 spy *****************\n\n");
	hs_buf_printf(&b, "%d: C_Initialize\nP:9; T:0x1 2026-03-01 11:00:00.000\nReturned:  0 CKR_OK\n\n", n++);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 700; i++)
			hs_buf_printf(&b, "%d: C_OpenSession\nP:9; T:0x1 2026-03-01 11:00:01.000\n"
			              "[in] slotID = 0x1\n[out] *phSession = 0x%x\nReturned:  0 CKR_OK\n\n",
			              n++, i * 7 + round);
		for (i = 0; i < 700; i++) /* close in a scattered order */
			hs_buf_printf(&b, "%d: C_CloseSession\nP:9; T:0x1 2026-03-01 11:00:02.000\n"
			              "[in] hSession = 0x%x\nReturned:  0 CKR_OK\n\n", n++,
			              ((i * 263) % 700) * 7 + round);
	}
	hs_buf_printf(&b, "%d: C_Finalize\nP:9; T:0x1 2026-03-01 11:00:03.000\nReturned:  0 CKR_OK\n", n++);
	snprintf(path, sizeof path, "%s/many.log", tmp);
	CHECK(write_file(path, b.data, b.len) == 0);
	hs_buf_free(&b);
	ix = open_paths(&p, 1, "many.db", 1);
	CHECK(ix != NULL);
	if (!ix)
		return;
	CHECK(q1(ix, "SELECT count(*) FROM sessions") == 2100);
	CHECK(q1(ix, "SELECT count(*) FROM sessions WHERE state = 'closed'") == 2100);
	CHECK(q1(ix, "SELECT count(*) FROM links WHERE kind = 'session'") == 4200);
	CHECK(q1(ix, "SELECT count(*) FROM anomalies") == 0);
	CHECK(q1(ix, "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id"
	             " WHERE s.handle != e.session") == 0);
	hs_index_close(ix);
}

/* ----------------------------------------------------------- audit logs */

static void test_audit(void)
{
	const char *paths[] = { FX "audit-a.log", FX "audit-b.log" };
	struct hs_index *ix = open_paths(paths, 2, "audit.db", 1);
	struct hs_lc_summary s;
	struct hs_error err;
	char b[128];
	int64_t gen, ext, ins;
	int i;

	CHECK(ix != NULL);
	if (!ix)
		return;
	/* gaps, with the numbers around them */
	CHECK(q1(ix, "SELECT count(*) FROM anomalies WHERE kind = 'seq_gap'") == 2);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT detail FROM anomalies WHERE kind = 'seq_gap'"
	                " ORDER BY n LIMIT 1"), "gap: 0x8 → 0xc, 3 events missing") == 0);
	CHECK(q1(ix, "SELECT missing FROM seq_gaps WHERE after = 8 AND before = 12") == 3);
	CHECK(q1(ix, "SELECT count(*) FROM seq_gaps WHERE after IS NULL AND before = 6") == 1);
	CHECK(q1(ix, "SELECT count(*) FROM anomalies WHERE kind = 'reboot'") == 2);
	CHECK(q1(ix, "SELECT count(*) FROM anomalies WHERE kind = 'seq_order'") == 1);
	/* logins: the logout's session handle differs; app finalize, close session */
	CHECK(q1(ix, "SELECT count(*) FROM logins") == 6);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM logins WHERE hsm = 'audit-a' AND user = 'admin'"),
	             "ended") == 0);
	CHECK(q1(ix, "SELECT count(*) FROM logins WHERE state = 'implicit'") == 2);
	CHECK(q1(ix, "SELECT count(*) FROM logins WHERE state = 'open'") == 1);
	CHECK(q1(ix, "SELECT count(*) FROM anomalies WHERE kind = 'login_unended'") == 1);
	/* attribution: who was logged in on that HSM at that moment */
	gen = q1(ix, "SELECT n FROM events WHERE func = 'CN_GENERATE_KEY'");
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT users FROM attributions WHERE n = %lld", (long long)gen),
	             "admin,bob") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT users FROM attributions WHERE n ="
	                " (SELECT n FROM events WHERE func = 'CN_DELETE_USER')"), "bob") == 0);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT users FROM attributions WHERE n ="
	                " (SELECT n FROM events WHERE func = 'CN_WRAP_KEY' ORDER BY n LIMIT 1)"), "bob") == 0);
	CHECK(q1(ix, "SELECT e.login_id FROM events e WHERE e.func = 'CN_CREATE_USER'") ==
	      q1(ix, "SELECT id FROM logins WHERE hsm = 'audit-a' AND user = 'admin'"));
	/* keys: destroyed and then used; tombstoned */
	CHECK(q1(ix, "SELECT count(*) FROM anomalies WHERE kind = 'destroyed_handle'") == 1);
	CHECK(strcmp(qs(ix, b, sizeof b, "SELECT state FROM objects WHERE handle = 131079"),
	             "tombstoned") == 0);
	CHECK(linked(ix, gen, q1(ix, "SELECT n FROM events WHERE func = 'CN_DESTROY_OBJECT'"), "object"));
	/* cluster view: the same logins on both HSMs, a key sync, an unmatched one */
	CHECK(q1(ix, "SELECT count(*) FROM links WHERE kind = 'same_login'") == 4);
	ext = q1(ix, "SELECT n FROM events WHERE func = 'CN_EXTRACT_MASKED_OBJECT_USER' AND hsm = 'audit-a'"
	             " ORDER BY n LIMIT 1");
	ins = q1(ix, "SELECT n FROM events WHERE func = 'CN_INSERT_MASKED_OBJECT_USER'");
	CHECK(linked(ix, ext, ins, "sync"));
	CHECK(q1(ix, "SELECT count(*) FROM anomalies a JOIN events e USING (n) WHERE a.kind ="
	             " 'sync_unmatched' AND e.func = 'CN_EXTRACT_MASKED_OBJECT_USER'") == 1);
	/* the summary of analyze */
	CHECK(hs_lc_summary(ix, &s, &err) == 0);
	CHECK(s.nhsms == 2);
	if (s.nhsms == 2) {
		const struct hs_lc_hsm *a = &s.hsms[0];
		CHECK(strcmp(a->hsm, "audit-a") == 0);
		CHECK(a->events == 21 && a->reboots == 2 && a->ngaps == 2);
		CHECK(a->ngaps == 2 && a->gaps[0].after == 8 && a->gaps[0].before == 12 &&
		      a->gaps[0].missing == 3 && a->gaps[1].after == HS_NONE && a->gaps[1].missing == 6);
		CHECK(a->users_created == 1 && a->users_deleted == 1);
		for (i = 0; i < a->nlogins; i++)
			if (strcmp(a->logins[i].user, "bob") == 0)
				CHECK(a->logins[i].ok == 3 && a->logins[i].failed == 1 &&
				      a->logins[i].ncodes == 1 && a->logins[i].code[0] == 163);
		CHECK(a->nkey_events >= 5);
		CHECK(s.hsms[1].events == 6 && s.hsms[1].ngaps == 0);
	}
	CHECK(s.logins_ok == 6 && s.logins_failed == 2 && s.login_spans == 6);
	hs_lc_summary_free(&s);
	/* the JSON of an event says who it is attributed to */
	{
		struct hs_event e;
		cJSON *o, *u;
		hs_event_init(&e);
		CHECK(hs_query_event(ix, gen, &e, &err) == 1);
		o = hs_export_event(ix, &e);
		u = o ? cJSON_GetObjectItemCaseSensitive(o, "attributed_user") : NULL;
		CHECK(u && cJSON_IsString(u) && strcmp(u->valuestring, "admin,bob") == 0);
		CHECK(o && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "login_id")));
		cJSON_Delete(o);
		hs_event_free(&e);
	}
	hs_index_close(ix);
}

/* ------------------------------------------------------------ lifecycle */

struct walk {
	struct hs_index *ix;
	int nodes, bad;             /* visited, whose filter did not count its calls */
	int64_t root_calls;
	int kinds[8];               /* nodes per kind */
	char path[8][48];           /* kind names down to the current node */
	int saw_sign_path;          /* process > slot > session > login > operation */
};

static int walk_fn(void *ctx, const struct hs_lc_node *nd, int depth)
{
	struct walk *w = ctx;
	struct hs_filter *f = NULL;
	struct hs_error err;
	int64_t n;

	w->nodes++;
	w->kinds[nd->kind]++;
	if (depth == 0)
		w->root_calls += nd->calls;
	if (depth < 8)
		snprintf(w->path[depth], sizeof w->path[0], "%s", hs_lc_kind_name(nd->kind));
	if (nd->kind == HS_LC_SPAN && depth == 4 && strcmp(w->path[0], "process") == 0 &&
	    strcmp(w->path[1], "slot") == 0 && strcmp(w->path[2], "session") == 0 &&
	    strcmp(w->path[3], "login") == 0 && strncmp(nd->label, "Sign: C_SignInit", 16) == 0)
		w->saw_sign_path = 1;
	if (hs_filter_compile(nd->filter, &f, &err) < 0) {
		fprintf(stderr, "node %s: filter '%s' does not compile: %s\n", nd->label, nd->filter, err.msg);
		w->bad++;
		return 0;
	}
	n = hs_query_count(w->ix, f, &err);
	if (n != nd->calls) {
		fprintf(stderr, "node %s (%s): filter '%s' counts %lld, node says %lld\n", nd->label,
		        hs_lc_kind_name(nd->kind), nd->filter, (long long)n, (long long)nd->calls);
		w->bad++;
	}
	hs_filter_free(f);
	return 0;
}

static void test_lifecycle(void)
{
	static const char *const names[] = { "handle-reuse.log", "threads.log", "killed.log",
		"two-procs.log", "anomalies.log", "logins.log", "ops.log", "cut.log" };
	const char *audit[] = { FX "audit-a.log", FX "audit-b.log" };
	struct hs_lc_cursor *cur;
	struct hs_lc_node nd, first;
	struct hs_error err;
	struct walk w;
	size_t i;

	for (i = 0; i <= sizeof names / sizeof names[0]; i++) {
		struct hs_index *ix = i < sizeof names / sizeof names[0] ? open_fx(names[i])
		                                                           : open_paths(audit, 2, "audit.db", 0);
		CHECK(ix != NULL);
		if (!ix)
			continue;
		memset(&w, 0, sizeof w);
		w.ix = ix;
		CHECK(hs_lc_walk(ix, walk_fn, &w, &err) == 0);
		CHECK(w.nodes > 0 && w.bad == 0);
		CHECK(w.root_calls == q1(ix, "SELECT count(*) FROM events"));
		if (i == 3) /* two-procs: the signing session's path */
			CHECK(w.saw_sign_path);
		if (i == sizeof names / sizeof names[0]) {
			CHECK(w.kinds[HS_LC_HSM] == 2);
			CHECK(w.kinds[HS_LC_LOGIN] == 6);
		}
		if (i == 2) { /* killed: the process, its session, login and span stay open */
			CHECK(hs_lc_open(ix, NULL, &cur, &err) == 0);
			while (hs_lc_next(cur, &nd, &err) == 1)
				if (strcmp(nd.label, "process 3003") == 0)
					CHECK(nd.open_end && strcmp(nd.state, "running") == 0);
			hs_lc_close(cur);
		}
		/* a fold's children are its calls */
		if (i == 6) {
			CHECK(hs_lc_open(ix, NULL, &cur, &err) == 0);
			CHECK(hs_lc_next(cur, &first, &err) == 1);
			hs_lc_close(cur);
			CHECK(first.kind == HS_LC_PROCESS && first.has_children);
		}
		hs_index_close(ix);
	}
	CHECK(strcmp(hs_lc_kind_name(HS_LC_SPAN), "operation") == 0);
}

/* The explorer's timeline and moves: each process's threads (their
 * filters select their calls, which add up to the process's), the first
 * event at or after a time, and what a `%` link is. */
static int thread_fn(void *ctx, const struct hs_lc_node *nd, int depth)
{
	struct walk *w = ctx;
	struct hs_lc_thread *th = NULL;
	struct hs_filter *f;
	struct hs_error err;
	int64_t sum = 0;
	int n = 0;

	(void)depth;
	if (nd->kind != HS_LC_PROCESS)
		return 1;
	CHECK(hs_lc_threads(w->ix, nd, &th, &n, &err) == 0);
	for (int i = 0; i < n; i++) {
		CHECK(th[i].first_n >= nd->first_n && th[i].last_n <= nd->last_n);
		CHECK(hs_filter_compile(th[i].filter, &f, &err) == 0);
		CHECK(hs_query_count(w->ix, f, &err) == th[i].calls);
		hs_filter_free(f);
		sum += th[i].calls;
	}
	w->nodes += n;
	if (n && sum != nd->calls)
		w->bad++;
	free(th);
	return 1;
}

static void test_timeline_queries(void)
{
	const char *audit[] = { FX "audit-a.log", FX "audit-b.log" };
	struct hs_index *ix = open_fx("threads.log");
	struct hs_lc_node none;
	struct hs_lc_thread *th = NULL;
	struct hs_error err;
	struct walk w;
	char kind[32];
	int n = -1;
	int64_t t, at;

	CHECK(ix != NULL);
	if (!ix)
		return;
	memset(&w, 0, sizeof w);
	w.ix = ix;
	CHECK(hs_lc_walk(ix, thread_fn, &w, &err) == 0);
	CHECK(w.nodes >= 2 && w.bad == 0);
	memset(&none, 0, sizeof none);
	none.kind = HS_LC_SESSION; /* not a process: no threads */
	CHECK(hs_lc_threads(ix, &none, &th, &n, &err) == 0 && n == 0 && th == NULL);
	/* the first event at or after the time of the last one is it or an
	 * earlier-numbered one of the same time */
	t = q1(ix, "SELECT ts_us FROM events ORDER BY n DESC LIMIT 1");
	at = hs_query_seek(ix, NULL, 0, 1, HS_SEEK_TS, t, &err);
	CHECK(at == q1(ix, "SELECT min(n) FROM events WHERE ts_us >= %lld", (long long)t));
	CHECK(hs_query_seek(ix, NULL, 0, 1, HS_SEEK_TS, t + 1, &err) ==
	      q1(ix, "SELECT coalesce(min(n), 0) FROM events WHERE ts_us > %lld", (long long)t));
	/* buckets over event numbers: [1, N] in 2 halves */
	{
		int64_t last = q1(ix, "SELECT max(n) FROM events"), calls[2] = { 0, 0 }, errs[2] = { 0, 0 };
		CHECK(hs_query_histogram_n(ix, NULL, 1, last, 2, calls, errs, &err) == 0);
		CHECK(calls[0] + calls[1] == last);
		CHECK(calls[0] == q1(ix, "SELECT count(*) FROM events WHERE (n - 1) * 2 / %lld = 0", (long long)last));
		CHECK(errs[0] + errs[1] == q1(ix, "SELECT count(*) FROM events WHERE ok = 0 AND incomplete = 0"));
	}
	hs_index_close(ix);

	ix = open_paths(audit, 2, "audit-links.db", 0);
	CHECK(ix != NULL);
	if (!ix)
		return;
	at = q1(ix, "SELECT n FROM links WHERE kind = 'same_login' LIMIT 1");
	CHECK(at > 0);
	CHECK(hs_query_link_kind(ix, at, q1(ix, "SELECT peer FROM links WHERE n = %lld AND kind = 'same_login'",
	                                    (long long)at), kind, sizeof kind, &err) == 1);
	CHECK(strcmp(kind, "same_login") == 0);
	CHECK(hs_query_link_kind(ix, at, at, kind, sizeof kind, &err) == 0 && kind[0] == '\0');
	hs_index_close(ix);
}

int main(void)
{
	if (corr_begin() < 0)
		return 1;
	test_handle_reuse();
	test_threads();
	test_killed();
	test_two_procs();
	test_anomalies();
	test_logins();
	test_ops();
	test_cut();
	test_many_sessions();
	test_audit();
	test_lifecycle();
	test_timeline_queries();
	corr_end();
	TEST_END();
}
