"""The top-level commands a platform's templates can produce, read from the templates themselves.

A configuration change that adds a top-level command no template writes did not come from the
inventory (a hand edit, a file written by another tool, text that escaped its field): the review
blocks it. Each top-level template line gives either an exact command (``no ip http server``) or the
literal start of one, up to its first expression (``hostname ``, ``router ospf``, ``tacacs server
AAA``). Lines that are only an expression (a macro call, a banner line) say nothing on their own:
the macros' bodies are templates too and are read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_TAG_ONLY = re.compile(r"^\s*\{%.*%\}\s*$")
_EXPRESSION_ONLY = re.compile(r"^\s*\{\{.*\}\}-?\s*$")
_FIRST_JINJA = re.compile(r"\{[{%]")


@dataclass(frozen=True)
class Vocabulary:
    """What one platform's templates write at the top level of a configuration."""

    exact: frozenset[str]
    starts: tuple[str, ...]

    def produces(self, line: str) -> bool:
        """Whether a top-level line is one the templates can write.

        >>> v = Vocabulary(frozenset({"no ip http server"}), ("hostname ", "router ospf"))
        >>> v.produces("hostname library-rt1"), v.produces("router ospf vrf LGWAN"), v.produces("ip http server")
        (True, True, False)
        """
        return line in self.exact or line.startswith(self.starts)


def read_vocabulary(platform_templates: Path) -> Vocabulary:
    """The vocabulary of every template under one platform's template folder.

    >>> v = read_vocabulary(Path(__file__).parents[2] / "templates" / "frr")
    >>> v.produces("service integrated-vtysh-config"), v.produces("ip forwarding")
    (True, False)
    """
    return _read(platform_templates.resolve(), tuple(sorted(
        (str(p), p.stat().st_mtime_ns) for p in platform_templates.rglob("*.j2"))))


@cache
def _read(folder: Path, files: tuple[tuple[str, int], ...]) -> Vocabulary:
    exact: set[str] = set()
    starts: set[str] = set()
    for name, _mtime in files:
        text = _COMMENT.sub("", Path(name).read_text(encoding="utf-8"))
        for line in text.splitlines():
            if not line or line[0].isspace() or _TAG_ONLY.match(line) or _EXPRESSION_ONLY.match(line):
                continue
            jinja = _FIRST_JINJA.search(line)
            if jinja is None:
                exact.add(line.rstrip())
            elif jinja.start() > 0:
                starts.add(line[: jinja.start()])
    exact -= {"!", "end", "exit"}
    return Vocabulary(frozenset(exact), tuple(sorted(starts)))
