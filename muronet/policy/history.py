"""Nightly history in SQLite: each run's findings, so a report can say what is new, what was
fixed and what is still open since the previous run, and how the counts move over time."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from muronet.policy.results import AuditReport, Finding, Night, NightHistory

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, devices INTEGER NOT NULL,
                                 findings INTEGER NOT NULL, blocking INTEGER NOT NULL, backup_commit TEXT);
CREATE TABLE IF NOT EXISTS findings (run INTEGER NOT NULL REFERENCES runs(id), device TEXT NOT NULL,
                                     rule TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL,
                                     message TEXT NOT NULL, line INTEGER);
CREATE INDEX IF NOT EXISTS findings_run ON findings(run);
"""


def _key(finding: Finding) -> tuple[str, str, str]:
    """What makes a finding the same one from night to night (line numbers move)."""
    return finding.device, finding.rule, finding.message


def record(db: Path, report: AuditReport, backup_commit: str | None, blocking: int) -> NightHistory:
    """Store this run; return its comparison with the previous run and the trend of all runs (each
    run with what was new, fixed and still open against the run before it)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as connection:
        connection.executescript(SCHEMA)
        previous_run, previous_started = connection.execute(
            "SELECT id, started FROM runs ORDER BY id DESC LIMIT 1").fetchone() or (None, None)
        findings = [f for f in report.findings if f.status in ("fail", "error")]
        cursor = connection.execute(
            "INSERT INTO runs (started, devices, findings, blocking, backup_commit) VALUES (?, ?, ?, ?, ?)",
            (datetime.now().isoformat(timespec="seconds"), len(report.devices), len(findings), blocking,
             backup_commit))
        run = cursor.lastrowid
        connection.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(run, f.device, f.rule, f.severity, f.status, f.message, f.line) for f in findings])
        trend, keys = _trend(connection)
    current = {_key(f) for f in findings}
    previous = keys.get(previous_run, set()) if previous_run is not None else set()  # none before the first run
    assert run is not None  # the row just inserted
    return NightHistory(run, previous_run, previous_started, sorted(current - previous), sorted(previous - current),
                        sorted(current & previous), trend)


def _trend(connection: sqlite3.Connection, nights: int = 60
           ) -> tuple[list[Night], dict[int, set[tuple[str, str, str]]]]:
    """The last ``nights`` runs, oldest first: counts, and new/fixed/still open against the run
    before; and each of those runs' findings (device, rule, message)."""
    rows = connection.execute("SELECT id, started, devices, findings, blocking FROM runs ORDER BY id DESC LIMIT ?",
                              (nights + 1,)).fetchall()[::-1]
    keys: dict[int, set[tuple[str, str, str]]] = {row[0]: set() for row in rows}
    for run, device, rule, message in connection.execute(
            "SELECT run, device, rule, message FROM findings WHERE run >= ?", (rows[0][0],)):
        keys[run].add((device, rule, message))
    trend = []
    for index, (run, started, devices, found, blocking) in enumerate(rows):
        before = keys[rows[index - 1][0]] if index else set()
        now = keys[run]
        trend.append(Night(run, started, devices, found, blocking, len(now - before), len(before - now),
                           len(now & before)))
    return (trend[1:] if len(rows) > nights else trend), keys
