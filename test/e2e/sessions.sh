# sessions.sh — `hsmscope sessions` and the correlation in analyze, export
# and filters: the tree of the correlation fixtures in text and JSON, every
# node's filter selecting exactly its calls, the analyze keys (sessions,
# logins, objects, anomalies, hsms), attributed_user in exported audit
# events, and the usage errors.
. "$(dirname "$0")/lib.sh"
set -e
C="$FIX/correlate"
command -v jq >/dev/null || { echo "no jq"; exit 77; }

# text: process > slot > session > login > operation, two processes apart
"$HS" sessions "$C/two-procs.log" >"$T/two.txt"
grep -q '^process 4001 ' "$T/two.txt" || fail "no process 4001: $(cat "$T/two.txt")"
grep -q '^process 4002 ' "$T/two.txt" || fail "no process 4002"
[ "$(grep -c '^    session 0x1 ' "$T/two.txt")" = 2 ] || fail "two sessions 0x1 expected"
grep -q '^        Sign: C_SignInit \.\. C_Sign  #' "$T/two.txt" || fail "no Sign operation under the login"
grep -q '^      Verify: C_VerifyInit \.\. C_Verify .* failed$' "$T/two.txt" || fail "no failed Verify"
# open ends are marked
"$HS" sessions "$C/killed.log" >"$T/killed.txt"
grep -q 'session 0x1 .* leaked  \[open end\]' "$T/killed.txt" || fail "leaked session not marked"
grep -q 'Sign: C_SignInit, never finished .* unfinished  \[open end\]' "$T/killed.txt" ||
	fail "unfinished operation not marked"
grep -q 'login_unended' "$T/killed.txt" || fail "anomaly kinds not shown"

