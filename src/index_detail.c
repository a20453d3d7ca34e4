/* index_detail.c — the events' detail text, kept out of the events rows.
 *
 * The detail (decoded lines, already redacted) is most of an event's
 * bytes, and read for one event at a time (the detail pane, an export) or
 * by a text search that reads them all in order. So it is stored apart:
 * the details of consecutive events are packed into blocks of about
 * BLOCK_RAW bytes, each compressed with zstd, in the table detail_blocks.
 * A list page, a count or a filter on any other field never touches them;
 * the rows stay narrow, so scans and the CREATE INDEX after a build read a
 * small fraction of what they read when the text was in the row.
 *
 * The events table reads them back through its virtual generated column
 * `detail` = hs_detail(n, dref), an SQL function registered on every
 * connection hsmscope opens. A connection that does not have it (the
 * sqlite3 shell) can read every other column; `SELECT *` there fails with
 * "unknown function: hs_detail()".
 *
 * A block's key is the detail number of its first entry: an event's n, or
 * its dref when a merge of several files renumbered n after the details
 * were written. A block: u32 count, then count u32 lengths (little
 * endian), then the texts one after the other; the row's `count` may be
 * smaller than the blob's (a refresh dropped the tail it parses again).
 * The reader keeps the last block it decompressed, so a scan in n order
 * decompresses each block once.
 */
#include "hsmscope/index.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define BLOCK_RAW (1u << 20)    /* bytes of text that close a block: zstd -1 on a 40 MB
                                   cut of the bench log, 7.1x at 256 KiB, 8.2x at 1 MiB
                                   (zstd -b1 -B), ~1 ms to decompress one */
#define BLOCK_MAX_EVENTS 16384  /* entries that close a block */
#define ZLEVEL 2                /* zstd level: the 40 MB cut in 1 MiB blocks is 8.2x at
                                   level 1, 8.7x at 2 (zstd -b1 -e3 -B1M), 8.5x at 3 */
#define RAW_MAX (64u << 20)     /* refuse to decompress a block claiming more */

struct hs_detail_writer {
	sqlite3 *db;                /* borrowed */
	sqlite3_stmt *ins;          /* owned: INSERT INTO detail_blocks */
	ZSTD_CCtx *cctx;            /* owned, reused for every block */
	int64_t first;              /* detail number of the first entry */
	uint32_t count;             /* entries in the pending block */
	struct hs_buf lens;         /* count u32 lengths */
	struct hs_buf text;         /* the texts */
	struct hs_buf raw;          /* the block as stored, before compression */
	void *out;                  /* compressed block */
	size_t outcap;
	char errmsg[200];
};

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct hs_detail_writer *hs_index_detail_writer_new(struct sqlite3 *db)
{
	struct hs_detail_writer *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->db = db;
	w->cctx = ZSTD_createCCtx();
	/* a checksum per block: a damaged block is said, never shown as text */
	if (!w->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, ZLEVEL)) ||
	    sqlite3_prepare_v2(db, "INSERT INTO detail_blocks(first, count, raw, data)"
	                           " VALUES(?1,?2,?3,?4)", -1, &w->ins, NULL) != SQLITE_OK) {
		hs_index_detail_writer_free(w);
		return NULL;
	}
	hs_buf_init(&w->lens);
	hs_buf_init(&w->text);
	hs_buf_init(&w->raw);
	return w;
}

