/* sqlout.c — the outputs of `hsmscope sql`: an aligned table (log text
 * escaped, so a value can never drive the terminal), CSV (RFC 4180, text
 * cells escaped and never a formula) and a JSON array that keeps numbers
 * and NULL as such (strings through hs_escape_json).
 *
 * Streaming: the table's column widths come from the first TABLE_SAMPLE
 * rows, which are held back; later rows are padded to those widths (a
 * longer value just runs on), so memory stays bounded for any result.
 */
#include "hsmscope/sqlout.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TABLE_SAMPLE 1000       /* rows held back to size the columns */
#define CELL_MAX 200            /* display columns a table cell is cut to */

struct hs_sqlout {
	enum hs_sqlout_format fmt;
	FILE *out;                  /* borrowed */
	int ncol;                   /* 0 until the first row (or header) */
	char **names;               /* owned, escaped */
	int *width;                 /* owned: display width per column */
	char **held;                /* owned: TABLE_SAMPLE * ncol escaped cells */
	int nheld;
	int flushed;                /* the header and held rows are out */
	int64_t rows;
	int failed;                 /* out of memory */
	int tty;                    /* out is a terminal: CSV cells on one line */
};

struct hs_sqlout *hs_sqlout_new(enum hs_sqlout_format fmt, FILE *out)
{
	struct hs_sqlout *o = calloc(1, sizeof *o);

	if (o) {
		o->fmt = fmt;
		o->out = out;
		o->tty = isatty(fileno(out));
	}
	return o;
}

/* One cell as a person sees it: escaped, cut to CELL_MAX bytes. */
static char *cell(const char *v)
{
	struct hs_buf b;
	size_t n;

	hs_buf_init(&b);
	if (!v)
		v = "NULL";
	n = strlen(v);
	if (hs_escape(&b, v, n > CELL_MAX ? CELL_MAX : n) < 0 ||
	    (n > CELL_MAX && hs_buf_adds(&b, "...") < 0)) {
		hs_buf_free(&b);
		return NULL;
	}
	if (!b.data)
		return hs_strdup("");
	return b.data;
}

static void put_cells(struct hs_sqlout *o, char *const *cells)
{
	for (int i = 0; i < o->ncol; i++) {
		int pad = o->width[i] - hs_text_width(cells[i]);
		fputs(cells[i], o->out);
		if (i + 1 < o->ncol)
			fprintf(o->out, "%*s", pad > 0 ? pad + 2 : 2, "");
	}
	fputc('\n', o->out);
}

static void flush_table(struct hs_sqlout *o)
{
	if (o->flushed || o->ncol == 0)
		return;
	o->flushed = 1;
	put_cells(o, o->names);
	for (int i = 0; i < o->ncol; i++) {
		for (int j = 0; j < o->width[i]; j++)
			fputc('-', o->out);
		if (i + 1 < o->ncol)
			fputs("  ", o->out);
	}
	fputc('\n', o->out);
	for (int r = 0; r < o->nheld; r++)
		put_cells(o, o->held + (size_t)r * (size_t)o->ncol);
}

/* A CSV cell: numbers as they are (a negative number is no formula), text
 * escaped and neutralised by hs_csv_text (its LFs kept in a file, for a
 * multi-line cell; escaped on a terminal), NULL empty. */
static void csv_field(FILE *out, const char *v, int text, int tty)
{
	struct hs_buf b;

	hs_buf_init(&b);
	if ((text ? hs_csv_text(&b, v, !tty) : hs_csv_field(&b, v)) == 0)
		fwrite(b.data ? b.data : "", 1, b.len, out);
	hs_buf_free(&b);
}

static int start(struct hs_sqlout *o, int ncol, const char *const *names)
{
	o->ncol = ncol;
	o->names = calloc((size_t)ncol, sizeof *o->names);
	o->width = calloc((size_t)ncol, sizeof *o->width);
	if (o->fmt == HS_SQLOUT_TABLE)
		o->held = calloc((size_t)TABLE_SAMPLE * (size_t)ncol, sizeof *o->held);
	if (!o->names || !o->width || (o->fmt == HS_SQLOUT_TABLE && !o->held))
		return -1;
	for (int i = 0; i < ncol; i++) {
		if (!(o->names[i] = cell(names[i])))
			return -1;
		o->width[i] = hs_text_width(o->names[i]);
	}
	if (o->fmt == HS_SQLOUT_CSV) {
		for (int i = 0; i < ncol; i++) {
			if (i)
				fputc(',', o->out);
			csv_field(o->out, names[i], 1, o->tty);
		}
		fputs("\r\n", o->out);
	} else if (o->fmt == HS_SQLOUT_JSON) {
		fputc('[', o->out);
	}
	return 0;
}

