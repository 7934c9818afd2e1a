"""The review reads a line as the device reads it: every class of change the review claims, written
as an attacker writes it to slip past (keywords in another case, abbreviations the device takes,
children without indentation, a section opened twice, ``no …`` inside a section, every way to leak
routes between VRFs), is classed as its plain form is. A line the device's grammar does not take
fails closed. And FRR itself, in a scratch FRR, reads each FRR evasion as the review does."""

from __future__ import annotations

import json

import pytest
from support import REPO

from muronet.platforms import get_platform
from muronet.policy.context import Settings
from muronet.render.engine import Renderer
from muronet.render.vocabulary import read_vocabulary
from muronet.review.engine import review_device


@pytest.fixture(scope="module")
def configs(reference):
    renderer = Renderer(reference, REPO / "templates")
    rendered = {d.name: renderer.render(d) for d in reference.devices}
    for name in ("ch-lgwan-rt1", "ch-core1", "ch-inet-rt1", "library-rt1"):
        device = reference.device(name)
        rendered[f"ios:{name}"] = renderer.render(device.model_copy(update={"platform": "cisco_ios"}))
    return rendered


def _review(name, before, after, index):
    platform = "cisco_ios" if name.startswith("ios:") else index.devices[name].platform
    return review_device(name.removeprefix("ios:"), platform, before, after, Settings.from_inventory(index), index,
                         index, read_vocabulary(REPO / "templates" / get_platform(platform).template_dir))


def _changed(text: str, old: str, new: str) -> str:
    """``text`` with the whole line ``old`` replaced by ``new`` ("" deletes it); ``old`` of None
    appends ``new`` at the end."""
    if old is None:
        return text + new + "\n"
    assert f"\n{old}\n" in text, old
    return text.replace(f"\n{old}\n", f"\n{new}\n" if new else "\n", 1)


