"""The topology page as a planner uses it, in Debian's Chromium (tests/integration/browser.py): readable at first
load, every site and device answers a click in every view, search over kanji, kana, romaji, slugs
and device names, legends everywhere, a true scale bar, red only for "not approved". Screenshots
land in build/pages/."""

from __future__ import annotations

import math
import re

import pytest
from browser import chromium, console_problems, requests_made, screenshot
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait
from support import INVENTORY

from muronet.topology.from_inventory import physical_graph
from muronet.topology.views import NOT_APPROVED
from muronet.topology.write import write_all
from muronet.workflows.topology import single_failures


@pytest.fixture(scope="module")
def drawn(reference, tmp_path_factory):
    folder = tmp_path_factory.mktemp("topology")
    graph = physical_graph(reference)
    graph.failures = single_failures(INVENTORY)  # as `muronet topology` does: the inventory's N-1
    write_all(graph, folder, ("svg", "html"))
    return folder


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


@pytest.fixture
def page(browser, drawn):
    requests_made(browser), console_problems(browser)
    browser.get((drawn / "index.html").as_uri())
    yield browser
    assert [url for url in requests_made(browser) if not url.startswith(("file:", "data:"))] == []
    assert console_problems(browser) == []


def _view(browser, name: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f"header button[data-view='{name}']").click()


def _click(browser, css: str, part: str = "polygon, path, ellipse") -> str:
    """Click the drawn element with the mouse, as a person would (a site frame by its title; panned
    into the middle first when it is off screen), and return the panel's title."""
    shape = browser.find_element(By.CSS_SELECTOR, css).find_element(By.CSS_SELECTOR, part)
    inside = """
        const box = arguments[0].getBoundingClientRect(), area = document.querySelector('.pane.active')
          .getBoundingClientRect();
        const centre = [box.left + box.width / 2, box.top + box.height / 2];
        if (centre[0] > area.left && centre[0] < area.right && centre[1] > area.top && centre[1] < area.bottom)
          return true;
        if (arguments[1]) zoomers[current].panBy({x: area.left + area.width / 2 - centre[0],
                                                 y: area.top + area.height / 2 - centre[1]});
        return false;"""
    if not browser.execute_script(inside, shape, True):  # the pan is drawn on the next frame
        WebDriverWait(browser, 3).until(lambda b: b.execute_script(inside, shape, False))
    ActionChains(browser).move_to_element(shape).click().perform()
    return browser.find_element(By.CSS_SELECTOR, "#details h3").text


def _search(browser, text: str) -> None:
    box = browser.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text)


def _heights(browser, css: str) -> list[float]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).filter(t => t.getClientRects().length)"
        ".map(t => t.getBoundingClientRect().height)", css)


def test_labels_are_readable_at_first_load_and_never_stacked(page):
    sites = _heights(page, "#pane-physical g.cluster > text")
    assert len(sites) > 40 and min(sites) >= 11  # site names: at least 11 px on screen
    screenshot(page, "topology-first-load")
    for view in ("physical", "geographic", "zones", "lgwan"):
        _view(page, view)
        shown = _heights(page, f"#pane-{view} svg text")
        assert shown and min(shown) >= 6.5, view  # what is shown can be read; the rest waits for the zoom
        stacked = page.execute_script("""
            const out = [];
            document.querySelectorAll('#pane-' + arguments[0] + ' g.node, #pane-' + arguments[0] + ' g.cluster')
              .forEach(g => {
                const boxes = Array.from(g.querySelectorAll('text')).filter(t => t.getClientRects().length)
                  .map(t => t.getBoundingClientRect());
                boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
                  if (a.top < b.bottom - 1 && b.top < a.bottom - 1 && a.left < b.right && b.left < a.right)
                    out.push(g.id); }));
              });
            return out;""", view)
        assert stacked == [], (view, stacked)  # the lines of one label never overprint each other


