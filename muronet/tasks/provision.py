"""Provision devices with their intended configuration, safely.

1. **Stage** (every run): read the running configuration, load the intended one as a replace
   candidate and compute the diff. A dry run stops here.
2. **Gate** (``commit=True``): the caller's ``gate`` sees every staged device's running
   configuration (a security review of the pending change, say) and may stop the run: nothing is
   pushed then.
3. **Commit** on the devices with changes, with commit-confirm: each device reverts by itself
   unless confirmed. A device that rejects a line is restored by its driver.
4. **Verify**: poll until the state the inventory implies is there (OSPF neighbours Full, BGP
   sessions up, every zone's prefixes in the right VRF, an access switch's ports in their VLANs and
   trunks) or the settle time is over, read through NAPALM's getters; a device
   is **confirmed** (the driver saves it) as soon as it verifies. What has not verified by then is
   **rolled back**.

Every step runs on all hosts in parallel through Nornir; a host that fails a step leaves the run
and is reported, the others go on. Results are data (``ProvisionReport``), not prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Container, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from nornir.core import Nornir
from nornir.core.inventory import Hosts, Inventory
from nornir.core.task import AggregatedResult, Result, Task

from muronet.inventory.index import InventoryIndex
from muronet.platforms import get_platform
from muronet.verify.check import observe, problems
from muronet.verify.expectations import Expectations, expectations
from muronet.verify.poll import until_verified

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

    def scrubbed(self, scrub: Callable[[str], str]) -> DeviceReport:
        """This report with ``scrub`` applied to every text a device or its driver wrote."""
        return replace(self, diff=scrub(self.diff), detail=[scrub(line) for line in self.detail])


@dataclass
class ProvisionReport:
    committed: bool
    devices: dict[str, DeviceReport] = field(default_factory=dict)
    stopped_by_gate: bool = False  # the gate stopped the run before anything was pushed
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: stage, commit, verify, finish

    def count(self, outcome: Outcome) -> int:
        return sum(1 for d in self.devices.values() if d.outcome == outcome)

    @property
    def exit_code(self) -> int:
        """0: everything as intended; 1: a device failed or was rolled back."""
        return 1 if self.count(Outcome.FAILED) or self.count(Outcome.ROLLED_BACK) else 0

    @property
    def summary(self) -> dict[Outcome, int]:
        return {outcome: self.count(outcome) for outcome in Outcome}

    def in_order(self) -> list[DeviceReport]:
        return [device for _, device in sorted(self.devices.items())]

    def scrubbed(self, scrub: Callable[[str], str]) -> ProvisionReport:
        """This report with ``scrub`` applied to every text a device or its driver wrote (what it
        says may quote a configuration line, secrets included)."""
        return replace(self, devices={name: device.scrubbed(scrub) for name, device in self.devices.items()})

    def as_dict(self) -> dict[str, Any]:
        return {"committed": self.committed, "exit_code": self.exit_code,
                "summary": {str(o): n for o, n in self.summary.items()},
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
                "devices": [d.as_dict() for d in self.in_order()]}


# --- before the logins ---------------------------------------------------------------------------


def prepare_candidates(platforms: Mapping[str, str], configs: Mapping[str, str]) -> None:
    """Each platform gets its devices' replace candidates ahead of the logins (``platforms``:
    device → platform name; :meth:`Platform.prepare_candidates`)."""
    by_platform: dict[str, list[str]] = {}
    for name, text in configs.items():
        by_platform.setdefault(platforms[name], []).append(text)
    for platform, texts in by_platform.items():
        get_platform(platform).prepare_candidates(texts)


# --- tasks ---------------------------------------------------------------------------------------


def _napalm(task: Task) -> Any:
    return task.host.get_connection("napalm", task.nornir.config)


def stage(task: Task, configs: dict[str, str]) -> Result:
    """Load the intended configuration as a replace candidate (a device with a configuration lock
    is locked from now to the commit's confirmation: the review judges the running configuration
    the commit starts from), read the running configuration; the result is the diff, the seconds it
    took (login included) and the running configuration as read."""
    started = time.perf_counter()
    device = _napalm(task)
    device.load_replace_candidate(config=configs[task.host.name])
    running = device.get_config(retrieve="running")["running"]
    diff = get_platform(task.host.platform or "").masked_diff(device.compare_config())
    if not diff:
        device.discard_config()
    return Result(host=task.host, result=(diff, time.perf_counter() - started, running), diff=diff,
                  changed=bool(diff))


def commit(task: Task, revert_in: int) -> Result:
    started = time.perf_counter()
    _napalm(task).commit_config(revert_in=revert_in)
    return Result(host=task.host, result=time.perf_counter() - started, changed=True)


def verify_and_confirm(task: Task, wanted: dict[str, Expectations]) -> Result:
    """The host's verification problems now and, when there are none, its commit confirmed at
    once; the result is the problems and what the confirmation failed with ("" when it did not)."""
    device, expected = _napalm(task), wanted[task.host.name]
    found = problems(expected, observe(device, get_platform(task.host.platform or ""), expected))
    unconfirmed = ""
    if not found:
        try:
            device.confirm_commit()
        except Exception as error:  # not retried: a lost answer may hide a confirmation that took place
            unconfirmed = " ".join(str(error).split()) or type(error).__name__
    return Result(host=task.host, result=(found, unconfirmed), changed=not found and not unconfirmed)


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


Gate = Callable[[dict[str, str]], bool]  # running configuration per staged host → go on?


def provision(nr: Nornir, index: InventoryIndex, configs: dict[str, str], commit_changes: bool = False,
              revert_in: int = DEFAULT_REVERT_IN, settle: float = 90.0, poll: float = 1.0,
              gate: Gate | None = None, present: Container[str] | None = None) -> ProvisionReport:
    """Bring the hosts of ``nr`` to ``configs`` (host → intended configuration); with
    ``commit_changes``, ``gate`` decides after staging whether anything is pushed."""
    report = ProvisionReport(committed=commit_changes)
    try:
        with _timed(report, "stage"):  # the largest first, as drivers prepare candidates: each finds its own ready
            largest = sorted(nr.inventory.hosts, key=lambda name: -len(configs[name]))
            staged, failed = _split(_only(nr, largest).run(task=stage, configs=configs))
        for name, error in failed.items():
            report.devices[name] = DeviceReport(name, Outcome.FAILED, detail=[error])
        changed = [name for name, (diff, _, _) in staged.items() if diff]
        if commit_changes and gate is not None:
            report.stopped_by_gate = not gate({name: running for name, (_, _, running) in staged.items()})
        pushing = commit_changes and not report.stopped_by_gate
        for name, (diff, seconds, _) in staged.items():
            outcome = Outcome.UNCHANGED if not diff else (Outcome.CHANGED if pushing else Outcome.WOULD_CHANGE)
            report.devices[name] = DeviceReport(name, outcome, diff=diff, seconds={"stage": seconds})
        if pushing and changed:
            _commit_and_verify(nr, index, changed, report, revert_in, settle, poll, present)
    finally:
        # every session, a failed host's too (its device's lock goes with it); an unconfirmed commit
        # stays with the device's own timer
        nr.close_connections(on_good=True, on_failed=True)
    return report


def _only(nr: Nornir, names: list[str]) -> Nornir:
    """``nr`` narrowed to ``names``, its hosts in that order (its sessions, runner and state kept)."""
    narrowed = nr.filter(filter_func=lambda _: False)
    narrowed.inventory = Inventory(hosts=Hosts({name: nr.inventory.hosts[name] for name in names}),
                                   groups=nr.inventory.groups, defaults=nr.inventory.defaults)
    return narrowed


@contextmanager
def _timed(report: ProvisionReport, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.seconds[phase] = time.perf_counter() - started


def _commit_and_verify(nr: Nornir, index: InventoryIndex, changed: list[str], report: ProvisionReport,
                       revert_in: int, settle: float, poll: float, present: Container[str] | None) -> None:
    wanted = {name: expectations(index, index.devices[name], present) for name in changed}
    # The runner starts hosts in order. A BGP session takes seconds to come up after its commit
    # (FRR's start timer, the OPEN exchange, the first updates): those hosts first, so their
    # sessions settle while the others commit; then the largest changes (the last to start ends last).
    changed = sorted(changed, key=lambda n: (not wanted[n].bgp, -len(report.devices[n].diff)))
    with _timed(report, "commit"):
        done, failed = _split(_only(nr, changed).run(task=commit, revert_in=revert_in))
    for name, seconds in done.items():
        report.devices[name].seconds["commit"] = seconds
    for name, error in failed.items():
        report.devices[name].outcome = Outcome.FAILED
        report.devices[name].detail = [error]
    committed = [name for name in changed if name not in failed]
    if not committed:
        return
    with _timed(report, "verify"):
        found, unconfirmed = _verify(_only(nr, committed), {n: wanted[n] for n in committed}, settle, poll)
    for name, error in unconfirmed.items():
        report.devices[name].outcome = Outcome.FAILED
        report.devices[name].detail = [f"confirm: {error}"]
    with _timed(report, "finish"):
        _roll_back(nr, found, report)


def _roll_back(nr: Nornir, found: dict[str, list[str]], report: ProvisionReport) -> None:
    """Roll back what did not verify (what did is confirmed already)."""
    bad = sorted(name for name, issues in found.items() if issues)
    if bad:
        _, failed = _split(_only(nr, bad).run(task=rollback))
        for name in bad:
            report.devices[name].outcome = Outcome.FAILED if name in failed else Outcome.ROLLED_BACK
            report.devices[name].detail = found[name] + ([f"rollback: {failed[name]}"] if name in failed else [])


def _verify(nr: Nornir, wanted: dict[str, Expectations], settle: float, poll: float
            ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each host's verification problems once the network has settled (or the time is up), and
    the hosts whose confirmation failed. A host whose routing state is as intended is confirmed
    then and not asked again; the others are asked every ``poll`` seconds."""
    unconfirmed: dict[str, str] = {}

    def ask(names: list[str]) -> dict[str, list[str]]:
        now, failed = _split(_only(nr, names).run(task=verify_and_confirm, wanted=wanted))
        found = {}
        for name in names:
            found[name], error = now[name] if name in now else ([f"verification: {failed[name]}"], "")
            if error:
                unconfirmed[name] = error
        return found

    return until_verified(ask, wanted, settle, poll), unconfirmed
