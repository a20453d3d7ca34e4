/* rawlines.c — the file's lines around a call, redacted (rawlines.h).
 *
 * The index keeps, per call-trace event, the runs of line numbers the
 * parser gave it (event_rows.nlines and runs, event.h `lines`). The file is read through
 * the reader (so compressed logs and stdin spools read as the parser read
 * them) from the first of them to the last; what lies between belongs to
 * other calls. Redaction needs context (which function, which parameter a
 * dump row follows), and a line out of its context must fail closed: the
 * call's own lines are redacted together as its detail was, every other
 * line together in strict mode.
 */
#include "hsmscope/rawlines.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hsmscope/reader.h"
#include "hsmscope/redact.h"

struct run {
	int64_t first, count;       /* line numbers */
	int shared;
};

void hs_rawlines_init(struct hs_rawlines *r)
{
	memset(r, 0, sizeof *r);
	hs_buf_init(&r->text);
}

void hs_rawlines_free(struct hs_rawlines *r)
{
	hs_buf_free(&r->text);
	free(r->line);
	hs_rawlines_init(r);
}

/* Parse "[@OFF:LINE] R+K R* ..." into runs (absolute line numbers); the
 * line and offset they count from in *line0, *off0. -1 when malformed. */
static int parse_runs(const char *s, int64_t offset, int64_t line, int64_t *off0, int64_t *line0,
                      struct run **out, int *nout)
{
	struct run *v = NULL, *nv;
	int n = 0, cap = 0;
	long long a, b;
	char *end;

	*off0 = offset, *line0 = line;
	while (*s == ' ')
		s++;
	if (*s == '@') {
		a = strtoll(s + 1, &end, 10);
		if (*end != ':')
			return -1;
		b = strtoll(end + 1, &end, 10);
		*off0 = a, *line0 = b, s = end;
	}
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		a = strtoll(s, &end, 10);
		if (end == s || (*end != '+' && *end != '*'))
			goto bad;
		if (*end == '+') {
			s = end + 1;
			b = strtoll(s, &end, 10);
			if (end == s || b <= 0)
				goto bad;
		} else {
			b = -1;
			end++;
		}
		s = end;
		if (a < 0)
			goto bad;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, (size_t)cap * sizeof *v);
			if (!nv)
				goto bad;
			v = nv;
		}
		v[n].first = *line0 + a;
		v[n].count = b < 0 ? 1 : b;
		v[n].shared = b < 0;
		n++;
	}
	*out = v, *nout = n;
	return 0;
bad:
	free(v);
	return -1;
}

static int owner_of(const struct run *v, int n, int64_t lineno, int *k)
{
	/* runs are in line order: walk on from the last one matched */
	while (*k < n && v[*k].first + v[*k].count <= lineno)
		(*k)++;
	if (*k < n && lineno >= v[*k].first)
		return v[*k].shared ? HS_RAW_SHARED : HS_RAW_OWN;
	return HS_RAW_OTHER;
}

static size_t span(const char *s, size_t i, size_t n, const char *set)
{
	while (i < n && s[i] && strchr(set, s[i]))
		i++;
	return i;
}

#define DIGITS "0123456789"
#define WORD "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

/* A line of the spy's frame around a call's parameters, which holds only
 * numbers and names by its shape: "N: C_Name", "Returned:  N NAME", the
 * time line, the thread line. The spy writes each with one fprintf, so no
 * other thread's text can be inside one; such a line is shown as it is and
 * left out of the text redaction reads (after a PIN's name, redaction
 * masks every line up to the next name: the Returned would be masked). */
static int frame_line(const char *s, size_t n)
{
	size_t i, j;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 9 && memcmp(s, "Returned:", 9) == 0) {
		i = span(s, 9, n, " \t");
		i = span(s, i + (i < n && s[i] == '-'), n, DIGITS);
		j = span(s, i, n, " \t");
		return j > i && span(s, j, n, WORD) == n;
	}
	if (n > 2 && s[0] == 'P' && s[1] == ':') /* P:pid; T:0xtid date time */
		return span(s, 2, n, DIGITS "; T:x" "abcdefABCDEF -.") == n;
	i = span(s, 0, n, DIGITS);
	if (i > 0 && i + 4 < n && s[i] == ':' && s[i + 1] == ' ' && s[i + 2] == 'C' && s[i + 3] == '_')
		return span(s, i + 4, n, WORD) == n;
	/* YYYY-MM-DD HH:MM:SS.mmm */
	return n == 23 && span(s, 0, n, DIGITS "-: .") == n && s[4] == '-' && s[10] == ' ';
}

