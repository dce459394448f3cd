"""lstm_ref agrees with PyTorch, an implementation written by other people.

LSTM and RNN: nn.LSTM, nn.LSTMCell, nn.RNN and autograd. GRU: nn.GRU and
autograd, with the reset gate's position converted (see
the GRU section below).

The expected values are the ``.npz`` files in ``tests/fixtures/``, written by
``make_torch_fixtures.py`` with torch 2.13.0 in float64 (see the README there).
That script never imports ``lstm_ref``, and this file never imports torch: the
only link between the two is the weight conversion in ``lstm_ref.interop``,
which is tested on its own in ``test_interop.py``.

Tolerance: both sides compute in float64 with the same operations in a
different order, so they differ by a few rounding errors (observed <= 2e-15);
``rtol=1e-12, atol=1e-14`` leaves room for other BLAS libraries while any real
mistake (a swapped gate, a missing term) is off by far more.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lstm_ref.gru import gru_backward, gru_cell_backward, gru_cell_forward, gru_forward
from lstm_ref.interop import (
    from_torch_rnn_weights,
    from_torch_weights,
    to_torch_rnn_weights,
    to_torch_weights,
)
from lstm_ref.lstm import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
)
from lstm_ref.rnn import rnn_backward, rnn_cell_backward, rnn_cell_forward, rnn_forward

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# (N, T, D, H) of the fixtures make_torch_fixtures.py writes.
SHAPES = [(3, 5, 4, 6), (1, 1, 1, 1), (2, 7, 1, 3), (4, 3, 5, 2)]
RTOL = 1e-12
ATOL = 1e-14


def _name(kind: str, shape: tuple[int, int, int, int]) -> str:
    n, steps, d, hidden = shape
    return f"{kind}_N{n}_T{steps}_D{d}_H{hidden}.npz"


def _load(kind: str, shape: tuple[int, int, int, int]) -> dict[str, np.ndarray]:
    # The context manager closes the file: an open NpzFile left to the garbage
    # collector would raise a ResourceWarning, which this suite treats as an error.
    with np.load(FIXTURES / _name(kind, shape)) as data:
        return {key: data[key] for key in data.files}


def _close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, torch's {expected.shape}"
    )
    np.testing.assert_allclose(
        actual, expected, rtol=RTOL, atol=ATOL, err_msg=f"{what} differs from torch"
    )


@pytest.fixture(params=SHAPES, ids=lambda s: "N{}_T{}_D{}_H{}".format(*s))
def lstm_case(request: pytest.FixtureRequest) -> dict[str, np.ndarray]:
    return _load("lstm", request.param)


@pytest.fixture(params=SHAPES, ids=lambda s: "N{}_T{}_D{}_H{}".format(*s))
def rnn_case(request: pytest.FixtureRequest) -> dict[str, np.ndarray]:
    return _load("rnn", request.param)


@pytest.fixture(params=SHAPES, ids=lambda s: "N{}_T{}_D{}_H{}".format(*s))
def gru_case(request: pytest.FixtureRequest) -> dict[str, np.ndarray]:
    return _load("gru", request.param)


def _lstm_params(case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return from_torch_weights(
        case["weight_ih"], case["weight_hh"], case["bias_ih"], case["bias_hh"]
    )


def _rnn_params(case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return from_torch_rnn_weights(
        case["weight_ih"], case["weight_hh"], case["bias_ih"], case["bias_hh"]
    )


@pytest.mark.parametrize("kind", ["lstm", "rnn", "gru"])
def test_fixtures_were_made_by_torch_2_13_in_float64_for_every_shape(
    kind: str,
) -> None:
    for shape in SHAPES:
        case = _load(kind, shape)
        assert str(case["torch_version"]).startswith("2.13.0")
        n, steps, d, hidden = shape
        assert case["x"].shape == (n, steps, d)
        assert case["hs"].shape == (n, steps, hidden)
        for key, value in case.items():
            if key not in ("torch_version", "seed"):
                assert value.dtype == np.float64, key


# ----------------------------------------------------------------------- LSTM


def test_lstm_forward_matches_torch_nn_lstm_hidden_and_cell_states(
    lstm_case: dict[str, np.ndarray],
) -> None:
    params = _lstm_params(lstm_case)
    hs, cs, _ = lstm_forward(lstm_case["x"], lstm_case["h0"], lstm_case["c0"], params)
    _close(hs, lstm_case["hs"], "hs")
    # torch's nn.LSTM returns only C_T; C_1 … C_T come from its nn.LSTMCell loop.
    _close(cs, lstm_case["cs"], "cs")
    _close(hs[:, -1], lstm_case["h_n"], "h_T")
    _close(cs[:, -1], lstm_case["c_n"], "C_T")


def test_lstm_backward_matches_torch_autograd_for_inputs_states_and_weights(
    lstm_case: dict[str, np.ndarray],
) -> None:
    params = _lstm_params(lstm_case)
    _, _, cache = lstm_forward(lstm_case["x"], lstm_case["h0"], lstm_case["c0"], params)
    dx, dh0, dc0, grads = lstm_backward(lstm_case["dhs"], cache)
    _close(dx, lstm_case["dx"], "dx")
    _close(dh0, lstm_case["dh0"], "dh0")
    _close(dc0, lstm_case["dc0"], "dc0")
    dweight_ih, dweight_hh, dbias, _ = to_torch_weights(grads)
    _close(dweight_ih, lstm_case["dweight_ih"], "dweight_ih")
    _close(dweight_hh, lstm_case["dweight_hh"], "dweight_hh")
    # torch adds its two biases, so both receive the gradient of the sum.
    _close(dbias, lstm_case["dbias_ih"], "dbias_ih")
    _close(dbias, lstm_case["dbias_hh"], "dbias_hh")


def test_lstm_cell_forward_looped_over_time_matches_torch_lstm_cell(
    lstm_case: dict[str, np.ndarray],
) -> None:
    params = _lstm_params(lstm_case)
    h, c = lstm_case["h0"], lstm_case["c0"]
    for t in range(lstm_case["x"].shape[1]):
        h, c, _ = lstm_cell_forward(lstm_case["x"][:, t], h, c, params)
        _close(h, lstm_case["hs"][:, t], f"h at step {t + 1}")
        _close(c, lstm_case["cs"][:, t], f"C at step {t + 1}")


def test_lstm_cell_backward_looped_over_time_matches_torch_autograd(
    lstm_case: dict[str, np.ndarray],
) -> None:
    params = _lstm_params(lstm_case)
    x, dhs = lstm_case["x"], lstm_case["dhs"]
    steps = x.shape[1]
    h, c = lstm_case["h0"], lstm_case["c0"]
    caches = []
    for t in range(steps):
        h, c, cache = lstm_cell_forward(x[:, t], h, c, params)
        caches.append(cache)
    dx = np.zeros_like(x)
    dh = np.zeros_like(h)
    dc = np.zeros_like(c)
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    for t in range(steps - 1, -1, -1):
        dx[:, t], dh, dc, step_grads = lstm_cell_backward(dhs[:, t] + dh, dc, caches[t])
        for key in grads:
            grads[key] += step_grads[key]
    _close(dx, lstm_case["dx"], "dx")
    _close(dh, lstm_case["dh0"], "dh0")
    _close(dc, lstm_case["dc0"], "dc0")
    dweight_ih, dweight_hh, dbias, _ = to_torch_weights(grads)
    _close(dweight_ih, lstm_case["dweight_ih"], "dweight_ih")
    _close(dweight_hh, lstm_case["dweight_hh"], "dweight_hh")
    _close(dbias, lstm_case["dbias_ih"], "dbias_ih")
    _close(dbias, lstm_case["dbias_hh"], "dbias_hh")


# ------------------------------------------------------------------------ RNN


def test_rnn_forward_matches_torch_nn_rnn_tanh(
    rnn_case: dict[str, np.ndarray],
) -> None:
    hs, _ = rnn_forward(rnn_case["x"], rnn_case["h0"], _rnn_params(rnn_case))
    _close(hs, rnn_case["hs"], "hs")
    _close(hs[:, -1], rnn_case["h_n"], "h_T")


def test_rnn_backward_matches_torch_autograd_for_inputs_state_and_weights(
    rnn_case: dict[str, np.ndarray],
) -> None:
    _, cache = rnn_forward(rnn_case["x"], rnn_case["h0"], _rnn_params(rnn_case))
    dx, dh0, grads = rnn_backward(rnn_case["dhs"], cache)
    _close(dx, rnn_case["dx"], "dx")
    _close(dh0, rnn_case["dh0"], "dh0")
    dweight_ih, dweight_hh, dbias, _ = to_torch_rnn_weights(grads)
    _close(dweight_ih, rnn_case["dweight_ih"], "dweight_ih")
    _close(dweight_hh, rnn_case["dweight_hh"], "dweight_hh")
    _close(dbias, rnn_case["dbias_ih"], "dbias_ih")
    _close(dbias, rnn_case["dbias_hh"], "dbias_hh")


def test_rnn_cell_functions_looped_over_time_match_torch(
    rnn_case: dict[str, np.ndarray],
) -> None:
    params = _rnn_params(rnn_case)
    x, dhs = rnn_case["x"], rnn_case["dhs"]
    h = rnn_case["h0"]
    caches = []
    for t in range(x.shape[1]):
        h, cache = rnn_cell_forward(x[:, t], h, params)
        _close(h, rnn_case["hs"][:, t], f"h at step {t + 1}")
        caches.append(cache)
    dx = np.zeros_like(x)
    dh = np.zeros_like(h)
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    for t in range(x.shape[1] - 1, -1, -1):
        dx[:, t], dh, step_grads = rnn_cell_backward(dhs[:, t] + dh, caches[t])
        for key in grads:
            grads[key] += step_grads[key]
    _close(dx, rnn_case["dx"], "dx")
    _close(dh, rnn_case["dh0"], "dh0")
    dweight_ih, dweight_hh, dbias, _ = to_torch_rnn_weights(grads)
    _close(dweight_ih, rnn_case["dweight_ih"], "dweight_ih")
    _close(dweight_hh, rnn_case["dweight_hh"], "dweight_hh")
    _close(dbias, rnn_case["dbias_ih"], "dbias_ih")


# ------------------------------------------------------------------------ GRU
# torch's nn.GRU stores the gates in the order r, z, n and computes
#     h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1},
#     n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn)),
# lstm_ref.gru h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t (Cho et al.'s convention,
# the same z as torch's: its update-gate weights and bias are torch's, as they
# are) with the reset gate before the product,
# h̃_t = tanh(W_h·[r_t ⊙ h_{t-1}, x_t] + b_h). The nn.GRU fixtures have a
# diagonal W_hn and b_hn = 0, where the two candidates agree; the ``full_``
# arrays have a full W_hn (see tests/fixtures/README.md).


def _gru_params(case: dict[str, np.ndarray], full: bool = False) -> dict:
    """lstm_ref's GRU parameters from a fixture's torch weights."""
    hidden = case["h0"].shape[1]
    weight_hh = case["full_weight_hh" if full else "weight_hh"]
    assert not np.any(case["bias_hh"][2 * hidden :]), "b_hn must be zero"

    def block(array: np.ndarray, k: int) -> np.ndarray:  # gate k of r, z, n
        return array[k * hidden : (k + 1) * hidden]

    w = [
        np.hstack([block(weight_hh, k), block(case["weight_ih"], k)]) for k in range(3)
    ]
    b_ih, b_hh = case["bias_ih"], case["bias_hh"]
    return {
        "W_z": w[1],
        "b_z": block(b_ih, 1) + block(b_hh, 1),
        "W_r": w[0],
        "b_r": block(b_ih, 0) + block(b_hh, 0),
        "W_h": w[2],
        "b_h": block(b_ih, 2),
    }


def _gru_torch_grads(grads: dict[str, np.ndarray], hidden: int) -> dict:
    """lstm_ref's GRU gradients in torch's layout (r, z, n)."""
    per_gate = [grads["W_r"], grads["W_z"], grads["W_h"]]
    biases = [grads["b_r"], grads["b_z"], grads["b_h"]]
    return {
        "dweight_ih": np.vstack([w[:, hidden:] for w in per_gate]),
        "dweight_hh": np.vstack([w[:, :hidden] for w in per_gate]),
        "dbias_ih": np.concatenate(biases),
        # torch's b_hr, b_hz add to b_ir, b_iz: the same gradient. b_hn has
        # no counterpart in lstm_ref (it is zero in the fixtures).
        "dbias_hh_rz": np.concatenate(biases[:2]),
    }


def _close_gru_grads(grads, case, prefix: str, diagonal_n: bool) -> None:
    hidden = case["h0"].shape[1]
    got = _gru_torch_grads(grads, hidden)
    _close(got["dweight_ih"], case[prefix + "dweight_ih"], prefix + "dweight_ih")
    _close(got["dbias_ih"], case[prefix + "dbias_ih"], prefix + "dbias_ih")
    _close(
        got["dbias_hh_rz"], case[prefix + "dbias_hh"][: 2 * hidden], prefix + "dbias_hh"
    )
    dweight_hh, expected = got["dweight_hh"], case[prefix + "dweight_hh"]
    if diagonal_n:
        # With the reset gate after the product, torch's gradient of an
        # off-diagonal W_hn entry is a different function: compare r, z and
        # the diagonal of n.
        _close(dweight_hh[: 2 * hidden], expected[: 2 * hidden], "dweight_hh (r, z)")
        _close(
            np.diag(dweight_hh[2 * hidden :]),
            np.diag(expected[2 * hidden :]),
            "diag of dweight_hh (n)",
        )
    else:
        _close(dweight_hh, expected, prefix + "dweight_hh")


def test_gru_fixtures_have_the_documented_form(gru_case) -> None:
    hidden = gru_case["h0"].shape[1]
    w_hn = gru_case["weight_hh"][2 * hidden :]
    np.testing.assert_array_equal(w_hn, np.diag(np.diag(w_hn)))
    full_w_hn = gru_case["full_weight_hh"][2 * hidden :]
    if hidden > 1:
        assert np.all(full_w_hn[~np.eye(hidden, dtype=bool)] != 0.0)
    np.testing.assert_array_equal(
        gru_case["full_weight_hh"][: 2 * hidden], gru_case["weight_hh"][: 2 * hidden]
    )


def test_gru_forward_matches_torch_nn_gru(gru_case) -> None:
    hs, _ = gru_forward(gru_case["x"], gru_case["h0"], _gru_params(gru_case))
    _close(hs, gru_case["hs"], "hs")
    _close(hs[:, -1], gru_case["h_n"], "h_T")


def test_gru_backward_matches_torch_autograd_of_nn_gru(gru_case) -> None:
    _, cache = gru_forward(gru_case["x"], gru_case["h0"], _gru_params(gru_case))
    dx, dh0, grads = gru_backward(gru_case["dhs"], cache)
    _close(dx, gru_case["dx"], "dx")
    _close(dh0, gru_case["dh0"], "dh0")
    _close_gru_grads(grads, gru_case, "", diagonal_n=True)


def test_gru_with_a_full_candidate_matrix_matches_torch_autograd(gru_case) -> None:
    params = _gru_params(gru_case, full=True)
    hs, cache = gru_forward(gru_case["x"], gru_case["h0"], params)
    _close(hs, gru_case["full_hs"], "full_hs")
    dx, dh0, grads = gru_backward(gru_case["dhs"], cache)
    _close(dx, gru_case["full_dx"], "full_dx")
    _close(dh0, gru_case["full_dh0"], "full_dh0")
    _close_gru_grads(grads, gru_case, "full_", diagonal_n=False)


def test_gru_cell_functions_looped_over_time_match_torch(gru_case) -> None:
    params = _gru_params(gru_case, full=True)
    x, dhs = gru_case["x"], gru_case["dhs"]
    h = gru_case["h0"]
    caches = []
    for t in range(x.shape[1]):
        h, cache = gru_cell_forward(x[:, t], h, params)
        _close(h, gru_case["full_hs"][:, t], f"h at step {t + 1}")
        caches.append(cache)
    dx = np.zeros_like(x)
    dh = np.zeros_like(h)
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    for t in range(x.shape[1] - 1, -1, -1):
        dx[:, t], dh, step_grads = gru_cell_backward(dhs[:, t] + dh, caches[t])
        for key in grads:
            grads[key] += step_grads[key]
    _close(dx, gru_case["full_dx"], "full_dx")
    _close(dh, gru_case["full_dh0"], "full_dh0")
    _close_gru_grads(grads, gru_case, "full_", diagonal_n=False)


def test_parity_run_leaves_the_fixture_arrays_unchanged() -> None:
    case = _load("lstm", SHAPES[0])
    before = {key: value.copy() for key, value in case.items()}
    params = _lstm_params(case)
    _, _, cache = lstm_forward(case["x"], case["h0"], case["c0"], params)
    lstm_backward(case["dhs"], cache)
    for key, value in before.items():
        np.testing.assert_array_equal(case[key], value, err_msg=key)