# (case, device, the line replaced (None: append), the evasion, the class it must get, its least risk)
EVASIONS = [
    # management exposure: telnet on the vty lines, in each form IOS takes
    ("ios-telnet-case", "ch-acc-1f", " transport input ssh", " Transport Input Telnet", "management_exposure",
     "critical"),
    ("ios-telnet-abbreviated", "ch-acc-1f", " transport input ssh", " transp inp telnet", "management_exposure",
     "critical"),
    ("ios-telnet-shortest", "ch-acc-1f", " transport input ssh", " tr in TEL", "management_exposure", "critical"),
    ("ios-telnet-all", "ch-acc-1f", " transport input ssh", " transport input all", "management_exposure",
     "critical"),
    ("ios-telnet-unindented", "ch-acc-1f", None, "line vty 0 15\ntransport input telnet", "management_exposure",
     "critical"),
    ("ios-vty-filter-negated", "ch-acc-1f", " transport output none",
     " transport output none\n no access-class VTY-MGMT in vrf-also", "management_exposure", "high"),
    ("ios-vty-filter-negated-abbreviated", "ch-acc-1f", None, "line vty 0 15\nno access-cl VTY-MGMT in vrf-also",
     "management_exposure", "high"),
    ("ios-vty-password", "ch-acc-1f", " transport input ssh", " transport input ssh\n PASSW 0 letmein",
     "management_exposure", "critical"),
    ("ios-http-case", "ch-acc-1f", "no ip http server", "IP HTTP SERVER", "management_exposure", "high"),
    ("ios-http-abbreviated", "ch-acc-1f", "no ip http server", "ip ht ser", "management_exposure", "high"),
    ("ios-http-back-to-default", "ch-acc-1f", "no ip http secure-server", "default ip http secure-server",
     "management_exposure", "high"),
    ("ios-community-abbreviated", "ch-acc-1f", None, "snmp-server comm Pub1ic-k3y RW", "management_exposure",
     "high"),
    ("frr-vty-filter-negated", "library-rt1", " access-class VTY-MGMT", " access-class VTY-MGMT\n no access-class "
     "VTY-MGMT", "management_exposure", "high"),
    ("frr-vty-filter-abbreviated-away", "library-rt1", " access-class VTY-MGMT", " no access-c VTY-MGMT",
     "management_exposure", "high"),
    # new paths between zones: static routes and leaks between VRFs
    ("ios-default-case", "ios:ch-lgwan-rt1", None, "IP ROUTE 0.0.0.0 0.0.0.0 10.224.255.1", "zone_path", "high"),
    ("ios-vrf-default-abbreviated", "ios:ch-core1", None, "ip route vrf LGWAN 0.0.0.0 0.0.0.0 10.20.255.2 GLOB",
     "zone_path", "critical"),
    ("ios-route-target-import", "ios:ch-core1", " rd 65021:2", " rd 65021:2\n route-target import 65021:3",
     "zone_path", "critical"),
    ("ios-route-target-abbreviated", "ios:ch-core1", " rd 65021:2", " rd 65021:2\n route-t imp 65021:3",
     "zone_path", "critical"),
    ("ios-route-target-both", "ios:ch-core1", " rd 65021:2", " rd 65021:2\n ROUTE-TARGET BOTH 65021:3",
     "zone_path", "critical"),
    ("ios-import-map", "ios:ch-core1", " rd 65021:2", " rd 65021:2\n address-family ipv4\n  imp ipv4 uni map LEAK",
     "zone_path", "critical"),
    ("ios-nat-abbreviated", "ios:ch-inet-rt1", None, "ip nat ins sou list 10 int gi0/0/5 overload", "zone_path",
     "critical"),
    ("ios-tunnel-abbreviated", "ios:library-rt1", None, "int tun1\n ip addr 192.0.2.1 255.255.255.252", "zone_path",
     "critical"),
    ("frr-import-vrf", "ch-core1", None, "router bgp 65021 vrf LGWAN\n address-family ipv4 unicast\n  import vrf "
     "INTERNET\n exit-address-family\nexit", "zone_path", "critical"),
    ("frr-import-vrf-abbreviated", "ch-core1", None, "router bgp 65021 vrf LGWAN\naddress-family ipv4\nimp vrf "
     "INTERNET", "zone_path", "critical"),
    ("frr-rt-vpn", "ch-core1", None, "router bgp 65021 vrf INTERNET\n address-family ipv4 unicast\n  rt vpn both "
     "65021:2\n  export vpn\n  import vpn", "zone_path", "critical"),
    ("frr-rt-vpn-abbreviated", "ch-core1", None, "router bgp 65021 vrf INTERNET\n address-family ipv4 unicast\n  "
     "rt v both 65021:2\n  imp vpn", "zone_path", "critical"),
    ("frr-nexthop-vrf-abbreviated", "ch-core1", None, "vrf LGWAN\n ip route 10.30.0.0/16 10.30.255.3 nexthop-v "
     "INTERNET", "zone_path", "critical"),
    # filters widened on a boundary
    ("ios-permit-any-case", "ios:ch-lgwan-rt1", " 50 deny ip any any log",
     " 45 PERMIT IP ANY 10.20.0.0 0.0.255.255\n 50 deny ip any any log", "filter_widening", "high"),
    ("ios-permit-any-abbreviated", "ios:ch-lgwan-rt1", " 50 deny ip any any log",
     " 45 perm ip an 10.20.0.0 0.0.255.255\n 50 deny ip any any log", "filter_widening", "high"),
    ("ios-filter-unbound-negated", "ios:ch-lgwan-rt1", " ip access-group LGWAN-LINE-IN in",
     " ip access-group LGWAN-LINE-IN in\n no ip access-gr LGWAN-LINE-IN in", "filter_widening", "high"),
    ("ios-deny-negated", "ios:ch-lgwan-rt1", None, "ip access-list extended LGWAN-LINE-IN\n no 50",
     "filter_widening", "high"),
    # weakened controls
    ("ios-timeout-abbreviated", "ch-acc-1f", " exec-timeout 10 0", " exec-t 0 0", "weakened_control", "medium"),
    ("ios-logging-negated", "ch-acc-1f", None, "no logg host 10.99.0.22 vrf MGMT", "weakened_control", "medium"),
    ("frr-ospf-key-negated", "library-rt1", None, "interface eth1\n no ip ospf authentication", "weakened_control",
     "high"),
    # routing policy towards another organisation
    ("ios-external-route-map-abbreviated", "ios:ch-lgwan-rt1", None, "router bgp 65021\n address-family ipv4\n  "
     "nei 10.224.255.1 route-m PERMIT-ALL in", "external_routing", "high"),
    ("frr-external-unindented", "ch-lgwan-rt1", None, "router bgp 65021\naddress-family ipv4 unicast\nneighbor "
     "10.224.255.1 route-map PERMIT-ALL in", "external_routing", "high"),
    # what the device's grammar does not take fails closed
    ("ios-ambiguous-in-vty", "ch-acc-1f", " transport input ssh", " transport input ssh\n t i telnet",
     "unread_line", "critical"),
    ("ios-unknown-in-vty", "ch-acc-1f", " transport input ssh", " transport input ssh\n transport inbound telnet",
     "unread_line", "critical"),
    ("frr-unknown-in-bgp", "ch-lgwan-rt1", None, "router bgp 65021\n neighbor 10.224.255.1 routemap X in",
     "unread_line", "critical"),
    ("frr-ambiguous-in-bgp", "ch-lgwan-rt1", None, "router bgp 65021\n neighbor 10.224.255.1 a",
     "unread_line", "critical"),
]


