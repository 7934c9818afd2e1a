"""Cisco IOS end to end through NAPALM's ``ios`` driver and Netmiko, against FAKE IOS switches
(``tests/integration/fake_ios.py``: recorded real IOS output, served over SSH; no IOS can run here).

``muronet`` runs as a user runs it, in a subprocess, with the city's six access switches reached
through an endpoints file (``--lab --state``) that points at the fakes on 127.0.0.1, their host
keys pinned. What runs for real: NAPALM's IOS driver (SCP of the candidate into flash:, ``show
archive config differences``, ``configure replace … revert trigger error timer``, ``configure
confirm``/``revert now``), Netmiko's session handling, ntc-templates' parsers, muronet's
verification of the switch ports. What is fake: the switch.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from fake_ios import FakeIos, Switch, recorded
from napalm import get_network_driver
from support import INVENTORY, REPO
from test_provision import SECRETS

from muronet.inventory.index import InventoryIndex
from muronet.lab.management import SYSTEM_KNOWN_HOSTS, publish_known_hosts, withdraw_known_hosts
from muronet.platforms import get_platform
from muronet.validation import load_and_validate
from muronet.verify.check import observe, problems
from muronet.verify.expectations import expectations
from muronet.workflows.common import intended_configs, load

MURONET = str(REPO / ".venv/bin/muronet")


def muronet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MURONET, *args, "--inventory", str(INVENTORY)], cwd=REPO, env={**os.environ, **SECRETS},
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def intended() -> dict[str, str]:
    """The access switches' intended configurations, real secrets in (what a switch runs)."""
    saved = dict(os.environ)
    os.environ.update(SECRETS)
    try:
        loaded = load(INVENTORY)
        names = sorted(d.name for d in loaded.devices if d.platform == "cisco_ios")
        return intended_configs(loaded, None, names)[0]
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def index() -> InventoryIndex:
    inventory, issues = load_and_validate(INVENTORY)
    assert not issues
    return InventoryIndex(inventory)


def _hardware(index: InventoryIndex, name: str) -> list[str]:
    device = index.devices[name]
    platform = get_platform(device.platform)
    return sorted({platform.interface_name(i.name) for i in device.interfaces} | set(index.unused_ports(device)))


def _uplinks(index: InventoryIndex, name: str) -> set[str]:
    return {i.name for i in index.devices[name].interfaces if i.mode == "trunk"}


class City:
    """The fake access switches and the endpoints file that points muronet at them."""

    def __init__(self, index: InventoryIndex, folder: Path, configs: dict[str, str]) -> None:
        self.fake = FakeIos(SECRETS["MURONET_USERNAME"], SECRETS["MURONET_PASSWORD"])
        self.state = folder / "state"
        (self.state / "ssh").mkdir(parents=True, mode=0o700)
        hosts = {}
        for name, config in configs.items():
            switch = Switch(name, _hardware(index, name), config, cabled=_uplinks(index, name))
            hosts[name] = {"hostname": "127.0.0.1", "port": self.fake.add(switch)}
        known = self.state / "ssh" / "known_hosts"
        known.write_text(self.fake.known_hosts())
        (self.state / "ssh" / "endpoints.json").write_text(json.dumps({"known_hosts": str(known), "hosts": hosts}))

    def switch(self, name: str) -> Switch:
        return self.fake.switches[name]

    def provision(self, *args: str) -> tuple[int, dict]:
        done = muronet("provision", "--lab", "--state", str(self.state), "--json", "--settle", "5", *args)
        assert done.stdout.strip().startswith("{"), done.stderr
        return done.returncode, json.loads(done.stdout)


@pytest.fixture
def city(index, tmp_path):
    cities: list[City] = []

    def make(configs: dict[str, str], uncabled: dict[str, str] | None = None) -> City:
        built = City(index, tmp_path, configs)
        for name, port in (uncabled or {}).items():
            built.switch(name).cabled.discard(port)
        cities.append(built)
        return built

    yield make
    for built in cities:
        built.fake.close()


