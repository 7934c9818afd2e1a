"""A configuration read as the device reads it: line by line, each line a command of the node the
previous lines left the device in (indentation means nothing to a device), a command the node does
not take tried in the nodes above it (as IOS and FRR do, leaving the node), keywords taken in their
abbreviations and, on IOS, in any case.

The reading gives, line for line (a line keeps its number):

- its **canonical** form: indented by its node's depth, every keyword written out in full and in
  lower case (as the device shows it), the values as written (``transp inp TELNET`` under ``line
  vty 0 4`` → `` transport input telnet``);
- the **effective** form: the canonical one with every line a later ``no …`` of the same section
  takes back replaced by a comment, so a reader of the effective text sees what the device keeps;
- the **secrets**: where each secret word is, from the grammar (``password LINE``), for the masking;
- the **unread** lines: those no node takes (unknown, or ambiguous), with why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from netutils.interface import canonical_interface_name

from muronet.reading.grammar import Grammar, grammar
from muronet.reading.spec import AMBIGUOUS, KEYWORD, Match

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Unread:
    line: int  # 1-based
    text: str
    node: str  # the node the device was in
    why: str  # "unknown" or "ambiguous"


@dataclass
class Reading:
    canonical: list[str] = field(default_factory=list)  # per line of the text
    effective: list[str] = field(default_factory=list)
    secrets: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # line → (start, end) in the text
    evidence: dict[int, Evidence] = field(default_factory=dict)  # line → how well its secrets are known
    unread: list[Unread] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)  # per line, the node it was read in

    def text(self, effective: bool = True) -> str:
        lines = self.effective if effective else self.canonical
        return "\n".join(lines) + "\n" if lines else ""


@dataclass
class _Frame:
    node: str
    opened_by: str  # the canonical command that entered it ("": the configuration node); a section
    # opened twice by one command is one section, as the device keeps it


IN_NODE, OUT_OF_PLACE, GUESSED = 2, 1, 0  # what a line's secrets rest on, best first
# How well a line's secrets are known: IN_NODE, OUT_OF_PLACE or GUESSED, and how well the command
# took the words (``Match.key``: lower is better), to choose between two grammars' readings.
Evidence = tuple[int, tuple[tuple[int, int], ...]]


@dataclass(frozen=True)
class _Line:
    """What one line is in a stack of nodes: the same words in the same nodes read the same, so a
    reading is kept for the next line like it (a city's configurations repeat most of their lines)."""

    depth: int | None  # the stack's node that took it (None: unread)
    spelled: str  # its canonical words (without the indentation)
    move: str  # "stay", "up", "top", or the node it enters
    secrets: tuple[int, ...] = ()  # the positions of its secret words
    why: str = ""  # unread: "unknown" or "ambiguous"
    evidence: Evidence = (IN_NODE, ())


def read(text: str, platform_grammar: str) -> Reading:
    r"""``text`` read by the grammar named ``platform_grammar`` (``frr``, ``cisco_ios``).

    >>> r = read("line vty 0 4\ntransp inp TELNET\nexit\n", "cisco_ios")
    >>> r.canonical
    ['line vty 0 4', ' transport input telnet', 'exit']
    """
    rules = grammar(platform_grammar)
    reading = Reading()
    stack = [_Frame("config", "")]
    sections: list[tuple[str, ...]] = []  # per line, the commands that opened the sections it is in
    offset = 0
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    delimiter: str | None = None  # inside a banner's text: what ends it
    for number, line in enumerate(lines):
        stripped = line.strip()
        within = stack
        if delimiter is not None:  # a banner's text is no command
            canonical = line.rstrip()
            delimiter = None if delimiter in line else delimiter
        elif not stripped or stripped[0] in "!#" or stripped.split(None, 1)[0] in rules.preamble:
            canonical = line.rstrip()
        else:
            found = _line(rules, tuple(frame.node for frame in stack), stripped)
            within, stack, canonical = _follow(stack, found)
            if found.depth is None:
                reading.unread.append(Unread(number + 1, stripped, within[-1].node, found.why))
            reading.evidence[number] = found.evidence
            if found.secrets:
                reading.secrets[number] = _spans(line, found.secrets, offset)
            delimiter = _banner_delimiter(rules, found.spelled)
        reading.canonical.append(canonical)
        reading.nodes.append(within[-1].node)
        sections.append(tuple(frame.opened_by for frame in within))
        offset += len(line) + 1
    reading.effective = _effective(reading.canonical, sections)
    return reading


def _banner_delimiter(rules: Grammar, spelled: str) -> str | None:
    """What ends the text a banner command starts (None: it ends on its own line, or no banner).

    >>> from muronet.reading.grammar import grammar
    >>> ios = grammar("cisco_ios")
    >>> [_banner_delimiter(ios, line) for line in ("banner login ^C", "banner motd #hi#", "x")]
    ['^C', None, None]
    """
    words = spelled.split(None, 2)
    if rules.banner is None or words[:1] != [rules.banner] or not words[2:]:
        return None
    text = words[2]
    mark = "^C" if text.startswith("^C") else text[0]
    return None if mark in text[len(mark):] else mark


def _follow(stack: list[_Frame], found: _Line) -> tuple[list[_Frame], list[_Frame], str]:
    """The nodes a line was read in, the stack after it, and its canonical form (indented by its
    node's depth; an exit at its parent's)."""
    if found.depth is None:
        return stack, stack, " " * (len(stack) - 1) + found.spelled
    within = stack[:found.depth + 1]
    if found.move == "stay":
        return within, within, " " * found.depth + found.spelled
    if found.move in ("up", "top"):
        after = within[:1] if found.move == "top" else within[:-1] or within
        return within, after, " " * (len(after) - 1) + found.spelled
    return within, [*within, _Frame(found.move, found.spelled)], " " * found.depth + found.spelled


_CACHE_SIZE = 1 << 17


def _line(rules: Grammar, nodes: tuple[str, ...], stripped: str) -> _Line:
    cache = rules.lines
    key = (nodes, stripped)
    found = cache.get(key)
    if found is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        found = cache[key] = _read_words(rules, nodes, stripped.split())
    return found


def _read_words(rules: Grammar, nodes: tuple[str, ...], words: list[str]) -> _Line:
    """A line's words read in the innermost node that takes them (a node's parents after it)."""
    negated = bool(rules.negation) and words[0].lower() in rules.negation and len(words) > 1
    command_words = tuple(words[1:] if negated else words)
    ambiguous = False
    for depth in range(len(nodes) - 1, -1, -1):
        found = rules.read_line(nodes[depth], command_words, incomplete=negated)
        if found == AMBIGUOUS:
            ambiguous = True
        elif isinstance(found, Match):
            return _matched(rules, nodes[depth], depth, found, words, negated)
    secrets, evidence = _secrets_out_of_place(rules, nodes, command_words, negated, words)
    return _Line(None, " ".join(words), "stay", secrets, "ambiguous" if ambiguous else "unknown", evidence)


def _secrets_out_of_place(rules: Grammar, nodes: tuple[str, ...], command_words: tuple[str, ...], negated: bool,
                          words: list[str]) -> tuple[tuple[int, ...], Evidence]:
    """The secrets of a line its nodes do not take, as another node reads it precisely (a piece of
    a configuration, a diff's hunk: its section's opening line may be missing), or guessed."""
    best: Match | None = None
    for node in rules.nodes:
        if node not in nodes:
            match = rules.read_line(node, command_words, incomplete=negated)
            if isinstance(match, Match) and match.complete and (best is None or match.key < best.key):
                best = match
    # a node that takes anything after a keyword or two (``LINE...``) says nothing of secrets, unless it names one
    if best is not None and (rules.secret_positions(best) or not any(t.repeat for t in best.tokens)):
        return tuple(p + negated for p in rules.secret_positions(best)), (OUT_OF_PLACE, best.key)
    return tuple(_guessed_secrets(words)), (GUESSED, ())


def _matched(rules: Grammar, node: str, depth: int, found: Match, words: list[str], negated: bool) -> _Line:
    shift = 1 if negated else 0
    spelled = _spelled(rules, found, words[shift:])
    if negated:
        spelled.insert(0, words[0].lower())
    secrets = tuple(p + shift for p in rules.secret_positions(found)) if found.complete else ()
    head = " ".join(spelled[shift:])
    enters = rules.command(node, found).enters
    if negated:
        move = "stay"
    elif head == "end":
        move = "top"
    elif head in ("exit", "quit") or head.startswith("exit-"):
        move = "up"
    else:
        move = enters if enters and found.complete else "stay"
    return _Line(depth, " ".join(spelled), move, secrets, evidence=(IN_NODE, found.key))


def _spelled(rules: Grammar, found: Match, words: list[str]) -> list[str]:
    """The words of a matched command as the device writes them: keywords in full, an IOS
    interface name in full (``gi 0/1`` → ``GigabitEthernet0/1``), values as written."""
    spelled: list[str] = []
    for position, (token, word) in enumerate(zip(found.tokens, words, strict=True)):
        if token.kind == KEYWORD:
            spelled.append(token.text)
        elif token.text == "IFNAME" and rules.cisco_interface_names:
            spelled.append(canonical_interface_name(word))
        elif position and found.tokens[position - 1].text == "IFNAME" and rules.cisco_interface_names \
                and word[:1].isdigit() and not spelled[-1][-1:].isdigit():  # "GigabitEthernet 0/1"
            spelled[-1] = canonical_interface_name(spelled[-1] + word)
        else:
            spelled.append(word)
    return spelled


def _spans(line: str, positions: tuple[int, ...] | list[int], offset: int) -> list[tuple[int, int]]:
    """The text offsets of the secret words of ``line``, runs of neighbouring ones as one span."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(line)]
    spans: list[tuple[int, int]] = []
    for position in sorted(positions):
        start, end = words[position]
        if spans and position - 1 in positions:
            spans[-1] = (spans[-1][0], offset + end)
        else:
            spans.append((offset + start, offset + end))
    return spans


# What masks a line no grammar reads: the word after one of these (or an abbreviation of three
# letters or more), a type marker skipped; after a password or secret, the rest of the line.
_SECRET_HINTS = ("password", "passwd", "secret", "key", "key-string", "community", "pre-shared-key", "server-key",
                 "wpa-psk", "psk", "string", "md5")
_REST_HINTS = ("password", "secret")
_SHORTEST_HINT = 4  # an abbreviation of a hint this long or longer still names it (``pass``, not ``pa``)
_TYPE = re.compile(r"\d|md5|sha\S*|clear|encrypted|ascii|hex|aes\S*|des|3des|plain|plaintext|hmac\S*|cleartext",
                   re.I)


def _hint(word: str, hints: tuple[str, ...]) -> bool:
    folded = word.lower()
    return any(hint == folded or (len(folded) >= _SHORTEST_HINT and hint.startswith(folded)) for hint in hints)


def _guessed_secrets(words: list[str]) -> list[int]:
    """The positions of the secrets of a line no node reads, guessed from its words (masking
    more is safe), and of a password in a URL's user part (``ftp://user:PASS@host``)."""
    positions: list[int] = []
    n = 0
    while n < len(words):
        if _hint(words[n], _SECRET_HINTS):
            value = n + 1
            while value < len(words) - 1 and _TYPE.fullmatch(words[value]):
                value += 1
            if value < len(words):
                last = len(words) if _hint(words[n], _REST_HINTS) else value + 1
                positions.extend(range(value, last))
                n = last
                continue
        n += 1
    return sorted(set(positions) | {n for n, word in enumerate(words) if _URL_PASSWORD.search(word)})


_URL_PASSWORD = re.compile(r"://[^/:@\s]*:[^/@\s]+@")


def _effective(canonical: list[str], sections: list[tuple[str, ...]]) -> list[str]:
    """The canonical lines with every line a later negation in its section takes back (and, for a
    section's opening line, the section with it) as a comment."""
    effective = list(canonical)
    kept: dict[tuple[str, ...], list[int]] = {}
    for number, line in enumerate(canonical):
        words = line.split()
        if not words or words[0].startswith(("!", "#")):
            continue
        section = sections[number]
        if words[0] in ("no", "default") and len(words) > 1:
            for earlier in kept.get(section, []):
                said = canonical[earlier].split()
                if said[:len(words) - 1] == words[1:] or (words[0] == "default" and said[1:len(words)] == words[1:]
                                                          and said[0] == "no"):  # a default takes back a "no" too
                    inside = (*section, canonical[earlier].strip())
                    for taken in [earlier, *(n for n in range(earlier + 1, number)
                                             if sections[n][:len(inside)] == inside)]:
                        effective[taken] = _commented(effective[taken])
        kept.setdefault(section, []).append(number)
    return effective


def _commented(line: str) -> str:
    return line[:len(line) - len(line.lstrip())] + "!"
