"""Grading throughput: plain ``nbgrader autograde`` against ours, same class.

    python benchmarks/bench_autograde.py [--students 24] [--assignment A2]

Makes a synthetic class of one assignment from its fixture submissions
(``tests/fixtures/submissions/<A>/``): a third correct (``perfect``), a third
wrong (a realistic mistake), a third broken (the correct notebook with
``os._exit(1)`` in the middle). It grades the class three times, each in a
fresh course directory and timing only the autograde step:

1. plain nbgrader 0.9.6 (``nbgrader autograde``, serial, its own kernel);
2. ours, ``python -m autograder autograde --jobs 1``;
3. ours, ``--jobs 2``.

It prints notebooks per second, the speed-up over plain nbgrader, and the
per-notebook overhead excluding the student code's own time (the time the
sandbox measured around each cell, summed over the class): for a serial run
``(wall - code) / n``; for a parallel run ``(jobs * wall - code) / n``, the
overhead each worker pays per notebook. Issue 6's targets on 2 cores: ours at
2 jobs >= 3x plain nbgrader's throughput, overhead < 0.7 s per notebook.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "submissions"
WRONG = {"A1": "no_tanh_grad", "A2": "tanh_forget", "A3": "no_dc_carry"}
PLAIN_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "bench"
c.Execute.timeout = 60
"""


def _notebook(assignment: str, student: str) -> dict:
    path = FIXTURES / assignment / student / assignment / f"{assignment}.ipynb"
    return json.loads(path.read_text())


def _broken(notebook: dict) -> dict:
    """The notebook with os._exit(1) in its middle solution cell."""
    solutions = [
        cell
        for cell in notebook["cells"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution")
        and cell["cell_type"] == "code"
    ]
    cell = solutions[len(solutions) // 2]
    source = (
        cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    )
    cell["source"] = source + "\n\nimport os\n\nos._exit(1)\n"
    return notebook


def make_class(assignment: str, students: int, folder: Path) -> None:
    kinds = {
        "correct": _notebook(assignment, "perfect"),
        "wrong": _notebook(assignment, WRONG[assignment]),
        "broken": _broken(_notebook(assignment, "perfect")),
    }
    names = list(kinds)
    for number in range(students):
        kind = names[number % len(names)]
        target = folder / f"{kind}_{number:03d}" / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(kinds[kind]))


def _run(command: list[str], cwd: Path, *, may_fail: bool = False) -> float:
    # nbgrader runs the environment's `alembic` to create a gradebook.
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0 and not may_fail:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def plain_nbgrader(assignment: str, submissions: Path, course: Path) -> float:
    course.mkdir()
    (course / "nbgrader_config.py").write_text(PLAIN_CONFIG)
    shutil.copytree(REPO / "solutions" / assignment, course / "source" / assignment)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    _run([*nbgrader, "generate_assignment", assignment, "--force"], course)
    shutil.copytree(submissions, course / "submitted")
    # It exits non-zero because of the broken notebooks, having graded the rest.
    return _run([*nbgrader, "autograde", assignment, "--force"], course, may_fail=True)


def ours(assignment: str, submissions: Path, course: Path, jobs: int) -> float:
    grader = [sys.executable, "-m", "autograder"]
    where = ["--course-dir", str(course)]
    _run([*grader, "collect", assignment, "--from-dir", str(submissions), *where], REPO)
    _run([*grader, "release", assignment, *where], REPO)
    return _run([*grader, "autograde", assignment, "--jobs", str(jobs), *where], REPO)


def code_seconds(course: Path, assignment: str) -> float:
    total = 0.0
    for path in (course / "autograded").glob(f"*/{assignment}/*.ipynb"):
        metadata = json.loads(path.read_text())["metadata"].get("autograder", {})
        total += metadata.get("code_seconds", 0.0)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--assignment", default="A2", choices=sorted(WRONG))
    args = parser.parse_args()
    n = args.students
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        root = Path(tmp)
        make_class(args.assignment, n, root / "class")
        print(f"{args.assignment}: {n} notebooks (correct, wrong, broken in turn)")
        plain = plain_nbgrader(args.assignment, root / "class", root / "plain")
        runs = {
            jobs: ours(args.assignment, root / "class", root / f"ours{jobs}", jobs)
            for jobs in (1, 2)
        }
        code = code_seconds(root / "ours1", args.assignment)
        print(f"student code's own time: {code:.1f} s in all ({code / n:.3f} s each)")
        print(
            f"{'grader':<24}{'wall s':>8}{'nb/s':>8}{'vs plain':>10}"
            f"{'overhead s/nb':>15}"
        )
        print(
            f"{'plain nbgrader':<24}{plain:>8.1f}{n / plain:>8.2f}{1:>9.2f}x"
            f"{(plain - code) / n:>15.3f}"
        )
        for jobs, wall in runs.items():
            overhead = (jobs * wall - code) / n
            print(
                f"{f'ours, --jobs {jobs}':<24}{wall:>8.1f}{n / wall:>8.2f}"
                f"{plain / wall:>9.2f}x{overhead:>15.3f}"
            )


if __name__ == "__main__":
    main()
