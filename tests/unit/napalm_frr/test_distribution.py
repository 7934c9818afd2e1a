"""The NAPALM driver as others install it: a wheel of its own (``napalm-frr``, scripts/build-driver.sh)
that holds nothing of muronet, and that works with muronet unimportable: NAPALM finds the driver by
name, its getters read recorded output, and what it shows is masked without muronet's reader."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import REPO

# Run in a fresh interpreter: muronet cannot be imported (as on a host that never installed it), and
# napalm_frr comes from the unpacked wheel, not from the repository.
_WITHOUT_MURONET = """
import importlib.abc, json, sys
class NoMuronet(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "muronet" or name.startswith("muronet."):
            raise ImportError(f"{name}: muronet is not installed here")
        return None
# the repository's editable install maps muronet and napalm_frr to its folders: not here
editable = [f for f in sys.meta_path if str(getattr(f, "__module__", "")).startswith("__editable__")]
sys.meta_path = [NoMuronet()] + [f for f in sys.meta_path if f not in editable]
import warnings; warnings.simplefilter("ignore")
from napalm import get_network_driver
import napalm_frr
from napalm_frr import getters, masking
from napalm_frr.agent import Agent, FrrHost, login_program
from pathlib import Path
driver = get_network_driver("frr")
system = {"uptime": 12.5, "serial": "abc", "users": [], "cpu": {}, "memory": {"total": 1, "used": 1}}
facts = getters.facts("FRRouting 8.4.4 (r1) on Linux(6.1.0).", system, ["eth1", "lo"])
print(json.dumps({"driver": driver.__module__, "file": napalm_frr.__file__, "facts": facts,
                  "shown": masking.sanitize(" neighbor 10.0.0.1 password s3cret\\n", b"k"),
                  "reader": masking.reader() is not None,
                  "login": login_program(Path("/run/napalm-frr/agent.sock")),
                  "muronet": [m for m in sys.modules if m.split(".")[0] == "muronet"]}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(REPO / "scripts" / "build-driver.sh"), str(out)], check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "HOME": str(out)})
    [built] = out.glob("napalm_frr-*.whl")
    return built


def test_the_wheel_holds_the_driver_and_its_vendored_reload_logic_and_nothing_of_muronet(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert packages == {"napalm_frr"}
    assert {"napalm_frr/vendor/frr_reload.py", "napalm_frr/scratch/pool.py", "napalm_frr/py.typed",
            "napalm_frr/agent/service.py", "napalm_frr/agent/__main__.py"} <= set(names)  # the device agent too
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Name: napalm-frr" in metadata and "Requires-Dist: napalm" in metadata
    assert "muronet" not in metadata.lower().replace("muronet repository", "")


def test_the_installed_driver_works_where_muronet_cannot_be_imported(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    done = subprocess.run([sys.executable, "-c", _WITHOUT_MURONET], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path,  # not the repository: its napalm_frr/ would be found first
                          env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert found["driver"] == "napalm_frr.frr" and found["file"].startswith(str(unpacked))
    assert found["facts"]["vendor"] == "FRRouting" and found["facts"]["os_version"].startswith("8.4.4")
    assert found["muronet"] == [] and found["reader"] is False  # muronet's reader is registered, and cannot load
    assert "s3cret" not in found["shown"] and "<removed>" in found["shown"]  # NAPALM's own filters mask it
    # the device agent's login program, to install on an FRR host, speaks to the agent's socket
    assert "SOCKET = '/run/napalm-frr/agent.sock'" in found["login"] and found["login"].startswith("#!/usr/bin/python3")
