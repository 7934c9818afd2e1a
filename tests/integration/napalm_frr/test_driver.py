"""The NAPALM driver for FRR against real twin routers: getters return NAPALM's shapes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from napalm import get_network_driver
from napalm.base.exceptions import (
    CommitError,
    ConnectionClosedException,
    ConnectionException,
    ReplaceConfigException,
)
from support import REPO

from muronet.lab.plan import build_plan, ntp_servers
from muronet.render.engine import Renderer
from napalm_frr import DEVICE_PROTOCOL, reload, scratch

LOGIN = {"MURONET_USERNAME": "muronet-napalm", "MURONET_PASSWORD": "Napalm-Login-51c2e",
         "MURONET_BGP_LGWAN": "lab-peer-1", "MURONET_BGP_SECURITY_CLOUD": "lab-peer-2",
         "MURONET_BGP_GOVERNMENT_CLOUD": "lab-peer-3"}  # the lab peers' sessions
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the twin needs root")


@pytest.fixture(scope="module")
def twin():
    parent = Path(tempfile.mkdtemp(prefix="muronet-napalm-", dir="/var/tmp"))
    parent.chmod(0o755)
    state = parent / "lab"
    env = {**os.environ, **LOGIN}
    muronet = REPO / ".venv/bin/muronet"
    up = subprocess.run([str(muronet), "lab", "up", "--state", str(state)], env=env, capture_output=True, text=True,
                        cwd=REPO)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        for name, own, peer, asn, peer_asn in (("ch-agg1", "10.40.1.0", "10.40.1.1", 65001, 65002),
                                               ("ch-agg2", "10.40.1.1", "10.40.1.0", 65002, 65001)):
            subprocess.run(["vtysh", "-N", name, "-c", "configure terminal", "-c", "interface eth1",
                            "-c", f"ip address {own}/31", "-c", "exit", "-c", f"router bgp {asn}",
                            "-c", "no bgp ebgp-requires-policy", "-c", f"neighbor {peer} remote-as {peer_asn}",
                            "-c", f"neighbor {peer} description test peer AS{peer_asn}"], check=True,
                           capture_output=True)
        yield json.loads((state / "ssh/endpoints.json").read_text())
    finally:
        subprocess.run([str(muronet), "lab", "down", "--state", str(state)], env=env, capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


def _driver(endpoints, host, password=LOGIN["MURONET_PASSWORD"]):
    return get_network_driver("frr")(
        "127.0.0.1", LOGIN["MURONET_USERNAME"], password,
        optional_args={"port": endpoints["hosts"][host]["port"], "system_host_keys": False,
                       "alt_host_keys": True, "alt_key_file": endpoints["known_hosts"]})


def test_getters_return_napalm_shapes_from_a_live_router(twin):
    device = _driver(twin, "ch-agg1")
    device.open()
    try:
        assert device.is_alive() == {"is_alive": True}
        facts = device.get_facts()
        assert facts["vendor"] == "FRRouting" and facts["hostname"] == "ch-agg1"
        assert facts["os_version"].startswith("8.")
        assert {"eth1", "eth1.300", "eth2", "mgmt0", "lo"} <= set(facts["interface_list"])
        interfaces = device.get_interfaces()
        assert interfaces["eth1"]["is_up"] and interfaces["eth1"]["is_enabled"]
        assert set(interfaces["eth1"]) == {"is_up", "is_enabled", "description", "last_flapped", "speed", "mtu",
                                           "mac_address"}
        addresses = device.get_interfaces_ip()
        assert addresses["eth1"] == {"ipv4": {"10.40.1.0": {"prefix_length": 31}}}
        assert addresses["mgmt0"] == {"ipv4": {"10.99.1.21": {"prefix_length": 22}}}  # mgmt0 sits in VRF MGMT
        deadline = time.monotonic() + 30
        while True:
            peers = device.get_bgp_neighbors().get("global", {}).get("peers", {})
            if peers.get("10.40.1.1", {}).get("is_up") or time.monotonic() > deadline:
                break
            time.sleep(1)
        peer = peers["10.40.1.1"]
        assert peer["is_up"] and peer["local_as"] == 65001 and peer["remote_as"] == 65002
        assert peer["description"] == "test peer AS65002"
        assert device.cli(["show version"])["show version"].startswith("FRRouting")
        running = device.get_config(retrieve="running")["running"]
        assert "router bgp 65001" in running and "hostname ch-agg1" in running
    finally:
        device.close()
    assert device.is_alive() == {"is_alive": False}
    with pytest.raises(ConnectionClosedException):
        device.get_facts()


def test_the_twin_speaks_the_device_agent_protocol_the_driver_speaks(twin):
    """docs/reference/device-agent-protocol.md: a host answers ``show agent protocol`` with its version."""
    device = _driver(twin, "ch-agg1")
    device.open()
    try:
        code, out, err = device._device("show agent protocol")
        assert (code, json.loads(out), err) == (0, {"protocol": DEVICE_PROTOCOL}, "")
    finally:
        device.close()


def test_napalm_s_own_command_line_drives_the_twin_as_a_third_party_would(twin, tmp_path):
    """``napalm --vendor frr … call get_facts``: NAPALM finds the driver by its name, the optional
    arguments come as its command line writes them (Python literals), the password is typed at the
    prompt (never in the process's arguments)."""
    port = twin["hosts"]["ch-agg2"]["port"]
    options = f"port={port},system_host_keys=False,alt_host_keys=True,alt_key_file='{twin['known_hosts']}'"
    done = subprocess.run([str(REPO / ".venv/bin/napalm"), "--user", LOGIN["MURONET_USERNAME"], "--vendor", "frr",
                           "--optional_args", options, "127.0.0.1", "call", "get_facts"],
                          input=LOGIN["MURONET_PASSWORD"] + "\n", capture_output=True, text=True, timeout=120,
                          start_new_session=True)  # no terminal: getpass reads the password from stdin
    assert done.returncode == 0, done.stderr[-2000:]
    facts = json.loads(done.stdout[done.stdout.index("{"):])
    assert facts["hostname"] == "ch-agg2" and facts["vendor"] == "FRRouting"
    assert LOGIN["MURONET_PASSWORD"] not in done.stdout + done.stderr


def test_nornir_napalm_s_tasks_run_on_the_twin_from_a_plain_nornir_inventory(twin, tmp_path):
    """A third party's Nornir (SimpleInventory, no muronet plugin) with nornir_napalm's ``napalm_get``
    and ``napalm_cli`` on two twin routers."""
    from nornir import InitNornir
    from nornir_napalm.plugins.tasks import napalm_cli, napalm_get

    hosts = {name: {"hostname": "127.0.0.1", "port": twin["hosts"][name]["port"], "platform": "frr",
                    "connection_options": {"napalm": {"extras": {"optional_args": {
                        "system_host_keys": False, "alt_host_keys": True, "alt_key_file": twin["known_hosts"]}}}}}
             for name in ("ch-agg1", "ch-agg2")}
    (tmp_path / "hosts.yaml").write_text(json.dumps(hosts))
    (tmp_path / "defaults.yaml").write_text(json.dumps({"username": LOGIN["MURONET_USERNAME"]}))
    (tmp_path / "hosts.yaml").chmod(0o600)
    nr = InitNornir(inventory={"plugin": "SimpleInventory", "options": {
                        "host_file": str(tmp_path / "hosts.yaml"), "defaults_file": str(tmp_path / "defaults.yaml")}},
                    runner={"plugin": "threaded", "options": {"num_workers": 2}}, logging={"enabled": False})
    nr.inventory.defaults.password = LOGIN["MURONET_PASSWORD"]  # from the environment, not from a file
    try:
        facts = nr.run(task=napalm_get, getters=["facts", "interfaces_ip"])
        assert not facts.failed, {h: r.exception for h, r in facts.items() if r.failed}
        for name in ("ch-agg1", "ch-agg2"):
            assert facts[name][0].result["facts"]["hostname"] == name
        assert facts["ch-agg1"][0].result["interfaces_ip"]["eth1"] == {"ipv4": {"10.40.1.0": {"prefix_length": 31}}}
        shown = nr.run(task=napalm_cli, commands=["show version"])
        assert all(r[0].result["show version"].startswith("FRRouting") for r in shown.values())
    finally:
        nr.close_connections()


def test_wrong_password_is_a_connection_error(twin):
    with pytest.raises(ConnectionException):
        _driver(twin, "ch-agg2", password="not-the-password").open()


def test_candidate_diff_commit_revert_confirm_and_rollback_on_a_live_router(twin):
    device = _driver(twin, "library-rt1")
    device.open()
    try:
        boot = device.get_config(retrieve="running")["running"]
        with pytest.raises(ReplaceConfigException, match="frobnicate"):
            device.load_replace_candidate(config=boot + "interface eth1\n ip ospf frobnicate\nexit\n")
        intended = (reload.clean(boot) + "interface eth1\n description to kaiyo\n ip ospf message-digest-key 1 md5 "
                    "Sekr3t-key\nexit\n")
        device.load_replace_candidate(config=intended)
        diff = device.compare_config()
        assert "+ description to kaiyo" in diff and "Sekr3t-key" not in diff and diff.startswith("--- running")
        # unconfirmed: reverts by itself
        device.commit_config(revert_in=2)
        assert device.has_pending_commit() and "description to kaiyo" in device.get_config("running")["running"]
        time.sleep(4)
        assert not device.has_pending_commit()
        assert "description to kaiyo" not in device.get_config("running")["running"]
        # confirmed: saved as the startup configuration
        device.load_replace_candidate(config=intended)
        device.commit_config(revert_in=30)
        # a second commit while one waits is refused by the device's timer, before anything is pushed
        device.load_replace_candidate(config=intended + "interface eth2\n description second\nexit\n")
        with pytest.raises(CommitError, match=r"waiting for confirmation.*nothing was pushed"):
            device.commit_config(revert_in=30)
        assert "description second" not in device.get_config("running")["running"]
        device.discard_config()
        device.confirm_commit()
        startup = device.get_config(retrieve="startup")["startup"]
        assert "description to kaiyo" in startup
        assert "Sekr3t-key" not in device.get_config(retrieve="all", sanitized=True)["startup"]
        device.load_replace_candidate(config=intended)
        assert device.compare_config() == ""  # nothing left to change
        # a merge adds without removing; rollback returns to before the last commit, saved
        device.load_merge_candidate(config="interface eth2\n description merged\nexit\n")
        device.commit_config()
        running = device.get_config("running")["running"]
        assert "description merged" in running and "description to kaiyo" in running
        device.rollback()
        running = device.get_config("running")["running"]
        assert "description merged" not in running and "description to kaiyo" in running
        assert "description merged" not in device.get_config("startup")["startup"]
    finally:
        device.close()


def _model_checked(name, result):
    """A getter's result against NAPALM's model (the same check NAPALM's harness makes)."""
    from napalm.base import models
    from napalm.base.test.helpers import test_model

    if name == "get_facts":
        assert test_model(models.FactsDict, result), name
    if name == "get_environment":  # per part, as NAPALM's harness checks it (the whole has generic fields)
        parts = {"fans": models.FanDict, "power": models.PowerDict, "temperature": models.TemperatureDict,
                 "cpu": models.CPUDict}
        assert all(test_model(model, item) for part, model in parts.items() for item in result[part].values())
        assert test_model(models.MemoryDict, result["memory"]), name
    return result


def test_every_getter_live_says_what_the_inventory_and_the_host_say(twin, reference_index):
    """NAPALM's getters live on a twin router, checked against what is known without the driver:
    the inventory's cables (LLDP), addresses and VRFs, the city's NTP servers, this machine's id."""
    from napalm.base import models
    from napalm.base.test.helpers import test_model

    device = _driver(twin, "ch-agg1")
    device.open()
    try:
        facts = _model_checked("get_facts", device.get_facts())
        assert facts["serial_number"] == Path("/etc/machine-id").read_text().strip() and facts["uptime"] > 0
        cabled = {}
        for cable in reference_index.inventory.cables:
            for near, far in ((cable.a, cable.b), (cable.b, cable.a)):
                if near.startswith("ch-agg1:") and reference_index.devices[far.split(":")[0]].platform == "frr":
                    cabled[near.split(":")[1]] = (far.split(":")[0], far.split(":")[1])
        deadline = time.monotonic() + 20
        while True:
            lldp = device.get_lldp_neighbors()
            if len(lldp) >= len(cabled) or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert {port: (n[0]["hostname"], n[0]["port"]) for port, n in lldp.items()} == cabled
        detail = device.get_lldp_neighbors_detail()
        assert all(test_model(models.LLDPNeighborDetailDict, n) for ns in detail.values() for n in ns)
        counters = device.get_interfaces_counters()
        assert set(counters) >= {"eth1", "mgmt0"} and counters["eth1"]["rx_octets"] > 0
        assert all(test_model(models.InterfaceCounterDict, c) for c in counters.values())
        vrfs = device.get_network_instances()
        assert set(vrfs) == {"default", *(v for r in build_plan(reference_index).routers if r.name == "ch-agg1"
                                          for v in r.vrfs)}
        subinterfaces = {i.name for i in reference_index.devices["ch-agg1"].interfaces if i.dot1q}
        assert {i for v in device.get_vlans().values() for i in v["interfaces"]} == subinterfaces
        assert device.ping("10.40.1.1", count=2)["success"]["packet_loss"] == 0
        hops = device.traceroute("10.40.1.1", timeout=1)["success"]
        assert hops[1]["probes"][1]["ip_address"] == "10.40.1.1"
        assert any(e["ip"] == "10.40.1.1" for e in device.get_arp_table())
        route = device.get_route_to("10.40.1.0/31")
        assert route["10.40.1.0/31"][0]["protocol"] == "connected"
        ntp = {str(a.ip) for a in ntp_servers(reference_index)}
        assert set(device.get_ntp_servers()) == ntp == set(device.get_ntp_peers())
        deadline = time.monotonic() + 30
        while not any(s["synchronized"] for s in device.get_ntp_stats()) and time.monotonic() < deadline:
            time.sleep(1)
        assert any(s["synchronized"] for s in device.get_ntp_stats())
        assert LOGIN["MURONET_USERNAME"] in device.get_users()
        environment = _model_checked("get_environment", device.get_environment())
        assert environment["memory"]["used_ram"] > 0 and environment["cpu"]
        peers = device.get_bgp_neighbors()["global"]["peers"]
        assert peers["10.40.1.1"]["address_family"]["ipv4"]["accepted_prefixes"] >= 0
        details = device.get_bgp_neighbors_detail()
        assert details["global"][65002][0]["remote_address"] == "10.40.1.1"
        config = device.get_bgp_config()
        assert config["_"]["neighbors"]["10.40.1.1"]["remote_as"] == 65002
        assert config["_"]["neighbors"]["10.40.1.1"]["description"] == "test peer AS65002"
        assert device.get_snmp_information() == {"chassis_id": "", "community": {}, "contact": "", "location": ""}
    finally:
        device.close()


def test_loading_through_the_open_vtysh_renders_exactly_what_vtysh_f_renders(reference):
    """The pool loads a text through its open vtysh (``copy FIFO running-config``, no vtysh start
    per rendering); ``vtysh -f`` on a freshly booted FRR is the reference: the same text, warnings
    and refusals (with their lines) for every rendered city router, the corpus, a refused line,
    and lines that try to pass for the end of what vtysh said; rendered by an instance without vrrpd
    wherever no word of the text could be vrrpd's."""
    renderer = Renderer(reference, REPO / "templates")
    texts = [renderer.render(d) for d in reference.devices if d.platform == "frr"][:12]
    texts += [p.read_text() for p in sorted((REPO / "tests/data/frr_corpus").glob("*.conf"))]
    texts += ["interface eth0\n ip address 10.0.0.1/24\n bogus line here\nrouter bgp 65000\n",
              "hostname r1# enable\nrouter ospf\n ospf router-id 1.1.1.1\n",
              "muronet-mark-0123456789abcdef\nhostname r2\n",
              "interface eth0\n ip address 10.0.0.1/24\n vr 5 ip 10.0.0.254\n"]  # vrrpd's, abbreviated
    lean = [text for text in texts if not scratch.needs_vrrpd(text)]
    assert len(lean) >= 10 and len(texts) - len(lean) >= 2
    assert "router ospf" in scratch.render("router ospf\n").text  # the process's own pool runs beside these two
    pool = scratch.ScratchPool(size=2, full=1)  # one instance without vrrpd: it renders every text it may
    try:
        shelled = [pool.render(text) for text in texts]
        assert sorted(len(i.daemons) for i in pool._all) == [len(scratch.LEAN), len(scratch.DAEMONS)]
        texts.append(f"copy {pool._all[0].fifo} running-config\nhostname r3\n")  # the instance's own FIFO
        shelled.append(pool.render(texts[-1]))
    finally:
        pool.close()
    reference_pool = scratch.ScratchPool(size=1)
    try:
        reference_pool.start()
        instance = reference_pool.take()
        for text, rendering in zip(texts, shelled, strict=True):
            instance.stop()
            instance.boot()
            exact = instance.render_file(text)
            assert (rendering.text, rendering.warnings, rendering.errors) == (exact.text, exact.warnings, exact.errors)
        reference_pool.give_back(instance)
    finally:
        reference_pool.close()
    assert [e.line for e in shelled[-5].errors] == [3]
    assert [e.line for e in shelled[-4].errors] == [1]  # FRR refuses that host name: said, not lost
    assert " vrrp 5 ip 10.0.0.254" in shelled[-2].text
    assert shelled[-1].errors and shelled[-1].errors[0].line == 1
    assert "router bgp 64999" in scratch.render("router bgp 64999\n").text  # the other pools left it whole


def test_the_scratch_frr_leaves_nothing_behind_even_when_its_daemons_are_killed():
    """FRR keeps a log folder per daemon process in /var/tmp/frr and removes it only on a clean
    exit; the scratch FRRs are stopped with SIGKILL, so they must keep those folders in their own."""
    crashlog = Path("/var/tmp/frr")
    before = set(crashlog.iterdir()) if crashlog.is_dir() else set()
    scratch.shutdown()
    assert scratch.render("hostname x\nrouter bgp 65000\n").text.count("router bgp 65000") == 1  # not cached
    homes = list(scratch.ROOT.glob(f"{os.getpid()}/*/crashlog"))
    assert homes and any(any(home.iterdir()) for home in homes)  # the daemons' folders are in the instance's
    for pidfile in scratch.ROOT.glob(f"{os.getpid()}/*/run/*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)
    scratch.shutdown()
    assert (set(crashlog.iterdir()) if crashlog.is_dir() else set()) == before
    assert not (scratch.ROOT / str(os.getpid())).exists()
    assert f"scr{os.getpid()}-" not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert f"scr{os.getpid()}-" not in Path("/proc/self/mountinfo").read_text()


def test_what_a_scratch_frr_that_died_half_way_left_is_removed_by_the_next_one(tmp_path):
    """A process killed while its scratch FRR was being made can leave a path space mounted and a
    namespace whose home folder is gone; the next process's pool removes them (and nothing else)."""
    dead = subprocess.Popen(["true"])
    dead.wait()  # its PID names no running process now
    name = f"scr{dead.pid}-0"
    point = Path("/etc/frr") / name
    point.mkdir()
    subprocess.run(["mount", "--bind", str(tmp_path), str(point)], check=True)
    subprocess.run(["ip", "netns", "add", name], check=True)
    mine = Path("/etc/frr") / f"scr{os.getpid()}-9"  # a running process's: not stale
    mine.mkdir()
    subprocess.run(["mount", "--bind", str(tmp_path), str(mine)], check=True)
    try:
        scratch.clean_stale()
        assert name not in Path("/proc/mounts").read_text() and not point.exists()
        assert name not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert str(mine) in Path("/proc/mounts").read_text()
    finally:
        subprocess.run(["umount", str(mine)])
        mine.rmdir()
        if point.exists():
            subprocess.run(["umount", str(point)])
            point.rmdir()
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


class _Chunks:
    """What paramiko's channel hands over: the bytes in the pieces they arrived in."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)

    def recv_ready(self) -> bool:
        return bool(self.chunks)

    def recv(self, size: int) -> bytes:
        return self.chunks.pop(0)


def test_a_character_split_between_two_reads_reaches_the_driver_whole():
    """Netmiko decodes each read alone and drops what it cannot decode: a Japanese description
    whose character straddles two reads came back without it (seen as drift in a nightly run)."""
    from netmiko.channel import SSHChannel

    from napalm_frr.frr import _WholeCharacters

    text = " description 市民課（住民記録） gateway\n".encode()
    cut = text.index("民".encode()) + 1  # inside the character
    assert SSHChannel(_Chunks(text[:cut], text[cut:]), "utf-8").read_channel() != text.decode()  # the bug
    channel = _WholeCharacters(_Chunks(text[:cut], text[cut:]), "utf-8")
    assert channel.read_channel() + channel.read_channel() == text.decode()


def test_the_prompt_the_driver_reads_up_to_is_no_line_frr_prints():
    """The driver reads a command's answer up to vtysh's prompt, without looking for it anew each
    time: the pattern must match a prompt whatever the host name, and no line of FRR's output
    (a running configuration with hostile descriptions, JSON, a table) may pass for one."""
    from napalm_frr.frr import _PROMPT

    for prompt in ("ch-core1#", "r1>", "renamed-rt# ", "x#\t"):
        assert re.search(_PROMPT, f"Building configuration...\n!\nend\n{prompt}"), prompt
    shown = [path.read_text() for path in sorted((REPO / "tests/data/frr_corpus").glob("*.conf"))]
    shown += ["interface eth0\n description to r2#\n description #\nexit\n!\nend\n", '{\n  "r1#":{\n  }\n}\n',
              "Interface      Status  VRF\neth0           up      default\n", "hostname r1#\nbanner motd line x#\n",
              "!\n#\n"]
    for text in shown:
        assert not re.search(_PROMPT, text), text
