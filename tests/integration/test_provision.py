"""Provisioning the whole twin from scratch, and everything that can go wrong on the way.

One twin for the module, provisioned by the first test; every later test leaves it as intended.
The commands run as a user runs them: ``muronet`` in a subprocess, credentials in the environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from ipaddress import IPv4Network
from itertools import pairwise
from pathlib import Path

import pytest
from frr_network import selected_routes, table_differences
from pypdf import PdfReader
from support import REPO, edit, twin_routers

from muronet.lab import twin as lab_twin
from napalm_frr import reload

SECRETS = {
    "MURONET_USERNAME": "muronet-prov", "MURONET_PASSWORD": "Prov-Login-7a1f", "MURONET_OSPF_KEY": "ospfK3y9",
    "MURONET_BGP_LGWAN": "lgwan-Bgp-55e1", "MURONET_BGP_SECURITY_CLOUD": "sc-Bgp-90a2",
    "MURONET_BGP_GOVERNMENT_CLOUD": "gc-Bgp-31d7",
    "MURONET_ENABLE_SECRET": "en-1", "MURONET_LOCAL_ADMIN_SECRET": "la-1", "MURONET_TACACS_KEY": "tac-1",
    "MURONET_SNMP_AUTH": "snmpA-1", "MURONET_SNMP_PRIV": "snmpP-1", "MURONET_NTP_KEY": "ntp-1",
    "MURONET_RADIUS_KEY": "rad-1",  # the β′ example's (802.1X on its INTERNET terminal ports)
}
MURONET = str(REPO / ".venv/bin/muronet")
TWIN_ROUTERS = twin_routers()
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the twin needs root")


def muronet(*args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    environment = {**os.environ, **SECRETS, **(env or {})}
    return subprocess.run([MURONET, *args], cwd=REPO, env=environment, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def provision(state: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    done = muronet("provision", "--lab", "--state", str(state), "--json", *args, env=env)
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)


def outcomes(report: dict) -> dict[str, str]:
    return {d["name"]: d["outcome"] for d in report["devices"]}


def running(router: str) -> str:
    return subprocess.run(["vtysh", "-N", router, "-c", "show running-config"], capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def state():
    parent = Path(tempfile.mkdtemp(prefix="muronet-prov-", dir="/var/tmp"))
    parent.chmod(0o755)
    folder = parent / "lab"
    up = muronet("lab", "up", "--state", str(folder))
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield folder
    finally:
        muronet("lab", "down", "--state", str(folder))
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the inventory and templates to change on purpose."""
    shutil.copytree(REPO / "inventory", tmp_path / "inventory")
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    return tmp_path


def test_dry_run_shows_every_diff_masks_secrets_and_pushes_nothing(state):
    before = running("library-rt1")
    code, report = provision(state)
    assert code == 0
    assert report["committed"] is False and report["summary"]["would change"] == TWIN_ROUTERS
    library = next(d for d in report["devices"] if d["name"] == "library-rt1")
    assert library["diff"].startswith("--- running\n+++ candidate\n")
    assert "+ ip ospf message-digest-key 1 md5 <secret:sha-" in library["diff"]
    text = json.dumps(report)
    assert not any(value in text for value in SECRETS.values())
    assert running("library-rt1") == before  # nothing pushed


def logins(state: Path) -> int:
    """Password logins the twin's sshd accepted so far (its logs)."""
    return sum(log.read_text(errors="replace").count("Accepted password") for log in state.glob("ssh/sshd-*.log"))


def test_commit_provisions_the_city_verifies_saves_and_a_second_run_changes_nothing(state):
    before = logins(state)
    code, report = provision(state, "--commit")
    assert code == 0, report
    assert report["summary"]["changed"] == TWIN_ROUTERS and report["summary"]["failed"] == 0
    assert logins(state) - before == TWIN_ROUTERS  # one login per device: review, push, verify and save share it
    assert report["seconds"]["verify"] > 0
    # verified state: the LGWAN session and the security cloud's default route are there
    bgp = subprocess.run(["vtysh", "-N", "ch-lgwan-rt1", "-c", "show bgp summary json"], capture_output=True,
                         text=True).stdout
    assert json.loads(bgp)["ipv4Unicast"]["peers"]["10.224.255.1"]["state"] == "Established"
    # confirmed commits are saved: the startup configuration is the running one
    for router in ("ch-core1", "library-rt1", "ch-inet-rt1"):
        saved = (state / "routers" / router / "etc" / "frr.conf").read_text()
        assert reload.changes(running(router), saved) == [], router
    before = logins(state)
    code, again = provision(state, "--commit")
    assert code == 0 and again["summary"]["unchanged"] == TWIN_ROUTERS and again["summary"]["changed"] == 0
    assert logins(state) - before == TWIN_ROUTERS
    verify = muronet("lab", "verify", "--state", str(state), "--json")
    assert verify.returncode == 0, verify.stdout
    matrix = json.loads(verify.stdout)["matrix"]
    assert matrix["LGWAN->LGWAN"]["reached"] == matrix["LGWAN->LGWAN"]["probes"] > 0
    assert matrix["MYNUMBER->INTERNET"]["reached"] == 0 and matrix["REGIONAL->LGWAN"]["reached"] == 0


