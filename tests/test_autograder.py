"""The autograder end to end, on the fixture submissions of A2.

One class is collected, autograded, given feedback and exported through the
instructor's command (``python -m autograder``) in a temporary course
directory; the scores are read back through nbgrader's ``Gradebook`` API, as
nbgrader's own tests do. See ``fixtures/submissions/make_submissions.py`` for
what each fixture student did.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import zipfile

import pytest
from notebook_regions import (
    FIXTURES,
    REPO,
    grade_fixture_class,
    gradebook_scores,
    leaks,
    readable_text,
    run_autograder,
    secret_lines,
)

MASTER = REPO / "solutions" / "A2" / "A2.ipynb"
STUDENT = REPO / "book" / "assignments" / "A2.ipynb"
GRADED = [
    "blank",
    "calls_ref",
    "naive_sigmoid",
    "perfect",
    "renamed",
    "tanh_forget",
    "wrong_answers",
]
MAX_SCORE = 25.0


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    """Collect, autograde, feedback and export the fixture class once."""
    root = tmp_path_factory.mktemp("course")
    # An IPython startup file of the grading account, which a kernel that
    # inherits the account's IPYTHONDIR would run before every notebook.
    account = tmp_path_factory.mktemp("account")
    marker = account / "startup-ran"
    startup = account / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-marker.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    env = {**os.environ, "IPYTHONDIR": str(account / "ipython")}
    out = grade_fixture_class("A2", root, env=env)
    out["startup_marker"] = marker
    print("autograder steps (s):", {k: round(v, 1) for k, v in out["seconds"].items()})
    return out


def grades(course: dict, student: str) -> tuple[float, dict[str, float]]:
    """Total score and per-cell scores, from nbgrader's gradebook."""
    return gradebook_scores(course["root"], "A2", student)


def lost(cells: dict[str, float], course: dict) -> set[str]:
    full = grades(course, "perfect")[1]
    return {name for name, score in cells.items() if score < full[name]}


