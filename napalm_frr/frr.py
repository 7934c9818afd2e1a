"""NAPALM driver for FRRouting, over SSH into vtysh (Netmiko underneath).

FRR's vtysh speaks enough of the IOS dialect for Netmiko's ``cisco_ios`` type (show commands,
configuration mode); the getters use FRR's JSON output where it has one and return NAPALM's
result shapes, so reports work across platforms.

Optional arguments: ``port`` and Netmiko's host-key options (``ssh_strict``,
``system_host_keys``, ``alt_host_keys``, ``alt_key_file``); host keys are checked by default.
"""

from __future__ import annotations

import json
import re
from typing import Any

from napalm.base.base import NetworkDriver
from napalm.base.exceptions import ConnectionClosedException, ConnectionException
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

_NETMIKO_OPTIONS = ("port", "ssh_strict", "system_host_keys", "alt_host_keys", "alt_key_file", "conn_timeout")
_VERSION = re.compile(r"^FRRouting (\S+) \((\S+)\)", re.M)
_VRF_LINE = re.compile(r"^vrf (\S+) id ", re.M)  # "vrf LGWAN id 1 netns /run/netns/LGWAN"


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

    # --- session ---------------------------------------------------------------------------------

    def open(self) -> None:
        try:
            self.device = ConnectHandler(device_type="cisco_ios", host=self.hostname, username=self.username,
                                         password=self.password, timeout=self.timeout, fast_cli=True,
                                         **self.netmiko_options)
        except (NetmikoTimeoutException, NetmikoAuthenticationException, OSError) as error:
            raise ConnectionException(f"{self.hostname}: {error}") from error

    def close(self) -> None:
        if self.device is not None:
            self.device.disconnect()
            self.device = None

    def is_alive(self) -> dict[str, bool]:
        return {"is_alive": bool(self.device and self.device.is_alive())}

    def _send(self, command: str) -> str:
        if self.device is None:
            raise ConnectionClosedException(f"{self.hostname}: not connected (call open() first)")
        return self.device.send_command(command, read_timeout=self.timeout)

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

    def get_config(self, retrieve: str = "all", full: bool = False, sanitized: bool = False,
                   format: str = "text") -> dict[str, str]:
        config = {"running": "", "startup": "", "candidate": ""}
        if retrieve in ("all", "running"):
            config["running"] = self._send("show running-config")
        return config

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
