"""The book's quick checks: printed from lstm_ref.questions, never answered.

Three groups of tests:

- the chapters print each graded question from ``lstm_ref.questions``;
- the choice questions do not give their answer away by their form: options of
  about equal length, none carrying a justification the others lack (that is
  the feedback for a right answer, stored encrypted and never printed);
- the built HTML book (``_build/html``, or ``$BOOK_BUILD_DIR/html``) does not
  print a graded answer near its question: on the page of the question's
  chapter, outside the question's own list item.

What counts as printing an answer (a "hit"), in the forms a student would see:

numeric
    A number in the page's text (prose, code, outputs, formulas, the text of
    the explorers' precomputed panels) that ``check_answer`` accepts once
    rounded to the stated precision (0.675 for a key of 0.68), also
    written as a percentage (``25 %`` for 0.25) or in scientific notation,
    and written as a computed answer would be printed: to the stated
    precision or one digit more, or exactly (``0.6000`` for a key of 0.6).
    A longer number that merely rounds to the key (``0.622`` for 0.6) is not.
    Anywhere in the quick-check section it is a hit. Elsewhere on the page it
    is a hit when, within ``CONTEXT_CHARS`` characters, the text also shows at
    least two of the values the question gives (all of them if it gives
    fewer; 0 and 1 are too common to count): that is the question's own
    set-up worked out, not a coincidence such as a batch of 32 on a page
    whose answer is 32, or "21 values of the slider" on a page whose answer
    is 21. When the answer equals
    a value the question gives (Adam's first step and its learning rate), only
    a number written to the answer's stated precision counts.
shape
    A tuple ``(a, b, ...)`` or a product ``a × b × ...`` that the key accepts,
    anywhere on the page.
choice
    The right option's text, or the text of its feedback, anywhere on the page
    outside the question (typographic quotes read as the key's ' and "); or
    a sentence naming its letter ("option (c)", "answer (c)"). Options with
    fewer than ``MIN_OPTION_WORDS`` words outside their formulas are not
    searched for: the chapter derives that formula, which is what the
    question checks.

Without the built book these HTML tests skip, and fail when ``CI`` is set
(CI builds the book first).
"""

from __future__ import annotations

import json
import os
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from lstm_ref.questions import (
    QUESTIONS,
    Question,
    assignment_for_chapter,
    check_answer,
    feedback,
    format_question,
    graded_questions_markdown,
    questions_for_chapter,
)

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = Path(os.environ.get("BOOK_BUILD_DIR", ROOT / "_build"))
TOC_FILE = Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
HTML_DIR = BUILD_DIR / "html"
CHAPTERS = range(1, 16)
CONTEXT_CHARS = 300
MIN_OPTION_WORDS = 4
CHOICE_QUESTIONS = [q for q in QUESTIONS.values() if q.kind == "choice"]


# --- the chapters print the graded questions -------------------------------


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
    for chapter in CHAPTERS:
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


# --- the options do not give the answer away by their form -----------------


def _shown_length(text: str) -> int:
    """About how many characters a reader sees: TeX commands and $ dropped."""
    return len(re.sub(r"\\[a-zA-Z]+|[${}\\]", "", text))


def _right_letter(question: Question) -> str:
    letters = [k for k in question.choices or {} if check_answer(question.id, k)]
    assert len(letters) == 1, question.id
    return letters[0]


@pytest.mark.parametrize("question", CHOICE_QUESTIONS, ids=lambda q: q.id)
def test_the_options_of_a_choice_question_are_about_equally_long(question):
    lengths = [_shown_length(text) for text in question.choices.values()]
    spread = max(lengths) - min(lengths)
    assert spread <= max(12, 0.25 * max(lengths)), (question.id, lengths)


