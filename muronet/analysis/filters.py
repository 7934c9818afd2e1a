"""Filter line reachability: ACL lines that can never match, because an earlier line of the same
ACL matches every packet (or route) they do.

An entry is read whole (``muronet.policy.acl``: protocol, source and destination with their port
ranges, and the qualifiers that narrow a match). An earlier entry covers a later one when its
protocol includes the later one's, its networks hold the later one's, its port ranges hold the
later one's, and it asks no qualifier the later one lacks. Where a form cannot be compared exactly
(``neq``, a port name not known), the entry covers nothing and is covered only by an entry without
ports: no line is called unreachable that might match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Network

from muronet.analysis.finding import Finding
from muronet.policy.acl import ALL_PORTS, Entry, parse_entry
from muronet.policy.context import DeviceAudit


def covers(earlier: Entry, later: Entry) -> bool:
    """Whether every packet (or route) ``later`` matches, ``earlier`` matches first.

    >>> covers(parse_entry("permit ip 10.0.0.0 0.255.255.255 any"),
    ...        parse_entry("deny tcp 10.1.0.0 0.0.255.255 any eq 22"))
    True
    >>> covers(parse_entry("permit tcp any any eq 22"), parse_entry("permit udp any any eq 22"))
    False
    >>> covers(parse_entry("permit tcp any any established"), parse_entry("permit tcp any any"))
    False
    """
    if earlier.protocol != "ip" and earlier.protocol != later.protocol:
        return False
    if not (later.source.subnet_of(earlier.source) and later.destination.subnet_of(earlier.destination)):
        return False
    if earlier.exact and (later.source != earlier.source or not later.exact):
        return False
    for mine, theirs in ((earlier.source_ports, later.source_ports),
                         (earlier.destination_ports, later.destination_ports)):
        if mine is None or (mine != ALL_PORTS and (theirs is None or not mine[0] <= theirs[0] <= theirs[1] <= mine[1])):
            return False
    return earlier.qualifiers <= later.qualifiers


def overlaps(entry: Entry, flow: Entry) -> bool:
    """Whether some packet of ``flow`` matches ``entry`` (qualifiers narrow, they do not exclude).

    >>> overlaps(parse_entry("permit tcp 10.0.0.0 0.0.255.255 any eq 22"),
    ...          parse_entry("permit ip 10.0.5.0 0.0.0.255 any"))
    True
    >>> overlaps(parse_entry("permit udp any any"), parse_entry("permit tcp any any"))
    False
    """
    if "ip" not in (entry.protocol, flow.protocol) and entry.protocol != flow.protocol:
        return False
    if not (entry.source.overlaps(flow.source) and entry.destination.overlaps(flow.destination)):
        return False
    for mine, theirs in ((entry.source_ports, flow.source_ports), (entry.destination_ports, flow.destination_ports)):
        if mine is not None and theirs is not None and (mine[1] < theirs[0] or theirs[1] < mine[0]):
            return False
    return True


@dataclass(frozen=True)
class FlowLine:
    device: str
    acl: str
    line: int | None
    text: str
    action: str
    whole: bool  # the line takes the whole flow (no later line sees any of it)


def flow_lines(audit: DeviceAudit, flow: Entry) -> list[FlowLine]:
    """The lines of every ACL that some of ``flow`` reaches, first match first: each line that
    matches part of it, up to the line that takes what is left whole."""
    found = []
    for name, lines in _acls(audit).items():
        for text, line in lines:
            entry = parse_entry(text)
            if entry is None or not overlaps(entry, flow):
                continue
            whole = covers(entry, flow)
            found.append(FlowLine(audit.name, name, line, text.strip(), entry.action, whole))
            if whole:
                break
    return found


def _acls(audit: DeviceAudit) -> dict[str, list[tuple[str, int | None]]]:
    """Every ACL's lines, in order, with their line numbers: IOS blocks and numbered lines, FRR's."""
    acls: dict[str, list[tuple[str, int | None]]] = {}
    for child in audit.tree.children:
        block = re.match(r"ip access-list (?:standard|extended) (\S+)$", child.text)
        if block:
            acls.setdefault(block.group(1), []).extend((c.text, audit.line_of(c)) for c in child.children)
        flat = re.match(r"access-list (\S+) ", child.text)
        if flat:
            acls.setdefault(flat.group(1), []).append((child.text, audit.line_of(child)))
    return acls


def acl_entries(audit: DeviceAudit) -> dict[str, list[Entry]]:
    """Every ACL's entries as read, in order (remarks and unread forms left out)."""
    entries: dict[str, list[Entry]] = {}
    for name, lines in _acls(audit).items():
        read = (parse_entry(text) for text, _ in lines)
        entries[name] = [entry for entry in read if entry is not None]
    return entries


