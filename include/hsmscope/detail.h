/* detail.h — the one reader of a call's detail lines: an iterator that
 * yields typed items (parameter, template, attribute, dump row, print row,
 * object handle, text) from the spy's layout (p11call.h), on any spacing.
 *
 * Ownership: an item points into the detail text it was read from (never
 * NUL-ended pieces: pointer + length); nothing is allocated, nothing is
 * freed. The text must outlive the items.
 *
 * Why: redaction, correlation and the detail tree read the same lines. One
 * reader that knows the layout — and tolerates what editors and tickets do
 * to it (TABs for blanks, squeezed or dropped indentation, CR line ends,
 * trailing blanks, "name=", "name:" and lines cut short) — means each of
 * them asks "which attribute is this, and what are its bytes" instead of
 * matching strings again.
 *
 * Items and what they carry (every other field is zero / HS_NONE):
 *   HS_DI_PARAM     "[in] hSession = 0x1": out, name (a leading '*' is
 *                   dropped, "pMechanism->type" kept whole), value (after
 *                   '=' or ':', trimmed; empty when none), number (value as
 *                   an integer, HS_NONE when it is none), len (the
 *                   announced byte length of "name[..] <addr> / 11", a
 *                   buffer's dump follows; HS_NONE), null_buf (1 for
 *                   "name NULL [size : ...]", len is the size when given)
 *   HS_DI_TEMPLATE  "[in] pTemplate[2]:": out, name, len (the count, HS_NONE
 *                   when not printed)
 *   HS_DI_ATTR      "    CKA_LABEL   <addr> / 5" or "CKA_CLASS CKO_DATA":
 *                   name (CKA_... or a vendor number "0x8000..." or
 *                   "CKA_? (0x..)" whole), value (its text when printed
 *                   decoded), len (announced bytes, HS_NONE), owner (the
 *                   template it is in, empty when none), out (of the
 *                   template)
 *   HS_DI_DUMP      "    00000000  75 73 65 72  user": offset, bytes/nbytes,
 *                   hex (the bytes' column, first pair to last), text (the
 *                   ASCII column); offset -1 for the headless rest of a
 *                   row cut in two. owner: the parameter or attribute
 *                   whose value it is (empty for an orphan)
 *   HS_DI_PRINT     print_print's hex line "62617369 632D7273 61": bytes;
 *                   owner as for a dump. Its ASCII line (" b a s i  c")
 *                   is yielded as HS_DI_PRINT_TEXT; a hex row print_print
 *                   glued onto that line is an item of its own, of the
 *                   same lineno.
 *   HS_DI_OBJECT    "Object 0x2 matches": number (the handle)
 *   HS_DI_TEXT      anything else (value: the trimmed line)
 * Every item has line/len (the whole line, CR and trailing blanks cut),
 * lineno (0-based in the detail) and indent (leading blanks, a TAB as 8).
 */
#ifndef HSMSCOPE_DETAIL_H
#define HSMSCOPE_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/util.h"

enum hs_detail_kind {
	HS_DI_PARAM,
	HS_DI_TEMPLATE,
	HS_DI_ATTR,
	HS_DI_DUMP,
	HS_DI_PRINT,
	HS_DI_PRINT_TEXT,
	HS_DI_OBJECT,
	HS_DI_TEXT,
};

/* A piece of the detail text: s[0..n), not NUL-ended. */
struct hs_dstr {
	const char *s;
	size_t n;
};

#define HS_DETAIL_ROW_MAX 32    /* bytes of one dump (16) or print (32) row */

struct hs_detail_item {
	enum hs_detail_kind kind;
	struct hs_dstr line;        /* the whole line, trimmed at the end */
	size_t lineno;              /* 0-based line of the detail */
	int indent;                 /* leading blanks (TAB = 8) */
	int out;                    /* [out] (or an attribute of an [out] template) */
	struct hs_dstr name;        /* parameter / template / attribute name */
	struct hs_dstr value;       /* its text value, trimmed; TEXT: the line */
	struct hs_dstr owner;       /* ATTR: its template; DUMP/PRINT: its parameter or attribute */
	int64_t number;             /* value as an integer; OBJECT: the handle; HS_NONE */
	int64_t len;                /* announced length or template count; HS_NONE */
	int null_buf;               /* PARAM: "NULL [size ...]" */
	int64_t offset;             /* DUMP: the row's offset, -1 headless */
	unsigned char bytes[HS_DETAIL_ROW_MAX]; /* DUMP/PRINT: the row's bytes */
	int nbytes;
	int masked;                 /* DUMP/PRINT: bytes redaction masked ("**") */
	struct hs_dstr hex;         /* DUMP: the bytes' column, first pair to last */
	struct hs_dstr text;        /* DUMP: the ASCII column (may be empty) */
	int columns;                /* DUMP: 1 in print_generic's own columns: the text
	                               starts 59 after the offset, a character per byte
	                               (blank ones too); 0: it starts at its first non-blank */
};

