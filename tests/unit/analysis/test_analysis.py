"""``muronet analyze``: what configurations define and use, and whether every OSPF adjacency and BGP
session can come up, read from configurations alone (muronet.analysis). Planted mistakes in the
city's rendered configurations, configurations written by people (the FRR corpus, NAPALM's IOS
recording), and sessions between devices the inventory does not know."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import INVENTORY, REPO

from muronet.markdown import text as markdown_text
from muronet.render.engine import Renderer
from muronet.workflows.common import load

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
    assert done.output.strip().splitlines()[-1] == f"{len(load(INVENTORY).devices)} configurations analysed: nothing"


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
    critical = {f["check"]: f for f in document["findings"] if f["severity"] == "critical"}
    assert code == 1 and sorted(critical) == ["bgp-session", "zone-flow-lost"]
    session = critical["bgp-session"]
    assert session["device"] == "ch-lgwan-rt1" and "the circuit LGWAN-" in session["message"]
    line = configs["ch-lgwan-rt1"].splitlines()[session["line"] - 1]
    assert line.strip().startswith("neighbor 10.224.255.1 remote-as")
    # without the session, the LGWAN access point's prefixes are in no LGWAN table: its hosts lose it
    lost = critical["zone-flow-lost"]["message"]
    assert lost.startswith("LGWAN → LGWAN cannot be reached") and "LGWAN access point" in lost
    assert "has no route to 10.224." in lost


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


STRUCTURES_IOS = """version 17.9
hostname r1
vrf definition BLUE
 address-family ipv4
 exit-address-family
object-group network SRC
 host 10.0.0.1
object-group network DST
 host 10.0.0.2
object-group network SPARE
 host 10.0.0.3
ip access-list extended A
 permit ip object-group SRC object-group DST
interface GigabitEthernet0/1
 vrf forwarding BLUE
 ip address 10.1.1.1 255.255.255.0
 ip access-group A in
interface GigabitEthernet0/2
 vrf forwarding RED
ip sla 5
 icmp-echo 10.9.9.9
ip sla schedule 5 life forever start-time now
track 1 ip sla 5 reachability
track 2 ip sla 6 reachability
ip route vrf BLUE 0.0.0.0 0.0.0.0 10.1.1.254 track 1
ip extcommunity-list standard X1 permit rt 65000:1
route-map M permit 10
 match extcommunity X1
 match extcommunity X2
router bgp 65000
 address-family ipv4 vrf GREEN
  neighbor 10.1.1.2 remote-as 65001
  neighbor 10.1.1.2 route-map M in
 exit-address-family
"""
STRUCTURES_FRR = """frr version 8.4.4
hostname r2
bgp large-community-list standard L1 seq 5 permit 65000:1:1
bgp large-community-list standard L2 seq 5 permit 65000:2:2
route-map N permit 10
 match large-community L1
 match large-community L3
exit
bfd
 profile FAST
 exit
 profile SPARE
 exit
exit
router bgp 65002
 neighbor 192.0.2.1 remote-as 65003
 neighbor 192.0.2.1 bfd profile FAST
 neighbor 192.0.2.1 bfd profile SLOW
 address-family ipv4 unicast
  neighbor 192.0.2.1 route-map N in
  neighbor 192.0.2.1 route-map N out
 exit-address-family
