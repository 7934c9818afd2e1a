"""Problems found in the inventory, each pointing at ``file:line``.

Issues carry the *data path* inside their file (``("devices", 3, "interfaces", 1, "address")``);
the line is looked up only when the issue is reported, by composing that file's YAML node tree
once. A clean inventory therefore never pays for line tracking.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

PathPart = str | int


@dataclass(frozen=True)
class Location:
    file: Path
    path: tuple[PathPart, ...] = ()
    line: int | None = None  # 1-based; known up front for YAML syntax errors

    def child(self, *parts: PathPart) -> Location:
        return Location(self.file, self.path + parts)


@dataclass(frozen=True)
class Issue:
    location: Location
    message: str
    severity: str = "error"
    related: tuple[Location, ...] = field(default=())

    @property
    def line(self) -> int:
        if self.location.line is not None:
            return self.location.line
        return line_of(self.location.file, self.location.path)

    def display_path(self) -> str:
        return display_path(self.location.file)

    def format(self) -> str:
        # One line per problem, whatever the message: editors and CI parse `file:line: message`.
        text = f"{self.display_path()}:{self.line}: {' '.join(self.message.split())}"
        for other in self.related:
            text += f" (see {display_path(other.file)}:{line_of(other.file, other.path)})"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.display_path(),
            "line": self.line,
            "path": ".".join(str(p) for p in self.location.path),
            "severity": self.severity,
            "message": self.message,
        }


def display_path(file: Path) -> str:
    """Path relative to the working directory when it lies below it, as editors expect."""
    try:
        return os.path.relpath(file)
    except ValueError:
        return str(file)


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (str(i.location.file), i.line, i.message))


@lru_cache(maxsize=256)
def _node_tree(file: Path, mtime_ns: int) -> yaml.Node | None:
    try:
        text = file.read_text(encoding="utf-8")
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def line_of(file: Path, path: tuple[PathPart, ...]) -> int:
    """1-based line of the deepest node along ``path`` that exists in ``file``.

    A missing key points at the mapping that should have held it, which is where a person adds it.
    """
    try:
        node = _node_tree(file, file.stat().st_mtime_ns)
    except OSError:
        return 1
    if node is None:
        return 1
    line = node.start_mark.line
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        key_node, node = child
        line = (key_node or node).start_mark.line
    return line + 1


def _child(node: yaml.Node, part: PathPart) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                # A scalar value sits on its key's line; a block value starts below it.
                return (key_node if not isinstance(value_node, yaml.ScalarNode) else None), value_node
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None
