"""Each configuration read once into what the routing model needs, FRR and Cisco IOS alike: the
ports that are up with their table and OSPF settings, static routes, the OSPF and BGP processes
with their redistribution and policies, VRRP gateways.

A table is named as FRR's JSON names it: ``default`` for the global table, else the VRF's name. A
port the inventory does not list on a device it knows is taken as absent (the hardware has no
such port; the twin builds none), as is a port that is ``shutdown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from itertools import pairwise

from muronet.analysis.policies import Policies
from muronet.analysis.prefixes import interned
from muronet.analysis.sessions import (
    AREA_KIND,
    LISTEN_RANGE,
    BgpNeighbor,
    OspfPort,
    bgp_neighbors,
    confederation_of,
    dotted_area,
    ospf_ports,
    process_asn,
    process_vrf_of,
)
from muronet.inventory.model import InterfaceRole
from muronet.platforms import get_platform
from muronet.platforms.base import Platform
from muronet.policy.context import ConfigNode, DeviceAudit
from muronet.policy.zonemap import inventory_ports, l3_interfaces, static_routes

DEFAULT = "default"
_COST = re.compile(r"ip ospf cost (\d+)$")
_BANDWIDTH = re.compile(r"bandwidth (\d+)$")
_REDISTRIBUTE = re.compile(r"redistribute (static|connected|bgp|ospf|kernel)\b(.*)$")
_DEFAULT_ORIGINATE = re.compile(r"default-information originate\b(.*)$")
_NEIGHBOR_POLICY = re.compile(r"neighbor (\S+) (route-map|prefix-list) (\S+) (in|out)$")
_NEIGHBOR_FLAG = re.compile(r"neighbor (\S+) (maximum-prefix|default-originate|next-hop-self|route-reflector-client|"
                            r"send-community|weight|advertise additional-paths|addpath-tx-all-paths)\b(?: (\d+))?")
_ADDITIONAL_PATHS = re.compile(r"bgp additional-paths ((?:send|receive)(?: (?:send|receive))?)$")
_MAXIMUM_PATHS = re.compile(r"maximum-paths (?:(ibgp|eibgp) )?(\d+)$")
_AGGREGATE = re.compile(r"aggregate-address (\S+)(?: (\d+\.\d+\.\d+\.\d+))?(.*)$")
# FRR and classic IOS ``vrrp N ip A`` / ``vrrp N priority P``, HSRP ``standby N ip A``; IOS-XE's
# VRRPv3 block ``vrrp N address-family ipv4`` holding ``priority P`` and ``address A primary``.
_VRRP_ADDRESS = re.compile(r"(?:vrrp|standby) (\d+) ip (\d+\.\d+\.\d+\.\d+)")
_VRRP_PRIORITY = re.compile(r"(?:vrrp|standby) (\d+) priority (\d+)$")
_VRRP_BLOCK = re.compile(r"vrrp (\d+) address-family ipv4$")

MAX_DISTANCE = 255  # an administrative distance's largest value (255: never installed)


def table_name(vrf: str | None) -> str:
    return vrf or DEFAULT


@dataclass(frozen=True)
class Origin:
    """The configuration line a route or a flow comes from."""

    device: str
    line: int | None
    text: str

    def __str__(self) -> str:  # without its line: lines move with every change, the text stays
        return f"{self.device} '{self.text}'"


@dataclass(frozen=True)
class Port:
    name: str
    table: str
    address: IPv4Interface
    prefix: IPv4Network  # its subnet (a loopback: its /32)
    loopback: bool
    ospf: OspfPort | None  # None: no OSPF on it
    cost: int
    line: int | None


@dataclass(frozen=True)
class Static:
    table: str
    prefix: IPv4Network
    next_hop: IPv4Address | None
    interface: str | None
    next_hop_table: str  # where the next hop is looked up (FRR nexthop-vrf, IOS global)
    blackhole: bool
    distance: int
    origin: Origin


@dataclass(frozen=True)
class Redistribution:
    source: str  # static, connected, bgp, ospf, kernel, default (default-information originate)
    route_map: str | None
    metric: int | None
    metric_type: int
    always: bool  # default-information originate always
    origin: Origin


@dataclass(frozen=True)
class AreaRange:
    """``area A range P [not-advertise] [cost N]``: an ABR's one summary for the routes of A within P."""

    prefix: IPv4Network
    advertise: bool
    cost: int | None  # None: the largest cost of the routes it covers (FRR 8.4, RFC 2328 12.4.3)
    origin: Origin


