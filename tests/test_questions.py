"""The question key: right answers pass, wrong ones fail, nothing in clear text."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import numpy as np
import pytest

from lstm_ref import (
    adam_step,
    clip_grad_norm,
    init_gru_params,
    init_lstm_params,
    questions,
    sliding_windows,
)
from lstm_ref.questions import QUESTIONS, check_answer, key_entry


def _window_count() -> int:
    """Windows of 12 steps, horizon 1 and stride 1 cut from 100 values."""
    x, y = sliding_windows(np.arange(100.0), 12, horizon=1, stride=1)
    assert x.shape[0] == y.shape[0]
    return x.shape[0]


def _clip_factor() -> float:
    """The factor clip_grad_norm applies to gradients of global norm 20 at 5."""
    grads = {"W": np.array([[12.0]]), "b": np.array([16.0])}  # norm 20
    clipped, total_norm = clip_grad_norm(grads, 5.0)
    assert total_norm == pytest.approx(20.0)
    factors = [clipped[k] / grads[k] for k in grads]
    assert np.allclose(factors[0], factors[1])
    return float(factors[0].item())


def _adam_first_step(gradient: float) -> float:
    """The size of adam_step's first update of one parameter at lr = 0.01."""
    params = {"w": np.array([3.0])}
    new_params, _ = adam_step(params, {"w": np.array([gradient])}, lr=0.01)
    return float(abs(new_params["w"][0] - params["w"][0]))


def _detector_counts() -> tuple[int, int, int]:
    """(true positives, flagged, real anomalies) of a small worked example."""
    real = np.zeros(40, dtype=bool)
    real[:10] = True  # 10 real anomalies
    flagged = np.zeros(40, dtype=bool)
    flagged[4:12] = True  # 8 flagged: steps 4-9 real, 10-11 false alarms
    return int(np.sum(flagged & real)), int(np.sum(flagged)), int(np.sum(real))


def _gru_parameter_count() -> int:
    """Trainable numbers of lstm_ref's GRU with H = 10 and D = 5."""
    params = init_gru_params(input_size=5, hidden_size=10, rng=0)
    return sum(value.size for value in params.values())


# The right answers, so that the key can be checked to accept exactly them.
# Numeric answers are computed (from lstm_ref or a worked example), not written
# down; a choice's letter is not the answer without the question. An answer
# that lstm_ref computes is a function, called inside the test that needs it
# (right_answer), so that a bug in lstm_ref fails those tests, not the
# collection of this module.
RIGHT = {
    # Chapters 1-2 (assignment A1).
    "sequence_batch_shape": (32, 50, 8),
    "rnn_unrolling": "c",
    "rnn_parameter_count": 4 * (4 + 3) + 4,
    "rnn_two_steps": math.tanh(0.5 * math.tanh(1.0) + 0.5 * 1.0),
    "rnn_step_jacobian": "d",
    "vanishing_condition": "a",
    "lag_below_one_percent": math.ceil(math.log(0.01) / math.log(0.8)),
    "exploding_not_guaranteed": "c",
    # Chapters 3-8 (assignment A2).
    "cell_state_role": "b",
    "forget_fraction_30_steps": 0.95**30,
    "forget_gate_range": "c",
    "forget_fraction_bias_two": (1.0 / (1.0 + math.exp(-2.0))) ** 3,
    "candidate_tanh": "a",
    "cell_update_value": 0.5 * 2.0 + 0.8 * -0.5,
    "output_gate_role": "d",
    "fused_weight_shape": (12, 8),
    # Chapters 9-11 (assignment A3).
    "sigmoid_derivative": "c",
    "forget_grad_factor": "d",
    "cell_grad_value": 0.2 + 1.0 * 0.5 * (1.0 - 0.6**2),
    "weight_grad_shape": (4, 6),
    "truncated_bptt": "b",
    "weight_grad_accumulate": "c",
    "centred_difference_value": (1.1**3 - 0.9**3) / 0.2,
    "gradcheck_evaluations": 2 * 4 * 6,
    "cell_path_jacobian": "b",
    "cell_path_fraction": 0.98**50,
    "forget_bias_one": "d",
    "why_gradient_survives": "a",
    # Chapters 12-15 (assignment A4).
    "window_count": _window_count,
    "scaler_fit_split": "c",
    "padded_steps_loss": "b",
    "no_shuffle_split": "d",
    "clip_factor": _clip_factor,
    "adam_first_step": lambda: _adam_first_step(250.0),
    "forget_bias_init": "a",
    "early_stopping": "d",
    "seasonal_naive": "b",
    "anomaly_precision": lambda: _detector_counts()[0] / _detector_counts()[1],
    "anomaly_recall": lambda: _detector_counts()[0] / _detector_counts()[2],
    "baseline_first": "a",
    "lstm_removes_difficulties": "c",
    "gru_parameter_count": _gru_parameter_count,
    "attention_cost_growth": "b",
    "lstm_memory_forever": "d",
}


