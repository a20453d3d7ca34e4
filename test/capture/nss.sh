# nss.sh — real captures of NSS's PKCS#11 module logger (Debian libnss3-tools):
# a SoftHSM token added to a fresh sql: NSS database, then modutil, certutil
# and symkeyutil with NSS_DEBUG_PKCS11_MODULE and NSPR_LOG_MODULES=nss_mod_log
# (list slots and tokens, log in with the right and the wrong PIN, an RSA key
# pair, a self-signed certificate, an AES key, list keys). Checks that
# analyze reads it as the NSS module logger with exactly the calls the log
# holds, the failed login, the sessions and the login span, export, the
# logger's own timing table beside the per-call figures, and that no PIN is
# anywhere. Then the cross-tracer check: the same workload with OpenSC's
# pkcs11-spy loaded as the NSS module (PKCS11SPY=SoftHSM), so both tracers
# record every call, must give the same calls, return codes and sessions.
. "$(dirname "$0")/lib.sh"
cap_setup
for t in modutil certutil symkeyutil softhsm2-util; do
	command -v $t >/dev/null || skip "no $t (Debian libnss3-tools, softhsm2)"
done

# nss_setup DIR NAME LIB: a fresh token store and NSS database in DIR, with
# LIB added to it as module NAME. Sets $DB and SOFTHSM2_CONF.
nss_setup() {
	mkdir -p "$1/tokens" "$1/db"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$1" \
		>"$1/softhsm2.conf"
	export SOFTHSM2_CONF="$1/softhsm2.conf"
	softhsm2-util --init-token --free --label nss-tok --so-pin "$SO_PIN" --pin "$USER_PIN" \
		>/dev/null || fail "softhsm2-util --init-token"
	DB="sql:$1/db"
	printf 'db-pw\n' >"$1/dbpw"
	certutil -N -d "$DB" -f "$1/dbpw" || fail "certutil -N"
	echo | PKCS11SPY_OUTPUT=/dev/null modutil -dbdir "$DB" -add "$2" -libfile "$3" -force \
		>/dev/null || fail "modutil -add $2"
}
printf '%s\n' "$USER_PIN" >"$CAP/pw"
printf '%s\n' "$WRONG_PIN" >"$CAP/bad"
head -c 64 /dev/urandom >"$CAP/noise"

# workload MODULE: the NSS tools, the logger on for MODULE, its lines
# appended to $NLOG (nothing else of the tools is kept).
workload() {
	for cmd in "modutil -dbdir $DB -list" \
		"certutil -K -d $DB -h nss-tok -f $CAP/pw" \
		"certutil -K -d $DB -h nss-tok -f $CAP/bad" \
		"certutil -G -d $DB -h nss-tok -f $CAP/pw -k rsa -g 2048 -z $CAP/noise" \
		"certutil -S -d $DB -h nss-tok -f $CAP/pw -n tcert -s CN=hsmscope -x -t u,u,u -k rsa -g 2048 -z $CAP/noise" \
		"symkeyutil -K -d $DB -h nss-tok -f $CAP/pw -n aes-1 -t aes -s 16" \
		"certutil -K -d $DB -h nss-tok -f $CAP/pw"; do
		NSS_DEBUG_PKCS11_MODULE=$1 NSPR_LOG_MODULES="$MODS" NSPR_LOG_FILE="$NLOG" $cmd \
			>>"$CAP/tool.out" 2>&1 || true
	done
}

# ---------------------------------------------------------- the logger alone
nss_setup "$CAP/a" softhsm "$SOFTHSM"
L="$CAP/nss.log"
NLOG=$L MODS=timestamp,nss_mod_log:4,append workload softhsm
[ -s "$L" ] || fail "the module logger wrote no log"
for pin in "$USER_PIN" "$WRONG_PIN" "$SO_PIN"; do
	grep -q -- "$pin" "$L" && fail "the logger printed a PIN (it prints only pointers and lengths)"
done

