/* query.c — reading events back out of the index.
 *
 * Every cursor runs one prepared statement: the event columns in `events`
 * order plus the event's handles folded into one string by a correlated
 * subquery (so a million-event export runs one statement, not a million).
 * The filter's SQL is a boolean expression with bound parameters only; it
 * is pasted into our own fixed text, never user text.
 */
#include "hsmscope/query.h"

#include "hsmscope/detect.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evcols.h"

struct hs_query {
	sqlite3_stmt *st;           /* owned */
	struct hs_index *ix;        /* not owned */
};

/* The columns come from evcols.h; DETAIL, the last, is
 * HS_EVENT_DETAIL_SQL or "NULL": a list page, a grep line or a count never
 * reads the detail text (decompressed from its block on demand). */
#define EVENT_COLS_D(DETAIL) HS_EVQUERY_COLS_SQL ", " DETAIL
enum { HS_EVCOLS(HS_EV_X_QENUM) HS_EVQ_DETAIL_ }; /* HS_EVQ_<column>: its place */
#define EVENT_COLS EVENT_COLS_D(HS_EVENT_DETAIL_SQL)
#define LIST_COLS EVENT_COLS_D("NULL")

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, i);
}

static void col_str(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	hs_strlcpy(dst, s ? (const char *)s : "", len);
}

static int fill(sqlite3_stmt *st, struct hs_event *e)
{
	const char *d = (const char *)sqlite3_column_text(st, HS_EVQ_DETAIL_), *keys;

	hs_event_reset(e);
	HS_EVQUERY_FILL
	/* the calc columns of evcols.h: the detail text and the handles */
	if (hs_buf_add(&e->detail, d ? d : "", (size_t)sqlite3_column_bytes(st, HS_EVQ_DETAIL_)) < 0)
		return -1;
	keys = (const char *)sqlite3_column_text(st, HS_EVQ_keys);
	while (keys && *keys) {
		/* "role=handle role=handle" */
		const char *eq = strchr(keys, '='), *sp;
		char role[24];
		size_t rl;
		long long h;
		if (!eq)
			break;
		rl = (size_t)(eq - keys);
		if (rl >= sizeof role)
			rl = sizeof role - 1;
		memcpy(role, keys, rl);
		role[rl] = '\0';
		h = strtoll(eq + 1, NULL, 10);
		hs_event_add_key(e, h, role);
		sp = strchr(eq, ' ');
		keys = sp ? sp + 1 : NULL;
	}
	hs_strlcpy(e->hint, hs_event_hint(e->func), sizeof e->hint);
	return 0;
}

/* A statement built in a buffer: its text, or NULL when building it ran
 * out of memory (the buffer's sticky error, checked here once for all) */
static const char *built(const struct hs_buf *sql)
{
	return hs_buf_failed(sql) ? NULL : hs_buf_cstr(sql);
}

