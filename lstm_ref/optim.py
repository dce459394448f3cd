"""Optimisers (SGD with momentum, RMSprop, Adam) and gradient-norm clipping.

Every optimiser is a pure function over parameter dicts::

    new_params, state = adam_step(params, grads, state, lr=1e-3)

It never changes ``params``, ``grads`` or ``state``: it returns new arrays,
and the caller passes the returned ``state`` to the next call (``None`` on the
first). ``grads`` must hold exactly the keys of ``params``, with the same
shapes. New parameters and state arrays keep each parameter's dtype.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import check_array

Array = NDArray[np.floating]
Params = Mapping[str, Array]
State = dict[str, Any]


def _check_hyper(
    name: str,
    value: object,
    *,
    low: float,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = True,
) -> float:
    """A real number in the interval given by ``low``, ``high`` and openness."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open or math.isinf(high) else "]"
        raise ValueError(f"{name} must lie in {left}{low}, {high}{right}, got {value}")
    return value


def _check_params_grads(params: object, grads: object) -> None:
    """``params`` a dict of finite float arrays; ``grads`` the same keys and shapes."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if not isinstance(grads, Mapping):
        raise TypeError(
            f"grads must be a dict with the keys of params, got {type(grads).__name__}"
        )
    for key, value in params.items():
        if not isinstance(value, np.ndarray):
            raise TypeError(
                f"params[{key!r}] must be a NumPy array, got {type(value).__name__}"
            )
        check_array(f"params[{key!r}]", value, value.shape)
    missing = [k for k in params if k not in grads]
    if missing:
        raise KeyError(
            f"grads is missing key(s) {', '.join(map(repr, missing))} of params"
        )
    extra = [k for k in grads if k not in params]
    if extra:
        raise KeyError(
            f"grads has key(s) {', '.join(map(repr, extra))} that params does not have"
        )
    for key, value in params.items():
        check_array(f"grads[{key!r}]", grads[key], value.shape)


def _check_slots(state: Mapping[str, Any], slot: str, params: Params) -> None:
    """``state[slot]`` is a dict of arrays shaped like ``params``."""
    if slot not in state:
        raise KeyError(f"state is missing key {slot!r}; pass None on the first step")
    arrays = state[slot]
    if not isinstance(arrays, Mapping):
        raise TypeError(
            f"state[{slot!r}] must be a dict of arrays, got {type(arrays).__name__}"
        )
    missing = [k for k in params if k not in arrays]
    if missing:
        raise KeyError(
            f"state[{slot!r}] is missing key(s) {', '.join(map(repr, missing))}; "
            f"was this state made for other parameters?"
        )
    for key, value in params.items():
        check_array(f"state[{slot!r}][{key!r}]", arrays[key], value.shape)


def _check_state(state: object, slots: tuple[str, ...], params: Params) -> None:
    if not isinstance(state, Mapping):
        raise TypeError(
            f"state must be None or the dict returned by the previous step, "
            f"got {type(state).__name__}"
        )
    for slot in slots:
        _check_slots(state, slot, params)


def sgd_step(
    params: Params,
    grads: Params,
    state: State | None = None,
    *,
    lr: float,
    momentum: float = 0.0,
    nesterov: bool = False,
) -> tuple[dict[str, Array], State]:
    """One step of stochastic gradient descent, optionally with momentum.

    Parameters
    ----------
    params : dict of str to ndarray
        Current parameters θ.
    grads : dict of str to ndarray
        ``∂L/∂θ``, the same keys and shapes as ``params``.
    state : dict or None
        ``{"velocity": {key: v}}`` from the previous step; ``None`` starts
        from zero velocity.
    lr : float
        Learning rate, > 0.
    momentum : float
        μ in [0, 1). 0 gives plain SGD.
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0``).

    Returns
    -------
    new_params : dict of str to ndarray
    new_state : dict
        ``{"velocity": {key: v}}``.

    Notes
    -----
    The classic momentum convention (Polyak 1964; Sutskever et al. 2013;
    Keras' ``SGD``), with the learning rate inside the velocity::

        v ← μ v - lr · g
        θ ← θ + v                   (classic)
        θ ← θ + μ v - lr · g        (Nesterov, with the updated v)

    PyTorch keeps ``v ← μ v + g`` and steps ``θ ← θ - lr · v``: the same
    trajectory while ``lr`` is constant, different after a change of ``lr``.
    """
    _check_params_grads(params, grads)
    lr = _check_hyper("lr", lr, low=0.0, low_open=True)
    momentum = _check_hyper("momentum", momentum, low=0.0, high=1.0)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be a bool, got {nesterov!r}")
    if nesterov and momentum == 0.0:
        raise ValueError("nesterov=True needs momentum > 0")
    if state is not None:
        _check_state(state, ("velocity",), params)
    new_params: dict[str, Array] = {}
    velocity: dict[str, Array] = {}
    for key, theta in params.items():
        g = grads[key]
        v_old = (
            np.zeros_like(theta) if state is None else state["velocity"][key]
        )  # same shape as θ
        v = (momentum * v_old - lr * g).astype(theta.dtype, copy=False)
        step = momentum * v - lr * g if nesterov else v
        new_params[key] = (theta + step).astype(theta.dtype, copy=False)
        velocity[key] = v
    return new_params, {"velocity": velocity}


def rmsprop_step(
    params: Params,
    grads: Params,
    state: State | None = None,
    *,
    lr: float = 1e-3,
    rho: float = 0.9,
    eps: float = 1e-8,
) -> tuple[dict[str, Array], State]:
    """One RMSprop step (Tieleman & Hinton, lecture 6e, 2012).

    Parameters
    ----------
    params : dict of str to ndarray
        Current parameters θ.
    grads : dict of str to ndarray
        ``∂L/∂θ``, the same keys and shapes as ``params``.
    state : dict or None
        ``{"mean_square": {key: s}}`` from the previous step; ``None`` starts
        from ``s = 0``.
    lr : float
        Learning rate, > 0.
    rho : float
        Decay of the running mean square, in [0, 1).
    eps : float
        Added to the root mean square (outside the square root), > 0.

    Returns
    -------
    new_params : dict of str to ndarray
    new_state : dict
        ``{"mean_square": {key: s}}``.

    Notes
    -----
    Elementwise::

        s ← ρ s + (1 - ρ) g²
        θ ← θ - lr · g / (√s + ε)

    Dividing by the root of a running mean square of recent gradients gives
    every parameter a step of about ``lr``, whatever its gradient's scale.
    """
    _check_params_grads(params, grads)
    lr = _check_hyper("lr", lr, low=0.0, low_open=True)
    rho = _check_hyper("rho", rho, low=0.0, high=1.0)
    eps = _check_hyper("eps", eps, low=0.0, low_open=True)
    if state is not None:
        _check_state(state, ("mean_square",), params)
    new_params: dict[str, Array] = {}
    mean_square: dict[str, Array] = {}
    for key, theta in params.items():
        g = grads[key]
        s_old = np.zeros_like(theta) if state is None else state["mean_square"][key]
        s = (rho * s_old + (1.0 - rho) * g * g).astype(theta.dtype, copy=False)
        new_theta = theta - lr * g / (np.sqrt(s) + eps)
        new_params[key] = new_theta.astype(theta.dtype, copy=False)
        mean_square[key] = s
    return new_params, {"mean_square": mean_square}


def adam_step(
    params: Params,
    grads: Params,
    state: State | None = None,
    *,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[dict[str, Array], State]:
    """One Adam step (Kingma & Ba 2015, Algorithm 1).

    Parameters
    ----------
    params : dict of str to ndarray
        Current parameters θ.
    grads : dict of str to ndarray
        ``∂L/∂θ``, the same keys and shapes as ``params``.
    state : dict or None
        ``{"m": {key: m}, "v": {key: v}, "t": int}`` from the previous step;
        ``None`` starts from ``m = v = 0``, ``t = 0``.
    lr : float
        Step size α, > 0.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    eps : float
        Added to ``√v̂`` (outside the square root), > 0.

    Returns
    -------
    new_params : dict of str to ndarray
    new_state : dict
        ``{"m": {key: m}, "v": {key: v}, "t": t}`` with ``t`` the number of
        steps taken so far.

    Notes
    -----
    Elementwise, with ``t`` counting steps from 1::

        m ← β₁ m + (1 - β₁) g
        v ← β₂ v + (1 - β₂) g²
        m̂ = m / (1 - β₁ᵗ),   v̂ = v / (1 - β₂ᵗ)
        θ ← θ - lr · m̂ / (√v̂ + ε)

    The bias correction undoes the pull of the zero initial moments towards
    zero; without it the first steps would be far smaller than ``lr``. On the
    first step ``m̂ = g`` and ``v̂ = g²``, so every parameter moves by about
    ``lr · sign(g)``.
    """
    _check_params_grads(params, grads)
    lr = _check_hyper("lr", lr, low=0.0, low_open=True)
    beta1 = _check_hyper("beta1", beta1, low=0.0, high=1.0)
    beta2 = _check_hyper("beta2", beta2, low=0.0, high=1.0)
    eps = _check_hyper("eps", eps, low=0.0, low_open=True)
    if state is None:
        t_old = 0
    else:
        _check_state(state, ("m", "v"), params)
        if "t" not in state:
            raise KeyError("state is missing key 't'; pass None on the first step")
        t_old = state["t"]
        if isinstance(t_old, bool) or not isinstance(t_old, (int, np.integer)):
            raise TypeError(f"state['t'] must be an int, got {t_old!r}")
        if t_old < 0:
            raise ValueError(f"state['t'] must be ≥ 0, got {t_old}")
    t = int(t_old) + 1
    correction1 = 1.0 - beta1**t
    correction2 = 1.0 - beta2**t
    new_params: dict[str, Array] = {}
    first: dict[str, Array] = {}
    second: dict[str, Array] = {}
    for key, theta in params.items():
        g = grads[key]
        if state is None:
            m_old = v_old = np.zeros_like(theta)
        else:
            m_old, v_old = state["m"][key], state["v"][key]
        m = (beta1 * m_old + (1.0 - beta1) * g).astype(theta.dtype, copy=False)
        v = (beta2 * v_old + (1.0 - beta2) * g * g).astype(theta.dtype, copy=False)
        m_hat = m / correction1
        v_hat = v / correction2
        new_theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        new_params[key] = new_theta.astype(theta.dtype, copy=False)
        first[key] = m
        second[key] = v
    return new_params, {"m": first, "v": second, "t": t}


def clip_grad_norm(grads: Params, max_norm: float) -> tuple[dict[str, Array], float]:
    """Rescale all gradients together so their global L2 norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict of str to ndarray
        Gradients, any keys and shapes.
    max_norm : float
        Threshold, > 0 (the course uses 5.0).

    Returns
    -------
    clipped_grads : dict of str to ndarray
        New arrays, same keys, shapes and dtypes. When ``total_norm >
        max_norm`` every array is multiplied by ``max_norm / total_norm``;
        otherwise they are unchanged copies.
    total_norm : float
        ``sqrt(Σ_k ‖grads[k]‖²)`` over every entry of every array, measured
        before clipping (useful to log).

    Notes
    -----
    Pascanu, Mikolov & Bengio (2013), Algorithm 1: scaling every array by the
    same factor keeps the direction of the full gradient and only shortens an
    exploding step.
    """
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    for key, value in grads.items():
        if not isinstance(value, np.ndarray):
            raise TypeError(
                f"grads[{key!r}] must be a NumPy array, got {type(value).__name__}"
            )
        check_array(f"grads[{key!r}]", value, value.shape)
    max_norm = _check_hyper("max_norm", max_norm, low=0.0, low_open=True)
    # Divide by the largest entry first so squaring cannot overflow.
    largest = max(
        (float(np.max(np.abs(g))) for g in grads.values() if g.size), default=0.0
    )
    if largest == 0.0:
        total_norm = 0.0
    else:
        total_sq = sum(
            float(np.sum(np.square(g.astype(np.float64) / largest)))
            for g in grads.values()
        )
        total_norm = largest * math.sqrt(total_sq)
    if total_norm > max_norm:
        scale = max_norm / total_norm
        clipped = {k: (g * scale).astype(g.dtype, copy=False) for k, g in grads.items()}
    else:
        clipped = {k: g.copy() for k, g in grads.items()}
    return clipped, total_norm
