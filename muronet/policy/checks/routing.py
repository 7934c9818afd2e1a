"""SEC-CP: routing protocol authentication and eBGP session safety."""

from __future__ import annotations

import re
from collections.abc import Iterator

from muronet.policy.context import ConfigNode, DeviceAudit
from muronet.policy.registry import Violation, check
from muronet.policy.zonemap import ospf_interfaces


@check("SEC-CP-002", "frr", "cisco_ios")
def routing_authenticated(audit: DeviceAudit) -> Iterator[Violation]:
    for interface in ospf_interfaces(audit):
        texts = [c.text for c in interface.children]
        if not any(t.startswith("ip ospf authentication") for t in texts):
            yield Violation(f"{interface.text}: OSPF without authentication", audit.line_of(interface))
        elif not any(re.match(r"ip ospf (message-digest-key|authentication key-chain)", t) for t in texts):
            yield Violation(f"{interface.text}: OSPF authentication without a key", audit.line_of(interface))
    for bgp in audit.top("router bgp"):
        peers = {c.text.split()[1] for c in bgp.get_children(re_search=r"^neighbor \S+ remote-as ")}
        keyed = {c.text.split()[1] for c in bgp.get_children(re_search=r"^neighbor \S+ password ")}
        for peer in sorted(peers - keyed):
            yield Violation(f"BGP neighbor {peer} without a session password",
                            audit.line(bgp.text, f"neighbor {peer} remote-as " + _remote_as(bgp, peer)))


def _remote_as(bgp: ConfigNode, peer: str) -> str:
    child = bgp.get_child(startswith=f"neighbor {peer} remote-as ")
    return child.text.split()[-1] if child else ""


@check("SEC-CP-003", "frr", "cisco_ios")
def ebgp_session_safety(audit: DeviceAudit) -> Iterator[Violation]:
    for bgp in audit.top("router bgp"):
        local_as = bgp.text.split()[2]
        if bgp.get_child(equals="no bgp ebgp-requires-policy"):
            yield Violation("no bgp ebgp-requires-policy: eBGP routes flow without policy",
                            audit.line(bgp.text, "no bgp ebgp-requires-policy"))
        lines = [c.text for c in bgp.all_children()]
        for peer_line in bgp.get_children(re_search=r"^neighbor \S+ remote-as \d+$"):
            peer, remote_as = peer_line.text.split()[1], peer_line.text.split()[-1]
            if remote_as == local_as:
                continue
            for needed, what in ((f"neighbor {peer} route-map \\S+ in", "inbound policy"),
                                 (f"neighbor {peer} route-map \\S+ out", "outbound policy"),
                                 (f"neighbor {peer} maximum-prefix ", "maximum-prefix"),
                                 (f"neighbor {peer} ttl-security hops 1", "ttl-security hops 1")):
                if not any(re.match(needed, line) for line in lines):
                    yield Violation(f"eBGP neighbor {peer} (AS {remote_as}) without {what}",
                                    audit.line_of(peer_line))


@check("SEC-CP-001", "cisco_ios")
def ios_control_plane_policing(audit: DeviceAudit) -> Iterator[Violation]:
    plane = audit.tree.get_child(equals="control-plane")
    policy = plane.get_child(startswith="service-policy input ") if plane else None
    if policy is None:
        yield Violation("no control-plane service-policy input", audit.line_of(plane) if plane else None)
    elif audit.tree.get_child(equals=f"policy-map {policy.text.split()[-1]}") is None:
        yield Violation(f"control-plane policy {policy.text.split()[-1]} is not defined", audit.line_of(policy))
