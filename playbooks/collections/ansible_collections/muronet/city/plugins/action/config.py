"""muronet.city.config: the device's intended configuration, pushed (diff first), confirmed or rolled back."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.muronet.city.plugins.plugin_utils.device import (
    device_driver,
    inventory_dir,
    rollback_points,
    secrets,
)

STATES = ("pushed", "confirmed", "rolled_back")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("state", "rollback_dir"))
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        from muronet.ansible.config import confirm, intended, push, roll_back
        from muronet.platforms import get_platform

        result = super().run(tmp, task_vars)
        state = self._task.args.get("state", "pushed")
        if state not in STATES:
            raise AnsibleActionFail(f"state must be one of {', '.join(STATES)}, not {state!r}")
        name = task_vars["inventory_hostname"]
        points = rollback_points(self, self._task.args.get("rollback_dir", "build/ansible-rollback"))
        scrub = str
        try:
            driver = device_driver(self, task_vars)
            if state == "pushed":
                candidate, given = intended(inventory_dir(self, task_vars), name, secrets(self, task_vars))
                scrub = given.scrub
                platform = get_platform(self._templar.template(task_vars["muronet_platform"]))
                changed, diff = push(driver, platform, name, candidate, given, points, self._task.check_mode)
                result.update(changed=changed, diff={"prepared": diff} if diff else {})
            elif self._task.check_mode:
                result.update(changed=points.has(name))
            else:
                result["changed"] = (confirm if state == "confirmed" else roll_back)(driver, name, points)
        except AnsibleActionFail:
            raise
        except Exception as error:  # the driver's, the renderer's, the session's: reported, secrets scrubbed
            result.update(failed=True, msg=scrub(f"{type(error).__name__}: {error}"))
        return result
