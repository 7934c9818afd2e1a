"""``muronet netbox`` (NetBox as the live source of truth) and ``muronet topology`` (drawn from it)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from muronet.cli.common import Commands, InventoryOption, JsonOption, app, csv, emit_json, err, fail, presented, say
from muronet.topology import TopologySource

netbox_app = Commands(help="NetBox as the live source of truth: a local NetBox, and the sync of the inventory "
                         "into it (an existing NetBox: MURONET_NETBOX_URL and MURONET_NETBOX_TOKEN).",
                         no_args_is_help=True)
app.add_typer(netbox_app, name="netbox")


@netbox_app.command("up")
def netbox_up(as_json: JsonOption = False) -> None:
    """Start the local NetBox (PostgreSQL, Redis, gunicorn on 127.0.0.1), installing and migrating it the
    first time (≈ 6 min; later starts restore a cached database in seconds)."""
    from muronet.netbox.service import LocalNetBox, ServiceError

    local, started = LocalNetBox(), time.perf_counter()
    try:
        local.up(progress=lambda message: None if as_json else err.print(message, markup=False))
    except ServiceError as error:
        fail(f"netbox up: {error}", 1)
    summary = {"url": local.url, "seconds": round(time.perf_counter() - started, 1), "state": str(local.state),
               "token_file": str(local.secrets_file)}
    if as_json:
        emit_json(summary)
    else:
        say(f"NetBox up at {summary['url']} in {summary['seconds']} s (API token in {local.secrets_file}); "
            "`muronet netbox sync` fills it, `muronet netbox down` stops it")


@netbox_app.command("status")
def netbox_status(as_json: JsonOption = False) -> None:
    """What of the local NetBox runs (by PID) and whether its API answers. Exit 1 unless it answers."""
    from muronet.netbox.service import LocalNetBox

    report = LocalNetBox().status()
    if as_json:
        emit_json(report)
    else:
        processes: dict[str, int | None] = report["running"]
        running = ", ".join(f"{name} {pid}" for name, pid in processes.items()) or "nothing"
        say(f"NetBox {report['netbox_version']} at {report['url']}: API {report['api']}; running: {running}")
    raise typer.Exit(0 if report["api"] == "answering" else 1)


@netbox_app.command("down")
def netbox_down(purge: Annotated[bool, typer.Option(help="Also delete the state folder (database, secrets).")]
                = False) -> None:
    """Stop gunicorn, Redis and PostgreSQL by their PIDs (the cached venv and database dump stay)."""
    from muronet.netbox.service import LocalNetBox, ServiceError

    local = LocalNetBox()
    try:
        stopped = local.down(purge=purge)
    except ServiceError as error:
        fail(f"netbox down: {error}", 1)
    say(f"NetBox down: stopped {', '.join(stopped) or 'nothing (was not running)'}"
        + (f"; {local.state} deleted" if purge else ""))


@netbox_app.command("sync")
def netbox_sync(
    inventory: InventoryOption = Path("inventory"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")] = False,
    prune: Annotated[bool, typer.Option(help="Delete objects the sync made that the inventory no longer names.")]
    = False,
    as_json: JsonOption = False,
) -> None:
    """Push the inventory into NetBox, idempotently, with bulk requests (a second sync changes nothing)."""
    from muronet.workflows.netbox import netbox_sync as sync

    with presented(as_json):
        result = sync(inventory, dry_run, prune, progress=lambda m: None if as_json else err.print(m, markup=False))
    plan = result.plan
    if as_json:
        emit_json(result.to_json())
        return
    counts = plan.counts()
    say(f"netbox sync ({result.netbox}): {'would' if dry_run else 'did'} create {counts['create']}, update "
        f"{counts['update']}, delete {counts['delete']} in {result.seconds} s"
        + ("" if prune or not plan.unmanaged else f"; {plan.unmanaged} objects in NetBox are not in the "
           "inventory (--prune deletes those the sync made)"))
    if dry_run:
        for change in plan.changes:
            changed = change.as_dict()["fields"].items() if change.action == "update" else ()
            fields = ", ".join(f"{k}: {v['netbox']!r} → {v['inventory']!r}" for k, v in changed)
            say(f"  {change.action:6} {change.kind:30} {change.label}  {fields}")


@app.command()
def topology(
    inventory: InventoryOption = Path("inventory"),
    source: Annotated[TopologySource | None, typer.Option(
        help="Where the topology comes from: netbox (default when a NetBox is configured: MURONET_NETBOX_URL, "
             "or `muronet netbox up`) or inventory (a quick look without one).")] = None,
    views: Annotated[str, typer.Option(help="Views, comma-separated: physical, geographic, zones, lgwan, "
                                       "government-cloud, sites.")]
    = "physical,geographic,zones,lgwan,government-cloud,sites",
    formats: Annotated[str, typer.Option("--format", help="Formats, comma-separated: svg, png, drawio, mermaid, html.")]
    = "svg,png,drawio,mermaid,html",
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the diagrams.", file_okay=False)]
    = Path("build/topology"),
    failures: Annotated[bool, typer.Option("--failures/--no-failures", help="Mark the single points of failure "
                                           "and what each element's loss cuts (the inventory's N-1, a few "
                                           "seconds).")] = True,
    as_json: JsonOption = False,
) -> None:
    """Draw the network: the physical fiber map (schematic and at the sites' coordinates), the zones and
    their approved gateways, the LGWAN line, and one diagram per site; with the inventory's N-1, the
    single points of failure marked and each element's loss on its panel."""
    from muronet.topology.write import FORMATS
    from muronet.workflows.topology import VIEWS, TopologyOptions
    from muronet.workflows.topology import topology as draw

    chosen_views = csv(views, VIEWS, "views")
    options = TopologyOptions(inventory, source, chosen_views, csv(formats, FORMATS, "formats"), out_dir, failures)
    with presented(as_json):
        drawn = draw(options)
    if as_json:
        emit_json(drawn.as_dict())
        return
    say(f"topology from {drawn.source.value}: {drawn.sites} sites, {drawn.devices} devices, "
        f"{drawn.links} cables, {drawn.circuits} circuits in {drawn.seconds} s")
    for path in drawn.files:
        say(f"  {path}")
    if "sites" in chosen_views:
        say(f"  {out_dir / 'sites'}/<site>.svg ({drawn.sites} site diagrams)")
