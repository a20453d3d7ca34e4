/* export.c — JSON of events and summaries, written safely.
 *
 * Events are streamed from a query cursor and serialised one at a time with
 * cJSON, so an export of millions of events holds one event in memory. The
 * event schema is flat and stable: every key is always present (null when
 * the format has no such field) so scripts can rely on it; audit-log keys
 * are added for audit events.
 */
#include "hsmscope/export.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsmscope/ckconst.h"
#include "hsmscope/detect.h"
#include "hsmscope/query.h"
#include "hsmscope/safefile.h"
#include "evcols.h"

static void add_i64(cJSON *o, const char *k, int64_t v)
{
	if (v == HS_NONE)
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, (double)v);
}

static void add_str(cJSON *o, const char *k, const char *s)
{
	if (!s || !*s)
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddStringToObject(o, k, s);
}

/* An ISO 8601 time: "Z" when UTC, the --tz zone's offset when the user
 * named it, else none (a local time whose zone nobody knows). */
static void add_ts(cJSON *o, const char *k, int64_t ts, int utc, const char *tz)
{
	char buf[48];

	if (ts == HS_NONE) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	hs_format_iso_zoned(ts, utc, tz != NULL, buf, sizeof buf);
	cJSON_AddStringToObject(o, k, buf);
}

/* What zone "ts" is in: "UTC", the --tz name, or "local" (unknown). */
static const char *ts_zone(int64_t ts, int utc, const char *tz)
{
	return ts == HS_NONE ? NULL : utc ? "UTC" : tz ? tz : "local";
}

/* A handle as text, as every view shows it: "0x1". */
static void add_hex(cJSON *o, const char *k, int64_t v)
{
	char buf[24];

	if (v == HS_NONE) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
	cJSON_AddStringToObject(o, k, buf);
}

/* Statements an export reuses across its events; finalized by stmts_free. */
struct stmts {
	sqlite3_stmt *attr;         /* attributions of one event */
	sqlite3_stmt *peer;         /* file and offset of the peer event */
	int tty;                    /* the output is a terminal: CSV cells on one line */
	sqlite3_stmt *gap;          /* the sequence gap before one audit event */
};

static void stmts_free(struct stmts *c)
{
	sqlite3_finalize(c->attr);
	sqlite3_finalize(c->peer);
	sqlite3_finalize(c->gap);
}

/* The peer as its op_id (what scripts can look up), null when none. */
static void add_peer(cJSON *o, struct hs_index *ix, int64_t peer, sqlite3_stmt **cache)
{
	struct hs_event pe;
	char id[64];

	if (peer == HS_NONE) {
		cJSON_AddNullToObject(o, HS_EVC_JKEY(peer));
		return;
	}
	if (!*cache && sqlite3_prepare_v2(hs_index_db(ix),
	                                  "SELECT file_id, offset FROM events WHERE n = ?1",
	                                  -1, cache, NULL) != SQLITE_OK)
		*cache = NULL;
	if (!*cache) {
		cJSON_AddNullToObject(o, HS_EVC_JKEY(peer));
		return;
	}
	sqlite3_reset(*cache);
	sqlite3_bind_int64(*cache, 1, peer);
	if (sqlite3_step(*cache) != SQLITE_ROW) {
		cJSON_AddNullToObject(o, HS_EVC_JKEY(peer));
		return;
	}
	pe.file_id = sqlite3_column_int(*cache, 0);
	pe.offset = sqlite3_column_int64(*cache, 1);
	hs_query_op_id(ix, &pe, id, sizeof id);
	cJSON_AddStringToObject(o, HS_EVC_JKEY(peer), id);
	cJSON_AddNumberToObject(o, "peer_n", (double)peer);
}

/* Who was logged in on the event's HSM (audit logs): the attributions
 * table of correlation. *cache keeps the statement across events. */
static void add_attributed(cJSON *o, struct hs_index *ix, int64_t n, sqlite3_stmt **cache)
{
	sqlite3_stmt *st = *cache;
	const unsigned char *users = NULL;

	if (!st && sqlite3_prepare_v2(hs_index_db(ix), "SELECT users FROM attributions WHERE n = ?1",
	                              -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	if (st) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, n);
		if (sqlite3_step(st) == SQLITE_ROW)
			users = sqlite3_column_text(st, 0);
	}
	add_str(o, "attributed_user", (const char *)users);
	*cache = st;
}

/* "seq_gap": {"from": 8, "to": 12, "missing": 3} when audit events are
 * missing just before this one (from: the number before the gap, null
 * after a reboot; to: this event's), else null. */
