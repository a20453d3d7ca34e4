# long_text.sh — no fixed-size field cuts text of the log that is shown or
# exported (issue 16, item 4): a key made through the real spy with a
# 70-character CKA_LABEL and a 32-byte CKA_ID keeps both whole in the
# objects table, and `object ==` finds it by either.
. "$(dirname "$0")/lib.sh"
cap_setup
command -v sqlite3 >/dev/null || skip "no sqlite3"
LABEL="a-label-of-seventy-characters-as-some-tools-make-them-0123456789abcdef"
ID=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
[ ${#LABEL} = 70 ] || fail "the label is not 70 characters"
softhsm2-util --init-token --free --label long --so-pin "$SO_PIN" --pin "$USER_PIN" >/dev/null ||
	fail "softhsm2-util could not make a token"
L="$CAP/long.log"
spytool "$L" --token-label long --login --pin "$USER_PIN" --keygen --key-type AES:16 --label "$LABEL" --id "$ID"
grep -q '^0*[0-9]*: C_GenerateKey$' "$L" || fail "no C_GenerateKey in the log"
DB="$CAP/long.db"
"$HS" index "$L" --index "$DB" >/dev/null || fail "index"
[ "$(sqlite3 "$DB" "SELECT label FROM objects WHERE created_n IS NOT NULL")" = "$LABEL" ] ||
	fail "label: $(sqlite3 "$DB" "SELECT label FROM objects WHERE created_n IS NOT NULL")"
[ "$(sqlite3 "$DB" "SELECT obj_id FROM objects WHERE created_n IS NOT NULL")" = "$ID" ] ||
	fail "CKA_ID: $(sqlite3 "$DB" "SELECT obj_id FROM objects WHERE created_n IS NOT NULL")"
[ "$("$HS" grep "$L" --index "$DB" --count "object == \"$LABEL\" && func == C_GenerateKey")" = 1 ] ||
	fail "object == the whole label"
[ "$("$HS" grep "$L" --index "$DB" --count "object == \"$ID\" && func == C_GenerateKey")" = 1 ] ||
	fail "object == the whole CKA_ID"
echo "ok: a long label and CKA_ID kept whole"
