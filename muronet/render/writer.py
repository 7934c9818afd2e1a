"""Write rendered configurations to ``DIR/<device>.cfg`` and say what changed since the last render."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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


def write_configs(
    rendered: Iterable[Rendered], out_dir: Path, *, with_diff: bool, prune: bool
) -> list[WriteResult]:
    """Write only files whose text changed; with ``prune``, remove configs of vanished devices."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[WriteResult] = []
    seen: set[str] = set()
    for item in rendered:
        path = out_dir / f"{item.device}.cfg"
        seen.add(path.name)
        before = path.read_text(encoding="utf-8") if path.exists() else None
        if before == item.text:
            results.append(WriteResult(item.device, path, "unchanged"))
            continue
        path.write_text(item.text, encoding="utf-8")
        diff = unified_diff(before or "", item.text, path.name) if with_diff else ""
        results.append(WriteResult(item.device, path, "new" if before is None else "changed", diff))
    if prune:
        for stale in sorted(out_dir.glob("*.cfg")):
            if stale.name not in seen:
                before = stale.read_text(encoding="utf-8")
                stale.unlink()
                diff = unified_diff(before, "", stale.name) if with_diff else ""
                results.append(WriteResult(stale.stem, stale, "removed", diff))
    return results
