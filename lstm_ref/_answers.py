"""How a quick-check answer is read, checked and explained (standard library only).

This is the answer-checking logic, written once. ``lstm_ref.questions`` uses
it with the course's key, and ``python -m autograder generate`` copies this
file's source into every student notebook's helper cell together with that
assignment's part of the key (salted digests and encrypted feedback, never an
answer), so the notebook at home and the grader accept exactly the same
answers.

An answer is first normalised to a canonical text (``normalise``), then the
SHA-256 digest of ``salt, question id, canonical text`` is compared with the
key's. The rules, by kind of question:

``choice``
    One letter among the question's choices. Case, surrounding whitespace and
    decorations such as ``"(b)"``, ``"b)"`` or ``"b."`` are ignored; the full
    text of a choice is accepted for its letter.
``numeric``
    A number given to the precision the question states (``decimals``): an
    int, a float or a string such as ``"0.4"``, e.g. ``round(x, 1)`` for one
    decimal place. A number with more decimals is not an answer: ``0.37`` is
    not "0.4 to one decimal place", and the message says how to give it.
    Trailing zeros may be left out (``0.5`` for ``0.50``), and the rounding
    error of float arithmetic is no extra decimal (``0.1 + 0.2`` is
    ``0.3``). ``-0.0`` and ``0.0`` are the same answer.
``shape``
    A tuple (or a list) of non-negative integers such as ``(3, 5)``, not a
    string such as ``"3x5"``.

Feedback for a right answer is stored encrypted: the key is a second SHA-256
digest of the salt, the question id and the right canonical answer, under
another label than the key's digest, so the published digest does not give
it; a SHA-256 keystream is XORed with the UTF-8 text. Like the digest, this
hides the feedback (and the answer) from reading, not from guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from numbers import Integral, Real
from typing import NamedTuple


class Question(NamedTuple):
    """Public metadata of one question (everything but its answer)."""

    id: str  # stable snake_case id, used as the notebook's grade_id suffix
    chapter: int  # the book chapter that answers it
    kind: str  # "choice", "numeric" or "shape"
    prompt: str  # the question, in the book's notation (MyST/Markdown math)
    choices: Mapping[str, str] | None = None  # letter -> text, for "choice"
    decimals: int | None = None  # stated precision, for "numeric"


_DECORATED_LETTER = re.compile(r"^\(?([a-z])[).:]?$")
# A float within this relative distance of a number with the stated decimals
# is that number: the rounding error of float arithmetic, not a decimal.
_FLOAT_SLACK = 1e-9
FEEDBACK_LABEL = "lstm_ref.questions feedback"


def _collapse(text):
    return " ".join(text.split()).lower()


def normalise(question, answer):
    """The canonical text of ``answer`` to ``question``, or ``None`` when it
    is not an answer of the question's kind and precision (it can never be
    right; ``answer_problem`` says why)."""
    if question.kind == "choice":
        return _normalise_choice(question, answer)
    if question.kind == "numeric":
        return _normalise_numeric(question, answer)
    if question.kind == "shape":
        return _normalise_shape(answer)
    raise ValueError(f"question {question.id!r} has unknown kind {question.kind!r}")


def _normalise_choice(question, answer):
    if not isinstance(answer, str):
        return None
    text = _collapse(answer)
    match = _DECORATED_LETTER.match(text.replace(" ", ""))
    choices = question.choices or {}
    if match and match.group(1) in choices:
        return match.group(1)
    for letter, choice_text in choices.items():
        if text == _collapse(choice_text):
            return letter
    return None


def _as_decimal(answer):
    """(the number, whether it came from a float) or (None, False)."""
    if isinstance(answer, bool):
        return None, False
    if isinstance(answer, str):
        text, is_float = answer.strip(), False
    elif isinstance(answer, Integral):
        text, is_float = str(int(answer)), False
    elif isinstance(answer, Real):
        # str of a float (and of a NumPy float, float32 included) is the
        # shortest text that reads back as the same number: 0.1, not
        # 0.1000000000000000055511...
        text, is_float = str(answer), True
        try:
            Decimal(text)
        except InvalidOperation:
            text = repr(float(answer))
    else:
        return None, False
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, False
    if not value.is_finite():
        return None, False
    return value, is_float


def _normalise_numeric(question, answer):
    value, is_float = _as_decimal(answer)
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-(question.decimals or 0))
    try:
        stated = value.quantize(quantum)  # the nearest number of that precision
    except InvalidOperation:  # too many digits to round (e.g. 1e30): not an answer
        return None
    if stated != value:
        slack = Decimal(_FLOAT_SLACK) * max(abs(value), Decimal(1))
        if not is_float or abs(stated - value) > slack:
            return None  # more decimals than the question asks for
    if stated.is_zero():
        stated = abs(stated)  # "-0.00" and "0.00" are the same answer
    return str(stated)


def _normalise_shape(answer):
    if not isinstance(answer, tuple | list):
        return None
    values = list(answer)
    if not values or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 0 for v in values
    ):
        return None
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


def _precision(decimals):
    """How to give a number to ``decimals`` places, in words and in code."""
    if decimals == 0:
        return "a whole number, e.g. round(x)"
    places = "decimal place" if decimals == 1 else "decimal places"
    return f"it to {decimals} {places}, e.g. round(x, {decimals})"


def answer_problem(question, answer):
    """Why ``answer`` is not an answer to ``question`` (``""`` if it is one)."""
    if normalise(question, answer) is not None:
        return ""
    if question.kind == "choice":
        letters = ", ".join(f'"{letter}"' for letter in question.choices or {})
        return f'is not one of the letters {letters} (a string, e.g. "a")'
    if question.kind == "shape":
        if isinstance(answer, str):
            return (
                "is a string: give the shape as a tuple of integers, "
                "e.g. (2, 3), not '2x3'"
            )
        return "is not a tuple of non-negative integers, e.g. (2, 3)"
    how = _precision(question.decimals or 0)
    value, _ = _as_decimal(answer)
    if value is None:
        return f"is not a number: give {how}"
    return f"has more decimals than the question asks for: give {how}"


def digest(salt, question_id, normalised):
    """The key's digest of a canonical answer."""
    message = "\x1f".join((salt, question_id, normalised)).encode("utf-8")
    return hashlib.sha256(message).hexdigest()