static int prepare(struct hs_index *ix, const char *sql, const struct hs_filter *f,
                   sqlite3_stmt **st, struct hs_error *err)
{
	sqlite3 *db = hs_index_db(ix);

	*st = NULL;
	if (!sql) {
		hs_error_set(err, "index", 0, 0, "query failed: out of memory");
		return -1;
	}
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		hs_error_set(err, "index", 0, 0, "query failed: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (f && hs_filter_bind(f, *st) != SQLITE_OK) {
		hs_error_set(err, "filter", 0, 0, "cannot bind the filter: %s", sqlite3_errmsg(db));
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

int hs_query_open(struct hs_index *ix, const struct hs_filter *f, int64_t from_n,
                  struct hs_query **out, struct hs_error *err)
{
	return hs_query_open_ex(ix, f, from_n, 0, out, err);
}

int hs_query_open_ex(struct hs_index *ix, const struct hs_filter *f, int64_t from_n,
                     unsigned flags, struct hs_query **out, struct hs_error *err)
{
	struct hs_query *q = calloc(1, sizeof *q);
	struct hs_buf sql;
	int rc;

	if (!q) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	hs_buf_init(&sql);
	hs_buf_printf(&sql, "SELECT %s FROM events e WHERE e.n >= %lld AND (%s) ORDER BY e.n",
	              (flags & HS_QUERY_NO_DETAIL) ? LIST_COLS : EVENT_COLS,
	              (long long)(from_n > 0 ? from_n : 1), f ? hs_filter_sql(f) : "1");
	rc = prepare(ix, built(&sql), f, &q->st, err);
	hs_buf_free(&sql);
	if (rc < 0) {
		free(q);
		return -1;
	}
	q->ix = ix;
	*out = q;
	return 0;
}

int hs_query_next(struct hs_query *q, struct hs_event *ev, struct hs_error *err)
{
	int rc = sqlite3_step(q->st);

	if (rc == SQLITE_ROW)
		return fill(q->st, ev) < 0 ? -1 : 1;
	if (rc == SQLITE_DONE)
		return 0;
	hs_error_set(err, "index", 0, 0, "query failed: %s", sqlite3_errmsg(hs_index_db(q->ix)));
	return -1;
}

void hs_query_close(struct hs_query *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->st);
	free(q);
}

int64_t hs_query_count(struct hs_index *ix, const struct hs_filter *f, struct hs_error *err)
{
	struct hs_buf sql;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	hs_buf_init(&sql);
	hs_buf_printf(&sql, "SELECT count(*) FROM events e WHERE %s", f ? hs_filter_sql(f) : "1");
	if (prepare(ix, built(&sql), f, &st, err) == 0) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		else
			hs_error_set(err, "index", 0, 0, "count failed: %s", sqlite3_errmsg(hs_index_db(ix)));
	}
	sqlite3_finalize(st);
	hs_buf_free(&sql);
	return n;
}

