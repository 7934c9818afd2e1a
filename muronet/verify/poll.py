"""Waiting for a change to settle: the one polling loop of verification (Nornir and Ansible)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from time import monotonic, sleep

Ask = Callable[[list[str]], dict[str, list[str]]]  # devices still waiting → each one's problems now


def until_verified(ask: Ask, names: Iterable[str], settle: float, poll: float) -> dict[str, list[str]]:
    """Each device's last problems: ``ask`` is called for the devices that still have some, every
    ``poll`` seconds (from the start of one round to the next: a round that takes longer is
    followed at once), until none has or ``settle`` seconds have passed. A device without problems
    is not asked again (provisioning confirms it as it verifies).

    >>> answers = iter([{"r1": ["down"], "r2": []}, {"r1": []}])
    >>> until_verified(lambda names: next(answers), ["r1", "r2"], settle=5, poll=0)
    {'r1': [], 'r2': []}
    >>> until_verified(lambda names: {"r1": ["down"]}, ["r1"], settle=0, poll=0)
    {'r1': ['down']}
    """
    found: dict[str, list[str]] = {}
    waiting = list(names)
    deadline = monotonic() + settle
    while True:
        started = monotonic()
        found.update(ask(waiting))
        waiting = [name for name in waiting if found[name]]
        if not waiting or monotonic() >= deadline:
            return found
        sleep(max(0.0, started + poll - monotonic()))
