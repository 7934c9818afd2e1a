"""Zone rules visible in the data (三層分離): every interface agrees with its VLAN, VRF and prefix,
and only approved zone gateways touch more than one zone."""

from __future__ import annotations

from collections.abc import Iterator

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.issues import Issue
from muronet.inventory.model import Cable, Device, Interface, InterfaceRole
from muronet.validation.references import Check

Port = tuple[str, str]  # (device, interface): one end of a cable


def check_interface_zones(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    for device in inv.devices:
        for n, interface in enumerate(device.interfaces):
            where = inv.where(device, "interfaces", n)
            needs_zone = interface.address is not None or interface.mode == "access"
            if needs_zone and interface.zone is None:
                yield Issue(where, f"{interface.name} needs a zone")
                continue
            derived = index.interface_vrf(device, interface)
            if interface.vrf is not None and interface.vrf != derived:
                yield Issue(where.child("vrf"), f"VRF {interface.vrf} disagrees with zone {interface.zone}, "
                            f"whose VRF on {device.name} is {derived or 'the global table'}")
            vlan = index.vlans.get((device.site, interface.vlan)) if interface.vlan else None
            if vlan is not None and interface.zone is not None and vlan.zone != interface.zone:
                yield Issue(where.child("zone"), f"{interface.name} is in zone {interface.zone} but "
                            f"VLAN {vlan.id} ({vlan.name}) is in zone {vlan.zone}")
            if (interface.zone == inv.management_zone and interface.role != InterfaceRole.MANAGEMENT
                    and interface.address is not None):
                yield Issue(where.child("zone"), f"only the management interface may be in zone {interface.zone}")
            if interface.ospf is not None:
                yield from _ospf_issues(index, device, n, interface)


def _ospf_issues(index: InventoryIndex, device: Device, n: int, interface: Interface) -> Iterator[Issue]:
    inv = index.inventory
    where = inv.where(device, "interfaces", n, "ospf")
    if interface.address is None:
        yield Issue(where, f"OSPF on {interface.name}, which has no address")
    elif inv.city is not None and interface.zone not in inv.city.ospf.process_ids:
        yield Issue(where, f"zone {interface.zone} has no OSPF process (city.ospf.process_ids)")


def check_multi_zone_devices(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    for device in inv.devices:
        where = inv.where(device, "name")
        l3_zones = index.device_zones(device)
        l2_zones = _vlan_zones(index, device)
        gateways = index.gateways_of(device)
        if len(l3_zones) > 1:
            approved = {z for g in gateways if g.separation == "vrf" for z in g.zones}
            if not l3_zones <= approved:
                yield Issue(where, f"{device.name} routes in zones {', '.join(sorted(l3_zones))} but is not "
                            "an approved zone gateway for them (zone_gateways, separation: vrf)")
        if len(l2_zones) > 1:
            approved = {z for g in gateways for z in g.zones}
            if not l2_zones <= approved:
                yield Issue(where, f"{device.name} carries VLANs of zones {', '.join(sorted(l2_zones))} but "
                            "is not an approved zone gateway for them")
    for host in inv.hosts:
        zones = {i.zone for i in host.interfaces}
        if len(zones) > 1:
            approved = {z for g in inv.zone_gateways if host.name in g.hosts and g.separation == "relay"
                        for z in g.zones}
            if not zones <= approved:
                yield Issue(inv.where(host, "name"), f"host {host.name} sits in zones "
                            f"{', '.join(sorted(zones))} but is not an approved relay for them")


def _vlan_zones(index: InventoryIndex, device: Device) -> set[str]:
    ids = {i.vlan for i in device.interfaces if i.vlan} | {v for i in device.interfaces for v in i.vlans}
    return {vlan.zone for v in ids if (vlan := index.vlans.get((device.site, v))) is not None}


def check_cable_zones(index: InventoryIndex) -> Iterator[Issue]:
    """Both ends of a link agree: same zone, same subnet, same trunk VLANs and sub-interfaces."""
    inv = index.inventory
    for cable in inv.cables:
        a_end, b_end = split_endpoint(cable.a), split_endpoint(cable.b)
        a, b = index.interfaces.get(a_end), index.interfaces.get(b_end)
        if a is None or b is None:
            continue  # reported by the reference checks
        where = inv.where(cable)
        if a.zone and b.zone and a.zone != b.zone:
            yield Issue(where, f"cable joins zone {a.zone} ({cable.a}) to zone {b.zone} ({cable.b})")
        if a.address and b.address and a.address.network != b.address.network:
            yield Issue(where, f"{cable.a} ({a.address}) and {cable.b} ({b.address}) are not on one subnet")
        if a.mode != b.mode and "routed" not in (a.mode, b.mode):
            yield Issue(where, f"{cable.a} is {a.mode} but {cable.b} is {b.mode}")
        if a.mode == b.mode == "trunk":
            if sorted(a.vlans) != sorted(b.vlans):
                yield Issue(where, f"trunk {cable.a} allows VLANs {a.vlans} but {cable.b} allows {b.vlans}")
            if a.native_vlan != b.native_vlan:
                yield Issue(where, f"native VLAN differs: {a.native_vlan} at {cable.a}, {b.native_vlan} at {cable.b}")
            yield from _trunk_zones(index, cable, a_end, a, b_end)
        yield from _sub_interfaces_match(index, cable, a_end, b_end)


def _trunk_zones(index: InventoryIndex, cable: Cable, a_end: Port, a: Interface, b_end: Port) -> Iterator[Issue]:
    devices = [index.devices[a_end[0]], index.devices[b_end[0]]]
    site = devices[0].site
    zones = {vlan.zone for v in a.vlans if (vlan := index.vlans.get((site, v))) is not None}
    if len(zones) <= 1:  # one zone on the trunk: nothing to keep apart
        return
    for device in devices:
        approved = {z for g in index.gateways_of(device) for z in g.zones}
        if not zones <= approved:
            yield Issue(index.inventory.where(cable), f"trunk carries zones {', '.join(sorted(zones))}, "
                        f"but {device.name} is not approved for all of them")


def _sub_interfaces_match(index: InventoryIndex, cable: Cable, a_end: Port, b_end: Port) -> Iterator[Issue]:
    subs: dict[Port, set[int]] = {}
    for device, port in (a_end, b_end):
        subs[(device, port)] = {i.dot1q for i in index.devices[device].interfaces
                                if i.parent == port and i.dot1q is not None}
    if subs[a_end] != subs[b_end]:
        yield Issue(index.inventory.where(cable), f"sub-interfaces differ across the cable: {cable.a} has "
                    f"{sorted(subs[a_end])}, {cable.b} has {sorted(subs[b_end])}")


CHECKS: tuple[Check, ...] = (check_interface_zones, check_multi_zone_devices, check_cable_zones)