static void add_seq_gap(cJSON *o, struct hs_index *ix, int64_t n, sqlite3_stmt **cache)
{
	sqlite3_stmt *st = *cache;
	cJSON *g;

	if (!st && sqlite3_prepare_v2(hs_index_db(ix), "SELECT after, before, missing FROM seq_gaps"
	                              " WHERE n = ?1", -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	*cache = st;
	if (st) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, n);
	}
	if (!st || sqlite3_step(st) != SQLITE_ROW || !(g = cJSON_AddObjectToObject(o, "seq_gap"))) {
		cJSON_AddNullToObject(o, "seq_gap");
		return;
	}
	add_i64(g, "from", sqlite3_column_type(st, 0) == SQLITE_NULL ? HS_NONE : sqlite3_column_int64(st, 0));
	cJSON_AddNumberToObject(g, "to", (double)sqlite3_column_int64(st, 1));
	cJSON_AddNumberToObject(g, "missing", (double)sqlite3_column_int64(st, 2));
}

static cJSON *event_json(struct hs_index *ix, const struct hs_event *e, struct stmts *c);

cJSON *hs_export_event(struct hs_index *ix, const struct hs_event *e)
{
	struct stmts c = { NULL, NULL, 0, NULL };
	cJSON *o = event_json(ix, e, &c);

	stmts_free(&c);
	return o;
}

static int is_audit(const struct hs_event *e)
{
	/* Azure Cloud HSM's rows are CloudHSM audit events (parse_azurehsm.c) */
	return e->format && (strcmp(e->format, "cloudhsm") == 0 || strcmp(e->format, "azurehsm") == 0);
}

/* The columns' keys and presentations are evcols.h's (HS_EVC_JSON writes a
 * plain one); the order here is the published schema's (share/schema/),
 * which is not the view's, and the keys that are no column (session_hex,
 * hint, seq_gap, ...) are written here. */
static cJSON *event_json(struct hs_index *ix, const struct hs_event *e, struct stmts *c)
{
	cJSON *o = cJSON_CreateObject(), *tmpl, *lines, *keys;
	const struct hs_index_file *f = hs_index_file(ix, e->file_id);
	char id[64];
	const char *p, *end;
	int i;

	if (!o)
		return NULL;
	hs_query_op_id(ix, e, id, sizeof id);
	HS_EVC_JSON(o, e, n);
	cJSON_AddStringToObject(o, HS_EVC_JKEY(offset), id); /* file and offset */
	add_str(o, HS_EVC_JKEY(file_id), f ? f->path : NULL);
	HS_EVC_JSON(o, e, line);
	HS_EVC_JSON(o, e, format);
	add_ts(o, HS_EVC_JKEY(ts_us), e->ts_us, e->ts_utc, hs_index_info(ix)->tz);
	add_str(o, HS_EVC_JKEY(ts_utc), ts_zone(e->ts_us, e->ts_utc, hs_index_info(ix)->tz));
	HS_EVC_JSON(o, e, pid);
	HS_EVC_JSON(o, e, tid);
	/* process instances count from 1, as in every view; audit logs have
	 * streams (hsm), not processes */
	add_i64(o, HS_EVC_JKEY(instance), is_audit(e) ? HS_NONE : e->instance + 1);
	HS_EVC_JSON(o, e, call_no);
	HS_EVC_JSON(o, e, func);
	HS_EVC_JSON(o, e, rv);
	HS_EVC_JSON(o, e, rv_name);
	HS_EVC_JSON(o, e, ok);
	HS_EVC_JSON(o, e, incomplete);
	HS_EVC_JSON(o, e, uncertain);
	if (e->dur_us == HS_NONE) {
		cJSON_AddNullToObject(o, HS_EVC_JKEY(dur_us));
		cJSON_AddNullToObject(o, HS_EVC_JKEY(dur_exact));
	} else {
		cJSON_AddNumberToObject(o, HS_EVC_JKEY(dur_us), (double)e->dur_us / 1000.0);
		cJSON_AddStringToObject(o, HS_EVC_JKEY(dur_exact), e->dur_exact ? "tracer" :
		                        "estimate: time to the next call of the same process and thread");
	}
	HS_EVC_JSON(o, e, session);
	add_hex(o, "session_hex", e->session);
	HS_EVC_JSON(o, e, slot);
	HS_EVC_JSON(o, e, session_id);
	HS_EVC_JSON(o, e, login_id);
	HS_EVC_JSON(o, e, span_id);
	add_peer(o, ix, e->peer, &c->peer);
	keys = cJSON_AddArrayToObject(o, HS_EVC_JKEY(keys));
	for (i = 0; keys && i < e->nkeys; i++) {
		cJSON *k = cJSON_CreateObject();
		cJSON_AddNumberToObject(k, "handle", (double)e->keys[i].handle);
		add_hex(k, "handle_hex", e->keys[i].handle);
		cJSON_AddStringToObject(k, "role", e->keys[i].role);
		cJSON_AddItemToArray(keys, k);
	}
	lines = cJSON_AddArrayToObject(o, HS_EVC_JKEY(anomalies));
	for (p = e->anomalies; lines && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char kind[64];
		if (n >= sizeof kind)
			n = sizeof kind - 1;
		memcpy(kind, p, n);
		kind[n] = '\0';
		cJSON_AddItemToArray(lines, cJSON_CreateString(kind));
		p += n + (comma ? 1 : 0);
	}
	HS_EVC_JSON(o, e, summary);
	add_str(o, "hint", hs_event_hint(e->func));
	if (is_audit(e)) {
		HS_EVC_JSON(o, e, hsm);
		HS_EVC_JSON(o, e, seq);
		add_seq_gap(o, ix, e->n, &c->gap);
		HS_EVC_JSON(o, e, reboot);
		HS_EVC_JSON(o, e, cmd_type);
		HS_EVC_JSON(o, e, opcode);
		add_i64(o, "response_code", e->rv); /* rv again, under the audit name */
		HS_EVC_JSON(o, e, response);
		HS_EVC_JSON(o, e, log_type);
		HS_EVC_JSON(o, e, user);
		HS_EVC_JSON(o, e, user_type);
		add_attributed(o, ix, e->n, &c->attr);
		keys = cJSON_AddArrayToObject(o, "key_handles");
		for (i = 0; keys && i < e->nkeys; i++)
			cJSON_AddItemToArray(keys, cJSON_CreateNumber((double)e->keys[i].handle));
	}
	tmpl = cJSON_AddObjectToObject(o, HS_EVC_JKEY(detail));
	lines = tmpl ? cJSON_AddArrayToObject(tmpl, "structured_info") : NULL;
	p = hs_buf_cstr(&e->detail);
	end = p + e->detail.len;
	while (lines && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char *line = malloc(n + 1);
		if (line) {
			memcpy(line, p, n);
			line[n] = '\0';
			cJSON_AddItemToArray(lines, cJSON_CreateString(line));
			free(line);
		}
		p = nl ? nl + 1 : end;
	}
	return o;
}

