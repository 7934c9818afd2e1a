"""A device's configuration read as the zone rules need it: its layer-3 interfaces with their
routing table and zone, its static routes, its routing processes, the inventory roles of its ports.

Both platforms' forms are read here (FRR ``interface X vrf V``, IOS ``vrf forwarding V``;
``ip route P NH vrf V`` and ``ip route vrf V P M NH``), so the checks speak of tables and zones only.
Each reading is computed once per device and shared by the checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any, TypeVar, cast

from muronet.inventory.model import Interface, InterfaceRole
from muronet.platforms import get_platform
from muronet.policy.context import DeviceAudit

T = TypeVar("T")
EXTERNAL_ROLES = frozenset({InterfaceRole.LGWAN_ACCESS_LINE, InterfaceRole.INTERNET_EXIT})
USER_ROLES = frozenset({InterfaceRole.USER, InterfaceRole.SERVER, InterfaceRole.FACILITY_LAN,
                        InterfaceRole.PUBLIC_WIFI})
BOUNDARY_ROLES = EXTERNAL_ROLES | USER_ROLES  # ports that face another organisation or end users
_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+$")


def per_device(function: Callable[[DeviceAudit], T]) -> Callable[[DeviceAudit], T]:
    """Compute ``function(audit)`` once per device; every check then reads the same value."""
    @wraps(function)
    def memoised(audit: DeviceAudit) -> T:
        if function.__name__ not in audit.memo:
            audit.memo[function.__name__] = function(audit)
        return cast(T, audit.memo[function.__name__])
    return memoised


@dataclass(frozen=True)
class L3Interface:
    name: str  # as the configuration names it
    vrf: str | None  # None: the global table
    address: IPv4Interface
    node: Any  # the hier_config child of ``interface NAME``
    role: InterfaceRole | None  # from the inventory; None for ports it does not know

    def table_zone(self, audit: DeviceAudit) -> str | None:
        return audit.vrf_zone(self.vrf)


@dataclass(frozen=True)
class StaticRoute:
    vrf: str | None
    prefix: IPv4Network
    next_hop: IPv4Address | None
    interface: str | None  # egress interface, when the route names one
    nexthop_vrf: str | None  # FRR nexthop-vrf, or "global" for IOS ``global``
    text: str
    line: int | None


@per_device
def inventory_ports(audit: DeviceAudit) -> dict[str, Interface]:
    """The inventory's interfaces of this device, by the name the platform gives them."""
    if audit.device is None:
        return {}
    platform = get_platform(audit.platform)
    return {platform.interface_name(i.name): i for i in audit.device.interfaces}


def port_role(audit: DeviceAudit, name: str) -> InterfaceRole | None:
    port = inventory_ports(audit).get(name)
    return port.role if port is not None else None


def _vrf_block(text: str) -> str | None:
    """The VRF an FRR ``vrf NAME`` block is (None: another line)."""
    match text.split():
        case ["vrf", name]:
            return name
    return None


def interface_vrf(node: Any) -> str | None:
    """The VRF of an ``interface`` child: FRR ``interface X vrf V``, IOS ``(ip) vrf forwarding V``."""
    match node.text.split():
        case ["interface", _, "vrf", vrf]:
            return str(vrf)
    binding = next((c for c in node.children if c.text.startswith(("vrf forwarding ", "ip vrf forwarding "))), None)
    return binding.text.split()[-1] if binding is not None else None


def _address(text: str) -> IPv4Interface | None:
    """``ip address A/L`` (FRR) or ``ip address A M`` (IOS); None for ``no ip address`` or dhcp."""
    words = text.split()
    try:
        return IPv4Interface(words[2] if "/" in words[2] else f"{words[2]}/{words[3]}")
    except (IndexError, ValueError):
        return None


@per_device
def l3_interfaces(audit: DeviceAudit) -> list[L3Interface]:
    """Every interface address with its table; one entry per address (secondaries included). On
    FRR the VRF's own device (``interface BLUE`` of a ``vrf BLUE``) is in that VRF: its addresses
    are the VRF's, as a loopback's are the global table's."""
    found = []
    devices = {vrf for node in audit.top("vrf ") if (vrf := _vrf_block(node.text)) is not None}
    for node in audit.top("interface "):
        name = node.text.split()[1]
        vrf = interface_vrf(node) or (name if name in devices else None)
        for line in (c for c in node.children if c.text.startswith("ip address ")):
            address = _address(line.text)
            if address is not None:
                found.append(L3Interface(name, vrf, address, node, port_role(audit, name)))
    return found


def address_zone(audit: DeviceAudit, network: IPv4Network | IPv4Address) -> str | None:
    """The zone whose aggregates hold an address or network (None outside every zone)."""
    if audit.index is None:
        return None
    return audit.index.zone_of_network(network if isinstance(network, IPv4Network) else IPv4Network(network))


def parse_route(text: str, vrf: str | None = None) -> tuple[str | None, IPv4Network, IPv4Address | None,
                                                             str | None, str | None] | None:
    """(vrf, prefix, next hop, egress interface, next-hop VRF) of an ``ip route`` line, FRR or IOS.

    >>> parse_route("ip route vrf LGWAN 10.30.0.0 255.255.0.0 10.20.255.1 name x")
    ('LGWAN', IPv4Network('10.30.0.0/16'), IPv4Address('10.20.255.1'), None, None)
    >>> parse_route("ip route 0.0.0.0/0 eth3 10.224.255.1 vrf LGWAN nexthop-vrf INTERNET")
    ('LGWAN', IPv4Network('0.0.0.0/0'), IPv4Address('10.224.255.1'), 'eth3', 'INTERNET')
    """
    words = text.split()[2:]
    if words[:1] == ["vrf"]:
        vrf, words = words[1], words[2:]
    destination = _route_prefix(words)
    if destination is None:
        return None
    prefix, words = destination
    next_hop = interface = nexthop_vrf = None
    taking = iter(words)
    for word in taking:
        if word in ("vrf", "nexthop-vrf", "name", "tag", "track", "label", "table", "permanent"):
            value = next(taking, None)
            if word == "vrf":
                vrf = value
            elif word == "nexthop-vrf":
                nexthop_vrf = value
        elif word == "global":
            nexthop_vrf = "global"
        elif _ADDRESS.match(word) and next_hop is None:
            next_hop = IPv4Address(word)
        elif not word.isdigit() and word not in ("blackhole", "reject", "Null0", "onlink") and interface is None:
            interface = word
    return vrf, prefix, next_hop, interface, nexthop_vrf


