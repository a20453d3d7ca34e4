/* ckhint.c — a one-line hint for each PKCS#11 function and each CloudHSM
 * audit opcode (the detail pane's header, the statistics, `--list`): the
 * half of ckconst.h that names what a call does rather than a constant.
 * One table sorted by name (strcmp order), searched by bisection.
 *
 * Everything here is const and allocation-free.
 */
#include "hsmscope/ckconst.h"

#include <stddef.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct hint_entry {
	const char *func;
	const char *hint;                /* at most 70 characters, no final period */
};

/* PKCS#11 3.0 functions (pkcs11f.h) and every opcode the CloudHSM audit log
 * reference lists, numbered or not. Sorted by strcmp for bsearch-style
 * lookup: "CN_" sorts before "C_" because 'N' < '_'. */
static const struct hint_entry hints[] = {
	{ "CN_APPROVE_TOKEN", "Approves a quorum token for a user action" },
	{ "CN_APP_FINALIZE", "The connection to the HSM closed; its session keys were deleted" },
	{ "CN_BACKUP_BEGIN", "The HSM starts a backup" },
	{ "CN_BACKUP_END", "The HSM finishes a backup" },
	{ "CN_CERT_AUTH_STORE_CERT", "Stores the cluster certificate" },
	{ "CN_CHANGE_PSWD", "A user's password is changed" },
	{ "CN_CLOSE_SESSION", "A session on the HSM closed; its session keys were deleted" },
	{ "CN_CREATE_APPLIANCE_USER", "The HSM creates the appliance user (AU) of the CloudHSM service" },
	{ "CN_CREATE_CO", "A crypto officer creates another crypto officer (CO)" },
	{ "CN_CREATE_OBJECT", "Imports a public key without wrapping" },
	{ "CN_CREATE_USER", "A crypto officer creates a crypto user (CU)" },
	{ "CN_DELETE_TOKEN", "Deletes one or more quorum tokens" },
	{ "CN_DELETE_USER", "A crypto officer deletes an HSM user" },
	{ "CN_DERIVE_KEY", "Derives a symmetric key from an existing key" },
	{ "CN_DESTROY_OBJECT", "Deletes a session key" },
	{ "CN_EXTRACT_MASKED_OBJECT_USER", "Sends a key, masked, to another HSM in the cluster (key sync)" },
	{ "CN_FIPS_RAND", "Generates a FIPS-compliant random number" },
	{ "CN_GENERATE_KEY", "Generates a symmetric key on the HSM" },
	{ "CN_GENERATE_KEY_PAIR", "Generates an asymmetric key pair on the HSM" },
	{ "CN_GEN_KEY_ENC_KEY", "The HSM generates its key encryption key (KEK)" },
	{ "CN_GEN_PSWD_ENC_KEY", "The HSM generates its password encryption key (PEK)" },
	{ "CN_GET_TOKEN", "Requests a signing token to start a quorum operation" },
	{ "CN_INIT_DONE", "The HSM finishes its initialization" },
	{ "CN_INIT_TOKEN", "The HSM starts its initialization" },
	{ "CN_INSERT_MASKED_OBJECT_USER", "Receives a masked key from another HSM in the cluster (key sync)" },
	{ "CN_LOGIN", "A crypto user or officer logs in to the HSM" },
	{ "CN_LOGOUT", "A crypto user or officer logs out of the HSM" },
	{ "CN_MODIFY_OBJECT", "Sets an attribute of a key" },
	{ "CN_NIST_AES_WRAP", "Encrypts or decrypts a key with an AES wrapping key" },
	{ "CN_RESTORE_BEGIN", "The HSM starts restoring from a backup" },
	{ "CN_RESTORE_END", "The HSM finishes restoring from a backup" },
	{ "CN_SET_M_VALUE", "Sets the quorum (M of N) that a user action needs" },
	{ "CN_SHARE_OBJECT", "Shares a key with other crypto users, or unshares it" },
	{ "CN_TOMBSTONE_OBJECT", "Deletes a token key" },
	{ "CN_UNWRAP_KEY", "Imports an encrypted (wrapped) copy of a key" },
	{ "CN_WRAP_KEY", "Exports an encrypted (wrapped) copy of a key" },
	{ "C_CancelFunction", "Legacy call; always returns CKR_FUNCTION_NOT_PARALLEL" },
	{ "C_CloseAllSessions", "Closes every session the application has with a token" },
	{ "C_CloseSession", "Closes a session and destroys its session objects" },
	{ "C_CopyObject", "Copies an object, optionally changing some of its attributes" },
	{ "C_CreateObject", "Creates an object, such as an imported key, from a template" },
	{ "C_Decrypt", "Decrypts single-part data" },
	{ "C_DecryptDigestUpdate", "Decrypts and digests the next part of data in one call" },
	{ "C_DecryptFinal", "Finishes a multi-part decryption" },
	{ "C_DecryptInit", "Starts a decryption with a mechanism and key" },
	{ "C_DecryptMessage", "Decrypts one whole message in message-based decryption" },
	{ "C_DecryptMessageBegin", "Starts decrypting one message in parts" },
	{ "C_DecryptMessageNext", "Decrypts the next part of a message" },
	{ "C_DecryptUpdate", "Decrypts the next part of multi-part data" },
	{ "C_DecryptVerifyUpdate", "Decrypts and verifies the next part of data in one call" },
	{ "C_DeriveKey", "Derives a new key from a base key" },
	{ "C_DestroyObject", "Destroys an object" },
	{ "C_Digest", "Digests single-part data" },
	{ "C_DigestEncryptUpdate", "Digests and encrypts the next part of data in one call" },
	{ "C_DigestFinal", "Finishes a multi-part digest and returns it" },
	{ "C_DigestInit", "Starts a message digest (hash) with a mechanism" },
	{ "C_DigestKey", "Digests the value of a secret key as the next part" },
	{ "C_DigestUpdate", "Digests the next part of multi-part data" },
	{ "C_Encrypt", "Encrypts single-part data" },
	{ "C_EncryptFinal", "Finishes a multi-part encryption" },
	{ "C_EncryptInit", "Starts an encryption with a mechanism and key" },
	{ "C_EncryptMessage", "Encrypts one whole message in message-based encryption" },
	{ "C_EncryptMessageBegin", "Starts encrypting one message in parts" },
	{ "C_EncryptMessageNext", "Encrypts the next part of a message" },
	{ "C_EncryptUpdate", "Encrypts the next part of multi-part data" },
	{ "C_Finalize", "Shuts the Cryptoki library down and ends all its sessions" },
	{ "C_FindObjects", "Returns the next handles of objects that match the search" },
	{ "C_FindObjectsFinal", "Ends an object search" },
	{ "C_FindObjectsInit", "Starts a search for objects that match a template" },
	{ "C_GenerateKey", "Generates a secret key and creates its object" },
	{ "C_GenerateKeyPair", "Generates a public/private key pair and creates both objects" },
	{ "C_GenerateRandom", "Generates random bytes" },
	{ "C_GetAttributeValue", "Reads attribute values of an object" },
	{ "C_GetFunctionList", "Returns the library's table of PKCS#11 2.x function pointers" },
	{ "C_GetFunctionStatus", "Legacy call; always returns CKR_FUNCTION_NOT_PARALLEL" },
	{ "C_GetInfo", "Returns general information about the Cryptoki library" },
	{ "C_GetInterface", "Returns the function list of a named interface and version" },
	{ "C_GetInterfaceList", "Lists the interfaces (PKCS#11 versions, vendor) a library offers" },
	{ "C_GetMechanismInfo", "Returns the key sizes and flags of one mechanism on a token" },
	{ "C_GetMechanismList", "Lists the mechanisms a token supports" },
	{ "C_GetObjectSize", "Returns the size of an object in bytes" },
	{ "C_GetOperationState", "Saves the state of the session's cryptographic operations" },
	{ "C_GetSessionInfo", "Returns the state and flags of a session" },
	{ "C_GetSlotInfo", "Returns information about one slot" },
	{ "C_GetSlotList", "Lists the slots, optionally only those holding a token" },
	{ "C_GetTokenInfo", "Returns a token's label, flags and PIN state" },
	{ "C_InitPIN", "The security officer sets the normal user's PIN" },
	{ "C_InitToken", "Initializes a token: sets its label and SO PIN, erases its objects" },
	{ "C_Initialize", "Initializes the Cryptoki library for this process" },
	{ "C_Login", "Logs a user (SO, user or context-specific) in to a token" },
	{ "C_LoginUser", "Logs a named user in to a token" },
	{ "C_Logout", "Logs the user out of the token" },
	{ "C_MessageDecryptFinal", "Ends a message-based decryption" },
	{ "C_MessageDecryptInit", "Starts message-based decryption (such as AEAD) with a key" },
	{ "C_MessageEncryptFinal", "Ends a message-based encryption" },
	{ "C_MessageEncryptInit", "Starts message-based encryption (such as AEAD) with a key" },
	{ "C_MessageSignFinal", "Ends a message-based signing" },
	{ "C_MessageSignInit", "Starts message-based signing with a key" },
	{ "C_MessageVerifyFinal", "Ends a message-based verification" },
	{ "C_MessageVerifyInit", "Starts message-based verification with a key" },
	{ "C_OpenSession", "Opens a session between the application and a token" },
	{ "C_SeedRandom", "Mixes extra seed material into the token's random generator" },
	{ "C_SessionCancel", "Cancels the session's active operations of the given kinds" },
	{ "C_SetAttributeValue", "Changes attribute values of an object" },
	{ "C_SetOperationState", "Restores operation state saved by C_GetOperationState" },
	{ "C_SetPIN", "Changes the PIN of the user who is logged in" },
	{ "C_Sign", "Signs or MACs single-part data" },
	{ "C_SignEncryptUpdate", "Signs and encrypts the next part of data in one call" },
	{ "C_SignFinal", "Finishes a multi-part signature and returns it" },
	{ "C_SignInit", "Starts a signature or MAC with a mechanism and key" },
	{ "C_SignMessage", "Signs one whole message in message-based signing" },
	{ "C_SignMessageBegin", "Starts signing one message in parts" },
	{ "C_SignMessageNext", "Signs the next part of a message; the last part returns it" },
	{ "C_SignRecover", "Signs data so that the data can be recovered from the signature" },
	{ "C_SignRecoverInit", "Starts a signature from which the data can be recovered" },
	{ "C_SignUpdate", "Signs the next part of multi-part data" },
	{ "C_UnwrapKey", "Imports a wrapped key by decrypting it into a new key object" },
	{ "C_Verify", "Checks a signature or MAC on single-part data" },
	{ "C_VerifyFinal", "Finishes a multi-part verification and checks the signature" },
	{ "C_VerifyInit", "Starts checking a signature or MAC with a mechanism and key" },
	{ "C_VerifyMessage", "Checks the signature of one whole message" },
	{ "C_VerifyMessageBegin", "Starts checking the signature of one message in parts" },
	{ "C_VerifyMessageNext", "Feeds the next part of a message to the check" },
	{ "C_VerifyRecover", "Checks a signature and recovers the signed data from it" },
	{ "C_VerifyRecoverInit", "Starts checking a signature that carries its data" },
	{ "C_VerifyUpdate", "Feeds the next part of multi-part data to a verification" },
	{ "C_WaitForSlotEvent", "Waits for, or polls, a slot event such as a token insertion" },
	{ "C_WrapKey", "Exports a key encrypted (wrapped) under another key" },
};

static const char *find_hint(const char *func)
{
	size_t lo = 0, hi = ARRAY_LEN(hints), mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(func, hints[mid].func);
		if (c == 0)
			return hints[mid].hint;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *hs_ck_func_hint(const char *func)
{
	char buf[64];
	const char *h;
	size_t n;

	if (!func)
		return "";
	h = find_hint(func);
	if (h)
		return h;
	/* pkcs11-spy prints C_SetOperationState as "SetOperationState". */
	n = strlen(func);
	if (strncmp(func, "C_", 2) != 0 && strncmp(func, "CN_", 3) != 0 && n + 3 <= sizeof buf) {
		buf[0] = 'C';
		buf[1] = '_';
		memcpy(buf + 2, func, n + 1);
		h = find_hint(buf);
		if (h)
			return h;
	}
	return "";
}

const char *hs_ck_nth_func(int i)
{
	return i >= 0 && (size_t)i < ARRAY_LEN(hints) ? hints[i].func : NULL;
}
