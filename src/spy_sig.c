/* spy_sig.c — the parameters OpenSC's pkcs11-spy prints for each PKCS#11
 * function (read off the spy's output, OpenSC 0.20 to 0.27), so that with
 * several threads writing one log, a line can be given only to a call
 * whose function prints that parameter at that point: "*phSession" is
 * C_OpenSession's, "pSignature" is C_Sign's, C_SignFinal's or
 * C_SignRecover's and never C_SignInit's, and "[in] hKey" comes after
 * "[in] pMechanism". The table is data: one row per function, names as
 * the spy prints them, up to the first '[', '-', ' ', '=' or ':'.
 */
#include <string.h>

#include "spy_int.h"

static const struct spy_sig sigs[] = {
	{ "C_Initialize", "pInitArgs", "" },
	{ "C_Finalize", "", "" },
	{ "C_GetInfo", "", "pInfo" },
	{ "C_GetFunctionList", "", "" },
	{ "C_GetSlotList", "tokenPresent", "pSlotList *pulCount" },
	{ "C_GetSlotInfo", "slotID", "pInfo" },
	{ "C_GetTokenInfo", "slotID", "pInfo" },
	{ "C_GetMechanismList", "slotID", "pMechanismList *pulCount" },
	{ "C_GetMechanismInfo", "slotID type", "pInfo" },
	{ "C_InitToken", "slotID pPin pLabel", "" },
	{ "C_InitPIN", "hSession pPin", "" },
	{ "C_SetPIN", "hSession pOldPin pNewPin", "" },
	{ "C_OpenSession", "slotID flags pApplication Notify", "*phSession phSession" },
	{ "C_CloseSession", "hSession", "" },
	{ "C_CloseAllSessions", "slotID", "" },
	{ "C_GetSessionInfo", "hSession", "pInfo" },
	{ "C_GetOperationState", "hSession", "pOperationState pulOperationStateLen" },
	{ "C_SetOperationState", "hSession pOperationState hEncryptionKey hAuthenticationKey", "" },
	{ "C_Login", "hSession userType pPin", "" },
	{ "C_LoginUser", "hSession userType pPin pUsername", "" },
	{ "C_Logout", "hSession", "" },
	{ "C_CreateObject", "hSession pTemplate", "*phObject" },
	{ "C_CopyObject", "hSession hObject pTemplate", "*phNewObject" },
	{ "C_DestroyObject", "hSession hObject", "" },
	{ "C_GetObjectSize", "hSession hObject", "*pulSize" },
	{ "C_GetAttributeValue", "hSession hObject pTemplate", "pTemplate" },
	{ "C_SetAttributeValue", "hSession hObject pTemplate", "" },
	{ "C_FindObjectsInit", "hSession pTemplate", "" },
	{ "C_FindObjects", "hSession ulMaxObjectCount", "ulObjectCount" },
	{ "C_FindObjectsFinal", "hSession", "" },
	{ "C_EncryptInit", "hSession pMechanism hKey", "" },
	{ "C_Encrypt", "hSession pData", "pEncryptedData pulEncryptedDataLen" },
	{ "C_EncryptUpdate", "hSession pPart", "pEncryptedPart pulEncryptedPartLen" },
	{ "C_EncryptFinal", "hSession", "pLastEncryptedPart pulLastEncryptedPartLen" },
	{ "C_DecryptInit", "hSession pMechanism hKey", "" },
	{ "C_Decrypt", "hSession pEncryptedData", "pData pulDataLen" },
	{ "C_DecryptUpdate", "hSession pEncryptedPart", "pPart pulPartLen" },
	{ "C_DecryptFinal", "hSession", "pLastPart pulLastPartLen" },
	{ "C_DigestInit", "hSession pMechanism", "" },
	{ "C_Digest", "hSession pData", "pDigest pulDigestLen" },
	{ "C_DigestUpdate", "hSession pPart", "" },
	{ "C_DigestKey", "hSession hKey", "" },
	{ "C_DigestFinal", "hSession", "pDigest pulDigestLen" },
	{ "C_SignInit", "hSession pMechanism hKey", "" },
	{ "C_Sign", "hSession pData", "pSignature pulSignatureLen" },
	{ "C_SignUpdate", "hSession pPart", "" },
	{ "C_SignFinal", "hSession", "pSignature pulSignatureLen" },
	{ "C_SignRecoverInit", "hSession pMechanism hKey", "" },
	{ "C_SignRecover", "hSession pData", "pSignature pulSignatureLen" },
	{ "C_VerifyInit", "hSession pMechanism hKey", "" },
	{ "C_Verify", "hSession pData pSignature", "" },
	{ "C_VerifyUpdate", "hSession pPart", "" },
	{ "C_VerifyFinal", "hSession pSignature", "" },
	{ "C_VerifyRecoverInit", "hSession pMechanism hKey", "" },
	{ "C_VerifyRecover", "hSession pSignature", "pData pulDataLen" },
	{ "C_DigestEncryptUpdate", "hSession pPart", "pEncryptedPart pulEncryptedPartLen" },
	{ "C_DecryptDigestUpdate", "hSession pEncryptedPart", "pPart pulPartLen" },
	{ "C_SignEncryptUpdate", "hSession pPart", "pEncryptedPart pulEncryptedPartLen" },
	{ "C_DecryptVerifyUpdate", "hSession pEncryptedPart", "pPart pulPartLen" },
	{ "C_GenerateKey", "hSession pMechanism pTemplate", "hKey" },
	{ "C_GenerateKeyPair", "hSession pMechanism pPublicKeyTemplate pPrivateKeyTemplate",
	  "hPublicKey hPrivateKey" },
	{ "C_WrapKey", "hSession pMechanism hWrappingKey hKey", "pWrappedKey pulWrappedKeyLen" },
	{ "C_UnwrapKey", "hSession pMechanism hUnwrappingKey pWrappedKey pTemplate", "hKey" },
	{ "C_DeriveKey", "hSession pMechanism hBaseKey pTemplate", "hKey" },
	{ "C_SeedRandom", "hSession pSeed", "" },
	{ "C_GenerateRandom", "hSession", "RandomData" },
	{ "C_GetFunctionStatus", "hSession", "" },
	{ "C_CancelFunction", "hSession", "" },
};

