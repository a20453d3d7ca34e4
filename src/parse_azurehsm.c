/* parse_azurehsm.c — Azure Cloud HSM audit logs: the CHSMManagementAuditLogs
 * table of Azure Monitor, exported as JSON (`az monitor log-analytics query`:
 * an array of row objects; or one object per line) or CSV (the portal's
 * "Export to CSV": a header row of column names, RFC 4180 quoting, values
 * that may span lines).
 *
 * Azure Cloud HSM runs the same HSM family as AWS CloudHSM and its columns
 * carry the same audit fields, so each row is written as the CloudWatch
 * event CloudHSM's own parser reads ({"logStreamName": MemberId, "message":
 * "Time : ...\nSequence No : ...\n..."}) and handed to an inner CloudHSM
 * parser: sequence gaps, reboots, logins and attribution are CloudHSM's,
 * exactly. Column → field: TimeGenerated → time; SequenceNo → sequence;
 * RebootCounter → reboot counter; CommandType → command type; OperationName
 * (`CN_GENERATE_KEY_PAIR (0x19)/CN_MGMT_CMD (0x0)`: opcode/command type) or
 * Opcode → opcode; SessionHandle → session; Response → response; LogType →
 * log type; UserID → user; MemberId → HSM; OperationId and the members of
 * AdditionalFields → detail lines. Schema: Microsoft's Azure Monitor table
 * reference for CHSMManagementAuditLogs (learn.microsoft.com).
 *
 * Rows of the service-operation table, CloudHsmServiceOperationAuditLogs
 * (the HSM commands clients send: no sequence number, reboot counter, user
 * or session; a measured DurationMs), are told by their columns (DurationMs,
 * or ResultType/CallerIpAddress without SequenceNo) and become events here,
 * not through the CloudHSM parser: TimeGenerated → time; DurationMs → the
 * duration (measured by the service, so exact; it leaves out the network);
 * OperationName (without its "(0x..)" and "/command type") → function;
 * Opcode → opcode; MemberId, or HsmInstance of the newer schema → HSM;
 * ResultType → return text (Success/Succeeded/OK is success), a numeric
 * ResultSignature → return value, ResultDescription → response;
 * CallerIpAddress and ClientInfo → the summary and detail lines, with
 * ClientSdkPackageVersion, PoolType/ClusterType and ResultSignature.
 * Schema: the Azure Monitor table reference for
 * CloudHsmServiceOperationAuditLogs (learn.microsoft.com).
 *
 * Data structure: a row is gathered (JSON: the bytes of one object, cut by
 * a bracket/string scanner; CSV: the lines of one record, until its quotes
 * balance) into `rec`, capped at REC_MAX, then parsed whole; the file is
 * never held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "hsmscope/chars.h"
#include "hsmscope/parser.h"
#include "hsmscope/pbase.h"

#define REC_MAX (4u << 20) /* bytes of one row */

extern const struct hs_parser_desc hs_parser_cloudhsm;

enum col { C_TIME, C_SEQ, C_REBOOT, C_CMDTYPE, C_OPCODE, C_OPNAME, C_SESSION, C_RESPONSE,
           C_LOGTYPE, C_USER, C_MEMBER, C_OPID, C_ADDITIONAL,
           /* the service-operation table's own */
           C_DURATION, C_CALLERIP, C_CLIENTINFO, C_SDKVERSION, C_INSTANCE, C_RESULTTYPE,
           C_RESULTSIG, C_RESULTDESC, C_POOLTYPE, C_CLUSTERTYPE, NCOL };

