/* spy_int.h — what the files of the pkcs11-spy parser share:
 * parse_spy.c (the parser: lines in, calls out), spy_sig.c (what each
 * PKCS#11 function makes the spy print, and what kind of line a line is),
 * spy_attr.c (which open call a line goes to when several threads or
 * processes write one log), spy_procs.c (old header: which process made a
 * call, by its buffers and sessions), spy_pend.c, spy_lines.c and
 * spy_state.c. Internal to those files.
 *
 * Ownership: the parser owns its calls through its queue (callq.h); a
 * contest borrows pointers to queued calls and is ended before any of
 * them leaves. Every struct spy_sig is static table storage; names
 * returned point into the line given or into the table.
 */
#ifndef HSMSCOPE_SPY_INT_H
#define HSMSCOPE_SPY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/callq.h"
#include "hsmscope/chars.h"
#include "hsmscope/p11call.h"
#include "hsmscope/parser.h"
#include "hsmscope/pbase.h"

/* The parameters a function prints: its inputs in order (every one is
 * printed on every call), then, after the call into the module, its
 * outputs (printed only for some return values). */
struct spy_sig {
	const char *func;           /* "C_Sign" */
	const char *in;             /* input names in print order, blank-separated */
	const char *out;            /* output names, blank-separated, "" none */
};

/* The signature of func, NULL when the table does not know it. */
const struct spy_sig *hs_spy_sig_find(const char *func);

/* The parameter name of an "[in] " / "[out] " line (s at the '['), as
 * the table spells it: "pMechanism->type = X" gives "pMechanism",
 * "pData[ulDataLen] 00.. / 33" gives "pData", "*phSession = 0x1" gives
 * "*phSession". *len = 0 when the line names none. */
const char *hs_spy_param_name(const char *s, size_t n, size_t *len);

/* The position of a name among sig's inputs, -1 when it is none of them. */
int hs_spy_sig_in_index(const struct spy_sig *sig, const char *name, size_t len);
/* How many inputs sig prints. */
int hs_spy_sig_nin(const struct spy_sig *sig);
/* The position of a name among sig's outputs, -1 when it is none of them. */
int hs_spy_sig_out_index(const struct spy_sig *sig, const char *name, size_t len);
/* 1 when some function of the table prints name as an input / output: a
 * name no function prints says nothing about which call it belongs to. */
int hs_spy_known_in(const char *name, size_t len);
int hs_spy_known_out(const char *name, size_t len);

/* The buffer address an "[in]/[out] pX[..] 00007f1af43fea60 / 33" line
 * shows, 0 when none: a thread's buffers lie on its own stack, so an
 * output buffer lies near the input buffers of the same call. */
unsigned long long hs_spy_buffer_addr(const char *s, size_t n);

/* ------------------------------------------------------------ the parser */

#define QMAX 256                /* calls held at once before the oldest is forced out */
#define MAX_INSTANCES 64        /* process instances remembered for attribution */
#define SNAP 3                  /* newest instances saved in the resume state */
#define CONTESTS 128            /* undecided attributions followed at once */
#define CMEMBERS 8              /* calls one of them can be between */
#define ROW_LEN 79              /* a print_generic dump row: "    %08X  " 48 hex, ' ', 16 ascii */
#define PEND_MAX 48             /* lines held after a thread line before it is decided */
#define NEAR_ADDR (1ull << 20)  /* bytes: buffers this close lie on one thread's stack */
#define DUMP_OPEN ((int64_t)1 << 30) /* bytes: a dump whose length the log lost */
#define NEAR_PROC (64ull << 20) /* bytes: buffers this close lie in one process (its threads'
                                   stacks are mmapped side by side, 8 MiB each) */
/* How far apart two buffer addresses lie, in bytes. */
static inline unsigned long long hs_spy_addr_dist(unsigned long long a, unsigned long long b)
{
	return a > b ? a - b : b - a;
}
#define PADDR 32                /* buffer addresses remembered for telling processes apart */
#define ISESS 8                 /* sessions followed per process instance (old header) */

