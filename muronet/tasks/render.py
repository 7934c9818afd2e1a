"""Render a host's intended configuration inside a Nornir run."""

from __future__ import annotations

from nornir.core.task import Result, Task

from muronet.render.engine import Renderer


def render_intended(task: Task, renderer: Renderer) -> Result:
    """The intended configuration of ``task.host`` (secrets as the renderer's source gives them)."""
    device = renderer.inventory.device(task.host.name)
    if device is None:
        return Result(host=task.host, failed=True, result=f"{task.host.name} is not in the inventory")
    return Result(host=task.host, result=renderer.render(device))
