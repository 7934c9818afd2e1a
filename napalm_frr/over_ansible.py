"""The FRR driver over an Ansible ``network_cli`` session instead of its own Netmiko one.

Ansible keeps one persistent SSH session per device (``ansible.netcommon.network_cli`` with
``frr.frr``'s cliconf and terminal plugins) and lends it to every task through a socket. This
driver speaks through that session, so playbooks get the same candidate model, replace logic,
refusal handling and getters as Nornir, with no second login.

``connection`` is anything with ``get(command=...)`` that returns the device's output without the
echo and prompt, and raises on the errors the terminal plugin recognises
(``ansible.module_utils.connection.Connection`` on the persistent socket).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from ansible.module_utils.connection import ConnectionError as SessionError

from napalm_frr.frr import FrrDriver


class CliSession(Protocol):
    def get(self, command: str) -> str: ...


class FrrOverAnsible(FrrDriver):
    def __init__(self, hostname: str, connection: CliSession, timeout: int = 60) -> None:
        super().__init__(hostname, username="", password="", timeout=timeout)
        self.device = connection

    def open(self) -> None:  # Ansible opened the session
        pass

    def close(self) -> None:  # and keeps it for the next task
        self.device = None

    def is_alive(self) -> dict[str, bool]:
        return {"is_alive": self.device is not None}

    def _send(self, command: str) -> str:
        with self._lock:
            return self._connected().get(command=command)

    def _startup(self) -> str:
        raise NotImplementedError("the saved configuration is not readable over network_cli on FRR 8.4")

    @contextmanager
    def _configuration_mode(self) -> Iterator[Callable[[list[str]], str]]:
        session = self._connected()
        session.get(command="configure terminal")
        try:
            yield lambda commands: "\n".join(_said(session, command) for command in commands)
        finally:
            session.get(command="end")

    def save(self) -> None:
        self._connected().get(command="write memory")


def _said(session: Any, command: str) -> str:
    """What the device printed for a configuration command; a line the terminal plugin calls an
    error comes back as text too, so that the driver judges every refusal the same way."""
    try:
        return session.get(command=command)
    except SessionError as error:
        return str(error)
