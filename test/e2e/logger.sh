# logger.sh — Pkcs11Interop pkcs11-logger logs through the command line:
# analyze names the format, the failed login is found, sessions show the
# sessions and login spans, export works, no PIN or key reaches any output
# or the index, every flag setting of one workload gives the same answers,
# and the cross-tracer check: one workload recorded at once by OpenSC's
# pkcs11-spy and by the logger behind it (test/fixtures/logger/cross-*.log)
# gives the same calls, return codes and sessions.
. "$(dirname "$0")/lib.sh"
set -e
L="$FIX/logger"
command -v jq >/dev/null || { echo "no jq"; exit 77; }

# analyze says what it read, for each layout
for f in cross-logger noprefix tidonly pidonly secrets v22-basic v22-noprefix v22-tidonly threads \
	killed stdout windows quirks junk; do
	"$HS" analyze "$L/$f.log" >"$T/a.txt"
	grep -q "(logger: Pkcs11Interop pkcs11-logger, [0-9]* events" "$T/a.txt" ||
		fail "$f: format not named: $(head -n 1 "$T/a.txt")"
done
[ "$("$HS" analyze "$L/cross-spy.log" --format json | jq -r '.files[0].format')" = spy ] ||
	fail "the spy's half of the pair is not read as the spy's"
"$HS" analyze "$L/cross-logger.log" --format json >"$T/logger.json"
[ "$(jq -r '.files[0].format' "$T/logger.json")" = logger ] || fail "json: format"
[ "$(jq -r '.files[0].format_title' "$T/logger.json")" = "Pkcs11Interop pkcs11-logger" ] || fail "json: title"
# 2.3.0 times the module; 2.2.0 prints no end time
[ "$(jq -r '.duration_source' "$T/logger.json")" = tracer ] || fail "2.3.0 durations not the tracer's"
"$HS" analyze "$L/v22-basic.log" --format json | jq -r '.duration_source' | grep -q '^estimate' ||
	fail "2.2.0 durations should be estimates"

# the failed login, by return code and by name
"$HS" grep "$L/cross-logger.log" 'rv != CKR_OK' >"$T/failed"
grep -q ' C_Login CKR_PIN_INCORRECT .*user=CKU_USER' "$T/failed" || fail "failed login not found: $(cat "$T/failed")"
[ "$("$HS" grep "$L/cross-logger.log" --count 'func == "C_Login" && !ok')" = 1 ] || fail "one failed login"
[ "$("$HS" grep "$L/cross-logger.log" --count 'rv == CKR_PIN_INCORRECT')" = 1 ] || fail "rv by name"

# sessions: a session per pkcs11-tool run that opened one, with its login span
"$HS" sessions "$L/cross-logger.log" >"$T/s.txt"
[ "$(grep -c '^    session 0x1 ' "$T/s.txt")" = 6 ] || fail "six sessions expected: $(cat "$T/s.txt")"
[ "$(grep -c '^      login CKU_USER ' "$T/s.txt")" = 4 ] || fail "four user login spans expected"
grep -q '^      login CKU_SO ' "$T/s.txt" || fail "no SO login span"
"$HS" sessions "$L/threads.log" >"$T/t.txt"
grep -q '^process [0-9]*, 3 threads ' "$T/t.txt" || fail "threads: $(head -n 1 "$T/t.txt")"
grep -q 'login CKU_USER .* ended$' "$T/t.txt" || fail "threads: the login span ended by C_Logout"
[ "$(grep -c 'Sign: C_SignInit \.\. C_Sign ' "$T/t.txt")" = 6 ] || fail "threads: six Sign operations"

