# escape_outputs.sh — no log byte reaches a terminal or a text format raw.
# Control bytes, an OSC 52 clipboard write, CSI sequences, C1 controls,
# bidi overrides, invalid UTF-8 and spreadsheet formulas are written into
# every field that carries free text, in every input format:
#   spy: a junk function header, the return-code name, attribute text, a
#        token label, a parameter line, the file name;
#   CloudHSM: user name, response text, opcode text, the HSM id via the
#        file name and via --hsm;
#   Azure Cloud HSM, both tables as JSON and CSV: user, response,
#        operation name, HSM id, ClientInfo, CallerIpAddress, results;
#   pkcs11-logger, NSS, p11-kit, shim, tpm2-pkcs11: junk on every
#   fifth line.
# Every output is run (analyze in all formats, grep, sessions text/json,
# sql in all formats over every table, export in all formats to stdout and
# to a file, error messages) and read back byte for byte: all of it is
# strict UTF-8 with no ESC, BEL or other control byte, no C1 and no bidi
# control; every JSON parses strictly (and still holds the data, as \u
# escapes); every CSV parses and no cell that is not a number starts with
# = + - @; OpenMetrics parses with the reference parser.
. "$(dirname "$0")/lib.sh"
set -e
[ -x /usr/bin/python3 ] || { echo "skip: no python3"; exit 77; }
ESC=$(printf '\033')
BEL=$(printf '\007')
# OSC 52 (clipboard), CSI clear + colour, an 8-bit CSI (C1 U+009B), RLO,
# LRI, RLM, ALM, bytes that are not UTF-8 (0xFF, 0xFE, a surrogate), DEL
J="${ESC}]52;c;SFNQV05FRA==${BEL}${ESC}[2J${ESC}[31mRED$(printf '\302\233')1m$(printf '\342\200\256')evil$(printf '\342\201\246\342\200\217\330\234')x$(printf '\377\376\355\240\200\177')end"
MARK='SFNQV05FRA=='
F1="=cmd|' /C calc'!A0"
F2="+SUM(1+1)*cmd|' /C calc'!A0"
F3="-2+3+cmd|' /C calc'!A0"
F4="@SUM(1+1)*cmd|' /C calc'!A0"
mkdir "$T/in" "$T/out"

# --- spy: every free-text field, and the file name ---
SPY="$T/in/spy$J.log"
{
	banner
	printf '0: C_OpenSession\n2026-11-22 12:03:09.513\n[in] slotID = 0x0\n[out] *phSession = 0x1\nReturned:  0 CKR_OK\n\n'
	printf '1: C_GetTokenInfo%s\n2026-11-22 12:03:09.514\nReturned:  0 CKR_OK\n\n' "$J"
	printf '2: C_GetTokenInfo\n2026-11-22 12:03:09.515\n[in] hSession = 0x1\n[out] pInfo: \n      label:                  '"'%s'"'\n      manufacturerID:         '"'%s'"'\n      model:                  %s\nReturned:  5 %s\n\n' "$J" "$F1" "$F3" "$J"
	printf '3: C_FindObjectsInit\n2026-11-22 12:03:09.516\n[in] hSession = 0x1\n[in] pTemplate[2]: \n    CKA_LABEL             00007ffd0000a000 / 8\n    %s\n    CKA_ID                %s\nReturned:  6 %s\n\n' "$J" "$F2" "$F1"
	printf '4: C_Login\n2026-11-22 12:03:09.517\n[in] hSession = 0x1\n[in] userType = %s\nReturned:  7 %s\n\n' "$J" "$F2"
	printf '5: C_Logout\n2026-11-22 12:03:09.518\n[in] hSession = 0x1\nReturned:  8 %s\n\n' "$F3"
	printf '6: C_CloseSession\n2026-11-22 12:03:09.519\n[in] hSession = 0x1\nReturned:  9 %s\n' "$F4"
} >"$SPY"

