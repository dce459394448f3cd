"""A1's tests, judge side (the grader and an instructor; may use lstm_ref).

The master's helper cell imports this module. It builds every test case
with lstm_ref: the visible cases (``@visible_case``, embedded in the student
notebook as data when it is generated) and the hidden ones, each with the
results the known mistakes give on the same inputs, the caches in the form
the notebook documents (a step's cache ``(hx, h_t, W)``, a sequence's the
list of its step caches) and probes of the functions the tested one builds
on. ``reference_parts`` says which of the student's functions fail those
probes (wrong values, an exception, another shape, an argument changed in
place) and gives lstm_ref's versions to use in their place, so that a
mistake is charged once, where it is made.
"""

# ruff: noqa: F405  (the names of common and a1_visible come by import *)

import numpy as np

import lstm_ref
from autograder.testkit.a1_visible import *  # noqa: F403
from autograder.testkit.common import *  # noqa: F403
from autograder.testkit.judge_side import prepare

prepare("A1")

PARTS = ("rnn_cell_forward", "rnn_forward", "rnn_cell_backward")


# --- inputs ---------------------------------------------------------------


def make_step_inputs(seed, n, d, h, scale=1.0):
    """Random x_t (N, D), h_prev (N, H) and RNN params W (H, H + D), b (H,)."""
    rng = np.random.default_rng(seed)
    x_t = scale * rng.normal(size=(n, d))
    h_prev = np.tanh(rng.normal(size=(n, h)))
    params = {
        "W": rng.normal(scale=1.2 / np.sqrt(h + d), size=(h, h + d)),
        "b": rng.normal(scale=0.5, size=h),
    }
    return x_t, h_prev, params


def make_sequence_inputs(seed, n, t, d, h):
    """Random x (N, T, D), h0 (N, H) and RNN params."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d))
    _, h0, params = make_step_inputs(seed + 1000, n, d, h)
    return x, h0, params


# --- lstm_ref's parts, in the notebook's cache form -------------------------


def reference_rnn_cell_forward(x_t, h_prev, params):
    h_t, cache = lstm_ref.rnn_cell_forward(x_t, h_prev, params)
    return h_t, (cache.hx, h_t, params["W"])


def reference_rnn_forward(x, h0, params):
    hs = lstm_ref.rnn_forward(x, h0, params)[0]
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    caches = [
        (np.concatenate([h_prev[:, t], x[:, t]], axis=1), hs[:, t], params["W"])
        for t in range(x.shape[1])
    ]
    return hs, caches


def reference_rnn_cell_backward(dh_t, cache):
    hx, h_t, W = cache
    return lstm_ref.rnn_cell_backward(dh_t, lstm_ref.RNNCellCache(hx, h_t, {"W": W}))


REFERENCE = {
    "rnn_cell_forward": reference_rnn_cell_forward,
    "rnn_forward": reference_rnn_forward,
    "rnn_cell_backward": reference_rnn_cell_backward,
}


def reference_parts(c, names=PARTS):
    """lstm_ref's versions of those of your functions (among names, in the
    order they build on each other) that fail their probes in case c."""
    substitute = {}
    for name in names:
        for probe in c.get("probes", {}).get(name, []):
            if not passes(name, probe["args"], probe["expected"], substitute or None):
                substitute[name] = REFERENCE[name]
                break
    return substitute


def tell_replaced(tested, substitute, told):
    """Say (once per name) which of the student's parts were replaced."""
    new = [name for name in substitute if name not in told]
    if new:
        told.update(new)
        one = len(new) == 1
        print(
            f"Your {', '.join(new)} {'does' if one else 'do'} not pass "
            f"{'its' if one else 'their'} own tests: {tested} is checked with "
            f"lstm_ref's {', '.join(new)} in {'its' if one else 'their'} place."
        )


# --- probes -----------------------------------------------------------------