def test_the_beta_prime_example_runs_and_verifies_on_the_same_twin_as_the_model_predicts(state, tmp_path):
    """The city moved to β′ (examples/beta-prime) changes servers and switch ports, not routing: the
    provisioned twin already runs its routers' configurations (a dry run changes nothing), and its
    verification under β′ (the servers where β′ puts them) agrees with the offline model cell by
    cell; the α verification after it finds every server back in its α place."""
    example = tmp_path / "beta-prime"
    assembled = subprocess.run([str(REPO / ".venv/bin/python"), "-m", "muronet.inventory.overlay", "inventory",
                                "examples/beta-prime/inventory", str(example)], cwd=REPO, capture_output=True,
                               text=True)
    assert assembled.returncode == 0, assembled.stderr
    inventory = str(example / "inventory")
    code, report = provision(state, "--inventory", inventory)
    assert code == 0 and report["summary"]["unchanged"] == TWIN_ROUTERS, report["summary"]
    verify = muronet("lab", "verify", "--state", str(state), "--inventory", inventory, "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    twin = json.loads(verify.stdout)
    model = json.loads(muronet("analyze", "--inventory", inventory, "--json").stdout)["reachability"]
    assert twin["separation_model"].startswith("β′ (beta_prime)") and twin["probes"] == model["probes"]
    assert {k: (c["reached"], c["probes"]) for k, c in twin["matrix"].items()} == {
        k: (c["reached"], c["probes"]) for k, c in model["matrix"].items()}
    alpha = muronet("lab", "verify", "--state", str(state), "--json")
    assert alpha.returncode == 0, alpha.stdout
    assert json.loads(alpha.stdout)["matrix"]["INTERNET->INTERNET"]["probes"] < twin["matrix"]["INTERNET->INTERNET"][
        "probes"]  # the groupware, the financial system and the gateway's side are INTERNET's in β′ only


GC_PRIMARY, GC_SECONDARY = "GC-HKD-0205-0001", "GC-HKD-0205-0002"
FAILOVER_BOUND_S = 3.0  # BFD's detection (3 × 300 ms), the session's end, OSPF's flooding and SPF


def _core_next_hop(prefix: str) -> str:
    """Where ch-core1 sends MYNUMBER traffic for ``prefix`` (the twin's selected route)."""
    shown = json.loads(subprocess.run(["vtysh", "-N", "ch-core1", "-c", f"show ip route vrf MYNUMBER {prefix} json"],
                                      capture_output=True, text=True).stdout or "{}")
    return next((hop["ip"] for route in shown.get(prefix, []) if route.get("selected")
                 for hop in route["nexthops"] if hop.get("active")), "")


def _longest_gap(replies: list[float], start: float, end: float) -> float:
    """The longest time without a reply within [start, end] (replies: their epoch times)."""
    inside = [start, *(t for t in replies if start <= t <= end), end]
    return max(b - a for a, b in pairwise(inside))


def _predicted_next_hop(reference_index, without: str, prefix: str) -> str:
    """The offline model's next hop at ch-core1 for ``prefix`` with the circuit ``without`` gone."""
    import dataclasses

    from muronet.analysis import audits_of, network_analysis
    from muronet.inventory.index import InventoryIndex
    from muronet.policy.context import Settings
    from muronet.render.engine import Renderer, default_templates_dir

    inventory = reference_index.inventory
    texts = {d.name: Renderer(inventory, default_templates_dir(inventory.root)).render(d) for d in inventory.devices
             if d.platform == "frr"}
    cut = InventoryIndex(dataclasses.replace(inventory, circuits=[c for c in inventory.circuits if c.cid != without]))
    audits = audits_of(texts, dict.fromkeys(texts, "frr"), Settings.from_inventory(cut), cut)
    route = network_analysis(cut, audits, vrf_leaks=False).model.table("ch-core1", "MYNUMBER").get(IPv4Network(prefix))
    return ",".join(sorted(str(hop) for hop in route.next_hops)) if route else ""


def _wait_next_hop(prefix: str, hop: str, seconds: float) -> float:
    """Wait until ch-core1 sends ``prefix`` to ``hop``; the time it was seen there."""
    deadline = time.monotonic() + seconds
    while _core_next_hop(prefix) != hop and time.monotonic() < deadline:
        time.sleep(0.05)
    return time.time()


def _failover(host: str, service: str, prefix: str, fail, mend) -> tuple[float, float, str]:
    """Ping ``service`` every 50 ms from ``host``'s namespace while ``fail()`` takes the primary
    away and ``mend()`` gives it back: the longest time without a reply after the failure, the
    time back on the primary after the mend, and ch-core1's next hop while the primary was away."""
    ping = subprocess.Popen(["ip", "netns", "exec", host, "ping", "-D", "-n", "-i", "0.05", "-W", "1", service],
                            stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        failed = time.time()
        fail()
        _wait_next_hop(prefix, "10.10.255.7", 30)  # ch-gc-rt2: the secondary
        time.sleep(2)
        meanwhile = _core_next_hop(prefix)
        mended = time.time()
        mend()
        back = _wait_next_hop(prefix, "10.10.255.3", 60)  # ch-gc-rt1: the primary
        time.sleep(1.5)
    finally:
        ping.terminate()
        output = ping.communicate(timeout=10)[0]
    replies = [float(line[1:line.index("]")]) for line in output.splitlines()
               if line.startswith("[") and "bytes from" in line]
    assert _longest_gap(replies, mended, back + 1.5) < FAILOVER_BOUND_S  # the way back loses nothing to speak of
    return _longest_gap(replies, failed, mended), back - mended, meanwhile


# The sample of failure scenarios (issue: a span in each ring, a spur, a ring router, an aggregation
# router, the LGWAN line), in two (make test's time): one span of every ring, a spur and an
# aggregation router at once (the facilities between it and each cut span lose city hall); a ring
# router's power and the LGWAN line at once (they share no flow).
SCENARIOS = [("FB-003", "FB-013", "FB-022", "FB-033", "FB-041", "ch-agg1"), ("aquarium-rt1", "LGWAN-HKD-0205-0001")]
CONVERGED_BOUND_S = 10.0  # OSPF's dead interval (4 s) after a silent router, and SPF; a cut is seen at once


def _whole_again(state: Path, within: float = 40.0) -> None:
    """Until the twin passes the plain verification again (everything restored and converged)."""
    deadline = time.monotonic() + within
    while (done := muronet("lab", "verify", "--state", str(state), "--per-zone", "2")).returncode != 0:
        assert time.monotonic() < deadline, done.stdout[-2000:]


def test_the_twin_does_under_each_failure_what_the_model_predicts(state):
    """Each scenario in the twin (cables cut, a router's power lost, a line down), verified against
    the offline model's prediction on every probe, the failure analysis' flows included; the time
    the twin takes to agree is the convergence time, measured from ``lab fail``."""
    measured, restored = {}, {}
    for scenario in SCENARIOS:
        try:
            for element in scenario:
                done = muronet("lab", "fail", element, "--state", str(state))
                assert done.returncode == 0, done.stderr
            verify = muronet("lab", "verify", "--state", str(state), "--per-zone", "2", "--json",
                             *(a for e in scenario for a in ("--fail", e)))
            result = json.loads(verify.stdout)
            assert verify.returncode == 0 and result["ok"], (scenario, result["violations"][:5])
            assert result["fail"] == list(scenario) and result["changed"] > 0
            assert result["converged_seconds"] is not None and result["converged_seconds"] < CONVERGED_BOUND_S
            measured[scenario] = (result["converged_seconds"], result["changed"], result["probes"])
        finally:
            for element in reversed(scenario):
                back = muronet("lab", "restore", element, "--state", str(state), "--wait", "30")
                assert back.returncode == 0, back.stdout + back.stderr
                restored[element] = float(back.stdout.rsplit(" back in ", 1)[1].split()[0])
    _whole_again(state)  # everything restored: the plain verification passes again
    # the figures the note quotes
    print("convergence (s, changed flows, probes):", measured, "restored (s):", restored)


def test_the_government_cloud_fails_over_to_the_secondary_line_and_back(state, reference_index):
    """MYNUMBER traffic to the Government Cloud rides the primary line. Cut (both ends down: the
    routers see the carrier go), or fallen silent beyond the line's ends (the far end stops
    answering, the carrier stays: only BFD can tell), it continues on the secondary within BFD's
    bound, as the offline model predicts; mended, it returns to the primary. A ping every 50 ms
    from a MYNUMBER LAN measures each gap."""
    from muronet.lab.plan import build_plan

    plan = build_plan(reference_index)
    host = next(s for s in plan.segments if s.zone == "MYNUMBER").namespace
    peer = next(p for p in plan.peers if p.circuit.cid == GC_PRIMARY)
    service, prefix = str(peer.services[0]), "10.226.0.0/20"  # a Government Cloud prefix
    assert _core_next_hop(prefix) == "10.10.255.3"  # ch-gc-rt1: the primary
    predicted = _predicted_next_hop(reference_index, GC_PRIMARY, prefix)

    def lab(command: str) -> None:
        assert muronet("lab", command, GC_PRIMARY, "--state", str(state)).returncode == 0

    def far_end(verb: str) -> None:
        subprocess.run(["ip", "-n", peer.name, "address", verb, str(peer.address), "dev", "eth0"], check=True)

    try:
        cut, cut_back, cut_hop = _failover(host, service, prefix, lambda: lab("fail"), lambda: lab("restore"))
        silent, silent_back, silent_hop = _failover(host, service, prefix, lambda: far_end("del"),
                                                    lambda: far_end("add"))
    finally:
        muronet("lab", "restore", GC_PRIMARY, "--state", str(state))
        subprocess.run(["ip", "-n", peer.name, "address", "add", str(peer.address), "dev", "eth0"],
                       capture_output=True)
    print(f"Government Cloud failover: line cut {cut:.2f} s without a reply (back on the primary {cut_back:.2f} s "
          f"after the repair); far end silent {silent:.2f} s (back {silent_back:.2f} s after)")
    assert cut_hop == silent_hop == predicted == "10.10.255.7"  # the secondary, as the model says
    assert cut < FAILOVER_BOUND_S and silent < FAILOVER_BOUND_S, (cut, silent)
    assert silent > 0.5  # no carrier went: BFD's detection time (3 × 300 ms) is what it took
    assert cut_back < 30 and silent_back < 30 and _core_next_hop(prefix) == "10.10.255.3"


def test_unreachable_device_is_reported_and_the_others_are_provisioned(state, copy):
    fake = copy / "lab"
    (fake / "ssh").mkdir(parents=True)
    endpoints = json.loads((state / "ssh/endpoints.json").read_text())
    endpoints["hosts"]["library-rt1"]["port"] = 1  # nothing listens there
    (fake / "ssh/endpoints.json").write_text(json.dumps(endpoints))
    lan = copy / "inventory/facilities/aquarium.yaml"
    edit(lan, 'description: "市立室蘭水族館 施設LAN"}', 'description: "市立室蘭水族館 施設LAN (moved)"}')
    code, report = provision(fake, "--commit", "--inventory", str(copy / "inventory"),
                             "--limit", "aquarium-rt1,library-rt1")
    assert code == 1
    assert outcomes(report) == {"aquarium-rt1": "changed", "library-rt1": "failed"}, report["devices"]
    library = next(d for d in report["devices"] if d["name"] == "library-rt1")
    assert library["detail"][0].startswith("127.0.0.1:")  # the connection error, not a traceback
    assert "description 市立室蘭水族館 施設LAN (moved)" in running("aquarium-rt1")
    code, back = provision(state, "--commit", "--limit", "aquarium-rt1")
    assert code == 0 and outcomes(back) == {"aquarium-rt1": "changed"}


def test_a_rejected_line_fails_the_device_and_leaves_nothing_applied(state, copy):
    before = running("aquarium-rt1")
    edit(copy / "inventory/facilities/aquarium.yaml", 'description: "市立室蘭水族館 施設LAN"}',
         'description: "市立室蘭水族館 施設LAN (first change)"}')
    # vtysh's syntax check accepts the network line; ospfd refuses it while interfaces carry "ip ospf
    # area". The scratch FRR's ospfd says so before anything is pushed, with its line and message.
    base = copy / "templates/frr/base.j2"
    base.write_text(base.read_text() + "router ospf\n network 10.40.106.0/24 area 1\nexit\n")
    code, report = provision(state, "--commit", "--inventory", str(copy / "inventory"), "--limit", "aquarium-rt1")
    assert code == 1, report
    device = report["devices"][0]
    assert device["outcome"] == "failed"
    assert "FRR refuses the candidate" in device["detail"][0]
    assert device["detail"][0].endswith(": network 10.40.106.0/24 area 1: "
                                        "Please remove all ip ospf area x.x.x.x commands first.")
    after = running("aquarium-rt1")
    assert "(first change)" not in after and "network 10.40.106.0/24" not in after
    assert reload.changes(before, after) == []  # re-read: exactly the configuration before the commit


def test_failed_verification_rolls_the_device_back(state):
    before = running("ch-lgwan-rt1")
    # a wrong session password for the LGWAN line: the commit succeeds, the session never comes up
    code, report = provision(state, "--commit", "--limit", "ch-lgwan-rt1", "--settle", "12",
                             env={"MURONET_BGP_LGWAN": "rotated-but-not-at-the-far-end"})
    assert code == 1
    device = report["devices"][0]
    assert device["outcome"] == "rolled back"
    assert any("BGP session to 10.224.255.1" in line for line in device["detail"])
    assert "rotated-but-not-at-the-far-end" not in json.dumps(report)
    assert reload.changes(before, running("ch-lgwan-rt1")) == []
    saved = (state / "routers/ch-lgwan-rt1/etc/frr.conf").read_text()
    assert reload.changes(before, saved) == []  # the rollback is saved too


def test_a_device_killed_mid_commit_comes_back_with_its_previous_configuration(state, copy):
    before = running("ch-core1")
    interface = copy / "templates/frr/base.j2"
    edit(interface, " description {{ i.description }}", " description {{ i.description }} (renumbered)")
    result: dict[str, object] = {}

    def run() -> None:
        result["code"], result["report"] = provision(state, "--commit", "--inventory", str(copy / "inventory"),
                                                     "--limit", "ch-core1")

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 60
    while "(renumbered)" not in running("ch-core1"):  # the push has begun: pull the plug
        assert time.monotonic() < deadline, "the commit never started"
        time.sleep(0.02)
    assert lab_twin.stop_router(state, "ch-core1") > 0
    worker.join(300)
    assert result["code"] == 1
    device = result["report"]["devices"][0]  # type: ignore[index]
    assert device["outcome"] == "failed" and "FRR's daemons do not answer (zebra" in device["detail"][0]
    muronet("lab", "restart", "ch-core1", "--state", str(state))
    deadline = time.monotonic() + 30
    while "hostname ch-core1" not in running("ch-core1") and time.monotonic() < deadline:
        time.sleep(0.5)
    after = running("ch-core1")
    assert "(renumbered)" not in after
    assert reload.changes(before, after) == []  # booted from the last confirmed configuration


def test_lab_verify_catches_a_default_route_leaked_into_the_lgwan_zone(state, copy):
    base = copy / "templates/frr/base.j2"  # only the LGWAN router is provisioned from this copy
    base.write_text(base.read_text() + "ip route 0.0.0.0/0 10.224.255.1\n")
    refused = muronet("provision", "--lab", "--state", str(state), "--commit", "--inventory", str(copy / "inventory"),
                      "--limit", "ch-lgwan-rt1")  # the review of the pending change rates it critical
    assert refused.returncode == 2 and "--accept-risk" in refused.stderr and "default route added" in refused.stdout
    assert "0.0.0.0/0" not in running("ch-lgwan-rt1")  # nothing was pushed
    code, report = provision(state, "--commit", "--inventory", str(copy / "inventory"), "--limit", "ch-lgwan-rt1",
                             "--accept-risk", "lab test: lab verify must catch this", "--log-dir", str(copy / "log"))
    assert code == 0 and outcomes(report) == {"ch-lgwan-rt1": "changed"}, report  # sessions and routes verify
    logged = json.loads(Path(report["review"]["log"]).read_text())
    assert logged["accepted_risk"] == "lab test: lab verify must catch this" and logged["review"]["risk"] == "critical"
    assert SECRETS["MURONET_BGP_LGWAN"] not in json.dumps(logged)
    verify = muronet("lab", "verify", "--state", str(state), "--json")
    assert verify.returncode == 1
    found = json.loads(verify.stdout)["routing_table_violations"]
    assert any(line.startswith("ch-lgwan-rt1: table default (zone LGWAN) holds 0.0.0.0/0") for line in found)
    code, _ = provision(state, "--commit", "--limit", "ch-lgwan-rt1")
    assert code == 0
    assert muronet("lab", "verify", "--state", str(state)).returncode == 0


def vtysh(router: str, *commands: str) -> None:
    """A change made by hand on the device, outside muronet."""
    subprocess.run(["vtysh", "-N", router, "-c", "configure terminal", *(a for c in commands for a in ("-c", c))],
                   check=True, capture_output=True)


def test_provisioning_refuses_what_the_review_blocks_not_only_a_critical_change(state, copy):
    """One meaning of blocking: a change the review blocks without rating it critical (it adds a
    high finding: no idle timeout on the management lines) is not pushed without a reason either."""
    assert provision(state, "--commit", "--limit", "library-rt1")[0] == 0  # the device as intended first
    base = copy / "templates/frr/base.j2"
    base.write_text(base.read_text().replace("line vty\n", "line vty\n exec-timeout 0 0\n", 1))
    chosen = ("--inventory", str(copy / "inventory"), "--limit", "library-rt1")
    review = muronet("review", "--pending", "--lab", "--state", str(state), *chosen, "--out", str(copy / "review"),
                     "--json")
    doc = json.loads(review.stdout)
    assert review.returncode == 1 and doc["blocking"] and doc["risk"] == "high"
    assert [f["rule"] for f in doc["devices"][0]["new_findings"]] == ["SEC-MGMT-004"]
    refused = muronet("provision", "--lab", "--state", str(state), "--commit", *chosen)
    assert refused.returncode == 2 and "review blocks" in refused.stderr and "SEC-MGMT-004" in refused.stdout
    assert "exec-timeout 0 0" not in running("library-rt1")  # nothing was pushed
    code, report = provision(state, "--commit", *chosen, "--accept-risk", "lab test: the gate", "--log-dir",
                             str(copy / "log"))
    assert code == 0 and outcomes(report) == {"library-rt1": "changed"} and "exec-timeout 0 0" in running("library-rt1")
    assert provision(state, "--commit", "--limit", "library-rt1")[0] == 0  # back as intended


def test_live_audit_finds_violations_planted_by_hand_by_rule_id(state, tmp_path):
    def audit() -> tuple[int, dict]:
        done = muronet("audit", "--live", "--lab", "--state", str(state), "--out", str(tmp_path), "--json")
        return done.returncode, json.loads(done.stdout)

    code, clean = audit()
    assert code == 0 and clean["findings"] == [] and clean["drift"] == {}  # the provisioned twin audits clean
    vtysh("ch-lgwan-rt1", "password zebra", "ip route 0.0.0.0/0 10.224.255.1")
    vtysh("ch-core1", "vrf LGWAN", "ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET")
    vtysh("ch-core1", "vrf MYNUMBER", "ip route 10.30.0.0/16 10.10.255.1")  # MYNUMBER towards INTERNET
    vtysh("library-rt1", "line vty", "exec-timeout 0 0")
    vtysh("aquarium-rt1", "router bgp 65021", "no bgp ebgp-requires-policy", "neighbor 10.40.1.8 remote-as 65099")
    try:
        code, found = audit()
        assert code == 1
        assert {(f["device"], f["rule"]) for f in found["findings"]} == {
            ("ch-lgwan-rt1", "SEC-MGMT-002"), ("ch-lgwan-rt1", "SEC-AUTH-004"), ("ch-lgwan-rt1", "SEC-ZONE-003"),
            ("ch-core1", "SEC-ZONE-004"), ("ch-core1", "SEC-ZONE-002"), ("library-rt1", "SEC-MGMT-004"),
            ("aquarium-rt1", "SEC-CP-002"), ("aquarium-rt1", "SEC-CP-003"), ("aquarium-rt1", "SEC-ZONE-007")}
        assert set(found["drift"]) == {"ch-lgwan-rt1", "ch-core1", "library-rt1", "aquarium-rt1"}
        assert "zebra" not in json.dumps(found) and "zebra" not in (tmp_path / "report.html").read_text()
    finally:
        code, report = provision(state, "--commit", "--limit", "ch-lgwan-rt1,ch-core1,library-rt1,aquarium-rt1")
    assert code == 0 and report["summary"]["changed"] == 4  # provisioning undoes changes made by hand
    assert audit()[0] == 0


def test_backups_in_git_mask_every_secret_and_commit_only_what_changed(state, tmp_path):
    repo = tmp_path / "backups"

    def backup(folder: Path = state) -> tuple[int, dict]:
        done = muronet("backup", "--lab", "--state", str(folder), "--repo", str(repo), "--json")
        return done.returncode, json.loads(done.stdout)

    code, first = backup()
    assert code == 0 and len(first["changed"]) == TWIN_ROUTERS and first["commit"]
    history = subprocess.run(["git", "-C", str(repo), "log", "-p", "--all"], capture_output=True, text=True).stdout
    secrets = [v for k, v in SECRETS.items() if k != "MURONET_USERNAME"]
    assert "ip ospf message-digest-key 1 md5 <secret:sha-" in history
    assert not [s for s in secrets if s in history], "a secret reached the backup repository"
    code, second = backup()
    assert code == 0 and second["changed"] == [] and second["commit"] is None
    vtysh("library-rt1", "interface eth3", "description moved to the new wing")
    fake = tmp_path / "lab"  # library-rt1 reachable, hospital-rt1 not
    (fake / "ssh").mkdir(parents=True)
    endpoints = json.loads((state / "ssh/endpoints.json").read_text())
    endpoints["hosts"]["hospital-rt1"]["port"] = 1
    (fake / "ssh/endpoints.json").write_text(json.dumps(endpoints))
    before = (repo / "hospital-rt1.cfg").read_text()
    try:
        code, third = backup(fake)
    finally:
        provision(state, "--commit", "--limit", "library-rt1")
    assert code == 1 and third["changed"] == ["library-rt1"] and list(third["unreachable"]) == ["hospital-rt1"]
    message = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%B"], capture_output=True,
                             text=True).stdout
    assert "1 device(s) changed: library-rt1" in message and "hospital-rt1" in message
    assert (repo / "hospital-rt1.cfg").read_text() == before  # the last good backup stays


def test_nightly_twice_in_a_row_shows_what_is_new_and_keeps_the_trend(state, tmp_path):
    def nightly() -> tuple[int, dict]:
        done = muronet("nightly", "--lab", "--state", str(state), "--repo", str(tmp_path / "backups"),
                       "--db", str(tmp_path / "nightly.sqlite"), "--out", str(tmp_path / "reports"), "--json")
        return done.returncode, json.loads(done.stdout)

    code, first = nightly()
    assert code == 0 and first["history"]["previous_run"] is None and first["findings"] == []
    assert first["drift"] == {}  # the backups match the intended configurations
    vtysh("library-rt1", "password zebra")
    try:
        code, second = nightly()
    finally:
        provision(state, "--commit", "--limit", "library-rt1")
    history = second["history"]
    assert code == 1 and history["previous_run"] == first["history"]["run"]
    assert {(d, r) for d, r, _ in history["new"]} == {("library-rt1", "SEC-MGMT-002"), ("library-rt1", "SEC-AUTH-004")}
    assert history["fixed"] == [] and [t["findings"] for t in history["trend"]] == [0, 2]
    assert second["backup"]["changed"] == ["library-rt1"]
    assert second["drift"] == {"library-rt1": ["no password <secret:*>"]}  # drift, from the backup, masked
    page = (tmp_path / "reports/report.html").read_text()
    assert "SEC-MGMT-002" in page and "Trend" in page and "zebra" not in page
    # the PDF an auditor is handed: the model, the published policy's items, the findings, no secret
    printed = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(tmp_path / "reports/report.pdf").pages))
    assert "αモデル" in printed and "SEC-MGMT-002" in printed and "zebra" not in printed
    items = {row["item"]: row["verdict"] for row in second["policy"]}
    assert items["MP-12"] == items["MP-10"] == "not met" and items["MP-01"] == "met"  # cleartext vty, its password
    code, third = nightly()
    assert code == 0 and {(d, r) for d, r, _ in third["history"]["fixed"]} == {
        ("library-rt1", "SEC-MGMT-002"), ("library-rt1", "SEC-AUTH-004")}


