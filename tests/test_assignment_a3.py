"""Assignment A3 (backpropagation through time): notebooks and grading end to end.

The first half checks the master ``solutions/A3/A3.ipynb``, the student
notebook generated from it and the book page; the second grades the fixture
submissions of ``fixtures/submissions/A3`` (made by ``make_submissions.py``,
one classic mistake each) with the instructor's command in a temporary
course, and reads the scores back through nbgrader's ``Gradebook`` API.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest
from notebook_regions import (
    FIXTURES,
    REPO,
    cell_sources,
    feedback_text,
    grade_fixture_class,
    gradebook_scores,
    leaks,
    lost_tests,
    readable_text,
    run_autograder,
    secret_lines,
    stale_fixtures,
)
from notebook_regions import cell_by_grade_id as _cell
from notebook_regions import cell_source as _source
from notebook_regions import nbgrader_meta as _nbgrader

import lstm_ref
from lstm_ref.questions import QUESTIONS, format_question

MASTER = REPO / "solutions" / "A3" / "A3.ipynb"
STUDENT = REPO / "book" / "assignments" / "A3.ipynb"
PAGE = REPO / "book" / "assignments" / "A3.md"
A3_QUESTIONS = [q.id for q in QUESTIONS.values() if 9 <= q.chapter <= 11]
MAX_SCORE = 35.0
FUNCTION_TESTS = [
    "test_rel_error",
    "test_numerical_gradient_values",
    "test_numerical_gradient_centred",
    "test_lstm_cell_backward_cell_path",
    "test_lstm_cell_backward_hidden_path",
    "test_lstm_cell_backward_full",
    "test_lstm_backward_returns",
    "test_lstm_backward_input_grads",
    "test_lstm_backward_weight_grads",
]
CELL_TESTS = {name for name in FUNCTION_TESTS if "cell_backward" in name}
GRADED = [
    "blank",
    "calls_ref",
    "dropped_dc",
    "no_accumulation",
    "no_tanh_path",
    "one_sided",
    "perfect",
    "sign_error",
    "wrong_answers",
    "wrong_cached_gate",
]


@pytest.fixture(scope="module")
def master() -> dict:
    return json.loads(MASTER.read_text())


@pytest.fixture(scope="module")
def student() -> dict:
    return json.loads(STUDENT.read_text())


# --- The notebooks and the page ----------------------------------------------


def test_every_test_cell_says_first_what_it_checks_and_has_hidden_tests(master):
    tests = [c for c in master["cells"] if _nbgrader(c).get("grade")]
    assert [_nbgrader(c)["grade_id"] for c in tests][: len(FUNCTION_TESTS)] == (
        FUNCTION_TESTS
    )
    assert len(tests) == len(FUNCTION_TESTS) + len(A3_QUESTIONS)
    for cell in tests:
        first_line = _source(cell).split("\n")[0]
        assert first_line.startswith("# Checks "), first_line
        assert "### BEGIN HIDDEN TESTS" in _source(cell)


def test_every_contract_function_is_written_by_the_student(master, student):
    functions = {
        "rel_error": "(a, b)",
        "numerical_gradient": "(f, x, h=1e-5)",
        "lstm_cell_backward": "(dh_t, dc_t, cache)",
        "lstm_backward": "(dhs, cache)",
    }
    for name, signature in functions.items():
        assert _nbgrader(_cell(master, name))["solution"]
        assert f"def {name}{signature}:" in _source(_cell(master, name))
        assert "raise NotImplementedError()" in _source(_cell(student, name))


def test_the_forward_is_given_in_a_locked_cell_and_equals_lstm_ref(master):
    cell = _cell(master, "provided_forward")
    meta = _nbgrader(cell)
    assert meta["locked"]
    assert not meta["solution"]
    assert not meta["grade"]
    namespace = {"np": np}
    exec(_source(cell), namespace)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 6, 2))
    h0, c0 = rng.normal(size=(2, 3, 4))
    params = lstm_ref.init_lstm_params(2, 4, rng=rng)
    hs, cs, cache = namespace["lstm_forward"](x, h0, c0, params)
    hs_ref, cs_ref, _ = lstm_ref.lstm_forward(x, h0, c0, params)
    np.testing.assert_allclose(hs, hs_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cs, cs_ref, rtol=1e-12, atol=1e-14)
    # The cache is the documented NamedTuple: every field is in the table
    # of the markdown cell before the forward, and the values are right.
    step = cache.steps[2]
    assert type(cache).__name__ == "SequenceCache"
    assert len(cache.steps) == 6
    _, _, ref = lstm_ref.lstm_cell_forward(x[:, 2], hs[:, 1], cs[:, 1], params)
    for field in ["f", "i", "c_tilde", "o", "tanh_c", "c_prev"]:
        np.testing.assert_allclose(getattr(step, field), getattr(ref, field))
    np.testing.assert_allclose(step.c_t, cs[:, 2])
    sources = [_source(c) for c in master["cells"]]
    table = sources[sources.index(_source(cell)) - 1]
    for field in step._fields:
        assert f"`{field}`" in table, field


def test_the_helper_cell_imports_the_judge_module_and_the_last_cells_check(master):
    helper = _source(_cell(master, "test_helpers"))
    assert helper.splitlines() == [
        "# Test helpers: run this cell before the tests; do not edit it.",
        "from autograder.testkit.a3 import *  # noqa: F403",
        "",
        "bind(globals())",
    ]
    *_, heading, last = master["cells"]
    assert _source(heading).startswith("## Before you submit")
    assert _source(last).strip() == "check_before_submit()"
    assert last["metadata"].get("tags") == ["grader-skip"]
    assert "nbgrader" not in last["metadata"]
    # Visible test parts use no lstm_ref and no value typed by hand.
    for cell in master["cells"]:
        if _nbgrader(cell).get("grade") and _nbgrader(cell)["grade_id"].startswith(
            "test_"
        ):
            visible = _source(cell).split("### BEGIN HIDDEN TESTS")[0]
            assert "lstm_ref" not in visible, _nbgrader(cell)["grade_id"]
            assert "case(" in visible, _nbgrader(cell)["grade_id"]


def test_the_chapter_9_to_11_questions_are_asked_answered_and_checked(master):
    sources = cell_sources(MASTER)
    ids = {_nbgrader(c).get("grade_id") for c in master["cells"]}
    assert len(A3_QUESTIONS) >= 9
    for question_id in A3_QUESTIONS:
        assert any(format_question(question_id) in s for s in sources), question_id
        assert f"answer_{question_id}" in ids
        assert f"check_{question_id}" in ids
    others = [q for q in QUESTIONS if q not in A3_QUESTIONS]
    assert not any(f"answer_{q}" in ids for q in others)


def test_quick_checks_say_right_or_wrong_at_once_and_attempts_are_unlimited(
    student,
):
    for question_id in A3_QUESTIONS:
        visible = _source(_cell(student, f"check_{question_id}"))
        assert f'check_quick_answer("answer_{question_id}", "{question_id}")' in (
            visible
        )
    helpers = _source(_cell(student, "test_helpers"))
    assert "check_answer(question_id, value)" in helpers
    assert "try as often as you like" in helpers
    assert "Attempts are not limited" in _source(student["cells"][0])
    assert "try again as often as you like" in PAGE.read_text()


def test_points_add_up_to_what_the_notebook_and_the_page_say(master):
    total = sum(_nbgrader(c).get("points", 0) for c in master["cells"])
    assert total == MAX_SCORE
    intro = _source(master["cells"][0])
    table = [
        int(row.split("|")[-2]) for row in re.findall(r"^\| \d .*\|$", intro, re.M)
    ]
    assert sum(table) == total
    page_table = [
        int(row.split("|")[-2])
        for row in re.findall(r"^\| \d .*\|$", PAGE.read_text(), re.M)
    ]
    assert page_table == table
    assert f"worth {total:g} points in total" in PAGE.read_text()


def test_the_a3_page_offers_the_student_notebook_for_download():
    page = PAGE.read_text()
    assert re.search(r"\{download\}`[^`<]*<A3\.ipynb>`", page)
    assert page.startswith("(a3)=\n# Assignment A3")


def test_the_built_book_holds_no_a3_hidden_test_and_no_quick_check_answer():
    """The HTML pages, their sources and downloads (``make book`` first)."""
    html = REPO / "_build" / "html"
    if not (html / "book" / "assignments" / "A3.html").exists():
        if os.environ.get("CI"):  # CI always builds the book first
            pytest.fail("the book with A3 is not built, and CI is set")
        pytest.skip("the book with A3 is not built (make book)")
    secrets = secret_lines(MASTER, STUDENT)
    answers = [line for line in secrets["solution"] if line.startswith("answer_")]
    assert len(answers) == len(A3_QUESTIONS)
    for path in html.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".ipynb", ".md", ".txt"}:
            assert leaks(secrets["hidden"] + answers, path) == [], path


# --- Grading the fixture class ------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    """Collect, autograde, feedback and export the A3 fixture class once."""
    return grade_fixture_class("A3", tmp_path_factory.mktemp("course_a3"))


def grades(course: dict, student: str) -> tuple[float, dict[str, float]]:
    """Total score and per-cell scores, from nbgrader's gradebook."""
    return gradebook_scores(course["root"], "A3", student)


