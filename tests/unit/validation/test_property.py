"""Property-based: whatever the YAML, validation reports `file:line: message` and never raises."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import INVENTORY, ISSUE_LINE

from muronet.validation import load_and_validate

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=20), st.sampled_from(["10.0.0.1/24", "300.1.1.1", "eth1", "LGWAN", "", "~", "0x1F"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
top_keys = st.sampled_from(["sites", "devices", "hosts", "cables", "prefixes", "vlans", "zones", "city",
                            "rings", "circuits", "management_zone", "device_types", "bogus"])
documents = st.dictionaries(top_keys, values, max_size=4)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _assert_reported(root: Path) -> list:
    _inventory, issues = load_and_validate(root)  # must not raise
    for issue in issues:
        text = issue.format()
        assert issue.line >= 1
        if issue.location.file.suffix in (".yaml", ".yml"):
            assert ISSUE_LINE.match(text.split(" (see ")[0]), text
        assert "Traceback" not in text
    return issues


@SETTINGS
@given(document=documents)
def test_random_documents_never_crash_the_validator(tmp_path_factory, document):
    root = tmp_path_factory.mktemp("random")
    (root / "data.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    issues = _assert_reported(root)
    assert issues, "a random document is never a complete valid inventory"


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_arbitrary_bytes_and_text_give_per_file_errors(tmp_path_factory, raw):
    root = tmp_path_factory.mktemp("garbage")
    target = root / "garbage.yaml"
    if isinstance(raw, bytes):
        target.write_bytes(raw)
    else:
        target.write_text(raw, encoding="utf-8")
    _assert_reported(root)


def _leaf_paths(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaf_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaf_paths(value, (*path, index))
    yield path


FILES = sorted(p.relative_to(INVENTORY) for p in INVENTORY.rglob("*.yaml"))
_COPY: dict[str, Path] = {}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), replacement=values)
def test_mutating_any_value_of_the_real_inventory_is_reported_cleanly(tmp_path_factory, data, replacement):
    """Replace one value anywhere in a real file by something random: still only clean reports,
    and a reported line lies inside the file."""
    if "root" not in _COPY:
        _COPY["root"] = tmp_path_factory.mktemp("mutate") / "inventory"
        shutil.copytree(INVENTORY, _COPY["root"])
    root = _COPY["root"]
    relative = data.draw(st.sampled_from(FILES))
    original = (INVENTORY / relative).read_text(encoding="utf-8")
    document = yaml.safe_load(original)
    path = data.draw(st.sampled_from(sorted(_leaf_paths(document), key=repr)))
    if path:
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = replacement
    else:
        document = replacement
    target = root / relative
    target.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        issues = _assert_reported(root)
        line_count = max(1, len(target.read_text(encoding="utf-8").splitlines()))
        for issue in issues:
            if issue.location.file == target:
                assert issue.line <= line_count + 1
    finally:
        target.write_text(original, encoding="utf-8")
