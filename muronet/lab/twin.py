"""Build, inspect and tear down the twin on this machine (needs root).

The state folder is root's alone (mode 0700, refused if anyone else owns it or can write to it):
it holds ``state.json``, the routers' files and the SSH host key. FRR reaches its files through
bind mounts at its compiled-in path spaces (``/etc/frr/R``, ``/var/run/frr/R``), so it needs no way
into the folder, and the file root's init script sources (``daemons``) is root's, in a folder only
root can change.

Everything the twin creates outside its state folder is recorded in ``state.json`` *before* it
is created: network namespaces, mount points and bind mounts, the login account, the login
program's folder. ``down`` undoes exactly that list, so a lab that died half-way is always
removable, and ``up`` on such a lab first removes the remains. ``down`` acts only on what it can
prove is the lab's: a process by its PID *and* its command line *and* its network namespace (an FRR
daemon) or start time (an sshd), an account by the lab's marker, mounts at the lab's own paths. No
string is given to a shell to parse.
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from muronet.files import UnsafeFolder, mount_points, private_folder, write_atomic
from muronet.lab import management
from muronet.lab.plan import OOB_BRIDGE, OOB_NAMESPACE, LabPlan, Port, Router, Segment, VethPair
from muronet.processes import run, start_time, terminate
from napalm_frr.path_space import OWN_PATHS, boot_parameters, own_folders
from napalm_frr.scratch import DAEMONS as RENDERING_DAEMONS
from napalm_frr.scratch import ZEBRA_OPTIONS

FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/var/run/frr")
NETNS_DIR = Path("/var/run/netns")
FRR_INIT = "/usr/lib/frr/frrinit.sh"
# the daemons a rendering needs; bfdd too on a router whose sessions ask for BFD (the Government
# Cloud line's): a rendering reads `neighbor … bfd` without it
ROUTING_DAEMONS = RENDERING_DAEMONS
DAEMONS = ("watchfrr", *ROUTING_DAEMONS, "bfdd")  # watchfrr first: it restarts the rest
DEFAULT_BASE_PORT = 22200
CRASHLOG_DIR = Path("/var/tmp/frr")  # compiled into FRR 8.4: each daemon keeps a <daemon>.<pid> folder


class LabError(RuntimeError):
    pass


@dataclass
class LabState:
    routers: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    mount_points: list[str] = field(default_factory=list)  # folders made to mount on (FRR's path spaces)
    mounts: list[str] = field(default_factory=list)
    created_gr_file: bool = False  # kept for state files of earlier labs: the routers' own now (_BOOT)
    created_crashlog_dir: bool = False  # kept for state files of earlier labs; the folder stays (down)
    user: str = ""
    user_created: bool = False
    marker: str = ""  # the login account's comment field: what proves the account is the lab's
    public_dir: str = ""  # the login program's folder
    sshd: dict[str, list[int]] = field(default_factory=dict)  # configuration → [PID, start time]
    lldpd: dict[str, list[int]] = field(default_factory=dict)  # router namespace → [PID, start time]
    chronyd: dict[str, list[int]] = field(default_factory=dict)  # router (or "server") → [PID, start time]
    agent: list[int] = field(default_factory=list)  # the device agent's [PID, start time]
    published_known_hosts: bool = False  # the pinned keys are in management.SYSTEM_KNOWN_HOSTS
    created_system_known_hosts: bool = False
    ports: dict[str, int] = field(default_factory=dict)
    complete: bool = False

    @classmethod
    def read(cls, folder: Path) -> LabState | None:
        path = folder / "state.json"
        if not path.exists():
            return None
        try:
            return cls(**json.loads(path.read_text()))
        except (ValueError, TypeError) as error:
            raise LabError(f"{path} is not a state file of this muronet ({error}); remove the lab's remains "
                           "by hand") from None

    def write(self, folder: Path) -> None:
        write_atomic(folder / "state.json", json.dumps(asdict(self), indent=1), mode=0o600)


def _run(*command: str, stdin: str | None = None) -> None:
    run(command, LabError, stdin=stdin)


_PLAIN_PATH = re.compile(r"[A-Za-z0-9/._+-]+")


def state_folder(folder: Path, create: bool = False) -> Path:
    """The lab's state folder, checked: root's own, writable by nobody else (created so if asked),
    named plainly (its path goes into sshd's and FRR's configuration files)."""
    if not _PLAIN_PATH.fullmatch(str(folder)):
        raise LabError(f"{str(folder)!r}: a state folder's path may hold only letters, digits and / . _ + -")
    try:
        return private_folder(folder, create=create)
    except UnsafeFolder as error:
        raise LabError(str(error)) from None
    except FileNotFoundError:
        raise LabError(f"no twin state in {folder}") from None


def _digest(folder: Path) -> str:
    return hashlib.sha256(str(folder).encode()).hexdigest()[:16]


def _marker(folder: Path) -> str:
    return f"muronet twin {_digest(folder)}"


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
    folder = state_folder(folder, create=True)
    if LabState.read(folder) is not None:
        down(folder)  # remains of an earlier lab, complete or not
    if management.user_exists(credentials[0]):
        raise LabError(f"user {credentials[0]!r} already exists on this machine; the twin creates its own "
                       "login account: choose another MURONET_USERNAME")
    clash = _existing(plan.namespaces)  # before state.json lists them: down() would delete them
    if clash:
        raise LabError(f"network namespaces already exist and are not this lab's: {', '.join(clash[:5])}")
    frr_routers = [*plan.routers, *(p.router for p in plan.peers)]
    state = LabState(routers=[r.name for r in frr_routers], namespaces=plan.namespaces)
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
    _wait_daemons(folder, [r.name for r in frr_routers])
    _start_lldpd(plan, folder, state)
    _start_chrony(plan, folder, state)
    _start_management(plan, folder, state, credentials, base_port, banner)
    _start_agent(plan, folder, state)
    state.complete = True
    state.write(folder)
    return state


# a backup VRRP macvlan is down (protodown): its connected route must not win
_SYSCTLS = ("net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1 net.ipv4.conf.all.ignore_routes_with_linkdown=1 "
            "net.ipv4.conf.default.ignore_routes_with_linkdown=1")


def _create_namespaces(plan: LabPlan) -> None:
    _run("ip", "-batch", "-", stdin="".join(f"netns add {ns}\n" for ns in plan.namespaces))
    _run("ip", "-batch", "-", stdin="".join(f"netns exec {ns} ip link set lo up\n"
                                           f"netns exec {ns} sysctl -qw {_SYSCTLS}\n" for ns in plan.namespaces))


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
             *([f"addr add {plan.oob_host} dev {OOB_BRIDGE}"] if plan.oob_host else []),
             *(f"addr add {address} dev {OOB_BRIDGE}" for address in plan.ntp_servers if address != plan.oob_host)]
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
        lines += [f"addr add {address} dev br0" for _, address in segment.servers]
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


def answer_for_servers(segments: list[Segment]) -> None:
    """Each LAN's bridge answers for exactly the servers ``segments`` name (and its test host):
    ``lab verify`` of an inventory that moved its servers (another separation model's) probes
    them where that inventory puts them."""
    for segment in segments:
        shown = subprocess.run(["ip", "-n", segment.namespace, "-j", "-4", "addr", "show", "dev", "br0"],
                               capture_output=True, text=True)
        if shown.returncode != 0:
            raise LabError(f"{segment.prefix}: the twin has no LAN for it (booted from another inventory?)")
        present = {f"{a['local']}/{a['prefixlen']}" for link in json.loads(shown.stdout) for a in link["addr_info"]}
        wanted = {str(segment.host), *(str(address) for _, address in segment.servers)}
        lines = [f"addr del {a} dev br0" for a in sorted(present - wanted)]
        lines += [f"addr add {a} dev br0" for a in sorted(wanted - present)]
        if lines:
            _run("ip", "-n", segment.namespace, "-batch", "-", stdin="".join(line + "\n" for line in lines))


def _daemons_file(bfd: bool) -> str:
    options = "-A 127.0.0.1"  # vty ports only on loopback (SEC-MGMT-002 for FRR)
    daemons = (*ROUTING_DAEMONS, *(["bfdd"] if bfd else []))
    return "\n".join([
        *(f"{d}=yes" for d in daemons),
        "vtysh_enable=yes",
        f'zebra_options="{options} {ZEBRA_OPTIONS}"',
        *(f'{d}_options="{options}"' for d in daemons[1:]),
        "",
    ])


def _router_daemons(folder: Path, router: str) -> tuple[str, ...]:
    """The daemons the router runs: watchfrr and those its ``daemons`` file starts."""
    try:
        text = (folder / "routers" / router / "etc" / "daemons").read_text()
    except OSError:
        return ("watchfrr", *ROUTING_DAEMONS)
    return ("watchfrr", *(d for d in DAEMONS[1:] if f"{d}=yes" in text.splitlines()))


def _prepare_router(router: Router, folder: Path, boot_config: str, state: LabState) -> None:
    """The router's files in the state folder, mounted at FRR's path spaces: ``etc`` is root's (the
    init script sources ``daemons`` from it as root; watchfrr, root too, saves ``frr.conf``), group
    frr may read it; ``run`` is frr's."""
    home = folder / "routers" / router.name
    etc, run, netns = home / "etc", home / "run", home / "netns"
    frrs = own_folders(home, router.name)
    for path in (etc, netns, *frrs):
        path.mkdir(parents=True, exist_ok=True)
    frr = grp.getgrnam("frr").gr_gid
    os.chown(etc, 0, frr)
    etc.chmod(0o750)
    write_atomic(etc / "daemons", _daemons_file(router.bfd), mode=0o644)
    for name, text in (("vtysh.conf", f"hostname {router.name}\nservice integrated-vtysh-config\n"),
                       ("frr.conf", boot_config)):
        write_atomic(etc / name, text, mode=0o640)
        os.chown(etc / name, 0, frr)
    for path in frrs:
        shutil.chown(path, "frr", "frr")
    run.chmod(0o750)
    for point, source in ((FRR_ETC / router.name, etc), (FRR_RUN / router.name, run)):
        if point.is_symlink() or point.exists():
            raise LabError(f"{point} exists and is not this lab's")
        state.mount_points.append(str(point))
        state.mounts.append(str(point))
        state.write(folder)
        point.parent.mkdir(parents=True, exist_ok=True)
        point.mkdir(mode=0o750)
        _run("mount", "--bind", str(source), str(point))
    # The router's FRR sees only its own VRF namespaces, under the VRF names.
    for vrf in router.vrfs:
        point = netns / vrf
        point.touch()
        state.mounts.append(str(point))
        state.write(folder)
        _run("mount", "--bind", str(NETNS_DIR / router.vrf_namespace(vrf)), str(point))


