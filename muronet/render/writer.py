"""Write rendered configurations to ``DIR/<device>.cfg`` and say what changed since the last render."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from muronet.files import write_atomic
from muronet.render.engine import Rendered


@dataclass(frozen=True)
class WriteResult:
    device: str
    path: Path
    status: str  # new, changed, unchanged, removed
    diff: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"device": self.device, "path": str(self.path), "status": self.status, "diff": self.diff}


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))


MANIFEST = ".muronet-render.json"  # the files muronet wrote here: the only ones it ever removes


def write_configs(
    rendered: Iterable[Rendered], out_dir: Path, *, with_diff: bool, prune: bool
) -> list[WriteResult]:
    """Write only files whose text changed; with ``prune``, remove the configs muronet wrote here
    earlier for devices that left the inventory (files of anyone else stay)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = _manifest(out_dir)
    results: list[WriteResult] = []
    seen: set[str] = set()
    for item in rendered:
        path = out_dir / f"{item.device}.cfg"
        seen.add(path.name)
        before = path.read_text(encoding="utf-8") if path.is_file() and not path.is_symlink() else None
        if before == item.text:
            results.append(WriteResult(item.device, path, "unchanged"))
            continue
        write_atomic(path, item.text)
        diff = unified_diff(before or "", item.text, path.name) if with_diff else ""
        results.append(WriteResult(item.device, path, "new" if before is None else "changed", diff))
    if prune:
        for name in sorted(written - seen):
            stale = out_dir / name
            if stale.is_file() and not stale.is_symlink():
                before = stale.read_text(encoding="utf-8", errors="replace")
                stale.unlink()
                diff = unified_diff(before, "", stale.name) if with_diff else ""
                results.append(WriteResult(stale.stem, stale, "removed", diff))
        written = seen
    write_atomic(out_dir / MANIFEST, json.dumps(sorted(written | seen), indent=1) + "\n")
    return results


def _manifest(out_dir: Path) -> set[str]:
    """Names of the configs an earlier render wrote here (none if the manifest is missing or broken)."""
    try:
        names = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str) and n.endswith(".cfg") and "/" not in n} if isinstance(
        names, list) else set()
