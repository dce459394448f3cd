"""A3's tests, judge side (the grader and an instructor; may use lstm_ref).

The master's helper cell imports this module. It builds every test case
with lstm_ref: the visible cases (``@visible_case``, embedded in the student
notebook as data when it is generated) and the hidden ones, each with the
results the known mistakes give on the same inputs. The caches the backward
functions read are built by lstm_ref in the notebook's documented format
(``CellCache``, ``SequenceCache``), never by the student's forward, so a
correct backward is graded correct whatever else the notebook does.
``reference_cell_parts`` says whether the student's ``lstm_cell_backward``
fails its probes (wrong values, an exception, another shape, an argument
changed in place) and gives lstm_ref's in its place, so that a mistake in it
is charged once, where it is made, and not again to ``lstm_backward``.
"""

# ruff: noqa: F405  (the names of common and a3_visible come by import *)

import numpy as np

import lstm_ref
from autograder.testkit.a3_visible import *  # noqa: F403
from autograder.testkit.common import *  # noqa: F403
from autograder.testkit.judge_side import prepare

prepare("A3")


# --- the reference on the notebook's caches ---------------------------------------


def reference_lstm_cell_backward(dh_t, dc_t, cache):
    """lstm_ref.lstm_cell_backward on a cache in the notebook's format."""
    hx = np.concatenate([cache.h_prev, cache.x_t], axis=1)
    ref_cache = lstm_ref.LSTMCellCache(
        hx,
        cache.c_prev,
        cache.f,
        cache.i,
        cache.c_tilde,
        cache.o,
        cache.tanh_c,
        dict(cache.params),
    )
    return lstm_ref.lstm_cell_backward(dh_t, dc_t, ref_cache)


def reference_cell_parts(c, told=None):
    """{} if the student's lstm_cell_backward passes c's probes, else
    lstm_ref's lstm_cell_backward to use in its place (said once)."""
    if cell_backward_passes(c):
        return {}
    if told is None or "lstm_cell_backward" not in told:
        if told is not None:
            told.add("lstm_cell_backward")
        print(
            "Your lstm_cell_backward does not pass its own tests: lstm_backward "
            "is checked with lstm_ref's lstm_cell_backward in its place."
        )
    return {"lstm_cell_backward": reference_lstm_cell_backward}


def _fields(x_t, h_prev, c_prev, params):
    """One step's cache fields, computed by lstm_ref, and (h_t, c_t)."""
    h_t, c_t, ref = lstm_ref.lstm_cell_forward(x_t, h_prev, c_prev, params)
    fields = {
        "x_t": x_t,
        "h_prev": h_prev,
        "c_prev": c_prev,
        "f": ref.f,
        "i": ref.i,
        "c_tilde": ref.c_tilde,
        "o": ref.o,
        "c_t": c_t,
        "tanh_c": ref.tanh_c,
        "params": dict(params),
    }
    return fields, h_t, c_t


# --- the known mistakes of lstm_cell_backward ---------------------------------------


def _cell_variant(dh_t, dc_t, cache, mistake=None):
    """The step's backward as written, or with one known mistake."""
    f, i, o = cache.f, cache.i, cache.o
    c_tilde, tanh_c, c_prev, c_t = cache.c_tilde, cache.tanh_c, cache.c_prev, cache.c_t
    params = cache.params
    hidden = cache.h_prev.shape[1]
    through_h = dh_t * o * (1.0 - tanh_c**2)
    dc = {
        "no_tanh_path": dc_t,
        "no_dc_t": through_h,
        "tanh_path_sign": dc_t - through_h,
        "tanh_path_no_derivative": dc_t + dh_t * o,
    }.get(mistake, dc_t + through_h)
    do = dh_t * (c_t if mistake == "o_uses_c_t" else tanh_c)
    dz = {
        "f": dc * (c_t if mistake == "f_uses_c_t" else c_prev) * f * (1.0 - f),
        "i": dc * c_tilde * i * (1.0 - i),
        "c": dc
        * i
        * (c_tilde * (1.0 - c_tilde) if mistake == "c_sigmoid" else 1.0 - c_tilde**2),
        "o": do * o * (1.0 - o),
    }
    for gate in "fico":
        if mistake == f"sign_{gate}":
            dz[gate] = -dz[gate]
    if mistake == "swapped_concat":
        hx = np.concatenate([cache.x_t, cache.h_prev], axis=1)
    else:
        hx = np.concatenate([cache.h_prev, cache.x_t], axis=1)
    n = dh_t.shape[0]
    grads = {}
    dhx = np.zeros((n, hx.shape[1]))
    for gate, dz_gate in dz.items():
        grads[f"W_{gate}"] = dz_gate.T @ hx
        grads[f"b_{gate}"] = dz_gate.sum(axis=0)
        if mistake == "divided_by_n":
            grads[f"W_{gate}"] = grads[f"W_{gate}"] / n
        if mistake in ("divided_by_n", "bias_mean"):
            grads[f"b_{gate}"] = grads[f"b_{gate}"] / n
        dhx = dhx + dz_gate @ params[f"W_{gate}"]
    dc_prev = dc if mistake == "dc_prev_without_f" else dc * f
    grads = {key: grads[key] for key in PARAM_KEYS}
    return dhx[:, hidden:], dhx[:, :hidden], dc_prev, grads


