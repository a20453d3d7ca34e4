/* util.c — growable byte buffers, located errors and the one escaping
 * function every path from log text to a screen or file goes through.
 *
 * A struct hs_buf is {data, len, cap}; data is kept NUL-terminated so that
 * hs_buf_cstr() is free. It grows by doubling. No function here aborts on
 * OOM: the buffer's sticky `failed` flag is set and every later add is a
 * no-op returning -1, so callers check hs_buf_failed() once.
 */
#include "hsmscope/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void hs_buf_init(struct hs_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

int hs_buf_failed(const struct hs_buf *b) { return b->failed; }

void hs_buf_free(struct hs_buf *b)
{
	free(b->data);
	hs_buf_init(b);
}

void hs_buf_clear(struct hs_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

int hs_buf_reserve(struct hs_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;
	char *p;

	if (b->failed)
		return -1;
	if (need <= b->cap)
		return 0;
	if (extra > SIZE_MAX / 4 - b->len) { /* no doubling reaches it */
		b->failed = 1;
		return -1;
	}
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int hs_buf_add(struct hs_buf *b, const char *s, size_t n)
{
	if (hs_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int hs_buf_adds(struct hs_buf *b, const char *s) { return hs_buf_add(b, s, strlen(s)); }

int hs_buf_addc(struct hs_buf *b, char c) { return hs_buf_add(b, &c, 1); }

size_t hs_fmt_hex(char *out, uint64_t v)
{
	char t[HS_FMT_INT];
	size_t n = 0, i;

	do
		t[n++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	for (i = 0; i < n; i++)
		out[i] = t[n - 1 - i];
	return n;
}

size_t hs_fmt_dec(char *out, int64_t v)
{
	char t[HS_FMT_INT];
	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i, k = 0;

	do
		t[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		out[k++] = '-';
	for (i = 0; i < n; i++)
		out[k++] = t[n - 1 - i];
	return k;
}

int hs_buf_add_dec(struct hs_buf *b, int64_t v)
{
	char t[HS_FMT_INT];

	return hs_buf_add(b, t, hs_fmt_dec(t, v));
}

int hs_buf_printf(struct hs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char small[256];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1; /* an encoding error: the text is lost all the same */
		return -1;
	}
	if ((size_t)n < sizeof small)
		return hs_buf_add(b, small, (size_t)n);
	if (hs_buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *hs_buf_cstr(const struct hs_buf *b) { return b->data ? b->data : ""; }

void hs_error_clear(struct hs_error *e) { memset(e, 0, sizeof *e); }

void hs_error_set(struct hs_error *e, const char *file, long line, long col,
                  const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	hs_error_clear(e);
	hs_strlcpy(e->file, file ? file : "", sizeof e->file);
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

void hs_error_hint(struct hs_error *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof e->hint, fmt, ap);
	va_end(ap);
}

void hs_error_format(const struct hs_error *e, char *out, size_t outlen)
{
	int n = 0;

	out[0] = '\0';
	if (e->file[0])
		n = snprintf(out, outlen, "%s:", e->file);
	if (e->line > 0 && n >= 0 && (size_t)n < outlen)
		n += snprintf(out + n, outlen - (size_t)n, "%ld:", e->line);
	if (e->col > 0 && n >= 0 && (size_t)n < outlen)
		n += snprintf(out + n, outlen - (size_t)n, "%ld:", e->col);
	if (n >= 0 && (size_t)n < outlen)
		snprintf(out + n, outlen - (size_t)n, "%s%s", n ? " " : "", e->msg);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid;
 * its code point in *cp. Overlongs, surrogates and values past U+10FFFF are
 * invalid (a strict decoder rejects them). */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) { len = 2; c = s[0] & 0x1F; }
	else if ((s[0] & 0xF0) == 0xE0) { len = 3; c = s[0] & 0x0F; }
	else if ((s[0] & 0xF8) == 0xF0) { len = 4; c = s[0] & 0x07; }
	else return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Bidirectional formatting characters: they reorder what a terminal shows
 * (a U+202E makes "exe.txt" read "txt.exe"), so log text never carries
 * them raw. ALM, LRM/RLM, the embeddings and overrides, the isolates. */
static int is_bidi(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The one walk over log text on its way out. Every code point a terminal
 * could act on is escaped: C0 controls, DEL, C1 controls (U+0080..U+009F:
 * 8-bit CSI and OSC on some terminals), bidi controls, and bytes that are
 * not UTF-8. Two dialects of the same decision:
 *   text: \t \n \r \e, \xNN for other bytes (a C1 stays as its two \xNN
 *         bytes, an invalid byte as itself), \uXXXX for a bidi control;
 *   json: the input is serialized JSON (cJSON's output: its structure is
 *         ASCII, so what is not ASCII is inside a string). \t \n \r pass
 *         (cJSON writes them raw only as whitespace between tokens); other
 *         controls, DEL, C1 and bidi become \u00XX / \uXXXX, which a JSON
 *         reader turns back into the same characters; an invalid byte
 *         becomes \uFFFD, so the output is always valid UTF-8. */
static int escape_walk(struct hs_buf *out, const char *s, size_t n, int json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	char esc[16];

	while (i < n) {
		uint32_t cp = 0;
		size_t l = utf8_len(p + i, n - i, &cp);
		int bad = l == 0, ctl = !bad && (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F));
		if (json && ctl && (cp == '\t' || cp == '\n' || cp == '\r'))
			ctl = 0;
		if (!bad && !ctl && !is_bidi(cp)) {
			i += l;
			run += l;
			continue;
		}
		if (run && hs_buf_add(out, s + i - run, run) < 0)
			return -1;
		run = 0;
		if (bad)
			l = 1;
		if (json) {
			snprintf(esc, sizeof esc, "\\u%04x", bad ? 0xFFFDu : (unsigned)cp);
		} else if (is_bidi(cp) && !bad) {
			snprintf(esc, sizeof esc, "\\u%04X", (unsigned)cp);
		} else {
			/* byte by byte: a C1 or a bad sequence shows the bytes it is */
			l = 1;
			switch (p[i]) {
			case '\t': strcpy(esc, "\\t"); break;
			case '\n': strcpy(esc, "\\n"); break;
			case '\r': strcpy(esc, "\\r"); break;
			case 0x1B: strcpy(esc, "\\e"); break;
			default: snprintf(esc, sizeof esc, "\\x%02X", p[i]); break;
			}
		}
		if (hs_buf_adds(out, esc) < 0)
			return -1;
		i += l;
	}
	if (run && hs_buf_add(out, s + i - run, run) < 0)
		return -1;
	return 0;
}

int hs_escape(struct hs_buf *out, const char *s, size_t n) { return escape_walk(out, s, n, 0); }

int hs_escape_json(struct hs_buf *out, const char *json, size_t n)
{
	return escape_walk(out, json, n, 1);
}

int hs_escape_puts(FILE *out, const char *s)
{
	struct hs_buf b;
	int rc;

	hs_buf_init(&b);
	rc = s ? hs_escape(&b, s, strlen(s)) : 0;
	if (rc == 0 && b.len && fwrite(b.data, 1, b.len, out) != b.len)
		rc = -1;
	hs_buf_free(&b);
	return rc;
}

int hs_json_puts(FILE *out, const char *json)
{
	struct hs_buf b;
	int rc;

	hs_buf_init(&b);
	rc = json ? hs_escape_json(&b, json, strlen(json)) : 0;
	if (rc == 0 && b.len && fwrite(b.data, 1, b.len, out) != b.len)
		rc = -1;
	hs_buf_free(&b);
	return rc;
}

char *hs_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

void hs_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t n;

	if (!dstlen)
		return;
	n = strlen(src);
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *hs_find(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	const char *p = s, *end = s + n;

	if (m == 0)
		return s;
	/* memchr to each candidate first byte: the parsers call this on every
	 * line, and a byte loop was 4% of a build */
	while ((size_t)(end - p) >= m) {
		p = memchr(p, needle[0], (size_t)(end - p) - m + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, m) == 0)
			return p;
		p++;
	}
	return NULL;
}

int hs_starts(const char *s, size_t n, const char *prefix)
{
	size_t m = strlen(prefix);

	return n >= m && memcmp(s, prefix, m) == 0;
}

const char *hs_skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int hs_parse_int(const char *s, int64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	int neg = 0, digits = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		for (;; p++, digits++) {
			int d;
			if (*p >= '0' && *p <= '9') d = *p - '0';
			else if (*p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
			else if (*p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
			else break;
			if (v > (UINT64_MAX >> 4))
				return 0; /* overflows 64 bits: not a number we can hold */
			v = (v << 4) | (uint64_t)d;
		}
	} else {
		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			if (v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(*p - '0');
		}
	}
	if (!digits)
		return 0;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return (int)(p - s);
}

int64_t hs_civil_to_us(int y, int mo, int d, int h, int mi, int s, long us)
{
	/* days from civil, proleptic Gregorian (Howard Hinnant's algorithm) */
	int64_t yy = y - (mo <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;

	return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000000) + us;
}

static void civil_from_us(int64_t ts, int *y, int *mo, int *d, int *h, int *mi,
                          int *s, long *us)
{
	int64_t days = ts / 86400000000LL, rem = ts % 86400000000LL, z, era, doe, yoe, doy, mp;

	if (rem < 0) {
		rem += 86400000000LL;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*mo <= 2));
	*us = (long)(rem % 1000000);
	rem /= 1000000;
	*s = (int)(rem % 60);
	*mi = (int)(rem / 60 % 60);
	*h = (int)(rem / 3600);
}

void hs_format_ts(int64_t ts_us, char *out, size_t outlen, int with_us)
{
	int y, mo, d, h, mi, s;
	long us;

	if (ts_us == HS_NONE) {
		hs_strlcpy(out, "-", outlen);
		return;
	}
	civil_from_us(ts_us, &y, &mo, &d, &h, &mi, &s, &us);
	if (with_us)
		snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", y, mo, d, h, mi, s, us);
	else
		snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d.%03ld", y, mo, d, h, mi, s, us / 1000);
}

void hs_format_iso(int64_t ts_us, int utc, char *out, size_t outlen)
{
	int y, mo, d, h, mi, s;
	long us;

	civil_from_us(ts_us, &y, &mo, &d, &h, &mi, &s, &us);
	if (us % 1000)
		snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld%s", y, mo, d, h, mi, s, us, utc ? "Z" : "");
	else
		snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03ld%s", y, mo, d, h, mi, s, us / 1000, utc ? "Z" : "");
}

int hs_zone_offset(int64_t wall_us, long *off_s)
{
	struct tm tm;
	time_t wall = (time_t)(wall_us >= 0 ? wall_us / 1000000 : -((-wall_us + 999999) / 1000000));
	time_t t;

	if (!gmtime_r(&wall, &tm))
		return -1;
	tm.tm_isdst = -1;           /* the zone's rules say whether DST applied */
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*off_s = (long)(wall - t);
	return 0;
}

void hs_format_iso_zoned(int64_t ts_us, int utc, int zone_known, char *out, size_t outlen)
{
	long off;
	size_t n;

	hs_format_iso(ts_us, utc, out, outlen);
	if (utc || !zone_known || hs_zone_offset(ts_us, &off) < 0)
		return;
	n = strlen(out);
	snprintf(out + n, outlen > n ? outlen - n : 0, "%c%02ld:%02ld", off < 0 ? '-' : '+',
	         labs(off) / 3600, labs(off) % 3600 / 60);
}

uint64_t hs_hash64_run(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ seed ^ (uint64_t)n * 0xff51afd7ed558ccdull, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	w = 0;
	if (n)
		memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	return h;
}

uint64_t hs_hash64(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL ^ seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int hs_csv_field(struct hs_buf *out, const char *v)
{
	int rc = 0;

	if (!v)
		return 0;
	if (strpbrk(v, ",\"\r\n") == NULL)
		return hs_buf_adds(out, v);
	rc |= hs_buf_addc(out, '"');
	for (; *v; v++) {
		if (*v == '"')
			rc |= hs_buf_addc(out, '"');
		rc |= hs_buf_addc(out, *v);
	}
	return rc | hs_buf_addc(out, '"');
}

/* A spreadsheet runs a cell that starts with = + - @ (or TAB/CR, which
 * some strip first) as a formula: OWASP's answer is a leading quote. */
int hs_csv_text(struct hs_buf *out, const char *v, int keep_newlines)
{
	struct hs_buf e;
	const char *p;
	int rc = 0;

	if (!v)
		return 0;
	hs_buf_init(&e);
	if (strchr("=+-@\t\r", v[0]) && v[0])
		rc |= hs_buf_addc(&e, '\'');
	/* escape line by line, so the newlines a multi-line cell is made of
	 * (its own structure, not log bytes) can stay */
	for (p = v; rc == 0; ) {
		const char *nl = keep_newlines ? strchr(p, '\n') : NULL;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		rc |= hs_escape(&e, p, len);
		if (!nl)
			break;
		rc |= hs_buf_addc(&e, '\n');
		p = nl + 1;
	}
	if (rc == 0)
		rc = hs_csv_field(out, hs_buf_cstr(&e));
	hs_buf_free(&e);
	return rc;
}

int hs_text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

size_t hs_dump_text_at(const char *s, size_t n)
{
	size_t i = 0, k;
	int bytes = 0;

	while (i < n && s[i] == ' ')
		i++;
	for (k = 0; k < 8; k++, i++)
		if (i >= n || !isxdigit((unsigned char)s[i]))
			return 0;
	if (i + 2 > n || s[i] != ' ' || s[i + 1] != ' ')
		return 0;
	i += 2;
	/* "HH " groups; the text column follows two blanks or more */
	while (i + 1 < n && isxdigit((unsigned char)s[i]) && isxdigit((unsigned char)s[i + 1]) &&
	       (i + 2 == n || s[i + 2] == ' ') && bytes < 32) {
		bytes++;
		i += 2;
		if (i < n && s[i] == ' ' && i + 1 < n && s[i + 1] != ' ')
			i++;
		else
			break;
	}
	if (!bytes || i + 2 > n || s[i] != ' ' || s[i + 1] != ' ')
		return 0;
	while (i < n && s[i] == ' ' && n - i > (size_t)bytes)
		i++;
	return n - i == (size_t)bytes ? i : 0;
}
