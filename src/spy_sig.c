/* spy_sig.c — the parameters OpenSC's pkcs11-spy prints for each PKCS#11
 * function (read off the spy's output, OpenSC 0.20 to 0.27), so that with
 * several threads writing one log, a line can be given only to a call
 * whose function prints that parameter at that point: "*phSession" is
 * C_OpenSession's, "pSignature" is C_Sign's, C_SignFinal's or
 * C_SignRecover's and never C_SignInit's, and "[in] hKey" comes after
 * "[in] pMechanism". The table is data: one row per function, names as
 * the spy prints them, up to the first '[', '-', ' ', '=' or ':'.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hsmscope/ckconst.h"
#include "hsmscope/util.h"

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

	/* by hand, not strcspn: known() asks this of every list of the table */
	while (*w) {
		const char *e = w;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - w) == len && memcmp(w, name, len) == 0)
			return i;
		w = e;
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

const struct spy_sig *hs_spy_sig_find(const char *func)
{
	size_t i;

	/* the first three bytes before strcmp ("C_" and the next: most
	 * entries differ there; a shorter func stops at its NUL) */
	for (i = 0; i < NSIGS; i++)
		if (sigs[i].func[0] == func[0] && sigs[i].func[1] == func[1] && sigs[i].func[2] == func[2] &&
		    strcmp(sigs[i].func, func) == 0)
			return &sigs[i];
	return NULL;
}

int hs_spy_sig_in_index(const struct spy_sig *sig, const char *name, size_t len)
{
	return word_index(sig->in, name, len);
}

int hs_spy_sig_out_index(const struct spy_sig *sig, const char *name, size_t len)
{
	return word_index(sig->out, name, len);
}

int hs_spy_sig_nin(const struct spy_sig *sig)
{
	return word_count(sig->in);
}

/* 1 when some function of the table has name among its inputs (out 0) or
 * its outputs (out 1) */
static int known(const char *name, size_t len, int out)
{
	size_t i;

	for (i = 0; i < NSIGS; i++)
		if (word_index(out ? sigs[i].out : sigs[i].in, name, len) >= 0)
			return 1;
	return 0;
}

int hs_spy_known_in(const char *name, size_t len) { return known(name, len, 0); }

int hs_spy_known_out(const char *name, size_t len) { return known(name, len, 1); }

const char *hs_spy_param_name(const char *s, size_t n, size_t *len)
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

unsigned long long hs_spy_buffer_addr(const char *s, size_t n)
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

/* ------------------------------------------------------ kinds of line */

/* "N: C_Name", trailing blanks allowed. Names without "C_" are taken only
 * when they are a PKCS#11 function once "C_" is put in front (the spy
 * prints "SetOperationState"), so "1: Setup" in pasted prose is no call.
 * The name is written, normalized, into func. */
int hs_spy_parse_header(const char *s, size_t n, int64_t *num, char *func, size_t funclen)
{
	size_t i = 0, j, nlen;
	const char *name;

	while (i < n && hs_is_digit(s[i]))
		i++;
	if (i == 0 || i > 12 || i + 2 >= n || s[i] != ':' || s[i + 1] != ' ')
		return 0;
	j = i + 2;
	name = s + j;
	while (j < n && (s[j] == '_' || hs_is_digit(s[j]) || (s[j] >= 'A' && s[j] <= 'Z') ||
	                 (s[j] >= 'a' && s[j] <= 'z')))
		j++;
	nlen = (size_t)(s + j - name);
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j != n || nlen < 3 || nlen + 3 > funclen)
		return 0;
	if (name[0] == 'C' && name[1] == '_') {
		memcpy(func, name, nlen);
		func[nlen] = '\0';
	} else {
		if (name[0] < 'A' || name[0] > 'Z')
			return 0;
		func[0] = 'C', func[1] = '_';
		memcpy(func + 2, name, nlen);
		func[nlen + 2] = '\0';
		if (!hs_ck_func_hint(func)[0])
			return 0;
	}
	hs_parse_int(s, num);
	return 1;
}