def test_the_right_option_is_rarely_the_longest_or_the_shortest():
    """No more often than a third of the time (chance alone: about a quarter)."""
    longest = shortest = 0
    for question in CHOICE_QUESTIONS:
        lengths = {k: _shown_length(v) for k, v in question.choices.items()}
        right = lengths.pop(_right_letter(question))
        longest += right > max(lengths.values())
        shortest += right < min(lengths.values())
    assert longest <= len(CHOICE_QUESTIONS) / 3, longest
    assert shortest <= len(CHOICE_QUESTIONS) / 3, shortest


@pytest.mark.parametrize("question", CHOICE_QUESTIONS, ids=lambda q: q.id)
def test_a_right_choice_gets_its_explanation_and_a_wrong_one_none(question):
    right = _right_letter(question)
    explanation = feedback(question.id, right)
    assert explanation, question.id
    assert len(explanation.split()) >= 10, question.id
    assert feedback(question.id, f"({right.upper()})") == explanation
    for letter in question.choices:
        if letter != right:
            assert feedback(question.id, letter) is None, (question.id, letter)
    # Printing the question (book, notebooks) never shows the explanation.
    assert explanation not in format_question(question.id)
    assert explanation not in graded_questions_markdown(question.chapter)


def test_the_feedback_is_not_stored_in_clear_text():
    from lstm_ref import questions

    source = Path(questions.__file__).read_text()
    assert re.search(r"^_FEEDBACK: dict\[str, str\] = \{", source, re.M)
    for entry in questions._FEEDBACK.values():
        assert re.fullmatch(r"(?:[0-9a-f]{2})+", entry)
    printed = " ".join(format_question(q) for q in QUESTIONS)
    for question in CHOICE_QUESTIONS:
        explanation = feedback(question.id, _right_letter(question))
        words = explanation.split()
        for start in range(0, len(words) - 5, 3):
            phrase = " ".join(words[start : start + 6])
            assert phrase in printed or phrase not in source, question.id


def test_feedback_rejects_unknown_ids_like_check_answer():
    with pytest.raises(KeyError, match="unknown question id"):
        feedback("no_such_question", "a")


# --- the built book prints no graded answer near its question --------------


def _chapter_pages(toc_path: Path) -> dict[int, str]:
    """Chapter number -> docname, from the file names (04_forget_gate: 4)."""
    toc = yaml.safe_load(toc_path.read_text())
    pages: dict[int, str] = {}

    def walk(entries):
        for entry in entries or []:
            match = re.match(r"(\d+)_", Path(str(entry.get("file", ""))).name)
            if "file" in entry and match:
                pages[int(match.group(1))] = str(Path(entry["file"]).with_suffix(""))
            for key in ("sections", "chapters", "parts"):
                walk(entry.get(key))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return pages


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: build the book first (make book)")
    pytest.skip(f"{reason} (make book)")


def _collapse(text: str) -> str:
    return " ".join(text.split())


# Sphinx's smart quotes turn the key's ' and " into typographic ones in the
# built prose (the gates' -> the gates’); compare both in the key's form.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def _plain(text: str) -> str:
    """Text for comparing prose: math delimiters, TeX spacing, quotes' form
    and case dropped."""
    text = text.translate(_QUOTES)
    text = text.replace("\\(", " ").replace("\\)", " ").replace("$", " ")
    text = re.sub(r"\\[,;:! ]", " ", text)
    return _collapse(text).lower()


def _widget_texts(soup: BeautifulSoup) -> list[str]:
    """The text of the HTML panels and labels held in the embedded widget state."""
    texts = []
    for script in soup.find_all("script", type=re.compile("widget-state")):
        try:
            state = json.loads(script.string or "{}")
        except json.JSONDecodeError:
            continue
        for model in state.get("state", {}).values():
            value = model.get("state", {}).get("value")
            if isinstance(value, str) and value:
                texts.append(BeautifulSoup(value, "html.parser").get_text(" "))
            description = model.get("state", {}).get("description")
            if isinstance(description, str) and description:
                texts.append(description)
    return texts


