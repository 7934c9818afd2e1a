"""The digital twin: built from the inventory, boots the whole city, recovers, leaves nothing behind."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml
from netmiko import ConnectHandler
from nornir import InitNornir
from nornir_netmiko.tasks import netmiko_send_command
from paramiko import SSHException
from support import REPO

from muronet.inventory.index import split_endpoint
from muronet.lab.plan import MAX_IFNAME, OOB_NAMESPACE, boot_config, build_plan, peer_config
from napalm_frr import scratch


@pytest.fixture(scope="module", autouse=True)
def no_scratch_frr():
    """These tests count every namespace and mount on the machine: the scratch FRRs that earlier
    tests of this process started (kept warm until it ends) are stopped first."""
    scratch.shutdown()


@pytest.fixture(scope="module")
def plan(reference_index):
    return build_plan(reference_index)


def test_plan_has_a_namespace_per_router_and_vrf_and_a_link_per_routed_cable(plan, reference, reference_index):
    routed = {d.name for d in reference.devices if d.platform == "frr"}
    assert {r.name for r in plan.routers} == routed and len(routed) >= 45
    core = next(r for r in plan.routers if r.name == "ch-core1")
    assert core.vrfs == ("INTERNET", "LGWAN", "MGMT", "MYNUMBER")
    library = next(r for r in plan.routers if r.name == "library-rt1")
    assert library.vrfs == ("INTERNET", "MGMT")  # REGIONAL is its global table
    assert len(plan.namespaces) == (1 + sum(1 + len(r.vrfs) for r in plan.routers) + len(plan.segments)
                                    + len(plan.peers))
    routed_cables = [c for c in reference.cables
                     if split_endpoint(c.a)[0] in routed and split_endpoint(c.b)[0] in routed]
    subs = sum(1 for c in routed_cables for i in reference_index.devices[split_endpoint(c.a)[0]].interfaces
               if i.parent == split_endpoint(c.a)[1])
    assert len(plan.links) == len(routed_cables) + subs
    pair = next(p for p in plan.links if p.a.name == "eth2.300" and p.a.namespace == "library-rt1-INTERNET")
    assert pair.b.namespace == "kaiyo-es-rt1-INTERNET" and pair.b.name == "eth1.300"
    assert all(len(p.name) <= MAX_IFNAME for link in plan.links for p in (link.a, link.b))
    assert len(plan.oob_ports) == len(routed)


def test_plan_puts_every_routed_lan_on_a_segment_with_a_free_test_host(plan, reference, reference_index):
    lans = {(d.name, i.name) for d in reference.devices if d.platform == "frr" for i in d.interfaces
            if i.role in ("user", "server", "facility_lan", "public_wifi") and i.address}
    on_segments = {(p.namespace.split("-MYNUMBER")[0].split("-LGWAN")[0].split("-INTERNET")[0], p.name)
                   for s in plan.segments for p in s.gateway_ports}
    assert on_segments == lans
    used = {i.address.ip for d in reference.devices for i in d.interfaces if i.address}
    for segment in plan.segments:
        assert segment.host.ip in segment.prefix and segment.host.ip not in used
    vlan106 = next(s for s in plan.segments if str(s.prefix) == "10.10.6.0/24")
    assert vlan106.zone == "MYNUMBER" and str(vlan106.gateway) == "10.10.6.1"  # the VRRP address
    assert {v.port.namespace for v in vlan106.vrrp} == {"ch-core1-MYNUMBER", "ch-core2-MYNUMBER"}
    assert all(v.mac == "00:00:5e:00:01:06" for v in vlan106.vrrp)
    wifi = next(s for s in plan.segments if str(s.prefix) == "10.31.6.0/24")
    assert wifi.zone == "INTERNET" and wifi.gateway_ports[0].namespace == "aquarium-rt1-INTERNET"
    lgwan = next(p for p in plan.peers if p.circuit.kind == "lgwan_access")
    assert lgwan.link.a.namespace == "ch-lgwan-rt1" and str(lgwan.address) == "10.224.255.1/30"
    config = peer_config(reference_index, lgwan, "pw")
    assert "neighbor 10.224.255.2 remote-as 65021" in config and "network 10.224.0.0/20" in config
    assert "default-originate" not in config
    cloud = next(p for p in plan.peers if p.circuit.kind == "security_cloud")
    assert "neighbor 10.30.254.2 default-originate" in peer_config(reference_index, cloud, "pw")


def test_boot_config_is_the_management_address_only(reference_index):
    text = boot_config(reference_index, reference_index.devices["library-rt1"])
    assert text == ("hostname library-rt1\nservice integrated-vtysh-config\n!\n"
                    "interface mgmt0 vrf MGMT\n ip address 10.99.2.12/22\nexit\n!\n")


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the twin needs root")


def _command_lines() -> list[tuple[str, bytes]]:
    """Every process's PID and command line; one that ends while /proc is read is left out (the
    other test worker starts and ends processes all the time)."""
    lines = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            lines.append((pid, Path(f"/proc/{pid}/cmdline").read_bytes()))
    return lines


def _leftovers(state: Path, routers: list[str]) -> dict[str, list[str]]:
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    procs = [pid for pid, cmdline in _command_lines() if (argv := cmdline.split(b"\0"))[0].startswith(b"/usr/lib/frr/")
             and any(r.encode() in argv for r in routers)]
    mounts = [line for line in Path("/proc/mounts").read_text().splitlines() if str(state) in line]
    spaces = [p for r in routers for p in (f"/etc/frr/{r}", f"/var/run/frr/{r}") if os.path.lexists(p)]
    points = {f"{base}/{r}" for r in routers for base in ("/etc/frr", "/var/run/frr", "/run/frr")}
    mounts += [line for line in Path("/proc/mounts").read_text().splitlines() if line.split()[1] in points]
    return {"netns": [n for n in netns if n in routers or n == OOB_NAMESPACE or n.startswith(tuple(routers))],
            "processes": procs, "mounts": mounts, "path_spaces": spaces,
            "files": _frr_files_outside_state() + [str(p) for p in Path("/run/muronet-twin").glob("*")]}


def _frr_files_outside_state() -> list[str]:
    """What FRR may write outside its path space: crash-log folders and the OSPF GR file."""
    found = [str(p) for p in Path("/var/tmp/frr").glob("*")] if Path("/var/tmp/frr").exists() else []
    return found + [str(p) for p in Path("/var/run/frr").glob("*.json")]


LOGIN = {"MURONET_USERNAME": "muronet-test", "MURONET_PASSWORD": "Twin-Login-7f3a9c",
         "MURONET_BGP_LGWAN": "lab-peer-1", "MURONET_BGP_SECURITY_CLOUD": "lab-peer-2",
         "MURONET_BGP_GOVERNMENT_CLOUD": "lab-peer-3"}  # the lab peers' sessions


def _ssh_checks(state: Path, routers: list[str]) -> None:
    """Every router over SSH with pinned host keys (Nornir + Netmiko), a wrong key refused, lab ssh."""
    config = state / "nornir.yaml"
    config.write_text(yaml.safe_dump({
        "inventory": {"plugin": "MuronetInventory", "options": {
            "inventory_dir": str(REPO / "inventory"), "endpoints_file": str(state / "ssh/endpoints.json")}},
        "runner": {"plugin": "threaded", "options": {"num_workers": 20}}, "logging": {"enabled": False}}))
    nr = InitNornir(config_file=str(config))
    assert sorted(nr.inventory.hosts) == sorted(routers)
    result = nr.run(task=netmiko_send_command, command_string="show running-config")
    assert not result.failed, list(result.failed_hosts)
    assert all(f"hostname {name}" in multi[0].result for name, multi in result.items())
    nr.close_connections()
    known = state / "ssh/known_hosts"
    port = json.loads((state / "ssh/endpoints.json").read_text())["hosts"]["ch-core1"]["port"]
    forged = state / "forged_known_hosts"
    forged.write_text(f"[127.0.0.1]:{port} ssh-ed25519 "
                      "AAAAC3NzaC1lZDI1NTE5AAAAIGu7Cx6/9XRPgDH9hHxnmlqvFKjSKUuZCmVNyq3cTcSt\n")
    with pytest.raises(SSHException, match=r"(?i)host key"):  # netmiko's errors derive from paramiko's
        ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port, username=LOGIN["MURONET_USERNAME"],
                       password=LOGIN["MURONET_PASSWORD"], ssh_strict=True, system_host_keys=False,
                       alt_host_keys=True, alt_key_file=str(forged))
    assert known.read_text().count("ssh-ed25519") == len(routers)
    askpass = state / "askpass"
    askpass.write_text('#!/bin/sh\necho "$MURONET_PASSWORD"\n')
    askpass.chmod(0o700)
    env = {**os.environ, **LOGIN, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force"}
    muronet = REPO / ".venv/bin/muronet"
    shown = subprocess.run([str(muronet), "lab", "ssh", "--state", str(state), "ch-lgwan-rt1", "show", "version"],
                           cwd=REPO, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert "FRRouting 8.4" in shown.stdout, shown.stderr
    _no_shell_anywhere(state, env, port, known)
    for router in ("ch-core1", "library-rt1"):  # what root's init script sources: root's, in root's folder
        etc = Path(f"/etc/frr/{router}")
        assert etc.stat().st_uid == 0 and not etc.stat().st_mode & 0o022
        assert (etc / "daemons").stat().st_uid == 0 and not (etc / "daemons").stat().st_mode & 0o022
    assert (state.stat().st_uid, state.stat().st_mode & 0o777) == (0, 0o700)


def _ssh(port: int, known_hosts: Path, env: dict[str, str], command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ssh", "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
                           "-o", "StrictHostKeyChecking=yes", "-o", "PubkeyAuthentication=no", "-p", str(port),
                           f"{LOGIN['MURONET_USERNAME']}@127.0.0.1", command],
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def _no_shell_anywhere(state: Path, env: dict[str, str], port: int, known: Path) -> None:
    """The lab's account has no shell: its only program opens a router's CLI, through the lab's
    own sshd on that router's port, and nothing else, wherever and however one logs in."""
    import pwd

    account = pwd.getpwnam(LOGIN["MURONET_USERNAME"])
    assert account.pw_shell.startswith("/run/muronet-twin/") and account.pw_shell.endswith("/login")
    assert account.pw_shell not in Path("/etc/shells").read_text().split()
    assert os.stat(account.pw_shell).st_uid == 0 and not os.stat(account.pw_shell).st_mode & 0o022
    assert "% Unknown command" in _ssh(port, known, env, "id").stdout  # a command goes to the CLI, not a shell
    as_account = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups"]
    for argv, said in (([account.pw_shell], "only opens a router's CLI"),  # a login shell: refused
                       ([account.pw_shell, "-c", "/bin/sh -i"], "no such router"),
                       ([account.pw_shell, "-c", "ch-core1"], "management port")):  # not through sshd
        refused = subprocess.run([*as_account, *argv], capture_output=True, text=True,
                                 env={"PATH": "/usr/bin:/bin"}, timeout=30)
        assert refused.returncode == 1 and said in refused.stderr, (argv, refused)
    # another sshd on this machine (the system's, say) lets the account in: the program refuses it
    other = state / "other-sshd"
    other.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other / "key")], check=True)
    free = 22190
    (other / "sshd.conf").write_text(f"ListenAddress 127.0.0.1:{free}\nHostKey {other / 'key'}\n"
                                     f"PidFile {other / 'sshd.pid'}\nAllowUsers {LOGIN['MURONET_USERNAME']}\n"
                                     "PasswordAuthentication yes\nUsePAM yes\n")
    (other / "known").write_text(f"[127.0.0.1]:{free} {(other / 'key.pub').read_text()}")
    subprocess.run(["/usr/sbin/sshd", "-f", str(other / "sshd.conf")], check=True)
    deadline = time.monotonic() + 30  # sshd forks away before it listens; its PID file comes after
    while not (other / "sshd.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        for command in ("id", "ch-core1"):
            refused = _ssh(free, other / "known", env, command)
            assert refused.returncode != 0 and "napalm-frr:" in refused.stderr, refused
            assert "uid=" not in refused.stdout
    finally:
        os.kill(int((other / "sshd.pid").read_text()), 15)


@pytest.fixture
def twin_state_folder():
    """FRR runs as user frr, which must reach the state folder: not under pytest's 0700 tmp, nor
    under the checkout (CI may clone into a private folder)."""
    parent = Path(tempfile.mkdtemp(prefix="muronet-test-", dir="/var/tmp"))
    parent.chmod(0o755)
    yield parent / "lab"
    shutil.rmtree(parent, ignore_errors=True)


@needs_root
def test_whole_city_boots_recovers_from_a_half_torn_lab_and_goes_down_without_a_trace(
        cli, plan, reference_index, monkeypatch, twin_state_folder):
    for name, value in LOGIN.items():
        monkeypatch.setenv(name, value)
    state = twin_state_folder
    routers = [r.name for r in plan.routers]
    files_before = _frr_files_outside_state()
    try:
        assert cli("lab", "up", "--state", str(state)).exit_code == 0
        _ssh_checks(state, routers)
        status = cli("lab", "status", "--state", str(state), "--json")
        assert status.exit_code == 0, status.output
        vrfs = subprocess.run(["vtysh", "-N", "ch-core1", "-c", "show vrf"], capture_output=True, text=True).stdout
        assert all(f"vrf {v} " in vrfs for v in ("INTERNET", "LGWAN", "MGMT", "MYNUMBER"))
        # unconfigured: the boot config only
        running = subprocess.run(["vtysh", "-N", "library-rt1", "-c", "show running-config"],
                                 capture_output=True, text=True).stdout
        assert "ip address 10.99.2.12/22" in running and "router ospf" not in running
        ping = subprocess.run(["ip", "netns", "exec", "ch-core1-MGMT", "ping", "-c1", "-W2", "10.99.2.12"],
                              capture_output=True)
        assert ping.returncode == 0  # the out-of-band network reaches every router
        # an engineer is still logged in while the lab is rebuilt: the session must not block it
        port = json.loads((state / "ssh/endpoints.json").read_text())["hosts"]["ch-core2"]["port"]
        session = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port,
                                 username=LOGIN["MURONET_USERNAME"], password=LOGIN["MURONET_PASSWORD"],
                                 ssh_strict=True, system_host_keys=False, alt_host_keys=True,
                                 alt_key_file=str(state / "ssh/known_hosts"))
        assert "hostname ch-core2" in session.send_command("show running-config")
        # tear half of it: kill a router's zebra and delete another router's namespace
        zebra = int((state / "routers/library-rt1/run/zebra.pid").read_text())
        os.kill(zebra, 9)
        subprocess.run(["ip", "netns", "del", "hospital-rt1"], check=True)
        assert cli("lab", "status", "--state", str(state)).exit_code == 1
        assert cli("lab", "up", "--state", str(state)).exit_code == 0
        assert cli("lab", "status", "--state", str(state)).exit_code == 0
    finally:
        down = cli("lab", "down", "--state", str(state))
    assert down.exit_code == 0
    assert _leftovers(state, routers) == {"netns": [], "processes": [], "mounts": [], "path_spaces": [],
                                          "files": files_before}
    assert not (state / "state.json").exists() and not (state / "ssh").exists()
    assert subprocess.run(["id", LOGIN["MURONET_USERNAME"]], capture_output=True).returncode != 0
    assert [p for p, argv in _command_lines() if str(state).encode() in argv] == []


