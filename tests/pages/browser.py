"""Drive the workspace in Debian's headless Chromium with Playwright, and check pages with axe-core.

One uvicorn server per module (on a free port, in a thread of the test process) and one browser
per module. Every request the page makes is routed through :class:`Visit`, which refuses and
records any that would leave 127.0.0.1. Nothing here sleeps: Playwright waits for explicit states.
"""

from __future__ import annotations

import shutil
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "out" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions"]


def skip_without_browser() -> None:
    """Skip (with the reason) when Chromium, Playwright or axe-core is missing; `make test` installs all three."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: no browser to drive (make test installs it)")
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run 'make lint-deps' (npm ci) to install axe-core")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: make install")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A real uvicorn serving the app on 127.0.0.1 in a thread; ``stop()`` shuts it down cleanly."""

    def __init__(self, app: Any):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                     access_log=False))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> "Server":
        self._thread.start()
        # uvicorn sets ``started`` once the socket listens (after the app's startup built its indexes).
        ready = threading.Event()
        while not ready.wait(0.05):
            if self._server.started:
                ready.set()
            elif not self._thread.is_alive():
                raise RuntimeError("the server stopped while starting")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


@dataclass
class Visit:
    """What one page did while loading: console errors, page errors, and requests refused for leaving the machine."""

    url: str
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class Browser:
    """One Chromium with one page; each ``visit`` records errors and off-machine requests."""

    page: Any
    base: str
    current: Visit | None = None

    def visit(self, path: str, wait_for: str | None = None) -> Visit:
        """Open ``path`` and wait for it to load (and for ``wait_for``, a selector, if given)."""
        self.current = Visit(path)
        response = self.page.goto(path if "://" in path else self.base + path, wait_until="load")
        if response is not None and response.status >= 400:
            self.current.errors.append(f"status {response.status if response else 'none'}")
        if wait_for:
            self.page.wait_for_selector(wait_for, state="attached")
        return self.current

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's violations of WCAG 2.0, 2.1 and 2.2 A and AA on the page as it is now."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"]]

    def pwned(self) -> bool:
        """True when any hostile name from the data ran as script."""
        return bool(self.page.evaluate("typeof window.__pwned !== 'undefined'"))

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        """A PNG of the page under out/screenshots, for a person to look at."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def open_browser(base: str, allowed: tuple[str, ...] = ()) -> Iterator[Browser]:
    """Launch Debian's Chromium headless (never a downloaded build) with every request checked.

    Requests to ``base`` (and URLs starting with one of ``allowed``, e.g. ``file:``) go through;
    any other is refused and recorded on the current visit.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        browser = Browser(page, base)

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith((base + "/", "data:", "blob:", "about:", *allowed)):
                request_route.continue_()
            else:
                if browser.current is not None:
                    browser.current.refused.append(url)
                request_route.abort()

        context.route("**/*", route)
        page.on("console", lambda message: browser.current and message.type == "error"
                and browser.current.errors.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: browser.current and browser.current.errors.append(f"page error: {error}"))
        try:
            yield browser
        finally:
            context.close()
            chromium.close()


def browsing(db: Path) -> Iterator[Browser]:
    """A browser on a real read-only server over the store at ``db``, for a module's fixture (skipped without chromium)."""
    from api import create_app
    from partnermap.settings import Settings

    skip_without_browser()
    running = Server(create_app(Settings(db=db, read_only=True))).start()
    try:
        yield from open_browser(running.url)
    finally:
        running.stop()


def copy_store(db: Path, target: Path) -> Path:
    """A copy of a closed embedded store, for tests that write."""
    shutil.copytree(db, target)
    return target
