"""A1's visible tests (NumPy only; copied into the student notebook).

Every check takes a case: a dict of inputs, the expected results and the
results the known mistakes give on the same inputs, all computed by
lstm_ref (in the judge, autograder/testkit/a1.py; in a student notebook,
embedded when it was generated). ``probes`` record what each function a
tested one builds on must return on a few inputs, so a test can say which of
your functions do not pass their own tests yet.

The caches (stated in the notebook): ``rnn_cell_forward`` returns the tuple
``(hx, h_t, W)`` with ``hx = [h_prev, x_t]``, and ``rnn_forward`` the list of
its T step caches, in time order. The backward tests give your backward
functions caches of that form, built by lstm_ref, so that a right backward
is graded right whatever your forward does; if your backward reads a cache of
your own form, it is tested with your own forward's cache once that forward
passes its own test.
"""

# ruff: noqa: F405  (the names of common come by import *)
import numpy as np

from autograder.testkit.common import *  # noqa: F403

GRADIENT_NAMES = ("dx", "dh0")


# --- probes -----------------------------------------------------------------


def _close(value, expected, tol):
    """Whether value matches expected (arrays, tuples and dicts of them)."""
    if isinstance(expected, dict):
        return (
            isinstance(value, dict)
            and set(value) == set(expected)
            and all(_close(value[key], expected[key], tol) for key in expected)
        )
    if isinstance(expected, tuple | list):
        return (
            isinstance(value, tuple | list)
            and len(value) >= len(expected)
            and all(_close(v, e, tol) for v, e in zip(value, expected, strict=False))
        )
    if expected is None:
        return True  # not checked (a cache)
    return matches(value, np.asarray(expected), tol)


def passes(name, args, expected, substitute=None, tol=None):
    """Whether your function ``name`` gives ``expected`` on ``args`` (no
    message: False also when it raises, is missing, returns another shape or
    changes an argument in place). ``None`` in expected is not checked."""
    try:
        function = student_function(name)
        result = call(function, *snapshot(args), substitute=substitute)
    except AssertionError:
        return False
    return _close(result, expected, SEQUENCE if tol is None else tol)


def parts_that_fail(c, names, substitute=None):
    """Which of your functions among names fail their probes in case c."""
    failing = []
    for name in names:
        for probe in c.get("probes", {}).get(name, []):
            if not passes(name, probe["args"], probe["expected"], substitute):
                failing.append(name)
                break
    return failing


def skipped(tested, failing):
    """Say that the value check of ``tested`` waits for ``failing``."""
    parts = ", ".join(failing)
    verb = "does" if len(failing) == 1 else "do"
    print(
        f"Value check of {tested} skipped here: your {parts} {verb} not pass "
        f"{'its' if len(failing) == 1 else 'their'} own test yet. The grader "
        f"checks {tested} with lstm_ref's {parts} in "
        f"{'its' if len(failing) == 1 else 'their'} place, so a mistake there "
        f"costs {tested} nothing."
    )


def _first_match(value, mistakes, messages, tol=None):
    """The message of the first known mistake whose result value matches."""
    for key, message in messages:
        alternative = mistakes.get(key)
        if alternative is not None and _close(value, alternative, tol or STEP):
            return message
    return None


# --- rnn_cell_forward -------------------------------------------------------

CELL_MESSAGES = (
    (
        "swapped",
        "your rnn_cell_forward concatenates [x_t, h_prev]; the course's order "
        "is [h_prev, x_t], the hidden state first (W's first H columns act "
        "on h_prev)",
    ),
    ("no_bias", "your rnn_cell_forward leaves out the bias b: a_t = hx @ W.T + b"),
    (
        "sigmoid",
        "your rnn_cell_forward squashes with the sigmoid: the vanilla RNN "
        "uses tanh, h_t = tanh(a_t)",
    ),
    (
        "no_tanh",
        "your rnn_cell_forward returns the pre-activation a_t: apply tanh, "
        "h_t = tanh(hx @ W.T + b)",
    ),
)

