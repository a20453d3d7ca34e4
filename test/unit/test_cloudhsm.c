/* test_cloudhsm.c — the AWS CloudHSM audit log parser, driven through its
 * descriptor as the pipeline drives it: fixtures are read at run time
 * (paths relative to the repository root), split into lines with their byte
 * offsets, fed one by one, and the events are copied out of on_event.
 *
 * Checks: the three shapes of the AWS documentation's examples (blocks, one
 * line per event, `aws logs filter-log-events` JSON) give identical events;
 * field values of chosen events; garbage and truncated blocks keep every
 * good event and are counted; truncated and mistyped JSON keeps the complete
 * elements; certificate-storage events; a huge element is skipped alone;
 * resume after a cut; stopping from the sink; probe scores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/parser.h"
#include "harness.h"
#include "hsmscope/detect.h"
#include "parsetest.h"

extern const struct hs_parser_desc hs_parser_cloudhsm;
#define P (&hs_parser_cloudhsm)
#define FX "test/fixtures/cloudhsm/"

/* Feed text[from..len) line by line, as the reader would, adding to g
 * (zeroed by the caller, stop_after set when wanted). Returns 1 when
 * feed_line asked to stop. */
static int run_text(const char *path, const char *text, size_t len, size_t from,
                    int64_t from_line, const char *hsm, const char *state, struct got *g,
                    struct hs_parse_stats *st)
{
	struct hs_parser_opts o = { 0, path, hsm };

	return parse_into(P, &o, text, len, from, from_line, state, g, st);
}

static int run_file(const char *path, const char *hsm, struct got *g, struct hs_parse_stats *st)
{
	size_t len;
	char *text = slurp(path, &len);
	int rc;

	if (!text) {
		fprintf(stderr, "cannot read %s (run from the repository root)\n", path);
		return -1;
	}
	rc = run_text(path, text, len, 0, 1, hsm, NULL, g, st);
	free(text);
	return rc;
}

static int same_keys(const struct hs_event *a, const struct hs_event *b)
{
	int i;

	if (a->nkeys != b->nkeys)
		return 0;
	for (i = 0; i < a->nkeys; i++)
		if (a->keys[i].handle != b->keys[i].handle || strcmp(a->keys[i].role, b->keys[i].role))
			return 0;
	return 1;
}

static int same_event(const struct hs_event *a, const struct hs_event *b)
{
	return strcmp(a->func, b->func) == 0 && a->opcode == b->opcode && a->seq == b->seq &&
	       a->reboot == b->reboot && a->session == b->session && a->rv == b->rv &&
	       strcmp(a->rv_name, b->rv_name) == 0 && a->ok == b->ok &&
	       strcmp(a->user, b->user) == 0 && a->user_type == b->user_type &&
	       same_keys(a, b) && a->ts_us == b->ts_us && a->ts_utc == b->ts_utc &&
	       strcmp(a->hsm, b->hsm) == 0 && a->cmd_type == b->cmd_type &&
	       a->log_type == b->log_type && strcmp(a->response, b->response) == 0 &&
	       strcmp(a->summary, b->summary) == 0 && a->incomplete == b->incomplete;
}

static const struct hs_event *find_seq(const struct got *g, const char *func, int64_t seq)
{
	int i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->ev[i].func, func) == 0 && g->ev[i].seq == seq)
			return &g->ev[i];
	return NULL;
}

static const char *detail(const struct hs_event *e) { return hs_buf_cstr(&e->detail); }

