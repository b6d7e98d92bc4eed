"""Real Chromium for the key flows: Debian's /usr/bin/chromium driven by Playwright, no browser download.

Where Chromium is not installed the browser tests are skipped with a visible
reason; ``.ci/run`` installs it, so CI always runs them.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium); browser tests skipped")


class PageWatcher:
    """Collects what a page should never do: console errors (CSP violations) and third-party requests."""

    def __init__(self, page, base_url):
        self.errors = []
        self.foreign = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith((base_url, "data:", "blob:")) else self.foreign.append(request.url)
            ),
        )


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, base_url, username, password="demo"):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button.btn-primary")
    page.wait_for_url(f"{base_url}/")
