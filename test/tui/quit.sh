# quit.sh — every exit path gives the terminal back: q, Ctrl-C and SIGTERM
# each leave the alternate screen, bring the shell prompt back and restore
# the tty modes (echo, canonical input).
. "$(dirname "$0")/lib.sh"
tui_setup

check_restored() { # how
	wait_for "HS-EXIT:$2"
	[ "$(tmux -L "$SOCK" display -p '#{alternate_on}')" = 0 ] || fail "$1: still on the alternate screen"
	i=0
	while [ ! -s "$T/stty" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	grep -Eq '(^| )icanon( |$)' "$T/stty" || fail "$1: canonical mode not restored"
	grep -Eq '(^| )echo( |$)' "$T/stty" || fail "$1: echo not restored"
	# the shell answers
	keys 'echo SHELL-$((6*7))' Enter
	wait_for "SHELL-42"
	tmux -L "$SOCK" kill-server
	rm -f "$T/stty"
}

tui_start 100 30 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
[ "$(tmux -L "$SOCK" display -p '#{alternate_on}')" = 1 ] || fail "not on the alternate screen"
keys q
check_restored q 0

tui_start 100 30 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
keys C-c
check_restored Ctrl-C 0

tui_start 100 30 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
# the pane runs sh, whose child is hsmscope: SIGTERM it
pid=$(pgrep -P "$(tmux -L "$SOCK" display -p '#{pane_pid}')" | head -n 1)
[ -n "$pid" ] || fail "cannot find the program's pid"
kill -TERM "$pid"
check_restored SIGTERM 0
echo "ok"
