"""SEC-ZONE at the city's edges: default routes, the internet exit through the prefecture's
security cloud, the α' local breakout, and the LGWAN access line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from muronet.inventory.model import InterfaceRole
from muronet.platforms import get_platform
from muronet.policy.acl import ANY, acl_entries, parse_entry
from muronet.policy.checks.zone import CLOSED_ZONES
from muronet.policy.context import DeviceAudit
from muronet.policy.registry import Violation, check
from muronet.policy.zonemap import (
    EXTERNAL_ROLES,
    address_zone,
    inventory_ports,
    l3_interfaces,
    port_role,
    route_map_prefixes,
    route_zones,
    routing_processes,
    static_routes,
)

DEFAULT = IPv4Network("0.0.0.0/0")


def _originates_default(text: str) -> bool:
    return text.startswith("default-information originate") or text.endswith(" default-originate")


def _exit_devices(audit: DeviceAudit, kind: str) -> set[str]:
    assert audit.index is not None
    return {p.via for p in audit.index.inventory.approved_paths if p.kind == kind}


@check("SEC-ZONE-003", "frr", "cisco_ios", zones=True)
def no_default_route_in_closed_zones(audit: DeviceAudit) -> Iterator[Violation]:
    for route in static_routes(audit):
        zone = audit.vrf_zone(route.vrf)
        if zone in CLOSED_ZONES and route.prefix == DEFAULT:
            yield Violation(f"default route in zone {zone} ({route.vrf or 'global table'}): {route.text}", route.line)
    for vrf, process in routing_processes(audit):
        zone = audit.vrf_zone(vrf)
        if zone in CLOSED_ZONES:
            for child in process.all_children():
                if _originates_default(child.text):
                    yield Violation(f"default route originated in zone {zone}: {child.text}", audit.line_of(child))


@check("SEC-ZONE-007", "frr", "cisco_ios", zones=True)
def internet_exit_only_via_security_cloud(audit: DeviceAudit) -> Iterator[Violation]:
    yield from _default_routes_out(audit)
    yield from _defaults_originated(audit)
    yield from _unknown_ebgp_peers(audit)
    yield from _internet_nat(audit)


def _default_routes_out(audit: DeviceAudit) -> Iterator[Violation]:
    """Static default routes of an open zone that do not lead to the security cloud."""
    assert audit.index is not None
    approved_hops = {c.peer_address for c in audit.index.inventory.circuits if c.kind == "security_cloud"}
    for route in static_routes(audit):
        table, via = route_zones(audit, route)
        if route.prefix != DEFAULT or table in CLOSED_ZONES:
            continue  # a closed zone's default route is SEC-ZONE-003's
        if table != "INTERNET" or (route.next_hop not in approved_hops and via != "INTERNET"):
            yield Violation(f"default route out of zone {table} not via the security cloud: {route.text}", route.line)


def _defaults_originated(audit: DeviceAudit) -> Iterator[Violation]:
    """A default route originated by a routing process, other than the internet exit's in INTERNET."""
    assert audit.device is not None
    exit_device = audit.device.name in _exit_devices(audit, "internet_exit")
    for vrf, process in routing_processes(audit):
        zone = audit.vrf_zone(vrf)
        for child in process.all_children():
            allowed = zone in CLOSED_ZONES or (zone == "INTERNET" and exit_device)  # closed: SEC-ZONE-003's
            if _originates_default(child.text) and not allowed:
                yield Violation(f"default route originated in zone {zone} by a device that is not the "
                                f"internet exit: {child.text}", audit.line_of(child))


def _unknown_ebgp_peers(audit: DeviceAudit) -> Iterator[Violation]:
    """eBGP sessions with a peer no circuit of the inventory names (address and AS)."""
    assert audit.index is not None
    approved_peers = {(str(c.peer_address), str(c.peer_asn)) for c in audit.index.inventory.circuits}
    for bgp in audit.top("router bgp "):
        for peer in bgp.all_children():
            found = re.match(r"neighbor (\S+) remote-as (\d+)$", peer.text)
            if found and found.group(2) != bgp.text.split()[2] and found.groups() not in approved_peers:
                yield Violation(f"eBGP session with AS {found.group(2)} at {found.group(1)}, which is not a "
                                "circuit of the inventory", audit.line_of(peer))


_NAT_OVERLOAD = re.compile(r"ip nat (inside|outside) source .* interface \S+ overload")


