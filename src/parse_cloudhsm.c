/* parse_cloudhsm.c — AWS CloudHSM HSM audit logs, in the three shapes users
 * have on disk, all mapped to the same events.
 *
 *  (a) Blocks: one `Field : value` line per field, an event per block, blocks
 *      separated by blank lines or by the next `Time:` line. The colon may
 *      have blanks (space or tab) before it or none.
 *  (b) One line per event (copied from web pages and consoles): the known
 *      field names are found left to right on the line (leftmost, longest
 *      first, at a word boundary, followed by blanks and a colon); a line
 *      with two or more of the core fields (Time, Sequence No, Opcode, ...)
 *      is one event. Between known fields, unknown `Words : value` pairs are
 *      recognised by a blank before the colon and capitalised name words.
 *  (c) JSON from `aws logs filter-log-events` / `get-log-events`, a CloudWatch
 *      subscription payload (`logEvents`), a bare array of events, or
 *      certificate-storage audit objects (`{"op_code": ...}`) one per line or
 *      pretty-printed. The file is never held whole: a small scanner (bracket
 *      stack, in-string and escape flags, the last key at depth 1) runs over
 *      each line and cuts out one element object at a time into `elem`
 *      (capped at ELEM_MAX); only that object is given to cJSON. Its
 *      `message` is then fed, line by line, through the block machinery of
 *      (a)/(b), or parsed as a certificate-storage object.
 *
 * Data structure: one `struct hs_event` (`ev`) is reused for the event being
 * built; `seen` has a bit per known field already set, so a repeated core
 * field starts a new event (a block whose Time line was lost). `pend`
 * remembers the lines of the open block or JSON element, so that when it
 * cannot be used every one of its lines is reported to sink->on_skip. JSON
 * that breaks (a string still open at the end of a line, which valid JSON
 * never has; a wrong closing bracket) drops only the element it is in and
 * skips lines until one that opens the next element at the same indent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "hsmscope/pbase.h"
#include "hsmscope/chars.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/parser.h"

#include "cloudhsm_int.h"

/* ---- small text helpers ------------------------------------------------ */


/* A literal "\n" / "\t" / "\r" pair, as consoles show escaped messages. */
static int lit_esc(const char *s, size_t n, size_t i)
{
	return i + 1 < n && s[i] == '\\' && (s[i + 1] == 'n' || s[i + 1] == 't' || s[i + 1] == 'r');
}

static size_t skip_blanks(const char *s, size_t n, size_t i)
{
	for (;;) {
		if (i < n && (is_blank(s[i]) || s[i] == '\r'))
			i++;
		else if (lit_esc(s, n, i))
			i += 2;
		else
			return i;
	}
}

/* Trim blanks, literal escapes and (for one-line values) separators. */
static void trim(const char **s, size_t *n, int seps)
{
	size_t i = skip_blanks(*s, *n, 0), len = *n;

	for (;;) {
		if (len > i && (is_blank((*s)[len - 1]) || (*s)[len - 1] == '\r' ||
		                (seps && strchr(",;|", (*s)[len - 1]))))
			len--;
		else if (len >= i + 2 && lit_esc(*s, len, len - 2))
			len -= 2;
		else
			break;
	}
	*s += i;
	*n = len - i;
}

static int word_boundary(const char *s, size_t i)
{
	if (i == 0 || !(hs_is_alpha(s[i - 1]) || hs_is_digit(s[i - 1]) || s[i - 1] == '_'))
		return 1;
	return i >= 2 && s[i - 2] == '\\'; /* "...0x0\nReboot counter" */
}

/* Length through the colon when s[0..n) starts with name (ASCII case
 * blind; a space in name matches blanks, blanks may precede '('), then
 * blanks and ':'; else 0. */
static size_t match_name(const char *s, size_t n, const char *name)
{
	size_t i = 0;

	for (; *name; name++) {
		if (*name == ' ') {
			if (i >= n || !is_blank(s[i]))
				return 0;
			while (i < n && is_blank(s[i]))
				i++;
			continue;
		}
		if (*name == '(')
			while (i < n && is_blank(s[i]))
				i++;
		if (i >= n || hs_lower(s[i]) != hs_lower(*name))
			return 0;
		i++;
	}
	i = skip_blanks(s, n, i);
	return i < n && s[i] == ':' ? i + 1 : 0;
}

