/* lifecycle.c — the session/login tree read from the correlation tables.
 *
 * A cursor lists one node's children. Structural children come from the
 * narrow tables (processes and streams at the root, a process's slots and
 * a slot's sessions from `sessions`); the rest comes from one ordered scan
 * of the parent's events through an index (session_id, login_id, span_id,
 * hsm), classified row by row:
 *   - the first row of a login (when the parent groups logins: a session,
 *     an HSM) becomes a login node, its later rows are skipped (they are
 *     the login's children);
 *   - likewise the first row of an operation span (sessions and logins in
 *     them) becomes a span node;
 *   - other rows are calls; consecutive calls of one function fold into one
 *     node (HS_LC_CALLS), which needs one row of lookahead.
 * A process also merges its slot nodes (placed at their first event) into
 * its own sessionless calls. State per cursor: its statements, one pending
 * row, the fold being built, the next slot row, and the sets of logins and
 * spans already shown (small open-addressing sets of ids). The figures of
 * `analyze` are in lifecycle_summary.c.
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"
#include "lifecycle_int.h"

#define LEAF_COLS "e.n, e.ts_us, e.ts_utc, e.func, e.rv_name, e.ok, e.incomplete, e.login_id," \
	" e.span_id, e.summary, (SELECT group_concat(a.kind, ',') FROM anomalies a WHERE a.n = e.n)"

static const char *const src_sql[] = {
	[SRC_PROCESS] = "SELECT " LEAF_COLS " FROM events e WHERE e.file_id = ?1 AND e.instance = ?2"
		" AND e.session_id IS NULL AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_SESSION] = "SELECT " LEAF_COLS " FROM events e WHERE e.session_id = ?1"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_SESSION_LOGIN] = "SELECT " LEAF_COLS " FROM events e WHERE e.session_id = ?1"
		" AND e.login_id = ?2 AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_LOGIN] = "SELECT " LEAF_COLS " FROM events e WHERE e.login_id = ?1"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_SPAN] = "SELECT " LEAF_COLS " FROM events e WHERE e.span_id = ?1"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
	[SRC_HSM] = "SELECT " LEAF_COLS " FROM events e WHERE e.hsm = ?5"
		" AND e.n BETWEEN ?3 AND ?4 ORDER BY e.n",
};

static int iset_has(const struct iset *s, int64_t v)
{
	int i;

	if (!s->cap)
		return 0;
	for (i = (int)((uint64_t)v * 0x9E3779B97F4A7C15ull >> 40) & (s->cap - 1); s->v[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->v[i] == v)
			return 1;
	return 0;
}

static int iset_add(struct iset *s, int64_t v) /* 1 added, 0 present, -1 OOM */
{
	int i;

	if ((s->count + 1) * 2 > s->cap) {
		int cap = s->cap ? s->cap * 2 : 16, j;
		int64_t *nv = calloc((size_t)cap, sizeof *nv);
		if (!nv)
			return -1;
		for (j = 0; j < s->cap; j++) {
			if (!s->v[j])
				continue;
			for (i = (int)((uint64_t)s->v[j] * 0x9E3779B97F4A7C15ull >> 40) & (cap - 1); nv[i];
			     i = (i + 1) & (cap - 1))
				;
			nv[i] = s->v[j];
		}
		free(s->v);
		s->v = nv;
		s->cap = cap;
	}
	for (i = (int)((uint64_t)v * 0x9E3779B97F4A7C15ull >> 40) & (s->cap - 1); s->v[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->v[i] == v)
			return 0;
	s->v[i] = v;
	s->count++;
	return 1;
}

static int read_row(struct hs_lc_cursor *c, struct hs_error *err)
{
	sqlite3_stmt *st = c->main;
	int rc;

	if (c->have_row)
		return 1;
	if (c->main_done)
		return 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		c->main_done = 1;
		return 0;
	}
	if (rc != SQLITE_ROW)
		return hs_lc_db_error(c, err);
	c->row.n = sqlite3_column_int64(st, 0);
	c->row.ts = hs_lc_col_i64(st, 1);
	c->row.ts_utc = sqlite3_column_int(st, 2);
	hs_lc_col_str(st, 3, c->row.func, sizeof c->row.func);
	hs_lc_col_str(st, 4, c->row.rv_name, sizeof c->row.rv_name);
	c->row.ok = sqlite3_column_int(st, 5);
	c->row.incomplete = sqlite3_column_int(st, 6);
	c->row.login_id = hs_lc_col_i64(st, 7);
	c->row.span_id = hs_lc_col_i64(st, 8);
	hs_lc_col_str(st, 9, c->row.summary, sizeof c->row.summary);
	hs_lc_col_str(st, 10, c->row.anomalies, sizeof c->row.anomalies);
	c->have_row = 1;
	return 1;
}

