"""NAPALM driver for FRRouting, over SSH into vtysh (Netmiko underneath).

FRR's vtysh speaks enough of the IOS dialect for Netmiko's ``cisco_ios`` type (show commands,
configuration mode); the getters use FRR's JSON output where it has one and return NAPALM's
result shapes, so reports work across platforms.

Configuration follows NAPALM's candidate model. ``load_replace_candidate`` /
``load_merge_candidate`` keep the candidate here (its syntax checked by the local vtysh);
``compare_config`` shows the unified diff of what would change; ``commit_config`` pushes exactly
the line-level changes that FRR's own reload logic computes (``napalm_frr.reload``), line by line,
stopping at the first line the device rejects and restoring the configuration it had before.
The saved (startup) configuration is written only when a commit is final: at once, or at
``confirm_commit`` after ``commit_config(revert_in=N)``, which otherwise rolls back by itself after
N seconds. A device that restarts therefore always comes back with its last confirmed
configuration. The revert timer lives in this process.

Optional arguments: ``port`` and Netmiko's host-key options (``ssh_strict``,
``system_host_keys``, ``alt_host_keys``, ``alt_key_file``); host keys are checked by default.
"""

from __future__ import annotations

import difflib
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from napalm.base.base import NetworkDriver
from napalm.base.exceptions import (
    CommitError,
    ConnectionClosedException,
    ConnectionException,
    MergeConfigException,
    ReplaceConfigException,
)
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

from muronet.masking import mask
from napalm_frr import reload

_NETMIKO_OPTIONS = ("port", "ssh_strict", "system_host_keys", "alt_host_keys", "alt_key_file", "conn_timeout")
_VERSION = re.compile(r"^FRRouting (\S+) \((\S+)\)", re.M)
_VRF_LINE = re.compile(r"^vrf (\S+) id ", re.M)  # "vrf LGWAN id 1 netns /run/netns/LGWAN"
# Lines that carry a secret, and the part of them a report shows instead.
_FINGERPRINT_KEY = secrets.token_bytes(32)  # per process: a fingerprint cannot be guessed offline
# vtysh answers an accepted configuration line with nothing but the next prompt; anything else it
# prints is a refusal ("% Unknown command", "BGP is already running; AS is 65021", "Please remove
# all ip ospf area x.x.x.x commands first."), except these notices: a reference to a route-map or
# list defined further down the same change is fine, and removing a vty password is what we want.
NOTICES = re.compile(r"^(For this router-id change to take effect|.*use .clear ip ospf process."
                     r"|The (route-map|prefix-list|access-list) '\S+' does not exist\."
                     r"|Please be aware that removing the password is a security risk)")
_PROMPT = re.compile(r"^[\w.-]+(\([\w-]+\))?#")


class RestoreError(CommitError):
    """A push failed and the configuration before it could not be put back."""


