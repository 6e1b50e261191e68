"""A real browser (Debian's headless chromium, driven by selenium) against a real classroom server.

The learner's page draws the terminal on a canvas, so the test reads what the app sent over the page's own
websocket (a listener added before the page's scripts run, ANSI sequences stripped) and types into xterm's
textarea like a person. Set WORKBENCH_CLASSROOM_SCREENSHOTS=1 to refresh docs/classroom-*.png.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.classroom.conftest import RunningClass
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
pytest.importorskip("textual_serve", reason="classroom mode needs the classroom extra (pip install -e '.[classroom]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
)
SCREEN_TAP = r"""
(() => {
  window.__screen = "";
  const decoder = new TextDecoder();
  const strip = (text) => text.replace(/\x1b\[[0-9;?<>=]*[ -\/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07/g, "");
  const add = (text) => { window.__screen = (window.__screen + strip(text)).slice(-400000); };
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") return;
      if (event.data instanceof ArrayBuffer) add(decoder.decode(event.data, {stream: true}));
      else event.data.arrayBuffer().then((buffer) => add(decoder.decode(buffer, {stream: true})));
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""


@pytest.fixture
def browser() -> Iterator:
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip(
            "no chromium/chromedriver on this machine (Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SCREEN_TAP})
        yield driver
    finally:
        driver.quit()


def _wait(what: str, condition, timeout: float) -> float:  # noqa: ANN001
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.1)
    return time.monotonic() - start


def _screenshot(driver, tmp_path: Path, name: str) -> Path:  # noqa: ANN001
    path = tmp_path / name
    driver.save_screenshot(str(path))
    if os.environ.get("WORKBENCH_CLASSROOM_SCREENSHOTS") == "1":
        shutil.copyfile(path, REPO_ROOT / "docs" / name)
    return path


def test_a_learner_runs_a_lesson_in_the_browser_and_the_instructor_page_shows_it(
    browser, running_class: RunningClass, tmp_path: Path
) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    screen = lambda: browser.execute_script("return window.__screen || ''")  # noqa: E731
    browser.get(f"{running_class.url}/l/{running_class.tokens['alice']}")
    _wait("the layer map in the learner's page", lambda: "lessons passed" in screen(), 45)
    assert "check-the-machine" in screen()
    terminal = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    terminal.send_keys(Keys.ENTER)  # the map starts on the first lesson: open it
    _wait("the lesson screen", lambda: "Run step" in screen(), 20)
    terminal.send_keys("r")
    _wait("the step to pass", lambda: "PASS check-the-machine/report" in screen(), 45)
    passed_at = time.monotonic()
    time.sleep(0.5)  # let the last frame paint before the picture
    assert _screenshot(browser, tmp_path, "classroom-learner.png").stat().st_size > 10_000

    browser.switch_to.new_window("tab")
    browser.get(running_class.instructor())
    cell = lambda: browser.execute_script(  # noqa: E731
        "const td = document.querySelector('#learner-alice td[data-lesson=\"check-the-machine\"]');"
        "return td ? td.firstChild.textContent : '';"
    )
    _wait("the instructor page showing alice's pass", lambda: cell() == "passed", 5.0 - (time.monotonic() - passed_at))
    assert "1 connected" in browser.find_element(By.ID, "summary").text
    _screenshot(browser, tmp_path, "classroom-instructor.png")

    browser.get(f"{running_class.url}/l/not-a-token")
    assert "403 Forbidden" in browser.find_element(By.TAG_NAME, "body").text
    assert "lessons passed" not in screen()
