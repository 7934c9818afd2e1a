"""Inventory plugin over the city's source-controlled inventory (muronet.ansible_inventory)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: inventory
short_description: The City of Muroran's devices, from the repository's inventory folder
description:
  - Every device of the city's inventory, validated as muronet validates it, with its management
    address, its platform's C(ansible_network_os), and groups C(site_*), C(role_*), C(platform_*),
    C(kind_*) and C(zone_*) (the Nornir groups with Ansible-safe names).
  - With O(endpoints_file), only the digital twin's routers, at their management endpoints there.
  - Host variables C(muronet_role), C(muronet_site), C(muronet_zones), C(muronet_platform),
    C(muronet_neighbours) (inventory devices at the other end of its cables), C(muronet_inventory_dir).
  - An invalid inventory fails the run with every C(file:line: problem).
options:
  plugin:
    description: This plugin.
    required: true
    choices: [muronet.city.inventory]
  inventory_dir:
    description: The inventory folder; a relative path is taken from the folder of this file.
    type: str
    default: ../../inventory
  endpoints_file:
    description: The twin's C(ssh/endpoints.json) (C(muronet lab up) writes it); leave out for production.
    type: str
"""

EXAMPLES = r"""
# playbooks/inventory/twin.muronet.yml
plugin: muronet.city.inventory
inventory_dir: ../../inventory
endpoints_file: /var/tmp/muronet-lab/ssh/endpoints.json
"""

from pathlib import Path

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin


class InventoryModule(BaseInventoryPlugin):
    NAME = "muronet.city.inventory"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("muronet.yml", "muronet.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        from muronet.ansible_inventory import ansible_inventory  # the project's venv runs Ansible
        from muronet.validation.checked import InventoryError

        here = Path(path).resolve().parent
        endpoints = self.get_option("endpoints_file")
        try:
            city = ansible_inventory(here / self.get_option("inventory_dir"), here / endpoints if endpoints else None)
        except InventoryError as error:
            raise AnsibleParserError(str(error)) from None
        for name, variables in city.hostvars.items():
            self.inventory.add_host(name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
        for group, members in city.groups.items():
            self.inventory.add_group(group)
            for name in members:
                self.inventory.add_child(group, name)
