"""Hostile text in every string field of the inventory: refused at `file:line`, or rendered into
exactly the commands the templates intend.

For each string field of each model (found by introspection, so a field added tomorrow is tested
too), hypothesis writes hostile strings (line breaks of every kind, control and invisible
characters, IOS banner delimiters, CLI help, comment and section-ending words, template syntax)
into one entry of a copy of the city's inventory. Either validation refuses the value, pointing at
the field's own line when the value holds a line break or control character, or every device is
rendered and parsed by its platform: the configuration must have the same commands as with a
harmless marker in that field, the value standing exactly where the marker stood.
"""

from __future__ import annotations

import copy as copying
import enum
import functools
import re
import shutil
import types
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from support import INVENTORY, ISSUE_LINE, TEMPLATES

from muronet.inventory.issues import Location, line_of
from muronet.inventory.loader import LIST_KEYS, MAPPING_KEYS, SINGLETON_KEYS, inventory_files
from muronet.inventory.text import character_problem
from muronet.platforms import get_platform
from muronet.render.engine import Renderer
from muronet.validation import load_and_validate

ATTACKS = [
    "LAN\nexit\nip route 0.0.0.0/0 203.0.113.66\ninterface eth9",
    "LAN\rip http server", "LAN\r\nip http server", "LAN\u2028ip http server", "LAN\x85ip http server",
    "LAN\x0bip http server", "x\x00y", "x\x1b[2Jy", "a\u202eb", "zero\u200bwidth",
    "^C\nip http server", "Authorized use only. ^C ip http server", "!\nip http server", "%", "EOF",
    "why?", "exit", "end", "! comment", "# comment", "{{ secrets.ospf_key }}", "{% raw %}", "<secret:ospf_key>",
    "\\", '"quoted"', "'", "a  b   c", "  padded  ", "図書館\u3000LAN", "x" * 300,
]
HOSTILE = st.one_of(
    st.sampled_from(ATTACKS),
    st.text(st.one_of(st.sampled_from(list("\n\r\t\x03^?!#%{}<>:;|\\\"' ")),
                      st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=40),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(["LAN", "図書館", "Authorized use only, by order"]),
              st.sampled_from(["\n", "\r", "\u2028", "^C", "?", "\x03"]),
              st.sampled_from(["ip http server", "exit", "end", "interface eth9", "line vty 0 4"])),
)
MARKER = "MURONETMARKER"


@dataclass(frozen=True)
class Field:
    """One string field of a model, and the entries of the reference inventory that have it."""

    model: str
    name: str
    free_text: bool  # no pattern or enumeration: a marker can stand in for any value
    locations: tuple[tuple[Path, tuple[str | int, ...]], ...]  # (file, data path of the entry)
    mapping_name: bool = False  # the name of a mapping's entry (zones, rings, device types)

    def __str__(self) -> str:
        return f"{self.model}.{self.name}"


