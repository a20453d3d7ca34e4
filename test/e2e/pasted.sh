# pasted.sh — what real pasted logs got wrong (issue 16, item 4), each on a
# real-shaped log in test/fixtures/<format>/pasted-* (see the READMEs): a success
# rate where no call returned, an excerpt's sessions opened before the log,
# CK_INVALID_HANDLE operands, a failed C_OpenSession's unset output, long
# CloudHSM responses, logger separators, OpenSC 0.18's mechanism layout,
# grouped calls of mixed states and two HSM streams in one file.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }

# 4a. no call returned: the success rate is not 100 %, it does not exist
"$HS" analyze "$FIX/spy/pasted-hung-init.log" >"$T/hung.txt"
grep -q '^calls  *1   errors 0   success n/a   incomplete 1$' "$T/hung.txt" ||
	fail "hung: $(grep '^calls' "$T/hung.txt")"
[ "$("$HS" analyze "$FIX/spy/pasted-hung-init.log" --format json | jq -c .success_rate)" = null ] || fail "hung: success_rate not null"
[ "$("$HS" analyze "$SAMPLE" --filter 'n < 0' --format json | jq -c .success_rate)" = null ] ||
	fail "empty filter: success_rate not null"
[ "$("$HS" analyze "$FIX/spy/pasted-opstate.log" --format json | jq -c .success_rate)" = 0.909090909090909 ] ||
	fail "a real rate is still a number"

# 4f. an excerpt: a session opened before the log is not leaked at its end
"$HS" analyze "$FIX/spy/pasted-excerpt.log" --format json >"$T/ex.json"
[ "$(jq -c .anomalies "$T/ex.json")" = '{"session_leaked":1}' ] || fail "excerpt: $(jq -c .anomalies "$T/ex.json")"
[ "$("$HS" grep "$FIX/spy/pasted-excerpt.log" 'anomaly == "session_leaked"' | awk '{print $5}')" = C_OpenSession ] ||
	fail "excerpt: the session opened in the log is the leaked one"
"$HS" sessions "$FIX/spy/pasted-excerpt.log" >"$T/ex.txt"
grep -q 'session 0x2 (opened before the log) .* open  \[open end\]$' "$T/ex.txt" ||
	fail "excerpt: session 0x2 state: $(grep 'session 0x2' "$T/ex.txt")"

# 4g. hEncryptionKey = 0x0 is CK_INVALID_HANDLE (no key), legal in
# C_SetOperationState; a failed C_OpenSession set no session handle
"$HS" analyze "$FIX/spy/pasted-opstate.log" --format json >"$T/op.json"
[ "$(jq -c .anomalies "$T/op.json")" = '{}' ] || fail "opstate: $(jq -c .anomalies "$T/op.json")"
"$HS" export "$FIX/spy/pasted-opstate.log" >"$T/op-ev.json"
[ "$(jq -c '[.[] | select(.func == "C_OpenSession") | .session]' "$T/op-ev.json")" = '[null,1]' ] ||
	fail "opstate: sessions of the C_OpenSessions: $(jq -c '[.[] | select(.func == "C_OpenSession") | .session]' "$T/op-ev.json")"
"$HS" sessions "$FIX/spy/pasted-opstate.log" >"$T/op.txt"
grep 'C_OpenSession CKR_TOKEN_NOT_PRESENT' "$T/op.txt" | grep -q 'session=' && fail "opstate: failed open shows a session"
grep -q 'C_OpenSession CKR_TOKEN_NOT_PRESENT  slot=0x1  #3' "$T/op.txt" || fail "opstate: $(grep CKR_TOKEN_NOT_PRESENT "$T/op.txt")"
# the detail keeps the line as the log has it
jq -e '[.[] | select(.func == "C_OpenSession")][0].template_summary.structured_info | any(test("phSession = 0x7ffd5a61c0e8"))' \
	"$T/op-ev.json" >/dev/null || fail "opstate: the [out] line left the detail"