int hs_query_event(struct hs_index *ix, int64_t n, struct hs_event *ev, struct hs_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(ix, "SELECT " EVENT_COLS " FROM events e WHERE e.n = ?1", NULL, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, n);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = fill(st, ev) < 0 ? -1 : 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		hs_error_set(err, "index", 0, 0, "query failed: %s", sqlite3_errmsg(hs_index_db(ix)));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int hs_query_link_kind(struct hs_index *ix, int64_t n, int64_t peer, char *kind, size_t len,
                       struct hs_error *err)
{
	sqlite3_stmt *st;
	int rc;

	kind[0] = '\0';
	if (prepare(ix, "SELECT kind FROM links WHERE n = ?1 AND peer = ?2 LIMIT 1", NULL, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_int64(st, 2, peer);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(st, 0);
		hs_strlcpy(kind, k ? (const char *)k : "", len);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		hs_error_set(err, "index", 0, 0, "query failed: %s", sqlite3_errmsg(hs_index_db(ix)));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

void hs_query_op_id(struct hs_index *ix, const struct hs_event *ev, char *out, size_t outlen)
{
	const struct hs_index_file *f = hs_index_file(ix, ev->file_id);

	/* the file's content hash, not its path: the id survives a move */
	snprintf(out, outlen, "%.8s-%llx", f ? f->head_hash : "0", (unsigned long long)ev->offset);
}

/* ------------------------------------------------ windows for the explorer */

/* Our own parameters are named (:hs_a, ...) and written after the filter's
 * condition, so the filter's parameters keep their places and names. */
static void bind_named(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i)
		sqlite3_bind_int64(st, i, v);
}

int hs_query_page(struct hs_index *ix, const struct hs_filter *f, int64_t from_n, int dir,
                  int64_t skip, struct hs_event *evs, int max, struct hs_error *err)
{
	struct hs_buf sql;
	sqlite3_stmt *st = NULL;
	int got = 0, rc;

	hs_buf_init(&sql);
	/* the primary key range first, so SQLite walks n in order and stops
	 * after LIMIT rows: a page costs its rows plus skip, not the table */
	hs_buf_printf(&sql, "SELECT " LIST_COLS " FROM events e WHERE (%s) AND e.n %s :hs_a"
	              " ORDER BY e.n %s LIMIT :hs_b OFFSET :hs_c", f ? hs_filter_sql(f) : "1",
	              dir < 0 ? "<=" : ">=", dir < 0 ? "DESC" : "ASC");
	rc = prepare(ix, built(&sql), f, &st, err);
	hs_buf_free(&sql);
	if (rc < 0)
		return -1;
	bind_named(st, ":hs_a", from_n);
	bind_named(st, ":hs_b", max);
	bind_named(st, ":hs_c", skip > 0 ? skip : 0);
	while (got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fill(st, &evs[got]) < 0) {
			hs_error_set(err, "", 0, 0, "out of memory");
			got = -1;
			break;
		}
		got++;
	}
	if (got >= 0 && got < max && rc != SQLITE_DONE) {
		hs_error_set(err, "index", 0, 0, "query failed: %s", sqlite3_errmsg(hs_index_db(ix)));
		got = -1;
	}
	sqlite3_finalize(st);
	return got;
}

/* count(*) of f's events with n `op` at (op: ">=" or "<"). -1 (err set). */
static int64_t count_at(struct hs_index *ix, const struct hs_filter *f, const char *op, int64_t at,
                        struct hs_error *err)
{
	struct hs_buf sql;
	sqlite3_stmt *st = NULL;
	int64_t r = -1;

	hs_buf_init(&sql);
	hs_buf_printf(&sql, "SELECT count(*) FROM events e WHERE (%s) AND e.n %s :hs_a",
	              f ? hs_filter_sql(f) : "1", op);
	if (prepare(ix, built(&sql), f, &st, err) == 0) {
		bind_named(st, ":hs_a", at);
		if (sqlite3_step(st) == SQLITE_ROW)
			r = sqlite3_column_int64(st, 0);
		else
			hs_error_set(err, "index", 0, 0, "count failed: %s", sqlite3_errmsg(hs_index_db(ix)));
	}
	sqlite3_finalize(st);
	hs_buf_free(&sql);
	return r;
}

int64_t hs_query_count_from(struct hs_index *ix, const struct hs_filter *f, int64_t from_n,
                            struct hs_error *err)
{
	return count_at(ix, f, ">=", from_n, err);
}

int64_t hs_query_rank(struct hs_index *ix, const struct hs_filter *f, int64_t n,
                      struct hs_error *err)
{
	return count_at(ix, f, "<", n, err);
}

int64_t hs_query_seek(struct hs_index *ix, const struct hs_filter *f, int64_t from_n, int dir,
                      enum hs_seek what, int64_t arg, struct hs_error *err)
{
	static const char *const cond[] = {
		[HS_SEEK_ANY] = "1",
		[HS_SEEK_ERROR] = "e.ok = 0 AND e.incomplete = 0",
		[HS_SEEK_ANOMALY] = "EXISTS (SELECT 1 FROM anomalies a WHERE a.n = e.n)",
		[HS_SEEK_SESSION] = "e.session_id = :hs_b",
		[HS_SEEK_N] = "e.n = :hs_b",
		[HS_SEEK_TS] = "e.ts_us >= :hs_b",
	};
	struct hs_buf sql;
	sqlite3_stmt *st = NULL;
	int64_t r = -1;

	hs_buf_init(&sql);
	if (what == HS_SEEK_N)
		hs_buf_printf(&sql, "SELECT e.n FROM events e WHERE (%s) AND %s",
		              f ? hs_filter_sql(f) : "1", cond[what]);
	else
		hs_buf_printf(&sql, "SELECT e.n FROM events e WHERE (%s) AND e.n %s :hs_a AND %s"
		              " ORDER BY e.n %s LIMIT 1", f ? hs_filter_sql(f) : "1",
		              dir < 0 ? "<" : ">", cond[what], dir < 0 ? "DESC" : "ASC");
	if (prepare(ix, built(&sql), f, &st, err) == 0) {
		int rc;
		bind_named(st, ":hs_a", from_n);
		bind_named(st, ":hs_b", arg);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			r = sqlite3_column_int64(st, 0);
		else if (rc == SQLITE_DONE)
			r = 0;
		else
			hs_error_set(err, "index", 0, 0, "query failed: %s", sqlite3_errmsg(hs_index_db(ix)));
	}
	sqlite3_finalize(st);
	hs_buf_free(&sql);
	return r;
}

int hs_query_match_range(struct hs_index *ix, const struct hs_filter *f, int64_t lo_n,
                         int64_t hi_n, int64_t *ns, int max, struct hs_error *err)
{
	struct hs_buf sql;
	sqlite3_stmt *st = NULL;
	int got = -1, rc;

	hs_buf_init(&sql);
	hs_buf_printf(&sql, "SELECT e.n FROM events e WHERE (%s) AND e.n BETWEEN :hs_a AND :hs_b"
	              " ORDER BY e.n LIMIT :hs_c", f ? hs_filter_sql(f) : "1");
	if (prepare(ix, built(&sql), f, &st, err) == 0) {
		bind_named(st, ":hs_a", lo_n);
		bind_named(st, ":hs_b", hi_n);
		bind_named(st, ":hs_c", max);
		got = 0;
		while (got < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
			ns[got++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	hs_buf_free(&sql);
	return got;
}

/* Buckets over a column: e.ts_us (time) or e.n (event order). */
static int histogram_on(struct hs_index *ix, const struct hs_filter *f, const char *col,
                        int64_t first_ts, int64_t last_ts, int nbuckets, int64_t *calls,
                        int64_t *errors, struct hs_error *err)
{
	struct hs_buf sql;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	if (nbuckets < 1 || first_ts == HS_NONE || last_ts == HS_NONE)
		return 0;
	hs_buf_init(&sql);
	hs_buf_printf(&sql, "SELECT count(*), sum(e.ok = 0 AND e.incomplete = 0),"
	              " (%s - :hs_a) * :hs_c / (:hs_b - :hs_a + 1) AS b FROM events e"
	              " WHERE (%s) AND %s BETWEEN :hs_a AND :hs_b GROUP BY b",
	              col, f ? hs_filter_sql(f) : "1", col);
	if (prepare(ix, built(&sql), f, &st, err) == 0) {
		bind_named(st, ":hs_a", first_ts);
		bind_named(st, ":hs_b", last_ts);
		bind_named(st, ":hs_c", nbuckets);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t b = sqlite3_column_int64(st, 2);
			if (b < 0 || b >= nbuckets)
				continue;
			calls[b] += sqlite3_column_int64(st, 0);
			errors[b] += sqlite3_column_int64(st, 1);
		}
		if (step == SQLITE_DONE)
			rc = 0;
		else
			hs_error_set(err, "index", 0, 0, "histogram failed: %s",
			             sqlite3_errmsg(hs_index_db(ix)));
	}
	sqlite3_finalize(st);
	hs_buf_free(&sql);
	return rc;
}

int hs_query_histogram(struct hs_index *ix, const struct hs_filter *f, int64_t first_ts,
                       int64_t last_ts, int nbuckets, int64_t *calls, int64_t *errors,
                       struct hs_error *err)
{
	return histogram_on(ix, f, "e.ts_us", first_ts, last_ts, nbuckets, calls, errors, err);
}

int hs_query_histogram_n(struct hs_index *ix, const struct hs_filter *f, int64_t first_n,
                         int64_t last_n, int nbuckets, int64_t *calls, int64_t *errors,
                         struct hs_error *err)
{
	return histogram_on(ix, f, "e.n", first_n, last_n, nbuckets, calls, errors, err);
}
