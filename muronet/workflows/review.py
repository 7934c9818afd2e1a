"""The security review of a change, from one of three sources: two revisions of this repository,
two folders of configurations, or what provisioning would change now (running → intended)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from muronet.display import json_text
from muronet.files import write_atomic
from muronet.inventory.index import InventoryIndex
from muronet.masking import mask
from muronet.platforms import detect_platform, get_platform
from muronet.policy.context import Settings
from muronet.render.engine import default_templates_dir
from muronet.review.engine import ChangeReview, review_change
from muronet.review.report import markdown, sarif
from muronet.tasks.collect import collect
from muronet.workflows.common import (
    WORKERS,
    intended_configs,
    load,
    read_configs,
    selected_nornir,
)
from muronet.workflows.errors import WorkflowError

FORMATS = ("md", "json", "sarif")
_FILES = {"md": "review.md", "json": "review.json", "sarif": "review.sarif"}


@dataclass(frozen=True)
class ReviewOptions:
    """Exactly one source: ``git`` (``BASE..HEAD``), ``before`` and ``after`` folders, or ``pending``."""

    inventory: Path = Path("inventory")
    git: str | None = None
    before: Path | None = None
    after: Path | None = None
    pending: bool = False
    lab_state: Path | None = None  # with pending: the twin
    limit: str | None = None
    formats: tuple[str, ...] = FORMATS
    out_dir: Path = Path("build/review")

    def __post_init__(self) -> None:
        sources = (self.git is not None, self.before is not None or self.after is not None, self.pending)
        if sum(sources) != 1 or (self.before is None) != (self.after is None):
            raise WorkflowError("give one of --git BASE..HEAD, --before DIR --after DIR, and --pending", 2)


def _unchanged(data: dict[str, Any]) -> dict[str, Any]:
    return data


@dataclass
class ReviewResult:
    """The review as data: the typed review, and how it is shown (:meth:`to_json`)."""

    change: ChangeReview  # its lines as read: show them only through to_json, which masks them
    salt: bytes  # the secret mask the configurations were read with
    # the inventory's resolved secrets taken out of what is shown (running configurations hold them)
    scrub: Callable[[dict[str, Any]], dict[str, Any]] = _unchanged
    written: dict[str, Path] = field(default_factory=dict)  # report format → file

    @property
    def risk(self) -> str:
        return self.change.risk

    @property
    def blocking(self) -> bool:
        return self.change.blocking

    def to_json(self) -> dict[str, Any]:
        """The review as ``muronet review --json`` prints it, every line masked."""
        return self.scrub(self.change.as_dict(self.salt))


def review(options: ReviewOptions) -> ReviewResult:
    """The review of the change ``options`` names, its reports written to ``options.out_dir``."""
    origins = None
    if options.git is not None:  # both revisions are validated there: an invalid head is the review's verdict
        result, origins = _of_git(options.inventory, options.git)
    elif options.pending:
        loaded = load(options.inventory)
        index = InventoryIndex(loaded)
        nr = selected_nornir(options.inventory, index, options.limit, options.lab_state, WORKERS)
        configs, scrubber = intended_configs(loaded, None, sorted(nr.inventory.hosts))
        running, _ = collect(nr)  # collect closes the sessions
        result = of_running(index, running, configs, scrubber.scrub_data)
    else:
        assert options.before is not None and options.after is not None
        result = _of_folders(InventoryIndex(load(options.inventory)), options.before, options.after)
    result.written = _write(result.to_json(), origins, options)
    return result


def of_running(index: InventoryIndex, running: dict[str, str], intended: dict[str, str],
               scrub: Callable[[dict[str, Any]], dict[str, Any]] = _unchanged) -> ReviewResult:
    """The review of ``running`` → ``intended`` (per device). Both sides are masked with one salt,
    so a changed secret shows as a change and no value is ever shown."""
    salt = secrets.token_bytes(16)
    platforms = {name: index.devices[name].platform for name in running}
    before = {n: mask(get_platform(platforms[n]).without_device_lines(t), salt, platforms[n])
              for n, t in running.items()}
    after = {n: mask(intended[n], salt, platforms[n]) for n in running}
    change = review_change("pending", before, after, platforms, Settings.from_inventory(index), index, index,
                           default_templates_dir(index.inventory.root))
    return ReviewResult(change, salt, scrub)


def _of_git(inventory: Path, spec: str) -> tuple[ReviewResult, Any]:
    """The review of a change of this repository, and where each device's change came from."""
    from muronet.review.sources import InvalidRevision, SourceError, git_change

    try:
        change = git_change(inventory.resolve().parent, spec)
    except InvalidRevision as error:  # the change breaks the inventory: nothing of it can be approved
        return ReviewResult(ChangeReview(f"git {spec}", [], error.problems), secrets.token_bytes(16)), None
    except SourceError as error:
        raise WorkflowError(str(error), 2) from None
    platforms = {d.name: d.platform for d in [*change.before.inventory.devices, *change.after.inventory.devices]}
    result = review_change(f"git {spec}", change.before.configs, change.after.configs, platforms,
                           Settings.from_inventory(change.after.index), change.before.index, change.after.index,
                           change.after.root / "templates")
    return ReviewResult(result, secrets.token_bytes(16)), change.origins


def _of_folders(index: InventoryIndex, before: Path, after: Path) -> ReviewResult:
    """The review of two folders of configurations, secrets masked before anything reads them."""
    salt = secrets.token_bytes(16)
    raw = [read_configs(folder)[0] for folder in (before, after)]
    platforms = {n: index.devices[n].platform if n in index.devices else detect_platform(t) or "cisco_ios"
                 for side in raw for n, t in side.items()}
    texts = [{n: mask(t, salt, platforms[n]) for n, t in side.items()} for side in raw]
    result = review_change(f"{before} → {after}", texts[0], texts[1], platforms, Settings.from_inventory(index),
                           index, index, default_templates_dir(index.inventory.root))
    return ReviewResult(result, salt)


def _write(document: dict[str, Any], origins: Any, options: ReviewOptions) -> dict[str, Path]:
    options.out_dir.mkdir(parents=True, exist_ok=True)
    texts = {"md": lambda: markdown(document), "json": lambda: json_text(document),
             "sarif": lambda: json_text(sarif(document, origins))}
    written = {}
    for name in FORMATS:
        if name in options.formats:
            written[name] = options.out_dir / _FILES[name]
            write_atomic(written[name], texts[name]())
    return written
