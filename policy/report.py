"""Audit reports from results as data: JSON, Markdown, JUnit XML and a self-contained HTML page."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from jinja2 import Environment, FileSystemLoader

from muronet.files import write_atomic
from muronet.markdown import text
from policy.catalog import rules
from policy.engine import ERROR, FAIL, WAIVED, Result, blocking

FINDING_STATUSES = (FAIL, WAIVED, ERROR)


def document(results: list[Result], drift: dict[str, list[str]], meta: dict[str, Any]) -> dict[str, Any]:
    """The audit as one JSON-ready document: findings (failures, waived ones, unreadable configs),
    counts per status, per rule and per device, and drift."""
    findings = [r.as_dict() for r in results if r.status in FINDING_STATUSES]
    catalog = rules()
    for finding in findings:
        rule = catalog.get(str(finding["rule"]))
        finding["title_en"] = rule.title_en if rule else "configuration unreadable"
        finding["title_ja"] = rule.title_ja if rule else "設定を読み取れない"
    return {
        **meta,
        "passed": not blocking(results),
        "counts": dict(Counter(r.status for r in results)),
        "devices": sorted({r.device for r in results}),
        "findings": findings,
        "drift": {device: lines for device, lines in sorted(drift.items()) if lines},
    }


def markdown(doc: dict[str, Any]) -> str:
    lines = [f"# Compliance audit ({text(str(doc.get('source', '')))})", "",
             f"**{'PASS' if doc['passed'] else 'FAIL'}**: {len(doc['devices'])} devices, "
             f"{sum(1 for f in doc['findings'] if f['status'] == FAIL)} findings, "
             f"{sum(1 for f in doc['findings'] if f['status'] == WAIVED)} waived, "
             f"{sum(1 for f in doc['findings'] if f['status'] == ERROR)} unreadable, "
             f"{len(doc['drift'])} devices drifted", "",
             "| device | rule | severity | line | finding |", "| --- | --- | --- | --- | --- |"]
    for f in doc["findings"]:
        lines.append(f"| {text(f['device'])} | {f['rule']} | {f['severity']} | {f['line'] or ''} | "
                     f"{text(str(f['message']))} ({f['status']}) |")
    return "\n".join(lines) + "\n"


def junit(results: list[Result]) -> str:
    """One test suite per device, one test case per rule; failures and errors as JUnit sees them."""
    suites = ElementTree.Element("testsuites", name="muronet audit")
    by_device: dict[str, list[Result]] = {}
    for result in results:
        by_device.setdefault(result.device, []).append(result)
    for device, device_results in sorted(by_device.items()):
        suite = ElementTree.SubElement(suites, "testsuite", name=device, tests=str(len(device_results)))
        for result in device_results:
            case = ElementTree.SubElement(suite, "testcase", classname=device, name=result.rule)
            if result.status == FAIL:
                ElementTree.SubElement(case, "failure", type=result.severity,
                                       message=f"line {result.line}: {result.message}" if result.line
                                       else result.message)
            elif result.status == ERROR:
                ElementTree.SubElement(case, "error", message=result.message)
            elif result.status != "pass":
                ElementTree.SubElement(case, "skipped", message=result.message or result.status)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def html(doc: dict[str, Any]) -> str:
    # report.html.j2 ends in .j2: select_autoescape(["html"]) would not apply; every value is escaped
    environment = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True)
    per_rule = Counter(f["rule"] for f in doc["findings"] if f["status"] == FAIL)
    return environment.get_template("report.html.j2").render(doc=doc, rules=rules(), per_rule=per_rule)


def write(doc: dict[str, Any], results: list[Result], folder: Path, formats: list[str]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    writers = {"json": ("findings.json", lambda: json.dumps(doc, ensure_ascii=False, indent=1)),
               "md": ("summary.md", lambda: markdown(doc)), "junit": ("junit.xml", lambda: junit(results)),
               "html": ("report.html", lambda: html(doc))}
    written = {}
    for name in formats:
        filename, render = writers[name]
        write_atomic(folder / filename, render())
        written[name] = folder / filename
    return written
