"""Compare a device's routing state (NAPALM-shaped getters) with the inventory's expectations."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

from muronet.verify.expectations import Expectations


def problems(expected: Expectations, ospf: dict[str, list[dict[str, str]]], bgp: dict[str, Any],
             routes: dict[str, dict[str, list[str]]]) -> list[str]:
    """Everything the device should show and does not, one sentence each; [] when verified.

    >>> from ipaddress import IPv4Address, IPv4Network
    >>> from muronet.verify.expectations import OspfNeighbor
    >>> e = Expectations("r1", ospf=[OspfNeighbor("global", IPv4Address("10.0.0.1"), "r2:eth1")],
    ...                  routes={"global": {IPv4Network("10.9.0.0/24")}})
    >>> problems(e, {"global": [{"address": "10.0.0.1", "state": "Init/-"}]}, {}, {"global": {}})
    ['OSPF neighbour r2:eth1 (10.0.0.1) in global is Init/-, not Full', 'no route to 10.9.0.0/24 in global']
    """
    found: list[str] = []
    for neighbor in expected.ospf:
        states = [n["state"] for n in ospf.get(neighbor.vrf, []) if n["address"] == str(neighbor.address)]
        if not any(s.startswith("Full") for s in states):
            state = f"is {states[0]}, not Full" if states else "is missing"
            found.append(f"OSPF neighbour {neighbor.peer} ({neighbor.address}) in {neighbor.vrf} {state}")
    for session in expected.bgp:
        peer = bgp.get(session.vrf, {}).get("peers", {}).get(str(session.address))
        if not peer or not peer.get("is_up"):
            found.append(f"BGP session to {session.address} ({session.description}) in {session.vrf} is not up")
    for vrf, prefixes in sorted(expected.routes.items()):
        present = {ip_network(p) for p, protocols in routes.get(vrf, {}).items() if protocols}
        for prefix in sorted(prefixes - present):
            found.append(f"no route to {prefix} in {vrf}")
    return found