def test_fixture_submissions_are_what_the_script_writes():
    spec = importlib.util.spec_from_file_location(
        "make_submissions", FIXTURES / "make_submissions.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.fixtures()
    on_disk = {p.parent.parent.name: p for p in FIXTURES.glob("A2/*/A2/*.ipynb")}
    assert set(on_disk) == set(expected)
    for student, (name, text) in expected.items():
        assert on_disk[student].name == name
        assert on_disk[student].read_text() == text, (
            f"{student}'s fixture is stale: run "
            "python tests/fixtures/submissions/make_submissions.py"
        )


def test_every_gradable_submission_is_graded_one_by_one_with_progress(course):
    for number, student in enumerate(GRADED, start=1):
        line = next(
            line
            for line in course["autograde"].splitlines()
            if f" {number}/{len(GRADED)} graded {student}: " in line
        )
        assert line.startswith("[#"), line  # the progress bar
        assert "ETA " in line, line
    assert f"autograded {len(GRADED)} of {len(GRADED)}" in course["autograde"]


def test_grading_ignores_the_grading_accounts_ipython_startup_files(course):
    assert course["autograde"]
    assert not course["startup_marker"].exists()


def test_the_master_scores_full_marks(course):
    score, cells = grades(course, "perfect")
    assert score == MAX_SCORE
    assert len(cells) == 17
    assert course["rows"]["perfect"]["status"] == "ok"


def test_the_untouched_student_notebook_scores_zero_without_error(course):
    score, cells = grades(course, "blank")
    assert score == 0
    assert set(cells.values()) == {0}
    row = course["rows"]["blank"]
    assert (row["score"], row["max_score"]) == ("0", "25")
    # Not just "ok, 0/25": an untouched notebook is flagged for a look.
    assert (row["status"], row["flags"]) == ("needs attention", "blank")


def test_tanh_in_the_forget_gate_costs_only_the_forget_gate(course):
    score, cells = grades(course, "tanh_forget")
    # lstm_cell_forward and lstm_forward are built correctly from the
    # student's own (wrong) gate, so they keep their points.
    assert lost(cells, course) == {"test_forget_gate"}
    assert score == MAX_SCORE - 2


def test_an_overflowing_sigmoid_costs_only_the_stability_test(course):
    # Its overflow warnings in later tests must not reach stderr, where
    # nbgrader would zero those tests.
    score, cells = grades(course, "naive_sigmoid")
    assert lost(cells, course) == {"test_sigmoid_stable"}
    assert score == MAX_SCORE - 2


def test_a_function_that_calls_lstm_ref_gets_no_credit_and_is_told_why(course):
    score, cells = grades(course, "calls_ref")
    # lstm_cell_forward uses lstm_ref, which the sandbox does not have;
    # lstm_forward is tested with lstm_ref's step in its place, and is right.
    assert lost(cells, course) == {"test_lstm_cell_forward"}
    assert score == MAX_SCORE - 3
    feedback = readable_text(course["root"] / "feedback/calls_ref/A2/A2.html")
    assert "your lstm_cell_forward uses lstm_ref, which the grader does not have" in (
        feedback
    )


def test_wrong_quick_check_answers_cost_their_points(course):
    score, cells = grades(course, "wrong_answers")
    assert lost(cells, course) == {"check_cell_state_role", "check_cell_update_value"}
    assert score == MAX_SCORE - 2


def test_a_renamed_notebook_is_graded_and_flagged(course):
    assert grades(course, "renamed")[0] == MAX_SCORE
    row = course["rows"]["renamed"]
    assert row["status"] == "needs attention"
    assert "'A2 (1).ipynb'" in row["reason"]


def test_a_malformed_notebook_is_reported_and_the_others_are_still_graded(course):
    assert "malformed: NOT collected: not a readable notebook" in course["collect"]
    row = course["rows"]["malformed"]
    assert row["status"] == "needs attention"
    assert "not valid JSON" in row["reason"]
    assert row["score"] == ""
    assert not (course["root"] / "autograded" / "malformed").exists()


def test_the_csv_lists_every_student_with_scores_per_test(course):
    rows = course["rows"]
    assert set(rows) == set(GRADED) | {"malformed"}
    flagged = {"malformed", "renamed", "blank", "calls_ref"}
    assert {r["status"] for s, r in rows.items() if s not in flagged} == {"ok"}
    assert rows["calls_ref"]["flags"] == "uses lstm_ref"
    assert rows["tanh_forget"]["test_forget_gate"] == "0"
    assert rows["tanh_forget"]["test_lstm_cell_forward"] == "3"
    with (course["root"] / "grades.csv").open() as handle:
        header = next(csv.reader(handle))
    assert header[:5] == ["student_id", "status", "reason", "score", "max_score"]
    assert header[5:7] == ["test_sigmoid_values", "test_sigmoid_stable"]


def test_feedback_says_what_is_wrong_in_words(course):
    feedback = readable_text(course["root"] / "feedback/tanh_forget/A2/A2.html")
    assert "your forget gate's output is outside (0, 1): did you use tanh" in feedback
    blank = readable_text(course["root"] / "feedback/blank/A2/A2.html")
    assert "sigmoid is not written yet" in blank


def test_no_released_or_feedback_file_leaks_solutions_or_hidden_tests(course):
    run_autograder("release", "A2", course=course["root"])
    secrets = secret_lines(MASTER, STUDENT)
    released = list((course["root"] / "release").rglob("*"))
    feedback = list((course["root"] / "feedback").rglob("*"))
    assert released
    assert len(feedback) >= len(GRADED)
    for path in (p for p in released + feedback if p.is_file()):
        assert leaks(secrets["hidden"], path) == [], path
        assert "HIDDEN TESTS" not in readable_text(path), path
    # Students who wrote the solution see their own code in their feedback;
    # one who wrote nothing must not see the master's.
    for path in released + [course["root"] / "feedback/blank/A2/A2.html"]:
        if path.is_file():
            assert leaks(secrets["solution"], path) == [], path


def test_test_cell_tracebacks_in_feedback_show_the_message_not_the_code(course):
    text = readable_text(course["root"] / "feedback/tanh_forget/A2/A2.html")
    assert "AssertionError: your forget gate's output is outside (0, 1)" in text
    # IPython marks the failing line of a traceback with an arrow.
    assert "---->" not in text
    assert "Cell In[" not in text
    autograded = json.loads(
        (course["root"] / "autograded/tanh_forget/A2/A2.ipynb").read_text()
    )
    tracebacks = [
        line
        for cell in autograded["cells"]
        for output in cell.get("outputs", [])
        if output["output_type"] == "error"
        for line in output["traceback"]
    ]
    assert any("---->" in line for line in tracebacks), (
        "the instructor's autograded copy keeps the full traceback"
    )


def test_collect_from_an_lms_zip(tmp_path):
    good = (FIXTURES / "A2/perfect/A2/A2.ipynb").read_bytes()
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("submissions/alice_12345_A2.ipynb", good)
        zf.writestr("submissions/bob_late_A2.ipynb", good[:3000])
        zf.writestr("submissions/carol_1_A2.ipynb", good)
        zf.writestr("submissions/carol_2_A2.ipynb", good)
        zf.writestr("submissions/notebook.ipynb", good)
        zf.writestr("submissions/readme.txt", "not a notebook")
        zf.writestr("__MACOSX/submissions/._dave_A2.ipynb", "resource fork")
    root = tmp_path / "course"
    output = run_autograder("collect", "A2", "--from-zip", archive, course=root)
    assert "collected 1 of 4 submissions of A2" in output
    assert (root / "submitted/alice/A2/A2.ipynb").read_bytes() == good
    assert sorted(p.name for p in (root / "submitted").iterdir()) == ["alice"]
    run_autograder("export", "A2", "--csv", root / "grades.csv", course=root)
    with (root / "grades.csv").open() as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"alice", "bob", "carol", "notebook"}
    assert {row["status"] for row in rows.values()} == {"needs attention"}
    assert "not autograded yet" in rows["alice"]["reason"]
    assert "not valid JSON" in rows["bob"]["reason"]
    assert "several notebooks" in rows["carol"]["reason"]
    assert "cannot tell the student" in rows["notebook"]["reason"]


def test_feedback_shows_formulas_as_mathml_with_nothing_to_fetch(course):
    # nbgrader's feedback template loads MathJax from a CDN; offline a student
    # would read raw TeX. Our feedback pages carry the formulas as MathML.
    released = json.loads(STUDENT.read_text())
    markdown = "".join(
        "".join(c["source"]) for c in released["cells"] if c["cell_type"] == "markdown"
    )
    displays = markdown.count("$$") // 2
    inlines = (markdown.count("$") - 2 * markdown.count("$$")) // 2
    assert displays >= 1
    assert inlines >= 10
    page = (course["root"] / "feedback" / "perfect" / "A2" / "A2.html").read_text()
    mathml = '<math xmlns="http://www.w3.org/1998/Math/MathML"'
    assert page.count(mathml) == displays + inlines
    assert page.count('display="block"') == displays
    assert "MathJax" not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert not re.search(r"MATH(?:INLINE|BLOCK)", page)
    # The markdown's formulas; a test's printed output (a quick check's
    # explanation, say) is plain text in a <pre> block, not converted.
    prose = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)
    for tex in ("\\odot", "\\sigma", "\\tanh"):
        assert tex in markdown
        assert tex not in prose
