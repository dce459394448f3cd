"""Activation functions and their derivatives.

The logistic sigmoid ``σ(z) = 1 / (1 + exp(-z))`` squashes a pre-activation
into (0, 1), which is what lets a gate act as a soft switch; ``tanh`` squashes
into (-1, 1) and proposes signed values. Both are written so that no input,
however large, overflows.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp(-|z|) never overflows; the two branches are the same function
    # rewritten so that the large-magnitude side divides by something >= 1.
    e = np.exp(-np.abs(z))
    out = np.asarray(np.reciprocal(1.0 + e))  # an array, even for 0-d z
    np.multiply(out, e, out=out, where=z < 0)
    return out


def sigmoid(z: NDArray[np.floating]) -> NDArray[np.floating]:
    """Numerically stable logistic sigmoid.

    Parameters
    ----------
    z : ndarray, any shape
        Pre-activations, float32 or float64.

    Returns
    -------
    ndarray, same shape and dtype as ``z``
        ``σ(z)``, every value in [0, 1] (in (0, 1) unless it underflows).

    Notes
    -----
    ``σ(z) = 1 / (1 + e^{-z})`` for ``z >= 0`` and ``e^{z} / (1 + e^{z})``
    for ``z < 0``: the same function, arranged so ``exp`` only ever sees a
    non-positive argument.
    """
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        raise TypeError(
            f"z must be a floating-point array (float32 or float64), got dtype "
            f"{z.dtype}; convert it with z.astype(np.float64)"
        )
    return _sigmoid(z)


def sigmoid_grad(s: NDArray[np.floating]) -> NDArray[np.floating]:
    """Derivative of the sigmoid written in terms of its output ``s = σ(z)``.

    ``dσ/dz = σ(z) (1 - σ(z))``, at most 1/4 (at ``z = 0``).
    """
    return s * (1.0 - s)


def tanh(z: NDArray[np.floating]) -> NDArray[np.floating]:
    """Hyperbolic tangent, ``(e^z - e^{-z}) / (e^z + e^{-z})``, in (-1, 1)."""
    return np.tanh(z)


def tanh_grad(t: NDArray[np.floating]) -> NDArray[np.floating]:
    """Derivative of tanh written in terms of its output ``t = tanh(z)``: ``1 - t²``."""
    return 1.0 - t * t
