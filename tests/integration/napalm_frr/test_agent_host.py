"""The device agent as it ships with the driver, on an FRR host: ``python3 -m napalm_frr.agent
serve`` and its login program, on a host that is one router — FRR 8.4 at its compiled-in paths
(``vtysh`` without ``-N``), in a network and mount namespace of its own (what a container of an
FRR router is), with a neighbour on its one cable. Every request goes through the login program
as sshd runs it (``SHELL -c NAME``, the command in ``SSH_ORIGINAL_COMMAND``), as the management
account (a member of frrvty, as FRR's packages make vtysh's users)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import REPO

from napalm_frr import DEVICE_PROTOCOL

HOST, PEER = "nfh-host", "nfh-peer"  # network namespaces of this test only
ADDRESS, NEIGHBOUR, NOBODY_THERE = "10.250.0.1", "10.250.0.2", "10.250.0.3"
CONFIG = f"""frr defaults traditional
hostname fhost
!
interface eth0
 ip address {ADDRESS}/29
exit
!
ip route 10.251.0.0/24 {NEIGHBOUR}
!
"""
# the FRR host's own /etc/frr, /var/run/frr and crash-log folder, mounted at FRR's compiled-in paths
_BOOT = ('mount --bind "$1" /etc/frr && mount --bind "$2" /var/run/frr && mount --bind "$3" /var/tmp/frr && '
         'hostname fhost && exec /usr/lib/frr/frrinit.sh start')


@dataclass
class FrrHost:
    home: Path
    watchfrr: int
    agent: subprocess.Popen[bytes]

    def enter(self) -> list[str]:
        """The argument list that runs a command on the host (its network and mount namespaces)."""
        return ["nsenter", "-t", str(self.watchfrr), "-m", "-n"]

    def login(self, command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """``command`` as the management account sends it over SSH (its standard input a pipe of
        the account's own, as sshd's is: vtysh opens /dev/stdin)."""
        return subprocess.run([*self.enter(), "setpriv", "--reuid=nobody", "--regid=nogroup", "--groups=frrvty",
                               "sh", "-c", 'cat | exec "$0" -c frr', str(self.home / "login")], input=stdin,
                              capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "SSH_ORIGINAL_COMMAND": command})

    def json(self, command: str) -> dict:
        done = self.login(command)
        assert done.returncode == 0, (command, done.stderr)
        return json.loads(done.stdout)

    def running(self) -> str:
        return self.login("show running-config").stdout


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def _wait(what: str, ready, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"{what} did not come in {seconds} s"
        time.sleep(0.1)


def _frr_pids(home: Path) -> list[int]:
    """The host's FRR daemons, watchfrr first (stopped first, it restarts none of the others)."""
    pids = []
    for pidfile in sorted((home / "run").glob("*.pid"), key=lambda path: path.name != "watchfrr.pid"):
        with suppress(OSError, ValueError):
            pids.append(int(pidfile.read_text()))
    return pids


