/* evcols.h — the event's columns, declared once (internal to the core).
 *
 * One row per column of the `events` view (and per column that only the
 * index stores, or only a query computes). From these rows come: the
 * CREATE TABLE columns of event_rows and event_audit and the select list of
 * the events view (index_schema.c), the INSERTs and their binds
 * (index_write.c), the query's select list and fill() (query.c), the JSON
 * key and presentation of each column (export.c) and the filter field over
 * it (filter_fields.c), and the columns correlation's replay reads back
 * (correlate_replay.c).
 *
 * Why an X-macro and not a const array: everything it makes is either a
 * string literal the compiler pastes together (the CREATE text stays a
 * static string, no buffer is built at run time, no global is written) or
 * straight-line code (a bind or a column read per column, as hand-written:
 * the INSERT of a 40 MB log runs no loop over a descriptor table). And a
 * row can be picked by name (HS_EVC_JKEY(seq)), which a const array cannot
 * do in a constant expression: the JSON keys and the filter fields keep
 * their published order, not the view's.
 *
 * A row: HS_EVC_<name> (name, st, scol, stype, sdoc, vw, vexpr, vdoc, bk, fk,
 *                       field, jkey, jp, filt, cr)
 *   name   the view's column name (and the enums' suffix)
 *   st     where it is stored: key (n: every table's key), row (event_rows),
 *          aud (event_audit: audit-only, NULL in call traces), qry (nowhere:
 *          a query computes it from other tables)
 *   scol   its column in that table ("format_id": the view reads the name)
 *   stype  SQL type of the stored column
 *   sdoc   the stored column's comment in the CREATE text ("" or " -- ...")
 *   vw     view: a column of `events`; hide: not (stored for the index's
 *          own use, or computed by a query)
 *   vexpr  the view's expression (vw view), or the query's SQL (st qry)
 *   vdoc   the view column's comment ("" or " -- ...")
 *   bk     how the writer binds it from struct hs_event: i64 (HS_NONE =
 *          NULL), i64v (never NULL), int, str ("" = NULL), calc (bound by
 *          hand in index_write.c write_row: a dictionary id, a choice), no
 *          (not written by the INSERT)
 *   fk     how a query fills it back: i64, i64v, int, str (into the char
 *          array, cut to its size), fmt (the detector's static name), calc
 *          (by hand in query.c fill), detail (by hand, the last column: a
 *          list page selects NULL for it), no (not read)
 *   field  the struct hs_event field (include/hsmscope/event.h), _ if none
 *   jkey   the event's JSON key (export.c), NULL if none
 *   jp     its JSON presentation: ji64 (null for HS_NONE), jstr (null for
 *          ""), jbool, jnum (always a number), jcalc (written by hand in
 *          export.c under this key: a time, a path, a derived value), jno
 *          (not in JSON). (Not "bool": <stdbool.h> makes that a macro.)
 *   filt   its filter field as ("name", type, SQL over `events e`,
 *          subquery source or NULL, usable alone, constant prefix or NULL,
 *          help), or () when it has none (see struct hs_ffield)
 *   cr     cr: correlation reads it back when it replays stored events
 *          (correlate_replay.c, filled as fk says), nc: it does not
 *
 * Adding a column: a field in struct hs_event, its row here and its name
 * in HS_EVCOLS at its place in the view; export.c names it where its JSON
 * key goes, filter_fields.c where its filter field goes (both published
 * orders); bump HS_INDEX_SCHEMA_VERSION (the CREATE text changed).
 */
#ifndef HSMSCOPE_EVCOLS_H
#define HSMSCOPE_EVCOLS_H

#define HS_EVC_n (n, key, "n", "INTEGER PRIMARY KEY", "", \
	view, "r.n", " -- number in the merged timeline, from 1", i64v, i64v, n, "n", jnum, \
	("n", T_NUM, "e.n", NULL, 0, NULL, "event number in the timeline"), cr)
#define HS_EVC_file_id (file_id, row, "file_id", "INTEGER NOT NULL", "", \
	view, "r.file_id", " -- files.id", int, int, file_id, "file", jcalc, \
	("file", T_STR, "(SELECT f.path FROM files f WHERE f.id = e.file_id)", NULL, 0, NULL, \
	 "path of the log it came from"), cr)
