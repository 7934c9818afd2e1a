"""What a change does, classed: each classifier reads one device's semantic diff (with the zone map
of the configuration before and after) and names the lines that make the class, with a risk."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from muronet.masking import REFERENCE, secrets_in
from muronet.platforms import get_platform
from muronet.policy.acl import ANY, parse_entry
from muronet.policy.context import DeviceAudit
from muronet.policy.zonemap import address_zone, l3_interfaces, parse_route
from muronet.reading import Unread
from muronet.render.vocabulary import Vocabulary
from muronet.review.delta import ConfigDelta, Line

RISKS = ("none", "low", "medium", "high", "critical")
CLASSES = {
    "zone_path": "new path between zones",
    "filter_widening": "filter widened on a boundary",
    "management_exposure": "management exposure",
    "weakened_control": "weakened control",
    "external_routing": "routing policy towards another organisation (LGWAN line, eBGP)",
    "secret": "secret in the change",
    "unknown_command": "command no template produces",
    "unread_line": "line whose meaning the review cannot establish (fails closed)",
}


@dataclass
class Change:
    """One device's change as the classifiers see it."""

    delta: ConfigDelta
    before: DeviceAudit
    after: DeviceAudit
    vocabulary: Vocabulary | None = None  # what the platform's templates write at the top level
    unread: list[Unread] = field(default_factory=list)  # new lines the device's grammar does not take


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of CLASSES
    risk: str  # a member of RISKS
    reason: str
    lines: tuple[Line, ...] = field(default_factory=tuple)


Classifier = Callable[[Change], Iterator[Finding]]
CLASSIFIERS: list[Classifier] = []


def classifier(function: Classifier) -> Classifier:
    CLASSIFIERS.append(function)
    return function


def _route_vrf(line: Line) -> str | None:
    """FRR keeps routes of a VRF inside ``vrf NAME``; elsewhere the route line names its VRF."""
    return line.path[0].split()[1] if len(line.path) > 1 and line.path[0].startswith("vrf ") else None


def _zones(audit: DeviceAudit) -> set[str]:
    management = audit.index.inventory.management_zone if audit.index else None
    zones = {port.table_zone(audit) or address_zone(audit, port.address.network) for port in l3_interfaces(audit)}
    return {z for z in zones if z and z != management}


# What moves routes from one table to another, as the devices write it: FRR's BGP imports between
# VRFs and VPN exchange (``import vrf``, ``rt vpn``, ``import vpn``/``export vpn``, ``route-target``,
# ``label``/``rd vpn export`` go with them), IOS's route targets, import and export maps, route
# replication and static routes into another table (``nexthop-vrf``, ``global``: ``zone_paths``)
_LEAKS = ("import vrf ", "import vpn", "export vpn", "rt vpn ", "route-target ", "route-replicate", "import map ",
          "export map ", "import ipv4 ", "export ipv4 ", "import ipv6 ", "export ipv6 ", "import l2vpn ",
          "export l2vpn ", "rd vpn export ", "label vpn export ")
_PBR = re.compile(r"^(set (vrf|global|ip next-hop)|ip policy route-map)\b")


@classifier
def zone_paths(change: Change) -> Iterator[Finding]:
    for line in change.delta.added:
        text = line.text
        if text.startswith("ip route "):
            yield from _static_route(change.after, line)
        elif text.startswith(_LEAKS) or " nexthop-vrf " in text:
            yield Finding("zone_path", "critical", "routes leaked between routing tables", (line,))
        elif text.startswith("redistribute "):
            yield Finding("zone_path", "high", f"redistribution added: {text}", (line,))
        elif re.match(r"interface (Tunnel|gre|tun|ipip)", text) or text.startswith("tunnel "):
            yield Finding("zone_path", "critical", "tunnel added", (line,))
        elif text.startswith("ip nat "):
            yield Finding("zone_path", "critical", "NAT added", (line,))
        elif _PBR.match(text):
            yield Finding("zone_path", "high", "policy routing added", (line,))
    had = _zones(change.before)
    joined = _zones(change.after) - had
    if joined and had:
        lines = tuple(line for line in change.delta.added if line.text.startswith(("ip address", "interface ")))
        yield Finding("zone_path", "critical", f"device joins zone {', '.join(sorted(joined))} to its zones "
                      f"{', '.join(sorted(had))}", lines)
    yield from _trunk_zones(change)


