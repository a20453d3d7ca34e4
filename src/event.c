/* event.c — construction and copying of struct hs_event.
 *
 * An event is a flat struct of fixed-size fields plus one growable buffer of
 * detail lines. Resetting keeps that buffer's memory so a parser can reuse
 * one event for millions of calls without allocating per call.
 */
#include "hsmscope/event.h"

#include <stdio.h>
#include <string.h>

#include "hsmscope/ckconst.h"

static void set_empty(struct hs_event *e)
{
	struct hs_buf keep = e->detail, keep_lines = e->lines;

	memset(e, 0, sizeof *e);
	e->detail = keep;
	e->lines = keep_lines;
	hs_buf_clear(&e->detail);
	hs_buf_clear(&e->lines);
	e->ts_us = e->dur_us = HS_NONE;
	e->pid = e->tid = e->call_no = HS_NONE;
	e->rv = e->session = e->slot = e->user_type = HS_NONE;
	e->seq = e->reboot = e->opcode = e->cmd_type = e->log_type = HS_NONE;
	e->session_id = e->login_id = e->span_id = e->peer = HS_NONE;
	e->format = "";
}

void hs_event_init(struct hs_event *e)
{
	hs_buf_init(&e->detail);
	hs_buf_init(&e->lines);
	set_empty(e);
}

void hs_event_reset(struct hs_event *e) { set_empty(e); }

void hs_event_free(struct hs_event *e)
{
	hs_buf_free(&e->detail);
	hs_buf_free(&e->lines);
	set_empty(e);
}

int hs_event_copy(struct hs_event *dst, const struct hs_event *src)
{
	struct hs_buf keep = dst->detail, keep_lines = dst->lines;

	*dst = *src;
	dst->detail = keep;
	dst->lines = keep_lines;
	hs_buf_clear(&dst->detail);
	hs_buf_clear(&dst->lines);
	if (hs_buf_add(&dst->lines, hs_buf_cstr(&src->lines), src->lines.len) < 0)
		return -1;
	return hs_buf_add(&dst->detail, hs_buf_cstr(&src->detail), src->detail.len);
}

int hs_event_add_key(struct hs_event *e, int64_t handle, const char *role)
{
	int i;

	for (i = 0; i < e->nkeys; i++)
		if (e->keys[i].handle == handle && strcmp(e->keys[i].role, role) == 0)
			return 0;
	if (e->nkeys >= HS_MAX_KEYS)
		return 0; /* more handles than we index: the detail lines keep them */
	e->keys[e->nkeys].handle = handle;
	hs_strlcpy(e->keys[e->nkeys].role, role, sizeof e->keys[0].role);
	e->nkeys++;
	return 0;
}

int hs_event_add_line(struct hs_event *e, const char *s, size_t n)
{
	if (e->elided_lines || e->detail.len + n + 1 > HS_EVENT_DETAIL_MAX) {
		e->elided_lines++;
		return 0;
	}
	if (e->detail.len && hs_buf_addc(&e->detail, '\n') < 0)
		return -1;
	return hs_buf_add(&e->detail, s, n);
}

const char *hs_event_hint(const char *func) { return hs_ck_func_hint(func); }

int hs_event_lines_run(struct hs_event *e, int64_t first, int64_t count)
{
	char t[48];
	int k;

	if (count <= 0 || first < e->line)
		return 0;
	k = snprintf(t, sizeof t, "%s%lld+%lld", e->lines.len ? " " : "",
	             (long long)(first - e->line), (long long)count);
	return hs_buf_add(&e->lines, t, (size_t)k);
}