static int read_slot(struct hs_lc_cursor *c, struct hs_error *err)
{
	int rc;

	if (c->have_slot || c->slots_done || !c->slots)
		return c->have_slot;
	rc = sqlite3_step(c->slots);
	if (rc == SQLITE_DONE) {
		c->slots_done = 1;
		return 0;
	}
	if (rc != SQLITE_ROW)
		return hs_lc_db_error(c, err);
	c->slot_first = sqlite3_column_int64(c->slots, 1);
	c->have_slot = 1;
	return 1;
}

/* The next slot row of a process as a node; the row is consumed. */
static int emit_slot(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	sqlite3_stmt *st = c->slots;
	int64_t slot = hs_lc_col_i64(st, 0), nsess = sqlite3_column_int64(st, 5);

	hs_lc_node_init(nd, HS_LC_SLOT);
	nd->k[0] = c->proc_id;
	nd->k[1] = slot;
	nd->first_n = sqlite3_column_int64(st, 1);
	nd->last_n = sqlite3_column_int64(st, 2);
	nd->calls = sqlite3_column_int64(st, 3);
	nd->errors = sqlite3_column_int64(st, 4);
	nd->open_end = sqlite3_column_int64(st, 6) > 0;
	nd->has_children = 1;
	if (slot == HS_NONE)
		hs_lc_setf(nd->label, sizeof nd->label, "slot ?");
	else
		hs_lc_setf(nd->label, sizeof nd->label, "slot 0x%llx", (unsigned long long)slot);
	hs_lc_addf(nd->label, sizeof nd->label, " (%lld session%s)", (long long)nsess, nsess == 1 ? "" : "s");
	if (nsess <= 24 && hs_lc_prep(c, &c->st_ids, "SELECT id FROM sessions WHERE process_id = ?1"
	                                      " AND slot IS ?2 ORDER BY id", err) == 0) {
		int first = 1;
		sqlite3_bind_int64(c->st_ids, 1, c->proc_id);
		hs_lc_bind_i64(c->st_ids, 2, slot);
		hs_lc_setf(nd->filter, sizeof nd->filter, "session_id in {");
		while (sqlite3_step(c->st_ids) == SQLITE_ROW) {
			hs_lc_addf(nd->filter, sizeof nd->filter, "%s%lld", first ? "" : ", ",
			     (long long)sqlite3_column_int64(c->st_ids, 0));
			first = 0;
		}
		hs_lc_addf(nd->filter, sizeof nd->filter, "}");
	} else {
		hs_lc_setf(nd->filter, sizeof nd->filter, "session_id >= %lld && session_id <= %lld",
		     (long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 8));
	}
	hs_lc_times(c, nd, err);
	c->have_slot = 0;
	return 1;
}

/* Add the comma-separated kinds of `kinds` to `set`, each once. */
static void add_kinds(char *set, size_t len, const char *kinds)
{
	char k[48];
	const char *p = kinds;

	while (*p) {
		size_t n = strcspn(p, ","), l = strlen(set);
		if (n < sizeof k) {
			memcpy(k, p, n);
			k[n] = '\0';
			if (!strstr(set, k) && l + n + 2 < len)
				snprintf(set + l, len - l, "%s%s", l ? "," : "", k);
		}
		p += n + (p[n] == ',');
	}
}

/* Count one folded call under its state. */
static void fold_state_add(struct hs_lc_cursor *c, const struct row *r)
{
	const char *name = r->incomplete ? "never returned" : r->rv_name[0] ? r->rv_name : "?";
	int i;

	for (i = 0; i < c->nfold_states; i++)
		if (strcmp(c->fold_states[i].name, name) == 0) {
			c->fold_states[i].count++;
			return;
		}
	if (c->nfold_states == FOLD_STATES) {
		c->fold_other++;
		return;
	}
	hs_strlcpy(c->fold_states[c->nfold_states].name, name, sizeof c->fold_states[0].name);
	c->fold_states[c->nfold_states++].count = 1;
}

/* A fold's state: how many of its calls ended each way ("1 CKR_OK, 1 never
 * returned"). What does not fit whole is counted as "N other", never cut. */
