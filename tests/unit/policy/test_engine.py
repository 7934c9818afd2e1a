"""The rule pack: every check finds its violation on each platform it supports, and only it;
the city's intended configurations audit clean; bad input is a per-device error."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from xml.etree import ElementTree

import pytest
from support import REPO

from muronet.inventory.index import InventoryIndex
from muronet.inventory.model import ApprovedPath
from muronet.policy.catalog import rules
from muronet.policy.context import Settings
from muronet.policy.engine import (
    ERROR,
    FAIL,
    NOT_APPLICABLE,
    NOT_EVALUATED,
    PARALLEL_THRESHOLD,
    PASS,
    WAIVED,
    apply_waivers,
    audit_device,
    audit_many,
)
from muronet.policy.registry import CHECKS
from muronet.policy.waivers import Waiver
from muronet.render.engine import Renderer


@pytest.fixture(scope="module")
def configs(reference):
    renderer = Renderer(reference, REPO / "templates")
    rendered = {d.name: renderer.render(d) for d in reference.devices}
    for name in ("ch-lgwan-rt1", "ch-core1", "ch-gc-rt1"):  # the routers as the city would run them on Cisco IOS
        device = next(d for d in reference.devices if d.name == name)
        rendered[f"ios:{name}"] = renderer.render(device.model_copy(update={"platform": "cisco_ios"}))
    return rendered


@pytest.fixture(scope="module")
def settings(reference_index):
    return Settings.from_inventory(reference_index)


def _audit(name, text, settings, index, platform=None):
    if name.startswith("ios:"):
        name, platform = name.removeprefix("ios:"), "cisco_ios"
    device = index.devices.get(name)
    return audit_device(name, text, platform or (device.platform if device else None), settings, index)


def _failed(results):
    return {(r.rule, r.line) for r in results if r.status == FAIL}


def test_every_rule_of_the_catalog_families_is_data_with_both_languages():
    catalog = rules()
    families = {r.family for r in catalog.values()}
    assert families == {"ZONE", "AUTH", "MGMT", "SVC", "SNMP", "LOG", "NTP", "L2", "CP"}
    assert len(catalog) == 49
    for rule in catalog.values():
        assert rule.title_en and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rule.title_ja), rule.id
        for platform, how in rule.platforms.items():
            assert (how == "check" and (rule.id, platform) in CHECKS) or how.startswith("n/a: "), (rule.id, platform)
    assert {p for _, p in CHECKS} == {"frr", "cisco_ios"}


def test_the_intended_configurations_of_the_city_audit_clean(configs, settings, reference_index):
    for name, text in configs.items():
        results = _audit(name, text, settings, reference_index)
        assert _failed(results) == set(), name
        statuses = {r.status for r in results}
        assert PASS in statuses
        if not name.startswith("ios:") and reference_index.devices[name].platform == "frr":
            assert NOT_APPLICABLE in statuses  # host-level items say so, never pass silently


def _plant(text: str, after: str, line: str) -> tuple[str, int]:
    """``text`` with ``line`` inserted after the first line equal to ``after``; its line number."""
    lines = text.splitlines()
    at = lines.index(after) + 1
    lines.insert(at, line)
    return "\n".join(lines) + "\n", at + 1


_LINE = " ip address 10.224.255.2 255.255.255.252"  # the LGWAN access line on IOS
# (rule, device, line, change): insert `change` after `line`; None: remove `line`; ("sub", new): replace it
FRR_CASES = [
    ("SEC-ZONE-003", "ch-lgwan-rt1", "ip route 10.20.0.0/16 blackhole", "ip route 0.0.0.0/0 10.224.255.1"),
    ("SEC-ZONE-003", "ch-core1", "router ospf vrf LGWAN", " default-information originate"),
    ("SEC-ZONE-004", "ch-core1", "!", "vrf LGWAN\n ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET\nexit-vrf"),
    ("SEC-ZONE-012", "library-rt1", "!", "interface gre1\n description tunnel\nexit"),
    ("SEC-AUTH-004", "library-rt1", "hostname library-rt1", "enable password cisco123"),
    ("SEC-MGMT-002", "library-rt1", "line vty", " no login"),
    ("SEC-MGMT-003", "library-rt1", "access-list VTY-MGMT seq 5 permit 10.99.0.50/32",
     "access-list VTY-MGMT seq 7 permit 10.40.0.0/16"),
    ("SEC-MGMT-004", "library-rt1", "line vty", " exec-timeout 0 0"),
    ("SEC-LOG-001", "library-rt1", "log syslog informational", None),
    ("SEC-LOG-002", "library-rt1", "log timestamp precision 3", None),
    ("SEC-CP-002", "library-rt1", " ip ospf authentication message-digest", None),
    ("SEC-CP-003", "ch-lgwan-rt1", " neighbor 10.224.255.1 ttl-security hops 1", None),
    ("SEC-ZONE-001", "library-rt1", "!", "interface eth6 vrf LGWAN\n ip address 10.20.200.1/24\nexit"),
    ("SEC-ZONE-002", "ch-core1", "!", "vrf MYNUMBER\n ip route 10.30.0.0/16 10.10.255.1\nexit-vrf"),
    ("SEC-ZONE-005", "ch-core1", "router ospf vrf LGWAN", " network 10.30.0.0/16 area 0"),
    ("SEC-ZONE-007", "library-rt1", "!", "ip route 0.0.0.0/0 10.40.1.22"),
    ("SEC-ZONE-008", "ch-lgwan-rt1", "ip route 10.20.0.0/16 blackhole", "ip route 52.0.0.0/8 203.0.113.1"),
    ("SEC-ZONE-014", "ch-gc-rt1", " neighbor 10.10.254.1 bfd", None),
    ("SEC-ZONE-009", "ch-lgwan-rt1", "ip prefix-list PL-LGWAN-AP-OUT seq 10 permit 10.20.0.0/16",
     "ip prefix-list PL-LGWAN-AP-OUT seq 20 permit 10.30.0.0/16"),
    ("SEC-ZONE-010", "library-rt1", "!", "ip route 10.20.0.0/16 10.40.1.22"),
    ("SEC-ZONE-013", "ch-core1", "!", "vrf MGMT\n ip route 10.20.0.0/16 10.99.0.1\nexit-vrf"),
]
IOS_CASES = [
    ("SEC-AUTH-001", "ch-acc-1f", "aaa new-model", None),
    ("SEC-AUTH-004", "ch-acc-1f", "aaa new-model", "enable password cisco123"),
    ("SEC-AUTH-005", "ch-acc-1f", "aaa new-model", "username guest privilege 1 secret 9 $9$abc"),
    ("SEC-MGMT-002", "ch-acc-1f", " transport input ssh", ("sub", " transport input telnet ssh")),
    ("SEC-MGMT-003", "ch-acc-1f", " access-class VTY-MGMT in vrf-also", None),
    ("SEC-MGMT-004", "ch-acc-1f", " exec-timeout 10 0", ("sub", " exec-timeout 0 0")),
    ("SEC-MGMT-005", "ch-acc-1f", "aaa new-model", "ip http server"),
    ("SEC-MGMT-006", "ch-acc-1f", None, None),
    ("SEC-SVC-001", "ch-acc-1f", "aaa new-model", "service tcp-small-servers"),
    ("SEC-SVC-002", "ch-acc-1f", "no ip source-route", None),
    ("SEC-SNMP-001", "ch-acc-1f", "aaa new-model", "snmp-server community public RO"),
    ("SEC-LOG-001", "ch-acc-1f", "aaa new-model", "logging host 8.8.8.8"),
    ("SEC-LOG-002", "ch-acc-1f", "clock timezone JST 9 0", None),
    ("SEC-L2-002", "ch-acc-1f", " spanning-tree portfast\n spanning-tree bpduguard enable", ("sub", "")),
    ("SEC-L2-003", "ch-acc-1f", " switchport port-security", None),
    ("SEC-L2-004", "ch-acc-1f", " switchport trunk native vlan 998", ("sub", " switchport trunk native vlan 1")),
    ("SEC-ZONE-011", "ch-acc-1f", " switchport trunk allowed vlan 106-110,119,206-210,219,306-310,319",
     ("sub", " switchport trunk allowed vlan all")),
    ("SEC-AUTH-002", "ch-acc-1f", " address ipv4 10.99.0.12", ("sub", " address ipv4 192.0.2.12")),
    ("SEC-AUTH-003", "ch-acc-1f", "aaa accounting commands 15 default start-stop group MURONET-TACACS", None),
    ("SEC-AUTH-006", "ch-acc-1f", "login block-for 900 attempts 3 within 120",
     ("sub", "login block-for 900 attempts 10 within 120")),
    ("SEC-MGMT-001", "ch-acc-1f", "ip ssh server algorithm mac hmac-sha2-512 hmac-sha2-256",
     ("sub", "ip ssh server algorithm mac hmac-sha2-256 hmac-sha1")),
    ("SEC-MGMT-007", "ch-acc-1f", " login authentication default\n logging synchronous",
     ("sub", " logging synchronous")),
    ("SEC-LOG-003", "ch-acc-1f", "login on-failure log", None),
    ("SEC-LOG-004", "ch-acc-1f", "  logging enable", None),
    ("SEC-NTP-001", "ch-acc-1f", "ntp server vrf MGMT 10.99.0.32 key 1", None),
    ("SEC-NTP-002", "ch-acc-1f", "ntp server vrf MGMT 10.99.0.32 key 1", ("sub", "ntp server vrf MGMT 10.99.0.32")),
    ("SEC-L2-005", "ch-acc-1f", " ip verify source", None),
    ("SEC-CP-001", "ch-acc-1f", " service-policy input COPP", None),
    ("SEC-ZONE-003", "ios:ch-lgwan-rt1", "ip route 10.20.0.0 255.255.0.0 Null0",
     "ip route 0.0.0.0 0.0.0.0 10.224.255.1"),
    ("SEC-ZONE-004", "ios:ch-core1", "vrf definition LGWAN", " route-target import 65021:3"),
    ("SEC-ZONE-012", "ios:ch-core1", "!", "interface Tunnel0\n ip address 192.0.2.1 255.255.255.252"),
    ("SEC-CP-002", "ios:ch-lgwan-rt1", " ip ospf authentication key-chain OSPF-KEYS", None),
    ("SEC-CP-003", "ios:ch-lgwan-rt1", "  neighbor 10.224.255.1 maximum-prefix 200", None),
    ("SEC-ZONE-001", "ios:ch-lgwan-rt1", "!",
     "interface GigabitEthernet0/0/9\n vrf forwarding INTERNET\n ip address 10.30.200.1 255.255.255.0"),
    ("SEC-ZONE-002", "ios:ch-core1", "!", "ip route vrf MYNUMBER 10.30.0.0 255.255.0.0 10.10.255.1"),
    ("SEC-ZONE-005", "ios:ch-core1", "router ospf 2 vrf LGWAN", " redistribute ospf 3 subnets"),
    ("SEC-ZONE-006", "ios:ch-lgwan-rt1", " ip access-group LGWAN-LINE-IN in", None),
    # a final deny of TCP only is no default deny (one model of an ACL entry reads its protocol)
    ("SEC-ZONE-006", "ios:ch-lgwan-rt1", " 50 deny ip any any log", ("sub", " 50 deny tcp any any log")),
    ("SEC-ZONE-007", "ios:ch-core1", "!", "ip route vrf INTERNET 0.0.0.0 0.0.0.0 203.0.113.1"),
    ("SEC-ZONE-008", "ios:ch-lgwan-rt1", "ip route 10.20.0.0 255.255.0.0 Null0",
     "ip route 52.0.0.0 255.0.0.0 203.0.113.1"),
    ("SEC-ZONE-014", "ios:ch-gc-rt1", " neighbor 10.10.254.1 fall-over bfd", None),
    ("SEC-ZONE-009", "ios:ch-lgwan-rt1", " 40 permit ip 10.224.16.0 0.0.15.255 10.20.0.0 0.0.255.255",
     " 45 permit ip 10.30.0.0 0.0.255.255 10.20.0.0 0.0.255.255"),
    ("SEC-ZONE-010", "ios:ch-lgwan-rt1", "!", "ip route 10.40.0.0 255.255.0.0 10.20.255.2"),
    ("SEC-ZONE-013", "ch-acc-1f", "logging source-interface GigabitEthernet0/0 vrf MGMT",
     ("sub", "logging source-interface Vlan1")),
    ("SEC-SVC-003", "ch-acc-1f", "no lldp run", ("sub", "lldp run")),
    ("SEC-SVC-004", "ios:ch-lgwan-rt1", _LINE + "\n no ip redirects\n no ip unreachables\n no ip proxy-arp",
     ("sub", _LINE + "\n no ip redirects\n no ip unreachables")),
    ("SEC-SVC-005", "ios:ch-lgwan-rt1", _LINE, " ip directed-broadcast"),
    ("SEC-SNMP-002", "ch-acc-1f", "snmp-server group MURONET v3 priv access SNMP-MGRS",
     ("sub", "snmp-server group MURONET v3 auth access SNMP-MGRS")),
    ("SEC-L2-001", "ch-acc-1f", " description UNUSED\n switchport mode access\n switchport access vlan 999",
     ("sub", " description UNUSED\n switchport mode access\n switchport access vlan 1")),
]


def _violate(text: str, after: str | None, change) -> tuple[str, int | None]:
    if after is None:  # the banner: remove its whole block
        return re.sub(r"^banner (login|motd) \^C.*?\^C\n", "", text, flags=re.S | re.M), None
    assert after + "\n" in text, after
    if change is None:
        return text.replace(after + "\n", "", 1), None
    if isinstance(change, tuple):
        return text.replace(after + "\n", change[1] + "\n" if change[1] else "", 1), None
    return _plant(text, after, change)


@pytest.mark.parametrize(("rule", "device", "after", "line"), FRR_CASES + IOS_CASES,
                         ids=[f"{c[0]}-{c[1]}".replace(":", "-") for c in FRR_CASES + IOS_CASES])
def test_each_check_finds_its_planted_violation_and_nothing_else(rule, device, after, line, configs, settings,
                                                                 reference_index):
    text, planted_at = _violate(configs[device], after, line)
    failed = _failed(_audit(device, text, settings, reference_index))
    assert {r for r, _ in failed} == {rule}, failed
    assert _failed(_audit(device, configs[device], settings, reference_index)) == set()  # compliant as rendered
    if planted_at is not None and not line.startswith(" "):  # the finding points into the planted lines
        assert any(found is not None and planted_at <= found < planted_at + line.count("\n") + 1
                   for _, found in failed), (failed, planted_at)


def test_zone_rules_follow_the_approvals_of_the_inventory(configs, settings, reference, reference_index):
    """What the inventory approves passes: the internet exit's default via the security cloud, an
    α' breakout to an approved destination; the same lines elsewhere or to other places fail."""
    via_cloud, _ = _plant(configs["ch-inet-rt1"], "ip route 10.30.0.0/16 blackhole", "ip route 0.0.0.0/0 10.30.254.1")
    assert _failed(_audit("ch-inet-rt1", via_cloud, settings, reference_index)) == set()
    elsewhere = via_cloud.replace("0.0.0.0/0 10.30.254.1", "0.0.0.0/0 203.0.113.9")
    assert {r for r, _ in _failed(_audit("ch-inet-rt1", elsewhere, settings, reference_index))} == {"SEC-ZONE-007"}
    breakout, _ = _plant(configs["ch-lgwan-rt1"], "ip route 10.20.0.0/16 blackhole", "ip route 52.0.0.0/8 203.0.113.1")
    approved = ApprovedPath(name="alpha-prime-cloud", kind="local_breakout", name_ja="α'クラウド", via="ch-lgwan-rt1",
                            zones=["LGWAN"], flows=[{"from_zone": "LGWAN", "to": "52.0.0.0/8", "protocol": "tcp",
                                                     "ports": [443]}])
    index = InventoryIndex(dataclasses.replace(reference, approved_paths=[*reference.approved_paths, approved]))
    assert _failed(_audit("ch-lgwan-rt1", breakout, settings, index)) == set()
    wider = breakout.replace("52.0.0.0/8", "0.0.0.0/1")
    assert {r for r, _ in _failed(_audit("ch-lgwan-rt1", wider, settings, index))} == {"SEC-ZONE-008"}


