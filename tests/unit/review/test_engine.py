"""The security review of configuration changes: a corpus of before/after pairs on both platforms,
each with the classes and risk a reviewer should see, and changes that must be classed harmless."""

from __future__ import annotations

import json
import subprocess

import pytest
from support import INVENTORY, REPO, edit, line_containing

from muronet.platforms import get_platform
from muronet.policy.context import Settings
from muronet.render.engine import Renderer
from muronet.render.vocabulary import read_vocabulary
from muronet.review.engine import review_device


@pytest.fixture(scope="module")
def configs(reference):
    renderer = Renderer(reference, REPO / "templates")
    rendered = {d.name: renderer.render(d) for d in reference.devices}
    for name in ("ch-lgwan-rt1", "ch-core1", "ch-inet-rt1"):
        device = next(d for d in reference.devices if d.name == name)
        rendered[f"ios:{name}"] = renderer.render(device.model_copy(update={"platform": "cisco_ios"}))
    return rendered


def _edit(text: str, old: str, new: str) -> str:
    """``text`` with the first ``old`` (a run of whole lines) replaced by ``new``; "" deletes it."""
    assert old + "\n" in text, old
    return text.replace(old + "\n", new + "\n" if new else "", 1)


def _review(name, before, after, reference_index):
    platform = "cisco_ios" if name.startswith("ios:") else reference_index.devices[name].platform
    settings = Settings.from_inventory(reference_index)
    return review_device(name.removeprefix("ios:"), platform, before, after, settings, reference_index,
                         reference_index, read_vocabulary(REPO / "templates" / get_platform(platform).template_dir))


