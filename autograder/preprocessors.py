"""nbconvert preprocessors the course adds to nbgrader's feedback step."""

from __future__ import annotations

import html

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
REDACTED = "[hidden test line]"
# Shorter hidden lines (a bracket, ``else:``) say nothing about the tests.
MIN_SECRET_LENGTH = 8


def hidden_test_lines(nb: NotebookNode) -> list[str]:
    """The lines of ``nb``'s hidden tests that appear nowhere else in it.

    Stripped of surrounding whitespace, longest first; lines that also occur
    outside a hidden block (``np.testing.assert_allclose(`` in a visible
    test, say) are not secrets, and neither are very short ones.
    """
    hidden: set[str] = set()
    visible: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.splitlines():
            if BEGIN_HIDDEN in line:
                inside = True
            elif END_HIDDEN in line:
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
    still marks its hidden tests. The runner already keeps test cells'
    source out of reach of the usual ways code prints its caller
    (``traceback.print_stack()``, ``inspect``); this catches what still gets
    into an output verbatim, in every cell's text, HTML, error message and
    traceback, before the page is written for the student.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        secrets = hidden_test_lines(nb)
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