def test_every_view_answers_a_click_on_sites_and_devices(page, reference):
    library = next(s for s in reference.sites if s.slug == "library")
    assert _click(page, "#pane-physical #device-library-rt1") == "library-rt1"
    assert _click(page, "#pane-physical #site-library", "text") == library.name_ja
    _view(page, "geographic")
    assert _click(page, "#pane-geographic #site-library") == library.name_ja
    link = page.find_element(By.ID, "site-diagram")
    assert link.get_attribute("href").endswith("/sites/library.svg")
    _view(page, "zones")
    title = _click(page, "#pane-zones g.node[id^='group-core']")
    assert "core" in title and page.find_elements(By.CSS_SELECTOR, "#details button.pick")
    assert _click(page, "#pane-zones #zone-LGWAN") == "ゾーン LGWAN"
    assert "ch-lgwan-rt1" in page.find_element(By.ID, "details").text
    _view(page, "lgwan")
    assert _click(page, "#pane-lgwan #device-ch-lgwan-rt1") == "ch-lgwan-rt1"
    screenshot(page, "topology-lgwan-clicked")


def test_the_keyboard_reaches_and_opens_sites_and_devices(page, reference):
    _view(page, "geographic")
    site = page.find_element(By.CSS_SELECTOR, "#pane-geographic #site-library")
    assert site.get_attribute("tabindex") == "0" and site.get_attribute("role") == "button"
    site.send_keys(Keys.ENTER)
    assert page.find_element(By.CSS_SELECTOR, "#details h3").text == next(
        s.name_ja for s in reference.sites if s.slug == "library")
    _view(page, "lgwan")
    page.find_element(By.CSS_SELECTOR, "#pane-lgwan #device-ch-core1").send_keys(Keys.SPACE)
    assert page.find_element(By.CSS_SELECTOR, "#details h3").text == "ch-core1"


@pytest.mark.parametrize("query", ["図書館", "としょかん", "トショカン", "toshokan", "Toshokan"])
def test_search_in_kanji_kana_and_romaji_finds_the_library(page, query, reference):
    _search(page, query)
    assert page.find_element(By.CSS_SELECTOR, "#details h3").text == next(
        s.name_ja for s in reference.sites if s.slug == "library")
    assert "hit" in page.find_element(By.CSS_SELECTOR, "#pane-physical #site-library").get_attribute("class")