/* The CSV columns: keys of the event's JSON, so CSV and JSON cannot drift. */
static const char *const csv_cols[] = {
	"n", "op_id", "ts", "ts_zone", "file", "line", "format", "pid", "tid", "func", "rv", "rv_name", "ok",
	"incomplete", "uncertain", "dur_ms", "dur_source", "session", "slot", "session_id", "login_id",
	"span_id",
	"peer", "hsm", "seq_no", "user", "attributed_user", "anomalies", "summary", "detail",
};
#define NCSV ((int)(sizeof csv_cols / sizeof csv_cols[0]))

/* One cell: text escaped and neutralised (hs_csv_text), numbers and
 * booleans as they are. keep_nl: the LFs between detail lines stay. */
static int csv_put(FILE *out, const char *v, int text, int keep_nl)
{
	struct hs_buf b;
	int rc;

	hs_buf_init(&b);
	rc = text ? hs_csv_text(&b, v, keep_nl) : hs_csv_field(&b, v);
	if (rc == 0)
		fwrite(b.data ? b.data : "", 1, b.len, out);
	hs_buf_free(&b);
	return rc;
}

/* One JSON value as CSV text: null empty, arrays joined (anomalies by ';',
 * detail lines by newlines, kept inside the quoted field). Numbers are the
 * only cells that may start with '-': every string is a text cell. */
