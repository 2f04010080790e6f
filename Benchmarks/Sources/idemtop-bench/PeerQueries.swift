import Foundation

/// The peers' programs: the summary `idemtop stats` prints, as a DuckDB user and a sqlite3 user would write it.
///
/// The derived status follows README ("The SQLite format", `idem_tokens`): purged wins, then expiry
/// (`at >= expires_at`), then an in-progress token past its lock is stuck. From a journal the peer must fold it
/// itself: the stored status is the kind of the last event that sets one, the expiry and lock the last ones set.
enum PeerQueries {
    /// A Python program (argv: journal, instant) that asks DuckDB for the summary and prints it as JSON.
    ///
    /// Only the columns the summary needs are read (`columns=`), so bodies are never parsed into values; RFC 3339
    /// times in the journal's fixed form (`2026-11-28T06:00:00.003Z`) compare as text.
    static let duckdb = #"""
import duckdb, json, sys
path, at = sys.argv[1], sys.argv[2]
if len(at) == 20: at = at[:-1] + ".000Z"
q = """
WITH ev AS (
  SELECT kind, "at", tenant, token, outcome, expires_at, locked_until
  FROM read_ndjson(?, columns={kind: 'VARCHAR', "at": 'VARCHAR', tenant: 'VARCHAR', token: 'VARCHAR',
                                outcome: 'VARCHAR', expires_at: 'VARCHAR', locked_until: 'VARCHAR'})
  WHERE "at" <= ?),
tok AS (
  SELECT count(*) AS n,
    count(*) FILTER (WHERE outcome = 'executed') AS executed,
    count(*) FILTER (WHERE outcome = 'replayed') AS replayed,
    count(*) FILTER (WHERE outcome = 'mismatch') AS mismatch,
    count(*) FILTER (WHERE outcome = 'conflict') AS conflict,
    count(*) FILTER (WHERE outcome = 'reexecuted') AS reexecuted,
    arg_max(CASE kind WHEN 'request' THEN 'in_progress' WHEN 'purge' THEN 'purged' ELSE kind END, "at")
      FILTER (WHERE outcome IN ('executed', 'reexecuted') OR kind IN ('completed', 'failed', 'purge')) AS stored,
    arg_max(expires_at, "at")
      FILTER (WHERE expires_at IS NOT NULL AND (kind = 'completed' OR outcome IN ('executed', 'reexecuted'))) AS exp,
    arg_max(locked_until, "at") FILTER (WHERE outcome IN ('executed', 'reexecuted')) AS lck
  FROM ev GROUP BY tenant, token),
st AS (
  SELECT *, CASE WHEN stored = 'purged' THEN 'purged' WHEN exp <= ? THEN 'expired'
                 WHEN stored = 'in_progress' AND lck <= ? THEN 'stuck' ELSE stored END AS status FROM tok)
SELECT status, count(*), sum(n), sum(executed), sum(replayed), sum(mismatch), sum(conflict), sum(reexecuted)
FROM st GROUP BY status
"""
con = duckdb.connect()
# A query longer than 2 s draws a progress bar on stdout, which is not JSON.
con.execute("SET enable_progress_bar = false")
rows = con.execute(q, [path, at, at, at]).fetchall()
out = {"tokens": 0, "events": 0, "executed": 0, "hits": 0, "mismatches": 0, "conflicts": 0, "reexecuted": 0,
       "by_status": {}}
for status, n, events, ex, rp, mm, cf, rx in rows:
    out["by_status"][status] = n
    out["tokens"] += n
    for k, v in (("events", events), ("executed", ex), ("hits", rp), ("mismatches", mm), ("conflicts", cf),
                 ("reexecuted", rx)):
        out[k] += int(v)
print(json.dumps(out))
"""#

    /// Two statements for the sqlite3 CLI (`-json`): the counts from `idem_events`, the statuses from `idem_tokens`.
    static func sqlite(atMs: Int64) -> String {
        """
        SELECT count(*) AS events, sum(outcome = 'executed') AS executed, sum(outcome = 'replayed') AS hits,
               sum(outcome = 'mismatch') AS mismatches, sum(outcome = 'conflict') AS conflicts,
               sum(outcome = 'reexecuted') AS reexecuted
        FROM idem_events WHERE at <= \(atMs);
        SELECT CASE WHEN status = 'purged' THEN 'purged' WHEN expires_at <= \(atMs) THEN 'expired'
                    WHEN status = 'in_progress' AND locked_until <= \(atMs) THEN 'stuck' ELSE status END AS status,
               count(*) AS n
        FROM idem_tokens GROUP BY 1;
        """
    }
}

/// The virtual environment with DuckDB from PyPI that the benchmark makes once and reuses.
enum DuckDBVenv {
    /// `$IDEMTOP_BENCH_VENV`, or ~/.cache/idemtop-bench/duckdb-venv.
    static var folder: String {
        if let v = ProcessInfo.processInfo.environment["IDEMTOP_BENCH_VENV"], !v.isEmpty { return v }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".cache/idemtop-bench/duckdb-venv")
    }

    /// The venv's python with duckdb importable, made (python3 -m venv, pip install duckdb) when missing.
    static func python() -> String {
        let python = (folder as NSString).appendingPathComponent("bin/python3")
        if FileManager.default.isExecutableFile(atPath: python), StatsBench.timed(python, ["-c", "import duckdb"]).2 == 0 {
            return python
        }
        print("making \(folder) (python3 -m venv, pip install duckdb)...")
        try? FileManager.default.createDirectory(atPath: (folder as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        guard StatsBench.timed("/usr/bin/env", ["python3", "-m", "venv", folder]).2 == 0 else {
            fail("cannot make a virtual environment at \(folder)")
        }
        let pip = (folder as NSString).appendingPathComponent("bin/pip")
        guard StatsBench.timed(pip, ["install", "--quiet", "duckdb"]).2 == 0,
              StatsBench.timed(python, ["-c", "import duckdb"]).2 == 0 else {
            fail("pip install duckdb failed in \(folder)")
        }
        return python
    }
}
