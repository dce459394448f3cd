"""Browser tests of the book's explorers: they respond in the static HTML.

Every page of the built book that embeds widgets is served on 127.0.0.1 and
opened in Debian's headless Chromium (Playwright). An explorer made by
``book/_lib/explorers.py`` is a box with the CSS class ``book-explorer``;
its panels carry the readouts they were computed for in ``data-values``.
For every explorer on the page the test drags each slider (and clicks each
toggle button / picks each dropdown entry) and checks that

- the panel shown switches to another one, whose content differs;
- the panel's ``data-values`` equal what the controls read out now;

and, for the page, that there is no control outside a ``book-explorer`` box
(a slider wired with ``.observe`` moves but its panel is dead in the static
HTML), no console error and no request to a host other than 127.0.0.1.

Pages are found from the built HTML (any page embedding a widget view), so a
chapter converted later is covered without editing this file. Like
``tests/test_book_browser.py`` these tests never skip: without the built
book or ``/usr/bin/chromium`` they fail and say what to run. Set
``BOOK_BUILD_DIR`` (and ``BOOK_TOC``) for a book built elsewhere. A
screenshot of each page's first explorer after its moves is saved to
``<build>/screenshots/<page>_explorer.png`` (e.g. 04_forget_gate_explorer.png).
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_lib"))

from explorers import (  # noqa: E402
    MAX_STATE_BYTES,
    Axis,
    explorer,
    grid,
    label_html,
    page_widget_bytes,
)

BUILD_DIR = Path(os.environ.get("BOOK_BUILD_DIR", ROOT / "_build"))
TOC_FILE = Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
HTML_DIR = BUILD_DIR / "html"
SCREENSHOT_DIR = BUILD_DIR / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
LOCAL_HOST = "127.0.0.1"
TIMEOUT_MS = 60_000
WIDGET_VIEW = 'type="application/vnd.jupyter.widget-view+json"'
# Controls a reader can move: ipywidgets 8's DOM classes.
CONTROLS = ".widget-slider, .widget-toggle-buttons, .widget-dropdown"


def _toc_docnames(toc_path: Path) -> list[str]:
    """Every document of a Jupyter Book ``_toc.yml``, in reading order."""
    toc = yaml.safe_load(toc_path.read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(str(Path(entry["file"]).with_suffix("")))
            for key in ("sections", "chapters", "parts"):
                walk(entry.get(key))

    for key in ("parts", "chapters"):
        walk(toc.get(key))
    return names


def _widget_pages() -> list[str]:
    """The toc pages whose built HTML embeds a widget (all, if not built)."""
    names = _toc_docnames(TOC_FILE)
    if not (HTML_DIR / "index.html").is_file():
        return names  # the fixture below fails with what to run
    return [
        name
        for name in names
        if (HTML_DIR / f"{name}.html").is_file()
        and WIDGET_VIEW in (HTML_DIR / f"{name}.html").read_text(encoding="utf-8")
    ]


WIDGET_PAGES = _widget_pages()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(
            f"The book is not built ({HTML_DIR / 'index.html'} is missing): run "
            "`make book`.",
            pytrace=False,
        )
    handler = functools.partial(_QuietHandler, directory=str(HTML_DIR))
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
            f"{CHROMIUM} is missing: `apt-get install -y chromium` (never "
            "`playwright install`).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


# The panel a reader sees: the one explorer panel that is displayed.
VISIBLE_PANEL_JS = """box => {
    const shown = [...box.querySelectorAll('.book-explorer-panel')]
        .filter(p => p.getClientRects().length > 0);
    if (shown.length !== 1) return {count: shown.length};
    const panel = shown[0];
    const content = panel.querySelector('.book-explorer-content');
    return {
        count: 1,
        values: JSON.parse(panel.dataset.values).map(
            v => String(v).replace(/\\s+/g, ' ').trim()),
        content: content ? content.innerHTML : null,
    };
}"""
# What each control of the box reads out now, in order (white space as in
# the panel: toggle buttons show their spaces as no-break spaces).
READOUTS_JS = """box => [...box.querySelectorAll(
        '.widget-slider, .widget-toggle-buttons, .widget-dropdown')].map(c => {
    const text = el => el.textContent.replace(/\\s+/g, ' ').trim();
    if (c.matches('.widget-slider')) {
        return text(c.querySelector('.widget-readout'));
    }
    if (c.matches('.widget-toggle-buttons')) {
        const on = c.querySelector('button.mod-active');
        return on ? text(on) : null;
    }
    const select = c.querySelector('select');
    return text(select.options[select.selectedIndex]);
})"""


def _open(browser, base_url, docname):
    """The page, loaded and rendered, and the lists its problems go to."""
    problems = {"console": [], "outside": [], "http": []}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def on_request(request):
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if urlsplit(request.url).hostname != LOCAL_HOST:
            problems["outside"].append(request.url)

    def block_outside(route):
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            route.abort()

    page.on("request", on_request)
    page.route("**/*", block_outside)
    page.on(
        "console",
        lambda msg: (
            problems["console"].append(msg.text) if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: problems["console"].append(str(exc)))
    page.on(
        "response",
        lambda r: (
            problems["http"].append(f"{r.status} {r.url}") if r.status >= 400 else None
        ),
    )
    page.goto(f"{base_url}/{docname}.html", wait_until="load")
    page.wait_for_selector(".jupyter-widgets", state="attached")
    page.wait_for_load_state("networkidle")
    return context, page, problems


def _wait_for_switch(page, box, before):
    """The visible panel once it differs from ``before`` (or after 5 s)."""
    for _ in range(50):
        now = box.evaluate(VISIBLE_PANEL_JS)
        if now != before:
            return now
        page.wait_for_timeout(100)
    return now


def _check_matches(box, shown, what):
    readouts = box.evaluate(READOUTS_JS)
    assert shown["count"] == 1, f"{what}: {shown['count']} panels visible, not 1"
    assert shown["values"] == readouts, (
        f"{what}: the panel shows {shown['values']} but the controls read {readouts}"
    )


def _drag(page, slider, fraction):
    """Drag the slider's handle to ``fraction`` of its track, by mouse."""
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target").first
    handle.scroll_into_view_if_needed()
    start, bar = handle.bounding_box(), track.bounding_box()
    y = start["y"] + start["height"] / 2
    page.mouse.move(start["x"] + start["width"] / 2, y)
    page.mouse.down()
    target = bar["x"] + fraction * bar["width"]
    page.mouse.move(target, y, steps=12)
    page.mouse.up()


