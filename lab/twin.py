"""Build, inspect and tear down the twin on this machine (needs root).

Everything the twin creates outside its state folder is recorded in ``state.json`` *before* it
is created: network namespaces, bind mounts, the two FRR path-space symlinks per router. ``down``
undoes exactly that list, so a lab that died half-way is always removable, and ``up`` on such a
lab first removes the remains. Processes are stopped by their PID files, never by name.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lab import management
from lab.plan import OOB_BRIDGE, OOB_NAMESPACE, LabPlan, Router, Segment

FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/var/run/frr")
NETNS_DIR = Path("/var/run/netns")
FRR_INIT = "/usr/lib/frr/frrinit.sh"
DAEMONS = ("watchfrr", "zebra", "bgpd", "ospfd", "staticd", "vrrpd")  # watchfrr first: it restarts the rest
DEFAULT_BASE_PORT = 22200
GR_FILE = FRR_RUN / "ospfd-gr.json"  # ospfd writes this outside its path space (FRR 8.4)
CRASHLOG_DIR = Path("/var/tmp/frr")  # compiled into FRR 8.4: each daemon keeps a <daemon>.<pid> folder


class LabError(RuntimeError):
    pass


@dataclass
class LabState:
    routers: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    mounts: list[str] = field(default_factory=list)
    symlinks: list[str] = field(default_factory=list)
    created_gr_file: bool = False
    created_crashlog_dir: bool = False
    user: str = ""
    user_created: bool = False
    sshd_pidfiles: list[str] = field(default_factory=list)
    published_known_hosts: bool = False  # the pinned keys are in management.SYSTEM_KNOWN_HOSTS
    created_system_known_hosts: bool = False
    ports: dict[str, int] = field(default_factory=dict)
    complete: bool = False

    @classmethod
    def read(cls, folder: Path) -> LabState | None:
        path = folder / "state.json"
        return cls(**json.loads(path.read_text())) if path.exists() else None

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "state.json.tmp"
        tmp.write_text(json.dumps(asdict(self), indent=1))
        tmp.replace(folder / "state.json")


def _run(*command: str, stdin: str | None = None) -> None:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise LabError(f"{' '.join(command[:4])}…: {done.stderr.strip() or done.stdout.strip()}")


def _require_reachable_by_frr(folder: Path) -> None:
    """FRR's daemons run as user frr and read their files under the state folder."""
    for path in [folder, *folder.parents]:
        if path.exists() and not os.stat(path).st_mode & 0o001:
            raise LabError(f"user frr cannot enter {path} (mode {oct(os.stat(path).st_mode & 0o777)}); "
                           "put the state folder where every parent is world-executable")


def _require_root() -> None:
    if os.geteuid() != 0:
        raise LabError("the twin needs root (network namespaces, mounts)")
    if not Path(FRR_INIT).exists():
        raise LabError(f"{FRR_INIT} not found: install FRR with `make setup`")


# --- up ----------------------------------------------------------------------------------------


def up(plan: LabPlan, folder: Path, boot_configs: dict[str, str], credentials: tuple[str, str],
       base_port: int = DEFAULT_BASE_PORT, banner: str = "") -> LabState:
    """Create namespaces, links, LAN segments, one FRR per router booted with
    ``boot_configs[router]`` (the lab peers' too), and SSH management on 127.0.0.1 for the login
    ``credentials``, showing ``banner`` before login."""
    _require_root()
    folder = folder.resolve()
    _require_reachable_by_frr(folder)
    if LabState.read(folder) is not None:
        down(folder)  # remains of an earlier lab, complete or not
    if management.user_exists(credentials[0]):
        raise LabError(f"user {credentials[0]!r} already exists on this machine; the twin creates its own "
                       "login account: choose another MURONET_USERNAME")
    clash = _existing(plan.namespaces)  # before state.json lists them: down() would delete them
    if clash:
        raise LabError(f"network namespaces already exist and are not this lab's: {', '.join(clash[:5])}")
    frr_routers = [*plan.routers, *(p.router for p in plan.peers)]
    state = LabState(routers=[r.name for r in frr_routers], namespaces=plan.namespaces,
                     created_gr_file=not GR_FILE.exists(), created_crashlog_dir=not CRASHLOG_DIR.exists())
    state.write(folder)  # the intent first: down() can always undo what follows
    CRASHLOG_DIR.mkdir(mode=0o700, exist_ok=True)  # mount point only: the routers' bind mounts cover it
    _create_namespaces(plan)
    _create_links(plan)
    _create_segments(plan.segments)
    for router in frr_routers:
        _prepare_router(router, folder, boot_configs[router.name], state)
    state.write(folder)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda r: _start_frr(r, folder), frr_routers))
    _start_management(plan, folder, state, credentials, base_port, banner)
    state.complete = True
    state.write(folder)
    return state


