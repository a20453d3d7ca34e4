# bytes.sh — NUL bytes, invalid UTF-8, CRLF and lone CR inside a spy log:
# the calls are kept, the JSON stays valid, the bytes are escaped.
. "$(dirname "$0")/lib.sh"
set -e
{ banner; call 0 C_Initialize; printf 'junk\0with\0NULs\n\n'; call 1 C_Finalize; } >"$T/nul.log"
hostile "$T/nul.log" 0
{ banner; printf '0: C_Login\n2026-11-22 12:03:09.513\n[in] pLabel "\377\376\300\200 bad"\nReturned:  0 CKR_OK\n\n'; call 1 C_Finalize; } >"$T/utf8.log"
hostile "$T/utf8.log" 0
"$HS" export "$T/utf8.log" | jq -e 'length == 2' >/dev/null || fail "invalid UTF-8: export JSON"
{ banner; call 0 C_Initialize; call 1 C_Finalize; } | sed 's/$/\r/' >"$T/crlf.log"
hostile "$T/crlf.log" 0
[ "$("$HS" grep "$T/crlf.log" --count 'func == C_Finalize')" = 1 ] || fail "CRLF"
{ banner; call 0 C_Initialize; call 1 C_Finalize; } | tr '\n' '\r' >"$T/cr.log"
hostile "$T/cr.log" 2 "lone CR"
# binary: mostly NULs
head -c 100000 /dev/zero >"$T/zeros.log"
hostile "$T/zeros.log" 2 "binary"
