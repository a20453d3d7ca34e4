/* test_pipeline.c — what the index's refresh relies on below the index:
 * the reader flags a last line without a newline; the pipeline with
 * hold_partial keeps that line from the parser and reports its bytes, so
 * the resume point never passes it (a write cut mid-line is re-read whole
 * later); without hold_partial the line is parsed as it is; and
 * hs_file_hash_range hashes as hs_file_identify does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsmscope/parser.h"
#include "hsmscope/pipeline.h"
#include "hsmscope/reader.h"
#include "harness.h"

extern const struct hs_parser_desc hs_parser_spy;
#define P (&hs_parser_spy)

struct got {
	int events;                 /* events emitted */
	int incomplete;             /* of which without a return */
	char last_rv[256];          /* rv_name of the last one */
};

static int on_event(void *ctx, struct hs_event *e)
{
	struct got *g = ctx;

	g->events++;
	g->incomplete += e->incomplete;
	snprintf(g->last_rv, sizeof g->last_rv, "%s", e->rv_name);
	return 0;
}

static const char whole[] =
	"0: C_Initialize\n"
	"2026-11-22 12:03:09.513\n"
	"[in] pInitArgs = (nil)\n"
	"Returned:  0 CKR_OK\n"
	"\n"
	"1: C_GetSlotList\n"
	"2026-11-22 12:03:09.515\n"
	"Returned:  18 CKR_ATTRIBUTE_TYPE_INVALID\n";

static void write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(s, 1, n, f);
	fclose(f);
}

static void run(const char *path, int hold, struct got *g, struct hs_parse_stats *st)
{
	struct hs_pipeline_input in;
	struct hs_sink sink;
	struct hs_error err;

	memset(g, 0, sizeof *g);
	memset(&sink, 0, sizeof sink);
	sink.ctx = g;
	sink.on_event = on_event;
	memset(&in, 0, sizeof in);
	in.path = path;
	in.parser = P;
	in.hold_partial = hold;
	CHECK(hs_pipeline_run(&in, &sink, st, &err) == 0);
	hs_parse_stats_free(st); /* the counters stay: the tests read those */
}

static void test_reader_flag(const char *path)
{
	struct hs_reader *r;
	struct hs_error err;
	const char *line;
	size_t len;
	int64_t off, no;
	int cut, lines = 0, flagged = 0;

	write_file(path, "a\nbc", 4);
	CHECK(hs_reader_open(path, 0, 1, &r, &err) == 0);
	while (hs_reader_next(r, &line, &len, &off, &no, &cut, &err) == 1) {
		lines++;
		if (hs_reader_unterminated(r))
			flagged = lines;
	}
	hs_reader_close(r);
	CHECK(lines == 2 && flagged == 2);
	write_file(path, "a\nbc\n", 5);
	CHECK(hs_reader_open(path, 0, 1, &r, &err) == 0);
	flagged = 0;
	while (hs_reader_next(r, &line, &len, &off, &no, &cut, &err) == 1)
		flagged |= hs_reader_unterminated(r);
	hs_reader_close(r);
	CHECK(flagged == 0);
}

static void test_hold(const char *path)
{
	/* cut inside the return value's name of the second call */
	size_t cut = strlen(whole) - 12, second = (size_t)(strstr(whole, "1: C_GetSlotList") - whole);
	size_t ret = (size_t)(strstr(whole, "Returned:  18") - whole);
	struct hs_parse_stats st;
	struct got g;

	write_file(path, whole, cut);
	run(path, 1, &g, &st);
	/* the cut return line was not read: the second call is open, and the
	 * resume point is at its header, before the cut line */
	CHECK(g.events == 2 && g.incomplete == 1);
	CHECK(st.held_bytes == (int64_t)(cut - ret));
	CHECK(st.safe_offset == (int64_t)second && st.safe_line == 6);
	/* as the parser sees the file without hold: the line cut short */
	run(path, 0, &g, &st);
	CHECK(g.events == 2 && g.incomplete == 0 && strcmp(g.last_rv, "CKR_ATTRIBUTE_T") == 0);
	CHECK(st.held_bytes == 0);
	/* the whole file: nothing held, the right name */
	write_file(path, whole, strlen(whole));
	run(path, 1, &g, &st);
	CHECK(g.events == 2 && g.incomplete == 0 && strcmp(g.last_rv, "CKR_ATTRIBUTE_TYPE_INVALID") == 0);
	CHECK(st.held_bytes == 0 && st.safe_offset == (int64_t)strlen(whole));
}

static void test_hash_range(const char *path)
{
	struct hs_file_id id;
	struct hs_error err;
	char h[17];

	write_file(path, whole, strlen(whole));
	CHECK(hs_file_identify(path, &id, &err) == 0);
	CHECK(hs_file_hash_range(path, 0, 65536, h, &err) == 0 && strcmp(h, id.head_hash) == 0);
	CHECK(hs_file_hash_range(path, 0, HS_FILE_TAIL, h, &err) == 0 && strcmp(h, id.tail_hash) == 0);
	CHECK(hs_file_hash_range(path, 5, 10, h, &err) == 0 && strcmp(h, id.head_hash) != 0);
}

int main(void)
{
	char path[] = "/tmp/hs_test_pipeline.XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		TEST_END();
	close(fd);
	test_reader_flag(path);
	test_hold(path);
	test_hash_range(path);
	unlink(path);
	TEST_END();
}
