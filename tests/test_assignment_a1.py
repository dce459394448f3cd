"""Assignment A1 (the RNN and its gradients): notebooks and grading end to end.

The first half checks the master ``solutions/A1/A1.ipynb``, the student
notebook generated from it and the book page; the second grades the fixture
submissions of ``fixtures/submissions/A1`` (made by ``make_submissions.py``,
one realistic mistake each) with the instructor's command in a temporary
course, and reads the scores back through nbgrader's ``Gradebook`` API.
"""

from __future__ import annotations

import json
import os
import re

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

from lstm_ref.questions import QUESTIONS, format_question, questions_for_chapter

MASTER = REPO / "solutions" / "A1" / "A1.ipynb"
STUDENT = REPO / "book" / "assignments" / "A1.ipynb"
PAGE = REPO / "book" / "assignments" / "A1.md"
A1_QUESTIONS = [q.id for q in QUESTIONS.values() if q.chapter in (1, 2)]
MAX_SCORE = 28.0
FUNCTION_TESTS = {
    "test_rnn_cell_forward": 3,
    "test_rnn_forward": 3,
    "test_rnn_cell_backward": 4,
    "test_rnn_backward": 3,
    "test_rnn_backward_grads": 2,
    "test_gradient_norms_by_lag": 3,
    "test_fit_decay_rate": 2,
}
GRADED = [
    "blank",
    "calls_ref",
    "no_accumulation",
    "no_dh_carry",
    "no_tanh_grad",
    "perfect",
    "wrong_answers",
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
    points = {_nbgrader(c)["grade_id"]: _nbgrader(c)["points"] for c in tests}
    assert list(points)[: len(FUNCTION_TESTS)] == list(FUNCTION_TESTS)
    assert {name: points[name] for name in FUNCTION_TESTS} == FUNCTION_TESTS
    assert len(tests) == len(FUNCTION_TESTS) + len(A1_QUESTIONS)
    for cell in tests:
        first_line = _source(cell).split("\n")[0]
        assert first_line.startswith("# Checks "), first_line
        assert "### BEGIN HIDDEN TESTS" in _source(cell)


def test_every_contract_function_is_written_by_the_student(master, student):
    functions = {
        "rnn_cell_forward": "(x_t, h_prev, params)",
        "rnn_forward": "(x, h0, params)",
        "rnn_cell_backward": "(dh_t, cache)",
        "rnn_backward": "(dhs, cache)",
        "gradient_norms_by_lag": "(x, h0, params, max_lag)",
        "fit_decay_rate": "(norms)",
    }
    for name, signature in functions.items():
        assert _nbgrader(_cell(master, name))["solution"]
        assert f"def {name}{signature}:" in _source(_cell(master, name))
        assert "raise NotImplementedError()" in _source(_cell(student, name))


def test_backward_tests_use_a_documented_cache_the_course_built(master, student):
    # The notebook states the caches' form; the backward tests give the
    # student's backward a cache of that form that lstm_ref built (a1.py),
    # and the student's own forward's cache only as a second chance.
    text = "".join(_source(c) for c in master["cells"] if c["cell_type"] == "markdown")
    assert "`(hx, h_t, W)`" in text
    assert "the list of the T steps' caches" in text
    cell_test = _source(_cell(student, "test_rnn_cell_backward"))
    assert 'c = case("rnn_cell_backward")' in cell_test
    assert "check_cell_backward(c, own_cache=own_cell_cache(c))" in cell_test
    for name in ("test_rnn_backward", "test_rnn_backward_grads"):
        hidden = _source(_cell(master, name)).split("### BEGIN HIDDEN TESTS")[1]
        assert 'reference_parts(c, ["rnn_cell_backward"])' in hidden
        assert "substitute=parts" in hidden


def test_the_experiment_is_graded_on_data_the_hidden_tests_generate(master):
    for name in ["test_gradient_norms_by_lag", "test_fit_decay_rate"]:
        hidden = _source(_cell(master, name)).split("### BEGIN HIDDEN TESTS")[1]
        assert re.search(r"hidden_\w+_cases\(\)", hidden), name
    from autograder.testkit import a1

    for cases in (a1.hidden_norms_cases, a1.hidden_fit_cases):
        assert len(list(cases())) == 4


def test_the_chapter_1_and_2_questions_are_asked_answered_and_checked(master):
    sources = cell_sources(MASTER)
    ids = {_nbgrader(c).get("grade_id") for c in master["cells"]}
    for chapter in (1, 2):
        assert len(questions_for_chapter(chapter)) >= 3, chapter
    kinds = {QUESTIONS[q].kind for q in A1_QUESTIONS}
    assert kinds == {"choice", "numeric", "shape"}
    for question_id in A1_QUESTIONS:
        assert any(format_question(question_id) in s for s in sources), question_id
        assert f"answer_{question_id}" in ids
        assert f"check_{question_id}" in ids
    others = [q for q in QUESTIONS if q not in A1_QUESTIONS]
    assert not any(f"answer_{q}" in ids for q in others)


def test_quick_checks_say_right_or_wrong_at_once_and_say_why_few_points(
    student,
):
    for question_id in A1_QUESTIONS:
        visible = _source(_cell(student, f"check_{question_id}"))
        assert f'check_quick_answer("answer_{question_id}", "{question_id}")' in (
            visible
        )
        assert _nbgrader(_cell(student, f"check_{question_id}"))["points"] == 1
    helpers = _source(_cell(student, "test_helpers"))
    # The student's kit answers from salted hashes, without lstm_ref.
    assert "def check_quick_answer(" in helpers
    assert "import lstm_ref" not in helpers
    intro = _source(student["cells"][0])
    assert "as often as you like" in intro
    assert "worth one point only" in intro
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
    assert f"{len(A1_QUESTIONS)} of the {total:g}" in intro


def test_the_a1_page_offers_the_student_notebook_for_download():
    page = PAGE.read_text()
    assert re.search(r"\{download\}`[^`<]*<A1\.ipynb>`", page)
    assert page.startswith("(a1)=\n# Assignment A1")


def test_the_built_book_holds_no_a1_hidden_test_and_no_quick_check_answer():
    """The HTML pages, their sources and downloads (``make book`` first)."""
    html = REPO / "_build" / "html"
    if not (html / "book" / "assignments" / "A1.html").exists():
        if os.environ.get("CI"):  # CI always builds the book first
            pytest.fail("the book with A1 is not built, and CI is set")
        pytest.skip("the book with A1 is not built (make book)")
    secrets = secret_lines(MASTER, STUDENT)
    answers = [line for line in secrets["solution"] if line.startswith("answer_")]
    assert len(answers) == len(A1_QUESTIONS)
    for path in html.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".ipynb", ".md", ".txt"}:
            assert leaks(secrets["hidden"] + answers, path) == [], path