ROUTE_LGWAN = "ip route 10.20.0.0/16 blackhole"
ROUTE_LGWAN_IOS = "ip route 10.20.0.0 255.255.0.0 Null0"
LINE_ACL = " 40 permit ip 10.224.16.0 0.0.15.255 10.20.0.0 0.0.255.255"
# (case id, device, old lines, new lines, expected classes, expected risk)
CASES = [
    # new path between zones
    ("frr-route-into-internet", "ch-core1", "!", "vrf LGWAN\n ip route 10.30.0.0/16 10.20.255.1\nexit-vrf\n!",
     {"zone_path", "unknown_command"}, "critical"),
    ("frr-default-in-lgwan", "ch-lgwan-rt1", ROUTE_LGWAN, ROUTE_LGWAN + "\nip route 0.0.0.0/0 10.224.255.1",
     {"zone_path"}, "critical"),
    ("frr-leak-import-vrf", "ch-core1", "!", "vrf LGWAN\n ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET\n"
     "exit-vrf\n!", {"zone_path", "unknown_command"}, "critical"),
    ("frr-redistribution", "library-rt1", " passive-interface default", " passive-interface default\n"
     " redistribute connected", {"zone_path"}, "high"),
    ("frr-tunnel", "library-rt1", "!", "interface gre1\n ip address 192.0.2.1/30\nexit\n!", {"zone_path"},
     "critical"),
    ("ios-nat", "ios:ch-inet-rt1", "!", "ip nat inside source list 10 interface GigabitEthernet0/0/5 overload\n!",
     {"zone_path", "unknown_command"}, "critical"),
    ("ios-policy-routing", "ios:ch-core1", "!", "route-map PBR permit 10\n set ip next-hop 203.0.113.1\n!",
     {"zone_path"}, "high"),
    ("frr-svi-joins-zone", "library-rt1", "!", "interface eth6 vrf LGWAN\n ip address 10.20.200.1/24\nexit\n!",
     {"zone_path"}, "critical"),
    # filter widening on a boundary
    ("ios-permit-any", "ios:ch-lgwan-rt1", LINE_ACL, LINE_ACL + "\n 45 permit ip any 10.20.0.0 0.0.255.255",
     {"filter_widening"}, "high"),
    ("ios-deny-removed", "ios:ch-lgwan-rt1", " 50 deny ip any any log", "", {"filter_widening"}, "critical"),
    ("ios-filter-unbound", "ios:ch-lgwan-rt1", " ip access-group LGWAN-LINE-IN in", "", {"filter_widening"},
     "critical"),
    ("ios-reordered", "ios:ch-inet-rt1", " 10 permit tcp host 10.30.254.1 host 10.30.254.2 eq bgp\n"
     " 20 permit tcp host 10.30.254.1 eq bgp host 10.30.254.2",
     " 10 permit tcp host 10.30.254.1 eq bgp host 10.30.254.2\n"
     " 20 permit tcp host 10.30.254.1 host 10.30.254.2 eq bgp", {"filter_widening"}, "high"),
    # management exposure
    ("ios-telnet", "ch-acc-1f", " transport input ssh", " transport input telnet ssh", {"management_exposure"},
     "critical"),
    ("ios-http", "ch-acc-1f", "no ip http server", "ip http server", {"management_exposure", "unknown_command"},
     "critical"),
    ("ios-community", "ch-acc-1f", "!\nip access-list standard VTY-MGMT", "snmp-server community s3cr3t-c0mm RO\n"
     "!\nip access-list standard VTY-MGMT", {"management_exposure", "secret", "unknown_command"}, "critical"),
    # commands no template writes (a hand edit, another tool, text that escaped its field)
    ("frr-ip-forwarding", "library-rt1", "!", "ip forwarding\n!", {"unknown_command"}, "critical"),
    ("ios-banner-escape", "ch-acc-1f", "^C", "^C\nip domain lookup", {"unknown_command"}, "critical"),
    ("frr-vty-acl-widened", "library-rt1", "access-list VTY-MGMT seq 5 permit 10.99.0.50/32",
     "access-list VTY-MGMT seq 5 permit 10.99.0.50/32\naccess-list VTY-MGMT seq 7 permit 10.40.0.0/16",
     {"management_exposure"}, "high"),
    # weakened controls
    ("ios-logging-removed", "ch-acc-1f", "logging host 10.99.0.22 vrf MGMT", "", {"weakened_control"}, "high"),
    ("ios-timeout", "ch-acc-1f", " exec-timeout 10 0", " exec-timeout 60 0", {"weakened_control"}, "high"),
    ("frr-ospf-auth-removed", "library-rt1", " ip ospf authentication message-digest", "", {"weakened_control"},
     "high"),
    # routing policy on the LGWAN line and eBGP
    ("frr-lgwan-export", "ch-lgwan-rt1", "ip prefix-list PL-LGWAN-AP-OUT seq 10 permit 10.20.0.0/16",
     "ip prefix-list PL-LGWAN-AP-OUT seq 10 permit 10.20.0.0/16\nip prefix-list PL-LGWAN-AP-OUT seq 20 permit "
     "10.20.128.0/17", {"external_routing"}, "high"),
    ("ios-ebgp-max-prefix", "ios:ch-lgwan-rt1", "  neighbor 10.224.255.1 maximum-prefix 200",
     "  neighbor 10.224.255.1 maximum-prefix 5000", {"external_routing"}, "high"),
    # secrets
    ("frr-new-key", "library-rt1", " ip ospf authentication message-digest",
     " ip ospf authentication message-digest\n ip ospf message-digest-key 2 md5 n3wK3y!", {"secret"}, "medium"),
    # lines the device's grammar does not take: the review fails closed
    ("frr-unread-line", "library-rt1", " access-class VTY-MGMT", " access-class VTY-MGMT\n exec-timeut 5",
     {"unread_line"}, "critical"),
    ("ios-unread-line", "ch-acc-1f", " transport input ssh", " transport input ssh\n transport inbound telnet",
     {"unread_line"}, "critical"),
    # harmless
    ("frr-description", "library-rt1", " description 室蘭市図書館 施設LAN", " description 室蘭市図書館 施設LAN（2階）",
     set(), "low"),
    ("ios-reordered-lines-only", "ch-acc-1f", "no ip http server\nno ip http secure-server",
     "no ip http secure-server\nno ip http server", set(), "none"),
]


