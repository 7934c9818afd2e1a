"""Provisioning: the devices (or the twin) brought to their intended configuration, behind the
security review of the pending change, each commit logged with the review it passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from muronet.display import json_text
from muronet.files import write_atomic
from muronet.inventory.index import InventoryIndex
from muronet.tasks.provision import DEFAULT_REVERT_IN, ProvisionReport, prepare_candidates
from muronet.tasks.provision import provision as run_provision
from muronet.workflows.common import (
    WORKERS,
    devices_nornir,
    intended_configs,
    load,
    managed,
    narrowed,
    selected,
)
from muronet.workflows.errors import WorkflowError
from muronet.workflows.review import ReviewResult, of_running


@dataclass(frozen=True)
class ProvisionOptions:
    inventory: Path = Path("inventory")
    limit: str | None = None
    commit: bool = False  # False: a dry run, the diffs only
    lab_state: Path | None = None  # provision the twin of this state folder instead of the devices
    templates: Path | None = None
    revert_in: int = DEFAULT_REVERT_IN
    settle: float = 90.0
    workers: int = WORKERS
    accept_risk: str | None = None  # the logged reason to commit what the review blocks
    log_dir: Path = Path("build/provision-log")


@dataclass(frozen=True)
class CommitReview:
    """The security review a commit passed, and where it is logged with the commit."""

    risk: str
    accepted_risk: str | None  # the reason given to commit what the review blocks
    log: Path


@dataclass
class ProvisionResult:
    """What a provisioning run did, as data (printed by the CLI, serialised by :meth:`to_json`)."""

    report: ProvisionReport  # every device's outcome, diff and detail, secrets scrubbed
    exit_code: int  # 0: as intended; 1: a device failed or was rolled back; 2: the review stopped it
    review: CommitReview | None = None  # the review a commit passed
    blocked_by: ReviewResult | None = None  # the review that stopped the run before anything was pushed

    def to_json(self) -> dict[str, Any]:
        """The run as ``muronet provision --json`` prints it."""
        document = self.report.as_dict()
        if self.review is not None:
            document["review"] = {"risk": self.review.risk, "accepted_risk": self.review.accepted_risk,
                                  "log": str(self.review.log)}
        return document


def provision(options: ProvisionOptions) -> ProvisionResult:
    """Diff (dry run), or commit, verify, confirm and roll back what does not verify. A commit the
    security review blocks (as ``muronet review`` would) pushes nothing unless a risk is accepted."""
    loaded = load(options.inventory)
    index = InventoryIndex(loaded)
    chosen = managed(selected(index, options.limit), options.lab_state)  # a bad --limit is said first
    if not chosen:
        raise WorkflowError("no device to provision" + (" in the twin (is it up?)" if options.lab_state else ""), 2)
    configs, secrets = intended_configs(loaded, options.templates, sorted(chosen))
    # the drivers start on the candidates (FRR renders them) while Nornir starts and logs in
    prepare_candidates({name: index.devices[name].platform for name in configs}, configs)
    everyone = devices_nornir(options.inventory, options.lab_state, options.workers)
    nr = narrowed(everyone, chosen)
    review: ReviewResult | None = None

    def gate(running: dict[str, str]) -> bool:
        nonlocal review
        review = of_running(index, running, configs, secrets.scrub_data)
        return not review.blocking or bool(options.accept_risk)

    report = run_provision(nr, index, configs, commit_changes=options.commit, revert_in=options.revert_in,
                           settle=options.settle, gate=gate if options.commit else None,
                           present=set(everyone.inventory.hosts))  # the far ends that run: the twin's are its routers
    scrubbed = report.scrubbed(secrets.scrub)
    if report.stopped_by_gate:
        return ProvisionResult(scrubbed, 2, blocked_by=review)
    if review is None:
        return ProvisionResult(scrubbed, report.exit_code)
    log = log_commit(options.log_dir, {"accepted_risk": options.accept_risk, "review": review.to_json(),
                                       "provision": scrubbed.as_dict()})
    return ProvisionResult(scrubbed, report.exit_code, CommitReview(review.risk, options.accept_risk, log))


def log_commit(folder: Path, entry: dict[str, Any]) -> Path:
    """One JSON file per commit (mode 0600): the review it passed, the accepted risk, the outcome."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"commit-{datetime.now().strftime('%Y%m%dT%H%M%S%f')}.json"
    write_atomic(path, json_text(entry), mode=0o600)
    return path
