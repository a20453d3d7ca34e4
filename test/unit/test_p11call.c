/* test_p11call.c — the shared call layout: what the writers print, what is
 * read back into the event, and that redaction masks what they wrote. */
#include <string.h>

#include "harness.h"
#include "hsmscope/ckconst.h"
#include "hsmscope/p11call.h"
#include "hsmscope/redact.h"

static const char *detail(const struct hs_p11call *c) { return hs_buf_cstr(&c->ev.detail); }

static void test_func(void)
{
	struct hs_p11call c;

	hs_p11call_init(&c);
	CHECK(hs_p11call_func(&c, "C_Login", 7) == 0 && strcmp(c.ev.func, "C_Login") == 0);
	CHECK(hs_p11call_func(&c, "Logout", 6) == 0 && strcmp(c.ev.func, "C_Logout") == 0);
	CHECK(hs_p11call_func(&c, "C_GetSlotList()", 15) == 0 && strcmp(c.ev.func, "C_GetSlotList") == 0);
	CHECK(hs_p11call_func(&c, "C_VendorThing", 13) == 0); /* the tracer said C_: kept */
	CHECK(hs_p11call_func(&c, "Setup", 5) < 0);           /* prose, not a call */
	CHECK(hs_p11call_func(&c, "C_Lo gin", 8) < 0);
	hs_p11call_free(&c);
}

static void test_fields(void)
{
	struct hs_p11call c;

	hs_p11call_init(&c);
	CHECK(hs_p11call_ulong(&c, 0, "slotID", 0x54) == 0);
	CHECK(hs_p11call_ulong(&c, 0, "hSession", 3) == 0);
	CHECK(hs_p11call_scalar(&c, 0, "userType", "CKU_USER") == 0);
	CHECK(hs_p11call_scalar(&c, 0, "pMechanism->type", "CKM_AES_CBC") == 0);
	CHECK(hs_p11call_ulong(&c, 0, "hKey", 0x2) == 0);
	CHECK(hs_p11call_ulong(&c, 1, "*phObject", 0x7) == 0);
	CHECK(hs_p11call_found(&c, 0x9) == 0);
	CHECK(c.ev.slot == 0x54 && c.ev.session == 3 && c.ev.user_type == 1);
	CHECK(strcmp(c.mech, "CKM_AES_CBC") == 0);
	hs_p11call_note(&c, "[in] type = 0x0000210A[out] pInfo:", 34); /* the spy's glued line */
	CHECK(strcmp(c.mech, "0x0000210A") == 0);
	hs_p11call_scalar(&c, 0, "pMechanism->type", "CKM_AES_CBC");
	CHECK(c.ev.nkeys == 3 && strcmp(c.ev.keys[0].role, "hKey") == 0 && c.ev.keys[0].handle == 2);
	CHECK(strcmp(c.ev.keys[1].role, "phObject") == 0 && c.ev.keys[1].handle == 7);
	CHECK(strcmp(c.ev.keys[2].role, "found") == 0 && c.ev.keys[2].handle == 9);
	CHECK(strstr(detail(&c), "[in] hSession = 0x3\n") != NULL);
	CHECK(strstr(detail(&c), "[out] *phObject = 0x7\n") != NULL);
	CHECK(strstr(detail(&c), "Object 0x9 matches") != NULL);
	hs_p11call_return(&c, 0xa0, NULL, 0);
	CHECK(c.ev.rv == 0xa0 && strcmp(c.ev.rv_name, "CKR_PIN_INCORRECT") == 0 && !c.ev.ok);
	hs_p11call_return(&c, 0x80000001, "", 0);
	CHECK(strcmp(c.ev.rv_name, "0x80000001") == 0);
	hs_p11call_return(&c, 0, "CKR_OK  ", 8);
	CHECK(strcmp(c.ev.rv_name, "CKR_OK") == 0 && c.ev.ok);
	hs_p11call_summarize(&c);
	CHECK(strcmp(c.ev.summary, "slot=0x54 session=0x3 user=CKU_USER mech=CKM_AES_CBC hKey=0x2 "
	                           "phObject=0x7 found=0x9") == 0);
	hs_p11call_free(&c);
}

/* The dump is print_generic's, byte for byte (a spy line from a real log). */
static void test_dump(void)
{
	struct hs_p11call c;
	const unsigned char pin[] = "so-pin-8642";

	hs_p11call_init(&c);
	CHECK(hs_p11call_bytes(&c, 0, "pPin[ulPinLen]", pin, 11) == 0);
	CHECK(strcmp(detail(&c), "[in] pPin[ulPinLen] / 11\n"
	                         "    00000000  73 6F 2D 70 69 6E 2D 38 36 34 32                 "
	                         "so-pin-8642     ") == 0);
	hs_p11call_reset(&c);
	CHECK(c.ev.detail.len == 0);
	CHECK(hs_p11call_bytes(&c, 1, "pData", (const unsigned char *)"0123456789abcdef\x01", 17) == 0);
	CHECK(strstr(detail(&c), "    00000010  01                                               .") != NULL);
	CHECK(hs_p11call_null_buffer(&c, "pSignature", 256) == 0);
	CHECK(strstr(detail(&c), "[out] pSignature NULL [size : 0x100 (256)]") != NULL);
	hs_p11call_free(&c);
}