@dataclass
class OspfArea:
    """An area's settings in one process; the routers of a stub area must all say so (their hellos
    carry it), ``no-summary`` and ``default-cost`` matter on its ABRs."""

    kind: str = "normal"  # normal, stub, nssa
    no_summary: bool = False  # totally stubby: the ABR sends a default route and nothing else
    default_cost: int = 1  # the cost of the default route the ABR sends into a stub area
    ranges: list[AreaRange] = field(default_factory=list)
    virtual_links: list[IPv4Address] = field(default_factory=list)  # the far ABRs' router ids


@dataclass
class OspfProcess:
    table: str
    redistributions: list[Redistribution] = field(default_factory=list)
    reference_bandwidth: int | None = None  # auto-cost reference-bandwidth, Mbit/s
    router_id: IPv4Address | None = None  # ospf router-id (FRR), router-id (IOS, FRR's old spelling)
    areas: dict[str, OspfArea] = field(default_factory=dict)  # dotted area → its settings (when any)

    def area(self, area: str) -> OspfArea:
        return self.areas.get(area) or OspfArea()


@dataclass
class Neighbor:
    session: BgpNeighbor
    policy: dict[tuple[str, str], str] = field(default_factory=dict)  # (route-map|prefix-list, in|out) → name
    maximum_prefix: int | None = None
    default_originate: bool = False
    next_hop_self: bool = False
    route_reflector_client: bool = False
    send_community: bool = False
    weight: int = 0
    dynamic: bool = False  # made by a ``bgp listen range`` for a peer that connected
    add_paths: bool = False  # sends it every path, not only the best (ADD-PATH: IOS ``advertise
    # additional-paths``, FRR ``addpath-tx-all-paths``)

    @property
    def address(self) -> IPv4Address:
        return self.session.address


@dataclass(frozen=True)
class Aggregate:
    prefix: IPv4Network
    summary_only: bool
    as_set: bool
    origin: Origin


@dataclass
class BgpProcess:
    table: str
    asn: str
    requires_policy: bool
    sends_communities: bool  # to a neighbour without ``send-community`` (FRR yes, IOS no)
    networks: list[tuple[IPv4Network, Origin]] = field(default_factory=list)
    redistributions: list[Redistribution] = field(default_factory=list)
    neighbors: list[Neighbor] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)
    listen_ranges: list[tuple[IPv4Network, Neighbor]] = field(default_factory=list)  # dynamic neighbours
    ebgp_paths: int = 1  # maximum-paths
    ibgp_paths: int = 1
    always_compare_med: bool = False
    router_id: IPv4Address | None = None
    confederation: str | None = None  # bgp confederation identifier: the AS it is outside the confederation
    add_paths: set[str] = field(default_factory=set)  # ADD-PATH capabilities: "send", "receive"


@dataclass(frozen=True)
class Gateway:
    """A VRRP virtual address on a port, with the router's priority for it."""

    table: str
    address: IPv4Address
    priority: int
    port_address: IPv4Address


@dataclass
class Router:
    name: str
    ports: list[Port]
    statics: list[Static]
    policies: Policies
    ospf: dict[str, OspfProcess]
    bgp: dict[str, BgpProcess]
    gateways: list[Gateway]
    platform: Platform  # what its software does where platforms differ

    @property
    def tables(self) -> set[str]:
        return {p.table for p in self.ports} | {s.table for s in self.statics} | set(self.ospf) | set(self.bgp)

    def ports_in(self, table: str) -> list[Port]:
        return [p for p in self.ports if p.table == table]


