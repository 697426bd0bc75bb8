"""The report page in a real browser: headless Chromium opens it from file://.

Needs Chromium and its driver (Debian packages chromium and chromium-driver) and
selenium; the tests are skipped, saying so, only when one of them is absent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report_support import result, sample_tests, write_run

from conformance.report import make_reports

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
)
from selenium.webdriver.common.by import By  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Chromium and chromedriver (Debian: apt-get install chromium chromium-driver)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def browser(profile: Path, javascript: bool = True) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("browser")
    write_run(folder / "results" / "alpha.jsonl", sample_tests(), adapter="alpha")
    write_run(folder / "results" / "beta.jsonl", [result(title="Beta resumes <fine>")], adapter="<beta>")
    assert make_reports([folder / "results"], folder / "out") == 0
    return (folder / "out" / "index.html").as_uri()


@pytest.fixture(scope="module")
def chrome(page: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    driver = browser(tmp_path_factory.mktemp("chrome-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def loaded(chrome: webdriver.Chrome, page: str) -> webdriver.Chrome:
    chrome.get(page)
    return chrome


def cell(driver: webdriver.Chrome, clause: str, adapter: str):
    return driver.find_element(
        By.CSS_SELECTOR, f'tr[data-clause="{clause}"] td.cell[data-adapter="{adapter}"]'
    )


def visible_rows(driver: webdriver.Chrome) -> list[str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#matrix-table tbody tr[data-clause]")
    return [row.get_attribute("data-clause") for row in rows if row.is_displayed()]


def test_the_matrix_renders(loaded: webdriver.Chrome) -> None:
    headers = [
        h.text.splitlines()[0] for h in loaded.find_elements(By.CSS_SELECTOR, "#matrix-table th.col-head")
    ]
    assert headers == ["<beta>", "alpha"]
    assert len(visible_rows(loaded)) == 12
    assert cell(loaded, "use", "alpha").text.splitlines()[:2] == [
        "✗ FAIL",
        "1 of 2 pass, 1 fail · 1 unexpected",
    ]
    assert cell(loaded, "replace", "alpha").text.startswith("☠ CRASH")
    assert [entry for entry in loaded.get_log("browser") if entry["level"] == "SEVERE"] == []


def test_a_cell_opens_its_tests_and_a_test_its_evidence(loaded: webdriver.Chrome) -> None:
    target = cell(loaded, "use", "alpha")
    details = target.find_element(By.TAG_NAME, "details")
    title = target.find_element(By.CSS_SELECTOR, "details.test summary .title")
    assert details.get_attribute("open") is None and not title.is_displayed()
    target.find_element(By.TAG_NAME, "summary").click()
    assert details.get_attribute("open") is not None and title.is_displayed()
    assert title.text == "A session set before the handshake is resumed."
    title.click()
    observed = target.find_element(By.CSS_SELECTOR, "details.test dd.obs")
    assert observed.is_displayed() and observed.text == "full"


def test_filtering_by_adapter_clause_and_outcome(loaded: webdriver.Chrome) -> None:
    form = loaded.find_element(By.ID, "filters")
    assert form.is_displayed()
    beta_head = loaded.find_element(By.CSS_SELECTOR, 'th.col-head[data-adapter="<beta>"]')
    assert beta_head.is_displayed()

    form.find_element(By.XPATH, ".//summary[starts-with(normalize-space(), 'Adapters')]").click()
    form.find_element(By.CSS_SELECTOR, 'input[name="adapter"][value="<beta>"]').click()
    assert not beta_head.is_displayed() and not cell(loaded, "use", "<beta>").is_displayed()
    assert cell(loaded, "use", "alpha").is_displayed()

    for box in form.find_elements(By.CSS_SELECTOR, 'input[name="outcome"]'):
        if box.get_attribute("value") != "crash":
            box.click()
    assert visible_rows(loaded) == ["replace"]

    form.find_element(By.CSS_SELECTOR, 'input[name="outcome"][value="refused"]').click()
    assert visible_rows(loaded) == ["get", "replace"]
    form.find_element(By.CSS_SELECTOR, 'input[name="unexpected"]').click()
    assert visible_rows(loaded) == ["replace"]  # the refusal in get was expected
    assert loaded.find_element(By.ID, "filter-status").text == "1 clause rows, 1 adapters shown"


def test_the_page_reads_without_javascript(page: str, tmp_path: Path) -> None:
    driver = browser(tmp_path / "profile", javascript=False)
    try:
        driver.get(page)
        assert not driver.find_element(By.ID, "filters").is_displayed()
        assert len(visible_rows(driver)) == 12
        target = cell(driver, "get", "alpha")
        target.find_element(By.TAG_NAME, "summary").click()
        assert target.find_element(By.CSS_SELECTOR, "details.test summary .title").is_displayed()
    finally:
        driver.quit()