/* A session a process instance opened, and the operations its calls
 * left running on it (old header: which process a call is when counts
 * meet). Bit f of a mask: operation family f (spy_attr.c's table). */
struct inst_sess {
	int64_t h;                  /* the handle its C_OpenSession returned */
	unsigned active;            /* families begun by an Init and not ended */
	unsigned maybe;             /* families a single-part call or Final ended, which a
	                               length query (NULL buffer) would have left running */
};

/* The sessions of one process instance, as far as the log shows them. */
struct inst_sessions {
	int known;                  /* every session it uses was opened in what was read
	                               (a banner began it here, the table never overflowed):
	                               a handle not in sess[] is not its */
	int n;                      /* entries used in sess[] */
	struct inst_sess sess[ISESS];
};

/* An input buffer address a process instance showed (old header). */
struct spy_paddr {
	int64_t inst;               /* a process instance */
	unsigned long long addr;    /* an input buffer one of its certain calls showed (bits
	                               0-55, SPY_ADDR_MASK); bits 56-62: which function
	                               showed it (addr_kind, spy_attr.c), 0 not said */
};
#define SPY_ADDR_MASK ((1ull << 56) - 1)

/* An input buffer address a thread (old header: a session) showed last. */
struct spy_taddr {
	int64_t pid, tid;
	unsigned long long addr;    /* 0: entry unused */
};
#define TADDR 16                /* threads remembered */
#define SPY_TADDR_SESS (-2)     /* pid of an old-header note: tid is its session */

/* A session handle a C_OpenSession returned. */
struct spy_opened {
	int64_t inst, handle, off;  /* instance, handle, offset of its "[out] *phSession" */
};
#define OPENED 64               /* handles remembered */

/* Old header: the return of a call that left the queue (spy_free.c). */
struct spy_sret {
	int64_t inst, handle, line; /* instance, session named, line of its return */
	int64_t head;               /* line of its header */
};
#define SRET 64                 /* returns remembered */

/* The parser's rings of evidence, each an array written round and the
 * count of entries written (ring index: count % size): what attribution
 * decides by besides the queue. A resume point copies them whole, and the
 * resume state writes and reads every ring through one table made from the
 * list SPY_RINGS (spy_state.c): a ring added here and not there does not
 * compile. The counts are int64_t so that the struct has no padding for
 * that check. */
struct spy_rings {
	struct spy_paddr paddr[PADDR]; /* where each process's buffers lie (a thread's stack;
	                               processes' address spaces differ, ASLR) */
	int64_t npaddr;
	struct spy_taddr taddr[TADDR]; /* where each thread's (old header: session's) buffers lie */
	int64_t ntaddr;
	struct spy_sret sret[SRET];  /* the returns of calls that left the queue (old header:
	                               a session's thread was free after) */
	int64_t nsret;
	struct spy_opened opened[OPENED]; /* session handles returned lately: a call that
	                               names one began after it was returned */
	int64_t nopened;
};

/* Where a re-parse starts and the instance numbering just before it. */
struct resume_point {
	int64_t offset, line;       /* a call's header line, or the end */
	int64_t ninst;              /* instances so far; 0 = only the unused implicit one */
	int64_t unbound_from;       /* first instance whose pid was not known */
	int64_t ret_inst;           /* the parser's ret_inst then, -1 none */
	int after_banner;           /* a banner was the last line that counted: the next
	                               header is the new process's, no guess */
	int n;                      /* entries used in in[] */
	struct {
		int64_t id, pid, last_n;
		int64_t hole;            /* the number its count skipped then, -1 none */
		struct inst_sessions ss; /* its sessions then */
	} in[SNAP];                 /* the newest instances, newest first */
	struct spy_rings ring;      /* the parser's rings of evidence then: a re-parse from
	                               here decides as a whole parse did */
};