# --- Grading the fixture class ------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    """Collect, autograde, feedback and export the A1 fixture class once."""
    return grade_fixture_class("A1", tmp_path_factory.mktemp("course_a1"))


def grades(course: dict, student: str) -> tuple[float, dict[str, float]]:
    """Total score and per-cell scores, from nbgrader's gradebook."""
    return gradebook_scores(course["root"], "A1", student)


def lost(course: dict, student: str) -> set[str]:
    return lost_tests(course["root"], "A1", student)


def feedback(course: dict, student: str) -> str:
    return feedback_text(course["root"], "A1", student)


def test_a1_fixture_submissions_are_what_the_script_writes():
    assert stale_fixtures("A1") == {}, (
        "run python tests/fixtures/submissions/make_submissions.py"
    )
    assert {p.parent.parent.name for p in FIXTURES.glob("A1/*/A1/*.ipynb")} == set(
        GRADED
    )


def test_every_a1_submission_is_graded(course):
    assert f"autograded {len(GRADED)} of {len(GRADED)}" in course["autograde"]
    # The blank notebook and the one naming lstm_ref are graded and flagged.
    flagged = {"blank", "calls_ref"}
    rows = course["rows"]
    assert {r["status"] for s, r in rows.items() if s not in flagged} == {"ok"}
    assert {rows[s]["status"] for s in flagged} == {"needs attention"}


