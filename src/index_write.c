/* index_write.c — the rows a parse writes: events, their handles, a
 * tracer's own totals, and the estimated durations.
 *
 * Durations of call traces are estimated as the time to the next call of
 * the same thread: the writer holds back the latest event of each thread
 * (the `held` table, bounded) until its successor arrives, so each row is
 * written once, already complete. Every event is shown to correlation
 * before it is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detail.h"
#include "evcols.h"
#include "index_int.h"

static void bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == HS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (!s || !*s)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* The INSERTs, their places (HS_EVI_<column>, HS_EVA_<column>) and the
 * binds of the plain columns come from the columns' table, evcols.h. */
static const char insert_sql[] = HS_EVROWS_INSERT_SQL;
enum { HS_EVCOLS(HS_EV_X_IENUM) HS_EVI_COUNT_ };
enum { HS_EVCOLS(HS_EV_X_AENUM) HS_EVA_COUNT_ };

/* K when the event's lines are the one run "0+K" from its own line (most
 * calls: then the row keeps K, not the text), else -1. */
static int64_t one_run(const struct hs_event *e)
{
	const char *s = e->lines.data;
	size_t i, len = e->lines.len;
	int64_t k = 0;

	if (len < 3 || s[0] != '0' || s[1] != '+' || len > 20)
		return -1;
	for (i = 2; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		k = k * 10 + (s[i] - '0');
	}
	return k > 0 ? k : -1;
}

static const char insert_audit_sql[] = HS_EVAUDIT_INSERT_SQL;
_Static_assert(HS_EVI_COUNT_ + 1 <= IDX_BOUND_MAX, "struct writer's bound[] is too small");

/* bind_i64 (v HS_NONE: NULL), left undone when parameter i of the events
 * INSERT already holds that value (b: w->bound; NULL another statement).
 * Binding was ~30 calls a row, of which most set what the row before had
 * set (file, format, instance, pid, the columns a call trace leaves NULL). */
static void bind_i64_kept(struct idx_bound *b, sqlite3_stmt *st, int i, int64_t v)
{
	if (!b) {
		bind_i64(st, i, v);
		return;
	}
	if (v == HS_NONE) {
		if (b[i].set != 1)
			sqlite3_bind_null(st, i), b[i].set = 1;
	} else if (b[i].set != 2 || b[i].v != v) {
		sqlite3_bind_int64(st, i, v), b[i].set = 2, b[i].v = v;
	}
}

/* The same for a column never NULL (sqlite3_bind_int and _int64 store
 * the same integer). */
static void bind_int_kept(struct idx_bound *b, sqlite3_stmt *st, int i, int64_t v)
{
	if (!b)
		sqlite3_bind_int64(st, i, v);
	else if (b[i].set != 2 || b[i].v != v)
		sqlite3_bind_int64(st, i, v), b[i].set = 2, b[i].v = v;
}

/* The plain columns' binds (evcols.h): integers through bind_i64_kept
 * with `kept` (write_row: w->bound; write_audit: NULL), text always. */
#undef HS_EV_BIND_i64
#undef HS_EV_BIND_i64v
#undef HS_EV_BIND_int
#define HS_EV_BIND_i64(i, v) bind_i64_kept(kept, st, i, v);
#define HS_EV_BIND_i64v(i, v) bind_int_kept(kept, st, i, v);
#define HS_EV_BIND_int(i, v) bind_int_kept(kept, st, i, v);

/* ---------------------------------------------- the dictionaries */

static uint64_t dict_hash(const struct idx_dict *d, int64_t key, const char *name)
{
	return d->by_name ? hs_hash64(name, strlen(name), 0) : hs_hash64(&key, sizeof key, 0);
}

/* The slot of name (funcs) or key (rv_names), or the empty slot where it
 * would go. */
static struct idx_dict_ent *dict_slot(struct idx_dict *d, int64_t key, const char *name)
{
	size_t i = (size_t)dict_hash(d, key, name) & (d->cap - 1);

