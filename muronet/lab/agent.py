"""The twin's device agent: what a router's own host does beside FRR, for every router of the twin.

A real FRR router is a Linux host: it keeps a commit-confirm timer that outlives the management
session, knows its uptime and serial number, runs lldpd, pings and traces from its own tables. In
the twin every router is a network namespace of one machine, so one agent (root, started by ``lab
up``, stopped by ``lab down``) does this for all of them; the routers' login program (the lab
account's only program) hands it the device commands below over a Unix socket that only root and
that account may use. Arguments are checked and passed as argument lists, never to a shell.

    commit-confirm arm SECONDS [OWNER]  (the configuration to go back to on standard input)
    commit-confirm start            (the push is done: the SECONDS count from now)
    commit-confirm confirm | revert | status
    lock take OWNER SECONDS         the device's configuration lock, for SECONDS (a lease: a holder
    lock give OWNER                 that dies loses it); refused while another OWNER holds it
    lock check [OWNER] | status     whether OWNER (or anyone without one) may change the device
    lock push OWNER | pushed OWNER  the holder's push begins, ends
    lock read                       whether the configuration may be read whole (no push under way)
    show agent protocol             the device agent protocol's version (docs: reference/device-agent-protocol)
    show system status              uptime, serial, login accounts, CPU and memory, as JSON
    show lldp neighbors             lldpd's neighbours, as JSON
    show interfaces counters        the kernel's counters of every port, per VRF, as JSON
    show ntp                        the NTP client's servers and measurements (chronyd), as JSON
    show arp                        the kernel's neighbours, per VRF, as JSON
    ping ADDRESS [vrf V] [count N] [timeout S] [size B] [ttl N] [source A]
    traceroute ADDRESS [vrf V] [ttl N] [timeout S] [source A]

The timer runs from the arming (a committer that dies during its push is reverted too) and again
from ``start``, as a commit-confirm counts from the end of the commit: the committer has the whole
time to verify and confirm, however long its push took. A confirmed commit is saved (``vtysh -w``,
what ``write memory`` has watchfrr run); an unconfirmed one is undone when its timer ends, with
FRR's reload logic, and if the router still differs (or a vtysh hangs: each has half a minute),
by booting it from the configuration it had before. Timers of an agent that died are undone when
the next one starts.

The lock keeps two writers apart: a provisioning run holds it from reading the running
configuration it diffs to the confirmation of its commit, and while another OWNER holds it the
agent refuses ``commit-confirm arm`` and the login program refuses ``apply configuration`` (it asks
``lock check`` first). A reader (a backup) waits only while a push is under way: before it and
after it the configuration is whole.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from muronet.processes import start_time
from napalm_frr import DEVICE_PROTOCOL, reload

MAX_REQUEST = 4 * 2**20
MAX_SECONDS = 86400  # a commit-confirm timer or a lock lease: a day at most
MAX_OWNER = 128  # characters of a lock owner's name
NOTHING_PENDING = "no commit is waiting for confirmation"
VTYSH_SECONDS = 30


@dataclass(eq=False)
class _Pending:
    """A commit waiting for confirmation. It stays pending while a confirm, a revert or its timer
    (``settling``) settles it, so a status that says "not pending" means the router is settled."""

    seconds: int
    deadline: float = field(init=False)  # set with each timer
    timer: threading.Timer = field(init=False)
    generation: int = 0  # of the timer: one that ``start`` replaced does nothing when it fires
    settling: str = ""
    done: threading.Event = field(default_factory=threading.Event)


class Agent:
    def __init__(self, state: Path, config: dict[str, Any]) -> None:
        self.state = state
        self.routers: dict[str, list[str]] = config["routers"]  # router → its VRFs
        self.lldp: dict[str, list[str]] = config.get("lldp", {})  # router → its lldpds' control sockets
        self.ntp_sockets: dict[str, str] = config.get("ntp", {})  # router → its chronyd's command socket
        self.allowed = {0, int(config["uid"])}
        self.timers: dict[str, _Pending] = {}
        self.lock = threading.Lock()
        self.holders: dict[str, tuple[str, float, float]] = {}  # router → owner, since, until (monotonic)
        self.pushing: dict[str, str] = {}  # router → the holder whose push is under way

    # --- requests ----------------------------------------------------------------------------------
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        router, words, data = request.get("router"), request.get("words"), request.get("input", "")
        if router not in self.routers or not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            return _answer("", "no such router or command", 1)
        try:
            return self._dispatch(router, words, data)
        except ValueError as error:
            return _answer("", str(error), 1)

    def _dispatch(self, router: str, words: list[str], data: str) -> dict[str, Any]:
        match words:
            case ["commit-confirm", "arm", seconds, *owner] if len(owner) <= 1:
                refused = self._refused(router, _owner(owner[0]) if owner else None)
                return refused or self.arm(router, _number(seconds, 1, MAX_SECONDS), data)
            case ["lock", *rest]:
                return self._lock_command(router, rest)
            case ["commit-confirm", "start" | "confirm" | "revert" | "status" as step]:
                return {"start": self.start, "confirm": self.confirm, "revert": self.revert,
                        "status": self.status}[step](router)
            case ["show", *what]:
                return self._show(router, what)
            case ["ping" | "traceroute" as tool, target, *options]:
                return self.probe(router, tool, target, _options(options))
        return _answer("", f"unknown device command: {' '.join(words)}", 1)

    def _show(self, router: str, what: list[str]) -> dict[str, Any]:
        """The router host's state FRR's CLI does not show, as JSON."""
        match what:
            case ["agent", "protocol"]:
                return _answer(json.dumps({"protocol": DEVICE_PROTOCOL}), "", 0)
            case ["system", "status"]:
                return _answer(json.dumps(self.system(router)), "", 0)
            case ["lldp", "neighbors"]:
                return self.lldp_neighbors(router)
            case ["ntp"]:
                return self.ntp(router)
            case ["interfaces", "counters"]:
                return _answer(json.dumps(self.kernel(router, "link")), "", 0)
            case ["arp"]:
                return _answer(json.dumps(self.kernel(router, "neigh")), "", 0)
        return _answer("", f"unknown device command: show {' '.join(what)}", 1)

    # --- the configuration lock ----------------------------------------------------------------------
    def _lock_command(self, router: str, words: list[str]) -> dict[str, Any]:
        match words:
            case ["take", owner, seconds]:
                return self.take(router, _owner(owner), _number(seconds, 1, MAX_SECONDS))
            case ["give", owner]:
                return self.give(router, _owner(owner))
            case ["check", *owner] if len(owner) <= 1:
                return self._refused(router, _owner(owner[0]) if owner else None) or _answer("free", "", 0)
            case ["status"]:
                return _answer(json.dumps(self._holder(router)), "", 0)
            case ["push" | "pushed" as step, owner]:
                return self.push(router, _owner(owner), step == "push")
            case ["read"]:
                holder = self._holder(router)
                if holder.get("pushing"):
                    return _answer("", f"a change by {holder['owner']} is being pushed", 1)
                return _answer("whole", "", 0)
        raise ValueError("lock take OWNER SECONDS | give OWNER | check [OWNER] | push OWNER | pushed OWNER | read "
                         "| status")

    def _holder(self, router: str) -> dict[str, Any]:
        with self.lock:
            held = self.holders.get(router)
            now = time.monotonic()
            if held is None or held[2] <= now:
                self.holders.pop(router, None)
                self.pushing.pop(router, None)
                return {"owner": None}
            return {"owner": held[0], "held_for": round(now - held[1], 1), "seconds_left": round(held[2] - now, 1),
                    "pushing": self.pushing.get(router) == held[0]}

    def _refused(self, router: str, owner: str | None) -> dict[str, Any] | None:
        """None when ``owner`` may change the router (the lock is free or theirs), else the refusal."""
        holder = self._holder(router)
        if holder["owner"] is None or holder["owner"] == owner:
            return None
        return _answer("", f"locked by {holder['owner']} (held {holder['held_for']} s, {holder['seconds_left']} s "
                           "left)", 1)

    def take(self, router: str, owner: str, seconds: int) -> dict[str, Any]:
        refused = self._refused(router, owner)
        if refused:
            return refused
        with self.lock:
            since = self.holders[router][1] if router in self.holders else time.monotonic()
            self.holders[router] = (owner, since, time.monotonic() + seconds)
        self._log(router, f"locked by {owner} for {seconds} s")
        return _answer(f"locked {seconds}", "", 0)

    def give(self, router: str, owner: str) -> dict[str, Any]:
        with self.lock:
            held = self.holders.get(router)
            if held is None or held[0] != owner:
                return _answer("", f"not locked by {owner}", 1)
            del self.holders[router]
            self.pushing.pop(router, None)
        self._log(router, f"unlocked by {owner}")
        return _answer("unlocked", "", 0)

    def push(self, router: str, owner: str, begins: bool) -> dict[str, Any]:
        if self._holder(router)["owner"] != owner:
            return _answer("", f"not locked by {owner}", 1)
        with self.lock:
            if begins:
                self.pushing[router] = owner
            else:
                self.pushing.pop(router, None)
        self._log(router, f"{owner}'s push {'begins' if begins else 'ends'}")
        return _answer("pushing" if begins else "pushed", "", 0)

    # --- commit-confirm ------------------------------------------------------------------------------
    def _previous(self, router: str) -> Path:
        return self.state / "routers" / router / "confirm.conf"

    def arm(self, router: str, seconds: int, previous: str) -> dict[str, Any]:
        if not previous.strip():
            return _answer("", "commit-confirm arm needs the configuration to go back to on standard input", 1)
        with self.lock:
            if router in self.timers:
                return _answer("", "a commit is already waiting for confirmation", 1)
            path = self._previous(router)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(previous)
            pending = _Pending(seconds)
            self.timers[router] = pending
            self._wind(router, pending)
        self._log(router, f"armed: back to the previous configuration in {seconds} s unless confirmed")
        return _answer(f"armed {seconds}", "", 0)

    def start(self, router: str) -> dict[str, Any]:
        """The push is done: the timer counts its seconds again from now."""
        with self.lock:
            pending = self.timers.get(router)
            if pending is None or pending.settling:
                return _answer("", f"the commit is being {pending.settling}ed" if pending else NOTHING_PENDING, 1)
            pending.timer.cancel()
            self._wind(router, pending)
        self._log(router, f"the push is done: back to the previous configuration in {pending.seconds} s unless "
                          "confirmed")
        return _answer(f"armed {pending.seconds}", "", 0)

    def _wind(self, router: str, pending: _Pending) -> None:
        # under self.lock
        pending.generation += 1
        pending.deadline = time.monotonic() + pending.seconds
        pending.timer = threading.Timer(pending.seconds, self._expire, args=(router, pending, pending.generation))
        pending.timer.daemon = True
        pending.timer.start()

    def _claim(self, router: str, action: str, armed: _Pending | None = None,
               generation: int = 0) -> tuple[_Pending | None, _Pending | None]:
        """Take the router's pending commit for one settlement: ``(it, None)``; ``(None, the one
        being settled)`` when a confirm or revert already has it; ``(None, None)`` when none waits
        (or, for a timer's ``armed`` commit, when that timer is not the commit's current one)."""
        with self.lock:
            pending = self.timers.get(router)
            if pending is None or (armed is not None and (pending is not armed or pending.generation != generation)):
                return None, None
            if pending.settling:
                return None, pending
            pending.settling = action
        pending.timer.cancel()
        return pending, None

    def _release(self, router: str, pending: _Pending) -> None:
        # the commit stops being pending only now: whoever polls the status sees the settled router;
        # a settled commit ends its committer's change, so the lock goes with it (a committer that
        # died holds it no longer than its timer)
        with self.lock:
            if self.timers.get(router) is pending:
                del self.timers[router]
                self.holders.pop(router, None)
                self.pushing.pop(router, None)
        pending.done.set()

    def confirm(self, router: str) -> dict[str, Any]:
        pending, busy = self._claim(router, "confirm")
        if pending is None:
            return _answer("", f"the commit is being {busy.settling}ed" if busy else NOTHING_PENDING, 1)
        try:
            saved = _vtysh(router, "-w")  # what `write memory` has watchfrr run, without the detour
            self._previous(router).unlink(missing_ok=True)
        finally:
            self._release(router, pending)
        self._log(router, "confirmed and saved")
        return _answer("confirmed", saved.stderr, saved.returncode)

    def revert(self, router: str) -> dict[str, Any]:
        pending, busy = self._claim(router, "revert")
        if pending is not None:
            try:
                return self._restore(router, "reverted on request")
            finally:
                self._release(router, pending)
        if busy is None:
            return _answer("", NOTHING_PENDING, 1)
        if busy.settling == "confirm":
            return _answer("", "the commit is being confirmed", 1)
        busy.done.wait()  # another revert (its timer's, say) is under way: the same outcome, once it is there
        if self._previous(router).exists():
            return _answer("", "the revert under way did not finish", 1)
        return _answer("reverted", "", 0)

    def status(self, router: str) -> dict[str, Any]:
        with self.lock:
            pending = self.timers.get(router)
        left = max(0.0, pending.deadline - time.monotonic()) if pending else None
        settling = pending.settling if pending and pending.settling else None
        return _answer(json.dumps({"pending": pending is not None, "seconds_left": left, "settling": settling}), "", 0)

    def _expire(self, router: str, armed: _Pending, generation: int) -> None:
        pending, busy = self._claim(router, "revert", armed, generation)
        if pending is None:
            if busy is None and self.timers.get(router) is armed:
                self._log(router, f"timer {generation} ran out after timer {armed.generation} replaced it")
            return
        self._log(router, "not confirmed in time: reverting")
        try:
            answer = self._restore(router, "not confirmed in time: reverted")
            if answer["code"]:
                self._log(router, f"not confirmed in time and not reverted: {answer['stderr']}")
        except Exception as error:  # the operator reads this log; the thread's own report goes to agent.out
            self._log(router, f"not confirmed in time and the revert failed: {type(error).__name__}: {error}")
            raise
        finally:
            self._release(router, pending)

    def _restore(self, router: str, why: str) -> dict[str, Any]:
        path = self._previous(router)
        try:
            previous = path.read_text()
        except OSError:
            return _answer("", "the configuration to go back to is gone", 1)

        def apply(text: str) -> str:
            done = _vtysh(router, "-f", "/dev/stdin", stdin=text)
            return done.stdout + done.stderr

        started = time.monotonic()
        try:
            outcome = reload.converge(lambda: _vtysh(router, "-c", "show running-config").stdout, apply, previous)
            took = f"{outcome.passes} pass(es), {time.monotonic() - started:.1f} s"
            left = f"{len(outcome.left)} change(s) left" if outcome.left else ""
        except (subprocess.SubprocessError, OSError, reload.ReloadError) as error:  # a vtysh that hung, say
            took, left = f"{time.monotonic() - started:.1f} s", f"{type(error).__name__}: {error}"
        if not left:
            path.unlink(missing_ok=True)
            self._log(router, f"{why} ({took})")
            return _answer("reverted", "", 0)
        # what the reload logic cannot undo, a boot from the previous configuration does
        self._log(router, f"{took}, {left}: booting from the previous configuration")
        self._boot(router, previous)
        path.unlink(missing_ok=True)
        self._log(router, f"{why} (booted from the previous configuration, {time.monotonic() - started:.1f} s "
                          "in all)")
        return _answer("reverted", "", 0)

    def _boot(self, router: str, previous: str) -> None:
        from muronet.lab import twin

        etc = self.state / "routers" / router / "etc" / "frr.conf"
        saved = etc.read_text()
        etc.write_text(previous)
        try:
            twin.restart(self.state, router)
        finally:
            etc.write_text(saved)

    def resume(self) -> None:
        """Undo what an agent that died left armed: nobody can confirm it any more."""
        for router in self.routers:
            if self._previous(router).exists():
                self._restore(router, "armed when the agent stopped: reverted")

    # --- the router's host -----------------------------------------------------------------------------
    def system(self, router: str) -> dict[str, Any]:
        pid = int((self.state / "routers" / router / "run" / "watchfrr.pid").read_text())
        ticks = os.sysconf("SC_CLK_TCK")
        started = start_time(pid) / ticks
        uptime = float(Path("/proc/uptime").read_text().split()[0]) - started
        meminfo = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.split()[1:2] and line.split()[1].isdigit()}
        import pwd

        users = [pwd.getpwuid(uid).pw_name for uid in sorted(self.allowed - {0})]
        return {"uptime": round(uptime, 1), "serial": Path("/etc/machine-id").read_text().strip(), "users": users,
                "cpu": _cpu_usage(), "memory": {"total": meminfo["MemTotal"],
                                                "used": meminfo["MemTotal"] - meminfo["MemAvailable"]}}

    def kernel(self, router: str, what: str) -> dict[str, Any]:
        """The kernel's view of the router, per VRF (its namespaces): link counters or neighbours."""
        found: dict[str, Any] = {}
        for vrf in ("default", *self.routers[router]):
            namespace = router if vrf == "default" else f"{router}-{vrf}"
            done = subprocess.run(["ip", "-n", namespace, "-j", *(["-s"] if what == "link" else []), what, "show"],
                                  capture_output=True, text=True, timeout=30)
            found[vrf] = json.loads(done.stdout or "[]") if done.returncode == 0 else []
        return found

    def ntp(self, router: str) -> dict[str, Any]:
        """The router's NTP client (chronyd): its servers and what it measures of each, as JSON."""
        sock = self.ntp_sockets.get(router)
        if not sock:
            return _answer("", "no NTP client runs on this router", 1)
        config = Path(sock).with_suffix(".conf").read_text()
        servers = [line.split()[1] for line in config.splitlines() if line.startswith("server ")]
        done = subprocess.run(["chronyc", "-h", sock, "-n", "-c", "sources"], capture_output=True, text=True,
                              timeout=30)
        data = subprocess.run(["chronyc", "-h", sock, "-n", "-c", "ntpdata"], capture_output=True, text=True,
                              timeout=30)
        return _answer(json.dumps({"servers": servers, "sources": done.stdout, "ntpdata": data.stdout}), done.stderr,
                       done.returncode)

    def lldp_neighbors(self, router: str) -> dict[str, Any]:
        """The neighbours of every port, as one lldpcli document (one lldpd per namespace of ports)."""
        sockets = self.lldp.get(router)
        if not sockets:
            return _answer("", "lldpd does not run on this router", 1)
        interfaces: list[dict[str, Any]] = []
        for sock in sockets:
            done = subprocess.run(["lldpcli", "-u", sock, "-f", "json", "show", "neighbors", "details"],
                                  capture_output=True, text=True, timeout=30)
            if done.returncode != 0:
                return _answer(done.stdout, done.stderr, done.returncode)
            found = (json.loads(done.stdout or "{}").get("lldp") or {}).get("interface") or []
            interfaces += [found] if isinstance(found, dict) else found  # a mapping for one, a list for more
        return _answer(json.dumps({"lldp": {"interface": interfaces}}), "", 0)

    def probe(self, router: str, tool: str, target: str, options: dict[str, str]) -> dict[str, Any]:
        address = ipaddress.ip_address(target)  # a name would be resolved by the machine, not the router
        vrf = options.get("vrf", "default")
        if vrf not in ("default", *self.routers[router]):
            raise ValueError(f"{router} has no VRF {vrf}")
        namespace = router if vrf == "default" else f"{router}-{vrf}"
        if tool == "ping":
            command = ["ping", "-n", "-c", str(_number(options.get("count", "5"), 1, 100)),
                       "-W", str(_number(options.get("timeout", "2"), 1, 60)),
                       "-s", str(_number(options.get("size", "56"), 0, 9000)),
                       "-t", str(_number(options.get("ttl", "64"), 1, 255))]
        else:
            command = ["traceroute", "-n", "-q", "3", "-m", str(_number(options.get("ttl", "30"), 1, 255)),
                       "-w", str(_number(options.get("timeout", "2"), 1, 60))]
        if "source" in options:
            command += ["-I" if tool == "ping" else "-s", str(ipaddress.ip_address(options["source"]))]
        done = subprocess.run(["ip", "netns", "exec", namespace, *command, str(address)], capture_output=True,
                              text=True, timeout=600)
        return _answer(done.stdout, done.stderr, done.returncode)

    def _log(self, router: str, event: str) -> None:
        line = f"{datetime.now(UTC).isoformat(timespec='milliseconds')} {router}: {event}\n"
        descriptor = os.open(self.state / "agent.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "a") as file:
            file.write(line)

    # --- serving ---------------------------------------------------------------------------------------
    def serve(self, path: Path, group: int) -> None:
        path.unlink(missing_ok=True)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        os.chown(path, 0, group)
        os.chmod(path, 0o660)
        server.listen(64)
        while True:
            connection, _ = server.accept()
            threading.Thread(target=self._connection, args=(connection,), daemon=True).start()

    def _connection(self, connection: socket.socket) -> None:
        with connection:
            credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            _, uid, _ = struct.unpack("3i", credentials)
            if uid not in self.allowed:
                return
            data = b""
            while not data.endswith(b"\n") and len(data) < MAX_REQUEST:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                data += chunk
            try:
                answer = self.handle(json.loads(data))
            except (ValueError, UnicodeDecodeError):
                answer = _answer("", "unreadable request", 1)
            except Exception as error:  # one request's failure must not end the agent
                answer = _answer("", f"{type(error).__name__}: {error}", 1)
            connection.sendall(_reply(answer))


def _answer(stdout: str, stderr: str, code: int) -> dict[str, Any]:
    return {"stdout": stdout, "stderr": stderr, "code": code}


def _reply(answer: dict[str, Any]) -> bytes:
    """An answer as the login program reads it without json: "CODE OUT ERR" (the lengths of the
    output and the errors, in bytes), a newline, the output, the errors.

    >>> _reply(_answer("up\\n", "", 0))
    b'0 3 0\\nup\\n'
    """
    out, err = str(answer["stdout"]).encode(), str(answer["stderr"]).encode()
    return f"{int(answer['code'])} {len(out)} {len(err)}\n".encode() + out + err


def _number(value: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{value!r} is not a number from {low} to {high}")
    return int(value)


def _owner(value: str) -> str:
    """A lock owner's name: a user, a host, a process and a token, never anything a log could misread.

    >>> _owner("alice@ops1:4242#9f3a")
    'alice@ops1:4242#9f3a'
    """
    if not value or len(value) > MAX_OWNER or any(not (c.isascii() and (c.isalnum() or c in "@._:#-")) for c in value):
        raise ValueError(f"{value[:MAX_OWNER]!r} is no lock owner (letters, digits and @._:#- only)")
    return value


def _options(words: list[str]) -> dict[str, str]:
    if len(words) % 2:
        raise ValueError("options come as NAME VALUE pairs")
    options = dict(zip(words[::2], words[1::2], strict=True))
    unknown = set(options) - {"vrf", "count", "timeout", "size", "ttl", "source"}
    if unknown:
        raise ValueError(f"unknown option {sorted(unknown)[0]}")
    return options


def _vtysh(router: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # a router's whole configuration loads in seconds: a vtysh still running after half a minute hangs
    return subprocess.run(["vtysh", "-N", router, *args], input=stdin, capture_output=True, text=True,
                          timeout=VTYSH_SECONDS)


def _cpu_usage() -> dict[str, dict[str, float]]:
    def sample() -> list[list[int]]:
        return [list(map(int, line.split()[1:])) for line in Path("/proc/stat").read_text().splitlines()
                if line.startswith("cpu") and line[3:4].isdigit()]

    first = sample()
    time.sleep(0.1)
    second = sample()
    usage = {}
    for n, (a, b) in enumerate(zip(first, second, strict=True)):
        total = sum(b) - sum(a)
        idle = (b[3] + b[4]) - (a[3] + a[4])
        usage[str(n)] = {"%usage": round(100.0 * (total - idle) / total, 1) if total else 0.0}
    return usage


def main() -> None:
    parser = argparse.ArgumentParser(description="the twin's device agent (started by `muronet lab up`)")
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--group", type=int, required=True)
    args = parser.parse_args()
    agent = Agent(args.state, json.loads((args.state / "agent.json").read_text()))
    agent.resume()
    sys.stdout.flush()
    agent.serve(args.socket, args.group)


if __name__ == "__main__":
    main()
