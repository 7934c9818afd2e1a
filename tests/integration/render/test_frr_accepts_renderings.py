"""FRR's own parser (vtysh --dryrun, FRR installed) accepts every FRR configuration muronet renders."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def test_frr_accepts_every_rendered_frr_config(rendered, reference, tmp_path):
    """FRR's own parser (vtysh --dryrun) checks each file; it exits non-zero on any unknown line."""
    vtysh = shutil.which("vtysh")
    assert vtysh, "FRR is not installed: run `make setup`"

    def rejected(path: Path) -> str:
        # vtysh's exit status reflects only the last command: read what it says about every line
        check = subprocess.run([vtysh, "--dryrun", "--inputfile", str(path)], capture_output=True, text=True)
        errors = [line for line in (check.stdout + check.stderr).splitlines() if "% " in line]
        return "\n".join(errors) if errors or check.returncode else ""

    bad = tmp_path / "bad.cfg"
    bad.write_text("interface eth1\n ip ospf frobnicate\nexit\n!interface eth2\n description x\nline vty\nexit\n")
    assert "frobnicate" in rejected(bad) and "description x" in rejected(bad)
    for device in reference.devices:
        if device.platform != "frr":
            continue
        path = tmp_path / f"{device.name}.cfg"
        path.write_text(rendered[device.name], encoding="utf-8")
        assert rejected(path) == "", f"{device.name}: {rejected(path)}"
