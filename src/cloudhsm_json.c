/* cloudhsm_json.c — the JSON shape of CloudHSM audit logs (`aws logs`
 * output, CloudWatch subscription payloads, bare arrays, certificate-storage
 * objects): a streaming scanner cuts one element object at a time out of
 * the lines and hands only that object to cJSON; its `message` goes back
 * through the text machinery of parse_cloudhsm.c. See that file's head
 * comment for the whole design.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cloudhsm_int.h"
#include "hsmscope/ckconst.h"

/* ---- JSON elements ------------------------------------------------------ */

/* The exact text of a number member `"key": 123` in raw JSON text (cJSON
 * keeps numbers as doubles, which loses 64-bit object handles). */
static int raw_number(const char *t, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key), k = 0;
	const char *q, *r;

	for (q = t; kl && (q = strstr(q, key)); q += kl) {
		if (q == t || q[-1] != '"' || (q - t >= 2 && q[-2] == '\\') || q[kl] != '"')
			continue;
		for (r = q + kl + 1; *r && strchr(" \t\r\n:", *r); r++)
			;
		while (k + 1 < outlen && r[k] && (hs_is_digit(r[k]) || strchr("-+.eE", r[k])))
			k++;
		hs_ch_copy_n(out, outlen, r, k);
		return k > 0;
	}
	return 0;
}

/* A certificate-storage audit object: op_code, object_handle, response,
 * attributes, timestamp (ms). raw is its text, for exact numbers. */
static int cert_event(struct hs_parser *p, const cJSON *o, const char *raw)
{
	const cJSON *it;
	char num[40];

	hs_ch_begin(p, p->elem_off, p->elem_line);
	for (it = o->child; it; it = it->next) {
		const char *k = it->string ? it->string : "";
		char *printed = NULL;
		const char *v = "";
		if (cJSON_IsString(it))
			v = it->valuestring;
		else if (cJSON_IsNumber(it) && raw_number(raw, k, num, sizeof num))
			v = num;
		else if ((printed = cJSON_PrintUnformatted(it)))
			v = printed;
		if (hs_ch_apply(p, k, strlen(k), -1, v, strlen(v)) < 0) {
			free(printed);
			return -1;
		}
		if (strcmp(k, "op_code") == 0 && *v) {
			hs_strlcpy(p->ev.func, v, sizeof p->ev.func);
			p->seen |= BIT(F_OPCODE);
		} else if (strcmp(k, "response") == 0 && cJSON_IsString(it)) {
			int ok = strcmp(v, "OK") == 0;
			hs_strlcpy(p->ev.rv_name, v, sizeof p->ev.rv_name);
			hs_strlcpy(p->ev.response, v, sizeof p->ev.response);
			p->ev.rv = ok ? 0 : HS_NONE; /* errors have names, no numbers */
			p->ev.ok = ok;
			p->seen |= BIT(F_RESPONSE);
		} else if (strcmp(k, "object_handle") == 0 && cJSON_IsNumber(it)) {
			int64_t x;
			if (hs_parse_int(v, &x))
				hs_event_add_key(&p->ev, x, "object_handle");
			hs_strlcpy(p->object, v, sizeof p->object);
		} else if (strcmp(k, "timestamp") == 0 && cJSON_IsNumber(it) &&
		           it->valuedouble > 0 && it->valuedouble < 1e15) {
			p->ev.ts_us = (int64_t)it->valuedouble * 1000;
			p->ev.ts_utc = 1;
			p->seen |= BIT(F_TIME);
		} else if (strcmp(k, "attributes") == 0 && cJSON_IsArray(it)) {
			const cJSON *a;
			size_t n = 0;
			cJSON_ArrayForEach(a, it)
				if (cJSON_IsString(a) && n + 2 < sizeof p->attrs)
					n += (size_t)snprintf(p->attrs + n, sizeof p->attrs - n, "%s%s",
					                      n ? "," : "", a->valuestring);
		}
		free(printed);
	}
	p->ev_last = p->last_line; /* the object ends on the line being read */
	return hs_ch_flush(p);
}

