/* filter.c — the display filter: tokens → AST → SQL text + bound parameters.
 *
 * Data structures. A field table (filter_fields.c: one row per field:
 * name, type, SQL over `events AS e`, an optional subquery source for
 * fields that hold several values, help) drives everything, so a new field
 * is one line. The parser
 * (recursive descent over the tokens of filter_lex.c) builds an AST in one
 * growable array of nodes that refer to each other by index, so the tree
 * is freed in one go. Every literal becomes a parameter (:f1, :f2, ...)
 * stored in the filter as an int64 or as bytes in the filter's pool; the
 * SQL text holds only our own fragments, field SQL and parameter names.
 *
 * Expression or regex — the rule (also in --help):
 *   The text is an expression when it holds a comparison operator outside
 *   quotes (== = != < <= > >= ~ !~, or `contains`/`in` used between a word
 *   and a value, as in `func contains Sign`, `rv in {...}`), or when it
 *   parses as an expression of the boolean fields alone (`error`,
 *   `!incomplete && anomaly`). Anything else is a PCRE2 regex over the
 *   event text (trimmed of surrounding blanks), case-insensitive when it
 *   has no uppercase letter (escapes and (*VERB)s aside); write
 *   `text ~ "..."` to force a regex. An expression with an operator that
 *   does not parse is an error: it never falls back to a regex.
 *
 * Semantics worth knowing:
 *   - A comparison on an absent (NULL) field is false: `session != 1` does
 *     not match events without a session, and neither does `!~`. `!` is a
 *     true complement (`!(session == 1)` does match them): it is emitted as
 *     `(x) IS NOT 1`, so SQL's third truth value never leaks through it.
 *   - Fields holding several values (key, peer, anomaly) match when any
 *     value matches; their negative forms (!=, !~, not in) mean "has
 *     values and none matches".
 *   - `=` is accepted as `==` (people type SQL); and/or/not equal && || !.
 *   - Numbers compare the integer column directly so SQLite can use an
 *     index; a bare number for `dur` is milliseconds; a time literal for
 *     `ts` is civil time read as UTC, like the index stores spy times.
 *   - `~` in an expression is case-sensitive; add (?i) to ignore case.
 *   - Column numbers in errors are 1-based byte offsets into the text.
 */
#include "hsmscope/filter.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"
#include "hsmscope/index.h"
#include "hsmscope/regex.h"
#include "filter_int.h"

static const char *const type_names[] = { "number", "text", "boolean", "time", "duration",
	"object name" };


/* Bounds that keep our recursion and SQLite's parser safe. SQLite's parser
 * stack is small (YYSTACKDEPTH, 100 entries in common builds): each level
 * of "!(a && " costs several, and 16 levels of it already overflow, so
 * nesting is capped well below that (test_filter.c probes the worst
 * shapes). Chains (a || b || ...) are emitted flat and cost nothing. */
#define MAX_DEPTH 24            /* nesting of ( and ! */
#define MAX_NODES 400           /* tests and operators in one filter */

enum nkind { N_ALL, N_AND, N_OR, N_NOT, N_BARE, N_CMP, N_REGEX };

struct node {
	enum nkind kind;
	int a, b;                   /* children (node indexes) of AND, OR, NOT */
	const struct hs_ffield *f;      /* N_BARE, N_CMP */
	enum hs_fop op;             /* N_CMP */
	int p0, np;                 /* first parameter (1-based) and count */
};

struct param {
	int is_text;                /* 1: bytes in the pool, 0: int64 */
	int64_t i;                  /* the integer */
	size_t off, len;            /* the text: offset into pool, bytes */
};

struct hs_filter {
	char *text;                 /* owned copy of the text as given */
	struct hs_buf sql;          /* owned: the boolean SQL expression */
	struct param *params;       /* owned: :f1 is params[0] */
	int nparams;                /* parameters in use */
	struct hs_buf pool;         /* owned: bytes of text parameters */
	int is_regex;               /* 1 when the text was a bare regex */
};

struct parser {
	const char *text;           /* the filter text, not owned */
	struct hs_flex lx;          /* owned tokens */
	int pos;                    /* index of the current token */
	struct node *nodes;         /* owned AST, children by index */
	int nnodes, cap;
	struct param *params;       /* owned until handed to the filter */
	int nparams, pcap;
	struct hs_buf pool;         /* owned until handed to the filter */
	struct hs_error *err;       /* where the first error goes */
	int failed;                 /* 1 once err is set */
	int too_deep;               /* the nesting limit was hit: never a regex */
};

/* ------------------------------------------------------------ helpers */

static const struct hs_ftoken *cur(const struct parser *P) { return &P->lx.tok[P->pos]; }
static void advance(struct parser *P)
{
	if (cur(P)->type != FT_END)
		P->pos++;
}

