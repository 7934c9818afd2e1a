"""SEC-ZONE inside the city: the three-layer separation in routing configuration, read with the
inventory's zone map (VRF → zone, address → zone, port roles, approved zone gateways)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from ipaddress import IPv4Network
from typing import Any

from muronet.inventory.model import InterfaceRole
from muronet.policy.context import DeviceAudit
from muronet.policy.registry import Violation, check
from muronet.policy.zonemap import (
    USER_ROLES,
    address_zone,
    l3_interfaces,
    ospf_interfaces,
    port_role,
    route_zones,
    routing_processes,
    static_routes,
)

CLOSED_ZONES = ("LGWAN", "MYNUMBER")
_IOS_OSPF_AREA = re.compile(r"ip ospf \d+ area ")  # no default route to the internet (the LGWAN line brings LGWAN only)


def _management_zone(audit: DeviceAudit) -> str:
    assert audit.index is not None
    return audit.index.inventory.management_zone or ""


@check("SEC-ZONE-001", "frr", "cisco_ios", zones=True)
def single_zone_unless_gateway(audit: DeviceAudit) -> Iterator[Violation]:
    assert audit.index is not None and audit.device is not None
    management = _management_zone(audit)
    tables: dict[str | None, dict[str, Any]] = defaultdict(dict)  # table → zone → first interface
    for port in l3_interfaces(audit):
        table, held = port.table_zone(audit), address_zone(audit, port.address.network)
        if port.vrf is not None and table is None:
            yield Violation(f"{port.name}: VRF {port.vrf} is not in the zone map", audit.line_of(port.node))
        elif table and held and table != held and management not in (table, held):
            yield Violation(f"{port.name}: address {port.address} of zone {held} in the table of zone {table}",
                            audit.line_of(port.node))
        zone = table or held
        if zone and zone != management:
            tables[port.vrf].setdefault(zone, port)
    for vrf, zones in tables.items():
        if len(zones) > 1:
            yield Violation(f"zones {', '.join(sorted(zones))} share the {vrf or 'global'} routing table",
                            audit.line_of(list(zones.values())[1].node))
    first_of = {zone: port for zones in tables.values() for zone, port in zones.items()}
    approved = {z for g in audit.index.gateways_of(audit.device) if g.separation == "vrf" for z in g.zones}
    if len(first_of) > 1 and not set(first_of) <= approved:
        outside = sorted(set(first_of) - approved)
        yield Violation(f"routes in zones {', '.join(sorted(first_of))} but is approved (zone_gateways) for "
                        f"{', '.join(sorted(approved)) or 'none'}", audit.line_of(first_of[outside[0]].node))


@check("SEC-ZONE-002", "frr", "cisco_ios", zones=True)
def mynumber_isolated(audit: DeviceAudit) -> Iterator[Violation]:
    for route in static_routes(audit):
        table, via = route_zones(audit, route)
        to = address_zone(audit, route.prefix)
        if table == "MYNUMBER" and (to not in ("MYNUMBER", None) or via not in ("MYNUMBER", None)):
            yield Violation(f"route out of MYNUMBER towards zone {to if to != 'MYNUMBER' else via}: {route.text}",
                            route.line)
        elif table not in ("MYNUMBER", None) and to == "MYNUMBER":
            yield Violation(f"route into MYNUMBER from the table of zone {table}: {route.text}", route.line)


@check("SEC-ZONE-004", "frr", "cisco_ios", zones=True)
def no_leak_between_zones(audit: DeviceAudit) -> Iterator[Violation]:
    yield from _bgp_imports(audit)
    yield from _static_leaks(audit)
    yield from _vrf_imports(audit)


def _bgp_imports(audit: DeviceAudit) -> Iterator[Violation]:
    """``import vrf OTHER`` in a BGP process of another zone's VRF."""
    for vrf, process in routing_processes(audit):
        for child in process.all_children():
            other = re.match(r"import vrf (\S+)$", child.text)
            if other and other.group(1) != "route-map":
                source, target = audit.vrf_zone(other.group(1)), audit.vrf_zone(vrf)
                if source != target:
                    yield Violation(f"routes of zone {source} imported into zone {target}: {child.text}",
                                    audit.line_of(child))


def _static_leaks(audit: DeviceAudit) -> Iterator[Violation]:
    """Static routes whose next hop is in another zone's table (or the global one)."""
    for route in static_routes(audit):
        if route.nexthop_vrf == "global" and route.vrf:
            yield Violation(f"static route from VRF {route.vrf} into the global table: {route.text}", route.line)
        elif route.nexthop_vrf and audit.vrf_zone(route.nexthop_vrf) != audit.vrf_zone(route.vrf):
            yield Violation(f"static route from zone {audit.vrf_zone(route.vrf)} into zone "
                            f"{audit.vrf_zone(route.nexthop_vrf)}: {route.text}", route.line)


def _vrf_imports(audit: DeviceAudit) -> Iterator[Violation]:
    """IOS VRFs that import routes (route targets, import maps, route replication)."""
    for definition in [*audit.top("vrf definition "), *audit.top("ip vrf ")]:
        for child in definition.all_children():
            if child.text.startswith(("route-target import", "import ipv4 unicast map", "route-replicate")):
                yield Violation(f"VRF {definition.text.split()[-1]} imports routes: {child.text}",
                                audit.line_of(child))


def _own_lines(process: Any) -> Iterator[Any]:
    """A process's lines without those of its nested ``address-family ipv4 vrf`` blocks (IOS),
    which ``routing_processes`` yields as processes of their own."""
    for child in process.children:
        if child.text.startswith("address-family ipv4 vrf ") and process.text.startswith("router "):
            continue
        yield child
        yield from child.all_children()


