/* test_corrsink.c — the correlator alone, with no database: real captures
 * (test/fixtures/correlate/, test/fixtures/spy/, share/samples/; paths
 * relative to the repository root) go through the pipeline into a
 * correlator whose sink is an in-memory table (rows with an id replace
 * the row with that id, like the index; the others are appended), and
 * the rows it emits are checked.
 *
 * Then the saved state: cut the events of a capture at every k, run the
 * first k, save the state, run finish() (what an index build does), load
 * the state into a new correlator, drop the rows written after the save
 * (hs_corrstore_rewind's rule, in memory), run the rest: the tables and
 * every event's correlation fields must equal one run over all events —
 * also from a state rebuilt by replay while the live one went further. And loading damaged states: every
 * truncation is refused, and random bytes never crash what follows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/correlate.h"
#include "hsmscope/pipeline.h"
#include "harness.h"

/* ------------------------------------------------------------ events */

struct evs {
	struct hs_event *ev;        /* owned copies, numbered from 1 */
	int n, cap;
};

static int keep_event(void *ctx, struct hs_event *e)
{
	struct evs *v = ctx;

	if (v->n == v->cap) {
		int cap = v->cap ? v->cap * 2 : 64;
		struct hs_event *nv = realloc(v->ev, (size_t)cap * sizeof *nv);
		if (!nv)
			return 1;
		v->ev = nv;
		v->cap = cap;
	}
	hs_event_init(&v->ev[v->n]);
	if (hs_event_copy(&v->ev[v->n], e) < 0)
		return 1;
	v->ev[v->n].n = v->n + 1;
	v->n++;
	return 0;
}