def unreachable_lines(audit: DeviceAudit) -> list[Finding]:
    """Every ACL line an earlier line of its ACL shadows: high when the two differ in action (the
    later line's intent never happens), low when the later one only repeats the earlier."""
    found = []
    for name, lines in _acls(audit).items():
        earlier = _Earlier()
        for text, line in lines:
            entry = parse_entry(text)
            if entry is None:
                continue
            shadow = earlier.first_covering(entry)
            if shadow is not None:  # the message names lines by their text: a review compares messages
                severity = "high" if shadow[0].action != entry.action else "low"
                found.append(Finding("unreachable-filter-line", severity, audit.name, line,
                                     f"access-list {name}: '{text.strip()}' is never reached: '{shadow[1].strip()}' "
                                     "before it matches everything it does"))
            earlier.add(entry, text)
    return found


_Ports = tuple[int, int] | None


class _Earlier:
    """The entries of an ACL seen so far, indexed so that the first that covers a new one is found
    without trying them all: an entry covering another holds its source and its destination, so
    only entries whose source and destination are supernets of the new one's (one per prefix
    length the ACL uses) are candidates; of those, the ones with exactly its ports are looked up,
    and only entries over port ranges are tried one by one. A 10,000-line ACL is read in near-linear
    time where trying every earlier line took quadratic time (bench/acl_bench.py)."""

    def __init__(self) -> None:
        self.count = 0
        self.lengths: tuple[set[int], set[int]] = (set(), set())  # prefix lengths of sources, destinations
        self.buckets: dict[tuple[IPv4Network, IPv4Network], _Bucket] = {}

    def add(self, entry: Entry, text: str) -> None:
        self.lengths[0].add(entry.source.prefixlen)
        self.lengths[1].add(entry.destination.prefixlen)
        self.buckets.setdefault((entry.source, entry.destination), _Bucket()).add(self.count, entry, text)
        self.count += 1

    def first_covering(self, later: Entry) -> tuple[Entry, str] | None:
        best: tuple[int, Entry, str] | None = None
        for source in _supernets(later.source, self.lengths[0]):
            for destination in _supernets(later.destination, self.lengths[1]):
                bucket = self.buckets.get((source, destination))
                found = bucket.first_covering(later) if bucket is not None else None
                if found is not None and (best is None or found[0] < best[0]):
                    best = found
        return (best[1], best[2]) if best is not None else None


def _supernets(network: IPv4Network, lengths: set[int]) -> list[IPv4Network]:
    return [network.supernet(new_prefix=length) if length < network.prefixlen else network
            for length in lengths if length <= network.prefixlen]


class _Bucket:
    """Entries of one source and destination, in order, by protocol and port ranges; the ranges
    present are kept apart, single ports in a set and wider ranges in a short list, so the ranges
    that could hold a new entry's are found without trying every entry."""

    FEW = 16  # up to this many entries, a bucket is tried entry by entry

    def __init__(self) -> None:
        self.few: list[tuple[int, Entry, str]] | None = []
        self.entries: dict[tuple[str, _Ports, _Ports], list[tuple[int, Entry, str]]] = {}
        self.ports: tuple[_Ranges, _Ranges] | None = None  # of sources, of destinations

    def add(self, order: int, entry: Entry, text: str) -> None:
        if self.few is not None:
            self.few.append((order, entry, text))
            if len(self.few) <= self.FEW:
                return
            few, self.few, self.ports = self.few, None, (_Ranges(), _Ranges())
            for item in few:
                self._index(*item)
        else:
            self._index(order, entry, text)

    def _index(self, order: int, entry: Entry, text: str) -> None:
        assert self.ports is not None
        self.entries.setdefault((entry.protocol, entry.source_ports, entry.destination_ports), []).append(
            (order, entry, text))
        self.ports[0].add(entry.source_ports)
        self.ports[1].add(entry.destination_ports)

    def first_covering(self, later: Entry) -> tuple[int, Entry, str] | None:
        if self.few is not None:
            return next((item for item in self.few if covers(item[1], later)), None)
        assert self.ports is not None
        best: tuple[int, Entry, str] | None = None
        for protocol in {later.protocol, "ip"}:
            for source in self.ports[0].holding(later.source_ports):
                for destination in self.ports[1].holding(later.destination_ports):
                    for candidate in self.entries.get((protocol, source, destination), ()):
                        if covers(candidate[1], later):
                            if best is None or candidate[0] < best[0]:
                                best = candidate
                            break
        return best


class _Ranges:
    """The port ranges an ACL's entries name: single ports apart from wider ranges."""

    def __init__(self) -> None:
        self.single: set[tuple[int, int]] = set()
        self.wide: set[tuple[int, int]] = set()  # ALL_PORTS among them; a form not read (None) holds nothing

    def add(self, ports: _Ports) -> None:
        if ports is not None:
            (self.single if ports[0] == ports[1] else self.wide).add(ports)

    def holding(self, ports: _Ports) -> list[tuple[int, int]]:
        """The ranges present that hold all of ``ports``."""
        if ports is None:
            return [ALL_PORTS] if ALL_PORTS in self.wide else []
        found = [ports] if ports in self.single else []
        return found + [r for r in self.wide if r[0] <= ports[0] and ports[1] <= r[1]]
