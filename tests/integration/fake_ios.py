"""A FAKE Cisco IOS switch over SSH, for tests: no IOS can run on this machine.

It answers NAPALM's ``ios`` driver and Netmiko the way a Catalyst does, so their real code paths
run against it: the exec prompt and configuration mode, ``terminal length/width``, SCP into
``flash:`` (NAPALM's ``load_replace_candidate``), ``dir``, ``verify /md5``, ``copy``, ``show archive
config differences`` (NAPALM's ``compare_config``), ``configure replace … revert trigger error
timer N``, ``configure confirm``, ``configure revert now``, ``write memory``, and the show commands
muronet reads. Every answer is either **recorded real IOS output** (``tests/data/ios_recorded/``,
sources and licences in its SOURCE.md; ``show version`` and ``show ip ospf neighbor`` are served as
recorded) or, where the answer depends on the switch's configuration (the running configuration,
``show interfaces``, ``show vlan all-ports``, ``show interfaces switchport``, ``show port-security
interface``, ``dir``), laid out exactly as the recorded specimen of that command, with this
switch's values put in.

What it does not do: check IOS syntax (it takes any line), run protocols (OSPF, STP, port security
enforcement). A port "has a cable" when the test says so (``cabled``): a trunk without one is not
trunking, as on a real switch whose uplink fibre is not patched.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import threading
import time
from dataclasses import dataclass, field

import paramiko
from netutils.vlan import vlanconfig_to_list
from support import DATA

RECORDED = DATA / "ios_recorded"
_INVALID = "                ^\r\n% Invalid input detected at '^' marker.\r\n"


def recorded(name: str) -> str:
    return (RECORDED / name).read_text()


def _blocks(config: str) -> list[tuple[str, list[str]]]:
    """Top-level lines with their indented lines (comments and IOS's header lines left out)."""
    blocks: list[tuple[str, list[str]]] = []
    for line in config.splitlines():
        if not line.strip() or line.strip().startswith("!") or line.startswith(("Building configuration",
                                                                                 "Current configuration")):
            continue
        if line[0].isspace() and blocks:
            blocks[-1][1].append(line.strip())
        elif line.strip() != "end":
            blocks.append((line.rstrip(), []))
    return blocks


def contextual_diff(running: str, candidate: str) -> str:
    """``show archive config differences``: IOS's contextual diff (a parent unsigned, its changed
    lines signed), the running configuration first."""
    old, new = dict(_blocks(running)), dict(_blocks(candidate))
    out = []
    for head, children in _blocks(candidate):
        if head not in old:
            out += [f"+{head}", *(f" +{c}" for c in children)]
        else:
            changed = [f" -{c}" for c in old[head] if c not in children] + [
                f" +{c}" for c in children if c not in old[head]]
            out += [head, *changed] if changed else []
    for head, children in _blocks(running):
        if head not in new:
            out += [f"-{head}", *(f" -{c}" for c in children)]
    return "!Contextual Config Diffs:\n" + "\n".join(out) if out else "!No changes were found"


@dataclass
class Switch:
    """One fake switch's state, shared by every session to it."""

    hostname: str
    ports: list[str]  # the hardware's ports, full IOS names
    running: str  # configuration text, without IOS's header
    cabled: set[str] = field(default_factory=set)  # ports with a live link
    flash: dict[str, bytes] = field(default_factory=dict)
    pending: dict[str, object] | None = None  # an unconfirmed configure replace: user, previous, timer
    answers: dict[str, str] = field(default_factory=dict)  # command → recorded output, served as it is
    commands: list[str] = field(default_factory=list)  # every command received, for tests
    lock: threading.RLock = field(default_factory=threading.RLock)
    startup: str = field(init=False, default="")  # what `write memory` saved

    def __post_init__(self) -> None:
        self.running = _without_end(self.running)
        self.startup = self.running

    # --- configuration ------------------------------------------------------------------------
    def shown_running(self) -> str:
        body = self.running.strip("\n") + "\n"
        return (f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n!\n"
                f"! Last configuration change at 09:00:00 JST Tue Dec 1 2026 by muronet\n!\nversion 17.9\n"
                f"{body}!\nend\n")

    def interfaces(self) -> dict[str, list[str]]:
        return {head.split(None, 1)[1]: children for head, children in _blocks(self.running)
                if head.startswith("interface ")}

    def replace(self, text: str, user: str, minutes: int | None) -> str:
        with self.lock:
            previous = self.running
            self.running = _without_end("\n".join(line for line in text.splitlines() if not line.startswith(
                ("Building configuration", "Current configuration"))))
            if minutes:
                timer = threading.Timer(minutes * 60, self.revert)
                timer.daemon = True
                timer.start()
                self.pending = {"user": user, "previous": previous, "timer": timer, "minutes": minutes}
        return "Total number of passes: 1\nRollback Done\n"

    def revert(self) -> None:
        with self.lock:
            if self.pending is not None:
                self.pending["timer"].cancel()  # type: ignore[attr-defined]
                self.running = self.pending["previous"]  # type: ignore[assignment]
                self.pending = None

    def confirm(self) -> None:
        with self.lock:
            if self.pending is not None:
                self.pending["timer"].cancel()  # type: ignore[attr-defined]
                self.pending = None

    # --- state, laid out as the recorded specimens ---------------------------------------------
    def switchport(self) -> str:
        specimen = recorded("show_interfaces_switchport.txt").strip("\n").split("\n\nName: ")[0]
        out = []
        for name, lines in self.interfaces().items():
            if not any(line.startswith("switchport") for line in lines) or name not in self.ports:
                continue
            mode = "trunk" if "switchport mode trunk" in lines else "static access"
            access = _value(lines, "switchport access vlan ") or "1"
            native = _value(lines, "switchport trunk native vlan ") or "1"
            allowed = _value(lines, "switchport trunk allowed vlan ") or "ALL"
            block = specimen.replace("Name: Gi0/1", f"Name: {_short(name)}")
            block = re.sub(r"Administrative Mode: .*", f"Administrative Mode: {mode}", block)
            block = re.sub(r"Operational Mode: .*", "Operational Mode: " + (
                mode if self._link(name)[0] == "up" else "down"), block)
            block = re.sub(r"Access Mode VLAN: .*", f"Access Mode VLAN: {access} ({self.vlan_name(access)})", block)
            block = re.sub(r"Trunking Native Mode VLAN: .*",
                           f"Trunking Native Mode VLAN: {native} ({self.vlan_name(native)})", block)
            block = re.sub(r"Trunking VLANs Enabled: .*", f"Trunking VLANs Enabled: {allowed}", block)
            out.append(block)
        return "\n\n".join(out) + "\n"

    def vlan_name(self, vlan: str) -> str:
        if vlan == "1":
            return "default"
        blocks = dict(_blocks(self.running))
        return next((line.split(None, 1)[1] for line in blocks.get(f"vlan {vlan}", []) if line.startswith("name ")),
                    f"VLAN{int(vlan):04d}")

    def _link(self, name: str) -> tuple[str, str]:
        """A port's status and line protocol, as ``show interfaces`` says them."""
        if "shutdown" in self.interfaces().get(name, []):
            return "administratively down", "down"
        return ("up", "up") if name in self.cabled else ("down", "down")

    def show_interfaces(self) -> str:
        specimen = recorded("show_interfaces.txt").split("\nGigabitEthernet2 is up")[0].splitlines()
        out = []
        for n, name in enumerate(self.ports):
            status, protocol = self._link(name)
            description = _value(self.interfaces().get(name, []), "description ")
            bandwidth = "10000000" if name.startswith("Ten") else "1000000"
            for line in specimen:
                if line.startswith("GigabitEthernet1 is up"):
                    line = f"{name} is {status}, line protocol is {protocol}"
                elif line.startswith("  Hardware is"):
                    mac = f"00a3.d1{n // 256:02x}.{n % 256:02x}00"
                    line = f"  Hardware is Gigabit Ethernet, address is {mac} (bia {mac})"
                    if description:
                        line += f"\n  Description: {description}"
                elif line.startswith("  Internet address"):
                    continue  # a switch port has none
                elif line.startswith("  MTU"):
                    line = line.replace("BW 1000000 Kbit", f"BW {bandwidth} Kbit")
                out.append(line)
        return "\n".join(out) + "\n"

    def carried(self) -> dict[str, list[str]]:
        """Per VLAN of the switch's database, its ports as ``show vlan all-ports`` lists them:
        access ports in it, and trunks that are up, trunking and allowed to carry it."""
        database = {"1"} | {head.split()[1] for head, _ in _blocks(self.running) if re.fullmatch(r"vlan \d+", head)}
        members: dict[str, list[str]] = {vlan: [] for vlan in database}
        for name, lines in self.interfaces().items():
            if name not in self.ports:
                continue
            if "switchport mode trunk" in lines:
                if self._link(name)[0] != "up":
                    continue
                allowed = _value(lines, "switchport trunk allowed vlan ")
                vlans = [str(v) for v in vlanconfig_to_list(f"switchport trunk allowed vlan {allowed}")] if allowed \
                    else sorted(database)
            else:
                vlans = [_value(lines, "switchport access vlan ") or "1"]
            for vlan in vlans:
                if vlan in members:
                    members[vlan].append(_short(name))
        return members

    def show_vlan(self) -> str:
        header = recorded("show_vlan_all_ports.txt").splitlines()[:2]
        rows = [f"{vlan:<4} {self.vlan_name(vlan):<32} {'active':<9} {', '.join(ports)}".rstrip()
                for vlan, ports in sorted(self.carried().items(), key=lambda item: int(item[0]))]
        return "\n".join(header + rows) + "\n"

    def port_security(self, name: str) -> str:
        lines = self.interfaces().get(name)
        if lines is None:
            return _INVALID
        on = "switchport port-security" in lines
        text = recorded("show_port-security_interface.txt")
        text = text.replace("Port Security              : Disabled", "Port Security              : "
                            + ("Enabled" if on else "Disabled"))
        maximum = _value(lines, "switchport port-security maximum ") or "1"
        return text.replace("Maximum MAC Addresses      : 1", f"Maximum MAC Addresses      : {maximum}")

    def directory(self, path: str) -> str:
        specimen = recorded("dir.txt").splitlines()
        row = specimen[4]  # "   12  -rw-  46  Apr 22 2016 12:36:24 +00:00  .CsrLxc_LastInstall"
        total = specimen[-1].replace("7835619328", "1621966848").replace("6612774912", "1287503872")
        name = path.removeprefix("flash:").lstrip("/")
        if name and name not in self.flash:
            return f"%Error opening flash:/{name} (No such file or directory)\n"
        listed = [name] if name else sorted(self.flash)
        rows = [re.sub(r"(\d+)\s+(\S.*?\+00:00)\s+\S+$", lambda m, f=f: f"{len(self.flash[f]):>8}  {m.group(2)}  {f}",
                       row.replace("   12", f"{n + 20:>5}"))
                for n, f in enumerate(listed)]
        return f"Directory of flash:/{name}\n\n" + "\n".join(rows) + f"\n\n{total}\n"


def _without_end(config: str) -> str:
    """A configuration as the switch keeps it: IOS shows ``end`` of itself."""
    return "\n".join(line for line in config.splitlines() if line.strip() != "end").strip("\n") + "\n"


def _short(name: str) -> str:
    return name.replace("TenGigabitEthernet", "Te").replace("GigabitEthernet", "Gi")


def _value(lines: list[str], prefix: str) -> str | None:
    return next((line.removeprefix(prefix) for line in lines if line.startswith(prefix)), None)


def _filtered(output: str, pipe: str) -> str:
    """IOS's output modifiers: ``| include|exclude|section REGEX``."""
    how, _, pattern = pipe.strip().partition(" ")
    regex = re.compile(pattern.strip())
    lines = output.splitlines()
    if "include".startswith(how) or how == "inc":
        lines = [line for line in lines if regex.search(line)]
    elif "exclude".startswith(how):
        lines = [line for line in lines if not regex.search(line)]
    elif "section".startswith(how):
        kept, keep = [], False
        for line in lines:
            keep = bool(regex.search(line)) if not line.startswith(" ") else keep
            if keep:
                kept.append(line)
        lines = kept
    return "\n".join(lines) + ("\n" if lines else "")


class _Cli:
    """One interactive session: the exec and configuration modes of IOS's command line."""

    def __init__(self, switch: Switch, user: str) -> None:
        self.switch, self.user, self.config_mode = switch, user, False

    def prompt(self) -> str:
        return f"{self.switch.hostname}(config)#" if self.config_mode else f"{self.switch.hostname}#"

    def answer(self, line: str) -> str:
        command = " ".join(line.split())
        if command:
            self.switch.commands.append(command)
        if self.config_mode:
            return self._configure(command)
        base, _, pipe = command.partition(" | ")
        output = self._exec(base)
        return _filtered(output, pipe) if pipe else output

    def _configure(self, command: str) -> str:
        if command in ("end", "exit"):
            self.config_mode = False
            return ""
        with self.switch.lock:
            lines = self.switch.running.splitlines()
            if command.startswith("no "):
                lines = [line for line in lines if line != command[3:]]
            elif command and command not in lines:
                lines.append(command)
            self.switch.running = "\n".join(lines) + "\n"
        return ""

    def _exec(self, command: str) -> str:
        switch = self.switch
        words = command.split()
        if not command or command.startswith(("terminal length", "terminal width", "terminal no")):
            return ""
        if command in ("configure terminal", "conf t"):
            self.config_mode = True
            return "Enter configuration commands, one per line.  End with CNTL/Z.\n"
        if command in switch.answers:
            return switch.answers[command]
        if command == "show version":
            return recorded("show_version.txt").replace("NS2903-ASW-01", switch.hostname)
        if command in ("show running-config", "show run"):
            return switch.shown_running()
        if command == "show startup-config":
            return switch.shown_running().replace(switch.running.strip("\n"), switch.startup.strip("\n"))
        if command == "show ip ospf neighbor":
            return recorded("show_ip_ospf_neighbor.txt").splitlines()[0] + "\n"  # a switch runs no OSPF
        if command == "show interfaces switchport":
            return switch.switchport()
        if command == "show interfaces":
            return switch.show_interfaces()
        if command == "show vlan all-ports":
            return switch.show_vlan()
        if words[:3] == ["show", "port-security", "interface"] and len(words) == 4:
            return switch.port_security(words[3])
        if words[0] == "dir":
            return switch.directory(words[1] if len(words) > 1 else "flash:")
        if words[:2] == ["verify", "/md5"] and len(words) == 3:
            name = words[2].removeprefix("flash:").lstrip("/")
            if name not in switch.flash:
                return f"%Error opening {words[2]} (No such file or directory)\n"
            digest = hashlib.md5(switch.flash[name]).hexdigest()
            return f".MD5 of {words[2]} Done!\nverify /md5 ({words[2]}) = {digest}\n"
        if words[0] == "copy" and len(words) == 3:
            return self._copy(words[1], words[2])
        if command in ("write memory", "write mem", "copy running-config startup-config"):
            switch.startup = switch.running
            return "Building configuration...\n[OK]\n"
        if command == "show archive":
            if not re.search(r"^archive$", switch.running, re.M):
                return recorded("show_archive_disabled.txt") + "\n"
            return ("The maximum archive configurations allowed is 10.\n"
                    f"The next archive file will be named flash:archive/{switch.hostname}-1\n Archive #  Name\n")
        if command == "show archive config rollback timer":
            pending = switch.pending
            if pending is None:
                return "%No Rollback Confirmed Change pending\n"
            return (f"Time configured: 09:00:00 JST Tue Dec 1 2026\nTimer type: absolute\n"
                    f"Timer value: {pending['minutes']} min\nUser: {pending['user']}\n")
        if words[:4] == ["show", "archive", "config", "differences"] and len(words) == 6:
            candidate = switch.flash.get(words[5].removeprefix("flash:").lstrip("/"), b"").decode()
            return contextual_diff(switch.running, candidate) + "\n"
        if words[:2] == ["configure", "replace"] and len(words) >= 3:
            name = words[2].removeprefix("flash:").lstrip("/")
            if name not in switch.flash:
                return f"%Error opening {words[2]} (No such file or directory)\n"
            minutes = int(words[words.index("timer") + 1]) if "timer" in words else None
            return switch.replace(switch.flash[name].decode(), self.user, minutes)
        if command == "configure confirm":
            switch.confirm()
            return ""
        if command == "configure revert now":
            switch.revert()
            return "Rollback Done\n"
        return _INVALID

    def _copy(self, source: str, target: str) -> str:
        name = target.removeprefix("flash:").lstrip("/")
        if source == "running-config" and target.startswith("flash:"):
            data = self.switch.running.encode()
        elif source == "null:" and target.startswith("flash:"):
            data = b""
        else:
            return _INVALID
        self.switch.flash[name] = data
        return f"{len(data)} bytes copied in 0.104 secs ({len(data) * 10} bytes/sec)\n"


class _Server(paramiko.ServerInterface):
    """One SSH connection: password login, then any number of channels, each a shell or an exec
    request (Ansible's libssh session copies files on a channel of its shell's connection)."""

    def __init__(self, fake: FakeIos) -> None:
        self.fake = fake
        self.user = ""
        self.requests: dict[int, str | None] = {}  # channel id → exec command (None: a shell)
        self.requested = threading.Condition()

    def check_auth_password(self, username: str, password: str) -> int:
        if (username, password) == (self.fake.username, self.fake.password):
            self.user = username
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args: object) -> bool:
        return True

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        return self._request(channel, None)

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        return self._request(channel, command.decode())

    def _request(self, channel: paramiko.Channel, command: str | None) -> bool:
        with self.requested:
            self.requests[channel.get_id()] = command
            self.requested.notify_all()
        return True

    def request_of(self, channel: paramiko.Channel, timeout: float = 10) -> tuple[bool, str | None]:
        with self.requested:
            self.requested.wait_for(lambda: channel.get_id() in self.requests, timeout)
            return channel.get_id() in self.requests, self.requests.get(channel.get_id())


