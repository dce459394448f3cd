"""Grades out: our CSV, the platform's own gradebook file, feedback bundles.

``write_csv`` writes every student, graded or not, with what needs attention:
``student_id``, ``status`` (``ok`` or ``needs attention``), ``reason``,
``score``, ``max_score``, one column per graded cell (``test_forget_gate``,
...) in notebook order, then ``name`` (the platform's display name),
``late``, ``days_late``, ``penalty``, ``score_before_penalty`` and ``flags``.
A student who could not be graded has empty scores, never a silent 0. Text
cells are written with formula-leading characters neutralised (OWASP's CSV
injection guidance), so a name such as ``=HYPERLINK(...)`` stays text.

Flags (also in ``reason``, so the student needs attention):

- ``blank``: no answer cell differs from the released notebook;
- ``uses lstm_ref``: an answer cell names ``lstm_ref`` (the reference
  package), so the code may call the reference instead of computing;
- ``late``: the platform said so (and how a ``--late-policy`` treated it).

``write_platform_gradebook`` fills the assignment's column of a Canvas
gradebook export or Moodle grading worksheet (``platforms.py``);
``write_feedback_bundle`` zips the feedback pages under the names the
platform's bulk upload attaches to each student.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tokenize
import zipfile
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry

from autograder.course import Course
from autograder.platforms import Platform, csv_text
from autograder.status import StatusBook

OK, ATTENTION = "ok", "needs attention"
EXTRA_COLUMNS = [
    "name",
    "late",
    "days_late",
    "penalty",
    "score_before_penalty",
    "flags",
]
TEXT_COLUMNS = {"student_id", "status", "reason", "name", "flags"}


@dataclass
class LatePolicy:
    """What lateness costs: nothing (the default), everything, or per day."""

    kind: str = "none"  # none, zero, per-day
    per_day: float = 0.0  # points per day late (per-day)
    due: str = ""  # ISO 8601 deadline (per-day)

    def describe(self) -> str:
        if self.kind == "zero":
            return "late submissions score 0"
        if self.kind == "per-day":
            return f"{self.per_day:g} points per day late (due {self.due})"
        return "no late penalty"

    def path(self, course: Course, assignment: str) -> Path:
        return course.root / "status" / f"{assignment}.late-policy.json"

    def record(self, course: Course, assignment: str) -> None:
        """Keep the policy an export applied, for the report."""
        target = self.path(course, assignment)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.__dict__) + "\n")

    @classmethod
    def recorded(cls, course: Course, assignment: str) -> LatePolicy:
        target = cls().path(course, assignment)
        if target.exists():
            return cls(**json.loads(target.read_text()))
        return cls()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _answers(path: Path) -> dict[str, str]:
    """The answer (solution) cells of a notebook, by grade_id."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:  # collect reported unreadable notebooks already
        return {}
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
        and cell.metadata["nbgrader"].get("grade_id")
    }