def read_router(audit: DeviceAudit) -> Router:
    platform = get_platform(audit.platform)
    ospf = _ospf_processes(audit)
    ports = _ports(audit, platform, ospf)
    up = {p.address.ip for p in ports}
    return Router(audit.name, ports, _statics(audit), Policies.of(audit), ospf,
                  _bgp_processes(audit, platform),
                  sorted({g for g in _gateways(audit) if g.port_address in up}, key=lambda g: (g.table, g.address)),
                  platform)


def _ports(audit: DeviceAudit, platform: Platform, processes: dict[str, OspfProcess]) -> list[Port]:
    known = inventory_ports(audit)
    ospf = ospf_ports(audit)
    ports = []
    for l3 in l3_interfaces(audit):
        texts = [c.text for c in l3.node.children]
        if "shutdown" in texts or (audit.device is not None and l3.name not in known):
            continue
        loopback = l3.role == InterfaceRole.LOOPBACK or l3.name == "lo" or l3.name.lower().startswith("loopback")
        setting = ospf.get(l3.name)
        in_ospf = setting if setting is not None and setting.area is not None and setting.address == l3.address \
            else None
        cost = next((int(m.group(1)) for t in texts if (m := _COST.match(t))), None)
        if cost is None:
            bandwidth = next((int(m.group(1)) for t in texts if (m := _BANDWIDTH.match(t))), None)
            process = processes.get(table_name(l3.vrf))
            cost = platform.ospf_cost(l3.name, loopback, bandwidth, process.reference_bandwidth if process else None)
        subnet = interned(IPv4Network(f"{l3.address.ip}/32") if loopback else l3.address.network)
        ports.append(Port(l3.name, table_name(l3.vrf), l3.address, subnet, loopback, in_ospf, cost,
                          audit.line_of(l3.node)))
    return ports


def _statics(audit: DeviceAudit) -> list[Static]:
    found = []
    for route in static_routes(audit):
        words = route.text.split()
        distance = next((int(w) for before, w in pairwise(words[2:]) if w.isdigit()
                         and 1 <= int(w) <= MAX_DISTANCE and before not in ("tag", "label", "table", "name", "track")),
                        1)
        table = table_name(route.vrf)
        hop_table = DEFAULT if route.nexthop_vrf in ("global", "default") else (route.nexthop_vrf or table)
        blackhole = any(w.lower() in ("blackhole", "reject", "null0") for w in words)
        found.append(Static(table, interned(route.prefix), route.next_hop, route.interface, hop_table, blackhole,
                            distance, Origin(audit.name, route.line, route.text)))
    return found


def _redistribution(audit: DeviceAudit, child: ConfigNode) -> Redistribution | None:
    found = _REDISTRIBUTE.match(child.text)
    default = _DEFAULT_ORIGINATE.match(child.text)
    if not found and not default:
        return None
    rest = (found.group(2) if found else default.group(1)).split()  # type: ignore[union-attr]

    def value(word: str) -> str | None:
        return rest[rest.index(word) + 1] if word in rest[:-1] else None

    metric, metric_type = value("metric"), value("metric-type")
    return Redistribution(found.group(1) if found else "default", value("route-map"),
                          int(metric) if metric and metric.isdigit() else None,
                          1 if metric_type == "1" else 2, "always" in rest, Origin(audit.name, audit.line_of(child),
                                                                                   child.text))


