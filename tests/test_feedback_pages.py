"""The feedback pages: the course's preprocessors and template, and the page
a student reads in Chromium.

``autograder/preprocessors.py``: hidden-test lines quoted in an output are
redacted, and formulas become MathML so that the page needs no MathJax from a
CDN. The end-to-end tests (``test_grader_faults.py``, ``test_autograder.py``)
check the same on graded classes.

``autograder/templates/course_feedback/``: every message and output wraps at a
laptop's (846 px) and a phone's (390 px) width, and the summary names each
test by its first comment line in the source notebook, with its points; on a
small rendered page and on A2's graded fixture class (graded once here, about
40 s). Needs ``/usr/bin/chromium``; fails, never skips, without it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_regions import (
    REPO,
    grade_fixture_class,
    gradebook_scores,
    leaks,
    secret_lines,
)
from playwright.sync_api import sync_playwright
from traitlets.config import Config

from autograder.preprocessors import (
    CSP_META,
    NBGRADER_TEMPLATES,
    REDACTED,
    DescribeTests,
    HideTestTracebacks,
    MathPlaceholders,
    RedactHiddenTestLines,
    SanitiseOutputs,
    configure_feedback_template,
    describe_test,
    finish_feedback_page,
    hidden_test_lines,
    tex_to_mathml,
)

MATHML = '<math xmlns="http://www.w3.org/1998/Math/MathML"'


def test_feedback_redacts_hidden_test_lines_quoted_in_any_output():
    # The runner keeps test source out of linecache; this is the second line
    # of defence, for a hidden line that gets into an output some other way.
    hidden = 'np.testing.assert_allclose(add(x, 1.0), x + 1, err_msg="must add")'
    source = "\n".join(
        [
            "np.testing.assert_allclose(add(1.0, 2.0), 3.0)",
            "### BEGIN HIDDEN TESTS",
            "x = np.arange(3.0)",
            hidden,
            "np.testing.assert_allclose(add(1.0, 2.0), 3.0)",
            ")",
            "### END HIDDEN TESTS",
        ]
    )
    cell = nbformat.v4.new_code_cell(
        source,
        outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=f"seen: {hidden}"),
            nbformat.v4.new_output(
                "display_data", data={"text/html": f"<pre>{html.escape(hidden)}</pre>"}
            ),
            nbformat.v4.new_output(
                "error",
                ename="AssertionError",
                evalue=f"must add\nline: {hidden}",
                traceback=[f"----> 2 {hidden}"],
            ),
        ],
    )
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert hidden_test_lines(nb) == [hidden, "x = np.arange(3.0)"]
    nb, _ = RedactHiddenTestLines().preprocess(nb, {})
    stream, display, error = nb.cells[0].outputs
    assert stream.text == f"seen: {REDACTED}"
    assert display.data["text/html"] == f"<pre>{REDACTED}</pre>"
    assert error.evalue == f"must add\nline: {REDACTED}"  # the message stays
    assert error.traceback == [f"----> 2 {REDACTED}"]


def test_formulas_of_markdown_cells_become_mathml_and_mathjax_goes():
    text = "\n".join(
        [
            r"The forget gate $f_t = \sigma(a)$ costs \$5, inline \(x_t\) too:",
            "$$",
            r"\begin{aligned}",
            r"C_t &= f_t \odot C_{t-1} + i_t \odot \tilde{C}_t && \text{update}\\",
            r"h_t &= o_t \odot \tanh(C_t) && \text{output}",
            r"\end{aligned}",
            "$$",
            r"and \[\text{rel\_error}(a, b)\] on its own.",
        ]
    )
    code = 'price = "$5 and $6"'
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell(code)]
    )
    nb, _ = MathPlaceholders().preprocess(nb, {})
    markdown = nb.cells[0].source
    # Markdown sees only letters and digits where the formulas were.
    assert "$" not in markdown.replace(r"\$", "")
    assert "\\(" not in markdown
    assert "\\odot" not in markdown
    assert (
        len(re.findall(r"MATH[0-9a-f]{16}(?:INLINE|BLOCK)[0-9a-f]+MATHEND", markdown))
        == 4
    )
    assert nb.cells[1].source == code  # code cells keep their dollars
    page = (
        "<head><!-- Load mathjax -->\n"
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/'
        'latest.js?config=TeX-AMS_CHTML-full,Safe"> </script>\n'
        "<script>MathJax.Hub.Config({})</script>\n"
        "<!-- End of mathjax configuration --></head>"
        f"<body><p>{html.escape(markdown)}</p></body>"
    )
    done = finish_feedback_page(page)
    assert "mathjax" not in done.lower()
    assert "http" not in done.replace(MATHML, "").replace(CSP_META, "")
    assert CSP_META in done  # no script may run on the page
    assert done.count(MATHML) == 4
    assert done.count('display="block"') == 2
    assert "costs \\$5" in done
    # The aligned block is a table whose columns align as in TeX.
    assert done.count("<mtr>") == 2
    assert '<mtd columnalign="right" style="text-align: right">' in done
    assert "<mtext>rel_error</mtext>" in done


def test_tex_the_converter_cannot_read_is_shown_as_code():
    assert tex_to_mathml("x^", display=False) == "<code>x^</code>"
    assert tex_to_mathml("x^2", display=False).startswith(MATHML)


# --- The page a student reads, in Chromium ----------------------------------
#
# The page is nbgrader's feedback template with ours on top
# (autograder/templates/course_feedback/). Before it, a failing test's message
# was one line 2453 px wide in an 846 px box, its hint off screen, and the
# summary called every test "Test cell".

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
WIDTHS = (846, 390)  # a laptop's browser window, a phone
A2_STUDENTS = ["blank", "calls_ref", "naive_sigmoid", "tanh_forget", "wrong_answers"]

# Every output box and its text, the page, and where each box ends.
MEASURE_JS = """() => {
  const boxes = [...document.querySelectorAll(
    'div.output_subarea, div.output_subarea pre, #toc li')];
  return {
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    boxes: boxes.map(e => ({
      html: e.outerHTML.slice(0, 80),
      scroll: e.scrollWidth,
      client: e.clientWidth,
      right: Math.ceil(e.getBoundingClientRect().right),
    })),
    viewport: window.innerWidth,
  };
}"""


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


def open_page(browser, path: Path, width: int):
    """The page at ``width`` px; every request it makes is listed, none served."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.requested = []

    def route(request_route):
        url = request_route.request.url
        if url == path.as_uri():
            request_route.continue_()
        else:
            page.requested.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    return page