class Page:
    """A chapter page split into its graded items and the rest of its text."""

    def __init__(self, path: Path, questions: list[Question]):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        widgets = _widget_texts(soup)
        article = soup.select_one("article.bd-article") or soup.body
        for tag in article.find_all(["script", "style", "noscript"]):
            tag.decompose()
        items = [
            li
            for li in article.find_all("li")
            if li.find("em", string=re.compile(r"^\(graded in A\d\)$"))
        ]
        assert len(items) == len(questions), (
            f"{path.name}: {len(items)} graded items for {len(questions)} questions"
        )
        self.items = [_collapse(li.get_text(" ")) for li in items]
        quick = items[0].find_parent("section") if items else None
        for li in items:
            li.decompose()
        self.quick = _collapse(quick.get_text(" ")) if quick else ""
        if quick:
            quick.decompose()
        self.rest = _collapse(" ".join([article.get_text(" "), *widgets]))


_NUMBER = re.compile(
    r"(?<![\w.])([-−]?\d+(?:\.\d+)?)(?:\s*[eE]\s*([-−+]?\d+))?(\s*%)?(?![\w])"
)
_TUPLE = re.compile(r"\(\s*\d+(?:\s*,\s*\d+)+\s*,?\s*\)")
_PRODUCT = re.compile(r"\d+(?:\s*(?:×|\\times)\s*\d+)+")
_PRECISION = re.compile(r"to \d+ decimal places?", re.I)


def _numbers(text: str):
    """(start, Decimal value, the text as written) for each number in text."""
    for match in _NUMBER.finditer(text):
        mantissa, exponent, percent = match.groups()
        try:
            value = Decimal(mantissa.replace("−", "-"))
            if exponent:
                value = value.scaleb(int(exponent.replace("−", "-")))
        except InvalidOperation:
            continue
        if percent:
            value /= 100
        yield match.start(), value, match.group(0)


def _given_values(question: Question) -> set[Decimal]:
    prompt = _PRECISION.sub(" ", question.prompt)
    return {value for _, value, _ in _numbers(prompt)} - {Decimal(0), Decimal(1)}


def _decimals(value: Decimal) -> int:
    """Decimal places of a number as written (0.675, 67.5 %: 3; 25 %: 2)."""
    return max(0, -value.as_tuple().exponent)


def _numeric_hits(question: Question, page: Page) -> list[str]:
    given = _given_values(question)
    needed = min(2, len(given))
    answer_is_given = any(check_answer(question.id, str(v)) for v in given)
    stated = question.decimals or 0
    hits = []
    quantum = Decimal(1).scaleb(-stated)
    for where, text in (("quick-check section", page.quick), ("page", page.rest)):
        for start, value, written in _numbers(text):
            places = _decimals(value)
            try:
                exact = value == value.quantize(quantum)
            except InvalidOperation:  # too many digits to round (1e40): no answer
                continue
            if places > stated + 1 and not exact:
                continue  # merely rounds to the key: 0.622 is not 0.6
            # One digit more is the answer before rounding (0.675 for 0.68):
            # check_answer takes only the stated precision, so round first.
            rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
            if not check_answer(question.id, str(rounded)):
                continue
            if answer_is_given and places < stated:
                continue
            window = text[max(0, start - CONTEXT_CHARS) : start + CONTEXT_CHARS]
            seen = {v for _, v, _ in _numbers(window)} & given
            if where == "page" and len(seen) < needed:
                continue
            snippet = text[max(0, start - 80) : start + 80]
            hits.append(
                f"{question.id}: {written.strip()!r} in the {where}: …{snippet}…"
            )
    return hits


def _shape_hits(question: Question, page: Page) -> list[str]:
    hits = []
    for text in (page.quick, page.rest):
        for match in [*_TUPLE.finditer(text), *_PRODUCT.finditer(text)]:
            values = tuple(int(v) for v in re.findall(r"\d+", match.group(0)))
            if check_answer(question.id, values):
                start = match.start()
                snippet = text[max(0, start - 80) : start + 80]
                hits.append(f"{question.id}: {match.group(0)!r}: …{snippet}…")
    return hits


