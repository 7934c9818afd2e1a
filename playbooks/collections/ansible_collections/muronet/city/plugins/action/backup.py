"""muronet.city.backup: the device's running configuration into the backup repository, masked."""

from __future__ import annotations

from pathlib import Path

from ansible.plugins.action import ActionBase
from ansible_collections.muronet.city.plugins.plugin_utils.device import device_driver


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("repo",))
    _supports_check_mode = False

    def run(self, tmp=None, task_vars=None):
        from muronet.ansible.backup import back_up

        result = super().run(tmp, task_vars)
        running = device_driver(self, task_vars).get_config(retrieve="running")["running"]
        result["changed"] = back_up(Path(self._task.args["repo"]), task_vars["inventory_hostname"], running)
        return result
