"""Command specifications in FRR's syntax, and matching a line's words against them as a device does.

A specification is FRR's own notation (what ``vtysh -c list`` prints): keywords in lower case
(``neighbor``), variables in upper case (``WORD``, ``LINE``, ``IFNAME``), typed values (``A.B.C.D``,
``A.B.C.D/M``, ``X:X::X:X``, ``X:X:X:X:X:X``, ranges ``(1-65535)``), ``<a|b>`` one of, ``[a]``
optional, ``{a|b}`` any of them in any order, ``WORD...`` repeated, ``$name`` a name for the value.
Each specification becomes a small graph of tokens; a node's graphs together answer which command a
line is.

Matching follows FRR's matcher (lib/command_match.c), written here from its documented rules:

- a keyword takes any prefix of itself (an abbreviation) or itself; a variable takes any word; a
  typed value takes only a whole, valid value;
- where two readings of a line take its words, the first word where they differ decides: a typed
  value beats a keyword, a keyword beats a variable, and between two of one kind the exact match
  beats the abbreviation; two readings that never differ so are ambiguous, and the line is refused.

Cisco IOS reads its keywords in any case (``case_folded``); FRR only in lower case. Matching is one
pass over the words, each step over the tokens the previous words reached: time linear in the line.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from dataclasses import dataclass, field

MAX_WORDS = 256  # FRR's CMD_ARGC_MAX: a longer line matches no command

KEYWORD, VARIABLE, RANGE, IPV4, IPV4_PREFIX, IPV6, IPV6_PREFIX, MAC, MAC_PREFIX = range(9)
_TYPED = {"A.B.C.D": IPV4, "A.B.C.D/M": IPV4_PREFIX, "X:X::X:X": IPV6, "X:X::X:X/M": IPV6_PREFIX,
          "X:X:X:X:X:X": MAC, "X:X:X:X:X:X/M": MAC_PREFIX}
# FRR's precedence between readings (lower wins): typed values, then keywords, then variables
_PRECEDENCE = {IPV4: 2, IPV4_PREFIX: 2, IPV6: 2, IPV6_PREFIX: 2, MAC: 2, MAC_PREFIX: 2, RANGE: 2, KEYWORD: 3,
               VARIABLE: 4}
EXACT, PARTIAL = 0, 1  # how a word matched (lower is better)
_LEX = re.compile(r"\s*(?:(\(-?\d+--?\d+\))|([<>\[\]{}|])|(\$[\w-]+)|(\.\.\.)|([^\s<>\[\]{}|()$]+(?:\.\.\.)?))")
_VARIABLE = re.compile(r"[A-Z][-_A-Z0-9:.]*(?:/M)?(?:\.\.\.)?")
_MAC = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")


class SpecError(ValueError):
    """A specification that is not FRR's syntax."""


@dataclass(eq=False)
class Token:
    """One position of a command: what word it takes, and what may follow."""

    kind: int
    text: str  # the keyword, the variable's name, or the range as written
    key: str = ""  # a keyword as words are compared with it (in lower case where case does not matter)
    low: int = 0
    high: int = 0
    repeat: bool = False  # ``WORD...``: takes any number of words
    secret: bool = False  # ``$secret``: the word it takes is a secret
    following: list[Token] = field(default_factory=list, repr=False)
    command: int = -1  # the command this token may end (-1: none ends here)
    _index: tuple[list[str], list[Token], list[Token]] | None = field(default=None, repr=False)

    def next_for(self, folded: str) -> list[Token]:
        """The following tokens that could take a word (folded as keywords compare): the keywords it
        abbreviates or is, and every token that is not a keyword (a command's first token may be
        followed by hundreds: ``ip`` in FRR's configuration node)."""
        if len(self.following) < _INDEXED:
            return self.following
        if self._index is None:
            keywords = sorted((t for t in self.following if t.kind == KEYWORD), key=lambda t: t.key)
            self._index = ([t.key for t in keywords], keywords, [t for t in self.following if t.kind != KEYWORD])
        return keywords_from(*self._index, folded)

    def match(self, word: str, folded: str) -> int | None:
        """EXACT, PARTIAL or None: whether this token takes ``word`` (``folded``: as keywords compare)."""
        if self.kind == KEYWORD:
            if folded == self.key:
                return EXACT
            return PARTIAL if self.key.startswith(folded) else None
        if self.kind == VARIABLE:
            return EXACT
        return EXACT if _valid(self, word) else None


