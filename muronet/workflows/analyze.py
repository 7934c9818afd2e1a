"""Offline analysis: the city's configurations (rendered from the inventory, or a folder such as
the backups) read together with the inventory's cabling and circuits (``muronet.analysis``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from muronet.analysis import SEVERITIES, Finding, NetworkAnalysis, audits_of, network_analysis
from muronet.analysis.filters import flow_lines
from muronet.inventory.index import InventoryIndex
from muronet.inventory.loader import Inventory
from muronet.platforms import detect_platform
from muronet.policy.acl import parse_entry
from muronet.policy.context import Settings
from muronet.render.engine import Renderer, RenderError, default_templates_dir
from muronet.workflows.common import load, read_configs, selected
from muronet.workflows.errors import WorkflowError


@dataclass(frozen=True)
class AnalyzeOptions:
    inventory: Path = Path("inventory")
    source: Path | None = None  # a folder of <device>.cfg; None: the intended configurations, rendered
    templates: Path | None = None
    platform: str | None = None  # of configurations of devices not in the inventory (default: detected)
    flow: str | None = None  # a filter question, as an ACL match ("ip 10.10.0.0 0.0.255.255 any")
    # the devices reported on (a finding on a cable or session to one of them too; every configuration
    # is read) and whose filters the question asks (default: all)
    limit: str | None = None
    routes: bool = False  # include every route table of the devices reported on


@dataclass
class AnalyzeResult:
    # source, devices, counts by severity, findings, reachability (lab verify's shape); "flow": the
    # filter question's lines; "routes": the route tables
    document: dict[str, Any]
    zones: list[str]  # the reachability matrix's rows and columns

    @property
    def exit_code(self) -> int:
        """1 when something cannot work (a critical or high finding, or an unreadable file)."""
        return 1 if self.document["counts"]["critical"] or self.document["counts"]["high"] else 0


def analyze_configs(options: AnalyzeOptions) -> AnalyzeResult:
    # A folder of another network's configurations is analysed without an inventory: cabling is then
    # inferred from the subnets the configurations share, and the report says so.
    standalone = options.source is not None and not options.inventory.exists()
    loaded = Inventory(root=options.inventory) if standalone else load(options.inventory)
    index = InventoryIndex(loaded)
    flow = parse_entry(f"permit {options.flow}") if options.flow else None
    if options.flow and flow is None:
        raise WorkflowError(f"--flow {options.flow!r}: not an ACL match (e.g. 'ip 10.10.0.0 0.0.255.255 any', "
                            "'tcp any host 10.99.0.50 eq 22')", 2)
    asked = selected(index, options.limit) if options.limit else None
    unreadable: list[dict[str, Any]] = []
    if options.source is None:
        try:
            renderer = Renderer(loaded, options.templates or default_templates_dir(loaded.root))
            texts = {device.name: renderer.render(device) for device in loaded.devices}
        except RenderError as error:
            raise WorkflowError(f"rendering the intended configurations: {error}", 2) from None
    else:
        texts, errors = read_configs(options.source)
        unreadable = [_unreadable(e.device, e.message) for e in errors]
    platforms = {}
    for name, text in texts.items():
        device = index.devices.get(name)
        platform = device.platform if device is not None else options.platform or detect_platform(text)
        if platform is None:
            unreadable.append(_unreadable(name, f"{name}: not a configuration of a known platform (see --platform)"))
        else:
            platforms[name] = platform
    audits = audits_of({n: texts[n] for n in platforms}, platforms, Settings.from_inventory(index), index)
    unreadable += [_unreadable(n, f"{n}: cannot be parsed as {platforms[n]}") for n in platforms if n not in audits]
    analysis = network_analysis(index, audits)
    findings = sorted((f for f in unreadable + [finding.as_dict() for finding in analysis.findings]
                       if asked is None or f["device"] in asked or f.get("peer") in asked),
                      key=lambda f: (SEVERITIES.index(f["severity"]), f["device"], f["line"] or 0))
    counts = {severity: sum(1 for f in findings if f["severity"] == severity) for severity in SEVERITIES}
    document = {"source": str(options.source) if options.source else "rendered", "devices": sorted(audits),
                "cabling": "inferred" if standalone else "inventory",
                "counts": counts, "findings": findings, "reachability": analysis.zone_matrix()}
    if options.routes:
        document["routes"] = _routes(analysis, asked)
    if flow is not None:
        document["flow"] = {"question": options.flow, "lines": [
            asdict(line) for name, audit in sorted(audits.items()) if asked is None or name in asked
            for line in flow_lines(audit, flow)]}
    return AnalyzeResult(document, sorted({p.probe.source.zone for p in analysis.probes} |
                                          {p.probe.target.zone for p in analysis.probes}))


def _routes(analysis: NetworkAnalysis, asked: set[str] | None) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every table of the routers reported on: prefix, protocol, metric, next hops, the line it comes from."""
    tables: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for (router, table), routes in sorted(analysis.model.tables.items()):
        if asked is not None and router not in asked:
            continue
        tables.setdefault(router, {})[table] = [
            {"prefix": str(prefix), "protocol": route.protocol, "metric": route.metric,
             "next_hops": [str(hop) for hop in sorted(route.next_hops, key=str)],
             "from": str(route.origin) if route.origin else None,
             "line": route.origin.line if route.origin and route.origin.device == router else None}
            for prefix, route in sorted(routes.items())]
    return tables


def _unreadable(device: str, message: str) -> dict[str, Any]:
    return Finding("unreadable", "high", device, None, message).as_dict()
