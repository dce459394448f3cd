"""What A3's visible tests need beyond common (NumPy only, no answers).

A test case (``case("...")``, built by the judge with lstm_ref) holds the
inputs of a call, the expected result and, under ``"mistakes"``, the result
each known mistake gives on the same inputs; the messages for those mistakes
are here, so that a visible test and a hidden one say the same thing.

The backward functions read caches in the format the notebook documents
(``CellCache``, ``SequenceCache``, named tuples). A case holds them as plain
fields; ``backward_case`` turns them back into named tuples. The cases of
``lstm_backward`` also record every call of ``lstm_cell_backward`` that the
right loop and the known mistaken loops make, with lstm_ref's results, so
that a student's ``lstm_cell_backward`` that fails its probes can be replaced
by a stand-in that replays them (``cell_standin``): ``lstm_backward`` is then
graded on its own, at home as in the grader.
"""

# ruff: noqa: F405  (the names of common come by import *)

from typing import NamedTuple

import numpy as np

from autograder.testkit.common import *  # noqa: F403

PARAM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
# A finite-difference estimate with the default step h = 1e-5 is right to
# about 1e-10 (h² plus rounding); the one-sided difference is off by about
# 3·x·h ≈ 3e-5, which the test of the centred difference catches on its own.
GRADCHECK = {"rtol": 1e-4, "atol": 1e-6}
# An exact finite difference (a cubic's centred difference is 3x² + h²,
# a quadratic's is exact) is right up to rounding, about 1e-14 for h = 0.1.
EXACT_DIFFERENCE = {"rtol": 1e-9, "atol": 1e-9}


class _CellCache(NamedTuple):
    """What lstm_cell_forward keeps from one step (as the notebook's)."""

    x_t: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    f: np.ndarray
    i: np.ndarray
    c_tilde: np.ndarray
    o: np.ndarray
    c_t: np.ndarray
    tanh_c: np.ndarray
    params: dict


class _SequenceCache(NamedTuple):
    """What lstm_forward keeps for lstm_backward (as the notebook's)."""

    steps: tuple


def as_cache(fields):
    """A case's cache fields as the notebook's named tuples."""
    if "steps" in fields:  # the parameters are stored once, for every step
        params = fields["params"]
        steps = tuple(_CellCache(**step, params=params) for step in fields["steps"])
        return _SequenceCache(steps)
    return _CellCache(**fields)


def backward_case(name):
    """case(name) with its cache as the notebook's named tuple."""
    c = case(name)
    c["cache"] = as_cache(c["cache"])
    return c


# --- rel_error ----------------------------------------------------------------


def rel_error_messages():
    return {
        "elementwise": (
            "rel_error should return one number for the whole arrays: use the "
            "norms of a - b, a and b over all entries (np.linalg.norm), not an "
            "element-wise ratio"
        ),
        "max_norm": (
            "your rel_error divides by max(||a||, ||b||): the course's is "
            "||a - b|| / (||a|| + ||b||), the sum of the two norms"
        ),
        "squared": (
            "your rel_error uses squared norms (sums of squares without the "
            "square root): it is ||a - b|| / (||a|| + ||b||), Euclidean norms"
        ),
        "zeros": (
            "rel_error of two all-zero arrays should be 0.0 without dividing 0 "
            "by 0: return 0.0 when both arrays are all zeros (or add a small "
            "epsilon to the denominator)"
        ),
    }


def check_rel_error(value, expected, a, b, mistakes=None):
    """Fail unless value is rel_error(a, b) (within EPSILON: a floor or an
    epsilon in the denominator is allowed)."""
    messages = rel_error_messages()
    if np.ndim(value) != 0:
        raise AssertionError(
            messages["elementwise"] + f" (got an array of shape {np.shape(value)})"
        )
    try:
        got = float(value)
    except (TypeError, ValueError):
        raise AssertionError(
            f"rel_error should return a number, got {type(value).__name__}"
        ) from None
    if np.isnan(got) and not np.any(a) and not np.any(b):
        raise AssertionError(messages["zeros"] + " (got nan)")
    close = abs(got - expected) <= EPSILON["atol"] + EPSILON["rtol"] * abs(expected)
    if close:
        return
    for key, alternative in (mistakes or {}).items():
        if abs(got - alternative) <= 1e-12 + 1e-9 * abs(alternative):
            raise AssertionError(messages[key])
    raise AssertionError(
        f"rel_error({_show(a)}, {_show(b)}) should be {expected:.6g}, got "
        f"{got:.6g}: it is ||a - b|| / (||a|| + ||b||) with Euclidean norms "
        "over all entries"
    )


