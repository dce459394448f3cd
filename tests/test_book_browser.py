"""Browser tests of the built HTML book: every page works offline.

The built book (``make book`` -> ``_build/html``) is served by a local
``http.server`` on 127.0.0.1 and opened in Debian's headless Chromium through
Playwright. Each page is loaded once; the tests then check what a student
would see: no console errors, no request to any host but 127.0.0.1 (MathJax,
require.js and the widget manager are vendored), typeset math, loaded
figures, rendered widgets, and a downloadable A2 notebook. A screenshot of
chapter 4 is saved to ``_build/screenshots/04_forget_gate.png``.

What each page must contain (at least so many typeset formulas, figures and
widgets, and a few phrases of its own text) is stated in
``tests/book_contents.yml``; a page that shows less fails.

These tests never skip: without the built book or without
``/usr/bin/chromium`` they fail and say what to run. ``make test`` builds the
book first; ``.ci/run`` installs Chromium with apt.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# Overridable for a book built elsewhere (jupyter-book --path-output, --toc).
BUILD_DIR = Path(os.environ.get("BOOK_BUILD_DIR", ROOT / "_build"))
TOC_FILE = Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
HTML_DIR = BUILD_DIR / "html"
SCREENSHOT_DIR = BUILD_DIR / "screenshots"
CONTENTS_FILE = ROOT / "tests" / "book_contents.yml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
PAGE_TIMEOUT_MS = 60_000
SCREENSHOT_PAGE = "book/part2/04_forget_gate"
A2_PAGE = "book/assignments/A2"
# A <script src> or <link href> that leaves the site (http:, https:, //).
OFFSITE_TAG = re.compile(
    r"<(?:script|link)\b[^>]*?\b(?:src|href)=[\"'](?:https?:)?//[^\"']*[\"']"
)


def _toc_docnames(toc_path: Path) -> list[str]:
    """Every document of a Jupyter Book ``_toc.yml``, in reading order."""
    toc = yaml.safe_load(toc_path.read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(str(Path(entry["file"]).with_suffix("")))
            walk(entry.get("sections"))
            walk(entry.get("chapters"))
            walk(entry.get("parts"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return names


# The pages: everything in the table of contents, plus Sphinx's own pages.
TOC_PAGES = _toc_docnames(TOC_FILE)
PAGES = [*TOC_PAGES, "search", "genindex"]
# What each toc page must contain (formulas, figures, widgets, phrases).
CONTENTS = yaml.safe_load(CONTENTS_FILE.read_text())
CONTENT_KEYS = {"formulas", "figures", "widgets", "phrases"}


def _expected(docname: str) -> dict:
    """The page's entry in book_contents.yml; a page without one fails."""
    if docname not in CONTENTS:
        pytest.fail(f"{docname} has no entry in {CONTENTS_FILE.name}", pytrace=False)
    return CONTENTS[docname]


def _normalise(text: str) -> str:
    """Lower case, one space for any run of whitespace."""
    return " ".join(text.split()).casefold()


def _page_url(base_url: str, docname: str) -> str:
    return f"{base_url}/{docname}.html"


@dataclass
class PageReport:
    """What one page did while it loaded in the browser."""

    docname: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    math_sources: int = 0  # Sphinx math elements (\(...\), \[...\])
    math_rendered: int = 0  # MathJax output elements
    math_errors: int = 0  # MathJax error boxes
    figures: int = 0
    images: list[dict] = field(default_factory=list)
    widget_views: int = 0  # widget views embedded in the HTML
    widgets_rendered: int = 0  # top-level widget elements in the DOM
    sliders_rendered: int = 0
    download_links: list[str] = field(default_factory=list)
    text: str = ""  # the article's visible text


