/* shim_int.h — what the two halves of the libpkcs11shim parser share:
 * parse_shim.c (call blocks, threads, instances, the descriptor) and
 * shim_values.c (a call's parameter lines, templates and dumps, written in
 * the spy's layout through p11call.h). Internal to src/: not a public header.
 *
 * Ownership: struct hs_parser is the parser's context, created and freed by
 * parse_shim.c; struct call is owned by the parser's queue (callq.h); the functions
 * here borrow both.
 */
#ifndef HSMSCOPE_SHIM_INT_H
#define HSMSCOPE_SHIM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hsmscope/pbase.h"
#include "hsmscope/chars.h"
#include "hsmscope/callq.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"

#define QMAX 128                /* calls held at once before the oldest is forced out */
#define MAX_INST 64             /* instances remembered for pid lookup */
#define SNAP 6                  /* newest instances saved in the resume state */
#define BYTES_MAX (256 << 10)   /* bytes kept of one buffer: its dump already fills
                                   the detail cap (HS_EVENT_DETAIL_MAX) */
#define LIMBO_MAX (1u << 20)    /* bytes of [out] lines held while their call is unknown */
#define IND "      "            /* the shim's SPACER: 6 blanks */

struct resume_point {
	int64_t offset, line;       /* a call's header line, or the end */
	int64_t ninst;              /* instances so far */
	int n;                      /* entries used in pid[] */
	int64_t pid[SNAP];          /* pids of the newest instances, newest first */
};

enum { PD_NONE, PD_BYTES, PD_ATTR };

/* A buffer or attribute whose value rows are still being read. */
struct pending {
	int kind;                   /* PD_* */
	int out;                    /* an [out] parameter */
	char name[96];              /* spy's parameter name, or the CKA_ name */
	uint64_t type;              /* attribute type, when has_type */
	int has_type;               /* type known (CKA_ name in the tables, or CKA_? (0x..)) */
	int64_t len;                /* length the tracer announced */
	int64_t got;                /* bytes seen in rows so far */
	int masked;                 /* rows were "**": the tracer hid the bytes */
	int style;                  /* 0 none yet, 1 print_generic rows, 2 print_print pairs */
	int print_next;             /* print_print: 1 hex line expected, 2 ascii line */
	int broken;                 /* a row did not fit: write the length only */
	unsigned char *b;           /* kept bytes (owned), at most BYTES_MAX */
	size_t cap;                 /* bytes allocated at b */
};

struct call {
	struct hs_callq_call qc;    /* the event being built, returned: [ret] seen or given up;
	                               first */
	int fields;                 /* header lines seen: 1 pid, 2 ppd, 3 tid, 4 tic */
	int closed;                 /* [lap] (or [toc]) matched it: waits for [ret] */
	uint64_t close_seq;         /* order calls were closed in */
	int section;                /* indented text: 0 none, 1 template, 2 info block */
	int tmpl_out;               /* the open template is an [out] one */
	struct pending pd;          /* value rows in progress */
	struct resume_point res;    /* where a re-parse must start to rebuild this call */
};

struct hs_parser {
	struct hs_pbase b;          /* sink, file id, the open calls (in header order),
	                               counters, stop, line */
	int64_t inst_pid[MAX_INST]; /* pid of instance k at [k % MAX_INST], HS_NONE unknown */
	int64_t ninst;              /* instances so far */
	struct call *cur;           /* took the last header field: gets [in ] lines */
	struct call *last;          /* took the last detail line: gets continuations */
	int64_t toc;                /* a [toc] waiting for its [lap], µs, HS_NONE */
	int64_t toc_line;           /* its line number */
	uint64_t close_seq;         /* calls closed so far */
	struct hs_buf limbo;        /* [out] lines of a call not known yet, '\n'-ended */
	int64_t limbo_lost;         /* lines over LIMBO_MAX, charged to their call */
	int in_limbo;               /* continuation lines follow an [out] in limbo */
};


static inline size_t trim_end(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* Out of memory in a p11call writer: stop rather than lose data silently. */
static inline void chk(struct hs_parser *p, int rc)
{
	if (rc < 0)
		p->b.stop = 1;
}

/* Count a line no call can take (parse_shim.c). */
void hs_shim_skip(struct hs_parser *p, int64_t lineno, int64_t off, const char *why);

/* shim_values.c: a decimal filling s[0..n); a buf_spec "<addr> / <len>". */
int hs_shim_whole_int(const char *s, size_t n, int64_t *v);
int hs_shim_bufspec(const char *s, size_t n, int64_t *len);
/* The value rows of a call: start one, write the one in progress, forget it. */
void hs_shim_pd_open(struct call *c, int kind, int out, const char *name, size_t n, int64_t len);
void hs_shim_flush(struct hs_parser *p, struct call *c);
void hs_shim_pd_clear(struct pending *d);
/* One "[in ] "/"[out] " line (r: the text after the prefix), or one
 * indented line, of call c, translated into the spy's layout. */
void hs_shim_param_line(struct hs_parser *p, struct call *c, int out, const char *r, size_t n,
                     int64_t lineno, int64_t off);
void hs_shim_cont_line(struct hs_parser *p, struct call *c, const char *s, size_t n,
                    int64_t lineno, int64_t off);

#endif
