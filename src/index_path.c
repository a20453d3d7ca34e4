/* index_path.c — where an index lives: the private cache directory, the
 * default index path of a set of logs, and whether a path may take an
 * index (never a log, a link, a device, or a file that is not already an
 * index when --index named it). Split from index.c.
 */
#include "hsmscope/index.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsmscope/safefile.h"
#include "hsmscope/version.h"

#include "index_int.h"

static int mkdir_private(const char *dir)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int hs_index_cache_dir(char *dir, size_t dirlen, struct hs_error *err)
{
	const char *base = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	size_t n;

	if (base && *base) {
		snprintf(dir, dirlen, "%s", base);
	} else if (home && *home) {
		snprintf(dir, dirlen, "%s/.cache", home);
	} else {
		hs_error_set(err, "", 0, 0, "no cache directory: neither XDG_CACHE_HOME nor HOME is set");
		hs_error_hint(err, "give --index FILE");
		return -1;
	}
	if (mkdir_private(dir) < 0) {
		hs_error_set(err, dir, 0, 0, "cannot create the cache directory: %s", strerror(errno));
		hs_error_hint(err, "give --index FILE");
		return -1;
	}
	n = strlen(dir);
	snprintf(dir + n, dirlen - n, "/hsmscope");
	return hs_safe_private_dir(dir, err);
}

char *hs_index_default_path(const char *const *paths, int npaths, struct hs_error *err)
{
	const char *name;
	char dir[PATH_MAX], real[PATH_MAX], *out;
	uint64_t h = 0;
	int i;

	if (hs_index_cache_dir(dir, sizeof dir, err) < 0)
		return NULL;
	for (i = 0; i < npaths; i++) {
		const char *p = realpath(paths[i], real) ? real : paths[i];
		h = hs_hash64(p, strlen(p) + 1, h);
	}
	name = strrchr(paths[0], '/');
	name = name ? name + 1 : paths[0];
	out = malloc(strlen(dir) + strlen(name) + 40);
	if (!out) {
		hs_error_set(err, "", 0, 0, "out of memory");
		return NULL;
	}
	sprintf(out, "%s/%.64s-%016llx.db", dir, name, (unsigned long long)h);
	return out;
}

/* Is the regular file at path an hsmscope index (whole or not)? */
static int is_index(const char *path)
{
	unsigned char h[100];
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	int fd, ok = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, h, sizeof h);
	close(fd);
	if (n != (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
		return 0;
	if (((uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71]) == APP_ID)
		return 1;
	/* written before indexes carried the application id */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | OPEN_NOFOLLOW, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'schema_version'", -1, &st,
	                       NULL) == SQLITE_OK) {
		ok = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return ok;
}

/* May an index be written at path? Never over one of the logs (compared
 * by device and inode: a hard link or a symlink is the same log), never
 * over a symlink, a directory or a device; an explicit --index replaces
 * only a file that is empty or already an hsmscope index, so a slip of
 * the option cannot destroy the evidence or a user's notes. In the cache
 * directory, which is ours, anything regular may be rebuilt. */
int hs_idx_path_ok(const char *path, const char *const *paths, int npaths,
                   int explicit_path, struct hs_error *err)
{
	struct stat st;
	int exists, i;

	for (i = 0; i < npaths; i++)
		if (hs_safe_same_file(path, paths[i])) {
			hs_error_set(err, path, 0, 0, "is one of the logs being read; not replaced by an index");
			hs_error_hint(err, "give --index another file");
			return -1;
		}
	if (hs_safe_replaceable(path, "an index", &st, &exists, err) < 0)
		return -1;
	if (!exists || st.st_size == 0 || !explicit_path || is_index(path))
		return 0;
	hs_error_set(err, path, 0, 0, "is not an hsmscope index; not replaced");
	hs_error_hint(err, "remove it or give --index another file");
	return -1;
}