def _drifted(config: str) -> str:
    """The configuration as someone left it by hand: a port's description changed and its BPDU guard
    removed (what a commit puts back)."""
    block = config.index("interface GigabitEthernet1/0/1\n")
    end = config.index("\ninterface ", block + 1)
    port = config[block:end].replace(" spanning-tree bpduguard enable\n", "")
    port = port.replace(" description ", " description temp-patch ", 1)
    return config[:block] + port + config[end:]


def _same(switch: Switch, config: str) -> bool:
    """Whether the switch runs ``config`` (IOS shows ``end`` of itself)."""
    return switch.running.strip("\n") == config.strip("\n").removesuffix("\nend").strip("\n")


def test_a_dry_run_diffs_on_the_switch_itself_masks_it_and_changes_nothing(city, intended):
    """The diff is IOS's own; a community someone typed on the switch (no scrubber knows it) shows
    as a placeholder."""
    typed = _drifted(intended["ch-acc-2f"]).replace("snmp-server location", "snmp-server community Hand-T7pd RW\n"
                                                    "snmp-server location", 1)
    before = {**intended, "ch-acc-2f": typed}
    fake = city(before)
    code, report = fake.provision()
    assert code == 0, report
    outcomes = {d["name"]: d["outcome"] for d in report["devices"]}
    assert outcomes == {name: "would change" if name == "ch-acc-2f" else "unchanged" for name in intended}
    diff = next(d["diff"] for d in report["devices"] if d["name"] == "ch-acc-2f")
    assert "Hand-T7pd" not in json.dumps(report)
    assert re.fullmatch(r"-snmp-server community <secret:sha-\w+> RW", diff.splitlines()[-1])
    assert diff.splitlines()[:-1] == ["interface GigabitEthernet1/0/1",
                                 " -description temp-patch " + _description(intended["ch-acc-2f"]),
                                 " +description " + _description(intended["ch-acc-2f"]),
                                 " +spanning-tree bpduguard enable"]
    switch = fake.switch("ch-acc-2f")
    assert any(c.startswith("show archive config differences system:/running-config flash:/candidate_config.txt")
               for c in switch.commands)  # IOS's own diff, through NAPALM
    assert _same(switch, before["ch-acc-2f"]) and switch.pending is None
    assert not any(secret in json.dumps(report) for secret in SECRETS.values())


def _description(config: str) -> str:
    block = config[config.index("interface GigabitEthernet1/0/1\n"):]
    return block.split(" description ", 1)[1].split("\n", 1)[0]


def test_a_commit_verifies_the_ports_then_confirms_and_saves(city, intended):
    fake = city({"ch-acc-2f": _drifted(intended["ch-acc-2f"]), "ch-acc-3f": intended["ch-acc-3f"]})
    code, report = fake.provision("--commit")
    assert code == 0, report
    assert {d["name"]: d["outcome"] for d in report["devices"]} == {"ch-acc-2f": "changed", "ch-acc-3f": "unchanged"}
    switch = fake.switch("ch-acc-2f")
    assert _same(switch, intended["ch-acc-2f"])
    assert switch.pending is None and switch.startup == switch.running  # confirmed, then written
    replace = [c for c in switch.commands if c.startswith("configure replace")]
    assert replace == ["configure replace flash:/candidate_config.txt force revert trigger error timer 10"]
    assert "show interfaces switchport" in switch.commands and "configure confirm" in switch.commands


def test_a_switch_whose_ports_do_not_verify_is_rolled_back(city, intended):
    """The uplink to ch-core2 has no link (its fibre unpatched): the trunk does not come up, so the
    change does not verify, and NAPALM's ``configure revert now`` restores the switch."""
    before = {"ch-acc-3f": _drifted(intended["ch-acc-3f"]), "ch-acc-4f": _drifted(intended["ch-acc-4f"])}
    fake = city(before, uncabled={"ch-acc-3f": "TenGigabitEthernet1/1/2"})
    code, report = fake.provision("--commit")
    assert code == 1
    devices = {d["name"]: d for d in report["devices"]}
    assert devices["ch-acc-3f"]["outcome"] == "rolled back" and devices["ch-acc-4f"]["outcome"] == "changed"
    assert devices["ch-acc-3f"]["detail"] == ["TenGigabitEthernet1/1/2 is not trunking (link down or not negotiated)"]
    switch = fake.switch("ch-acc-3f")
    assert "configure revert now" in switch.commands and switch.pending is None
    assert _same(switch, before["ch-acc-3f"])
    assert _same(fake.switch("ch-acc-4f"), intended["ch-acc-4f"])


