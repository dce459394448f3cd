"""nbconvert preprocessors the course adds to nbgrader's feedback step."""

from __future__ import annotations

import html
import os
import re
import secrets
from pathlib import Path

import latex2mathml.converter
import nbformat
import nbgrader
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearSolutions,
    NbGraderPreprocessor,
)
from traitlets.config import Config

REDACTED = "[hidden test line]"
# Shorter hidden lines (a bracket, ``else:``) say nothing about the tests.
MIN_SECRET_LENGTH = 8


def hidden_test_lines(
    nb: NotebookNode, clear: ClearHiddenTests | None = None
) -> list[str]:
    """The lines of ``nb``'s hidden tests that appear nowhere else in it.

    The hidden blocks are marked as ``clear`` (nbgrader's ClearHiddenTests,
    default settings if None) finds them.

    Stripped of surrounding whitespace, longest first; lines that also occur
    outside a hidden block (``np.testing.assert_allclose(`` in a visible
    test, say) are not secrets, and neither are very short ones.
    """
    clear = clear or ClearHiddenTests()
    hidden: set[str] = set()
    visible: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.splitlines():
            if clear.begin_test_delimeter in line:
                inside = True
            elif clear.end_test_delimeter in line:
                inside = False
            else:
                (hidden if inside else visible).add(line.strip())
    secrets = {
        line
        for line in hidden - visible
        if len(line) >= MIN_SECRET_LENGTH and any(c.isalnum() for c in line)
    }
    return sorted(secrets, key=len, reverse=True)


class RedactHiddenTestLines(NbGraderPreprocessor):
    """Replace any hidden-test line quoted in an output with a placeholder.

    Runs before nbgrader's ClearHiddenTests, while the autograded notebook
    still marks its hidden tests. Test cells never enter the sandbox, so
    student code cannot find their source to print it; this catches any
    hidden-test line that still gets into an output verbatim, in every
    cell's text, HTML, error message and traceback, before the page is
    written for the student.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        # The delimiters the feedback's own ClearHiddenTests is configured with.
        secrets = hidden_test_lines(nb, ClearHiddenTests(config=self.config))
        if not secrets:
            return nb, resources
        pairs = [(line, REDACTED) for line in secrets]
        pairs += [
            (html.escape(line), REDACTED)
            for line in secrets
            if html.escape(line) != line
        ]

        def redact(text: str) -> str:
            for secret, placeholder in pairs:
                if secret in text:
                    text = text.replace(secret, placeholder)
            return text

        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for output in cell.get("outputs", []):
                if "text" in output:
                    output.text = redact(output.text)
                if output.output_type == "error":
                    output.evalue = redact(output.evalue)
                    output.traceback = [redact(line) for line in output.traceback]
                for mime, value in output.get("data", {}).items():
                    if isinstance(value, str):
                        output.data[mime] = redact(value)
        return nb, resources


# What a feedback page may show of an output: text and pictures that cannot
# run code. HTML, SVG, JavaScript, Markdown and LaTeX a student's code
# displayed are dropped (their text/plain form, if any, is kept).
SAFE_MIME_TYPES = ("text/plain", "image/png", "image/jpeg")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")
MAX_OUTPUT_CHARS = 64 << 10


def _cut_text(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    return text[:MAX_OUTPUT_CHARS] + f"\n[output cut at {MAX_OUTPUT_CHARS >> 10} KiB]\n"


class SanitiseOutputs(NbGraderPreprocessor):
    """Make every output of the autograded notebook safe to show a student.

    Student output is untrusted: only text and PNG/JPEG pictures are kept,
    each bounded in size (nbconvert escapes text into the page). A test
    cell's outputs are the judge's own: what the test printed and its
    verdict's message. What student code printed while a test called it is
    never among them (the sandbox keeps it in the cell's metadata for the
    instructor), so a hidden test's inputs cannot be echoed to the student.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type != "code":
            return cell, resources
        test = utils.is_grade(cell) and not utils.is_solution(cell)
        kept = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if test and kind not in ("stream", "error"):
                continue  # a test cell's outputs are the judge's text only
            if kind == "stream":
                output.text = _cut_text(str(output.get("text", "")))
            elif kind == "error":
                output.ename = str(output.get("ename", "Error"))[:100]
                output.evalue = _cut_text(str(output.get("evalue", "")))
                output.traceback = [
                    _cut_text(str(line)) for line in output.get("traceback", [])[-20:]
                ]
            elif kind in ("display_data", "execute_result"):
                data = {
                    mime: value
                    for mime, value in output.get("data", {}).items()
                    if mime in SAFE_MIME_TYPES
                    and isinstance(value, str)
                    and (mime == "text/plain" or _BASE64.match(value))
                }
                if not data:
                    continue
                if "text/plain" in data:
                    data["text/plain"] = _cut_text(data["text/plain"])
                output.data = data
                output.metadata = {}
            else:
                continue
            kept.append(output)
        cell.outputs = kept
        return cell, resources


