/* reader.h — open an input and stream its lines with offsets.
 *
 * Ownership: hs_reader_open() returns a reader freed by hs_reader_close();
 * the line pointer from hs_reader_next() is the reader's and is valid until
 * the next call. The reader never interprets content.
 */
#ifndef HSMSCOPE_READER_H
#define HSMSCOPE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/util.h"

#define HS_READER_MAX_LINE (32u << 20) /* longer lines are cut (flagged) */

struct hs_reader;

struct hs_file_id {
	int64_t size;               /* bytes */
	int64_t mtime_ns;           /* modification time, ns since the epoch */
	char head_hash[17];         /* hex FNV-1a of the log's first 64 KiB (decompressed) */
	int codec;                  /* enum hs_codec_kind: how the file is compressed */
	int64_t inode;              /* st_ino: a replaced file is another inode */
	int64_t ctime_ns;           /* status change time, ns: cannot be set back */
	char tail_hash[17];         /* hex FNV-1a of the last HS_FILE_TAIL bytes */
};

/* Bytes before the end that tail_hash covers: a refresh checks that the
 * bytes before its resume point are still the ones it read. */
#define HS_FILE_TAIL 4096

/* Check that path is a readable regular, non-empty file and describe it.
 * Errors: "no such file", "is a directory", "not a regular file", "is
 * empty", "permission denied", each naming the path. */
int hs_file_identify(const char *path, struct hs_file_id *id, struct hs_error *err);

/* Hex FNV-1a (as in hs_file_id) of the bytes [off, off + len) of path;
 * fewer when the file is shorter. */
int hs_file_hash_range(const char *path, int64_t off, int64_t len, char out[17],
                       struct hs_error *err);

/* Read up to cap bytes from the start of the log in path into buf (for
 * detection): decompressed when the file is compressed. Compressed data
 * damaged after some good bytes gives those bytes (0) with err set to the
 * damage; err is clear otherwise. */
int hs_file_head(const char *path, char *buf, size_t cap, size_t *got, struct hs_error *err);
/* The same, of the bytes as stored. */
int hs_file_raw_head(const char *path, char *buf, size_t cap, size_t *got, struct hs_error *err);

/* Stream path from start_offset, which must be the start of a line whose
 * 1-based number is start_line. A compressed file (codec.h) is streamed
 * decompressed; offsets and line numbers are those of the log it holds. */
int hs_reader_open(const char *path, int64_t start_offset, int64_t start_line,
                   struct hs_reader **out, struct hs_error *err);
/* Next line without its "\n" / "\r\n": 1 = a line, 0 = end of input,
 * -1 = read error (err set). *cut is 1 when the line was longer than
 * HS_READER_MAX_LINE and only its start is given. */
int hs_reader_next(struct hs_reader *r, const char **line, size_t *len,
                   int64_t *offset, int64_t *lineno, int *cut, struct hs_error *err);
/* Offset just past the last line returned, and the next line's number. */
int64_t hs_reader_offset(const struct hs_reader *r);
int64_t hs_reader_lineno(const struct hs_reader *r);
/* 1 when the line just returned ended at the end of the file without a
 * newline: a log still being written may be cut there. */
int hs_reader_unterminated(const struct hs_reader *r);

/* Bytes of the file itself consumed so far (compressed bytes for a
 * compressed file): progress against the file's size. */
int64_t hs_reader_file_pos(const struct hs_reader *r);
void hs_reader_close(struct hs_reader *r);

#endif