struct call {
	struct hs_callq_call qc;    /* the event being built, returned: Returned: seen or
	                               given up; first */
	int has_ts;                 /* timestamp line seen */
	struct call *forced;        /* borrowed (look it up in the queue): new header, the
	                               other call its thread line could have gone to, when
	                               the session's state alone chose (uncertain on leaving,
	                               unless a buffer confirms: forced_pending) */
	int forced_pending;
	int64_t ret_early;          /* new header: line of a Returned it took before its
	                               thread line came (hs_spy_on_returned), 0 none */
	int64_t chunk_no, chunk_pid; /* new header: the chunk its header lay in, and that
	                               chunk's process (0 not known, -1 two) */
	int nul_out;                /* it took an output whose "addr / len" came garbled,
	                               by order among several (uncertain) */
	int dump_open;              /* its dump's length is not known (a NUL-garbled "addr /
	                               len", spy_pieces.c on_spec): rows in order until a
	                               line of its own that is no row, or its return */
	int64_t ret_noout;          /* new header: line of a CKR_OK it took by order alone
	                               before printing the output its function prints */
	int suspect;                /* open when a later banner came: its process
	                               may have been killed, so it takes a return
	                               only when no other call is open */
	int64_t dump_left;          /* bytes of the dump in progress not yet seen, 0 none */
	int64_t dump_next;          /* print_generic: offset its next line must show */
	int print_next;             /* print_print: 1 hex line expected, 2 ascii, 0 neither */
	uint64_t dump_seq;          /* when the dump opened: the newest claims a line */
	int label_next;             /* the print_print dump in progress is CKA_LABEL's value */
	int64_t guessed_last_n;     /* last_n of ev.instance before the header took it,
	                               restored when a pid names another instance */
	const struct spy_sig *sig;  /* what its function prints (table storage), NULL unknown */
	int nin;                    /* inputs sig prints */
	int in_at;                  /* index in sig of the last input taken, -1 none */
	int outs;                   /* [out] lines taken */
	unsigned outs_seen;         /* bit i: sig's output i taken (each is printed once) */
	int64_t attrs_left;         /* template attributes announced and not seen yet */
	uint64_t in_hash;           /* hash of its input lines: alike calls have equal ones */
	unsigned long long in_addr[2]; /* its input buffers' addresses, 0 none */
	int await_spec;             /* its last line "[out] pX[..]" waits for the "addr / len"
	                               the spy prints with a second fprintf */
	int64_t l_ts_off, l_ret_off; /* their byte offsets */
	int guessed;                /* its process was a guess among several whose call
	                               counts were at its number (old header) */
	int sole;                   /* one process's count alone was at its number (or a
	                               banner had just begun it): its buffers say where
	                               that process's lie */
	uint64_t cands;             /* guessed: bit k % MAX_INSTANCES for each instance k
	                               that could have made it (old header) */
	int64_t sess_inst;          /* the instance its [in] hSession was counted on, -1 none */
	struct inst_sess sess_prev; /* that session's entry before (restored if c moves) */
	int64_t named;              /* the session handle its "[in] hSession" named, 0 none */
	int out_buffer;             /* it printed an output into a buffer (not a length query) */
	int64_t ts_floor;           /* old header: the latest time (µs) its process's calls took
	                               before its header, HS_NONE none: the spy takes a call's
	                               time after printing its header, so its own is not older */
	struct call *tie;           /* borrowed (may have left: look it up in the queue): the
	                               other thread's call whose dump was at the very same
	                               point as this one's at row tie_line, so the rows and
	                               return either took from there could be the other's */
	int64_t tie_line;           /* that row's line number, 0 none */
	size_t tie_len;             /* bytes of qc.pc.ev.detail before that row */
	int64_t l_ts, l_ret;        /* line numbers of its time/thread line and of its
	                               Returned, 0 none: they move with its identity and its
	                               return (hs_spy_rescue); its other lines are kept in
	                               qc.pc.ev.lines as struct spy_run until it leaves */
	struct resume_point res;    /* where a re-parse must start to rebuild this call; last:
	                               ~5 KiB that on_header writes whole, so a recycled
	                               call's blanking (spy_reuse) stops before it */
};

