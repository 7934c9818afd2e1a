"""Where a change comes from: two revisions of this repository (rendered), two folders of
configurations, or the devices' running configurations against the intended ones."""

from __future__ import annotations

import re
import tarfile
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from muronet.inventory.index import InventoryIndex
from muronet.inventory.issues import display_path, line_of
from muronet.inventory.loader import Inventory
from muronet.processes import git
from muronet.render.engine import Renderer, RenderError
from muronet.validation import load_and_validate

SourceLine = tuple[str, int]  # (file relative to the repository, line)


class SourceError(Exception):
    """A revision that cannot be read or rendered; the message says which and why."""


class InvalidRevision(SourceError):
    """A revision whose inventory does not validate or does not render: ``problems`` say where."""

    def __init__(self, label: str, problems: list[str]) -> None:
        super().__init__(f"{label}: the inventory does not validate: {problems[0]}")
        self.label, self.problems = label, problems


@dataclass
class Revision:
    inventory: Inventory
    configs: dict[str, str]  # device → rendered configuration (secrets as vault references)
    root: Path  # the folder holding its inventory/ and templates/

    @cached_property
    def index(self) -> InventoryIndex:
        return InventoryIndex(self.inventory)


@dataclass
class GitChange:
    before: Revision
    after: Revision
    hunks: dict[str, list[int]] = field(default_factory=dict)  # file → changed lines at HEAD
    folder: tempfile.TemporaryDirectory[str] | None = None  # holds the extracted revisions while in use

    def origins(self, device: str, platform: str) -> list[SourceLine]:
        """Where a device's change comes from: the changed lines of its inventory file, else of
        its platform's templates, else of any inventory file, else its inventory entry."""
        entry = self.after.inventory.device(device) or self.before.inventory.device(device)
        inventory = self.after.inventory if self.after.inventory.device(device) else self.before.inventory
        own = _relative(inventory.where(entry).file, inventory.root.parent) if entry else None
        for wanted in (lambda f: f == own, lambda f: f.startswith(f"templates/{platform}/"),
                       lambda f: f.startswith("inventory/")):
            found = [(f, n) for f, lines in self.hunks.items() if wanted(f) for n in lines[:5]]
            if found:
                return found
        if entry is not None:
            where = inventory.where(entry, "name")
            return [(own or display_path(where.file), line_of(where.file, where.path))]
        return []


def _relative(file: Path, root: Path) -> str:
    try:
        return str(file.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(file)


def _extract(repo: Path, revision: str, into: Path) -> Path:
    """The inventory, templates and policy of ``revision`` in a folder of their own."""
    into.mkdir(parents=True)
    archive = into / "revision.tar"
    git(repo, "archive", "--format=tar", "-o", str(archive), revision, "--", "inventory", "templates",
        error=SourceError)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into


def render_revision(root: Path, label: str) -> Revision:
    """Every device of the inventory under ``root`` rendered (without secrets: references stay)."""
    inventory, issues = load_and_validate(root / "inventory")
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise InvalidRevision(label, [_at_repository(i.format(), root) for i in errors])
    try:
        renderer = Renderer(inventory, root / "templates")
        return Revision(inventory, {d.name: renderer.render(d) for d in inventory.devices}, root)
    except RenderError as error:
        raise InvalidRevision(label, [str(error)]) from None


def _at_repository(problem: str, root: Path) -> str:
    """An issue's ``file:line`` relative to the revision's root (a temporary folder for a commit)."""
    file, sep, rest = problem.partition(":")
    return f"{_relative(Path(file), root)}{sep}{rest}"


def _hunks(repo: Path, base: str, head: str | None) -> dict[str, list[int]]:
    """Changed line numbers at ``head`` (the working tree if None) per file, from ``git diff -U0``."""
    args = ["diff", "-U0", base, *([head] if head else []), "--", "inventory", "templates"]
    hunks: dict[str, list[int]] = {}
    current = None
    for line in git(repo, *args, error=SourceError).splitlines():
        if line.startswith("+++ "):
            current = line[6:] if line.startswith("+++ b/") else None
        elif line.startswith("@@") and current:
            found = re.search(r"\+(\d+)(?:,(\d+))?", line)
            if found:
                start, count = int(found.group(1)), int(found.group(2) or 1)
                hunks.setdefault(current, []).extend(range(start, start + max(count, 1)))
    return hunks


def git_change(repo: Path, spec: str) -> GitChange:
    """``BASE..HEAD`` of ``repo`` rendered at both ends (``BASE..`` : the working tree)."""
    base, dots, head = spec.partition("..")
    if not dots or not base:
        raise SourceError(f"--git wants BASE..HEAD (or BASE.. for the working tree), not {spec!r}")
    base_commit, head_commit = _commit(repo, base), _commit(repo, head) if head else None
    folder = tempfile.TemporaryDirectory(prefix="muronet-review-")
    tmp = Path(folder.name)
    try:
        before = render_revision(_extract(repo, base_commit, tmp / "base"), base)
    except InvalidRevision as error:  # the base is what was approved before: it must read
        raise SourceError(str(error)) from None
    # a head that does not validate raises InvalidRevision: the review blocks it
    after = (render_revision(_extract(repo, head_commit, tmp / "head"), head) if head_commit
             else render_revision(repo, "working tree"))
    return GitChange(before, after, _hunks(repo, base_commit, head_commit), folder)


def _commit(repo: Path, revision: str) -> str:
    """The commit a revision names; never an option (``--output=…`` would make git write a file).

    >>> _commit(Path("."), "--output=/tmp/x")
    Traceback (most recent call last):
    muronet.review.sources.SourceError: '--output=/tmp/x' is not a revision
    """
    if revision.startswith("-") or not revision.strip():
        raise SourceError(f"{revision!r} is not a revision")
    try:
        found = git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}",
                    error=SourceError)
    except SourceError:
        raise SourceError(f"{revision!r}: no such commit in {repo}") from None
    return found.strip()
