"""What every assignment's notebooks must be, checked for A1 to A4 alike.

The master (``solutions/<A>/<A>.ipynb``) is committed without outputs, with
stable snake_case grade ids and points on every locked test cell; the student
notebook (``book/assignments/<A>.ipynb``) is exactly what nbgrader generates
from it and holds no solution or hidden-test line. Each assignment's own test
file checks what is particular to it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from notebook_regions import REPO, leaks, secret_lines
from notebook_regions import cell_source as _source
from notebook_regions import nbgrader_meta as _nbgrader
from notebook_regions import normalised_notebook as _normalised

# Assignment -> (at least this many solution lines, hidden-test lines) that
# no released notebook has: a floor that says the regions are really there.
# (A2's and A4's hidden tests call the judge-side modules
# autograder/testkit/a2.py and a4.py, so their hidden regions are short.)
SECRET_FLOORS = {"A1": (20, 30), "A2": (20, 50), "A3": (30, 60), "A4": (60, 40)}
ASSIGNMENTS = sorted(SECRET_FLOORS)


def _master(assignment: str):
    return REPO / "solutions" / assignment / f"{assignment}.ipynb"


def _student(assignment: str):
    return REPO / "book" / "assignments" / f"{assignment}.ipynb"


def test_every_assignment_folder_is_checked():
    found = sorted(p.name for p in (REPO / "solutions").glob("A*") if p.is_dir())
    assert found == ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_student_notebook_is_what_nbgrader_generates(assignment, tmp_path):
    output = tmp_path / f"{assignment}.ipynb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "generate",
            assignment,
            "--output",
            output,
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    assert _normalised(output) == _normalised(_student(assignment)), (
        f"book/assignments/{assignment}.ipynb is not what "
        f"solutions/{assignment}/{assignment}.ipynb generates: run "
        "`make student-notebooks` and commit the result (never edit it by hand)"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_holds_no_solution_and_no_hidden_test(assignment):
    student = _student(assignment)
    text = student.read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN", "END HIDDEN"]:
        assert marker not in text
    secrets = secret_lines(_master(assignment), student)
    least_solution, least_hidden = SECRET_FLOORS[assignment]
    assert len(secrets["solution"]) > least_solution
    assert len(secrets["hidden"]) > least_hidden
    assert leaks(secrets["solution"] + secrets["hidden"], student) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_master_is_committed_without_outputs(assignment):
    master = json.loads(_master(assignment).read_text())
    for cell in master["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_cells_have_stable_snake_case_ids_and_points(assignment):
    master = json.loads(_master(assignment).read_text())
    ids = [_nbgrader(c)["grade_id"] for c in master["cells"] if _nbgrader(c)]
    assert len(ids) == len(set(ids))
    for grade_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", grade_id), grade_id
    for cell in master["cells"]:
        meta = _nbgrader(cell)
        if meta.get("grade"):
            assert meta["points"] > 0, meta["grade_id"]
            assert meta["locked"], meta["grade_id"]
        if meta.get("solution"):
            assert "### BEGIN SOLUTION" in _source(cell), meta["grade_id"]
