"""Redundancy a change takes away: the flows that, after the change, one element's failure cuts and
that no failure of that element cut before (a second uplink removed, a ring opened, a cost that
sends everything over one span). Each is said with the scenario that shows it
(``muronet analyze --fail ELEMENT``); a flow the policy requires to survive a single failure (to the
LGWAN access point, to the Government Cloud, a facility's to city hall) makes it critical."""

from __future__ import annotations

from collections.abc import Sequence

from muronet.analysis.failures import FailureAnalysis, Flow, Scenario, failure_probes, run_scenarios, single_elements
from muronet.analysis.finding import Finding
from muronet.analysis.forwarding import model_plan
from muronet.analysis.routing import model_inputs, solve
from muronet.inventory.index import InventoryIndex
from muronet.policy.context import DeviceAudit

FlowKey = tuple[str, str]  # (source, target) as the failure analysis names them
NAMED = 6  # sites named in a finding's message


def analysis_of(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> FailureAnalysis:
    inputs = model_inputs(index, audits)
    plan = model_plan(index, solve(inputs))
    return FailureAnalysis(index, inputs, plan, failure_probes(plan, index))


def cut_by(analysis: FailureAnalysis, elements: Sequence[str]) -> dict[str, set[FlowKey]]:
    """Per element (of ``elements``), the flows its single failure cuts; every core works on it."""
    scenarios: list[Scenario] = run_scenarios(analysis, [(e,) for e in elements], workers=0)
    return {s.fail[0]: {(f.source, f.target) for f in s.lost} for s in scenarios}


def lost_redundancy(before: FailureAnalysis, after: FailureAnalysis) -> list[Finding]:
    """The new single points of failure of the flows both sides reach, one finding per element.
    Only the elements that cut something after the change can be new single points: the side
    before is asked about those alone."""
    reached_before = {(f.source, f.target) for probe, (reached, _) in before.baseline.items() if reached
                      for f in (before.flow(probe),)}
    if not reached_before:
        return []  # nothing reached before (a router's first configuration): no redundancy to lose
    now = cut_by(after, single_elements(after.index, after.inputs))
    cutting = sorted(element for element, flows in now.items() if flows & reached_before)
    existed = set(single_elements(before.index, before.inputs))
    was = cut_by(before, [e for e in cutting if e in existed])
    flows = {(f.source, f.target): f for f in (after.flow(p) for p in after.probes)}
    findings = []
    for element in cutting:
        new = sorted(now[element] & reached_before - was.get(element, set()))
        if new:
            findings.append(_finding(element, [flows[key] for key in new]))
    return findings


def _finding(element: str, flows: list[Flow]) -> Finding:
    required = [f for f in flows if f.required]
    sites = sorted({site for f in flows for site in f.sites})
    zones = sorted({f.zone for f in flows})
    named = ", ".join(sites[:NAMED]) + (f" and {len(sites) - NAMED} more" if len(sites) > NAMED else "")
    return Finding("redundancy", "critical" if required else "medium", element, None,
                   f"after the change {len(flows)} flow(s) of {named} ({', '.join(zones)}) depend on {element} alone, "
                   f"{len(required)} of them flows the policy requires to survive a single failure; see "
                   f"`muronet analyze --fail {element}`")
