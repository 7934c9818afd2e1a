"""The IP plan: prefixes inside their zone, no overlaps across zones, every address in its prefix."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.issues import Issue, Location
from muronet.inventory.model import Prefix
from muronet.validation.references import Check

# Pools from which single addresses are cut (a /32 loopback, a /31 link): the interface mask is
# narrower than the pool. Every other prefix is one subnet, and its hosts use its mask.
POOL_ROLES = {"loopback", "p2p", "external"}

POINT_TO_POINT = 31  # a /31 has no network or broadcast address (RFC 3021)


def check_prefixes(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    seen: dict[object, object] = {}
    for prefix in inv.prefixes:
        where = inv.where(prefix, "prefix")
        if prefix.prefix in seen:
            yield Issue(where, f"prefix {prefix.prefix} is declared twice", related=(inv.where(seen[prefix.prefix]),))
            continue
        seen[prefix.prefix] = prefix
        zone = index.zone(prefix.zone)
        if zone and not any(_within(prefix.prefix, agg) for agg in zone.aggregates):
            yield Issue(where, f"{prefix.prefix} lies outside zone {prefix.zone}'s aggregates "
                        f"({', '.join(map(str, zone.aggregates))})")
        if prefix.vlan is not None:
            vlan = index.vlans.get((prefix.site or "", prefix.vlan))
            if vlan is None:
                yield Issue(inv.where(prefix, "vlan"), f"VLAN {prefix.vlan} is not defined at site {prefix.site}")
            elif vlan.zone != prefix.zone:
                yield Issue(inv.where(prefix, "zone"),
                            f"prefix is in zone {prefix.zone} but VLAN {vlan.id} is in zone {vlan.zone}")


def _within(inner: IPv4Network, outer: IPv4Network) -> bool:
    """``inner.subnet_of(outer)`` with integers: this runs for every prefix of a large city.

    >>> _within(IPv4Network("10.40.1.0/24"), IPv4Network("10.40.0.0/16"))
    True
    """
    return (inner.prefixlen >= outer.prefixlen
            and int(inner.network_address) & int(outer.netmask) == int(outer.network_address))


def check_overlaps_across_zones(index: InventoryIndex) -> Iterator[Issue]:
    """Sweep prefixes in address order; a prefix overlaps only those still open on the stack."""
    inv = index.inventory
    ordered = sorted(inv.prefixes, key=lambda p: (int(p.prefix.network_address), p.prefix.prefixlen))
    stack: list[Prefix] = []
    for prefix in ordered:
        while stack and int(stack[-1].prefix.broadcast_address) < int(prefix.prefix.network_address):
            stack.pop()
        for outer in stack:
            if outer.zone != prefix.zone:
                yield Issue(inv.where(prefix, "prefix"), f"{prefix.prefix} ({prefix.zone}) overlaps "
                            f"{outer.prefix} ({outer.zone}): zones must not share addresses",
                            related=(inv.where(outer, "prefix"),))
        stack.append(prefix)
    zones = sorted(inv.zones.items())
    for n, (name_a, zone_a) in enumerate(zones):
        for name_b, zone_b in zones[n + 1:]:
            for agg_a in zone_a.aggregates:
                for agg_b in zone_b.aggregates:
                    if agg_a.overlaps(agg_b):
                        yield Issue(inv.where(zone_b, "aggregates"),
                                    f"aggregate {agg_b} of {name_b} overlaps {agg_a} of {name_a}")


def _addresses(index: InventoryIndex) -> Iterator[tuple[Location, IPv4Interface, str | None, str, str]]:
    """Every address the plan assigns: (where, address with mask, zone, owner, site)."""
    inv = index.inventory
    for device in inv.devices:
        for n, interface in enumerate(device.interfaces):
            where = inv.where(device, "interfaces", n)
            if interface.address is not None:
                yield (where.child("address"), interface.address, interface.zone, f"{device.name}:{interface.name}",
                       device.site)
            if interface.vrrp is not None and interface.address is not None:
                vip = IPv4Interface(f"{interface.vrrp.vip}/{interface.address.network.prefixlen}")
                yield where.child("vrrp", "vip"), vip, interface.zone, f"VRRP {interface.vrrp.vrid}", device.site
    for host in inv.hosts:
        for n, host_interface in enumerate(host.interfaces):
            yield (inv.where(host, "interfaces", n, "address"), host_interface.address, host_interface.zone, host.name,
                   host.site)


def check_addresses(index: InventoryIndex) -> Iterator[Issue]:
    owners: dict[IPv4Address, tuple[str, Location]] = {}
    vips: set[IPv4Address] = set()
    for where, address, zone, owner, site in _addresses(index):
        ip = address.ip
        is_vip = owner.startswith("VRRP")
        if ip in owners and not (is_vip and ip in vips):  # both VRRP routers declare the same VIP
            yield Issue(where, f"{ip} is already assigned to {owners[ip][0]}", related=(owners[ip][1],))
        else:
            owners.setdefault(ip, (owner, where))
        if is_vip:
            vips.add(ip)
        yield from _address_in_plan(index, where, address, zone, site)


def _address_in_plan(
    index: InventoryIndex, where: Location, address: IPv4Interface, zone: str | None, site: str
) -> Iterator[Issue]:
    prefix = index.prefix_of(address.ip)
    if prefix is None:
        yield Issue(where, f"{address} is not inside any declared prefix")
        return
    if prefix.site is not None and prefix.site != site:
        yield Issue(where, f"{address} lies in {prefix.prefix} of site {prefix.site}, but its owner is at site {site}")
    if prefix.zone != zone:
        yield Issue(where, f"{address} lies in {prefix.prefix} of zone {prefix.zone}, but the "
                    f"interface is in zone {zone}")
    if prefix.role in POOL_ROLES:
        if address.network.prefixlen < prefix.prefix.prefixlen:  # its ip lies inside: a wider mask spills out
            yield Issue(where, f"{address} does not fit inside {prefix.prefix}")
        return
    if address.network != prefix.prefix:
        yield Issue(where, f"{address} has mask /{address.network.prefixlen}, but its prefix "
                    f"is {prefix.prefix}")
    elif prefix.prefix.prefixlen < POINT_TO_POINT and address.ip in (prefix.prefix.network_address,
                                                         prefix.prefix.broadcast_address):
        yield Issue(where, f"{address.ip} is the network or broadcast address of {prefix.prefix}")


def check_vlans(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    first: dict[tuple[str, object], object] = {}
    for vlan in inv.vlans:
        for key, field in (((vlan.site, vlan.id), "id"), ((vlan.site, vlan.name), "name")):
            if key in first:
                yield Issue(inv.where(vlan, field), f"VLAN {field} {key[1]} is used twice at site {vlan.site}",
                            related=(inv.where(first[key], field),))
            else:
                first[key] = vlan
    city = inv.city
    if city is not None:
        for field in ("parking_vlan", "native_vlan"):
            if getattr(city, field) == 1:
                yield Issue(inv.where(city, field), f"{field} must not be VLAN 1")


def check_router_ids(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    first: dict[IPv4Address, object] = {}
    for device in inv.devices:
        if device.router_id is None:
            continue
        if device.router_id in first:
            yield Issue(inv.where(device, "router_id"), f"router id {device.router_id} is used twice",
                        related=(inv.where(first[device.router_id], "router_id"),))
        first.setdefault(device.router_id, device)


def check_circuits_and_neighbors(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    for circuit in inv.circuits:
        local = index.interfaces.get(split_endpoint(circuit.termination))
        if local is None or local.address is None:
            continue
        if circuit.peer_address not in local.address.network or circuit.peer_address == local.address.ip:
            yield Issue(inv.where(circuit, "peer_address"),
                        f"peer {circuit.peer_address} is not on the subnet of {circuit.termination} "
                        f"({local.address.network})")
    for device in inv.devices:
        subnets = {(i.zone, i.address.network) for i in device.interfaces if i.address is not None}
        for n, neighbor in enumerate(device.bgp.neighbors if device.bgp else []):
            if not any(zone == neighbor.zone and neighbor.address in net for zone, net in subnets):
                yield Issue(inv.where(device, "bgp", "neighbors", n, "address"),
                            f"BGP neighbor {neighbor.address} is not on a connected subnet of "
                            f"{device.name} in zone {neighbor.zone}")


CHECKS: tuple[Check, ...] = (
    check_prefixes,
    check_overlaps_across_zones,
    check_addresses,
    check_vlans,
    check_router_ids,
    check_circuits_and_neighbors,
)