class FakeIos:
    """The FAKE IOS switches of a test, each on its own 127.0.0.1 port with its own host key."""

    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.switches: dict[str, Switch] = {}
        self.ports: dict[str, int] = {}
        self.keys: dict[str, paramiko.ECDSAKey] = {}
        self._sockets: list[socket.socket] = []
        self._stopping = threading.Event()

    def add(self, switch: Switch) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.settimeout(0.2)
        self._sockets.append(listener)
        port = listener.getsockname()[1]
        self.switches[switch.hostname], self.ports[switch.hostname] = switch, port
        self.keys[switch.hostname] = paramiko.ECDSAKey.generate()
        threading.Thread(target=self._accept, args=(listener, switch), daemon=True).start()
        return port

    def known_hosts(self) -> str:
        return "".join(f"[127.0.0.1]:{self.ports[name]} {key.get_name()} {key.get_base64()}\n"
                       for name, key in self.keys.items())

    def close(self) -> None:
        self._stopping.set()
        for listener in self._sockets:
            listener.close()
        for switch in self.switches.values():
            switch.confirm()  # no timer outlives the test

    def _accept(self, listener: socket.socket, switch: Switch) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(connection, switch), daemon=True).start()

    def _serve(self, connection: socket.socket, switch: Switch) -> None:
        transport = paramiko.Transport(connection)
        transport.add_server_key(self.keys[switch.hostname])
        server = _Server(self)
        try:
            transport.start_server(server=server)
            while transport.is_active() and not self._stopping.is_set():
                channel = transport.accept(0.5)
                if channel is not None:
                    threading.Thread(target=self._channel, args=(channel, server, switch), daemon=True).start()
        except (EOFError, OSError, paramiko.SSHException):
            pass
        finally:
            transport.close()

    @staticmethod
    def _channel(channel: paramiko.Channel, server: _Server, switch: Switch) -> None:
        try:
            known, command = server.request_of(channel)
            if not known:
                return
            if command is not None:
                _scp_sink(channel, switch, command)
            else:
                _shell(channel, _Cli(switch, server.user))
        except (EOFError, OSError, paramiko.SSHException):
            pass
        finally:
            with contextlib.suppress(EOFError, OSError, paramiko.SSHException):  # the client may be gone
                channel.close()


