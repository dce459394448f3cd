"""Grades recorded as autograde records them, without running the sandbox.

Not a test module: ``test_platforms.py`` and ``test_grader_outputs.py``
import it to grade a class whose scores are known, through nbgrader's
Gradebook API (as nbgrader's own tests do).
"""

from __future__ import annotations

import warnings

import nbformat

from autograder.course import Course
from autograder.status import StatusBook


def fake_grades(
    course: Course,
    scores: dict[str, dict[str, float]],
    assignment: str = "F1",
    messages: dict[str, str] | None = None,
) -> None:
    """Record per-cell ``scores`` for each student: gradebook, autograded
    copy with each test's verdict (``messages``: grade_id -> failure
    message), and the status book."""
    messages = messages or {}
    book = StatusBook(course.root, assignment)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy autoflush
        with course.gradebook() as gb:
            for student, cells in scores.items():
                gb.update_or_create_student(student)
                gb.add_submission(assignment, student)
                for grade_id, score in cells.items():
                    grade = gb.find_grade(grade_id, assignment, assignment, student)
                    grade.auto_score = score
                gb.db.commit()
    for student, cells in scores.items():
        status = book.get(student)
        status.graded, status.graded_digest = True, status.digest
        folder = course.root / "autograded" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        submitted = course.root / "submitted" / student / assignment
        notebook = nbformat.read(submitted / f"{assignment}.ipynb", as_version=4)
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and meta.get("grade_id") in cells:
                passed = cells[meta["grade_id"]] == meta.get("points")
                cell.metadata["autograder"] = {
                    "passed": passed,
                    "reason": "" if passed else messages.get(meta["grade_id"], "x"),
                }
        nbformat.write(notebook, folder / f"{assignment}.ipynb")
    book.save()
