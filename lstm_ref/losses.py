"""Losses and their gradients: mean squared error and softmax cross-entropy.

Each loss returns the scalar loss and its gradient with respect to the
network's output in one call, ``(loss, dpred)``, so a training step reads
``loss, dout = mse_loss(out, y)`` followed by the backward passes.

Padded sequences carry a mask: 1 (or True) where a position is real, 0 where
it is padding. A masked loss is the mean over the real positions only, so
padding neither changes the loss nor receives any gradient.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import check_array

Array = NDArray[np.floating]


def _check_float(name: str, value: object, what: str) -> np.ndarray:
    """A finite floating array of any shape; ``what`` describes the shape."""
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array of shape {what}, got {type(value).__name__}"
        )
    return check_array(name, value, value.shape)


def _check_mask(mask: object, shape: Sequence[int], of: str) -> np.ndarray:
    """Validate ``mask`` against the leading axes of ``shape``.

    Returns the mask as a float64 array with trailing length-1 axes appended,
    ready to broadcast against an array of shape ``shape``.
    """
    shape = tuple(shape)
    allowed = [shape[:k] for k in range(1, len(shape) + 1)]
    listed = ", ".join(str(s) for s in allowed)
    if not isinstance(mask, np.ndarray):
        raise TypeError(
            f"mask must be a NumPy array of 0/1 or bool with the shape of the "
            f"leading axes of {of}, one of {listed}; got {type(mask).__name__}"
        )
    if not (
        mask.dtype == np.bool_
        or np.issubdtype(mask.dtype, np.integer)
        or np.issubdtype(mask.dtype, np.floating)
    ):
        raise TypeError(f"mask must hold bool or 0/1 numbers, got dtype {mask.dtype}")
    if mask.shape not in allowed:
        raise ValueError(
            f"mask must have the shape of the leading axes of {of}, one of "
            f"{listed}; got shape {mask.shape}"
        )
    # NaN compares unequal to both 0 and 1, so it is rejected here too.
    if mask.dtype != np.bool_ and not np.all((mask == 0) | (mask == 1)):
        raise ValueError("mask must hold only 0 and 1 (or False and True)")
    weights = mask.astype(np.float64)
    if not weights.any():
        raise ValueError(
            "mask is all zeros: there is no position to average the loss over"
        )
    return weights.reshape(mask.shape + (1,) * (len(shape) - mask.ndim))


def mse_loss(
    pred: Array, target: Array, mask: NDArray[np.generic] | None = None
) -> tuple[float, Array]:
    """Mean squared error and its gradient.

    Parameters
    ----------
    pred : ndarray, any shape, e.g. (N, K) or (N, T, K)
        Predictions, float32 or float64.
    target : ndarray, same shape as ``pred``
        Targets, floating.
    mask : ndarray of bool or 0/1, shape ``pred.shape[:k]`` for some k ≥ 1, optional
        Which positions count: the mask covers the leading axes of ``pred``
        (e.g. ``(N, T)`` for ``pred`` of shape ``(N, T, K)``) and is repeated
        over the remaining axes. Note that this aligns the mask with the
        *leading* axes, not the trailing ones as NumPy broadcasting would.

    Returns
    -------
    loss : float
        Without a mask, the mean of ``(pred - target)²`` over every element.
        With a mask, the sum of ``(pred - target)²`` over the masked-in
        elements divided by their number, ``mask.sum() * prod(pred.shape[k:])``:
        with ``pred (N, T, K)`` and ``mask (N, T)`` that is the mean over the
        real time steps and all K outputs.
    dpred : ndarray, same shape and dtype as ``pred``
        ``∂loss/∂pred = 2 m ⊙ (pred - target) / count``; zero where masked out.

    Raises
    ------
    TypeError
        If an argument is not an array or has the wrong dtype.
    ValueError
        If shapes disagree, a value is NaN or infinite, the mask holds
        something other than 0/1, or the mask is all zeros.
    """
    _check_float("pred", pred, "(N, ...)")
    if pred.size == 0:
        raise ValueError(f"pred must not be empty, got shape {pred.shape}")
    check_array("target", target, pred.shape)
    diff = pred.astype(np.float64) - target  # same shape as pred
    if mask is None:
        count = float(pred.size)
        sq = diff * diff
    else:
        weights = _check_mask(mask, pred.shape, "pred")
        count = float(weights.sum()) * (pred.size // weights.size)
        diff = diff * weights
        sq = diff * diff  # m² = m for a 0/1 mask
    loss = float(sq.sum() / count)
    dpred = (2.0 / count) * diff
    return loss, dpred.astype(pred.dtype, copy=False)


def softmax(logits: Array) -> Array:
    """Numerically stable softmax over the last axis.

    Parameters
    ----------
    logits : ndarray, shape (..., K)
        Unnormalised scores, float32 or float64.

    Returns
    -------
    ndarray, same shape and dtype as ``logits``
        ``exp(z_k) / Σ_j exp(z_j)`` along the last axis; every row sums to 1.

    Notes
    -----
    Subtracting the row maximum first leaves the result unchanged (it cancels
    between numerator and denominator) and makes every exponent ≤ 0, so
    ``exp`` cannot overflow.
    """
    _check_float("logits", logits, "(..., K)")
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(
            f"logits must have shape (..., K) with K ≥ 1, got shape {logits.shape}"
        )
    return _softmax(logits)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(
    logits: Array, labels: NDArray[np.integer], mask: NDArray[np.generic] | None = None
) -> tuple[float, Array]:
    """Softmax followed by cross-entropy with integer class labels.

    Parameters
    ----------
    logits : ndarray, shape (..., K), at least 2-D, e.g. (N, K) or (N, T, K)
        Unnormalised class scores, float32 or float64.
    labels : ndarray of int, shape ``logits.shape[:-1]``
        The correct class of every position, each in ``0 … K - 1``. Masked-out
        positions need a valid class too (pad with 0).
    mask : ndarray of bool or 0/1, shape ``labels.shape[:k]`` for some k ≥ 1, optional
        Which positions count, aligned with the leading axes of ``labels``
        (e.g. ``(N, T)`` or ``(N,)`` for logits of shape ``(N, T, K)``).

    Returns
    -------
    loss : float
        ``-log softmax(logits)[label]`` averaged over every position (every
        entry of ``labels``), or with a mask over the masked-in positions only.
    dlogits : ndarray, same shape and dtype as ``logits``
        ``(softmax(logits) - onehot(labels)) ⊙ m / count``; zero where masked
        out.

    Notes
    -----
    ``log softmax(z)_k = z_k - max(z) - log Σ_j exp(z_j - max(z))`` (the
    log-sum-exp trick), so large logits neither overflow nor give ``log 0``.
    """
    _check_float("logits", logits, "(N, ..., K)")
    if logits.ndim < 2 or logits.shape[-1] == 0:
        raise ValueError(
            f"logits must have shape (N, ..., K) with K ≥ 1 (at least 2-D), "
            f"got shape {logits.shape}"
        )
    if logits.size == 0:
        raise ValueError(f"logits must not be empty, got shape {logits.shape}")
    positions = logits.shape[:-1]
    num_classes = logits.shape[-1]
    if not isinstance(labels, np.ndarray):
        raise TypeError(
            f"labels must be a NumPy integer array of shape {positions}, "
            f"got {type(labels).__name__}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(
            f"labels must be an integer array of class indices of shape "
            f"{positions}, got dtype {labels.dtype}; convert it with "
            f"labels.astype(np.int64)"
        )
    if labels.shape != positions:
        raise ValueError(
            f"labels must have shape logits.shape[:-1] = {positions}, "
            f"got shape {labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"labels must be class indices in 0 … {num_classes - 1} (K = "
            f"{num_classes}), got values from {labels.min()} to {labels.max()}"
        )
    if mask is None:
        weights = np.ones(positions + (1,))
        count = float(labels.size)
    else:
        weights = _check_mask(mask, positions, "labels")
        count = float(weights.sum()) * (labels.size // weights.size)
        weights = weights[..., np.newaxis]  # broadcasts over the K classes

    z = logits.astype(np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)  # (..., K)
    log_sum = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # (..., 1)
    log_probs = shifted - log_sum  # (..., K)
    picked = np.take_along_axis(log_probs, labels[..., np.newaxis], axis=-1)
    loss = float(-(picked * weights).sum() / count)

    dlogits = np.exp(log_probs)  # softmax, (..., K)
    # Subtract the one-hot target: p_label - 1 at each position's label.
    np.put_along_axis(dlogits, labels[..., np.newaxis], np.exp(picked) - 1.0, axis=-1)
    dlogits *= weights / count
    return loss, dlogits.astype(logits.dtype, copy=False)
