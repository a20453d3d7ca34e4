/* theme.c — colour pairs, role attributes, escaped and clipped drawing.
 *
 * Every string drawn by the UI passes through hs_theme_put(): it is run
 * through hs_escape() (control bytes, DEL, C1 and invalid UTF-8 become
 * \e, \xNN, ...), decoded to wide characters and clipped by wcwidth(), so
 * a log line can neither drive the terminal nor break the layout.
 * Roles map to colour pairs, or to bold/underline/reverse when colours are
 * off (NO_COLOR, --color never, or a monochrome terminal).
 */
#include "theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <langinfo.h>
#include <wchar.h>

#include "hsmscope/filter.h"
#include "hsmscope/util.h"

static const char *const role_names[HS_ROLE_COUNT] = {
	[HS_ROLE_ERROR] = "error",
	[HS_ROLE_WARN] = "warn",
	[HS_ROLE_ANOMALY] = "anomaly",
	[HS_ROLE_MARK] = "mark",
	[HS_ROLE_DIM] = "dim",
};

void hs_theme_init(struct hs_theme *t, int want_color)
{
	/* role: foreground, background (-1 = terminal default), extra attribute */
	static const struct { short fg, bg; attr_t extra; } pal[HS_ROLE_COUNT] = {
		[HS_ROLE_NORMAL] = { -1, -1, 0 },
		[HS_ROLE_HEADER] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[HS_ROLE_TITLE] = { COLOR_WHITE, COLOR_BLUE, 0 },
		[HS_ROLE_TITLE_FOCUS] = { COLOR_BLACK, COLOR_CYAN, A_BOLD },
		[HS_ROLE_STATUS] = { COLOR_BLACK, COLOR_WHITE, 0 },
		[HS_ROLE_SELECTED] = { COLOR_WHITE, COLOR_BLUE, A_BOLD },
		[HS_ROLE_SELECTED_DIM] = { COLOR_BLACK, COLOR_WHITE, 0 },
		[HS_ROLE_ERROR] = { COLOR_RED, -1, A_BOLD },
		[HS_ROLE_WARN] = { COLOR_YELLOW, -1, 0 },
		[HS_ROLE_ANOMALY] = { COLOR_MAGENTA, -1, A_BOLD },
		[HS_ROLE_MARK] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD },
		[HS_ROLE_FILTER_OK] = { COLOR_BLACK, COLOR_GREEN, 0 },
		[HS_ROLE_FILTER_BAD] = { COLOR_WHITE, COLOR_RED, 0 },
		[HS_ROLE_FILTER_BADCHAR] = { COLOR_YELLOW, COLOR_RED, A_BOLD | A_UNDERLINE },
		[HS_ROLE_DIM] = { COLOR_CYAN, -1, 0 },
		[HS_ROLE_KEY] = { COLOR_YELLOW, -1, A_BOLD },
		[HS_ROLE_BAR] = { COLOR_GREEN, -1, 0 },
		[HS_ROLE_BAR_ERR] = { COLOR_RED, -1, A_BOLD },
		[HS_ROLE_MSG_ERR] = { COLOR_WHITE, COLOR_RED, A_BOLD },
	};
	/* without colour, each role still looks different where it matters */
	static const attr_t mono[HS_ROLE_COUNT] = {
		[HS_ROLE_HEADER] = A_REVERSE,
		[HS_ROLE_TITLE] = A_REVERSE,
		[HS_ROLE_TITLE_FOCUS] = A_REVERSE | A_BOLD,
		[HS_ROLE_STATUS] = A_REVERSE,
		[HS_ROLE_SELECTED] = A_REVERSE | A_BOLD,
		[HS_ROLE_SELECTED_DIM] = A_REVERSE,
		[HS_ROLE_ERROR] = A_BOLD,
		[HS_ROLE_WARN] = A_UNDERLINE,
		[HS_ROLE_ANOMALY] = A_BOLD | A_UNDERLINE,
		[HS_ROLE_MARK] = A_REVERSE | A_BOLD,
		[HS_ROLE_FILTER_OK] = 0,
		[HS_ROLE_FILTER_BAD] = A_UNDERLINE,
		[HS_ROLE_FILTER_BADCHAR] = A_REVERSE,
		[HS_ROLE_DIM] = A_DIM,
		[HS_ROLE_KEY] = A_BOLD,
		[HS_ROLE_BAR] = 0,
		[HS_ROLE_BAR_ERR] = A_BOLD,
		[HS_ROLE_MSG_ERR] = A_REVERSE | A_BOLD,
	};
	int i;

	memset(t, 0, sizeof *t);
	/* COLORS is known only after start_color() */
	if (want_color && has_colors() && start_color() == OK && COLORS >= 8) {
		t->color = 1;
		use_default_colors();
	}
	for (i = 0; i < HS_ROLE_COUNT; i++) {
		if (!t->color) {
			t->attr[i] = mono[i];
			continue;
		}
		if (i == HS_ROLE_NORMAL) {
			t->attr[i] = A_NORMAL;
			continue;
		}
		init_pair((short)i, pal[i].fg, pal[i].bg);
		t->attr[i] = COLOR_PAIR(i) | pal[i].extra;
	}
}

