"""BGP from the configurations: which sessions come up, what each side sends, accepts and selects.

A session is configured when ``muronet.analysis.sessions`` finds both ends configured for each other
(a static neighbour, or a ``bgp listen range`` of the far end's peer group) with nothing that keeps it
down (AS numbers, passwords, GTSM, a family in common). It comes up, each round, when the protocols'
transport holds in the previous round's tables: each end has a route to the other's address; one
end opens the connection from the address the other expects (its ``update-source``, else the
address of the port its route to the peer leaves by); an eBGP peer off the connected subnets needs
``ebgp-multihop``, ``ttl-security`` or ``disable-connected-check`` (iBGP is multihop by default on
both platforms). A session that does not come up is named with the check that decided it.

Each speaker originates its ``network`` statements whose prefix is in its table exactly, what it
redistributes, and its ``aggregate-address`` prefixes while a more specific BGP route exists (a
discard route in its own table; ``summary-only`` withholds the more specific ones, ``as-set`` carries
their AS numbers). It sends its best paths through its outbound policy (eBGP: nothing without one
where the platform requires it; iBGP-learned paths to iBGP peers only as a route reflector does;
communities only where the platform or ``send-community`` says; ``default-originate`` regardless) and
accepts through its inbound policy, dropping paths that carry its own AS. A session whose accepted
prefixes exceed its ``maximum-prefix`` goes down. Best path, in the order both platforms share:
weight, local preference, locally originated, AS-path length, origin, MED (between paths from one
neighbouring AS, or all with ``always-compare-med``), eBGP over iBGP, IGP cost to the next hop
(an iBGP next hop must resolve, never through the default route), the lowest router id, the lowest
neighbour address. ``maximum-paths`` installs the paths equal to the best down to the IGP cost (and
the AS path). Installed at distance 20 (eBGP) or 200 (iBGP and aggregates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Network

from muronet.analysis.policies import ORIGINS, Attributes
from muronet.analysis.prefixes import interned
from muronet.analysis.routers import BgpProcess, Neighbor, Origin, Router
from muronet.analysis.routes import NextHop, Rib, Route

Node = tuple[str, str]
SessionKey = tuple[str, str, IPv4Address]  # (router, table, neighbour address)
DEFAULT_ROUTE = interned(IPv4Network("0.0.0.0/0"))
_MULTIHOP = ("ebgp-multihop", "ttl-security", "disable-connected-check")


@dataclass(frozen=True)
class Path:
    attributes: Attributes
    next_hop: IPv4Address | None  # None: originated here
    learned_from: IPv4Address | None
    external: bool
    origin: Origin
    from_client: bool = False  # learned from a route-reflector client
    sender_id: int = 0  # the router id of the speaker it came from
    aggregate: bool = False
    confed: bool = False  # learned from a peer in another member AS of the confederation
    # its next hop may be reached through other routes: not for a single-hop eBGP session's paths,
    # which the routing table takes only with the next hop on a connected subnet (FRR 8.4's zebra
    # without ZEBRA_FLAG_ALLOW_RECURSION, bgp_zebra.c; IOS alike)
    recursive: bool = True

    @property
    def as_path(self) -> tuple[str, ...]:
        return self.attributes.as_path


@dataclass(frozen=True)
class Session:
    """One direction of an established session: ``speaker`` sends to ``receiver``."""

    speaker: Node
    sending: Neighbor  # the speaker's neighbour statement for the receiver
    receiver: Node
    receiving: Neighbor  # the receiver's for the speaker

    @property
    def external(self) -> bool:
        """eBGP: between two ASes (not two member ASes of one confederation)."""
        return self.sending.session.local_as != self.receiving.session.local_as and not self.confed

    @property
    def confed(self) -> bool:
        """Between two member ASes of one confederation: eBGP's transport, iBGP's attributes (RFC 5065)."""
        return self.sending.session.local_as != self.receiving.session.local_as and self.sending.session.confed


@dataclass(frozen=True)
class Down:
    """Why a configured session does not come up, and the check that decided it."""

    check: str  # reachability, update-source, ebgp-multihop, peer
    reason: str


def sessions(routers: dict[str, Router], checked: dict[SessionKey, bool], tables: dict[Node, Rib]
             ) -> tuple[list[Session], dict[SessionKey, Down]]:
    """Both directions of every session that comes up over ``tables``, and why each of the others
    does not. ``checked``: whether each configured session passed the configuration checks; a side
    not in it (a circuit's far end, whose side is the inventory's) is taken as ready."""
    owners: dict[IPv4Address, list[Node]] = {}
    for router in routers.values():
        for port in router.ports:
            owners.setdefault(port.address.ip, []).append((router.name, port.table))
    found: list[Session] = []
    down: dict[SessionKey, Down] = {}
    for router in routers.values():
        for table, process in router.bgp.items():
            for neighbor in process.neighbors:
                key = (router.name, table, neighbor.address)
                if not checked.get(key, True):
                    continue
                fars = [far for far in owners.get(neighbor.address, ()) if far[0] != router.name]
                found += _first_up(routers, (router.name, table), neighbor, fars, checked, tables, down)
    return found, down


def _first_up(routers: dict[str, Router], near: Node, neighbor: Neighbor, fars: list[Node],
              checked: dict[SessionKey, bool], tables: dict[Node, Rib], down: dict[SessionKey, Down]
              ) -> list[Session]:
    """The session ``neighbor`` makes with the first of the address's owners it comes up with (both
    directions for a listen range's neighbour: its far end has no statement of its own to walk);
    why not, in ``down``, when it comes up with none."""
    key = (near[0], near[1], neighbor.address)
    for far in fars:
        result = _connect(routers, near, neighbor, far, checked, tables)
        if isinstance(result, Down):
            down.setdefault(key, result)
            continue
        down.pop(key, None)
        up = [Session(near, neighbor, far, result)]
        return [*up, Session(far, result, near, neighbor)] if result.dynamic else up
    return []


def _connect(routers: dict[str, Router], near: Node, neighbor: Neighbor, far: Node, checked: dict[SessionKey, bool],
             tables: dict[Node, Rib]) -> Neighbor | Down:
    """The far end's statement for this session when it comes up, else why not."""
    near_router, far_router = routers[near[0]], routers[far[0]]
    far_process = far_router.bgp.get(far[1])
    if far_process is None:
        return Down("peer", f"{far[0]} runs no BGP in table {far[1]}")
    source, problem = source_address(near_router, near[1], neighbor, tables)
    if source is None:
        return Down("update-source" if "update-source" in neighbor.session.settings else "reachability", problem)
    own = {p.address.ip for p in near_router.ports_in(near[1])}
    statements = [n for n in far_process.neighbors if n.address in own
                  and checked.get((far[0], far[1], n.address), True)]
    back = next((n for n in statements if n.address == source), statements[0] if statements else None)
    if back is None:
        back = _dynamic(far_process, source)
        if back is None:
            return Down("peer", f"{far[0]} has no neighbour {source} (the address {near[0]} connects from)")
    external = near_router.bgp[near[1]].asn != far_process.asn
    for end, statement, target, table in ((near_router, neighbor, neighbor.address, near[1]),
                                          (far_router, back, back.address, far[1])):
        if not _reaches(tables, (end.name, table), target):
            return Down("reachability", f"{end.name} has no route to {target}")
        if external and not _on_link(routers, end, table, target, tables) and not _multihop(statement):
            return Down("ebgp-multihop", f"{end.name}: eBGP peer {target} is not one hop away (on a connected "
                                         "subnet, or by a static route to its own router) and the session is not "
                                         "multihop (ebgp-multihop, ttl-security or disable-connected-check)")
    if back.address == source:
        return back
    far_source, _ = source_address(far_router, far[1], back, tables)
    if far_source == neighbor.address:
        return back
    return Down("update-source", f"{near[0]} connects from {source}, {far[0]} expects {back.address}; "
                                 f"{far[0]} connects from {far_source or 'no address'}, {near[0]} expects "
                                 f"{neighbor.address}")