# 4b. no fixed-size field cuts a CloudHSM response: the event, analyze's
# return codes, the sessions tree (text and JSON)
H="$ROOT/share/samples/hsm-abcde123456.log"
long="HSM Error: user isn't initialized or user with this name doesn't exist"
"$HS" export "$H" >"$T/h.json"
[ "$(jq -r --arg l "$long" '[.[] | select(.rv == 157)][0] | [.rv_name, .response_message] | map(. == $l) | all' "$T/h.json")" = true ] ||
	fail "long response: $(jq -c '[.[] | select(.rv == 157)][0] | [.rv_name, .response_message]' "$T/h.json")"
"$HS" analyze "$H" | grep -qF "  $long " || fail "analyze cuts the response"
"$HS" sessions "$H" | grep -qF "$long" || fail "sessions text cuts the response"
"$HS" sessions "$H" --format json | jq -e --arg l "$long" '[.. | objects | select(has("state")) | .state | contains($l)] | any' >/dev/null ||
	fail "sessions json cuts the response"
[ "$("$HS" grep "$H" --count "rv_name == \"$long\"")" = 1 ] || fail "rv_name filter on the whole response"

# 4e. a fold of calls that ended differently says how many ended each way
"$HS" sessions "$FIX/spy/pasted-slotlist-hang.log" >"$T/sl.txt"
grep -q '^  C_GetSlotList (2 calls)  #3-4  .*  2 calls  1 CKR_OK, 1 never returned  \[open end\]' "$T/sl.txt" ||
	fail "fold: $(grep 'C_GetSlotList' "$T/sl.txt")"
[ "$("$HS" sessions "$FIX/spy/pasted-slotlist-hang.log" --format json | jq -r '.roots[0].children[] | select(.kind == "calls") | .state')" = \
	"1 CKR_OK, 1 never returned" ] || fail "fold json state"
"$HS" sessions "$SAMPLE" | grep -q 'C_GetAttributeValue (35 calls) .* 35 calls, 3 errors  32 CKR_OK, 3 CKR_ATTRIBUTE_TYPE_INVALID' ||
	fail "fold of the sample: $(\"$HS\" sessions "$SAMPLE" | grep 'C_GetAttributeValue (35')"

# 4c. pkcs11-logger 2.2: separators pasted without their pid/tid prefix
# still give the next call its time (the same times as the whole log)
"$HS" analyze "$FIX/logger/pasted-sep-noprefix.log" --format events | jq -c '[.func, .ts]' >"$T/sep.got"
"$HS" analyze "$FIX/logger/v22-basic.log" --format events | jq -c '[.func, .ts]' >"$T/sep.want"
[ "$(jq -s 'map(select(.[1] == null)) | length' "$T/sep.got")" = 0 ] ||
	fail "separator without prefix: $(jq -s -c 'map(select(.[1] == null)) | .[0]' "$T/sep.got") has no time"
cmp -s "$T/sep.got" "$T/sep.want" || fail "separator without prefix: events differ from the prefixed log"

# 4d. OpenSC <= 0.18 printed C_GetMechanismInfo's mechanism on a line of
# its own ("%30s "): the mechanism is read, as from "[in] type = " later
M="$FIX/spy/pasted-mechinfo-018.log"
"$HS" export "$M" >"$T/m.json"
[ "$(jq -c '[.[] | select(.func == "C_GetMechanismInfo") | .summary]' "$T/m.json")" = \
	'["slot=0x0 mech=CKM_RSA_PKCS","slot=0x0 mech=CKM_SHA256_RSA_PKCS","slot=0x0 mech=Unknown"]' ] ||
	fail "0.18 mechanism: $(jq -c '[.[] | select(.func == "C_GetMechanismInfo") | .summary]' "$T/m.json")"
