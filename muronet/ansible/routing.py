"""Verify a device's routing state against what the inventory implies, as provisioning does."""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path

from muronet.validation.checked import shared_index
from muronet.verify.check import problems
from muronet.verify.expectations import expectations
from muronet.verify.poll import until_verified
from napalm_frr import frr
from napalm_frr.frr import FrrDriver


def verify(driver: FrrDriver, inventory_dir: Path, name: str, settle: float, poll: float = 2.0,
           present: Container[str] | None = None) -> list[str]:
    """The device's problems (OSPF neighbours not Full, BGP sessions down, zone prefixes missing from
    their VRF) once they are gone or ``settle`` seconds have passed; [] when verified. ``present``:
    the devices of the play's inventory (see :func:`muronet.verify.expectations.expectations`)."""
    index = shared_index(inventory_dir)
    wanted = expectations(index, index.devices[name], present)

    def ask(names: list[str]) -> dict[str, list[str]]:
        return {name: problems(wanted, ospf=frr.ospf_neighbors(driver), bgp=driver.get_bgp_neighbors(),
                               routes=frr.route_table(driver))}

    return until_verified(ask, [name], settle, poll)[name]