/* Copy at most dstlen-1 bytes of s[0..n). */
void hs_ch_copy_n(char *dst, size_t dstlen, const char *s, size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The number a value starts with ("0x29"), or with paren set the one in
 * its last parentheses ("CN_MGMT_CMD (0x0)") or the whole value; HS_NONE. */
static int64_t num_of(const char *v, size_t n, int paren)
{
	char tmp[48];
	const char *lp;
	int64_t x;
	int used;

	hs_ch_copy_n(tmp, sizeof tmp, v, n);
	if (paren && (lp = strrchr(tmp, '(')))
		return hs_parse_int(hs_skip_ws(lp + 1), &x) ? x : HS_NONE;
	used = hs_parse_int(hs_skip_ws(tmp), &x);
	return used && (!paren || (size_t)used == strlen(tmp)) ? x : HS_NONE;
}

/* ---- splitting a line into fields -------------------------------------- */

/* Is w[0..n) a word that can be part of an unknown field name? */
static int namey(const char *w, size_t n)
{
	size_t i;
	int lowers = 0, letters = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		if (hs_is_alpha(w[i])) {
			letters++;
			lowers += !hs_is_upper(w[i]);
		} else if (!strchr("/()-.#", w[i])) {
			return 0;
		}
	}
	return letters && (lowers || n <= 3);
}

/* First unknown `Words : ` in s[0..n): a blank before the colon, then up to
 * five name words, the first capitalised. Sets *ns (name start) and *ne
 * (name end) and returns the index after the colon, or 0. */
static size_t find_generic(const char *s, size_t n, size_t *ns, size_t *ne)
{
	size_t c;

	for (c = 1; c < n; c++) {
		size_t e, k, best = (size_t)-1;
		int words = 0;

		if (s[c] != ':' || !is_blank(s[c - 1]) || (c + 1 < n && !is_blank(s[c + 1])))
			continue;
		e = c;
		while (e > 0 && is_blank(s[e - 1]))
			e--;
		k = e;
		while (words < 5 && k > 0) {
			size_t w = k;
			while (w > 0 && !is_blank(s[w - 1]))
				w--;
			if (!namey(s + w, k - w))
				break;
			words++;
			if (hs_is_upper(s[w]))
				best = w;
			if (w < 2 || s[w - 1] != ' ' || is_blank(s[w - 2]))
				break;
			k = w - 1;
		}
		if (best != (size_t)-1) {
			*ns = best;
			*ne = e;
			return c + 1;
		}
	}
	return 0;
}

/* Known fields anywhere in s[0..n), leftmost first. Returns how many;
 * *ncore counts distinct core fields among them. */
static int split_known(const char *s, size_t n, struct field *f, int max, int *ncore)
{
	size_t i = 0;
	int nf = 0, k;
	unsigned core = 0;

	while (i < n && nf < max) {
		size_t m = 0;
		if (hs_is_alpha(s[i]) && word_boundary(s, i))
			for (k = 0; k < NKNOWN && !(m = match_name(s + i, n - i, known_fields[k].name)); k++)
				;
		if (!m) {
			i++;
			continue;
		}
		f[nf].name = s + i;
		f[nf].nlen = m;
		f[nf].val = s + i + m;
		f[nf].known = k;
		if (nf)
			f[nf - 1].vlen = (size_t)(s + i - f[nf - 1].val);
		if (IS_CORE(known_fields[k].id))
			core |= BIT(known_fields[k].id);
		nf++;
		i += m;
	}
	if (nf)
		f[nf - 1].vlen = (size_t)(s + n - f[nf - 1].val);
	for (*ncore = 0; core; core &= core - 1)
		(*ncore)++;
	return nf;
}

/* Append f to out[no..max), then the unknown fields inside its value. */
static int push_split(struct field f, struct field *out, int no, int max)
{
	struct field *cur = &out[no];
	size_t ns, ne, after;

	if (no >= max)
		return no;
	*cur = f;
	while (++no < max && (after = find_generic(cur->val, cur->vlen, &ns, &ne))) {
		struct field g = { cur->val + ns, ne - ns, cur->val + after, cur->vlen - after, -1 };
		cur->vlen = ns;
		cur = &out[no];
		*cur = g;
	}
	return no;
}

/* ---- building and emitting events -------------------------------------- */

void hs_ch_skip(struct hs_parser *p, int64_t line, int64_t off, const char *why)
{
	p->st.skipped++;
	if (p->open)
		p->ev.skipped_lines++;
	if (p->sink.on_skip)
		p->sink.on_skip(p->sink.ctx, line, off, why);
}

void hs_ch_pend_reset(struct hs_parser *p) { p->npend = 0; }

