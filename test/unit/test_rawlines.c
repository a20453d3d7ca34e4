/* test_rawlines.c — the Raw pane's lines (rawlines.h): the file's lines
 * around a call in file order, the call's own marked, read back through
 * redaction.
 *
 * With --dump INDEX HSM FILE... it prints every event's window of the
 * index of FILE... instead (test/capture/secrets_mutated.sh searches that
 * output for secrets, as it does every other output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsmscope/index.h"
#include "hsmscope/query.h"
#include "hsmscope/rawlines.h"

#include "harness.h"

#define FX "test/fixtures/spy/"

static struct hs_index *open_ix(const char *const *paths, int n, const char *db, const char *hsm)
{
	struct hs_index_opts o;
	struct hs_index *ix = NULL;
	struct hs_error err;

	memset(&o, 0, sizeof o);
	o.index_path = db;
	o.keep_going = 1;
	o.hsm_name = hsm;
	hs_error_clear(&err);
	if (hs_index_open(paths, n, &o, &ix, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return NULL;
	}
	return ix;
}

/* Every event's window, one after the other: "#n" then '>'/'~'/' ' lines. */
static int dump_all(struct hs_index *ix, FILE *out)
{
	struct hs_query *q = NULL;
	struct hs_event ev;
	struct hs_rawlines r;
	struct hs_error err;
	int rc, i, shown = 0;

	hs_event_init(&ev);
	hs_rawlines_init(&r);
	hs_error_clear(&err);
	if (hs_query_open(ix, NULL, 0, &q, &err) < 0)
		return -1;
	while ((rc = hs_query_next(q, &ev, &err)) == 1) {
		if (hs_rawlines_read(ix, &ev, 0, &r, &err) != 1)
			continue;
		fprintf(out, "#%lld %s\n", (long long)ev.n, ev.func);
		for (i = 0; i < r.n; i++)
			fprintf(out, "%c%.*s\n", " >~"[r.line[i].owner], (int)r.line[i].len, r.line[i].s);
		shown++;
	}
	hs_query_close(q);
	hs_rawlines_free(&r);
	hs_event_free(&ev);
	return rc < 0 ? -1 : shown;
}

