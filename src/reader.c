/* reader.c — line streaming over read(2) with one reusable buffer.
 *
 * The buffer holds [pos, end) unread bytes; a line is cut out with memchr.
 * When no newline is in the buffer the unread tail moves to the front and
 * more is read; the buffer only grows for long lines, up to
 * HS_READER_MAX_LINE, after which the rest of that line is skipped. Memory
 * therefore stays bounded whatever the file's size.
 *
 * Bytes come through codec.h, so a compressed file is read as the log it
 * holds: offsets, line numbers and the detection head are those of the
 * decompressed stream, and memory stays bounded all the same.
 */
#include "hsmscope/reader.h"

#include "hsmscope/codec.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)

struct hs_reader {
	struct hs_codec *src;       /* owned; the file's bytes, decompressed */
	char path[256];             /* for messages */
	char *buf;                  /* owned, cap bytes */
	size_t cap;                 /* bytes allocated */
	size_t pos;                 /* first unread byte in buf */
	size_t end;                 /* one past the last valid byte in buf */
	int eof;                    /* read(2) returned 0 */
	int unterminated;           /* the last line returned had no newline */
	int64_t base;               /* file offset of buf[0] */
	int64_t lineno;             /* number of the next line */
	char *cutbuf;               /* owned; the start of an over-long line */
};

