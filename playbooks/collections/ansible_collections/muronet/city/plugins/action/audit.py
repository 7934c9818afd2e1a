"""muronet.city.audit: the audit workflow over a folder of configurations (run on the controller)."""

from __future__ import annotations

from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("inventory", "source", "out"))
    _supports_check_mode = True  # it only reads the configurations and writes reports

    def run(self, tmp=None, task_vars=None):
        from muronet.workflows import WorkflowError
        from muronet.workflows.audit import AuditOptions, audit

        result = super().run(tmp, task_vars)
        args = self._task.args
        try:
            done = audit(AuditOptions(Path(args["inventory"]), source=Path(args["source"]), out_dir=Path(args["out"])))
        except WorkflowError as error:
            raise AnsibleActionFail(" ".join([*error.details, str(error)])) from None
        report = done.report.as_dict()
        result.update(changed=False, passed=report["passed"], counts=report["counts"], document=report,
                      reports={name: str(path) for name, path in done.written.items()})
        return result
