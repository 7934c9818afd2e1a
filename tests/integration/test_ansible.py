"""The playbooks, run with the real ``ansible-playbook`` against the twin, as a user runs them.

One twin for the module (its own state folder and credentials), provisioned by muronet first; the
playbooks then see it through the collection's inventory plugin, with the test's credentials and
secrets in a vault file given as extra variables. Every test leaves the twin as intended.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from support import REPO, edit, twin_routers
from test_provision import SECRETS, muronet, running, vtysh

from muronet.lab.plan import boot_config
from muronet.validation.checked import checked_index
from napalm_frr import reload

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the twin needs root")
PLAYBOOK = str(REPO / ".venv/bin/ansible-playbook")
TWIN_ROUTERS = twin_routers()
# named explicitly: Ansible ignores an ansible.cfg in the working folder if that folder is world-writable
ANSIBLE_ENV = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}


@pytest.fixture(scope="module")
def twin():
    parent = Path(tempfile.mkdtemp(prefix="muronet-ansible-", dir="/var/tmp"))
    parent.chmod(0o755)
    folder = parent / "lab"
    try:
        up = muronet("lab", "up", "--state", str(folder))
        assert up.returncode == 0, up.stdout + up.stderr
        done = muronet("provision", "--lab", "--state", str(folder), "--commit", "--no-diff")
        assert done.returncode == 0, done.stdout + done.stderr
        (parent / "twin.muronet.yml").write_text(
            f"plugin: muronet.city.inventory\ninventory_dir: {REPO / 'inventory'}\n"
            f"endpoints_file: {folder / 'ssh/endpoints.json'}\n")
        # the test's secrets, encrypted with the repository's vault password (make setup made it)
        vault = muronet("ansible-vault", "--out", str(parent / "vault.yml"))
        assert vault.returncode == 0, vault.stderr
        yield parent
    finally:
        muronet("lab", "down", "--state", str(folder))
        shutil.rmtree(parent, ignore_errors=True)


def playbook(twin: Path, name: str, *args: str, inventory: Path | None = None) -> tuple[int, dict]:
    """Run playbooks/NAME with Ansible's json callback; (exit status, the run as data)."""
    done = subprocess.run(
        [PLAYBOOK, "-i", str(inventory or twin / "twin.muronet.yml"), "-e", f"@{twin / 'vault.yml'}",
         "-e", f"rollback_dir={twin / 'rollback'}", f"playbooks/{name}", *args],
        cwd=REPO, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
        env={**ANSIBLE_ENV, "ANSIBLE_STDOUT_CALLBACK": "json", "ANSIBLE_NOCOLOR": "1"})
    assert done.stdout.strip().startswith("{"), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


def changed(run: dict) -> set[str]:
    return {host for host, stats in run["stats"].items() if stats["changed"]}


def failed(run: dict) -> set[str]:
    return {host for host, stats in run["stats"].items() if stats["failures"] or stats["unreachable"]}


def why_failed(run: dict) -> dict[str, str]:
    """Per failed host, the message of its failed task (what a flaky run needs to be understood)."""
    found = {}
    for play in run["plays"]:
        for entry in play["tasks"]:
            for host, result in entry["hosts"].items():
                if result.get("failed") or result.get("unreachable"):
                    found[host] = f"{entry['task']['name']}: {result.get('msg', '')}"[:500]
    return found


def results(run: dict, task: str) -> dict[str, dict]:
    """Per host, the result of the task whose name starts with ``task``."""
    found: dict[str, dict] = {}
    for play in run["plays"]:
        for entry in play["tasks"]:
            if entry["task"]["name"].startswith(task):
                found.update(entry["hosts"])
    return found


def test_inventory_plugin_gives_the_twin_routers_with_their_groups_and_endpoints(twin):
    listed = json.loads(subprocess.run([str(REPO / ".venv/bin/ansible-inventory"), "-i", str(twin / "twin.muronet.yml"),
                                        "--list"], cwd=REPO, capture_output=True, text=True, check=True,
                                       env=ANSIBLE_ENV).stdout)
    endpoints = json.loads((twin / "lab/ssh/endpoints.json").read_text())["hosts"]
    hostvars = listed["_meta"]["hostvars"]
    assert set(hostvars) == set(endpoints)
    assert hostvars["library-rt1"]["ansible_port"] == endpoints["library-rt1"]["port"]
    assert hostvars["library-rt1"]["ansible_network_os"] == "frr.frr.frr"
    assert "ch-agg1" in hostvars["library-rt1"]["muronet_neighbours"]
    assert listed["site_library"]["hosts"] == ["library-rt1"]
    assert "ch-lgwan-rt1" in listed["zone_LGWAN"]["hosts"] and "library-rt1" not in listed["zone_LGWAN"]["hosts"]


