/* filterbar.c — line editing, filter history and the validated filter bar.
 *
 * The line is UTF-8 bytes with the cursor on a character boundary: moving
 * and deleting step over continuation bytes, so a multibyte character is
 * never split. Every edit recompiles the text with hs_filter_compile() (it
 * parses only; nothing is executed) to colour the bar green or red and to
 * point at the column of the error, as Wireshark's display filter bar does.
 * History is one filter per line in $XDG_STATE_HOME/hsmscope/history, mode
 * 0600 in a 0700 directory, rewritten atomically.
 */
#include "filterbar.h"

#include "complete.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "hsmscope/filter.h"
#include "hsmscope/safefile.h"
#include "hsmscope/util.h"

/* ----------------------------------------------------------- line editing */

void hs_line_set(struct hs_line *l, const char *text)
{
	hs_strlcpy(l->buf, text ? text : "", sizeof l->buf);
	l->len = strlen(l->buf);
	l->cur = l->len;
}

static int is_cont(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

static size_t prev_char(const struct hs_line *l, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && is_cont(l->buf[i]))
		i--;
	return i;
}

static size_t next_char(const struct hs_line *l, size_t i)
{
	if (i >= l->len)
		return l->len;
	i++;
	while (i < l->len && is_cont(l->buf[i]))
		i++;
	return i;
}

static void cut(struct hs_line *l, size_t from, size_t to)
{
	memmove(l->buf + from, l->buf + to, l->len - to + 1);
	l->len -= to - from;
	l->cur = from;
}

static int insert_cp(struct hs_line *l, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) { u[0] = (char)cp; n = 1; }
	else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
	else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
	}
	if (l->len + n >= sizeof l->buf)
		return 0;
	memmove(l->buf + l->cur + n, l->buf + l->cur, l->len - l->cur + 1);
	memcpy(l->buf + l->cur, u, n);
	l->len += n;
	l->cur += n;
	return 1;
}

enum hs_line_result hs_line_key(struct hs_line *l, int ch)
{
	size_t i;

	switch (ch) {
	case KEY_LEFT: l->cur = prev_char(l, l->cur); return HS_LINE_MOVED;
	case KEY_RIGHT: l->cur = next_char(l, l->cur); return HS_LINE_MOVED;
	case KEY_HOME: case HS_KEY_CTRL('a'): l->cur = 0; return HS_LINE_MOVED;
	case KEY_END: case HS_KEY_CTRL('e'): l->cur = l->len; return HS_LINE_MOVED;
	case KEY_BACKSPACE: case 127: case HS_KEY_CTRL('h'):
		if (l->cur)
			cut(l, prev_char(l, l->cur), l->cur);
		return HS_LINE_EDITED;
	case KEY_DC: case HS_KEY_CTRL('d'):
		if (l->cur < l->len)
			cut(l, l->cur, next_char(l, l->cur));
		return HS_LINE_EDITED;
	case HS_KEY_CTRL('u'): /* clear the line */
		l->buf[0] = '\0';
		l->len = l->cur = 0;
		return HS_LINE_EDITED;
	case HS_KEY_CTRL('k'):
		l->buf[l->cur] = '\0';
		l->len = l->cur;
		return HS_LINE_EDITED;
	case HS_KEY_CTRL('w'): /* the word before the cursor, and blanks after it */
		i = l->cur;
		while (i > 0 && l->buf[i - 1] == ' ')
			i--;
		while (i > 0 && l->buf[i - 1] != ' ')
			i--;
		cut(l, i, l->cur);
		return HS_LINE_EDITED;
	}
	if (ch >= HS_KEY_UNICODE)
		return insert_cp(l, (unsigned long)(ch - HS_KEY_UNICODE)) ? HS_LINE_EDITED : HS_LINE_UNUSED;
	if (ch >= 0x20 && ch < 0x7F)
		return insert_cp(l, (unsigned long)ch) ? HS_LINE_EDITED : HS_LINE_UNUSED;
	return HS_LINE_UNUSED;
}