def test_an_unreachable_switch_is_reported_and_the_others_go_on(city, intended):
    fake = city({"ch-acc-1f": intended["ch-acc-1f"], "ch-acc-5f": _drifted(intended["ch-acc-5f"])})
    endpoints = json.loads((fake.state / "ssh" / "endpoints.json").read_text())
    endpoints["hosts"]["ch-acc-1f"]["port"] = 9  # discard: nothing listens
    (fake.state / "ssh" / "endpoints.json").write_text(json.dumps(endpoints))
    code, report = fake.provision("--commit")
    devices = {d["name"]: d for d in report["devices"]}
    assert code == 1 and devices["ch-acc-1f"]["outcome"] == "failed" and devices["ch-acc-5f"]["outcome"] == "changed"
    assert devices["ch-acc-1f"]["detail"] and "Traceback" not in json.dumps(report)


def test_backup_of_ios_switches_masks_every_secret_and_keeps_the_configuration(city, intended, tmp_path):
    fake = city({"ch-acc-1f": intended["ch-acc-1f"], "ch-acc-2f": intended["ch-acc-2f"]})
    repo = tmp_path / "backups"
    done = muronet("backup", "--lab", "--state", str(fake.state), "--repo", str(repo), "--json")
    assert done.returncode == 0, done.stderr
    saved = {path.stem: path.read_text() for path in repo.glob("*.cfg")}
    assert sorted(saved) == ["ch-acc-1f", "ch-acc-2f"]
    for text in saved.values():
        assert not any(secret in text for secret in SECRETS.values())
    assert "enable secret 9 <secret:" in saved["ch-acc-1f"] and "interface GigabitEthernet1/0/48" in saved["ch-acc-1f"]
    assert fake.switch("ch-acc-1f").commands.count("show running-config") == 1


def test_the_live_audit_reads_ios_and_finds_a_hand_made_change_and_its_drift(city, intended, tmp_path):
    leaky = intended["ch-acc-2f"].replace("no ip http server", "ip http server", 1)
    fake = city({"ch-acc-1f": intended["ch-acc-1f"], "ch-acc-2f": leaky})
    done = muronet("audit", "--live", "--lab", "--state", str(fake.state), "--json", "--format", "json",
                   "--out", str(tmp_path / "out"))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    failed = {(f["device"], f["rule"]) for f in report["findings"] if f["status"] == "fail"}
    assert {device for device, _ in failed} == {"ch-acc-2f"}, failed
    assert report["drift"]["ch-acc-2f"] == ["no ip http server"] and not report["drift"].get("ch-acc-1f")
    assert not any(secret in done.stdout for secret in SECRETS.values())


def _read(switch: Switch, tmp_path: Path, read):
    """``read(device)`` with NAPALM's ios driver logged into a fake ``switch``, host key pinned."""
    fake = FakeIos("reader", "Reader-Pw-1")
    port = fake.add(switch)
    known = tmp_path / "known_hosts"
    known.write_text(fake.known_hosts())
    device = get_network_driver("ios")("127.0.0.1", "reader", "Reader-Pw-1", timeout=20, optional_args={
        "port": port, "ssh_strict": True, "system_host_keys": False, "alt_host_keys": True,
        "alt_key_file": str(known)})
    device.open()
    try:
        return read(device)
    finally:
        device.close()
        fake.close()


def test_the_ios_driver_reads_ospf_neighbours_from_recorded_ios_output(tmp_path):
    """A router's ``show ip ospf neighbor`` as ntc-templates recorded it, through NAPALM's ios driver
    and the platform's reader: each neighbour in the VRF of its interface (``show vrf detail``)."""
    answers = {command: recorded(f"{command.replace(' ', '_')}.txt")
               for command in ("show ip ospf neighbor", "show vrf detail", "show ip interface brief")}
    found = _read(Switch("rt-ios", [], "hostname rt-ios\n", answers=answers), tmp_path,
                  get_platform("cisco_ios").ospf_neighbors)
    neighbours = [("10.190.30.2", "10.190.16.11", "101", "Full/BDR"), ("10.190.30.3", "10.190.16.12", "101", "Full/DR"),
                  ("10.190.30.2", "10.190.16.3", "100", "Full/BDR"), ("10.190.30.3", "10.190.16.4", "100", "Full/DR")]
    assert found == {"global": [{"router_id": rid, "address": address, "interface": f"GigabitEthernet0/2.{unit}",
                                 "state": state} for rid, address, unit, state in neighbours]}


