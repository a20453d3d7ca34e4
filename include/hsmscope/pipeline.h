/* pipeline.h — file → reader → parser → redaction → your sink.
 *
 * Ownership: nothing returned here needs freeing; the events handed to the
 * sink belong to the parser and live for the duration of on_event().
 *
 * This is the only way to run a parser: redaction sits between the parser
 * and every consumer (index, export, tests), so no consumer can see an
 * unredacted event.
 */
#ifndef HSMSCOPE_PIPELINE_H
#define HSMSCOPE_PIPELINE_H

#include <signal.h>
#include <stdint.h>

#include "hsmscope/parser.h"
#include "hsmscope/redact.h"

struct hs_pipeline_input {
	const char *path;           /* the log */
	int file_id;                /* stored in its events */
	const struct hs_parser_desc *parser; /* from hs_pipeline_detect() */
	int64_t start_offset;       /* resume here (0 = from the start) */
	int64_t start_line;         /* line number at start_offset (1-based) */
	const char *resume_state;   /* the parser's saved state, or NULL */
	const char *hsm_name;       /* --hsm, or NULL */
	struct hs_redact_opts redact; /* always applied; .data adds data buffers */
	volatile sig_atomic_t *interrupted; /* stop early when set */
	void (*on_progress)(void *ctx, int64_t offset); /* every few MB, may be NULL */
	void *progress_ctx;
	int hold_partial;           /* keep an unterminated last line from the
	                               parser (it may be a write cut mid-line):
	                               the resume point then never passes it */
};

/* Which parser reads path, from its content. Errors (exit 2 material):
 * "binary file", "unrecognised log format (looked like none of: ...)". */
int hs_pipeline_detect(const char *path, const struct hs_parser_desc **out,
                       struct hs_error *err);

/* Run the input through its parser and redaction into sink. Returns 0, 1
 * when interrupted, -1 on an I/O error (err set). st->held_bytes says how
 * many bytes hold_partial kept back. */
int hs_pipeline_run(const struct hs_pipeline_input *in, const struct hs_sink *sink,
                    struct hs_parse_stats *st, struct hs_error *err);
/* The same, with reading, parsing and redaction in a second thread: the
 * sink's callbacks and in->on_progress still run in the caller's thread,
 * in the same order. The thread has ended when this returns, whatever
 * happened; memory stays bounded (a bounded queue between the two). */
int hs_pipeline_run_threaded(const struct hs_pipeline_input *in, const struct hs_sink *sink,
                             struct hs_parse_stats *st, struct hs_error *err);

#endif