int hs_line_draw(const struct hs_line *l, WINDOW *w, int y, int x, int width, attr_t a,
                 long bad_col, attr_t bad_attr)
{
	size_t start = 0, i;
	int col, curcol = x;

	if (width < 2)
		return x;
	/* scroll so that the cursor stays inside the field */
	while (hs_theme_width(l->buf + start, l->cur - start) > width - 1)
		start = next_char(l, start);
	hs_theme_fill(w, y, x, width, a);
	col = x;
	for (i = start; i < l->len && col < x + width;) {
		size_t j = next_char(l, i);
		attr_t at = (bad_col && (long)i == bad_col - 1) ? bad_attr : a;
		if (i == l->cur)
			curcol = col;
		col += hs_theme_put(w, y, col, x + width - col, l->buf + i, j - i, at);
		i = j;
	}
	if (l->cur >= i)
		curcol = col;
	/* text scrolled out on either side shows as an ellipsis there */
	if (i < l->len && x + width - 1 != curcol)
		hs_theme_puts(w, y, x + width - 1, 1, hs_theme_ellipsis(), a);
	if (start > 0 && x != curcol)
		hs_theme_puts(w, y, x, 1, hs_theme_ellipsis(), a);
	/* an error at the end of the text: mark the blank after it */
	if (bad_col && (size_t)bad_col > l->len && col < x + width)
		hs_theme_fill(w, y, col, 1, bad_attr);
	return curcol;
}

/* ---------------------------------------------------------------- history */

static char *history_path(void)
{
	const char *st = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct hs_buf b;

	hs_buf_init(&b);
	if (st && *st == '/')
		hs_buf_printf(&b, "%s/hsmscope", st);
	else if (home && *home)
		hs_buf_printf(&b, "%s/.local/state/hsmscope", home);
	else
		return NULL;
	hs_buf_adds(&b, "/history");
	if (hs_buf_failed(&b)) { /* a cut path would name another file */
		hs_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static void hist_push(struct hs_filterbar *fb, const char *text)
{
	int i;
	char *s;

	for (i = 0; i < fb->nhist; i++) {
		if (strcmp(fb->hist[i], text) == 0) {
			/* move an old entry to the end */
			s = fb->hist[i];
			memmove(fb->hist + i, fb->hist + i + 1, (size_t)(fb->nhist - i - 1) * sizeof *fb->hist);
			fb->hist[fb->nhist - 1] = s;
			return;
		}
	}
	if (!(s = hs_strdup(text)))
		return;
	if (fb->nhist == HS_HISTORY_MAX) {
		free(fb->hist[0]);
		memmove(fb->hist, fb->hist + 1, (size_t)(fb->nhist - 1) * sizeof *fb->hist);
		fb->nhist--;
	}
	fb->hist[fb->nhist++] = s;
}

void hs_fb_init(struct hs_filterbar *fb)
{
	FILE *fp;
	char line[HS_LINE_MAX];

	memset(fb, 0, sizeof *fb);
	fb->valid = 1;
	fb->hist = calloc(HS_HISTORY_MAX, sizeof *fb->hist);
	fb->hist_path = history_path();
	if (!fb->hist || !fb->hist_path || !(fp = fopen(fb->hist_path, "r")))
		return;
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			hist_push(fb, line);
	}
	fclose(fp);
}

void hs_fb_free(struct hs_filterbar *fb)
{
	int i;

	for (i = 0; i < fb->nhist; i++)
		free(fb->hist[i]);
	free(fb->hist);
	free(fb->hist_path);
	fb->hist = NULL;
	fb->hist_path = NULL;
}

static void mkdir_p(char *dir)
{
	char *p;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
}

static void hist_save(const struct hs_filterbar *fb)
{
	char tmp[PATH_MAX], *dir, *slash;
	struct hs_error err;
	FILE *fp;
	int fd, i, ok = 1;

	if (!fb->hist_path || !(dir = hs_strdup(fb->hist_path)))
		return;
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	mkdir_p(dir);
	free(dir);
	/* a new file (never through a symlink planted at a guessable name) */
	fd = hs_safe_tmp_create(fb->hist_path, tmp, sizeof tmp, &err);
	if (fd < 0)
		return;
	if (!(fp = fdopen(fd, "w"))) {
		close(fd);
		unlink(tmp);
		return;
	}
	for (i = 0; i < fb->nhist; i++)
		if (fprintf(fp, "%s\n", fb->hist[i]) < 0)
			ok = 0;
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok || rename(tmp, fb->hist_path) != 0)
		unlink(tmp);
}

void hs_fb_remember(struct hs_filterbar *fb, const char *text)
{
	if (!fb->hist || !text || !*hs_skip_ws(text) || strchr(text, '\n'))
		return;
	hist_push(fb, text);
	hist_save(fb);
}

