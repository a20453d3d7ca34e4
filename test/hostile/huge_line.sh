# huge_line.sh — a 10 MB single line alone (an error), and in the middle
# of a spy log (skipped; the calls around it kept).
. "$(dirname "$0")/lib.sh"
set -e
head -c 10485760 /dev/zero | tr '\0' 'A' >"$T/line.log"
hostile "$T/line.log" 2
{ banner; call 0 C_Initialize; head -c 10485760 /dev/zero | tr '\0' 'B'; printf '\n\n'; call 1 C_Finalize; } >"$T/mixed.log"
hostile "$T/mixed.log" 0
[ "$n" = "" ] || true
[ "$("$HS" grep "$T/mixed.log" --count 'n > 0')" = 2 ] || fail "the calls around the long line"
