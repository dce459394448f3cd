"""The book prints each chapter's graded quick checks from lstm_ref.questions."""

from __future__ import annotations

import pytest

from lstm_ref.questions import (
    QUESTIONS,
    assignment_for_chapter,
    format_question,
    graded_questions_markdown,
    questions_for_chapter,
)


@pytest.mark.parametrize(
    ("chapter", "assignment"),
    [
        (1, "A1"),
        (2, "A1"),
        (3, "A2"),
        (8, "A2"),
        (9, "A3"),
        (11, "A3"),
        (12, "A4"),
        (15, "A4"),
    ],
)
def test_each_chapter_maps_to_the_assignment_of_its_part(chapter, assignment):
    assert assignment_for_chapter(chapter) == assignment


@pytest.mark.parametrize("chapter", [0, 16, "3"])
def test_a_chapter_outside_the_book_is_rejected(chapter):
    with pytest.raises(ValueError, match="chapter must be between 1 and 15"):
        assignment_for_chapter(chapter)


def test_every_chapter_of_the_book_has_graded_questions():
    for chapter in range(1, 16):
        assert questions_for_chapter(chapter), chapter
        assert graded_questions_markdown(chapter).startswith("1. "), chapter


def test_graded_questions_markdown_lists_every_question_of_the_chapter():
    for chapter in sorted({q.chapter for q in QUESTIONS.values()}):
        text = graded_questions_markdown(chapter)
        questions = questions_for_chapter(chapter)
        for number, question in enumerate(questions, 1):
            first_line = format_question(question.id).splitlines()[0]
            expected = (
                f"{number}. {first_line} "
                f"*(graded in {assignment_for_chapter(chapter)})*"
            )
            assert expected in text
        assert text.count("*(graded in") == len(questions)
