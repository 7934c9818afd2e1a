"""Read a device's state through NAPALM's standard getters (and, where NAPALM has none, its
platform driver's readers), and compare it with the inventory's expectations."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import ip_network
from typing import Any

from muronet.platforms import OspfNeighbors, Platform, SwitchPort
from muronet.verify.expectations import DEFAULT_VRF, Expectations, PortExpectation

WHOLE_TABLE = "0.0.0.0/0"  # get_route_to(WHOLE_TABLE, longer=True): every IPv4 route, where supported


@dataclass
class Observed:
    """What a device shows, in the shapes of NAPALM's getters."""

    ospf: OspfNeighbors = field(default_factory=dict)
    bgp: dict[str, Any] = field(default_factory=dict)  # get_bgp_neighbors
    routes: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # VRF → prefix → active protocols
    ports: dict[str, SwitchPort] = field(default_factory=dict)


def observe(device: Any, platform: Platform, expected: Expectations) -> Observed:
    """Ask the device what ``expected`` needs, nothing more: a switch is not asked for BGP."""
    return Observed(
        ospf=platform.ospf_neighbors(device) if expected.ospf else {},
        bgp=device.get_bgp_neighbors() if expected.bgp else {},
        routes=_routes(device, {str(p) for prefixes in expected.routes.values() for p in prefixes}),
        ports=platform.switchports(device, [n for n, p in expected.ports.items() if p.secured])
        if expected.ports else {})


def _routes(device: Any, prefixes: set[str]) -> dict[str, dict[str, list[str]]]:
    """The active routes per VRF: the whole table in one ``get_route_to`` where the driver takes
    ``longer`` (FRR), else one lookup per expected prefix (NAPALM's IOS)."""
    if not prefixes:
        return {}
    try:
        found = device.get_route_to(WHOLE_TABLE, longer=True)
    except NotImplementedError:
        found = {}
        for prefix in sorted(prefixes):
            answer = device.get_route_to(prefix)
            found.update(answer if isinstance(answer, dict) else {})  # IOS answers a bad prefix in prose
    routes: dict[str, dict[str, list[str]]] = {}
    for prefix, entries in found.items():
        for entry in entries:
            vrf = entry.get("routing_table") or "default"
            protocols = routes.setdefault(DEFAULT_VRF if vrf == "default" else vrf, {}).setdefault(prefix, [])
            if (entry.get("current_active") or entry.get("last_active")) and entry["protocol"] not in protocols:
                protocols.append(entry["protocol"])
    return routes


def problems(expected: Expectations, observed: Observed) -> list[str]:
    """Everything the device should show and does not, one sentence each; [] when verified.

    >>> from ipaddress import IPv4Address, IPv4Network
    >>> from muronet.verify.expectations import OspfNeighbor
    >>> e = Expectations("r1", ospf=[OspfNeighbor("global", IPv4Address("10.0.0.1"), "r2:eth1")],
    ...                  routes={"global": {IPv4Network("10.9.0.0/24")}})
    >>> problems(e, Observed(ospf={"global": [{"address": "10.0.0.1", "state": "Init/-"}]}))
    ['OSPF neighbour r2:eth1 (10.0.0.1) in global is Init/-, not Full', 'no route to 10.9.0.0/24 in global']
    """
    found: list[str] = []
    for neighbor in expected.ospf:
        states = [n["state"] for n in observed.ospf.get(neighbor.vrf, []) if n["address"] == str(neighbor.address)]
        if not any(s.startswith("Full") for s in states):
            state = f"is {states[0]}, not Full" if states else "is missing"
            found.append(f"OSPF neighbour {neighbor.peer} ({neighbor.address}) in {neighbor.vrf} {state}")
    for session in expected.bgp:
        peer = observed.bgp.get(session.vrf, {}).get("peers", {}).get(str(session.address))
        if not peer or not peer.get("is_up"):
            found.append(f"BGP session to {session.address} ({session.description}) in {session.vrf} is not up")
    for vrf, prefixes in sorted(expected.routes.items()):
        present = {ip_network(p) for p, protocols in observed.routes.get(vrf, {}).items() if protocols}
        for prefix in sorted(prefixes - present):
            found.append(f"no route to {prefix} in {vrf}")
    for name, wanted in expected.ports.items():
        found += _port_problems(name, wanted, observed.ports.get(name))
    return found + _foreign_zones(expected, observed)


