"""Provision devices with their intended configuration, safely.

1. **Stage** (every run): load the intended configuration as a replace candidate and compute the
   diff against the running configuration. A dry run stops here.
2. **Commit** (``commit=True``) on the devices with changes, with commit-confirm: each device
   reverts by itself unless confirmed. A device that rejects a line is restored by its driver.
3. **Verify**: poll until the routing state the inventory implies is there (OSPF neighbours Full,
   BGP sessions up, every zone's prefixes in the right VRF) or the settle time is over.
4. **Confirm** what verified (the driver saves it), **roll back** what did not.

Every step runs on all hosts in parallel through Nornir; a host that fails a step leaves the run
and is reported, the others go on. Results are data (``ProvisionReport``), not prints.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from nornir.core import Nornir
from nornir.core.task import AggregatedResult, Result, Task

from muronet.inventory.index import InventoryIndex
from muronet.verify.check import problems
from muronet.verify.expectations import Expectations, expectations
from napalm_frr import frr

DEFAULT_REVERT_IN = 600  # seconds an unconfirmed commit lives before the device reverts it


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
    WOULD_CHANGE = "would change"  # dry run
    CHANGED = "changed"  # committed, verified, confirmed
    ROLLED_BACK = "rolled back"  # committed, failed verification, previous configuration restored
    FAILED = "failed"  # unreachable, rejected, died: nothing of the change remains (see detail)


@dataclass
class DeviceReport:
    name: str
    outcome: Outcome
    diff: str = ""
    detail: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # this device's stage and commit

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "outcome": str(self.outcome), "diff": self.diff, "detail": self.detail,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


@dataclass
class ProvisionReport:
    committed: bool
    devices: dict[str, DeviceReport] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: stage, commit, verify, finish

    def count(self, outcome: Outcome) -> int:
        return sum(1 for d in self.devices.values() if d.outcome == outcome)

    @property
    def exit_code(self) -> int:
        """0: everything as intended; 1: a device failed or was rolled back."""
        return 1 if self.count(Outcome.FAILED) or self.count(Outcome.ROLLED_BACK) else 0

    def as_dict(self) -> dict[str, Any]:
        return {"committed": self.committed, "exit_code": self.exit_code,
                "summary": {str(o): self.count(o) for o in Outcome},
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
                "devices": [d.as_dict() for _, d in sorted(self.devices.items())]}


# --- tasks ---------------------------------------------------------------------------------------


def _napalm(task: Task) -> Any:
    return task.host.get_connection("napalm", task.nornir.config)


def stage(task: Task, configs: dict[str, str]) -> Result:
    """Load the intended configuration as a replace candidate; the result is the diff (and the
    seconds it took, login included)."""
    started = time.perf_counter()
    device = _napalm(task)
    device.load_replace_candidate(config=configs[task.host.name])
    diff = device.compare_config()
    if not diff:
        device.discard_config()
    return Result(host=task.host, result=(diff, time.perf_counter() - started), diff=diff, changed=bool(diff))


def commit(task: Task, revert_in: int) -> Result:
    started = time.perf_counter()
    _napalm(task).commit_config(revert_in=revert_in)
    return Result(host=task.host, result=time.perf_counter() - started, changed=True)


def routing_state(task: Task) -> Result:
    device = _napalm(task)
    return Result(host=task.host, result={"ospf": frr.ospf_neighbors(device), "bgp": device.get_bgp_neighbors(),
                                          "routes": frr.route_table(device)})


def confirm(task: Task) -> Result:
    _napalm(task).confirm_commit()
    return Result(host=task.host, changed=True)


def rollback(task: Task) -> Result:
    _napalm(task).rollback()
    return Result(host=task.host, changed=True)


# --- the run -------------------------------------------------------------------------------------


def _error(result: Any) -> str:
    """The one line a report shows for a failed host: the exception's message, whole (the caller
    scrubs secrets from it before anything shortens it)."""
    text = str(result.exception) if result.exception is not None else str(result.result)
    return " ".join(text.split()) or type(result.exception).__name__


def _split(results: AggregatedResult) -> tuple[dict[str, Any], dict[str, str]]:
    """Per host: the task's result, or the error it ended with."""
    ok, failed = {}, {}
    for name, multi in results.items():
        if multi.failed:
            failed[name] = _error(next((r for r in multi if r.failed), multi[0]))
        else:
            ok[name] = multi[0].result
    return ok, failed


