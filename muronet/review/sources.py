"""Where a change comes from: two revisions of this repository (rendered), two folders of
configurations, or the devices' running configurations against the intended ones."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from muronet.inventory.index import InventoryIndex
from muronet.inventory.issues import display_path, line_of
from muronet.inventory.loader import MAX_FILE_BYTES, Inventory
from muronet.processes import diff_files, git, git_blobs
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
        choices: tuple[Callable[[str], bool], ...] = (
            lambda f: f == own, lambda f: f.startswith(f"templates/{platform}/"), lambda f: f.startswith("inventory/"))
        for wanted in choices:
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


REVIEWED = ("inventory", "templates")  # what a revision is rendered from
_LINK, _FILE, _SUBMODULE = "120000", ("100644", "100755"), "160000"
_MAX_HOPS = 40  # links followed to reach one file, as the kernel's limit


class _Tree:
    """A revision's tree as git stores it (path → mode, object id, size): its files are read as raw
    blobs, so no filter or text conversion a ``.gitattributes`` names ever runs, and its symbolic
    links are followed here, inside the tree, never on the disk."""

    def __init__(self, repo: Path, commit: str) -> None:
        self.repo = repo
        self.entries: dict[str, tuple[str, str, int]] = {}
        listing = git(repo, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, error=SourceError)
        for record in filter(None, listing.split("\0")):
            meta, _, path = record.partition("\t")
            mode, _kind, name, size = meta.split()
            self.entries[path] = (mode, name, int(size) if size.isdigit() else 0)
        self.links = dict(zip((p for p, e in self.entries.items() if e[0] == _LINK),
                              (b.decode(errors="replace") for b in git_blobs(
                                  repo, [e[1] for e in self.entries.values() if e[0] == _LINK], SourceError)),
                              strict=True))

    def real(self, path: str, hops: int = 0) -> str:
        """``path`` with every link on it followed; raises SourceError when one leads outside the
        repository (an absolute link does, whatever it names)."""
        parts: list[str] = []
        for number, part in enumerate(path.split("/")):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    raise _outside(path)
                parts.pop()
                continue
            parts.append(part)
            here = "/".join(parts)
            if here in self.links:
                if hops >= _MAX_HOPS:
                    raise SourceError(f"{here}: too many levels of symbolic links")
                target = self.links[here]
                if target.startswith("/"):
                    raise _outside(here, target)
                rest = "/".join(path.split("/")[number + 1:])
                try:
                    return self.real("/".join(filter(None, ["/".join(parts[:-1]), target, rest])), hops + 1)
                except SourceError as error:
                    raise (_outside(here, target) if "outside the repository" in str(error) else error) from None
        return "/".join(parts)

    def files(self, top: str) -> dict[str, str]:
        """Every file under ``top`` (path → the path of the file it is, links followed)."""
        found: dict[str, str] = {}
        for path, (mode, _, _) in self.entries.items():
            if path.split("/", 1)[0] != top:
                continue
            if mode == _SUBMODULE:
                raise SourceError(f"{path}: a submodule, which a review cannot read")
            real = self.real(path)
            if self._is_file(real):
                found[path] = real
            else:  # a link to a folder of the tree: the files under it, as the link's own
                inside = {path + name[len(real):]: self.real(name) for name in self.entries
                          if name.startswith(real + "/")}
                found |= {name: file for name, file in inside.items() if self._is_file(file)}
        return found

    def _is_file(self, path: str) -> bool:
        return path in self.entries and self.entries[path][0] in _FILE

    def extract(self, into: Path) -> Path:
        """The inventory and templates written under ``into`` as plain files (no link)."""
        wanted = {path: real for top in REVIEWED for path, real in self.files(top).items()}
        large = next((p for p, real in wanted.items() if self.entries[real][2] > MAX_FILE_BYTES), None)
        if large is not None:
            raise SourceError(f"{large}: larger than {MAX_FILE_BYTES} bytes")
        contents = git_blobs(self.repo, [self.entries[real][1] for real in wanted.values()], SourceError)
        for path, content in zip(wanted, contents, strict=True):
            target = into / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return into


def _outside(path: str, target: str | None = None) -> SourceError:
    to = f" to {target}" if target is not None else ""
    return SourceError(f"{path}: a symbolic link{to}, outside the repository (a review does not follow it)")


def _extract(repo: Path, revision: str, into: Path) -> Path:
    """The inventory and templates of ``revision`` in a folder of their own."""
    into.mkdir(parents=True)
    return _Tree(repo, revision).extract(into)


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


def _hunks(before: Path, after: Path) -> dict[str, list[int]]:
    """Changed line numbers of each file of ``after`` against ``before`` (two folders holding the
    inventory and templates), as ``git diff -U0`` counts them; git compares two plain files here,
    outside any repository, so no configuration or attribute of one applies."""
    hunks: dict[str, list[int]] = {}
    for name in sorted(_reviewed_files(after)):
        old, new = before / name, after / name
        if old.is_file() and old.read_bytes() == new.read_bytes():
            continue
        for line in diff_files(old if old.is_file() else Path(os.devnull), new, SourceError).splitlines():
            found = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
            if found:
                start, count = int(found.group(1)), int(found.group(2) or 1)
                hunks.setdefault(name, []).extend(range(start, start + max(count, 1)))
    return hunks


def _reviewed_files(root: Path) -> list[str]:
    """The files of ``root``'s inventory and templates, relative to it (links are not entered)."""
    return [str(Path(top, name).relative_to(root)) for folder in REVIEWED if (root / folder).is_dir()
            for top, _, names in os.walk(root / folder) for name in names]


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
    return GitChange(before, after, _hunks(before.root, after.root), folder)


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
