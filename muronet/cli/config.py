"""Commands on the inventory itself: validate, render, ansible-vault."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from muronet.cli.common import (
    InventoryOption,
    JsonOption,
    LimitOption,
    TemplatesOption,
    app,
    emit_json,
    err,
    fail,
    folder,
    loaded,
    out,
    say,
    show_diff,
)
from muronet.inventory.index import InventoryIndex
from muronet.inventory.secrets import SecretError
from muronet.inventory.select import SelectionError, select_devices
from muronet.platforms import get_platform
from muronet.render.engine import Renderer, RenderError, default_templates_dir
from muronet.render.writer import write_configs
from muronet.validation import load_and_validate


@app.command()
def validate(inventory: InventoryOption = Path("inventory"), as_json: JsonOption = False) -> None:
    """Check the inventory: schema, references, IP plan and zone rules. Exit 1 on any error."""
    started = time.perf_counter()
    inv, issues = load_and_validate(inventory)
    elapsed = time.perf_counter() - started
    summary = {"files": len(inv.files), "sites": len(inv.sites), "devices": len(inv.devices),
               "cables": len(inv.cables), "prefixes": len(inv.prefixes), "vlans": len(inv.vlans),
               "errors": len(issues), "seconds": round(elapsed, 3)}
    if as_json:
        emit_json({"valid": not issues, "errors": [i.as_dict() for i in issues], "summary": summary})
    else:
        for issue in issues:
            say(issue.format())
        if issues:
            say(f"✗ {len(issues)} error(s) in {len({i.location.file for i in issues})} file(s)")
        else:
            say(f"✓ inventory valid: {summary['devices']} devices, {summary['sites']} sites, "
                f"{summary['cables']} cables, {summary['prefixes']} prefixes, {summary['vlans']} VLANs "
                f"({elapsed:.2f} s)")
    raise typer.Exit(1 if issues else 0)


@app.command()
def render(
    inventory: InventoryOption = Path("inventory"),
    limit: LimitOption = None,
    out_dir: Annotated[Path, folder("--out", "-o", help="Folder for <device>.cfg files.")] = Path(
        "build/configs"),
    diff: Annotated[bool, typer.Option("--diff", help="Show what changed against the last render.")] = False,
    templates: TemplatesOption = None,
    platform: Annotated[str | None, typer.Option(
        help="Render every device as if it ran this platform (e.g. cisco_ios: the city on Cisco).")] = None,
    workers: Annotated[int, typer.Option(help="Rendering processes (0: one per core).", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """Render the intended configuration of every device (secrets masked) into DIR/<device>.cfg."""
    inv = loaded(inventory, as_json)
    index = InventoryIndex(inv)
    try:
        devices = select_devices(index, limit)
        if platform is not None:
            get_platform(platform)  # an unknown name is an error before anything is written
            devices = [d.model_copy(update={"platform": platform}) for d in devices]
        renderer = Renderer(inv, templates or default_templates_dir(inventory))
        results = write_configs(renderer.render_many(devices, workers), out_dir, with_diff=diff,
                                prune=limit is None)
    except (SelectionError, RenderError, KeyError) as error:
        fail(str(error).strip('"'), 1 if isinstance(error, RenderError) else 2)
    if as_json:
        emit_json({"out": str(out_dir), "results": [r.as_dict() for r in results]})
        return
    if diff:
        for result in results:
            if result.diff:
                show_diff(result.diff)
    counts = {status: sum(1 for r in results if r.status == status)
              for status in ("new", "changed", "unchanged", "removed")}
    table = Table(title=f"Rendered {len(devices)} device(s) into {out_dir}", show_edge=False)
    for status in counts:
        table.add_column(status, justify="right")
    table.add_row(*(str(n) for n in counts.values()))
    out.print(table)


@app.command("ansible-vault")
def ansible_vault(
    inventory: InventoryOption = Path("inventory"),
    vault: Annotated[Path, typer.Option("--out", help="The vault file the playbooks read.", dir_okay=False)
                     ] = Path("playbooks/group_vars/all/vault.yml"),
    password_file: Annotated[Path, typer.Option("--password-file", help="Its password (made, mode 0600, if "
                                                "missing; ansible.cfg names it).")
                             ] = Path("build/ansible-vault-password"),
) -> None:
    """Write the playbooks' Ansible Vault file: the login and every secret of city.secrets, resolved
    now from their references (environment, vault files), encrypted. No value is printed."""
    from muronet.ansible_vault import vault_variables, write_vault

    inv = loaded(inventory, False)
    try:
        variables = vault_variables(inv)
    except SecretError as error:
        fail(f"resolving the secrets: {error}", 2)
    write_vault(variables, vault, password_file)
    err.print(f"wrote {vault} ({len(variables['vault_muronet_secrets'])} secrets and the login, encrypted with "
              f"{password_file})", markup=False)
