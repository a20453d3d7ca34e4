/* filter_fields.c — the filter fields: one row per field (name, type, SQL
 * over `events e`, the subquery source of a field with several values,
 * usable alone, required constant prefix, help). A field over one event
 * column is declared with the column, in evcols.h (HS_EVC_FFIELD names it
 * here, in the published order); a field that is no column's (text, object,
 * mech, ...) or a second one over a column (opcode, error) is one row here.
 * --help, `--list fields`, completion and the man page's check read the
 * table through hs_filter_field_name().
 */
#include <stddef.h>

#include "hsmscope/index.h"
#include "evcols.h"
#include "filter_int.h"

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
	HS_EVC_FFIELD(n),
	HS_EVC_FFIELD(ts_us),
	HS_EVC_FFIELD(func),
	{ "opcode",     T_STR,  "e.func",         NULL, 0, NULL,   "same as func" },
	HS_EVC_FFIELD(rv),
	HS_EVC_FFIELD(rv_name),
	HS_EVC_FFIELD(ok),
	{ "error",      T_BOOL, "e.ok = 0",       NULL, 1, NULL,   "the call returned an error; !ok also has incomplete calls" },
	HS_EVC_FFIELD(incomplete),
	HS_EVC_FFIELD(uncertain),
	HS_EVC_FFIELD(pid),
	HS_EVC_FFIELD(instance),
	HS_EVC_FFIELD(tid),
	HS_EVC_FFIELD(session),
	HS_EVC_FFIELD(slot),
	HS_EVC_FFIELD(user),
	HS_EVC_FFIELD(user_type),
	HS_EVC_FFIELD(hsm),
	HS_EVC_FFIELD(seq),
	HS_EVC_FFIELD(keys),
	HS_EVC_FFIELD(dur_us),
	HS_EVC_FFIELD(file_id),
	HS_EVC_FFIELD(format),
	{ "text",       T_STR,  HS_EVENT_TEXT_SQL, NULL, 0, NULL,  "what a bare regex searches" },
	HS_EVC_FFIELD(line),
	HS_EVC_FFIELD(summary),
	HS_EVC_FFIELD(login_id),
	HS_EVC_FFIELD(span_id),
	HS_EVC_FFIELD(session_id),
	HS_EVC_FFIELD(peer),
	HS_EVC_FFIELD(anomalies),
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
