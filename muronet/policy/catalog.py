"""The rule pack: every rule of the catalog's families as data (``rules.yaml``)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from muronet.inventory.separation import MODELS, SeparationModel

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
    # The separation models the rule belongs to (muronet/inventory/separation.py); empty: every model.
    models: tuple[SeparationModel, ...] = ()

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

    def model_applicability(self, model: SeparationModel | None) -> str | None:
        """None when the rule belongs to ``model``; otherwise why it is not judged."""
        if not self.models:
            return None
        names = ", ".join(MODELS[m].name for m in self.models)
        if model is None:
            return f"not evaluated: a rule of the {names} models, and no inventory says which model the city runs"
        if model in self.models:
            return None
        return f"n/a: a rule of the {names} models; the city runs {MODELS[model].name} (city.separation_model)"


@cache
def rules() -> dict[str, Rule]:
    """Every rule by id, in catalog order."""
    document = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return {r["id"]: Rule(**r) for r in document["rules"]}