	for (;; i = (i + 1) & (d->cap - 1)) {
		struct idx_dict_ent *x = &d->e[i];
		if (!x->name || (d->by_name ? strcmp(x->name, name) == 0 : x->key == key))
			return x;
	}
}

/* Add an entry known absent. 0, or -1 out of memory. */
static int dict_put(struct idx_dict *d, int64_t key, const char *name)
{
	struct idx_dict_ent *x;

	if (d->n + 1 >= d->cap / 2) {
		struct idx_dict old = *d;
		size_t i;
		d->cap = old.cap ? old.cap * 2 : 64;
		d->e = calloc(d->cap, sizeof *d->e);
		if (!d->e) {
			*d = old;
			return -1;
		}
		for (i = 0; i < old.cap; i++)
			if (old.e[i].name)
				*dict_slot(d, old.e[i].key, old.e[i].name) = old.e[i];
		free(old.e);
	}
	x = dict_slot(d, key, name);
	if (!(x->name = strdup(name)))
		return -1;
	x->key = key;
	d->n++;
	return 0;
}

/* The entry of name (funcs) or key (rv_names), or NULL. */
static const struct idx_dict_ent *dict_find(struct idx_dict *d, int64_t key, const char *name)
{
	struct idx_dict_ent *x;

	if (!d->cap)
		return NULL;
	x = dict_slot(d, key, name);
	return x->name ? x : NULL;
}

static void dict_free(struct idx_dict *d)
{
	size_t i;

	for (i = 0; i < d->cap; i++)
		free(d->e[i].name);
	free(d->e);
	memset(d, 0, sizeof *d);
}

/* The rows a refresh finds in the table (sql: key, name). */
static int dict_load(sqlite3 *db, struct idx_dict *d, const char *sql)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = dict_put(d, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc;
}

/* The id of name in a names table (funcs, formats: ins inserts there), the
 * row added when it is new. -1 on error. */
static int64_t name_id(struct idx_dict *d, sqlite3_stmt *ins, const char *name)
{
	const struct idx_dict_ent *x = dict_find(d, 0, name);
	int64_t id;

	if (x)
		return x->key;
	id = (int64_t)d->n + 1;
	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, id);
	sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE || dict_put(d, id, name) < 0)
		return -1;
	return id;
}

/* Bind event_rows.rv_name: NULL when rv_names has this name for rv (the
 * row added when rv is new), '' when there is no name, else the name.
 * 0, or -1 on error. */
static int bind_rv_name(struct writer *w, sqlite3_stmt *st, int i, const struct hs_event *e)
{
	const char *name = *e->rv_name ? e->rv_name : NULL;
	const struct idx_dict_ent *x;

	if (e->rv == HS_NONE) {
		bind_str(st, i, name); /* no rv: the view finds no rv_names row */
		return 0;
	}
	if (!name) {
		sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC);
		return 0;
	}
	x = dict_find(&w->rvs, e->rv, NULL);
	if (!x) {
		sqlite3_reset(w->ins_rv);
		sqlite3_bind_int64(w->ins_rv, 1, e->rv);
		sqlite3_bind_text(w->ins_rv, 2, name, -1, SQLITE_STATIC);
		if (sqlite3_step(w->ins_rv) != SQLITE_DONE || dict_put(&w->rvs, e->rv, name) < 0)
			return -1;
		sqlite3_bind_null(st, i);
	} else if (strcmp(x->name, name) == 0) {
		sqlite3_bind_null(st, i);
	} else {
		sqlite3_bind_text(st, i, name, -1, SQLITE_STATIC);
	}
	return 0;
}

/* Bind event_rows.summary (i) and summary_id (i_id). A summary read a
 * second time goes to the summaries table, and every later one is its id;
 * the first stays in the row, so a summary read once costs nothing more.
 * Both sets are bounded (SUMMARY_SEEN, SUMMARY_IDS) and start empty in
 * each run: a refresh writes an id again for a text it did not load,
 * which costs bytes, never a wrong text. 0, or -1 on error. */