def test_review_of_the_pending_change_names_what_provisioning_would_fix(state, tmp_path):
    vtysh("library-rt1", "line vty", "exec-timeout 0 0")
    try:
        done = muronet("review", "--pending", "--lab", "--state", str(state), "--limit", "library-rt1,hospital-rt1",
                       "--out", str(tmp_path), "--json")
    finally:
        provision(state, "--commit", "--limit", "library-rt1")
    doc = json.loads(done.stdout)
    assert done.returncode == 0 and doc["source"] == "pending"
    assert [d["device"] for d in doc["devices"]] == ["library-rt1"]  # hospital-rt1 is as intended
    assert {f["rule"] for f in doc["devices"][0]["resolved_findings"]} == {"SEC-MGMT-004"}
    assert doc["devices"][0]["new_findings"] == [] and doc["risk"] == "low"


# --- the offline routing model against the twin -------------------------------------------------------------

SECRET_NAMES = {"MURONET_OSPF_KEY": "ospf_key", "MURONET_BGP_LGWAN": "bgp_lgwan",
                "MURONET_BGP_SECURITY_CLOUD": "bgp_security_cloud",
                "MURONET_BGP_GOVERNMENT_CLOUD": "bgp_government_cloud"}
PLANTED = {  # a change made on the running twin: (router, commands, the commands that undo it)
    "default route in LGWAN": ("ch-lgwan-rt1", ["ip route 0.0.0.0/0 10.224.255.1"],
                               ["no ip route 0.0.0.0/0 10.224.255.1"]),
    "static leak into another VRF": (
        "ch-core1", ["vrf LGWAN", "ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET", "exit-vrf"],
        ["vrf LGWAN", "no ip route 10.30.0.0/16 10.30.255.3 nexthop-vrf INTERNET", "exit-vrf"]),
    "redistribution across zones": (  # an INTERNET prefix, by a static route, redistributed into LGWAN's OSPF
        "ch-lgwan-rt1", ["ip route 10.30.0.0/16 10.224.255.1", "router ospf", "redistribute static"],
        ["router ospf", "no redistribute static", "exit", "no ip route 10.30.0.0/16 10.224.255.1"]),
    "broken BGP password": ("ch-lgwan-rt1", ["router bgp 65021", "neighbor 10.224.255.1 password "
                                             + SECRETS["MURONET_BGP_SECURITY_CLOUD"]],
                            ["router bgp 65021", f"neighbor 10.224.255.1 password {SECRETS['MURONET_BGP_LGWAN']}"]),
    "OSPF area mismatch": ("library-rt1", ["interface eth1", "no ip ospf area 2", "ip ospf area 3"],
                           ["interface eth1", "no ip ospf area 3", "ip ospf area 2"]),
    "removed filter line": ("ch-lgwan-rt1", ["no ip prefix-list PL-LGWAN-AP-IN seq 20 permit 10.224.16.0/20 le 32"],
                            ["ip prefix-list PL-LGWAN-AP-IN seq 20 permit 10.224.16.0/20 le 32"]),
}

