/* pipeline.c — drives one input through reader, parser and redaction.
 *
 * The sink the caller gives is wrapped: the parser emits into `wrap`, which
 * redacts the event in place and only then forwards it. Detection reads the
 * first 64 KiB once; a NUL byte there means a binary file.
 */
#include "hsmscope/pipeline.h"

#include <string.h>

#include "hsmscope/codec.h"
#include "hsmscope/detect.h"
#include "hsmscope/reader.h"

#define HEAD_BYTES 65536

struct wrap {
	const struct hs_sink *user; /* the caller's sink */
	const struct hs_redact_opts *redact;
};

static int wrap_event(void *ctx, struct hs_event *ev)
{
	struct wrap *w = ctx;

	hs_redact_event(ev, w->redact);
	/* say what the detail cap dropped, after redaction saw what was kept */
	if (ev->elided_lines)
		hs_buf_printf(&ev->detail, "\n[hsmscope: %lld more detail lines not kept: over %u KiB]",
		              (long long)ev->elided_lines, HS_EVENT_DETAIL_MAX >> 10);
	return w->user->on_event(w->user->ctx, ev);
}

static void wrap_skip(void *ctx, int64_t lineno, int64_t offset, const char *why)
{
	struct wrap *w = ctx;

	if (w->user->on_skip)
		w->user->on_skip(w->user->ctx, lineno, offset, why);
}

static void wrap_tracer_stat(void *ctx, const struct hs_tracer_stat *ts)
{
	struct wrap *w = ctx;

	if (w->user->on_tracer_stat)
		w->user->on_tracer_stat(w->user->ctx, ts);
}

int hs_pipeline_detect(const char *path, const struct hs_parser_desc **out,
                       struct hs_error *err)
{
	static const size_t cap = HEAD_BYTES;
	char head[HEAD_BYTES + 1];
	const char *lines[HS_DETECT_LINES];
	size_t got = 0;
	int n = 0;
	char *p;

	struct hs_error damage;
	enum hs_codec_kind codec = HS_CODEC_NONE;

	if (hs_file_head(path, head, cap, &got, err) < 0)
		return -1;
	/* damaged compressed data in the head: if the good part does not
	 * make a log, the damage is what to say, not the format */
	damage = *err;
	hs_error_clear(err);
	{
		char magic[16];
		size_t mg = 0;
		if (hs_file_raw_head(path, magic, sizeof magic, &mg, err) == 0)
			codec = hs_codec_sniff((const unsigned char *)magic, mg);
		hs_error_clear(err);
	}
	if (got == 0 && !damage.msg[0]) {
		if (codec)
			hs_error_set(err, path, 0, 0, "%s data holds nothing: the log is empty",
			             hs_codec_name(codec));
		else
			hs_error_set(err, path, 0, 0, "is empty");
		return -1;
	}
	/* binary: many bytes no text log has. A few NULs or control bytes in
	 * a log (a pasted terminal session, a crashed writer) are the parser's
	 * to skip, not a reason to refuse the good lines around them. */
	{
		size_t odd = 0;
		for (size_t i = 0; i < got; i++) {
			unsigned char c = (unsigned char)head[i];
			odd += c == 0 || (c < 0x20 && !strchr("\t\n\r\f\v\033", c));
		}
		if (odd * 10 > got && damage.msg[0]) {
			*err = damage;
			return -1;
		}
		if (odd * 10 > got) {
			hs_error_set(err, path, 0, 0, "binary file (%zu%% NUL or control bytes), not a text log",
			             odd * 100 / got);
			return -1;
		}
	}
	head[got] = '\0';
	/* classic Mac line ends: the reader splits on LF only, so say so */
	if (got > 0 && !memchr(head, '\n', got) && memchr(head, '\r', got)) {
		hs_error_set(err, path, 0, 0, "lines end with a lone CR (old Mac style), not LF");
		hs_error_hint(err, "convert it first: tr '\\r' '\\n' < FILE > FILE.log");
		return -1;
	}
	/* split into lines in place; a line cut by the 64 KiB limit still counts */
	p = head;
	while (n < HS_DETECT_LINES && *p) {
		char *nl = strchr(p, '\n');
		lines[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = nl + 1;
	}
	*out = hs_detect(lines, n, NULL);
	if (!*out && damage.msg[0]) {
		*err = damage;
		return -1;
	}
	if (!*out) {
		struct hs_buf names;
		hs_buf_init(&names);
		hs_detect_names(&names);
		hs_error_set(err, path, 0, 0, "unrecognised log format (%s%slooked like none of: %s)",
		             codec ? hs_codec_name(codec) : "", codec ? " data; " : "", hs_buf_cstr(&names));
		hs_error_hint(err, "'hsmscope --help' lists the formats; man hsmscope says how to record each");
		hs_buf_free(&names);
		return -1;
	}
	return 0;
}

int hs_pipeline_run(const struct hs_pipeline_input *in, const struct hs_sink *sink,
                    struct hs_parse_stats *st, struct hs_error *err)
{
	struct wrap w = { sink, &in->redact };
	struct hs_sink ws = { .ctx = &w, .on_event = wrap_event, .on_skip = wrap_skip,
	                      .on_tracer_stat = wrap_tracer_stat };
	struct hs_parser_opts po = { in->file_id, in->path, in->hsm_name };
	struct hs_reader *r = NULL;
	struct hs_parser *p;
	const char *line;
	size_t len;
	int64_t off = in->start_offset, lineno = in->start_line, next_progress = 0;
	int64_t end_off = -1, end_line = 0, held = 0;
	int cut, rc = 0, got;

	memset(st, 0, sizeof *st);
	p = in->parser->create(&ws, &po);
	if (!p) {
		hs_error_set(err, in->path, 0, 0, "out of memory");
		return -1;
	}
	if (in->resume_state && in->parser->resume)
		in->parser->resume(p, in->resume_state);
	if (hs_reader_open(in->path, in->start_offset, in->start_line > 0 ? in->start_line : 1,
	                   &r, err) < 0) {
		in->parser->destroy(p);
		return -1;
	}
	while ((got = hs_reader_next(r, &line, &len, &off, &lineno, &cut, err)) == 1) {
		if (cut && sink->on_skip)
			sink->on_skip(sink->ctx, lineno, off, "line longer than 32 MiB cut");
		if (in->hold_partial && hs_reader_unterminated(r)) {
			/* the parse ends before this line, as if it were not there */
			end_off = off;
			end_line = lineno;
			held = hs_reader_offset(r) - off;
			break;
		}
		if (in->parser->feed_line(p, line, len, off, lineno))
			break;
		if (off >= next_progress) {
			if (in->interrupted && *in->interrupted) {
				rc = 1;
				break;
			}
			if (in->on_progress)
				in->on_progress(in->progress_ctx, hs_reader_file_pos(r));
			next_progress = off + (4 << 20);
		}
	}
	if (got < 0)
		rc = -1;
	if (end_off < 0) {
		end_off = hs_reader_offset(r);
		end_line = hs_reader_lineno(r);
	}
	in->parser->finish(p, end_off, end_line, st);
	st->held_bytes = held;
	in->parser->destroy(p);
	hs_reader_close(r);
	return rc;
}
