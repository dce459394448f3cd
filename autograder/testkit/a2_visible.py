"""What A2's visible tests need beyond common (NumPy only, no answers).

A test case (``case("...")``, built by the judge with lstm_ref) holds the
inputs of a call, the expected result and, under ``"mistakes"``, the result
each known mistake gives on the same inputs; the messages for those mistakes
are here, so that a visible test and a hidden one say the same thing. Under
``"parts"`` a case holds probes of the functions the tested one builds on
(their inputs and expected results), so a test can tell whether a wrong
result comes from the function itself or from a part it calls; under
``"replay"`` the results of those parts on the inputs the right code and the
known mistakes give them, from which ``stand_ins`` builds replacements for
the parts that fail (a visible test cannot use lstm_ref: the student's copy
has none). The judge's hidden tests replace them by lstm_ref's instead.
"""

# ruff: noqa: F405  (common's names come by import *)

import numpy as np

from autograder.testkit.common import *  # noqa: F403

# The gates: (the symbol in messages, the weight and bias keys, the words).
GATES = {
    "forget_gate": ("f_t", "W_f", "b_f", "forget gate"),
    "input_gate": ("i_t", "W_i", "b_i", "input gate"),
    "candidate": ("C̃_t", "W_c", "b_c", "candidate"),
    "output_gate": ("o_t", "W_o", "b_o", "output gate"),
}
# The order in which a later function builds on the earlier ones.
PARTS = (
    "sigmoid",
    "forget_gate",
    "input_gate",
    "candidate",
    "output_gate",
    "cell_update",
    "lstm_cell_forward",
)


def _formula(name):
    symbol, weight, bias, _ = GATES[name]
    squash = "tanh" if name == "candidate" else "σ"
    return f"{symbol} = {squash}({weight}·[h_prev, x_t] + {bias})"


def sigmoid_messages():
    return {
        "minus": (
            "your sigmoid gives σ(-z) = 1 / (1 + e^{z}) instead of σ(z): check "
            "the sign of the exponent in each branch (σ(3) is about 0.95)"
        ),
    }


def gate_messages(name):
    symbol, weight, bias, words = GATES[name]
    messages = {
        "swapped": (
            f"your {name} concatenates [x_t, h_prev]; the course's order is "
            "[h_prev, x_t], hidden state first"
        ),
        "no_bias": (
            f"your {name} leaves out the bias {bias}: {_formula(name)}, the bias "
            "added to every row"
        ),
        "transposed": (
            f"your {name} returns the transpose of {symbol}, of shape (H, N): rows "
            f"are examples, so compute hx @ {weight}.T + {bias}, of shape (N, H), "
            f"with hx = [h_prev, x_t] of shape (N, H + D)"
        ),
    }
    if name == "candidate":
        messages["sigmoid"] = (
            "your candidate uses sigmoid: the candidate is tanh(...), so that it "
            "can propose negative values, in (-1, 1)"
        )
    else:
        messages["tanh"] = (
            f"your {words}'s output is outside (0, 1): did you use tanh instead of "
            f"sigmoid? A gate is {_formula(name)}, between 0 and 1"
        )
    return messages


def cell_update_messages():
    rule = "C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t"
    return {
        "swapped": (
            "in your cell_update the forget gate multiplies the candidate and the "
            f"input gate the old cell state: {rule}"
        ),
        "squashed": (
            "your cell_update applies tanh to the new cell state: C_t is not "
            "squashed (tanh(C_t) is taken for h_t only, in lstm_cell_forward)"
        ),
        "no_input_gate": (
            f"your cell_update adds the candidate without the input gate: {rule}"
        ),
        "no_forget_gate": (
            f"your cell_update keeps C_{{t-1}} without the forget gate: {rule}"
        ),
        "matmul": (
            "your cell_update uses matrix products: every product in the cell "
            "update is element-wise (*, not @ or np.dot)"
        ),
    }


