"""What the workflows share: the failures they report, the inventory, Nornir over the devices or
the twin, the selection, the intended configurations with real secrets, configurations from files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from muronet.inventory.index import InventoryIndex
from muronet.inventory.loader import Inventory
from muronet.inventory.secrets import ResolvedSecrets, SecretError
from muronet.inventory.select import SelectionError, select_devices
from muronet.policy.engine import ERROR, Result
from muronet.render.engine import Renderer, RenderError, default_templates_dir
from muronet.validation import load_and_validate
from muronet.validation.checked import InventoryError, twin_endpoints
from muronet.workflows.errors import InvalidInventory, WorkflowError

WORKERS = 20  # devices worked on in parallel by default
MAX_CONFIG_BYTES = 16 * 2**20  # the largest IOS configurations are a few MiB


def load(inventory_dir: Path) -> Inventory:
    """The inventory of ``inventory_dir``, validated."""
    inventory, issues = load_and_validate(inventory_dir)
    if issues:
        raise InvalidInventory(issues)
    return inventory


def devices_nornir(inventory: Path, lab_state: Path | None, workers: int = WORKERS) -> Any:
    """Nornir over the inventory (with ``lab_state``, over the twin's management endpoints), logins set."""
    from nornir import InitNornir

    # Nornir logs each failed task with its traceback; the report carries the error instead.
    logging.getLogger("nornir").addHandler(logging.NullHandler())
    logging.getLogger("nornir").propagate = False

    options: dict[str, Any] = {"inventory_dir": str(inventory)}
    if lab_state is not None:
        options["endpoints_file"] = str(lab_state / "ssh" / "endpoints.json")
    try:
        nr = InitNornir(inventory={"plugin": "MuronetInventory", "options": options},
                        runner={"plugin": "threaded", "options": {"num_workers": workers}},
                        logging={"enabled": False})
    except ValueError as error:  # the inventory plugin's InventoryError: invalid inventory, twin not up
        raise WorkflowError(str(error), 2) from None
    if not nr.inventory.defaults.username or not nr.inventory.defaults.password:
        raise WorkflowError("login credentials: set the variables city.credentials refers to (MURONET_USERNAME, "
                            "MURONET_PASSWORD)", 2)
    return nr


def selected_nornir(inventory: Path, index: InventoryIndex, limit: str | None, lab_state: Path | None,
                    workers: int = WORKERS) -> Any:
    """:func:`devices_nornir` narrowed to the devices ``limit`` selects (a bad ``limit`` is said first)."""
    chosen = selected(index, limit)
    return narrowed(devices_nornir(inventory, lab_state, workers), chosen)


def managed(chosen: set[str], lab_state: Path | None) -> set[str]:
    """``chosen`` without the devices the twin of ``lab_state`` does not run (Nornir leaves them out too)."""
    if lab_state is None:
        return chosen
    try:
        return chosen & set(twin_endpoints(lab_state / "ssh" / "endpoints.json").get("hosts", {}))
    except InventoryError as error:
        raise WorkflowError(str(error), 2) from None


def narrowed(nr: Any, chosen: set[str]) -> Any:
    """``nr`` with only the ``chosen`` devices (its runner and logins kept)."""
    return nr.filter(filter_func=lambda host: host.name in chosen)


def selected(index: InventoryIndex, limit: str | None) -> set[str]:
    """Names of the devices ``limit`` (``--limit``) selects; a bad expression is a clear error."""
    try:
        return {d.name for d in select_devices(index, limit)}
    except SelectionError as error:
        raise WorkflowError(str(error), 2) from None


def intended_configs(loaded: Inventory, templates: Path | None, names: list[str]
                     ) -> tuple[dict[str, str], ResolvedSecrets]:
    """Every named device's intended configuration with real secrets, and the secrets (to scrub)."""
    secrets = ResolvedSecrets(loaded.city.secrets, loaded.root)  # type: ignore[union-attr]
    try:  # the renderer resolves the secrets every device shares as it starts
        renderer = Renderer(loaded, templates or default_templates_dir(loaded.root), secrets)
        return {name: renderer.render(renderer.index.devices[name]) for name in names}, secrets
    except (RenderError, SecretError) as error:
        raise WorkflowError(f"rendering the intended configurations: {error}", 2) from None


def read_configs(folder: Path) -> tuple[dict[str, str], list[Result]]:
    """Every ``<device>.cfg`` of ``folder``; a file that cannot be read is a per-device error."""
    texts: dict[str, str] = {}
    errors: list[Result] = []
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
        raise WorkflowError(f"no <device>.cfg file in {folder}", 2)
    return texts, errors
