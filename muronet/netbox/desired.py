"""The inventory as NetBox objects, in the natural form of ``muronet.netbox.schema``.

Zones become VRFs (the global routing table of a device is still its zone's VRF in NetBox), the
facility kind a site group, districts regions under the city, hosts devices of a generic server type,
fiber rings and zones tags. Every object carries the managed tag.
"""

from __future__ import annotations

from collections import defaultdict

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.loader import Inventory
from muronet.inventory.model import Device, Interface, InterfaceRole
from muronet.netbox.schema import KIND_BY_NAME, MANAGED_TAG, Key, Record

Desired = dict[str, dict[Key, Record]]
CITY_REGION = "muroran"
SERVER_TYPE = "generic-server"
ROLE_COLORS = {"core": "1565c0", "access_switch": "42a5f5", "aggregation": "6a1b9a", "facility_edge": "2e7d32",
               "lgwan_router": "ef6c00", "internet_gateway": "c62828"}
CIRCUIT_TYPES = {"lgwan_access": "LGWAN access line", "security_cloud": "Security cloud line",
                 "government_cloud": "Government Cloud line"}


def slugify(text: str) -> str:
    """A NetBox slug from an inventory name.

    >>> slugify("sanitising_relay"), slugify("ring west")
    ('sanitising-relay', 'ring-west')
    """
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _text(value: str, limit: int = 200) -> str:
    """NetBox's description fields hold at most 200 characters."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def interface_type(interface: Interface) -> str:
    """NetBox's interface type for an inventory port.

    >>> from muronet.inventory.model import Interface
    >>> [interface_type(Interface(name=n, role=r)) for n, r in
    ...  [("eth2.300", None), ("vlan10", None), ("TenGigabitEthernet1/1/1", None), ("eth1", "fiber"), ("mgmt0", None)]]
    ['virtual', 'virtual', '10gbase-x-sfpp', '1000base-x-sfp', '1000base-t']
    """
    name = interface.name.lower()
    if interface.dot1q is not None or name.startswith(("vlan", "lo", "loopback")):
        return "virtual"
    if name.startswith("tengigabitethernet"):
        return "10gbase-x-sfpp"
    return "1000base-x-sfp" if interface.role == InterfaceRole.FIBER else "1000base-t"


class _Builder:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory, self.index = inventory, InventoryIndex(inventory)
        self.records: Desired = defaultdict(dict)

    def add(self, kind: str, record: Record, tags: tuple[str, ...] = ()) -> Key:
        spec = KIND_BY_NAME[kind]
        if spec.tagged:
            record["tags"] = tuple(sorted({(MANAGED_TAG,), *((t,) for t in tags)}))
        key = spec.key(record)
        self.records[kind].setdefault(key, record)
        return key

    def tag(self, slug: str, name: str, color: str, description: str) -> None:
        self.add("extras.tags", {"name": name, "slug": slug, "color": color, "description": _text(description)})

    def zone_vrf(self, zone: str | None) -> Key | None:
        found = self.index.zone(zone)
        return (found.vrf,) if found else None


def desired_state(inventory: Inventory) -> Desired:
    """Every NetBox object the inventory implies, by kind and natural key."""
    b = _Builder(inventory)
    for part in (_tags_and_fields, _places, _catalogue, _zones, _devices, _addressing, _circuits, _cables):
        part(b)
    return dict(b.records)


def _tags_and_fields(b: _Builder) -> None:
    b.tag(MANAGED_TAG, "muronet", "9e9e9e", "Managed by muronet sync from the source-controlled inventory")
    b.tag("zone-gateway", "zone gateway", "d32f2f", "Approved inter-zone gateway (inventory zones.yaml)")
    b.tag("management-zone", "management zone", "455a64", "The VRF of the out-of-band management zone")
    for tag in sorted({t for d in b.inventory.devices for t in d.tags}):
        b.tag(slugify(tag), tag, "9e9e9e", "")
    for name, ring in b.inventory.rings.items():
        b.tag(f"ring-{slugify(name)}", f"ring {name}", "00838f", f"{ring.name_ja} (OSPF area {ring.ospf_area})")
    for name, zone in b.inventory.zones.items():
        b.tag(f"zone-{slugify(name)}", f"zone {name}", "5d4037", f"{zone.name_ja} / {zone.name_en}")
    b.add("extras.custom-fields", {"name": "name_romaji", "label": "Name (romaji)", "type": "text",
                                    "object_types": ("dcim.site",), "description": "The site's name in romaji"})


def _places(b: _Builder) -> None:
    city = b.inventory.city
    region = b.add("dcim.regions", {"name": city.name_ja if city else "室蘭市", "slug": CITY_REGION, "parent": None,
                                    "description": city.name_en if city else ""})
    for site in b.inventory.sites:
        parent = region
        if site.district:
            parent = b.add("dcim.regions", {"name": site.district, "slug": slugify(f"{CITY_REGION}-{site.district}")
                                            if site.district.isascii() else f"district-{_district_id(site.district)}",
                                            "parent": region, "description": ""})
        group = b.add("dcim.site-groups", {"name": site.kind.value.replace("_", " "), "slug": slugify(site.kind.value),
                                           "description": ""})
        b.add("dcim.sites", {"name": site.name_ja, "slug": site.slug, "status": "active", "region": parent,
                             "group": group, "facility": str(site.facility_id), "physical_address": site.address,
                             "latitude": round(site.latitude, 6), "longitude": round(site.longitude, 6),
                             "time_zone": "Asia/Tokyo", "description": _text(site.description or site.name_romaji),
                             "custom_fields": {"name_romaji": site.name_romaji}})


def _district_id(district: str) -> str:
    """A stable ASCII slug part for a Japanese district name (its code points, hex).

    >>> _district_id("中島")
    '4e2d-5cf6'
    """
    return "-".join(f"{ord(c):x}" for c in district)


def _catalogue(b: _Builder) -> None:
    manufacturers = {t.manufacturer for t in b.inventory.device_types.values()} | {"Generic"}
    for name in sorted(manufacturers):
        b.add("dcim.manufacturers", {"name": name, "slug": slugify(name)})
    for slug, device_type in b.inventory.device_types.items():
        b.add("dcim.device-types", {"manufacturer": (slugify(device_type.manufacturer),), "model": device_type.model,
                                    "slug": slugify(slug), "u_height": 1.0})
    b.add("dcim.device-types", {"manufacturer": ("generic",), "model": "Server", "slug": SERVER_TYPE, "u_height": 1.0})
    roles = {d.role.value for d in b.inventory.devices} | {h.role for h in b.inventory.hosts}
    for role in sorted(roles):
        b.add("dcim.device-roles", {"name": role.replace("_", " "), "slug": slugify(role),
                                    "color": ROLE_COLORS.get(role, "757575"), "description": ""})
    b.add("dcim.platforms", {"name": "FRRouting", "slug": "frr", "manufacturer": ("frrouting",),
                             "description": "netmiko: linux (vtysh); NAPALM driver: napalm_frr"})
    b.add("dcim.platforms", {"name": "Cisco IOS", "slug": "cisco_ios", "manufacturer": ("cisco",),
                             "description": "netmiko: cisco_ios; NAPALM driver: ios"})
    for role in ("user", "server", "loopback", "p2p", "public_wifi", "facility_lan", "management", "external",
                 "zone_aggregate"):
        b.add("ipam.roles", {"name": role.replace("_", " "), "slug": slugify(role)})


def _zones(b: _Builder) -> None:
    for name, zone in b.inventory.zones.items():
        management = ("management-zone",) if name == b.inventory.management_zone else ()
        b.add("ipam.vrfs", {"name": zone.vrf, "description": _text(f"zone {name}: {zone.name_ja} / {zone.name_en}"),
                            "enforce_unique": True}, (f"zone-{slugify(name)}", *management))
        for aggregate in zone.aggregates:
            b.add("ipam.prefixes", {"prefix": str(aggregate), "vrf": (zone.vrf,), "status": "container",
                                    "role": ("zone-aggregate",), "scope": None, "vlan": None,
                                    "description": _text(f"zone {name} aggregate")}, (f"zone-{slugify(name)}",))


def _gateway_tags(b: _Builder, device: Device) -> tuple[str, ...]:
    return ("zone-gateway",) if b.index.gateways_of(device) else ()


def _devices(b: _Builder) -> None:
    for vlan in b.inventory.vlans:
        b.add("ipam.vlans", {"site": (vlan.site,), "vid": vlan.id, "name": vlan.name, "status": "active",
                             "description": _text(vlan.department_ja or vlan.description)},
              (f"zone-{slugify(vlan.zone)}",))
    vlans_at: dict[str, set[int]] = defaultdict(set)
    for site, vid in b.index.vlans:
        vlans_at[site].add(vid)
    for device in b.inventory.devices:
        b.add("dcim.devices", {"name": device.name, "device_type": (slugify(device.device_type),),
                               "role": (slugify(device.role.value),), "site": (device.site,),
                               "platform": (device.platform,), "status": "active",
                               "description": _text(device.description)},
              (*_gateway_tags(b, device), *(slugify(t) for t in device.tags)))
        for interface in device.interfaces:
            _interface(b, device, interface, vlans_at[device.site])
    relays = {h for g in b.inventory.zone_gateways for h in g.hosts}
    for host in b.inventory.hosts:
        b.add("dcim.devices", {"name": host.name, "device_type": (SERVER_TYPE,), "role": (slugify(host.role),),
                               "site": (host.site,), "platform": None, "status": "active",
                               "description": _text(host.description)},
              ("zone-gateway",) if host.name in relays else ())
        for n, host_interface in enumerate(host.interfaces):
            port = {"device": (host.name,), "name": f"eth{n}", "type": "1000base-t", "enabled": True,
                    "description": _text(host_interface.description), "parent": None,
                    "vrf": b.zone_vrf(host_interface.zone), "mode": None, "untagged_vlan": None, "tagged_vlans": ()}
            b.add("dcim.interfaces", port)


def _interface(b: _Builder, device: Device, interface: Interface, site_vlans: set[int]) -> None:
    def vlan(vid: int | None) -> Key | None:
        return ((device.site,), vid) if vid in site_vlans else None

    mode = {"access": "access", "trunk": "tagged"}.get(interface.mode)
    b.add("dcim.interfaces", {
        "device": (device.name,), "name": interface.name, "type": interface_type(interface),
        "enabled": not interface.shutdown, "description": _text(interface.description),
        "parent": ((device.name,), interface.parent) if interface.parent else None,
        "vrf": b.zone_vrf(interface.zone), "mode": mode,
        "untagged_vlan": vlan(interface.vlan if interface.mode == "access" else interface.native_vlan),
        "tagged_vlans": tuple(sorted(v for v in map(vlan, interface.vlans) if v)) if mode == "tagged" else ()})


def _addressing(b: _Builder) -> None:
    for prefix in b.inventory.prefixes:
        zone_vrf = b.zone_vrf(prefix.zone)
        b.add("ipam.prefixes", {"prefix": str(prefix.prefix), "vrf": zone_vrf, "status": "active",
                                "role": (slugify(prefix.role),),
                                "scope": ("dcim.site", (prefix.site,)) if prefix.site else None,
                                "vlan": ((prefix.site,), prefix.vlan) if prefix.site and prefix.vlan else None,
                                "description": _text(prefix.description)})
    for device in b.inventory.devices:
        for interface in device.interfaces:
            if interface.address is not None:
                _address(b, device.name, interface.name, interface.zone, str(interface.address), interface.description)
            if interface.vrrp is not None and interface.address is not None:  # NetBox allows shared VRRP addresses
                b.add("ipam.ip-addresses", {
                    "address": f"{interface.vrrp.vip}/{interface.address.network.prefixlen}",
                    "vrf": b.zone_vrf(interface.zone), "status": "active", "role": "vrrp",
                    "description": _text(f"VRRP group {interface.vrrp.vrid} virtual address"),
                    "assigned": ("dcim.interface", ((device.name,), interface.name))})
    for host in b.inventory.hosts:
        for n, host_interface in enumerate(host.interfaces):
            _address(b, host.name, f"eth{n}", host_interface.zone, str(host_interface.address),
                     host_interface.description)


def _address(b: _Builder, device: str, interface: str, zone: str | None, address: str, description: str) -> None:
    vrf = b.zone_vrf(zone)
    key = b.add("ipam.ip-addresses", {"address": address, "vrf": vrf, "status": "active", "role": None,
                                      "description": _text(description),
                                      "assigned": ("dcim.interface", ((device,), interface))})
    if zone == b.inventory.management_zone:
        b.add("device-primary-ips", {"name": device, "primary_ip4": key})


def _circuits(b: _Builder) -> None:
    providers = {p.slug: p for p in b.inventory.providers}
    for provider in b.inventory.providers:
        b.add("circuits.providers", {"name": provider.name_ja, "slug": provider.slug,
                                     "description": _text(provider.name_en)})
    for circuit in b.inventory.circuits:
        b.add("circuits.circuit-types", {"name": CIRCUIT_TYPES[circuit.kind], "slug": slugify(circuit.kind),
                                         "description": ""})
        far_end = b.add("circuits.provider-networks", {"name": circuit.far_end_ja, "provider": (circuit.provider,),
                                                       "description": _text(circuit.far_end_en)})
        name_en = providers[circuit.provider].name_en if circuit.provider in providers else circuit.provider
        cid = b.add("circuits.circuits", {"cid": circuit.cid, "provider": (circuit.provider,),
                                          "type": (slugify(circuit.kind),), "status": "active",
                                          "commit_rate": circuit.bandwidth_mbps * 1000,
                                          "description": _text(f"{name_en}, {circuit.bandwidth_mbps} Mb/s to "
                                                               f"{circuit.far_end_en}")})
        device, port = split_endpoint(circuit.termination)
        site = b.index.devices[device].site
        for side, termination in (("A", ("dcim.site", (site,))), ("Z", ("circuits.providernetwork", far_end))):
            b.add("circuits.circuit-terminations", {
                "circuit": cid, "term_side": side, "port_speed": circuit.bandwidth_mbps * 1000,
                "description": _text(f"{device}:{port}" if side == "A" else circuit.far_end_en),
                "termination": termination})
        b.add("dcim.cables", {
            "a_terminations": (("dcim.interface", ((device,), port)),),
            "b_terminations": (("circuits.circuittermination", (cid, "A")),),
            "type": "cat6", "status": "connected", "length": None, "length_unit": None,
            "label": circuit.cid})


def _cables(b: _Builder) -> None:
    for cable in b.inventory.cables:
        (a_dev, a_port), (b_dev, b_port) = split_endpoint(cable.a), split_endpoint(cable.b)
        b.add("dcim.cables", {
            "a_terminations": (("dcim.interface", ((a_dev,), a_port)),),
            "b_terminations": (("dcim.interface", ((b_dev,), b_port)),),
            "type": {"dac": "dac-passive"}.get(cable.kind, cable.kind), "status": "connected",
            "length": cable.length_km, "length_unit": "km" if cable.length_km is not None else None,
            "label": cable.label}, (f"ring-{slugify(cable.ring)}",) if cable.ring else ())

