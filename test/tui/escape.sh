# escape.sh — control bytes in a log never reach the terminal: an ESC shows
# as \e, a BEL as \x07, and an OSC title sequence does not retitle the pane.
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
echo "ok"
