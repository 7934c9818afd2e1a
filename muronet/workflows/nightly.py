"""The nightly job: back up every device, audit the backups and their drift, compare with the
previous night (SQLite history)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from muronet.backup import BackupRun, store
from muronet.inventory.index import InventoryIndex
from muronet.policy import history, report
from muronet.policy.engine import Result, blocking
from muronet.policy.results import AuditReport
from muronet.tasks.collect import collect
from muronet.workflows.audit import (
    FORMATS,
    absent_from_run,
    audited,
    default_waivers,
    drift,
    platforms_of,
    write_reports,
)
from muronet.workflows.common import WORKERS, devices_nornir, load, read_configs


@dataclass(frozen=True)
class NightlyOptions:
    inventory: Path = Path("inventory")
    repo: Path = Path("build/backups")
    db: Path = Path("build/nightly.sqlite")
    lab_state: Path | None = None  # the twin of this state folder
    out_dir: Path = Path("build/nightly")


@dataclass
class NightlyResult:
    report: AuditReport  # the audit of the backups, with the night's history and backup
    backup: BackupRun
    blocking: list[Result]  # open unwaived critical or high findings
    written: dict[str, Path] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking or self.backup.unreachable else 0


def nightly(options: NightlyOptions) -> NightlyResult:
    loaded = load(options.inventory)
    index = InventoryIndex(loaded)
    configs, failed = collect(devices_nornir(options.inventory, options.lab_state, WORKERS))
    run = store(options.repo, configs, failed)
    texts, errors = read_configs(options.repo)  # the backups: tonight's, or the last good one
    results = audited(texts, platforms_of(texts, None, index), index, default_waivers(options.inventory)) + errors
    drifted = drift(loaded, texts, False, secrets.token_bytes(16))
    audited_backups = report.document(results, drifted, {"source": f"nightly backup {options.repo}",
                                                         "generated": datetime.now().isoformat(timespec="seconds")},
                                      index, texts,  # the backups: masked as they were written
                                      absent=f"no backup in {options.repo}: " + absent_from_run(options.lab_state))
    stopping = blocking(results)
    audited_backups.history = history.record(options.db, audited_backups, run.commit, len(stopping))
    audited_backups.backup = run.as_dict()
    return NightlyResult(audited_backups, run, stopping,
                         write_reports(audited_backups, results, options.out_dir, [*FORMATS, "pdf"]))