exit
"""


def test_every_kind_of_structure_a_line_can_name(cli, tmp_path):
    """IOS's VRFs (an interface's, a static's, a BGP address family's), object groups (an ACL line's
    source and destination), track objects and IP SLA operations, extended communities; FRR's large
    communities and BFD profiles: each named but not defined is undefined, each defined and named
    by nothing is unused (a VRF or an SLA needs no reference)."""
    code, document = analysed(cli, folder_of(tmp_path / "c", {"r1": STRUCTURES_IOS, "r2": STRUCTURES_FRR}))
    undefined = {(f["device"], f["message"].rsplit(": ", 1)[1]) for f in document["findings"]
                 if f["check"] == "undefined-reference"}
    assert undefined == {("r1", "vrf RED is not defined"), ("r1", "vrf GREEN is not defined"),
                         ("r1", "ip sla 6 is not defined"), ("r1", "extcommunity-list X2 is not defined"),
                         ("r2", "large-community-list L3 is not defined"), ("r2", "bfd profile SLOW is not defined")}
    unused = {(f["device"], f["message"]) for f in document["findings"] if f["check"] == "unused-structure"}
    assert unused == {("r1", "object-group SPARE is defined and never used"),
                      ("r1", "track 2 is defined and never used"),
                      ("r2", "large-community-list L2 is defined and never used"),
                      ("r2", "bfd profile SPARE is defined and never used")}
    assert code == 1


def test_an_address_on_a_vrf_s_own_device_is_in_that_vrf(cli, tmp_path):
    """FRR's VRF device (``interface BLUE`` of ``vrf BLUE``) holds the VRF's addresses, as a loopback
    holds the global table's; an interface bound with ``interface eth1 vrf BLUE`` is in it too."""
    frr = ("frr version 8.4.4\nhostname r1\nvrf BLUE\nexit-vrf\ninterface BLUE\n ip address 10.9.9.9/32\nexit\n"
           "interface eth1 vrf BLUE\n ip address 10.1.1.1/24\nexit\ninterface lo\n ip address 10.0.0.1/32\nexit\n")
    _, document = analysed(cli, folder_of(tmp_path / "c", {"r1": frr}), "--routes")
    tables = {table: {r["prefix"] for r in routes} for table, routes in document["routes"]["r1"].items()}
    assert tables == {"BLUE": {"10.9.9.9/32", "10.1.1.0/24"}, "default": {"10.0.0.1/32"}}


STRUCTURES_IOS_SECURITY = """version 17.9
hostname r1
aaa new-model
tacacs server T1
 address ipv4 10.0.0.1
tacacs server T2
 address ipv4 10.0.0.2
tacacs server SPARE
 address ipv4 10.0.0.3
aaa group server tacacs+ G1
 server name T1
 server name T2
 server name T9
aaa group server tacacs+ UNUSEDG
 server name T1
aaa authentication login default group G1 group tacacs+ local
aaa accounting exec default start-stop group G2
time-range WORK
 periodic weekdays 8:00 to 18:00
time-range IDLE
 periodic weekend 0:00 to 23:59
ip access-list extended A
 permit tcp any any eq 22 time-range WORK
 permit tcp any any eq 23 time-range NOPE
ip nat pool P1 192.0.2.1 192.0.2.10 prefix-length 24
ip nat inside source list A pool P1 overload
ip nat inside source list A pool P2
crypto isakmp profile IKP
 match identity address 0.0.0.0
crypto ipsec transform-set TS1 esp-aes esp-sha-hmac
crypto ipsec transform-set TS2 esp-aes esp-sha-hmac
crypto ipsec profile IPP
 set transform-set TS1 TS3
crypto map CM 10 ipsec-isakmp
 set isakmp-profile IKP
 set transform-set TS1
crypto map CM2 10 ipsec-isakmp
 set transform-set TS1
zone security INSIDE
zone security OUTSIDE
zone security DMZ
class-map type inspect match-any CI
 match protocol tcp
policy-map type inspect PI
 class type inspect CI
  inspect
zone-pair security ZP source INSIDE destination OUTSIDE
 service-policy type inspect PI
zone-pair security ZP2 source self destination LOST
 service-policy type inspect PX
interface GigabitEthernet0/1
 zone-member security INSIDE
 crypto map CM
interface Tunnel0
 tunnel protection ipsec profile IPP
 tunnel protection ipsec profile IPX
"""


