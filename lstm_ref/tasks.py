"""Synthetic sequence tasks: adding problem, temporal order, embedded Reber, sines.

The first three are long-time-lag benchmarks from Hochreiter & Schmidhuber
(1997), "Long Short-Term Memory", Neural Computation 9(8): the information
needed for the answer arrives long before the answer is asked for, with
distracting inputs in between. A network that cannot carry a signal across
the lag does no better than a fixed guess, which is why each task states its
memoryless baseline.

Every generator takes ``rng=None`` and calls ``np.random.default_rng(rng)``:
pass an int for a reproducible data set, a ``Generator`` to share one stream.
Arrays are float64 and batch-major, ``(N, T, D)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from lstm_ref.data import _check_positive_int, pad_sequences

Array = NDArray[np.float64]
RngLike = np.random.Generator | int | None

# ---------------------------------------------------------------------------
# The adding problem
# ---------------------------------------------------------------------------

#: MSE of always predicting 0.5 when X1, X2 ~ U[-1, 1]: Var((X1 + X2) / 4)
#: = (1/3 + 1/3) / 16 = 1/24. The generator's exact variance is slightly lower
#: (the first pair's value is zeroed when marked); see
#: ``adding_1997_target_variance``.
ADDING_1997_BASELINE_MSE = 1.0 / 24.0

#: MSE of always predicting 1 for the sum of two U[0, 1] values: 2 · 1/12.
ADDING_UNIFORM_BASELINE_MSE = 1.0 / 6.0

_ADDING_VARIANTS = ("1997", "uniform")
_ADDING_1997_MIN_LEN = 11  # the first ten pairs must not include the last one


def adding_1997_target_variance(seq_len: int) -> float:
    """Exact variance of the ``variant="1997"`` target for a given length.

    Parameters
    ----------
    seq_len : int
        T, at least 11.

    Returns
    -------
    float
        ``(1.9 - 0.9 / (T // 2 - 1)) / 48``: each marked value is U[-1, 1]
        (variance 1/3) unless it sits on the first pair, where it is 0. X1 is
        there with probability 1/10, X2 with probability 0.9 / (T // 2 - 1),
        so ``Var(0.5 + (X1 + X2) / 4) = (1/16)(1/3)(0.9 + 1 - 0.9/(T//2 - 1))``.
        It tends to 1.9/48 ≈ 0.0396 for long sequences, 5% below the
        idealised ``ADDING_1997_BASELINE_MSE = 1/24 ≈ 0.0417``.
    """
    seq_len = _check_positive_int("seq_len", seq_len)
    if seq_len < _ADDING_1997_MIN_LEN:
        raise ValueError(
            f"seq_len must be at least 11 for variant '1997', got {seq_len}"
        )
    return (1.9 - 0.9 / (seq_len // 2 - 1)) / 48.0


def adding_problem(
    num_samples: int, seq_len: int, *, variant: str = "1997", rng: RngLike = None
) -> tuple[Array, Array]:
    """The adding problem: add two marked values out of a long noisy sequence.

    Parameters
    ----------
    num_samples : int
        N, the number of sequences.
    seq_len : int
        T, the number of pairs in every sequence (at least 11 for "1997",
        at least 2 for "uniform").
    variant : {"1997", "uniform"}
        Which form of the task (see Notes).
    rng : Generator, int or None
        Source of randomness, passed to ``np.random.default_rng``.

    Returns
    -------
    x : ndarray, shape (N, T, 2), float64
        ``x[..., 0]`` the values, ``x[..., 1]`` the markers.
    y : ndarray, shape (N, 1), float64
        The target, read at the last step.

    Notes
    -----
    ``"1997"``: Hochreiter & Schmidhuber (1997), Experiment 4. Values are
    U[-1, 1]. Exactly two pairs get the marker 1.0: X1 is one of the first ten
    pairs, chosen uniformly; X2 is one of the first ``T/2 - 1`` pairs that are
    still unmarked (we read "the first T/2 - 1 still unmarked pairs" as that
    many candidates, so X2 lies at index ``T // 2 - 1`` at most, or 9 when X1
    sits beyond the candidates). The first and the last pairs carry the
    marker -1 unless marked with 1; every other marker is 0. When the first
    pair is marked its value is set to 0 (the paper says so for X1, which is
    the one that usually lands there; X2 can land there too, and is treated
    alike). Target ``0.5 + (X1 + X2) / 4``, in [0, 1]. The paper draws each
    length between T and T + T/10; here every sequence has exactly
    ``seq_len`` pairs (build variable lengths with ``pad_sequences`` if
    needed). Always predicting the mean 0.5 scores an MSE of about
    ``ADDING_1997_BASELINE_MSE = 1/24``; ``adding_1997_target_variance``
    gives the exact value.

    ``"uniform"``: the form of later papers (Le, Jaitly & Hinton, 2015;
    Arjovsky, Shah & Bengio, 2016). Values are U[0, 1]; one marker 1.0 lies
    uniformly in the first half (``t < T // 2``), one in the second half;
    every other marker is 0. The target is the plain sum of the two marked
    values; always predicting 1 scores ``ADDING_UNIFORM_BASELINE_MSE = 1/6``.
    """
    num_samples = _check_positive_int("num_samples", num_samples)
    seq_len = _check_positive_int("seq_len", seq_len)
    if variant not in _ADDING_VARIANTS:
        raise ValueError(f"variant must be '1997' or 'uniform', got {variant!r}")
    rng = np.random.default_rng(rng)
    rows = np.arange(num_samples)
    markers = np.zeros((num_samples, seq_len))  # (N, T)
    if variant == "1997":
        if seq_len < _ADDING_1997_MIN_LEN:
            raise ValueError(
                f"seq_len must be at least {_ADDING_1997_MIN_LEN} for variant "
                f"'1997' (X1 is among the first ten pairs), got {seq_len}"
            )
        values = rng.uniform(-1.0, 1.0, size=(num_samples, seq_len))  # (N, T)
        pos1 = rng.integers(0, 10, size=num_samples)
        # X2 is the k-th (0-based) pair that is still unmarked: the pairs
        # before pos1 keep their index, the later ones shift by one.
        k = rng.integers(0, seq_len // 2 - 1, size=num_samples)
        pos2 = np.where(k < pos1, k, k + 1)
        markers[:, 0] = -1.0
        markers[:, -1] = -1.0
        markers[rows, pos1] = 1.0
        markers[rows, pos2] = 1.0
        values[:, 0] = np.where(markers[:, 0] == 1.0, 0.0, values[:, 0])
        y = 0.5 + (values[rows, pos1] + values[rows, pos2]) / 4.0  # (N,)
    else:
        if seq_len < 2:
            raise ValueError(
                f"seq_len must be at least 2 for variant 'uniform', got {seq_len}"
            )
        values = rng.uniform(0.0, 1.0, size=(num_samples, seq_len))  # (N, T)
        half = seq_len // 2
        pos1 = rng.integers(0, half, size=num_samples)
        pos2 = rng.integers(half, seq_len, size=num_samples)
        markers[rows, pos1] = 1.0
        markers[rows, pos2] = 1.0
        y = values[rows, pos1] + values[rows, pos2]  # (N,)
    x = np.stack([values, markers], axis=-1)  # (N, T, 2)
    return x, y[:, None]


# ---------------------------------------------------------------------------
# Temporal order (Experiment 6)
# ---------------------------------------------------------------------------

#: One-hot index of each temporal-order symbol: a b c d are distractors, E
#: starts every sequence, B ends it (the trigger), X and Y are the relevant
#: symbols.
TEMPORAL_ORDER_SYMBOLS = ("a", "b", "c", "d", "B", "E", "X", "Y")

# Where the relevant symbols may appear, as fractions of the length: the
# paper's 1-based positions 10-20 and 50-60 (6a) or 10-20, 33-43, 66-76 (6b)
# for sequences of about 100 steps.
_ORDER_WINDOWS = {
    2: ((0.10, 0.20), (0.50, 0.60)),
    3: ((0.10, 0.20), (0.33, 0.43), (0.66, 0.76)),
}
_ORDER_MIN_LEN = 20


def temporal_order_positions(
    seq_len: int, num_relevant: int = 2
) -> tuple[tuple[int, int], ...]:
    """The 0-based ranges (inclusive) where the relevant symbols may appear.

    Parameters
    ----------
    seq_len : int
        T, at least 20.
    num_relevant : {2, 3}

    Returns
    -------
    tuple of (first, last) pairs, one per relevant symbol
        The 1-based positions ``round(lo·T) … round(hi·T)`` of the paper's
        fractions, minus one. For T = 100: ``((9, 19), (49, 59))``, the
        paper's 10–20 and 50–60.
    """
    seq_len = _check_positive_int("seq_len", seq_len)
    if num_relevant not in _ORDER_WINDOWS:
        raise ValueError(f"num_relevant must be 2 or 3, got {num_relevant!r}")
    if seq_len < _ORDER_MIN_LEN:
        raise ValueError(
            f"seq_len must be at least {_ORDER_MIN_LEN} so that the relevant "
            f"positions stay apart and inside the sequence, got {seq_len}"
        )
    # floor(v + 0.5) rounds halves up; Python's round() would round them to even.
    return tuple(
        (int(np.floor(lo * seq_len + 0.5)) - 1, int(np.floor(hi * seq_len + 0.5)) - 1)
        for lo, hi in _ORDER_WINDOWS[num_relevant]
    )


def temporal_order(
    num_samples: int,
    seq_len: int = 100,
    *,
    num_relevant: int = 2,
    rng: RngLike = None,
) -> tuple[Array, NDArray[np.int64]]:
    """The temporal order problem: classify the order of X and Y in noise.

    Parameters
    ----------
    num_samples : int
        N, the number of sequences.
    seq_len : int, default 100
        T, at least 20.
    num_relevant : {2, 3}
        2 for Experiment 6a (4 classes), 3 for Experiment 6b (8 classes).
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    x : ndarray, shape (N, T, 8), float64
        One-hot symbols in the order of ``TEMPORAL_ORDER_SYMBOLS``:
        a, b, c, d, B, E, X, Y (indices 0–7).
    y : ndarray, shape (N,), int64
        The class, the relevant symbols read as a binary number with X = 0,
        Y = 1, the first one most significant: for 6a XX → 0, XY → 1, YX → 2,
        YY → 3 (the paper's Q, R, S, U); for 6b XXX → 0 … YYY → 7 (the
        paper's Q, R, S, U, V, A, B, C).

    Notes
    -----
    Hochreiter & Schmidhuber (1997), Experiment 6: "The sequence starts with
    an E, ends with a B (the 'trigger symbol') and otherwise consists of
    randomly chosen symbols from the set {a, b, c, d} except for two elements
    at positions t1 and t2 that are either X or Y." Each relevant position is
    uniform in the range ``temporal_order_positions`` gives (10–20% and
    50–60% of the length for 6a, as the paper's 10–20 and 50–60 for length
    100), and each relevant symbol is X or Y with probability 1/2. The paper
    draws lengths between 100 and 110; here every sequence has ``seq_len``
    steps.
    """
    num_samples = _check_positive_int("num_samples", num_samples)
    windows = temporal_order_positions(seq_len, num_relevant)
    rng = np.random.default_rng(rng)
    rows = np.arange(num_samples)
    index = {s: k for k, s in enumerate(TEMPORAL_ORDER_SYMBOLS)}
    symbols = rng.integers(0, 4, size=(num_samples, seq_len))  # distractors a-d
    symbols[:, 0] = index["E"]
    symbols[:, -1] = index["B"]
    labels = np.zeros(num_samples, dtype=np.int64)
    for first, last in windows:
        position = rng.integers(first, last + 1, size=num_samples)
        is_y = rng.integers(0, 2, size=num_samples)
        symbols[rows, position] = index["X"] + is_y
        labels = 2 * labels + is_y
    x = np.eye(len(TEMPORAL_ORDER_SYMBOLS))[symbols]  # (N, T, 8)
    return x, labels


# ---------------------------------------------------------------------------
# The (embedded) Reber grammar
# ---------------------------------------------------------------------------

REBER_SYMBOLS = "BTSXPVE"

#: The Reber grammar (Reber, 1967) as a finite automaton, the graph used by
#: Fahlman (1991) and Hochreiter & Schmidhuber (1997, Experiment 1):
#: state -> {symbol: next state}. State 0 is the start, 7 accepts. Every
#: branch is taken with probability 1/2 when generating.
REBER_TRANSITIONS: Mapping[int, Mapping[str, int]] = {
    0: {"B": 1},
    1: {"T": 2, "P": 3},
    2: {"S": 2, "X": 4},
    3: {"T": 3, "V": 5},
    4: {"X": 3, "S": 6},
    5: {"P": 4, "V": 6},
    6: {"E": 7},
    7: {},
}
_REBER_START, _REBER_ACCEPT = 0, 7

State = tuple[object, ...]


def _embedded_transitions(state: State) -> Mapping[str, State]:
    """The embedded grammar B (T R T | P R P) E, R a Reber string, as an automaton.

    States: ("start",), ("branch",), ("inner", b, s) inside the embedded Reber
    string entered through symbol b, ("close", b), ("end",), ("accept",).
    """
    kind = state[0]
    if kind == "start":
        return {"B": ("branch",)}
    if kind == "branch":
        return {b: ("inner", b, _REBER_START) for b in "TP"}
    if kind == "inner":
        _, branch, inner = state
        return {
            symbol: ("close", branch)
            if nxt == _REBER_ACCEPT
            else ("inner", branch, nxt)
            for symbol, nxt in REBER_TRANSITIONS[inner].items()
        }
    if kind == "close":
        return {state[1]: ("end",)}  # the symbol that opened the branch
    if kind == "end":
        return {"E": ("accept",)}
    return {}


def _plain_transitions(state: State) -> Mapping[str, State]:
    return {s: (n,) for s, n in REBER_TRANSITIONS[state[0]].items()}


_GRAMMARS = {
    False: (_plain_transitions, (_REBER_START,), (_REBER_ACCEPT,)),
    True: (_embedded_transitions, ("start",), ("accept",)),
}


def _generate(embedded: bool, rng: np.random.Generator) -> str:
    transitions, state, accept = _GRAMMARS[embedded]
    out = []
    while state != accept:
        options = transitions(state)
        symbols = list(options)
        # Forced steps draw nothing, so the stream only feeds real choices.
        symbol = symbols[rng.integers(len(symbols))] if len(symbols) > 1 else symbols[0]
        out.append(symbol)
        state = options[symbol]
    return "".join(out)


def _walk(string: str, embedded: bool) -> list[State] | None:
    """States after each symbol of ``string``, or None if it leaves the grammar."""
    transitions, state, _ = _GRAMMARS[embedded]
    states = []
    for symbol in string:
        options = transitions(state)
        if symbol not in options:
            return None
        state = options[symbol]
        states.append(state)
    return states


def reber_string(rng: RngLike = None) -> str:
    """One random string of the (plain) Reber grammar, e.g. ``"BTSSXXTVVE"``."""
    return _generate(False, np.random.default_rng(rng))


def embedded_reber_string(rng: RngLike = None) -> str:
    """One random embedded Reber string: ``B T <Reber> T E`` or ``B P <Reber> P E``.

    The second and the second-to-last symbols are equal, with a whole Reber
    string in between: predicting the second-to-last symbol needs a memory
    of the second one, across the lag.
    """
    return _generate(True, np.random.default_rng(rng))


def embedded_reber(num_samples: int, *, rng: RngLike = None) -> list[str]:
    """``num_samples`` random embedded Reber strings from one random stream."""
    num_samples = _check_positive_int("num_samples", num_samples)
    rng = np.random.default_rng(rng)
    return [_generate(True, rng) for _ in range(num_samples)]


def _check_string(name: str, string: object) -> str:
    if not isinstance(string, str):
        raise TypeError(f"{name} must be a str, got {type(string).__name__}")
    return string


def is_reber(string: str) -> bool:
    """Whether ``string`` is a complete string of the plain Reber grammar."""
    states = _walk(_check_string("string", string), embedded=False)
    return bool(states) and states[-1] == (_REBER_ACCEPT,)


def is_embedded_reber(string: str) -> bool:
    """Whether ``string`` is a complete embedded Reber string.

    Every symbol must be allowed where it stands, the symbol after the inner
    Reber string must repeat the second symbol, and the string must end in
    the final E with nothing after it.
    """
    states = _walk(_check_string("string", string), embedded=True)
    return bool(states) and states[-1] == ("accept",)


def one_hot_reber(strings: Sequence[str]) -> tuple[Array, NDArray[np.bool_]]:
    """One-hot encode Reber strings into a padded batch.

    Parameters
    ----------
    strings : list of str
        Strings over ``REBER_SYMBOLS`` (not necessarily grammatical).

    Returns
    -------
    x : ndarray, shape (N, T_max, 7), float64
        ``x[n, t, REBER_SYMBOLS.index(strings[n][t])] = 1``; padded steps are
        all zero (padding at the end).
    mask : ndarray of bool, shape (N, T_max)
        True at real steps.
    """
    if not isinstance(strings, (list, tuple)) or len(strings) == 0:
        raise TypeError("strings must be a non-empty list of str")
    eye = np.eye(len(REBER_SYMBOLS))
    encoded = []
    for k, string in enumerate(strings):
        _check_string(f"strings[{k}]", string)
        bad = sorted(set(string) - set(REBER_SYMBOLS))
        if bad:
            raise ValueError(
                f"strings[{k}] holds {bad}, which are not Reber symbols "
                f"({REBER_SYMBOLS})"
            )
        index = np.array([REBER_SYMBOLS.index(c) for c in string], dtype=np.int64)
        encoded.append(eye[index].reshape(len(string), len(REBER_SYMBOLS)))
    return pad_sequences(encoded, padding="post")


def reber_next_symbol_targets(string: str, *, embedded: bool = True) -> Array:
    """Which symbols may legally follow each prefix of a Reber string.

    Parameters
    ----------
    string : str
        A complete embedded Reber string (or a plain one with
        ``embedded=False``), T symbols.
    embedded : bool, default True
        Which grammar ``string`` belongs to.

    Returns
    -------
    ndarray, shape (T, 7), float64 of 0 and 1
        Row t has a 1 for every symbol (in ``REBER_SYMBOLS`` order) that may
        come after ``string[: t + 1]``. The last row is all zero: nothing
        follows the final E. A next-symbol predictor is scored by whether its
        most likely symbols are exactly these (the task of Experiment 1).

    Raises
    ------
    ValueError
        If ``string`` is not a complete string of the grammar.
    """
    _check_string("string", string)
    transitions, _, accept = _GRAMMARS[bool(embedded)]
    states = _walk(string, bool(embedded))
    if not states or states[-1] != accept:
        kind = "an embedded Reber" if embedded else "a Reber"
        raise ValueError(f"string {string!r} is not {kind} string")
    targets = np.zeros((len(string), len(REBER_SYMBOLS)))  # (T, 7)
    for t, state in enumerate(states):
        for symbol in transitions(state):
            targets[t, REBER_SYMBOLS.index(symbol)] = 1.0
    return targets


# ---------------------------------------------------------------------------
# Noisy sines
# ---------------------------------------------------------------------------


def _check_range(name: str, value: object, *, positive: bool) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a pair of numbers (low, high), got {value!r}"
        ) from None
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise ValueError(f"{name} must be finite with low <= high, got {value!r}")
    if positive and low <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return low, high


def noisy_sines(
    num_series: int,
    length: int,
    *,
    noise_std: float = 0.1,
    period_range: tuple[float, float] = (10.0, 50.0),
    amplitude_range: tuple[float, float] = (0.5, 1.5),
    rng: RngLike = None,
) -> Array:
    """Sine waves with random period, amplitude and phase, plus Gaussian noise.

    Parameters
    ----------
    num_series : int
        How many series.
    length : int
        Steps per series.
    noise_std : float, default 0.1
        Standard deviation of the additive Gaussian noise (0 for clean sines).
    period_range : (float, float), default (10, 50)
        Periods, in steps, are drawn uniformly from this range.
    amplitude_range : (float, float), default (0.5, 1.5)
        Amplitudes are drawn uniformly from this range.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    ndarray, shape (num_series, length), float64
        ``A sin(2π t / P + φ) + noise_std · ε`` with ``t = 0 … length - 1``,
        ``φ ~ U[0, 2π)`` and ``ε ~ N(0, 1)`` independent at every step. Use
        ``sliding_windows`` on a row (after ``temporal_split``) for a
        forecasting data set.
    """
    num_series = _check_positive_int("num_series", num_series)
    length = _check_positive_int("length", length)
    if isinstance(noise_std, bool) or not isinstance(
        noise_std, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"noise_std must be a number, got {noise_std!r}")
    if not (np.isfinite(noise_std) and noise_std >= 0):
        raise ValueError(f"noise_std must be finite and >= 0, got {noise_std}")
    p_low, p_high = _check_range("period_range", period_range, positive=True)
    a_low, a_high = _check_range("amplitude_range", amplitude_range, positive=False)
    rng = np.random.default_rng(rng)
    period = rng.uniform(p_low, p_high, size=(num_series, 1))
    amplitude = rng.uniform(a_low, a_high, size=(num_series, 1))
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(num_series, 1))
    steps = np.arange(length)  # (T,)
    clean = amplitude * np.sin(2.0 * np.pi * steps / period + phase)  # (S, T)
    return clean + noise_std * rng.standard_normal((num_series, length))