def _show(array):
    array = np.asarray(array)
    if array.size <= 6:
        return str(array.tolist())
    return f"an array of shape {array.shape}"


# --- numerical_gradient ---------------------------------------------------------


def numerical_gradient_messages():
    return {
        "twice": (
            "numerical_gradient is twice the gradient: the centred difference "
            "divides by 2h, the distance between x - h and x + h"
        ),
        "one_sided_plus": (
            "numerical_gradient uses a one-sided difference (f(x + h) - f(x)) / h; "
            "use the centred (f(x + h) - f(x - h)) / 2h, whose error shrinks "
            "like h², not h"
        ),
        "one_sided_minus": (
            "numerical_gradient uses a one-sided difference (f(x) - f(x - h)) / h; "
            "use the centred (f(x + h) - f(x - h)) / 2h, whose error shrinks "
            "like h², not h"
        ),
        "default_h": (
            "numerical_gradient(f, x, 0.1) ignores its argument h: use the h it "
            "is given (1e-5 is only the default)"
        ),
        "no_restore": (
            "numerical_gradient leaves each nudged entry at x - h while it "
            "measures the next: put each entry back to its value before "
            "nudging the next (a function of all entries together shows it)"
        ),
        "rows": (
            "numerical_gradient nudges a whole row (x[k] for k in "
            "range(len(x))) at once: nudge one entry at a time, every index "
            "of x (np.ndindex(x.shape))"
        ),
        "float32": (
            "numerical_gradient computes in float32: with h = 1e-5, x + h in "
            "float32 keeps only a few digits of h. Keep x in float64 "
            "(np.array(x, dtype=np.float64) makes a float64 copy)"
        ),
    }


def check_numerical_gradient(what, grad, c, tol):
    """Fail unless grad is c's expected gradient, naming a known mistake."""
    messages = numerical_gradient_messages()
    expected = np.asarray(c["expected"])
    if isinstance(grad, np.ndarray) and grad.dtype == np.float32:
        raise AssertionError(messages["float32"] + f" ({what} is float32)")
    compare(
        what,
        grad,
        expected,
        tol=tol,
        diagnoses=[
            (alternative, messages[key])
            for key, alternative in c.get("mistakes", {}).items()
        ],
        hint=c.get("hint", ""),
    )


def sum_of_cubes(v):
    """f(v) = sum of v³, whose gradient is 3v²."""
    return float(np.sum(np.asarray(v) ** 3))


def tanh_layer(v):
    """f(W) = sum(tanh(W @ v)) for a fixed vector v."""

    def f(W):
        return float(np.sum(np.tanh(np.asarray(W) @ v)))

    return f


def quadratic(A):
    """f(x) = x·Ax over x's entries in order (couples every entry)."""

    def f(x):
        flat = np.asarray(x).reshape(-1)
        return float(flat @ A @ flat)

    return f


def recorded(function, seen):
    """function, recording the shape of every array it is called with."""

    def f(v):
        seen.add(tuple(np.shape(v)))
        return function(v)

    return f


# --- lstm_cell_backward -----------------------------------------------------------

GATE_HINTS = {
    "f": (
        "f_t multiplies C_{t-1} in the cell update, so its gradient is dC_t "
        "times the previous cell state cache.c_prev (not cache.c_t), and σ' is "
        "written with the gate's own output cache.f"
    ),
    "i": (
        "i_t multiplies the candidate in the cell update, so its gradient is "
        "dC_t times cache.c_tilde, and σ' is written with cache.i"
    ),
    "c": (
        "C̃_t is multiplied by i_t in the cell update, so its gradient is dC_t "
        "times cache.i, and its activation is tanh (not σ): the derivative is "
        "1 - C̃_t², written with cache.c_tilde"
    ),
    "o": (
        "o_t multiplies tanh(C_t) in h_t, so its gradient is dh_t times "
        "cache.tanh_c (not cache.c_t), and σ' is written with cache.o"
    ),
}
GATE_NAMES = {
    "f": "forget gate",
    "i": "input gate",
    "c": "candidate",
    "o": "output gate",
}


