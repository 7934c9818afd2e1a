"""Referential integrity: names are unique and every reference points at something that exists."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.issues import Issue, Location
from muronet.inventory.loader import Inventory
from muronet.inventory.model import (
    REQUIRED_SECRETS,
    ApprovedPath,
    City,
    Device,
    Host,
    InterfaceRole,
    Prefix,
    Vlan,
    ZoneGateway,
)

Check = Callable[[InventoryIndex], Iterator[Issue]]


def _unique(
    index: InventoryIndex, entries: Iterable[Any], key: Callable[[Any], object], what: str, field: str
) -> Iterator[Issue]:
    first: dict[object, Any] = {}
    for entry in entries:
        value = key(entry)
        if value in first:
            yield Issue(index.inventory.where(entry, field), f"duplicate {what} {value!r}",
                        related=(index.inventory.where(first[value], field),))
        else:
            first[value] = entry


def check_unique_names(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    yield from _unique(index, inv.sites, lambda s: s.slug, "site", "slug")
    yield from _unique(index, inv.sites, lambda s: s.facility_id, "facility_id", "facility_id")
    yield from _unique(index, inv.devices, lambda d: d.name, "device name", "name")
    yield from _unique(index, inv.hosts, lambda h: h.name, "host name", "name")
    yield from _unique(index, inv.providers, lambda p: p.slug, "provider", "slug")
    yield from _unique(index, inv.circuits, lambda c: c.cid, "circuit id", "cid")
    yield from _unique(index, inv.zone_gateways, lambda g: g.name, "zone gateway", "name")
    yield from _unique(index, inv.approved_paths, lambda p: p.name, "approved path", "name")
    for host in inv.hosts:
        if host.name in index.devices:
            yield Issue(inv.where(host, "name"), f"host {host.name!r} has the name of a device")
    for device in inv.devices:
        seen: set[str] = set()
        for n, interface in enumerate(device.interfaces):
            if interface.name in seen:
                yield Issue(inv.where(device, "interfaces", n, "name"),
                            f"interface {interface.name!r} is defined twice on {device.name}")
            seen.add(interface.name)


def check_sites_and_types(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    sites = index.sites
    sited: list[tuple[Device | Host | Vlan, str]] = [*((d, "device") for d in inv.devices),
                                                   *((h, "host") for h in inv.hosts), *((v, "VLAN") for v in inv.vlans)]
    for entry, what in sited:
        if entry.site not in sites:
            yield Issue(inv.where(entry, "site"), f"{what} refers to unknown site {entry.site!r}")
    for prefix in inv.prefixes:
        if prefix.site is not None and prefix.site not in sites:
            yield Issue(inv.where(prefix, "site"), f"prefix refers to unknown site {prefix.site!r}")
    for device in inv.devices:
        if device.device_type not in inv.device_types:
            yield Issue(inv.where(device, "device_type"), f"unknown device type {device.device_type!r}")


def check_zone_names(index: InventoryIndex) -> Iterator[Issue]:
    """Every zone the inventory names is a zone, and no two zones share a VRF."""
    inv = index.inventory
    known = inv.zones
    if inv.management_zone is not None and known and inv.management_zone not in known:
        yield Issue(inv.singleton_locations["management_zone"],
                    f"management_zone {inv.management_zone!r} is not a zone")
    for location, zone in _zone_references(inv):
        if zone is not None and known and zone not in known:
            yield Issue(location, f"unknown zone {zone!r} (zones: {', '.join(sorted(known))})")
    vrfs: dict[str, str] = {}
    for name, definition in known.items():
        if definition.vrf in vrfs:
            yield Issue(inv.where(definition, "vrf"),
                        f"VRF {definition.vrf!r} is already the VRF of zone {vrfs[definition.vrf]}")
        vrfs[definition.vrf] = name


def _zone_references(inv: Inventory) -> Iterator[tuple[Location, str | None]]:
    """Every place the inventory names a zone, with the name (None: the field is not set)."""
    for device in inv.devices:
        yield from _device_zones(inv, device)
    zoned: list[Vlan | Prefix] = [*inv.vlans, *inv.prefixes]
    for entry in zoned:
        yield inv.where(entry, "zone"), entry.zone
    for host in inv.hosts:
        for n, host_interface in enumerate(host.interfaces):
            yield inv.where(host, "interfaces", n, "zone"), host_interface.zone
    spanning: list[ZoneGateway | ApprovedPath] = [*inv.zone_gateways, *inv.approved_paths]
    for crossing in spanning:
        for n, zone in enumerate(crossing.zones):
            yield inv.where(crossing, "zones", n), zone
    if inv.city is not None:
        for zone in inv.city.ospf.process_ids:
            yield inv.where(inv.city, "ospf", "process_ids", zone), zone


def _device_zones(inv: Inventory, device: Device) -> Iterator[tuple[Location, str | None]]:
    yield inv.where(device, "global_zone"), device.global_zone
    for n, interface in enumerate(device.interfaces):
        yield inv.where(device, "interfaces", n, "zone"), interface.zone
    for n, neighbor in enumerate(device.bgp.neighbors if device.bgp else []):
        yield inv.where(device, "bgp", "neighbors", n, "zone"), neighbor.zone


def check_interface_references(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    for device in inv.devices:
        names = {i.name for i in device.interfaces}
        for n, interface in enumerate(device.interfaces):
            where = inv.where(device, "interfaces", n)
            if interface.parent is not None and interface.parent not in names:
                yield Issue(where.child("name"), f"sub-interface of {interface.parent!r}, which "
                            f"{device.name} does not have")
            for field, vlan in [("vlan", interface.vlan), *(("vlans", v) for v in interface.vlans)]:
                if vlan is not None and (device.site, vlan) not in index.vlans:
                    yield Issue(where.child(field), f"VLAN {vlan} is not defined at site {device.site}")
            if interface.circuit is not None and all(c.cid != interface.circuit for c in inv.circuits):
                yield Issue(where.child("circuit"), f"unknown circuit {interface.circuit!r}")


def _endpoint_issue(index: InventoryIndex, text: str) -> str | None:
    device, interface = split_endpoint(text)
    if device not in index.devices:
        return f"unknown device {device!r}"
    if (device, interface) not in index.interfaces:
        return f"{device} has no interface {interface!r}"
    if index.interfaces[(device, interface)].parent is not None:
        return f"{text} is a sub-interface; cables connect physical ports"
    return None


def check_cables(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    used: dict[str, Location] = {}
    for cable in inv.cables:
        for end in ("a", "b"):
            text = getattr(cable, end)
            where = inv.where(cable, end)
            problem = _endpoint_issue(index, text)
            if problem:
                yield Issue(where, f"cable end {text}: {problem}")
            if text in used:
                yield Issue(where, f"cable end {text} is already used by another cable", related=(used[text],))
            else:
                used[text] = where
        if cable.ring is not None and cable.ring not in inv.rings:
            yield Issue(inv.where(cable, "ring"), f"unknown fiber ring {cable.ring!r}")
    for circuit in inv.circuits:
        where = inv.where(circuit, "termination")
        problem = _endpoint_issue(index, circuit.termination)
        if problem:
            yield Issue(where, f"circuit termination {circuit.termination}: {problem}")
        if circuit.termination in used:
            yield Issue(where, f"{circuit.termination} terminates a circuit and a cable",
                        related=(used[circuit.termination],))
        if circuit.provider not in {p.slug for p in inv.providers}:
            yield Issue(inv.where(circuit, "provider"), f"unknown provider {circuit.provider!r}")


_SERVICE_ROLES = {"aaa": "aaa", "syslog": "syslog", "ntp": "ntp", "snmp_managers": "snmp_manager",
                  "automation": "automation"}


def check_services_and_secrets(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    city = inv.city
    if city is None:
        return
    yield from _service_hosts(index, city)
    for name in REQUIRED_SECRETS:
        if name not in city.secrets:
            yield Issue(inv.where(city, "secrets"), f"missing secret reference {name!r}")
    for device in inv.devices:
        for n, neighbor in enumerate(device.bgp.neighbors if device.bgp else []):
            if neighbor.password_secret not in city.secrets:
                yield Issue(inv.where(device, "bgp", "neighbors", n, "password_secret"),
                            f"unknown secret {neighbor.password_secret!r} (define it under city.secrets)")


def _service_hosts(index: InventoryIndex, city: City) -> Iterator[Issue]:
    """Each service the city names is a known host of that service's role."""
    for service, role in _SERVICE_ROLES.items():
        for n, name in enumerate(getattr(city.services, service)):
            host = index.hosts.get(name)
            where = index.inventory.where(city, "services", service, n)
            if host is None:
                yield Issue(where, f"{service} refers to unknown host {name!r}")
            elif host.role != role:
                yield Issue(where, f"{name} is a {host.role} host, not {role}")