# Run in the router's network namespace and a mount namespace of its own, in which /var/run/netns
# holds only its VRFs and FRR's compiled-in paths are the router's own (``path_space``).
_BOOT = f'mount --rbind "$1" /var/run/netns && {OWN_PATHS} && exec /usr/lib/frr/frrinit.sh start "$3"'


def _start_frr(router: Router, folder: Path) -> None:
    home = folder / "routers" / router.name
    _run("ip", "netns", "exec", router.name, "unshare", "--mount", "--uts", "--propagation", "private",
         "sh", "-c", _BOOT, "muronet-boot", *boot_parameters(home, router.name))


def _wait_daemons(folder: Path, routers: list[str], timeout: float = 60) -> None:
    """Until every daemon of every router runs: FRR's init script returns once watchfrr runs, and
    on a loaded machine a daemon may come up seconds later (or be restarted by watchfrr)."""
    deadline = time.monotonic() + timeout
    expected = {r: len(_router_daemons(folder, r)) for r in routers}
    while missing := [r for r in routers if len(_running_daemons(folder, r)) < expected[r]]:
        if time.monotonic() >= deadline:
            raise LabError(f"FRR's daemons did not all start within {timeout:.0f} s on {', '.join(missing[:5])}")
        time.sleep(0.2)


def _start_management(plan: LabPlan, folder: Path, state: LabState, credentials: tuple[str, str],
                      base_port: int, banner: str) -> None:
    user, password = credentials
    ssh_dir = folder / "ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    key = management.write_host_key(ssh_dir)
    state.ports = management.allocate_ports([r.name for r in plan.routers], base_port)
    state.user, state.user_created, state.marker = user, True, _marker(folder)
    state.write(folder)
    program = management.write_login_program(Path(state.public_dir), state.ports)
    management.create_user(user, password, program, state.marker)
    known_hosts = management.write_known_hosts(ssh_dir, key, state.ports)
    management.write_endpoints(ssh_dir, state.ports, known_hosts)
    state.published_known_hosts = True
    state.created_system_known_hosts = not management.SYSTEM_KNOWN_HOSTS.exists()
    state.write(folder)
    management.publish_known_hosts(known_hosts, folder)
    for config in management.sshd_configs(ssh_dir, key, state.ports, user, banner):
        state.sshd[str(config)] = [0, 0]  # the intent, before the process exists
        state.write(folder)
        state.sshd[str(config)] = list(management.start_sshd(config))
        state.write(folder)


