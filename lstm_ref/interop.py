"""Converting weights between ``lstm_ref`` and PyTorch or Keras.

The course keeps one weight matrix per gate, acting on ``[h_{t-1}, x_t]``
(hidden state first)::

    W_f, W_i, W_c, W_o : (H, H + D)        b_f, b_i, b_c, b_o : (H,)

The libraries fuse the four gates into one matrix and split it by what it
multiplies instead:

- PyTorch ``nn.LSTM``: ``weight_ih (4H, D)``, ``weight_hh (4H, H)`` and two
  biases ``bias_ih, bias_hh (4H,)`` that it adds; gate blocks i, f, g, o.
- Keras ``LSTM``: ``kernel (D, 4H)``, ``recurrent_kernel (H, 4H)``,
  ``bias (4H,)``; gate blocks i, f, c, o.

PyTorch's ``g`` is the course's candidate ``C̃`` (key ``c``). Both libraries
put the gates in the same order, so a Keras kernel is a transposed PyTorch
``weight_ih``. The conversion only moves numbers: the same weights give the
same outputs in all three (PyTorch's ``nn.LSTM`` with ``proj_size=0``; Keras'
``LSTM`` with its defaults ``activation="tanh"`` and
``recurrent_activation="sigmoid"``).

Every function takes and returns plain NumPy arrays (torch and Keras are never
imported), keeps the inputs' floating dtype, and returns new arrays, never
views into its inputs. Because a gradient has the shape of its parameter, the
``to_*`` functions convert gradients too.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import (
    LSTM_KEYS,
    RNN_KEYS,
    check_array,
    check_grads_dict,
    check_params,
)

Array = NDArray[np.floating]

# The order of the four gate blocks in PyTorch's and Keras' fused weights,
# named with the course's keys (PyTorch's "g" is the candidate "c").
_LIBRARY_GATE_ORDER = ("i", "f", "c", "o")


def _copy(value: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return np.array(value, dtype=dtype, copy=True, order="C")


def _stack(blocks: list[np.ndarray], axis: int, dtype: np.dtype) -> np.ndarray:
    # Concatenating transposed blocks gives a Fortran-ordered array; return
    # plain C-ordered ones, as the libraries' own weights are.
    return np.ascontiguousarray(np.concatenate(blocks, axis=axis, dtype=dtype))


def _bind_gate_rows(name: str, size: int, dims: dict[str, int], gates: str) -> None:
    """Turn the bound ``4H`` of ``name`` into ``H``, or say why it cannot."""
    if size == 0 or size % 4 != 0:
        raise ValueError(
            f"{name} has {size} gate rows/columns, which must be a positive "
            f"multiple of 4 (4H: one block of H per gate, in the order {gates})"
        )
    dims["H"] = size // 4


def _check_input_size(name: str, dims: dict[str, int]) -> None:
    if dims["D"] == 0:
        raise ValueError(f"{name} has D = 0 input features; expected D >= 1")


def _bind_params_dims(
    params: object, keys: tuple[str, ...], w_key: str
) -> dict[str, int]:
    """Validate a parameter dict whose sizes H and D are not known beforehand.

    H and D are read off ``params[w_key]``; ``check_params`` then holds every
    array to them (and raises its own errors for non-arrays and wrong ranks).
    """
    check_grads_dict("params", params, keys)
    weights = params[w_key]
    dims: dict[str, int] = {}
    if isinstance(weights, np.ndarray) and weights.ndim == 2:
        hidden, columns = weights.shape
        if hidden == 0 or columns <= hidden:
            raise ValueError(
                f"params[{w_key!r}] must have shape (H, H + D) with H >= 1 and "
                f"D >= 1, got shape {weights.shape}"
            )
        dims = {"H": hidden, "D": columns - hidden}
    check_params("params", params, keys, dims)
    return dims


def from_torch_weights(
    weight_ih: Array, weight_hh: Array, bias_ih: Array, bias_hh: Array
) -> dict[str, Array]:
    """Course parameters from PyTorch ``nn.LSTM`` (or ``nn.LSTMCell``) weights.

    Parameters
    ----------
    weight_ih : ndarray, shape (4H, D)
        ``weight_ih_l0``: input weights, gate blocks in the order i, f, g, o.
    weight_hh : ndarray, shape (4H, H)
        ``weight_hh_l0``: recurrent weights, same gate order.
    bias_ih : ndarray, shape (4H,)
        ``bias_ih_l0``.
    bias_hh : ndarray, shape (4H,)
        ``bias_hh_l0``. PyTorch adds both biases; only their sum matters.

    Returns
    -------
    params : dict
        ``W_f, W_i, W_c, W_o : (H, H + D)`` and ``b_f, b_i, b_c, b_o : (H,)``
        with ``W_k = [weight_hh[k], weight_ih[k]]`` (hidden columns first) and
        ``b_k = bias_ih[k] + bias_hh[k]`` for each gate block ``k``.

    Raises
    ------
    TypeError
        If an argument is not a floating NumPy array.
    ValueError
        If a shape does not fit the others or an array holds NaN or infinity.

    Notes
    -----
    For a torch module ``lstm``, pass
    ``lstm.weight_ih_l0.detach().numpy()`` and so on. A layer built with
    ``bias=False`` has no biases: pass zeros of shape (4H,).
    """
    dims: dict[str, int] = {}
    check_array("weight_ih", weight_ih, ("4H", "D"), dims)
    _bind_gate_rows("weight_ih", dims["4H"], dims, "i, f, g, o")
    _check_input_size("weight_ih", dims)
    check_array("weight_hh", weight_hh, ("4H", "H"), dims)
    check_array("bias_ih", bias_ih, ("4H",), dims)
    check_array("bias_hh", bias_hh, ("4H",), dims)
    hidden = dims["H"]
    dtype = np.result_type(weight_ih, weight_hh, bias_ih, bias_hh)

    params: dict[str, Array] = {}
    for k, gate in enumerate(_LIBRARY_GATE_ORDER):
        rows = slice(k * hidden, (k + 1) * hidden)
        params[f"W_{gate}"] = _stack(
            [weight_hh[rows], weight_ih[rows]], 1, dtype
        )  # (H, H + D)
        params[f"b_{gate}"] = _copy(bias_ih[rows] + bias_hh[rows], dtype)  # (H,)
    return {key: params[key] for key in LSTM_KEYS}


def to_torch_weights(
    params: Mapping[str, Array],
) -> tuple[Array, Array, Array, Array]:
    """PyTorch ``nn.LSTM`` weights from course parameters.

    Parameters
    ----------
    params : dict
        ``W_f, W_i, W_c, W_o : (H, H + D)`` and ``b_f, b_i, b_c, b_o : (H,)``.

    Returns
    -------
    weight_ih : ndarray, shape (4H, D)
        The input columns ``W_k[:, H:]`` stacked in the order i, f, g, o.
    weight_hh : ndarray, shape (4H, H)
        The hidden columns ``W_k[:, :H]``, same order.
    bias_ih : ndarray, shape (4H,)
        The whole bias ``b_k``, same order.
    bias_hh : ndarray, shape (4H,)
        Zeros.

    Notes
    -----
    PyTorch has two bias vectors and only uses their sum, so one course bias
    could be split between them in infinitely many ways. This function puts
    all of it into ``bias_ih`` and zeros into ``bias_hh``; ``from_torch_weights``
    of the result gives ``params`` back exactly.

    Applied to the gradients returned by ``lstm_backward`` it gives the
    gradients PyTorch computes for ``weight_ih``, ``weight_hh`` and
    ``bias_ih``; PyTorch's gradient for ``bias_hh`` equals the one for
    ``bias_ih`` (the two enter the sum alike), not the zeros returned here.
    """
    dims = _bind_params_dims(params, LSTM_KEYS, "W_f")
    hidden = dims["H"]
    dtype = np.result_type(*(params[key] for key in LSTM_KEYS))
    weights = [params[f"W_{gate}"] for gate in _LIBRARY_GATE_ORDER]
    weight_ih = _stack([w[:, hidden:] for w in weights], 0, dtype)
    weight_hh = _stack([w[:, :hidden] for w in weights], 0, dtype)
    bias_ih = _stack([params[f"b_{gate}"] for gate in _LIBRARY_GATE_ORDER], 0, dtype)
    bias_hh = np.zeros(4 * hidden, dtype=dtype)
    return weight_ih, weight_hh, bias_ih, bias_hh


def from_keras_weights(
    kernel: Array, recurrent_kernel: Array, bias: Array
) -> dict[str, Array]:
    """Course parameters from Keras ``LSTM`` weights.

    Parameters
    ----------
    kernel : ndarray, shape (D, 4H)
        Input weights (``layer.get_weights()[0]``), gate blocks of H columns
        in the order i, f, c, o.
    recurrent_kernel : ndarray, shape (H, 4H)
        Recurrent weights (``layer.get_weights()[1]``), same gate order.
    bias : ndarray, shape (4H,)
        ``layer.get_weights()[2]``; for a layer with ``use_bias=False`` pass
        zeros.

    Returns
    -------
    params : dict
        ``W_f, W_i, W_c, W_o : (H, H + D)`` and ``b_f, b_i, b_c, b_o : (H,)``
        with ``W_k = [recurrent_kernel[:, k].T, kernel[:, k].T]`` and
        ``b_k = bias[k]`` for each gate block ``k``.

    Raises
    ------
    TypeError
        If an argument is not a floating NumPy array.
    ValueError
        If a shape does not fit the others or an array holds NaN or infinity.

    Notes
    -----
    Keras multiplies row vectors from the left (``x_t @ kernel``), the course
    multiplies ``[h_{t-1}, x_t] @ W.T``: hence the transposes.
    """
    dims: dict[str, int] = {}
    check_array("kernel", kernel, ("D", "4H"), dims)
    _bind_gate_rows("kernel", dims["4H"], dims, "i, f, c, o")
    _check_input_size("kernel", dims)
    check_array("recurrent_kernel", recurrent_kernel, ("H", "4H"), dims)
    check_array("bias", bias, ("4H",), dims)
    hidden = dims["H"]
    dtype = np.result_type(kernel, recurrent_kernel, bias)

    params: dict[str, Array] = {}
    for k, gate in enumerate(_LIBRARY_GATE_ORDER):
        cols = slice(k * hidden, (k + 1) * hidden)
        params[f"W_{gate}"] = _stack(
            [recurrent_kernel[:, cols].T, kernel[:, cols].T], 1, dtype
        )  # (H, H + D)
        params[f"b_{gate}"] = _copy(bias[cols], dtype)  # (H,)
    return {key: params[key] for key in LSTM_KEYS}


def to_keras_weights(params: Mapping[str, Array]) -> tuple[Array, Array, Array]:
    """Keras ``LSTM`` weights from course parameters.

    Parameters
    ----------
    params : dict
        ``W_f, W_i, W_c, W_o : (H, H + D)`` and ``b_f, b_i, b_c, b_o : (H,)``.

    Returns
    -------
    kernel : ndarray, shape (D, 4H)
        ``W_k[:, H:].T`` side by side in the order i, f, c, o.
    recurrent_kernel : ndarray, shape (H, 4H)
        ``W_k[:, :H].T``, same order.
    bias : ndarray, shape (4H,)
        ``b_k``, same order.

    Notes
    -----
    ``layer.set_weights([kernel, recurrent_kernel, bias])`` loads them into a
    built Keras ``LSTM(H)`` layer.
    """
    dims = _bind_params_dims(params, LSTM_KEYS, "W_f")
    hidden = dims["H"]
    dtype = np.result_type(*(params[key] for key in LSTM_KEYS))
    weights = [params[f"W_{gate}"] for gate in _LIBRARY_GATE_ORDER]
    kernel = _stack([w[:, hidden:].T for w in weights], 1, dtype)
    recurrent_kernel = _stack([w[:, :hidden].T for w in weights], 1, dtype)
    bias = _stack([params[f"b_{gate}"] for gate in _LIBRARY_GATE_ORDER], 0, dtype)
    return kernel, recurrent_kernel, bias


def from_torch_rnn_weights(
    weight_ih: Array, weight_hh: Array, bias_ih: Array, bias_hh: Array
) -> dict[str, Array]:
    """Course RNN parameters from PyTorch ``nn.RNN(nonlinearity="tanh")`` weights.

    Parameters
    ----------
    weight_ih : ndarray, shape (H, D)
        ``weight_ih_l0``.
    weight_hh : ndarray, shape (H, H)
        ``weight_hh_l0``.
    bias_ih : ndarray, shape (H,)
        ``bias_ih_l0``.
    bias_hh : ndarray, shape (H,)
        ``bias_hh_l0``; PyTorch adds both biases.

    Returns
    -------
    params : dict
        ``W = [weight_hh, weight_ih] : (H, H + D)`` and
        ``b = bias_ih + bias_hh : (H,)``.

    Raises
    ------
    TypeError
        If an argument is not a floating NumPy array.
    ValueError
        If a shape does not fit the others or an array holds NaN or infinity.
    """
    dims: dict[str, int] = {}
    check_array("weight_ih", weight_ih, ("H", "D"), dims)
    if dims["H"] == 0:
        raise ValueError("weight_ih has H = 0 rows; expected H >= 1")
    _check_input_size("weight_ih", dims)
    check_array("weight_hh", weight_hh, ("H", "H"), dims)
    check_array("bias_ih", bias_ih, ("H",), dims)
    check_array("bias_hh", bias_hh, ("H",), dims)
    dtype = np.result_type(weight_ih, weight_hh, bias_ih, bias_hh)
    return {
        "W": _stack([weight_hh, weight_ih], 1, dtype),
        "b": _copy(bias_ih + bias_hh, dtype),
    }


def to_torch_rnn_weights(
    params: Mapping[str, Array],
) -> tuple[Array, Array, Array, Array]:
    """PyTorch ``nn.RNN`` weights from course RNN parameters.

    Parameters
    ----------
    params : dict
        ``W : (H, H + D)`` and ``b : (H,)``.

    Returns
    -------
    weight_ih : ndarray, shape (H, D)
        ``W[:, H:]``.
    weight_hh : ndarray, shape (H, H)
        ``W[:, :H]``.
    bias_ih : ndarray, shape (H,)
        ``b``.
    bias_hh : ndarray, shape (H,)
        Zeros: as in ``to_torch_weights``, the whole bias goes into
        ``bias_ih``. For gradients, PyTorch's ``bias_hh`` gradient equals the
        ``bias_ih`` one.
    """
    dims = _bind_params_dims(params, RNN_KEYS, "W")
    hidden = dims["H"]
    dtype = np.result_type(params["W"], params["b"])
    weights = params["W"]
    return (
        _copy(weights[:, hidden:], dtype),
        _copy(weights[:, :hidden], dtype),
        _copy(params["b"], dtype),
        np.zeros(hidden, dtype=dtype),
    )
