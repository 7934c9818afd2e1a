"""A provisioning run's result as data (muronet.workflows.provision): the report the CLI prints and
``--json`` serialises, with every text a device wrote scrubbed of the secrets that were pushed."""

from __future__ import annotations

from pathlib import Path

from muronet.inventory.secrets import GivenSecrets
from muronet.tasks.provision import DeviceReport, Outcome, ProvisionReport
from muronet.workflows.provision import CommitReview, ProvisionResult


def _report(secret: str) -> ProvisionReport:
    return ProvisionReport(committed=True, seconds={"stage": 1.234, "commit": 2.0}, devices={
        "b-rt1": DeviceReport("b-rt1", Outcome.CHANGED, f"+ neighbor 10.0.0.1 password {secret}\n"),
        "a-rt1": DeviceReport("a-rt1", Outcome.ROLLED_BACK, detail=[f"refused: ip ospf authentication-key {secret}"]),
    })


def test_the_result_is_scrubbed_typed_data_and_its_json_is_the_report() -> None:
    secrets = GivenSecrets({"bgp_lgwan": "s3cret-bgp-pw"})
    secret = secrets.get("bgp_lgwan")
    report = _report(secret).scrubbed(secrets.scrub)
    result = ProvisionResult(report, report.exit_code, CommitReview("high", "change window 42", Path("log.json")))
    assert [d.name for d in report.in_order()] == ["a-rt1", "b-rt1"]
    assert report.summary[Outcome.CHANGED] == report.summary[Outcome.ROLLED_BACK] == 1 and result.exit_code == 1
    document = result.to_json()
    assert secret not in repr(document) and "<secret:bgp_lgwan>" in document["devices"][1]["diff"]
    assert document["devices"][0]["detail"] == ["refused: ip ospf authentication-key <secret:bgp_lgwan>"]
    assert document["summary"] == {"unchanged": 0, "would change": 0, "changed": 1, "rolled back": 1, "failed": 0}
    assert document["review"] == {"risk": "high", "accepted_risk": "change window 42", "log": "log.json"}
    assert document["committed"] is True and document["exit_code"] == 1


def test_scrubbing_leaves_the_report_it_came_from_as_it_was() -> None:
    secrets = GivenSecrets({"ospf_key": "k3y-0spf"})
    original = _report(secrets.get("ospf_key"))
    original.scrubbed(secrets.scrub)
    assert "k3y-0spf" in original.devices["a-rt1"].detail[0]  # the run's own record is not rewritten