static void test_shapes(void)
{
	struct got b = { 0 }, o = { 0 }, j = { 0 };
	struct hs_parse_stats sb, so, sj;
	const struct hs_event *e;
	int i, same = 1, same_detail = 1, json_detail = 1;

	CHECK(run_file(FX "doc-examples.log", "hsm-docexample1", &b, &sb) == 0);
	CHECK(run_file(FX "doc-examples.oneline.log", "hsm-docexample1", &o, &so) == 0);
	CHECK(run_file(FX "doc-examples.json", NULL, &j, &sj) == 0);
	CHECK(b.n == 30 && o.n == 30 && j.n == 30);
	CHECK(sb.events == 30 && so.events == 30 && sj.events == 30);
	CHECK(b.skips == 0 && o.skips == 0 && j.skips == 0);
	CHECK(sb.skipped == 0 && sb.incomplete == 0 && so.incomplete == 0 && sj.incomplete == 0);
	for (i = 0; i < 30 && i < b.n && i < o.n && i < j.n; i++) {
		size_t dl = b.ev[i].detail.len;
		same &= same_event(&b.ev[i], &o.ev[i]) && same_event(&b.ev[i], &j.ev[i]);
		same_detail &= strcmp(detail(&b.ev[i]), detail(&o.ev[i])) == 0;
		json_detail &= strncmp(detail(&b.ev[i]), detail(&j.ev[i]), dl) == 0 &&
		               strncmp(detail(&j.ev[i]) + dl, "\neventId : ", 11) == 0;
		if (!same_event(&b.ev[i], &o.ev[i]) || !same_event(&b.ev[i], &j.ev[i]))
			fprintf(stderr, "event %d differs: %s / %s / %s\n", i, b.ev[i].summary,
			        o.ev[i].summary, j.ev[i].summary);
	}
	CHECK(same);
	CHECK(same_detail);
	CHECK(json_detail);

	/* the first event: CN_INIT_TOKEN, every common field */
	e = &b.ev[0];
	CHECK(strcmp(e->format, "cloudhsm") == 0);
	CHECK(e->line == 1 && e->offset == 0 && o.ev[0].line == 1 && j.ev[0].line == 3);
	CHECK(strcmp(e->func, "CN_INIT_TOKEN") == 0 && e->opcode == 1);
	CHECK(e->seq == 0 && e->reboot == 0xe8 && e->session == 0x1004001);
	CHECK(e->cmd_type == 0 && e->log_type == 0);
	CHECK(e->rv == 0 && e->ok == 1 && strcmp(e->rv_name, "SUCCESS") == 0);
	CHECK(strcmp(e->response, "HSM Return: SUCCESS") == 0);
	CHECK(e->ts_us == 1513717276962174LL && e->ts_utc == 1);
	CHECK(e->pid == HS_NONE && e->tid == HS_NONE && e->instance == 0 && e->slot == HS_NONE);
	CHECK(strcmp(e->hsm, "hsm-docexample1") == 0 && strcmp(j.ev[0].hsm, "hsm-docexample1") == 0);
	CHECK(strcmp(detail(e), "Time : 12/19/17 21:01:16.962174, usecs:1513717276962174\n"
	                        "Sequence No : 0x0\nReboot counter : 0xe8\n"
	                        "Command Type(hex) : CN_MGMT_CMD (0x0)\n"
	                        "Opcode : CN_INIT_TOKEN (0x1)\nSession Handle : 0x1004001\n"
	                        "Response : 0:HSM Return: SUCCESS\n"
	                        "Log type : MINIMAL_LOG_ENTRY (0)") == 0);
	CHECK(b.ev[1].line == 10 && o.ev[1].line == 2);

	e = find_seq(&b, "CN_CREATE_APPLIANCE_USER", 2);
	CHECK(e && e->opcode == 0xfc && strcmp(e->user, "app_user") == 0 && e->user_type == 5 &&
	      e->log_type == 2);
	CHECK(e && strcmp(e->summary, "user=app_user type=CN_APPLIANCE_USER session=0x1004001") == 0);
	e = find_seq(&b, "CN_CHANGE_PSWD", 0x1d); /* "Field: value", no space */
	CHECK(e && e->opcode == 9 && strcmp(e->user, "admin") == 0 && e->user_type == 6 &&
	      e->ts_us == 1513206273846554LL && e->reboot == 0xe8);
	e = find_seq(&b, "CN_LOGIN", 0);
	CHECK(e && strcmp(e->summary, "user=admin type=CN_CRYPTO_OFFICER session=0x7014006") == 0);
	e = find_seq(&b, "CN_LOGIN", 4); /* failed: unknown user */
	CHECK(e && e->rv == 157 && e->ok == 0 && !e->incomplete);
	CHECK(e && strcmp(e->rv_name, "HSM Error: user isn't initialized or user with this name doesn't exist") == 0);
	CHECK(e && strcmp(e->response, "HSM Error: user isn't initialized or user with this name "
	                               "doesn't exist") == 0);
	CHECK(e && strcmp(e->user, "ExampleUser") == 0 && e->user_type == 1);
	e = find_seq(&b, "CN_LOGIN", 5); /* failed: wrong password */
	CHECK(e && e->rv == 163 && e->ok == 0 && strcmp(e->rv_name, "RET_USER_LOGIN_FAILURE") == 0);
	CHECK(e && strcmp(e->response, "HSM Error: RET_USER_LOGIN_FAILURE") == 0);
	e = find_seq(&b, "CN_DELETE_USER", 0xb);
	CHECK(e && e->opcode == 0xa1 && strcmp(e->user, "alice") == 0 && e->user_type == 2);
	e = find_seq(&b, "CN_GENERATE_KEY_PAIR", 0x29);
	CHECK(e && e->opcode == 0x19 && e->session == 0x2014004 && e->log_type == 1 && e->nkeys == 2);
	CHECK(e && e->keys[0].handle == 131079 && strcmp(e->keys[0].role, "Priv/Secret Key Handle") == 0);
	CHECK(e && e->keys[1].handle == 131078 && strcmp(e->keys[1].role, "Public Key Handle") == 0);
	CHECK(e && strcmp(e->summary, "keys=131079,131078 session=0x2014004") == 0);
	CHECK(e && e->ts_us == 1513206544761594LL);
	e = find_seq(&b, "CN_DESTROY_OBJECT", 0x2a); /* "Public Key Handle : 0" names no key */
	CHECK(e && e->nkeys == 1 && e->keys[0].handle == 131078 && strstr(detail(e), "Public Key Handle : 0"));
	e = find_seq(&b, "CN_EXTRACT_MASKED_OBJECT_USER", 2);
	CHECK(e && e->opcode == 0xf0 && e->nkeys == 1 && e->keys[0].handle == 262152);
	e = find_seq(&b, "CN_INSERT_MASKED_OBJECT_USER", 0xe);
	CHECK(e && e->opcode == 0xf1 && e->keys[0].handle == 262152 && e->session == 0x7004003);
	e = find_seq(&b, "CN_UNWRAP_KEY", 0x2a);
	CHECK(e && e->opcode == 0x1b && e->keys[0].handle == 11);
	e = find_seq(&b, "CN_SHARE_OBJECT", 0x3f); /* tabs before the colons */
	CHECK(e && e->opcode == 0x12 && e->reboot == 0x38 && e->log_type == 5 && e->nkeys == 0);
	CHECK(e && e->ts_us == 1549654539480168LL && e->session == 0x3014007);
	CHECK(e && strstr(detail(e), "Log type : UNKNOWN_LOG_TYPE (5)") != NULL);
	got_free(&b);
	got_free(&o);
	got_free(&j);
}