def cell_backward_messages():
    messages = {
        "no_tanh_path": (
            "dc_prev misses the path through tanh(C_t): C_t reaches the loss "
            "directly (dc_t, from step t + 1) and through h_t = o_t ⊙ tanh(C_t), "
            "so dC_t adds dc_t and the gradient that comes from dh_t through "
            "o_t and tanh"
        ),
        "no_dc_t": (
            "dc_prev ignores dc_t, the gradient of C_t carried back from step "
            "t + 1: add it to what arrives through h_t"
        ),
        "tanh_path_sign": (
            "the path through tanh(C_t) enters dC_t with the wrong sign: the "
            "derivative of tanh(u) is 1 - tanh(u)², which is positive"
        ),
        "tanh_path_no_derivative": (
            "the path through tanh(C_t) leaves out tanh's derivative: dC_t gets "
            "dh_t ⊙ o_t ⊙ (1 - tanh²(C_t)), written with cache.tanh_c"
        ),
        "dc_prev_without_f": (
            "dc_prev should be the gradient of C_{t-1}: C_t = f_t ⊙ C_{t-1} + "
            "..., so multiply dC_t by the forget gate cache.f"
        ),
        "swapped_concat": (
            "your weight gradients have their columns in the order [x_t, h_{t-1}]; "
            "the gates act on [h_{t-1}, x_t], hidden state first (and dh_prev "
            "is the first H columns of the gradient of [h_{t-1}, x_t])"
        ),
        "divided_by_n": (
            "your parameter gradients are divided by N (averaged over the "
            "batch): the gradient of the loss is the sum over the batch, "
            "dW = dzᵀ·[h_{t-1}, x_t] and db = dz summed over axis 0"
        ),
        "bias_mean": (
            "your bias gradients are divided by N (a mean over the batch): "
            "db is the pre-activation gradient summed over the batch (axis 0)"
        ),
        "swapped_dx_dh": (
            "dx_t and dh_prev are swapped: the gradient of [h_{t-1}, x_t] has "
            "dh_prev in its first H columns and dx_t in the last D"
        ),
        "f_uses_c_t": (
            "the forget gate's gradients are wrong while dc_prev is right: "
            + GATE_HINTS["f"]
        ),
        "o_uses_c_t": (
            "the output gate's gradients are wrong while dc_prev is right: "
            + GATE_HINTS["o"]
        ),
        "c_sigmoid": (
            "the candidate's gradients are wrong while dc_prev is right: "
            + GATE_HINTS["c"]
        ),
    }
    for gate in "fico":
        messages[f"sign_{gate}"] = (
            f"grads['W_{gate}'] has the wrong sign (it is the negative of the "
            f"right gradient): {GATE_HINTS[gate]}"
        )
        messages[f"gate_{gate}"] = (
            f"the {GATE_NAMES[gate]}'s gradients are wrong while dc_prev is "
            f"right: {GATE_HINTS[gate]}"
        )
    return messages


def check_grads(name, grads, params):
    """Fail unless grads has an array of each parameter's shape per key."""
    assert isinstance(grads, dict), (
        f"the grads that {name} returns should be a dict, got {type(grads).__name__}"
    )
    missing = [key for key in PARAM_KEYS if key not in grads]
    assert not missing, (
        f"the grads dict of {name} lacks {', '.join(missing)}: it needs one "
        "entry per parameter, W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o"
    )
    for key in PARAM_KEYS:
        shape = params[key].shape
        value = grads[key]
        transposed = len(shape) == 2 and shape[0] != shape[1]
        if transposed and isinstance(value, np.ndarray) and value.shape == shape[::-1]:
            raise AssertionError(
                f"grads['{key}'] has shape {value.shape}, the transpose of "
                f"{key}'s {shape}: a gradient has the shape of what it "
                f"differentiates (dW = dzᵀ·[h_{{t-1}}, x_t], not its transpose)"
            )
        check_array(f"grads['{key}']", value, shape, f"{key}.shape")


def parts_match(values, expected):
    return all(matches(v, e, SEQUENCE) for v, e in zip(values, expected, strict=True))


def flat_result(result):
    """(dx, dh, dc, grads) as a list of arrays in a fixed order."""
    *arrays, grads = result
    return [*arrays, *(grads[key] for key in PARAM_KEYS)]