def cell_messages():
    return {
        "swapped_return": (
            "your lstm_cell_forward returns (c_t, h_t, cache): the order is "
            "(h_t, c_t, cache)"
        ),
        "no_tanh": (
            "your lstm_cell_forward computes h_t = o_t ⊙ C_t: it is "
            "h_t = o_t ⊙ tanh(C_t)"
        ),
        "old_cell": (
            "your lstm_cell_forward computes h_t from the old cell state "
            "(tanh(c_prev)): h_t = o_t ⊙ tanh(C_t), with the new cell state"
        ),
        "c_prev_for_h_prev": (
            "your lstm_cell_forward gives the gates c_prev where they need h_prev: "
            "each gate acts on [h_prev, x_t]"
        ),
        "same_weights": (
            "your lstm_cell_forward gives every gate the forget gate's W_f and b_f: "
            "each gate has its own weights and bias (W_i, b_i for the input gate, "
            "and so on)"
        ),
        "no_bias": (
            "your lstm_cell_forward leaves out the bias of the gates: each gate is "
            "[h_prev, x_t] @ W.T + b before its sigmoid or tanh"
        ),
        "swapped_concat": (
            "your lstm_cell_forward concatenates [x_t, h_prev]; the course's order "
            "is [h_prev, x_t], hidden state first"
        ),
        "h_prev_in_update": (
            "your lstm_cell_forward gives cell_update h_prev where it needs c_prev: "
            "the forget gate scales the old cell state, C_t = f_t ⊙ C_{t-1} + "
            "i_t ⊙ C̃_t"
        ),
        "returns_c_prev": (
            "your lstm_cell_forward returns the old cell state c_prev as c_t: "
            "return the new cell state C_t"
        ),
        "no_output_gate": (
            "your lstm_cell_forward leaves out the output gate: h_t = o_t ⊙ tanh(C_t)"
        ),
    }


def forward_messages():
    return {
        "swapped_return": (
            "your lstm_forward returns (cs, hs, cache): the order is (hs, cs, cache)"
        ),
        "from_initial": (
            "your lstm_forward computes every step from h0, c0: each step must "
            "start from the h and C of the step before (h0, c0 only for the first)"
        ),
        "skips_first": (
            "your lstm_forward skips the first step: hs[:, 0] must be the state "
            "after step 0, computed from h0, c0 and x[:, 0] (loop over range(T))"
        ),
        "misses_last": (
            "your lstm_forward stops one step early: the last step, t = T - 1, is "
            "never computed (loop over range(T), not range(T - 1))"
        ),
        "before_step": (
            "your lstm_forward stores the state from before step t in hs[:, t]: "
            "hs[:, t] and cs[:, t] are the states after step t, so hs[:, 0] is "
            "computed from h0, c0 and x[:, 0]"
        ),
        "c_not_carried": (
            "your lstm_forward starts the cell state from c0 at every step: C must "
            "be carried from step to step, like h"
        ),
        "h_not_carried": (
            "your lstm_forward starts the hidden state from h0 at every step: h "
            "must be carried from step to step, like C"
        ),
        "reversed": (
            "your lstm_forward runs the sequence from the last step to the first: "
            "step t = 0 comes first, from h0 and c0"
        ),
        "zero_start": (
            "your lstm_forward ignores h0 and c0: the first step starts from them, "
            "not from zeros"
        ),
        "row_zero": (
            "your lstm_forward stores row 0 of each step's states for every "
            "example: hs[:, t] = h_t keeps every example's own row"
        ),
        "swapped_states": (
            "your lstm_forward passes (c, h) to lstm_cell_forward, which takes "
            "(x_t, h_prev, c_prev, params): hidden state first"
        ),
    }


def _shape_text(axes, shape):
    if axes and len(axes) == len(shape):
        return "(" + ", ".join(axes) + f") = {tuple(shape)}"
    return f"{tuple(shape)}"