int hs_sqlout_row(void *ctx, int ncol, const char *const *names, const char *const *values,
                  const enum hs_sql_kind *kinds)
{
	struct hs_sqlout *o = ctx;

	if (o->failed)
		return 1;
	if (o->ncol == 0 && start(o, ncol, names) < 0) {
		o->failed = 1;
		return 1;
	}
	o->rows++;
	switch (o->fmt) {
	case HS_SQLOUT_CSV:
		for (int i = 0; i < ncol; i++) {
			if (i)
				fputc(',', o->out);
			csv_field(o->out, kinds[i] == HS_SQL_NULL ? NULL : values[i],
			          kinds[i] == HS_SQL_TEXT, o->tty);
		}
		fputs("\r\n", o->out);
		break;
	case HS_SQLOUT_JSON: {
		cJSON *obj = cJSON_CreateObject();
		char *s;
		for (int i = 0; obj && i < ncol; i++) {
			if (kinds[i] == HS_SQL_NULL)
				cJSON_AddNullToObject(obj, names[i]);
			else if (kinds[i] == HS_SQL_INT || kinds[i] == HS_SQL_REAL)
				cJSON_AddRawToObject(obj, names[i], values[i]);
			else
				cJSON_AddStringToObject(obj, names[i], values[i]);
		}
		s = obj ? cJSON_PrintUnformatted(obj) : NULL;
		cJSON_Delete(obj);
		if (!s) {
			o->failed = 1;
			return 1;
		}
		fputs(o->rows > 1 ? ",\n" : "\n", o->out);
		hs_json_puts(o->out, s); /* valid UTF-8, no raw control or bidi */
		cJSON_free(s);
		break;
	}
	case HS_SQLOUT_TABLE: {
		char **cells = calloc((size_t)ncol, sizeof *cells);
		for (int i = 0; i < ncol; i++) {
			if (!cells || !(cells[i] = cell(kinds[i] == HS_SQL_NULL ? NULL : values[i]))) {
				while (cells && i--)
					free(cells[i]);
				free(cells);
				o->failed = 1;
				return 1;
			}
			if (!o->flushed && hs_text_width(cells[i]) > o->width[i])
				o->width[i] = hs_text_width(cells[i]);
		}
		if (!o->flushed && o->nheld < TABLE_SAMPLE) {
			memcpy(o->held + (size_t)o->nheld * (size_t)ncol, cells, (size_t)ncol * sizeof *cells);
			o->nheld++;
			free(cells);
			break;
		}
		flush_table(o);
		put_cells(o, cells);
		for (int i = 0; i < ncol; i++)
			free(cells[i]);
		free(cells);
		break;
	}
	}
	return 0;
}

int hs_sqlout_finish(struct hs_sqlout *o)
{
	if (o->failed)
		return -1;
	if (o->fmt == HS_SQLOUT_TABLE) {
		flush_table(o);
		fprintf(o->out, "(%lld row%s)\n", (long long)o->rows, o->rows == 1 ? "" : "s");
	} else if (o->fmt == HS_SQLOUT_JSON) {
		fputs(o->ncol ? "\n]\n" : "[]\n", o->out);
	}
	return fflush(o->out) == 0 && !ferror(o->out) ? 0 : -1;
}

void hs_sqlout_free(struct hs_sqlout *o)
{
	if (!o)
		return;
	for (int i = 0; o->names && i < o->ncol; i++)
		free(o->names[i]);
	for (size_t i = 0; o->held && i < (size_t)o->nheld * (size_t)o->ncol; i++)
		free(o->held[i]);
	free(o->names);
	free(o->width);
	free(o->held);
	free(o);
}