#define HS_EVC_offset (offset, row, "offset", "INTEGER", "", \
	view, "r.offset", " -- byte offset of the first line", i64v, i64v, offset, "op_id", jcalc, (), nc)
#define HS_EVC_line (line, row, "line", "INTEGER", "", \
	view, "r.line", " -- line number of the first line", i64v, i64v, line, "line", jnum, \
	("line", T_NUM, "e.line", NULL, 0, NULL, "line number in its log"), nc)
#define HS_EVC_format (format, row, "format_id", "INTEGER", " -- formats.id", \
	view, "m.name", " -- parser name", calc, fmt, format, "format", jstr, \
	("format", T_STR, "e.format", NULL, 0, NULL, "parser name: spy, cloudhsm, ..."), cr)
#define HS_EVC_ts_us (ts_us, row, "ts_us", "INTEGER", "", \
	view, "r.ts_us", " -- time, µs since the epoch", i64, i64, ts_us, "ts", jcalc, \
	("ts", T_TIME, "e.ts_us", NULL, 0, NULL, "time: ts > \"2026-11-22 11:23:10.5\""), cr)
#define HS_EVC_ts_utc (ts_utc, row, "ts_utc", "INTEGER", "", \
	view, "r.ts_utc", " -- 1 UTC, 0 local time as recorded", int, int, ts_utc, "ts_zone", jcalc, (), nc)
#define HS_EVC_pid (pid, row, "pid", "INTEGER", "", \
	view, "r.pid", "", i64, i64, pid, "pid", ji64, \
	("pid", T_NUM, "e.pid", NULL, 0, NULL, "process id"), cr)
#define HS_EVC_tid (tid, row, "tid", "INTEGER", "", \
	view, "r.tid", "", i64, i64, tid, "tid", ji64, \
	("tid", T_NUM, "e.tid", NULL, 0, NULL, "thread id"), cr)
#define HS_EVC_instance (instance, row, "instance", "INTEGER", "", \
	view, "r.instance", " -- process instance in its file", i64v, i64v, instance, "proc", jcalc, \
	("proc", T_NUM, "(CASE WHEN e.hsm IS NULL THEN e.instance + 1 END)", NULL, 0, NULL, \
	 "process in the trace, from 1 (p1, p2, ... in grep and the explorer)"), cr)
#define HS_EVC_call_no (call_no, row, "call_no", "INTEGER", "", \
	view, "r.call_no", " -- the tracer's own call number", i64, i64, call_no, "call_no", ji64, (), cr)
#define HS_EVC_func (func, row, "func_id", "INTEGER", " -- funcs.id", \
	view, "f.name", " -- function or opcode name", calc, str, func, "func", jstr, \
	("func", T_STR, "e.func", NULL, 0, NULL, "function or opcode name: func == C_Sign"), cr)
#define HS_EVC_rv (rv, row, "rv", "INTEGER", "", \
	view, "r.rv", " -- return value / response code", i64, i64, rv, "rv", ji64, \
	("rv", T_NUM, "e.rv", NULL, 0, "CKR_", "return value: rv == CKR_PIN_INCORRECT"), cr)
#define HS_EVC_rv_name (rv_name, row, "rv_name", "TEXT", \
	" -- NULL: rv_names' name of rv; '': none; else as read", \
	view, "CASE WHEN r.rv_name IS NULL THEN v.name WHEN r.rv_name <> '' THEN r.rv_name END", \
	" -- CKR_* name or response text", calc, str, rv_name, "rv_name", jstr, \
	("rv_name", T_STR, "e.rv_name", NULL, 0, NULL, "return value name or response text"), cr)
#define HS_EVC_ok (ok, row, "ok", "INTEGER", "", \
	view, "r.ok", " -- 1 success, 0 error", int, int, ok, "ok", jbool, \
	("ok", T_BOOL, "e.ok = 1", NULL, 1, NULL, "the call succeeded"), cr)
#define HS_EVC_incomplete (incomplete, row, "incomplete", "INTEGER", "", \
	view, "r.incomplete", " -- 1 when the call never returned", int, int, incomplete, \
	"incomplete", jbool, ("incomplete", T_BOOL, "e.incomplete = 1", NULL, 1, NULL, \
	                     "the call never returned: neither ok nor error"), cr)