# json: nested, with filters that select exactly each node's calls
"$HS" sessions "$C/two-procs.log" --format json >"$T/two.json"
[ "$(jq '.roots | length' "$T/two.json")" = 2 ] || fail "two roots expected"
[ "$(jq -r '.roots[0].children[] | select(.kind == "slot") | .children[0].children[]
	| select(.kind == "login") | .children[] | select(.kind == "operation") | .label' "$T/two.json")" = \
	"Sign: C_SignInit .. C_Sign" ] || fail "json: no process > slot > session > login > operation path"
check_filters() { # FILE... (json tree on stdin): grep --count FILTER == calls for every node
	jq -r '.. | objects | select(has("filter")) | "\(.calls)\t\(.filter)"' >"$T/filters"
	[ -s "$T/filters" ] || fail "no nodes"
	while IFS="$(printf '\t')" read -r calls filter; do
		got=$("$HS" grep "$@" --count "$filter")
		[ "$got" = "$calls" ] || fail "filter '$filter' selects $got events, the node has $calls"
	done <"$T/filters"
}
check_filters "$C/two-procs.log" <"$T/two.json"
"$HS" sessions "$C/logins.log" --format json | check_filters "$C/logins.log"
"$HS" sessions "$C/audit-a.log" "$C/audit-b.log" --format json >"$T/audit.json"
check_filters "$C/audit-a.log" "$C/audit-b.log" <"$T/audit.json"

# audit: HSM > login > commands, gaps and reboots in the HSM's line
"$HS" sessions "$C/audit-a.log" "$C/audit-b.log" >"$T/audit.txt"
grep -q '^HSM audit-a (2 gaps, 9 events missing) (2 reboots)' "$T/audit.txt" || fail "HSM line: $(head -n 1 "$T/audit.txt")"
grep -q '^  login bob (CN_CRYPTO_USER) .* \[open end\]$' "$T/audit.txt" || fail "open login not shown"
grep -q '^    CN_WRAP_KEY SUCCESS .*\[destroyed_handle\]' "$T/audit.txt" || fail "use after destroy not shown"
[ "$(jq '[.roots[] | select(.kind == "hsm")] | length' "$T/audit.json")" = 2 ] || fail "two HSMs expected"

# analyze --format json: the correlation keys
"$HS" analyze "$C/killed.log" --format json >"$T/k.json"
[ "$(jq -c '.sessions' "$T/k.json")" = '{"opened":2,"closed":1,"leaked":1}' ] || fail "sessions: $(jq -c .sessions "$T/k.json")"
[ "$(jq -c '.logins' "$T/k.json")" = '{"ok":1,"failed":0,"spans":1}' ] || fail "logins: $(jq -c .logins "$T/k.json")"
[ "$(jq '.anomalies.session_leaked' "$T/k.json")" = 1 ] || fail "anomalies by kind"
[ "$(jq 'has("hsms")' "$T/k.json")" = false ] || fail "no hsms for a call trace"
"$HS" analyze "$C/ops.log" --format json >"$T/o.json"
[ "$(jq -c '.objects' "$T/o.json")" = '{"created":3,"destroyed":0}' ] || fail "objects: $(jq -c .objects "$T/o.json")"
"$HS" analyze "$C/audit-a.log" "$C/audit-b.log" --format json >"$T/a.json"
[ "$(jq -c '.hsms["audit-a"].seq_gaps' "$T/a.json")" = \
	'[{"after":8,"before":12,"missing":3},{"after":null,"before":6,"missing":6}]' ] ||
	fail "seq_gaps: $(jq -c '.hsms["audit-a"].seq_gaps' "$T/a.json")"
[ "$(jq '.hsms["audit-a"].reboots' "$T/a.json")" = 2 ] || fail "reboots"
[ "$(jq -c '.hsms["audit-a"].logins.bob' "$T/a.json")" = '{"ok":3,"failed":1,"failed_codes":{"163":1}}' ] ||
	fail "logins per user: $(jq -c '.hsms["audit-a"].logins.bob' "$T/a.json")"
[ "$(jq -c '.hsms["audit-a"].logins.eve.failed_codes' "$T/a.json")" = '{"157":1}' ] || fail "failed logins by code"
[ "$(jq '.hsms["audit-a"].users_created, .hsms["audit-a"].users_deleted' "$T/a.json" | tr '\n' ' ')" = '1 1 ' ] ||
	fail "users created/deleted"
[ "$(jq '.hsms["audit-a"].key_events.CN_WRAP_KEY' "$T/a.json")" = 2 ] || fail "key_events"
[ "$(jq '.hsms["audit-b"].events' "$T/a.json")" = 6 ] || fail "events per HSM"
[ "$(jq -r '.hsms["audit-a"].first_ts' "$T/a.json")" = 2018-01-24T00:39:24.000000Z ] ||
	[ "$(jq -r '.hsms["audit-a"].first_ts' "$T/a.json" | cut -c1-19)" = 2018-01-24T00:39:24 ] || fail "first_ts"

# export: who was logged in, the partner, the anomalies
"$HS" export "$C/audit-a.log" "$C/audit-b.log" >"$T/e.json"
[ "$(jq -r '[.[] | select(.func == "CN_GENERATE_KEY")][0].attributed_user' "$T/e.json")" = admin,bob ] ||
	fail "attributed_user"
[ "$(jq '[.[] | select(.func == "CN_INIT_TOKEN" or .func == "CN_GEN_PSWD_ENC_KEY")][0] | has("attributed_user")' \
	"$T/e.json")" = true ] || fail "attributed_user always present for audit events"
logout=$(jq '[.[] | select(.func == "CN_LOGOUT" and .hsm == "audit-a")][0]' "$T/e.json")
login=$(jq '[.[] | select(.func == "CN_LOGIN" and .hsm == "audit-a")][0]' "$T/e.json")
[ "$(echo "$logout" | jq '.peer_n')" = "$(echo "$login" | jq '.n')" ] ||
	fail "the logout's peer is its login"
# peer is the partner's op_id (stable across runs), peer_n its number here
[ "$(echo "$logout" | jq -r '.peer')" = "$(echo "$login" | jq -r '.op_id')" ] ||
	fail "peer is the op_id of the partner"
[ "$(jq '[.[] | select(.anomalies | index("seq_gap"))] | length' "$T/e.json")" = 2 ] || fail "anomalies in export"
# the same through filters
[ "$("$HS" grep "$C/audit-a.log" "$C/audit-b.log" --count 'anomaly == "seq_gap"')" = 2 ] || fail "anomaly filter"
[ "$("$HS" grep "$C/killed.log" --count 'anomaly')" = 4 ] || fail "bare anomaly filter"

# the bundled sample: every login has its partner
"$HS" sessions "$SAMPLE" --format json >"$T/s.json"
[ "$(jq '[.. | objects | select(.kind == "login" and .open_end)] | length' "$T/s.json")" = 0 ] ||
	fail "the sample's logins all end"

# usage
expect_exit 1 "$HS" sessions "$C/killed.log" --format xml
expect_exit 1 "$HS" sessions
expect_exit 2 "$HS" sessions "$T/does-not-exist.log"
echo ok
