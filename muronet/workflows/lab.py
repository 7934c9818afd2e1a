"""The digital twin: booting it from the inventory, and proving the zone separation on it."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from muronet.analysis.failures import FailureAnalysis, combined, failure_probes
from muronet.analysis.routing import model_inputs
from muronet.files import write_atomic
from muronet.inventory.index import InventoryIndex
from muronet.inventory.secrets import SecretError, resolve
from muronet.lab import management, twin
from muronet.lab.plan import LabPlan, boot_config, build_plan, element_links, peer_config, peer_password_secret
from muronet.lab.verify import (
    Probe,
    ProbeResult,
    ZoneMatrix,
    endpoints,
    model_line,
    ping_all,
    probes_of,
    run_matrix,
    table_violations,
    zone_matrix,
)
from muronet.workflows.analyze import read_configurations
from muronet.workflows.common import load
from muronet.workflows.errors import WorkflowError


@dataclass(frozen=True)
class TwinBoot:
    """What ``lab up`` built."""

    routers: int
    namespaces: int
    links: int
    segments: int  # LAN segments, a test host on each
    peers: list[str]  # the far ends of the circuits
    seconds: float
    state: Path

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "state": str(self.state)}


def lab_up(inventory: Path, state: Path) -> TwinBoot:
    """Boot every routed device as an unconfigured FRR router in its own namespace."""
    loaded = load(inventory)
    index = InventoryIndex(loaded)
    plan = build_plan(index)
    started = time.perf_counter()
    city = loaded.city
    assert city is not None  # a validated inventory has one
    try:
        credentials = (resolve(city.credentials.username, loaded.root), resolve(city.credentials.password, loaded.root))
    except SecretError as error:
        raise WorkflowError(f"lab up: login credentials: {error}", 2) from None
    boot = {r.name: boot_config(index, index.devices[r.name]) for r in plan.routers}
    try:
        for peer in plan.peers:
            password = resolve(city.secrets[peer_password_secret(index, peer)], loaded.root)
            boot[peer.name] = peer_config(index, peer, password)
    except SecretError as error:
        raise WorkflowError(f"lab up: the lab peers' BGP passwords: {error}", 2) from None
    try:
        twin.up(plan, state, boot, credentials, banner=city.banner)
    except (twin.LabError, management.ManagementError) as error:
        raise WorkflowError(f"lab up: {error} (run `muronet lab down` to remove what was built)", 1) from None
    return TwinBoot(len(plan.routers), len(plan.namespaces), len(plan.links), len(plan.segments),
                    [p.name for p in plan.peers], round(time.perf_counter() - started, 1), state)


FAILURES_FILE = "failures.json"  # in the twin's state folder: element → when `lab fail` took it down


def lab_links(inventory: Path, state: Path, element: str, up: bool) -> list[str]:
    """Take an element of the twin down or up again: a cable or a circuit (both ends, as a cut), a
    router or a site's routers (power: FRR stopped, every port down); the ports changed."""
    index = InventoryIndex(load(inventory))
    plan = build_plan(index)
    routers = {r.name for r in plan.routers}
    devices = ([element] if element in index.devices else
               [d.name for d in index.inventory.devices if d.site == element] if element in index.sites else [])
    try:
        if devices:
            powered = [d for d in devices if d in routers]
            if not powered:
                raise WorkflowError(f"{element}: no router of the twin (a switch is not in it)", 2)
            changed = [port for device in powered for port in twin.power(state, plan, device, up)]
        else:
            changed = twin.set_links(state, element_links(index, plan, element), up)
    except ValueError as error:
        raise WorkflowError(str(error), 2) from None
    except twin.LabError as error:
        raise WorkflowError(f"lab {'restore' if up else 'fail'}: {error}", 1) from None
    _record_failure(state, element, up)
    return changed


def lab_restore_converged(inventory: Path, state: Path, element: str, wait: float) -> tuple[list[str], float | None]:
    """``lab restore`` that waits (up to ``wait`` seconds) until the flows the element's return
    brings back do as the model gives with what ``lab fail`` still holds down (everything up, when
    nothing is); the ports, and that time."""
    index = InventoryIndex(load(inventory))
    plan = build_plan(index)
    sources, targets = endpoints(plan, index, 2)
    analysis = _failure_analysis(inventory, index, plan, probes_of(sources, targets))
    still = tuple(e for e in _failures(state) if e != element)
    try:
        down = analysis.predict(combined(index, (element, *still)))
        expected = {p: reached for p, (reached, _) in analysis.predict(combined(index, still)).items()}
    except ValueError as error:
        raise WorkflowError(str(error), 2) from None
    changed = [p for p, (reached, _) in down.items() if reached != expected[p]]
    ports = lab_links(inventory, state, element, up=True)
    return ports, _converge(changed, expected, time.time(), wait)