# --- CloudHSM: user name, response, opcode; HSM id from the file name ---
HSMF="$T/in/=hsm$J.log"
awk -v j="$J" -v f1="$F1" -v f2="$F2" '
/^User Name/ { u++; print "User Name : " (u % 2 ? j : f1); next }
/^Response/ { r++; if (r % 3 == 1) { print "Response : 0:HSM Return: " j; next }
              if (r % 3 == 2) { print "Response : 5:" f2; next } }
/^Opcode/ { o++; if (o == 4) { print "Opcode : " j " (0x1)"; next }
            if (o == 5) { print "Opcode : " f1 " (0x2)"; next } }
{ print }' "$ROOT/test/fixtures/cloudhsm/doc-examples.log" >"$HSMF"

# --- Azure Cloud HSM: both tables (management, service operations), as
# az's JSON (controls as \u escapes, other bytes raw) and the portal's CSV:
# user, response, operation name, HSM id, ClientInfo, CallerIpAddress,
# ResultType, ResultDescription ---
J="$J" F1="$F1" F2="$F2" F3="$F3" /usr/bin/python3 - "$ROOT/test/fixtures/azure" "$T/in" <<'PY'
import csv, io, json, os, sys
src, out = sys.argv[1], sys.argv[2]
env = lambda k: os.environb[k.encode()].decode("utf-8", "surrogateescape")
J, F1, F2, F3 = env("J"), env("F1"), env("F2"), env("F3")
def junk(name, rows):
    for i, r in enumerate(rows):
        if "UserID" in r:  # management
            r["UserID"] = J if i % 2 else F1
            if i % 3 == 1:
                r["Response"] = "0:HSM Return: " + J
            if i == 3:
                r["OperationName"] = J + " (0x1)/CN_MGMT_CMD (0x0)"
        else:  # service operations
            r["ClientInfo"] = J
            r["CallerIpAddress"] = F1 + J
            r["ResultDescription"] = F2 + J
            if i % 2:
                r["ResultType"] = J
            if i == 2:
                r["OperationName"] = "CN_SIGN" + J
                r["MemberId"] = F3 + J
    return rows
