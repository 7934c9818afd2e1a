"""Whether every OSPF adjacency and BGP session the configurations set up can come up, read from
the configurations of both ends (FRR and Cisco IOS alike) and the inventory's cabling and circuits.

An adjacency is checked on every cable whose two ends both have a configuration: the same
process zone, area, network type, hello and dead intervals, authentication type and key id (keys
compared, never shown), neither end passive, the same subnet, equal MTUs (unless ignored). A
session is checked on every ``neighbor``: its address belongs to a device of the configurations
(then that device must have a neighbour for one of this device's addresses, or a ``bgp listen
range`` covering one, the AS numbers must agree, passwords must be equal, GTSM on both ends or
neither, an address family in common) or to a circuit of the inventory (then the AS must be the
circuit's). Whether its transport comes up (routes both ways, the source address each end
expects, eBGP multihop) is the routing model's to say (``muronet.analysis.bgp``). Every reason
names the check that decided it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPV4LENGTH, IPv4Address, IPv4Interface, IPv4Network

from muronet.analysis.finding import Finding
from muronet.inventory.index import InventoryIndex
from muronet.inventory.model import Circuit
from muronet.masking import PLACEHOLDER, REFERENCE, reference
from muronet.platforms import get_platform
from muronet.policy.context import ConfigNode, DeviceAudit
from muronet.policy.zonemap import L3Interface, l3_interfaces, per_device

# --- OSPF -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OspfPort:
    device: str
    interface: str
    address: IPv4Interface
    zone: str | None  # the zone of the process (its VRF's)
    area: str | None  # dotted; None: the interface is in no area
    passive: bool
    network: str
    hello: int
    dead: int
    auth: str  # "null", "simple", "message-digest"
    keys: tuple[tuple[str, str], ...]  # (key id, key text) of message-digest keys
    mtu: int | None
    mtu_ignore: bool
    line: int | None
    area_kind: str = "normal"  # normal, stub or nssa: the hellos' E and N bits, which must agree


def dotted_area(text: str) -> str:
    """An area as dotted quad: ``0`` → ``0.0.0.0`` (a number no area can be stays as written).

    >>> dotted_area("0"), dotted_area("0.0.0.1"), dotted_area("99999999999")
    ('0.0.0.0', '0.0.0.1', '99999999999')
    """
    try:
        return str(IPv4Address(int(text))) if text.isdigit() else text
    except ValueError:
        return text


def _wildcard_network(address: str, wildcard: str) -> IPv4Network:
    mask = IPv4Address(int(IPv4Address(wildcard)) ^ 0xFFFFFFFF)
    return IPv4Network(f"{address}/{mask}", strict=False)


def _process_for(audit: DeviceAudit, vrf: str | None) -> ConfigNode | None:
    for process in audit.top("router ospf"):
        found = re.search(r" vrf (\S+)", process.text)
        if (found.group(1) if found else None) == vrf:
            return process
    return None


@per_device
def ospf_ports(audit: DeviceAudit) -> dict[str, OspfPort]:
    """Every addressed interface with its OSPF settings (area None: not in OSPF)."""
    ports = {}
    for l3 in l3_interfaces(audit):
        texts = [c.text for c in l3.node.children]
        process = _process_for(audit, l3.vrf)
        lines = [c.text for c in process.children] if process is not None else []
        # an interface's own area counts once a process runs (IOS makes one for ``ip ospf N area``)
        starts = process is not None or get_platform(audit.platform).ospf_area_starts_process
        area = _area_of(l3.address, texts, lines) if starts else None
        dead = _setting(texts, "ip ospf dead-interval ", "40")
        ports[l3.name] = OspfPort(
            audit.name, l3.name, l3.address, audit.vrf_zone(l3.vrf), area, _passive(l3.name, texts, lines),
            _setting(texts, "ip ospf network ", "broadcast"),
            _seconds(_setting(texts, "ip ospf hello-interval ", "10")),
            1 if dead == "minimal" else _seconds(dead),  # "minimal hello-multiplier N": one second
            _auth(area, texts, lines),
            _md5_keys(texts),
            next((int(t.split()[-1]) for t in texts if _MTU.match(t)), None),
            "ip ospf mtu-ignore" in texts, audit.line_of(l3.node), area_kind(area, lines))
    return ports


def _setting(texts: list[str], prefix: str, default: str) -> str:
    """The first word after ``prefix`` (FRR may name an address after it: ``hello-interval 1 A.B.C.D``)."""
    return next((t[len(prefix):].split()[0] for t in texts if t.startswith(prefix) and t[len(prefix):].split()),
                default)


def _seconds(text: str) -> int:
    return int(text) if text.isdigit() else -1  # not a number: differs from any number the far end has


_OWN_AREA = re.compile(r"ip ospf (?:\d+ )?area (\S+)$")
_NETWORK = re.compile(r"network (\S+?)(?:/(\d+)| (\S+)) area (\S+)$")
_OWN_AUTH = re.compile(r"ip ospf authentication(?: (message-digest|null))?$")
_AREA_AUTH = re.compile(r"area (\S+) authentication( message-digest)?$")
_MTU = re.compile(r"(?:ip )?mtu \d+$")
AREA_KIND = re.compile(r"area (\S+) (stub|nssa)\b(.*)$")


def area_kind(area: str | None, process: list[str]) -> str:
    """``stub`` or ``nssa`` as the process's ``area X stub|nssa`` says, else ``normal``.

    >>> area_kind("0.0.0.1", ["area 1 stub no-summary"]), area_kind("0.0.0.2", ["area 0.0.0.2 nssa"])
    ('stub', 'nssa')
    """
    for line in process:
        found = AREA_KIND.match(line)
        if found and dotted_area(found.group(1)) == area:
            return found.group(2)
    return "normal"


def _area_of(address: IPv4Interface, texts: list[str], process: list[str]) -> str | None:
    """The interface's area: its own ``ip ospf [N] area X``, or the process's ``network … area X``
    that covers its address (FRR ``A/L``, IOS ``A WILDCARD``)."""
    for text in texts:
        own = _OWN_AREA.match(text)
        if own:
            return dotted_area(own.group(1))
    for line in process:
        network = _NETWORK.match(line)
        if network:
            try:
                prefix = IPv4Network(f"{network.group(1)}/{network.group(2)}", strict=False) if network.group(2) \
                    else _wildcard_network(network.group(1), network.group(3))
            except ValueError:
                continue  # not a network: FRR and IOS refuse the line, it covers nothing
            if address.ip in prefix:
                return dotted_area(network.group(4))
    return None


def _passive(name: str, texts: list[str], process: list[str]) -> bool:
    """FRR marks it on the interface; both write ``passive-interface`` under the process."""
    if "ip ospf passive" in texts or f"passive-interface {name}" in process:
        return True
    return "passive-interface default" in process and f"no passive-interface {name}" not in process \
        and "no ip ospf passive" not in texts


def _auth(area: str | None, texts: list[str], process: list[str]) -> str:
    """The interface's authentication type: its own setting, else its area's."""
    for text in texts:
        own = _OWN_AUTH.match(text)
        if own:
            return own.group(1) or "simple"
    for line in process:
        by_area = _AREA_AUTH.match(line)
        if by_area and dotted_area(by_area.group(1)) == area:
            return "message-digest" if by_area.group(2) else "simple"
    return "null"


def ospf_differences(a: OspfPort, b: OspfPort) -> list[str]:
    """Why two ends of a cable cannot form an adjacency, one reason each."""
    if a.area is None or b.area is None:
        return [f"{(a if a.area is None else b).device} does not run OSPF on its end"]
    reasons = []
    for label, left, right in (("process zones", a.zone, b.zone), ("areas", a.area, b.area),
                               ("area types", a.area_kind, b.area_kind),
                               ("network types", a.network, b.network), ("hello intervals", a.hello, b.hello),
                               ("dead intervals", a.dead, b.dead), ("authentication", a.auth, b.auth)):
        if left != right:
            reasons.append(f"{label} differ ({left} / {right})")
    if a.passive or b.passive:
        reasons.append(f"{' and '.join(p.device for p in (a, b) if p.passive)} passive")
    if a.auth == b.auth == "message-digest":
        if {k for k, _ in a.keys} != {k for k, _ in b.keys}:
            reasons.append(f"message-digest key ids differ ({_ids(a)} / {_ids(b)})")
        elif dict(a.keys) != dict(b.keys):
            reasons.append("message-digest keys differ")
    if a.address.network != b.address.network:
        reasons.append(f"not in one subnet ({a.address} / {b.address})")
    if a.mtu and b.mtu and a.mtu != b.mtu and not (a.mtu_ignore or b.mtu_ignore):
        reasons.append(f"MTUs differ ({a.mtu} / {b.mtu})")
    return reasons


def _ids(port: OspfPort) -> str:
    return ",".join(k for k, _ in port.keys) or "none"


def cabled_pairs(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> Iterator[tuple[str, str, str, str]]:
    """(device, interface, far device, far interface) of every cable between two configured devices,
    sub-interfaces included, each once, in the platforms' interface names."""
    seen = set()
    for name in sorted(audits):
        device = index.devices.get(name)
        if device is None:
            continue
        for interface in device.interfaces:
            peer = index.peer_of(name, interface)
            if peer is None or peer.peer[0] not in audits or peer.peer[0] not in index.devices:
                continue
            key = frozenset({(name, interface.name), peer.peer})
            if key in seen:
                continue
            seen.add(key)
            far = index.devices[peer.peer[0]]
            yield (name, get_platform(device.platform).interface_name(interface.name), far.name,
                   get_platform(far.platform).interface_name(peer.peer[1]))