def test_a_malformed_inventory_stops_the_run_with_file_and_line(twin, tmp_path):
    shutil.copytree(REPO / "inventory", tmp_path / "inventory")
    edit(tmp_path / "inventory/fiber.yaml", "length_km:", "length_km: [")
    config = tmp_path / "broken.muronet.yml"
    config.write_text(f"plugin: muronet.city.inventory\ninventory_dir: {tmp_path / 'inventory'}\n")
    done = subprocess.run([PLAYBOOK, "-i", str(config), "playbooks/backup.yml"], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env=ANSIBLE_ENV)
    assert done.returncode != 0
    assert "fiber.yaml:" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_check_mode_shows_the_diff_of_exactly_the_drifted_devices_and_changes_nothing(twin):
    vtysh("library-rt1", "interface eth1", "description drifted by hand", "exit", "ip route 192.0.2.0/24 Null0")
    vtysh("hospital-rt1", "interface eth1", "description also drifted")
    before = {r: running(r) for r in ("library-rt1", "hospital-rt1")}
    code, run = playbook(twin, "provision.yml", "--check", "--diff")
    assert code == 0
    assert changed(run) == {"library-rt1", "hospital-rt1"}
    diff = results(run, "Intended configuration")["library-rt1"]["diff"]["prepared"]
    assert "-ip route 192.0.2.0/24 Null0" in diff and "- description drifted by hand" in diff
    assert SECRETS["MURONET_OSPF_KEY"] not in json.dumps(run)
    assert {r: running(r) for r in before} == before  # nothing pushed


def test_a_real_run_fixes_the_drift_saves_it_and_a_second_run_changes_nothing(twin):
    # the drifted devices and two that are not (the check above ran over the whole city)
    code, run = playbook(twin, "provision.yml", "--limit", "library-rt1,hospital-rt1,ch-core1,ch-gc-rt1")
    assert code == 0, failed(run)
    assert changed(run) == {"library-rt1", "hospital-rt1"}
    for router in ("library-rt1", "hospital-rt1"):
        assert "drifted" not in running(router)
        assert "drifted" not in (twin / f"lab/routers/{router}/etc/frr.conf").read_text()  # confirmed: saved
    assert not list((twin / "rollback").glob("*.vault"))
    code, again = playbook(twin, "provision.yml", "--limit", "library-rt1,hospital-rt1")  # the rest: the check above
    assert code == 0 and changed(again) == set()


def test_a_device_that_does_not_verify_is_rolled_back(twin):
    before = running("ch-lgwan-rt1")
    # a session password the far end does not know: the push succeeds, the BGP session never comes up
    wrong = {"vault_muronet_secrets": {**{k.removeprefix("MURONET_").lower(): v for k, v in SECRETS.items()},
                                       "bgp_lgwan": "rotated-but-not-at-the-far-end"}}
    code, run = playbook(twin, "provision.yml", "--limit", "ch-lgwan-rt1", "-e", json.dumps(wrong), "-e", "settle=12")
    assert code != 0
    assert "ch-lgwan-rt1" in failed(run)
    assert results(run, "Roll back")["ch-lgwan-rt1"]["changed"] is True
    assert "BGP session to 10.224.255.1" in results(run, "Routing state")["ch-lgwan-rt1"]["msg"]
    assert "rotated-but-not-at-the-far-end" not in json.dumps(run)
    assert reload.changes(before, running("ch-lgwan-rt1")) == []
    assert reload.changes(before, (twin / "lab/routers/ch-lgwan-rt1/etc/frr.conf").read_text()) == []
    assert not list((twin / "rollback").glob("*.vault"))


BACKED_UP = ("ch-core1", "ch-agg1", "ch-lgwan-rt1", "ch-inet-rt1", "ch-gc-rt1", "library-rt1", "hospital-rt1")