def test_a_facility_edge_may_carry_regional_and_wifi_but_not_a_third_zone(configs, settings, reference_index):
    text = configs["library-rt1"]
    zones = {r.rule: r.status for r in _audit("library-rt1", text, settings, reference_index)}
    assert zones["SEC-ZONE-001"] == PASS  # REGIONAL in the global table and INTERNET (Wi-Fi) in its VRF
    shared, _ = _plant(text, "!", "interface eth7\n ip address 10.31.77.1/24\nexit")  # Wi-Fi in the global table
    failed = _failed(_audit("library-rt1", shared, settings, reference_index))
    assert {r for r, _ in failed} == {"SEC-ZONE-001"}


# Rules of some separation models only: their cases plant the violation in a city of that model
# (tests/unit/validation/test_separation_models.py, the β′ example).
MODEL_CASES = {("SEC-ZONE-015", "cisco_ios")}


def test_every_registered_check_has_a_violating_case():
    covered = {(rule, "frr") for rule, *_ in FRR_CASES} | {(rule, "cisco_ios") for rule, *_ in IOS_CASES}
    assert set(CHECKS) <= covered | MODEL_CASES, sorted(set(CHECKS) - covered - MODEL_CASES)
    assert all(rules()[rule].models for rule, _ in MODEL_CASES)


