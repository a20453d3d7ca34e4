# basic.sh — a real pkcs11-tool session through the spy: init token, init
# PIN, RSA key pair, signature, a wrong PIN, AES key, list objects. Checks
# that analyze reports exactly the calls the trace holds, the wrong-PIN
# failure, and that no PIN survives in the index or any output.
. "$(dirname "$0")/lib.sh"
cap_setup
L="$CAP/basic.log"

spytool "$L" --init-token --slot-index 0 --label basic --so-pin "$SO_PIN"
spytool "$L" --init-pin --token-label basic --so-pin "$SO_PIN" --pin "$USER_PIN"
spytool "$L" --token-label basic --login --pin "$USER_PIN" \
	--keypairgen --key-type rsa:2048 --id 01 --label basic-rsa --usage-sign
spytool "$L" --token-label basic --login --pin "$USER_PIN" \
	--sign --mechanism SHA256-RSA-PKCS --id 01 --input-file "$CAP/data.txt" --output-file "$CAP/sig"
spytool "$L" --token-label basic --login --pin "$WRONG_PIN" --list-objects
spytool "$L" --token-label basic --login --pin "$USER_PIN" --keygen --key-type AES:32 --id 02 --label basic-aes
spytool "$L" --token-label basic --login --pin "$USER_PIN" --list-objects
[ -s "$L" ] || fail "the spy wrote no log"
grep -q "$USER_PIN" "$L" || fail "the raw capture should hold the PIN in clear (is the spy logging?)"

J="$CAP/analyze.json"
"$HS" analyze "$L" --format json >"$J" || fail "analyze failed"

# every call header in the raw trace is one call
want=$(grep -c -E '^[0-9]+: [A-Za-z_]+$' "$L")
got=$(jq .total_calls "$J")
[ "$got" = "$want" ] || fail "total_calls $got, the trace has $want calls"
[ "$(jq .processes "$J")" = 7 ] || fail "7 pkcs11-tool runs, got $(jq .processes "$J") processes"
[ "$(jq '.by_rv.CKR_PIN_INCORRECT' "$J")" = 1 ] || fail "one CKR_PIN_INCORRECT expected"
[ "$(jq .incomplete "$J")" = 0 ] || fail "no incomplete calls expected"
# per function, the same counts as the raw trace
for fn in C_InitToken C_InitPIN C_Login C_GenerateKeyPair C_GenerateKey C_SignInit C_OpenSession \
	C_FindObjectsInit C_Finalize; do
	w=$(raw_count "$L" "$fn")
	g=$(jq ".by_function.$fn.calls // 0" "$J")
	[ "$g" = "$w" ] || fail "$fn: analyze says $g calls, the trace has $w"
done
[ "$(jq '.by_function.C_InitToken.calls' "$J")" = 1 ] || fail "one C_InitToken"
[ "$(jq '.by_function.C_GenerateKeyPair.calls' "$J")" = 1 ] || fail "one C_GenerateKeyPair"
[ "$(jq '.by_function.C_Login.calls' "$J")" = 6 ] || fail "six logins (SO + five user)"
[ "$(jq '.by_function.C_Login.errors' "$J")" = 1 ] || fail "one failed login"
# the errors are exactly the non-CKR_OK returns of the trace
werr=$(grep -c -E '^Returned:  [1-9]' "$L")
[ "$(jq .errors "$J")" = "$werr" ] || fail "errors $(jq .errors "$J"), trace has $werr"
# the failing login is the one with the wrong PIN: user type CKU_USER
"$HS" analyze "$L" --format events >"$CAP/events.ndjson" || fail "events"
jq -e -s '[.[] | select(.rv_name == "CKR_PIN_INCORRECT")] | length == 1 and .[0].func == "C_Login"' \
	"$CAP/events.ndjson" >/dev/null || fail "the CKR_PIN_INCORRECT event is not a C_Login"
# durations are estimates, said so, never invented for the last call of a process
jq -e -s '[.[] | select(.func == "C_Finalize")] | all(.dur_ms == null)' "$CAP/events.ndjson" >/dev/null ||
	fail "C_Finalize (last call of each process) must have no duration"
jq -e -s '[.[] | select(.dur_ms != null)] | all(.dur_source | startswith("estimate"))' \
	"$CAP/events.ndjson" >/dev/null || fail "durations must say they are estimates"

# redaction: the index and every output
"$HS" analyze "$L" >"$CAP/analyze.txt"
"$HS" analyze "$L" --format pretty-events >"$CAP/pretty.json"
"$HS" export "$L" -o "$CAP/export.json"
"$HS" export "$L" --format ndjson -o "$CAP/export.ndjson"
"$HS" grep "$L" 'C_Login|C_InitToken|C_InitPIN' >"$CAP/grep.txt"
grep -q 'C_Login' "$CAP/grep.txt" || fail "grep found no C_Login"
# the report a person pastes: the failed login as a (function, return code)
# pair with the number of its first event, the same number grep gives
first=$("$HS" grep "$L" 'rv == CKR_PIN_INCORRECT' | head -n 1 | awk '{print $1}')
[ -n "$first" ] || fail "the wrong PIN is not in the log"
grep -q "^  C_Login  *CKR_PIN_INCORRECT  *[0-9]*  *$first\$" "$CAP/analyze.txt" ||
	fail "analyze does not show the failed login with its first No. $first: $(cat "$CAP/analyze.txt")"
grep -q '^processes  *[0-9]*   threads' "$CAP/analyze.txt" || fail "no processes line for a call trace"
grep -q '\*\* \*\* \*\*' "$CAP/pretty.json" || fail "masked PIN bytes should show as '**'"
idx=$(ls "$CAP"/cache/hsmscope/*.db)
assert_no_pins "$idx" "$J" "$CAP/analyze.txt" "$CAP/events.ndjson" "$CAP/pretty.json" \
	"$CAP/export.json" "$CAP/export.ndjson" "$CAP/grep.txt"
echo "ok: $want calls, PINs redacted everywhere"
