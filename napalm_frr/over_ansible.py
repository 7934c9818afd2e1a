"""The FRR driver over an Ansible ``network_cli`` session instead of its own Netmiko one.

Ansible keeps one persistent SSH session per device (``ansible.netcommon.network_cli`` with
``frr.frr``'s cliconf and terminal plugins) and lends it to every task through a socket. This
driver speaks through that session, so playbooks get the same canonical candidates, replace logic,
judgement by the device and getters as Nornir, with no second login. Pushes are typed line by
line (network_cli lends no exec channel for the device's ``apply configuration``).

``connection`` is anything with ``get(command=...)`` that returns the device's output without the
echo and prompt, and raises on the errors the terminal plugin recognises
(``ansible.module_utils.connection.Connection`` on the persistent socket).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ansible.module_utils.connection import ConnectionError as SessionError
from napalm.base import models

from napalm_frr.frr import FrrDriver


class CliSession(Protocol):
    def get(self, command: str) -> str: ...


class FrrOverAnsible(FrrDriver):
    def __init__(self, hostname: str, connection: CliSession, timeout: int = 60) -> None:
        super().__init__(hostname, username="", password="", timeout=timeout)
        self.device = connection
        self._lockless = True  # the lock is a device command: network_cli lends no exec channel for it

    def open(self) -> None:  # Ansible opened the session
        pass

    def close(self) -> None:  # and keeps it for the next task
        self.device = None

    def is_alive(self) -> models.AliveDict:
        return {"is_alive": self.device is not None}

    def _send(self, command: str) -> str:
        with self._lock:
            return str(self._connected().get(command=command))

    def _startup(self) -> str:
        raise NotImplementedError("the saved configuration is not readable over network_cli on FRR 8.4")

    def _device(self, command: str, stdin: str | None = None) -> tuple[int, str, str]:
        raise NotImplementedError(f"{command}: device commands need an exec channel, which network_cli lends none")

    def has_pending_commit(self) -> bool:
        return False  # the playbooks confirm by saving (push_unconfirmed, then confirm or restore)

    # what muronet's playbook steps ask of every platform (see muronet.ansible.config)
    def push_unconfirmed(self, before_push: Callable[[str], None] | None = None) -> None:
        """Push the candidate (a refused line restores the device) and leave the saved
        configuration alone; ``before_push`` gets the running configuration first."""
        self._commit_unsaved(before_push)

    def confirm(self) -> None:
        self._save()

    def restore(self, previous: str) -> None:
        """Back to ``previous``, saved."""
        self._restore(previous)

    def _apply(self, script: str) -> str:
        """The script typed line by line in configuration mode, reported as ``vtysh -f`` reports a
        file: what the device said, each refused line as ``line N: message`` (a ``%`` answer, or
        one the terminal plugin raised on)."""
        session = self._connected()
        report = []
        session.get(command="configure terminal")
        try:
            for number, line in enumerate(script.splitlines(), start=1):
                try:
                    answer = " ".join(session.get(command=line.strip()).split())
                except SessionError as error:
                    report.append(f"line {number}: {' '.join(str(error).split())}")
                    continue
                if answer.startswith("%") or " % " in answer:
                    report.append(f"line {number}: {answer}")
                elif answer:
                    report.append(answer)
        finally:
            session.get(command="end")
        return "\n".join(report)

    def _save(self) -> None:
        self._connected().get(command="write memory")
