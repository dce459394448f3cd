"""The catalogue of realistic submissions, graded through the CLI.

Every entry of tests/fixtures/mistakes/<A>.yml (see tests/mistake_catalogue.py
for the format) must get exactly its fair score on every test, decided before
it was graded, and each failing test's message must contain the entry's
keyword: the likely mistake, named where it is made.
"""

from __future__ import annotations

import json

import pytest
from mistake_catalogue import grade_catalogue, load
from notebook_regions import REPO

ASSIGNMENTS = ["A1", "A2", "A3", "A4"]
ENTRIES = [(a, e.name) for a in ASSIGNMENTS for e in load(a)]


def cells(path):
    return json.loads(path.read_text())["cells"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Each assignment's catalogue class, graded once when first needed."""
    done = {}

    def get(assignment):
        if assignment not in done:
            root = tmp_path_factory.mktemp(f"catalogue-{assignment}")
            done[assignment] = grade_catalogue(assignment, root)
        return done[assignment]

    return get


def test_the_catalogue_is_large_and_mixed():
    entries = [e for a in ASSIGNMENTS for e in load(a)]
    assert len(entries) >= 100, f"{len(entries)} entries"
    assert sum(e.kind == "correct" for e in entries) >= 20
    for assignment in ASSIGNMENTS:
        assert load(assignment), f"{assignment} has no entries"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solved_notebook_scores_full_marks(graded, assignment):
    # Guards the premise of every entry: with the master's solutions the
    # generated notebook loses nothing (else "full marks" means nothing).
    outcomes = graded(assignment)
    some = next(iter(outcomes.values()))
    master = REPO / f"solutions/{assignment}/{assignment}.ipynb"
    meta = [c.get("metadata", {}).get("nbgrader", {}) for c in cells(master)]
    points = {m["grade_id"]: float(m["points"]) for m in meta if m.get("grade")}
    assert some.full == points


@pytest.mark.parametrize(("assignment", "name"), ENTRIES)
def test_each_submission_gets_its_fair_score_and_message(graded, assignment, name):
    outcome = graded(assignment)[name]
    assert not outcome.problems(), "\n".join(
        [f"{name} ({outcome.entry.kind}): {outcome.entry.why}", *outcome.problems()]
    )