/* Azure's column names, and the CloudHSM field each becomes ("" = special) */
static const struct { const char *column, *field; } cols[NCOL] = {
	[C_TIME] = { "TimeGenerated", "" },
	[C_SEQ] = { "SequenceNo", "Sequence No" },
	[C_REBOOT] = { "RebootCounter", "Reboot counter" },
	[C_CMDTYPE] = { "CommandType", "Command Type(hex)" },
	[C_OPCODE] = { "Opcode", "Opcode" },
	[C_OPNAME] = { "OperationName", "" },
	[C_SESSION] = { "SessionHandle", "Session Handle" },
	[C_RESPONSE] = { "Response", "Response" },
	[C_LOGTYPE] = { "LogType", "Log type" },
	[C_USER] = { "UserID", "User Name" },
	[C_MEMBER] = { "MemberId", "" },
	[C_OPID] = { "OperationId", "OperationId" },
	[C_ADDITIONAL] = { "AdditionalFields", "" },
	[C_DURATION] = { "DurationMs", "" },
	[C_CALLERIP] = { "CallerIpAddress", "CallerIpAddress" },
	[C_CLIENTINFO] = { "ClientInfo", "ClientInfo" },
	[C_SDKVERSION] = { "ClientSdkPackageVersion", "ClientSdkPackageVersion" },
	[C_INSTANCE] = { "HsmInstance", "" },
	[C_RESULTTYPE] = { "ResultType", "ResultType" },
	[C_RESULTSIG] = { "ResultSignature", "ResultSignature" },
	[C_RESULTDESC] = { "ResultDescription", "ResultDescription" },
	[C_POOLTYPE] = { "PoolType", "PoolType" },
	[C_CLUSTERTYPE] = { "ClusterType", "ClusterType" },
};

struct hs_parser {
	struct hs_sink sink;        /* the consumer, copied at create */
	struct hs_sink to_user;     /* what the inner parser emits into: names the format */
	struct hs_parser *inner;    /* owned: the CloudHSM parser rows go to */
	int mode;                   /* 0 not known yet, 'j' JSON, 'c' CSV */
	struct hs_buf rec;          /* owned: the row being gathered */
	int64_t rec_off, rec_line;  /* where it started; -1 when none */
	int64_t cur_line;           /* the line being fed: a row's last */
	int rec_big;                /* it passed REC_MAX: dropped */
	int depth;                  /* JSON scanner: brackets open */
	struct hs_jstr js;          /* JSON scanner: in a string? */
	int base;                   /* JSON: the depth the row's object opened at */
	int in_quote;               /* CSV: inside a quoted value */
	int ncols;                  /* CSV: columns of the header, 0 before it */
	int at[NCOL];               /* CSV: index of each known column, -1 */
	struct hs_buf msg;          /* owned: the message being written */
	struct hs_event ev;         /* owned: a service-operation row's event */
	int file_id;                /* opts->file_id */
};

static void skip(struct hs_parser *p, int64_t line, int64_t off, const char *why)
{
	if (p->sink.on_skip)
		p->sink.on_skip(p->sink.ctx, line, off, why);
}

/* ---- one row → one CloudWatch-shaped event for the CloudHSM parser ---- */

/* "2025-01-15T10:20:30.1234567Z" → µs since the epoch, or -1 */
static int64_t iso_us(const char *s)
{
	int y, mo, d, h, mi, sec, used = 0;
	long us = 0, scale = 100000;

	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) < 6 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (s[used] == '.')
		for (s += used + 1; *s >= '0' && *s <= '9'; s++, scale /= 10)
			us += (*s - '0') * scale;
	return hs_civil_to_us(y, mo, d, h, mi, sec, us);
}

static void add_field(struct hs_buf *m, const char *name, const char *v)
{
	if (v && *v)
		hs_buf_printf(m, "%s : %s\n", name, v);
}

/* A row of the service-operation table (see the top): its columns say so */
static int is_service(const char *const *vals)
{
	return vals[C_DURATION] || (!vals[C_SEQ] && (vals[C_RESULTTYPE] || vals[C_CALLERIP]));
}

/* vals[col] of a service-operation row → one event, straight to the sink */
/* A row's lines: from its first to the one being read (a pretty-printed
 * JSON row, a CSV value with line breaks, spans several) */
static int own_lines(struct hs_parser *p, struct hs_event *e)
{
	hs_buf_clear(&e->lines);
	return hs_event_lines_run(e, e->line, (p->cur_line > e->line ? p->cur_line : e->line) - e->line + 1);
}

