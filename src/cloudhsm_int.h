/* cloudhsm_int.h — what the two halves of the CloudHSM parser share:
 * parse_cloudhsm.c (text blocks and one-line events, the descriptor) and
 * cloudhsm_json.c (the streaming JSON scanner, whose messages go back
 * through the text machinery). Internal to src/: not a public header.
 *
 * Ownership: struct hs_parser is the parser's context, created and freed by
 * parse_cloudhsm.c; the functions here borrow it.
 */
#ifndef HSMSCOPE_CLOUDHSM_INT_H
#define HSMSCOPE_CLOUDHSM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/chars.h"
#include "hsmscope/parser.h"

#define ELEM_MAX ((size_t)64 << 20) /* largest JSON element we parse, bytes */
#define ELEM_KEEP ((size_t)1 << 20) /* element buffer kept between elements */
#define JSON_DEPTH_MAX 64           /* deeper nesting is treated as broken */
#define PEND_MAX 32                 /* line offsets remembered per open unit */
#define MAX_FIELDS 48               /* fields split out of one line */

enum fid {
	F_TIME, F_SEQ, F_REBOOT, F_CMDTYPE, F_OPCODE, F_SESSION, F_RESPONSE,
	F_LOGTYPE,                      /* ^ the core fields: two make a one-line event */
	F_USER, F_UTYPE, F_KEY, F_UNKNOWN
};
#define BIT(id) (1u << (id))
#define IS_CORE(id) ((id) <= F_LOGTYPE)

struct known {
	const char *name;           /* canonical spelling, used in detail lines */
	enum fid id;
};

/* Longer names first where one is a prefix of another. */
static const struct known known_fields[] = {
	{ "Time", F_TIME }, { "Sequence No", F_SEQ }, { "Reboot counter", F_REBOOT },
	{ "Command Type(hex)", F_CMDTYPE }, { "Command Type", F_CMDTYPE },
	{ "Opcode", F_OPCODE }, { "Session Handle", F_SESSION }, { "Response", F_RESPONSE },
	{ "Log type", F_LOGTYPE }, { "User Name", F_USER }, { "User Type", F_UTYPE },
	{ "Priv/Secret Key Handle", F_KEY }, { "Public Key Handle", F_KEY },
	{ "Private Key Handle", F_KEY }, { "Secret Key Handle", F_KEY },
	{ "Source Key Handle", F_KEY }, { "Destination Key Handle", F_KEY },
	{ "Wrapping Key Handle", F_KEY }, { "Unwrapping Key Handle", F_KEY },
	{ "Key Handle", F_KEY }, { "Object Handle", F_KEY },
};
#define NKNOWN ((int)(sizeof known_fields / sizeof known_fields[0]))

/* One `name : value` pair found in a line (pointers into the line). */
struct field {
	const char *name;           /* as written, in the line */
	size_t nlen;                /* bytes of name (through the colon if known) */
	const char *val;            /* after the colon */
	size_t vlen;                /* bytes of val */
	int known;                  /* index in known_fields, -1 unknown, -2 ignored */
};

struct hs_parser {
	struct hs_sink sink;        /* the consumer, copied at create */
	int file_id;                /* opts->file_id */
	char hsm_default[128];      /* --hsm, else the file name's stem */
	int named;                  /* --hsm given: the text is that one HSM's, never split */
	int split;                  /* streams met in this text file so far (0 none yet) */
	int64_t split_ts;           /* µs of its latest event, HS_NONE */
	int64_t split_reboot;       /* its reboot counter, HS_NONE */
	struct hs_parse_stats st;   /* counters so far */
	int stopped;                /* the sink asked to stop */
	int64_t last_off, last_len, last_line; /* the last line fed, for safe_offset */
	int64_t ev_last;            /* the last line read into the open event (line number) */

