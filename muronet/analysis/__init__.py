"""Offline analysis of the city's configurations, across devices: what each configuration defines
and uses (undefined references, unused structures), ACL lines an earlier line shadows, and whether
every OSPF adjacency on the inventory's cables and every BGP session can come up. Read from
configurations alone (rendered, backups, or a folder), FRR and Cisco IOS alike; nothing is asked
of a device.
"""

from __future__ import annotations

from muronet.analysis.filters import unreachable_lines
from muronet.analysis.finding import SEVERITIES, Finding
from muronet.analysis.sessions import bgp_findings, ospf_findings
from muronet.analysis.structures import undefined, unused
from muronet.inventory.index import InventoryIndex
from muronet.platforms import get_platform
from muronet.policy.context import DeviceAudit, Settings, line_index
from muronet.policy.engine import UNPARSEABLE

__all__ = ["SEVERITIES", "Finding", "analyze", "audits_of", "difference"]


def audits_of(texts: dict[str, str], platforms: dict[str, str], settings: Settings, index: InventoryIndex | None
              ) -> dict[str, DeviceAudit]:
    """The configurations as the analysis reads them (device name → text, platform); a text that
    cannot be parsed is left out (the caller says so: the audit and the review report it)."""
    audits = {}
    for name, text in texts.items():
        try:
            tree = get_platform(platforms[name]).parse(text)
        except UNPARSEABLE:
            continue
        audits[name] = DeviceAudit.of(name, platforms[name], tree, line_index(text), settings, index)
    return audits


def analyze(index: InventoryIndex, audits: dict[str, DeviceAudit]) -> list[Finding]:
    """Every finding over ``audits`` (device name → its parsed configuration), most severe first."""
    found: list[Finding] = []
    for name, audit in sorted(audits.items()):
        found += [Finding("undefined-reference", "high", name, use.line,
                          f"{use.text}: {use.structure} is not defined") for use in undefined(audit)]
        found += [Finding("unused-structure", "low", name, line, f"{structure} is defined and never used")
                  for structure, line in unused(audit)]
        found += unreachable_lines(audit)
    found += ospf_findings(index, audits) + bgp_findings(index, audits)
    return sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.device, f.line or 0))


def difference(before: list[Finding], after: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """What a change brings (findings after and not before) and what it resolves, compared by check,
    device and message (lines move with every change; messages name lines by their text)."""
    def key(finding: Finding) -> tuple[str, str, str]:
        return finding.check, finding.device, finding.message

    was, now = {key(f) for f in before}, {key(f) for f in after}
    return [f for f in after if key(f) not in was], [f for f in before if key(f) not in now]
