/* search.h — `/` search inside the detail and raw panes, like less and lnav:
 * separate from the filter (nothing is hidden), matches highlighted, n and N
 * go to the next and previous one and wrap with a message. Internal to ui/.
 */
#ifndef HS_UI_SEARCH_H
#define HS_UI_SEARCH_H

#include <curses.h>

struct hs_app;

/* Highlight the matches of the search in pane's window as drawn (after the
 * view drew it): the cells that show the text are re-attributed. */
void hs_search_highlight(struct hs_app *app, int pane, WINDOW *w);

#endif
