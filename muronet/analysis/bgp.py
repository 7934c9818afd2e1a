"""BGP routes from the configurations: which sessions come up, what each side sends and accepts.

A session is up when ``muronet.analysis.sessions`` finds nothing that keeps it down (both ends
configured for each other, AS numbers, passwords, GTSM, a family in common, on-link) and the far
end is a router of the model (a configuration, or a circuit's far end as the inventory describes
it). Each speaker originates its ``network`` statements whose prefix is in its table exactly, and
what it redistributes; it sends its best paths through its outbound policy (eBGP: nothing without
one where the platform requires it; iBGP-learned paths not to iBGP peers; ``default-originate``
regardless) and accepts through its inbound policy, dropping paths that carry its own AS. A
session whose accepted prefixes exceed its ``maximum-prefix`` goes down. Best path: locally
originated, then the shortest AS path, eBGP over iBGP, the lowest neighbour address; one path
per prefix (no multipath). Installed at distance 20 (eBGP) or 200 (iBGP).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from muronet.analysis.prefixes import interned
from muronet.analysis.routers import BgpProcess, Neighbor, Origin, Router
from muronet.analysis.routes import NextHop, Rib, Route

Node = tuple[str, str]
DEFAULT_ROUTE = interned(IPv4Network("0.0.0.0/0"))


@dataclass(frozen=True)
class Path:
    as_path: tuple[str, ...]
    next_hop: IPv4Address | None  # None: originated here
    learned_from: IPv4Address | None
    external: bool
    origin: Origin

    def rank(self) -> tuple:
        return (self.learned_from is not None, len(self.as_path), not self.external,
                int(self.learned_from) if self.learned_from else 0)


@dataclass(frozen=True)
class Session:
    """One direction of an established session: ``speaker`` sends to ``receiver``."""

    speaker: Node
    sending: Neighbor  # the speaker's neighbour statement for the receiver
    receiver: Node
    receiving: Neighbor  # the receiver's for the speaker

    @property
    def external(self) -> bool:
        return self.sending.session.local_as != self.receiving.session.local_as


def sessions(routers: dict[str, Router], checked: dict[tuple[str, str, IPv4Address], bool]) -> list[Session]:
    """Both directions of every session that comes up. ``checked``: whether each configured
    session (router, table, neighbour address) passed the session checks; a side not in it (a
    circuit's far end, whose side is the inventory's) is taken as ready."""
    owners: dict[IPv4Address, list[str]] = {}
    for router in routers.values():
        for port in router.ports:
            owners.setdefault(port.address.ip, []).append(router.name)
    found = []
    for router in routers.values():
        for table, process in router.bgp.items():
            own = {p.address.ip for p in router.ports_in(table)}
            for neighbor in process.neighbors:
                if not checked.get((router.name, table, neighbor.address), True):
                    continue
                for far_name in owners.get(neighbor.address, ()):
                    for far_table, far_process in routers[far_name].bgp.items():
                        back = next((n for n in far_process.neighbors if n.address in own), None)
                        if far_name != router.name and back is not None and \
                                checked.get((far_name, far_table, back.address), True):
                            found.append(Session((router.name, table), neighbor, (far_name, far_table), back))
    return found


def bgp_routes(routers: dict[str, Router], established: list[Session], tables: dict[Node, Rib]
               ) -> dict[Node, dict[IPv4Network, Route]]:
    """Every speaker's installed BGP routes, from the previous round's tables for what it originates."""
    processes = {(r.name, t): (r, p) for r in routers.values() for t, p in r.bgp.items()}
    best: dict[Node, dict[IPv4Network, Path]] = {node: _originated(router, process, tables.get(node))
                                                 for node, (router, process) in processes.items()}
    local = {node: dict(paths) for node, paths in best.items()}
    live = list(established)
    for _ in range(64):
        received: dict[Node, dict[IPv4Network, list[Path]]] = {}
        over = []
        for session in live:
            accepted = _exchange(processes, session, best)
            limit = session.receiving.maximum_prefix
            if limit is not None and len(accepted) > limit:
                over.append(session)
                continue
            for prefix, path in accepted.items():
                received.setdefault(session.receiver, {}).setdefault(prefix, []).append(path)
        live = [s for s in live if s not in over and not any(
            o.speaker == s.receiver and o.receiver == s.speaker for o in over)]
        new = {node: _best(local[node], received.get(node, {})) for node in processes}
        if new == best and not over:
            break
        best = new
    return {node: {prefix: Route(prefix, "bgp", 20 if path.external else 200, 0,
                                 frozenset({NextHop(path.next_hop)}), path.origin)
                   for prefix, path in paths.items() if path.learned_from is not None}
            for node, paths in best.items()}


def _originated(router: Router, process: BgpProcess, table: Rib | None) -> dict[IPv4Network, Path]:
    paths: dict[IPv4Network, Path] = {}
    if table is None:
        return paths
    for prefix, origin in process.networks:
        present = table.get(prefix)
        if present is not None and present.protocol != "bgp" and present.installed:
            paths[prefix] = Path((), None, None, False, origin)
    for redistribution in process.redistributions:
        for prefix, route in table.items() if redistribution.source == "ospf" else table.selected_own():
            if route.protocol == redistribution.source and route.installed and prefix not in paths and (
                    redistribution.route_map is None or router.policies.route_map(redistribution.route_map, prefix)[0]):
                paths[prefix] = Path((), None, None, False, redistribution.origin)
    return paths


def _filter(router: Router, neighbor: Neighbor, direction: str, prefix: IPv4Network) -> bool:
    route_map = neighbor.policy.get(("route-map", direction))
    prefix_list = neighbor.policy.get(("prefix-list", direction))
    if route_map is not None and not router.policies.route_map(route_map, prefix)[0]:
        return False
    return prefix_list is None or router.policies.prefix_list_permits(prefix_list, prefix)


def _has_policy(neighbor: Neighbor, direction: str) -> bool:
    return any(d == direction for _, d in neighbor.policy)


def _exchange(processes: dict[Node, tuple[Router, BgpProcess]], session: Session,
              best: dict[Node, dict[IPv4Network, Path]]) -> dict[IPv4Network, Path]:
    """What the receiver accepts of what the speaker sends on one session."""
    speaker, speaker_process = processes[session.speaker]
    receiver, receiver_process = processes[session.receiver]
    external = session.external
    offered: dict[IPv4Network, Path] = {}
    if not (external and speaker_process.requires_policy and not _has_policy(session.sending, "out")):
        for prefix, path in best.get(session.speaker, {}).items():
            if path.learned_from is not None and not path.external and not external:
                continue  # iBGP split horizon
            if _filter(speaker, session.sending, "out", prefix):
                offered[prefix] = path
    if session.sending.default_originate:
        offered[DEFAULT_ROUTE] = Path((), None, None, False, Origin(speaker.name, session.sending.session.line,
                                                                    f"neighbor {session.sending.address} "
                                                                    "default-originate"))
    if external and receiver_process.requires_policy and not _has_policy(session.receiving, "in"):
        return {}
    own_as, speaker_as = receiver_process.asn, speaker_process.asn
    accepted = {}
    for prefix, path in offered.items():
        as_path = (speaker_as, *path.as_path) if external else path.as_path
        if own_as in as_path or not _filter(receiver, session.receiving, "in", prefix):
            continue
        next_hop = session.receiving.address if external or session.sending.next_hop_self or path.next_hop is None \
            else path.next_hop
        accepted[prefix] = Path(as_path, next_hop, session.receiving.address, external, path.origin)
    return accepted


def _best(local: dict[IPv4Network, Path], received: dict[IPv4Network, list[Path]]) -> dict[IPv4Network, Path]:
    chosen = dict(local)
    for prefix, paths in received.items():
        candidates = ([chosen[prefix]] if prefix in chosen else []) + paths
        chosen[prefix] = min(candidates, key=Path.rank)
    return chosen