void hs_ch_pend_add(struct hs_parser *p, int64_t line, int64_t off)
{
	if (p->npend < PEND_MAX) {
		p->pend_line[p->npend] = line;
		p->pend_off[p->npend] = off;
	}
	p->npend++;
}

/* Report every line of the open unit as skipped. */
void hs_ch_pend_skip(struct hs_parser *p, const char *why)
{
	int64_t i, kept = p->npend < PEND_MAX ? p->npend : PEND_MAX;

	for (i = 0; i < p->npend; i++) {
		int64_t k = i < kept ? i : kept - 1;
		p->st.skipped++;
		if (p->sink.on_skip)
			p->sink.on_skip(p->sink.ctx, p->pend_line[k] + (i - k), p->pend_off[k], why);
	}
	p->npend = 0;
}

void hs_ch_begin(struct hs_parser *p, int64_t off, int64_t line)
{
	hs_event_reset(&p->ev);
	p->ev.file_id = p->file_id;
	p->ev.offset = off;
	p->ev.line = line;
	p->ev_last = line;
	p->ev.format = "cloudhsm";
	p->open = 1;
	p->seen = 0;
	p->utype[0] = p->attrs[0] = p->object[0] = '\0';
}

static void summarise(struct hs_parser *p)
{
	struct hs_event *e = &p->ev;
	size_t n = 0, cap = sizeof e->summary;
	int i, nk = 0;

#define ADD(...) do { if (n < cap) n += (size_t)snprintf(e->summary + n, cap - n, __VA_ARGS__); } while (0)
	if (e->user[0])
		ADD("user=%s ", e->user);
	if (p->utype[0])
		ADD("type=%s ", p->utype);
	if (p->object[0])
		ADD("object=%s ", p->object);
	if (p->attrs[0])
		ADD("attrs=%s ", p->attrs);
	for (i = 0; i < e->nkeys && !p->object[0]; i++)
		ADD("%s%lld", nk++ ? "," : "keys=", (long long)e->keys[i].handle);
	if (nk)
		ADD(" ");
	if (e->session != HS_NONE)
		ADD("session=0x%llx ", (unsigned long long)e->session);
#undef ADD
	if (n > cap - 1)
		n = cap - 1;
	while (n && e->summary[n - 1] == ' ')
		e->summary[--n] = '\0';
}

/* A text file holds one HSM's events in order, unless several streams were
 * pasted one after the other: the second starts where the time goes back
 * (by more than SPLIT_BACK_US: clocks are stepped a little) or the reboot
 * counter goes down (it only grows on one HSM). A reboot (counter up,
 * sequence from 0, time on) stays in its stream. The first stream keeps the
 * file's name and the next are "<name>#2", "#3": the events of the first are
 * out before the second shows, and a field never depends on later bytes.
 * With --hsm the user named the HSM: no split. */
#define SPLIT_BACK_US 1000000
static void text_stream(struct hs_parser *p)
{
	struct hs_event *e = &p->ev;

	if (!p->split)
		p->split = 1;
	else if (!p->named &&
	         ((e->ts_us != HS_NONE && p->split_ts != HS_NONE && e->ts_us < p->split_ts - SPLIT_BACK_US) ||
	          (e->reboot != HS_NONE && p->split_reboot != HS_NONE && e->reboot < p->split_reboot)))
		p->split++;
	if (e->ts_us != HS_NONE)
		p->split_ts = e->ts_us;
	if (e->reboot != HS_NONE)
		p->split_reboot = e->reboot;
	if (p->split > 1)
		snprintf(e->hsm, sizeof e->hsm, "%.100s#%d", p->hsm_default, p->split);
	else
		hs_strlcpy(e->hsm, p->hsm_default, sizeof e->hsm);
}

/* Emit the open event, or drop it (its lines skipped) when it has neither
 * Time nor Opcode. Returns non-zero when the sink asks to stop. */
