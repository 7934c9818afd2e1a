"""Management access to the twin's routers, as a real device offers it: SSH into the CLI.

OpenSSH's ``sshd`` listens on 127.0.0.1, one port per router (one sshd serves at most 16
sockets, so there is one sshd per 16 routers); ``Match LocalPort`` sends each login into that
router's ``vtysh``. The lab generates its own host key and pins it in ``ssh/known_hosts`` for
clients that check host keys. The login account is the one named by the inventory's credentials;
it exists only while the lab is up.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path

MAX_PORTS_PER_SSHD = 16
SSHD = "/usr/sbin/sshd"
# Clients that read only the standard files (Ansible's network_cli, over libssh or paramiko) find
# the twin's pinned keys here while it is up; each line names its lab, so down removes exactly those.
SYSTEM_KNOWN_HOSTS = Path("/etc/ssh/ssh_known_hosts")


class ManagementError(RuntimeError):
    pass


def _run(*command: str, stdin: str | None = None) -> str:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise ManagementError(f"{command[0]}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


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


def create_user(name: str, password: str) -> None:
    """A system account in FRR's groups (vtysh needs them), shell /bin/sh for ForceCommand."""
    groups = ",".join(g for g in ("frrvty", "frr") if _group_exists(g))
    _run("useradd", "--system", "--no-create-home", "--home-dir", "/", "--shell", "/bin/sh",
         "--groups", groups, name)
    _run("chpasswd", stdin=f"{name}:{password}\n")


def delete_user(name: str) -> None:
    """Remove the lab's login account, ending its sessions first (found by the account's UID)."""
    if not user_exists(name):
        return
    uid = pwd.getpwnam(name).pw_uid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = processes_of(uid)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 3
        while processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.05)
    _run("userdel", name)


def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            real_uid = next((line.split()[1] for line in status.splitlines() if line.startswith("Uid:")), None)
            if real_uid == str(uid):
                pids.append(int(entry))
    return pids


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
    known.write_text("".join(f"[127.0.0.1]:{port} {public[0]} {public[1]}\n" for port in sorted(ports.values())))
    return known


def write_wrapper(ssh_dir: Path) -> Path:
    """Login shell of every port: the router's vtysh, or one command when ssh gives one."""
    wrapper = ssh_dir / "vtysh-login"
    wrapper.write_text(
        "#!/bin/sh\n"
        "# $1: the router; muronet's sshd configuration passes it per port.\n"
        "export VTYSH_HISTFILE=/dev/null\n"
        "# FRR 8.4's vtysh cannot show the saved configuration; a device's CLI can.\n"
        'if [ "$SSH_ORIGINAL_COMMAND" = "show startup-config" ]; then exec cat "/etc/frr/$1/frr.conf"; fi\n'
        'if [ -n "$SSH_ORIGINAL_COMMAND" ]; then exec /usr/bin/vtysh -N "$1" -c "$SSH_ORIGINAL_COMMAND"; fi\n'
        "# Automation asks for an 80-column terminal (Ansible's network_cli); readline would wrap the echo\n"
        "# of a longer line and garble it. A wide terminal keeps every echo on one line.\n"
        '[ -t 0 ] && stty cols 1000 2>/dev/null\n'
        'exec /usr/bin/vtysh -N "$1"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


def sshd_configs(ssh_dir: Path, key: Path, wrapper: Path, ports: dict[str, int], user: str,
                 banner: str = "") -> list[Path]:
    """One sshd configuration per group of at most 16 routers; ``banner`` is shown before login
    (the host's job on FRR: vtysh does not keep a banner in its configuration)."""
    routers = sorted(ports, key=ports.__getitem__)
    configs = []
    banner_file = ssh_dir / "banner"
    banner_file.write_text(banner.strip() + "\n" if banner.strip() else "")
    for n in range(0, len(routers), MAX_PORTS_PER_SSHD):
        group = routers[n:n + MAX_PORTS_PER_SSHD]
        path = ssh_dir / f"sshd-{n // MAX_PORTS_PER_SSHD}.conf"
        lines = [*(f"ListenAddress 127.0.0.1:{ports[r]}" for r in group),
                 f"HostKey {key}",
                 f"PidFile {ssh_dir / f'sshd-{n // MAX_PORTS_PER_SSHD}.pid'}",
                 f"AllowUsers {user}",
                 "PermitRootLogin no", "PasswordAuthentication yes", "KbdInteractiveAuthentication no",
                 "PubkeyAuthentication no", "UsePAM yes", "X11Forwarding no", "AllowTcpForwarding no",
                 "AllowAgentForwarding no", "PermitTunnel no", "PrintMotd no", "MaxStartups 200",
                 "MaxSessions 20", "LoginGraceTime 30", "ClientAliveInterval 30",
                 "Ciphers aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr",
                 "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256",
                 "Subsystem sftp internal-sftp", *([f"Banner {banner_file}"] if banner.strip() else [])]
        lines += [line for r in group for line in (f"Match LocalPort {ports[r]}", f"    ForceCommand {wrapper} {r}")]
        path.write_text("\n".join(lines) + "\n")
        configs.append(path)
    return configs


def start_sshd(config: Path) -> Path:
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    _run(SSHD, "-t", "-f", str(config))
    _run(SSHD, "-f", str(config))
    return Path(next(line.split(" ", 1)[1] for line in config.read_text().splitlines() if line.startswith("PidFile")))


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
    if not system_file.exists():
        return
    _rewrite(system_file, _tag(folder), [])
    if created and not system_file.read_text().strip():
        system_file.unlink()


def _rewrite(system_file: Path, tag: str, ours: list[str]) -> None:
    """Replace the lines ending in ``tag`` by ``ours``, atomically (readers never see half a file)."""
    kept = [line for line in (system_file.read_text().splitlines() if system_file.exists() else [])
            if not line.endswith(f" {tag}")]
    system_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = system_file.with_name(system_file.name + ".muronet-tmp")
    tmp.write_text("".join(f"{line}\n" for line in kept + ours))
    tmp.chmod(0o644)
    tmp.replace(system_file)


def write_endpoints(ssh_dir: Path, ports: dict[str, int], known_hosts: Path) -> Path:
    """Where each router's management answers, for inventories (Nornir's ``endpoints_file``)."""
    path = ssh_dir / "endpoints.json"
    path.write_text(json.dumps({"known_hosts": str(known_hosts),
                                "hosts": {r: {"hostname": "127.0.0.1", "port": p} for r, p in sorted(ports.items())}},
                               indent=1))
    return path
