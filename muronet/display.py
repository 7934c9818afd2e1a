"""Text that comes from data, shown as text: what muronet quotes from an inventory, a configuration, a
file name or a device can neither steer the terminal nor reorder what a reader sees.

A terminal obeys control characters and escape sequences (ESC, CSI, a carriage return that
overwrites the line), a text renderer obeys bidirectional overrides (text that reads in another
order than it is stored), and XML forbids most control characters outright. Every such character
is shown as its escape (``\\x1b``, ``\\u202e``) instead: the reader sees that it is there and what it
is. Letters, ideographic spaces and everything else printable stay as they are.
"""

from __future__ import annotations

import json
import re
from typing import Any

# What is shown as an escape: C0 and C1 controls and DEL (Cc), format characters (Cf: bidirectional
# overrides and isolates, zero-width characters, tags), line and paragraph separators (Zl, Zp) and
# lone surrogates (Cs: an undecodable file name). The ranges are Unicode 14's (Python 3.11); a test
# compares them with the running Python's unicodedata.
_FORMAT = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
           "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
           "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
HIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT}]")
_HIDDEN_IN_LINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_FORMAT}]")  # all but the line feed
_HIDDEN_IN_JSON = re.compile(f"[\x7f-\x9f{_FORMAT}]")  # json escapes C0 itself

_LATIN1, _BMP = 0xFF, 0xFFFF  # the last code points a \xNN and a \uNNNN escape can write


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= _LATIN1:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= _BMP else f"\\U{code:08x}"


def visible(text: str) -> str:
    r"""``text`` on one line with every control, format and separator character escaped.

    >>> visible("ok 室蘭\u3000市")
    'ok 室蘭\u3000市'
    >>> print(visible("a\x1b[2Jb\rc\u202ed\ne"))
    a\x1b[2Jb\x0dc\u202ed\x0ae
    """
    return HIDDEN.sub(_escape, text)


def visible_lines(text: str) -> str:
    r"""``text`` with its line breaks (``\n``) kept and every other hidden character escaped.

    >>> print(visible_lines("ip route\r\n\x1b]0;title\x07"))
    ip route\x0d
    \x1b]0;title\x07
    """
    return _HIDDEN_IN_LINES.sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= _BMP:
        return f"\\u{code:04x}"
    code -= _BMP + 1
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(document: Any, indent: int | None = 1) -> str:
    r"""``document`` as JSON whose hidden characters are ``\u`` escapes: the same data to a parser,
    plain text on a terminal (json escapes only the C0 controls by itself).

    >>> print(json_text({"name": "r1\u202e\x1b"}, indent=None))
    {"name": "r1\u202e\u001b"}
    >>> json.loads(json_text({"x": "\u2066a\U000e0041\udcff"})) == {"x": "\u2066a\U000e0041\udcff"}
    True
    """
    return _HIDDEN_IN_JSON.sub(_json_escape, json.dumps(document, ensure_ascii=False, indent=indent))