def assess(
    what,
    value,
    expected,
    *,
    mistakes=None,
    messages=None,
    tol=None,
    axes=None,
    layouts=(),
    checks=(),
    hint="",
    float64=True,
):
    """Fail unless value is close to expected, naming the likely mistake.

    In this order: a known wrong layout (``layouts``: (alternative array,
    message) pairs of another shape, e.g. the transpose); the shape and
    finiteness; the value itself (pass); each known mistake whose result
    (``mistakes[key]``) value matches, with ``messages[key]``; a result that is
    all zero; each of ``checks`` (functions that fail with their own message);
    and last a message saying where and by how much value differs.
    """
    expected = np.asarray(expected)
    for alternative, message in layouts:
        alternative = np.asarray(alternative)
        if (
            isinstance(value, np.ndarray)
            and value.shape != expected.shape
            and matches(value, alternative, tol)
        ):
            raise AssertionError(message)
    check_array(what, value, expected.shape, _named(axes, expected))
    if float64:
        check_precision(what, value)
    if matches(value, expected, tol):
        return
    for key, alternative in (mistakes or {}).items():
        if key in (messages or {}) and matches(value, alternative, tol):
            raise AssertionError(messages[key])
    if not np.any(value) and np.any(expected):
        raise AssertionError(
            f"{what} is all zero: is the function written yet (no placeholder "
            "np.zeros left)?"
        )
    for check in checks:
        check(value)
    detail = where_it_differs(value, expected, tol, axes)
    raise AssertionError(f"{what} is wrong: {detail}. {hint}".strip())


def check_precision(what, value):
    """Fail if value is float32 (or coarser) although the inputs are float64."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.itemsize < 8:
        raise AssertionError(
            f"{what} has dtype {value.dtype} although the inputs are float64: "
            "compute in float64 (no cast to np.float32), so the result keeps its "
            "precision"
        )


def _named(axes, expected):
    if axes and len(axes) == expected.ndim:
        return "(" + ", ".join(axes) + ")"
    return ""


def passes(name, args, expected, substitute=None, tol=None, arity=None):
    """Whether your function ``name`` gives ``expected`` on ``args`` (a
    probe: no message; False also when it raises, is missing, returns
    another shape or changes an argument in place). With a tuple
    ``expected``, the result must be a tuple of ``arity`` values (default
    len(expected)) whose first ones match it."""
    try:
        function = student_function(name)
        result = call(function, *snapshot(args), substitute=substitute)
    except AssertionError:
        return False
    if isinstance(expected, tuple):
        return (
            isinstance(result, tuple)
            and len(result) == (arity or len(expected))
            and all(
                _probe_matches(r, e, tol)
                for r, e in zip(result, expected, strict=False)
            )
        )
    return _probe_matches(result, expected, tol)


def _probe_matches(value, expected, tol):
    """matches, and no coarser float dtype than expected's (a float32 result
    on float64 inputs fails its probe, as it fails its test)."""
    return (
        matches(value, expected, tol)
        and value.dtype.itemsize >= np.asarray(expected).dtype.itemsize
    )


def parts_that_fail(c, names, substitute=None):
    """Which of your functions among names fail their probes in case c."""
    probes = c.get("parts", {})
    failing = []
    for name in names:
        for probe in probes.get(name, []):
            expected, arity = probe["expected"], probe.get("arity")
            if not passes(name, probe["args"], expected, substitute, arity=arity):
                failing.append(name)
                break
    return failing


# --- stand-ins: the test's own results in place of a part that fails -------
# A visible test cannot use the reference (a student notebook has none), so
# where one of your parts fails its probe, the test puts in its place a
# stand-in that knows the right results on the inputs the test expects (and
# on the inputs the known mistakes produce), recorded in the case by the
# reference when the notebook was generated. Called with anything else, a
# stand-in says what it did not expect.


def _same_value(value, expected):
    if isinstance(expected, dict):
        return (
            isinstance(value, dict)
            and value.keys() == expected.keys()
            and all(_same_value(value[k], expected[k]) for k in expected)
        )
    if isinstance(expected, np.ndarray):
        return matches(value, expected)
    return value == expected


def _sigmoid_stand_in(table):
    """sigmoid, element by element, for the pre-activations in the table."""
    known = np.asarray(table["z"], dtype=float).ravel()
    values = np.asarray(table["s"], dtype=float).ravel()
    order = np.argsort(known)
    known, values = known[order], values[order]

    def sigmoid(z=None, **kwargs):
        z = np.asarray(kwargs.get("z") if z is None else z, dtype=float)
        flat = z.ravel()
        index = np.clip(np.searchsorted(known, flat), 1, len(known) - 1)
        below, above = known[index - 1], known[index]
        nearest = np.where(
            np.abs(flat - below) <= np.abs(above - flat), index - 1, index
        )
        found = np.isclose(flat, known[nearest], rtol=1e-9, atol=1e-12)
        if not found.all():
            raise AssertionError(
                "sigmoid was called on pre-activations the test does not know: "
                "they are not W·[h_prev, x_t] + b for the test's inputs (the test "
                "used its own sigmoid, as yours does not pass its tests yet)"
            )
        return values[nearest].reshape(z.shape)

    return sigmoid


def _positional(name, args, kwargs):
    """args and kwargs as one tuple in the order of name's signature."""
    if not kwargs:
        return args
    names = ARGUMENTS.get(name, ())
    return tuple(args) + tuple(
        kwargs[key] for key in names[len(args) :] if key in kwargs
    )


