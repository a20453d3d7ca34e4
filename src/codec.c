/* codec.c — plain, gzip, bzip2, xz and zstd files as one byte stream.
 *
 * One input buffer of IN_CHUNK file bytes, [in_pos, in_end) not yet given
 * to the decoder, feeds whichever library the file's magic bytes chose;
 * the decoder writes straight into the caller's buffer. Decoders keep a
 * bounded state (zlib 32 KiB window, bzip2 < 4 MiB, xz capped by
 * XZ_MEMLIMIT, zstd windows capped at 2^ZSTD_WINDOW_LOG), so memory is the
 * same for a 1 KiB log and for a bomb that inflates to a terabyte.
 *
 * Multi-part files are one log: gzip members, bzip2 streams (pbzip2,
 * `cat a.gz b.gz`), xz streams and zstd frames follow each other. An
 * error met after some bytes were decoded is held back: those bytes are
 * returned first, the error on the next call, so the reader hands every
 * whole line before the damage to the parser.
 */
#include "hsmscope/codec.h"

#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define IN_CHUNK (256u << 10)
#define XZ_MEMLIMIT (256u << 20)   /* bytes; xz -9 needs 65 MiB to decode */
#define ZSTD_WINDOW_LOG 27         /* 128 MiB, zstd's own default limit */
/* A decompression bomb: past BOMB_FLOOR decoded bytes, more than
 * BOMB_RATIO decoded bytes per file byte. Text logs compress 5-50 times
 * (gzip cannot go past 1032); 1 GB of newlines in a 300 KB file would
 * otherwise cost a minute of empty lines. */
#define BOMB_FLOOR ((int64_t)64 << 20)
#define BOMB_RATIO 1000

struct hs_codec {
	int fd;                     /* owned */
	char path[256];             /* for messages */
	enum hs_codec_kind kind;
	unsigned char *in;          /* owned, IN_CHUNK bytes of the file */
	size_t in_pos, in_end;      /* unconsumed file bytes in `in` */
	int in_eof;                 /* read(2) returned 0 */
	int64_t file_read;          /* file bytes read into `in` so far */
	int64_t out_total;          /* decoded bytes returned so far */
	int live;                   /* the decoder below is initialised */
	int part_done;              /* a gzip member / bzip2 stream / zstd frame just ended */
	int failed;                 /* held error, returned by the next read */
	struct hs_error held;       /* that error */
	union {
		z_stream z;
		bz_stream bz;
		lzma_stream lz;
		ZSTD_DStream *zs;
	} u;
};

enum hs_codec_kind hs_codec_sniff(const unsigned char *h, size_t n)
{
	static const unsigned char xz[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
	static const unsigned char bz_block[6] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 };
	static const unsigned char bz_end[6] = { 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 };

	if (n >= 3 && h[0] == 0x1F && h[1] == 0x8B && h[2] == 8)
		return HS_CODEC_GZIP;
	if (n >= 6 && memcmp(h, xz, 6) == 0)
		return HS_CODEC_XZ;
	if (n >= 4 && h[0] == 0x28 && h[1] == 0xB5 && h[2] == 0x2F && h[3] == 0xFD)
		return HS_CODEC_ZSTD;
	/* "BZh1" could start a text line: the block or end magic after it
	 * cannot */
	if (n >= 10 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9' &&
	    (memcmp(h + 4, bz_block, 6) == 0 || memcmp(h + 4, bz_end, 6) == 0))
		return HS_CODEC_BZIP2;
	return HS_CODEC_NONE;
}

const char *hs_codec_name(enum hs_codec_kind kind)
{
	switch (kind) {
	case HS_CODEC_GZIP: return "gzip";
	case HS_CODEC_BZIP2: return "bzip2";
	case HS_CODEC_XZ: return "xz";
	case HS_CODEC_ZSTD: return "zstd";
	case HS_CODEC_NONE: break;
	}
	return "plain";
}

/* Read more of the file once `in` is used up. 0, or -1 (err set). */
static int fill(struct hs_codec *c, struct hs_error *err)
{
	ssize_t n;

	if (c->in_pos < c->in_end || c->in_eof)
		return 0;
	do
		n = read(c->fd, c->in, IN_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		hs_error_set(err, c->path, 0, 0, "read error: %s", strerror(errno));
		return -1;
	}
	c->in_pos = 0;
	c->in_end = (size_t)n;
	c->in_eof = n == 0;
	c->file_read += n;
	return 0;
}

/* File offset of the first byte the decoder has not taken. */
static int64_t file_pos(const struct hs_codec *c)
{
	return c->file_read - (int64_t)(c->in_end - c->in_pos);
}

