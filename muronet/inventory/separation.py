"""The four separation models of the guideline (α, α′, β, β′) as data: where each model puts the
main business terminals and the business systems, which flows between the segments it approves,
and which stronger controls it asks of the INTERNET side.

One table, read by validation (what an inventory lacks for its model), rendering (802.1X on the
INTERNET zone's terminal ports in β/β′), the policy (rules that apply in some models only) and the
nightly report (which model the audit judged). A new model is a new row, not an ``if``.

Sources (reference, not authority; the guideline's own text was not in the corpora read):
α and β/β′ by NTT East's columns 16–18 (business.ntt-east.co.jp/content/cloudsolution/municipality/
column-16.html, column-17.html, column-18.html) and panduit.co.jp/?p=18060; α′ (the October 2024
revision) by column-47.html and ent.iij.ad.jp/?p=8552; β′ in practice by 真庭市's move
(it.impress.co.jp/articles/-/27776: business systems placed in the INTERNET-connected segment).
**The exact β / β′ boundary (which business systems may move) is not in what was read**: here β
moves the groupware and the main terminals, β′ also the business systems, and only
LGWAN-dependent systems stay in LGWAN; a city's own policy may draw the line elsewhere.

>>> MODELS[SeparationModel.BETA_PRIME].terminal_zone, MODELS[SeparationModel.ALPHA].terminal_zone
('INTERNET', 'LGWAN')
>>> [m.value for m in SeparationModel if MODELS[m].local_breakout]
['alpha_prime']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LGWAN, INTERNET = "LGWAN", "INTERNET"


class SeparationModel(StrEnum):
    ALPHA = "alpha"
    ALPHA_PRIME = "alpha_prime"
    BETA = "beta"
    BETA_PRIME = "beta_prime"


@dataclass(frozen=True)
class ModelRules:
    """What one separation model decides for the network."""

    name: str  # as the guideline's readers write it
    name_ja: str
    terminal_zone: str  # where the main business terminals (and the groupware) sit
    business_systems_zone: str  # where the internal business systems (財務会計, 人事給与…) sit
    screen_transfer_from: str  # the zone whose terminals reach the other's systems by screen transfer
    screen_transfer_required: bool  # β/β′: LGWAN's systems are used from the INTERNET side only so
    local_breakout: bool  # α′: named cloud services reached from LGWAN by local breakout
    authenticated_internet_terminals: bool  # β/β′: 802.1X on the INTERNET zone's terminal ports
    summary: str

    @property
    def other_zone(self) -> str:
        """The one of LGWAN and INTERNET that does not hold the main terminals."""
        return INTERNET if self.terminal_zone == LGWAN else LGWAN


MODELS: dict[SeparationModel, ModelRules] = {
    SeparationModel.ALPHA: ModelRules(
        "α", "αモデル", LGWAN, LGWAN, LGWAN, False, False, False,
        "Main business terminals in the LGWAN zone; the internet by screen transfer (a virtual browser) "
        "and files only through the sanitising relay."),
    SeparationModel.ALPHA_PRIME: ModelRules(
        "α′", "α′モデル", LGWAN, LGWAN, LGWAN, False, True, False,
        "α, plus named cloud services reached from the LGWAN zone by local breakout, under destination "
        "control (the 2024 revision)."),
    SeparationModel.BETA: ModelRules(
        "β", "βモデル", INTERNET, LGWAN, INTERNET, True, False, True,
        "Main business terminals and the groupware in the INTERNET zone; the LGWAN zone's business systems "
        "reached from there by screen transfer only; stronger controls on the INTERNET side."),
    SeparationModel.BETA_PRIME: ModelRules(
        "β′", "β′モデル", INTERNET, INTERNET, INTERNET, True, False, True,
        "β, and the business systems moved to the INTERNET zone as well; only LGWAN-dependent systems stay "
        "in the LGWAN zone, reached by screen transfer."),
}