static int csv_value(FILE *out, const cJSON *v, const char *sep, int tty)
{
	struct hs_buf b;
	char num[64];
	int text = 1, rc = -1;

	hs_buf_init(&b);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v))
		hs_buf_adds(&b, v->valuestring);
	else if (cJSON_IsBool(v)) {
		hs_buf_adds(&b, cJSON_IsTrue(v) ? "true" : "false");
		text = 0;
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(int64_t)v->valuedouble && fabs(v->valuedouble) < 9e15)
			snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
		else
			snprintf(num, sizeof num, "%.6f", v->valuedouble);
		hs_buf_adds(&b, num);
		text = 0;
	} else if (cJSON_IsArray(v)) {
		const cJSON *it;
		int i = 0;
		cJSON_ArrayForEach(it, v)
			if (cJSON_IsString(it)) {
				if (i++)
					hs_buf_adds(&b, sep);
				/* a line's own LFs are log bytes, not separators */
				if (strchr(sep, '\n'))
					hs_escape(&b, it->valuestring, strlen(it->valuestring));
				else
					hs_buf_adds(&b, it->valuestring);
			}
	}
	/* on a terminal even the newlines between detail lines are escaped,
	 * so each event stays on one screen line */
	/* the cell's text is checked once: a cell cut by OOM is not written */
	if (!hs_buf_failed(&b))
		rc = csv_put(out, hs_buf_cstr(&b), text, !tty && strchr(sep, '\n'));
	hs_buf_free(&b);
	return rc;
}

static int write_csv(const cJSON *o, FILE *out, int tty)
{
	int rc = 0;

	for (int i = 0; i < NCSV; i++) {
		const cJSON *v;
		if (i)
			fputc(',', out);
		if (strcmp(csv_cols[i], "detail") == 0) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "template_summary");
			rc |= csv_value(out, t ? cJSON_GetObjectItemCaseSensitive(t, "structured_info") : NULL,
			                "\n", tty);
			continue;
		}
		v = cJSON_GetObjectItemCaseSensitive(o, csv_cols[i]);
		rc |= csv_value(out, v, ";", tty);
	}
	return fputs("\r\n", out) < 0 || rc ? -1 : 0;
}

/* The _bulk action line. _id is the file's full head hash and the event's
 * offset: the same event gets the same _id on every run and every machine,
 * so sending a file twice overwrites instead of duplicating. */
static int write_bulk_action(struct hs_index *ix, const struct hs_event *e, const char *es_index,
                             FILE *out)
{
	const struct hs_index_file *f = hs_index_file(ix, e->file_id);
	cJSON *a = cJSON_CreateObject(), *in = a ? cJSON_AddObjectToObject(a, "index") : NULL;
	char id[64], *s;
	int rc;

	if (!in) {
		cJSON_Delete(a);
		return -1;
	}
	snprintf(id, sizeof id, "%s-%llx", f ? f->head_hash : "0", (unsigned long long)e->offset);
	cJSON_AddStringToObject(in, "_index", es_index ? es_index : HS_EXPORT_ES_INDEX);
	cJSON_AddStringToObject(in, "_id", id);
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	if (!s)
		return -1;
	rc = hs_json_puts(out, s) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	cJSON_free(s);
	return rc;
}

/* One event record, as the formats write it: the context they share. */
struct rec {
	struct hs_index *ix;        /* not owned */
	const struct hs_event *e;   /* the event, not owned */
	cJSON *o;                   /* its JSON object, not owned */
	const char *es_index;       /* es-bulk's _index, NULL: the default */
	int64_t count;              /* events written before this one */
	FILE *out;                  /* not owned */
	struct stmts *c;            /* the export's statements */
};

/* the object as one JSON text: pretty or on one line, always through the
 * escaping (valid UTF-8, no raw control, C1 or bidi character) */
static int put_json(FILE *out, const cJSON *o, int pretty)
{
	char *s = pretty ? cJSON_Print(o) : cJSON_PrintUnformatted(o);
	int rc;

	if (!s)
		return -1;
	rc = hs_json_puts(out, s) < 0 ? -1 : 0;
	cJSON_free(s);
	return rc;
}

static void array_begin(FILE *out) { fputc('[', out); }
static void array_end(FILE *out, int64_t count) { fprintf(out, "%s]\n", count ? "\n" : ""); }

static int array_event(const struct rec *r, int pretty)
{
	if (fputs(r->count ? ",\n" : "\n", r->out) == EOF)
		return -1;
	return put_json(r->out, r->o, pretty);
}

static int json_event(const struct rec *r) { return array_event(r, 0); }
static int pretty_event(const struct rec *r) { return array_event(r, 1); }

static int ndjson_event(const struct rec *r)
{
	return put_json(r->out, r->o, 0) < 0 || fputc('\n', r->out) == EOF ? -1 : 0;
}

static int bulk_event(const struct rec *r)
{
	if (write_bulk_action(r->ix, r->e, r->es_index, r->out) < 0)
		return -1;
	return ndjson_event(r);
}

static void csv_begin(FILE *out)
{
	for (int i = 0; i < NCSV; i++)
		fprintf(out, "%s%s", i ? "," : "", csv_cols[i]);
	fputs("\r\n", out);
}