static void test_stem_and_streams(void)
{
	struct got g = { 0 };
	struct hs_parse_stats st;
	const struct hs_event *e;

	CHECK(run_file(FX "gap-reboot.log", NULL, &g, &st) == 0);
	CHECK(g.n == 8 && g.skips == 0);
	CHECK(g.n == 8 && strcmp(g.ev[0].hsm, "gap-reboot") == 0);
	CHECK(g.n == 8 && g.ev[2].seq == 2 && g.ev[3].seq == 5 && g.ev[4].seq == 6);
	CHECK(g.n == 8 && g.ev[4].reboot == 0x107 && g.ev[5].reboot == 0x108 && g.ev[5].seq == 0);
	CHECK(g.n == 8 && g.ev[6].keys[0].handle == 262160 && strcmp(g.ev[7].func, "CN_LOGOUT") == 0);
	CHECK(st.safe_offset == g.ev[7].offset && st.safe_line == g.ev[7].line); /* no blank after */
	got_free(&g);

	CHECK(run_file(FX "two-streams.json", "ignored-when-json-names-it", &g, &st) == 0);
	CHECK(g.n == 5 && g.skips == 0);
	if (g.n == 5) {
		CHECK(strcmp(g.ev[0].hsm, "hsm-abcde123456") == 0 && strcmp(g.ev[1].hsm, "hsm-zyxwv987654") == 0);
		CHECK(strcmp(g.ev[3].func, "CN_EXTRACT_MASKED_OBJECT_USER") == 0 &&
		      strcmp(g.ev[3].hsm, "hsm-abcde123456") == 0);
		CHECK(strcmp(g.ev[4].func, "CN_INSERT_MASKED_OBJECT_USER") == 0 &&
		      strcmp(g.ev[4].hsm, "hsm-zyxwv987654") == 0 && g.ev[4].keys[0].handle == 262152);
		CHECK(g.ev[1].line == 10 && g.ev[1].seq == 0xd && g.ev[1].ts_us == 1516754363199740LL);
	}
	CHECK(st.state[0] == '\0' && st.safe_line > 0);
	e = g.n ? &g.ev[0] : NULL;
	CHECK(e && strstr(detail(e), "eventId : 34178053126153052853364813491218322591284417930140123136"));
	got_free(&g);

	/* the real multi-line samples of the shared directory, when present */
	if (run_file("../shared/samples/cloudhsm/hsm-zyxwv987654.log", NULL, &g, &st) == 0) {
		CHECK(g.n == 8 && g.skips == 0 && st.incomplete == 0);
		CHECK(g.n && strcmp(g.ev[0].hsm, "hsm-zyxwv987654") == 0);
	}
	got_free(&g);
}

