"""A larger city for benchmarks: the reference city hall plus generated facilities on fiber rings.

The generated inventory is valid (``muronet validate`` passes) and shaped like the real one: each
facility has an edge router on a ring of ``RING_SIZE`` routers between the two aggregation
routers, with a facility LAN, public Wi-Fi, and the Wi-Fi VRF carried over the fiber.
"""

from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
RING_SIZE = 20
DEVICES_PER_FILE = 100  # facilities per inventory file, as a city splits them
# Extra address space for thousands of facilities (outside every reference range).
LOOPBACKS = ipaddress.IPv4Network("10.64.0.0/16")
REGIONAL_LINKS = ipaddress.IPv4Network("10.65.0.0/16")
WIFI_LINKS = ipaddress.IPv4Network("10.66.0.0/16")
LANS = ipaddress.IPv4Network("10.128.0.0/10")  # /26 per facility
WIFI = ipaddress.IPv4Network("10.192.0.0/11")  # /26 per facility
MGMT = ipaddress.IPv4Network("10.100.0.0/16")


def _nth(network: ipaddress.IPv4Network, n: int, prefixlen: int) -> ipaddress.IPv4Network:
    size = 2 ** (32 - prefixlen)
    return ipaddress.IPv4Network((int(network.network_address) + n * size, prefixlen))


def _host(network: ipaddress.IPv4Network, n: int) -> str:
    return str(network.network_address + n)


