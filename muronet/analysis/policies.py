"""Route policies as the routing model applies them: route-maps, prefix-lists and the access-lists a
route-map matches, FRR and Cisco IOS alike.

A route-map's entries are tried in sequence order; the first whose every ``match`` holds decides
(``permit``: the route passes, with what its ``set`` lines change; ``deny``: it is dropped); no
entry matching drops it. A route-map, prefix-list, community list or AS-path list that is named but
not defined matches nothing, as on both platforms. Read: ``match ip address`` (prefix-list or
access-list), ``match community`` (standard and expanded lists, ``exact-match``), ``match as-path``;
``set metric`` (a value, or ``+N``/``-N`` from the route's), ``set local-preference``, ``set
weight``, ``set as-path prepend`` (ASes, or ``last-as N``), ``set community`` (``additive``,
``none``), ``set comm-list NAME delete``, ``set origin``, ``set ip next-hop`` (an address or
``peer-address``). Matches the model does not read (tags, interfaces…) are taken to hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Network

from muronet.analysis.filters import acl_entries
from muronet.platforms import get_platform
from muronet.policy.acl import Entry
from muronet.policy.context import ConfigNode, DeviceAudit

_PREFIX_ENTRY = re.compile(r"ip prefix-list (\S+)(?: seq (\d+))? (permit|deny) (\S+)(.*)$")
_ROUTE_MAP = re.compile(r"route-map (\S+) (permit|deny) (\d+)$")
_BOUND = re.compile(r"\b(ge|le) (\d+)")
# IOS ``ip community-list [standard|expanded] NAME permit|deny …`` (numbered: 1-99 standard, 100-500
# expanded); FRR ``bgp community-list [standard|expanded] NAME [seq N] permit|deny …``.
_COMMUNITY_LIST = re.compile(r"(?:ip|bgp) community-list (?:(standard|expanded) )?(\S+)(?: seq \d+)? "
                             r"(permit|deny) (.+)$")
_AS_PATH_LIST = re.compile(r"(?:ip|bgp) as-path access-list (\S+)(?: seq \d+)? (permit|deny) (.+)$")
ORIGINS = ("igp", "egp", "incomplete")  # best first

FIRST_EXPANDED_NUMBER = 100  # a numbered community list from 100 on is expanded (IOS: 1–99 standard)


@dataclass(frozen=True)
class Attributes:
    """A BGP route as a route-map sees and changes it (a redistributed or filtered prefix: the defaults)."""

    prefix: IPv4Network
    local_preference: int = 100
    metric: int | None = None  # MED; None: not set
    weight: int = 0
    as_path: tuple[str, ...] = ()
    communities: frozenset[str] = frozenset()
    origin: str = "igp"
    next_hop: str | None = None  # ``set ip next-hop``: an address, or "peer-address"; None: as BGP sets it


def cisco_regex(text: str) -> re.Pattern[str]:
    """A Cisco/FRR AS-path or community regular expression as Python's: ``_`` is a boundary.

    >>> bool(cisco_regex("_2:").search("1:2 2:5")), bool(cisco_regex("_2:").search("1:2 12:5"))
    (True, False)
    """
    return re.compile(text.replace("_", r"(?:^|$|[ ,{}()])"))


@dataclass(frozen=True)
class ListEntry:
    """One line of a community list or an AS-path list."""

    action: str
    expanded: bool
    values: tuple[str, ...]  # standard community list: every community the line names
    pattern: re.Pattern[str] | None  # expanded list, AS-path list

    def matches(self, text: str, members: frozenset[str]) -> bool:
        if self.pattern is not None:
            return self.pattern.search(text) is not None
        return set(self.values) <= members


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
    communities: tuple[tuple[str, bool], ...]  # (community list, exact-match)
    as_paths: tuple[str, ...]
    sets: tuple[tuple[str, ...], ...]  # the words of each ``set`` line after ``set``
    line: int | None

    @property
    def metric(self) -> int | None:
        """``set metric N``."""
        for words in self.sets:
            match words:
                case ("metric", value) if value.isdigit():
                    return int(value)
        return None


@dataclass
class Policies:
    """One device's route-maps, prefix-lists and access-lists."""

    prefix_lists: dict[str, list[PrefixEntry]] = field(default_factory=dict)
    route_maps: dict[str, list[MapEntry]] = field(default_factory=dict)
    acls: dict[str, list[Entry]] = field(default_factory=dict)
    community_lists: dict[str, list[ListEntry]] = field(default_factory=dict)
    as_path_lists: dict[str, list[ListEntry]] = field(default_factory=dict)
    # IOS matches a route against an access-list by its network address (a standard list's source)
    # and, in an extended list, its mask (the destination); FRR by the whole prefix
    acl_by_address: bool = False

    @classmethod
    def of(cls, audit: DeviceAudit) -> Policies:
        by_address = get_platform(audit.platform).acl_matches_route_by_address
        policies = cls(acls=acl_entries(audit), acl_by_address=by_address, prefix_lists=_prefix_lists(audit))
        for child in [*audit.top("ip community-list "), *audit.top("bgp community-list ")]:
            if (found := _COMMUNITY_LIST.match(child.text)):
                kind, name = found.group(1), found.group(2)
                numbered_expanded = kind is None and name.isdigit() and int(name) >= FIRST_EXPANDED_NUMBER
                expanded = kind == "expanded" or numbered_expanded
                entry = ListEntry(found.group(3), expanded, tuple(found.group(4).split()),
                                  _compiled(found.group(4)) if expanded else None)
                policies.community_lists.setdefault(name, []).append(entry)
        for child in [*audit.top("ip as-path access-list "), *audit.top("bgp as-path access-list ")]:
            if (found := _AS_PATH_LIST.match(child.text)):
                policies.as_path_lists.setdefault(found.group(1), []).append(
                    ListEntry(found.group(2), True, (), _compiled(found.group(3))))
        for node in audit.top("route-map "):
            found = _ROUTE_MAP.match(node.text)
            if found:
                policies.route_maps.setdefault(found.group(1), []).append(_map_entry(audit, node, found))
        for map_entries in policies.route_maps.values():
            map_entries.sort(key=lambda e: e.sequence)
        return policies

    def prefix_list_permits(self, name: str, route: IPv4Network) -> bool:
        entry = next((e for e in self.prefix_lists.get(name, ()) if e.matches(route)), None)
        return entry is not None and entry.action == "permit"

    def acl_permits(self, name: str, route: IPv4Network) -> bool:
        """A route against an access-list: FRR, its network inside the line's source (``exact-match``:
        equal); IOS, its network address in the source and, when the line names a destination, its
        mask in the destination."""
        for entry in self.acls.get(name, ()):
            if self.acl_by_address:
                matches = route.network_address in entry.source and (
                    entry.destination.prefixlen == 0 or route.netmask in entry.destination)
            else:
                matches = route.subnet_of(entry.source) and (not entry.exact or route == entry.source)
            if matches:
                return entry.action == "permit"
        return False

    def route_map(self, name: str, route: IPv4Network) -> tuple[bool, int | None]:
        """(passes, metric it sets) for ``route`` through route-map ``name``."""
        applied = self.apply(name, Attributes(route))
        return applied is not None, applied.metric if applied is not None else None

    def apply(self, name: str, route: Attributes) -> Attributes | None:
        """``route`` as route-map ``name`` passes it (None: dropped)."""
        for entry in self.route_maps.get(name, ()):
            if self._matches(entry, route):
                return self._set(entry, route) if entry.action == "permit" else None
        return None

    def _matches(self, entry: MapEntry, route: Attributes) -> bool:
        return all(self.prefix_list_permits(p, route.prefix) for p in entry.prefix_lists) and \
            all(self.acl_permits(a, route.prefix) for a in entry.acls) and \
            all(self._community_permits(c, exact, route.communities) for c, exact in entry.communities) and \
            all(_list_permits(self.as_path_lists.get(a, []), " ".join(route.as_path), frozenset())
                for a in entry.as_paths)

    def _community_permits(self, name: str, exact: bool, communities: frozenset[str]) -> bool:
        entries = self.community_lists.get(name, [])
        if exact and not any(e.pattern is not None for e in entries):
            named = {v for e in entries if e.action == "permit" for v in e.values}
            return bool(communities) and communities == named
        return _list_permits(entries, " ".join(sorted(communities, key=_community_order)), communities)


    def _set(self, entry: MapEntry, route: Attributes) -> Attributes:
        """What the entry's ``set`` lines make of ``route``."""
        for words in entry.sets:
            match words:
                case ("comm-list", name, "delete"):
                    route = replace(route, communities=frozenset(
                        c for c in route.communities if not self._community_permits(name, False, frozenset({c}))))
                case _:
                    route = _set_one(words, route)
        return route


