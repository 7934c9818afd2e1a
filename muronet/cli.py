"""The ``muronet`` command line (Typer + rich).

Every command takes ``--inventory DIR``; commands whose output is data take ``--json`` and then
print one JSON document on stdout and nothing else there.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table

from muronet.files import write_atomic
from muronet.inventory.index import InventoryIndex
from muronet.inventory.issues import Issue
from muronet.inventory.loader import Inventory
from muronet.inventory.secrets import SecretError, resolve
from muronet.inventory.select import SelectionError, select_devices
from muronet.platforms import get_platform
from muronet.render.engine import Renderer, RenderError, default_templates_dir
from muronet.render.writer import write_configs
from muronet.validation import load_and_validate

app = typer.Typer(
    help="Provision and audit the City of Muroran's networks from the inventory in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

InventoryOption = Annotated[
    Path, typer.Option("--inventory", "-i", help="Inventory folder.", file_okay=False, show_default=True)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable result on stdout.")]
LimitOption = Annotated[
    str | None,
    typer.Option("--limit", "-l", help="Devices to work on: name globs or site:/role:/zone:/platform:/kind: "
                 "groups, comma-separated (e.g. 'core*,site:library,zone:LGWAN')."),
]

# FRR's daemons run as user frr and must reach the state folder: /var/tmp is world-traversable,
# a checkout under /root is not.
DEFAULT_LAB_STATE = Path(os.environ.get("MURONET_LAB_STATE", "/var/tmp/muronet-lab"))
StateOption = Annotated[Path, typer.Option("--state", help="The twin's state folder (MURONET_LAB_STATE).")]

def _emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"muronet: {message}", markup=False)
    raise typer.Exit(code)


def _csv(value: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A comma-separated option's values; an unknown or missing one is a usage error (exit 2)."""
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in allowed]
    if unknown or not chosen:
        _fail(f"{', '.join(map(repr, unknown)) or repr(value)}: {what} are {', '.join(allowed)}", 2)
    return chosen


def _load(inventory_dir: Path, as_json: bool) -> Inventory:
    """Load and validate; on errors print them (stderr, or as JSON) and exit 1."""
    inventory, issues = load_and_validate(inventory_dir)
    if issues:
        if as_json:
            _emit_json({"valid": False, "errors": [i.as_dict() for i in issues]})
        else:
            for issue in issues:
                err.print(issue.format(), markup=False)
            err.print(f"muronet: the inventory has {len(issues)} error(s); fix them first "
                      "(muronet validate)", markup=False)
        raise typer.Exit(1)
    return inventory


@app.command()
def validate(inventory: InventoryOption = Path("inventory"), as_json: JsonOption = False) -> None:
    """Check the inventory: schema, references, IP plan and zone rules. Exit 1 on any error."""
    started = time.perf_counter()
    loaded, issues = load_and_validate(inventory)
    elapsed = time.perf_counter() - started
    summary = {"files": len(loaded.files), "sites": len(loaded.sites), "devices": len(loaded.devices),
               "cables": len(loaded.cables), "prefixes": len(loaded.prefixes), "vlans": len(loaded.vlans),
               "errors": len(issues), "seconds": round(elapsed, 3)}
    if as_json:
        _emit_json({"valid": not issues, "errors": [i.as_dict() for i in issues], "summary": summary})
    else:
        _print_issues(issues)
        if issues:
            files = len({i.location.file for i in issues})
            out.print(f"✗ {len(issues)} error(s) in {files} file(s)", markup=False)
        else:
            out.print(f"✓ inventory valid: {summary['devices']} devices, {summary['sites']} sites, "
                      f"{summary['cables']} cables, {summary['prefixes']} prefixes, {summary['vlans']} VLANs "
                      f"({elapsed:.2f} s)", markup=False)
    raise typer.Exit(1 if issues else 0)


def _print_issues(issues: list[Issue]) -> None:
    for issue in issues:
        out.print(issue.format(), markup=False)


