"""Shared fixtures: the repository's inventory, copies to break on purpose, and CLI runners."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

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
