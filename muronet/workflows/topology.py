"""The topology: the city's graph from NetBox (or the inventory), drawn in every view and format."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from muronet.topology import TopologySource
from muronet.topology.views import VIEWS as DRAWN
from muronet.topology.write import FORMATS, write_all
from muronet.workflows.common import load
from muronet.workflows.errors import WorkflowError

VIEWS = (*DRAWN, "sites")  # "sites": one diagram per site


@dataclass(frozen=True)
class TopologyOptions:
    inventory: Path = Path("inventory")
    source: TopologySource | None = None  # default: NetBox when one is configured, else the inventory
    views: tuple[str, ...] = VIEWS
    formats: tuple[str, ...] = FORMATS
    out_dir: Path = Path("build/topology")


def topology(options: TopologyOptions) -> dict[str, Any]:
    """Draw the views; a summary: the source, the counts, the files written at the top of ``out_dir``."""
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
    written = write_all(graph, options.out_dir, options.formats, options.views)
    return {"source": source.value, "out": str(options.out_dir), "sites": len(graph.sites),
            "links": len(graph.links), "circuits": len(graph.circuits), "devices": len(graph.devices),
            "seconds": round(time.perf_counter() - started, 1),
            "files": [str(p) for p in written if p.parent == options.out_dir]}