static int csv_event(const struct rec *r) { return write_csv(r->o, r->out, r->c->tty); }

/* The event output formats, in enum hs_export_format's order: each is a
 * name, the file endings that choose it in the explorer, and the three
 * steps of a writer. Adding a format is one row and its functions. */
static const struct format_ops {
	const char *name;           /* as --format takes it */
	const char *exts;           /* file name endings, space-separated */
	void (*begin)(FILE *out);   /* before the first event, may be NULL */
	int (*event)(const struct rec *r); /* one event; -1 on a write error */
	void (*end)(FILE *out, int64_t count); /* after the last, may be NULL */
} formats[] = {
	[HS_EXPORT_JSON] = { "json", ".json", array_begin, json_event, array_end },
	[HS_EXPORT_PRETTY] = { "pretty-events", "", array_begin, pretty_event, array_end },
	[HS_EXPORT_NDJSON] = { "ndjson", ".ndjson .jsonl", NULL, ndjson_event, NULL },
	[HS_EXPORT_ES_BULK] = { "es-bulk", ".bulk .es", NULL, bulk_event, NULL },
	[HS_EXPORT_CSV] = { "csv", ".csv", csv_begin, csv_event, NULL },
};
#define NFORMATS ((int)(sizeof formats / sizeof formats[0]))

const char *hs_export_format_name(enum hs_export_format fmt)
{
	return (int)fmt >= 0 && (int)fmt < NFORMATS ? formats[fmt].name : NULL;
}

enum hs_export_format hs_export_format_for_path(const char *path)
{
	size_t plen = strlen(path);

	for (int i = 0; i < NFORMATS; i++) {
		for (const char *p = formats[i].exts; *p; p += strcspn(p, " "), p += *p == ' ') {
			size_t n = strcspn(p, " ");
			if (n && plen > n && strncasecmp(path + plen - n, p, n) == 0)
				return (enum hs_export_format)i;
		}
	}
	return HS_EXPORT_JSON;
}

static int write_one(struct hs_index *ix, const struct hs_event *e, enum hs_export_format fmt,
                     const char *es_index, int64_t count, FILE *out, struct stmts *c)
{
	struct rec r = { ix, e, event_json(ix, e, c), es_index, count, out, c };
	int rc;

	if (!r.o)
		return -1;
	rc = formats[fmt].event(&r);
	cJSON_Delete(r.o);
	return rc;
}

static void begin(enum hs_export_format fmt, FILE *out)
{
	if (formats[fmt].begin)
		formats[fmt].begin(out);
}

static int64_t finish(int64_t count, enum hs_export_format fmt, FILE *out, struct hs_error *err)
{
	if (formats[fmt].end)
		formats[fmt].end(out, count);
	if (fflush(out) != 0 || ferror(out)) {
		hs_error_set(err, "", 0, 0, "write error: %s", strerror(errno));
		return -1;
	}
	return count;
}

int64_t hs_export_events(struct hs_index *ix, const struct hs_filter *f,
                         enum hs_export_format fmt, FILE *out, struct hs_error *err)
{
	return hs_export_events_to(ix, f, fmt, NULL, out, err);
}

int64_t hs_export_events_to(struct hs_index *ix, const struct hs_filter *f,
                            enum hs_export_format fmt, const char *es_index, FILE *out,
                            struct hs_error *err)
{
	struct hs_query *q;
	struct hs_event e;
	struct stmts c = { NULL, NULL, isatty(fileno(out)), NULL };
	int64_t count = 0;
	int rc;

	if (hs_query_open(ix, f, 0, &q, err) < 0)
		return -1;
	hs_event_init(&e);
	begin(fmt, out);
	while ((rc = hs_query_next(q, &e, err)) == 1) {
		if (write_one(ix, &e, fmt, es_index, count, out, &c) < 0) {
			rc = -1;
			hs_error_set(err, "", 0, 0, "write error: %s", strerror(errno));
			break;
		}
		count++;
	}
	hs_event_free(&e);
	hs_query_close(q);
	stmts_free(&c);
	if (rc < 0)
		return -1;
	return finish(count, fmt, out, err);
}

int64_t hs_export_numbers(struct hs_index *ix, const int64_t *ns, int64_t n,
                          enum hs_export_format fmt, FILE *out, struct hs_error *err)
{
	struct hs_event e;
	struct stmts c = { NULL, NULL, isatty(fileno(out)), NULL };
	int64_t i, count = 0;
	int rc;

