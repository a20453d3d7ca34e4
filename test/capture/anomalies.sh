# anomalies.sh — the anomalies people ask about (issue 16, item 5) on real
# captures made now (SoftHSM behind the real pkcs11-spy): a workload that
# calls C_GetInfo before C_Initialize and logs in with a wrong PIN five
# times, then the right one (call_before_initialize on the C_GetInfo,
# pin_retry_burst on the first wrong login, ref the fifth); two wrong PINs
# then the right one (no burst); three pkcs11-tool processes with a wrong
# PIN on one token (a burst across processes, open at the log's end); and
# a clean pkcs11-tool run, which has neither.
. "$(dirname "$0")/lib.sh"
cap_setup
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"
command -v sqlite3 >/dev/null || skip "no sqlite3"
P11_CFLAGS=$(pkg-config --cflags p11-kit-1 2>/dev/null) || skip "no p11-kit-1 headers (libp11-kit-dev)"

# p11pin MODULE TOKEN PIN WRONG N: C_GetInfo first, then N wrong logins and a good one
cat >"$CAP/p11pin.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <p11-kit/pkcs11.h>

int main(int argc, char **argv)
{
	CK_RV (*gfl)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR p;
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16, i;
	CK_TOKEN_INFO ti;
	CK_INFO info;
	CK_SESSION_HANDLE s;
	void *h;
	int k;

	if (argc != 6 || !(h = dlopen(argv[1], RTLD_NOW)) ||
	    !(*(void **)&gfl = dlsym(h, "C_GetFunctionList")) || gfl(&p) != CKR_OK)
		return 1;
	if (p->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED) /* the mistake under test */
		return 2;
	if (p->C_Initialize(NULL) != CKR_OK || p->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return 3;
	for (i = 0; i < n; i++)
		if (p->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    strncmp((char *)ti.label, argv[2], strlen(argv[2])) == 0)
			break;
	if (i == n || p->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return 4;
	for (k = 0; k < atoi(argv[5]); k++)
		if (p->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[4], strlen(argv[4])) != CKR_PIN_INCORRECT)
			return 5;
	if (p->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[3], strlen(argv[3])) != CKR_OK ||
	    p->C_Logout(s) != CKR_OK || p->C_CloseSession(s) != CKR_OK || p->C_Finalize(NULL) != CKR_OK)
		return 6;
	return 0;
}
C
cc -O2 $P11_CFLAGS -o "$CAP/p11pin" "$CAP/p11pin.c" -ldl 2>"$CAP/cc.out" ||
	skip "cannot build the workload: $(head -n 1 "$CAP/cc.out")"
softhsm2-util --init-token --free --label pins --so-pin "$SO_PIN" --pin "$USER_PIN" >/dev/null ||
	fail "softhsm2-util could not make a token"
pin() { # LOG N
	PKCS11SPY_OUTPUT="$1" "$CAP/p11pin" "$SPY" pins "$USER_PIN" "$WRONG_PIN" "$2" ||
		fail "the workload failed (exit $?)"
}
# kind FUNC: the anomaly kinds of FUNC's events, in order, one line each
kinds() { "$HS" export "$1" | jq -r --arg f "$2" '.[] | select(.func == $f) | .anomalies | join(",")'; }

# 1. C_GetInfo first, five wrong PINs, the right one
L="$CAP/five.log"
pin "$L" 5
"$HS" analyze "$L" --format json >"$CAP/five.json" || fail "analyze"
[ "$(jq -c '.anomalies' "$CAP/five.json")" = '{"call_before_initialize":1,"pin_retry_burst":1}' ] ||
	fail "five: anomalies $(jq -c .anomalies "$CAP/five.json")"
[ "$(kinds "$L" C_GetInfo)" = call_before_initialize ] || fail "five: not on the C_GetInfo"
[ "$(kinds "$L" C_Login | tr '\n' ' ')" = "pin_retry_burst      " ] ||
	fail "five: the burst is not on the first wrong login: $(kinds "$L" C_Login | tr '\n' ' ')"
first=$("$HS" grep "$L" 'func == C_Login' | awk 'NR == 1 {print $1}')
fifth=$("$HS" grep "$L" 'func == C_Login' | awk 'NR == 5 {print $1}')
db=$("$HS" index "$L" | sed -n 's/^index *//p')
[ "$(sqlite3 "$db" "SELECT ref FROM anomalies WHERE kind = 'pin_retry_burst'")" = "$fifth" ] ||
	fail "five: the burst's ref is not the fifth wrong login ($fifth)"
sqlite3 "$db" "SELECT detail FROM anomalies WHERE kind = 'pin_retry_burst'" | grep -q '^5 logins in a row failed' ||
	fail "five: detail $(sqlite3 "$db" "SELECT detail FROM anomalies WHERE kind = 'pin_retry_burst'")"
[ "$("$HS" grep "$L" --count 'anomaly == "pin_retry_burst"')" = 1 ] &&
	[ "$("$HS" grep "$L" 'anomaly == "pin_retry_burst"' | awk '{print $1}')" = "$first" ] || fail "five: the filter"
"$HS" analyze "$L" | grep -q '^  pin_retry_burst  *1  ' || fail "five: analyze text"

# 2. two wrong PINs are no burst
L="$CAP/two.log"
pin "$L" 2
[ "$("$HS" analyze "$L" --format json | jq -c '.anomalies')" = '{"call_before_initialize":1}' ] || fail "two: a burst of two"

# 3. three processes, a wrong PIN each: the token counts them all
L="$CAP/tool.log"
for i in 1 2 3; do
	spytool "$L" --token-label pins --login --pin "$WRONG_PIN" --list-objects
done
[ "$(grep -c 'CKR_PIN_INCORRECT' "$L")" = 3 ] || fail "tool: three wrong logins expected in the log"
[ "$("$HS" analyze "$L" --format json | jq -c '.anomalies')" = '{"pin_retry_burst":1}' ] ||
	fail "tool: $("$HS" analyze "$L" --format json | jq -c .anomalies)"
db=$("$HS" index "$L" | sed -n 's/^index *//p')
[ "$(sqlite3 "$db" "SELECT at_end FROM anomalies WHERE kind = 'pin_retry_burst'")" = 1 ] || fail "tool: the burst is open at the end"

# 4. a clean run: neither
L="$CAP/clean.log"
spytool "$L" --token-label pins --login --pin "$USER_PIN" --list-objects
[ "$("$HS" analyze "$L" --format json | jq -c '.anomalies')" = '{}' ] || fail "clean: $("$HS" analyze "$L" --format json | jq -c .anomalies)"
assert_no_pins "$CAP"/*.json
echo "ok: call_before_initialize and pin_retry_burst on real captures"