def _rows_stand_in(name, table, rows, unknown, wrap=None):
    """``name`` row by row (every example on its own) for the inputs in the
    table (a list of {"args", "expected"}): the first ``rows`` arguments are
    (N, ...) arrays, the others must equal the table's (weights, params);
    ``unknown(args)`` is the message for anything else."""

    def stand_in(*args, **kwargs):
        args = _positional(name, args, kwargs)
        query = [np.asarray(a, dtype=float) for a in args[:rows]]
        if len(args) < len(table[0]["args"]) or any(q.ndim != 2 for q in query):
            raise AssertionError(unknown(args))
        found = []
        for r in range(query[0].shape[0]):
            hit = None
            for entry in table:
                known = entry["args"]
                if not all(
                    _same_value(a, k)
                    for a, k in zip(args[rows:], known[rows:], strict=False)
                ):
                    continue
                for j in range(known[0].shape[0]):
                    if all(
                        q.shape[1:] == k.shape[1:]
                        and np.allclose(
                            q[r], k[j], rtol=STEP["rtol"], atol=STEP["atol"]
                        )
                        for q, k in zip(query, known[:rows], strict=True)
                    ):
                        hit = (entry["expected"], j)
                        break
                if hit:
                    break
            if hit is None:
                raise AssertionError(unknown(args))
            found.append(hit)
        if isinstance(found[0][0], tuple):
            result = tuple(
                np.stack([value[part][j] for value, j in found])
                for part in range(len(found[0][0]))
            )
        else:
            result = np.stack([value[j] for value, j in found])
        return wrap(result) if wrap else result

    stand_in.__name__ = name
    return stand_in


def stand_ins(c, names):
    """Stand-ins for those of your functions among names that fail their
    probes in case c (None when they all pass)."""
    tables = c.get("replay", {})
    failing = [name for name in parts_that_fail(c, names) if name in tables]
    substitute = {}
    for name in failing:
        if name == "sigmoid":
            substitute[name] = _sigmoid_stand_in(tables["sigmoid"])
        elif name == "lstm_cell_forward":
            substitute[name] = _cell_stand_in(c, tables[name])
        else:
            substitute[name] = _rows_stand_in(
                name,
                tables[name],
                4 if name == "cell_update" else 2,
                lambda args, name=name: (
                    f"{name} was called with arguments the test does not expect: "
                    f"the test used its own {name}, as yours does not pass its "
                    "tests yet, and knows its results only for the right inputs"
                ),
            )
    if failing:
        one = len(failing) == 1
        print(
            f"On this test's inputs your {', '.join(failing)} "
            f"{'does' if one else 'do'} not give the right results yet (or a "
            f"function {'it calls' if one else 'they call'} does not): this test "
            f"uses the right results in {'its' if one else 'their'} place and "
            "checks only its own function."
        )
    return substitute or None