static void fold_state_text(const struct hs_lc_cursor *c, char *out, size_t len)
{
	int64_t other = c->fold_other;
	size_t o = 0;
	int i, k;

	out[0] = '\0';
	for (i = 0; i < c->nfold_states; i++) {
		const struct fold_state *fs = &c->fold_states[i];
		char num[24];
		k = snprintf(num, sizeof num, "%lld ", (long long)fs->count);
		/* room for this one and a final ", NNN other" */
		if (o + (o ? 2 : 0) + (size_t)k + strlen(fs->name) + 32 >= len) {
			other += fs->count;
			continue;
		}
		o += (size_t)snprintf(out + o, len - o, "%s%s%s", o ? ", " : "", num, fs->name);
	}
	if (other)
		snprintf(out + o, len - o, "%s%lld other", o ? ", " : "", (long long)other);
}

static void emit_fold(struct hs_lc_cursor *c, struct hs_lc_node *nd)
{
	char q[80];

	if (c->fold_count == 1) {
		hs_lc_fill_call(&c->fold_first, nd);
	} else {
		hs_lc_node_init(nd, HS_LC_CALLS);
		nd->first_n = c->fold_first.n;
		nd->last_n = c->fold_last_n;
		nd->first_ts = c->fold_first.ts;
		nd->last_ts = c->fold_last_ts;
		nd->ts_utc = c->fold_first.ts_utc;
		nd->calls = c->fold_count;
		nd->errors = c->fold_errors;
		nd->open_end = c->fold_open;
		nd->has_children = 1;
		hs_strlcpy(nd->anomalies, c->fold_anomalies, sizeof nd->anomalies);
		hs_strlcpy(nd->func, c->fold_first.func, sizeof nd->func);
		hs_lc_setf(nd->label, sizeof nd->label, "%s (%lld calls)", c->fold_first.func,
		     (long long)c->fold_count);
		fold_state_text(c, nd->state, sizeof nd->state);
		nd->k[0] = c->src;
		nd->k[1] = c->a;
		nd->k[2] = c->b;
		hs_lc_quote(q, sizeof q, c->fold_first.func);
		hs_lc_setf(nd->filter, sizeof nd->filter, "%s%s%sfunc == %s && n >= %lld && n <= %lld",
		     c->parent_filter[0] ? "(" : "", c->parent_filter, c->parent_filter[0] ? ") && " : "",
		     q, (long long)nd->first_n, (long long)nd->last_n);
	}
	c->have_fold = 0;
}

/* One node from the event scan (merging a process's slots in). */
static int next_scan(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	int rc;

	for (;;) {
		if ((rc = read_row(c, err)) < 0 || read_slot(c, err) < 0)
			return -1;
		if (c->have_slot && (!rc || c->slot_first < c->row.n)) {
			if (c->have_fold) {
				emit_fold(c, nd);
				return 1;
			}
			return emit_slot(c, nd, err);
		}
		if (!rc) {
			if (c->have_fold) {
				emit_fold(c, nd);
				return 1;
			}
			return 0;
		}
		if (c->leaves_only && ((c->group_logins && c->row.login_id != HS_NONE) ||
		                       (c->group_spans && c->row.span_id != HS_NONE))) {
			c->have_row = 0;
			continue;
		}
		if (c->group_logins && c->row.login_id != HS_NONE) {
			if (iset_has(&c->logins, c->row.login_id)) {
				c->have_row = 0; /* a child of the login shown before */
				continue;
			}
			if (c->have_fold) { /* the login comes after the fold */
				emit_fold(c, nd);
				return 1;
			}
			if (iset_add(&c->logins, c->row.login_id) < 0)
				goto oom;
			c->have_row = 0;
			if ((rc = hs_lc_fill_login(c, c->row.login_id, c->src == SRC_SESSION ? c->a : 0, nd,
			                     err)) != 0)
				return rc;
			continue;
		}
		if (c->group_spans && c->row.span_id != HS_NONE) {
			if (iset_has(&c->spans, c->row.span_id)) {
				c->have_row = 0;
				continue;
			}
			if (c->have_fold) {
				emit_fold(c, nd);
				return 1;
			}
			if (iset_add(&c->spans, c->row.span_id) < 0)
				goto oom;
			c->have_row = 0;
			if ((rc = hs_lc_fill_span(c, c->row.span_id, nd, err)) != 0)
				return rc;
			continue;
		}
		if (c->fold_func[0] && strcmp(c->row.func, c->fold_func) != 0) {
			c->have_row = 0;
			continue;
		}
		if (c->have_fold && (!c->fold || strcmp(c->fold_first.func, c->row.func) != 0)) {
			emit_fold(c, nd);
			return 1;
		}
		if (!c->have_fold) {
			c->fold_first = c->row;
			c->have_fold = 1;
			c->fold_count = c->fold_errors = 0;
			c->fold_open = 0;
			c->fold_anomalies[0] = '\0';
			c->nfold_states = 0;
			c->fold_other = 0;
		}
		fold_state_add(c, &c->row);
		if (c->row.anomalies[0])
			add_kinds(c->fold_anomalies, sizeof c->fold_anomalies, c->row.anomalies);
		c->fold_count++;
		c->fold_errors += !c->row.ok && !c->row.incomplete;
		c->fold_open |= c->row.incomplete;
		c->fold_last_n = c->row.n;
		c->fold_last_ts = c->row.ts;
		c->have_row = 0;
		if (!c->fold) {
			emit_fold(c, nd);
			return 1;
		}
	}
oom:
	hs_error_set(err, "", 0, 0, "out of memory");
	return -1;
}

