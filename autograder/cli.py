"""``python -m autograder``: the instructor's command (see ``STEPS``).

Every command takes ``--course-dir DIR`` (default: the ``autograder/``
folder of the repository, whose generated contents git ignores) and
``--db-url URL`` (default: ``sqlite:///DIR/gradebook.db``; a PostgreSQL URL
such as ``postgresql+psycopg://user@host/db`` also works).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import collect as collecting
from autograder.course import (
    DEFAULT_COURSE_DIR,
    SOLUTIONS_DIR,
    Course,
    GradingInterrupted,
    StepFailed,
    StudentResult,
    quiet_nbgrader_warnings,
)
from autograder.export import (
    ATTENTION,
    LatePolicy,
    write_csv,
    write_feedback_bundle,
    write_platform_gradebook,
)
from autograder.platforms import PLATFORMS, platform, terminal_text
from autograder.report import write_report
from autograder.sandbox import SandboxUnavailable
from autograder.status import StatusBook

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
            terminal_text(f"[{bar}] {number}/{total} {verb} {result.student}: ")
            + f"{terminal_text(outcome)} "
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
    from autograder.testkit.kit import replace_helper_cell

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
            # A master in the new form: its helper cell becomes the student
            # kit (NumPy only); one in the old form is released as it is.
            student = nbformat.read(notebook, as_version=4)
            master = nbformat.read(SOLUTIONS_DIR / assignment / notebook.name, 4)
            if replace_helper_cell(student, assignment, master):
                nbformat.write(student, notebook)
            data = notebook.read_bytes()
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
            written.append(target)
    return written


def _guess_assignment(notebook: dict, solutions: Path) -> str | None:
    """The assignment whose master shares most graded cell ids with notebook."""
    from autograder.testkit.common import graded_cells

    ids = {cell["grade_id"] for cell in graded_cells(notebook)}
    best, shared = None, 0
    for folder in sorted(solutions.glob("A*")):
        master = folder / f"{folder.name}.ipynb"
        if master.is_file():
            theirs = {
                c["grade_id"] for c in graded_cells(json.loads(master.read_text()))
            }
            if len(ids & theirs) > shared:
                best, shared = folder.name, len(ids & theirs)
    return best


def validate_notebook(
    path: Path, assignment: str | None, solutions: Path = SOLUTIONS_DIR
) -> int:
    """The instructor's check before submitting: print the graded-cell
    problems (the check the student's check_before_submit() makes), then
    grade the notebook alone in a temporary course, through the grader's own
    pipeline, and print each test's score and message. 0 when nothing is
    wrong, 1 otherwise."""
    from autograder.testkit.common import graded_cells, structure_problems

    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FileNotFoundError(f"cannot read {path} as a notebook: {error}") from None
    if assignment is None:
        assignment = _guess_assignment(notebook, solutions)
        if assignment is None:
            raise ValueError(
                f"{path} holds no graded cell of any assignment in {solutions}"
            )
    master = solutions / assignment / f"{assignment}.ipynb"
    if not master.is_file():
        raise FileNotFoundError(f"no master notebook {master}")
    expected = graded_cells(json.loads(master.read_text(encoding="utf-8")))
    problems = structure_problems(notebook, expected)
    print(terminal_text(f"{path}: {assignment}'s notebook"))
    print("Graded cells:" if problems else "Graded cells: all in place.")
    for _, _, message in problems:
        print(terminal_text(f"  - {message}"))
    failed = bool(problems)
    with tempfile.TemporaryDirectory(prefix="lstm-validate-") as tmp:
        course = Course(Path(tmp) / "course", solutions_dir=solutions)
        course.release(assignment)
        folder = course.root / "submitted" / "validate" / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_bytes(path.read_bytes())
        (result,) = course.autograde(assignment, ["validate"])
        if not result.ok:
            print(terminal_text(f"Not graded: {result.reason}"))
            return 1
        graded = course.root / "autograded" / "validate" / assignment
        messages = _error_messages(graded / f"{assignment}.ipynb")
        with course.gradebook() as gb:
            submission = gb.find_submission(assignment, "validate")
            grades = [
                (grade.name, grade.score, grade.max_score)
                for nb in submission.notebooks
                for grade in nb.grades
                if grade.max_score
            ]
        order = {cell["grade_id"]: n for n, cell in enumerate(expected)}
        grades.sort(key=lambda g: order.get(g[0], len(order)))
        print(
            f"Tests (graded by the grader, hidden tests included): "
            f"{result.score:g} / {result.max_score:g}"
        )
        for name, score, top in grades:
            line = f"  {'ok  ' if score >= top else 'FAIL'} {name} {score:g}/{top:g}"
            if score < top:
                failed = True
                line += ": " + messages.get(name, "no message")
            print(terminal_text(line))
        if result.reason:
            print(terminal_text(f"Note: {result.reason}"))
    return 1 if failed else 0


def _error_messages(path: Path) -> dict[str, str]:
    """graded cell -> the first line of its error, from a graded notebook."""
    out = {}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if grade_id and output.get("output_type") == "error":
                text = f"{output.get('ename', '')}: {output.get('evalue', '')}"
                out[grade_id] = text.strip().splitlines()[0] if text.strip() else ""
    return out


STEPS = """\
The steps, in order (each reads what the one before wrote, in --course-dir):

  1. release A2                      the student notebook: release/A2/A2.ipynb
  2. collect A2 --from-zip Z --platform canvas
                                     submissions into submitted/<id>/A2/
  3. autograde A2 --jobs 2           grade new and changed submissions
  4. feedback A2 [--platform canvas --bundle feedback.zip]
                                     feedback/<id>/A2/A2.html (+ a zip to upload)
  5. export A2 --csv grades.csv [--platform canvas --gradebook export.csv]
                                     grades: ours, or the platform's own file
  6. report A2 --out report/ [--similarity]
                                     histogram, failing tests, similar code

Before a release, and for one file at a time:
  generate A2 --output book/assignments/A2.ipynb
                                     the student notebook, without touching the course
  validate FILE [--assignment A2]    a notebook's graded cells and tests, as graded

Run `python -m autograder STEP --help` for what a step reads and writes.
"""


def _positive(kind: type, least: float, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a number, not {text!r}"
            ) from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{what} must be at least {least}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
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
    common.add_argument(
        "--solutions-dir",
        type=Path,
        default=SOLUTIONS_DIR,
        help="the master notebooks, one folder per assignment (default: %(default)s)",
    )
    common.add_argument("assignment", help="assignment id, e.g. A2")
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Release, collect, autograde, return feedback, export grades.",
        epilog=STEPS,
        formatter_class=formatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="STEP")

    def step(name: str, summary: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            parents=[common],
            help=summary,
            description=text,
            formatter_class=formatter,
        )

    generate = step(
        "generate",
        "write the student notebook(s) without touching the course",
        "Reads solutions/<A>/; writes the student notebook to --output (run\n"
        "by `make student-notebooks`).\n\n"
        "example: python -m autograder generate A2 --output book/assignments/A2.ipynb",
    )
    generate.add_argument("--output", type=Path, required=True)
    validate = commands.add_parser(
        "validate",
        help="check one notebook as the grader would (cells, then every test)",
        description=(
            "The instructor's copy of the students' check before submitting:\n"
            "prints the graded cells that were deleted, copied or renamed (the\n"
            "check check_before_submit() makes and the grader makes when it\n"
            "collects), then grades FILE alone in a temporary course (the\n"
            "sandbox, hidden tests included) and prints each test's score and\n"
            "message. Exits 1 when something is wrong. Nothing in --course-dir\n"
            "is read or written.\n\n"
            "examples:\n"
            "  python -m autograder validate submissions/s123/A2.ipynb\n"
            "  python -m autograder validate A2-final.ipynb --assignment A2"
        ),
        formatter_class=formatter,
    )
    validate.add_argument("file", type=Path, help="the notebook to check")
    validate.add_argument(
        "--assignment",
        help="assignment id, e.g. A2 (default: the one whose graded cells it holds)",
    )
    validate.add_argument(
        "--solutions-dir",
        type=Path,
        default=SOLUTIONS_DIR,
        help="the master notebooks, one folder per assignment (default: %(default)s)",
    )
    step(
        "release",
        "generate release/<assignment>/",
        "Reads solutions/<A>/; writes source/<A>/, release/<A>/ and the\n"
        "gradebook's assignment.\n\nexample: python -m autograder release A2",
    )
    collect = step(
        "collect",
        "copy submissions into submitted/",
        "Reads a folder (<student>/<A>/*.ipynb or <student>/*.ipynb) or a\n"
        "platform's zip; writes submitted/<id>/<A>/<A>.ipynb and\n"
        "status/<A>.json (names, lateness, replaced attempts, why a\n"
        "student was not collected). Symlinks, special files and unsafe zip\n"
        "paths are refused; another assignment's notebook is refused.\n\n"
        "examples:\n"
        "  python -m autograder collect A2 --from-dir submissions/\n"
        "  python -m autograder collect A2 --from-zip submissions.zip "
        "--platform canvas\n"
        "  python -m autograder collect A2 --from-zip A2.zip --platform moodle\n"
        "  python -m autograder collect A2 --from-zip lms.zip \\\n"
        "      --pattern '(?P<student_id>\\d+)-(?P<attempt>\\d+)\\.ipynb$'",
    )
    source = collect.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from-dir", type=Path, help="a folder of submissions (or an extracted zip)"
    )
    source.add_argument("--from-zip", type=Path, help="a platform's download zip")
    collect.add_argument(
        "--platform",
        choices=PLATFORMS,
        help="how the platform names files (default: <student>_<anything>.ipynb "
        "in a zip, <student>/ folders in a folder)",
    )
    collect.add_argument(
        "--pattern",
        help="a regex with named groups student_id (required), name, late, "
        "attempt, timestamp, file, searched in each file's path",
    )
    autograde = step(
        "autograde",
        "grade new and changed submissions in the sandbox",
        "Reads submitted/<id>/<A>/ and status/<A>.json; writes autograded/,\n"
        "the gradebook and status/<A>.json. Students whose notebook has not\n"
        "changed since their grade are skipped (--force regrades them).\n"
        "Ctrl-C stops within seconds; the next run resumes.\n\n"
        "example: python -m autograder autograde A2 --jobs 2",
    )
    feedback = step(
        "feedback",
        "write feedback HTML without hidden tests",
        "Reads autograded/; writes feedback/<id>/<A>/<A>.html and, with\n"
        "--bundle, one zip named for the platform's bulk upload (Canvas:\n"
        "Re-upload submissions; Moodle: Upload multiple feedback files in a\n"
        "zip).\n\n"
        "example: python -m autograder feedback A2 --platform canvas "
        "--bundle feedback.zip",
    )
    feedback.add_argument("--platform", choices=PLATFORMS)
    feedback.add_argument(
        "--bundle", type=Path, help="zip of the pages to upload (needs --platform)"
    )
    for sub in (autograde, feedback):
        sub.add_argument(
            "--student", action="append", help="only this student (repeatable)"
        )
    autograde.add_argument(
        "--jobs",
        type=_positive(int, 1, "--jobs"),
        default=1,
        help="students graded at once (default 1)",
    )
    autograde.add_argument(
        "--timeout",
        type=_positive(int, 1, "--timeout"),
        help="wall-clock seconds per notebook (default: nbgrader_config.py)",
    )
    autograde.add_argument(
        "--memory-mib",
        type=_positive(int, 16, "--memory-mib"),
        help="memory cap per notebook in MiB (default: nbgrader_config.py)",
    )
    autograde.add_argument(
        "--force", action="store_true", help="regrade unchanged submissions too"
    )
    export = step(
        "export",
        "grades as CSV, or into the platform's gradebook file",
        "Reads the gradebook and status/<A>.json; writes --csv: our CSV of\n"
        "every student, or with --platform the platform's own file (--gradebook)\n"
        "with the assignment's column filled, matched on the platform's id,\n"
        "every other column unchanged, students without a grade left as they\n"
        "were (never 0).\n\n"
        "examples:\n"
        "  python -m autograder export A2 --csv grades.csv\n"
        "  python -m autograder export A2 --platform canvas --gradebook "
        "canvas_export.csv --csv canvas_import.csv\n"
        "  python -m autograder export A2 --platform moodle --gradebook "
        "worksheet.csv --csv worksheet_filled.csv --comment",
    )
    export.add_argument("--csv", type=Path, required=True, dest="csv_path")
    export.add_argument("--platform", choices=PLATFORMS)
    export.add_argument("--gradebook", type=Path, help="the platform's export")
    export.add_argument(
        "--column", help="the gradebook column to fill (default: by assignment name)"
    )
    export.add_argument(
        "--comment",
        action="store_true",
        help="also write a one-line feedback comment (Moodle)",
    )
    report = step(
        "report",
        "score histogram, per-test failure rates, similar code (HTML + CSV)",
        "Reads the gradebook, autograded/ and status/<A>.json;\n"
        "writes <out>/<A>_report.html, <A>_tests.csv, <A>_scores.csv and,\n"
        "with --similarity, <A>_similarity.csv.\n\n"
        "example: python -m autograder report A2 --out report/ --similarity",
    )
    report.add_argument("--out", type=Path, required=True, help="output folder")
    report.add_argument(
        "--similarity",
        action="store_true",
        help="pairs of near-identical code, and code close to lstm_ref's own",
    )
    for sub in (export, report):
        sub.add_argument(
            "--late-policy",
            choices=("none", "zero", "per-day"),
            default=None,
            help="what lateness costs (default: none, or what export recorded)",
        )
        sub.add_argument(
            "--penalty",
            type=_positive(float, 0, "--penalty"),
            default=0.0,
            help="points per day late (with --late-policy per-day)",
        )
        sub.add_argument("--due", help="the deadline, ISO 8601 (per-day)")
    return parser


def main(argv: list[str] | None = None) -> int:
    quiet_nbgrader_warnings()
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args, parser)
    except GradingInterrupted as stop:
        print(f"\n{stop}", file=sys.stderr)
        return 130
    except (StepFailed, FileNotFoundError, SandboxUnavailable, ValueError) as error:
        print(f"error: {terminal_text(str(error))}", file=sys.stderr)
        return 1


def _late_policy(args, course: Course) -> LatePolicy | None:
    if args.late_policy is None:
        return None
    if args.late_policy == "per-day":
        if not args.penalty or not args.due:
            raise ValueError("--late-policy per-day needs --penalty and --due")
        return LatePolicy("per-day", args.penalty, args.due)
    return LatePolicy(args.late_policy)


def _print_list(label: str, students: list[str], book=None) -> None:
    if not students:
        return
    names = []
    for student in students:
        name = book.students[student].name if book and student in book.students else ""
        names.append(student + (f" ({name})" if name else ""))
    print(terminal_text(f"{label} ({len(students)}): {', '.join(names)}"))


def _dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "validate":
        return validate_notebook(args.file, args.assignment, args.solutions_dir)
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
    course = Course(
        args.course_dir, args.db_url, sandbox=limits, solutions_dir=args.solutions_dir
    )
    course.check_assignment(assignment)
    if args.command == "release":
        release = course.release(assignment)
        print(f"released {assignment} to {release}")
        return 0
    if args.command == "collect":
        adapter = platform(args.platform, assignment, args.pattern)
        if args.from_dir is not None:
            found = collecting.from_dir(
                args.from_dir,
                assignment,
                None if args.platform is None and args.pattern is None else adapter,
            )
            renamed_is_normal = args.platform is not None or args.pattern is not None
        else:
            found = collecting.from_zip(args.from_zip, assignment, adapter)
            renamed_is_normal = adapter.renamed_is_normal
        known = {
            name: collecting.cell_ids(course.solutions_dir / name)
            for name in course.assignments()
        }
        book = collecting.store(
            course.root,
            assignment,
            found,
            renamed_is_normal=renamed_is_normal,
            assignments=known,
        )
        for line in collecting.summary_lines(book, found):
            print(line)
        ready = sum(book.students[s].collected for s in found)
        print(f"collected {ready} of {len(found)} submissions of {assignment}")
        if not found:
            where = args.from_dir or args.from_zip
            print(
                f"error: no submissions found in {where} (expected "
                f"{adapter.expected}; is --platform right?)",
                file=sys.stderr,
            )
        return 0 if ready else 1
    if args.command in ("autograde", "feedback") and args.student:
        course.check_students(assignment, args.student)
    if args.command == "autograde":
        if not course.submitted_students(assignment):
            raise StepFailed(
                f"nothing collected for {assignment} yet: run `python -m "
                f"autograder collect {assignment} --from-zip ZIP` (or --from-dir) "
                "first"
            )
        results = course.autograde(
            assignment,
            args.student,
            progress=_progress("graded"),
            jobs=args.jobs,
            force=args.force,
        )
        failed = [r.student for r in results if not r.ok]
        print(
            f"autograded {len(results) - len(failed)} of {len(results)}"
            + (f"; needs attention: {', '.join(failed)}" if failed else "")
        )
        if course.skipped:
            print(
                f"{len(course.skipped)} unchanged since their last grade, not "
                "regraded (--force regrades them)"
            )
        return 0
    if args.command == "feedback":
        if args.bundle is not None and args.platform is None:
            parser.error("--bundle needs --platform canvas or --platform moodle")
        results = course.feedback(
            assignment, args.student, progress=_progress("feedback for")
        )
        failed = [r.student for r in results if not r.ok]
        print(
            f"feedback in {course.root / 'feedback'} for "
            f"{len(results) - len(failed)} of {len(results)} students"
            + (f"; failed: {', '.join(failed)}" if failed else "")
        )
        if args.bundle is not None:
            adapter = platform(args.platform, assignment, None)
            included, skipped = write_feedback_bundle(
                course, assignment, adapter, args.bundle
            )
            print(f"wrote {args.bundle}: feedback of {len(included)} students")
            for student, why in sorted(skipped.items()):
                print(terminal_text(f"  left out {student}: {why}"))
        return 1 if failed else 0
    policy = _late_policy(args, course)
    if args.command == "export":
        if args.platform is not None:
            if args.gradebook is None:
                parser.error("--platform needs --gradebook (the platform's export)")
            adapter = platform(args.platform, assignment, None)
            done = write_platform_gradebook(
                course,
                assignment,
                adapter,
                args.gradebook,
                args.csv_path,
                column=args.column,
                comment=args.comment,
                policy=policy,
            )
            book = StatusBook(course.root, assignment)
            print(
                f"wrote {args.csv_path}: {len(done.filled)} grades in column "
                f"{done.column!r}"
            )
            _print_list("no submission", done.no_submission)
            _print_list("submitted but no grade (left empty)", done.not_graded, book)
            _print_list("graded but not in the gradebook file", done.unknown, book)
            for note in done.notes:
                print(f"note: {note}")
            return 0
        rows = write_csv(course, assignment, args.csv_path, policy)
        attention = [r["student_id"] for r in rows if r["status"] == ATTENTION]
        print(
            terminal_text(
                f"wrote {len(rows)} students to {args.csv_path}"
                + (f"; needs attention: {', '.join(attention)}" if attention else "")
            )
        )
        return 0
    if args.command == "report":
        paths = write_report(
            course, assignment, args.out, policy=policy, similarity=args.similarity
        )
        print("wrote " + ", ".join(str(p) for p in paths))
        return 0
    raise AssertionError(args.command)  # argparse allows no other command


if __name__ == "__main__":
    raise SystemExit(main())