def _exercise(page, box, label):
    """Move every control of one explorer; check the panel at every move."""
    shown = box.evaluate(VISIBLE_PANEL_JS)
    _check_matches(box, shown, f"{label}, before any move")
    controls = box.locator(CONTROLS)
    moves = 0
    for k in range(controls.count()):
        control = controls.nth(k)
        classes = control.get_attribute("class") or ""
        if "widget-slider" in classes:
            actions = [
                ("drag to 10 %", lambda c=control: _drag(page, c, 0.1)),
                ("drag to 90 %", lambda c=control: _drag(page, c, 0.9)),
                (
                    "key Home",
                    lambda c=control: c.locator(".noUi-handle").first.press("Home"),
                ),
            ]
        elif "widget-toggle-buttons" in classes:
            buttons = control.locator("button")
            actions = [
                (f"click button {j}", lambda j=j, b=buttons: b.nth(j).click())
                for j in range(buttons.count())
            ]
        else:
            select = control.locator("select")
            options = select.locator("option").all_text_contents()
            actions = [
                (f"select {text!r}", lambda s=select, t=text: s.select_option(label=t))
                for text in options
            ]
        for name, act in actions:
            before_readouts = box.evaluate(READOUTS_JS)
            act()
            after_readouts = box.evaluate(READOUTS_JS)
            what = f"{label}, control {k}, {name}"
            if after_readouts == before_readouts:
                continue  # already there (e.g. clicking the active button)
            now = _wait_for_switch(page, box, shown)
            assert now.get("content") != shown.get("content"), (
                f"{what}: the control moved ({before_readouts} -> "
                f"{after_readouts}) but the panel did not change"
            )
            _check_matches(box, now, what)
            shown = now
            moves += 1
    assert moves >= controls.count(), f"{label}: a control could not be moved"
    return moves


@pytest.fixture(scope="module")
def explored(browser, base_url):
    """Each widget page, explored once (on first use): its problems."""
    results = {}

    def get(docname):
        if docname not in results:
            context, page, problems = _open(browser, base_url, docname)
            try:
                loose = page.evaluate(
                    """sel => [...document.querySelectorAll(sel)]
                        .filter(c => !c.closest('.book-explorer'))
                        .map(c => c.textContent.trim().slice(0, 60))""",
                    CONTROLS,
                )
                boxes = page.locator("article .book-explorer")
                failures, moves = [], 0
                for k in range(boxes.count()):
                    try:
                        moves += _exercise(page, boxes.nth(k), f"explorer {k}")
                    except AssertionError as error:
                        failures.append(str(error))
                if boxes.count():  # the first explorer, after its moves
                    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                    name = Path(docname).name
                    boxes.first.screenshot(
                        path=str(SCREENSHOT_DIR / f"{name}_explorer.png")
                    )
                results[docname] = {
                    "loose": loose,
                    "explorers": boxes.count(),
                    "moves": moves,
                    "failures": failures,
                    **problems,
                }
            finally:
                context.close()
        return results[docname]

    return get