_INDEXED = 8  # a token followed by this many or more finds its followers by an index


def keywords_from(keys: list[str], keywords: list[Token], others: list[Token], folded: str) -> list[Token]:
    """Of sorted ``keywords`` (their ``keys``), those ``folded`` abbreviates or is, then ``others``."""
    found = []
    for k in range(bisect.bisect_left(keys, folded), len(keys)):
        if not keys[k].startswith(folded):
            break
        found.append(keywords[k])
    return found + others


def merged(tokens: list[Token]) -> list[Token]:
    """``tokens`` (the first tokens of many commands) with those that take the same words made one,
    followed by what followed any of them: ``ip`` starts a hundred FRR commands, and a word is tried
    against it once (FRR merges its command graphs so too)."""
    groups: dict[tuple[int, str, int, int, bool, bool], list[Token]] = {}
    for token in tokens:
        groups.setdefault((token.kind, token.key or token.text, token.low, token.high, token.repeat, token.secret),
                          []).append(token)
    out = []
    for group in groups.values():
        if len(group) == 1 or any(t in t.following for t in group):  # a repeated token keeps its own loop
            out.extend(group)
            continue
        one = Token(group[0].kind, group[0].text, group[0].key, group[0].low, group[0].high, False, group[0].secret)
        # the followers of every token of the group, each once, in order
        one.following = list({id(t): t for g in group for t in g.following}.values())
        one.command = next((t.command for t in group if t.command >= 0), -1)
        out.append(one)
    return out


def _valid(token: Token, word: str) -> bool:
    if token.kind == RANGE:
        return re.fullmatch(r"-?\d{1,19}", word) is not None and token.low <= int(word) <= token.high
    if token.kind == IPV4:
        return _ipv4(word)
    try:
        if token.kind == IPV6:
            return ":" in word and isinstance(ipaddress.ip_address(word), ipaddress.IPv6Address)
        if token.kind == IPV4_PREFIX:
            address, slash, length = word.partition("/")
            return _ipv4(address) and _length(length, ipaddress.IPV4LENGTH)
        if token.kind == IPV6_PREFIX:
            address, slash, length = word.partition("/")
            return (":" in address and _length(length, ipaddress.IPV6LENGTH)
                    and isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address))
    except ValueError:
        return False
    address, slash, length = word.partition("/")
    if token.kind == MAC:
        return not slash and _MAC.fullmatch(word) is not None
    return bool(slash) and _MAC.fullmatch(address) is not None and _length(length, MAC_BITS)


MAC_BITS = 48
_OCTETS, _OCTET_MAX = 4, 255  # an IPv4 address: four numbers of up to three digits, none above 255


def _length(text: str, bits: int) -> bool:
    """A number as FRR reads a prefix length or an octet: digits, none above ``bits`` (and no more
    digits than ``bits`` has).

    >>> _length("24", 32), _length("032", 32), _length("33", 32), _length("128", 128)
    (True, False, False, True)
    """
    return text.isascii() and text.isdigit() and len(text) <= len(str(bits)) and int(text) <= bits


def _ipv4(word: str) -> bool:
    """FRR's reading of an IPv4 address: four numbers of up to three digits, none above 255.

    >>> _ipv4("10.0.0.1"), _ipv4("010.0.0.1"), _ipv4("10.0.0"), _ipv4("10.0.0.256")
    (True, True, False, False)
    """
    parts = word.split(".")
    return len(parts) == _OCTETS and all(_length(p, _OCTET_MAX) for p in parts)


@dataclass
class _Fragment:
    """Part of a command's graph: the tokens it starts with, those it may end with, and whether it
    may take no word at all."""

    first: list[Token]
    last: list[Token]
    empty: bool


def _join(a: _Fragment, b: _Fragment) -> _Fragment:
    for token in a.last:
        token.following.extend(t for t in b.first if t not in token.following)
    return _Fragment(a.first + (b.first if a.empty else []), b.last + (a.last if b.empty else []),
                     a.empty and b.empty)


