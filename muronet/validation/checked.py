"""The city's inventory as automation front-ends take it: validated, or refused with every
``file:line: problem``; and the twin's management endpoints."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from muronet.files import UnsafeFolder, trusted_file
from muronet.inventory.index import InventoryIndex
from muronet.validation import load_and_validate


class InventoryError(ValueError):
    """The source inventory is invalid, or the twin it should point at is not up."""


def checked_index(inventory_dir: Path) -> InventoryIndex:
    inventory, issues = load_and_validate(inventory_dir)
    if issues:
        raise InventoryError("invalid inventory:\n" + "\n".join(i.format() for i in issues))
    return InventoryIndex(inventory)


@cache
def shared_index(inventory_dir: Path) -> InventoryIndex:
    """:func:`checked_index`, loaded once per process. Ansible's inventory plugin loads it in the
    controller; the workers it forks for each task inherit it instead of loading it again."""
    return checked_index(inventory_dir.resolve())


def twin_endpoints(path: Path) -> dict[str, Any]:
    """The twin's ``ssh/endpoints.json``: per router its management address and port, and the
    pinned host keys. The login password goes where it says, so it must be the user's own file
    (see :func:`muronet.files.trusted_file`), as must the host keys it names."""
    if not path.exists():
        raise InventoryError(f"{path} not found: is the twin up? (muronet lab up)")
    try:
        document: dict[str, Any] = json.loads(trusted_file(path).read_text())
        trusted_file(Path(document["known_hosts"]))
        return document
    except UnsafeFolder as error:
        raise InventoryError(f"the twin's endpoints are not to be trusted: {error}") from None
    except (ValueError, KeyError, TypeError, OSError) as error:
        raise InventoryError(f"{path}: not the twin's endpoints file ({error})") from None
