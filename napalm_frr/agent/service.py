"""The device agent: what a router's host does beside FRR (the protocol's commands, served on a
Unix socket to root and the management account).

The timer runs from the arming (a committer that dies during its push is reverted too) and again
from ``start``, as a commit-confirm counts from the end of the commit: the committer has the whole
time to verify and confirm, however long its push took. A confirmed commit is saved (``vtysh -w``,
what ``write memory`` has watchfrr run); an unconfirmed one is undone when its timer ends, with
FRR's reload logic, and if the router still differs (or a vtysh hangs), by booting it from the
configuration it had before. Timers of an agent that died are undone when the next one starts.

The lock keeps two writers apart: a provisioning run holds it from reading the running
configuration it diffs to the confirmation of its commit, and while another owner holds it the
agent refuses ``commit-confirm arm`` and the login program refuses ``apply configuration`` (it asks
``lock check`` first). A reader (a backup) waits only while a push is under way: before it and
after it the configuration is whole.
"""

from __future__ import annotations

import ipaddress
import json
import os
import pwd
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from napalm_frr import DEVICE_PROTOCOL, reload
from napalm_frr.agent import routers
from napalm_frr.agent.routers import Router
from napalm_frr.agent.wire import MAX_REQUEST, MAX_SECONDS, Answer, answer, number, options, owner, refusal, reply
from napalm_frr.host import start_time

