# symbols.sh — the core library exports only hs_-prefixed names (one
# prefix for the whole core: a static library's globals share one name
# space with whatever links it), and it has no curses in it.
. "$(dirname "$0")/lib.sh"
command -v nm >/dev/null || { echo "no nm"; exit 77; }
A="$ROOT/${BUILD:-build}/libhscore.a"
[ -f "$A" ] || fail "no $A"
nm -g --defined-only "$A" 2>/dev/null | awk '$2 ~ /^[TDBRCV]$/ {print $3}' | sort -u >"$T/defined"
[ "$(wc -l <"$T/defined")" -gt 200 ] || fail "too few symbols in $A"
grep -v '^hs_' "$T/defined" >"$T/bad" || true
# sanitizer and fuzzer builds add their own (__asan_, __sancov_, ...)
grep -v '^__' "$T/bad" >"$T/bad2" || true
[ ! -s "$T/bad2" ] || fail "exported without the hs_ prefix: $(tr '\n' ' ' <"$T/bad2")"
nm -u "$A" 2>/dev/null | grep -qwE 'initscr|newwin|wrefresh|endwin' && fail "the core calls curses"
echo "ok: $(wc -l <"$T/defined") symbols, all hs_"