def _either(fragments: list[_Fragment]) -> _Fragment:
    return _Fragment([t for f in fragments for t in f.first], [t for f in fragments for t in f.last],
                     any(f.empty for f in fragments))


class _Parser:
    """A specification's tokens read into a graph (``parse``)."""

    def __init__(self, spec: str, case_folded: bool) -> None:
        self.spec, self.case_folded = spec, case_folded
        self.items: list[str] = []
        position = 0
        while position < len(spec):
            found = _LEX.match(spec, position)
            if found is None or found.end() == position:
                if spec[position:].strip():
                    raise SpecError(f"{spec!r}: cannot read {spec[position:]!r}")
                break
            self.items.append(found.group(found.lastindex or 0))
            position = found.end()
        self.at = 0

    def _peek(self) -> str | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def sequence(self) -> _Fragment:
        fragment = _Fragment([], [], True)
        while self._peek() not in (None, "|", ">", "]", "}"):
            fragment = _join(fragment, self.element())
        return fragment

    def element(self) -> _Fragment:
        item = self.items[self.at]
        self.at += 1
        if item in _CLOSING:
            fragment = self._group(item)
        else:
            token = _token(item, self.spec)
            token.key = token.text.lower() if self.case_folded else token.text
            fragment = _Fragment([token], [token], False)
        return self._suffixes(fragment)

    def _group(self, opening: str) -> _Fragment:
        """``<a|b>`` one of them, ``[a|b]`` one or none, ``{a|b}`` any of them in any order."""
        choices = [self.sequence()]
        while self._peek() == "|":
            self.at += 1
            choices.append(self.sequence())
        if self._peek() != _CLOSING[opening]:
            raise SpecError(f"{self.spec!r}: {opening} is not closed")
        self.at += 1
        fragment = _either(choices)
        if opening == "[":
            fragment.empty = True
        elif opening == "{":  # any of them, in any order (FRR also refuses one twice: a reading may repeat)
            for token in fragment.last:
                token.following.extend(t for t in fragment.first if t not in token.following)
        return fragment

    def _suffixes(self, fragment: _Fragment) -> _Fragment:
        """``$secret`` (the element's words are secrets) and ``...`` (it repeats) after an element."""
        while self._peek() is not None and self._peek().startswith(("$", "...")):  # type: ignore[union-attr]
            for token in fragment.last:
                if self.items[self.at] == "$secret":
                    token.secret = True
                elif self.items[self.at] == "...":  # again and again: any of the element's first tokens
                    token.repeat = True
                    token.following.extend(t for t in fragment.first if t not in token.following)
            self.at += 1
        return fragment


_CLOSING = {"<": ">", "[": "]", "{": "}"}


def _token(item: str, spec: str) -> Token:
    repeat = item.endswith("...")
    text = item.removesuffix("...")
    if text.startswith("("):
        low, high = re.fullmatch(r"\((-?\d+)-(-?\d+)\)", text).groups()  # type: ignore[union-attr]
        token = Token(RANGE, text, low=int(low), high=int(high))
    elif text in _TYPED:
        token = Token(_TYPED[text], text)
    elif _VARIABLE.fullmatch(text) and len(text) > 1:
        token = Token(VARIABLE, text)
    elif text:
        token = Token(KEYWORD, text)
    else:
        raise SpecError(f"{spec!r}: an empty word")
    token.repeat = repeat
    if repeat:
        token.following.append(token)
    return token


def parse(spec: str, command: int, case_folded: bool = False) -> list[Token]:
    """The first tokens of ``spec``'s graph; the tokens that may end it are marked with ``command``.
    ``case_folded``: its keywords take words in any case.

    >>> first = parse("neighbor <A.B.C.D|WORD> password LINE$secret", 7)
    >>> [t.text for t in first], [t.text for t in first[0].following]
    (['neighbor'], ['A.B.C.D', 'WORD'])
    """
    parser = _Parser(spec, case_folded)
    fragment = parser.sequence()
    if parser.at != len(parser.items):
        raise SpecError(f"{spec!r}: {parser.items[parser.at]!r} out of place")
    if fragment.empty:
        raise SpecError(f"{spec!r}: a command of no word")
    for token in fragment.last:
        token.command = command
    return fragment.first