def _cell_stand_in(c, table):
    x, params = c["args"][0], c["args"][3]

    def unknown(args):
        x_t = np.asarray(args[0], dtype=float) if args else None
        step = None
        if x_t is not None and x_t.ndim == 2 and x_t.shape[1] == x.shape[2]:
            for t in range(x.shape[1]):
                if all(
                    np.isclose(x[:, t], row, rtol=STEP["rtol"], atol=STEP["atol"])
                    .all(axis=1)
                    .any()
                    for row in x_t
                ):
                    step = t
                    break
        if step is None:
            return (
                "lstm_cell_forward was called with an x_t that is no step of x: "
                "step t of x, of shape (N, T, D), is x[:, t]"
            )
        before = "h0 and c0" if step == 0 else f"the states after step {step - 1}"
        return (
            f"lstm_cell_forward was called at step {step} with an h_prev or c_prev "
            f"that is not {before}"
        )

    replay = _rows_stand_in(
        "lstm_cell_forward", table, 3, unknown, wrap=lambda hc: (hc[0], hc[1], None)
    )

    def lstm_cell_forward(*args, **kwargs):
        args = _positional("lstm_cell_forward", args, kwargs)
        if len(args) >= 4 and not _same_value(args[3], params):
            raise AssertionError(
                "lstm_cell_forward was called with other params than lstm_forward's"
            )
        return replay(*args[:3], params)

    return lstm_cell_forward


# The stability test: any overflow in the student's sigmoid is an error.
OVERFLOW_RAISES = {"over": "raise", "invalid": "raise", "divide": "raise"}
OVERFLOW_HINT = (
    "Make np.exp see only non-positive numbers, e.g. exp(-|z|). Note that "
    "np.where computes both of its branches for every element, so "
    "np.where(z >= 0, 1 / (1 + np.exp(-z)), ...) still overflows."
)


# --- the checks, one per graded function (visible and hidden tests) ---------


def check_sigmoid(c, *, errstate=None, hint="", tol=None):
    """sigmoid on c["z"] against c["expected"]."""
    z = c["z"]
    function = student_function("sigmoid")
    hint = hint or (
        "sigmoid must work element-wise on an array of any shape: use NumPy "
        "operations (np.where, np.exp), not a Python if on the elements."
    )
    if errstate:
        with np.errstate(**errstate):
            s = call(function, z, hint=hint)
    else:
        s = call(function, z, hint=hint)
    expected = np.asarray(c["expected"])
    if tol is None:
        tol = FLOAT32 if z.dtype == np.float32 else STEP

    def sides(value):
        close = np.isclose(
            np.asarray(value, dtype=float), expected, rtol=tol["rtol"], atol=tol["atol"]
        )
        negative = np.asarray(z) < 0
        if close[~negative].all() and not close[negative].all():
            raise AssertionError(
                "your sigmoid is right for z ≥ 0 but not for z < 0: there "
                "σ(z) = e^{z} / (1 + e^{z}), below 0.5"
            )
        if close[negative].all() and not close[~negative].all():
            raise AssertionError(
                "your sigmoid is right for z < 0 but not for z ≥ 0: there "
                "σ(z) = 1 / (1 + e^{-z}), at least 0.5"
            )

    assess(
        f"sigmoid(z) for z of shape {z.shape}",
        s,
        expected,
        mistakes=c.get("mistakes"),
        messages=sigmoid_messages(),
        tol=tol,
        checks=[sides],
        hint="σ(z) = 1 / (1 + e^{-z})",
        float64=z.dtype == np.float64,
    )
    return s


