/* cloudhsm_awslogs.c — the raw CloudWatch Logs subscription payload,
 * `{"awslogs":{"data":"<base64 of the gzip of a DATA_MESSAGE>"}}`, as a
 * Lambda function or Firehose receives it (one per line, or one file).
 *
 * The data string is decoded (base64, then gzip through zlib) into one
 * buffer capped at PAYLOAD_MAX, and the DATA_MESSAGE JSON it holds goes
 * through the same scanner as a decoded payload (cloudhsm_json.c), so
 * its events, stream name (the HSM id) and times are read the same way.
 */
#include <string.h>
#include <zlib.h>

#include "cloudhsm_int.h"

#define PAYLOAD_MAX (64u << 20) /* bytes of one decoded payload; CloudWatch sends ~1 MB */

/* needle in s[0..n), or NULL (memmem is a GNU extension) */
const char *hs_ch_memstr(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *end = s + n;

	for (; k && (size_t)(end - s) >= k; s++) {
		const char *q = memchr(s, needle[0], (size_t)(end - s) - k + 1);
		if (!q)
			return NULL;
		if (memcmp(q, needle, k) == 0)
			return q;
		s = q;
	}
	return NULL;
}

/* The base64 text of the "data" member in s: after "awslogs" on the same
 * line, or anywhere when a line before held it (pretty-printed). */
int hs_ch_awslogs_find(const char *s, size_t n, int after_key, const char **b64, size_t *len)
{
	const char *k = s, *end = s + n, *q;

	if (!after_key && !(k = hs_ch_memstr(s, n, "\"awslogs\"")))
		return 0;
	if (!(k = hs_ch_memstr(k, (size_t)(end - k), "\"data\"")))
		return 0;
	for (q = k + 6; q < end && (*q == ' ' || *q == '\t' || *q == ':'); q++)
		;
	if (q >= end || *q != '"')
		return 0;
	*b64 = ++q;
	while (q < end && *q != '"')
		q++;
	*len = (size_t)(q - *b64);
	return 1;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+' || c == '-') return 62;
	if (c == '/' || c == '_') return 63;
	return -1;
}

/* Decode base64 text and inflate its gzip into out (at most cap bytes).
 * partial: a cut input (the detection head) gives what it can. 0, or -1
 * with why set. */
int hs_ch_awslogs_decode(const char *b64, size_t n, struct hs_buf *out, size_t cap, int partial,
                         const char **why)
{
	unsigned char in[3072], chunk[16384];
	z_stream z;
	size_t i = 0;
	uint32_t acc = 0;
	int bits = 0, rc = Z_OK, zr;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		*why = "out of memory";
		return -1;
	}
	while (rc == Z_OK && i < n) {
		size_t m = 0;
		/* base64 a piece at a time (JSON may escape '/' as "\/") */
		while (i < n && m + 3 <= sizeof in) {
			int v;
			if (b64[i] == '\\' && i + 1 < n && b64[i + 1] == '/')
				i++;
			if (b64[i] == '=')
				break;
			if ((v = b64val((unsigned char)b64[i++])) < 0) {
				*why = "CloudWatch payload: data is not base64";
				inflateEnd(&z);
				return -1;
			}
			acc = acc << 6 | (uint32_t)v;
			if ((bits += 6) >= 8) {
				bits -= 8;
				in[m++] = (unsigned char)(acc >> bits);
			}
		}
		if (i < n && b64[i] == '=')
			i = n;
		z.next_in = in;
		z.avail_in = (uInt)m;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				*why = "CloudWatch payload: data is not gzip";
				rc = -1;
				break;
			}
			if (out->len + (sizeof chunk - z.avail_out) > cap) {
				*why = "CloudWatch payload larger than 64 MiB decoded";
				rc = partial ? Z_STREAM_END : -1;
				break;
			}
			if (hs_buf_add(out, (const char *)chunk, sizeof chunk - z.avail_out) < 0) {
				*why = "out of memory";
				rc = -1;
				break;
			}
			if (zr == Z_STREAM_END)
				rc = Z_STREAM_END;
		} while (rc == Z_OK && z.avail_out == 0);
	}
	inflateEnd(&z);
	if (rc == Z_OK && !partial) {
		*why = "CloudWatch payload: its gzip data is cut short";
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

static void scanner_reset(struct hs_parser *p)
{
	hs_ch_cap_drop(p);
	hs_ch_pend_reset(p);
	p->resync = p->depth = p->level = p->eol_in_str = 0;
	p->js = (struct hs_jstr){ 0 };
}

int hs_ch_awslogs_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line)
{
	const char *b64, *why = "", *t, *end;
	struct hs_buf dec;
	size_t len;
	int rc = 0;

	if (!hs_ch_awslogs_find(s, n, p->aw_key, &b64, &len))
		return -1;
	/* pretty-printed, the wrapper's first lines went to the scanner: they
	 * are the payload's, not a broken event */
	if (p->aw_key)
		scanner_reset(p);
	p->aw_key = 0;
	p->aw_tail = 1;
	hs_buf_init(&dec);
	if (hs_ch_awslogs_decode(b64, len, &dec, PAYLOAD_MAX, 0, &why) < 0) {
		hs_ch_skip(p, line, off, why);
		hs_buf_free(&dec);
		return 0;
	}
	/* the payload's events, at this line; its own stream name is new */
	p->stream[0] = '\0';
	t = dec.data ? dec.data : "";
	end = t + dec.len;
	while (t < end && !rc) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		size_t k = nl ? (size_t)(nl - t) : (size_t)(end - t);
		rc = hs_ch_json_line(p, t, k, off, line);
		t += k + (nl != NULL);
	}
	/* whatever the payload left open ends with it */
	if (p->cap)
		hs_ch_pend_skip(p, "CloudWatch payload: JSON cut short");
	scanner_reset(p);
	hs_buf_free(&dec);
	return rc;
}
