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
from muronet.lab.verify import endpoints, run_matrix, table_violations, zone_matrix
from muronet.workflows.common import load
from muronet.workflows.errors import WorkflowError


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
    document = {"seconds": round(time.perf_counter() - started, 1), **zone_matrix(results, tables)}
    return ZoneVerification(document, sorted({e.zone for e in sources + targets}))
