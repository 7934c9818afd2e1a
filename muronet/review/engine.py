"""Review a change device by device: the semantic diff, the policy before and after, the classes of
change, and a risk for each device and for the whole change."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from muronet.analysis import Finding as NetworkFinding
from muronet.analysis import RouteChange, audits_of, difference, network_analysis, route_changes
from muronet.inventory.index import InventoryIndex
from muronet.masking import mask
from muronet.platforms import get_platform
from muronet.policy.catalog import Severity
from muronet.policy.context import DeviceAudit, Settings
from muronet.policy.engine import FAIL, UNPARSEABLE, Result, evaluate
from muronet.reading import Reading, Unread
from muronet.render.vocabulary import Vocabulary, read_vocabulary
from muronet.review.classes import CLASSIFIERS, RISKS, Change, Finding
from muronet.review.delta import config_delta
from muronet.review.redundancy import analysis_of, lost_redundancy


@dataclass
class DeviceReview:
    device: str
    platform: str
    status: str  # added | removed | changed | unchanged
    findings: list[Finding] = field(default_factory=list)
    new: list[Result] = field(default_factory=list)  # policy findings the change introduces
    resolved: list[Result] = field(default_factory=list)
    changed_lines: int = 0
    error: str | None = None  # a configuration that could not be read

    @property
    def blocking(self) -> list[Result]:
        return [r for r in self.new if Severity(r.severity) in (Severity.CRITICAL, Severity.HIGH)]

    @property
    def risk(self) -> str:
        levels = [f.risk for f in self.findings]
        levels += ["critical" if r.severity == "critical" else "high" for r in self.blocking]
        levels += ["medium" for r in self.new if r not in self.blocking]
        levels += ["critical"] if self.error else []  # what cannot be read cannot be approved
        if self.changed_lines and not levels:
            levels.append("low")
        return max(levels, key=RISKS.index, default="none")

    def reasons(self) -> list[str]:
        return ([self.error] if self.error else []) + [f"{f.kind}: {f.reason}" for f in self.findings] + [
            f"new finding {r.rule} ({r.severity}): {r.message}" for r in self.new]


def new_unread(before: Reading, after: Reading) -> list[Unread]:
    """The lines of ``after`` its grammar does not take and ``before`` did not hold in the same node."""
    known = {(u.node, u.text) for u in before.unread}
    return [u for u in after.unread if (u.node, u.text) not in known]


def _failures(results: list[Result]) -> dict[tuple[str, str], Result]:
    return {(r.rule, r.message): r for r in results if r.status == FAIL}


def review_device(name: str, platform: str, before: str, after: str, settings: Settings,
                  index_before: InventoryIndex | None, index_after: InventoryIndex | None,
                  vocabulary: Vocabulary | None = None) -> DeviceReview:
    """The review of one device's change (``before`` or ``after`` is "" for a device added or removed);
    with the platform's template ``vocabulary``, a top-level command no template writes is critical.
    Both texts are read as the device reads them first (``Platform.read``): abbreviations and keyword
    case written out, lines in the sections the device puts them in, negations applied; a new line
    the device's grammar does not take is a finding of its own (``unread_lines``)."""
    driver = get_platform(platform)
    read_before, read_after = driver.read(before), driver.read(after)
    try:
        delta = config_delta(platform, read_before.text(), read_after.text())
    except UNPARSEABLE as error:  # nothing can be said of it: a reviewer must look
        return DeviceReview(name, platform, "unreadable", error=f"cannot be parsed as {platform}: {error}")
    status = "added" if not before else "removed" if not after else "changed" if delta.changed else "unchanged"
    review = DeviceReview(name, platform, status,
                          changed_lines=len(delta.added) + len(delta.removed) + len(delta.reordered))
    if not delta.changed:
        return review
    change = Change(delta, DeviceAudit.of(name, platform, delta.before, delta.before_lines, settings, index_before),
                    DeviceAudit.of(name, platform, delta.after, delta.after_lines, settings, index_after), vocabulary,
                    unread=new_unread(read_before, read_after))
    for classify in CLASSIFIERS:
        review.findings += classify(change)
    was = _failures(evaluate(change.before)) if before else {}
    now = _failures(evaluate(change.after)) if after else {}
    review.new = [r for key, r in now.items() if key not in was]
    review.resolved = [r for key, r in was.items() if key not in now]
    return review