/* The n digits at s as a number, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!hs_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD HH:MM:SS.mmm" (zero-padded, any fraction up to µs) at s,
 * which is NUL-terminated at or after s[n]; returns µs or HS_NONE. Read
 * by position, not sscanf: this runs for every call (sscanf was 5% of a
 * build). */
int64_t hs_spy_parse_ts(const char *s, size_t n)
{
	int y, mo, d, h, mi, sec, used = 19, k;
	long us = 0;

	if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return HS_NONE;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
		return HS_NONE;
	if ((size_t)used < n && s[used] == '.')
		for (k = 0, used++; k < 6; k++)
			us = us * 10 + ((size_t)used < n && hs_is_digit(s[used]) ? s[used++] - '0' : 0);
	if ((size_t)used != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return HS_NONE;
	return hs_civil_to_us(y, mo, d, h, mi, sec, us);
}

/* "P:<pid>; T:0x<tid> <ts>" — the tid is printed in decimal after "0x" by
 * the spy (and with no "0x" on Windows); digits a-f mean it really is hex. */
int hs_spy_parse_new_ts(const char *s, size_t n, int64_t *pid, int64_t *tid, int64_t *ts)
{
	const char *p = s, *end = s + n, *t;
	uint64_t v = 0;
	int hex = 0;

	if (n < 10 || s[0] != 'P' || s[1] != ':')
		return 0;
	p += 2;
	if (!hs_parse_int(p, pid))
		return 0;
	while (p < end && hs_is_digit(*p))
		p++;
	if (end - p < 6 || memcmp(p, "; T:", 4) != 0)
		return 0;
	p += 4;
	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	for (t = p; t < end && hs_is_hex(*t); t++)
		if (!hs_is_digit(*t))
			hex = 1;
	if (t == p || t - p > 20)
		return 0;
	for (; p < t; p++) /* unsigned: a 64-bit pthread_t may use the top bit */
		v = hex ? v * 16 + (uint64_t)hs_hexval(*p) : v * 10 + (uint64_t)(*p - '0');
	*tid = (int64_t)v;
	if (p >= end || *p != ' ')
		return 0;
	*ts = hs_spy_parse_ts(p + 1, (size_t)(end - p - 1));
	return *ts != HS_NONE;
}


/* The spy's dump lines (pkcs11-display.c). Returns 1 for a print_generic
 * line "    0000001F  AB CD ...  ascii" (*off = its offset, *bytes = the
 * bytes it shows), 2 for a print_print hex line "    62617369 632D7273 61"
 * (*bytes), 3 for a print_print ascii line "     b a s i  c - r s  a"
 * (*bytes; for values over 32 bytes the spy prints no newline before the
 * next chunk's hex, which *glued counts and *off locates), 0 otherwise. */
int hs_spy_dump_kind(const char *s, size_t n, int64_t *off, int *bytes, int *glued)
{
	size_t i;
	int64_t v = 0;
	int k = 0, digits = 0, group = 0;

	*bytes = *glued = 0;
	if (n < 6 || memcmp(s, "    ", 4) != 0)
		return 0;
	if (n >= 14 && s[12] == ' ' && s[13] == ' ') {
		for (i = 4; i < 12 && hs_is_hex(s[i]); i++)
			v = v * 16 + hs_hexval(s[i]);
		if (i == 12) {
			for (i = 14; i + 1 < n && i < 14 + 48; i += 3)
				if (hs_is_hex(s[i]) && hs_is_hex(s[i + 1]))
					k++;
			*off = v;
			*bytes = k;
			return k ? 1 : 0;
		}
	}
	i = 4;
	if (s[4] == ' ') {
		/* ascii: " c" pairs, a blank between groups of four */
		while (i < n && k < 32) {
			if (k && k % 4 == 0 && s[i++] != ' ')
				return 0;
			if (i + 1 >= n || s[i] != ' ' || s[i + 1] <= ' ' || s[i + 1] > '~')
				return 0;
			i += 2;
			k++;
		}
		*bytes = k;
		if (i == n)
			return 3;
		if (k < 32)
			return 0;
	}
	/* hex: groups of up to 8 digits, one blank between groups */
	for (; i < n; i++) {
		if (hs_is_hex(s[i])) {
			if (++group > 8)
				return 0;
			digits++;
		} else if (s[i] == ' ' && group && i + 1 < n && hs_is_hex(s[i + 1])) {
			group = 0;
		} else {
			return 0;
		}
	}
	if (!digits || digits % 2)
		return 0;
	if (s[4] == ' ') {
		*glued = digits / 2;
		*off = (int64_t)(n - (size_t)digits - (size_t)(digits - 1) / 8);
		return 3;
	}
	*bytes = digits / 2;
	return 2;
}

/* The line announces a dump: "... <addr> / <len>" with len > 0. */
int64_t hs_spy_opens_dump(const char *s, size_t n)
{
	size_t i;
	int64_t len = 0;

	for (i = n; i > 2; i--)
		if (s[i - 1] == '/' && s[i - 2] == ' ')
			break;
	if (i <= 2 || i + 1 >= n || s[i] != ' ' || s[i + 1] < '1' || s[i + 1] > '9')
		return 0;
	for (i += 1; i < n && hs_is_digit(s[i]) && len < ((int64_t)1 << 40); i++)
		len = len * 10 + (s[i] - '0');
	return i == n ? len : 0;
}


/* Lines the spy never writes but users paste in: an elision (". . ."), a
 * shell prompt ("$ pkcs11-tool ...", "user@host:~$ ...", "# ..."), a tool's
 * diagnostic ("warning: ...", "error: ..."), a rule of dashes or equals. */
const char *hs_spy_foreign_line(const char *s, size_t n)
{
	size_t i, dots = 0;
	int64_t off;
	int b, g;

	for (i = 0; i < n && (s[i] == '.' || s[i] == ' ' || s[i] == '\t'); i++)
		dots += s[i] == '.';
	if (i == n && dots >= 3 && hs_spy_dump_kind(s, n, &off, &b, &g) != 3) /* not " . . . ." */
		return "elision";
	for (i = 0; i < n && i < 64 && s[i] != ' '; i++)
		;
	if (i > 0 && i < n && (s[i - 1] == '$' || s[i - 1] == '#' || s[i - 1] == '%'))
		return "shell prompt";
	/* (s[0] | 0x20) is 'w' or 'e' exactly for the bytes strncasecmp takes for them */
	if ((n > 8 && (s[0] | 0x20) == 'w' && strncasecmp(s, "warning:", 8) == 0) ||
	    (n > 6 && (s[0] | 0x20) == 'e' && strncasecmp(s, "error:", 6) == 0))
		return "tool message";
	for (i = 0; i < n && (s[i] == '-' || s[i] == '='); i++)
		;
	if (i == n && n >= 3)
		return "ruler";
	return NULL;
}


/* "00007f1af33fcaa0 / 256", "NULL [size : 0x0 (0)]", "EMPTY": the second
 * half of a buffer parameter's line. */
int hs_spy_is_spec(const char *s, size_t n)
{
	size_t i = 0;

	/* "NULL [size : ..]" whole: another thread's line may follow its ']'
	 * before the newline ("..(0)]Returned:  0 CKR_OK"), and is not part of it */
	if (n >= 10 && memcmp(s, "NULL [size", 10) == 0)
		return memchr(s, ']', n) == s + n - 1;
	if (n == 5 && memcmp(s, "EMPTY", 5) == 0)
		return 1;
	while (i < n && hs_is_hex(s[i]))
		i++;
	if (i < 8 || i > 16 || i + 4 > n || memcmp(s + i, " / ", 3) != 0)
		return 0;
	for (i += 3; i < n && hs_is_digit(s[i]); i++)
		;
	return i == n;
}
