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
/* The config name of column c (enum hs_col). */
const char *hs_settings_column_name(int c);
/* Write the list's columns (order, shown, widths) to the configuration
 * file, or remove them from it when forget is set (the format's defaults
 * then apply at the next start). 0, or -1 with the problem in msg. The
 * file written is named in msg either way. */
int hs_settings_save_columns(struct hs_app *app, int forget, char *msg, size_t msglen);

#endif
