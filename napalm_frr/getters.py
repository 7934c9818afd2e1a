"""NAPALM's result shapes from what FRR and the router's host say: plain functions over the JSON
(or text) of one or a few commands, so that each is tested on recorded output (NAPALM's harness,
``tests/unit/napalm_frr/getters/mocked_data``) as well as live on the twin."""

from __future__ import annotations

import ipaddress
import json
import re
import statistics
from typing import Any

from napalm.base import models

_VERSION = re.compile(r"^FRRouting (\S+) \((\S+)\)", re.M)
_BGP_SECTION = re.compile(r"^router bgp (\d+)(?: vrf (\S+))?$")

_SOURCES_FIELDS = 10  # a whole ``chronyc -c sources`` line: mode, state, address, stratum, poll, reach, … jitter
_NTPDATA_FIELDS = 21  # a whole ``chronyc -c ntpdata`` line (the reference id is its 16th field, the delay its 20th)


def _vrf_key(vrf: str) -> str:
    return "global" if vrf == "default" else vrf


# --- the device ----------------------------------------------------------------------------------


def facts(version: str, system: dict[str, Any], interfaces: list[str]) -> models.FactsDict:
    """``get_facts`` from ``show version`` and the host's ``show system status``.

    >>> facts("FRRouting 8.4.4 (r1) on Linux(6.1).", {"uptime": 12.5, "serial": "ab12"}, ["eth1"])["serial_number"]
    'ab12'
    """
    found = _VERSION.search(version)
    return {"uptime": float(system.get("uptime", -1.0)), "vendor": "FRRouting",
            "os_version": found.group(1) if found else "", "serial_number": str(system.get("serial", "")),
            "model": "FRR", "hostname": found.group(2) if found else "", "fqdn": found.group(2) if found else "",
            "interface_list": interfaces}


def environment(system: dict[str, Any]) -> models.EnvironmentDict:
    memory = system.get("memory", {})
    total, used = int(memory.get("total", 0)), int(memory.get("used", 0))
    return {"fans": {}, "temperature": {}, "power": {},
            "cpu": {int(n): {"%usage": float(c["%usage"])} for n, c in system.get("cpu", {}).items()},
            "memory": {"available_ram": total - used, "used_ram": used}}


def users(running: str, system: dict[str, Any]) -> dict[str, models.UsersDict]:
    """The host's login accounts into the CLI and vtysh's own users (``username NAME nopassword``),
    with the level FRR gives every user; passwords are the host's and never shown.

    >>> users("username ops nopassword\\n", {"users": ["netops"]})["ops"]
    {'level': 15, 'password': '', 'sshkeys': []}
    """
    names = [*system.get("users", []), *re.findall(r"^username (\S+) nopassword$", running, re.M)]
    return {name: {"level": 15, "password": "", "sshkeys": []} for name in names}


def snmp_information(running: str) -> models.SNMPDict:
    """FRR speaks SNMP only as an AgentX subagent of the host's snmpd, which holds the community,
    contact and location; FRR's configuration says only whether the subagent is on."""
    return {"chassis_id": "", "community": {}, "contact": "", "location": ""}


def ntp_servers(ntp: dict[str, Any]) -> dict[str, models.NTPServerDict]:
    """The NTP servers the router's host follows (chronyd's configuration)."""
    return {address: {"address": address, "association_type": "SERVER", "iburst": True}
            for address in ntp.get("servers", [])}


def ntp_stats(ntp: dict[str, Any]) -> list[models.NTPStats]:
    """``get_ntp_stats`` from ``chronyc -c sources`` and ``chronyc -c ntpdata`` (seconds → ms).

    >>> ntp_stats({"sources": "^,*,10.99.0.32,8,4,377,1,0.000000252,0.000000536,0.000004741\\n",
    ...            "ntpdata": "10.99.0.32,0A630020,123,10.99.2.12,0A63020C,Normal,4,Server,8,4,16,-25,0.0000,0.0,"
    ...                       "0.0,7F7F0101,,1796127676.56,-0.000000536,0.000009358,0.000000062\\n"})[0]["hostpoll"]
    16
    """
    details = {fields[0]: fields for fields in (line.split(",") for line in ntp.get("ntpdata", "").splitlines())
               if len(fields) >= _NTPDATA_FIELDS}
    stats: list[models.NTPStats] = []
    for line in ntp.get("sources", "").splitlines():
        fields = line.split(",")
        if len(fields) < _SOURCES_FIELDS:
            continue
        detail = details.get(fields[2], [])
        stats.append({"remote": fields[2], "referenceid": detail[15] if detail else "",
                      "synchronized": fields[1] == "*",
                      "stratum": int(fields[3]), "type": "u", "when": fields[6], "hostpoll": 2 ** int(fields[4]),
                      "reachability": int(fields[5], 8), "delay": round(float(detail[19]) * 1000, 3) if detail else 0.0,
                      "offset": round(float(fields[8]) * 1000, 3), "jitter": round(float(fields[9]) * 1000, 3)})
    return stats


