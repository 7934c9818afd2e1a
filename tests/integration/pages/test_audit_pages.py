"""The reports as an auditor opens them, in Debian's Chromium (tests/integration/browser.py): the verdict and the
counts first, then per zone, per device, per rule and every finding; sorting by mouse and keyboard;
nothing requested from outside the file, no console error. Screenshots land in build/pages/."""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path

import pytest
from browser import chromium, console_problems, requests_made, screenshot
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from support import INVENTORY, REPO

from muronet.policy import history, report
from muronet.render.engine import Renderer
from muronet.workflows.audit import AuditOptions, audit


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def audited(reference, tmp_path_factory):
    """An audit of the city's rendered configurations with planted findings, one unreadable file and
    one device left out."""
    folder = tmp_path_factory.mktemp("configs")
    renderer = Renderer(reference, REPO / "templates")
    for device in reference.devices:
        if device.name != "ch-acc-srv":
            (folder / f"{device.name}.cfg").write_text(renderer.render(device), encoding="utf-8")
    switch = folder / "ch-acc-1f.cfg"
    text = switch.read_text(encoding="utf-8")
    text = text.replace("no ip http server", "ip http server", 1).replace(" exec-timeout 10 0", " exec-timeout 0 0", 1)
    switch.write_text(text, encoding="utf-8")
    (folder / "ch-acc-2f.cfg").write_bytes(b"\xff\xfe not a configuration")
    result = audit(AuditOptions(INVENTORY, source=folder, formats=("html", "json", "pdf"),
                                out_dir=tmp_path_factory.mktemp("report")))
    return result, text


def _open(browser, path: Path) -> None:
    requests_made(browser), console_problems(browser)  # forget what came before
    browser.get(path.as_uri())


def _offline_and_quiet(browser) -> None:
    assert [url for url in requests_made(browser) if not url.startswith(("file:", "data:"))] == []
    assert console_problems(browser) == []


def test_the_verdict_and_the_counts_come_first_in_words_not_data(browser, audited):
    result, _ = audited
    summary = result.report.summary
    assert summary.verdict == "FAIL" and summary.errors == 1 and summary.open["high"] >= 1
    _open(browser, result.written["html"])
    verdict = browser.find_element(By.ID, "verdict")
    assert verdict.text == "不合格 FAIL" and verdict.rect["y"] + verdict.rect["height"] < 900  # seen without scrolling
    english = browser.find_element(By.ID, "summary-en").text
    assert english == report.verdict_text(summary)[1] and "{" not in english
    assert f"{summary.open['high']} high" in english and "1 unreadable" in english
    assert browser.find_element(By.ID, "summary-ja").text.startswith("不合格: ")
    cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#counts tbody td")]
    assert cells[1:] == [str(summary.open[s]) for s in report.SEVERITIES] + [
        str(n) for n in (summary.waived, summary.errors, summary.drifted, summary.not_covered)]
    screenshot(browser, "audit-top")
    _offline_and_quiet(browser)


def test_per_zone_and_per_device_with_each_finding_line_and_configuration_line(browser, audited):
    result, text = audited
    _open(browser, result.written["html"])
    zones = {row.find_elements(By.TAG_NAME, "td")[0].text: row for row in
             browser.find_elements(By.CSS_SELECTOR, "#zones tbody tr")}
    assert set(zones) == {z.zone for z in result.report.per_zone or []} >= {"MYNUMBER", "LGWAN", "INTERNET"}
    device = browser.find_element(By.ID, "device-ch-acc-1f")
    assert device.get_attribute("open") is None  # collapsed until asked
    device.find_element(By.TAG_NAME, "summary").click()
    assert device.get_attribute("open") == "true"
    rows = [[c.text for c in row.find_elements(By.TAG_NAME, "td")] for row in device.find_elements(By.CSS_SELECTOR,
                                                                                                   "tbody tr")]
    lines = text.splitlines()
    http = next(r for r in rows if r[4] == "ip http server")
    assert lines[int(http[0]) - 1] == "ip http server"
    timeout = next(r for r in rows if r[4] == "exec-timeout 0 0")
    assert lines[int(timeout[0]) - 1].strip() == "exec-timeout 0 0"
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), key=report.SEVERITIES.index)  # worst first
    unreadable = browser.find_element(By.ID, "device-ch-acc-2f")
    assert "unreadable" in unreadable.find_element(By.TAG_NAME, "summary").text
    quiet = browser.find_element(By.ID, "quiet-devices").text
    assert "library-rt1" in quiet and "ch-acc-1f" not in quiet
    screenshot(browser, "audit-device-open")
    _offline_and_quiet(browser)