static int bind_summary(struct writer *w, sqlite3_stmt *st, int i, int i_id, const char *text)
{
	const struct idx_dict_ent *x;
	uint64_t h;
	size_t k;

	sqlite3_bind_null(st, i_id);
	if (strlen(text) < 8) { /* an id and a row cost as much */
		bind_str(st, i, text);
		return 0;
	}
	if ((x = dict_find(&w->sums, 0, text))) {
		sqlite3_bind_null(st, i);
		sqlite3_bind_int64(st, i_id, x->key);
		return 0;
	}
	h = hs_hash64(text, strlen(text), 1) | 1; /* 0: an empty slot */
	for (k = (size_t)h & (SUMMARY_SEEN - 1); w->seen[k] && w->seen[k] != h;
	     k = (k + 1) & (SUMMARY_SEEN - 1))
		;
	if (!w->seen[k]) { /* the first time */
		if (++w->nseen >= SUMMARY_SEEN / 2) { /* full: forget them all */
			memset(w->seen, 0, SUMMARY_SEEN * sizeof *w->seen);
			w->nseen = 0;
		} else {
			w->seen[k] = h;
		}
		bind_str(st, i, text);
		return 0;
	}
	if (w->sums.n >= SUMMARY_IDS) {
		bind_str(st, i, text);
		return 0;
	}
	if (w->next_sum == 0) { /* the first in this run: ids go on after the table's */
		sqlite3_stmt *mx;
		if (sqlite3_prepare_v2(w->db, "SELECT ifnull(max(id), 0) FROM summaries", -1, &mx,
		                       NULL) != SQLITE_OK)
			return -1;
		w->next_sum = sqlite3_step(mx) == SQLITE_ROW ? sqlite3_column_int64(mx, 0) + 1 : 1;
		sqlite3_finalize(mx);
	}
	sqlite3_reset(w->ins_sum);
	sqlite3_bind_int64(w->ins_sum, 1, w->next_sum);
	sqlite3_bind_text(w->ins_sum, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_step(w->ins_sum) != SQLITE_DONE || dict_put(&w->sums, w->next_sum, text) < 0)
		return -1;
	sqlite3_bind_null(st, i);
	sqlite3_bind_int64(st, i_id, w->next_sum++);
	return 0;
}