/* ------------------------------------------------------------- filter bar */

static void validate(struct hs_filterbar *fb)
{
	struct hs_filter *f = NULL;
	struct hs_error err;

	hs_error_clear(&err);
	if (hs_filter_compile(fb->line.buf, &f, &err) == 0) {
		fb->valid = 1;
		fb->err_col = 0;
		fb->err_msg[0] = '\0';
		hs_filter_free(f);
		return;
	}
	fb->valid = 0;
	fb->err_col = err.col > 0 ? err.col : (long)fb->line.len + 1;
	hs_strlcpy(fb->err_msg, err.msg, sizeof fb->err_msg);
}

void hs_fb_begin(struct hs_filterbar *fb, const char *current)
{
	fb->active = 1;
	hs_strlcpy(fb->saved, current ? current : "", sizeof fb->saved);
	hs_line_set(&fb->line, fb->saved);
	fb->hpos = fb->nhist;
	fb->hint[0] = '\0';
	validate(fb);
}

static void browse(struct hs_filterbar *fb, int delta)
{
	int to = fb->hpos + delta;

	if (to < 0 || to > fb->nhist)
		return;
	if (fb->hpos == fb->nhist)
		hs_strlcpy(fb->draft, fb->line.buf, sizeof fb->draft);
	fb->hpos = to;
	hs_line_set(&fb->line, to == fb->nhist ? fb->draft : fb->hist[to]);
	validate(fb);
}

enum hs_fb_result hs_fb_key(struct hs_filterbar *fb, int ch)
{
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		if (!fb->valid)
			return HS_FB_REDRAW; /* never applied: the bar stays red */
		fb->active = 0;
		return HS_FB_APPLY;
	case HS_KEY_ESC:
		fb->active = 0;
		hs_line_set(&fb->line, fb->saved);
		return HS_FB_CANCEL;
	case KEY_UP: browse(fb, -1); return HS_FB_REDRAW;
	case KEY_DOWN: browse(fb, 1); return HS_FB_REDRAW;
	case '\t':
		hs_complete(&fb->line, fb->hint, sizeof fb->hint);
		validate(fb);
		return HS_FB_REDRAW;
	}
	fb->hint[0] = '\0';
	switch (hs_line_key(&fb->line, ch)) {
	case HS_LINE_EDITED: validate(fb); return HS_FB_REDRAW;
	case HS_LINE_MOVED: return HS_FB_REDRAW;
	case HS_LINE_UNUSED: break;
	}
	return HS_FB_NONE;
}

void hs_fb_draw(const struct hs_filterbar *fb, WINDOW *w, const struct hs_theme *t,
                const char *applied, const char *right)
{
	int cols = getmaxx(w), rw = hs_theme_width(right, strlen(right));
	int x, width, curcol;
	attr_t a;
	const char *mark;

	hs_theme_fill(w, 0, 0, cols, A_NORMAL);
	x = hs_theme_puts(w, 0, 0, cols, "Filter: ", hs_theme_attr(t, HS_ROLE_KEY));
	width = cols - x - rw - 6;
	if (fb->active) {
		/* the word says it too, for monochrome terminals */
		a = !fb->line.len ? A_NORMAL : hs_theme_attr(t, fb->valid ? HS_ROLE_FILTER_OK : HS_ROLE_FILTER_BAD);
		mark = !fb->line.len ? "    " : fb->valid ? " ok " : " bad";
		curcol = hs_line_draw(&fb->line, w, 0, x, width, a, fb->valid ? 0 : fb->err_col,
		                      hs_theme_attr(t, HS_ROLE_FILTER_BADCHAR));
		hs_theme_puts(w, 0, x + width, 4, mark, a);
		hs_theme_puts(w, 0, cols - rw, rw, right, hs_theme_attr(t, HS_ROLE_DIM));
		wmove(w, 0, curcol);
		return;
	}
	if (applied && *applied)
		hs_theme_puts(w, 0, x, width, applied, hs_theme_attr(t, HS_ROLE_FILTER_OK));
	else
		hs_theme_puts(w, 0, x, width, "(none: all events)  press / to filter",
		              hs_theme_attr(t, HS_ROLE_DIM));
	hs_theme_puts(w, 0, cols - rw, rw, right, hs_theme_attr(t, HS_ROLE_DIM));
}
