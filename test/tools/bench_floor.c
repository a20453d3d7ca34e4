/* bench_floor.c — `make bench`'s floor of a list-only first pass (issue 15).
 *
 * Not hsmscope's parser: a measurement of what the design that ENGINE.md
 * ("Why tuning will not reach 3x lnav") proposes could cost at best. It
 * reads a pkcs11-spy log once and finds what the event list needs of each
 * call (its offset, number, function, the length of its time line, its
 * return value) by line starts alone, with no attribution of interleaved
 * lines, no redaction and no correlation; then stores it one of three ways.
 *
 *   bench_floor LOG scan          find the facts, store nothing
 *   bench_floor LOG rows  DB      one SQLite row per call (no index)
 *   bench_floor LOG blocks DB     1,024 calls packed in one row (a blob)
 *
 * Prints "<calls> calls <returns> returns <functions> functions". Time it
 * from outside (test/bench.sh runs it under time(1) beside lnav).
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BLOCK = 1024, MAX_FUNCS = 1024, READ_SIZE = 1 << 20 };

struct call {
	int64_t off;  /* byte offset of the "N: C_Name" line */
	int64_t n;    /* the spy's call number */
	int64_t ts;   /* length of the time line: stands for its parse */
	int64_t rv;   /* return value, -1 when none was seen */
	int32_t func; /* index into struct scan.funcs */
	int32_t pad;
};

struct scan {
	const char *funcs[MAX_FUNCS]; /* owned: strndup'ed names */
	int nfuncs;
	struct call cur;      /* the call being read */
	struct call blk[BLOCK];
	int nblk;
	int64_t calls, returns;
	int mode; /* 0 scan, 1 rows, 2 blocks */
	sqlite3 *db;
	sqlite3_stmt *ins;
};

static int func_id(struct scan *s, const char *p, size_t len)
{
	for (int i = 0; i < s->nfuncs; i++)
		if (strncmp(s->funcs[i], p, len) == 0 && s->funcs[i][len] == '\0')
			return i;
	if (s->nfuncs == MAX_FUNCS)
		return MAX_FUNCS - 1;
	s->funcs[s->nfuncs] = strndup(p, len);
	return s->nfuncs++;
}

static void flush_block(struct scan *s)
{
	if (!s->nblk)
		return;
	sqlite3_reset(s->ins);
	sqlite3_bind_blob(s->ins, 1, s->blk, (int)(s->nblk * sizeof s->blk[0]), SQLITE_STATIC);
	sqlite3_step(s->ins);
	s->nblk = 0;
}

static void store(struct scan *s)
{
	const struct call *c = &s->cur;

	if (s->mode == 1) {
		sqlite3_reset(s->ins);
		sqlite3_bind_int64(s->ins, 1, c->off);
		sqlite3_bind_int64(s->ins, 2, c->n);
		sqlite3_bind_int(s->ins, 3, c->func);
		sqlite3_bind_int64(s->ins, 4, c->ts);
		sqlite3_bind_int64(s->ins, 5, c->rv);
		sqlite3_step(s->ins);
	} else if (s->mode == 2) {
		s->blk[s->nblk++] = *c;
		if (s->nblk == BLOCK)
			flush_block(s);
	}
}

/* One line [p, nl) at offset off. */
static void line(struct scan *s, const char *p, const char *nl, int64_t off)
{
	if (*p >= '0' && *p <= '9') {
		const char *q = p;
		int64_t n = 0;
		while (q < nl && *q >= '0' && *q <= '9')
			n = n * 10 + (*q++ - '0');
		if (nl - q > 3 && q[0] == ':' && q[1] == ' ' && (q[2] == 'C' || q[2] == 'S')) {
			if (s->calls++)
				store(s);
			s->cur = (struct call){ .off = off, .n = n, .rv = -1,
			                        .func = func_id(s, q + 2, (size_t)(nl - q - 2)) };
		} else if (q - p == 4 && q < nl && *q == '-') { /* old header: "2026-11-22 ..." */
			s->cur.ts = nl - p;
		}
	} else if (p[0] == 'P' && nl - p > 1 && p[1] == ':') { /* new header */
		s->cur.ts = nl - p;
	} else if (nl - p > 10 && memcmp(p, "Returned:", 9) == 0) {
		s->cur.rv = strtol(p + 9, NULL, 10);
		s->returns++;
	}
}

static int open_db(struct scan *s, const char *path)
{
	unlink(path);
	if (sqlite3_open(path, &s->db) != SQLITE_OK ||
	    sqlite3_exec(s->db,
	                 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
	                 "CREATE TABLE calls(off INTEGER, n INTEGER, func INTEGER, ts INTEGER, rv INTEGER);"
	                 "CREATE TABLE blocks(k INTEGER PRIMARY KEY, data BLOB);",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       s->mode == 1 ? "INSERT INTO calls VALUES(?, ?, ?, ?, ?)"
	                                    : "INSERT INTO blocks(data) VALUES(?)",
	                       -1, &s->ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_floor: %s: %s\n", path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct scan s; /* 40 KiB of block: not on the stack */
	size_t have = 0;
	int64_t base = 0;
	char *buf;
	int fd;

	if (argc < 3 || (strcmp(argv[2], "scan") != 0 && argc < 4)) {
		fprintf(stderr, "usage: bench_floor LOG scan|rows DB|blocks DB\n");
		return 2;
	}
	s.mode = strcmp(argv[2], "rows") == 0 ? 1 : strcmp(argv[2], "blocks") == 0 ? 2 : 0;
	if ((fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (!(buf = malloc(2 * READ_SIZE)) || (s.mode && open_db(&s, argv[3]) < 0))
		return 1;
	for (;;) {
		ssize_t r = read(fd, buf + have, READ_SIZE);
		const char *p = buf, *end, *nl;
		if (r <= 0)
			break;
		end = buf + have + (size_t)r;
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			if (nl > p)
				line(&s, p, nl, base + (p - buf));
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (have > READ_SIZE) { /* a line longer than READ_SIZE: skipped (a floor) */
			base += end - buf;
			have = 0;
			continue;
		}
		memmove(buf, p, have);
		base += p - buf;
	}
	if (s.calls)
		store(&s);
	if (s.mode == 2)
		flush_block(&s);
	if (s.mode) {
		sqlite3_finalize(s.ins);
		sqlite3_exec(s.db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(s.db);
	}
	printf("%lld calls %lld returns %d functions\n", (long long)s.calls, (long long)s.returns,
	       s.nfuncs);
	close(fd);
	free(buf);
	for (int i = 0; i < s.nfuncs; i++)
		free((void *)s.funcs[i]);
	return 0;
}
