"""A network of real FRR routers built from a folder of configurations, for FRR to be the oracle
the offline model is judged against (``tests/integration/analysis/test_twin_oracle.py``).

Each ``NAME.cfg`` is one router: a network namespace ``NAME`` of its own, FRR 8.4 started in it
with that file as its ``frr.conf`` (in a mount namespace of its own, so FRR's compiled-in paths
are the router's, as in the twin: ``napalm_frr.path_space``). Its interfaces are made from the
configurations: two interfaces of two routers in one subnet are the ends of a veth pair, an
interface alone in its subnet is a veth whose far end, in the same namespace, has no address (a LAN
with nobody on it; the kernel here has no dummy interfaces), ``lo`` is the namespace's
own. Everything is stopped by its PID and the namespaces deleted when the context ends.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from ipaddress import IPv4Interface
from pathlib import Path

from napalm_frr.getters import tables_by_vrf
from napalm_frr.path_space import OWN_PATHS, boot_parameters, own_folders

DAEMONS = ("zebra", "bgpd", "ospfd", "staticd")
_INTERFACE = re.compile(r"^interface (\S+)")
_ADDRESS = re.compile(r"^\s+ip address (\S+)")
# The router's /etc/frr is a folder of its own holding only its path space (``-N NAME``).
_BOOT = f'mount --bind "$6" /etc/frr && {OWN_PATHS} && exec /usr/lib/frr/frrinit.sh start "$3"'


def interfaces(text: str) -> dict[str, IPv4Interface]:
    """The addressed interfaces of one FRR configuration."""
    found: dict[str, IPv4Interface] = {}
    current = None
    for line in text.splitlines():
        if match := _INTERFACE.match(line):
            current = match.group(1)
        elif (match := _ADDRESS.match(line)) and current is not None:
            found.setdefault(current, IPv4Interface(match.group(1)))
        elif not line.startswith(" "):
            current = None
    return found


def links(configs: dict[str, str]) -> tuple[list[tuple[tuple[str, str], tuple[str, str]]], list[tuple[str, str]]]:
    """The veth pairs (two ends in one subnet) and the LANs (an interface alone in its subnet)."""
    by_subnet: dict[object, list[tuple[str, str]]] = {}
    for router, text in sorted(configs.items()):
        for name, address in interfaces(text).items():
            if name != "lo":
                by_subnet.setdefault(address.network, []).append((router, name))
    pairs = [(ends[0], ends[1]) for ends in by_subnet.values() if len(ends) == 2]
    alone = [ends[0] for ends in by_subnet.values() if len(ends) == 1]
    if any(len(ends) > 2 for ends in by_subnet.values()):
        raise ValueError("a subnet with more than two routers: make it a bridge first")
    return pairs, alone


Tables = dict[tuple[str, str], dict[str, tuple]]  # (router, VRF) → prefix → (protocol, metric, next hops)


def selected_routes(router: str, shown: str) -> Tables:
    """The routes FRR selects, from its ``show ip route vrf all json``, in the terms of the model's
    ``Route.comparable``: protocol, metric, the next-hop addresses (a recursive one stands for the hops
    that resolve it, marked ``resolver``; one in another VRF carries ``@VRF``; a blackhole or reject
    route ``blackhole``)."""
    tables: Tables = {}
    for vrf, routes in tables_by_vrf(shown).items():
        for prefix, entries in routes.items():
            for entry in (e for e in entries if e.get("selected")):
                hops = {"blackhole" if hop.get("blackhole") or hop.get("unreachable") else
                        hop["ip"] + (f"@{hop['vrf']}" if hop.get("vrf", vrf) != vrf else "")
                        for hop in entry["nexthops"] if hop.get("active") and not hop.get("resolver")
                        and (hop.get("ip") or hop.get("blackhole") or hop.get("unreachable"))}
                tables.setdefault((router, vrf), {})[prefix] = (entry["protocol"], entry.get("metric", 0),
                                                                tuple(sorted(hops)))
    return tables


def table_differences(computed: Tables, shown: Tables) -> list[tuple]:
    """(table, prefix, computed, shown) of every route the two disagree on; a table one has and the other
    not counts with every route it holds."""
    return [(node, prefix, computed.get(node, {}).get(prefix), shown.get(node, {}).get(prefix))
            for node in sorted(set(computed) | set(shown))
            for prefix in sorted(set(computed.get(node, {})) | set(shown.get(node, {})))
            if computed.get(node, {}).get(prefix) != shown.get(node, {}).get(prefix)]


def _ip(*args: str, stdin: str | None = None) -> None:
    done = subprocess.run(["ip", *args], input=stdin, text=True, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


class FrrNetwork:
    """The routers of ``configs`` (name → FRR configuration), their files under ``folder``."""

    def __init__(self, folder: Path, configs: dict[str, str]) -> None:
        self.folder, self.configs = folder, configs

    def vtysh(self, router: str, command: str) -> str:
        """A command run by the router's vtysh, in the router's own namespaces."""
        pid = self._pids(router).get("zebra")
        if pid is None:
            raise RuntimeError(f"{router}: zebra is not running")
        return subprocess.run(["nsenter", "-t", str(pid), "-m", "-n", "vtysh", "-N", router, "-c", command],
                              capture_output=True, text=True, timeout=30).stdout

    def tables(self) -> Tables:
        """Every table as FRR selects it (``selected_routes``)."""
        return {key: table for router in sorted(self.configs)
                for key, table in selected_routes(router, self.vtysh(router, "show ip route vrf all json")).items()}

    def bgp_sessions(self, router: str) -> dict[str, tuple[str, int]]:
        """The router's BGP neighbours: their states and the prefixes each has sent it."""
        shown = json.loads(self.vtysh(router, "show bgp summary json") or "{}")
        return {address: (peer.get("state", ""), peer.get("pfxRcd", 0))
                for family in shown.values() if isinstance(family, dict)
                for address, peer in family.get("peers", {}).items()}

    def up(self) -> None:
        pairs, alone = links(self.configs)
        names = sorted(self.configs)
        _ip("-batch", "-", stdin="".join(f"netns add {name}\n" for name in names))
        for name in names:
            subprocess.run(["ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv4.ip_forward=1"], check=True)
            _ip("-n", name, "link", "set", "lo", "up")
        commands = [f"link add {a[1]} netns {a[0]} type veth peer name {b[1]} netns {b[0]}" for a, b in pairs]
        # the kernel here has no dummy interfaces: a LAN alone is a veth whose far end stays unaddressed
        commands += [f"link add {name} netns {router} type veth peer name {name[:13]}_p netns {router}"
                     for router, name in alone]
        _ip("-batch", "-", stdin="".join(c + "\n" for c in commands))
        ends = [end for pair in pairs for end in pair] + alone + [(r, f"{name[:13]}_p") for r, name in alone]
        for router, name in ends:
            _ip("-n", router, "link", "set", name, "up")
        for name in names:
            self._boot(name)

    def _boot(self, name: str) -> None:
        home = self.folder / name
        etc = home / "etc" / name
        for path in (etc, home / "netns", *own_folders(home, name)):
            path.mkdir(parents=True, exist_ok=True)
        (etc / "daemons").write_text("".join(f"{d}=yes\n" for d in DAEMONS[1:]) + "vtysh_enable=yes\n"
                                     + "".join(f'{d}_options="-A 127.0.0.1"\n' for d in DAEMONS))
        (etc / "vtysh.conf").write_text(f"hostname {name}\nservice integrated-vtysh-config\n")
        (etc / "frr.conf").write_text(self.configs[name])
        for path in (etc, *own_folders(home, name)):
            subprocess.run(["chown", "-R", "frr:frr", str(path)], check=True)
        subprocess.run(["ip", "netns", "exec", name, "unshare", "--mount", "--uts", "--propagation", "private",
                        "sh", "-c", _BOOT, "oracle-boot", *boot_parameters(home, name), str(home / "etc")],
                       check=True, capture_output=True, timeout=60)

    def _pids(self, router: str) -> dict[str, int]:
        """The router's daemons by the PIDs their files give, each checked to be that daemon of this
        router (a PID file outlives its process, and the PID may be another's by now)."""
        found = {}
        for daemon in ("watchfrr", *DAEMONS):
            with suppress(OSError, ValueError):
                pid = int((self.folder / router / "run" / f"{daemon}.pid").read_text())
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                if argv[0].endswith(daemon.encode()) and router.encode() in argv:
                    found[daemon] = pid
        return found

    def down(self) -> None:
        """Every daemon stopped by its PID (watchfrr first, so it restarts none), the namespaces deleted."""
        for router in sorted(self.configs):
            pids = self._pids(router)
            for daemon in ("watchfrr", *DAEMONS):
                if daemon in pids:
                    with suppress(ProcessLookupError):
                        os.kill(pids[daemon], signal.SIGTERM)
            deadline = time.monotonic() + 10
            while any(_alive(pid) for pid in pids.values()) and time.monotonic() < deadline:
                time.sleep(0.1)
            for pid in pids.values():
                if _alive(pid):
                    with suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
        for name in sorted(self.configs):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


@contextmanager
def frr_network(folder: Path, configs: dict[str, str]) -> Iterator[FrrNetwork]:
    network = FrrNetwork(folder, configs)
    try:
        network.up()
        yield network
    finally:
        network.down()
