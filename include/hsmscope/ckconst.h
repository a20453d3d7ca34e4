/* ckconst.h — names and numbers of PKCS#11 and CloudHSM constants.
 *
 * Ownership: every string returned points into static tables; never free it.
 */
#ifndef HSMSCOPE_CKCONST_H
#define HSMSCOPE_CKCONST_H

#include <stddef.h>
#include <stdint.h>

enum hs_ck_kind {
	HS_CK_RV,                   /* CKR_* return values */
	HS_CK_MECH,                 /* CKM_* mechanisms */
	HS_CK_ATTR,                 /* CKA_* attribute types */
	HS_CK_CLASS,                /* CKO_* object classes */
	HS_CK_KEYTYPE,              /* CKK_* key types */
	HS_CK_USER,                 /* CKU_* user types */
	HS_CN_OPCODE,               /* CloudHSM CN_* opcodes */
	HS_CN_CMDTYPE,              /* CloudHSM command types (CN_MGMT_CMD, ...) */
	HS_CK_CERTTYPE,             /* CKC_* certificate types */
	HS_CK_SESSFLAG,             /* CKF_* flags of C_OpenSession (one bit each) */
	HS_CN_USERTYPE,             /* CloudHSM user types (CN_CRYPTO_USER, ...) */
	HS_CK_KIND_COUNT
};

/* The name of value in kind, or NULL when unknown. */
const char *hs_ck_name(enum hs_ck_kind kind, uint64_t value);

/* The names of the bits of value that kind (a table of one-bit values:
 * HS_CK_SESSFLAG) names, joined by " | " into out; bits it does not name
 * as one "0x.." at the end. "" for 0. Returns out. */
char *hs_ck_flags(enum hs_ck_kind kind, uint64_t value, char *out, size_t outlen);

/* Look a symbolic name up in every kind (exact, case-sensitive). Returns 1
 * and fills value (and kind if not NULL) when found, else 0. */
int hs_ck_lookup(const char *name, uint64_t *value, enum hs_ck_kind *kind);

/* One line saying what a PKCS#11 function or CloudHSM opcode does, for the
 * event's hint; "" when unknown. */
const char *hs_ck_func_hint(const char *func);

/* The i-th known PKCS#11 function or CloudHSM opcode name (0-based), NULL
 * past the end: for "did you mean" on a function name. */
const char *hs_ck_nth_func(int i);

/* Iterate a kind's table, for completion and "did you mean": returns the
 * i-th name of kind (0-based) or NULL past the end. */
const char *hs_ck_nth(enum hs_ck_kind kind, int i, uint64_t *value);

#endif
