"""An inventory written as changes to another: the files of an overlay replace their namesakes in
a base inventory. The examples under ``examples/`` are the reference city with a few files
changed (``examples/beta-prime``: the same city moved to the β′ separation model), so that what
the move changes is exactly what their files hold.

``python -m muronet.inventory.overlay BASE OVERLAY DEST`` writes DEST/inventory (assembled) and
DEST/templates (the base's, from beside it): a folder every muronet command reads with
``--inventory DEST/inventory``, as it reads the city's own.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from muronet.inventory.loader import inventory_files


def assemble(base: Path, overlay: Path, dest: Path) -> list[Path]:
    """``base``'s YAML files, then ``overlay``'s over them, into ``dest`` (emptied first); the
    files the overlay replaced or added, relative to ``dest``.

    >>> import tempfile; top = Path(tempfile.mkdtemp())
    >>> for name, text in [("base/a.yaml", "a"), ("base/b/c.yaml", "c"), ("over/b/c.yaml", "C")]:
    ...     (top / name).parent.mkdir(parents=True, exist_ok=True); _ = (top / name).write_text(text)
    >>> assemble(top / "base", top / "over", top / "out"), (top / "out/b/c.yaml").read_text()
    ([PosixPath('b/c.yaml')], 'C')
    """
    if dest.exists():
        shutil.rmtree(dest)
    changed = []
    for root, replacing in ((base, False), (overlay, True)):
        for file in inventory_files(root):
            relative = file.relative_to(root)
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest / relative)
            if replacing:
                changed.append(relative)
    return changed


def main(argv: list[str]) -> int:
    try:
        base, overlay, dest = map(Path, argv)
    except ValueError:
        print("usage: python -m muronet.inventory.overlay BASE OVERLAY DEST", file=sys.stderr)
        return 2
    templates = base.resolve().parent / "templates"
    for folder in (base, overlay, templates):
        if not folder.is_dir():
            print(f"{folder}: not a folder", file=sys.stderr)
            return 2
    changed = assemble(base, overlay, dest / "inventory")
    shutil.rmtree(dest / "templates", ignore_errors=True)
    shutil.copytree(templates, dest / "templates")
    print(f"{dest}/inventory: {base} with {len(changed)} file(s) of {overlay}: {', '.join(map(str, changed))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
