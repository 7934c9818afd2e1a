"""Lookups and derived facts over a loaded inventory, computed once.

Validation and rendering both ask the same questions (which VRF is this interface in, who is on
the other end of this cable, which prefix holds this address); they are answered here so the two
never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from ipaddress import IPv4Address, IPv4Network

from netutils.interface import interface_range_expansion

from muronet.inventory.loader import Inventory
from muronet.inventory.model import Cable, Circuit, Device, Host, Interface, Prefix, Role, Site, Vlan, Zone, ZoneGateway
from muronet.platforms import get_platform

PortKey = tuple[str, str]  # (device name, interface name)


def split_endpoint(text: str) -> PortKey:
    device, _, interface = text.partition(":")
    return device, interface


@dataclass(frozen=True)
class CablePeer:
    cable: Cable
    peer: PortKey


class InventoryIndex:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    @cached_property
    def devices(self) -> dict[str, Device]:
        return {d.name: d for d in self.inventory.devices}

    @cached_property
    def sites(self) -> dict[str, Site]:
        return {s.slug: s for s in self.inventory.sites}

    @cached_property
    def hosts(self) -> dict[str, Host]:
        return {h.name: h for h in self.inventory.hosts}

    @cached_property
    def interfaces(self) -> dict[PortKey, Interface]:
        return {(d.name, i.name): i for d in self.inventory.devices for i in d.interfaces}

    @cached_property
    def zone_of_vrf(self) -> dict[str, str]:
        return {zone.vrf: name for name, zone in self.inventory.zones.items()}

    @cached_property
    def cable_peers(self) -> dict[PortKey, CablePeer]:
        """Both ends of every cable; the first cable wins where an end is (wrongly) reused."""
        peers: dict[PortKey, CablePeer] = {}
        for cable in self.inventory.cables:
            a, b = split_endpoint(cable.a), split_endpoint(cable.b)
            peers.setdefault(a, CablePeer(cable, b))
            peers.setdefault(b, CablePeer(cable, a))
        return peers

    @cached_property
    def circuits_by_termination(self) -> dict[PortKey, Circuit]:
        return {split_endpoint(c.termination): c for c in self.inventory.circuits}

    @cached_property
    def vlans(self) -> dict[tuple[str, int], Vlan]:
        """VLANs by (site, id); the first definition wins where an id is (wrongly) reused."""
        table: dict[tuple[str, int], Vlan] = {}
        for vlan in self.inventory.vlans:
            table.setdefault((vlan.site, vlan.id), vlan)
        return table

    @cached_property
    def prefixes_by_length(self) -> list[tuple[int, dict[int, Prefix]]]:
        """Declared prefixes as (mask, {network as int: prefix}), longest mask first."""
        table: dict[int, dict[int, Prefix]] = defaultdict(dict)
        for prefix in self.inventory.prefixes:
            table[int(prefix.prefix.netmask)].setdefault(int(prefix.prefix.network_address), prefix)
        return sorted(table.items(), reverse=True)

    def prefix_of(self, address: IPv4Address) -> Prefix | None:
        """Most specific declared prefix holding ``address`` (one dict probe per prefix length)."""
        value = int(address)
        for mask, table in self.prefixes_by_length:
            found = table.get(value & mask)
            if found is not None:
                return found
        return None

    @cached_property
    def zone_aggregates(self) -> list[tuple[int, int, int, str]]:
        """(network, netmask, prefix length, zone) of every zone aggregate, as integers."""
        return [(int(a.network_address), int(a.netmask), a.prefixlen, name)
                for name, zone in self.inventory.zones.items() for a in zone.aggregates]

    def zone_of_network(self, network: IPv4Network) -> str | None:
        """The zone whose aggregates hold ``network`` (None: no zone's, e.g. the internet or a
        default route); zone aggregates never overlap (validation checks it). Integer arithmetic:
        the policy asks this for every address of every audited configuration."""
        address, length = int(network.network_address), network.prefixlen
        return next((zone for net, mask, agg_length, zone in self.zone_aggregates
                     if length >= agg_length and address & mask == net), None)

    def gateways_of(self, device: Device) -> list[ZoneGateway]:
        """The zone-gateway approvals that name the device or its role."""
        return [g for g in self.inventory.zone_gateways if device.name in g.devices or device.role in g.roles]

    def zone(self, name: str | None) -> Zone | None:
        return self.inventory.zones.get(name) if name else None

    def interface_vrf(self, device: Device, interface: Interface) -> str | None:
        """VRF an interface is bound to; ``None`` is the default VRF (the global table)."""
        if interface.zone is None or interface.zone == device.global_zone:
            return None
        zone = self.zone(interface.zone)
        return zone.vrf if zone else interface.vrf

    def unused_ports(self, device: Device) -> list[str]:
        """Ports of an access switch's hardware that the inventory does not use (rendered shut
        down in the parking VLAN), in the platform's names; management ports excluded."""
        if device.role != Role.ACCESS_SWITCH:
            return []
        platform = get_platform(device.platform)
        device_type = self.inventory.device_types.get(device.device_type)
        used = {platform.interface_name(i.name) for i in device.interfaces}
        ports = [platform.interface_name(p) for spec in (device_type.ports if device_type else [])
                 for p in interface_range_expansion(spec)]
        return [p for p in ports if p not in used and not p.endswith("0/0")]

    def peer_of(self, device: str, interface: Interface) -> CablePeer | None:
        """Cable peer of a port; a sub-interface rides its parent's cable."""
        peer = self.cable_peers.get((device, interface.parent or interface.name))
        if peer is None or interface.parent is None:
            return peer
        return CablePeer(peer.cable, (peer.peer[0], f"{peer.peer[1]}.{interface.dot1q}"))

    def device_zones(self, device: Device) -> set[str]:
        """Data zones in which the device has a layer-3 interface (management excluded)."""
        mgmt = self.inventory.management_zone
        return {i.zone for i in device.interfaces if i.address is not None and i.zone and i.zone != mgmt}

    def host_addresses(self, name: str, zone: str | None = None) -> list[IPv4Address]:
        host = self.hosts.get(name)
        if host is None:
            return []
        return [i.address.ip for i in host.interfaces if zone is None or i.zone == zone]


def device_groups(index: InventoryIndex, device: Device) -> list[str]:
    """Groups a device belongs to, as used by ``--limit`` and by the Nornir inventory.

    ``site:<slug>``, ``role:<role>``, ``platform:<name>``, ``kind:<site kind>`` and one
    ``zone:<ZONE>`` for every zone the device routes or switches (management excluded).
    """
    site = index.sites.get(device.site)
    groups = [f"site:{device.site}", f"role:{device.role}", f"platform:{device.platform}"]
    if site is not None:
        groups.append(f"kind:{site.kind}")
    vlan_zones = {index.vlans[(device.site, v)].zone for i in device.interfaces
                  for v in ([i.vlan] if i.vlan else []) + i.vlans if (device.site, v) in index.vlans}
    groups += [f"zone:{z}" for z in sorted(index.device_zones(device) | vlan_zones)]
    return groups
