# lib.sh — shared by the TUI tests: hsmscope runs in a private tmux server
# (its own socket, no config), the test types with send-keys and reads the
# screen with capture-pane, polling for a marker with a timeout — never a
# fixed sleep. Sourced, not run. Exit 77 = skipped.
#
# After tui_setup: $T (scratch, removed on exit), $SAMPLE, and
#   tui_start W H CMD...   run CMD in a W x H pane, then keep a shell
#   keys ARGS...           tmux send-keys
#   screen                 the pane as text
#   wait_for REGEX [SECS]  until the screen matches (else fail with the screen)
#   row N                  line N (1-based) of the screen
set -u
fail() {
	echo "FAIL: $*" >&2
	echo "--- screen ---" >&2
	screen >&2 2>/dev/null || true
	exit 1
}
skip() { echo "$*"; exit 77; }

tui_setup() {
	command -v tmux >/dev/null || skip "no tmux (Debian tmux)"
	[ -x "$HS" ] || skip "no $HS: build first"
	T=$(mktemp -d "${TMPDIR:-/tmp}/hstui.XXXXXX")
	SOCK="hs$$"
	SOCKS=""
	NSTART=0
	trap 'for s in $SOCKS; do tmux -L "$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
	export XDG_CACHE_HOME="$T/cache" XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config"
	SAMPLE="$ROOT/share/samples/softhsm-basic.log"
}

# tui_start W H CMD...: CMD runs under sh in the pane; when it ends the pane
# shows "HS-EXIT:<status>" and the terminal state (stty) is saved to $T/stty.
tui_start() {
	w=$1 h=$2
	shift 2
	printf '%s\n' "$*" >"$T/cmd"
	cat >"$T/run.sh" <<RUN
export XDG_CACHE_HOME="$XDG_CACHE_HOME" XDG_STATE_HOME="$XDG_STATE_HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME"
export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
${TUI_ENV:-}
trap 'true' INT   # Ctrl-C is for the program under test, not this shell
. "$T/cmd"
echo "HS-EXIT:\$?"
stty -a >"$T/stty"
exec sh
RUN
	# a fresh private server per start (hs<pid>, hs<pid>_1, ...)
	[ "$NSTART" = 0 ] || SOCK="hs$$_$NSTART"
	NSTART=$((NSTART + 1))
	SOCKS="$SOCKS $SOCK"
	tmux -L "$SOCK" -f /dev/null new-session -d -x "$w" -y "$h" "sh $T/run.sh"
}

keys() { tmux -L "$SOCK" send-keys "$@"; }
screen() { tmux -L "$SOCK" capture-pane -p; }
row() { screen | sed -n "$1p"; }
# the screen with its attributes: a moved highlight changes it even where
# the text does not (a cursor moving inside a pane)
screen_attrs() { tmux -L "$SOCK" capture-pane -p -e; }

# press KEY...: send the keys, then wait until the screen (attributes
# included) changes; at most 2 s, for a key that changes nothing (j on a
# pane's last line)
press() {
	before=$(screen_attrs)
	keys "$@"
	pi=0
	while [ "$(screen_attrs)" = "$before" ] && [ "$pi" -lt 40 ]; do
		sleep 0.05
		pi=$((pi + 1))
	done
}

# scroll_to REGEX [MAX]: j in the focused pane until REGEX shows, at most
# MAX (60) steps
scroll_to() {
	k=0
	while ! screen | grep -Eq -- "$1"; do
		[ "$k" -lt "${2:-60}" ] || fail "never showed /$1/"
		press j
		k=$((k + 1))
	done
}

# big_log FILE N SECS: FILE holds the sample N times, then that whole
# repeated as often as makes indexing it last about SECS seconds on this
# machine (at most 8 times), so that a test that acts while a log loads
# does not depend on the machine's speed. Sets big_k (the repeats).
big_log() {
	bi=0
	while [ $bi -lt "$2" ]; do cat "$SAMPLE"; bi=$((bi + 1)); done >"$1"
	ba=$(date +%s%N)
	"$HS" index "$1" --index "$T/probe.db" >/dev/null 2>&1 || fail "$1 could not be indexed"
	bb=$(date +%s%N)
	rm -f "$T"/probe.db*
	bms=$(((bb - ba) / 1000000))
	[ "$bms" -gt 0 ] || bms=1
	big_k=$(((${3} * 1000 + bms - 1) / bms))
	[ "$big_k" -le 8 ] || big_k=8
	if [ "$big_k" -gt 1 ]; then
		mv "$1" "$T/big-unit.log"
		bi=0
		while [ $bi -lt "$big_k" ]; do cat "$T/big-unit.log"; bi=$((bi + 1)); done >"$1"
		rm -f "$T/big-unit.log"
	else
		big_k=1
	fi
}

wait_for() {
	pat=$1
	secs=${2:-10}
	i=0
	while [ "$i" -lt $((secs * 20)) ]; do
		if screen | grep -E -q -- "$pat"; then
			return 0
		fi
		i=$((i + 1))
		sleep 0.05
	done
	fail "timed out waiting for /$pat/"
}

# The status line's "No. N".
selected() { screen | tail -n 1 | sed -n 's/.*No\. \([0-9]*\).*/\1/p'; }