/* -------------------------------------------------------------- cursors */

static int set_hsm(struct hs_lc_cursor *c, int64_t stream_id, struct hs_error *err)
{
	if (hs_lc_prep(c, &c->st_stream, "SELECT hsm FROM streams WHERE id = ?1", err) < 0)
		return -1;
	sqlite3_bind_int64(c->st_stream, 1, stream_id);
	if (sqlite3_step(c->st_stream) == SQLITE_ROW)
		hs_lc_col_str(c->st_stream, 0, c->hsm, sizeof c->hsm);
	sqlite3_finalize(c->st_stream);
	c->st_stream = NULL;
	return 0;
}

static void source_flags(struct hs_lc_cursor *c)
{
	c->group_logins = c->src == SRC_SESSION || c->src == SRC_HSM;
	c->group_spans = c->src == SRC_SESSION || c->src == SRC_SESSION_LOGIN;
}

int hs_lc_open(struct hs_index *ix, const struct hs_lc_node *parent, struct hs_lc_cursor **out,
               struct hs_error *err)
{
	struct hs_lc_cursor *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return -1;
	}
	c->ix = ix;
	c->db = hs_index_db(ix);
	c->nfiles = (int)hs_index_info(ix)->files;
	c->lo = 0;
	c->hi = INT64_MAX;
	c->src = SRC_NONE;
	if (!parent) {
		c->src = SRC_ROOTS;
		if (hs_lc_prep(c, &c->main, "SELECT 0, id, first_n FROM processes UNION ALL"
		                      " SELECT 1, id, first_n FROM streams ORDER BY 3, 1, 2", err) < 0)
			goto fail;
		*out = c;
		return 0;
	}
	hs_strlcpy(c->parent_filter, parent->filter, sizeof c->parent_filter);
	c->fold = 1;
	switch (parent->kind) {
	case HS_LC_PROCESS:
		c->src = SRC_PROCESS;
		c->a = parent->k[0];
		c->b = parent->k[1];
		c->proc_id = parent->k[2];
		c->lo = parent->first_n;
		c->hi = parent->last_n;
		if (hs_lc_prep(c, &c->slots, "SELECT slot, min(first_n), max(ifnull(close_n, last_n)),"
		                       " sum(calls), sum(errors), count(*), sum(state = 'leaked'), min(id),"
		                       " max(id) FROM sessions WHERE process_id = ?1 GROUP BY slot"
		                       " ORDER BY 2", err) < 0)
			goto fail;
		sqlite3_bind_int64(c->slots, 1, c->proc_id);
		break;
	case HS_LC_SLOT:
		c->src = SRC_SLOT;
		if (hs_lc_prep(c, &c->main, "SELECT id, handle, slot, open_n, close_n, first_n, last_n, calls,"
		                      " errors, state FROM sessions WHERE process_id = ?1 AND slot IS ?2"
		                      " ORDER BY first_n", err) < 0)
			goto fail;
		sqlite3_bind_int64(c->main, 1, parent->k[0]);
		hs_lc_bind_i64(c->main, 2, parent->k[1]);
		*out = c;
		return 0;
	case HS_LC_SESSION:
		c->src = SRC_SESSION;
		c->a = parent->k[0];
		break;
	case HS_LC_LOGIN:
		if (parent->k[1] > 0) {
			c->src = SRC_SESSION_LOGIN;
			c->a = parent->k[1];
			c->b = parent->k[0];
		} else {
			c->src = SRC_LOGIN;
			c->a = parent->k[0];
		}
		break;
	case HS_LC_SPAN:
		c->src = SRC_SPAN;
		c->a = parent->k[0];
		break;
	case HS_LC_HSM:
		c->src = SRC_HSM;
		c->a = parent->k[0];
		break;
	case HS_LC_CALLS:
		c->src = (enum src)parent->k[0];
		c->a = parent->k[1];
		c->b = parent->k[2];
		c->lo = parent->first_n;
		c->hi = parent->last_n;
		c->fold = 0;
		c->leaves_only = 1;
		hs_strlcpy(c->fold_func, parent->func, sizeof c->fold_func);
		break;
	case HS_LC_CALL:
		*out = c; /* no children */
		return 0;
	}
	if (c->src >= SRC_NONE || c->src == SRC_ROOTS || c->src == SRC_SLOT) {
		hs_error_set(err, "", 0, 0, "sessions: not a node of this tree");
		goto fail;
	}
	source_flags(c);
	if (c->src == SRC_HSM && set_hsm(c, c->a, err) < 0)
		goto fail;
	if (hs_lc_prep(c, &c->main, src_sql[c->src], err) < 0)
		goto fail;
	sqlite3_bind_int64(c->main, 1, c->a);
	sqlite3_bind_int64(c->main, 2, c->b);
	sqlite3_bind_int64(c->main, 3, c->lo == HS_NONE ? 0 : c->lo);
	sqlite3_bind_int64(c->main, 4, c->hi == HS_NONE ? INT64_MAX : c->hi);
	sqlite3_bind_text(c->main, 5, c->hsm, -1, SQLITE_STATIC);
	*out = c;
	return 0;
