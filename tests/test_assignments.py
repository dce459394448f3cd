"""The master notebooks and the student notebooks generated from them."""

from __future__ import annotations

import json
import os
import re

import pytest
from notebook_regions import REPO, cell_sources, leaks, secret_lines
from notebook_regions import cell_by_grade_id as _cell
from notebook_regions import cell_source as _source
from notebook_regions import nbgrader_meta as _nbgrader

from lstm_ref.questions import QUESTIONS, check_answer, format_question

MASTER = REPO / "solutions" / "A2" / "A2.ipynb"
STUDENT = REPO / "book" / "assignments" / "A2.ipynb"
PAGE = REPO / "book" / "assignments" / "A2.md"
# A2 asks the quick checks of chapters 3-8; the other chapters' belong to
# the other assignments.
A2_QUESTIONS = [q.id for q in QUESTIONS.values() if 3 <= q.chapter <= 8]


@pytest.fixture(scope="module")
def master() -> dict:
    return json.loads(MASTER.read_text())


def test_every_test_cell_says_first_what_it_checks_and_has_hidden_tests(master):
    tests = [c for c in master["cells"] if _nbgrader(c).get("grade")]
    assert len(tests) == 9 + len(A2_QUESTIONS)
    for cell in tests:
        first_line = _source(cell).split("\n")[0]
        assert first_line.startswith("# Checks "), first_line
        assert "### BEGIN HIDDEN TESTS" in _source(cell)


def test_every_contract_function_is_written_by_the_student(master):
    functions = {
        "sigmoid": "(z)",
        "forget_gate": "(x_t, h_prev, W_f, b_f)",
        "input_gate": "(x_t, h_prev, W_i, b_i)",
        "candidate": "(x_t, h_prev, W_c, b_c)",
        "cell_update": "(f_t, c_prev, i_t, c_tilde)",
        "output_gate": "(x_t, h_prev, W_o, b_o)",
        "lstm_cell_forward": "(x_t, h_prev, c_prev, params)",
        "lstm_forward": "(x, h0, c0, params)",
    }
    solutions = {
        _nbgrader(c)["grade_id"]: _source(c)
        for c in master["cells"]
        if _nbgrader(c).get("solution")
    }
    for name, signature in functions.items():
        assert f"def {name}{signature}:" in solutions[name]


def test_every_question_is_asked_answered_and_checked_in_a2(master):
    sources = cell_sources(MASTER)
    ids = {_nbgrader(c).get("grade_id") for c in master["cells"]}
    for question_id in A2_QUESTIONS:
        assert any(format_question(question_id) in s for s in sources), question_id
        assert f"answer_{question_id}" in ids
        assert f"check_{question_id}" in ids


def test_points_add_up_to_what_the_notebook_and_the_page_say(master):
    total = sum(_nbgrader(c).get("points", 0) for c in master["cells"])
    intro = _source(master["cells"][0])
    table = [
        int(row.split("|")[-2]) for row in re.findall(r"^\| \d .*\|$", intro, re.M)
    ]
    assert sum(table) == total
    assert f"worth {total} points in total" in PAGE.read_text()
    assert f"{len(A2_QUESTIONS)} of the {total:g})" in intro


@pytest.fixture(scope="module")
def student() -> dict:
    return json.loads(STUDENT.read_text())


def test_quick_checks_say_right_or_wrong_at_once_and_say_why_few_points(student):
    for question_id in A2_QUESTIONS:
        cell = _cell(student, f"check_{question_id}")
        first_line, visible = _source(cell).split("\n", 1)
        assert first_line.endswith("right or wrong at once."), first_line
        assert f'check_quick_answer("answer_{question_id}", "{question_id}")' in (
            visible
        )
        assert _nbgrader(cell)["points"] == 1
    # The master's helper cell imports the judge-side module; the student's
    # copy of it is generated (common + a2_visible + the embedded key).
    master = json.loads(MASTER.read_text())
    helper = _source(_cell(master, "test_helpers")).splitlines()
    assert [line for line in helper[1:] if line] == [
        "from autograder.testkit.a2 import *  # noqa: F403",
        "bind(globals())",
    ]
    assert "check_answer_format" not in STUDENT.read_text()
    intro = _source(student["cells"][0])
    assert "as often as you like" in intro
    assert "worth one point only" in intro


def _student_namespace(student: dict) -> dict:
    """The namespace a student's kernel has after the setup and helper cells."""
    namespace: dict = {}
    setup = next(
        c
        for c in student["cells"]
        if c["cell_type"] == "code" and "import numpy as np" in _source(c)
    )
    exec(_source(setup), namespace)
    exec(_source(_cell(student, "test_helpers")), namespace)
    return namespace


def _master_answer(master: dict, question_id: str) -> object:
    solution = _source(_cell(master, f"answer_{question_id}"))
    namespace: dict = {}
    exec(solution, namespace)
    return namespace[f"answer_{question_id}"]


def _a_wrong_answer(question_id: str, right: object) -> object:
    question = QUESTIONS[question_id]
    if question.kind == "choice":
        return next(
            letter for letter in "abcd" if not check_answer(question_id, letter)
        )
    if question.kind == "numeric":
        return right + 3 * 10.0**-question.decimals
    return (*reversed(right), 1)


@pytest.mark.parametrize("question_id", A2_QUESTIONS)
def test_the_visible_quick_check_passes_the_masters_answer_and_fails_a_wrong_one(
    master, student, question_id, capsys
):
    """The student's visible check cell, run as the notebook runs it."""
    visible = _source(_cell(student, f"check_{question_id}"))
    variable = f"answer_{question_id}"
    namespace = _student_namespace(student)
    right = _master_answer(master, question_id)
    namespace[variable] = right
    exec(visible, namespace)
    assert f"Right: {variable} = " in capsys.readouterr().out
    wrong = _a_wrong_answer(question_id, right)
    assert not check_answer(question_id, wrong)
    namespace[variable] = wrong
    chapter = QUESTIONS[question_id].chapter
    with pytest.raises(
        AssertionError, match=f"is not right.*re-read chapter {chapter}"
    ):
        exec(visible, namespace)
    namespace[variable] = ["not", "an", "answer"]
    with pytest.raises(AssertionError, match=f"{variable} = .* is not (one|a)"):
        exec(visible, namespace)
    del namespace[variable]
    with pytest.raises(AssertionError, match=f"{variable} is not set"):
        exec(visible, namespace)


def test_the_a2_page_offers_the_student_notebook_for_download():
    page = PAGE.read_text()
    assert re.search(r"\{download\}`[^`<]*<A2\.ipynb>`", page)
    assert page.startswith("(a2)=\n# Assignment A2")


def test_the_built_book_holds_no_hidden_test_and_no_quick_check_answer():
    """The HTML pages, their sources and downloads (``make book`` first)."""
    html = REPO / "_build" / "html"
    if not (html / "index.html").exists():
        if os.environ.get("CI"):  # CI always builds the book first
            pytest.fail("the book is not built, and CI is set")
        pytest.skip("the book is not built (make book)")
    secrets = secret_lines(MASTER, STUDENT)
    answers = [line for line in secrets["solution"] if line.startswith("answer_")]
    assert len(answers) == len(A2_QUESTIONS)
    # The chapters may show a gate in code on purpose (it is what they teach);
    # hidden tests and the answers to graded questions must never appear.
    for path in html.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".ipynb", ".md", ".txt"}:
            assert leaks(secrets["hidden"] + answers, path) == [], path
