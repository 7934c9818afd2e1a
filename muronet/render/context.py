"""Per-device render context: everything a template needs, as plain data.

Templates only loop and print; every decision (which VRFs, which OSPF processes, which peer is on
the other end, which filters) is made here, once, in Python. Plain data also lets Ansible's
``template`` module render the same templates from the same context (see ``playbooks/``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from ipaddress import IPv4Network
from typing import Any

from netutils.vlan import vlanlist_to_config

from muronet.inventory.index import InventoryIndex
from muronet.inventory.model import Device, Interface, InterfaceRole
from muronet.inventory.secrets import SecretSource
from muronet.inventory.separation import INTERNET, MODELS
from muronet.platforms import Platform, get_platform
from muronet.render import filters

# Roles whose interfaces face other organisations or user ports: the policy's "boundary".
BOUNDARY_ROLES = {InterfaceRole.LGWAN_ACCESS_LINE, InterfaceRole.INTERNET_EXIT, InterfaceRole.GOVERNMENT_CLOUD_LINE}
CIRCUIT_TAGS = {"lgwan_access": "LGWAN-AP", "security_cloud": "SEC-CLOUD", "government_cloud": "GOV-CLOUD"}
SECONDARY_PREPEND = 2  # times the city's AS is prepended to what the secondary line announces
# OSPF metrics of the routes redistributed from BGP: the primary line's lower, so the city's routers
# send the traffic to it while it is up (FRR's default for redistributed routes is 20)
REDISTRIBUTE_METRIC = {"primary": 10, "secondary": 100}
_NATURAL = re.compile(r"(\d+)")
# Loopback first, then ports in natural order (sub-interfaces after their parent), then SVIs,
# then the management port: the order an engineer expects to read.
_KIND_ORDER = {InterfaceRole.LOOPBACK: 0, InterfaceRole.MANAGEMENT: 3}

POINT_TO_POINT = 30  # a /30 or /31 link: OSPF runs it point-to-point (no DR election)


def _interface_sort_key(interface: Interface) -> tuple[Any, ...]:
    kind = _KIND_ORDER.get(interface.role, 2 if interface.name.startswith("vlan") else 1)  # type: ignore[arg-type]
    return (kind, [int(p) if p.isdigit() else p for p in _NATURAL.split(interface.name)])


class ContextBuilder:
    """Builds contexts for the devices of one inventory; city-wide parts are computed once."""

    def __init__(self, index: InventoryIndex, secrets: SecretSource) -> None:
        self.index = index
        self.inventory = index.inventory
        city = self.inventory.city
        assert city is not None, "render a validated inventory"
        self.city = city
        self.secrets = {name: secrets.get(name) for name in sorted(city.secrets)}
        model = MODELS[city.separation_model]
        self.authenticated_zones = {INTERNET} if model.authenticated_internet_terminals else set()
        zone_order = {name: n + 1 for n, name in enumerate(self.inventory.zones)}
        self.rd = {zone.vrf: f"{city.asn}:{zone_order[name]}" for name, zone in self.inventory.zones.items()}
        self.city_context = self._city_context()
        self.copp_management = filters.copp_management_acl(index)
        self._sites: dict[str, dict[str, Any]] = {}

    def _services(self) -> dict[str, list[str]]:
        services = self.city.services.model_dump()
        mgmt = self.inventory.management_zone
        return {kind: [str(a) for h in hosts for a in self.index.host_addresses(h, mgmt)]
                for kind, hosts in services.items()}

    def _city_context(self) -> dict[str, Any]:
        city = self.city
        return {
            "city": {"name_ja": city.name_ja, "name_en": city.name_en, "domain": city.domain,
                     "asn": city.asn, "timezone": city.timezone, "utc_offset": 9},
            "banner_lines": city.banner.strip().splitlines(),
            "services": self._services(),
            "limits": city.limits.model_dump(),
            "ospf_timers": {"hello": city.ospf.hello_interval, "dead": city.ospf.dead_interval,
                            "reference_bandwidth": city.ospf.reference_bandwidth_mbps},
            "management_acls": filters.management_acls(self.index),
            "parking_vlan": city.parking_vlan,
            "native_vlan": city.native_vlan,
            "secrets": self.secrets,
            "mgmt_vrf": self.inventory.zones[self.inventory.management_zone].vrf,  # type: ignore[index]
        }

    # --- per device ----------------------------------------------------------------------------

    def build(self, device: Device) -> dict[str, Any]:
        platform = get_platform(device.platform)
        site = self._site(device.site)
        interfaces = sorted(device.interfaces, key=_interface_sort_key)
        mgmt = device.management
        context: dict[str, Any] = dict(self.city_context)
        context.update({
            "hostname": device.name,
            "role": str(device.role),
            "platform": device.platform,
            "description": device.description,
            "site": site,
            "router_id": str(device.router_id or mgmt.address.ip),  # type: ignore[union-attr]
            "mgmt": {"interface": platform.interface_name(mgmt.name), "ip": str(mgmt.address.ip),  # type: ignore[union-attr]
                     "vrf": self.index.interface_vrf(device, mgmt)},
            "vrfs": self._vrfs(device),
            "interfaces": [self._interface(platform, device, i) for i in interfaces],
            "vlans": self._vlans(device),
            "unused_ports": self.index.unused_ports(device),
            "ospf": self._ospf(platform, device, interfaces),
            "bgp": self._bgp(device),
            "copp_acls": filters.copp_acls(self.copp_management, device),
        })
        context["boundary_acls"] = [i["acl_in"] for i in context["interfaces"] if i["acl_in"]]
        return context

    def _site(self, slug: str) -> dict[str, Any]:
        if slug not in self._sites:
            site = self.index.sites[slug]
            self._sites[slug] = {"slug": site.slug, "name_ja": site.name_ja, "name_romaji": site.name_romaji,
                                 "kind": str(site.kind), "address": site.address, "facility_id": site.facility_id}
        return self._sites[slug]

    def _vrfs(self, device: Device) -> list[dict[str, str]]:
        vrfs = {self.index.interface_vrf(device, i): i.zone for i in device.interfaces
                if i.zone and i.address is not None}
        return [{"name": vrf, "zone": zone, "rd": self.rd.get(vrf, "")}
                for vrf, zone in sorted(vrfs.items(), key=lambda kv: str(kv[0])) if vrf]

    def _interface(self, platform: Platform, device: Device, interface: Interface) -> dict[str, Any]:
        peer = self.index.peer_of(device.name, interface)
        description = interface.description
        if peer is not None:
            cable = peer.cable
            length = f"{cable.length_km} km" if cable.length_km else ""
            details = (f"{peer.peer[0]}:{peer.peer[1]}", cable.label or "", length)  # a label is shown as written
            description += f" [{' '.join(part for part in details if part)}]"
        address = interface.address
        acl = (filters.boundary_acl(self.index, device, interface)
               if interface.role in BOUNDARY_ROLES else None)
        return {
            "name": platform.interface_name(interface.name),
            "description": description.strip(),
            "role": str(interface.role) if interface.role else "",
            "zone": interface.zone or "",
            "vrf": self.index.interface_vrf(device, interface),
            "mode": interface.mode,
            "shutdown": interface.shutdown,
            "address": str(address) if address else None,
            "ip": str(address.ip) if address else None,
            "netmask": str(address.netmask) if address else None,
            "prefixlen": address.network.prefixlen if address else None,
            "vlan": interface.vlan,
            "vlans_text": ",".join(vlanlist_to_config(sorted(interface.vlans))) if interface.vlans else "",
            "native_vlan": interface.native_vlan,
            "dot1q": interface.dot1q,
            "ospf": self._interface_ospf(interface),
            "vrrp": interface.vrrp.model_dump(mode="json") if interface.vrrp else None,
            "acl_in": acl,
            "loopback": interface.role == InterfaceRole.LOOPBACK,
            "bfd": any(n.bfd for n in (device.bgp.neighbors if device.bgp else [])
                       if interface.circuit is not None and n.circuit == interface.circuit),
            # β/β′ authenticate the terminals the model moved to the INTERNET zone (SEC-ZONE-015)
            "dot1x": interface.mode == "access" and interface.zone in self.authenticated_zones,
        }

    def _interface_ospf(self, interface: Interface) -> dict[str, Any] | None:
        ospf = interface.ospf
        if ospf is None or interface.address is None or interface.zone is None:
            return None
        return {"process": self.city.ospf.process_ids.get(interface.zone), "area": ospf.area,
                "passive": ospf.passive or interface.role == InterfaceRole.LOOPBACK,
                "point_to_point": interface.address.network.prefixlen >= POINT_TO_POINT, "cost": ospf.cost}

    def _vlans(self, device: Device) -> list[dict[str, Any]]:
        ids = {i.vlan for i in device.interfaces if i.vlan} | {v for i in device.interfaces for v in i.vlans}
        vlans = [self.index.vlans[(device.site, v)] for v in sorted(ids) if (device.site, v) in self.index.vlans]
        return [{"id": v.id, "name": v.name, "zone": v.zone} for v in vlans]

    def _ospf(self, platform: Platform, device: Device, interfaces: list[Interface]) -> list[dict[str, Any]]:
        by_zone: dict[str, list[Interface]] = defaultdict(list)
        for interface in interfaces:
            if interface.ospf is not None and interface.zone and interface.address is not None:
                by_zone[interface.zone].append(interface)
        processes = []
        for zone in sorted(by_zone, key=lambda z: self.city.ospf.process_ids.get(z, 0)):
            members = by_zone[zone]
            vrf = self.index.interface_vrf(device, members[0])
            router_id = str(device.router_id) if vrf is None and device.router_id else \
                str(min(i.address.ip for i in members))  # type: ignore[union-attr]
            processes.append({
                "id": self.city.ospf.process_ids.get(zone), "zone": zone, "vrf": vrf, "router_id": router_id,
                "active": [platform.interface_name(i.name) for i in members
                           if not (i.ospf.passive or i.role == InterfaceRole.LOOPBACK)],  # type: ignore[union-attr]
                "redistribute_bgp": self._redistributes(device, zone),
                "redistribute_metric": self._redistribute_metric(device, zone),
                "default_originate": any(n.accept_default for n in self._neighbors(device, zone)),
            })
        return processes

    def _neighbors(self, device: Device, zone: str) -> list[Any]:
        return [n for n in (device.bgp.neighbors if device.bgp else []) if n.zone == zone]

    def _redistribute_metric(self, device: Device, zone: str) -> int | None:
        """The metric of the BGP routes redistributed into ``zone``'s OSPF, when the device ends one
        of two redundant lines (None: the platform's default)."""
        cids = {n.circuit for n in self._neighbors(device, zone)}
        kinds = {c.redundancy for c in self.inventory.circuits if c.cid in cids and c.redundancy}
        return REDISTRIBUTE_METRIC[min(kinds)] if kinds else None  # "primary" < "secondary"

    def _redistributes(self, device: Device, zone: str) -> bool:
        return bool(device.bgp and device.bgp.redistribute_into_ospf
                    and any(n.import_prefixes for n in self._neighbors(device, zone)))

    def _bgp(self, device: Device) -> dict[str, Any] | None:
        if device.bgp is None:
            return None
        neighbors, prefix_lists, networks = [], [], set[tuple[IPv4Network, str]]()
        for n, neighbor in enumerate(device.bgp.neighbors):
            circuit = next((c for c in self.inventory.circuits if c.cid == neighbor.circuit), None)
            tag = CIRCUIT_TAGS.get(circuit.kind if circuit else "", f"PEER{n + 1}")
            # the Government Cloud's prefixes exactly; a line's other far ends may announce their
            # ranges in longer pieces
            longer = None if circuit is not None and circuit.kind == "government_cloud" else 32
            imports = [_prefix_entry(p, le=longer) for p in neighbor.import_prefixes]
            if neighbor.accept_default:
                imports.append(_prefix_entry(IPv4Network("0.0.0.0/0")))
            exports = [_prefix_entry(p) for p in neighbor.export_prefixes]
            prefix_lists += [{"name": f"PL-{tag}-IN", "entries": imports},
                             {"name": f"PL-{tag}-OUT", "entries": exports}]
            networks.update((p, neighbor.zone) for p in neighbor.export_prefixes)
            neighbors.append({
                "address": str(neighbor.address), "remote_as": neighbor.remote_as,
                "description": neighbor.description, "password": self.secrets.get(neighbor.password_secret, ""),
                "max_prefixes": neighbor.max_prefixes, "tag": tag, "bfd": neighbor.bfd,
                "route_map_in": f"RM-{tag}-IN", "route_map_out": f"RM-{tag}-OUT",
                "prefix_list_in": f"PL-{tag}-IN", "prefix_list_out": f"PL-{tag}-OUT",
                "has_imports": bool(neighbor.import_prefixes),
                # the secondary of two lines: its announcements longer, so the far end prefers the primary
                "prepend": [self.city.asn] * SECONDARY_PREPEND if circuit and circuit.redundancy == "secondary" else [],
            })
        return {
            "asn": self.city.asn,
            "router_id": str(device.router_id or device.management.address.ip),  # type: ignore[union-attr]
            "neighbors": neighbors,
            "prefix_lists": prefix_lists,
            "networks": [_network(p, anchored=not self._routed_in(p, zone)) for p, zone in sorted(networks)],
            "redistribute_prefix_lists": [n["prefix_list_in"] for n in neighbors if n["has_imports"]],
        }

    def _routed_in(self, prefix: IPv4Network, zone: str) -> bool:
        """Whether ``prefix`` is a subnet the city routes in ``zone`` (a LAN, a link): announced as
        it is, its own route carries its traffic. Anything else announced (an aggregate) is anchored
        by a blackhole route, which a longer route of the zone overrides."""
        return any(i.address is not None and i.zone == zone and i.address.network == prefix
                   for device in self.inventory.devices for i in device.interfaces)


def _prefix_entry(prefix: IPv4Network, le: int | None = None) -> dict[str, Any]:
    return {"prefix": str(prefix), "le": le if le and le > prefix.prefixlen else None}


def _network(prefix: IPv4Network, anchored: bool = True) -> dict[str, Any]:
    return {"prefix": str(prefix), "address": str(prefix.network_address), "netmask": str(prefix.netmask),
            "anchored": anchored}
