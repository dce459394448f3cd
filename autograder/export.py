"""Grades as CSV: every student, graded or not, with what needs attention.

Columns: ``student_id``, ``status`` (``ok`` or ``needs attention``),
``reason``, ``score``, ``max_score``, then one column per graded cell
(``test_forget_gate``, ...) in notebook order. A student who could not be
graded has empty scores, never a silent 0.
"""

from __future__ import annotations

import csv
from contextlib import ExitStack, suppress
from pathlib import Path

from nbgrader.api import MissingEntry

from autograder.course import Course
from autograder.status import StatusBook

OK, ATTENTION = "ok", "needs attention"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def grade_rows(course: Course, assignment: str) -> list[dict[str, str]]:
    """One row per student known to the status book or the gradebook."""
    status_book = StatusBook(course.root, assignment)
    grade_ids = course.grade_ids(assignment) if course.is_released(assignment) else []
    rows = []
    with ExitStack() as stack:
        graded = {}
        if course.has_gradebook():
            gb = stack.enter_context(course.gradebook())
            with suppress(MissingEntry):
                graded = {
                    s.student.id: s for s in gb.assignment_submissions(assignment)
                }
        for student in sorted(set(status_book.students) | set(graded)):
            status = status_book.students.get(student)
            problems = list(status.problems) if status else []
            submission = graded.get(student)
            row = {"student_id": student, "score": "", "max_score": ""}
            if status is not None and not status.collected:
                submission = None  # an older grade must not pass for this one
            elif status is not None and status.graded is None:
                problems.append("collected but not autograded yet")
                submission = None
            elif status is not None and status.graded is False:
                submission = None
            if submission is not None:
                row["score"] = _number(submission.score)
                row["max_score"] = _number(submission.max_score)
                cells = {
                    grade.name: grade.score
                    for notebook in submission.notebooks
                    for grade in notebook.grades
                }
                for grade_id in grade_ids:
                    row[grade_id] = _number(cells.get(grade_id))
            elif not problems:
                problems.append("no grade")
            row["status"] = ATTENTION if problems else OK
            row["reason"] = "; ".join(problems)
            rows.append(row)
    return rows


def write_csv(course: Course, assignment: str, path: Path) -> list[dict[str, str]]:
    rows = grade_rows(course, assignment)
    grade_ids = course.grade_ids(assignment) if course.is_released(assignment) else []
    fields = ["student_id", "status", "reason", "score", "max_score", *grade_ids]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return rows
