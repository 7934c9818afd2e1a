"""Backups: every running configuration into a git repository, secrets masked, one commit per run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from muronet.backup import BackupRun, store
from muronet.inventory.index import InventoryIndex
from muronet.tasks.collect import collect
from muronet.workflows.common import WORKERS, load, selected_nornir


@dataclass(frozen=True)
class BackupOptions:
    inventory: Path = Path("inventory")
    repo: Path = Path("build/backups")  # created if missing
    lab_state: Path | None = None  # back up the twin of this state folder
    limit: str | None = None


def backup(options: BackupOptions) -> BackupRun:
    """The run: changed, unchanged, unreachable (their last good backup stays) and the commit."""
    index = InventoryIndex(load(options.inventory))
    configs, failed = collect(selected_nornir(options.inventory, index, options.limit, options.lab_state, WORKERS))
    return store(options.repo, configs, failed)
