/* test_safefile.c — temporary files are new, private, unguessable and
 * locked while in use; a sweep removes only those no process holds; only
 * a regular file is replaceable; a private directory must be the user's
 * own real directory and is never made writable behind the user's back. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "hsmscope/safefile.h"

static char dir[] = "/tmp/hs_safefile_test.XXXXXX";

static int count_prefix(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return n;
}

static void test_tmp(void)
{
	char target[256], tmp[300], tmp2[300], stale[300];
	struct hs_error err;
	struct stat st;
	int fd, fd2, pfd;

	snprintf(target, sizeof target, "%s/out.db", dir);
	fd = hs_safe_tmp_create(target, tmp, sizeof tmp, &err);
	CHECK(fd >= 0);
	CHECK(strncmp(tmp, target, strlen(target)) == 0 && strstr(tmp, ".tmp.") != NULL);
	CHECK(lstat(tmp, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	fd2 = hs_safe_tmp_create(target, tmp2, sizeof tmp2, &err);
	CHECK(fd2 >= 0 && strcmp(tmp, tmp2) != 0); /* a new name each time */
	close(fd2);
	/* a stale one of an older release, and a file of another name */
	snprintf(stale, sizeof stale, "%s.tmp.12345", target);
	pfd = open(stale, O_WRONLY | O_CREAT, 0600);
	close(pfd);
	snprintf(tmp2, sizeof tmp2, "%s/other.db.tmp.1", dir);
	pfd = open(tmp2, O_WRONLY | O_CREAT, 0600);
	close(pfd);
	/* the held one stays, the released and the stale ones go */
	CHECK(hs_safe_tmp_sweep(target) == 2);
	CHECK(access(tmp, F_OK) == 0);
	CHECK(access(stale, F_OK) != 0);
	CHECK(access(tmp2, F_OK) == 0);
	close(fd);
	CHECK(hs_safe_tmp_sweep(target) == 1);
	CHECK(count_prefix("out.db") == 0);
	unlink(tmp2);
	/* a missing directory is an error naming the target */
	snprintf(target, sizeof target, "%s/no/such/x", dir);
	CHECK(hs_safe_tmp_create(target, tmp, sizeof tmp, &err) < 0);
	CHECK(strcmp(err.file, target) == 0 && strstr(err.msg, "No such file") != NULL);
	/* a path too long for the buffer */
	CHECK(hs_safe_tmp_create(target, tmp, 10, &err) < 0 && strstr(err.msg, "too long"));
}

static void test_replaceable(void)
{
	char p[256], l[256];
	struct hs_error err;
	struct stat st;
	int exists = -1;

	snprintf(p, sizeof p, "%s/missing", dir);
	CHECK(hs_safe_replaceable(p, "x", &st, &exists, &err) == 0 && exists == 0);
	snprintf(p, sizeof p, "%s/file", dir);
	close(open(p, O_WRONLY | O_CREAT, 0640));
	CHECK(hs_safe_replaceable(p, "x", &st, &exists, &err) == 0 && exists == 1);
	CHECK((st.st_mode & 0777) == 0640);
	snprintf(l, sizeof l, "%s/link", dir);
	CHECK(symlink(p, l) == 0);
	CHECK(hs_safe_replaceable(l, "the export", &st, &exists, &err) < 0);
	CHECK(strcmp(err.file, l) == 0 && strstr(err.msg, "symbolic link") && strstr(err.msg, "the export"));
	CHECK(hs_safe_same_file(l, p) == 1);
	CHECK(hs_safe_same_file(l, dir) == 0);
	CHECK(hs_safe_replaceable(dir, "x", &st, &exists, &err) < 0 && strstr(err.msg, "directory"));
	CHECK(hs_safe_replaceable("/dev/null", "x", &st, &exists, &err) < 0 &&
	      strstr(err.msg, "character device"));
	unlink(l);
	unlink(p);
}

static void test_private_dir(void)
{
	char d[256], t[256];
	struct hs_error err;
	struct stat st;
	mode_t old = umask(0277);

	/* new: 0700 whatever the umask */
	snprintf(d, sizeof d, "%s/cache", dir);
	CHECK(hs_safe_private_dir(d, &err) == 0);
	CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 0700);
	umask(old);
	/* ours but open to others: closed, nothing added */
	chmod(d, 0751);
	CHECK(hs_safe_private_dir(d, &err) == 0);
	CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 0700);
	/* read-only: an error, and it stays read-only */
	chmod(d, 0500);
	CHECK(hs_safe_private_dir(d, &err) < 0 && strstr(err.msg, "read-only") && err.hint[0]);
	CHECK(strcmp(err.file, d) == 0);
	CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 0500);
	chmod(d, 0700);
	/* a symlink to a directory: not followed, its target not touched */
	snprintf(t, sizeof t, "%s/link", dir);
	CHECK(symlink(d, t) == 0);
	chmod(d, 0755);
	CHECK(hs_safe_private_dir(t, &err) < 0 && strstr(err.msg, "symbolic link"));
	CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 0755);
	unlink(t);
	/* somebody else's (only root can make one) */
	if (geteuid() == 0 && chown(d, 65534, 65534) == 0) {
		CHECK(hs_safe_private_dir(d, &err) < 0 && strstr(err.msg, "uid 65534"));
		CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 0755);
	}
	rmdir(d);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_tmp();
	test_replaceable();
	test_private_dir();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	TEST_END();
}