	/* the event being built: a block, a one-line event or a JSON element */
	struct hs_event ev;         /* reused; its detail buffer is ours */
	int open;                   /* 1 while ev holds a started event */
	unsigned seen;              /* BIT(fid) per known field already set */
	char utype[48];             /* user type name, for the summary */
	char attrs[96];             /* certificate attributes, for the summary */
	char object[32];            /* certificate object handle, for the summary */
	int in_msg;                 /* 1 while lines come from a JSON message */
	char cw_hsm[128];           /* logStreamName of the element being read */
	int64_t cw_ts;              /* its timestamp, µs, HS_NONE */
	int64_t emitted_mark;       /* st.events when the message started */

	/* lines of the open unit, reported if it has to be dropped */
	int64_t pend_line[PEND_MAX]; /* line numbers */
	int64_t pend_off[PEND_MAX]; /* byte offsets */
	int64_t npend;              /* lines in the unit (may exceed PEND_MAX) */

	/* JSON scanner */
	int depth;                  /* brackets open */
	char stack[JSON_DEPTH_MAX]; /* '{' or '[' per open bracket */
	struct hs_jstr js;          /* inside a string / after a backslash */
	int level;                  /* depth at which element objects start:
	                               1 top-level array, 2 "events" array, 0 none */
	int cap;                    /* 0 none, 1 element of an array, 2 top-level object */
	int cap_big, cap_oom;       /* element dropped: over ELEM_MAX / no memory */
	struct hs_buf elem;         /* raw text of the element being cut out */
	int64_t elem_off, elem_line; /* where it starts (line start) */
	int elem_indent;            /* indent of its '{' line, -1 if not first */
	int resync;                 /* broken JSON: skipping to the next element */
	int eol_in_str;             /* the last line ended inside a string: broken,
	                               unless it was the end of the input */
	int64_t eol_off, eol_line;  /* that line */
	int expect_val;             /* depth 1: a ':' came after the last key */
	char key[24];               /* last key at depth 1 (truncated) */
	char str1[128];             /* the string being read at depth 1 (truncated) */
	size_t str1_len;            /* bytes in str1 */
	char stream[128];           /* wrapper's "logStream" (subscription payload) */
	int aw_key;                 /* a raw payload's "awslogs" key was met; its data is next */
	int aw_tail;                /* a raw payload was read: its closing braces follow */
};

static inline int is_blank(char c) { return c == ' ' || c == '\t'; }

/* parse_cloudhsm.c: the event being built and the lines of the open unit */
void hs_ch_copy_n(char *dst, size_t dstlen, const char *s, size_t n);
void hs_ch_skip(struct hs_parser *p, int64_t line, int64_t off, const char *why);
void hs_ch_pend_reset(struct hs_parser *p);
void hs_ch_pend_add(struct hs_parser *p, int64_t line, int64_t off);
void hs_ch_pend_skip(struct hs_parser *p, const char *why);
void hs_ch_begin(struct hs_parser *p, int64_t off, int64_t line);
int hs_ch_flush(struct hs_parser *p);           /* non-zero: the sink stopped */
/* Set one field (known: index in the known field table, -1 unknown). */
int hs_ch_apply(struct hs_parser *p, const char *name, size_t nlen, int known,
                const char *v, size_t vlen);
/* One line of a block or one-line event (also each line of a JSON message). */
int hs_ch_text_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line);

/* cloudhsm_json.c: the JSON shape, a line at a time */
int hs_ch_json_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line);
void hs_ch_cap_drop(struct hs_parser *p);        /* forget the element being cut out */

/* cloudhsm_awslogs.c: a raw subscription payload line. -1: the line is
 * not one; else what hs_ch_json_line gives. */
int hs_ch_awslogs_line(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line);
const char *hs_ch_memstr(const char *s, size_t n, const char *needle);
int hs_ch_awslogs_find(const char *s, size_t n, int after_key, const char **b64, size_t *len);
int hs_ch_awslogs_decode(const char *b64, size_t n, struct hs_buf *out, size_t cap, int partial,
                         const char **why);

#endif
