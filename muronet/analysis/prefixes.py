"""Prefixes as the routing model keeps them: one instance per prefix, its hash computed once."""

from __future__ import annotations

from ipaddress import IPv4Network


class _Prefix(IPv4Network):
    """A prefix whose hash is computed once: the model looks prefixes up millions of times."""

    __slots__ = ("_hash",)
    _hash: int

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:  # made by one of IPv4Network's own methods (supernet…), not by ``interned``
            return IPv4Network.__hash__(self)


_INTERNED: dict[tuple[int, int], _Prefix] = {}


def interned(network: IPv4Network) -> IPv4Network:
    """The one instance of a prefix the model uses (equal prefixes are the same object: dictionary
    lookups compare identities, and the hash is not recomputed).

    >>> interned(IPv4Network("10.0.0.0/8")) is interned(IPv4Network("10.0.0.0/8")), interned(IPv4Network("0.0.0.0/0"))
    (True, _Prefix('0.0.0.0/0'))
    """
    key = (int(network.network_address), network.prefixlen)
    found = _INTERNED.get(key)
    if found is None:
        found = _INTERNED[key] = _Prefix(key)
        found._hash = IPv4Network.__hash__(found)
    return found
