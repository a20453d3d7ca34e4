/* screen.h — layout and drawing around the views (screen.c). Internal to
 * ui/. The windows it makes belong to the app (struct hs_app's pane, full,
 * bar and status fields) and are freed by hs_screen_free().
 */
#ifndef HSMSCOPE_UI_SCREEN_H
#define HSMSCOPE_UI_SCREEN_H

#include "app.h"

/* Make the windows for the terminal's size and the app's mode. */
void hs_screen_layout(struct hs_app *app);
/* Draw every visible view, the titles, the filter bar and the status line. */
void hs_screen_draw(struct hs_app *app);
/* Delete the windows (before a new layout, and at the end). */
void hs_screen_free(struct hs_app *app);

#endif
