"""The assignments' shared test machinery (autograder/testkit/common.py), at home.

In the grader the same functions run in the judge (tests/test_grader_faults.py
and the catalogue in tests/test_mistakes.py grade through it); here they run
as in a student's or an instructor's own kernel: a plain dict namespace.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.testkit import common


@pytest.fixture
def namespace():
    names = {}
    common.bind(names)
    return names


def test_call_returns_the_result_and_names_the_function_that_raises(namespace):
    def rnn_cell_forward(x_t, h_prev, params):
        return x_t + 1, None

    assert common.call(rnn_cell_forward, np.zeros(2), np.zeros(2), {})[0].sum() == 2

    def rnn_forward(x, h0, params):
        raise IndexError("index 3 is out of bounds")

    with pytest.raises(AssertionError, match=r"your rnn_forward raised IndexError"):
        common.call(rnn_forward, np.zeros((1, 3, 2)), np.zeros((1, 4)), {}, hint="h?")


def test_call_says_a_function_is_not_written_yet(namespace):
    def sigmoid(z):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="sigmoid is not written yet"):
        common.call(sigmoid, np.zeros(3))


def test_an_argument_changed_in_place_fails_first_and_is_named(namespace):
    def cell_update(f_t, c_prev, i_t, c_tilde):
        c_prev *= f_t  # the classic: C_{t-1} changed in place
        return c_prev + i_t * c_tilde

    f, c, i, g = (np.full((2, 3), v) for v in (0.5, 2.0, 0.25, 1.0))
    with pytest.raises(AssertionError, match=r"changed c_prev in place"):
        common.call(cell_update, f, c, i, g)
    # Nested arrays (a params dict) are copied and compared too.

    def lstm_cell_forward(x_t, h_prev, c_prev, params):
        params["W_f"] += 1
        return h_prev, c_prev, None

    params = {"W_f": np.zeros((2, 3))}
    with pytest.raises(AssertionError, match=r"changed params in place"):
        common.call(lstm_cell_forward, np.zeros((1, 1)), f, c, params)
    # ... unless the argument may change.
    common.call(
        lstm_cell_forward, np.zeros((1, 1)), f, c, params, may_change=("params",)
    )


def test_substitution_at_home_puts_the_reference_in_place_and_restores(namespace):
    namespace["sigmoid"] = lambda z: z * 0  # the student's (wrong) sigmoid

    def forget_gate(x_t, h_prev, W_f, b_f):
        return namespace["sigmoid"](x_t)

    def reference(z):
        return 1 / (1 + np.exp(-z))

    out = common.call(
        forget_gate, np.zeros(2), None, None, None, substitute={"sigmoid": reference}
    )
    np.testing.assert_array_equal(out, [0.5, 0.5])
    assert namespace["sigmoid"](np.ones(1))[0] == 0  # the student's again


def test_a_call_over_its_time_is_stopped(namespace):
    def fit_decay_rate(norms):
        while True:
            pass

    with pytest.raises(AssertionError, match=r"stopped after 0.2 s"):
        common.call(fit_decay_rate, np.ones(3), seconds=0.2)


def test_compare_checks_the_shape_then_the_diagnoses_then_says_where():
    expected = np.arange(12.0).reshape(2, 3, 2)
    with pytest.raises(AssertionError, match=r"has shape \(3, 2, 2\), expected"):
        common.compare("hs", expected.reshape(3, 2, 2), expected, axes=("N", "T", "H"))
    swapped = expected[:, ::-1]
    with pytest.raises(AssertionError, match="time reversed"):
        common.compare("hs", swapped, expected, diagnoses=[(swapped, "time reversed")])
    late = expected.copy()
    late[:, 2] += 1.0
    with pytest.raises(AssertionError, match=r"steps 0 to 1 are right, step 2"):
        common.compare("hs", late, expected, axes=("N", "T", "H"))
    with pytest.raises(AssertionError, match="contains nan"):
        common.compare("hs", expected * np.nan, expected)
    common.compare("hs", expected + 1e-12, expected)  # rounding passes


def test_float32_results_are_judged_with_float32_tolerance():
    z = np.linspace(-8, 8, 17)
    exact = 1 / (1 + np.exp(-z))
    via_tanh = (0.5 * (1 + np.tanh(z.astype(np.float32) / 2))).astype(np.float32)
    assert not np.allclose(via_tanh, exact, rtol=0, atol=1e-9)
    common.compare("sigmoid(z)", via_tanh, exact)
    assert common.tolerance(via_tanh) is common.FLOAT32
    assert common.tolerance(exact) is common.STEP


def test_cases_travel_bit_for_bit_and_come_back_as_fresh_copies():
    value = {
        "x": np.random.default_rng(0).normal(size=(2, 3)),
        "n": np.arange(4, dtype=np.int32),
        "mask": np.array([True, False]),
        "shape": (2, 3),
        "names": ["a", None, 1.5],
        "f32": np.float32(0.1),
    }
    back = common.decode(common.encode(value))
    assert back["x"].tobytes() == value["x"].tobytes()
    assert back["n"].dtype == np.int32
    assert back["mask"].dtype == bool
    assert back["shape"] == (2, 3)
    assert back["names"] == ["a", None, 1.5]
    assert back["f32"].dtype == np.float32
    common.embed_cases({"demo": common.encode(value)})
    first = common.case("demo")
    first["x"][:] = 0
    assert common.case("demo")["x"].tobytes() == value["x"].tobytes()
    with pytest.raises(TypeError):
        common.encode(object())


def test_degenerate_results_are_told_from_real_work():
    assert not common.depends_on_inputs([np.zeros(3), np.zeros(3)])
    assert not common.depends_on_inputs([(np.ones(2), np.ones(1))] * 2)
    assert common.depends_on_inputs([np.ones(3), np.arange(3.0)])