static void test_template(void)
{
	struct hs_p11call c;
	unsigned char cls[8] = { 4, 0, 0, 0, 0, 0, 0, 0 }, t = 1, kt[8] = { 0x1f };

	hs_p11call_init(&c);
	CHECK(hs_p11call_template(&c, 0, "pTemplate", 5) == 0);
	CHECK(hs_p11call_attr(&c, 0x0 /* CKA_CLASS */, cls, 8) == 0);
	CHECK(hs_p11call_attr(&c, 0x1 /* CKA_TOKEN */, &t, 1) == 0);
	CHECK(hs_p11call_attr(&c, 0x100 /* CKA_KEY_TYPE */, kt, 8) == 0);
	CHECK(hs_p11call_attr(&c, 0x3 /* CKA_LABEL */, (const unsigned char *)"aes-1", 5) == 0);
	CHECK(hs_p11call_attr(&c, 0x11 /* CKA_VALUE */, (const unsigned char *)"KEY-BYTES-0123", 14) == 0);
	CHECK(hs_p11call_attr_text(&c, "CKA_CLASS", "CKO_SECRET_KEY", 14) == 0);
	CHECK(hs_p11call_attr_text(&c, "CKA_ID", "ab", 2) == 0);
	CHECK(strstr(detail(&c), "[in] pTemplate[5]: \n") != NULL);
	CHECK(strstr(detail(&c), "\n    CKA_CLASS             CKO_SECRET_KEY\n") != NULL);
	CHECK(strstr(detail(&c), "\n    CKA_TOKEN             True\n") != NULL);
	CHECK(strstr(detail(&c), "\n    CKA_KEY_TYPE          CKK_AES\n") != NULL);
	CHECK(strstr(detail(&c), "\n    CKA_LABEL             / 5\n    00000000  61 65 73 2D 31") != NULL);
	CHECK(strstr(detail(&c), "\n    CKA_ID                / 2\n    00000000  61 62 ") != NULL);
	CHECK(hs_p11call_attr_text(&c, "CKA_TRUST_SERVER_AUTH", "CKT_NSS_TRUSTED", 15) == 0);
	CHECK(hs_p11call_attr_text(&c, "CKA_VALUE", "CKK_LOOKS_LIKE_A_NAME", 21) == 0);
	CHECK(strstr(detail(&c), "\n    CKA_TRUST_SERVER_AUTH CKT_NSS_TRUSTED\n") != NULL);
	CHECK(strstr(detail(&c), "\n    CKA_VALUE             / 21\n") != NULL); /* a dump, always */
	CHECK(strcmp(c.label, "aes-1") == 0);
	hs_p11call_summarize(&c);
	CHECK(strstr(c.ev.summary, "label=\"aes-1\"") != NULL);
	hs_p11call_free(&c);
}

/* What the writers print, redaction masks: PIN buffers, secret values,
 * and a PIN a parser wrote inline by mistake. */
static void test_redacted(void)
{
	struct hs_p11call c;
	struct hs_redact_opts o = { 0 };

	hs_p11call_init(&c);
	hs_strlcpy(c.ev.func, "C_Login", sizeof c.ev.func);
	CHECK(hs_p11call_ulong(&c, 0, "hSession", 1) == 0);
	CHECK(hs_p11call_bytes(&c, 0, "pPin", (const unsigned char *)"user-pin-1357", 13) == 0);
	CHECK(hs_p11call_scalar(&c, 0, "pPin", "\"user-pin-1357\"") == 0);
	CHECK(hs_redact_event(&c.ev, &o) == 2);
	CHECK(strstr(detail(&c), "user-pin") == NULL && strstr(detail(&c), "75 73 65") == NULL);
	CHECK(strstr(detail(&c), "[in] hSession = 0x1") != NULL); /* not a secret */
	hs_p11call_reset(&c);
	hs_strlcpy(c.ev.func, "C_CreateObject", sizeof c.ev.func);
	CHECK(hs_p11call_template(&c, 0, "pTemplate", 2) == 0);
	CHECK(hs_p11call_attr_text(&c, "CKA_CLASS", "CKO_SECRET_KEY", 14) == 0);
	CHECK(hs_p11call_attr_text(&c, "CKA_VALUE", "KEY-MATERIAL-0123", 17) == 0);
	CHECK(hs_redact_event(&c.ev, &o) == 2);
	CHECK(strstr(detail(&c), "KEY-MAT") == NULL && strstr(detail(&c), "4B 45 59") == NULL);
	CHECK(strstr(detail(&c), "CKO_SECRET_KEY") != NULL);
	hs_p11call_free(&c);
}

static void test_hex(void)
{
	unsigned char b[8];

	CHECK(hs_p11_hex_decode("0x0a1B", 6, b, sizeof b) == 2 && b[0] == 0x0a && b[1] == 0x1b);
	CHECK(hs_p11_hex_decode("31 32:33", 8, b, sizeof b) == 3 && b[2] == '3');
	CHECK(hs_p11_hex_decode("123", 3, b, sizeof b) == -1);
	CHECK(hs_p11_hex_decode("zz", 2, b, sizeof b) == -1);
	CHECK(hs_p11_hex_decode("00112233445566778899", 20, b, sizeof b) == 8);
}

int main(void)
{
	test_func();
	test_fields();
	test_dump();
	test_template();
	test_redacted();
	test_hex();
	TEST_END();
}