FOUND = {  # what the analysis must say of each: (check, severity, device, part of the message)
    "reference city": [],
    "default route in LGWAN": [
        ("zone-route", "critical", "ch-lgwan-rt1", "table default (zone LGWAN) holds 0.0.0.0/0")],
    "static leak into another VRF": [
        ("zone-route", "critical", "ch-core1", "table LGWAN (zone LGWAN) holds 10.30.0.0/16")],
    "redistribution across zones": [
        ("zone-route", "critical", "ch-core1", "table LGWAN (zone LGWAN) holds 10.30.0.0/16 ospf via 10.20.255.3 "
         "(ch-lgwan-rt1 'redistribute static')")],
    "broken BGP password": [("bgp-session", "critical", "ch-lgwan-rt1", "the password is not the one agreed"),
                            ("zone-flow-lost", "critical", "ch-core1", "LGWAN access point")],
    "OSPF area mismatch": [("ospf-adjacency", "high", "ch-agg1", "areas differ (0.0.0.2 / 0.0.0.3)")],
    "removed filter line": [("zone-flow-lost", "critical", "ch-core1", "10.224.16.1")],
}


def named(text: str) -> str:
    """A running configuration with each secret of the twin shown by its vault name, as a rendering shows it."""
    from muronet.masking import reference, secrets_in

    values = {SECRETS[variable]: name for variable, name in SECRET_NAMES.items()}
    lines = []
    for line in text.splitlines():
        for secret in secrets_in(line):
            if secret in values:
                line = line.replace(secret, reference(values[secret]))
        lines.append(line)
    return "\n".join(lines) + "\n"


