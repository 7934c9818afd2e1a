"""Secrets out of configuration text: every password, secret, key and community is replaced by one
placeholder format, ``<secret:sha-HASH>`` (an HMAC under a salt), so that a changed secret still
shows as a change while the value never lands in a backup, report, log or diff. Rendered files name
their secrets instead: ``<secret:NAME>``. ``PLACEHOLDER`` matches both.

The filters are NAPALM's for Cisco (``napalm.base.constants.CISCO_SANITIZE_FILTERS``, which covers
Oxidized's IOS model and netutils' examples), in NAPALM's own format (a pattern and a replacement
naming the secret ``<removed>``), with two of them made precise (a community's access and ACL, and
an SNMPv3 host's user name, are not secrets, and the audit reads them) and the forms they miss added:
SNMPv3 user keys, NTP keys, pre-shared keys, RADIUS server keys, and every FRR secret form.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

PLACEHOLDER = re.compile(r"<secret:[^>]*>")  # a masked secret, or a template's reference to one
REFERENCE = re.compile(r"<secret:(?!sha-)[^>]*>")  # a template's reference to the vault, not a value
ANY_SECRET = "<secret:*>"  # every placeholder, when only the other lines of two texts are compared
_REPLACED_BY_OURS = (
    r"^(snmp-server community).*$",  # kept the access (RO/RW) and ACL words: ours keeps them
    r"^(snmp-server host \S+( vrf \S+)?( version (1|2c|3))?)\s+\S+((\s+\S*)*)\s*$",  # masked v3's "priv"
)
MORE_FILTERS = {
    # Cisco IOS / IOS-XE
    r"^(snmp-server community) (\S+)(.*)$": r"\1 <removed>\3",
    r"^(snmp-server host \S+(?: vrf \S+)?(?: informs| traps)?(?: version (?:1|2c))?) "
    r"(?!(?:vrf|informs|traps|version) )(\S+)(.*)$": r"\1 <removed>\3",
    r"^(snmp-server user \S+ \S+(?: remote \S+)? v3(?: encrypted)? auth \S+) (\S+)( priv (?:3des|des|aes(?: \d+)?))"
    r" (\S+)(.*)$": r"\1 <removed>\3 <removed>\5",
    r"^(snmp-server user \S+ \S+(?: remote \S+)? v3(?: encrypted)? auth \S+) (\S+)(.*)$": r"\1 <removed>\3",
    r"^(ntp authentication-key \d+ \S+) (\S+)(.*)$": r"\1 <removed>\3",
    r"^(\s*pre-shared-key(?: (?:local|remote))?(?: \d)?) (\S+)$": r"\1 <removed>",
    r"^(\s*pre-shared-key address \S+(?: \S+)? key(?: \d)?) (\S+)$": r"\1 <removed>",
    r"^(crypto isakmp key(?: \d)?) (\S+) (.*)$": r"\1 <removed> \3",
    r"^(\s*server-key(?: \d)?) (\S+)$": r"\1 <removed>",  # radius server blocks (NAPALM has their "key")
    r"^((?:radius|tacacs)-server (?:.+ )?key(?: \d)?) (\S+)$": r"\1 <removed>",
    r"^(\s+authentication (?:text|md5 key-string)(?: \d)?) (\S+)(.*)$": r"\1 <removed>\3",
    # FRR (vtysh): vty and enable passwords, OSPF, OSPFv3, BGP, IS-IS, RIP keys, key chains
    r"^(\s*(?:enable )?password(?: \d)?) (\S+)$": r"\1 <removed>",
    r"^(\s*ip ospf message-digest-key \d+ md5(?: \d)?) (\S+)$": r"\1 <removed>",
    r"^(\s*ip ospf authentication-key(?: \d)?) (\S+)$": r"\1 <removed>",
    r"^(\s*area \S+ virtual-link \S+ (?:message-digest-key \d+ md5|authentication-key)) (\S+)(.*)$":
        r"\1 <removed>\3",
    r"^(\s*ipv6 ospf6 authentication key-id \d+ hash-algo \S+ key) (\S+)$": r"\1 <removed>",
    r"^(\s*neighbor \S+ password(?: \d)?) (\S+)$": r"\1 <removed>",
    r"^(\s*(?:area|domain)-password (?:clear|md5)) (\S+)(.*)$": r"\1 <removed>\3",
    r"^(\s*isis password (?:clear|md5)) (\S+)$": r"\1 <removed>",
    r"^(\s*ip rip authentication string) (\S+)$": r"\1 <removed>",
    r"^(\s*key-string(?: \d)?) (\S+)$": r"\1 <removed>",
}


@dataclass(frozen=True)
class _Filter:
    pattern: re.Pattern[str]
    secrets: tuple[tuple[int | None, int | None], ...]  # per secret: the groups around it (None: the match's edge)
    multiline: bool  # spans lines (a key inside a "tacacs server" block): run over the whole text


@cache
def _filters() -> tuple[_Filter, ...]:
    """NAPALM's filters (but the two ours replace), then ours, each read as spans between groups."""
    from napalm.base.constants import CISCO_SANITIZE_FILTERS  # napalm takes 0.4 s to import: only when masking

    chosen = {k: v for k, v in CISCO_SANITIZE_FILTERS.items() if k not in _REPLACED_BY_OURS} | MORE_FILTERS
    return tuple(_Filter(re.compile(pattern, re.M), _spans(replacement), "\\n" in pattern)
                 for pattern, replacement in chosen.items())


