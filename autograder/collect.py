"""Collect submissions into nbgrader's ``submitted/<student>/<assignment>/``.

Two layouts are read:

- a folder with one sub-folder per student, ``<student>/<assignment>/*.ipynb``
  (what nbgrader's exchange and most hand-collected folders look like);
- an LMS download, a zip of ``<student>_<anything>.ipynb`` files, possibly in
  sub-folders of the zip (Canvas, Moodle and others name files this way).

Every notebook is read before it is copied. A submission that cannot be
graded as it is (not JSON, several candidates, no notebook) is not copied;
one that can be graded but looks wrong (a renamed file, no nbgrader metadata,
a copied test cell) is copied and flagged. Either way the student is recorded
with the reason, so that ``export`` lists them as needing attention.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from autograder.status import StatusBook

# Student ids become folder names in the course directory: keep them tame.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# Larger than any honest notebook of this course; a guard against zip bombs.
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


@dataclass
class Found:
    """The notebooks found for one student, before choosing one."""

    origin: str
    notebooks: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_notebook(data: bytes) -> tuple[bool, list[str]]:
    """Whether ``data`` can be graded, and what looks wrong in it."""
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except nbformat.reader.NotJSONError:
        return False, [
            "not a readable notebook: the file is not valid JSON (cut off, or "
            "edited outside Jupyter?); ask the student to re-submit it"
        ]
    except Exception as error:  # nbformat raises several kinds
        reason = str(error).splitlines()[0][:160] if str(error) else ""
        return False, [
            f"not a readable notebook ({type(error).__name__}: {reason}); "
            "ask the student to re-submit it"
        ]
    problems = []
    grade_ids = [
        cell.metadata["nbgrader"].get("grade_id")
        for cell in notebook.cells
        if "nbgrader" in cell.get("metadata", {})
    ]
    if not grade_ids:
        problems.append(
            "no nbgrader metadata in the notebook (cells copied into a new "
            "notebook?): answers cannot be matched to tests"
        )
    counts = Counter(grade_ids)
    for grade_id in sorted(g for g, n in counts.items() if g and n > 1):
        problems.append(f"graded cell {grade_id} appears {counts[grade_id]} times")
    return True, problems


def choose_notebook(
    assignment: str, notebooks: list[tuple[str, bytes]], renamed_is_normal: bool
) -> tuple[bytes | None, list[str]]:
    """Pick the notebook to grade among a student's ``(name, data)`` pairs."""
    expected = f"{assignment}.ipynb"
    names = [name for name, _ in notebooks]
    if not notebooks:
        return None, [f"no notebook submitted (expected {expected})"]
    by_name = dict(notebooks)
    if expected in by_name:
        others = [n for n in names if n != expected]
        note = [f"ignored other notebooks: {', '.join(others)}"] if others else []
        return by_name[expected], note
    if len(notebooks) == 1:
        name, data = notebooks[0]
        if renamed_is_normal:
            return data, []
        return data, [
            f"notebook named {name!r}, expected {expected!r}; collected as {expected}"
        ]
    return None, [
        f"several notebooks and none named {expected}: {', '.join(sorted(names))}; "
        "keep one and collect again"
    ]


def from_dir(source: Path, assignment: str) -> dict[str, Found]:
    """Read ``source/<student>/<assignment>/*.ipynb``."""
    if not source.is_dir():
        raise FileNotFoundError(f"{source} is not a folder")
    found: dict[str, Found] = {}
    for student_dir in sorted(source.iterdir()):
        if not student_dir.is_dir() or student_dir.name.startswith("."):
            continue
        entry = Found(origin=str((student_dir / assignment).resolve()))
        found[student_dir.name] = entry
        folder = student_dir / assignment
        if not folder.is_dir():
            entry.problems.append(f"no {assignment}/ folder in {student_dir.name}/")
            continue
        for path in sorted(folder.glob("*.ipynb")):
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                entry.problems.append(f"{path.name} is larger than 50 MB; skipped")
                continue
            entry.notebooks.append((path.name, path.read_bytes()))
    return found


def from_zip(source: Path, assignment: str) -> dict[str, Found]:
    """Read an LMS zip of ``<student>_<anything>.ipynb`` files."""
    found: dict[str, Found] = {}
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            member = PurePosixPath(info.filename)
            if info.is_dir() or "__MACOSX" in member.parts:
                continue
            if member.name.startswith(".") or member.suffix != ".ipynb":
                continue
            student, sep, _ = member.stem.partition("_")
            origin = f"{source.name}:{info.filename}"
            if not sep or not STUDENT_ID.match(student):
                entry = found.setdefault(member.stem, Found(origin=origin))
                entry.problems.append(
                    f"cannot tell the student from the file name {member.name!r} "
                    "(expected <student>_<anything>.ipynb)"
                )
                continue
            entry = found.setdefault(student, Found(origin=origin))
            if info.file_size > MAX_NOTEBOOK_BYTES:
                entry.problems.append(f"{member.name} is larger than 50 MB; skipped")
                continue
            entry.notebooks.append((member.name, archive.read(info)))
            if len(entry.notebooks) > 1:
                entry.origin = f"{source.name}:" + ", ".join(
                    n for n, _ in entry.notebooks
                )
    return found


def store(
    course_dir: Path,
    assignment: str,
    found: dict[str, Found],
    *,
    renamed_is_normal: bool,
) -> StatusBook:
    """Copy gradable notebooks into ``submitted/`` and record every student."""
    book = StatusBook(course_dir, assignment)
    for student, entry in found.items():
        status = book.get(student)
        status.origin = entry.origin
        status.graded = None
        status.grade_problems, status.feedback_problems = [], []
        problems = list(entry.problems)
        data = None
        if not STUDENT_ID.match(student):
            problems.append(f"{student!r} is not usable as a student id")
        else:
            # A new collection replaces the old one and what was made from it.
            for stage in ("submitted", "autograded", "feedback"):
                stale = course_dir / stage / student / assignment
                if stale.exists():
                    shutil.rmtree(stale)
            target = course_dir / "submitted" / student / assignment
            if entry.notebooks or not entry.problems:
                data, chosen = choose_notebook(
                    assignment, entry.notebooks, renamed_is_normal
                )
                problems += chosen
            if data is not None:
                gradable, notebook_problems = check_notebook(data)
                problems += notebook_problems
                if gradable:
                    target.mkdir(parents=True)
                    (target / f"{assignment}.ipynb").write_bytes(data)
                else:
                    data = None
        status.collected = data is not None
        status.collect_problems = problems
    book.save()
    return book


def summary_lines(book: StatusBook, students: Iterable[str]) -> list[str]:
    """One line per student: collected or not, and the reasons."""
    lines = []
    for student in sorted(students):
        status = book.students[student]
        state = "collected" if status.collected else "NOT collected"
        reason = f": {'; '.join(status.collect_problems)}" if status.problems else ""
        lines.append(f"{student}: {state}{reason}")
    return lines
