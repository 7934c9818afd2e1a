"""Read every YAML file under the inventory folder into one :class:`Inventory`.

Any file may hold any of the top-level keys below, so a facility can live in one file (its site,
router, prefixes and fiber spans together). Entries are validated one by one so that every
problem in the whole tree is reported in one run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
import yaml_rs
from pydantic import BaseModel, TypeAdapter, ValidationError

from muronet.files import refuse_outside_links
from muronet.inventory.issues import Issue, Location, PathPart
from muronet.inventory.model import (
    ApprovedPath,
    Cable,
    Circuit,
    City,
    Device,
    DeviceType,
    DeviceTypeName,
    Host,
    Prefix,
    Provider,
    Ring,
    Site,
    Slug,
    Vlan,
    Zone,
    ZoneGateway,
    ZoneName,
)

# key -> model of each entry. Lists are concatenated over files; mappings are merged by key.
LIST_KEYS: dict[str, type[BaseModel]] = {
    "sites": Site,
    "devices": Device,
    "hosts": Host,
    "cables": Cable,
    "providers": Provider,
    "circuits": Circuit,
    "vlans": Vlan,
    "prefixes": Prefix,
    "zone_gateways": ZoneGateway,
    "approved_paths": ApprovedPath,
}
MAPPING_KEYS: dict[str, type[BaseModel]] = {"zones": Zone, "device_types": DeviceType, "rings": Ring}
# What the names of a mapping's entries may be (zone names are printed into configurations).
MAPPING_NAMES: dict[str, TypeAdapter[str]] = {
    "zones": TypeAdapter(ZoneName), "device_types": TypeAdapter(DeviceTypeName), "rings": TypeAdapter(Slug)}
SINGLETON_KEYS: dict[str, type[BaseModel] | type[str]] = {"city": City, "management_zone": str}
ALL_KEYS = sorted([*LIST_KEYS, *MAPPING_KEYS, *SINGLETON_KEYS])
MAX_FILE_BYTES = 16 * 1024 * 1024


class _Loader(yaml.CSafeLoader):
    """libyaml's safe loader that records duplicate keys instead of silently keeping the last."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                self.duplicates.append((key_node.start_mark.line + 1, key))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


@dataclass
class Inventory:
    """The whole source of truth, validated entry by entry, with where each entry came from."""

    root: Path
    city: City | None = None
    management_zone: str | None = None
    zones: dict[str, Zone] = field(default_factory=dict)
    device_types: dict[str, DeviceType] = field(default_factory=dict)
    rings: dict[str, Ring] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    hosts: list[Host] = field(default_factory=list)
    cables: list[Cable] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    circuits: list[Circuit] = field(default_factory=list)
    vlans: list[Vlan] = field(default_factory=list)
    prefixes: list[Prefix] = field(default_factory=list)
    zone_gateways: list[ZoneGateway] = field(default_factory=list)
    approved_paths: list[ApprovedPath] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    singleton_locations: dict[str, Location] = field(default_factory=dict)
    _where: dict[int, Location] = field(default_factory=dict, repr=False)

    def where(self, entry: object, *subpath: PathPart) -> Location:
        """Where ``entry`` (any model object loaded from a file) was written, plus ``subpath``."""
        return self._where[id(entry)].child(*subpath)

    def device(self, name: str) -> Device | None:
        return self.device_index.get(name)

    @cached_property
    def device_index(self) -> dict[str, Device]:
        """Devices by name; built on first use, after loading has finished."""
        return {d.name: d for d in self.devices}


def inventory_files(root: Path) -> list[Path]:
    """The YAML files under ``root``. A symbolic link is read only when it leads inside the
    repository (the folder holding ``root``): one leading elsewhere raises
    :class:`~muronet.files.OutsideLink`. Linked folders are not entered (a link can loop)."""
    refuse_outside_links(root, root.resolve().parent)
    return sorted(Path(top, name) for top, _, names in os.walk(root) for name in names
                  if name.endswith((".yaml", ".yml")) and Path(top, name).is_file())