def check_cell_backward(result, c, where=""):
    """Fail with the likely mistake unless result is c's expected result."""
    cache = c["cache"]
    n, hidden = cache.h_prev.shape
    d = cache.x_t.shape[1]
    names = ("dx_t", "dh_prev", "dc_prev", "grads")
    check_tuple("lstm_cell_backward", result, names)
    dx_t, dh_prev, dc_prev, grads = result
    if (
        isinstance(dx_t, np.ndarray)
        and isinstance(dh_prev, np.ndarray)
        and d != hidden
        and dx_t.shape == (n, hidden)
        and dh_prev.shape == (n, d)
    ):
        raise AssertionError(cell_backward_messages()["swapped_dx_dh"] + where)
    check_array("dx_t", dx_t, (n, d), "(N, D)" + where)
    check_array("dh_prev", dh_prev, (n, hidden), "(N, H)" + where)
    check_array("dc_prev", dc_prev, (n, hidden), "(N, H)" + where)
    check_grads("lstm_cell_backward", grads, cache.params)
    got = flat_result(result)
    expected = flat_result(c["expected"])
    if parts_match(got, expected):
        return
    if all(np.all(v == 0) for v in got):
        raise AssertionError(
            "every gradient your lstm_cell_backward returns is all zero: work "
            "backwards through the step's equations from dh_t and dc_t" + where
        )
    messages = cell_backward_messages()
    for key, alternative in c.get("mistakes", {}).items():
        if parts_match(got, flat_result(alternative)):
            raise AssertionError(messages[key] + where)
    tol = tolerance(dc_prev, SEQUENCE)
    labels = ["dx_t", "dh_prev", "dc_prev", *(f"grads['{k}']" for k in PARAM_KEYS)]
    wrong = [
        label
        for label, v, e in zip(labels, got, expected, strict=True)
        if not matches(v, e, SEQUENCE)
    ]
    first = wrong[0]
    index = labels.index(first)
    detail = where_it_differs(got[index], expected[index], tol)
    if "dc_prev" in wrong:
        why = (
            "dC_t is dc_t plus the gradient that reaches C_t through "
            "h_t = o_t ⊙ tanh(C_t), and dc_prev is dC_t times f_t"
        )
    elif all(label.startswith("grads['b_") for label in wrong):
        why = "a bias gradient is the pre-activation gradient summed over the batch"
    elif any(label.startswith("grads") for label in wrong):
        gates = [g for g in "fico" if any(f"_{g}']" in label for label in wrong)]
        why = (
            GATE_HINTS[gates[0]]
            if len(gates) == 1
            else (
                "a gate's pre-activation gradient is the gradient of its output "
                "times the derivative of its activation, written with the cached "
                "output; then dW = dzᵀ·[h_{t-1}, x_t] and db is dz summed over the "
                "batch"
            )
        )
    else:
        why = (
            "the gradient of [h_{t-1}, x_t] adds the four gates' contributions "
            "(pre-activation gradient times that gate's W); its first H columns "
            "are dh_prev, the last D are dx_t"
        )
    right = [label for label in labels if label not in wrong]
    said = f"; right: {', '.join(right)}" if right else ""
    raise AssertionError(
        f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong{where}: "
        f"{first}: {detail}{said}. {why}"
    )


def cell_backward_passes(c):
    """Whether the notebook's lstm_cell_backward gives lstm_ref's results on
    the calls the right loop makes in case c (its first c["probes"] recorded
    calls), without raising, another shape or an argument changed in place."""
    function = student_function("lstm_cell_backward")
    steps = c["cache"].steps
    for probe in c["replay"][: c["probes"]]:
        dh_t, dc_t, t = probe["args"]
        try:
            result = call(function, dh_t, dc_t, steps[t])
            check_tuple("lstm_cell_backward", result, ("dx", "dh", "dc", "grads"))
            if not isinstance(result[3], dict):
                return False
            if not parts_match(flat_result(result), flat_result(probe["expected"])):
                return False
        except Exception:  # noqa: BLE001 (any failure is a failed probe)
            return False
    return True


def cell_standin(c):
    """A stand-in for lstm_cell_backward that replays lstm_ref's results on
    the calls case c recorded (the right loop's and the known mistakes')."""
    steps = c["cache"].steps
    calls = c["replay"]

    def lstm_cell_backward(dh_t, dc_t, cache):
        for recorded_call in calls:
            r_dh, r_dc, t = recorded_call["args"]
            step = steps[t]
            if (
                _same_array(dh_t, r_dh)
                and _same_array(dc_t, r_dc)
                and _same_array(cache.x_t, step.x_t)
                and _same_array(cache.h_prev, step.h_prev)
                and _same_array(cache.c_prev, step.c_prev)
            ):
                dx, dh, dc, grads = snapshot(recorded_call["expected"])
                return dx, dh, dc, grads
        raise AssertionError(
            "your lstm_backward called lstm_cell_backward with inputs this "
            "visible test did not expect (at each step t: dhs[:, t] plus the "
            "dh_prev of step t + 1, the dc_prev of step t + 1, cache.steps[t]); "
            "fix lstm_cell_backward so that the test can use yours"
        )

    return lstm_cell_backward


