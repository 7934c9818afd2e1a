"""Reading the running configuration while one of FRR's daemons does not answer: what vtysh then
prints is no configuration; watchfrr restarts the daemon, so the driver asks again for a while,
then says which daemon is down."""

from __future__ import annotations

import pytest

from napalm_frr import frr
from napalm_frr.frr import DeviceCommandError, FrrDriver

DOWN = "% Warning: connecting to vrrpd...failed!\nBuilding configuration...\n\nhostname r1\n"
UP = "Building configuration...\n\nCurrent configuration:\nhostname r1\n!\nend\n"


class Answers(FrrDriver):
    def __init__(self, answers: list[str]) -> None:
        super().__init__("r1", "u", "p")
        self.answers, self.asked = answers, 0

    def _send(self, command: str, **kwargs: object) -> str:
        self.asked += 1
        return self.answers[min(self.asked, len(self.answers)) - 1]


def test_a_daemon_that_comes_back_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frr.time, "sleep", lambda seconds: None)
    device = Answers([DOWN, DOWN, UP])
    assert device._show_running() == UP and device.asked == 3


def test_a_daemon_that_stays_down_is_named_once_the_wait_is_over(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(0, 1000, 3))
    monkeypatch.setattr(frr.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(frr.time, "sleep", lambda seconds: None)
    device = Answers([DOWN])
    with pytest.raises(DeviceCommandError, match=r"r1: FRR's daemons do not answer \(vrrpd\)"):
        device._show_running()
    assert 1 < device.asked <= frr.DAEMON_RESTART_SECONDS // 3 + 2  # asked again, for a bounded time