static const char *str_item(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* The cut-out element in p->elem is complete: parse and emit it. */
static int element_done(struct hs_parser *p)
{
	cJSON *o;
	const cJSON *ts;
	const char *msg, *s, *id;
	int rc = 0;

	if (p->cap_big || p->cap_oom) {
		hs_ch_pend_skip(p, p->cap_big ? "JSON event larger than 64 MiB" : "out of memory");
		return 0;
	}
	o = cJSON_ParseWithLength(p->elem.data, p->elem.len);
	if (!cJSON_IsObject(o)) {
		hs_ch_pend_skip(p, "invalid JSON event");
		cJSON_Delete(o);
		return 0;
	}
	msg = str_item(o, "message");
	if (!msg) {
		if (cJSON_GetObjectItemCaseSensitive(o, "op_code"))
			rc = cert_event(p, o, p->elem.data);
		else
			hs_ch_pend_skip(p, cJSON_GetObjectItemCaseSensitive(o, "message")
			          ? "JSON event whose message is not a string"
			          : "JSON object is not a CloudHSM audit event");
		cJSON_Delete(o);
		return rc < 0 ? 0 : rc;
	}
	s = str_item(o, "logStreamName");
	hs_strlcpy(p->cw_hsm, s ? s : p->stream, sizeof p->cw_hsm);
	ts = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
	p->cw_ts = cJSON_IsNumber(ts) && ts->valuedouble > 0 && ts->valuedouble < 1e15
	           ? (int64_t)ts->valuedouble * 1000 : HS_NONE;
	p->emitted_mark = p->st.events;
	p->in_msg = 1;
	s = msg;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '{') { /* a certificate-storage event inside a CloudWatch event */
		cJSON *c = cJSON_Parse(s);
		if (cJSON_IsObject(c))
			rc = cert_event(p, c, s);
		cJSON_Delete(c);
	} else {
		const char *end = s + strlen(s);
		while (end > s && (end[-1] == '\n' || end[-1] == '\r' || is_blank(end[-1])))
			end--;
		while (s < end && !rc) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
			rc = hs_ch_text_line(p, s, n, p->elem_off, p->elem_line);
			s += n + (nl != NULL);
		}
		if (!rc && p->open) {
			id = str_item(o, "eventId");
			if (!id)
				id = str_item(o, "id");
			if (id)
				hs_ch_apply(p, "eventId", 7, -1, id, strlen(id));
		}
		p->ev_last = p->last_line; /* the object ends on the line being read */
		if (!rc)
			rc = hs_ch_flush(p);
	}
	p->in_msg = 0;
	if (rc < 0)
		rc = 0;
	if (p->st.events == p->emitted_mark && !p->stopped)
		hs_ch_pend_skip(p, "JSON event whose message is not a CloudHSM audit event");
	p->cw_hsm[0] = '\0';
	p->cw_ts = HS_NONE;
	cJSON_Delete(o);
	return rc;
}

/* ---- the JSON scanner --------------------------------------------------- */

void hs_ch_cap_drop(struct hs_parser *p)
{
	p->cap = p->cap_big = p->cap_oom = 0;
	if (p->elem.cap > ELEM_KEEP)
		hs_buf_free(&p->elem);
	else
		hs_buf_clear(&p->elem);
}

static void cap_add(struct hs_parser *p, const char *s, size_t n, int nl)
{
	if (p->cap_big || p->cap_oom)
		return;
	if (p->elem.len + n + 1 > ELEM_MAX) {
		p->cap_big = 1;
		hs_buf_free(&p->elem);
	} else if (hs_buf_add(&p->elem, s, n) < 0 || (nl && hs_buf_addc(&p->elem, '\n') < 0)) {
		p->cap_oom = 1;
		hs_buf_free(&p->elem);
	}
}

static void cap_start(struct hs_parser *p, int kind, const char *s, size_t i,
                      int64_t off, int64_t line)
{
	size_t k = 0;

	hs_ch_cap_drop(p);
	p->cap = kind;
	p->elem_off = off;
	p->elem_line = line;
	while (k < i && is_blank(s[k]))
		k++;
	p->elem_indent = k == i ? (int)k : -1;
	hs_ch_pend_reset(p);
	hs_ch_pend_add(p, line, off);
}

/* The JSON broke inside the current element: drop it and resynchronise. */
static void broken(struct hs_parser *p, int64_t off, int64_t line, const char *why)
{
	if (p->cap)
		hs_ch_pend_skip(p, why);
	else
		hs_ch_skip(p, line, off, why);
	hs_ch_cap_drop(p);
	p->js = (struct hs_jstr){ 0 };
	p->depth = p->level && p->level <= p->depth ? p->level : 0;
	p->resync = 1;
}

