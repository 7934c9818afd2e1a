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
from muronet.policy.context import DeviceAudit

__all__ = ["SEVERITIES", "Finding", "analyze"]


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