def check_gateways_and_paths(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    for gateway in inv.zone_gateways:
        for n, name in enumerate(gateway.devices):
            if name not in index.devices:
                yield Issue(inv.where(gateway, "devices", n), f"unknown device {name!r}")
        for n, name in enumerate(gateway.hosts):
            if name not in index.hosts:
                yield Issue(inv.where(gateway, "hosts", n), f"unknown host {name!r}")
    cids = {c.cid for c in inv.circuits}
    for path in inv.approved_paths:
        if path.via not in index.devices and path.via not in index.hosts:
            yield Issue(inv.where(path, "via"), f"unknown device or host {path.via!r}")
        if path.circuit is not None and path.circuit not in cids:
            yield Issue(inv.where(path, "circuit"), f"unknown circuit {path.circuit!r}")


def check_management_interfaces(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    for device in inv.devices:
        for n, interface in enumerate(device.interfaces):
            if interface.role == InterfaceRole.MANAGEMENT:
                where = inv.where(device, "interfaces", n)
                if interface.address is None:
                    yield Issue(where, "the management interface needs an address")
                if inv.management_zone in inv.zones and interface.zone != inv.management_zone:
                    yield Issue(where.child("zone"),
                                f"the management interface must be in zone {inv.management_zone}")


CHECKS: tuple[Check, ...] = (
    check_unique_names,
    check_sites_and_types,
    check_zone_names,
    check_interface_references,
    check_cables,
    check_services_and_secrets,
    check_gateways_and_paths,
    check_management_interfaces,
)
