"""Route policies as the routing model applies them: route-maps, prefix-lists and the access-lists a
route-map matches, FRR and Cisco IOS alike.

A route-map's entries are tried in sequence order; the first whose every ``match`` holds decides
(``permit``: the route passes, with its ``set metric``; ``deny``: it is dropped); no entry
matching drops it. A route-map or prefix-list that is named but not defined matches nothing, as on
both platforms. Matches the model does not read (communities, AS paths, tags…) are taken to hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from ipaddress import IPv4Network

from muronet.analysis.filters import acl_entries
from muronet.policy.context import DeviceAudit

_PREFIX_ENTRY = re.compile(r"ip prefix-list (\S+)(?: seq (\d+))? (permit|deny) (\S+)(.*)$")
_ROUTE_MAP = re.compile(r"route-map (\S+) (permit|deny) (\d+)$")
_BOUND = re.compile(r"\b(ge|le) (\d+)")


@dataclass(frozen=True)
class PrefixEntry:
    action: str
    prefix: IPv4Network
    ge: int | None
    le: int | None

    def matches(self, route: IPv4Network) -> bool:
        """
        >>> PrefixEntry("permit", IPv4Network("10.224.0.0/20"), None, 32).matches(IPv4Network("10.224.1.0/24"))
        True
        >>> PrefixEntry("permit", IPv4Network("10.224.0.0/20"), None, None).matches(IPv4Network("10.224.1.0/24"))
        False
        """
        if not route.subnet_of(self.prefix):
            return False
        if self.ge is None and self.le is None:
            return route.prefixlen == self.prefix.prefixlen
        low = self.ge if self.ge is not None else self.prefix.prefixlen
        return low <= route.prefixlen <= (self.le if self.le is not None else 32)


@dataclass(frozen=True)
class MapEntry:
    action: str
    sequence: int
    prefix_lists: tuple[str, ...]
    acls: tuple[str, ...]
    metric: int | None  # ``set metric N``
    line: int | None


@dataclass
class Policies:
    """One device's route-maps, prefix-lists and access-lists."""

    prefix_lists: dict[str, list[PrefixEntry]] = field(default_factory=dict)
    route_maps: dict[str, list[MapEntry]] = field(default_factory=dict)
    acls: dict[str, list] = field(default_factory=dict)

    @classmethod
    def of(cls, audit: DeviceAudit) -> Policies:
        policies = cls(acls=acl_entries(audit))
        numbered: dict[str, list[tuple[int, PrefixEntry]]] = {}
        for child in audit.top("ip prefix-list "):
            found = _PREFIX_ENTRY.match(child.text)
            if not found:
                continue
            try:
                prefix = IPv4Network(found.group(4), strict=False)
            except ValueError:
                continue
            bounds = dict((k, int(v)) for k, v in _BOUND.findall(found.group(5)))
            entries = numbered.setdefault(found.group(1), [])
            sequence = int(found.group(2)) if found.group(2) else (entries[-1][0] + 5 if entries else 5)
            entries.append((sequence, PrefixEntry(found.group(3), prefix, bounds.get("ge"), bounds.get("le"))))
        policies.prefix_lists = {name: [e for _, e in sorted(entries, key=lambda s: s[0])]
                                 for name, entries in numbered.items()}
        for node in audit.top("route-map "):
            found = _ROUTE_MAP.match(node.text)
            if found:
                policies.route_maps.setdefault(found.group(1), []).append(_map_entry(audit, node, found))
        for entries in policies.route_maps.values():
            entries.sort(key=lambda e: e.sequence)
        return policies

    def prefix_list_permits(self, name: str, route: IPv4Network) -> bool:
        entry = next((e for e in self.prefix_lists.get(name, ()) if e.matches(route)), None)
        return entry is not None and entry.action == "permit"

    def acl_permits(self, name: str, route: IPv4Network) -> bool:
        """A route against an access-list: its network inside the line's source (``exact-match``: equal)."""
        for entry in self.acls.get(name, ()):
            if route.subnet_of(entry.source) and (not entry.exact or route == entry.source):
                return entry.action == "permit"
        return False

    def route_map(self, name: str, route: IPv4Network) -> tuple[bool, int | None]:
        """(passes, metric it sets) for ``route`` through route-map ``name``."""
        for entry in self.route_maps.get(name, ()):
            if all(self.prefix_list_permits(p, route) for p in entry.prefix_lists) and \
                    all(self.acl_permits(a, route) for a in entry.acls):
                return entry.action == "permit", entry.metric
        return False, None


def _map_entry(audit: DeviceAudit, node, found: re.Match[str]) -> MapEntry:
    prefix_lists, acls, metric = [], [], None
    for child in node.children:
        words = child.text.split()
        if words[:4] == ["match", "ip", "address", "prefix-list"] and len(words) == 5:
            prefix_lists.append(words[4])
        elif words[:3] == ["match", "ip", "address"] and len(words) == 4:
            acls.append(words[3])
        elif words[:2] == ["set", "metric"] and len(words) == 3 and words[2].isdigit():
            metric = int(words[2])
    return MapEntry(found.group(2), int(found.group(3)), tuple(prefix_lists), tuple(acls), metric,
                    audit.line_of(node))
