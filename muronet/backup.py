"""Configuration backups in git: one masked file per device, one commit per run.

The repository is separate from the source of truth. Secrets are masked with a salt kept in the
repository's ``.git`` folder (never committed): the same secret gives the same placeholder run after
run, a changed secret a changed one. A device that cannot be read keeps its last good backup.
"""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from muronet.masking import mask


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
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def open_repo(repo: Path) -> bytes:
    """Create the repository if needed; return its masking salt (made once, kept in .git)."""
    repo.mkdir(parents=True, exist_ok=True)
    if not (repo / ".git").exists():
        _git(repo, "init", "-q", "-b", "main")
    salt_file = repo / ".git" / "muronet-salt"
    if not salt_file.exists():
        salt_file.write_bytes(secrets.token_bytes(32))
        salt_file.chmod(0o600)
    return salt_file.read_bytes()


def store(repo: Path, configs: dict[str, str], unreachable: dict[str, str]) -> BackupRun:
    """Write every readable configuration (masked) and commit what changed."""
    salt = open_repo(repo)
    run = BackupRun(repo, unreachable=dict(sorted(unreachable.items())))
    for name, text in sorted(configs.items()):
        path = repo / f"{name}.cfg"
        masked = mask(text, salt)
        if path.exists() and path.read_text(encoding="utf-8") == masked:
            run.unchanged.append(name)
            continue
        path.write_text(masked, encoding="utf-8")
        run.changed.append(name)
    if run.changed:
        _git(repo, "add", "--", *(f"{n}.cfg" for n in run.changed))
        shown = ", ".join(run.changed[:20]) + (f" and {len(run.changed) - 20} more" if len(run.changed) > 20 else "")
        message = f"backup: {len(run.changed)} device(s) changed: {shown}"
        if run.unreachable:
            message += f"\n\nunreachable, last good backup kept: {', '.join(run.unreachable)}"
        _git(repo, "-c", "user.name=muronet", "-c", "user.email=muronet@localhost", "commit", "-q", "-m", message)
        run.commit = _git(repo, "rev-parse", "HEAD")
    return run
