# readme_shots.sh — the README's pictures say what the demo shows (issue 17:
# the old caption said the failed C_Login was selected, but the demo opens
# at No. 1). The captions name the keys; this presses them on `make demo`'s
# command and checks what the captions claim, at the pictures' 120x36 and at
# 200x50 and 80x24. (share/screenshot.sh makes the pictures themselves.)
. "$(dirname "$0")/lib.sh"
tui_setup
R="$ROOT/README.md"
grep -q "make demo, then e four times: the failed C_Login (No. 166" "$R" || fail "README: the caption"
grep -q "make demo\`, then \`t\`" "$R" || fail "README: the timeline's caption"
grep -q '^	\./hsmscope share/samples/softhsm-basic\.log$' "$ROOT/Makefile" || fail "make demo's command"

for size in "120 36" "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "cd \"$ROOT\" && \"$HS\" share/samples/softhsm-basic.log"
	wait_for "No\. +Time"
	screen | tail -n 1 | grep -q "No\. 1 " || fail "$1x$2: the demo does not open at No. 1"
	keys e e e e
	wait_for "Detail of event 166 C_Login"
	screen | tail -n 1 | grep -q "No\. 166 " || fail "$1x$2: not No. 166"
	screen | grep -q "CKR_PIN_INCORRECT" || fail "$1x$2: not the failed login"
	keys t
	wait_for "Timeline: 2026"
	# the caption: 3, 6 and 7 end with failed calls, 5 has its wrong PIN;
	# 1, 2 and 4 have none
	for p in 3 6 7; do
		screen | grep -E "^process #$p " | grep -q "x[ |]*$" || fail "$1x$2: process #$p does not end with x"
	done
	screen | grep -E "^process #5 " | grep -q "x" || fail "$1x$2: process #5 shows no x"
	for p in 1 2 4; do
		screen | grep -E "^process #$p " | grep -q "x" && fail "$1x$2: process #$p shows an x"
	done
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
