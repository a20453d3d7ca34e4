# raw_file.sh — the Raw pane is the file's own lines (issue 16 item 2,
# issue 17 item 3): on an interleaved threaded capture (OpenSC 0.26's spy,
# test/fixtures/spy/threads-new.log), C_Sign No. 5 wrote lines 37-41 and
# 49-53 while another thread's C_SignInit wrote 42-48 between them. The
# pane shows lines 37-53 in file order, byte for byte as the file has
# them, the C_Sign's marked '>' and the C_SignInit's unmarked, at 200x50
# and 80x24 (where the pane is scrolled to its end).
. "$(dirname "$0")/lib.sh"
tui_setup
L="$ROOT/test/fixtures/spy/threads-new.log"
# what the pane must show: each file line with its mark
i=37
while [ $i -le 53 ]; do
	m=" "
	{ [ $i -le 41 ] || [ $i -ge 49 ]; } && m=">"
	printf '%s%s\n' "$m" "$(sed -n "${i}p" "$L" | sed 's/ *$//')"
	i=$((i + 1))
done >"$T/want"
for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$L\""
	wait_for "No\. +Time"
	keys : 5 Enter
	wait_for "Detail of event 5 C_Sign"
	wait_for "file lines 37-53: this call's 10 marked >"
	keys Tab Tab # focus the raw pane
	# the pane's rows (from its title on), gathered while scrolling to its end
	: >"$T/got"
	n=0
	while :; do
		screen | sed -n '/^ Raw: /,$p' | sed '$d' | sed 's/ *$//' >>"$T/got"
		grep -q '^>Returned:  0 CKR_OK' "$T/got" && break
		n=$((n + 1))
		[ $n -le 30 ] || fail "$1x$2: the C_Sign's Returned never showed in the raw pane"
		keys Down
		sleep 0.1
	done
	# every shown line of the window is the file's, with the right mark
	cut -c1-"$1" "$T/want" >"$T/want_cut"
	shown=$(grep -c -x -F -f "$T/want_cut" "$T/got")
	[ "$shown" -ge 4 ] || fail "$1x$2: only $shown file lines in the raw pane"
	# the other thread's lines between are shown, unmarked
	grep -q -x ' 5: C_SignInit' "$T/got" || fail "$1x$2: the C_SignInit's header is not shown unmarked"
	grep -q -x ' \[in\] hKey = 0x9' "$T/got" || fail "$1x$2: the C_SignInit's hKey line is not shown unmarked"
	grep -q -x -F "$(sed -n 13p "$T/want_cut")" "$T/got" || fail "$1x$2: the C_Sign's second dump row is not marked"
	# no line of the pane is anything but a file line of the window
	sed -n '/^[ >~]/p' "$T/got" | grep -v '^ Raw: \|^ (\|^ *$' | while IFS= read -r l; do
		grep -q -x -F -- "$l" "$T/want_cut" || { echo "not a file line: $l"; exit 1; }
	done || fail "$1x$2: the raw pane shows a line the file does not have there"
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
