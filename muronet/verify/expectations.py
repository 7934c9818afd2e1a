"""Expectations derived from the inventory, per device: the routing state its intended
configuration must produce once the network has converged (independent of any platform).

- an OSPF adjacency in state Full with the far end of every cable on which both ends run OSPF
  (not passive), in the VRF of the interface;
- every BGP session of the device Established;
- in every VRF (and the global table) the device routes, a route to every LAN of that zone
  (department VLANs, server VLANs, facility LANs, public Wi-Fi) and to what the zone's circuits
  promise (the LGWAN prefixes, the security cloud's default route);
- on an access switch, every port as the inventory has it: access ports in their VLAN with port
  security on, trunks up and carrying exactly their VLAN list with their native VLAN, every unused
  port shut down in the parking VLAN, and no port carrying a VLAN of a zone the switch does not
  serve in the inventory.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.model import Device, Interface, InterfaceRole, Role
from muronet.platforms import get_platform

DEFAULT_VRF = "global"  # NAPALM's name for the default routing table
LAN_ROLES = (InterfaceRole.USER, InterfaceRole.SERVER, InterfaceRole.FACILITY_LAN, InterfaceRole.PUBLIC_WIFI)


@dataclass(frozen=True)
class OspfNeighbor:
    vrf: str
    address: IPv4Address  # the neighbour's address on the shared link
    peer: str  # "device:interface", for reports


@dataclass(frozen=True)
class BgpSession:
    vrf: str
    address: IPv4Address
    description: str


@dataclass(frozen=True)
class PortExpectation:
    mode: str  # "access" or "trunk"
    vlan: int | None = None  # access VLAN (for a trunk: the native VLAN)
    vlans: frozenset[int] = frozenset()  # a trunk's VLANs
    shutdown: bool = False
    secured: bool = False  # port security on


@dataclass
class Expectations:
    device: str
    ospf: list[OspfNeighbor] = field(default_factory=list)
    bgp: list[BgpSession] = field(default_factory=list)
    routes: dict[str, set[IPv4Network]] = field(default_factory=dict)  # VRF → prefixes
    ports: dict[str, PortExpectation] = field(default_factory=dict)  # switch port (platform's name) → state
    vlan_zones: dict[int, str] = field(default_factory=dict)  # the zone of each VLAN of the device's site
    zones: frozenset[str] = frozenset()  # the zones a switch is approved for: those of its ports' VLANs


def _runs_ospf(interface: Interface) -> bool:
    return interface.ospf is not None and not interface.ospf.passive and interface.address is not None


def _vrf(index: InventoryIndex, device: Device, interface: Interface) -> str:
    return index.interface_vrf(device, interface) or DEFAULT_VRF


def zone_lans(index: InventoryIndex) -> dict[str, set[IPv4Network]]:
    """Every routed LAN of each zone, from the gateway interfaces of the routed devices."""
    lans: dict[str, set[IPv4Network]] = {}
    for device in index.inventory.devices:
        for interface in device.interfaces:
            if interface.role in LAN_ROLES and interface.address is not None and interface.zone:
                lans.setdefault(interface.zone, set()).add(interface.address.network)
    return lans


def zone_externals(index: InventoryIndex) -> dict[str, set[IPv4Network]]:
    """What each zone's circuits bring in (LGWAN prefixes, the default route)."""
    externals: dict[str, set[IPv4Network]] = {}
    for circuit in index.inventory.circuits:
        interface = index.interfaces.get(split_endpoint(circuit.termination))
        if interface is not None and interface.zone:
            externals.setdefault(interface.zone, set()).update(circuit.reachable_prefixes)
    return externals


def expectations(index: InventoryIndex, device: Device, present: Container[str] | None = None) -> Expectations:
    """What ``device`` must show once its configuration is in place: an OSPF neighbour on every
    cable whose far end runs OSPF too and is ``present`` (the devices of the run's inventory: the
    twin's holds only the routers it runs; None: every device), every BGP session, every route."""
    expected = Expectations(device.name)
    for interface in device.interfaces:
        if not _runs_ospf(interface):
            continue
        peer = index.peer_of(device.name, interface)
        far = index.interfaces.get(peer.peer) if peer else None
        if peer and far is not None and _runs_ospf(far) and (present is None or peer.peer[0] in present):
            assert far.address is not None
            expected.ospf.append(OspfNeighbor(_vrf(index, device, interface), far.address.ip,
                                              f"{peer.peer[0]}:{peer.peer[1]}"))
    for neighbor in device.bgp.neighbors if device.bgp else []:
        vrf = DEFAULT_VRF if neighbor.zone == device.global_zone else (index.zone(neighbor.zone).vrf)  # type: ignore[union-attr]
        expected.bgp.append(BgpSession(vrf, neighbor.address, neighbor.description))
    lans, externals = zone_lans(index), zone_externals(index)
    management = index.inventory.management_zone
    for interface in device.interfaces:
        if interface.address is None or not interface.zone or interface.zone == management:
            continue
        routes = expected.routes.setdefault(_vrf(index, device, interface), set())
        routes |= lans.get(interface.zone, set()) | externals.get(interface.zone, set())
    expected.ports = switch_ports(index, device)
    if expected.ports:
        expected.vlan_zones = {vid: vlan.zone for (site, vid), vlan in index.vlans.items() if site == device.site}
        expected.zones = frozenset(expected.vlan_zones[v] for p in expected.ports.values() if not p.shutdown
                                   for v in ({p.vlan} | p.vlans) - {None} if v in expected.vlan_zones)
    return expected


def switch_ports(index: InventoryIndex, device: Device) -> dict[str, PortExpectation]:
    """An access switch's ports as the inventory has them (other devices: none)."""
    if device.role != Role.ACCESS_SWITCH:
        return {}
    platform = get_platform(device.platform)
    ports = {}
    for interface in device.interfaces:
        name = platform.interface_name(interface.name)
        if interface.mode == "access":
            ports[name] = PortExpectation("access", interface.vlan, shutdown=interface.shutdown, secured=True)
        elif interface.mode == "trunk":
            ports[name] = PortExpectation("trunk", interface.native_vlan, frozenset(interface.vlans))
    parking = index.inventory.city.parking_vlan if index.inventory.city else None
    for name in index.unused_ports(device):
        ports[name] = PortExpectation("access", parking, shutdown=True)
    return ports