static void damaged(struct hs_codec *c, struct hs_error *err, const char *what, size_t got)
{
	hs_error_set(err, c->path, 0, 0,
	             "%s data %s near byte %lld of the file; the log stops after %lld bytes",
	             hs_codec_name(c->kind), what, (long long)file_pos(c), (long long)(c->out_total + (int64_t)got));
	hs_error_hint(err, "--keep-going keeps the events before it");
}

static void truncated(struct hs_codec *c, struct hs_error *err, size_t got)
{
	hs_error_set(err, c->path, 0, 0,
	             "%s data truncated: the file ends at byte %lld inside compressed data;"
	             " the log stops after %lld bytes",
	             hs_codec_name(c->kind), (long long)c->file_read, (long long)(c->out_total + (int64_t)got));
	hs_error_hint(err, "--keep-going keeps the events before it");
}

static int start_decoder(struct hs_codec *c, struct hs_error *err)
{
	int ok = 0;

	switch (c->kind) {
	case HS_CODEC_GZIP:
		ok = inflateInit2(&c->u.z, 16 + MAX_WBITS) == Z_OK; /* gzip wrapper only */
		break;
	case HS_CODEC_BZIP2:
		ok = BZ2_bzDecompressInit(&c->u.bz, 0, 0) == BZ_OK;
		break;
	case HS_CODEC_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		c->u.lz = init;
		ok = lzma_stream_decoder(&c->u.lz, XZ_MEMLIMIT, LZMA_CONCATENATED) == LZMA_OK;
		break;
	}
	case HS_CODEC_ZSTD:
		c->u.zs = ZSTD_createDStream();
		ok = c->u.zs &&
		     !ZSTD_isError(ZSTD_DCtx_setParameter(c->u.zs, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG));
		if (!ok && c->u.zs)
			ZSTD_freeDStream(c->u.zs);
		break;
	case HS_CODEC_NONE:
		return 0;
	}
	if (!ok) {
		hs_error_set(err, c->path, 0, 0, "cannot start the %s decoder: out of memory",
		             hs_codec_name(c->kind));
		return -1;
	}
	c->live = 1;
	return 0;
}

static void stop_decoder(struct hs_codec *c)
{
	if (!c->live)
		return;
	switch (c->kind) {
	case HS_CODEC_GZIP: inflateEnd(&c->u.z); break;
	case HS_CODEC_BZIP2: BZ2_bzDecompressEnd(&c->u.bz); break;
	case HS_CODEC_XZ: lzma_end(&c->u.lz); break;
	case HS_CODEC_ZSTD: ZSTD_freeDStream(c->u.zs); break;
	case HS_CODEC_NONE: break;
	}
	c->live = 0;
}

