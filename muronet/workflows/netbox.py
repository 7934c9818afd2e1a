"""NetBox as the live source of truth: the sync of the inventory into it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from muronet.netbox.connection import NetBoxError, NetBoxTarget, api
from muronet.netbox.desired import desired_state
from muronet.netbox.sync import Plan, SyncIncomplete, apply_plan, plan_sync, read_netbox
from muronet.workflows.common import load
from muronet.workflows.errors import WorkflowError


@dataclass
class SyncResult:
    """What the sync did (or, in a dry run, would do)."""

    netbox: str  # its URL
    dry_run: bool
    applied: int  # changes made
    seconds: float
    plan: Plan

    def to_json(self) -> dict[str, Any]:
        """As ``muronet netbox sync --json`` prints it."""
        return {"netbox": self.netbox, "dry_run": self.dry_run, "applied": self.applied, "seconds": self.seconds,
                **self.plan.as_dict()}


def netbox_sync(inventory: Path, dry_run: bool = False, prune: bool = False,
                progress: Callable[[str], None] = lambda message: None) -> SyncResult:
    """Push the inventory into the NetBox of the environment, idempotently, with bulk requests."""
    loaded = load(inventory)
    started = time.perf_counter()
    try:
        target = NetBoxTarget.from_environment()
        nb = api(target)
        desired = desired_state(loaded)
        held = read_netbox(nb)
        plan = plan_sync(desired, held, prune=prune)
        applied = 0 if dry_run else apply_plan(nb, plan, desired, held, progress=progress)
    except SyncIncomplete as error:
        raise WorkflowError(f"netbox sync: {error}", 1) from None
    except NetBoxError as error:
        raise WorkflowError(f"netbox sync: {error} (nothing was changed)", 1) from None
    return SyncResult(target.url, dry_run, applied, round(time.perf_counter() - started, 1), plan)
