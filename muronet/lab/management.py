"""Management access to the twin's routers, as a real device offers it: SSH into the CLI.

OpenSSH's ``sshd`` listens on 127.0.0.1, one port per router (one sshd serves at most 16
sockets, so there is one sshd per 16 routers); ``Match LocalPort`` sends each login into that
router's ``vtysh``. The lab generates its own host key and pins it in ``ssh/known_hosts`` for
clients that check host keys.

The login account is the one named by the inventory's credentials; it exists only while the lab is
up, carries the lab's marker (so ``lab down`` deletes no account it did not make), and has no
shell: its login program (root's, in a folder only root can change) opens a router's CLI, and only
for a login through this lab's sshd on that router's port.
"""

from __future__ import annotations

import contextlib
import fcntl
import grp
import json
import os
import pwd
import socket
import time
from pathlib import Path

from muronet.files import write_atomic
from muronet.processes import each_process, run, start_time, terminate
from napalm_frr.agent.login import login_program

MAX_PORTS_PER_SSHD = 16
SSHD = "/usr/sbin/sshd"
# Clients that read only the standard files (Ansible's network_cli, over libssh or paramiko) find
# the twin's pinned keys here while it is up; each line names its lab, so down removes exactly those.
SYSTEM_KNOWN_HOSTS = Path("/etc/ssh/ssh_known_hosts")
# The login program and its port map, outside the private state folder so that the login
# account can run it; root owns the folder and everything in it.
PUBLIC_ROOT = Path("/run/muronet-twin")


class ManagementError(RuntimeError):
    pass


def _run(*command: str, stdin: str | None = None) -> str:
    return run(command, ManagementError, what=command[0], stdin=stdin)


def allocate_ports(routers: list[str], base: int) -> dict[str, int]:
    """Consecutive free ports on 127.0.0.1 from ``base``, skipping any in use."""
    ports: dict[str, int] = {}
    port = base
    for router in routers:
        while not _free(port):
            port += 1
        ports[router] = port
        port += 1
    return ports


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


YESCRYPT_COST = 3


def create_user(name: str, password: str, login_program: Path, marker: str) -> None:
    """A system account in FRR's groups (vtysh needs them) whose only program is the lab's login
    program, marked as the lab's in its comment field."""
    groups = ",".join(g for g in ("frrvty", "frr") if _group_exists(g))
    _run("useradd", "--system", "--no-create-home", "--home-dir", "/", "--shell", str(login_program),
         "--comment", marker, "--groups", groups, name)
    # yescrypt at cost 3 instead of Debian's 5: still memory-hard, 4 ms instead of 30 ms a check;
    # the account lives while the twin does, logs in only on its 127.0.0.1 ports, and every run
    # logs in once per router (fifty checks a run: the largest share of sshd's CPU at cost 5)
    _run("chpasswd", "--crypt-method", "YESCRYPT", "--sha-rounds", str(YESCRYPT_COST), stdin=f"{name}:{password}\n")


def delete_user(name: str, marker: str) -> bool:
    """Remove the lab's login account, ending its sessions first (found by the account's UID).
    An account without the lab's marker is not the lab's: it is left alone (False)."""
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return False
    if account.pw_gecos != marker:
        return False
    terminate(processes_of(account.pw_uid), grace=3)  # the account's own processes: it runs nothing else
    _run("userdel", name)
    return True


def processes_of(uid: int) -> list[int]:
    uid_line = f"Uid:\t{uid}\t".encode()  # the real user first: "Uid:\treal\teffective\tsaved\tfs"
    return [pid for pid, status in each_process("status").items() if uid_line in status]


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def write_host_key(ssh_dir: Path) -> Path:
    key = ssh_dir / "host_ed25519_key"
    if not key.exists():
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "muronet-twin", "-f", str(key))
    return key


def write_known_hosts(ssh_dir: Path, key: Path, ports: dict[str, int]) -> Path:
    public = Path(f"{key}.pub").read_text().split()
    known = ssh_dir / "known_hosts"
    write_atomic(known, "".join(f"[127.0.0.1]:{port} {public[0]} {public[1]}\n" for port in sorted(ports.values())))
    return known


# sshd runs the account's shell as `SHELL -c FORCECOMMAND`; here the shell is the FRR driver's login
# program (napalm_frr.agent.login) and the forced command the router's name. It refuses anything
# else: an interactive shell, another command, a login through any other sshd or port (the `ports`
# map beside it). It offers what a router's own host would beside its CLI: the saved configuration,
# a configuration applied whole from standard input (as FRR reads a file), and the device agent's
# commands. Data arrive as arguments and environment variables and are only compared, never evaluated.
def write_login_program(public_dir: Path, ports: dict[str, int]) -> Path:
    """The login program and its port map in ``public_dir``: root's, readable by the account."""
    public_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.chmod(public_dir, 0o755)
    write_atomic(public_dir / "ports", "".join(f"{r} {p}\n" for r, p in sorted(ports.items())), mode=0o644)
    program = public_dir / "login"
    write_atomic(program, login_program(public_dir / "agent.sock"), mode=0o755)
    return program