# --- interfaces -------------------------------------------------------------------------------------


def interfaces_by_vrf(per_vrf: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Interfaces of every VRF; each VRF namespace has its own ``lo``, reported once (default)."""
    found: dict[str, dict[str, Any]] = {}
    for vrf, interfaces in per_vrf.items():
        for name, data in interfaces.items():
            if vrf != "default" and name == "lo":
                continue
            found[name] = {**data, "vrfName": data.get("vrfName", vrf)}
    return found


def interfaces(by_name: dict[str, dict[str, Any]]) -> dict[str, models.InterfaceDict]:
    return {
        name: {
            "is_up": data.get("operationalStatus") == "up",
            "is_enabled": data.get("administrativeStatus") == "up",
            "description": data.get("description", ""),
            "last_flapped": -1.0,  # FRR counts link changes but gives no time of the last one in JSON
            "speed": float(data.get("speed") or 0),
            "mtu": int(data.get("mtu") or 0),
            "mac_address": data.get("hardwareAddress", "") or "",
        }
        for name, data in sorted(by_name.items())
    }


def interfaces_ip(by_name: dict[str, dict[str, Any]]) -> dict[str, models.InterfacesIPDict]:
    result: dict[str, models.InterfacesIPDict] = {}
    for name, data in sorted(by_name.items()):
        for entry in data.get("ipAddresses", []):
            address, _, length = entry["address"].partition("/")
            if address.startswith("fe80"):  # a link-local address is the port's, not configured
                continue
            addresses = result.setdefault(name, {})
            family = addresses.setdefault("ipv6", {}) if ":" in address else addresses.setdefault("ipv4", {})
            family[address] = {"prefix_length": int(length)}
    return result


def interfaces_counters(kernel: dict[str, list[dict[str, Any]]]) -> dict[str, models.InterfaceCounterDict]:
    """``get_interfaces_counters`` from the kernel's counters (``ip -s -j link`` per VRF). The kernel
    does not tell unicast from broadcast: unicast is what is left after multicast."""
    found = {}
    for links in kernel.values():
        for link in links:
            stats = link.get("stats64") or link.get("stats") or {}
            rx, tx = stats.get("rx", {}), stats.get("tx", {})
            name = link["ifname"]
            if name == "lo" and name in found:
                continue
            found[name] = {"rx_octets": rx.get("bytes", 0), "tx_octets": tx.get("bytes", 0),
                           "rx_errors": rx.get("errors", 0), "tx_errors": tx.get("errors", 0),
                           "rx_discards": rx.get("dropped", 0), "tx_discards": tx.get("dropped", 0),
                           "rx_multicast_packets": rx.get("multicast", 0), "tx_multicast_packets": 0,
                           "rx_broadcast_packets": 0, "tx_broadcast_packets": 0,
                           "rx_unicast_packets": rx.get("packets", 0) - rx.get("multicast", 0),
                           "tx_unicast_packets": tx.get("packets", 0)}
    return dict(sorted(found.items()))


def _neighbours(kernel: dict[str, list[dict[str, Any]]], family: int) -> list[tuple[str, dict[str, Any]]]:
    return [(vrf, n) for vrf, entries in kernel.items() for n in entries if n.get("lladdr")
            and ipaddress.ip_address(n["dst"]).version == family and "FAILED" not in n.get("state", [])]


def arp_table(kernel: dict[str, list[dict[str, Any]]], vrf: str = "") -> list[models.ARPTableDict]:
    """``get_arp_table`` from the kernel's neighbours per VRF (``ip -j neigh``); ``vrf``: one VRF."""
    return [{"interface": n["dev"], "mac": n["lladdr"].upper(), "ip": n["dst"], "age": -1.0}
            for table, n in _neighbours(kernel, 4) if not vrf or table == vrf]


def ipv6_neighbors(kernel: dict[str, list[dict[str, Any]]]) -> list[models.IPV6NeighborDict]:
    return [{"interface": n["dev"], "mac": n["lladdr"].upper(), "ip": n["dst"], "age": -1.0,
             "state": (n.get("state") or ["NONE"])[0]} for _, n in _neighbours(kernel, 6)]


def network_instances(by_name: dict[str, dict[str, Any]], name: str = "") -> dict[str, models.NetworkInstanceDict]:
    """The default instance and every VRF (the city's zones), with their interfaces."""
    found: dict[str, Any] = {}
    for interface, data in sorted(by_name.items()):
        vrf = data.get("vrfName", "default")
        entry = found.setdefault(vrf, {"name": vrf, "type": "DEFAULT_INSTANCE" if vrf == "default" else "L3VRF",
                                       "state": {"route_distinguisher": ""}, "interfaces": {"interface": {}}})
        entry["interfaces"]["interface"][interface] = {}
    return {k: v for k, v in found.items() if not name or k == name}


def vlans(by_name: dict[str, dict[str, Any]]) -> dict[int, models.VlanDict]:
    """802.1Q VLANs: a routed sub-interface ``eth1.300`` carries VLAN 300 (FRR has no VLAN database)."""
    found: dict[int, models.VlanDict] = {}
    for name in sorted(by_name):
        parent, dot, tag = name.rpartition(".")
        if dot and tag.isdigit() and parent:
            found.setdefault(int(tag), {"name": f"VLAN{int(tag):04d}", "interfaces": []})["interfaces"].append(name)
    return dict(sorted(found.items()))


# --- LLDP -------------------------------------------------------------------------------------------


def _lldp_entries(lldp: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    interfaces = (lldp.get("lldp") or {}).get("interface") or []
    if isinstance(interfaces, dict):  # lldpcli gives a mapping for one neighbour, a list for several
        interfaces = [interfaces]
    return [(name, data) for entry in interfaces for name, data in entry.items()]


def _chassis(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name, chassis = next(iter(data.get("chassis", {"": {}}).items()))
    return name, chassis


def lldp_neighbors(lldp: dict[str, Any]) -> dict[str, list[models.LLDPNeighborDict]]:
    found: dict[str, list[models.LLDPNeighborDict]] = {}
    for interface, data in _lldp_entries(lldp):
        system, _ = _chassis(data)
        found.setdefault(interface, []).append({"hostname": system, "port": data["port"]["id"]["value"]})
    return found


def lldp_neighbors_detail(lldp: dict[str, Any], interface: str = "") -> models.LLDPNeighborsDetailDict:
    found: models.LLDPNeighborsDetailDict = {}
    for local, data in _lldp_entries(lldp):
        if interface and local != interface:
            continue
        system, chassis = _chassis(data)
        capabilities = chassis.get("capability", [])
        if isinstance(capabilities, dict):
            capabilities = [capabilities]
        found.setdefault(local, []).append({
            "parent_interface": "", "remote_port": data["port"]["id"]["value"],
            "remote_port_description": data["port"].get("descr", ""),
            "remote_chassis_id": chassis.get("id", {}).get("value", ""), "remote_system_name": system,
            "remote_system_description": chassis.get("descr", ""),
            "remote_system_capab": sorted(c["type"].lower() for c in capabilities),
            "remote_system_enable_capab": sorted(c["type"].lower() for c in capabilities if c.get("enabled"))})
    return found


# --- BGP --------------------------------------------------------------------------------------------


def _peers(neighbors: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(VRF, address, data) for every peer of ``show bgp vrf all neighbors json``."""
    return [(vrf, address, peer) for vrf, peers in neighbors.items() for address, peer in peers.items()
            if isinstance(peer, dict) and "remoteAs" in peer]


def _family(peer: dict[str, Any]) -> dict[str, Any]:
    return (peer.get("addressFamilyInfo") or {}).get("ipv4Unicast") or {}


def bgp_neighbors(neighbors: dict[str, Any]) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
    """``get_bgp_neighbors``: accepted prefixes are those FRR kept after the inbound policy;
    received ones (before it) are known only with soft reconfiguration inbound, -1 otherwise."""
    result: dict[str, Any] = {}
    for vrf, address, peer in _peers(neighbors):
        family = _family(peer)
        state = peer.get("bgpState", "")
        table = result.setdefault(_vrf_key(vrf), {"router_id": peer.get("localRouterId", ""), "peers": {}})
        table["peers"][address] = {
            "local_as": int(peer.get("localAs", 0)), "remote_as": int(peer.get("remoteAs", 0)),
            "remote_id": peer.get("remoteRouterId", ""), "is_up": state == "Established",
            "is_enabled": "Admin" not in state and not peer.get("adminShutDown", False),
            "description": peer.get("nbrDesc", ""), "uptime": int(peer.get("bgpTimerUpMsec", 0)) // 1000,
            "address_family": {"ipv4": {
                "received_prefixes": int(family.get("receivedPrefixCounter", -1)) if family.get(
                    "inboundSoftConfigPermit") else -1,
                "accepted_prefixes": int(family.get("acceptedPrefixCounter", 0)),
                "sent_prefixes": int(family.get("sentPrefixCounter", 0))}},
        }
    return result


def bgp_neighbors_detail(neighbors: dict[str, Any],
                         address: str = "") -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
    result: dict[str, Any] = {}
    for vrf, peer_address, peer in _peers(neighbors):
        if address and peer_address != address:
            continue
        family, stats = _family(peer), peer.get("messageStats", {})
        accepted = int(family.get("acceptedPrefixCounter", 0))
        detail = {
            "up": peer.get("bgpState") == "Established", "local_as": int(peer.get("localAs", 0)),
            "remote_as": int(peer.get("remoteAs", 0)), "router_id": peer.get("localRouterId", ""),
            "local_address": peer.get("hostLocal", ""), "routing_table": vrf,
            "local_address_configured": bool(peer.get("updateSource")), "local_port": int(peer.get("portLocal", 0)),
            "remote_address": peer_address, "remote_port": int(peer.get("portForeign", 0)),
            "multihop": int(peer.get("externalBgpNbrMaxHopsAway", 1)) > 1, "multipath": False,
            "remove_private_as": bool(family.get("privateAsNumsRemovedInUpdatesToNbr")),
            "import_policy": family.get("routeMapForIncomingAdvertisements", ""),
            "export_policy": family.get("routeMapForOutgoingAdvertisements", ""),
            "input_messages": int(stats.get("totalRecv", 0)), "output_messages": int(stats.get("totalSent", 0)),
            "input_updates": int(stats.get("updatesRecv", 0)), "output_updates": int(stats.get("updatesSent", 0)),
            "messages_queued_out": int(stats.get("depthOutq", 0)), "connection_state": peer.get("bgpState", ""),
            "previous_connection_state": "", "last_event": peer.get("lastResetDueTo", ""),
            "suppress_4byte_as": False, "local_as_prepend": False,
            "holdtime": int(peer.get("bgpTimerHoldTimeMsecs", 0)) // 1000,
            "configured_holdtime": int(peer.get("bgpTimerConfiguredHoldTimeMsecs", 0)) // 1000,
            "keepalive": int(peer.get("bgpTimerKeepAliveIntervalMsecs", 0)) // 1000,
            "configured_keepalive": int(peer.get("bgpTimerConfiguredKeepAliveIntervalMsecs", 0)) // 1000,
            "active_prefix_count": accepted, "received_prefix_count": accepted if not family.get(
                "inboundSoftConfigPermit") else int(family.get("receivedPrefixCounter", accepted)),
            "accepted_prefix_count": accepted, "suppressed_prefix_count": 0,
            "advertised_prefix_count": int(family.get("sentPrefixCounter", 0)),
            "flap_count": int(peer.get("connectionsDropped", 0)),
        }
        result.setdefault(_vrf_key(vrf), {}).setdefault(detail["remote_as"], []).append(detail)
    return result


def bgp_config(running: str, group: str = "", neighbor: str = "") -> dict[str, models.BGPConfigGroupDict]:
    """``get_bgp_config`` from the running configuration: peer groups, and the neighbours of none
    under ``_`` (NAPALM's convention).

    >>> bgp_config("router bgp 65021\\n neighbor 10.0.0.1 remote-as 64700\\n neighbor 10.0.0.1 description ap\\n"
    ...            "exit\\n")["_"]["neighbors"]["10.0.0.1"]["remote_as"]
    64700
    """
    groups: dict[str, Any] = {}
    local_as = 0
    family = ""
    members: dict[str, str] = {}
    for raw in running.splitlines():
        line = raw.strip()
        section = _BGP_SECTION.match(raw)
        if section:
            local_as, family = int(section.group(1)), ""
            continue
        if not local_as:
            continue
        if raw and not raw[0].isspace():
            local_as = 0
            continue
        if line.startswith("address-family "):
            family = line.split(" ", 1)[1]
            continue
        words = line.split()
        if words[:1] != ["neighbor"] or not words[2:]:
            continue
        name, key, rest = words[1], words[2], words[3:]
        if key == "peer-group" and not rest:
            _group(groups, name, local_as)
            continue
        if key == "peer-group" and rest:
            members[name] = rest[0]
        target = _group(groups, name, local_as) if name in groups else _neighbor(
            _group(groups, members.get(name, "_"), local_as), name, local_as)
        _setting(target, key, rest, family)
    return {k: v for k, v in groups.items() if (not group or k == group)
            and (not neighbor or neighbor in v["neighbors"])}


def _group(groups: dict[str, Any], name: str, local_as: int) -> dict[str, Any]:
    group: dict[str, Any] = groups.setdefault(name, {
        "type": "", "description": "", "apply_groups": [], "multihop_ttl": 0, "multipath": False,
        "local_address": "", "local_as": local_as, "remote_as": 0, "import_policy": "", "export_policy": "",
        "remove_private_as": False, "prefix_limit": {}, "neighbors": {}})
    return group


def _neighbor(group: dict[str, Any], address: str, local_as: int) -> dict[str, Any]:
    neighbor: dict[str, Any] = group["neighbors"].setdefault(address, {
        "description": "", "import_policy": "", "export_policy": "", "local_address": "", "authentication_key": "",
        "nhs": False, "route_reflector_client": False, "local_as": local_as, "remote_as": 0, "prefix_limit": {}})
    return neighbor


def _setting(target: dict[str, Any], key: str, rest: list[str], family: str) -> None:
    """One ``neighbor NAME KEY REST…`` line into a group's or a neighbour's ``get_bgp_config`` entry."""
    number = int(rest[0]) if rest and rest[0].isdigit() else None
    if key in _FLAGS:
        target[_FLAGS[key]] = True
    elif key == "remote-as" and number is not None:
        target["remote_as"] = number
        if "type" in target:
            target["type"] = "external"
    elif key == "local-as" and number is not None:
        target["local_as"] = number
    elif key == "maximum-prefix" and number is not None:
        afi, _, safi = (family or "ipv4 unicast").partition(" ")
        target["prefix_limit"] = {afi: {safi or "unicast": {"limit": number}}}
    elif key == "ebgp-multihop" and "multihop_ttl" in target:
        target["multihop_ttl"] = number if number is not None else 255
    else:
        _text_setting(target, key, rest)


_FLAGS = {"next-hop-self": "nhs", "route-reflector-client": "route_reflector_client"}


def _text_setting(target: dict[str, Any], key: str, rest: list[str]) -> None:
    if key == "description":
        target["description"] = " ".join(rest)
    elif key == "update-source" and rest:
        target["local_address"] = rest[0]
    elif key == "password":
        target["authentication_key"] = "<set>" if "authentication_key" in target else ""  # never the key itself
    elif key == "route-map" and rest[1:] in (["in"], ["out"]):
        target["import_policy" if rest[1] == "in" else "export_policy"] = rest[0]


# --- routing ----------------------------------------------------------------------------------------


def route_to(tables: dict[str, dict[str, list[dict[str, Any]]]],
             protocol: str = "") -> dict[str, list[models.RouteDict]]:
    """``get_route_to`` from ``show ip route vrf V PREFIX [longer-prefixes] json`` of every VRF."""
    found: dict[str, list[models.RouteDict]] = {}
    for vrf, routes in tables.items():
        for prefix, entries in routes.items():
            for entry in entries:
                if protocol and entry.get("protocol") != protocol:
                    continue
                for hop in entry.get("nexthops", []) or [{}]:
                    found.setdefault(prefix, []).append({
                        "protocol": entry.get("protocol", ""), "current_active": bool(entry.get("selected")),
                        "last_active": bool(entry.get("installed")), "age": _age(entry.get("uptime", "")),
                        "next_hop": hop.get("ip", ""), "outgoing_interface": hop.get("interfaceName", ""),
                        "selected_next_hop": bool(hop.get("active") and hop.get("fib")),
                        "preference": int(entry.get("distance", 0)), "inactive_reason": "" if entry.get(
                            "selected") else "not selected", "routing_table": vrf,
                        "protocol_attributes": {"metric": entry.get("metric", 0)}})
    return found


def _age(uptime: str) -> int:
    """FRR's route uptime (``00:01:50``, ``1d02h03m``, ``02w3d01h``) in seconds.

    >>> _age("00:01:50"), _age("1d02h03m"), _age("02w3d01h")
    (110, 93780, 1472400)
    """
    if ":" in uptime:
        hours, minutes, seconds = (int(p) for p in uptime.split(":"))
        return hours * 3600 + minutes * 60 + seconds
    units = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([wdhms])", uptime))


def tables_by_vrf(text: str) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``show ip route vrf all json`` per VRF. FRR 8.4 prints one JSON object per VRF, one after
    the other and unnamed (each route names its VRF); later FRR prints one object keyed by VRF.
    A VRF without routes is not in the result.

    >>> tables_by_vrf('{"10.0.0.0/24":[{"vrfName":"default"}]}\\n{}\\n{"0.0.0.0/0":[{"vrfName":"LGWAN"}]}')
    {'default': {'10.0.0.0/24': [{'vrfName': 'default'}]}, 'LGWAN': {'0.0.0.0/0': [{'vrfName': 'LGWAN'}]}}
    >>> tables_by_vrf('{"LGWAN":{"0.0.0.0/0":[{"vrfName":"LGWAN"}]}}')
    {'LGWAN': {'0.0.0.0/0': [{'vrfName': 'LGWAN'}]}}
    """
    decoder, at, objects = json.JSONDecoder(), 0, []
    while (at := len(text) - len(text[at:].lstrip())) < len(text):
        table, at = decoder.raw_decode(text, at)
        objects.append(table)
    tables: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table in objects:
        for key, value in table.items():
            if isinstance(value, dict):  # keyed by VRF
                tables.setdefault(key, {}).update(value)
            elif value:
                tables.setdefault(value[0].get("vrfName", "default"), {})[key] = value
    return tables


# --- probes -----------------------------------------------------------------------------------------

_PING_REPLY = re.compile(r"bytes from (?P<ip>[\d.:a-f]+): .*time=(?P<rtt>[\d.]+) ms")
_PING_SUMMARY = re.compile(r"(?P<sent>\d+) packets transmitted, (?P<received>\d+) received")


def ping(output: str, errors: str, code: int) -> models.PingResultDict:
    """NAPALM's ping result from iputils' ``ping -n`` output.

    >>> ping("64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.05 ms\\n1 packets transmitted, 1 received, 0% "
    ...      "packet loss, time 0ms\\n", "", 0)["success"]["packet_loss"]
    0
    """
    summary = _PING_SUMMARY.search(output)
    if summary is None:
        return {"error": (errors or output).strip() or f"ping failed (exit {code})"}
    results = [{"ip_address": m["ip"], "rtt": float(m["rtt"])} for m in _PING_REPLY.finditer(output)]
    rtts = [float(m["rtt"]) for m in _PING_REPLY.finditer(output)]
    sent = int(summary["sent"])
    return {"success": {"probes_sent": sent, "packet_loss": sent - int(summary["received"]),
                        "rtt_min": min(rtts, default=0.0), "rtt_max": max(rtts, default=0.0),
                        "rtt_avg": round(statistics.fmean(rtts), 3) if rtts else 0.0,
                        "rtt_stddev": round(statistics.pstdev(rtts), 3) if rtts else 0.0, "results": results}}


_HOP = re.compile(r"^\s*(\d+)\s+(.*)$")


def traceroute(output: str, errors: str, code: int) -> models.TracerouteResultDict:
    """NAPALM's traceroute result from ``traceroute -n -q 3`` output.

    >>> traceroute(" 1  10.0.0.1  0.1 ms  0.2 ms *\\n", "", 0)["success"][1]["probes"][3]
    {'rtt': 0.0, 'ip_address': '*', 'host_name': '*'}
    """
    hops: dict[int, models.TracerouteResultDictEntry] = {}
    for line in output.splitlines():
        found = _HOP.match(line)
        if not found:
            continue
        probes: dict[int, models.TracerouteDict] = {}
        address = "*"
        for token in re.findall(r"\*|[\d.]+ ms|[\da-f.:]+", found.group(2)):
            if token == "*":
                probes[len(probes) + 1] = {"rtt": 0.0, "ip_address": "*", "host_name": "*"}
            elif token.endswith(" ms"):
                probes[len(probes) + 1] = {"rtt": float(token[:-3]), "ip_address": address, "host_name": address}
            else:
                address = token
        hops[int(found.group(1))] = {"probes": probes}
    if not hops:
        return {"error": (errors or output).strip() or f"traceroute failed (exit {code})"}
    return {"success": hops}