def load_inventory(root: Path) -> tuple[Inventory, list[Issue]]:
    """Load and schema-check every file under ``root``; never raises on bad content."""
    inventory = Inventory(root=root)
    issues: list[Issue] = []
    if not root.is_dir():
        issues.append(Issue(Location(root, (), 1), "inventory folder not found"))
        return inventory, issues
    files = inventory_files(root)
    if not files:
        issues.append(Issue(Location(root, (), 1), "no YAML files in the inventory folder"))
    singleton_seen: dict[str, Location] = {}
    mapping_seen: dict[tuple[str, str], Location] = {}
    for file in files:
        inventory.files.append(file)
        document = read_document(file, issues)
        for key, value in (document or {}).items():
            location = Location(file, (key,))
            if key in SINGLETON_KEYS:
                _load_singleton(inventory, key, value, location, singleton_seen, issues)
            elif key in LIST_KEYS:
                _load_list(inventory, key, value, location, issues)
            elif key in MAPPING_KEYS:
                _load_mapping(inventory, key, value, location, mapping_seen, issues)
            else:
                issues.append(Issue(location, f"unknown top-level key {key!r} (expected one of: "
                                    f"{', '.join(ALL_KEYS)})"))
    if files:
        issues += _undefined(inventory, singleton_seen)
    return inventory, issues


def _undefined(inventory: Inventory, singleton_seen: dict[str, Location]) -> list[Issue]:
    """What no file of the inventory defines and every inventory needs."""
    where = Location(inventory.root, (), 1)
    missing = [key for key in ("city", "management_zone") if key not in singleton_seen]
    missing += [] if inventory.zones else ["zones"]
    return [Issue(where, f"no file defines {key!r}") for key in missing]


def read_document(file: Path, issues: list[Issue]) -> dict[Any, Any] | None:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            issues.append(Issue(Location(file, (), 1), f"file larger than {MAX_FILE_BYTES} bytes"))
            return None
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line = file.read_bytes()[: error.start].count(b"\n") + 1
        issues.append(Issue(Location(file, (), line), "not UTF-8 text"))
        return None
    except OSError as error:
        issues.append(Issue(Location(file, (), 1), f"cannot read: {error.strerror}"))
        return None
    try:
        document = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
    except (yaml_rs.YAMLDecodeError, ValueError, TypeError, OverflowError, RecursionError) as error:
        return _explain_with_pyyaml(file, text, issues, str(error))
    if document is None or isinstance(document, dict):
        return document  # None: an empty file holds nothing, which is allowed
    return _explain_with_pyyaml(file, text, issues, "a file must be a mapping of top-level keys")


def _explain_with_pyyaml(file: Path, text: str, issues: list[Issue], fast_error: str) -> dict[Any, Any] | None:
    """The slow path, for a file the fast parser refused: libyaml's marks give exact lines."""
    before = len(issues)
    loader = _Loader(text)
    try:
        loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        issues.append(_syntax_issue(file, error))
        return None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        issues.append(Issue(Location(file, (), line), f"YAML: character {error.character!r} is not allowed"))
        return None
    except yaml.YAMLError as error:
        issues.append(Issue(Location(file, (), 1), f"YAML: {error}"))
        return None
    except (ValueError, TypeError, RecursionError) as error:  # e.g. an unhashable key like `? [a]`
        issues.append(Issue(Location(file, (), 1), f"YAML: unusable content ({error})"))
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        issues.append(Issue(Location(file, (), line), f"duplicate key {key!r}"))
    if len(issues) == before:  # libyaml accepted what the fast parser refused (limits, YAML 1.2)
        said = re.search(r"line (\d+)", fast_error)
        first = fast_error.strip().splitlines()[0] if fast_error.strip() else "unreadable YAML"
        issues.append(Issue(Location(file, (), int(said.group(1)) if said else 1), f"YAML: {first}"))
    return None