	hs_event_init(&e);
	begin(fmt, out);
	for (i = 0; i < n; i++) {
		rc = hs_query_event(ix, ns[i], &e, err);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		if (write_one(ix, &e, fmt, NULL, count, out, &c) < 0) {
			hs_error_set(err, "", 0, 0, "write error: %s", strerror(errno));
			rc = -1;
			break;
		}
		count++;
	}
	hs_event_free(&e);
	stmts_free(&c);
	if (i < n)
		return -1;
	return finish(count, fmt, out, err);
}

struct hs_export_writer {
	struct hs_index *ix;        /* not owned */
	enum hs_export_format fmt;
	FILE *out;                  /* not owned */
	struct stmts c;             /* owned statements */
	int64_t count;              /* events written */
};

struct hs_export_writer *hs_export_writer_begin(struct hs_index *ix, enum hs_export_format fmt,
                                                FILE *out)
{
	struct hs_export_writer *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->ix = ix;
	w->fmt = fmt;
	w->out = out;
	w->c.tty = isatty(fileno(out));
	begin(fmt, out);
	return w;
}

int hs_export_writer_event(struct hs_export_writer *w, const struct hs_event *e,
                           struct hs_error *err)
{
	if (write_one(w->ix, e, w->fmt, NULL, w->count, w->out, &w->c) < 0) {
		hs_error_set(err, "", 0, 0, "write error: %s", strerror(errno));
		return -1;
	}
	w->count++;
	return 0;
}

int64_t hs_export_writer_end(struct hs_export_writer *w, struct hs_error *err)
{
	int64_t n;

	if (!w)
		return -1;
	n = finish(w->count, w->fmt, w->out, err);
	stmts_free(&w->c);
	free(w);
	return n;
}

static cJSON *dur_json(const struct hs_dur_stats *d, int with_avg)
{
	cJSON *o = cJSON_CreateObject();

	if (!d->count) {
		cJSON_AddNullToObject(o, "min");
		if (with_avg)
			cJSON_AddNullToObject(o, "avg");
		cJSON_AddNullToObject(o, "p50");
		cJSON_AddNullToObject(o, "p95");
		cJSON_AddNullToObject(o, "p99");
		cJSON_AddNullToObject(o, "max");
		cJSON_AddNumberToObject(o, "total", 0);
		return o;
	}
	cJSON_AddNumberToObject(o, "min", d->min);
	if (with_avg)
		cJSON_AddNumberToObject(o, "avg", d->avg);
	cJSON_AddNumberToObject(o, "p50", d->p50);
	cJSON_AddNumberToObject(o, "p95", d->p95);
	cJSON_AddNumberToObject(o, "p99", d->p99);
	cJSON_AddNumberToObject(o, "max", d->max);
	cJSON_AddNumberToObject(o, "total", d->total);
	return o;
}

/* "failed_codes": {"163": 1, ...}: a user's failed logins by response code. */
static void add_failed_codes(cJSON *u, const struct hs_lc_user *l)
{
	cJSON *c = cJSON_AddObjectToObject(u, "failed_codes");
	char code[32];
	int k;

	for (k = 0; c && k < l->ncodes; k++) {
		if (l->code[k] == HS_NONE)
			snprintf(code, sizeof code, "?");
		else
			snprintf(code, sizeof code, "%lld", (long long)l->code[k]);
		cJSON_AddNumberToObject(c, code, (double)l->code_count[k]);
	}
}

/* The correlation keys of the summary: sessions, logins, objects,
 * anomalies and, for audit logs, hsms. */