int hs_ch_flush(struct hs_parser *p)
{
	if (!p->open)
		return 0;
	p->open = 0;
	if (!(p->seen & (BIT(F_TIME) | BIT(F_OPCODE)))) {
		if (!p->in_msg)
			hs_ch_pend_skip(p, "CloudHSM fields without Time or Opcode");
		return 0;
	}
	if (p->ev.ts_us == HS_NONE && p->cw_ts != HS_NONE) {
		p->ev.ts_us = p->cw_ts;
		p->ev.ts_utc = 1;
	}
	if (p->cw_hsm[0])
		hs_strlcpy(p->ev.hsm, p->cw_hsm, sizeof p->ev.hsm);
	else
		text_stream(p);
	p->ev.incomplete = !(p->seen & BIT(F_RESPONSE));
	summarise(p);
	p->st.events++;
	p->st.incomplete += p->ev.incomplete;
	if (!p->in_msg)
		hs_ch_pend_reset(p);
	/* its lines: one run from its first (several events of one line:
	 * that line) */
	if (hs_event_lines_run(&p->ev, p->ev.line,
	                       (p->ev_last > p->ev.line ? p->ev_last : p->ev.line) - p->ev.line + 1) < 0)
		p->stopped = 1;
	if (p->sink.on_event(p->sink.ctx, &p->ev))
		p->stopped = 1;
	return p->stopped;
}

static void set_time(struct hs_event *e, const char *v, size_t n)
{
	char tmp[80];
	const char *u;
	int mo, d, y, h, mi, s, used = 0;
	long us = 0, scale = 100000;
	int64_t x;

	hs_ch_copy_n(tmp, sizeof tmp, v, n);
	for (u = tmp; *u; u++) {
		if (hs_lower(*u) == 'u' && strncmp(u + 1, "secs", 4) == 0) {
			const char *q = hs_skip_ws(u + 5);
			if (*q == ':' && hs_parse_int(hs_skip_ws(q + 1), &x) && x > 0) {
				e->ts_us = x;
				e->ts_utc = 1;
				return;
			}
		}
	}
	if (sscanf(tmp, "%d/%d/%d %d:%d:%d%n", &mo, &d, &y, &h, &mi, &s, &used) < 6 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || y < 0 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || s < 0 || s > 60)
		return;
	if (tmp[used] == '.')
		for (u = tmp + used + 1; hs_is_digit(*u) && scale; u++, scale /= 10)
			us += (*u - '0') * scale;
	if (y < 100)
		y += y < 70 ? 2000 : 1900;
	e->ts_us = hs_civil_to_us(y, mo, d, h, mi, s, us);
	e->ts_utc = 1;
}

/* "0:HSM Return: SUCCESS", "163:HSM Error: RET_USER_LOGIN_FAILURE", ... */
static void set_response(struct hs_event *e, const char *v, size_t n)
{
	char msg[HS_TEXT_MAX];
	const char *last, *q;
	size_t i = 0;
	int64_t rv = HS_NONE, x;
	int used;

	hs_ch_copy_n(msg, sizeof msg, v, n);
	if ((used = hs_parse_int(msg, &x)) && (q = hs_skip_ws(msg + used))[0] == ':') {
		rv = x;
		memmove(msg, hs_skip_ws(q + 1), strlen(hs_skip_ws(q + 1)) + 1);
	}
	hs_strlcpy(e->response, msg, sizeof e->response);
	last = msg;
	for (q = msg; (q = strstr(q, ": ")); q += 2)
		last = q + 2;
	while (last[i] && (hs_is_upper(last[i]) || hs_is_digit(last[i]) || last[i] == '_'))
		i++;
	/* rv_name is as large as msg: the whole text, never cut */
	hs_strlcpy(e->rv_name, i >= 2 && !last[i] ? last : msg, sizeof e->rv_name);
	e->rv = rv;
	if (rv == HS_NONE && strstr(msg, "SUCCESS") && !strstr(msg, "Error"))
		e->rv = 0;
	e->ok = e->rv == 0;
}

static void set_opcode(struct hs_event *e, const char *v, size_t n)
{
	size_t k = 0;
	int64_t num = num_of(v, n, 1);
	uint64_t u;
	enum hs_ck_kind kind;
	const char *name;

	while (k < n && (hs_is_alpha(v[k]) || hs_is_digit(v[k]) || v[k] == '_'))
		k++;
	if (k && hs_is_alpha(v[0])) {
		hs_ch_copy_n(e->func, sizeof e->func, v, k);
		if (num == HS_NONE && hs_ck_lookup(e->func, &u, &kind) && kind == HS_CN_OPCODE)
			num = (int64_t)u;
	} else if (num != HS_NONE && (name = hs_ck_name(HS_CN_OPCODE, (uint64_t)num))) {
		hs_strlcpy(e->func, name, sizeof e->func);
	} else {
		hs_ch_copy_n(e->func, sizeof e->func, v, n);
	}
	e->opcode = num;
}