def exact_answer(question_id: str) -> object:
    """The right answer to a question, unrounded, computed now if it is computed."""
    answer = RIGHT[question_id]
    return answer() if callable(answer) else answer


def right_answer(question_id: str) -> object:
    """The right answer as a student gives it: a number to the stated precision."""
    answer = exact_answer(question_id)
    question = QUESTIONS[question_id]
    if question.kind == "numeric":
        return round(answer, question.decimals)
    return answer


def test_every_question_has_metadata_and_a_key_entry():
    assert set(questions._KEY) == set(QUESTIONS) == set(RIGHT)
    for question_id, question in QUESTIONS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", question_id)
        assert question.id == question_id
        assert question.kind in {"choice", "numeric", "shape"}
        assert question.prompt.strip()
        if question.kind == "choice":
            assert list(question.choices) == ["a", "b", "c", "d"]
        if question.kind == "numeric":
            assert question.decimals is not None


def test_a2_needs_questions_from_every_chapter_3_to_8():
    assert {q.chapter for q in QUESTIONS.values()} >= set(range(3, 9))
    assert questions.questions_for_chapter(4)[0].chapter == 4


@pytest.mark.parametrize("question_id", sorted(RIGHT))
def test_the_right_answer_is_accepted(question_id):
    assert check_answer(question_id, right_answer(question_id))


@pytest.mark.parametrize(
    "question_id", sorted(q for q in RIGHT if QUESTIONS[q].kind == "numeric")
)
def test_a_numeric_answer_is_accepted_only_to_the_stated_precision(question_id):
    decimals = QUESTIONS[question_id].decimals
    exact, given = exact_answer(question_id), right_answer(question_id)
    assert check_answer(question_id, str(given))
    assert check_answer(question_id, f"{given:.{decimals}f}")
    # One more decimal than asked for is not an answer, even when it rounds
    # to the right one, and the message says how to give it.
    finer = round(given + 0.3 * 10.0**-decimals, decimals + 1)
    assert questions.normalise_answer(question_id, finer) is None
    assert not check_answer(question_id, finer)
    how = f"round(x, {decimals})" if decimals else "round(x)"
    assert how in questions.answer_problem(question_id, finer)
    if abs(exact - given) > 1e-6 * 10.0**-decimals:  # more than float noise
        assert not check_answer(question_id, exact)


@pytest.mark.parametrize("question_id", sorted(RIGHT))
def test_every_other_choice_or_a_nearby_value_is_rejected(question_id):
    question = QUESTIONS[question_id]
    answer = right_answer(question_id)
    if question.kind == "choice":
        wrong = [letter for letter in question.choices if letter != answer]
    elif question.kind == "numeric":
        step = 10.0**-question.decimals
        wrong = [answer + step, answer - step, -answer, 0.0]
    else:
        wrong = [tuple(reversed(answer)), (*answer, 1), answer[:1]]
    for candidate in wrong:
        assert not check_answer(question_id, candidate), candidate


def test_choice_answers_ignore_case_whitespace_and_decorations():
    for answer in ["B", " b ", "(b)", "b)", "b.", "( B )"]:
        assert check_answer("cell_state_role", answer), answer
    full_text = QUESTIONS["cell_state_role"].choices["b"]
    assert check_answer("cell_state_role", "  " + full_text.upper() + " ")


