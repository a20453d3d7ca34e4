# export.sh — marks, then `x`: the JSON file holds exactly the marked
# events; the default name is offered; an existing file is never
# overwritten without a yes.
. "$(dirname "$0")/lib.sh"
tui_setup
command -v jq >/dev/null || skip "no jq"
mkdir -p "$T/out"
tui_start 120 40 "cd \"$T/out\" && \"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
for n in 5 13 166; do
	keys : "$n" Enter
	wait_for "No\. $n "
	keys m
	wait_for "marks [0-9]"
done
wait_for "marks 3"
# u/U walk the marks
keys g u
wait_for "No\. 5 "
keys u
wait_for "No\. 13 "
keys U
wait_for "No\. 5 "
keys x
wait_for "Export 3 marked events \(\.json \.ndjson \.csv \.bulk\) to: softhsm-basic-marked.json"
keys Enter
wait_for "wrote 3 events to softhsm-basic-marked.json"
f="$T/out/softhsm-basic-marked.json"
[ -s "$f" ] || fail "no file written"
[ "$(jq -c '[.[].n]' "$f")" = "[5,13,166]" ] || fail "exported $(jq -c '[.[].n]' "$f")"
[ "$(jq -r '.[2].func + " " + .[2].rv_name' "$f")" = "C_Login CKR_PIN_INCORRECT" ] || fail "event 166"
# again: the file exists, "n" keeps it
echo keep >"$f"
keys x Enter
wait_for "exists. Overwrite it\? \(y/n\)"
keys n
wait_for "not exported"
[ "$(cat "$f")" = keep ] || fail "overwritten without asking"
keys x Enter
wait_for "Overwrite it"
keys y
wait_for "wrote 3 events"
[ "$(jq length "$f")" = 3 ] || fail "not rewritten after yes"
# C clears the marks; with none, x exports the filtered events
keys C
wait_for "marks 0"
keys / 'func == "C_Login"' Enter
wait_for "6 of 343 match"
keys x
wait_for "Export 6 filtered events \(\.json \.ndjson \.csv \.bulk\) to: softhsm-basic-filtered.json"
keys C-u "$T/out/logins.json" Enter
wait_for "wrote 6 events"
[ "$(jq '[.[] | select(.func == "C_Login")] | length' "$T/out/logins.json")" = 6 ] || fail "filtered export"
# every event format, chosen by the file's ending, as export writes it
for ext in ndjson csv bulk; do
	keys x
	wait_for "Export 6 filtered events"
	keys C-u "$T/out/logins.$ext" Enter
	wait_for "wrote 6 events to .*logins\.$ext"
done
fmt_of() { case $1 in ndjson) echo ndjson ;; csv) echo csv ;; bulk) echo es-bulk ;; esac; }
for ext in ndjson csv bulk; do
	"$HS" export "$SAMPLE" --filter 'func == "C_Login"' --format "$(fmt_of $ext)" >"$T/want.$ext"
	cmp -s "$T/want.$ext" "$T/out/logins.$ext" || fail "the explorer's .$ext differs from export --format $(fmt_of $ext)"
done
keys q
wait_for "HS-EXIT:0"
echo "ok"