/* Apply one field to the open event and keep it as a detail line. */
int hs_ch_apply(struct hs_parser *p, const char *name, size_t nlen, int known,
                 const char *v, size_t vlen)
{
	struct hs_event *e = &p->ev;
	char nm[64], line[96];
	enum fid id = known >= 0 ? known_fields[known].id : F_UNKNOWN;
	size_t i, k = 0;
	int64_t x;

	if (known >= 0) {
		hs_strlcpy(nm, known_fields[known].name, sizeof nm);
	} else { /* collapse blank runs in an unknown name */
		for (i = 0; i < nlen && k + 1 < sizeof nm; i++)
			if (!is_blank(name[i]) || (k && nm[k - 1] != ' '))
				nm[k++] = is_blank(name[i]) ? ' ' : name[i];
		while (k && nm[k - 1] == ' ')
			k--;
		nm[k] = '\0';
		k = strlen(nm);
		if (k > 6 && strcmp(nm + k - 6, "Handle") == 0 && strcmp(nm, "Session Handle") != 0)
			id = F_KEY;
	}
	snprintf(line, sizeof line, "%s : ", nm);
	if (hs_event_add_line(e, line, strlen(line)) < 0 ||
	    (!e->elided_lines && hs_buf_add(&e->detail, v, vlen) < 0)) /* not kept: over the cap */
		return -1;
	if (IS_CORE(id))
		p->seen |= BIT(id);
	switch (id) {
	case F_TIME: set_time(e, v, vlen); break;
	case F_SEQ: e->seq = num_of(v, vlen, 0); break;
	case F_REBOOT: e->reboot = num_of(v, vlen, 0); break;
	case F_CMDTYPE: e->cmd_type = num_of(v, vlen, 1); break;
	case F_OPCODE: set_opcode(e, v, vlen); break;
	case F_SESSION: e->session = num_of(v, vlen, 0); break;
	case F_RESPONSE: set_response(e, v, vlen); break;
	case F_LOGTYPE: e->log_type = num_of(v, vlen, 1); break;
	case F_USER: hs_ch_copy_n(e->user, sizeof e->user, v, vlen); break;
	case F_UTYPE:
		e->user_type = num_of(v, vlen, 1);
		for (k = 0; k < vlen && !is_blank(v[k]) && v[k] != '('; k++)
			;
		hs_ch_copy_n(p->utype, sizeof p->utype, v, k);
		break;
	case F_KEY:
		if ((x = num_of(v, vlen, 0)) != HS_NONE && x != 0) /* 0: no such key */
			hs_event_add_key(e, x, nm);
		break;
	case F_UNKNOWN: break;
	}
	return 0;
}

static int apply_fields(struct hs_parser *p, struct field *f, int nf, int seps)
{
	int i;

	for (i = 0; i < nf; i++) {
		trim(&f[i].val, &f[i].vlen, seps);
		if (hs_ch_apply(p, f[i].name, f[i].nlen, f[i].known, f[i].val, f[i].vlen) < 0)
			return -1;
	}
	return 0;
}

/* Is s[0..n) an unknown field line, `Name words : value`? */
static size_t generic_line(const char *s, size_t n, size_t *nlen)
{
	size_t i;

	if (!n || !hs_is_alpha(s[0]))
		return 0;
	for (i = 0; i < n && i < 48; i++) {
		if (s[i] == ':') {
			*nlen = i;
			return i + 1;
		}
		if (!hs_is_alpha(s[i]) && !hs_is_digit(s[i]) && !strchr(" \t/()_.#-", s[i]))
			return 0;
	}
	return 0;
}