CELL_HINT = (
    "With one example per row, the pre-activation is "
    "hx @ W.T + b, hx = np.concatenate([h_prev, x_t], axis=1) (not W @ hx, "
    "which is for column vectors)."
)


def check_cell_forward(c):
    """rnn_cell_forward returns (h_t, cache), h_t = tanh(W·[h_prev, x_t] + b)."""
    result = call(
        student_function("rnn_cell_forward"),
        c["x_t"],
        c["h_prev"],
        c["params"],
        hint=CELL_HINT,
    )
    check_tuple("rnn_cell_forward", result, ("h_t", "cache"))
    h_t = result[0]
    message = _first_match(h_t, c["mistakes"], CELL_MESSAGES, tolerance(h_t))
    if message is not None and not matches(h_t, c["h_t"]):
        raise AssertionError(message)
    compare(
        "h_t",
        h_t,
        c["h_t"],
        tol=STEP,
        axes=("N", "H"),
        hint=c.get("hint", "") + "h_t = tanh(W·[h_prev, x_t] + b).",
    )


# --- rnn_forward ------------------------------------------------------------

FORWARD_MESSAGES = (
    (
        "skips_last",
        "hs[:, -1], the last step, is not computed: loop over range(T), all T steps",
    ),
    (
        "from_zeros",
        "your hs is computed from a zero initial state, not from h0: the "
        "first step starts from h0",
    ),
    (
        "always_h0",
        "every step of your rnn_forward starts from h0 instead of the h of "
        "the step before",
    ),
    (
        "stores_h_prev",
        "your hs[:, 0] is h0 and every state is one step late: hs[:, t] is "
        "the state after step t (hs[:, 0] is h_1)",
    ),
    (
        "reversed",
        "your rnn_forward runs through time backwards: step 0 comes first",
    ),
)

FORWARD_HINT = "hs has shape (N, T, H), H from h0 (not like x, which has D columns)."


def check_forward(c, substitute=None, values=True):
    """rnn_forward returns (hs, cache), hs[:, t] the state after step t."""
    x, h0 = c["x"], c["h0"]
    result = call(
        student_function("rnn_forward"),
        x,
        h0,
        c["params"],
        substitute=substitute,
        hint=FORWARD_HINT,
    )
    check_tuple("rnn_forward", result, ("hs", "cache"))
    hs = result[0]
    n, t, h = c["hs"].shape
    if isinstance(hs, np.ndarray) and hs.shape == (t, n, h) != (n, t, h):
        raise AssertionError(
            f"hs is laid out time-major, (T, N, H) = {hs.shape}: the course's "
            f"layout is batch-major, (N, T, H) = {(n, t, h)}, like x (stack "
            "the states along axis 1)"
        )
    if not values:
        check_array("hs", hs, (n, t, h), "(N, T, H)")
        return
    if isinstance(hs, np.ndarray) and not matches(hs, c["hs"], SEQUENCE):
        message = _first_match(hs, c["mistakes"], FORWARD_MESSAGES, SEQUENCE)
        if message is not None:
            raise AssertionError(message)
    compare(
        "hs",
        hs,
        c["hs"],
        tol=SEQUENCE,
        axes=("N", "T", "H"),
        hint="Each step starts from the h of the step before (h0 first), "
        "with the same W and b at every step.",
    )


# --- rnn_cell_backward and rnn_backward ------------------------------------


def _gradient_parts(result, names):
    """The arrays of (d_input, d_state, grads) with their names."""
    return [
        (names[0], result[0]),
        (names[1], result[1]),
        ('grads["W"]', result[2]["W"]),
        ('grads["b"]', result[2]["b"]),
    ]


