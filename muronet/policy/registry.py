"""Checks register themselves by rule id and platform; the engine looks them up here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from muronet.policy.context import DeviceAudit

# The policy's numbers, each with the rule it comes from.
REDUNDANT_SERVERS = 2  # AAA (SEC-AUTH-002), syslog (SEC-LOG-001), NTP (SEC-NTP-001): at least two each
MAX_LOGIN_ATTEMPTS = 3  # SEC-AUTH-006: login block-for … attempts at most this
MIN_PASSWORD_LENGTH = 15  # SEC-AUTH-006, STIG V-215826


@dataclass(frozen=True)
class Violation:
    message: str
    line: int | None = None


Check = Callable[[DeviceAudit], Iterable[Violation]]
CHECKS: dict[tuple[str, str], Check] = {}
ZONE_RULES: set[str] = set()  # rules that need the zone map


def check(rule: str, *platforms: str, zones: bool = False) -> Callable[[Check], Check]:
    """Register ``function`` as the check of ``rule`` on ``platforms``; ``zones=True`` when it
    needs the inventory's zone map (it is then not evaluated for devices outside the inventory)."""
    def register(function: Check) -> Check:
        for platform in platforms:
            CHECKS[(rule, platform)] = function
        if zones:
            ZONE_RULES.add(rule)
        return function
    return register
