"""Each FRR login checks its host key against the lines of its own host only: paramiko must give
the same answer on that cut as on the whole file, for every host, hashed or not, present or not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from paramiko.hostkeys import HostKeys, InvalidHostKey

from napalm_frr import known_hosts


def _public_keys(folder: Path, count: int) -> list[str]:
    keys = []
    for n in range(count):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / f"k{n}")], check=True)
        keys.append(" ".join((folder / f"k{n}.pub").read_text().split()[:2]))
    return keys


def test_paramiko_finds_the_same_key_in_the_cut_as_in_the_whole_file(tmp_path):
    keys = _public_keys(tmp_path, 3)
    lines = ["# a comment", ""]
    lines += [f"[127.0.0.1]:{2200 + n} {keys[n % 2]}" for n in range(40)]
    lines += [f"{HostKeys.hash_host(f'[127.0.0.1]:{2300 + n}')} {keys[n % 3]}" for n in range(20)]  # hashed
    lines += [f"router{n}.example,10.0.0.{n} {keys[(n + 1) % 3]}" for n in range(10)]  # name lists, port 22
    lines += [f"[127.0.0.1]:2205 {keys[2]}"]  # a second key for one host
    whole = tmp_path / "known_hosts"
    whole.write_text("\n".join(lines) + "\n")
    full = HostKeys(str(whole))
    hosts = [("127.0.0.1", p) for p in (*range(2195, 2245), *range(2295, 2325))]
    hosts += [(f"router{n}.example", 22) for n in range(12)] + [(f"10.0.0.{n}", 22) for n in range(12)]
    for host, port in hosts:
        entry = known_hosts.host_entry(host, port)
        cut = known_hosts.for_login([whole, tmp_path / "absent"], host, port)
        expected = full.lookup(entry)
        found = HostKeys(str(cut)).lookup(entry)
        assert (dict(found.items()) if found else None) == (dict(expected.items()) if expected else None), entry
        assert len(cut.read_text().splitlines()) <= 3  # its own lines, not the file's 74
    assert HostKeys(str(known_hosts.for_login([whole], "127.0.0.1", 2205))).lookup("[127.0.0.1]:2205") is not None


def test_a_marker_line_paramiko_refuses_is_refused_for_every_host(tmp_path):
    (key,) = _public_keys(tmp_path, 1)
    whole = tmp_path / "known_hosts"
    whole.write_text(f"@revoked [127.0.0.1]:2299 {key}\n[127.0.0.1]:2201 {key}\n")
    for path in (whole, known_hosts.for_login([whole], "127.0.0.1", 2201)):
        with pytest.raises(InvalidHostKey):
            HostKeys(str(path))


def test_a_changed_file_is_cut_again(tmp_path):
    first, second = _public_keys(tmp_path, 2)
    whole = tmp_path / "known_hosts"
    whole.write_text(f"[127.0.0.1]:2201 {first}\n")
    before = known_hosts.for_login([whole], "127.0.0.1", 2201).read_text()
    whole.write_text(f"[127.0.0.1]:2201 {second}\n[127.0.0.1]:2202 {first}\n")  # the host's key rotated
    after = known_hosts.for_login([whole], "127.0.0.1", 2201).read_text()
    assert first in before and second in after and first not in after