def lost(course: dict, student: str) -> set[str]:
    return lost_tests(course["root"], "A3", student)


def feedback(course: dict, student: str) -> str:
    return feedback_text(course["root"], "A3", student)


def test_a3_fixture_submissions_are_what_the_script_writes():
    assert stale_fixtures("A3") == {}, (
        "run python tests/fixtures/submissions/make_submissions.py"
    )
    assert {p.parent.parent.name for p in FIXTURES.glob("A3/*/A3/*.ipynb")} == set(
        GRADED
    )


def test_every_a3_submission_is_graded(course):
    assert f"autograded {len(GRADED)} of {len(GRADED)}" in course["autograde"]
    # The blank notebook and the one naming lstm_ref are graded and flagged.
    flagged = {"blank", "calls_ref"}
    rows = course["rows"]
    assert {r["status"] for s, r in rows.items() if s not in flagged} == {"ok"}
    assert {rows[s]["status"] for s in flagged} == {"needs attention"}


def test_the_master_scores_full_marks(course):
    score, cells = grades(course, "perfect")
    assert score == MAX_SCORE
    assert len(cells) == len(FUNCTION_TESTS) + len(A3_QUESTIONS)


def test_the_untouched_student_notebook_scores_zero_without_error(course):
    score, cells = grades(course, "blank")
    assert score == 0
    assert set(cells.values()) == {0}
    row = course["rows"]["blank"]
    assert (row["status"], row["score"], row["max_score"]) == (
        "needs attention",
        "0",
        "35",
    )
    assert "blank" in row["reason"]
    assert "lstm_cell_backward is not written yet" in feedback(course, "blank")


