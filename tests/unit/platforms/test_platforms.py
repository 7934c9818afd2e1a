"""Platform drivers: the parser's fast path builds exactly the tree hier_config builds."""

from __future__ import annotations

from unittest import mock

import pytest
from hier_config import get_hconfig
from hier_config.base import HConfigBase
from hypothesis import given, settings
from hypothesis import strategies as st
from support import REPO, edit

from muronet.platforms import get_platform
from muronet.render.engine import Renderer


def _texts(tree):
    return [(c.text, c.depth()) for c in tree.all_children()]


def _outcome(parse, text):
    """The tree's lines, or the kind of error parsing raised (both parsers must agree on either)."""
    try:
        return _texts(parse(text))
    except Exception as error:  # hier_config raises ValueError/DuplicateChildError on broken input
        return type(error).__name__


@pytest.fixture(scope="module")
def rendered(reference):
    renderer = Renderer(reference, REPO / "templates")
    configs = [(d.platform, renderer.render(d)) for d in reference.devices]
    configs += [("cisco_ios", renderer.render(d.model_copy(update={"platform": "cisco_ios"})))
                for d in reference.devices if d.platform == "frr"][:10]
    return configs


def test_fast_parse_equals_hier_configs_parse_on_every_rendered_configuration(rendered):
    for platform_name, text in rendered:
        platform = get_platform(platform_name)
        assert _texts(platform.parse(text)) == _texts(get_hconfig(platform.hconfig_driver(), text))


LINES = st.sampled_from([
    "interface Gi1/0/1", " description  two  spaces", " ! a comment", "!", "end", "version 17.9",
    "Building configuration...", "banner motd ^C", "! inside a banner", "end of text ^C", "banner login %",
    "%", " ntp clock-period 17179", "router bgp 65021", " exit-address-family", "hostname sw1",
    "ip route 0.0.0.0 0.0.0.0 10.0.0.1", "   indented  deeper", "exit", "exit-vrf", "vrf LGWAN",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=40), st.sampled_from(["frr", "cisco_ios"]))
def test_fast_parse_equals_hier_configs_parse_on_random_texts(lines, platform_name):
    """The same tree, except where hier_config refuses a repeated section: the devices merge it
    into the first, and so does the parser; hier_config's own slow path, merging too, agrees."""
    text = "\n".join(lines) + "\n"
    platform = get_platform(platform_name)
    theirs = _outcome(lambda t: get_hconfig(platform.hconfig_driver(), t), text)
    if theirs == "DuplicateChildError":
        original = HConfigBase.add_child

        def merging(self, text, *, return_if_present=True, check_if_present=True):
            return original(self, text, return_if_present=return_if_present, check_if_present=check_if_present)

        with mock.patch.object(HConfigBase, "add_child", merging):
            theirs = _outcome(lambda t: get_hconfig(platform.hconfig_driver(), t), text)
    assert _outcome(platform.parse, text) == theirs


@pytest.mark.parametrize(("platform_name", "text", "expected"), [
    ("frr", "router ospf\n network 10.0.0.0/24 area 1\nexit\ninterface eth1\n description a\nexit\n"
     "router ospf\n network 10.1.0.0/24 area 1\nexit\n",
     [("router ospf", 1), ("network 10.0.0.0/24 area 1", 2), ("network 10.1.0.0/24 area 1", 2),
      ("interface eth1", 1), ("description a", 2)]),
    ("cisco_ios", "interface Gi1/0/1\n description a\n!\ninterface Gi1/0/1\n shutdown\n description a\n!\n",
     [("interface Gi1/0/1", 1), ("description a", 2), ("shutdown", 2)]),
])
def test_a_section_written_twice_is_read_as_the_device_reads_it(platform_name, text, expected):
    assert _texts(get_platform(platform_name).parse(text)) == expected


def test_a_new_platform_is_a_new_driver_class_not_an_edit_of_the_model(inventory_copy, cli, monkeypatch):
    """A driver registered under a new name is a platform the inventory accepts, the renderer draws
    from its own template folder and the twin runs, with no other module changed."""
    from muronet.lab.plan import is_routed
    from muronet.platforms import Frr, base, register
    from muronet.validation import load_and_validate

    edit(inventory_copy / "facilities" / "fire-bokoi.yaml", "platform: frr", "platform: frr_lts")
    assert "no platform driver 'frr_lts'" in cli("validate", "--inventory", str(inventory_copy)).output
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))  # the registration ends with the test
    templates = inventory_copy.parent / "templates"
    (templates / "frr_lts").symlink_to(templates / "frr")

    @register
    class FrrLts(Frr):
        name = "frr_lts"
        template_dir = "frr_lts"

    inventory, issues = load_and_validate(inventory_copy)
    assert issues == []
    device = next(d for d in inventory.devices if d.platform == "frr_lts")
    assert is_routed(device) and get_platform("frr_lts").napalm_driver == "frr"
    rendered = Renderer(inventory, templates).render(device)
    assert rendered == Renderer(inventory, templates).render(device.model_copy(update={"platform": "frr"}))