for name in ("chsm-audit", "chsm-service"):
    rows = junk(name, json.load(open(os.path.join(src, name + ".json"))))
    text = json.dumps(rows, indent=2, ensure_ascii=False)
    open(os.path.join(out, "az-" + name + ".json"), "wb").write(text.encode("utf-8", "surrogateescape"))
    cols = [c for c in rows[0] if c != "TableName"]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([str(r[c]) for c in cols])
    open(os.path.join(out, "az-" + name + ".csv"), "wb").write(
        b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8", "surrogateescape"))
PY

# --- the other tracers: junk appended to every fifth line ---
i=0
for f in logger/quirks.log logger/v22-basic.log nss/login-l3.log nss/quirks.log \
	p11kit/values.log shim/shapes.log tpm2/pkcs11-tool.log; do
	i=$((i + 1))
	awk -v j="$J" '{ if (NR % 5 == 0) print $0 j; else print }' "$ROOT/test/fixtures/$f" \
		>"$T/in/t$i-$(basename "$f")"
done

# check.py LIST: each line "KIND<TAB>FILE<TAB>KEEP<TAB>WHAT"; one python
# run for all the outputs (hundreds), every failure reported
cat >"$T/check.py" <<'PY'
import csv, io, json, re, sys
BIDI = {0x061C, 0x200E, 0x200F} | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
class Bad(Exception):
    pass
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
def strict(s):
    def no(c):
        raise Bad("not JSON: " + c)
    return json.loads(s, parse_constant=no)
def check(kind, path, keep):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise Bad("not UTF-8 at byte %d" % e.start)
    if kind == "color": # grep's own colours, and nothing else
        text = re.sub("\x1b\\[(0|31|33)m", "", text)
    for i, ch in enumerate(text):
        c = ord(ch)
        if (c < 0x20 and ch not in "\t\n\r") or 0x7F <= c <= 0x9F or c in BIDI:
            raise Bad("raw U+%04X at character %d: %r" % (c, i, text[max(0, i - 20):i + 20]))
        if ch == "\r" and text[i + 1:i + 2] != "\n":
            raise Bad("a lone CR at character %d" % i)
    docs = []
    if kind == "json":
        docs = [strict(text)]
    elif kind == "jsonl":
        docs = [strict(l) for l in text.splitlines() if l.strip()]
    elif kind == "csv":
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r"):
                    raise Bad("formula cell: %r" % cell)
                if cell[:1] == "-":
                    try:
                        float(cell)
                    except ValueError:
                        raise Bad("formula cell: %r" % cell)
    elif kind == "om":
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        for fam in text_string_to_metric_families(text):
            list(fam.samples)
    # JSON keeps the data for machines: the junk comes back as characters
    if keep:
        got = [s for d in docs for s in strings(d) if "SFNQV05FRA==" in s]
        if not any("\x1b]52;c;" in s and "\u202e" in s and "\ufffd" in s for s in got):
            raise Bad("the JSON lost the log's characters: %r" % got[:2])
bad = 0
for line in open(sys.argv[1], encoding="ascii"):
    kind, path, keep, what = line.rstrip("\n").split("\t")
    try:
        check(kind, path, keep == "keep")
    except Exception as e:
        bad += 1
        print("FAIL: %s: %s" % (what, e))
sys.exit(1 if bad else 0)
PY
# without python3-prometheus-client, OpenMetrics is checked byte by byte only
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null ||
	sed -i 's/^    elif kind == "om":/    elif False:/' "$T/check.py"

n=0
: >"$T/list"
mkdir "$T/keep"
check() { # KIND FILE WHAT [keep: the JSON still holds the characters]
	n=$((n + 1))
	cp "$2" "$T/keep/$n"
	printf '%s\t%s\t%s\t%s\n' "$1" "$T/keep/$n" "${4:--}" "$3" >>"$T/list"
}
# run WHAT KIND CMD...: stdout and stderr both checked (stderr as text)
run() {
	what=$1 kind=$2
	shift 2
	set +e
	"$@" >"$T/out/o" 2>"$T/out/e"
	st=$?
	set -e
	[ "$st" = 0 ] || { cat "$T/out/e" >&2; fail "$what: exit $st"; }
	check "$kind" "$T/out/o" "$what"
	check text "$T/out/e" "$what (stderr)"
}
marked() { # WHAT: the last output carried the payload (the test is not vacuous)
	grep -q "$MARK" "$T/out/o" || fail "$1: the junk did not reach this output"
}

ix=0
for f in "$SPY" "$HSMF" "$T/in/az-"* "$T/in/t"*; do
	ix=$((ix + 1))
	name=$(basename "$f" | cut -c1-12 | tr -c 'A-Za-z0-9._=\n-' '?')
	set -- --index "$T/ix$ix.db"
	main=0
	case $f in "$SPY" | "$HSMF" | "$T/in/az-"*) main=1 ;; esac
	run "$name analyze" text "$HS" analyze "$f" "$@"
	[ "$main" = 0 ] || marked "$name analyze"
	run "$name analyze --filter" text "$HS" analyze "$f" "$@" --filter "func != \"$J\""
	run "$name analyze json" json "$HS" analyze "$f" "$@" --format json
	run "$name analyze events" jsonl "$HS" analyze "$f" "$@" --format events
	marked "$name analyze events"
	# (p11-kit escapes its own values at parse time: nothing raw to keep)
	[ "$main" = 0 ] || check jsonl "$T/out/o" "$name analyze events" keep
	run "$name analyze pretty-events" json "$HS" analyze "$f" "$@" --format pretty-events
	run "$name analyze openmetrics" om "$HS" analyze "$f" "$@" --format openmetrics
	[ "$main" = 0 ] || marked "$name analyze openmetrics"
	run "$name grep" text "$HS" grep "$f" "$@" 'n > 0'
	[ "$main" = 0 ] || marked "$name grep"
	run "$name grep --color" color "$HS" grep "$f" "$@" --color always 'n > 0'
	run "$name sessions" text "$HS" sessions "$f" "$@"
	run "$name sessions json" json "$HS" sessions "$f" "$@" --format json
	for fmt in json ndjson es-bulk csv; do
		kind=jsonl
		case $fmt in json) kind=json ;; csv) kind=csv ;; esac
		run "$name export $fmt" "$kind" "$HS" export "$f" "$@" --format "$fmt"
		marked "$name export $fmt"
		rm -f "$T/out/x"
		run "$name export $fmt -o" text "$HS" export "$f" "$@" --format "$fmt" -o "$T/out/x"
		check "$kind" "$T/out/x" "$name export $fmt -o"
		grep -q "$MARK" "$T/out/x" || fail "$name export $fmt -o: no junk in the file"
	done
	# every table of the index, in every sql format (the other tracers
	# fill the same tables: their events table is enough)
	echo events >"$T/tables"
	[ "$main" = 0 ] || "$HS" sql "$f" "$@" --format csv \
		"SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'" |
		tail -n +2 | tr -d '\r' >"$T/tables"
	[ -s "$T/tables" ] || fail "$name: no tables"
	while read -r tb; do
		for fmt in table csv json; do
			kind=text
			case $fmt in json) kind=json ;; csv) kind=csv ;; esac
			run "$name sql $tb $fmt" "$kind" "$HS" sql "$f" "$@" --format "$fmt" "SELECT * FROM \"$tb\""
		done
	done <"$T/tables"
	run "$name sql events" text "$HS" sql "$f" "$@" "SELECT rv_name, func, summary FROM events"
	[ "$main" = 0 ] || marked "$name sql events"
