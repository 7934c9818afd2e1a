"""The rule pack: every rule of the catalog's families as data (``rules.yaml``)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

RULES_FILE = Path(__file__).with_name("rules.yaml")


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    severity: Severity
    title_en: str
    title_ja: str
    refs: str
    platforms: dict[str, str]  # platform → "check" or "n/a: where the item lives instead"

    @property
    def family(self) -> str:
        return self.id.split("-")[1]

    def applicability(self, platform: str) -> str | None:
        """None when a check runs; otherwise why the rule is not applicable or not evaluated."""
        how = self.platforms.get(platform)
        if how == "check":
            return None
        if how and how.startswith("n/a:"):
            return how
        return f"not evaluated: no {platform} check for this rule yet"


@cache
def rules() -> dict[str, Rule]:
    """Every rule by id, in catalog order."""
    document = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return {r["id"]: Rule(**r) for r in document["rules"]}