def _cell_probe(seed, n, d, h):
    x_t, h_prev, params = make_step_inputs(seed, n, d, h)
    return {
        "args": (x_t, h_prev, params),
        "expected": (reference_rnn_cell_forward(x_t, h_prev, params)[0], None),
    }


def _forward_probe(seed, n, t, d, h):
    x, h0, params = make_sequence_inputs(seed, n, t, d, h)
    return {
        "args": (x, h0, params),
        "expected": (lstm_ref.rnn_forward(x, h0, params)[0], None),
    }


def _cell_backward_probe(seed, n, d, h):
    x_t, h_prev, params = make_step_inputs(seed, n, d, h)
    cache = reference_rnn_cell_forward(x_t, h_prev, params)[1]
    dh_t = np.random.default_rng(seed + 7).normal(size=(n, h))
    return {
        "args": (dh_t, cache),
        "expected": reference_rnn_cell_backward(dh_t, cache),
    }


def probes(names):
    table = {
        "rnn_cell_forward": [_cell_probe(901, 3, 2, 4), _cell_probe(902, 1, 3, 2)],
        "rnn_forward": [
            _forward_probe(903, 2, 4, 2, 3),
            _forward_probe(904, 3, 2, 3, 2),
        ],
        "rnn_cell_backward": [
            _cell_backward_probe(905, 3, 2, 4),
            _cell_backward_probe(906, 1, 3, 2),
        ],
    }
    return {name: table[name] for name in names}


# --- rnn_cell_forward -------------------------------------------------------


def cell_forward_case(x_t, h_prev, params, hint=""):
    x64, h64 = x_t.astype(np.float64), h_prev.astype(np.float64)
    p64 = {key: value.astype(np.float64) for key, value in params.items()}
    W, b = p64["W"], p64["b"]
    a_t = np.concatenate([h64, x64], axis=1) @ W.T + b
    return {
        "x_t": x_t,
        "h_prev": h_prev,
        "params": params,
        "h_t": lstm_ref.rnn_cell_forward(x64, h64, p64)[0],
        "hint": hint,
        "mistakes": {
            "swapped": np.tanh(np.concatenate([x64, h64], axis=1) @ W.T + b),
            "no_bias": np.tanh(a_t - b),
            "sigmoid": lstm_ref.sigmoid(a_t),
            "no_tanh": a_t,
        },
    }


@visible_case("rnn_cell_forward")
def _visible_cell_forward():
    return cell_forward_case(*make_step_inputs(1, 2, 3, 4))


def hidden_cell_forward_cases():
    for seed, (n, d, h, scale) in [
        (11, (1, 1, 1, 1.0)),
        (12, (3, 5, 2, 1.0)),
        (13, (5, 2, 7, 1.0)),
        (14, (2, 3, 4, 1000.0)),
    ]:
        hint = "With large inputs (|x_t| up to about 3000): " if scale > 1 else ""
        yield cell_forward_case(*make_step_inputs(seed, n, d, h, scale), hint=hint)
    x_t, h_prev, params = make_step_inputs(15, 3, 2, 4)
    as32 = {key: value.astype(np.float32) for key, value in params.items()}
    yield cell_forward_case(
        x_t.astype(np.float32),
        h_prev.astype(np.float32),
        as32,
        hint="With float32 inputs (checked to float32's precision): ",
    )


# --- rnn_forward ------------------------------------------------------------


def _run(x, h0, params, start=None, order=None, from_h0=False):
    """hs of the RNN with a variation (the known mistakes)."""
    n, t, _ = x.shape
    h = h0 if start is None else start
    hs = np.zeros((n, t, h0.shape[1]))
    for step in order if order is not None else range(t):
        h = reference_rnn_cell_forward(x[:, step], h0 if from_h0 else h, params)[0]
        hs[:, step] = h
    return hs


