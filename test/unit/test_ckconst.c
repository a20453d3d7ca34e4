/* test_ckconst.c — the constant tables: known values both ways, aliases,
 * CloudHSM opcodes from the samples, hints, and the ordering invariant the
 * binary searches in ckconst.c rely on. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "hsmscope/ckconst.h"

static int name_is(enum hs_ck_kind kind, uint64_t value, const char *want)
{
	const char *got = hs_ck_name(kind, value);

	return got && strcmp(got, want) == 0;
}

static int looks_up(const char *name, uint64_t want, enum hs_ck_kind want_kind)
{
	uint64_t v = 0xdeadbeef;
	enum hs_ck_kind k = HS_CK_KIND_COUNT;

	return hs_ck_lookup(name, &v, &k) && v == want && k == want_kind;
}

/* Both directions: the primary name maps to value and back. */
static void check_pair(enum hs_ck_kind kind, const char *name, uint64_t value)
{
	CHECK(name_is(kind, value, name));
	CHECK(looks_up(name, value, kind));
}

static void test_pkcs11_values(void)
{
	check_pair(HS_CK_RV, "CKR_OK", 0x0);
	check_pair(HS_CK_RV, "CKR_PIN_INCORRECT", 0xA0);
	check_pair(HS_CK_RV, "CKR_MECHANISM_INVALID", 0x70);
	check_pair(HS_CK_RV, "CKR_USER_NOT_LOGGED_IN", 0x101);
	check_pair(HS_CK_RV, "CKR_VENDOR_DEFINED", 0x80000000);
	check_pair(HS_CK_MECH, "CKM_RSA_PKCS", 0x1);
	check_pair(HS_CK_MECH, "CKM_SHA256_RSA_PKCS", 0x40);
	check_pair(HS_CK_MECH, "CKM_ECDSA", 0x1041);
	check_pair(HS_CK_MECH, "CKM_EDDSA", 0x1057);
	check_pair(HS_CK_MECH, "CKM_AES_GCM", 0x1087);
	check_pair(HS_CK_MECH, "CKM_VENDOR_DEFINED", 0x80000000);
	check_pair(HS_CK_ATTR, "CKA_UNIQUE_ID", 0x4);
	check_pair(HS_CK_ATTR, "CKA_VALUE", 0x11);
	check_pair(HS_CK_ATTR, "CKA_PRIVATE_EXPONENT", 0x123);
	check_pair(HS_CK_ATTR, "CKA_PRIME_1", 0x124);
	check_pair(HS_CK_ATTR, "CKA_PRIME_2", 0x125);
	check_pair(HS_CK_ATTR, "CKA_EXPONENT_1", 0x126);
	check_pair(HS_CK_ATTR, "CKA_EXPONENT_2", 0x127);
	check_pair(HS_CK_ATTR, "CKA_COEFFICIENT", 0x128);
	check_pair(HS_CK_ATTR, "CKA_WRAP_TEMPLATE", 0x40000211);
	check_pair(HS_CK_CLASS, "CKO_PRIVATE_KEY", 0x3);
	check_pair(HS_CK_KEYTYPE, "CKK_AES", 0x1F);
	check_pair(HS_CK_USER, "CKU_SO", 0);
	check_pair(HS_CK_USER, "CKU_USER", 1);
	check_pair(HS_CK_USER, "CKU_CONTEXT_SPECIFIC", 2);
}

static void test_aliases(void)
{
	/* The deprecated spelling is accepted; the name shown is the new one. */
	CHECK(looks_up("CKM_ECDSA_KEY_PAIR_GEN", 0x1040, HS_CK_MECH));
	CHECK(name_is(HS_CK_MECH, 0x1040, "CKM_EC_KEY_PAIR_GEN"));
	CHECK(looks_up("CKK_ECDSA", 0x3, HS_CK_KEYTYPE));
	CHECK(name_is(HS_CK_KEYTYPE, 0x3, "CKK_EC"));
	CHECK(looks_up("CKA_ECDSA_PARAMS", 0x180, HS_CK_ATTR));
	CHECK(name_is(HS_CK_ATTR, 0x180, "CKA_EC_PARAMS"));
	CHECK(looks_up("CKM_CAST5_CBC", 0x322, HS_CK_MECH));
	CHECK(name_is(HS_CK_MECH, 0x322, "CKM_CAST128_CBC"));
}

