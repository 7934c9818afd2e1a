"""What ``pip install .`` installs: one import namespace (``muronet``) and the NAPALM driver
(``napalm_frr``, the name NAPALM loads community drivers by), with the data files the code reads."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO


def test_the_wheel_holds_only_muronet_and_napalm_frr_with_their_data(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(REPO)], check=True, capture_output=True, cwd=tmp_path)
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
