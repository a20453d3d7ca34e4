#!/usr/bin/env python3
# Turn a CloudHSM audit text log into CHSMManagementAuditLogs rows (Azure's
# column names), written as az monitor log-analytics query JSON and as the
# portal's CSV export.
import csv, datetime, io, json, re, sys
src, member, out = sys.argv[1], sys.argv[2], sys.argv[3]
blocks, cur = [], {}
for line in open(src):
    line = line.rstrip("\n")
    m = re.match(r"^([A-Za-z][A-Za-z ()/]*?)\s*:\s?(.*)$", line)
    if not m:
        continue
    k, v = m.group(1), m.group(2)
    if k == "Time" and cur:
        blocks.append(cur); cur = {}
    cur[k] = v
if cur:
    blocks.append(cur)
rows = []
for b in blocks:
    us = int(re.search(r"usecs:(\d+)", b["Time"]).group(1))
    t = datetime.datetime.fromtimestamp(us / 1e6, datetime.timezone.utc)
    ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d" % (us % 1000000) + "Z"
    extra = {k: v for k, v in b.items() if k not in ("Time", "Sequence No", "Reboot counter",
             "Command Type(hex)", "Opcode", "Session Handle", "Response", "Log type", "User Name")}
    op = b.get("Opcode", "")
    rows.append({
        "TenantId": "00000000-0000-4000-8000-00000000aaaa",
        "TimeGenerated": ts,
        "MemberId": member,
        "SequenceNo": b.get("Sequence No", ""),
        "RebootCounter": b.get("Reboot counter", ""),
        "CommandType": b.get("Command Type(hex)", ""),
        "Opcode": (re.search(r"\((0x[0-9a-fA-F]+)\)", op) or re.search("(.*)", op)).group(1),
        "OperationName": op + "/" + b.get("Command Type(hex)", ""),
        "SessionHandle": b.get("Session Handle", ""),
        "Response": b.get("Response", ""),
        "LogType": b.get("Log type", ""),
        "UserID": b.get("User Name", ""),
        "AdditionalFields": extra,
        "OperationId": "6d1f%04x-0000-4000-8000-000000000000" % len(rows),
        "Location": "westeurope",
        "SchemaVersion": "1.0",
        "Version": "1.0",
        "SourceSystem": "Azure",
        "Type": "CHSMManagementAuditLogs",
        "_ResourceId": "/subscriptions/x/resourcegroups/rg/providers/microsoft.hardwaresecuritymodules/cloudhsmclusters/chsm1",
    })
# az monitor log-analytics query: a JSON array, dynamic columns as text, TableName added
az = []
for r in rows:
    a = {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in r.items()}
    a["TableName"] = "PrimaryResult"
    az.append(a)
open(out + ".json", "w").write(json.dumps(az, indent=2) + "\n")
# the portal's CSV: a BOM, "[UTC]" after datetime columns, every value quoted
cols = list(rows[0].keys())
buf = io.StringIO()
w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
w.writerow([c + " [UTC]" if c == "TimeGenerated" else c for c in cols])
for r in rows:
    w.writerow([json.dumps(r[c]) if isinstance(r[c], dict) else r[c] for c in cols])
open(out + ".csv", "w", encoding="utf-8-sig").write(buf.getvalue())