@pytest.fixture(scope="module")
def frr_host() -> Iterator[FrrHost]:
    assert os.geteuid() == 0, "an FRR host is network and mount namespaces: run as root (CI does)"
    # not under pytest's root-only folder: the management account runs the login program from here
    home = Path(tempfile.mkdtemp(prefix="napalm-frr-host-"))
    os.chmod(home, 0o755)
    etc, run, crash = home / "etc", home / "run", home / "crash"
    for folder in (etc, run, crash):
        folder.mkdir()
    (etc / "daemons").write_text("zebra=yes\nstaticd=yes\nvtysh_enable=yes\n"
                                 'zebra_options="-A 127.0.0.1"\nstaticd_options="-A 127.0.0.1"\n')
    (etc / "vtysh.conf").write_text("service integrated-vtysh-config\n")
    (etc / "frr.conf").write_text(CONFIG)
    _run("chown", "-R", "frr:frr", str(etc), str(run), str(crash))
    os.chmod(etc, 0o775)
    (etc / "frr.conf").chmod(0o660)
    agent = None
    try:
        _run("ip", "netns", "add", HOST)
        _run("ip", "netns", "add", PEER)
        _run("ip", "-n", HOST, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", PEER)
        for namespace in (HOST, PEER):
            _run("ip", "-n", namespace, "link", "set", "lo", "up")
            _run("ip", "-n", namespace, "link", "set", "eth0", "up")
        _run("ip", "-n", PEER, "address", "add", f"{NEIGHBOUR}/29", "dev", "eth0")
        _run("ip", "netns", "exec", HOST, "unshare", "--mount", "--uts", "--propagation", "private",
             "sh", "-c", _BOOT, "frr-host", str(etc), str(run), str(crash))
        _wait("watchfrr", lambda: (run / "watchfrr.pid").exists() and (run / "zebra.pid").exists())
        watchfrr = int((run / "watchfrr.pid").read_text())
        socket = home / "agent" / "agent.sock"
        program = subprocess.run([sys.executable, "-m", "napalm_frr.agent", "login-program", "--socket", str(socket)],
                                 check=True, capture_output=True, text=True, cwd=REPO).stdout
        (home / "login").write_text(program)
        (home / "login").chmod(0o755)
        agent = subprocess.Popen(["nsenter", "-t", str(watchfrr), "-m", "-n", sys.executable, "-m", "napalm_frr.agent",
                                  "serve", "--user", "nobody", "--socket", str(socket), "--state", str(home / "state"),
                                  "--etc", str(etc), "--run", str(run)],
                                 cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait("the agent's socket", socket.exists)
        host = FrrHost(home, watchfrr, agent)
        _wait("FRR's configuration", lambda: "ip route 10.251.0.0/24" in host.running())
        yield host
    finally:
        if agent is not None:
            agent.terminate()
            agent.wait(10)
        daemons = _frr_pids(home)
        for pid in daemons:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        with suppress(AssertionError):
            _wait("FRR to stop", lambda: not any(Path(f"/proc/{pid}").exists() for pid in daemons), 20)
        for namespace in (HOST, PEER):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def test_it_speaks_the_protocol_version_the_driver_speaks(frr_host: FrrHost) -> None:
    assert frr_host.json("show agent protocol") == {"protocol": DEVICE_PROTOCOL}
    refused = frr_host.login("show agent secrets")  # not a device command: vtysh's own answer
    assert refused.returncode != 0


def test_the_hosts_state_is_this_hosts(frr_host: FrrHost) -> None:
    status = frr_host.json("show system status")
    assert 0 < status["uptime"] < 900 and status["users"] == ["nobody"]  # its FRR started with this module
    counters = frr_host.json("show interfaces counters")
    assert list(counters) == ["default"]  # no VRF devices on this host
    eth0 = next(link for link in counters["default"] if link["ifname"] == "eth0")
    assert eth0["stats64"]["rx"]["packets"] >= 0 and "lo" in {link["ifname"] for link in counters["default"]}


def test_ping_and_traceroute_leave_from_the_routers_own_tables(frr_host: FrrHost) -> None:
    reached = frr_host.login(f"ping {NEIGHBOUR} count 2 timeout 2")
    assert reached.returncode == 0 and "2 received" in reached.stdout
    assert frr_host.login(f"ping {NOBODY_THERE} count 1 timeout 1").returncode != 0
    assert NEIGHBOUR in {entry.get("dst") for entry in frr_host.json("show arp")["default"]}
    refused = frr_host.login(f"ping {NEIGHBOUR} vrf LGWAN")
    assert refused.returncode == 1 and "has no VRF LGWAN" in refused.stderr


def test_an_unconfirmed_commit_is_reverted_by_the_host_and_a_confirmed_one_saved(frr_host: FrrHost) -> None:
    before = frr_host.running()
    change = "ip route 10.252.0.0/24 blackhole\n"
    assert frr_host.login("commit-confirm arm 2 tester", stdin=before).returncode == 0
    applied = frr_host.login("apply configuration tester", stdin=change)
    assert applied.returncode == 0, applied.stderr
    assert "10.252.0.0/24" in frr_host.running()
    assert frr_host.login("commit-confirm start").stdout == "armed 2"
    _wait("the revert", lambda: not frr_host.json("commit-confirm status")["pending"], 60)
    assert "10.252.0.0/24" not in frr_host.running()  # nobody confirmed: the host went back
    assert "not confirmed in time: reverted" in (frr_host.home / "state" / "agent.log").read_text()
    assert frr_host.login("commit-confirm arm 60 tester", stdin=before).returncode == 0
    assert frr_host.login("apply configuration tester", stdin=change).returncode == 0
    assert frr_host.login("commit-confirm confirm").stdout == "confirmed"
    assert "ip route 10.252.0.0/24 blackhole" in (frr_host.home / "etc" / "frr.conf").read_text()  # saved
    assert frr_host.json("commit-confirm status")["pending"] is False


def test_the_lock_keeps_another_writer_out(frr_host: FrrHost) -> None:
    assert frr_host.login("lock take alice@ops1 30").stdout == "locked 30"
    try:
        refused = frr_host.login("apply configuration bob@ops2", stdin="ip route 10.253.0.0/24 blackhole\n")
        assert refused.returncode == 1 and "locked by alice@ops1" in refused.stderr
        assert "10.253.0.0/24" not in frr_host.running()
        assert frr_host.login("commit-confirm arm 5 bob@ops2", stdin=frr_host.running()).returncode == 1
    finally:
        assert frr_host.login("lock give alice@ops1").stdout == "unlocked"


def test_only_root_and_the_management_account_reach_the_agent(frr_host: FrrHost) -> None:
    socket = frr_host.home / "agent" / "agent.sock"
    assert (socket.stat().st_mode & 0o777) == 0o660
    other = subprocess.run(["setpriv", "--reuid=daemon", "--regid=daemon", "--clear-groups", sys.executable, "-c",
                            f"import socket; s = socket.socket(socket.AF_UNIX); s.connect({str(socket)!r})"],
                           capture_output=True, text=True, timeout=30)
    assert other.returncode != 0 and "Permission denied" in other.stderr
