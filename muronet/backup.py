"""Configuration backups in git: one masked file per device, one commit per run.

The repository is separate from the source of truth. Secrets are masked with a salt kept in the
repository's ``.git`` folder (never committed): the same secret gives the same placeholder run after
run, a changed secret a changed one. A device that cannot be read keeps its last good backup.
"""

from __future__ import annotations

import fcntl
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from muronet.files import write_atomic
from muronet.masking import mask
from muronet.processes import git

NAMED_IN_MESSAGE = 20  # devices a backup commit's message names (git log stays readable)


@dataclass
class BackupRun:
    repo: Path
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unreachable: dict[str, str] = field(default_factory=dict)
    commit: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"repo": str(self.repo), "changed": self.changed, "unchanged": self.unchanged,
                "unreachable": self.unreachable, "commit": self.commit}


def _git(repo: Path, *args: str) -> str:
    return git(repo, *args).strip()


def open_repo(repo: Path) -> bytes:
    """Create the repository if needed; return its masking salt (made once, kept in .git)."""
    repo.mkdir(parents=True, exist_ok=True)
    if not (repo / ".git").exists():
        _git(repo, "init", "-q", "-b", "main")
    salt_file = repo / ".git" / "muronet-salt"
    if not salt_file.exists():  # whoever holds the salt can test guesses against the placeholders
        write_atomic(salt_file, secrets.token_bytes(32), mode=0o600)
    return salt_file.read_bytes()


def write_masked(repo: Path, salt: bytes, name: str, text: str) -> bool:
    """Write ``name``'s configuration with its secrets masked; False if the file already said so."""
    path = repo / f"{name}.cfg"
    masked = mask(text, salt)
    if path.exists() and path.read_text(encoding="utf-8") == masked:
        return False
    write_atomic(path, masked)
    return True


def pending(repo: Path) -> list[str]:
    """Devices whose backup file is new or changed since the last commit."""
    listed = _git(repo, "ls-files", "--modified", "--others", "--exclude-standard", "--", "*.cfg")
    return sorted({Path(line).stem for line in listed.splitlines()})


def commit(repo: Path, changed: list[str], unreachable: dict[str, str]) -> str | None:
    """Commit the backups of ``changed`` devices (one commit, naming them and the unreachable
    ones); return the commit, or None when nothing changed."""
    if not changed:
        return None
    _git(repo, "add", "--", *(f"{n}.cfg" for n in changed))
    shown = ", ".join(changed[:NAMED_IN_MESSAGE]) + (
        f" and {len(changed) - NAMED_IN_MESSAGE} more" if len(changed) > NAMED_IN_MESSAGE else "")
    message = f"backup: {len(changed)} device(s) changed: {shown}"
    if unreachable:
        message += f"\n\nunreachable, last good backup kept: {', '.join(sorted(unreachable))}"
    _git(repo, "-c", "user.name=muronet", "-c", "user.email=muronet@localhost", "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


@contextmanager
def locked(repo: Path) -> Iterator[None]:
    """The repository for one writer at a time (two nightly runs, a nightly run and a playbook's
    backup): a lock file beside it, so that it holds before the repository exists."""
    repo.parent.mkdir(parents=True, exist_ok=True)
    with open(repo.parent / f".{repo.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def store(repo: Path, configs: dict[str, str], unreachable: dict[str, str]) -> BackupRun:
    """Write every readable configuration (masked) and commit what changed, holding the
    repository's lock: another writer's files and commit never mix with this run's."""
    with locked(repo):
        salt = open_repo(repo)
        run = BackupRun(repo, unreachable=dict(sorted(unreachable.items())))
        for name, text in sorted(configs.items()):
            (run.changed if write_masked(repo, salt, name, text) else run.unchanged).append(name)
        run.commit = commit(repo, run.changed, run.unreachable)
    return run
