"""What the tests share besides fixtures: where the repository and its inventory are, the shape of
a validation error line, and small helpers to break a copied file on purpose."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
INVENTORY = REPO / "inventory"
TEMPLATES = REPO / "templates"
HOST_OSPF_RESTART = Path("/var/run/frr/ospfd-gr.json")  # FRR 8.4's ospfd writes here, whatever -N says


def host_ospf_restart_state() -> tuple[int, bytes] | None:
    """The host's ospfd graceful-restart file as it stands (None if there is none): no FRR that
    muronet starts may read or write it."""
    try:
        return HOST_OSPF_RESTART.stat().st_mtime_ns, HOST_OSPF_RESTART.read_bytes()
    except FileNotFoundError:
        return None


def twin_routers() -> int:
    """How many routers the twin of the reference city runs (its FRR devices)."""
    from muronet.inventory.index import InventoryIndex
    from muronet.lab.plan import build_plan
    from muronet.workflows.common import load

    return len(build_plan(InventoryIndex(load(INVENTORY))).routers)


# Every problem line the validator prints: "path/to/file.yaml:LINE: message"
ISSUE_LINE = re.compile(r"^(?P<file>[^\s:][^:]*\.ya?ml):(?P<line>[1-9]\d*): (?P<message>.+)$")



def line_containing(path: Path, text: str, occurrence: int = 1) -> int:
    """1-based number of the line holding ``text`` (its n-th occurrence): where an error must point."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{text!r} not found in {path}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def analyse_foreign(folder: Path, tmp_path: Path) -> tuple[int, dict, str]:
    """``muronet analyze --from FOLDER --routes --json`` run in an empty folder, as on another network."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "muronet.cli", "analyze", "--from", str(folder), "--routes", "--json"],
                          cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                          timeout=120)
    return done.returncode, json.loads(done.stdout), done.stderr