class FrrDriver(NetworkDriver):
    def __init__(self, hostname: str, username: str, password: str, timeout: int = 60,
                 optional_args: dict[str, Any] | None = None) -> None:
        self.hostname = hostname
        self.username = username
        self.password = password
        self.timeout = timeout
        options = optional_args or {}
        self.netmiko_options = {"ssh_strict": True, "system_host_keys": True,
                                **{k: v for k, v in options.items() if k in _NETMIKO_OPTIONS}}
        self.device: Any = None
        self._candidate: str | None = None
        self._replace = True
        self._rollback_point: str | None = None  # running configuration before the last commit
        self._revert_timer: threading.Timer | None = None
        self._lock = threading.RLock()  # the revert timer and the caller share one session

    # --- session ---------------------------------------------------------------------------------

    def open(self) -> None:
        try:
            self.device = ConnectHandler(device_type="cisco_ios", host=self.hostname, username=self.username,
                                         password=self.password, timeout=self.timeout, fast_cli=True,
                                         **self.netmiko_options)
        except (NetmikoTimeoutException, NetmikoAuthenticationException, OSError) as error:
            raise ConnectionException(f"{self.hostname}: {error}") from error

    def close(self) -> None:
        if self._revert_timer is not None:
            self._revert_timer.cancel()  # closing does not confirm: roll back now
            self._revert_timer = None
            self.rollback()
        if self.device is not None:
            self.device.disconnect()
            self.device = None

    def is_alive(self) -> dict[str, bool]:
        return {"is_alive": bool(self.device and self.device.is_alive())}

    def _connected(self) -> Any:
        if self.device is None:
            raise ConnectionClosedException(f"{self.hostname}: not connected (call open() first)")
        return self.device

    def _send(self, command: str) -> str:
        with self._lock:
            return self._connected().send_command(command, read_timeout=self.timeout)

    def _json(self, command: str) -> Any:
        text = self._send(command)
        try:
            return json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as error:
            raise ValueError(f"{self.hostname}: {command!r} did not return JSON: {text[:200]}") from error

    def cli(self, commands: list[str], encoding: str = "text") -> dict[str, str]:
        if encoding != "text":
            raise NotImplementedError("FRR's cli() returns text; use a command's ' json' form for JSON")
        return {command: self._send(command) for command in commands}

    # --- getters ---------------------------------------------------------------------------------

    def _vrfs(self) -> list[str]:
        """The default VRF and every other VRF the router has."""
        return ["default", *sorted(_VRF_LINE.findall(self._send("show vrf")))]

    def get_facts(self) -> dict[str, Any]:
        version = _VERSION.search(self._send("show version"))
        interfaces = sorted(self.get_interfaces())
        return {
            "uptime": -1.0,  # vtysh does not report the system's uptime
            "vendor": "FRRouting",
            "os_version": version.group(1) if version else "",
            "serial_number": "",
            "model": "FRR",
            "hostname": version.group(2) if version else "",
            "fqdn": version.group(2) if version else "",
            "interface_list": interfaces,
        }

    def _interfaces_by_vrf(self) -> dict[str, dict[str, Any]]:
        """Interfaces of every VRF; each VRF namespace has its own ``lo``, reported once (default)."""
        found: dict[str, dict[str, Any]] = {}
        for vrf in self._vrfs():
            for name, data in self._json(f"show interface vrf {vrf} json").items():
                if vrf != "default" and name == "lo":
                    continue
                found[name] = data
        return found

    def get_interfaces(self) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "is_up": data.get("operationalStatus") == "up",
                "is_enabled": data.get("administrativeStatus") == "up",
                "description": data.get("description", ""),
                "last_flapped": -1.0,
                "speed": float(data.get("speed") or 0),
                "mtu": int(data.get("mtu") or 0),
                "mac_address": data.get("hardwareAddress", "") or "",
            }
            for name, data in sorted(self._interfaces_by_vrf().items())
        }

    def get_interfaces_ip(self) -> dict[str, dict[str, dict[str, dict[str, int]]]]:
        result: dict[str, dict[str, dict[str, dict[str, int]]]] = {}
        for name, data in sorted(self._interfaces_by_vrf().items()):
            for entry in data.get("ipAddresses", []):
                address, _, length = entry["address"].partition("/")
                family = "ipv6" if ":" in address else "ipv4"
                if family == "ipv6" and address.startswith("fe80"):
                    continue
                result.setdefault(name, {}).setdefault(family, {})[address] = {"prefix_length": int(length)}
        return result

    # Not in NAPALM's base interface: what verification after a commit needs.

    def get_ospf_neighbors(self) -> dict[str, list[dict[str, str]]]:
        """OSPF neighbours per VRF ("global" for the default): address, state, interface."""
        found: dict[str, list[dict[str, str]]] = {}
        for vrf in self._vrfs():
            data = self._json(f"show ip ospf vrf {vrf} neighbor json")
            data = data.get(vrf, data)  # FRR nests the answer under the VRF name
            neighbors = [{"router_id": rid, "address": n.get("ifaceAddress", ""), "state": n.get("nbrState", ""),
                          "interface": n.get("ifaceName", "").split(":")[0]}
                         for rid, entries in data.get("neighbors", {}).items() for n in entries]
            found["global" if vrf == "default" else vrf] = neighbors
        return found

    def get_route_table(self) -> dict[str, dict[str, list[str]]]:
        """Installed IPv4 routes per VRF ("global" for the default): prefix → protocols."""
        tables: dict[str, dict[str, list[str]]] = {}
        for vrf in self._vrfs():
            routes = self._json(f"show ip route vrf {vrf} json")
            tables["global" if vrf == "default" else vrf] = {
                prefix: sorted({r.get("protocol", "") for r in entries if r.get("installed") or r.get("selected")})
                for prefix, entries in routes.items()}
        return tables

    def get_config(self, retrieve: str = "all", full: bool = False, sanitized: bool = False,
                   format: str = "text") -> dict[str, str]:
        config = {"running": "", "startup": "", "candidate": ""}
        if retrieve in ("all", "running"):
            config["running"] = self._send("show running-config")
        if retrieve in ("all", "startup"):
            config["startup"] = self._startup()
        if retrieve in ("all", "candidate"):
            config["candidate"] = self._candidate or ""
        return {k: sanitize(v) for k, v in config.items()} if sanitized else config

    def _startup(self) -> str:
        """The saved configuration, asked for on a channel of its own: vtysh 8.4 has no such
        command in a session, the device's login shell answers it as a single command."""
        with self._lock:
            client = self._connected().remote_conn_pre
            _, stdout, _ = client.exec_command("show startup-config", timeout=self.timeout)
            return stdout.read().decode()

    # --- configuration ---------------------------------------------------------------------------

    def _load(self, filename: str | None, config: str | None, replace: bool) -> None:
        error = ReplaceConfigException if replace else MergeConfigException
        if (filename is None) == (config is None):
            raise error("give exactly one of filename and config")
        text = Path(filename).read_text() if filename else str(config)
        problems = reload.syntax_errors(text)
        if problems:
            raise error(f"{self.hostname}: candidate rejected: " + "; ".join(problems))
        self._candidate, self._replace = text, replace

    def load_replace_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        self._load(filename, config, replace=True)

    def load_merge_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        self._load(filename, config, replace=False)

    def _running(self) -> str:
        return reload.clean(self._send("show running-config"))

    def _changes(self, running: str) -> list[reload.Change]:
        if self._candidate is None:
            return []
        return reload.changes(running, self._candidate, replace=self._replace)

    def compare_config(self) -> str:
        """A unified diff from the running configuration to what the commit would leave."""
        running = self._running()
        if not self._changes(running):
            return ""
        after = self._candidate if self._replace else running + (self._candidate or "")
        return "".join(difflib.unified_diff(
            sanitize(reload.canonical(running)).splitlines(keepends=True),
            sanitize(reload.canonical(after or "")).splitlines(keepends=True), "running", "candidate"))

    def _apply(self, changes: list[reload.Change]) -> None:
        """Push changes one by one; raise at the first line the device refuses."""
        with self._configuration_mode() as send:
            for change in changes:
                attempt: reload.Change | None = change
                while attempt is not None:
                    commands = attempt.commands()
                    refusal = _refusal(commands, send(commands))
                    if not refusal:
                        break
                    attempt = attempt.shortened()  # FRR removes some lines only by a shorter "no"
                    if attempt is None:
                        raise CommitError(f"{self.hostname}: {' / '.join(change.commands())}: {refusal}")

    @contextmanager
    def _configuration_mode(self) -> Iterator[Callable[[list[str]], str]]:
        """Configuration mode on the session; yields a function that sends commands and returns
        what the device printed."""
        device = self._connected()
        device.config_mode()
        try:
            yield lambda commands: device.send_config_set(commands, enter_config_mode=False, exit_config_mode=False,
                                                          cmd_verify=True, read_timeout=self.timeout)
        finally:
            device.exit_config_mode()

    def _replace_running(self, target: str) -> None:
        with self._lock:
            self._apply(reload.changes(self._running(), target, replace=True))

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        if self._revert_timer is not None:
            raise CommitError(f"{self.hostname}: a commit is waiting for confirmation")
        with self._lock:
            self._rollback_point = self.commit_unsaved()
            if revert_in:
                self._revert_timer = threading.Timer(revert_in, self._revert)
                self._revert_timer.daemon = True
                self._revert_timer.start()
            else:
                self.save()

    def commit_unsaved(self, before_push: Callable[[str], None] | None = None) -> str:
        """Push the candidate as ``commit_config`` does (a refused line restores the previous
        configuration), but leave the saved configuration alone; return the previous running
        configuration, which ``before_push`` also gets before anything changes (to keep it where
        a crash cannot lose it). For orchestrators whose steps run in separate processes (Ansible
        tasks): they confirm with :meth:`save` or go back with :meth:`restore`."""
        if self._candidate is None:
            raise CommitError(f"{self.hostname}: no candidate loaded")
        with self._lock:
            running = self._running()
            if before_push is not None:
                before_push(running)
            try:
                self._apply(self._changes(running))
                self._check_taken()
            except Exception:
                self._restore(running)
                raise
            self._candidate = None
            return running

    def _check_taken(self) -> None:
        """Re-read the device: every change must show, or the commit fails (FRR accepts a few
        commands that change nothing)."""
        left = self._changes(self._running())
        if left:
            shown = "; ".join(" / ".join(c.commands()) for c in left[:3])
            raise CommitError(f"{self.hostname}: the device accepted but did not apply {len(left)} change(s): {shown}")

    def _restore(self, running: str) -> None:
        """Back to ``running`` after a failed push; on a new session if the old one died."""
        try:
            if not self.is_alive()["is_alive"]:
                self.close()
                self.open()
            self._replace_running(running)
        except Exception as error:  # the device may be gone: its saved configuration is the old one
            raise RestoreError(f"{self.hostname}: push failed and the previous configuration could not be "
                               f"restored ({error}); the saved configuration is unchanged") from error

    def _revert(self) -> None:
        with self._lock:
            self._revert_timer = None
            if self._rollback_point is not None:
                self._replace_running(self._rollback_point)

    def has_pending_commit(self) -> bool:
        return self._revert_timer is not None

    def confirm_commit(self) -> None:
        with self._lock:
            if self._revert_timer is None:
                raise CommitError(f"{self.hostname}: no commit is waiting for confirmation")
            self._revert_timer.cancel()
            self._revert_timer = None
            self.save()

    def save(self) -> None:
        """Make the running configuration the one the device boots with."""
        self._connected().send_command("write memory", read_timeout=self.timeout)

    def restore(self, previous: str) -> None:
        """Bring the running configuration back to ``previous`` and save it."""
        with self._lock:
            self._replace_running(previous)
            self.save()

    def discard_config(self) -> None:
        self._candidate = None

    def rollback(self) -> None:
        """Back to the configuration before the last commit, and save it."""
        with self._lock:
            if self._revert_timer is not None:
                self._revert_timer.cancel()
                self._revert_timer = None
            if self._rollback_point is None:
                raise CommitError(f"{self.hostname}: nothing to roll back to")
            self.restore(self._rollback_point)

    def get_bgp_neighbors(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for vrf in self._vrfs():
            summary = self._json(f"show bgp vrf {vrf} ipv4 unicast summary json")
            if not summary:
                continue
            peers = {}
            for address, peer in summary.get("peers", {}).items():
                state = peer.get("state", "")
                peers[address] = {
                    "local_as": int(summary.get("as", 0)),
                    "remote_as": int(peer.get("remoteAs", 0)),
                    "remote_id": peer.get("remoteRouterId", ""),
                    "is_up": state == "Established",
                    "is_enabled": "Admin" not in state,
                    "description": peer.get("desc", ""),
                    "uptime": float(peer.get("peerUptimeMsec", 0)) / 1000,
                    "address_family": {"ipv4": {
                        "received_prefixes": int(peer.get("pfxRcd", 0)),
                        "accepted_prefixes": int(peer.get("pfxRcd", 0)),
                        "sent_prefixes": int(peer.get("pfxSnt", 0)),
                    }},
                }
            result["global" if vrf == "default" else vrf] = {"router_id": summary.get("routerId", ""),
                                                             "peers": peers}
        return result


def _refusal(commands: list[str], output: str) -> str:
    """What vtysh said besides echoing ``commands`` and prompting again.

    >>> _refusal(["neighbor 10.0.0.1 route-map RM in"], "The route-map 'RM' does not exist.\\nr1(config-router-af)# ")
    ''
    >>> _refusal(["router bgp 64999"], "router bgp 64999\\nBGP is already running; AS is 65021\\nr1(config)# ")
    'BGP is already running; AS is 65021'
    >>> _refusal(["interface eth1", "description x"], " interface eth1\\nr1(config-if)# description x\\nr1# ")
    ''
    """
    echoed = {c.strip() for c in commands}
    said = []
    for line in (raw.strip() for raw in output.splitlines()):
        rest = _PROMPT.sub("", line).strip()
        if rest and rest not in echoed and not NOTICES.match(rest):
            said.append(rest)
    return " ".join(said)


def sanitize(config: str) -> str:
    """``config`` with every secret replaced by muronet's placeholder: a keyed fingerprint that
    differs when the secret differs (a diff still shows a changed key) and reveals nothing.

    >>> sanitize(" ip ospf message-digest-key 1 md5 s3cret")[:46]
    ' ip ospf message-digest-key 1 md5 <secret:sha-'
    >>> "s3cret" in sanitize(" neighbor 10.0.0.1 password s3cret")
    False
    """
    return mask(config, _FINGERPRINT_KEY)