def _create_namespaces(plan: LabPlan) -> None:
    _run("ip", "-batch", "-", stdin="".join(f"netns add {ns}\n" for ns in plan.namespaces))
    for ns in plan.namespaces:
        _run("ip", "netns", "exec", ns, "sh", "-c",
             "ip link set lo up && sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1 "
             # a backup VRRP macvlan is down (protodown): its connected route must not win
             "net.ipv4.conf.all.ignore_routes_with_linkdown=1 net.ipv4.conf.default.ignore_routes_with_linkdown=1")


def _create_links(plan: LabPlan) -> None:
    pairs = [*plan.links, *(p.link for p in plan.peers)]
    commands = [f"link add {p.a.name} netns {p.a.namespace} type veth peer name {p.b.name} netns {p.b.namespace}"
                for p in pairs]
    commands.append(f"link add {OOB_BRIDGE} netns {OOB_NAMESPACE} type bridge")
    oob = [f"oob{n}" for n in range(len(plan.oob_ports))]
    commands += [f"link add {port.name} netns {port.namespace} type veth peer name {peer} netns {OOB_NAMESPACE}"
                 for port, peer in zip(plan.oob_ports, oob, strict=True)]
    _run("ip", "-batch", "-", stdin="".join(c + "\n" for c in commands))
    by_namespace: dict[str, list[str]] = {}
    for pair in pairs:
        for port in (pair.a, pair.b):
            by_namespace.setdefault(port.namespace, []).append(port.name)
    for port in plan.oob_ports:
        by_namespace.setdefault(port.namespace, []).append(port.name)
    lines = [f"link set {OOB_BRIDGE} up", *(f"link set {p} master {OOB_BRIDGE} up" for p in oob),
             *([f"addr add {plan.oob_host} dev {OOB_BRIDGE}"] if plan.oob_host else [])]
    _run("ip", "-n", OOB_NAMESPACE, "-batch", "-", stdin="".join(line + "\n" for line in lines))
    for ns, names in by_namespace.items():
        if ns != OOB_NAMESPACE:
            _run("ip", "-n", ns, "-batch", "-", stdin="".join(f"link set {n} up\n" for n in names))


def _create_segments(segments: list[Segment]) -> None:
    """Per LAN: the gateways' ports on a bridge, the VRRP macvlans, the endpoint host's address
    (on the bridge) and its default route to the gateway."""
    commands = [f"link add {port.name} netns {port.namespace} type veth peer name p{n} netns {s.namespace}"
                for s in segments for n, port in enumerate(s.gateway_ports)]
    _run("ip", "-batch", "-", stdin="".join(c + "\n" for c in commands))
    by_namespace: dict[str, list[str]] = {}
    for segment in segments:
        lines = ["link add br0 type bridge", "link set br0 up", f"addr add {segment.host} dev br0"]
        lines += [f"link set p{n} master br0 up" for n in range(len(segment.gateway_ports))]
        lines.append(f"route add default via {segment.gateway}")
        _run("ip", "-n", segment.namespace, "-batch", "-", stdin="".join(line + "\n" for line in lines))
        for port in segment.gateway_ports:
            by_namespace.setdefault(port.namespace, []).append(f"link set {port.name} up")
        for vrrp in segment.vrrp:
            by_namespace.setdefault(vrrp.port.namespace, []).extend([
                f"link add {vrrp.name} link {vrrp.port.name} address {vrrp.mac} type macvlan mode bridge",
                f"addr add {vrrp.vip} dev {vrrp.name}", f"link set {vrrp.name} up"])
    for ns, lines in by_namespace.items():
        _run("ip", "-n", ns, "-batch", "-", stdin="".join(line + "\n" for line in lines))