/* One run of lines a call took, while it is being parsed (binary, in the
 * event's `lines` buffer; written out as text when the call leaves). */
struct spy_run {
	int64_t first, count;       /* line numbers first .. first+count-1 */
	int64_t off;                /* byte offset of line `first` */
	int shared;                 /* the line was split between calls (count 1) */
};

/* An attribution the evidence left open: a line that more than one call
 * could take went to one of them. Once every member has taken its line of
 * the same kind (`key`), the contest is over: when the lines were all the
 * same (two threads' C_Sign both returning CKR_OK), any choice said the
 * same; when they differ, every member's attribution is uncertain. Members
 * are held in the queue until then (hold_from), so the flag is set before
 * they leave. `alike` contests were between calls whose function and
 * inputs are the same: any choice gives the same facts, but a thread line
 * (new header) may still show which thread's call it was. */
struct contest {
	int used;
	int alike;                  /* members had equal inputs: never uncertain */
	int bad;                    /* members took different lines: uncertain */
	char key[32];               /* "Returned" or the parameter name */
	uint64_t hash;              /* hash of the first member's line */
	int n;                      /* members */
	struct call *m[CMEMBERS];   /* the queue's calls, borrowed */
	int got[CMEMBERS];          /* member took its line (or can take none) */
};

struct instance {
	int64_t pid;                /* HS_NONE until a new-style header names it */
	int64_t last_n;             /* last call number seen, -1 none, -2 unknown (resumed) */
	int64_t max_ts;             /* old header: the latest time (µs) its calls took, 0 none
	                               (each process flushes its own chunks: only its own
	                               times follow its header order) */
	int64_t hole;               /* a number its count skipped (old header: two threads
	                               printed theirs swapped), still to come; -1 none */
	struct inst_sessions ss;    /* its sessions (old header evidence) */
};

struct hs_parser {
	struct hs_pbase b;          /* sink, file id, the open calls in header order (the
	                               queue owns them), counters, stop, the current line */
	struct instance inst[MAX_INSTANCES]; /* ring of recent instances */
	int64_t ninst;              /* instances seen (banners, plus one implicit) */
	int implicit;               /* instance 0 exists only for text before a banner and
	                               has no call yet: the first banner takes it over */
	int64_t unbound_from;       /* first instance whose pid is not known yet */
	int after_banner;           /* the previous line was the banner */
	struct call *last;          /* call that took the last detail line (may be gone) */
	uint64_t seq;               /* dumps opened so far */
	int new_header;             /* a "P:pid; T:tid" line was seen: threads are named */
	struct spy_rings ring;      /* buffer addresses, threads' buffers, returns and
	                               session handles seen lately */
	int64_t in_handle;          /* the [in] line being placed names this session handle:
	                               a call begun before its process returned it does not
	                               fit; HS_NONE none */
	int64_t cur_inst;           /* process instance of the line before, -1 unknown: a
	                               process writes its lines in chunks that end with a
	                               Returned (the spy flushes there), so the lines of a
	                               chunk are one process's */
	int64_t ret_inst;           /* process instance of the last call that returned, -1 */
	struct {
		int on;                 /* a thread line waits for the input lines after it */
		int64_t pid, tid, ts;   /* what it said */
		int64_t lineno, off;    /* where it was */
		int chunk;              /* hs_spy_chunk_inst() then: its calls only, -1 any */
		struct hs_buf text;     /* the lines held, each NUL-ended, back to back */
		int nl;                 /* lines held */
		int any_handle;         /* pend_fits: a held hSession fits any call */
		struct {
			size_t at, n;       /* the line in text */
			int64_t off, lineno;
			int param;          /* an "[in] name" line (name at name_at, name_len) */
			size_t name_at, name_len;
		} l[PEND_MAX];
	} pend;                     /* a thread line that more than one header could own,
	                               and the input lines after it that will tell which */
	int pend_ret;               /* the line that decides the waiting thread line is a
	                               Returned: the inputs held are likely a whole call's */
	struct contest con[CONTESTS]; /* undecided attributions */
	int ncon;                   /* of them in use: none, and nothing need be looked at */
	struct hs_buf join;         /* a parameter line put back together */
	struct hs_buf out_wait;     /* "[out] pX[..]" whose "addr / len" (the evidence of
	                               whose buffer it is) is still to come, "" none */
	int64_t out_off, out_line;  /* where it was */
	int no_defer;               /* giving the held line: hold it no more */
	int spec_garbled;           /* the input line being read carries another buffer's
	                               "addr / len" (buf_spec): its address says nothing */
	int64_t cur_lineno, cur_off; /* number and offset of the line being read */
	int64_t split_lineno;       /* a line the parser read as pieces of several calls */
	int spec_nul;               /* the output line being read got a NUL-garbled "addr /
	                               len": its address and length say nothing */
	int64_t spec_nul_before;    /* where its name was printed: a call headed after it
	                               did not print it */
	int64_t chunk_no;           /* new header: Returned lines read (the spy flushes its
	                               process's buffer at each: lines between two lie
	                               together, one process's) */
	int64_t chunk_pid;          /* the process a thread line in this chunk named, 0
	                               none yet, -1 two (a buffer that filled up) */
	struct {
		struct call *win, *lose; /* borrowed (look them up in the queue): two dumps
		                           at one row, win took it */
		int64_t line, at;       /* that row's line number (0 none) and offset */
		size_t len;             /* bytes of win's detail before it */
		int bytes;              /* its bytes */
	} rowtie;                   /* the row the next one may show was lose's */
};


