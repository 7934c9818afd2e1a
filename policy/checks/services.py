"""SEC-SVC and SEC-SNMP: services a device must not offer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policy.context import DeviceAudit
from policy.registry import Violation, check

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
    for child in audit.tree.get_children(startswith="snmp-server community "):
        name = child.text.split()[2]
        yield Violation(f"SNMP community {'public/private ' if name in ('public', 'private') else ''}configured "
                        "(SNMPv3 only)", audit.line_of(child))
    for child in audit.tree.get_children(re_search=r"^snmp-server host \S+ (version (1|2c)|\S+$)"):
        if not re.search(r"version 3", child.text):
            yield Violation(f"SNMP notifications without SNMPv3: {child.text.split()[2]}", audit.line_of(child))
