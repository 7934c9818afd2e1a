"""What every muronet.city action needs: the device's driver on Ansible's session, its name and
inventory folder, the secrets from the vault variables, and the rollback points."""

from __future__ import annotations

from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.module_utils.connection import Connection
from ansible.parsing.vault import VaultLib

from muronet.ansible.config import RollbackPoints
from muronet.ansible.drivers import driver_for


def device_driver(action, task_vars):
    """The platform's driver over the task's persistent network_cli session."""
    socket_path = getattr(action._connection, "socket_path", None)
    if not socket_path:
        raise AnsibleActionFail("muronet.city actions need ansible_connection=ansible.netcommon.network_cli")
    platform = action._templar.template(task_vars["muronet_platform"])
    return driver_for(platform, task_vars["inventory_hostname"], Connection(socket_path))


def inventory_dir(action, task_vars) -> Path:
    return Path(action._templar.template(task_vars["muronet_inventory_dir"]))


def secrets(action, task_vars) -> dict:
    """``muronet_secrets`` (group_vars, from the vault), templated here: never a task argument,
    so never in a task's printed arguments."""
    if "muronet_secrets" not in task_vars:
        raise AnsibleActionFail("muronet_secrets is not defined: create the vault (scripts/ansible-vault.sh)")
    return action._templar.template(task_vars["muronet_secrets"])


def rollback_points(action, folder: str) -> RollbackPoints:
    """Rollback points encrypted with the run's vault secret (the one that opens group_vars)."""
    vault_secrets = action._loader._vault.secrets
    if not vault_secrets:
        raise AnsibleActionFail("rollback points are encrypted with the vault secret: run with "
                                "--vault-password-file (ansible.cfg names build/ansible-vault-password)")
    vault = VaultLib(vault_secrets)
    return RollbackPoints(Path(folder), encrypt=lambda text: vault.encrypt(text),
                          decrypt=lambda data: vault.decrypt(data).decode())
