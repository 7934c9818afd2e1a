"""FRRouting: the platform the digital twin runs; interface names are Linux names."""

from __future__ import annotations

import json
import re
from typing import Any

from hier_config import HConfigChild
from hier_config.platforms.driver_base import HConfigDriverBase

from muronet.platforms.base import OspfNeighbors, Platform, register
from muronet.platforms.frr_hconfig import HConfigDriverFrr


@register
class Frr(Platform):
    name = "frr"
    template_dir = "frr"
    grammar = "frr"
    netmiko_device_type = "cisco_ios"  # vtysh speaks enough IOS for Netmiko (see the notes)
    napalm_driver = "frr"
    # FRR's own lines, Linux's interface names, an interface's area without IOS's process number;
    # read before IOS's signature (a topotest's file has few lines of either)
    signature = re.compile(r"^(frr (version|defaults)|exit-vrf$|service integrated-vtysh-config|"
                           r"log (commands|syslog|stdout)|interface (lo|eth|ens|enp|veth)\S*$|"
                           r" ip ospf area \S+$)", re.M)
    signature_order = 10
    ansible_network_os = "frr.frr.frr"
    ospf_neighbors_command = "show ip ospf vrf all neighbor"
    has_host_services = True
    runs_in_twin = True
    shows_vty_lines = False
    implicit_exec_timeout_min = 10  # vtysh's default
    filters_in_config = False
    masks_diff_secrets = True
    nssa_default_summary = True
    ospf_range_discard = False
    ebgp_static_is_connected = True
    ospf_area_starts_process = False
    rfc8212_blocks_confederation = True
    bgp_network_med_from_igp = False
    bgp_add_paths = frozenset({"send", "receive"})
    ebgp_requires_policy = True
    bgp_sends_communities = True
    local_routes = False

    def prepare_candidates(self, configs: list[str]) -> None:
        """napalm_frr's scratch FRRs render them meanwhile, the largest first (the order ``provision``
        stages in); imported without NAPALM itself (0.3 s), so the rendering starts at once."""
        from napalm_frr import prepare_candidates

        prepare_candidates(configs)

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

    def ospf_cost(self, interface: str, loopback: bool, bandwidth: int | None, reference: int | None) -> int:
        """FRR 8.4's ``ospf_if_get_output_cost``: reference (default 100,000 Mbit/s) over the port's
        ``bandwidth`` (Mbit/s), else the kernel's speed (a veth reports 10,000), rounded, 1 to 65,535;
        a loopback costs 0 (FRR's defaults since 2013, commit 8551e6dadc).

        >>> Frr().ospf_cost("eth1", False, None, None), Frr().ospf_cost("eth1", False, 100, None)
        (10, 1000)
        >>> Frr().ospf_cost("eth1", False, None, 1000), Frr().ospf_cost("lo", True, None, None)
        (1, 0)
        """
        if loopback:
            return 0
        return max(1, min(65535, int((reference or 100_000) / (bandwidth or 10_000) + 0.5)))

    def hconfig_driver(self) -> HConfigDriverBase:
        return HConfigDriverFrr()

    def ospf_neighbors(self, device: Any) -> OspfNeighbors:
        command = "show ip ospf vrf all neighbor json"  # only the VRFs that run OSPF answer
        return ospf_neighbors_from_json(json.loads(device.cli([command])[command] or "{}"))

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


def ospf_neighbors_from_json(per_vrf: dict[str, Any]) -> OspfNeighbors:
    """FRR's ``show ip ospf vrf all neighbor json`` per VRF ("global" for the default).

    >>> ospf_neighbors_from_json({"default": {"vrfName": "default", "neighbors": {"10.0.0.2": [
    ...     {"nbrState": "Full/DR", "ifaceAddress": "10.1.0.1", "ifaceName": "eth1:10.1.0.0"}]}}})
    {'global': [{'router_id': '10.0.0.2', 'address': '10.1.0.1', 'state': 'Full/DR', 'interface': 'eth1'}]}
    """
    found: OspfNeighbors = {}
    for vrf, data in per_vrf.items():
        data = data.get(vrf, data)  # FRR nests some answers under the VRF name once more
        found["global" if vrf == "default" else vrf] = [
            {"router_id": rid, "address": n.get("ifaceAddress", ""), "state": n.get("nbrState", ""),
             "interface": n.get("ifaceName", "").split(":")[0]}
            for rid, entries in data.get("neighbors", {}).items() for n in entries]
    return found