static void test_bad(void)
{
	struct got g = { 0 };
	struct hs_parse_stats st;
	static const int64_t skipped[] = { 1, 13, 14, 21, 43 };
	int i;

	CHECK(run_file(FX "bad.log", NULL, &g, &st) == 0);
	CHECK(g.n == 6);
	CHECK(g.skips == 5 && st.skipped == 5 && st.events == 6 && st.incomplete == 1);
	for (i = 0; i < 5 && i < g.skips; i++)
		CHECK(g.skip_line[i] == skipped[i]);
	if (g.n == 6) {
		CHECK(strcmp(g.ev[0].func, "CN_LOGIN") == 0 && g.ev[0].seq == 0 && !g.ev[0].incomplete);
		CHECK(strcmp(g.ev[1].func, "CN_GENERATE_KEY") == 0 && g.ev[1].incomplete &&
		      g.ev[1].rv == HS_NONE && g.ev[1].line == 15);
		CHECK(g.ev[2].seq == 2 && g.ev[2].keys[0].handle == 262152);
		CHECK(g.ev[3].seq == 4 && g.ev[3].rv == 157 && g.ev[3].line == 33 &&
		      g.ev[3].skipped_lines == 1);
		CHECK(strcmp(g.ev[4].func, "CN_LOGOUT") == 0 && g.ev[4].ts_us == HS_NONE &&
		      g.ev[4].seq == HS_NONE && !g.ev[4].incomplete && g.ev[4].line == 45);
		CHECK(g.ev[5].rv == 163 && strcmp(g.ev[5].hsm, "bad") == 0);
		CHECK(st.safe_offset == g.ev[5].offset);
	}
	CHECK(strstr(g.why, "not a CloudHSM audit field") != NULL);
	CHECK(strstr(g.why, "without Time or Opcode") != NULL);
	got_free(&g);
}

