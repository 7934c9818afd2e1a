"""SEC-ZONE: the three-layer separation in routing configuration, with the inventory's zone map."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policy.context import DeviceAudit
from policy.registry import Violation, check

CLOSED_ZONES = ("LGWAN", "MYNUMBER")  # no default route to the internet (the LGWAN line brings LGWAN only)
_DEFAULT = re.compile(r"^ip route (vrf (?P<vrf>\S+) )?(0\.0\.0\.0/0|0\.0\.0\.0 0\.0\.0\.0)\b")


def _static_routes(audit: DeviceAudit) -> Iterator[tuple[str | None, str, int | None]]:
    """(VRF or None, route line, line number) of every static route, FRR and IOS forms."""
    for child in audit.tree.children:
        if child.text.startswith("ip route "):
            vrf = re.match(r"ip route vrf (\S+) ", child.text)
            tail = re.search(r" vrf (\S+)$", child.text)  # FRR: "ip route P NH vrf V"
            name = vrf.group(1) if vrf else (tail.group(1) if tail else None)
            yield name, child.text, audit.line_of(child)
        elif child.text.startswith("vrf "):  # FRR: routes inside a vrf block
            for route in child.get_children(startswith="ip route "):
                yield child.text.split()[1], route.text, audit.line_of(route)


def _routing_processes(audit: DeviceAudit) -> Iterator[tuple[str | None, object]]:
    """(VRF or None, process) of every OSPF and BGP process (FRR ``router ospf vrf X``, IOS
    ``router ospf N vrf X``, BGP ``address-family ipv4 vrf X``)."""
    for process in audit.tree.get_children(re_search=r"^router (ospf|bgp)"):
        vrf = re.search(r" vrf (\S+)", process.text)
        yield (vrf.group(1) if vrf else None), process
        for family in process.get_children(re_search=r"^address-family ipv4 vrf "):
            yield family.text.split()[-1], family


@check("SEC-ZONE-003", "frr", "cisco_ios", zones=True)
def no_default_route_in_closed_zones(audit: DeviceAudit) -> Iterator[Violation]:
    for vrf, text, line in _static_routes(audit):
        zone = audit.vrf_zone(vrf)
        if zone in CLOSED_ZONES and _DEFAULT.match(text):
            yield Violation(f"default route in zone {zone} ({vrf or 'global table'}): {text}", line)
    for vrf, process in _routing_processes(audit):
        zone = audit.vrf_zone(vrf)
        if zone not in CLOSED_ZONES:
            continue
        for child in process.all_children():  # type: ignore[attr-defined]
            if "default-information originate" in child.text or child.text.endswith(" default-originate"):
                yield Violation(f"default route originated in zone {zone}: {child.text}", audit.line_of(child))


@check("SEC-ZONE-004", "frr", "cisco_ios", zones=True)
def no_leak_between_zones(audit: DeviceAudit) -> Iterator[Violation]:
    for vrf, process in _routing_processes(audit):
        for child in process.all_children():  # type: ignore[attr-defined]
            other = re.match(r"import vrf (\S+)$", child.text)
            if other and other.group(1) != "route-map":
                source, target = audit.vrf_zone(other.group(1)), audit.vrf_zone(vrf)
                if source != target:
                    yield Violation(f"routes of zone {source} imported into zone {target}: {child.text}",
                                    audit.line_of(child))
    for vrf, text, line in _static_routes(audit):
        other = re.search(r"nexthop-vrf (\S+)", text)
        if other and audit.vrf_zone(other.group(1)) != audit.vrf_zone(vrf):
            yield Violation(f"static route from zone {audit.vrf_zone(vrf)} into zone "
                            f"{audit.vrf_zone(other.group(1))}: {text}", line)
        if vrf and re.search(r"\bglobal\b", text):
            yield Violation(f"static route from VRF {vrf} into the global table: {text}", line)
    for definition in audit.tree.get_children(re_search=r"^(vrf definition|ip vrf) "):
        for child in definition.all_children():
            if child.text.startswith(("route-target import", "import ipv4 unicast map", "route-replicate")):
                yield Violation(f"VRF {definition.text.split()[-1]} imports routes: {child.text}",
                                audit.line_of(child))


@check("SEC-ZONE-012", "frr", "cisco_ios")
def no_separation_bypass(audit: DeviceAudit) -> Iterator[Violation]:
    for interface in audit.tree.get_children(re_search=r"^interface (Tunnel|gre|tun|ipip)"):
        yield Violation(f"tunnel interface: {interface.text}", audit.line_of(interface))
    for route_map in audit.tree.get_children(startswith="route-map "):
        for child in route_map.children:
            if re.match(r"set (vrf|global)\b", child.text):
                yield Violation(f"policy routing into another routing table: {route_map.text} / {child.text}",
                                audit.line_of(child))
    for interface in audit.tree.get_children(startswith="interface "):
        for child in interface.get_children(startswith="bridge-group"):
            yield Violation(f"bridging on {interface.text}: {child.text}", audit.line_of(child))
