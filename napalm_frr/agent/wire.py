"""The device agent's wire format and the checks of its arguments.

A request is one JSON line: ``{"router": NAME, "words": [WORD…], "input": TEXT}`` (``router`` is
"" on a host that is one router). The answer is ``CODE OUT ERR`` (the exit code, and the lengths
in bytes of the output and the errors), a newline, the output and the errors: the login program
reads it without the json module."""

from __future__ import annotations

from typing import TypedDict

MAX_REQUEST = 4 * 2**20
MAX_SECONDS = 86400  # a commit-confirm timer or a lock lease: a day at most
MAX_OWNER = 128  # characters of a lock owner's name
PROBE_OPTIONS = ("vrf", "count", "timeout", "size", "ttl", "source")


class Answer(TypedDict):
    stdout: str
    stderr: str
    code: int


def answer(stdout: str, stderr: str = "", code: int = 0) -> Answer:
    return {"stdout": stdout, "stderr": stderr, "code": code}


def refusal(why: str) -> Answer:
    return answer("", why, 1)


def reply(given: Answer) -> bytes:
    """An answer as the login program reads it.

    >>> reply(answer("up\\n"))
    b'0 3 0\\nup\\n'
    """
    out, err = given["stdout"].encode(), given["stderr"].encode()
    return f"{int(given['code'])} {len(out)} {len(err)}\n".encode() + out + err


def number(value: str, low: int, high: int) -> int:
    """A whole number in ``[low, high]``, or ValueError saying what is allowed.

    >>> number("30", 1, 60)
    30
    """
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{value!r} is not a number from {low} to {high}")
    return int(value)


def owner(value: str) -> str:
    """A lock owner's name: a user, a host, a process and a token, never anything a log could misread.

    >>> owner("alice@ops1:4242#9f3a")
    'alice@ops1:4242#9f3a'
    """
    if not value or len(value) > MAX_OWNER or any(not (c.isascii() and (c.isalnum() or c in "@._:#-")) for c in value):
        raise ValueError(f"{value[:MAX_OWNER]!r} is no lock owner (letters, digits and @._:#- only)")
    return value


def options(words: list[str]) -> dict[str, str]:
    """A probe's ``NAME VALUE`` pairs.

    >>> options(["vrf", "LGWAN", "count", "2"])
    {'vrf': 'LGWAN', 'count': '2'}
    """
    if len(words) % 2:
        raise ValueError("options come as NAME VALUE pairs")
    given = dict(zip(words[::2], words[1::2], strict=True))
    unknown = set(given) - set(PROBE_OPTIONS)
    if unknown:
        raise ValueError(f"unknown option {sorted(unknown)[0]}")
    return given
