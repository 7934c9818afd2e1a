"""What survives a failure: the routing model solved again with cables, devices, sites or circuits
taken out, and the flows that then stop or move.

A failure is named as the inventory names things: a cable (its label, or one end ``DEVICE:PORT``),
a device, a site (every device there), a circuit (its id). A cut cable or circuit takes its ports
down on both ends (and their sub-interfaces); a lost device takes everything of it. The flows are
those a planner asks about: from every LAN to its zone's city-hall LAN and to its zone's external
lines (the LGWAN access point, the internet behind the security cloud, the Government Cloud).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from muronet.analysis.forwarding import Network, network_of, reach
from muronet.analysis.routers import Origin, Router
from muronet.analysis.routing import ModelInputs, RoutingModel, solve
from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.model import SiteKind
from muronet.lab.plan import LabPlan, Segment
from muronet.lab.verify import Endpoint, Probe
from muronet.parallel import forked_map
from muronet.platforms import get_platform

PortKey = tuple[str, str]  # (device, port) in the inventory's names
VITAL_LINES = ("lgwan_access", "government_cloud")  # the lines a zone's business depends on
PARALLEL_THRESHOLD = 16  # scenarios; fewer are not worth starting processes for


@dataclass(frozen=True)
class Failure:
    """What is down: whole devices, and ports of devices that stay up."""

    elements: tuple[str, ...]  # as the user named them
    devices: frozenset[str] = frozenset()
    ports: frozenset[PortKey] = frozenset()

    def __add__(self, other: Failure) -> Failure:
        return Failure(self.elements + other.elements, self.devices | other.devices, self.ports | other.ports)


def failure_of(index: InventoryIndex, element: str) -> Failure:
    """The failure of one element, named as the inventory names it; ValueError when nothing is."""
    inventory = index.inventory
    for circuit in inventory.circuits:
        if circuit.cid == element:
            return Failure((element,), ports=frozenset({split_endpoint(circuit.termination)}))
    if element in index.devices:
        return Failure((element,), devices=frozenset({element}))
    if element in index.sites:
        return Failure((element,), devices=frozenset(d.name for d in inventory.devices if d.site == element))
    for cable in inventory.cables:
        if element in (cable.label, cable.a, cable.b):
            return Failure((element,), ports=frozenset({split_endpoint(cable.a), split_endpoint(cable.b)}))
    if ":" in element and split_endpoint(element) in index.interfaces:
        return Failure((element,), ports=frozenset({split_endpoint(element)}))
    raise ValueError(f"{element}: no cable (label or DEVICE:PORT), device, site or circuit of the inventory")


def combined(index: InventoryIndex, elements: Sequence[str]) -> Failure:
    """Every element of ``elements`` down at once."""
    failure = Failure(())
    for element in elements:
        failure = failure + failure_of(index, element)
    return failure


def without(index: InventoryIndex, inputs: ModelInputs, failure: Failure) -> ModelInputs:
    """``inputs`` with the failed devices gone and the failed ports (and their sub-interfaces) down."""
    down: dict[str, set[str]] = {}
    for device, port in failure.ports:
        known = index.devices.get(device)
        if known is not None:
            down.setdefault(device, set()).add(get_platform(known.platform).interface_name(port))
    routers = {name: _ports_down(router, down[name]) if name in down else router
               for name, router in inputs.routers.items() if name not in failure.devices}
    up = {(name, p.name) for name, router in routers.items() for p in router.ports}
    cables = {cable for cable in inputs.cables if cable <= up}
    return ModelInputs(routers, inputs.checked, cables, inputs.far_ends)


def _ports_down(router: Router, names: set[str]) -> Router:
    def down(port: str) -> bool:
        return port in names or port.split(".")[0] in names

    gone = {p.address.ip for p in router.ports if down(p.name)}
    return dataclasses.replace(router, ports=[p for p in router.ports if not down(p.name)],
                               gateways=[g for g in router.gateways if g.port_address not in gone])


# --- the flows a failure is judged by ----------------------------------------------------------


def failure_probes(plan: LabPlan, index: InventoryIndex) -> list[Probe]:
    """From every LAN's test host: to one city-hall LAN of its zone (the one holding servers, when
    there is one) and to every far end of its zone's circuits."""
    hall = {s.slug for s in index.inventory.sites if s.kind == SiteKind.CITY_HALL}
    site_of = segment_sites(plan, index)
    anchors: dict[str, Segment] = {}
    for segment in sorted(plan.segments, key=lambda s: (not s.servers, s.prefix)):
        if site_of[segment.namespace] & hall:
            anchors.setdefault(segment.zone, segment)
    probes = []
    for segment in plan.segments:
        source = _endpoint(segment)
        anchor = anchors.get(segment.zone)
        if anchor is not None and anchor is not segment:
            probes.append(Probe(source, _endpoint(anchor)))
        probes += [Probe(source, Endpoint(peer.zone, peer.name, address, f"{peer.circuit.far_end_en} {address}"))
                   for peer in plan.peers if peer.zone == segment.zone for address in peer.services[:1]]
    return probes


def _endpoint(segment: Segment) -> Endpoint:
    return Endpoint(segment.zone, segment.namespace, segment.host.ip, segment.description or str(segment.prefix))