def _prefix_lists(audit: DeviceAudit) -> dict[str, list[PrefixEntry]]:
    """Every prefix-list's entries in sequence order (an entry without a number comes 5 after the
    one before it, as the devices number them)."""
    numbered: dict[str, list[tuple[int, PrefixEntry]]] = {}
    for child in audit.top("ip prefix-list "):
        found = _PREFIX_ENTRY.match(child.text)
        if not found:
            continue
        try:
            prefix = IPv4Network(found.group(4), strict=False)
        except ValueError:
            continue
        bounds = {k: int(v) for k, v in _BOUND.findall(found.group(5))}
        entries = numbered.setdefault(found.group(1), [])
        sequence = int(found.group(2)) if found.group(2) else (entries[-1][0] + 5 if entries else 5)
        entries.append((sequence, PrefixEntry(found.group(3), prefix, bounds.get("ge"), bounds.get("le"))))
    return {name: [e for _, e in sorted(entries, key=lambda s: s[0])] for name, entries in numbered.items()}


def _list_permits(entries: list[ListEntry], text: str, members: frozenset[str]) -> bool:
    entry = next((e for e in entries if e.matches(text, members)), None)
    return entry is not None and entry.action == "permit"


def _community_order(community: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in community.split(":"))


def _compiled(text: str) -> re.Pattern[str] | None:
    try:
        return cisco_regex(text)
    except re.error:
        return None  # the platforms refuse such a line: it matches nothing