CELL_MISTAKES = (
    "no_tanh_path",
    "no_dc_t",
    "tanh_path_sign",
    "tanh_path_no_derivative",
    "dc_prev_without_f",
    "f_uses_c_t",
    "o_uses_c_t",
    "c_sigmoid",
    "sign_f",
    "sign_i",
    "sign_c",
    "sign_o",
    "swapped_concat",
    "divided_by_n",
    "bias_mean",
)


def cell_backward_case(seed, n, d, h, scale=1.0, dh=True, dc=True, dtype=None):
    x_t, h_prev, c_prev, params = make_step_inputs(seed, n, d, h, scale)
    rng = np.random.default_rng(seed + 50)
    dh_t = rng.normal(size=(n, h)) if dh else np.zeros((n, h))
    dc_t = rng.normal(size=(n, h)) if dc else np.zeros((n, h))
    if dtype is not None:
        x_t, h_prev, c_prev, dh_t, dc_t = (
            a.astype(dtype) for a in (x_t, h_prev, c_prev, dh_t, dc_t)
        )
        params = {k: v.astype(dtype) for k, v in params.items()}
    fields, _, _ = _fields(x_t, h_prev, c_prev, params)
    cache = as_cache(fields)
    expected = reference_lstm_cell_backward(dh_t, dc_t, cache)
    if dtype is not None:  # expected values in float64, from the same inputs
        cache64 = as_cache(
            {
                k: (
                    {p: w.astype(np.float64) for p, w in v.items()}
                    if k == "params"
                    else v.astype(np.float64)
                )
                for k, v in fields.items()
            }
        )
        expected = reference_lstm_cell_backward(
            dh_t.astype(np.float64), dc_t.astype(np.float64), cache64
        )
    mistakes = {}
    if dtype is None:
        for mistake in CELL_MISTAKES:
            result = _cell_variant(dh_t, dc_t, cache, mistake)
            if not all(
                np.allclose(a, b, rtol=1e-9, atol=1e-12)
                for a, b in zip(flat_result(result), flat_result(expected), strict=True)
            ):
                mistakes[mistake] = result
    return {
        "dh_t": dh_t,
        "dc_t": dc_t,
        "cache": fields,
        "expected": expected,
        "mistakes": mistakes,
    }


# --- the known mistakes of lstm_backward --------------------------------------------


def _bptt(dhs, steps, order=None, carry_dh=True, carry_dc=True, record=None):
    """lstm_ref's cell over the steps (backwards by default), each call
    appended to record; returns (dx, dh0, dc0, grads, per-step grads)."""
    n, num_steps, h = dhs.shape
    dx = np.zeros((n, num_steps, steps[0]["x_t"].shape[1]))
    dh_back, dc_back = np.zeros((n, h)), np.zeros((n, h))
    grads = {key: np.zeros_like(steps[0]["params"][key]) for key in PARAM_KEYS}
    visited = []
    for t in reversed(range(num_steps)) if order is None else order:
        dh_in = dhs[:, t] + dh_back if carry_dh else dhs[:, t].copy()
        dc_in = dc_back if carry_dc else np.zeros((n, h))
        result = reference_lstm_cell_backward(dh_in, dc_in, as_cache(steps[t]))
        if record is not None:
            record.append({"args": (dh_in, dc_in, t), "expected": result})
        dx[:, t], dh_back, dc_back, step_grads = result
        visited.append(step_grads)
        for key in PARAM_KEYS:
            grads[key] = grads[key] + step_grads[key]
    return dx, dh_back, dc_back, grads, visited