@needs_root
def test_lab_up_without_login_credentials_is_refused(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("MURONET_PASSWORD", raising=False)
    monkeypatch.setenv("MURONET_USERNAME", "muronet-test")
    result = cli("lab", "up", "--state", str(tmp_path / "never"))
    assert result.exit_code == 2 and "MURONET_PASSWORD is not set" in result.output


@pytest.fixture
def someone_else():
    """Another account on the machine, with a process running as it: what `lab down` must spare."""
    name = "muronet-victim"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    uid = int(subprocess.run(["id", "-u", name], capture_output=True, text=True).stdout)
    process = subprocess.Popen(["setpriv", f"--reuid={uid}", "--regid=65534", "--clear-groups", "sleep", "600"])
    yield name, uid, process
    process.kill()
    process.wait()
    subprocess.run(["userdel", name], check=False)


def _planted_state(folder: Path, user: str, marker: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "state.json").write_text(json.dumps({"routers": [], "namespaces": [], "user": user,
                                                   "user_created": True, "marker": marker}))


@needs_root
def test_a_state_folder_someone_else_made_is_refused_and_nothing_it_names_is_touched(cli, tmp_path, someone_else,
                                                                                      monkeypatch):
    """The issue's attack: a folder another user owns, whose state.json names an account. `lab down`
    would have killed that account's processes and deleted it."""
    name, uid, process = someone_else
    base = Path(tempfile.mkdtemp(prefix="muronet-test-", dir="/var/tmp"))
    try:
        planted = base / "planted"
        _planted_state(planted, name)
        os.chown(planted, uid, -1)
        for command in (["lab", "down"], ["lab", "status"], ["lab", "restart", "x"]):
            result = cli(*command, "--state", str(planted))
            assert result.exit_code == 1 and f"belongs to user {name}" in result.output, result.output
        writable = base / "writable"
        _planted_state(writable, name)
        writable.chmod(0o777)
        result = cli("lab", "down", "--state", str(writable))
        assert result.exit_code == 1 and "writable by group or others" in result.output
        linked = base / "linked"
        linked.symlink_to(writable)
        assert "symbolic link" in cli("lab", "down", "--state", str(linked)).output
        for key, value in LOGIN.items():
            monkeypatch.setenv(key, value)
        quoted = cli("lab", "up", "--state", f"{base}/x; touch {base}/pwned")
        assert quoted.exit_code == 1 and "may hold only" in quoted.output and not (base / "pwned").exists()
        # a state of our own that names an account without the lab's marker: the account stays
        from muronet.lab.twin import _marker

        ours = base / "ours"
        ours.mkdir(mode=0o700)
        _planted_state(ours, name, _marker(ours))
        assert cli("lab", "down", "--state", str(ours)).exit_code == 0
        assert process.poll() is None, "a process of another account was killed"
        assert subprocess.run(["id", name], capture_output=True).returncode == 0, "an account was deleted"
    finally:
        shutil.rmtree(base, ignore_errors=True)


@needs_root
def test_lab_up_refuses_a_state_folder_it_cannot_own(cli, monkeypatch, someone_else, reference_index):
    for key, value in LOGIN.items():
        monkeypatch.setenv(key, value)
    name, uid, _ = someone_else
    base = Path(tempfile.mkdtemp(prefix="muronet-test-", dir="/var/tmp"))
    try:
        (base / "theirs").mkdir()
        os.chown(base / "theirs", uid, -1)
        result = cli("lab", "up", "--state", str(base / "theirs"))
        assert result.exit_code == 1 and f"belongs to user {name}" in result.output
        shared = base / "shared-parent"
        shared.mkdir()
        shared.chmod(0o777)  # not sticky: anyone could swap the state folder below it
        result = cli("lab", "up", "--state", str(shared / "lab"))
        assert result.exit_code == 1 and "can be changed by" in result.output
        listed = {n.split()[0] for n in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                                         text=True).stdout.splitlines()}
        # none of the lab's (other tests' networks, FRR's oracle and scratch FRRs, may be running)
        assert not listed & set(build_plan(reference_index).namespaces)
    finally:
        if (base / "shared-parent" / "lab" / "state.json").exists():  # refused too late: take it down
            (base / "shared-parent").chmod(0o755)
            cli("lab", "down", "--state", str(base / "shared-parent" / "lab"))
        shutil.rmtree(base, ignore_errors=True)


