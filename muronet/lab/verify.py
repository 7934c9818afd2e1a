"""Zone verification in the twin: what the security policy implies, tested on the live network.

Two checks, both derived from the inventory:

- **Reachability matrix**: endpoint hosts of every zone ping endpoints of every zone, the far ends
  of the circuits (the LGWAN access point's services, "the internet" behind the security cloud)
  and the routers' management addresses. A flow must work exactly when source and destination are
  in the same zone: no communication between MYNUMBER, LGWAN, INTERNET, REGIONAL and MGMT, the
  LGWAN access point only from LGWAN, the internet only from INTERNET.
- **Routing tables**: every routing table of every router holds only prefixes of its own zone (its
  aggregates, or what the zone's circuits bring in: LGWAN prefixes, the security cloud's default).
  The twin's VRFs are separate network namespaces, so a leaked route cannot carry packets across
  zones here as it would inside one real chassis: the table check catches it anyway.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from ipaddress import IPv4Address, IPv4Network, ip_network
from typing import Any, Protocol

from muronet.inventory.index import InventoryIndex
from muronet.inventory.separation import MODELS
from muronet.lab.plan import OOB_NAMESPACE, LabPlan
from muronet.verify.expectations import zone_externals

EXTERNAL = "external"


@dataclass(frozen=True)
class Endpoint:
    zone: str
    namespace: str
    address: IPv4Address
    label: str


@dataclass(frozen=True)
class Probe:
    source: Endpoint
    target: Endpoint

    @property
    def allowed(self) -> bool:
        return self.source.zone == self.target.zone


@dataclass(frozen=True)
class ProbeResult:
    probe: Probe
    reached: bool
    expected: bool | None = None  # what the probe should do; None: what the policy says (within a zone)

    @property
    def arrives(self) -> bool:  # a ping knows the round trip only
        return self.reached

    @property
    def should_reach(self) -> bool:
        return self.probe.allowed if self.expected is None else self.expected

    @property
    def violation(self) -> bool:
        return self.reached != self.should_reach


def _management_address(index: InventoryIndex, device: str) -> IPv4Address:
    """The address of ``device``'s management port (validation requires one, with an address)."""
    address = index.devices[device].management.address
    assert address is not None, f"{device}: a management port without an address passed validation"
    return address.ip


def _spread(items: list[Endpoint], count: int) -> list[Endpoint]:
    """Up to ``count`` items spread evenly over the list (first and last included)."""
    if len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(n * step)] for n in range(count)]


def endpoints(plan: LabPlan, index: InventoryIndex, per_zone: int) -> tuple[list[Endpoint], list[Endpoint]]:
    """Sources and targets: ``per_zone`` LAN hosts of each zone (spread over sites), plus as
    targets the inventory's servers on the LANs (the relay's two sides, the groupware, the systems
    the separation model places), the circuits' far ends and a few routers' management addresses."""
    by_zone: dict[str, list[Endpoint]] = {}
    for segment in plan.segments:
        by_zone.setdefault(segment.zone, []).append(
            Endpoint(segment.zone, segment.namespace, segment.host.ip, segment.description or str(segment.prefix)))
    sources = [e for zone in sorted(by_zone) for e in _spread(by_zone[zone], per_zone)]
    targets = list(sources)
    targets += [Endpoint(s.zone, s.namespace, address.ip, name) for s in plan.segments for name, address in s.servers]
    for peer in plan.peers:
        targets += [Endpoint(peer.zone, peer.name, address, f"{peer.circuit.far_end_en} {address}")
                    for address in peer.services]
    management = index.inventory.management_zone or ""
    if plan.oob_host is not None:
        sources.append(Endpoint(management, OOB_NAMESPACE, plan.oob_host.ip, "automation host (OOB)"))
        routers = _spread([Endpoint(management, "", _management_address(index, r.name),
                                    f"{r.name} mgmt0") for r in plan.routers], per_zone)
        targets += routers
    return sources, targets


