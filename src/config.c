/* config.c — reading the configuration file into key/value items (see
 * config.h). Lines are short; anything longer than a value can hold is an
 * error of that line, never a truncated setting.
 */
#include "hsmscope/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
