/* safefile.c — temporary files beside their target, what may be replaced,
 * private directories.
 *
 * A temporary file is "<target>.tmp.<pid>.<8 random letters>": the pid
 * says who made it, the random part makes the name unguessable, so nobody
 * can plant a symlink there in advance (and O_EXCL|O_NOFOLLOW would refuse
 * one anyway). The writer holds flock(LOCK_EX) on it from creation until it
 * is renamed or removed. A sweep takes the same lock without waiting: when
 * it gets it, no live process owns the file and it is removed — a writer
 * killed by SIGKILL leaves its temporary file for the next run to clear.
 * The race between creating a file and locking it is closed on the
 * writer's side: after the lock it checks that its name still points at
 * its file, and starts over with a new name when a sweep got there first.
 */
#include "hsmscope/safefile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define TMP_TRIES 100 /* names tried before giving up */

/* 8 letters from the kernel's random source (time and a counter if it
 * fails: unique enough with O_EXCL, only less unguessable). */
static void random_suffix(char out[9])
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[8];
	int i;

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		struct timespec ts;
		uint64_t x;
		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_sec;
		for (i = 0; i < 8; i++, x >>= 8)
			r[i] = (unsigned char)x;
	}
	for (i = 0; i < 8; i++)
		out[i] = set[r[i] % (sizeof set - 1)];
	out[8] = '\0';
}

int hs_safe_tmp_create(const char *target, char *tmp, size_t tmplen, struct hs_error *err)
{
	char rnd[9];
	int tries, fd;

	for (tries = 0; tries < TMP_TRIES; tries++) {
		struct stat a, b;

		random_suffix(rnd);
		if (snprintf(tmp, tmplen, "%s.tmp.%ld.%s", target, (long)getpid(), rnd) >= (int)tmplen) {
			hs_error_set(err, target, 0, 0, "cannot write: the path is too long");
			return -1;
		}
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			hs_error_set(err, target, 0, 0, "cannot write: %s", strerror(errno));
			return -1;
		}
		/* wait for a sweep that opened it in between, then make sure it
		 * did not remove it */
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &a) == 0 && a.st_nlink > 0 &&
		    lstat(tmp, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	hs_error_set(err, target, 0, 0, "cannot write: no free temporary name beside it");
	return -1;
}

int hs_safe_tmp_sweep(const char *target)
{
	char dir[PATH_MAX], path[PATH_MAX];
	const char *slash = strrchr(target, '/'), *base;
	size_t blen;
	struct dirent *de;
	DIR *d;
	int removed = 0;

	if (slash == target) {
		strcpy(dir, "/");
		base = slash + 1;
	} else if (slash) {
		if ((size_t)(slash - target) + 1 > sizeof dir)
			return 0;
		memcpy(dir, target, (size_t)(slash - target));
		dir[slash - target] = '\0';
		base = slash + 1;
	} else {
		strcpy(dir, ".");
		base = target;
	}
	blen = strlen(base);
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		struct stat a, b;
		int fd;

		if (strncmp(de->d_name, base, blen) || strncmp(de->d_name + blen, ".tmp.", 5))
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
			continue;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && a.st_uid == geteuid() &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 && lstat(path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino && unlink(path) == 0)
			removed++;
		close(fd); /* unlinked while locked: its writer, if any, notices */
	}
	closedir(d);
	return removed;
}

static const char *kind(mode_t m)
{
	return S_ISLNK(m) ? "a symbolic link" : S_ISDIR(m) ? "a directory" :
	       S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	       S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int hs_safe_replaceable(const char *path, const char *what, struct stat *st, int *exists,
                        struct hs_error *err)
{
	*exists = 0;
	if (lstat(path, st) != 0) {
		if (errno == ENOENT)
			return 0;
		hs_error_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		hs_error_set(err, path, 0, 0, "is %s; not replaced by %s", kind(st->st_mode), what);
		hs_error_hint(err, "only a regular file is replaced: give another name");
		return -1;
	}
	*exists = 1;
	return 0;
}

int hs_safe_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int hs_safe_private_dir(const char *dir, struct hs_error *err)
{
	struct stat st;
	int made = 0, fd;

	if (mkdir(dir, 0700) == 0)
		made = 1;
	else if (errno != EEXIST) {
		hs_error_set(err, dir, 0, 0, "cannot create the cache directory: %s", strerror(errno));
		goto hint;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
			hs_error_set(err, dir, 0, 0, "is %s, not the cache directory; not used",
			             kind(st.st_mode));
		else
			hs_error_set(err, dir, 0, 0, "cannot use the cache directory: %s", strerror(e));
		goto hint;
	}
	if (fstat(fd, &st) != 0) {
		hs_error_set(err, dir, 0, 0, "cannot use the cache directory: %s", strerror(errno));
		close(fd);
		goto hint;
	}
	if (st.st_uid != geteuid()) {
		/* someone else's: never chmod it, never write into it */
		hs_error_set(err, dir, 0, 0, "the cache directory belongs to uid %ld, not to you (uid %ld);"
		             " not used", (long)st.st_uid, (long)geteuid());
		close(fd);
		goto hint;
	}
	if (made) {
		fchmod(fd, 0700); /* ours, new: undo what the umask took */
	} else if (!(st.st_mode & S_IWUSR)) {
		hs_error_set(err, dir, 0, 0, "the cache directory is read-only (mode %04o); not made"
		             " writable", (unsigned)(st.st_mode & 07777));
		close(fd);
		goto hint;
	} else if (st.st_mode & 077) {
		fchmod(fd, st.st_mode & 0700);
	}
	close(fd);
	return 0;
hint:
	hs_error_hint(err, "give --index FILE, or set XDG_CACHE_HOME");
	return -1;
}

mode_t hs_safe_new_mode(void)
{
	mode_t um = umask(077); /* reading the umask means setting it */

	umask(um);
	return 0666 & ~um;
}
