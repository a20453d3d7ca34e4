# changing.sh — a log that grows, shrinks or is replaced while it is being
# indexed: the run ends in bounded time with a usable index (or a clear
# error), and the next open sees the change and rebuilds or refreshes.
. "$(dirname "$0")/lib.sh"
set -e
big() { for r in $(seq 1 60); do cat "$SAMPLE"; done; }
big >"$T/grow.log"
( sleep 0.05; cat "$SAMPLE" >>"$T/grow.log" ) &
run_capped "$T/o" "$T/e" "$HS" index "$T/grow.log" --index "$T/g.db"
wait
[ "$st" = 0 ] || { cat "$T/e" >&2; fail "grow: exit $st"; }
all=$("$HS" grep "$T/grow.log" --index "$T/g.db" --count 'n > 0')
want=$(( $("$HS" grep "$SAMPLE" --index "$T/s.db" --count 'n > 0') * 61 ))
[ "$all" = "$want" ] || fail "grow: $all events after a reopen, want $want"

big >"$T/shrink.log"
( sleep 0.05; head -c 100000 "$SAMPLE" >"$T/shrink.tmp"; cat "$T/shrink.tmp" >"$T/shrink.log" ) &
run_capped "$T/o" "$T/e" "$HS" index "$T/shrink.log" --index "$T/sh.db"
wait
[ "$st" = 0 ] || [ "$st" = 2 ] || { cat "$T/e" >&2; fail "shrink: exit $st"; }
"$HS" analyze "$T/shrink.log" --index "$T/sh.db" --format json >"$T/sh.json" || fail "shrink: reopen"
jq -e '.total_calls > 0' "$T/sh.json" >/dev/null || fail "shrink: no events after the reopen"

big >"$T/repl.log"
( sleep 0.05; cp "$ROOT/test/fixtures/cloudhsm/doc-examples.log" "$T/repl.new"; mv "$T/repl.new" "$T/repl.log" ) &
run_capped "$T/o" "$T/e" "$HS" index "$T/repl.log" --index "$T/r.db"
wait
[ "$st" = 0 ] || [ "$st" = 2 ] || { cat "$T/e" >&2; fail "replace: exit $st"; }
"$HS" analyze "$T/repl.log" --index "$T/r.db" --format json >"$T/r.json" || fail "replace: reopen"
[ "$(jq -r '.files[0].format' "$T/r.json")" = cloudhsm ] || fail "replace: the new content was not re-read"
echo "ok"
