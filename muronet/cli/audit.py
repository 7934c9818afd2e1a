"""Commands that read the devices and judge them: audit, backup, nightly."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from muronet.cli.common import (
    DEFAULT_LAB_STATE,
    InventoryOption,
    JsonOption,
    LimitOption,
    StateOption,
    app,
    csv,
    emit_json,
    folder,
    lab_state,
    out,
    presented,
    print_matrix,
    say,
)

if TYPE_CHECKING:  # the workflows are imported by the command that runs them
    from muronet.policy.results import AuditReport
    from muronet.workflows.analyze import AnalyzeResult


@app.command()
def analyze(
    inventory: InventoryOption = Path("inventory"),
    source: Annotated[Path | None, typer.Option("--from", help="Folder of <device>.cfg files to analyse "
                                                "(default: the intended configurations, rendered).",
                                                file_okay=False)] = None,
    platform: Annotated[str | None, typer.Option(help="Platform of configurations of devices not in the "
                                                 "inventory (default: detected from the text).")] = None,
    flow: Annotated[str | None, typer.Option(help="A filter question as an ACL match, e.g. 'ip 10.10.0.0 "
                                             "0.0.255.255 any': the ACL lines that take some of it.")] = None,
    limit: LimitOption = None,
    routes: Annotated[bool, typer.Option("--routes", help="Show the route tables the model computes (with "
                                         "--limit: of those devices).")] = False,
    fail: Annotated[list[str] | None, typer.Option("--fail", help="What if this element fails (a cable's label "
                                                   "or DEVICE:PORT, a device, a site, a circuit id); repeat it "
                                                   "for elements failing together.")] = None,
    n_1: Annotated[bool, typer.Option("--n-1", help="Every single failure of a cable, a routed device, a "
                                      "circuit: the ones that cut something, with what.")] = False,
    n_2: Annotated[bool, typer.Option("--n-2", help="Every two spans of one fiber ring failing together.")
                   ] = False,
    as_json: JsonOption = False,
) -> None:
    """Analyse configurations across devices without asking any: undefined references and unused
    structures, shadowed ACL lines, OSPF adjacencies on every cable, BGP sessions, and a routing
    model (every router's tables per VRF) with the zone reachability matrix of `lab verify`
    computed from it; with --flow, a filter question. --limit reports on the devices it selects
    (every configuration is read).

    With --fail, --n-1 or --n-2: what survives failures instead (the flows from every LAN to its
    zone's city-hall LAN and external lines that stop, and those that move); exit 0.

    Exit 1 when something cannot work (a critical or high finding)."""
    from muronet.workflows.analyze import AnalyzeOptions, analyze_configs

    if fail or n_1 or n_2:
        _what_survives(inventory, source, tuple(fail or ()), n_1, n_2, as_json)
        return

    with presented(as_json):
        result = analyze_configs(AnalyzeOptions(inventory, source, platform=platform, flow=flow, limit=limit,
                                                routes=routes))
    if as_json:
        emit_json(result.to_json())
    else:
        _print_analysis(result, inventory)
    raise typer.Exit(result.exit_code)


def _what_survives(inventory: Path, source: Path | None, fail: tuple[str, ...], n_1: bool, n_2: bool,
                   as_json: bool) -> None:
    from muronet.workflows.failures import FailureOptions, failure_scenarios

    with presented(as_json):
        result = failure_scenarios(FailureOptions(inventory, source, fail=fail, n_1=n_1, n_2=n_2))
    if as_json:
        emit_json(result.to_json())
        return
    for scenario in result.scenarios if fail else []:
        say(f"{' + '.join(scenario.fail)} down: {len(scenario.lost)} flow(s) lost, {len(scenario.moved)} moved")
        for flow in scenario.lost:
            say(f"  LOST {flow.zone} {flow.source} [{', '.join(flow.sites)}] -> {flow.target}")
        for flow in scenario.moved:
            say(f"  moved {flow.zone} {flow.source} -> {flow.target}")
    cuts = [c for c in result.cuts if tuple(c.fail) != fail]
    for cut in (c for c in cuts if c.beyond):
        say(f"{' + '.join(cut.fail)}: {cut.lost} flow(s) of {', '.join(cut.zones)} lost; cuts {len(cut.beyond)} "
            f"site(s) beyond its own: {', '.join(cut.beyond)}")
    alone = [c for c in cuts if not c.beyond]
    if alone:
        say(f"{len(alone)} failure(s) cut only their own site (a single-homed facility's router): "
            + ", ".join(" + ".join(c.fail) for c in alone))
    if n_1 or n_2:
        summary = result.to_json()["summary"]
        say(f"{summary['scenarios']} scenarios over {result.flows} flows in {result.seconds} s: {summary['cutting']} "
            f"cut something, {summary['beyond_own_site']} beyond their own site")


def _print_analysis(result: AnalyzeResult, inventory: Path) -> None:
    for router, tables in (result.routes or {}).items():
        for table, entries in tables.items():
            say(f"{router} table {table}:")
            for route in entries:
                say(f"  {route.prefix} {route.protocol} [{route.metric}] via {', '.join(route.next_hops)}"
                    + (f"  ({route.origin})" if route.origin else ""))
    if result.reachability.probes:  # the inventory's LANs are among the configurations
        print_matrix(result.reachability)
    for finding in result.findings:
        where = f"{finding.device}:{finding.line}" if finding.line else finding.device
        say(f"{where}: {finding.severity}: {finding.message}")
    counts = ", ".join(f"{n} {severity}" for severity, n in result.counts.items() if n) or "nothing"
    if result.cabling == "inferred":
        say(f"no inventory at {inventory}: cabling inferred from the subnets the configurations share")
    say(f"{len(result.devices)} configurations analysed: {counts}")
    if result.flow is not None:
        for line in result.flow.lines:
            verb = "permits" if line.action == "permit" else "denies"
            say(f"{line.device}:{line.line}: access-list {line.acl} {verb} "
                f"{'all' if line.whole else 'some'} of it: {line.text}")
        say(f"{result.flow.question}: {len(result.flow.lines)} filter lines take some of it")


@app.command()
def audit(
    inventory: InventoryOption = Path("inventory"),
    source: Annotated[Path | None, typer.Option("--from", help="Folder of <device>.cfg files to audit.",
                                                file_okay=False)] = None,
    live: Annotated[bool, typer.Option("--live", help="Audit the running configurations (with --lab: of the "
                                       "twin), and their drift from the intended ones.")] = False,
    lab: Annotated[bool, typer.Option("--lab", help="With --live: the digital twin (see --state).")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    platform: Annotated[str | None, typer.Option(help="Platform of configurations of devices not in the "
                                                 "inventory (default: detected from the text).")] = None,
    waivers: Annotated[Path | None, typer.Option(help="Waivers file (default: policy/waivers.yaml beside "
                                                 "the inventory, if present).")] = None,
    formats: Annotated[str, typer.Option("--format", help="Reports to write: html,json,junit,md,pdf "
                                                     "(pdf: the HTML page printed by Chromium).")
                       ] = "html,json,junit,md",
    out_dir: Annotated[Path, folder("--out", help="Folder for the reports.")] = Path("build/audit"),
    as_json: JsonOption = False,
) -> None:
    """Check configurations against the city's security policy (rules in muronet/policy/rules.yaml).

    Exit 1 when a critical or high finding is not waived, or a configuration cannot be read."""
    from muronet.workflows.audit import REPORT_FORMATS, AuditOptions
    from muronet.workflows.audit import audit as audit_workflow

    wanted = csv(formats, REPORT_FORMATS, "report formats")
    with presented(as_json):
        result = audit_workflow(AuditOptions(inventory, source, live, lab_state(lab, state), platform, waivers,
                                             wanted, out_dir))
    if as_json:
        emit_json(result.report.as_dict())
    else:
        _print_audit(result.report, result.written)
    raise typer.Exit(result.exit_code)


def _print_audit(report: AuditReport, written: dict[str, Path]) -> None:
    from muronet.policy.report import verdict_text

    table = Table(title=f"Audit of {len(report.devices)} devices ({report.source})", show_edge=False)
    for column in ("device", "rule", "severity", "line", "finding"):
        table.add_column(column)
    for f in report.findings:
        table.add_row(f.device, f.rule, f.severity, str(f.line or ""), f"{f.message} ({f.status})")
    out.print(table)
    say(verdict_text(report.summary)[1])
    _print_written(written)


def _print_written(written: dict[str, Path]) -> None:
    for name, path in written.items():
        say(f"{name} report: {path}")


@app.command()
def backup(
    inventory: InventoryOption = Path("inventory"),
    repo: Annotated[Path, folder("--repo", help="Git repository of the backups (created if missing).")
                    ] = Path("build/backups"),
    lab: Annotated[bool, typer.Option("--lab", help="Back up the digital twin (see --state).")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Collect every running configuration into a git repository, secrets masked, one commit per run.

    Exit 1 when a device could not be read (its last good backup stays)."""
    from muronet.workflows.backup import BackupOptions
    from muronet.workflows.backup import backup as backup_workflow

    with presented(as_json):
        run = backup_workflow(BackupOptions(inventory, repo, lab_state(lab, state), limit))
    if as_json:
        emit_json(run.as_dict())
    else:
        say(f"backup in {repo}: {len(run.changed)} changed, {len(run.unchanged)} unchanged, "
            f"{len(run.unreachable)} unreachable" + (f"; commit {run.commit[:10]}" if run.commit else
                                                      "; nothing to commit"))
        for name, error in run.unreachable.items():
            say(f"  {name}: {error} (last good backup kept)")
    raise typer.Exit(1 if run.unreachable else 0)


@app.command()
def nightly(
    inventory: InventoryOption = Path("inventory"),
    repo: Annotated[Path, folder("--repo", help="Git repository of the backups.")] = Path("build/backups"),
    db: Annotated[Path, typer.Option("--db", help="SQLite history of the nightly runs.", dir_okay=False)] = Path(
        "build/nightly.sqlite"),
    lab: Annotated[bool, typer.Option("--lab", help="The digital twin (see --state).")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    out_dir: Annotated[Path, folder("--out", help="Folder for the reports.")] = Path("build/nightly"),
    as_json: JsonOption = False,
) -> None:
    """Back up every device, audit the backups and their drift from the intended configurations, and
    compare with the previous night (SQLite history).

    Exit 1 when an unwaived critical or high finding is open, or a device could not be backed up."""
    from muronet.workflows.nightly import NightlyOptions
    from muronet.workflows.nightly import nightly as nightly_workflow

    with presented(as_json):
        result = nightly_workflow(NightlyOptions(inventory, repo, db, lab_state(lab, state), out_dir))
    if as_json:
        emit_json(result.report.as_dict())
    else:
        h, run = result.report.history, result.backup
        assert h is not None  # a nightly run records its history
        say(f"nightly run {h.run}: backup {len(run.changed)} changed, {len(run.unreachable)} unreachable; "
            f"audit {len(result.report.findings)} findings ({len(result.blocking)} blocking): {len(h.new)} new, "
            f"{len(h.fixed)} fixed, {len(h.still_open)} still open "
            + (f"since run {h.previous_run} ({h.previous_started})" if h.previous_run else "(the first run)"))
        say("trend (run: findings): " + ", ".join(f"{t.run}: {t.findings}" for t in h.trend[-10:]))
        _print_written(result.written)
    raise typer.Exit(result.exit_code)