static int word_is(const struct parser *P, const struct hs_ftoken *t, const char *w)
{
	return t->type == FT_WORD && t->len == strlen(w) && memcmp(P->text + t->pos, w, t->len) == 0;
}

/* The column of t; end of input points at the token that wanted more. */
static long col_of(const struct parser *P, const struct hs_ftoken *t)
{
	if (t->type == FT_END && P->lx.ntok > 1)
		return (long)P->lx.tok[P->lx.ntok - 2].pos + 1;
	return (long)t->pos + 1;
}

static int perr_at(struct parser *P, long col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr_at(struct parser *P, long col, const char *fmt, ...)
{
	char msg[sizeof P->err->msg];
	va_list ap;

	if (P->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	hs_error_set(P->err, "filter", 1, col, "%s", msg);
	P->failed = 1;
	return -1;
}

static int oom(struct parser *P) { return perr_at(P, 0, "out of memory"); }

/* 'source text' of t (escaped, shortened), or "end of input". */
static const char *desc(const struct parser *P, const struct hs_ftoken *t, char *out, size_t n)
{
	struct hs_buf b;
	size_t len = t->len > 40 ? 40 : t->len;

	if (t->type == FT_END)
		return "end of input";
	hs_buf_init(&b);
	if (hs_escape(&b, P->text + t->pos, len) < 0)
		hs_buf_free(&b);
	snprintf(out, n, "'%s%s'", hs_buf_cstr(&b), len < t->len ? "..." : "");
	hs_buf_free(&b);
	return out;
}

/* "expected WHAT, found T" at T, or T's own message when it is a lexical
 * error (an unterminated string is reported as such, not as unexpected). */
static int expected(struct parser *P, const struct hs_ftoken *t, const char *what)
{
	const struct hs_ftoken *prev = t - 1;
	char d[64];
	size_t end;

	if (t->type == FT_ERR)
		perr_at(P, (long)t->pos + 1, "%s", hs_flex_str(&P->lx, t));
	else
		perr_at(P, col_of(P, t), "expected %s, found %s", what, desc(P, t, d, sizeof d));
	/* "HSM-1", "C_Sign.*": a value glued to what follows wants quotes */
	if (P->pos > 0 && t->type != FT_END && t->pos == prev->pos + prev->len &&
	    (prev->type == FT_WORD || prev->type == FT_NUM)) {
		for (end = t->pos; P->text[end] && !strchr(" \t\r\n()", P->text[end]); end++)
			;
		hs_error_hint(P->err, "quote a value that holds other characters: \"%.*s\"",
		              (int)(end - prev->pos > 60 ? 60 : end - prev->pos), P->text + prev->pos);
	}
	return -1;
}

/* name is a closer typo for typed than *best so far, within maxd edits. */
static int near(const char *typed, const char *name, int maxd, int *best)
{
	int d = hs_flex_distance(typed, name);

	if (d <= maxd && d < *best) {
		*best = d;
		return 1;
	}
	return 0;
}

static const struct hs_ffield *find_field(const char *s, size_t len)
{
	const struct hs_ffield *f;

	for (int i = 0; (f = hs_filter_field_nth(i)) != NULL; i++)
		if (strlen(f->name) == len && memcmp(f->name, s, len) == 0)
			return f;
	return NULL;
}

static int new_node(struct parser *P, enum nkind kind, int a, int b)
{
	if (P->nnodes >= MAX_NODES)
		return perr_at(P, col_of(P, cur(P)), "the filter has too many tests (at most %d)",
		               MAX_NODES / 2);
	if (P->nnodes == P->cap) {
		int cap = P->cap ? P->cap * 2 : 16;
		struct node *n = realloc(P->nodes, (size_t)cap * sizeof *n);
		if (!n)
			return oom(P);
		P->nodes = n;
		P->cap = cap;
	}
	memset(&P->nodes[P->nnodes], 0, sizeof P->nodes[0]);
	P->nodes[P->nnodes].kind = kind;
	P->nodes[P->nnodes].a = a;
	P->nodes[P->nnodes].b = b;
	return P->nnodes++;
}

static int new_param(struct parser *P, int is_text, int64_t i, const char *s, size_t len)
{
	struct param *p;

	if (P->nparams == P->pcap) {
		int cap = P->pcap ? P->pcap * 2 : 8;
		p = realloc(P->params, (size_t)cap * sizeof *p);
		if (!p)
			return oom(P);
		P->params = p;
		P->pcap = cap;
	}
	p = &P->params[P->nparams];
	memset(p, 0, sizeof *p);
	p->is_text = is_text;
	p->i = i;
	if (is_text) {
		p->off = P->pool.len;
		p->len = len;
		if (hs_buf_add(&P->pool, s, len) < 0 || hs_buf_addc(&P->pool, '\0') < 0)
			return oom(P);
	}
	return ++P->nparams;
}

/* ------------------------------------------------------------ values */

/* Source column of byte off of a decoded string token (for regex errors). */
static long str_col(const struct parser *P, const struct hs_ftoken *t, size_t off)
{
	const char *s = P->text + t->pos;
	size_t i = 1, d = 0;

	if (t->type != FT_STR)
		return (long)(t->pos + off) + 1;
	while (d < off && i < t->len - 1) {
		if (s[i] != '\\') { i++; d++; continue; }
		switch (s[i + 1]) {
		case '"': case '\\': case 'n': case 't': case 'r': i += 2; d++; break;
		case 'x': i += 4; d++; break;
		default: i += 2; d += 2; break;
		}
	}
	return (long)(t->pos + i) + 1;
}

/* "'WORD' is not a known constant (did you mean 'X'?)" */
static int unknown_constant(struct parser *P, long col, const char *w)
{
	const char *best = NULL, *name;
	int bestd = 99, looks_const = 0, maxd;
	uint64_t v;

	for (const char *p = w; *p; p++)
		if (*p == '_' && p > w)
			looks_const = 1;
	/* constants share long prefixes (CKR_): only near misses are typos */
	maxd = strlen(w) >= 12 ? 2 : 1;
	for (int k = 0; k < HS_CK_KIND_COUNT; k++)
		for (int i = 0; (name = hs_ck_nth((enum hs_ck_kind)k, i, &v)) != NULL; i++)
			if (near(w, name, maxd, &bestd))
				best = name;
	if (best)
		return perr_at(P, col, "'%s' is not a %s (did you mean '%s'?)", w,
		               looks_const ? "known constant" : "number or a known constant", best);
	return perr_at(P, col, "'%s' is not a %s", w,
	               looks_const ? "known constant" : "number or a known constant");
}

/* func == NAME with a NAME no tracer writes is a typo far more often than a
 * vendor extension: say so, as for constants, and say how to search for it
 * anyway (a regex is never checked). 0 when the name is known. */
static int check_func_name(struct parser *P, long col, const char *w)
{
	const char *best = NULL, *name;
	int bestd = 99;

	if (hs_ck_func_hint(w)[0])
		return 0;
	/* only a word can be a mistyped name; other text is searched as is */
	for (const char *p = w; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
		      (p > w && *p >= '0' && *p <= '9')))
			return 0;
	for (int i = 0; (name = hs_ck_nth_func(i)) != NULL; i++)
		if (near(w, name, strlen(w) >= 12 ? 2 : 1, &bestd))
			best = name;
	if (best)
		return perr_at(P, col, "'%s' is not a known function (did you mean '%s'?)", w, best);
	return perr_at(P, col, "'%s' is not a known function (a regex, func ~ ..., searches for "
	               "any name)", w);
}

/* A number for a numeric field: decimal, 0x, negative, or a constant. */
static int num_value(struct parser *P, const struct hs_ffield *f, const struct hs_ftoken *t,
                     const char *s, int64_t *out)
{
	uint64_t v;
	int n;

	if (t->type == FT_DUR)
		return perr_at(P, col_of(P, t), "'%s' is a duration, but '%s' is a number", s, f->name);
	if ((*s >= '0' && *s <= '9') || *s == '-') {
		n = hs_parse_int(s, out);
		if (n > 0 && !s[n])
			return 0;
		if (t->type == FT_NUM && t->frac)
			return perr_at(P, col_of(P, t), "'%s' is not a whole number", s);
		if (t->type == FT_NUM)
			return perr_at(P, col_of(P, t), "'%s' does not fit in 64 bits", s);
		return perr_at(P, col_of(P, t), "'%s' is not a number", s);
	}
	if (hs_ck_lookup(s, &v, NULL)) {
		/* rv == CKM_SHA256_RSA_PKCS would quietly compare with 0x40 */
		if (f->ck && strncmp(s, f->ck, strlen(f->ck)) != 0)
			return perr_at(P, col_of(P, t), "'%s' is not a %s* constant, which '%s' needs", s,
			               f->ck, f->name);
		*out = (int64_t)v;
		return 0;
	}
	return unknown_constant(P, col_of(P, t), s);
}

/* Check a pattern now, so a bad regex is an error and never runs. */
static int check_regex(struct parser *P, const struct hs_ftoken *t, const char *pat, int flags)
{
	struct hs_regex *re;
	struct hs_error e;

	if (hs_regex_compile(pat, flags, &re, &e) < 0) {
		if (e.col == 0)
			return oom(P);
		return perr_at(P, str_col(P, t, (size_t)e.col - 1), "invalid regex: %s", e.msg);
	}
	hs_regex_free(re);
	return 0;
}

/* One value token for field f under op: returns its parameter number. */
static int value(struct parser *P, const struct hs_ffield *f, enum hs_fop op,
                 const struct hs_ftoken *after)
{
	const struct hs_ftoken *t = cur(P);
	char what[96], d[64], *s;
	int64_t iv = 0;
	int rc;

	if (t->type != FT_WORD && t->type != FT_NUM && t->type != FT_DUR && t->type != FT_STR) {
		snprintf(what, sizeof what, "a value after %s", desc(P, after, d, sizeof d));
		return expected(P, t, what);
	}
	/* the value as text: decoded for strings, as typed otherwise */
	if (t->type == FT_STR)
		s = hs_strdup(hs_flex_str(&P->lx, t));
	else if ((s = malloc(t->len + 1)) != NULL) {
		memcpy(s, P->text + t->pos, t->len);
		s[t->len] = '\0';
	}
	if (!s)
		return oom(P);
	switch (f->type) {
	case T_OBJ:
		if (t->type == FT_NUM && !t->frac && hs_parse_int(s, &iv) == (int)strlen(s)) {
			char dec[24];
			snprintf(dec, sizeof dec, "%lld", (long long)iv);
			free(s);
			if ((s = hs_strdup(dec)) == NULL)
				return oom(P);
		}
		/* fall through */
	case T_STR:
		rc = 0;
		if (op == FOP_MATCH || op == FOP_NMATCH)
			rc = check_regex(P, t, s, 0);
		else if (op != FOP_CONTAINS && strcmp(f->sql, "e.func") == 0)
			rc = check_func_name(P, col_of(P, t), s);
		if (rc == 0)
			rc = new_param(P, 1, 0, s, strlen(s));
		break;
	case T_NUM:
		rc = num_value(P, f, t, s, &iv);
		if (rc == 0)
			rc = new_param(P, 0, iv, NULL, 0);
		break;
	case T_DUR: {
		size_t k = 0;
		while (s[k] && (s[k] == '-' || s[k] == '.' || (s[k] >= '0' && s[k] <= '9')))
			k++;
		if (t->type == FT_DUR)
			iv = t->dur_us;
		else if (t->type == FT_WORD || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ||
		         hs_flex_duration(s, k, s + k, strlen(s + k), &iv) < 0) {
			rc = perr_at(P, col_of(P, t), "'%s' is not a duration (like 5ms, 1.5s, 300us)", s);
			break;
		}
		rc = new_param(P, 0, iv, NULL, 0);
		break;
	}
	case T_TIME:
		if (t->type != FT_STR || hs_flex_time(s, &iv) < 0) {
			rc = perr_at(P, col_of(P, t),
			             "expected a time like \"2026-11-22 11:23:10.5\" for '%s', found %s",
			             f->name, desc(P, t, d, sizeof d));
			break;
		}
		rc = new_param(P, 0, iv, NULL, 0);
		break;
	default: /* T_BOOL */
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
			iv = 1;
		else if (strcmp(s, "false") != 0 && strcmp(s, "0") != 0) {
			rc = perr_at(P, col_of(P, t), "expected true, false, 1 or 0 for '%s', found %s",
			             f->name, desc(P, t, d, sizeof d));
			break;
		}
		rc = new_param(P, 0, iv, NULL, 0);
		break;
	}
	free(s);
	if (rc >= 0)
		advance(P);
	return rc;
}

/* ------------------------------------------------------------ grammar
 *   expr    := and { ("||" | "or") and }
 *   and     := unary { ("&&" | "and") unary }
 *   unary   := ("!" | "not") unary | primary
 *   primary := "(" expr ")" | FIELD [ CMP value | "contains" value
 *              | ["not"] "in" "{" value { [","] value } "}" ]
 */
static int parse_or(struct parser *P, int depth);

static int parse_cmp(struct parser *P, const struct hs_ffield *f, const struct hs_ftoken *ft)
{
	const struct hs_ftoken *opt = cur(P);
	char d[64], what[96];
	enum hs_fop op;
	int n, p;

	if (opt->type == FT_CMP)
		op = opt->op;
	else if (word_is(P, opt, "contains"))
		op = FOP_CONTAINS;
	else if (word_is(P, opt, "in"))
		op = FOP_IN;
	else if (opt->type == FT_NOT && word_is(P, opt + 1, "in"))
		op = FOP_NOTIN;
	else if (f->bare) {
		if ((n = new_node(P, N_BARE, 0, 0)) >= 0)
			P->nodes[n].f = f;
		return n;
	} else {
		snprintf(what, sizeof what, "an operator after %s", desc(P, ft, d, sizeof d));
		return expected(P, opt, what);
	}
	if (op == FOP_NOTIN)
		snprintf(d, sizeof d, "'not in'");
	else
		desc(P, opt, d, sizeof d);
	if ((op == FOP_MATCH || op == FOP_NMATCH || op == FOP_CONTAINS) && f->type != T_STR &&
	    f->type != T_OBJ)
		return perr_at(P, col_of(P, opt), "%s needs a text field, but '%s' is a %s", d,
		               f->name, type_names[f->type]);
	if (f->type == T_BOOL && op != FOP_EQ && op != FOP_NE)
		return perr_at(P, col_of(P, opt), "%s does not apply to the boolean field '%s'", d,
		               f->name);
	if (op == FOP_NOTIN)
		advance(P);
	opt = cur(P);
	advance(P);
	if (op == FOP_IN || op == FOP_NOTIN) {
		const struct hs_ftoken *brace = cur(P);
		if (brace->type != FT_LBRACE)
			return expected(P, brace, "'{' after 'in'");
		advance(P);
		opt = brace;
	}
	if ((p = value(P, f, op, opt)) < 0)
		return -1;
	if ((n = new_node(P, N_CMP, 0, 0)) < 0)
		return -1;
	P->nodes[n].f = f;
	P->nodes[n].op = op;
	P->nodes[n].p0 = p;
	P->nodes[n].np = 1;
	if (op != FOP_IN && op != FOP_NOTIN)
		return n;
	/* values are separated by commas or blanks: {1, 2 3} */
	for (;;) {
		const struct hs_ftoken *t = cur(P), *prev = t - 1;
		if (t->type == FT_RBRACE) {
			advance(P);
			return n;
		}
		if (t->type == FT_COMMA) {
			prev = t;
			advance(P);
		} else if (t->type != FT_WORD && t->type != FT_NUM && t->type != FT_DUR &&
		           t->type != FT_STR) {
			snprintf(what, sizeof what, "',' or '}' after %s", desc(P, prev, d, sizeof d));
			return expected(P, t, what);
		}
		if (value(P, f, op, prev) < 0)
			return -1;
		P->nodes[n].np++;
	}
}

/* Past MAX_DEPTH the text is an expression gone too far, never a regex. */
static int too_deep(struct parser *P, const struct hs_ftoken *t)
{
	P->too_deep = 1;
	perr_at(P, col_of(P, t), "too deeply nested: at most %d levels of '(' and '!'", MAX_DEPTH);
	return -1;
}

static int parse_primary(struct parser *P, int depth)
{
	const struct hs_ftoken *t = cur(P);
	const struct hs_ffield *f;
	char d[64], what[96];
	int n;

	if (t->type == FT_LPAREN) {
		if (depth >= MAX_DEPTH)
			return too_deep(P, t);
		advance(P);
		if ((n = parse_or(P, depth + 1)) < 0)
			return -1;
		if (cur(P)->type == FT_END)
			return perr_at(P, col_of(P, t), "expected ')' to close this '(', found end of input");
		if (cur(P)->type != FT_RPAREN)
			return expected(P, cur(P), "')'");
		advance(P);
		return n;
	}
	if (t->type != FT_WORD) {
		if (P->pos == 0)
			return expected(P, t, "a field");
		snprintf(what, sizeof what, "a field after %s", desc(P, t - 1, d, sizeof d));
		return expected(P, t, what);
	}
	f = find_field(P->text + t->pos, t->len);
	if (!f) {
		const char *best = NULL;
		char w[64];
		int bestd = 99;

		snprintf(w, sizeof w, "%.*s", (int)(t->len < 60 ? t->len : 60), P->text + t->pos);
		const struct hs_ffield *ff;
		for (int i = 0; (ff = hs_filter_field_nth(i)) != NULL; i++)
			if (near(w, ff->name, strlen(w) >= 4 ? 2 : 1, &bestd))
				best = ff->name;
		if (best)
			return perr_at(P, col_of(P, t), "unknown field '%s' (did you mean '%s'?)", w, best);
		return perr_at(P, col_of(P, t), "unknown field '%s'", w);
	}
	advance(P);
	return parse_cmp(P, f, t);
}

static int parse_unary(struct parser *P, int depth)
{
	int a;

	if (cur(P)->type != FT_NOT)
		return parse_primary(P, depth);
	if (depth >= MAX_DEPTH)
		return too_deep(P, cur(P));
	advance(P);
	if ((a = parse_unary(P, depth + 1)) < 0)
		return -1;
	return new_node(P, N_NOT, a, 0);
}

static int parse_and(struct parser *P, int depth)
{
	int a = parse_unary(P, depth), b;

	while (a >= 0 && cur(P)->type == FT_AND) {
		advance(P);
		if ((b = parse_unary(P, depth)) < 0)
			return -1;
		a = new_node(P, N_AND, a, b);
	}
	return a;
}

static int parse_or(struct parser *P, int depth)
{
	int a = parse_and(P, depth), b;

	while (a >= 0 && cur(P)->type == FT_OR) {
		advance(P);
		if ((b = parse_and(P, depth)) < 0)
			return -1;
		a = new_node(P, N_OR, a, b);
	}
	return a;
}

/* The whole text as an expression; returns the root node or -1. */
static int parse_all(struct parser *P)
{
	int root = parse_or(P, 0);

	if (root < 0)
		return -1;
	if (cur(P)->type == FT_RPAREN)
		return perr_at(P, col_of(P, cur(P)), "unmatched ')'");
	if (cur(P)->type != FT_END)
		return expected(P, cur(P), "'&&' or '||'");
	return root;
}

/* Does the text hold a comparison operator? (the first half of the rule) */
static int has_operator(const struct parser *P)
{
	const struct hs_ftoken *t = P->lx.tok;

	for (int i = 0; i < P->lx.ntok; i++) {
		if (t[i].type == FT_CMP)
			return 1;
		if (i > 0 && word_is(P, &t[i], "contains") && t[i - 1].type == FT_WORD &&
		    (t[i + 1].type == FT_WORD || t[i + 1].type == FT_STR || t[i + 1].type == FT_NUM ||
		     t[i + 1].type == FT_DUR))
			return 1;
		if (i > 0 && word_is(P, &t[i], "in") && t[i + 1].type == FT_LBRACE &&
		    (t[i - 1].type == FT_WORD || t[i - 1].type == FT_NOT))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ SQL */

static const char *sql_op(enum hs_fop op)
{
	switch (op) {
	case FOP_NE: return "<>";
	case FOP_LT: return "<";
	case FOP_LE: return "<=";
	case FOP_GT: return ">";
	case FOP_GE: return ">=";
	default: return "=";
	}
}

/* The test of one comparison on value SQL col, in its positive form. */
static int emit_test(struct hs_buf *b, const char *col, const struct node *n, enum hs_fop op)
{
	int rc = 0;

	switch (op) {
	case FOP_MATCH:
		return hs_buf_printf(b, "hs_regexp(:f%d, %s)", n->p0, col);
	case FOP_NMATCH:
		return hs_buf_printf(b, "(%s IS NOT NULL AND NOT hs_regexp(:f%d, %s))", col, n->p0, col);
	case FOP_CONTAINS:
		return hs_buf_printf(b, "instr(%s, :f%d) > 0", col, n->p0);
	case FOP_IN:
	case FOP_NOTIN:
		rc |= hs_buf_printf(b, "%s %sIN (", col, op == FOP_NOTIN ? "NOT " : "");
		for (int i = 0; i < n->np; i++)
			rc |= hs_buf_printf(b, "%s:f%d", i ? ", " : "", n->p0 + i);
		return rc | hs_buf_addc(b, ')');
	default:
		return hs_buf_printf(b, "%s %s :f%d", col, sql_op(op), n->p0);
	}
}

static int emit(struct hs_buf *b, const struct node *nodes, int i);

/* a || b || c as one flat "(a OR b OR c)": SQLite's parser stack is small
 * (YYSTACKDEPTH, 100 entries in common builds) and every "(" costs, so
 * chains must not nest. */
static int emit_chain(struct hs_buf *b, const struct node *nodes, int i, enum nkind kind)
{
	const struct node *n = &nodes[i];
	int rc = 0;

	if (n->kind != kind)
		return emit(b, nodes, i);
	rc |= emit_chain(b, nodes, n->a, kind);
	rc |= hs_buf_adds(b, kind == N_AND ? " AND " : " OR ");
	return rc | emit_chain(b, nodes, n->b, kind);
}

static int emit(struct hs_buf *b, const struct node *nodes, int i)
{
	const struct node *n = &nodes[i];
	const struct hs_ffield *f = n->f;
	int rc = 0;

	switch (n->kind) {
	case N_ALL:
		return hs_buf_adds(b, "1");
	case N_AND:
	case N_OR:
		rc |= hs_buf_addc(b, '(');
		rc |= emit_chain(b, nodes, i, n->kind);
		return rc | hs_buf_addc(b, ')');
	case N_NOT:
		/* our tests are 0, 1 or NULL; "IS NOT 1" makes NULL true, so !
		 * is a complement, and costs one "(" where NOT coalesce() costs
		 * four parser-stack entries */
		rc |= hs_buf_addc(b, '(');
		rc |= emit(b, nodes, n->a);
		return rc | hs_buf_adds(b, ") IS NOT 1");
	case N_REGEX:
		return hs_buf_printf(b, "hs_regexp(:f%d, " HS_EVENT_TEXT_SQL ")", n->p0);
	case N_BARE:
		if (f->from)
			return hs_buf_printf(b, "EXISTS (SELECT 1 FROM %s)", f->from);
		return hs_buf_printf(b, "(%s)", f->sql);
	case N_CMP:
		break;
	}
	if (!f->from) {
		if (f->type != T_BOOL)
			return emit_test(b, f->sql, n, n->op);
		rc |= hs_buf_printf(b, "(%s)", f->sql);
		rc |= hs_buf_adds(b, " ");
		/* "(e.ok = 1) = :f1": the predicate compared with 0 or 1 */
		return rc | hs_buf_printf(b, "%s :f%d", sql_op(n->op), n->p0);
	}
	/* several values: any matches; the negative forms mean none does */
	if (n->op == FOP_NE || n->op == FOP_NMATCH || n->op == FOP_NOTIN) {
		enum hs_fop pos = n->op == FOP_NE ? FOP_EQ : n->op == FOP_NMATCH ? FOP_MATCH : FOP_IN;
		rc |= hs_buf_printf(b, "(EXISTS (SELECT 1 FROM %s) AND NOT EXISTS (SELECT 1 FROM %s AND ",
		                    f->from, f->from);
		rc |= emit_test(b, f->sql, n, pos);
		return rc | hs_buf_adds(b, "))");
	}
	rc |= hs_buf_printf(b, "EXISTS (SELECT 1 FROM %s AND ", f->from);
	rc |= emit_test(b, f->sql, n, n->op);
	return rc | hs_buf_addc(b, ')');
}

/* ------------------------------------------------------------ API */

static void parser_free(struct parser *P)
{
	hs_flex_free(&P->lx);
	free(P->nodes);
	free(P->params);
	hs_buf_free(&P->pool);
	memset(P, 0, sizeof *P);
}

/* Reset the AST and parameters for a second reading of the same tokens. */
static void parser_reset(struct parser *P, struct hs_error *err)
{
	P->pos = P->nnodes = P->nparams = 0;
	hs_buf_clear(&P->pool);
	P->err = err;
	P->failed = 0;
}

/* The text as a bare regex over e.text: one node, one parameter. */
static int as_regex(struct parser *P, const char *text)
{
	size_t lead = (size_t)(hs_skip_ws(text) - text), len = strlen(text + lead);
	struct hs_buf raw, pat;
	struct hs_error e;
	struct hs_regex *re;
	int caseless, n, p;

	while (len && strchr(" \t\r\n", text[lead + len - 1]))
		len--;
	hs_buf_init(&raw);
	hs_buf_init(&pat);
	if (hs_buf_add(&raw, text + lead, len) < 0)
		return oom(P);
	caseless = !hs_flex_has_upper(hs_buf_cstr(&raw));
	if (hs_regex_compile(hs_buf_cstr(&raw), caseless ? HS_RE_CASELESS : 0, &re, &e) < 0) {
		hs_buf_free(&raw);
		if (e.col == 0)
			return oom(P);
		perr_at(P, (long)lead + e.col, "invalid regex: %s", e.msg);
		hs_error_hint(P->err, "there is no operator, so the text was read as a regex; "
		              "write text ~ \"...\" to say so");
		return -1;
	}
	hs_regex_free(re);
	/* hs_regexp() reads a leading (?i) as its caseless flag */
	if ((caseless && hs_buf_adds(&pat, "(?i)") < 0) || hs_buf_add(&pat, raw.data, raw.len) < 0) {
		hs_buf_free(&raw);
		hs_buf_free(&pat);
		return oom(P);
	}
	p = new_param(P, 1, 0, pat.data, pat.len);
	hs_buf_free(&raw);
	hs_buf_free(&pat);
	if (p < 0 || (n = new_node(P, N_REGEX, 0, 0)) < 0)
		return -1;
	P->nodes[n].p0 = p;
	return n;
}

int hs_filter_compile(const char *text, struct hs_filter **out, struct hs_error *err)
{
	struct hs_error scratch, first;
	struct parser P;
	struct hs_filter *f;
	int root, is_regex = 0;

	*out = NULL;
	if (!err)
		err = &scratch;
	hs_error_clear(err);
	if (!text)
		text = "";
	memset(&P, 0, sizeof P);
	P.text = text;
	P.err = &first;
	hs_error_clear(&first);
	hs_buf_init(&P.pool);
	if (hs_flex_run(text, &P.lx) < 0) {
		hs_error_set(err, "filter", 1, 0, "out of memory");
		return -1;
	}
	if (P.lx.ntok == 1) {
		root = new_node(&P, N_ALL, 0, 0);
	} else {
		root = parse_all(&P);
		if (root < 0 && !P.too_deep && !has_operator(&P) && first.col != 0) {
			/* not an expression of the boolean fields and no operator:
			 * the text is a regex (its own errors are reported as such) */
			parser_reset(&P, &first);
			is_regex = 1;
			root = as_regex(&P, text);
		} else if (root < 0 && first.col != 0 && strncmp(first.msg, "unknown field", 13) == 0) {
			hs_error_hint(&first, "to search the event text for it, write text ~ \"...\"");
		}
	}
	if (root < 0) {
		*err = first;
		parser_free(&P);
		return -1;
	}
	f = calloc(1, sizeof *f);
	if (!f || !(f->text = hs_strdup(text))) {
		free(f);
		parser_free(&P);
		hs_error_set(err, "filter", 1, 0, "out of memory");
		return -1;
	}
	hs_buf_init(&f->sql);
	if (emit(&f->sql, P.nodes, root) != 0) {
		hs_filter_free(f);
		parser_free(&P);
		hs_error_set(err, "filter", 1, 0, "out of memory");
		return -1;
	}
	f->is_regex = is_regex;
	f->params = P.params;
	f->nparams = P.nparams;
	f->pool = P.pool;
	P.params = NULL;
	hs_buf_init(&P.pool);
	parser_free(&P);
	*out = f;
	return 0;
}

void hs_filter_free(struct hs_filter *f)
{
	if (!f)
		return;
	free(f->text);
	hs_buf_free(&f->sql);
	free(f->params);
	hs_buf_free(&f->pool);
	free(f);
}

int hs_filter_negate(struct hs_filter *f)
{
	struct hs_buf b;

	hs_buf_init(&b);
	if (hs_buf_printf(&b, "NOT coalesce((%s), 0)", hs_buf_cstr(&f->sql)) < 0) {
		hs_buf_free(&b);
		return -1;
	}
	hs_buf_free(&f->sql);
	f->sql = b;
	return 0;
}

const char *hs_filter_sql(const struct hs_filter *f) { return hs_buf_cstr(&f->sql); }
const char *hs_filter_text(const struct hs_filter *f) { return f->text; }
int hs_filter_is_regex(const struct hs_filter *f) { return f->is_regex; }

int hs_filter_bind(const struct hs_filter *f, struct sqlite3_stmt *st)
{
	for (int i = 0; i < f->nparams; i++) {
		const struct param *p = &f->params[i];
		char name[16];
		int idx, rc;

		snprintf(name, sizeof name, ":f%d", i + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (idx == 0)
			return SQLITE_RANGE; /* the statement does not hold the filter's SQL */
		if (p->is_text)
			rc = sqlite3_bind_text(st, idx, hs_buf_cstr(&f->pool) + p->off, (int)p->len,
			                       SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_int64(st, idx, p->i);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Display width of s[0..n) once escaped: one column per code point. */
static size_t width_of(const char *s, size_t n)
{
	struct hs_buf b;
	size_t w = 0;

	hs_buf_init(&b);
	if (hs_escape(&b, s, n) == 0)
		for (size_t i = 0; i < b.len; i++)
			w += ((unsigned char)b.data[i] & 0xC0) != 0x80;
	hs_buf_free(&b);
	return w;
}

void hs_filter_error_caret(const char *text, const struct hs_error *err, struct hs_buf *out)
{
	char line[1024];
	size_t len = text ? strlen(text) : 0, at;

	hs_error_format(err, line, sizeof line);
	hs_buf_adds(out, line);
	hs_buf_addc(out, '\n');
	if (!text)
		return;
	hs_buf_adds(out, "  ");
	hs_escape(out, text, len);
	hs_buf_addc(out, '\n');
	if (err->col > 0) {
		at = (size_t)err->col - 1 > len ? len : (size_t)err->col - 1;
		hs_buf_adds(out, "  ");
		for (size_t w = width_of(text, at); w > 0; w--)
			hs_buf_addc(out, ' ');
		hs_buf_adds(out, "^\n");
	}
	if (err->hint[0])
		hs_buf_printf(out, "  hint: %s\n", err->hint);
}

const char *hs_filter_field_name(int i, const char **help)
{
	const struct hs_ffield *f = hs_filter_field_nth(i);

	if (!f)
		return NULL;
	if (help)
		*help = f->help;
	return f->name;
}
