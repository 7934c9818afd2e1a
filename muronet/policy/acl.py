"""Access lists, one model for every reader (the policy's checks, the review, the analysis' filter
reachability and route policies): each entry read whole, IOS standard and extended and FRR forms:
its action, protocol, source and destination with their port ranges (``any`` is 0.0.0.0/0, every
port 0–65535; a port match that cannot be compared exactly, ``neq`` or a port name this model does
not know, is None), and the qualifiers that narrow a match (``established``, ICMP types, DSCP, …;
``log`` narrows nothing)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network
from typing import Any

from muronet.policy.context import DeviceAudit

_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+$")


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


ANY = IPv4Network("0.0.0.0/0")
ALL_PORTS = (0, 65535)
_PORT_NAMES = {"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "tacacs": 49, "domain": 53,
               "bootps": 67, "bootpc": 68, "tftp": 69, "www": 80, "http": 80, "pop3": 110, "ntp": 123,
               "snmp": 161, "snmptrap": 162, "bgp": 179, "ldap": 389, "https": 443, "isakmp": 500,
               "syslog": 514, "ldaps": 636, "non500-isakmp": 4500}
_PORT_WORDS = {"eq": 1, "neq": 1, "lt": 1, "gt": 1, "range": 2}  # a port match's operator, and its ports
_PROTOCOLS_IN_IP = {"ip", "ipv4"}
_NOT_NARROWING = {"log", "log-input"}


@dataclass(frozen=True)
class Entry:
    action: str
    protocol: str  # "ip": every protocol
    source: IPv4Network
    source_ports: tuple[int, int] | None  # None: not comparable (neq, an unknown port name)
    destination: IPv4Network
    destination_ports: tuple[int, int] | None
    qualifiers: frozenset[str]
    exact: bool = False  # FRR ``exact-match``: only that prefix, not the ones inside it
    extended: bool = False  # an extended entry (a protocol, a source and a destination)


def _port(word: str) -> int:
    """A port by number or by the name IOS shows (KeyError: a name not known here)."""
    return int(word) if word.isdigit() else _PORT_NAMES[word]


def _endpoint(words: list[str]) -> tuple[IPv4Network, tuple[int, int] | None, list[str]]:
    """An address (``any``, ``host A``, ``A WILDCARD``, ``A/L``, ``A``) and its port match."""
    found, rest = address(words)
    ports: tuple[int, int] | None = ALL_PORTS
    if rest and rest[0] in _PORT_WORDS:
        count = _PORT_WORDS[rest[0]]
        ports, rest = _ports(rest[0], rest[1:1 + count]), rest[1 + count:]
    return found or ANY, ports, rest


def _ports(operator: str, words: list[str]) -> tuple[int, int] | None:
    """The port range a match names; None where it cannot be compared exactly (``neq``, or a port
    name not known here).

    >>> _ports("lt", ["1024"]), _ports("range", ["ftp-data", "ftp"]), _ports("eq", ["whois"])
    ((0, 1023), (20, 21), None)
    """
    try:
        first, last = _port(words[0]), _port(words[-1])
    except KeyError:
        return None
    bounds = {"eq": (first, first), "lt": (0, first - 1), "gt": (first + 1, 65535), "range": (first, last)}
    return bounds.get(operator)


@lru_cache(maxsize=1 << 16)
def parse_entry(text: str) -> Entry | None:
    """One ACL line, IOS standard or extended or FRR's (None: a remark, or a form not read); a line
    read once is known after (the analysis, the route policies and a review's two sides read the
    same lines).

    >>> parse_entry("20 permit tcp host 10.224.255.1 eq bgp 10.20.0.0 0.0.255.255 established")
    ... # doctest: +NORMALIZE_WHITESPACE
    Entry(action='permit', protocol='tcp', source=IPv4Network('10.224.255.1/32'), source_ports=(179, 179),
          destination=IPv4Network('10.20.0.0/16'), destination_ports=(0, 65535),
          qualifiers=frozenset({'established'}), exact=False, extended=True)
    >>> parse_entry("access-list VTY seq 5 permit 10.99.0.0/24 exact-match").exact
    True
    >>> parse_entry("50 deny ip any any log").source == ANY
    True
    """
    words = text.split()
    actions = [n for n, word in enumerate(words) if word in ("permit", "deny")]
    if not actions:
        return None
    action, words = words[actions[0]], words[actions[0] + 1:]
    try:
        if words and not (_ADDRESS.match(words[0]) or words[0] in ("any", "host") or "/" in words[0]):
            protocol, extended = words[0], True
            source, source_ports, rest = _endpoint(words[1:])
            destination, destination_ports, rest = _endpoint(rest)
        else:  # standard: a source only (FRR's access-lists filter routes by prefix the same way)
            protocol, destination, destination_ports, extended = "ip", ANY, ALL_PORTS, False
            source, source_ports, rest = _endpoint(words)
    except (IndexError, KeyError, ValueError):
        return None
    exact = "exact-match" in rest
    qualifiers = frozenset(word for word in rest if word not in _NOT_NARROWING and word != "exact-match")
    return Entry(action, "ip" if protocol in _PROTOCOLS_IN_IP else protocol, source, source_ports, destination,
                 destination_ports, qualifiers, exact, extended)


def acl_entries(audit: DeviceAudit, name: str) -> list[Any]:
    """Entries of an ACL (IOS ``ip access-list standard|extended NAME`` block, FRR
    ``access-list NAME seq N permit X`` lines) as configuration children."""
    block = audit.tree.get_child(re_search=rf"^ip access-list (standard|extended) {re.escape(name)}$")
    if block is not None:
        return list(block.children)
    return list(audit.top(f"access-list {name} "))