def _set_one(words: tuple[str, ...], route: Attributes) -> Attributes:
    """What one ``set`` line (its words after ``set``) makes of ``route``.

    >>> from ipaddress import IPv4Network
    >>> route = Attributes(IPv4Network("10.0.0.0/8"), metric=5, as_path=("65001", "65002"))
    >>> _set_one(("metric", "+10"), route).metric, _set_one(("metric", "-9"), route).metric
    (15, 0)
    >>> _set_one(("as-path", "prepend", "last-as", "2"), route).as_path
    ('65001', '65001', '65001', '65002')
    """
    match words:
        case ("metric", value) if re.fullmatch(r"[+-]?\d+", value):
            relative = value[0] in "+-"
            return replace(route, metric=max(0, (route.metric or 0) + int(value)) if relative else int(value))
        case ("local-preference", value) if value.isdigit():
            return replace(route, local_preference=int(value))
        case ("weight", value) if value.isdigit():
            return replace(route, weight=int(value))
        case ("as-path", "prepend", "last-as", times) if times.isdigit() and route.as_path:
            return replace(route, as_path=(*[route.as_path[0]] * int(times), *route.as_path))
        case ("as-path", "prepend", *numbers) if all(n.isdigit() for n in numbers):
            return replace(route, as_path=(*numbers, *route.as_path))
        case ("community", *values) if values:
            named = frozenset(v for v in values if v not in ("additive", "none"))
            return replace(route, communities=frozenset() if "none" in values else
                           (route.communities | named if "additive" in values else named))
        case ("origin", value) if value in ORIGINS:
            return replace(route, origin=value)
        case ("ip", "next-hop", hop):
            return replace(route, next_hop=hop)
    return route


def _map_entry(audit: DeviceAudit, node: ConfigNode, found: re.Match[str]) -> MapEntry:
    prefix_lists, acls, communities, as_paths, sets = [], [], [], [], []
    for child in node.children:
        match child.text.split():
            case ["match", "ip", "address", "prefix-list", *names] if names:
                prefix_lists += names
            case ["match", "ip", "address", *names] if names:
                acls += names
            case ["match", "community", *names] if names:
                exact = names[-1] == "exact-match"
                communities += [(name, exact) for name in names if name != "exact-match"]
            case ["match", "as-path", *names] if names:
                as_paths += names
            case ["set", *words] if words:
                sets.append(tuple(words))
    return MapEntry(found.group(2), int(found.group(3)), tuple(prefix_lists), tuple(acls), tuple(communities),
                    tuple(as_paths), tuple(sets), audit.line_of(node))
