"""NAPALM driver for FRRouting, over one SSH login into the router's CLI (vtysh).

**Session.** One SSH login per device: Netmiko's ``cisco_ios`` type drives vtysh for show commands
(FRR's JSON where it has one); the router's own host answers *device commands* on exec channels of
the same SSH connection: ``show startup-config``, ``apply configuration`` (a configuration applied
whole from standard input, as FRR reads a file), ``commit-confirm …``, and ``show system status``,
``show lldp neighbors``, ``show interfaces counters``, ``show arp``, ``ping``, ``traceroute`` for the
getters that FRR itself does not answer. The device agent shipped with this driver answers them on an
FRR host (``napalm_frr.agent``); the device agent protocol (docs/reference/device-agent-protocol.md)
says what a host must answer.

**Candidates are canonical.** ``load_replace_candidate`` has FRR itself render the candidate (a
scratch FRR on the automation host, ``napalm_frr.scratch``): abbreviations, defaults spelled out,
sections written twice, comments and capitals all come back as FRR's one form, and a line FRR's
parser refuses is refused before anything is pushed, with FRR's message and the line. Diffs and
pushes are then between two texts FRR wrote.

**Commits are judged by the device.** ``commit_config`` applies the line changes FRR's reload logic
computes, reads the running configuration back and repeats until nothing is left (``reload.converge``).
A commit succeeds exactly when the device runs the canonical candidate; a line FRR refuses, or a
change that does not stay, restores the configuration from before the commit. FRR's warnings
(deprecations, "reset the session to take effect") are kept in ``self.warnings``.

**Commit-confirm lives on the device.** ``commit_config(revert_in=N)`` arms the device's own timer
with the configuration to go back to, then pushes, then has the N seconds count again from the end
of the push: if nobody confirms within them (the committing process died, even during the push;
the management path broke), the device restores it by itself.
``confirm_commit`` and ``has_pending_commit`` ask the device, so another process, with another
driver instance, can confirm. The saved configuration is written only when a commit is final.

Optional arguments: ``port`` and Netmiko's host-key options (``ssh_strict``,
``system_host_keys``, ``alt_host_keys``, ``alt_key_file``); host keys are checked by default.
"""

from __future__ import annotations

import codecs
import difflib
import getpass
import json
import os
import re
import secrets
import socket
import threading
import time
from ipaddress import ip_network
from pathlib import Path
from typing import Any

from napalm.base import models
from napalm.base.base import NetworkDriver
from napalm.base.exceptions import (
    CommitError,
    ConnectionClosedException,
    ConnectionException,
    MergeConfigException,
    ReplaceConfigException,
)
from netmiko import ConnectHandler
from netmiko.channel import MAX_BUFFER, SSHChannel
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadException

from napalm_frr import getters, known_hosts, reload, scratch
from napalm_frr.masking import sanitize as sanitized

# seconds a driver waits for another owner's lock (optional argument lock_wait; MURONET_LOCK_WAIT)
LOCK_WAIT = float(os.environ.get("MURONET_LOCK_WAIT", "60"))
LOCK_POLL = 0.5
# seconds a provisioning run holds the lock from staging to its commit (renewed then); once it is
# over another writer may take the lock, and this run's commit then waits for it, never mixes
STAGE_LEASE = 300
_NETMIKO_OPTIONS = ("port", "ssh_strict", "system_host_keys", "alt_host_keys", "alt_key_file", "conn_timeout")
_VRF_LINE = re.compile(r"^vrf (\S+) id ", re.M)  # "vrf LGWAN id 1 netns /run/netns/LGWAN"
# vtysh's words when FRR's daemons are down: not a configuration, whatever the session printed
DAEMON_RESTART_SECONDS = 10
_NO_DAEMON = re.compile(r"^(?:% )?Warning: connecting to (\S+)\.\.\.failed!|^Exiting: failed to connect to any daemons",
                        re.M)
_FINGERPRINT_KEY = secrets.token_bytes(32)  # per process: a fingerprint cannot be guessed offline
# vtysh's prompt, a line of its own: "name#" ("name>" unprivileged), whatever the host name is now
# (a commit may change it). No line FRR prints has that form: its configuration lines and tables
# hold spaces, its JSON is indented or ends with a brace. Netmiko would otherwise look for the
# prompt anew before every command (a round trip and a wait: 80 ms a command, 35 ms without).
_PROMPT = r"(?m)^[^\s#>]+[#>][ \t]*$"


