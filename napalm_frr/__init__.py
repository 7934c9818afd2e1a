"""NAPALM driver for FRRouting (``platform: frr``; NAPALM loads ``napalm_<name>`` modules).

The driver class is imported on first use (NAPALM finds it through ``dir()``): NAPALM's own
import takes 0.3 s, and what runs before any session needs none of it: FRR's rendering of the
candidates (:func:`prepare_candidates`), the device agent on a router's host (:mod:`napalm_frr.agent`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["DEVICE_PROTOCOL", "FrrDriver", "prepare_candidates"]

# The device commands this driver speaks: docs/reference/device-agent-protocol.md, version 1 (a host
# answers `show agent protocol` with it).
DEVICE_PROTOCOL = 1


def prepare_candidates(configs: Iterable[str]) -> int:
    """Have FRR render these replace candidates in the background, the longest first, before any
    device is logged into: ``load_replace_candidate`` of one of them then waits for its rendering.
    Not NAPALM's: for an orchestrator that knows its candidates first (a ``napalm_<name>`` package's
    module-level hook). Returns how many renderings it started."""
    from napalm_frr import scratch

    return scratch.prepare(configs)


def __getattr__(name: str) -> Any:
    if name == "FrrDriver":
        from napalm_frr.frr import FrrDriver

        return FrrDriver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