def check_gate(name, c, substitute=None):
    """Your gate ``name`` on the case's inputs, against the expected gate."""
    symbol, weight, bias, words = GATES[name]
    args = c["args"]
    value = call(
        student_function(name),
        *args,
        substitute=substitute,
        hint=(
            f"{weight} has shape (H, H + D): the product is hx @ {weight}.T, with "
            "hx = np.concatenate([h_prev, x_t], axis=1) of shape (N, H + D)"
        ),
    )
    expected = np.asarray(c["expected"])
    messages = gate_messages(name)

    def in_range(value):
        if name == "candidate":
            if not np.all(np.abs(value) < 1):
                raise AssertionError("your candidate is outside (-1, 1): use np.tanh")
            return
        if not np.all((value > 0) & (value < 1)):
            raise AssertionError(messages["tanh"])

    assess(
        f"{symbol}, your {words}'s output,",
        value,
        expected,
        mistakes=c.get("mistakes"),
        messages=messages,
        axes=("N", "H"),
        layouts=[(expected.T, messages["transposed"])],
        checks=[in_range],
        hint=f"It should be {_formula(name)}.",
    )


def check_cell_update(c, substitute=None):
    """Your cell_update on the case's gates, against the expected C_t."""
    value = call(
        student_function("cell_update"),
        *c["args"],
        substitute=substitute,
        hint="Every product in the cell update is element-wise (*, not @ or np.dot).",
    )
    assess(
        "C_t, your cell_update's output,",
        value,
        c["expected"],
        mistakes=c.get("mistakes"),
        messages=cell_update_messages(),
        axes=("N", "H"),
        hint="It should be C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t, element-wise.",
    )


def check_cell(c, substitute=None):
    """Your lstm_cell_forward on the case's inputs: (h_t, c_t, cache)."""
    result = call(
        student_function("lstm_cell_forward"), *c["args"], substitute=substitute
    )
    check_tuple("lstm_cell_forward", result, ("h_t", "c_t", "cache"))
    h_t, c_t = result[0], result[1]
    h_ref, c_ref = c["expected"]
    check_array("h_t", h_t, h_ref.shape, "(N, H)")
    check_array("c_t", c_t, c_ref.shape, "(N, H)")
    check_precision("h_t", h_t)
    check_precision("c_t", c_t)
    if matches(h_t, h_ref) and matches(c_t, c_ref):
        return
    messages = cell_messages()
    for key, (h_alt, c_alt) in c.get("mistakes", {}).items():
        if key in messages and matches(h_t, h_alt) and matches(c_t, c_alt):
            raise AssertionError(messages[key])
    if not np.any(h_t) and not np.any(c_t):
        raise AssertionError(
            "your lstm_cell_forward returns h_t and c_t that are all zero: is it "
            "written yet (no placeholder np.zeros left)?"
        )
    if not matches(c_t, c_ref):
        detail = where_it_differs(c_t, c_ref, None, ("N", "H"))
        raise AssertionError(
            f"c_t is wrong: {detail}. It should be f_t ⊙ C_{{t-1}} + i_t ⊙ C̃_t, "
            "each gate on [h_prev, x_t] with its own weights and bias"
        )
    detail = where_it_differs(h_t, h_ref, None, ("N", "H"))
    raise AssertionError(
        f"h_t is wrong although c_t is right: {detail}. It should be "
        "h_t = o_t ⊙ tanh(C_t), with the new cell state"
    )


def _matches_where_known(value, alternative, tol):
    """Whether value matches alternative where alternative is known: a nan
    in it marks a step the mistake never computes (left as anything)."""
    alternative = np.asarray(alternative)
    if not isinstance(value, np.ndarray) or value.shape != alternative.shape:
        return False
    known = ~np.isnan(alternative)
    if not known.any():
        return False
    mine = np.asarray(value, dtype=float)[known]
    return bool(
        np.all(np.isfinite(mine))
        and np.allclose(mine, alternative[known], rtol=tol["rtol"], atol=tol["atol"])
    )