LLDPD_CONFIG = "configure lldp portidsubtype ifname\nconfigure lldp tx-interval 2\n"
_LLDPD = 'hostname "$1" && exec lldpd -d -u "$2" -O "$3" -I "eth*,!eth*.*"'  # ports, not sub-interfaces


def lldp_namespaces(plan: LabPlan, router: Router) -> list[str]:
    """The router's namespaces that hold a cabled port: its own, and each VRF namespace a port of a
    zone lives in. A device speaks LLDP on every port, whatever VRF the port is in."""
    cabled = {port.namespace for link in plan.links for port in (link.a, link.b)}
    return [router.name, *(ns for ns in router.namespaces[1:] if ns in cabled)]


def _start_lldpd(plan: LabPlan, folder: Path, state: LabState) -> None:
    """lldpd in every router namespace with cabled ports (named as the router, on its ports, not the
    out-of-band one); one control socket per namespace, named as the namespace."""
    # lldpcli runs as user _lldpd: its configuration and the control sockets live in the public
    # folder (root's, mode 0755), not the private one
    state.public_dir = str(management.PUBLIC_ROOT / _digest(folder))
    sockets = Path(state.public_dir) / "lldp"
    state.write(folder)
    sockets.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.chmod(Path(state.public_dir), 0o755)
    config = sockets / "lldpd.conf"
    write_atomic(config, LLDPD_CONFIG, mode=0o644)
    for router in plan.routers:
        home = folder / "routers" / router.name
        for namespace in lldp_namespaces(plan, router):
            state.lldpd[namespace] = [0, 0]  # the intent, before the process exists
            state.write(folder)
            with open(home / "lldpd.log", "ab") as log:
                process = subprocess.Popen(["ip", "netns", "exec", namespace, "unshare", "--uts", "sh", "-c", _LLDPD,
                                            "muronet-lldpd", router.name, str(sockets / namespace), str(config)],
                                           stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
            state.lldpd[namespace] = [process.pid, start_time(process.pid)]
    state.write(folder)


def _start_chrony(plan: LabPlan, folder: Path, state: LabState) -> None:
    """NTP as the city has it: the OOB bridge answers as the city's NTP servers (one chronyd of
    local stratum 8), and every router's host follows them from its management VRF. No chronyd
    touches this machine's clock (``-x``)."""
    if not plan.ntp_servers or not shutil.which("chronyd"):
        return
    folder_ntp = Path(state.public_dir) / "ntp"  # chronyd wants its socket folder chrony's own
    folder_ntp.mkdir(mode=0o750, exist_ok=True)
    shutil.chown(folder_ntp, "_chrony", "_chrony")
    servers = "".join(f"server {a.ip} iburst minpoll 0 maxpoll 4\n" for a in plan.ntp_servers)
    instances = [("server", OOB_NAMESPACE, "local stratum 8\nallow 10.0.0.0/8\n")]
    instances += [(r.name, _management_namespace(plan, r), f"{servers}port 0\n") for r in plan.routers]
    for name, namespace, body in instances:
        config = folder_ntp / f"{name}.conf"
        write_atomic(config, f"{body}cmdport 0\nbindcmdaddress {folder_ntp / name}.sock\n"
                             f"pidfile {folder_ntp / name}.pid\n", mode=0o644)
        state.chronyd[name] = [0, 0]
        state.write(folder)
        with open(folder / "routers" / "chronyd.log", "ab") as log:
            process = subprocess.Popen(["ip", "netns", "exec", namespace, "chronyd", "-x", "-d", "-f", str(config)],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        state.chronyd[name] = [process.pid, start_time(process.pid)]
    state.write(folder)


def _management_namespace(plan: LabPlan, router: Router) -> str:
    return next(p.namespace for p in plan.oob_ports if p.namespace in router.namespaces)


def _start_agent(plan: LabPlan, folder: Path, state: LabState) -> None:
    """The device agent (muronet/lab/agent.py) for every router, on a socket beside the login program."""
    import pwd
    import sys

    account = pwd.getpwnam(state.user)
    write_atomic(folder / "agent.json", json.dumps({
        "routers": {r.name: list(r.vrfs) for r in plan.routers}, "uid": account.pw_uid,
        "lldp": {r.name: [str(Path(state.public_dir) / "lldp" / ns) for ns in lldp_namespaces(plan, r)]
                 for r in plan.routers},
        "ntp": {r.name: str(Path(state.public_dir) / "ntp" / f"{r.name}.sock") for r in plan.routers
                if r.name in state.chronyd}}), mode=0o600)
    socket_path = Path(state.public_dir) / "agent.sock"
    state.agent = [0, 0]
    state.write(folder)
    with open(folder / "agent.out", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "muronet.lab.agent", "--state", str(folder), "--socket",
                                    str(socket_path), "--group", str(account.pw_gid)],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                                   cwd=Path(__file__).resolve().parents[2])
    state.agent = [process.pid, start_time(process.pid)]
    state.write(folder)
    deadline = time.monotonic() + 10
    while not socket_path.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            raise LabError(f"the device agent did not start (log: {folder / 'agent.out'})")
        time.sleep(0.02)


def _is_ours(entry: list[int], *marks: str) -> bool:
    """Whether [PID, start time] still is the process the lab started, its command line naming ``marks``."""
    pid, started = [*entry, 0, 0][:2]
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        return pid > 0 and start_time(pid) == started and all(m.encode() in argv for m in marks)
    except (OSError, ValueError, IndexError):
        return False


# --- restart -------------------------------------------------------------------------------------


def set_links(folder: Path, pairs: list[VethPair], up: bool) -> list[str]:
    """Both ends of every pair down (a cut cable or line: neither side sees a carrier) or up again,
    physical ports before the sub-interfaces they carry; the ports changed, ``namespace:port``."""
    if status(folder)["state"] == "down":
        raise LabError(f"the twin is not up (no {folder}/state.json): muronet lab up")
    changed = []
    for pair in pairs:
        for port in (pair.a, pair.b):
            _run("ip", "-n", port.namespace, "link", "set", "dev", port.name, "up" if up else "down")
            changed.append(f"{port.namespace}:{port.name}")
    return changed


def router_ports(plan: LabPlan, router: str) -> list[Port]:
    """Every port of a router in the twin (cables, LANs, circuits, management), physical ports
    before the sub-interfaces they carry."""
    spaces = {ns for r in plan.routers if r.name == router for ns in r.namespaces}
    ports = {p for link in plan.links for p in (link.a, link.b) if p.namespace in spaces}
    ports |= {p for segment in plan.segments for p in segment.gateway_ports if p.namespace in spaces}
    ports |= {peer.link.a for peer in plan.peers if peer.link.a.namespace in spaces}
    ports |= {p for p in plan.oob_ports if p.namespace in spaces}
    return sorted(ports, key=lambda p: (p.name.count("."), p.namespace, p.name))


def power(folder: Path, plan: LabPlan, router: str, on: bool) -> list[str]:
    """A router's power lost (its FRR stopped at once and every port down, so that its neighbours
    lose the carrier) or back (ports up, FRR booted from its saved configuration); the ports."""
    folder = _router_of_twin(folder, router)
    ports = router_ports(plan, router)
    if not on:
        stop_router(folder, router)
    for port in ports if on else reversed(ports):
        _run("ip", "-n", port.namespace, "link", "set", "dev", port.name, "up" if on else "down")
    if on and not _running_daemons(folder, router):
        _start_frr(Router(router, ()), folder)
        _wait_daemons(folder, [router])
    return [f"{p.namespace}:{p.name}" for p in ports]


def _router_of_twin(folder: Path, router: str) -> Path:
    """The twin's state folder, checked, once ``router`` is known to be one of its routers."""
    _require_root()
    folder = state_folder(folder)
    state = LabState.read(folder)
    if state is None or router not in state.routers:
        raise LabError(f"{router} is not a router of the twin in {folder}")
    return folder


def restart(folder: Path, router: str) -> int:
    """Power-cycle one router: stop its FRR by PID, boot it again from its saved configuration.
    Returns how many processes were stopped."""
    folder = _router_of_twin(folder, router)
    stopped = stop_router(folder, router)
    _start_frr(Router(router, ()), folder)
    return stopped


def stop_router(folder: Path, router: str) -> int:
    """Kill one router's FRR at once, as a power failure would (tests use it mid-commit)."""
    folder = state_folder(folder)
    pids = [pid for d in DAEMONS if (pid := _pid(folder, router, d))]
    terminate(pids, grace=0)
    return len(pids)


# --- status ------------------------------------------------------------------------------------


def _running_daemons(folder: Path, router: str) -> list[str]:
    return [d for d in DAEMONS if _pid(folder, router, d)]


def _pid(folder: Path, router: str, daemon: str) -> int | None:
    """The PID of a router's daemon, if that process provably is it. FRR (user frr) writes the PID
    files, and PIDs are reused: the process must run that daemon for this path space, in the mount
    namespace this lab's boot made for that router (its VRF folder mounted on /var/run/netns),
    which holds even after someone deleted the router's network namespace."""
    home = folder / "routers" / router
    try:
        pid = int((home / "run" / f"{daemon}.pid").read_text().strip())
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        mounts = Path(f"/proc/{pid}/mountinfo").read_text().splitlines()
    except (OSError, ValueError):
        return None
    netns = os.path.realpath(NETNS_DIR)  # /var/run is /run: mountinfo names the real path
    booted = any(_mounts_router_netns(line, netns, home, router) for line in mounts)
    return pid if booted and argv[0].endswith(daemon.encode()) and router.encode() in argv else None


def status(folder: Path) -> dict[str, Any]:
    if not Path(folder).exists():
        return {"state": "down", "routers": {}}
    folder = state_folder(folder)
    state = LabState.read(folder)
    if state is None:
        return {"state": "down", "routers": {}}
    existing = set(_existing([*state.routers, *state.namespaces]))
    routers = {}
    for router in state.routers:
        running = _running_daemons(folder, router)
        routers[router] = {"namespace": router in existing, "daemons": running,
                           "ok": router in existing and len(running) == len(_router_daemons(folder, router))}
    sshd = {Path(config).stem: management.is_our_sshd(pid, started, Path(config))
            for config, (pid, started) in state.sshd.items()}
    healthy = state.complete and all(r["ok"] for r in routers.values()) and all(sshd.values())
    return {"state": "up" if healthy else "degraded", "routers": routers, "sshd": sshd,
            "ports": state.ports, "known_hosts": str(folder / "ssh" / "known_hosts"),
            "namespaces_missing": sorted(set(state.namespaces) - existing)}


# --- down --------------------------------------------------------------------------------------


def down(folder: Path) -> int:
    """Undo everything state.json lists that is provably the lab's; return how many processes
    were stopped."""
    _require_root()
    if not Path(folder).exists():
        return 0
    folder = state_folder(folder)  # a folder anyone else owns or can write to is never acted on
    state = LabState.read(folder)
    if state is None:
        return 0
    sshd = [pid for config, (pid, started) in state.sshd.items()
            if management.is_our_sshd(pid, started, Path(config))]
    helpers = [entry[0] for entry in [state.agent] if _is_ours(entry, "muronet.lab.agent", str(folder))]
    helpers += [entry[0] for entry in state.lldpd.values()
                if _is_ours(entry, "lldpd")]  # lldpd retitles itself: PID and start time name it
    helpers += [entry[0] for name, entry in state.chronyd.items()
                if _is_ours(entry, "chronyd", f"/{name}.conf")]
    terminate([*sshd, *helpers])
    stopped = len(sshd) + len(helpers) + _stop_processes(folder, state.routers)
    if state.user_created and state.user and state.marker == _marker(folder):
        management.delete_user(state.user, state.marker)
    if state.published_known_hosts:
        management.withdraw_known_hosts(folder, state.created_system_known_hosts)
    ours = {str(base / r) for r in state.routers for base in (FRR_ETC, FRR_RUN)}
    mounted = mount_points()
    for mount in reversed(state.mounts):
        if (mount in ours or mount.startswith(f"{folder}/")) and os.path.realpath(mount) in mounted:
            _run("umount", mount)
    mounted = mount_points()
    for point in state.mount_points:
        if point in ours and os.path.isdir(point) and os.path.realpath(point) not in mounted:
            with contextlib.suppress(OSError):  # an empty folder only: the one the lab made
                os.rmdir(point)
    if state.public_dir == str(management.PUBLIC_ROOT / _digest(folder)):
        shutil.rmtree(state.public_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            management.PUBLIC_ROOT.rmdir()  # if no other lab uses it
    _delete_namespaces(state.namespaces)
    # FRR's crash-log folder stays even when this lab made it: the scratch FRRs of any muronet
    # process mount on it too, and one that boots while it is gone does not start
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


def _mounts_router_netns(line: str, netns: str, home: Path, router: str) -> bool:
    """Whether a ``/proc/PID/mountinfo`` line is the router's own namespaces folder mounted on the
    machine's (fields: id, parent, device, root, mount point, …)."""
    match line.split():
        case [_, _, _, root, point, *_]:
            return point == netns and str(home / "netns").endswith(root) and root.endswith(f"/routers/{router}/netns")
    return False


def _stop_processes(folder: Path, routers: list[str]) -> int:
    """Stop every provable daemon of the routers; watchfrr may restart a daemon while it dies, so
    look again until none is left."""
    stopped: set[int] = set()
    for _ in range(5):
        pids = [pid for r in routers for d in DAEMONS if (pid := _pid(folder, r, d))]
        if not pids:
            break
        stopped.update(pids)
        terminate(pids)
    return len(stopped)

