/* filter_fields.c — the filter fields: one row per field (name, type, SQL
 * over `events e`, the subquery source of a field with several values,
 * usable alone, required constant prefix, help). A new field is one row
 * here; --help, `--list fields`, completion and the man page's check read
 * the table through hs_filter_field_name().
 */
#include <stddef.h>

#include "hsmscope/index.h"
#include "filter_int.h"

#define EVENT_KEYS "event_keys k WHERE k.n = e.n"
#define LINKS      "links l WHERE l.n = e.n"
#define ANOMALIES  "anomalies a WHERE a.n = e.n"
/* Each handle the call names, joined to the object it denoted at that point
 * of the trace (handles are reused: the object whose life covers e.n), and
 * crossed with three "which name" rows so one test sees handle, label, ID. */
#define OBJECTS "event_keys k LEFT JOIN objects o ON o.file_id = e.file_id" \
	" AND o.handle = k.handle AND o.instance IS e.instance AND o.hsm IS e.hsm" \
	" AND e.n BETWEEN coalesce(o.created_n, o.found_n, 0)" \
	" AND coalesce(o.destroyed_n, o.last_n, e.n)" \
	" JOIN (SELECT 0 AS w UNION ALL SELECT 1 UNION ALL SELECT 2) x WHERE k.n = e.n"
/* What the call's detail names (index_write.c stores it from the detail
 * reader): its mechanism, and each template attribute with the value when
 * it is no secret (see hs_detail_params). */
#define PARAMS_MECH  "event_params p WHERE p.n = e.n AND p.attr = 0"
#define PARAMS_ATTR  "event_params p WHERE p.n = e.n AND p.attr = 1"
#define PARAMS_LABEL "event_params p WHERE p.n = e.n AND p.attr = 1 AND p.type = 3" /* CKA_LABEL */
#define OBJECT_NAME "CASE x.w WHEN 0 THEN CAST(k.handle AS TEXT) WHEN 1 THEN o.label ELSE o.obj_id END"

/* One row per field. Columns: name, type, SQL, subquery source of a field
 * with several values, usable alone, required constant prefix, help. */
static const struct hs_ffield fields[] = {
	{ "n",          T_NUM,  "e.n",            NULL, 0, NULL,   "event number in the timeline" },
	{ "ts",         T_TIME, "e.ts_us",        NULL, 0, NULL,   "time: ts > \"2026-11-22 11:23:10.5\"" },
	{ "func",       T_STR,  "e.func",         NULL, 0, NULL,   "function or opcode name: func == C_Sign" },
	{ "opcode",     T_STR,  "e.func",         NULL, 0, NULL,   "same as func" },
	{ "rv",         T_NUM,  "e.rv",           NULL, 0, "CKR_", "return value: rv == CKR_PIN_INCORRECT" },
	{ "rv_name",    T_STR,  "e.rv_name",      NULL, 0, NULL,   "return value name or response text" },
	{ "ok",         T_BOOL, "e.ok = 1",       NULL, 1, NULL,   "the call succeeded" },
	{ "error",      T_BOOL, "e.ok = 0",       NULL, 1, NULL,   "the call returned an error; !ok also has incomplete calls" },
	{ "incomplete", T_BOOL, "e.incomplete = 1", NULL, 1, NULL, "the call never returned: neither ok nor error" },
	{ "uncertain",  T_BOOL, "e.uncertain = 1", NULL, 1, NULL, "interleaved threads left more than one call some of its lines could be" },
	{ "pid",        T_NUM,  "e.pid",          NULL, 0, NULL,   "process id" },
	{ "proc",       T_NUM,  "(CASE WHEN e.hsm IS NULL THEN e.instance + 1 END)", NULL, 0, NULL,
	  "process in the trace, from 1 (p1, p2, ... in grep and the explorer)" },
	{ "tid",        T_NUM,  "e.tid",          NULL, 0, NULL,   "thread id" },
	{ "session",    T_NUM,  "e.session",      NULL, 0, NULL,   "session handle" },
	{ "slot",       T_NUM,  "e.slot",         NULL, 0, NULL,   "slot id" },
	{ "user",       T_STR,  "e.user",         NULL, 0, NULL,   "audit user name" },
	{ "user_type",  T_NUM,  "e.user_type",    NULL, 0, NULL,   "user type: user_type == CKU_SO" },
	{ "hsm",        T_STR,  "e.hsm",          NULL, 0, NULL,   "HSM id of an audit stream" },
	{ "seq",        T_NUM,  "e.seq",          NULL, 0, NULL,   "audit sequence number" },
	{ "key",        T_NUM,  "k.handle", EVENT_KEYS, 0, NULL,   "any key or object handle of the call" },
	{ "dur",        T_DUR,  "e.dur_us",       NULL, 0, NULL,   "duration: dur > 1.5ms (us ms s m h; bare: ms)" },
	{ "file",       T_STR,  "(SELECT f.path FROM files f WHERE f.id = e.file_id)", NULL, 0, NULL,
	  "path of the log it came from" },
	{ "format",     T_STR,  "e.format",       NULL, 0, NULL,   "parser name: spy, cloudhsm, ..." },
	{ "text",       T_STR,  HS_EVENT_TEXT_SQL, NULL, 0, NULL,  "what a bare regex searches" },
	{ "line",       T_NUM,  "e.line",         NULL, 0, NULL,   "line number in its log" },
	{ "summary",    T_STR,  "e.summary",      NULL, 0, NULL,   "the one-line argument summary" },
	{ "login",      T_NUM,  "e.login_id",     NULL, 0, NULL,   "login it ran under (correlation)" },
	{ "span",       T_NUM,  "e.span_id",      NULL, 0, NULL,   "operation Init..Final (correlation)" },
	{ "session_id", T_NUM,  "e.session_id",   NULL, 0, NULL,   "session it ran in (correlation)" },
	{ "peer",       T_NUM,  "l.peer",      LINKS, 0, NULL,     "n of any linked event (Login<->Logout)" },
	{ "anomaly",    T_STR,  "a.kind",  ANOMALIES, 1, NULL,     "an anomaly kind; alone: has any" },
	{ "object",     T_OBJ,  OBJECT_NAME, OBJECTS, 0, NULL,    "an object it names, by label, ID (hex) or handle" },
	{ "mech",       T_STR,  "p.name",  PARAMS_MECH, 0, NULL,   "its mechanism: mech == CKM_SHA256_RSA_PKCS" },
	{ "attr",       T_STR,  "p.name",  PARAMS_ATTR, 0, NULL,   "an attribute its templates name: attr == CKA_SIGN" },
	{ "label",      T_STR,  "p.value", PARAMS_LABEL, 0, NULL,  "CKA_LABEL in its templates: label == \"my-key\"" },
};

const struct hs_ffield *hs_filter_field_nth(int i)
{
	if (i < 0 || (size_t)i >= sizeof fields / sizeof fields[0])
		return NULL;
	return &fields[i];
}
