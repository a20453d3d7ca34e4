/* sql.c — read-only SQL over an index (`hsmscope sql`, the TUI's `;`).
 *
 * The statement never runs on the index's own handle: it gets a fresh
 * connection opened read-only with query_only set, so even a statement that
 * SQLite would accept as a write (or an ATTACH of another file) is refused
 * by SQLite itself, not by our guessing at the text. On top of that the
 * connection is locked down the way SQLite's own guidance for untrusted SQL
 * says: defensive mode, no extension loading, an untrusted schema, and an
 * authorizer that lets through reads and nothing else — no pragma that is
 * not a pure question, no function that hands out a memory address
 * (fts3_tokenizer returns a live pointer; fts5 takes one).
 *
 * And it is bounded: a progress handler (struct guard) stops it when the
 * caller cancels (the signal flag in batch mode, a key in the explorer) or
 * when its time is up, and SQLite's heap limit plus our own count of the
 * text we build stop a statement that would eat the machine's memory
 * (SELECT zeroblob(500000000) wanted 1.5 GB). Each stop is a one-line
 * error that names the limit and the option that sets it.
 */
#include "hsmscope/sql.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsmscope/index.h"
#include "hsmscope/regex.h"

/* SQLite steps between two looks at the clock and the stop conditions. */
#define POLL_STEPS 100

/* Why a statement was stopped before it finished. */
enum why { WHY_NONE, WHY_STOP, WHY_TIME, WHY_MEMORY, WHY_DENIED };

/* What the progress handler and the authorizer share with hs_sql_run. */
struct guard {
	struct hs_index *ix;        /* borrowed: its stop conditions */
	double deadline;            /* CLOCK_MONOTONIC s, 0 = no time limit */
	enum why why;               /* the first reason the statement stopped */
	char denied[160];           /* what the authorizer refused, for the error */
	struct hs_regex_hooks re;   /* hs_regexp() polls on_progress mid-match */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_progress(void *ctx)
{
	struct guard *g = ctx;

	if (hs_index_should_stop(g->ix)) {
		g->why = WHY_STOP;
		return 1;
	}
	if (g->deadline > 0 && now_s() > g->deadline) {
		g->why = WHY_TIME;
		return 1;
	}
	return 0;
}

/* Functions no statement may call: fts3_tokenizer('simple') returns the
 * address of a C structure (and, with two arguments, would install one);
 * fts5() takes a pointer; load_extension runs arbitrary code. */
static const char *const denied_functions[] = {
	"fts3_tokenizer", "fts5", "load_extension", NULL,
};

/* Pragmas that only answer a question. The ones that also set a value
 * (page_size = ...) are let through only without one. */
static const struct {
	const char *name;
	int takes_arg;              /* 1: the argument names a table or index */
} read_pragmas[] = {
	{ "table_info", 1 }, { "table_xinfo", 1 }, { "table_list", 1 }, { "index_list", 1 },
	{ "index_info", 1 }, { "index_xinfo", 1 }, { "foreign_key_list", 1 },
	{ "function_list", 0 }, { "module_list", 0 }, { "pragma_list", 0 },
	{ "collation_list", 0 }, { "database_list", 0 }, { "compile_options", 0 },
	{ "page_count", 0 }, { "page_size", 0 }, { "freelist_count", 0 },
	{ "schema_version", 0 }, { "user_version", 0 }, { "application_id", 0 },
	{ "encoding", 0 }, { "integrity_check", 1 }, { "quick_check", 1 },
	{ NULL, 0 },
};

static int deny(struct guard *g, const char *what)
{
	if (!g->denied[0])
		hs_strlcpy(g->denied, what, sizeof g->denied);
	g->why = WHY_DENIED;
	return SQLITE_DENY;
}

static int authorize(void *ctx, int action, const char *a1, const char *a2, const char *dbname,
                     const char *trigger)
{
	struct guard *g = ctx;
	char what[160];

	(void)dbname;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_UPDATE:
		/* an eponymous virtual table (pragma_table_info(...)) asks for
		 * this while SQLite sets it up; an UPDATE of sqlite_master typed
		 * by a user is refused by SQLite itself (read-only, defensive) */
		return a1 && strcmp(a1, "sqlite_master") == 0 ? SQLITE_OK : deny(g, "");
	case SQLITE_FUNCTION:
		for (int i = 0; a2 && denied_functions[i]; i++)
			if (sqlite3_stricmp(a2, denied_functions[i]) == 0) {
				snprintf(what, sizeof what, "%s() is not allowed here", denied_functions[i]);
				return deny(g, what);
			}
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		for (int i = 0; a1 && read_pragmas[i].name; i++)
			if (sqlite3_stricmp(a1, read_pragmas[i].name) == 0 && (!a2 || read_pragmas[i].takes_arg))
				return SQLITE_OK;
		snprintf(what, sizeof what, "PRAGMA %s%s is not allowed here (only pragmas that read)",
		         a1 ? a1 : "", a2 ? " with a value" : "");
		return deny(g, what);
	default:
		return deny(g, "");
	}
}

