/* corrstore_int.h — what the two halves of the correlator's store share:
 * correlate_store.c (its rows) and correlate_store_state.c (its saved
 * state: chunks, checkpoints, rewinds). Not a public header.
 */
#ifndef HSMSCOPE_CORRSTORE_INT_H
#define HSMSCOPE_CORRSTORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "hsmscope/corrstore.h"

#define RING 4096               /* events remembered for the checkpoint */
#define SNAP_BIG (8u << 20)     /* a state this big is kept in one snapshot, not two */
#define SNAP_EVERY 16384        /* events between two snapshots of the live state, at least
                                   (a replay costs ~10 us an event, a snapshot ~0.3 ns a byte) */
#define STATE_MAX (512u << 20)  /* a saved state bigger than this is not ours */
#define CHUNK (32u << 10)       /* bytes of state per corr_chunks row */
#define MANIFEST_MAGIC "HSCSMAN1"
#define AT_END_BASE ((int64_t)1 << 62) /* the first rowid of an at_end anomaly */

/* The append-only tables, in HS_CSMARK_* order. */
static const char *const mark_table[HS_CSMARK_COUNT] = {
	"anomalies", "links", "seq_gaps", "attributions"
};

struct note {
	int64_t n, offset;          /* an event and its byte offset */
	int64_t marks[HS_CSMARK_COUNT]; /* rowids before it was correlated */
};

struct hs_corrstore {
	sqlite3 *db;                /* borrowed: the index being written */
	sqlite3_stmt *st[HS_CROW_COUNT]; /* owned prepared INSERTs */
	int64_t marks[HS_CSMARK_COUNT]; /* the last rowid of each append-only table */
	struct note *ring;          /* owned, RING entries; the event noted k-th is at k % RING */
	int64_t noted;              /* events noted */
	int64_t evicted_max;        /* the highest offset of the events no longer in the ring, -1 */
	struct hs_buf snap[2];      /* owned: the live state saved now and then during a run */
	int64_t snap_n[2];          /* each is the state after the events up to this n, -1 none */
	int64_t next_snap;          /* noted count at which the next one is taken */
	struct atend *ae;           /* owned: the at_end anomalies stored, nae of them, by hash */
	size_t nae;
	int ae_loaded;              /* ae read from the index */
	int64_t ae_next;            /* the rowid of the next at_end anomaly */
};

/* s->marks from the tables: each the last rowid (the next row gets one
 * more). 0 or -1 on an SQLite error. */
int hs_cs_read_marks(struct hs_corrstore *s);

#endif