static int service_row(struct hs_parser *p, const char *const *vals, int64_t off, int64_t line)
{
	struct hs_event *e = &p->ev;
	const char *name = vals[C_OPNAME] ? vals[C_OPNAME] : vals[C_OPCODE];
	const char *hsm = vals[C_MEMBER] ? vals[C_MEMBER] : vals[C_INSTANCE];
	const char *res = vals[C_RESULTTYPE];
	int64_t x;
	size_t k;
	int i;

	hs_event_reset(e);
	e->format = "azurehsm";
	e->file_id = p->file_id;
	e->offset = off;
	e->line = line;
	if (vals[C_TIME] && (x = iso_us(vals[C_TIME])) >= 0) {
		e->ts_us = x;
		e->ts_utc = 1;
	}
	if (vals[C_DURATION] && hs_parse_int(vals[C_DURATION], &x) && x >= 0 && x < INT64_MAX / 1000)
		e->dur_us = x * 1000;
	/* "CN_SIGN (0x22)/CN_MGMT_CMD (0x0)": the name, and its opcode */
	if (name) {
		for (k = 0; name[k] && name[k] != '/' && !(name[k] == ' ' && name[k + 1] == '(') &&
		            k + 1 < sizeof e->func; k++)
			e->func[k] = name[k];
		e->func[k] = '\0';
	}
	if (vals[C_OPCODE] && hs_parse_int(vals[C_OPCODE], &x))
		e->opcode = x;
	else if (name && strstr(name, "(0x") && hs_parse_int(strstr(name, "(0x") + 1, &x))
		e->opcode = x;
	if (hsm)
		hs_strlcpy(e->hsm, hsm, sizeof e->hsm);
	if (res) {
		hs_strlcpy(e->rv_name, res, sizeof e->rv_name);
		e->ok = strcasecmp(res, "Success") == 0 || strcasecmp(res, "Succeeded") == 0 ||
		        strcasecmp(res, "OK") == 0;
	}
	if (vals[C_RESULTSIG] && hs_parse_int(vals[C_RESULTSIG], &x))
		e->rv = x;
	else if (res)
		e->rv = e->ok ? 0 : 1;
	e->incomplete = !res && !vals[C_RESULTSIG];
	if (vals[C_RESULTDESC])
		hs_strlcpy(e->response, vals[C_RESULTDESC], sizeof e->response);
	snprintf(e->summary, sizeof e->summary, "%s%s%s%s", vals[C_CALLERIP] ? "from " : "",
	         vals[C_CALLERIP] ? vals[C_CALLERIP] : "", vals[C_CLIENTINFO] ? " " : "",
	         vals[C_CLIENTINFO] ? vals[C_CLIENTINFO] : "");
	/* the detail lines, one "Column : value" each, in e->detail (whose
	 * sticky error is checked once, below) */
	for (i = C_CALLERIP; i < NCOL; i++) {
		if (!vals[i] || !*cols[i].field || i == C_INSTANCE)
			continue;
		hs_buf_clear(&p->msg);
		hs_buf_printf(&p->msg, "%s : %s", cols[i].field, vals[i]);
		hs_event_add_line(e, hs_buf_cstr(&p->msg), p->msg.len);
	}
	if (hsm && vals[C_INSTANCE] && hsm == vals[C_INSTANCE]) {
		hs_buf_clear(&p->msg);
		hs_buf_printf(&p->msg, "HsmInstance : %s", hsm);
		hs_event_add_line(e, hs_buf_cstr(&p->msg), p->msg.len);
	}
	if (hs_buf_failed(&p->msg) || hs_buf_failed(&e->detail)) {
		skip(p, line, off, "out of memory");
		return 0;
	}
	if (own_lines(p, e) < 0) {
		skip(p, line, off, "out of memory");
		return 0;
	}
	return p->sink.on_event(p->sink.ctx, e);
}