def _check_grads_dict(name, grads, W_shape, b_shape):
    assert isinstance(grads, dict), (
        f"grads should be a dict with keys 'W' and 'b', got {type(grads).__name__}"
    )
    assert set(grads) == {"W", "b"}, (
        f"grads should have exactly the keys 'W' and 'b', got {sorted(grads)}"
    )
    check_array('grads["b"]', grads["b"], b_shape, "(H,)")
    W = grads["W"]
    if isinstance(W, np.ndarray) and W.ndim == 2 and W.shape != W_shape:
        n = W.shape[0] // W_shape[0] if W.shape[0] % W_shape[0] == 0 else 0
        if n > 1 and W.shape == (n * W_shape[0], n * W_shape[1]):
            raise AssertionError(
                f'grads["W"] has shape {W.shape}, expected (H, H + D) = '
                f"{W_shape}: np.outer flattens its arguments, so it is right "
                "for one example only; sum over the batch with da.T @ hx"
            )
    check_array('grads["W"]', W, W_shape, "(H, H + D)")


CELL_BACKWARD_MESSAGES = (
    (
        "no_tanh",
        "your rnn_cell_backward leaves out tanh's derivative: the gradient "
        "reaching a_t is ∂L/∂h_t ⊙ (1 - h_t²)",
    ),
    (
        "split_swapped",
        "your dx_t and dh_prev come from the wrong columns of the gradient of "
        "[h_prev, x_t]: its first H columns belong to h_prev, the last D to x_t",
    ),
    (
        "divided_by_n",
        "your grads are divided by N (the batch size): the examples' "
        "contributions add up, dW = da.T @ hx and db = da.sum(axis=0)",
    ),
)


def _call_backward(name, args, c, substitute, own):
    """Your backward on the documented cache; if it fails there and ``own``
    gives your own forward's cache, on that one."""
    function = student_function(name)
    try:
        return call(function, *args, substitute=substitute)
    except AssertionError as error:
        first = error
    if own is None:
        raise first
    own_args = attempt(own)
    if own_args is None:
        raise first
    try:
        result = call(function, *own_args)
    except AssertionError:
        raise first from None
    if _close(result, c["expected"], SEQUENCE):
        return result
    raise first


def check_cell_backward(c, own_cache=None):
    """rnn_cell_backward returns (dx_t, dh_prev, grads) of one step."""
    names = ("dx_t", "dh_prev")
    result = _call_backward(
        "rnn_cell_backward", (c["dh_t"], c["cache"]), c, None, own_cache
    )
    check_tuple("rnn_cell_backward", result, (*names, "grads"))
    n, d = c["expected"][0].shape
    h = c["expected"][1].shape[1]
    check_array("dx_t", result[0], (n, d), "(N, D)")
    check_array("dh_prev", result[1], (n, h), "(N, H)")
    _check_grads_dict("rnn_cell_backward", result[2], (h, h + d), (h,))
    if _close(result, c["expected"], SEQUENCE):
        return
    message = _first_match(result, c["mistakes"], CELL_BACKWARD_MESSAGES, SEQUENCE)
    if message is not None:
        raise AssertionError(message)
    parts = _gradient_parts(result, names)
    wanted = dict(_gradient_parts(c["expected"], names))
    wrong = [(k, v) for k, v in parts if not matches(v, wanted[k], SEQUENCE)]
    hint = ""
    wrong_names = {k for k, _ in wrong}
    if len(wrong) == 4:
        hint = "Start with ∂L/∂a_t, the gradient through tanh: tanh'(a_t) = 1 - h_t²."
    elif wrong_names == set(names):
        hint = (
            "The parameter gradients are right, so ∂L/∂a_t is: check how you "
            "split the gradient of [h_prev, x_t] (h_prev's H columns come first)."
        )
    elif wrong_names == {'grads["b"]'}:
        hint = "db adds up ∂L/∂a_t over the batch's examples."
    elif wrong_names == {'grads["W"]'}:
        hint = (
            "dW pairs ∂L/∂a_t with [h_prev, x_t] (hidden state first), summed "
            "over the batch's examples."
        )
    key, value = wrong[0]
    detail = where_it_differs(value, wanted[key], SEQUENCE)
    raise AssertionError(
        f"{', '.join(k for k, _ in wrong)} "
        f"{'is' if len(wrong) == 1 else 'are'} wrong ({key}: {detail}). {hint}"
    )