static void add_correlation(cJSON *o, const struct hs_lc_summary *c)
{
	cJSON *x, *h, *a;
	int i, j;

	x = cJSON_AddObjectToObject(o, "sessions");
	cJSON_AddNumberToObject(x, "opened", (double)c->sessions_opened);
	cJSON_AddNumberToObject(x, "closed", (double)c->sessions_closed);
	cJSON_AddNumberToObject(x, "leaked", (double)c->sessions_leaked);
	x = cJSON_AddObjectToObject(o, "logins");
	cJSON_AddNumberToObject(x, "ok", (double)c->logins_ok);
	cJSON_AddNumberToObject(x, "failed", (double)c->logins_failed);
	cJSON_AddNumberToObject(x, "spans", (double)c->login_spans);
	x = cJSON_AddObjectToObject(o, "objects");
	cJSON_AddNumberToObject(x, "created", (double)c->objects_created);
	cJSON_AddNumberToObject(x, "destroyed", (double)c->objects_destroyed);
	x = cJSON_AddObjectToObject(o, "anomalies");
	for (i = 0; i < c->nanomalies; i++)
		cJSON_AddNumberToObject(x, c->anomalies[i].name, (double)c->anomalies[i].count);
	if (!c->nhsms)
		return;
	x = cJSON_AddObjectToObject(o, "hsms");
	for (i = 0; i < c->nhsms; i++) {
		const struct hs_lc_hsm *m = &c->hsms[i];
		if (!(h = cJSON_AddObjectToObject(x, m->hsm)))
			continue;
		cJSON_AddNumberToObject(h, "events", (double)m->events);
		add_ts(h, "first_ts", m->first_ts, 1, NULL);
		add_ts(h, "last_ts", m->last_ts, 1, NULL);
		a = cJSON_AddArrayToObject(h, "seq_gaps");
		for (j = 0; a && j < m->ngaps; j++) {
			cJSON *g = cJSON_CreateObject();
			add_i64(g, "after", m->gaps[j].after);
			add_i64(g, "before", m->gaps[j].before);
			cJSON_AddNumberToObject(g, "missing", (double)m->gaps[j].missing);
			cJSON_AddItemToArray(a, g);
		}
		cJSON_AddNumberToObject(h, "reboots", (double)m->reboots);
		a = cJSON_AddObjectToObject(h, "logins");
		for (j = 0; a && j < m->nlogins; j++) {
			cJSON *u = cJSON_AddObjectToObject(a, m->logins[j].user);
			if (!u)
				continue;
			cJSON_AddNumberToObject(u, "ok", (double)m->logins[j].ok);
			cJSON_AddNumberToObject(u, "failed", (double)m->logins[j].failed);
			add_failed_codes(u, &m->logins[j]);
		}
		a = cJSON_AddObjectToObject(h, "key_events");
		for (j = 0; a && j < m->nkey_events; j++)
			cJSON_AddNumberToObject(a, m->key_events[j].name, (double)m->key_events[j].count);
		cJSON_AddNumberToObject(h, "users_created", (double)m->users_created);
		cJSON_AddNumberToObject(h, "users_deleted", (double)m->users_deleted);
	}
}

