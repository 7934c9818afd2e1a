"""The documentation site (docs/, mkdocs.yml): built strictly, so a broken link, a broken anchor or a
placeholder naming data that does not exist fails the build; its generated pages hold the data."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import REPO

RULES = yaml.safe_load((REPO / "muronet" / "policy" / "rules.yaml").read_text())["rules"]


def _site_copy(folder: Path) -> Path:
    """The documentation's sources as the build reads them, in a folder the test may change."""
    for name in ("mkdocs.yml", "CHANGELOG.md"):
        shutil.copy2(REPO / name, folder / name)
    shutil.copytree(REPO / "docs", folder / "docs")
    shutil.copytree(REPO / "bench" / "published", folder / "bench" / "published")
    (folder / "muronet" / "policy").mkdir(parents=True)
    shutil.copy2(REPO / "muronet" / "policy" / "rules.yaml", folder / "muronet" / "policy" / "rules.yaml")
    return folder


def _build(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder / "site")],
                          cwd=folder, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = _site_copy(tmp_path_factory.mktemp("docs"))
    done = _build(folder)
    assert done.returncode == 0, done.stderr
    return folder / "site"


def test_the_policy_rules_page_lists_every_rule_with_its_platforms(site: Path) -> None:
    page = (site / "reference" / "policy-rules" / "index.html").read_text()
    assert all(rule["id"] in page for rule in RULES) and len(RULES) == 49
    assert "n/a: FRR has no interface filters; host nftables" in page  # SEC-ZONE-006 on FRR, as the data says


def test_the_benchmarks_page_shows_every_published_figure(site: Path) -> None:
    shown = html.unescape(re.sub(r"<[^>]+>", "", (site / "benchmarks" / "index.html").read_text()))
    for path in sorted((REPO / "bench" / "published").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert f"bench/published/{path.name}" in shown
        for row in data["rows"]:
            assert all(str(cell).replace("`", "") in shown for cell in row), row


def test_the_changelog_page_is_the_changelog(site: Path) -> None:
    newest = next(line for line in (REPO / "CHANGELOG.md").read_text().splitlines() if line.startswith("## "))
    assert newest[3:].split(" ")[0] in (site / "changelog" / "index.html").read_text()


@pytest.mark.parametrize(("page", "old", "new", "said"), [
    ("docs/guides/reviewer.md", "(engineer.md#secrets)", "(engineer.md#no-such-section)", "no-such-section"),
    ("docs/index.md", "(getting-started.md)", "(getting-startd.md)", "getting-startd.md"),
    ("docs/benchmarks.md", "<!-- benchmark: acl -->", "<!-- benchmark: acls -->", "acls.yaml"),
])
def test_a_broken_link_anchor_or_placeholder_fails_the_build(tmp_path: Path, page: str, old: str, new: str,
                                                              said: str) -> None:
    folder = _site_copy(tmp_path)
    text = (folder / page).read_text()
    assert old in text
    (folder / page).write_text(text.replace(old, new, 1))
    done = _build(folder)
    assert done.returncode != 0 and said in done.stdout + done.stderr
