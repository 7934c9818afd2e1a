"""Access lists as the checks need them: each entry's action and its source and destination
networks (None: ``any``), IOS standard/extended and FRR forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

from muronet.policy.context import DeviceAudit

_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+$")
_PORT_MATCH = {"eq": 1, "neq": 1, "lt": 1, "gt": 1, "range": 2}  # words after an address that name ports


@dataclass(frozen=True)
class AclEntry:
    action: str  # permit | deny
    source: IPv4Network | None  # None: any
    destination: IPv4Network | None  # None: any, or a standard ACL (it has none)
    extended: bool


def address(words: list[str]) -> tuple[IPv4Network | None, list[str]]:
    """The address an ACL entry writes at the start of ``words`` (``any``: None, ``host A``,
    ``A WILDCARD``, ``A/L``, ``A``) and the words after it.

    >>> address(["10.20.0.0", "0.0.255.255", "eq", "22"])
    (IPv4Network('10.20.0.0/16'), ['eq', '22'])
    """
    if words[0] == "any":
        return None, words[1:]
    if words[0] == "host":
        return IPv4Network(f"{words[1]}/32"), words[2:]
    if "/" in words[0]:
        return IPv4Network(words[0], strict=False), words[1:]
    if len(words) > 1 and _ADDRESS.match(words[1]):  # address and wildcard
        mask = ".".join(str(255 - int(octet)) for octet in words[1].split("."))
        return IPv4Network(f"{words[0]}/{mask}", strict=False), words[2:]
    return IPv4Network(f"{words[0]}/32"), words[1:]


def _address(words: list[str]) -> tuple[IPv4Network | None, list[str]]:
    """The address at the start of ``words`` (with the port match after it skipped) and the rest."""
    network, rest = address(words)
    if rest and rest[0] in _PORT_MATCH:
        rest = rest[1 + _PORT_MATCH[rest[0]]:]
    return network, rest


def parse_entry(text: str) -> AclEntry | None:
    """One ACL entry (None: a remark or an unreadable line).

    >>> parse_entry("10 permit tcp host 10.224.255.1 eq bgp 10.20.0.0 0.0.255.255 established")
    AclEntry(action='permit', source=IPv4Network('10.224.255.1/32'), destination=IPv4Network('10.20.0.0/16'), \
extended=True)
    >>> parse_entry("access-list VTY-MGMT seq 5 permit 10.99.0.50/32").source
    IPv4Network('10.99.0.50/32')
    >>> parse_entry("50 deny ip any any log")
    AclEntry(action='deny', source=None, destination=None, extended=True)
    """
    words = text.split()
    actions = [n for n, word in enumerate(words) if word in ("permit", "deny")]
    if not actions:
        return None
    words = words[actions[0]:]
    extended = len(words) > 2 and not _ADDRESS.match(words[1]) and words[1] not in ("any", "host") \
        and "/" not in words[1]
    try:
        source, rest = _address(words[2:] if extended else words[1:])
        destination = _address(rest)[0] if extended and rest else None
    except (IndexError, ValueError):
        return None
    return AclEntry(words[0], source, destination, extended)


def acl_entries(audit: DeviceAudit, name: str) -> list[Any]:
    """Entries of an ACL (IOS ``ip access-list standard|extended NAME`` block, FRR
    ``access-list NAME seq N permit X`` lines) as configuration children."""
    block = audit.tree.get_child(re_search=rf"^ip access-list (standard|extended) {re.escape(name)}$")
    if block is not None:
        return list(block.children)
    return list(audit.top(f"access-list {name} "))