@pytest.mark.parametrize(("device", "old", "new", "classes", "risk"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_change_gets_its_classes_and_risk(device, old, new, classes, risk, configs, reference_index):
    before = configs[device]
    review = _review(device, before, _edit(before, old, new), reference_index)
    assert {f.kind for f in review.findings} == classes, review.reasons()
    assert review.risk == risk, review.reasons()
    for finding in review.findings:  # each class names the lines that cause it
        assert finding.lines and all(line.path for line in finding.lines)


def test_every_class_has_cases_in_the_corpus():
    from muronet.review.classes import CLASSES

    covered = {(kind, case_id.split("-")[0]) for case_id, *_, classes, _ in CASES for kind in classes}
    for kind in CLASSES:
        assert {(kind, "frr"), (kind, "ios")} & covered, kind
    assert {k for k, _ in covered} == set(CLASSES)


def test_a_trunk_that_starts_carrying_another_zone_is_a_new_path(configs, reference_index):
    full = " switchport trunk allowed vlan 106-110,119,206-210,219,306-310,319"
    before = _edit(configs["ch-acc-1f"], full, " switchport trunk allowed vlan 106-110,119")
    review = _review("ch-acc-1f", before, _edit(before, " switchport trunk allowed vlan 106-110,119",
                                                 " switchport trunk allowed vlan 106-110,119,206"), reference_index)
    assert [(f.kind, f.reason) for f in review.findings] == [("zone_path", "trunk now also carries zone LGWAN")]


def test_a_new_facility_router_that_follows_policy_is_harmless(configs, reference_index):
    review = _review("library-rt1", "", configs["library-rt1"], reference_index)
    assert review.status == "added" and review.findings == [] and review.new == []
    assert review.risk == "low"


PARK = """sites:
  - {slug: etomo-park, facility_id: 45, name_ja: 絵鞆公園管理棟, name_romaji: Etomo Koen Kanrito, kind: tourism,
     district: 絵鞆町, address: 室蘭市絵鞆町4丁目, latitude: 42.321, longitude: 140.952}
devices:
  - name: etomo-park-rt1
    site: etomo-park
    role: facility_edge
    platform: frr
    device_type: twin-router
    global_zone: REGIONAL
    router_id: 10.40.0.145
    interfaces:
      - {name: lo, role: loopback, zone: REGIONAL, address: 10.40.0.145/32, ospf: {area: 1, passive: true}}
      - {name: eth1, role: fiber, zone: REGIONAL, address: 10.40.1.99/31, ospf: {area: 1}}
      - {name: eth3, role: facility_lan, zone: REGIONAL, address: 10.40.145.1/24, ospf: {area: 1, passive: true}}
      - {name: mgmt0, role: management, zone: MGMT, address: 10.99.2.45/22, description: "OOB management"}
prefixes:
  - {prefix: 10.40.145.0/24, zone: REGIONAL, role: facility_lan, site: etomo-park}
"""


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=review@test", "-c", "user.name=review", *args],
                   check=True, capture_output=True)


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_review_of_repository_changes_add_a_facility_then_a_leaky_one(cli, inventory_copy, tmp_path):
    repo = inventory_copy.parent
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    (inventory_copy / "facilities/etomo-park.yaml").write_text(PARK, encoding="utf-8")
    eth5 = '      - {name: eth5, role: fiber, zone: REGIONAL, address: 10.40.1.82/31, ospf: {area: 1}, ' \
           'description: "光ファイバー to telemetry-etomo-rt1"}\n'
    _replace(inventory_copy / "facilities/etomo-es.yaml", eth5, eth5 + '      - {name: eth6, role: fiber, zone: '
             'REGIONAL, address: 10.40.1.98/31, ospf: {area: 1}, description: "光ファイバー to etomo-park-rt1"}\n')
    cable = "  - {a: etomo-es-rt1:eth5, b: telemetry-etomo-rt1:eth1, kind: smf, length_km: 0.38, label: FB-041}\n"
    _replace(inventory_copy / "fiber.yaml", cable,
             cable + "  - {a: etomo-es-rt1:eth6, b: etomo-park-rt1:eth1, kind: smf, length_km: 0.45, label: FB-045}\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "add the Etomo park facility")
    result = cli("review", "--inventory", str(inventory_copy), "--git", "HEAD~1..HEAD", "--out", str(tmp_path / "a"),
                 "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and doc["risk"] == "low" and not doc["blocking"]
    assert {(d["device"], d["status"]) for d in doc["devices"]} == {("etomo-park-rt1", "added"),
                                                                    ("etomo-es-rt1", "changed")}
    assert all(d["classes"] == [] and d["new_findings"] == [] for d in doc["devices"])

    _replace(inventory_copy / "lgwan.yaml", "export_prefixes: [10.20.0.0/16]",
             "export_prefixes: [10.20.0.0/16, 10.40.145.0/24]")  # the park's LAN announced into LGWAN
    _git(repo, "commit", "-qam", "park cameras reachable from LGWAN")
    result = cli("review", "--inventory", str(inventory_copy), "--git", "HEAD~1..HEAD", "--out", str(tmp_path / "b"))
    assert result.exit_code == 1
    review = (tmp_path / "b/review.md").read_text()
    assert review.startswith("## Security review: 🛑 CRITICAL — **blocks the merge**")
    assert "route from zone LGWAN towards zone REGIONAL" in review and "SEC-ZONE-009" in review
    # the routing model: the blackhole the network statement needs puts a REGIONAL prefix in an LGWAN table
    network = json.loads((tmp_path / "b/review.json").read_text())["network"]
    assert [(f["check"], f["severity"], f["device"]) for f in network["new"]] == [
        ("zone-route", "critical", "ch-lgwan-rt1")]
    assert "table default (zone LGWAN) holds 10.40.145.0/24 static via blackhole" in network["new"][0]["message"]
    assert {(c["router"], c["prefix"], c["change"]) for c in network["routes"]} >= {
        ("ch-lgwan-rt1", "10.40.145.0/24", "appears")}
    sarif = json.loads((tmp_path / "b/review.sarif").read_text())
    places = {(loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
              for r in sarif["runs"][0]["results"] for loc in r["locations"]}
    export_line = line_containing(inventory_copy / "lgwan.yaml", "10.40.145.0/24")
    assert places == {("inventory/lgwan.yaml", export_line)}  # the inventory line that caused it


def test_review_of_two_folders_classes_masks_and_gates(cli, configs, tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    for name in ("ch-acc-1f", "library-rt1"):
        (before / f"{name}.cfg").write_text(configs[name])
        (after / f"{name}.cfg").write_text(configs[name])
    (after / "ch-acc-1f.cfg").write_text(_edit(configs["ch-acc-1f"], "no ip http server",
                                               "no ip http server\nsnmp-server community Zz-leak-991 RW"))
    result = cli("review", "--before", str(before), "--after", str(after), "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 1  # a command no template writes, and SNMP-001 a new high finding: blocking
    doc = json.loads(result.stdout)
    assert [(d["device"], {c["class"] for c in d["classes"]}) for d in doc["devices"]] == [
        ("ch-acc-1f", {"management_exposure", "secret", "unknown_command"})]
    for report in ("review.md", "review.json", "review.sarif"):
        assert "Zz-leak-991" not in (tmp_path / "out" / report).read_text()
    assert "Zz-leak-991" not in result.stdout


def test_review_needs_exactly_one_source(cli, tmp_path):
    result = cli("review", "--before", str(tmp_path))
    assert result.exit_code == 2 and "give one of" in result.output


def test_a_configuration_that_cannot_be_parsed_blocks_the_change(configs, reference_index, cli, tmp_path):
    text = configs["ch-acc-1f"]
    broken = text[:text.index("^C\n!\nline con 0")]  # cut inside the banner, as a truncated copy would be
    review = _review("ch-acc-1f", configs["ch-acc-1f"], broken, reference_index)
    assert review.status == "unreadable" and review.risk == "critical" and "banner" in review.reasons()[0]
    before, after = tmp_path / "before", tmp_path / "after"
    for folder, text in ((before, configs["ch-acc-1f"]), (after, broken)):
        folder.mkdir()
        (folder / "ch-acc-1f.cfg").write_text(text)
    result = cli("review", "--before", str(before), "--after", str(after), "--out", str(tmp_path / "out"), "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["blocking"] and doc["risk"] == "critical"
    assert doc["devices"][0]["status"] == "unreadable"


def test_a_change_that_breaks_the_inventory_blocks_with_the_file_and_line(cli, inventory_copy, tmp_path):
    """The issue's injection, as a merge request: a line break in a description. The inventory of the
    change no longer validates, so nothing of it can be approved: critical, exit 1, where it is."""
    repo = inventory_copy.parent
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    path = inventory_copy / "facilities" / "library.yaml"
    edit(path, 'description: "光ファイバー to ch-agg1"',
         'description: "LAN\\nexit\\nip route 0.0.0.0/0 203.0.113.66\\ninterface eth9"')
    result = cli("review", "--inventory", str(inventory_copy), "--git", "HEAD..", "--out", str(tmp_path / "out"),
                 "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["blocking"] and doc["risk"] == "critical", result.output
    line = line_containing(path, "203.0.113.66")
    assert any(e.startswith(f"inventory/facilities/library.yaml:{line}: ") and "line break" in e
               for e in doc["errors"]), doc["errors"]
    sarif = json.loads((tmp_path / "out" / "review.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"review/unreadable"}


def test_a_revision_that_is_an_option_is_refused_before_git_sees_it(cli, tmp_path):
    target = tmp_path / "written-by-git"
    for spec in (f"--output={target}..HEAD", f"HEAD..--output={target}", "no-such-commit..HEAD"):
        result = cli("review", "--git", spec, "--out", str(tmp_path / "out"))
        assert result.exit_code == 2 and ("is not a revision" in result.output or "no such commit" in result.output)
    assert not target.exists()


def test_review_of_the_government_cloud_line_its_policy_and_a_leak_of_its_prefixes(cli, inventory_copy, tmp_path):
    """The Government Cloud line's routing policy is another organisation's boundary: a change to
    it is said as such and the policy judges it; a Government Cloud prefix routed into another
    zone is critical."""
    repo = inventory_copy.parent
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    primary = "          circuit: GC-HKD-0205-0001"
    _replace(inventory_copy / "government-cloud.yaml", f"          max_prefixes: 50\n{primary}",
             f"          max_prefixes: 20\n{primary}")
    _git(repo, "commit", "-qam", "a tighter prefix limit on the primary")
    result = cli("review", "--inventory", str(inventory_copy), "--git", "HEAD~1..HEAD", "--out", str(tmp_path / "a"),
                 "--json")
    doc = json.loads(result.stdout)
    [device] = doc["devices"]
    assert device["device"] == "ch-gc-rt1" and [c["class"] for c in device["classes"]] == ["external_routing"]
    assert doc["risk"] == "high" and doc["blocking"] is False  # another organisation's policy, nothing weakened

    _replace(inventory_copy / "lgwan.yaml", "export_prefixes: [10.20.0.0/16]", "export_prefixes: [10.20.0.0/16, "
             "10.226.0.0/20]")  # a Government Cloud prefix announced into LGWAN
    _git(repo, "commit", "-qam", "cloud systems for LGWAN")
    result = cli("review", "--inventory", str(inventory_copy), "--git", "HEAD~1..HEAD", "--out", str(tmp_path / "b"),
                 "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["risk"] == "critical" and doc["blocking"]
    new = [(f["check"], f["severity"], f["device"]) for f in doc["network"]["new"]]
    assert ("zone-route", "critical", "ch-lgwan-rt1") in new
    assert any("10.226.0.0/20" in f["message"] for f in doc["network"]["new"])


def test_the_review_judges_a_change_under_the_citys_separation_model(cli, tmp_path):
    """One INTERNET-zone terminal port loses 802.1X: under β′ (the example) that is a new high
    finding of SEC-ZONE-015 and blocks; under α the rule does not apply and nothing is found."""
    from muronet.inventory.overlay import assemble
    from muronet.workflows.common import load

    beta_prime = tmp_path / "bp/inventory"
    assemble(INVENTORY, REPO / "examples/beta-prime/inventory", beta_prime)
    (tmp_path / "bp/templates").symlink_to(REPO / "templates")
    example = load(beta_prime)
    switch = Renderer(example, REPO / "templates").render(example.device("ch-acc-1f"))
    port = switch.split("\ninterface ")[1:]
    internet = next(p for p in port if " switchport access vlan 30" in p and " dot1x pae authenticator" in p)
    weakened = switch.replace(internet, internet.replace(" authentication port-control auto\n", ""), 1)
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    (before / "ch-acc-1f.cfg").write_text(switch)
    (after / "ch-acc-1f.cfg").write_text(weakened)
    verdicts = {}
    for model, inventory in (("beta_prime", beta_prime), ("alpha", INVENTORY)):
        result = cli("review", "--inventory", str(inventory), "--before", str(before), "--after", str(after),
                     "--out", str(tmp_path / model), "--json")
        doc = json.loads(result.stdout)
        verdicts[model] = (result.exit_code, [f["rule"] for d in doc["devices"] for f in d["new_findings"]])
    assert verdicts["beta_prime"] == (1, ["SEC-ZONE-015"])
    assert verdicts["alpha"][1] == []


def test_a_change_that_opens_a_ring_is_blocked_with_the_failure_that_shows_it(cli, inventory_copy, tmp_path):
    """The west ring opened at aquarium-rt1:eth2 (shut down): every facility on it still reaches city
    hall, but now by one way only, so a single span's or router's loss cuts some of them: a new
    single point of failure of a flow the policy requires (a facility's to city hall). A change
    that moves routes without taking redundancy away is not said to."""
    repo = inventory_copy.parent
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    eth2 = '      - {name: eth2, role: fiber, zone: REGIONAL, address: 10.40.1.10/31, ospf: {area: 1}, '
    _replace(inventory_copy / "facilities/aquarium.yaml", eth2,
             eth2.replace("{name: eth2,", "{name: eth2, shutdown: true,"))
    _git(repo, "commit", "-qam", "aquarium to michinoeki span off for maintenance")
    result = cli("review", "--inventory", str(inventory_copy), "--git", "HEAD~1..HEAD", "--out", str(tmp_path / "a"),
                 "--json")
    doc = json.loads(result.stdout)
    redundancy = [f for f in doc["network"]["new"] if f["check"] == "redundancy"]
    assert result.exit_code == 1 and doc["blocking"]
    elements = {f["device"] for f in redundancy}
    assert {"FB-003", "FB-007", "etomo-es-rt1", "hospital-rt1"} <= elements  # spans and routers on either side
    assert all(f["severity"] == "critical" for f in redundancy if f["device"].startswith("FB-"))
    finding = next(f for f in redundancy if f["device"] == "FB-003")
    assert "depend on FB-003 alone" in finding["message"]
    assert "see `muronet analyze --fail FB-003`" in finding["message"]
