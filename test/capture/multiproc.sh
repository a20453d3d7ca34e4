# multiproc.sh — two processes writing one spy file at the same time. Their
# lines interleave; every call must still be counted once, the two process
# instances kept apart, and no PIN must survive.
. "$(dirname "$0")/lib.sh"
cap_setup
L="$CAP/multi.log"
softhsm2-util --init-token --free --label multi --so-pin "$SO_PIN" --pin "$USER_PIN" >/dev/null ||
	fail "softhsm2-util could not make a token"
pkcs11-tool --module "$SOFTHSM" --token-label multi --login --pin "$USER_PIN" \
	--keypairgen --key-type rsa:2048 --id 01 --label multi-rsa >/dev/null 2>&1 || fail "keygen"

# two signing loops at once, each a single process doing several signatures
worker() {
	i=0
	while [ $i -lt 3 ]; do
		spytool "$L" --token-label multi --login --pin "$USER_PIN" --sign --mechanism SHA256-RSA-PKCS \
			--id 01 --input-file "$CAP/data.txt" --output-file "$CAP/sig.$1.$i"
		i=$((i + 1))
	done
}
worker a &
worker b &
wait
[ -s "$L" ] || fail "the spy wrote no log"

J="$CAP/analyze.json"
"$HS" analyze "$L" --format json >"$J" || fail "analyze failed"
want=$(grep -c -E '^[0-9]+: [A-Za-z_]+$' "$L")
[ "$(jq .total_calls "$J")" = "$want" ] || fail "total_calls $(jq .total_calls "$J"), trace has $want"
banners=$(grep -c 'OpenSC PKCS#11 spy' "$L")
[ "$(jq .processes "$J")" = "$banners" ] || fail "processes $(jq .processes "$J"), $banners banners"
# six runs log in and sign; under load a run can fail before its login
# (SoftHSM's token lock), so the figures are held to the raw trace, and
# both processes must have got through
logins=$(raw_count "$L" C_Login)
signs=$(raw_count "$L" C_SignInit)
[ "$logins" -ge 2 ] && [ "$signs" -ge 2 ] || fail "the workload hardly ran: $logins logins, $signs C_SignInit"
[ "$(jq '.by_function.C_Login.calls' "$J")" = "$logins" ] ||
	fail "C_Login: analyze $(jq '.by_function.C_Login.calls' "$J"), trace $logins"
# which concurrent call a return belongs to is a guess in this old header
# style (no pid or thread per line), so errors are held to the trace as a
# whole: every non-CKR_OK Returned: line is one error, no more, no less
raw_errors=$(grep 'Returned:' "$L" | grep -vc ' CKR_OK' || true)
[ "$(jq '.errors' "$J")" = "$raw_errors" ] || fail "errors: analyze $(jq '.errors' "$J"), trace $raw_errors"
[ "$(jq '.by_function.C_SignInit.calls' "$J")" = "$signs" ] ||
	fail "C_SignInit: analyze $(jq '.by_function.C_SignInit.calls' "$J"), trace $signs"
rets=$(grep -c 'Returned:' "$L")
[ "$(jq ".total_calls - .incomplete" "$J")" = "$rets" ] || fail "every Returned: must close one call"
"$HS" export "$L" -o "$CAP/export.json" || fail "export"
assert_no_pins "$(ls "$CAP"/cache/hsmscope/*.db)" "$J" "$CAP/export.json"
echo "ok: $want calls from $banners processes"
