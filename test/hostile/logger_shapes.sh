# logger_shapes.sh — pkcs11-logger logs at their worst: one call with a
# million template lines, a 20 MB HEX(..) value, thousands of threads that
# never return and separators that never get their call, numbers and times
# out of range, and one call per process for many processes.
. "$(dirname "$0")/lib.sh"
set -e
P='0x00001f40 : 0x00007f3a5c7d1740 : '
S='******************************************************************************************************************************'
banner_() { printf '%s%s\n%sPKCS11-LOGGER 2.3.0\n%s%s\n' "$P" "$S" "$P" "$P" "$S"; }
enter() { printf '%s%s\n%s2026-11-30 09:15:02.000100 - Entered %s\n%sInput\n' "$P" "$S" "$P" "$1" "$P"; }
ret() { printf '%s2026-11-30 09:15:02.000200 - Returning 0 (CKR_OK)\n' "$P"; }

{ banner_; enter C_FindObjectsInit; printf '%s ulCount: 1000000\n%s  *** Begin attribute template ***\n' "$P" "$P"
  awk -v p="$P" 'BEGIN { for (i = 0; i < 250000; i++) printf "%s  Attribute %d\n%s   Attribute: 3 (CKA_LABEL)\n%s   ulValueLen: 2\n%s   *pValue: HEX(4142)\n", p, i, p, p, p }'
  ret; enter C_Finalize; ret; } >"$T/million.log"
hostile "$T/million.log" 0
[ "$("$HS" grep "$T/million.log" --count 'func == "C_FindObjectsInit" && ok')" = 1 ] || fail "million: one call"

{ banner_; enter C_Sign; printf '%s *pData: HEX(' "$P"
  awk 'BEGIN { s = "0123456789ABCDEF"; for (i = 0; i < 14; i++) s = s s; for (i = 0; i < 80; i++) printf "%s", s }'
  printf ')\n'; ret; } >"$T/bighex.log"
hostile "$T/bighex.log" 0

awk -v s="$S" 'BEGIN { for (t = 1; t <= 5000; t++) {
	p = sprintf("0x%08x : 0x00007f%010x : ", 4000 + t % 7, t)
	printf "%s%s\n%s2026-11-30 09:15:02.%06d - Entered C_Sign\n%sInput\n%s hSession: %d\n", p, s, p, t, p, p, t
	if (t % 3 == 0) printf "%s%s\n", p, s } }' >"$T/threads.log"
hostile "$T/threads.log" 0
[ "$("$HS" grep "$T/threads.log" --count incomplete)" = 5000 ] || fail "threads: 5000 open calls"

{ banner_; enter C_Login; printf '%s hSession: 99999999999999999999999\n%s userType: 18446744073709551616 (CKU_USER)\n' "$P" "$P"
  printf '%s9999-99-99 99:99:99.999999 - Returning 0 (CKR_OK)\n%s2026-11-30 09:15:02.000200 - Returning 99999999999999999999999 (CKR_OK)\n' "$P" "$P"
  ret; } >"$T/overflow.log"
hostile "$T/overflow.log" 0

awk -v s="$S" 'BEGIN { for (k = 1; k <= 3000; k++) {
	p = sprintf("0x%08x : 0x00007e%010x : ", k, k)
	printf "%s%s\n%sPKCS11-LOGGER 2.3.0\n%s%s\n", p, s, p, p, s
	printf "%s2026-11-30 09:15:02.000100 - Entered C_Initialize\n%sInput\n%s pInitArgs: (nil)\n", p, p, p
	printf "%s2026-11-30 09:15:02.000200 - Returning 0 (CKR_OK)\n", p } }' >"$T/procs.log"
hostile "$T/procs.log" 0
[ "$("$HS" analyze "$T/procs.log" --format json | jq .processes)" = 3000 ] || fail "procs: 3000 processes"
