"""Collect every device's running configuration through NAPALM (backups, live audits)."""

from __future__ import annotations

from nornir.core import Nornir
from nornir.core.task import Result, Task


def running_config(task: Task) -> Result:
    device = task.host.get_connection("napalm", task.nornir.config)
    return Result(host=task.host, result=device.get_config(retrieve="running")["running"])


def collect(nr: Nornir) -> tuple[dict[str, str], dict[str, str]]:
    """(device → running configuration, device → why it could not be read)."""
    configs: dict[str, str] = {}
    errors: dict[str, str] = {}
    try:
        for name, multi in nr.run(task=running_config).items():
            if multi.failed:
                error = multi[0].exception
                errors[name] = " ".join(str(error or multi[0].result).split())  # whole: callers mask it
            else:
                configs[name] = multi[0].result
    finally:
        nr.close_connections(on_good=True, on_failed=True)
        nr.data.reset_failed_hosts()  # reported here; a later task on the same Nornir still tries them
    return configs, errors