def _route_prefix(words: list[str]) -> tuple[IPv4Network, list[str]] | None:
    """A route's prefix (``A/L`` or ``A MASK``) at the start of ``words``, and the words after it."""
    try:
        if "/" in words[0]:
            return IPv4Network(words[0], strict=False), words[1:]
        return IPv4Network(f"{words[0]}/{words[1]}", strict=False), words[2:]
    except (IndexError, ValueError):
        return None


@per_device
def static_routes(audit: DeviceAudit) -> list[StaticRoute]:
    """Every static route with its table: top-level lines and FRR's ``vrf V`` blocks."""
    routes = []

    def read(child: Any, vrf: str | None) -> None:
        parsed = parse_route(child.text, vrf)
        if parsed is not None:
            routes.append(StaticRoute(*parsed, text=child.text, line=audit.line_of(child)))

    for child in audit.tree.children:
        if child.text.startswith("ip route "):
            read(child, None)
        elif (vrf := _vrf_block(child.text)) is not None:
            for route in child.get_children(startswith="ip route "):
                read(route, vrf)
    return routes


def route_zones(audit: DeviceAudit, route: StaticRoute) -> tuple[str | None, str | None]:
    """(zone of the route's table, zone its traffic is sent to: by next hop, else by egress port)."""
    table = audit.vrf_zone(route.vrf)
    if route.next_hop is not None:
        return table, address_zone(audit, route.next_hop)
    port = next((i for i in l3_interfaces(audit) if i.name == route.interface), None)
    return table, (port.table_zone(audit) if port is not None else None)


@per_device
def routing_processes(audit: DeviceAudit) -> list[tuple[str | None, Any]]:
    """(VRF or None, process) of every OSPF and BGP process (FRR ``router ospf vrf X``, IOS
    ``router ospf N vrf X``, BGP ``address-family ipv4 vrf X``)."""
    found = []
    for process in [*audit.top("router ospf"), *audit.top("router bgp")]:
        vrf = re.search(r" vrf (\S+)", process.text)
        found.append(((vrf.group(1) if vrf else None), process))
        found += [(family.text.split()[-1], family) for family in process.children
                  if family.text.startswith("address-family ipv4 vrf ")]
    return found


def prefix_list(audit: DeviceAudit, name: str) -> list[tuple[str, IPv4Network, Any]]:
    """(action, prefix, child) of each entry of ``ip prefix-list NAME``."""
    entries = []
    for child in audit.top(f"ip prefix-list {name} "):
        match = re.search(r" (permit|deny) (\S+)", child.text)
        if match:
            entries.append((match.group(1), IPv4Network(match.group(2), strict=False), child))
    return entries


def route_map_prefixes(audit: DeviceAudit, route_map: str) -> Iterator[tuple[IPv4Network, Any]]:
    """Prefixes a route-map lets through: the permits of the prefix-lists its permit entries
    match (an entry without a match clause lets everything through: 0.0.0.0/0)."""
    for entry in audit.top(f"route-map {route_map} permit "):
        lists = [c.text.split()[-1] for c in entry.get_children(startswith="match ip address prefix-list ")]
        if entry.get_child(startswith="match ") is None:
            yield IPv4Network("0.0.0.0/0"), entry
        for name in lists:
            for action, prefix, child in prefix_list(audit, name):
                if action == "permit":
                    yield prefix, child


_OSPF_AREA = re.compile(r"ip ospf (\d+ )?area ")


@per_device
def ospf_interfaces(audit: DeviceAudit) -> list[Any]:
    """Interfaces that speak OSPF: in an area and not passive (FRR marks it on the interface,
    IOS with ``no passive-interface NAME`` under ``passive-interface default``)."""
    processes = list(audit.top("router ospf"))
    active = {c.text.split()[-1] for p in processes for c in p.get_children(startswith="no passive-interface ")}
    passive_by_default = any(p.get_child(equals="passive-interface default") for p in processes)
    speaking = []
    for interface in audit.top("interface "):
        texts = {c.text for c in interface.children}
        name = interface.text.split()[1]
        in_ospf = any(_OSPF_AREA.match(t) for t in texts)
        passive = "ip ospf passive" in texts or (
            "no ip ospf passive" not in texts and name not in active and passive_by_default)
        if in_ospf and not passive and not name.startswith("lo"):
            speaking.append(interface)
    return speaking


def boundary_ports(audit: DeviceAudit) -> Iterator[Any]:
    """Ports in service that face another organisation or end users: by their inventory role, or
    every access port; for a device the inventory does not know, every port with an address."""
    for node in audit.top("interface "):
        if node.get_child(equals="shutdown") is not None:
            continue
        role = port_role(audit, node.text.split()[1])
        if (role in BOUNDARY_ROLES or node.get_child(equals="switchport mode access") is not None
                or (audit.device is None and node.get_child(startswith="ip address ") is not None)):
            yield node
