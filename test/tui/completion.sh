# completion.sh — the filter bar completes with Tab (issue 17, item 5), at
# 200x50 and 80x24: field names, function names and constants (CKR_, CKM_;
# case ignored: ckr_pin_inc becomes CKR_PIN_INCORRECT), several candidates
# extend the word to what they share and are listed on the status line; an
# unknown function name (func == C_Nope) is flagged while typing, with the
# CLI's own message.
. "$(dirname "$0")/lib.sh"
tui_setup
nlist=$("$HS" grep "$SAMPLE" --count 'func == C_GetMechanismList') || fail "grep --count"
"$HS" grep "$SAMPLE" 'func == C_Nope' >/dev/null 2>"$T/cli.err" && fail "the CLI takes C_Nope"
grep -q "'C_Nope' is not a known function" "$T/cli.err" || fail "CLI: $(cat "$T/cli.err")"

bar() { row 1; }
for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	keys /
	wait_for "typing a filter"
	# a field
	keys fu Tab
	wait_for "^Filter: func  "
	# a function: the candidates that share C_Log are listed
	keys "== C_Log" Tab
	wait_for "3 completions: C_Login C_LoginUser C_Logout"
	bar | grep -q "^Filter: func == C_Log " || fail "$1x$2: $(bar)"
	keys C-w C_GetMechanismL Tab
	wait_for "^Filter: func == C_GetMechanismList +ok"
	keys Enter
	wait_for "$nlist of [0-9]+ match"
	# a constant, its case put right
	keys / C-u "rv == ckr_pin_inc" Tab
	wait_for "^Filter: rv == CKR_PIN_INCORRECT +ok"
	# a mechanism: the shared part, then the list
	keys C-u "rv != CKM_SHA256_RSA" Tab
	wait_for "completions: CKM_SHA256_RSA_PKCS"
	bar | grep -q "CKM_SHA256_RSA_PKCS" || fail "$1x$2: not extended: $(bar)"
	# nothing starts with it
	keys C-u "rv == CKR_NOPE" Tab
	wait_for "Tab: no constant or function starts with 'CKR_NOPE'"
	# an unknown function name is flagged while typing, as the CLI does
	keys C-u "func == C_Nope"
	wait_for "'C_Nope' is not a known function"
	bar | grep -q " bad " || fail "$1x$2: the bar is not marked bad: $(bar)"
	keys Enter
	sleep 0.2
	bar | grep -q "C_Nope" || fail "$1x$2: the bar closed on a bad filter"
	keys Escape q
	wait_for "HS-EXIT:0"
done
echo "ok: completion"
