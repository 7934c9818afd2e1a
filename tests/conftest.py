"""Shared fixtures: the repository's inventory, copies to break on purpose, and CLI runners."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from netbox_prewarm import NETBOX_PREWARM
from support import INVENTORY, ISSUE_LINE, REPO, TEMPLATES, edit, host_ospf_restart_state, line_containing  # noqa: F401
from typer.testing import CliRunner

from muronet.cli import app
from muronet.inventory.index import InventoryIndex
from muronet.render.engine import Renderer
from muronet.validation import load_and_validate


def _collects(config: pytest.Config, test_file: Path) -> bool:
    """Whether the session's paths include ``test_file`` (``-k`` aside)."""
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == test_file or (path.is_dir() and test_file.is_relative_to(path)):
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    # in the controller only: pytest-xdist's workers (make test runs two) share what it starts
    if not hasattr(config, "workerinput") and _collects(config, REPO / NETBOX_MODULE):
        NETBOX_PREWARM.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    NETBOX_PREWARM.end()  # never outlived by what it started


# The modules that boot the twin: a machine holds one twin at a time, so they run one after another.
TWIN_MODULES = frozenset(f"tests/integration/{name}.py" for name in (
    "lab/test_twin", "test_provision", "test_ansible", "napalm_frr/test_driver", "napalm_frr/test_driver_properties"))
NETBOX_MODULE = "tests/integration/netbox/test_netbox.py"


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


@pytest.fixture(scope="session")
def renderer(reference):
    return Renderer(reference, TEMPLATES)


@pytest.fixture(scope="session")
def rendered(reference, renderer):
    """Every device of the reference city, rendered."""
    return {d.name: renderer.render(d) for d in reference.devices}


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