@dataclass(frozen=True)
class Match:
    """A line read as one command: the command's number and the token that took each word."""

    command: int
    tokens: tuple[Token, ...]
    complete: bool = True  # False: the words are only the start of a command (a negation may stop there)
    key: tuple[tuple[int, int], ...] = ()  # how well each word was taken (lower is better: see ``match``)


class _Reading:
    """One way the words so far were taken: the last token, how well it took its word, and the
    reading of the words before it (a chain, so a step costs no copy)."""

    __slots__ = ("ambiguous", "previous", "score", "token")

    def __init__(self, token: Token, score: tuple[int, int], previous: _Reading | None, ambiguous: bool) -> None:
        self.token, self.score, self.previous, self.ambiguous = token, score, previous, ambiguous

    def chain(self) -> list[_Reading]:
        found: list[_Reading] = []
        reading: _Reading | None = self
        while reading is not None:
            found.append(reading)
            reading = reading.previous
        return found[::-1]

    def key(self) -> list[tuple[int, int]]:
        return [r.score for r in self.chain()]

    def tokens(self) -> list[Token]:
        return [r.token for r in self.chain()]


AMBIGUOUS = "ambiguous"


def match(first: list[Token], words: list[str], case_folded: bool, incomplete: bool = False,
          exact_first: bool = False) -> Match | str | None:
    """The one command ``words`` are, among the graphs starting with ``first``: a Match, None when
    no command takes them, or AMBIGUOUS when two take them equally well (the device refuses both).
    ``incomplete``: the words may also stop inside a command (IOS's ``no`` takes a command's start).
    ``exact_first``: IOS's rule for a word that could be several keywords: one it is exactly is that
    one (``ip`` is never ``ipv6``), and one it abbreviates must be the only one it abbreviates there,
    or the line is ambiguous (FRR instead weighs every reading to its end)."""
    if not words or len(words) > MAX_WORDS:
        return None
    readings: list[_Reading] = []
    for word in words:
        folded = word.lower() if case_folded else word
        taken = _readings_of(word, folded, readings, first)
        if not taken:
            return None
        if exact_first:  # IOS: an exact keyword is that keyword; two keywords a word abbreviates are ambiguous
            keywords = {r.token.key for r in taken.values() if r.token.kind == KEYWORD}
            if folded in keywords:
                taken = {k: r for k, r in taken.items() if r.token.kind != KEYWORD or r.token.key == folded}
            elif len(keywords) > 1:
                return AMBIGUOUS
        readings = list(taken.values())
    ends = [r for r in readings if r.token.command >= 0]
    complete = bool(ends)
    if not ends and incomplete:
        ends = readings
    if not ends:
        return None
    keyed = [(r.key(), r) for r in ends]
    key, best = min(keyed, key=lambda kr: kr[0])
    tokens = best.tokens()
    if best.ambiguous or any(k == key and _signature(r.tokens()) != _signature(tokens) for k, r in keyed):
        return AMBIGUOUS
    return Match(best.token.command, tuple(tokens), complete, tuple(key))


def _readings_of(word: str, folded: str, readings: list[_Reading], first: list[Token]) -> dict[int, _Reading]:
    """Every way ``word`` continues one of ``readings`` (none yet: starts a command), the best one
    per token it reaches."""
    taken: dict[int, _Reading] = {}
    starts: list[_Reading | None] = [*readings] if readings else [None]
    for previous in starts:
        for token in (previous.token.next_for(folded) if previous is not None else first):
            how = token.match(word, folded)
            if how is not None:
                _take(taken, _Reading(token, (_PRECEDENCE[token.kind], how), previous,
                                      previous.ambiguous if previous is not None else False))
    return taken


def _take(taken: dict[int, _Reading], reading: _Reading) -> None:
    """Keep the better of two readings that reach one token; two that read the words differently and
    equally well make it ambiguous."""
    known = taken.get(id(reading.token))
    if known is None:
        taken[id(reading.token)] = reading
        return
    mine, theirs = reading.key(), known.key()
    if mine < theirs:
        taken[id(reading.token)] = reading
    elif mine == theirs and _signature(reading.tokens()) != _signature(known.tokens()):
        known.ambiguous = True


def _signature(tokens: list[Token]) -> list[tuple[int, str]]:
    """What a reading says of its words: two commands that read them alike are one reading."""
    return [(token.kind, token.text) for token in tokens]