def _internet_nat(audit: DeviceAudit) -> Iterator[Violation]:
    """NAT overload to an interface that is not the security cloud's line."""
    for child in (c for c in audit.top("ip nat ") if _NAT_OVERLOAD.match(c.text)):
        outside = child.text.split(" interface ")[1].split()[0]
        if port_role(audit, outside) != InterfaceRole.INTERNET_EXIT:
            yield Violation(f"NAT to the internet through {outside}, not the security-cloud line", audit.line_of(child))


def _breakout_allowed(audit: DeviceAudit) -> list[IPv4Network]:
    assert audit.index is not None
    return [f.to for p in audit.index.inventory.approved_paths if p.kind == "local_breakout" for f in p.flows]


@check("SEC-ZONE-008", "frr", "cisco_ios", zones=True)
def local_breakout_only_to_approved(audit: DeviceAudit) -> Iterator[Violation]:
    allowed = _breakout_allowed(audit)
    for route in static_routes(audit):
        table, via = route_zones(audit, route)
        outside = route.next_hop is not None and via is None  # a next hop outside every zone: the internet
        approved = any(route.prefix.subnet_of(a) for a in allowed)
        leak = route.nexthop_vrf is not None  # into another table: SEC-ZONE-004's
        if table == "LGWAN" and route.prefix != DEFAULT and (via == "INTERNET" or outside) and not (approved or leak):
            yield Violation(f"LGWAN traffic broken out to {'the internet' if outside else 'zone INTERNET'} "
                            f"for a destination not approved for α' breakout: {route.text}", route.line)
    for hop in (c for route_map in audit.top("route-map ") for c in route_map.children):
        found = re.match(r"set ip next-hop (\d+\.\d+\.\d+\.\d+)", hop.text)
        if found and address_zone(audit, IPv4Address(found.group(1))) in (None, "INTERNET"):
            used_on_lgwan = any(p.table_zone(audit) == "LGWAN" and p.node.get_child(
                equals=f"ip policy route-map {hop.parent.text.split()[1]}") for p in l3_interfaces(audit))
            if used_on_lgwan:
                yield Violation(f"policy routing sends LGWAN traffic to {found.group(1)}: {hop.parent.text}",
                                audit.line_of(hop))


@check("SEC-ZONE-009", "frr", "cisco_ios", zones=True)
def lgwan_access_line_hygiene(audit: DeviceAudit) -> Iterator[Violation]:
    for line in (p for p in l3_interfaces(audit) if p.role == InterfaceRole.LGWAN_ACCESS_LINE):
        if line.table_zone(audit) != "LGWAN":
            yield Violation(f"{line.name}: the LGWAN access line is routed in zone {line.table_zone(audit)}",
                            audit.line_of(line.node))
        for route in static_routes(audit):
            hop = route.next_hop
            out = route.interface == line.name or (hop is not None and hop in line.address.network)
            if out and route.prefix != DEFAULT and address_zone(audit, route.prefix) not in ("LGWAN", None):
                yield Violation(f"zone {address_zone(audit, route.prefix)} routed out of the LGWAN line: "
                                f"{route.text}", route.line)
        yield from _line_bgp_policy(audit, line.address.network, "LGWAN", "the LGWAN access point")
        if get_platform(audit.platform).filters_in_config:
            yield from _line_filter(audit, line.node)


def _line_bgp_policy(audit: DeviceAudit, subnet: IPv4Network, zone: str, far_end: str) -> Iterator[Violation]:
    """The BGP session over a closed line: only prefixes of ``zone`` go out, and come in."""
    for bgp in audit.top("router bgp "):
        for child in bgp.all_children():
            found = re.match(r"neighbor (\S+) route-map (\S+) (in|out)$", child.text)
            if not found or not re.match(r"\d", found.group(1)) or IPv4Address(found.group(1)) not in subnet:
                continue
            for prefix, entry in route_map_prefixes(audit, found.group(2)):
                if address_zone(audit, prefix) != zone:
                    direction = "announced to" if found.group(3) == "out" else "accepted from"
                    yield Violation(f"{prefix} ({address_zone(audit, prefix) or 'not a city zone'}) {direction} "
                                    f"{far_end} by {found.group(2)}", audit.line_of(entry))


# what the Government Cloud session must say of its peer (FRR's words, IOS's words)
_SESSION_PROTECTION = {"password": ("password ",), "BFD": ("bfd", "fall-over bfd"),
                       "prefix limit": ("maximum-prefix ",)}


