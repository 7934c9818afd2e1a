"""The city's published security policy (``published.yaml``) and the audit's evidence for each of
its items: which rules evidence it, how they came out over the audited devices, and the verdict an
auditor reads (met, not met, or no evidence in the configurations)."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from muronet.policy.engine import ERROR, FAIL, NOT_APPLICABLE, NOT_EVALUATED, PASS, WAIVED, Result
from muronet.policy.results import PolicyEvidence

PUBLISHED_FILE = Path(__file__).with_name("published.yaml")
MET, NOT_MET, NO_EVIDENCE = "met", "not met", "no evidence"


class PolicyItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title_ja: str
    title_en: str
    source: str
    rules: tuple[str, ...]


class PublishedPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title_ja: str
    title_en: str
    items: tuple[PolicyItem, ...]

    def items_of(self, rule: str) -> list[str]:
        """The ids of the items ``rule`` evidences, in the policy's order."""
        return [item.id for item in self.items if rule in item.rules]


@cache
def published_policy() -> PublishedPolicy:
    return PublishedPolicy(**yaml.safe_load(PUBLISHED_FILE.read_text(encoding="utf-8")))


def evidence(results: list[Result]) -> list[PolicyEvidence]:
    """Per item of the published policy, its rules' results over every audited device.

    An item is *not met* when one of its rules has an open failure (or its check failed), *met* when
    its rules were judged and passed (waived failures count as judged, and are shown), and has *no
    evidence* when none of its rules could be judged on these configurations (a configuration that
    cannot be read is a finding of the audit of its own).
    """
    by_rule: dict[str, Counter[str]] = {}
    for result in results:
        by_rule.setdefault(result.rule, Counter())[result.status] += 1
    rows = []
    for item in published_policy().items:
        counts: Counter[str] = Counter()
        for rule in item.rules:
            counts.update(by_rule.get(rule, Counter()))
        judged = counts[PASS] + counts[FAIL] + counts[WAIVED]
        verdict = NOT_MET if counts[FAIL] + counts[ERROR] else MET if judged else NO_EVIDENCE
        rows.append(PolicyEvidence(item.id, item.title_ja, item.title_en, item.source, list(item.rules), verdict,
                                   counts[PASS], counts[FAIL], counts[WAIVED], counts[ERROR],
                                   counts[NOT_APPLICABLE] + counts[NOT_EVALUATED]))
    return rows
