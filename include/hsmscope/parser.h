/* parser.h — the one interface every input format implements, and the sink
 * every parser emits into.
 *
 * Ownership: a parser context is created by its descriptor's create() and
 * freed by its destroy(); events passed to the sink belong to the parser and
 * live only for the duration of the on_event() call.
 *
 * Call order, for one input: create() → feed_line() for every line in order
 * → finish() once at end of input → destroy(). Lines are passed without
 * their line terminator ("\n" or "\r\n"); `offset` is the byte offset of the
 * line's first byte and `lineno` its 1-based number. A parser emits each
 * event exactly once, in the order its calls began in the file, through
 * sink->on_event(); it never touches SQLite, redaction or the terminal.
 *
 * Adding a format is one file defining a `const struct hs_parser_desc` and
 * one line in the registry table in detect.c.
 */
#ifndef HSMSCOPE_PARSER_H
#define HSMSCOPE_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/event.h"
#include "hsmscope/util.h"

/* A tracer's own per-function totals, as some tracers print when the
 * traced process ends (the NSS module logger's timing table). */
struct hs_tracer_stat {
	int file_id;                /* the input's file_id (hs_parser_opts) */
	int64_t offset;             /* byte offset of the table row */
	char func[64];              /* "C_Xxx" */
	int64_t calls;              /* calls the tracer counted, HS_NONE unknown */
	int64_t total_us;           /* time it measured in them, µs, HS_NONE unknown */
};

struct hs_sink {
	void *ctx;                  /* the consumer's state, passed back */
	/* One finished event. Return 0 to go on, non-zero to stop reading. */
	int (*on_event)(void *ctx, struct hs_event *ev);
	/* Lines the parser could not place (prose, prompts, garbage): counted,
	 * never fatal. May be NULL. */
	void (*on_skip)(void *ctx, int64_t lineno, int64_t offset, const char *why);
	/* One row of a tracer's own totals; valid during the call. Several
	 * tables in one file (several processes) add up. May be NULL. */
	void (*on_tracer_stat)(void *ctx, const struct hs_tracer_stat *ts);
};

/* What a parser reports when it has consumed everything. */
struct hs_parse_stats {
	int64_t events;             /* events emitted */
	int64_t skipped;            /* lines that were not part of any event */
	int64_t incomplete;         /* events emitted without a return */
	int64_t safe_offset;        /* byte offset up to which every event is final:
	                               a refresh re-parses from here */
	int64_t safe_line;          /* line number at safe_offset (1-based) */
	char *state;                /* owned: the resume state to pass to resume()
	                               (key=value words of any length, pbase.h), ""
	                               none, NULL before finish() or out of memory;
	                               freed by hs_parse_stats_free() */
	int64_t held_bytes;         /* set by the pipeline, not the parser: bytes
	                               of an unterminated last line not parsed */
};

/* Frees st->state (NULL after); the counters stay. */
void hs_parse_stats_free(struct hs_parse_stats *st);

struct hs_parser;               /* a parser's private context */

/* What a parser is told about its input. */
struct hs_parser_opts {
	int file_id;                /* stored in every event's file_id */
	const char *path;           /* the input's path, for messages and for
	                               formats that name a stream after the file */
	const char *hsm_name;       /* --hsm: HSM id for audit text, or NULL */
};

struct hs_parser_desc {
	const char *name;           /* short id stored in the index ("spy") */
	const char *title;          /* for messages ("OpenSC pkcs11-spy") */
	int call_trace;             /* 1: events are calls made by threads, and a
	                               call without an exact duration gets the time
	                               to its thread's next call as an estimate */
	/* Score 0..100 how much the first lines look like this format (a
	 * probe may add evidence past 100: the registry takes it as 100).
	 * NULL when line_score is set: most formats score each line on its
	 * own, and hs_detect_probe() adds the scores up. */
	int (*probe)(const char *const *lines, int nlines);
	int (*line_score)(const char *line, size_t len); /* len without trailing blanks, CR */
	struct hs_parser *(*create)(const struct hs_sink *sink,
	                            const struct hs_parser_opts *opts); /* NULL: OOM */
	/* Restore the state saved in a previous run's stats.state. */
	void (*resume)(struct hs_parser *p, const char *state);
	int (*feed_line)(struct hs_parser *p, const char *line, size_t len,
	                 int64_t offset, int64_t lineno); /* non-zero: stop */
	void (*finish)(struct hs_parser *p, int64_t end_offset, int64_t end_line,
	               struct hs_parse_stats *st);
	void (*destroy)(struct hs_parser *p);
	const char *const *samples; /* NULL-terminated lines of a sample that
	                               make check runs through detection */
};

/* Defines `const struct hs_parser_desc hs_parser_<name>` (its name the
 * string "<name>") from the parser's static functions, which follow one
 * naming: <prefix>_probe, _create, _resume, _feed, _finish, _destroy and
 * the lines <prefix>_samples. Each parser ends with one line of it:
 *     HS_PARSER_DESC(tpm2, tpm2, "tpm2-pkcs11 debug log", 1);
 * call_trace as in struct hs_parser_desc. A parser that scores each line on
 * its own has <prefix>_line_score instead of _probe and ends with
 * HS_PARSER_DESC_BY_LINE(...), the same arguments. */
#define HS_PARSER_DESC_(name_, prefix, title_, call_trace_, probe_field, probe_fn)    \
	const struct hs_parser_desc hs_parser_##name_ = {                             \
		.name = #name_, .title = title_, .call_trace = call_trace_,           \
		.probe_field = probe_fn, .create = prefix##_create,                   \
		.resume = prefix##_resume, .feed_line = prefix##_feed,                \
		.finish = prefix##_finish, .destroy = prefix##_destroy,               \
		.samples = prefix##_samples,                                          \
	}
#define HS_PARSER_DESC(name_, prefix, title_, call_trace_)                          \
	HS_PARSER_DESC_(name_, prefix, title_, call_trace_, probe, prefix##_probe)
#define HS_PARSER_DESC_BY_LINE(name_, prefix, title_, call_trace_)                  \
	HS_PARSER_DESC_(name_, prefix, title_, call_trace_, line_score, prefix##_line_score)

#endif
