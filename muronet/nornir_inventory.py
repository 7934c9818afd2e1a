"""Nornir inventory plugin over the city's inventory (registered as ``MuronetInventory``).

``InitNornir(config_file="nornir.yaml")`` then gives every device with its platform, management
address, port, groups (``site:…``, ``role:…``, ``zone:…``, ``platform:…``, ``kind:…``) and data.
Credentials are resolved from the references in ``city.credentials`` when the inventory loads;
a reference that cannot be resolved leaves them empty (rendering and validation need none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)

from muronet.inventory.index import InventoryIndex, device_groups
from muronet.inventory.secrets import SecretError, resolve
from muronet.platforms import get_platform
from muronet.validation.checked import InventoryError, checked_index, twin_endpoints

__all__ = ["InventoryError", "MuronetInventory"]


def _credential(index: InventoryIndex, name: str) -> str | None:
    city = index.inventory.city
    assert city is not None
    try:
        return resolve(getattr(city.credentials, name), index.inventory.root)
    except SecretError:
        return None


def _host_key_options(known_hosts: str | None) -> dict[str, Any]:
    """Host keys are always checked: against the lab's pinned file, or the system's known hosts."""
    if known_hosts:
        return {"ssh_strict": True, "system_host_keys": False, "alt_host_keys": True, "alt_key_file": known_hosts}
    return {"ssh_strict": True, "system_host_keys": True}


def _connection_options(platform_name: str, known_hosts: str | None) -> dict[str, ConnectionOptions]:
    platform = get_platform(platform_name)
    # Each host gets its own dicts: nornir-napalm writes the port into optional_args, and a dict
    # shared through a group would send every host to the first host's port.
    return {
        "netmiko": ConnectionOptions(platform=platform.netmiko_device_type, extras=_host_key_options(known_hosts)),
        "napalm": ConnectionOptions(platform=platform.napalm_driver, extras={
            "optional_args": {**platform.napalm_optional_args, **_host_key_options(known_hosts)}}),
    }


class MuronetInventory:
    """``endpoints_file`` (the twin's ``ssh/endpoints.json``) replaces each device's management
    address and port, pins host keys to its ``known_hosts``, and keeps only the devices it lists."""

    def __init__(self, inventory_dir: str = "inventory", port: int = 22, endpoints_file: str | None = None) -> None:
        self.inventory_dir = Path(inventory_dir)
        self.port = port
        self.endpoints: dict[str, Any] = twin_endpoints(Path(endpoints_file)) if endpoints_file else {}

    def load(self) -> Inventory:
        index = checked_index(self.inventory_dir)
        inventory = index.inventory
        defaults = Defaults(username=_credential(index, "username"), password=_credential(index, "password"))
        groups = Groups()
        hosts = Hosts()
        known_hosts = self.endpoints.get("known_hosts")
        for device in sorted(inventory.devices, key=lambda d: d.name):
            endpoint = self.endpoints.get("hosts", {}).get(device.name)
            if self.endpoints and endpoint is None:
                continue  # not managed in the twin
            names = device_groups(index, device)
            for name in names:
                groups.setdefault(name, Group(name=name, defaults=defaults))
            hosts[device.name] = Host(
                name=device.name,
                hostname=endpoint["hostname"] if endpoint else str(device.management.address.ip),  # type: ignore[union-attr]
                port=endpoint["port"] if endpoint else self.port,
                platform=device.platform,
                groups=ParentGroups(groups[n] for n in names),
                data=_host_data(index, device),
                connection_options=_connection_options(device.platform, known_hosts),
                defaults=defaults,
            )
        return Inventory(hosts=hosts, groups=groups, defaults=defaults)


def _host_data(index: InventoryIndex, device: Any) -> dict[str, Any]:
    site = index.sites[device.site]
    return {
        "role": str(device.role),
        "site": site.model_dump(mode="json"),
        "zones": sorted(index.device_zones(device)),
        "device_type": device.device_type,
        "global_zone": device.global_zone,
        "interfaces": [i.model_dump(mode="json", exclude_defaults=True) for i in device.interfaces],
        "bgp": device.bgp.model_dump(mode="json") if device.bgp else None,
    }