static void test_unknown(void)
{
	uint64_t v = 7;
	enum hs_ck_kind k = HS_CK_RV;

	CHECK(hs_ck_name(HS_CK_RV, 0x4) == NULL);
	CHECK(hs_ck_name(HS_CK_MECH, 0x7FFFFFFF) == NULL);
	CHECK(hs_ck_name(HS_CK_ATTR, 0x80000001) == NULL);
	CHECK(hs_ck_name(HS_CK_USER, 3) == NULL);
	CHECK(hs_ck_name(HS_CK_RV, UINT64_C(0x1000000A0)) == NULL);
	CHECK(hs_ck_name(HS_CK_KIND_COUNT, 0) == NULL);
	CHECK(hs_ck_name((enum hs_ck_kind)-1, 0) == NULL);
	CHECK(hs_ck_lookup("CKR_NO_SUCH_THING", &v, &k) == 0);
	CHECK(v == 7 && k == HS_CK_RV);
	CHECK(hs_ck_lookup("", &v, NULL) == 0);
	CHECK(hs_ck_lookup(NULL, &v, NULL) == 0);
	CHECK(hs_ck_lookup("ckr_ok", &v, NULL) == 0);
	{ /* flags by name, the bits no name covers as one number */
		char f[96];
		CHECK(strcmp(hs_ck_flags(HS_CK_SESSFLAG, 6, f, sizeof f), "CKF_RW_SESSION | CKF_SERIAL_SESSION") == 0);
		CHECK(strcmp(hs_ck_flags(HS_CK_SESSFLAG, 0x14, f, sizeof f), "CKF_SERIAL_SESSION | 0x10") == 0);
		CHECK(strcmp(hs_ck_flags(HS_CK_SESSFLAG, 0, f, sizeof f), "") == 0);
		CHECK(strcmp(hs_ck_flags(HS_CK_SESSFLAG, 6, f, 8), "CKF_RW_") == 0 || strlen(f) < 8);
		CHECK(strcmp(hs_ck_name(HS_CK_CERTTYPE, 0), "CKC_X_509") == 0);
		CHECK(strcmp(hs_ck_name(HS_CN_USERTYPE, 1), "CN_CRYPTO_USER") == 0);
	}
	CHECK(hs_ck_lookup("CKR_OK ", &v, NULL) == 0);
	/* Lookup needs only the value pointer. */
	CHECK(hs_ck_lookup("CKU_USER", &v, NULL) == 1 && v == 1);
}

static void test_cloudhsm(void)
{
	/* As printed in /work/shared/samples/cloudhsm and the AWS examples. */
	check_pair(HS_CN_OPCODE, "CN_INIT_TOKEN", 0x1);
	check_pair(HS_CN_OPCODE, "CN_LOGIN", 0xd);
	check_pair(HS_CN_OPCODE, "CN_LOGOUT", 0xe);
	check_pair(HS_CN_OPCODE, "CN_CHANGE_PSWD", 0x9);
	check_pair(HS_CN_OPCODE, "CN_DESTROY_OBJECT", 0x11);
	check_pair(HS_CN_OPCODE, "CN_GENERATE_KEY", 0x17);
	check_pair(HS_CN_OPCODE, "CN_GENERATE_KEY_PAIR", 0x19);
	check_pair(HS_CN_OPCODE, "CN_WRAP_KEY", 0x1a);
	check_pair(HS_CN_OPCODE, "CN_UNWRAP_KEY", 0x1b);
	check_pair(HS_CN_OPCODE, "CN_NIST_AES_WRAP", 0x1e);
	check_pair(HS_CN_OPCODE, "CN_DELETE_USER", 0xa1);
	check_pair(HS_CN_OPCODE, "CN_EXTRACT_MASKED_OBJECT_USER", 0xf0);
	check_pair(HS_CN_OPCODE, "CN_INSERT_MASKED_OBJECT_USER", 0xf1);
	check_pair(HS_CN_OPCODE, "CN_CREATE_APPLIANCE_USER", 0xfc);
	check_pair(HS_CN_CMDTYPE, "CN_MGMT_CMD", 0x0);
	check_pair(HS_CN_CMDTYPE, "CN_CERT_AUTH_CMD", 0x9);
	/* Same prefix, same number, different kinds. */
	CHECK(name_is(HS_CN_OPCODE, 0x9, "CN_CHANGE_PSWD"));
	CHECK(name_is(HS_CN_CMDTYPE, 0x9, "CN_CERT_AUTH_CMD"));
	/* Documented without a number: hinted, never given a guessed one. */
	CHECK(hs_ck_lookup("CN_APP_FINALIZE", NULL, NULL) == 0);
	CHECK(hs_ck_func_hint("CN_APP_FINALIZE")[0] != '\0');
	CHECK(hs_ck_name(HS_CN_OPCODE, 0x2) == NULL);
}