def test_a_device_outside_the_inventory_gets_device_rules_and_no_zone_verdict(configs, settings, reference_index):
    text = configs["ch-lgwan-rt1"].replace("hostname ch-lgwan-rt1", "hostname vendor-sample")
    text, _ = _plant(text, "ip route 10.20.0.0/16 blackhole", "ip route 0.0.0.0/0 10.224.255.1")
    text, _ = _plant(text, "hostname vendor-sample", "password zebra")
    results = audit_device("vendor-sample", text, None, settings, reference_index)  # platform detected
    by_rule = {r.rule: r for r in results}
    assert by_rule["SEC-ZONE-003"].status == NOT_EVALUATED and "zone map" in by_rule["SEC-ZONE-003"].message
    assert by_rule["SEC-MGMT-002"].status == FAIL


@pytest.mark.parametrize("text", ["", "\x00\x01\x02binary\xff" * 50, "lorem ipsum dolor sit amet\n" * 20,
                                  "hostname r1\nbanner motd ^C\ntruncated here",
                                  "set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/31\n" * 5])
def test_garbage_is_a_per_device_error_not_a_crash(text, settings, reference_index):
    results = audit_device("library-rt1", text, "frr", settings, reference_index)
    assert [r.status for r in results] == [ERROR] and results[0].rule == "PARSE"


