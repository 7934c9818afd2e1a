"""Checks that need more than one inventory entry: references, the IP plan and zone rules.

Each check is a plain function ``check_x(index) -> Iterator[Issue]``; :func:`validate` runs all of
them and returns every problem at once.
"""

from __future__ import annotations

from pathlib import Path

from muronet.inventory.index import InventoryIndex
from muronet.inventory.issues import Issue, sort_issues
from muronet.inventory.loader import Inventory, load_inventory
from muronet.validation import circuits, fiber, ipplan, references, separation, zones

CHECKS = (*references.CHECKS, *ipplan.CHECKS, *fiber.CHECKS, *circuits.CHECKS, *separation.CHECKS)


def validate(inventory: Inventory) -> list[Issue]:
    index = InventoryIndex(inventory)
    found: dict[tuple[object, str], Issue] = {}
    # Zone rules read every interface against the zone map; without a valid management zone they
    # would only repeat that one mistake on every device.
    usable_zone_map = inventory.management_zone in inventory.zones
    for check in (*CHECKS, *(zones.CHECKS if usable_zone_map else ())):
        for issue in check(index):
            found.setdefault((issue.location, issue.message), issue)
    return sort_issues(found.values())


def load_and_validate(root: Path) -> tuple[Inventory, list[Issue]]:
    """Schema errors and cross-entry errors together, so one run shows everything."""
    inventory, issues = load_inventory(root)
    unique = {(i.location, i.message): i for i in issues}
    return inventory, sort_issues([*unique.values(), *validate(inventory)])
