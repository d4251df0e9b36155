"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

Playwright's own browser download is never used (``executable_path`` points at the system
Chromium, which .ci/run installs); without Chromium these tests skip and say why. Screenshots
go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import Server, start_server
from tests.support.site import site_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = site_project(tmp_path_factory.mktemp("browser") / "mini")
    running = start_server(project, "--max-concurrent", "1")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server: Server):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
    assert not errors, errors  # no script error, no CSP violation


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_home_page(page, server: Server) -> None:
    page.goto(server.base + "/")
    assert page.locator("h1").inner_text() == "Mini library"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="VoID statistics").is_visible()
    shot(page, "home")
    page.get_by_role("link", name="Solaris").first.click()
    page.wait_for_url("**/doc/book/solaris")
    assert page.locator("h1").inner_text() == "Solaris"


def test_entity_page_in_english_and_chinese(page, server: Server) -> None:
    page.goto(server.base + "/id/book/solaris")  # the IRI: 303 to the document
    assert page.url.endswith("/doc/book/solaris")
    assert page.locator("h1").inner_text() == "Solaris"
    assert page.get_by_role("heading", name="Translators and publishers").is_visible()
    assert page.locator("svg.diagram g.partner").count() == 5
    shot(page, "entity-en")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url("**?lang=zh")
    assert page.locator("html").get_attribute("lang") == "zh"
    assert page.locator("h1").inner_text() == "索拉里斯星"
    assert page.get_by_role("heading", name="译者与出版者").is_visible()
    shot(page, "entity-zh")
    # the choice is remembered: the next page is in Chinese too, without ?lang=
    page.get_by_role("link", name="斯坦尼斯瓦夫·莱姆").first.click()
    page.wait_for_url("**/doc/person/lem")
    assert page.locator("h1").inner_text() == "斯坦尼斯瓦夫·莱姆"


def test_follow_a_link_to_a_partner(page, server: Server) -> None:
    page.goto(server.base + "/doc/book/solaris?lang=en")
    page.locator("table.partner-table").get_by_role("link", name="Joanna Kilmartin").click()
    page.wait_for_url("**/doc/person/kilmartin")
    assert page.locator("h1").inner_text() == "Joanna Kilmartin"
    incoming = page.locator("section", has=page.get_by_role("heading", name="Incoming links"))
    assert incoming.get_by_role("link", name="Solaris (English translation)").is_visible()
    shot(page, "partner")


def test_search_box(page, server: Server) -> None:
    page.goto(server.base + "/?lang=en")
    page.get_by_role("searchbox").fill("stanis")
    result = page.locator("#search-results a", has_text="Stanisław Lem")
    result.wait_for()
    shot(page, "search")
    result.click()
    page.wait_for_url("**/doc/person/lem")


def test_competency_query_in_the_query_page(page, server: Server) -> None:
    page.goto(server.base + "/")
    page.get_by_role("link", name="SPARQL query").click()
    page.wait_for_url("**/sparql")
    page.locator("#examples").select_option(label="Which books did each person write?")
    page.locator("#run").click()
    rows = page.locator("#results table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert "Solaris" in page.locator("#results").inner_text()
    shot(page, "query")