def _choice_hits(question: Question, page: Page) -> list[str]:
    right = _right_letter(question)
    text = _plain(page.quick + " " + page.rest)
    hits = []
    option = _plain(question.choices[right])
    prose = re.sub(r"\$[^$]*\$", " ", question.choices[right]).split()
    if len(prose) >= MIN_OPTION_WORDS and option.rstrip(".") in text:
        hits.append(f"{question.id}: the right option's text is on the page")
    explanation = _plain(feedback(question.id, right) or "")
    if explanation and explanation in text:
        hits.append(f"{question.id}: the right answer's feedback is on the page")
    letter = re.compile(rf"\b(?:option|answer|choice)\s*\(?{right}\)", re.I)
    for match in letter.finditer(page.quick + " " + page.rest):
        hits.append(f"{question.id}: the letter is named: {match.group(0)!r}")
    return hits


def answer_hits(chapter: int, page: Page) -> list[str]:
    """Every place the page prints a graded answer of ``chapter`` (see above)."""
    hits = []
    for question in questions_for_chapter(chapter):
        find = {"numeric": _numeric_hits, "shape": _shape_hits}.get(
            question.kind, _choice_hits
        )
        hits.extend(find(question, page))
    return hits


def _load_page(chapter: int) -> Page:
    if not HTML_DIR.is_dir():
        _missing(f"the book is not built: {HTML_DIR} does not exist")
    docname = _chapter_pages(TOC_FILE).get(chapter)
    if docname is None:
        _missing(f"chapter {chapter} is not in {TOC_FILE}")
    path = HTML_DIR / f"{docname}.html"
    if not path.exists():
        _missing(f"{path} is not built")
    return Page(path, questions_for_chapter(chapter))


# Known defects of the book, each with the reason, strict so that a fix must
# remove it from here. None is open: the answer-like numbers of chapters 4
# and 14 and the question texts of chapters 3, 4, 9, 10 and 11 (smart quotes)
# were fixed in issue 14.
KNOWN_HITS: dict[int, str] = {}
KNOWN_MISQUOTED: dict[int, str] = {}


def _known(chapter, table):
    if chapter in table:
        return pytest.param(
            chapter, marks=pytest.mark.xfail(reason=table[chapter], strict=True)
        )
    return chapter


@pytest.mark.parametrize(
    "chapter",
    [_known(c, KNOWN_HITS) for c in CHAPTERS],
    ids=lambda c: f"chapter-{c:02d}",
)
def test_the_built_chapter_prints_no_graded_answer(chapter):
    page = _load_page(chapter)
    hits = answer_hits(chapter, page)
    assert hits == [], "\n".join(hits)


@pytest.mark.parametrize(
    "chapter",
    [_known(c, KNOWN_MISQUOTED) for c in CHAPTERS],
    ids=lambda c: f"chapter-{c:02d}",
)
def test_the_built_chapter_prints_each_question_as_the_key_has_it(chapter):
    """The search above reads the right page: its items are these questions."""
    page = _load_page(chapter)
    for item, question in zip(page.items, questions_for_chapter(chapter), strict=True):
        assert _plain(item).startswith(_plain(question.prompt)[:40]), question.id
        for letter, option in (question.choices or {}).items():
            assert _plain(f"({letter}) {option}") in _plain(item), (question.id, letter)


# --- the search itself finds what it should, and only that -----------------


