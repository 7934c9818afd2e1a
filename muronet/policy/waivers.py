"""Waivers: approved exceptions to the policy, each a validated entry of the waivers file.

A waiver turns a matching failure into "waived" until its expiry date; after that it waives nothing
and the report says it expired. Every problem of the file is reported as ``file:line: message``,
as the inventory's are: a waiver that does not parse must never waive, nor silently waive nothing.
"""

from __future__ import annotations

import fnmatch
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from muronet.inventory.issues import Issue, Location
from muronet.inventory.loader import read_document, validate_entry
from muronet.inventory.model import Strict
from muronet.policy.catalog import rules


def _known_rule(rule: str) -> str:
    if rule not in rules():
        raise ValueError(f"no rule {rule} in the rule pack (muronet/policy/rules.yaml)")
    return rule


class Waiver(Strict):
    device: Annotated[str, StringConstraints(min_length=1, pattern=r"^[a-z0-9*?\[\]!-]+$")]  # a name or glob
    rule: Annotated[str, AfterValidator(_known_rule)]
    reason: Annotated[str, Field(min_length=1)]
    approver: Annotated[str, Field(min_length=1)]
    expires: date

    def covers(self, device: str, rule: str) -> bool:
        """Whether the waiver names this device (a name or glob) and rule.

        >>> w = Waiver(device="fire-*", rule="SEC-L2-003", reason="r", approver="a", expires="2027-03-31")
        >>> w.covers("fire-bokoi-rt1", "SEC-L2-003"), w.covers("library-rt1", "SEC-L2-003")
        (True, False)
        """
        return rule == self.rule and fnmatch.fnmatchcase(device, self.device)


def load_waivers(path: Path) -> tuple[list[Waiver], list[Issue]]:
    """The waivers of ``path`` and every problem of the file (an empty or absent list: no waiver)."""
    issues: list[Issue] = []
    document = read_document(path, issues)
    if document is None:
        return [], issues
    unknown = sorted(set(document) - {"waivers"})
    if unknown:
        issues.append(Issue(Location(path, (unknown[0],)), f"unknown top-level key {unknown[0]!r} "
                            "(a waivers file holds one key: waivers)"))
    entries = document.get("waivers") or []
    if not isinstance(entries, list):
        issues.append(Issue(Location(path, ("waivers",)), "'waivers' must be a list"))
        return [], issues
    waivers = [w for n, raw in enumerate(entries)
               if (w := validate_entry(Waiver, raw, Location(path, ("waivers", n)), issues)) is not None]
    return waivers, issues
