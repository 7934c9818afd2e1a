"""``muronet analyze``: what configurations define and use, and whether every OSPF adjacency and BGP
session can come up, read from configurations alone (muronet.analysis). Planted mistakes in the
city's rendered configurations, configurations written by people (the FRR corpus, NAPALM's IOS
recording), and sessions between devices the inventory does not know."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import INVENTORY, REPO

from muronet.render.engine import Renderer

CORPUS = REPO / "tests" / "data" / "frr_corpus"


@pytest.fixture(scope="module")
def rendered(reference) -> dict[str, str]:
    renderer = Renderer(reference, REPO / "templates")
    return {d.name: renderer.render(d) for d in reference.devices}


def analysed(cli, folder: Path, *args: str) -> tuple[int, dict]:
    done = cli("analyze", "--inventory", str(INVENTORY), "--from", str(folder), "--json", *args)
    return done.exit_code, json.loads(done.output)


def folder_of(path: Path, configs: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in configs.items():
        (path / f"{name}.cfg").write_text(text, encoding="utf-8")
    return path


def messages(document: dict, check: str) -> list[str]:
    return [f["message"] for f in document["findings"] if f["check"] == check]


def in_block(config: str, head: str, old: str, new: str) -> str:
    """``config`` with ``old`` replaced by ``new`` inside the block that starts with line ``head``."""
    start = config.index(f"{head}\n")
    end = config.find("\n!", start)
    changed = config[start:end].replace(old, new, 1)
    assert changed != config[start:end], (head, old)
    return config[:start] + changed + config[end:]


def test_the_reference_city_has_nothing_to_report(cli):
    done = cli("analyze", "--inventory", str(INVENTORY))
    assert done.exit_code == 0, done.output
    assert done.output.strip().splitlines()[-1] == "56 configurations analysed: nothing"


def test_an_ospf_mismatch_on_a_cable_names_both_ends_and_the_reason(cli, rendered, tmp_path):
    configs = dict(rendered)
    configs["library-rt1"] = in_block(configs["library-rt1"], "interface eth1", "ip ospf area 2", "ip ospf area 3")
    configs["kaiyo-es-rt1"] = in_block(configs["kaiyo-es-rt1"], "interface eth1", "message-digest-key 1 ",
                                       "message-digest-key 2 ")
    configs["fire-bokoi-rt1"] = in_block(configs["fire-bokoi-rt1"], "interface eth1", "hello-interval 1",
                                         "hello-interval 2")
    code, document = analysed(cli, folder_of(tmp_path / "c", configs))
    assert code == 1
    found = messages(document, "ospf-adjacency")
    assert "OSPF adjacency ch-agg1:eth4 — library-rt1:eth1: areas differ (0.0.0.2 / 0.0.0.3)" in found
    assert any("kaiyo-es-rt1:eth1" in m and "message-digest key ids differ" in m for m in found), found
    assert any("fire-bokoi-rt1:eth1" in m and "hello intervals differ" in m for m in found), found
    assert len(found) == 3  # the rest of the fiber is as it was


def test_the_lgwan_session_against_its_circuit_is_critical(cli, rendered, tmp_path):
    configs = {**rendered, "ch-lgwan-rt1": rendered["ch-lgwan-rt1"].replace("remote-as 64700", "remote-as 64701")}
    code, document = analysed(cli, folder_of(tmp_path / "c", configs))
    critical = [f for f in document["findings"] if f["severity"] == "critical"]
    assert code == 1 and [f["check"] for f in critical] == ["bgp-session"]
    assert critical[0]["device"] == "ch-lgwan-rt1" and "the circuit LGWAN-" in critical[0]["message"]
    line = configs["ch-lgwan-rt1"].splitlines()[critical[0]["line"] - 1]
    assert line.strip().startswith("neighbor 10.224.255.1 remote-as")


def test_undefined_references_and_unused_structures_with_their_lines(cli, rendered, tmp_path):
    lgwan = rendered["ch-lgwan-rt1"].replace("match ip address prefix-list PL-LGWAN-AP-OUT",
                                             "match ip address prefix-list PL-LGWAN-AP-0UT")
    switch = rendered["ch-acc-2f"].replace(" access-class VTY-MGMT in", " access-class VTY-MGNT in", 1)
    code, document = analysed(cli, folder_of(tmp_path / "c", {"ch-lgwan-rt1": lgwan, "ch-acc-2f": switch}))
    assert code == 1
    undefined = {(f["device"], f["message"]) for f in document["findings"] if f["check"] == "undefined-reference"}
    assert undefined == {
        ("ch-lgwan-rt1", "match ip address prefix-list PL-LGWAN-AP-0UT: prefix-list PL-LGWAN-AP-0UT is not defined"),
        ("ch-acc-2f", "access-class VTY-MGNT in vrf-also: access-list VTY-MGNT is not defined")}
    unused = {(f["device"], f["message"]) for f in document["findings"] if f["check"] == "unused-structure"}
    assert unused == {("ch-lgwan-rt1", "prefix-list PL-LGWAN-AP-OUT is defined and never used"),
                      ("ch-acc-2f", "access-list VTY-MGMT is defined and never used")}
    for finding in document["findings"]:
        text = (lgwan if finding["device"] == "ch-lgwan-rt1" else switch).splitlines()[finding["line"] - 1]
        assert re.search(r"PL-LGWAN-AP-[0O]UT|VTY-MG[MN]T", text), (finding, text)


def test_configurations_people_wrote_give_only_what_is_really_there(cli, tmp_path):
    """The FRR corpus (abbreviations, duplicates, a topotest's VRF leak, given as FRR: it names no
    platform) and NAPALM's recording of a real IOS-XE configuration: no reference is undefined;
    the two structures nothing uses are reported (a community list and a key chain the files define
    for the properties tests), and the sessions to peers no configuration holds are not judged."""
    configs = {path.stem: path.read_text() for path in CORPUS.glob("*.conf")}
    configs["csr1"] = (REPO / "tests/data/napalm_ios/csr1_show_startup_config.txt").read_text()
    code, document = analysed(cli, folder_of(tmp_path / "c", configs), "--platform", "frr")
    assert code == 0, document["findings"]
    assert sorted(document["devices"]) == sorted(configs)
    found = {(f["device"], f["message"]) for f in document["findings"] if f["severity"] != "medium"}
    assert found == {("02-bgp-families", "community-list CL-CITY is defined and never used"),
                     ("05-vrf-static-vrrp", "key chain KC-CORPUS is defined and never used")}
    unchecked = [f["message"] for f in document["findings"] if f["severity"] == "medium"]
    assert unchecked and all(m.endswith("not checked") for m in unchecked)


R1 = """frr defaults traditional
hostname r1
interface eth1
 ip address 192.0.2.0/31