jq -e '[.[] | select(.func == "C_GetMechanismInfo")][1].template_summary.structured_info | index("[in] type = CKM_SHA256_RSA_PKCS") == 1' \
	"$T/m.json" >/dev/null || fail "0.18 mechanism: the detail has no [in] type line"
[ "$("$HS" grep "$M" --count 'func == C_GetMechanismInfo && text ~ "(?m)type = CKM_RSA_PKCS$"')" = 1 ] ||
	fail "0.18 mechanism: not in the text"

# 4h. two HSMs' streams pasted into one file (the time goes back): two
# streams, the first keeps the file's name, the next is NAME#2; --hsm says
# it is one HSM. A refresh of the grown file gives what a rebuild gives.
W="$FIX/cloudhsm/pasted-two-hsms.log"
"$HS" analyze "$W" --format json >"$T/w.json"
[ "$(jq -c '.hsms | keys' "$T/w.json")" = '["pasted-two-hsms","pasted-two-hsms#2"]' ] ||
	fail "two streams: $(jq -c '.hsms | keys' "$T/w.json")"
[ "$(jq -c '[.hsms[] | .events]' "$T/w.json")" = '[6,8]' ] || fail "two streams: events per stream"
[ "$(jq -c '.hsms["pasted-two-hsms"].seq_gaps' "$T/w.json")" = \
	'[{"after":2,"before":4,"missing":1},{"after":5,"before":11,"missing":5}]' ] ||
	fail "two streams: gaps of the first: $(jq -c '.hsms["pasted-two-hsms"].seq_gaps' "$T/w.json")"
[ "$(jq -c '.hsms["pasted-two-hsms#2"].seq_gaps' "$T/w.json")" = '[{"after":14,"before":38,"missing":23}]' ] ||
	fail "two streams: gaps of the second"
"$HS" sessions "$W" | grep -q '^HSM pasted-two-hsms#2 ' || fail "two streams: sessions"
[ "$("$HS" analyze "$W" --hsm one --index "$T/one.db" --format json | jq -c '.hsms | keys')" = '["one"]' ] || fail "--hsm: one stream"
head -n 60 "$W" >"$T/grow.log"
"$HS" index "$T/grow.log" --index "$T/grow.db" >/dev/null
cat "$W" >"$T/grow.log"
"$HS" export "$T/grow.log" --index "$T/grow.db" | jq -c '.[] | [.n, .hsm, .seq_no]' >"$T/grow.refresh"
"$HS" export "$T/grow.log" --index "$T/grow2.db" | jq -c '.[] | [.n, .hsm, .seq_no]' >"$T/grow.rebuild"
cmp -s "$T/grow.refresh" "$T/grow.rebuild" || fail "two streams: a refresh differs from a rebuild"
[ "$(grep -c '"grow#2"' "$T/grow.refresh")" = 8 ] || fail "two streams: refresh names"

# 4h. a failed CN_LOGIN belongs to whoever tried: not to the user logged in
# at the time, and not inside that user's login span
H="$ROOT/share/samples/hsm-abcde123456.log"
"$HS" export "$H" >"$T/h.json"
[ "$(jq -c '[.[] | select(.func == "CN_LOGIN" and (.ok | not)) | [.user, .attributed_user, .login_id]]' "$T/h.json")" = \
	'[["ExampleUser","ExampleUser",null],["testuser","testuser",null]]' ] ||
	fail "failed logins: $(jq -c '[.[] | select(.func == "CN_LOGIN" and (.ok | not)) | [.user, .attributed_user, .login_id]]' "$T/h.json")"
"$HS" sessions "$H" >"$T/h.txt"
grep -q '^  CN_LOGIN (2 calls)  #4-5 ' "$T/h.txt" || fail "failed logins nested in a login: $(cat "$T/h.txt")"
grep -q '^  login testuser (CN_CRYPTO_USER) .* 4 calls  open' "$T/h.txt" || fail "the login span counts the failed logins"

echo "ok: pasted logs"