def _forward_layouts(what, value, expected):
    """Fail with the layout a wrongly shaped hs or cs has, if it is known."""
    if not isinstance(value, np.ndarray):
        return
    n, num_steps, hidden = expected.shape
    for order, layout in (
        ((1, 0, 2), "(T, N, H)"),
        ((0, 2, 1), "(N, H, T)"),
        ((2, 0, 1), "(H, N, T)"),
        ((1, 2, 0), "(T, H, N)"),
        ((2, 1, 0), "(H, T, N)"),
    ):
        laid_out = np.transpose(expected, order)
        if value.shape != expected.shape and matches(value, laid_out, SEQUENCE):
            raise AssertionError(
                f"your lstm_forward returns {what} laid out {layout}: the course's "
                "layout is batch-major, (N, T, H); stack the steps along axis 1 "
                f"({what}[:, t] is step t)"
            )
    if value.shape == (n, num_steps + 1, hidden) and matches(
        value[:, 1:], expected, SEQUENCE
    ):
        initial = "h0" if what == "hs" else "c0"
        raise AssertionError(
            f"your lstm_forward's {what} holds T + 1 states, {initial} first: "
            f"{what}[:, t] is the state after step t, so {initial} is not in it"
        )
    if value.shape == (n, hidden) and matches(value, expected[:, -1], SEQUENCE):
        raise AssertionError(
            f"your lstm_forward returns only the last state as {what}: {what} "
            "holds the state after every step, shape (N, T, H)"
        )


def check_forward(c, substitute=None):
    """Your lstm_forward on the case's inputs: (hs, cs, cache)."""
    result = call(student_function("lstm_forward"), *c["args"], substitute=substitute)
    check_tuple("lstm_forward", result, ("hs", "cs", "cache"))
    hs, cs = result[0], result[1]
    hs_ref, cs_ref = c["expected"]
    axes = ("N", "T", "H")
    for what, value, expected in (("hs", hs, hs_ref), ("cs", cs, cs_ref)):
        assert isinstance(value, np.ndarray), (
            f"{what} should be a NumPy array, got {type(value).__name__}"
        )
        _forward_layouts(what, value, expected)
        assert value.shape == expected.shape, (
            f"{what} has shape {value.shape}, expected (N, T, H) = {expected.shape}"
        )
    if matches(hs, hs_ref, SEQUENCE) and matches(cs, cs_ref, SEQUENCE):
        check_precision("hs", hs)
        check_precision("cs", cs)
        return
    messages = forward_messages()
    for key, (hs_alt, cs_alt) in c.get("mistakes", {}).items():
        if (
            key in messages
            and _matches_where_known(hs, hs_alt, SEQUENCE)
            and _matches_where_known(cs, cs_alt, SEQUENCE)
        ):
            raise AssertionError(messages[key])
    check_array("hs", hs, hs_ref.shape, "(N, T, H)")
    check_array("cs", cs, cs_ref.shape, "(N, T, H)")
    check_precision("hs", hs)
    check_precision("cs", cs)
    if not np.any(hs) and not np.any(cs):
        raise AssertionError(
            "your lstm_forward returns hs and cs that are all zero: is it written "
            "yet (no placeholder np.zeros left)?"
        )
    for what, value, expected in (("hs", hs, hs_ref), ("cs", cs, cs_ref)):
        if not matches(value, expected, SEQUENCE):
            detail = where_it_differs(value, expected, SEQUENCE, axes)
            raise AssertionError(
                f"{what} is wrong: {detail}. {what}[:, t] is the state after step "
                "t; each step starts from the h and C of the step before (h0, c0 "
                "for the first)"
            )