static void test_json_damage(void)
{
	struct got g = { 0 };
	struct hs_parse_stats st;
	size_t len;
	char *text;

	/* cut inside the fourth message: three events, the fourth re-read later */
	CHECK(run_file(FX "truncated.json", NULL, &g, &st) == 0);
	CHECK(g.n == 3 && st.events == 3);
	CHECK(g.skips == 4 && strstr(g.why, "truncated at end of input") != NULL);
	CHECK(g.n == 3 && g.ev[2].seq == 0x28 && strcmp(g.ev[2].hsm, "hsm-zyxwv987654") == 0);
	text = slurp(FX "truncated.json", &len);
	CHECK(text && st.safe_line == 24 && strncmp(text + st.safe_offset, "        {\n", 10) == 0);
	CHECK(strcmp(st.state, "json=2") == 0);
	free(text);
	got_free(&g);

	CHECK(run_file(FX "wrong-types.json", NULL, &g, &st) == 0);
	CHECK(g.n == 4);
	if (g.n == 4) {
		CHECK(g.ev[0].seq == 0 && g.ev[1].seq == 1 && g.ev[2].seq == 4 && g.ev[3].seq == 5);
		CHECK(g.ev[1].ts_us == 1516754370328334LL); /* "timestamp": "yesterday" ignored */
		CHECK(strcmp(g.ev[2].hsm, "wrong-types") == 0); /* logStreamName: 12345 */
		CHECK(strcmp(g.ev[3].hsm, "hsm-abcde123456") == 0);
	}
	CHECK(g.skips == 21 && st.skipped == 21);
	CHECK(strstr(g.why, "message is not a string") && strstr(g.why, "not closed at end of line") &&
	      strstr(g.why, "skipped to the next event"));
	CHECK(strncmp(st.state, "json=", 5) != 0); /* no JSON left open */
	got_free(&g);
}

static void test_cert_storage(void)
{
	static const char *const files[] = { FX "cert-storage.ndjson", FX "cert-storage.pretty.json",
	                                     FX "cert-storage.json" };
	struct got g = { 0 };
	struct hs_parse_stats st;
	int f;

	for (f = 0; f < 3; f++) {
		CHECK(run_file(files[f], NULL, &g, &st) == 0);
		CHECK(g.n == 4 && g.skips == 0 && st.incomplete == 0);
		if (g.n == 4) {
			CHECK(strcmp(g.ev[0].func, "CreateObject") == 0 && g.ev[0].ok && g.ev[0].rv == 0);
			CHECK(g.ev[0].nkeys == 1 && g.ev[0].keys[0].handle == 463180677312929947LL &&
			      strcmp(g.ev[0].keys[0].role, "object_handle") == 0);
			CHECK(g.ev[0].ts_us == 1725482483671000LL && g.ev[0].ts_utc);
			CHECK(strcmp(g.ev[1].func, "DestroyObject") == 0);
			CHECK(strcmp(g.ev[2].summary, "object=463180678453346687 attrs=Label") == 0);
			CHECK(strstr(detail(&g.ev[2]), "attributes : [\"Label\"]") != NULL);
			CHECK(strstr(detail(&g.ev[2]), "object_handle : 463180678453346687") != NULL);
			CHECK(g.ev[3].ok == 0 && g.ev[3].nkeys == 0 &&
			      strcmp(g.ev[3].rv_name, "MaxObjectsReached") == 0);
			CHECK(strcmp(g.ev[3].hsm, f == 0 ? "cert-storage" : f == 1 ? "cert-storage.pretty"
			                                 : "cluster-certexample") == 0);
			CHECK(g.ev[1].line == (f == 0 ? 2 : f == 1 ? 8 : 10));
		}
		got_free(&g);
	}
}

/* An empty key and odd member types in a certificate-storage object. */
static void test_cert_odd(void)
{
	static const char odd[] = "{\"\": 5, \"op_code\": \"CreateObject\", \"object_handle\": \"x\", "
	                          "\"attributes\": {\"a\": [1]}, \"timestamp\": 1725482483671}\n";
	struct got g = { 0 };
	struct hs_parse_stats st;

	run_text("odd.ndjson", odd, sizeof odd - 1, 0, 1, NULL, NULL, &g, &st);
	CHECK(g.n == 1 && g.skips == 0);
	CHECK(g.n == 1 && g.ev[0].nkeys == 0 && g.ev[0].incomplete && strstr(detail(&g.ev[0]), " : 5\n"));
	got_free(&g);
}

