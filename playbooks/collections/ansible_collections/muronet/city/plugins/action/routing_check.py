"""muronet.city.routing_check: the device's routing state as the inventory implies it."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.muronet.city.plugins.plugin_utils.device import device_driver, inventory_dir


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("settle", "poll"))
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        from muronet.ansible.routing import verify

        result = super().run(tmp, task_vars)
        found = verify(device_driver(self, task_vars), inventory_dir(self, task_vars), task_vars["inventory_hostname"],
                       settle=float(self._task.args.get("settle", 90)), poll=float(self._task.args.get("poll", 2)),
                       present=set(task_vars["groups"]["all"]))  # the far ends that run (the twin's: its routers)
        result.update(changed=False, problems=found)
        if found:
            result.update(failed=True, msg="; ".join(found))
        return result
