/* pbase.c — the parser base (create, finish, destroy of every call-trace
 * parser) and the key=value resume state all parsers save. See pbase.h.
 */
#include "hsmscope/pbase.h"

#include <stdlib.h>
#include <string.h>

#include "hsmscope/chars.h"

void *hs_pbase_create(size_t size, const struct hs_sink *sink, const struct hs_parser_opts *o,
                      size_t call_size, int qmax, const struct hs_callq_hooks *hooks)
{
	struct hs_pbase *b = calloc(1, size);
	struct hs_callq_hooks h = { 0 };

	if (!b)
		return NULL;
	b->sink = *sink;
	b->file_id = o->file_id;
	if (hooks)
		h = *hooks;
	h.ctx = b;
	hs_callq_init(&b->q, call_size, qmax, &b->sink, &b->st, &b->stop, &h);
	hs_buf_init(&b->line);
	hs_buf_init(&b->state);
	return b;
}

void hs_pbase_finish(struct hs_pbase *b, int64_t safe_offset, int64_t safe_line,
                     struct hs_parse_stats *st)
{
	hs_callq_emit_front(&b->q, b->q.count);
	b->st.safe_offset = safe_offset;
	b->st.safe_line = safe_line;
	b->st.state = NULL;
	*st = b->st;
	hs_pstate_give(&b->state, st);
}

void hs_pbase_destroy(struct hs_pbase *b)
{
	if (!b)
		return;
	hs_callq_free(&b->q); /* calls still held (no finish()) are freed, not emitted */
	hs_buf_free(&b->line);
	hs_buf_free(&b->state);
	while (b->nbufs > 0)
		hs_buf_free(b->bufs[--b->nbufs]);
	free(b);
}

void hs_pbase_buf(struct hs_pbase *b, struct hs_buf *buf)
{
	if (b->nbufs >= HS_PBASE_BUFS)
		abort(); /* raise HS_PBASE_BUFS: a bound of the code, never of the input */
	hs_buf_init(buf);
	b->bufs[b->nbufs++] = buf;
}

void hs_parse_stats_free(struct hs_parse_stats *st)
{
	free(st->state);
	st->state = NULL;
}

/* ---- recent threads ---------------------------------------------------- */

#define SLOT(tab, size, i) ((struct hs_slot *)((char *)(tab) + (size_t)(i) * (size)))

void *hs_slot_find(void *tab, int n, size_t size, int64_t a, int64_t b, uint64_t stamp)
{
	int i;

	for (i = 0; i < n; i++) {
		struct hs_slot *s = SLOT(tab, size, i);
		if (s->used && s->a == a && s->b == b) {
			s->stamp = stamp;
			return s;
		}
	}
	return NULL;
}

void *hs_slot_victim(void *tab, int n, size_t size)
{
	struct hs_slot *old = SLOT(tab, size, 0);
	int i;

	for (i = 0; i < n; i++) {
		struct hs_slot *s = SLOT(tab, size, i);
		if (!s->used)
			return s;
		if (s->stamp < old->stamp)
			old = s;
	}
	return old;
}

void hs_slot_set(struct hs_slot *s, int64_t a, int64_t b, uint64_t stamp)
{
	s->a = a;
	s->b = b;
	s->stamp = stamp;
	s->used = 1;
}

/* ---- writing ----------------------------------------------------------- */

static void key(struct hs_buf *s, const char *k)
{
	if (s->len)
		hs_buf_addc(s, ' ');
	hs_buf_adds(s, k);
	hs_buf_addc(s, '=');
}

void hs_pstate_int(struct hs_buf *s, const char *k, int64_t v)
{
	key(s, k);
	hs_buf_printf(s, "%lld", (long long)v);
}

void hs_pstate_text(struct hs_buf *s, const char *k, const char *v)
{
	key(s, k);
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c <= ' ' || c == '%' || c == 0x7f)
			hs_buf_printf(s, "%%%02X", c);
		else
			hs_buf_addc(s, (char)c);
	}
}

