"""SEC-LOG: where logs go and how they are stamped."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_address

from policy.context import DeviceAudit
from policy.registry import Violation, check


@check("SEC-LOG-001", "cisco_ios")
def ios_syslog_servers(audit: DeviceAudit) -> Iterator[Violation]:
    hosts = []
    for child in audit.tree.get_children(startswith="logging host "):
        address = ip_address(child.text.split()[2])
        hosts.append(address)
        if audit.settings.syslog_servers and address not in audit.settings.syslog_servers:
            yield Violation(f"logs sent to {address}, not a city log server", audit.line_of(child))
    if len([h for h in hosts if h in audit.settings.syslog_servers or not audit.settings.syslog_servers]) < 2:
        yield Violation("fewer than two city log servers")
    trap = audit.tree.get_child(startswith="logging trap")
    if trap is not None and trap.text.split()[-1] not in ("informational", "debugging", "6", "7"):
        yield Violation(f"{trap.text}: informational or more verbose", audit.line_of(trap))


@check("SEC-LOG-001", "frr")
def frr_syslog(audit: DeviceAudit) -> Iterator[Violation]:
    """FRR logs to the host's syslog (forwarding to the log servers is the host's rsyslog)."""
    line = audit.tree.get_child(startswith="log syslog")
    if line is None:
        yield Violation("no 'log syslog informational': FRR does not log to syslog")
    elif line.text.split()[-1] not in ("informational", "debugging", "syslog"):
        yield Violation(f"{line.text}: informational or more verbose", audit.line_of(line))


@check("SEC-LOG-002", "cisco_ios")
def ios_timestamps(audit: DeviceAudit) -> Iterator[Violation]:
    stamp = audit.tree.get_child(startswith="service timestamps log")
    if stamp is None or "datetime" not in stamp.text or "show-timezone" not in stamp.text:
        yield Violation("log timestamps need datetime and show-timezone", audit.line_of(stamp) if stamp else None)
    if audit.tree.get_child(startswith="clock timezone JST 9") is None:
        yield Violation("clock timezone JST 9 0 missing")


@check("SEC-LOG-002", "frr")
def frr_timestamps(audit: DeviceAudit) -> Iterator[Violation]:
    line = audit.tree.get_child(startswith="log timestamp precision")
    if line is None or int(line.text.split()[-1]) < 1:
        yield Violation("no 'log timestamp precision N' (N ≥ 1)", audit.line_of(line) if line else None)
