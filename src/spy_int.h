/* spy_int.h — what parse_spy.c asks spy_sig.c: which parameters each
 * PKCS#11 function makes OpenSC's pkcs11-spy print, in which order, and
 * whether a line's parameter can belong to a call. Internal to those files.
 *
 * Ownership: every struct spy_sig is static, read-only table storage; the
 * names returned point into the line given or into the table.
 */
#ifndef HSMSCOPE_SPY_INT_H
#define HSMSCOPE_SPY_INT_H

#include <stddef.h>

/* The parameters a function prints: its inputs in order (every one is
 * printed on every call), then, after the call into the module, its
 * outputs (printed only for some return values). */
struct spy_sig {
	const char *func;           /* "C_Sign" */
	const char *in;             /* input names in print order, blank-separated */
	const char *out;            /* output names, blank-separated, "" none */
};

/* The signature of func, NULL when the table does not know it. */
const struct spy_sig *spy_sig_find(const char *func);

/* The parameter name of an "[in] " / "[out] " line (s at the '['), as
 * the table spells it: "pMechanism->type = X" gives "pMechanism",
 * "pData[ulDataLen] 00.. / 33" gives "pData", "*phSession = 0x1" gives
 * "*phSession". *len = 0 when the line names none. */
const char *spy_param_name(const char *s, size_t n, size_t *len);

/* The position of a name among sig's inputs, -1 when it is none of them. */
int spy_sig_in_index(const struct spy_sig *sig, const char *name, size_t len);
/* How many inputs sig prints. */
int spy_sig_nin(const struct spy_sig *sig);
/* The position of a name among sig's outputs, -1 when it is none of them. */
int spy_sig_out_index(const struct spy_sig *sig, const char *name, size_t len);
/* 1 when some function of the table prints name as an input / output: a
 * name no function prints says nothing about which call it belongs to. */
int spy_known_in(const char *name, size_t len);
int spy_known_out(const char *name, size_t len);

/* The buffer address an "[in]/[out] pX[..] 00007f1af43fea60 / 33" line
 * shows, 0 when none: a thread's buffers lie on its own stack, so an
 * output buffer lies near the input buffers of the same call. */
unsigned long long spy_buffer_addr(const char *s, size_t n);

#endif