@pytest.mark.parametrize("text", [
    "interface eth1\n ip address 10.0.0.1/31\nexit\nline vty\n exec-timeout 0 0\nexit\n",  # no hostname, as on hosts
    "hostname r1\nline vty\nexit\nrouter ospf\n ospf router-id 10.0.0.1\nexit\nline vty\n exec-timeout 0 0\nexit\n",
])
def test_what_frr_accepts_is_audited_without_a_hostname_and_with_sections_written_twice(text, settings,
                                                                                       reference_index):
    results = audit_device("library-rt1", text, "frr", settings, reference_index)
    by_rule = {r.rule: r for r in results}
    assert "PARSE" not in by_rule
    planted = text.count("\n", 0, text.index("exec-timeout 0")) + 1
    assert by_rule["SEC-MGMT-004"].status == FAIL and by_rule["SEC-MGMT-004"].line == planted


def test_a_check_that_breaks_on_an_unforeseen_line_is_an_error_of_that_rule_only(configs, settings,
                                                                                 reference_index, monkeypatch):
    def broken(audit):
        raise IndexError("list index out of range")

    monkeypatch.setitem(CHECKS, ("SEC-LOG-001", "frr"), broken)
    results = _audit("library-rt1", configs["library-rt1"], settings, reference_index)
    by_rule = {r.rule: r for r in results}
    assert by_rule["SEC-LOG-001"].status == ERROR and "IndexError" in by_rule["SEC-LOG-001"].message
    assert by_rule["SEC-LOG-002"].status == PASS and len(by_rule) == 49


