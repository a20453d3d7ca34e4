/* event.h — the normalized event every input format maps to.
 *
 * Ownership: a struct hs_event is owned by whoever declared it; its detail
 * buffer is freed by hs_event_free(). An event handed to a sink callback is
 * the producer's and is valid only during that call: copy what you keep.
 */
#ifndef HSMSCOPE_EVENT_H
#define HSMSCOPE_EVENT_H

#include <stdint.h>

#include "hsmscope/util.h"

#define HS_MAX_KEYS 8           /* key/object handles remembered per event */
#define HS_TEXT_MAX 256         /* bytes of a response or return-code text kept:
                                   every copy of it (lifecycle, stats) is this
                                   size, so none cuts what the event holds */

/* One key or object handle an event names, with the parameter it came from. */
struct hs_handle {
	int64_t handle;             /* the handle value */
	char role[24];              /* "hKey", "hObject", "phKey", "Priv/Secret Key Handle", ... */
};

struct hs_event {
	/* where it came from */
	int file_id;                /* input index in the opened set, 0-based */
	int64_t offset;             /* byte offset of the event's first line */
	int64_t line;               /* 1-based line number of the event's first line */
	const char *format;         /* parser name ("spy", "cloudhsm"); static storage */

	/* when */
	int64_t ts_us;              /* µs since the epoch, HS_NONE if unknown */
	int ts_utc;                 /* 1 when ts_us is UTC; 0 = local wall time as recorded */
	int64_t dur_us;             /* exact duration from the tracer, else HS_NONE */

	/* who */
	int64_t pid;                /* process id, HS_NONE when the format has none */
	int64_t tid;                /* thread id, HS_NONE likewise */
	int64_t instance;           /* process instance in the file (spy banner), 0-based */
	int64_t call_no;            /* the tracer's own call counter, HS_NONE if none */

	/* what */
	char func[64];              /* PKCS#11 function or CloudHSM opcode name */
	int64_t rv;                 /* return value, HS_NONE when none was seen */
	char rv_name[HS_TEXT_MAX];  /* CKR_... or the audit response text ("SUCCESS") */
	int ok;                     /* 1 when rv means success */
	int incomplete;             /* 1 when the call never returned in the log */
	int uncertain;              /* 1 when the log left more than one call some of this
	                               event's lines (or its return) could belong to, and
	                               they differ: correlation draws no anomaly from it */
	int64_t session;            /* session handle, HS_NONE if none */
	int64_t slot;               /* slot id, HS_NONE if none */
	int64_t user_type;          /* CKU_* or audit user type number, HS_NONE */
	char user[64];              /* audit user name, "" if none */
	char hsm[128];              /* HSM id (audit log stream), "" if none */
	int64_t seq;                /* audit sequence number, HS_NONE */
	int64_t reboot;             /* audit reboot counter, HS_NONE */
	int64_t opcode;             /* audit opcode number, HS_NONE */
	int64_t cmd_type;           /* audit command type number, HS_NONE */
	int64_t log_type;           /* audit log type number, HS_NONE */
	char response[HS_TEXT_MAX]; /* audit response message, "" if none */
	struct hs_handle keys[HS_MAX_KEYS]; /* handles the event names */
	int nkeys;                  /* entries used in keys */
	char summary[256];          /* one line: the interesting arguments */

	/* filled by the index and correlation, never by a parser */
	int64_t n;                  /* number in the merged timeline, 1-based; 0 = not yet */
	int dur_exact;              /* 1 when dur_us came from the tracer, 0 estimated */
	int64_t session_id;         /* correlated session (index row id), HS_NONE */
	int64_t login_id;           /* correlated login span, HS_NONE */
	int64_t span_id;            /* correlated operation span, HS_NONE */
	int64_t peer;               /* n of the partner event (Login<->Logout, ...), HS_NONE */
	char anomalies[128];        /* comma-separated anomaly kinds, "" if none */
	char hint[96];              /* what the call does (from hs_event_hint) */

	/* the decoded detail lines, '\n'-separated, indentation kept as the
	 * structure (a deeper indent is a child of the line above) */
	struct hs_buf detail;       /* owned by the event; at most HS_EVENT_DETAIL_MAX
	                               bytes: further lines are counted, not kept */
	int64_t elided_lines;       /* detail lines over that cap */
	int64_t skipped_lines;      /* unparsable lines met while reading it */

	/* Which of the file's lines are this event's own, so a viewer can show
	 * the file around it with them picked out (a call's lines may lie among
	 * other threads' lines). Text: blank-separated runs "R+K" (K lines from
	 * line + R) or "R*" (one line the event shares with another, which wrote
	 * on the same line), R counted from `line` at `offset`, or from the line
	 * a first token "@OFFSET:LINE" names (a call with lines above its
	 * header). "" = not recorded (a parser of events that are no calls, or an
	 * index of an older version). Owned
	 * by the event, like detail. */
	struct hs_buf lines;
};

void hs_event_init(struct hs_event *e);     /* all fields empty / HS_NONE */
void hs_event_reset(struct hs_event *e);    /* like init, keeps detail's memory */
void hs_event_free(struct hs_event *e);
int hs_event_copy(struct hs_event *dst, const struct hs_event *src); /* -1 OOM */
int hs_event_add_key(struct hs_event *e, int64_t handle, const char *role);
/* The detail kept per event: a hex dump of a million lines must not cost a
 * million lines of memory, index and screen. The rest is counted. */
#define HS_EVENT_DETAIL_MAX (1u << 20)

/* Append one detail line (without its newline); past HS_EVENT_DETAIL_MAX
 * the line is only counted in elided_lines. -1 on OOM. */
int hs_event_add_line(struct hs_event *e, const char *s, size_t n);

/* Append the run of count lines from the file's line `first` (>= e->line)
 * to e->lines as " R+K". -1 on OOM; a run above e->line is not kept. */
int hs_event_lines_run(struct hs_event *e, int64_t first, int64_t count);

/* One line saying what a function or opcode does ("" when unknown). */
const char *hs_event_hint(const char *func);

#endif