def sequence_case(seed, n, t, d, h, last_only=False):
    x, h0, c0, params = make_sequence_inputs(seed, n, t, d, h)
    dhs = upstream(seed + 50, n, t, h)
    if last_only:
        dhs[:, :-1] = 0.0  # only the last output enters the loss
    steps = []
    h_t, c_t = h0, c0
    for step in range(t):
        fields, h_t, c_t = _fields(x[:, step], h_t, c_t, params)
        steps.append(fields)
    _, _, ref_cache = lstm_ref.lstm_forward(x, h0, c0, params)
    expected = lstm_ref.lstm_backward(dhs, ref_cache)
    calls = []
    dx, dh0, dc0, grads, visited = _bptt(dhs, steps, record=calls)
    probes = len(calls)
    mistakes = {}

    def add(key, result):
        mistakes[key] = tuple(result[:4])

    add("no_dc_carry", _bptt(dhs, steps, carry_dc=False, record=calls))
    add("no_dh_carry", _bptt(dhs, steps, carry_dh=False, record=calls))
    add("forward_order", _bptt(dhs, steps, order=range(t), record=calls))
    if t > 1:
        add(
            "skips_last",
            _bptt(dhs, steps, order=range(t - 2, -1, -1), record=calls),
        )
    add("dx_reversed", (dx[:, ::-1], dh0, dc0, grads))
    add("swapped_initial", (dx, dc0, dh0, grads))
    add("first_step_only", (dx, dh0, dc0, visited[-1]))
    add("last_step_only", (dx, dh0, dc0, visited[0]))
    add("divided_by_t", (dx, dh0, dc0, {k: v / t for k, v in grads.items()}))
    add("divided_by_n", (dx, dh0, dc0, {k: v / n for k, v in grads.items()}))
    return {
        "dhs": dhs,
        "cache": {
            "steps": [{k: v for k, v in s.items() if k != "params"} for s in steps],
            "params": dict(params),
        },
        "expected": expected,
        "mistakes": mistakes,
        "probes": probes,
        "replay": calls,
    }


# --- the gradient checker -------------------------------------------------------------