static inline struct call *q_at(struct hs_parser *p, int i)
{
	return (struct call *)hs_callq_at(&p->b.q, i);
}

/* c may be NULL or a call that has left. */
static inline int is_open(struct hs_parser *p, const struct call *c)
{
	return hs_callq_is_open(&p->b.q, (const struct hs_callq_call *)c);
}

/* ----------------------------------------------- kinds of line (spy_sig.c) */

/* "N: C_Name" (*num, the normalized name in func); 1 when it is one. */
int hs_spy_parse_header(const char *s, size_t n, int64_t *num, char *func, size_t funclen);
/* "YYYY-MM-DD HH:MM:SS.mmm" at s (NUL-ended at or after s[n]): µs, HS_NONE. */
int64_t hs_spy_parse_ts(const char *s, size_t n);
/* "P:<pid>; T:0x<tid> <time>"; 1 when it is one. */
int hs_spy_parse_new_ts(const char *s, size_t n, int64_t *pid, int64_t *tid, int64_t *ts);
/* A hex dump line: 1 print_generic, 2 print_print hex, 3 its ascii, 0 none. */
int hs_spy_dump_kind(const char *s, size_t n, int64_t *off, int *bytes, int *glued);
/* The dump length a line announces ("... / 33"), 0 none. */
int64_t hs_spy_opens_dump(const char *s, size_t n);
/* Why a line is something users paste in, not the spy's, NULL when it is not. */
const char *hs_spy_foreign_line(const char *s, size_t n);
/* "addr / len", "NULL [size ...]", "EMPTY": a buffer line's second half. */
int hs_spy_is_spec(const char *s, size_t n);

/* c took line number lineno; and, as c leaves, its runs become the
 * event's text form (event.h). spy_lines.c. */
void hs_spy_own_line(struct hs_parser *p, struct call *c, int64_t lineno, int64_t off);
void hs_spy_lines_text(struct hs_parser *p, struct call *c);
void hs_spy_lines_move(struct hs_parser *p, struct call *from, struct call *to, int64_t first);

/* ------------------------------------------ the parser's core (parse_spy.c) */

/* The parser's handlers of one piece of a line (parse_spy.c), which
 * spy_pieces.c calls for each piece it splits a line into: a Returned
 * (prefer: the call that took the start of its line; avoid: the call whose
 * dump row it landed in), a parameter, template or dump line (the call
 * that took it, NULL none), a time or thread line (pid HS_NONE: old
 * header). */