def _dynamic(process: BgpProcess, address: IPv4Address) -> Neighbor | None:
    """The neighbour a ``bgp listen range`` makes of a peer connecting from ``address``."""
    for network, template in process.listen_ranges:
        if address in network:
            return replace(template, session=replace(template.session, address=address), policy=dict(template.policy),
                           dynamic=True)
    return None


def source_address(router: Router, table: str, neighbor: Neighbor, tables: dict[Node, Rib]
                   ) -> tuple[IPv4Address | None, str]:
    """The address a router opens a session from: its ``update-source`` (a port or an address), else
    the address of the port its route to the peer leaves by; None with the reason when it has none."""
    named = neighbor.session.settings.get("update-source")
    ports = router.ports_in(table)
    if named:
        port = next((p for p in ports if p.name.lower() == named.lower() or str(p.address.ip) == named), None)
        if port is None:
            return None, f"{router.name}: update-source {named} is no port with an address in table {table}"
        return port.address.ip, ""
    rib = tables.get((router.name, table))
    route = rib.lookup(neighbor.address, installed=True) if rib is not None else None
    if route is None:
        return None, f"{router.name} has no route to {neighbor.address}"
    for hop in sorted(route.next_hops, key=str):
        toward = hop.address or neighbor.address
        port = next((p for p in ports if toward in p.address.network and not p.loopback), None) or \
            next((p for p in ports if p.name == hop.interface), None)
        if port is not None:
            return port.address.ip, ""
    return None, f"{router.name}: its route to {neighbor.address} leaves by no port of table {table}"


