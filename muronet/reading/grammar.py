"""A platform's command grammar: its configuration nodes, the commands each takes, which commands
enter which node, and which words are secrets. Read from a grammar file (``grammars/<name>.txt``):

- ``node NAME < PARENT`` opens a node (the configuration node has no parent); the lines below it
  are the commands it takes, in FRR's specification syntax (``muronet.reading.spec``), a command
  followed by ``-> NODE`` enters that node;
- ``node *`` holds the commands every node takes (``exit``, ``end``);
- ``option case-insensitive`` (keywords in any case, as IOS reads them), ``option negation WORD…``
  (a command in any node may be negated by these words, as IOS's ``no`` and ``default``);
- ``option secret-words WORD…``: a variable whose nearest keyword before it (type markers such as
  ``7`` or ``md5`` and numbers skipped, ``option secret-skip WORD…``) is one of these is a secret;
  a variable written ``WORD$secret`` is one too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from muronet.reading.spec import KEYWORD, RANGE, VARIABLE, Match, Token, keywords_from, match, merged, parse

GRAMMARS = Path(__file__).with_name("grammars")


@dataclass
class Command:
    spec: str
    enters: str | None  # the node this command enters
    line: int  # in the grammar file


@dataclass
class Node:
    name: str
    parent: str | None
    commands: list[Command] = field(default_factory=list)
    _index: tuple[list[str], list[Token], list[Token]] = ([], [], [])  # first tokens (``spec.keywords_from``)

    def index(self, tokens: list[Token]) -> None:
        tokens = merged(tokens)
        keywords = sorted((t for t in tokens if t.kind == KEYWORD), key=lambda t: t.key)
        self._index = ([t.key for t in keywords], keywords, [t for t in tokens if t.kind != KEYWORD])

    def first(self, word: str) -> list[Token]:
        """The first tokens that could take ``word`` (folded as the grammar compares keywords): the
        keywords it abbreviates and every token that is not a keyword."""
        return keywords_from(*self._index, word)


@dataclass(eq=False)
class Grammar:
    name: str
    nodes: dict[str, Node]
    case_folded: bool = False
    negation: tuple[str, ...] = ()
    secret_words: frozenset[str] = frozenset()
    secret_skip: frozenset[str] = frozenset()
    cisco_interface_names: bool = False  # IFNAME values written out as IOS shows them (gi0/1 → GigabitEthernet0/1)
    banner: str | None = None  # the command whose third word delimits text lines that follow it (IOS)
    preamble: frozenset[str] = frozenset()  # first words of lines a device prints before its configuration
    lines: dict[Any, Any] = field(default_factory=dict)  # the reader's readings of whole lines

    def path(self, node: str) -> list[str]:
        """The nodes from the configuration node down to ``node``."""
        chain = [node]
        while (parent := self.nodes[chain[-1]].parent) is not None:
            chain.append(parent)
        return chain[::-1]

    def read_line(self, node: str, words: tuple[str, ...], incomplete: bool = False) -> Match | str | None:
        """``words`` as a command of ``node`` (see ``spec.match``); a line read once is known after
        (a city's configurations repeat most of their lines)."""
        return self._read(node, words, incomplete)

    @lru_cache(maxsize=1 << 16)  # noqa: B019 - a grammar lives as long as the process
    def _read(self, node: str, words: tuple[str, ...], incomplete: bool) -> Match | str | None:
        first = self.nodes[node].first(words[0].lower() if self.case_folded else words[0])
        return match(first, list(words), self.case_folded, incomplete, exact_first=self.case_folded)

    def command(self, node: str, found: Match) -> Command:
        return self.nodes[node].commands[found.command]

    def secret_positions(self, found: Match) -> list[int]:
        """Which words of a matched line are secrets."""
        positions = []
        for position, token in enumerate(found.tokens):
            if token.secret or (token.kind == VARIABLE and self._after_secret_word(found.tokens[:position])):
                positions.append(position)
        return positions

    def _after_secret_word(self, before: tuple[Token, ...]) -> bool:
        for token in reversed(before):
            if token.kind == RANGE or (token.kind == KEYWORD and token.key in self.secret_skip):
                continue
            return token.kind == KEYWORD and token.key in self.secret_words
        return False


@cache
def grammar(name: str) -> Grammar:
    """The grammar ``grammars/<name>.txt``, its graphs built (once per process)."""
    path = GRAMMARS / f"{name}.txt"
    nodes: dict[str, Node] = {}
    everywhere: list[Command] = []
    options: dict[str, list[str]] = {}
    current: list[Command] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("option "):
            name_, *values = line.split()[1:]
            options[name_] = values
        elif line.startswith("node "):
            head, _, parent = line[5:].partition("<")
            if head.strip() == "*":
                current = everywhere
            else:  # a node named again takes more commands (FRR's hidden ones are listed apart)
                node = nodes.setdefault(head.strip(), Node(head.strip(), parent.strip() or None))
                current = node.commands
        elif current is None:
            raise ValueError(f"{path}:{number}: a command before any node")
        else:
            spec, _, enters = line.partition(" -> ")
            current.append(Command(spec.strip(), enters.strip() or None, number))
    for node in nodes.values():
        node.commands += everywhere
        first: list[Token] = []
        for k, command in enumerate(node.commands):
            try:
                first += parse(command.spec, k, "case-insensitive" in options)
            except ValueError as error:
                raise ValueError(f"{path}:{command.line}: {error}") from None
        node.index(first)
    return Grammar(name, nodes, "case-insensitive" in options, tuple(options.get("negation", ())),
                   frozenset(options.get("secret-words", ())), frozenset(options.get("secret-skip", ())),
                   options.get("interface-names") == ["cisco"], next(iter(options.get("banner") or ()), None),
                   frozenset(options.get("preamble", ())))
