/* view_detail.c — the detail tree of the selected event, like Wireshark's
 * packet details: frame, time, process, call, result, session, the decoded
 * parameter lines (indentation is the tree: a deeper line is a child of the
 * line above it), audit fields, object handles and the correlation (ids,
 * partner event, anomalies with what they mean, the hint).
 *
 * The tree is rebuilt when the selected event changes; its text lives in
 * `lines` (owned), the widget's node datum is the line's index.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/correlate.h"
#include "hsmscope/detail.h"
#include "hsmscope/query.h"
#include "listwidget.h"

struct dline {
	char *text;                 /* owned, raw log text: escaped when drawn */
	char *filter;               /* owned: the filter for this line's value, NULL none */
	int fold;                   /* its children start folded (a value's raw rows) */
	enum hs_role role;
};

struct detail {
	struct hs_lw lw;            /* tree */
	struct dline *lines;        /* owned */
	int nlines, cap;
	int64_t built_n;            /* event the tree shows, 0 none */
	unsigned built_gen;
	struct hs_app *app;         /* during draw only */
};

static void *detail_open(struct hs_app *app)
{
	struct detail *d = calloc(1, sizeof *d);

	(void)app;
	if (d)
		hs_lw_init(&d->lw, 1);
	return d;
}

static void clear_lines(struct detail *d)
{
	int i;

	for (i = 0; i < d->nlines; i++) {
		free(d->lines[i].text);
		free(d->lines[i].filter);
	}
	d->nlines = 0;
	hs_lw_clear(&d->lw);
}

static void detail_close(void *st)
{
	struct detail *d = st;

	clear_lines(d);
	free(d->lines);
	hs_lw_free(&d->lw);
	free(d);
}