done

# the HSM id given by --hsm, starting with a formula
run "--hsm csv" csv "$HS" export "$HSMF" --index "$T/ixh.db" --hsm "$F2$J" --format csv
grep -q "$MARK" "$T/out/o" || fail "--hsm: the junk did not reach the CSV"
run "--hsm sql" csv "$HS" sql "$HSMF" --index "$T/ixh.db" --hsm "$F2$J" --format csv "SELECT hsm FROM events"
run "--hsm analyze" om "$HS" analyze "$HSMF" --index "$T/ixh.db" --hsm "$F2$J" --format openmetrics
run "--hsm sessions" text "$HS" sessions "$HSMF" --index "$T/ixh.db" --hsm "$F2$J"
grep -q "$MARK" "$T/out/o" || fail "--hsm: the junk did not reach sessions"

# error messages: a missing file, a bad input, a bad filter, a bad option
err() { # WHAT WANT CMD...
	what=$1 want=$2
	shift 2
	set +e
	"$@" >"$T/out/o" 2>"$T/out/e"
	st=$?
	set -e
	[ "$st" = "$want" ] || fail "$what: exit $st, want $want"
	check text "$T/out/e" "$what"
	check text "$T/out/o" "$what (stdout)"
	grep -q "$MARK" "$T/out/e" || fail "$what: the error does not name the junk"
}
err "missing file" 2 "$HS" analyze "$T/in/missing$J.log"
head -c 3000 /dev/zero >"$T/in/zero$J.log"
err "binary input" 2 "$HS" analyze "$T/in/zero$J.log" --index "$T/ixz.db"
err "bad filter" 3 "$HS" grep "$SPY" --index "$T/ix1.db" "func == \"$J"
err "bad format" 1 "$HS" analyze "$SPY" --format "$J"
err "bad option" 1 "$HS" analyze "$SPY" "--x$J"
err "bad option value" 1 "$HS" analyze "$SPY" --redact "$J"
err "not a command, so a missing file" 2 "$HS" "$J"
err "bad index" 2 "$HS" analyze "$SPY" --index "$T/in/nodir$J/x.db"
/usr/bin/python3 "$T/check.py" "$T/list" >&2 || fail "see above"
echo "ok: $n outputs read back"