def _failure_analysis(inventory: Path, index: InventoryIndex, plan: LabPlan, probes: list[Probe]) -> FailureAnalysis:
    """The model of the twin (its VRFs are namespaces: no route leaks between them) for ``probes``
    and the failure analysis' own flows."""
    known = set(probes)
    probes = probes + [p for p in failure_probes(plan, index) if p not in known]
    return FailureAnalysis(index, model_inputs(index, read_configurations(inventory, None).audits), plan, probes,
                           vrf_leaks=False)


def _failures(state: Path) -> dict[str, float]:
    path = state / FAILURES_FILE
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def _record_failure(state: Path, element: str, up: bool) -> None:
    recorded = _failures(state)
    if up:
        recorded.pop(element, None)
    else:
        recorded[element] = time.time()
    write_atomic(state / FAILURES_FILE, json.dumps(recorded))


def lab_verify(inventory: Path, state: Path, per_zone: int = 4, fail: tuple[str, ...] = (),
               converge_seconds: float = 30.0) -> ZoneMatrix:
    """The zone reachability matrix on the running twin (a flow must work exactly within a zone)
    and every routing table holding only its own zone's prefixes. With ``fail`` (elements that
    ``lab fail`` took down): every probe must do what the offline model predicts with them down,
    the failure analysis' flows included, once the twin has converged on the flows the failure
    changes (measured from ``lab fail``, waited for up to ``converge_seconds``)."""
    try:
        if twin.status(state)["state"] == "down":
            raise WorkflowError(f"the twin is not up (no {state}/state.json): muronet lab up", 2)
    except twin.LabError as error:
        raise WorkflowError(f"lab verify: {error}", 1) from None
    index = InventoryIndex(load(inventory))
    plan = build_plan(index)
    try:
        twin.answer_for_servers(plan.segments)
    except twin.LabError as error:
        raise WorkflowError(f"lab verify: {error}", 1) from None
    started = time.perf_counter()
    sources, targets = endpoints(plan, index, per_zone)
    if fail:
        return _verify_failure(inventory, state, index, plan, probes_of(sources, targets), fail, converge_seconds)
    results = run_matrix(sources, targets)
    tables = table_violations(plan, index)
    return replace(zone_matrix(results, tables, round(time.perf_counter() - started, 1)), model=model_line(index))


def _verify_failure(inventory: Path, state: Path, index: InventoryIndex, plan: LabPlan, probes: list[Probe],
                    fail: tuple[str, ...], converge_seconds: float) -> ZoneMatrix:
    try:
        failure = combined(index, fail)
    except ValueError as error:
        raise WorkflowError(str(error), 2) from None
    analysis = _failure_analysis(inventory, index, plan, probes)
    probes = analysis.probes
    predicted = analysis.predict(failure)
    since = max((t for e, t in _failures(state).items() if e in fail), default=time.time())
    expected = {p: reached for p, (reached, _) in predicted.items()}
    changed = [p for p in probes if predicted[p][1]]
    converged = _converge(changed, expected, since, converge_seconds)
    started = time.perf_counter()
    results = [ProbeResult(r.probe, r.reached, expected[r.probe]) for r in ping_all(probes, expected=expected)]
    tables = table_violations(plan, index)
    return replace(zone_matrix(results, tables, round(time.perf_counter() - started, 1)), model=model_line(index),
                   failed=fail, converged_seconds=converged, changed=len(changed))


def _converge(probes: list[Probe], expected: dict[Probe, bool], since: float, timeout: float) -> float | None:
    """Seconds from ``since`` until every probe does what is expected (polled), or None."""
    deadline = time.time() + timeout
    while True:
        results = ping_all(probes, expected=expected)
        if all(r.reached == expected[r.probe] for r in results):
            return round(time.time() - since, 2)
        if time.time() >= deadline:
            return None
        time.sleep(0.2)