def _static_route(after: DeviceAudit, line: Line) -> Iterator[Finding]:
    """An added static route that sends a zone's traffic out of it: a default route, or a route
    whose destination, next hop or next-hop VRF lies in another zone."""
    parsed = parse_route(line.text, _route_vrf(line))
    if parsed is None:
        return
    vrf, prefix, hop, _, other_vrf = parsed
    table = after.vrf_zone(vrf)
    reached = (address_zone(after, prefix), address_zone(after, hop) if hop else None,
               after.vrf_zone(other_vrf) if other_vrf and other_vrf != "global" else None)
    towards = {zone for zone in reached if zone is not None and zone != table}
    if prefix.prefixlen == 0:
        risk = "critical" if table in ("LGWAN", "MYNUMBER") else "high"
        yield Finding("zone_path", risk, f"default route added in zone {table}", (line,))
    elif towards or other_vrf:
        yield Finding("zone_path", "critical", f"route from zone {table} towards zone "
                      f"{', '.join(sorted(towards)) or other_vrf}", (line,))


def _vlan_ids(text: str) -> set[int]:
    """VLAN ids of ``switchport trunk allowed vlan [add] 10,20-22``."""
    ids: set[int] = set()
    for part in text.split()[-1].split(","):
        low, _, high = part.partition("-")
        if low.isdigit():
            ids |= set(range(int(low), int(high or low) + 1))
    return ids


def _trunk_zones(change: Change) -> Iterator[Finding]:
    audit = change.after
    if audit.index is None or audit.device is None:
        return
    vlans = audit.index.vlans
    for line in change.delta.added:
        if line.text.startswith("switchport trunk allowed vlan"):
            removed = [r for r in change.delta.removed if r.path[:-1] == line.path[:-1]
                       and r.text.startswith("switchport trunk allowed vlan")]
            before = set().union(*(_vlan_ids(r.text) for r in removed)) if removed else set()
            new_zones = {v.zone for i in _vlan_ids(line.text) - before
                         if (v := vlans.get((audit.device.site, i))) is not None}
            old_zones = {v.zone for i in before if (v := vlans.get((audit.device.site, i))) is not None}
            if new_zones - old_zones and old_zones:
                added = ", ".join(sorted(new_zones - old_zones))
                yield Finding("zone_path", "high", f"trunk now also carries zone {added}", (line,))


def _in_acl(line: Line) -> str | None:
    """The ACL a line is an entry of (IOS named block or FRR ``access-list NAME …``)."""
    match line.path:
        case (block, _) if block.startswith("ip access-list "):  # an entry of a named block
            return block.split()[-1]
    if line.text.startswith("access-list ") and len(line.path) == 1:
        return line.text.split()[1]
    return None


def _vty_acls(audit: DeviceAudit) -> set[str]:
    return {c.text.split()[1] for vty in audit.top("line vty") for c in vty.children
            if c.text.startswith("access-class ")}


@classifier
def filter_widening(change: Change) -> Iterator[Finding]:
    vty = _vty_acls(change.after)
    for line in change.delta.added:
        name = _in_acl(line)
        entry = parse_entry(line.text) if name else None
        if entry is None or entry.action != "permit" or name in vty:
            continue
        if entry.extended and ANY in (entry.source, entry.destination):
            yield Finding("filter_widening", "high", f"{name}: permit with 'any'", (line,))
        else:
            yield Finding("filter_widening", "medium", f"{name}: permit added", (line,))
    for line in change.delta.removed:
        name = _in_acl(line)
        entry = parse_entry(line.text) if name else None
        if entry is not None and entry.action == "deny" and not _replaced(change, line):
            yield Finding("filter_widening", "high", f"{name}: deny removed", (line,))
        if line.text.startswith("ip access-group ") and not _replaced(change, line):
            yield Finding("filter_widening", "high", f"filter removed from {line.path[0]}", (line,))
    for line in change.delta.reordered:
        yield Finding("filter_widening", "high", f"{line.text}: entries reordered (first match changes)", (line,))