#define NSIGS (sizeof sigs / sizeof sigs[0])

/* The blank-separated word of list equal to name[0..len), its index, -1. */
static int word_index(const char *list, const char *name, size_t len)
{
	const char *w = list;
	int i = 0;

	while (*w) {
		size_t k = strcspn(w, " ");
		if (k == len && memcmp(w, name, len) == 0)
			return i;
		w += k;
		while (*w == ' ')
			w++;
		i++;
	}
	return -1;
}

static int word_count(const char *list)
{
	int n = 0;

	for (; *list; n++) {
		list += strcspn(list, " ");
		while (*list == ' ')
			list++;
	}
	return n;
}

const struct spy_sig *spy_sig_find(const char *func)
{
	size_t i;

	for (i = 0; i < NSIGS; i++)
		if (strcmp(sigs[i].func, func) == 0)
			return &sigs[i];
	return NULL;
}

int spy_sig_in_index(const struct spy_sig *sig, const char *name, size_t len)
{
	return word_index(sig->in, name, len);
}

int spy_sig_out_index(const struct spy_sig *sig, const char *name, size_t len)
{
	return word_index(sig->out, name, len);
}

int spy_sig_nin(const struct spy_sig *sig)
{
	return word_count(sig->in);
}

int spy_known_in(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NSIGS; i++)
		if (word_index(sigs[i].in, name, len) >= 0)
			return 1;
	return 0;
}

int spy_known_out(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NSIGS; i++)
		if (word_index(sigs[i].out, name, len) >= 0)
			return 1;
	return 0;
}

const char *spy_param_name(const char *s, size_t n, size_t *len)
{
	size_t i = 0, j;

	*len = 0;
	if (n > 5 && memcmp(s, "[in] ", 5) == 0)
		i = 5;
	else if (n > 6 && memcmp(s, "[out] ", 6) == 0)
		i = 6;
	else
		return s;
	for (j = i; j < n && !strchr("[- =:", s[j]); j++)
		;
	*len = j - i;
	return s + i;
}

unsigned long long spy_buffer_addr(const char *s, size_t n)
{
	size_t i, j;
	unsigned long long v = 0;

	/* "... <16 hex digits> / <len>": the address is the word before " / " */
	for (i = n; i > 3; i--)
		if (s[i - 1] == ' ' && s[i - 2] == '/' && s[i - 3] == ' ')
			break;
	if (i <= 3)
		return 0;
	j = i - 3;
	for (i = j; i > 0 && s[i - 1] != ' '; i--)
		;
	if (j - i < 8 || j - i > 16)
		return 0;
	for (; i < j; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		        c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		v = v * 16 + (unsigned long long)d;
	}
	return v;
}
