"""``--limit`` expressions: which devices a command works on."""

from __future__ import annotations

from fnmatch import fnmatchcase

from muronet.inventory.index import InventoryIndex, device_groups
from muronet.inventory.model import Device

GROUP_KEYS = ("site", "role", "platform", "kind", "zone")


class SelectionError(ValueError):
    pass


def select_devices(index: InventoryIndex, expression: str | None) -> list[Device]:
    """Devices matching any comma-separated term: a name glob, or ``key:value`` on a group.

    ``core*,site:library,role:lgwan_router,zone:LGWAN`` selects both cores, the library's router,
    the LGWAN router and every device with an interface or VLAN in zone LGWAN.
    """
    devices = sorted(index.inventory.devices, key=lambda d: d.name)
    if not expression or not expression.strip():
        return devices
    terms = [t.strip() for t in expression.split(",") if t.strip()]
    for term in terms:
        key = term.partition(":")[0]
        if ":" in term and key not in GROUP_KEYS:
            raise SelectionError(f"unknown group {key!r} in --limit (use one of: {', '.join(GROUP_KEYS)})")
    chosen = []
    for device in devices:
        groups = device_groups(index, device)
        if any(_matches(term, device.name, groups) for term in terms):
            chosen.append(device)
    if not chosen:
        raise SelectionError(f"--limit {expression!r} matches no device")
    return chosen


def _matches(term: str, name: str, groups: list[str]) -> bool:
    if ":" in term:
        return any(fnmatchcase(group, term) for group in groups)
    return fnmatchcase(name, term)