static void test_inline(void)
{
	static const char unknown[] =
		"Time: 12/13/17 23:09:04.761594\n"            /* no usecs: the text is UTC */
		"Sequence No : 0x29\n"
		"Opcode : CN_WRAP_KEY (0x1a)\n"
		"Wrapping Key Handle : 6\n"
		"Target Key Handle : 9\n"                     /* unknown, still a key */
		"Quorum Token Count : 2\n"                    /* unknown, kept */
		"Response : 0:HSM Return: SUCCESS\n"
		"\n"
		"Time: 12/13/17 23:09:05.000001, usecs:1513206545000001 Sequence No : 0x2a "
		"Foo Bar : 12 Opcode : CN_LOGOUT Response : 0: HSM Return: SUCCESS\n"
		"Time: 12/13/17 23:09:06.5, usecs:1513206546500000\\nSequence No : 0x2b\\n"
		"Opcode : CN_LOGIN (0xd)\\nResponse : 0:HSM Return: SUCCESS\\n\n"
		"Time: 12/13/17 23:09:07.000001 Opcode : CN_LOGIN Response : 0:HSM Return: SUCCESS "
		"Time: 12/13/17 23:09:08.000002 Opcode : CN_LOGOUT Response : 0:HSM Return: SUCCESS\n"
		"{\"messageType\": \"DATA_MESSAGE\", \"logGroup\": \"/aws/cloudhsm/cluster-x\", "
		"\"logStream\": \"hsm-sub1\", \"subscriptionFilters\": [\"f\"], \"logEvents\": [{\"id\": \"77\", "
		"\"timestamp\": 1513206547000, \"message\": \"Opcode : CN_APP_FINALIZE\\nSession Handle : 0x5\"}]}\n";
	struct got g = { 0 };
	struct hs_parse_stats st;

	run_text("/tmp/inline.txt", unknown, sizeof unknown - 1, 0, 1, NULL, NULL, &g, &st);
	CHECK(g.n == 6 && g.skips == 0);
	if (g.n == 6) {
		CHECK(g.ev[0].ts_us == 1513206544761594LL && g.ev[0].ts_utc);
		CHECK(g.ev[0].nkeys == 2 && g.ev[0].keys[0].handle == 6 && g.ev[0].keys[1].handle == 9);
		CHECK(strcmp(g.ev[0].keys[1].role, "Target Key Handle") == 0);
		CHECK(strstr(detail(&g.ev[0]), "\nQuorum Token Count : 2\n") != NULL);
		CHECK(strcmp(g.ev[0].hsm, "inline") == 0 && g.ev[0].opcode == 0x1a);
		CHECK(strcmp(g.ev[1].func, "CN_LOGOUT") == 0 && g.ev[1].seq == 0x2a && g.ev[1].ok);
		CHECK(strstr(detail(&g.ev[1]), "Sequence No : 0x2a\nFoo Bar : 12\nOpcode : CN_LOGOUT\n"));
		CHECK(g.ev[1].opcode == 0xe); /* no number printed: from ckconst */
		CHECK(g.ev[2].seq == 0x2b && g.ev[2].ts_us == 1513206546500000LL && g.ev[2].rv == 0);
		CHECK(strcmp(g.ev[3].func, "CN_LOGIN") == 0 && strcmp(g.ev[4].func, "CN_LOGOUT") == 0);
		CHECK(g.ev[3].line == 11 && g.ev[4].line == 11 && g.ev[4].ts_us == 1513206548000002LL);
		CHECK(strcmp(g.ev[5].func, "CN_APP_FINALIZE") == 0 && strcmp(g.ev[5].hsm, "hsm-sub1") == 0);
		CHECK(g.ev[5].ts_us == 1513206547000000LL && g.ev[5].incomplete && g.ev[5].session == 5);
		CHECK(strstr(detail(&g.ev[5]), "eventId : 77") != NULL);
	}
	got_free(&g);
}

/* Text that only looks like JSON stays text; JSON cut short by a field line
 * loses only the element it was in. */
