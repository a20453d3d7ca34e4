# filters.sh — one filter text gives the same events in grep, analyze
# --filter and export --filter; answers are checked against a second,
# independent count (the raw log, or jq over the unfiltered export).
. "$(dirname "$0")/lib.sh"
set -e
L="$SAMPLE"
"$HS" export "$L" -o "$T/all.json" 2>/dev/null

# same_everywhere FILTER: grep, analyze --filter and export --filter agree;
# prints the count
same_everywhere() {
	g=$("$HS" grep "$L" --count "$1")
	"$HS" grep "$L" "$1" | awk '{print $1}' >"$T/grep.n"
	[ "$(wc -l <"$T/grep.n")" = "$g" ] || fail "grep --count and grep lines differ for: $1"
	a=$("$HS" analyze "$L" --filter "$1" --format json | jq .total_calls)
	"$HS" export "$L" --filter "$1" >"$T/f.json"
	jq '.[].n' "$T/f.json" >"$T/export.n"
	cmp -s "$T/grep.n" "$T/export.n" || fail "grep and export --filter give different events for: $1"
	[ "$a" = "$g" ] || fail "analyze --filter says $a, grep $g, for: $1"
	echo "$g"
}

# failed calls: exactly the non-zero returns of the raw log
want=$(grep -c -E '^Returned:  [1-9]' "$L")
[ "$(same_everywhere 'rv != CKR_OK')" = "$want" ] || fail "rv != CKR_OK"
[ "$(same_everywhere 'error')" = "$want" ] || fail "error"
[ "$(same_everywhere '!ok')" = "$want" ] || fail "!ok"
# the signing calls: C_SignInit, C_SignUpdate x4, C_SignFinal in the raw log
want=$(grep -c -E '^[0-9]+: C_Sign' "$L")
[ "$(same_everywhere 'func ~ "^C_Sign"')" = "$want" ] || fail 'func ~ "^C_Sign"'
# a symbolic return code
[ "$(same_everywhere 'rv == CKR_PIN_INCORRECT')" = 1 ] || fail "one wrong PIN"
[ "$(same_everywhere 'rv == 0xa0')" = 1 ] || fail "hex literal"
# session and duration, counted a second way with jq over all events
want=$(jq '[.[] | select(.session == 1 and .dur_ms != null and .dur_ms > 1)] | length' "$T/all.json")
[ "$(same_everywhere 'session == 0x1 && dur > 1ms')" = "$want" ] || fail "session == 0x1 && dur > 1ms"
want=$(jq '[.[] | select(.func == "C_Login" or .func == "C_Logout")] | length' "$T/all.json")
[ "$(same_everywhere 'func in {C_Login, C_Logout}')" = "$want" ] || fail "in {}"
# a bare regex over the text (smart case): the PIN dump lines are masked
want=$(jq '[.[] | select(.template_summary.structured_info | any(test("CKM_SHA256_RSA_PKCS")))] | length' "$T/all.json")
[ "$(same_everywhere 'CKM_SHA256_RSA_PKCS')" = "$want" ] || fail "text regex"

# what the call's detail names (event_params): counted in the raw log, one
# call per header "N: C_..." holding the line
calls_with() { # ERE over the call's lines
	awk -v re="$1" '/^[0-9]+: C_/ { call = NR; next } $0 ~ re && call != seen { n++; seen = call }
		END { print n + 0 }' "$L"
}
want=$(calls_with '^\[in\] (pMechanism->)?type = CKM_SHA256_RSA_PKCS( |$)')
[ "$want" -ge 2 ] || fail "the sample has SHA256_RSA_PKCS calls"
[ "$(same_everywhere 'mech == CKM_SHA256_RSA_PKCS')" = "$want" ] || fail "mech =="
want=$(calls_with '^\[in\] (pMechanism->)?type = CKM_AES_KEY_GEN( |$)')
[ "$(same_everywhere 'mech ~ "^CKM_AES_KEY_G"')" = "$want" ] || fail "mech ~"
# a mechanism the spy printed as a number is named: 0x210A
want=$(calls_with '^\[in\] (pMechanism->)?type = 0x0000210A([[ ]|$)')
[ "$want" -ge 1 ] && [ "$(same_everywhere 'mech == CKM_AES_KEY_WRAP_PAD')" = "$want" ] || fail "mech named from a number"
want=$(calls_with '^    CKA_SIGN  ')
[ "$want" -ge 2 ] || fail "the sample has CKA_SIGN templates"
[ "$(same_everywhere 'attr == CKA_SIGN')" = "$want" ] || fail "attr =="
want=$(calls_with '^    62617369 632D7273 61$') # print_print of "basic-rsa"
[ "$want" -ge 2 ] || fail "the sample has the label basic-rsa"
[ "$(same_everywhere 'label == "basic-rsa"')" = "$want" ] || fail "label =="
[ "$(same_everywhere 'label == "basic-rsa" && func == C_GenerateKeyPair')" = 1 ] || fail "label && func"
# no secret is stored for them: CKA_VALUE and private parts have no value
S="$FIX/spy/secrets.log"
[ "$("$HS" sql "$S" --format csv "SELECT count(*) FROM event_params WHERE value IS NOT NULL AND name IN ('CKA_VALUE', 'CKA_PRIVATE_EXPONENT', 'CKA_PRIME_1', 'CKA_PRIME_2', 'CKA_EXPONENT_1', 'CKA_EXPONENT_2', 'CKA_COEFFICIENT')" | tail -n 1 | tr -d '\r')" = 0 ] ||
	fail "a secret attribute's value in event_params"
"$HS" sql "$S" --format csv "SELECT value FROM event_params WHERE value IS NOT NULL" >"$T/pv"
! grep -q -e 'pin-' -e 'secret-' -e 'private-' "$T/pv" || fail "secret text in event_params: $(cat "$T/pv")"

# a bad filter never runs: exit 3, position and a caret
expect_exit 3 "$HS" grep "$L" 'rv =='
grep -q 'filter:1:' "$T/err" || fail "no position in: $(cat "$T/err")"
grep -q '\^' "$T/err" || fail "no caret in: $(cat "$T/err")"
expect_exit 3 "$HS" analyze "$L" --filter 'fucn == C_Sign'
grep -q "did you mean 'func'" "$T/err" || fail "no suggestion: $(cat "$T/err")"
expect_exit 3 "$HS" export "$L" --filter 'text ~ "(unclosed"'

# hostile text is data, never SQL: the index keeps all its events
for f in "func == \"'); DROP TABLE events; --\"" "user contains \"';\"" "x'); DELETE FROM events; --"; do
	"$HS" grep "$L" --count "$f" >/dev/null 2>&1 || true
done
[ "$("$HS" grep "$L" --count '')" = 343 ] || fail "the index lost events"
echo ok
