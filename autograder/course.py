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

import atexit
import json
import logging
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import nbformat
import nbgrader.api
import nbgrader.nbgraderformat.common as nbgrader_format_common
import sqlalchemy
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    ClearHiddenTests,
    GetGrades,
    LimitOutput,
)
from traitlets.config import Config, PyFileConfigLoader

from autograder.preprocessors import (
    DescribeTests,
    HideTestTracebacks,
    MathPlaceholders,
    RedactHiddenTestLines,
    SanitiseOutputs,
    configure_feedback_template,
    finish_feedback_page,
)
from autograder.sandbox import (
    SandboxExecute,
    SaveVerdicts,
    check_sandbox,
    limits_not_enforced,
)
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


_ENGINES: dict[str, sqlalchemy.Engine] = {}


def _patient_engine(url: object, **kwargs: object) -> sqlalchemy.Engine:
    """nbgrader's ``create_engine``, with two changes.

    - One engine per database for the whole process: nbgrader opens a new
      ``Gradebook`` (hence engine) several times per notebook, and each new
      engine compiles its ~100 queries afresh (most of nbgrader's own time
      per notebook when we profiled it). ``Gradebook.close`` disposes the
      engine's pooled connections, never the engine.
    - SQLite in write-ahead-log mode (readers and the writer do not block each
      other), and writers wait for the lock (up to 10 minutes) instead of
      failing after 5 s ("database is locked"), for parallel workers.
    """
    key = str(url)
    if key not in _ENGINES:
        if key.startswith("sqlite"):
            kwargs.setdefault("connect_args", {"timeout": 600})
        engine = sqlalchemy.create_engine(url, **kwargs)
        if key.startswith("sqlite"):
            sqlalchemy.event.listen(engine, "connect", _sqlite_wal)
        _ENGINES[key] = engine
    return _ENGINES[key]


