"""SEC-LOG: where logs go and how they are stamped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from ipaddress import ip_address

from muronet.policy.context import DeviceAudit
from muronet.policy.registry import REDUNDANT_SERVERS, Violation, check


@check("SEC-LOG-001", "cisco_ios")
def ios_syslog_servers(audit: DeviceAudit) -> Iterator[Violation]:
    hosts = []
    for child in audit.top("logging host "):
        address = ip_address(child.text.split()[2])
        hosts.append(address)
        if audit.settings.syslog_servers and address not in audit.settings.syslog_servers:
            yield Violation(f"logs sent to {address}, not a city log server", audit.line_of(child))
    city_hosts = [h for h in hosts if h in audit.settings.syslog_servers or not audit.settings.syslog_servers]
    if len(city_hosts) < REDUNDANT_SERVERS:
        yield Violation(f"fewer than {REDUNDANT_SERVERS} city log servers")
    trap = audit.first("logging trap")
    if trap is not None and trap.text.split()[-1] not in ("informational", "debugging", "6", "7"):
        yield Violation(f"{trap.text}: informational or more verbose", audit.line_of(trap))


@check("SEC-LOG-001", "frr")
def frr_syslog(audit: DeviceAudit) -> Iterator[Violation]:
    """FRR logs to the host's syslog (forwarding to the log servers is the host's rsyslog)."""
    line = audit.first("log syslog")
    if line is None:
        yield Violation("no 'log syslog informational': FRR does not log to syslog")
    elif line.text.split()[-1] not in ("informational", "debugging", "syslog"):
        yield Violation(f"{line.text}: informational or more verbose", audit.line_of(line))


@check("SEC-LOG-002", "cisco_ios")
def ios_timestamps(audit: DeviceAudit) -> Iterator[Violation]:
    stamp = audit.first("service timestamps log")
    if stamp is None or "datetime" not in stamp.text or "show-timezone" not in stamp.text:
        yield Violation("log timestamps need datetime and show-timezone", audit.line_of(stamp) if stamp else None)
    if audit.first("clock timezone JST 9") is None:
        yield Violation("clock timezone JST 9 0 missing")


@check("SEC-LOG-002", "frr")
def frr_timestamps(audit: DeviceAudit) -> Iterator[Violation]:
    line = audit.first("log timestamp precision")
    if line is None or int(line.text.split()[-1]) < 1:
        yield Violation("no 'log timestamp precision N' (N ≥ 1)", audit.line_of(line) if line else None)


@check("SEC-LOG-003", "cisco_ios")
def ios_login_logging(audit: DeviceAudit) -> Iterator[Violation]:
    for needed in ("login on-failure log", "login on-success log"):
        if audit.tree.get_child(equals=needed) is None:
            yield Violation(f"'{needed}' missing")


@check("SEC-LOG-004", "cisco_ios")
def ios_config_change_log(audit: DeviceAudit) -> Iterator[Violation]:
    archive = audit.tree.get_child(equals="archive")
    log = archive.get_child(equals="log config") if archive else None
    if log is None or log.get_child(equals="logging enable") is None:
        yield Violation("archive / log config / logging enable missing", audit.line_of(archive) if archive else None)


@check("SEC-NTP-001", "cisco_ios")
def ios_ntp_servers(audit: DeviceAudit) -> Iterator[Violation]:
    servers = []
    for line in audit.top("ntp server "):
        address = next((w for w in line.text.split()[2:] if re.match(r"\d+\.\d+\.\d+\.\d+$", w)), None)
        if address is None:
            continue
        servers.append(address)
        if audit.settings.ntp_servers and ip_address(address) not in audit.settings.ntp_servers:
            yield Violation(f"NTP from {address}, not a city NTP server", audit.line_of(line))
    if len(servers) < REDUNDANT_SERVERS:
        yield Violation(f"{len(servers)} NTP server(s); at least {REDUNDANT_SERVERS}")


@check("SEC-NTP-002", "cisco_ios")
def ios_ntp_authenticated(audit: DeviceAudit) -> Iterator[Violation]:
    if audit.tree.get_child(equals="ntp authenticate") is None:
        yield Violation("ntp authenticate missing")
    trusted = {line.text.split()[-1] for line in audit.top("ntp trusted-key ")}
    for key in audit.top("ntp authentication-key "):
        if " md5 " in f" {key.text} ":
            yield Violation(f"NTP key {key.text.split()[2]} uses MD5 (use hmac-sha2-256)", audit.line_of(key))
    for server in audit.top("ntp server "):
        key = re.search(r" key (\d+)", server.text)
        if key is None or key.group(1) not in trusted:
            yield Violation(f"{server.text.split(' key')[0]}: no trusted key", audit.line_of(server))
