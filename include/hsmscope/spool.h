/* spool.h — standard input (a pipe) kept as a file, so it is indexed,
 * re-read and explored like any log.
 *
 * Ownership: the caller owns every buffer it passes; nothing is allocated
 * that outlives a call.
 */
#ifndef HSMSCOPE_SPOOL_H
#define HSMSCOPE_SPOOL_H

#include <stddef.h>

#include "hsmscope/util.h"

/* Copy everything readable from fd into dir/stdin-<hash of the bytes>.log
 * (mode 0600, written through hs_safe_tmp_create() and renamed into place;
 * memory does not grow with the input) and put its path in path. The
 * same bytes piped again find the same file, and so the same index. An
 * empty input is an error naming "-" ("standard input is empty"). */
int hs_spool_fd(int fd, const char *dir, char *path, size_t pathlen, struct hs_error *err);

#endif