void hs_spy_on_returned(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno,
                        struct call *prefer, struct call *avoid);
struct call *hs_spy_on_detail(struct hs_parser *p, const char *s, size_t n, int64_t off,
                              int64_t lineno, struct call *prefer);
void hs_spy_on_thread_line(struct hs_parser *p, int64_t pid, int64_t tid, int64_t ts);

/* The instance (process) id's slot. */
struct instance *hs_spy_inst_get(struct hs_parser *p, int64_t id);
/* Emits the calls at the front of the queue that are done. */
void hs_spy_drain(struct hs_parser *p);
/* The oldest open call other than `avoid` (NULL: any); with `live`, one
 * not suspected dead if there is such a call. */
struct call *hs_spy_oldest_open(struct hs_parser *p, const struct call *avoid, int live);
/* The call whose dump a row of this kind at this offset continues (the
 * one whose dump opened last, exact byte counts first), NULL none. */
struct call *hs_spy_dump_owner(struct hs_parser *p, int kind, int64_t off, int bytes, int mark);
/* The instance numbering as it is now, for a re-parse starting here. */
void hs_spy_take_snap(struct hs_parser *p, struct resume_point *r, int64_t off, int64_t lineno);
/* A new-style timestamp names the process and thread: bind c to the
 * instance of that pid, or to the oldest instance whose pid is not known. */
void hs_spy_bind_pid(struct hs_parser *p, struct call *c, int64_t pid, int64_t tid);
/* "[in] hSession = 0x4": the handle, HS_NONE for any other line. */
int64_t hs_spy_session_named(const char *s, size_t n, const char *name, size_t len);
/* A held output line whose address never came: given as it is. */
void hs_spy_flush_out_wait(struct hs_parser *p);
/* spy_pieces.c: a line may hold pieces of several calls ("[in] type = X
 * [out] pInfo:", a Returned glued to a dump row): split and handle each
 * piece; s is the parser's own copy, NUL-ended in place. */
void hs_spy_feed_piece(struct hs_parser *p, char *s, size_t n, int64_t off, int64_t lineno,
                       struct call *prefer);

/* ------------------------------- a thread line waiting for more (spy_pend.c) */

/* While a thread line waits: hold s when it can continue the waiting
 * thread's inputs (1), else leave it to be read as usual (0). */
int hs_spy_pend_hold(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno);
/* The waiting thread line is decided now, with what is held. */
void hs_spy_flush_pend(struct hs_parser *p);

/* -------------------------------------------- the resume state (spy_state.c) */

/* Reads the state a finish wrote (pbase.h: key=value); unknown keys and a
 * NULL state leave the parser as created. */
void hs_spy_resume(struct hs_parser *p, const char *state);
/* Writes into p->b.state what a refresh from r needs (r: the resume point
 * finish chose, the oldest open call's snapshot or the end's). */
void hs_spy_put_state(struct hs_parser *p, const struct resume_point *r);

/* ------------------------------------------------ attribution (spy_attr.c) */

enum { K_IN, K_OUT, K_RET };  /* the kinds of line hs_spy_pick() places */

/* c has printed all its inputs. */
int hs_spy_in_done(const struct call *c);
/* a and b would print the same from here on, whichever took a line. */
int hs_spy_alike(const struct call *a, const struct call *b);
/* The call a line of this kind goes to by the evidence, NULL when none fits. */
struct call *hs_spy_pick(struct hs_parser *p, int kind, const char *key, uint64_t h,
                      const char *name, size_t len, int ok, unsigned long long addr,
                      const struct call *avoid);
/* c, a call of a named thread (old header: of a named session), showed
 * an input buffer at a. */
void hs_spy_thread_addr_note(struct hs_parser *p, const struct call *c, unsigned long long a);
/* c takes an input buffer at a: a forced choice (spy_pend.c) that c is
 * one call of is confirmed when a lies near c's thread's earlier buffers
 * and not near those of the other call's thread. */