# How long a ping waits for its reply: a second where a reply is expected; where none is (the
# policy blocks the flow, or a failure cuts it) half of one. The twin's replies take milliseconds,
# so a leak is still seen; most probes are blocked ones, and they no longer wait out a whole second.
REPLY_EXPECTED_S, REPLY_NOT_EXPECTED_S = "1", "0.5"


def _ping(probe: Probe, expected: bool) -> ProbeResult:
    wait = REPLY_EXPECTED_S if expected else REPLY_NOT_EXPECTED_S
    done = subprocess.run(["ip", "netns", "exec", probe.source.namespace, "ping", "-n", "-q", "-c", "1", "-W", wait,
                           "-I", str(probe.source.address), str(probe.target.address)],
                          capture_output=True, text=True)
    return ProbeResult(probe, done.returncode == 0)


def probes_of(sources: list[Endpoint], targets: list[Endpoint]) -> list[Probe]:
    return [Probe(s, t) for s in sources for t in targets if s.address != t.address]


def run_matrix(sources: list[Endpoint], targets: list[Endpoint], workers: int = 64) -> list[ProbeResult]:
    """Every probe, ``workers`` at a time: most of them wait out a blocked ping's second."""
    return ping_all(probes_of(sources, targets), workers)


def ping_all(probes: Sequence[Probe], workers: int = 64, expected: Mapping[Probe, bool] | None = None
             ) -> list[ProbeResult]:
    """Every probe pinged once; ``expected``: which should reach (default: the policy's, within a zone)."""
    def ping(probe: Probe) -> ProbeResult:
        return _ping(probe, probe.allowed if expected is None else expected[probe])

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(ping, probes))


class Result(Protocol):
    @property
    def probe(self) -> Probe: ...

    @property
    def reached(self) -> bool: ...  # there and back

    @property
    def arrives(self) -> bool: ...  # there, reply or not

    @property
    def should_reach(self) -> bool: ...  # the expectation: the policy's (within a zone), or a prediction's

    @property
    def violation(self) -> bool: ...


@dataclass(frozen=True)
class MatrixCell:
    """The probes from one zone to another."""

    allowed: bool  # the policy: a flow works exactly within a zone
    reached: int  # probes answered
    probes: int
    one_way: int  # probes that arrived and were not answered (the offline model knows; a ping does not)


@dataclass(frozen=True)
class Violation:
    """A probe whose outcome breaks the policy."""

    source: Endpoint
    target: Endpoint
    expected: str  # "reach" or "blocked"
    got: str  # "reached", "reached one way" or "blocked"

    def as_dict(self) -> dict[str, str]:
        return {"from": self.source.label, "from_zone": self.source.zone, "source": str(self.source.address),
                "to": self.target.label, "to_zone": self.target.zone, "target": str(self.target.address),
                "expected": self.expected, "got": self.got}


@dataclass(frozen=True)
class ZoneMatrix:
    """The verification as data (pinged on the twin, or computed by the offline model)."""

    probes: int
    cells: dict[tuple[str, str], MatrixCell]  # (from zone, to zone) → its probes, for the pairs probed
    violations: list[Violation]
    routing_table_violations: list[str]  # "router table: prefix (protocol)" outside the table's zone
    seconds: float | None = None  # the time the probes took on the twin
    model: str = ""  # the separation model the expectations follow, as the inventory states it
    # under a failure (lab verify --fail): the elements down, and how long the twin took to agree
    # with the model's prediction on the flows the failure changes (None: it did not, in time)
    failed: tuple[str, ...] = ()
    converged_seconds: float | None = None
    changed: int = 0  # the probes whose outcome or path the failure changes, by the model

    @property
    def ok(self) -> bool:
        return not self.violations and not self.routing_table_violations

    @property
    def zones(self) -> list[str]:
        """The matrix's rows and columns."""
        return sorted({zone for pair in self.cells for zone in pair})

    def as_dict(self) -> dict[str, Any]:
        """As ``lab verify --json`` prints it."""
        timed = {"seconds": self.seconds} if self.seconds is not None else {}
        model = {"separation_model": self.model} if self.model else {}
        failure = {"fail": list(self.failed), "changed": self.changed,
                   "converged_seconds": self.converged_seconds} if self.failed else {}
        return {**timed, **model, **failure, "ok": self.ok, "probes": self.probes,
                "matrix": {f"{a}->{b}": asdict(cell) for (a, b), cell in self.cells.items()},
                "violations": [v.as_dict() for v in self.violations],
                "routing_table_violations": self.routing_table_violations}