void hs_theme_set_color(struct hs_theme *t, enum hs_role r, short fg, short bg)
{
	if (!t->color || r == HS_ROLE_NORMAL)
		return;
	init_pair((short)r, fg, bg);
	t->attr[r] = COLOR_PAIR(r) | (t->attr[r] & (A_BOLD | A_UNDERLINE | A_REVERSE));
}

void hs_theme_load_rules(struct hs_theme *t, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	long lineno = 0;

	if (!fp)
		return;
	while (fgets(line, sizeof line, fp) && t->nrules < HS_MAX_RULES) {
		char *p = line, *name, *expr;
		struct hs_error err;
		int r, role = -1;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		p = (char *)hs_skip_ws(p);
		if (!*p || *p == '#')
			continue;
		name = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		expr = (char *)hs_skip_ws(p);
		for (r = 0; r < HS_ROLE_COUNT; r++)
			if (role_names[r] && strcmp(role_names[r], name) == 0)
				role = r;
		if (role < 0 || !*expr) {
			if (!t->rules_error[0])
				snprintf(t->rules_error, sizeof t->rules_error,
				         "%s:%ld: expected 'error|warn|anomaly|mark|dim FILTER'", path, lineno);
			continue;
		}
		if (hs_filter_compile(expr, &t->rules[t->nrules].filter, &err) < 0) {
			if (!t->rules_error[0])
				snprintf(t->rules_error, sizeof t->rules_error, "%s:%ld:%ld: %.200s", path,
				         lineno, err.col + (long)(expr - line), err.msg);
			continue;
		}
		hs_strlcpy(t->rules[t->nrules].name, name, sizeof t->rules[t->nrules].name);
		t->rules[t->nrules].role = (enum hs_role)role;
		t->nrules++;
	}
	fclose(fp);
}

void hs_theme_free(struct hs_theme *t)
{
	int i;

	for (i = 0; i < t->nrules; i++)
		hs_filter_free(t->rules[i].filter);
	t->nrules = 0;
}

attr_t hs_theme_attr(const struct hs_theme *t, enum hs_role r)
{
	return t->attr[r];
}

/* Walk the escaped text as wide characters; draw when w is not NULL. */
static int put_escaped(WINDOW *w, int y, int x, int maxw, const char *s, size_t len, attr_t a)
{
	struct hs_buf b;
	mbstate_t ms;
	const char *p, *end;
	int used = 0;

	hs_buf_init(&b);
	/* a hex dump row's text column keeps one cell a byte (hs_dump_text_at) */
	size_t at = hs_dump_text_at(s, len);
	if (at > 0) {
		struct hs_buf row;
		int rc;
		hs_buf_init(&row);
		rc = hs_buf_add(&row, s, len);
		for (size_t i = at; rc >= 0 && i < len; i++)
			if ((unsigned char)row.data[i] < 0x20 || (unsigned char)row.data[i] >= 0x7f)
				row.data[i] = '.';
		rc = rc < 0 ? rc : hs_escape(&b, row.data, len);
		hs_buf_free(&row);
		if (rc < 0) {
			hs_buf_free(&b);
			return 0;
		}
	} else if (hs_escape(&b, s, len) < 0) {
		hs_buf_free(&b);
		return 0;
	}
	p = hs_buf_cstr(&b);
	end = p + b.len;
	memset(&ms, 0, sizeof ms);
	if (w)
		wmove(w, y, x);
	while (p < end) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, p, (size_t)(end - p), &ms);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			/* not decodable in this locale: show a placeholder */
			memset(&ms, 0, sizeof ms);
			wc = L'?';
			k = 1;
		}
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 1, wc = L'?';
		if (used + cw > maxw)
			break;
		if (w) {
			cchar_t cc;
			wchar_t ws[2] = { wc, 0 };
			setcchar(&cc, ws, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
			wadd_wch(w, &cc);
		}
		used += cw;
		p += k;
	}
	hs_buf_free(&b);
	return used;
}

/* Text wider than maxw ends in an ellipsis: nothing is cut silently
 * (issue 17). */
int hs_theme_put(WINDOW *w, int y, int x, int maxw, const char *s, size_t len, attr_t a)
{
	int used;

	if (maxw <= 0)
		return 0;
	if (put_escaped(NULL, 0, 0, 1 << 30, s, len, 0) <= maxw)
		return put_escaped(w, y, x, maxw, s, len, a);
	used = put_escaped(w, y, x, maxw - 1, s, len, a);
	wattrset(w, a);
	mvwaddstr(w, y, x + used, hs_theme_ellipsis());
	wattrset(w, A_NORMAL);
	return used + 1;
}

int hs_theme_puts(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a)
{
	return hs_theme_put(w, y, x, maxw, s, strlen(s), a);
}

const char *hs_theme_ellipsis(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8")) ? "\xe2\x80\xa6" : "~";
}

int hs_theme_puts_cut(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a)
{
	return hs_theme_put(w, y, x, maxw, s, strlen(s), a);
}

int hs_theme_width(const char *s, size_t len)
{
	return put_escaped(NULL, 0, 0, 1 << 30, s, len, 0);
}

void hs_theme_fill(WINDOW *w, int y, int x, int n, attr_t a)
{
	int i;

	wattrset(w, a);
	for (i = 0; i < n; i++)
		mvwaddch(w, y, x + i, ' ');
	wattrset(w, A_NORMAL);
}
