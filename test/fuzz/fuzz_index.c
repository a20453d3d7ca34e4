/* fuzz_index.c — libFuzzer target: the input as a log, through the whole
 * indexing path — detection, parsing, redaction, correlation, the SQLite
 * writer — into an index in memory-backed /dev/shm, then the statistics,
 * the lifecycle tree and a JSON export of everything. Slower than
 * fuzz_parse, and it reaches what only whole traces reach.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hsmscope/export.h"
#include "hsmscope/index.h"
#include "hsmscope/lifecycle.h"
#include "hsmscope/stats.h"

static int walk(void *ctx, const struct hs_lc_node *n, int depth)
{
	*(size_t *)ctx += strlen(n->label) + (size_t)depth;
	return depth > 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_index_opts o;
	struct hs_index *ix;
	struct hs_error err;
	struct hs_stats s;
	char path[64], ipath[96];
	const char *paths[1];
	size_t sum = 0;
	FILE *null;
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	snprintf(ipath, sizeof ipath, "/dev/shm/hsfuzz-%d.db", (int)getpid());
	paths[0] = path;
	memset(&o, 0, sizeof o);
	o.index_path = ipath;
	o.rebuild = 1;
	o.hsm_name = "hsm-fuzz";
	if (hs_index_open(paths, 1, &o, &ix, &err) == 0) {
		if (hs_stats_compute(ix, NULL, &s, &err) == 0)
			hs_stats_free(&s);
		(void)hs_lc_walk(ix, walk, &sum, &err);
		if ((null = fopen("/dev/null", "w")) != NULL) {
			(void)hs_export_events(ix, NULL, HS_EXPORT_NDJSON, null, &err);
			fclose(null);
		}
		hs_index_close(ix);
	}
	unlink(ipath);
	close(fd);
	return sum == (size_t)-1;
}
