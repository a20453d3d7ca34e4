# tpm2.sh — a real tpm2-pkcs11 debug trace, recorded now: Debian's
# libtpm2-pkcs11-1 (1.9.0) talking to a software TPM (swtpm, started here on
# a private state directory and a free loopback port, through the TSS's
# swtpm TCTI), its token store in a temporary directory, driven by
# pkcs11-tool (init token, init PIN, a wrong PIN, EC key pair, sign, list
# objects, a raw ECDSA sign the module refuses). TPM2_PKCS11_LOG_LEVEL=2
# writes every entry and return to standard error, mixed with the TSS's own
# lines and pkcs11-tool's messages, as users paste it into issues.
# Checks that the trace opens with its own fields: the format, every call
# (counted from the raw `enter "C_X"` lines), return codes, processes, the
# module's and the TSS's messages as the failed call's detail, export.
#
# HS_TPM2_KEEP=FILE keeps the recorded trace (that is how
# test/fixtures/tpm2/swtpm-pkcs11-tool.log was made).
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "no jq"
MOD=$(ls /usr/lib/*/pkcs11/libtpm2_pkcs11.so /usr/lib/*/libtpm2_pkcs11.so.1 2>/dev/null | head -n 1)
[ -n "$MOD" ] || skip "no libtpm2_pkcs11.so (Debian libtpm2-pkcs11-1; make deps installs it)"
command -v swtpm >/dev/null || skip "no swtpm (Debian swtpm; make deps installs it)"
ls /usr/lib/*/libtss2-tcti-swtpm.so.0 >/dev/null 2>&1 ||
	skip "no swtpm TCTI (Debian libtss2-tcti-swtpm0; make deps installs it)"
command -v pkcs11-tool >/dev/null || skip "no pkcs11-tool (Debian opensc)"

CAP=$(mktemp -d "${TMPDIR:-/tmp}/hstpm2.XXXXXX")
pidf="$CAP/swtpm.pid"
trap '[ -s "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null; rm -rf "$CAP"' EXIT
mkdir -p "$CAP/state" "$CAP/store"
export XDG_CACHE_HOME="$CAP/cache"

# swtpm on a free port pair (other tests may hold one): a few tries
port=""
for try in 1 2 3 4 5 6 7 8; do
	p=$((20000 + ($$ * 7 + try * 131) % 20000))
	if swtpm socket --tpm2 --tpmstate dir="$CAP/state" \
		--server type=tcp,port=$p,bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((p + 1)),bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear --daemon --pid file="$pidf" \
		--log file="$CAP/swtpm.log" 2>>"$CAP/swtpm.err"; then
		port=$p
		break
	fi
done
[ -n "$port" ] || fail "swtpm did not start: $(tail -n 2 "$CAP/swtpm.err")"

L="$CAP/trace.log"
p11() {
	env TPM2_PKCS11_TCTI="swtpm:host=127.0.0.1,port=$port" TPM2_PKCS11_STORE="$CAP/store" \
		TPM2_PKCS11_LOG_LEVEL=2 pkcs11-tool --module "$MOD" "$@" >>"$CAP/tool.out" 2>>"$L" || true
}
head -c 100 /dev/urandom >"$CAP/data"
printf "hello\n" >"$CAP/short" # 6 bytes: no hash has that length, so a raw ECDSA sign fails
p11 --init-token --label hstpm2 --so-pin "$SO_PIN"
p11 --init-pin --login --login-type so --so-pin "$SO_PIN" --pin "$USER_PIN"
p11 --login --pin "$WRONG_PIN" --list-objects
p11 --login --pin "$USER_PIN" --keypairgen --key-type EC:prime256v1 --label hstpm2-ec --id 01
p11 --login --pin "$USER_PIN" --sign --mechanism ECDSA-SHA256 --id 01 -i "$CAP/data" -o "$CAP/sig"
p11 --login --pin "$USER_PIN" --sign --mechanism ECDSA --id 01 -i "$CAP/short" -o "$CAP/sig2"
p11 --login --pin "$USER_PIN" --list-objects
[ -n "${HS_TPM2_KEEP:-}" ] && cp "$L" "$HS_TPM2_KEEP"

grep -a -q 'enter "C_InitToken"' "$L" || fail "the module wrote no trace: $(head -n 3 "$L")"
grep -a -q 'return "C_GenerateKeyPair" value: 0' "$L" ||
	fail "no key pair made (swtpm or the TCTI?): $(grep -a ERROR "$L" | head -n 3)"
grep -a -q 'return "C_Login" value: 160' "$L" || fail "the wrong PIN should fail with 160 (CKR_PIN_INCORRECT)"
[ -s "$CAP/sig" ] || fail "pkcs11-tool made no ECDSA-SHA256 signature"

J="$CAP/analyze.json"
"$HS" analyze "$L" --format json >"$J" || fail "analyze failed"
[ "$(jq -r '.files[0].format' "$J")" = tpm2 ] || fail "read as $(jq -r '.files[0].format' "$J"), not tpm2"
want=$(grep -a -c 'in file: "src/pkcs11.c": enter "C_' "$L")
[ "$(jq .total_calls "$J")" = "$want" ] || fail "total_calls $(jq .total_calls "$J"), the log has $want enters"
[ "$(jq .processes "$J")" = 7 ] || fail "7 pkcs11-tool runs, got $(jq .processes "$J") processes"
[ "$(jq .incomplete "$J")" = 0 ] || fail "every call returned"
werr=$(grep -a 'in file: "src/pkcs11.c": return "C_' "$L" | grep -a -c -v 'value: 0$')
[ "$(jq .errors "$J")" = "$werr" ] || fail "errors $(jq .errors "$J"), the log has $werr"
[ "$(jq '.by_rv.CKR_PIN_INCORRECT' "$J")" = 1 ] || fail "one CKR_PIN_INCORRECT: $(jq -c .by_rv "$J")"
for fn in C_Initialize C_Finalize C_InitToken C_InitPIN C_Login C_OpenSession C_GenerateKeyPair \
	C_SignInit C_Sign C_SignFinal C_FindObjectsInit C_GetAttributeValue; do
	w=$(grep -a -c "src/pkcs11.c\": enter \"$fn\"\$" "$L" || true)
	g=$(jq ".by_function.$fn.calls // 0" "$J")
	[ "$g" = "$w" ] || fail "$fn: analyze says $g calls, the log has $w"
done
[ "$(jq '.by_function.C_GenerateKeyPair.errors' "$J")" = 0 ] || fail "the key pair was made"
# what is skipped is pkcs11-tool's own output, nothing of the module's
sk=$(grep -a -v -E '^(INFO|WARNING|ERROR)( on line: |:[a-z]+:)' "$L" | grep -a -c -v -E '^$|^[[:space:]]')
[ "$(jq '[.skips[].count] | add // 0' "$J")" = "$sk" ] ||
	fail "skipped $(jq -c .skips "$J"), pkcs11-tool wrote $sk lines of its own"
echo "ok: a real tpm2-pkcs11 trace: $want calls, $werr errors, 7 processes"

# the module's and the TSS's messages are the detail of the call they fall in
"$HS" analyze "$L" --format events >"$CAP/ev.ndjson" || fail "events"
jq -r 'select(.func == "C_Login" and .rv_name == "CKR_PIN_INCORRECT") | .template_summary.structured_info[]' \
	"$CAP/ev.ndjson" >"$CAP/login"
grep -q 'Error unsealing wrapping key' "$CAP/login" || fail "the module's error is the failed login's detail: $(cat "$CAP/login")"
grep -q '^WARNING:esys:.*Esys_Unseal' "$CAP/login" || fail "the TSS's lines are the failed login's detail: $(cat "$CAP/login")"
jq -r 'select(.func == "C_SignInit") | .template_summary.structured_info[]' "$CAP/ev.ndjson" >"$CAP/signinit"
grep -q 'has_params: no' "$CAP/signinit" || fail "an indented line goes on the message before it: $(cat "$CAP/signinit")"
# the raw ECDSA sign the module refuses: C_Sign or C_SignFinal with CKR_GENERAL_ERROR
jq -e -s '[.[] | select((.func == "C_Sign" or .func == "C_SignFinal") and .rv_name == "CKR_GENERAL_ERROR")] | length >= 1' \
	"$CAP/ev.ndjson" >/dev/null || fail "the refused raw ECDSA sign"
jq -e -s 'all(.ts == null and .pid == null)' "$CAP/ev.ndjson" >/dev/null || fail "no time or pid may be invented"
"$HS" export "$L" -o "$CAP/export.json" || fail "export failed"
[ "$(jq length "$CAP/export.json")" = "$want" ] || fail "export holds $(jq length "$CAP/export.json") events"
"$HS" grep "$L" 'rv != CKR_OK' >"$CAP/failed.txt"
grep -q 'C_Login CKR_PIN_INCORRECT' "$CAP/failed.txt" || fail "grep misses the failed login: $(cat "$CAP/failed.txt")"
"$HS" analyze "$L" >"$CAP/analyze.txt"
assert_no_pins "$J" "$CAP/analyze.txt" "$CAP/ev.ndjson" "$CAP/export.json" "$CAP/failed.txt"
echo "ok: its messages are the calls' detail; export and grep agree; no PIN"