def _sqlite_wal(connection: object, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs at checkpoints instead of at every commit
    # (nbgrader commits once per graded cell): a crash of the grader loses
    # nothing; a power cut may lose the last grades, never the database's
    # consistency (SQLite's documentation), and a rerun regrades them.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


nbgrader.api.create_engine = _patient_engine


class _CachedSchemaValidation:
    """``jsonschema`` as nbgrader's cell-metadata check uses it, minus the
    re-validation of the schema itself on every cell (a third of nbgrader's
    per-notebook overhead when we measured it)."""

    def __init__(self) -> None:
        self._validators: dict[int, object] = {}

    def validate(self, instance: object, schema: dict) -> None:
        validator = self._validators.get(id(schema))
        if validator is None:
            jsonschema.validators.validator_for(schema).check_schema(schema)
            validator = jsonschema.validators.validator_for(schema)(schema)
            self._validators[id(schema)] = validator
        validator.validate(instance)

    def __getattr__(self, name: str) -> object:
        return getattr(jsonschema, name)


nbgrader_format_common.jsonschema = _CachedSchemaValidation()


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


def load_config(course_dir: Path, db_url: str | None = None) -> Config:
    """nbgrader_config.py, plus what only the course command sets."""
    config = PyFileConfigLoader(
        "nbgrader_config.py", path=str(PACKAGE_DIR)
    ).load_config()
    config.CourseDirectory.root = str(course_dir)
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    elif "db_url" not in config.CourseDirectory:
        config.CourseDirectory.db_url = f"sqlite:///{course_dir / 'gradebook.db'}"
    # nbgrader's list with SandboxExecute for Execute and SaveVerdicts for
    # SaveAutoGrades; the metadata check already ran in the sanitize phase.
    config.Autograde.autograde_preprocessors = [
        SandboxExecute,
        LimitOutput,
        SaveVerdicts,
        AssignLatePenalties,
    ]
    config.GenerateFeedback.preprocessors = [
        SanitiseOutputs,
        RedactHiddenTestLines,
        ClearHiddenTests,
        MathPlaceholders,
        HideTestTracebacks,
        GetGrades,
        DescribeTests,
        CSSHTMLHeaderPreprocessor,
    ]
    configure_feedback_template(config)
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

    def __init__(
        self,
        course_dir: Path | str = DEFAULT_COURSE_DIR,
        db_url: str | None = None,
        *,
        sandbox: dict[str, int] | None = None,
        solutions_dir: Path | str = SOLUTIONS_DIR,
    ) -> None:
        _put_alembic_on_path()
        self.root = Path(course_dir).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.config = load_config(self.root, db_url)
        # Limits of SandboxExecute (timeout, cell_timeout, memory_mib, ...).
        self.sandbox = dict(sandbox or {})
        for name, value in self.sandbox.items():
            self.config.SandboxExecute[name] = value
        self.solutions_dir = Path(solutions_dir)
        self.log = logging.getLogger(f"autograder.nbgrader.{id(self)}")
        self.log.propagate = False
        self.log.setLevel(logging.WARNING)

    # -- plumbing ---------------------------------------------------------
    @property
    def db_url(self) -> str:
        """The gradebook: a SQLite file in the course directory by default."""
        return self.config.CourseDirectory.db_url

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
        master = self.solutions_dir / assignment
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

    def has_gradebook(self) -> bool:
        if self.db_url.startswith("sqlite:///"):
            return Path(self.db_url.removeprefix("sqlite:///")).exists()
        return True

    def is_released(self, assignment: str) -> bool:
        if not self.has_gradebook():
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
        jobs: int = 1,
        force: bool = False,
    ) -> list[StudentResult]:
        """Grade new and changed submissions (``jobs`` at a time).

        A student whose collected notebook is the one their current grade is
        for is skipped unless ``force``; ``self.skipped`` lists them. Ctrl-C
        (KeyboardInterrupt) stops the run: queued students are cancelled,
        running sandboxes killed, half-graded students forgotten in both the
        gradebook and the status book, and ``GradingInterrupted`` says how
        many were graded.
        """
        status_book = StatusBook(self.root, assignment)
        chosen = self.submitted_students(assignment) if students is None else students
        chosen = sorted(set(chosen))
        todo, self.skipped = _needs_grading(status_book, chosen, force)
        results: list[StudentResult] = []
        if not todo:
            return results
        check_sandbox()
        _say_limits_not_enforced()
        if not self.is_released(assignment):
            self.release(assignment)
        self.check_memory_cap()

        def record(result: StudentResult) -> None:
            status = status_book.get(result.student)
            status.graded = result.ok
            status.graded_digest = status.digest
            status.grade_problems = [result.reason] if result.reason else []
            status_book.save()
            results.append(result)
            if progress:
                progress(len(results), len(todo), result)

        try:
            if jobs <= 1 or len(todo) <= 1:
                for student in todo:
                    record(self._autograde_one(assignment, student))
            else:
                self._autograde_parallel(assignment, todo, jobs, record)
        except KeyboardInterrupt:
            done = {r.student for r in results}
            stopped = [s for s in todo if s not in done]
            for student in stopped:
                self._forget_partial_grade(assignment, student, status_book)
            status_book.save()
            raise GradingInterrupted(len(results), len(todo), stopped) from None
        return results

    def _autograde_parallel(
        self,
        assignment: str,
        todo: list[str],
        jobs: int,
        record: Callable[[StudentResult], None],
    ) -> None:
        # Each worker is a fresh process (spawn: no inherited database
        # connections) that grades one student per task; a student is
        # submitted to the pool once, so never graded by two workers.
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_start_worker,
            initargs=(str(self.root), self.db_url, self.sandbox, self.solutions_dir),
        )
        futures = {
            pool.submit(_grade_in_worker, assignment, student): student
            for student in todo
        }
        recorded: set[str] = set()
        try:
            for future in as_completed(futures):
                record(_worker_result(future, futures[future]))
                recorded.add(futures[future])
        except KeyboardInterrupt:
            # No future.cancel(): the pool marks the queued ones broken once
            # its workers are gone (cancelling races with that in 3.11).
            _stop_workers(pool)
            pool.shutdown(wait=True)
            # Results that arrived before the workers stopped still count.
            for future, student in futures.items():
                if student in recorded or not future.done() or future.cancelled():
                    continue
                if future.exception() is None:
                    record(future.result())
            raise
        pool.shutdown(wait=True)

    def _forget_partial_grade(
        self, assignment: str, student: str, status_book: StatusBook
    ) -> None:
        """An interrupted student: no half-written grade anywhere."""
        for stage in ("autograded", "feedback"):
            folder = self.root / stage / student / assignment
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
        with self.gradebook() as gb, suppress(MissingEntry):
            gb.remove_submission(assignment, student)
        status = status_book.get(student)
        status.graded, status.graded_digest = None, ""
        status.grade_problems = []

    def check_memory_cap(self) -> None:
        """Refuse a memory cap under which the sandbox's Python cannot start."""
        mib = SandboxExecute(config=self.config).memory_mib
        code = "import numpy, IPython, nbformat"
        limit = mib << 20

        def cap() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        started = subprocess.run(
            [sys.executable, "-I", "-c", code],
            preexec_fn=cap,  # noqa: PLW1509 (the CLI's process, no threads yet)
            capture_output=True,
            check=False,
        )
        if started.returncode == 0:
            return
        peak = subprocess.run(
            [
                sys.executable,
                "-I",
                "-c",
                code + "\nprint(open('/proc/self/status')"
                ".read().split('VmPeak:')[1].split()[0])",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        needs = ""
        if peak.returncode == 0 and peak.stdout.strip().isdigit():
            needs = f" (it needs about {int(peak.stdout) // 1024 + 1} MiB)"
        raise StepFailed(
            f"--memory-mib {mib} is too small to start Python with NumPy and "
            f"IPython in the sandbox{needs}: nothing was graded and earlier "
            "grades are kept; give a larger --memory-mib (default 2048)"
        )

    def assignments(self) -> list[str]:
        """The assignments the course has: folders of master notebooks."""
        if not self.solutions_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.solutions_dir.iterdir()
            if p.is_dir() and any(p.glob("*.ipynb"))
        )

    def check_assignment(self, assignment: str) -> None:
        known = self.assignments()
        if assignment not in known:
            raise StepFailed(
                f"no assignment {assignment!r}: the known assignments are "
                f"{', '.join(known) or 'none'} (folders of master notebooks in "
                f"{self.solutions_dir})"
            )

    def known_students(self, assignment: str) -> set[str]:
        """Students collect has recorded for ``assignment``."""
        book = StatusBook(self.root, assignment)
        return set(book.students) | set(self.submitted_students(assignment))

    def check_students(self, assignment: str, students: Iterable[str]) -> None:
        known = self.known_students(assignment)
        unknown = sorted(set(students) - known)
        if unknown:
            shown = ", ".join(sorted(known)[:20]) + (" ..." if len(known) > 20 else "")
            raise StepFailed(
                f"no student {', '.join(map(repr, unknown))} in {assignment}'s "
                f"collected submissions (known: {shown or 'none; run collect first'}"
                "); check the spelling"
            )

    def _autograde_one(self, assignment: str, student: str) -> StudentResult:
        start = time.perf_counter()
        if not (self.root / "submitted" / student / assignment).is_dir():
            return StudentResult(student, False, 0.0, reason="nothing collected")
        blocking = self.submission_problems(assignment, student)
        if blocking:
            # Grading it would give a wrong grade or none: the instructor
            # decides (e.g. asks for a clean copy).
            reason = "not graded: " + "; ".join(blocking)
            return StudentResult(
                student, False, time.perf_counter() - start, reason=reason
            )
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
        problems = self.notebook_problems(assignment, student)
        return StudentResult(student, True, seconds, *scored, "; ".join(problems))

    def submission_problems(self, assignment: str, student: str) -> list[str]:
        """What is wrong with the submitted files themselves: the graded cells
        the student's check_before_submit() also reports (one function,
        testkit.common.structure_problems); stripped metadata and copied cells
        block grading, deleted cells nbgrader puts back."""
        from autograder.testkit.common import graded_cells, structure_problems

        expected = []
        for path in sorted((self.root / "source" / assignment).glob("*.ipynb")):
            expected += graded_cells(json.loads(path.read_text(encoding="utf-8")))
        problems = []
        folder = self.root / "submitted" / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            try:
                notebook = nbformat.read(path, as_version=4)
            except Exception:  # nbgrader reported it already
                continue
            found = structure_problems(notebook, expected)
            if any(kind == "stripped" for kind, _, _ in found):
                problems.append(
                    f"{path.name}: its nbgrader metadata was stripped (no cell "
                    "says which answer or test it is), so answers cannot be "
                    "matched to tests: the student should copy the answers into "
                    "a fresh copy of the assignment notebook"
                )
                continue
            pasted = sorted(g for kind, g, _ in found if kind == "duplicated")
            if pasted:
                problems.append(
                    f"{path.name}: the cells {', '.join(map(repr, pasted))} appear "
                    "more than once (copy-pasted), so it is unclear which one to "
                    "grade: the student should delete the copies"
                )
        return problems

    def notebook_problems(self, assignment: str, student: str) -> list[str]:
        """What the sandbox reported about a graded submission (timeouts, ...)."""
        problems = []
        folder = self.root / "autograded" / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            found = notebook.metadata.get("autograder", {}).get("problems", [])
            problems += [f"{path.name}: {problem}" for problem in found]
        return problems

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
                pages = self.root / "feedback" / student / assignment
                for page in pages.glob("*.html"):
                    text = finish_feedback_page(page.read_text("utf-8"))
                    page.write_text(text, "utf-8")
            except Exception as error:  # one student's page, never the others'
                detail = str(error).splitlines()[0] if str(error) else ""
                if not isinstance(error, StepFailed):
                    detail = f"{type(error).__name__}: {detail}"
                reason = f"feedback failed: {detail}"
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


class GradingInterrupted(Exception):
    """Ctrl-C stopped ``autograde``; the next run grades the rest."""

    def __init__(self, graded: int, total: int, stopped: list[str]) -> None:
        super().__init__(
            f"interrupted: graded {graded} of {total}; {len(stopped)} not graded "
            "(cancelled or stopped, nothing half-written kept); the next "
            "autograde grades them"
        )
        self.graded, self.total, self.stopped = graded, total, stopped


def quiet_nbgrader_warnings() -> None:
    """nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings that
    say nothing to an instructor (in the CLI and in every grading worker)."""
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*autoflush.*")
    warnings.filterwarnings("ignore", category=sqlalchemy.exc.SAWarning)


def _needs_grading(
    status_book: StatusBook, students: list[str], force: bool
) -> tuple[list[str], list[str]]:
    """Students to grade: new or changed since their grade (all if ``force``)."""
    todo, skipped = [], []
    for student in students:
        status = status_book.students.get(student)
        current = (
            status is not None
            and status.graded is not None
            and status.digest != ""
            and status.graded_digest == status.digest
        )
        (skipped if current and not force else todo).append(student)
    return todo, skipped


def _worker_result(future, student: str) -> StudentResult:
    try:
        return future.result()
    except Exception as error:  # a worker died: that student only
        return StudentResult(
            student,
            False,
            0.0,
            reason=f"grading worker failed: {type(error).__name__}: {error}",
        )


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """SIGTERM every worker (each kills its sandbox), SIGKILL the stubborn."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with suppress(ProcessLookupError, AttributeError, TypeError):
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(5)


_LIMITS_SAID: list[str] = []


def _say_limits_not_enforced() -> None:
    """Say once per run which limits this machine cannot enforce (never drop
    one silently); each graded notebook's metadata keeps the same list."""
    if _LIMITS_SAID:
        return
    _LIMITS_SAID.append("said")
    for limit in limits_not_enforced():
        print(f"warning: not enforced on this machine: {limit}", file=sys.stderr)


_WORKER_COURSE: Course | None = None
_WORKER_BUSY = False


def _kill_children() -> None:
    """SIGKILL the process group of each child (the sandboxes: each runs in
    its own session, so its group is its pid)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat_line.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(me):
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(int(entry.name), signal.SIGKILL)
            with suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)


def _stop_worker(_signum: int, _frame: object) -> None:
    # Kill the running sandbox (and the spare one) first, so that nothing the
    # student wrote runs on; then unwind through the sandbox's own clean-up
    # (its cgroup) and leave. The parent forgets the half-graded student in
    # the gradebook and the status book.
    _kill_children()
    # A connection closed half-way while unwinding is expected now: say
    # nothing of it (the parent reports the run), rather than a traceback.
    sys.unraisablehook = lambda _unraisable: None
    threading.Timer(3.0, os._exit, (130,)).start()  # should the unwinding stall
    if _WORKER_BUSY:
        raise KeyboardInterrupt
    _leave()


def _leave() -> None:
    with suppress(Exception):
        atexit._run_exitfuncs()  # the spare sandbox and its cgroup
    os._exit(130)


def _start_worker(
    root: str, db_url: str, sandbox: dict[str, int], solutions_dir: Path
) -> None:
    global _WORKER_COURSE  # noqa: PLW0603 (one Course per worker process)
    # Ctrl-C reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    quiet_nbgrader_warnings()
    _WORKER_COURSE = Course(root, db_url, sandbox=sandbox, solutions_dir=solutions_dir)


def _grade_in_worker(assignment: str, student: str) -> StudentResult:
    global _WORKER_BUSY  # noqa: PLW0603
    assert _WORKER_COURSE is not None
    _WORKER_BUSY = True
    try:
        return _WORKER_COURSE._autograde_one(assignment, student)
    except KeyboardInterrupt:
        _leave()
        raise  # not reached: _leave exits
    finally:
        _WORKER_BUSY = False