/* vals[col]: the row's value of each known column (NULL if absent) */
static int row(struct hs_parser *p, const char *const *vals, const cJSON *extra, int64_t off,
               int64_t line)
{
	char opcode[256] = "", *slash;
	const char *ctype = vals[C_CMDTYPE];
	cJSON *ev;
	char *text;
	int64_t us;
	int rc, k;

	if (is_service(vals))
		return service_row(p, vals, off, line);
	hs_buf_clear(&p->msg);
	if (vals[C_TIME] && (us = iso_us(vals[C_TIME])) >= 0)
		hs_buf_printf(&p->msg, "Time : %s, usecs:%lld\n", vals[C_TIME], (long long)us);
	else
		add_field(&p->msg, "Time", vals[C_TIME]);
	for (k = C_SEQ; k <= C_REBOOT; k++)
		add_field(&p->msg, cols[k].field, vals[k]);
	/* OperationName "CN_X (0x19)/CN_MGMT_CMD (0x0)" names both */
	if (vals[C_OPNAME] && strstr(vals[C_OPNAME], "(0x")) {
		hs_strlcpy(opcode, vals[C_OPNAME], sizeof opcode);
		if ((slash = strchr(opcode, '/'))) {
			*slash = '\0';
			if (!ctype || !*ctype)
				ctype = vals[C_OPNAME] + (slash - opcode) + 1;
		}
	}
	add_field(&p->msg, cols[C_CMDTYPE].field, ctype);
	add_field(&p->msg, "Opcode", opcode[0] ? opcode : vals[C_OPCODE]);
	for (k = C_SESSION; k <= C_USER; k++)
		add_field(&p->msg, cols[k].field, vals[k]);
	add_field(&p->msg, cols[C_OPID].field, vals[C_OPID]);
	/* AdditionalFields: "User Type", key handles, ... as further lines */
	for (const cJSON *it = extra ? extra->child : NULL; it; it = it->next) {
		char *pv = NULL;
		const char *v = cJSON_IsString(it) ? it->valuestring : (pv = cJSON_PrintUnformatted(it));
		if (it->string && v)
			add_field(&p->msg, it->string, v);
		free(pv);
	}
	ev = hs_buf_failed(&p->msg) ? NULL : cJSON_CreateObject(); /* the message, checked once */
	if (!ev || !cJSON_AddStringToObject(ev, "logStreamName", vals[C_MEMBER] ? vals[C_MEMBER] : "") ||
	    !cJSON_AddStringToObject(ev, "message", hs_buf_cstr(&p->msg)) ||
	    !(text = cJSON_PrintUnformatted(ev))) {
		cJSON_Delete(ev);
		skip(p, line, off, "out of memory");
		return 0;
	}
	cJSON_Delete(ev);
	rc = hs_parser_cloudhsm.feed_line(p->inner, text, strlen(text), off, line);
	free(text);
	return rc;
}

/* A JSON row object: its members by column name (case-insensitive: az
 * writes the names as the table has them, exports vary). */
static int json_row(struct hs_parser *p, int64_t off, int64_t line)
{
	cJSON *o = cJSON_ParseWithLength(p->rec.data, p->rec.len), *extra = NULL;
	const char *vals[NCOL] = { 0 };
	char num[NCOL][32];
	int k, rc;

	if (!cJSON_IsObject(o)) {
		skip(p, line, off, "invalid JSON row");
		cJSON_Delete(o);
		return 0;
	}
	for (k = 0; k < NCOL; k++) {
		cJSON *it = cJSON_GetObjectItem(o, cols[k].column);
		if (!it && k == C_USER)
			it = cJSON_GetObjectItem(o, "UserId");
		if (cJSON_IsString(it))
			vals[k] = it->valuestring;
		else if (cJSON_IsNumber(it)) {
			snprintf(num[k], sizeof num[k], "%.0f", it->valuedouble);
			vals[k] = num[k];
		} else if (k == C_ADDITIONAL && cJSON_IsObject(it))
			extra = it;
	}
	if (!vals[C_MEMBER] && !vals[C_INSTANCE] && !vals[C_SEQ] && !vals[C_OPNAME]) {
		skip(p, line, off, "JSON row is not an Azure Cloud HSM audit record");
		cJSON_Delete(o);
		return 0;
	}
	if (!extra && vals[C_ADDITIONAL]) { /* a dynamic column exported as text */
		extra = cJSON_Parse(vals[C_ADDITIONAL]);
		rc = row(p, vals, cJSON_IsObject(extra) ? extra : NULL, off, line);
		cJSON_Delete(extra);
	} else {
		rc = row(p, vals, extra, off, line);
	}
	cJSON_Delete(o);
	return rc;
}

