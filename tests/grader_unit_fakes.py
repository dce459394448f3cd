"""Stand-ins for a Course and its gradebook, for the grader's unit tests.

Not a test module: ``test_export_units.py`` and ``test_report_units.py``
import it. ``FakeCourse`` has what export and report read of a Course (its
folder, the graded cells' ids, whether the assignment is released, a
gradebook of plain objects shaped as nbgrader's), so no nbgrader release or
database runs.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from nbgrader.api import MissingEntry

from autograder.status import StatusBook

A = "A1"
IDS = ["test_a", "test_b"]


def submission(student, score, max_score, cells):
    grades = [SimpleNamespace(name=k, score=v) for k, v in cells.items()]
    return SimpleNamespace(
        student=SimpleNamespace(id=student),
        score=score,
        max_score=max_score,
        notebooks=[SimpleNamespace(grades=grades)],
    )


class FakeGradebook:
    def __init__(self, submissions):
        self.submissions = submissions

    def assignment_submissions(self, assignment):
        if assignment != A:
            raise MissingEntry
        return self.submissions


class FakeCourse:
    """What export reads of a Course: root, grade ids, released, gradebook."""

    def __init__(self, root: Path, submissions=(), *, released=True, gradebook=True):
        self.root = root
        self.submissions = list(submissions)
        self.released = released
        self.has_db = gradebook

    def is_released(self, assignment):
        return self.released and assignment == A

    def grade_ids(self, assignment):
        return list(IDS) if assignment == A else []

    def submitted_students(self, assignment):
        submitted = self.root / "submitted"
        if not submitted.is_dir():
            return []
        return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())

    def has_gradebook(self):
        return self.has_db

    @contextmanager
    def gradebook(self):
        yield FakeGradebook(self.submissions)


def set_status(root: Path, **students) -> None:
    book = StatusBook(root, A)
    for student, fields in students.items():
        status = book.get(student)
        for key, value in fields.items():
            setattr(status, key, value)
    book.save()