class RestoreError(CommitError):
    """A push failed and the configuration before it could not be put back."""


class LockedError(CommitError):
    """Another owner holds the device's configuration lock and did not give it up in time."""


class DeviceCommandError(RuntimeError):
    """A device command (an exec channel of the session) failed or is not offered."""


class _WholeCharacters(SSHChannel):
    """Netmiko's SSH channel, decoding across reads: Netmiko decodes each read alone and ignores
    what it cannot decode, so a character two reads share (a Japanese description) loses its bytes."""

    def __init__(self, conn: Any, encoding: str) -> None:
        super().__init__(conn, encoding)
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def read_buffer(self) -> str:
        if self.remote_conn is None:
            raise ReadException("Attempt to read, but there is no active channel.")
        if not self.remote_conn.recv_ready():
            return ""
        data = self.remote_conn.recv(MAX_BUFFER)
        if not data:
            raise ReadException("Channel stream closed by remote device.")
        return self._decoder.decode(data)

    def read_channel(self) -> str:
        return "".join(iter(self.read_buffer, ""))


_BOOLEAN_OPTIONS = frozenset({"ssh_strict", "system_host_keys", "alt_host_keys"})
_NUMBER_OPTIONS = {"port": int, "conn_timeout": float, "lock_wait": float}


def _option(name: str, value: Any) -> Any:
    """An optional argument as the driver uses it: inventories and variables often carry them as
    text (``port: "2222"``, ``ssh_strict: "false"``), and the text ``"false"`` must not count as true.

    >>> _option("ssh_strict", "false"), _option("ssh_strict", True), _option("port", "2222")
    (False, True, 2222)
    >>> _option("system_host_keys", "perhaps")
    Traceback (most recent call last):
    ValueError: optional argument system_host_keys: 'perhaps' is not true or false
    """
    if not isinstance(value, str):
        return value
    if name in _BOOLEAN_OPTIONS:
        words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if value.strip().lower() not in words:
            raise ValueError(f"optional argument {name}: {value!r} is not true or false")
        return words[value.strip().lower()]
    if name in _NUMBER_OPTIONS:
        return _NUMBER_OPTIONS[name](value)
    return value