def _replaced(change: Change, removed: Line) -> bool:
    """A removed line that comes back in the same place with the same words (e.g. renumbered)."""
    def words(text: str) -> str:
        return re.sub(r"^(\d+|seq \d+) ", "", text)
    return any(a.path[:-1] == removed.path[:-1] and words(a.text) == words(removed.text) for a in change.delta.added)


@classifier
def management_exposure(change: Change) -> Iterator[Finding]:
    management = change.after.settings.management
    vty = _vty_acls(change.after)
    for line in change.delta.added:
        text = line.text
        if text.startswith("transport input") and re.search(r"\b(telnet|all|rlogin)\b", text):
            yield Finding("management_exposure", "critical", f"{line.path[0]}: {text}", (line,))
        elif text in ("ip http server", "ip http secure-server"):
            yield Finding("management_exposure", "high", "web management server enabled", (line,))
        elif text.startswith("snmp-server community "):
            yield Finding("management_exposure", "high", "SNMP community added", (line,))
        elif text.startswith("password ") or text == "no login":
            yield Finding("management_exposure", "critical", "vty login by password or without login", (line,))
        elif (name := _in_acl(line)) in vty and (entry := parse_entry(text)) is not None and entry.action == "permit" \
                and not any(entry.source.subnet_of(m) for m in management):
            yield Finding("management_exposure", "high", f"vty access list {name} admits a source outside MGMT",
                          (line,))
    for line in change.delta.removed:
        vty_line = line.text.startswith("access-class ") and line.path[0].startswith("line vty")
        if vty_line and not _replaced(change, line):
            yield Finding("management_exposure", "high", f"{line.path[0]}: access-class removed", (line,))
        elif line.text in ("no ip http server", "no ip http secure-server") and not _replaced(change, line):
            yield Finding("management_exposure", "high", "web management server no longer disabled", (line,))


_CONTROLS = ("aaa ", "logging ", "log ", "ntp ", "login block-for", "login on-", "archive",
             "service password-encryption", "ip ssh ", "service timestamps")
_ROUTING_AUTH = re.compile(r"^(ip ospf (authentication|message-digest-key)|neighbor \S+ (password|ttl-security))")


@classifier
def weakened_controls(change: Change) -> Iterator[Finding]:
    for line in change.delta.removed:
        if _replaced(change, line):
            continue
        if _ROUTING_AUTH.match(line.text):
            yield Finding("weakened_control", "high", "routing session authentication removed", (line,))
        elif line.text.startswith(_CONTROLS) and len(line.path) == 1:
            yield Finding("weakened_control", "medium", f"control removed: {line.text.split()[0]}", (line,))
    for line in change.delta.added:
        timeout = re.match(r"exec-timeout (\d+)", line.text)
        limit = change.after.settings.exec_timeout_min
        if (timeout and (int(timeout.group(1)) == 0 or int(timeout.group(1)) > limit)) \
                or line.text in ("no aaa new-model", "no logging on", "no service password-encryption"):
            yield Finding("weakened_control", "medium", f"control relaxed: {line.text}", (line,))