NOTHING_PENDING = "no commit is waiting for confirmation"


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
    """The agent of ``routers`` (by name; one named "" on an FRR host), its log in ``log``; it
    answers root and the users ``users`` (their UIDs)."""

    def __init__(self, routers: dict[str, Router], log: Path, users: set[int]) -> None:
        self.routers = routers
        self.log = log
        self.allowed = {0, *users}
        self.timers: dict[str, _Pending] = {}
        self.lock = threading.Lock()
        self.holders: dict[str, tuple[str, float, float]] = {}  # router → owner, since, until (monotonic)
        self.pushing: dict[str, str] = {}  # router → the holder whose push is under way

    # --- requests ----------------------------------------------------------------------------------
    def handle(self, request: dict[str, Any]) -> Answer:
        router, words, data = request.get("router", ""), request.get("words"), request.get("input", "")
        if router not in self.routers or not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            return refusal("no such router or command")
        try:
            return self._dispatch(router, words, data if isinstance(data, str) else "")
        except ValueError as error:
            return refusal(str(error))

    def _dispatch(self, router: str, words: list[str], data: str) -> Answer:
        match words:
            case ["commit-confirm", "arm", seconds, *holder] if len(holder) <= 1:
                refused = self._refused(router, owner(holder[0]) if holder else None)
                return refused or self.arm(router, number(seconds, 1, MAX_SECONDS), data)
            case ["lock", *rest]:
                return self._lock_command(router, rest)
            case ["commit-confirm", "start" | "confirm" | "revert" | "status" as step]:
                steps: dict[str, Callable[[str], Answer]] = {"start": self.start, "confirm": self.confirm,
                                                             "revert": self.revert, "status": self.status}
                return steps[step](router)
            case ["show", *what]:
                return self._show(router, what)
            case ["ping" | "traceroute" as tool, target, *given]:
                return self.probe(router, tool, target, options(given))
        return refusal(f"unknown device command: {' '.join(words)}")

    def _show(self, router: str, what: list[str]) -> Answer:
        """The router host's state FRR's CLI does not show, as JSON."""
        match what:
            case ["agent", "protocol"]:
                return answer(json.dumps({"protocol": DEVICE_PROTOCOL}))
            case ["system", "status"]:
                return answer(json.dumps(self.system(router)))
            case ["lldp", "neighbors"]:
                return self.lldp_neighbors(router)
            case ["ntp"]:
                return self.ntp(router)
            case ["interfaces", "counters"]:
                return answer(json.dumps(self.routers[router].kernel("link")))
            case ["arp"]:
                return answer(json.dumps(self.routers[router].kernel("neigh")))
        return refusal(f"unknown device command: show {' '.join(what)}")

    # --- the configuration lock ----------------------------------------------------------------------
    def _lock_command(self, router: str, words: list[str]) -> Answer:
        match words:
            case ["take", holder, seconds]:
                return self.take(router, owner(holder), number(seconds, 1, MAX_SECONDS))
            case ["give", holder]:
                return self.give(router, owner(holder))
            case ["check", *holder] if len(holder) <= 1:
                return self._refused(router, owner(holder[0]) if holder else None) or answer("free")
            case ["status"]:
                return answer(json.dumps(self._holder(router)))
            case ["push" | "pushed" as step, holder]:
                return self.push(router, owner(holder), step == "push")
            case ["read"]:
                held = self._holder(router)
                if held.get("pushing"):
                    return refusal(f"a change by {held['owner']} is being pushed")
                return answer("whole")
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

    def _refused(self, router: str, holder: str | None) -> Answer | None:
        """None when ``holder`` may change the router (the lock is free or theirs), else the refusal."""
        held = self._holder(router)
        if held["owner"] is None or held["owner"] == holder:
            return None
        return refusal(f"locked by {held['owner']} (held {held['held_for']} s, {held['seconds_left']} s left)")

    def take(self, router: str, holder: str, seconds: int) -> Answer:
        refused = self._refused(router, holder)
        if refused:
            return refused
        with self.lock:
            since = self.holders[router][1] if router in self.holders else time.monotonic()
            self.holders[router] = (holder, since, time.monotonic() + seconds)
        self._log(router, f"locked by {holder} for {seconds} s")
        return answer(f"locked {seconds}")

    def give(self, router: str, holder: str) -> Answer:
        with self.lock:
            held = self.holders.get(router)
            if held is None or held[0] != holder:
                return refusal(f"not locked by {holder}")
            del self.holders[router]
            self.pushing.pop(router, None)
        self._log(router, f"unlocked by {holder}")
        return answer("unlocked")

    def push(self, router: str, holder: str, begins: bool) -> Answer:
        if self._holder(router)["owner"] != holder:
            return refusal(f"not locked by {holder}")
        with self.lock:
            if begins:
                self.pushing[router] = holder
            else:
                self.pushing.pop(router, None)
        self._log(router, f"{holder}'s push {'begins' if begins else 'ends'}")
        return answer("pushing" if begins else "pushed")

    # --- commit-confirm ------------------------------------------------------------------------------
    def _previous(self, router: str) -> Path:
        return self.routers[router].saved_previous()

    def arm(self, router: str, seconds: int, previous: str) -> Answer:
        if not previous.strip():
            return refusal("commit-confirm arm needs the configuration to go back to on standard input")
        with self.lock:
            if router in self.timers:
                return refusal("a commit is already waiting for confirmation")
            descriptor = os.open(self._previous(router), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(previous)
            pending = _Pending(seconds)
            self.timers[router] = pending
            self._wind(router, pending)
        self._log(router, f"armed: back to the previous configuration in {seconds} s unless confirmed")
        return answer(f"armed {seconds}")

    def start(self, router: str) -> Answer:
        """The push is done: the timer counts its seconds again from now."""
        with self.lock:
            pending = self.timers.get(router)
            if pending is None or pending.settling:
                return refusal(f"the commit is being {pending.settling}ed" if pending else NOTHING_PENDING)
            pending.timer.cancel()
            self._wind(router, pending)
        self._log(router, f"the push is done: back to the previous configuration in {pending.seconds} s unless "
                          "confirmed")
        return answer(f"armed {pending.seconds}")

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

    def confirm(self, router: str) -> Answer:
        pending, busy = self._claim(router, "confirm")
        if pending is None:
            return refusal(f"the commit is being {busy.settling}ed" if busy else NOTHING_PENDING)
        try:
            saved = self.routers[router].vtysh("-w")  # what `write memory` has watchfrr run, without the detour
            self._previous(router).unlink(missing_ok=True)
        finally:
            self._release(router, pending)
        self._log(router, "confirmed and saved")
        return answer("confirmed", saved.stderr, saved.returncode)

    def revert(self, router: str) -> Answer:
        pending, busy = self._claim(router, "revert")
        if pending is not None:
            try:
                return self._restore(router, "reverted on request")
            finally:
                self._release(router, pending)
        if busy is None:
            return refusal(NOTHING_PENDING)
        if busy.settling == "confirm":
            return refusal("the commit is being confirmed")
        busy.done.wait()  # another revert (its timer's, say) is under way: the same outcome, once it is there
        if self._previous(router).exists():
            return refusal("the revert under way did not finish")
        return answer("reverted")

    def status(self, router: str) -> Answer:
        with self.lock:
            pending = self.timers.get(router)
        left = max(0.0, pending.deadline - time.monotonic()) if pending else None
        settling = pending.settling if pending and pending.settling else None
        return answer(json.dumps({"pending": pending is not None, "seconds_left": left, "settling": settling}))

    def _expire(self, router: str, armed: _Pending, generation: int) -> None:
        pending, busy = self._claim(router, "revert", armed, generation)
        if pending is None:
            if busy is None and self.timers.get(router) is armed:
                self._log(router, f"timer {generation} ran out after timer {armed.generation} replaced it")
            return
        self._log(router, "not confirmed in time: reverting")
        try:
            done = self._restore(router, "not confirmed in time: reverted")
            if done["code"]:
                self._log(router, f"not confirmed in time and not reverted: {done['stderr']}")
        except Exception as error:  # the operator reads this log; the thread's own report goes to the agent's output
            self._log(router, f"not confirmed in time and the revert failed: {type(error).__name__}: {error}")
            raise
        finally:
            self._release(router, pending)

    def _restore(self, router: str, why: str) -> Answer:
        path = self._previous(router)
        try:
            previous = path.read_text()
        except OSError:
            return refusal("the configuration to go back to is gone")
        host = self.routers[router]

        def apply(text: str) -> str:
            done = host.vtysh("-f", "/dev/stdin", stdin=text)
            return done.stdout + done.stderr

        started = time.monotonic()
        try:
            outcome = reload.converge(lambda: host.vtysh("-c", "show running-config").stdout, apply, previous)
            took = f"{outcome.passes} pass(es), {time.monotonic() - started:.1f} s"
            left = f"{len(outcome.left)} change(s) left" if outcome.left else ""
        except (subprocess.SubprocessError, OSError, reload.ReloadError) as error:  # a vtysh that hung, say
            took, left = f"{time.monotonic() - started:.1f} s", f"{type(error).__name__}: {error}"
        if not left:
            path.unlink(missing_ok=True)
            self._log(router, f"{why} ({took})")
            return answer("reverted")
        # what the reload logic cannot undo, a boot from the previous configuration does
        self._log(router, f"{took}, {left}: booting from the previous configuration")
        host.boot(previous)
        path.unlink(missing_ok=True)
        self._log(router, f"{why} (booted from the previous configuration, {time.monotonic() - started:.1f} s "
                          "in all)")
        return answer("reverted")

    def resume(self) -> None:
        """Undo what an agent that died left armed: nobody can confirm it any more."""
        for router in self.routers:
            if self._previous(router).exists():
                self._restore(router, "armed when the agent stopped: reverted")

    # --- the router's host -----------------------------------------------------------------------------
    def system(self, router: str) -> dict[str, Any]:
        started = start_time(self.routers[router].watchfrr_pid()) / os.sysconf("SC_CLK_TCK")
        uptime = float(Path("/proc/uptime").read_text().split()[0]) - started
        meminfo = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.split()[1:2] and line.split()[1].isdigit()}
        users = [pwd.getpwuid(uid).pw_name for uid in sorted(self.allowed - {0})]
        return {"uptime": round(uptime, 1), "serial": Path("/etc/machine-id").read_text().strip(), "users": users,
                "cpu": _cpu_usage(), "memory": {"total": meminfo["MemTotal"],
                                                "used": meminfo["MemTotal"] - meminfo["MemAvailable"]}}

    def ntp(self, router: str) -> Answer:
        """The router's NTP client (chronyd): its servers and what it measures of each, as JSON."""
        host = self.routers[router]
        chronyc = host.chronyc()
        if chronyc is None:
            return refusal("no NTP client runs on this router")
        sources = subprocess.run([*chronyc, "-n", "-c", "sources"], capture_output=True, text=True,
                                 timeout=routers.KERNEL_SECONDS)
        data = subprocess.run([*chronyc, "-n", "-c", "ntpdata"], capture_output=True, text=True,
                              timeout=routers.KERNEL_SECONDS)
        return answer(json.dumps({"servers": host.ntp_servers(), "sources": sources.stdout, "ntpdata": data.stdout}),
                      sources.stderr, sources.returncode)

    def lldp_neighbors(self, router: str) -> Answer:
        """The neighbours of every port, as one lldpcli document (one lldpd per group of ports)."""
        commands = self.routers[router].lldpcli()
        if not commands:
            return refusal("lldpd does not run on this router")
        interfaces: list[dict[str, Any]] = []
        for command in commands:
            done = subprocess.run([*command, "-f", "json", "show", "neighbors", "details"], capture_output=True,
                                  text=True, timeout=routers.KERNEL_SECONDS)
            if done.returncode != 0:
                return answer(done.stdout, done.stderr, done.returncode)
            found = (json.loads(done.stdout or "{}").get("lldp") or {}).get("interface") or []
            interfaces += [found] if isinstance(found, dict) else found  # a mapping for one, a list for more
        return answer(json.dumps({"lldp": {"interface": interfaces}}))

    def probe(self, router: str, tool: str, target: str, given: dict[str, str]) -> Answer:
        address = ipaddress.ip_address(target)  # a name would be resolved by the machine, not the router
        host = self.routers[router]
        vrf = given.get("vrf", "default")
        if vrf not in ("default", *host.vrfs()):
            raise ValueError(f"{router or 'this router'} has no VRF {vrf}")
        if tool == "ping":
            command = ["ping", "-n", "-c", str(number(given.get("count", "5"), 1, 100)),
                       "-W", str(number(given.get("timeout", "2"), 1, 60)),
                       "-s", str(number(given.get("size", "56"), 0, 9000)),
                       "-t", str(number(given.get("ttl", "64"), 1, 255))]
        else:
            command = ["traceroute", "-n", "-q", "3", "-m", str(number(given.get("ttl", "30"), 1, 255)),
                       "-w", str(number(given.get("timeout", "2"), 1, 60))]
        if "source" in given:
            command += ["-I" if tool == "ping" else "-s", str(ipaddress.ip_address(given["source"]))]
        done = subprocess.run([*host.in_vrf(vrf), *command, str(address)], capture_output=True, text=True,
                              timeout=routers.PROBE_SECONDS)
        return answer(done.stdout, done.stderr, done.returncode)

    def _log(self, router: str, event: str) -> None:
        line = f"{datetime.now(UTC).isoformat(timespec='milliseconds')} {router or 'router'}: {event}\n"
        descriptor = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "a") as file:
            file.write(line)

    # --- serving ---------------------------------------------------------------------------------------
    def serve(self, path: Path, group: int) -> None:
        """Answer on the Unix socket ``path`` (root's and ``group``'s), one thread a connection."""
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
                request = json.loads(data)
                given = self.handle(request) if isinstance(request, dict) else refusal("unreadable request")
            except (ValueError, UnicodeDecodeError):
                given = refusal("unreadable request")
            except Exception as error:  # one request's failure must not end the agent
                given = refusal(f"{type(error).__name__}: {error}")
            connection.sendall(reply(given))


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
