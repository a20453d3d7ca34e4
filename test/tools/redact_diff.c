/* redact_diff.c — differential check of two redactions: the build's
 * hs_redact_event against old_redact_event (an earlier redact.c with its
 * functions renamed, see redact_diff.sh), on every call of the given logs
 * (a chunk from one "N: C_Name" header to the next), as written and under
 * eight mutations of its layout (blanks to TABs, squeezed blanks, CRLF,
 * no indentation, "name=" / "name:", cut lines, doubled blanks, noise),
 * with the four option sets (data, strict).
 *
 * Counted, per byte: one the old masked and the new leaves (less strict:
 * the exit status is 1 when any), one the new masks and the old leaves
 * (more strict), and two kinds reported apart: the offset of a dump row
 * both mask in full otherwise (the new keeps a secret row's offset) and a
 * blank the old masked (no byte of a secret is a blank it keeps alone).
 * SHOW=1 prints the lines of the first calls that differ for the worse;
 * SEED=n picks another run of mutations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/event.h"
#include "hsmscope/redact.h"

int old_redact_event(struct hs_event *e, const struct hs_redact_opts *o);

static unsigned long long rs = 12345;
static long runs, less, more, offkept, blankkept, bad_calls;

static unsigned rnd(void)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rs >> 33);
}

static int is_hexc(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Is byte i of a (old) / b (new) in the leading offset of a row whose
 * other bytes the old masks no more than the new? */
static int offset_only(const char *a, const char *b, size_t len, size_t i)
{
	size_t ls = i, le = i, t, te, q;

	while (ls > 0 && a[ls - 1] != '\n')
		ls--;
	while (le < len && a[le] != '\n')
		le++;
	for (t = ls; t < le && (b[t] == ' ' || b[t] == '\t'); t++)
		;
	for (te = t; te < le && is_hexc(b[te]); te++)
		;
	if (i < t || i >= te || te - t < 4 || te - t > 16)
		return 0;
	for (q = te; q < le; q++)
		if (a[q] == '*' && b[q] != '*')
			return 0;
	return 1;
}

static void run(const char *func, const char *d, size_t n, const struct hs_redact_opts *o, const char *tag)
{
	struct hs_event a, b;
	size_t i, ls, j;
	int bad = 0;

	hs_event_init(&a);
	hs_event_init(&b);
	snprintf(a.func, sizeof a.func, "%s", func);
	snprintf(b.func, sizeof b.func, "%s", func);
	if (hs_event_add_line(&a, d, n) == 0 && hs_event_add_line(&b, d, n) == 0) {
		old_redact_event(&a, o);
		hs_redact_event(&b, o);
		runs++;
		for (i = 0; i < a.detail.len; i++) {
			char x = a.detail.data[i], y = b.detail.data[i];
			if (x == '*' && y != '*') {
				if (offset_only(a.detail.data, b.detail.data, a.detail.len, i))
					offkept++;
				else if (y == ' ' || y == '\t')
					blankkept++;
				else
					less++, bad = 1;
			} else if (x != '*' && y == '*') {
				more++;
			}
		}
		if (bad && ++bad_calls <= 20 && getenv("SHOW")) {
			printf("=== less strict: %s, %s, data %d strict %d\n", tag, func, o ? o->data : 0,
			       o ? o->strict : 0);
			for (ls = 0, j = 0; j <= a.detail.len; j++)
				if (j == a.detail.len || a.detail.data[j] == '\n') {
					if (memcmp(a.detail.data + ls, b.detail.data + ls, j - ls))
						printf("old %.*s\nnew %.*s\n", (int)(j - ls), a.detail.data + ls,
						       (int)(j - ls), b.detail.data + ls);
					ls = j + 1;
				}
		}
	}
	hs_event_free(&a);
	hs_event_free(&b);
}