@pytest.fixture(scope="module")
def html_dir() -> Path:
    index = HTML_DIR / "index.html"
    if not index.is_file():
        pytest.fail(
            f"The book is not built ({index} is missing): run `make book` "
            "(or `make test`, which builds it first).",
            pytrace=False,
        )
    return HTML_DIR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def base_url(html_dir: Path):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with "
            "`apt-get update && apt-get install -y chromium` (.ci/run does). "
            "Never `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _load(browser, base_url: str, html_dir: Path, docname: str) -> PageReport:
    """Open one page, wait for math and widgets, and report what happened."""
    if not (html_dir / f"{docname}.html").is_file():
        pytest.fail(
            f"{docname}.html was not built: is {docname} in _toc.yml and did "
            "`make book` succeed?",
            pytrace=False,
        )
    report = PageReport(docname)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)

    def on_request(request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host != LOCAL_HOST:
            report.outside_requests.append(request.url)

    def block_outside(route):
        # Never let a request leave the machine, even while failing a test.
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            route.abort()

    page.on("request", on_request)
    page.route("**/*", block_outside)
    page.on(
        "console",
        lambda msg: (
            report.console_errors.append(msg.text) if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: report.console_errors.append(str(exc)))
    page.on(
        "response",
        lambda response: (
            report.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )

    page.goto(_page_url(base_url, docname), wait_until="load")
    report.math_sources = page.locator(".math").count()
    if report.math_sources:
        # MathJax 3 resolves startup.promise once the page is typeset.
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
        )
        page.evaluate("() => MathJax.startup.promise")
    report.widget_views = page.locator(
        'script[type="application/vnd.jupyter.widget-view+json"]'
    ).count()
    if report.widget_views:
        # A widget that never renders is reported by test_widgets_render.
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_selector(".jupyter-widgets", state="attached", timeout=20_000)
    # Give lazily loaded images and late scripts a moment to finish.
    page.wait_for_load_state("networkidle")

    report.math_rendered = page.locator("mjx-container").count()
    report.math_errors = page.locator("mjx-merror").count()
    report.figures = page.locator("article figure").count()
    report.images = page.eval_on_selector_all(
        "article img",
        """imgs => imgs.map(img => ({
            src: img.getAttribute('src'),
            complete: img.complete,
            naturalWidth: img.naturalWidth,
        }))""",
    )
    report.widgets_rendered = page.locator(
        "article .widget-subarea > .jupyter-widgets"
    ).count()
    report.sliders_rendered = page.locator("article .widget-slider").count()
    report.download_links = page.eval_on_selector_all(
        "article a[href]", "links => links.map(a => a.href)"
    )
    articles = page.locator("article")
    report.text = "\n".join(
        articles.nth(k).inner_text() for k in range(articles.count())
    )
    if docname == SCREENSHOT_PAGE:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "04_forget_gate.png"), full_page=True)
    context.close()
    return report


@pytest.fixture(scope="module")
def page_report(browser, base_url, html_dir):
    """Load each page once (on first use) and cache its report."""
    reports: dict[str, PageReport] = {}

    def get(docname: str) -> PageReport:
        if docname not in reports:
            reports[docname] = _load(browser, base_url, html_dir, docname)
        return reports[docname]

    return get


def test_every_built_page_is_in_the_toc(html_dir):
    """No stray pages: every built HTML page is a toc page or Sphinx's own."""
    built = {
        str(path.relative_to(html_dir).with_suffix(""))
        for path in html_dir.rglob("*.html")
        if path.relative_to(html_dir).parts[0]
        not in ("_static", "_sources", "_images", "_downloads")
    }
    expected = set(PAGES) | {"index"}
    assert built - expected == set(), "pages built but not in _toc.yml"
    assert expected - built == set(), "toc pages that were not built"


@pytest.mark.parametrize("docname", PAGES)
def test_page_loads_without_console_errors(page_report, docname):
    """The page loads with no console error and no uncaught exception."""
    report = page_report(docname)
    assert not report.console_errors, f"console errors on {docname}:\n" + (
        "\n".join(report.console_errors + report.failed_responses)
    )
    assert not report.failed_responses, f"HTTP errors on {docname}:\n" + (
        "\n".join(report.failed_responses)
    )


@pytest.mark.parametrize("docname", PAGES)
def test_page_requests_only_localhost(page_report, docname):
    """Offline: every request the page makes goes to 127.0.0.1."""
    report = page_report(docname)
    assert not report.outside_requests, (
        f"{docname} requested other hosts (a CDN?); vendor the files instead:\n"
        + "\n".join(report.outside_requests)
    )


