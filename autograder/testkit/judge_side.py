"""What every assignment's judge-side module sets up (it may use lstm_ref).

``submission_plan`` reads, from an assignment's master notebook, what
``check_before_submit`` checks: the graded cells (with the names each answer
cell defines) and the visible part of every test cell. The student kit embeds
the same plan when it is generated (autograder/testkit/kit.py), so the check
at home and in the master are one.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from autograder.testkit.common import expect_submission, graded_cells, use_questions

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO / "solutions"


HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def visible_part(source: str) -> str:
    """A test cell's source without its hidden tests (what a student sees)."""
    lines, hidden = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            hidden = True
        elif line.strip() == HIDDEN_END:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines).rstrip()


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def defined_names(source: str) -> list[str]:
    """The top-level names an answer cell defines (functions, classes, and
    variables it assigns), in order; [] when it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found = [node.name]
        elif isinstance(node, ast.Assign):
            found = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found = [node.target.id]
        else:
            found = []
        names += [name for name in found if name not in names]
    return names


def stub_source(source: str) -> str:
    """An answer cell as the student receives it: each solution region
    replaced by ``raise NotImplementedError()`` (as nbgrader does)."""
    lines, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == "### BEGIN SOLUTION":
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(f"{indent}raise NotImplementedError()")
        elif marker == "### END SOLUTION":
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


def submission_plan(notebook: dict, assignment: str) -> dict:
    """What check_before_submit needs, from a master notebook's JSON dict:
    the assignment, its graded cells (answer cells with the names they
    define) and every test cell's visible source with its points."""
    cells = graded_cells(notebook)
    sources = {
        cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"): _text(
            cell.get("source", "")
        )
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "code"
    }
    tests = []
    for cell in cells:
        source = sources.get(cell["grade_id"], "")
        if cell["kind"] == "answer":
            # What the student's copy of the cell defines (not the helpers a
            # model solution may add).
            cell["defines"] = defined_names(stub_source(source))
        elif cell["kind"] == "test":
            tests.append(
                {
                    "grade_id": cell["grade_id"],
                    "points": cell["points"],
                    "source": visible_part(source),
                }
            )
    return {"assignment": assignment, "cells": cells, "tests": tests}


def master_plan(assignment: str, solutions: Path = SOLUTIONS) -> dict:
    """submission_plan of ``solutions/<assignment>/<assignment>.ipynb``."""
    path = solutions / assignment / f"{assignment}.ipynb"
    return submission_plan(json.loads(path.read_text(encoding="utf-8")), assignment)


def prepare(assignment: str) -> None:
    """Set up the judge's helpers of ``assignment`` (called by aN.py at import):
    quick checks against lstm_ref's key, and check_before_submit reading the
    master notebook (only when it is called: the judge never calls it)."""
    from lstm_ref import questions

    use_questions(questions)
    expect_submission(loader=lambda: master_plan(assignment))