def _syntax_issue(file: Path, error: yaml.MarkedYAMLError) -> Issue:
    """Point at the construct left open (an unclosed bracket or quote), where a person fixes it."""
    problem, context = error.problem_mark, error.context_mark
    message = f"YAML syntax: {error.problem or error}"
    if context is not None and problem is not None and context.line < problem.line:
        message += f" ({error.context} here; noticed at line {problem.line + 1})"
        return Issue(Location(file, (), context.line + 1), message)
    mark = problem or context
    return Issue(Location(file, (), mark.line + 1 if mark else 1), message)


def _load_singleton(
    inventory: Inventory,
    key: str,
    value: Any,
    location: Location,
    seen: dict[str, Location],
    issues: list[Issue],
) -> None:
    if key in seen:
        issues.append(Issue(location, f"{key!r} is defined twice", related=(seen[key],)))
        return
    seen[key] = location
    inventory.singleton_locations[key] = location
    model = SINGLETON_KEYS[key]
    if model is str:
        if not isinstance(value, str):
            issues.append(Issue(location, f"{key!r} must be a text value"))
            return
        setattr(inventory, key, value)
        return
    entry = validate_entry(model, value, location, issues)  # type: ignore[arg-type]
    if entry is not None:
        setattr(inventory, key, entry)
        inventory._where[id(entry)] = location


def _load_list(inventory: Inventory, key: str, value: Any, location: Location, issues: list[Issue]) -> None:
    if not isinstance(value, list):
        issues.append(Issue(location, f"{key!r} must be a list"))
        return
    model = LIST_KEYS[key]
    target: list[Any] = getattr(inventory, key)
    for index, raw in enumerate(value):
        entry_location = location.child(index)
        entry = validate_entry(model, raw, entry_location, issues)
        if entry is not None:
            target.append(entry)
            inventory._where[id(entry)] = entry_location


def _load_mapping(
    inventory: Inventory,
    key: str,
    value: Any,
    location: Location,
    seen: dict[tuple[str, str], Location],
    issues: list[Issue],
) -> None:
    if not isinstance(value, dict):
        issues.append(Issue(location, f"{key!r} must be a mapping"))
        return
    model = MAPPING_KEYS[key]
    target: dict[str, Any] = getattr(inventory, key)
    for name, raw in value.items():
        entry_location = location.child(str(name))
        if not isinstance(name, str):
            issues.append(Issue(entry_location, f"{key} names must be text, not {name!r}"))
            continue
        try:
            MAPPING_NAMES[key].validate_python(name)
        except ValidationError as error:
            issues.append(Issue(entry_location, f"{key} name {name!r}: {error.errors()[0]['msg']}"))
            continue
        if (key, name) in seen:
            issues.append(Issue(entry_location, f"{key} entry {name!r} is defined twice",
                                related=(seen[(key, name)],)))
            continue
        seen[(key, name)] = entry_location
        entry = validate_entry(model, raw, entry_location, issues)
        if entry is not None:
            target[name] = entry
            inventory._where[id(entry)] = entry_location


def validate_entry(model: type[BaseModel], raw: Any, location: Location, issues: list[Issue]) -> Any:
    """``raw`` as a ``model`` entry, or None with each of its problems added to ``issues``."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors(include_url=False, include_input=False):
            issues.append(Issue(location.child(*_error_path(detail["loc"])), _error_message(detail)))
        return None


def _error_path(loc: tuple[Any, ...]) -> Iterator[PathPart]:
    for part in loc:
        # pydantic adds the name of the union member it tried ("EnvSecret") to the path.
        if isinstance(part, int) or (isinstance(part, str) and not part[:1].isupper()):
            yield part
        elif isinstance(part, str) and part.isupper():
            yield part  # a zone name used as a mapping key


def _error_message(detail: Any) -> str:
    field_name = ".".join(str(p) for p in _error_path(detail["loc"]))
    message = str(detail["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    kind = detail.get("type", "")
    if kind == "extra_forbidden":
        return f"unknown field {field_name!r}"
    if kind == "missing":
        return f"missing required field {field_name!r}"
    if kind == "model_attributes_type" or kind == "dict_type":
        message = "expected a mapping of fields"
    if kind == "model_type" and isinstance(detail.get("ctx"), dict):
        message = "expected a mapping of fields"
    return f"{field_name}: {message}" if field_name else message