exit
router bgp 64601
 neighbor 192.0.2.1 remote-as 64602
 neighbor 192.0.2.1 password Pw-one
 neighbor 192.0.2.1 ttl-security hops 1
exit
"""
R2 = """frr defaults traditional
hostname r2
interface eth1
 ip address 192.0.2.1/31
exit
router bgp 64602
 no bgp default ipv4-unicast
 neighbor 192.0.2.0 remote-as 64609
 neighbor 192.0.2.0 password Pw-two
exit
"""


def test_a_bgp_session_between_two_configured_devices_is_checked_from_both_ends(cli, tmp_path):
    code, document = analysed(cli, folder_of(tmp_path / "c", {"r1": R1, "r2": R2}))
    assert code == 1
    found = messages(document, "bgp-session")
    assert "BGP session r1 → 192.0.2.1: r2 expects AS 64609, r1 is AS 64601" in found
    assert "BGP session r1 → 192.0.2.1: the passwords differ" in found
    assert "BGP session r1 → 192.0.2.1: TTL security (GTSM) on one end only" in found
    assert any(m.startswith("BGP session r1 → 192.0.2.1: no address family in common") for m in found)
    assert not any("Pw-one" in f["message"] or "Pw-two" in f["message"] for f in document["findings"])
    fixed = R2.replace("remote-as 64609", "remote-as 64601").replace("Pw-two", "Pw-one").replace(
        " no bgp default ipv4-unicast\n", " neighbor 192.0.2.0 ttl-security hops 1\n")
    code, document = analysed(cli, folder_of(tmp_path / "d", {"r1": R1, "r2": fixed}))
    assert code == 0 and messages(document, "bgp-session") == []


def test_an_acl_line_that_an_earlier_one_shadows_is_never_reached(cli, rendered, tmp_path):
    """Two lines put first in ch-acc-1f's CoPP filter: the SSH line the first repeats is low, the
    NTP lines (source port 123) the deny defeats are high; the SNMP line (destination port 161, also
    UDP) is not covered, nor are the TACACS+ ones."""
    acl = "ip access-list extended COPP-MGMT\n"
    planted = rendered["ch-acc-1f"].replace(acl, acl + " 5 permit ip host 10.99.0.50 any\n"
                                                  " 6 deny udp any eq ntp any\n")
    code, document = analysed(cli, folder_of(tmp_path / "c", {"ch-acc-1f": planted}))
    found = {(f["severity"], planted.splitlines()[f["line"] - 1].strip()) for f in document["findings"]
             if f["check"] == "unreachable-filter-line"}
    assert code == 1 and found == {("low", "10 permit tcp host 10.99.0.50 any eq 22"),
                                   ("high", "30 permit udp host 10.99.0.31 eq ntp any"),
                                   ("high", "40 permit udp host 10.99.0.32 eq ntp any")}
    message = next(f["message"] for f in document["findings"] if f["check"] == "unreachable-filter-line")
    assert "access-list COPP-MGMT" in message and "matches everything it does" in message


def test_the_review_reports_what_a_change_breaks_across_devices_and_blocks_it(cli, rendered, tmp_path):
    """A change to library-rt1 alone breaks the adjacency with ch-agg1 (its area), one to
    ch-lgwan-rt1 the LGWAN session: the review says both, in JSON, Markdown and SARIF, and blocks."""
    after = {**rendered, "library-rt1": in_block(rendered["library-rt1"], "interface eth1", "ip ospf area 2",
                                                 "ip ospf area 3"),
             "ch-lgwan-rt1": rendered["ch-lgwan-rt1"].replace("remote-as 64700", "remote-as 64701")}
    before_dir, after_dir = folder_of(tmp_path / "before", rendered), folder_of(tmp_path / "after", after)
    out = tmp_path / "out"
    done = cli("review", "--inventory", str(INVENTORY), "--before", str(before_dir), "--after", str(after_dir),
               "--format", "md,json,sarif", "--out", str(out), "--json")
    document = json.loads(done.output)
    assert done.exit_code == 1 and document["blocking"] and document["risk"] == "critical"
    new = {(f["check"], f["severity"], f["message"]) for f in document["network"]["new"]}
    assert ("ospf-adjacency", "high",
            "OSPF adjacency ch-agg1:eth4 — library-rt1:eth1: areas differ (0.0.0.2 / 0.0.0.3)") in new
    assert any(check == "bgp-session" and severity == "critical" and "64701" in message
               for check, severity, message in new)
    assert len(new) == 2 and document["network"]["resolved"] == []
    markdown = next(out.glob("*.md")).read_text()
    assert "### Across devices" in markdown and r"areas differ \(0\.0\.0\.2 / 0\.0\.0\.3\)" in markdown  # escaped
    sarif = json.loads(next(out.glob("*.sarif")).read_text())
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"analysis/ospf-adjacency", "analysis/bgp-session"} <= rules
    back = cli("review", "--inventory", str(INVENTORY), "--before", str(after_dir), "--after", str(before_dir),
               "--format", "json", "--out", str(tmp_path / "back"), "--json")
    assert len(json.loads(back.output)["network"]["resolved"]) == 2  # the way back mends both


def test_a_filter_question_gives_the_lines_that_take_the_flow_first_match_first(cli):
    """UDP from the management range into ch-acc-1f: its CoPP filter's SNMP and NTP lines take some
    of it (their ports), the TCP lines none; a standard ACL's source line takes a host's flow whole."""
    done = cli("analyze", "--inventory", str(INVENTORY), "--limit", "ch-acc-1f", "--flow",
               "udp 10.99.0.0 0.0.3.255 any", "--json")
    lines = json.loads(done.output)["flow"]["lines"]
    copp = [(line["text"], line["whole"]) for line in lines if line["acl"] == "COPP-MGMT"]
    assert copp == [("20 permit udp host 10.99.0.41 any eq snmp", False),
                    ("30 permit udp host 10.99.0.31 eq ntp any", False),
                    ("40 permit udp host 10.99.0.32 eq ntp any", False)]
    assert {line["device"] for line in lines} == {"ch-acc-1f"}
    done = cli("analyze", "--inventory", str(INVENTORY), "--limit", "ch-acc-1f", "--flow",
               "tcp host 10.99.0.50 any eq 22")
    assert "access-list VTY-MGMT permits all of it: 10 permit host 10.99.0.50" in done.output
    assert "access-list COPP-MGMT permits all of it: 10 permit tcp host 10.99.0.50 any eq 22" in done.output
    bad = cli("analyze", "--inventory", str(INVENTORY), "--flow", "from anywhere")
    assert bad.exit_code == 2 and "not an ACL match" in bad.output


def test_a_peer_group_gives_its_members_their_session_settings(cli, tmp_path):
    """Settings written once for a group (as people write them) are the members' own."""
    grouped = R1.replace(" neighbor 192.0.2.1 remote-as 64602\n neighbor 192.0.2.1 password Pw-one\n"
                         " neighbor 192.0.2.1 ttl-security hops 1\n",
                         " neighbor FIBER peer-group\n neighbor FIBER remote-as 64602\n"
                         " neighbor FIBER password Pw-one\n neighbor FIBER ttl-security hops 1\n"
                         " neighbor 192.0.2.1 peer-group FIBER\n")
    assert grouped != R1
    peer = R2.replace("remote-as 64609", "remote-as 64601").replace("Pw-two", "Pw-one").replace(
        " no bgp default ipv4-unicast\n", " neighbor 192.0.2.0 ttl-security hops 1\n")
    code, document = analysed(cli, folder_of(tmp_path / "c", {"r1": grouped, "r2": peer}))
    assert code == 0 and messages(document, "bgp-session") == []
    code, document = analysed(cli, folder_of(tmp_path / "d", {"r1": grouped.replace("Pw-one", "Pw-old"), "r2": peer}))
    assert code == 1 and "BGP session r1 → 192.0.2.1: the passwords differ" in messages(document, "bgp-session")


