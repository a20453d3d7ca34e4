# cloudhsm.sh — aws-logs JSON truncated mid-string, with a 100 MB message,
# and with wrong types: the events before the damage are kept, or a clear
# error; bounded time and memory.
. "$(dirname "$0")/lib.sh"
set -e
F="$ROOT/test/fixtures/cloudhsm/doc-examples.json"
head -c "$(($(wc -c <"$F") / 2))" "$F" >"$T/truncated.json"
hostile "$T/truncated.json" 0
[ "$("$HS" grep "$T/truncated.json" --count 'n > 0')" -gt 0 ] || fail "truncated: the events before the cut"
{
	printf '{"events":[{"logStreamName":"hsm-1","timestamp":1513717276962,"message":"'
	head -c 104857600 /dev/zero | tr '\0' 'x'
	printf '"},'
	sed -n '/^        {/,$p' "$F" | sed '1,/^        {/{/^        {/!d}' | tail -n +1
} >"$T/bigmsg.json"
hostile "$T/bigmsg.json" 0
printf '{"events":[{"logStreamName":42,"timestamp":"yesterday","message":["a"]},{"message":null},{"logStreamName":"h","timestamp":1,"message":"Time: 12/19/17 21:01:16.962174, usecs:1513717276962174\\nSequence No : 0x1\\nReboot counter : 0xe8\\nCommand Type(hex) : CN_MGMT_CMD (0x0)\\nOpcode : CN_LOGIN (0xd)\\nSession Handle : 0x1004001\\nResponse : 0:HSM Return: SUCCESS\\nLog type : MINIMAL_LOG_ENTRY (0)\\n"}]}\n' >"$T/types.json"
hostile "$T/types.json" 0
[ "$("$HS" grep "$T/types.json" --count 'func == CN_LOGIN')" = 1 ] || fail "wrong types: the good event"
