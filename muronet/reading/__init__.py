"""Configurations read as the devices read them: each line in its node, abbreviations and keyword
case resolved by the platform's own command grammar, negations applied, secrets found by what the
grammar says a word is (``muronet.reading.reader``). The grammars are data: FRR's, written by FRR
itself (``scripts/frr-grammar.py``), and Cisco IOS's, written from Cisco's command references."""

from muronet.reading.reader import Reading, Unread, read

__all__ = ["Reading", "Unread", "read"]
