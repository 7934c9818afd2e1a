"""What verification expects of a device, derived from the inventory (muronet.verify)."""

from __future__ import annotations

from muronet.inventory.index import InventoryIndex
from muronet.validation import load_and_validate
from muronet.verify.expectations import expectations


def _neighbours(expected) -> set[str]:
    return {n.peer for n in expected.ospf}


def test_an_ospf_neighbour_is_expected_on_every_cable_whatever_runs_the_far_end(inventory_copy):
    """Not only where the far end is FRR: the far end's platform is not verification's business,
    whether it runs in this run's inventory is."""
    inventory, _ = load_and_validate(inventory_copy)
    index = InventoryIndex(inventory)
    library = index.devices["library-rt1"]
    everywhere = _neighbours(expectations(index, library))
    assert {"ch-agg1:eth4", "kaiyo-es-rt1:eth1", "jyoho-kyoiku-rt1:eth1"} <= everywhere
    index.devices["kaiyo-es-rt1"] = index.devices["kaiyo-es-rt1"].model_copy(update={"platform": "cisco_ios"})
    assert _neighbours(expectations(index, library)) == everywhere  # an IOS far end forms the adjacency too
    present = set(index.devices) - {"kaiyo-es-rt1"}  # a run whose inventory lacks it (the twin runs no IOS)
    without = {peer for peer in everywhere if not peer.startswith("kaiyo-es-rt1:")}
    assert without != everywhere and _neighbours(expectations(index, library, present)) == without


def test_verification_rounds_start_every_poll_seconds_and_a_long_round_is_followed_at_once(monkeypatch):
    """``poll`` is the time from one round's start to the next: waiting a whole ``poll`` after a
    round that took longer only delays the confirmation of devices that have settled meanwhile."""
    from muronet.verify import poll

    clock = {"now": 0.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(poll, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(poll, "sleep", sleep)
    rounds = iter([(2.5, {"r1": ["down"], "r2": ["down"]}), (0.25, {"r1": [], "r2": ["down"]}), (0.25, {"r2": []})])

    def ask(names: list[str]) -> dict[str, list[str]]:
        seconds, answer = next(rounds)
        clock["now"] += seconds
        return answer

    assert poll.until_verified(ask, ["r1", "r2"], settle=60, poll=1.0) == {"r1": [], "r2": []}
    assert slept == [0.0, 0.75]
