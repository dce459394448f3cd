"""A small trainable sequence model: recurrent layer(s) plus a dense head.

The model is a frozen description (sizes, cell type, readout, loss); its
parameters live in a plain dict with namespaced keys (``"layer0.W_f"``,
``"head.W"``), so that the optimisers and the gradient clipping of
``lstm_ref.optim`` apply unchanged and nothing is mutated behind the caller's
back. ``train`` runs minibatch training and returns the new parameters with a
``History`` of the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import check_array
from lstm_ref.gru import gru_backward, gru_forward, init_gru_params
from lstm_ref.init import init_lstm_params, init_rnn_params
from lstm_ref.layers import dense_backward, dense_forward, init_dense_params
from lstm_ref.losses import mse_loss, softmax_cross_entropy
from lstm_ref.lstm import lstm_backward, lstm_forward
from lstm_ref.optim import adam_step, clip_grad_norm, rmsprop_step, sgd_step
from lstm_ref.rnn import rnn_backward, rnn_forward

Array = NDArray[np.floating]
Params = dict[str, Array]

_OPTIMIZERS: dict[str, Callable[..., tuple[Params, Any]]] = {
    "sgd": sgd_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
}


def _split(params: Mapping[str, Array], prefix: str) -> Params:
    start = len(prefix) + 1
    return {k[start:]: v for k, v in params.items() if k.startswith(prefix + ".")}


@dataclass(frozen=True)
class SequenceModel:
    """Recurrent layer(s) followed by a dense layer.

    Parameters
    ----------
    input_size : int
        D, features per time step.
    hidden_size : int
        H, hidden units of every recurrent layer.
    output_size : int
        K, outputs per prediction (classes for cross-entropy).
    cell : {"lstm", "rnn", "gru"}
        The recurrent cell.
    num_layers : int
        Stacked recurrent layers; layer k + 1 reads layer k's hidden states.
    readout : {"last", "sequence"}
        ``"last"``: one prediction per sequence from ``h_T``, shape (N, K).
        ``"sequence"``: one prediction per step, shape (N, T, K).
    loss : {"mse", "cross_entropy"}
        Mean squared error on real targets, or softmax cross-entropy on
        integer class labels.
    forget_bias : float
        Initial forget-gate bias of LSTM layers.
    """

    input_size: int
    hidden_size: int
    output_size: int
    cell: Literal["lstm", "rnn", "gru"] = "lstm"
    num_layers: int = 1
    readout: Literal["last", "sequence"] = "last"
    loss: Literal["mse", "cross_entropy"] = "mse"
    forget_bias: float = 1.0

    def __post_init__(self) -> None:
        for name in ("input_size", "hidden_size", "output_size", "num_layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        choices = {
            "cell": ("lstm", "rnn", "gru"),
            "readout": ("last", "sequence"),
            "loss": ("mse", "cross_entropy"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"{name} must be one of {allowed}, got {getattr(self, name)!r}"
                )

    def init_params(self, *, rng: np.random.Generator | int | None = None) -> Params:
        """Fresh parameters: ``layer{k}.<cell keys>`` and ``head.W``, ``head.b``."""
        rng = np.random.default_rng(rng)
        params: Params = {}
        in_size = self.input_size
        for layer in range(self.num_layers):
            if self.cell == "lstm":
                p = init_lstm_params(
                    in_size, self.hidden_size, rng=rng, forget_bias=self.forget_bias
                )
            elif self.cell == "gru":
                p = init_gru_params(in_size, self.hidden_size, rng=rng)
            else:
                p = init_rnn_params(in_size, self.hidden_size, rng=rng)
            params.update({f"layer{layer}.{k}": v for k, v in p.items()})
            in_size = self.hidden_size
        head = init_dense_params(self.hidden_size, self.output_size, rng=rng)
        params.update({f"head.{k}": v for k, v in head.items()})
        return params

    def _layer_forward(
        self, x: Array, p: Params
    ) -> tuple[Array, Callable[[Array], tuple[Array, Params]]]:
        n = x.shape[0]
        h0 = np.zeros((n, self.hidden_size), dtype=x.dtype)
        if self.cell == "lstm":
            hs, _, cache = lstm_forward(x, h0, h0, p)

            def back(dhs: Array) -> tuple[Array, Params]:
                dx, _, _, grads = lstm_backward(dhs, cache)
                return dx, grads

        elif self.cell == "gru":
            hs, cache = gru_forward(x, h0, p)

            def back(dhs: Array) -> tuple[Array, Params]:
                dx, _, grads = gru_backward(dhs, cache)
                return dx, grads

        else:
            hs, cache = rnn_forward(x, h0, p)

            def back(dhs: Array) -> tuple[Array, Params]:
                dx, _, grads = rnn_backward(dhs, cache)
                return dx, grads

        return hs, back

    def forward(
        self, params: Mapping[str, Array], x: Array
    ) -> tuple[Array, Callable[[Array], Params]]:
        """Predictions and a closure that backpropagates their gradient.

        Parameters
        ----------
        params : dict
            From ``init_params`` (or training).
        x : ndarray, shape (N, T, D)

        Returns
        -------
        out : ndarray, shape (N, K) or (N, T, K)
            Predictions (logits for cross-entropy).
        backward : callable
            ``backward(dout) -> grads``, a dict with the keys of ``params``.
        """
        check_array("x", x, ("N", "T", self.input_size))
        backs = []
        hs = x
        for layer in range(self.num_layers):
            hs, back = self._layer_forward(hs, _split(params, f"layer{layer}"))
            backs.append(back)
        feats = hs[:, -1] if self.readout == "last" else hs
        out, head_cache = dense_forward(feats, _split(params, "head"))

        def backward(dout: Array) -> Params:
            grads: Params = {}
            dfeats, head_grads = dense_backward(dout, head_cache)
            grads.update({f"head.{k}": v for k, v in head_grads.items()})
            if self.readout == "last":
                dhs = np.zeros_like(hs)
                dhs[:, -1] = dfeats
            else:
                dhs = dfeats
            for layer in range(self.num_layers - 1, -1, -1):
                dhs, layer_grads = backs[layer](dhs)
                grads.update({f"layer{layer}.{k}": v for k, v in layer_grads.items()})
            return grads

        return out, backward

    def predict(self, params: Mapping[str, Array], x: Array) -> Array:
        """Predictions for ``x`` (logits for cross-entropy)."""
        return self.forward(params, x)[0]

    def loss_and_grads(
        self,
        params: Mapping[str, Array],
        x: Array,
        y: NDArray[Any],
        mask: NDArray[Any] | None = None,
    ) -> tuple[float, Params]:
        """Loss on a batch and its gradient with respect to every parameter.

        ``mask`` (N, T) selects the steps that count when ``readout`` is
        ``"sequence"`` (padding has mask 0).
        """
        out, backward = self.forward(params, x)
        if self.loss == "mse":
            loss, dout = mse_loss(out, y, mask=mask)
        else:
            loss, dout = softmax_cross_entropy(out, y, mask=mask)
        return loss, backward(dout)

    def evaluate(
        self,
        params: Mapping[str, Array],
        x: Array,
        y: NDArray[Any],
        mask: NDArray[Any] | None = None,
    ) -> float:
        """The loss on a data set, without gradients."""
        out = self.predict(params, x)
        if self.loss == "mse":
            return mse_loss(out, y, mask=mask)[0]
        return softmax_cross_entropy(out, y, mask=mask)[0]


@dataclass
class History:
    """What ``train`` recorded: one entry every ``eval_every`` steps."""

    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_step: int = 0
    stopped_early: bool = False


def train(
    model: SequenceModel,
    params: Mapping[str, Array],
    x_train: Array,
    y_train: NDArray[Any],
    *,
    x_val: Array | None = None,
    y_val: NDArray[Any] | None = None,
    num_steps: int = 1000,
    batch_size: int = 32,
    optimizer: Literal["sgd", "rmsprop", "adam"] = "adam",
    lr: float = 1e-3,
    clip_norm: float | None = 5.0,
    eval_every: int = 50,
    patience: int | None = None,
    rng: np.random.Generator | int | None = None,
    **optimizer_kwargs: float,
) -> tuple[Params, History]:
    """Minibatch training with optional clipping and early stopping.

    Parameters
    ----------
    model : SequenceModel
    params : dict
        Starting parameters; not modified.
    x_train : ndarray, shape (N, T, D)
    y_train : ndarray
        Targets matching ``model.readout`` and ``model.loss``.
    x_val, y_val : ndarray, optional
        Validation data; needed for early stopping.
    num_steps : int
        Optimiser steps (minibatches), each on ``batch_size`` samples drawn
        without replacement within an epoch.
    optimizer : {"sgd", "rmsprop", "adam"}
    lr : float
        Learning rate.
    clip_norm : float or None
        Clip the global gradient norm at this value (None: no clipping).
    eval_every : int
        Record the history every this many steps.
    patience : int or None
        Stop when the validation loss has not improved for this many
        evaluations, and return the best parameters seen.
    rng : Generator, int or None
        Shuffling.
    **optimizer_kwargs
        Passed to the step function (``momentum``, ``beta1``, ...).

    Returns
    -------
    params : dict
        The trained parameters (the best on validation when ``patience`` is
        set).
    history : History
    """
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(_OPTIMIZERS)}")
    if patience is not None and x_val is None:
        raise ValueError("early stopping (patience) needs x_val and y_val")
    step_fn = _OPTIMIZERS[optimizer]
    rng = np.random.default_rng(rng)
    num_train = x_train.shape[0]
    params = dict(params)
    state = None
    history = History()
    best = (np.inf, params)
    waited = 0
    order = rng.permutation(num_train)
    cursor = 0
    batch_losses: list[float] = []
    norms: list[float] = []
    start = time.perf_counter()
    for step in range(1, num_steps + 1):
        if cursor + batch_size > num_train:
            order, cursor = rng.permutation(num_train), 0
        idx = order[cursor : cursor + batch_size]
        cursor += batch_size
        loss, grads = model.loss_and_grads(params, x_train[idx], y_train[idx])
        if clip_norm is not None:
            grads, norm = clip_grad_norm(grads, clip_norm)
        else:
            norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
        params, state = step_fn(params, grads, state, lr=lr, **optimizer_kwargs)
        batch_losses.append(loss)
        norms.append(norm)
        if step % eval_every == 0 or step == num_steps:
            history.step.append(step)
            history.train_loss.append(float(np.mean(batch_losses)))
            history.grad_norm.append(float(np.mean(norms)))
            batch_losses, norms = [], []
            if x_val is not None:
                val = model.evaluate(params, x_val, y_val)
                history.val_loss.append(val)
                if val < best[0]:
                    best, waited = (val, params), 0
                    history.best_step = step
                else:
                    waited += 1
            history.seconds.append(time.perf_counter() - start)
            if patience is not None and waited >= patience:
                history.stopped_early = True
                break
    if patience is not None:
        params = best[1]
    elif x_val is None:
        history.best_step = num_steps
    return params, history