def _ospf_processes(audit: DeviceAudit) -> dict[str, OspfProcess]:
    processes: dict[str, OspfProcess] = {}
    for node in audit.top("router ospf"):
        vrf = re.search(r" vrf (\S+)", node.text)
        process = processes.setdefault(table_name(vrf.group(1) if vrf else None),
                                       OspfProcess(table_name(vrf.group(1) if vrf else None)))
        process.redistributions += [r for c in node.children if (r := _redistribution(audit, c)) is not None]
        for child in node.children:
            _read_ospf_setting(audit, child, process)
    return processes


_AREA_RANGE = re.compile(r"area (\S+) range (\S+)(?: (\d+\.\d+\.\d+\.\d+))?(.*)$")
_AREA_DEFAULT_COST = re.compile(r"area (\S+) default-cost (\d+)$")
_REFERENCE_BANDWIDTH = re.compile(r"auto-cost reference-bandwidth (\d+)$")
_ROUTER_ID = re.compile(r"(?:ospf )?router-id (\d+\.\d+\.\d+\.\d+)$")
_VIRTUAL_LINK = re.compile(r"area (\S+) virtual-link (\d+\.\d+\.\d+\.\d+)\b")


def _read_ospf_setting(audit: DeviceAudit, child: ConfigNode, process: OspfProcess) -> None:
    """One line of ``router ospf``: the reference bandwidth, the router id, an area's kind, default
    cost, ranges and virtual links."""
    text = child.text

    def area(found: re.Match[str]) -> OspfArea:  # the settings of the area a line names (group 1)
        return process.areas.setdefault(dotted_area(found.group(1)), OspfArea())

    if found := _REFERENCE_BANDWIDTH.match(text):
        process.reference_bandwidth = int(found.group(1))
    elif (found := _ROUTER_ID.match(text)) and (address := _address(found.group(1))) is not None:
        process.router_id = address
    elif (found := _VIRTUAL_LINK.match(text)) and (address := _address(found.group(2))) is not None:
        area(found).virtual_links.append(address)
    elif found := AREA_KIND.match(text):
        area(found).kind, area(found).no_summary = found.group(2), "no-summary" in found.group(3).split()
    elif found := _AREA_DEFAULT_COST.match(text):
        area(found).default_cost = int(found.group(2))
    elif (found := _AREA_RANGE.match(text)) and (
            prefix := _prefix(f"{found.group(2)}/{found.group(3)}" if found.group(3) else found.group(2))):
        words = found.group(4).split()
        cost = words[words.index("cost") + 1] if "cost" in words[:-1] else None
        area(found).ranges.append(AreaRange(prefix, "not-advertise" not in words,
                                            int(cost) if cost and cost.isdigit() else None,
                                            Origin(audit.name, audit.line_of(child), text)))


def _bgp_processes(audit: DeviceAudit, platform: Platform) -> dict[str, BgpProcess]:
    processes: dict[str, BgpProcess] = {}
    groups: dict[str, Neighbor] = {}
    sessions = {(table_name(n.vrf), n.address): n for n in bgp_neighbors(audit)}
    for node in audit.top("router bgp "):
        asn = process_asn(node.text)
        if asn is None:
            continue
        own = table_name(process_vrf_of(node.text))
        policy = platform.ebgp_requires_policy
        if any(c.text == "no bgp ebgp-requires-policy" for c in node.children):
            policy = False
        elif any(c.text == "bgp ebgp-requires-policy" for c in node.children):
            policy = True
        blocks = [(own, node)] + [(table_name(c.text.split()[-1]) if " vrf " in c.text else own, c)
                                  for c in node.children if c.text.startswith("address-family ipv4")]
        for table, block in blocks:
            process = processes.setdefault(table, BgpProcess(table, asn, policy, platform.bgp_sends_communities,
                                                             confederation=confederation_of(node)[0],
                                                             add_paths=set(platform.bgp_add_paths)))
            _read_bgp_block(audit, block, process, sessions, groups)
    for process in processes.values():
        for neighbor in process.neighbors:  # a member's own settings win over its peer group's
            _inherit(neighbor, groups.get(neighbor.session.settings.get("peer-group", "")))
        for _, neighbor in process.listen_ranges:
            _inherit(neighbor, groups.get(neighbor.session.settings.get("peer-group", "")))
    return processes