BACKWARD_DX_MESSAGES = (
    (
        "no_carry",
        "your dx is right at the last step only: the gradient that reaches an "
        "earlier hidden state is its own dhs plus what flows back from the "
        "step after it (dh_prev of that step)",
    ),
    (
        "forward_in_time",
        "your rnn_backward goes through the steps from the first to the last: "
        "backpropagation through time starts at the last step and carries "
        "dh_prev backwards",
    ),
    (
        "dh0_zero",
        "dh0 is all zeros: dh0 is the gradient that flows back out of the "
        "first step, into h0 (the last dh_prev of the loop)",
    ),
)

BACKWARD_GRADS_MESSAGES = (
    (
        "one_step",
        "your grads hold one step's contribution only (= where += belongs?): "
        "W and b are shared by every step, so their gradients add up every "
        "step's contribution",
    ),
    (
        "divided_by_t",
        "your grads are divided by T (an average over the steps): the loss "
        "is a sum, so the steps' contributions add up",
    ),
    (
        "divided_by_n",
        "your grads are divided by N (the batch size): the examples' "
        "contributions add up",
    ),
)


def check_backward(c, part, substitute=None, own_cache=None):
    """rnn_backward returns (dx, dh0, grads); ``part`` "dx" checks dx and
    dh0, "grads" the weight gradients."""
    result = _call_backward(
        "rnn_backward", (c["dhs"], c["cache"]), c, substitute, own_cache
    )
    check_tuple("rnn_backward", result, ("dx", "dh0", "grads"))
    dx_e, dh0_e, grads_e = c["expected"]
    if part == "dx":
        if not (
            matches(result[0], dx_e, SEQUENCE) and matches(result[1], dh0_e, SEQUENCE)
        ):
            message = _first_match(
                result[:2],
                {k: v[:2] for k, v in c["mistakes"].items()},
                BACKWARD_DX_MESSAGES,
                SEQUENCE,
            )
            check_array("dx", result[0], dx_e.shape, "(N, T, D)")
            check_array("dh0", result[1], dh0_e.shape, "(N, H)")
            if message is not None:
                raise AssertionError(message)
        compare(
            "dx",
            result[0],
            dx_e,
            tol=SEQUENCE,
            axes=("N", "T", "D"),
            hint="The gradient that reaches a hidden state is its own dhs "
            "plus what flows back from the step after it; at the last step "
            "only dhs[:, -1].",
        )
        compare(
            "dh0",
            result[1],
            dh0_e,
            tol=SEQUENCE,
            axes=("N", "H"),
            hint="dx is right: dh0 is the gradient that flows back out of the "
            "first step, into h0.",
        )
        return
    grads = result[2]
    _check_grads_dict("rnn_backward", grads, grads_e["W"].shape, grads_e["b"].shape)
    if _close(grads, grads_e, SEQUENCE):
        return
    message = _first_match(
        grads,
        {k: v[2] for k, v in c["mistakes"].items()},
        BACKWARD_GRADS_MESSAGES,
        SEQUENCE,
    )
    if message is not None:
        raise AssertionError(message)
    for key in ("W", "b"):
        compare(
            f'grads["{key}"]',
            grads[key],
            grads_e[key],
            tol=SEQUENCE,
            hint=f"{key} is shared by every step, so its gradient adds up "
            "every step's contribution.",
        )


# --- the experiment ---------------------------------------------------------