@app.command()
def render(
    inventory: InventoryOption = Path("inventory"),
    limit: LimitOption = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for <device>.cfg files.")] = Path(
        "build/configs"),
    diff: Annotated[bool, typer.Option("--diff", help="Show what changed against the last render.")] = False,
    templates: Annotated[Path | None, typer.Option(help="Template folder (default: beside the inventory).")] = None,
    platform: Annotated[str | None, typer.Option(
        help="Render every device as if it ran this platform (e.g. cisco_ios: the city on Cisco).")] = None,
    workers: Annotated[int, typer.Option(help="Rendering processes (0: one per core).", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """Render the intended configuration of every device (secrets masked) into DIR/<device>.cfg."""
    loaded = _load(inventory, as_json)
    index = InventoryIndex(loaded)
    try:
        devices = select_devices(index, limit)
        if platform is not None:
            get_platform(platform)  # an unknown name is an error before anything is written
            devices = [d.model_copy(update={"platform": platform}) for d in devices]
        renderer = Renderer(loaded, templates or default_templates_dir(inventory))
        results = write_configs(renderer.render_many(devices, workers), out_dir, with_diff=diff,
                                prune=limit is None)
    except (SelectionError, RenderError, KeyError) as error:
        _fail(str(error).strip('"'), 1 if isinstance(error, RenderError) else 2)
    if as_json:
        _emit_json({"out": str(out_dir), "results": [r.as_dict() for r in results]})
        return
    if diff:
        for result in results:
            if result.diff:
                out.print(Syntax(result.diff, "diff", theme="ansi_dark", background_color="default"))
    counts = {status: sum(1 for r in results if r.status == status)
              for status in ("new", "changed", "unchanged", "removed")}
    table = Table(title=f"Rendered {len(devices)} device(s) into {out_dir}", show_edge=False)
    for status in counts:
        table.add_column(status, justify="right")
    table.add_row(*(str(n) for n in counts.values()))
    out.print(table)


class TopologySource(StrEnum):
    NETBOX = "netbox"
    INVENTORY = "inventory"


@app.command()
def topology(
    inventory: InventoryOption = Path("inventory"),
    source: Annotated[TopologySource | None, typer.Option(
        help="Where the topology comes from: netbox (default when a NetBox is configured: MURONET_NETBOX_URL, "
             "or `muronet netbox up`) or inventory (a quick look without one).")] = None,
    views: Annotated[str, typer.Option(help="Views, comma-separated: physical, geographic, zones, lgwan, sites.")]
    = "physical,geographic,zones,lgwan,sites",
    formats: Annotated[str, typer.Option("--format", help="Formats, comma-separated: svg, png, drawio, mermaid, html.")]
    = "svg,png,drawio,mermaid,html",
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the diagrams.", file_okay=False)]
    = Path("build/topology"),
    as_json: JsonOption = False,
) -> None:
    """Draw the network: the physical fiber map (schematic and at the sites' coordinates), the zones and
    their approved gateways, the LGWAN line, and one diagram per site."""
    from netbox_sot.connection import NetBoxError, NetBoxTarget
    from topology import views as view_module
    from topology.write import FORMATS, write_all

    chosen_views = _csv(views, (*view_module.VIEWS, "sites"), "views")
    chosen_formats = _csv(formats, FORMATS, "formats")
    if source is None:
        source = TopologySource.NETBOX if NetBoxTarget.configured() else TopologySource.INVENTORY
    started = time.perf_counter()
    if source is TopologySource.NETBOX:
        from topology.from_netbox import graph_from_netbox

        try:
            graph = graph_from_netbox(NetBoxTarget.from_environment())
        except NetBoxError as error:
            _fail(f"topology: {error} (--source inventory draws from the inventory instead)", 1)
    else:
        from topology.from_inventory import physical_graph

        graph = physical_graph(_load(inventory, as_json))
    written = write_all(graph, out_dir, chosen_formats, chosen_views)
    summary = {"source": source.value, "out": str(out_dir), "sites": len(graph.sites), "links": len(graph.links),
               "circuits": len(graph.circuits), "devices": len(graph.devices),
               "seconds": round(time.perf_counter() - started, 1),
               "files": [str(p) for p in written if p.parent == out_dir]}
    if as_json:
        _emit_json(summary)
        return
    out.print(f"topology from {source.value}: {summary['sites']} sites, {summary['devices']} devices, "
              f"{summary['links']} cables, {summary['circuits']} circuits in {summary['seconds']} s", markup=False)
    for path in summary["files"]:
        out.print(f"  {path}", markup=False)
    if "sites" in chosen_views:
        out.print(f"  {out_dir / 'sites'}/<site>.svg ({len(graph.sites)} site diagrams)", markup=False)


def _lab_nornir(inventory: Path, lab: Path | None, workers: int) -> Any:
    """Nornir over the inventory (with ``lab``, over the twin's management endpoints), logins set."""
    from nornir import InitNornir

    # Nornir logs each failed task with its traceback; the report carries the error instead.
    logging.getLogger("nornir").addHandler(logging.NullHandler())
    logging.getLogger("nornir").propagate = False

    options: dict[str, Any] = {"inventory_dir": str(inventory)}
    if lab is not None:
        options["endpoints_file"] = str(lab / "ssh" / "endpoints.json")
    try:
        nr = InitNornir(inventory={"plugin": "MuronetInventory", "options": options},
                        runner={"plugin": "threaded", "options": {"num_workers": workers}},
                        logging={"enabled": False})
    except ValueError as error:  # the inventory plugin's InventoryError: invalid inventory, twin not up
        _fail(str(error), 2)
    if not nr.inventory.defaults.username or not nr.inventory.defaults.password:
        _fail("login credentials: set the variables city.credentials refers to (MURONET_USERNAME, "
              "MURONET_PASSWORD)", 2)
    return nr


def _selected(index: InventoryIndex, limit: str | None) -> set[str]:
    """Names of the devices ``--limit`` selects; a bad expression is a clear error."""
    try:
        return {d.name for d in select_devices(index, limit)}
    except SelectionError as error:
        _fail(str(error), 2)


def _intended_configs(loaded: Inventory, inventory: Path, templates: Path | None, names: list[str]
                      ) -> tuple[dict[str, str], Any]:
    """Every named device's intended configuration with real secrets, and the secrets (to scrub)."""
    from muronet.inventory.secrets import ResolvedSecrets

    secrets = ResolvedSecrets(loaded.city.secrets, loaded.root)  # type: ignore[union-attr]
    renderer = Renderer(loaded, templates or default_templates_dir(inventory), secrets)
    try:
        return {name: renderer.render(renderer.index.devices[name]) for name in names}, secrets
    except (RenderError, SecretError) as error:
        _fail(f"rendering the intended configurations: {error}", 2)


@app.command()
def provision(
    inventory: InventoryOption = Path("inventory"),
    limit: LimitOption = None,
    commit: Annotated[bool, typer.Option("--commit", help="Push the changes (default: dry run, show the diffs).")
                      ] = False,
    lab: Annotated[bool, typer.Option("--lab", help="Provision the digital twin (see --state) instead of the "
                                      "production devices.")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    templates: Annotated[Path | None, typer.Option(help="Template folder (default: beside the inventory).")] = None,
    revert_in: Annotated[int, typer.Option(help="Seconds before an unconfirmed commit reverts by itself.", min=30)
                         ] = 600,
    settle: Annotated[float, typer.Option(help="Seconds to wait for the routing state to verify.", min=0)] = 90.0,
    workers: Annotated[int, typer.Option(help="Devices worked on in parallel.", min=1)] = 20,
    show_diff: Annotated[bool, typer.Option("--diff/--no-diff", help="Print each device's diff.")] = True,
    accept_risk: Annotated[str | None, typer.Option("--accept-risk", help="Commit a change the security review "
                                                    "blocks; the reason is logged with the commit.")] = None,
    log_dir: Annotated[Path, typer.Option("--log-dir", help="Where each commit's review and outcome are logged.")
                       ] = Path("build/provision-log"),
    as_json: JsonOption = False,
) -> None:
    """Bring devices to their intended configuration: diff (dry run), or commit, verify, roll back.

    Exit 0 when every device is as intended (or, in a dry run, could be reached and diffed);
    1 when a device failed or was rolled back; 2 on bad input, or when the security review blocks the
    pending change (as `muronet review` would) and no --accept-risk reason is given (nothing is
    pushed then)."""
    from nornir_tasks.provision import provision as run_provision

    loaded = _load(inventory, as_json)
    index = InventoryIndex(loaded)
    selected = _selected(index, limit)
    nr = _lab_nornir(inventory, state if lab else None, workers).filter(filter_func=lambda h: h.name in selected)
    if not nr.inventory.hosts:
        _fail("no device to provision" + (" in the twin (is it up?)" if lab else ""), 2)
    configs, secrets = _intended_configs(loaded, inventory, templates, sorted(nr.inventory.hosts))
    review: dict[str, Any] | None = None

    def gate(running: dict[str, str]) -> bool:
        """The security review of the pending change, before anything is pushed: what it blocks
        (as `muronet review` does) needs a reason."""
        nonlocal review
        change, review = _review_of(index, running, configs)
        return not change.blocking or bool(accept_risk)

    report = run_provision(nr, index, configs, commit_changes=commit, revert_in=revert_in, settle=settle,
                           gate=gate if commit else None)
    if report.stopped_by_gate:
        from review.report import markdown

        out.print(markdown(review), markup=False)
        _fail("the review blocks the pending change (critical, or it adds a critical or high finding: review "
              "above); nothing was pushed. Give --accept-risk \"reason\" to commit it anyway", 2)
    document = secrets.scrub_data(report.as_dict())
    if review is not None:
        document["review"] = {"risk": review["risk"], "accepted_risk": accept_risk, "log": str(
            _log_commit(log_dir, {"accepted_risk": accept_risk, "review": review, "provision": document}))}
    if as_json:
        _emit_json(document)
    else:
        _print_provision(document, show_diff)
    raise typer.Exit(report.exit_code)


@app.command()
def review(
    inventory: InventoryOption = Path("inventory"),
    git: Annotated[str | None, typer.Option("--git", help="BASE..HEAD of this repository (BASE.. : the working "
                                            "tree), rendered at both ends.")] = None,
    before: Annotated[Path | None, typer.Option("--before", help="Folder of <device>.cfg before the change.",
                                                file_okay=False)] = None,
    after: Annotated[Path | None, typer.Option("--after", help="Folder of <device>.cfg after the change.",
                                               file_okay=False)] = None,
    pending: Annotated[bool, typer.Option("--pending", help="What provision would change now: running → "
                                          "intended (with --lab: the twin).")] = False,
    lab: Annotated[bool, typer.Option("--lab", help="With --pending: the digital twin (see --state).")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    limit: LimitOption = None,
    formats: Annotated[str, typer.Option("--format", help="Reports to write: md,json,sarif.")] = "md,json,sarif",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = Path("build/review"),
    as_json: JsonOption = False,
) -> None:
    """Security review of a configuration change: semantic diff, policy before/after, classes, risk.

    Exit 1 when the change is critical or adds a blocking (critical/high) policy finding; 2 on bad input."""
    from review.report import markdown, sarif

    if sum((git is not None, before is not None or after is not None, pending)) != 1 or (before is None) != (
            after is None):
        _fail("give one of --git BASE..HEAD, --before DIR --after DIR, and --pending", 2)
    wanted = _csv(formats, ("md", "json", "sarif"), "report formats")
    if git is not None:  # both revisions are validated there: an invalid head is the review's verdict
        doc, origins = _review_git(inventory, git)
    elif pending:
        loaded = _load(inventory, as_json)
        index = InventoryIndex(loaded)
        chosen = _selected(index, limit)
        nr = _lab_nornir(inventory, state if lab else None, 20).filter(filter_func=lambda h: h.name in chosen)
        configs, scrubber = _intended_configs(loaded, inventory, None, sorted(nr.inventory.hosts))
        doc, origins = scrubber.scrub_data(_review_pending(nr, index, configs)[1]), None  # collect closes the sessions
    else:
        assert before is not None and after is not None
        doc, origins = _review_folders(InventoryIndex(_load(inventory, as_json)), before, after), None
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, render in (("md", lambda: markdown(doc)), ("json", lambda: json.dumps(doc, ensure_ascii=False, indent=1)),
                         ("sarif", lambda: json.dumps(sarif(doc, origins), ensure_ascii=False, indent=1))):
        if name in wanted:
            path = out_dir / {"md": "review.md", "json": "review.json", "sarif": "review.sarif"}[name]
            write_atomic(path, render())
            written[name] = path
    if as_json:
        _emit_json(doc)
    else:
        out.print(markdown(doc), markup=False)
        for name, path in written.items():
            out.print(f"{name} report: {path}", markup=False)
    raise typer.Exit(1 if doc["blocking"] else 0)


def _review_git(inventory: Path, spec: str) -> tuple[dict[str, Any], Any]:
    """The review of a change of this repository, and where each device's change came from."""
    import secrets

    from policy.context import Settings
    from review.engine import ChangeReview, review_change
    from review.sources import InvalidRevision, SourceError, git_change

    try:
        change = git_change(inventory.resolve().parent, spec)
    except InvalidRevision as error:  # the change breaks the inventory: nothing of it can be approved
        return ChangeReview(f"git {spec}", [], error.problems).as_dict(secrets.token_bytes(16)), None
    except SourceError as error:
        _fail(str(error), 2)
    platforms = {d.name: d.platform for d in [*change.before.inventory.devices, *change.after.inventory.devices]}
    result = review_change(f"git {spec}", change.before.configs, change.after.configs, platforms,
                           Settings.from_inventory(change.after.index), change.before.index, change.after.index,
                           change.after.root / "templates")
    return result.as_dict(secrets.token_bytes(16)), change.origins


def _review_folders(index: InventoryIndex, before: Path, after: Path) -> dict[str, Any]:
    """The review of two folders of configurations, secrets masked before anything reads them."""
    import secrets

    from muronet.masking import mask
    from policy.context import Settings
    from policy.engine import detect_platform
    from review.engine import review_change

    salt = secrets.token_bytes(16)
    texts = [{n: mask(t, salt) for n, t in _read_configs(folder)[0].items()} for folder in (before, after)]
    platforms = {n: index.devices[n].platform if n in index.devices else detect_platform(t) or "cisco_ios"
                 for side in texts for n, t in side.items()}
    result = review_change(f"{before} → {after}", texts[0], texts[1], platforms, Settings.from_inventory(index),
                           index, index, default_templates_dir(index.inventory.root))
    return result.as_dict(salt)


def _log_commit(folder: Path, entry: dict[str, Any]) -> Path:
    """One JSON file per commit: the review it passed, the accepted risk and the outcome."""
    from datetime import datetime

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"commit-{datetime.now().strftime('%Y%m%dT%H%M%S%f')}.json"
    write_atomic(path, json.dumps(entry, ensure_ascii=False, indent=1), mode=0o600)
    return path


def _review_pending(nr: Any, index: InventoryIndex, intended: dict[str, str]) -> Any:
    """The review of what provisioning would change now: running (as read) → intended."""
    from nornir_tasks.collect import collect

    running, _ = collect(nr)
    return _review_of(index, running, intended)


def _review_of(index: InventoryIndex, running: dict[str, str], intended: dict[str, str]) -> Any:
    """The review of ``running`` → ``intended`` (per device). Both sides are masked with one salt,
    so a changed secret shows as a change and no value is ever shown."""
    import secrets

    from muronet.masking import mask
    from policy.context import Settings
    from review.engine import review_change

    salt = secrets.token_bytes(16)
    platforms = {name: index.devices[name].platform for name in running}
    before = {n: mask(get_platform(platforms[n]).without_device_lines(t), salt) for n, t in running.items()}
    after = {n: mask(intended[n], salt) for n in running}
    review = review_change("pending", before, after, platforms, Settings.from_inventory(index), index, index,
                           default_templates_dir(index.inventory.root))
    return review, review.as_dict(salt)


def _print_provision(document: dict[str, Any], show_diff: bool) -> None:
    for device in document["devices"]:
        if show_diff and device["diff"]:
            out.print(f"── {device['name']} ──", markup=False)
            out.print(Syntax(device["diff"], "diff", theme="ansi_dark", background_color="default"))
    title = "Provisioning (committed)" if document["committed"] else "Provisioning (dry run: nothing pushed)"
    table = Table(title=title, show_edge=False)
    for outcome in document["summary"]:
        table.add_column(outcome, justify="right")
    table.add_row(*(str(n) for n in document["summary"].values()))
    out.print(table)
    for device in document["devices"]:
        if device["detail"]:
            out.print(f"{device['name']}: {device['outcome']}", markup=False)
            for line in device["detail"]:  # scrubbed whole, then shortened for the screen
                out.print(f"  - {line if len(line) <= 500 else line[:500] + ' …'}", markup=False)
    phases = ", ".join(f"{k} {v} s" for k, v in document["seconds"].items())
    out.print(f"time: {phases}", markup=False)
    if "review" in document:
        review = document["review"]
        accepted = f", accepted: {review['accepted_risk']}" if review["accepted_risk"] else ""
        out.print(f"security review of the change: {review['risk']}{accepted} (logged in {review['log']})",
                  markup=False)


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
    formats: Annotated[str, typer.Option("--format", help="Reports to write: html,json,junit,md.")
                       ] = "html,json,junit,md",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = Path("build/audit"),
    as_json: JsonOption = False,
) -> None:
    """Check configurations against the city's security policy (rules in policy/rules.yaml).

    Exit 1 when a critical or high finding is not waived, or a configuration cannot be read."""
    import secrets
    from datetime import datetime

    from muronet.masking import mask
    from policy import report

    if (source is None) == (not live):
        _fail("give one of --from DIR and --live", 2)
    if waivers is not None and not waivers.is_file():
        _fail(f"--waivers {waivers}: no such file", 2)
    wanted = _csv(formats, ("html", "json", "junit", "md"), "report formats")
    loaded = _load(inventory, as_json)
    index = InventoryIndex(loaded)
    texts, errors = _audit_sources(inventory, source, lab, state)
    salt = secrets.token_bytes(16)  # reports of this run only
    drift = _drift(loaded, inventory, texts, live, salt)
    texts = {name: mask(text, salt) for name, text in texts.items()}
    results = _audited(texts, platform, index, waivers or inventory.parent / "policy" / "waivers.yaml") + errors
    doc = report.document(results, drift, {"source": "live" if live else str(source),
                                           "generated": datetime.now().isoformat(timespec="seconds")})
    written = report.write(doc, results, out_dir, list(wanted))
    if as_json:
        _emit_json(doc)
    else:
        _print_audit(doc, written)
    raise typer.Exit(0 if doc["passed"] else 1)


def _drift(loaded: Inventory, inventory: Path, texts: dict[str, str], live: bool, salt: bytes) -> dict[str, list[str]]:
    """Per inventory device, the commands that bring its configuration back to the intended one
    (secrets masked). Running configurations are compared with the real secrets; files (backups
    mask their secrets) with every secret reduced to one placeholder, so only other lines count."""
    from muronet.masking import PLACEHOLDER, mask
    from policy.drift import remediation

    index = InventoryIndex(loaded)
    names = sorted(name for name in texts if name in index.devices)
    if live:
        intended, _ = _intended_configs(loaded, inventory, None, names)
    else:
        renderer = Renderer(loaded, default_templates_dir(inventory))
        intended = {name: renderer.render(index.devices[name]) for name in names}
    drift = {}
    for name in names:
        running = texts[name] if live else PLACEHOLDER.sub("<secret:*>", mask(texts[name], salt))
        wanted = intended[name] if live else PLACEHOLDER.sub("<secret:*>", intended[name])
        try:
            lines = remediation(index.devices[name].platform, wanted, running)
        except (ValueError, KeyError):  # unreadable: the audit reports it as the device's error
            continue
        drift[name] = mask("\n".join(lines), salt).splitlines()
    return drift


def _audit_sources(inventory: Path, source: Path | None, lab: bool, state: Path) -> tuple[dict[str, str], list[Any]]:
    """Configurations to audit (device → text) and per-device read errors as results: the files
    of ``source``, or else the running configurations."""
    from policy.engine import ERROR, Result

    if source is not None:
        return _read_configs(source)
    from nornir_tasks.collect import collect

    texts, failed = collect(_lab_nornir(inventory, state if lab else None, 20))
    return texts, [Result(name, "PARSE", "high", ERROR, f"unreachable: {message}") for name, message in failed.items()]


MAX_CONFIG_BYTES = 16 * 2**20  # the largest IOS configurations are a few MiB


def _read_configs(folder: Path) -> tuple[dict[str, str], list[Any]]:
    """Every ``<device>.cfg`` of ``folder``; a file that cannot be read is a per-device error."""
    from policy.engine import ERROR, Result

    texts: dict[str, str] = {}
    errors: list[Any] = []
    for path in sorted(folder.glob("*.cfg")):
        try:
            if path.is_symlink() or not path.is_file():  # a link planted to make root read /etc/shadow
                raise OSError("not a regular file")
            if path.stat().st_size > MAX_CONFIG_BYTES:
                raise OSError(f"larger than {MAX_CONFIG_BYTES // 2**20} MiB: not a device configuration")
            texts[path.stem] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror or str(error) if isinstance(error, OSError) else str(error)
            errors.append(Result(path.stem, "PARSE", "high", ERROR, f"{path}: cannot read ({reason})"))
    if not texts and not errors:
        _fail(f"no <device>.cfg file in {folder}", 2)
    return texts, errors


def _audited(texts: dict[str, str], platform: str | None, index: InventoryIndex, waivers: Path) -> list[Any]:
    """Every rule's result for every configuration, waivers applied. The platform: ``platform``
    if given, else recognised from the text, else the inventory's."""
    from datetime import date

    from policy.context import Settings
    from policy.engine import apply_waivers, audit_many, detect_platform
    from policy.waivers import load_waivers

    def platform_of(name: str, text: str) -> str | None:
        device = index.devices.get(name)
        return platform or detect_platform(text) or (device.platform if device else None)

    loaded, issues = load_waivers(waivers) if waivers.exists() else ([], [])
    if issues:  # a waiver that does not read must neither waive nor be ignored
        for issue in issues:
            err.print(issue.format(), markup=False)
        _fail(f"the waivers file {waivers} has {len(issues)} error(s)", 2)
    configs = [(name, text, platform_of(name, text)) for name, text in sorted(texts.items())]
    return apply_waivers(audit_many(configs, Settings.from_inventory(index), index), loaded, date.today())


@app.command()
def backup(
    inventory: InventoryOption = Path("inventory"),
    repo: Annotated[Path, typer.Option("--repo", help="Git repository of the backups (created if missing).")
                    ] = Path("build/backups"),
    lab: Annotated[bool, typer.Option("--lab", help="Back up the digital twin (see --state).")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Collect every running configuration into a git repository, secrets masked, one commit per run.

    Exit 1 when a device could not be read (its last good backup stays)."""
    from muronet.backup import store
    from nornir_tasks.collect import collect

    loaded = _load(inventory, as_json)
    index = InventoryIndex(loaded)
    selected = _selected(index, limit)
    nr = _lab_nornir(inventory, state if lab else None, 20).filter(filter_func=lambda h: h.name in selected)
    configs, failed = collect(nr)
    run = store(repo, configs, failed)
    if as_json:
        _emit_json(run.as_dict())
    else:
        out.print(f"backup in {repo}: {len(run.changed)} changed, {len(run.unchanged)} unchanged, "
                  f"{len(run.unreachable)} unreachable" + (f"; commit {run.commit[:10]}" if run.commit else
                                                            "; nothing to commit"), markup=False)
        for name, error in run.unreachable.items():
            out.print(f"  {name}: {error} (last good backup kept)", markup=False)
    raise typer.Exit(1 if run.unreachable else 0)


@app.command("ansible-vault")
def ansible_vault(
    inventory: InventoryOption = Path("inventory"),
    out: Annotated[Path, typer.Option("--out", help="The vault file the playbooks read.")
                   ] = Path("playbooks/group_vars/all/vault.yml"),
    password_file: Annotated[Path, typer.Option("--password-file", help="Its password (made, mode 0600, if "
                                                "missing; ansible.cfg names it).")
                             ] = Path("build/ansible-vault-password"),
) -> None:
    """Write the playbooks' Ansible Vault file: the login and every secret of city.secrets, resolved
    now from their references (environment, vault files), encrypted. No value is printed."""
    from muronet.ansible_vault import vault_variables, write_vault

    loaded = _load(inventory, False)
    try:
        variables = vault_variables(loaded)
    except SecretError as error:
        _fail(f"resolving the secrets: {error}", 2)
    write_vault(variables, out, password_file)
    err.print(f"wrote {out} ({len(variables['vault_muronet_secrets'])} secrets and the login, encrypted with "
              f"{password_file})", markup=False)


def _print_audit(doc: dict[str, Any], written: dict[str, Path]) -> None:
    table = Table(title=f"Audit of {len(doc['devices'])} devices ({doc['source']})", show_edge=False)
    for column in ("device", "rule", "severity", "line", "finding"):
        table.add_column(column)
    for f in doc["findings"]:
        table.add_row(f["device"], f["rule"], f["severity"], str(f["line"] or ""), f"{f['message']} ({f['status']})")
    out.print(table)
    out.print(f"{'PASS' if doc['passed'] else 'FAIL'}: {doc['counts']}; drift on {len(doc['drift'])} devices",
              markup=False)
    for name, path in written.items():
        out.print(f"{name} report: {path}", markup=False)


@app.command()
def nightly(
    inventory: InventoryOption = Path("inventory"),
    repo: Annotated[Path, typer.Option("--repo", help="Git repository of the backups.")] = Path("build/backups"),
    db: Annotated[Path, typer.Option("--db", help="SQLite history of the nightly runs.")] = Path(
        "build/nightly.sqlite"),
    lab: Annotated[bool, typer.Option("--lab", help="The digital twin (see --state).")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = Path("build/nightly"),
    as_json: JsonOption = False,
) -> None:
    """Back up every device, audit the backups and their drift from the intended configurations, and
    compare with the previous night (SQLite history).

    Exit 1 when an unwaived critical or high finding is open, or a device could not be backed up."""
    import secrets
    from datetime import datetime

    from muronet.backup import store
    from nornir_tasks.collect import collect
    from policy import history, report
    from policy.engine import blocking

    loaded = _load(inventory, as_json)
    index = InventoryIndex(loaded)
    nr = _lab_nornir(inventory, state if lab else None, 20)
    configs, failed = collect(nr)
    run = store(repo, configs, failed)
    texts, errors = _read_configs(repo)  # the backups: tonight's, or the last good one
    results = _audited(texts, None, index, inventory.parent / "policy" / "waivers.yaml") + errors
    drift = _drift(loaded, inventory, texts, False, secrets.token_bytes(16))
    doc = report.document(results, drift, {"source": f"nightly backup {repo}",
                                        "generated": datetime.now().isoformat(timespec="seconds")})
    stopping = blocking(results)
    doc["history"] = history.record(db, doc, run.commit, len(stopping))
    doc["backup"] = run.as_dict()
    written = report.write(doc, results, out_dir, ["html", "json", "junit", "md"])
    if as_json:
        _emit_json(doc)
    else:
        h = doc["history"]
        out.print(f"nightly run {h['run']}: backup {len(run.changed)} changed, {len(run.unreachable)} unreachable; "
                  f"audit {len(doc['findings'])} findings ({len(stopping)} blocking): {len(h['new'])} new, "
                  f"{len(h['fixed'])} fixed, {len(h['still_open'])} still open since run {h['previous_run']}",
                  markup=False)
        out.print("trend (run: findings): " + ", ".join(f"{t['run']}: {t['findings']}" for t in h["trend"][-10:]),
                  markup=False)
        for name, path in written.items():
            out.print(f"{name} report: {path}", markup=False)
    raise typer.Exit(1 if stopping or run.unreachable else 0)


lab_app = typer.Typer(help="The digital twin of the city network on this machine (needs root).",
                      no_args_is_help=True)
app.add_typer(lab_app, name="lab")


@lab_app.command("up")
def lab_up(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE,
           as_json: JsonOption = False) -> None:
    """Boot every routed device as an unconfigured FRR router in its own network namespace."""
    from lab import management, twin
    from lab.plan import boot_config, build_plan, peer_config, peer_password_secret

    loaded = _load(inventory, as_json)
    index = InventoryIndex(loaded)
    plan = build_plan(index)
    started = time.perf_counter()
    try:
        credentials = (resolve(loaded.city.credentials.username, loaded.root),  # type: ignore[union-attr]
                       resolve(loaded.city.credentials.password, loaded.root))  # type: ignore[union-attr]
    except SecretError as error:
        _fail(f"lab up: login credentials: {error}", 2)
    boot = {r.name: boot_config(index, index.devices[r.name]) for r in plan.routers}
    try:
        for peer in plan.peers:
            boot[peer.name] = peer_config(index, peer, resolve(
                loaded.city.secrets[peer_password_secret(index, peer)], loaded.root))  # type: ignore[union-attr]
    except SecretError as error:
        _fail(f"lab up: the lab peers' BGP passwords: {error}", 2)
    try:
        twin.up(plan, state, boot,
                credentials, banner=loaded.city.banner)  # type: ignore[union-attr]
    except (twin.LabError, management.ManagementError) as error:
        _fail(f"lab up: {error} (run `muronet lab down` to remove what was built)", 1)
    summary = {"routers": len(plan.routers), "namespaces": len(plan.namespaces), "links": len(plan.links),
               "segments": len(plan.segments), "peers": [p.name for p in plan.peers],
               "seconds": round(time.perf_counter() - started, 1), "state": str(state)}
    if as_json:
        _emit_json(summary)
    else:
        out.print(f"twin up: {summary['routers']} routers, {summary['segments']} LAN segments with a test host "
                  f"each, lab peers {', '.join(summary['peers'])}, {summary['namespaces']} namespaces, "
                  f"{summary['links']} links in {summary['seconds']} s; `muronet lab ssh ROUTER` logs in, "
                  "`muronet lab down` stops it", markup=False)


@lab_app.command("status")
def lab_status(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE,
               as_json: JsonOption = False) -> None:
    """Which routers run, with which FRR daemons. Exit 1 unless the twin is up and healthy."""
    from lab import twin

    try:
        report = twin.status(state)
    except twin.LabError as error:
        _fail(f"lab status: {error}", 1)
    if as_json:
        _emit_json(report)
    else:
        routers = report["routers"]
        bad = {name: r for name, r in routers.items() if not r["ok"]}  # type: ignore[union-attr]
        out.print(f"twin {report['state']}: {len(routers) - len(bad)}/{len(routers)} routers healthy", markup=False)
        for name, router in sorted(bad.items()):
            out.print(f"  {name}: namespace {'present' if router['namespace'] else 'missing'}, "
                      f"daemons running: {', '.join(router['daemons']) or 'none'}", markup=False)
    raise typer.Exit(0 if report["state"] == "up" else 1)


@lab_app.command("ssh")
def lab_ssh(
    host: Annotated[str, typer.Argument(help="Router to log in to.")],
    command: Annotated[list[str] | None, typer.Argument(help="One CLI command to run instead of a session.")] = None,
    inventory: InventoryOption = Path("inventory"),
    state: StateOption = DEFAULT_LAB_STATE,
) -> None:
    """Log in to a twin router's CLI over SSH, checking its host key against the lab's known_hosts."""
    from muronet.validation.checked import InventoryError, twin_endpoints

    try:
        endpoints = twin_endpoints(state / "ssh" / "endpoints.json")
    except InventoryError as error:
        _fail(str(error), 1)
    endpoint = endpoints["hosts"].get(host)
    if endpoint is None:
        _fail(f"{host} is not a router of the twin (known: {', '.join(sorted(endpoints['hosts']))})", 2)
    loaded = _load(inventory, False)
    try:
        user = resolve(loaded.city.credentials.username, loaded.root)  # type: ignore[union-attr]
    except SecretError as error:
        _fail(f"login user: {error}", 2)
    options = [f"UserKnownHostsFile={endpoints['known_hosts']}", "GlobalKnownHostsFile=/dev/null",
               "StrictHostKeyChecking=yes", "PubkeyAuthentication=no"]
    os.execvp("ssh", ["ssh", *(a for o in options for a in ("-o", o)), "-p", str(endpoint["port"]),
                      f"{user}@{endpoint['hostname']}", *([" ".join(command)] if command else [])])


@lab_app.command("verify")
def lab_verify(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE,
               per_zone: Annotated[int, typer.Option(help="Test hosts per zone (spread over its sites).", min=2)] = 4,
               as_json: JsonOption = False) -> None:
    """Test the security policy on the running twin: the zone reachability matrix (a flow must work
    exactly within a zone) and every routing table holding only its own zone's prefixes.
    Exit 1 on any violation."""
    from lab import twin
    from lab.plan import build_plan
    from lab.verify import endpoints, run_matrix, table_violations

    try:
        if twin.status(state)["state"] == "down":
            _fail(f"the twin is not up (no {state}/state.json): muronet lab up", 2)
    except twin.LabError as error:
        _fail(f"lab verify: {error}", 1)
    loaded = _load(inventory, as_json)
    index = InventoryIndex(loaded)
    plan = build_plan(index)
    started = time.perf_counter()
    sources, targets = endpoints(plan, index, per_zone)
    results = run_matrix(sources, targets)
    tables = table_violations(plan, index)
    violations = [r for r in results if r.violation]
    zones = sorted({e.zone for e in sources + targets})
    cells = {(a, b): [r for r in results if r.probe.source.zone == a and r.probe.target.zone == b]
             for a in zones for b in zones}
    document = {
        "ok": not violations and not tables, "seconds": round(time.perf_counter() - started, 1),
        "probes": len(results),
        "matrix": {f"{a}->{b}": {"allowed": a == b, "reached": sum(r.reached for r in rs), "probes": len(rs)}
                   for (a, b), rs in cells.items() if rs},
        "violations": [{"from": r.probe.source.label, "from_zone": r.probe.source.zone,
                        "source": str(r.probe.source.address), "to": r.probe.target.label,
                        "to_zone": r.probe.target.zone, "target": str(r.probe.target.address),
                        "expected": "reach" if r.probe.allowed else "blocked",
                        "got": "reached" if r.reached else "blocked"} for r in violations],
        "routing_table_violations": tables,
    }
    if as_json:
        _emit_json(document)
    else:
        table = Table(title="Zone reachability (rows: from, columns: to; reached/probes)", show_edge=False)
        table.add_column("from \\ to")
        for zone in zones:
            table.add_column(zone, justify="center")
        for a in zones:
            row = []
            for b in zones:
                rs = cells[(a, b)]
                bad = sum(r.violation for r in rs)
                mark = ("ok" if not bad else f"VIOLATION ×{bad}") if rs else "-"
                row.append(f"{sum(r.reached for r in rs)}/{len(rs)} {mark}" if rs else mark)
            table.add_row(a, *row)
        out.print(table)
        out.print("expected: a flow works exactly when both ends are in the same zone", markup=False)
        for v in document["violations"]:
            out.print(f"VIOLATION {v['from_zone']} {v['source']} ({v['from']}) -> {v['to_zone']} {v['target']} "
                      f"({v['to']}): expected {v['expected']}, {v['got']}", markup=False)
        for line in tables:
            out.print(f"VIOLATION routing table: {line}", markup=False)
        verdict = "PASS" if document["ok"] else "FAIL"
        out.print(f"{verdict}: {len(results)} probes, {len(violations)} reachability and {len(tables)} "
                  f"routing-table violations in {document['seconds']} s", markup=False)
    raise typer.Exit(0 if document["ok"] else 1)


@lab_app.command("restart")
def lab_restart(host: Annotated[str, typer.Argument(help="Router to power-cycle.")],
                state: StateOption = DEFAULT_LAB_STATE) -> None:
    """Power-cycle one router: its FRR is killed and boots again from its saved configuration."""
    from lab import management, twin

    try:
        stopped = twin.restart(state, host)
    except (twin.LabError, management.ManagementError) as error:
        _fail(f"lab restart: {error}", 1)
    out.print(f"{host} restarted ({stopped} processes stopped), booted from its saved configuration", markup=False)


@lab_app.command("down")
def lab_down(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE) -> None:
    """Stop every process of the twin by its PID and remove its namespaces, mounts and links."""
    from lab import management, twin

    try:
        stopped = twin.down(state)
    except (twin.LabError, management.ManagementError) as error:
        _fail(f"lab down: {error}", 1)
    out.print(f"twin down: {stopped} processes stopped, nothing left outside {state}", markup=False)


netbox_app = typer.Typer(help="NetBox as the live source of truth: a local NetBox, and the sync of the inventory "
                         "into it (an existing NetBox: MURONET_NETBOX_URL and MURONET_NETBOX_TOKEN).",
                         no_args_is_help=True)
app.add_typer(netbox_app, name="netbox")


@netbox_app.command("up")
def netbox_up(as_json: JsonOption = False) -> None:
    """Start the local NetBox (PostgreSQL, Redis, gunicorn on 127.0.0.1), installing and migrating it the
    first time (≈ 6 min; later starts restore a cached database in seconds)."""
    from netbox_sot.service import LocalNetBox, ServiceError

    local, started = LocalNetBox(), time.perf_counter()
    try:
        local.up(progress=lambda message: None if as_json else err.print(message, markup=False))
    except ServiceError as error:
        _fail(f"netbox up: {error}", 1)
    summary = {"url": local.url, "seconds": round(time.perf_counter() - started, 1), "state": str(local.state),
               "token_file": str(local.secrets_file)}
    if as_json:
        _emit_json(summary)
    else:
        out.print(f"NetBox up at {summary['url']} in {summary['seconds']} s (API token in {local.secrets_file}); "
                  "`muronet netbox sync` fills it, `muronet netbox down` stops it", markup=False)


@netbox_app.command("status")
def netbox_status(as_json: JsonOption = False) -> None:
    """What of the local NetBox runs (by PID) and whether its API answers. Exit 1 unless it answers."""
    from netbox_sot.service import LocalNetBox

    report = LocalNetBox().status()
    if as_json:
        _emit_json(report)
    else:
        running = ", ".join(f"{name} {pid}" for name, pid in report["running"].items()) or "nothing"  # type: ignore[union-attr]
        out.print(f"NetBox {report['netbox_version']} at {report['url']}: API {report['api']}; running: {running}",
                  markup=False)
    raise typer.Exit(0 if report["api"] == "answering" else 1)


@netbox_app.command("down")
def netbox_down(purge: Annotated[bool, typer.Option(help="Also delete the state folder (database, secrets).")]
                = False) -> None:
    """Stop gunicorn, Redis and PostgreSQL by their PIDs (the cached venv and database dump stay)."""
    from netbox_sot.service import LocalNetBox, ServiceError

    local = LocalNetBox()
    try:
        stopped = local.down(purge=purge)
    except ServiceError as error:
        _fail(f"netbox down: {error}", 1)
    out.print(f"NetBox down: stopped {', '.join(stopped) or 'nothing (was not running)'}"
              + (f"; {local.state} deleted" if purge else ""), markup=False)


@netbox_app.command("sync")
def netbox_sync(
    inventory: InventoryOption = Path("inventory"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")] = False,
    prune: Annotated[bool, typer.Option(help="Delete objects the sync made that the inventory no longer names.")]
    = False,
    as_json: JsonOption = False,
) -> None:
    """Push the inventory into NetBox, idempotently, with bulk requests (a second sync changes nothing)."""
    from netbox_sot.connection import NetBoxError, NetBoxTarget, api
    from netbox_sot.desired import desired_state
    from netbox_sot.sync import SyncIncomplete, apply_plan, plan_sync, read_netbox

    loaded = _load(inventory, as_json)
    started = time.perf_counter()
    try:
        target = NetBoxTarget.from_environment()
        nb = api(target)
        desired = desired_state(loaded)
        held = read_netbox(nb)
        plan = plan_sync(desired, held, prune=prune)
        applied = 0 if dry_run else apply_plan(nb, plan, desired, held,
                                               progress=lambda m: None if as_json else err.print(m, markup=False))
    except SyncIncomplete as error:
        _fail(f"netbox sync: {error}", 1)
    except NetBoxError as error:
        _fail(f"netbox sync: {error} (nothing was changed)", 1)
    doc = {"netbox": target.url, "dry_run": dry_run, "applied": applied,
           "seconds": round(time.perf_counter() - started, 1), **plan.as_dict()}
    if as_json:
        _emit_json(doc)
        return
    counts = plan.counts()
    verb = "would" if dry_run else "did"
    out.print(f"netbox sync ({target.url}): {verb} create {counts['create']}, update {counts['update']}, "
              f"delete {counts['delete']} in {doc['seconds']} s"
              + ("" if prune or not plan.unmanaged else f"; {plan.unmanaged} objects in NetBox are not in the "
                 "inventory (--prune deletes those the sync made)"), markup=False)
    if dry_run:
        for change in plan.changes:
            changed = change.as_dict()["fields"].items() if change.action == "update" else ()
            fields = ", ".join(f"{k}: {v['netbox']!r} → {v['inventory']!r}" for k, v in changed)
            out.print(f"  {change.action:6} {change.kind:30} {change.label}  {fields}", markup=False)


def main() -> None:
    """Entry point: no Python traceback reaches the user unless MURONET_DEBUG is set."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("muronet: interrupted", markup=False)
        sys.exit(130)
    except Exception as error:  # last line of defence; tests exercise the commands directly
        if os.environ.get("MURONET_DEBUG"):
            raise
        err.print(f"muronet: internal error: {type(error).__name__}: {error} "
                  "(set MURONET_DEBUG=1 for the traceback)", markup=False)
        sys.exit(70)


if __name__ == "__main__":
    main()
