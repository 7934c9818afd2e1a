"""The twin's device agent: the FRR driver's agent (:mod:`napalm_frr.agent`) for every router of
the twin at once.

A real FRR router is a Linux host running the agent beside FRR. In the twin every router is a
network namespace of one machine (its VRFs namespaces of their own, its FRR a path space ``-N
ROUTER``), so one agent (root, started by ``lab up``, stopped by ``lab down``) serves them all,
each a :class:`TwinRouter`; the routers' login program (the driver's, with the twin's port map
beside it) names the router in each request. The socket is root's and the lab account's only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from napalm_frr.agent import Agent, Router
from napalm_frr.agent import routers as agent_routers


class TwinRouter(Router):
    """One router of the twin: namespaces ``ROUTER`` and ``ROUTER-VRF``, FRR's path space ``ROUTER``,
    its files in the state folder's ``routers/ROUTER``."""

    def __init__(self, state: Path, name: str, vrfs: list[str], lldp: list[str], ntp: str | None) -> None:
        self.state, self.name, self._vrfs, self.lldp, self.ntp = state, name, vrfs, lldp, ntp
        self.home = state / "routers" / name

    def vtysh_command(self) -> list[str]:
        return ["vtysh", "-N", self.name]

    def vrfs(self) -> list[str]:
        return list(self._vrfs)

    def _namespace(self, vrf: str) -> str:
        return self.name if vrf == "default" else f"{self.name}-{vrf}"

    def in_vrf(self, vrf: str) -> list[str]:
        return ["ip", "netns", "exec", self._namespace(vrf)]

    def kernel(self, what: str) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for vrf in ("default", *self._vrfs):
            done = subprocess.run(["ip", "-n", self._namespace(vrf), "-j", *(["-s"] if what == "link" else []), what,
                                   "show"], capture_output=True, text=True, timeout=agent_routers.KERNEL_SECONDS)
            found[vrf] = json.loads(done.stdout or "[]") if done.returncode == 0 else []
        return found

    def watchfrr_pid(self) -> int:
        return int((self.home / "run" / "watchfrr.pid").read_text())

    def saved_previous(self) -> Path:
        return self.home / "confirm.conf"

    def boot(self, configuration: str) -> None:
        """The router restarted from ``configuration``; the twin's boot configuration stays its own."""
        from muronet.lab import twin

        etc = self.home / "etc" / "frr.conf"
        saved = etc.read_text()
        etc.write_text(configuration)
        try:
            twin.restart(self.state, self.name)
        finally:
            etc.write_text(saved)

    def lldpcli(self) -> list[list[str]]:
        return [["lldpcli", "-u", sock] for sock in self.lldp]

    def chronyc(self) -> list[str] | None:
        return ["chronyc", "-h", self.ntp] if self.ntp else None

    def ntp_servers(self) -> list[str]:
        if not self.ntp:
            return []
        return agent_routers.chrony_servers(Path(self.ntp).with_suffix(".conf").read_text())


def twin_agent(state: Path) -> Agent:
    """The agent of the twin whose state folder is ``state`` (its routers in ``agent.json``)."""
    config = json.loads((state / "agent.json").read_text())
    routers: dict[str, Router] = {
        name: TwinRouter(state, name, vrfs, config.get("lldp", {}).get(name, []), config.get("ntp", {}).get(name))
        for name, vrfs in config["routers"].items()}
    return Agent(routers, state / "agent.log", {int(config["uid"])})


def main() -> None:
    parser = argparse.ArgumentParser(description="the twin's device agent (started by `muronet lab up`)")
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--group", type=int, required=True)
    args = parser.parse_args()
    agent = twin_agent(args.state)
    agent.resume()
    sys.stdout.flush()
    agent.serve(args.socket, args.group)


if __name__ == "__main__":
    main()