def _inherit(neighbor: Neighbor, group: Neighbor | None) -> None:
    if group is None:
        return
    neighbor.policy = {**group.policy, **neighbor.policy}
    for name in ("maximum_prefix", "default_originate", "next_hop_self", "route_reflector_client",
                 "send_community", "weight", "add_paths"):
        if not getattr(neighbor, name):
            setattr(neighbor, name, getattr(group, name))


def _read_bgp_block(audit: DeviceAudit, block: ConfigNode, process: BgpProcess,
                    sessions: dict[tuple[str, IPv4Address], BgpNeighbor], groups: dict[str, Neighbor]) -> None:
    by_address: dict[IPv4Address | str, Neighbor] = {n.address: n for n in process.neighbors}
    for (table, address), session in sessions.items():
        if table == process.table and address not in by_address:
            by_address[address] = Neighbor(session)
            process.neighbors.append(by_address[address])
    for child in block.children:
        origin = Origin(audit.name, audit.line_of(child), child.text)
        network = _network(child.text)
        redistribution = _redistribution(audit, child) if network is None else None
        if network is not None:
            process.networks.append((interned(network), origin))
        elif redistribution is not None:
            process.redistributions.append(redistribution)
        elif not _read_neighbor_line(child.text, by_address, groups, process):
            _read_process_line(audit.name, child.text, origin, process)


def _read_neighbor_line(text: str, by_address: dict[IPv4Address | str, Neighbor], groups: dict[str, Neighbor],
                        process: BgpProcess) -> bool:
    """A ``neighbor NAME …`` line that sets a policy or a flag of a neighbour or a peer group; whether
    ``text`` was one."""
    policy = _NEIGHBOR_POLICY.match(text)
    neighbor = _named(policy.group(1), by_address, groups, process) if policy else None
    if policy and neighbor is not None:
        neighbor.policy[(policy.group(2), policy.group(4))] = policy.group(3)
        return True
    flag = _NEIGHBOR_FLAG.match(text)
    neighbor = _named(flag.group(1), by_address, groups, process) if flag else None
    if flag and neighbor is not None:
        _set_flag(neighbor, flag.group(2), flag.group(3))
        return True
    return False


def _read_process_line(device: str, text: str, origin: Origin, process: BgpProcess) -> None:
    """A line of the process itself: multipath, an aggregate, a listen range, ADD-PATH, MED
    comparison, the router id."""
    words = text.split()
    paths = _MAXIMUM_PATHS.match(text)
    aggregate = _aggregate(text)
    listen = LISTEN_RANGE.match(text)
    listened = _prefix(listen.group(1)) if listen else None
    capability = _ADDITIONAL_PATHS.match(text)
    router_id = _router_id(words)
    if paths:
        if paths.group(1) in (None, "eibgp"):
            process.ebgp_paths = int(paths.group(2))
        if paths.group(1) in ("ibgp", "eibgp"):
            process.ibgp_paths = int(paths.group(2))
    elif aggregate is not None:
        process.aggregates.append(Aggregate(aggregate, "summary-only" in words, "as-set" in words, origin))
    elif listen and listened is not None:
        member = BgpNeighbor(device, None if process.table == DEFAULT else process.table, process.asn,
                             IPv4Address(0), origin.line, {"peer-group": listen.group(2)})
        process.listen_ranges.append((listened, Neighbor(member)))
    elif capability:
        process.add_paths.update(capability.group(1).split())
    elif text in ("bgp bestpath med always-compare", "bgp always-compare-med"):
        process.always_compare_med = True
    elif router_id is not None:
        process.router_id = router_id


def _router_id(words: list[str]) -> IPv4Address | None:
    """The address of a ``bgp router-id A`` line."""
    match words:
        case ["bgp", "router-id", address]:
            return _address(address)
    return None


