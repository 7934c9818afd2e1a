"""The routing model: every router's route table, per VRF, from the configurations alone.

Rounds until nothing changes: each round offers every route a table could hold — connected (each
address on a port that is up; on IOS a ``local`` /32 for each address), static (its next hop
resolved in the previous round's table, never through the default route nor through the route
itself; blackholes always; distance 255 never), OSPF (``muronet.analysis.ospf``) and BGP
(``muronet.analysis.bgp``) — and each table keeps, per prefix, the routes of the lowest
administrative distance (connected 0, static 1 or its own, eBGP 20, OSPF 110, iBGP 200). What a
router redistributes or originates is read from the previous round's table, as FRR's RIB feeds its
daemons. The far ends of the city's circuits are routers of the model too, configured as the
inventory describes them (the twin's lab peers: the prefixes the circuit promises, the session
password the inventory names, GTSM).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPV4LENGTH, IPv4Address, IPv4Network

from muronet.analysis.bgp import Down, Session, SessionKey, bgp_routes, sessions
from muronet.analysis.ospf import OspfDomain
from muronet.analysis.prefixes import interned
from muronet.analysis.routers import Router, read_router, table_name
from muronet.analysis.routes import NextHop, Rib, Route
from muronet.analysis.sessions import cabled_pairs, session_checks
from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.model import Circuit
from muronet.lab.plan import Port, circuit_peer, peer_config, peer_password_secret
from muronet.masking import reference
from muronet.platforms import get_platform
from muronet.policy.context import DeviceAudit, Settings, line_index

Node = tuple[str, str]  # (router, table)
MAX_ROUNDS = 12
_PROTOCOL_ORDER = ("connected", "local", "static", "bgp", "ospf")

NEVER_INSTALLED = 255  # a static route's distance that keeps it configured and out of the table


@dataclass
class RoutingModel:
    routers: dict[str, Router]
    tables: dict[Node, Rib]  # the routes each table selects
    sessions: list[Session]  # both directions of every BGP session that comes up
    down: dict[SessionKey, Down]  # why each configured session that passed the configuration checks does not
    far_ends: dict[str, Circuit]  # lab name of a circuit's far end → the circuit
    converged: bool

    def table(self, router: str, table: str = "default") -> Rib:
        found = self.tables.get((router, table))
        return found if found is not None else Rib((router, table), {})


def far_end_audits(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> dict[str, tuple[DeviceAudit, Circuit]]:
    """The circuits' far ends as FRR configurations (what the inventory promises of each), for the
    circuits that end on a device of ``audits``, by the lab's name of each."""
    found = {}
    settings = Settings.from_inventory(index)
    platform = get_platform("frr")
    for circuit in sorted(index.inventory.circuits, key=lambda c: c.cid):
        device_name, port_name = split_endpoint(circuit.termination)
        device = index.devices.get(device_name)
        if device_name not in audits or device is None or device.bgp is None:
            continue
        peer = circuit_peer(index, circuit, Port("", port_name))
        if peer.name in audits:
            continue
        try:
            secret = reference(peer_password_secret(index, peer))
        except StopIteration:
            continue  # the inventory has no session for this circuit
        text = peer_config(index, peer, secret)
        found[peer.name] = (DeviceAudit.of(peer.name, "frr", platform.parse(text), line_index(text), settings, None),
                            circuit)
    return found


@dataclass(frozen=True)
class ModelInputs:
    """What the model is computed from, read once from the configurations: a failure scenario
    (``muronet.analysis.failures``) takes routers, ports and cables out of these and solves again."""

    routers: dict[str, Router]  # the configured devices and their circuits' far ends
    checked: dict[SessionKey, bool]  # each configured BGP session: whether its configuration passed the checks
    cables: set[frozenset[tuple[str, str]]]  # (device, port) pairs in the platforms' interface names
    far_ends: dict[str, Circuit]  # lab name of a circuit's far end → the circuit