def _same_array(value, expected):
    value = np.asarray(value, dtype=float)
    expected = np.asarray(expected, dtype=float)
    return value.shape == expected.shape and np.allclose(
        value, expected, rtol=1e-10, atol=1e-12
    )


def cell_substitute(c, told=None):
    """{} if the notebook's lstm_cell_backward passes c's probes, else the
    stand-in that replays lstm_ref's results (and say so, once)."""
    if cell_backward_passes(c):
        return {}
    if told is None or "lstm_cell_backward" not in told:
        if told is not None:
            told.add("lstm_cell_backward")
        print(
            "Your lstm_cell_backward does not pass its own tests: lstm_backward "
            "is checked with the course's lstm_cell_backward in its place."
        )
    return {"lstm_cell_backward": cell_standin(c)}


# --- lstm_backward ------------------------------------------------------------------


def backward_messages():
    return {
        "no_dc_carry": (
            "you drop the gradient of C_t carried back from step t + 1: pass "
            "the dc_prev of step t + 1 as the dc_t of step t"
        ),
        "no_dh_carry": (
            "you drop the gradient of h_t carried back from step t + 1: h_t's "
            "gradient is dhs[:, t] plus the dh_prev of step t + 1"
        ),
        "forward_order": (
            "your loop runs forward in time (t = 0 first): backpropagation "
            "through time goes backwards, from the last step to the first, so "
            "that step t + 1's dh_prev and dc_prev are ready for step t"
        ),
        "skips_last": (
            "your loop never differentiates the last step (range(T - 1)?): "
            "start at t = T - 1, the last step, and go back to t = 0"
        ),
        "dx_reversed": (
            "dx is in reverse time order: dx[:, t] is the gradient of x[:, t], "
            "even though the loop runs from the last step back"
        ),
        "swapped_initial": (
            "your lstm_backward returns (dx, dc0, dh0, grads): the order is "
            "(dx, dh0, dc0, grads)"
        ),
        "first_step_only": (
            "your parameter gradients are those of one step alone (the last "
            "one your loop visits): the weights are shared by every step, so "
            "add each step's gradients into the total with += (`=` keeps only "
            "one step's)"
        ),
        "last_step_only": (
            "your parameter gradients are those of the last step alone: the "
            "weights are shared by every step, so add each step's gradients "
            "into the total with += (`=` keeps only one step's)"
        ),
        "divided_by_t": (
            "your parameter gradients are divided by T (averaged over the "
            "steps): the gradient of the loss is the sum of every step's "
            "contribution"
        ),
        "divided_by_n": (
            "your parameter gradients are divided by N: the gradient of the "
            "loss is the sum over the batch and the steps"
        ),
    }


def check_backward_returns(result, c):
    """Fail unless result has lstm_backward's structure and shapes."""
    dhs = c["dhs"]
    cache = c["cache"]
    n, t, hidden = dhs.shape
    d = cache.steps[0].x_t.shape[1]
    where = f" for N={n}, T={t}, D={d}, H={hidden}"
    check_tuple("lstm_backward", result, ("dx", "dh0", "dc0", "grads"))
    dx, dh0, dc0, grads = result
    check_array("dx", dx, (n, t, d), "(N, T, D)" + where)
    check_array("dh0", dh0, (n, hidden), "(N, H)" + where)
    check_array("dc0", dc0, (n, hidden), "(N, H)" + where)
    check_grads("lstm_backward", grads, cache.steps[0].params)
    return where


def _zero_hint(values, expected):
    return all(np.all(np.asarray(v) == 0) for v in values) and not all(
        np.all(np.asarray(e) == 0) for e in expected
    )


