"""The NAPALM driver for FRR against real twin routers: getters return NAPALM's shapes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from napalm import get_network_driver
from napalm.base.exceptions import ConnectionClosedException, ConnectionException

LOGIN = {"MURONET_USERNAME": "muronet-napalm", "MURONET_PASSWORD": "Napalm-Login-51c2e"}
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the twin needs root")


@pytest.fixture(scope="module")
def twin():
    parent = Path(tempfile.mkdtemp(prefix="muronet-napalm-", dir="/var/tmp"))
    parent.chmod(0o755)
    state = parent / "lab"
    env = {**os.environ, **LOGIN}
    muronet = Path(__file__).resolve().parent.parent / ".venv/bin/muronet"
    up = subprocess.run([str(muronet), "lab", "up", "--state", str(state)], env=env, capture_output=True, text=True,
                        cwd=Path(__file__).resolve().parent.parent)
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


def test_wrong_password_is_a_connection_error(twin):
    with pytest.raises(ConnectionException):
        _driver(twin, "ch-agg2", password="not-the-password").open()
