"""The audit as data: every finding, the tallies per rule, device and zone, what was not covered,
and the verdict. Built by :func:`muronet.policy.report.document`; serialised by
:meth:`AuditReport.as_dict` for the reports (JSON, Markdown, HTML) and ``--json``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    """A rule's failure, a waived failure, or a configuration that cannot be read."""

    device: str
    rule: str  # a rule id of the catalogue, or "PARSE"
    severity: str
    status: str  # "fail", "waived" or "error"
    message: str
    line: int | None  # in the device's configuration
    platform: str
    title_en: str
    title_ja: str
    config: str  # the configuration line, secrets masked ("" when there is none)
    policy_items: tuple[str, ...] = ()  # the items of the published policy it is evidence against


@dataclass(frozen=True)
class PolicyEvidence:
    """One item of the city's published security policy, and what the audit found for it."""

    item: str
    title_ja: str
    title_en: str
    source: str
    rules: list[str]
    verdict: str  # "met", "not met" or "no evidence"
    passed: int  # results of its rules, over the audited devices
    failed: int
    waived: int
    errors: int
    not_judged: int  # not applicable or not evaluated (the platform, the model, no zone map)


@dataclass(frozen=True)
class SeparationInForce:
    """The separation model the audit judged the network under."""

    model: str  # alpha, alpha_prime, beta, beta_prime
    name: str  # α, α′, β, β′
    name_ja: str
    summary: str


@dataclass(frozen=True)
class RuleTally:
    rule: str
    severity: str
    title_ja: str
    title_en: str
    open: int
    waived: int


@dataclass(frozen=True)
class DeviceTally:
    device: str
    in_inventory: bool
    site: str
    role: str
    zones: list[str]
    open: dict[str, int]  # per severity, every severity named
    waived: int
    errors: int


@dataclass(frozen=True)
class ZoneTally:
    zone: str
    devices: int
    open: dict[str, int]  # per severity, every severity named
    errors: int
    with_open: int  # devices with an open finding


@dataclass(frozen=True)
class Uncovered:
    """An inventory device or host without an audited configuration."""

    name: str
    kind: str  # "device" or "host"
    why: str


@dataclass(frozen=True)
class Summary:
    """The verdict and the counts every report opens with."""

    verdict: str  # "PASS" or "FAIL"
    devices: int
    open: dict[str, int]  # per severity, every severity named
    waived: int
    errors: int
    drifted: int
    not_covered: int


@dataclass(frozen=True)
class NightHistory:
    """A nightly run against the run before it, and the trend of the last runs."""

    run: int
    previous_run: int | None
    previous_started: str | None
    new: list[tuple[str, str, str]]  # (device, rule, message)
    fixed: list[tuple[str, str, str]]
    still_open: list[tuple[str, str, str]]
    trend: list[Night]  # the last nights, oldest first


@dataclass(frozen=True)
class Night:
    """One run of the trend, against the run before it."""

    run: int
    started: str
    devices: int
    findings: int
    blocking: int
    new: int
    fixed: int
    still_open: int


@dataclass
class AuditReport:
    """The audit of a set of configurations."""

    source: str  # "live", the folder read, or "nightly backup REPO"
    generated: str  # ISO time
    passed: bool  # no open critical or high finding, no unreadable configuration
    counts: dict[str, int]  # results per status (pass, fail, waived, error, …)
    devices: list[str]  # the configurations audited
    findings: list[Finding]
    drift: dict[str, list[str]]  # device → the commands back to its intended configuration
    per_rule: list[RuleTally]
    summary: Summary
    # with the inventory: per device, per zone, and what the audit did not cover
    per_device: list[DeviceTally] | None = None
    per_zone: list[ZoneTally] | None = None
    not_covered: list[Uncovered] | None = None
    # a nightly run's own: its comparison with the night before, and its backup
    history: NightHistory | None = None
    backup: dict[str, Any] | None = None
    # the evidence for the city's published policy, and the separation model it was judged under
    policy: list[PolicyEvidence] | None = None
    separation_model: SeparationInForce | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report as its JSON file and ``--json`` hold it."""
        document: dict[str, Any] = {
            "source": self.source, "generated": self.generated, "passed": self.passed, "counts": self.counts,
            "devices": self.devices, "findings": [asdict(f) for f in self.findings], "drift": self.drift,
            "per_rule": [asdict(r) for r in self.per_rule]}
        optional = {"per_device": self.per_device, "per_zone": self.per_zone, "not_covered": self.not_covered}
        document |= {key: [asdict(row) for row in rows] for key, rows in optional.items() if rows is not None}
        document["summary"] = asdict(self.summary)
        if self.history is not None:
            document["history"] = asdict(self.history)
        if self.backup is not None:
            document["backup"] = self.backup
        if self.separation_model is not None:
            document["separation_model"] = asdict(self.separation_model)
        if self.policy is not None:
            document["policy"] = [asdict(row) for row in self.policy]
        return document
