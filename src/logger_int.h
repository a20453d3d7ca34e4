/* logger_int.h — what parse_logger.c (the lines of the pkcs11-logger's log,
 * which call each belongs to) and logger_param.c (what a call's parameter
 * lines say) share. Internal to those two files.
 *
 * Ownership: a struct lg_call lives inside its parser's call and points at
 * that call's event and at the parser's decode buffer; it owns nothing.
 */
#ifndef HSMSCOPE_LOGGER_INT_H
#define HSMSCOPE_LOGGER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hsmscope/chars.h"
#include "hsmscope/p11call.h"
#include "hsmscope/util.h"

/* A decoded HEX(..) value, reused from line to line. */
struct lg_bytes {
	unsigned char *b;           /* owned by the parser */
	size_t cap;                 /* bytes allocated */
};

/* The parameter state of one call, between its lines. */
struct lg_call {
	struct hs_p11call *pc;      /* the call's event (the parser's) */
	struct lg_bytes *buf;       /* the parser's decode buffer */
	int oom;                    /* out of memory: the parser must stop */
	int out;                    /* after the call's "Output" line */
	char tmpl[32];              /* template whose pointer was just printed */
	int depth;                  /* attribute templates open (nested ones count) */
	int attr;                   /* attribute in progress: 0 none, 1 number seen, 2 type */
	uint64_t attr_type;         /* its CKA_ type */
	uint64_t attr_len;          /* its ulValueLen */
	char hidden[12];            /* PIN printed as hidden, its length still to come */
	char nil_buf[40];           /* output buffer printed as (nil): a length query */
	int64_t found_left;         /* C_FindObjects results still to take */
	int list;                   /* pSlotList / pMechanismList header written */
};

/* "Input" (out 0) or "Output" (1): a new section of the call. */
void hs_lg_section(struct lg_call *c, int out);
/* One parameter line, b[0..bn) after its `indent` leading blanks. */
void hs_lg_param_line(struct lg_call *c, int indent, const char *b, size_t bn);

/* A whole decimal number of at most 20 digits that fits 64 bits. */
int hs_lg_dec(const char *s, size_t n, uint64_t *v);
/* "123 (NAME)": the number and the name inside the parentheses. */
int hs_lg_num_name(const char *s, size_t n, uint64_t *v, const char **nm, size_t *nl);


static inline int is_word(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(s, w, n) == 0;
}

#endif
