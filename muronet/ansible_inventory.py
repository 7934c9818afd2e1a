"""The city's inventory in Ansible's shape: hosts, their variables, and groups.

The collection ``muronet.city``'s inventory plugin hands this to Ansible; Nornir gets the same
devices through :mod:`muronet.nornir_inventory`. Groups are the Nornir groups with Ansible-safe
names (``site:city-hall`` → ``site_city_hall``), so ``--limit`` means the same in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from muronet.inventory.index import InventoryIndex, device_groups
from muronet.inventory.model import Device
from muronet.platforms import get_platform
from muronet.validation.checked import shared_index, twin_endpoints


@dataclass
class AnsibleInventory:
    hostvars: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)


def group_name(nornir_group: str) -> str:
    """An Ansible-safe group name (letters, digits, underscores).

    >>> group_name("site:city-hall"), group_name("zone:LGWAN"), group_name("kind:fire-station")
    ('site_city_hall', 'zone_LGWAN', 'kind_fire_station')
    """
    return re.sub(r"[^A-Za-z0-9_]", "_", nornir_group)


def neighbours(index: InventoryIndex) -> dict[str, list[str]]:
    """Per device, the inventory devices at the far end of its cables (hosts and circuits left out)."""
    found: dict[str, set[str]] = {}
    for (name, _), peer in index.cable_peers.items():
        if peer.peer[0] in index.devices:
            found.setdefault(name, set()).add(peer.peer[0])
    return {name: sorted(peers) for name, peers in found.items()}


def ansible_inventory(inventory_dir: Path, endpoints_file: Path | None = None) -> AnsibleInventory:
    """Every device of the city, or with ``endpoints_file`` (the twin's ``ssh/endpoints.json``)
    only the twin's routers, at their management endpoints there."""
    index = shared_index(inventory_dir)
    endpoints = twin_endpoints(endpoints_file)["hosts"] if endpoints_file else None
    result = AnsibleInventory()
    cabled = neighbours(index)
    for device in sorted(index.devices.values(), key=lambda d: d.name):
        if endpoints is not None and device.name not in endpoints:
            continue  # not managed in the twin
        endpoint = endpoints[device.name] if endpoints is not None else None
        result.hostvars[device.name] = {**_hostvars(index, device, inventory_dir, endpoint),
                                        "muronet_neighbours": cabled.get(device.name, [])}
        for group in device_groups(index, device):
            result.groups.setdefault(group_name(group), []).append(device.name)
    return result


def _hostvars(index: InventoryIndex, device: Device, inventory_dir: Path, endpoint: dict[str, Any] | None
              ) -> dict[str, Any]:
    assert device.management is not None and device.management.address is not None
    return {
        "ansible_host": endpoint["hostname"] if endpoint else str(device.management.address.ip),
        "ansible_port": endpoint["port"] if endpoint else 22,
        "ansible_network_os": get_platform(device.platform).ansible_network_os,
        "muronet_ospf_neighbours_command": get_platform(device.platform).ospf_neighbors_command,
        "muronet_platform": device.platform,
        "muronet_role": str(device.role),
        "muronet_site": device.site,
        "muronet_zones": sorted(index.device_zones(device)),
        "muronet_inventory_dir": str(inventory_dir.resolve()),
    }
