"""Nightly history in SQLite: each run's findings, so a report can say what is new, what was
fixed and what is still open since the previous run, and how the counts move over time."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, devices INTEGER NOT NULL,
                                 findings INTEGER NOT NULL, blocking INTEGER NOT NULL, backup_commit TEXT);
CREATE TABLE IF NOT EXISTS findings (run INTEGER NOT NULL REFERENCES runs(id), device TEXT NOT NULL,
                                     rule TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL,
                                     message TEXT NOT NULL, line INTEGER);
CREATE INDEX IF NOT EXISTS findings_run ON findings(run);
"""


def _key(finding: dict[str, Any]) -> tuple[str, str, str]:
    """What makes a finding the same one from night to night (line numbers move)."""
    return str(finding["device"]), str(finding["rule"]), str(finding["message"])


def record(db: Path, doc: dict[str, Any], backup_commit: str | None, blocking: int) -> dict[str, Any]:
    """Store this run; return its comparison with the previous run and the trend of all runs."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as connection:
        connection.executescript(SCHEMA)
        previous_run = connection.execute("SELECT max(id) FROM runs").fetchone()[0]
        previous = {(d, r, m) for d, r, m in connection.execute(
            "SELECT device, rule, message FROM findings WHERE run = ?", (previous_run,))} if previous_run else set()
        findings = [f for f in doc["findings"] if f["status"] in ("fail", "error")]
        cursor = connection.execute(
            "INSERT INTO runs (started, devices, findings, blocking, backup_commit) VALUES (?, ?, ?, ?, ?)",
            (datetime.now().isoformat(timespec="seconds"), len(doc["devices"]), len(findings), blocking,
             backup_commit))
        run = cursor.lastrowid
        connection.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(run, f["device"], f["rule"], f["severity"], f["status"], f["message"], f["line"]) for f in findings])
        trend = [dict(zip(("run", "started", "devices", "findings", "blocking"), row, strict=True))
                 for row in connection.execute("SELECT id, started, devices, findings, blocking FROM runs ORDER BY id")]
    current = {_key(f) for f in findings}
    return {"run": run, "previous_run": previous_run,
            "new": sorted(current - previous), "fixed": sorted(previous - current),
            "still_open": sorted(current & previous), "trend": trend}
