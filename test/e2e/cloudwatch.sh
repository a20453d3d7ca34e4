# cloudwatch.sh — CloudHSM audit logs as CloudWatch hands them out give the
# same events (sequence numbers, HSM ids, users, times) and analysis as the
# plain log or the CLI's JSON of the same records:
#   - the raw subscription payload {"awslogs":{"data":"<base64 of gzip>"}}
#     (built here with python3's gzip and base64 from the CLI JSON), one per
#     line as Lambda or Firehose receive it, one per file, pretty-printed;
#   - a CloudWatch Logs export to S3: <task>/<log stream>/000000.gz, each
#     event "<ISO 8601 UTC time> <message>" with the message's further
#     lines as they are; the log stream (the directory) names the HSM.
. "$(dirname "$0")/lib.sh"
set -e
# what differs by construction: where an event sits in its file, and so
# its number (a payload holds one stream; the CLI JSON interleaves them)
norm_events() {
	"$HS" analyze "$1" --format events | jq -c 'del(.n, .file, .line, .op_id, .peer, .peer_n)' | sort
}
norm_json() { "$HS" analyze "$1" --format json | jq -S 'del(.files) | del(.skips[]?.file)'; }
same() { # REFERENCE OTHER
	[ "$(norm_json "$1")" = "$(norm_json "$2")" ] || fail "$(basename "$2"): analysis differs from $(basename "$1")"
	[ "$(norm_events "$1")" = "$(norm_events "$2")" ] || fail "$(basename "$2"): events differ from $(basename "$1")"
}

cli="$FIX/cloudhsm/two-streams.json"
python3 - "$cli" "$T" <<'PY'
import base64, gzip, json, sys
events = json.load(open(sys.argv[1]))["events"]
streams = {}
for e in events:
    streams.setdefault(e["logStreamName"], []).append(e)
lines = []
for name, es in streams.items():
    msg = {"messageType": "DATA_MESSAGE", "owner": "111122223333",
           "logGroup": "/aws/cloudhsm/cluster-test", "logStream": name,
           "subscriptionFilters": ["hsmscope-test"],
           "logEvents": [{"id": e["eventId"], "timestamp": e["timestamp"],
                          "message": e["message"]} for e in es]}
    data = base64.b64encode(gzip.compress(json.dumps(msg).encode())).decode()
    lines.append(json.dumps({"awslogs": {"data": data}}))
open(sys.argv[2] + "/payloads.ndjson", "w").write("\n".join(lines) + "\n")
open(sys.argv[2] + "/payload-one.json", "w").write(lines[0])
open(sys.argv[2] + "/payload-pretty.json", "w").write(json.dumps(json.loads(lines[0]), indent=2) + "\n")
# the reference for one payload: the CLI JSON of that stream alone
first = next(iter(streams))
json.dump({"events": streams[first]}, open(sys.argv[2] + "/one-stream.json", "w"), indent=2)
PY
same "$cli" "$T/payloads.ndjson"
gzip -c "$T/payloads.ndjson" >"$T/payloads.ndjson.gz"
same "$cli" "$T/payloads.ndjson.gz"
same "$T/one-stream.json" "$T/payload-one.json"
same "$T/one-stream.json" "$T/payload-pretty.json"
"$HS" analyze "$T/payloads.ndjson" --format json | jq -e '.hsms | length == 2' >/dev/null ||
	fail "payloads: the two log streams are two HSMs"
echo "ok: subscription payloads (per line, per file, pretty, gzip'ed) = the CLI JSON"

# an S3 export of a text audit log: the first line of each event carries
# CloudWatch's time, the HSM is the directory
for log in gap-reboot doc-examples; do
	mkdir -p "$T/s3/exportedlogs/task-1/$log"
	awk '/^Time/ { printf "2018-01-16T01:48:49.825Z " } NF { print }' "$FIX/cloudhsm/$log.log" |
		gzip >"$T/s3/exportedlogs/task-1/$log/000000.gz"
	same "$FIX/cloudhsm/$log.log" "$T/s3/exportedlogs/task-1/$log/000000.gz"
done
"$HS" analyze "$T/s3/exportedlogs/task-1/gap-reboot/000000.gz" --format events | jq -r .hsm | sort -u >"$T/h"
[ "$(cat "$T/h")" = gap-reboot ] || fail "S3 export: the HSM id is the log stream directory, got $(cat "$T/h")"
echo "ok: S3 exports = the plain audit log, the stream directory as HSM id"

# a damaged payload is one skipped line; the others still count
{ head -n 1 "$T/payloads.ndjson"
  echo '{"awslogs":{"data":"H4sI!!not base64!!"}}'
  echo '{"awslogs":{"data":"aGVsbG8gd29ybGQK"}}'
  head -n 1 "$T/payloads.ndjson" | cut -c1-200 | sed 's/$/"}}/'
  tail -n 1 "$T/payloads.ndjson"; } >"$T/damaged.ndjson"
"$HS" analyze "$T/damaged.ndjson" --format json >"$T/d.json" 2>"$T/d.err" || fail "damaged payloads: $(cat "$T/d.err")"
[ "$(jq .total_calls "$T/d.json")" = 5 ] || fail "damaged payloads: $(jq .total_calls "$T/d.json") of 5 events"
[ "$(jq '.files[0].skipped_lines' "$T/d.json")" = 3 ] || fail "damaged payloads: $(jq '.files[0].skipped_lines' "$T/d.json") skipped, want 3"
echo "ok: damaged payloads are skipped lines"
