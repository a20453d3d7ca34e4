# report_golden.sh — the text of `analyze` on real captures and the
# CloudHSM samples, against golden files named after their case
# (test/expected/analyze_<case>.out), so a change of the report is seen in
# review. Paths are normalised to "./". HS_UPDATE_GOLDEN=1 rewrites them.
. "$(dirname "$0")/lib.sh"
set -e
S="$ROOT/share/samples"
E="$ROOT/test/expected"

golden() { # case, then analyze's arguments
	name=$1
	shift
	(cd "$ROOT" && "$HS" analyze "$@") >"$T/$name.raw" 2>&1 || fail "$name: analyze failed: $(cat "$T/$name.raw")"
	sed "s|$ROOT/|./|g" "$T/$name.raw" >"$T/$name.out"
	if [ "${HS_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$T/$name.out" "$E/analyze_$name.out"
		return 0
	fi
	diff -u "$E/analyze_$name.out" "$T/$name.out" >&2 || fail "$name: the report differs from test/expected/analyze_$name.out"
}

golden spy-basic share/samples/softhsm-basic.log
golden spy-basic-026 share/samples/softhsm-basic-opensc026.log
golden spy-anomalies test/fixtures/correlate/anomalies.log
golden spy-junk test/fixtures/spy/junk.log
golden spy-two-procs test/fixtures/correlate/two-procs.log
golden spy-filtered share/samples/softhsm-basic.log --filter 'func ~ "^C_Login"'
golden shim-pkcs11-tool test/fixtures/shim/pkcs11-tool.log
golden nss-failed test/fixtures/nss/failed.log
golden cloudhsm-two-hsms share/samples/hsm-abcde123456.log share/samples/hsm-zyxwv987654.log
golden cloudhsm-gap-reboot test/fixtures/cloudhsm/gap-reboot.log --hsm hsm-g

# the sections a bug report needs are there (so an empty golden cannot pass)
grep -q '^anomalies ' "$E/analyze_spy-anomalies.out" || fail "no anomalies section"
grep -q '^failed calls by function and return code' "$E/analyze_spy-basic.out" || fail "no failed pairs"
grep -q 'C_Login  *CKR_PIN_INCORRECT  *1  *166$' "$E/analyze_spy-basic.out" || fail "the failed login's No."
grep -q '^slowest calls' "$E/analyze_shim-pkcs11-tool.out" || fail "no slowest calls"
grep -q '^HSM hsm-abcde123456' "$E/analyze_cloudhsm-two-hsms.out" || fail "no per-HSM section"
grep -q '0x5 -> 0xb  *5' "$E/analyze_cloudhsm-two-hsms.out" || fail "no gap from -> to"
grep -q '^key synchronisation' "$E/analyze_cloudhsm-two-hsms.out" || fail "no key sync"
grep -q '^processes ' "$E/analyze_cloudhsm-two-hsms.out" && fail "an audit log has no processes"
grep -q ' $' "$E"/analyze_*.out && fail "a line ends with a space"
echo ok
