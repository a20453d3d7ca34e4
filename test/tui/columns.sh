# columns.sh — the list's columns fit their content and never cut a value
# silently (issue 17), at 200x50 and 80x24: per-format default columns
# (spy: pid:tid, session, mechanism, object; CloudHSM: HSM, seq, user,
# opcode, response); session handles, pid:tid and return codes are whole;
# the summary takes what is left; what a narrow
# screen cuts ends in an ellipsis (`~` outside UTF-8) and the columns never
# run together; the `columns` setting keeps the widths; at 80x24 the list
# shows at least 12 events.
. "$(dirname "$0")/lib.sh"
tui_setup
HSM="$ROOT/share/samples/hsm-abcde123456.log"
SPY26="$ROOT/share/samples/softhsm-basic-opensc026.log"
LONG="$ROOT/test/fixtures/spy/long-names.log"

# the list's rows (screen lines 3 .. the detail title)
rows() { screen | sed -n '3,$p' | sed '/Detail of event/,$d'; }

for size in "200 50" "80 24"; do
	set -- $size
	# CloudHSM: an audit log's columns; two sessions differing in the last digit
	tui_start "$1" "$2" "\"$HS\" \"$HSM\""
	wait_for "No\. +Time"
	if [ "$1" = 200 ]; then
		row 2 | grep -Eq "No\. +Time +HSM +Seq +User +Opcode +Response +Sess +Summary" ||
			fail "200x50: not the audit log's default columns"
	else # the sequence number gives way first
		row 2 | grep -Eq "No\. +Time +HSM +User +Opcode +Response +Sess" ||
			fail "80x24: not the audit log's default columns"
	fi
	rows | grep -Eq " ExampleUser +CN_LOGIN " || fail "$1x$2: no user column"
	rows | grep -Eq " 0xc008002( |$)" || fail "$1x$2: session 0xc008002 is cut"
	rows | grep -Eq " 0xc008004( |$)" || fail "$1x$2: session 0xc008004 is cut"
	keys q
	wait_for "HS-EXIT:0"

	# spy 0.26: the thread id is whole; at 80x24 the list has 12 events
	tui_start "$1" "$2" "\"$HS\" \"$SPY26\""
	wait_for "No\. +Time"
	rows | grep -q " 30222:139821603928128 " || fail "$1x$2: pid:tid is cut"
	[ "$(rows | grep -Ec '^ +[0-9]+ ')" -ge 12 ] || fail "$1x$2: fewer than 12 events listed"
	keys q
	wait_for "HS-EXIT:0"

	# long return codes are whole, and the summary still gets its room
	tui_start "$1" "$2" "\"$HS\" \"$LONG\""
	wait_for "No\. +Time"
	# a call trace's columns: the mechanism and object when there is room
	if [ "$1" = 200 ]; then
		row 2 | grep -Eq "Source +Function +Result +Dur +Sess +Mechanism +Object +Summary" ||
			fail "200x50: not the call trace's default columns"
		rows | grep -Eq "^ +4 .* 0xc008002 +CKM_SHA256_RSA_PKCS +0x2 " || fail "200x50: no mechanism/object"
	else # they give way first (the summary repeats them)
		row 2 | grep -Eq "Mechanism|Object" && fail "80x24: mechanism and object should give way"
		row 2 | grep -Eq "Result +Dur +Sess" || fail "80x24: no Result, Dur, Sess"
	fi
	for rv in CKR_KEY_FUNCTION_NOT_PERMITTED CKR_TEMPLATE_INCOMPLETE CKR_TEMPLATE_INCONSISTENT; do
		rows | grep -Eq " $rv( |$)" || fail "$1x$2: $rv is cut"
	done
	if [ "$1" = 200 ]; then
		rows | grep -q "CKR_TEMPLATE_INCOMPLETE .*session=0xc008004 mech=CKM_AES_KEY_GEN" ||
			fail "200x50: the summary should follow the result"
	fi
	keys q
	wait_for "HS-EXIT:0"
done

# `columns` in the config: the chosen columns get the same widths
mkdir -p "$T/config/hsmscope"
printf 'columns = n, rv, func, summary\n' >"$T/config/hsmscope/config"
tui_start 80 24 "\"$HS\" \"$LONG\""
wait_for "No\. +Result +Function +Summary"
rows | grep -q "^ *4 CKR_KEY_FUNCTION_NOT_PERMITTED C_SignInit " || fail "configured columns cut the result"
keys q
wait_for "HS-EXIT:0"
rm "$T/config/hsmscope/config"

# 60 columns: values are cut, each cut ends in an ellipsis, and every
# column keeps its separating blank; without UTF-8 the ellipsis is `~`
for loc in C.UTF-8 C; do
	[ "$loc" = C ] && e='~' || e='…'
	TUI_ENV="export LANG=$loc LC_ALL=$loc" tui_start 60 24 "\"$HS\" \"$LONG\""
	wait_for "No\. +Time"
	rows | grep -q "CKR_KEY_FUN.*$e" || fail "60 cols ($loc): the cut result has no ellipsis"
	rows | grep -q "30222${e}" || rows | grep -q "30222:13${e}" || rows | grep -q "302${e}" ||
		fail "60 cols ($loc): the cut pid:tid has no ellipsis"
	# No., time, source, function, result, dur: six blank-separated cells
	rows | grep -Ev '^ +[0-9]+ [^ ]+ [^ ]+ [^ ]+ +[^ ]+ +[^ ]+ ' | grep -q . &&
		fail "60 cols ($loc): columns run together"
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