def same_digest(salt, question_id, normalised, stored):
    """Whether the canonical answer has the stored digest."""
    return hmac.compare_digest(digest(salt, question_id, normalised), stored)


def feedback_stream(salt, question_id, normalised, length):
    """A SHA-256 keystream that only the right canonical answer yields."""
    seed = "\x1f".join((FEEDBACK_LABEL, salt, question_id, normalised))
    key = hashlib.sha256(seed.encode("utf-8")).digest()
    blocks = (
        hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        for counter in range(-(-length // 32))
    )
    return b"".join(blocks)[:length]


def xor(data, stream):
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


class AnswerKey:
    """The quick checks of a set of questions: ``QUESTIONS`` (id ->
    ``Question``), ``normalise_answer``, ``check_answer`` and ``feedback``.

    ``key``: id -> (salt, digest of the right canonical answer);
    ``encrypted``: id -> the hex text of the encrypted right-answer feedback.
    """

    def __init__(self, questions, key, encrypted):
        self.QUESTIONS = questions
        self.key = key
        self.encrypted = encrypted

    def question(self, question_id):
        try:
            return self.QUESTIONS[question_id]
        except KeyError:
            known = ", ".join(self.QUESTIONS)
            raise KeyError(
                f"unknown question id {question_id!r}; known ids: {known}"
            ) from None

    def normalise_answer(self, question_id, answer):
        """The canonical text of ``answer``, or ``None`` if it is not one."""
        return normalise(self.question(question_id), answer)

    def answer_problem(self, question_id, answer):
        """Why ``answer`` is not an answer (``""`` if it is one)."""
        return answer_problem(self.question(question_id), answer)

    def check_answer(self, question_id, answer):
        """Whether ``answer`` is the key's answer to ``question_id``."""
        normalised = self.normalise_answer(question_id, answer)
        try:
            salt, stored = self.key[question_id]
        except KeyError:
            raise KeyError(f"question {question_id!r} has no key entry yet") from None
        if normalised is None:
            return False
        return same_digest(salt, question_id, normalised, stored)

    def feedback(self, question_id, answer):
        """The explanation of a right answer, or ``None``."""
        if not self.check_answer(question_id, answer):
            return None
        if question_id not in self.encrypted:
            return None
        normalised = self.normalise_answer(question_id, answer)
        salt, _ = self.key[question_id]
        data = bytes.fromhex(self.encrypted[question_id])
        stream = feedback_stream(salt, question_id, normalised, len(data))
        return xor(data, stream).decode("utf-8")

    def encrypt_feedback(self, question_id, answer, text):
        """The hex text to store for ``text`` (``answer`` must be right)."""
        if not self.check_answer(question_id, answer):
            raise ValueError(f"{answer!r} is not the right answer to {question_id!r}")
        normalised = self.normalise_answer(question_id, answer)
        salt, _ = self.key[question_id]
        data = text.encode("utf-8")
        stream = feedback_stream(salt, question_id, normalised, len(data))
        return xor(data, stream).hex()
