"""FRR's own rendering of a configuration, before anything is compared or pushed.

People write frr.conf in many forms (``int eth0``, ``address-family ipv4``, defaults spelled out,
sections twice, capitals in IPv6 addresses); FRR's running configuration has one. A *scratch FRR*
turns any text into that one form: a blank FRR (the twin's five daemons: zebra, bgpd, ospfd,
staticd, vrrpd, in the same modes) in a network namespace and path space of its own on the
automation host, loaded with the text by ``vtysh -f`` as FRR loads a configuration file, and read
back with ``show running-config``. FRR's parser is the judge of the text: a line it refuses is an
error with its line number and FRR's message; what it prints besides (deprecations, "reset the
session to take effect") is a warning.

A few instances are kept warm for the process (``ScratchPool``), each emptied after use (every
top-level context removed, checked, rebooted if anything is left). The secrets in a candidate go
to vtysh through a pipe, never a file. Needs root (namespaces, FRR's path spaces); stops every
process it started, by PID, when the process ends, and removes what an earlier process that died
left behind.
"""

from __future__ import annotations

import atexit
import contextlib
import grp
import hashlib
import itertools
import json
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Collection, Iterable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from muronet.files import UnsafeFolder, mount_points, private_folder, write_atomic
from muronet.masking import placeholder, tokenized
from muronet.processes import alive, command_lines, start_time, wait_ended
from napalm_frr import reload
from napalm_frr.path_space import OWN_PATHS, boot_parameters, own_folders

ROOT = Path("/run/muronet-scratch")
FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/var/run/frr")
CRASHLOG_DIR = Path("/var/tmp/frr")
POOL_SIZE = 3  # warm instances per process: FULL with every daemon, the others without vrrpd
FULL = 2  # the largest texts (a core's) are vrrpd's: two of them render at once
DAEMONS = ("zebra", "bgpd", "ospfd", "staticd", "vrrpd")  # zebra first: the others connect to it
_OPTIONS = {"zebra": "-s 90000000 -n"}  # the twin's: its netlink buffer, a VRF is a namespace
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