static int load_events(const char *path, struct evs *v)
{
	struct hs_pipeline_input in;
	struct hs_sink sink = { .ctx = v, .on_event = keep_event };
	struct hs_parse_stats st;
	struct hs_error err;

	memset(v, 0, sizeof *v);
	memset(&in, 0, sizeof in);
	memset(&st, 0, sizeof st);
	in.path = path;
	in.start_line = 1;
	if (hs_pipeline_detect(path, &in.parser, &err) < 0 || hs_pipeline_run(&in, &sink, &st, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		hs_parse_stats_free(&st);
		return -1;
	}
	hs_parse_stats_free(&st); /* the parser's resume state: not used here */
	return 0;
}

static void free_events(struct evs *v)
{
	int i;

	for (i = 0; i < v->n; i++)
		hs_event_free(&v->ev[i]);
	free(v->ev);
	memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------ in-memory table */

#define APPEND_KINDS 4          /* anomalies, links, gaps, attributions */

struct mem {
	char **keyed;               /* owned lines of rows with an id; "kind|id|..." */
	int64_t *key_id;
	int *key_kind;
	int nkeyed, capkeyed;
	char **app[APPEND_KINDS];   /* owned lines of the append-only tables */
	int napp[APPEND_KINDS], capapp[APPEND_KINDS];
	int count[HS_CROW_COUNT];   /* rows received, by kind */
};

static int app_of(enum hs_corr_kind k)
{
	switch (k) {
	case HS_CROW_ANOMALY: return 0;
	case HS_CROW_LINK: return 1;
	case HS_CROW_GAP: return 2;
	case HS_CROW_ATTR: return 3;
	default: return -1;
	}
}

#define I(v) ((long long)(v))
#define S(s) ((s) && *(s) ? (s) : "-")

static int64_t fmt_row(const struct hs_corr_row *r, char *b, size_t len)
{
	switch (r->kind) {
	case HS_CROW_ANOMALY: {
		const struct hs_crow_anomaly *a = &r->u.anomaly;
		snprintf(b, len, "anomaly|%lld|%s|%lld|%d|%s", I(a->n), a->kind, I(a->ref), a->at_end, S(a->detail));
		return 0;
	}
	case HS_CROW_LINK:
		snprintf(b, len, "link|%lld|%lld|%s", I(r->u.link.n), I(r->u.link.peer), r->u.link.kind);
		return 0;
	case HS_CROW_SESSION: {
		const struct hs_crow_session *w = &r->u.session;
		snprintf(b, len, "session|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%s",
		         I(w->id), I(w->process_id), I(w->file_id), I(w->instance), I(w->slot), I(w->handle),
		         I(w->open_n), I(w->close_n), I(w->first_n), I(w->last_n), I(w->calls),
		         I(w->errors), S(w->state));
		return w->id;
	}
	case HS_CROW_LOGIN: {
		const struct hs_crow_login *w = &r->u.login;
		snprintf(b, len, "login|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%s|%s|%s",
		         I(w->id), I(w->process_id), I(w->file_id), I(w->instance), I(w->slot),
		         I(w->user_type), I(w->session_id), I(w->session), I(w->login_n), I(w->logout_n),
		         I(w->last_n), I(w->calls), I(w->errors), S(w->hsm), S(w->user), S(w->state));
		return w->id;
	}
	case HS_CROW_SPAN: {
		const struct hs_crow_span *w = &r->u.span;
		snprintf(b, len, "span|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%s|%s", I(w->id), I(w->session_id),
		         I(w->init_n), I(w->end_n), I(w->last_n), I(w->calls), I(w->errors), S(w->kind),
		         S(w->state));
		return w->id;
	}
	case HS_CROW_OBJECT: {
		const struct hs_crow_object *w = &r->u.object;
		snprintf(b, len, "object|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%s|%s|%s|%s|%s",
		         I(w->id), I(w->file_id), I(w->instance), I(w->handle), I(w->token),
		         I(w->session_id), I(w->created_n), I(w->found_n), I(w->destroyed_n), I(w->last_n),
		         I(w->uses), S(w->hsm), S(w->label), S(w->obj_id), S(w->cls), S(w->state));
		return w->id;
	}
	case HS_CROW_PROCESS: {
		const struct hs_crow_process *w = &r->u.process;
		snprintf(b, len, "process|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%s", I(w->id),
		         I(w->file_id), I(w->instance), I(w->pid), I(w->first_n), I(w->last_n),
		         I(w->init_n), I(w->final_n), I(w->calls), I(w->errors), S(w->state));
		return w->id;
	}
	case HS_CROW_STREAM: {
		const struct hs_crow_stream *w = &r->u.stream;
		snprintf(b, len, "stream|%lld|%s|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld", I(w->id),
		         S(w->hsm), I(w->file_id), I(w->first_n), I(w->last_n), I(w->first_ts),
		         I(w->last_ts), I(w->events), I(w->errors), I(w->reboots), I(w->gaps), I(w->missing));
		return w->id;
	}
	case HS_CROW_GAP:
		snprintf(b, len, "gap|%lld|%s|%lld|%lld|%lld", I(r->u.gap.n), S(r->u.gap.hsm),
		         I(r->u.gap.after), I(r->u.gap.before), I(r->u.gap.missing));
		return 0;
	case HS_CROW_ATTR:
		snprintf(b, len, "attr|%lld|%s", I(r->u.attr.n), S(r->u.attr.users));
		return 0;
	default:
		snprintf(b, len, "?");
		return 0;
	}
}

static int mem_row(void *ctx, const struct hs_corr_row *r, struct hs_error *err)
{
	struct mem *m = ctx;
	char line[2048];
	int64_t id = fmt_row(r, line, sizeof line);
	int a = app_of(r->kind), i;

	(void)err;
	if ((unsigned)r->kind < HS_CROW_COUNT)
		m->count[r->kind]++;
	if (a >= 0) {
		if (m->napp[a] == m->capapp[a]) {
			m->capapp[a] = m->capapp[a] ? m->capapp[a] * 2 : 64;
			m->app[a] = realloc(m->app[a], (size_t)m->capapp[a] * sizeof *m->app[a]);
		}
		m->app[a][m->napp[a]++] = strdup(line);
		return 0;
	}
	for (i = 0; i < m->nkeyed; i++)
		if (m->key_kind[i] == (int)r->kind && m->key_id[i] == id) {
			free(m->keyed[i]);
			m->keyed[i] = strdup(line);
			return 0;
		}
	if (m->nkeyed == m->capkeyed) {
		m->capkeyed = m->capkeyed ? m->capkeyed * 2 : 64;
		m->keyed = realloc(m->keyed, (size_t)m->capkeyed * sizeof *m->keyed);
		m->key_id = realloc(m->key_id, (size_t)m->capkeyed * sizeof *m->key_id);
		m->key_kind = realloc(m->key_kind, (size_t)m->capkeyed * sizeof *m->key_kind);
	}
	m->keyed[m->nkeyed] = strdup(line);
	m->key_id[m->nkeyed] = id;
	m->key_kind[m->nkeyed++] = r->kind;
	return 0;
}

static void mem_free(struct mem *m)
{
	int i, a;

	for (i = 0; i < m->nkeyed; i++)
		free(m->keyed[i]);
	free(m->keyed);
	free(m->key_id);
	free(m->key_kind);
	for (a = 0; a < APPEND_KINDS; a++) {
		for (i = 0; i < m->napp[a]; i++)
			free(m->app[a][i]);
		free(m->app[a]);
	}
	memset(m, 0, sizeof *m);
}

/* Drop what was written after a state was saved: append-only rows past
 * its marks, rows whose id it had not handed out yet. */
static void mem_rewind(struct mem *m, const int marks[APPEND_KINDS], const struct hs_correlator *c)
{
	int i, a, j = 0;

	for (a = 0; a < APPEND_KINDS; a++)
		while (m->napp[a] > marks[a])
			free(m->app[a][--m->napp[a]]);
	for (i = 0; i < m->nkeyed; i++) {
		if (m->key_id[i] >= hs_correlate_next_id(c, (enum hs_corr_kind)m->key_kind[i])) {
			free(m->keyed[i]);
			continue;
		}
		m->keyed[j] = m->keyed[i];
		m->key_id[j] = m->key_id[i];
		m->key_kind[j++] = m->key_kind[i];
	}
	m->nkeyed = j;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row, sorted, one per line, then the events' correlation fields. */
static char *mem_dump(const struct mem *m, const struct evs *v)
{
	int n = m->nkeyed, i, a, k = 0;
	char **all;
	size_t len = 1;
	char *out;

	for (a = 0; a < APPEND_KINDS; a++)
		n += m->napp[a];
	all = malloc((size_t)(n ? n : 1) * sizeof *all);
	for (i = 0; i < m->nkeyed; i++)
		all[k++] = m->keyed[i];
	for (a = 0; a < APPEND_KINDS; a++)
		for (i = 0; i < m->napp[a]; i++)
			all[k++] = m->app[a][i];
	qsort(all, (size_t)n, sizeof *all, cmp_str);
	for (i = 0; i < n; i++)
		len += strlen(all[i]) + 1;
	len += (size_t)v->n * 256;
	out = malloc(len);
	out[0] = '\0';
	for (i = 0, k = 0; i < n; i++)
		k += sprintf(out + k, "%s\n", all[i]);
	for (i = 0; i < v->n; i++) {
		const struct hs_event *e = &v->ev[i];
		k += snprintf(out + k, 256, "ev|%lld|%lld|%lld|%lld|%lld|%.150s\n", I(e->n), I(e->session_id),
		              I(e->login_id), I(e->span_id), I(e->peer), e->anomalies);
	}
	free(all);
	return out;
}

/* ----------------------------------------------------------- running */

static struct hs_correlator *corr_new(struct mem *m)
{
	struct hs_corr_sink sink = { m, mem_row };
	struct hs_correlator *c = NULL;
	struct hs_error err;

	if (hs_correlate_new(m ? &sink : NULL, &c, &err) < 0)
		return NULL;
	return c;
}

static int feed(struct hs_correlator *c, struct evs *v, int from, int to)
{
	struct hs_error err;
	int i;

	for (i = from; i < to; i++)
		if (hs_correlate_event(c, &v->ev[i], &err) < 0) {
			fprintf(stderr, "correlation: %s\n", err.msg);
			return -1;
		}
	return 0;
}

/* One run over every event: the reference. */
static char *run_all(struct evs *v, struct mem *m)
{
	struct hs_correlator *c = corr_new(m);
	struct hs_error err;

	memset(m, 0, sizeof *m);
	if (!c || feed(c, v, 0, v->n) < 0 || hs_correlate_finish(c, &err) < 0) {
		hs_correlate_free(c);
		return NULL;
	}
	hs_correlate_free(c);
	return mem_dump(m, v);
}

/* The first k events, save (how: 0 not clean, 1 clean, 2 rebuilt by
 * replay), finish; load, rewind, the rest, finish. */
static char *run_split(struct evs *v, int k, int how)
{
	struct hs_correlator *a = NULL, *b = NULL;
	struct hs_error err;
	struct hs_buf blob;
	struct mem m;
	int marks[APPEND_KINDS], i, rc = -1;
	char *out = NULL;

	memset(&m, 0, sizeof m);
	hs_buf_init(&blob);
	if (!(a = corr_new(&m)) || feed(a, v, 0, k) < 0)
		goto out;
	for (i = 0; i < APPEND_KINDS; i++)
		marks[i] = m.napp[i];
	/* rebuilt by replay: as an index does when the parse ended with events
	 * past its resume point (a call still open), the live correlator has
	 * seen a few more (their rows are dropped by the rewind) */
	if (how == 2 && feed(a, v, k, k + 3 < v->n ? k + 3 : v->n) < 0)
		goto out;
	if (how == 2) {
		struct hs_correlator *r = corr_new(NULL);
		for (i = 0; r && i < k; i++) {
			struct hs_event *e = &v->ev[i];
			int lq = e->detail.len ? hs_correlate_length_query(hs_buf_cstr(&e->detail), e->detail.len) : 0;
			if (hs_correlate_replay_event(r, e, lq, &err) < 0)
				break;
		}
		rc = r && i == k ? hs_correlate_save(r, 0, &blob) : -1;
		hs_correlate_free(r);
	} else {
		rc = hs_correlate_save(a, how, &blob);
	}
	if (rc < 0 || hs_correlate_finish(a, &err) < 0)
		goto out;
	rc = -1;
	if (!(b = corr_new(&m)) || hs_correlate_load(b, blob.data, blob.len) < 0)
		goto out;
	mem_rewind(&m, marks, b);
	if (feed(b, v, k, v->n) < 0 || hs_correlate_finish(b, &err) < 0)
		goto out;
	out = mem_dump(&m, v);
out:
	hs_correlate_free(a);
	hs_correlate_free(b);
	hs_buf_free(&blob);
	mem_free(&m);
	return out;
}

/* ------------------------------------------------------------- checks */

static int has(const char *dump, const char *needle)
{
	return strstr(dump, needle) != NULL;
}

static int count_lines(const char *dump, const char *prefix)
{
	int n = 0;
	size_t l = strlen(prefix);

	for (const char *p = dump; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, l) == 0;
	return n;
}

static void test_rows(void)
{
	struct evs v;
	struct mem m;
	char *d;

	/* one process, a session handle and an object handle reused */
	CHECK(load_events("test/fixtures/correlate/handle-reuse.log", &v) == 0);
	d = run_all(&v, &m);
	CHECK(d != NULL);
	CHECK(count_lines(d, "session|") == 2);
	CHECK(m.count[HS_CROW_SESSION] == 2);
	CHECK(count_lines(d, "anomaly|") == 0);
	CHECK(has(d, "|aes-one|01|CKO_SECRET_KEY|destroyed\n"));
	CHECK(has(d, "|data-two|"));
	CHECK(has(d, "|Sign|init_failed\n"));
	CHECK(count_lines(d, "link|") > 0);
	free(d);
	mem_free(&m);
	free_events(&v);

	/* a process killed inside C_SignUpdate: what the end of the log tells */
	CHECK(load_events("test/fixtures/correlate/killed.log", &v) == 0);
	d = run_all(&v, &m);
	CHECK(d != NULL);
	CHECK(count_lines(d, "anomaly|") == 4);
	CHECK(has(d, "|never_returned|"));
	CHECK(has(d, "|init_unfinished|") && has(d, "|session_leaked|") && has(d, "|login_unended|"));
	CHECK(has(d, "|Sign|unfinished\n"));
	CHECK(count_lines(d, "process|") == 2);
	CHECK(has(d, "|finalized\n") && has(d, "|running\n"));
	CHECK(count_lines(d, "login|") == 1 && has(d, "|-|-|open\n"));
	free(d);
	mem_free(&m);
	free_events(&v);

	/* threads: three sessions, spans per thread, one login over all */
	CHECK(load_events("test/fixtures/correlate/threads.log", &v) == 0);
	d = run_all(&v, &m);
	CHECK(d != NULL);
	CHECK(count_lines(d, "session|") == 3);
	CHECK(count_lines(d, "span|") == 4); /* three signatures, one search */
	CHECK(strstr(d, "|Sign|done\n") && strstr(strstr(d, "|Sign|done\n") + 1, "|Sign|done\n"));
	CHECK(count_lines(d, "login|") == 1);
	CHECK(count_lines(d, "anomaly|") == 0);
	free(d);
	mem_free(&m);
	free_events(&v);

	/* one of each call-trace anomaly */
	CHECK(load_events("test/fixtures/correlate/anomalies.log", &v) == 0);
	d = run_all(&v, &m);
	CHECK(d != NULL);
	{
		static const char *const kinds[] = {
			"op_without_init", "init_unfinished", "destroyed_handle", "unknown_handle",
			"session_not_open", "logout_without_login", "call_after_finalize",
			"session_leaked", "login_unended", "handle_missing",
		};
		char k[64];
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
			snprintf(k, sizeof k, "|%s|", kinds[i]);
			CHECK(has(d, k));
		}
	}
	free(d);
	mem_free(&m);
	free_events(&v);

	/* CloudHSM: streams, gaps, logins, attributions */
	CHECK(load_events("test/fixtures/correlate/audit-a.log", &v) == 0);
	d = run_all(&v, &m);
	CHECK(d != NULL);
	CHECK(count_lines(d, "stream|") >= 1);
	CHECK(count_lines(d, "gap|") >= 1);
	CHECK(count_lines(d, "attr|") >= 1);
	CHECK(count_lines(d, "login|") >= 1);
	free(d);
	mem_free(&m);
	free_events(&v);
}

/* Saving at every event and going on gives what one run gives. */
static void split_everywhere(const char *path, int step)
{
	struct evs v;
	struct mem m;
	char *ref, *got;
	int k, how, bad = 0;

	CHECK(load_events(path, &v) == 0);
	ref = run_all(&v, &m);
	mem_free(&m);
	CHECK(ref != NULL && v.n > 5);
	for (k = 0; ref && k <= v.n; k += (k + step > v.n && k < v.n) ? v.n - k : step)
		for (how = 0; how < 3; how++) {
			got = run_split(&v, k, how);
			if (!got || strcmp(got, ref) != 0) {
				if (bad++ < 3)
					fprintf(stderr, "%s: saved after %d events (%s): differs from one run\n",
					        path, k, how == 2 ? "replayed" : how ? "clean" : "not clean");
			}
			free(got);
		}
	CHECK(bad == 0);
	free(ref);
	free_events(&v);
}

static void test_split(void)
{
	split_everywhere("test/fixtures/correlate/handle-reuse.log", 1);
	split_everywhere("test/fixtures/correlate/killed.log", 1);
	split_everywhere("test/fixtures/correlate/anomalies.log", 1);
	split_everywhere("test/fixtures/correlate/logins.log", 1);
	split_everywhere("test/fixtures/correlate/ops.log", 1);
	split_everywhere("test/fixtures/correlate/audit-a.log", 1);
	split_everywhere("test/fixtures/spy/conc-procs-threads-0261.log", 7);
	split_everywhere("share/samples/hsm-abcde123456.log", 1);
}

/* Damaged states: refused, or taken without harm. */
static void test_damaged(void)
{
	const char *paths[] = { "test/fixtures/spy/conc-procs-threads-0261.log",
	                        "test/fixtures/correlate/audit-a.log" };
	unsigned long long seed = 0x2545F4914F6CDD1Dull;

	for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
		struct hs_correlator *a, *b;
		struct hs_error err;
		struct hs_buf blob;
		struct evs v;
		size_t len;
		int refused = 0, tries = 0, i;

		CHECK(load_events(paths[p], &v) == 0);
		hs_buf_init(&blob);
		a = corr_new(NULL);
		CHECK(a && feed(a, &v, 0, v.n / 2) == 0 && hs_correlate_save(a, 1, &blob) == 0);
		hs_correlate_free(a);
		/* every truncation is refused, and leaves a fresh state that works */
		for (len = 0; len < blob.len; len += len < 512 ? 1 : 61) {
			b = corr_new(NULL);
			tries++;
			refused += hs_correlate_load(b, blob.data, len) < 0;
			CHECK(feed(b, &v, 0, v.n) == 0 && hs_correlate_finish(b, &err) == 0);
			hs_correlate_free(b);
		}
		CHECK(tries > 100 && refused == tries);
		/* random bytes: whatever load says, what follows must not crash */
		for (i = 0; i < 600; i++) {
			char *copy = malloc(blob.len);
			int flips = 1 + i % 4, f;
			memcpy(copy, blob.data, blob.len);
			for (f = 0; f < flips; f++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				copy[(seed >> 33) % blob.len] = (char)(seed >> 17);
			}
			b = corr_new(NULL);
			(void)hs_correlate_load(b, copy, blob.len);
			feed(b, &v, v.n / 2, v.n);
			hs_correlate_finish(b, &err);
			hs_correlate_free(b);
			free(copy);
		}
		hs_buf_free(&blob);
		free_events(&v);
	}
}

int main(void)
{
	test_rows();
	test_split();
	test_damaged();
	TEST_END();
}
