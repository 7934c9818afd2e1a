"""Where an FRR configuration's secrets are: an optional interface of the driver.

The driver keeps secrets out of three places: what it shows (``get_config(sanitized=True)``, and
messages that quote a configuration's lines), the scratch FRR that renders candidates (it gets each
secret as a token of the same length, and the rendering gets the secrets back), and the renderings
it caches on disk. Finding them takes FRR's grammar (which words of which command are a password, a
key, a community), so the driver asks a **secret reader**: a function from a configuration to the
``(start, end)`` spans of its secrets, in order, registered as an entry point of the group
``napalm_frr.secret_readers``. muronet registers one (``muronet.masking:frr_secrets``, FRR's command
grammar); another package may register its own.

Without a reader the driver masks what it shows with NAPALM's own filters
(``napalm.base.helpers.sanitize_config`` with ``CISCO_SANITIZE_FILTERS``: the password, key and
community forms FRR shares with IOS), the scratch FRR sees candidates as they are, and nothing is
cached on disk.
"""

from __future__ import annotations

import hashlib
import hmac
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from importlib.metadata import entry_points

SecretReader = Callable[[str], Sequence[tuple[int, int]]]
ENTRY_POINTS = "napalm_frr.secret_readers"
MIN_TOKEN = 4  # a shorter secret stays as it is: no token that short is safely unique in a text


@cache
def reader() -> SecretReader | None:
    """The registered secret reader (the first by name that loads), or None. A reader that cannot
    be loaded (its package half-installed) is passed over with a warning: masking then falls back
    to NAPALM's filters, it never stops."""
    for point in sorted(entry_points(group=ENTRY_POINTS), key=lambda point: point.name):
        try:
            loaded: SecretReader = point.load()
        except ImportError as error:
            warnings.warn(f"napalm_frr: the secret reader {point.name} ({point.value}) cannot be loaded: {error}",
                          RuntimeWarning, stacklevel=2)
            continue
        return loaded
    return None


def placeholder(secret: str, salt: bytes) -> str:
    """The one placeholder format: a keyed hash, equal for equal secrets under one salt, so a changed
    secret still shows as a change while the value shows nowhere.

    >>> placeholder("public", b"k")
    '<secret:sha-bb4c4d26>'
    """
    return f"<secret:sha-{hmac.new(salt, secret.encode(), hashlib.sha256).hexdigest()[:8]}>"


def masked(config: str, spans: Sequence[tuple[int, int]], salt: bytes) -> str:
    """``config`` with the text of each span replaced by its placeholder.

    >>> masked("neighbor 10.0.0.1 password s3cret", [(27, 33)], b"k")
    'neighbor 10.0.0.1 password <secret:sha-15c94589>'
    """
    out, position = [], 0
    for start, end in spans:
        out += [config[position:start], placeholder(config[start:end], salt)]
        position = end
    out.append(config[position:])
    return "".join(out)


def tokenize(config: str, spans: Sequence[tuple[int, int]]) -> tuple[str, dict[str, str]]:
    """``config`` with the text of each span replaced by a token of the same length (letters and
    digits that occur nowhere else in it), and the tokens' secrets: a text a tool may process without
    seeing a secret, whose output gets them back by replacing each token.

    >>> text, tokens = tokenize("neighbor 10.0.0.1 password s3cret", [(27, 33)])
    >>> "s3cret" in text, len(text), list(tokens.values())
    (False, 33, ['s3cret'])
    """
    tokens: dict[str, str] = {}
    by_secret: dict[str, str] = {}
    out, position = [], 0
    for start, end in spans:
        secret = config[start:end]
        if len(secret) < MIN_TOKEN:
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


def sanitize(config: str, salt: bytes) -> str:
    """``config`` as the driver shows it: each secret the reader finds as its placeholder; without a
    reader, as NAPALM's IOS filters mask it."""
    read = reader()
    if read is not None:
        return masked(config, read(config), salt)
    from napalm.base.constants import CISCO_SANITIZE_FILTERS
    from napalm.base.helpers import sanitize_config

    return str(sanitize_config(config, CISCO_SANITIZE_FILTERS))


def tokenized(config: str) -> tuple[str, dict[str, str]] | None:
    """:func:`tokenize` with the reader's spans; None without a reader (the secrets cannot be found)."""
    read = reader()
    return tokenize(config, read(config)) if read is not None else None