/* ---- CSV ---------------------------------------------------------------- */

/* Split rec into values in place (quotes removed, "" → "); n values. */
static int csv_split(char *s, size_t len, char **out, int max)
{
	char *w = s, *end = s + len;
	int n = 0;

	while (n < max) {
		char *start = w;
		if (s < end && *s == '"') {
			for (s++; s < end; s++) {
				if (*s == '"' && s + 1 < end && s[1] == '"')
					*w++ = *s++;
				else if (*s == '"')
					break;
				else
					*w++ = *s;
			}
			if (s < end)
				s++; /* the closing quote */
			while (s < end && *s != ',')
				s++;
		} else {
			while (s < end && *s != ',')
				*w++ = *s++;
		}
		out[n++] = start;
		if (s >= end) {
			*w = '\0';
			break;
		}
		*w++ = '\0';
		s++; /* the comma; w never passes s */
	}
	return n;
}

static int csv_header(struct hs_parser *p, char **v, int n)
{
	int i, k, found = 0;

	for (k = 0; k < NCOL; k++)
		p->at[k] = -1;
	for (i = 0; i < n; i++) {
		char *b = strstr(v[i], " ["); /* "TimeGenerated [UTC]" */
		if (b)
			*b = '\0';
		for (k = 0; k < NCOL; k++)
			if (strcasecmp(v[i], cols[k].column) == 0 ||
			    (k == C_USER && strcasecmp(v[i], "UserId") == 0)) {
				p->at[k] = i;
				found++;
			}
	}
	p->ncols = n;
	return found;
}

static int csv_record(struct hs_parser *p, int64_t off, int64_t line)
{
	char *v[256];
	const char *vals[NCOL] = { 0 };
	cJSON *extra = NULL;
	int n, k, rc;

	/* a UTF-8 byte order mark starts the portal's files */
	if (!p->ncols && p->rec.len >= 3 && memcmp(p->rec.data, "\xEF\xBB\xBF", 3) == 0) {
		memmove(p->rec.data, p->rec.data + 3, p->rec.len - 3);
		p->rec.len -= 3;
	}
	if (hs_buf_addc(&p->rec, '\0') < 0) {
		skip(p, line, off, "out of memory");
		return 0;
	}
	n = csv_split(p->rec.data, p->rec.len - 1, v, 256);
	if (!p->ncols) {
		if (csv_header(p, v, n) < 3) {
			p->ncols = 0;
			skip(p, line, off, "not an Azure Cloud HSM CSV header");
		}
		return 0;
	}
	if (n == 1 && !*v[0])
		return 0; /* a blank line */
	for (k = 0; k < NCOL; k++)
		vals[k] = p->at[k] >= 0 && p->at[k] < n && *v[p->at[k]] ? v[p->at[k]] : NULL;
	if (!vals[C_MEMBER] && !vals[C_INSTANCE] && !vals[C_SEQ] && !vals[C_OPNAME]) {
		skip(p, line, off, "CSV record is not an Azure Cloud HSM audit row");
		return 0;
	}
	if (vals[C_ADDITIONAL] && *vals[C_ADDITIONAL])
		extra = cJSON_Parse(vals[C_ADDITIONAL]);
	rc = row(p, vals, cJSON_IsObject(extra) ? extra : NULL, off, line);
	cJSON_Delete(extra);
	return rc;
}

/* ---- gathering rows ----------------------------------------------------- */

static void rec_start(struct hs_parser *p, int64_t off, int64_t line)
{
	hs_buf_clear(&p->rec);
	p->rec_big = 0;
	p->rec_off = off;
	p->rec_line = line;
}

