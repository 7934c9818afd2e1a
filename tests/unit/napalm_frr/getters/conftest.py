"""NAPALM's own test harness for the FRR driver (``napalm.base.test``), as NAPALM's community
drivers use it: the driver with its session replaced by a double that answers every command from
``mocked_data/<test>/<case>/``, output recorded from the twin's routers (``record.py``)."""

from __future__ import annotations

import pytest
from napalm.base.test import conftest as parent_conftest
from napalm.base.test.double import BaseTestDouble

from napalm_frr.frr import FrrDriver


@pytest.fixture(scope="class")
def set_device_parameters(request):
    request.cls.driver = FrrDriver
    request.cls.patched_driver = PatchedFrrDriver
    request.cls.vendor = "frr"
    parent_conftest.set_device_parameters(request)


def pytest_generate_tests(metafunc):
    parent_conftest.pytest_generate_tests(metafunc, __file__)


class PatchedFrrDriver(FrrDriver):
    """The driver as it is, over a recorded session: CLI commands and device commands."""

    def __init__(self, hostname, username, password, timeout=60, optional_args=None):
        super().__init__(hostname, username, password, timeout, optional_args)
        self.patched_attrs = ["device"]
        self.device = FakeFrrSession()
        self._lockless = True  # a recorded session has no lock to take

    def open(self):
        pass

    def close(self):
        pass

    def is_alive(self):
        return {"is_alive": True}

    def _device(self, command, stdin=None):
        return self.device.exec(command)


class FakeFrrSession(BaseTestDouble):
    """Answers from the recorded files: ``<command>.txt`` (vtysh), ``exec_<command>.txt`` (the host)."""

    def send_command(self, command, **kwargs):
        return self.read_txt_file(self.find_file(self.sanitize_text(command) + ".txt"))

    def exec(self, command):
        return 0, self.read_txt_file(self.find_file("exec_" + self.sanitize_text(command) + ".txt")), ""

    def is_alive(self):
        return True