# Lines that can hold a secret: the filters run only on these (a configuration has few of them).
_CANDIDATE = re.compile(r"^(\s*)(no )?(.*(?:password|secret|key|community|snmp-server|wpa-psk|authentication).*)$",
                        re.M)


def _spans(replacement: str) -> tuple[tuple[int | None, int | None], ...]:
    """Which groups surround each ``<removed>`` of a replacement: ``\\1 <removed> \\3`` → ((1, 3),).

    >>> _spans(r"\\1 <removed> \\3 <removed> \\4\\5")
    ((1, 3), (3, 4))
    """
    tokens = re.findall(r"\\(\d+)|(<removed>)", replacement)
    found, previous = [], None
    for n, (group, removed) in enumerate(tokens):
        if removed:
            following = next((int(g) for g, _ in tokens[n + 1:] if g), None)
            found.append((previous, following))
        else:
            previous = int(group)
    return tuple(found)


def _matched(rule: _Filter, match: re.Match[str], shift: int, masked: bool) -> Iterator[tuple[int, int]]:
    text = match.string
    for before, after in rule.secrets:
        start = match.end(before) if before is not None else match.start()
        end = match.start(after) if after is not None and match.start(after) >= 0 else match.end()
        value = text[start:end]
        stripped = value.strip()
        if stripped and (masked or not PLACEHOLDER.search(stripped)):  # masked once is enough
            offset = start + len(value) - len(value.lstrip())
            yield shift + offset, shift + offset + len(stripped)


def _secret_spans(config: str, masked: bool = False) -> Iterator[tuple[int, int]]:
    """Where each secret of ``config`` is (start, end), possibly found twice; a removal (``no …``)
    holds its secret as the line it removes does. ``masked``: placeholders count as secrets too."""
    rules = _filters()
    for rule in rules:
        if rule.multiline:
            for match in rule.pattern.finditer(config):
                yield from _matched(rule, match, 0, masked)
    for candidate in _CANDIDATE.finditer(config):
        indent, negated, rest = candidate.groups()
        line = indent + rest
        shift = candidate.start() + (len(negated) if negated else 0)
        for rule in rules:
            if not rule.multiline and (match := rule.pattern.match(line)):
                yield from _matched(rule, match, shift, masked)


def placeholder(secret: str, salt: bytes) -> str:
    """The one placeholder format: a keyed hash, equal for equal secrets under one salt.

    >>> placeholder("public", b"k")
    '<secret:sha-bb4c4d26>'
    """
    return f"<secret:sha-{hmac.new(salt, secret.encode(), hashlib.sha256).hexdigest()[:8]}>"


def reference(name: str) -> str:
    """The placeholder a rendered file shows for the secret named ``name`` (the vault's key).

    >>> reference("ospf_key")
    '<secret:ospf_key>'
    >>> bool(REFERENCE.fullmatch(reference("ospf_key"))), bool(REFERENCE.fullmatch(placeholder("x", b"k")))
    (True, False)
    """
    return f"<secret:{name}>"


def unified(text: str) -> str:
    """``text`` with every placeholder, of a value or a reference, made one: texts whose secrets
    were masked differently (a backup's salt, a rendering's names) then differ only where other
    lines do.

    >>> unified("md5 <secret:ospf_key>") == unified("md5 <secret:sha-bb4c4d26>") == "md5 <secret:*>"
    True
    """
    return PLACEHOLDER.sub(ANY_SECRET, text)


