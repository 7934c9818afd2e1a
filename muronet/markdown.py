"""Markdown that shows text as written: what muronet quotes from configurations and devices (a
line, a message, a file name) in a merge-request comment or a summary can open no link, image,
HTML tag or code span, cannot close the code block it is shown in, and shows its control and
bidirectional characters as escapes (``muronet.display``)."""

from __future__ import annotations

import re

from muronet.display import visible

_MARKUP = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~&]")


def _ticks(text: str) -> int:
    """The longest run of backticks in ``text``."""
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def text(value: str) -> str:
    r"""``value`` as Markdown prose on one line that shows as written: every ASCII punctuation mark
    Markdown gives a meaning is escaped (CommonMark backslash escapes), so a configuration line or a
    device's message in a reason can open no link, image, HTML tag, code span or list.

    >>> print(text("telnet <b>on</b> ![x](y)"))
    telnet \<b\>on\</b\> \!\[x\]\(y\)
    """
    return _MARKUP.sub(r"\\\g<0>", visible(" ".join(value.split("\n"))))


def code_block(lines: list[str], indent: str = "  ") -> list[str]:
    """``lines`` as a fenced code block no line inside can close: the fence is longer than any run
    of backticks in them.

    >>> code_block(["ip route 0.0.0.0/0 eth1", "```"], indent="")
    ['````', 'ip route 0.0.0.0/0 eth1', '```', '````']
    """
    shown = [visible(line) for line in lines]
    fence = indent + "`" * max(3, _ticks("\n".join(shown)) + 1)
    return [fence] + [indent + line for line in shown] + [fence]
