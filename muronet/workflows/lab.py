"""The digital twin: booting it from the inventory, and proving the zone separation on it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from muronet.inventory.index import InventoryIndex
from muronet.inventory.secrets import SecretError, resolve
from muronet.lab import management, twin
from muronet.lab.plan import boot_config, build_plan, peer_config, peer_password_secret
from muronet.lab.verify import endpoints, run_matrix, table_violations
from muronet.workflows.common import WorkflowError, load


def lab_up(inventory: Path, state: Path) -> dict[str, Any]:
    """Boot every routed device as an unconfigured FRR router in its own namespace; a summary."""
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
    return {"routers": len(plan.routers), "namespaces": len(plan.namespaces), "links": len(plan.links),
            "segments": len(plan.segments), "peers": [p.name for p in plan.peers],
            "seconds": round(time.perf_counter() - started, 1), "state": str(state)}


@dataclass
class ZoneVerification:
    document: dict[str, Any]  # ok, seconds, probes, matrix, violations, routing_table_violations
    zones: list[str]  # the matrix's rows and columns

    @property
    def exit_code(self) -> int:
        return 0 if self.document["ok"] else 1


def lab_verify(inventory: Path, state: Path, per_zone: int = 4) -> ZoneVerification:
    """The zone reachability matrix on the running twin (a flow must work exactly within a zone)
    and every routing table holding only its own zone's prefixes."""
    try:
        if twin.status(state)["state"] == "down":
            raise WorkflowError(f"the twin is not up (no {state}/state.json): muronet lab up", 2)
    except twin.LabError as error:
        raise WorkflowError(f"lab verify: {error}", 1) from None
    index = InventoryIndex(load(inventory))
    plan = build_plan(index)
    started = time.perf_counter()
    sources, targets = endpoints(plan, index, per_zone)
    results = run_matrix(sources, targets)
    tables = table_violations(plan, index)
    violations = [r for r in results if r.violation]
    zones = sorted({e.zone for e in sources + targets})
    cells = {(a, b): [r for r in results if r.probe.source.zone == a and r.probe.target.zone == b]
             for a in zones for b in zones}
    document = {
        "ok": not violations and not tables, "seconds": round(time.perf_counter() - started, 1),
        "probes": len(results),
        "matrix": {f"{a}->{b}": {"allowed": a == b, "reached": sum(r.reached for r in rs), "probes": len(rs)}
                   for (a, b), rs in cells.items() if rs},
        "violations": [{"from": r.probe.source.label, "from_zone": r.probe.source.zone,
                        "source": str(r.probe.source.address), "to": r.probe.target.label,
                        "to_zone": r.probe.target.zone, "target": str(r.probe.target.address),
                        "expected": "reach" if r.probe.allowed else "blocked",
                        "got": "reached" if r.reached else "blocked"} for r in violations],
        "routing_table_violations": tables,
    }
    return ZoneVerification(document, zones)
