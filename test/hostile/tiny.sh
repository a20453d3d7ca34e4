# tiny.sh — zero-length and one-byte files: a clear error, exit 2.
. "$(dirname "$0")/lib.sh"
set -e
: >"$T/empty.log"
hostile "$T/empty.log" 2 "empty"
printf 'x' >"$T/one.log"
hostile "$T/one.log" 2 "unrecognised|format"
printf '\n' >"$T/newline.log"
hostile "$T/newline.log" 2