class HideTestTracebacks(NbGraderPreprocessor):
    """Reduce a failed test cell's traceback to its last line.

    An IPython traceback quotes the source lines around the failing
    statement, and in a test cell that statement is often a hidden test.
    The student keeps the message (``AssertionError: your forget gate's
    output is outside (0, 1): ...``), which is what the tests are written
    to say; the instructor's autograded notebook keeps the full traceback.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


# Formulas in the feedback page: nbgrader's feedback template loads MathJax 2
# from a CDN, so offline the student would read raw TeX. Instead the formulas
# of markdown cells are converted to MathML, which browsers render natively:
# the page needs no script and nothing from the network. Markdown would
# mangle MathML (underscores, asterisks), so the preprocessor below swaps each
# formula for an alphanumeric placeholder carrying its TeX, and
# ``finish_feedback_page`` turns the placeholders into MathML in the HTML.
_MATH = re.compile(
    r"(?<!\\)\$\$(?P<d1>.+?)(?<!\\)\$\$"  # $$ display $$
    r"|\\\[(?P<d2>.+?)\\\]"  # \[ display \]
    r"|\\\((?P<i2>.+?)\\\)"  # \( inline \)
    r"|(?<![\\$])\$(?P<i1>[^$\n]+?)(?<!\\)\$(?!\$)",  # $ inline $
    re.DOTALL,
)
# A token of this process in every placeholder, so that text a student's
# code printed cannot pass for one (it would be turned into MathML, or break
# the page with a placeholder that is not hexadecimal).
_TOKEN = secrets.token_hex(8)
_PLACEHOLDER = re.compile(rf"MATH{_TOKEN}(BLOCK|INLINE)([0-9a-f]+)MATHEND")
_MATHJAX_BLOCK = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL
)
_MATHJAX_SCRIPT = re.compile(r'<script[^>]*src="[^"]*mathjax[^"]*"[^>]*>\s*</script>')


def _placeholder(match: re.Match) -> str:
    display = match.group("d1") or match.group("d2")
    tex = display if display is not None else match.group("i1") or match.group("i2")
    kind = "BLOCK" if display is not None else "INLINE"
    return f"MATH{_TOKEN}{kind}{tex.strip().encode().hex()}MATHEND"


class MathPlaceholders(NbGraderPreprocessor):
    """Replace every formula of a markdown cell by a placeholder (see above)."""

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type == "markdown":
            cell.source = _MATH.sub(_placeholder, cell.source)
        return cell, resources


# latex2mathml reads ``array`` but not ``aligned``: an aligned block becomes
# an array whose columns alternate right and left, as ``aligned`` sets them.
_ALIGNED = re.compile(r"\\begin\{(aligned|align\*?)\}(.*?)\\end\{\1\}", re.DOTALL)


def _aligned_as_array(match: re.Match) -> str:
    body = match.group(2)
    columns = max(row.count("&") for row in body.split("\\\\")) + 1
    spec = ("rl" * columns)[:columns]
    return f"\\begin{{array}}{{{spec}}}{body}\\end{{array}}"


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for ``tex``; the TeX itself in a ``<code>`` if it cannot be read."""
    tex = _ALIGNED.sub(_aligned_as_array, tex)
    try:
        mathml = latex2mathml.converter.convert(
            tex, display="block" if display else "inline"
        )
    except Exception:  # noqa: BLE001 (any TeX the converter rejects)
        return f"<code>{html.escape(tex)}</code>"
    mathml = mathml.replace("\\_", "_")  # an escaped underscore in \text{}
    # MathML Core (Chromium) ignores columnalign; CSS does the same job.
    return re.sub(
        r'<mtd columnalign="(left|right|center)"',
        r'<mtd columnalign="\1" style="text-align: \1"',
        mathml,
    )