int hs_codec_open(int fd, const char *path, struct hs_codec **out, struct hs_error *err)
{
	struct hs_codec *c = calloc(1, sizeof *c);

	if (!c || !(c->in = malloc(IN_CHUNK))) {
		hs_error_set(err, path, 0, 0, "out of memory");
		if (c)
			free(c);
		close(fd);
		return -1;
	}
	c->fd = fd;
	hs_strlcpy(c->path, path, sizeof c->path);
	/* enough bytes to tell the magic apart (a short read is a short file) */
	while (!c->in_eof && c->in_end < 16) {
		ssize_t n = read(fd, c->in + c->in_end, IN_CHUNK - c->in_end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hs_error_set(err, path, 0, 0, "read error: %s", strerror(errno));
			hs_codec_close(c);
			return -1;
		}
		c->in_eof = n == 0;
		c->in_end += (size_t)n;
		c->file_read += n;
	}
	c->kind = hs_codec_sniff(c->in, c->in_end);
	if (start_decoder(c, err) < 0) {
		hs_codec_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* Each step_* decodes some input into out[*got..cap): 1 = the data ended,
 * 0 = go on, -1 = error (err set). */

static int step_plain(struct hs_codec *c, char *out, size_t cap, size_t *got)
{
	size_t n = c->in_end - c->in_pos;

	if (n == 0)
		return c->in_eof;
	if (n > cap - *got)
		n = cap - *got;
	memcpy(out + *got, c->in + c->in_pos, n);
	c->in_pos += n;
	*got += n;
	return 0;
}

static int step_gzip(struct hs_codec *c, char *out, size_t cap, size_t *got, struct hs_error *err)
{
	z_stream *z = &c->u.z;
	size_t before = *got, in_before = c->in_pos;
	int rc;

	if (c->part_done) {
		/* another member follows, or the file ends here */
		if (c->in_pos == c->in_end)
			return 1;
		if (inflateReset(z) != Z_OK) {
			damaged(c, err, "unreadable", *got);
			return -1;
		}
		c->part_done = 0;
	}
	z->next_in = c->in + c->in_pos;
	z->avail_in = (uInt)(c->in_end - c->in_pos);
	z->next_out = (Bytef *)out + *got;
	z->avail_out = (uInt)(cap - *got);
	rc = inflate(z, Z_NO_FLUSH);
	c->in_pos = c->in_end - z->avail_in;
	*got = cap - z->avail_out;
	if (rc == Z_STREAM_END) {
		c->part_done = 1;
	} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
		damaged(c, err, z->msg && strcmp(z->msg, "incorrect header check") != 0
		                    ? "corrupt" : "followed by bytes that are not gzip", *got);
		return -1;
	} else if (c->in_eof && c->in_pos == in_before && *got == before) {
		truncated(c, err, *got); /* nothing left to flush, no input left */
		return -1;
	}
	return 0;
}

static int step_bzip2(struct hs_codec *c, char *out, size_t cap, size_t *got, struct hs_error *err)
{
	bz_stream *bz = &c->u.bz;
	size_t before = *got, in_before = c->in_pos;
	int rc;

	if (c->part_done) {
		if (c->in_pos == c->in_end)
			return 1;
		BZ2_bzDecompressEnd(bz);
		memset(bz, 0, sizeof *bz);
		if (BZ2_bzDecompressInit(bz, 0, 0) != BZ_OK) {
			c->live = 0;
			damaged(c, err, "unreadable (out of memory)", *got);
			return -1;
		}
		c->part_done = 0;
	}
	bz->next_in = (char *)c->in + c->in_pos;
	bz->avail_in = (unsigned)(c->in_end - c->in_pos);
	bz->next_out = out + *got;
	bz->avail_out = (unsigned)(cap - *got);
	rc = BZ2_bzDecompress(bz);
	c->in_pos = c->in_end - bz->avail_in;
	*got = cap - bz->avail_out;
	if (rc == BZ_STREAM_END) {
		c->part_done = 1;
	} else if (rc != BZ_OK) {
		damaged(c, err, rc == BZ_DATA_ERROR_MAGIC ? "followed by bytes that are not bzip2"
		                                          : "corrupt", *got);
		return -1;
	} else if (c->in_eof && c->in_pos == in_before && *got == before) {
		truncated(c, err, *got);
		return -1;
	}
	return 0;
}

static int step_xz(struct hs_codec *c, char *out, size_t cap, size_t *got, struct hs_error *err)
{
	lzma_stream *lz = &c->u.lz;
	lzma_ret rc;

	lz->next_in = c->in + c->in_pos;
	lz->avail_in = c->in_end - c->in_pos;
	lz->next_out = (uint8_t *)out + *got;
	lz->avail_out = cap - *got;
	/* LZMA_CONCATENATED ends only when told the input is over */
	rc = lzma_code(lz, c->in_eof && lz->avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
	c->in_pos = c->in_end - lz->avail_in;
	*got = cap - lz->avail_out;
	switch (rc) {
	case LZMA_OK:
		return 0;
	case LZMA_STREAM_END:
		return 1;
	case LZMA_BUF_ERROR:
		truncated(c, err, *got);
		return -1;
	case LZMA_MEMLIMIT_ERROR:
	case LZMA_MEM_ERROR:
		hs_error_set(err, c->path, 0, 0, "xz data needs more than %u MiB to decode; the log"
		             " stops after %lld bytes", XZ_MEMLIMIT >> 20,
		             (long long)(c->out_total + (int64_t)*got));
		hs_error_hint(err, "recompress it with a smaller dictionary (xz -6)");
		return -1;
	default:
		damaged(c, err, rc == LZMA_FORMAT_ERROR ? "followed by bytes that are not xz" : "corrupt",
		        *got);
		return -1;
	}
}

static int step_zstd(struct hs_codec *c, char *out, size_t cap, size_t *got, struct hs_error *err)
{
	ZSTD_inBuffer ib = { c->in + c->in_pos, c->in_end - c->in_pos, 0 };
	ZSTD_outBuffer ob = { out, cap, *got };
	size_t before = *got, in_before = c->in_pos, rc;

	rc = ZSTD_decompressStream(c->u.zs, &ob, &ib);
	c->in_pos += ib.pos;
	*got = ob.pos;
	if (ZSTD_isError(rc)) {
		if (ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge) {
			hs_error_set(err, c->path, 0, 0, "zstd data needs a window over %u MiB;"
			             " the log stops after %lld bytes",
			             (1u << ZSTD_WINDOW_LOG) >> 20,
			             (long long)(c->out_total + (int64_t)*got));
			hs_error_hint(err, "recompress it without --long or with --long=%d", ZSTD_WINDOW_LOG);
		} else {
			damaged(c, err, ZSTD_getErrorCode(rc) == ZSTD_error_prefix_unknown
			                    ? "followed by bytes that are not zstd" : "corrupt", *got);
		}
		return -1;
	}
	/* with the file used up and nothing more flushed, a frame that ended
	 * is the end of the data and anything else is a cut file (a call
	 * that moves nothing reports the next frame's header size instead) */
	if (c->in_eof && c->in_pos == c->in_end && *got == before && c->in_pos == in_before) {
		if (c->part_done)
			return 1;
		truncated(c, err, *got);
		return -1;
	}
	c->part_done = rc == 0;
	return 0;
}

ssize_t hs_codec_read(struct hs_codec *c, char *buf, size_t cap, struct hs_error *err)
{
	size_t got = 0;
	int rc = 0;

	if (c->failed) {
		*err = c->held;
		return -1;
	}
	/* a plain file is read straight into the caller's buffer once the
	 * bytes read for the sniff are given */
	if (c->kind == HS_CODEC_NONE && c->in_pos == c->in_end) {
		ssize_t n;
		if (c->in_eof)
			return 0;
		do
			n = read(c->fd, buf, cap);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			hs_error_set(err, c->path, 0, 0, "read error: %s", strerror(errno));
			return -1;
		}
		c->in_eof = n == 0;
		c->file_read += n;
		c->out_total += n;
		return n;
	}
	while (got < cap && rc == 0) {
		if (fill(c, err) < 0) {
			rc = -1;
			break;
		}
		switch (c->kind) {
		case HS_CODEC_NONE: rc = step_plain(c, buf, cap, &got); break;
		case HS_CODEC_GZIP: rc = step_gzip(c, buf, cap, &got, err); break;
		case HS_CODEC_BZIP2: rc = step_bzip2(c, buf, cap, &got, err); break;
		case HS_CODEC_XZ: rc = step_xz(c, buf, cap, &got, err); break;
		case HS_CODEC_ZSTD: rc = step_zstd(c, buf, cap, &got, err); break;
		}
		/* a plain file gives what one read(2) gave, as before */
		if (c->kind == HS_CODEC_NONE && got > 0)
			break;
	}
	c->out_total += (int64_t)got;
	if (rc == 0 && c->kind != HS_CODEC_NONE && c->out_total > BOMB_FLOOR &&
	    c->out_total / BOMB_RATIO > file_pos(c)) {
		hs_error_set(err, c->path, 0, 0,
		             "%s data inflates over %d times (%lld bytes from %lld): a decompression"
		             " bomb? the log stops there", hs_codec_name(c->kind), BOMB_RATIO,
		             (long long)c->out_total, (long long)file_pos(c));
		hs_error_hint(err, "if the log is genuine, decompress it first");
		rc = -1;
	}
	if (rc < 0) {
		if (got == 0)
			return -1;
		/* the good bytes first; the error comes with the next call */
		c->failed = 1;
		c->held = *err;
		hs_error_clear(err);
	}
	return (ssize_t)got;
}

int hs_codec_skip(struct hs_codec *c, int64_t n, struct hs_error *err)
{
	char scratch[65536];

	if (c->kind == HS_CODEC_NONE && n > (int64_t)(c->in_end - c->in_pos)) {
		int64_t to = file_pos(c) + n;
		if (lseek(c->fd, (off_t)to, SEEK_SET) < 0) {
			hs_error_set(err, c->path, 0, 0, "%s", strerror(errno));
			return -1;
		}
		c->in_pos = c->in_end = 0;
		c->in_eof = 0;
		c->file_read = to;
		c->out_total = to;
		return 0;
	}
	/* compressed data cannot seek: decode and drop */
	while (n > 0) {
		ssize_t got = hs_codec_read(c, scratch, n < (int64_t)sizeof scratch ? (size_t)n
		                                                                  : sizeof scratch, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			hs_error_set(err, c->path, 0, 0, "ends before byte %lld", (long long)c->out_total + n);
			return -1;
		}
		n -= got;
	}
	return 0;
}

enum hs_codec_kind hs_codec_kind_of(const struct hs_codec *c) { return c->kind; }
int64_t hs_codec_consumed(const struct hs_codec *c) { return file_pos(c); }

void hs_codec_close(struct hs_codec *c)
{
	if (!c)
		return;
	stop_decoder(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c);
}
