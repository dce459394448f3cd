"""The catalogue of realistic submissions (tests/fixtures/mistakes/<A>.yml).

Each entry is a submission of one assignment: the master's solutions with
some cells replaced. Its fair score was decided, test by test, before it was
graded, with a keyword its message must contain. ``grade_catalogue`` builds
the class, grades it through the instructor's command (collect, autograde)
and returns what each submission got; ``tests/test_mistakes.py`` asserts it.

Entry format (YAML, a list per assignment)::

    - name: forget_gate_swapped_concat     # a folder name: [a-z0-9_]
      kind: mistake                        # or "correct" (correct but unusual)
      why: concatenates [x_t, h_prev]      # what the student did, one line
      replace:                             # grade_id -> the cell's new source
        forget_gate: |
          def forget_gate(x_t, h_prev, W_f, b_f):
              ...
      fair:                                # graded cells not named: full marks
        test_forget_gate: 0
      keywords:                            # grade_id -> text its message holds
        test_forget_gate: "[x_t, h_prev]"

A replaced cell is matched by its nbgrader grade_id (a solution cell's
grade_id is its function's name; an answer cell's is ``answer_<question>``).

Run it as a script to print the fair / too harsh / too lenient counts:

    .venv/bin/python tests/mistake_catalogue.py [A1 A2 ...]
"""

from __future__ import annotations

import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
CATALOGUE = TESTS / "fixtures" / "mistakes"
sys.path.insert(0, str(TESTS))

from notebook_regions import gradebook_scores, run_autograder  # noqa: E402

_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
_NAME = re.compile(r"^[a-z0-9_]+$")


@dataclass
class Entry:
    assignment: str
    name: str
    kind: str
    why: str
    replace: dict[str, str]
    fair: dict[str, float]
    keywords: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    entry: Entry
    scores: dict[str, float]  # graded cell -> score it got
    full: dict[str, float]  # graded cell -> its points
    messages: dict[str, str]  # graded cell -> its error output (if it failed)

    def fair_score(self, cell: str) -> float:
        return float(self.entry.fair.get(cell, self.full[cell]))

    def verdict(self) -> str:
        """fair, too harsh or too lenient (over the whole submission)."""
        harsh = any(self.scores[c] < self.fair_score(c) for c in self.full)
        lenient = any(self.scores[c] > self.fair_score(c) for c in self.full)
        if harsh and not lenient:
            return "too harsh"
        if lenient and not harsh:
            return "too lenient"
        return "mixed" if harsh else "fair"

    def problems(self) -> list[str]:
        """Every way this outcome differs from the entry's fair score."""
        out = []
        for cell in sorted(self.full):
            got, fair = self.scores[cell], self.fair_score(cell)
            if got != fair:
                message = self.messages.get(cell, "").strip().splitlines()
                shown = message[-1][:300] if message else "(passed)"
                out.append(f"{cell}: got {got:g}, fair {fair:g}: {shown}")
        for cell, keyword in self.entry.keywords.items():
            if keyword.lower() not in self.messages.get(cell, "").lower():
                out.append(
                    f"{cell}: message lacks {keyword!r}: "
                    f"{self.messages.get(cell, '(passed)')[-300:]!r}"
                )
        return out