#define HS_EVC_uncertain (uncertain, row, "uncertain", "INTEGER", "", \
	view, "r.uncertain", " -- 1 when the log left more than one call some of its\n" \
	"  --   lines could belong to (no anomaly is drawn from it)", int, int, uncertain, \
	"uncertain", jbool, ("uncertain", T_BOOL, "e.uncertain = 1", NULL, 1, NULL, \
	                    "interleaved threads left more than one call some of its lines could be"), cr)
#define HS_EVC_dur_us (dur_us, row, "dur_us", "INTEGER", "", \
	view, "r.dur_us", " -- duration in µs", i64, i64, dur_us, "dur_ms", jcalc, \
	("dur", T_DUR, "e.dur_us", NULL, 0, NULL, "duration: dur > 1.5ms (us ms s m h; bare: ms)"), nc)
#define HS_EVC_dur_exact (dur_exact, row, "dur_exact", "INTEGER", "", \
	view, "r.dur_exact", " -- 1 from the tracer, 0 estimated", calc, int, dur_exact, \
	"dur_source", jcalc, (), nc)
#define HS_EVC_session (session, row, "session", "INTEGER", "", \
	view, "r.session", " -- session handle", i64, i64, session, "session", ji64, \
	("session", T_NUM, "e.session", NULL, 0, NULL, "session handle"), cr)
#define HS_EVC_slot (slot, row, "slot", "INTEGER", "", \
	view, "r.slot", "", i64, i64, slot, "slot", ji64, \
	("slot", T_NUM, "e.slot", NULL, 0, NULL, "slot id"), cr)
#define HS_EVC_user (user, aud, "user", "TEXT", "", \
	view, "a.user", " -- audit user name", str, str, user, "user", jstr, \
	("user", T_STR, "e.user", NULL, 0, NULL, "audit user name"), cr)
#define HS_EVC_user_type (user_type, row, "user_type", "INTEGER", "", \
	view, "r.user_type", " -- CKU_* / audit user type", i64, i64, user_type, "user_type", ji64, \
	("user_type", T_NUM, "e.user_type", NULL, 0, NULL, "user type: user_type == CKU_SO"), cr)
#define HS_EVC_hsm (hsm, aud, "hsm", "TEXT", "", \
	view, "a.hsm", " -- HSM id", str, str, hsm, "hsm", jstr, \
	("hsm", T_STR, "e.hsm", NULL, 0, NULL, "HSM id of an audit stream"), cr)
#define HS_EVC_seq (seq, aud, "seq", "INTEGER", "", \
	view, "a.seq", " -- audit sequence number", i64, i64, seq, "seq_no", ji64, \
	("seq", T_NUM, "e.seq", NULL, 0, NULL, "audit sequence number"), cr)
#define HS_EVC_reboot (reboot, aud, "reboot", "INTEGER", "", \
	view, "a.reboot", " -- audit reboot counter", i64, i64, reboot, "reboot_counter", ji64, (), cr)
#define HS_EVC_opcode (opcode, aud, "opcode", "INTEGER", "", \
	view, "a.opcode", " -- audit opcode number", i64, i64, opcode, "opcode", ji64, (), cr)
#define HS_EVC_cmd_type (cmd_type, aud, "cmd_type", "INTEGER", "", \
	view, "a.cmd_type", " -- audit command type", i64, i64, cmd_type, "command_type", ji64, (), nc)
#define HS_EVC_log_type (log_type, aud, "log_type", "INTEGER", "", \
	view, "a.log_type", " -- audit log type", i64, i64, log_type, "log_type", ji64, (), cr)
#define HS_EVC_response (response, aud, "response", "TEXT", "", \
	view, "a.response", " -- audit response message", str, str, response, "response_message", \
	jstr, (), nc)
#define HS_EVC_session_id (session_id, row, "session_id", "INTEGER", "", \
	view, "r.session_id", " -- sessions.id it ran in", i64, i64, session_id, "session_id", ji64, \
	("session_id", T_NUM, "e.session_id", NULL, 0, NULL, "session it ran in (correlation)"), nc)
