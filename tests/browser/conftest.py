"""A real server and a real browser: `eros serve` on an ephemeral loopback port over a temporary
sample database, and the distribution's Chromium driven by Playwright (no browser download).

Screenshots go to `EROS_BROWSER_ARTIFACTS` (default: a temporary directory), one per step, so a
person can look at the pages as the test saw them. A script error, a console error or a CSP
violation on any page fails its test (a test that provokes a refusal says which one it expects).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    sync_playwright,
)
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

CHROMIUM = "/usr/bin/chromium"
#: The `eros` command installed beside this interpreter.
EROS = str(Path(sys.executable).with_name("eros"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
USER, PASSWORD = "olivia", "correct horse battery staple"
VIEWER = "victor"


@dataclass(frozen=True)
class Installation:
    """The served installation: its URL, its environment (for `eros` in other processes), and
    where screenshots go."""

    url: str
    env: dict[str, str]
    artifacts: Path

    def eros(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`eros ARGS` in another process over the same database."""
        return subprocess.run(
            [EROS, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> None:
    response = httpx.get(f"{url}/readyz", timeout=2)
    response.raise_for_status()


@pytest.fixture(scope="session")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    home = tmp_path_factory.mktemp("eros-web")
    env = {
        **os.environ,
        "EROS_DB_URL": f"sqlite:///{home / 'eros.db'}",
        "EROS_LEARNINGS_PATH": str(home / "LEARNINGS.md"),
        "EROS_V5_ENABLED": "true",
        "EROS_V5_CREATORS": "alexia",
        # A pinned clock: the same sample week every run (no send at 09:xx on any day of it).
        "EROS_NOW": "2026-12-01T12:00:00Z",
    }
    env.pop("EROS_DB_PATH", None)
    artifacts = Path(os.environ.get("EROS_BROWSER_ARTIFACTS") or tempfile.mkdtemp(prefix="eros-shots-"))
    artifacts.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    site = Installation(url=f"http://127.0.0.1:{port}", env=env, artifacts=artifacts)
    for args, stdin in (
        (("db", "init", "--sample"), None),
        (("users", "add", USER, "--role", "admin"), PASSWORD + "\n"),
        (("users", "add", VIEWER, "--role", "viewer"), PASSWORD + "\n"),
        (("generate", "alexia"), None),
    ):
        done = site.eros(*args, stdin=stdin)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    server = subprocess.Popen(
        [EROS, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(home / "server.log").open("w"),
    )
    try:
        for attempt in Retrying(
            stop=stop_after_delay(30),
            wait=wait_fixed(0.2),
            retry=retry_if_exception_type(httpx.HTTPError),
            reraise=True,
        ):
            with attempt:
                assert server.poll() is None, (home / "server.log").read_text()
                _ready(site.url)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per module, not per session: Playwright's sync API keeps an asyncio loop running
    in this thread while it is open, and the in-process CLI tests that run later call asyncio.run."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Console:
    """What went wrong in the browser: uncaught script errors, console errors (which is where
    Chromium reports CSP violations and failed requests) and `securitypolicyviolation` events."""

    errors: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def expect(self, pattern: str) -> None:
        """A console error matching `pattern` is part of the test (e.g. a refused request)."""
        self.expected.append(re.compile(pattern))

    def record(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.expected)]


#: Turns every CSP violation into a console error, whatever Chromium itself reports.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""


def open_page(browser: Browser, installation: Installation, console: Console) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=installation.url)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("pageerror", lambda error: console.errors.append(f"page error: {error}"))
    page.on("console", console.record)
    return context, page


def log_in(page: Page, installation: Installation, name: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{installation.url}/")


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Browser, installation: Installation, console: Console) -> Iterator[Page]:
    """A page logged in as the admin; any unexpected error on it fails the test."""
    context, page = open_page(browser, installation, console)
    log_in(page, installation, USER)
    yield page
    context.close()
    assert console.unexpected() == []


@pytest.fixture
def viewer_page(browser: Browser, installation: Installation, console: Console) -> Iterator[Page]:
    """A page logged in as a viewer (reads only); any unexpected error on it fails the test."""
    context, page = open_page(browser, installation, console)
    log_in(page, installation, VIEWER)
    yield page
    context.close()
    assert console.unexpected() == []