/* The window of event n, as dump_all writes it, into buf. */
static int window_of(struct hs_index *ix, int64_t n, char *buf, size_t cap, struct hs_rawlines *r)
{
	struct hs_event ev;
	struct hs_error err;
	size_t at = 0;
	int i, rc;

	hs_event_init(&ev);
	hs_error_clear(&err);
	buf[0] = '\0';
	rc = hs_query_event(ix, n, &ev, &err) == 1 ? hs_rawlines_read(ix, &ev, 0, r, &err) : -1;
	hs_event_free(&ev);
	for (i = 0; rc == 1 && i < r->n && at + r->line[i].len + 3 < cap; i++) {
		buf[at++] = " >~"[r->line[i].owner];
		memcpy(buf + at, r->line[i].s, r->line[i].len);
		at += r->line[i].len;
		buf[at++] = '\n';
		buf[at] = '\0';
	}
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) && fread(s, 1, (size_t)n, f) == (size_t)n) {
		s[n] = '\0';
		*len = (size_t)n;
	} else {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/* threads-new.log: C_Sign No. 5 wrote lines 37-41 and 49-53, another
 * thread's C_SignInit 42-48 between them. */
static void test_interleaved(const char *dir)
{
	const char *paths[] = { FX "threads-new.log" };
	char db[512], buf[8192];
	struct hs_rawlines r;
	struct hs_index *ix;
	int i;

	snprintf(db, sizeof db, "%s/threads.db", dir);
	ix = open_ix(paths, 1, db, NULL);
	CHECK(ix != NULL);
	if (!ix)
		return;
	hs_rawlines_init(&r);
	CHECK(window_of(ix, 5, buf, sizeof buf, &r) == 1);
	CHECK(r.n == 17 && r.own == 10 && r.own_left == 0);
	for (i = 0; i < r.n; i++) {
		int64_t l = r.line[i].lineno;
		CHECK(l == 37 + i);
		CHECK(r.line[i].owner == ((l <= 41 || l >= 49) ? HS_RAW_OWN : HS_RAW_OTHER));
	}
	/* byte for byte the file's, where nothing is secret */
	CHECK(strstr(buf, ">4: C_Sign\n>P:5001; T:0x140210071299904 2026-11-22 12:35:02.348\n") == buf);
	CHECK(strstr(buf, "\n 5: C_SignInit\n") != NULL);
	CHECK(strstr(buf, "\n [in] hKey = 0x9\n") != NULL);
	CHECK(strstr(buf, "\n>    00000010  67 65 20 30") != NULL);
	CHECK(strstr(buf, "\n>Returned:  0 CKR_OK\n") != NULL);
	/* the C_SignInit's own: the return that was not the C_Sign's */
	CHECK(window_of(ix, 6, buf, sizeof buf, &r) == 1);
	CHECK(strstr(buf, ">5: C_SignInit\n") == buf);
	CHECK(strstr(buf, "\n>Returned:  130 CKR_KEY_HANDLE_INVALID\n") != NULL);
	/* the C_Sign's lines between are redacted as the C_Sign's: its output
	 * dump in clear, the rest of its input dump (announced above the
	 * window: out of its context) masked */
	CHECK(strstr(buf, "\n     00000000  A0 A1 A2") != NULL);
	CHECK(strstr(buf, "\n     ********  ** ** ** **   ") != NULL);
	CHECK(strstr(buf, "67 65 20 30") == NULL);
	hs_rawlines_free(&r);
	hs_index_close(ix);
}

static const char *const secrets[] = {
	"so-pin-8642", "user-pin-1357", "wrong-pin-0000", "secret-aes-key-m", "aterial-00112233",
	"rsa-private-valu", "private-exponent", "prime-one-p", "prime-two-q", "exponent-one-dp",
	"exponent-two-dq", "coefficient-qinv",
	"73 6F 2D 70", "75 73 65 72 2D 70", "77 72 6F 6E 67", "73 65 63 72 65 74", "72 73 61 2D",
	"70 72 69 76 61 74 65", "70 72 69 6D 65", "65 78 70 6F", "63 6F 65 66", NULL,
};

/* A mutation of the whitespace, the ways pastes rewrite it. */
static void mutate(const char *in, size_t n, int how, FILE *out)
{
	size_t i;
	int bol = 1;

	for (i = 0; i < n; i++) {
		char c = in[i];
		if (c == '\n') {
			if (how == 3)
				fputs("  \t ", out);
			if (how == 4)
				fputc('\r', out);
			fputc('\n', out);
			bol = 1;
			continue;
		}
		if (c == ' ' && how == 1 && i + 1 < n && in[i + 1] == ' ') { /* squeezed */
			continue;
		}
		if (c == ' ' && how == 2 && bol) /* no indentation */
			continue;
		if (c == ' ' && how == 5 && i + 1 < n && in[i + 1] == ' ') { /* runs of blanks: a TAB */
			while (i + 1 < n && in[i + 1] == ' ')
				i++;
			fputc('\t', out);
			bol = 0;
			continue;
		}
		if (how == 6 && c == ' ' && i + 2 < n && in[i + 1] == '=' && in[i + 2] == ' ') {
			fputc('=', out); /* "name=value" */
			i += 2;
			bol = 0;
			continue;
		}
		fputc(c, out);
		bol = 0;
	}
}

/* Every call's window of secrets.log (PINs and keys, another thread's
 * C_Login inside a C_CreateObject's template), under each mutation:
 * no secret, as text or hex. */
static void test_secrets(const char *dir)
{
	size_t n;
	char *src = slurp(FX "secrets.log", &n), path[512], db[512];
	int how, s, shown;

	CHECK(src != NULL);
	for (how = 0; src && how <= 6; how++) {
		const char *paths[1] = { path };
		struct hs_index *ix;
		FILE *f;
		char *out;
		size_t olen;
		snprintf(path, sizeof path, "%s/secrets-%d.log", dir, how);
		snprintf(db, sizeof db, "%s/secrets-%d.db", dir, how);
		f = fopen(path, "wb");
		CHECK(f != NULL);
		if (!f)
			continue;
		mutate(src, n, how, f);
		fclose(f);
		ix = open_ix(paths, 1, db, NULL);
		CHECK(ix != NULL);
		if (!ix)
			continue;
		snprintf(path, sizeof path, "%s/secrets-%d.raw", dir, how);
		f = fopen(path, "wb");
		shown = f ? dump_all(ix, f) : -1;
		if (f)
			fclose(f);
		hs_index_close(ix);
		CHECK(shown >= 15);
		out = slurp(path, &olen);
		CHECK(out != NULL);
		for (s = 0; out && secrets[s]; s++) {
			int hit = strstr(out, secrets[s]) != NULL;
			if (hit)
				fprintf(stderr, "mutation %d: '%s' in a raw window\n", how, secrets[s]);
			CHECK(!hit);
		}
		/* what is not secret stays: the frame and the C_Login's call */
		CHECK(out && strstr(out, ">10: C_Login") != NULL);
		CHECK(out && strstr(out, "CKR_OK") != NULL);
		free(out);
	}
	free(src);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hs_test_rawlines.XXXXXX";
	char cmd[600];

	if (argc >= 4 && strcmp(argv[1], "--dump") == 0) {
		struct hs_index *ix = open_ix((const char *const *)argv + 4, argc - 4, argv[2],
		                              argv[3][0] ? argv[3] : NULL);
		int shown = ix ? dump_all(ix, stdout) : -1;
		if (ix)
			hs_index_close(ix);
		fprintf(stderr, "%d windows\n", shown);
		return shown < 0;
	}
	if (!mkdtemp(dir)) {
		CHECK(0);
		TEST_END();
	}
	test_interleaved(dir);
	test_secrets(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	TEST_END();
}
