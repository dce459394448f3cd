"""``python -m autograder``: the instructor's command.

    python -m autograder release A2
    python -m autograder collect A2 --from-dir SUBMISSIONS   # <student>/A2/*.ipynb
    python -m autograder collect A2 --from-zip LMS.zip       # <student>_*.ipynb
    python -m autograder autograde A2 [--jobs 2]
    python -m autograder report A2 --out report/        # HTML + CSV
    python -m autograder feedback A2
    python -m autograder export A2 --csv grades.csv
    python -m autograder generate A2 --output book/assignments/A2.ipynb

Every command takes ``--course-dir DIR`` (default: the ``autograder/``
folder of the repository, whose generated contents git ignores) and
``--db-url URL`` (default: ``sqlite:///DIR/gradebook.db``; a PostgreSQL URL
such as ``postgresql+psycopg://user@host/db`` also works).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

from autograder import collect as collecting
from autograder.course import DEFAULT_COURSE_DIR, Course, StepFailed, StudentResult
from autograder.export import ATTENTION, write_csv
from autograder.report import write_report
from autograder.sandbox import SandboxUnavailable

BAR_WIDTH = 20


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def _progress(verb: str):
    """A progress line per student: bar, count, outcome, elapsed and ETA."""
    start = time.monotonic()

    def report(number: int, total: int, result: StudentResult) -> None:
        if not result.ok:
            outcome = f"NEEDS ATTENTION: {result.reason}"
        elif result.score is not None:
            outcome = f"{result.score:g}/{result.max_score:g}"
            if result.reason:
                outcome += f" (needs attention: {result.reason})"
        else:
            outcome = "done"
        elapsed = time.monotonic() - start
        eta = elapsed / number * (total - number)
        filled = round(BAR_WIDTH * number / total)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        print(
            f"[{bar}] {number}/{total} {verb} {result.student}: {outcome} "
            f"({result.seconds:.1f} s; elapsed {_duration(elapsed)}, "
            f"ETA {_duration(eta)})",
            flush=True,
        )

    return report


def generate_student_notebooks(assignment: str, output: Path) -> list[Path]:
    """Generate the student version in a throw-away course; copy it out.

    ``output`` is a notebook path when the assignment has one notebook, a
    folder otherwise. Files are rewritten only when their content changes.
    """
    written = []
    with tempfile.TemporaryDirectory(prefix="lstm-generate-") as tmp:
        release = Course(tmp).release(assignment)
        notebooks = sorted(release.glob("*.ipynb"))
        for notebook in notebooks:
            if output.suffix == ".ipynb" and len(notebooks) == 1:
                target = output
            else:
                target = output / notebook.name
            target.parent.mkdir(parents=True, exist_ok=True)
            data = notebook.read_bytes()
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings that
    # say nothing to an instructor.
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*autoflush.*")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--course-dir",
        type=Path,
        default=DEFAULT_COURSE_DIR,
        help="nbgrader course directory (default: %(default)s)",
    )
    common.add_argument(
        "--db-url",
        help="gradebook database URL (default: sqlite:///<course-dir>/gradebook.db)",
    )
    common.add_argument("assignment", help="assignment id, e.g. A2")
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Release, collect, autograde, return feedback, export grades.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser(
        "generate",
        parents=[common],
        help="write the student notebook(s) without touching the course",
    )
    generate.add_argument("--output", type=Path, required=True)
    commands.add_parser(
        "release", parents=[common], help="generate release/<assignment>/"
    )
    collect = commands.add_parser(
        "collect", parents=[common], help="copy submissions into submitted/"
    )
    source = collect.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-dir", type=Path, help="<student>/<assignment>/*.ipynb")
    source.add_argument("--from-zip", type=Path, help="LMS zip of <student>_*.ipynb")
    subs = {}
    for name, text in [
        ("autograde", "grade every collected submission in the sandbox"),
        ("feedback", "write feedback HTML without hidden tests"),
    ]:
        subs[name] = commands.add_parser(name, parents=[common], help=text)
        subs[name].add_argument(
            "--student", action="append", help="only this student (repeatable)"
        )
    subs["autograde"].add_argument(
        "--jobs", type=int, default=1, help="students graded at once (default 1)"
    )
    subs["autograde"].add_argument(
        "--timeout",
        type=int,
        help="wall-clock seconds per notebook (default: nbgrader_config.py)",
    )
    subs["autograde"].add_argument(
        "--memory-mib",
        type=int,
        help="memory cap per notebook in MiB (default: nbgrader_config.py)",
    )
    export = commands.add_parser("export", parents=[common], help="grades as CSV")
    export.add_argument("--csv", type=Path, required=True, dest="csv_path")
    report = commands.add_parser(
        "report",
        parents=[common],
        help="score histogram and per-test failure rates (HTML + CSV)",
    )
    report.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)

    try:
        return _dispatch(args)
    except (StepFailed, FileNotFoundError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    assignment = args.assignment
    if args.command == "generate":
        for path in generate_student_notebooks(assignment, args.output):
            print(f"wrote {path}")
        return 0
    limits = {
        name: value
        for name in ("timeout", "memory_mib")
        if (value := getattr(args, name, None)) is not None
    }
    course = Course(args.course_dir, args.db_url, sandbox=limits)
    if args.command == "release":
        release = course.release(assignment)
        print(f"released {assignment} to {release}")
        return 0
    if args.command == "collect":
        if args.from_dir is not None:
            found = collecting.from_dir(args.from_dir, assignment)
        else:
            found = collecting.from_zip(args.from_zip, assignment)
        book = collecting.store(
            course.root,
            assignment,
            found,
            renamed_is_normal=args.from_zip is not None,
        )
        for line in collecting.summary_lines(book, found):
            print(line)
        ready = sum(book.students[s].collected for s in found)
        print(f"collected {ready} of {len(found)} submissions of {assignment}")
        return 0
    if args.command == "autograde":
        results = course.autograde(
            assignment, args.student, progress=_progress("graded"), jobs=args.jobs
        )
        failed = [r.student for r in results if not r.ok]
        print(
            f"autograded {len(results) - len(failed)} of {len(results)}"
            + (f"; needs attention: {', '.join(failed)}" if failed else "")
        )
        return 0
    if args.command == "feedback":
        results = course.feedback(
            assignment, args.student, progress=_progress("feedback for")
        )
        print(f"feedback in {course.root / 'feedback'} for {len(results)} students")
        return 0
    if args.command == "export":
        rows = write_csv(course, assignment, args.csv_path)
        attention = [r["student_id"] for r in rows if r["status"] == ATTENTION]
        print(
            f"wrote {len(rows)} students to {args.csv_path}"
            + (f"; needs attention: {', '.join(attention)}" if attention else "")
        )
        return 0
    if args.command == "report":
        paths = write_report(course, assignment, args.out)
        print("wrote " + ", ".join(str(p) for p in paths))
        return 0
    raise AssertionError(args.command)  # argparse allows no other command


if __name__ == "__main__":
    raise SystemExit(main())
