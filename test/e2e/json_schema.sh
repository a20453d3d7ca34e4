# json_schema.sh — every JSON output validates against the schemas shipped
# in share/schema (python3-jsonschema, Draft 2020-12): events of analyze
# --format events/pretty-events, export json/ndjson/es-bulk, grep --json;
# analyze --format json; sessions --format json — over every fixture of
# every format and the bundled samples.
. "$(dirname "$0")/lib.sh"
set -e
/usr/bin/python3 -c "import jsonschema" 2>/dev/null || { echo "no python3-jsonschema"; exit 77; }
SC="$ROOT/share/schema"
O="$T/out"
mkdir -p "$O/events" "$O/arrays" "$O/analyze" "$O/sessions" "$O/bulk"
i=0
for f in "$ROOT"/test/fixtures/*/* "$ROOT"/share/samples/*; do
	# *.md: no log; conc-*-[b-z].log: more recordings of the workload of
	# conc-*.log (same calls, same PIN), kept for their interleavings
	# (spy_concurrency.sh): the first of each stands for them here
	case $f in *.md | */conc-*-[b-z].log) continue ;; esac
	i=$((i + 1))
	"$HS" index "$f" --index "$T/$i.db" --hsm hsm-x >/dev/null 2>&1 || continue # a bad fixture is refused
	"$HS" analyze "$f" --index "$T/$i.db" --hsm hsm-x --format events >"$O/events/$i" 2>/dev/null
	"$HS" analyze "$f" --index "$T/$i.db" --hsm hsm-x --format json >"$O/analyze/$i" 2>/dev/null
	"$HS" sessions "$f" --index "$T/$i.db" --hsm hsm-x --format json >"$O/sessions/$i" 2>/dev/null
done
[ "$i" -gt 50 ] || fail "too few fixtures"
L="$SAMPLE"
"$HS" analyze "$L" --format pretty-events >"$O/arrays/pretty"
"$HS" export "$L" >"$O/arrays/export"
"$HS" export "$L" --tz Europe/Paris --format ndjson >"$O/events/ndjson-tz"
"$HS" export "$ROOT/share/samples/hsm-abcde123456.log" --format es-bulk >"$O/bulk/audit"
"$HS" export "$L" --format es-bulk >"$O/bulk/spy"
"$HS" grep --json 'rv != CKR_OK' "$L" >"$O/events/grep"
"$HS" analyze "$L" --filter 'n < 0' --format json >"$O/analyze/empty"
"$HS" analyze "$L" --filter 'func == C_Login' --tz UTC --format json >"$O/analyze/filtered"
/usr/bin/python3 - "$SC" "$O" <<'PY'
import json, os, sys
from jsonschema import Draft202012Validator
sc, out = sys.argv[1], sys.argv[2]
def v(name):
    s = json.load(open(os.path.join(sc, name + ".schema.json")))
    Draft202012Validator.check_schema(s)
    return Draft202012Validator(s)
ev, an, se = v("event"), v("analyze"), v("sessions")
n = bad = 0
def check(val, doc, where):
    global n, bad
    n += 1
    errs = sorted(val.iter_errors(doc), key=str)
    if errs:
        bad += 1
        if bad <= 5:
            print(f"{where}: {errs[0].message} at {list(errs[0].absolute_path)}", file=sys.stderr)
def lines(p):
    with open(p, encoding="utf-8", errors="strict") as f:
        return [json.loads(l) for l in f if l.strip()]
for f in os.listdir(os.path.join(out, "events")):
    for k, d in enumerate(lines(os.path.join(out, "events", f))):
        check(ev, d, f"events/{f}:{k+1}")
for f in os.listdir(os.path.join(out, "arrays")):
    for k, d in enumerate(json.load(open(os.path.join(out, "arrays", f), encoding="utf-8"))):
        check(ev, d, f"arrays/{f}[{k}]")
for f in os.listdir(os.path.join(out, "bulk")):
    docs = lines(os.path.join(out, "bulk", f))
    assert len(docs) % 2 == 0 and all("index" in a for a in docs[0::2]), f"bulk/{f}: not action/document pairs"
    for k, d in enumerate(docs[1::2]):
        check(ev, d, f"bulk/{f}:{2*k+2}")
for f in os.listdir(os.path.join(out, "analyze")):
    check(an, json.load(open(os.path.join(out, "analyze", f), encoding="utf-8")), f"analyze/{f}")
for f in os.listdir(os.path.join(out, "sessions")):
    check(se, json.load(open(os.path.join(out, "sessions", f), encoding="utf-8")), f"sessions/{f}")
print(f"{n} documents, {bad} invalid")
sys.exit(1 if bad or n < 1000 else 0)
PY
# the schemas are strict: an undocumented key is an error (so they cannot drift)
/usr/bin/python3 - "$SC" <<'PY' || fail "the event schema accepts an undocumented key"
import json, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1] + "/event.schema.json"))
ok = Draft202012Validator(s).is_valid({"n": 1, "surprise": 1})
sys.exit(1 if ok else 0)
PY
echo ok
