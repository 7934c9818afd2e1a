"""The review as a reviewer reads it: Markdown for a merge-request comment (summary first, then per
device), JSON, and SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from muronet.markdown import code_block, text
from muronet.review.classes import CLASSES, RISKS

_ICON = {"critical": "🛑", "high": "🔴", "medium": "🟠", "low": "🟢", "none": "⚪"}
_SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "none": "none"}
ANALYSIS_CHECKS = {"undefined-reference": "a structure used and not defined",
                   "unused-structure": "a structure defined and never used",
                   "unreachable-filter-line": "an ACL line an earlier line shadows",
                   "ospf-adjacency": "an OSPF adjacency on a cable that cannot form",
                   "bgp-session": "a BGP session that cannot come up",
                   "zone-route": "a routing table that holds another zone's prefix",
                   "zone-flow": "a flow between zones the policy forbids, possible by the routing model",
                   "zone-flow-lost": "a flow within a zone the routing model cannot carry",
                   "routing-model": "the routing model did not settle"}

def markdown(doc: dict[str, Any]) -> str:
    """Summary first (verdict, devices by risk, the reasons that set it), then each device."""
    verdict = "**blocks the merge**" if doc["blocking"] else "may merge"
    out = [f"## Security review: {_ICON[doc['risk']]} {doc['risk'].upper()} — {verdict}", "",
           f"Source: {text(doc['source'])} · {doc['summary']['changed']} of {doc['summary']['devices']} devices change",
           "", "| risk | devices |", "|------|---------|"]
    out += [f"| {_ICON[r]} {r} | {', '.join(text(d['device']) for d in doc['devices'] if d['risk'] == r) or '—'} |"
            for r in reversed(RISKS) if r != "none"]
    if doc.get("errors"):
        out += ["", "### The change cannot be read", ""] + [f"- 🛑 {text(error)}" for error in doc["errors"]]
    top = [d for d in doc["devices"] if d["risk"] in ("critical", "high")]
    if top:
        out += ["", "### Why", ""]
        out += [f"- **{text(d['device'])}**: {text(reason)}" for d in top for reason in d["reasons"][:4]]
    out += _network_section(doc.get("network", {}))
    for device in sorted(doc["devices"], key=lambda d: -RISKS.index(d["risk"])):
        out += _device_section(device)
    return "\n".join(out) + "\n"


def _network_section(network: dict[str, Any]) -> list[str]:
    """What the change does across devices: findings new and resolved, routes that move."""
    out: list[str] = []
    if network.get("new") or network.get("resolved"):
        out += ["", "### Across devices (sessions, adjacencies, filters, zone flows)", ""]
        out += [f"- {_ICON[f['severity']]} {f['severity']}: **{text(f['device'])}**{_at(f['line'])}: "
                f"{text(f['message'])}" for f in network.get("new", [])]
        out += [f"- ✅ resolved: **{text(f['device'])}**: {text(f['message'])}" for f in network.get("resolved", [])]
    moved = network.get("routes", [])
    if moved:
        out += ["", f"### Routes that appear, vanish or move ({len(moved)})", ""]
        out += [_route_line(change) for change in moved[:ROUTES_SHOWN]]
        if len(moved) > ROUTES_SHOWN:
            out.append(f"- … and {len(moved) - ROUTES_SHOWN} more (the JSON report has them all)")
    return out


def _route_line(change: dict[str, Any]) -> str:
    shown = change["after"] if change["change"] != "vanishes" else change["before"]
    was = f" (was {text(change['before'])})" if change["change"] == "moves" else ""
    return (f"- {_ROUTE_MARK[change['change']]} **{text(change['router'])}** ({text(change['table'])}) "
            f"{text(change['prefix'])}: {text(shown)}{was}")


def _device_section(device: dict[str, Any]) -> list[str]:
    """One device: its risk, what it cannot be read by, its classes of change and its findings."""
    out = ["", f"### {_ICON[device['risk']]} {text(device['device'])} ({text(device['platform'])}, "
           f"{device['status']}, {device['changed_lines']} lines) — {device['risk']}"]
    if device["error"]:
        out += ["", f"- ⚠ {text(device['error'])}: review it by hand."]
    for item in device["classes"]:
        out += ["", f"- **{CLASSES[item['class']]}** ({item['risk']}): {text(item['reason'])}", ""]
        out += code_block([" / ".join(line["path"]) + (f"   (line {line['line']})" if line["line"] else "")
                           for line in item["lines"][:8]])
    for label, key in (("New policy finding", "new_findings"), ("Resolved", "resolved_findings")):
        out += [f"- {label}: `{f['rule']}` ({f['severity']}) {text(f['message'])}" for f in device[key]]
    if not (device["classes"] or device["new_findings"] or device["error"]):
        out += ["", "No security-relevant change."]
    return out


ROUTES_SHOWN = 40
_ROUTE_MARK = {"appears": "➕", "vanishes": "➖", "moves": "↪"}


def _at(line: int | None) -> str:
    return f" line {line}" if line else ""


def sarif(doc: dict[str, Any], origins: Callable[[str, str], list[tuple[str, int]]] | None) -> dict[str, Any]:
    """SARIF 2.1.0: one result per class of change and per new policy finding. Locations: the
    inventory or template lines the change came from (``origins``, for ``--git``), else the device's
    configuration file and line."""
    results = []
    for device in doc["devices"]:
        def locations(line: int | None, device: dict[str, Any] = device) -> list[dict[str, Any]]:
            places = origins(device["device"], device["platform"]) if origins else []
            places = places or [(f"{device['device']}.cfg", line or 1)]
            return [{"physicalLocation": {"artifactLocation": {"uri": file},
                                          "region": {"startLine": number}}} for file, number in places]

        for item in device["classes"]:
            first = item["lines"][0]["line"] if item["lines"] else None
            results.append({"ruleId": f"review/{item['class']}", "level": _SARIF_LEVEL[item["risk"]],
                            "message": {"text": f"{device['device']}: {item['reason']}"},
                            "locations": locations(first), "properties": {"risk": item["risk"]}})
        for finding in device["new_findings"]:
            results.append({"ruleId": finding["rule"], "level": "error" if finding["severity"] in ("critical", "high")
                            else "warning", "message": {"text": f"{device['device']}: {finding['message']}"},
                            "locations": locations(finding["line"])})
    platforms = {d["device"]: d["platform"] for d in doc["devices"]}
    for finding in doc.get("network", {}).get("new", []):
        places = origins(finding["device"], platforms[finding["device"]]) \
            if origins and finding["device"] in platforms else []  # a changed device: the lines that changed it
        places = places or [(f"{finding['device']}.cfg", finding["line"] or 1)]
        results.append({"ruleId": f"analysis/{finding['check']}", "level": _SARIF_LEVEL[finding["severity"]],
                        "message": {"text": f"{finding['device']}: {finding['message']}"},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": file},
                                                            "region": {"startLine": number}}}
                                      for file, number in places],
                        "properties": {"risk": finding["severity"]}})
    for error in doc.get("errors", []):
        file, _, rest = error.partition(":")
        line, _, _message = rest.partition(":")
        results.append({"ruleId": "review/unreadable", "level": "error", "message": {"text": error},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": file},
                                                            "region": {"startLine": int(line) if line.isdigit()
                                                                       else 1}}}]})
    rules = [{"id": f"review/{kind}", "shortDescription": {"text": text}} for kind, text in
             [*CLASSES.items(), ("unreadable", "the change does not validate or cannot be read")]]
    rules += [{"id": f"analysis/{check}", "shortDescription": {"text": what}}
              for check, what in ANALYSIS_CHECKS.items()]
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "muronet review", "rules": rules}}, "results": results}]}
