# escape.sh — control bytes in a log never reach the terminal: an ESC shows
# as \e, a BEL as \x07, and an OSC title sequence does not retitle the pane.
# Then a log (and a file name) full of bidi controls, C1 and ESC: the list,
# the detail, the raw pane and the SQL view show \u202E, \xC2\x9B, \e;
# the pane holds no right-to-left override and no C1 character.
. "$(dirname "$0")/lib.sh"
tui_setup
L="$T/esc.log"
esc=$(printf '\033')
bel=$(printf '\007')
cat >"$L" <<LOG

*************** OpenSC PKCS#11 spy *****************
Loaded: "/usr/lib/softhsm/libsofthsm2.so"

0: C_Initialize
2026-11-22 12:03:09.513
[in] pInitArgs = (nil)
Returned:  0 CKR_OK

1: C_GetTokenInfo
2026-11-22 12:03:09.515
[in] slotID = 0x0
[out] pInfo: 
      label:                  '${esc}[31mRED${esc}]2;pwned${bel}'
      manufacturerID:         'SoftHSM project                 '
Returned:  0 CKR_OK

2: C_Finalize
2026-11-22 12:03:09.519
[in] pReserved = (nil)
Returned:  0 CKR_OK
LOG
grep -q "$esc" "$L" || fail "fixture has no ESC"
tmux_title_before=x
tui_start 120 40 "\"$HS\" \"$L\""
wait_for "No\. +Time"
keys j
wait_for "Detail of event 2 C_GetTokenInfo"
wait_for 'label: .*\\e\[31mRED\\e\]2;pwned\\x07'
screen | grep -q 'pwned' || fail "the label is not shown"
[ "$(tmux -L "$SOCK" display -p '#{pane_title}')" != pwned ] || fail "an OSC sequence from the log retitled the pane"
# with escapes: the only sequences are the UI's own colours, never 31m RED
if tmux -L "$SOCK" capture-pane -p -e | grep -q "${esc}\[31mRED"; then
	fail "a raw ESC from the log reached the terminal"
fi
keys q
wait_for "HS-EXIT:0"

# bidi: an RLO would show "exe.txt" as "txt.exe"; it must show as \u202E
rlo=$(printf '\342\200\256')
lri=$(printf '\342\201\246')
c1=$(printf '\302\233')
B="$T/bidi${rlo}gol.txt${esc}[7m.log"
cat >"$B" <<LOG

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
      label:                  'lbl${rlo}exe.txt${lri}I${c1}2J${esc}[5mEND'
Returned:  5 RV${rlo}X${esc}[1m

2: C_CloseSession
2026-11-22 12:03:09.519
[in] hSession = 0x1
Returned:  0 CKR_OK
LOG
no_raw() { # WHAT: neither the screen text nor the raw pane holds the controls
	for s in "$rlo" "$lri" "$c1"; do
		if screen | grep -qF "$s"; then fail "$1: a raw bidi or C1 control is on screen"; fi
	done
	if tmux -L "$SOCK" capture-pane -p -e | grep -qF "${esc}[5m"; then
		fail "$1: a raw ESC from the log reached the terminal"
	fi
}
tui_start 140 40 "\"$HS\" \"$B\" --index \"$T/b.db\""
wait_for "No\. +Time"
wait_for 'RV\\u202EX\\e\[1m'
no_raw "list"
keys : 2 Enter
wait_for "Detail of event 2"
wait_for "label: .*lbl\\\\u202Eexe\\.txt\\\\u2066I\\\\xC2\\\\x9B2J\\\\e\\[5mEND"
no_raw "detail"
keys Tab Tab
wait_for "lbl\\\\u202Eexe"
no_raw "raw pane"
keys Escape
keys '\;'
wait_for "SQL \(read-only\): SELECT"
keys C-u "SELECT e.rv_name, f.path FROM events e JOIN files f ON f.id = e.file_id WHERE e.rv = 5" Enter
wait_for "rv_name +path"
wait_for 'RV\\u202EX\\e\[1m +.*bidi\\u202Egol\.txt\\e\[7m\.log'
no_raw "sql view"
keys Escape
wait_for "No\. +Time"
keys q
wait_for "HS-EXIT:0"

# the explorer's own error (not a log), naming a file whose name holds an
# OSC 52 and an RLO
head -c 3000 /dev/zero >"$T/gone${esc}]52;c;SFNQ${bel}${rlo}.log"
tui_start 140 10 "\"$HS\" \"$T/gone${esc}]52;c;SFNQ${bel}${rlo}.log\""
wait_for "HS-EXIT:2"
wait_for 'gone\\e\]52;c;SFNQ\\x07\\u202E\.log'
no_raw "the explorer's error"
echo "ok"
