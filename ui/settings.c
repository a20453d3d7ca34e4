/* settings.c — the configuration file applied to the explorer (see
 * settings.h and the CONFIGURATION section of the man page):
 *
 *   color.<role> = <fg>[,<bg>]   error anomaly marked selected header status
 *                                filter_ok filter_bad; default black red ...
 *   columns = n,time,pidtid,func,rv,dur,session,summary,mech,object,seq,user
 *             (any, in order; name:WIDTH fixes a width; without it, per
 *             kind of log; the explorer's column editor writes it)
 *   time = absolute | relative | delta
 *   key.<action> = <key>          a further key for the action (keymap.c names)
 *   sql.timeout = SECONDS         the `;` statement's time limit (0: none)
 *   sql.max_memory = MB           and its memory limit (0: none)
 *
 * Nothing here is fatal: a bad line is reported once on the status line
 * with its file and line, and the defaults stay.
 */
#include "settings.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hsmscope/config.h"
#include "keymap.h"

static const struct { const char *name; enum hs_role role; } roles[] = {
	{ "error", HS_ROLE_ERROR }, { "anomaly", HS_ROLE_ANOMALY }, { "marked", HS_ROLE_MARK },
	{ "selected", HS_ROLE_SELECTED }, { "header", HS_ROLE_HEADER }, { "status", HS_ROLE_STATUS },
	{ "filter_ok", HS_ROLE_FILTER_OK }, { "filter_bad", HS_ROLE_FILTER_BAD },
};

static const char *const colors[] = { "black", "red", "green", "yellow", "blue", "magenta",
                                      "cyan", "white" }; /* COLOR_BLACK .. COLOR_WHITE */

static const char *const columns[HS_COL_COUNT] = { "n", "time", "pidtid", "func", "rv", "dur",
                                                   "session", "summary", "mech", "object",
                                                   "seq", "user" }; /* enum hs_col */

/* sql.timeout = SECONDS, sql.max_memory = MB (0: no limit), as the
 * command line's --timeout and --max-memory. */
static int set_sql_limit(struct hs_app *app, int timeout, const char *v)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end != '\0' || !(d >= 0) || d > 1e7)
		return -1;
	if (timeout)
		app->sql_limits.timeout_s = d;
	else
		app->sql_limits.max_memory = (int64_t)(d * 1048576.0);
	return 0;
}

