# config.sh — the configuration file: columns reordered and reduced, the
# time display chosen, an extra key for an action, a colour; a bad line is
# reported on the status line with its file and line, and the rest applies.
. "$(dirname "$0")/lib.sh"
tui_setup
mkdir -p "$T/config/hsmscope"
cat >"$T/config/hsmscope/config" <<'CFG'
# a reduced list: function first
columns = func, n, rv
time = relative
color.error = yellow, blue
key.next_error = n
key.quit = Q
no.such.setting = 1
CFG
tui_start 120 40 "\"$HS\" \"$SAMPLE\""
wait_for "Function +No\. +Result"
screen | sed -n 2p | grep -q "Time\|Since\|Source\|Summary" && fail "hidden columns are shown"
wait_for "config:7: unknown setting"
# n is next_error now: the first failed call
first=$("$HS" grep "$SAMPLE" 'rv != CKR_OK' | head -n 1 | awk '{print $1}')
keys n
wait_for "Detail of event $first "
# T cycles from the configured start (since start) to since previous
keys T
wait_for "T: since prev"
keys Q
wait_for "HS-EXIT:0"

# HSMSCOPE_CONFIG names another file
printf 'columns = n,summary\n' >"$T/other.cfg"
TUI_ENV="export HSMSCOPE_CONFIG='$T/other.cfg'" tui_start 120 40 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Summary"
keys q
wait_for "HS-EXIT:0"
echo "ok"