def test_search_lists_every_hit_zooms_to_the_one_chosen_and_says_not_found(page, reference):
    _search(page, "ch-core")
    picks = page.find_elements(By.CSS_SELECTOR, "#details button.pick")
    expected = sorted(d.name for d in reference.devices if "ch-core" in d.name)
    assert len(picks) == len(expected) >= 2 and all(any(name in p.text for p in picks) for name in expected)
    before = page.execute_script("return zoomers.physical.getSizes().realZoom")
    picks[-1].click()
    assert page.execute_script("return zoomers.physical.getSizes().realZoom") > before
    page.execute_script("return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    target = page.find_element(By.ID, f"device-{expected[-1]}").rect
    pane = page.find_element(By.ID, "pane-physical").rect
    centre = (target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    assert abs(centre[0] - (pane["x"] + pane["width"] / 2)) < 40
    assert abs(centre[1] - (pane["y"] + pane["height"] / 2)) < 40
    assert page.find_element(By.CSS_SELECTOR, "#details h3").text == expected[-1]
    _search(page, "xyzzy-nowhere")
    assert page.find_element(By.ID, "notfound").text == "見つかりません / not found: xyzzy-nowhere"
    assert page.find_elements(By.CSS_SELECTOR, ".pane .hit") == []
    screenshot(page, "topology-not-found")


def test_a_hit_stays_highlighted_in_every_view(page):
    _search(page, "library-rt1")
    for view in ("geographic", "zones", "physical"):
        _view(page, view)
        marked = page.execute_script(
            "return Array.from(document.querySelectorAll('#pane-' + arguments[0] + ' .hit'), g => g.id)", view)
        assert len(marked) == 1, (view, marked)
        if view == "zones":  # the group of devices it belongs to
            group = page.find_element(By.CSS_SELECTOR, f"#pane-zones [id='{marked[0]}'] a")
            assert "library-rt1" in group.get_attribute("xlink:title").split(", ")
        else:
            assert marked == [{"geographic": "site-library", "physical": "device-library-rt1"}[view]]
    _search(page, "ch-lgwan-rt1")
    _view(page, "lgwan")
    assert "hit" in page.find_element(By.CSS_SELECTOR, "#pane-lgwan #device-ch-lgwan-rt1").get_attribute("class")


def test_every_view_has_a_legend(page):
    for view in ("physical", "geographic", "zones", "lgwan"):
        _view(page, view)
        legend = page.find_element(By.ID, f"legend-{view}")
        assert legend.is_displayed() and "legend" in legend.text and legend.rect["height"] > 40, view
        rows = page.execute_script("return arguments[0].querySelectorAll('svg text').length", legend)
        assert rows >= 4, view  # a title and at least three meanings
    legend.find_element(By.TAG_NAME, "summary").click()  # it folds away when it covers the map
    assert legend.get_attribute("open") is None and legend.rect["height"] < 40


def test_the_map_has_a_north_arrow_and_a_true_scale_bar(page, reference):
    _view(page, "geographic")
    assert "N" in page.find_element(By.ID, "north-arrow").text
    centre = page.execute_script("""
        const c = id => { const b = document.querySelector('#pane-geographic [id="' + id + '"] ellipse').getBBox();
                          return [b.x + b.width / 2, b.y + b.height / 2]; };
        return {a: c('site-city-hall'), b: c('site-hakuchodai-branch'), bar: c('scale-b')[0] - c('scale-a')[0],
                label: document.querySelector('#pane-geographic #scale-bar text').textContent};""")
    km = float(re.match(r"([\d.]+) km", centre["label"]).group(1))
    sites = {s.slug: s for s in reference.sites}
    a, b = sites["city-hall"], sites["hakuchodai-branch"]
    lat0 = sum(s.latitude for s in reference.sites) / len(reference.sites)
    ground = 111.32 * math.hypot((a.longitude - b.longitude) * math.cos(math.radians(lat0)), a.latitude - b.latitude)
    drawn = math.dist(centre["a"], centre["b"])
    assert drawn / ground == pytest.approx(centre["bar"] / km, rel=0.05)  # the bar says the map's scale


def test_red_means_not_approved_and_nothing_else(drawn):
    for view in ("physical", "geographic", "zones", "lgwan"):
        svg = (drawn / f"{view}.svg").read_text(encoding="utf-8")
        groups = re.findall(r'<g id="([^"]+)" class="(?:node|edge|cluster)">(.*?)</g>', svg, re.S)
        red = [ident for ident, body in groups if NOT_APPROVED in body]
        assert all(ident.endswith("-False") or ident == "legend" for ident in red), (view, red)


def test_the_lgwan_view_has_no_device_without_a_cable(page, drawn):
    _view(page, "lgwan")
    floating = page.execute_script("""
        const edges = Array.from(document.querySelectorAll('#pane-lgwan g.edge > title'), t => t.textContent);
        const hosts = document.querySelector('#pane-lgwan #lgwan-hosts').getBBox();
        const inHosts = g => { const b = g.getBBox();
          return b.x >= hosts.x && b.x + b.width <= hosts.x + hosts.width
                 && b.y >= hosts.y && b.y + b.height <= hosts.y + hosts.height; };
        return Array.from(document.querySelectorAll('#pane-lgwan g.node[id^="device-"]'))
          .filter(g => !inHosts(g)).map(g => g.querySelector('title').textContent)
          .filter(name => !edges.some(e => e.split('--').includes(name)));""")
    assert floating == []  # every device drawn alone has a cable; the hosts sit in their LANs' box
    ends = (drawn / "lgwan.svg").read_text(encoding="utf-8")
    assert "A end: ch&#45;lgwan&#45;rt1" in ends and "Z end (ntt&#45;east)" in ends  # both ends say what they are


def test_no_label_of_the_physical_view_covers_another(browser, drawn):
    """Site names, device names and the spans' labels (name and length) all apart, in the crowded
    city hall as everywhere: a span's label used to sit at its end, on the name of the site it reaches."""
    browser.get((drawn / "physical.svg").as_uri())
    overlaps = browser.execute_script("""
        const boxes = Array.from(document.querySelectorAll('text'), t => [t.textContent, t.getBBox()])
          .filter(([, b]) => b.width);
        const out = [];
        boxes.forEach(([s, a], i) => boxes.slice(i + 1).forEach(([u, b]) => {
          if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
            out.push(s + ' / ' + u); }));
        return [boxes.length, out];""")
    assert overlaps[0] > 200 and overlaps[1] == []


def test_single_points_of_failure_are_marked_and_each_element_says_what_its_loss_cuts(page, reference):
    """N-1 on the page: the elements whose loss cuts another site drawn doubled (devices) or thick
    (spans); a click on a device or a span lists the sites it would cut, a facility's panel lists
    the single failures that cut it (its what-if list)."""
    marked = set(page.execute_script(
        "return Array.from(document.querySelectorAll('#pane-physical .spof'), g => g.id)"))
    # the spur to the Etomo telemetry station and the ring router it hangs off; the internet router
    assert {"cable-FB-041", "device-etomo-es-rt1", "device-ch-inet-rt1"} <= marked
    assert not {"cable-FB-003", "device-ch-agg1", "device-ch-core1", "device-telemetry-etomo-rt1"} & marked
    assert _click(page, "#pane-physical #device-etomo-es-rt1") == "etomo-es-rt1"
    details = page.find_element(By.ID, "details").text
    assert "故障したら通信を失う施設" in details and "telemetry-etomo" in details
    assert _click(page, "#pane-physical #device-ch-agg1") == "ch-agg1"
    assert "何も失われない" in page.find_element(By.ID, "details").text  # the other aggregation router takes over
    assert _click(page, "#pane-physical #cable-FB-041", "path") == "ケーブル FB-041"
    assert "telemetry-etomo" in page.find_element(By.ID, "details").text
    telemetry = next(s for s in reference.sites if s.slug == "telemetry-etomo")
    assert _click(page, "#pane-physical #site-telemetry-etomo", "text") == telemetry.name_ja
    what_if = [b.text for b in page.find_elements(By.CSS_SELECTOR, "#details button.pick")]
    assert {"FB-041", "etomo-es-rt1", "telemetry-etomo-rt1"} <= set(what_if)
    assert "FB-003" not in what_if  # a span of the ring: the other way round remains


def test_the_physical_view_opens_where_every_name_can_be_read_and_none_covers_another(page):
    """At first load the physical view opens at the drawing's own size around city hall (the whole
    city fitted on a screen made every name too small to show): every device box on screen shows
    its name, at least 9 px high, and no label on screen covers another."""
    seen = page.execute_script("""
        const pane = document.getElementById('pane-physical').getBoundingClientRect();
        const visible = r => r.width && r.right > pane.left && r.left < pane.right && r.bottom > pane.top
                             && r.top < pane.bottom;
        const shown = t => t.getClientRects().length && t.style.display !== 'none';
        const legend = document.getElementById('legend-physical').getBoundingClientRect();
        const under = r => r.left < legend.right && legend.left < r.right && r.top < legend.bottom
                           && legend.top < r.bottom;
        // on screen: in the pane and not under the legend (which a click folds away)
        const devices = Array.from(document.querySelectorAll('#pane-physical g.node[id^="device-"]'))
          .filter(g => visible(g.getBoundingClientRect()) && !under(g.getBoundingClientRect()));
        const names = devices.map(g => {
          const t = Array.from(g.querySelectorAll('text')).find(shown);
          return [g.id, t ? t.textContent : '', t ? t.getBoundingClientRect().height : 0]; });
        const texts = Array.from(document.querySelectorAll('#pane-physical svg text'))
          .filter(t => shown(t) && !t.closest('.legend') && visible(t.getBoundingClientRect())
                       && !under(t.getBoundingClientRect()))
          .map(t => [t.textContent, t.getBoundingClientRect()]);
        const overlaps = [];
        texts.forEach(([s, a], i) => texts.slice(i + 1).forEach(([u, b]) => {
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
            overlaps.push(s + ' / ' + u); }));
        return [names, overlaps, texts.length];""")
    names, overlaps, shown = seen
    assert len(names) >= 10 and shown >= 20  # city hall's devices and the ring routers around it
    assert all(text == ident.removeprefix("device-") and height >= 9 for ident, text, height in names), names
    assert overlaps == []
    screenshot(page, "topology-physical-first-zoom")