def _reaches(tables: dict[Node, Rib], node: Node, address: IPv4Address) -> bool:
    rib = tables.get(node)
    route = rib.lookup(address, installed=True) if rib is not None else None
    return route is not None and not any(h.blackhole for h in route.next_hops)


def _multihop(statement: Neighbor) -> bool:
    """Whether an eBGP neighbour statement lets the session past one hop."""
    return any(setting in statement.session.settings for setting in _MULTIHOP)


def _on_link(routers: dict[str, Router], router: Router, table: str, address: IPv4Address,
             tables: dict[Node, Rib]) -> bool:
    """Whether a single-hop eBGP peer is reachable as one: on a connected subnet, or, where the
    platform's connected check accepts a static route (FRR 8.4), by a static route whose next hop is
    the peer's own router: the session's packets live one hop (TTL 1), so a peer behind another
    router never answers, whatever the check says."""
    if any(address in p.address.network and not p.loopback for p in router.ports_in(table)):
        return True
    rib = tables.get((router.name, table)) if router.platform.ebgp_static_is_connected else None
    route = rib.lookup(address) if rib is not None else None
    if route is None or route.protocol != "static":
        return False
    return any(hop.address is not None and _one_router(routers, hop.address, address) for hop in route.next_hops)


def _one_router(routers: dict[str, Router], first: IPv4Address, second: IPv4Address) -> bool:
    """Whether one router has both addresses."""
    return any({first, second} <= {p.address.ip for p in r.ports} for r in routers.values())


