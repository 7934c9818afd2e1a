"""What the device agent needs of a router's host: its FRR's vtysh, its VRFs, its kernel's view,
its daemons' start, its neighbours' and clocks' services, and a boot from a given configuration.

:class:`FrrHost` is an FRR host: the machine (or container) the agent runs on, FRR at its
compiled-in paths, VRFs as Linux VRF devices. Another way of holding routers (the muronet twin's
network namespaces, one FRR path space each) is another subclass."""

from __future__ import annotations

import json
import shutil
import subprocess
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

# a router's whole configuration loads in seconds: a vtysh still running after half a minute hangs
VTYSH_SECONDS = 30
KERNEL_SECONDS = 30
PROBE_SECONDS = 600


class Router(ABC):
    """One router as its agent reaches it."""

    name: str  # in the agent's log and answers ("" on a host that is one router)

    @abstractmethod
    def vtysh_command(self) -> list[str]:
        """The vtysh of this router, as an argument list."""

    @abstractmethod
    def vrfs(self) -> list[str]:
        """The router's VRFs other than the default one."""

    @abstractmethod
    def in_vrf(self, vrf: str) -> list[str]:
        """The argument list that runs a command in ``vrf`` ("default" included)."""

    @abstractmethod
    def kernel(self, what: str) -> dict[str, list[dict[str, Any]]]:
        """The kernel's ``link`` (with counters) or ``neigh`` entries, per VRF."""

    @abstractmethod
    def watchfrr_pid(self) -> int:
        """The PID of the router's watchfrr: the router is up since it started."""

    @abstractmethod
    def saved_previous(self) -> Path:
        """Where the configuration a pending commit goes back to is kept (root's only)."""

    @abstractmethod
    def boot(self, configuration: str) -> None:
        """Start the router's FRR again from ``configuration`` (when the reload logic cannot undo)."""

    def lldpcli(self) -> list[list[str]]:
        """The lldpcli commands that reach the router's lldpds (one per group of ports), if any run."""
        return []

    def chronyc(self) -> list[str] | None:
        """The chronyc command that reaches the router's NTP client, if one runs."""
        return None

    def ntp_servers(self) -> list[str]:
        """The NTP servers the router's client is configured with."""
        return []

    def vtysh(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.vtysh_command(), *args], input=stdin, capture_output=True, text=True,
                              timeout=VTYSH_SECONDS)


class FrrHost(Router):
    """The host the agent runs on, as one router: ``/etc/frr/frr.conf``, ``/var/run/frr``, VRFs as
    Linux VRF devices; ``restart`` starts FRR again (default: FRR's own init script)."""

    def __init__(self, state: Path, name: str = "", restart: tuple[str, ...] = ("/usr/lib/frr/frrinit.sh", "restart"),
                 etc: Path = Path("/etc/frr"), run: Path = Path("/var/run/frr"),
                 chrony_conf: Path = Path("/etc/chrony/chrony.conf")) -> None:
        self.name, self.state, self.restart = name, state, restart
        self.etc, self.run, self.chrony_conf = etc, run, chrony_conf

    def vtysh_command(self) -> list[str]:
        return ["vtysh"]

    def vrfs(self) -> list[str]:
        # iproute2 answers [{}] where the kernel has no VRF devices at all
        return sorted(link["ifname"] for link in _ip_json("link", "show", "type", "vrf") if "ifname" in link)

    def in_vrf(self, vrf: str) -> list[str]:
        return [] if vrf == "default" else ["ip", "vrf", "exec", vrf]

    def kernel(self, what: str) -> dict[str, list[dict[str, Any]]]:
        vrfs = self.vrfs()
        found: dict[str, list[dict[str, Any]]] = {vrf: [] for vrf in ("default", *vrfs)}
        links = _ip_json("-s", "link", "show") if what == "link" else _ip_json("link", "show")
        master = {link["ifname"]: link.get("master") for link in links}
        entries = links if what == "link" else _ip_json("neigh", "show")
        for entry in entries:
            port = entry.get("ifname") if what == "link" else entry.get("dev")
            vrf = master.get(port)
            found[vrf if vrf in found else "default"].append(entry)
        for vrf in vrfs:  # a VRF device is its VRF's, not the default one's port
            found["default"] = [e for e in found["default"] if e.get("ifname") != vrf]
        return found

    def watchfrr_pid(self) -> int:
        return int((self.run / "watchfrr.pid").read_text())

    def saved_previous(self) -> Path:
        return self.state / "confirm.conf"

    def boot(self, configuration: str) -> None:
        (self.etc / "frr.conf").write_text(configuration)  # the configuration to come back to, saved
        subprocess.run(list(self.restart), capture_output=True, check=True, timeout=120)

    def lldpcli(self) -> list[list[str]]:
        return [["lldpcli"]] if shutil.which("lldpcli") else []

    def chronyc(self) -> list[str] | None:
        return ["chronyc"] if shutil.which("chronyc") else None

    def ntp_servers(self) -> list[str]:
        try:
            return chrony_servers(self.chrony_conf.read_text())
        except OSError:
            return []


def chrony_servers(text: str) -> list[str]:
    """The servers and pools a chrony configuration names.

    >>> chrony_servers("server 10.99.0.21 iburst\\npool ntp.example.jp\\n# server old\\nserver")
    ['10.99.0.21', 'ntp.example.jp']
    """
    return [words[1] for words in map(str.split, text.splitlines()) if words[:1] in (["server"], ["pool"])
            and len(words) > 1]


def _ip_json(*args: str) -> list[dict[str, Any]]:
    done = subprocess.run(["ip", "-j", *args], capture_output=True, text=True, timeout=KERNEL_SECONDS)
    found = json.loads(done.stdout or "[]") if done.returncode == 0 else []
    return found if isinstance(found, list) else []