static void rec_add(struct hs_parser *p, const char *s, size_t n)
{
	if (p->rec_big || p->rec.len + n > REC_MAX) {
		p->rec_big = 1;
		return;
	}
	hs_buf_add(&p->rec, s, n);
}

static int rec_done(struct hs_parser *p)
{
	int rc = 0;

	if (p->rec_big)
		skip(p, p->rec_line, p->rec_off, "row larger than 4 MiB");
	else if (hs_buf_failed(&p->rec))
		skip(p, p->rec_line, p->rec_off, "out of memory");
	else
		rc = p->mode == 'c' ? csv_record(p, p->rec_off, p->rec_line)
		                    : json_row(p, p->rec_off, p->rec_line);
	p->rec_off = -1;
	return rc;
}

static int json_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line)
{
	size_t i, from = p->rec_off >= 0 ? 0 : (size_t)-1;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (hs_jstr_step(&p->js, c) != HS_JSTR_OUT) {
			continue;
		} else if (c == '{' || c == '[') {
			/* a row: an object at the top, or in the top array */
			if (c == '{' && p->rec_off < 0 && p->depth <= 1) {
				rec_start(p, off, line);
				from = i;
				p->base = p->depth;
			}
			p->depth++;
		} else if (c == '}' || c == ']') {
			if (p->depth > 0)
				p->depth--;
			if (p->rec_off >= 0 && p->depth == p->base && c == '}') {
				int rc;
				rec_add(p, s + from, i + 1 - from);
				from = (size_t)-1;
				if ((rc = rec_done(p)))
					return rc;
			}
		}
	}
	if (p->rec_off >= 0 && from != (size_t)-1) {
		rec_add(p, s + from, n - from);
		rec_add(p, "\n", 1);
	}
	return 0;
}

static int csv_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line)
{
	size_t i;

	if (p->rec_off < 0)
		rec_start(p, off, line);
	else
		rec_add(p, "\n", 1);
	rec_add(p, s, n);
	for (i = 0; i < n; i++)
		if (s[i] == '"')
			p->in_quote = !p->in_quote;
	if (p->in_quote)
		return 0; /* a quoted value goes on */
	return rec_done(p);
}

static int az_feed(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line)
{
	p->cur_line = line;
	if (!p->mode) {
		size_t k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k == n)
			return 0;
		p->mode = s[k] == '{' || s[k] == '[' ? 'j' : 'c';
	}
	return p->mode == 'j' ? json_line(p, s, n, off, line) : csv_line(p, s, n, off, line);
}

/* ---- the descriptor ----------------------------------------------------- */

static int has(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

/* Rows of CHSMManagementAuditLogs or CloudHsmServiceOperationAuditLogs:
 * their own column names together (on one CSV header line, or over the
 * lines of a pretty-printed JSON row). */
static int az_probe(const char *const *lines, int nlines)
{
	int i, member = 0, counter = 0, op = 0;

	for (i = 0; i < nlines; i++) {
		const char *s = lines[i];
		member |= has(s, "\"MemberId\"") || has(s, "MemberId,") || has(s, ",MemberId") ||
		          has(s, "HsmInstance");
		counter |= has(s, "SequenceNo") || has(s, "RebootCounter") || has(s, "DurationMs");
		op |= has(s, "OperationName") || has(s, "SessionHandle");
	}
	/* above CloudHSM's JSON: these rows are not CloudWatch events */
	return member && counter && op ? 96 : 0;
}

/* The inner CloudHSM parser's events are this format's */
static int az_event(void *ctx, struct hs_event *ev)
{
	struct hs_parser *p = ctx;

	ev->format = "azurehsm";
	if (own_lines(p, ev) < 0)
		return 1; /* out of memory: stop */
	return p->sink.on_event(p->sink.ctx, ev);
}

static void az_skip(void *ctx, int64_t lineno, int64_t offset, const char *why)
{
	struct hs_parser *p = ctx;

	if (p->sink.on_skip)
		p->sink.on_skip(p->sink.ctx, lineno, offset, why);
}

static void az_tracer_stat(void *ctx, const struct hs_tracer_stat *ts)
{
	struct hs_parser *p = ctx;

	if (p->sink.on_tracer_stat)
		p->sink.on_tracer_stat(p->sink.ctx, ts);
}

static struct hs_parser *az_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->sink = *sink;
	p->to_user = (struct hs_sink){ .ctx = p, .on_event = az_event, .on_skip = az_skip,
	                               .on_tracer_stat = az_tracer_stat };
	p->inner = hs_parser_cloudhsm.create(&p->to_user, o);
	if (!p->inner) {
		free(p);
		return NULL;
	}
	hs_buf_init(&p->rec);
	hs_buf_init(&p->msg);
	hs_event_init(&p->ev);
	p->file_id = o->file_id;
	p->rec_off = -1;
	return p;
}