def bgp_routes(routers: dict[str, Router], established: list[Session], tables: dict[Node, Rib]
               ) -> dict[Node, dict[IPv4Network, Route]]:
    """Every speaker's installed BGP routes, from the previous round's tables for what it originates
    and for the IGP cost of its next hops."""
    processes = {(r.name, t): (r, p) for r in routers.values() for t, p in r.bgp.items()}
    local = {node: _originated(router, process, tables.get(node)) for node, (router, process) in processes.items()}
    best: dict[Node, dict[IPv4Network, list[Path]]] = {node: {p: [path] for p, path in paths.items()}
                                                       for node, paths in local.items()}
    live = list(established)
    every: dict[Node, dict[IPv4Network, list[Path]]] = {}  # each speaker's usable paths, for ADD-PATH
    for _ in range(64):
        received: dict[Node, dict[IPv4Network, list[Path]]] = {}
        over = []
        for session in live:
            accepted = _exchange(processes, session, best, every)
            limit = session.receiving.maximum_prefix
            if limit is not None and len(accepted) > limit:
                over.append(session)
                continue
            for prefix, paths in accepted.items():
                received.setdefault(session.receiver, {}).setdefault(prefix, []).extend(paths)
        live = [s for s in live if s not in over and not any(
            o.speaker == s.receiver and o.receiver == s.speaker for o in over)]
        candidates = {node: _with_aggregates(process, local[node], received.get(node, {}))
                      for node, (_, process) in processes.items()}
        new = {node: _select(process, candidates[node], tables.get(node)) for node, (_, process) in processes.items()}
        every = {node: _usable(candidates[node], new[node], tables.get(node)) for node in candidates
                 if "send" in processes[node][1].add_paths}
        if new == best and not over:
            break
        best = new
    return {node: _installed(paths, tables.get(node)) for node, paths in best.items()}


def _usable(candidates: dict[IPv4Network, list[Path]], chosen: dict[IPv4Network, list[Path]], table: Rib | None
            ) -> dict[IPv4Network, list[Path]]:
    """Every path of each prefix whose next hop resolves, the chosen ones first: what ADD-PATH sends."""
    return {prefix: [*chosen[prefix], *(p for p in paths
                                        if p not in chosen[prefix] and _igp_cost(p, table) is not None)]
            for prefix, paths in candidates.items() if prefix in chosen}


def _installed(paths: dict[IPv4Network, list[Path]], table: Rib | None) -> dict[IPv4Network, Route]:
    """The routes the best paths put in the table: BGP selects a single-hop eBGP path whose next hop
    is not on a connected subnet (and advertises it), the table does not take it."""
    routes = {}
    for prefix, best in paths.items():
        chosen = [p for p in best if _installable(p, table)]
        if not chosen:
            continue
        first = chosen[0]
        if first.aggregate:
            routes[prefix] = Route(prefix, "bgp", 200, 0, frozenset({NextHop(blackhole=True)}), first.origin)
        elif first.learned_from is not None:
            routes[prefix] = Route(prefix, "bgp", 20 if first.external else 200, first.attributes.metric or 0,
                                   frozenset(NextHop(p.next_hop) for p in chosen), first.origin)
    return routes


def _installable(path: Path, table: Rib | None) -> bool:
    if path.recursive or path.next_hop is None:
        return True
    route = table.lookup(path.next_hop) if table is not None else None
    return route is not None and route.protocol == "connected"


def _originated(router: Router, process: BgpProcess, table: Rib | None) -> dict[IPv4Network, Path]:
    paths: dict[IPv4Network, Path] = {}
    if table is None:
        return paths
    for prefix, origin in process.networks:
        present = table.get(prefix)
        if present is not None and present.protocol != "bgp" and present.installed:
            metric = present.metric if router.platform.bgp_network_med_from_igp else 0
            paths[prefix] = Path(Attributes(prefix, metric=metric, weight=32768), None, None, False, origin)
    for redistribution in process.redistributions:
        for prefix, route in table.items() if redistribution.source == "ospf" else table.selected_own():
            if route.protocol != redistribution.source or not route.installed or prefix in paths:
                continue
            attributes = Attributes(prefix, metric=route.metric, weight=32768, origin="incomplete")
            if redistribution.route_map is not None:
                attributes = router.policies.apply(redistribution.route_map, attributes)  # type: ignore[assignment]
            if attributes is not None:
                paths[prefix] = Path(attributes, _gateway(route), None, False, redistribution.origin)
    return paths