J="$CAP/analyze.json"
"$HS" analyze "$L" --format json >"$J" || fail "analyze failed"
[ "$(jq -r '.files[0].format' "$J")" = nss ] || fail "not read as the NSS module logger"
"$HS" analyze "$L" | grep -q 'nss: NSS module logger' || fail "analyze does not name the format"
want=$(grep -c -E '\]: C_[A-Za-z]+$' "$L")
[ "$(jq .total_calls "$J")" = "$want" ] || fail "total_calls $(jq .total_calls "$J"), the log has $want"
[ "$(grep -c -E '\]:   rv = ' "$L")" = "$want" ] || fail "a call without its rv line"
[ "$(jq .processes "$J")" = 7 ] || fail "7 tool runs, got $(jq .processes "$J") processes"
[ "$(jq .incomplete "$J")" = 0 ] || fail "no incomplete calls expected"
[ "$(jq '.by_rv.CKR_PIN_INCORRECT' "$J")" = 1 ] || fail "one CKR_PIN_INCORRECT expected"
for fn in C_Login C_OpenSession C_GenerateKeyPair C_GenerateKey C_Sign C_FindObjectsInit C_Finalize; do
	w=$(grep -c -E "\\]: $fn\$" "$L" || true)
	[ "$(jq ".by_function.$fn.calls // 0" "$J")" = "$w" ] || fail "$fn: not the $w calls of the log"
done
werr=$(grep -c -E '\]:   rv = ' "$L")
wok=$(grep -c -E '\]:   rv = CKR_OK$' "$L")
[ "$(jq .errors "$J")" = $((werr - wok)) ] || fail "errors are not the log's non-CKR_OK returns"
jq -e '.first_ts | endswith("Z")' "$J" >/dev/null || fail "NSPR's timestamps are UTC"
"$HS" grep "$L" 'rv != CKR_OK' >"$CAP/grep.txt" || fail "grep"
grep -q 'C_Login CKR_PIN_INCORRECT' "$CAP/grep.txt" || fail "grep 'rv != CKR_OK' misses the failed login"

# sessions: each run's sessions, the login span of the good PIN, none of the bad one
"$HS" sessions "$L" >"$CAP/sessions.txt" || fail "sessions"
"$HS" sessions "$L" --format json >"$CAP/sessions.json" || fail "sessions json"
grep -q 'session 0x' "$CAP/sessions.txt" || fail "no session in the tree"
grep -q 'login CKU_USER' "$CAP/sessions.txt" || fail "no login span"
[ "$(jq .sessions.opened "$J")" -ge 7 ] || fail "too few sessions"
[ "$(jq .sessions.opened "$J")" = "$(jq .sessions.closed "$J")" ] || fail "NSS closes every session"
[ "$(jq .logins.failed "$J")" = 1 ] || fail "one failed login"
[ "$(jq .objects.created "$J")" -ge 4 ] || fail "key pairs, certificate and AES key not followed"

# export, and no PIN anywhere
"$HS" export "$L" -o "$CAP/export.json" || fail "export"
[ "$(jq length "$CAP/export.json")" = "$want" ] || fail "export holds not every event"
"$HS" analyze "$L" --format events >"$CAP/events.ndjson" || fail "events"
jq -e -s '[.[] | select(.rv_name == "CKR_PIN_INCORRECT")] | length == 1 and .[0].func == "C_Login"' \
	"$CAP/events.ndjson" >/dev/null || fail "the CKR_PIN_INCORRECT event is not a C_Login"
"$HS" analyze "$L" >"$CAP/analyze.txt"
idx=$(ls "$CAP"/cache/hsmscope/*.db)
assert_no_pins "$L" "$idx" "$J" "$CAP/analyze.txt" "$CAP/events.ndjson" "$CAP/export.json" \
	"$CAP/grep.txt" "$CAP/sessions.txt"

# level 1 and 3: the same calls, fewer details
for lv in 1 3; do
	l="$CAP/l$lv.log"
	NSS_DEBUG_PKCS11_MODULE=softhsm NSPR_LOG_MODULES=nss_mod_log:$lv NSPR_LOG_FILE=$l \
		certutil -K -d "$DB" -h nss-tok -f "$CAP/bad" >/dev/null 2>&1 || true
	"$HS" analyze "$l" --format json >"$CAP/l$lv.json" || fail "analyze level $lv"
	[ "$(jq .total_calls "$CAP/l$lv.json")" = "$(grep -c -E '\]: C_' "$l")" ] || fail "level $lv calls"
	[ "$(jq '.by_rv.CKR_PIN_INCORRECT' "$CAP/l$lv.json")" = 1 ] || fail "level $lv: the wrong PIN"
done

# the timing table: both streams in one file (NSPR logs to stderr, the table goes to stdout)
M="$CAP/mixed.log"
NSS_DEBUG_PKCS11_MODULE=softhsm NSPR_LOG_MODULES=nss_mod_log:1 \
	certutil -K -d "$DB" -h nss-tok -f "$CAP/pw" >"$M" 2>&1 || true
grep -q '^Function  *# Calls' "$M" || fail "no timing table in stdout"
"$HS" analyze "$M" --format json >"$CAP/mixed.json" || fail "analyze mixed"
jq -e '.by_function | to_entries | all(.value.tracer.calls == .value.calls)' "$CAP/mixed.json" \
	>/dev/null || fail "the logger's own call counts differ from the calls of its log"
"$HS" analyze "$M" | grep -q 'tracer calls' || fail "the tracer's table is not shown beside ours"

# ------------------------------------------- the same workload, both tracers
SPY_LOG="$CAP/both.spy"
N="$CAP/both.nss"
nss_setup "$CAP/b" p11spy "$SPY"
PKCS11SPY_OUTPUT="$SPY_LOG" NLOG=$N MODS=nss_mod_log:4,append workload p11spy
[ -s "$SPY_LOG" ] && [ -s "$N" ] || fail "a tracer wrote nothing"
# The spy also sees the loader's C_GetInterface/C_GetFunctionList, made
# before NSS puts its logger in front of the module.
F='func not in {C_GetInterface, C_GetFunctionList}'
"$HS" analyze "$N" --format json --filter "$F" >"$CAP/n.json" || fail "analyze nss"
"$HS" analyze "$SPY_LOG" --format json --filter "$F" >"$CAP/s.json" || fail "analyze spy"
[ "$(jq -r '.files[0].format' "$CAP/s.json")" = spy ] || fail "the spy log is not read as the spy's"
q='{calls: .total_calls, errors, rv: .by_rv, fn: (.by_function | map_values({calls, errors})),
    sessions, logins, processes}'
jq -S "$q" "$CAP/n.json" >"$CAP/n.cmp"
jq -S "$q" "$CAP/s.json" >"$CAP/s.cmp"
diff "$CAP/n.cmp" "$CAP/s.cmp" >&2 || fail "the two tracers disagree on calls or return codes"
"$HS" sessions "$N" --format json >"$CAP/n.sess" || fail "sessions nss"
"$HS" sessions "$SPY_LOG" --format json >"$CAP/s.sess" || fail "sessions spy"
t='[.. | objects | select(has("kind")) | select(.kind == "slot" or .kind == "session" or
    .kind == "login" or .kind == "operation") | {kind, label: .label, state, calls, errors, open_end}]'
jq -S "$t" "$CAP/n.sess" >"$CAP/n.tree"
jq -S "$t" "$CAP/s.sess" >"$CAP/s.tree"
[ "$(jq length "$CAP/n.tree")" -gt 10 ] || fail "too few sessions in the tree"
diff "$CAP/n.tree" "$CAP/s.tree" >&2 || fail "the two tracers disagree on sessions"
echo "ok: $want calls read as the NSS module logger; the spy agrees on $(jq .calls "$CAP/n.cmp") calls"