int hs_index_detail_flush(struct hs_detail_writer *w)
{
	unsigned char c[4];
	size_t bound, z;
	int rc;

	if (!w || w->count == 0)
		return 0;
	put_u32(c, w->count);
	hs_buf_clear(&w->raw);
	if (hs_buf_add(&w->raw, (const char *)c, 4) < 0 ||
	    hs_buf_add(&w->raw, w->lens.data, w->lens.len) < 0 ||
	    hs_buf_add(&w->raw, w->text.data ? w->text.data : "", w->text.len) < 0)
		goto oom;
	bound = ZSTD_compressBound(w->raw.len);
	if (bound > w->outcap) {
		void *o = realloc(w->out, bound);
		if (!o)
			goto oom;
		w->out = o;
		w->outcap = bound;
	}
	z = ZSTD_compress2(w->cctx, w->out, w->outcap, w->raw.data, w->raw.len);
	if (ZSTD_isError(z)) {
		snprintf(w->errmsg, sizeof w->errmsg, "compressing a detail block: %s", ZSTD_getErrorName(z));
		return -1;
	}
	sqlite3_reset(w->ins);
	sqlite3_bind_int64(w->ins, 1, w->first);
	sqlite3_bind_int64(w->ins, 2, w->count);
	sqlite3_bind_int64(w->ins, 3, (sqlite3_int64)w->raw.len);
	sqlite3_bind_blob(w->ins, 4, w->out, (int)z, SQLITE_STATIC);
	rc = sqlite3_step(w->ins);
	sqlite3_reset(w->ins);
	w->count = 0;
	hs_buf_clear(&w->lens);
	hs_buf_clear(&w->text);
	if (rc != SQLITE_DONE) {
		snprintf(w->errmsg, sizeof w->errmsg, "%s", sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
oom:
	snprintf(w->errmsg, sizeof w->errmsg, "out of memory");
	return -1;
}

int hs_index_detail_add(struct hs_detail_writer *w, int64_t n, const char *s, size_t len)
{
	unsigned char c[4];

	/* a block holds consecutive numbers: a gap starts another */
	if (w->count && (n != w->first + w->count || w->text.len >= BLOCK_RAW ||
	                 w->count >= BLOCK_MAX_EVENTS))
		if (hs_index_detail_flush(w) < 0)
			return -1;
	if (w->count == 0)
		w->first = n;
	put_u32(c, (uint32_t)len);
	if (hs_buf_add(&w->lens, (const char *)c, 4) < 0 || (len && hs_buf_add(&w->text, s, len) < 0)) {
		snprintf(w->errmsg, sizeof w->errmsg, "out of memory");
		return -1;
	}
	w->count++;
	return 0;
}

const char *hs_index_detail_error(const struct hs_detail_writer *w)
{
	return w && w->errmsg[0] ? w->errmsg : "out of memory";
}

void hs_index_detail_writer_free(struct hs_detail_writer *w)
{
	if (!w)
		return;
	sqlite3_finalize(w->ins);
	ZSTD_freeCCtx(w->cctx);
	hs_buf_free(&w->lens);
	hs_buf_free(&w->text);
	hs_buf_free(&w->raw);
	free(w->out);
	free(w);
}

int hs_index_detail_truncate(struct sqlite3 *db, int64_t last)
{
	static const char sql[] =
		"DELETE FROM detail_blocks WHERE first > ?1;"
		"UPDATE detail_blocks SET count = ?1 - first + 1 WHERE first <= ?1 AND first + count - 1 > ?1;";
	const char *tail = sql;
	int rc = SQLITE_OK;

	while (rc == SQLITE_OK && tail && *tail) {
		sqlite3_stmt *st = NULL;
		rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK || !st)
			break;
		sqlite3_bind_int64(st, 1, last);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_finalize(st);
	}
	/* a fresh cache: the one held may be a block just cut short */
	if (rc == SQLITE_OK)
		rc = hs_index_detail_register(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* ------------------------------------------------------------- reading */

/* One connection's last decompressed block (the function's user data). */
struct cache {
	int64_t first;              /* key of the block held, 0: none */
	uint32_t count;             /* valid entries (the row's count) */
	uint32_t nent;              /* entries in the blob */
	char *raw;                  /* owned, the decompressed block */
	size_t rawlen;
	size_t *off;                /* owned, nent + 1 text offsets into raw */
};

static void cache_free(void *p)
{
	struct cache *c = p;

	if (!c)
		return;
	free(c->raw);
	free(c->off);
	free(c);
}

/* Load the block holding detail number k into c. 1 loaded, 0 none, -1
 * damaged or out of memory. */
static int cache_load(sqlite3 *db, struct cache *c, int64_t k)
{
	sqlite3_stmt *st;
	const void *z;
	unsigned long long rawlen;
	size_t zlen, got, pos;
	int64_t first, count;
	uint32_t i, nent;
	int rc = -1;

	c->first = 0;
	if (sqlite3_prepare_v2(db, "SELECT first, count, raw, data FROM detail_blocks WHERE first <= ?1"
	                           " ORDER BY first DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, k);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = 0;
		goto out;
	}
	first = sqlite3_column_int64(st, 0);
	count = sqlite3_column_int64(st, 1);
	rawlen = (unsigned long long)sqlite3_column_int64(st, 2);
	z = sqlite3_column_blob(st, 3);
	zlen = (size_t)sqlite3_column_bytes(st, 3);
	if (k >= first + count) {
		rc = 0;
		goto out;
	}
	if (!z || rawlen < 4 || rawlen > RAW_MAX || count < 1)
		goto out;
	if (c->rawlen < rawlen) {
		char *r = realloc(c->raw, rawlen);
		if (!r)
			goto out;
		c->raw = r;
	}
	got = ZSTD_decompress(c->raw, rawlen, z, zlen);
	if (ZSTD_isError(got) || got != rawlen)
		goto out;
	c->rawlen = rawlen;
	nent = get_u32((const unsigned char *)c->raw);
	if ((uint64_t)count > nent || 4 + (uint64_t)nent * 4 > rawlen)
		goto out;
	free(c->off);
	c->off = malloc(((size_t)nent + 1) * sizeof *c->off);
	if (!c->off)
		goto out;
	pos = 4 + (size_t)nent * 4;
	for (i = 0; i < nent; i++) {
		uint32_t len = get_u32((const unsigned char *)c->raw + 4 + (size_t)i * 4);
		c->off[i] = pos;
		if (len > rawlen - pos)
			goto out;
		pos += len;
	}
	c->off[nent] = pos;
	c->nent = nent;
	c->count = (uint32_t)count;
	c->first = first;
	rc = 1;
out:
	sqlite3_finalize(st);
	return rc;
}

/* hs_detail(n, dref): the detail text of the event numbered n (dref when
 * not NULL), '' when it has none, NULL when it was never stored. */
static void detail_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct cache *c = sqlite3_user_data(ctx);
	int64_t k;
	int rc;

	(void)argc;
	k = sqlite3_value_type(argv[1]) != SQLITE_NULL ? sqlite3_value_int64(argv[1])
	                                                : sqlite3_value_int64(argv[0]);
	if (!(c->first && k >= c->first && k - c->first < c->count)) {
		rc = cache_load(sqlite3_context_db_handle(ctx), c, k);
		if (rc < 0) {
			sqlite3_result_error(ctx, "a detail block of the index is damaged", -1);
			sqlite3_result_error_code(ctx, SQLITE_CORRUPT);
			return;
		}
		if (rc == 0)
			return; /* NULL */
	}
	{
		size_t i = (size_t)(k - c->first);
		sqlite3_result_text(ctx, c->raw + c->off[i], (int)(c->off[i + 1] - c->off[i]),
		                    SQLITE_TRANSIENT);
	}
}

int hs_index_detail_register(struct sqlite3 *db)
{
	struct cache *c = calloc(1, sizeof *c);

	if (!c)
		return SQLITE_NOMEM;
	/* deterministic and innocuous: the generated column `detail` calls it */
	return sqlite3_create_function_v2(db, "hs_detail", 2,
	                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, c,
	                                  detail_fn, NULL, NULL, cache_free);
}