def twin_tables(routers: list[str]) -> dict[tuple[str, str], dict[str, tuple]]:
    """Every table of the twin as FRR selects it: prefix → (protocol, metric, next hops)."""
    from concurrent.futures import ThreadPoolExecutor

    def read(router: str) -> dict[tuple[str, str], dict[str, tuple]]:
        return selected_routes(router, subprocess.run(["vtysh", "-N", router, "-c", "show ip route vrf all json"],
                                                      capture_output=True, text=True).stdout)

    with ThreadPoolExecutor(8) as pool:
        return {key: table for found in pool.map(read, routers) for key, table in found.items()}


def network_analysis_of_running(index, routers: list[str], vrf_leaks: bool = False):
    """The analysis of what the twin's routers run now (``vrf_leaks`` False: VRFs as the twin has
    them, namespaces)."""
    from muronet.analysis import audits_of, network_analysis
    from muronet.policy.context import Settings

    texts = {router: named(running(router)) for router in routers}
    audits = audits_of(texts, dict.fromkeys(texts, "frr"), Settings.from_inventory(index), index)
    assert set(audits) == set(routers)  # FRR's own rendering of every configuration parses
    return network_analysis(index, audits, vrf_leaks)


REFERENCE_ANALYSIS: dict = {}  # the model of the provisioned twin, made by the first case


