"""The digital twin: booting it from the inventory, and proving the zone separation on it."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from muronet.inventory.index import InventoryIndex
from muronet.inventory.secrets import SecretError, resolve
from muronet.lab import management, twin
from muronet.lab.plan import boot_config, build_plan, element_links, peer_config, peer_password_secret
from muronet.lab.verify import ZoneMatrix, endpoints, model_line, run_matrix, table_violations, zone_matrix
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


def lab_links(inventory: Path, state: Path, element: str, up: bool) -> list[str]:
    """Take a cable or a circuit of the twin down (both ends, as a cut) or up again; the ports changed."""
    index = InventoryIndex(load(inventory))
    try:
        pairs = element_links(index, build_plan(index), element)
    except ValueError as error:
        raise WorkflowError(str(error), 2) from None
    try:
        return twin.set_links(state, pairs, up)
    except twin.LabError as error:
        raise WorkflowError(f"lab {'restore' if up else 'fail'}: {error}", 1) from None


def lab_verify(inventory: Path, state: Path, per_zone: int = 4) -> ZoneMatrix:
    """The zone reachability matrix on the running twin (a flow must work exactly within a zone)
    and every routing table holding only its own zone's prefixes."""
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
    results = run_matrix(sources, targets)
    tables = table_violations(plan, index)
    return replace(zone_matrix(results, tables, round(time.perf_counter() - started, 1)), model=model_line(index))
