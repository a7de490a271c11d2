"""Fixtures for the real-browser tests of the built book.

The built site ``_build/html`` is served by a local ``http.server`` thread on 127.0.0.1
(a free port), and opened in Debian's headless Chromium (``/usr/bin/chromium``) through
Python Playwright. Every request that does not go to that local server is blocked and
recorded: the book must work with no network at all.

``make test`` builds the book and installs chromium first, so there these tests always
run; elsewhere they are skipped with a clear message when either is missing.

The browser is package-scoped: Playwright's sync API runs an event loop while it is open,
and other test modules (e.g. tests/test_viz.py) start their own sync_playwright(), which
refuses to run inside a running loop. So it is closed once tests/browser/ is done.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = ROOT / "_build" / "html"
SCREENSHOT_DIR = ROOT / "_build" / "screenshots"
CHROMIUM = Path(os.environ.get("LM_BOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Folders of the built site that hold assets, not pages.
NON_PAGE_DIRS = {"_static", "_sources", "_images", "_downloads", "_notebooks", "_sphinx_design_static"}
# index.html is only a meta-refresh redirect to intro.html.
NON_PAGES = {"index.html"}
# Sphinx's helper pages: checked for errors and requests, not for math or screenshots.
HELPER_PAGES = {"search.html", "genindex.html"}


def built_pages() -> list[str]:
    """Every built HTML page, as a path relative to _build/html (posix)."""
    if not HTML_DIR.is_dir():
        return []
    pages = []
    for path in sorted(HTML_DIR.rglob("*.html")):
        rel = edition_relative(path.relative_to(HTML_DIR).as_posix())
        if rel.split("/")[0] in NON_PAGE_DIRS or rel in NON_PAGES:
            continue
        pages.append(path.relative_to(HTML_DIR).as_posix())
    return pages


def edition_relative(rel: str) -> str:
    """A page's path within its edition: the Chinese edition is built into _build/html/zh/."""
    return rel[len("zh/"):] if rel.startswith("zh/") else rel


def content_pages() -> list[str]:
    return [p for p in built_pages() if edition_relative(p) not in HELPER_PAGES]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


@pytest.fixture(scope="package")
def site_url():
    """Base URL (ending in '/') of _build/html served on 127.0.0.1."""
    if not (HTML_DIR / "intro.html").is_file():
        pytest.skip("_build/html is missing: build the book first (`make book`; `make test` does it)")
    handler = functools.partial(_QuietHandler, directory=str(HTML_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install -y chromium` (`make test` does it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements.txt pins playwright
        pytest.skip("the Python package playwright is not installed (see requirements.txt)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageLog:
    """What went wrong while a page was open."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"non-local request (blocked): {m}" for m in self.blocked_requests]
        )


class Site:
    """Opens pages of the served book in fresh browser contexts that block the network."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.netloc = urlsplit(base_url).netloc

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "javascript"):
            return True
        return parts.scheme == "http" and parts.netloc == self.netloc

    def new_page(self, viewport=DESKTOP):
        """A new page (own context) and its PageLog. Close with page.context.close()."""
        context = self.browser.new_context(viewport=viewport, service_workers="block")
        log = PageLog()

        def route(route):
            url = route.request.url
            if self.is_local(url):
                route.continue_()
            else:
                log.blocked_requests.append(url)
                route.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: log.console_errors.append(f"{msg.text} @ {msg.location.get('url', '')}")
            if msg.type == "error"
            else None,
        )
        page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

        def on_failed(request):
            url = request.url
            if self.is_local(url):  # blocked ones are already recorded
                log.failed_requests.append(f"{url} ({request.failure})")

        page.on("requestfailed", on_failed)

        def on_response(response):
            if response.status >= 400:
                log.failed_requests.append(f"{response.url} (HTTP {response.status})")

        page.on("response", on_response)
        return page, log

    def url(self, rel: str) -> str:
        return self.base_url + rel

    def open(self, rel: str, viewport=DESKTOP, settle: bool = True):
        """Open page ``rel`` (relative to _build/html), wait for it (and MathJax) to settle."""
        page, log = self.new_page(viewport)
        page.goto(self.url(rel), wait_until="load")
        if settle:
            wait_for_mathjax(page)
            page.wait_for_load_state("networkidle")
        return page, log


def wait_for_mathjax(page, timeout_ms: int = 30_000) -> None:
    """If the page loads MathJax, wait until its first typesetting pass is done."""
    uses_mathjax = page.evaluate(
        "() => Array.from(document.scripts).some(s => /mathjax/i.test(s.src || ''))"
    )
    if not uses_mathjax:
        return
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
        timeout=timeout_ms,
    )
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


@pytest.fixture(scope="package")
def site(browser, site_url):
    return Site(browser, site_url)


@pytest.fixture(scope="package")
def screenshot_dir():
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