fail:
	hs_lc_close(c);
	return -1;
}

int hs_lc_next(struct hs_lc_cursor *c, struct hs_lc_node *nd, struct hs_error *err)
{
	int rc;

	if (c->src == SRC_NONE || !c->main)
		return 0;
	if (c->src == SRC_ROOTS) {
		for (;;) {
			rc = sqlite3_step(c->main);
			if (rc == SQLITE_DONE)
				return 0;
			if (rc != SQLITE_ROW)
				return hs_lc_db_error(c, err);
			rc = sqlite3_column_int(c->main, 0)
			     ? hs_lc_fill_stream(c, sqlite3_column_int64(c->main, 1), nd, err)
			     : hs_lc_fill_process(c, sqlite3_column_int64(c->main, 1), nd, err);
			if (rc)
				return rc;
		}
	}
	if (c->src == SRC_SLOT) {
		rc = sqlite3_step(c->main);
		if (rc == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return hs_lc_db_error(c, err);
		return hs_lc_fill_session(c, c->main, nd, err);
	}
	return next_scan(c, nd, err);
}

void hs_lc_close(struct hs_lc_cursor *c)
{
	if (!c)
		return;
	/* given back for the next node's cursor (hs_lc_prep takes them) */
	hs_index_stmt_give(c->ix, c->main);
	hs_index_stmt_give(c->ix, c->slots);
	hs_index_stmt_give(c->ix, c->st_ts);
	hs_index_stmt_give(c->ix, c->st_login);
	hs_index_stmt_give(c->ix, c->st_span);
	hs_index_stmt_give(c->ix, c->st_sl);
	hs_index_stmt_give(c->ix, c->st_proc);
	hs_index_stmt_give(c->ix, c->st_stream);
	hs_index_stmt_give(c->ix, c->st_sess);
	hs_index_stmt_give(c->ix, c->st_ids);
	hs_index_stmt_give(c->ix, c->st_threads);
	free(c->logins.v);
	free(c->spans.v);
	free(c);
}

static int walk(struct hs_index *ix, const struct hs_lc_node *parent, int depth,
                int (*fn)(void *ctx, const struct hs_lc_node *node, int depth), void *ctx,
                struct hs_error *err)
{
	struct hs_lc_cursor *c;
	struct hs_lc_node nd;
	int rc;

	if (hs_lc_open(ix, parent, &c, err) < 0)
		return -1;
	while ((rc = hs_lc_next(c, &nd, err)) == 1) {
		int r = fn(ctx, &nd, depth);
		if (r < 0 || (r == 0 && nd.has_children && walk(ix, &nd, depth + 1, fn, ctx, err) < 0)) {
			rc = -1;
			break;
		}
	}
	hs_lc_close(c);
	return rc < 0 ? -1 : 0;
}

int hs_lc_walk(struct hs_index *ix, int (*fn)(void *ctx, const struct hs_lc_node *node, int depth),
               void *ctx, struct hs_error *err)
{
	return walk(ix, NULL, 0, fn, ctx, err);
}

const char *hs_lc_kind_name(enum hs_lc_kind kind)
{
	static const char *const names[] = {
		[HS_LC_PROCESS] = "process", [HS_LC_SLOT] = "slot", [HS_LC_SESSION] = "session",
		[HS_LC_LOGIN] = "login", [HS_LC_SPAN] = "operation", [HS_LC_CALLS] = "calls",
		[HS_LC_CALL] = "call", [HS_LC_HSM] = "hsm",
	};

	return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}