def test_the_published_policy_items_come_with_their_verdicts_and_findings_link_to_them(browser, audited):
    """The planted 'ip http server' (SEC-MGMT-005) and 'exec-timeout 0 0' (SEC-MGMT-004) break items
    MP-08 and MP-11 of muronet/policy/published.yaml; every other item is met."""
    result, _ = audited
    _open(browser, result.written["html"])
    model = browser.find_element(By.ID, "separation-model").text
    assert "αモデル" in model and "(alpha)" in model
    verdicts = {row.get_attribute("id"): row.find_elements(By.TAG_NAME, "td")[3].text
                for row in browser.find_elements(By.CSS_SELECTOR, "#policy-items tbody tr")}
    assert len(verdicts) == len(result.report.policy) == 16
    broken = {f"item-{item}" for item in ("MP-08", "MP-11")}
    assert {item for item, verdict in verdicts.items() if verdict.startswith("不適合")} == broken
    assert all(verdict.startswith("適合") for item, verdict in verdicts.items() if item not in broken)
    browser.find_element(By.CSS_SELECTOR, '#findings-table a[href="#item-MP-11"]').click()
    assert browser.current_url.endswith("#item-MP-11")
    _offline_and_quiet(browser)


def test_the_pdf_is_the_report_as_an_auditor_is_handed_it(audited):
    result, _ = audited
    printed = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(result.written["pdf"]).pages))
    assert "αモデル" in printed and "公表されたセキュリティポリシーへの対応" in printed and "不合格FAIL" in printed
    assert all(row.item in printed for row in result.report.policy)
    assert all(finding.rule in printed for finding in result.report.findings)


def test_per_rule_marks_only_rules_with_open_findings(browser, audited):
    result, _ = audited
    _open(browser, result.written["html"])
    rows = browser.find_elements(By.CSS_SELECTOR, "#rules tbody tr")
    assert len(rows) == len(result.report.per_rule) > 40
    marked = {row.find_element(By.CSS_SELECTOR, "td.rule").text for row in rows if "open" in row.get_attribute("class")}
    assert marked == {r.rule for r in result.report.per_rule if r.open} != set()