def forward_case(x, h0, params):
    hs = lstm_ref.rnn_forward(x, h0, params)[0]
    t = x.shape[1]
    skips_last = hs.copy()
    skips_last[:, -1] = 0.0
    return {
        "x": x,
        "h0": h0,
        "params": params,
        "hs": hs,
        "mistakes": {
            "skips_last": skips_last if t > 1 else None,
            "from_zeros": _run(x, h0, params, start=np.zeros_like(h0)),
            "always_h0": _run(x, h0, params, from_h0=True) if t > 1 else None,
            "stores_h_prev": np.concatenate([h0[:, None], hs[:, :-1]], axis=1),
            "reversed": _run(x, h0, params, order=range(t - 1, -1, -1))
            if t > 1
            else None,
        },
        "probes": probes(["rnn_cell_forward"]),
    }


@visible_case("rnn_forward")
def _visible_forward():
    return forward_case(*make_sequence_inputs(2, 2, 5, 3, 4))


def hidden_forward_cases():
    for seed, (n, t, d, h) in [
        (21, (1, 1, 1, 1)),
        (22, (3, 7, 2, 5)),
        (23, (4, 2, 6, 3)),
        (24, (2, 12, 3, 2)),
    ]:
        yield forward_case(*make_sequence_inputs(seed, n, t, d, h))


# --- rnn_cell_backward ------------------------------------------------------


def cell_backward_case(x_t, h_prev, params, dh_t):
    h_t, cache = reference_rnn_cell_forward(x_t, h_prev, params)
    hx, _, W = cache
    n, hidden = h_t.shape
    d = x_t.shape[1]
    expected = reference_rnn_cell_backward(dh_t, cache)
    no_tanh = reference_rnn_cell_backward(dh_t / (1.0 - h_t**2), cache)
    dhx = (dh_t * (1.0 - h_t**2)) @ W
    grads = expected[2]
    return {
        "x_t": x_t,
        "h_prev": h_prev,
        "params": params,
        "dh_t": dh_t,
        "cache": cache,
        "expected": expected,
        "mistakes": {
            "no_tanh": no_tanh,
            "split_swapped": (dhx[:, :d], dhx[:, d:], grads) if d != hidden else None,
            "divided_by_n": (
                expected[0],
                expected[1],
                {key: value / n for key, value in grads.items()},
            )
            if n > 1
            else None,
        },
        "probes": probes(["rnn_cell_forward"]),
    }


@visible_case("rnn_cell_backward")
def _visible_cell_backward():
    x_t, h_prev, params = make_step_inputs(3, 2, 3, 4)
    dh_t = np.random.default_rng(30).normal(size=(2, 4))
    return cell_backward_case(x_t, h_prev, params, dh_t)


def hidden_cell_backward_cases():
    rng = np.random.default_rng(31)
    for seed, (n, d, h) in [
        (32, (1, 1, 1)),
        (33, (3, 5, 2)),
        (34, (4, 2, 6)),
        (35, (2, 3, 3)),
    ]:
        x_t, h_prev, params = make_step_inputs(seed, n, d, h)
        yield cell_backward_case(x_t, h_prev, params, rng.normal(size=(n, h)))


# --- rnn_backward -----------------------------------------------------------


def _bptt(caches, dhs, carry=True, forward_in_time=False):
    """BPTT over the documented caches, with a variation; returns (dx, dh0,
    grads, the steps' grads by step)."""
    t = dhs.shape[1]
    dh_next = np.zeros_like(dhs[:, 0])
    dxs, step_grads = [None] * t, [None] * t
    order = range(t) if forward_in_time else range(t - 1, -1, -1)
    for step in order:
        upstream = dhs[:, step] + (dh_next if carry else 0.0)
        dxs[step], dh_next, step_grads[step] = reference_rnn_cell_backward(
            upstream, caches[step]
        )
    grads = {key: sum(g[key] for g in step_grads) for key in ("W", "b")}
    return np.stack(dxs, axis=1), dh_next, grads, step_grads