def test_verification_says_a_port_patched_into_a_zone_the_switch_does_not_serve(index, intended, tmp_path):
    """ch-acc-3f serves LGWAN and INTERNET; a MYNUMBER VLAN created by hand and a port moved into it
    is a separation breach, said as such (besides the port's VLAN being wrong)."""
    moved = re.sub(r"(interface GigabitEthernet1/0/1\n(?: .*\n)*? switchport access vlan )\d+", r"\g<1>120",
                   intended["ch-acc-3f"], count=1).replace("vlan 998\n", "vlan 120\n name MYN-ZEIMU\nvlan 998\n", 1)
    assert moved != intended["ch-acc-3f"]
    device = index.devices["ch-acc-3f"]
    wanted = expectations(index, device)
    assert "MYNUMBER" not in wanted.zones
    switch = Switch("ch-acc-3f", _hardware(index, "ch-acc-3f"), moved, cabled=_uplinks(index, "ch-acc-3f"))
    found = _read(switch, tmp_path, lambda d: problems(wanted, observe(d, get_platform("cisco_ios"), wanted)))
    assert "GigabitEthernet1/0/1 carries VLAN 120 of zone MYNUMBER, a zone ch-acc-3f is not approved for" in found
    assert any(p.startswith("GigabitEthernet1/0/1 is in VLAN 120, not ") for p in found)
    assert len(found) == 2  # the rest of the switch is as the inventory has it


# --- Ansible: the playbooks on IOS hosts, NAPALM's ios driver over network_cli (cisco.ios) ----------

PLAYBOOK = str(REPO / ".venv/bin/ansible-playbook")


@pytest.fixture
def ansible_city(city, intended, tmp_path):
    """The fake switches as Ansible sees them: the collection's inventory plugin on their endpoints,
    their host keys in the system's known hosts (network_cli over libssh reads only those), the
    test's secrets in a vault file (writing the system's known hosts needs root, as CI runs)."""
    def make(configs: dict[str, str], **options) -> City:
        built = city(configs, **options)
        (tmp_path / "fake.muronet.yml").write_text(
            f"plugin: muronet.city.inventory\ninventory_dir: {INVENTORY}\n"
            f"endpoints_file: {built.state / 'ssh/endpoints.json'}\n")
        publish_known_hosts(built.state / "ssh" / "known_hosts", built.state)
        published.append(built.state)
        return built

    created = not SYSTEM_KNOWN_HOSTS.exists()
    published: list[Path] = []
    vault = muronet("ansible-vault", "--out", str(tmp_path / "vault.yml"))
    assert vault.returncode == 0, vault.stderr
    yield make
    for state in published:
        withdraw_known_hosts(state, created)


def playbook(folder: Path, name: str, *args: str) -> tuple[int, dict]:
    done = subprocess.run(
        [PLAYBOOK, "-i", str(folder / "fake.muronet.yml"), "-e", f"@{folder / 'vault.yml'}",
         "-e", f"rollback_dir={folder / 'rollback'}", "-e", f"backup_repo={folder / 'backups'}",
         "-e", f"audit_reports={folder / 'reports'}", f"playbooks/{name}", *args],
        cwd=REPO, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_STDOUT_CALLBACK": "json",
             "ANSIBLE_NOCOLOR": "1"})
    assert done.stdout.strip().startswith("{"), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


def _failures(run: dict) -> dict[str, str]:
    """Per failed host, its failed task and message (what a failed run needs to be understood)."""
    return {f"{host}: {entry['task']['name']}": str(result.get("msg", ""))[:800]
            for play in run["plays"] for entry in play["tasks"] for host, result in entry["hosts"].items()
            if result.get("failed") or result.get("unreachable")}


def _changed(run: dict) -> set[str]:
    return {host for host, stats in run["stats"].items() if stats["changed"]}