def _column(browser, table: str, index: int) -> list[str]:
    return [row.find_elements(By.TAG_NAME, "td")[index].text
            for row in browser.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")]


def test_the_findings_table_sorts_by_mouse_and_keyboard_and_says_how(browser, audited):
    result, _ = audited
    _open(browser, result.written["html"])
    headings = browser.find_elements(By.CSS_SELECTOR, "#findings-table thead th")
    assert browser.execute_script("return getComputedStyle(arguments[0]).position", headings[0]) == "sticky"
    first_rule = browser.find_element(By.CSS_SELECTOR, "#findings-table td.rule")
    assert browser.execute_script("return getComputedStyle(arguments[0]).whiteSpace", first_rule) == "nowrap"
    line = headings[4]
    line.find_element(By.TAG_NAME, "button").click()
    assert line.get_attribute("aria-sort") == "ascending"
    numbers = [int(v) for v in _column(browser, "findings-table", 4) if v]
    assert numbers == sorted(numbers) and len(numbers) >= 2
    line.find_element(By.TAG_NAME, "button").send_keys(Keys.ENTER)  # the keyboard sorts too
    assert line.get_attribute("aria-sort") == "descending"
    assert [int(v) for v in _column(browser, "findings-table", 4) if v] == sorted(numbers, reverse=True)
    severity = headings[2]
    severity.find_element(By.TAG_NAME, "button").click()
    assert line.get_attribute("aria-sort") is None and severity.get_attribute("aria-sort") == "ascending"
    ranks = [report.SEVERITIES.index(v) for v in _column(browser, "findings-table", 2)]
    assert ranks == sorted(ranks)  # critical first: by severity, not by the alphabet
    screenshot(browser, "audit-findings-sorted")
    _offline_and_quiet(browser)


def test_devices_not_covered_are_named_with_why(browser, audited):
    result, _ = audited
    _open(browser, result.written["html"])
    why = {row.find_elements(By.TAG_NAME, "td")[0].text: row.find_elements(By.TAG_NAME, "td")[2].text
           for row in browser.find_elements(By.CSS_SELECTOR, "#coverage tbody tr")}
    assert why["ch-acc-srv"].startswith("no <device>.cfg in ")
    assert "UnicodeDecodeError" in why["ch-acc-2f"] or "cannot read" in why["ch-acc-2f"]
    assert why["ch-relay1"].startswith("a host (sanitising_relay)")
    assert len(why) == result.report.summary.not_covered


def test_a_clean_audit_says_no_findings_instead_of_an_empty_table(browser, reference, tmp_path):
    renderer = Renderer(reference, REPO / "templates")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "library-rt1.cfg").write_text(renderer.render(renderer.index.devices["library-rt1"]))
    result = audit(AuditOptions(INVENTORY, source=tmp_path / "c", formats=("html",), out_dir=tmp_path / "out"))
    _open(browser, result.written["html"])
    assert browser.find_element(By.ID, "verdict").text == "合格 PASS"
    assert browser.find_element(By.ID, "no-findings").text == "指摘なし / No findings"
    assert browser.find_elements(By.ID, "findings-table") == []
    _offline_and_quiet(browser)


def test_the_nightly_history_names_the_previous_run_by_date_and_draws_the_trend(browser, audited, tmp_path):
    result, _ = audited
    db = tmp_path / "nightly.sqlite"
    nightly = copy.copy(result.report)
    first = history.record(db, dataclasses.replace(nightly, findings=nightly.findings[:1]), None, 0)
    nightly.history = history.record(db, nightly, None, 1)
    path = tmp_path / "nightly.html"
    path.write_text(report.html(nightly), encoding="utf-8")
    _open(browser, path)
    previous = browser.find_element(By.ID, "previous").text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", previous) and f"run {first.run}" in previous
    assert "run -" not in previous
    nights = browser.find_elements(By.CSS_SELECTOR, "#trend g.night")
    assert [n.get_attribute("data-run") for n in nights] == [str(t.run) for t in nightly.history.trend]
    last = nightly.history.trend[-1]
    assert (nights[-1].get_attribute("data-new"), nights[-1].get_attribute("data-still-open")) == (
        str(last.new), str(last.still_open))
    assert last.still_open == 1 and last.new == len({(f.device, f.rule, f.message) for f in
                                                     nightly.findings if f.status in ("fail", "error")}) - 1
    screenshot(browser, "nightly-history")
    _offline_and_quiet(browser)


CONTRAST = """
const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
const lum = c => {
  const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const background = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
                                                           if (!/^rgba\\(.*, 0\\)$/.test(c)) return c; }
                          return 'rgb(255, 255, 255)'; };
return Array.from(document.querySelectorAll(arguments[0]), e => {
  const a = lum(rgb(getComputedStyle(e).color)), b = lum(rgb(background(e)));
  return [e.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
"""


def test_the_report_text_has_the_contrast_people_need(browser, audited):
    """WCAG AA: 4.5:1 for the verdict, the severity badges, the counts and the muted text."""
    result, _ = audited
    _open(browser, result.written["html"])
    ratios = browser.execute_script(CONTRAST, "#verdict, .sev, td, .muted, nav a, .sentence")
    assert len(ratios) > 100
    low = [(text[:30], round(ratio, 2)) for text, ratio in ratios if ratio < 4.5]
    assert low == []