def write_city(target: Path, devices: int) -> int:
    """Write an inventory of about ``devices`` devices into ``target``; return the exact count."""
    source = REPO / "inventory"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("facilities", "fiber.yaml"))
    _extend_zones(target / "zones.yaml")
    reference_devices = sum(len(yaml.safe_load(p.read_text()).get("devices", []) or [])
                            for p in target.rglob("*.yaml"))
    facilities = devices - reference_devices
    aggregation = yaml.safe_load((target / "city-hall/regional-aggregation.yaml").read_text())
    aggs = {d["name"]: d for d in aggregation["devices"]}
    for agg in aggs.values():  # the reference rings are gone with the reference facilities
        agg["interfaces"] = [i for i in agg["interfaces"] if not i["name"].startswith(("eth3", "eth4", "eth5", "eth6"))]
    cables: list[dict[str, Any]] = []
    link = 0
    chunk: dict[str, list[Any]] = {"sites": [], "devices": [], "prefixes": []}
    chunk_no = 0
    for ring_start in range(0, facilities, RING_SIZE):
        members = list(range(ring_start, min(ring_start + RING_SIZE, facilities)))
        ring = f"r{ring_start // RING_SIZE}"
        chain = ["ch-agg1", *(f"f{n}-rt1" for n in members), "ch-agg2"]
        ports: dict[str, list[tuple[str, int, str]]] = {}
        for position in range(len(chain) - 1):
            a, b = chain[position], chain[position + 1]
            a_port = f"eth{10 + ring_start // RING_SIZE}" if a == "ch-agg1" else "eth2"
            b_port = f"eth{10 + ring_start // RING_SIZE}" if b == "ch-agg2" else "eth1"
            ports.setdefault(a, []).append((a_port, link, "a"))
            ports.setdefault(b, []).append((b_port, link, "b"))
            cables.append({"a": f"{a}:{a_port}", "b": f"{b}:{b_port}", "kind": "smf", "length_km": 1.5,
                           "ring": ring, "label": f"SYN-{link:05d}"})
            link += 1
        for agg in ("ch-agg1", "ch-agg2"):
            aggs[agg]["interfaces"][1:1] = _fiber_interfaces(ports[agg], area=1 + ring_start // RING_SIZE)
        for n in members:
            _add_facility(chunk, n, ports[f"f{n}-rt1"], area=1 + ring_start // RING_SIZE)
        if len(chunk["devices"]) >= DEVICES_PER_FILE:
            _dump(target / f"facilities/chunk-{chunk_no:04d}.yaml", chunk)
            chunk, chunk_no = {"sites": [], "devices": [], "prefixes": []}, chunk_no + 1
    if chunk["devices"]:
        _dump(target / f"facilities/chunk-{chunk_no:04d}.yaml", chunk)
    rings = {f"r{i}": {"ospf_area": 1 + i, "name_ja": f"合成リング{i}"} for i in range(link // (RING_SIZE + 1) + 1)}
    _dump(target / "fiber.yaml", {"rings": rings, "cables": cables})
    _dump(target / "city-hall/regional-aggregation.yaml", {**aggregation, "devices": list(aggs.values())})
    _dump(target / "synthetic-ipplan.yaml", {"prefixes": [
        {"prefix": str(LOOPBACKS), "zone": "REGIONAL", "role": "loopback"},
        {"prefix": str(REGIONAL_LINKS), "zone": "REGIONAL", "role": "p2p"},
        {"prefix": str(WIFI_LINKS), "zone": "INTERNET", "role": "p2p"},
        {"prefix": str(MGMT), "zone": "MGMT", "role": "management"},
    ]})
    return reference_devices + facilities


def _extend_zones(path: Path) -> None:
    zones = yaml.safe_load(path.read_text())
    extra = {"REGIONAL": ["10.64.0.0/16", "10.65.0.0/16", str(LANS)], "INTERNET": ["10.66.0.0/16", str(WIFI)],
             "MGMT": [str(MGMT)]}
    for zone, prefixes in extra.items():
        zones["zones"][zone]["aggregates"] += prefixes
    _dump(path, zones)


def _fiber_interfaces(ports: list[tuple[str, int, str]], area: int) -> list[dict[str, Any]]:
    out = []
    for port, link, side in ports:
        offset = 0 if side == "a" else 1
        out.append({"name": port, "role": "fiber", "zone": "REGIONAL", "ospf": {"area": area},
                    "address": f"{_host(REGIONAL_LINKS, 2 * link + offset)}/31"})
        out.append({"name": f"{port}.300", "role": "fiber", "zone": "INTERNET", "ospf": {"area": area},
                    "address": f"{_host(WIFI_LINKS, 2 * link + offset)}/31"})
    return out


def _add_facility(chunk: dict[str, list[Any]], n: int, ports: list[tuple[str, int, str]], area: int) -> None:
    slug = f"f{n}"
    lan, wifi = _nth(LANS, n, 26), _nth(WIFI, n, 26)
    chunk["sites"].append({
        "slug": slug, "facility_id": 1000 + n, "name_ja": f"合成施設{n}", "name_romaji": f"Gosei Shisetsu {n}",
        "kind": "community_center", "address": f"室蘭市合成町{n}", "latitude": 42.30 + (n % 100) / 1000,
        "longitude": 140.95 + (n // 100 % 100) / 1000})
    interfaces = [{"name": "lo", "role": "loopback", "zone": "REGIONAL", "ospf": {"area": area, "passive": True},
                   "address": f"{_host(LOOPBACKS, n + 1)}/32"}]
    interfaces += _fiber_interfaces(sorted(ports), area)
    interfaces += [
        {"name": "eth3", "role": "facility_lan", "zone": "REGIONAL", "ospf": {"area": area, "passive": True},
         "address": f"{_host(lan, 1)}/26", "description": f"合成施設{n} 施設LAN"},
        {"name": "eth4", "role": "public_wifi", "zone": "INTERNET", "ospf": {"area": area, "passive": True},
         "address": f"{_host(wifi, 1)}/26", "description": f"合成施設{n} 公衆Wi-Fi"},
        {"name": "mgmt0", "role": "management", "zone": "MGMT", "address": f"{_host(MGMT, n + 10)}/16"},
    ]
    chunk["devices"].append({"name": f"{slug}-rt1", "site": slug, "role": "facility_edge", "platform": "frr",
                             "device_type": "twin-router", "global_zone": "REGIONAL",
                             "router_id": _host(LOOPBACKS, n + 1), "interfaces": interfaces})
    chunk["prefixes"] += [
        {"prefix": str(lan), "zone": "REGIONAL", "role": "facility_lan", "site": slug},
        {"prefix": str(wifi), "zone": "INTERNET", "role": "public_wifi", "site": slug},
    ]


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
