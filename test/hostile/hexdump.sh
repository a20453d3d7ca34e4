# hexdump.sh — one call whose hex dump has a million lines: read in bounded
# memory, the call kept with its detail capped, the next call kept.
. "$(dirname "$0")/lib.sh"
set -e
{
	banner
	printf '0: C_Encrypt\n2026-11-22 12:03:09.513\n[in] hSession = 0x1\n[in] pData[ulDataLen] 00007ffe70827901 / 16000000\n'
	awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "    %08x  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA\n", i * 16 }'
	printf 'Returned:  0 CKR_OK\n\n'
	call 1 C_Finalize
} >"$T/hex.log"
hostile "$T/hex.log" 0
[ "$("$HS" grep "$T/hex.log" --count 'n > 0')" = 2 ] || fail "both calls"
