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

#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>

#include "hsmscope/correlate.h"
#include "hsmscope/corrstore.h"
#include "hsmscope/event.h"
#include "hsmscope/index.h"
#include "hsmscope/parser.h"
#include "hsmscope/reader.h"
#include "hsmscope/util.h"

/* SQLite's application_id of an hsmscope index ("HSMS"): how --index
 * tells its own file from somebody else's, even when the file is damaged
 * past page 1. */
#define APP_ID 0x48534d53u
#define APP_ID_SQL "1213418835"

#ifdef SQLITE_OPEN_NOFOLLOW
#define OPEN_NOFOLLOW SQLITE_OPEN_NOFOLLOW
#else
#define OPEN_NOFOLLOW 0
#endif

#define HELD_MAX 256            /* threads whose last call is held back */
#define SKIP_REASONS 32         /* distinct skip reasons kept per file and run */
#define SUMMARY_SEEN (1u << 18) /* slots of the summaries read once (2 MiB) */
#define SUMMARY_IDS (1u << 16)  /* summaries a run puts in the summaries table */

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

struct hs_idx_live;

/* Values the events rows name many times, kept once in a table (funcs:
 * name -> id; rv_names: rv -> name). The writer's copy of that table, open
 * addressing; cap is a power of two, n < cap / 2. (param_names is one too,
 * keyed by type * 2 + attr.) */
struct idx_dict_ent {
	int64_t key;                /* funcs.id / rv_names.rv */
	char *name;                 /* owned; NULL: an empty slot */
};
struct idx_dict {
	struct idx_dict_ent *e;     /* owned, cap slots */
	size_t cap, n;              /* slots, used */
	int by_name;                /* 1: hashed by name (funcs), 0: by key (rv_names) */
};

/* An integer column of the events INSERT as last bound (index_write.c). */
struct idx_bound {
	int64_t v;                  /* the integer, when set == 2 */
	unsigned char set;          /* 0 not known, 1 NULL, 2 v */
};
#define IDX_BOUND_MAX 64            /* columns of event_rows, and more */