def test_every_security_structure_a_line_can_name(cli, tmp_path):
    """IOS's AAA server groups (several on one line, the built-in ``tacacs+`` aside) and their
    servers, time ranges on ACL lines, NAT pools and the ACL a NAT rule names, crypto maps, IPsec
    profiles and transform sets (several on one line), ISAKMP profiles, security zones (``self``
    built in), inspect class and policy maps: undefined where named and not defined, unused where
    defined and named by nothing."""
    code, document = analysed(cli, folder_of(tmp_path / "c", {"r1": STRUCTURES_IOS_SECURITY}))
    undefined = {f["message"].rsplit(": ", 1)[1].removesuffix(" is not defined") for f in document["findings"]
                 if f["check"] == "undefined-reference"}
    assert undefined == {"aaa server T9", "aaa server group G2", "ipsec profile IPX", "nat pool P2", "policy-map PX",
                         "security zone LOST", "time-range NOPE", "transform-set TS3"}
    unused = {f["message"].removesuffix(" is defined and never used") for f in document["findings"]
              if f["check"] == "unused-structure"}
    assert unused == {"aaa server SPARE", "aaa server group UNUSEDG", "crypto map CM2", "security zone DMZ",
                      "time-range IDLE", "transform-set TS2"}
    assert code == 1


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
    assert "BGP session r1 → 192.0.2.1: r2 expects AS 64609, r1 is AS 64601 [remote-as]" in found
    assert "BGP session r1 → 192.0.2.1: the passwords differ [password]" in found
    assert "BGP session r1 → 192.0.2.1: TTL security (GTSM) on one end only [ttl-security]" in found
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
    assert any(check == "zone-flow-lost" and severity == "critical" and "LGWAN access point" in message
               for check, severity, message in new)
    # the central ring now reaches city hall by ch-agg2 alone: its spans and routers, and the link
    # between the two aggregation routers (the regional servers' gateway is ch-agg1, their VRRP
    # master), are new single points of failure of facilities' flows to city hall (the redundancy
    # the change takes away)
    central = {c.label for c in load(INVENTORY).cables if c.ring == "central"} | {"FB-000", "ch-agg2"}
    central |= {end.split(":")[0] for c in load(INVENTORY).cables if c.ring == "central" for end in (c.a, c.b)}
    redundancy = {(f["device"], f["severity"]) for f in document["network"]["new"] if f["check"] == "redundancy"}
    assert redundancy and {device for device, _ in redundancy} <= central
    assert ("FB-012", "critical") in redundancy and document["network"]["resolved"] == []
    assert len(new) == 3 + len(redundancy)
    markdown = next(out.glob("*.md")).read_text()
    assert "### Across devices" in markdown and r"areas differ \(0\.0\.0\.2 / 0\.0\.0\.3\)" in markdown  # escaped
    sarif = json.loads(next(out.glob("*.sarif")).read_text())
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"analysis/ospf-adjacency", "analysis/bgp-session"} <= rules
    back = cli("review", "--inventory", str(INVENTORY), "--before", str(after_dir), "--after", str(before_dir),
               "--format", "json", "--out", str(tmp_path / "back"), "--json")
    assert len(json.loads(back.output)["network"]["resolved"]) == 3  # the way back mends all three


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
    assert code == 1
    assert "BGP session r1 → 192.0.2.1: the passwords differ [password]" in messages(document, "bgp-session")


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


# --- the routing model, offline (muronet.analysis.routing; the twin proves it in test_provision.py) -------------


def test_the_reference_city_routes_only_within_its_zones(cli):
    done = cli("analyze", "--inventory", str(INVENTORY), "--json", "--routes", "--limit", "ch-lgwan-rt1,ch-core2")
    document = json.loads(done.output)
    reach = document["reachability"]
    assert done.exit_code == 0 and reach["ok"] and reach["violations"] == [] and reach["probes"] == 630
    # 4 LGWAN sources × (6 LGWAN LANs' test hosts + 4 LGWAN servers: the relay's LGWAN side, the
    # groupware, mail, the financial system), less each source to itself
    assert reach["matrix"]["LGWAN->LGWAN"] == {"allowed": True, "reached": 36, "probes": 36, "one_way": 0}
    assert reach["matrix"]["MYNUMBER->INTERNET"]["reached"] == 0
    assert set(document["routes"]) == {"ch-lgwan-rt1", "ch-core2"}
    lgwan = {r["prefix"]: r for r in document["routes"]["ch-lgwan-rt1"]["default"]}
    # from the access point through the inbound route-map; the blackhole the network statement needs
    assert lgwan["10.224.16.0/20"]["protocol"] == "bgp" and lgwan["10.224.16.0/20"]["next_hops"] == ["10.224.255.1"]
    assert lgwan["10.20.0.0/16"]["next_hops"] == ["blackhole"] and lgwan["10.20.0.0/16"]["line"] is not None
    core = {r["prefix"]: r for r in document["routes"]["ch-core2"]["LGWAN"]}
    assert core["10.224.16.0/20"]["protocol"] == "ospf" and core["10.224.16.0/20"]["metric"] == 20  # E2
    assert core["10.224.16.0/20"]["from"] == "ch-lgwan-rt1 'redistribute bgp route-map RM-BGP-TO-OSPF'"
    assert "10.30.0.0/16" not in core and "0.0.0.0/0" not in core
    inet = {r["prefix"]: r for r in document["routes"]["ch-core2"]["INTERNET"]}
    assert inet["0.0.0.0/0"]["metric"] == 10 and inet["0.0.0.0/0"]["next_hops"] == ["10.30.255.5"]


