"""Secrets out of configuration text: every password, secret, key and community is replaced by one
placeholder format, ``<secret:sha-HASH>`` (an HMAC under a salt), so that a changed secret still
shows as a change while the value never lands in a backup, report, log or diff. Rendered files name
their secrets instead: ``<secret:NAME>``. ``PLACEHOLDER`` matches both.

Where the secrets are is what the device's own grammar says (``muronet.reading``): each line is read
in its node, in any case and abbreviation the device takes (``snmp-server comm``, ``key-str``,
``Enable Pass``, a line ending in a carriage return), and the words the command takes as a password,
key, community or pre-shared key are the secrets. A line no node reads is read as any node would
take it (a diff's hunk lacks its section), else its secrets are guessed from its words (masking
more is safe). A text of an unknown platform is read by every grammar, and what any finds is
masked. The reading is one pass over the words: time linear in the text, whatever it holds (NAPALM's
sanitising patterns, which this replaces, backtrack on some lines).
"""

from __future__ import annotations

import re

from muronet.reading import read
from muronet.reading.reader import GUESSED
from napalm_frr.masking import masked, placeholder, tokenize

__all__ = ["ANY_SECRET", "PLACEHOLDER", "REFERENCE", "frr_secrets", "mask", "mask_diff", "placeholder", "reference",
           "secrets_in", "tokenized", "unified"]

PLACEHOLDER = re.compile(r"<secret:[^>]*>")  # a masked secret, or a template's reference to one
REFERENCE = re.compile(r"<secret:(?!sha-)[^>]*>")  # a template's reference to the vault, not a value
ANY_SECRET = "<secret:*>"  # every placeholder, when only the other lines of two texts are compared
GRAMMARS = ("frr", "cisco_ios")  # the platforms with a grammar, named as the platform (muronet/reading/grammars)


def _grammars(platform: str | None) -> tuple[str, ...]:
    return (platform,) if platform in GRAMMARS else GRAMMARS


def _secret_spans(config: str, platform: str | None, masked: bool) -> set[tuple[int, int]]:
    """Where each secret of ``config`` is; ``masked``: placeholders count as secrets too. Read by
    several grammars, each line's secrets are those of the grammars that know it best (read in its
    node, else in another node, else guessed)."""
    readings = [read(config, name) for name in _grammars(platform)]
    spans: set[tuple[int, int]] = set()
    for line in {n for reading in readings for n in reading.secrets}:
        known = [(reading.evidence.get(line, (GUESSED, ())), reading) for reading in readings]
        level = max(evidence[0] for evidence, _ in known)
        key = min(evidence[1] for evidence, _ in known if evidence[0] == level)
        spans.update(span for evidence, reading in known if evidence == (level, key)
                     for span in reading.secrets.get(line, ()))
    return spans if masked else {(start, end) for start, end in spans if not PLACEHOLDER.fullmatch(config[start:end])}




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


def _chosen(config: str, masked: bool = False, platform: str | None = None) -> list[tuple[int, int]]:
    """The secrets' spans, in order; where two readings found overlapping ones, the narrower
    (``password 7 X``: the secret is ``X``, and the audit still reads that it is of type 7)."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(_secret_spans(config, platform, masked), key=lambda span: span[1] - span[0]):
        if all(end <= other_start or start >= other_end for other_start, other_end in chosen):
            chosen.append((start, end))
    return sorted(chosen)


def mask(config: str, salt: bytes, platform: str | None = None) -> str:
    """``config`` with every secret replaced by its placeholder (``platform``: the grammar to
    read it by; every grammar when it is not known).

    >>> mask("username admin privilege 15 secret 9 $9$abc\\nsnmp-server community public RO 10\\n", b"k")
    'username admin privilege 15 secret 9 <secret:sha-bf51bb33>\\nsnmp-server community <secret:sha-bb4c4d26> RO 10\\n'
    >>> mask("router bgp 64512\\n neighbor 10.0.0.1 password 7 0822455D0A16\\nexit\\n", b"k").split("\\n")[1]
    ' neighbor 10.0.0.1 password 7 <secret:sha-d8808879>'
    """
    return masked(config, _chosen(config, platform=platform), salt)


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


def secrets_in(line: str, platform: str | None = None) -> list[str]:
    """The secrets one configuration line holds, indented or not, read in whichever node takes it:
    values, placeholders of masked values (``<secret:sha-…>``) and references (``<secret:NAME>``).

    >>> secrets_in("ip ospf message-digest-key 1 md5 k3y"), secrets_in("ip ospf cost 10")
    (['k3y'], [])
    """
    text = line.strip() + "\n"
    return [text[start:end] for start, end in _chosen(text, masked=True, platform=platform)] if line.strip() else []


def tokenized(config: str, platform: str | None = None) -> tuple[str, dict[str, str]]:
    """``config`` with every secret replaced by a token of the same length (letters and digits
    that occur nowhere else in it), and the tokens' secrets: a text a tool may process without
    seeing a secret, whose output gets them back by replacing each token. Secrets shorter than
    four characters stay (no token that short is safely unique).

    >>> text, secrets = tokenized("router bgp 1\\n neighbor 10.0.0.1 password s3cr3t-pw\\n")
    >>> "s3cr3t-pw" in text, len(text) == 51, list(secrets.values())
    (False, True, ['s3cr3t-pw'])
    """
    return tokenize(config, _chosen(config, platform=platform))


def frr_secrets(config: str) -> list[tuple[int, int]]:
    """Where the secrets of an FRR configuration are, as FRR's grammar reads it: the secret reader
    muronet registers for the FRR driver (``napalm_frr.masking``, entry point group
    ``napalm_frr.secret_readers``).

    >>> config = "interface eth1\\n ip ospf message-digest-key 1 md5 s3cret-key\\nexit\\n"
    >>> [config[start:end] for start, end in frr_secrets(config)]
    ['s3cret-key']
    """
    return _chosen(config, platform="frr")
