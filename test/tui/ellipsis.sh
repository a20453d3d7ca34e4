# ellipsis.sh — nothing is cut silently (issue 17): the filter bar's text
# (applied, and while typing when it runs past the edge), long detail lines,
# the raw pane's lines and the pane titles end in an ellipsis where the
# screen cuts them, at 80x24; at 200x50 the same texts are whole.
. "$(dirname "$0")/lib.sh"
tui_setup
D="$T/a-directory-with-a-rather-long-name/and-another-one-below-it"
mkdir -p "$D"
cp "$SAMPLE" "$D/softhsm-basic.log"
LONGF='func == C_GetTokenInfo || func == C_GetMechanismInfo || func == C_Login || func == C_OpenSession'
n=$("$HS" grep "$D/softhsm-basic.log" --count "$LONGF") || fail "grep --count"

E='…'
for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$D/softhsm-basic.log\""
	wait_for "No\. +Time"
	keys / "$LONGF" Enter
	wait_for "$n of [0-9]+ match"
	keys Tab z
	wait_for "\[ZOOM\]"
	if [ "$1" = 200 ]; then
		row 1 | grep -qF "$LONGF" || fail "200x50: the filter is cut: $(row 1)"
		screen | grep -Eq "File: .*softhsm-basic\.log, line [0-9]+, byte [0-9]+$" ||
			fail "200x50: the File line is cut"
	else
		row 1 | grep -q "func == C_GetTokenInfo .*$E" || fail "80x24: the filter's cut has no ellipsis: $(row 1)"
		screen | grep -q "^    File: .*$E$" || fail "80x24: the long File line has no ellipsis"
	fi
	keys Tab
	wait_for "^ Raw"
	if [ "$1" = 200 ]; then
		screen | grep -q "^ Raw.*control bytes escaped)$" || fail "200x50: the raw title is cut"
		screen | grep -Eq "^ \(file lines [0-9]+-[0-9]+: this call's [0-9]+ marked >\)$" ||
			fail "200x50: the raw pane's first line is cut"
	else
		row 2 | grep -q "^ Raw.*$E$" || fail "80x24: the raw title's cut has no ellipsis: $(row 2)"
		# the Raw pane shows the file's own lines; its first line fits 80 columns
		row 3 | grep -Eq "^ \(file lines [0-9]+-[0-9]+: this call's [0-9]+ marked >\)$" ||
			fail "80x24: the raw pane's first line: $(row 3)"
	fi
	# typing: the cursor at the end scrolls the start out, the start (Ctrl-A)
	# the end: either shows as an ellipsis
	keys z Tab /
	wait_for "typing a filter"
	if [ "$1" = 80 ]; then
		row 1 | grep -q "^Filter: $E" || fail "80x24: the scrolled-out start has no ellipsis: $(row 1)"
		keys C-a
		wait_for "^Filter: func == C_GetTokenInfo .*$E"
		screen | tail -n 1 | grep -q "typing a filter" || fail "80x24: the bar closed"
	else
		row 1 | grep -qF "$LONGF" || fail "200x50: the edited filter is cut: $(row 1)"
	fi
	keys Escape q
	wait_for "HS-EXIT:0"
done
echo "ok: ellipsis"