def _fake_chapter(tmp_path: Path, chapter: int, prose: str) -> Page:
    """A page laid out as the book's: prose, then the graded list."""
    items = "".join(
        f"<li><p>{format_question(q.id)} <em>(graded in A4)</em></p></li>"
        for q in questions_for_chapter(chapter)
    )
    html = (
        '<html><body><article class="bd-article">'
        f"<section><h1>Chapter</h1><p>{prose}</p></section>"
        f"<section><h2>Quick-check questions</h2><ol>{items}</ol></section>"
        "</article></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    return Page(path, questions_for_chapter(chapter))


def test_the_search_finds_a_worked_answer_next_to_the_questions_set_up(tmp_path):
    factor = 5 / 20  # clip_factor's set-up: a global norm of 20 clipped at 5
    prose = f"A global norm of 20 clipped at 5 multiplies it by {factor:.2f}."
    hits = answer_hits(13, _fake_chapter(tmp_path, 13, prose))
    assert [h.split(":")[0] for h in hits] == ["clip_factor"]
    as_percent = f"Clipping 20 at 5 keeps {100 * factor:.0f} % of the norm."
    assert answer_hits(13, _fake_chapter(tmp_path, 13, as_percent))


def test_the_search_ignores_the_value_without_the_questions_set_up(tmp_path):
    factor = 5 / 20
    prose = f"A quarter of the windows, {factor:.2f} of them, are kept."
    assert answer_hits(13, _fake_chapter(tmp_path, 13, prose)) == []


def test_the_search_ignores_a_longer_number_that_merely_rounds_to_the_key(tmp_path):
    # cell_update_value's set-up (f = 0.5, C = 2, i = 0.8, candidate -0.5)
    # next to an unrelated 0.622 that rounds to the key at one decimal.
    right = 0.5 * 2 + 0.8 * -0.5
    near = right + 0.022
    prose = f"With f = 0.5, C = 2 and i = 0.8 the gate o_t is {near:.3f}."
    assert answer_hits(6, _fake_chapter(tmp_path, 6, prose)) == []
    prose = f"With f = 0.5, C = 2 and i = 0.8 the new state is {right:.4f}."
    assert answer_hits(6, _fake_chapter(tmp_path, 6, prose))


def test_the_search_finds_the_answer_written_with_one_digit_more(tmp_path):
    # clip_factor (0.25 to 2 decimal places) before rounding, next to its set-up.
    for written in ("0.248", "0.251", "24.8 %"):
        prose = f"A global norm of 20 clipped at 5 gives {written} here."
        hits = answer_hits(13, _fake_chapter(tmp_path, 13, prose))
        assert [h.split(":")[0] for h in hits] == ["clip_factor"], written
    prose = "A global norm of 20 clipped at 5 gives 0.244 here."
    assert answer_hits(13, _fake_chapter(tmp_path, 13, prose)) == []


def test_the_search_finds_a_right_option_printed_with_smart_quotes(tmp_path):
    # Sphinx prints the key's apostrophes as ’ in the prose of the book.
    question = next(q for q in CHOICE_QUESTIONS if "'" in q.choices[_right_letter(q)])
    prose = question.choices[_right_letter(question)].replace("'", "’")
    hits = answer_hits(
        question.chapter, _fake_chapter(tmp_path, question.chapter, prose)
    )
    assert f"{question.id}: the right option's text is on the page" in hits


def test_the_search_finds_a_right_option_or_its_letter_in_the_prose(tmp_path):
    question = QUESTIONS["lstm_memory_forever"]
    right = _right_letter(question)
    wrong = next(k for k in question.choices if k != right)
    for prose in (question.choices[right], f"so option ({right}) is right"):
        hits = answer_hits(15, _fake_chapter(tmp_path, 15, prose))
        assert [h.split(":")[0] for h in hits] == ["lstm_memory_forever"], prose
    prose = f"{question.choices[wrong]} Option ({wrong}) is a common belief."
    assert answer_hits(15, _fake_chapter(tmp_path, 15, prose)) == []


def test_the_search_finds_a_shape_as_a_tuple_or_a_product(tmp_path):
    hidden, inputs = 3, 5  # fused_weight_shape's set-up
    rows, cols = 4 * hidden, hidden + inputs
    for prose in (f"its shape is ({rows}, {cols})", f"a {rows} × {cols} matrix"):
        hits = answer_hits(8, _fake_chapter(tmp_path, 8, prose))
        assert [h.split(":")[0] for h in hits] == ["fused_weight_shape"], prose
