/* sql.h — read-only SQL over an index, for `hsmscope sql` and the TUI's `;`.
 *
 * Ownership: the names and values handed to the row callback belong to the
 * statement and are valid only during the call; copy what you keep.
 *
 * The statement runs on its own connection opened with SQLITE_OPEN_READONLY
 * and PRAGMA query_only=1, so no text a user types can change the index,
 * whatever handle the caller holds. The schema it sees is the one the man
 * page documents (hs_index_schema_sql()).
 */
#ifndef HSMSCOPE_SQL_H
#define HSMSCOPE_SQL_H

#include "hsmscope/util.h"

struct hs_index;

/* What a value is, for outputs that keep types (JSON). */
enum hs_sql_kind { HS_SQL_NULL, HS_SQL_INT, HS_SQL_REAL, HS_SQL_TEXT };

/* Called once per result row: ncol columns, their names, their values as
 * text (NULL for SQL NULL; a BLOB as x'hex') and their kinds. Return
 * non-zero to stop early (not an error). */
typedef int (*hs_sql_row_fn)(void *ctx, int ncol, const char *const *names,
                             const char *const *values, const enum hs_sql_kind *kinds);

/* Run one read-only statement over the index. Returns the number of rows
 * delivered, or -1 with err set (SQLite's message; col = offset of the error
 * in the statement when SQLite reports one). */
long hs_sql_exec(struct hs_index *ix, const char *sql, hs_sql_row_fn fn,
                 void *ctx, struct hs_error *err);

#endif