def test_a_whole_city_is_audited_on_every_core_with_the_serial_results_in_order(configs, settings,
                                                                                reference_index):
    city = [(name, text, None) for name, text in configs.items() if not name.startswith("ios:")]
    planted, _ = _plant(configs["library-rt1"], "hostname library-rt1", "password zebra")
    batch = [*city, ("library-rt1", planted, None), ("garbage", "\x00\x01" * 40, "frr")] * 3
    assert len(batch) >= PARALLEL_THRESHOLD
    parallel = audit_many(batch, settings, reference_index, workers=2)
    assert parallel == audit_many(batch, settings, reference_index, workers=1)
    found = [(r.device, r.rule) for r in _audit("library-rt1", planted, settings, reference_index) if r.status == FAIL]
    assert found and [(r.device, r.rule) for r in parallel if r.status == FAIL] == found * 3
    assert [r.device for r in parallel if r.status == ERROR] == ["garbage"] * 3


def test_waivers_waive_until_they_expire(configs, settings, reference_index):
    text, _ = _plant(configs["library-rt1"], "hostname library-rt1", "password zebra")
    waiver = {"device": "library-*", "rule": "SEC-MGMT-002", "reason": "migration", "approver": "CISO"}
    valid = apply_waivers(_audit("library-rt1", text, settings, reference_index),
                          [Waiver(**waiver, expires=date(2026, 12, 31))], date(2026, 11, 23))
    assert [r.status for r in valid if r.rule == "SEC-MGMT-002"] == [WAIVED]
    expired = apply_waivers(_audit("library-rt1", text, settings, reference_index),
                            [Waiver(**waiver, expires=date(2026, 11, 1))], date(2026, 11, 23))
    finding = next(r for r in expired if r.rule == "SEC-MGMT-002")
    assert finding.status == FAIL and "expired on 2026-11-01" in finding.message