def test_answers_of_the_wrong_kind_are_rejected_not_raised():
    assert not check_answer("cell_state_role", 2)
    assert not check_answer("cell_state_role", "e")
    assert not check_answer("cell_state_role", "bb")
    assert not check_answer("cell_state_role", None)
    assert not check_answer("cell_update_value", "about 0.6")
    assert not check_answer("cell_update_value", True)
    assert not check_answer("cell_update_value", float("nan"))
    assert not check_answer("fused_weight_shape", "twelve by eight")
    assert not check_answer("fused_weight_shape", (12.0, 8))
    assert not check_answer("fused_weight_shape", (True, 8))


def test_numeric_answers_are_checked_to_the_stated_precision():
    # sigma(2)^3 = 0.6833: the key holds 0.68, and only 0.68 is an answer.
    question_id = "forget_fraction_bias_two"
    exact = (1.0 / (1.0 + math.exp(-2.0))) ** 3
    for answer in [0.68, "0.68", " 0.680 ", round(exact, 2), np.float64(0.68)]:
        assert check_answer(question_id, answer), answer
    for answer in [exact, 0.6833, 0.675, 0.6849, np.float64(0.681), "0.683"]:
        assert questions.normalise_answer(question_id, answer) is None, answer
        assert not check_answer(question_id, answer), answer
    for answer in [0.67, 0.69, 0.7, "0.7"]:
        assert not check_answer(question_id, answer), answer
    # One decimal place: 0.64 is not "0.6 to one decimal place"; float
    # rounding error is not a decimal (0.1 * 3 + 0.3 is 0.6000000000000001).
    assert not check_answer("cell_update_value", 0.64)
    assert "give it to 1 decimal place, e.g. round(x, 1)" in (
        questions.answer_problem("cell_update_value", 0.64)
    )
    assert check_answer("cell_update_value", 0.1 * 3 + 0.3)
    assert check_answer("cell_update_value", round(np.float32(0.6372), 1))
    assert check_answer("cell_update_value", "0.60")  # a trailing zero
    assert check_answer("cell_update_value", "-0.0") is False
    # A whole number: 64 or 64.0, not 64.5.
    count = RIGHT["rnn_parameter_count"]
    assert check_answer("rnn_parameter_count", count)
    assert check_answer("rnn_parameter_count", float(count))
    assert check_answer("rnn_parameter_count", np.int64(count))
    assert not check_answer("rnn_parameter_count", count + 0.5)
    assert "a whole number, e.g. round(x)" in questions.answer_problem(
        "rnn_parameter_count", count + 0.5
    )


def test_minus_zero_and_zero_are_the_same_numeric_answer():
    # A value that rounds to zero is one answer whatever its sign: -0.004,
    # "-0.00", -0.0 and 0.0 give the digest of "0.00"; 0.01 and -0.01 do not.
    question_id = "forget_fraction_bias_two"  # two decimals
    assert QUESTIONS[question_id].decimals == 2
    salt = "00" * 8
    zero = key_entry(question_id, "0.00", salt=salt)
    for answer in ["-0.00", "-0", -0.0, 0.0, "+0.00", -0, "0"]:
        assert key_entry(question_id, answer, salt=salt) == zero, answer
    for answer in [0.01, -0.01]:
        assert key_entry(question_id, answer, salt=salt) != zero, answer
    for answer in [-0.004, "-0.0049", 0.004, "-0.005"]:  # more decimals than asked
        with pytest.raises(ValueError, match="more decimals"):
            key_entry(question_id, answer, salt=salt)


def test_shape_answers_accept_tuples_lists_and_numpy_integers_not_strings():
    for answer in [(12, 8), [12, 8], (np.int64(12), np.int32(8))]:
        assert check_answer("fused_weight_shape", answer), answer
    assert check_answer("fused_weight_shape", np.zeros((12, 8)).shape)
    for answer in ["(12, 8)", "12, 8", "12 x 8", "12x8"]:
        assert questions.normalise_answer("fused_weight_shape", answer) is None
        assert "a tuple of integers" in questions.answer_problem(
            "fused_weight_shape", answer
        )


def test_key_entry_with_the_stored_salt_reproduces_the_stored_digest():
    salt, digest = questions._KEY["forget_gate_range"]
    assert key_entry("forget_gate_range", "C", salt=salt) == (salt, digest)
    assert key_entry("forget_gate_range", "d", salt=salt) != (salt, digest)


