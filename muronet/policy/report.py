"""Audit reports from results as data: JSON, Markdown, JUnit XML and a self-contained HTML page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from muronet.display import json_text, visible
from muronet.files import write_atomic
from muronet.inventory.index import InventoryIndex, device_groups
from muronet.inventory.separation import MODELS
from muronet.markdown import text
from muronet.policy.catalog import Rule, rules
from muronet.policy.engine import ERROR, FAIL, WAIVED, Result, blocking
from muronet.policy.pdf import print_pdf
from muronet.policy.published import MET, NO_EVIDENCE, NOT_MET, evidence, published_policy
from muronet.policy.results import (
    SEVERITIES,
    AuditReport,
    DeviceTally,
    Finding,
    Night,
    RuleTally,
    SeparationInForce,
    Summary,
    Uncovered,
    ZoneTally,
)

FINDING_STATUSES = (FAIL, WAIVED, ERROR)


def document(results: list[Result], drift: dict[str, list[str]], meta: dict[str, str],
             index: InventoryIndex | None = None, texts: dict[str, str] | None = None,
             absent: str = "no configuration was read") -> AuditReport:
    """The audit as data: findings (failures, waived ones, unreadable configs; each with its
    configuration line when ``texts`` are given), counts per status, a summary, drift, and, with
    the inventory's ``index``, the devices it covered and those it did not (with why: ``absent``
    for a device without a configuration), per zone and per device. ``meta``: source, generated."""
    catalog = rules()
    findings = [_finding(r, catalog, texts) for r in results if r.status in FINDING_STATUSES]
    devices = sorted({r.device for r in results})
    drifted = {device: lines for device, lines in sorted(drift.items()) if lines}
    per_device = _per_device(index, findings, set(devices)) if index is not None else None
    not_covered = _not_covered(index, findings, set(devices), absent) if index is not None else None
    statuses = Counter(f.status for f in findings)
    passed = not blocking(results)
    summary = Summary("PASS" if passed else "FAIL", len(devices), _open(findings), statuses.get(WAIVED, 0),
                      statuses.get(ERROR, 0), len(drifted), len(not_covered or []))
    return AuditReport(
        meta["source"], meta["generated"], passed, dict(Counter(r.status for r in results)), devices, findings,
        drifted, _per_rule(findings, catalog), summary, per_device,
        _per_zone(index, per_device) if index is not None and per_device is not None else None, not_covered,
        policy=evidence(results), separation_model=_model_in_force(index))


def _model_in_force(index: InventoryIndex | None) -> SeparationInForce | None:
    city = index.inventory.city if index is not None else None
    if city is None:
        return None
    model = MODELS[city.separation_model]
    return SeparationInForce(str(city.separation_model), model.name, model.name_ja, model.summary)


def _finding(result: Result, catalog: dict[str, Rule], texts: dict[str, str] | None) -> Finding:
    rule = catalog.get(result.rule)
    return Finding(result.device, result.rule, result.severity, result.status, result.message, result.line,
                   result.platform, rule.title_en if rule else "configuration unreadable",
                   rule.title_ja if rule else "設定を読み取れない", _line(texts, result.device, result.line),
                   tuple(published_policy().items_of(result.rule)))


def _line(texts: dict[str, str] | None, device: str, line: int | None) -> str:
    if not texts or device not in texts or line is None or line < 1:
        return ""
    lines = texts[device].splitlines()
    return lines[line - 1].rstrip() if line <= len(lines) else ""


def _open(findings: list[Finding]) -> dict[str, int]:
    """Open (failed, not waived) findings per severity, every severity named."""
    counted = Counter(f.severity for f in findings if f.status == FAIL)
    return {severity: counted.get(severity, 0) for severity in SEVERITIES}


def _per_rule(findings: list[Finding], catalog: dict[str, Rule]) -> list[RuleTally]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    return [RuleTally(rule.id, rule.severity, rule.title_ja, rule.title_en,
                      sum(f.status == FAIL for f in by_rule.get(rule.id, [])),
                      sum(f.status == WAIVED for f in by_rule.get(rule.id, []))) for rule in catalog.values()]


def _zones(index: InventoryIndex, name: str) -> list[str]:
    device = index.devices.get(name)
    return [g.removeprefix("zone:") for g in device_groups(index, device) if g.startswith("zone:")] if device else []


def _per_device(index: InventoryIndex, findings: list[Finding], audited: set[str]) -> list[DeviceTally]:
    mine: dict[str, list[Finding]] = {}
    for finding in findings:
        mine.setdefault(finding.device, []).append(finding)
    rows = []
    for name in sorted(audited):
        device = index.devices.get(name)
        found = mine.get(name, [])
        rows.append(DeviceTally(name, device is not None, device.site if device else "", device.role if device else "",
                                _zones(index, name), _open(found), sum(f.status == WAIVED for f in found),
                                sum(f.status == ERROR for f in found)))
    return rows


def _per_zone(index: InventoryIndex, devices: list[DeviceTally]) -> list[ZoneTally]:
    rows = []
    for zone in sorted(set(index.inventory.zones) | {z for d in devices for z in d.zones}):
        inside = [d for d in devices if zone in d.zones]
        rows.append(ZoneTally(zone, len(inside), {s: sum(d.open[s] for d in inside) for s in SEVERITIES},
                              sum(d.errors for d in inside), sum(1 for d in inside if any(d.open.values()))))
    return rows


def _not_covered(index: InventoryIndex, findings: list[Finding], audited: set[str], absent: str) -> list[Uncovered]:
    """Inventory devices and hosts without an audited configuration, and why."""
    unreadable = {f.device: f.message for f in findings if f.status == ERROR}
    rows = [Uncovered(name, "device", unreadable.get(name, absent))
            for name in sorted(index.devices) if name not in audited or name in unreadable]
    rows += [Uncovered(host.name, "host", f"a host ({host.role}): the audit reads network devices' "
                       "configurations; the twin's zone tests reach it") for host in index.inventory.hosts]
    return rows


def verdict_text(summary: Summary) -> tuple[str, str]:
    """The summary as one sentence in Japanese and one in English, for the top of every report.

    >>> ja, en = verdict_text(Summary("FAIL", 56, {"critical": 1, "high": 2, "medium": 0, "low": 3}, waived=1,
    ...                               errors=1, drifted=2, not_covered=17))
    >>> print(en.replace("; ", ";\\n"))
    FAIL: 56 devices audited;
    open findings: 1 critical, 2 high, 0 medium, 3 low;
    1 waived;
    1 unreadable;
    2 drifted;
    17 not covered
    >>> ja.startswith("不合格: 56台を監査")
    True
    """
    s, o = summary, summary.open
    en = (f"{s.verdict}: {s.devices} devices audited; open findings: {o['critical']} critical, "
          f"{o['high']} high, {o['medium']} medium, {o['low']} low; {s.waived} waived; "
          f"{s.errors} unreadable; {s.drifted} drifted; {s.not_covered} not covered")
    ja = (f"{'合格' if s.verdict == 'PASS' else '不合格'}: {s.devices}台を監査、未解決の指摘 "
          f"重大{o['critical']}件・高{o['high']}件・中{o['medium']}件・低{o['low']}件、適用除外{s.waived}件、"
          f"読み取りエラー{s.errors}件、乖離{s.drifted}台、対象外{s.not_covered}台")
    return ja, en


def markdown(report: AuditReport) -> str:
    """The audit for a merge request or a ticket: the verdict in words, per zone, then every finding."""
    ja, en = verdict_text(report.summary)
    lines = [f"# Compliance audit ({text(report.source)})", "", f"**{en}**", "", ja, ""]
    if report.separation_model is not None:
        model = report.separation_model
        lines += [f"Separation model: **{model.name}** ({model.model}, {model.name_ja}): {model.summary}", ""]
    if report.policy:
        lines += ["| policy item | title | verdict | rules | fail | waived |",
                  "| --- | --- | --- | --- | ---: | ---: |"]
        lines += [f"| {p.item} | {p.title_en} | {p.verdict} | {', '.join(p.rules)} | {p.failed + p.errors} | "
                  f"{p.waived} |" for p in report.policy]
        lines.append("")
    if report.per_zone:
        lines += ["| zone | devices | with open findings | " + " | ".join(SEVERITIES) + " | unreadable |",
                  "| --- |" + " ---: |" * (len(SEVERITIES) + 3)]
        lines += [f"| {text(z.zone)} | {z.devices} | {z.with_open} | "
                  + " | ".join(str(z.open[s]) for s in SEVERITIES) + f" | {z.errors} |" for z in report.per_zone]
        lines.append("")
    if not report.findings:
        return "\n".join([*lines, "No findings."]) + "\n"
    lines += ["| device | rule | severity | line | finding | policy item |", "| --- | --- | --- | --- | --- | --- |"]
    for f in report.findings:
        lines.append(f"| {text(f.device)} | {f.rule} | {f.severity} | {f.line or ''} | {text(f.message)} "
                     f"({f.status}) | {', '.join(f.policy_items)} |")
    return "\n".join(lines) + "\n"


def junit(results: list[Result]) -> str:
    """One test suite per device, one test case per rule; failures and errors as JUnit sees them.
    Every text is shown with its hidden characters escaped: XML 1.0 allows no control character."""
    suites = ElementTree.Element("testsuites", name="muronet audit")
    by_device: dict[str, list[Result]] = {}
    for result in results:
        by_device.setdefault(result.device, []).append(result)
    for device, device_results in sorted(by_device.items()):
        name = visible(device)
        suite = ElementTree.SubElement(suites, "testsuite", name=name, tests=str(len(device_results)))
        for result in device_results:
            case = ElementTree.SubElement(suite, "testcase", classname=name, name=visible(result.rule))
            message = visible(result.message or "")
            if result.status == FAIL:
                ElementTree.SubElement(case, "failure", type=result.severity,
                                       message=f"line {result.line}: {message}" if result.line else message)
            elif result.status == ERROR:
                ElementTree.SubElement(case, "error", message=message)
            elif result.status != "pass":
                ElementTree.SubElement(case, "skipped", message=message or result.status)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


STATUS_NAMES = {FAIL: "未解決 open", WAIVED: "適用除外 waived", ERROR: "読み取りエラー unreadable", "pass": "合格 pass",
                "not_applicable": "対象外 not applicable", "not_evaluated": "未評価 not evaluated"}
VERDICT_NAMES = {MET: "適合 met", NOT_MET: "不適合 not met", NO_EVIDENCE: "根拠なし no evidence"}
_TREND_COLORS = {"new": "#b34700", "fixed": "#2e7d32", "still_open": "#607d8b"}
_TREND_NAMES = {"new": "新規 new", "fixed": "解消 fixed", "still_open": "継続 still open"}


def trend_chart(trend: list[Night]) -> str:
    """The nights as an inline SVG bar chart: per night, what was new, fixed and still open.

    >>> svg = trend_chart([Night(1, "2026-11-30T02:00:00", 50, 3, 0, new=3, fixed=0, still_open=0),
    ...                    Night(2, "2026-12-01T02:00:00", 50, 2, 0, new=1, fixed=2, still_open=1)])
    >>> svg.count('<g class="night"'), 'data-fixed="2"' in svg, "12-01" in svg
    (2, True, True)
    """
    if not trend:
        return ""
    peak = max(max(n.new, n.fixed, n.still_open) for n in trend) or 1
    group, bar, top, plot = 54, 14, 34, 140
    width = max(440, 40 + group * len(trend))  # the legend fits above a few nights
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="trend" role="img" width="{width}" height="{top + plot + 40}"'
             f' viewBox="0 0 {width} {top + plot + 40}" aria-labelledby="trend-title trend-desc">',
             '<title id="trend-title">推移 / Trend: new, fixed and still open findings per night</title>',
             f'<desc id="trend-desc">{len(trend)} nights, from {escape(trend[0].started[:10])} to '
             f'{escape(trend[-1].started[:10])}</desc>']
    for i, (kind, color) in enumerate(_TREND_COLORS.items()):
        parts.append(f'<rect x="{40 + 130 * i}" y="6" width="12" height="12" fill="{color}"/>'
                     f'<text x="{56 + 130 * i}" y="16" font-size="12">{_TREND_NAMES[kind]}</text>')
    parts.append(f'<line x1="36" y1="{top + plot}" x2="{width}" y2="{top + plot}" stroke="#444"/>')
    for i, night in enumerate(trend):
        x = 40 + group * i
        parts.append(f'<g class="night" data-run="{night.run}" data-new="{night.new}" '
                     f'data-fixed="{night.fixed}" data-still-open="{night.still_open}">')
        for j, kind in enumerate(_TREND_COLORS):
            count = getattr(night, kind)
            height = round(plot * count / peak)
            parts.append(f'<rect x="{x + j * (bar + 1)}" y="{top + plot - height}" width="{bar}" height="{height}" '
                         f'fill="{_TREND_COLORS[kind]}"><title>{escape(night.started)}: {_TREND_NAMES[kind]} '
                         f'{count}</title></rect>'
                         f'<text x="{x + j * (bar + 1) + bar / 2}" y="{top + plot - height - 3}" font-size="10" '
                         f'text-anchor="middle">{count}</text>')
        day = night.started[5:10]
        label = night.started[11:16] if i and trend[i - 1].started[5:10] == day else day  # two runs a day
        parts.append(f'<text x="{x + 22}" y="{top + plot + 16}" font-size="11" text-anchor="middle">'
                     f'{escape(label)}</text></g>')
    return "".join(parts) + "</svg>"


def _shown(value: object) -> object:
    """What the page prints of a value: data's hidden characters as escapes; muronet's own markup as it is."""
    return visible(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def html(report: AuditReport) -> str:
    # report.html.j2 ends in .j2: select_autoescape(["html"]) would not apply; every value is escaped
    environment = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True,
                              finalize=_shown)
    by_device: dict[str, list[Finding]] = {}
    for finding in sorted(report.findings, key=lambda f: (SEVERITIES.index(f.severity)
                                                           if f.severity in SEVERITIES else 9, f.line or 0)):
        by_device.setdefault(finding.device, []).append(finding)
    ja, en = verdict_text(report.summary)
    chart = Markup(trend_chart(report.history.trend)) if report.history else ""
    return environment.get_template("report.html.j2").render(
        doc=report, summary=report.summary, sentence_ja=ja, sentence_en=en, severities=SEVERITIES,
        status_names=STATUS_NAMES, by_device=by_device, severity_rank={s: i for i, s in enumerate(SEVERITIES)},
        trend_chart=chart, verdict_names=VERDICT_NAMES, policy_title_ja=published_policy().title_ja,
        policy_title_en=published_policy().title_en)


def write(report: AuditReport, results: list[Result], folder: Path, formats: list[str]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[str, tuple[str, Callable[[], str]]] = {
        "json": ("findings.json", lambda: json_text(report.as_dict())), "md": ("summary.md", lambda: markdown(report)),
        "junit": ("junit.xml", lambda: junit(results)), "html": ("report.html", lambda: html(report))}
    written = {}
    for name in formats:
        if name == "pdf":
            continue
        filename, render = writers[name]
        write_atomic(folder / filename, render())
        written[name] = folder / filename
    if "pdf" in formats:  # last: the other reports are there even when Chromium fails
        print_pdf(html(report), folder / "report.pdf")
        written["pdf"] = folder / "report.pdf"
    return written
