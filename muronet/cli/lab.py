"""``muronet lab``: the digital twin of the city network on this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from muronet.cli.common import (
    DEFAULT_LAB_STATE,
    Commands,
    InventoryOption,
    JsonOption,
    StateOption,
    app,
    emit_json,
    fail,
    loaded,
    presented,
    print_matrix,
    say,
)
from muronet.inventory.secrets import SecretError, resolve

lab_app = Commands(help="The digital twin of the city network on this machine (needs root).",
                      no_args_is_help=True)
app.add_typer(lab_app, name="lab")


@lab_app.command("up")
def lab_up(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE,
           as_json: JsonOption = False) -> None:
    """Boot every routed device as an unconfigured FRR router in its own network namespace."""
    from muronet.workflows.lab import lab_up as boot

    with presented(as_json):
        booted = boot(inventory, state)
    if as_json:
        emit_json(booted.as_dict())
    else:
        say(f"twin up: {booted.routers} routers, {booted.segments} LAN segments with a test host "
            f"each, lab peers {', '.join(booted.peers)}, {booted.namespaces} namespaces, "
            f"{booted.links} links in {booted.seconds} s; `muronet lab ssh ROUTER` logs in, "
            "`muronet lab down` stops it")


@lab_app.command("status")
def lab_status(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE,
               as_json: JsonOption = False) -> None:
    """Which routers run, with which FRR daemons. Exit 1 unless the twin is up and healthy."""
    from muronet.lab import twin

    try:
        report = twin.status(state)
    except twin.LabError as error:
        fail(f"lab status: {error}", 1)
    if as_json:
        emit_json(report)
    else:
        routers: dict[str, dict[str, Any]] = report["routers"]
        bad = {name: r for name, r in routers.items() if not r["ok"]}
        say(f"twin {report['state']}: {len(routers) - len(bad)}/{len(routers)} routers healthy")
        for name, router in sorted(bad.items()):
            say(f"  {name}: namespace {'present' if router['namespace'] else 'missing'}, "
                f"daemons running: {', '.join(router['daemons']) or 'none'}")
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
        fail(str(error), 1)
    endpoint = endpoints["hosts"].get(host)
    if endpoint is None:
        fail(f"{host} is not a router of the twin (known: {', '.join(sorted(endpoints['hosts']))})", 2)
    inv = loaded(inventory, False)
    try:
        user = resolve(inv.city.credentials.username, inv.root)  # type: ignore[union-attr]
    except SecretError as error:
        fail(f"login user: {error}", 2)
    options = [f"UserKnownHostsFile={endpoints['known_hosts']}", "GlobalKnownHostsFile=/dev/null",
               "StrictHostKeyChecking=yes", "PubkeyAuthentication=no"]
    os.execvp("ssh", ["ssh", *(a for o in options for a in ("-o", o)), "-p", str(endpoint["port"]),
                      f"{user}@{endpoint['hostname']}", *([" ".join(command)] if command else [])])


@lab_app.command("verify")
def lab_verify(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE,
               per_zone: Annotated[int, typer.Option(help="Test hosts per zone (spread over its sites).", min=2)] = 4,
               fail: Annotated[list[str] | None, typer.Option("--fail", help="An element `lab fail` took down: "
                                                              "expect what the offline model predicts without it "
                                                              "(repeat for several).")] = None,
               converge_seconds: Annotated[float, typer.Option(help="With --fail: how long to wait for the twin "
                                                               "to converge.", min=0)] = 30.0,
               as_json: JsonOption = False) -> None:
    """Test the security policy on the running twin: the zone reachability matrix (a flow must work
    exactly within a zone) and every routing table holding only its own zone's prefixes. With
    --fail: every probe (and every flow of `analyze --fail`) as the model predicts with those
    elements down, and the time the twin took to get there.
    Exit 1 on any violation."""
    from muronet.workflows.lab import lab_verify as verify

    with presented(as_json):
        result = verify(inventory, state, per_zone, tuple(fail or ()), converge_seconds)
    if as_json:
        emit_json(result.as_dict())
    else:
        print_matrix(result)
    raise typer.Exit(0 if result.ok else 1)



@lab_app.command("fail")
def lab_fail(element: Annotated[str, typer.Argument(help="A circuit (its id), a cable (its label, or "
                                                          "DEVICE:PORT), a router or a site.")],
             inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE) -> None:
    """Fail an element of the twin: a cable or a line cut (both ends down, as roadworks or a
    carrier's fault would), a router or a site's routers without power (FRR stopped at once, every
    port down). `muronet lab restore` brings it back; `lab verify --fail` checks the model's prediction."""
    _set_links(inventory, state, element, up=False)


@lab_app.command("restore")
def lab_restore(element: Annotated[str, typer.Argument(help="A circuit (its id), a cable (its label, or "
                                                             "DEVICE:PORT), a router or a site.")],
                inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE,
                wait: Annotated[float, typer.Option(help="Seconds to wait until the flows its return brings back "
                                                    "do as the model has them (0: do not).", min=0)] = 0) -> None:
    """Bring back what `muronet lab fail` took down: ports up, a router booted from its saved
    configuration. Exit 1 when --wait runs out before the twin is whole again."""
    if not wait:
        _set_links(inventory, state, element, up=True)
        return
    from muronet.workflows.lab import lab_restore_converged

    with presented(False):
        ports, seconds = lab_restore_converged(inventory, state, element, wait)
    say(f"{element} restored: {', '.join(ports)} up; "
        + (f"the flows its failure changed are back in {seconds} s" if seconds is not None
           else f"the flows its failure changed are NOT back within {wait:g} s"))
    raise typer.Exit(0 if seconds is not None else 1)


def _set_links(inventory: Path, state: Path, element: str, up: bool) -> None:
    from muronet.workflows.lab import lab_links

    with presented(False):
        changed = lab_links(inventory, state, element, up)
    say(f"{element} {'restored' if up else 'failed'}: {', '.join(changed)} {'up' if up else 'down'}")


@lab_app.command("restart")
def lab_restart(host: Annotated[str, typer.Argument(help="Router to power-cycle.")],
                state: StateOption = DEFAULT_LAB_STATE) -> None:
    """Power-cycle one router: its FRR is killed and boots again from its saved configuration."""
    from muronet.lab import management, twin

    try:
        stopped = twin.restart(state, host)
    except (twin.LabError, management.ManagementError) as error:
        fail(f"lab restart: {error}", 1)
    say(f"{host} restarted ({stopped} processes stopped), booted from its saved configuration")


@lab_app.command("down")
def lab_down(inventory: InventoryOption = Path("inventory"), state: StateOption = DEFAULT_LAB_STATE) -> None:
    """Stop every process of the twin by its PID and remove its namespaces, mounts and links."""
    from muronet.lab import management, twin

    try:
        stopped = twin.down(state)
    except (twin.LabError, management.ManagementError) as error:
        fail(f"lab down: {error}", 1)
    say(f"twin down: {stopped} processes stopped, nothing left outside {state}")