def segment_sites(plan: LabPlan, index: InventoryIndex) -> dict[str, set[str]]:
    """The sites of each LAN's gateways, by the LAN's namespace."""
    router_of = {namespace: router.name for router in plan.routers for namespace in router.namespaces}
    return {s.namespace: {index.devices[router_of[p.namespace]].site for p in s.gateway_ports} for s in plan.segments}


# --- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    source: str  # the LAN's test host: "label address"
    target: str
    zone: str
    sites: tuple[str, ...]  # the sites of the source LAN's gateways
    # one the policy requires to survive a single failure: to the LGWAN access point or the Government
    # Cloud, and a facility's to city hall
    required: bool = False


@dataclass(frozen=True)
class Scenario:
    fail: tuple[str, ...]
    lost: list[Flow]  # reached with everything up, not with the failure
    moved: list[Flow]  # still reached, by another path (other routes' lines)
    seconds: float = 0.0

    @property
    def cuts(self) -> bool:
        return bool(self.lost)

    def sites_cut(self) -> list[str]:
        """The sites that lose a flow (to city hall or to an external line)."""
        return sorted({site for flow in self.lost for site in flow.sites})


@dataclass
class FailureAnalysis:
    """The model solved once with everything up; any failure is then one more solve."""

    index: InventoryIndex
    inputs: ModelInputs
    plan: LabPlan
    probes: list[Probe]
    vrf_leaks: bool = True

    def __post_init__(self) -> None:
        self.sites = segment_sites(self.plan, self.index)
        hall = {s.slug for s in self.index.inventory.sites if s.kind == SiteKind.CITY_HALL}
        self.hall_lans = {s.namespace for s in self.plan.segments if self.sites[s.namespace] & hall}
        self.vital_ends = {peer.name for peer in self.plan.peers if peer.circuit.kind in VITAL_LINES}
        self.baseline = self._reached(solve(self.inputs, self.vrf_leaks))

    def _reached(self, model: RoutingModel) -> dict[Probe, tuple[bool, tuple[Origin, ...]]]:
        network: Network = network_of(model, self.plan)
        return {probe: (answer.reached, answer.origins) for probe in self.probes
                for answer in (reach(network, probe),)}

    def _after(self, failure: Failure) -> dict[Probe, tuple[bool, tuple[Origin, ...]]]:
        return self._reached(solve(without(self.index, self.inputs, failure), self.vrf_leaks))

    def predict(self, failure: Failure) -> dict[Probe, tuple[bool, bool]]:
        """Per probe: whether it reaches with ``failure``, and whether the failure changes it (its
        outcome or its path): what the twin must show once it has converged."""
        after = self._after(failure)
        return {probe: (after[probe][0], after[probe] != self.baseline[probe]) for probe in self.probes}

    def scenario(self, failure: Failure) -> Scenario:
        started = time.perf_counter()
        after = self._after(failure)
        lost, moved = [], []
        for probe, (reached, path) in self.baseline.items():
            now, new_path = after[probe]
            if reached and not now:
                lost.append(self.flow(probe))
            elif reached and new_path != path:
                moved.append(self.flow(probe))
        return Scenario(failure.elements, lost, moved, round(time.perf_counter() - started, 3))

    def flow(self, probe: Probe) -> Flow:
        """A probe as the reports name it."""
        source, target = probe.source, probe.target
        facility = source.namespace not in self.hall_lans
        required = target.namespace in self.vital_ends or (facility and target.namespace in self.hall_lans)
        return Flow(f"{source.label} {source.address}", f"{target.label}", source.zone,
                    tuple(sorted(self.sites.get(source.namespace, set()))), required)


def single_elements(index: InventoryIndex, inputs: ModelInputs) -> list[str]:
    """Every element whose single failure N-1 tries: cables between two modelled devices (by label),
    modelled devices, and circuits ending on one."""
    modelled = set(inputs.routers)
    cables = [c.label or c.a for c in index.inventory.cables
              if split_endpoint(c.a)[0] in modelled and split_endpoint(c.b)[0] in modelled]
    devices = sorted(d.name for d in index.inventory.devices if d.name in modelled)
    circuits = sorted(c.cid for c in index.inventory.circuits if split_endpoint(c.termination)[0] in modelled)
    return [*cables, *devices, *circuits]


def ring_pairs(index: InventoryIndex, inputs: ModelInputs) -> Iterator[tuple[str, str]]:
    """N-2's pairs that matter: two spans of one fiber ring."""
    modelled = set(inputs.routers)
    rings: dict[str, list[str]] = {}
    for cable in index.inventory.cables:
        if cable.ring and split_endpoint(cable.a)[0] in modelled and split_endpoint(cable.b)[0] in modelled:
            rings.setdefault(cable.ring, []).append(cable.label or cable.a)
    for _, spans in sorted(rings.items()):
        yield from combinations(spans, 2)


def run_scenarios(analysis: FailureAnalysis, scenarios: Iterable[Sequence[str]], workers: int = 1) -> list[Scenario]:
    """Each scenario solved and walked; ``workers`` processes (0: one per core) when there are many."""
    wanted = [tuple(elements) for elements in scenarios]
    return list(forked_map(lambda elements: analysis.scenario(combined(analysis.index, elements)), wanted, workers,
                           PARALLEL_THRESHOLD))
