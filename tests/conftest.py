"""Shared fixtures: the repository's inventory, copies to break on purpose, and CLI runners."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from muronet.cli import app
from muronet.inventory.index import InventoryIndex
from muronet.validation import load_and_validate

REPO = Path(__file__).resolve().parent.parent
INVENTORY = REPO / "inventory"
TEMPLATES = REPO / "templates"
# Every problem line the validator prints: "path/to/file.yaml:LINE: message"
ISSUE_LINE = re.compile(r"^(?P<file>[^\s:][^:]*\.ya?ml):(?P<line>[1-9]\d*): (?P<message>.+)$")


class NetBoxPrewarm:
    """NetBox's first install (its venv and migrated database, ≈ 8 min on a fresh machine) started
    in the background when the session begins, in a state folder and on ports of its own, so the
    tests before ``test_netbox.py`` overlap it; the NetBox fixture waits for it (by PID)."""

    STATE: ClassVar[dict[str, str]] = {
        "MURONET_NETBOX_STATE": "/var/tmp/muronet-netbox-prewarm", "MURONET_NETBOX_PORT": "8767",
        "MURONET_NETBOX_PG_PORT": "5435", "MURONET_NETBOX_REDIS_PORT": "6382"}

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None

    def start(self) -> None:
        if os.geteuid() != 0 or self.process is not None:
            return
        self.log = Path(tempfile.mkdtemp(prefix="muronet-netbox-prewarm-")) / "prepare.log"
        env = {**os.environ, **self.STATE}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from muronet.netbox.service import LocalNetBox; LocalNetBox().prepare()"],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)

    def wait(self) -> None:
        """Until the install is done (a failed one is the fixture's to redo and report)."""
        if self.process is not None:
            self.process.wait()
            shutil.rmtree(self.log.parent, ignore_errors=True)  # type: ignore[union-attr]
            self.process = None


NETBOX_PREWARM = NetBoxPrewarm()


def pytest_collection_modifyitems(session, config, items):
    if any(item.path.name == "test_netbox.py" for item in items):
        NETBOX_PREWARM.start()


def pytest_sessionfinish(session, exitstatus):
    NETBOX_PREWARM.wait()  # never outlived by what it started


@pytest.fixture(scope="session")
def reference():
    inventory, issues = load_and_validate(INVENTORY)
    assert issues == [], [i.format() for i in issues]
    return inventory


@pytest.fixture(scope="session")
def reference_index(reference):
    return InventoryIndex(reference)


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Path:
    """A writable copy of the repository inventory, beside a copy of the templates."""
    shutil.copytree(INVENTORY, tmp_path / "inventory")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path / "inventory"


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


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