def _shell(channel: paramiko.Channel, cli: _Cli) -> None:
    """Echo what is typed, answer each line, show the prompt (CRLF line ends, as IOS sends)."""
    channel.sendall(f"\r\n{cli.prompt()}".encode())
    buffer = b""
    while True:
        data = channel.recv(4096)
        if not data:
            return
        buffer += data
        while (end := re.search(rb"\r\n|\r|\n", buffer)) is not None:
            line, buffer = buffer[:end.start()].decode(errors="replace"), buffer[end.end():]
            output = cli.answer(line)
            channel.sendall((line + "\r\n" + output.replace("\r\n", "\n").replace("\n", "\r\n")
                             + cli.prompt()).encode())


def _scp_sink(channel: paramiko.Channel, switch: Switch, command: str) -> None:
    """``scp -t flash:/NAME``: the receiving side of the SCP protocol, into the switch's flash."""
    switch.commands.append(command)
    words = command.split()
    if not words or words[0] != "scp" or "-t" not in words:  # libssh adds flags (-d, -r), Netmiko none
        channel.send_exit_status(127)
        return
    name = words[-1].strip("'\"").removeprefix("flash:").lstrip("/")
    channel.sendall(b"\0")
    header = b""
    while not header.endswith(b"\n"):
        header += channel.recv(1)
    mode_size_name = header.decode().split(" ", 2)  # "C0644 1234 candidate_config.txt\n"
    size = int(mode_size_name[1])
    channel.sendall(b"\0")
    data = b""
    while len(data) < size + 1:  # the file, then the sender's \0
        chunk = channel.recv(size + 1 - len(data))
        if not chunk:
            break
        data += chunk
    switch.flash[name] = data[:size]
    channel.sendall(b"\0")
    time.sleep(0.05)
    channel.send_exit_status(0)
