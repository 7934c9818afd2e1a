"""One scratch FRR: a blank FRR (the twin's daemons, in the same modes) in a network namespace
and path space of its own, booted, loaded through one interactive vtysh kept open, read back,
emptied for the next text, removed by PID."""

from __future__ import annotations

import grp
import os
import re
import secrets
import select
import shutil
import subprocess
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from napalm_frr import reload
from napalm_frr.host import (
    alive,
    command_lines,
    mount_points,
    terminate,
    write_atomic,
)
from napalm_frr.path_space import OWN_PATHS, boot_parameters, own_folders

ROOT = Path("/run/muronet-scratch")
FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/var/run/frr")
CRASHLOG_DIR = Path("/var/tmp/frr")
POOL_SIZE = 3  # warm instances per process: FULL with every daemon, the others without vrrpd
FULL = 2  # the largest texts (a core's) are vrrpd's: two of them render at once
# FRR's daemons a rendering needs, zebra first (the others connect to it): the ones the routers run,
# so that each reads its part of a candidate as the device does (muronet's twin runs these too).
DAEMONS = ("zebra", "bgpd", "ospfd", "staticd", "vrrpd")
ZEBRA_OPTIONS = "-s 90000000 -n"  # its netlink buffer for a large table; VRFs are network namespaces
_OPTIONS = {"zebra": ZEBRA_OPTIONS}
# The daemons start as watchfrr starts them, without FRR's init scripts and watchfrr: those cost a
# third of a boot's CPU (their shells, and a `vtysh -b` per daemon for a configuration a blank FRR
# has not got). A daemon that dies stays dead, which ``healthy`` sees. Each waits (``-d``) until it
# listens. FRR 8.4 keeps each daemon's log buffer in /var/tmp/frr/<daemon>.<pid>, removed only on a
# clean exit: the instance's own folder is mounted there, so what a killed daemon leaves goes with it
# (``path_space``, as is its own /var/run/frr).
_MOUNTS = f'mount --bind "$1" /var/run/netns && {OWN_PATHS}'



def _boot_script(daemons: tuple[str, ...]) -> str:
    """The shell script that starts ``daemons`` in the instance named ``$3``.

    >>> _boot_script(("zebra",)).rsplit(" && ", 1)[1]
    '/usr/lib/frr/zebra -N "$3" -d -F traditional -A 127.0.0.1 -s 90000000 -n'
    """
    return " && ".join([_MOUNTS, *(f'/usr/lib/frr/{d} -N "$3" -d -F traditional -A 127.0.0.1 {_OPTIONS.get(d, "")}'
                                   .rstrip() for d in daemons)])


# vtysh hands every interface line to vrrpd too (a fifth of FRR's work for a router's text), and a
# vrrpd line sent to an FRR without vrrpd vanishes without a word: only a text with no word that
# could be a vrrpd command (``vrrp`` or an abbreviation of it) goes to an instance without vrrpd.
LEAN = DAEMONS[:-1]
_VRRP_WORD = re.compile(r"(?<!\S)v(?:r(?:r(?:p\S*)?)?)?(?!\S)", re.I)


def needs_vrrpd(text: str) -> bool:
    """Whether FRR could read a line of ``text`` as vrrpd's (a word ``vrrp…`` or its abbreviation).

    >>> needs_vrrpd(" vrrp 5 ip 10.0.0.1"), needs_vrrpd("interface eth0\\n vr 5 ip 10.0.0.1"), needs_vrrpd(" ip vrf")
    (True, True, False)
    """
    return _VRRP_WORD.search(text) is not None


class ScratchError(RuntimeError):
    """The scratch FRR could not start or answer."""


@dataclass(frozen=True)
class LineError:
    line: int
    text: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}: {self.message}"