static void test_json_text_mix(void)
{
	static const char mix[] =
		"[INFO] copying the audit log\n"                                /* 1 skipped */
		"{ prose in braces\n"                                           /* 2 skipped */
		"Time: 01/24/18 00:39:23.172777, usecs:1516754363172777\n"      /* 3 */
		"Opcode : CN_LOGIN (0xd)\n"
		"Response : 0:HSM Return: SUCCESS\n"
		"{\"events\": [\n"                                              /* 6 */
		"  {\"logStreamName\": \"hsm-a\", \"timestamp\": 1516754370328,\n" /* 7 skipped */
		"Time: 01/24/18 00:39:30.328334, usecs:1516754370328334\n"      /* 8 */
		"Opcode : CN_GENERATE_KEY (0x17)\n"
		"Response : 0:HSM Return: SUCCESS\n";
	struct got g = { 0 };
	struct hs_parse_stats st;

	run_text("mix.log", mix, sizeof mix - 1, 0, 1, NULL, NULL, &g, &st);
	CHECK(g.n == 2 && g.skips == 3);
	CHECK(g.skips == 3 && g.skip_line[0] == 1 && g.skip_line[1] == 2 && g.skip_line[2] == 7);
	CHECK(g.n == 2 && g.ev[0].line == 3 && g.ev[1].line == 8 && strcmp(g.ev[1].hsm, "mix") == 0);
	CHECK(strstr(g.why, "cut short by a text line") != NULL);
	CHECK(strncmp(st.state, "json=", 5) != 0); /* text: at most its stream count */
	got_free(&g);
}

static void test_huge(void)
{
	static const char head[] = "{\"events\": [\n{\"logStreamName\": \"hsm-big\", \"message\": \"";
	static const char mid[] = "\"},\n{\"logStreamName\": \"hsm-big\", \"message\": \"Time: 01/24/18 "
	                          "00:39:23.172777, usecs:1516754363172777\\nOpcode : CN_LOGIN (0xd)\\n"
	                          "Response : 0:HSM Return: SUCCESS\"}\n]}\n";
	size_t big = ((size_t)65 << 20), len = sizeof head - 1 + big + sizeof mid - 1;
	char *text = malloc(len);
	struct got g = { 0 };
	struct hs_parse_stats st;

	CHECK(text != NULL);
	if (!text)
		return;
	memcpy(text, head, sizeof head - 1);
	memset(text + sizeof head - 1, 'A', big);
	memcpy(text + sizeof head - 1 + big, mid, sizeof mid - 1);
	run_text("big.json", text, len, 0, 1, NULL, NULL, &g, &st);
	CHECK(g.n == 1 && g.skips == 1 && strstr(g.why, "larger than 64 MiB") != NULL);
	CHECK(g.n == 1 && g.ev[0].line == 3 && strcmp(g.ev[0].hsm, "hsm-big") == 0);
	got_free(&g);
	free(text);
}

/* Parse text cut at `cut`, then from the safe offset of that run on the
 * whole text with the saved state: the union must equal one full run. */
static void check_resume(const char *path, const char *marker)
{
	struct got full = { 0 }, a = { 0 }, b = { 0 };
	struct hs_parse_stats sf, sa, sb;
	size_t len, cut;
	char *text = slurp(path, &len);
	const char *m = text ? strstr(text, marker) : NULL;
	int i, kept = 0, same = 1;

	CHECK(m != NULL);
	if (!m) {
		free(text);
		return;
	}
	cut = (size_t)(m - text) + strlen(marker) / 2;
	run_text(path, text, len, 0, 1, NULL, NULL, &full, &sf);
	run_text(path, text, cut, 0, 1, NULL, NULL, &a, &sa);
	CHECK(sa.safe_offset > 0 && (size_t)sa.safe_offset < cut);
	run_text(path, text, len, (size_t)sa.safe_offset, sa.safe_line, NULL, sa.state, &b, &sb);
	for (i = 0; i < a.n; i++)
		if (a.ev[i].offset < sa.safe_offset)
			kept++;
	CHECK(kept + b.n == full.n && b.skips == 0);
	for (i = 0; i < full.n && kept + b.n == full.n; i++) {
		const struct hs_event *x = i < kept ? &a.ev[i] : &b.ev[i - kept];
		same &= same_event(x, &full.ev[i]) && x->offset == full.ev[i].offset &&
		        x->line == full.ev[i].line;
	}
	CHECK(same);
	got_free(&full);
	got_free(&a);
	got_free(&b);
	free(text);
}

