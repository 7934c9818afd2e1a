"""Render intended configurations with Jinja2, one template per platform and role."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

from muronet.files import refuse_outside_links
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


def _unsafe(context: object, shared: frozenset[int] = frozenset()) -> str | None:
    """Where a render context holds a text that would end the command it is printed in (a line
    break, a control character), or anything but plain data, and why. The model refuses such text
    already; this holds for what it does not see (secrets, values computed in Python). Plain data
    (text, numbers, lists and mappings of them) is all a template may reach: no object of muronet's
    or Python's, whose methods would lead a template to files or the environment. Containers whose
    ids are in ``shared`` were checked before (the city's part of every context). Values are never
    shown: they may be secrets."""
    return None if _plain(context, shared) else _where_unsafe(context, "")


_SCALARS = (bool, int, float, type(None))


def _plain(context: object, shared: frozenset[int]) -> bool:
    """Whether ``context`` is plain data of printable ASCII text (or text no character of which
    could end a command): the fast check, run on every device's context."""
    stack = [context]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            text = cast(str, value)
            if not (text.isascii() and text.isprintable()) and character_problem(text):
                return False
        elif kind is dict:
            if id(value) not in shared:
                stack.extend(value.values())  # type: ignore[attr-defined]
        elif kind is list or kind is tuple:
            if id(value) not in shared:
                stack.extend(value)  # type: ignore[arg-type]
        elif kind not in _SCALARS:
            return False
    return True


def _where_unsafe(context: object, path: str) -> str | None:
    """The first place ``_plain`` refuses, with its path (the slow walk, run only on a refusal)."""
    if isinstance(context, str):
        problem = character_problem(context)
        return f"{path} {problem}" if problem else None
    if type(context) is dict:
        items: Iterable[tuple[object, object]] = context.items()
    elif type(context) in (list, tuple):
        items = enumerate(context)  # type: ignore[arg-type]
    elif type(context) in _SCALARS:
        return None
    else:
        return f"{path} is a {type(context).__name__}, not plain data"
    for key, value in items:
        found = _where_unsafe(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def default_templates_dir(inventory_dir: Path) -> Path:
    """Templates live beside the inventory: both are the city's source-controlled truth."""
    return inventory_dir.resolve().parent / "templates"


def template_name(device: Device) -> str:
    return f"{get_platform(device.platform).template_dir}/{device.role}.j2"


@dataclass(frozen=True)
class Rendered:
    device: str
    text: str


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, reading a key of a plain mapping first: ``site.name`` of a
    context dict is its key (one lookup) where Jinja tries the attribute, fails, then the key."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


class Renderer:
    def __init__(self, inventory: Inventory, templates_dir: Path, secrets: SecretSource | None = None) -> None:
        self.inventory = inventory
        self.index = InventoryIndex(inventory)
        try:
            self.contexts = ContextBuilder(self.index, secrets or MaskedSecrets())
        except SecretError as error:
            raise RenderError(f"secrets: {error}") from None
        # The city's part of every context, checked once: devices share it unchanged
        city = self.contexts.city_context
        self._city_unsafe = _unsafe({**city, "copp_acls": self.contexts.copp_management})
        self._shared = frozenset({*map(id, city.values()), id(self.contexts.copp_management)})
        refuse_outside_links(templates_dir, templates_dir.resolve().parent)
        # Templates are code that a change under review may have written: they run in Jinja's
        # immutable sandbox, on plain data (``_unsafe``), so no template reaches a Python object, a
        # file or the environment, and none changes the context another device renders from.
        self.environment = _Sandbox(
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
        unsafe = self._city_unsafe or _unsafe(context, self._shared)
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
