"""SEC-SVC and SEC-SNMP: services a device must not offer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from muronet.policy.context import DeviceAudit
from muronet.policy.registry import Violation, check
from muronet.policy.zonemap import boundary_ports

# STIG V-215823's list of services that must not appear in an IOS configuration
FORBIDDEN_IOS = ("boot network", "boot server", "ip bootp server", "ip dns server", "ip identd", "ip finger",
                 "ip rcmd rcp-enable", "ip rcmd rsh-enable", "service config", "service finger",
                 "service tcp-small-servers", "service udp-small-servers", "service pad")
# services that are on by default: the disabling line must be there
DISABLED_IOS = ("no ip bootp server", "no service pad", "no ip source-route")


@check("SEC-SVC-001", "cisco_ios")
def ios_legacy_services_off(audit: DeviceAudit) -> Iterator[Violation]:
    for child in audit.tree.children:
        if child.text.startswith(FORBIDDEN_IOS):
            yield Violation(f"legacy service enabled: {child.text}", audit.line_of(child))
    for line in DISABLED_IOS[:2]:
        if audit.tree.get_child(equals=line) is None:
            yield Violation(f"missing '{line}' (the service is on by default)")


@check("SEC-SVC-002", "cisco_ios")
def ios_no_source_route(audit: DeviceAudit) -> Iterator[Violation]:
    if audit.tree.get_child(equals="no ip source-route") is None:
        yield Violation("missing 'no ip source-route' (source routing is on by default)")


@check("SEC-SNMP-001", "cisco_ios")
def ios_no_snmp_community(audit: DeviceAudit) -> Iterator[Violation]:
    for child in audit.top("snmp-server community "):
        name = child.text.split()[2]
        yield Violation(f"SNMP community {'public/private ' if name in ('public', 'private') else ''}configured "
                        "(SNMPv3 only)", audit.line_of(child))
    legacy = re.compile(r"snmp-server host \S+ (version (1|2c)|\S+$)")
    for child in (c for c in audit.top("snmp-server host ") if legacy.match(c.text)):
        if not re.search(r"version 3", child.text):
            yield Violation(f"SNMP notifications without SNMPv3: {child.text.split()[2]}", audit.line_of(child))


@check("SEC-SVC-003", "cisco_ios")
def ios_discovery_off_on_boundary(audit: DeviceAudit) -> Iterator[Violation]:
    cdp = audit.tree.get_child(equals="no cdp run") is None
    lldp = audit.tree.get_child(equals="lldp run") is not None
    for port in boundary_ports(audit):
        if cdp and port.get_child(equals="no cdp enable") is None:
            yield Violation(f"{port.text}: CDP announces the device on a boundary/user port", audit.line_of(port))
        if lldp and not (port.get_child(equals="no lldp transmit") and port.get_child(equals="no lldp receive")):
            yield Violation(f"{port.text}: LLDP runs on a boundary/user port", audit.line_of(port))


@check("SEC-SVC-004", "cisco_ios")
def ios_no_proxy_arp_on_boundary(audit: DeviceAudit) -> Iterator[Violation]:
    if audit.tree.get_child(equals="ip arp proxy disable") is not None:
        return
    for port in boundary_ports(audit):
        if port.get_child(startswith="ip address ") and port.get_child(equals="no ip proxy-arp") is None:
            yield Violation(f"{port.text}: proxy ARP on (the IOS default)", audit.line_of(port))


@check("SEC-SVC-005", "cisco_ios")
def ios_icmp_quiet_on_boundary(audit: DeviceAudit) -> Iterator[Violation]:
    for port in boundary_ports(audit):
        if port.get_child(startswith="ip address ") is None:
            continue
        for needed in ("no ip redirects", "no ip unreachables"):
            if port.get_child(equals=needed) is None:
                yield Violation(f"{port.text}: missing '{needed}'", audit.line_of(port))
        if port.get_child(equals="ip mask-reply") is not None:
            yield Violation(f"{port.text}: ip mask-reply", audit.line_of(port))
    for interface in audit.top("interface "):
        broadcast = interface.get_child(startswith="ip directed-broadcast")
        if broadcast is not None:
            yield Violation(f"{interface.text}: ip directed-broadcast", audit.line_of(broadcast))


@check("SEC-SNMP-002", "cisco_ios")
def ios_snmpv3_priv_to_managers(audit: DeviceAudit) -> Iterator[Violation]:
    for group in (c for c in audit.top("snmp-server group ") if " v3 " in c.text):
        words = group.text.split()
        level = (words[4:5] or ["noauth"])[0]  # snmp-server group NAME v3 [noauth|auth|priv] …
        if level != "priv":
            yield Violation(f"SNMPv3 group {words[2]} at level {level}, not authPriv", audit.line_of(group))
        if "access" not in words:
            yield Violation(f"SNMPv3 group {words[2]} without an access list of managers", audit.line_of(group))
    for user in (c for c in audit.top("snmp-server user ") if re.match(r"snmp-server user \S+ \S+ v3", c.text)):
        if not re.search(r" auth sha", user.text) or not re.search(r" priv aes", user.text):
            yield Violation(f"SNMPv3 user {user.text.split()[2]} without SHA authentication and AES privacy",
                            audit.line_of(user))
    for host in audit.top("snmp-server host "):
        address = host.text.split()[2]
        if not re.search(r" version 3 priv ", host.text):
            yield Violation(f"SNMP notifications to {address} without authPriv", audit.line_of(host))
        managers = {str(m) for m in audit.settings.snmp_managers}
        if managers and address not in managers:
            yield Violation(f"SNMP notifications to {address}, which is not a policy SNMP manager", audit.line_of(host))