/* One line of text (a file line, or a line of a JSON message). */
int hs_ch_text_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line)
{
	struct field f[MAX_FIELDS], all[MAX_FIELDS];
	int nf, ncore, i, total;
	size_t nlen, after;

	trim(&s, &n, 0);
	if (!n)
		return hs_ch_flush(p);
	nf = split_known(s, n, f, MAX_FIELDS, &ncore);
	if (ncore >= 2) { /* one event on one line */
		struct field pre = { s, 0, s, (size_t)(f[0].name - s), -2 }; /* text before */
		if (hs_ch_flush(p))
			return 1;
		hs_ch_begin(p, off, line);
		if (!p->in_msg) {
			hs_ch_pend_reset(p);
			hs_ch_pend_add(p, line, off);
		}
		total = push_split(pre, all, 0, MAX_FIELDS);
		for (i = 0; i < nf; i++)
			total = push_split(f[i], all, total, MAX_FIELDS);
		for (i = 1; i < total; i++) {
			enum fid id = all[i].known >= 0 ? known_fields[all[i].known].id : F_UNKNOWN;
			if (IS_CORE(id) && (p->seen & BIT(id))) { /* a second event on the line */
				if (hs_ch_flush(p))
					return 1;
				hs_ch_begin(p, off, line);
			}
			if (apply_fields(p, all + i, 1, 1) < 0)
				goto oom;
		}
		return hs_ch_flush(p);
	}
	if (nf >= 1 && f[0].name == s) {
		enum fid id = known_fields[f[0].known].id;
		f[0].vlen = n - f[0].nlen; /* a block line: the rest is the value */
		if (p->open && (id == F_TIME || (IS_CORE(id) && (p->seen & BIT(id)))) && hs_ch_flush(p))
			return 1;
		if (!p->open) {
			hs_ch_begin(p, off, line);
			if (!p->in_msg)
				hs_ch_pend_reset(p);
		}
		if (!p->in_msg)
			hs_ch_pend_add(p, line, off);
		if (apply_fields(p, f, 1, 0) < 0)
			goto oom;
		return 0;
	}
	if (p->open && (after = generic_line(s, n, &nlen))) {
		struct field g = { s, nlen, s + after, n - after, -1 };
		if (!p->in_msg)
			hs_ch_pend_add(p, line, off);
		if (apply_fields(p, &g, 1, 0) < 0)
			goto oom;
		return 0;
	}
	if (!p->in_msg)
		hs_ch_skip(p, line, off, "not a CloudHSM audit field");
	return 0;
oom:
	if (!p->in_msg)
		hs_ch_skip(p, line, off, "out of memory");
	return 0;
}

/* ---- the descriptor ----------------------------------------------------- */

static int starts_known(const char *s, size_t n)
{
	int k;

	for (k = 0; k < NKNOWN; k++)
		if (IS_CORE(known_fields[k].id) && match_name(s, n, known_fields[k].name))
			return 1;
	return 0;
}

/* Does s[0..n) open JSON: `{` or `[` followed by a key, an element or
 * nothing? ("[INFO] ..." and "{ prose" stay text.) */
static int json_start(const char *s, size_t n)
{
	size_t i = 1;

	if (!n || (s[0] != '{' && s[0] != '['))
		return 0;
	while (i < n && is_blank(s[i]))
		i++;
	return i == n || s[i] == '"' || s[i] == '{' || s[i] == '[' || s[i] == '}' || s[i] == ']';
}

/* A CloudWatch Logs export to S3 writes each event as "<ISO 8601 UTC time>
 * <message>", the message's further lines as they are: the length of that
 * time and its blank at the start of s, or 0. */
static size_t export_prefix(const char *s, size_t n)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	if (n < sizeof pat + 1)
		return 0;
	for (i = 0; i < sizeof pat - 1; i++)
		if (pat[i] == 'd' ? !hs_is_digit(s[i]) : s[i] != pat[i])
			return 0;
	if (s[i] == '.')
		for (i++; i < n && hs_is_digit(s[i]); i++)
			;
	if (i + 1 >= n || s[i] != 'Z' || s[i + 1] != ' ')
		return 0;
	return i + 2;
}

static int ch_feed(struct hs_parser *p, const char *line, size_t len, int64_t off, int64_t lineno)
{
	size_t k = 0;
	int rc;

	if (p->stopped)
		return 1;
	p->last_off = off;
	p->last_len = (int64_t)len;
	p->last_line = lineno;
	while (k < len && is_blank(line[k]))
		k++;
	/* a raw subscription payload: one line holds a whole DATA_MESSAGE
	 * (pretty-printed: "awslogs" on one line, "data" on a later one) */
	if (hs_ch_memstr(line, len, "\"awslogs\"") || (p->aw_key && hs_ch_memstr(line, len, "\"data\""))) {
		if (p->depth == 0 && hs_ch_flush(p))
			return 1;
		rc = hs_ch_awslogs_line(p, line, len, off, lineno);
		if (rc >= 0)
			return rc || p->stopped;
		p->aw_key = p->depth <= 1; /* the key alone: its data follows */
	}
	if (p->aw_tail) {
		size_t e = len;
		while (e > k && is_blank(line[e - 1]))
			e--;
		if (e > k && e - k <= 2 && (line[k] == '}' || line[k] == ']'))
			return 0; /* the wrapper's closing braces */
		p->aw_tail = 0;
	}
	if (p->depth == 0 && !p->resync && !p->eol_in_str && k == 0) {
		size_t e = export_prefix(line, len);
		line += e;
		len -= e;
	}
	if ((p->depth > 0 || p->resync || p->eol_in_str) && starts_known(line + k, len - k)) {
		/* a field line at the start of a line: JSON never has one */
		if (p->cap)
			hs_ch_pend_skip(p, "JSON event cut short by a text line");
		hs_ch_cap_drop(p);
		p->resync = p->depth = p->level = p->eol_in_str = 0;
		p->js = (struct hs_jstr){ 0 };
	}
	if (p->depth > 0 || p->resync || p->eol_in_str || json_start(line + k, len - k)) {
		if (p->depth == 0 && hs_ch_flush(p))
			return 1;
		rc = hs_ch_json_line(p, line, len, off, lineno);
	} else {
		rc = hs_ch_text_line(p, line, len, off, lineno);
	}
	if (p->open) /* the line was the open event's */
		p->ev_last = lineno;
	return rc || p->stopped;
}

