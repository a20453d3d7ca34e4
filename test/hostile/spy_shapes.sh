# spy_shapes.sh — a banner every line, Returned: without a call, a call
# header then EOF, deeply nested templates, numbers over 64 bits,
# timestamps out of range and going backwards.
. "$(dirname "$0")/lib.sh"
set -e
for i in $(seq 1 2000); do banner; done >"$T/banners.log"
call 0 C_Initialize >>"$T/banners.log"
hostile "$T/banners.log" 0
{ banner; printf 'Returned:  0 CKR_OK\n\n'; call 0 C_Initialize; printf 'Returned:  5 CKR_GENERAL_ERROR\n'; } >"$T/orphan.log"
hostile "$T/orphan.log" 0
{ banner; call 0 C_Initialize; printf '1: C_Sign\n'; } >"$T/header-eof.log"
hostile "$T/header-eof.log" 0
[ "$("$HS" grep "$T/header-eof.log" --count incomplete)" = 1 ] || fail "the last call is incomplete"
{
	banner
	printf '0: C_CreateObject\n2026-11-22 12:03:09.513\n[in] pTemplate[3]:\n'
	awk 'BEGIN { for (d = 0; d < 5000; d++) { s = ""; for (i = 0; i < d % 200; i++) s = s "    "; printf "%sCKA_WRAP_TEMPLATE      000055f8 / 48\n", s } }'
	printf 'Returned:  0 CKR_OK\n\n'
	call 1 C_Finalize
} >"$T/nested.log"
hostile "$T/nested.log" 0
{ banner; printf '99999999999999999999999: C_Login\n2026-11-22 12:03:09.513\n[in] hSession = 0xffffffffffffffffffffffff\n[in] userType = 99999999999999999999999\nReturned:  184467440737095516160 CKR_OK\n\n'; call 1 C_Finalize; } >"$T/overflow.log"
hostile "$T/overflow.log" 0
{ banner; printf '0: C_Initialize\n9999-99-99 99:99:99.999\nReturned:  0 CKR_OK\n\n1: C_Finalize\n1970-01-01 00:00:00.000\nReturned:  0 CKR_OK\n\n2: C_Finalize\n0001-01-01 00:00:00.000\nReturned:  0 CKR_OK\n\n'; } >"$T/times.log"
hostile "$T/times.log" 0