static const char *const functions[] = {
	"C_Initialize", "C_Finalize", "C_GetInfo", "C_GetFunctionList",
	"C_GetSlotList", "C_GetSlotInfo", "C_GetTokenInfo", "C_GetMechanismList",
	"C_GetMechanismInfo", "C_InitToken", "C_InitPIN", "C_SetPIN",
	"C_OpenSession", "C_CloseSession", "C_CloseAllSessions", "C_GetSessionInfo",
	"C_GetOperationState", "C_SetOperationState", "C_Login", "C_Logout",
	"C_CreateObject", "C_CopyObject", "C_DestroyObject", "C_GetObjectSize",
	"C_GetAttributeValue", "C_SetAttributeValue", "C_FindObjectsInit", "C_FindObjects",
	"C_FindObjectsFinal", "C_EncryptInit", "C_Encrypt", "C_EncryptUpdate",
	"C_EncryptFinal", "C_DecryptInit", "C_Decrypt", "C_DecryptUpdate",
	"C_DecryptFinal", "C_DigestInit", "C_Digest", "C_DigestUpdate",
	"C_DigestKey", "C_DigestFinal", "C_SignInit", "C_Sign",
	"C_SignUpdate", "C_SignFinal", "C_SignRecoverInit", "C_SignRecover",
	"C_VerifyInit", "C_Verify", "C_VerifyUpdate", "C_VerifyFinal",
	"C_VerifyRecoverInit", "C_VerifyRecover", "C_DigestEncryptUpdate", "C_DecryptDigestUpdate",
	"C_SignEncryptUpdate", "C_DecryptVerifyUpdate", "C_GenerateKey", "C_GenerateKeyPair",
	"C_WrapKey", "C_UnwrapKey", "C_DeriveKey", "C_SeedRandom",
	"C_GenerateRandom", "C_GetFunctionStatus", "C_CancelFunction", "C_WaitForSlotEvent",
	"C_GetInterfaceList", "C_GetInterface", "C_LoginUser", "C_SessionCancel",
	"C_MessageEncryptInit", "C_EncryptMessage", "C_EncryptMessageBegin", "C_EncryptMessageNext",
	"C_MessageEncryptFinal", "C_MessageDecryptInit", "C_DecryptMessage", "C_DecryptMessageBegin",
	"C_DecryptMessageNext", "C_MessageDecryptFinal", "C_MessageSignInit", "C_SignMessage",
	"C_SignMessageBegin", "C_SignMessageNext", "C_MessageSignFinal", "C_MessageVerifyInit",
	"C_VerifyMessage", "C_VerifyMessageBegin", "C_VerifyMessageNext", "C_MessageVerifyFinal",
	"CN_LOGIN", "CN_LOGOUT", "CN_APP_FINALIZE",
	"CN_CLOSE_SESSION", "CN_CREATE_USER", "CN_CREATE_CO",
	"CN_CREATE_APPLIANCE_USER", "CN_DELETE_USER", "CN_CHANGE_PSWD",
	"CN_SET_M_VALUE", "CN_APPROVE_TOKEN", "CN_DELETE_TOKEN",
	"CN_GET_TOKEN", "CN_GENERATE_KEY", "CN_GENERATE_KEY_PAIR",
	"CN_CREATE_OBJECT", "CN_MODIFY_OBJECT", "CN_DESTROY_OBJECT",
	"CN_TOMBSTONE_OBJECT", "CN_SHARE_OBJECT", "CN_WRAP_KEY",
	"CN_UNWRAP_KEY", "CN_DERIVE_KEY", "CN_NIST_AES_WRAP",
	"CN_INSERT_MASKED_OBJECT_USER", "CN_EXTRACT_MASKED_OBJECT_USER", "CN_BACKUP_BEGIN",
	"CN_BACKUP_END", "CN_RESTORE_BEGIN", "CN_RESTORE_END",
	"CN_CERT_AUTH_STORE_CERT", "CN_INIT_TOKEN", "CN_INIT_DONE",
	"CN_GEN_KEY_ENC_KEY", "CN_GEN_PSWD_ENC_KEY", "CN_FIPS_RAND",
};