def test_ansible_backups_equal_the_nornir_backups_line_for_line(twin, tmp_path):
    """One device of every routed role, both ways (a whole city's backups take a minute each)."""
    repo = tmp_path / "backups"
    done = muronet("backup", "--lab", "--state", str(twin / "lab"), "--repo", str(repo), "--limit", ",".join(BACKED_UP))
    assert done.returncode == 0, done.stdout + done.stderr
    nornir = {p.name: p.read_text() for p in repo.glob("*.cfg")}
    assert sorted(nornir) == sorted(f"{name}.cfg" for name in BACKED_UP)
    for path in repo.glob("*.cfg"):
        path.unlink()
    code, run = playbook(twin, "backup.yml", "-e", f"backup_repo={repo}", "--limit", ",".join(BACKED_UP))
    assert code == 0, why_failed(run)
    ansible = {p.name: p.read_text() for p in repo.glob("*.cfg")}
    assert ansible.keys() == nornir.keys()
    for name in nornir:
        assert ansible[name].splitlines() == nornir[name].splitlines(), name
    assert SECRETS["MURONET_OSPF_KEY"] not in "".join(ansible.values())
    (committed,) = results(run, "One commit").values()  # run once: nothing new to commit, the files are the same
    assert committed["changed"] is False and committed["commit"] is None
    assert subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
                          ).stdout == ""


def test_audit_fails_on_a_high_finding_and_leaves_the_reports(twin, tmp_path):
    vtysh("library-rt1", "line vty", "exec-timeout 0 0")  # SEC-MGMT-004 (high): no idle timeout
    # the city's backups, as last night's left them (backup.yml over the city: the test above);
    # the playbook backs up the drifted router again and audits the whole repository
    done = muronet("backup", "--lab", "--state", str(twin / "lab"), "--repo", str(tmp_path / "backups"))
    assert done.returncode == 0, done.stdout + done.stderr
    reports = tmp_path / "audit"
    where = ["-e", f"backup_repo={tmp_path / 'backups'}", "-e", f"audit_reports={reports}"]
    code, run = playbook(twin, "audit.yml", *where, "--limit", "library-rt1,localhost")
    failing = results(run, "Fail on")
    assert code != 0 and "localhost" in failing, why_failed(run)  # the play failed where it should, not before
    assert "critical or high" in failing["localhost"]["msg"]
    first = json.loads((reports / "findings.json").read_text())
    assert len(first["devices"]) == TWIN_ROUTERS
    assert any(f["rule"] == "SEC-MGMT-004" and f["device"] == "library-rt1" for f in first["findings"])
    assert {"report.html", "junit.xml", "summary.md"} <= {p.name for p in reports.iterdir()}
    code, _ = playbook(twin, "provision.yml", "--limit", "library-rt1")
    assert code == 0
    code, run = playbook(twin, "audit.yml", *where, "--limit", "library-rt1,localhost")  # the other backups stand
    assert code == 0, failed(run)
    assert set(run["stats"]) == {"library-rt1", "localhost"}
    audited = json.loads((reports / "findings.json").read_text())
    assert len(audited["devices"]) == TWIN_ROUTERS  # the whole backup repository, the fixed device's backup renewed
    assert not any(f["rule"] == "SEC-MGMT-004" and f["device"] == "library-rt1" for f in audited["findings"])


def test_onboarding_brings_up_a_new_facility_and_its_aggregation_side(twin):
    index = checked_index(REPO / "inventory")
    saved = twin / "lab/routers/library-rt1/etc/frr.conf"
    saved.write_text(boot_config(index, index.devices["library-rt1"]))  # out of the box
    assert muronet("lab", "restart", "library-rt1", "--state", str(twin / "lab")).returncode == 0
    vtysh("ch-agg1", "interface eth4", "shutdown")  # its aggregation port, not yet in service
    code, run = playbook(twin, "onboard_facility.yml", "-e", "facility=library")
    assert code == 0, failed(run)
    assert changed(run) == {"library-rt1", "ch-agg1"}
    verified = {host for host, result in results(run, "Routing state").items() if not result.get("skipped")}
    assert verified == {"library-rt1", "ch-agg1"}  # what changed is verified, then saved
    neighbours = "\n".join(results(run, "OSPF neighbours now")["library-rt1"]["stdout_lines"])
    assert neighbours.count("Full") >= 3  # ch-agg1 and both ring neighbours
    assert "hostname library-rt1" in saved.read_text() and "router ospf" in saved.read_text()
    code, again = playbook(twin, "onboard_facility.yml", "-e", "facility=library")
    assert code == 0 and changed(again) == set()
    code, run = playbook(twin, "onboard_facility.yml", "-e", "facility=no-such-site")
    assert code != 0 and "give -e facility=SITE" in json.dumps(run)
