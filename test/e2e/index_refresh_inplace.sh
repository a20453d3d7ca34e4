# index_refresh_inplace.sh — what a refresh in place writes, and when an
# index refreshed in place is trusted (docs/ENGINE.md, "Unchanged rows" and
# "Durability of a refresh").
#  - A call appended in another process leaves what is still open at the
#    end as it was: its end-of-log anomalies keep their rows (same rowids),
#    the open session and login keep theirs, not even rewritten; and the
#    tables equal a rebuild's (index_corr_refresh.sh covers refreshes that
#    close what was open).
#  - An index whose header says it was refreshed without a flush under
#    another boot (user_version) is rebuilt, not reused.
. "$(dirname "$0")/lib.sh"
set -e
command -v sqlite3 >/dev/null 2>&1 || { echo "skip: no sqlite3"; exit 77; }
LOG="$T/live.log"
DB="$T/live.db"
cp "$FIX/correlate/anomalies.log" "$LOG"
"$HS" index "$LOG" --index "$DB" >/dev/null
q() { sqlite3 "$DB" "$1"; }
AT_END="SELECT rowid, n, kind, ref, detail FROM anomalies WHERE at_end ORDER BY rowid"
before=$(q "$AT_END")
[ "$(q 'SELECT count(*) FROM anomalies WHERE at_end')" -ge 2 ] || fail "the fixture has no end-of-log anomalies"
sess=$(q "SELECT rowid, * FROM sessions WHERE close_n IS NULL ORDER BY id")
[ -n "$sess" ] || fail "the fixture has no session open at the end"

# every write to those rows is noted (rowids alone would not show a row
# deleted and written again: it gets the same rowid)
q "CREATE TABLE probe(what TEXT);
CREATE TRIGGER p1 AFTER DELETE ON anomalies WHEN old.at_end BEGIN INSERT INTO probe VALUES('anomaly deleted'); END;
CREATE TRIGGER p2 AFTER INSERT ON anomalies WHEN new.at_end BEGIN INSERT INTO probe VALUES('anomaly written'); END;
CREATE TRIGGER p3 AFTER INSERT ON sessions BEGIN INSERT INTO probe VALUES('session written'); END;
CREATE TRIGGER p4 AFTER UPDATE ON sessions BEGIN INSERT INTO probe VALUES('session updated'); END;
CREATE TRIGGER p5 AFTER INSERT ON logins BEGIN INSERT INTO probe VALUES('login written'); END;
CREATE TRIGGER p6 AFTER UPDATE ON logins BEGIN INSERT INTO probe VALUES('login updated'); END;"

# one call of another process, that touches nothing open
printf '%s\n' '6: C_GetInfo' 'P:7007; T:0x1 2026-03-01 10:00:00.600' '[out] pInfo->cryptokiVersion: 2.40' \
	'Returned:  0 CKR_OK' '' >>"$LOG"
"$HS" index "$LOG" --index "$DB" >"$T/state"
grep -q '^state      refreshed' "$T/state" || fail "not refreshed: $(cat "$T/state")"
[ "$(q "$AT_END")" = "$before" ] || {
	printf 'before:\n%s\nafter:\n%s\n' "$before" "$(q "$AT_END")" >&2
	fail "end-of-log anomalies were rewritten though nothing open changed"
}
[ "$(q "SELECT rowid, * FROM sessions WHERE close_n IS NULL ORDER BY id")" = "$sess" ] ||
	fail "the open session's row changed"
w=$(q "SELECT what, count(*) FROM probe GROUP BY what")
[ -z "$w" ] || fail "rows of what is still open were written again: $(echo $w)"
q "DROP TABLE probe; DROP TRIGGER p1; DROP TRIGGER p2; DROP TRIGGER p3; DROP TRIGGER p4;
DROP TRIGGER p5; DROP TRIGGER p6"

# the same as a rebuild, end-of-log rows included
dump() {
	sqlite3 "$1" "SELECT n, kind, ref, at_end, detail FROM anomalies ORDER BY n, kind, ref, at_end, detail;
		SELECT * FROM sessions ORDER BY id; SELECT * FROM logins ORDER BY id; SELECT * FROM spans ORDER BY id"
}
cp "$LOG" "$T/whole.log"
"$HS" index "$T/whole.log" --index "$T/whole.db" >/dev/null
[ "$(dump "$DB")" = "$(dump "$T/whole.db")" ] || fail "refreshed tables differ from a rebuild"

# an index refreshed without a flush under another boot is not trusted
if [ -r /proc/sys/kernel/random/boot_id ]; then
	[ "$(q 'PRAGMA user_version')" != 0 ] || fail "a refresh in place left no boot tag"
	"$HS" index "$LOG" --index "$DB" >"$T/state"
	grep -q '^state      reused' "$T/state" || fail "same boot: not reused: $(cat "$T/state")"
	q 'PRAGMA user_version = 12345' >/dev/null
	"$HS" index "$LOG" --index "$DB" >"$T/state"
	grep -q '^state      built' "$T/state" || fail "another boot's unflushed index reused: $(cat "$T/state")"
	[ "$(q 'PRAGMA user_version')" = 0 ] || fail "a rebuilt index keeps a boot tag"
fi
echo ok
