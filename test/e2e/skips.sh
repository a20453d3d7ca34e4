# skips.sh — skipped lines are explained, not only counted: the skips
# table keeps each reason's first line and count per file; analyze (text
# and JSON) names them like a compiler ("file:line: reason (N lines like
# it)"); the counts add up to the files' skipped lines, for every fixture.
. "$(dirname "$0")/lib.sh"
set -e
J="$FIX/spy/junk.log"
"$HS" analyze "$J" >"$T/a.txt"
grep -qF "$J:1: text outside any call (3 lines like it)" "$T/a.txt" || fail "text: $(cat "$T/a.txt")"
grep -qF "$J:3: shell prompt (2 lines like it)" "$T/a.txt" || fail "text: the prompt"
grep -q '^skipped lines  9 ' "$T/a.txt" || fail "text: the total"
# the first place is right: that line of the file is what the reason says
[ "$(sed -n 3p "$J" | cut -c1-2)" = '$ ' ] || fail "line 3 of junk.log is not a shell prompt"
"$HS" analyze "$J" --format json | jq -e '.skips | length == 5 and .[0].reason == "text outside any call" and .[0].line == 1 and .[0].count == 3 and (map(.count) | add) == 9' >/dev/null ||
	fail "json: $("$HS" analyze "$J" --format json | jq -c .skips)"
# offsets point at the line
off=$("$HS" analyze "$J" --format json | jq '.skips[] | select(.reason == "elision") | .offset')
[ "$(tail -c +$((off + 1)) "$J" | head -n 1 | tr -d ' .')" = "" ] || fail "the elision's offset"
# every fixture: the reasons add up to the skipped lines
i=0
for f in "$FIX"/*/*; do
	case $f in *.md) continue ;; esac
	i=$((i + 1))
	"$HS" index "$f" --index "$T/$i.db" --hsm h >/dev/null 2>&1 || continue
	d=$("$HS" sql "$f" --index "$T/$i.db" --hsm h --format csv \
		"SELECT (SELECT sum(skipped) FROM files) - (SELECT ifnull(sum(count), 0) FROM skips)" | tail -n 1 | tr -d '\r"')
	[ "$d" = 0 ] || fail "$f: the skip reasons do not add up to the skipped lines ($d)"
done
# one line is "1 line", an event "1 event" (plurals)
{ echo "a note someone pasted above the log"; cat "$FIX/spy/old-header.log"; } >"$T/one.log"
"$HS" analyze "$T/one.log" | grep -q '^file .*, 1 line skipped)$' || fail "plural: $("$HS" analyze "$T/one.log" | head -n 1)"
"$HS" analyze "$T/one.log" | grep -q '^skipped lines  1 ' || fail "one skip"
# a clean log says nothing about skips
"$HS" analyze "$SAMPLE" | grep -q '^skipped lines' && fail "a clean log has a skips section"
echo ok
