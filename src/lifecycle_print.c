/* lifecycle_print.c — the lifecycle tree as `hsmscope sessions` prints it:
 * indented text for a person, or JSON ({"roots": [node, ...]}, each node
 * with its "children"; share/schema/sessions.schema.json) for scripts. The
 * tree is walked depth first with hs_lc_walk(), one cursor per level, and
 * written as it goes: memory does not grow with the trace. Operations are
 * shown, not their calls. Log text is escaped (hs_escape) in both forms.
 */
#include "hsmscope/lifecycle.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>


struct tree_out {
	int json;                   /* 0 text, 1 json */
	const char *tz;             /* --tz zone, NULL unknown */
	int open;                   /* json: nodes whose "children" array is open */
	int first[16];              /* json: no node printed yet at this depth */
	FILE *out;                  /* not owned */
};

static void fputc_out(struct tree_out *t, int ch)
{
	fputc(ch, t->out);
}

/* One node of the lifecycle tree; operations are shown, not their calls. */
static int tree_node(void *ctx, const struct hs_lc_node *nd, int depth)
{
	struct tree_out *t = ctx;
	int descend = nd->has_children && nd->kind != HS_LC_SPAN && nd->kind != HS_LC_CALLS &&
	              depth < 14;
	char a[48], b[48];

	if (t->json) {
		cJSON *o = cJSON_CreateObject();
		char *js;
		size_t len;
		while (t->open > depth) {
			fputs("]}", t->out);
			t->open--;
		}
		if (!o)
			return -1;
		cJSON_AddStringToObject(o, "kind", hs_lc_kind_name(nd->kind));
		cJSON_AddStringToObject(o, "label", nd->label);
		cJSON_AddStringToObject(o, "state", nd->state);
		cJSON_AddNumberToObject(o, "first_n", (double)nd->first_n);
		cJSON_AddNumberToObject(o, "last_n", (double)nd->last_n);
		hs_format_iso_zoned(nd->first_ts, nd->ts_utc, t->tz != NULL, a, sizeof a);
		hs_format_iso_zoned(nd->last_ts, nd->ts_utc, t->tz != NULL, b, sizeof b);
		if (nd->first_ts == HS_NONE)
			cJSON_AddNullToObject(o, "first_ts");
		else
			cJSON_AddStringToObject(o, "first_ts", a);
		if (nd->last_ts == HS_NONE)
			cJSON_AddNullToObject(o, "last_ts");
		else
			cJSON_AddStringToObject(o, "last_ts", b);
		if (nd->first_ts == HS_NONE)
			cJSON_AddNullToObject(o, "ts_zone");
		else
			cJSON_AddStringToObject(o, "ts_zone", nd->ts_utc ? "UTC" : t->tz ? t->tz : "local");
		cJSON_AddNumberToObject(o, "calls", (double)nd->calls);
		cJSON_AddNumberToObject(o, "errors", (double)nd->errors);
		cJSON_AddBoolToObject(o, "open_end", nd->open_end);
		cJSON_AddStringToObject(o, "filter", nd->filter);
		if (nd->anomalies[0])
			cJSON_AddStringToObject(o, "anomalies", nd->anomalies);
		js = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!js)
			return -1;
		len = strlen(js);
		js[len - 1] = '\0'; /* the closing brace: children may follow */
		fprintf(t->out, "%s\n", t->first[depth] ? "" : ",");
		hs_json_puts(t->out, js);
		cJSON_free(js);
		t->first[depth] = 0;
		if (descend) {
			fputs(",\"children\":[", t->out);
			t->open = depth + 1;
			t->first[depth + 1] = 1;
			return 0;
		}
		fputs("}", t->out);
		return 1;
	}
	hs_format_ts(nd->first_ts, a, sizeof a, 0);
	hs_format_ts(nd->last_ts, b, sizeof b, 0);
	fprintf(t->out, "%*s", depth * 2, "");
	hs_escape_puts(t->out, nd->label);
	if (nd->first_n != nd->last_n)
		fprintf(t->out, "  #%lld-%lld", (long long)nd->first_n, (long long)nd->last_n);
	else
		fprintf(t->out, "  #%lld", (long long)nd->first_n);
	if (nd->first_ts != HS_NONE)
		fprintf(t->out, "  %s%s%s", a, nd->last_ts != nd->first_ts ? " .. " : "",
		       nd->last_ts == nd->first_ts ? "" : strncmp(a, b, 11) == 0 ? b + 11 : b);
	if (nd->kind != HS_LC_CALL)
		fprintf(t->out, "  %lld call%s", (long long)nd->calls, nd->calls == 1 ? "" : "s");
	if (nd->errors && nd->kind != HS_LC_CALL)
		fprintf(t->out, ", %lld error%s", (long long)nd->errors, nd->errors == 1 ? "" : "s");
	if (nd->state[0] && nd->kind != HS_LC_CALL) {
		fputs("  ", t->out);
		hs_escape_puts(t->out, nd->state);
	}
	if (nd->open_end)
		fputs("  [open end]", t->out);
	if (nd->anomalies[0]) {
		fputs("  [", t->out);
		hs_escape_puts(t->out, nd->anomalies);
		fputc_out(t, ']');
	}
	fputc_out(t, '\n');
	return descend ? 0 : 1;
}

int hs_lc_print(struct hs_index *ix, int json, FILE *out, struct hs_error *err)
{
	struct tree_out t;
	int rc;

	memset(&t, 0, sizeof t);
	t.json = json;
	t.out = out;
	t.tz = hs_index_info(ix)->tz;
	t.first[0] = 1;
	if (t.json)
		fputs("{\"roots\":[", out);
	else if (t.tz)
		fprintf(out, "(local times are %s)\n", t.tz);
	else
		fputs("(times: UTC where the log says so, else local time as recorded, zone unknown)\n", out);
	rc = hs_lc_walk(ix, tree_node, &t, err);
	if (t.json) {
		while (t.open-- > 0)
			fputs("]}", out);
		fputs("\n]}\n", out);
	}
	return rc;
}
