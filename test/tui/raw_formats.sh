# raw_formats.sh — the Raw pane is the file's own lines for every tracer,
# not only the spy (issue 17 item 3): a p11-kit call, a pkcs11-logger call
# whose thread's lines lie among another thread's, a libpkcs11shim call
# split by another call's lines, a tpm2-pkcs11 C_Login and a CloudHSM
# audit entry each show the file's lines of their window in file order,
# the call's marked '>' and the others' unmarked, at 200x50 and 80x24
# (the pane scrolled to the window's last line). Masking keeps the
# p11-kit PIN out.
. "$(dirname "$0")/lib.sh"
tui_setup
F="$ROOT/test/fixtures"

# the file's line i of L with its mark, as the pane begins to draw it in
# w columns (a longer line ends in an ellipsis)
want() { printf '%s%s\n' "$4" "$(sed -n "$3p" "$2" | sed 's/ *$//')" | cut -c1-$(($1 - 2)) | sed 's/ *$//'; }
# has ROW: a row of the pane begins with ROW
has() { awk -v p="$1" 'index($0, p) == 1 { f = 1 } END { exit !f }' "$T/got"; }

# case FILE EVENT FUNC FIRST LAST OWN MARKED UNMARKED: the pane of event
# EVENT (FUNC) shows file lines FIRST-LAST with OWN of them marked, line
# MARKED among them marked, line UNMARKED (0: none) unmarked.
check() {
	L=$1 ev=$2 fn=$3 a=$4 b=$5 own=$6 mk=$7 um=$8
	tui_start "$W" "$H" "\"$HS\" \"$L\""
	wait_for "No\. +Time"
	keys : "$ev" Enter
	wait_for "Detail of event $ev $fn"
	wait_for "file lines $a-$b: this call's $own marked >"
	keys Tab Tab # focus the raw pane
	# the pane's rows, gathered while moving down through all of them
	: >"$T/got"
	n=0
	while [ $n -le $((b - a + 2)) ]; do
		screen | sed -n '/^ Raw: /,$p' | sed '$d' | sed 's/ *$//' >>"$T/got"
		keys Down
		sleep 0.1
		n=$((n + 1))
	done
	screen | sed -n '/^ Raw: /,$p' | sed '$d' | sed 's/ *$//' >>"$T/got"
	# the window's first line is the call's, marked
	has "$(want "$W" "$L" "$a" ">")" ||
		fail "${W}x$H $L: the window's first line $a is not shown marked"
	has "$(want "$W" "$L" "$mk" ">")" ||
		fail "${W}x$H $L: line $mk is not shown marked"
	if [ "$um" != 0 ]; then
		has "$(want "$W" "$L" "$um" " ")" ||
			fail "${W}x$H $L: line $um (another call's) is not shown unmarked"
	fi
	if grep -q 'so-pin-8642\|user-pin' "$T/got"; then
		fail "${W}x$H $L: a PIN shows in the raw pane"
	fi
	keys q
	wait_for "HS-EXIT:0"
}

for size in "200 50" "80 24"; do
	set -- $size
	W=$1 H=$2
	# p11-kit C_Login (lines 16-20), its PIN masked
	check "$F/p11kit/pins.log" 4 C_Login 16 20 5 18 0
	# the logger's C_OpenSession of one thread: its separator (177), then
	# the other thread's call from 178, its own lines from 194 on
	check "$F/logger/threads.log" 10 C_OpenSession 177 210 17 194 178
	# the shim's C_Digest [cnt] at 119, another call's [cnt] at 121
	check "$F/shim/threads.log" 9 C_Digest 119 142 11 119 121
	# tpm2-pkcs11's failed C_Login: enter, the module's messages, return
	check "$F/tpm2/pkcs11-tool.log" 7 C_Login 14 17 4 14 0
	# a CloudHSM audit entry of ten lines
	check "$F/cloudhsm/doc-examples.log" 3 CN_CREATE_APPLIANCE_USER 19 28 10 23 0
done
echo "ok"
