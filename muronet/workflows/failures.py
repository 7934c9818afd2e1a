"""What survives a failure, offline: one scenario (``--fail``), every single failure (``--n-1``) or
every pair of spans of one ring (``--n-2``), judged by the flows a planner asks about
(``muronet.analysis.failures``)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from muronet.analysis.failures import (
    FailureAnalysis,
    Scenario,
    failure_of,
    failure_probes,
    ring_pairs,
    run_scenarios,
    single_elements,
)
from muronet.analysis.forwarding import model_plan
from muronet.analysis.routing import model_inputs, solve
from muronet.inventory.index import InventoryIndex
from muronet.workflows.analyze import read_configurations
from muronet.workflows.errors import WorkflowError


@dataclass(frozen=True)
class FailureOptions:
    inventory: Path = Path("inventory")
    source: Path | None = None  # a folder of <device>.cfg; None: the intended configurations, rendered
    templates: Path | None = None
    fail: tuple[str, ...] = ()  # one scenario: these elements down together
    n_1: bool = False  # every single failure of a cable, a routed device, a circuit
    n_2: bool = False  # every two spans of one ring


@dataclass(frozen=True)
class Cut:
    """A scenario that cuts something, as the planner's summary lists it."""

    fail: list[str]
    lost: int
    sites: list[str]  # the sites that lose a flow
    beyond: list[str]  # those of them not the failed elements' own
    zones: list[str]


@dataclass
class FailureResult:
    flows: int  # the flows judged (reached with everything up)
    scenarios: list[Scenario]
    element_sites: dict[str, set[str]] = field(default_factory=dict)  # a failed device's or site's own sites
    seconds: float = 0.0

    @property
    def cuts(self) -> list[Cut]:
        """The scenarios that cut something, the widest first."""
        found = []
        for scenario in self.scenarios:
            if not scenario.cuts:
                continue
            own = set().union(*(self.element_sites.get(e, set()) for e in scenario.fail))
            sites = scenario.sites_cut()
            found.append(Cut(list(scenario.fail), len(scenario.lost), sites, [s for s in sites if s not in own],
                             sorted({f.zone for f in scenario.lost})))
        return sorted(found, key=lambda c: (-len(c.beyond), -c.lost, c.fail))

    def to_json(self) -> dict[str, Any]:
        cuts = self.cuts
        return {
            "flows": self.flows,
            "scenarios": [{"fail": list(s.fail), "lost": [asdict(f) for f in s.lost],
                           "moved": [asdict(f) for f in s.moved], "seconds": s.seconds} for s in self.scenarios],
            "summary": {"scenarios": len(self.scenarios), "cutting": len(cuts),
                        "beyond_own_site": sum(1 for c in cuts if c.beyond), "seconds": self.seconds,
                        "cuts": [asdict(c) for c in cuts]},
        }


def failure_scenarios(options: FailureOptions) -> FailureResult:
    if not (options.fail or options.n_1 or options.n_2):
        raise WorkflowError("name a failure (--fail ELEMENT) or ask for --n-1 or --n-2", 2)
    read = read_configurations(options.inventory, options.source, options.templates)
    if read.standalone:
        raise WorkflowError("failure scenarios need the inventory: its cables, sites and circuits are the elements", 2)
    index = read.index
    for element in options.fail:
        try:
            failure_of(index, element)
        except ValueError as error:
            raise WorkflowError(str(error), 2) from None
    started = time.perf_counter()
    inputs = model_inputs(index, read.audits)
    plan = model_plan(index, solve(inputs))
    analysis = FailureAnalysis(index, inputs, plan, failure_probes(plan, index))
    wanted: list[tuple[str, ...]] = []
    if options.fail:
        wanted.append(tuple(options.fail))
    if options.n_1:
        wanted += [(element,) for element in single_elements(index, inputs)]
    if options.n_2:
        wanted += list(ring_pairs(index, inputs))
    scenarios = run_scenarios(analysis, wanted)
    return FailureResult(sum(1 for reached, _ in analysis.baseline.values() if reached), scenarios,
                         _element_sites(index, {e for w in wanted for e in w}),
                         round(time.perf_counter() - started, 2))


def _element_sites(index: InventoryIndex, elements: set[str]) -> dict[str, set[str]]:
    """A device's site, a site itself: what a facility losing its own router loses is its own."""
    found = {}
    for element in elements:
        if element in index.devices:
            found[element] = {index.devices[element].site}
        elif element in index.sites:
            found[element] = {element}
    return found
