/* codec.h — a log file's bytes as a plain stream, whatever its compression.
 *
 * A file is gzip (one or more members), bzip2 (one or more streams), xz
 * (concatenated streams) or zstd (one or more frames) when its first bytes
 * say so, whatever its name; anything else is read as it is. The stream is
 * decoded in fixed-size steps, so memory does not grow with the file and a
 * small file that inflates to gigabytes costs time in proportion, never
 * memory.
 *
 * Ownership: hs_codec_open() takes the file descriptor and returns a codec
 * freed (fd closed) by hs_codec_close(); buffers given to hs_codec_read()
 * stay the caller's.
 */
#ifndef HSMSCOPE_CODEC_H
#define HSMSCOPE_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hsmscope/util.h"

enum hs_codec_kind {
	HS_CODEC_NONE = 0,          /* plain bytes */
	HS_CODEC_GZIP,
	HS_CODEC_BZIP2,
	HS_CODEC_XZ,
	HS_CODEC_ZSTD,
};

/* Which codec the first n bytes of a file announce (HS_CODEC_NONE when
 * none does, or when n is too short to tell). */
enum hs_codec_kind hs_codec_sniff(const unsigned char *head, size_t n);
/* "gzip", "bzip2", "xz", "zstd" or "plain". */
const char *hs_codec_name(enum hs_codec_kind kind);

struct hs_codec;

/* Decode the file open on fd (now the codec's), named path in messages.
 * The codec is chosen from the file's first bytes, which are read here. */
int hs_codec_open(int fd, const char *path, struct hs_codec **out, struct hs_error *err);
/* Up to cap decoded bytes into buf: > 0 bytes given, 0 = end of the data,
 * -1 = error (err says where in the file the good data ends: corrupt or
 * truncated data, a read error, a decoder asking for too much memory). */
ssize_t hs_codec_read(struct hs_codec *c, char *buf, size_t cap, struct hs_error *err);
/* Pass over the next n decoded bytes (a plain file seeks; compressed data
 * is decoded and dropped). 0, or -1 (err set; also when the data is
 * shorter). */
int hs_codec_skip(struct hs_codec *c, int64_t n, struct hs_error *err);
enum hs_codec_kind hs_codec_kind_of(const struct hs_codec *c);
/* Bytes of the file consumed so far (for progress against its size). */
int64_t hs_codec_consumed(const struct hs_codec *c);
void hs_codec_close(struct hs_codec *c);

#endif
