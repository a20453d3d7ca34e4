/* pbase.h — the parser base: what every call-trace parser has, written
 * once (it was written again in each), and the resume state every parser
 * saves for a refresh.
 *
 * A call-trace parser's struct begins with a struct hs_pbase:
 *
 *     struct hs_parser { struct hs_pbase b; ...its own fields... };
 *     p = hs_pbase_create(sizeof *p, sink, opts, sizeof(struct call), QMAX, &hooks);
 *     ...feed: p->b.q, p->b.st, p->b.stop, p->b.line...
 *     finish: hs_pstate_int(&p->b.state, "inst", n); ... hs_pbase_finish(&p->b, off, line, st);
 *     create: hs_pbase_buf(&p->b, &p->text) for each buffer of its own;
 *     destroy: hs_pbase_destroy(p ? &p->b : NULL) (the base frees those buffers);
 *
 * The resume state is words `key=value`, separated by one space, of any
 * length (it was a char[128] with a grammar per parser, cut silently when
 * a process table did not fit). A value is a number, or a list of items
 * separated by ',' whose fields are numbers separated by ':' ("1:-1:57"),
 * or text with ' ', '%' and control bytes written as %XX. Numbers are
 * decimal, or 0x hex (read as 64 bits: a hash key survives). A key a
 * parser does not find leaves its default: a state from another release
 * is never misread, only ignored (and such an index is rebuilt anyway).
 *
 * Ownership: hs_pbase_create's struct is freed by hs_pbase_destroy (the
 * queue's calls and the state buffer with it); the state written into a
 * struct hs_buf is its owner's until hs_pbase_finish / hs_pstate_give
 * moves it into the stats, which own it until hs_parse_stats_free().
 */
#ifndef HSMSCOPE_PBASE_H
#define HSMSCOPE_PBASE_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/callq.h"
#include "hsmscope/parser.h"
#include "hsmscope/util.h"

/* How many buffers of its own a parser may give the base to free. */
#define HS_PBASE_BUFS 4

struct hs_pbase {
	struct hs_sink sink;        /* where events go; copied at create */
	int file_id;                /* opts->file_id: stored in every event */
	struct hs_callq q;          /* the open calls, in the order they began; owns them */
	struct hs_parse_stats st;   /* running counters (state unset: finish writes it) */
	int stop;                   /* the sink asked to stop, or out of memory */
	struct hs_buf line;         /* scratch: the current line, NUL-terminated */
	struct hs_buf state;        /* the resume state finish() writes (hs_pstate_*), moved
	                               into the stats by hs_pbase_finish */
	struct hs_buf *bufs[HS_PBASE_BUFS]; /* the parser's own buffers (hs_pbase_buf): not
	                               owned by the array, freed by hs_pbase_destroy */
	int nbufs;                  /* entries of bufs in use */
};

/* A zeroed parser struct of `size` bytes (>= sizeof(struct hs_pbase)) that
 * begins with its base, made ready: sink and file id copied, the queue
 * made for calls of call_size bytes, at most qmax held, with hooks (their
 * ctx is set to the new struct). NULL: out of memory. */
void *hs_pbase_create(size_t size, const struct hs_sink *sink, const struct hs_parser_opts *o,
                      size_t call_size, int qmax, const struct hs_callq_hooks *hooks);
/* End of input: every call still queued leaves (the open ones as
 * incomplete), then *st gets the counters, the resume point
 * (safe_offset/safe_line: where a refresh reads again) and the state
 * written in b->state, which moves into st (b->state is left empty). */
void hs_pbase_finish(struct hs_pbase *b, int64_t safe_offset, int64_t safe_line,
                     struct hs_parse_stats *st);
/* Frees the queue (calls still held are freed, not emitted), the line,
 * the buffers given by hs_pbase_buf and the parser struct itself. NULL is
 * ignored. A parser whose only resources are those needs no destroy code
 * of its own: its destroy is hs_pbase_destroy(p ? &p->b : NULL). */
void hs_pbase_destroy(struct hs_pbase *b);
/* Makes buf (a field of the parser struct) an empty buffer that
 * hs_pbase_destroy frees, so that no parser writes its own list of frees.
 * At most HS_PBASE_BUFS per parser: a programming error past that aborts. */
void hs_pbase_buf(struct hs_pbase *b, struct hs_buf *buf);

/* ---- recent threads (or processes): a small table searched by key, the
 * least recently used entry taken for a new key (each call-trace parser
 * kept one, with its own loop). A parser's entry struct begins with a
 * struct hs_slot; its table is an array of n such structs of `size` bytes. */
struct hs_slot {
	int64_t a, b;               /* the key: (pid, tid), or (a hash, 0) */
	uint64_t stamp;             /* the parser's clock at its last use */
	int used;                   /* 0: a free entry */
};
/* The entry of key (a, b), its stamp set to `stamp`; NULL when none. */
void *hs_slot_find(void *tab, int n, size_t size, int64_t a, int64_t b, uint64_t stamp);
/* The entry a new key takes: the first free one, else the least recently
 * used (the first of equal stamps). The caller releases what that entry
 * held, then makes it the new key's with hs_slot_set(). */
void *hs_slot_victim(void *tab, int n, size_t size);
void hs_slot_set(struct hs_slot *s, int64_t a, int64_t b, uint64_t stamp);

/* ---- the resume state: writing (each adds " key=value"; on OOM the
 * buffer's sticky error drops the rest, and hs_pstate_give leaves no state) */
void hs_pstate_int(struct hs_buf *s, const char *key, int64_t v);
void hs_pstate_text(struct hs_buf *s, const char *key, const char *v); /* %XX-escaped */
/* A list: begin it, add items of n numbers each, done by the next key. */
void hs_pstate_list(struct hs_buf *s, const char *key);
void hs_pstate_item(struct hs_buf *s, const int64_t *v, int n);
/* Moves the text of s into st->state (freeing what st held); s is left
 * empty. Used by parsers that do not use hs_pbase_finish. */
void hs_pstate_give(struct hs_buf *s, struct hs_parse_stats *st);

/* ---- reading (state may be NULL: nothing is found) */
/* 1 and *v when key holds one whole number, else 0 and *v untouched */
int hs_pstate_get_int(const char *state, const char *key, int64_t *v);
/* 1 and the unescaped text in out (cut to outlen), else 0 */
int hs_pstate_get_text(const char *state, const char *key, char *out, size_t outlen);
/* A list's items in order: *cur starts NULL; each call reads the next
 * item's numbers into v (at most max) and returns how many it had, 0 at
 * the end of the list (or when key is absent), -1 on an item that is not
 * numbers (the rest is not read). */
int hs_pstate_next(const char *state, const char *key, const char **cur, int64_t *v, int max);

#endif