# export: every event, in the spy's layout, with the logger's own durations
"$HS" export "$L/cross-logger.log" -o "$T/e.json"
[ "$(jq 'length' "$T/e.json")" = 343 ] || fail "export: 343 events"
[ "$(jq '[.[] | select(.func == "C_GenerateKeyPair")][0].template_summary.structured_info
	| index("[out] hPublicKey = 0x2") != null' "$T/e.json")" = true ] || fail "export: key pair detail"
[ "$(jq '[.[] | select(.dur_source == "tracer")] | length' "$T/e.json")" = 343 ] ||
	fail "export: every call's duration is the tracer's"
"$HS" export "$L/cross-logger.log" --format ndjson -o "$T/e.ndjson" --filter 'func ~ "^C_Sign"'
[ "$(wc -l <"$T/e.ndjson")" = 6 ] || fail "ndjson: C_SignInit + 4 C_SignUpdate + C_SignFinal"
"$HS" export "$L/cross-logger.log" --format csv -o "$T/e.csv" 2>"$T/csv.err"
grep -q 'wrote 343 events' "$T/csv.err" || fail "csv: $(cat "$T/csv.err")"

# no PIN, and no key, in any output or the index (flag 8 logs the PINs as text)
for pin in so-pin-8642 user-pin-1357 wrong-pin-0000 new-user-pin-2468; do
	grep -q -- "$pin" "$L/secrets.log" || fail "the fixture lacks $pin (nothing to prove)"
done
grep -q 'HEX(4B45592D4D4154455249414C2D30313233)' "$L/secrets.log" || fail "the fixture lacks the key"
S="$L/secrets.log"
"$HS" index "$S" --index "$T/sec.db" >/dev/null
"$HS" analyze "$S" --index "$T/sec.db" --format events >"$T/o.events"
"$HS" export "$S" --index "$T/sec.db" --format ndjson -o "$T/o.ndjson"
"$HS" grep "$S" --index "$T/sec.db" 'n > 0' >"$T/o.grep"
"$HS" sessions "$S" --index "$T/sec.db" --format json >"$T/o.sessions"
"$HS" sql "$S" --index "$T/sec.db" --format csv "SELECT * FROM events" >"$T/o.sql"
for pin in so-pin-8642 user-pin-1357 wrong-pin-0000 new-user-pin-2468 KEY-MATERIAL-0123; do
	hex=$(printf '%s' "$pin" | head -c 8 | od -An -tx1 | tr -d ' \n')
	spaced=$(printf '%s' "$pin" | head -c 8 | od -An -tx1 | sed 's/^ *//; s/ *$//' | tr 'a-f' 'A-F')
	for f in "$T"/o.* "$T/sec.db"; do
		if grep -a -i -q -e "$pin" -e "$hex" -e "$spaced" "$f"; then
			fail "$pin found in $(basename "$f")"
		fi
	done
done
grep -q '\[in\] pPin / 13' "$T/o.events" || fail "the PIN's length should stay visible"

# one workload, six flag settings and two versions: the same answers
calls() { "$HS" analyze "$1" --format json | jq -S '{total_calls, errors, processes,
	f: (.by_function | map_values(.calls)), rv: .by_rv, sessions, logins}'; }
# (each capture made its own token: SoftHSM numbered the slot anew)
sessions() { "$HS" sessions "$1" --format json | jq -c '[.. | objects | select(.kind == "session"
	or .kind == "login" or .kind == "slot" or .kind == "operation") |
	[.kind, (.label | sub("slot 0x[0-9a-f]+"; "slot")), .state, .calls, .errors]]'; }
calls "$L/v22-basic.log" >"$T/ref.calls"
sessions "$L/v22-basic.log" >"$T/ref.sessions"
for f in noprefix tidonly pidonly v22-noprefix v22-tidonly; do
	calls "$L/$f.log" >"$T/c"
	cmp -s "$T/ref.calls" "$T/c" || { diff "$T/ref.calls" "$T/c" >&2; fail "$f: other calls than v22-basic"; }
	sessions "$L/$f.log" >"$T/c"
	cmp -s "$T/ref.sessions" "$T/c" || fail "$f: other sessions than v22-basic"
done

# the cross-tracer check. The application calls C_GetInterface, which the
# spy answers by calling the logger's C_GetFunctionList (the logger is a
# PKCS#11 2.20 module): the one function each sees under its own name.
norm() { jq -S '{total_calls, errors, processes, threads, sessions, logins, by_rv,
	f: (.by_function | map_values(.calls) | with_entries(.key |= if . == "C_GetInterface"
	then "C_GetFunctionList" else . end))}'; }
"$HS" analyze "$L/cross-spy.log" --format json | norm >"$T/spy.n"
norm <"$T/logger.json" >"$T/logger.n"
cmp -s "$T/spy.n" "$T/logger.n" || { diff "$T/spy.n" "$T/logger.n" >&2; fail "the two tracers disagree on calls"; }
[ "$(jq '.total_calls' "$T/spy.n")" = 343 ] || fail "the pair should hold 343 calls"
# calls in order, with their return codes and sessions
seq_of() { "$HS" analyze "$1" --format events | jq -r '[.func, .rv, .session, .instance] | @tsv' |
	sed 's/^C_GetInterface/C_GetFunctionList/'; }
seq_of "$L/cross-spy.log" >"$T/spy.seq"
seq_of "$L/cross-logger.log" >"$T/logger.seq"
cmp -s "$T/spy.seq" "$T/logger.seq" || { diff "$T/spy.seq" "$T/logger.seq" | head >&2; fail "call sequences differ"; }
# the same session tree (processes are numbered by the spy, named by pid by the logger)
"$HS" sessions "$L/cross-spy.log" --format json | jq -c '[.. | objects | select(.kind != null) |
	[.kind, (if .kind == "process" then "" else .label end), .state, .calls, .errors, .open_end]]' >"$T/spy.s"
"$HS" sessions "$L/cross-logger.log" --format json | jq -c '[.. | objects | select(.kind != null) |
	[.kind, (if .kind == "process" then "" else .label end), .state, .calls, .errors, .open_end]]' |
	sed 's/C_GetFunctionList/C_GetInterface/g' >"$T/logger.s"
cmp -s "$T/spy.s" "$T/logger.s" || fail "the two tracers disagree on sessions"
echo ok