def _run(*command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
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
            if _run("mount", "--bind", str(source), str(point)).returncode:
                raise ScratchError(f"cannot mount {point}")
        done = _run("ip", "netns", "add", self.name)
        if done.returncode:
            raise ScratchError(f"ip netns add {self.name}: {done.stderr.strip()}")
        # forwarding on and IPv6 off, as on the twin's routers: FRR shows these states otherwise
        _run("ip", "-batch", "-", stdin=f"netns exec {self.name} ip link set lo up\n"
             f"netns exec {self.name} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1\n")
        self.boot()

    def boot(self) -> None:
        """Start FRR blank and wait until it answers; its first rendering is the baseline."""
        with self._life:
            self._refuse_if_removed()
            self._boot()

    def _boot(self) -> None:
        started = _run("ip", "netns", "exec", self.name, "unshare", "--mount", "--uts", "--propagation", "private",
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
            pids = {*self._daemons().values(), *_scratch_daemons().get(self.name, ())}
            if not pids:
                break
            _kill(pids)
        for stale in (self.home / "run").glob("*"):
            stale.unlink(missing_ok=True)

    def remove(self) -> None:
        with self._life:
            self._removed = True
            self.stop()
            points = (FRR_ETC / self.name, FRR_RUN / self.name)
            for point in points:
                _run("umount", str(point))
            mounted = mount_points()
            for point in points:
                if os.path.realpath(point) not in mounted:  # a daemon may have written into the bare folder
                    shutil.rmtree(point, ignore_errors=True)
            _run("ip", "netns", "del", self.name)
            shutil.rmtree(self.home, ignore_errors=True)

    # --- use -------------------------------------------------------------------------------------
    def _vtysh(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return _run("vtysh", "-N", self.name, *args, stdin=stdin)

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


_NUMBERS = itertools.count()  # instance numbers of this process: two pools never share a name


class ScratchPool:
    """Warm scratch FRRs for this process, ``full`` of them with vrrpd (``needs_vrrpd``); ``render``
    is safe from many threads."""

    def __init__(self, size: int = POOL_SIZE, full: int = FULL) -> None:
        self.size, self.full = size, full
        self._all: list[Instance] = []
        self._lock = threading.RLock()
        self._idle: list[Instance] = []
        self._available = threading.Condition(self._lock)
        self._closed = False
        self._home: Path | None = None
        self._booting: list[threading.Thread] = []
        self._failure = "none has started yet"
        self.reboots = 0

    def start(self) -> None:
        """Begin booting the instances (in the background) if they are not started yet."""
        with self._lock:
            if self._home is not None:
                return
            if os.geteuid() != 0:
                raise ScratchError("rendering a configuration by FRR needs root (a namespace of its own)")
            if not shutil.which("vtysh"):
                raise ScratchError("vtysh not found: install Debian's frr (make setup)")
            private_folder(ROOT, mode=0o700)
            clean_stale()
            self._home = _claim(ROOT / str(os.getpid()))
            atexit.register(self.close)
            for k in range(self.size):
                n = next(_NUMBERS)
                instance = Instance(f"scr{os.getpid()}-{n}", self._home / str(n), DAEMONS if k < self.full else LEAN)
                self._all.append(instance)  # booting counts as there: take() waits for it
                self._in_background(self._add, instance)

    def _add(self, instance: Instance) -> None:
        try:
            instance.home.mkdir(mode=0o700, exist_ok=True)
            instance.create()
        except Exception as error:  # said by take() to whoever waits for an instance, not lost in this thread
            self._lost(instance, error)
            return
        self.give_back(instance)

    def _lost(self, instance: Instance, error: Exception) -> None:
        instance.remove()
        with self._available:
            if instance in self._all:
                self._all.remove(instance)
            self._failure = f"{instance.name}: {error}"
            self._available.notify_all()

    def take(self, full: bool = True, timeout: float = 60) -> Instance:
        """An idle instance, with every daemon (``full``) or any; one without vrrpd first, since
        only those with it render every text."""
        if self._closed:  # a closed pool does not start again
            raise ScratchError("the scratch FRRs are stopped")
        self.start()
        deadline = time.monotonic() + timeout
        def usable(instance: Instance) -> bool:
            return not full or instance.daemons == DAEMONS

        with self._available:
            while not (fits := [i for i in self._idle if usable(i)]):
                if not any(usable(i) for i in self._all):  # none busy, none booting
                    raise ScratchError(f"no scratch FRR could start ({self._failure})")
                if (left := deadline - time.monotonic()) <= 0:
                    raise ScratchError(f"no scratch FRR became ready within {timeout:.0f} s")
                self._available.wait(left)
            instance = min(fits, key=lambda i: len(i.daemons))
            self._idle.remove(instance)
            return instance

    def give_back(self, instance: Instance) -> None:
        """``instance``, blank, is ready for the next rendering."""
        with self._available:
            self._idle.append(instance)
            self._available.notify_all()

    def render(self, text: str, timeout: float = 60) -> Rendering:
        return self.render_on(self.take(needs_vrrpd(text), timeout), text)

    def render_on(self, instance: Instance, text: str) -> Rendering:
        """``text`` rendered by ``instance`` (taken from this pool, with vrrpd if the text needs
        it). The instance is emptied for the next text in the background: the rendering is
        answered first."""
        try:
            rendering = instance.render(text)
            if rendering is None or not instance.healthy(rendering):
                # what FRR refuses is said by vtysh -f on a freshly booted FRR (a refusal is FRR's
                # only if a blank FRR refuses it too); a daemon that died while loading leaves a
                # rendering that is not FRR's whole answer
                self.reboots += 1
                instance.stop()
                instance.boot()
                rendering = instance.render_file(text)
                if not instance.healthy(rendering):
                    raise ScratchError(f"FRR's daemons stop while loading this configuration: {rendering.warnings}")
        except ScratchError:
            self._in_background(self._reboot, instance)
            raise
        self._in_background(self._recycle, instance, rendering.text)
        return rendering

    def _recycle(self, instance: Instance, rendered: str) -> None:
        if instance.empty(rendered) and instance.healthy(Rendering("")):
            self.give_back(instance)
        else:  # something the removals did not reach: start it blank again
            self.reboots += 1
            self._reboot(instance)

    def _in_background(self, work: Any, *args: Any) -> None:
        """``work`` in a thread that :meth:`close` waits for (it boots instances)."""
        thread = threading.Thread(target=work, args=args, daemon=True)
        with self._lock:
            self._booting = [*(t for t in self._booting if t.is_alive()), thread]
        thread.start()

    def _reboot(self, instance: Instance) -> None:
        instance.stop()
        try:
            instance.boot()
        except Exception as error:
            self._lost(instance, error)
            return
        if not self._closed:
            self.give_back(instance)

    def close(self) -> None:
        """Stop every instance by PID and remove what they made."""
        self._closed = True
        for thread in list(self._booting):  # an instance still booting would mount after the removal
            thread.join(timeout=60)
        with self._lock:
            instances, self._all = self._all, []
            home, self._home = self._home, None
        for instance in instances:
            instance.remove()
        if home is not None and not any(folder.is_dir() for folder in home.glob("*")):  # another pool's stay
            shutil.rmtree(home, ignore_errors=True)


def _owner() -> dict[str, int]:
    return {"pid": os.getpid(), "started": start_time(os.getpid())}


def _owned(home: Path) -> bool | None:
    """Whether the process that made ``home`` still runs; None for a home without owner."""
    try:
        owner = json.loads((home / "owner.json").read_text())
        return bool(start_time(int(owner["pid"])) == owner["started"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False


def _claim(home: Path) -> Path:
    """``home`` for this process's instances. It appears under its name with its owner inside
    (made aside, then renamed): another process's :func:`clean_stale`, running at any moment,
    never sees it without one and takes it for a dead process's."""
    if _mine(home):
        return home  # another pool of this process made it
    draft = private_folder(ROOT / f".claim-{os.getpid()}-{secrets.token_hex(4)}")
    write_atomic(draft / "owner.json", json.dumps(_owner()))
    try:
        os.rename(draft, home)
    except OSError as error:
        shutil.rmtree(draft, ignore_errors=True)
        if not _mine(home):  # not another pool of this process, at the same moment: someone else's
            raise ScratchError(f"cannot claim {home}: {error.strerror}") from None
    return home


def _mine(home: Path) -> bool:
    try:
        return bool(json.loads((home / "owner.json").read_text()) == _owner())
    except (OSError, ValueError):
        return False


def clean_stale() -> None:
    """Remove the instances of processes that died without closing their pool (killed, say), and
    any scratch FRR daemon whose instance is gone (removed while it booted)."""
    for home in ROOT.glob("*"):
        if claim := _CLAIM.fullmatch(home.name):  # a home being made, or one a dead process left half-made
            if not alive(int(claim.group(1))):
                shutil.rmtree(home, ignore_errors=True)
            continue
        owned = _owned(home)
        if owned is None and home.name.isdigit():  # no owner: made by an older muronet, stale once it ended
            owned = alive(int(home.name))
        if owned or not home.name.isdigit():
            continue
        for folder in home.iterdir():
            if folder.is_dir():
                Instance(f"scr{home.name}-{folder.name}", folder).remove()
        shutil.rmtree(home, ignore_errors=True)
    # a path space, folder or namespace whose home is gone already (its process died half-way through)
    names = {folder.name for base in (FRR_ETC, FRR_RUN) for folder in base.glob("scr*")}  # mounted or bare
    names |= set(_run("ip", "netns", "list").stdout.split())
    for name in names:
        if (m := _INSTANCE_NAME.fullmatch(name)) and not alive(int(m.group(1))) and not _home_of(name).parent.exists():
            Instance(name, ROOT / "gone").remove()
    for name, pids in _scratch_daemons().items():  # an instance's home is made before it boots, removed after it stops
        if not _home_of(name).is_dir():
            _kill(pids)


def _home_of(name: str) -> Path:
    """Where the instance named ``name`` lives.

    >>> _home_of("scr4242-3")
    PosixPath('/run/muronet-scratch/4242/3')
    """
    return ROOT.joinpath(*name.removeprefix("scr").split("-"))


def _scratch_daemons() -> dict[str, list[int]]:
    """Every scratch FRR's daemons (FRR's, with ``-N`` naming an instance), by instance name."""
    found: dict[str, list[int]] = {}
    for pid, argv in command_lines().items():
        if argv and argv[0].startswith("/usr/lib/frr/") and "-N" in argv[:-1]:
            name = argv[argv.index("-N") + 1]
            if is_instance(name):
                found.setdefault(name, []).append(pid)
    return found


def _kill(pids: Collection[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_ended(pids, 5)


_CLAIM = re.compile(r"\.claim-(\d+)-[0-9a-f]+")
_INSTANCE_NAME = re.compile(r"scr(\d+)-\d+")


def is_instance(name: str) -> bool:
    """Whether a namespace or path space named ``name`` is a scratch FRR's (of any process).

    >>> is_instance("scr4242-0"), is_instance("library-rt1")
    (True, False)
    """
    return _INSTANCE_NAME.fullmatch(name) is not None


RENDERING = 2  # raise when the rendering changes: cached renderings of older ones are not used
CACHE = Path(os.environ.get("MURONET_CANONICAL_CACHE", str(Path.home() / ".cache" / "muronet" / "frr-canonical")))
_SHOWN_KEY = secrets.token_bytes(16)  # placeholders of secrets in messages: this process's own


@cache
def frr_version() -> str:
    return _run("vtysh", "--version").stdout.strip()


def canonical(text: str) -> Rendering:
    """FRR's rendering of ``text``, from the cache when FRR rendered the same text before.

    The scratch FRR never sees a secret: every secret becomes a token of its length first, and
    comes back in FRR's text afterwards, so neither the scratch nor the cache holds one (messages
    show a secret as its placeholder). A text whose secrets FRR would transform (``service
    password-encryption``) is rendered as it is, and not kept."""
    keep = _keepable(text)
    masked, tokens = tokenized(text, "frr") if keep else (text, {})
    key = _key(masked)
    with _PREPARED_LOCK:
        prepared = _PREPARED.pop(key, None)
    rendering = None
    if prepared is not None:  # waited for even before it starts: the instances render the longest first
        with contextlib.suppress(CancelledError):  # dropped by shutdown()
            rendering = prepared.result()
    if rendering is None:
        rendering = (_cached(key) if keep else None) or _rendered(masked, key, keep)

    def real(value: str) -> str:
        for token, secret in tokens.items():
            value = value.replace(token, secret)
        return value

    def shown(value: str) -> str:
        for token, secret in tokens.items():
            value = value.replace(token, placeholder(secret, _SHOWN_KEY))
        return value

    errors = [LineError(e.line, shown(e.text), shown(e.message)) for e in rendering.errors]
    return Rendering(real(rendering.text), errors, [shown(w) for w in rendering.warnings])


def _keepable(text: str) -> bool:
    return "password-encryption" not in text


def _key(masked: str) -> str:
    return hashlib.sha256(f"{RENDERING}\n{frr_version()}\n{masked}".encode()).hexdigest()


def _rendered(masked: str, key: str, keep: bool) -> Rendering:
    return _kept(render(masked), key, keep)


def _kept(rendering: Rendering, key: str, keep: bool) -> Rendering:
    if keep and not rendering.errors:
        _keep(key, rendering)
    return rendering


# Renderings started ahead of their use (``prepare``), by cache key: tokenized texts, no secret.
_PREPARED: dict[str, Future[Rendering]] = {}
_PREPARED_LOCK = threading.Lock()

_Job = tuple[str, str, "Future[Rendering]"]  # masked text, cache key, its rendering to come


class _Jobs:
    """Renderings to start, the longest text first (the last one started decides when all are
    done), each text vrrpd must read kept for an instance that has it."""

    def __init__(self, jobs: Iterable[_Job]) -> None:
        self._lock = threading.Lock()
        ordered = sorted(jobs, key=lambda job: -len(job[0]))
        self._vrrp = [job for job in ordered if needs_vrrpd(job[0])]
        self._lean = [job for job in ordered if not needs_vrrpd(job[0])]

    def __len__(self) -> int:
        with self._lock:
            return len(self._vrrp) + len(self._lean)

    def only_vrrp_left(self) -> bool:
        with self._lock:
            return not self._lean

    def next(self, full: bool) -> _Job | None:
        """The next text for an instance with vrrpd (``full``) or without: vrrpd's first."""
        with self._lock:
            for jobs in ((self._vrrp, self._lean) if full else (self._lean,)):
                if jobs:
                    return jobs.pop(0)
            return None

    def fail(self, error: BaseException) -> None:
        with self._lock:
            jobs, self._vrrp, self._lean = [*self._vrrp, *self._lean], [], []
        for _, _, future in jobs:
            if future.set_running_or_notify_cancel():
                future.set_exception(error)


def prepare(texts: Iterable[str], at_once: int = POOL_SIZE) -> int:
    """Start FRR's rendering of every text not rendered yet, ``at_once`` at a time in the
    background, the longest first: :func:`canonical` of one of them then waits for it, so the
    scratch FRRs work while the caller does something else (logs in), in the order that ends
    soonest. Returns how many renderings it started.

    A text whose secrets FRR would transform is left to :func:`canonical` (it is not kept).
    When the cache holds fewer renderings than there are texts, some must be rendered: the
    scratch FRRs start booting first, since finding the texts' cache keys imports NAPALM's
    masking filters (0.3 s of one core) and the boot fills the other."""
    texts = list(texts)
    if texts and _cached_count(len(texts)) < len(texts):
        _pool().start()
    found: list[_Job] = []
    for text in texts:
        if not _keepable(text):
            continue
        masked = tokenized(text, "frr")[0]
        key = _key(masked)
        if _cached(key) is not None:
            continue
        with _PREPARED_LOCK:
            if key in _PREPARED:
                continue
            _PREPARED[key] = future = Future[Rendering]()
        found.append((masked, key, future))
    jobs = _Jobs(found)
    for _ in range(min(at_once, len(found))):  # daemon threads: a rendering nobody waits for ends with the process
        threading.Thread(target=_render_prepared, args=(jobs,), daemon=True).start()
    return len(found)


def _render_prepared(jobs: _Jobs) -> None:
    """Render jobs as instances come free: each instance takes the longest text it can render."""
    pool = _pool()
    while jobs:
        try:  # any instance while a text without vrrpd is left, else one with vrrpd
            instance = pool.take(full=jobs.only_vrrp_left())
        except ScratchError as error:
            jobs.fail(error)
            return
        job = jobs.next(full=instance.daemons == DAEMONS)
        if job is None or not job[2].set_running_or_notify_cancel():  # none for it, or dropped by shutdown()
            pool.give_back(instance)
            continue
        masked, key, future = job
        try:
            future.set_result(_kept(pool.render_on(instance, masked), key, keep=True))
        except BaseException as error:  # canonical() raises it where the text is used
            future.set_exception(error)


def _cached_count(enough: int) -> int:
    """How many renderings the cache holds, counted up to ``enough``."""
    try:
        with os.scandir(CACHE) as entries:
            return sum(1 for _ in itertools.islice(entries, enough))
    except OSError:
        return 0


def _cached(key: str) -> Rendering | None:
    try:
        data = json.loads((CACHE / key).read_text())
        return Rendering(data["text"], [], data["warnings"])
    except (OSError, ValueError, KeyError):
        return None


def _keep(key: str, rendering: Rendering) -> None:
    try:
        private_folder(CACHE)
        write_atomic(CACHE / key, json.dumps({"text": rendering.text, "warnings": rendering.warnings}), mode=0o600)
    except (OSError, UnsafeFolder):
        pass  # a cache that cannot be written only costs time


_POOL: ScratchPool | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ScratchPool:
    """This process's warm scratch FRRs (started on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ScratchPool()
        return _POOL


def render(text: str) -> Rendering:
    """FRR's rendering of ``text`` by this process's warm scratch FRRs."""
    return _pool().render(text)


def shutdown() -> None:
    """Stop this process's scratch FRRs now (they also stop when the process ends); the next
    rendering starts them again. Renderings :func:`prepare` has not started yet are dropped."""
    global _POOL
    with _PREPARED_LOCK:
        prepared = list(_PREPARED.values())
        _PREPARED.clear()
    for future in prepared:
        future.cancel()
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.close()
