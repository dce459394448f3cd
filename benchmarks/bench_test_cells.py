"""Time every visible test cell of the released assignment notebooks.

Each student notebook (``book/assignments/<A>.ipynb``, what ``release``
hands out) is filled with the master's solutions, as a student who solved
everything would submit it, and run top to bottom in a fresh kernel; the
script prints how long each graded test cell took (the kernel's own
execute-input to execute-reply interval), the slowest, and whether any test
cell reached the budget of 2 s that issue 5 sets for a visible test.

    python benchmarks/bench_test_cells.py [A1 A2 ...] [--repeats 3]

Without assignment ids it times every folder ``solutions/A*``. With several
repeats it reports the slowest run of each cell (the machine is shared).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
BUDGET = 2.0  # seconds per visible test cell
_SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _grading(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solved(assignment: str):
    """The released notebook with every solution cell filled from the master."""
    master = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", 4)
    answers = {
        _grading(cell)["grade_id"]: "\n".join(
            line for line in cell.source.split("\n") if not _SOLUTION_MARKER.match(line)
        )
        for cell in master.cells
        if _grading(cell).get("solution")
    }
    released = REPO / "book" / "assignments" / f"{assignment}.ipynb"
    notebook = nbformat.read(released, 4)
    for cell in notebook.cells:
        grade_id = _grading(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def _seconds(cell) -> float:
    timing = cell.metadata["execution"]
    start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", ""))
    end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", ""))
    return (end - start).total_seconds()


def time_cells(notebook) -> dict[str, float]:
    """Run notebook in a fresh kernel; seconds per graded test cell."""
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", record_timing=True
    )
    client.execute(cwd=str(REPO))
    times = {}
    for cell in notebook.cells:
        meta = _grading(cell)
        if meta.get("grade") and cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            if errors:
                raise SystemExit(f"{meta['grade_id']} failed: {errors[0].evalue}")
            times[meta["grade_id"]] = _seconds(cell)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    assignments = args.assignments or sorted(
        p.name for p in (REPO / "solutions").glob("A*") if p.is_dir()
    )
    slow = []
    for assignment in assignments:
        notebook = solved(assignment)
        runs = [time_cells(copy.deepcopy(notebook)) for _ in range(args.repeats)]
        worst = {name: max(run[name] for run in runs) for name in runs[0]}
        print(
            f"{assignment}: {len(worst)} visible test cells, slowest of "
            f"{args.repeats} run(s), budget {BUDGET:.1f} s each"
        )
        for name, seconds in worst.items():
            flag = "  OVER BUDGET" if seconds >= BUDGET else ""
            print(f"  {name:<40} {seconds * 1000:8.1f} ms{flag}")
            if seconds >= BUDGET:
                slow.append(f"{assignment}/{name}")
        name = max(worst, key=worst.get)
        print(
            f"  slowest: {name} {worst[name] * 1000:.1f} ms; all test cells "
            f"together {sum(worst.values()) * 1000:.1f} ms"
        )
    if slow:
        print("over budget:", ", ".join(slow))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