def test_missing_the_tanh_path_costs_only_the_tests_through_h(course):
    # With dh_t = 0 the tanh(C_t) path carries nothing, so the cell-path test
    # passes; lstm_backward loops the student's own cell correctly.
    assert lost(course, "no_tanh_path") == {
        "test_lstm_cell_backward_hidden_path",
        "test_lstm_cell_backward_full",
    }
    assert grades(course, "no_tanh_path")[0] == MAX_SCORE - 7
    assert "dc_prev misses the path through tanh(C_t)" in feedback(
        course, "no_tanh_path"
    )


def test_weight_gradients_not_accumulated_cost_only_the_weight_test(course):
    assert lost(course, "no_accumulation") == {"test_lstm_backward_weight_grads"}
    assert grades(course, "no_accumulation")[0] == MAX_SCORE - 3
    assert "the weights are shared by every step" in feedback(course, "no_accumulation")


def test_dropping_the_carried_dc_costs_the_sequence_gradients(course):
    # The weight gradients depend on the dropped dC_t too.
    assert lost(course, "dropped_dc") == {
        "test_lstm_backward_input_grads",
        "test_lstm_backward_weight_grads",
    }
    assert grades(course, "dropped_dc")[0] == MAX_SCORE - 6
    text = feedback(course, "dropped_dc")
    assert "you drop the gradient of C_t carried back from step t + 1" in text


def test_a_wrong_cached_gate_costs_the_cell_tests_only(course):
    assert lost(course, "wrong_cached_gate") == CELL_TESTS
    assert grades(course, "wrong_cached_gate")[0] == MAX_SCORE - 10
    assert "the forget gate's gradients are wrong while dc_prev is right" in (
        feedback(course, "wrong_cached_gate")
    )


def test_a_sign_error_costs_the_cell_tests_only_and_is_named(course):
    assert lost(course, "sign_error") == CELL_TESTS
    assert "grads['W_c'] has the wrong sign" in feedback(course, "sign_error")


def test_a_one_sided_difference_costs_only_the_centred_test(course):
    assert lost(course, "one_sided") == {"test_numerical_gradient_centred"}
    assert "numerical_gradient uses a one-sided difference" in feedback(
        course, "one_sided"
    )


def test_a_checker_that_calls_lstm_ref_gets_no_credit_and_is_told_why(course):
    assert lost(course, "calls_ref") == {
        "test_numerical_gradient_values",
        "test_numerical_gradient_centred",
    }
    assert (
        "your numerical_gradient uses lstm_ref, which the grader does not have"
        in feedback(course, "calls_ref")
    )


def test_wrong_quick_check_answers_cost_their_points_and_say_so(course):
    assert lost(course, "wrong_answers") == {
        "check_cell_grad_value",
        "check_truncated_bptt",
    }
    text = feedback(course, "wrong_answers")
    assert "answer_cell_grad_value = 0.32 is not right" in text


def test_no_a3_release_or_feedback_file_leaks_solutions_or_hidden_tests(course):
    run_autograder("release", "A3", course=course["root"])
    secrets = secret_lines(MASTER, STUDENT)
    released = [p for p in (course["root"] / "release").rglob("*") if p.is_file()]
    given = [p for p in (course["root"] / "feedback").rglob("*") if p.is_file()]
    assert released
    assert len(given) >= len(GRADED)
    for path in released + given:
        assert leaks(secrets["hidden"], path) == [], path
        assert "HIDDEN TESTS" not in readable_text(path), path
    for path in [*released, course["root"] / "feedback/blank/A3/A3.html"]:
        assert leaks(secrets["solution"], path) == [], path
