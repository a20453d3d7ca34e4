/* settings.h — applying the configuration file (hsmscope/config.h) to the
 * explorer: colours, list columns, the time display and extra keys.
 * Internal to ui/. Problems (unknown keys, bad values) are collected as one
 * message, "FILE:LINE: ...", for the status line.
 */
#ifndef HS_UI_SETTINGS_H
#define HS_UI_SETTINGS_H

#include <stddef.h>

struct hs_app;

/* Read the configuration and apply it; call after the theme is set up.
 * The first problem, if any, goes to msg (msglen bytes). */
void hs_settings_apply(struct hs_app *app, char *msg, size_t msglen);
/* The list's default columns for the kind of log (app->audit), when the
 * configuration chose none. */
void hs_settings_default_columns(struct hs_app *app);

#endif
