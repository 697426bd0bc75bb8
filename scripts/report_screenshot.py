"""Make the README's pictures of the report: docs/images/report.png and report-cell.png.

Makes the report from real results (default: reports/results; run the battery
on every adapter first, e.g. ``tox``), opens it in headless Chromium from
file://, and saves the top of the page (summary and matrix), then one opened
cell with a test's evidence. Needs chromium, chromium-driver and selenium.

    python scripts/report_screenshot.py [RESULTS ...] [--images docs/images]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from conformance.report import make_reports

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


UNCLIP = """
const style = document.createElement("style");
style.textContent = ".matrix-scroll { max-height: none; overflow: visible; }"
  + " .matrix thead th, .matrix th.clause { position: static; }";
document.head.appendChild(style);
"""


def chromium(profile: Path, width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in (*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "chromedriver")
    return webdriver.Chrome(options=options, service=service)


def pick_cell(driver: webdriver.Chrome):
    """A cell worth showing: an unexpected fail, a fail, any unexpected outcome, any non-pass."""
    for selector in (
        "td.cell:has(details.test.o-fail .tag.unexpected)",
        "td.cell:has(details.test.o-fail)",
        'td.cell:not([data-unexpected="0"])',
        "td.cell:not(.o-pass):not(.o-none)",
        "td.cell:not(.o-none)",
    ):
        cells = driver.find_elements(By.CSS_SELECTOR, selector)
        if cells:
            return cells[0]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", type=Path, default=[Path("reports/results")])
    parser.add_argument("--images", type=Path, default=Path("docs/images"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        with contextlib.redirect_stdout(io.StringIO()):
            status = make_reports(args.results, Path(scratch, "report"))
        if status:
            return status
        driver = chromium(Path(scratch, "profile"), args.width, args.height)
        try:
            driver.get(Path(scratch, "report", "index.html").as_uri())
            args.images.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.images / "report.png"))
            cell = pick_cell(driver)
            if cell is not None:
                # Unclip the matrix for the picture: no inner scrolling, no sticky header over the cell.
                driver.execute_script(UNCLIP)
                cell.find_element(By.TAG_NAME, "summary").click()
                tests = cell.find_elements(By.CSS_SELECTOR, "details.test")
                fails = [t for t in tests if "o-fail" in (t.get_attribute("class") or "")]
                unexpected = [t for t in tests if t.find_elements(By.CSS_SELECTOR, "summary .tag.unexpected")]
                best = [t for t in fails if t in unexpected] or fails or unexpected or tests
                best[0].find_element(By.TAG_NAME, "summary").click()
                driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", cell)
                cell.screenshot(str(args.images / "report-cell.png"))
        finally:
            driver.quit()
    print(f"wrote {args.images / 'report.png'} and {args.images / 'report-cell.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