@check("SEC-ZONE-014", "frr", "cisco_ios", zones=True)
def government_cloud_line_hygiene(audit: DeviceAudit) -> Iterator[Violation]:
    assert audit.index is not None
    for line in (p for p in l3_interfaces(audit) if p.role == InterfaceRole.GOVERNMENT_CLOUD_LINE):
        port = inventory_ports(audit)[line.name]  # the line's role came from it
        zones = {z for p in audit.index.inventory.approved_paths if p.kind == "government_cloud"
                 and p.circuit == port.circuit for z in p.zones}
        zone = line.table_zone(audit)
        if zone not in zones:
            yield Violation(f"{line.name}: the Government Cloud line is routed in zone {zone}, not in one its "
                            f"approved path names ({', '.join(sorted(zones)) or 'none'})", audit.line_of(line.node))
            continue
        for route in static_routes(audit):
            hop = route.next_hop
            if (route.interface == line.name or (hop is not None and hop in line.address.network)) and (
                    route.prefix == DEFAULT or address_zone(audit, route.prefix) != zone):
                yield Violation(f"{route.prefix} routed out of the Government Cloud line: {route.text}", route.line)
        yield from _line_bgp_policy(audit, line.address.network, str(zone), "the Government Cloud")
        yield from _session_protection(audit, line.address.network)


def _session_protection(audit: DeviceAudit, subnet: IPv4Network) -> Iterator[Violation]:
    """Every BGP session over the line has its password, BFD and a prefix limit."""
    for bgp in audit.top("router bgp "):
        said: dict[str, list[str]] = {}
        first: dict[str, Any] = {}
        for child in bgp.all_children():
            found = re.match(r"neighbor (\d+\.\d+\.\d+\.\d+) (.+)$", child.text)
            if found and IPv4Address(found.group(1)) in subnet:
                said.setdefault(found.group(1), []).append(found.group(2))
                first.setdefault(found.group(1), child)
        for peer, words in said.items():
            for what, forms in _SESSION_PROTECTION.items():
                if not any(w == f.strip() or w.startswith(f) for w in words for f in forms):
                    yield Violation(f"the Government Cloud session {peer} has no {what}", audit.line_of(first[peer]))


def _line_filter(audit: DeviceAudit, interface: Any) -> Iterator[Violation]:
    """The line's inbound filter lets in LGWAN only: every permit from and to LGWAN addresses."""
    group = interface.get_child(re_search=r"^ip access-group \S+ in$")
    for child in acl_entries(audit, group.text.split()[2]) if group is not None else []:
        entry = parse_entry(child.text)
        if entry is None or entry.action != "permit":
            continue
        zones = {"any" if n == ANY else address_zone(audit, n) for n in (entry.source, entry.destination)}
        if zones != {"LGWAN"}:
            yield Violation(f"the LGWAN line's filter lets in more than LGWAN: {child.text}", audit.line_of(child))


def _boundary_interfaces(audit: DeviceAudit) -> Iterator[Any]:
    """Interfaces facing another organisation (an external circuit) or a cable whose far end is
    in another zone."""
    assert audit.index is not None and audit.device is not None
    for name, port in inventory_ports(audit).items():
        peer = audit.index.peer_of(audit.device.name, port)
        far = audit.index.interfaces.get(peer.peer) if peer is not None else None
        if port.address is not None and (port.role in EXTERNAL_ROLES or (far is not None and far.zone != port.zone)):
            node = audit.tree.get_child(re_search=rf"^interface {re.escape(name)}( vrf \S+)?$")
            if node is not None:
                yield node


@check("SEC-ZONE-006", "cisco_ios", zones=True)
def boundary_filters_default_deny(audit: DeviceAudit) -> Iterator[Violation]:
    for interface in _boundary_interfaces(audit):
        group = interface.get_child(re_search=r"^ip access-group \S+ in$")
        if group is None:
            yield Violation(f"{interface.text}: boundary interface without an inbound filter", audit.line_of(interface))
            continue
        name = group.text.split()[2]
        children = acl_entries(audit, name)
        if not children:
            yield Violation(f"{interface.text}: filter {name} is not defined (an undefined ACL permits all)",
                            audit.line_of(group))
            continue
        entries = [parse_entry(c.text) for c in children]
        last = entries[-1]
        if last is None or (last.action, last.protocol, last.source, last.destination) != ("deny", "ip", ANY, ANY):
            yield Violation(f"{name}: does not end in an explicit 'deny ip any any'", audit.line_of(children[-1]))
        elif not children[-1].text.endswith(" log"):
            yield Violation(f"{name}: the final deny does not log", audit.line_of(children[-1]))
        for child, entry in zip(children, entries, strict=True):
            if entry is not None and entry.action == "permit" and entry.source == ANY and entry.destination == ANY:
                yield Violation(f"{name}: permits any to any: {child.text}", audit.line_of(child))