#define HS_EVC_login_id (login_id, row, "login_id", "INTEGER", "", \
	view, "r.login_id", " -- logins.id it ran under", i64, i64, login_id, "login_id", ji64, \
	("login", T_NUM, "e.login_id", NULL, 0, NULL, "login it ran under (correlation)"), nc)
#define HS_EVC_span_id (span_id, row, "span_id", "INTEGER", "", \
	view, "r.span_id", " -- spans.id (C_xxxInit .. Final) it is part of", i64, i64, span_id, \
	"span_id", ji64, \
	("span", T_NUM, "e.span_id", NULL, 0, NULL, "operation Init..Final (correlation)"), nc)
/* A summary read more than once is kept once, in summaries (summary_id) */
#define HS_EVC_summary (summary, row, "summary", "TEXT", " -- NULL: summaries' text of summary_id", \
	view, "coalesce(r.summary, s.text)", " -- one line of interesting arguments", calc, str, \
	summary, "summary", jstr, \
	("summary", T_STR, "e.summary", NULL, 0, NULL, "the one-line argument summary"), nc)
/* Set when files are merged (index.c), read by HS_EVENT_DETAIL_SQL */
#define HS_EVC_dref (dref, row, "dref", "INTEGER", "", \
	view, "r.dref", " -- detail number when not n (files merged), else NULL", no, no, _, NULL, \
	jno, (), nc)
/* The index's own: how event.h's lines are kept, and the summary's id */
#define HS_EVC_nlines (nlines, row, "nlines", "INTEGER", \
	" -- the file's lines the call took (event.h lines, for\n" \
	"  -- the Raw pane): K when they are the run '0+K' (most)", \
	hide, "", "", calc, no, _, NULL, jno, (), nc)
#define HS_EVC_summary_id (summary_id, row, "summary_id", "INTEGER", \
	" -- summaries.id when summary is NULL there", hide, "", "", calc, no, _, NULL, jno, (), nc)
#define HS_EVC_runs (runs, row, "runs", "TEXT", \
	" -- else (nlines NULL) the runs: blank-separated 'R+K'\n" \
	"  -- K lines from line + R, 'R*' a shared line", hide, "", "", calc, no, _, NULL, jno, (), nc)
/* What a query reads from correlation's tables with each event */
#define HS_EVC_peer (peer, qry, "", "", "", \
	hide, "(SELECT min(l.peer) FROM links l WHERE l.n = e.n)", "", no, i64, peer, "peer", jcalc, \
	("peer", T_NUM, "l.peer", "links l WHERE l.n = e.n", 0, NULL, \
	 "n of any linked event (Login<->Logout)"), nc)
#define HS_EVC_anomalies (anomalies, qry, "", "", "", \
	hide, "(SELECT group_concat(a.kind, ',') FROM anomalies a WHERE a.n = e.n)", "", no, str, \
	anomalies, "anomalies", jcalc, \
	("anomaly", T_STR, "a.kind", "anomalies a WHERE a.n = e.n", 1, NULL, \
	 "an anomaly kind; alone: has any"), nc)
/* "role=handle role=handle", parsed by query.c into keys[] */
#define HS_EVC_keys (keys, qry, "", "", "", \
	hide, "(SELECT group_concat(k.role || '=' || k.handle, ' ') FROM event_keys k WHERE k.n = e.n)", \
	"", no, calc, keys, "objects", jcalc, \
	("key", T_NUM, "k.handle", "event_keys k WHERE k.n = e.n", 0, NULL, \
	 "any key or object handle of the call"), nc)
/* The detail text, decompressed from its block (index_detail.c) */
#define HS_EVC_detail (detail, qry, "", "", "", \
	hide, HS_EVENT_DETAIL_SQL, "", no, detail, detail, "template_summary", jcalc, (), nc)

/* The rows in the view's order (which `SELECT * FROM events` shows), then
 * the index's own, then the computed ones. */
