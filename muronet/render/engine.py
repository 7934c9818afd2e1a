"""Render intended configurations with Jinja2, one template per platform and role."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound

from muronet.inventory.index import InventoryIndex
from muronet.inventory.loader import Inventory
from muronet.inventory.model import Device
from muronet.inventory.secrets import MaskedSecrets, SecretError, SecretSource
from muronet.inventory.text import character_problem
from muronet.parallel import forked_map
from muronet.platforms import get_platform
from muronet.render.context import ContextBuilder


class RenderError(Exception):
    """A device could not be rendered; the message names the device and the cause."""


def _unsafe(context: object, path: str = "") -> str | None:
    """Where a render context holds a text that would end the command it is printed in (a line
    break, a control character), and why. The model refuses such text already; this holds for
    what it does not see (secrets, values computed in Python). Values are never shown: they may be
    secrets."""
    if isinstance(context, str):
        if _PLAIN.fullmatch(context):
            return None
        problem = character_problem(context)
        return f"{path} {problem}" if problem else None
    items = context.items() if isinstance(context, dict) else enumerate(context) if isinstance(
        context, list | tuple) else ()
    for key, value in items:
        found = _unsafe(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


_PLAIN = re.compile(r"[\x20-\x7e]*")  # printable ASCII: the fast path for almost every value


def default_templates_dir(inventory_dir: Path) -> Path:
    """Templates live beside the inventory: both are the city's source-controlled truth."""
    return inventory_dir.resolve().parent / "templates"


def template_name(device: Device) -> str:
    return f"{get_platform(device.platform).template_dir}/{device.role}.j2"


@dataclass(frozen=True)
class Rendered:
    device: str
    text: str


class Renderer:
    def __init__(self, inventory: Inventory, templates_dir: Path, secrets: SecretSource | None = None) -> None:
        self.inventory = inventory
        self.index = InventoryIndex(inventory)
        try:
            self.contexts = ContextBuilder(self.index, secrets or MaskedSecrets())
        except SecretError as error:
            raise RenderError(f"secrets: {error}") from None
        self.environment = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
            auto_reload=False,  # templates do not change during a run; skip a stat per device
        )

    def render(self, device: Device) -> str:
        name = template_name(device)
        context = self.contexts.build(device)
        unsafe = _unsafe(context)
        if unsafe is not None:
            raise RenderError(f"{device.name}: the render context's {unsafe}")
        try:
            template = self.environment.get_template(name)
            return template.render(context)
        except TemplateNotFound as error:
            raise RenderError(f"{device.name}: no template {error.name} (role {device.role} on "
                              f"platform {device.platform})") from None
        except TemplateError as error:
            raise RenderError(f"{device.name}: template {name}: {error}") from None

    def render_many(self, devices: Iterable[Device], workers: int = 0) -> Iterator[Rendered]:
        """Render in order; with several workers (0 = one per core), in forked processes that
        inherit this renderer and the devices, so only index ranges and texts cross a process."""
        return forked_map(lambda device: Rendered(device.name, self.render(device)), list(devices), workers,
                          PARALLEL_THRESHOLD)


# Below this many devices, starting processes costs more than it saves.
PARALLEL_THRESHOLD = 300