/* Redact, in place, the lines of r in group g (grp[i] == g) as one
 * detail text of function func: they are copied out joined by '\n',
 * masked, and copied back (masking keeps every length). */
static int redact_group(struct hs_rawlines *r, const int *grp, int g, const char *func, int strict,
                        int data, int foreign)
{
	struct hs_event t;
	struct hs_redact_opts o = { .data = data, .strict = strict };
	size_t at = 0;
	int i, first = 1;

	hs_event_init(&t);
	hs_strlcpy(t.func, func, sizeof t.func);
	for (i = 0; i < r->n; i++) {
		if (grp[i] != g)
			continue;
		if ((first ? (first = 0) : hs_buf_addc(&t.detail, '\n')) < 0 ||
		    hs_buf_add(&t.detail, r->line[i].s, r->line[i].len) < 0) {
			hs_event_free(&t);
			return -1;
		}
	}
	if (foreign)
		hs_redact_foreign(t.detail.data, t.detail.len);
	hs_redact_event(&t, &o);
	for (i = 0; i < r->n; i++) {
		if (grp[i] != g)
			continue;
		memcpy((char *)r->line[i].s, t.detail.data + at, r->line[i].len);
		at += r->line[i].len + 1;
	}
	hs_event_free(&t);
	return 0;
}

/* Which call each line of the window is: grp[i] = 0 the selected call's
 * (its shared lines excepted), k > 0 the k-th other call whose runs the
 * index holds (its function in funcs[k]), -1 a line no call has alone
 * (shared, or nobody's), -2 a frame line (shown as it is). The owners
 * are looked for among the calls that begin before the window's end:
 * OWNERS_BACK of them at most (the parser holds at most as many open). */
#define OWNERS_BACK 512
static int owners(struct hs_index *ix, const struct hs_event *e, struct hs_rawlines *r, int *grp,
                  char (**funcs)[64], int *nfuncs)
{
	struct sqlite3_stmt *st;
	int64_t lo = r->line[0].lineno, hi = r->line[r->n - 1].lineno, off0, line0;
	int i, k = 0, nv, rc = 0;
	struct run *v;
	char (*f)[64] = NULL, (*nf)[64];

	for (i = 0; i < r->n; i++)
		grp[i] = frame_line(r->line[i].s, r->line[i].len) ? -2 :
		         r->line[i].owner == HS_RAW_OWN ? 0 : -1;
	*funcs = NULL, *nfuncs = 0;
	if (sqlite3_prepare_v2(hs_index_db(ix), "SELECT r.offset, r.line, f.name,"
	                       " coalesce(r.runs, '0+' || r.nlines) FROM event_rows r"
	                       " JOIN funcs f ON f.id = r.func_id WHERE r.file_id = ?1 AND r.offset <= ?2"
	                       " AND (r.runs IS NOT NULL OR r.nlines IS NOT NULL)"
	                       " ORDER BY r.offset DESC LIMIT ?3",
	                       -1, &st, NULL) != SQLITE_OK)
		return 0; /* then every other line is redacted strictly */
	sqlite3_bind_int(st, 1, e->file_id);
	sqlite3_bind_int64(st, 2, r->line[r->n - 1].offset);
	sqlite3_bind_int(st, 3, OWNERS_BACK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t off = sqlite3_column_int64(st, 0), line = sqlite3_column_int64(st, 1);
		const char *runs = (const char *)sqlite3_column_text(st, 3);
		int j, any = 0;
		if (off == e->offset || !runs || line > hi ||
		    parse_runs(runs, off, line, &off0, &line0, &v, &nv) < 0)
			continue;
		for (j = 0; j < nv; j++) {
			int64_t l;
			if (v[j].shared || v[j].first > hi || v[j].first + v[j].count <= lo)
				continue;
			for (l = v[j].first < lo ? lo : v[j].first; l < v[j].first + v[j].count && l <= hi; l++) {
				i = (int)(l - lo); /* the window's lines are consecutive */
				if (i < r->n && grp[i] == -1 && r->line[i].owner == HS_RAW_OTHER) {
					if (!any) {
						nf = realloc(f, (size_t)(k + 2) * sizeof *f);
						if (!nf) {
							free(v);
							rc = -1;
							goto done;
						}
						f = nf, k++, any = 1;
						hs_strlcpy(f[k], (const char *)sqlite3_column_text(st, 2), sizeof f[k]);
					}
					grp[i] = k;
				}
			}
		}
		free(v);
	}
done:
	sqlite3_finalize(st);
	*funcs = f, *nfuncs = k;
	return rc;
}

