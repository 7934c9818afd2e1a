"""Build the graph from the inventory (``muronet topology --source inventory``): a quick look without
a NetBox. Zones are named by their VRF, as NetBox names them."""

from __future__ import annotations

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.loader import Inventory
from muronet.topology.graph import CircuitEdge, DeviceNode, Link, PhysicalGraph, SiteNode


def physical_graph(inventory: Inventory) -> PhysicalGraph:
    index = InventoryIndex(inventory)
    # a device's zones are those of all its interfaces, layer 2 included, as NetBox records them
    graph = PhysicalGraph(source="inventory")
    mgmt = inventory.management_zone
    graph.zones = {z.vrf: f"zone {name}: {z.name_ja} / {z.name_en}" for name, z in inventory.zones.items()
                   if name != mgmt}
    vrf = {name: z.vrf for name, z in inventory.zones.items()}
    for site in sorted(inventory.sites, key=lambda s: s.facility_id):
        names = [d.name for d in inventory.devices if d.site == site.slug]
        names += [h.name for h in inventory.hosts if h.site == site.slug]
        graph.sites[site.slug] = SiteNode(site.slug, site.name_ja, site.name_romaji, str(site.kind),
                                          site.latitude, site.longitude, tuple(sorted(names)))
    for device in inventory.devices:
        zones = tuple(sorted({vrf[i.zone] for i in device.interfaces if i.zone and i.zone != mgmt}))
        graph.devices[device.name] = DeviceNode(device.name, device.site, device.role.value, zones,
                                                bool(index.gateways_of(device)))
    relays = {h for g in inventory.zone_gateways for h in g.hosts}
    for host in inventory.hosts:
        zones = tuple(sorted({vrf[i.zone] for i in host.interfaces if i.zone != mgmt}))
        graph.devices[host.name] = DeviceNode(host.name, host.site, host.role, zones, host.name in relays)
    for cable in inventory.cables:
        (a_dev, a_port), (b_dev, b_port) = split_endpoint(cable.a), split_endpoint(cable.b)
        graph.links.append(Link(a_dev, a_port, b_dev, b_port, index.devices[a_dev].site,
                                index.devices[b_dev].site, cable.kind, cable.length_km, cable.ring, cable.label))
    for circuit in inventory.circuits:
        terminating = split_endpoint(circuit.termination)[0]
        graph.circuits.append(CircuitEdge(circuit.cid, circuit.provider, circuit.kind, circuit.bandwidth_mbps,
                                          index.devices[terminating].site, terminating, circuit.far_end_ja))
    return graph