static void set_db_error(struct hs_error *err, sqlite3 *db, const char *sql)
{
	long col = 0;
	int off = sqlite3_error_offset(db);

	if (off >= 0 && sql != NULL)
		col = off + 1;
	hs_error_set(err, "sql", col ? 1 : 0, col, "%s", sqlite3_errmsg(db));
}

/* The error of a statement that stopped, by its reason. */
static void set_stop_error(struct hs_error *err, const struct guard *g, sqlite3 *db,
                           const struct hs_sql_limits *lim)
{
	switch (g->why) {
	case WHY_STOP:
		hs_error_set(err, "sql", 0, 0, "interrupted");
		break;
	case WHY_TIME:
		hs_error_set(err, "sql", 0, 0, "the statement ran longer than the time limit of %g s",
		             lim->timeout_s);
		hs_error_hint(err, "--timeout SECONDS sets it; 0 for none");
		break;
	case WHY_MEMORY:
		hs_error_set(err, "sql", 0, 0, "the statement needs more than the memory limit of %lld MB",
		             (long long)(lim->max_memory >> 20));
		hs_error_hint(err, "--max-memory MB sets it; 0 for none");
		break;
	default:
		set_db_error(err, db, NULL);
		break;
	}
}

/* Open the read-only, locked-down connection. 0, or -1 with err set. */
static int open_conn(struct hs_index *ix, const struct hs_sql_limits *lim, struct guard *g,
                     sqlite3 **out, struct hs_error *err)
{
	static const int off[] = { SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER,
	                           SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
	                           SQLITE_DBCONFIG_TRUSTED_SCHEMA, SQLITE_DBCONFIG_ENABLE_TRIGGER };
	sqlite3 *db = NULL;

	*out = NULL;
	if (sqlite3_open_v2(hs_index_info(ix)->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		hs_error_set(err, hs_index_info(ix)->path, 0, 0, "cannot open the index read-only: %s",
		             db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 2000);
	/* no ATTACH: the statement sees the index and nothing else */
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	/* one value may take a quarter of the memory limit: a zeroblob() or
	 * printf('%.*c') of more fails at once, before SQLite fills it in */
	if (lim->max_memory > 0 && lim->max_memory / 4 < sqlite3_limit(db, SQLITE_LIMIT_LENGTH, -1))
		sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)(lim->max_memory / 4));
	for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
		sqlite3_db_config(db, off[i], 0, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	g->re.should_stop = on_progress;
	g->re.ctx = g;
	if (sqlite3_exec(db, "PRAGMA query_only=1", NULL, NULL, NULL) != SQLITE_OK ||
	    hs_regex_register_hooks(db, &g->re) != SQLITE_OK ||
	    hs_index_detail_register(db) != SQLITE_OK) {
		set_db_error(err, db, NULL);
		sqlite3_close(db);
		return -1;
	}
	/* after our own pragma: from here on only reads are authorised */
	sqlite3_set_authorizer(db, authorize, g);
	sqlite3_progress_handler(db, POLL_STEPS, on_progress, g);
	*out = db;
	return 0;
}

/* Bytes SQLite holds plus extra, against the limit (0 = none). */
static int over_memory(const struct hs_sql_limits *lim, int64_t extra)
{
	return lim->max_memory > 0 && sqlite3_memory_used() + extra > lim->max_memory;
}

/* Prepare sql into *st, refusing a second statement and anything that is
 * not a query. 0, or -1 with err set. */
static int prepare(sqlite3 *db, const char *sql, struct guard *g, sqlite3_stmt **st,
                   struct hs_error *err)
{
	const char *tail = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, st, &tail) != SQLITE_OK) {
		if (g->why == WHY_DENIED && g->denied[0])
			hs_error_set(err, "sql", 0, 0, "%s", g->denied);
		else if (g->why == WHY_DENIED)
			hs_error_set(err, "sql", 0, 0, "the index is read-only here: only queries run");
		else
			set_db_error(err, db, sql);
		return -1;
	}
	if (*st == NULL) {
		hs_error_set(err, "sql", 0, 0, "empty statement");
		hs_error_hint(err, "try: SELECT func, count(*) FROM events GROUP BY func");
		return -1;
	}
	tail = hs_skip_ws(tail);
	while (*tail == ';')
		tail = hs_skip_ws(tail + 1);
	if (*tail != '\0') {
		hs_error_set(err, "sql", 1, (long)(tail - sql) + 1, "only one statement at a time");
		return -1;
	}
	if (!sqlite3_stmt_readonly(*st)) {
		hs_error_set(err, "sql", 0, 0, "the index is read-only here: only queries run");
		return -1;
	}
	return 0;
}

/* The row's values as text into vals (a BLOB as x'..' in blob), or -1 when
 * that text would pass the memory limit (g->why set). */
