"""OSPFv2 routes from the configurations: adjacencies, shortest paths per area, ABRs, externals.

Each OSPF process (a router's table) is a node of the link-state graph; the processes its
adjacencies join make one domain, and an area is an area of one domain. Two ports form an
adjacency when they face each other (the two ends of one inventory cable, or two ports of one LAN
subnet that is on no cable) and nothing keeps it down (``muronet.analysis.sessions``: areas,
network types, timers, authentication, passive, subnet, MTU). Every port in an area is a stub of
its router, a loopback as a /32 at cost 0. Routes: intra-area by shortest path with every
equal-cost first hop; inter-area through ABRs (routers in the backbone and another area: each
offers every area its best intra-area route to what it has in none of that area's stubs, and its
non-backbone areas what it learns across the backbone); externals (type 5) from ``redistribute``
and ``default-information originate`` of ASBRs, type 2 (metric 20, default route 10) unless said
otherwise, reached by the path to the ASBR. Stub areas take no externals and get a default
route from their ABRs (totally stubby ones nothing else from outside); an NSSA's ASBRs originate
type-7 routes, seen in the NSSA and translated into the other areas (reached by the path to the
ASBR, its forwarding address); an ABR's ``area range`` replaces the routes it covers by one
summary at their largest cost, and an IOS ABR discards what the range covers and it has no route
to (FRR 8.4.4 does not); a virtual link joins an ABR to the backbone through a transit area.
Costs are the platform's (``Platform.ospf_cost``). A process's route to a prefix is computed
when a table asks for it, so a city of a thousand routers holds its link state, not a thousand
full tables. Not modelled: NSSA ranges and translator election (every NSSA ABR translates), a
virtual link's transit-area shortcuts (RFC 2328 16.3), ``distance ospf``.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from muronet.analysis.prefixes import interned
from muronet.analysis.routers import Origin, OspfArea, OspfProcess, Port, Router
from muronet.analysis.routes import _MASKS, NextHop, Rib, Route
from muronet.analysis.sessions import ospf_differences

BACKBONE = "0.0.0.0"
Node = tuple[str, str]  # (router, table)
Key = IPv4Network | str  # a prefix, or "asbr:ROUTER" for the path to an ASBR
Area = tuple[Node, str]  # (the OSPF domain, the area's number, dotted)
DEFAULT_ROUTE = interned(IPv4Network("0.0.0.0/0"))


@dataclass(frozen=True)
class Edge:
    to: Node
    cost: int
    hops: frozenset[NextHop]  # one, or a virtual link's first hops through its transit area


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
    nssa: Area | None = None  # a type-7 route of this NSSA; None: type 5, in every normal area


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


def _domains(adjacent: list[tuple[Node, Port, Node, Port]]) -> dict[Node, Node]:
    """Each process's OSPF domain (the processes its adjacencies join it to), named by one member:
    areas of equal number in two domains are two areas."""
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, _, b, _ in adjacent:
        parent[root(a)] = root(b)
    return {node: root(node) for node in list(parent)}


def _area_graph(routers: dict[str, Router], adjacent: list[tuple[Node, Port, Node, Port]]
                ) -> tuple[dict[Area, dict[Node, list[Edge]]], dict[Area, list[Stub]]]:
    domain = _domains(adjacent)
    edges: dict[Area, dict[Node, list[Edge]]] = {}
    stubs: dict[Area, list[Stub]] = {}
    for router in routers.values():
        for port in router.ports:
            if port.ospf is None or port.ospf.area is None:
                continue
            node = (router.name, port.table)
            area = (domain.get(node, node), port.ospf.area)
            edges.setdefault(area, {}).setdefault(node, [])
            stubs.setdefault(area, []).append(Stub(node, port.prefix, port.cost,
                                                   NextHop(interface=port.name),
                                                   Origin(router.name, port.line, f"interface {port.name}")))
    for a_node, a, b_node, b in adjacent:
        assert a.ospf is not None and a.ospf.area is not None  # adjacent ports run OSPF in an area
        edges[(domain.get(a_node, a_node), a.ospf.area)][a_node].append(
            Edge(b_node, a.cost, frozenset({NextHop(b.address.ip, a.name)})))
    return edges, stubs


def _virtual_links(routers: dict[str, Router], edges: dict[Area, dict[Node, list[Edge]]]) -> None:
    """``area T virtual-link RID`` configured at both ends: a backbone link between two ABRs, at the
    cost of their shortest path through the transit area T, by that path's first hops (RFC 2328
    15). A transit area cannot be a stub area or an NSSA."""
    ids = {router_id(r, table): (r.name, table) for r in routers.values() for table in r.ospf}
    for area, graph in list(edges.items()):
        for node in list(graph):
            process = routers[node[0]].ospf.get(node[1])
            settings = process.area(area[1]) if process is not None else None
            if settings is None or settings.kind != "normal":
                continue
            for far_id in settings.virtual_links:
                far = ids.get(far_id)
                if far is None or far not in graph:
                    continue
                back = routers[far[0]].ospf[far[1]].area(area[1]).virtual_links
                reach = _shortest(graph, node).get(far)
                if reach is None or router_id(routers[node[0]], node[1]) not in back:
                    continue
                backbone = edges.setdefault((area[0], BACKBONE), {})
                backbone.setdefault(node, []).append(Edge(far, reach[0], reach[1]))
                backbone.setdefault(far, [])


def router_id(router: Router, table: str) -> IPv4Address:
    """An OSPF process's router id: configured, else the highest loopback address of its table, else
    its highest address (FRR's zebra and IOS choose alike)."""
    process = router.ospf[table]
    if process.router_id is not None:
        return process.router_id
    ports = router.ports_in(table)
    loopbacks = [p.address.ip for p in ports if p.loopback]
    return max(loopbacks or [p.address.ip for p in ports] or [IPv4Address(0)])


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
            hops = edge.hops if node == source else best[node][1]
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


# What an ABR offers for a key: its cost, the line that made it, and the areas it has an intra-area
# route in (empty: learned from the backbone).
Offer = tuple[int, Origin, frozenset[Area]]


def _asbr_stubs(routers: dict[str, Router], edges: dict[Area, dict[Node, list[Edge]]],
                stubs: dict[Area, list[Stub]]) -> None:
    """An ASBR (a process that redistributes) is a stub of its own in each of its areas, so that
    every area can reach it (its externals' forwarding)."""
    for router in routers.values():
        for table, process in router.ospf.items():
            node = (router.name, table)
            for area, graph in edges.items():
                if process.redistributions and node in graph:
                    stubs[area].append(Stub(node, f"asbr:{router.name}:{table}", 0, NextHop(),
                                            Origin(router.name, None, "router ospf")))


class OspfDomain:
    """Every OSPF process of the model. The link-state part (paths, stubs, ABRs' summaries) is
    computed once, from the configurations; a process's route to a prefix is computed when asked
    (and kept), so a large network's routers hold no full tables. The externals are set per round,
    from what the ASBRs' tables then hold (``set_externals``)."""

    def __init__(self, routers: dict[str, Router], cables: set[frozenset[tuple[str, str]]]) -> None:
        edges, stubs = _area_graph(routers, adjacencies(routers, cables))
        _virtual_links(routers, edges)
        _asbr_stubs(routers, edges, stubs)
        self.routers = routers
        self.areas_of: dict[Node, list[Area]] = {}
        for area, graph in edges.items():
            for node in graph:
                self.areas_of.setdefault(node, []).append(area)
        self.paths = {(area, node): _shortest(graph, node) for area, graph in edges.items() for node in graph}
        self.stubs: dict[Area, dict[Key, list[Stub]]] = {}
        for area, found in stubs.items():
            for stub in found:
                self.stubs.setdefault(area, {}).setdefault(stub.key, []).append(stub)
        # the areas that have a key, and its stubs there
        self.stubbed: dict[Key, list[tuple[Area, list[Stub]]]] = {}
        for area, by_key in self.stubs.items():
            for key, listed in by_key.items():
                self.stubbed.setdefault(key, []).append((area, listed))
        self.abrs = {node for node, areas in self.areas_of.items()
                     if len(areas) > 1 and any(a[1] == BACKBONE for a in areas)}
        self.area_abrs: dict[Area, list[Node]] = {}
        for abr in sorted(self.abrs):
            for area in self.areas_of[abr]:
                self.area_abrs.setdefault(area, []).append(abr)
        self.kind = self._area_kinds()
        self.discards: dict[Node, dict[Key, Route]] = {}  # an ABR's discard routes for its ranges
        # per ABR: key → (cost, the line, the areas it has an intra-area route in; empty: learned from the backbone)
        self.offers: dict[Node, dict[Key, tuple[int, Origin, frozenset[Area]]]] = {}
        self._summarise()
        self.externals: dict[IPv4Network, list[External]] = {}
        self._base: dict[Node, dict[Key, Route | None]] = {}
        self._external: dict[Node, dict[Key, Route | None]] = {}
        self._index: dict[int, dict[tuple[int, int], IPv4Network]] | None = None

    def _area_kinds(self) -> dict[Area, str]:
        """Each area's kind (normal, stub, totally stubby, NSSA) as its routers say: they agree, or
        no adjacency forms; a router that says nothing says normal."""
        kinds: dict[Area, str] = {}
        for node, areas in self.areas_of.items():
            for area in areas:
                kind = self._settings(node, area).kind
                if kind != "normal" or area not in kinds:
                    kinds[area] = kind
        return kinds

    def _settings(self, node: Node, area: Area) -> OspfArea:
        return self.routers[node[0]].ospf[node[1]].area(area[1]) if node[1] in self.routers[node[0]].ospf \
            else OspfArea()

    def _normal(self, node: Node) -> bool:
        """Whether the process has an area that takes type-5 routes."""
        return any(self.kind[a] == "normal" for a in self.areas_of.get(node, ()))

    # --- the link-state part -------------------------------------------------------------------------

    def _intra(self, node: Node, key: Key, only: Area | None = None) -> tuple[int, frozenset[NextHop], Origin] | None:
        best: Best = {}
        for area, listed in self.stubbed.get(key, ()):
            if (only is not None and area != only) or (reach := self.paths.get((area, node))) is None:
                continue
            for stub in listed:
                if stub.owner in reach:
                    cost, hops = reach[stub.owner]
                    _offer(best, key, cost + stub.cost, frozenset({stub.hop}) if stub.owner == node else hops,
                           stub.origin)
        return best.get(key)

    def _inter(self, node: Node, key: Key) -> tuple[int, frozenset[NextHop], Origin] | None:
        best: Best = {}
        for area in self.areas_of.get(node, ()):
            backbone = area[1] == BACKBONE
            if node in self.abrs and not backbone:
                continue  # an ABR takes inter-area routes from the backbone only
            if isinstance(key, str) and self.kind[area] != "normal":
                continue  # no ASBR summary (type 4) enters a stub area or an NSSA
            reach = self.paths[(area, node)]
            for abr in self.area_abrs.get(area, ()):
                offer = self.offers[abr].get(key)
                # into an area: what the ABR has in none of it (into the backbone, intra-area routes only)
                if abr != node and abr in reach and offer is not None and area not in offer[2] and \
                        (offer[2] or not backbone) and (key == DEFAULT_ROUTE or not self._totally(abr, area)):
                    _offer(best, key, reach[abr][0] + offer[0], reach[abr][1], offer[1])
        return best.get(key)

    def _totally(self, abr: Node, area: Area) -> bool:
        """Whether the ABR sends nothing but a default route into the area (``no-summary``)."""
        return self.kind[area] != "normal" and self._settings(abr, area).no_summary

    def _summarise(self) -> None:
        """What each ABR offers its areas: its best intra-area route to every key of its areas, with
        the areas it has one in (it summarises a key into every other area), then the backbone's
        inter-area routes it learns from the other ABRs (into its non-backbone areas only)."""
        for abr in sorted(self.abrs):
            offered = self._intra_offers(abr)
            self._ranges(abr, offered)
            self._stub_default(abr, offered)
            self.offers[abr] = offered
        intra = {abr: dict(offered) for abr, offered in self.offers.items()}
        for abr in sorted(self.abrs):  # then what the backbone brings: the other ABRs' intra-area offers
            self.offers[abr].update(self._backbone_offers(abr, intra))

    def _intra_offers(self, abr: Node) -> dict[Key, Offer]:
        """The ABR's best intra-area route to every key of its areas, with the areas it has one in."""
        offered: dict[Key, Offer] = {}
        for area in self.areas_of[abr]:
            reach = self.paths[(area, abr)]
            for key, listed in self.stubs.get(area, {}).items():
                costs = [(reach[s.owner][0] + s.cost, s.origin) for s in listed if s.owner in reach]
                if not costs:
                    continue
                cost, origin = min(costs, key=lambda c: c[0])
                known = offered.get(key)
                if known is None or cost < known[0]:
                    offered[key] = (cost, origin, (known[2] if known else frozenset()) | {area})
                else:
                    offered[key] = (known[0], known[1], known[2] | {area})
        return offered

    def _backbone_offers(self, abr: Node, intra: dict[Node, dict[Key, Offer]]) -> dict[Key, Offer]:
        """The inter-area routes the ABR learns over the backbone from the other ABRs' intra-area
        offers (for keys it has no route of its own to)."""
        learned: dict[Key, Offer] = {}
        for area in (a for a in self.areas_of[abr] if a[1] == BACKBONE):
            reach = self.paths[(area, abr)]
            for other in self.area_abrs.get(area, ()):
                if other == abr or other not in reach:
                    continue
                for key, (cost, origin, areas) in intra[other].items():
                    if area in areas or key in intra[abr]:
                        continue  # not offered into the backbone, or the ABR has its own route
                    total = reach[other][0] + cost
                    if key not in learned or total < learned[key][0]:
                        learned[key] = (total, origin, frozenset())
        return learned

    def _ranges(self, abr: Node, offered: dict[Key, tuple[int, Origin, frozenset[Area]]]) -> None:
        """An ABR's ranges: the intra-area routes of an area within one become one summary, at the
        largest of their costs unless the range names one (none with ``not-advertise``), and, where
        the platform installs one, a discard route for the range in the ABR's own table."""
        for area in self.areas_of[abr]:
            for summary in self._settings(abr, area).ranges:
                covered = [key for key, (_, _, areas) in offered.items()
                           if isinstance(key, IPv4Network) and area in areas and key.subnet_of(summary.prefix)]
                if not covered:
                    continue
                cost = summary.cost if summary.cost is not None else max(offered[k][0] for k in covered)
                for key in covered:
                    del offered[key]
                if summary.advertise:
                    offered[summary.prefix] = (cost, summary.origin, frozenset({area}))
                if summary.advertise and self.routers[abr[0]].platform.ospf_range_discard:
                    self.discards.setdefault(abr, {})[summary.prefix] = Route(
                        summary.prefix, "ospf", 110, cost, frozenset({NextHop(blackhole=True)}), summary.origin)

    def _stub_default(self, abr: Node, offered: dict[Key, tuple[int, Origin, frozenset[Area]]]) -> None:
        """The default route an ABR sends into its stub areas (and NSSAs, where the platform does,
        or ``no-summary`` asks): offered into those areas only, at the area's ``default-cost``."""
        router = self.routers[abr[0]]
        into = [a for a in self.areas_of[abr] if self.kind[a] == "stub" or (
            self.kind[a] == "nssa" and (self._settings(abr, a).no_summary or router.platform.nssa_default_summary))]
        if into and DEFAULT_ROUTE not in offered:
            cost = min(self._settings(abr, a).default_cost for a in into)
            others = frozenset(a for a in self.areas_of[abr] if a not in into)
            offered[DEFAULT_ROUTE] = (cost, Origin(router.name, None, f"area {into[0][1]} {self.kind[into[0]]}"),
                                      others)

    def base(self, node: Node, key: Key) -> Route | None:
        """The intra- or inter-area route of a process (None: it has none), or an ABR's discard route."""
        cache = self._base.setdefault(node, {})
        if key not in cache:
            found = self._intra(node, key) or self._inter(node, key)
            cache[key] = _route(key, *found) if found is not None else self.discards.get(node, {}).get(key)
        return cache[key]

    # --- externals ---------------------------------------------------------------------------------

    def set_externals(self, tables: dict[Node, Rib]) -> bool:
        """The type-5 routes of this round, from the ASBRs' tables; whether they changed."""
        lsas: dict[IPv4Network, list[External]] = {}
        for router in self.routers.values():
            for table, process in router.ospf.items():
                node = (router.name, table)
                if node not in self.areas_of:
                    continue
                nssas = [a for a in self.areas_of[node] if self.kind[a] == "nssa"]
                # type 5 into the normal areas, its own or (translated by its NSSAs' ABRs) the others';
                # type 7 into each of its NSSAs
                flooded = self._normal(node) or any(self.area_abrs.get(a) for a in nssas)
                for lsa in _originated(router, table, process, tables.get(node)):
                    for found in ([lsa] if flooded else []) + [replace(lsa, nssa=a) for a in nssas]:
                        lsas.setdefault(lsa.prefix, []).append(found)
        if lsas == self.externals:
            return False
        self.externals, self._external, self._index = lsas, {}, None
        return True

    def _external_route(self, node: Node, prefix: IPv4Network) -> Route | None:
        found: tuple[tuple[int, int, int], frozenset[NextHop], External] | None = None
        for lsa in self.externals.get(prefix, ()):
            if lsa.asbr == node or (lsa.nssa is None and not self._normal(node)) or (
                    lsa.nssa is not None and lsa.nssa not in self.areas_of[node]):
                continue  # its own; type 5 reaches no stub area nor NSSA; type 7 stays in its NSSA
            asbr = f"asbr:{lsa.asbr[0]}:{lsa.asbr[1]}"
            if lsa.nssa is None:
                path = self.base(node, asbr)
            else:
                within = self._intra(node, asbr, only=lsa.nssa)
                path = _route(asbr, *within) if within is not None else None
            if path is None:
                continue
            rank = (1, lsa.metric + path.metric, path.metric) if lsa.metric_type == 1 else \
                (2, lsa.metric, path.metric)
            if found is None or rank < found[0]:
                found = (rank, path.next_hops, lsa)
            elif rank == found[0]:
                found = (rank, found[1] | path.next_hops, found[2])
        return Route(prefix, "ospf", 110, found[0][1], found[1], found[2].origin) if found else None

    # --- a process's table -----------------------------------------------------------------------------

    def route(self, node: Node, prefix: IPv4Network) -> Route | None:
        """The OSPF route of a process to ``prefix`` (selected or not: the RIB chooses)."""
        if node not in self.areas_of:
            return None
        found = self.base(node, prefix)
        if found is not None:
            return found
        cache = self._external.setdefault(node, {})
        if prefix not in cache:
            cache[prefix] = self._external_route(node, prefix)
        return cache[prefix]

    def prefixes(self, node: Node) -> list[dict[Any, Any]]:
        """The mappings whose keys a process's routes can be for (shared between processes: read only)."""
        if node not in self.areas_of:
            return []
        areas = self.areas_of[node]
        offers = {abr: self.offers[abr] for a in areas for abr in self.area_abrs.get(a, ())}
        return [*(self.stubs.get(a, {}) for a in areas), *offers.values(), self.externals, self.discards.get(node, {})]

    def candidates(self, node: Node, address: int) -> list[IPv4Network]:
        """The prefixes of the domain that hold ``address`` (most specific first), for a longest match."""
        if node not in self.areas_of:
            return []
        if self._index is None:
            self._index = {}
            groups: list[Mapping[Any, object]] = [*self.stubs.values(), *self.offers.values(), self.externals,
                                                  *self.discards.values()]
            for keys in groups:
                for key in keys:
                    if isinstance(key, IPv4Network):
                        self._index.setdefault(key.prefixlen, {})[(int(key.network_address), key.prefixlen)] = key
        found = []
        for length in range(32, -1, -1):
            key = self._index.get(length, {}).get((address & _MASKS[length], length))
            if key is not None:
                found.append(key)
        return found


def _route(key: Key, cost: int, hops: frozenset[NextHop], origin: Origin) -> Route:
    prefix = key if isinstance(key, IPv4Network) else DEFAULT_ROUTE  # an ASBR's path: never installed
    return Route(prefix, "ospf", 110, cost, hops, origin)


def _originated(router: Router, table: str, process: OspfProcess, rib: Rib | None) -> list[External]:
    found = []
    for redistribution in process.redistributions:
        if redistribution.source == "default":
            present = rib.get(DEFAULT_ROUTE) if rib is not None else None
            if not (redistribution.always or (present is not None and present.protocol != "ospf")):
                continue
            candidates = [DEFAULT_ROUTE]
        else:
            candidates = [p for p, r in (rib.selected_own() if rib is not None else ())
                          if r.protocol == redistribution.source and r.installed]
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
