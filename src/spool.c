/* spool.c — standard input copied into the cache directory.
 *
 * The copy streams through one fixed buffer into a private temporary file
 * beside its final name (safefile.h), hashing as it goes; the hash names
 * the file, so piping the same log twice reuses its file and its index.
 * What a killed copy leaves is swept the next time, like an index build's.
 */
#include "hsmscope/spool.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsmscope/safefile.h"

#define SPOOL_CHUNK (1u << 20)
#define FNV_BASIS 1469598103934665603ULL /* hs_hash64's: seed ^ basis continues a hash */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int hs_spool_fd(int fd, const char *dir, char *path, size_t pathlen, struct hs_error *err)
{
	char target[4096], tmp[4200];
	char *buf = malloc(SPOOL_CHUNK);
	uint64_t h = FNV_BASIS;
	int64_t total = 0;
	struct stat st;
	int out;

	if (!buf) {
		hs_error_set(err, "-", 0, 0, "out of memory");
		return -1;
	}
	snprintf(target, sizeof target, "%s/stdin", dir);
	hs_safe_tmp_sweep(target);
	out = hs_safe_tmp_create(target, tmp, sizeof tmp, err);
	if (out < 0) {
		free(buf);
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, SPOOL_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hs_error_set(err, "-", 0, 0, "reading standard input: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (write_all(out, buf, (size_t)n) < 0) {
			hs_error_set(err, tmp, 0, 0, "cannot keep standard input here: %s", strerror(errno));
			goto fail;
		}
		h = hs_hash64(buf, (size_t)n, h ^ FNV_BASIS);
		total += n;
	}
	free(buf);
	buf = NULL;
	if (total == 0) {
		hs_error_set(err, "-", 0, 0, "standard input is empty");
		goto fail;
	}
	snprintf(path, pathlen, "%s/stdin-%016llx.log", dir, (unsigned long long)h);
	/* the same bytes were piped before: keep that file (its identity is
	 * what its index was built from) */
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == total &&
	    st.st_uid == geteuid()) {
		unlink(tmp);
		close(out);
		return 0;
	}
	if (rename(tmp, path) != 0) {
		hs_error_set(err, path, 0, 0, "cannot keep standard input: %s", strerror(errno));
		goto fail;
	}
	close(out);
	return 0;
fail:
	free(buf);
	unlink(tmp);
	close(out);
	return -1;
}