def _external_peers(audit: DeviceAudit) -> dict[str, set[str]]:
    """eBGP neighbours (remote AS other than the local one) and the route-maps they use."""
    peers: dict[str, set[str]] = {}
    for bgp in audit.top("router bgp "):
        local = bgp.text.split()[2]
        for child in bgp.all_children():
            found = re.match(r"neighbor (\S+) remote-as (\d+)$", child.text)
            if found and found.group(2) != local:
                peers.setdefault(found.group(1), set())
        for child in bgp.all_children():
            used = re.match(r"neighbor (\S+) route-map (\S+) ", child.text)
            if used and used.group(1) in peers:
                peers[used.group(1)].add(used.group(2))
    return peers


@classifier
def external_routing(change: Change) -> Iterator[Finding]:
    peers = _external_peers(change.before) | _external_peers(change.after)
    maps = {m for used in peers.values() for m in used}
    lists = {c.text.split()[-1] for audit in (change.before, change.after) for rm in audit.top("route-map ")
             if rm.text.split()[1] in maps for c in rm.children if c.text.startswith("match ip address prefix-list ")}
    touched = [line for line in [*change.delta.added, *change.delta.removed]
               if any(line.text.startswith(f"neighbor {p} ") for p in peers)
               or (line.path[0].startswith("route-map ") and line.path[0].split()[1] in maps)
               or (line.text.startswith("ip prefix-list ") and line.text.split()[2] in lists)]
    if touched:
        yield Finding("external_routing", "high", "routing policy of an inter-organisation BGP session changed "
                      f"({', '.join(sorted(peers))})", tuple(touched))


@classifier
def secrets(change: Change) -> Iterator[Finding]:
    for line in change.delta.added:
        if any(not REFERENCE.fullmatch(value) for value in secrets_in(line.text, change.delta.platform)):
            yield Finding("secret", "medium", "a secret is added or changed (value masked)", (line,))


@classifier
def unknown_commands(change: Change) -> Iterator[Finding]:
    """Top-level commands the templates never write: not from the inventory, so a human decides.
    Lines the device shows of itself (FRR's version line, its VRF namespaces) are not commands."""
    vocabulary = change.vocabulary
    if vocabulary is None:
        return
    platform = get_platform(change.delta.platform)
    for line in change.delta.added:
        if len(line.path) == 1 and not vocabulary.produces(line.text):
            node = change.delta.after.get_child(equals=line.text)
            if node is None or not platform.shows_of_itself(node):
                yield Finding("unknown_command", "critical",
                              f"adds `{line.text}`: no {platform.name} template writes this command", (line,))


# Nodes where no line decides who reaches what or who may log in: a line there the review cannot
# read is reported, but blocks only on a boundary device.
_LOW_STAKES = frozenset({"vlan", "call-home", "redundancy", "class-map", "policy-class", "link-params",
                         "nexthop-group", "segment-routing", "bfd", "bfd-peer", "bfd-profile"})
_WHY = {"unknown": "no command the device has in that section takes it",
        "ambiguous": "the device finds it ambiguous (several commands could be meant)"}


def _boundary(audit: DeviceAudit) -> bool:
    """A device between zones or organisations: an approved zone gateway, a circuit's end, or one
    whose interfaces are in more than one zone."""
    index, device = audit.index, audit.device
    if index is None or device is None:
        return True  # unknown to the inventory: judged as strictly as a boundary
    circuit = any(end[0] == device.name for end in index.circuits_by_termination)
    return bool(index.gateways_of(device)) or circuit or len(_zones(audit)) > 1


@classifier
def unread_lines(change: Change) -> Iterator[Finding]:
    """A new line the device's grammar does not take (``muronet.reading``): what the device makes of
    it cannot be established, so the review fails closed on a boundary device and in every section
    that decides reachability or access (everywhere but a few: ``_LOW_STAKES``)."""
    boundary = _boundary(change.after) if change.unread else False
    for unread in change.unread:
        risk = "critical" if boundary or unread.node not in _LOW_STAKES else "high"
        where = "at the top level" if unread.node == "config" else f"in a {unread.node} section"
        yield Finding("unread_line", risk, f"line {unread.line} {where}: {_WHY[unread.why]}",
                      (Line((unread.node, unread.text), unread.line),))