def check_backward_inputs(result, c):
    """dx, dh0, dc0 of result against c's, known mistakes first."""
    where = check_backward_returns(result, c)
    got = list(result[:3])
    expected = list(c["expected"][:3])
    if parts_match(got, expected):
        return
    if _zero_hint(got, expected):
        raise AssertionError(
            "dx, dh0 and dc0 are all zero" + where + ": run lstm_cell_backward "
            "at every step, from the last to the first"
        )
    messages = backward_messages()
    for key, alternative in c.get("mistakes", {}).items():
        if key in messages and parts_match(got, list(alternative[:3])):
            raise AssertionError(messages[key] + where)
    labels = ("dx", "dh0", "dc0")
    wrong = [
        k
        for k, v, e in zip(labels, got, expected, strict=True)
        if not matches(v, e, SEQUENCE)
    ]
    index = labels.index(wrong[0])
    axes = ("N", "T", "D") if index == 0 else None
    detail = where_it_differs(got[index], expected[index], SEQUENCE, axes)
    if wrong == ["dh0"] or wrong == ["dc0"] or wrong == ["dh0", "dc0"]:
        why = (
            "dh0 and dc0 are the dh_prev and dc_prev that the first step "
            "(t = 0) returns"
        )
    else:
        why = (
            "at each step t, h_t's gradient is dhs[:, t] plus the dh_prev of "
            "step t + 1, and C_t's is the dc_prev of step t + 1 (zeros after "
            "the last step)"
        )
    raise AssertionError(f"{wrong[0]} is wrong{where}: {detail}. {why}")


def check_backward_weights(result, c):
    """The parameter gradients of result against c's, known mistakes first."""
    where = check_backward_returns(result, c)
    grads = result[3]
    got = [grads[key] for key in PARAM_KEYS]
    expected = [c["expected"][3][key] for key in PARAM_KEYS]
    if parts_match(got, expected):
        return
    if _zero_hint(got, expected):
        raise AssertionError(
            "your parameter gradients are all zero" + where + ": each is the "
            "sum over the steps of that step's gradient"
        )
    messages = backward_messages()
    for key, alternative in c.get("mistakes", {}).items():
        if key in messages and parts_match(
            got, [alternative[3][k] for k in PARAM_KEYS]
        ):
            raise AssertionError(messages[key] + where)
    wrong = [
        k
        for k, v, e in zip(PARAM_KEYS, got, expected, strict=True)
        if not matches(v, e, SEQUENCE)
    ]
    index = PARAM_KEYS.index(wrong[0])
    detail = where_it_differs(got[index], expected[index], SEQUENCE)
    raise AssertionError(
        f"grads['{wrong[0]}'] is wrong{where}: {detail}. Each parameter's "
        "gradient is the sum over the steps of that step's gradient, computed "
        "with the dh_t and dC_t carried back from the step after it"
    )


def report_gradient_check(loss, inputs, analytic):
    """Your numerical_gradient and rel_error on each array of inputs.

    loss(**inputs) -> float; analytic[name] is your backward's gradient of
    the loss with respect to inputs[name]. Prints one line per array.
    """
    numerical_gradient = student_function("numerical_gradient")
    rel_error = student_function("rel_error")
    print(f"{'array':8}  {'rel_error':>9}")
    for name, value in inputs.items():

        def loss_of(v, name=name):
            return loss(**{**inputs, name: v})

        numeric = numerical_gradient(loss_of, value)
        error = rel_error(analytic[name], numeric)
        verdict = "ok" if error < 1e-7 else "CHECK THIS ONE"
        print(f"{name:8}  {error:9.1e}  {verdict}")


def make_step_inputs(seed, n, d, h, scale=1.0):
    """Random x_t (N, D), h_prev (N, H), c_prev (N, H) and LSTM params (for
    the notebook's own gradient-check cells)."""
    rng = np.random.default_rng(seed)
    x_t = scale * rng.normal(size=(n, d))
    h_prev = np.tanh(rng.normal(size=(n, h)))
    c_prev = rng.normal(size=(n, h))
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(scale=1.5 / np.sqrt(h + d), size=(h, h + d))
        params[f"b_{gate}"] = rng.normal(size=h)
    return x_t, h_prev, c_prev, params


def make_sequence_inputs(seed, n, t, d, h):
    """Random x (N, T, D), h0 (N, H), c0 (N, H) and LSTM params."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d))
    _, h0, c0, params = make_step_inputs(seed + 1000, n, d, h)
    return x, h0, c0, params


def upstream(seed, *shape):
    """A random upstream gradient of the given shape."""
    return np.random.default_rng(seed).normal(size=shape)