def _named(name: str, by_address: dict[IPv4Address | str, Neighbor], groups: dict[str, Neighbor],
           process: BgpProcess) -> Neighbor | None:
    """The neighbour (an address) or the peer group (a name) a ``neighbor NAME …`` line sets."""
    address = _address(name)
    if address is not None:
        return by_address.get(address)
    if not name[:1].isalpha():
        return None
    if name not in groups:
        groups[name] = Neighbor(BgpNeighbor("", None, process.asn, IPv4Address(0), None))
    return groups[name]


def _set_flag(neighbor: Neighbor, flag: str, value: str | None) -> None:
    if flag == "maximum-prefix" and value:
        neighbor.maximum_prefix = int(value)
    elif flag == "weight" and value:
        neighbor.weight = int(value)
    elif flag in ("default-originate", "next-hop-self", "route-reflector-client", "send-community"):
        setattr(neighbor, flag.replace("-", "_"), True)
    elif flag in ("advertise additional-paths", "addpath-tx-all-paths"):
        neighbor.add_paths = True


def _prefix(text: str) -> IPv4Network | None:
    try:
        return interned(IPv4Network(text, strict=False))
    except ValueError:
        return None


def _aggregate(text: str) -> IPv4Network | None:
    """``aggregate-address A/L`` (FRR) or ``aggregate-address A MASK`` (both)."""
    found = _AGGREGATE.match(text)
    if not found:
        return None
    return _prefix(f"{found.group(1)}/{found.group(2)}" if found.group(2) else found.group(1))


def _address(text: str) -> IPv4Address | None:
    try:
        return IPv4Address(text)
    except ValueError:
        return None


def _classful_length(address: IPv4Address) -> int:
    """The prefix length of an address's class (A, B, C), as a ``network`` line without a mask has it.

    >>> [_classful_length(IPv4Address(a)) for a in ("10.1.0.0", "172.16.0.0", "192.168.1.0")]
    [8, 16, 24]
    """
    for network, length in _CLASSES:
        if address in network:
            return length
    return 24


_CLASSES = ((IPv4Network("0.0.0.0/1"), 8), (IPv4Network("128.0.0.0/2"), 16))  # class A, class B


def _network(text: str) -> IPv4Network | None:
    """``network A/L`` (FRR) or ``network A mask M`` / ``network A`` (IOS, classful) of a BGP block."""
    try:
        match text.split():
            case ["network", prefix, *_] if "/" in prefix:
                return IPv4Network(prefix, strict=False)
            case ["network", address, "mask", mask, *_]:
                return IPv4Network(f"{address}/{mask}", strict=False)
            case ["network", address, *_]:
                return IPv4Network(f"{address}/{_classful_length(IPv4Address(address))}", strict=False)
    except ValueError:
        return None
    return None


def _gateways(audit: DeviceAudit) -> list[Gateway]:
    found = []
    for l3 in l3_interfaces(audit):
        priorities: dict[str, int] = {}
        addresses = []
        for child in l3.node.children:
            if (priority := _VRRP_PRIORITY.match(child.text)):
                priorities[priority.group(1)] = int(priority.group(2))
            elif (address := _VRRP_ADDRESS.match(child.text)):
                addresses.append((address.group(1), IPv4Address(address.group(2))))
            elif (block := _VRRP_BLOCK.match(child.text)):
                for child_text in (c.text for c in child.children):
                    match child_text.split():
                        case ["priority", value] if value.isdigit():
                            priorities[block.group(1)] = int(value)
                        case ["address", address, *_] if _address(address) is not None:
                            addresses.append((block.group(1), IPv4Address(address)))
        found += [Gateway(table_name(l3.vrf), vip, priorities.get(vrid, 100), l3.address.ip) for vrid, vip in addresses
                  if vip in l3.address.network]
    return found
