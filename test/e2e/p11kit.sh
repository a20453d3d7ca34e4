# p11kit.sh — the p11-kit log-calls fixtures through the CLI, for machines
# without SoftHSM (test/capture/p11kit.sh makes a new capture): the format
# detected from content even under a few lines of other output, the failed
# login found, sessions and login spans, a killed process, export, every
# PIN form masked in the index and every output, and the two tracers'
# records of one workload giving the same answers.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }
K="$FIX/p11kit"

# detection: by content, with junk on top; the title is said
{ printf '$ pkcs11-tool --module p11-kit-proxy.so -O\nUsing slot with index 0 (0x11)\n\n'; cat "$K/pins.log"; } >"$T/junk-top.log"
"$HS" analyze "$T/junk-top.log" >"$T/a.txt"
grep -q '(p11kit: p11-kit log-calls, 14 events, 2 lines skipped)' "$T/a.txt" || fail "detection: $(head -n 1 "$T/a.txt")"
"$HS" analyze "$K/basic.log" --format json >"$T/basic.json"
[ "$(jq -r '.files[0].format' "$T/basic.json")" = p11kit ] || fail "basic.log not read as p11kit"
[ "$(jq '.processes' "$T/basic.json")" = 8 ] || fail "eight processes, by C_Initialize after C_Finalize"
[ "$(jq -r '.duration_ms.max' "$T/basic.json")" = null ] || fail "no durations without timestamps"
printf 'C_Login\nC_Logout\njust words\n' >"$T/words.log"
expect_exit 2 "$HS" analyze "$T/words.log"
grep -q 'p11-kit log-calls' "$T/err" || fail "the unknown-format message should list p11-kit: $(cat "$T/err")"

# the failed login, the sessions and the login spans
"$HS" grep "$K/pins.log" 'rv != CKR_OK' >"$T/failed.txt"
grep -q 'C_Login.*CKR_PIN_INCORRECT' "$T/failed.txt" || fail "no failed login: $(cat "$T/failed.txt")"
[ "$(wc -l <"$T/failed.txt")" = 3 ] || fail "three failed calls in pins.log"
"$HS" sessions "$K/pins.log" >"$T/s.txt"
grep -q 'session 0x1 .*closed' "$T/s.txt" || fail "session 0x1 not closed: $(cat "$T/s.txt")"
grep -q 'login CKU_SO' "$T/s.txt" && grep -q 'login CKU_USER' "$T/s.txt" || fail "login spans missing"
"$HS" sessions "$K/killed.log" >"$T/k.txt"
[ "$(grep -c '^process' "$T/k.txt")" = 2 ] || fail "killed.log: two processes"
"$HS" grep "$K/killed.log" 'incomplete' >"$T/inc.txt"
grep -q 'C_Sign' "$T/inc.txt" || fail "the call the process died in is incomplete"
"$HS" grep "$K/threads.log" 'func == "C_Digest" && session == 0x2' | grep -q C_Digest || fail "threads: C_Digest on session 2"

# export and redaction: no PIN in any form anywhere
"$HS" export "$K/pins.log" -o "$T/pins.json" >/dev/null 2>&1
[ "$(jq length "$T/pins.json")" = 14 ] || fail "export: $(jq length "$T/pins.json") events"
"$HS" export "$K/pins.log" --format csv -o "$T/pins.csv" >/dev/null 2>&1
"$HS" analyze "$K/pins.log" --format pretty-events >"$T/pins.pretty"
"$HS" grep "$K/pins.log" 'C_Login|C_SetPIN|C_InitPIN|C_InitToken' >"$T/pins.grep"
grep -q '\*\* \*\* \*\*' "$T/pins.pretty" || fail "masked PIN bytes should show as '**'"
for pin in so-pin-8642 user-pin-1357 wrong-pin-0000 new-user-pin-2468 long-pin-0123 'pi"n\x' \
	'73 6F 2D 70 69 6E' '75 73 65 72 2D 70' '77 72 6F 6E 67 2D' '6C 6F 6E 67 2D 70' '70 69 22 6E 5C 78' \
	736f2d70696e 757365722d70; do
	for f in "$T/pins.json" "$T/pins.csv" "$T/pins.pretty" "$T/pins.grep" "$T"/cache/hsmscope/*.db; do
		! grep -a -i -F -q -- "$pin" "$f" || fail "PIN form '$pin' in $f"
	done
done

# one workload, two tracers: the same calls, return codes and sessions
F='func != "C_GetSlotList" && func != "C_GetInterface"'
for f in basic basic-spy; do
	"$HS" analyze "$K/$f.log" --format json --filter "$F" |
		jq -S 'del(.files, .duration_ms, .duration_source, .first_ts, .last_ts, .ts_zone, .skips, .filter) |
			.by_function |= with_entries(.value |= {calls, errors})' >"$T/$f.an"
	"$HS" sessions "$K/$f.log" --format json |
		jq -c '[.roots[] | {state, open_end, sub: [.. | objects |
			select(.kind? == "slot" or .kind? == "session" or .kind? == "login") |
			{kind, state, calls, errors, open_end}]}]' >"$T/$f.se"
done
cmp -s "$T/basic.an" "$T/basic-spy.an" || fail "analyze differs: $(diff "$T/basic-spy.an" "$T/basic.an" | head)"
cmp -s "$T/basic.se" "$T/basic-spy.se" || fail "sessions differ"
[ "$(jq '.sessions.opened' "$T/basic.an")" = 7 ] || fail "seven sessions"
echo "ok"
