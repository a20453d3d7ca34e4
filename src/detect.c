/* detect.c — the table of parsers and the content probe.
 *
 * Adding a format: one parse_<name>.c that defines its descriptor, and one
 * line in `parsers` below. Each descriptor carries sample lines; make check
 * feeds every sample through hs_detect() and expects its own parser back.
 */
#include "hsmscope/detect.h"

#include "hsmscope/chars.h"

#include <string.h>

extern const struct hs_parser_desc hs_parser_spy;
extern const struct hs_parser_desc hs_parser_cloudhsm;
extern const struct hs_parser_desc hs_parser_p11kit;
extern const struct hs_parser_desc hs_parser_nss;
extern const struct hs_parser_desc hs_parser_shim;
extern const struct hs_parser_desc hs_parser_logger;
extern const struct hs_parser_desc hs_parser_azurehsm;
extern const struct hs_parser_desc hs_parser_tpm2;

static const struct hs_parser_desc *const parsers[] = {
	&hs_parser_spy,
	&hs_parser_cloudhsm,
	&hs_parser_p11kit,
	&hs_parser_nss,
	&hs_parser_shim,
	&hs_parser_logger,
	&hs_parser_azurehsm,
	&hs_parser_tpm2,
	NULL,
};

const struct hs_parser_desc *const *hs_detect_parsers(void) { return parsers; }

const struct hs_parser_desc *hs_detect_by_name(const char *name)
{
	int i;

	for (i = 0; parsers[i]; i++)
		if (strcmp(parsers[i]->name, name) == 0)
			return parsers[i];
	return NULL;
}

const char *hs_detect_static_name(const char *name)
{
	const struct hs_parser_desc *d = name ? hs_detect_by_name(name) : NULL;

	return d ? d->name : "other";
}

int hs_detect_probe(const struct hs_parser_desc *d, const char *const *lines, int nlines)
{
	int i, s = 0;

	if (d->probe)
		s = d->probe(lines, nlines);
	else
		for (i = 0; i < nlines && s < 100; i++)
			s += d->line_score(lines[i], hs_line_len(lines[i]));
	return s < 100 ? s : 100; /* a probe adds up evidence; 100 is certain */
}

const struct hs_parser_desc *hs_detect(const char *const *lines, int nlines, int *score)
{
	const struct hs_parser_desc *best = NULL;
	int i, best_score = 0;

	for (i = 0; parsers[i]; i++) {
		int s = hs_detect_probe(parsers[i], lines, nlines);
		if (s > best_score) {
			best_score = s;
			best = parsers[i];
		}
	}
	if (score)
		*score = best_score;
	return best_score >= HS_DETECT_MIN_SCORE ? best : NULL;
}

int hs_detect_names(struct hs_buf *out)
{
	int i;

	for (i = 0; parsers[i]; i++)
		if (hs_buf_printf(out, "%s%s", i ? ", " : "", parsers[i]->title) < 0)
			return -1;
	return 0;
}