def test_key_entry_uses_a_fresh_salt_and_rejects_malformed_answers():
    first, second = key_entry("cell_state_role", "a"), key_entry("cell_state_role", "a")
    assert first[0] != second[0]
    assert first[1] != second[1]
    with pytest.raises(ValueError, match="not a valid answer"):
        key_entry("cell_update_value", "six tenths")


def test_the_key_is_not_the_answers_in_clear_text():
    source = Path(questions.__file__).read_text()
    for salt, digest in questions._KEY.values():
        assert re.fullmatch(r"[0-9a-f]{16}", salt)
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
    # The numeric answers do not appear as numbers in the module.
    for answer in ["0.68", "0.21", "0.6\n", "0.6,", "0.6)", "0.52", "3.01", "0.36"]:
        assert answer not in source
    # Nor do the chapter 12-15 ones (0.01 is in a prompt: the learning rate).
    for answer in ["0.75", " 88", "(88", " 480", "(480"]:
        assert answer not in source


def test_a3_has_at_least_three_questions_for_each_chapter_9_to_11():
    for chapter in (9, 10, 11):
        assert len(questions.questions_for_chapter(chapter)) >= 3, chapter


def test_a4_has_at_least_three_questions_for_each_chapter_12_to_15():
    for chapter in (12, 13, 14, 15):
        assert len(questions.questions_for_chapter(chapter)) >= 3, chapter
        for question in questions.questions_for_chapter(chapter):
            assert question.id in questions._KEY, question.id


def test_chapter_15_asks_the_course_question_word_for_word():
    prompt = QUESTIONS["lstm_removes_difficulties"].prompt
    assert prompt == "Can an LSTM remove every training difficulty?"


@pytest.mark.parametrize("gradient", [250.0, -250.0, 0.003, -1e-6, 1e4])
def test_adams_first_step_has_the_same_size_whatever_the_gradients_scale(gradient):
    decimals = QUESTIONS["adam_first_step"].decimals
    assert check_answer("adam_first_step", round(_adam_first_step(gradient), decimals))


def _given(question_id: str, value: float) -> float:
    """value to the question's stated precision, as a student would give it."""
    return round(value, QUESTIONS[question_id].decimals)


def test_common_slips_on_the_chapter_12_to_15_numbers_are_rejected():
    # Each slip given to the stated precision: the key, not the precision
    # check, rejects it.
    true_positives, flagged, real = _detector_counts()
    assert not check_answer("window_count", _window_count() + 1)  # n - L + 1
    assert not check_answer(
        "clip_factor", _given("clip_factor", 20.0 / 5.0)
    )  # the inverse factor
    assert not check_answer(
        "anomaly_precision", _given("anomaly_precision", true_positives / real)
    )  # recall
    assert not check_answer(
        "anomaly_recall", _given("anomaly_recall", true_positives / flagged)
    )  # precision
    lstm_params = init_lstm_params(input_size=5, hidden_size=10, rng=0)
    lstm_count = sum(value.size for value in lstm_params.values())
    assert not check_answer("gru_parameter_count", lstm_count)
    # Without bias correction Adam's first step is lr * 0.1 / sqrt(0.001).
    assert not check_answer(
        "adam_first_step", _given("adam_first_step", 0.01 * 0.1 / math.sqrt(0.001))
    )


def test_unknown_question_ids_raise_a_key_error_listing_the_known_ones():
    with pytest.raises(KeyError, match="known ids: .*cell_state_role"):
        check_answer("no_such_question", "a")


def test_format_question_shows_the_prompt_and_every_choice():
    text = questions.format_question("output_gate_role")
    assert text.startswith(QUESTIONS["output_gate_role"].prompt)
    for letter, choice in QUESTIONS["output_gate_role"].choices.items():
        assert f"({letter}) {choice}" in text


def test_the_maintainer_command_prints_a_key_entry_that_checks(monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt: " 0.25 ")
    assert questions.main(["key", "forget_fraction_bias_two"]) == 0
    printed = capsys.readouterr().out
    salt, digest = re.findall(r'"([0-9a-f]+)"', printed)
    assert key_entry("forget_fraction_bias_two", 0.25, salt=salt) == (salt, digest)


def test_the_maintainer_command_explains_its_usage(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert questions.main([]) == 2
