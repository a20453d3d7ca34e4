/* complete.c — Tab completion in the filter bar (see complete.h).
 *
 * The word before the cursor is matched, ignoring case, against the filter
 * fields, every constant table and the function names. Fields come first:
 * after a field and an operator (`func == C_Lo`) a value is wanted, and
 * only constants and functions are offered there.
 */
#include "complete.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hsmscope/ckconst.h"
#include "hsmscope/filter.h"

#define CAND_MAX 1024             /* candidates kept (the hint lists fewer) */

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* Whether the text before `start` ends with a comparison, so that the
 * word is a value rather than a field. */
static int after_operator(const char *buf, size_t start)
{
	size_t i = start;

	while (i > 0 && buf[i - 1] == ' ')
		i--;
	if (i == 0)
		return 0;
	if (strchr("=<>~{,", buf[i - 1]))
		return 1;
	/* word operators: in, contains, matches */
	while (i > 0 && isalpha((unsigned char)buf[i - 1]))
		i--;
	return strncmp(buf + i, "in ", 3) == 0 || strncmp(buf + i, "contains ", 9) == 0 ||
	       strncmp(buf + i, "matches ", 8) == 0;
}

/* Add name when it starts with prefix; past CAND_MAX, n goes on counting
 * (cand[] is full: the caller then extends nothing). */
static int add(const char **cand, int n, const char *name, const char *prefix, size_t plen)
{
	if (strncasecmp(name, prefix, plen) != 0)
		return n;
	if (n >= CAND_MAX)
		return n + 1;
	for (int i = 0; i < n; i++)
		if (strcmp(cand[i], name) == 0)
			return n;
	cand[n] = name;
	return n + 1;
}

int hs_complete(struct hs_line *l, char *hint, size_t hintlen)
{
	const char *cand[CAND_MAX];     /* into the core's static tables */
	char prefix[128], out[HS_LINE_MAX];
	size_t start = l->cur, plen, common, used;
	const char *name;
	uint64_t v;
	int n = 0, i, value;

	hint[0] = '\0';
	while (start > 0 && word_char(l->buf[start - 1]))
		start--;
	plen = l->cur - start;
	if (plen >= sizeof prefix) {
		snprintf(hint, hintlen, "Tab: the word is too long to complete");
		return 0;
	}
	memcpy(prefix, l->buf + start, plen);
	prefix[plen] = '\0';
	value = after_operator(l->buf, start);
	if (!value)
		for (i = 0; (name = hs_filter_field_name(i, NULL)); i++)
			n = add(cand, n, name, prefix, plen);
	if (plen || value) {
		for (i = 0; (name = hs_ck_nth_func(i)); i++)
			n = add(cand, n, name, prefix, plen);
		for (int k = 0; k < HS_CK_KIND_COUNT; k++)
			for (i = 0; (name = hs_ck_nth((enum hs_ck_kind)k, i, &v)); i++)
				n = add(cand, n, name, prefix, plen);
	}
	if (n == 0) {
		snprintf(hint, hintlen, "Tab: no %s starts with '%s'",
		         value ? "constant or function" : "field, constant or function", prefix);
		return 0;
	}
	if (n > CAND_MAX) {
		snprintf(hint, hintlen, "Tab: more than %d names start with '%s': type more", CAND_MAX, prefix);
		return n;
	}
	/* the longest beginning the candidates share (case from the first) */
	common = strlen(cand[0]);
	for (i = 1; i < n; i++) {
		size_t k = 0;
		while (k < common && cand[i][k] &&
		       tolower((unsigned char)cand[i][k]) == tolower((unsigned char)cand[0][k]))
			k++;
		common = k;
	}
	if (common >= plen) {
		int end = l->cur == l->len;
		int len = snprintf(out, sizeof out, "%.*s%.*s%s%s", (int)start, l->buf, (int)common,
		                   cand[0], n == 1 && end ? " " : "", l->buf + l->cur);
		if (len > 0 && (size_t)len < sizeof out) {
			size_t cur = start + common + (n == 1 && end ? 1 : 0);
			hs_line_set(l, out);
			l->cur = cur;
		}
	}
	if (n == 1)
		return 1;
	used = (size_t)snprintf(hint, hintlen, "%d completions:", n);
	for (i = 0; i < n && used + 2 < hintlen; i++)
		used += (size_t)snprintf(hint + used, hintlen - used, " %s", cand[i]);
	return n;
}
