"""A semantic diff of two configurations of one device: the lines added and removed as paths in the
configuration tree (hier_config), so that moving lines the device does not care about is no change."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hier_config import HConfig

from muronet.platforms import get_platform
from muronet.policy.context import line_index

Path = tuple[str, ...]  # a line with its parents, outermost first
_SEQUENCE = re.compile(r"^(\d+ |seq \d+ )")


@dataclass(frozen=True)
class Line:
    path: Path
    line: int | None  # in the configuration it belongs to (after for added, before for removed)

    @property
    def text(self) -> str:
        return self.path[-1]


@dataclass
class ConfigDelta:
    platform: str
    before: HConfig
    after: HConfig
    before_lines: dict[Path, int]  # line of every path, as muronet.policy.context.line_index gives it
    after_lines: dict[Path, int]
    added: list[Line] = field(default_factory=list)
    removed: list[Line] = field(default_factory=list)
    reordered: list[Line] = field(default_factory=list)  # order-sensitive blocks (ACLs) whose entries moved

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.reordered)


def _paths(tree: HConfig) -> set[Path]:
    return {tuple(c.text for c in child.lineage()) for child in tree.all_children()}


def _new_lines(tree: HConfig, other_paths: set[Path], lines: dict[Path, int]) -> list[Line]:
    """Lines of ``tree`` that the other tree does not have (a parent that only holds new lines is
    not new), negations (``no …``, ``default …``) included: hier_config's difference leaves them out,
    and a ``no ip http server`` that goes away is as much a change as one that comes. An ACL entry
    that only changed its sequence number is no new line (``reordered`` says whether order changed)."""
    others = {_entry(path) for path in other_paths}
    new = []
    for child in tree.all_children_sorted():
        path = tuple(c.text for c in child.lineage())
        if path not in other_paths and _entry(path) not in others:
            new.append(Line(path, lines.get(path)))
    return new


def _entry(path: Path) -> Path:
    """A path with an ACL entry's sequence number left out (``ip access-list … / 10 permit …``)."""
    match path:
        case (block, entry) if block.startswith(("ip access-list ", "ipv6 access-list ")):
            return (block, _SEQUENCE.sub("", entry))
    return path


def _acl_order(tree: HConfig) -> dict[str, list[str]]:
    """Entries of every IOS named ACL, in order, without their sequence numbers."""
    return {block.text: [_SEQUENCE.sub("", c.text) for c in block.children]
            for block in tree.get_children(startswith="ip access-list ")}


def config_delta(platform: str, before: str, after: str) -> ConfigDelta:
    """The semantic diff of ``before`` → ``after`` (either may be "" for a device added or removed).

    >>> d = config_delta("frr", "hostname r\\ninterface eth1\\n description a\\n ip address 10.0.0.1/31\\nexit\\n",
    ...                  "hostname r\\ninterface eth1\\n ip address 10.0.0.1/31\\n description b\\nexit\\n")
    >>> [line.path for line in d.added], [line.path for line in d.removed]
    ([('interface eth1', 'description b')], [('interface eth1', 'description a')])
    """
    driver = get_platform(platform)
    delta = ConfigDelta(platform, driver.parse(before), driver.parse(after), line_index(before), line_index(after))
    delta.added = _new_lines(delta.after, _paths(delta.before), delta.after_lines)
    delta.removed = _new_lines(delta.before, _paths(delta.after), delta.before_lines)
    orders_before = _acl_order(delta.before)
    for name, entries in _acl_order(delta.after).items():
        old = orders_before.get(name)
        if old is not None and old != entries and sorted(old) == sorted(entries):
            delta.reordered.append(Line((name,), delta.after_lines.get((name,))))
    return delta
