"""SEC-MGMT: how the device is managed: SSH only, from the MGMT zone, with timeouts and a banner."""

from __future__ import annotations

import re
from collections.abc import Iterator

from muronet.platforms import get_platform
from muronet.policy.acl import acl_entries, parse_entry
from muronet.policy.context import ConfigNode, DeviceAudit
from muronet.policy.registry import Violation, check


def _vty_lines(audit: DeviceAudit) -> list[ConfigNode]:
    return audit.top("line vty")


@check("SEC-MGMT-002", "cisco_ios")
def ios_ssh_only(audit: DeviceAudit) -> Iterator[Violation]:
    for vty in _vty_lines(audit):
        transport = vty.get_child(startswith="transport input")
        if transport is None:
            yield Violation(f"{vty.text}: no transport input (the default admits telnet)", audit.line_of(vty))
        elif transport.text != "transport input ssh":
            yield Violation(f"{vty.text}: {transport.text} (ssh only)", audit.line_of(transport))


@check("SEC-MGMT-002", "frr")
def frr_no_vty_login(audit: DeviceAudit) -> Iterator[Violation]:
    """A vty password opens the daemons' telnet-style vty logins."""
    for child in audit.top("password "):
        yield Violation("vty password set: the daemons accept telnet-style logins", audit.line_of(child))
    for vty in _vty_lines(audit):
        if vty.get_child(equals="no login"):
            yield Violation("line vty: no login (unauthenticated vty)", audit.line_of(vty))


def _permits_outside(audit: DeviceAudit, entries: list[ConfigNode]) -> list[ConfigNode]:
    """Permit entries whose source is not inside the management prefixes."""
    outside = []
    for child in entries:
        entry = parse_entry(child.text)
        if entry is None or entry.action != "permit":
            continue
        if not any(entry.source.subnet_of(m) for m in audit.settings.management):  # ``any`` is in none
            outside.append(child)
    return outside


@check("SEC-MGMT-003", "cisco_ios", "frr")
def management_from_mgmt_only(audit: DeviceAudit) -> Iterator[Violation]:
    lines = _vty_lines(audit)
    if not lines and not get_platform(audit.platform).shows_vty_lines:
        yield Violation("no line vty block: vty access is not restricted")
    for vty in lines:
        access = vty.get_child(startswith="access-class")
        if access is None:
            yield Violation(f"{vty.text}: no access-class", audit.line_of(vty))
            continue
        name = access.text.split()[1]
        entries = acl_entries(audit, name)
        if not entries:
            yield Violation(f"{vty.text}: access-class {name} is not defined (permits everything)",
                            audit.line_of(access))
        for entry in _permits_outside(audit, entries):
            yield Violation(f"access-list {name} admits management from outside the MGMT zone: {entry.text}",
                            audit.line_of(entry))


@check("SEC-MGMT-004", "cisco_ios", "frr")
def idle_timeout(audit: DeviceAudit) -> Iterator[Violation]:
    limit = audit.settings.exec_timeout_min
    lines = [*_vty_lines(audit), *audit.top("line con "), *audit.top("line aux ")]
    for line in lines:
        timeout = line.get_child(startswith="exec-timeout")
        if timeout is None:
            implicit = get_platform(audit.platform).implicit_exec_timeout_min
            if implicit is None or limit < implicit:
                yield Violation(f"{line.text}: no exec-timeout", audit.line_of(line))
            continue
        minutes, *seconds = (int(x) for x in timeout.text.split()[1:])
        total = minutes * 60 + (seconds[0] if seconds else 0)
        if total == 0 or total > limit * 60:
            yield Violation(f"{line.text}: {timeout.text} (at most {limit} minutes, never 0)",
                            audit.line_of(timeout))


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


@check("SEC-MGMT-006", "cisco_ios")
def ios_banner(audit: DeviceAudit) -> Iterator[Violation]:
    banner = audit.tree.get_child(re_search=r"^banner (login|motd)")
    if banner is None:
        yield Violation("no login banner")
        return
    text = "\n".join(c.text for c in banner.all_children()) + banner.text
    wanted = audit.settings.banner.strip().splitlines()[0] if audit.settings.banner.strip() else ""
    if wanted and _normalised(wanted) not in _normalised(text):
        yield Violation("login banner is not the city's approved text", audit.line_of(banner))


@check("SEC-MGMT-005", "cisco_ios")
def ios_no_http_server(audit: DeviceAudit) -> Iterator[Violation]:
    for child in (c for c in audit.top("ip http ") if c.text in ("ip http server", "ip http secure-server")):
        yield Violation(f"{child.text}: web management enabled", audit.line_of(child))


@check("SEC-MGMT-001", "cisco_ios")
def ios_ssh_strong(audit: DeviceAudit) -> Iterator[Violation]:
    if audit.tree.get_child(equals="ip ssh version 2") is None:
        yield Violation("ip ssh version 2 missing")
    ciphers = audit.first("ip ssh server algorithm encryption")
    if ciphers is None or re.search(r"cbc|3des", ciphers.text):
        yield Violation("SSH ciphers: aes-ctr/gcm only", audit.line_of(ciphers) if ciphers else None)
    macs = audit.first("ip ssh server algorithm mac")
    if macs is None or re.search(r"hmac-sha1\b|md5", macs.text):
        yield Violation("SSH MACs: hmac-sha2 only", audit.line_of(macs) if macs else None)
    for setting, limit in (("ip ssh time-out", 60), ("ip ssh authentication-retries", 3)):
        line = audit.first(setting)
        if line is None or int(line.text.split()[-1]) > limit:
            yield Violation(f"{setting} at most {limit}", audit.line_of(line) if line else None)


@check("SEC-MGMT-007", "cisco_ios")
def ios_console_and_aux(audit: DeviceAudit) -> Iterator[Violation]:
    console = audit.first("line con 0")
    if console is None or console.get_child(startswith="login authentication") is None:
        yield Violation("line con 0 without login authentication", audit.line_of(console) if console else None)
    aux = audit.first("line aux 0")
    if aux is not None:
        for needed in ("no exec", "transport input none"):
            if aux.get_child(equals=needed) is None:
                yield Violation(f"line aux 0 without '{needed}'", audit.line_of(aux))