def _names_reference(source: str) -> bool:
    """Whether code names lstm_ref (an import, an attribute, a string)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return "lstm_ref" in source
    return any(
        t.type in (tokenize.NAME, tokenize.STRING) and "lstm_ref" in t.string
        for t in tokens
    )


def submission_flags(course: Course, assignment: str, student: str) -> list[str]:
    """What in a collected notebook needs a look: blank, uses lstm_ref."""
    submitted = course.root / "submitted" / student / assignment
    released = course.root / "release" / assignment
    flags = []
    for path in sorted(submitted.glob("*.ipynb")):
        answers = _answers(path)
        start = _answers(released / path.name) if released.is_dir() else {}
        if start and answers and all(answers.get(k) == v for k, v in start.items()):
            flags.append(
                "blank: no answer cell was changed from the released notebook "
                "(the student may have submitted the wrong file)"
            )
        cells = sorted(
            k
            for k, v in answers.items()
            if _names_reference(v) and not _names_reference(start.get(k, ""))
        )
        if cells:
            flags.append(
                "uses lstm_ref: the answer cells "
                + ", ".join(cells)
                + " name the reference package; check that they compute the "
                "result themselves"
            )
    return flags


def _days_late(status, policy: LatePolicy) -> int | None:
    submitted = status.keys.get("timestamp", "")
    if not (submitted and policy.due):
        return None
    try:
        late_by = datetime.fromisoformat(submitted) - datetime.fromisoformat(policy.due)
    except (ValueError, TypeError):
        return None
    return max(0, math.ceil(late_by.total_seconds() / 86400))


def _apply_late_policy(row, status, policy: LatePolicy, problems) -> None:
    row["late"] = "yes" if status is not None and status.late else ""
    if not row["late"] or row["score"] == "" or policy.kind == "none":
        return
    score = float(row["score"])
    if policy.kind == "zero":
        penalty = score
    else:
        days = _days_late(status, policy)
        if days is None:
            problems.append(
                "late by an unknown number of days: no penalty applied (the "
                "file names carry no time; collect with a --pattern that has a "
                "timestamp group, and give --due)"
            )
            return
        row["days_late"] = str(days)
        penalty = min(score, policy.per_day * days)
    row["score_before_penalty"] = row["score"]
    row["penalty"] = _number(penalty)
    row["score"] = _number(score - penalty)


def grade_rows(
    course: Course, assignment: str, policy: LatePolicy | None = None
) -> list[dict[str, str]]:
    """One row per student known to the status book or the gradebook."""
    policy = policy or LatePolicy()
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
            row.update(dict.fromkeys(EXTRA_COLUMNS, ""))
            row["name"] = status.name if status else ""
            if status is not None and not status.collected:
                submission = None  # an older grade must not pass for this one
            elif status is not None and status.graded is None:
                problems.append("collected but not autograded yet")
                submission = None
            elif status is not None and status.graded is False:
                submission = None
            flags = []
            if status is None or status.collected:
                flags = submission_flags(course, assignment, student)
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
            _apply_late_policy(row, status, policy, problems)
            problems += flags
            short = [f.split(":")[0] for f in flags]
            if row["late"]:
                short.append("late")
            row["flags"] = ", ".join(short)
            row["status"] = ATTENTION if problems else OK
            row["reason"] = "; ".join(problems)
            rows.append(row)
    return rows


def _safe(row: dict[str, str]) -> dict[str, str]:
    return {k: csv_text(v) if k in TEXT_COLUMNS else v for k, v in row.items()}


def write_csv(
    course: Course,
    assignment: str,
    path: Path,
    policy: LatePolicy | None = None,
) -> list[dict[str, str]]:
    """Our CSV of every student (see the module docstring); return the rows."""
    rows = grade_rows(course, assignment, policy)
    grade_ids = course.grade_ids(assignment) if course.is_released(assignment) else []
    fields = [
        "student_id",
        "status",
        "reason",
        "score",
        "max_score",
        *grade_ids,
        *EXTRA_COLUMNS,
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(_safe(row) for row in rows)
    if policy is not None and policy.kind != "none":
        policy.record(course, assignment)
    return rows


def one_line_comment(row: dict[str, str], grade_ids: list[str]) -> str:
    """A feedback comment for a platform's comment column."""
    lost = [g for g in grade_ids if row.get(g) == "0"]
    text = f"Autograded: {row['score']}/{row['max_score']}"
    if row.get("penalty"):
        text += f" after a late penalty of {row['penalty']}"
    if lost:
        text += f"; tests failed: {', '.join(lost)}"
    return text + "; the feedback page has the details."


@dataclass
class GradebookExport:
    """What ``write_platform_gradebook`` did, for the summary."""

    column: str
    filled: list[str] = field(default_factory=list)
    no_submission: list[str] = field(default_factory=list)
    not_graded: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_platform_gradebook(
    course: Course,
    assignment: str,
    platform: Platform,
    gradebook: Path,
    out: Path,
    *,
    column: str | None = None,
    comment: bool = False,
    policy: LatePolicy | None = None,
) -> GradebookExport:
    """Fill ``gradebook`` (the platform's own export) into ``out``."""
    rows = grade_rows(course, assignment, policy)
    grade_ids = course.grade_ids(assignment) if course.is_released(assignment) else []
    entries = [{"student_id": r["student_id"], "grade": r["score"], **r} for r in rows]
    for entry in entries:
        entry["grade"] = entry["score"]
    comments = None
    if comment:
        comments = {
            r["student_id"]: one_line_comment(r, grade_ids)
            for r in rows
            if r["score"] != ""
        }
    # newline="": the file's own line endings reach the platform, which keeps
    # them on the way out (read_text would turn CRLF into LF).
    with gradebook.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    filled = platform.fill_gradebook(entries, text, assignment, column, comments)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(filled.text, encoding="utf-8", newline="")
    if policy is not None and policy.kind != "none":
        policy.record(course, assignment)
    known = {r["student_id"]: r for r in rows}
    result = GradebookExport(filled.column, filled.filled, notes=filled.notes)
    for student in filled.no_grade:
        row = known.get(student)
        (result.not_graded if row else result.no_submission).append(student)
    result.unknown = filled.unknown
    return result


def write_feedback_bundle(
    course: Course, assignment: str, platform: Platform, bundle: Path
) -> tuple[list[str], dict[str, str]]:
    """One zip of feedback pages named for the platform's bulk upload.

    Returns the students included, and why each other student with a
    feedback page was left out.
    """
    status_book = StatusBook(course.root, assignment)
    included, skipped = [], {}
    bundle.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in sorted((course.root / "feedback").glob(f"*/{assignment}")):
            student = folder.parent.name
            pages = sorted(folder.glob("*.html"))
            status = status_book.students.get(student)
            if not pages:
                continue
            if status is None or not status.collected:
                skipped[student] = "its submission is no longer collected"
                continue
            name = platform.feedback_name(student, status.keys, assignment)
            if name is None:
                skipped[student] = (
                    f"not collected from a {platform.name} download, so there "
                    f"is no {platform.name} file name to attach it to"
                )
                continue
            for number, page in enumerate(pages):
                target = name
                if number:  # several notebooks: one page each
                    target = re.sub(r"(\.html)$", f"-{page.stem}\\1", name)
                archive.write(page, target)
            included.append(student)
    return included, skipped
