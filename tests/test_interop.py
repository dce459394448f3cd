"""Tests of the PyTorch/Keras weight converters in ``lstm_ref.interop``.

The numeric parity with torch itself is in ``test_torch_parity.py``; here the
expected values come from hand-built weights whose every entry says where it
belongs, from the libraries' own equations written out in NumPy, and from the
relation between the two layouts (a Keras kernel is a transposed torch
``weight_ih``: both order the gates i, f, c/g, o).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lstm_ref.interop import (
    from_keras_weights,
    from_torch_rnn_weights,
    from_torch_weights,
    to_keras_weights,
    to_torch_rnn_weights,
    to_torch_weights,
)
from lstm_ref.lstm import lstm_cell_forward
from lstm_ref.rnn import rnn_cell_forward

LSTM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
# Position of each course gate among the libraries' four blocks (i, f, g/c, o).
LIBRARY_BLOCK = {"i": 0, "f": 1, "c": 2, "o": 3}
# (D, H) pairs: typical, the smallest, H > D, H < D.
SIZES = [(3, 2), (1, 1), (2, 5), (4, 1)]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _random_torch(
    rng: np.random.Generator, d: int, hidden: int, gates: int = 4
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = gates * hidden
    return (
        rng.normal(size=(rows, d)),
        rng.normal(size=(rows, hidden)),
        rng.normal(size=rows),
        rng.normal(size=rows),
    )


def _random_params(rng: np.random.Generator, d: int, hidden: int) -> dict:
    return {
        key: rng.normal(size=(hidden,) if key[0] == "b" else (hidden, hidden + d))
        for key in LSTM_KEYS
    }


def _assert_dicts_equal(actual: dict, expected: dict) -> None:
    assert list(actual) == list(expected)
    for key in expected:
        np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)


# --------------------------------------------------------- where numbers land


def test_torch_gate_blocks_land_in_the_matching_gate_with_hidden_columns_first():
    d, hidden = 3, 2
    # Each entry encodes (gate block k, row r, column j) so a misplaced one is
    # recognisable: input weights are positive, recurrent ones negative.
    weight_ih = np.empty((4 * hidden, d))
    weight_hh = np.empty((4 * hidden, hidden))
    bias_ih = np.empty(4 * hidden)
    bias_hh = np.empty(4 * hidden)
    for k in range(4):
        for r in range(hidden):
            for j in range(d):
                weight_ih[k * hidden + r, j] = 1000 * (k + 1) + 10 * r + j
            for j in range(hidden):
                weight_hh[k * hidden + r, j] = -(1000 * (k + 1) + 10 * r + j)
            bias_ih[k * hidden + r] = 100 * (k + 1) + r
            bias_hh[k * hidden + r] = 0.25 * (k + 1)

    params = from_torch_weights(weight_ih, weight_hh, bias_ih, bias_hh)

    # Torch's order is i, f, g, o: block 1 is i, 2 is f, 3 is the candidate, 4 is o.
    for gate, g in (("i", 1), ("f", 2), ("c", 3), ("o", 4)):
        expected_w = np.empty((hidden, hidden + d))
        for r in range(hidden):
            for j in range(hidden):
                expected_w[r, j] = -(1000 * g + 10 * r + j)
            for j in range(d):
                expected_w[r, hidden + j] = 1000 * g + 10 * r + j
        expected_b = np.array([100 * g + r + 0.25 * g for r in range(hidden)])
        np.testing.assert_array_equal(params[f"W_{gate}"], expected_w, err_msg=gate)
        np.testing.assert_array_equal(params[f"b_{gate}"], expected_b, err_msg=gate)
    assert list(params) == list(LSTM_KEYS)


def test_to_torch_puts_the_whole_bias_into_bias_ih_and_zeros_into_bias_hh():
    d, hidden = 1, 2
    # Gate k of the order i, f, c, o is filled with the constant k (weights) and
    # has biases (10k, 10k + 1), so each torch block shows which gate it holds.
    params = {}
    for k, gate in enumerate("ifco"):
        params[f"W_{gate}"] = np.full((hidden, hidden + d), float(k))
        params[f"b_{gate}"] = np.array([10.0 * k, 10.0 * k + 1])
    weight_ih, weight_hh, bias_ih, bias_hh = to_torch_weights(params)
    expected_rows = [0, 0, 1, 1, 2, 2, 3, 3]
    np.testing.assert_array_equal(weight_ih, np.array([expected_rows]).T)
    np.testing.assert_array_equal(weight_hh, np.array([expected_rows] * 2).T)
    np.testing.assert_array_equal(bias_ih, [0, 1, 10, 11, 20, 21, 30, 31])
    np.testing.assert_array_equal(bias_hh, np.zeros(8))


def test_keras_gate_columns_land_in_the_matching_gate_transposed():
    d, hidden = 3, 2
    kernel = np.empty((d, 4 * hidden))
    recurrent_kernel = np.empty((hidden, 4 * hidden))
    bias = np.empty(4 * hidden)
    for k in range(4):
        for r in range(hidden):
            for j in range(d):
                kernel[j, k * hidden + r] = 1000 * (k + 1) + 10 * r + j
            for j in range(hidden):
                recurrent_kernel[j, k * hidden + r] = -(1000 * (k + 1) + 10 * r + j)
            bias[k * hidden + r] = 100 * (k + 1) + r

    params = from_keras_weights(kernel, recurrent_kernel, bias)

    # Keras' order is i, f, c, o.
    for gate, g in (("i", 1), ("f", 2), ("c", 3), ("o", 4)):
        expected_w = np.empty((hidden, hidden + d))
        for r in range(hidden):
            for j in range(hidden):
                expected_w[r, j] = -(1000 * g + 10 * r + j)
            for j in range(d):
                expected_w[r, hidden + j] = 1000 * g + 10 * r + j
        np.testing.assert_array_equal(params[f"W_{gate}"], expected_w, err_msg=gate)
        np.testing.assert_array_equal(
            params[f"b_{gate}"], [100 * g + r for r in range(hidden)], err_msg=gate
        )


def test_torch_rnn_weights_become_hidden_columns_first_and_summed_bias():
    weight_ih = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (H, D) = (2, 3)
    weight_hh = np.array([[-1.0, -2.0], [-3.0, -4.0]])  # (H, H)
    params = from_torch_rnn_weights(
        weight_ih, weight_hh, np.array([0.5, 1.5]), np.array([10.0, 20.0])
    )
    np.testing.assert_array_equal(params["W"], [[-1, -2, 1, 2, 3], [-3, -4, 4, 5, 6]])
    np.testing.assert_array_equal(params["b"], [10.5, 21.5])
    assert list(params) == ["W", "b"]


# ------------------------------------------- same outputs as the libraries' maths


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_converted_torch_weights_give_the_step_torch_documents(d, hidden):
    rng = np.random.default_rng(1)
    weight_ih, weight_hh, bias_ih, bias_hh = _random_torch(rng, d, hidden)
    x, h, c = (rng.normal(size=(3, s)) for s in (d, hidden, hidden))
    # torch.nn.LSTM's documented step, written directly in its own layout.
    z = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    expected_c = _sigmoid(zf) * c + _sigmoid(zi) * np.tanh(zg)
    expected_h = _sigmoid(zo) * np.tanh(expected_c)

    params = from_torch_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    h_t, c_t, _ = lstm_cell_forward(x, h, c, params)
    np.testing.assert_allclose(c_t, expected_c, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(h_t, expected_h, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_torch_weights_made_from_params_give_the_same_step_as_lstm_ref(d, hidden):
    rng = np.random.default_rng(2)
    params = _random_params(rng, d, hidden)
    x, h, c = (rng.normal(size=(2, s)) for s in (d, hidden, hidden))
    weight_ih, weight_hh, bias_ih, bias_hh = to_torch_weights(params)
    z = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    expected_c = _sigmoid(zf) * c + _sigmoid(zi) * np.tanh(zg)
    expected_h = _sigmoid(zo) * np.tanh(expected_c)

    h_t, c_t, _ = lstm_cell_forward(x, h, c, params)
    np.testing.assert_allclose(c_t, expected_c, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(h_t, expected_h, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_converted_keras_weights_give_the_step_keras_documents(d, hidden):
    rng = np.random.default_rng(3)
    kernel = rng.normal(size=(d, 4 * hidden))
    recurrent_kernel = rng.normal(size=(hidden, 4 * hidden))
    bias = rng.normal(size=4 * hidden)
    x, h, c = (rng.normal(size=(3, s)) for s in (d, hidden, hidden))
    # Keras' LSTMCell.call with activation=tanh, recurrent_activation=sigmoid.
    z = x @ kernel + h @ recurrent_kernel + bias
    zi, zf, zc, zo = np.split(z, 4, axis=1)
    expected_c = _sigmoid(zf) * c + _sigmoid(zi) * np.tanh(zc)
    expected_h = _sigmoid(zo) * np.tanh(expected_c)

    params = from_keras_weights(kernel, recurrent_kernel, bias)
    h_t, c_t, _ = lstm_cell_forward(x, h, c, params)
    np.testing.assert_allclose(c_t, expected_c, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(h_t, expected_h, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_converted_torch_rnn_weights_give_the_step_torch_documents(d, hidden):
    rng = np.random.default_rng(4)
    weight_ih, weight_hh, bias_ih, bias_hh = _random_torch(rng, d, hidden, gates=1)
    x, h = rng.normal(size=(3, d)), rng.normal(size=(3, hidden))
    expected = np.tanh(x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
    params = from_torch_rnn_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    h_t, _ = rnn_cell_forward(x, h, params)
    np.testing.assert_allclose(h_t, expected, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_keras_layout_is_the_transposed_torch_layout_with_summed_bias(d, hidden):
    rng = np.random.default_rng(5)
    weight_ih, weight_hh, bias_ih, bias_hh = _random_torch(rng, d, hidden)
    # Both libraries order the blocks i, f, c/g, o, so only the transpose and
    # the two torch biases separate them.
    from_keras = from_keras_weights(weight_ih.T, weight_hh.T, bias_ih + bias_hh)
    from_torch = from_torch_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    _assert_dicts_equal(from_keras, from_torch)

    params = _random_params(rng, d, hidden)
    kernel, recurrent_kernel, bias = to_keras_weights(params)
    torch_ih, torch_hh, torch_bias, _ = to_torch_weights(params)
    np.testing.assert_array_equal(kernel, torch_ih.T)
    np.testing.assert_array_equal(recurrent_kernel, torch_hh.T)
    np.testing.assert_array_equal(bias, torch_bias)


# ----------------------------------------------------------------- round trips


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_params_to_torch_and_back_are_identical(d, hidden):
    params = _random_params(np.random.default_rng(6), d, hidden)
    _assert_dicts_equal(from_torch_weights(*to_torch_weights(params)), params)


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_torch_to_params_and_back_keeps_weights_and_sums_biases_into_bias_ih(d, hidden):
    torch_weights = _random_torch(np.random.default_rng(7), d, hidden)
    weight_ih, weight_hh, bias_ih, bias_hh = to_torch_weights(
        from_torch_weights(*torch_weights)
    )
    np.testing.assert_array_equal(weight_ih, torch_weights[0])
    np.testing.assert_array_equal(weight_hh, torch_weights[1])
    np.testing.assert_array_equal(bias_ih, torch_weights[2] + torch_weights[3])
    np.testing.assert_array_equal(bias_hh, np.zeros(4 * hidden))


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_keras_round_trips_are_identical_in_both_directions(d, hidden):
    rng = np.random.default_rng(8)
    params = _random_params(rng, d, hidden)
    _assert_dicts_equal(from_keras_weights(*to_keras_weights(params)), params)
    keras = (
        rng.normal(size=(d, 4 * hidden)),
        rng.normal(size=(hidden, 4 * hidden)),
        rng.normal(size=4 * hidden),
    )
    for got, expected in zip(
        to_keras_weights(from_keras_weights(*keras)), keras, strict=True
    ):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_rnn_round_trips_are_identical(d, hidden):
    rng = np.random.default_rng(9)
    params = {
        "W": rng.normal(size=(hidden, hidden + d)),
        "b": rng.normal(size=hidden),
    }
    _assert_dicts_equal(from_torch_rnn_weights(*to_torch_rnn_weights(params)), params)
    torch_weights = _random_torch(rng, d, hidden, gates=1)
    weight_ih, weight_hh, bias_ih, bias_hh = to_torch_rnn_weights(
        from_torch_rnn_weights(*torch_weights)
    )
    np.testing.assert_array_equal(weight_ih, torch_weights[0])
    np.testing.assert_array_equal(weight_hh, torch_weights[1])
    np.testing.assert_array_equal(bias_ih, torch_weights[2] + torch_weights[3])
    np.testing.assert_array_equal(bias_hh, np.zeros(hidden))


# ------------------------------------------------------- properties of outputs


def _conversions(d: int, hidden: int, dtype: type) -> list:
    """(name, function, inputs) for every converter, inputs of ``dtype``."""
    rng = np.random.default_rng(10)
    params = {k: v.astype(dtype) for k, v in _random_params(rng, d, hidden).items()}
    rnn_params = {
        "W": rng.normal(size=(hidden, hidden + d)).astype(dtype),
        "b": rng.normal(size=hidden).astype(dtype),
    }
    torch_lstm = [a.astype(dtype) for a in _random_torch(rng, d, hidden)]
    torch_rnn = [a.astype(dtype) for a in _random_torch(rng, d, hidden, gates=1)]
    keras = [
        rng.normal(size=(d, 4 * hidden)).astype(dtype),
        rng.normal(size=(hidden, 4 * hidden)).astype(dtype),
        rng.normal(size=4 * hidden).astype(dtype),
    ]
    return [
        ("from_torch_weights", from_torch_weights, torch_lstm),
        ("to_torch_weights", to_torch_weights, [params]),
        ("from_keras_weights", from_keras_weights, keras),
        ("to_keras_weights", to_keras_weights, [params]),
        ("from_torch_rnn_weights", from_torch_rnn_weights, torch_rnn),
        ("to_torch_rnn_weights", to_torch_rnn_weights, [rnn_params]),
    ]


def _arrays(obj: object) -> list[np.ndarray]:
    if isinstance(obj, dict):
        return list(obj.values())
    if isinstance(obj, (list, tuple)):
        return [a for item in obj for a in _arrays(item)]
    return [obj]


@pytest.mark.parametrize(("d", "hidden"), SIZES)
def test_every_converter_returns_new_arrays_and_leaves_its_inputs_unchanged(d, hidden):
    # (D, H) = (1, 1) and (4, 1) make single-row slices, which NumPy would
    # happily hand back as views if the code forgot to copy.
    for name, convert, inputs in _conversions(d, hidden, np.float64):
        before = [a.copy() for a in _arrays(inputs)]
        outputs = _arrays(convert(*inputs))
        for out in outputs:
            assert out.flags.c_contiguous, name
            assert out.flags.writeable, name
            for inp in _arrays(inputs):
                assert not np.shares_memory(out, inp), name
        for a, b in zip(_arrays(inputs), before, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"{name} mutated an input")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_converter_keeps_the_floating_dtype_it_is_given(dtype):
    for name, convert, inputs in _conversions(2, 3, dtype):
        for out in _arrays(convert(*inputs)):
            assert out.dtype == dtype, name


# ------------------------------------------------------------------ bad input

D, H = 3, 2


def _torch_args(**override: object) -> list:
    args = dict(
        zip(
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
            _random_torch(np.random.default_rng(11), D, H),
            strict=True,
        )
    )
    args.update(override)
    return list(args.values())


def _rnn_args(**override: object) -> list:
    args = dict(
        zip(
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
            _random_torch(np.random.default_rng(12), D, H, gates=1),
            strict=True,
        )
    )
    args.update(override)
    return list(args.values())


def _keras_args(**override: object) -> list:
    rng = np.random.default_rng(13)
    args = {
        "kernel": rng.normal(size=(D, 4 * H)),
        "recurrent_kernel": rng.normal(size=(H, 4 * H)),
        "bias": rng.normal(size=4 * H),
    }
    args.update(override)
    return list(args.values())


def _params_arg(**override: object) -> list:
    params = _random_params(np.random.default_rng(14), D, H)
    params.update(override)
    return [{k: v for k, v in params.items() if v is not None}]


def _rnn_params_arg(**override: object) -> list:
    params = {"W": np.ones((H, H + D)), "b": np.ones(H)}
    params.update(override)
    return [{k: v for k, v in params.items() if v is not None}]


_WITH_NAN = np.ones(4 * H)
_WITH_NAN[1] = np.nan

BAD_INPUTS = [
    # from_torch_weights
    (
        from_torch_weights,
        _torch_args(weight_ih=np.ones((10, D))),
        ValueError,
        r"weight_ih .*multiple of 4",
    ),
    (
        from_torch_weights,
        _torch_args(weight_ih=np.ones((0, D))),
        ValueError,
        "weight_ih",
    ),
    (
        from_torch_weights,
        _torch_args(weight_ih=np.ones((4 * H, 0))),
        ValueError,
        "weight_ih has D = 0",
    ),
    (
        from_torch_weights,
        _torch_args(weight_ih=np.ones(4 * H)),
        ValueError,
        r"weight_ih must have shape \(4H, D\)",
    ),
    (
        from_torch_weights,
        _torch_args(weight_ih=np.ones((4 * H, D), dtype=int)),
        TypeError,
        "weight_ih must be a floating-point array",
    ),
    (
        from_torch_weights,
        _torch_args(weight_ih=[[1.0] * D] * (4 * H)),
        TypeError,
        "weight_ih must be a NumPy array",
    ),
    (
        from_torch_weights,
        _torch_args(weight_hh=np.ones((4 * H, H + 1))),
        ValueError,
        r"weight_hh must have shape \(4H, H\) = \(8, 2\)",
    ),
    (
        from_torch_weights,
        _torch_args(bias_ih=np.ones(4 * H + 1)),
        ValueError,
        r"bias_ih must have shape \(4H,\) = \(8,\)",
    ),
    (from_torch_weights, _torch_args(bias_hh=np.ones(H)), ValueError, "bias_hh"),
    (
        from_torch_weights,
        _torch_args(bias_hh=_WITH_NAN),
        ValueError,
        "bias_hh contains NaN",
    ),
    # to_torch_weights / to_keras_weights
    (to_torch_weights, _params_arg(b_o=None), KeyError, "params is missing key"),
    (
        to_torch_weights,
        _params_arg(W_c=np.ones((H, H + D + 1))),
        ValueError,
        r"params\['W_c'\] must have shape \(H, H \+ D\)",
    ),
    (to_torch_weights, _params_arg(b_f=np.ones(H + 1)), ValueError, r"params\['b_f'\]"),
    (
        to_torch_weights,
        _params_arg(W_f=np.ones((H, H))),
        ValueError,
        r"params\['W_f'\] must have shape \(H, H \+ D\) with H >= 1 and D >= 1",
    ),
    (
        to_torch_weights,
        _params_arg(W_i=np.ones((H, H + D), dtype=np.int64)),
        TypeError,
        r"params\['W_i'\] must be a floating-point array",
    ),
    (to_torch_weights, [[np.ones((H, H + D))]], TypeError, "params must be a dict"),
    (
        to_keras_weights,
        _params_arg(W_o=np.full((H, H + D), np.inf)),
        ValueError,
        r"params\['W_o'\] contains NaN or infinity",
    ),
    (to_keras_weights, _params_arg(b_c=None), KeyError, "params is missing key"),
    # from_keras_weights
    (
        from_keras_weights,
        _keras_args(kernel=np.ones((D, 4 * H + 2))),
        ValueError,
        r"kernel .*multiple of 4",
    ),
    (
        from_keras_weights,
        _keras_args(kernel=np.ones((4 * H, D))),
        ValueError,
        r"kernel .*multiple of 4",
    ),
    (
        from_keras_weights,
        _keras_args(recurrent_kernel=np.ones((H + 1, 4 * H))),
        ValueError,
        r"recurrent_kernel must have shape \(H, 4H\)",
    ),
    (
        from_keras_weights,
        _keras_args(bias=np.ones(4 * H - 1)),
        ValueError,
        r"bias must have shape \(4H,\)",
    ),
    (
        from_keras_weights,
        _keras_args(kernel=np.ones((D, 4 * H), dtype=int)),
        TypeError,
        "kernel must be a floating-point array",
    ),
    # from_torch_rnn_weights / to_torch_rnn_weights
    (
        from_torch_rnn_weights,
        _rnn_args(weight_hh=np.ones((H, H + 1))),
        ValueError,
        r"weight_hh must have shape \(H, H\)",
    ),
    (
        from_torch_rnn_weights,
        _rnn_args(weight_ih=np.ones((0, D))),
        ValueError,
        "weight_ih has H = 0",
    ),
    (from_torch_rnn_weights, _rnn_args(bias_ih=np.ones(H + 1)), ValueError, "bias_ih"),
    (
        from_torch_rnn_weights,
        _rnn_args(bias_hh=np.array([np.nan] * H)),
        ValueError,
        "bias_hh contains NaN",
    ),
    (to_torch_rnn_weights, _rnn_params_arg(b=None), KeyError, "params is missing key"),
    (
        to_torch_rnn_weights,
        _rnn_params_arg(W=np.ones((H, H))),
        ValueError,
        r"params\['W'\] must have shape \(H, H \+ D\)",
    ),
    (
        to_torch_rnn_weights,
        _rnn_params_arg(b=np.ones(H + 1)),
        ValueError,
        r"params\['b'\]",
    ),
]


@pytest.mark.parametrize(
    ("convert", "args", "error", "message"),
    BAD_INPUTS,
    ids=[f"{case[0].__name__}-{case[3]}" for case in BAD_INPUTS],
)
def test_bad_input_raises_an_error_naming_the_argument(
    convert: Callable, args: list, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        convert(*args)


# ---------------------------------------------------- mixed dtypes promote


def _random_arrays(*shapes, seed=50):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


@pytest.mark.parametrize("narrow", [0, 1, 2, 3])
def test_converters_promote_mixed_dtypes_to_float64_in_every_output(narrow):
    # One float64 input among float32 ones makes every output float64.
    d, hidden = 3, 2

    def mixed(arrays):
        return [
            a.astype(np.float32) if k != narrow % len(arrays) else a
            for k, a in enumerate(arrays)
        ]

    torch_lstm = mixed(
        _random_arrays((4 * hidden, d), (4 * hidden, hidden), (8,), (8,))
    )
    keras = mixed(_random_arrays((d, 4 * hidden), (hidden, 4 * hidden), (8,)))
    torch_rnn = mixed(
        _random_arrays((hidden, d), (hidden, hidden), (hidden,), (hidden,))
    )
    outputs = {
        "from_torch_weights": from_torch_weights(*torch_lstm),
        "from_keras_weights": from_keras_weights(*keras),
        "from_torch_rnn_weights": from_torch_rnn_weights(*torch_rnn),
    }
    for name, params in outputs.items():
        for key, value in params.items():
            assert value.dtype == np.float64, (name, key)
            assert value.flags["C_CONTIGUOUS"], (name, key)
    lstm = {k: v.astype(np.float32) for k, v in outputs["from_torch_weights"].items()}
    lstm["b_o"] = lstm["b_o"].astype(np.float64)
    rnn = {"W": outputs["from_torch_rnn_weights"]["W"].astype(np.float32)}
    rnn["b"] = outputs["from_torch_rnn_weights"]["b"]
    for name, arrays in [
        ("to_torch_weights", to_torch_weights(lstm)),
        ("to_keras_weights", to_keras_weights(lstm)),
        ("to_torch_rnn_weights", to_torch_rnn_weights(rnn)),
    ]:
        for k, value in enumerate(arrays):
            assert value.dtype == np.float64, (name, k)
            assert value.flags["C_CONTIGUOUS"], (name, k)