def test_every_toc_page_states_what_it_contains():
    """book_contents.yml has an entry for each toc page, and only for those."""
    assert set(CONTENTS) == set(TOC_PAGES)
    for docname, entry in CONTENTS.items():
        assert set(entry) == CONTENT_KEYS, docname
        for key in ("formulas", "figures", "widgets"):
            assert isinstance(entry[key], int), (docname, key)
            assert entry[key] >= 0, (docname, key)
        assert len(entry["phrases"]) >= 2, docname
        assert all(isinstance(p, str) and p.strip() for p in entry["phrases"])


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_math_is_typeset(page_report, docname):
    """At least the stated formulas, each rendered by MathJax without errors."""
    expected = _expected(docname)["formulas"]
    report = page_report(docname)
    assert report.math_sources >= expected, (
        f"{docname}: {report.math_sources} math elements, at least {expected} "
        "expected (tests/book_contents.yml)"
    )
    assert report.math_rendered >= max(expected, report.math_sources), (
        f"{docname}: {report.math_sources} math elements but only "
        f"{report.math_rendered} MathJax outputs"
    )
    assert report.math_errors == 0, f"{docname}: MathJax reported TeX errors"


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_figures_are_loaded_images(page_report, docname):
    """The stated figures, each with an image that decoded (naturalWidth > 0)."""
    expected = _expected(docname)["figures"]
    report = page_report(docname)
    assert report.figures >= expected, (
        f"{docname}: {report.figures} figures, at least {expected} expected "
        "(tests/book_contents.yml)"
    )
    broken = [
        image["src"]
        for image in report.images
        if not image["complete"] or image["naturalWidth"] == 0
    ]
    assert broken == [], f"{docname}: images that did not load"
    assert len(report.images) >= report.figures, (
        f"{docname}: {report.figures} figures but {len(report.images)} images"
    )


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_widgets_render(page_report, docname):
    """The stated widgets, each rendered by the vendored widget manager."""
    expected = _expected(docname)["widgets"]
    report = page_report(docname)
    assert report.widget_views >= expected, (
        f"{docname}: {report.widget_views} widget views embedded, at least "
        f"{expected} expected (tests/book_contents.yml)"
    )
    assert report.widgets_rendered >= report.widget_views, (
        f"{docname}: {report.widget_views} widget views embedded, "
        f"{report.widgets_rendered} rendered"
    )


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_page_shows_its_own_text(page_report, docname):
    """The page's article shows each of its stated phrases."""
    phrases = _expected(docname)["phrases"]
    text = _normalise(page_report(docname).text)
    missing = [phrase for phrase in phrases if _normalise(phrase) not in text]
    assert missing == [], f"{docname} does not show {missing}"


def test_chapter_4_has_figures_math_and_the_forget_gate_explorer(page_report):
    """The pattern chapter shows its three figures, math and two sliders."""
    report = page_report(SCREENSHOT_PAGE)
    assert report.figures >= 3
    assert report.math_rendered > 0
    assert report.widget_views >= 1
    assert report.sliders_rendered >= 2, "the explorer's two sliders"
    assert (SCREENSHOT_DIR / "04_forget_gate.png").is_file()


def test_a2_page_offers_the_student_notebook(page_report, browser, base_url):
    """The A2 page links a downloadable .ipynb that is a valid notebook."""
    report = page_report(A2_PAGE)
    notebooks = [link for link in report.download_links if link.endswith(".ipynb")]
    assert notebooks, "the A2 page has no link to an .ipynb file"
    context = browser.new_context()
    try:
        for link in notebooks:
            assert urlsplit(link).hostname == LOCAL_HOST, link
            response = context.request.get(link)
            assert response.status == 200, f"{link} answered {response.status}"
            notebook = json.loads(response.body())
            assert notebook.get("nbformat") == 4, f"{link} is not nbformat 4"
            assert notebook.get("cells"), f"{link} has no cells"
    finally:
        context.close()


def test_built_html_references_no_cdn(html_dir):
    """No <script src> or <link href> of any built page points off-site."""
    offenders = {}
    for path in html_dir.rglob("*.html"):
        found = OFFSITE_TAG.findall(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(html_dir))] = found
    assert offenders == {}, "pages that load a script or style from the web"