def _gateway(route: Route) -> IPv4Address | None:
    """A redistributed route's BGP next hop: its gateway (FRR and IOS alike), else this router."""
    addresses = sorted(h.address for h in route.next_hops if h.address is not None and h.table is None)
    return addresses[0] if addresses else None


def _with_aggregates(process: BgpProcess, local: dict[IPv4Network, Path], received: dict[IPv4Network, list[Path]]
                     ) -> dict[IPv4Network, list[Path]]:
    """The candidates of every prefix: what the speaker originates, what it received, and its
    aggregates of those (each while a more specific one is among them)."""
    candidates = {prefix: [path] for prefix, path in local.items()}
    for prefix, paths in received.items():
        candidates.setdefault(prefix, []).extend(paths)
    for aggregate in process.aggregates:
        inside = [paths for prefix, paths in candidates.items()
                  if prefix != aggregate.prefix and prefix.subnet_of(aggregate.prefix)]
        if not inside:
            continue
        as_set = sorted({a for paths in inside for p in paths for a in p.as_path}) if aggregate.as_set else []
        attributes = Attributes(aggregate.prefix, weight=32768, origin="incomplete" if aggregate.as_set else "igp",
                                as_path=("{" + ",".join(as_set) + "}",) if as_set else ())
        candidates.setdefault(aggregate.prefix, []).append(Path(attributes, None, None, False, aggregate.origin,
                                                                aggregate=True))
    return candidates


def _select(process: BgpProcess, candidates: dict[IPv4Network, list[Path]], table: Rib | None
            ) -> dict[IPv4Network, list[Path]]:
    """The best path of every prefix (first), with the paths ``maximum-paths`` installs beside it."""
    chosen = {}
    for prefix, paths in candidates.items():
        usable = [(p, cost) for p in paths if (cost := _igp_cost(p, table)) is not None]
        if not usable:
            continue
        best, best_cost = _best(usable, process.always_compare_med)
        limit = process.ebgp_paths if best.external else process.ibgp_paths
        equal = [p for p, cost in usable if p is not best and p.learned_from is not None and limit > 1
                 and p.external == best.external and cost == best_cost and _equal(p, best)]
        chosen[prefix] = [best, *sorted(equal, key=_tie)[:limit - 1]]
    return chosen


def _igp_cost(path: Path, table: Rib | None) -> int | None:
    """The cost to the path's next hop (0: originated, or an eBGP peer's); None: it does not resolve."""
    if path.next_hop is None or path.external:
        return 0
    route = table.lookup(path.next_hop, skip_default=True) if table is not None else None
    if route is None or route.protocol == "bgp" or any(h.blackhole for h in route.next_hops):
        return None
    return route.metric


def _rank(path: Path, cost: int, med: bool) -> tuple[object, ...]:
    a = path.attributes
    return (-a.weight, -a.local_preference, path.learned_from is not None, _length(a.as_path), ORIGINS.index(a.origin),
            (a.metric or 0) if med else 0, not path.external, cost, *_tie(path))


def _length(as_path: tuple[str, ...]) -> int:
    """An AS path's length for best-path selection: a confederation's segments ``(N)`` count nothing.

    >>> _length(("(65002)", "65101", "{1,2}"))
    2
    """
    return sum(not a.startswith("(") for a in as_path)


def _neighbour_as(path: Path) -> str:
    """The AS a path came from, for comparing MEDs: the first outside the confederation."""
    return next((a for a in path.as_path if not a.startswith("(")), "")


def _tie(path: Path) -> tuple[int, int]:
    return path.sender_id, int(path.learned_from) if path.learned_from else 0