@pytest.mark.parametrize("case", ["reference city", *PLANTED])
def test_the_offline_model_agrees_with_the_twin_on_every_table_and_probe(state, case, reference_index):
    """The routing model, computed from the configurations the twin runs, against the twin itself:
    every selected route of every table of every router and lab peer (protocol, metric, next hops),
    and every probe of the reachability matrix (pinged). For the reference city and each planted change."""
    from muronet.analysis import route_changes
    from muronet.analysis.forwarding import matrix
    from muronet.lab.plan import build_plan
    from muronet.lab.verify import endpoints, run_matrix

    if case == "reference city" and "router bgp" not in running("ch-lgwan-rt1"):  # run alone: not provisioned yet
        code, report = provision(state, "--commit")
        assert code == 0, report
    plan = build_plan(reference_index)
    routers = [r.name for r in plan.routers]
    if case == "reference city" or "reference" not in REFERENCE_ANALYSIS:
        REFERENCE_ANALYSIS["reference"] = network_analysis_of_running(reference_index, routers)
    reference = REFERENCE_ANALYSIS["reference"]
    router, plant, undo = PLANTED.get(case, (None, [], []))
    if router:
        vtysh(router, *plant)
    try:
        analysis = network_analysis_of_running(reference_index, routers)
        if router:  # the change does change the model
            assert route_changes(reference.model, analysis.model) or analysis.findings != reference.findings
        computed = {node: {str(prefix): route.comparable() for prefix, route in table.items()}
                    for node, table in analysis.model.tables.items()}
        for _ in range(60):  # the twin converges within seconds; the model is what it converges to
            differences = table_differences(computed, twin_tables([*routers, *(p.name for p in plan.peers)]))
            if not differences:
                break
            time.sleep(1)
        assert differences == [], differences[:10]
        sources, targets = endpoints(plan, reference_index, 2)
        pinged = {(r.probe.source.address, r.probe.target.address): r.reached for r in run_matrix(sources, targets)}
        modelled = {(r.probe.source.address, r.probe.target.address): r.reached
                    for r in matrix(reference_index, analysis.model, per_zone=2)}
        assert modelled == pinged and len(pinged) > 60
        found = {(f.check, f.severity, f.device, f.message) for f in analysis.findings if f.severity != "low"}
        if case == "reference city":
            assert analysis.zone_matrix().ok and found == set()
        for check, severity, device, text in FOUND[case]:
            assert any(f[:3] == (check, severity, device) and text in f[3] for f in found), (case, found)
        if case == "static leak into another VRF":  # in one real chassis the leaked route carries traffic
            chassis = network_analysis_of_running(reference_index, routers, vrf_leaks=True)
            assert chassis.model.table("ch-core1", "LGWAN").get(IPv4Network("10.30.0.0/16")).installed
            assert not analysis.model.table("ch-core1", "LGWAN").get(IPv4Network("10.30.0.0/16")).installed
    finally:
        if router:
            vtysh(router, *undo)