def _daemons_file() -> str:
    options = "-A 127.0.0.1"  # vty ports only on loopback (SEC-MGMT-002 for FRR)
    return "\n".join([
        *(f"{d}=yes" for d in DAEMONS[1:]),
        "vtysh_enable=yes",
        f'zebra_options="{options} -s 90000000 -n"',  # -n: VRFs are network namespaces
        *(f'{d}_options="{options}"' for d in DAEMONS[2:]),
        "",
    ])


def _prepare_router(router: Router, folder: Path, boot_config: str, state: LabState) -> None:
    home = folder / "routers" / router.name
    etc, run, netns, crashlog = home / "etc", home / "run", home / "netns", home / "crashlog"
    for path in (etc, run, netns, crashlog):
        path.mkdir(parents=True, exist_ok=True)
    shutil.chown(crashlog, "frr", "frr")
    (etc / "daemons").write_text(_daemons_file())
    (etc / "vtysh.conf").write_text(f"hostname {router.name}\nservice integrated-vtysh-config\n")
    (etc / "frr.conf").write_text(boot_config)
    shutil.chown(etc, "frr", "frr")
    shutil.chown(run, "frr", "frr")
    for path in etc.iterdir():
        shutil.chown(path, "frr", "frr")
        path.chmod(0o640)
    for link, target in ((FRR_ETC / router.name, etc), (FRR_RUN / router.name, run)):
        state.symlinks.append(str(link))
        state.write(folder)
        if link.is_symlink() or link.exists():
            raise LabError(f"{link} exists and is not this lab's")
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
    # The router's FRR sees only its own VRF namespaces, under the VRF names.
    for vrf in router.vrfs:
        point = netns / vrf
        point.touch()
        state.mounts.append(str(point))
        state.write(folder)
        _run("mount", "--bind", str(NETNS_DIR / router.vrf_namespace(vrf)), str(point))


def _start_frr(router: Router, folder: Path) -> None:
    """Start FRR in the router's namespace, with a private mount namespace in which /var/run/netns
    holds only its VRFs and FRR's compiled-in crash-log folder is the router's own."""
    home = folder / "routers" / router.name
    script = (f"mount --rbind {home / 'netns'} {NETNS_DIR} && mount --bind {home / 'crashlog'} {CRASHLOG_DIR} && "
              f"hostname {router.name} && exec {FRR_INIT} start {router.name}")
    _run("ip", "netns", "exec", router.name, "unshare", "--mount", "--uts", "--propagation", "private",
         "sh", "-c", script)


def _start_management(plan: LabPlan, folder: Path, state: LabState, credentials: tuple[str, str],
                      base_port: int, banner: str) -> None:
    user, password = credentials
    state.user, state.user_created = user, True
    state.write(folder)
    management.create_user(user, password)
    ssh_dir = folder / "ssh"
    ssh_dir.mkdir(exist_ok=True)
    ssh_dir.chmod(0o755)
    key = management.write_host_key(ssh_dir)
    state.ports = management.allocate_ports([r.name for r in plan.routers], base_port)
    known_hosts = management.write_known_hosts(ssh_dir, key, state.ports)
    management.write_endpoints(ssh_dir, state.ports, known_hosts)
    state.published_known_hosts = True
    state.created_system_known_hosts = not management.SYSTEM_KNOWN_HOSTS.exists()
    state.write(folder)
    management.publish_known_hosts(known_hosts, folder)
    wrapper = management.write_wrapper(ssh_dir)
    for config in management.sshd_configs(ssh_dir, key, wrapper, state.ports, user, banner):
        state.sshd_pidfiles.append(str(config.with_suffix(".pid")))
        state.write(folder)
        management.start_sshd(config)


# --- restart -------------------------------------------------------------------------------------


def restart(folder: Path, router: str) -> int:
    """Power-cycle one router: stop its FRR by PID, boot it again from its saved configuration.
    Returns how many processes were stopped."""
    _require_root()
    folder = folder.resolve()
    state = LabState.read(folder)
    if state is None or router not in state.routers:
        raise LabError(f"{router} is not a router of the twin in {folder}")
    stopped = stop_router(folder, router)
    _start_frr(Router(router, ()), folder)
    return stopped