def backward_case(x, h0, params, dhs):
    hs, caches = reference_rnn_forward(x, h0, params)
    n, t, _ = x.shape
    expected = lstm_ref.rnn_backward(dhs, lstm_ref.rnn_forward(x, h0, params)[1])
    dx, dh0, grads, step_grads = _bptt(caches, dhs)
    no_carry = _bptt(caches, dhs, carry=False)[:3]
    forward_in_time = _bptt(caches, dhs, forward_in_time=True)[:3]
    return {
        "x": x,
        "h0": h0,
        "params": params,
        "dhs": dhs,
        "cache": caches,
        "expected": expected,
        "mistakes": {
            "no_carry": no_carry if t > 1 else None,
            "forward_in_time": forward_in_time if t > 1 else None,
            "dh0_zero": (dx, np.zeros_like(dh0), grads),
            "one_step": (dx, dh0, step_grads[0]) if t > 1 else None,
            "divided_by_t": (dx, dh0, {k: v / t for k, v in grads.items()})
            if t > 1
            else None,
            "divided_by_n": (dx, dh0, {k: v / n for k, v in grads.items()})
            if n > 1
            else None,
        },
        "probes": probes(["rnn_cell_forward", "rnn_forward", "rnn_cell_backward"]),
    }


@visible_case("rnn_backward")
def _visible_backward():
    x, h0, params = make_sequence_inputs(4, 2, 4, 3, 2)
    dhs = np.random.default_rng(40).normal(size=(2, 4, 2))
    return backward_case(x, h0, params, dhs)


def hidden_backward_cases():
    rng = np.random.default_rng(41)
    for seed, (n, t, d, h) in [
        (42, (1, 1, 1, 1)),
        (43, (3, 6, 2, 4)),
        (44, (2, 3, 5, 2)),
        (45, (4, 9, 3, 3)),
    ]:
        x, h0, params = make_sequence_inputs(seed, n, t, d, h)
        yield backward_case(x, h0, params, rng.normal(size=(n, t, h)))


# --- the experiment ---------------------------------------------------------


def _norms(hs, W, max_lag, order=2, tanh_factor=True):
    """Norms of the products of the step Jacobians, from the last step back."""
    count, steps, size = hs.shape
    product = np.broadcast_to(np.eye(size), (count, size, size))
    out = np.empty((count, max_lag))
    for lag in range(1, max_lag + 1):
        state = hs[:, steps - lag]
        factor = 1.0 - state**2 if tanh_factor else np.ones_like(state)
        product = product @ (factor[:, :, None] * W[:, :size])
        out[:, lag - 1] = np.linalg.norm(product, ord=order, axis=(1, 2))
    return out


def _norms_by_finite_differences(x, h0, params, max_lag, nudge=1e-5):
    """∂h_T/∂h_{T-k} measured by nudging h_{T-k} and running the last k steps."""
    hs = lstm_ref.rnn_forward(x, h0, params)[0]
    n, num_steps, hidden = hs.shape
    out = np.empty((n, max_lag))
    for k in range(1, max_lag + 1):
        start = h0 if k == num_steps else hs[:, num_steps - k - 1]
        columns = []
        for j in range(hidden):
            e_j = nudge * np.eye(hidden)[j]
            plus = lstm_ref.rnn_forward(x[:, -k:], start + e_j, params)[0]
            minus = lstm_ref.rnn_forward(x[:, -k:], start - e_j, params)[0]
            columns.append((plus[:, -1] - minus[:, -1]) / (2 * nudge))
        out[:, k - 1] = np.linalg.norm(np.stack(columns, axis=2), ord=2, axis=(1, 2))
    return out


