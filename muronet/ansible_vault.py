"""The playbooks' Ansible Vault file, made from the inventory's secret references.

The inventory names where each secret comes from (``{env: NAME}`` or a vault file); Ansible reads
its variables from ``playbooks/group_vars/all/vault.yml``. This writes that file from the same
references, resolved now, encrypted with a password file; the plaintext never touches the disk.
"""

from __future__ import annotations

import os
import secrets as random
from pathlib import Path
from typing import TypedDict

import yaml

from muronet.files import write_atomic
from muronet.inventory.loader import Inventory
from muronet.inventory.secrets import resolve


class VaultVariables(TypedDict):
    """The playbooks' secret variables, as the vault holds them."""

    vault_muronet_username: str
    vault_muronet_password: str
    vault_muronet_secrets: dict[str, str]


def vault_variables(inventory: Inventory) -> VaultVariables:
    """The login and every secret of ``city.secrets`` as the playbooks' variables
    (``vault_muronet_username``, ``vault_muronet_password``, ``vault_muronet_secrets``)."""
    city = inventory.city
    assert city is not None
    return {
        "vault_muronet_username": resolve(city.credentials.username, inventory.root),
        "vault_muronet_password": resolve(city.credentials.password, inventory.root),
        "vault_muronet_secrets": {name: resolve(ref, inventory.root) for name, ref in sorted(city.secrets.items())},
    }


def password(password_file: Path) -> bytes:
    """The vault password in ``password_file``, made (random, mode 0600) if the file is missing."""
    if not password_file.exists():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(random.token_urlsafe(32) + "\n")
    return password_file.read_bytes().strip()


def write_vault(variables: VaultVariables, out: Path, password_file: Path) -> None:
    from ansible.parsing.vault import VaultLib, VaultSecret  # ansible-core is large: only here

    vault = VaultLib([("default", VaultSecret(password(password_file)))])
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, vault.encrypt(yaml.safe_dump(variables, allow_unicode=True, sort_keys=True)), mode=0o600)