static int row_text(sqlite3_stmt *st, int ncol, const struct hs_sql_limits *lim, struct guard *g,
                    struct hs_buf *blob, size_t *boff, const char **vals, enum hs_sql_kind *kinds)
{
	/* a BLOB is shown as x'..', never as raw bytes: its text goes into
	 * one buffer (pieces NUL-separated) and is pointed at once the
	 * buffer no longer moves */
	hs_buf_clear(blob);
	for (int i = 0; i < ncol; i++) {
		int type = sqlite3_column_type(st, i);
		kinds[i] = type == SQLITE_NULL ? HS_SQL_NULL : type == SQLITE_INTEGER ? HS_SQL_INT :
		           type == SQLITE_FLOAT ? HS_SQL_REAL : HS_SQL_TEXT;
		boff[i] = (size_t)-1;
		if (type == SQLITE_BLOB) {
			/* the size first: a zeroblob() is not expanded to know it */
			int64_t n = sqlite3_column_bytes(st, i);
			const unsigned char *b;
			if (over_memory(lim, n + 2 * n + (int64_t)blob->len + 4)) {
				g->why = WHY_MEMORY;
				return -1;
			}
			b = sqlite3_column_blob(st, i);
			if (!b && n > 0) {
				g->why = WHY_MEMORY; /* SQLite's heap limit refused it */
				return -1;
			}
			boff[i] = blob->len;
			if (hs_buf_reserve(blob, (size_t)(2 * n + 4)) < 0) {
				g->why = WHY_MEMORY;
				return -1;
			}
			hs_buf_adds(blob, "x'");
			for (int64_t j = 0; j < n; j++) {
				char h[2] = { "0123456789abcdef"[b[j] >> 4], "0123456789abcdef"[b[j] & 15] };
				hs_buf_add(blob, h, 2);
			}
			if (hs_buf_add(blob, "'", 2) < 0) {
				g->why = WHY_MEMORY;
				return -1;
			}
		} else {
			vals[i] = (const char *)sqlite3_column_text(st, i);
			if (!vals[i] && type != SQLITE_NULL) {
				g->why = WHY_MEMORY;
				return -1;
			}
		}
	}
	for (int i = 0; i < ncol; i++)
		if (boff[i] != (size_t)-1)
			vals[i] = blob->data + boff[i];
	return 0;
}

long hs_sql_run(struct hs_index *ix, const char *sql, const struct hs_sql_limits *limits,
                hs_sql_row_fn fn, void *ctx, struct hs_error *err)
{
	struct hs_sql_limits lim = { HS_SQL_TIMEOUT_DEFAULT, HS_SQL_MAX_MEMORY_DEFAULT };
	struct guard g;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char **names = NULL, **vals = NULL;
	enum hs_sql_kind *kinds = NULL;
	size_t *boff = NULL;
	struct hs_buf blob;
	sqlite3_int64 old_hard = sqlite3_hard_heap_limit64(-1), old_soft = sqlite3_soft_heap_limit64(-1);
	long rows = -1;
	int ncol, rc;

	hs_error_clear(err);
	hs_buf_init(&blob);
	memset(&g, 0, sizeof g);
	g.ix = ix;
	if (limits)
		lim = *limits;
	/* process-wide, so set for this statement and put back after it */
	if (lim.max_memory > 0) {
		sqlite3_hard_heap_limit64(lim.max_memory);
		sqlite3_soft_heap_limit64(lim.max_memory / 4 * 3);
	}
	if (open_conn(ix, &lim, &g, &db, err) < 0 || prepare(db, sql, &g, &st, err) < 0)
		goto out;
	ncol = sqlite3_column_count(st);
	names = calloc((size_t)ncol + 1, sizeof *names);
	vals = calloc((size_t)ncol + 1, sizeof *vals);
	kinds = calloc((size_t)ncol + 1, sizeof *kinds);
	boff = calloc((size_t)ncol + 1, sizeof *boff);
	if (!names || !vals || !kinds || !boff) {
		hs_error_set(err, "sql", 0, 0, "out of memory");
		goto out;
	}
	for (int i = 0; i < ncol; i++)
		names[i] = sqlite3_column_name(st, i);
	if (lim.timeout_s > 0)
		g.deadline = now_s() + lim.timeout_s;
	rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double t;
		if (row_text(st, ncol, &lim, &g, &blob, boff, vals, kinds) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		rows++;
		/* the time limit is on the statement, not on a slow reader of
		 * its output: the callback's time moves the deadline */
		t = now_s();
		if (fn != NULL && fn(ctx, ncol, names, vals, kinds) != 0)
			break;
		if (g.deadline > 0)
			g.deadline += now_s() - t;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		if (g.why == WHY_NONE && lim.max_memory > 0 &&
		    ((rc & 0xff) == SQLITE_NOMEM || (rc & 0xff) == SQLITE_TOOBIG))
			g.why = WHY_MEMORY;
		set_stop_error(err, &g, db, &lim);
		rows = -1;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	sqlite3_hard_heap_limit64(old_hard);
	sqlite3_soft_heap_limit64(old_soft);
	hs_buf_free(&blob);
	free(names);
	free(vals);
	free(kinds);
	free(boff);
	return rows;
}

long hs_sql_exec(struct hs_index *ix, const char *sql, hs_sql_row_fn fn, void *ctx,
                 struct hs_error *err)
{
	return hs_sql_run(ix, sql, NULL, fn, ctx, err);
}
