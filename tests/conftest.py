"""Shared fixtures: the repository's inventory, copies to break on purpose, and CLI runners."""

from __future__ import annotations

import fcntl
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
HOST_OSPF_RESTART = Path("/var/run/frr/ospfd-gr.json")  # FRR 8.4's ospfd writes here, whatever -N says


def host_ospf_restart_state() -> tuple[int, bytes] | None:
    """The host's ospfd graceful-restart file as it stands (None if there is none): no FRR that
    muronet starts may read or write it."""
    try:
        return HOST_OSPF_RESTART.stat().st_mtime_ns, HOST_OSPF_RESTART.read_bytes()
    except FileNotFoundError:
        return None


# Every problem line the validator prints: "path/to/file.yaml:LINE: message"
ISSUE_LINE = re.compile(r"^(?P<file>[^\s:][^:]*\.ya?ml):(?P<line>[1-9]\d*): (?P<message>.+)$")


class NetBoxPrewarm:
    """NetBox's first install (its venv, a few minutes on a fresh machine under the tests' load)
    started in the background when the session begins, in a state folder and on ports of its own,
    so the tests before ``test_netbox.py`` (sent last) overlap it. It holds a lock while it runs
    (taken before it starts, so no waiter can come first); the NetBox fixture, in whichever worker
    runs it, waits on the lock."""

    STATE: ClassVar[dict[str, str]] = {
        "MURONET_NETBOX_STATE": "/var/tmp/muronet-netbox-prewarm", "MURONET_NETBOX_PORT": "8767",
        "MURONET_NETBOX_PG_PORT": "5435", "MURONET_NETBOX_REDIS_PORT": "6382"}
    LOCK = Path("/var/tmp/muronet-netbox-prewarm.lock")

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None

    def start(self) -> None:
        if os.geteuid() != 0 or self.process is not None:
            return
        self.log = Path(tempfile.mkdtemp(prefix="muronet-netbox-prewarm-")) / "prepare.log"
        env = {**os.environ, **self.STATE}
        lock = os.open(self.LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the child inherits it and holds it until it ends
            with open(self.log, "wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-c", "from muronet.netbox.service import LocalNetBox; LocalNetBox().prepare()"],
                    env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                    pass_fds=(lock,))
        finally:
            os.close(lock)

    def wait(self) -> None:
        """Until the install is done, from any process (a failed one is the fixture's to redo and report)."""
        if self.LOCK.exists():
            lock = os.open(self.LOCK, os.O_RDONLY)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
            finally:
                os.close(lock)

    def end(self) -> None:
        if self.process is not None:
            self.process.wait()
            shutil.rmtree(self.log.parent, ignore_errors=True)  # type: ignore[union-attr]
            self.process = None


NETBOX_PREWARM = NetBoxPrewarm()


def _collects(config: pytest.Config, test_file: Path) -> bool:
    """Whether the session's paths include ``test_file`` (``-k`` aside)."""
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == test_file or (path.is_dir() and test_file.is_relative_to(path)):
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    # in the controller only: pytest-xdist's workers (make test runs two) share what it starts
    if not hasattr(config, "workerinput") and _collects(config, REPO / "tests" / "test_netbox.py"):
        NETBOX_PREWARM.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    NETBOX_PREWARM.end()  # never outlived by what it started


# The modules that boot the twin: a machine holds one twin at a time, so they run one after another.
TWIN_MODULES = frozenset(f"tests/{name}.py" for name in (
    "test_lab", "test_provision", "test_ansible", "test_napalm_frr", "test_frr_driver_properties"))
NETBOX_MODULE = "tests/test_netbox.py"


def pytest_xdist_make_scheduler(config, log):
    """``make test`` runs two pytest-xdist workers: each module whole on one worker (its module
    fixtures are set up once), the twin's modules as one unit, sent first (it is the longest), and
    NetBox's module last (it waits for NetBox's install, which the others overlap)."""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "twin" if module in TWIN_MODULES else module

        def _assign_work_unit(self, node) -> None:
            if "twin" in self.workqueue:
                self.workqueue.move_to_end("twin", last=False)
            if NETBOX_MODULE in self.workqueue and len(self.workqueue) > 1:
                self.workqueue.move_to_end(NETBOX_MODULE)
            super()._assign_work_unit(node)

    return ModuleScheduling(config, log)


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
