"""Gradient checking by centred finite differences.

A backward pass is trusted only once it agrees with the slope measured by
nudging each input: ``(L(θ + h) - L(θ - h)) / 2h`` has error O(h²), so with
float64 and ``h = 1e-5`` a correct gradient agrees to a relative error
(``rel_error``) far below 1e-7, while a wrong one is off by something of
order 1e-3 to 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

DEFAULT_STEP = 1e-5
DEFAULT_TOLERANCE = 1e-7


def rel_error(a: NDArray[np.floating], b: NDArray[np.floating]) -> float:
    """Relative error between two arrays: ``‖a - b‖ / (‖a‖ + ‖b‖)``.

    The norms are Euclidean over all entries (the definition of Ng's
    gradient-checking exercise). It is 0 for identical arrays and at most 1,
    which it reaches when one array is zero or the two point in opposite
    directions. Two unrelated arrays of the same scale (independent random
    entries) give about ``1/√2 ≈ 0.71``: their difference is nearly
    orthogonal to each, so ``‖a - b‖ ≈ √2 ‖a‖``; when one is much larger than
    the other it tends to 1. Scaling both by the same factor leaves it
    unchanged, and a right gradient gives a value near rounding error. Unlike
    an entrywise maximum it is not swamped by the rounding error of entries
    that are tiny compared with the rest of the array; checking one parameter
    array at a time still localises a mistake. Two all-zero arrays give 0.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, got {a.shape} and {b.shape}"
        )
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)


def numerical_gradient(
    f: Callable[[NDArray[np.float64]], float],
    x: NDArray[np.float64],
    *,
    h: float = DEFAULT_STEP,
) -> NDArray[np.float64]:
    """Centred finite-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. It is called with perturbed copies of ``x``; ``x``
        itself is never changed.
    x : ndarray, any shape, float64
        The point at which to differentiate.
    h : float
        Step size.

    Returns
    -------
    ndarray, same shape as ``x``
        ``(f(x + h e_k) - f(x - h e_k)) / 2h`` for every entry ``k``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            "x must be a float64 ndarray: finite differences in float32 lose "
            "about half their digits"
        )
    xp = x.copy()
    # C order, like xp: reshape(-1) must be a view of both (not so for F order).
    grad = np.empty(x.shape, dtype=np.float64)
    flat, gflat = xp.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        plus = float(f(xp))
        flat[k] = old - h
        minus = float(f(xp))
        flat[k] = old
        gflat[k] = (plus - minus) / (2.0 * h)
    return grad


class GradCheckReport(NamedTuple):
    """Per-array relative errors of an analytic gradient against finite differences."""

    errors: dict[str, float]
    tolerance: float

    @property
    def passed(self) -> bool:
        """True when every relative error is below the tolerance."""
        return all(err < self.tolerance for err in self.errors.values())

    @property
    def worst(self) -> tuple[str, float]:
        """The name and relative error of the worst array."""
        name = max(self.errors, key=self.errors.__getitem__)
        return name, self.errors[name]

    def __str__(self) -> str:
        width = max(len(name) for name in self.errors)
        lines = [
            f"{name:<{width}}  {err:.2e}  {'ok' if err < self.tolerance else 'FAIL'}"
            for name, err in self.errors.items()
        ]
        return "\n".join(lines + [f"tolerance {self.tolerance:.0e}"])


def check_gradients(
    loss_fn: Callable[[Mapping[str, NDArray[np.float64]]], float],
    inputs: Mapping[str, NDArray[np.float64]],
    analytic: Mapping[str, NDArray[np.float64]],
    *,
    h: float = DEFAULT_STEP,
    tolerance: float = DEFAULT_TOLERANCE,
) -> GradCheckReport:
    """Compare analytic gradients with centred finite differences, array by array.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(inputs) -> float`` for a dict of arrays with the keys of
        ``inputs``.
    inputs : dict of str to ndarray (float64)
        The point at which to check (parameters and, if wanted, inputs such as
        ``x`` or ``h0``).
    analytic : dict of str to ndarray
        The gradients to check, one per key of ``inputs``, same shapes.
    h : float
        Finite-difference step.
    tolerance : float
        The report passes when every relative error is below this.

    Returns
    -------
    GradCheckReport
        ``errors[name]`` is ``rel_error(analytic[name], numerical)``.
    """
    missing = [k for k in inputs if k not in analytic]
    if missing:
        raise KeyError(f"analytic is missing gradient(s) for {', '.join(missing)}")
    errors: dict[str, float] = {}
    for name, value in inputs.items():
        if np.shape(analytic[name]) != np.shape(value):
            raise ValueError(
                f"analytic[{name!r}] must have shape {np.shape(value)}, "
                f"got {np.shape(analytic[name])}"
            )

        def f_of(v: NDArray[np.float64], name: str = name) -> float:
            return loss_fn({**inputs, name: v})

        numeric = numerical_gradient(f_of, value, h=h)
        errors[name] = rel_error(analytic[name], numeric)
    return GradCheckReport(errors, tolerance)
