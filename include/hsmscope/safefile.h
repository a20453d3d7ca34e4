/* safefile.h — writing files without destroying what is already there.
 *
 * Ownership: nothing here allocates; the caller owns the buffers it passes
 * and the descriptor hs_safe_tmp_create() returns (closing it releases the
 * file's in-use lock).
 *
 * What hsmscope writes (an index, an export) is written into a new
 * temporary file beside its target and renamed over it. These are the
 * rules for that: the temporary file is created exclusively, never through
 * a symlink, with an unpredictable name; only a regular file is ever
 * replaced; a private directory (the index cache) must be the user's own.
 */
#ifndef HSMSCOPE_SAFEFILE_H
#define HSMSCOPE_SAFEFILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "hsmscope/util.h"

/* Create "<target>.tmp.<pid>.<random>" with O_CREAT|O_EXCL|O_NOFOLLOW,
 * mode 0600, and hold flock(LOCK_EX) on it while the descriptor stays
 * open, which tells hs_safe_tmp_sweep() that it is in use. Its name goes
 * to tmp. Returns the descriptor, or -1 with err naming target. */
int hs_safe_tmp_create(const char *target, char *tmp, size_t tmplen, struct hs_error *err);

/* Remove the "<target>.tmp.*" files of this user that no process holds:
 * those a killed writer left. Returns how many were removed. */
int hs_safe_tmp_sweep(const char *target);

/* May path be replaced by a new file? 0 when it is missing (*exists = 0)
 * or a regular file (*exists = 1, *st filled, through lstat: a symlink is
 * not followed); -1 with err (one line naming path) when it is a symlink,
 * a directory, a device or anything else. what names the new file in the
 * message ("an index", "the export"). */
int hs_safe_replaceable(const char *path, const char *what, struct stat *st, int *exists,
                        struct hs_error *err);

/* 1 when a and b are the same file (device and inode, symlinks followed),
 * else 0 (also when either does not exist). */
int hs_safe_same_file(const char *a, const char *b);

/* Make sure dir is a private directory of this user: created 0700 when
 * missing; else it must be a directory (not a symlink) owned by the
 * effective user and writable by its owner. Group and other access is
 * removed from it; access is never added to an existing directory.
 * Returns 0, or -1 with err (one line naming dir). */
int hs_safe_private_dir(const char *dir, struct hs_error *err);

/* The mode a new file gets: 0666 less the umask. */
mode_t hs_safe_new_mode(void);

#endif
