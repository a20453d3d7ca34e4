/* config.h — the configuration file: `key = value` lines, `#` comments.
 *
 * The core only reads the file into items with their line numbers; what a
 * key means (colours, columns, time display, keys) is the explorer's
 * business (ui/settings.c), which reports unknown keys with file:line.
 *
 * Ownership: hs_config_load() fills a struct hs_config the caller frees
 * with hs_config_free(); items point into it.
 */
#ifndef HSMSCOPE_CONFIG_H
#define HSMSCOPE_CONFIG_H

#include <stddef.h>

#include "hsmscope/util.h"

struct hs_config_item {
	char key[64];               /* as written, spaces trimmed */
	char value[256];            /* as written, spaces trimmed */
	long line;                  /* 1-based line in the file */
};

struct hs_config {
	char path[512];             /* the file read ("" when none) */
	struct hs_config_item *items; /* owned, n of them, in file order */
	int n;
};

/* Where the file is: $HSMSCOPE_CONFIG, else $XDG_CONFIG_HOME/hsmscope/config,
 * else ~/.config/hsmscope/config. Written into buf; "" when no home. */
void hs_config_path(char *buf, size_t len);

/* Read path. A missing file is no error (n = 0). Returns the number of
 * lines that are not `key = value` (the first one in err, with its line
 * and column and a hint; they are skipped), or -1 when the file exists but
 * cannot be read (err set). */
int hs_config_load(const char *path, struct hs_config *c, struct hs_error *err);
void hs_config_free(struct hs_config *c);

/* Set key to value in the file at path (value NULL: remove the key),
 * keeping every other line (comments, blanks, other keys) as it was: the
 * first `key = ...` line is replaced, later ones dropped, or the line is
 * appended. A missing file (and its directory, 0700) is created; the file
 * is replaced atomically (a new file beside it, then rename) with its old
 * mode, 0600 when new, never through a symlink. Returns 0, or -1 with err
 * naming the file. The explorer saves its column choice through it. */
int hs_config_set(const char *path, const char *key, const char *value, struct hs_error *err);

#endif
