"""The topology: the city's graph from NetBox (or the inventory), drawn in every view and format."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from muronet.topology import TopologySource
from muronet.topology.graph import Loss
from muronet.topology.views import VIEWS as DRAWN
from muronet.topology.write import FORMATS, write_all
from muronet.workflows.common import load
from muronet.workflows.errors import WorkflowError
from muronet.workflows.failures import FailureOptions, failure_scenarios

VIEWS = (*DRAWN, "sites")  # "sites": one diagram per site


@dataclass(frozen=True)
class TopologyOptions:
    inventory: Path = Path("inventory")
    source: TopologySource | None = None  # default: NetBox when one is configured, else the inventory
    views: tuple[str, ...] = VIEWS
    formats: tuple[str, ...] = FORMATS
    out_dir: Path = Path("build/topology")
    failures: bool = True  # the inventory's N-1 on the drawings and panels (when the inventory is there)


@dataclass(frozen=True)
class Drawn:
    """What ``topology`` drew, and from what."""

    source: TopologySource
    out: Path
    sites: int
    links: int
    circuits: int
    devices: int
    seconds: float
    files: list[Path]  # written at the top of ``out`` (the per-site diagrams are in a folder of their own)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source.value, "out": str(self.out), "sites": self.sites, "links": self.links,
                "circuits": self.circuits, "devices": self.devices, "seconds": self.seconds,
                "files": [str(p) for p in self.files]}


def topology(options: TopologyOptions) -> Drawn:
    """Draw the views; what was drawn, and the files written."""
    from muronet.netbox.connection import NetBoxError, NetBoxTarget

    source = options.source or (TopologySource.NETBOX if NetBoxTarget.configured() else TopologySource.INVENTORY)
    started = time.perf_counter()
    if source is TopologySource.NETBOX:
        from muronet.topology.from_netbox import graph_from_netbox

        try:
            graph = graph_from_netbox(NetBoxTarget.from_environment())
        except NetBoxError as error:
            raise WorkflowError(f"topology: {error} (--source inventory draws from the inventory instead)",
                                1) from None
    else:
        from muronet.topology.from_inventory import physical_graph

        graph = physical_graph(load(options.inventory))
    if options.failures and options.inventory.is_dir():
        graph.failures = single_failures(options.inventory)
    written = write_all(graph, options.out_dir, options.formats, options.views)
    return Drawn(source, options.out_dir, len(graph.sites), len(graph.links), len(graph.circuits), len(graph.devices),
                 round(time.perf_counter() - started, 1), [p for p in written if p.parent == options.out_dir])


def single_failures(inventory: Path) -> dict[str, Loss]:
    """What each element whose single failure cuts something cuts (the inventory's N-1)."""
    result = failure_scenarios(FailureOptions(inventory, n_1=True))
    return {cut.fail[0]: Loss(cut.lost, tuple(cut.sites), tuple(cut.beyond), tuple(cut.zones)) for cut in result.cuts}
