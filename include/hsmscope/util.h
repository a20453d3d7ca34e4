/* util.h — growable buffers, errors with a location, escaping of log text.
 *
 * Ownership: a struct hs_buf owns its bytes until hs_buf_free(); strings
 * returned by hs_buf_cstr() stay owned by the buffer. hs_error fields are
 * fixed arrays inside the struct: nothing to free.
 */
#ifndef HSMSCOPE_UTIL_H
#define HSMSCOPE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* An absent integer field (no pid in old spy logs, no session, ...). */
#define HS_NONE INT64_MIN

struct hs_buf {
	char *data;                 /* NUL-terminated when len > 0 or cap > 0 */
	size_t len;                 /* bytes in use, without the NUL */
	size_t cap;                 /* bytes allocated */
	int failed;                 /* an allocation failed since init/clear: sticky */
};

/* Allocation failure, one way: the first add that cannot grow the buffer
 * marks it failed, and every add after that does nothing, so the content
 * is always a whole prefix of what was written, never text with a hole.
 * Build the whole text without checking each add, then check
 * hs_buf_failed() once before using it. (Each add still returns 0 on
 * success, -1 when the buffer has failed, for the rare caller that must
 * stop at once.) hs_buf_clear() and hs_buf_init() start afresh. */
void hs_buf_init(struct hs_buf *b);
void hs_buf_free(struct hs_buf *b);
void hs_buf_clear(struct hs_buf *b);
int hs_buf_failed(const struct hs_buf *b); /* 1: an add was lost to OOM */
int hs_buf_reserve(struct hs_buf *b, size_t extra);
int hs_buf_add(struct hs_buf *b, const char *s, size_t n);
int hs_buf_adds(struct hs_buf *b, const char *s);
int hs_buf_addc(struct hs_buf *b, char c);
int hs_buf_printf(struct hs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *hs_buf_cstr(const struct hs_buf *b); /* "" when empty */
/* v as "%lld" / as "%llx" (no 0x) into out, which holds HS_FMT_INT bytes;
 * not NUL-terminated; returns the length. No printf: the parsers write
 * numbers per call and per line, where vfprintf was a visible share. */
#define HS_FMT_INT 24
size_t hs_fmt_dec(char *out, int64_t v);
size_t hs_fmt_hex(char *out, uint64_t v);
int hs_buf_add_dec(struct hs_buf *b, int64_t v); /* hs_buf_printf(b, "%lld", v) */

/* An error a person can act on: where (file, line, column) and what. */
struct hs_error {
	char file[256];             /* input path, "filter", or "" */
	long line;                  /* 1-based, 0 when not about a line */
	long col;                   /* 1-based, 0 when not about a column */
	char msg[512];              /* what is wrong */
	char hint[256];             /* what to do about it, may be "" */
};

void hs_error_clear(struct hs_error *e);
void hs_error_set(struct hs_error *e, const char *file, long line, long col,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void hs_error_hint(struct hs_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "file:line:col: msg" (parts that are unset are left out), into out. */
void hs_error_format(const struct hs_error *e, char *out, size_t outlen);

/* Escaping: every byte of log text (and of a file name, which is as much
 * the attacker's) goes through one walk before it reaches a terminal or a
 * text format. It escapes C0 controls, DEL, C1 controls (U+0080..U+009F),
 * bidi controls (U+061C, U+200E/F, U+202A..E, U+2066..9) and invalid UTF-8.
 *
 * hs_escape: for people. s[0..n) appended with \t \n \r \e, \xNN for
 * other control or invalid bytes (a C1 shows as its two bytes \xC2\x9B),
 * \uXXXX for a bidi control. */
int hs_escape(struct hs_buf *out, const char *s, size_t n);
/* hs_escape_json: for machines. json[0..n) is serialized JSON (cJSON's
 * output, or one string of it); controls, DEL, C1 and bidi controls become
 * \u00XX / \uXXXX escapes, which decode back to the same characters, and
 * each byte that is not UTF-8 becomes \uFFFD: the result is valid UTF-8
 * JSON a strict parser accepts, and holds no byte a terminal acts on. */
int hs_escape_json(struct hs_buf *out, const char *json, size_t n);
/* Write s escaped (hs_escape) or the JSON text json (hs_escape_json) to out;
 * NULL writes nothing. -1 on OOM or a write error. */
int hs_escape_puts(FILE *out, const char *s);
int hs_json_puts(FILE *out, const char *json);

/* Columns escaped text takes on a terminal: one per code point (UTF-8
 * continuation bytes take none; escaped text holds no control bytes). */
int hs_text_width(const char *s);

/* Append v as one RFC 4180 CSV field: as is, or quoted with its quotes
 * doubled when it holds a comma, quote, CR or LF. NULL appends nothing.
 * For numbers and fixed words: text from a log goes through hs_csv_text. */
int hs_csv_field(struct hs_buf *out, const char *v);
/* Append v as a CSV text cell: escaped (hs_escape; with keep_newlines, the
 * LFs that separate the lines of a multi-line cell stay), and with a
 * leading ' when it starts with = + - @ TAB or CR, so a spreadsheet never
 * runs it as a formula (the OWASP convention). NULL appends nothing. */
int hs_csv_text(struct hs_buf *out, const char *v, int keep_newlines);

/* Small string helpers. */
char *hs_strdup(const char *s);                     /* caller frees */
void hs_strlcpy(char *dst, const char *src, size_t dstlen);
const char *hs_skip_ws(const char *s);
/* Lines from the reader are not NUL-terminated: these read s[0..n) only.
 * The first needle in it, or NULL; 1 when it begins with prefix. */
const char *hs_find(const char *s, size_t n, const char *needle);
int hs_starts(const char *s, size_t n, const char *prefix);
/* Parse a decimal or 0x-hex integer at s; returns chars used, 0 if none. */
int hs_parse_int(const char *s, int64_t *out);

/* Format µs since the epoch as "YYYY-MM-DD HH:MM:SS.mmm" (zone not shown). */
void hs_format_ts(int64_t ts_us, char *out, size_t outlen, int with_us);
/* ISO 8601: "YYYY-MM-DDTHH:MM:SS.mmm" with "Z" when utc is set. */
void hs_format_iso(int64_t ts_us, int utc, char *out, size_t outlen);
/* Local wall times (the spy's) are kept as recorded, read as if UTC. When
 * the user names the zone they were written in (--tz), main() sets TZ to it
 * and these give the offset that zone had at such a wall time, so outputs
 * can carry it; without --tz no offset is ever invented. */
/* Offset east of UTC in seconds of the process's zone (TZ) at the wall
 * time wall_us. 0, or -1 when the C library cannot say. */
int hs_zone_offset(int64_t wall_us, long *off_s);
/* ISO 8601 as hs_format_iso, with "Z" when utc, else with the offset of
 * the process's zone ("+01:00") when zone_known, else no zone. */
void hs_format_iso_zoned(int64_t ts_us, int utc, int zone_known, char *out, size_t outlen);

/* Civil date/time (read as UTC) to µs since the epoch. */
int64_t hs_civil_to_us(int y, int mo, int d, int h, int mi, int s, long us);

/* Where the text column of a hex dump row starts ("    000000C0  1D A8 ..
 * 2A  ...n]jq.p....F*": an offset of 8 hex digits, two blanks, 1 to 32
 * "HH" bytes, blanks, then as many text bytes as hex bytes), or 0 when s is
 * no such row. A terminal shows that column with '.' for the bytes escaping
 * would widen (DEL, controls), so the columns stay aligned: the hex says
 * the byte. */
size_t hs_dump_text_at(const char *s, size_t n);

/* FNV-1a 64 over bytes: for file identity, never for security. */
uint64_t hs_hash64(const void *p, size_t n, uint64_t seed);
/* A faster 64-bit hash (eight bytes a step) for equality tests and
 * checksums: its values are never shown, and the only ones stored (the
 * correlator state's chunk checksums) are checked, not trusted: a state
 * whose checksums another version wrote is replayed. So it may change
 * between releases (hs_hash64's may not: op_id, the files' identity). */
uint64_t hs_hash64_run(const void *p, size_t n, uint64_t seed);

#endif