static int color_of(const char *s, size_t n, short *out)
{
	if (n == 7 && strncmp(s, "default", 7) == 0) {
		*out = -1;
		return 0;
	}
	for (short i = 0; i < 8; i++)
		if (strlen(colors[i]) == n && strncmp(s, colors[i], n) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

/* "red" / "red,default" / "white, blue" */
static int set_color(struct hs_app *app, const char *role, const char *v)
{
	const char *comma = strchr(v, ',');
	size_t n = comma ? (size_t)(comma - v) : strlen(v);
	short fg, bg = -1;

	while (n && v[n - 1] == ' ')
		n--;
	if (color_of(v, n, &fg) < 0)
		return -1;
	if (comma) {
		const char *b = comma + 1;
		while (*b == ' ')
			b++;
		if (color_of(b, strlen(b), &bg) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(roles[i].name, role) == 0) {
			hs_theme_set_color(&app->theme, roles[i].role, fg, bg);
			return 0;
		}
	return -2;
}

#define COL_WIDTH_MAX 200        /* a width a column can be given */

/* "n,func:20,rv": the columns in order, each with an optional width. */
static int set_columns(struct hs_app *app, const char *v)
{
	int order[HS_COL_COUNT], width[HS_COL_COUNT] = { 0 }, n = 0;
	char buf[256];
	char *tok, *save = NULL;

	hs_strlcpy(buf, v, sizeof buf);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char *colon = strchr(tok, ':'), *end;
		long wd = 0;
		int c;
		if (colon) {
			*colon = '\0';
			wd = strtol(colon + 1, &end, 10);
			if (end == colon + 1 || *end || wd < 1 || wd > COL_WIDTH_MAX)
				return -1;
		}
		for (c = 0; c < HS_COL_COUNT && strcmp(columns[c], tok) != 0; c++)
			;
		if (c == HS_COL_COUNT || n == HS_COL_COUNT)
			return -1;
		for (int j = 0; j < n; j++)
			if (order[j] == c)
				return -1;
		width[c] = (int)wd;
		order[n++] = c;
	}
	if (n == 0)
		return -1;
	memcpy(app->col_order, order, sizeof order);
	memcpy(app->col_width, width, sizeof width);
	app->ncols = n;
	app->cols_saved = 1;
	return 0;
}

const char *hs_settings_column_name(int c)
{
	return c >= 0 && c < HS_COL_COUNT ? columns[c] : "";
}

int hs_settings_save_columns(struct hs_app *app, int forget, char *msg, size_t msglen)
{
	char path[512], val[256];
	struct hs_error err;
	size_t used = 0;

	hs_config_path(path, sizeof path);
	val[0] = '\0';
	for (int i = 0; i < app->ncols && used < sizeof val; i++) {
		int c = app->col_order[i];
		if (app->col_width[c] > 0)
			used += (size_t)snprintf(val + used, sizeof val - used, "%s%s:%d", i ? "," : "",
			                         columns[c], app->col_width[c]);
		else
			used += (size_t)snprintf(val + used, sizeof val - used, "%s%s", i ? "," : "", columns[c]);
	}
	if (hs_config_set(path, "columns", forget ? NULL : val, &err) < 0) {
		char b[700];
		hs_error_format(&err, b, sizeof b);
		snprintf(msg, msglen, "columns not saved: %s", b);
		return -1;
	}
	app->cols_saved = !forget;
	snprintf(msg, msglen, forget ? "columns: the log's defaults (removed from %s)" :
	                               "columns saved to %s", path);
	return 0;
}

/* The list's columns when the config names none, per kind of log: a call
 * trace shows who (pid:tid), the session, the mechanism and the object; an
 * audit log the HSM, sequence number, user, opcode and response. */
void hs_settings_default_columns(struct hs_app *app)
{
	static const int trace[] = { HS_COL_NO, HS_COL_TIME, HS_COL_SRC, HS_COL_FUNC, HS_COL_RV,
	                             HS_COL_DUR, HS_COL_SESS, HS_COL_MECH, HS_COL_OBJ, HS_COL_SUM };
	static const int audit[] = { HS_COL_NO, HS_COL_TIME, HS_COL_SRC, HS_COL_SEQ, HS_COL_USER,
	                             HS_COL_FUNC, HS_COL_RV, HS_COL_SESS, HS_COL_SUM };
	const int *c = app->audit ? audit : trace;
	int n = app->audit ? (int)(sizeof audit / sizeof *audit) : (int)(sizeof trace / sizeof *trace);

	memcpy(app->col_order, c, (size_t)n * sizeof *c);
	memset(app->col_width, 0, sizeof app->col_width);
	app->ncols = n;
}

/* A key as written: "x", "Enter", "Tab", "Esc", "Up", ..., "F5", "C-x". */
static int key_of(const char *s)
{
	static const struct { const char *name; int key; } named[] = {
		{ "Enter", '\n' }, { "Tab", '\t' }, { "Esc", 27 }, { "Space", ' ' }, { "Up", KEY_UP },
		{ "Down", KEY_DOWN }, { "Left", KEY_LEFT }, { "Right", KEY_RIGHT }, { "PgUp", KEY_PPAGE },
		{ "PgDn", KEY_NPAGE }, { "Home", KEY_HOME }, { "End", KEY_END },
		{ "Backspace", KEY_BACKSPACE },
	};
	int f;

	if (s[0] && !s[1] && (unsigned char)s[0] > ' ' && (unsigned char)s[0] < 127)
		return s[0];
	if (s[0] == 'C' && s[1] == '-' && s[2] >= 'a' && s[2] <= 'z' && !s[3])
		return s[2] & 0x1f;
	if (s[0] == 'F' && sscanf(s + 1, "%d", &f) == 1 && f >= 1 && f <= 12)
		return KEY_F(f);
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(named[i].name, s) == 0)
			return named[i].key;
	return -1;
}

static int set_key(struct hs_app *app, const char *action, const char *v)
{
	const struct hs_binding *b = hs_keymap_action(action);
	int key = key_of(v);

	if (!b)
		return -2;
	if (key < 0 || app->nkeys >= HS_KEYS_MAX)
		return -1;
	app->keys[app->nkeys].key = key;
	app->keys[app->nkeys].b = b;
	app->nkeys++;
	return 0;
}

void hs_settings_apply(struct hs_app *app, char *msg, size_t msglen)
{
	struct hs_config c;
	struct hs_error err;
	char path[512];
	int bad;

	msg[0] = '\0';
	hs_config_path(path, sizeof path);
	bad = hs_config_load(path, &c, &err);
	if (bad != 0) {
		char b[700];
		hs_error_format(&err, b, sizeof b);
		snprintf(msg, msglen, "%s", b);
	}
	for (int i = 0; i < c.n; i++) {
		const struct hs_config_item *it = &c.items[i];
		int rc;
		if (strncmp(it->key, "color.", 6) == 0)
			rc = set_color(app, it->key + 6, it->value);
		else if (strncmp(it->key, "key.", 4) == 0)
			rc = set_key(app, it->key + 4, it->value);
		else if (strcmp(it->key, "columns") == 0)
			rc = set_columns(app, it->value);
		else if (strcmp(it->key, "time") == 0) {
			rc = 0;
			if (strcmp(it->value, "absolute") == 0)
				app->time_mode = HS_TIME_ABS;
			else if (strcmp(it->value, "relative") == 0)
				app->time_mode = HS_TIME_START;
			else if (strcmp(it->value, "delta") == 0)
				app->time_mode = HS_TIME_PREV;
			else
				rc = -1;
		} else if (strcmp(it->key, "sql.timeout") == 0 || strcmp(it->key, "sql.max_memory") == 0) {
			rc = set_sql_limit(app, it->key[4] == 't', it->value);
		} else
			rc = -2;
		if (rc < 0 && !msg[0])
			snprintf(msg, msglen, "%s:%ld: %s '%s'", c.path, it->line,
			         rc == -2 ? "unknown setting" : "bad value for", rc == -2 ? it->key : it->value);
	}
	hs_config_free(&c);
}