#define HS_EVCOLS(X) \
	X(n) X(file_id) X(offset) X(line) X(format) X(ts_us) X(ts_utc) X(pid) X(tid) \
	X(instance) X(call_no) X(func) X(rv) X(rv_name) X(ok) X(incomplete) X(uncertain) \
	X(dur_us) X(dur_exact) X(session) X(slot) X(user) X(user_type) X(hsm) X(seq) \
	X(reboot) X(opcode) X(cmd_type) X(log_type) X(response) X(session_id) X(login_id) \
	X(span_id) X(summary) X(dref) \
	X(nlines) X(summary_id) X(runs) \
	X(peer) X(anomalies) X(keys) X(detail)

/* ---------------------------------------------- machinery */

#define HS_EV_UNPAREN(...) __VA_ARGS__
#define HS_EV_CALL(m, row) m row        /* m(the row's fields) */
#define HS_EV_ROW(m, name) HS_EV_CALL(m, HS_EVC_##name)

/* One field of the row of `name` */
#define HS_EV_F_JKEY(n_, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jkey, jp, ft, cr) jkey
#define HS_EV_F_JP(n_, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) jp
#define HS_EV_F_FIELD(n_, st, sc, sty, sd, vw, ve, vd, bk, fk, field, jk, jp, ft, cr) field
#define HS_EV_F_FILT(n_, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, filt, cr) filt
#define HS_EVC_JKEY(name) HS_EV_ROW(HS_EV_F_JKEY, name)
#define HS_EVC_FIELD(name) HS_EV_ROW(HS_EV_F_FIELD, name)
#define HS_EV_CAT_(a, b) a##b
#define HS_EV_CAT(a, b) HS_EV_CAT_(a, b)

/* The JSON of a column whose presentation is not calc: add_i64, add_str
 * (export.c's helpers), a boolean or a number, under its key. */
#define HS_EVC_JSON(o, e, name) \
	HS_EV_CAT(HS_EVJ_, HS_EV_ROW(HS_EV_F_JP, name))(o, HS_EVC_JKEY(name), (e)->HS_EVC_FIELD(name))
#define HS_EVJ_ji64(o, k, v) add_i64(o, k, v)
#define HS_EVJ_jstr(o, k, v) add_str(o, k, v)
#define HS_EVJ_jbool(o, k, v) cJSON_AddBoolToObject(o, k, v)
#define HS_EVJ_jnum(o, k, v) cJSON_AddNumberToObject(o, k, (double)(v))

/* The filter field over a column, as a struct hs_ffield initializer */
#define HS_EV_BRACE(t) { HS_EV_UNPAREN t }
#define HS_EVC_FFIELD(name) HS_EV_BRACE(HS_EV_ROW(HS_EV_F_FILT, name))

/* Separators: the key (first) column has none. Comma first, so that a
 * column's comment can end its line. */
#define HS_EV_SEP_key "  "
#define HS_EV_SEP_row "\n  , "
#define HS_EV_SEP_aud "\n  , "
#define HS_EV_SEP_qry "\n  , "

/* --- CREATE TABLE event_rows' columns */
#define HS_EV_G_ROWS(n_, st, scol, stype, sdoc, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_ROWS_##st(scol, stype, sdoc)
#define HS_EV_ROWS_key(c, t, d) "  " c " " t d
#define HS_EV_ROWS_row(c, t, d) "\n  , " c " " t d
#define HS_EV_ROWS_aud(c, t, d)
#define HS_EV_ROWS_qry(c, t, d)
#define HS_EV_X_ROWS(name) HS_EV_ROW(HS_EV_G_ROWS, name)
#define HS_EVROWS_COLUMNS_SQL HS_EVCOLS(HS_EV_X_ROWS)

/* --- CREATE TABLE event_audit's columns */
#define HS_EV_G_AUDS(n_, st, scol, stype, sdoc, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_AUDS_##st(scol, stype, sdoc)
#define HS_EV_AUDS_key(c, t, d) "  " c " " t " -- events.n"
#define HS_EV_AUDS_row(c, t, d)
#define HS_EV_AUDS_aud(c, t, d) "\n  , " c " " t d
#define HS_EV_AUDS_qry(c, t, d)
#define HS_EV_X_AUDS(name) HS_EV_ROW(HS_EV_G_AUDS, name)
#define HS_EVAUDIT_COLUMNS_SQL HS_EVCOLS(HS_EV_X_AUDS)