/* The audit-only columns, when the event has any. */
static int write_audit(struct writer *w, const struct hs_event *e)
{
	sqlite3_stmt *st = w->ins_audit;
	struct idx_bound *kept = NULL; /* the audit rows: every bind done */

	if (!(HS_EVAUDIT_ANY 0))
		return 0;
	sqlite3_reset(st);
	HS_EVAUDIT_BIND
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

/* One row of event_params (hs_detail_params' callback): the name is left
 * NULL when param_names has it for (attr, type) (the row added when the
 * pair is new). */
static int put_param(void *ctx, int attr, int64_t type, const char *name, const char *value)
{
	struct writer *w = ctx;
	int64_t key = type == HS_NONE || type < 0 || type > (INT64_MAX >> 2) ? -1 : type * 2 + attr;
	const struct idx_dict_ent *x = key < 0 ? NULL : dict_find(&w->pnames, key, NULL);

	if (key >= 0 && !x) {
		sqlite3_reset(w->ins_pname);
		sqlite3_bind_int(w->ins_pname, 1, attr);
		sqlite3_bind_int64(w->ins_pname, 2, type);
		sqlite3_bind_text(w->ins_pname, 3, name, -1, SQLITE_STATIC);
		if (sqlite3_step(w->ins_pname) != SQLITE_DONE || dict_put(&w->pnames, key, name) < 0)
			return 1;
		x = dict_find(&w->pnames, key, NULL);
	}
	sqlite3_reset(w->ins_param);
	sqlite3_bind_int64(w->ins_param, 1, w->param_n);
	sqlite3_bind_int(w->ins_param, 2, w->param_i++);
	sqlite3_bind_int(w->ins_param, 3, attr);
	bind_i64(w->ins_param, 4, type);
	/* STATIC: name and value live until this step returns, and every
	 * call binds all six anew before the next step */
	if (x && strcmp(x->name, name) == 0)
		sqlite3_bind_null(w->ins_param, 5);
	else
		sqlite3_bind_text(w->ins_param, 5, name, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(w->ins_param, 6, value, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(w->ins_param, 6);
	return sqlite3_step(w->ins_param) != SQLITE_DONE;
}

static int write_row(struct writer *w, const struct hs_event *e)
{
	sqlite3_stmt *st = w->ins;
	struct idx_bound *kept = w->bound;
	int64_t fid = *e->func ? name_id(&w->funcs, w->ins_func, e->func) : HS_NONE;
	int64_t mid = e->format && *e->format ? name_id(&w->formats, w->ins_format, e->format) : HS_NONE;
	int64_t nlines = one_run(e);
	int i;

	if (fid == -1 || mid == -1)
		goto fail;
	sqlite3_reset(st);
	HS_EVROWS_BIND
	/* the calc columns of evcols.h */
	bind_i64_kept(kept, st, HS_EVI_format + 1, mid);
	bind_i64_kept(kept, st, HS_EVI_func + 1, fid);
	if (bind_rv_name(w, st, HS_EVI_rv_name + 1, e) < 0 ||
	    bind_summary(w, st, HS_EVI_summary + 1, HS_EVI_summary_id + 1, e->summary) < 0)
		goto fail;
	bind_i64_kept(kept, st, HS_EVI_dur_exact + 1, e->dur_us == HS_NONE ? HS_NONE : e->dur_exact);
	bind_i64_kept(kept, st, HS_EVI_nlines + 1, nlines < 0 ? HS_NONE : nlines);
	if (e->lines.len && nlines < 0)
		sqlite3_bind_text(st, HS_EVI_runs + 1, e->lines.data, (int)e->lines.len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, HS_EVI_runs + 1);
	if (sqlite3_step(st) != SQLITE_DONE || write_audit(w, e) < 0)
		goto fail;
	w->incomplete += e->incomplete != 0;
	for (i = 0; i < e->nkeys; i++) {
		sqlite3_reset(w->ins_key);
		sqlite3_bind_int64(w->ins_key, 1, e->n);
		sqlite3_bind_int(w->ins_key, 2, i);
		sqlite3_bind_int64(w->ins_key, 3, e->keys[i].handle);
		sqlite3_bind_text(w->ins_key, 4, e->keys[i].role, -1, SQLITE_STATIC);
		if (sqlite3_step(w->ins_key) != SQLITE_DONE)
			goto fail;
	}
	w->param_n = e->n;
	w->param_i = 0;
	if (hs_detail_params(hs_buf_cstr(&e->detail), e->detail.len, put_param, w))
		goto fail;
	w->events++;
	if (w->live && (w->events & 255) == 0)
		hs_idx_live_tick(w);
	return 0;
fail:
	snprintf(w->errmsg, sizeof w->errmsg, "%s", sqlite3_errmsg(w->db));
	w->failed = 1;
	return -1;
}

static struct held *held_find(struct writer *w, const struct hs_event *e)
{
	int i;

	for (i = 0; i < w->nheld; i++) {
		struct held *h = &w->held[i];
		if (h->file_id == e->file_id && h->instance == e->instance && h->tid == e->tid)
			return h;
	}
	return NULL;
}

/* Write held event i (its duration stays unknown) and drop it. */
static void held_drop(struct writer *w, int i)
{
	if (!w->failed)
		write_row(w, &w->held[i].ev);
	hs_event_free(&w->held[i].ev);
	w->held[i] = w->held[--w->nheld];
}

/* Write every held event (their durations stay unknown). */
void hs_idx_writer_flush(struct writer *w)
{
	while (w->nheld)
		held_drop(w, w->nheld - 1);
	if (!w->failed && hs_index_detail_flush(w->det) < 0) {
		snprintf(w->errmsg, sizeof w->errmsg, "%s", hs_index_detail_error(w->det));
		w->failed = 1;
	}
}

/* A process that finalized makes no more calls: its threads' last events
 * are final. Keeps the held set to the live threads. */
static void flush_instance(struct writer *w, int file_id, int64_t instance)
{
	int i;

	for (i = w->nheld - 1; i >= 0; i--)
		if (w->held[i].file_id == file_id && w->held[i].instance == instance)
			held_drop(w, i);
}

/* During a refresh, the thread's last event in the index gets its
 * duration from this, its successor — unless its process finalized after
 * it: a build wrote it final then (flush_instance), and a refresh must
 * number and time every event as a build does. */
static void finish_prev_in_db(struct writer *w, const struct hs_event *e)
{
	sqlite3_stmt *st = w->prev;
	int64_t n, ts;

	sqlite3_reset(st);
	sqlite3_bind_int(st, 1, e->file_id);
	sqlite3_bind_int64(st, 2, e->instance);
	bind_i64(st, 3, e->tid);
	if (sqlite3_step(st) != SQLITE_ROW)
		return;
	n = sqlite3_column_int64(st, 0);
	if (sqlite3_column_int(st, 2) || sqlite3_column_type(st, 1) == SQLITE_NULL ||
	    e->ts_us == HS_NONE)
		return;
	ts = sqlite3_column_int64(st, 1);
	if (e->ts_us < ts)
		return;
	sqlite3_reset(w->set_dur);
	sqlite3_bind_int64(w->set_dur, 1, e->ts_us - ts);
	sqlite3_bind_int64(w->set_dur, 2, n);
	sqlite3_step(w->set_dur);
}

static int on_event(void *ctx, struct hs_event *e)
{
	struct writer *w = ctx;
	struct held *s;
	struct hs_error cerr;

	if (w->failed)
		return 1;
	e->n = w->next_n++;
	hs_corrstore_note(w->cstore, w->corr, e->n, e->offset);
	/* the detail goes to its block now, in n order (rows may be written
	 * later, when the thread's next call gives their duration) */
	if (hs_index_detail_add(w->det, e->n, hs_buf_cstr(&e->detail), e->detail.len) < 0) {
		snprintf(w->errmsg, sizeof w->errmsg, "%s", hs_index_detail_error(w->det));
		w->failed = 1;
		return 1;
	}
	if (hs_correlate_event(w->corr, e, &cerr) < 0) {
		snprintf(w->errmsg, sizeof w->errmsg, "correlation: %.200s", cerr.msg);
		w->failed = 1;
		return 1;
	}
	if (!w->call_trace || e->dur_us != HS_NONE) {
		if (e->dur_us != HS_NONE)
			e->dur_exact = 1;
		return write_row(w, e) ? 1 : 0;
	}
	s = held_find(w, e);
	if (s) {
		if (s->ev.ts_us != HS_NONE && e->ts_us != HS_NONE && e->ts_us >= s->ev.ts_us)
			s->ev.dur_us = e->ts_us - s->ev.ts_us;
		s->ev.dur_exact = 0;
		if (write_row(w, &s->ev))
			return 1;
	} else {
		if (w->nheld == HELD_MAX)
			held_drop(w, 0); /* more live threads than we follow: oldest goes */
		s = &w->held[w->nheld++];
		s->file_id = e->file_id;
		s->instance = e->instance;
		s->tid = e->tid;
		hs_event_init(&s->ev);
		if (w->refreshing)
			finish_prev_in_db(w, e);
	}
	if (hs_event_copy(&s->ev, e) < 0) {
		snprintf(w->errmsg, sizeof w->errmsg, "out of memory");
		w->failed = 1;
		return 1;
	}
	if (strcmp(e->func, "C_Finalize") == 0)
		flush_instance(w, e->file_id, e->instance);
	return 0;
}

static void on_tracer_stat(void *ctx, const struct hs_tracer_stat *ts)
{
	struct writer *w = ctx;
	sqlite3_stmt *st = w->ins_tstat;

	if (w->failed)
		return;
	sqlite3_reset(st);
	sqlite3_bind_int(st, 1, ts->file_id);
	sqlite3_bind_int64(st, 2, ts->offset);
	sqlite3_bind_text(st, 3, ts->func, -1, SQLITE_STATIC);
	if (ts->calls != HS_NONE)
		sqlite3_bind_int64(st, 4, ts->calls);
	else
		sqlite3_bind_null(st, 4);
	if (ts->total_us != HS_NONE)
		sqlite3_bind_int64(st, 5, ts->total_us);
	else
		sqlite3_bind_null(st, 5);
	if (sqlite3_step(st) != SQLITE_DONE) {
		w->failed = 1;
		hs_strlcpy(w->errmsg, sqlite3_errmsg(w->db), sizeof w->errmsg);
	}
}

/* Every skip is counted; its reason and first place are kept per file, so
 * analyze can say where and why ("trace.log:1234: text outside any call").
 * Memory is bounded: past SKIP_REASONS reasons the rest share one entry. */
static void on_skip(void *ctx, int64_t lineno, int64_t offset, const char *why)
{
	struct writer *w = ctx;
	struct skip_reason *r = NULL;
	int i;

	if (offset < w->skips_from)
		return; /* counted, with its reason, by the run before this refresh */
	w->skipped++;
	if (!why || !*why)
		why = "unrecognised line";
	for (i = 0; i < w->nskips && !r; i++)
		if (strcmp(w->skips[i].why, why) == 0)
			r = &w->skips[i];
	if (!r && w->nskips < SKIP_REASONS) {
		r = &w->skips[w->nskips++];
		hs_strlcpy(r->why, w->nskips == SKIP_REASONS ? "other reasons" : why, sizeof r->why);
		r->line = lineno;
		r->offset = offset;
		r->count = 0;
	}
	if (!r)
		r = &w->skips[SKIP_REASONS - 1];
	r->count++;
}

void hs_idx_writer_skips_reset(struct writer *w)
{
	w->nskips = 0;
}

int hs_idx_writer_skips_store(struct writer *w, int file_id)
{
	sqlite3_stmt *st;
	int i, rc = 0;

	if (w->nskips == 0)
		return 0;
	/* a refresh adds to what the earlier parse of the file found */
	if (sqlite3_prepare_v2(w->db, "INSERT INTO skips(file_id, reason, first_line, first_offset,"
	                       " count) VALUES(?1,?2,?3,?4,?5) ON CONFLICT(file_id, reason) DO UPDATE"
	                       " SET count = count + excluded.count", -1, &st, NULL) != SQLITE_OK) {
		hs_strlcpy(w->errmsg, sqlite3_errmsg(w->db), sizeof w->errmsg);
		return -1;
	}
	for (i = 0; i < w->nskips && rc == 0; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, file_id);
		sqlite3_bind_text(st, 2, w->skips[i].why, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, w->skips[i].line);
		sqlite3_bind_int64(st, 4, w->skips[i].offset);
		sqlite3_bind_int64(st, 5, w->skips[i].count);
		if (sqlite3_step(st) != SQLITE_DONE) {
			hs_strlcpy(w->errmsg, sqlite3_errmsg(w->db), sizeof w->errmsg);
			rc = -1;
		}
	}
	sqlite3_finalize(st);
	w->nskips = 0;
	return rc;
}

int hs_idx_writer_prepare(struct writer *w, sqlite3 *db, struct hs_error *err, const char *path)
{
	memset(w, 0, sizeof *w);
	w->db = db;
	w->base_events = -1;
	w->held = calloc(HELD_MAX, sizeof *w->held);
	if (!w->held) {
		hs_error_set(err, path, 0, 0, "out of memory");
		return -1;
	}
	if (hs_corrstore_new(db, &w->cstore, err) < 0)
		return -1;
	{
		struct hs_corr_sink cs = hs_corrstore_sink(w->cstore);
		if (hs_correlate_new(&cs, &w->corr, err) < 0)
			return -1;
	}
	if (hs_index_detail_register(db) != SQLITE_OK || !(w->det = hs_index_detail_writer_new(db))) {
		hs_error_set(err, path, 0, 0, "index: %s", sqlite3_errmsg(db));
		return -1;
	}
	w->funcs.by_name = 1;
	w->formats.by_name = 1;
	w->sums.by_name = 1;
	w->seen = calloc(SUMMARY_SEEN, sizeof *w->seen);
	if (!w->seen) {
		hs_error_set(err, path, 0, 0, "out of memory");
		return -1;
	}
	if (dict_load(db, &w->funcs, "SELECT id, name FROM funcs") < 0 ||
	    dict_load(db, &w->formats, "SELECT id, name FROM formats") < 0 ||
	    dict_load(db, &w->rvs, "SELECT rv, name FROM rv_names") < 0 ||
	    dict_load(db, &w->pnames, "SELECT type * 2 + attr, name FROM param_names") < 0) {
		hs_error_set(err, path, 0, 0, "index: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_prepare_v2(db, insert_sql, -1, &w->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, insert_audit_sql, -1, &w->ins_audit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO funcs(id, name) VALUES(?1,?2)", -1, &w->ins_func,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO formats(id, name) VALUES(?1,?2)", -1, &w->ins_format,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO rv_names(rv, name) VALUES(?1,?2)", -1, &w->ins_rv,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO param_names(attr, type, name) VALUES(?1,?2,?3)", -1,
	                       &w->ins_pname, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO summaries(id, text) VALUES(?1,?2)", -1, &w->ins_sum,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO event_keys(n, i, handle, role) VALUES(?1,?2,?3,?4)", -1,
	                       &w->ins_key, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO event_param_rows(n, i, attr, type, name, value)"
	                       " VALUES(?1,?2,?3,?4,?5,?6)", -1,
	                       &w->ins_param, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO tracer_stats(file_id, offset, func, calls, total_us)"
	                       " VALUES(?1,?2,?3,?4,?5)", -1, &w->ins_tstat, NULL) != SQLITE_OK) {
		hs_error_set(err, path, 0, 0, "index: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

void hs_idx_writer_free(struct writer *w)
{
	if (w->held)
		hs_idx_writer_flush(w);
	free(w->held);
	hs_index_detail_writer_free(w->det);
	hs_correlate_free(w->corr);
	hs_corrstore_free(w->cstore);
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->ins_audit);
	sqlite3_finalize(w->ins_func);
	sqlite3_finalize(w->ins_rv);
	sqlite3_finalize(w->ins_pname);
	dict_free(&w->funcs);
	sqlite3_finalize(w->ins_format);
	dict_free(&w->formats);
	dict_free(&w->rvs);
	dict_free(&w->pnames);
	sqlite3_finalize(w->ins_sum);
	dict_free(&w->sums);
	free(w->seen);
	sqlite3_finalize(w->ins_key);
	sqlite3_finalize(w->ins_param);
	sqlite3_finalize(w->ins_tstat);
	sqlite3_finalize(w->prev);
	sqlite3_finalize(w->set_dur);
}

struct hs_sink hs_idx_writer_sink(struct writer *w)
{
	struct hs_sink s = { .ctx = w, .on_event = on_event, .on_skip = on_skip,
	                     .on_tracer_stat = on_tracer_stat };

	return s;
}