def zone_matrix(results: Sequence[Result], tables: list[str], seconds: float | None = None) -> ZoneMatrix:
    """The matrix by zone pair of the probes' ``results``, the probes that break the policy, and the
    routing-table violations ``tables``."""
    zones = sorted({e.zone for r in results for e in (r.probe.source, r.probe.target)})
    cells = {(a, b): [r for r in results if r.probe.source.zone == a and r.probe.target.zone == b]
             for a in zones for b in zones}
    return ZoneMatrix(
        len(results),
        {(a, b): MatrixCell(a == b, sum(r.reached for r in rs), len(rs), sum(r.arrives and not r.reached for r in rs))
         for (a, b), rs in cells.items() if rs},
        [Violation(r.probe.source, r.probe.target, "reach" if r.should_reach else "blocked",
                   "reached" if r.reached else "reached one way" if r.arrives else "blocked")
         for r in results if r.violation],
        tables, seconds)


def model_line(index: InventoryIndex) -> str:
    """The separation model the matrix follows, and where it puts what the probes reach."""
    city = index.inventory.city
    if city is None:
        return ""
    model = MODELS[city.separation_model]
    placed = ", ".join(f"{h.name} ({h.role.replace('_', ' ')}) in {'+'.join(i.zone for i in h.interfaces)}"
                       for h in index.inventory.hosts if h.role in ("groupware", "business_system", "screen_transfer"))
    return f"{model.name} ({city.separation_model}): main business terminals in {model.terminal_zone}" + (
        f"; {placed}" if placed else "")


def allowed_prefixes(index: InventoryIndex) -> dict[str, list[IPv4Network]]:
    """What each zone's routing tables may hold."""
    externals = zone_externals(index)
    return {name: [*zone.aggregates, *externals.get(name, set())] for name, zone in index.inventory.zones.items()}


def foreign_routes(table: dict[str, list[dict[str, Any]]], allowed: list[IPv4Network]) -> list[str]:
    """Prefixes of one routing table (FRR's JSON) that lie outside ``allowed``, with protocol.

    >>> foreign_routes({"0.0.0.0/0": [{"protocol": "ospf"}], "10.20.1.0/24": [{"protocol": "ospf"}]},
    ...                [IPv4Network("10.20.0.0/16")])
    ['0.0.0.0/0 (ospf)']
    """
    found = []
    for prefix, entries in sorted(table.items()):
        network = ip_network(prefix)
        if not any(network.subnet_of(a) for a in allowed if a.version == network.version):
            found.append(f"{prefix} ({', '.join(sorted({e.get('protocol', '?') for e in entries}))})")
    return found


def table_violations(plan: LabPlan, index: InventoryIndex) -> list[str]:
    """Every route, on every router of the twin, outside the zone of its table."""
    allowed = allowed_prefixes(index)

    def check(router_name: str) -> list[str]:
        device = index.devices[router_name]
        router = next(r for r in plan.routers if r.name == router_name)
        tables = {"default": device.global_zone, **{vrf: index.zone_of_vrf.get(vrf) for vrf in router.vrfs}}
        found = []
        for vrf, zone in tables.items():
            if zone is None:
                continue
            shown = subprocess.run(["vtysh", "-N", router_name, "-c", f"show ip route vrf {vrf} json"],
                                   capture_output=True, text=True).stdout
            for route in foreign_routes(json.loads(shown or "{}"), allowed[zone]):
                found.append(f"{router_name}: table {vrf} (zone {zone}) holds {route}")
        return found

    with ThreadPoolExecutor(8) as pool:
        return [line for lines in pool.map(check, [r.name for r in plan.routers]) for line in lines]
