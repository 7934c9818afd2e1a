"""NAPALM's ``ios`` driver over an Ansible ``network_cli`` session (``cisco.ios``'s cliconf and
terminal plugins) instead of its own Netmiko one.

Every NAPALM method runs as NAPALM wrote it: the device-side diff (``show archive config
differences``), ``configure replace … revert trigger error timer N`` with the switch's own revert
timer, ``configure confirm``, ``configure revert now``, the getters. Only the session under it
changes: :class:`_Session` answers the few Netmiko calls NAPALM makes through Ansible's persistent
connection, and the candidate goes into ``flash:`` by the connection's SCP (``copy_file``, what
``ansible.netcommon.net_put`` uses) instead of Netmiko's.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from typing import Any

from napalm.base.exceptions import ReplaceConfigException
from napalm.ios.ios import IOSDriver

from muronet.platforms import get_platform

REVERT_IN = 600  # seconds the switch keeps an unconfirmed push before it reverts by itself


class _Session:
    """The Netmiko calls of NAPALM's IOS driver, over Ansible's ``Connection`` (its cliconf strips
    the echo and the prompt, and raises on the errors the terminal plugin knows)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def send_command(self, command: str, **_: Any) -> str:
        return str(self.connection.get(command=command))

    def send_command_timing(self, command: str, **_: Any) -> str:
        return str(self.connection.get(command=command.strip()))

    def send_config_set(self, commands: list[str], **_: Any) -> str:
        said = [self.connection.get(command="configure terminal")]
        try:
            said += [self.connection.get(command=command) for command in commands]
        finally:
            said.append(self.connection.get(command="end"))
        return "\n".join(said)

    def find_prompt(self) -> str:
        prompt = self.connection.get_prompt()
        return prompt.decode() if isinstance(prompt, bytes) else str(prompt)

    def set_base_prompt(self) -> str:
        return self.find_prompt()

    def save_config(self) -> str:
        return str(self.connection.get(command="write memory"))

    def _autodetect_fs(self) -> str:
        """The file system ``dir`` lists first, as Netmiko finds it."""
        found = re.search(r"Directory of (\S+?)/", self.connection.get(command="dir"))
        if not found:
            raise ReplaceConfigException("the switch's file system is not in the output of 'dir'")
        return found.group(1)


class IosOverAnsible(IOSDriver):
    def __init__(self, hostname: str, connection: Any, timeout: int = 60) -> None:
        super().__init__(hostname, username="", password="", timeout=timeout,
                         optional_args=dict(get_platform("cisco_ios").napalm_optional_args))
        self.connection = connection
        self.device: _Session | None = _Session(connection)
        # NAPALM confirms or reverts only a pending change its own login made
        self.username = connection.get_option("remote_user") or ""

    def open(self) -> None:  # Ansible opened the session
        pass

    def close(self) -> None:  # and keeps it for the next task; NAPALM's own close changes settings back
        self.device = None

    def load_replace_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        """The candidate into ``flash:`` through the session's SCP; NAPALM compares and commits it."""
        if config is None:
            raise ReplaceConfigException("give the candidate as text")
        self.config_replace = True
        descriptor, local = tempfile.mkstemp(prefix="muronet-candidate-")  # mode 0600; secrets in it
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(config)
            self.connection.copy_file(source=local, destination=self._gen_full_path(self.candidate_cfg))
        except Exception as error:
            raise ReplaceConfigException(f"the candidate could not be copied to the switch: {error}") from None
        finally:
            os.unlink(local)

    # what muronet's playbook steps ask of every platform (see muronet.ansible.config)
    def push_unconfirmed(self, before_push: Callable[[str], None] | None = None) -> None:
        """Replace the running configuration by the candidate, the switch's revert timer armed."""
        if before_push is not None:
            before_push(self.get_config(retrieve="running")["running"])
        self.commit_config(revert_in=REVERT_IN)

    def confirm(self) -> None:
        self.confirm_commit()  # configure confirm, then write memory

    def restore(self, previous: str) -> None:
        """Back to before the push: the switch's own revert while its timer runs, else the saved
        ``previous`` configuration, replaced in whole."""
        if self.has_pending_commit():
            self.rollback()
            return
        self.load_replace_candidate(config=previous)
        self.commit_config()