void hs_spy_forced_confirm(struct hs_parser *p, const struct call *c, unsigned long long a);
/* Does a lie near the buffers c's thread showed before? */
int hs_spy_thread_addr_near(const struct hs_parser *p, const struct call *c, unsigned long long a);
/* Does an output at a lie off c's thread's (old header: c's own input)
 * buffers and beside another thread's (session's)? */
int hs_spy_thread_addr_other(const struct hs_parser *p, const struct call *c, unsigned long long a);
/* Where instance inst's session handle h was returned (its C_OpenSession's
 * output line's offset), -1 not in the log. */
int64_t hs_spy_opened_at(const struct hs_parser *p, int64_t inst, int64_t h);
/* spy_free.c: old header, of alike calls that could take "[in] hSession =
 * h" the oldest headed after h's session was free, when a thread freed
 * later could head only the newer (h HS_NONE: cand[0] when some thread
 * was freed between the oldest and the newest), else NULL */
struct call *hs_spy_alike_free(const struct hs_parser *p, struct call **cand, int nc, int64_t h);
void hs_spy_free_note(struct hs_parser *p, const struct call *c);
/* The calls of cand[] that could print "[in] hSession = h" (kept in
 * order, their count), and *best of two of one process when the newer
 * likely names the handle its process returned since the older began,
 * NULL none. */
int hs_spy_handle_cands(struct hs_parser *p, struct call **cand, int nc, int64_t h, struct call **best);
/* The contest key of an [in]/[out] line. */
void hs_spy_param_key(const char *s, size_t n, char *key, size_t keylen);
/* c took a line of kind key hashing to h / takes no more (gone: leaves). */
void hs_spy_contest_take(struct hs_parser *p, const struct call *c, const char *key, uint64_t h);
void hs_spy_contest_leave(struct hs_parser *p, const struct call *c, int gone);
/* o's thread began a new call while o is open: take back what another
 * thread's call was given in o's place. 1 when done. */
int hs_spy_rescue(struct hs_parser *p, struct call *o);
int hs_spy_rescue_dump(struct hs_parser *p, struct call *o);
/* a and b (alike) swap who they are: header, time, thread, number. */
void hs_spy_swap_identity(struct hs_parser *p, struct call *a, struct call *b);
/* The queue's hooks: a call leaves; the first offset that must wait. */
void hs_spy_leave_call(void *ctx, struct hs_callq_call *qc);
/* c (a borrowed pointer that may have gone) is still in the queue. */
int hs_spy_queued(const struct hs_parser *p, const struct call *c);
int64_t hs_spy_hold_from(void *ctx);
/* The oldest call a re-parse must rebuild: one still open, or (old
 * header) one held as a guess that a later buffer may move; NULL none. */
struct call *hs_spy_oldest_unsettled(struct hs_parser *p);

/* --------------------------------- process evidence, old header (spy_procs.c) */

/* Old header: c names session h in "[in] hSession": the processes whose
 * count could have made c and that hold h in a state c's function can
 * follow say whose c is (it moves, or stops being a guess); then c's
 * function is counted on that session. */
void hs_spy_sess_use(struct hs_parser *p, struct call *c, int64_t h);
/* c printed an output; buffer: into a buffer (not a length query), so
 * the operation c ends is over. */
void hs_spy_sess_output(struct hs_parser *p, struct call *c, int buffer);
/* Old header, a header of number num that only instance fit's count
 * could have made: the instances (bits k % MAX_INSTANCES, fit's among
 * them) whose guessed call of num left fit alone at num - 1, 0 none. */
uint64_t hs_spy_complement(struct hs_parser *p, int64_t num, int64_t fit);
/* c's C_OpenSession returned h (its process's new session). */
void hs_spy_sess_opened(struct hs_parser *p, const struct call *c, int64_t h);
/* c (old header) showed an input buffer at a: the process whose buffers
 * lie near it is c's (binds a guessed c to it); or a is evidence of where
 * c's process's buffers lie. */