def _unwrap(annotation: typing.Any) -> list[typing.Any]:
    """The member types of an annotation (unions, optionals, lists and dict values flattened)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, tuple):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    if origin is dict:
        return _unwrap(typing.get_args(annotation)[1])
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return [annotation]


def _is_text(annotation: typing.Any) -> bool:
    return any(t is str or typing.get_origin(t) is typing.Literal or (isinstance(t, type) and issubclass(t, enum.Enum))
               for t in _unwrap(annotation))


def _free(model: type[BaseModel], name: str) -> bool:
    info = model.model_fields[name]
    if any(typing.get_origin(t) is typing.Literal or (isinstance(t, type) and issubclass(t, enum.Enum))
           for t in _unwrap(info.annotation)):
        return False
    metadata = [m for t in [info.annotation] for m in info.metadata]
    patterned = any(getattr(m, "pattern", None) for m in metadata) or _patterned(info.annotation)
    return not patterned


def _patterned(annotation: typing.Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return any(getattr(m, "pattern", None) for m in typing.get_args(annotation)[1:])
    return any(_patterned(a) for a in typing.get_args(annotation))


def _instances(model: type[BaseModel], raw: typing.Any, path: tuple, found: dict) -> None:
    """Record where each model's entries are in the raw YAML, recursing into nested entries."""
    if not isinstance(raw, dict):
        return
    found.setdefault(model, []).append((raw, path))
    for name, info in model.model_fields.items():
        nested = [t for t in _unwrap(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
        value = raw.get(name)
        for sub in nested:
            if isinstance(value, dict) and typing.get_origin(info.annotation) is dict:
                for key, item in value.items():
                    if isinstance(item, dict) and set(item) <= set(sub.model_fields):
                        _instances(sub, item, (*path, name, key), found)
            elif isinstance(value, dict) and set(value) <= set(sub.model_fields):
                _instances(sub, value, (*path, name), found)
            elif isinstance(value, list):
                for n, item in enumerate(value):
                    _instances(sub, item, (*path, name, n), found)


def _fields() -> list[Field]:
    found: dict[type[BaseModel], list] = {}
    mapping_names: dict[str, list] = {}
    for file in inventory_files(INVENTORY):
        for key, value in _document(file).items():
            if key in LIST_KEYS:
                for n, entry in enumerate(value):
                    _instances(LIST_KEYS[key], entry, (file, key, n), found)
            elif key in MAPPING_KEYS:
                for name, entry in value.items():
                    _instances(MAPPING_KEYS[key], entry, (file, key, name), found)
                    mapping_names.setdefault(key, []).append((file, (key, name)))
            elif SINGLETON_KEYS.get(key) not in (None, str):
                _instances(SINGLETON_KEYS[key], value, (file, key), found)
    fields = []
    for model, entries in found.items():
        locations = tuple((path[0], path[1:]) for _raw, path in entries)
        for name, info in model.model_fields.items():
            if _is_text(info.annotation):
                # the first entries, and ones of every platform: a field may print on one platform only
                chosen = _representative(entries)
                fields.append(Field(model.__name__, name, _free(model, name), chosen or locations[:1]))
    fields += [Field(key, "<name>", False, tuple(spots[:2]), mapping_name=True) for key, spots in mapping_names.items()]
    return sorted(fields, key=str)


def _representative(entries: list) -> tuple:
    """A few entries of a model: the first, and the first under a device of each platform."""
    chosen: dict[str, tuple] = {}
    for _raw, path in entries:
        file, rest = path[0], path[1:]
        platform = _platform_of(file, rest)
        chosen.setdefault(platform, (file, rest))
    return tuple(chosen.values())


def _platform_of(file: Path, path: tuple) -> str:
    if path[:1] != ("devices",):
        return ""
    return str(_document(file)["devices"][path[1]].get("platform", ""))


@functools.cache
def _document(file: Path) -> dict:
    return yaml.load(file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}


FIELDS = _fields()


def test_every_string_field_of_the_model_is_under_test():
    names = {str(f) for f in FIELDS}
    for expected in ("Interface.description", "City.banner", "Site.address", "Site.name_romaji", "Cable.label",
                     "BgpNeighbor.description", "DeviceType.ports", "Device.device_type", "Zone.name_ja",
                     "zones.<name>", "Vlan.name", "Host.description", "Circuit.cid"):
        assert expected in names, f"{expected} not found by the introspection"
    assert len(FIELDS) > 60


def _get(document: dict, path: tuple) -> typing.Any:
    node = document
    for part in path:
        node = node[part]
    return node


def _put(document: dict, path: tuple, field: Field, value: str) -> tuple:
    """Set the field in the entry at ``path``; return the data path of the value."""
    if field.mapping_name:
        mapping = _get(document, path[:-1])
        entries = list(mapping.items())
        mapping.clear()
        mapping.update({(value if k == path[-1] else k): v for k, v in entries})
        return (*path[:-1], value)
    entry = _get(document, path)
    if isinstance(entry.get(field.name), list):
        entry[field.name] = [value, *entry[field.name][1:]]
        return (*path, field.name, 0)
    entry[field.name] = value
    return (*path, field.name)


def _stored(inventory, file: Path, path: tuple, field: Field) -> str:
    """The value as the model keeps it (stripped, spaces collapsed)."""
    key, rest = path[0], path[1:]
    if key in LIST_KEYS:
        node = next(e for e in getattr(inventory, key) if inventory.where(e) == Location(file, (key, rest[0])))
        rest = rest[1:]
    elif key in MAPPING_KEYS:
        node, rest = getattr(inventory, key)[rest[0]], rest[1:]
    else:
        node = getattr(inventory, key)
    for part in rest:
        node = node[part] if isinstance(part, int) or isinstance(node, dict) else getattr(node, part)
    value = getattr(node, field.name)
    return value[0] if isinstance(value, list) else value


def _render_all(root: Path) -> tuple[typing.Any, dict[str, str]] | None:
    inventory, issues = load_and_validate(root)
    if issues:
        return None
    renderer = Renderer(inventory, root.parent / "templates")
    return inventory, {d.name: renderer.render(d) for d in inventory.devices}


def _commands(platform: str, text: str) -> list[tuple[int, str]]:
    tree = get_platform(platform).parse(text)
    return [(child.depth(), child.text) for child in tree.all_children()]


def _marker_for(value: str) -> str:
    """A harmless value of the same shape (as many lines, for a banner); for a value the model
    keeps as empty (only spaces and line ends), the empty value: it must render as that does."""
    if not value.strip():
        return ""
    lines = value.strip().split("\n")
    return "\n".join(f"{MARKER}{n} harmless text" for n in range(len(lines)))


@pytest.mark.parametrize("field", FIELDS, ids=str)
def test_hostile_text_in_every_field_is_refused_or_stays_inside_its_command(field, tmp_path):
    shutil.copytree(INVENTORY, tmp_path / "inventory")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    root = tmp_path / "inventory"
    baselines: dict = {}

    @settings(max_examples=8 if field.free_text else 3, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(value=HOSTILE, spot=st.sampled_from(field.locations))
    @example(value=ATTACKS[0], spot=field.locations[0])  # the injections the issue reproduced
    @example(value="Authorized use only, by order of the city.\n^C\nip http server", spot=field.locations[0])
    def check(value: str, spot: tuple) -> None:
        file, path = spot
        copy = root / file.relative_to(INVENTORY)
        original = _document(file)
        document = copying.deepcopy(original)
        data_path = _put(document, path, field, value)
        _write(copy, document)
        try:
            inventory, issues = load_and_validate(root)
            if issues:
                for issue in issues:
                    assert ISSUE_LINE.match(issue.format().split(" (see ")[0]), issue.format()
                banner = field.name == "banner"
                if character_problem(value.strip(), allow_newline=banner) is not None:
                    where = (copy, line_of(copy, data_path if not field.mapping_name else data_path[:-1]))
                    lines = {(i.location.file, i.line) for i in issues}
                    assert where in lines or (copy, line_of(copy, data_path)) in lines, (
                        f"{value!r} in {field}: no issue at {where[0].name}:{where[1]}: "
                        f"{[i.format() for i in issues]}")
                return
            if not field.free_text:  # a value its pattern admits: nothing a CLI reads as a break
                stored = value.strip() if field.mapping_name else _stored(inventory, copy, path, field)
                assert re.fullmatch(r"[\w.:/\[\],+-]*", stored), (field, stored)
                return
            stored = _stored(inventory, copy, path, field)
            marker = _marker_for(stored)
            key = (file, path, marker)
            if key not in baselines:
                _put(document, path, field, marker)
                _write(copy, document)
                rendered = _render_all(root)
                assert rendered is not None, f"the marker {marker!r} does not validate in {field}"
                baselines[key] = rendered[1]
                _put(document, path, field, value)
            hostile = _render_all_again(root, copy, document)
            _same_commands(inventory, baselines[key], hostile, marker, stored, field, value)
        finally:
            _write(copy, original)

    check()


def _write(file: Path, document: dict) -> None:
    file.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _render_all_again(root: Path, copy: Path, document: dict) -> dict[str, str]:
    _write(copy, document)
    rendered = _render_all(root)
    assert rendered is not None
    return rendered[1]


def _same_commands(inventory, baseline: dict[str, str], hostile: dict[str, str], marker: str, stored: str,
                   field: Field, value: str) -> None:
    """Each device's configuration is the marker's, with the value where the marker was; parsed by
    the platform, it has the same commands."""
    pairs = list(zip(marker.split("\n"), stored.strip().split("\n"), strict=True))
    platforms = {d.name: d.platform for d in inventory.devices}
    for name, text in hostile.items():
        expected = baseline[name]
        for mark, real in pairs:
            expected = expected.replace(mark, real)
        assert text == expected, f"{field} = {value!r}: {name} differs beyond the value itself"
        if baseline[name] != text:  # the value reaches this configuration: the parser must agree
            intended = []
            for depth, line in _commands(platforms[name], baseline[name]):
                for mark, real in pairs:
                    line = line.replace(mark, real)
                intended.append((depth, " ".join(line.split())))
            got = [(depth, " ".join(line.split())) for depth, line in _commands(platforms[name], text)]
            assert got == intended, f"{field} = {value!r} changes the commands of {name}"


def test_a_secret_with_a_line_break_space_or_help_mark_is_refused_by_name_never_shown():
    from muronet.inventory.secrets import GivenSecrets, SecretError

    for bad in ("k3y\nip http server", "two words", "what?", ""):
        with pytest.raises(SecretError, match="secret ospf_key") as refused:
            GivenSecrets({"ospf_key": bad}).get("ospf_key")
        assert bad not in str(refused.value) or not bad


def test_a_render_context_value_that_would_end_its_command_stops_rendering(reference):
    """Values the model never sees (a secret source that does not check) are guarded too."""
    from muronet.render.engine import RenderError

    class Careless:
        def get(self, name: str) -> str:
            return "k3y\nip http server"

    renderer = Renderer(reference, TEMPLATES, Careless())
    with pytest.raises(RenderError, match=r"library-rt1: the render context's secrets\.\w+ holds a line break"):
        renderer.render(reference.device("library-rt1"))
