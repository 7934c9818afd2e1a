"""The security policy's zone separation, read from the routing model: tables that hold another
zone's prefixes, flows between zones that the model lets through, flows within a zone it cannot
carry, and what a change does to every table (routes that appear, vanish or move).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

from muronet.analysis.finding import Finding
from muronet.analysis.forwarding import Reach
from muronet.analysis.routes import Route
from muronet.analysis.routing import RoutingModel
from muronet.inventory.index import InventoryIndex
from muronet.lab.verify import Endpoint, allowed_prefixes
from muronet.policy.context import DeviceAudit


def foreign_routes(index: InventoryIndex, audits: dict[str, DeviceAudit], model: RoutingModel
                   ) -> list[tuple[str, str, str, Route]]:
    """(router, table, zone, route) of every route outside the zone of its table, as ``lab verify``
    checks the twin's tables."""
    allowed = allowed_prefixes(index)
    inside: dict[tuple[IPv4Network, str], bool] = {}
    outside: dict[tuple[int, str], set[IPv4Network]] = {}  # per key group (shared by many tables) and zone

    def within(prefix: IPv4Network, zone: str) -> bool:
        if (prefix, zone) not in inside:
            inside[(prefix, zone)] = any(prefix.subnet_of(a) for a in allowed[zone] if a.version == prefix.version)
        return inside[(prefix, zone)]

    def foreign(group: dict[Any, Any], zone: str) -> set[IPv4Network]:
        key = (id(group), zone)
        if key not in outside:
            outside[key] = {p for p in group if isinstance(p, IPv4Network) and not within(p, zone)}
        return outside[key]

    found = []
    for (router, table), rib in sorted(model.tables.items()):
        audit = audits.get(router)
        zone = audit.vrf_zone(None if table == "default" else table) if audit is not None else None
        if zone is None or zone not in allowed:
            continue
        groups = [rib.own, *(rib.link_state.prefixes(rib.node) if rib.link_state is not None else ())]
        for prefix in sorted(set().union(*(foreign(group, zone) for group in groups))):
            route = rib.get(prefix)
            if route is not None:
                found.append((router, table, zone, route))
    return found


def table_lines(found: list[tuple[str, str, str, Route]]) -> list[str]:
    """The routing-table violations in ``lab verify``'s words."""
    return [f"{router}: table {table} (zone {zone}) holds {route.prefix} ({route.protocol})"
            for router, table, zone, route in found]


def zone_findings(found: list[tuple[str, str, str, Route]], probes: list[Reach], critical: set[str]) -> list[Finding]:
    """Findings of the zone separation; a flow to one of the namespaces ``critical`` (the LGWAN
    access point) that cannot be reached is critical."""
    findings = [Finding("zone-route", "critical", router, _line(route, router),
                        f"table {table} (zone {zone}) holds {route}") for router, table, zone, route in found]
    by_pair: dict[tuple[str, str, bool, bool], list[Reach]] = {}
    for result in probes:
        if result.violation:
            key = (result.probe.source.zone, result.probe.target.zone, not result.probe.allowed,
                   result.probe.target.namespace in critical)
            by_pair.setdefault(key, []).append(result)
    for (source, target, opened, vital), results in sorted(by_pair.items()):
        first = next((r for r in results if r.reached), results[0]) if opened else results[0]  # a round trip says most
        example = f"{_named(first.probe.source)} → {_named(first.probe.target)}"
        if opened:
            cause = first.origins[0] if first.origins else None
            through = "; ".join(str(o) for o in first.origins) or "connected routes only"
            how = "open" if first.reached else \
                "open one way (packets arrive, no reply returns: UDP, or data sent before any reply)"
            findings.append(Finding("zone-flow", "critical", cause.device if cause else first.probe.source.label,
                                    cause.line if cause else None,
                                    f"{source} → {target} is {how}, which the policy forbids: {example}, "
                                    f"through {through}"))
        else:
            findings.append(Finding("zone-flow-lost", "critical" if vital else "high", first.stopped_at or "?", None,
                                    f"{source} → {target} cannot be reached within the zone: {example}: "
                                    f"{first.reason}"))
    return findings


def _named(endpoint: Endpoint) -> str:
    return endpoint.label if str(endpoint.address) in endpoint.label else f"{endpoint.label} {endpoint.address}"


def _line(route: Route, router: str) -> int | None:
    return route.origin.line if route.origin is not None and route.origin.device == router else None


@dataclass(frozen=True)
class RouteChange:
    router: str
    table: str
    prefix: IPv4Network
    change: str  # appears, vanishes, moves
    before: Route | None
    after: Route | None

    def __str__(self) -> str:
        if self.change == "appears":
            return f"{self.router} ({self.table}): + {self.after}"
        if self.change == "vanishes":
            return f"{self.router} ({self.table}): − {self.before}"
        return f"{self.router} ({self.table}): {self.before} → now {self.after}"


def route_changes(before: RoutingModel, after: RoutingModel) -> list[RouteChange]:
    """Every route a change adds, removes, or sends another way (protocol or next hops)."""
    changes = []
    for node in sorted(set(before.tables) | set(after.tables)):
        was, now = before.table(*node), after.table(*node)
        for prefix in sorted(was.keys() | now.keys()):
            a, b = was.get(prefix), now.get(prefix)
            if (a is None and b is None) or (a is not None and b is not None and a.comparable() == b.comparable()):
                continue  # (a key of the link state that reaches neither table)
            change = "appears" if a is None else "vanishes" if b is None else "moves"
            changes.append(RouteChange(node[0], node[1], prefix, change, a, b))
    return changes
