"""What a text of the inventory may hold, so that no value can become a command of its own.

Templates print inventory text inside device commands (``description …``, ``snmp-server location …``,
the login banner). A line break in such a value ends the command and starts another; other control
characters, Unicode line separators and invisible formatting characters do the same on some CLIs or
hide text from a reviewer; ``?`` typed into a CLI asks for help instead of being typed. Each function
returns why a value is refused, or None.
"""

from __future__ import annotations

import unicodedata

# Unicode categories no inventory text needs: control (Cc), format (Cf: bidi overrides, zero-width
# characters that hide text from a reviewer), line and paragraph separators (Zl, Zp), unassigned
# (Cn), surrogates (Cs) and private use (Co).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cn", "Cs", "Co"}
MAX_CONFIG_TEXT = 200  # IOS keeps 240 characters of a description; leave room for what muronet adds
# What ends an IOS login banner as the CLI reads it (the first character after ``banner login`` is
# the delimiter: the ``^`` of ``^C``), or as hier_config reads a saved configuration.
BANNER_END_LINES = frozenset({"EOF", "%", "!"})


def _name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}")


def character_problem(value: str, allow_newline: bool = False) -> str | None:
    """Why ``value`` may not appear in the inventory, or None.

    >>> character_problem("図書館 LAN")
    >>> character_problem("LAN\\nip route 0.0.0.0/0 203.0.113.66")
    'holds a line break (U+000A): a line break would start a command of its own'
    >>> character_problem("a\\u202eb")
    'holds an invisible formatting character (RIGHT-TO-LEFT OVERRIDE)'
    """
    for char in value:
        if char == "\n" and allow_newline:
            continue
        category = unicodedata.category(char)
        if char in "\r\n\x0b\x0c\x1c\x1d\x1e\x85" or category in ("Zl", "Zp"):
            return f"holds a line break (U+{ord(char):04X}): a line break would start a command of its own"
        if category == "Cf":
            return f"holds an invisible formatting character ({_name(char)})"
        if category in _REFUSED_CATEGORIES:
            return f"holds a control or unassigned character (U+{ord(char):04X})"
    return None


def config_text_problem(value: str) -> str | None:
    """Why ``value`` cannot be printed inside a device command, or None.

    >>> config_text_problem("to library-rt1:eth1 [F-01 2.1 km]")
    >>> config_text_problem("why?")
    "holds '?': a device's CLI answers it with help instead of typing it"
    """
    problem = character_problem(value)
    if problem is not None:
        return problem
    if "?" in value:
        return "holds '?': a device's CLI answers it with help instead of typing it"
    if len(value) > MAX_CONFIG_TEXT:
        return f"is {len(value)} characters long; at most {MAX_CONFIG_TEXT} fit in a device command"
    return None


def banner_problem(value: str) -> str | None:
    """Why ``value`` cannot be a login banner, or None: it may hold line breaks, but never the
    banner's delimiter nor a line that ends the banner, after which lines would be read as commands.

    >>> banner_problem("許可された者以外の利用を禁止します。\\nAuthorized use only.")
    >>> banner_problem("Authorized use only.\\n^C\\nip http server")
    "line 2 holds '^', the banner's delimiter: the lines after it would be read as commands"
    >>> banner_problem("Authorized use only.\\n!\\nip http server")
    "line 2 is '!', which ends a banner for hier_config: the lines after it would be read as commands"
    """
    problem = character_problem(value, allow_newline=True)
    if problem is not None:
        return problem
    for number, line in enumerate(value.strip().split("\n"), start=1):
        if "^" in line or "\x03" in line:
            return f"line {number} holds '^', the banner's delimiter: the lines after it would be read as commands"
        if line.strip() in BANNER_END_LINES:
            return (f"line {number} is {line.strip()!r}, which ends a banner for hier_config: the lines "
                    "after it would be read as commands")
        if len(line) > MAX_CONFIG_TEXT:
            return f"line {number} is {len(line)} characters long; at most {MAX_CONFIG_TEXT} fit"
    return None