/* The iterator's state: where it is and what the lines above opened. */
struct hs_detail_iter {
	const char *p, *end;        /* the rest of the detail (not owned) */
	size_t lineno;
	struct hs_dstr tmpl;        /* the template open, or empty */
	int tmpl_out;
	struct hs_dstr owner;       /* the parameter/attribute a dump belongs to */
	int print;                  /* 1: the previous item was a print row */
	int64_t next_off;           /* the offset the owner's next dump row has */
	int64_t left;               /* bytes of the owner's value still due, HS_NONE */
	const char *glued;          /* print_print's hex glued to an ASCII row: the rest */
};

void hs_detail_iter_init(struct hs_detail_iter *it, const char *detail, size_t len);
/* The next item: 1, or 0 at the end. */
int hs_detail_next(struct hs_detail_iter *it, struct hs_detail_item *item);

/* Does s[0..n) announce a dump, as the rest of a parameter or attribute
 * line after its name: "[ulPinLen]" (optional), '=' or ':' (optional), an
 * address (optional), "/ <length>", any blanks between, nothing after?
 * Sets *len. The same test the reader makes of those lines; redaction
 * asks it of free text after a PIN's name. */
int hs_detail_announces(const char *s, size_t n, int64_t *len);

/* Read the line s[0..n) (no '\n') as a dump row, whatever the lines
 * around it: 1 and the item's DUMP fields (offset, bytes, hex, text, line,
 * indent) when it is one, else 0. For a print row that also reads as a
 * dump row ("68656C6C 6F", the label "hello"): redaction masks such a row
 * as the other thread's dump row it may be. */
int hs_detail_dump_row(const char *s, size_t n, struct hs_detail_item *item);

/* Is d the same name as the NUL-ended word w? */
int hs_dstr_is(struct hs_dstr d, const char *w);

/* The bytes of the value the item just read announced (an ATTR or PARAM
 * with a length): reads the dump or print rows that follow it, and only
 * those, advancing the iterator past them. Stores at most max bytes in out;
 * returns the bytes seen (may be fewer than announced when the log is cut,
 * or than stored when max is small). A masked row (redacted: "**") counts
 * its bytes as 0 and sets *masked (when not NULL). */
size_t hs_detail_value(struct hs_detail_iter *it, unsigned char *out, size_t max, int *masked);

/* ------------------------------------------------- the decoded tree */

/* One node of a call's parameters decoded (detail_tree.c), in pre-order. */
struct hs_dnode {
	int depth;                  /* 0: a parameter or template */
	int raw;                    /* 1: the log's own text of a value (hex rows):
	                               shown one level down, folded */
	const char *text;           /* what to show, valid during the callback
	                               only; log text: escape it when drawing */
	const char *filter;         /* a filter selecting calls with this value
	                               ("mech == CKM_AES_CBC"), "" when none */
};

/* Called once per node; a non-zero return stops the walk (returned). */
typedef int (*hs_dnode_fn)(void *ctx, const struct hs_dnode *node);

/* Decode the detail lines of a call: CK_ULONG attributes as numbers,
 * big integers in decimal, CK_BBOOL as true/false, classes, key and
 * certificate types and mechanisms by name, labels and ids as text where
 * printable, flags by name, a masked value as masked; the raw rows one
 * level down. Returns 0, or what fn returned, or -1 on OOM. */
int hs_detail_decode(const char *detail, size_t len, hs_dnode_fn fn, void *ctx);

/* What the index stores of a call for the filters mech, attr and label
 * (table event_params): its mechanism (attr 0, type its CKM_ number, name
 * its name) and each attribute of its templates (attr 1, type its CKA_
 * number, name, value); type HS_NONE when not known. The value is given only
 * where it can be nothing secret: a boolean ("true"/"false"), a CK_ULONG
 * (a constant's name or a decimal number) or a printable CKA_LABEL not
 * masked; else NULL. Strings are valid during the callback only. A
 * non-zero return of fn stops the walk and is returned. */
typedef int (*hs_dparam_fn)(void *ctx, int attr, int64_t type, const char *name,
                            const char *value);
int hs_detail_params(const char *detail, size_t len, hs_dparam_fn fn, void *ctx);

/* Append to out a filter string literal for s[0..n): "..." with \ and "
 * escaped; bytes that are not printable ASCII become '.'. */
void hs_detail_quote(struct hs_buf *out, const char *s, size_t n);

#endif