def test_the_master_scores_full_marks(course):
    score, cells = grades(course, "perfect")
    assert score == MAX_SCORE
    assert len(cells) == len(FUNCTION_TESTS) + len(A1_QUESTIONS)


def test_the_untouched_student_notebook_scores_zero_without_error(course):
    score, cells = grades(course, "blank")
    assert score == 0
    assert set(cells.values()) == {0}
    row = course["rows"]["blank"]
    assert (row["status"], row["score"], row["max_score"]) == (
        "needs attention",
        "0",
        "28",
    )
    assert "blank" in row["reason"]
    text = feedback(course, "blank")
    assert "rnn_cell_forward is not written yet" in text
    assert "answer_rnn_unrolling is not set" in text


def test_forgetting_tanhs_derivative_costs_only_the_cell_backward(course):
    # rnn_backward loops the student's own (wrong) cell backward correctly,
    # and the experiment does not use the backward functions.
    assert lost(course, "no_tanh_grad") == {"test_rnn_cell_backward"}
    assert grades(course, "no_tanh_grad")[0] == MAX_SCORE - 4
    assert "leaves out tanh's derivative" in feedback(course, "no_tanh_grad")


def test_not_carrying_dh_back_costs_only_rnn_backward(course):
    assert lost(course, "no_dh_carry") == {
        "test_rnn_backward",
        "test_rnn_backward_grads",
    }
    assert grades(course, "no_dh_carry")[0] == MAX_SCORE - 5
    assert "what flows back from the step after it" in feedback(course, "no_dh_carry")


def test_weight_gradients_not_summed_over_time_cost_only_rnn_backward(course):
    # dx and dh0 are right: only the weight gradients' test is lost.
    assert lost(course, "no_accumulation") == {"test_rnn_backward_grads"}
    assert grades(course, "no_accumulation")[0] == MAX_SCORE - 2
    assert "shared by every step" in feedback(course, "no_accumulation")


def test_an_experiment_that_calls_lstm_ref_gets_no_credit_and_is_told_why(course):
    assert lost(course, "calls_ref") == {"test_gradient_norms_by_lag"}
    assert grades(course, "calls_ref")[0] == MAX_SCORE - 3
    assert (
        "your gradient_norms_by_lag uses lstm_ref, which the grader does not have"
        in feedback(course, "calls_ref")
    )


def test_wrong_quick_check_answers_cost_their_points_and_say_so(course):
    assert lost(course, "wrong_answers") == {
        "check_rnn_parameter_count",
        "check_vanishing_condition",
    }
    assert grades(course, "wrong_answers")[0] == MAX_SCORE - 2
    text = feedback(course, "wrong_answers")
    assert "answer_rnn_parameter_count = 3200 is not right" in text
    assert "answer_vanishing_condition = 'b' is not right" in text


def test_no_a1_release_or_feedback_file_leaks_solutions_or_hidden_tests(course):
    run_autograder("release", "A1", course=course["root"])
    secrets = secret_lines(MASTER, STUDENT)
    released = [p for p in (course["root"] / "release").rglob("*") if p.is_file()]
    given = [p for p in (course["root"] / "feedback").rglob("*") if p.is_file()]
    assert released
    assert len(given) >= len(GRADED)
    for path in released + given:
        assert leaks(secrets["hidden"], path) == [], path
        assert "HIDDEN TESTS" not in readable_text(path), path
    for path in [*released, course["root"] / "feedback/blank/A1/A1.html"]:
        assert leaks(secrets["solution"], path) == [], path
    # A failing test's traceback shows its message, not the failing line.
    text = feedback(course, "no_dh_carry")
    assert "---->" not in text
    assert "Cell In[" not in text