@needs_root
def test_a_clash_with_foreign_namespaces_is_refused_and_down_leaves_them_alone(cli, monkeypatch, twin_state_folder):
    for name, value in LOGIN.items():
        monkeypatch.setenv(name, value)
    subprocess.run(["ip", "netns", "add", OOB_NAMESPACE], check=True)  # someone else's namespace
    try:
        up = cli("lab", "up", "--state", str(twin_state_folder))
        assert up.exit_code == 1 and "already exist and are not this lab's" in up.output
        assert cli("lab", "down", "--state", str(twin_state_folder)).exit_code == 0
        assert OOB_NAMESPACE in os.listdir("/var/run/netns")
    finally:
        subprocess.run(["ip", "netns", "del", OOB_NAMESPACE], check=False)


def test_host_keys_are_published_for_standard_clients_and_withdrawn_exactly(tmp_path):
    from muronet.lab.management import publish_known_hosts, withdraw_known_hosts

    system = tmp_path / "ssh_known_hosts"
    system.write_text("[10.0.0.1]:22 ssh-ed25519 AAAAother\n")  # someone else's line
    first, second = tmp_path / "a/known_hosts", tmp_path / "b/known_hosts"
    for folder, port in ((first, 22200), (second, 23200)):
        folder.parent.mkdir()
        folder.write_text(f"[127.0.0.1]:{port} ssh-ed25519 AAAA{port}\n")
    publish_known_hosts(first, first.parent, system)
    publish_known_hosts(second, second.parent, system)
    publish_known_hosts(first, first.parent, system)  # again: replaces, does not duplicate
    lines = system.read_text().splitlines()
    assert len(lines) == 3 and sum("AAAA22200" in line for line in lines) == 1
    withdraw_known_hosts(first.parent, created=False, system_file=system)
    assert system.read_text().splitlines() == [lines[0], *(line for line in lines if "AAAA23200" in line)]
    withdraw_known_hosts(second.parent, created=True, system_file=system)
    assert system.read_text() == "[10.0.0.1]:22 ssh-ed25519 AAAAother\n"  # not ours to remove
    system.write_text("")
    publish_known_hosts(second, second.parent, system)
    withdraw_known_hosts(second.parent, created=True, system_file=system)
    assert not system.exists()  # the lab made it, nothing else is in it