/* Every line of the window through redaction, by the call it belongs to.
 * Redaction's rules by context are the spy's layout; another tracer's
 * lines (p11-kit's pPin, the NSS logger's, a CloudHSM password) are all
 * redacted together in strict mode, the call's own with them. */
static int redact_all(struct hs_index *ix, const struct hs_event *e, struct hs_rawlines *r, int data,
                      int spy)
{
	int *grp = malloc((size_t)r->n * sizeof *grp), nf = 0, k, rc = -1;
	char (*funcs)[64] = NULL;

	if (grp && !spy) {
		for (k = 0; k < r->n; k++)
			grp[k] = -1;
		rc = redact_group(r, grp, -1, "", 1, data, 1);
	} else if (grp && owners(ix, e, r, grp, &funcs, &nf) == 0 &&
	    redact_group(r, grp, 0, e->func, 0, data, 0) == 0 &&
	    redact_group(r, grp, -1, "", 1, data, 0) == 0) {
		for (k = 1, rc = 0; k <= nf && rc == 0; k++)
			rc = redact_group(r, grp, k, funcs[k], 0, data, 0);
	}
	free(funcs);
	free(grp);
	return rc;
}

int hs_rawlines_read(struct hs_index *ix, const struct hs_event *e, int redact_data,
                     struct hs_rawlines *r, struct hs_error *err)
{
	const struct hs_index_file *f = hs_index_file(ix, e->file_id);
	struct sqlite3_stmt *st;
	struct hs_reader *rd = NULL;
	struct run *v = NULL;
	int nv = 0, k = 0, rc, i, cut, acap = 0;
	int64_t off0, line0, last, off, lineno;
	const char *s;
	size_t len;
	size_t *at = NULL;

	hs_buf_clear(&r->text);
	r->n = r->own = 0;
	r->own_left = 0;
	if (!f || sqlite3_prepare_v2(hs_index_db(ix), "SELECT coalesce(runs, '0+' || nlines)"
	                             " FROM event_rows WHERE n = ?1", -1, &st, NULL) != SQLITE_OK)
		return 0; /* an index without the table: nothing recorded */
	sqlite3_bind_int64(st, 1, e->n);
	rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) ?
	     parse_runs((const char *)sqlite3_column_text(st, 0), e->offset, e->line, &off0, &line0,
	                &v, &nv) : -1;
	sqlite3_finalize(st);
	if (rc < 0 || nv == 0) {
		free(v);
		return 0;
	}
	last = v[nv - 1].first + v[nv - 1].count - 1;
	for (i = 0; i < nv; i++)
		if (v[i].first + v[i].count - 1 > last)
			last = v[i].first + v[i].count - 1;
	if (hs_reader_open(f->path, off0, line0, &rd, err) < 0) {
		free(v);
		return -1;
	}
	/* lines are gathered as offsets into text (it may move as it grows) */
	while ((rc = hs_reader_next(rd, &s, &len, &off, &lineno, &cut, err)) == 1 && lineno <= last) {
		int own = owner_of(v, nv, lineno, &k);
		if (r->n == HS_RAWLINES_MAX) {
			r->own_left += own != HS_RAW_OTHER;
			continue;
		}
		if (r->n == r->cap) {
			int ncap = r->cap ? r->cap * 2 : 64;
			struct hs_rawline *nl = realloc(r->line, (size_t)ncap * sizeof *nl);
			if (!nl)
				goto oom;
			r->line = nl;
			r->cap = ncap;
		}
		if (r->n == acap) {
			size_t *na = realloc(at, (size_t)r->cap * sizeof *na);
			if (!na)
				goto oom;
			at = na;
			acap = r->cap;
		}
		at[r->n] = r->text.len;
		if (hs_buf_add(&r->text, s, len) < 0 || hs_buf_addc(&r->text, '\n') < 0)
			goto oom;
		r->line[r->n].len = len;
		r->line[r->n].lineno = lineno;
		r->line[r->n].offset = off;
		r->line[r->n].owner = own;
		r->own += own != HS_RAW_OTHER;
		r->n++;
	}
	hs_reader_close(rd);
	free(v);
	if (rc < 0) {
		free(at);
		r->n = 0;
		return -1;
	}
	for (i = 0; i < r->n; i++)
		r->line[i].s = r->text.data + at[i];
	free(at);
	if (r->n && redact_all(ix, e, r, redact_data, strcmp(f->format, "spy") == 0) < 0) {
		r->n = 0;
		hs_error_set(err, f->path, 0, 0, "out of memory");
		return -1;
	}
	return 1;
oom:
	hs_reader_close(rd);
	free(v);
	free(at);
	r->n = 0;
	hs_error_set(err, f->path, 0, 0, "out of memory");
	return -1;
}
