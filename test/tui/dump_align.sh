# dump_align.sh — issue 17, "Wrong on screen": a hex dump row whose text
# column holds a DEL byte (the spy writes 0x7F as is) kept its \x7F escape
# there, four cells for one byte, and the column no longer lined up with
# the rows around it. Now the text column shows '.' for it (the hex says
# the byte), in the raw pane and the detail, at 200x50 and 80x24; DEL
# elsewhere is still escaped (test/tui/raw_bytes.sh, escape.sh).
. "$(dirname "$0")/lib.sh"
tui_setup
F="$ROOT/test/fixtures/spy/conc-threads-0261.log"
# event 12 (C_Sign) holds the row "000000C0 ... 7F ..." with a raw DEL
grep -a -q "000000C0  1D A8 D6 6E 7F 5D 6A 71 B9 70 0E A7 08 D8 46 2A  ...n$(printf '\177')]jq.p....F\*" "$F" ||
	fail "fixture: no DEL in the dump's text column"
"$HS" grep "$F" 'n == 12' | grep -q C_Sign || fail "fixture: 12 is not C_Sign"


# end_col REGEX: the column of the last character of the first screen row
# matching REGEX
end_col() { screen | grep -E -m 1 -- "$1" | sed 's/ *$//' | awk '{ print length($0) }'; }

for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$F\""
	wait_for "No\. +Time"
	keys : 12 Enter
	wait_for "No\. 12 "
	for pane in raw detail; do
		if [ "$pane" = raw ]; then keys Tab Tab; else keys Tab; fi
		if [ "$pane" = detail ]; then
			# the detail decodes the signature, its rows folded under it: the
			# pane's search opens the fold (the detail is above the raw pane,
			# so the checks below see its row first)
			keys / 000000C0 Enter
			wait_for "/000000C0: 1 of 1"
			screen | sed -n '/Detail of event/,/^ Raw:/p' | grep -q "000000C0  1D A8" ||
				fail "$1x$2 detail: the row is not in the detail pane"
		fi
		scroll_to "000000C0  1D A8"
		screen | grep -q '\\x7F' && fail "$1x$2 $pane: the dump row shows \\x7F"
		screen | grep -Eq "000000C0  1D A8 D6 6E 7F .* 46 2A  \.\.\.n\.\]jq\.p\.\.\.\.F\*" ||
			fail "$1x$2 $pane: the text column is not ...n.]jq.p....F*"
		# it ends where the row above ends
		scroll_to "000000B0  F4 16"
		a=$(end_col "000000B0  F4 16")
		b=$(end_col "000000C0  1D A8")
		[ -n "$a" ] && [ "$a" = "$b" ] || fail "$1x$2 $pane: rows end at $a and $b"
		keys Escape
		wait_for "No\. 12 "
	done
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