def inferred_pairs(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> Iterator[tuple[str, str, str, str]]:
    """Without an inventory (configurations of another network), (device, interface, far device, far
    interface) of every two ports that share a subnet (not a /32), each pair once: their cabling, as
    far as the configurations tell it. With one, its cables are the cabling, and nothing is inferred."""
    by_subnet: dict[IPv4Network, list[tuple[str, str]]] = {}
    for name in sorted(audits) if not index.devices else ():
        for l3 in l3_interfaces(audits[name]):
            if l3.address.network.prefixlen < IPV4LENGTH:  # a subnet, not a host route
                by_subnet.setdefault(l3.address.network, []).append((name, l3.name))
    for members in by_subnet.values():
        for i, (name, interface) in enumerate(members):
            for far_name, far_interface in members[i + 1:]:
                if far_name != name:
                    yield name, interface, far_name, far_interface


def ospf_findings(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> list[Finding]:
    """Every cable (or, between devices the inventory does not know, every shared subnet) on which at
    least one end runs OSPF and no adjacency can form."""
    ports = {name: ospf_ports(audit) for name, audit in audits.items()}
    found = []
    for name, interface, far_name, far_interface in [*cabled_pairs(index, audits), *inferred_pairs(index, audits)]:
        a, b = ports[name].get(interface), ports[far_name].get(far_interface)
        if a is None or b is None or (a.area is None and b.area is None):
            continue
        if (a.passive and b.area is None) or (b.passive and a.area is None):
            continue  # a passive end facing a non-OSPF one: no adjacency meant
        for reason in ospf_differences(a, b):
            found.append(Finding("ospf-adjacency", "high", name, a.line,
                                 f"OSPF adjacency {name}:{interface} — {far_name}:{far_interface}: {reason}",
                                 far_name))
    return found


# --- BGP ------------------------------------------------------------------------------------------


@dataclass
class BgpNeighbor:
    device: str
    vrf: str | None
    local_as: str
    address: IPv4Address
    line: int | None
    settings: dict[str, str] = field(default_factory=dict)  # remote-as, password, ttl-security, ebgp-multihop…
    families: set[str] = field(default_factory=set)
    ipv4_by_default: bool = True  # the process activates IPv4 unicast for every neighbour
    confederation: str | None = None  # the process's ``bgp confederation identifier``
    confederation_peers: frozenset[str] = frozenset()  # its ``bgp confederation peers``

    @property
    def confed(self) -> bool:
        """A peer in another member AS of this router's confederation (RFC 5065)."""
        remote = self.settings.get("remote-as")
        return remote in self.confederation_peers and remote != self.local_as

    @property
    def seen_as(self) -> str:
        """The AS this end is to the peer: its ``local-as`` for this peer, else outside its
        confederation the confederation's, else its own."""
        if local := self.settings.get("local-as", "").split():
            return local[0]
        remote = self.settings.get("remote-as")
        inside = remote in (self.local_as, "internal") or self.confed
        return self.local_as if self.confederation is None or inside else self.confederation


def confederation_of(process: ConfigNode) -> tuple[str | None, frozenset[str]]:
    """A BGP process's ``bgp confederation identifier`` and ``bgp confederation peers`` (IOS, FRR).

    >>> from muronet.platforms import get_platform
    >>> tree = get_platform("frr").parse("router bgp 65001\\n bgp confederation identifier 100\\n"
    ...                                  " bgp confederation peers 65002 65003\\n")
    >>> identifier, peers = confederation_of(next(iter(tree.children)))
    >>> identifier, sorted(peers)
    ('100', ['65002', '65003'])
    """
    identifier, peers = None, set()
    for child in process.children:
        words = child.text.split()
        match words:
            case ["bgp", "confederation", "identifier", value]:
                identifier = value
            case ["bgp", "confederation", "peers", *members]:
                peers.update(members)
    return identifier, frozenset(peers)


_NEIGHBOR = re.compile(r"^neighbor (\d+\.\d+\.\d+\.\d+) (\S+)(?: (.*))?$")
_GROUP_SETTING = re.compile(r"^neighbor ([A-Za-z][\w-]*) (remote-as|password|ttl-security|ebgp-multihop|update-source)"
                            r"(?: (.*))?$")


@per_device
def bgp_neighbors(audit: DeviceAudit) -> list[BgpNeighbor]:
    """Every IPv4 neighbour of every BGP process, with its settings and active address families
    (IPv4 unicast active by default unless ``no bgp default ipv4-unicast``)."""
    found: dict[tuple[str | None, IPv4Address], BgpNeighbor] = {}
    for process in audit.top("router bgp "):
        words = process.text.split()
        local_as, process_vrf = words[2], process_vrf_of(process.text)
        default_v4 = not any(c.text == "no bgp default ipv4-unicast" for c in process.children)
        confederation, confederation_peers = confederation_of(process)
        blocks = [(process_vrf, None, process)] + [
            (c.text.split()[-1] if " vrf " in c.text else process_vrf, " ".join(c.text.split()[1:3]), c)
            for c in process.children if c.text.startswith("address-family ")]
        for vrf, family, block in blocks:
            for child in block.children:
                match = _NEIGHBOR.match(child.text)
                if not match or not _is_address(match.group(1)):
                    continue
                key = (vrf, IPv4Address(match.group(1)))
                neighbor = found.setdefault(key, BgpNeighbor(audit.name, vrf, local_as, key[1], audit.line_of(child),
                                                             ipv4_by_default=default_v4, confederation=confederation,
                                                             confederation_peers=confederation_peers))
                _neighbor_setting(neighbor, family, match.group(2), match.group(3) or "")
            for child in block.children:  # ``no neighbor X activate`` takes a default family away
                off = re.match(r"no neighbor (\S+) activate$", child.text)
                if off and _is_address(off.group(1)) and (vrf, IPv4Address(off.group(1))) in found:
                    found[(vrf, IPv4Address(off.group(1)))].families.discard(
                        "ipv4 unicast" if family in (None, "ipv4 unicast", "ipv4") else family)
    groups = _peer_groups(audit)
    for neighbor in found.values():
        group = groups.get(neighbor.settings.get("peer-group", ""), {})
        neighbor.settings = {**group, **neighbor.settings}  # a member's own settings win over its group's
        if "remote-as" in group and not neighbor.families and neighbor.ipv4_by_default:
            neighbor.families.add("ipv4 unicast")
        neighbor.families = {"ipv4 unicast" if f in ("ipv4", "ipv4 vrf") else f for f in neighbor.families}
    # a neighbour no ``remote-as`` makes (its own or its group's) does not exist: FRR and IOS refuse its lines
    return [n for n in found.values() if "remote-as" in n.settings]


def _neighbor_setting(neighbor: BgpNeighbor, family: str | None, setting: str, value: str) -> None:
    """One ``neighbor ADDRESS SETTING [VALUE]`` line of the process (``family`` None) or of an
    address family: ``activate`` turns the family on, ``remote-as`` the IPv4 unicast one unless
    ``no bgp default ipv4-unicast``; a setting is kept at its first line."""
    if setting == "activate":
        neighbor.families.add(family or "ipv4 unicast")
    elif family is None or setting == "remote-as":
        neighbor.settings.setdefault(setting, value)
    if setting == "remote-as" and neighbor.ipv4_by_default and (family is None or family.startswith("ipv4")):
        neighbor.families.add("ipv4 unicast")


def _is_address(text: str) -> bool:
    try:
        IPv4Address(text)
    except ValueError:
        return False
    return True


def _peer_groups(audit: DeviceAudit) -> dict[str, dict[str, str]]:
    """The session settings of every peer group (``neighbor NAME remote-as …`` and the like)."""
    groups: dict[str, dict[str, str]] = {}
    for process in audit.top("router bgp "):
        for child in process.children:
            match = _GROUP_SETTING.match(child.text)
            if match:
                groups.setdefault(match.group(1), {}).setdefault(match.group(2), match.group(3) or "")
    return groups


@dataclass(frozen=True)
class SessionCheck:
    device: str
    neighbor: BgpNeighbor
    severity: str  # of its problems: critical on the LGWAN line
    peer: str | None  # the configured device at the far end
    reasons: tuple[tuple[str, str], ...]  # (the check that decided it, why it cannot come up); empty: it can
    checked: bool  # False: the far end is in no configuration and no circuit


LISTEN_RANGE = re.compile(r"bgp listen range (\S+) peer-group (\S+)$")


def _md5_keys(texts: list[str]) -> tuple[tuple[str, str], ...]:
    """``ip ospf message-digest-key ID md5 KEY`` lines of an interface: (ID, KEY), sorted."""
    keys = []
    for text in texts:
        match text.split():
            case ["ip", "ospf", "message-digest-key", key_id, *rest] if rest:
                keys.append((key_id, rest[-1]))
    return tuple(sorted(keys))


def process_vrf_of(text: str) -> str | None:
    """The VRF of a ``router bgp AS [vrf NAME]`` line (None: the global table).

    >>> process_vrf_of("router bgp 64601 vrf LGWAN"), process_vrf_of("router bgp 64601")
    ('LGWAN', None)
    """
    match text.split():
        case ["router", "bgp", _, "vrf", name, *_]:
            return name
    return None


def process_asn(text: str) -> str | None:
    """The AS of a ``router bgp AS [vrf NAME]`` line (None: a line without one).

    >>> process_asn("router bgp 64601 vrf LGWAN"), process_asn("router bgp")
    ('64601', None)
    """
    match text.split():
        case ["router", "bgp", asn, *_]:
            return asn
    return None


def session_severity(index: InventoryIndex, address: IPv4Address) -> str:
    """A session that cannot come up: critical on the LGWAN line, else high."""
    circuit = next((c for c in index.inventory.circuits if c.peer_address == address), None)
    return "critical" if circuit is not None and circuit.kind == "lgwan_access" else "high"


def listen_ranges(audit: DeviceAudit) -> list[tuple[str | None, IPv4Network, str]]:
    """Every ``bgp listen range PREFIX peer-group NAME``: (VRF, prefix, peer group)."""
    found = []
    for process in audit.top("router bgp "):
        vrf = process_vrf_of(process.text)
        for child in process.children:
            listen = LISTEN_RANGE.match(child.text)
            if listen:
                try:
                    found.append((vrf, IPv4Network(listen.group(1), strict=False), listen.group(2)))
                except ValueError:
                    continue
    return found


def _far_statement(neighbor: BgpNeighbor, own: list[L3Interface], far_audit: DeviceAudit,
                   far_neighbors: list[BgpNeighbor]) -> BgpNeighbor | None:
    """The far end's neighbour statement for this session: one naming an address of this device (the
    one its ``update-source`` (a port or an address) or its port on the peer's subnet gives, first),
    else the neighbour a ``bgp listen range`` of the far end makes of one of this device's addresses."""
    addresses = {port.address.ip for port in own}
    source = neighbor.settings.get("update-source", "").lower()
    preferred = [p.address.ip for p in own if source in (p.name.lower(), str(p.address.ip))] + \
        [p.address.ip for p in own if neighbor.address in p.address.network]
    statements = [n for n in far_neighbors if n.address in addresses]
    for address in preferred:
        found = next((n for n in statements if n.address == address), None)
        if found is not None:
            return found
    if statements:
        return statements[0]
    groups = _peer_groups(far_audit)
    for vrf, network, group in listen_ranges(far_audit):
        listened = next((a for a in [*preferred, *sorted(addresses)] if a in network), None)
        if listened is not None and vrf == neighbor.vrf:
            settings = {**groups.get(group, {}), "peer-group": group}
            return BgpNeighbor(far_audit.name, vrf, _process_as(far_audit, vrf), listened, None, settings,
                               {"ipv4 unicast"} if "remote-as" in settings else set())
    return None


def _process_as(audit: DeviceAudit, vrf: str | None) -> str:
    for process in audit.top("router bgp "):
        asn = process_asn(process.text)
        if process_vrf_of(process.text) == vrf and asn is not None:
            return asn
    return ""


def session_checks(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> list[SessionCheck]:
    """Every configured session, with what in the configurations keeps it down (nothing: it can
    come up, if the routing model finds the transport: ``muronet.analysis.bgp``)."""
    owners: dict[IPv4Address, list[str]] = {}  # an address configured twice has two owners
    for name, audit in audits.items():
        for l3 in l3_interfaces(audit):
            owners.setdefault(l3.address.ip, []).append(name)
    neighbors = {name: bgp_neighbors(audit) for name, audit in audits.items()}
    circuits = {c.peer_address: c for c in index.inventory.circuits}
    checks = []
    for name, own in sorted(neighbors.items()):
        local = l3_interfaces(audits[name])
        for neighbor in own:
            circuit = circuits.get(neighbor.address)
            severity = session_severity(index, neighbor.address)
            reasons: list[tuple[str, str]] = []
            others = [o for o in owners.get(neighbor.address, ()) if o != name]
            own_addresses = [port for port in local if port.vrf == neighbor.vrf]
            statements = [(o, far) for o in others
                          if (far := _far_statement(neighbor, own_addresses, audits[o], neighbors[o])) is not None]
            peer = statements[0][0] if statements else others[0] if others else None
            if others and not statements:
                reasons.append(("peer", f"{peer} has no neighbour for any address of {name}"))
            elif statements:
                fewest = min((bgp_differences(neighbor, far) for _, far in statements), key=len)
                reasons += fewest
            elif circuit is not None:
                reasons += [("circuit", r) for r in _circuit_differences(index, name, neighbor, circuit)]
            checks.append(SessionCheck(name, neighbor, severity, peer, tuple(reasons),
                                       bool(others) or circuit is not None))
    return checks


def _circuit_differences(index: InventoryIndex, name: str, neighbor: BgpNeighbor, circuit: Circuit) -> list[str]:
    """A session with a circuit's far end, against what the inventory says of it: its AS, the
    session password the inventory names, and TTL security (the far ends of the city's circuits
    use GTSM, one hop)."""
    reasons = []
    if neighbor.settings.get("remote-as") not in (str(circuit.peer_asn), "external"):
        reasons.append(f"remote-as {neighbor.settings.get('remote-as')}, the circuit {circuit.cid} says "
                       f"{circuit.peer_asn}")
    device = index.devices.get(name)
    agreed = next((n.password_secret for n in (device.bgp.neighbors if device and device.bgp else ())
                   if n.address == neighbor.address and n.password_secret), None)
    if agreed is not None and not same_secret(neighbor.settings.get("password"), reference(agreed)):
        reasons.append(f"the password is not the one agreed for the circuit {circuit.cid} (secret {agreed})"
                       if "password" in neighbor.settings else f"no password; the circuit {circuit.cid} has one")
    if "ttl-security" not in neighbor.settings:
        reasons.append(f"no TTL security (GTSM): the far end of {circuit.cid} requires it")
    return reasons


def bgp_findings(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> list[Finding]:
    """Every configured session that cannot come up, and why."""
    found = []
    for check in session_checks(index, audits):
        label = f"BGP session {check.device} → {check.neighbor.address}"
        if not check.checked:
            found.append(Finding("bgp-session", "medium", check.device, check.neighbor.line, f"{label}: the far end "
                                 "is in no configuration and no circuit of the inventory: not checked"))
        found += [session_finding(check.device, check.neighbor, check.severity, check.peer, decided, reason)
                  for decided, reason in check.reasons]
    return found


def session_finding(device: str, neighbor: BgpNeighbor, severity: str, peer: str | None, check: str,
                    reason: str) -> Finding:
    """A session that cannot come up, with the check that decided it."""
    return Finding("bgp-session", severity, device, neighbor.line,
                   f"BGP session {device} → {neighbor.address}: {reason} [{check}]", peer)


def bgp_differences(a: BgpNeighbor, b: BgpNeighbor) -> list[tuple[str, str]]:
    reasons = []
    for mine, theirs in ((a, b), (b, a)):
        remote = mine.settings.get("remote-as", "")
        expected = {"internal": theirs.local_as == mine.local_as, "external": theirs.local_as != mine.local_as}
        dual = "dual-as" in theirs.settings.get("local-as", "").split() and remote == theirs.local_as
        if not expected.get(remote, remote == theirs.seen_as or dual):
            reasons.append(("remote-as", f"{mine.device} expects AS {remote}, {theirs.device} is AS {theirs.seen_as}"))
    if not same_secret(a.settings.get("password"), b.settings.get("password")):
        both = "password" in a.settings and "password" in b.settings
        reasons.append(("password", "the passwords differ" if both else "a password on one end only"))
    if ("ttl-security" in a.settings) != ("ttl-security" in b.settings):
        reasons.append(("ttl-security", "TTL security (GTSM) on one end only"))
    if not a.families & b.families:
        reasons.append(("address-family", f"no address family in common ({_families(a)} / {_families(b)})"))
    return reasons


def same_secret(a: str | None, b: str | None) -> bool:
    """Whether two secrets as configurations show them can be equal. Two texts of one kind (two
    vault names of renderings, two fingerprints of backups under one salt, two clear texts) are
    compared; of different kinds they cannot be (the analysis holds neither salt nor vault), and no
    difference is claimed.

    >>> same_secret("<secret:bgp_lgwan>", "<secret:bgp_lgwan>"), same_secret("<secret:bgp_lgwan>", "<secret:x>")
    (True, False)
    >>> same_secret("<secret:sha-1a2b3c4d>", "<secret:bgp_lgwan>"), same_secret("Pw-one", "<secret:bgp_lgwan>")
    (True, True)
    """
    if a is None or b is None:
        return a == b

    def kind(text: str) -> str:
        return "name" if REFERENCE.fullmatch(text) else "fingerprint" if PLACEHOLDER.fullmatch(text) else "clear"

    return a == b or kind(a) != kind(b)


def _families(neighbor: BgpNeighbor) -> str:
    return ", ".join(sorted(neighbor.families)) or "none"