struct writer {
	sqlite3 *db;                /* the index being written */
	struct hs_idx_live *live;   /* borrowed: commit now and then for readers, or NULL */
	sqlite3_stmt *ins;          /* INSERT INTO event_rows */
	struct idx_bound bound[IDX_BOUND_MAX]; /* ins's plain integer columns as last bound,
	                               by parameter number: sqlite3_reset keeps bindings, so
	                               a value the row before bound stays (most repeat) */
	sqlite3_stmt *ins_audit;    /* INSERT INTO event_audit */
	sqlite3_stmt *ins_func;     /* INSERT INTO funcs */
	sqlite3_stmt *ins_rv;       /* INSERT INTO rv_names */
	struct idx_dict funcs;      /* funcs' rows */
	sqlite3_stmt *ins_format;   /* INSERT INTO formats */
	struct idx_dict formats;    /* formats' rows */
	struct idx_dict rvs;        /* rv_names' rows */
	sqlite3_stmt *ins_pname;    /* INSERT INTO param_names */
	struct idx_dict pnames;     /* param_names' rows, by type * 2 + attr */
	sqlite3_stmt *ins_sum;      /* INSERT INTO summaries */
	struct idx_dict sums;       /* summaries written by this run: text -> id */
	int64_t next_sum;           /* the next summaries.id, 0 before the first */
	uint64_t *seen;             /* owned, SUMMARY_SEEN slots: hashes of summaries read
	                               once (0 empty) */
	size_t nseen;               /* slots in use */
	sqlite3_stmt *ins_key;      /* INSERT INTO event_keys */
	sqlite3_stmt *ins_param;    /* INSERT INTO event_params */
	sqlite3_stmt *ins_tstat;    /* INSERT INTO tracer_stats */
	sqlite3_stmt *prev;         /* last unfinished event of a thread (refresh) */
	sqlite3_stmt *set_dur;      /* UPDATE its duration (refresh) */
	int64_t next_n;             /* n of the next event */
	int64_t param_n;            /* n of the event whose event_params are written */
	int param_i;                /* the next event_params.i of that event */
	int call_trace;             /* the current file's parser estimates durations */
	int refreshing;             /* rows of this file already exist */
	struct held *held;          /* HELD_MAX slots, owned; nheld in use */
	int nheld;
	struct hs_correlator *corr; /* owned; sees every event before it is stored */
	struct hs_corrstore *cstore; /* owned: writes corr's rows, and its state (checkpoint) */
	int checkpoint;             /* save corr's state when the parse ends (one-file index) */
	int64_t from_n;             /* kept_n of the state corr started from, 0 fresh */
	int64_t incomplete;         /* incomplete events written by this run */
	int64_t base_events;        /* a refresh: the file's events kept (-1: count them) */
	int64_t base_incomplete;    /* a refresh: of those, incomplete */
	struct hs_detail_writer *det; /* owned: the details, in n order */
	int64_t events;             /* events written by this run */
	int64_t skipped;            /* lines skipped by this run */
	int64_t skips_from;         /* byte offset: skipped lines before it were counted by
	                               the run that wrote the index (a refresh reads them
	                               again from its resume point); 0 in a build */
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

/* ------------------------------------------------ a build others read
 *
 * A build started by hs_index_load_start() (index_live.c) is a "live"
 * build: its temporary file is in WAL mode and the writer commits every
 * HS_LIVE_COMMIT_S or so, so that a read-only connection in another thread
 * sees the events written so far. The hooks run in the building thread. */
#define HS_LIVE_COMMIT_S 0.25

struct hs_idx_live {
	/* the temporary index exists, with its schema, in WAL mode: readers may open it */
	void (*ready)(struct hs_idx_live *l, const char *tmp);
	/* a commit made rows events readable (rows written by this build) */
	void (*committed)(struct hs_idx_live *l, int64_t rows);
	/* parsing is over: secondary indexes and correlation follow */
	void (*parsed)(struct hs_idx_live *l);
	/* the build is complete; returns once every reader of tmp has closed
	 * (the file then leaves WAL mode and is renamed into place): 0, or -1
	 * when the load was cancelled meanwhile (the build is thrown away) */
	int (*release)(struct hs_idx_live *l);
	/* non-zero: stop (polled by SQLite too, so that creating the
	 * secondary indexes or correlating stops at once) */
	volatile sig_atomic_t *cancel;
	double last_commit;         /* monotonic s of the last commit (the builder's) */
};

/* meta's row holding the events a live build has committed (the readers'
 * count of what their snapshot holds; removed when the build is done) */
#define HS_LIVE_ROWS_KEY "loading_events"

/* The writer wrote a row: commit when a reader waits for long enough. */
void hs_idx_live_tick(struct writer *w);
/* Commit what is written, with rows in meta, and begin again. 0, or -1
 * (the transaction stays open; db's error says why). */
int hs_idx_live_commit(sqlite3 *db, struct hs_idx_live *l, int64_t rows);
/* hs_index_open(), with live hooks for a build (NULL: a plain open). */
int hs_idx_open_live(const char *const *paths, int npaths, const struct hs_index_opts *opts,
                     struct hs_idx_live *live, struct hs_index **out, struct hs_error *err);
/* A read-only index over the temporary file of a live build (partial:
 * no files rows until a file is parsed, no secondary indexes until the
 * end). Queries poll opts' stop conditions. 0, or -1 (err set). */
int hs_idx_open_reader(const char *tmp, const struct hs_index_opts *opts,
                       struct hs_index **out, struct hs_error *err);
/* Name the inputs of a partial index before its files rows exist (the
 * detail pane's "File:"). */
void hs_idx_reader_files(struct hs_index *ix, const char *const *paths, int npaths);
/* Queries on ix poll opts' stop conditions from now on (an index opened in
 * another thread gets the caller's). */
void hs_idx_set_stop(struct hs_index *ix, const struct hs_index_opts *opts);

/* ------------------------------------------- index.c and index_reuse.c */

/* One log of the set being opened (index.c checks them first). */
struct input {
	const char *path;           /* as given */
	char real[PATH_MAX];        /* absolute */
	struct hs_file_id id;       /* identity now */
	const struct hs_parser_desc *parser;
	int ok;                     /* usable */
};

enum plan { PLAN_BUILD, PLAN_REUSE, PLAN_REFRESH };

/* Run sql; 0, or -1 with err set naming path (err may be NULL). */
int hs_idx_exec(sqlite3 *db, const char *sql, struct hs_error *err, const char *path);
/* Parse in from start into w (index.c; see there for hold and tail):
 * 0, 1 when interrupted, -1 (err set). */
int hs_idx_parse_file(struct writer *w, struct input *in, int file_id, int64_t start,
                      int64_t start_line, const char *state, int hold, int tail,
                      int64_t *held, const struct hs_index_opts *o, struct hs_error *err);
/* Is the file at path, opened as db, an index we wrote and whole? 1 yes. */
int hs_idx_trusted(sqlite3 *db, const char *path);
/* PRAGMA quick_check of a small index reused as it is: 1 fine. */
int hs_idx_pages_ok(sqlite3 *db, const char *path);
/* What to do with a trusted index of in; *grown the log that only grew. */
enum plan hs_idx_decide(sqlite3 *db, struct input *in, int npaths, int *grown);
/* One pass of a refresh of file_id (tail: the unterminated last line's):
 * 0, 1 interrupted, -1 (err set). */
int hs_idx_refresh_pass(sqlite3 *db, struct input *in, int file_id, int tail, int64_t *held,
                        const struct hs_index_opts *o, struct hs_error *err);
/* The log only grew: parse its new part in one transaction. 0, or -1. */
int hs_idx_refresh(sqlite3 *db, struct input *in, int file_id, const struct hs_index_opts *o,
                   int background, struct hs_index_info *info, struct hs_error *err);

/* index_path.c: 0 when an index may be written at path, else -1 and err
 * says why (one of the logs, a link or device, or with explicit_path a
 * file that is neither empty nor an hsmscope index). */
int hs_idx_path_ok(const char *path, const char *const *paths, int npaths, int explicit_path,
                   struct hs_error *err);

#endif
