"""The city's published security policy (muronet/policy/published.yaml) and the audit's evidence for
it: every rule evidences an item, every item names real rules, and each item's verdict follows
from its rules' results; the reports state the separation model and carry the items."""

from __future__ import annotations

import pytest
from support import INVENTORY

from muronet.inventory.index import InventoryIndex
from muronet.policy import report
from muronet.policy.catalog import rules
from muronet.policy.engine import ERROR, FAIL, NOT_APPLICABLE, PASS, WAIVED, Result
from muronet.policy.published import MET, NO_EVIDENCE, NOT_MET, evidence, published_policy
from muronet.workflows.common import load


def test_every_rule_evidences_an_item_and_every_item_names_known_rules():
    policy = published_policy()
    named = {rule for item in policy.items for rule in item.rules}
    assert named == set(rules()), (set(rules()) - named, named - set(rules()))
    assert len({item.id for item in policy.items}) == len(policy.items)
    assert all(item.title_ja and item.title_en and item.source for item in policy.items)
    assert policy.items_of("SEC-ZONE-015") == ["MP-04", "MP-16"]  # a rule may evidence two items


def _results(**statuses: str) -> list[Result]:
    """One device's results: ``SEC_X_001="fail"`` → rule SEC-X-001 with that status; every other
    rule passes."""
    chosen = {rule.replace("_", "-"): status for rule, status in statuses.items()}
    return [Result("r1", rule, "high", chosen.get(rule, PASS)) for rule in rules()]


@pytest.mark.parametrize(("statuses", "item", "verdict"), [
    ({}, "MP-12", MET),
    ({"SEC_MGMT_002": FAIL}, "MP-12", NOT_MET),
    ({"SEC_MGMT_002": WAIVED}, "MP-12", MET),  # judged, and waived by someone who may
    ({"SEC_MGMT_002": ERROR}, "MP-12", NOT_MET),  # the check broke: nothing shows the item holds
    ({"SEC_MGMT_001": NOT_APPLICABLE, "SEC_MGMT_002": NOT_APPLICABLE}, "MP-12", NO_EVIDENCE),
    ({"SEC_ZONE_008": NOT_APPLICABLE, "SEC_ZONE_015": NOT_APPLICABLE}, "MP-04", NO_EVIDENCE),
    ({"SEC_ZONE_008": NOT_APPLICABLE}, "MP-04", MET),
])
def test_an_items_verdict_follows_from_its_rules(statuses: dict[str, str], item: str, verdict: str):
    rows = {row.item: row for row in evidence(_results(**statuses))}
    assert rows[item].verdict == verdict
    others = [row.verdict for name, row in rows.items() if name != item and not set(row.rules) & {
        r.replace("_", "-") for r in statuses}]
    assert set(others) == {MET}


def test_the_reports_state_the_model_and_carry_each_findings_items():
    index = InventoryIndex(load(INVENTORY))
    results = [Result("ch-core1", "SEC-MGMT-002", "critical", FAIL, "telnet", 12, "frr"),
               *[Result("ch-core1", rule, "high", PASS, platform="frr") for rule in rules() if rule != "SEC-MGMT-002"]]
    audited = report.document(results, {}, {"source": "test", "generated": "2026-12-07T00:00:00"}, index)
    assert audited.separation_model is not None and audited.separation_model.name == "α"
    assert audited.findings[0].policy_items == ("MP-12",)
    text = report.markdown(audited)
    assert "Separation model: **α** (alpha, αモデル)" in text
    assert "| MP-12 | No cleartext management | not met | SEC-MGMT-001, SEC-MGMT-002 | 1 | 0 |" in text
    assert "| ch\\-core1 | SEC-MGMT-002 | critical | 12 | telnet (fail) | MP-12 |" in text  # markdown-escaped
    document = audited.as_dict()
    assert document["separation_model"]["model"] == "alpha"
    assert list(document["findings"][0]["policy_items"]) == ["MP-12"]
    assert {row["item"]: row["verdict"] for row in document["policy"]}["MP-12"] == NOT_MET
