"""Offline analysis of the city's configurations, across devices: what each configuration defines
and uses (undefined references, unused structures), ACL lines an earlier line shadows, and whether
every OSPF adjacency on the inventory's cables and every BGP session can come up; and a routing
model (every router's tables, per VRF: ``muronet.analysis.routing``) with the zone reachability
matrix it implies (``muronet.analysis.forwarding``). Read from configurations alone (rendered,
backups, or a folder), FRR and Cisco IOS alike; nothing is asked of a device.
"""

from __future__ import annotations

from dataclasses import dataclass

from muronet.analysis.bgp import confederation_blocked
from muronet.analysis.filters import unreachable_lines
from muronet.analysis.finding import SEVERITIES, Finding
from muronet.analysis.forwarding import Reach, matrix
from muronet.analysis.routing import RoutingModel, build_model
from muronet.analysis.sessions import bgp_findings, ospf_findings, session_finding, session_severity
from muronet.analysis.structures import undefined, unused
from muronet.analysis.zones import RouteChange, foreign_routes, route_changes, table_lines, zone_findings
from muronet.inventory.index import InventoryIndex
from muronet.lab.verify import ZoneMatrix, zone_matrix
from muronet.platforms import get_platform
from muronet.policy.context import DeviceAudit, Settings, line_index
from muronet.policy.engine import UNPARSEABLE

__all__ = ["SEVERITIES", "Finding", "NetworkAnalysis", "RouteChange", "analyze", "audits_of", "difference",
           "network_analysis", "route_changes"]


def audits_of(texts: dict[str, str], platforms: dict[str, str], settings: Settings, index: InventoryIndex | None
              ) -> dict[str, DeviceAudit]:
    """The configurations as the devices read them (device name → text, platform): abbreviations
    and keyword case resolved, negations applied, a line for each line of the text. A text with a
    line the platform's grammar cannot place is read by its own indentation instead (the review
    reports such lines apart, and blocks); a text that cannot be parsed is left out (the caller
    says so: the audit and the review report it)."""
    audits = {}
    for name, text in texts.items():
        platform = get_platform(platforms[name])
        try:
            reading = platform.read(text)
            text = reading.text() if not reading.unread else text
            tree = platform.parse(text)
        except UNPARSEABLE:
            continue
        audits[name] = DeviceAudit.of(name, platforms[name], tree, line_index(text), settings, index)
    return audits


@dataclass
class NetworkAnalysis:
    findings: list[Finding]  # most severe first
    model: RoutingModel
    probes: list[Reach]  # lab verify's probes, answered by the model
    table_violations: list[str]  # in lab verify's words

    def zone_matrix(self) -> ZoneMatrix:
        return zone_matrix(self.probes, self.table_violations)


def network_analysis(index: InventoryIndex, audits: dict[str, DeviceAudit], vrf_leaks: bool = True
                     ) -> NetworkAnalysis:
    """Every finding over ``audits`` (device name → its parsed configuration), with the routing
    model and the reachability matrix they come from (``vrf_leaks``: see ``build_model``)."""
    found: list[Finding] = []
    for name, audit in sorted(audits.items()):
        found += [Finding("undefined-reference", "high", name, use.line,
                          f"{use.text}: {use.structure} is not defined") for use in undefined(audit)]
        found += [Finding("unused-structure", "low", name, line, f"{structure} is defined and never used")
                  for structure, line in unused(audit)]
        found += unreachable_lines(audit)
    found += ospf_findings(index, audits) + bgp_findings(index, audits)
    model = build_model(index, audits, vrf_leaks)
    found += _transport_findings(index, audits, model)
    probes = matrix(index, model)
    foreign = foreign_routes(index, audits, model)
    # the lines a zone's business depends on: losing one of their flows is critical
    vital = {name for name, circuit in model.far_ends.items() if circuit.kind in ("lgwan_access", "government_cloud")}
    found += zone_findings(foreign, probes, vital)
    if not model.converged:
        found.append(Finding("routing-model", "medium", "*", None, "the routing model did not settle (a routing "
                             "loop between protocols?): its tables are those of its last round"))
    return NetworkAnalysis(sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.device, f.line or 0)),
                           model, probes, table_lines(foreign))


def _transport_findings(index: InventoryIndex, audits: dict[str, DeviceAudit], model: RoutingModel
                        ) -> list[Finding]:
    """The sessions whose configurations agree and that still do not come up in the routing model."""
    found = []
    for (device, table, address), down in sorted(model.down.items(), key=lambda item: (*item[0][:2],
                                                                                         int(item[0][2]))):
        process = model.routers[device].bgp.get(table) if device in audits else None
        neighbor = next((n.session for n in process.neighbors if n.address == address), None) if process else None
        if neighbor is not None:
            found.append(session_finding(device, neighbor, session_severity(index, address), None, down.check,
                                         down.reason))
    for session in model.sessions:
        if session.confed and confederation_blocked(model.routers, session):
            found.append(Finding(
                "bgp-policy", session_severity(index, session.sending.address), session.speaker[0],
                session.sending.session.line,
                f"BGP session {session.speaker[0]} → {session.sending.address}: a confederation peer passes no "
                f"route: {session.speaker[0]}'s FRR applies RFC 8212 to it and no policy lets routes pass (FRR 8.4; "
                "FRR 10.1 exempts confederations); 'no bgp ebgp-requires-policy' lets them [rfc8212]"))
    return found


def analyze(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> list[Finding]:
    """Every finding over ``audits``, most severe first."""
    return network_analysis(index, audits).findings


def difference(before: list[Finding], after: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """What a change brings (findings after and not before) and what it resolves, compared by check,
    device and message (lines move with every change; messages name lines by their text)."""
    def key(finding: Finding) -> tuple[str, str, str]:
        return finding.check, finding.device, finding.message

    was, now = {key(f) for f in before}, {key(f) for f in after}
    return [f for f in after if key(f) not in was], [f for f in before if key(f) not in now]