def _best(usable: list[tuple[Path, int]], always_compare_med: bool) -> tuple[Path, int]:
    """MED is compared between paths from one neighbouring AS (all, with ``always-compare-med``):
    the best of each AS by MED, then the best of those without it."""
    if always_compare_med:
        return min(usable, key=lambda pc: _rank(pc[0], pc[1], True))
    by_as: dict[str, list[tuple[Path, int]]] = {}
    for path, cost in usable:
        by_as.setdefault(_neighbour_as(path), []).append((path, cost))
    winners = [min(group, key=lambda pc: _rank(pc[0], pc[1], True)) for group in by_as.values()]
    return min(winners, key=lambda pc: _rank(pc[0], pc[1], False))


def _equal(a: Path, b: Path) -> bool:
    x, y = a.attributes, b.attributes
    return (x.weight, x.local_preference, x.as_path, x.origin, x.metric) == \
        (y.weight, y.local_preference, y.as_path, y.origin, y.metric)


def _filter(router: Router, neighbor: Neighbor, direction: str, attributes: Attributes) -> Attributes | None:
    route_map = neighbor.policy.get(("route-map", direction))
    prefix_list = neighbor.policy.get(("prefix-list", direction))
    if prefix_list is not None and not router.policies.prefix_list_permits(prefix_list, attributes.prefix):
        return None
    return router.policies.apply(route_map, attributes) if route_map is not None else attributes


def _has_policy(neighbor: Neighbor, direction: str) -> bool:
    return any(d == direction for _, d in neighbor.policy)


def _next_hop_set(value: str | None, current: IPv4Address | None, peer: IPv4Address) -> IPv4Address | None:
    """A route-map's ``set ip next-hop``: an address, or ``peer-address`` (the session's far end as the
    receiver names it, out or in); None or anything else leaves the next hop as BGP set it."""
    if value == "peer-address":
        return peer
    try:
        return IPv4Address(value) if value is not None else current
    except ValueError:
        return current


def _blocked(router: Router, process: BgpProcess, session: Session, neighbor: Neighbor, direction: str) -> bool:
    """RFC 8212: an eBGP session passes nothing in a direction without a policy for it. FRR 8.4
    applies it to confederation peers too, where no policy passes anything (``rfc8212_blocks_confederation``)."""
    if not process.requires_policy:
        return False
    if session.confed:
        return router.platform.rfc8212_blocks_confederation
    return session.external and not _has_policy(neighbor, direction)


def confederation_blocked(routers: dict[str, Router], session: Session) -> bool:
    """Whether an established confederation session passes no route at all (FRR 8.4's RFC 8212)."""
    speaker = routers[session.speaker[0]]
    return _blocked(speaker, speaker.bgp[session.speaker[1]], session, session.sending, "out")


def _sends(session: Session, path: Path) -> bool:
    """iBGP split horizon, as a route reflector relaxes it."""
    if session.external or session.confed or path.learned_from is None or path.external or path.confed:
        return True
    if path.learned_from == session.sending.address:
        return False
    return path.from_client or session.sending.route_reflector_client