NORMS_MESSAGES = (
    (
        "reversed",
        "your norms run from the longest lag to the shortest: norms[:, 0] "
        "should be lag 1, ∂h_T/∂h_{T-1}",
    ),
    (
        "frobenius",
        "your norms are Frobenius norms: use the spectral norm, "
        "np.linalg.norm(J, ord=2), the largest singular value",
    ),
    (
        "no_tanh",
        "your Jacobians leave out tanh's derivative: each step's Jacobian is "
        "diag(1 - h_s²) W_h, so it depends on the step's output h_s, not on "
        "W_h alone",
    ),
    (
        "first_steps",
        "your norms go back from the first step instead of the last: "
        "norms[:, k - 1] is for ∂h_T/∂h_{T-k}, the product of the last k "
        "step Jacobians",
    ),
)


def check_norms(c, substitute=None):
    """gradient_norms_by_lag returns the spectral norms of ∂h_T/∂h_{T-k}."""
    norms = call(
        student_function("gradient_norms_by_lag"),
        c["x"],
        c["h0"],
        c["params"],
        c["max_lag"],
        substitute=substitute,
    )
    expected = c["norms"]
    check_array("norms", norms, expected.shape, "(N, max_lag)")
    if not matches(norms, expected, SEQUENCE):
        message = _first_match(norms, c["mistakes"], NORMS_MESSAGES, SEQUENCE)
        if message is not None:
            raise AssertionError(message)
    compare(
        "norms",
        norms,
        expected,
        tol=SEQUENCE,
        hint="norms[n, k - 1] is the spectral norm of ∂h_T/∂h_{T-k} for "
        "example n, lag k = 1 first.",
    )


def check_fit(c):
    """fit_decay_rate returns e**slope of one least-squares line, a float."""
    rate = call(student_function("fit_decay_rate"), c["norms"])
    assert isinstance(rate, float | np.floating), (
        f"fit_decay_rate should return a float, got {type(rate).__name__}"
    )
    rate = float(rate)
    expected = c["rate"]
    if abs(rate - expected) <= 1e-6 * abs(expected):
        return
    for key, message in (
        (
            "slope",
            "fit_decay_rate returns the slope of the fit, log r: return "
            "the rate r = e**slope",
        ),
        (
            "mean_first",
            "fit_decay_rate fits the log of the mean norm over the "
            "batch: fit the log of every norm, all N × max_lag points together",
        ),
        (
            "per_row",
            "fit_decay_rate averages one fit per row: fit one line "
            "through all N × max_lag points together",
        ),
    ):
        alternative = c["mistakes"].get(key)
        if alternative is not None and abs(rate - alternative) <= 1e-6 * max(
            abs(alternative), 1e-12
        ):
            raise AssertionError(message)
    raise AssertionError(
        f"fit_decay_rate gives {rate:.6g} for {c['description']}, where the "
        f"least-squares fit gives {expected:.6g}: fit one line to all points "
        "(k, log norms[n, k - 1]) and return e to the power of its slope"
    )


# --- your own caches, for a backward that reads a cache of its own form ----


def own_cell_cache(c):
    """A function giving (dh_t, your rnn_cell_forward's cache) when your
    rnn_cell_forward passes its probes, else None."""
    if not c.get("probes", {}).get("rnn_cell_forward") or parts_that_fail(
        c, ["rnn_cell_forward"]
    ):
        return None

    def own():
        function = student_function("rnn_cell_forward")
        result = call(function, c["x_t"], c["h_prev"], c["params"])
        return c["dh_t"], result[1]

    return own


def own_sequence_cache(c):
    """A function giving (dhs, your rnn_forward's cache) when your
    rnn_cell_forward and rnn_forward pass their probes, else None."""
    names = ["rnn_cell_forward", "rnn_forward"]
    if not c.get("probes", {}).get("rnn_forward") or parts_that_fail(c, names):
        return None

    def own():
        function = student_function("rnn_forward")
        result = call(function, c["x"], c["h0"], c["params"])
        return c["dhs"], result[1]

    return own
