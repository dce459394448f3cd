"""The course directory and the nbgrader steps run in it.

The course directory (``autograder/`` in the repository unless the
instructor chooses another) holds what nbgrader generates: ``source/`` (a
copy of ``solutions/<assignment>/`` taken at release), ``release/``,
``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db``, plus our
``status/``. nbgrader's converters are run in-process, one student at a
time, so that one notebook that makes nbgrader fail (a copied graded cell
aborts a whole ``nbgrader autograde`` run) costs only that student's grade,
and the failure is recorded for them.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from traitlets.config import Config, PyFileConfigLoader

from autograder.kernel import grading_kernel
from autograder.preprocessors import HideTestTracebacks
from autograder.status import StatusBook

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
SOLUTIONS_DIR = REPO_DIR / "solutions"
DEFAULT_COURSE_DIR = PACKAGE_DIR


def _put_alembic_on_path() -> None:
    # nbgrader runs the `alembic` executable to create a gradebook; with the
    # venv's python called by path (.venv/bin/python) it is not on PATH.
    if shutil.which("alembic") is None:
        scripts = str(Path(sys.executable).parent)
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


class StepFailed(Exception):
    """An nbgrader step failed; the message says why, in one line."""


@dataclass
class StudentResult:
    student: str
    ok: bool
    seconds: float
    score: float | None = None
    max_score: float | None = None
    reason: str = ""


def load_config(course_dir: Path) -> Config:
    """nbgrader_config.py, plus what only the course command sets."""
    config = PyFileConfigLoader(
        "nbgrader_config.py", path=str(PACKAGE_DIR)
    ).load_config()
    config.CourseDirectory.root = str(course_dir)
    config.GenerateFeedback.preprocessors = [
        ClearHiddenTests,
        HideTestTracebacks,
        GetGrades,
        CSSHTMLHeaderPreprocessor,
    ]
    return config


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def reason(self) -> str:
        """The first error nbgrader logged that says something specific."""
        errors = [r.getMessage() for r in self.records if r.levelno >= logging.ERROR]
        generic = ("There was an error processing", "Please see the")
        specific = [e for e in errors if not e.startswith(generic)]
        lines = [line for e in specific for line in e.strip().splitlines() if line]
        return lines[-1] if lines else (errors[0] if errors else "")


class Course:
    """An nbgrader course directory driven one student at a time."""

    def __init__(self, course_dir: Path | str = DEFAULT_COURSE_DIR) -> None:
        _put_alembic_on_path()
        self.root = Path(course_dir).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.config = load_config(self.root)
        self.log = logging.getLogger(f"autograder.nbgrader.{id(self)}")
        self.log.propagate = False
        self.log.setLevel(logging.WARNING)

    # -- plumbing ---------------------------------------------------------
    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def _coursedir(self, assignment: str, student: str = "*") -> CourseDirectory:
        coursedir = CourseDirectory(config=self.config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        return coursedir

    def gradebook(self) -> Gradebook:
        return Gradebook(self.db_url, self.config.CourseDirectory.course_id)

    @contextmanager
    def _captured(self) -> Iterator[_Collector]:
        collector = _Collector()
        self.log.addHandler(collector)
        try:
            yield collector
        finally:
            self.log.removeHandler(collector)

    def _run(self, converter_class: type, assignment: str, student: str = "*") -> None:
        """Run one nbgrader converter; raise StepFailed with nbgrader's reason."""
        coursedir = self._coursedir(assignment, student)
        app = converter_class(coursedir=coursedir, config=self.config, log=self.log)
        app.force = True
        with self._captured() as collector:
            try:
                app.start()
            except Exception as error:
                reason = collector.reason() or f"{type(error).__name__}: {error}"
                raise StepFailed(reason) from error

    # -- release ----------------------------------------------------------
    def sync_source(self, assignment: str) -> Path:
        """Copy ``solutions/<assignment>/`` to ``source/<assignment>/``."""
        master = SOLUTIONS_DIR / assignment
        if not master.is_dir():
            raise StepFailed(f"no master notebooks in {master}")
        source = self.root / "source" / assignment
        if source.exists():
            shutil.rmtree(source)
        shutil.copytree(
            master, source, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
        return source

    def release(self, assignment: str) -> Path:
        """Generate the student version into ``release/<assignment>/``."""
        self.sync_source(assignment)
        self._run(GenerateAssignment, assignment, ".")
        return self.root / "release" / assignment

    def is_released(self, assignment: str) -> bool:
        if not (self.root / "gradebook.db").exists():
            return False
        with self.gradebook() as gb:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                return False
        return (self.root / "source" / assignment).is_dir()

    def grade_ids(self, assignment: str) -> list[str]:
        """The graded cells' ids, in notebook order (from the source copy)."""
        ids = []
        for path in sorted((self.root / "source" / assignment).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("grade"):
                    ids.append(meta["grade_id"])
        return ids

    # -- grading ----------------------------------------------------------
    def submitted_students(self, assignment: str) -> list[str]:
        submitted = self.root / "submitted"
        if not submitted.is_dir():
            return []
        return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())

    def score(self, assignment: str, student: str) -> tuple[float, float] | None:
        with self.gradebook() as gb:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                return None
            return submission.score, submission.max_score

    def autograde(
        self,
        assignment: str,
        students: Iterable[str] | None = None,
        progress: Callable[[int, int, StudentResult], None] | None = None,
    ) -> list[StudentResult]:
        """Grade each student in turn; record failures in the status book."""
        if not self.is_released(assignment):
            self.release(assignment)
        status_book = StatusBook(self.root, assignment)
        chosen = self.submitted_students(assignment) if students is None else students
        chosen = sorted(chosen)
        results = []
        with grading_kernel() as kernel_name:
            self.config.Execute.kernel_name = kernel_name
            for number, student in enumerate(chosen, start=1):
                result = self._autograde_one(assignment, student)
                status = status_book.get(student)
                status.graded = result.ok
                status.grade_problems = [] if result.ok else [result.reason]
                status_book.save()
                results.append(result)
                if progress:
                    progress(number, len(chosen), result)
        return results

    def _autograde_one(self, assignment: str, student: str) -> StudentResult:
        start = time.perf_counter()
        if not (self.root / "submitted" / student / assignment).is_dir():
            return StudentResult(student, False, 0.0, reason="nothing collected")
        try:
            self._run(Autograde, assignment, student)
        except StepFailed as error:
            seconds = time.perf_counter() - start
            reason = f"autograding failed: {error}"
            return StudentResult(student, False, seconds, reason=reason)
        seconds = time.perf_counter() - start
        scored = self.score(assignment, student)
        if scored is None:
            return StudentResult(student, False, seconds, reason="no score recorded")
        return StudentResult(student, True, seconds, *scored)

    def feedback(
        self,
        assignment: str,
        students: Iterable[str] | None = None,
        progress: Callable[[int, int, StudentResult], None] | None = None,
    ) -> list[StudentResult]:
        """Write ``feedback/<student>/<assignment>/*.html``, hidden tests removed."""
        autograded = self.root / "autograded"
        if students is None:
            students = [
                p.name for p in autograded.glob("*") if (p / assignment).is_dir()
            ]
        chosen = sorted(students)
        status_book = StatusBook(self.root, assignment)
        results = []
        for number, student in enumerate(chosen, start=1):
            start = time.perf_counter()
            status = status_book.get(student)
            try:
                self._run(GenerateFeedback, assignment, student)
            except StepFailed as error:
                reason = f"feedback failed: {error}"
                status.feedback_problems = [reason]
                result = StudentResult(
                    student, False, time.perf_counter() - start, reason=reason
                )
            else:
                status.feedback_problems = []
                result = StudentResult(student, True, time.perf_counter() - start)
            status_book.save()
            results.append(result)
            if progress:
                progress(number, len(chosen), result)
        return results