def model_inputs(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> ModelInputs:
    far = far_end_audits(index, audits)
    routers = {name: read_router(audit) for name, audit in {**audits, **{n: a for n, (a, _) in far.items()}}.items()}
    checked = {(c.device, table_name(c.neighbor.vrf), c.neighbor.address): c.checked and not c.reasons
               for c in session_checks(index, audits)}
    cables = {frozenset({(a, a_port), (b, b_port)}) for a, a_port, b, b_port in cabled_pairs(index, audits)}
    return ModelInputs(routers, checked, cables, {name: circuit for name, (_, circuit) in far.items()})


def build_model(index: InventoryIndex, audits: dict[str, DeviceAudit], vrf_leaks: bool = True) -> RoutingModel:
    """The model of ``audits`` (and their circuits' far ends). ``vrf_leaks``: a next hop in another
    VRF carries traffic, as in one real chassis; False for the twin, whose VRFs are namespaces, where
    FRR selects such a route but cannot install it (nor redistribute it, nor forward by it)."""
    return solve(model_inputs(index, audits), vrf_leaks)


def solve(inputs: ModelInputs, vrf_leaks: bool = True) -> RoutingModel:
    """The routing model of ``inputs``: rounds until the tables settle."""
    routers, checked, cables = inputs.routers, inputs.checked, inputs.cables
    ospf = OspfDomain(routers, cables)
    connected = _connected(routers)
    tables = {node: Rib(node, dict(own), ospf) for node, own in connected.items()}
    converged = False
    for _ in range(MAX_ROUNDS):
        established, down = sessions(routers, checked, tables)
        offered: dict[Node, list[Route]] = {node: list(own.values()) for node, own in connected.items()}
        for source in (_statics(routers, tables, vrf_leaks), bgp_routes(routers, established, tables)):
            for node, routes in source.items():
                offered.setdefault(node, []).extend(routes.values())
        own = {node: _select(routes) for node, routes in offered.items()}
        moved = ospf.set_externals(tables)  # what the ASBRs redistribute, from this round's tables
        if not moved and own == {node: rib.own for node, rib in tables.items()}:
            converged = True
            break
        tables = {node: Rib(node, routes, ospf) for node, routes in own.items()}
    return RoutingModel(routers, tables, established, down, inputs.far_ends, converged)


def _connected(routers: dict[str, Router]) -> dict[Node, dict[IPv4Network, Route]]:
    tables: dict[Node, dict[IPv4Network, Route]] = {}
    for router in routers.values():
        for port in router.ports:
            table = tables.setdefault((router.name, port.table), {})
            subnet = interned(port.address.network)
            hops = frozenset({NextHop(interface=port.name)})
            known = table.get(subnet)
            table[subnet] = Route(subnet, "connected", 0, 0, hops | (known.next_hops if known else frozenset()))
            if router.platform.local_routes and subnet.prefixlen < IPV4LENGTH:
                own = interned(IPv4Network(f"{port.address.ip}/{IPV4LENGTH}"))
                table.setdefault(own, Route(own, "local", 0, 0, hops))
    return tables


def _resolves(tables: dict[Node, Rib], node: Node, address: IPv4Address, prefix: IPv4Network) -> bool:
    """Whether a static's next hop resolves in a table: its longest match other than the default, not
    a blackhole, and not the static's own prefix (a route that resolves only through itself is
    refused by both platforms)."""
    rib = tables.get(node)
    route = rib.lookup(address, skip_default=True) if rib is not None else None
    return route is not None and not any(h.blackhole for h in route.next_hops) and not (
        route.protocol == "static" and route.prefix == prefix)


def _statics(routers: dict[str, Router], tables: dict[Node, Rib], vrf_leaks: bool
             ) -> dict[Node, dict[IPv4Network, Route]]:
    found: dict[Node, dict[IPv4Network, Route]] = {}
    for router in routers.values():
        up = {p.name for p in router.ports}
        for static in router.statics:
            if static.distance >= NEVER_INSTALLED:
                continue
            if static.blackhole:
                hop = NextHop(blackhole=True)
            elif static.next_hop is not None:
                if not _resolves(tables, (router.name, static.next_hop_table), static.next_hop, static.prefix):
                    continue
                hop = NextHop(static.next_hop, static.interface,
                              static.next_hop_table if static.next_hop_table != static.table else None)
            elif static.interface in up:
                hop = NextHop(interface=static.interface)
            else:
                continue
            table = found.setdefault((router.name, static.table), {})
            key = static.prefix
            known = table.get(key)
            installed = vrf_leaks or hop.table is None
            if known is None or static.distance < known.distance:
                table[key] = Route(key, "static", static.distance, 0, frozenset({hop}), static.origin, installed)
            elif static.distance == known.distance:
                table[key] = Route(key, "static", static.distance, 0, known.next_hops | {hop}, known.origin,
                                   known.installed and installed)
    return found


def _select(routes: list[Route]) -> dict[IPv4Network, Route]:
    """Per prefix, the lowest administrative distance (equal: the protocols' usual order); OSPF's
    routes are weighed against these when a table is read (``Rib.get``)."""
    chosen: dict[IPv4Network, Route] = {}
    for route in routes:
        known = chosen.get(route.prefix)
        if known is None or (route.distance, _PROTOCOL_ORDER.index(route.protocol)) < \
                (known.distance, _PROTOCOL_ORDER.index(known.protocol)):
            chosen[route.prefix] = route
    return chosen