def _network(words: list[str]) -> IPv4Network | None:
    """The network of ``network A/L …``, ``network A mask M`` (BGP) or ``network A W area N`` (IOS OSPF)."""
    try:
        if "/" in words[1]:
            return IPv4Network(words[1], strict=False)
        mask = words[3] if words[2] == "mask" else ".".join(str(255 - int(o)) for o in words[2].split("."))
        return IPv4Network(f"{words[1]}/{mask}", strict=False)
    except (IndexError, ValueError):
        return None


@check("SEC-ZONE-005", "frr", "cisco_ios", zones=True)
def routing_stays_in_zone(audit: DeviceAudit) -> Iterator[Violation]:
    ospf_zone = {p.text.split()[2]: audit.vrf_zone(vrf) for vrf, p in routing_processes(audit)
                 if re.match(r"router ospf \d+", p.text)}  # IOS process number → zone
    for vrf, process in routing_processes(audit):
        zone = audit.vrf_zone(vrf)
        for child in _own_lines(process):
            words = child.text.split()
            network = _network(words) if words[0] == "network" else None
            peer = re.match(r"neighbor (\d+\.\d+\.\d+\.\d+) remote-as ", child.text)
            source = re.match(r"redistribute ospf (\d+)", child.text)
            elsewhere = (address_zone(audit, network) if network else
                         address_zone(audit, IPv4Network(peer.group(1))) if peer else
                         ospf_zone.get(source.group(1)) if source else None)
            if zone and elsewhere and elsewhere != zone:
                yield Violation(f"{process.text} (zone {zone}) reaches into zone {elsewhere}: {child.text}",
                                audit.line_of(child))
    for port in l3_interfaces(audit):
        area = next((c for c in port.node.children if _IOS_OSPF_AREA.match(c.text)), None)
        process_zone = ospf_zone.get(area.text.split()[2]) if area else None
        if process_zone and process_zone != port.table_zone(audit):
            yield Violation(f"{port.name} (zone {port.table_zone(audit)}) is in the OSPF process of zone "
                            f"{process_zone}", audit.line_of(area))
    for interface in ospf_interfaces(audit):
        if port_role(audit, interface.text.split()[1]) in USER_ROLES:
            yield Violation(f"{interface.text}: OSPF speaks on a user-facing port (make it passive)",
                            audit.line_of(interface))


@check("SEC-ZONE-010", "frr", "cisco_ios", zones=True)
def regional_isolated(audit: DeviceAudit) -> Iterator[Violation]:
    closed = set(CLOSED_ZONES)
    for route in static_routes(audit):
        table, via = route_zones(audit, route)
        reaches = {z for z in (address_zone(audit, route.prefix), via) if z is not None and z != table}
        if (table in closed and "REGIONAL" in reaches) or (table == "REGIONAL" and reaches & closed):
            yield Violation(f"route between REGIONAL and {table if table != 'REGIONAL' else '/'.join(reaches)}: "
                            f"{route.text}", route.line)
    for port in l3_interfaces(audit):
        if port.role == InterfaceRole.FACILITY_LAN and port.table_zone(audit) != "REGIONAL":
            yield Violation(f"{port.name}: facility LAN routed in zone {port.table_zone(audit)}, not REGIONAL",
                            audit.line_of(port.node))


@check("SEC-ZONE-012", "frr", "cisco_ios")
def no_separation_bypass(audit: DeviceAudit) -> Iterator[Violation]:
    for interface in (i for i in audit.top("interface ") if re.match(r"interface (Tunnel|gre|tun|ipip)", i.text)):
        yield Violation(f"tunnel interface: {interface.text}", audit.line_of(interface))
    for route_map in audit.top("route-map "):
        for child in route_map.children:
            if re.match(r"set (vrf|global)\b", child.text):
                yield Violation(f"policy routing into another routing table: {route_map.text} / {child.text}",
                                audit.line_of(child))
    for interface in audit.top("interface "):
        for child in interface.get_children(startswith="bridge-group"):
            yield Violation(f"bridging on {interface.text}: {child.text}", audit.line_of(child))


_SOURCES = ("ip tacacs source-interface ", "ip radius source-interface ", "logging source-interface ",
            "ntp source ", "ip ssh source-interface ", "snmp-server trap-source ")


@check("SEC-ZONE-013", "frr", "cisco_ios", zones=True)
def management_plane_apart(audit: DeviceAudit) -> Iterator[Violation]:
    management = _management_zone(audit)
    in_management = set()
    for port in l3_interfaces(audit):
        table, held = port.table_zone(audit), address_zone(audit, port.address.network)
        if management in (table, held) and table != held:
            yield Violation(f"{port.name}: address of zone {held} in the table of zone {table} (management "
                            "stays in its own table)", audit.line_of(port.node))
        if table == management:
            in_management.add(port.name)
    for route in static_routes(audit):
        table, to = audit.vrf_zone(route.vrf), address_zone(audit, route.prefix)
        if (table == management) != (to == management):
            yield Violation(f"route between the management table and {to or 'outside the city'}: {route.text}"
                            if table == management else f"route into the management zone from {table}: "
                            f"{route.text}", route.line)
    groups = audit.top("aaa group server ")  # where IOS keeps the AAA source
    for child in [*audit.tree.children, *(c for g in groups for c in g.children)]:
        source = next((s for s in _SOURCES if child.text.startswith(s)), None)
        if source and child.text[len(source):].split()[0] not in in_management:
            yield Violation(f"{child.text}: management traffic sourced outside zone {management}",
                            audit.line_of(child))
