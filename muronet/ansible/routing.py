"""Verify a device's state against what the inventory implies, as provisioning does."""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path
from typing import Any

from muronet.platforms import get_platform
from muronet.validation.checked import shared_index
from muronet.verify.check import observe, problems
from muronet.verify.expectations import expectations
from muronet.verify.poll import until_verified


def verify(driver: Any, inventory_dir: Path, name: str, settle: float, poll: float = 2.0,
           present: Container[str] | None = None) -> list[str]:
    """The device's problems (OSPF neighbours not Full, BGP sessions down, zone prefixes missing from
    their VRF, a switch's ports not as the inventory has them) once they are gone or ``settle``
    seconds have passed; [] when verified. ``present``:
    the devices of the play's inventory (see :func:`muronet.verify.expectations.expectations`)."""
    index = shared_index(inventory_dir)
    wanted = expectations(index, index.devices[name], present)
    platform = get_platform(index.devices[name].platform)

    def ask(names: list[str]) -> dict[str, list[str]]:
        return {name: problems(wanted, observe(driver, platform, wanted))}

    return until_verified(ask, [name], settle, poll)[name]