def stop_router(folder: Path, router: str) -> int:
    """Kill one router's FRR at once, as a power failure would (tests use it mid-commit)."""
    pids = [pid for d in DAEMONS if (pid := _pid(folder.resolve(), router, d))]
    for pid in pids:
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.05)
    return len(pids)


# --- status ------------------------------------------------------------------------------------


def _pid(folder: Path, router: str, daemon: str) -> int | None:
    try:
        pid = int((folder / "routers" / router / "run" / f"{daemon}.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    # A PID file can outlive its process and the PID be reused: check it is this router's daemon.
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    return pid if argv[0].endswith(daemon.encode()) and router.encode() in argv else None


def status(folder: Path) -> dict[str, object]:
    folder = folder.resolve()
    state = LabState.read(folder)
    if state is None:
        return {"state": "down", "routers": {}}
    existing = set(_existing([*state.routers, *state.namespaces]))
    routers = {}
    for router in state.routers:
        running = [d for d in DAEMONS if _pid(folder, router, d)]
        routers[router] = {"namespace": router in existing, "daemons": running,
                           "ok": router in existing and len(running) == len(DAEMONS)}
    sshd = {Path(p).stem: _sshd_pid(Path(p)) is not None for p in state.sshd_pidfiles}
    healthy = state.complete and all(r["ok"] for r in routers.values()) and all(sshd.values())
    return {"state": "up" if healthy else "degraded", "routers": routers, "sshd": sshd,
            "ports": state.ports, "known_hosts": str(folder / "ssh" / "known_hosts"),
            "namespaces_missing": sorted(set(state.namespaces) - existing)}


def _sshd_pid(pidfile: Path) -> int | None:
    """The sshd listener of this lab (its command line names our configuration)."""
    try:
        pid = int(pidfile.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"sshd" in cmdline and str(pidfile.with_suffix(".conf")).encode() in cmdline else None


# --- down --------------------------------------------------------------------------------------


def down(folder: Path) -> int:
    """Undo everything state.json lists; return how many processes were stopped."""
    _require_root()
    folder = folder.resolve()
    state = LabState.read(folder)
    if state is None:
        return 0
    sshd = [pid for p in state.sshd_pidfiles if (pid := _sshd_pid(Path(p)))]
    for pid in sshd:
        _signal(pid, signal.SIGTERM)
    stopped = len(sshd) + _stop_processes(folder, state.routers)
    if state.user_created and state.user:
        management.delete_user(state.user)
    if state.published_known_hosts:
        management.withdraw_known_hosts(folder, state.created_system_known_hosts)
    for mount in reversed(state.mounts):
        if os.path.ismount(mount):
            _run("umount", mount)
    _delete_namespaces(state.namespaces)
    for link in state.symlinks:
        path = Path(link)
        if path.is_symlink() and str(path.readlink()).startswith(str(folder)):
            path.unlink()
    if state.created_gr_file and GR_FILE.exists():
        GR_FILE.unlink()
    if state.created_crashlog_dir and CRASHLOG_DIR.is_dir() and not any(CRASHLOG_DIR.iterdir()):
        CRASHLOG_DIR.rmdir()
    shutil.rmtree(folder / "routers", ignore_errors=True)
    shutil.rmtree(folder / "ssh", ignore_errors=True)  # a new lab gets a new host key
    (folder / "state.json").unlink()
    return stopped


def _delete_namespaces(namespaces: list[str]) -> None:
    """A namespace whose last user is still exiting refuses deletion for a moment: retry."""
    remaining = _existing(namespaces)
    for _ in range(20):
        if not remaining:
            return
        subprocess.run(["ip", "-force", "-batch", "-"], input="".join(f"netns del {ns}\n" for ns in remaining),
                       capture_output=True, text=True)
        remaining = _existing(remaining)
        if remaining:
            time.sleep(0.25)
    raise LabError(f"could not delete network namespaces: {', '.join(remaining[:5])}")


def _existing(namespaces: list[str]) -> list[str]:
    present = set(os.listdir(NETNS_DIR)) if NETNS_DIR.exists() else set()
    return [ns for ns in namespaces if ns in present]


def _stop_processes(folder: Path, routers: list[str]) -> int:
    pids = [pid for r in routers for d in DAEMONS if (pid := _pid(folder, r, d))]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            _signal(pid, sig)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
            time.sleep(0.05)
    return len(pids)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