@pytest.mark.parametrize("docname", WIDGET_PAGES)
def test_no_dead_control(explored, docname):
    """Every slider, toggle button and dropdown is part of an explorer."""
    result = explored(docname)
    assert result["loose"] == [], (
        f"{docname}: controls outside a book-explorer box (dead in the static "
        "HTML; build them with book/_lib/explorers.py): " + repr(result["loose"])
    )


@pytest.mark.parametrize("docname", WIDGET_PAGES)
def test_explorers_switch_panels_and_match_readouts(explored, docname):
    """Moving each control switches the panel to the one its readout names."""
    result = explored(docname)
    if result["explorers"] == 0:
        pytest.fail(f"{docname} embeds widgets but no book-explorer", pytrace=False)
    assert result["failures"] == [], "\n".join(result["failures"])
    assert result["moves"] > 0


@pytest.mark.parametrize("docname", WIDGET_PAGES)
def test_explorer_pages_are_offline_and_quiet(explored, docname):
    """No console error, no HTTP error, no request off 127.0.0.1."""
    result = explored(docname)
    assert result["console"] == [], f"{docname}: console errors {result['console']}"
    assert result["http"] == [], f"{docname}: HTTP errors {result['http']}"
    assert result["outside"] == [], f"{docname}: requests off-site {result['outside']}"


@pytest.mark.parametrize("docname", WIDGET_PAGES)
def test_widget_state_within_page_budget(docname):
    """The page embeds at most MAX_STATE_BYTES of widget state."""
    page = HTML_DIR / f"{docname}.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: run `make book`.", pytrace=False)
    size = page_widget_bytes(page)
    assert 0 < size <= MAX_STATE_BYTES, (
        f"{docname}: {size / 1e6:.2f} MB of widget state (budget "
        f"{MAX_STATE_BYTES / 1e6:.1f} MB)"
    )


# The helper itself, in Python (what a live kernel runs).


def _data_values(panel_html):
    """The readouts a panel's HTML says it belongs to."""
    attribute = panel_html.split('data-values="', 1)[1].split('"', 1)[0]
    return json.loads(html.unescape(attribute))


def test_explorer_panels_carry_the_readouts_of_their_grid_point():
    axes = (
        Axis("$a$", grid(-1.0, 1.0, 5), "{:+.1f}", initial=0.5),
        Axis("$b$", [1, 2, 3], "{:d}", control="buttons", initial=3),
    )
    box = explorer(lambda a, b: f"<p>{a * b:.3f}</p>", *axes)
    slider, buttons, stack = box.children
    assert "book-explorer" in box._dom_classes
    assert (slider.index, buttons.index) == (3, 2)
    assert (stack.selected_index, stack.children[3].selected_index) == (3, 2)
    assert [len(row.children) for row in stack.children] == [3] * 5
    for j, row in enumerate(stack.children):
        for k, panel in enumerate(row.children):
            a, b = axes[0].values[j], axes[1].values[k]
            # The readouts the controls show at (j, k), and the panel's.
            shown = [slider.options[j][0], buttons.options[k][0]]
            assert shown == [f"{a:+.1f}", str(b)]
            assert _data_values(panel.value) == shown
            assert f"<p>{a * b:.3f}</p>" in panel.value


def test_explorer_links_are_browser_side_jslinks():
    box = explorer(lambda a: f"{a}", Axis("a", grid(0, 1, 3)))
    (link,) = box._explorer_links
    assert type(link).__name__ == "Link"  # widgets.jslink, no kernel needed
    assert link.source == (box.children[0], "index")
    assert link.target == (box.children[1], "selected_index")


def test_explorer_refuses_ambiguous_readouts_and_oversized_state():
    with pytest.raises(ValueError, match="same readout"):
        explorer(lambda a: "", Axis("a", grid(0, 1, 21), "{:.0f}"))
    with pytest.raises(ValueError, match="MB"):
        explorer(lambda a: "x" * 5000, Axis("a", grid(0, 1, 21)), max_bytes=50_000)


def test_labels_keep_subscripts_and_math_through_the_widget_manager():
    """<sub> becomes a styled span, $...$ becomes \\(...\\) (both survive)."""
    assert label_html("<i>C</i><sub>t−1</sub> and $b_f$") == (
        '<i>C</i><span style="vertical-align:sub;font-size:80%">t−1</span>'
        " and \\(b_f\\)"
    )
    box = explorer(lambda a: "", Axis("<i>a</i><sub>i</sub>", grid(0, 1, 3)))
    assert "<sub>" not in box.children[0].description
