"""Fixtures for the browser tests in this folder."""

import os

import pytest
from django.core.management import call_command

from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatcher, require_chromium


@pytest.fixture
def page(live_server):
    require_chromium()
    call_command("load_demo", quiet=True)
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls above are done,
    # and the live server answers from its own thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        page = context.new_page()
        page.watcher = PageWatcher(page, live_server.url)
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
