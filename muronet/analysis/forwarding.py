"""Packets through the routing model: where a packet to an address goes, hop by hop, and the zone
reachability matrix of ``muronet lab verify`` computed from the model instead of pinged.

The probes are the twin's (``muronet.lab.verify.endpoints``): a test host on every routed LAN,
whose default route is the LAN's gateway (the VRRP master: the highest priority), the circuits'
far ends, the automation host and the routers' management addresses. A probe reaches its target
when the packet and the reply both arrive, following every equal-cost next hop; each hop takes
the longest match of its table. A flow the policy forbids is open already when packets arrive one
way (UDP, or data sent before any reply): a probe says so apart (``arrives``). A router answers
for every address of the table a packet arrives in. A next hop in another table
(``nexthop-vrf``) carries the packet on in that table, as in one real chassis (the twin cannot:
its VRFs are separate namespaces).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from muronet.analysis.prefixes import interned
from muronet.analysis.routers import Origin
from muronet.analysis.routes import NextHop, Rib, Route
from muronet.analysis.routing import RoutingModel
from muronet.inventory.index import InventoryIndex
from muronet.inventory.model import Device
from muronet.lab.plan import OOB_NAMESPACE, LabPlan, build_plan
from muronet.lab.verify import Endpoint, Probe, endpoints

Node = tuple[str, str]
MAX_HOPS = 64
DEFAULT_ROUTE = interned(IPv4Network("0.0.0.0/0"))


@dataclass(frozen=True)
class Walk:
    delivered: bool
    at: Node
    reason: str  # why it stopped where it did
    origins: tuple[Origin, ...]  # the configuration lines of the routes it followed


@dataclass(frozen=True)
class Reach:
    probe: Probe
    reached: bool  # some path there and back
    partial: bool  # and some other equal-cost path not
    origins: tuple[Origin, ...]  # the lines of the routes a successful round trip follows (else the way there)
    reason: str  # why it fails, when it does
    stopped_at: str | None = None  # the router where a failing path ends
    arrives: bool = False  # some packet gets there, reply or not

    @property
    def should_reach(self) -> bool:
        return self.probe.allowed

    @property
    def violation(self) -> bool:
        """An allowed flow without its round trip, or a forbidden one that packets travel one way."""
        return not self.reached if self.probe.allowed else self.arrives


@dataclass
class Network:
    """The model's tables plus the test hosts, with who answers for each address."""

    tables: dict[Node, Rib]
    local: dict[Node, set[IPv4Address]] = field(default_factory=dict)
    owners: dict[IPv4Address, list[tuple[Node, IPv4Network]]] = field(default_factory=dict)
    # what walks ask again and again (every probe to one target asks the same routers): built once
    _routes: dict[tuple[Node, IPv4Address], Route | None] = field(default_factory=dict, repr=False)
    _connected: dict[Node, set[IPv4Network]] = field(default_factory=dict, repr=False)

    def own(self, node: Node, address: IPv4Address, prefix: IPv4Network) -> None:
        self.local.setdefault(node, set()).add(address)
        self.owners.setdefault(address, []).append((node, prefix))

    def neighbour(self, router: str, table: str, address: IPv4Address, prefix: IPv4Network | None,
                  here: Node) -> Node | None:
        """Who answers for ``address`` on a subnet of ``(router, table)`` (``prefix``: that one)."""
        connected = self._connected.get((router, table))
        if connected is None:
            rib = self.tables.get((router, table))
            connected = {p for p, r in rib.own.items() if r.protocol == "connected"} if rib is not None else set()
            self._connected[(router, table)] = connected
        for node, subnet in self.owners.get(address, ()):
            if node != here and (subnet == prefix if prefix is not None else subnet in connected):
                return node
        return None

    def lookup(self, node: Node, address: IPv4Address) -> Route | None:
        key = (node, address)
        if key not in self._routes:
            rib = self.tables.get(node)
            self._routes[key] = rib.lookup(address, installed=True) if rib is not None else None
        return self._routes[key]


