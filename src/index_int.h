/* index_int.h — what index.c and index_write.c share: the writer that
 * turns the pipeline's events into rows. Internal to src/, not a public
 * header.
 *
 * Ownership: a struct writer is its declarer's; hs_idx_writer_prepare() fills
 * it and hs_idx_writer_free() frees what it holds (statements, the held
 * events, the correlator), never the database.
 */
#ifndef HSMSCOPE_INDEX_INT_H
#define HSMSCOPE_INDEX_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "hsmscope/correlate.h"
#include "hsmscope/event.h"
#include "hsmscope/index.h"
#include "hsmscope/parser.h"
#include "hsmscope/util.h"

#define HELD_MAX 256            /* threads whose last call is held back */
#define SKIP_REASONS 32         /* distinct skip reasons kept per file and run */

/* Lines of one file skipped for one reason: the first, and how many. */
struct skip_reason {
	char why[96];               /* the parser's reason ("other reasons" past the cap) */
	int64_t line, offset;       /* the first such line: 1-based, bytes */
	int64_t count;              /* lines */
};

struct held {
	int file_id;
	int64_t instance, tid;      /* the thread's key (tid may be HS_NONE) */
	struct hs_event ev;         /* owned copy, already numbered */
};

struct writer {
	sqlite3 *db;                /* the index being written */
	sqlite3_stmt *ins;          /* INSERT INTO events */
	sqlite3_stmt *ins_key;      /* INSERT INTO event_keys */
	sqlite3_stmt *ins_tstat;    /* INSERT INTO tracer_stats */
	sqlite3_stmt *prev;         /* last unfinished event of a thread (refresh) */
	sqlite3_stmt *set_dur;      /* UPDATE its duration (refresh) */
	int64_t next_n;             /* n of the next event */
	int call_trace;             /* the current file's parser estimates durations */
	int refreshing;             /* rows of this file already exist */
	struct held *held;          /* HELD_MAX slots, owned; nheld in use */
	int nheld;
	struct hs_correlator *corr; /* owned; sees every event before it is stored */
	struct hs_detail_writer *det; /* owned: the details, in n order */
	int64_t events;             /* events written by this run */
	int64_t skipped;            /* lines skipped by this run */
	struct skip_reason skips[SKIP_REASONS]; /* this file's, by first seen */
	int nskips;                 /* entries in use */
	int64_t bytes_before;       /* bytes of the files parsed before this one */
	int64_t bytes_total;        /* bytes to parse in this run, for progress */
	int failed;                 /* an SQLite error stopped the run */
	char errmsg[256];           /* that error */
};

/* 0, or -1 with err set (path names the index for messages). */
int hs_idx_writer_prepare(struct writer *w, sqlite3 *db, struct hs_error *err, const char *path);
void hs_idx_writer_free(struct writer *w);
/* The sink a parse emits into: events, skipped lines, tracer totals. */
struct hs_sink hs_idx_writer_sink(struct writer *w);
/* Write every event still held back (their durations stay unknown). */
void hs_idx_writer_flush(struct writer *w);
/* Forget the current file's skips (a parse starts, or its tail is held). */
void hs_idx_writer_skips_reset(struct writer *w);
/* Add the current file's skips to the skips table. 0, or -1 (errmsg set). */
int hs_idx_writer_skips_store(struct writer *w, int file_id);

#endif
