/* p11call.h — the one detail layout every PKCS#11 call tracer's parser
 * writes a call in, and the event fields read from it.
 *
 * Ownership: a struct hs_p11call is its declarer's; hs_p11call_free() frees
 * the event's detail. Every string and buffer passed in is copied.
 *
 * Why one layout: redaction (redact.c), correlation (correlate_*.c) and the
 * detail tree read a call's parameters from its detail lines (the typed
 * reader is detail.h; test_detail.c round-trips every writer below), in the layout
 * OpenSC's pkcs11-spy prints. A parser for another tracer translates each
 * parameter into that layout through the functions below, so a PIN is
 * masked, a template's label is found and a created handle is followed
 * whichever tracer wrote the log:
 *
 *   [in] hSession = 0x1                 a scalar (hs_p11call_scalar); the
 *   [out] *phSession = 0x1              names read: slotID, hSession,
 *   [in] userType = CKU_USER            phSession, userType, h* and ph*
 *   [in] pMechanism->type = CKM_AES_CBC (keys, role = the name without '*'),
 *                                       pMechanism->type, ulObjectCount
 *   [in] pPin[ulPinLen] / 11            a byte buffer (hs_p11call_bytes),
 *       00000000  75 73 65 72 ...  user-pin...  then its hex dump lines
 *   [out] pSignature[*pulSignatureLen] NULL [size : 0x100 (256)]
 *                                       a NULL output buffer: a length query
 *   [in] pTemplate[2]:                  a template (hs_p11call_template),
 *       CKA_CLASS             CKO_SECRET_KEY   then one line per attribute
 *       CKA_LABEL             / 5              (hs_p11call_attr), byte
 *       00000000  61 65 73 2D 31 ...  aes-1    values as dumps
 *   Object 0x2 matches                  C_FindObjects results (hs_p11call_found)
 *
 * Byte values — PINs, CKA_VALUE, data — always go into dump lines, never
 * into a line of text or the summary: redaction masks dumps.
 */
#ifndef HSMSCOPE_P11CALL_H
#define HSMSCOPE_P11CALL_H

#include <stddef.h>
#include <stdint.h>

#include "hsmscope/event.h"

struct hs_p11call {
	struct hs_event ev;         /* the event being built; owns its detail */
	char mech[48];              /* pMechanism->type, for the summary */
	char label[48];             /* CKA_LABEL of the call's template, for the summary */
	int64_t found;              /* ulObjectCount of C_FindObjects, -1 none */
	int64_t run_first, run_n;   /* the file's lines given to the call: the run
	                               being gathered (line numbers; run_n 0 none),
	                               earlier runs already in ev.lines */
};

void hs_p11call_init(struct hs_p11call *c);
void hs_p11call_reset(struct hs_p11call *c);  /* empty again, keeps detail's memory */
void hs_p11call_free(struct hs_p11call *c);

/* The file's line lineno is the call's (a tracer's line given to it): kept
 * as runs in ev.lines (event.h), so the Raw pane can show the file's lines
 * with the call's picked out. Lines must come in file order (one going
 * back is dropped). -1 on OOM. hs_p11call_lines_done() writes the last run
 * (the queue does it when the call leaves). */
int hs_p11call_saw(struct hs_p11call *c, int64_t lineno);
int hs_p11call_lines_done(struct hs_p11call *c);

/* Set ev.func from a tracer's name for it: "C_Login", "Login" or
 * "C_Login()" all give "C_Login". 0, or -1 when it is no PKCS#11 name. */
int hs_p11call_func(struct hs_p11call *c, const char *name, size_t n);

/* Append a detail line that already is in the layout above, and read the
 * fields it names (a "[in]/[out] name = value" line, "Object 0x.."). The
 * spy uses this for its own lines. -1 on OOM. */
int hs_p11call_line(struct hs_p11call *c, const char *s, size_t n);
/* Read the fields of such a line without appending it. */
void hs_p11call_note(struct hs_p11call *c, const char *s, size_t n);

/* "[in] name = value" (out: "[out] "); value is printed as given (a number,
 * a CKU_/CKM_ name, "NULL"). For a number, hs_p11call_ulong prints it the
 * spy's way (0x%lx). -1 on OOM. */
int hs_p11call_scalar(struct hs_p11call *c, int out, const char *name, const char *value);
int hs_p11call_ulong(struct hs_p11call *c, int out, const char *name, uint64_t value);

/* "[in] name / n" then the spy's hex dump of b (n == 0: the line alone). */
int hs_p11call_bytes(struct hs_p11call *c, int out, const char *name,
                     const unsigned char *b, size_t n);
/* "[out] name NULL [size : 0x.. (..)]": an output buffer passed as NULL to
 * learn its length (size HS_NONE when not known). */
int hs_p11call_null_buffer(struct hs_p11call *c, const char *name, int64_t size);

/* "[in] name[count]: " — the attributes follow (count < 0: not printed). */
int hs_p11call_template(struct hs_p11call *c, int out, const char *name, int64_t count);
/* One attribute of the template just opened, from its raw value bytes (as
 * the application passed them: CK_ULONG values in host byte order, 8 or 4
 * bytes). CKA_CLASS, CKA_KEY_TYPE and one-byte booleans are printed by
 * name; everything else as "/ len" and a dump.
 * v == NULL: a request for the value (length only, "name / len"). */
int hs_p11call_attr(struct hs_p11call *c, uint64_t type, const unsigned char *v, size_t n);
/* The same for a tracer that prints the attribute already decoded: name is
 * "CKA_..." (or a number), text its rendering. A constant's name (CKO_,
 * CKK_, CKC_, CKT_, ...) or True/False stays text; any other value, and
 * any value of CKA_VALUE or a private-key part, becomes the dump of text's
 * bytes, so it is masked where it must be. */
int hs_p11call_attr_text(struct hs_p11call *c, const char *name, const char *text, size_t n);

/* "Object 0x<h> matches": one handle C_FindObjects returned. */
int hs_p11call_found(struct hs_p11call *c, int64_t handle);

/* The call returned rv; name is the tracer's name for it or NULL/"" (then
 * the CKR_ table's, else "0x.."). Sets ev.rv, rv_name and ok. */
void hs_p11call_return(struct hs_p11call *c, int64_t rv, const char *name, size_t n);

/* Fill ev.summary from the fields read (slot, session, user, mech, keys,
 * label, found). Call once, just before emitting. */
void hs_p11call_summarize(struct hs_p11call *c);

/* Decode hex digits (blanks, ':' and a leading "0x" skipped) into at most
 * max bytes of out. Returns the bytes decoded, or -1 when s holds anything
 * else or an odd number of digits. */
long hs_p11_hex_decode(const char *s, size_t n, unsigned char *out, size_t max);

#endif
