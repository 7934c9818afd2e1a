"""The driver's reload logic (FRR's frr-reload.py, vendored; vtysh installed): what it is given never
lands in a file, and the vendored file is the pinned one."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from support import REPO


def test_frr_reload_logic_gets_configurations_through_pipes_not_files(tmp_path, monkeypatch):
    from napalm_frr import reload

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    secret = "n0t-in-any-file"
    running = "hostname r\ninterface eth1\n ip address 10.0.0.1/31\nexit\n"
    candidate = running.replace("exit", f" ip ospf message-digest-key 1 md5 {secret}\nexit")
    assert [c.line for c in reload.changes(running, candidate)] == [f"ip ospf message-digest-key 1 md5 {secret}"]
    assert reload.syntax_errors(candidate) == [] and secret in reload.canonical(candidate)
    assert list(tmp_path.iterdir()) == []


def test_the_vendored_reload_logic_is_the_pinned_file_with_its_marked_changes():
    """napalm_frr ships FRR's frr-reload.py (napalm_frr/vendor/README.md): taking its marked changes
    back out gives the pinned upstream file, byte for byte, which is the one Debian installs here."""
    vendored = (REPO / "napalm_frr" / "vendor" / "frr_reload.py").read_text().splitlines(keepends=True)
    assert "vendored change 1" in vendored[0] and vendored[1].startswith("# /usr/lib/frr/frr-reload.py")
    upstream = ["#!/usr/bin/python3\n"] + [line for line in vendored[2:] if "vendored change 2" not in line]
    assert len(upstream) == len(vendored) - 2
    text = "".join(upstream).encode()
    assert hashlib.sha256(text).hexdigest() == "49e0f2903e97b383f3fce9c5be961076fe6685a62f4deb38f2df06d36b62feca"
    assert Path("/usr/lib/frr/frr-reload.py").read_bytes() == text  # the twin's FRR is the pinned version