def _numgrad(f, x, h=1e-5, mistake=None):
    """A finite-difference gradient as written, or with one known mistake."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    base = f(x.copy())
    for index in np.ndindex(x.shape):
        old = x[index]
        if mistake == "rows":
            index = index[:1]
            old = x[index].copy()
        x[index] = old + h
        plus = f(x.copy())
        x[index] = old - h
        minus = f(x.copy())
        if mistake != "no_restore":
            x[index] = old
        grad[index] = {
            "twice": (plus - minus) / h,
            "one_sided_plus": (plus - base) / h,
            "one_sided_minus": (base - minus) / h,
        }.get(mistake, (plus - minus) / (2.0 * h))
    return grad


def numgrad_case(f, x, h=None, exact=None, hint=""):
    """The gradient of f at x (exact, or the centred difference with h),
    and what the known mistakes give."""
    step = 1e-5 if h is None else h
    expected = exact if exact is not None else _numgrad(f, x, step)
    mistakes = {
        key: _numgrad(f, x, step, key)
        for key in ("twice", "one_sided_plus", "one_sided_minus", "no_restore", "rows")
    }
    if h is not None and h != 1e-5:
        mistakes["default_h"] = _numgrad(f, x, 1e-5)
    if exact is not None:  # the values test: one-sided is close enough there
        mistakes.pop("one_sided_plus")
        mistakes.pop("one_sided_minus")
    return {"x": x, "h": h, "expected": expected, "mistakes": mistakes, "hint": hint}


def rel_error_case(a, b):
    na, nb, nd = (np.linalg.norm(v) for v in (a, b, a - b))
    return {
        "a": a,
        "b": b,
        "expected": lstm_ref.rel_error(a, b),
        "mistakes": {
            "max_norm": float(nd / max(na, nb)) if max(na, nb) else 0.0,
            "squared": float(nd**2 / (na**2 + nb**2)) if na + nb else 0.0,
        },
    }


# --- the visible cases (embedded in the student notebook) ---------------------------


@visible_case("rel_error")
def _rel_error():
    pairs = [
        (np.array([3.0, 4.0]), np.array([0.0, 0.0])),
        (np.array([1.0, 2.0, 2.0]), np.array([1.0, 2.0, 2.0])),
        (np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 3.0]])),
        (np.array([1.0, -2.0, 0.5]), np.array([1.5, -1.0, 0.5])),
    ]
    return {"cases": [rel_error_case(a, b) for a, b in pairs]}


@visible_case("numgrad_values")
def _numgrad_values():
    rng = np.random.default_rng(120)
    x = rng.normal(size=(3, 4))
    W = rng.normal(size=(2, 3))
    v = rng.normal(size=3)
    return {
        "cubes": numgrad_case(
            sum_of_cubes,
            x,
            exact=3 * x**2,
            hint="For each entry k, nudge x[k] by +h and by -h, put it back, "
            "and divide the difference of f by 2h.",
        ),
        "tanh_layer": {
            "v": v,
            **numgrad_case(
                tanh_layer(v),
                W,
                exact=np.outer(1 - np.tanh(W @ v) ** 2, v),
                hint="Every entry of the matrix W must be nudged, and f called "
                "with arrays of W's shape.",
            ),
        },
    }


@visible_case("numgrad_centred")
def _numgrad_centred():
    x = np.linspace(-1.5, 1.5, 6).reshape(2, 3)
    A = np.array([[2.0, 1.0, 0.0, -1.0], [0.5, 1.0, 3.0, 0.0], [1.0, 0.0, 1.0, 2.0]])
    A = np.vstack([A, A[::-1].sum(axis=0)])  # (4, 4)
    y = np.linspace(-1.0, 2.0, 4).reshape(2, 2)
    return {
        # For x³ the centred difference is exactly 3x² + h² (the one-sided
        # one is 3x² ± 3xh + h²), so the result shows which difference was used.
        "cubes": numgrad_case(
            sum_of_cubes,
            x,
            h=0.1,
            hint="It is the centred difference (f(x + h e_k) - f(x - h e_k)) / 2h "
            "with h = 0.1.",
        ),
        # For a quadratic v·Av the centred difference is exact whatever h, as
        # long as only entry k is nudged while entry k is measured.
        "quadratic": {
            "A": A,
            **numgrad_case(
                quadratic(A),
                y,
                h=0.1,
                hint="Put each entry back to its value before nudging the next.",
            ),
        },
    }


@visible_case("cell_backward_cell_path")
def _cell_path():
    return cell_backward_case(200, 2, 3, 4, dh=False)


@visible_case("cell_backward_hidden_path")
def _hidden_path():
    return cell_backward_case(210, 2, 3, 4, dc=False)


@visible_case("cell_backward_full")
def _cell_full():
    return cell_backward_case(220, 2, 3, 4)


@visible_case("lstm_backward")
def _lstm_backward():
    return sequence_case(310, 2, 5, 3, 4)


# --- the hidden cases ---------------------------------------------------------


def hidden_rel_error_cases():
    rng = np.random.default_rng(110)
    cases = []
    for shape in [(1,), (5,), (3, 4), (2, 3, 4)]:
        a = rng.normal(size=shape)
        b = a + rng.normal(scale=1e-3, size=shape)
        cases.append(rel_error_case(a, b))
    a = rng.normal(size=(4, 4))
    cases.append(rel_error_case(a, -a))
    return cases


def hidden_numgrad_value_cases():
    cases = []
    for seed, shape in [(121, (1,)), (122, (7,)), (123, (2, 3, 4)), (124, (1, 1))]:
        x = np.random.default_rng(seed).normal(size=shape)
        cases.append(numgrad_case(sum_of_cubes, x, exact=3 * x**2))
    return cases


def exp_of_sum(scale):
    """f(x) = exp(scale · sum(x)): every entry coupled to every other."""

    def f(x):
        return float(np.exp(scale * np.sum(x)))

    return f


def hidden_numgrad_coupled_case():
    """A function of all entries together. Its curvature is chosen so that
    the one-sided difference stays within GRADCHECK (relative error
    scale·h/2 = 2e-5) while leaving the earlier entries nudged (an error of
    about scale·k·h at entry k) does not."""
    x = np.random.default_rng(125).normal(scale=0.1, size=(3, 4))
    scale = 4.0
    exact = np.full(x.shape, scale * np.exp(scale * np.sum(x)))
    return {"scale": scale, **numgrad_case(exp_of_sum(scale), x, exact=exact)}


def hidden_numgrad_centred_cases():
    cases = []
    for seed, step in [(130, 1e-5), (131, 1e-3), (132, 0.25)]:
        x = np.random.default_rng(seed).normal(size=(3, 2))
        c = numgrad_case(sum_of_cubes, x, h=step)
        c["expected"] = 3 * x**2 + step**2
        c["default"] = step == 1e-5
        cases.append(c)
    return cases


def hidden_cell_cases(dh=True, dc=True):
    base = 202 if not dh else (212 if not dc else 223)
    shapes = [(1, 1, 1, 2.0), (3, 5, 2, 2.0), (4, 2, 6, 2.0)]
    if dh and dc:
        shapes = [(1, 1, 1, 1.0), (3, 5, 2, 1.0), (5, 2, 7, 1.0), (2, 3, 4, 50.0)]
    return [
        cell_backward_case(base + k, n, d, h, scale, dh=dh, dc=dc)
        for k, (n, d, h, scale) in enumerate(shapes)
    ]


def hidden_cell_float32_case():
    return cell_backward_case(230, 3, 2, 4, dtype=np.float32)


def hidden_backward_cases(first_seed):
    return [
        sequence_case(first_seed + k, n, t, d, h, last_only=(k == 3))
        for k, (n, t, d, h) in enumerate(
            [(1, 1, 1, 1), (3, 7, 2, 5), (4, 2, 6, 3), (2, 12, 3, 2)]
        )
    ]