/* --- the events view's select list */
#define HS_EV_G_VIEW(name, st, sc, sty, sd, vw, vexpr, vdoc, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_VIEW_##vw(st, name, vexpr, vdoc)
#define HS_EV_VIEW_view(st, name, vexpr, vdoc) HS_EV_SEP_##st vexpr " AS " #name vdoc
#define HS_EV_VIEW_hide(st, name, vexpr, vdoc)
#define HS_EV_X_VIEW(name) HS_EV_ROW(HS_EV_G_VIEW, name)
#define HS_EVVIEW_SELECT_SQL HS_EVCOLS(HS_EV_X_VIEW)

/* --- INSERT INTO event_rows: columns, placeholders, bind positions */
#define HS_EV_G_ICOL(n_, st, scol, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_ICOL_##st(bk, scol, ", " scol)
/* first: the text of the key column, next: of a later one */
#define HS_EV_ICOL_key(bk, first, next) first
#define HS_EV_ICOL_row(bk, first, next) HS_EV_ICOL_##bk(next)
#define HS_EV_ICOL_aud(bk, first, next)
#define HS_EV_ICOL_qry(bk, first, next)
#define HS_EV_ICOL_i64(next) next
#define HS_EV_ICOL_i64v(next) next
#define HS_EV_ICOL_int(next) next
#define HS_EV_ICOL_str(next) next
#define HS_EV_ICOL_calc(next) next
#define HS_EV_ICOL_no(next)
#define HS_EV_X_ICOL(name) HS_EV_ROW(HS_EV_G_ICOL, name)
#define HS_EV_G_IVAL(n_, st, scol, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_ICOL_##st(bk, "?", ",?")
#define HS_EV_X_IVAL(name) HS_EV_ROW(HS_EV_G_IVAL, name)
#define HS_EVROWS_INSERT_SQL \
	"INSERT INTO event_rows(" HS_EVCOLS(HS_EV_X_ICOL) ") VALUES(" HS_EVCOLS(HS_EV_X_IVAL) ")"
/* HS_EVI_<name>: the column's place in that INSERT, from 0 */
#define HS_EV_G_IENUM(name, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_IENUM_##st(bk, name)
#define HS_EV_IENUM_key(bk, name) HS_EVI_##name,
#define HS_EV_IENUM_row(bk, name) HS_EV_IENUM_##bk(name)
#define HS_EV_IENUM_aud(bk, name)
#define HS_EV_IENUM_qry(bk, name)
#define HS_EV_IENUM_i64(name) HS_EVI_##name,
#define HS_EV_IENUM_i64v(name) HS_EVI_##name,
#define HS_EV_IENUM_int(name) HS_EVI_##name,
#define HS_EV_IENUM_str(name) HS_EVI_##name,
#define HS_EV_IENUM_calc(name) HS_EVI_##name,
#define HS_EV_IENUM_no(name)
#define HS_EV_X_IENUM(name) HS_EV_ROW(HS_EV_G_IENUM, name)
/* Binds of the plain columns: statement st, event e (the calc ones are
 * bound by hand, by their HS_EVI_ place) */
#define HS_EV_G_IBIND(name, st_, sc, sty, sd, vw, ve, vd, bk, fk, field, jk, jp, ft, cr) \
	HS_EV_IBIND_##st_(bk, HS_EVI_##name + 1, field)
#define HS_EV_IBIND_key(bk, i, f) HS_EV_BIND_##bk(i, e->f)
#define HS_EV_IBIND_row(bk, i, f) HS_EV_BIND_##bk(i, e->f)
#define HS_EV_IBIND_aud(bk, i, f)
#define HS_EV_IBIND_qry(bk, i, f)
#define HS_EV_BIND_i64(i, v) bind_i64(st, i, v);
#define HS_EV_BIND_i64v(i, v) sqlite3_bind_int64(st, i, v);
#define HS_EV_BIND_int(i, v) sqlite3_bind_int(st, i, v);
#define HS_EV_BIND_str(i, v) bind_str(st, i, v);
#define HS_EV_BIND_calc(i, v)
#define HS_EV_BIND_no(i, v)
#define HS_EV_X_IBIND(name) HS_EV_ROW(HS_EV_G_IBIND, name)
#define HS_EVROWS_BIND HS_EVCOLS(HS_EV_X_IBIND)