def provision(nr: Nornir, index: InventoryIndex, configs: dict[str, str], commit_changes: bool = False,
              revert_in: int = DEFAULT_REVERT_IN, settle: float = 90.0, poll: float = 2.0) -> ProvisionReport:
    """Bring the hosts of ``nr`` to ``configs`` (host → intended configuration)."""
    report = ProvisionReport(committed=commit_changes)
    try:
        with _timed(report, "stage"):
            staged, failed = _split(nr.run(task=stage, configs=configs))
        for name, error in failed.items():
            report.devices[name] = DeviceReport(name, Outcome.FAILED, detail=[error])
        changed = sorted(name for name, (diff, _) in staged.items() if diff)
        for name, (diff, seconds) in staged.items():
            outcome = Outcome.UNCHANGED if not diff else (Outcome.CHANGED if commit_changes else Outcome.WOULD_CHANGE)
            report.devices[name] = DeviceReport(name, outcome, diff=diff, seconds={"stage": seconds})
        if commit_changes and changed:
            _commit_and_verify(nr, index, changed, report, revert_in, settle, poll)
    finally:
        nr.close_connections()  # an unconfirmed commit is rolled back as its session closes
    return report


@contextmanager
def _timed(report: ProvisionReport, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.seconds[phase] = time.perf_counter() - started


def _commit_and_verify(nr: Nornir, index: InventoryIndex, changed: list[str], report: ProvisionReport,
                       revert_in: int, settle: float, poll: float) -> None:
    with _timed(report, "commit"):
        done, failed = _split(nr.filter(filter_func=lambda h: h.name in changed).run(task=commit, revert_in=revert_in))
    for name, seconds in done.items():
        report.devices[name].seconds["commit"] = seconds
    for name, error in failed.items():
        report.devices[name].outcome = Outcome.FAILED
        report.devices[name].detail = [error]
    committed = [name for name in changed if name not in failed]
    if not committed:
        return
    with _timed(report, "verify"):
        found = _verify(nr.filter(filter_func=lambda h: h.name in committed), index, settle, poll)
    with _timed(report, "finish"):
        _finish(nr, committed, found, report)


def _finish(nr: Nornir, committed: list[str], found: dict[str, list[str]], report: ProvisionReport) -> None:
    """Confirm what verified, roll back what did not."""
    bad = sorted(name for name, issues in found.items() if issues)
    good = [name for name in committed if name not in bad]
    if good:
        _, failed = _split(nr.filter(filter_func=lambda h: h.name in good).run(task=confirm))
        for name, error in failed.items():
            report.devices[name].outcome = Outcome.FAILED
            report.devices[name].detail = [f"confirm: {error}"]
    if bad:
        _, failed = _split(nr.filter(filter_func=lambda h: h.name in bad).run(task=rollback))
        for name in bad:
            report.devices[name].outcome = Outcome.FAILED if name in failed else Outcome.ROLLED_BACK
            report.devices[name].detail = found[name] + ([f"rollback: {failed[name]}"] if name in failed else [])


def _verify(nr: Nornir, index: InventoryIndex, settle: float, poll: float) -> dict[str, list[str]]:
    """Each host's verification problems once the network has settled (or the time is up)."""
    wanted: dict[str, Expectations] = {name: expectations(index, index.devices[name]) for name in nr.inventory.hosts}
    deadline = time.monotonic() + settle
    while True:
        states, failed = _split(nr.run(task=routing_state))
        found = {name: problems(wanted[name], **states[name]) if name in states else [f"verification: {failed[name]}"]
                 for name in wanted}
        if not any(found.values()) or time.monotonic() >= deadline:
            return found
        time.sleep(poll)
