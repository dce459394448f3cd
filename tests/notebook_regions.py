"""Helpers for the assignment tests: what in a master must never reach students.

Not a test module: ``test_assignments.py`` and ``test_autograder.py`` import it.
"""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_MARKERS = {
    "### BEGIN SOLUTION": "solution",
    "### BEGIN HIDDEN TESTS": "hidden",
}
_ENDS = ("### END SOLUTION", "### END HIDDEN TESTS")
# Lines shorter than this ("return h_t", ")") say nothing on their own.
MIN_LENGTH = 12


def nbgrader_meta(cell: dict) -> dict:
    """A cell's nbgrader metadata ({} for an ordinary cell)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def cell_sources(path: Path) -> list[str]:
    notebook = json.loads(Path(path).read_text())
    return [cell_source(c) for c in notebook["cells"]]


def normalised_notebook(path: Path) -> dict:
    """What a reader and nbgrader see: cell types, sources and metadata."""
    notebook = json.loads(Path(path).read_text())
    return {
        "metadata": notebook["metadata"],
        "cells": [
            {
                "cell_type": cell["cell_type"],
                "source": cell_source(cell),
                "metadata": cell.get("metadata", {}),
            }
            for cell in notebook["cells"]
        ],
    }


def cell_by_grade_id(notebook: dict, grade_id: str) -> dict:
    """The one cell of ``notebook`` whose nbgrader grade_id is ``grade_id``."""
    (cell,) = [
        c for c in notebook["cells"] if nbgrader_meta(c).get("grade_id") == grade_id
    ]
    return cell


def secret_lines(master: Path, student: Path) -> dict[str, list[str]]:
    """Solution and hidden-test lines of ``master`` that no student notebook has.

    A line counts only if it is long enough to be specific and does not also
    occur in ``student`` or in any other released student notebook
    (``np.testing.assert_allclose(`` appears in visible tests too, the
    pre-activation's formula in the instructions, and a quick check's
    ``assert lstm_ref.questions.check_answer(`` is visible from A3 on).
    """
    released = sorted((REPO / "book" / "assignments").glob("*.ipynb"))
    visible = "\n".join(
        "\n".join(cell_sources(path)) for path in [Path(student), *released]
    )
    found: dict[str, list[str]] = {"solution": [], "hidden": []}
    for source in cell_sources(master):
        region = None
        for line in source.split("\n"):
            stripped = line.strip()
            if stripped in _MARKERS:
                region = _MARKERS[stripped]
            elif stripped in _ENDS:
                region = None
            elif region and len(stripped) >= MIN_LENGTH and stripped not in visible:
                found[region].append(stripped)
    return found


def readable_text(path: Path) -> str:
    """A file's text as a reader sees it (HTML tags and entities undone)."""
    text = Path(path).read_text(errors="replace")
    if path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def leaks(lines: list[str], path: Path) -> list[str]:
    text = readable_text(path)
    return [line for line in lines if line in text]


# --- Grading a fixture class (shared by the assignments' end-to-end tests) ----

FIXTURES = REPO / "tests" / "fixtures" / "submissions"


def run_autograder(*args: object, course: Path, env: dict | None = None) -> str:
    """``python -m autograder ARGS --course-dir COURSE``; fails on a non-zero exit."""
    completed = subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args), "--course-dir", course],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def grade_fixture_class(assignment: str, root: Path, env: dict | None = None) -> dict:
    """Collect, autograde, feedback and export the assignment's fixture class.

    Returns each step's output under its name, the seconds each took, the
    course ``root`` and the CSV's rows by student.
    """
    out: dict = {"root": root, "seconds": {}}
    for step in [
        ("collect", assignment, "--from-dir", FIXTURES / assignment),
        ("autograde", assignment),
        ("feedback", assignment),
        ("export", assignment, "--csv", root / "grades.csv"),
    ]:
        start = time.perf_counter()
        out[step[0]] = run_autograder(*step, course=root, env=env)
        out["seconds"][step[0]] = time.perf_counter() - start
    with (root / "grades.csv").open() as handle:
        out["rows"] = {row["student_id"]: row for row in csv.DictReader(handle)}
    return out


def gradebook_scores(
    root: Path, assignment: str, student: str
) -> tuple[float, dict[str, float]]:
    """Total score and per-cell scores, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        # nbgrader 0.9.6's queries trigger SQLAlchemy autoflush warnings.
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "lstm-course") as gb:
            submission = gb.find_submission(assignment, student)
            cells = {
                grade.name: grade.score
                for notebook in submission.notebooks
                for grade in notebook.grades
            }
            return submission.score, cells


def lost_tests(root: Path, assignment: str, student: str) -> set[str]:
    """The graded cells on which ``student`` scored less than ``perfect``."""
    full = gradebook_scores(root, assignment, "perfect")[1]
    cells = gradebook_scores(root, assignment, student)[1]
    return {name for name, score in cells.items() if score < full[name]}


def feedback_text(root: Path, assignment: str, student: str) -> str:
    """What ``student`` reads on their feedback page of ``assignment``."""
    return readable_text(root / f"feedback/{student}/{assignment}/{assignment}.html")


def stale_fixtures(assignment: str) -> dict[str, str]:
    """Fixture submissions of ``assignment`` that differ from the script's.

    ``tests/fixtures/submissions/make_submissions.py`` defines
    ``<a>_fixtures()`` (student -> (file name, text)); the result maps each
    student whose committed file is missing, renamed or different to why.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_submissions", FIXTURES / "make_submissions.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = getattr(module, f"{assignment.lower()}_fixtures")()
    pattern = f"{assignment}/*/{assignment}/*.ipynb"
    on_disk = {p.parent.parent.name: p for p in FIXTURES.glob(pattern)}
    stale = {s: "not written by the script" for s in set(on_disk) - set(expected)}
    for student, (name, text) in expected.items():
        path = on_disk.get(student)
        if path is None or path.name != name:
            stale[student] = f"missing or not named {name}"
        elif path.read_text() != text:
            stale[student] = "differs from what the script writes"
    return stale
