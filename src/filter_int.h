/* filter_int.h — the filter lexer's tokens, shared by filter_lex.c and
 * filter.c only (not a public header).
 *
 * Ownership: hs_flex_run() fills a struct hs_flex whose token array and
 * string pool it owns until hs_flex_free(). Token strings are offsets into
 * the pool (which may move while it grows), read through hs_flex_str().
 */
#ifndef HSMSCOPE_FILTER_INT_H
#define HSMSCOPE_FILTER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/util.h"

enum hs_ftok {
	FT_END,                     /* end of input (always the last token) */
	FT_WORD,                    /* identifier: field, keyword or bare value */
	FT_NUM,                     /* decimal or 0x number, maybe with .fraction */
	FT_DUR,                     /* number with a unit: 1.5ms, 2s, 300us */
	FT_STR,                     /* "quoted", escapes decoded into the pool */
	FT_CMP,                     /* comparison operator; op says which */
	FT_AND,                     /* && */
	FT_OR,                      /* || */
	FT_NOT,                     /* ! */
	FT_LPAREN, FT_RPAREN, FT_LBRACE, FT_RBRACE, FT_COMMA,
	FT_ERR                      /* lexical error; the pool holds its message */
};

enum hs_fop {
	FOP_NONE,
	FOP_EQ, FOP_NE, FOP_LT, FOP_LE, FOP_GT, FOP_GE,
	FOP_MATCH,                  /* ~ */
	FOP_NMATCH,                 /* !~ */
	FOP_CONTAINS,               /* the word contains */
	FOP_IN,                     /* in { ... } */
	FOP_NOTIN                   /* not in { ... } */
};

struct hs_ftoken {
	enum hs_ftok type;
	enum hs_fop op;             /* for FT_CMP */
	size_t pos;                 /* byte offset of the token in the text */
	size_t len;                 /* bytes of source text */
	size_t str;                 /* FT_STR / FT_ERR: offset into the pool */
	size_t str_len;             /* FT_STR: decoded bytes (no NUL inside) */
	int64_t dur_us;             /* FT_DUR: value in µs */
	int frac;                   /* FT_NUM: 1 when it has a .fraction */
};

struct hs_flex {
	struct hs_ftoken *tok;      /* owned; ends with one FT_END */
	int ntok;                   /* tokens, FT_END included */
	int cap;                    /* tokens allocated */
	struct hs_buf pool;         /* owned: decoded strings and messages */
};

/* Split text into tokens. A lexical problem becomes an FT_ERR token and
 * scanning goes on, so the caller can still tell whether the text holds an
 * operator. Returns 0, or -1 on OOM. */
int hs_flex_run(const char *text, struct hs_flex *lx);
void hs_flex_free(struct hs_flex *lx);
const char *hs_flex_str(const struct hs_flex *lx, const struct hs_ftoken *t);

/* Parse "d[.ddd]" with a unit (us, µs, ms, s, m, h; ms when unit is empty)
 * into µs. Returns 0, or -1 when the number or unit is not valid. */
int hs_flex_duration(const char *num, size_t numlen, const char *unit, size_t unitlen,
                     int64_t *us);

/* Parse "YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][Z]" as civil time read as UTC
 * into µs since the epoch. Returns 0, or -1 when it is not such a time. */
int hs_flex_time(const char *s, int64_t *us);

/* Smart case: does the regex hold an uppercase letter (Unicode, via PCRE2)
 * outside escapes (\S, \p{Lu}), (*VERB)s and (?flag) groups? */
int hs_flex_has_upper(const char *pattern);

/* Edit distance where swapping two neighbours is one edit (so "fucn" is one
 * edit from "func"); 99 for strings over 63 bytes. */
int hs_flex_distance(const char *a, const char *b);

/* ------------------------------------------------- the field table */

/* T_OBJ: text compared with an object's label, CKA_ID (hex) and handle (as
 * decimal text; a number typed in hex is normalised to decimal). */
enum ftype { T_NUM, T_STR, T_BOOL, T_TIME, T_DUR, T_OBJ };

struct hs_ffield {
	const char *name;           /* as typed in filters */
	enum ftype type;
	const char *sql;            /* value over `events e`; for T_BOOL the predicate */
	const char *from;           /* several values: "tbl x WHERE x.n = e.n", else NULL */
	int bare;                   /* 1 when the name alone is a test */
	const char *ck;             /* T_NUM: prefix its constants must have, or NULL */
	const char *help;           /* one line for --help and completion */
};

/* The i-th field (filter_fields.c), NULL past the end. */
const struct hs_ffield *hs_filter_field_nth(int i);

#endif
