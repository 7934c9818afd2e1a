"""FRRouting: the platform the digital twin runs; interface names are Linux names."""

from __future__ import annotations

from hier_config import HConfigChild
from hier_config.platforms.driver_base import HConfigDriverBase

from muronet.platforms.base import Platform, register
from muronet.platforms.frr_hconfig import HConfigDriverFrr


@register
class Frr(Platform):
    name = "frr"
    template_dir = "frr"
    netmiko_device_type = "cisco_ios"  # vtysh speaks enough IOS for Netmiko (see the notes)
    napalm_driver = "frr"
    ansible_network_os = "frr.frr.frr"
    has_host_services = True
    runs_in_twin = True
    shows_vty_lines = False
    implicit_exec_timeout_min = 10  # vtysh's default
    filters_in_config = False
    # FRR 8.4's configuration node, as `vtysh -c "configure terminal" -c list` names its commands
    command_words = frozenset(str.split(
        "access-list agentx allow-external-route-update allow-reserved-ranges banner bfd bgp debug domainname "
        "dump enable end exit frr hostname interface ip ipv6 key l2vpn line log mac mpls nexthop-group nhrp no "
        "password pbr pbr-map pseudowire route-map router router-id rpki segment-routing service username vni "
        "vrf zebra table agentx"))

    def interface_name(self, canonical: str) -> str:
        """FRR uses the kernel's names as they are.

        >>> Frr().interface_name("eth1.300")
        'eth1.300'
        """
        return canonical

    def hconfig_driver(self) -> HConfigDriverBase:
        return HConfigDriverFrr()

    def shows_of_itself(self, node: HConfigChild) -> bool:
        """FRR's version line, IPv6 forwarding of a host without IPv6, a VRF naming only its namespace
        (the parser drops the version line already).

        >>> tree = Frr().parse("frr version 8.4.4\\nvrf LGWAN\\n netns /run/netns/LGWAN\\nexit-vrf\\nip forwarding\\n")
        >>> [Frr().shows_of_itself(child) for child in tree.children]
        [True, False]
        """
        if node.text.startswith(("frr version", "no ipv6 forwarding")):
            return True
        return node.text.startswith("vrf ") and all(c.text.startswith("netns ") for c in node.children)

    def without_device_lines(self, running: str) -> str:
        """FRR's running configuration without what FRR shows of its host: the version line, IPv6
        forwarding of a host without IPv6, and ``vrf`` blocks that only name their namespace.

        >>> Frr().without_device_lines("frr version 8.4.4\\nno ipv6 forwarding\\nvrf LGWAN\\n netns /run/netns/LGWAN\\n"
        ...                            "exit-vrf\\nhostname r1\\n")
        'hostname r1\\n'
        """
        kept: list[str] = []
        block: list[str] = []
        for line in running.splitlines():
            if block:
                block.append(line)
                if line.strip() == "exit-vrf":
                    if any(b.strip() and not b.strip().startswith(("netns ", "exit-vrf")) for b in block[1:]):
                        kept.extend(block)
                    block = []
            elif line.startswith("vrf "):
                block = [line]
            elif not line.startswith(("frr version", "no ipv6 forwarding")):
                kept.append(line)
        return "\n".join(kept + block) + "\n"
