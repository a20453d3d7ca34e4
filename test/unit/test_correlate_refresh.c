/* test_correlate_refresh.c — the correlation of a refreshed index is the
 * correlation of the whole log: call-trace fixtures of
 * test/fixtures/correlate/ and a CloudHSM audit stream, concatenated past
 * 64 KiB, cut at several points, indexed, grown back and refreshed (from
 * the correlator's saved state, and from a damaged one: replayed); every
 * correlation table and the events' correlation columns must equal a
 * build of the whole log, event numbers compared as ranks. Split from
 * test_correlate.c.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/index.h"
#include "hsmscope/util.h"
#include "corrtest.h"

/* -------------------------------------------------------------- refresh */

/* The correlation of an index as text, event numbers as ranks (a refresh
 * leaves holes in the numbering). */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *dump(struct hs_index *ix)
{
	static const char *const tables[] = { "processes", "streams", "sessions", "logins", "spans",
		"objects", "links", "anomalies", "seq_gaps", "attributions", "events" };
	static const char *const ncols = " n peer ref first_n last_n init_n final_n open_n close_n"
		" login_n logout_n end_n created_n found_n destroyed_n ";
	sqlite3 *db = hs_index_db(ix);
	sqlite3_stmt *st, *rank;
	char **lines = NULL, sql[256], *out;
	size_t nl = 0, cap = 0, total = 1, i, t;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE n <= ?1", -1, &rank, NULL))
		return NULL;
	for (t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		int c;
		snprintf(sql, sizeof sql, strcmp(tables[t], "events") == 0 ?
		         "SELECT n, session_id, login_id, span_id FROM events" : "SELECT * FROM %s", tables[t]);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			continue;
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct hs_buf b;
			hs_buf_init(&b);
			hs_buf_adds(&b, tables[t]);
			for (c = 0; c < sqlite3_column_count(st); c++) {
				char key[40];
				snprintf(key, sizeof key, " %s ", sqlite3_column_name(st, c));
				if (strstr(ncols, key) && sqlite3_column_type(st, c) == SQLITE_INTEGER) {
					sqlite3_reset(rank);
					sqlite3_bind_int64(rank, 1, sqlite3_column_int64(st, c));
					sqlite3_step(rank);
					hs_buf_printf(&b, "|#%lld", (long long)sqlite3_column_int64(rank, 0));
				} else {
					const unsigned char *v = sqlite3_column_text(st, c);
					hs_buf_printf(&b, "|%s", v ? (const char *)v : "-");
				}
			}
			if (nl == cap) {
				cap = cap ? cap * 2 : 256;
				lines = realloc(lines, cap * sizeof *lines);
			}
			lines[nl++] = hs_strdup(hs_buf_cstr(&b));
			total += b.len + 1;
			hs_buf_free(&b);
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(rank);
	qsort(lines, nl, sizeof *lines, cmp_str);
	out = malloc(total);
	out[0] = '\0';
	for (i = 0; i < nl; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
		free(lines[i]);
	}
	free(lines);
	return out;
}

/* How the correlator's saved state is damaged between the two runs of a
 * refresh case: the refresh must then replay, and give the same tables. */
static const char *const damage_sql[] = {
	NULL,
	"UPDATE corr_chunks SET data = zeroblob(length(data)) WHERE k = 0",
	"UPDATE corr_chunks SET data = substr(data, 1, 100) WHERE k = (SELECT max(k) FROM corr_chunks)",
	"UPDATE corr_state SET state = randomblob(40)",
	"DELETE FROM corr_chunks WHERE k = 0",
	"UPDATE corr_state SET kept_n = kept_n + 1",
	"DROP TABLE corr_state",
};

static void damage_state(const char *dbname, int how)
{
	char path[300];
	sqlite3 *db;

	snprintf(path, sizeof path, "%s/%s", tmp, dbname);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, damage_sql[how], NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
}

/* Index `whole` cut at its line `cut`, then grown to all of it (a
 * refresh), and compare with indexing it whole. damage: damage_sql[]. */
static void refresh_case(const char *whole, size_t len, double at, const char *name, int damage)
{
	char path[300];
	const char *p = path;
	struct hs_index *ix;
	char *a, *b;
	size_t cut = (size_t)((double)len * at);

	while (cut < len && whole[cut - 1] != '\n')
		cut++;
	snprintf(path, sizeof path, "%s/%s", tmp, name);
	CHECK(write_file(path, whole, cut) == 0);
	ix = open_paths(&p, 1, "grow.db", 1);
	CHECK(ix != NULL);
	/* every run leaves the correlator's state, to go on from */
	CHECK(ix && q1(ix, "SELECT count(*) FROM corr_state") == 1);
	CHECK(ix && q1(ix, "SELECT count(*) FROM corr_chunks") >= 1);
	hs_index_close(ix);
	if (damage)
		damage_state("grow.db", damage);
	CHECK(write_file(path, whole, len) == 0);
	ix = open_paths(&p, 1, "grow.db", 0);
	CHECK(ix != NULL);
	if (!ix)
		return;
	CHECK(hs_index_info(ix)->refreshed == 1);
	CHECK(q1(ix, "SELECT count(*) FROM corr_state WHERE state IS NOT NULL") == 1);
	a = dump(ix);
	hs_index_close(ix);
	ix = open_paths(&p, 1, "whole.db", 1);
	CHECK(ix != NULL);
	if (!ix) {
		free(a);
		return;
	}
	b = dump(ix);
	hs_index_close(ix);
	CHECK(a && b && strcmp(a, b) == 0);
	if (a && b && strcmp(a, b) != 0) {
		fprintf(stderr, "refresh of %s at %.2f differs from a whole build\n", name, at);
		write_file("/tmp/hs-refresh.txt", a, strlen(a));
		write_file("/tmp/hs-whole.txt", b, strlen(b));
	}
	free(a);
	free(b);
}

static void test_refresh(void)
{
	static const char *const spy[] = { "handle-reuse.log", "threads.log", "two-procs.log",
		"anomalies.log", "logins.log", "ops.log", "killed.log" };
	static const double cuts[] = { 0.45, 0.62, 0.81, 0.97 };
	struct hs_buf big;
	size_t i, len;
	int k;
	char path[256], *s;

	/* call traces: every fixture again and again, > 64 KiB before the cut */
	hs_buf_init(&big);
	for (k = 0; k < 12; k++)
		for (i = 0; i < sizeof spy / sizeof spy[0]; i++) {
			snprintf(path, sizeof path, FX "%s", spy[i]);
			if ((s = slurp(path, &len))) {
				hs_buf_add(&big, s, len);
				free(s);
			}
		}
	CHECK(big.len > 200000);
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
		refresh_case(big.data, big.len, cuts[i], "grow.log", 0);
	/* a damaged saved state: replayed, the same tables */
	for (k = 1; k < (int)(sizeof damage_sql / sizeof damage_sql[0]); k++)
		refresh_case(big.data, big.len, cuts[k % 4], "grow.log", k);
	hs_buf_free(&big);
	/* an audit stream */
	hs_buf_init(&big);
	for (k = 0; k < 40; k++)
		if ((s = slurp(FX "audit-a.log", &len))) {
			hs_buf_add(&big, s, len);
			free(s);
		}
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
		refresh_case(big.data, big.len, cuts[i], "grow-audit.log", 0);
	refresh_case(big.data, big.len, cuts[1], "grow-audit.log", 1);
	hs_buf_free(&big);
}

int main(void)
{
	if (corr_begin() < 0)
		return 1;
	test_refresh();
	corr_end();
	TEST_END();
}
