"""The HTML report in a real browser (Debian chromium, driven by Selenium): it fits a
375 px phone without sideways scrolling, reads at 1280 px, and every chart loads.

Needs /usr/bin/chromium and /usr/bin/chromedriver (marker `browser`): skipped with the
reason where they are missing, a failure in `.ci/run` (STAFFPLAN_REQUIRE_REAL_CLIENTS=1).
Screenshots land in the test's tmp dir for a person to look at.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from staffplan.reports.html import write_report_html

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def driver():
    """One headless Chromium for the whole session (starting it is slow)."""
    profile = tempfile.mkdtemp(prefix="staffplan-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--window-size=1280,900"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _show(driver, path: Path, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1,
                            "mobile": width < 500})
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")


def _full_screenshot(driver, out: Path, width: int) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": min(int(height), 16000),
                            "deviceScaleFactor": 1, "mobile": width < 500})
    driver.save_screenshot(str(out))


@pytest.fixture(scope="module")
def example_report(example_lp_result, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "apac_expansion-report.html"
    write_report_html(example_lp_result, path)
    return path


@pytest.mark.parametrize("width", [375, 1280])
def test_example_report_fits_and_every_image_loads(driver, example_report, tmp_path, width):
    _show(driver, example_report, width)
    inner = driver.execute_script("return window.innerWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert inner == width
    assert scroll <= inner, f"horizontal overflow at {width} px: {scroll} > {inner}"
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt,"
        " i.getBoundingClientRect().right])")
    assert len(images) >= 3
    for complete, natural, alt, right in images:
        assert complete and natural > 0, alt
        assert alt.strip()
        assert right <= inner + 0.5  # no picture sticks out of the page
    headline = driver.execute_script(
        "return getComputedStyle(document.querySelector('p[style*=\"30px\"]')).fontSize")
    assert headline == "30px"
    _full_screenshot(driver, tmp_path / f"report-{width}.png", width)
    assert (tmp_path / f"report-{width}.png").stat().st_size > 10_000


def test_hostile_names_render_as_text_in_the_browser(driver, hostile_result, tmp_path):
    path = tmp_path / "hostile-report.html"
    write_report_html(hostile_result, path)
    _show(driver, path, 375)
    title = driver.execute_script("return document.querySelector('h1').textContent")
    assert title == hostile_result.inputs.settings.plan_name
    # Nothing from the names became an element: the only images are the charts.
    srcs = driver.execute_script("return Array.from(document.images).map(i => i.src)")
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert driver.execute_script("return document.scripts.length") == 0
    assert driver.execute_script("return document.querySelectorAll('b b').length") == 0
    body = driver.execute_script("return document.body.innerText")
    assert "Tokyo" in body and '<img src=x onerror=alert(2)> Tokyo "1" & Co' in body
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 375
    _full_screenshot(driver, tmp_path / "hostile-375.png", 375)