void hs_pstate_list(struct hs_buf *s, const char *k) { key(s, k); }

void hs_pstate_item(struct hs_buf *s, const int64_t *v, int n)
{
	int i;

	if (s->len && s->data[s->len - 1] != '=')
		hs_buf_addc(s, ',');
	for (i = 0; i < n; i++)
		hs_buf_printf(s, i ? ":%lld" : "%lld", (long long)v[i]);
}

void hs_pstate_give(struct hs_buf *s, struct hs_parse_stats *st)
{
	free(st->state);
	st->state = NULL;
	if (!hs_buf_failed(s) && s->data) { /* the text, checked once: a cut state is none */
		st->state = s->data;
		hs_buf_init(s);
	} else {
		if (!hs_buf_failed(s))
			st->state = strdup(""); /* no state: "" (NULL only when out of memory) */
		hs_buf_free(s);
	}
}

/* ---- reading ----------------------------------------------------------- */

/* The value of key (its length in *len), or NULL */
static const char *value(const char *state, const char *k, size_t *len)
{
	size_t kl = strlen(k);
	const char *s = state;

	while (s && *s) {
		const char *end = strchr(s, ' ');
		size_t wl = end ? (size_t)(end - s) : strlen(s);
		if (wl > kl && memcmp(s, k, kl) == 0 && s[kl] == '=') {
			*len = wl - kl - 1;
			return s + kl + 1;
		}
		s = end ? end + 1 : NULL;
	}
	return NULL;
}

/* One number at s[0..n): decimal with an optional '-', or 0x hex (64 bits,
 * kept as their bit pattern). Characters used, 0 when none. */
static size_t number(const char *s, size_t n, int64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	int neg = 0;

	if (n >= 3 && s[0] == '0' && s[1] == 'x') {
		for (i = 2; i < n && hs_is_hex(s[i]) && i < 18; i++)
			x = x << 4 | (uint64_t)hs_hexval(s[i]);
		if (i == 2)
			return 0;
		*v = (int64_t)x;
		return i;
	}
	if (n && s[0] == '-')
		neg = 1, i = 1;
	for (; i < n && hs_is_digit(s[i]); i++) {
		if (x > ((uint64_t)INT64_MAX + 1) / 10) /* past any int64 */
			return 0;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	/* INT64_MIN (HS_NONE) too: its magnitude is INT64_MAX + 1 */
	if (i == (size_t)neg || x > (uint64_t)INT64_MAX + (uint64_t)neg)
		return 0;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return i;
}

int hs_pstate_get_int(const char *state, const char *k, int64_t *v)
{
	size_t len;
	const char *s = value(state, k, &len);
	int64_t x;

	if (!s || number(s, len, &x) != len || !len)
		return 0;
	*v = x;
	return 1;
}

int hs_pstate_get_text(const char *state, const char *k, char *out, size_t outlen)
{
	size_t len, i, o = 0;
	const char *s = value(state, k, &len);

	if (!s || !outlen)
		return 0;
	for (i = 0; i < len && o + 1 < outlen; i++) {
		if (s[i] == '%' && i + 2 < len && hs_is_hex(s[i + 1]) && hs_is_hex(s[i + 2])) {
			out[o++] = (char)(hs_hexval(s[i + 1]) << 4 | hs_hexval(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return 1;
}

int hs_pstate_next(const char *state, const char *k, const char **cur, int64_t *v, int max)
{
	size_t len;
	const char *s = value(state, k, &len), *end, *p;
	int n = 0;

	if (!s)
		return 0;
	end = s + len;
	p = *cur ? *cur : s;
	if (p >= end)
		return 0;
	for (;;) {
		int64_t x;
		size_t used = number(p, (size_t)(end - p), &x);
		if (!used) {
			*cur = end;
			return -1;
		}
		if (n < max)
			v[n] = x;
		n++;
		p += used;
		if (p == end || *p == ',') {
			*cur = p == end ? end : p + 1;
			return n;
		}
		if (*p != ':') {
			*cur = end;
			return -1;
		}
		p++;
	}
}