@dataclass
class Rendering:
    """FRR's rendering of a text: its running configuration, the lines it refused, what it said."""

    text: str
    errors: list[LineError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run(*command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, input=stdin, capture_output=True, text=True)


class Shell:
    """One interactive vtysh of an instance, kept open on pipes: every load, read and removal goes
    through it, since each vtysh start builds FRR's whole command tree (about 50 ms of CPU, as much
    as loading a router's configuration)."""

    def __init__(self, name: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "VTYSH_PAGER"} | {"VTYSH_HISTFILE": "/dev/null"}
        self.process = subprocess.Popen(["vtysh", "-N", name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, env=env)

    def _exchange(self, lines: list[str], timeout: float) -> tuple[bytes, str]:
        """Send ``lines``, the last being ``show running-config``; what vtysh printed before the
        configuration, and the configuration (from FRR's "Current configuration:" on). What vtysh
        says of a daemon it lost is an error, not a configuration."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(("\n".join(lines) + "\n").encode())
            self.process.stdin.flush()
        except OSError as error:
            raise ScratchError(f"the scratch vtysh is gone: {error}") from None
        said = bytearray()
        deadline = time.monotonic() + timeout
        while not (end := _END.search(said, start) if (start := said.rfind(b"Current configuration:")) >= 0 else None):
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self.process.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                raise ScratchError("the scratch vtysh stopped answering" if ready else "the scratch vtysh did "
                                   f"not answer within {timeout:.0f} s")
            said += chunk
        if lost := _LOST.search(said):
            raise ScratchError(f"the scratch vtysh lost a daemon: {lost.group(0).decode()}")
        return bytes(said[:start]), said[start:end.end()].decode(errors="replace")

    def running(self, commands: list[str] | None = None, timeout: float = 30) -> str:
        """The running configuration, after ``commands`` in configuration mode."""
        script = ["configure terminal", *commands, "end"] if commands else []
        return self._exchange([*script, "show running-config"], timeout)[1]

    def load(self, fifo: Path, text: str, timeout: float = 60) -> tuple[str, str]:
        """``text`` loaded as FRR loads a configuration file (``copy FILE running-config`` runs
        vtysh's file reader, the one of ``vtysh -f``), handed over through the FIFO ``fifo``: what
        vtysh said while loading, and the running configuration after it.

        What vtysh said lies between two commands no one can foresee (random names vtysh
        reports as unknown), so no line of the text can pose as the end of it."""
        before, after = (f"muronet-mark-{secrets.token_hex(8)}" for _ in range(2))
        copy = f"copy {fifo} running-config"
        feeder = threading.Thread(target=_feed, args=(fifo, text.encode()), daemon=True)
        feeder.start()
        try:  # the file reader leaves vtysh disabled: enable again
            said, shown = self._exchange([before, copy, after, "enable", "show running-config"], timeout)
        finally:
            _unblock(fifo, feeder)
        lines = said.decode(errors="replace").splitlines()
        starts = [n for n, line in enumerate(lines) if line.endswith(copy)]
        ends = [n for n, line in enumerate(lines) if after in line]
        if not any(before in line for line in lines) or not starts or not ends or ends[0] < starts[0]:
            raise ScratchError("the scratch vtysh's answer to a load is not in the expected form")
        return "\n".join(lines[starts[0] + 1:ends[0]]), shown

    def close(self) -> None:
        self.process.kill()  # our child: its PID is ours to end
        self.process.wait()


def _feed(fifo: Path, data: bytes) -> None:
    try:
        with open(fifo, "wb") as pipe:
            pipe.write(data)
    except BrokenPipeError:  # the reader stopped early: what it said tells why
        pass


def _unblock(fifo: Path, feeder: threading.Thread) -> None:
    """End the feeder if vtysh never opened the FIFO, or stopped reading it."""
    if feeder.is_alive():
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        os.close(reader)
        feeder.join(5)


_END = re.compile(rb"^end\r?$", re.M)
_LOST = re.compile(rb"error reading from \S+|closing connection to \S+|connecting to \S+\.\.\.failed")


class Instance:
    """One blank FRR in namespace and path space ``name``, its files under ``home``."""

    def __init__(self, name: str, home: Path, daemons: tuple[str, ...] = DAEMONS) -> None:
        self.name, self.home, self.daemons = name, home, daemons
        self.baseline = ""
        self.shell: Shell | None = None
        # A boot and a removal never overlap: a boot after its removal's unmounting would start
        # daemons that write into the host's /var/run/frr and that no PID file shows.
        self._life = threading.RLock()
        self._removed = False

    @property
    def fifo(self) -> Path:
        """Where the open vtysh reads a text to load (a pipe: nothing is written to disk)."""
        return self.home / "load"

    # --- life ------------------------------------------------------------------------------------
    def create(self) -> None:
        with self._life:
            self._refuse_if_removed()
            self._create()

    def _refuse_if_removed(self) -> None:
        if self._removed:
            raise ScratchError(f"the scratch FRR {self.name} is removed")

    def _create(self) -> None:
        etc, frrs = self.home / "etc", own_folders(self.home, self.name)
        for folder in (etc, self.home / "netns", *frrs):
            folder.mkdir(mode=0o750, exist_ok=True)
        frr = grp.getgrnam("frr").gr_gid
        os.chown(etc, 0, frr)
        for name, text in (("vtysh.conf", f"hostname {self.name}\nservice integrated-vtysh-config\n"),
                           ("frr.conf", "frr defaults traditional\nservice integrated-vtysh-config\n")):
            write_atomic(etc / name, text, mode=0o640)
            os.chown(etc / name, 0, frr)
        for folder in frrs:
            shutil.chown(folder, "frr", "frr")
        try:  # the mount point, as FRR would make it; instances of this and other processes race here
            CRASHLOG_DIR.mkdir(mode=0o700)
            shutil.chown(CRASHLOG_DIR, "frr", "frr")
        except FileExistsError:
            pass
        for point, source in ((FRR_ETC / self.name, etc), (FRR_RUN / self.name, self.home / "run")):
            point.mkdir(mode=0o750, exist_ok=True)
            if run("mount", "--bind", str(source), str(point)).returncode:
                raise ScratchError(f"cannot mount {point}")
        done = run("ip", "netns", "add", self.name)
        if done.returncode:
            raise ScratchError(f"ip netns add {self.name}: {done.stderr.strip()}")
        # forwarding on and IPv6 off, as on the twin's routers: FRR shows these states otherwise
        run("ip", "-batch", "-", stdin=f"netns exec {self.name} ip link set lo up\n"
             f"netns exec {self.name} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1\n")
        self.boot()

    def boot(self) -> None:
        """Start FRR blank and wait until it answers; its first rendering is the baseline."""
        with self._life:
            self._refuse_if_removed()
            self._boot()

    def _boot(self) -> None:
        started = run("ip", "netns", "exec", self.name, "unshare", "--mount", "--uts", "--propagation", "private",
                       "sh", "-c", _boot_script(self.daemons), "muronet-scratch",
                       *boot_parameters(self.home, self.name))
        if started.returncode:
            raise ScratchError(f"FRR did not start in {self.name}: {started.stderr.strip()[-300:]}")
        if not self.fifo.exists():
            os.mkfifo(self.fifo, 0o600)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # vtysh connects to the daemons that listen when it starts
            if len(self._pids()) == len(self.daemons) and all(self._listening()):
                self.shell = Shell(self.name)
                try:
                    self.baseline = reload.clean(self.shell.running())
                    return
                except ScratchError:
                    self.shell.close()
                    self.shell = None
            time.sleep(0.02)
        raise ScratchError(f"the scratch FRR {self.name} did not answer within 20 s")

    def _listening(self) -> list[bool]:
        return [(self.home / "run" / f"{daemon}.vty").exists() for daemon in self.daemons]

    def _daemons(self) -> dict[str, int]:
        """This instance's daemons and their PIDs, each checked by its command line (a PID file
        can be stale)."""
        running = {}
        for daemon in (*DAEMONS, "watchfrr"):  # a stale instance's may be either kind, or an older one's
            try:
                pid = int((self.home / "run" / f"{daemon}.pid").read_text())
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            if argv[0].endswith(daemon.encode()) and self.name.encode() in argv and alive(pid):
                running[daemon] = pid
        return running

    def _pids(self) -> list[int]:
        return list(self._daemons().values())

    def stop(self) -> None:
        if self.shell is not None:
            self.shell.close()
            self.shell = None
        for _ in range(5):  # an older instance's watchfrr restarts a daemon that dies: look again
            pids = {*self._daemons().values(), *scratch_daemons().get(self.name, ())}
            if not pids:
                break
            kill(pids)
        for stale in (self.home / "run").glob("*"):
            stale.unlink(missing_ok=True)

    def remove(self) -> None:
        with self._life:
            self._removed = True
            self.stop()
            points = (FRR_ETC / self.name, FRR_RUN / self.name)
            for point in points:
                run("umount", str(point))
            mounted = mount_points()
            for point in points:
                if os.path.realpath(point) not in mounted:  # a daemon may have written into the bare folder
                    shutil.rmtree(point, ignore_errors=True)
            run("ip", "netns", "del", self.name)
            shutil.rmtree(self.home, ignore_errors=True)

    # --- use -------------------------------------------------------------------------------------
    def _vtysh(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run("vtysh", "-N", self.name, *args, stdin=stdin)

    def render(self, text: str) -> Rendering | None:
        """FRR's rendering of ``text`` loaded through the open vtysh; None if FRR said anything
        of the kind errors are said in (``%``): :meth:`render_file` then says exactly what."""
        if self.shell is None:
            raise ScratchError(f"the scratch FRR {self.name} is not running")
        said, shown = self.shell.load(self.fifo, _numbered(text))
        refused, warnings = reload.vtysh_report(said)
        if refused or any(line.startswith("%") for line in warnings):
            return None
        return Rendering(self._own_form(shown, text), [], warnings)

    def render_file(self, text: str) -> Rendering:
        """FRR's rendering of ``text`` by ``vtysh -f``, with each line FRR refuses and its message."""
        numbered = _numbered(text)
        loaded = subprocess.run(["vtysh", "-N", self.name, "-f", "/dev/stdin"], input=numbered, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # in the order vtysh said it
        shown = self._running()
        refused, warnings = reload.vtysh_report(loaded.stdout)
        lines = numbered.splitlines()
        errors = [LineError(n, lines[n - 1].strip() if n <= len(lines) else "", message)
                  for n, message in sorted(refused.items())]
        return Rendering(self._own_form(shown, text), errors, warnings)

    @staticmethod
    def _own_form(shown: str, text: str) -> str:
        rendered = reload.clean(shown)
        if not re.search(r"^\s*int(erface)? lo\s*$", text, re.M):  # an earlier rendering's emptied lo
            rendered = _EMPTY_LO.sub("", rendered)
        return _own_hostname(rendered, text)

    def healthy(self, rendering: Rendering) -> bool:
        """Every daemon still runs, and vtysh lost none of them while loading."""
        lost = any("error reading from" in w or "closing connection" in w for w in rendering.warnings)
        return not lost and len(self._pids()) == len(self.daemons)

    def empty(self, rendered: str) -> bool:
        """Remove every top-level context the last rendering added; True if FRR is blank again.
        FRR's own rendering puts each context at the start of a line, and ``no`` before it removes
        the context whole."""
        kept = _top_level(self.baseline)
        added = sorted(_top_level(rendered) - kept)
        # Interfaces go first (ospfd miscounts an area removed under a process already gone). FRR
        # deletes only interfaces that do not exist, so lo's lines go one by one.
        commands = [f"no {line}" for line in added if line.startswith("interface ") and line != "interface lo"]
        for block in _blocks(rendered, "interface lo"):
            commands += [block[0], *(f" no {line.split()[0]}" if line.startswith("description") else f" no {line}"
                                     for line in block[1:]), "exit"]
        commands += [f"no {line}" for line in added if not line.startswith(("hostname ", "line vty", "interface "))]
        commands += ["line vty", "exec-timeout 10 0", "no access-class", "no ipv6 access-class", "exit",
                     f"hostname {self.name}"]  # the open vtysh keeps the host name the text gave it
        try:
            shown = self._running(commands)
        except ScratchError:
            return False
        return _EMPTY_LO.sub("", reload.clean(shown)) == self.baseline

    def _running(self, commands: list[str] | None = None) -> str:
        if self.shell is None:
            raise ScratchError(f"the scratch FRR {self.name} is not running")
        return self.shell.running(commands)


_EMPTY_LO = re.compile(r"^interface lo\nexit\n!\n", re.M)  # lo configured once, emptied: FRR keeps the block


def _blocks(rendered: str, head: str) -> list[list[str]]:
    """The contexts starting with ``head``: their first line and their lines, stripped."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in rendered.splitlines():
        if line.startswith(head):
            current = [line]
            found.append(current)
        elif current is not None and line.startswith(" "):
            current.append(line.strip())
        else:
            current = None
    return found


def _top_level(rendered: str) -> set[str]:
    return {line.rstrip() for line in rendered.splitlines()
            if line and not line[0].isspace() and line not in ("!", "exit", "exit-vrf")}


_DEVICE_OWN = re.compile(r"^\s*netns \S+\s*$")  # the namespace behind a VRF is the device's, not configuration


def _numbered(text: str) -> str:
    """The text for ``vtysh -f``, each line where it was (its line numbers are the user's): vtysh's
    header lines, ``end`` (which would leave configuration mode) and what the device shows of
    itself become comments."""
    return "\n".join("!" if reload.is_header(line) or _DEVICE_OWN.match(line) else line
                     for line in text.splitlines()) + "\n"


_HOSTNAME = re.compile(r"^hostname (\S+)\s*$", re.M)
_HOSTNAME_LINE = re.compile(r"^hostname \S+[ \t]*\n", re.M)


def _own_hostname(rendered: str, text: str) -> str:
    """FRR 8.4 shows the system's host name, whatever the text said (and a vtysh that loaded the
    text shows the text's once more, further down); the text's stands, once.

    >>> _own_hostname("frr version 8.4.4\\nhostname scr1-0\\nlog syslog\\nhostname r1\\n!\\n", "hostname r1\\n")
    'frr version 8.4.4\\nhostname r1\\nlog syslog\\n!\\n'
    """
    named = _HOSTNAME.findall(text)
    first = _HOSTNAME_LINE.search(rendered)
    if first is None:
        return rendered
    own = f"hostname {named[-1]}\n" if named else ""
    return rendered[:first.start()] + own + _HOSTNAME_LINE.sub("", rendered[first.start():])


def scratch_daemons() -> dict[str, list[int]]:
    """Every scratch FRR's daemons (FRR's, with ``-N`` naming an instance), by instance name."""
    found: dict[str, list[int]] = {}
    for pid, argv in command_lines().items():
        if argv and argv[0].startswith("/usr/lib/frr/") and "-N" in argv[:-1]:
            name = argv[argv.index("-N") + 1]
            if is_instance(name):
                found.setdefault(name, []).append(pid)
    return found


def kill(pids: Collection[int]) -> None:
    """Daemons of an instance that is gone: nothing of theirs is worth a clean exit."""
    terminate(pids, grace=0)


_INSTANCE_NAME = re.compile(r"scr(\d+)-\d+")


def is_instance(name: str) -> bool:
    """Whether a namespace or path space named ``name`` is a scratch FRR's (of any process).

    >>> is_instance("scr4242-0"), is_instance("library-rt1")
    (True, False)
    """
    return _INSTANCE_NAME.fullmatch(name) is not None