def overflowing(measured: dict) -> list[dict]:
    """Boxes wider than their content area, or ending right of the window."""
    return [
        box
        for box in measured["boxes"]
        if box["scroll"] > box["client"] or box["right"] > measured["viewport"]
    ]


def render_feedback(nb, root: Path, assignment: str = "A9") -> str:
    """``nb`` (grades already in its metadata) as the course's feedback page.

    The preprocessors and template of ``python -m autograder feedback``,
    without a gradebook: the test sets the scores GetGrades would read.
    """
    from nbconvert.exporters import HTMLExporter

    config = Config()
    config.CourseDirectory.root = str(root)
    configure_feedback_template(config)
    css = NBGRADER_TEMPLATES.parent / "static/node_modules/bootstrap/dist/css"
    config.HTMLExporter.extra_template_paths = [str(css)]
    grade_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    resources = {
        "nbgrader": {
            "assignment": assignment,
            "notebook": assignment,
            "student": "someone",
            "score": sum(c.metadata.nbgrader.score for c in grade_cells),
            "max_score": sum(c.metadata.nbgrader.points for c in grade_cells),
            "late_penalty": 0,
        }
    }
    for step in (SanitiseOutputs, HideTestTracebacks, MathPlaceholders, DescribeTests):
        nb, resources = step(config=config).preprocess(nb, resources)
    body, _ = HTMLExporter(config=config).from_notebook_node(nb, resources)
    return finish_feedback_page(body)


def graded_test_cell(source: str, grade_id: str, score: float, points: float, outputs):
    cell = nbformat.v4.new_code_cell(source, outputs=outputs)
    cell.metadata.nbgrader = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": grade_id,
        "points": points,
        "schema_version": 3,
    }
    return cell