def finish_feedback_page(page: str) -> str:
    """The feedback HTML with its formulas in MathML and no MathJax to load."""

    def mathml(match: re.Match) -> str:
        try:
            tex = bytes.fromhex(match.group(2)).decode()
        except ValueError:
            return html.escape(match.group(0))
        return tex_to_mathml(tex, display=match.group(1) == "BLOCK")

    page = _MATHJAX_BLOCK.sub("", page)
    page = _MATHJAX_SCRIPT.sub("", page)
    page = _PLACEHOLDER.sub(mathml, page)
    # No script runs on the page, whatever got into it: it needs none.
    return page.replace("<head>", "<head>\n" + CSP_META, 1)


CSP_META = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "style-src 'unsafe-inline'; img-src data:; font-src data:\">"
)


# --- The page's template -------------------------------------------------
# nbgrader's feedback template, with the course's changes: the summary names
# each test by what it checks and shows its points, messages and outputs
# wrap to the width of the page (a phone's too), and MathJax is not loaded.
# See autograder/templates/course_feedback/course_feedback.html.j2.
TEMPLATES = Path(__file__).resolve().parent / "templates"
NBGRADER_TEMPLATES = (
    Path(nbgrader.__file__).resolve().parent / "server_extensions/formgrader/templates"
)
MAX_DESCRIPTION = 200


def configure_feedback_template(config: Config) -> None:
    """Make nbgrader's GenerateFeedback write its pages with our template."""
    config.HTMLExporter.template_name = "course_feedback"
    config.HTMLExporter.template_file = "course_feedback.html.j2"
    # Ours first; nbgrader's folder holds the "feedback" template ours extends.
    config.HTMLExporter.extra_template_basedirs = [
        str(TEMPLATES),
        str(NBGRADER_TEMPLATES),
    ]


def describe_test(source: str, config: Config | None = None) -> str | None:
    """What a test cell checks: its first comment line, without the ``#``.

    Lines inside a hidden-test or solution region are never taken (nor the
    region markers themselves), so the description is text the student's
    copy of the cell shows. None if the cell has no such comment.
    """
    hidden = ClearHiddenTests(config=config)
    solution = ClearSolutions(config=config)
    begins = (hidden.begin_test_delimeter, solution.begin_solution_delimeter)
    ends = (hidden.end_test_delimeter, solution.end_solution_delimeter)
    inside = False
    for line in source.splitlines():
        if any(marker in line for marker in begins):
            inside = True
        elif any(marker in line for marker in ends):
            inside = False
        elif not inside and line.strip().startswith("#"):
            text = line.strip().lstrip("#").strip()
            if text:
                if len(text) > MAX_DESCRIPTION:
                    text = text[: MAX_DESCRIPTION - 1].rstrip() + "\u2026"
                return text
    return None


class DescribeTests(NbGraderPreprocessor):
    """Name each test cell for the page's summary by what it checks.

    The descriptions are the first comment lines of the test cells of the
    assignment's source notebook (``source/<assignment>/<notebook>.ipynb``,
    where the judge takes the tests from), not of the submission, whose
    test cells a student may have edited. They go to
    ``resources["nbgrader"]["descriptions"]`` (grade_id -> text); a test
    without one is named by its grade_id in the template.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources.setdefault("nbgrader", {})
        info["descriptions"] = self.descriptions(
            info.get("assignment", ""), info.get("notebook", "")
        )
        return nb, resources

    def descriptions(self, assignment: str, notebook: str) -> dict[str, str]:
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", assignment)
        path = os.path.join(folder, f"{notebook}.ipynb")
        try:
            source = nbformat.read(path, as_version=4)
        except (OSError, ValueError):  # no source copy: grade_ids it is
            self.log.warning("no source notebook %s to name the tests", path)
            return {}
        found = {}
        for cell in source.cells:
            if cell.cell_type == "code" and utils.is_grade(cell):
                grade_id = cell.metadata["nbgrader"].get("grade_id")
                text = describe_test(cell.source, self.config)
                if grade_id and text:
                    found[grade_id] = text
        return found