def load(assignment: str) -> list[Entry]:
    """The catalogue's entries of one assignment, checked for form."""
    path = CATALOGUE / f"{assignment}.yml"
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text("utf-8")) or []
    entries, seen = [], set()
    for item in raw:
        entry = Entry(
            assignment=assignment,
            name=item["name"],
            kind=item["kind"],
            why=item["why"],
            replace=dict(item.get("replace") or {}),
            fair={k: float(v) for k, v in (item.get("fair") or {}).items()},
            keywords=dict(item.get("keywords") or {}),
        )
        assert _NAME.match(entry.name), f"{path.name}: bad name {entry.name!r}"
        assert entry.name not in seen, f"{path.name}: {entry.name} twice"
        assert entry.kind in ("mistake", "correct"), f"{entry.name}: kind"
        assert entry.replace, f"{entry.name}: replaces nothing"
        if entry.kind == "correct":
            assert not entry.fair, f"{entry.name}: a correct entry loses nothing"
        seen.add(entry.name)
        entries.append(entry)
    return entries


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solved_notebook(assignment: str) -> dict:
    """The generated student notebook with the master's solutions pasted in."""
    master_path = REPO / f"solutions/{assignment}/{assignment}.ipynb"
    master = json.loads(master_path.read_text())
    student_path = REPO / f"book/assignments/{assignment}.ipynb"
    student = json.loads(student_path.read_text())
    solutions = {}
    for cell in master["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            lines = _source(cell).splitlines(keepends=True)
            solutions[meta["grade_id"]] = "".join(
                line for line in lines if not _MARKER.match(line)
            )
    for cell in student["cells"]:
        grade_id = _grade_id(cell)
        if grade_id in solutions:
            cell["source"] = solutions[grade_id]
    return student


def submission(entry: Entry, solved: dict) -> dict:
    """The entry's notebook: the solved notebook with its cells replaced."""
    notebook = copy.deepcopy(solved)
    cells = {_grade_id(cell): cell for cell in notebook["cells"]}
    for grade_id, source in entry.replace.items():
        assert grade_id in cells, f"{entry.name}: no cell {grade_id!r}"
        cells[grade_id]["source"] = source
    return notebook


def _messages(path: Path) -> dict[str, str]:
    """graded cell -> the text of its error output, from a graded notebook."""
    notebook = json.loads(path.read_text())
    out = {}
    for cell in notebook["cells"]:
        grade_id = _grade_id(cell)
        errors = [
            f"{o.get('ename', '')}: {o.get('evalue', '')}"
            for o in cell.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        if grade_id and errors:
            out[grade_id] = "\n".join(errors)
    return out


def grade_catalogue(assignment: str, root: Path, jobs: int = 2) -> dict[str, Outcome]:
    """Build the assignment's catalogue class under root and grade it."""
    entries = load(assignment)
    solved = solved_notebook(assignment)
    submissions = root / "submissions"
    for entry in entries + [None]:
        name = "reference" if entry is None else entry.name
        folder = submissions / name / assignment
        folder.mkdir(parents=True)
        notebook = solved if entry is None else submission(entry, solved)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(notebook, indent=1))
    course = root / "course"
    run_autograder("collect", assignment, "--from-dir", submissions, course=course)
    run_autograder("autograde", assignment, "--jobs", jobs, course=course)
    _, full = gradebook_scores(course, assignment, "reference")
    # The reference's points are every cell's maximum only if it scored full
    # marks; gradebook_scores gives scores, so check against max_score too.
    outcomes = {}
    for entry in entries:
        _, scores = gradebook_scores(course, assignment, entry.name)
        graded = course / f"autograded/{entry.name}/{assignment}/{assignment}.ipynb"
        messages = _messages(graded) if graded.exists() else {}
        outcomes[entry.name] = Outcome(entry, scores, full, messages)
    return outcomes


def main(argv: list[str]) -> int:
    import tempfile

    assignments = argv or ["A1", "A2", "A3", "A4"]
    totals = {"fair": 0, "too harsh": 0, "too lenient": 0, "mixed": 0}
    for assignment in assignments:
        with tempfile.TemporaryDirectory(prefix=f"catalogue-{assignment}-") as tmp:
            outcomes = grade_catalogue(assignment, Path(tmp))
        counts = {key: 0 for key in totals}
        for name, outcome in outcomes.items():
            verdict = outcome.verdict()
            counts[verdict] += 1
            totals[verdict] += 1
            if verdict != "fair" or outcome.problems():
                print(f"{assignment} {name} ({outcome.entry.kind}): {verdict}")
                for problem in outcome.problems():
                    print(f"    {problem}")
        correct = sum(o.entry.kind == "correct" for o in outcomes.values())
        print(f"{assignment}: {len(outcomes)} submissions, {correct} correct: {counts}")
    print(f"all: {sum(totals.values())} submissions: {totals}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