@dataclass
class ChangeReview:
    source: str
    devices: list[DeviceReview]
    errors: list[str] = field(default_factory=list)  # why the change as a whole cannot be read
    # across devices (muronet.analysis): what the change breaks (sessions, adjacencies, filters) and mends
    network_new: list[NetworkFinding] = field(default_factory=list)
    network_resolved: list[NetworkFinding] = field(default_factory=list)
    # the routing model before and after: every route that appears, vanishes or goes another way
    routes: list[RouteChange] = field(default_factory=list)

    @property
    def risk(self) -> str:
        if self.errors:
            return "critical"
        levels = [d.risk for d in self.devices] + [f.severity for f in self.network_new]
        return max(levels, key=RISKS.index, default="none")

    @property
    def blocking(self) -> bool:
        """Whether the change must not merge: critical, or it adds a blocking policy finding, or it
        breaks something across devices (a session, an adjacency: a new critical or high finding)."""
        return self.risk == "critical" or any(d.blocking for d in self.devices) or any(
            f.severity in ("critical", "high") for f in self.network_new)

    def as_dict(self, salt: bytes) -> dict[str, Any]:
        """The review as data; every line passes through the secret mask first."""
        def lines(finding: Finding) -> list[dict[str, Any]]:
            return [{"path": [mask(p, salt) for p in line.path], "line": line.line} for line in finding.lines]

        def network(findings: list[NetworkFinding]) -> list[dict[str, Any]]:
            return [{**f.as_dict(), "message": mask(f.message, salt)} for f in findings]

        changed = [d for d in self.devices if d.status != "unchanged"]
        return {
            "source": self.source, "risk": self.risk, "blocking": self.blocking,
            "errors": [mask(e, salt) for e in self.errors],
            "network": {"new": network(self.network_new), "resolved": network(self.network_resolved),
                        "routes": [{"router": c.router, "table": c.table, "prefix": str(c.prefix), "change": c.change,
                                    "before": mask(str(c.before), salt) if c.before else None,
                                    "after": mask(str(c.after), salt) if c.after else None} for c in self.routes]},
            "summary": {"devices": len(self.devices), "changed": len(changed),
                        "by_risk": {r: sum(1 for d in changed if d.risk == r) for r in reversed(RISKS)}},
            "devices": [{
                "device": d.device, "platform": d.platform, "status": d.status, "risk": d.risk,
                "changed_lines": d.changed_lines, "reasons": [mask(r, salt) for r in d.reasons()], "error": d.error,
                "classes": [{"class": f.kind, "risk": f.risk, "reason": mask(f.reason, salt), "lines": lines(f)}
                            for f in d.findings],
                "new_findings": [{**r.as_dict(), "message": mask(r.message, salt)} for r in d.new],
                "resolved_findings": [{**r.as_dict(), "message": mask(r.message, salt)} for r in d.resolved],
            } for d in changed],
        }


def review_change(source: str, before: dict[str, str], after: dict[str, str], platforms: dict[str, str],
                  settings: Settings, index_before: InventoryIndex | None,
                  index_after: InventoryIndex | None, templates: Path | None = None) -> ChangeReview:
    """The review of every device in either set of configurations; ``templates``: the template
    folder whose commands the change may add (None: any command)."""
    names = sorted(set(before) | set(after))
    vocabularies = {p: read_vocabulary(templates / get_platform(p).template_dir) for p in set(platforms.values())
                    } if templates is not None else {}
    review = ChangeReview(source, [review_device(n, platforms[n], before.get(n, ""), after.get(n, ""), settings,
                                                 index_before, index_after, vocabularies.get(platforms[n]))
                                   for n in names])
    if index_after is not None:
        _network_difference(review, before, after, platforms, settings, index_before or index_after, index_after)
    return review


def _network_difference(review: ChangeReview, before: dict[str, str], after: dict[str, str],
                        platforms: dict[str, str], settings: Settings, index_before: InventoryIndex,
                        index_after: InventoryIndex) -> None:
    """The analysis across devices before and after (the cabling and circuits of each side's
    inventory): the findings the change brings and the ones it resolves (sessions, adjacencies,
    filters, zone flows), and the routes it moves."""
    # audits_of reads each text as its device does, as review_device does
    was_audits = audits_of(before, platforms, settings, index_before)
    now_audits = audits_of(after, platforms, settings, index_after)
    was, now = network_analysis(index_before, was_audits), network_analysis(index_after, now_audits)
    review.network_new, review.network_resolved = difference(was.findings, now.findings)
    review.routes = route_changes(was.model, now.model)
    if review.routes:  # the same tables on both sides: the same failures cut the same flows
        review.network_new += lost_redundancy(analysis_of(index_before, was_audits),
                                              analysis_of(index_after, now_audits))