def _chosen(config: str, masked: bool = False) -> list[tuple[int, int]]:
    """The secrets' spans, in order; where two filters found the same secret, the narrower span
    (``password 7 X``: the secret is ``X``, and the audit still reads that it is of type 7)."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(set(_secret_spans(config, masked)), key=lambda span: span[1] - span[0]):
        if all(end <= other_start or start >= other_end for other_start, other_end in chosen):
            chosen.append((start, end))
    return sorted(chosen)


def mask(config: str, salt: bytes) -> str:
    """``config`` with every secret replaced by its placeholder.

    >>> mask("username admin privilege 15 secret 9 $9$abc\\nsnmp-server community public RO 10\\n", b"k")
    'username admin privilege 15 secret 9 <secret:sha-bf51bb33>\\nsnmp-server community <secret:sha-bb4c4d26> RO 10\\n'
    >>> mask("router bgp 64512\\n neighbor 10.0.0.1 password 7 0822455D0A16\\nexit\\n", b"k").split("\\n")[1]
    ' neighbor 10.0.0.1 password 7 <secret:sha-d8808879>'
    """
    out, position = [], 0
    for start, end in _chosen(config):
        out += [config[position:start], placeholder(config[start:end], salt)]
        position = end
    out.append(config[position:])
    return "".join(out)


_DIFF_SIGN = re.compile(r"^(\s*)([+-])(?![+-])")  # a unified (+line) or IOS contextual ( +line) diff's sign


def mask_diff(diff: str, salt: bytes) -> str:
    """A configuration diff with every secret of its changed lines replaced by its placeholder,
    whether the diff is unified (``+ neighbor … password X``) or IOS's contextual (`` +key X``).

    >>> mask_diff("tacacs server AAA1\\n -key oldK3y\\n+snmp-server community s3cr3t RO", b"k").splitlines()
    ['tacacs server AAA1', ' -key <secret:sha-8e77b720>', '+snmp-server community <secret:sha-4132301b> RO']
    """
    # the signs out, the text masked whole (a key belongs to the "tacacs server" block above it),
    # the signs back: masking changes no line break
    signs, lines = [], []
    for line in diff.split("\n"):
        sign = _DIFF_SIGN.match(line) if not line.startswith(("+++", "---")) else None
        signs.append((sign.group(1), sign.group(2)) if sign else None)
        lines.append(sign.group(1) + line[sign.end():] if sign else line)
    masked = mask("\n".join(lines), salt).split("\n")
    out = [line if sign is None else f"{sign[0]}{sign[1]}{line[len(sign[0]):]}"
           for sign, line in zip(signs, masked, strict=True)]
    return "\n".join(out)


def secrets_in(line: str) -> list[str]:
    """The secrets one configuration line holds, indented or not: values, placeholders of masked
    values (``<secret:sha-…>``) and references (``<secret:NAME>``).

    >>> secrets_in("ip ospf message-digest-key 1 md5 k3y"), secrets_in("ip ospf cost 10")
    (['k3y'], [])
    """
    for text in (line, " " + line):  # NAPALM's filters want an indented line inside a section
        found = [text[start:end] for start, end in _chosen(text, masked=True)]
        if found:
            return found
    return []


def tokenized(config: str) -> tuple[str, dict[str, str]]:
    """``config`` with every secret replaced by a token of the same length (letters and digits
    that occur nowhere else in it), and the tokens' secrets: a text a tool may process without
    seeing a secret, whose output gets them back by replacing each token. Secrets shorter than
    four characters stay (no token that short is safely unique).

    >>> text, secrets = tokenized("router bgp 1\\n neighbor 10.0.0.1 password s3cr3t-pw\\n")
    >>> "s3cr3t-pw" in text, len(text) == 51, list(secrets.values())
    (False, True, ['s3cr3t-pw'])
    """
    tokens: dict[str, str] = {}
    by_secret: dict[str, str] = {}
    out, position = [], 0
    for start, end in _chosen(config):
        secret = config[start:end]
        if len(secret) < 4:
            continue
        if secret not in by_secret:
            token = _token(len(secret), len(by_secret), config)
            by_secret[secret], tokens[token] = token, secret
        out += [config[position:start], by_secret[secret]]
        position = end
    out.append(config[position:])
    return "".join(out), tokens


def _token(length: int, index: int, text: str) -> str:
    for salt in range(1000):
        digest = hashlib.sha256(f"{index}:{salt}".encode()).hexdigest()
        token = ("Zt" + digest)[:length]
        if token not in text:
            return token
    raise ValueError("no unique token")  # pragma: no cover - 1000 collisions in one text
