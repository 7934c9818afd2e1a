"""Run the rule pack over configurations: one ``Result`` per device and rule."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from hier_config.exceptions import DuplicateChildError

import muronet.policy.checks  # noqa: F401  (registers every check)
from muronet.inventory.index import InventoryIndex
from muronet.parallel import forked_map
from muronet.platforms import detect_platform, get_platform
from muronet.policy.catalog import Severity, rules
from muronet.policy.context import DeviceAudit, Settings, line_index
from muronet.policy.registry import CHECKS, ZONE_RULES
from muronet.policy.waivers import Waiver

FAIL, WAIVED, NOT_APPLICABLE, NOT_EVALUATED, ERROR, PASS = (
    "fail", "waived", "not_applicable", "not_evaluated", "error", "pass")
BLOCKING = (Severity.CRITICAL, Severity.HIGH)
PARALLEL_THRESHOLD = 50  # configurations; below it starting processes costs more than it saves
UNPARSEABLE = (ValueError, KeyError, DuplicateChildError)  # hier_config: unterminated banner, duplicate section…
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")  # what text never holds (\ufffd: undecodable)


@dataclass
class Result:
    device: str
    rule: str
    severity: str
    status: str
    message: str = ""
    line: int | None = None
    platform: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _unreadable(text: str) -> str | None:
    """Why a text cannot be a device configuration, or None."""
    if not text.strip():
        return "empty configuration"
    if "\x00" in text or len(_CONTROL.findall(text)) > len(text) // 100:
        return "binary or garbage content, not a configuration"
    return None


def audit_device(name: str, text: str, platform: str | None, settings: Settings,
                 index: InventoryIndex | None = None) -> list[Result]:
    """Every rule's result for one device; a configuration that cannot be read is one error."""
    problem = _unreadable(text)
    platform = platform or detect_platform(text)
    if problem is None and platform is None:
        problem = "platform not recognised (give --platform)"
    if problem is None and not get_platform(platform).reads_as_configuration(text):  # type: ignore[arg-type]
        problem = f"not a {platform} configuration: most lines are not {platform} commands"
    if problem is not None:
        return [Result(name, "PARSE", Severity.HIGH.value, ERROR, problem, platform=platform or "")]
    assert platform is not None
    try:
        tree = get_platform(platform).parse(text)
    except UNPARSEABLE as error:
        return [Result(name, "PARSE", Severity.HIGH.value, ERROR, f"cannot be parsed as {platform}: {error}",
                       platform=platform)]
    return evaluate(DeviceAudit.of(name, platform, tree, line_index(text), settings, index))


def audit_many(configs: Sequence[tuple[str, str, str | None]], settings: Settings,
               index: InventoryIndex | None = None, workers: int = 0) -> list[Result]:
    """Every rule's result for every (name, text, platform) of ``configs``, in their order; on
    every core (``workers`` 0) when there are enough of them."""
    def audit(config: tuple[str, str, str | None]) -> list[Result]:
        return audit_device(*config, settings, index)

    return [result for results in forked_map(audit, configs, workers, PARALLEL_THRESHOLD) for result in results]


def evaluate(audit: DeviceAudit) -> list[Result]:
    """Every rule's result for a device already read."""
    name, platform = audit.name, audit.platform
    results = []
    for rule in rules().values():
        reason = rule.applicability(platform) or rule.model_applicability(audit.settings.separation_model)
        if reason is not None:
            status = NOT_APPLICABLE if reason.startswith("n/a") else NOT_EVALUATED
            results.append(Result(name, rule.id, rule.severity.value, status, reason, platform=platform))
            continue
        if rule.id in ZONE_RULES and not audit.zoned:
            results.append(Result(name, rule.id, rule.severity.value, NOT_EVALUATED,
                                  "not evaluated: not in the zone map", platform=platform))
            continue
        try:
            violations = list(CHECKS[(rule.id, platform)](audit))
        except (ValueError, IndexError, KeyError, AttributeError) as error:  # a line the check did not foresee
            results.append(Result(name, rule.id, rule.severity.value, ERROR, f"check failed: {error!r}",
                                  platform=platform))
            continue
        results += [Result(name, rule.id, rule.severity.value, FAIL, v.message, v.line, platform) for v in violations]
        if not violations:
            results.append(Result(name, rule.id, rule.severity.value, PASS, platform=platform))
    return results


def apply_waivers(results: list[Result], waivers: list[Waiver], today: date) -> list[Result]:
    """Failures a valid waiver covers become ``waived``; an expired waiver waives nothing and says so."""
    for result in results:
        if result.status != FAIL:
            continue
        for waiver in waivers:
            if waiver.covers(result.device, result.rule):
                if waiver.expires >= today:
                    result.status = WAIVED
                    result.message += f" (waived until {waiver.expires} by {waiver.approver}: {waiver.reason})"
                else:
                    result.message += f" (waiver by {waiver.approver} expired on {waiver.expires})"
                break
    return results


def blocking(results: list[Result]) -> list[Result]:
    """Unwaived critical/high failures and unreadable configurations: what fails the audit."""
    return [r for r in results if r.status in (FAIL, ERROR) and Severity(r.severity) in BLOCKING]
