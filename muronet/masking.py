"""Secrets out of configuration text: every password, secret, key and community is replaced by a
placeholder carrying a short keyed hash, so a changed secret still shows as a change and the value
never lands in a backup, report, log or diff."""

from __future__ import annotations

import hashlib
import hmac
import re

# (line pattern, group holding the secret) for IOS and FRR; a type digit before a value is kept.
SECRET_LINES = [
    re.compile(r"^\s*(?:no )?(?:enable )?(?:secret|password)(?: \d+)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?username \S+ .*?(?:secret|password)(?: \d+)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?ip ospf message-digest-key \d+ md5(?: \d)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?ip ospf authentication-key(?: \d)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?neighbor \S+ password(?: \d)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?key-string(?: \d)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?(?:tacacs-server|radius-server) .*key(?: \d)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?key(?: \d)? (?P<secret>\S+)$"),  # inside "tacacs server NAME"
    re.compile(r"^\s*(?:no )?snmp-server community (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?snmp-server user \S+ \S+ v3 auth \S+ (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?snmp-server user \S+ \S+ v3 auth \S+ \S+ priv \S+(?: \d+)? (?P<secret>\S+)"),
    re.compile(r"^\s*(?:no )?ntp authentication-key \d+ \S+ (?P<secret>\S+)"),
]
PLACEHOLDER = re.compile(r"<secret:[^>]*>")  # a masked secret, or a template's reference to one


def mask(config: str, salt: bytes) -> str:
    """``config`` with every secret replaced by ``<secret:sha-HASH>`` (HMAC-SHA256 under ``salt``).

    >>> mask("username admin privilege 15 secret 9 $9$abc\\nsnmp-server community public RO\\n", b"k")
    'username admin privilege 15 secret 9 <secret:sha-bf51bb33>\\nsnmp-server community <secret:sha-bb4c4d26> RO\\n'
    """
    lines = []
    for line in config.splitlines(keepends=True):
        for pattern in SECRET_LINES:
            while (found := pattern.match(line)) and not PLACEHOLDER.match(found["secret"]):
                digest = hmac.new(salt, found["secret"].encode(), hashlib.sha256).hexdigest()[:8]
                line = line[:found.start("secret")] + f"<secret:sha-{digest}>" + line[found.end("secret"):]
        lines.append(line)
    return "".join(lines)