cJSON *hs_export_summary(struct hs_index *ix, const struct hs_stats *s)
{
	const struct hs_index_info *info = hs_index_info(ix);
	cJSON *o = cJSON_CreateObject(), *by, *files;
	int i;

	cJSON_AddNumberToObject(o, "total_calls", (double)s->total);
	cJSON_AddNumberToObject(o, "errors", (double)s->errors);
	if (s->success_rate < 0)
		cJSON_AddNullToObject(o, "success_rate");
	else
		cJSON_AddNumberToObject(o, "success_rate", s->success_rate);
	cJSON_AddNumberToObject(o, "incomplete", (double)s->incomplete);
	cJSON_AddNumberToObject(o, "processes", (double)s->processes);
	cJSON_AddNumberToObject(o, "threads", (double)s->threads);
	by = cJSON_AddObjectToObject(o, "by_function");
	for (i = 0; i < s->nfuncs; i++) {
		const struct hs_func_stats *f = &s->funcs[i];
		cJSON *fo = cJSON_AddObjectToObject(by, f->name);
		if (!fo)
			continue;
		cJSON_AddNumberToObject(fo, "calls", (double)f->calls);
		cJSON_AddNumberToObject(fo, "errors", (double)f->errors);
		if (f->dur.count) {
			cJSON_AddNumberToObject(fo, "p50_ms", f->dur.p50);
			cJSON_AddNumberToObject(fo, "p95_ms", f->dur.p95);
			cJSON_AddNumberToObject(fo, "max_ms", f->dur.max);
		} else {
			cJSON_AddNullToObject(fo, "p50_ms");
			cJSON_AddNullToObject(fo, "p95_ms");
			cJSON_AddNullToObject(fo, "max_ms");
		}
		if (f->tracer_calls >= 0 || f->tracer_total_ms >= 0) { /* the tracer's own totals */
			cJSON *t = cJSON_AddObjectToObject(fo, "tracer");
			if (f->tracer_calls >= 0)
				cJSON_AddNumberToObject(t, "calls", (double)f->tracer_calls);
			if (f->tracer_total_ms >= 0)
				cJSON_AddNumberToObject(t, "total_ms", f->tracer_total_ms);
		}
	}
	by = cJSON_AddObjectToObject(o, "by_rv");
	for (i = 0; i < s->nrvs; i++) {
		cJSON *prev = cJSON_GetObjectItemCaseSensitive(by, s->rvs[i].name);
		if (prev)
			cJSON_SetNumberValue(prev, prev->valuedouble + (double)s->rvs[i].count);
		else
			cJSON_AddNumberToObject(by, s->rvs[i].name, (double)s->rvs[i].count);
	}
	cJSON_AddItemToObject(o, "duration_ms", dur_json(&s->dur, 1));
	if (!s->dur.count)
		cJSON_AddNullToObject(o, "duration_source"); /* none in this log */
	else
		cJSON_AddStringToObject(o, "duration_source", s->dur_exact ? "tracer" :
		                        "estimate: time to the next call of the same process and thread "
		                        "(an upper bound, at the log's clock resolution)");
	add_ts(o, "first_ts", s->first_ts, s->ts_utc, hs_index_info(ix)->tz);
	add_ts(o, "last_ts", s->last_ts, s->ts_utc, hs_index_info(ix)->tz);
	add_str(o, "ts_zone", ts_zone(s->first_ts, s->ts_utc, hs_index_info(ix)->tz));
	files = cJSON_AddArrayToObject(o, "files");
	for (i = 0; i < info->files; i++) {
		const struct hs_index_file *f = hs_index_file(ix, i);
		cJSON *fo;
		if (!f)
			continue;
		fo = cJSON_CreateObject();
		cJSON_AddStringToObject(fo, "path", f->path);
		cJSON_AddStringToObject(fo, "format", f->format);
		if (hs_detect_by_name(f->format))
			cJSON_AddStringToObject(fo, "format_title", hs_detect_by_name(f->format)->title);
		cJSON_AddNumberToObject(fo, "calls", (double)f->events);
		cJSON_AddNumberToObject(fo, "skipped_lines", (double)f->skipped);
		cJSON_AddItemToArray(files, fo);
	}
	add_correlation(o, &s->corr);
	files = cJSON_AddArrayToObject(o, "skips"); /* why lines were skipped */
	for (i = 0; files && i < s->nskips; i++) {
		const struct hs_index_file *f = hs_index_file(ix, s->skips[i].file_id);
		cJSON *k = cJSON_CreateObject();
		add_str(k, "file", f ? f->path : NULL);
		cJSON_AddNumberToObject(k, "line", (double)s->skips[i].line);
		cJSON_AddNumberToObject(k, "offset", (double)s->skips[i].offset);
		add_str(k, "reason", s->skips[i].reason);
		cJSON_AddNumberToObject(k, "count", (double)s->skips[i].count);
		cJSON_AddItemToArray(files, k);
	}
	return o;
}

int hs_export_to_file(const char *path, int force,
                      int (*fn)(void *ctx, FILE *out, struct hs_error *err), void *ctx,
                      struct hs_error *err)
{
	char tmp[PATH_MAX];
	struct stat st;
	mode_t mode;
	FILE *out;
	int fd, rc, exists;

	if (!force && lstat(path, &st) == 0) {
		hs_error_set(err, path, 0, 0, "exists; not overwritten");
		hs_error_hint(err, "give --force to replace it");
		return -1;
	}
	if (hs_safe_replaceable(path, "the export", &st, &exists, err) < 0)
		return -1;
	/* a replaced file keeps its permissions (a 0600 file stays private) */
	mode = exists ? st.st_mode & 0777 : hs_safe_new_mode();
	fd = hs_safe_tmp_create(path, tmp, sizeof tmp, err);
	if (fd < 0)
		return -1;
	if (!(out = fdopen(fd, "w"))) {
		hs_error_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	rc = fn(ctx, out, err);
	if (rc && !err->file[0]) /* fn's write errors know no file name */
		hs_strlcpy(err->file, path, sizeof err->file);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
		if (!rc)
			hs_error_set(err, path, 0, 0, "write error: %s", strerror(errno));
		rc = -1;
	}
	if (!rc && fchmod(fileno(out), mode) != 0) {
		hs_error_set(err, path, 0, 0, "cannot set its mode: %s", strerror(errno));
		rc = -1;
	}
	if (!rc && rename(tmp, path) != 0) {
		hs_error_set(err, path, 0, 0, "cannot rename into place: %s", strerror(errno));
		rc = -1;
	}
	if (rc)
		unlink(tmp);
	/* closing releases the temporary file's lock: only after the rename */
	if (fclose(out) != 0 && !rc) {
		hs_error_set(err, path, 0, 0, "write error: %s", strerror(errno));
		rc = -1;
	}
	return rc;
}
