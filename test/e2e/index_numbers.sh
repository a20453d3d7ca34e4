# index_numbers.sh — the numbers are a function of the log's bytes alone:
# every field of every event (n, op_id, line, durations, correlation ids,
# ...) is the same whether the log was indexed at once, or indexed cut at
# some byte offset (mid-line, mid-call) and refreshed once the rest was
# appended. A property over a dense sample of offsets of a real capture,
# plus logs refreshed in several steps, and a capture with threads.
. "$(dirname "$0")/lib.sh"
set -e
S="$SAMPLE"
size=$(stat -c %s "$S")
LOG="$T/live.log"

cp "$S" "$LOG"
"$HS" analyze "$LOG" --format events --index "$T/full.db" >"$T/full.txt"
[ "$(wc -l <"$T/full.txt")" -gt 300 ] || fail "the reference has too few events"

# refresh CUT...: index the log cut at each offset in turn, then whole;
# compare with the reference
refreshed() {
	rm -f "$T/cut.db"
	: >"$LOG"
	prev=0
	for cut in "$@" "$size"; do
		tail -c +$((prev + 1)) "$S" | head -c $((cut - prev)) >>"$LOG"
		prev=$cut
		# a prefix with no call yet may not be recognised: that is fine
		"$HS" index "$LOG" --index "$T/cut.db" >"$T/state" 2>/dev/null || continue
	done
	grep -q '^state      refreshed' "$T/state" || fail "cut at $*: not refreshed ($(cat "$T/state"))"
	"$HS" analyze "$LOG" --format events --index "$T/cut.db" >"$T/cut.txt"
	cmp -s "$T/full.txt" "$T/cut.txt" || {
		diff "$T/full.txt" "$T/cut.txt" | head -4 | cut -c1-300 >&2
		fail "cut at $*: the refreshed index differs from a rebuild"
	}
}

# 64 offsets spread over the file, none on a line boundary by design
k=0
while [ $k -lt 64 ]; do
	off=$((200 + k * (size - 400) / 64 + k * 7 % 61))
	refreshed "$off"
	k=$((k + 1))
done
# cuts right before, inside and after a newline, and inside a return line
ret=$(grep -b -m 1 'Returned:.*CKR_ATTRIBUTE_TYPE_INVALID' "$S" | cut -d: -f1)
for off in $((ret - 1)) $ret $((ret + 12)) $((ret + 14)) $((ret + 20)); do
	refreshed "$off"
done
# several refreshes in a row, some cuts mid-line
refreshed 3000 3001 20000 51234 51240 70000 99999

# a new-header capture with several threads, whose calls interleave
S="$FIX/spy/softhsm-threads-opensc026.log"
size=$(stat -c %s "$S")
cp "$S" "$LOG"
"$HS" analyze "$LOG" --format events --index "$T/full2.db" >"$T/full.txt"
k=0
while [ $k -lt 12 ]; do
	refreshed $((300 + k * (size - 600) / 12 + k * 13 % 97))
	k=$((k + 1))
done
refreshed 40000 40007 150000 150001 300000

# a process that finalizes and initializes again: a build writes its
# C_Finalize final (no duration); a refresh cut anywhere after it must not
# give it one from the next C_Initialize of the same thread
S="$FIX/spy/reinit.log"
size=$(stat -c %s "$S")
cp "$S" "$LOG"
"$HS" analyze "$LOG" --format events --index "$T/full3.db" >"$T/full.txt"
off=60
while [ $off -lt "$size" ]; do
	refreshed $off
	off=$((off + 23))
done

# the skipped lines (and their reasons, counts, first places) are counted
# once: a refresh reads again from its resume point lines the run before it
# had already counted (junk.log cut at 800 counted a tool message twice)
S="$FIX/spy/junk.log"
size=$(stat -c %s "$S")
cp "$S" "$LOG"
skips() { "$HS" analyze "$LOG" --format json --index "$1" | jq -c "[.files[].skipped_lines, .skips]"; }
want=$(skips "$T/full4.db")
echo "$want" | grep -q '"count":' || fail "junk.log: no skips in the reference"
off=20
while [ $off -lt "$size" ]; do
	rm -f "$T/cut.db"
	head -c $off "$S" >"$LOG"
	"$HS" index "$LOG" --index "$T/cut.db" >/dev/null 2>&1 || :
	tail -c +$((off + 1)) "$S" >>"$LOG"
	got=$(skips "$T/cut.db")
	[ "$got" = "$want" ] || fail "junk.log cut at $off: skips $got, want $want"
	off=$((off + 17))
done
echo ok