def _foreign_zones(expected: Expectations, observed: Observed) -> list[str]:
    """Ports that carry a VLAN of a zone the switch is not approved for (a separation breach, said
    as such besides the port's own difference).

    >>> e = Expectations("sw1", vlan_zones={106: "MYNUMBER", 306: "INTERNET"}, zones=frozenset({"INTERNET"}))
    >>> _foreign_zones(e, Observed(ports={"Gi1/0/1": SwitchPort("access", access_vlan=106)}))
    ['Gi1/0/1 carries VLAN 106 of zone MYNUMBER, a zone sw1 is not approved for']
    """
    found = []
    for name, port in sorted(observed.ports.items()):
        if port.shutdown:
            continue
        carried = {port.access_vlan} if port.mode == "access" else (
            set(expected.vlan_zones) if port.trunk_vlans is None else set(port.trunk_vlans))
        for vlan in sorted(v for v in carried if v in expected.vlan_zones):
            if expected.vlan_zones[vlan] not in expected.zones:
                found.append(f"{name} carries VLAN {vlan} of zone {expected.vlan_zones[vlan]}, a zone "
                             f"{expected.device} is not approved for")
    return found


def _port_problems(name: str, wanted: PortExpectation, port: SwitchPort | None) -> list[str]:
    """How a switch port differs from the inventory's port.

    >>> _port_problems("Gi1/0/1", PortExpectation("access", 106, secured=True),
    ...                SwitchPort("access", access_vlan=1, port_security=False))
    ['Gi1/0/1 is in VLAN 1, not 106', 'Gi1/0/1 has port security off']
    >>> _port_problems("Te1/1/1", PortExpectation("trunk", 998, frozenset({106, 206})),
    ...                SwitchPort("trunk", native_vlan=998, trunk_vlans=frozenset({106, 206, 306}), trunking=True))
    ['Te1/1/1 carries VLANs 106,206,306, not 106,206']
    """
    if port is None:
        return [f"{name} is not a switch port on the device"]
    if port.mode != wanted.mode:
        return [f"{name} is in {port.mode or 'no'} mode, not {wanted.mode}"]
    found = []
    if port.shutdown != wanted.shutdown:
        found.append(f"{name} is {'shut down' if port.shutdown else 'enabled'}, the inventory has it "
                     f"{'shut down' if wanted.shutdown else 'enabled'}")
    if wanted.mode == "access" and port.access_vlan != wanted.vlan:
        found.append(f"{name} is in {f'VLAN {port.access_vlan}' if port.access_vlan else 'no active VLAN'}, "
                     f"not {wanted.vlan}")
    if wanted.mode == "trunk":
        if port.native_vlan != wanted.vlan:
            found.append(f"{name} has native VLAN {port.native_vlan}, not {wanted.vlan}")
        if not port.trunking:
            found.append(f"{name} is not trunking (link down or not negotiated)")
        elif port.trunk_vlans != wanted.vlans:
            shown = "all VLANs" if port.trunk_vlans is None else f"VLANs {_listed(port.trunk_vlans)}"
            found.append(f"{name} carries {shown}, not {_listed(wanted.vlans)}")
    if wanted.secured and port.port_security is False:
        found.append(f"{name} has port security off")
    return found


def _listed(vlans: frozenset[int]) -> str:
    return ",".join(str(v) for v in sorted(vlans)) or "none"
