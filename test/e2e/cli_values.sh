# cli_values.sh — one way to show each value: processes 1-based everywhere
# (proc in JSON and filters, p5 in grep), handles as a number and a hex
# string in JSON, and times that carry their zone (--tz, the config's tz)
# or say that it is unknown.
. "$(dirname "$0")/lib.sh"
set -e
L="$SAMPLE"
A="$ROOT/share/samples/hsm-abcde123456.log"

"$HS" analyze --format events "$L" >"$T/ev"
jq -s -e 'map(select(.n == 166))[0] | .proc == 5 and .session == 1 and .session_hex == "0x1"' "$T/ev" >/dev/null ||
	fail "the failed login: proc 5, session 1 / 0x1"
[ "$(jq -s 'map(select(has("instance"))) | length' "$T/ev")" = 0 ] || fail "JSON still has the 0-based instance"
[ "$(jq -s 'map(.proc) | min' "$T/ev")" = 1 ] || fail "proc does not start at 1"
jq -s -e 'map(.objects[]) | length > 0 and all(.handle_hex | startswith("0x"))' "$T/ev" >/dev/null ||
	fail "object handles lack handle_hex"
# the same process number in the filter, grep and JSON
[ "$("$HS" grep -c 'proc == 5 && rv == CKR_PIN_INCORRECT' "$L")" = 1 ] || fail "proc filter"
"$HS" grep 'rv == CKR_PIN_INCORRECT' "$L" | grep -q ' p5 C_Login ' || fail "grep's process"
# audit events have streams, not processes
"$HS" analyze --format events "$A" | jq -s -e 'all(.proc == null)' >/dev/null || fail "audit proc"
[ "$("$HS" grep -c 'proc == 1' "$A" || true)" = 0 ] || fail "audit events matched proc == 1"

# times: spy local times carry no zone unless told, and say so
jq -s -e 'all(.ts_zone == "local") and all(.ts | test("[Z+]|-[0-9][0-9]:[0-9][0-9]$") | not)' "$T/ev" >/dev/null ||
	fail "a local time got a zone nobody gave"
"$HS" analyze --format events "$A" | jq -s -e 'all(.ts_zone == "UTC" and (.ts | endswith("Z")))' >/dev/null ||
	fail "CloudHSM times are UTC"
"$HS" analyze --tz Europe/Paris --format events "$L" >"$T/paris"
jq -s -e 'all(.ts_zone == "Europe/Paris" and (.ts | endswith("+01:00")))' "$T/paris" >/dev/null ||
	fail "--tz Europe/Paris: $(head -c 200 "$T/paris")"
"$HS" export --tz America/New_York --format es-bulk "$L" | sed -n 2p | jq -e '.ts | endswith("-05:00")' >/dev/null ||
	fail "es-bulk with --tz"
"$HS" analyze --tz Europe/Paris "$L" | grep -q '^time span .*(local time, Europe/Paris, UTC+01:00)$' || fail "report zone"
"$HS" analyze "$L" | grep -q '^time span .*(local time as recorded, zone unknown)$' || fail "report unknown zone"
"$HS" analyze --tz Europe/Paris --format json "$L" | jq -e '.ts_zone == "Europe/Paris" and (.first_ts | endswith("+01:00"))' >/dev/null ||
	fail "analyze json zone"
"$HS" sessions "$L" | head -n 1 | grep -q 'zone unknown' || fail "sessions does not say the zone is unknown"
"$HS" sessions --tz UTC --format json "$L" | jq -e '.roots[0].ts_zone == "UTC" and (.roots[0].first_ts | endswith("+00:00"))' >/dev/null ||
	fail "sessions json with --tz UTC"
expect_exit 1 "$HS" analyze --tz Mars/Olympus "$L"
grep -q 'unknown time zone' "$T/err" || fail "bad zone: $(cat "$T/err")"
expect_exit 1 "$HS" analyze --tz ../../etc/passwd "$L"
# the config file's tz, and --tz over it
mkdir -p "$T/cfg"
printf 'tz = Asia/Tokyo\n' >"$T/cfg/config"
HSMSCOPE_CONFIG="$T/cfg/config" "$HS" analyze --format events "$L" | head -n 1 | jq -e '.ts | endswith("+09:00")' >/dev/null ||
	fail "config tz"
HSMSCOPE_CONFIG="$T/cfg/config" "$HS" analyze --tz UTC --format events "$L" | head -n 1 | jq -e '.ts | endswith("+00:00")' >/dev/null ||
	fail "--tz over the config"
echo ok