static void string_end(struct hs_parser *p)
{
	p->str1[p->str1_len] = '\0';
	if (!p->expect_val) {
		hs_strlcpy(p->key, p->str1, sizeof p->key);
	} else if (strcmp(p->key, "logStream") == 0 || strcmp(p->key, "logStreamName") == 0) {
		hs_strlcpy(p->stream, p->str1, sizeof p->stream);
	}
}

int hs_ch_json_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line)
{
	size_t i, from = (size_t)-1;

	if (p->eol_in_str) {
		p->eol_in_str = 0;
		broken(p, p->eol_off, p->eol_line, "JSON string not closed at end of line");
	}
	if (p->resync) {
		size_t k = 0;
		while (k < n && is_blank(s[k]))
			k++;
		if (k < n && ((s[k] == '{' && (p->elem_indent < 0 || (int)k <= p->elem_indent)) ||
		              (s[k] == ']' && p->level && (p->elem_indent < 0 || (int)k < p->elem_indent)))) {
			p->resync = 0;
		} else {
			hs_ch_skip(p, line, off, "broken JSON: skipped to the next event");
			return 0;
		}
	}
	if (p->cap) {
		from = 0;
		hs_ch_pend_add(p, line, off);
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		switch (hs_jstr_step(&p->js, c)) {
		case HS_JSTR_OPEN:
			p->str1_len = 0;
			continue;
		case HS_JSTR_IN:
			if (p->depth == 1 && p->str1_len + 1 < sizeof p->str1)
				p->str1[p->str1_len++] = c;
			continue;
		case HS_JSTR_CLOSE:
			if (p->depth == 1)
				string_end(p);
			continue;
		case HS_JSTR_OUT:
			break;
		}
		switch (c) {
		case '{':
		case '[':
			if (p->depth >= JSON_DEPTH_MAX) {
				broken(p, off, line, "JSON nested too deep");
				return 0;
			}
			if (p->depth == 0) {
				p->stream[0] = p->key[0] = '\0';
				p->level = 0;
				if (c == '{') {
					cap_start(p, 2, s, i, off, line);
					from = i;
				} else {
					p->level = 1;
				}
			} else if (c == '{' && p->level && p->depth == p->level && !p->cap &&
			           p->stack[p->depth - 1] == '[') {
				cap_start(p, 1, s, i, off, line);
				from = i;
			} else if (c == '[' && p->depth == 1 && p->stack[0] == '{' && p->expect_val &&
			           (strcmp(p->key, "events") == 0 || strcmp(p->key, "logEvents") == 0)) {
				if (p->cap == 2) /* a wrapper, not an event: its elements are */
					hs_ch_cap_drop(p);
				from = (size_t)-1;
				p->level = 2;
			}
			p->stack[p->depth++] = c;
			if (p->depth == 1)
				p->expect_val = 0;
			break;
		case '}':
		case ']':
			if (p->depth == 0)
				break; /* stray closer at top level (a resumed tail) */
			if (p->stack[p->depth - 1] != (c == '}' ? '{' : '[')) {
				broken(p, off, line, "JSON bracket mismatch");
				return 0;
			}
			p->depth--;
			if ((p->cap == 1 && p->depth == p->level) || (p->cap == 2 && p->depth == 0)) {
				int rc;
				cap_add(p, s + from, i + 1 - from, 0);
				from = (size_t)-1;
				rc = element_done(p);
				hs_ch_cap_drop(p);
				if (rc)
					return 1;
			}
			if (c == ']' && p->level && p->depth == p->level - 1)
				p->level = 0;
			break;
		case ':':
			if (p->depth == 1)
				p->expect_val = 1;
			break;
		case ',':
			if (p->depth == 1)
				p->expect_val = 0;
			break;
		default:
			break;
		}
	}
	if (p->js.in) { /* never in valid JSON: broken, or cut at the end */
		p->eol_in_str = 1;
		p->eol_off = off;
		p->eol_line = line;
	}
	if (p->cap && from != (size_t)-1)
		cap_add(p, s + from, n - from, 1);
	return 0;
}