/* --- INSERT INTO event_audit (n first, then the aud rows) */
#define HS_EV_G_ACOL(n_, st, scol, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_ACOL_##st(scol)
#define HS_EV_ACOL_key(c) c
#define HS_EV_ACOL_row(c)
#define HS_EV_ACOL_aud(c) ", " c
#define HS_EV_ACOL_qry(c)
#define HS_EV_X_ACOL(name) HS_EV_ROW(HS_EV_G_ACOL, name)
#define HS_EV_G_AVAL(n_, st, scol, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_AVAL_##st
#define HS_EV_AVAL_key "?"
#define HS_EV_AVAL_row
#define HS_EV_AVAL_aud ",?"
#define HS_EV_AVAL_qry
#define HS_EV_X_AVAL(name) HS_EV_ROW(HS_EV_G_AVAL, name)
#define HS_EVAUDIT_INSERT_SQL \
	"INSERT INTO event_audit(" HS_EVCOLS(HS_EV_X_ACOL) ") VALUES(" HS_EVCOLS(HS_EV_X_AVAL) ")"
#define HS_EV_G_AENUM(name, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_AENUM_##st(name)
#define HS_EV_AENUM_key(name) HS_EVA_##name,
#define HS_EV_AENUM_row(name)
#define HS_EV_AENUM_aud(name) HS_EVA_##name,
#define HS_EV_AENUM_qry(name)
#define HS_EV_X_AENUM(name) HS_EV_ROW(HS_EV_G_AENUM, name)
#define HS_EV_G_ABIND(name, st_, sc, sty, sd, vw, ve, vd, bk, fk, field, jk, jp, ft, cr) \
	HS_EV_ABIND_##st_(bk, HS_EVA_##name + 1, field)
#define HS_EV_ABIND_key(bk, i, f) HS_EV_BIND_##bk(i, e->f)
#define HS_EV_ABIND_row(bk, i, f)
#define HS_EV_ABIND_aud(bk, i, f) HS_EV_BIND_##bk(i, e->f)
#define HS_EV_ABIND_qry(bk, i, f)
#define HS_EV_X_ABIND(name) HS_EV_ROW(HS_EV_G_ABIND, name)
#define HS_EVAUDIT_BIND HS_EVCOLS(HS_EV_X_ABIND)
/* Whether event e has any audit column: "HS_EVAUDIT_ANY 0" */
#define HS_EV_G_AANY(n_, st, sc, sty, sd, vw, ve, vd, bk, fk, field, jk, jp, ft, cr) \
	HS_EV_AANY_##st(bk, field)
#define HS_EV_AANY_key(bk, f)
#define HS_EV_AANY_row(bk, f)
#define HS_EV_AANY_aud(bk, f) HS_EV_HAS_##bk(e->f)
#define HS_EV_AANY_qry(bk, f)
#define HS_EV_HAS_i64(v) (v) != HS_NONE ||
#define HS_EV_HAS_str(v) *(v) ||
#define HS_EV_X_AANY(name) HS_EV_ROW(HS_EV_G_AANY, name)
#define HS_EVAUDIT_ANY HS_EVCOLS(HS_EV_X_AANY)

/* --- a query: the select list over `events e` (detail aside: the caller
 * appends it last), the places, the fill of struct hs_event *e from st */
