/* fuzz_parse.c — libFuzzer target: the input, as a log file, through every
 * registered parser (hs_detect_parsers(), so a parser added later is
 * fuzzed without new code) by the real pipeline: reader → parser →
 * redaction → a sink that reads every field. Then again from the parser's
 * own safe offset and resume state, as a refresh of a grown log does; and
 * once resumed with the input's first line as the state (a damaged or
 * hostile index hands resume() any text).
 *
 * The file is a memfd named by /proc/self/fd/N: no disk, the real reader.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hsmscope/detect.h"
#include "hsmscope/pipeline.h"

static int on_event(void *ctx, struct hs_event *e)
{
	size_t *sum = ctx;

	/* touch what a consumer reads, so ASan sees any bad pointer */
	*sum += e->detail.len + strlen(e->func) + strlen(e->summary) +
	        strlen(e->rv_name) + strlen(e->anomalies) + (size_t)e->nkeys;
	for (int i = 0; i < e->nkeys; i++)
		*sum += strlen(e->keys[i].role);
	return 0;
}

static void on_skip(void *ctx, int64_t lineno, int64_t offset, const char *why)
{
	(void)lineno;
	(void)offset;
	*(size_t *)ctx += strlen(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hs_parser_desc *const *ps = hs_detect_parsers();
	const struct hs_parser_desc *det;
	struct hs_error err;
	char path[64];
	size_t sum = 0;
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	(void)hs_pipeline_detect(path, &det, &err);
	for (int i = 0; ps[i]; i++) {
		struct hs_sink sink = { .ctx = &sum, .on_event = on_event, .on_skip = on_skip };
		struct hs_pipeline_input in;
		struct hs_parse_stats st, st2;

		memset(&in, 0, sizeof in);
		in.path = path;
		in.parser = ps[i];
		in.hsm_name = (size & 1) ? "hsm-fuzz" : NULL;
		in.redact.data = (size & 2) != 0;
		memset(&st, 0, sizeof st);
		if (hs_pipeline_run(&in, &sink, &st, &err) != 0) {
			hs_parse_stats_free(&st);
			continue;
		}
		/* a refresh: resume where the parser said every event was final */
		if (st.safe_offset > 0 && st.safe_offset <= (int64_t)size) {
			in.start_offset = st.safe_offset;
			in.start_line = st.safe_line > 0 ? st.safe_line : 1;
			in.resume_state = st.state;
			memset(&st2, 0, sizeof st2);
			(void)hs_pipeline_run(&in, &sink, &st2, &err);
			hs_parse_stats_free(&st2);
		}
		hs_parse_stats_free(&st);
		{
			char state[257];
			size_t n = 0;
			while (n < size && n < sizeof state - 1 && data[n] != '\n' && data[n])
				n++;
			memcpy(state, data, n);
			state[n] = '\0';
			in.start_offset = 0;
			in.start_line = 1;
			in.resume_state = state;
			memset(&st2, 0, sizeof st2);
			(void)hs_pipeline_run(&in, &sink, &st2, &err);
			hs_parse_stats_free(&st2);
		}
	}
	close(fd);
	return sum == (size_t)-1; /* keep sum alive */
}
