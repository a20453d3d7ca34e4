# raw_bytes.sh — the bytes that reach the terminal, not what the screen
# shows: a log carrying an OSC 52 clipboard write, a CSI, a title OSC and
# BELs is opened in every view (list, detail, raw, sessions, statistics,
# help) and printed by grep, analyze and sessions on a terminal (script(1));
# tmux's pipe-pane records the raw output. No ESC from the log and no BEL
# may be in it: each must arrive as the escaped text \e / \x07. The same
# for a right-to-left override (U+202E), an isolate (U+2066) and an 8-bit
# CSI (C1 U+009B) in the label and the return code: \u202E, \xC2\x9B.
. "$(dirname "$0")/lib.sh"
tui_setup
command -v script >/dev/null || skip "no script(1) (bsdutils)"
L="$T/hostile.log"
esc=$(printf '\033')
bel=$(printf '\007')
rlo=$(printf '\342\200\256')
lri=$(printf '\342\201\246')
c1=$(printf '\302\233')
cat >"$L" <<LOG

*************** OpenSC PKCS#11 spy *****************
Loaded: "/usr/lib/softhsm/libsofthsm2.so"

0: C_OpenSession
2026-11-22 12:03:09.513
[in] slotID = 0x0
[out] *phSession = 0x1
Returned:  0 CKR_OK

1: C_GetTokenInfo
2026-11-22 12:03:09.515
[in] hSession = 0x1
[out] pInfo: 
      label:                  '${esc}]52;c;SFNQV05FRA==${bel}${esc}[2J${esc}]0;pwned${bel}${rlo}exe.txt${lri}${c1}2J'
Returned:  0 CKR_OK

2: C_GetTokenInfo
2026-11-22 12:03:09.517
[in] hSession = 0x1
Returned:  5 R${rlo}V${c1}2J${esc}]52;c;SFNQV05FRA==${bel}

3: C_CloseSession
2026-11-22 12:03:09.519
[in] hSession = 0x1
Returned:  0 CKR_OK
LOG
# no ESC directly before the payload, and no BEL at all
nobidi() { # FILE WHAT
	for s in "$rlo" "$lri" "$c1"; do
		if grep -qF "$s" "$1"; then fail "$2: a bidi or C1 control reached the terminal"; fi
	done
}
clean_nomark() { # FILE WHAT: for outputs that do not print detail lines
	if grep -q "$bel" "$1"; then fail "$2: a BEL reached the terminal"; fi
	if grep -q "${esc}]52;" "$1"; then fail "$2: an OSC 52 reached the terminal"; fi
	nobidi "$1" "$2"
}
clean() { # FILE WHAT
	if grep -q "$bel" "$1"; then fail "$2: a BEL reached the terminal"; fi
	if grep -q "${esc}]52;" "$1"; then fail "$2: an OSC 52 reached the terminal"; fi
	nobidi "$1" "$2"
	if grep -q "${esc}]0;pwned" "$1"; then fail "$2: a title OSC reached the terminal"; fi
	grep -q 'SFNQV05FRA==' "$1" || fail "$2: the escaped text is not shown at all"
}
for cmd in "grep \"$L\" --color always 'SFNQ'" "analyze \"$L\"" "sessions \"$L\"" \
	"export \"$L\" --format csv" "analyze \"$L\" --format openmetrics" \
	"sql \"$L\" 'SELECT rv_name, detail FROM events'" \
	"sql \"$L\" --format csv 'SELECT rv_name, detail FROM events'"; do
	script -q -e -c "\"$HS\" $cmd" "$T/typescript" >/dev/null 2>&1 || fail "script: $cmd"
	if grep -q 'SFNQV05FRA==' "$T/typescript"; then
		clean "$T/typescript" "$cmd"
	else
		clean_nomark "$T/typescript" "$cmd"
		case $cmd in export*) fail "CSV on a terminal does not show the detail line" ;; esac
	fi
done

tui_start 120 40 "\"$HS\" \"$L\""
tmux -L "$SOCK" pipe-pane -o "cat >>\"$T/raw.bin\""
wait_for "No\. +Time"
keys : 3 Enter
wait_for "Detail of event 3"
keys : 2 Enter
wait_for "Detail of event 2"
keys Tab Tab
sleep 0.3
keys s
wait_for "Sessions and logins"
keys Right Right Down Down Down
sleep 0.3
keys Escape i
wait_for "Return codes"
keys Escape '\;'
wait_for "SQL \(read-only\): SELECT"
keys C-u "SELECT rv_name, detail FROM events" Enter
wait_for "rv_name +detail"
# back to the list (the raw pane has the focus, where / searches the pane)
keys Escape Tab /
keys 'text ~ "52"' Enter
wait_for "of 4 match"
keys q
wait_for "HS-EXIT:0"
sleep 0.3
[ -s "$T/raw.bin" ] || fail "pipe-pane recorded nothing"
clean "$T/raw.bin" "explorer"
echo "ok"