static int has(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

/* Score: block field lines (Sequence No, Reboot counter, Command Type,
 * Opcode, Time with usecs), one-line events, JSON whose messages hold them,
 * certificate-storage JSON; other JSON scores low. */
static int ch_probe(const char *const *lines, int nlines)
{
	unsigned marks = 0;
	int i, k, json = 0, cw = 0, cwmsg = 0, cert = 0, oneline = 0, nmarks = 0, ncore, cut = 0, aw = 0;
	struct field f[MAX_FIELDS];

	for (i = 0; i < nlines; i++) {
		const char *s = hs_skip_ws(lines[i]), *b64, *why;
		size_t n = strlen(s), blen;
		s += export_prefix(s, n);
		n = strlen(s);
		json |= *s == '{' || *s == '[';
		/* a raw subscription payload: look at what its data holds (the
		 * head may cut it: what decodes is enough) */
		aw |= has(s, "\"awslogs\"");
		if (aw && hs_ch_awslogs_find(s, n, !has(s, "\"awslogs\""), &b64, &blen)) {
			struct hs_buf dec;
			hs_buf_init(&dec);
			if (hs_ch_awslogs_decode(b64, blen, &dec, 1u << 20, 1, &why) == 0 && dec.len &&
			    hs_buf_addc(&dec, '\0') == 0) {
				const char *d = dec.data;
				cw |= 2;
				cwmsg |= has(d, "\"message\"") && (has(d, "Opcode") || has(d, "Sequence No") ||
				                                    has(d, "Reboot counter") || has(d, "HSM Return"));
			}
			hs_buf_free(&dec);
		}
		cw |= (has(s, "\"events\"") || has(s, "\"logEvents\"")) | has(s, "\"logStreamName\"") << 1;
		cwmsg |= has(s, "\"message\"") && (has(s, "Opcode") || has(s, "Sequence No") ||
		                                   has(s, "Reboot counter") || has(s, "HSM Return"));
		cert |= has(s, "op_code") | has(s, "object_handle") << 1;
		/* the head ends inside a huge first message: its text is unseen */
		cut |= i == nlines - 1 && n > 4096 && has(s, "\"message\"");
		oneline |= split_known(s, n, f, MAX_FIELDS, &ncore) && ncore >= 3;
		for (k = 0; k < NKNOWN; k++) {
			enum fid id = known_fields[k].id;
			if (id != F_SESSION && id <= F_OPCODE && match_name(s, n, known_fields[k].name) &&
			    (id != F_TIME || has(s, "usecs")))
				marks |= BIT(id);
		}
	}
	for (; marks; marks &= marks - 1)
		nmarks++;
	if (oneline || nmarks >= 3 || (json && cwmsg))
		return 95;
	if (nmarks == 2)
		return 80;
	if (json && cert == 3)
		return 75;
	/* CloudWatch's own key, its first message longer than the head */
	if (json && (cw & 2) && cut)
		return 60;
	if (nmarks == 1)
		return 40;
	return json ? (cw ? 20 : 5) : 0;
}

static struct hs_parser *ch_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = calloc(1, sizeof *p);
	const char *base, *dot;

	if (!p)
		return NULL;
	p->sink = *sink;
	p->file_id = o->file_id;
	hs_event_init(&p->ev);
	hs_buf_init(&p->elem);
	p->cw_ts = HS_NONE;
	p->elem_indent = -1;
	p->split_ts = p->split_reboot = HS_NONE;
	if (o->hsm_name && *o->hsm_name) {
		p->named = 1;
		hs_strlcpy(p->hsm_default, o->hsm_name, sizeof p->hsm_default);
	} else if (o->path) {
		char name[256];
		base = strrchr(o->path, '/') ? strrchr(o->path, '/') + 1 : o->path;
		/* hsm1.log.gz names the same HSM as hsm1.log */
		hs_strlcpy(name, base, sizeof name);
		dot = strrchr(name, '.');
		if (dot && dot != name && (!strcmp(dot, ".gz") || !strcmp(dot, ".bz2") ||
		                           !strcmp(dot, ".xz") || !strcmp(dot, ".zst")))
			*(char *)dot = '\0';
		dot = strrchr(name, '.');
		if (!dot || dot == name || (strcmp(dot, ".log") && strcmp(dot, ".txt") &&
		                            strcmp(dot, ".json") && strcmp(dot, ".ndjson")))
			dot = name + strlen(name);
		/* an S3 export's <log stream name>/000000.gz: the stream is the HSM */
		if (strspn(name, "0123456789") == strlen(name) && base > o->path + 1) {
			const char *d = base - 1, *ds = d;
			while (ds > o->path && ds[-1] != '/')
				ds--;
			if (d > ds) {
				hs_ch_copy_n(name, sizeof name, ds, (size_t)(d - ds));
				dot = name + strlen(name);
			}
		}
		hs_ch_copy_n(p->hsm_default, sizeof p->hsm_default, name, (size_t)(dot - name));
	}
	return p;
}

