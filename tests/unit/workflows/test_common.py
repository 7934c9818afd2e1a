"""The workflows as an API (muronet.workflows): typed options in, typed results out, failures as
WorkflowError with the exit code, nothing printed. The CLI tests cover the same functions through
the commands; these call them as a script, the Ansible side or a benchmark would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import INVENTORY, REPO, edit, line_containing

from muronet.display import json_text
from muronet.render.engine import Renderer
from muronet.topology import TopologySource
from muronet.workflows import InvalidInventory, WorkflowError
from muronet.workflows.analyze import AnalyzeOptions, analyze_configs
from muronet.workflows.audit import AuditOptions, audit, default_waivers
from muronet.workflows.common import intended_configs, load, read_configs
from muronet.workflows.review import ReviewOptions, review
from muronet.workflows.topology import TopologyOptions, topology


@pytest.fixture(scope="module")
def rendered(reference) -> dict[str, str]:
    renderer = Renderer(reference, REPO / "templates")
    return {d.name: renderer.render(d) for d in reference.devices}


def _folder(path: Path, configs: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in configs.items():
        (path / f"{name}.cfg").write_text(text, encoding="utf-8")
    return path


def test_audit_returns_its_findings_as_data_and_writes_the_reports(rendered, tmp_path, capsys):
    leaky = rendered["ch-acc-1f"].replace("no ip http server", "ip http server", 1)
    assert leaky != rendered["ch-acc-1f"]
    source = _folder(tmp_path / "configs", {"ch-acc-1f": leaky, "library-rt1": rendered["library-rt1"]})
    result = audit(AuditOptions(INVENTORY, source=source, formats=("json", "md"), out_dir=tmp_path / "out"))
    assert capsys.readouterr() == ("", "")  # data, not prints
    assert result.exit_code == 1 and not result.report.passed
    http = [f for f in result.report.findings if f.device == "ch-acc-1f" and f.status == "fail"
            and "http" in f.message.lower()]
    assert http and http[0].line == leaky.splitlines().index("ip http server") + 1
    assert http[0].config == "ip http server" and http[0].title_en  # the line itself, and the rule's title
    assert sorted(result.written) == ["json", "md"] and all(p.is_file() for p in result.written.values())
    assert result.report.drift["ch-acc-1f"] == ["no ip http server"]  # back to the intended line
    # the JSON report is the data serialised: the same findings, the same verdict
    written = json.loads(result.written["json"].read_text())
    assert written == json.loads(json_text(result.report.as_dict())) and written["passed"] is False
    assert [f["line"] for f in written["findings"]] == [f.line for f in result.report.findings]


def test_review_of_two_folders_blocks_a_new_high_finding_and_says_so_in_data(rendered, tmp_path):
    before = _folder(tmp_path / "before", {"ch-acc-1f": rendered["ch-acc-1f"]})
    after = _folder(tmp_path / "after", {"ch-acc-1f": rendered["ch-acc-1f"].replace(
        "no ip http server", "no ip http server\nsnmp-server community Zz-leak-991 RW", 1)})
    result = review(ReviewOptions(INVENTORY, before=before, after=after, formats=("md",), out_dir=tmp_path / "out"))
    assert result.blocking and result.risk in ("high", "critical")
    assert result.to_json()["risk"] == result.risk and result.to_json()["blocking"] is True
    assert list(result.written) == ["md"] and "Zz-leak-991" not in result.written["md"].read_text()
    unchanged = review(ReviewOptions(INVENTORY, before=before, after=before, formats=(), out_dir=tmp_path / "o2"))
    assert not unchanged.blocking and unchanged.written == {}


@pytest.mark.parametrize("sources", [{}, {"git": "HEAD~1..HEAD", "pending": True}, {"before": Path("x")}])
def test_a_review_names_exactly_one_source(sources):
    with pytest.raises(WorkflowError) as raised:
        ReviewOptions(INVENTORY, **sources)
    assert raised.value.code == 2 and "give one of" in str(raised.value)


def test_an_invalid_inventory_is_one_error_with_every_issue_and_its_line(inventory_copy):
    edit(inventory_copy / "city-hall" / "core.yaml", "role: core", "role: kore")
    with pytest.raises(InvalidInventory) as raised:
        load(inventory_copy)
    assert raised.value.code == 1 and raised.value.issues
    line = line_containing(inventory_copy / "city-hall" / "core.yaml", "role: kore")
    assert any(f"core.yaml:{line}:" in detail for detail in raised.value.details)


def test_audit_options_that_contradict_are_refused_before_anything_is_read(tmp_path):
    for options in (AuditOptions(INVENTORY), AuditOptions(INVENTORY, source=tmp_path, live=True)):
        with pytest.raises(WorkflowError, match="give one of --from DIR and --live"):
            audit(options)
    with pytest.raises(WorkflowError, match=r"no <device>\.cfg file"):
        read_configs(tmp_path)
    assert default_waivers(INVENTORY) == REPO / "policy" / "waivers.yaml"


def test_intended_configurations_carry_the_real_secrets_and_the_scrubber_removes_them(reference, monkeypatch):
    for name, ref in reference.city.secrets.items():
        monkeypatch.setenv(ref.env, f"Real-{name}-77")
    configs, secrets = intended_configs(reference, None, ["ch-core1"])
    assert "Real-ospf_key-77" in configs["ch-core1"] and "<secret:" not in configs["ch-core1"]
    assert "Real-ospf_key-77" in secrets.values()
    scrubbed = secrets.scrub_data({"diff": configs["ch-core1"]})["diff"]
    assert "Real-" not in scrubbed and "<secret:ospf_key>" in scrubbed
    monkeypatch.delenv("MURONET_OSPF_KEY")
    with pytest.raises(WorkflowError) as raised:
        intended_configs(reference, None, ["ch-core1"])
    assert raised.value.code == 2 and "MURONET_OSPF_KEY" in str(raised.value)


def test_topology_from_the_inventory_returns_what_it_drew(tmp_path):
    drawn = topology(TopologyOptions(INVENTORY, TopologySource.INVENTORY, views=("physical",),
                                     formats=("mermaid",), out_dir=tmp_path))
    assert drawn.source is TopologySource.INVENTORY and drawn.files == [tmp_path / "fiber.mmd"]
    assert drawn.sites == len(re.findall(r'^    s_\w+\["', (tmp_path / "fiber.mmd").read_text(), re.M)) > 40
    assert drawn.as_dict()["files"] == [str(tmp_path / "fiber.mmd")] and drawn.as_dict()["source"] == "inventory"


def test_analysis_returns_typed_findings_matrix_routes_and_flow():
    result = analyze_configs(AnalyzeOptions(INVENTORY, limit="ch-core1", routes=True,
                                            flow="ip 10.10.0.0 0.0.255.255 any"))
    matrix = result.reachability
    assert matrix.ok and result.exit_code == 0 and set(matrix.zones) >= {"MYNUMBER", "LGWAN", "INTERNET"}
    for (source, target), cell in matrix.cells.items():  # within a zone everything, across nothing
        assert cell.allowed == (source == target) and cell.reached == (cell.probes if cell.allowed else 0)
    assert matrix.probes == sum(cell.probes for cell in matrix.cells.values())
    assert list(result.routes or {}) == ["ch-core1"]  # the device asked about, every VRF's table
    mynumber = {route.prefix: route for route in (result.routes or {})["ch-core1"]["MYNUMBER"]}
    connected = [route for route in mynumber.values() if route.protocol == "connected"]
    assert connected and all(route.metric == 0 for route in connected)
    assert result.flow is not None and all(line.device == "ch-core1" for line in result.flow.lines)
    document = result.to_json()  # what --json prints: the same data, in the shape the docs give
    assert document["reachability"]["ok"] is True and document["counts"] == result.counts
    assert document["reachability"]["matrix"]["LGWAN->INTERNET"] == {
        "allowed": False, "reached": 0, "probes": matrix.cells[("LGWAN", "INTERNET")].probes, "one_way": 0}
    shown = {route["prefix"]: route for route in document["routes"]["ch-core1"]["MYNUMBER"]}
    assert shown.keys() == mynumber.keys() and all(shown[p]["from"] == mynumber[p].origin for p in shown)
    assert document["flow"]["lines"] == [{"device": line.device, "acl": line.acl, "line": line.line,
                                          "text": line.text, "action": line.action, "whole": line.whole}
                                         for line in result.flow.lines]