# --- one writer at a time: the device's configuration lock -----------------------------------------

def _holding(state: Path, router: str, owner: str):
    """A driver of this test process that holds ``router``'s configuration lock (as a provisioning
    run does from staging to its commit's confirmation)."""
    from napalm import get_network_driver

    endpoints = json.loads((state / "ssh/endpoints.json").read_text())
    device = get_network_driver("frr")(
        "127.0.0.1", SECRETS["MURONET_USERNAME"], SECRETS["MURONET_PASSWORD"],
        optional_args={"port": endpoints["hosts"][router]["port"], "system_host_keys": False, "alt_host_keys": True,
                       "alt_key_file": endpoints["known_hosts"], "lock_owner": owner})
    device.open()
    device.load_replace_candidate(config=running(router))
    return device


def _lock_events(state: Path, router: str) -> list[str]:
    return [line.split(f" {router}: ", 1)[1] for line in (state / "agent.log").read_text().splitlines()
            if f" {router}: " in line]


def test_a_second_writer_is_refused_the_device_lock_and_pushes_nothing(state, copy):
    before = running("aquarium-rt1")
    edit(copy / "inventory/facilities/aquarium.yaml", 'description: "市立室蘭水族館 施設LAN"}',
         'description: "市立室蘭水族館 施設LAN (second writer)"}')
    holder = _holding(state, "aquarium-rt1", "alice@ops1")
    try:
        code, report = provision(state, "--commit", "--inventory", str(copy / "inventory"), "--limit",
                                 "aquarium-rt1", env={"MURONET_LOCK_WAIT": "2"})
        assert code == 1 and outcomes(report) == {"aquarium-rt1": "failed"}, report
        assert "locked by alice@ops1#" in report["devices"][0]["detail"][0]
        assert reload.changes(before, running("aquarium-rt1")) == []  # nothing of the second writer's
    finally:
        holder.discard_config()
        holder.close()
    code, report = provision(state, "--commit", "--inventory", str(copy / "inventory"), "--limit", "aquarium-rt1")
    assert code == 0 and outcomes(report) == {"aquarium-rt1": "changed"}
    code, back = provision(state, "--commit", "--limit", "aquarium-rt1")
    assert code == 0 and outcomes(back) == {"aquarium-rt1": "changed"}


