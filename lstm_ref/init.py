"""Weight initialisation: Glorot (Xavier) uniform, orthogonal, and the cells' defaults.

A recurrent weight matrix is multiplied into the state once per time step, so
its singular values decide whether signals grow or shrink with the lag. An
orthogonal matrix has every singular value equal to 1, which is why it is the
usual choice for the recurrent part; Glorot's uniform scale keeps the variance
of activations roughly constant from input to output for the input part.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import LSTM_GATES


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def _check_shape(shape: object) -> tuple[int, int]:
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"shape must be a pair (rows, cols) of ints, got {shape!r}")
    return _check_size("shape[0]", shape[0]), _check_size("shape[1]", shape[1])


def glorot_uniform(
    shape: tuple[int, int], *, rng: np.random.Generator | int | None = None
) -> NDArray[np.float64]:
    """Glorot/Xavier uniform initialiser (Glorot & Bengio, 2010).

    Parameters
    ----------
    shape : tuple of int, (fan_out, fan_in)
        Shape of the weight matrix, in the ``W @ x`` convention.
    rng : Generator, int or None
        Source of randomness, passed to ``np.random.default_rng``.

    Returns
    -------
    ndarray, shape ``shape``, float64
        Samples from ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``.
    """
    fan_out, fan_in = _check_shape(shape)
    rng = np.random.default_rng(rng)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def orthogonal(
    shape: tuple[int, int],
    *,
    gain: float = 1.0,
    rng: np.random.Generator | int | None = None,
) -> NDArray[np.float64]:
    """Orthogonal initialiser (Saxe et al., 2014).

    Parameters
    ----------
    shape : tuple of int, (rows, cols)
        Shape of the matrix. If it is not square, the rows (when
        ``rows <= cols``) or the columns are orthonormal.
    gain : float
        Scale applied to the orthogonal matrix: every singular value equals
        ``gain``.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    ndarray, shape ``shape``, float64
    """
    rows, cols = _check_shape(shape)
    rng = np.random.default_rng(rng)
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    # Fixing the signs by diag(r) makes q uniformly distributed (Haar).
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q


def init_rnn_params(
    input_size: int,
    hidden_size: int,
    *,
    rng: np.random.Generator | int | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Parameters of a vanilla RNN cell ``h_t = tanh(W·[h_{t-1}, x_t] + b)``.

    Parameters
    ----------
    input_size : int
        D, the number of input features.
    hidden_size : int
        H, the number of hidden units.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    dict
        ``W : (H, H + D)`` whose recurrent block ``W[:, :H]`` is orthogonal and
        input block ``W[:, H:]`` Glorot uniform; ``b : (H,)`` zeros.
    """
    input_size = _check_size("input_size", input_size)
    hidden_size = _check_size("hidden_size", hidden_size)
    rng = np.random.default_rng(rng)
    w_h = orthogonal((hidden_size, hidden_size), rng=rng)
    w_x = glorot_uniform((hidden_size, input_size), rng=rng)
    return {"W": np.concatenate([w_h, w_x], axis=1), "b": np.zeros(hidden_size)}


def init_lstm_params(
    input_size: int,
    hidden_size: int,
    *,
    rng: np.random.Generator | int | None = None,
    forget_bias: float = 1.0,
) -> dict[str, NDArray[np.float64]]:
    """Parameters of an LSTM cell, one weight matrix and bias per gate.

    Parameters
    ----------
    input_size : int
        D, the number of input features.
    hidden_size : int
        H, the number of hidden units.
    rng : Generator, int or None
        Source of randomness.
    forget_bias : float
        Initial value of every entry of ``b_f``. With 1.0 the forget gate
        starts at ``σ(1) ≈ 0.73`` rather than 0.5, so the cell state keeps more
        of itself from the first update (Gers et al., 2000; Jozefowicz et al.,
        2015).

    Returns
    -------
    dict
        ``W_f, W_i, W_c, W_o : (H, H + D)`` with an orthogonal recurrent block
        ``W_*[:, :H]`` and a Glorot-uniform input block ``W_*[:, H:]`` (the
        Keras defaults); ``b_f`` filled with ``forget_bias``; ``b_i, b_c,
        b_o`` zeros.
    """
    input_size = _check_size("input_size", input_size)
    hidden_size = _check_size("hidden_size", hidden_size)
    if isinstance(forget_bias, bool) or not isinstance(
        forget_bias, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"forget_bias must be a float, got {forget_bias!r}")
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be finite, got {forget_bias!r}")
    rng = np.random.default_rng(rng)
    params: dict[str, NDArray[np.float64]] = {}
    for gate in LSTM_GATES:
        w_h = orthogonal((hidden_size, hidden_size), rng=rng)
        w_x = glorot_uniform((hidden_size, input_size), rng=rng)
        params[f"W_{gate}"] = np.concatenate([w_h, w_x], axis=1)
        params[f"b_{gate}"] = np.zeros(hidden_size)
    params["b_f"][:] = forget_bias
    return params
