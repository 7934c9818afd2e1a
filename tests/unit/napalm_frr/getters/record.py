"""Record the mocked data of NAPALM's harness from a running, provisioned twin.

    .venv/bin/python tests/unit/napalm_frr/getters/record.py --state /var/tmp/muronet-lab

Each getter runs once against a twin router through the real driver; every command it sends and
the router's answer are written to ``mocked_data/test_<getter>/normal/`` (secrets masked), and
what the getter returned to ``expected_result.json``. The harness asks for a few things no twin
router has (a route to 1.0.4.0/24 learnt by BGP, a ping of 8.8.8.8, an ARP table of VRF
``TEST``); for those a recording of the nearest real thing is stored under the names the harness
asks for, and the substitution is written beside it in ``SUBSTITUTED.md``. Review the diff of
``mocked_data`` before committing it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
from typing import Any

from napalm.base.test.double import BaseTestDouble

from muronet.masking import mask
from napalm_frr.frr import FrrDriver

HERE = Path(__file__).resolve().parent
SALT = b"recorded"  # fixed: the recordings do not change when nothing else does


class Recorder(FrrDriver):
    """The driver, writing every command and answer into ``folder``, with ``renames`` applied."""

    folder: Path
    renames: dict[str, str]

    def _rename(self, text: str) -> str:
        for old, new in self.renames.items():
            text = text.replace(old, new)
        return text

    def _keep(self, name: str, text: str) -> str:
        text = mask(self._rename(text), SALT)
        (self.folder / name).write_text(text)
        return text

    def _send(self, command: str) -> str:
        real = next((old for old, new in self.renames.items() if new in command), None)
        answer = super()._send(command.replace(self.renames[real], real) if real else command)
        return self._keep(BaseTestDouble.sanitize_text(command) + ".txt", answer)

    def _device(self, command: str, stdin: str | None = None) -> tuple[int, str, str]:
        real = command
        for old, new in self.renames.items():
            real = real.replace(new, old)
        code, out, err = super()._device(real, stdin)
        return code, self._keep("exec_" + BaseTestDouble.sanitize_text(command) + ".txt", out), err


CASES: list[tuple[str, str, Any, dict[str, str]]] = [
    # (harness test, router, the call, {real text: what the harness expects})
    ("test_is_alive", "library-rt1", lambda d: d.is_alive(), {}),
    ("test_get_facts", "library-rt1", lambda d: d.get_facts(), {}),
    ("test_get_interfaces", "library-rt1", lambda d: d.get_interfaces(), {}),
    ("test_get_interfaces_ip", "ch-core1", lambda d: d.get_interfaces_ip(), {}),
    ("test_get_interfaces_counters", "library-rt1", lambda d: d.get_interfaces_counters(), {}),
    ("test_get_lldp_neighbors", "library-rt1", lambda d: d.get_lldp_neighbors(), {}),
    ("test_get_lldp_neighbors_detail", "library-rt1", lambda d: d.get_lldp_neighbors_detail(), {}),
    ("test_get_environment", "library-rt1", lambda d: d.get_environment(), {}),
    ("test_get_bgp_neighbors", "ch-lgwan-rt1", lambda d: d.get_bgp_neighbors(), {}),
    ("test_get_bgp_neighbors_detail", "ch-lgwan-rt1", lambda d: d.get_bgp_neighbors_detail(), {}),
    ("test_get_bgp_config", "ch-lgwan-rt1", lambda d: d.get_bgp_config(), {}),
    ("test_get_arp_table", "library-rt1", lambda d: d.get_arp_table(), {}),
    ("test_get_arp_table_with_vrf", "ch-core1",  # a ping first: the kernel learns its neighbours from traffic
     lambda d: (d.ping("10.20.255.3", vrf="LGWAN", count=1), d.get_arp_table(vrf="TEST"))[1], {'"LGWAN"': '"TEST"'}),
    ("test_get_ipv6_neighbors_table", "library-rt1", lambda d: d.get_ipv6_neighbors_table(), {}),
    ("test_get_ntp_peers", "library-rt1", lambda d: d.get_ntp_peers(), {}),
    ("test_get_ntp_servers", "library-rt1", lambda d: d.get_ntp_servers(), {}),
    ("test_get_ntp_stats", "library-rt1", lambda d: d.get_ntp_stats(), {}),
    ("test_get_route_to", "ch-lgwan-rt1", lambda d: d.get_route_to("1.0.4.0/24", "bgp"),
     {"10.224.0.0/20": "1.0.4.0/24"}),
    ("test_get_route_to_longer", "ch-lgwan-rt1", lambda d: d.get_route_to("1.0.4.0/24", "bgp", longer=True),
     {"10.224.0.0/20": "1.0.4.0/24"}),
    ("test_get_snmp_information", "library-rt1", lambda d: d.get_snmp_information(), {}),
    ("test_ping", "library-rt1", lambda d: d.ping("8.8.8.8"), {"10.40.1.22": "8.8.8.8"}),
    ("test_traceroute", "ch-agg1", lambda d: d.traceroute("8.8.8.8"), {"10.40.112.1": "8.8.8.8"}),
    ("test_get_users", "library-rt1", lambda d: d.get_users(), {}),
    ("test_get_config", "library-rt1", lambda d: d.get_config(), {}),
    ("test_get_config_filtered", "library-rt1",
     lambda d: [d.get_config(retrieve=kind) for kind in ("running", "startup", "candidate")][-1], {}),
    ("test_get_config_sanitized", "library-rt1", lambda d: d.get_config(sanitized=True), {}),
    ("test_get_config_sanitized_filtered", "library-rt1",
     lambda d: {"running": d.get_config(retrieve="running", sanitized=True)["running"],
                "startup": d.get_config(retrieve="startup", sanitized=True)["startup"], "candidate": ""}, {}),
    ("test_get_network_instances", "ch-core1", lambda d: d.get_network_instances(), {}),
    ("test_get_vlans", "library-rt1", lambda d: d.get_vlans(), {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, default=Path("/var/tmp/muronet-lab"))
    args = parser.parse_args()
    endpoints = json.loads((args.state / "ssh" / "endpoints.json").read_text())
    notes = []
    for test, router, call, renames in CASES:
        folder = HERE / "mocked_data" / test / "normal"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        driver = Recorder("127.0.0.1", os.environ["MURONET_USERNAME"], os.environ["MURONET_PASSWORD"],
                          optional_args={"port": endpoints["hosts"][router]["port"], "system_host_keys": False,
                                         "alt_host_keys": True, "alt_key_file": endpoints["known_hosts"]})
        driver.folder, driver.renames = folder, renames
        driver.open()
        try:
            result = json.loads(json.dumps(call(driver)))
        finally:
            driver.close()
        (folder / "expected_result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        notes += [f"- `{test}`: recorded on {router}"
                  + (f"; {', '.join(f'`{a}` stored as `{b}`' for a, b in renames.items())}" if renames else "")]
        print(test, "from", router)
    (HERE / "mocked_data" / "SUBSTITUTED.md").write_text(
        "# Where the recordings come from\n\nRecorded from the twin by `record.py`, secrets masked.\n\n"
        + "\n".join(notes) + "\n")


if __name__ == "__main__":
    main()
