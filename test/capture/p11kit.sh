# p11kit.sh — a real p11-kit log-calls capture, made now: SoftHSM behind
# p11-kit-proxy.so with `log-calls: yes` in a private module config, and
# pkcs11-spy.so chained in front of the proxy, so one workload is recorded
# by both tracers at once (p11-kit's log is pkcs11-tool's stderr, the spy's
# its own file). Checks hsmscope's answers on the p11-kit log against the
# workload (calls, processes, the failed login, sessions and login spans,
# export, no PIN anywhere), then that both logs give the same calls,
# return codes, processes, sessions and logins — but for what the proxy
# adds between the two (C_GetSlotList: two when it starts, two per
# application call; it renumbers slots and sessions) and the spy's own
# C_GetInterface.
. "$(dirname "$0")/lib.sh"
cap_setup
command -v jq >/dev/null || skip "no jq"
PROXY=$(ls /usr/lib/*/p11-kit-proxy.so 2>/dev/null | head -n 1)
[ -n "$PROXY" ] || skip "no p11-kit-proxy.so (Debian p11-kit-modules / libp11-kit0)"

# p11-kit reads no user configuration as root: run the tools as nobody then.
AS=""
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || skip "running as root and no setpriv to drop privileges"
	chown -R nobody "$CAP" 2>/dev/null || skip "cannot hand $CAP to nobody"
	chmod 755 "$CAP"
	AS="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
	$AS test -w "$CAP" || skip "nobody cannot write to $CAP (TMPDIR not reachable)"
fi
X="$CAP/xdg"
mkdir -p "$X/pkcs11/modules"
printf 'module: %s\nlog-calls: yes\n' "$SOFTHSM" >"$X/pkcs11/modules/softhsm2.module"
# Every other module the system configures stays out of the proxy.
for m in /usr/share/p11-kit/modules/*.module /etc/pkcs11/modules/*.module; do
	[ -f "$m" ] || continue
	name=$(basename "$m")
	[ "$name" = softhsm2.module ] && continue
	printf 'disable-in: p11-kit-proxy pkcs11-tool\n' >"$X/pkcs11/modules/$name"
done
[ -n "$AS" ] && chown -R nobody "$CAP"
L="$CAP/p11kit.log"
S="$CAP/spy.log"

# both TOOL-ARGS...: pkcs11-tool → spy → p11-kit-proxy → (log) → SoftHSM.
both() {
	$AS env HOME="$CAP" XDG_CONFIG_HOME="$X" SOFTHSM2_CONF="$SOFTHSM2_CONF" \
		PKCS11SPY="$PROXY" PKCS11SPY_OUTPUT="$S" \
		pkcs11-tool --module "$SPY" "$@" >>"$CAP/tool.out" 2>>"$L" || true
}

# the proxy's slot for SoftHSM's free slot (it renumbers them)
slot=$($AS env HOME="$CAP" XDG_CONFIG_HOME="$X" SOFTHSM2_CONF="$SOFTHSM2_CONF" \
	pkcs11-tool --module "$PROXY" -L 2>/dev/null | sed -n 's/^Slot [0-9]* (\(0x[0-9a-f]*\)): SoftHSM.*/\1/p' | head -n 1)
[ -n "$slot" ] || skip "p11-kit-proxy shows no SoftHSM slot"

both --init-token --slot "$slot" --label p11kit --so-pin "$SO_PIN"
both --init-pin --token-label p11kit --so-pin "$SO_PIN" --pin "$USER_PIN"
both --token-label p11kit --login --pin "$USER_PIN" \
	--keypairgen --key-type rsa:2048 --id 01 --label p11kit-rsa --usage-sign
both --token-label p11kit --login --pin "$USER_PIN" \
	--sign --mechanism SHA256-RSA-PKCS --id 01 --input-file "$CAP/data.txt" --output-file "$CAP/sig"
both --token-label p11kit --login --pin "$WRONG_PIN" --list-objects
both --token-label p11kit --login --pin "$USER_PIN" --keygen --key-type AES:32 --id 02 --label p11kit-aes
both --token-label p11kit --login --pin "$USER_PIN" --list-objects
[ -s "$L" ] || fail "p11-kit wrote no log (is log-calls read? $(cat "$CAP/tool.out" | head -n 3))"
[ -s "$S" ] || fail "the spy wrote no log"
grep -a -q '^C_Login = CKR_PIN_INCORRECT$' "$L" || fail "the raw p11-kit log should hold the failed login"
grep -a -q "\"$USER_PIN\"" "$L" || fail "the raw p11-kit log should hold the PIN in clear"

# ---- hsmscope on the p11-kit log, against the workload
J="$CAP/analyze.json"
"$HS" analyze "$L" --format json >"$J" || fail "analyze failed"
[ "$(jq -r '.files[0].format' "$J")" = p11kit ] || fail "read as $(jq -r '.files[0].format' "$J"), not p11kit"
"$HS" analyze "$L" | grep -q 'p11kit: p11-kit log-calls' || fail "analyze does not name the format"
want=$(grep -a -c -E '^C_[A-Za-z]+$' "$L")
[ "$(jq .total_calls "$J")" = "$want" ] || fail "total_calls $(jq .total_calls "$J"), the log has $want calls"
werr=$(grep -a -E '^C_[A-Za-z]+ = CKR_' "$L" | grep -a -c -v ' = CKR_OK$')
[ "$(jq .errors "$J")" = "$werr" ] || fail "errors $(jq .errors "$J"), the log has $werr"
[ "$(jq .processes "$J")" = 7 ] || fail "7 pkcs11-tool runs, got $(jq .processes "$J") processes"
[ "$(jq .incomplete "$J")" = 0 ] || fail "no incomplete calls expected"
[ "$(jq '.by_rv.CKR_PIN_INCORRECT' "$J")" = 1 ] || fail "one CKR_PIN_INCORRECT expected"
for fn in C_InitToken C_InitPIN C_Login C_GenerateKeyPair C_GenerateKey C_SignInit C_SignFinal \
	C_OpenSession C_CloseSession C_FindObjectsInit C_Initialize C_Finalize; do
	w=$(grep -a -c "^$fn\$" "$L" || true)
	g=$(jq ".by_function.$fn.calls // 0" "$J")
	[ "$g" = "$w" ] || fail "$fn: analyze says $g calls, the log has $w"
done
[ "$(jq '.by_function.C_Login.calls' "$J")" = 6 ] || fail "six logins (SO + five user)"
[ "$(jq '.sessions.opened' "$J")" = 6 ] || fail "six sessions, got $(jq '.sessions.opened' "$J")"
[ "$(jq '.logins.ok' "$J")" = 5 ] && [ "$(jq '.logins.failed' "$J")" = 1 ] || fail "logins: $(jq -c .logins "$J")"
[ "$(jq '.objects.created' "$J")" = 3 ] || fail "three objects made (two RSA halves, one AES key)"
"$HS" grep "$L" 'rv != CKR_OK' >"$CAP/failed.txt" || fail "grep failed"
grep -q 'C_Login.*CKR_PIN_INCORRECT' "$CAP/failed.txt" || fail "grep 'rv != CKR_OK' misses the failed login"
"$HS" sessions "$L" >"$CAP/sessions.txt" || fail "sessions failed"
grep -q 'login CKU_SO' "$CAP/sessions.txt" || fail "no SO login span"
grep -q 'login CKU_USER' "$CAP/sessions.txt" || fail "no user login span"
[ "$(grep -c 'session 0x1 ' "$CAP/sessions.txt")" = 6 ] || fail "six sessions 0x1 (one per process)"
"$HS" analyze "$L" --format events >"$CAP/events.ndjson" || fail "events"
jq -e -s '[.[] | select(.rv_name == "CKR_PIN_INCORRECT")] | length == 1 and .[0].func == "C_Login"' \
	"$CAP/events.ndjson" >/dev/null || fail "the CKR_PIN_INCORRECT event is not a C_Login"
# no timestamps in p11-kit's log: no time, no duration is invented
jq -e -s 'all(.ts == null and .dur_ms == null and .pid == null)' "$CAP/events.ndjson" >/dev/null ||
	fail "p11-kit logs no time or pid: none may be invented"
"$HS" export "$L" -o "$CAP/export.json" || fail "export failed"
"$HS" export "$L" --format ndjson -o "$CAP/export.ndjson" || fail "export ndjson failed"
[ "$(jq length "$CAP/export.json")" = "$want" ] || fail "export holds $(jq length "$CAP/export.json") events"
"$HS" export "$L" --filter 'func == "C_Login"' -o "$CAP/logins.json" || fail "filtered export failed"
[ "$(jq length "$CAP/logins.json")" = 6 ] || fail "six logins exported"
"$HS" analyze "$L" --format pretty-events >"$CAP/pretty.json"
grep -q '\*\* \*\* \*\*' "$CAP/pretty.json" || fail "masked PIN bytes should show as '**'"
"$HS" analyze "$L" >"$CAP/analyze.txt"
"$HS" grep "$L" 'C_Login|C_InitToken|C_InitPIN' >"$CAP/grep.txt"
idx=$(ls "$CAP"/cache/hsmscope/*.db)
assert_no_pins $idx "$J" "$CAP/analyze.txt" "$CAP/events.ndjson" "$CAP/pretty.json" "$CAP/export.json" \
	"$CAP/export.ndjson" "$CAP/logins.json" "$CAP/grep.txt" "$CAP/failed.txt" "$CAP/sessions.txt"

# ---- the same workload through the spy: the same answers
F='func != "C_GetSlotList" && func != "C_GetInterface"'
norm_an() {
	"$HS" analyze "$1" --format json --filter "$F" |
		jq -S 'del(.files, .duration_ms, .duration_source, .first_ts, .last_ts, .ts_zone, .skips, .filter) |
			.by_function |= with_entries(.value |= {calls, errors})'
}
norm_an "$L" >"$CAP/a.p11kit" || fail "analyze of the p11-kit log"
norm_an "$S" >"$CAP/a.spy" || fail "analyze of the spy log"
"$HS" analyze "$S" --format json >"$CAP/spy.json" || fail "analyze of the spy log"
[ "$(jq -r '.files[0].format' "$CAP/spy.json")" = spy ] || fail "the spy's log is not read as spy"
diff "$CAP/a.spy" "$CAP/a.p11kit" >"$CAP/a.diff" ||
	fail "calls, return codes, sessions or logins differ between the tracers: $(head -n 20 "$CAP/a.diff")"
gs=$(jq '.by_function.C_GetSlotList.calls' "$J")
gy=$(jq '.by_function.C_GetSlotList.calls' "$CAP/spy.json")
[ "$gs" = $((3 * gy)) ] || fail "the proxy turns $gy application C_GetSlotList into $((3 * gy)), log has $gs"
# sessions: the same tree of processes, slots, sessions and logins (handles differ)
norm_sess() {
	"$HS" sessions "$1" --format json |
		jq -c '[.roots[] | {state, open_end, sub: [.. | objects |
			select(.kind? == "slot" or .kind? == "session" or .kind? == "login") |
			{kind, state, calls, errors, open_end}]}]'
}
norm_sess "$L" >"$CAP/s.p11kit" || fail "sessions of the p11-kit log"
norm_sess "$S" >"$CAP/s.spy" || fail "sessions of the spy log"
cmp -s "$CAP/s.spy" "$CAP/s.p11kit" || fail "the session trees differ: $(diff "$CAP/s.spy" "$CAP/s.p11kit" | head -n 6)"
[ "$(jq '[.[].sub[] | select(.kind == "session")] | length' "$CAP/s.p11kit")" = 6 ] || fail "six sessions in the tree"
echo "ok: $want calls, the spy and p11-kit agree, PINs redacted everywhere"