def network_of(model: RoutingModel, plan: LabPlan) -> Network:
    network = Network(dict(model.tables))
    for router in model.routers.values():
        for port in router.ports:
            network.own((router.name, port.table), port.address.ip, port.address.network)
    masters: dict[tuple[str, IPv4Address], tuple[int, IPv4Address, str]] = {}
    for router in model.routers.values():
        for gateway in router.gateways:
            rank = (gateway.priority, gateway.port_address, router.name)
            key = (gateway.table, gateway.address)
            if key not in masters or rank > masters[key]:
                masters[key] = rank
    for (table, address), (_, port_address, name) in masters.items():
        port = next(p for p in model.routers[name].ports if p.address.ip == port_address)
        network.own((name, table), address, port.address.network)
    for segment in plan.segments:
        node = (f"host:{segment.namespace}", "default")
        network.tables[node] = Rib(node, {
            segment.prefix: Route(segment.prefix, "connected", 0, 0, frozenset({NextHop(interface="br0")})),
            DEFAULT_ROUTE: Route(DEFAULT_ROUTE, "static", 1, 0, frozenset({NextHop(segment.gateway)}))})
        network.own(node, segment.host.ip, segment.prefix)
        for _, server in segment.servers:
            network.own(node, server.ip, segment.prefix)
    if plan.oob_host is not None:
        node = (f"host:{OOB_NAMESPACE}", "default")
        prefix = plan.oob_host.network
        network.tables[node] = Rib(node, {prefix: Route(prefix, "connected", 0, 0,
                                                        frozenset({NextHop(interface="oob")}))})
        network.own(node, plan.oob_host.ip, prefix)
    return network


def walk(network: Network, start: Node, destination: IPv4Address) -> list[Walk]:
    """Every way a packet from ``start`` to ``destination`` ends, one per equal-cost branch."""
    ends: list[Walk] = []

    def step(node: Node, seen: tuple[Node, ...], origins: tuple[Origin, ...]) -> None:
        if destination in network.local.get(node, ()):
            ends.append(Walk(True, node, "delivered", origins))
            return
        if node in seen or len(seen) > MAX_HOPS:
            ends.append(Walk(False, node, f"loops at {node[0]} ({node[1]})", origins))
            return
        route = network.lookup(node, destination)
        if route is None:
            ends.append(Walk(False, node, f"{node[0]} ({node[1]}) has no route to {destination}", origins))
            return
        taken = origins + ((route.origin,) if route.origin is not None else ())
        for hop in sorted(route.next_hops, key=str):
            if hop.blackhole:
                ends.append(Walk(False, node, f"{node[0]} ({node[1]}) drops it: {route}", taken))
                continue
            table = hop.table or node[1]
            target, prefix = (hop.address, None) if hop.address is not None else (destination, route.prefix)
            far = network.neighbour(node[0], table, target, prefix, node)
            if far is None:
                ends.append(Walk(False, node, f"{node[0]} ({node[1]}): nothing answers for {target}", taken))
            else:
                step(far, (*seen, node), taken)

    step(start, (), ())
    return ends


def _start(network: Network, endpoint: Endpoint) -> Node | None:
    return next((node for node, _ in network.owners.get(endpoint.address, ())), None)


def reach(network: Network, probe: Probe) -> Reach:
    """Whether a ping from the probe's source gets its reply."""
    source = _start(network, probe.source)
    if source is None:
        return Reach(probe, False, False, (), f"{probe.source.address} is on no modelled LAN")
    there = walk(network, source, probe.target.address)
    trips, failed = [], [(w.reason, w.at[0]) for w in there if not w.delivered]
    arrived = [w for w in there if w.delivered]
    for one in arrived:
        back = walk(network, one.at, probe.source.address)
        failed += [(f"the reply: {w.reason}", w.at[0]) for w in back if not w.delivered]
        trips += [one.origins + w.origins for w in back if w.delivered]
    origins = tuple(dict.fromkeys(o for trip in (trips or [w.origins for w in arrived]) for o in trip))
    return Reach(probe, bool(trips), bool(trips) and bool(failed), origins,
                 "; ".join(dict.fromkeys(reason for reason, _ in failed)), failed[0][1] if failed else None,
                 bool(arrived))


def model_plan(index: InventoryIndex, model: RoutingModel) -> LabPlan:
    """The twin's plan of the devices the model routes with: their LANs, test hosts and far ends."""
    management = index.inventory.management_zone

    def routes(device: Device) -> bool:  # a switch with its management address only does not
        router = model.routers.get(device.name)
        zones = {device.global_zone if p.table == "default" else index.zone_of_vrf.get(p.table)
                 for p in (router.ports if router else ())}
        return bool(zones - {management, None})

    return build_plan(index, routed=routes, strict=False)


def matrix(index: InventoryIndex, model: RoutingModel, per_zone: int = 4) -> list[Reach]:
    """Every probe of ``lab verify`` (the same hosts and targets), answered by the model."""
    plan = model_plan(index, model)
    network = network_of(model, plan)
    sources, targets = endpoints(plan, index, per_zone)
    return [reach(network, Probe(s, t)) for s in sources for t in targets if s.address != t.address]