@pytest.mark.parametrize(("device", "old", "new", "kind", "risk"), [c[1:] for c in EVASIONS],
                         ids=[c[0] for c in EVASIONS])
def test_each_evasion_is_classed_as_its_plain_form(device, old, new, kind, risk, configs, reference_index):
    from muronet.review.classes import RISKS

    before = configs[device]
    review = _review(device, before, _changed(before, old, new), reference_index)
    found = [f for f in review.findings if f.kind == kind]
    assert found, review.reasons()
    assert max(RISKS.index(f.risk) for f in found) >= RISKS.index(risk), review.reasons()
    assert RISKS.index(review.risk) >= RISKS.index(risk)


def test_every_class_the_review_claims_has_evasions_on_both_platforms():
    from muronet.review.classes import CLASSES

    covered = {(kind, case.split("-")[0]) for case, _, _, _, kind, _ in EVASIONS}
    claimed = set(CLASSES) - {"secret", "unknown_command"}  # secrets: tests/unit/test_masking.py; top-level: below
    assert {kind for kind, _ in covered} >= claimed
    assert all({(kind, "ios"), (kind, "frr")} <= covered for kind in
               ("management_exposure", "zone_path", "weakened_control", "external_routing", "unread_line"))


def test_secrets_of_evasions_never_reach_a_report(configs, reference_index, cli, tmp_path):
    """Abbreviated and re-cased secret commands (IOS and FRR) are masked in every report."""
    secrets = {"ch-acc-1f": ("snmp-server COMM Zz-c0mm-1 RO\nenable pass Zz-en-2\nusername x PASS 0 Zz-user 3\n"
                             "tacacs server AAA9\n KEY 7 Zz-tac-4\nkey chain K\n key 1\n  key-str Zz-chain-5\n"),
               "library-rt1": "router bgp 65021\n neighbor 10.40.1.5 pass Zz-bgp-6\ninterface eth1\n ip ospf "
                              "message-digest-key 2 md5 Zz-ospf-7\r\n"}
    before, after = tmp_path / "before", tmp_path / "after"
    for folder in (before, after):
        folder.mkdir()
    for name, extra in secrets.items():
        (before / f"{name}.cfg").write_text(configs[name])
        (after / f"{name}.cfg").write_text(configs[name] + extra)
    out = tmp_path / "out"
    result = cli("review", "--before", str(before), "--after", str(after), "--out", str(out), "--json")
    shown = result.stdout + "".join((out / name).read_text() for name in ("review.md", "review.json",
                                                                            "review.sarif"))
    assert "Zz-" not in shown
    doc = json.loads(result.stdout)
    assert {d["device"] for d in doc["devices"]} == set(secrets)
