"""What ``pip install .`` installs: one import namespace (``muronet``) and the NAPALM driver
(``napalm_frr``, the name NAPALM loads community drivers by), with the data files the code reads."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from support import REPO


def _source_copy(folder: Path) -> Path:
    """What a source distribution holds, copied: the build writes beside its source, and a
    contributor's checkout (or CI's, read by an unprivileged user) must not be written to."""
    folder.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, folder / name)
    for package in ("muronet", "napalm_frr"):
        shutil.copytree(REPO / package, folder / package, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_the_wheel_holds_only_muronet_and_napalm_frr_with_their_data(tmp_path):
    source = _source_copy(tmp_path / "source")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, capture_output=True, cwd=tmp_path)
    [wheel] = tmp_path.glob("muronet-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")} == {
        "muronet", "napalm_frr"}
    for data in ("muronet/policy/rules.yaml", "muronet/policy/templates/report.html.j2",
                 "muronet/topology/vendor/svg-pan-zoom.min.js", "muronet/py.typed"):
        assert data in names, data
    entry_file = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(entry_file).decode()
    assert "muronet = muronet.cli:main" in entry_points
    assert "MuronetNetBoxInventory = muronet.netbox.nornir_inventory:MuronetNetBoxInventory" in entry_points
    assert not any(name.startswith(("muronet/cli.py", "nornir_tasks/", "tests/")) for name in names)
    assert "napalm_frr/vendor/frr_reload.py" in names  # the driver ships FRR's reload logic, with its licence
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0 AND GPL-2.0-or-later" in metadata


def test_the_version_is_the_changelog_s_newest_and_the_command_says_it():
    """A version that changes when behaviour does: the newest CHANGELOG entry is the version the
    package carries, and ``muronet --version`` reports the installed one."""
    newest = re.search(r"^## (\d+\.\d+\.\d+) — \d{4}-\d{2}-\d{2}$", (REPO / "CHANGELOG.md").read_text(), re.M)
    assert newest is not None, "CHANGELOG.md has no '## X.Y.Z — YYYY-MM-DD' entry"
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert newest.group(1) == declared
    said = subprocess.run([sys.executable, "-m", "muronet.cli", "--version"], capture_output=True, text=True,
                          check=True).stdout
    assert said == f"muronet {declared}\n"