def test_describe_test_takes_the_first_comment_line_the_student_sees():
    assert describe_test("# Checks forget_gate: shape (N, H).\nx = 1") == (
        "Checks forget_gate: shape (N, H)."
    )
    assert describe_test("\n\nx = 1\n##   Checks later\n# and not this") == (
        "Checks later"
    )
    hidden_first = "\n".join(
        [
            "### BEGIN HIDDEN TESTS",
            "# secret: the hidden case uses seed 1234",
            "### END HIDDEN TESTS",
            "#",
            "# Checks what the student reads",
        ]
    )
    assert describe_test(hidden_first) == "Checks what the student reads"
    solution = "### BEGIN SOLUTION\n# the answer is 42\n### END SOLUTION"
    assert describe_test(solution) is None
    assert describe_test("assert f(1) == 2") is None
    long = describe_test("# " + "word " * 100)
    assert len(long) == 200
    assert long.endswith("\u2026")


def test_tests_are_named_from_the_source_notebook_or_by_grade_id(tmp_path):
    source = tmp_path / "source" / "A9"
    source.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(
        cells=[
            graded_test_cell(
                "# Checks f: the source's words.\nf()", "test_f", 0, 1, []
            ),
            graded_test_cell("g()", "test_g", 0, 1, []),
        ]
    )
    nbformat.write(nb, source / "A9.ipynb")
    submitted = nbformat.v4.new_notebook(
        cells=[
            graded_test_cell("# Checks f: a student's words.\nf()", "test_f", 0, 1, [])
        ]
    )
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    resources = {"nbgrader": {"assignment": "A9", "notebook": "A9"}}
    _, resources = DescribeTests(config=config).preprocess(submitted, resources)
    assert resources["nbgrader"]["descriptions"] == {
        "test_f": "Checks f: the source's words."
    }
    resources = {"nbgrader": {"assignment": "A8", "notebook": "A8"}}
    _, resources = DescribeTests(config=config).preprocess(submitted, resources)
    assert resources["nbgrader"]["descriptions"] == {}  # no source: grade_ids


def test_long_messages_words_and_array_reprs_wrap_on_the_page(browser, tmp_path):
    array = np.array2string(np.linspace(0, 1, 120), max_line_width=10_000)
    word = "no_spaces_" * 60
    hint = "THE HINT AT THE END"
    outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"got {array}\n{word}\n"),
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue=f"your f returned {array}, expected 0 {word} {hint}",
            traceback=["(the test's source)"],
        ),
    ]
    answer = nbformat.v4.new_code_cell(
        "f(x)",
        outputs=[
            nbformat.v4.new_output(
                "execute_result",
                data={"text/plain": f"array({array})"},
                execution_count=1,
            )
        ],
    )
    described = "# Checks f: <b>values</b> & shape, in words.\nassert f()"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(r"The gate $f_t = \sigma(a_t)$."),
            answer,
            graded_test_cell(described, "test_f", 0.5, 2, outputs),
            graded_test_cell("assert g()", "test_g", 1, 1, []),
        ]
    )
    (tmp_path / "source" / "A9").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "source" / "A9" / "A9.ipynb")
    for cell in nb.cells[2:]:
        cell.metadata.nbgrader.score = {"test_f": 0.5, "test_g": 1}[
            cell.metadata.nbgrader.grade_id
        ]
    path = tmp_path / "A9.html"
    path.write_text(render_feedback(nb, tmp_path), "utf-8")
    for width in WIDTHS:
        page = open_page(browser, path, width)
        measured = page.evaluate(MEASURE_JS)
        assert len(measured["boxes"]) >= 5, measured
        assert overflowing(measured) == [], (width, overflowing(measured))
        assert measured["page"][0] <= measured["page"][1], (width, measured["page"])
        assert page.locator("div.output_error pre").inner_text().endswith(hint)
        summary = page.locator("#toc li").all_inner_texts()
        assert summary == [
            "Checks f: <b>values</b> & shape, in words. 0.5 / 2",
            "test_g 1 / 1",
        ]
        assert page.locator("#toc li b").count() == 0  # escaped, not markup
        assert page.locator("math").count() == 1
        assert page.evaluate("document.scripts.length") == 0
        assert page.requested == []
        page.screenshot(path=str(tmp_path / f"synthetic-{width}.png"), full_page=True)
        page.close()


