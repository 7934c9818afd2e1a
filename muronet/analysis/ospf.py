"""OSPFv2 routes from the configurations: adjacencies, shortest paths per area, ABRs, externals.

Each OSPF process (a router's table) is a node of the link-state graph. Two ports form an
adjacency when they face each other (the two ends of one inventory cable, or two ports of one LAN
subnet that is on no cable) and nothing keeps it down (``muronet.analysis.sessions``: areas,
network types, timers, authentication, passive, subnet, MTU). Every port in an area is a stub of
its router, a loopback as a /32 at cost 0. Routes: intra-area by shortest path with every
equal-cost first hop; inter-area through ABRs (routers in the backbone and another area, which
summarise each area's intra-area routes into the others and, into a non-backbone area, the
backbone's inter-area routes too); externals (type 5) from ``redistribute`` and
``default-information originate`` of ASBRs, type 2 (metric 20, default route 10) unless said
otherwise, reached through the ASBR by the same paths. Not modelled: stub and NSSA areas, area
ranges, virtual links, forwarding addresses, ``distance ospf``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from ipaddress import IPv4Network

from muronet.analysis.routers import Origin, Port, Router
from muronet.analysis.routes import NextHop, Route, Table
from muronet.analysis.sessions import ospf_differences

BACKBONE = "0.0.0.0"
Node = tuple[str, str]  # (router, table)
Key = IPv4Network | str  # a prefix, or "asbr:ROUTER" for the path to an ASBR
DEFAULT_ROUTE = IPv4Network("0.0.0.0/0")


@dataclass(frozen=True)
class Edge:
    to: Node
    cost: int
    hop: NextHop


@dataclass(frozen=True)
class Stub:
    owner: Node
    key: Key
    cost: int
    hop: NextHop  # the owner's own port, for its directly attached route
    origin: Origin


@dataclass(frozen=True)
class External:
    asbr: Node
    prefix: IPv4Network
    metric: int
    metric_type: int
    origin: Origin


Best = dict[Key, tuple[int, frozenset[NextHop], Origin]]


def adjacencies(routers: dict[str, Router], cables: set[frozenset[tuple[str, str]]]
                ) -> list[tuple[Node, Port, Node, Port]]:
    """Every adjacency that comes up (once per direction)."""
    ports = [(r.name, p) for r in routers.values() for p in r.ports if p.ospf is not None]
    cabled = {end for cable in cables for end in cable}
    by_subnet: dict[IPv4Network, list[tuple[str, Port]]] = {}
    for name, port in ports:
        by_subnet.setdefault(port.address.network, []).append((name, port))
    found = []
    for members in by_subnet.values():
        for a_name, a in members:
            for b_name, b in members:
                if a_name == b_name:
                    continue
                ends = {(a_name, a.name), (b_name, b.name)}
                facing = frozenset(ends) in cables if ends & cabled else True
                if facing and not ospf_differences(a.ospf, b.ospf):  # type: ignore[arg-type]
                    found.append(((a_name, a.table), a, (b_name, b.table), b))
    return found


def _area_graph(routers: dict[str, Router], adjacent: list[tuple[Node, Port, Node, Port]]
                ) -> tuple[dict[str, dict[Node, list[Edge]]], dict[str, list[Stub]]]:
    edges: dict[str, dict[Node, list[Edge]]] = {}
    stubs: dict[str, list[Stub]] = {}
    for router in routers.values():
        for port in router.ports:
            if port.ospf is None or port.ospf.area is None:
                continue
            area, node = port.ospf.area, (router.name, port.table)
            edges.setdefault(area, {}).setdefault(node, [])
            prefix = IPv4Network(f"{port.address.ip}/32") if port.loopback else port.address.network
            stubs.setdefault(area, []).append(Stub(node, prefix, 0 if port.loopback else port.cost,
                                                   NextHop(interface=port.name),
                                                   Origin(router.name, port.line, f"interface {port.name}")))
    for a_node, a, b_node, b in adjacent:
        area = a.ospf.area  # type: ignore[union-attr]
        edges[area][a_node].append(Edge(b_node, a.cost, NextHop(b.address.ip, a.name)))  # type: ignore[index]
    return edges, stubs


def _shortest(graph: dict[Node, list[Edge]], source: Node) -> dict[Node, tuple[int, frozenset[NextHop]]]:
    """Dijkstra with every equal-cost first hop."""
    best: dict[Node, tuple[int, frozenset[NextHop]]] = {source: (0, frozenset())}
    queue: list[tuple[int, Node]] = [(0, source)]
    done: set[Node] = set()
    while queue:
        cost, node = heapq.heappop(queue)
        if node in done:
            continue
        done.add(node)
        for edge in graph.get(node, ()):
            total = cost + edge.cost
            hops = frozenset({edge.hop}) if node == source else best[node][1]
            known = best.get(edge.to)
            if known is None or total < known[0]:
                best[edge.to] = (total, hops)
                heapq.heappush(queue, (total, edge.to))
            elif total == known[0] and edge.to not in done:
                best[edge.to] = (total, known[1] | hops)
    return best


def _offer(table: Best, key: Key, cost: int, hops: frozenset[NextHop], origin: Origin) -> None:
    known = table.get(key)
    if known is None or cost < known[0]:
        table[key] = (cost, hops, origin)
    elif cost == known[0]:
        table[key] = (cost, known[1] | hops, known[2])


class OspfDomain:
    """The link-state part, computed once (it depends on the configurations only); the externals
    are added per round, from what the tables then hold."""

    def __init__(self, routers: dict[str, Router], cables: set[frozenset[tuple[str, str]]]) -> None:
        self.routers = routers
        self.base, self.areas_of = _link_state(routers, cables)

    def routes(self, tables: dict[Node, Table]) -> dict[Node, Table]:
        """Every OSPF process's routes (selected or not: the RIB chooses), from the previous round's
        tables for what ASBRs redistribute."""
        routes = {node: dict(table) for node, table in self.base.items()}
        _externals(self.routers, tables, routes, self.areas_of)
        return {node: {key: route for key, route in table.items() if isinstance(key, IPv4Network)}
                for node, table in routes.items()}


def _link_state(routers: dict[str, Router], cables: set[frozenset[tuple[str, str]]]
                ) -> tuple[dict[Node, dict[Key, Route]], dict[Node, list[str]]]:
    """Intra- and inter-area routes (ASBRs' paths included) of every process, and its areas."""
    edges, stubs = _area_graph(routers, adjacencies(routers, cables))
    for router in routers.values():  # an ASBR is a stub of its own, to reach it from every area
        for table, process in router.ospf.items():
            node = (router.name, table)
            if process.redistributions:
                for area, graph in edges.items():
                    if node in graph:
                        stubs[area].append(Stub(node, f"asbr:{router.name}:{table}", 0, NextHop(),
                                                Origin(router.name, None, "router ospf")))
    areas_of: dict[Node, list[str]] = {}
    for area, graph in edges.items():
        for node in graph:
            areas_of.setdefault(node, []).append(area)
    paths = {(area, node): _shortest(graph, node) for area, graph in edges.items() for node in graph}
    intra: dict[Node, dict[str, Best]] = {}
    for area, area_stubs in stubs.items():
        for node in edges[area]:
            reach, mine = paths[(area, node)], intra.setdefault(node, {}).setdefault(area, {})
            for stub in area_stubs:
                if stub.owner in reach:
                    cost, hops = reach[stub.owner]
                    _offer(mine, stub.key, cost + stub.cost, frozenset({stub.hop}) if stub.owner == node else hops,
                           stub.origin)
    abrs = {node for node, areas in areas_of.items() if len(areas) > 1 and BACKBONE in areas}
    inter = _inter_area(edges, paths, intra, abrs, areas_of)
    return {node: _choose(intra.get(node, {}), inter.get(node, {})) for node in areas_of}, areas_of


def _inter_area(edges, paths, intra: dict[Node, dict[str, Best]], abrs: set[Node],
                areas_of: dict[Node, list[str]]) -> dict[Node, Best]:
    """Inter-area routes: the backbone's from every ABR's other areas; then each other area's from
    its ABRs (their intra-area routes of the other areas and the backbone's inter-area ones)."""
    inter: dict[Node, Best] = {}

    def summarise(abr: Node, into: str, own: Best | None) -> Best:
        offered: Best = {}
        for area, best in intra.get(abr, {}).items():
            if area != into:
                for key, (cost, _, origin) in best.items():
                    if key not in intra[abr].get(into, {}):
                        _offer(offered, key, cost, frozenset(), origin)
        for key, (cost, _, origin) in (own or {}).items():
            if key not in intra[abr].get(into, {}):
                _offer(offered, key, cost, frozenset(), origin)
        return offered

    for into in sorted(edges, key=lambda area: area != BACKBONE):  # the backbone first
        offers = {abr: summarise(abr, into, inter.get(abr) if into != BACKBONE else None)
                  for abr in abrs if abr in edges[into]}
        for node in edges[into]:
            if node in abrs and into != BACKBONE:
                continue  # an ABR takes inter-area routes from the backbone only
            mine = inter.setdefault(node, {})
            reach = paths[(into, node)]
            for abr, offered in offers.items():
                if abr == node or abr not in reach:
                    continue
                cost, hops = reach[abr]
                for key, (summary, _, origin) in offered.items():
                    if not any(key in best for best in intra.get(node, {}).values()):
                        _offer(mine, key, cost + summary, hops, origin)
    return inter


def _choose(intra: dict[str, Best], inter: Best) -> dict[Key, Route]:
    chosen: Best = {}
    for best in intra.values():
        for key, (cost, hops, origin) in best.items():
            _offer(chosen, key, cost, hops, origin)
    routes = {key: _route(key, cost, hops, origin) for key, (cost, hops, origin) in chosen.items()}
    for key, (cost, hops, origin) in inter.items():
        if key not in routes:
            routes[key] = _route(key, cost, hops, origin)
    return routes


def _route(key: Key, cost: int, hops: frozenset[NextHop], origin: Origin) -> Route:
    prefix = key if isinstance(key, IPv4Network) else DEFAULT_ROUTE  # an ASBR's path: never installed
    return Route(prefix, "ospf", 110, cost, hops, origin)


def _externals(routers: dict[str, Router], tables: dict[Node, Table], routes: dict[Node, dict[Key, Route]],
               areas_of: dict[Node, list[str]]) -> None:
    """Type-5 routes: what every ASBR redistributes, reached along the path to the ASBR."""
    lsas = [lsa for router in routers.values() for table, process in router.ospf.items()
            if (router.name, table) in areas_of for lsa in _originated(router, table, process, tables)]
    for node, table in routes.items():
        found: dict[IPv4Network, tuple[tuple[int, int, int], frozenset[NextHop], External]] = {}
        for lsa in lsas:
            if lsa.asbr == node:
                continue
            path = table.get(f"asbr:{lsa.asbr[0]}:{lsa.asbr[1]}")
            if path is None:
                continue
            rank = (lsa.metric_type, lsa.metric + path.metric, path.metric) if lsa.metric_type == 1 else \
                (2, lsa.metric, path.metric)
            known = found.get(lsa.prefix)
            if known is None or rank < known[0]:
                found[lsa.prefix] = (rank, path.next_hops, lsa)
            elif rank == known[0]:
                found[lsa.prefix] = (rank, known[1] | path.next_hops, known[2])
        for prefix, (rank, hops, lsa) in found.items():
            if prefix not in table:
                table[prefix] = Route(prefix, "ospf", 110, rank[1], hops, lsa.origin)


def _originated(router: Router, table: str, process, tables: dict[Node, Table]) -> list[External]:
    rib = tables.get((router.name, table), {})
    found = []
    for redistribution in process.redistributions:
        if redistribution.source == "default":
            present = rib.get(DEFAULT_ROUTE)
            if not (redistribution.always or (present is not None and present.protocol != "ospf")):
                continue
            candidates = [DEFAULT_ROUTE]
        else:
            candidates = [p for p, r in rib.items() if r.protocol == redistribution.source and r.installed]
        for prefix in candidates:
            metric = redistribution.metric
            if redistribution.route_map is not None:
                passes, set_metric = router.policies.route_map(redistribution.route_map, prefix)
                if not passes:
                    continue
                metric = set_metric if set_metric is not None else metric
            default_metric = 10 if redistribution.source == "default" else 20
            found.append(External((router.name, table), prefix, default_metric if metric is None else metric,
                                  redistribution.metric_type, redistribution.origin))
    return found