def test_the_city_on_cisco_ios_has_the_same_route_tables_as_on_frr(reference, reference_index):
    """The same city rendered for IOS (VRF definitions, ``ip ospf N area``, VRRPv3 blocks, ``network
    A mask M``, ``Null0``): the model computes the same next hops for every prefix of every table,
    and the same clean matrix."""
    from muronet.analysis import audits_of, network_analysis
    from muronet.policy.context import Settings

    def tables(platform: str) -> dict:
        renderer = Renderer(reference, REPO / "templates")
        texts = {d.name: renderer.render(d.model_copy(update={"platform": platform}) if platform == "cisco_ios" else d)
                 for d in reference.devices}
        platforms = {name: platform if platform == "cisco_ios" else reference_index.devices[name].platform
                     for name in texts}
        analysis = network_analysis(reference_index, audits_of(texts, platforms, Settings.from_inventory(
            reference_index), reference_index))
        assert analysis.zone_matrix().ok and not [f for f in analysis.findings if f.severity != "low"]
        return {(node, str(prefix)): (route.protocol, route.comparable()[2])
                for node, table in analysis.model.tables.items() for prefix, route in table.items()}

    def without_local(table: dict) -> dict:
        return {key: route for key, route in table.items() if route[0] != "local"}

    frr, ios = tables("frr"), tables("cisco_ios")
    assert len(frr) > 5000 and without_local(ios) == without_local(frr)
    # IOS adds a /32 "local" route for each address of the router that is not itself a /32
    local = {key for key, route in ios.items() if route[0] == "local"}
    assert local and all(key[1].endswith("/32") and (key[0], key[1]) not in without_local(ios) for key in local)


def test_a_leak_between_two_vrfs_opens_the_zones_and_names_the_lines(cli, rendered, tmp_path):
    """Two static routes on one core switch, one each way between MYNUMBER and INTERNET: the flow is
    possible (critical, with both lines), and each table holds the other zone's prefix."""
    leak = ("vrf MYNUMBER\n ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET\nexit-vrf\n!\n"
            "vrf INTERNET\n ip route 10.10.0.0/16 10.10.255.1 nexthop-vrf MYNUMBER\nexit-vrf\n!\n")
    configs = {**rendered, "ch-core1": rendered["ch-core1"] + leak}
    code, document = analysed(cli, folder_of(tmp_path / "c", configs))
    flows = [f for f in document["findings"] if f["check"] == "zone-flow"]
    assert code == 1 and {f["message"].split(" is open")[0] for f in flows} == {"MYNUMBER → INTERNET",
                                                                                  "INTERNET → MYNUMBER"}
    opened = next(f for f in flows if f["message"].startswith("MYNUMBER → INTERNET"))
    assert opened["severity"] == "critical" and opened["device"] == "ch-core1"
    assert "ch-core1 'ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET'" in opened["message"]
    assert "ch-core1 'ip route 10.10.0.0/16 10.10.255.1 nexthop-vrf MYNUMBER'" in opened["message"]  # the reply
    assert configs["ch-core1"].splitlines()[opened["line"] - 1].strip().startswith("ip route 10.30.0.0/16")
    routes = messages(document, "zone-route")
    assert "table MYNUMBER (zone MYNUMBER) holds 10.30.0.0/16 static via 10.30.255.3 in INTERNET " \
           "(ch-core1 'ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET')" in routes
    matrix = document["reachability"]["matrix"]
    assert matrix["MYNUMBER->INTERNET"]["reached"] > 0 and not document["reachability"]["ok"]
    assert matrix["MYNUMBER->LGWAN"]["reached"] == 0  # the leak opens what it names, nothing else


