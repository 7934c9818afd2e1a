"""What processes that died left behind: each pool's home carries its owner (PID and start time),
so a home, mount, folder or daemon of an ended process is found and removed, and never a running
one's."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from pathlib import Path

from napalm_frr.host import (
    alive,
    private_folder,
    start_time,
    write_atomic,
)
from napalm_frr.scratch.instance import (
    _INSTANCE_NAME,
    FRR_ETC,
    FRR_RUN,
    ROOT,
    Instance,
    ScratchError,
    kill,
    run,
    scratch_daemons,
)


def _owner() -> dict[str, int]:
    return {"pid": os.getpid(), "started": start_time(os.getpid())}


def _owned(home: Path) -> bool | None:
    """Whether the process that made ``home`` still runs; None for a home without owner."""
    try:
        owner = json.loads((home / "owner.json").read_text())
        return bool(start_time(int(owner["pid"])) == owner["started"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False


def claim(home: Path) -> Path:
    """``home`` for this process's instances. It appears under its name with its owner inside
    (made aside, then renamed): another process's :func:`clean_stale`, running at any moment,
    never sees it without one and takes it for a dead process's."""
    if _mine(home):
        return home  # another pool of this process made it
    draft = private_folder(ROOT / f".claim-{os.getpid()}-{secrets.token_hex(4)}")
    write_atomic(draft / "owner.json", json.dumps(_owner()))
    try:
        os.rename(draft, home)
    except OSError as error:
        shutil.rmtree(draft, ignore_errors=True)
        if not _mine(home):  # not another pool of this process, at the same moment: someone else's
            raise ScratchError(f"cannot claim {home}: {error.strerror}") from None
    return home


def _mine(home: Path) -> bool:
    try:
        return bool(json.loads((home / "owner.json").read_text()) == _owner())
    except (OSError, ValueError):
        return False


def clean_stale() -> None:
    """Remove the instances of processes that died without closing their pool (killed, say), and
    any scratch FRR daemon whose instance is gone (removed while it booted)."""
    for home in ROOT.glob("*"):
        _clean_home(home)
    # a path space, folder or namespace whose home is gone already (its process died half-way through)
    names = {folder.name for base in (FRR_ETC, FRR_RUN) for folder in base.glob("scr*")}  # mounted or bare
    names |= set(run("ip", "netns", "list").stdout.split())
    for name in names:
        if (m := _INSTANCE_NAME.fullmatch(name)) and not alive(int(m.group(1))) and not _home_of(name).parent.exists():
            Instance(name, ROOT / "gone").remove()
    for name, pids in scratch_daemons().items():  # an instance's home is made before it boots, removed after it stops
        if not _home_of(name).is_dir():
            kill(pids)


def _clean_home(home: Path) -> None:
    """A pool's home, removed with its instances once the process that made it has ended."""
    claim = _CLAIM.fullmatch(home.name)
    if claim is not None:  # a home being made, or one a dead process left half-made
        if not alive(int(claim.group(1))):
            shutil.rmtree(home, ignore_errors=True)
        return
    if not home.name.isdigit():
        return
    owned = _owned(home)
    if owned is None:  # no owner: made by an older version, stale once its process ended
        owned = alive(int(home.name))
    if owned:
        return
    for folder in home.iterdir():
        if folder.is_dir():
            Instance(f"scr{home.name}-{folder.name}", folder).remove()
    shutil.rmtree(home, ignore_errors=True)


def _home_of(name: str) -> Path:
    """Where the instance named ``name`` lives.

    >>> _home_of("scr4242-3")
    PosixPath('/run/muronet-scratch/4242/3')
    """
    return ROOT.joinpath(*name.removeprefix("scr").split("-"))


_CLAIM = re.compile(r"\.claim-(\d+)-[0-9a-f]+")

