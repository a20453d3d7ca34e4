# index_cache.sh — the index lives privately in the cache, is reused when
# the log is unchanged, refreshed when it only grew (same result as a
# rebuild), and rebuilt when it changed.
. "$(dirname "$0")/lib.sh"
set -e
cp "$SAMPLE" "$T/live.log"
"$HS" index "$T/live.log" >"$T/o1"
grep -q '^state      built' "$T/o1" || fail "first open must build: $(cat "$T/o1")"
grep -q '^events     343' "$T/o1" || fail "343 events expected"
idx=$(sed -n 's/^index      //p' "$T/o1")
case "$idx" in "$T/cache/hsmscope/"*) ;; *) fail "index not in the cache dir: $idx" ;; esac
[ "$(stat -c %a "$T/cache/hsmscope")" = 700 ] || fail "cache dir must be 0700"
[ "$(stat -c %a "$idx")" = 600 ] || fail "index must be 0600"
"$HS" index "$T/live.log" >"$T/o2"
grep -q '^state      reused' "$T/o2" || fail "unchanged log must reuse: $(cat "$T/o2")"

# the log grows: a capture still being written (append the second half of
# the new-format sample's first process, as another process of the log)
sed -n '1,60p' "$SAMPLE" >>"$T/live.log"
"$HS" index "$T/live.log" >"$T/o3"
grep -q '^state      refreshed' "$T/o3" || fail "a grown log must refresh: $(cat "$T/o3")"
"$HS" analyze "$T/live.log" --format json >"$T/refreshed.json"
"$HS" analyze "$T/live.log" --format json --index "$T/full.db" >"$T/full.json"
jq -S 'del(.files)' "$T/refreshed.json" >"$T/a"
jq -S 'del(.files)' "$T/full.json" >"$T/b"
cmp -s "$T/a" "$T/b" || { diff "$T/a" "$T/b" | head; fail "refresh and rebuild disagree"; }
"$HS" export "$T/live.log" >"$T/e1.json"
"$HS" export "$T/live.log" --index "$T/full.db" >"$T/e2.json"
cmp -s "$T/e1.json" "$T/e2.json" || fail "refreshed events differ from a fresh build"

# the log is replaced by another: rebuild
cp "$SAMPLE_NEW" "$T/live.log"
"$HS" index "$T/live.log" >"$T/o4"
grep -q '^state      built' "$T/o4" || fail "a replaced log must rebuild: $(cat "$T/o4")"
# a permissive umask does not make the index readable by others
rm -rf "$T/cache"
(umask 000 && "$HS" index "$T/live.log" >"$T/o5")
idx=$(sed -n 's/^index      //p' "$T/o5")
[ "$(stat -c %a "$idx")" = 600 ] || fail "index must be 0600 under umask 000"
[ "$(stat -c %a "$T/cache/hsmscope")" = 700 ] || fail "cache dir must be 0700 under umask 000"
echo ok
