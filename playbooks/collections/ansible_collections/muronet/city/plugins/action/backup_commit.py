"""muronet.city.backup_commit: one commit for the run's changed backups (run once)."""

from __future__ import annotations

from pathlib import Path

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("repo", "unreachable"))
    _supports_check_mode = False

    def run(self, tmp=None, task_vars=None):
        from muronet.backup import commit, locked, pending

        result = super().run(tmp, task_vars)
        repo = Path(self._task.args["repo"])
        unreachable = {name: "failed or unreachable in the play" for name in self._task.args.get("unreachable") or []}
        with locked(repo):  # another writer's files never land in this run's commit
            changed = pending(repo)
            result.update(changed=bool(changed), devices=changed, commit=commit(repo, changed, unreachable))
        return result
