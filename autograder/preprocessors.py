"""nbconvert preprocessors the course adds to nbgrader's feedback step."""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


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