@pytest.fixture(scope="module")
def a2_class(tmp_path_factory) -> dict:
    """A2's fixture class graded and given feedback (about 40 s)."""
    return grade_fixture_class("A2", tmp_path_factory.mktemp("feedback-course"))


def source_tests(root: Path, assignment: str) -> list[tuple[str, str, float]]:
    """(grade_id, first line without '# ', points) of each test, in order."""
    nb = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", 4)
    return [
        (
            cell.metadata.nbgrader["grade_id"],
            cell.source.splitlines()[0].removeprefix("# "),
            cell.metadata.nbgrader["points"],
        )
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
        and not cell.metadata.nbgrader.get("solution")
    ]


def test_graded_pages_wrap_every_message_at_846_and_390_px(a2_class, browser):
    root = a2_class["root"]
    for student in A2_STUDENTS:
        path = root / "feedback" / student / "A2" / "A2.html"
        for width in WIDTHS:
            page = open_page(browser, path, width)
            measured = page.evaluate(MEASURE_JS)
            messages = page.locator("div.output_error pre").all_inner_texts()
            page.close()
            assert messages, student  # each of them fails a test
            assert overflowing(measured) == [], (student, width, overflowing(measured))
            assert measured["page"][0] <= measured["page"][1], (student, width)
    # The case: the hint at the end of naive_sigmoid's message.
    page = open_page(browser, root / "feedback/naive_sigmoid/A2/A2.html", 846)
    message = page.locator("div.output_error pre").first
    assert message.inner_text().endswith("still overflows.")
    box = message.bounding_box()
    assert box["x"] + box["width"] <= 846
    assert box["height"] > 40  # on several lines
    page.close()


def test_graded_summary_names_each_test_by_its_description_with_points(
    a2_class, browser
):
    root = a2_class["root"]
    tests = source_tests(root, "A2")
    assert len(tests) == 17
    for student in ("naive_sigmoid", "blank", "perfect"):
        _, scores = gradebook_scores(root, "A2", student)
        expected = [
            f"{description} {scores[grade_id]:g} / {points:g}"
            for grade_id, description, points in tests
        ]
        page = open_page(browser, root / "feedback" / student / "A2" / "A2.html", 846)
        summary = page.locator("#toc li.test").all_inner_texts()
        links = page.locator("#toc li.test a").evaluate_all(
            "links => links.map(a => [a.textContent, a.getAttribute('href')])"
        )
        everything = page.locator("#toc li").count()
        comments = page.locator("#toc .comments a").all_inner_texts()
        page.close()
        assert summary == expected, student
        assert everything == len(tests)  # one line per test, nothing between
        if student == "blank":  # nbgrader's "No response." on each answer
            assert comments[:2] == ["sigmoid", "forget_gate"]
        else:
            assert comments == []
        assert links == [[d, f"#{grade_id}"] for grade_id, d, _ in tests]
        if student == "naive_sigmoid":  # the student, who lost 2 points
            assert summary[1] == (
                "Checks sigmoid is stable: no overflow or warning for large "
                "|z|, limits 0 and 1. 0 / 2"
            )


def test_graded_pages_keep_what_the_page_guarantees(a2_class, browser):
    root = a2_class["root"]
    hidden = secret_lines(
        REPO / "solutions/A2/A2.ipynb", REPO / "book/assignments/A2.ipynb"
    )
    for student in A2_STUDENTS + ["perfect"]:
        path = root / "feedback" / student / "A2" / "A2.html"
        text = path.read_text("utf-8")
        assert text.count(CSP_META) == 1
        assert "mathjax" not in text.lower()
        assert "Test cell" not in text
        assert text.count("<body") == 1  # nbgrader's template opened two
        assert leaks(hidden["hidden"], path) == [], student
        page = open_page(browser, path, 846)
        assert page.evaluate("document.scripts.length") == 0
        assert page.locator("math").count() > 10
        assert page.requested == [], student
        page.close()