def test_a_leak_one_way_is_named_as_the_flow_it_opens(cli, rendered, tmp_path):
    """One static route from LGWAN into INTERNET and none back: no ping could return, but packets from
    LGWAN reach INTERNET hosts (UDP, or data sent before any reply). The flow is named critical, one
    way, at the leaking line; nothing is said of the other direction, which stays closed."""
    leak = "vrf LGWAN\n ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET\nexit-vrf\n!\n"
    configs = {**rendered, "ch-core1": rendered["ch-core1"] + leak}
    code, document = analysed(cli, folder_of(tmp_path / "c", configs))
    flows = [f for f in document["findings"] if f["check"] == "zone-flow"]
    assert code == 1 and [f["message"].split(" is open")[0] for f in flows] == ["LGWAN → INTERNET"], flows
    assert "is open one way" in flows[0]["message"] and flows[0]["severity"] == "critical"
    assert "ch-core1 'ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET'" in flows[0]["message"]
    assert configs["ch-core1"].splitlines()[flows[0]["line"] - 1].strip().startswith("ip route 10.30.0.0/16")
    cell = document["reachability"]["matrix"]["LGWAN->INTERNET"]
    assert cell["reached"] == 0 and cell["one_way"] > 0 and not document["reachability"]["ok"]
    assert document["reachability"]["matrix"]["INTERNET->LGWAN"]["one_way"] == 0
    assert {v["got"] for v in document["reachability"]["violations"]} == {"reached one way"}


def test_the_review_reports_routes_that_move_and_flows_that_break(cli, rendered, tmp_path):
    """A filter line removed on the LGWAN router: 10.224.16.0/20 vanishes from every LGWAN table and the
    LGWAN hosts lose the 霞が関WAN gateway; the review names the routes and the lost flow, and blocks."""
    after = {**rendered, "ch-lgwan-rt1": rendered["ch-lgwan-rt1"].replace(
        "ip prefix-list PL-LGWAN-AP-IN seq 20 permit 10.224.16.0/20 le 32\n", "")}
    out = tmp_path / "out"
    done = cli("review", "--inventory", str(INVENTORY), "--before", str(folder_of(tmp_path / "b", rendered)),
               "--after", str(folder_of(tmp_path / "a", after)), "--format", "md,json,sarif", "--out", str(out),
               "--json")
    document = json.loads(done.output)
    assert done.exit_code == 1 and document["blocking"]
    vanished = {(c["router"], c["table"]) for c in document["network"]["routes"]
                if c["prefix"] == "10.224.16.0/20" and c["change"] == "vanishes"}
    assert ("ch-lgwan-rt1", "default") in vanished and ("ch-core1", "LGWAN") in vanished and len(vanished) == 3
    assert all(c["prefix"].startswith("10.224.16.") for c in document["network"]["routes"])
    lost = [f for f in document["network"]["new"] if f["check"] == "zone-flow-lost"]
    assert len(lost) == 1 and lost[0]["severity"] == "critical" and "10.224.16.1" in lost[0]["message"]
    markdown = next(out.glob("*.md")).read_text()
    assert "### Routes that appear, vanish or move (3)" in markdown
    assert f"➖ **{markdown_text('ch-core1')}** (LGWAN) {markdown_text('10.224.16.0/20')}" in markdown
    sarif = json.loads(next(out.glob("*.sarif")).read_text())
    assert "analysis/zone-flow-lost" in {r["ruleId"] for r in sarif["runs"][0]["results"]}


def test_backups_masked_with_a_salt_give_the_same_tables_as_the_rendering(cli, rendered, tmp_path):
    """What the nightly backups hold: running configurations whose secrets are keyed fingerprints.
    Equal keys stay equal (adjacencies form), a session password the circuit's far end names in the
    vault is not claimed different, so the model is the rendering's."""
    from muronet.masking import REFERENCE, mask

    values = {}  # a clear value per vault name, as the devices hold them
    running = {name: REFERENCE.sub(lambda m: values.setdefault(m.group(0), f"v{len(values)}-{m.group(0)[8:-1]}"),
                                   text) for name, text in rendered.items()}
    backups = folder_of(tmp_path / "backups", {name: mask(text, b"nightly-salt") for name, text in running.items()})
    assert "<secret:sha-" in (backups / "ch-lgwan-rt1.cfg").read_text()
    code, from_backups = analysed(cli, backups, "--routes")
    _, from_rendering = analysed(cli, folder_of(tmp_path / "rendered", rendered), "--routes")
    assert code == 0 and from_backups["reachability"]["ok"]
    assert from_backups["routes"] == from_rendering["routes"] and len(from_backups["routes"]) == 62  # and 4 far ends
    assert [f for f in from_backups["findings"] if f["severity"] != "low"] == []
