"""Which driver speaks to a platform over an Ansible session: one class per platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from muronet.ansible.ios import IosOverAnsible
from napalm_frr.over_ansible import CliSession, FrrOverAnsible


class TaskError(Exception):
    """A step cannot be done; the message names the device and what to do."""


class AnsibleDevice(Protocol):
    """What the playbook steps ask of a platform's driver over Ansible: NAPALM's methods, plus a
    push that stays unconfirmed across tasks (each task is a new process), then its confirmation
    or the way back to the configuration before it."""

    def get_config(self, retrieve: str = "all") -> dict[str, str]: ...
    def load_replace_candidate(self, filename: str | None = None, config: str | None = None) -> None: ...
    def compare_config(self) -> str: ...
    def discard_config(self) -> None: ...
    def push_unconfirmed(self, before_push: Callable[[str], None] | None = None) -> None: ...
    def confirm(self) -> None: ...
    def restore(self, previous: str) -> None: ...


# platform name (the inventory's ``platform``) -> driver over an Ansible network_cli session
DRIVERS: dict[str, Callable[[str, CliSession], AnsibleDevice]] = {"frr": FrrOverAnsible, "cisco_ios": IosOverAnsible}


def driver_for(platform: str, hostname: str, session: CliSession) -> AnsibleDevice:
    """The platform's driver on ``session``.

    >>> driver_for("junos", "r1", None)
    Traceback (most recent call last):
    muronet.ansible.drivers.TaskError: r1: no driver for platform junos over Ansible (known: frr, cisco_ios)
    """
    if platform not in DRIVERS:
        raise TaskError(f"{hostname}: no driver for platform {platform} over Ansible (known: {', '.join(DRIVERS)})")
    return DRIVERS[platform](hostname, session)
