/* prompt.h — the one-line prompt of `:` and `x` on the status line
 * (internal to ui/). The prompt itself is struct hs_prompt in app.h.
 */
#ifndef HS_UI_PROMPT_H
#define HS_UI_PROMPT_H

#include <curses.h>

#include "app.h"

/* A key while the prompt is active; returns an hs_result mask. */
int hs_prompt_key(struct hs_app *app, int ch);
/* Draw the prompt into the status window; leaves the cursor in place. */
void hs_prompt_draw(struct hs_app *app, WINDOW *w);

#endif
