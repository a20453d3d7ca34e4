/* config.c — reading the configuration file into key/value items (see
 * config.h). Lines are short; anything longer than a value can hold is an
 * error of that line, never a truncated setting.
 */
#include "hsmscope/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsmscope/safefile.h"

void hs_config_path(char *buf, size_t len)
{
	const char *p = getenv("HSMSCOPE_CONFIG"), *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

	if (p && *p)
		snprintf(buf, len, "%s", p);
	else if (x && *x)
		snprintf(buf, len, "%s/hsmscope/config", x);
	else if (h && *h)
		snprintf(buf, len, "%s/.config/hsmscope/config", h);
	else if (len)
		buf[0] = '\0';
}

/* s[0..n) without leading and trailing blanks, into out (cap bytes).
 * -1 when it does not fit. */
static int trimmed(const char *s, size_t n, char *out, size_t cap)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int hs_config_load(const char *path, struct hs_config *c, struct hs_error *err)
{
	char line[1024];
	FILE *f;
	long lineno = 0;
	int bad = 0, cap = 0;

	memset(c, 0, sizeof *c);
	hs_error_clear(err);
	if (!path || !*path)
		return 0;
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT)
			return 0;
		hs_error_set(err, path, 0, 0, "cannot read the configuration: %s", strerror(errno));
		return -1;
	}
	hs_strlcpy(c->path, path, sizeof c->path);
	while (fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		const char *s = hs_skip_ws(line), *eq;
		struct hs_config_item it;

		lineno++;
		if (len && line[len - 1] != '\n' && !feof(f)) {
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			if (!bad++)
				hs_error_set(err, path, lineno, 1, "line too long");
			continue;
		}
		if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0')
			continue;
		eq = strchr(s, '=');
		if (!eq || trimmed(s, (size_t)(eq - s), it.key, sizeof it.key) < 0 || !it.key[0] ||
		    trimmed(eq + 1, strcspn(eq + 1, "\n"), it.value, sizeof it.value) < 0) {
			if (!bad++) {
				hs_error_set(err, path, lineno, (long)(s - line) + 1,
				             eq ? "key or value too long, or no key" : "expected 'key = value'");
				hs_error_hint(err, "e.g. color.error = red  or  time = relative; '#' starts a comment");
			}
			continue;
		}
		it.line = lineno;
		if (c->n == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct hs_config_item *ni = realloc(c->items, (size_t)ncap * sizeof *ni);
			if (!ni)
				break;
			c->items = ni;
			cap = ncap;
		}
		c->items[c->n++] = it;
	}
	fclose(f);
	return bad;
}

void hs_config_free(struct hs_config *c)
{
	free(c->items);
	memset(c, 0, sizeof *c);
}

/* mkdir -p of path's directory, each new level 0700. */
static void make_parent(const char *path)
{
	char dir[512], *p;

	hs_strlcpy(dir, path, sizeof dir);
	if (!(p = strrchr(dir, '/')) || p == dir)
		return;
	*p = '\0';
	for (p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	mkdir(dir, 0700);
}

/* Whether line is `key = ...` (blanks around the key allowed). */
static int line_has_key(const char *line, const char *key)
{
	const char *s = hs_skip_ws(line);
	size_t n = strlen(key);

	if (strncmp(s, key, n) != 0)
		return 0;
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '=';
}

int hs_config_set(const char *path, const char *key, const char *value, struct hs_error *err)
{
	char tmp[600], line[1024];
	struct stat sb;
	FILE *in, *out;
	int fd, done = 0, ok = 1, had = 0;
	mode_t mode = 0600;

	hs_error_clear(err);
	if (!path || !*path) {
		hs_error_set(err, "config", 0, 0, "no configuration file: neither HOME nor XDG_CONFIG_HOME is set");
		return -1;
	}
	if (lstat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			hs_error_set(err, path, 0, 0, "not a regular file: the configuration is not written");
			return -1;
		}
		mode = sb.st_mode & 07777;
	} else {
		make_parent(path);
	}
	fd = hs_safe_tmp_create(path, tmp, sizeof tmp, err);
	if (fd < 0)
		return -1;
	if (!(out = fdopen(fd, "w"))) {
		hs_error_set(err, path, 0, 0, "cannot write the configuration: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if ((in = fopen(path, "r"))) {
		while (fgets(line, sizeof line, in)) {
			size_t len = strlen(line);
			if (line_has_key(line, key)) {
				if (!done && value && fprintf(out, "%s = %s\n", key, value) < 0)
					ok = 0;
				done = 1;
				/* the rest of an overlong line goes with it */
				while (len && line[len - 1] != '\n' && fgets(line, sizeof line, in))
					len = strlen(line);
				continue;
			}
			if (fputs(line, out) < 0)
				ok = 0;
			had = line[len - 1] == '\n' ? 0 : 1; /* a last line without its newline */
		}
		fclose(in);
	}
	if (!done && value && fprintf(out, "%s%s = %s\n", had ? "\n" : "", key, value) < 0)
		ok = 0;
	if (fchmod(fd, mode) != 0)
		ok = 0;
	if (fclose(out) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		hs_error_set(err, path, 0, 0, "cannot write the configuration: %s", strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
