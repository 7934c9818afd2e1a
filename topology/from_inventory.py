"""Build the physical graph from the inventory (``muronet topology --source inventory``)."""

from __future__ import annotations

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.loader import Inventory
from topology.graph import CircuitEdge, Link, PhysicalGraph, SiteNode


def physical_graph(inventory: Inventory) -> PhysicalGraph:
    index = InventoryIndex(inventory)
    graph = PhysicalGraph()
    for site in sorted(inventory.sites, key=lambda s: s.facility_id):
        devices = tuple(sorted(d.name for d in inventory.devices if d.site == site.slug))
        graph.sites[site.slug] = SiteNode(site.slug, site.name_ja, site.name_romaji, str(site.kind),
                                          site.latitude, site.longitude, devices)
    for cable in inventory.cables:
        (a_dev, a_port), (b_dev, b_port) = split_endpoint(cable.a), split_endpoint(cable.b)
        graph.links.append(Link(a_dev, a_port, b_dev, b_port, index.devices[a_dev].site,
                                index.devices[b_dev].site, cable.kind, cable.length_km, cable.ring, cable.label))
    for circuit in inventory.circuits:
        device = split_endpoint(circuit.termination)[0]
        graph.circuits.append(CircuitEdge(circuit.cid, circuit.provider, circuit.kind, circuit.bandwidth_mbps,
                                          index.devices[device].site, device, circuit.far_end_ja))
    return graph
