"""Offline analysis: the city's configurations (rendered from the inventory, or a folder such as
the backups) read together with the inventory's cabling and circuits (``muronet.analysis``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from muronet.analysis import SEVERITIES, Finding, NetworkAnalysis, audits_of, network_analysis
from muronet.analysis.filters import FlowLine, flow_lines
from muronet.inventory.index import InventoryIndex
from muronet.inventory.loader import Inventory
from muronet.lab.verify import ZoneMatrix, model_line
from muronet.platforms import detect_platform
from muronet.policy.acl import parse_entry
from muronet.policy.context import DeviceAudit, Settings
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


@dataclass(frozen=True)
class TableRoute:
    """A route of a table the model computes."""

    prefix: str
    protocol: str
    metric: int
    next_hops: list[str]
    origin: str | None  # the configuration line it comes from ("device:line"), if the model knows it
    line: int | None  # that line, when it is the router's own

    def as_dict(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "protocol": self.protocol, "metric": self.metric,
                "next_hops": self.next_hops, "from": self.origin, "line": self.line}


@dataclass(frozen=True)
class FlowAnswer:
    """The filter question and the ACL lines that take some of its flow."""

    question: str
    lines: list[FlowLine]


@dataclass
class AnalyzeResult:
    """The analysis as data (printed by the CLI, serialised by :meth:`to_json`)."""

    source: str  # the folder read, or "rendered"
    devices: list[str]  # the configurations analysed
    cabling: str  # "inventory", or "inferred" from shared subnets when there is no inventory
    findings: list[Finding]  # of the devices reported on, most severe first
    reachability: ZoneMatrix  # lab verify's matrix, answered by the model
    routes: dict[str, dict[str, list[TableRoute]]] | None = None  # router → table → routes, when asked
    flow: FlowAnswer | None = None  # when a filter question was asked

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity, every severity named."""
        return {severity: sum(1 for f in self.findings if f.severity == severity) for severity in SEVERITIES}

    @property
    def exit_code(self) -> int:
        """1 when something cannot work (a critical or high finding, or an unreadable file)."""
        return 1 if self.counts["critical"] or self.counts["high"] else 0

    def to_json(self) -> dict[str, Any]:
        """The analysis as ``muronet analyze --json`` prints it."""
        document: dict[str, Any] = {
            "source": self.source, "devices": self.devices, "cabling": self.cabling, "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings], "reachability": self.reachability.as_dict()}
        if self.routes is not None:
            document["routes"] = {router: {table: [route.as_dict() for route in routes]
                                           for table, routes in tables.items()}
                                  for router, tables in self.routes.items()}
        if self.flow is not None:
            document["flow"] = {"question": self.flow.question, "lines": [asdict(line) for line in self.flow.lines]}
        return document


@dataclass
class Configurations:
    """The configurations an analysis reads, as the devices read them."""

    index: InventoryIndex
    audits: dict[str, DeviceAudit]
    unreadable: list[Finding]  # the files that could not be read
    standalone: bool  # no inventory: the cabling is inferred from the subnets the configurations share


def analyze_configs(options: AnalyzeOptions) -> AnalyzeResult:
    flow = parse_entry(f"permit {options.flow}") if options.flow else None
    if options.flow and flow is None:
        raise WorkflowError(f"--flow {options.flow!r}: not an ACL match (e.g. 'ip 10.10.0.0 0.0.255.255 any', "
                            "'tcp any host 10.99.0.50 eq 22')", 2)
    read = read_configurations(options.inventory, options.source, options.templates, options.platform)
    index, audits, standalone = read.index, read.audits, read.standalone
    asked = selected(index, options.limit) if options.limit else None
    analysis = network_analysis(index, audits)
    findings = sorted((f for f in read.unreadable + analysis.findings
                       if asked is None or f.device in asked or f.peer in asked),
                      key=lambda f: (SEVERITIES.index(f.severity), f.device, f.line or 0))
    answer = None
    if flow is not None:
        answer = FlowAnswer(options.flow or "", [line for name, audit in sorted(audits.items())
                                                 if asked is None or name in asked
                                                 for line in flow_lines(audit, flow)])
    return AnalyzeResult(str(options.source) if options.source else "rendered", sorted(audits),
                         "inferred" if standalone else "inventory", findings,
                         replace(analysis.zone_matrix(), model="" if standalone else model_line(index)),
                         _routes(analysis, asked) if options.routes else None, answer)


def read_configurations(inventory: Path, source: Path | None, templates: Path | None = None,
                        platform: str | None = None) -> Configurations:
    """The intended configurations (rendered from ``inventory``) or those of ``source``. A folder
    of another network's configurations is read without an inventory: cabling is then inferred from
    the subnets the configurations share, and the report says so."""
    standalone = source is not None and not inventory.exists()
    loaded = Inventory(root=inventory) if standalone else load(inventory)
    index = InventoryIndex(loaded)
    unreadable: list[Finding] = []
    if source is None:
        try:
            renderer = Renderer(loaded, templates or default_templates_dir(loaded.root))
            texts = {device.name: renderer.render(device) for device in loaded.devices}
        except RenderError as error:
            raise WorkflowError(f"rendering the intended configurations: {error}", 2) from None
    else:
        texts, errors = read_configs(source)
        unreadable = [_unreadable(e.device, e.message) for e in errors]
    platforms = {}
    for name, text in texts.items():
        device = index.devices.get(name)
        chosen = device.platform if device is not None else platform or detect_platform(text)
        if chosen is None:
            unreadable.append(_unreadable(name, f"{name}: not a configuration of a known platform (see --platform)"))
        else:
            platforms[name] = chosen
    audits = audits_of({n: texts[n] for n in platforms}, platforms, Settings.from_inventory(index), index)
    unreadable += [_unreadable(n, f"{n}: cannot be parsed as {platforms[n]}") for n in platforms if n not in audits]
    return Configurations(index, audits, unreadable, standalone)


def _routes(analysis: NetworkAnalysis, asked: set[str] | None) -> dict[str, dict[str, list[TableRoute]]]:
    """Every table of the routers reported on: prefix, protocol, metric, next hops, the line it comes from."""
    tables: dict[str, dict[str, list[TableRoute]]] = {}
    for (router, table), routes in sorted(analysis.model.tables.items()):
        if asked is not None and router not in asked:
            continue
        tables.setdefault(router, {})[table] = [
            TableRoute(str(prefix), route.protocol, route.metric,
                       [str(hop) for hop in sorted(route.next_hops, key=str)],
                       str(route.origin) if route.origin else None,
                       route.origin.line if route.origin and route.origin.device == router else None)
            for prefix, route in sorted(routes.items())]
    return tables


def _unreadable(device: str, message: str) -> Finding:
    return Finding("unreadable", "high", device, None, message)
