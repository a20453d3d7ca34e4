/* prompt.c — the status-line prompt: a label, an editable line (the same
 * editor as the filter bar), Enter to answer, Esc to cancel. A yes/no
 * prompt answers on the first key. What the answer does is the `done`
 * callback the action gave (go to a number, export to a path, overwrite).
 */
#include "prompt.h"

#include <string.h>

int hs_prompt_key(struct hs_app *app, int ch)
{
	struct hs_prompt *p = &app->prompt;
	char answer[HS_LINE_MAX];

	if (ch == HS_KEY_ESC || ch == HS_KEY_CTRL('c') || ch == HS_KEY_CTRL('g')) {
		p->active = 0;
		hs_app_msg(app, 0, "cancelled");
		return HS_R_HANDLED | HS_R_REDRAW;
	}
	if (p->yesno) {
		if (ch != 'y' && ch != 'Y' && ch != 'n' && ch != 'N' && ch != '\n' && ch != '\r')
			return HS_R_HANDLED;
		answer[0] = (char)(ch == 'y' || ch == 'Y' ? 'y' : 'n');
		answer[1] = '\0';
		p->active = 0;
		return p->done(app, answer) | HS_R_HANDLED | HS_R_REDRAW;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		memcpy(answer, p->line.buf, sizeof answer);
		p->active = 0;
		return p->done(app, answer) | HS_R_HANDLED | HS_R_REDRAW;
	}
	hs_line_key(&p->line, ch);
	return HS_R_HANDLED | HS_R_REDRAW;
}

void hs_prompt_draw(struct hs_app *app, WINDOW *w)
{
	struct hs_prompt *p = &app->prompt;
	int cols = getmaxx(w), x, cur;

	hs_theme_fill(w, 0, 0, cols, A_NORMAL);
	x = hs_theme_puts(w, 0, 0, cols - 4, p->label, hs_theme_attr(&app->theme, HS_ROLE_KEY));
	cur = hs_line_draw(&p->line, w, 0, x, cols - x - 1, A_NORMAL, 0, 0);
	wmove(w, 0, cur);
}