/* State: "csv=<ncols> at=<index of each known column, -1 none>,..." — a
 * refresh starts after the header — or "json=<depth>". */
static void az_resume(struct hs_parser *p, const char *state)
{
	const char *cur = NULL;
	int64_t v;
	int k;

	if (hs_pstate_get_int(state, "json", &v) && v >= 0 && v < 64) {
		p->mode = 'j';
		p->depth = (int)v;
		return;
	}
	if (!hs_pstate_get_int(state, "csv", &v) || v < 1 || v > 256)
		return;
	p->mode = 'c';
	p->ncols = (int)v;
	for (k = 0; k < NCOL; k++)
		p->at[k] = hs_pstate_next(state, "at", &cur, &v, 1) == 1 && v >= -1 && v < p->ncols ? (int)v : -1;
}

static void az_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                      struct hs_parse_stats *st)
{
	struct hs_parse_stats in;
	struct hs_buf state;
	int k;

	if (p->rec_off >= 0)
		skip(p, p->rec_line, p->rec_off, p->mode == 'c' ? "CSV record cut short (a quote not closed)"
		                                               : "JSON row cut short");
	hs_parser_cloudhsm.finish(p->inner, end_offset, end_line, &in);
	*st = in;
	/* a refresh starts at the row left open, or at the end, with what it
	 * needs (the reader's offsets: a CRLF line is longer than its text) */
	st->safe_offset = p->rec_off >= 0 ? p->rec_off : end_offset;
	st->safe_line = p->rec_off >= 0 ? p->rec_line : end_line;
	if (in.safe_offset < st->safe_offset) {
		st->safe_offset = in.safe_offset;
		st->safe_line = in.safe_line;
	}
	hs_parse_stats_free(&in); /* the inner parser's: rows say where they are */
	st->state = NULL;
	hs_buf_init(&state);
	if (p->mode == 'c' && p->ncols) {
		hs_pstate_int(&state, "csv", p->ncols);
		hs_pstate_list(&state, "at");
		for (k = 0; k < NCOL; k++) {
			int64_t at = p->at[k];
			hs_pstate_item(&state, &at, 1);
		}
	} else if (p->mode == 'j') {
		hs_pstate_int(&state, "json", p->depth);
	} else {
		st->safe_offset = 0;
		st->safe_line = 1;
	}
	hs_pstate_give(&state, st);
}

static void az_destroy(struct hs_parser *p)
{
	if (!p)
		return;
	hs_parser_cloudhsm.destroy(p->inner);
	hs_buf_free(&p->rec);
	hs_buf_free(&p->msg);
	hs_event_free(&p->ev);
	free(p);
}

static const char *const az_samples[] = {
	"TimeGenerated [UTC],MemberId,SequenceNo,RebootCounter,CommandType,Opcode,OperationName,"
	"SessionHandle,Response,LogType,UserID",
	"2025-03-04T10:20:30.123456Z,8f0c1d2e-0000-4000-8000-000000000001,0x29,0xe8,"
	"CN_MGMT_CMD (0x0),0x19,CN_GENERATE_KEY_PAIR (0x19)/CN_MGMT_CMD (0x0),0x2014004,"
	"0:HSM Return: SUCCESS,MGMT_KEY_DETAILS_LOG (1),alice",
	NULL,
};

HS_PARSER_DESC(azurehsm, az, "Azure Cloud HSM audit log", 0);