def test_a_backup_never_reads_a_configuration_in_the_middle_of_a_push(state, tmp_path):
    """A backup reads a staged or a pushed configuration (each is whole), and waits while a push is
    under way: here the push window of a holder that stays in it, then leaves it."""
    repo = tmp_path / "backups"
    holder = _holding(state, "library-rt1", "bob@ops2")
    try:
        staged = muronet("backup", "--lab", "--state", str(state), "--repo", str(repo), "--json", "--limit",
                         "library-rt1", env={"MURONET_LOCK_WAIT": "2"})
        assert staged.returncode == 0 and json.loads(staged.stdout)["changed"] == ["library-rt1"]
        assert holder._device(f"lock push {holder.owner}")[0] == 0  # the holder's push begins
        refused = muronet("backup", "--lab", "--state", str(state), "--repo", str(repo), "--json",
                          env={"MURONET_LOCK_WAIT": "2"})
        run = json.loads(refused.stdout)
        assert refused.returncode == 1 and "a change by bob@ops2#" in run["unreachable"]["library-rt1"], run
        assert "aquarium-rt1" in run["changed"]  # the others are backed up
        result: dict[str, subprocess.CompletedProcess] = {}
        waiting = threading.Thread(target=lambda: result.update(done=muronet(
            "backup", "--lab", "--state", str(state), "--repo", str(repo), "--json", "--limit", "library-rt1",
            env={"MURONET_LOCK_WAIT": "60"})))
        waiting.start()
        time.sleep(4)
        assert waiting.is_alive()  # it waits for the push to end
        assert holder._device(f"lock pushed {holder.owner}")[0] == 0
    finally:
        holder.discard_config()
        holder.close()
    waiting.join(120)
    assert result["done"].returncode == 0 and json.loads(result["done"].stdout)["unchanged"] == ["library-rt1"]
    events = _lock_events(state, "library-rt1")
    assert any(e.startswith("bob@ops2#") and e.endswith("push ends") for e in events)


def test_two_engineers_provisioning_one_device_at_once_never_interleave(state, tmp_path):
    copies = {}
    for who in ("alice", "bob"):
        shutil.copytree(REPO / "inventory", tmp_path / who / "inventory")
        shutil.copytree(REPO / "templates", tmp_path / who / "templates")
        edit(tmp_path / who / "inventory/facilities/aquarium.yaml", 'description: "市立室蘭水族館 施設LAN"}',
             f'description: "市立室蘭水族館 施設LAN ({who})"}}')
        copies[who] = tmp_path / who / "inventory"
    started = len(_lock_events(state, "aquarium-rt1"))
    results: dict[str, tuple[int, dict]] = {}
    workers = [threading.Thread(target=lambda who=who: results.update({who: provision(
        state, "--commit", "--inventory", str(copies[who]), "--limit", "aquarium-rt1",
        env={"MURONET_LOCK_WAIT": "240"})})) for who in copies]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(600)
    assert {who: code for who, (code, _) in results.items()} == {"alice": 0, "bob": 0}, results
    assert sorted(outcomes(r)["aquarium-rt1"] for _, r in results.values()) == ["changed", "changed"]
    # the agent's log: one owner's lock, arming and confirmation, then the other's, never mixed
    events = [e for e in _lock_events(state, "aquarium-rt1")[started:] if e.startswith(("locked by", "armed",
                                                                                          "confirmed"))]
    owners = [e.split()[2] for e in events if e.startswith("locked by")]
    first = owners[0]
    switch = next(n for n, e in enumerate(events) if e.startswith("locked by") and e.split()[2] != first)
    assert [e.split()[0] for e in events[:switch]].count("confirmed") == 1  # the first confirmed before
    assert all(e.split()[2] != first for e in events[switch:] if e.startswith("locked by"))
    final = running("aquarium-rt1")
    assert ("(alice)" in final) != ("(bob)" in final)  # the second's whole change, not a mix
    assert provision(state, "--commit", "--limit", "aquarium-rt1")[0] == 0