/* State: "json=<level>[ stream=<name>]" when the input ended inside an
 * array of events, so a refresh starting at safe_offset knows where it is;
 * for text, "text=<streams> ts=<µs> rb=<reboot>" (text_stream's, with the
 * event at safe_offset already in: re-read, it compares equal to itself). */
static void ch_resume(struct hs_parser *p, const char *state)
{
	int64_t level, split, ts, rb;

	if (hs_pstate_get_int(state, "text", &split) && split > 0 && split < INT32_MAX &&
	    hs_pstate_get_int(state, "ts", &ts) && hs_pstate_get_int(state, "rb", &rb)) {
		p->split = (int)split;
		p->split_ts = ts;
		p->split_reboot = rb;
		return;
	}
	if (!hs_pstate_get_int(state, "json", &level) || level < 1 || level > 2)
		return;
	p->level = p->depth = (int)level;
	p->stack[0] = level == 2 ? '{' : '[';
	p->stack[1] = '[';
	hs_pstate_get_text(state, "stream", p->stream, sizeof p->stream);
}

static void ch_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                      struct hs_parse_stats *st)
{
	int64_t safe = end_offset, safe_line = end_line;
	struct hs_buf state;

	hs_buf_init(&state);
	if (!p->stopped) {
		if (p->cap) {
			safe = p->elem_off;
			safe_line = p->elem_line;
			hs_ch_pend_skip(p, "JSON event truncated at end of input");
			hs_ch_cap_drop(p);
		} else if (p->eol_in_str) {
			safe = p->eol_off;
			safe_line = p->eol_line;
			hs_ch_skip(p, p->eol_line, p->eol_off, "JSON truncated at end of input");
		} else if (p->open) {
			safe = p->ev.offset;
			safe_line = p->ev.line;
			hs_ch_flush(p);
		} else if (p->last_line > 0 && p->last_off + p->last_len == end_offset) {
			safe = p->last_off; /* the last line has no newline yet */
			safe_line = p->last_line;
		}
		if (p->level && p->depth >= p->level && !p->resync) {
			hs_pstate_int(&state, "json", p->level);
			if (p->stream[0])
				hs_pstate_text(&state, "stream", p->stream);
		} else if (!p->level && p->split) {
			hs_pstate_int(&state, "text", p->split);
			hs_pstate_int(&state, "ts", p->split_ts);
			hs_pstate_int(&state, "rb", p->split_reboot);
		}
	}
	p->st.safe_offset = safe;
	p->st.safe_line = safe_line;
	*st = p->st;
	st->state = NULL;
	hs_pstate_give(&state, st);
}

static void ch_destroy(struct hs_parser *p)
{
	if (!p)
		return;
	hs_event_free(&p->ev);
	hs_buf_free(&p->elem);
	free(p);
}

static const char *const ch_samples[] = {
	"Time: 12/13/17 23:09:04.761594, usecs:1513206544761594",
	"Sequence No : 0x29",
	"Reboot counter : 0xe8",
	"Command Type(hex) : CN_MGMT_CMD (0x0)",
	"Opcode : CN_GENERATE_KEY_PAIR (0x19)",
	"Session Handle : 0x2014004",
	NULL,
};

HS_PARSER_DESC(cloudhsm, ch, "AWS CloudHSM audit log", 0);