void hs_spy_addr_evidence(struct hs_parser *p, struct call *c, unsigned long long a);

/* New header: c's function can come next on session h, by what the
 * latest call on h left running (0: it would fail). */
int hs_spy_sess_next_fits(struct hs_parser *p, const struct call *c, int64_t h);

/* ------------------------------------------ time lines (spy_times.c) */

/* c takes time ts: the latest its process's calls took (old header). */
void hs_spy_ts_note(struct hs_parser *p, const struct call *c, int64_t ts);
/* A time or thread line: the call without one it belongs to (given it),
 * NULL none; and whether several differing calls could own it. */
struct call *hs_spy_take_ts(struct hs_parser *p, int64_t ts, int64_t pid, int64_t tid);
int hs_spy_ts_ambiguous(struct hs_parser *p, int64_t ts, int64_t pid, int64_t tid);
/* New header: c took a return before its thread line came and is held
 * for that line (the return was not its); the line reopens it. */
int hs_spy_held_early(const struct hs_parser *p, const struct call *c);
void hs_spy_reopen_early(struct call *c);
/* New header: a thread line of process pid in the chunk being read. */
void hs_spy_chunk_pid(struct hs_parser *p, int64_t pid);
/* Could c's header be process pid's, by the chunk it lay in? */
int hs_spy_chunk_fits(const struct call *c, int64_t pid);

/* Choosing the call a thread or time line belongs to goes by tests, each
 * of one piece of evidence (its chunk, its time, its thread's returns),
 * applied in turn: a test narrows the candidates only when it splits
 * them, since one that all pass or all fail tells nothing. */
struct spy_tline {
	int64_t ts;                 /* its time (µs), HS_NONE none */
	int64_t pid, tid;           /* its process and thread, HS_NONE (old header) none */
};
typedef int (*hs_spy_fits_fn)(struct hs_parser *p, const struct call *c, const struct spy_tline *t);
/* Keep in cand[] (order kept) those of its nc that pass test, when some
 * do and some do not; their count. *passed (may be NULL): how many did. */
int hs_spy_narrow(struct hs_parser *p, struct call **cand, int nc, hs_spy_fits_fn test,
                  const struct spy_tline *t, int *passed);
/* The tests shared by spy_times.c and spy_pend.c: c's header lay in a
 * chunk of t's process (hs_spy_chunk_fits); t's thread could have headed
 * c (hs_spy_thread_could_head). */
int hs_spy_fits_chunk(struct hs_parser *p, const struct call *c, const struct spy_tline *t);
int hs_spy_fits_head(struct hs_parser *p, const struct call *c, const struct spy_tline *t);
/* An output no open call's function prints: a held call (ret_noout) whose
 * function prints it, reopened; NULL none. */
struct call *hs_spy_reopen_noout(struct hs_parser *p, const char *name, size_t len);
/* New header: thread (pid, tid) could have printed c's header (its calls
 * before c's header had returned by then); pid HS_NONE: any. */
int hs_spy_thread_could_head(struct hs_parser *p, const struct call *c, int64_t pid, int64_t tid);
/* Swap only where a and b begin (header line, number): their thread
 * lines, threads and lines stay (spy_attr.c). */
void hs_spy_swap_header(struct hs_parser *p, struct call *a, struct call *b);
/* None of cand[] could (or, h not HS_NONE, none was headed after its
 * process returned session h, which the thread's held input names): a pair
 * of one function whose headers went to the wrong threads by order swap
 * them; the call now fit, NULL none. */
struct call *hs_spy_head_repair(struct hs_parser *p, struct call **cand, int nc, int64_t pid, int64_t tid,
                                int64_t ts, int64_t h);
/* Old header: the process whose flushed chunk the line being read is in,
 * when a call of it still waits for a time line; -1 none. */
int hs_spy_chunk_inst(struct hs_parser *p);

#endif
