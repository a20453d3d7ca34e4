# lib.sh — the hostile-input harness. Each test makes its input (generated,
# not committed, when big), then `hostile FILE WANT [PATTERN]` runs it
# through analyze, export and a headless explorer pass, each under a time
# limit and a memory cap, and checks:
#   - the exit status is WANT (0: events read, 2: a clear input error) —
#     never a signal or a sanitizer report;
#   - on WANT=2, stderr is one line naming the file (and PATTERN, if given);
#   - on WANT=0, analyze's JSON parses and export's JSON has every event;
#   - the explorer opens and quits with exit status WANT.
# Sourced, not run; $HS and $ROOT come from test/run.sh.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/hshostile.XXXXXX")
SOCK="hh$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$T"' EXIT INT TERM
export XDG_CACHE_HOME="$T/cache" XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config"
SAMPLE="$ROOT/share/samples/softhsm-basic.log"
LIMIT_S=${HOSTILE_SECONDS:-60}        # per command
LIMIT_KB=${HOSTILE_KB:-1048576}       # address space cap (ASan needs more: off then)

# run_capped OUT ERR CMD...: the command with the time and memory caps
run_capped() {
	out=$1 err=$2
	shift 2
	set +e
	if [ -n "${HS_SANITIZED:-}" ]; then
		timeout -k 5 "$((LIMIT_S * 3))" "$@" >"$out" 2>"$err"
	else
		(ulimit -v "$LIMIT_KB"; exec timeout -k 5 "$LIMIT_S" "$@") >"$out" 2>"$err"
	fi
	st=$?
	set -e
	return 0
}

hostile() { # FILE WANT [PATTERN]
	f=$1 want=$2 pat=${3:-}
	name=$(basename "$f")
	rm -f "$T/ix.db"
	run_capped "$T/a.out" "$T/a.err" "$HS" analyze "$f" --format json --index "$T/ix.db" --rebuild
	[ "$st" = "$want" ] || { cat "$T/a.err" >&2; fail "$name: analyze exit $st, want $want"; }
	if [ "$want" = 2 ]; then
		[ "$(wc -l <"$T/a.err")" = 1 ] || { cat "$T/a.err" >&2; fail "$name: the error is not one line"; }
		grep -qF "$name" "$T/a.err" || fail "$name: the error does not name the file: $(cat "$T/a.err")"
		[ -z "$pat" ] || grep -qE "$pat" "$T/a.err" || fail "$name: error '$(cat "$T/a.err")' lacks /$pat/"
		[ ! -e "$T/ix.db" ] || fail "$name: an index was left behind for a bad input"
	else
		jq -e '.total_calls >= 0' "$T/a.out" >/dev/null || fail "$name: analyze JSON"
		n=$(jq .total_calls "$T/a.out")
		run_capped "$T/e.out" "$T/e.err" "$HS" export "$f" --index "$T/ix.db"
		[ "$st" = 0 ] || { cat "$T/e.err" >&2; fail "$name: export exit $st"; }
		[ "$(jq length "$T/e.out")" = "$n" ] || fail "$name: export has $(jq length "$T/e.out") of $n events"
	fi
	tui "$f" "$want"
	echo "ok: $name (exit $want${n:+, $n events})"
	n=
}

# tui FILE WANT: open the explorer in tmux, go to the end, quit
tui() {
	command -v tmux >/dev/null || return 0
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	printf '%s\n' "export TERM=xterm-256color LANG=C.UTF-8 XDG_CACHE_HOME='$T/cache2' XDG_STATE_HOME='$T/state'" \
		"\"$HS\" \"$1\" 2>\"$T/tui.err\"; echo HS-EXIT:\$?; exec sleep 60" >"$T/tui.sh"
	tmux -L "$SOCK" -f /dev/null new-session -d -x 100 -y 30 "sh $T/tui.sh"
	i=0
	until tmux -L "$SOCK" capture-pane -p | grep -qE 'No\. +Time|HS-EXIT:'; do
		i=$((i + 1))
		[ "$i" -lt $((LIMIT_S * 10)) ] || fail "$(basename "$1"): the explorer showed nothing"
		sleep 0.1
	done
	if ! tmux -L "$SOCK" capture-pane -p | grep -q 'HS-EXIT:'; then
		tmux -L "$SOCK" send-keys G
		sleep 0.2
		tmux -L "$SOCK" send-keys q
	fi
	i=0
	until tmux -L "$SOCK" capture-pane -p | grep -q 'HS-EXIT:'; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || fail "$(basename "$1"): the explorer did not quit"
		sleep 0.1
	done
	got=$(tmux -L "$SOCK" capture-pane -p | sed -n 's/.*HS-EXIT:\([0-9]*\).*/\1/p' | head -n 1)
	[ "$got" = "$2" ] || { cat "$T/tui.err" >&2; fail "$(basename "$1"): explorer exit $got, want $2"; }
	tmux -L "$SOCK" kill-server 2>/dev/null || true
}

# A spy call, for building logs: call N FUNC
call() {
	printf '%s: %s\n2026-11-22 12:03:09.%03d\n[in] hSession = 0x1\nReturned:  0 CKR_OK\n\n' "$1" "$2" "$(($1 % 1000))"
}
banner() { printf '\n\n*************** OpenSC PKCS#11 spy *****************\nLoaded: "/usr/lib/softhsm/libsofthsm2.so"\n\n'; }