class FrrDriver(NetworkDriver):
    platform = "frr"

    def __init__(self, hostname: str, username: str, password: str, timeout: int = 60,
                 optional_args: dict[str, Any] | None = None) -> None:
        self.hostname = hostname
        self.username = username
        self.password = password
        self.timeout = timeout
        options = {name: _option(name, value) for name, value in (optional_args or {}).items()}
        self.netmiko_options = {"ssh_strict": True, "system_host_keys": True,
                                **{k: v for k, v in options.items() if k in _NETMIKO_OPTIONS}}
        self.device: Any = None
        self._candidate: str | None = None  # as given
        self._canonical: str | None = None  # FRR's rendering of a replace candidate
        self._replace = True
        self._rollback_point: str | None = None  # running configuration before the last commit
        self.warnings: list[str] = []  # what FRR said of the last candidate and commit
        self._lock = threading.RLock()
        # the device's configuration lock (its host's agent keeps it): one owner per driver
        self.lock_wait = float(options.get("lock_wait", LOCK_WAIT))
        label = str(options.get("lock_owner") or f"{getpass.getuser()}@{socket.gethostname()}:{os.getpid()}")
        self.owner = "".join(c if c.isascii() and (c.isalnum() or c in "@._:-") else "-" for c in label)[:100] \
            + "#" + secrets.token_hex(4)
        self._holding = False  # this driver holds the device's lock
        self._armed = False  # a commit of this driver waits for confirmation
        self._lockless = False  # the device offers no lock (a host without muronet's device agent)

    # --- session ---------------------------------------------------------------------------------

    def _host_key_options(self) -> dict[str, Any]:
        """Netmiko's host-key options with one file: the lines of the user's and the given
        known-hosts files that can match this host (``known_hosts``: paramiko parses every line)."""
        options = dict(self.netmiko_options)
        files = [Path("~/.ssh/known_hosts").expanduser()] if options.pop("system_host_keys") else []
        if options.get("alt_host_keys") and options.get("alt_key_file"):
            files.append(Path(options["alt_key_file"]))
        if not files or not options.get("ssh_strict"):  # unchecked keys: paramiko may add to the file it read
            return self.netmiko_options
        cut = known_hosts.for_login(files, self.hostname, int(options.get("port", 22)))
        return {**options, "system_host_keys": False, "alt_host_keys": True, "alt_key_file": str(cut)}

    def open(self) -> None:
        try:
            self.device = ConnectHandler(device_type="cisco_ios", host=self.hostname, username=self.username,
                                         password=self.password, timeout=self.timeout, fast_cli=True,
                                         **self._host_key_options())
        except (NetmikoTimeoutException, NetmikoAuthenticationException, OSError) as error:
            raise ConnectionException(f"{self.hostname}: {error}") from error
        self.device.channel = _WholeCharacters(self.device.remote_conn, self.device.encoding)

    def close(self) -> None:
        # an unconfirmed commit stays armed on the device: its own timer decides, not this process,
        # and the lock's lease covers it until then
        if self.device is not None:
            if not self._armed:
                self._give_lock()
            self.device.disconnect()
            self.device = None

    # --- the device's configuration lock ---------------------------------------------------------

    def _take_lock(self, lease: int) -> None:
        """Hold the device's lock for ``lease`` seconds (renewed if held): waiting up to
        ``lock_wait`` seconds while another owner holds it, then LockedError with who does."""
        if not self._lockless:
            self._holding = self._wait_for(f"lock take {self.owner} {int(lease)}")

    def _wait_for(self, lock_command: str) -> bool:
        """Repeat ``lock_command`` until the device grants it (True) or, on a host without the
        agent's lock, once (False: nothing to keep apart); ``lock_wait`` seconds at most, then
        LockedError with the device's words on who holds the configuration."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            code, _, err = self._device(lock_command)
            if code == 0:
                return True
            if "unknown device command" in err or code in (126, 127):
                self._lockless = True
                return False
            if time.monotonic() >= deadline:
                raise LockedError(f"{self.hostname}: {err.strip() or 'the configuration is locked'}; "
                                  f"waited {self.lock_wait:g} s")
            time.sleep(LOCK_POLL)

    def _give_lock(self) -> None:
        if self._holding:
            self._holding = False
            self._device(f"lock give {self.owner}")

    def is_alive(self) -> models.AliveDict:
        return {"is_alive": bool(self.device and self.device.is_alive())}

    def _connected(self) -> Any:
        if self.device is None:
            raise ConnectionClosedException(f"{self.hostname}: not connected (call open() first)")
        return self.device

    def _send(self, command: str) -> str:
        with self._lock:
            return str(self._connected().send_command(command, read_timeout=self.timeout, expect_string=_PROMPT,
                                                      auto_find_prompt=False))

    def _json(self, command: str) -> Any:
        text = self._send(command)
        try:
            return json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as error:
            raise ValueError(f"{self.hostname}: {command!r} did not return JSON: {text[:200]}") from error

    def _device(self, command: str, stdin: str | None = None) -> tuple[int, str, str]:
        """A device command on an exec channel of this session's SSH connection (no second login):
        its exit status, output and errors."""
        with self._lock:
            transport = self._connected().remote_conn_pre.get_transport()
        channel = transport.open_session(timeout=self.timeout)
        try:
            channel.settimeout(self.timeout)
            channel.exec_command(command)
            if stdin is not None:
                channel.sendall(stdin.encode())
            channel.shutdown_write()
            out, err = bytearray(), bytearray()
            while True:
                if channel.recv_ready():
                    out += channel.recv(65536)
                elif channel.recv_stderr_ready():
                    err += channel.recv_stderr(65536)
                elif channel.exit_status_ready() and not channel.recv_ready() and not channel.recv_stderr_ready():
                    break
                else:
                    channel.status_event.wait(0.01)
            return channel.recv_exit_status(), out.decode(errors="replace"), err.decode(errors="replace")
        finally:
            channel.close()

    def _device_json(self, command: str) -> Any:
        code, out, err = self._device(command)
        if code != 0:
            raise DeviceCommandError(f"{self.hostname}: {command}: {err.strip() or f'exit {code}'}")
        return json.loads(out) if out.strip() else {}

    def cli(self, commands: list[str], encoding: str = "text") -> dict[str, str]:
        if encoding != "text":
            raise NotImplementedError("FRR's cli() returns text; use a command's ' json' form for JSON")
        return {command: self._send(command) for command in commands}

    # --- configuration ---------------------------------------------------------------------------

    def get_config(self, retrieve: str = "all", full: bool = False, sanitized: bool = False,
                   format: str = "text") -> dict[str, str]:
        config = {"running": "", "startup": "", "candidate": ""}
        if retrieve in ("all", "running"):
            config["running"] = self._running_whole()
        if retrieve in ("all", "startup"):
            config["startup"] = self._startup()
        if retrieve in ("all", "candidate"):
            config["candidate"] = self._candidate or ""
        return {k: sanitize(v) for k, v in config.items()} if sanitized else config

    def _running_whole(self) -> str:
        """The running configuration, never read in the middle of another owner's push: a backup
        waits while one is under way (``lock_wait`` seconds at most, then LockedError saying whose)."""
        if not (self._holding or self._lockless):
            self._wait_for("lock read")
        return self._show_running()

    def _pushing(self, begins: bool) -> None:
        """Tell the device's host that this driver's push begins or ends (readers wait meanwhile)."""
        if self._holding:
            self._device(f"lock {'push' if begins else 'pushed'} {self.owner}")

    def _startup(self) -> str:
        """The saved configuration: vtysh 8.4 has no such command, the router's host answers it."""
        code, out, err = self._device("show startup-config")
        if code != 0:
            raise DeviceCommandError(f"{self.hostname}: show startup-config: {err.strip()}")
        return out

    def _render(self, text: str, error: type[Exception], offset: int = 0) -> str:
        """FRR's rendering of ``text``; a line FRR refuses raises ``error`` with FRR's words (line
        numbers counted from ``offset`` lines in: a merge renders running + candidate)."""
        try:
            rendering = scratch.canonical(text)
        except scratch.ScratchError as failure:
            raise error(f"{self.hostname}: {failure}") from None
        refused = [e for e in rendering.errors if e.line > offset]
        if refused:
            raise error(f"{self.hostname}: FRR refuses the candidate: "
                        + "; ".join(str(scratch.LineError(e.line - offset, e.text, e.message)) for e in refused))
        self.warnings = rendering.warnings
        return rendering.text

    def _load(self, filename: str | None, config: str | None, replace: bool) -> None:
        error = ReplaceConfigException if replace else MergeConfigException
        if (filename is None) == (config is None):
            raise error("give exactly one of filename and config")
        text = Path(filename).read_text() if filename else str(config)
        self._take_lock(STAGE_LEASE)  # from here to the commit's confirmation, nobody else changes the device
        try:
            self._canonical = self._render(text, error) if replace else None
            if not replace:
                self._render(text, error)  # FRR's parser judges a merge's own lines too
        except error:
            if not self._armed:  # a refused candidate stages nothing: the device is free again
                self._give_lock()
            raise
        self._candidate, self._replace = text, replace

    def load_replace_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        self._load(filename, config, replace=True)

    def load_merge_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        self._load(filename, config, replace=False)

    def _show_running(self) -> str:
        """vtysh's ``show running-config``; what it prints when FRR's daemons are down is no
        configuration (a backup, a diff or a commit must not take it for one). A daemon that does
        not answer is asked again for ``DAEMON_RESTART_SECONDS``: watchfrr restarts one that died
        (or comes up late at boot) within that time."""
        deadline = time.monotonic() + DAEMON_RESTART_SECONDS
        while True:
            text = self._send("show running-config")
            down = _NO_DAEMON.findall(text)  # "" for "failed to connect to any daemons"
            if not down:
                return text
            if time.monotonic() >= deadline:
                raise DeviceCommandError(f"{self.hostname}: FRR's daemons do not answer "
                                         f"({', '.join(filter(None, down)) or 'none of them'}): "
                                         "its running configuration cannot be read")
            time.sleep(1)

    def _running(self) -> str:
        return reload.clean(self._show_running())

    def _target(self, running: str) -> str | None:
        """What the device must run after a commit: the canonical candidate, or for a merge FRR's
        rendering of the running configuration with the candidate after it."""
        if self._candidate is None:
            return None
        if self._replace:
            return self._canonical
        return self._render(running + "\n" + self._candidate, MergeConfigException, offset=running.count("\n") + 1)

    def compare_config(self) -> str:
        """A unified diff from the running configuration to the one the commit would leave."""
        running = self._running()
        target = self._target(running)
        try:
            if target is None or not reload.changes(running, target, rendered=True):
                return ""
        except reload.ReloadError as error:
            raise ReplaceConfigException(f"{self.hostname}: {error}") from None
        return "".join(difflib.unified_diff(
            sanitize(reload.canonical(running, rendered=True)).splitlines(keepends=True),
            sanitize(reload.canonical(target, rendered=True)).splitlines(keepends=True), "running", "candidate"))

    def _apply(self, script: str) -> str:
        """A ``vtysh -f`` text applied on the device; what vtysh said (its refusals included, in order)."""
        code, out, err = self._device(f"apply configuration {self.owner}" if self._holding else "apply configuration",
                                      script)
        if code in (126, 127, 255):  # the command is not offered, or the channel broke
            raise DeviceCommandError(f"{self.hostname}: apply configuration: {err.strip() or f'exit {code}'}")
        return out + err  # vtysh's exit status is the last line's: what it said, and the re-read, judge

    def _converge(self, target: str, running: str | None = None) -> reload.Outcome:
        return reload.converge(self._running, self._apply, target, running=running)

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        # with a revert timer, arming it is the check: the device refuses a second one
        if not revert_in and self.has_pending_commit():
            raise CommitError(f"{self.hostname}: a commit is waiting for confirmation")
        with self._lock:
            running = self._commit_unsaved(arm=revert_in)
            self._rollback_point = running
            if not revert_in:
                self._save()
                self._give_lock()

    def _commit_unsaved(self, before_push: Any = None, arm: int | None = None) -> str:
        """Push the candidate as ``commit_config`` does (a refused line restores the previous
        configuration), but leave the saved configuration alone; return the previous running
        configuration, which ``before_push`` also gets before anything changes (to keep it where
        a crash cannot lose it). With ``arm``, the device's commit-confirm timer is armed first.
        For orchestrators whose steps run in separate processes (Ansible tasks): they confirm
        with :func:`save` or go back with :func:`restore`."""
        if self._candidate is None:
            raise CommitError(f"{self.hostname}: no candidate loaded")
        with self._lock:
            self._take_lock(max(STAGE_LEASE, (arm or 0) + 120))  # held until the commit is confirmed or undone
            running = self._running()
            target = self._target(running)
            assert target is not None
            if before_push is not None:
                before_push(running)
            if arm:
                self._arm(arm, running)
            self._pushing(True)
            try:
                outcome = self._push(target, running, arm)
            finally:
                self._pushing(False)
            if outcome.refusals or outcome.left:
                if outcome.refusals:
                    raise CommitError(f"{self.hostname}: the device refused: {'; '.join(outcome.refusals)}; the "
                                      "previous configuration is restored")
                shown = "; ".join(" / ".join(c.commands()) for c in outcome.left[:3])
                raise CommitError(f"{self.hostname}: the device accepted but did not keep {len(outcome.left)} "
                                  f"change(s): {sanitize(shown)}; the previous configuration is restored")
            if arm:
                self._start_timer(arm, running)
            self._candidate = self._canonical = None
            return running

    def _push(self, target: str, running: str, arm: int | None) -> reload.Outcome:
        """The push of ``target`` over ``running``; what it leaves refused or undone is undone
        here too (the caller says why)."""
        try:
            outcome = self._converge(target, running)
        except (reload.ReloadError, DeviceCommandError) as error:
            self._undo(running, arm)
            said = str(error) if isinstance(error, DeviceCommandError) else f"{self.hostname}: {error}"
            raise CommitError(f"{said}; the previous configuration is restored") from None
        self.warnings += outcome.warnings
        if outcome.refusals or outcome.left:
            self._undo(running, arm)
        return outcome

    def _arm(self, seconds: int, running: str) -> None:
        owner = f" {self.owner}" if self._holding else ""
        code, _, err = self._device(f"commit-confirm arm {int(seconds)}{owner}", running)
        if code != 0:
            raise CommitError(f"{self.hostname}: the device cannot arm a commit-confirm timer: {err.strip()}; "
                              "nothing was pushed")
        self._armed = True

    def _start_timer(self, seconds: int, running: str) -> None:
        """The push is done: the device's timer counts its ``seconds`` from now. It ran out if the
        push took longer: the device went back (or is going back) under the push, whose later
        passes may have sent changes again, so the previous configuration is restored here too."""
        code, _, err = self._device("commit-confirm start")
        if code != 0:
            self._undo(running, seconds)
            raise CommitError(f"{self.hostname}: the push took longer than the commit-confirm timer ({seconds} s): "
                              f"{err.strip()}; the previous configuration is restored")

    def _undo(self, running: str, armed: int | None) -> None:
        """Back to ``running`` after a failed push (the device's timer, if armed, goes too)."""
        try:
            if armed:
                self._device("commit-confirm revert")
            outcome = self._converge(running)
            if outcome.left:
                raise CommitError(f"{len(outcome.left)} change(s) would not go back")
        except Exception as error:  # the device may be gone: its saved configuration is the old one
            raise RestoreError(f"{self.hostname}: the push failed and the previous configuration could not be "
                               f"restored ({error}); the saved configuration is unchanged") from error

    def has_pending_commit(self) -> bool:
        code, out, _ = self._device("commit-confirm status")
        return code == 0 and bool(json.loads(out or "{}").get("pending"))

    def confirm_commit(self) -> None:
        code, _, err = self._device("commit-confirm confirm")
        if code != 0:
            raise CommitError(f"{self.hostname}: {err.strip() or 'no commit is waiting for confirmation'}")
        self._armed = self._holding = False  # a settled commit ends its lock on the device

    def _save(self) -> None:
        """Make the running configuration the one the device boots with."""
        self._send("write memory")

    def _restore(self, previous: str) -> None:
        """Bring the running configuration back to ``previous`` and save it."""
        with self._lock:
            outcome = self._converge(reload.clean(previous))
            if outcome.left or outcome.refusals:
                raise RestoreError(f"{self.hostname}: could not restore the previous configuration: "
                                   f"{'; '.join(outcome.refusals) or f'{len(outcome.left)} change(s) left'}")
            self._save()

    def discard_config(self) -> None:
        self._candidate = self._canonical = None
        if not self._armed:
            self._give_lock()

    def rollback(self) -> None:
        """Back to the configuration before the last commit, and save it; an unconfirmed commit is
        reverted by the device."""
        with self._lock:
            if self.has_pending_commit():
                code, _, err = self._device("commit-confirm revert")
                if code != 0:
                    raise CommitError(f"{self.hostname}: {err.strip()}")
                self._armed = self._holding = False  # a settled commit ends its lock on the device
                return
            if self._rollback_point is None:
                raise CommitError(f"{self.hostname}: nothing to roll back to")
            self._restore(self._rollback_point)
            self._give_lock()

    # --- getters ---------------------------------------------------------------------------------

    def _vrfs(self) -> list[str]:
        """The default VRF and every other VRF the router has."""
        return ["default", *sorted(_VRF_LINE.findall(self._send("show vrf")))]

    def _system(self) -> dict[str, Any]:
        try:
            status: dict[str, Any] = self._device_json("show system status")
            return status
        except (DeviceCommandError, ValueError):
            return {}

    def get_facts(self) -> models.FactsDict:
        return getters.facts(self._send("show version"), self._system(), sorted(self.get_interfaces()))

    def _interfaces_by_vrf(self) -> dict[str, dict[str, Any]]:
        """Interfaces of every VRF; each VRF namespace has its own ``lo``, reported once (default)."""
        return getters.interfaces_by_vrf({vrf: self._json(f"show interface vrf {vrf} json") for vrf in self._vrfs()})

    def get_interfaces(self) -> dict[str, models.InterfaceDict]:
        return getters.interfaces(self._interfaces_by_vrf())

    def get_interfaces_ip(self) -> dict[str, models.InterfacesIPDict]:
        return getters.interfaces_ip(self._interfaces_by_vrf())

    def get_interfaces_counters(self) -> dict[str, models.InterfaceCounterDict]:
        return getters.interfaces_counters(self._device_json("show interfaces counters"))

    def get_arp_table(self, vrf: str = "") -> list[models.ARPTableDict]:
        return getters.arp_table(self._device_json("show arp"), vrf)

    def get_ipv6_neighbors_table(self) -> list[models.IPV6NeighborDict]:
        return getters.ipv6_neighbors(self._device_json("show arp"))

    def get_network_instances(self, name: str = "") -> dict[str, models.NetworkInstanceDict]:
        return getters.network_instances(self._interfaces_by_vrf(), name)

    def get_vlans(self) -> dict[int, models.VlanDict]:
        return getters.vlans(self._interfaces_by_vrf())

    def get_lldp_neighbors(self) -> dict[str, list[models.LLDPNeighborDict]]:
        return getters.lldp_neighbors(self._device_json("show lldp neighbors"))

    def get_lldp_neighbors_detail(self, interface: str = "") -> models.LLDPNeighborsDetailDict:
        return getters.lldp_neighbors_detail(self._device_json("show lldp neighbors"), interface)

    def get_bgp_neighbors(self) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
        return getters.bgp_neighbors(self._json("show bgp vrf all neighbors json"))

    def get_bgp_neighbors_detail(self,
                                 neighbor_address: str = "") -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
        return getters.bgp_neighbors_detail(self._json("show bgp vrf all neighbors json"), neighbor_address)

    def get_bgp_config(self, group: str = "", neighbor: str = "") -> dict[str, models.BGPConfigGroupDict]:
        return getters.bgp_config(self._running(), group, neighbor)

    def get_route_to(self, destination: str = "", protocol: str = "",
                     longer: bool = False) -> dict[str, list[models.RouteDict]]:
        if not destination:
            raise ValueError("get_route_to needs a destination")
        if longer and ip_network(destination, strict=False).prefixlen == 0:  # the whole table: one command
            return getters.route_to(getters.tables_by_vrf(self._send("show ip route vrf all json")), protocol)
        tables = {vrf: self._json(f"show ip route vrf {vrf} {destination}{' longer-prefixes' if longer else ''} json")
                  for vrf in self._vrfs()}
        return getters.route_to(tables, protocol)

    def get_users(self) -> dict[str, models.UsersDict]:
        return getters.users(self._running(), self._system())

    def get_snmp_information(self) -> models.SNMPDict:
        return getters.snmp_information(self._running())

    # FRR keeps no time: the router's host does (chronyd), and says so through ``show ntp``.
    def get_ntp_servers(self) -> dict[str, models.NTPServerDict]:
        return getters.ntp_servers(self._device_json("show ntp"))

    def get_ntp_peers(self) -> dict[str, models.NTPPeerDict]:
        return {address: {} for address in self.get_ntp_servers()}

    def get_ntp_stats(self) -> list[models.NTPStats]:
        return getters.ntp_stats(self._device_json("show ntp"))

    def get_environment(self) -> models.EnvironmentDict:
        return getters.environment(self._system())

    def ping(self, destination: str, source: str = "", ttl: int = 255, timeout: int = 2, size: int = 100,
             count: int = 5, vrf: str = "", source_interface: str = "") -> models.PingResultDict:
        options = f"count {count} timeout {timeout} size {size} ttl {ttl}" + (f" vrf {vrf}" if vrf else "")
        options += f" source {source}" if source else ""
        code, out, err = self._device(f"ping {destination} {options}")
        return getters.ping(out, err, code)

    def traceroute(self, destination: str, source: str = "", ttl: int = 255, timeout: int = 2,
                   vrf: str = "") -> models.TracerouteResultDict:
        options = f"ttl {min(ttl, 255)} timeout {timeout}" + (f" vrf {vrf}" if vrf else "")
        options += f" source {source}" if source else ""
        code, out, err = self._device(f"traceroute {destination} {options}")
        return getters.traceroute(out, err, code)


# --- beyond NAPALM's interface ------------------------------------------------------------------


def sanitize(config: str) -> str:
    """``config`` with every secret replaced by its placeholder: a keyed fingerprint that differs
    when the secret differs (a diff still shows a changed key) and reveals nothing
    (:mod:`napalm_frr.masking`: with the registered secret reader; without one, NAPALM's filters).

    >>> sanitize(" ip ospf message-digest-key 1 md5 s3cret")[:46]
    ' ip ospf message-digest-key 1 md5 <secret:sha-'
    >>> "s3cret" in sanitize(" neighbor 10.0.0.1 password s3cret")
    False
    """
    return sanitized(config, _FINGERPRINT_KEY)