static void test_resume_and_stop(void)
{
	struct got g = { 0 };
	struct hs_parse_stats st;

	check_resume(FX "doc-examples.json", "CN_DELETE_USER (0xa1)");
	check_resume(FX "doc-examples.log", "CN_DELETE_USER (0xa1)");
	check_resume(FX "doc-examples.oneline.log", "CN_DELETE_USER (0xa1)");
	/* two HSMs pasted into one file: resumed inside the second stream */
	check_resume(FX "pasted-two-hsms.log", "Sequence No : 0x27");

	g.stop_after = 2;
	CHECK(run_file(FX "doc-examples.log", NULL, &g, &st) == 1);
	CHECK(g.n == 2 && st.events == 2);
	got_free(&g);
}

/* Score of the first 64 lines of a file. */
static int probe_file(const char *path)
{
	size_t len;
	char *text = slurp(path, &len), *s;
	const char *lines[64];
	int n = 0, score;

	if (!text)
		return -1;
	for (s = text; *s && n < 64;) {
		char *nl = strchr(s, '\n');
		lines[n++] = s;
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	score = hs_detect_probe(P, lines, n);
	free(text);
	return score;
}

static void test_probe(void)
{
	static const char *const spy[] = {
		"*************** OpenSC PKCS#11 spy *****************",
		"Loaded: \"/usr/lib/softhsm/libsofthsm2.so\"",
		"0: C_Initialize",
		"2026-11-22 12:03:09.513",
		"[in] pInitArgs = (nil)",
		"Returned:  0 CKR_OK",
		"1: C_GetSlotList",
		"P:4242; T:0x4242 2026-11-22 12:03:09.514",
		"[in] tokenPresent = 0x0",
		"[out] pulCount = 0x1",
		"Returned:  0 CKR_OK",
	};
	static const char *const plain_json[] = { "{", "  \"name\": \"x\",", "  \"events\": [1, 2]", "}" };
	static const char *const cw_other[] = {
		"{", "    \"events\": [", "        {", "            \"logStreamName\": \"app\",",
		"            \"message\": \"GET /index.html 200\"", "        }", "    ]", "}" };
	const char *const *s;
	int n = 0;

	CHECK(probe_file(FX "doc-examples.log") >= 80);
	CHECK(probe_file(FX "doc-examples.oneline.log") >= 80);
	CHECK(probe_file(FX "doc-examples.json") >= 80);
	CHECK(probe_file(FX "bad.log") >= 80);
	CHECK(probe_file(FX "cert-storage.ndjson") >= 60);
	CHECK(probe_file(FX "cert-storage.json") >= 60);
	for (s = P->samples; *s; s++)
		n++;
	CHECK(n >= 6 && hs_detect_probe(P, P->samples, n) >= 80);
	CHECK(hs_detect_probe(P, spy, (int)(sizeof spy / sizeof spy[0])) < 30);
	CHECK(hs_detect_probe(P, plain_json, 4) < 30);
	CHECK(hs_detect_probe(P, cw_other, 8) < 30);
	CHECK(hs_detect_probe(P, NULL, 0) == 0);
	CHECK(strcmp(P->name, "cloudhsm") == 0 && strcmp(P->title, "AWS CloudHSM audit log") == 0);
}

int main(void)
{
	test_shapes();
	test_stem_and_streams();
	test_bad();
	test_json_damage();
	test_cert_storage();
	test_cert_odd();
	test_inline();
	test_json_text_mix();
	test_huge();
	test_resume_and_stop();
	test_probe();
	TEST_END();
}
