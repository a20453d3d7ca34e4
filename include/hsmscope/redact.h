/* redact.h — masking of PINs and secret key material, always on.
 *
 * Ownership: works in place on the event it is given; allocates nothing.
 *
 * Masked bytes become '*' with their length and layout kept, so a reader
 * still sees that a 13-byte PIN was sent, never which. Applied by the
 * pipeline (pipeline.h) to every event before any consumer sees it.
 */
#ifndef HSMSCOPE_REDACT_H
#define HSMSCOPE_REDACT_H

#include "hsmscope/event.h"

struct hs_redact_opts {
	int data;                   /* also mask data buffers (--redact data) */
	int strict;                 /* lines whose call is not known (another call's lines
	                               shown around one call, rawlines.h): every dump row,
	                               every line after a parameter other than a label, and
	                               CKA_VALUE of any class are masked */
};

/* Mask e's detail lines. Returns the number of lines changed. */
int hs_redact_event(struct hs_event *e, const struct hs_redact_opts *o);

/* Mask, in place, lines written in another tracer's own layout than the
 * spy's (the raw lines of a p11-kit, NSS, logger, shim, tpm2 or CloudHSM
 * log), whose shapes hs_redact_event does not know: after any word naming
 * a PIN, password, secret or secret attribute the rest of its line, and
 * every following line up to one that names a PKCS#11 function; every
 * byte value (the logger's HEX(..), p11-kit's (N) "..") to its line's
 * end, since its function decides whether it is secret. Lengths
 * and newlines are kept. Returns the number of lines changed. */
int hs_redact_foreign(char *text, size_t len);

#endif