def norms_case(x, h0, params, max_lag):
    hs = lstm_ref.rnn_forward(x, h0, params)[0]
    W = params["W"]
    norms = _norms(hs, W, max_lag)
    # The exact norms agree with finite differences of lstm_ref's forward.
    assert np.allclose(
        norms, _norms_by_finite_differences(x, h0, params, max_lag), rtol=1e-5
    )
    return {
        "x": x,
        "h0": h0,
        "params": params,
        "max_lag": max_lag,
        "norms": norms,
        "mistakes": {
            "reversed": norms[:, ::-1] if max_lag > 1 else None,
            "frobenius": _norms(hs, W, max_lag, "fro"),
            "no_tanh": _norms(hs, W, max_lag, tanh_factor=False),
            "first_steps": _norms(hs[:, ::-1], W, max_lag) if max_lag > 1 else None,
        },
        "probes": probes(["rnn_cell_forward", "rnn_forward"]),
    }


@visible_case("gradient_norms_by_lag")
def _visible_norms():
    x, h0, params = make_sequence_inputs(5, 2, 6, 2, 3)
    return norms_case(x, h0, params, 4)


def hidden_norms_cases():
    rng = np.random.default_rng(50)
    for n, t, d, h, gain, max_lag in [
        (1, 1, 1, 1, 0.9, 1),
        (3, 12, 2, 5, 0.8, 10),
        (2, 8, 3, 4, 1.3, 8),
        (4, 15, 2, 6, 2.5, 12),
    ]:
        W_h = gain * np.linalg.qr(rng.normal(size=(h, h)))[0]
        W_x = rng.normal(scale=0.8, size=(h, d))
        params = {"W": np.concatenate([W_h, W_x], axis=1), "b": rng.normal(size=h)}
        x = 1.5 * rng.normal(size=(n, t, d))
        h0 = np.tanh(rng.normal(size=(n, h)))
        yield norms_case(x, h0, params, max_lag)


def _slope(norms):
    n, max_lag = norms.shape
    lags = np.tile(np.arange(1, max_lag + 1), n)
    return float(np.polyfit(lags, np.log(norms).ravel(), 1)[0])


def fit_case(norms, description):
    n, max_lag = norms.shape
    lags = np.arange(1, max_lag + 1)
    slope = _slope(norms)
    per_row = [np.exp(np.polyfit(lags, np.log(row), 1)[0]) for row in norms]
    return {
        "norms": norms,
        "description": description,
        "rate": float(np.exp(slope)),
        "mistakes": {
            "slope": slope,
            "mean_first": float(
                np.exp(np.polyfit(lags, np.log(norms.mean(axis=0)), 1)[0])
            )
            if n > 1
            else None,
            "per_row": float(np.mean(per_row)) if n > 1 else None,
        },
    }


@visible_case("fit_decay_rate")
def _visible_fit():
    lags = np.arange(1, 7)
    return [
        fit_case(
            np.stack([2.0 * 0.7**lags, 5.0 * 0.7**lags]),
            "norms that shrink by exactly 0.7 per step (2 · 0.7**k and 5 · 0.7**k)",
        ),
        fit_case(
            3.0 * 1.3 ** np.arange(1.0, 5.0)[None, :],
            "norms that grow by exactly 1.3 per step",
        ),
        fit_case(
            np.array([[0.9, 0.5, 0.4, 0.1], [2.0, 1.0, 1.5, 0.5]]),
            "norms [[0.9, 0.5, 0.4, 0.1], [2.0, 1.0, 1.5, 0.5]]",
        ),
    ]


def hidden_fit_cases():
    rng = np.random.default_rng(60)
    for n, max_lag, true_rate, noise in [
        (1, 2, 0.5, 0.0),
        (3, 5, 0.95, 0.3),
        (5, 20, 0.3, 0.5),
        (2, 12, 1.4, 0.2),
    ]:
        lags = np.arange(1, max_lag + 1)
        scale = np.exp(rng.normal(size=(n, 1)))
        norms = scale * true_rate**lags * np.exp(noise * rng.normal(size=(n, max_lag)))
        yield fit_case(norms, f"{n} noisy rows of {max_lag} lags")