def _exchange(processes: dict[Node, tuple[Router, BgpProcess]], session: Session,
              best: dict[Node, dict[IPv4Network, list[Path]]], every: dict[Node, dict[IPv4Network, list[Path]]]
              ) -> dict[IPv4Network, list[Path]]:
    """What the receiver accepts of what the speaker sends on one session."""
    receiver, receiver_process = processes[session.receiver]
    if _blocked(receiver, receiver_process, session, session.receiving, "in"):
        return {}
    speaker_process = processes[session.speaker][1]
    own = {receiver_process.asn, f"({receiver_process.asn})", receiver_process.confederation}
    sender_id = int(speaker_process.router_id) if speaker_process.router_id else 0
    accepted: dict[IPv4Network, list[Path]] = {}
    for prefix, path in _offered(processes, session, best, every):
        attributes = path.attributes
        if session.external:  # out of a confederation: its members' segments give way to its identifier
            attributes = replace(attributes, as_path=(*_external_prefix(session, speaker_process),
                                                      *(a for a in attributes.as_path if not a.startswith("("))))
        elif session.confed:
            attributes = replace(attributes, as_path=(f"({speaker_process.asn})", *attributes.as_path))
        if any(a in own or own & set(a.strip("{}").split(",")) for a in attributes.as_path):
            continue
        sent_hop = attributes.next_hop  # the speaker's outbound ``set ip next-hop``
        attributes = replace(attributes, weight=session.receiving.weight, next_hop=None)
        received = _filter(receiver, session.receiving, "in", attributes)
        if received is None:
            continue
        next_hop: IPv4Address | None = session.receiving.address if session.external or \
            session.sending.next_hop_self or path.next_hop is None else path.next_hop
        for chosen in (sent_hop, received.next_hop):
            next_hop = _next_hop_set(chosen, next_hop, session.receiving.address)
        single_hop = session.external and not _multihop(session.receiving)
        accepted.setdefault(prefix, []).append(Path(replace(received, next_hop=None), next_hop,
                                                    session.receiving.address, session.external, path.origin,
                                                    session.receiving.route_reflector_client, sender_id,
                                                    confed=session.confed, recursive=not single_hop))
    return accepted


def _external_prefix(session: Session, speaker: BgpProcess) -> tuple[str, ...]:
    """What an eBGP hop puts before the AS path: the speaker's AS (its confederation's outside it),
    its ``local-as N`` for this peer before that (alone with ``replace-as``), and the receiver's own
    ``local-as`` for the speaker in front, as it receives the route (not with ``no-prepend``)."""
    own = speaker.confederation or speaker.asn
    local = session.sending.session.settings.get("local-as", "").split()
    prefix = ((local[0],) if "replace-as" in local else (local[0], own)) if local else (own,)
    theirs = session.receiving.session.settings.get("local-as", "").split()
    return (theirs[0], *prefix) if theirs and "no-prepend" not in theirs else prefix


def _offered(processes: dict[Node, tuple[Router, BgpProcess]], session: Session,
             best: dict[Node, dict[IPv4Network, list[Path]]], every: dict[Node, dict[IPv4Network, list[Path]]]
             ) -> list[tuple[IPv4Network, Path]]:
    """What the speaker sends on one session, through its outbound policy: the best path of each
    prefix, or every usable one where both ends have ADD-PATH and the speaker sends it this peer."""
    speaker, speaker_process = processes[session.speaker]
    suppressed = [a.prefix for a in speaker_process.aggregates if a.summary_only]
    add_paths = session.sending.add_paths and "receive" in processes[session.receiver][1].add_paths and \
        session.speaker in every
    offered: list[tuple[IPv4Network, Path]] = []
    if not _blocked(speaker, speaker_process, session, session.sending, "out"):
        for prefix, paths in (every if add_paths else best).get(session.speaker, {}).items():
            if any(prefix != s and prefix.subnet_of(s) for s in suppressed):
                continue
            for path in (p for p in (paths if add_paths else paths[:1]) if _sends(session, p)):
                attributes = path.attributes
                if session.external:  # local preference and weight stay in the AS; MED goes one AS further
                    attributes = replace(attributes, local_preference=100, weight=0,
                                         metric=attributes.metric if path.learned_from is None else None)
                if not (speaker_process.sends_communities or session.sending.send_community):
                    attributes = replace(attributes, communities=frozenset())
                sent = _filter(speaker, session.sending, "out", attributes)
                if sent is not None:
                    offered.append((prefix, replace(path, attributes=sent)))
    if session.sending.default_originate:  # sent instead of any default route the speaker has
        offered = [(prefix, path) for prefix, path in offered if prefix != DEFAULT_ROUTE]
        offered.append((DEFAULT_ROUTE, Path(Attributes(DEFAULT_ROUTE), None, None, False, Origin(
            speaker.name, session.sending.session.line, f"neighbor {session.sending.address} default-originate"))))
    return offered