def test_hostile_values_are_read_without_an_internal_error(cli, tmp_path):
    """Numbers no area or address can be, words where numbers go, truncated lines: reported or left
    alone, never a traceback."""
    hostile = R1 + ("interface eth2\n ip address 192.0.2.8/31\n ip ospf area 99999999999\n"
                    " ip ospf hello-interval 1 192.0.2.8\n ip ospf dead-interval minimal hello-multiplier 4\n"
                    " ip ospf message-digest-key\nexit\nrouter ospf\n network 999.0.0.0/8 area 0\n"
                    " network 10.0.0.0 0.0.0.999 area 1\nexit\nrouter bgp 64601\n neighbor 999.1.1.1 remote-as 1\n"
                    " no neighbor 300.0.0.1 activate\nexit\naccess-list X seq 5 permit tcp any eq nosuchport any\n"
                    "access-list X seq 10 deny 10.0.0.0/99\n")
    done = cli("analyze", "--inventory", str(INVENTORY), "--from", str(folder_of(tmp_path / "c", {"r1": hostile})),
               "--json")
    assert done.exit_code in (0, 1) and "Traceback" not in done.output
    assert json.loads(done.output)["devices"] == ["r1"]


def test_limit_reports_on_the_chosen_devices_and_still_reads_the_far_ends(cli, rendered, tmp_path):
    configs = {**rendered, "library-rt1": in_block(rendered["library-rt1"], "interface eth1", "ip ospf area 2",
                                                   "ip ospf area 3")}
    code, document = analysed(cli, folder_of(tmp_path / "c", configs), "--limit", "ch-agg1")
    assert code == 1 and {f["device"] for f in document["findings"]} == {"ch-agg1"}  # the finding sits on ch-agg1
    code, document = analysed(cli, folder_of(tmp_path / "d", configs), "--limit", "site:library")
    assert code == 1 and [(f["device"], f["peer"]) for f in document["findings"]] == [("ch-agg1", "library-rt1")]
    code, document = analysed(cli, folder_of(tmp_path / "e", configs), "--limit", "site:aquarium")
    assert code == 0 and document["findings"] == []