#define HS_EV_G_QCOL(name, st, sc, sty, sd, vw, vexpr, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_QCOL_##fk(st, vw, name, vexpr)
#define HS_EV_QCOL_i64(st, vw, name, vexpr) HS_EV_QCOLV_##vw(st, name, vexpr)
#define HS_EV_QCOL_i64v(st, vw, name, vexpr) HS_EV_QCOLV_##vw(st, name, vexpr)
#define HS_EV_QCOL_int(st, vw, name, vexpr) HS_EV_QCOLV_##vw(st, name, vexpr)
#define HS_EV_QCOL_str(st, vw, name, vexpr) HS_EV_QCOLV_##vw(st, name, vexpr)
#define HS_EV_QCOL_fmt(st, vw, name, vexpr) HS_EV_QCOLV_##vw(st, name, vexpr)
#define HS_EV_QCOL_calc(st, vw, name, vexpr) HS_EV_QCOLV_##vw(st, name, vexpr)
#define HS_EV_QCOL_detail(st, vw, name, vexpr)
#define HS_EV_QCOL_no(st, vw, name, vexpr)
#define HS_EV_QCOLV_view(st, name, vexpr) HS_EV_QSEP_##st "e." #name
#define HS_EV_QCOLV_hide(st, name, vexpr) ", " vexpr
#define HS_EV_QSEP_key
#define HS_EV_QSEP_row ", "
#define HS_EV_QSEP_aud ", "
#define HS_EV_X_QCOL(name) HS_EV_ROW(HS_EV_G_QCOL, name)
#define HS_EVQUERY_COLS_SQL HS_EVCOLS(HS_EV_X_QCOL)
#define HS_EV_G_QENUM(name, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_QENUM_##fk(name)
#define HS_EV_QENUM_i64(name) HS_EVQ_##name,
#define HS_EV_QENUM_i64v(name) HS_EVQ_##name,
#define HS_EV_QENUM_int(name) HS_EVQ_##name,
#define HS_EV_QENUM_str(name) HS_EVQ_##name,
#define HS_EV_QENUM_fmt(name) HS_EVQ_##name,
#define HS_EV_QENUM_calc(name) HS_EVQ_##name,
#define HS_EV_QENUM_detail(name)
#define HS_EV_QENUM_no(name)
#define HS_EV_X_QENUM(name) HS_EV_ROW(HS_EV_G_QENUM, name)
#define HS_EV_G_FILL(name, st, sc, sty, sd, vw, ve, vd, bk, fk, field, jk, jp, ft, cr) \
	HS_EV_FILL_##fk(HS_EVQ_##name, field)
#define HS_EV_FILL_i64(i, f) e->f = col_i64(st, i);
#define HS_EV_FILL_i64v(i, f) e->f = sqlite3_column_int64(st, i);
#define HS_EV_FILL_int(i, f) e->f = sqlite3_column_int(st, i);
#define HS_EV_FILL_str(i, f) col_str(st, i, e->f, sizeof e->f);
#define HS_EV_FILL_fmt(i, f) e->f = hs_detect_static_name((const char *)sqlite3_column_text(st, i));
#define HS_EV_FILL_calc(i, f)
#define HS_EV_FILL_detail(i, f)
#define HS_EV_FILL_no(i, f)
#define HS_EV_X_FILL(name) HS_EV_ROW(HS_EV_G_FILL, name)
#define HS_EVQUERY_FILL HS_EVCOLS(HS_EV_X_FILL)

/* --- correlation's replay: the columns it reads (bare names over
 * `events`), their places HS_EVR_<name>, the fill of e from st */
#define HS_EV_G_RCOL(name, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_RCOL_##cr(st, name)
#define HS_EV_RCOL_cr(st, name) HS_EV_QSEP_##st #name
#define HS_EV_RCOL_nc(st, name)
#define HS_EV_X_RCOL(name) HS_EV_ROW(HS_EV_G_RCOL, name)
#define HS_EVREPLAY_COLS_SQL HS_EVCOLS(HS_EV_X_RCOL)
#define HS_EV_G_RENUM(name, st, sc, sty, sd, vw, ve, vd, bk, fk, fl, jk, jp, ft, cr) \
	HS_EV_RENUM_##cr(name)
#define HS_EV_RENUM_cr(name) HS_EVR_##name,
#define HS_EV_RENUM_nc(name)
#define HS_EV_X_RENUM(name) HS_EV_ROW(HS_EV_G_RENUM, name)
#define HS_EV_G_RFILL(name, st, sc, sty, sd, vw, ve, vd, bk, fk, field, jk, jp, ft, cr) \
	HS_EV_RFILL_##cr(fk, HS_EVR_##name, field)
#define HS_EV_RFILL_cr(fk, i, f) HS_EV_FILL_##fk(i, f)
#define HS_EV_RFILL_nc(fk, i, f)
#define HS_EV_X_RFILL(name) HS_EV_ROW(HS_EV_G_RFILL, name)
#define HS_EVREPLAY_FILL HS_EVCOLS(HS_EV_X_RFILL)

#endif
