"""Back up one device's running configuration into the backup repository, as ``muronet backup``
does: secrets masked with the repository's salt, one commit per run (``muronet.backup``)."""

from __future__ import annotations

import fcntl
from pathlib import Path

from muronet.backup import open_repo, write_masked


def back_up(repo: Path, name: str, running: str) -> bool:
    """Write ``name``'s masked configuration; True if it changed. Devices of one run write in
    parallel: the first creates the repository and its salt, under a lock."""
    repo.parent.mkdir(parents=True, exist_ok=True)
    with open(repo.parent / f".{repo.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        salt = open_repo(repo)
    return write_masked(repo, salt, name, running)