int hs_file_identify(const char *path, struct hs_file_id *id, struct hs_error *err)
{
	struct stat st;
	char head[65536];
	size_t got = 0;

	if (stat(path, &st) != 0) {
		hs_error_set(err, path, 0, 0, "%s", errno == ENOENT ? "no such file" : strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		hs_error_set(err, path, 0, 0, "is a directory");
		hs_error_hint(err, "give the log files inside it");
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		hs_error_set(err, path, 0, 0, "not a regular file (device, FIFO or socket)");
		hs_error_hint(err, "copy the log to a file first");
		return -1;
	}
	if (access(path, R_OK) != 0) {
		hs_error_set(err, path, 0, 0, "permission denied");
		return -1;
	}
	if (st.st_size == 0) {
		hs_error_set(err, path, 0, 0, "is empty");
		return -1;
	}
	if (hs_file_raw_head(path, head, 16, &got, err) < 0)
		return -1;
	id->codec = (int)hs_codec_sniff((const unsigned char *)head, got);
	/* the hash is of the log's own first bytes, so an event's op_id is
	 * the same whether the log is read plain or compressed */
	if (id->codec != HS_CODEC_NONE && hs_file_head(path, head, sizeof head, &got, err) < 0)
		return -1;
	hs_error_clear(err); /* damage later in the head is the reader's to say */
	if (id->codec == HS_CODEC_NONE && hs_file_raw_head(path, head, sizeof head, &got, err) < 0)
		return -1;
	id->size = (int64_t)st.st_size;
	id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	snprintf(id->head_hash, sizeof id->head_hash, "%016llx",
	         (unsigned long long)hs_hash64(head, got, 0));
	id->inode = (int64_t)st.st_ino;
	id->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
	return hs_file_hash_range(path, id->size > HS_FILE_TAIL ? id->size - HS_FILE_TAIL : 0,
	                          HS_FILE_TAIL, id->tail_hash, err);
}

int hs_file_hash_range(const char *path, int64_t off, int64_t len, char out[17],
                       struct hs_error *err)
{
	char buf[65536];
	uint64_t h = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		hs_error_set(err, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	while (len > 0) {
		size_t want = len < (int64_t)sizeof buf ? (size_t)len : sizeof buf;
		ssize_t r = pread(fd, buf, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			hs_error_set(err, path, 0, 0, "read error: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		h = hs_hash64(buf, (size_t)r, h);
		off += r;
		len -= r;
	}
	close(fd);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
	return 0;
}

int hs_file_head(const char *path, char *buf, size_t cap, size_t *got, struct hs_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct hs_codec *c;
	size_t n = 0;

	hs_error_clear(err);
	if (fd < 0) {
		hs_error_set(err, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	if (hs_codec_open(fd, path, &c, err) < 0)
		return -1;
	while (n < cap) {
		ssize_t r = hs_codec_read(c, buf + n, cap - n, err);
		if (r < 0) {
			/* damage past some good data: those bytes are the head,
			 * and err says what stopped it */
			if (n > 0)
				break;
			hs_codec_close(c);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	hs_codec_close(c);
	*got = n;
	return 0;
}

int hs_file_raw_head(const char *path, char *buf, size_t cap, size_t *got, struct hs_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0) {
		hs_error_set(err, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			hs_error_set(err, path, 0, 0, "read error: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*got = n;
	return 0;
}

int hs_reader_open(const char *path, int64_t start_offset, int64_t start_line,
                   struct hs_reader **out, struct hs_error *err)
{
	struct hs_reader *r = calloc(1, sizeof *r);

	if (!r) {
		hs_error_set(err, path, 0, 0, "out of memory");
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		hs_error_set(err, path, 0, 0, "%s", strerror(errno));
		free(r);
		return -1;
	}
	if (hs_codec_open(fd, path, &r->src, err) < 0) {
		free(r);
		return -1;
	}
	r->cap = CHUNK;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		hs_error_set(err, path, 0, 0, "out of memory");
		hs_reader_close(r);
		return -1;
	}
	if (start_offset > 0 && hs_codec_skip(r->src, start_offset, err) < 0) {
		hs_reader_close(r);
		return -1;
	}
	hs_strlcpy(r->path, path, sizeof r->path);
	r->base = start_offset;
	r->lineno = start_line > 0 ? start_line : 1;
	*out = r;
	return 0;
}

/* Move unread bytes to the front and read more; grow when full. */
static int refill(struct hs_reader *r, struct hs_error *err)
{
	ssize_t n;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->base += (int64_t)r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->end == r->cap) {
		size_t ncap = r->cap * 2;
		char *nb;
		if (ncap > HS_READER_MAX_LINE + CHUNK)
			return 1; /* full: caller cuts the line */
		nb = realloc(r->buf, ncap);
		if (!nb) {
			hs_error_set(err, r->path, r->lineno, 0, "out of memory for a long line");
			return -1;
		}
		r->buf = nb;
		r->cap = ncap;
	}
	n = hs_codec_read(r->src, r->buf + r->end, r->cap - r->end, err);
	if (n < 0) {
		err->line = (long)r->lineno; /* the first line not read whole */
		return -1;
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return 0;
}

/* An over-long line: keep its first HS_READER_MAX_LINE bytes in cutbuf,
 * then discard the rest of it, so memory stays bounded. */
static int cut_long_line(struct hs_reader *r, const char **line, size_t *len,
                         int64_t *offset, int64_t *lineno, int *cut,
                         struct hs_error *err)
{
	char *nl;

	if (!r->cutbuf && !(r->cutbuf = malloc(HS_READER_MAX_LINE))) {
		hs_error_set(err, r->path, r->lineno, 0, "out of memory for a long line");
		return -1;
	}
	memcpy(r->cutbuf, r->buf + r->pos, HS_READER_MAX_LINE);
	*line = r->cutbuf;
	*len = HS_READER_MAX_LINE;
	*offset = r->base + (int64_t)r->pos;
	*lineno = r->lineno++;
	*cut = 1;
	r->pos += HS_READER_MAX_LINE;
	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
		if (nl) {
			r->pos = (size_t)(nl - r->buf) + 1;
			return 1;
		}
		r->pos = r->end;
		if (r->eof)
			return 1;
		if (refill(r, err) < 0)
			return -1;
	}
}

int hs_reader_next(struct hs_reader *r, const char **line, size_t *len,
                   int64_t *offset, int64_t *lineno, int *cut, struct hs_error *err)
{
	char *nl;
	size_t scanned = 0;

	*cut = 0;
	for (;;) {
		nl = memchr(r->buf + r->pos + scanned, '\n', r->end - r->pos - scanned);
		if (nl)
			break;
		scanned = r->end - r->pos;
		if (r->eof) {
			if (r->end == r->pos)
				return 0;
			nl = r->buf + r->end; /* last line without a newline */
			r->unterminated = 1;
			break;
		}
		int rc = refill(r, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return cut_long_line(r, line, len, offset, lineno, cut, err);
	}
	*line = r->buf + r->pos;
	*len = (size_t)(nl - (r->buf + r->pos));
	*offset = r->base + (int64_t)r->pos;
	*lineno = r->lineno++;
	r->pos = (nl == r->buf + r->end) ? r->end : (size_t)(nl - r->buf) + 1;
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

int64_t hs_reader_offset(const struct hs_reader *r) { return r->base + (int64_t)r->pos; }
int64_t hs_reader_lineno(const struct hs_reader *r) { return r->lineno; }
int hs_reader_unterminated(const struct hs_reader *r) { return r->unterminated; }
int64_t hs_reader_file_pos(const struct hs_reader *r) { return hs_codec_consumed(r->src); }

void hs_reader_close(struct hs_reader *r)
{
	if (!r)
		return;
	hs_codec_close(r->src);
	free(r->buf);
	free(r->cutbuf);
	free(r);
}