static void add(struct detail *d, int depth, enum hs_role role, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct detail *d, int depth, enum hs_role role, const char *fmt, ...)
{
	struct hs_buf b;
	va_list ap;
	char tmp[1024];

	if (d->nlines == d->cap) {
		int cap = d->cap ? d->cap * 2 : 64;
		struct dline *nl = realloc(d->lines, (size_t)cap * sizeof *nl);
		if (!nl)
			return;
		d->lines = nl;
		d->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	hs_buf_init(&b);
	hs_buf_adds(&b, tmp);
	if (hs_buf_failed(&b) || !b.data || hs_lw_add(&d->lw, depth, d->nlines) < 0) {
		hs_buf_free(&b);
		return;
	}
	d->lines[d->nlines].text = b.data;
	d->lines[d->nlines].filter = NULL;
	d->lines[d->nlines].fold = 0;
	d->lines[d->nlines].role = role;
	d->nlines++;
}

/* The filter of the line added last (Apply / Prepare as filter). */
static void set_filter(struct detail *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_filter(struct detail *d, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	if (!d->nlines)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	free(d->lines[d->nlines - 1].filter);
	d->lines[d->nlines - 1].filter = tmp[0] ? hs_strdup(tmp) : NULL;
}

/* A filter string literal of s, quoted and escaped by the core. */
static const char *quoted(struct hs_buf *b, const char *s)
{
	hs_buf_clear(b);
	hs_detail_quote(b, s, strlen(s));
	return hs_buf_cstr(b);
}

static const char *anomaly_help(const char *kind)
{
	const char *name, *help = NULL;
	int i;

	for (i = 0; (name = hs_correlate_anomaly_kind(i, &help)); i++)
		if (strcmp(name, kind) == 0)
			return help ? help : "";
	return "";
}

/* The parameter lines, decoded by the core (hs_detail_decode): a value's
 * raw rows are its children, folded. */
struct params_ctx {
	struct detail *d;
	int base;
	int parent;                 /* node of the last decoded line, -1 none */
};

static int add_node(void *ctx, const struct hs_dnode *n)
{
	struct params_ctx *p = ctx;
	struct detail *d = p->d;
	int before = d->nlines;

	add(d, p->base + n->depth, n->raw ? HS_ROLE_DIM : HS_ROLE_NORMAL, "%s", n->text);
	if (d->nlines == before)
		return 0;
	if (n->filter[0])
		set_filter(d, "%s", n->filter);
	if (n->raw && p->parent >= 0)
		d->lines[p->parent].fold = 1;
	if (!n->raw)
		p->parent = d->nlines - 1;
	return 0;
}

static void add_params(struct detail *d, const struct hs_event *e, int base)
{
	struct params_ctx p = { d, base, -1 };

	hs_detail_decode(hs_buf_cstr(&e->detail), e->detail.len, add_node, &p);
}

static void build(struct hs_app *app, struct detail *d)
{
	const struct hs_event *e = hs_app_current(app);
	const struct hs_index_file *f;
	char ts[64], rel[64], dur[32];
	struct hs_event peer;
	struct hs_error err;
	int i;
	struct hs_buf q;
	const char *nm;

	clear_lines(d);
	hs_buf_init(&q);
	d->built_n = app->sel_n;
	d->built_gen = app->gen;
	if (!e) {
		hs_lw_done(&d->lw, -1);
		return;
	}
	f = hs_index_file(app->ix, e->file_id);
	add(d, 0, e->ok ? HS_ROLE_NORMAL : e->incomplete ? HS_ROLE_WARN : HS_ROLE_ERROR,
	    "Event %lld: %s -> %s", (long long)e->n, e->func,
	    e->rv_name[0] ? e->rv_name : e->incomplete ? "(no return)" : "-");
	/* standard input by its name, not the path of its spooled copy */
	add(d, 1, HS_ROLE_DIM, "File: %s, line %lld, byte %lld",
	    e->file_id == 0 && app->shown != app->files[0] ? app->shown : f ? f->path : "?", (long long)e->line,
	    (long long)e->offset);
	add(d, 1, HS_ROLE_DIM, "Format: %s%s", e->format,
	    e->call_no != HS_NONE ? "" : "");
	if (e->call_no != HS_NONE)
		add(d, 1, HS_ROLE_DIM, "Tracer's call number: %lld", (long long)e->call_no);
	if (e->uncertain) {
		add(d, 0, HS_ROLE_WARN, "Attribution: uncertain");
		add(d, 1, HS_ROLE_DIM, "threads or processes wrote into each other's lines here and more");
		add(d, 1, HS_ROLE_DIM, "than one call could own some of them: no anomaly is drawn from it");
	}

	hs_format_ts(e->ts_us, ts, sizeof ts, 1);
	add(d, 0, HS_ROLE_NORMAL, "Time: %s%s", ts, e->ts_us == HS_NONE ? "" : e->ts_utc ? " UTC" : " (local time as recorded)");
	if (e->ts_us != HS_NONE && app->first_ts != HS_NONE) {
		snprintf(rel, sizeof rel, "%.6f s", (double)(e->ts_us - app->first_ts) / 1e6);
		add(d, 1, HS_ROLE_NORMAL, "Since the first event: %s", rel);
	}
	if (e->ts_us != HS_NONE && app->ref_n > 0 && app->ref_ts != HS_NONE)
		add(d, 1, HS_ROLE_NORMAL, "Since the time reference (No. %lld): %+.6f s",
		    (long long)app->ref_n, (double)(e->ts_us - app->ref_ts) / 1e6);
	hs_app_format_dur(app, e->dur_us, e->dur_exact, dur, sizeof dur);
	add(d, 1, HS_ROLE_NORMAL, "Duration: %s%s", dur,
	    e->dur_us == HS_NONE ? (e->ts_us == HS_NONE ? " (the log records no times)" :
	                            e->hsm[0] ? " (an audit log records when a command ran, not how long it took)" :
	                                        " (no next call of this thread)") :
	    e->dur_exact ? " (recorded by the tracer)" : " (estimated: until this thread's next call)");

	if (e->hsm[0]) {
		add(d, 0, HS_ROLE_NORMAL, "HSM: %s", e->hsm);
		set_filter(d, "hsm == %s", quoted(&q, e->hsm));
	} else {
		add(d, 0, HS_ROLE_NORMAL, "Process: instance %lld%s", (long long)e->instance + 1,
		    e->pid == HS_NONE ? " (the log names no pid)" : "");
		set_filter(d, "proc == %lld", (long long)e->instance + 1);
	}
	if (e->pid != HS_NONE) {
		add(d, 1, HS_ROLE_NORMAL, "pid %lld", (long long)e->pid);
		set_filter(d, "pid == %lld", (long long)e->pid);
	}
	if (e->tid != HS_NONE) {
		add(d, 1, HS_ROLE_NORMAL, "thread %lld", (long long)e->tid);
		set_filter(d, "tid == %lld", (long long)e->tid);
	}

	add(d, 0, HS_ROLE_NORMAL, "Function: %s", e->func);
	if (e->func[0])
		set_filter(d, "func == %s", quoted(&q, e->func));
	if (e->hint[0])
		add(d, 1, HS_ROLE_DIM, "%s", e->hint);
	if (e->rv != HS_NONE) {
		add(d, 0, e->ok ? HS_ROLE_NORMAL : HS_ROLE_ERROR, "Result: %s (0x%llx)%s", e->rv_name,
		    (unsigned long long)e->rv, e->ok ? "" : "  -- error");
		set_filter(d, "rv == 0x%llx", (unsigned long long)e->rv);
	} else
		add(d, 0, e->incomplete ? HS_ROLE_WARN : HS_ROLE_NORMAL, "Result: %s",
		    e->incomplete ? "none: the call never returned in the log" : e->rv_name[0] ? e->rv_name : "-");
	if (e->session != HS_NONE || e->slot != HS_NONE) {
		add(d, 0, HS_ROLE_NORMAL, "Session/slot");
		if (e->session != HS_NONE) {
			add(d, 1, HS_ROLE_NORMAL, "session handle 0x%llx", (unsigned long long)e->session);
			set_filter(d, "session == 0x%llx", (unsigned long long)e->session);
		}
		if (e->slot != HS_NONE) {
			add(d, 1, HS_ROLE_NORMAL, "slot 0x%llx", (unsigned long long)e->slot);
			set_filter(d, "slot == 0x%llx", (unsigned long long)e->slot);
		}
	}

	if (e->detail.len) {
		int nl = 0;
		for (i = 0; i < (int)e->detail.len; i++)
			nl += e->detail.data[i] == '\n';
		add(d, 0, HS_ROLE_NORMAL, "Parameters (%d line%s)", nl + 1, nl ? "s" : "");
		add_params(d, e, 1);
	}

	if (e->user[0] || e->seq != HS_NONE || e->opcode != HS_NONE || e->response[0]) {
		add(d, 0, HS_ROLE_NORMAL, "Audit record");
		if (e->user[0]) {
			add(d, 1, HS_ROLE_NORMAL, "user %s", e->user);
			set_filter(d, "user == %s", quoted(&q, e->user));
		}
		if (e->user_type != HS_NONE) {
			nm = hs_ck_name(HS_CN_USERTYPE, (uint64_t)e->user_type);
			add(d, 1, HS_ROLE_NORMAL, "user type %s%s%lld%s", nm ? nm : "", nm ? " (" : "",
			    (long long)e->user_type, nm ? ")" : "");
			set_filter(d, "user_type == %lld", (long long)e->user_type);
		}
		if (e->seq != HS_NONE) {
			add(d, 1, HS_ROLE_NORMAL, "sequence 0x%llx", (unsigned long long)e->seq);
			set_filter(d, "seq == 0x%llx", (unsigned long long)e->seq);
		}
		if (e->reboot != HS_NONE)
			add(d, 1, HS_ROLE_NORMAL, "reboot counter 0x%llx", (unsigned long long)e->reboot);
		if (e->cmd_type != HS_NONE) {
			nm = hs_ck_name(HS_CN_CMDTYPE, (uint64_t)e->cmd_type);
			add(d, 1, HS_ROLE_NORMAL, "command type %s%s0x%llx%s", nm ? nm : "", nm ? " (" : "",
			    (unsigned long long)e->cmd_type, nm ? ")" : "");
		}
		if (e->opcode != HS_NONE) {
			nm = hs_ck_name(HS_CN_OPCODE, (uint64_t)e->opcode);
			add(d, 1, HS_ROLE_NORMAL, "opcode %s%s0x%llx%s", nm ? nm : "", nm ? " (" : "",
			    (unsigned long long)e->opcode, nm ? ")" : "");
			if (nm)
				set_filter(d, "opcode == %s", nm);
		}
		if (e->log_type != HS_NONE)
			add(d, 1, HS_ROLE_NORMAL, "log type %lld", (long long)e->log_type);
		if (e->response[0])
			add(d, 1, HS_ROLE_NORMAL, "response %s", e->response);
	} else if (e->user_type != HS_NONE) {
		add(d, 0, HS_ROLE_NORMAL, "User type: %lld", (long long)e->user_type);
	}
	if (e->nkeys) {
		add(d, 0, HS_ROLE_NORMAL, "Objects (%d)", e->nkeys);
		for (i = 0; i < e->nkeys; i++) {
			add(d, 1, HS_ROLE_NORMAL, "%s = %lld", e->keys[i].role, (long long)e->keys[i].handle);
			set_filter(d, "key == %lld", (long long)e->keys[i].handle);
		}
	}

	add(d, 0, e->anomalies[0] ? HS_ROLE_ANOMALY : HS_ROLE_NORMAL, "Correlation");
	if (e->session_id != HS_NONE) {
		add(d, 1, HS_ROLE_NORMAL, "session #%lld  (o / O: its next / previous event; s: sessions)",
		    (long long)e->session_id);
		set_filter(d, "session_id == %lld", (long long)e->session_id);
	} else {
		add(d, 1, HS_ROLE_DIM, "no session");
	}
	if (e->login_id != HS_NONE) {
		add(d, 1, HS_ROLE_NORMAL, "login #%lld", (long long)e->login_id);
		set_filter(d, "login == %lld", (long long)e->login_id);
	}
	if (e->span_id != HS_NONE) {
		add(d, 1, HS_ROLE_NORMAL, "operation span #%lld", (long long)e->span_id);
		set_filter(d, "span == %lld", (long long)e->span_id);
	}
	if (e->peer != HS_NONE) {
		hs_event_init(&peer);
		if (hs_query_event(app->ix, e->peer, &peer, &err) == 1)
			add(d, 1, HS_ROLE_NORMAL, "partner: event %lld %s -> %s  (%% jumps there)",
			    (long long)peer.n, peer.func, peer.rv_name[0] ? peer.rv_name : "-");
		else
			add(d, 1, HS_ROLE_NORMAL, "partner: event %lld  (%% jumps there)", (long long)e->peer);
		hs_event_free(&peer);
	}
	if (e->anomalies[0]) {
		char kinds[sizeof e->anomalies], *k, *save = NULL;
		hs_strlcpy(kinds, e->anomalies, sizeof kinds);
		add(d, 1, HS_ROLE_ANOMALY, "Anomalies: %s  (w / W: next / previous anomaly)", e->anomalies);
		for (k = strtok_r(kinds, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			const char *h = anomaly_help(k);
			add(d, 2, HS_ROLE_ANOMALY, "%s%s%s", k, *h ? ": " : "", h);
			set_filter(d, "anomaly == %s", quoted(&q, k));
		}
	}
	if (e->summary[0])
		add(d, 0, HS_ROLE_DIM, "Summary: %s", e->summary);
	hs_buf_free(&q);
	hs_lw_done(&d->lw, -1);
	/* a value's raw rows start folded; node i is line i */
	for (i = 0; i < d->lw.nnodes && i < d->nlines; i++)
		d->lw.nodes[i].collapsed = d->lines[i].fold && d->lw.nodes[i].nchildren > 0;
	hs_lw_select_node(&d->lw, 0);
	hs_lw_select(&d->lw, 0, 0);
}

/* Apply / Prepare as filter: the selected line's filter replaces the
 * filter (Backspace brings the old one back), or opens in the filter bar
 * to be edited before Enter. */
static int detail_command(struct hs_app *app, void *st, int cmd)
{
	struct detail *d = st;
	int node = hs_lw_node_at(&d->lw, d->lw.sel);
	const char *f = node >= 0 && d->lw.nodes[node].data < d->nlines ?
	                d->lines[d->lw.nodes[node].data].filter : NULL;

	if (cmd != HS_VCMD_APPLY_FILTER && cmd != HS_VCMD_PREPARE_FILTER)
		return HS_R_NONE;
	if (!f) {
		hs_app_msg(app, 0, "no filter for this line: select a value in the detail pane (Tab)");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (cmd == HS_VCMD_PREPARE_FILTER)
		hs_fb_begin(&app->fb, f);
	else
		hs_app_apply_filter(app, f);
	return HS_R_HANDLED | HS_R_REDRAW;
}

static void draw_line(void *ctx, WINDOW *w, int y, int x, int width, int64_t node, int selected)
{
	struct detail *d = ctx;
	struct hs_app *app = d->app;
	const struct dline *l = &d->lines[d->lw.nodes[node].data];
	attr_t a = selected ? hs_theme_attr(&app->theme, app->focus == HS_PANE_DETAIL ?
	                                    HS_ROLE_SELECTED : HS_ROLE_SELECTED_DIM)
	                    : hs_theme_attr(&app->theme, l->role);

	if (selected)
		hs_theme_fill(w, y, x, width, a);
	hs_theme_puts_cut(w, y, x, width, l->text, a); /* a cut line ends in an ellipsis */
}

static void detail_draw(struct hs_app *app, void *st, WINDOW *w, int focused)
{
	struct detail *d = st;

	(void)focused;
	d->app = app;
	if (d->built_n != app->sel_n || d->built_gen != app->gen)
		build(app, d);
	hs_lw_set_height(&d->lw, getmaxy(w));
	hs_lw_draw(&d->lw, w, 0, getmaxx(w), draw_line, d, hs_theme_attr(&app->theme, HS_ROLE_DIM));
	if (!d->nlines)
		hs_theme_puts(w, 0, 1, getmaxx(w) - 1, "(no event selected)", hs_theme_attr(&app->theme, HS_ROLE_DIM));
}

static int detail_nav(struct hs_app *app, void *st, enum hs_nav cmd)
{
	struct detail *d = st;

	(void)app;
	return hs_lw_nav(&d->lw, cmd);
}

static int detail_click(struct hs_app *app, void *st, int y, int x, int dbl)
{
	struct detail *d = st;
	int r;

	(void)x;
	app->focus = HS_PANE_DETAIL;
	r = hs_lw_click(&d->lw, y);
	if (dbl)
		r |= hs_lw_nav(&d->lw, HS_NAV_ENTER);
	return r | HS_R_REDRAW;
}

/* For `/` search (search.c): the tree and each node's text. */
static struct hs_lw *detail_widget(void *st)
{
	return &((struct detail *)st)->lw;
}

static const char *detail_item_text(void *st, int64_t i, size_t *len)
{
	struct detail *d = st;
	const char *t;

	if (i < 0 || i >= d->lw.nnodes)
		return NULL;
	t = d->lines[d->lw.nodes[i].data].text;
	*len = strlen(t);
	return t;
}

const struct hs_view hs_view_detail = {
	.name = "Detail",
	.open = detail_open,
	.close = detail_close,
	.draw = detail_draw,
	.nav = detail_nav,
	.click = detail_click,
	.widget = detail_widget,
	.item_text = detail_item_text,
	.command = detail_command,
};