def _publish_and_watch(folder: Path, system: Path) -> int:
    """Publish the lab's keys once, then keep publishing a second set while the other processes
    do the same: how often the first lab's lines were missing afterwards (each rewrite reads the
    file, so a writer that read before this one wrote would drop them)."""
    from muronet.lab.management import publish_known_hosts

    publish_known_hosts(folder / "known_hosts", folder, system)
    mine = set((folder / "known_hosts").read_text().splitlines())
    missing = 0
    for _ in range(60):
        publish_known_hosts(folder / "more_known_hosts", folder / "more", system)
        present = {line.rsplit(" ", 1)[0] for line in system.read_text().splitlines()}
        missing += not mine <= present
    return missing


def test_labs_publishing_host_keys_at_once_keep_each_others_lines(tmp_path):
    """Two labs (or a lab and the IOS tests' switches) come up together: one writer at a time."""
    system = tmp_path / "ssh_known_hosts"
    labs = []
    for n in range(8):
        folder = tmp_path / f"lab{n}"
        folder.mkdir()
        for name, base in (("known_hosts", 2000), ("more_known_hosts", 40000)):
            (folder / name).write_text("".join(f"[127.0.0.1]:{base + 100 * n + p} ssh-ed25519 AAAA{name}{n}x{p}\n"
                                               for p in range(20)))
        labs.append(folder)
    with ProcessPoolExecutor(len(labs), mp_context=multiprocessing.get_context("fork")) as pool:
        missing = list(pool.map(_publish_and_watch, labs, [system] * len(labs)))
    assert missing == [0] * len(labs)
    lines = system.read_text().splitlines()
    assert len(lines) == len(set(lines)) == 8 * 2 * 20