def test_audit_command_writes_every_report_and_fails_on_high_findings(cli, configs, tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    for name in ("library-rt1", "ch-acc-1f"):
        (folder / f"{name}.cfg").write_text(configs[name])
    (folder / "library-rt1.cfg").write_text(_plant(configs["library-rt1"], "hostname library-rt1",
                                                   "password zebra")[0])
    (folder / "broken.cfg").write_bytes(b"\x00\x00garbage")
    result = cli("audit", "--from", str(folder), "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert {(f["device"], f["rule"], f["status"]) for f in doc["findings"]} == {
        ("library-rt1", "SEC-MGMT-002", FAIL), ("library-rt1", "SEC-AUTH-004", FAIL), ("broken", "PARSE", ERROR)}
    # drift from the intended configurations: the planted line, secret masked; the clean file has none
    assert doc["drift"] == {"library-rt1": ["no password <secret:*>"]}
    finding = next(f for f in doc["findings"] if f["rule"] == "SEC-MGMT-002")
    assert {"device", "rule", "severity", "message", "line"} <= set(finding) and finding["line"] == 3
    html = (tmp_path / "out/report.html").read_text()
    assert "SEC-MGMT-002" in html and "ログイン" in html and not re.search(r"(src|href)=\"https?://", html)
    junit = ElementTree.parse(tmp_path / "out/junit.xml").getroot()
    assert len(junit.findall(".//failure")) == 2 and len(junit.findall(".//error")) == 1
    assert "SEC-MGMT-002" in (tmp_path / "out/summary.md").read_text()
    clean = folder.parent / "clean"
    clean.mkdir()
    (clean / "ch-acc-1f.cfg").write_text(configs["ch-acc-1f"])
    assert cli("audit", "--from", str(clean), "--out", str(tmp_path / "out2")).exit_code == 0


def test_audit_without_a_source_is_a_clear_error(cli):
    result = cli("audit")
    assert result.exit_code == 2 and "--from DIR and --live" in result.output
