"""Which driver speaks to a platform over an Ansible session: one class per platform."""

from __future__ import annotations

from napalm_frr.frr import FrrDriver
from napalm_frr.over_ansible import CliSession, FrrOverAnsible


class TaskError(Exception):
    """A step cannot be done; the message names the device and what to do."""


# platform name (the inventory's ``platform``) -> driver over an Ansible network_cli session
DRIVERS: dict[str, type[FrrOverAnsible]] = {"frr": FrrOverAnsible}


def driver_for(platform: str, hostname: str, session: CliSession) -> FrrDriver:
    """The platform's driver on ``session``.

    >>> driver_for("junos", "r1", None)
    Traceback (most recent call last):
    muronet.ansible.drivers.TaskError: r1: no driver for platform junos over Ansible (known: frr)
    """
    if platform not in DRIVERS:
        raise TaskError(f"{hostname}: no driver for platform {platform} over Ansible (known: {', '.join(DRIVERS)})")
    return DRIVERS[platform](hostname, session)