def sshd_configs(ssh_dir: Path, key: Path, ports: dict[str, int], user: str, banner: str = "") -> list[Path]:
    """One sshd configuration per group of at most 16 routers; ``banner`` is shown before login
    (the host's job on FRR: vtysh does not keep a banner in its configuration)."""
    routers = sorted(ports, key=ports.__getitem__)
    configs = []
    banner_file = ssh_dir / "banner"
    write_atomic(banner_file, banner.strip() + "\n" if banner.strip() else "")
    for n in range(0, len(routers), MAX_PORTS_PER_SSHD):
        group = routers[n:n + MAX_PORTS_PER_SSHD]
        path = ssh_dir / f"sshd-{n // MAX_PORTS_PER_SSHD}.conf"
        lines = [*(f"ListenAddress 127.0.0.1:{ports[r]}" for r in group),
                 f"HostKey {key}",
                 f"PidFile {ssh_dir / f'sshd-{n // MAX_PORTS_PER_SSHD}.pid'}",
                 f"AllowUsers {user}",
                 "PermitRootLogin no", "PasswordAuthentication yes", "KbdInteractiveAuthentication no",
                 # sshd checks the password against shadow itself: PAM's session modules (the motd
                 # scripts, unix_chkpwd) start five programs a login, 11 of its 80 ms of CPU here
                 "PubkeyAuthentication no", "UsePAM no", "X11Forwarding no", "AllowTcpForwarding no",
                 "AllowAgentForwarding no", "AllowStreamLocalForwarding no", "PermitTunnel no",
                 "PermitUserEnvironment no", "PermitUserRC no", "DisableForwarding yes", "PrintMotd no",
                 "MaxStartups 200", "MaxSessions 20", "LoginGraceTime 30", "ClientAliveInterval 30",
                 "Ciphers aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr",
                 "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256",
                 *([f"Banner {banner_file}"] if banner.strip() else [])]
        lines += [line for r in group for line in (f"Match LocalPort {ports[r]}", f"    ForceCommand {r}")]
        write_atomic(path, "\n".join(lines) + "\n", mode=0o600)
        configs.append(path)
    return configs


def start_sshd(config: Path) -> tuple[int, int]:
    """Start one sshd; return its PID and start time (what ``down`` checks before it signals)."""
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    _run(SSHD, "-t", "-f", str(config))
    _run(SSHD, "-f", str(config), "-E", str(config.with_suffix(".log")))  # its log: logins can be counted
    pidfile = config.with_suffix(".pid")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            pid = int(pidfile.read_text().strip())
            return pid, start_time(pid)
        time.sleep(0.02)
    raise ManagementError(f"sshd did not write {pidfile}")


def is_our_sshd(pid: int, started: int, config: Path) -> bool:
    """Whether ``pid`` is still the sshd this lab started: same start time, our configuration."""
    try:
        return start_time(pid) == started and str(config).encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return False


def _tag(folder: Path) -> str:
    return f"muronet-twin:{folder}"


def publish_known_hosts(known_hosts: Path, folder: Path, system_file: Path = SYSTEM_KNOWN_HOSTS) -> None:
    """Add the lab's pinned host keys to the system-wide known hosts, each line tagged with the
    lab's folder (an earlier run's lines of the same lab are replaced)."""
    tag = _tag(folder)
    ours = [f"{line} {tag}" for line in known_hosts.read_text().splitlines() if line.strip()]
    _rewrite(system_file, tag, ours)


def withdraw_known_hosts(folder: Path, created: bool, system_file: Path = SYSTEM_KNOWN_HOSTS) -> None:
    """Remove the lines :func:`publish_known_hosts` added for this lab; every other line stays. The
    file goes too if the lab ``created`` it and nothing else is in it."""
    if system_file.exists():
        _rewrite(system_file, _tag(folder), [], remove_if_empty=created)


def _rewrite(system_file: Path, tag: str, ours: list[str], remove_if_empty: bool = False) -> None:
    """Replace the lines ending in ``tag`` by ``ours``, atomically (readers never see half a file),
    one writer at a time (two labs, or a lab and a test's switches, publishing at once keep both)."""
    system_file.parent.mkdir(parents=True, exist_ok=True)
    folder = os.open(system_file.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        kept = [line for line in (system_file.read_text().splitlines() if system_file.exists() else [])
                if not line.endswith(f" {tag}")]
        if remove_if_empty and not any(line.strip() for line in kept + ours):
            system_file.unlink(missing_ok=True)
        else:
            write_atomic(system_file, "".join(f"{line}\n" for line in kept + ours), mode=0o644)
    finally:
        os.close(folder)  # and with it the lock


def write_endpoints(ssh_dir: Path, ports: dict[str, int], known_hosts: Path) -> Path:
    """Where each router's management answers, for inventories (Nornir's ``endpoints_file``)."""
    path = ssh_dir / "endpoints.json"
    hosts = {r: {"hostname": "127.0.0.1", "port": p} for r, p in sorted(ports.items())}
    write_atomic(path, json.dumps({"known_hosts": str(known_hosts), "hosts": hosts}, indent=1))
    return path
