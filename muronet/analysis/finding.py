"""One thing the analysis found, in one shape for every check."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    check: str  # "undefined-reference", "unused-structure", "ospf-adjacency", "bgp-session"
    severity: str  # critical (the LGWAN line), high (cannot work), medium, low (clutter)
    device: str
    line: int | None  # in the device's configuration
    message: str
    peer: str | None = None  # the far end of an adjacency or session the finding concerns too

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
