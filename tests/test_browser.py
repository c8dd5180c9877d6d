"""The HTML report in a real browser (Debian chromium, driven by Selenium) at true phone
widths (DevTools device metrics, since a headless window is never narrower than 500 px).

Guards what an executive on a phone sees: nothing wider than the screen, every chart
loaded, no word broken inside itself at any width from 320 px, and the story above
"Details" within about three phone screens. Heights measured at 375 px (see the note
in README.md, Development):

    report                          above Details   whole page
    shipped example (LP)                ~2,560 px      ~6,300 px
    150 sites, 12 countries (LP)        ~3,070 px      ~7,430 px

The budgets below leave room for a longer site name or one more risk line, not for a
section that grows with the size of the plan. Screenshots land in each test's tmp dir
for a person to look at.
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
import shutil
import tempfile
from pathlib import Path

import pytest

from staffplan.reports.html import write_report_html

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = pytest.mark.browser  # skipped with the reason without Chromium (conftest.py)

STORY_MAX_PX = 3_400  # part above "Details" at 375 px
PAGE_MAX_PX = 8_500  # whole page at 375 px
PHONE_WIDTHS = [320, 375, 414]

# Every word (a run without spaces, hyphens or slashes) must sit on one line. Text inside
# an element allowed to wrap anywhere (file names, ids) is left out.
BROKEN_WORDS_JS = """
const bad = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let node;
while ((node = walker.nextNode())) {
  const parent = node.parentElement;
  if (!parent || getComputedStyle(parent).overflowWrap === 'anywhere') continue;
  const re = /[^\\s\\-\\/\\u2013\\u2014]+/g;
  let m;
  while ((m = re.exec(node.textContent))) {
    if (m[0].length < 2) continue;
    const range = document.createRange();
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
                         .map(r => Math.round(r.top)));
    if (tops.size > 1) bad.push(m[0]);
  }
}
return bad;
"""


@pytest.fixture(scope="session")
def driver():
    """One headless Chromium for the whole session (starting it is slow)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="staffplan-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--hide-scrollbars", "--window-size=1280,900"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _show(driver, path: Path, width: int) -> None:
    """Lay the page out at a true `width` px viewport. `mobile: False` so a page wider
    than the screen overflows (and is caught) instead of being zoomed out."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1,
                            "mobile": False})
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")


def _measure(driver) -> dict:
    return driver.execute_script(
        "const d = document.getElementById('details');"
        "return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth,"
        " height: document.documentElement.scrollHeight,"
        " story: d ? d.getBoundingClientRect().top + window.scrollY : null,"
        " images: Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt,"
        "   i.getBoundingClientRect().right])};")


def _screenshot(driver, out: Path, width: int) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": min(int(height), 16000),
                            "deviceScaleFactor": 1, "mobile": False})
    driver.save_screenshot(str(out))


def _check_layout(driver, path: Path, width: int, shots: Path) -> dict:
    _show(driver, path, width)
    m = _measure(driver)
    assert m["inner"] == width
    assert m["scroll"] <= width, f"horizontal overflow at {width} px: {m['scroll']} > {width}"
    for complete, natural, alt, right in m["images"]:
        assert complete and natural > 0, alt
        assert alt.strip()
        assert right <= width + 0.5  # no picture sticks out of the page
    broken = driver.execute_script(BROKEN_WORDS_JS)
    assert not broken, f"words broken inside themselves at {width} px: {broken[:10]}"
    _screenshot(driver, shots / f"{path.stem}-{width}.png", width)
    return m


@pytest.fixture(scope="module")
def example_report(example_lp_result, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "apac_expansion-report.html"
    write_report_html(example_lp_result, path)
    return path


@pytest.fixture(scope="module")
def phone150_report(tmp_path_factory) -> Path:
    """150 sites in 12 countries from the benchmark generator (24 months, so it solves in
    seconds), planned in LP mode."""
    from staffplan.jobs.plan import solve_inputs
    from test_benchmark_generator import gen

    size = dataclasses.replace(gen.SIZES["medium"], months=24)
    gen.SIZES["phone150"] = size
    try:
        inputs = gen.generate("phone150", seed=1)
    finally:
        del gen.SIZES["phone150"]
    assert len(inputs.sites) == 150
    path = tmp_path_factory.mktemp("html") / "phone150-report.html"
    write_report_html(solve_inputs(inputs, lp=True), path)
    return path


@pytest.mark.parametrize("width", [*PHONE_WIDTHS, 1280])
def test_example_report_fits_loads_and_breaks_no_word(driver, example_report, tmp_path, width):
    m = _check_layout(driver, example_report, width, tmp_path)
    assert len(m["images"]) >= 3
    decision = driver.execute_script(
        "const e = document.getElementById('decision'); const r = e.getBoundingClientRect();"
        "return [r.top + window.scrollY, getComputedStyle(e).fontSize]")
    assert decision[0] < 250 and decision[1] == "24px"  # the decision opens the page


def test_story_fits_about_three_phone_screens(driver, example_report, phone150_report,
                                              tmp_path):
    for path in (example_report, phone150_report):
        m = _check_layout(driver, path, 375, tmp_path)
        assert m["story"] is not None
        print(f"{path.name} at 375 px: above Details {m['story']:.0f} px, "
              f"page {m['height']} px")
        assert m["story"] <= STORY_MAX_PX, (path.name, m["story"])
        assert m["height"] <= PAGE_MAX_PX, (path.name, m["height"])


@pytest.mark.parametrize("width", [320, 1280])
def test_150_site_report_fits_and_breaks_no_word(driver, phone150_report, tmp_path, width):
    _check_layout(driver, phone150_report, width, tmp_path)


def test_budget_bound_plan_says_so_on_the_first_screen(driver, example_inputs, tmp_path):
    """The example with its whole-plan budget cut to USD 100 million (the free plan costs
    about 113 million): the budget binds, and the first screen says the budget limits the
    plan."""
    from staffplan.inputs.data import Budget
    from staffplan.jobs.plan import solve_inputs

    tight = [dataclasses.replace(b, max_cost=100e6) if b.year is None and b.country is None
             else b for b in example_inputs.budgets]
    assert tight != example_inputs.budgets and all(isinstance(b, Budget) for b in tight)
    result = solve_inputs(dataclasses.replace(example_inputs, budgets=tight), lp=True)
    path = tmp_path / "budget-bound-report.html"
    write_report_html(result, path)
    for width in (375, 1280):
        _check_layout(driver, path, width, tmp_path)
    _show(driver, path, 375)
    first_screen = driver.execute_script(
        "return Array.from(document.querySelectorAll('p')).filter(p =>"
        " p.getBoundingClientRect().top < 900).map(p => p.innerText).join(' ')")
    assert "the budget limits the plan" in first_screen


def test_email_html_part_fits_a_phone(driver, example_lp_result, tmp_path):
    """The .eml written by `send --eml`: its HTML part, with each cid: chart replaced by
    its inline part, lays out like the report."""
    from staffplan.delivery.smtp import deliver
    from staffplan.reports.xlsx import write_plan_xlsx

    plan = tmp_path / "apac_expansion-plan.xlsx"
    write_plan_xlsx(example_lp_result, plan)
    write_report_html(example_lp_result, tmp_path / "apac_expansion-report.html")
    eml = tmp_path / "plan.eml"
    deliver(plan, ["ceo@example.com"], eml=eml)
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    related = msg.get_body(("related",))
    html = related.get_body(("html",)).get_content()
    for part in related.iter_parts():
        cid = (part["Content-ID"] or "").strip("<>")
        if cid:
            data = base64.b64encode(part.get_content()).decode("ascii")
            html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    assert "cid:" not in html
    path = tmp_path / "email-part.html"
    path.write_text(html, encoding="utf-8")
    for width in (375, 1280):
        m = _check_layout(driver, path, width, tmp_path)
        assert len(m["images"]) >= 3


def test_hostile_names_render_as_text_in_the_browser(driver, hostile_result, tmp_path):
    from conftest import HOSTILE_SITE

    path = tmp_path / "hostile-report.html"
    write_report_html(hostile_result, path)
    _check_layout(driver, path, 375, tmp_path)
    title = driver.execute_script("return document.querySelector('h1').textContent")
    assert title == hostile_result.inputs.settings.plan_name
    # Nothing from the names became an element: the only images are the charts.
    srcs = driver.execute_script("return Array.from(document.images).map(i => i.src)")
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert driver.execute_script("return document.scripts.length") == 0
    assert driver.execute_script("return document.querySelectorAll('b b').length") == 0
    body = driver.execute_script("return document.body.innerText")
    assert HOSTILE_SITE in body