def _diffs(run: dict, task: str) -> dict[str, str]:
    found = {}
    for play in run["plays"]:
        for entry in play["tasks"]:
            if entry["task"]["name"].startswith(task):
                found.update({host: result.get("diff", {}).get("prepared", "")
                              for host, result in entry["hosts"].items()})
    return found


def test_the_provision_playbook_on_ios_checks_then_pushes_verifies_and_confirms(ansible_city, intended, tmp_path):
    before = {"ch-acc-2f": _drifted(intended["ch-acc-2f"]), "ch-acc-3f": intended["ch-acc-3f"]}
    fake = ansible_city(before)
    code, run = playbook(tmp_path, "provision.yml", "--check", "--diff")
    assert code == 0, _failures(run)
    assert _changed(run) == {"ch-acc-2f"} and _same(fake.switch("ch-acc-2f"), before["ch-acc-2f"])
    assert " +spanning-tree bpduguard enable" in _diffs(run, "Intended configuration")["ch-acc-2f"]

    code, run = playbook(tmp_path, "provision.yml")
    assert code == 0, _failures(run)
    switch = fake.switch("ch-acc-2f")
    assert _same(switch, intended["ch-acc-2f"]) and switch.pending is None and switch.startup == switch.running
    assert any(c.endswith("force revert trigger error timer 10") for c in switch.commands)
    assert "configure confirm" in switch.commands and "show interfaces switchport" in switch.commands

    code, run = playbook(tmp_path, "provision.yml")
    assert code == 0 and _changed(run) == set()


def test_the_provision_playbook_rolls_back_an_ios_switch_that_does_not_verify(ansible_city, intended, tmp_path):
    before = {"ch-acc-3f": _drifted(intended["ch-acc-3f"])}
    fake = ansible_city(before, uncabled={"ch-acc-3f": "TenGigabitEthernet1/1/2"})
    code, run = playbook(tmp_path, "provision.yml", "-e", "settle=3")
    assert code != 0
    switch = fake.switch("ch-acc-3f")
    assert "configure revert now" in switch.commands and _same(switch, before["ch-acc-3f"])
    assert "TenGigabitEthernet1/1/2 is not trunking" in json.dumps(run)


def test_the_backup_and_audit_playbooks_read_ios(ansible_city, intended, tmp_path):
    leaky = intended["ch-acc-2f"].replace("no ip http server", "ip http server", 1)
    fake = ansible_city({"ch-acc-1f": intended["ch-acc-1f"], "ch-acc-2f": leaky})
    code, run = playbook(tmp_path, "audit.yml")
    assert code != 0 and list(_failures(run)) == ["localhost: Fail on a critical or high finding"]
    saved = {path.stem: path.read_text() for path in (tmp_path / "backups").glob("*.cfg")}
    assert sorted(saved) == ["ch-acc-1f", "ch-acc-2f"] and "ip http server" in saved["ch-acc-2f"]
    assert not any(secret in text for text in saved.values() for secret in SECRETS.values())
    report = json.loads((tmp_path / "reports" / "findings.json").read_text())
    assert {(f["device"], f["rule"]) for f in report["findings"] if f["status"] == "fail"} == {("ch-acc-2f",
                                                                                                "SEC-MGMT-005")}
    assert fake.switch("ch-acc-1f").commands.count("show running-config") == 1  # one read per host and run


def test_the_onboarding_playbook_brings_up_the_ios_switches_of_a_site(ansible_city, intended, tmp_path):
    """City hall's switches as a site to onboard: its devices that Ansible reaches (the fakes) are
    pushed, verified and saved; the neighbours' table is read with the platform's own command."""
    before = {"ch-acc-1f": intended["ch-acc-1f"], "ch-acc-5f": _drifted(intended["ch-acc-5f"])}
    fake = ansible_city(before)
    code, run = playbook(tmp_path, "onboard_facility.yml", "-e", "facility=city-hall")
    assert code == 0, _failures(run)
    assert _changed(run) == {"ch-acc-5f"} and _same(fake.switch("ch-acc-5f"), intended["ch-acc-5f"])
    assert "show ip ospf neighbor" in fake.switch("ch-acc-1f").commands