static void test_hints(void)
{
	size_t i, n;
	const char *h;

	/* Every function and opcode has a short line; since the hint table is
	 * binary-searched, this also proves it is sorted. */
	for (i = 0; i < sizeof functions / sizeof functions[0]; i++) {
		h = hs_ck_func_hint(functions[i]);
		n = strlen(h);
		CHECK(n > 0);
		CHECK(n <= 70);
		CHECK(n == 0 || h[n - 1] != '.');
		if (n == 0 || n > 70)
			fprintf(stderr, "  hint for %s: \"%s\"\n", functions[i], h);
	}
	CHECK(hs_ck_func_hint("C_Login")[0] != '\0');
	CHECK(hs_ck_func_hint("C_Sign")[0] != '\0');
	CHECK(hs_ck_func_hint("CN_LOGIN")[0] != '\0');
	CHECK(strcmp(hs_ck_func_hint("C_Sign"), hs_ck_func_hint("C_SignInit")) != 0);
	/* pkcs11-spy prints this one without its C_. */
	CHECK(strcmp(hs_ck_func_hint("SetOperationState"),
	             hs_ck_func_hint("C_SetOperationState")) == 0);
	CHECK(strcmp(hs_ck_func_hint("C_NoSuchFunction"), "") == 0);
	CHECK(strcmp(hs_ck_func_hint("NoSuchFunction"), "") == 0);
	CHECK(strcmp(hs_ck_func_hint("CN_NO_SUCH_OPCODE"), "") == 0);
	CHECK(strcmp(hs_ck_func_hint(""), "") == 0);
	CHECK(strcmp(hs_ck_func_hint(NULL), "") == 0);
	CHECK(strcmp(hs_ck_func_hint("c_login"), "") == 0);
}

static const char *const prefixes[HS_CK_KIND_COUNT] = {
	[HS_CK_RV] = "CKR_", [HS_CK_MECH] = "CKM_", [HS_CK_ATTR] = "CKA_",
	[HS_CK_CLASS] = "CKO_", [HS_CK_KEYTYPE] = "CKK_", [HS_CK_USER] = "CKU_",
	[HS_CN_OPCODE] = "CN_", [HS_CN_CMDTYPE] = "CN_",
	[HS_CK_CERTTYPE] = "CKC_", [HS_CK_SESSFLAG] = "CKF_", [HS_CN_USERTYPE] = "CN_",
};

/* hs_ck_nth yields the primaries in strictly ascending value order (what
 * hs_ck_name's binary search needs), then the aliases. A primary is a name
 * hs_ck_name gives back for its own value, so an entry out of order would
 * be missed by the search and show up here as a misplaced "alias". */
static void test_invariants(void)
{
	static const int min_primaries[HS_CK_KIND_COUNT] = {
		[HS_CK_RV] = 99, [HS_CK_MECH] = 427, [HS_CK_ATTR] = 131,
		[HS_CK_CLASS] = 11, [HS_CK_KEYTYPE] = 62, [HS_CK_USER] = 3,
		[HS_CN_OPCODE] = 19, [HS_CN_CMDTYPE] = 2,
		[HS_CK_CERTTYPE] = 3, [HS_CK_SESSFLAG] = 3, [HS_CN_USERTYPE] = 2,
	};
	int kind, i, primaries, aliases, bad_order, bad_round, bad_prefix;
	uint64_t v, prev;
	const char *name, *shown;

	for (kind = 0; kind < HS_CK_KIND_COUNT; kind++) {
		primaries = aliases = bad_order = bad_round = bad_prefix = 0;
		prev = 0;
		for (i = 0; (name = hs_ck_nth((enum hs_ck_kind)kind, i, &v)); i++) {
			shown = hs_ck_name((enum hs_ck_kind)kind, v);
			if (strncmp(name, prefixes[kind], strlen(prefixes[kind])) != 0)
				bad_prefix++;
			if (!looks_up(name, v, (enum hs_ck_kind)kind))
				bad_round++;
			if (shown && strcmp(shown, name) == 0) {
				if (aliases || (primaries && v <= prev))
					bad_order++;
				prev = v;
				primaries++;
			} else {
				/* An alias must name a value that has a primary. */
				if (!shown)
					bad_order++;
				aliases++;
			}
		}
		CHECK(bad_order == 0);
		CHECK(bad_round == 0);
		CHECK(bad_prefix == 0);
		CHECK(primaries >= min_primaries[kind]);
		if (bad_order || bad_round || bad_prefix)
			fprintf(stderr, "  kind %d: order %d, round trip %d, prefix %d\n",
			        kind, bad_order, bad_round, bad_prefix);
		CHECK(hs_ck_nth((enum hs_ck_kind)kind, -1, &v) == NULL);
	}
	CHECK(hs_ck_nth(HS_CK_KIND_COUNT, 0, &v) == NULL);
	CHECK(hs_ck_nth(HS_CK_USER, 3, &v) == NULL);
	CHECK(hs_ck_nth(HS_CK_USER, 0, NULL) != NULL);
}

int main(void)
{
	test_pkcs11_values();
	test_aliases();
	test_unknown();
	test_cloudhsm();
	test_hints();
	test_invariants();
	TEST_END();
}
