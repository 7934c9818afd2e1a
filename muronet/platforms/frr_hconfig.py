"""hier_config rules for FRR's ``frr.conf``: IOS-like, but sections end with ``exit``."""

from __future__ import annotations

from hier_config.models import MatchRule, PerLineSubRule, SectionalExitingRule
from hier_config.platforms.cisco_ios.driver import HConfigDriverCiscoIOS
from hier_config.platforms.driver_base import HConfigDriverRules


class HConfigDriverFrr(HConfigDriverCiscoIOS):
    """FRR 8.x: ``exit``/``exit-vrf`` close sections and carry no meaning of their own."""

    @staticmethod
    def _instantiate_rules() -> HConfigDriverRules:
        rules = HConfigDriverCiscoIOS._instantiate_rules()
        per_line_sub = [
            *rules.per_line_sub,
            PerLineSubRule(search=r"^\s*exit(-vrf)?\s*$", replace=""),
            PerLineSubRule(search=r"^frr (version|defaults) .*", replace=""),
        ]
        exiting = [
            *rules.sectional_exiting,
            *(SectionalExitingRule(match_rules=(MatchRule(startswith=section),), exit_text="exit")
              for section in ("interface", "router", "route-map", "line vty")),
            SectionalExitingRule(match_rules=(MatchRule(startswith="vrf "),), exit_text="exit-vrf"),
        ]
        return rules.model_copy(update={"per_line_sub": per_line_sub, "sectional_exiting": exiting})