static size_t mutate(const char *d, size_t n, char *out, int m)
{
	size_t i, k = 0;
	int bol = 1;

	for (i = 0; i < n; i++) {
		char c = d[i];
		switch (m) {
		case 1: /* blanks to TABs */
			if (c == ' ' && (rnd() & 1))
				c = '\t';
			break;
		case 2: /* squeezed blanks */
			if (c == ' ' && i && d[i - 1] == ' ')
				continue;
			break;
		case 3: /* CRLF */
			if (c == '\n')
				out[k++] = '\r';
			break;
		case 4: /* no indentation */
			if (bol && c == ' ')
				continue;
			break;
		case 5: /* "name=" and "name:" */
			if (c == ' ' && i + 1 < n && d[i + 1] != ' ' && i && d[i - 1] != ' ' && rnd() % 3 == 0) {
				out[k++] = (rnd() & 1) ? '=' : ':';
				continue;
			}
			break;
		case 6: /* lines cut short */
			if (c != '\n' && rnd() % 40 == 0) {
				while (i < n && d[i] != '\n')
					i++;
				if (i >= n)
					continue;
				c = '\n';
			}
			break;
		case 7: /* doubled blanks */
			if (c == ' ' && rnd() % 5 == 0)
				out[k++] = ' ';
			break;
		case 8: /* noise */
			if (rnd() % 200 == 0) {
				out[k++] = c;
				c = "\n \t:=[]/0x*"[rnd() % 11];
			}
			break;
		}
		bol = c == '\n' || (bol && m == 4 && (c == ' ' || c == '\t'));
		out[k++] = c;
	}
	return k;
}

/* A spy call header: "N: C_Name" within the line's first 40 bytes. */
static int header_at(const char *buf, size_t i)
{
	const char *c = strstr(buf + i, ": C_"), *nl = strchr(buf + i, '\n');

	return c && (!nl || c < nl) && c - (buf + i) < 40;
}

static void run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf, *mb, func[64] = "C_Unknown", tag[600];
	long sz;
	size_t i, start = 0, n, k, j;
	int m, v;

	if (!fp)
		return;
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)sz + 1);
	if (!buf || fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
		fclose(fp);
		free(buf);
		return;
	}
	buf[sz] = '\0';
	fclose(fp);
	for (i = 0; i <= (size_t)sz; i++) {
		if (i < (size_t)sz && !((i == 0 || buf[i - 1] == '\n') && header_at(buf, i)))
			continue;
		if (i > start) {
			n = i - start;
			mb = malloc(n * 3 + 16);
			for (m = 0; mb && m <= 8; m++)
				for (v = 0; v < 4; v++) {
					struct hs_redact_opts o = { v & 1, v >> 1 };
					if (m)
						k = mutate(buf + start, n, mb, m);
					else
						memcpy(mb, buf + start, n), k = n;
					snprintf(tag, sizeof tag, "%s@%zu mutation %d", path, start, m);
					run(func, mb, k, v ? &o : NULL, tag);
				}
			free(mb);
		}
		if (i < (size_t)sz) {
			const char *c = strstr(buf + i, "C_");
			for (j = 0; c && j < sizeof func - 1 && (c[j] == '_' || (c[j] >= 'A' && c[j] <= 'Z') ||
			                                          (c[j] >= 'a' && c[j] <= 'z')); j++)
				func[j] = c[j];
			func[j] = '\0';
			while (i < (size_t)sz && buf[i] != '\n')
				i++;
			start = i + 1;
		}
	}
	free(buf);
}

int main(int argc, char **argv)
{
	int f;

	if (getenv("SEED"))
		rs = strtoull(getenv("SEED"), NULL, 10);
	for (f = 1; f < argc; f++)
		run_file(argv[f]);
	printf("%ld runs: %ld bytes less strict (%ld calls), %ld more strict; "
	       "kept: %ld offsets of masked rows, %ld blanks\n",
	       runs, less, bad_calls, more, offkept, blankkept);
	return less != 0;
}
