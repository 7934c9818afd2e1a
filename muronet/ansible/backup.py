"""Back up one device's running configuration into the backup repository, as ``muronet backup``
does: secrets masked with the repository's salt, one commit per run (``muronet.backup``)."""

from __future__ import annotations

from pathlib import Path

from muronet.backup import locked, open_repo, write_masked


def back_up(repo: Path, name: str, running: str) -> bool:
    """Write ``name``'s masked configuration; True if it changed. Devices of one run write in
    parallel, and other writers may share the repository: each writes under its lock."""
    with locked(repo):
        return write_masked(repo, open_repo(repo), name, running)
