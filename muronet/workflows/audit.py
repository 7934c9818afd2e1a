"""The audit: configurations (files, or the running ones) against the city's security policy,
waivers applied, with each inventory device's drift from its intended configuration."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from muronet.inventory.index import InventoryIndex
from muronet.inventory.loader import Inventory
from muronet.masking import mask, unified
from muronet.platforms import detect_platform
from muronet.policy import report
from muronet.policy.context import Settings
from muronet.policy.drift import remediation
from muronet.policy.engine import ERROR, Result, apply_waivers, audit_many
from muronet.policy.pdf import PdfError
from muronet.policy.results import AuditReport
from muronet.policy.waivers import load_waivers
from muronet.render.engine import Renderer, default_templates_dir
from muronet.tasks.collect import collect
from muronet.workflows.common import WORKERS, devices_nornir, intended_configs, load, read_configs
from muronet.workflows.errors import WorkflowError

FORMATS = ("html", "json", "junit", "md")  # written by default
REPORT_FORMATS = (*FORMATS, "pdf")  # pdf: the HTML page printed by Chromium, for an auditor


def default_waivers(inventory: Path) -> Path:
    """The city's waivers: ``policy/waivers.yaml`` beside the inventory folder."""
    return inventory.parent / "policy" / "waivers.yaml"


@dataclass(frozen=True)
class AuditOptions:
    """Exactly one source: ``source`` (a folder of ``<device>.cfg``) or ``live``."""

    inventory: Path = Path("inventory")
    source: Path | None = None
    live: bool = False  # the running configurations (of the twin with lab_state), and their drift
    lab_state: Path | None = None
    platform: str | None = None  # of configurations of devices not in the inventory (default: detected)
    waivers: Path | None = None  # default: default_waivers(inventory), if present
    formats: tuple[str, ...] = FORMATS
    out_dir: Path = Path("build/audit")


@dataclass
class AuditResult:
    report: AuditReport  # serialised by its as_dict()
    written: dict[str, Path] = field(default_factory=dict)  # report format → file

    @property
    def exit_code(self) -> int:
        return 0 if self.report.passed else 1


def audit(options: AuditOptions) -> AuditResult:
    """Every rule's result for every configuration, the drift, the reports written."""
    if (options.source is None) == (not options.live):
        raise WorkflowError("give one of --from DIR and --live", 2)
    if options.waivers is not None and not options.waivers.is_file():
        raise WorkflowError(f"--waivers {options.waivers}: no such file", 2)
    loaded = load(options.inventory)
    index = InventoryIndex(loaded)
    if options.source is not None:
        texts, errors = read_configs(options.source)
    else:
        texts, errors = running_configs(options.inventory, options.lab_state)
    salt = secrets.token_bytes(16)  # reports of this run only
    drifted = drift(loaded, texts, options.live, salt)
    platforms = platforms_of(texts, options.platform, index)
    texts = {name: mask(text, salt, platforms[name]) for name, text in texts.items()}
    results = audited(texts, platforms, index, options.waivers or default_waivers(options.inventory))
    audited_configs = report.document(results + errors, drifted, {
        "source": "live" if options.live else str(options.source),
        "generated": datetime.now().isoformat(timespec="seconds")}, index, texts,
        absent=f"no <device>.cfg in {options.source}" if options.source else absent_from_run(options.lab_state))
    return AuditResult(audited_configs, write_reports(audited_configs, results + errors, options.out_dir,
                                                     list(options.formats)))


def write_reports(audited_configs: AuditReport, results: list[Result], folder: Path, formats: list[str]
                  ) -> dict[str, Path]:
    try:
        return report.write(audited_configs, results, folder, formats)
    except PdfError as error:
        raise WorkflowError(f"{folder}: the other reports are written; {error}", 1) from None


def absent_from_run(lab_state: Path | None) -> str:
    """Why an inventory device has no running configuration in a run that read every device it could."""
    if lab_state is not None:
        return "not in the twin: it boots the routed FRR devices (no Cisco IOS runs on this machine)"
    return "not in the run's device inventory"


def running_configs(inventory: Path, lab_state: Path | None) -> tuple[dict[str, str], list[Result]]:
    """Every device's running configuration, and each one that could not be read as an error result."""
    texts, failed = collect(devices_nornir(inventory, lab_state, WORKERS))
    return texts, [Result(name, "PARSE", "high", ERROR, f"unreachable: {message}") for name, message in failed.items()]


def drift(loaded: Inventory, texts: dict[str, str], live: bool, salt: bytes) -> dict[str, list[str]]:
    """Per inventory device, the commands that bring its configuration back to the intended one
    (secrets masked). Running configurations are compared with the real secrets; files (backups
    mask their secrets) with every secret made one placeholder, so only other lines count."""
    index = InventoryIndex(loaded)
    names = sorted(name for name in texts if name in index.devices)
    if live:
        intended, _ = intended_configs(loaded, None, names)
    else:
        renderer = Renderer(loaded, default_templates_dir(loaded.root))
        intended = {name: renderer.render(index.devices[name]) for name in names}
    drifted = {}
    for name in names:
        platform = index.devices[name].platform
        running = texts[name] if live else unified(mask(texts[name], salt, platform))
        wanted = intended[name] if live else unified(intended[name])
        try:
            lines = remediation(platform, wanted, running)
        except (ValueError, KeyError):  # unreadable: the audit reports it as the device's error
            continue
        drifted[name] = mask("\n".join(lines), salt, platform).splitlines()
    return drifted


def platforms_of(texts: dict[str, str], platform: str | None, index: InventoryIndex) -> dict[str, str | None]:
    """Each configuration's platform: ``platform`` if given, else recognised from the text, else
    the inventory's."""
    def platform_of(name: str, text: str) -> str | None:
        device = index.devices.get(name)
        return platform or detect_platform(text) or (device.platform if device else None)

    return {name: platform_of(name, text) for name, text in texts.items()}


def audited(texts: dict[str, str], platforms: dict[str, str | None], index: InventoryIndex, waivers: Path
            ) -> list[Result]:
    """Every rule's result for every configuration (of ``platforms``), waivers applied."""
    loaded, issues = load_waivers(waivers) if waivers.exists() else ([], [])
    if issues:  # a waiver that does not read must neither waive nor be ignored
        raise WorkflowError(f"the waivers file {waivers} has {len(issues)} error(s)", 2,
                            [issue.format() for issue in issues])
    configs = [(name, text, platforms[name]) for name, text in sorted(texts.items())]
    return apply_waivers(audit_many(configs, Settings.from_inventory(index), index), loaded, date.today())
