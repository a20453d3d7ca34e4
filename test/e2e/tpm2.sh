# tpm2.sh — tpm2-pkcs11's debug log (enter "C_X" … return "C_X" value: N):
# detected from content, one event per call with its return code and the
# module's messages as detail, processes split at C_Initialize after
# C_Finalize, a call never returned is incomplete, a log that grows is
# refreshed like a rebuild.
. "$(dirname "$0")/lib.sh"
set -e
f="$FIX/tpm2/pkcs11-tool.log"
"$HS" analyze "$f" --format json >"$T/a.json"
jq -e '.files[0].format == "tpm2"' "$T/a.json" >/dev/null || fail "not read as tpm2"
[ "$(jq .total_calls "$T/a.json")" = 20 ] || fail "calls: $(jq .total_calls "$T/a.json")"
[ "$(jq .processes "$T/a.json")" = 2 ] || fail "processes: $(jq .processes "$T/a.json")"
[ "$(jq .incomplete "$T/a.json")" = 1 ] || fail "the cut C_GenerateKeyPair is incomplete"
"$HS" grep 'rv != CKR_OK && !incomplete' "$f" >"$T/g"
grep -q "C_Login CKR_PIN_INCORRECT" "$T/g" || fail "the failed login: $(cat "$T/g")"
[ "$(wc -l <"$T/g")" = 1 ] || fail "one failed call: $(cat "$T/g")"
"$HS" analyze "$f" --format events | jq -r 'select(.func == "C_Login" and .ok == false) | .template_summary.structured_info[]' >"$T/d"
grep -q "Could not unseal wrapping key" "$T/d" || fail "the module's error is the failed call's detail: $(cat "$T/d")"
! "$HS" analyze "$f" | grep -q handle_missing || fail "no handle_missing for a format that logs no arguments"
echo "ok: tpm2-pkcs11: calls, return codes, messages, processes, incomplete"

# refresh: the log grows (past the 64 KiB whose hash identifies it), cut
# where no call is open (a re-read open call is numbered anew: index.c)
i=0
while [ "$i" -lt 60 ]; do head -n 36 "$f"; i=$((i + 1)); done >"$T/big.log" # one process each
head -n 1800 "$T/big.log" >"$T/live.log"
"$HS" index "$T/live.log" >/dev/null
tail -n +1801 "$T/big.log" >>"$T/live.log"
"$HS" index "$T/live.log" >"$T/o"
grep -q '^state      refreshed' "$T/o" || fail "a grown tpm2 log must refresh: $(cat "$T/o")"
"$HS" export "$T/live.log" >"$T/e1.json"
"$HS" export "$T/live.log" --index "$T/full.db" >"$T/e2.json"
cmp -s "$T/e1.json" "$T/e2.json" || fail "refreshed tpm2 events differ from a rebuild"
echo "ok: a grown tpm2 log refreshes like a rebuild"

# the real recording (test/capture/tpm2.sh with HS_TPM2_KEEP, against swtpm):
# the TSS's own lines and indented continuation lines are the calls'
# detail; only pkcs11-tool's own messages are skipped
r="$FIX/tpm2/swtpm-pkcs11-tool.log"
"$HS" analyze "$r" --format json >"$T/r.json"
jq -e '.files[0].format == "tpm2"' "$T/r.json" >/dev/null || fail "the real trace is not read as tpm2"
want=$(grep -c 'src/pkcs11.c": enter "C_' "$r")
[ "$(jq .total_calls "$T/r.json")" = "$want" ] || fail "real trace: $(jq .total_calls "$T/r.json") calls, $want enters"
[ "$(jq .processes "$T/r.json")" = 7 ] || fail "real trace: 7 processes, got $(jq .processes "$T/r.json")"
sk=$(grep -v -E '^(INFO|WARNING|ERROR)( on line: |:[a-z]+:)' "$r" | grep -c -v -E '^$|^[[:space:]]')
[ "$(jq '[.skips[].count] | add // 0' "$T/r.json")" = "$sk" ] || fail "real trace skips: $(jq -c .skips "$T/r.json"), want $sk"
"$HS" analyze "$r" --format events |
	jq -r 'select(.func == "C_Login" and .ok == false) | .template_summary.structured_info[]' >"$T/rl"
grep -q '^ERROR:esys:' "$T/rl" || fail "the TSS's error is the failed login's detail: $(cat "$T/rl")"
echo "ok: the real swtpm recording: calls, processes, skips, the TSS's lines"
