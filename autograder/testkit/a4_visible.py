"""What A4's visible tests need beyond common (NumPy only, no answers).

A test case (``case("...")``, built by the judge with lstm_ref) holds the
arguments of a call (``"args"``, ``"kwargs"``), the expected result, under
``"accepted"`` the results of correct variants (Adam with ε inside the root
or its bias correction folded into the step size), and under ``"mistakes"``
the result each known mistake gives on the same inputs. The messages for
those mistakes are here, so that a visible test and a hidden one say the
same thing.

``train_model`` is tested visibly on stand-ins (``ScriptedRun``): a model, a
loss, a clipping and an optimiser that do no learning but script the run,
so that a test can tell which epoch's parameters came back and how often
each function was called, on a run whose last epoch is worse than an
earlier one. They hold no answer: the optimiser ignores the gradients.
"""

# ruff: noqa: F405  (the names of common come by import *)

import numpy as np

from autograder.testkit.common import *  # noqa: F403

# The functions train_model uses (the provided model and the notebook's
# helper included): the training tests put stand-ins or lstm_ref's in their
# place, so that only the loop itself is graded there.
TRAINING_PARTS = (
    "init_model",
    "model_forward",
    "model_backward",
    "validation_loss",
    "mse_loss",
    "clip_grad_norm",
    "adam_step",
)


def _args(c):
    return tuple(c["args"]), dict(c.get("kwargs") or {})


def _where(c):
    return f" ({c['where']})" if c.get("where") else ""


def raises_value_error(function, *args):
    """Fail unless function(*args) raises ValueError."""
    name = getattr(function, "__name__", "function")
    try:
        function(*args)
    except ValueError:
        return
    except NotImplementedError:
        raise AssertionError(f"{name} is not written yet") from None
    except Exception as error:
        kind = getattr(error, "type_name", type(error).__name__)
        raise AssertionError(
            f"{name} should raise ValueError here, not {kind}: {error}"
        ) from None
    raise AssertionError(
        f"{name} should raise ValueError for these arguments, and returned instead"
    )


def check_dict_of_arrays(what, value, like):
    """Fail unless value is a dict with like's keys, each a finite array of
    like's shape."""
    assert isinstance(value, dict), (
        f"{what} should be a dict of arrays, got {type(value).__name__}"
    )
    assert set(value) == set(like), (
        f"{what} has the keys {sorted(value)}, expected {sorted(like)}"
    )
    for key in like:
        check_array(f"{what}[{key!r}]", value[key], np.shape(like[key]))


def _matches_any(value, options, tol):
    return any(matches(value, option, tol) for option in options)


# --- Part 1: windows and the split ------------------------------------------


def check_sliding_windows(c):
    args, kwargs = _args(c)
    where = _where(c)
    result = call(student_function("sliding_windows"), *args, **kwargs)
    check_tuple("sliding_windows", result, ("x", "y"))
    x, y = result
    x_want, y_want = c["expected"]
    count, window = x_want.shape[0], x_want.shape[1]
    if not (isinstance(x, np.ndarray) and x.ndim == 3):
        raise AssertionError(
            f"x should be an array of shape (N, L, D){where}, got "
            f"{type(x).__name__} of shape {np.shape(x)}"
        )
    if x.shape[0] == count - 1:
        raise AssertionError(
            f"x holds one window too few{where}: the windows start at steps 0 to "
            f"T - window - horizon, so N = T - window - horizon + 1 = {count} "
            "(a loop over range(N), not range(N - 1))"
        )
    if x.shape[0] == count + 1:
        raise AssertionError(
            f"x holds one window too many{where}: the last window must still have "
            f"its target inside the series, so N = T - window - horizon + 1 = {count}"
        )
    compare(
        "x",
        x,
        x_want,
        tol=STEP,
        axes=("N", "L", "D"),
        hint=f"x[k] = series[k : k + window]{where}",
    )
    mistakes = c.get("mistakes", {})
    compare(
        "y",
        y,
        y_want,
        tol=STEP,
        axes=("N", "D"),
        diagnoses=[
            (
                mistakes.get("target_inside"),
                f"y[k] is the last step of window k, series[k + window - 1]: that "
                f"target lies inside the input window{where}. The target is the value "
                "horizon steps after the window's last step, "
                "series[k + window - 1 + horizon]",
            ),
            (
                mistakes.get("ignore_horizon"),
                f"y ignores the horizon{where}: y[k] is series[k + window], the next "
                "value, whatever the horizon; the target of window k is "
                "series[k + window - 1 + horizon]",
            ),
        ],
        hint=f"y[k] = series[k + window - 1 + horizon] (window = {window}){where}",
    )


def check_temporal_split(c):
    args, kwargs = _args(c)
    where = _where(c)
    series = args[0]
    result = call(student_function("temporal_split"), *args, **kwargs)
    names = ("train_part", "val_part", "test_part")
    check_tuple("temporal_split", result, names)
    for name, part in zip(names, result, strict=True):
        if not (isinstance(part, np.ndarray) and part.ndim == series.ndim):
            raise AssertionError(
                f"{name} should be an array of shape (steps, D){where}, got "
                f"{type(part).__name__} of shape {np.shape(part)}"
            )
    lengths = [len(part) for part in result]
    wanted = [len(part) for part in c["expected"]]
    joined = np.concatenate(result) if sum(lengths) == len(series) else None
    if (
        joined is not None
        and not np.array_equal(joined, series)
        and np.array_equal(np.sort(joined, axis=0), np.sort(series, axis=0))
    ):
        raise AssertionError(
            f"your parts hold the right steps but not in time order{where}: do not "
            "shuffle a time series before splitting it, or the model trains on the "
            "future it is tested on"
        )
    if lengths != wanted:
        if lengths == c.get("no_margin_lengths"):
            raise AssertionError(
                f"the parts have {lengths} steps, expected {wanted}{where}: round "
                "down with a tiny margin, int(train * T + 1e-9), since floating "
                f"point computes {c['product']}"
            )
        raise AssertionError(
            f"the parts have {lengths} steps, expected {wanted}{where}: "
            "a = floor(train * T) and b = floor((train + val) * T), the parts "
            "series[:a], series[a:b] and series[b:]"
        )
    for name, part, want in zip(names, result, c["expected"], strict=True):
        assert np.array_equal(part, want), (
            f"{name} holds the wrong steps{where}: the parts are series[:a], "
            "series[a:b] and series[b:], in time order"
        )


# --- Part 2: scaling ----------------------------------------------------------


def check_fit_standard_scaler(c):
    args, _ = _args(c)
    where = _where(c)
    result = call(student_function("fit_standard_scaler"), *args)
    check_tuple("fit_standard_scaler", result, ("mean", "scale"))
    mean, scale = result
    mean_want, scale_want = c["expected"]
    tol = c.get("tol")
    compare(
        "mean",
        mean,
        mean_want,
        tol=tol,
        hint=f"average each feature (the last axis) over every other axis{where}",
    )
    mistakes = c.get("mistakes", {})
    constant = mistakes.get("constant", [])
    check_array("scale", scale, np.shape(scale_want), "(D,)")
    for feature in constant:
        value = float(scale[feature])
        if not matches(np.array([value]), np.array([1.0]), tol):
            raise AssertionError(
                f"feature {feature} is constant{where}; its scale should be 1.0, "
                f"got {value:.3g}: replace a standard deviation below 1e-12 by 1.0 "
                "(a constant feature's std can come out as 4e-16 rather than 0, so "
                "test std < 1e-12, not std == 0)"
            )
    compare(
        "scale",
        scale,
        scale_want,
        tol=tol,
        diagnoses=[
            (
                mistakes.get("ddof1"),
                "scale uses ddof=1 (the sample standard deviation); use np.std's "
                "default ddof=0, dividing by the number of values",
            ),
            (
                mistakes.get("variance"),
                "scale is the variance; the scale is its square root, the "
                "standard deviation",
            ),
        ],
        hint=(
            "the standard deviation of each feature over every axis but the last "
            f"(ddof=0){where}"
        ),
    )


def probe_fails(name, args, expected, tol=None):
    """Whether your function name fails on args: it raises, changes an
    argument, or returns another shape or other values than expected."""
    try:
        result = call(student_function(name), *args)
    except AssertionError:
        return True
    if not isinstance(result, tuple) or len(result) != len(expected):
        return True
    return not all(matches(r, e, tol) for r, e in zip(result, expected, strict=True))


def scaler_stand_ins(c):
    """A stand-in for your fit_standard_scaler if it fails its probe on
    case c's training part (None otherwise)."""
    if not probe_fails("fit_standard_scaler", c["args"][:1], c["scaler"]):
        return None
    print(
        "Your fit_standard_scaler does not pass its own tests yet: this test uses "
        "the right mean and scale in its place."
    )
    return {"fit_standard_scaler": scaler_stand_in(c)}


def scaler_stand_in(c):
    """A stand-in for fit_standard_scaler that knows its result on this
    case's training part only (for a visible test of scale_splits)."""
    train, (mean, scale) = c["args"][0], c["scaler"]

    def fit_standard_scaler(data):
        data = np.asarray(data)
        if data.shape == train.shape and np.array_equal(data, train):
            return mean.copy(), scale.copy()
        raise AssertionError(
            "scale_splits called fit_standard_scaler on something other than the "
            "training part: fit the statistics on train only"
        )

    return fit_standard_scaler


def check_scale_splits(c, substitute=None):
    args, _ = _args(c)
    where = _where(c)
    result = call(student_function("scale_splits"), *args, substitute=substitute)
    names = ("train_scaled", "val_scaled", "test_scaled")
    check_tuple("scale_splits", result, names)
    for name, value, want in zip(names, result, c["expected"], strict=True):
        check_array(name, value, want.shape, "the part's shape")
    if all(
        matches(value, want, SEQUENCE)
        for value, want in zip(result, c["expected"], strict=True)
    ):
        return
    messages = {
        "on_val": (
            "scale_splits fits the statistics on the validation part: fit them on "
            "the training part only, and transform all three parts with the "
            "training mean and scale"
        ),
        "on_all": (
            "scale_splits fits the statistics on all the data, validation and test "
            "included: that leaks the future into training. Fit on train only"
        ),
        "each_own": (
            "scale_splits scales each part with its own statistics; transform val "
            "and test with the training mean and scale, so that every part is "
            "measured the same way"
        ),
    }
    for key, message in messages.items():
        mistake = c["mistakes"][key]
        if all(
            matches(value, alt, SEQUENCE)
            for value, alt in zip(result, mistake, strict=True)
        ):
            raise AssertionError(message)
    for name, value, want in zip(names, result, c["expected"], strict=True):
        compare(
            name,
            value,
            want,
            tol=SEQUENCE,
            hint=(
                "each part is (part - mean) / scale, with mean and scale fitted "
                f"on train{where}"
            ),
        )


# --- Part 3: padding and the masked loss --------------------------------------


def check_pad_sequences(c):
    args, _ = _args(c)
    where = _where(c)
    result = call(student_function("pad_sequences"), *args)
    check_tuple("pad_sequences", result, ("x", "mask"))
    x, mask = result
    x_want, mask_want = c["expected"]
    if not (isinstance(mask, np.ndarray) and mask.shape == mask_want.shape):
        raise AssertionError(
            f"mask should be an array of shape (N, T_max) = {mask_want.shape}{where}, "
            f"got {type(mask).__name__} of shape {np.shape(mask)}"
        )
    assert mask.dtype == np.bool_, (
        f"mask has dtype {mask.dtype}; make it boolean (dtype=bool), so that "
        "x[n][mask[n]] selects the real steps"
    )
    if np.array_equal(mask, mask_want):
        pass
    elif np.array_equal(mask, ~mask_want):
        raise AssertionError(
            "mask is inverted: it is True at the real steps and False at the padding"
        )
    elif np.array_equal(mask, c["mistakes"]["mask_at_end"]):
        raise AssertionError(
            "the sequences are padded at the start; put each sequence at the start "
            "of its row, x[n, :T_n], and the zeros after it"
        )
    assert np.array_equal(mask, mask_want), (
        f"mask is wrong{where}: True at the first T_n steps of row n, False after"
    )
    compare(
        "x",
        x,
        x_want,
        tol=STEP,
        axes=("N", "T", "D"),
        hint=f"sequence n in x[n, :T_n] and zeros after it{where}",
    )


def _mse_messages():
    return {
        "plain_mean": (
            "the loss averages over the padded steps too: leave them out of the "
            "sum and of the count (mask.sum() * K real squared errors)"
        ),
        "over_padding": (
            "the loss divides by every entry, padding included: it is a mean over "
            "the real steps, so divide by mask.sum() * K"
        ),
        "no_k": (
            "the loss divides by the number of real steps only; each step has K "
            "outputs, so divide by mask.sum() * K"
        ),
        "per_sequence": (
            "the loss averages each sequence over its own real steps (over T), "
            "then over the sequences: that weights a short sequence's steps more. "
            "Sum the squared errors of every real step and divide once, by "
            "mask.sum() * K"
        ),
        "over_n": (
            "the loss is divided by N, the batch size, only: it is a mean over "
            "mask.sum() * K squared errors"
        ),
    }


def check_mse_value(c):
    args, _ = _args(c)
    where = _where(c)
    result = call(student_function("mse_loss"), *args)
    check_tuple("mse_loss", result, ("loss", "dpred"))
    loss = result[0]
    if not (np.ndim(loss) == 0 and np.asarray(loss).dtype.kind in "biuf"):
        raise AssertionError(
            f"loss should be one number, got {type(loss).__name__} of shape "
            f"{np.shape(loss)}"
        )
    messages = _mse_messages()
    mistakes = c.get("mistakes", {})
    compare(
        "loss",
        np.asarray(float(loss)),
        np.asarray(c["expected"][0]),
        tol=c.get("tol"),
        diagnoses=[
            (None if key not in mistakes else np.asarray(mistakes[key][0]), message)
            for key, message in messages.items()
        ],
        hint=(
            "the loss is the sum of (pred - target)**2 over the real steps divided "
            f"by mask.sum() * K (the plain mean without a mask){where}"
        ),
    )


def check_mse_gradient(c):
    args, _ = _args(c)
    where = _where(c)
    result = call(student_function("mse_loss"), *args)
    check_tuple("mse_loss", result, ("loss", "dpred"))
    dpred = result[1]
    want = c["expected"][1]
    check_array("dpred", dpred, want.shape, "pred.shape")
    mistakes = c.get("mistakes", {})
    padded = c.get("padded")
    if padded is not None and np.any(dpred[padded] != 0):
        raise AssertionError(
            "dpred is not 0 at the padded steps: padding does not enter the loss, "
            "so the loss does not change with pred there"
        )
    messages = _mse_messages()
    diagnoses = [
        (
            mistakes.get("sign"),
            "dpred has the wrong sign: the derivative of (pred - target)**2 with "
            "respect to pred is +2 (pred - target), so a prediction above its "
            "target gets a positive gradient",
        ),
        (
            mistakes.get("no_two"),
            "dpred lacks the factor 2: the derivative of (p - t)**2 is 2 (p - t)",
        ),
        (
            None if "over_padding" not in mistakes else mistakes["over_padding"][1],
            "dpred divides by every entry, padding included: the loss is a mean over "
            "the real steps, so divide by mask.sum() * K",
        ),
        (
            None if "no_k" not in mistakes else mistakes["no_k"][1],
            messages["no_k"].replace("the loss", "dpred"),
        ),
        (
            None if "per_sequence" not in mistakes else mistakes["per_sequence"][1],
            messages["per_sequence"].replace("the loss", "dpred"),
        ),
        (
            mistakes.get("grad_over_n"),
            "dpred is divided by N, the batch size: the loss is a mean over "
            "mask.sum() * K squared errors, so dpred = 2 (pred - target) / "
            "(mask.sum() * K) at the real steps (without a mask, / pred.size)",
        ),
    ]
    compare(
        "dpred",
        dpred,
        want,
        tol=c.get("tol"),
        diagnoses=diagnoses,
        hint=f"dpred = 2 (pred - target) / (mask.sum() * K) at the real steps{where}",
    )


# --- Part 4: clipping and Adam -------------------------------------------------


def check_clip_grad_norm(c):
    args, _ = _args(c)
    where = _where(c)
    grads, limit = args
    result = call(student_function("clip_grad_norm"), *args)
    check_tuple("clip_grad_norm", result, ("clipped", "total_norm"))
    clipped, total_norm = result
    want, want_norm = c["expected"]
    check_dict_of_arrays("clipped", clipped, grads)
    assert np.ndim(total_norm) == 0, (
        f"total_norm should be one number, got {type(total_norm).__name__}"
    )
    mistakes = c.get("mistakes", {})
    norm = np.asarray(float(total_norm))
    compare(
        "total_norm",
        norm,
        np.asarray(want_norm),
        tol=EPSILON,
        diagnoses=[
            (
                None if want_norm <= limit else np.asarray(float(limit)),
                "total_norm is the norm after clipping; return the norm measured "
                "before it",
            ),
        ],
        hint=(
            "the global norm is sqrt(sum over every array of the sum of its "
            f"squares){where}"
        ),
    )
    for key in grads:
        if want_norm <= limit:
            assert matches(clipped[key], grads[key], EPSILON), (
                f"gradients whose global norm ({want_norm:.3g}) is below max_norm "
                f"({limit:g}) should come back unchanged; clipped[{key!r}] differs"
                + (
                    ": your clip_grad_norm rescales them to max_norm"
                    if "always" in mistakes
                    and all(
                        matches(clipped[k], mistakes["always"][k], EPSILON)
                        for k in grads
                    )
                    else ""
                )
            )
            continue
        diagnoses = []
        if "by_value" in mistakes:
            diagnoses.append(
                (
                    mistakes["by_value"][key],
                    "your clip_grad_norm clips each entry by value (np.clip): clip by "
                    "the global norm instead, multiplying every array by the same "
                    "factor max_norm / total_norm",
                )
            )
        if "each_array" in mistakes:
            diagnoses.append(
                (
                    mistakes["each_array"][key],
                    "your clip_grad_norm clips each array by its own norm; the global "
                    "norm is taken over every array together, and every array is "
                    "multiplied by the same factor max_norm / total_norm",
                )
            )
        compare(
            f"clipped[{key!r}]",
            clipped[key],
            want[key],
            tol=EPSILON,
            diagnoses=diagnoses,
            hint=(
                f"with a global norm of {want_norm:.4g} above max_norm = {limit:g}, "
                f"every array is multiplied by max_norm / total_norm{where}"
            ),
        )


def _adam_params_diagnoses(mistakes, key):
    out = []
    if "no_bias_correction" in mistakes:
        out.append(
            (
                mistakes["no_bias_correction"][key],
                "the bias correction is missing: divide m by 1 - β₁ᵗ and v by "
                "1 - β₂ᵗ (t = 1 on the first step) before the update, "
                "θ ← θ - lr · m̂ / (√v̂ + ε)",
            )
        )
    if "t_minus_one" in mistakes:
        out.append(
            (
                mistakes["t_minus_one"][key],
                "the bias correction uses the number of steps before this one: t "
                "counts the steps including this one (t = 1 on the first step)",
            )
        )
    if "ascent" in mistakes:
        out.append(
            (
                mistakes["ascent"][key],
                "your adam_step moves the parameters up the gradient: Adam "
                "subtracts lr · m̂ / (√v̂ + ε)",
            )
        )
    if "hypers_ignored" in mistakes:
        out.append(
            (
                mistakes["hypers_ignored"][key],
                "your adam_step ignores the hyperparameters it is given (lr, "
                "beta1, beta2, eps): use the arguments, not the defaults",
            )
        )
    return out


def check_adam_params(what, new_params, c, step=""):
    """new_params against Adam's (or an accepted variant's) for case c."""
    params = c["args"][0]
    check_dict_of_arrays(what, new_params, params)
    accepted = [c["expected"][0]] + list(c.get("accepted", {}).values())
    mistakes = c.get("mistakes", {})
    for key in params:
        options = [variant[key] for variant in accepted]
        if _matches_any(new_params[key], options, EPSILON):
            continue
        compare(
            f"{what}[{key!r}]{step}",
            new_params[key],
            options[0],
            tol=EPSILON,
            diagnoses=_adam_params_diagnoses(mistakes, key),
            hint=(
                "θ ← θ - lr · m̂ / (√v̂ + ε), with m̂ = m / (1 - β₁ᵗ) and "
                "v̂ = v / (1 - β₂ᵗ)"
            ),
        )


def _adam_call(c):
    args, kwargs = _args(c)
    result = call(student_function("adam_step"), *args, **kwargs)
    check_tuple("adam_step", result, ("new_params", "new_state"))
    new_params, new_state = result
    if isinstance(new_params, dict) and any(
        isinstance(v, np.ndarray) and v.dtype.kind == "f" and not np.all(np.isfinite(v))
        for v in new_params.values()
    ):
        first = args[2] is None if len(args) > 2 else kwargs.get("state") is None
        raise AssertionError(
            "your adam_step gives nan or inf"
            + (" on the first step" if first else "")
            + ": does the bias correction use t = 0 (1 - β₁⁰ = 0)? t counts the "
            "steps including this one, so t = 1 on the first step"
        )
    return new_params, new_state


def check_adam_first_step(c):
    new_params, _ = _adam_call(c)
    params, grads = c["args"][0], c["args"][1]
    check_dict_of_arrays("new_params", new_params, params)
    moved = np.concatenate([(params[k] - new_params[k]).ravel() for k in params])
    signs = np.concatenate([np.sign(grads[k]).ravel() for k in params])
    assert np.all(moved * signs > 0), (
        "some parameters moved up the gradient: Adam subtracts lr · m̂ / (√v̂ + ε)"
    )
    check_adam_params("new_params", new_params, c, " after the first step")


def check_adam_steps(steps):
    """Several steps of Adam, each from the state and parameters the
    reference reached after the steps before (the state as the assignment
    documents it: {"m": {...}, "v": {...}, "t": t})."""
    for number, c in enumerate(steps, start=1):
        where = f" at step {number}" + _where(c)
        new_params, new_state = _adam_call(c)
        want_params, want_state = c["expected"]
        if not (isinstance(new_state, dict) and {"m", "v", "t"} <= set(new_state)):
            raise AssertionError(
                "new_state should be a dict with the keys 'm', 'v' and 't', got "
                f"{type(new_state).__name__}"
                + (
                    f" with keys {sorted(new_state)}"
                    if isinstance(new_state, dict)
                    else ""
                )
            )
        t = new_state["t"]
        if not (isinstance(t, int | np.integer) and int(t) == want_state["t"]):
            raise AssertionError(
                f"new_state['t'] should be {want_state['t']}{where}, the number of "
                f"steps taken including this one (t = 1 after the first), got {t!r}"
            )
        for moment, rule in (
            ("m", "m ← β₁ m + (1 - β₁) g"),
            ("v", "v ← β₂ v + (1 - β₂) g²"),
        ):
            check_dict_of_arrays(
                f"new_state[{moment!r}]", new_state[moment], want_state[moment]
            )
            corrected = c.get("mistakes", {}).get(f"{moment}_hat", {})
            for key in want_state[moment]:
                compare(
                    f"new_state[{moment!r}][{key!r}]{where}",
                    new_state[moment][key],
                    want_state[moment][key],
                    tol=SEQUENCE,
                    diagnoses=[
                        (
                            corrected.get(key),
                            f"new_state[{moment!r}] holds the bias-corrected moment; "
                            f"store it without the bias correction ({rule}) and "
                            "correct only the copy used in the update",
                        )
                    ],
                    hint=f"{rule}, stored without the bias correction",
                )
        check_adam_params("new_params", new_params, c, where)


# --- Part 5: the training loop on scripted stand-ins ---------------------------


class ScriptedRun:
    """Stand-ins for what train_model calls, scripting a run of known
    epochs: after the steps of epoch e the parameters are those of
    ``offsets[e]``, whose validation loss is offsets[e]**2."""

    def __init__(self, c):
        self.c = c
        self.x_val, self.y_val = c["x_val"], c["y_val"]
        self.offsets = [float(o) for o in c["offsets"]]
        self.calls = {name: 0 for name in TRAINING_PARTS}
        self.epoch = 0  # epochs whose validation has been seen
        self.stepped = False  # an optimiser step since the last validation
        self.validated = []  # the offset of each validation, in order
        self.init_args = None

    def _is_val(self, x):
        x = np.asarray(x)
        return x.shape == self.x_val.shape and np.array_equal(x, self.x_val)

    def _validation(self, params):
        offset = float(np.ravel(params["offset"])[0])
        if self.stepped:
            self.epoch += 1
            self.stepped = False
            self.validated.append(offset)
        return offset

    def substitutes(self):
        run = self
        y_val = self.y_val

        def init_model(input_size, hidden_size, output_size, rng=None):
            run.calls["init_model"] += 1
            run.init_args = (int(input_size), int(hidden_size), int(output_size))
            return {
                "offset": np.array([float(run.c["init_offset"])]),
                "W_out": np.zeros((int(hidden_size), int(output_size))),
            }

        def model_forward(params, x):
            run.calls["model_forward"] += 1
            x = np.asarray(x)
            if run._is_val(x):
                offset = run._validation(params)
                return y_val + offset, {"rows": int(len(x))}
            offset = float(np.ravel(params["offset"])[0])
            pred = np.full((len(x), y_val.shape[1]), offset)
            return pred, {"rows": int(len(x))}

        def model_backward(dpred, cache):
            run.calls["model_backward"] += 1
            shape = run.init_args[1:] if run.init_args else (1, 1)
            return {"offset": np.zeros(1), "W_out": np.zeros(shape)}

        def validation_loss(params, x_val, y_val):
            run.calls["validation_loss"] += 1
            offset = run._validation(params)
            return offset**2

        def mse_loss(pred, target, mask=None):
            run.calls["mse_loss"] += 1
            pred, target = np.asarray(pred), np.asarray(target)
            return float(np.mean((pred - target) ** 2)), np.zeros_like(pred)

        def clip_grad_norm(grads, max_norm):
            run.calls["clip_grad_norm"] += 1
            return {key: np.array(g, copy=True) for key, g in grads.items()}, 0.0

        def adam_step(params, grads, state=None, *args, **kwargs):
            run.calls["adam_step"] += 1
            run.stepped = True
            offset = run.offsets[min(run.epoch, len(run.offsets) - 1)]
            new = {key: np.array(value, copy=True) for key, value in params.items()}
            new["offset"] = np.array([offset])
            count = run.calls["adam_step"]
            zeros = {key: np.zeros_like(value) for key, value in params.items()}
            return new, {"m": zeros, "v": dict(zeros), "t": count}

        names = locals()
        return {name: names[name] for name in TRAINING_PARTS}


def run_scripted(c):
    """train_model on the scripted stand-ins; returns (run, result)."""
    run = ScriptedRun(c)
    result = call(
        student_function("train_model"),
        c["x_train"],
        c["y_train"],
        c["x_val"],
        c["y_val"],
        hidden_size=c["hidden_size"],
        epochs=c["epochs"],
        batch_size=c["batch_size"],
        lr=0.01,
        max_norm=5.0,
        rng=1,
        substitute=run.substitutes(),
        seconds=c.get("seconds"),
    )
    check_tuple("train_model", result, ("best_params", "history"))
    return run, result


def check_history(history, epochs):
    if not (isinstance(history, dict) and {"train_loss", "val_loss"} <= set(history)):
        raise AssertionError(
            "history should be a dict with the lists 'train_loss' and 'val_loss'"
        )
    for key in ("train_loss", "val_loss"):
        values = history[key]
        if not (
            isinstance(values, list | tuple | np.ndarray) and len(values) == epochs
        ):
            raise AssertionError(
                f"history[{key!r}] should hold one number per epoch ({epochs}), got "
                + (str(len(values)) if hasattr(values, "__len__") else repr(values))
            )
        numbers = np.asarray(values, dtype=float)
        if not (numbers.shape == (epochs,) and np.all(np.isfinite(numbers))):
            raise AssertionError(
                f"history[{key!r}] should hold {epochs} finite numbers"
            )


def check_train_returns(c):
    run, (best_params, history) = run_scripted(c)
    epochs, batches = c["epochs"], c["batches"]
    assert run.calls["init_model"] >= 1, (
        "train_model never called init_model: start from the provided model's "
        "parameters, init_model(D, hidden_size, K, rng=rng)"
    )
    for name in ("clip_grad_norm", "adam_step"):
        count = run.calls[name]
        assert count == epochs * batches, (
            f"train_model called {name} {count} time(s) in {epochs} epochs of "
            f"{batches} batches: call it once per batch"
            + (
                " (clip the gradients of every batch with your clip_grad_norm "
                "before adam_step)"
                if name == "clip_grad_norm" and count == 0
                else ""
            )
        )
    if not (isinstance(best_params, dict) and set(best_params) == {"offset", "W_out"}):
        raise AssertionError(
            "best_params should be the parameters dict adam_step returned (the same "
            "keys as init_model's)"
        )
    check_history(history, epochs)


def check_train_best_epoch(c):
    run, (best_params, history) = run_scripted(c)
    offsets = [float(o) for o in c["offsets"]]
    epochs = c["epochs"]
    check_history(history, epochs)
    losses = [o**2 for o in offsets[:epochs]]
    got = np.asarray(history["val_loss"], dtype=float)
    assert np.allclose(got, losses, rtol=1e-9, atol=1e-12), (
        f"history['val_loss'] is {np.round(got, 4).tolist()}, but the validation "
        f"losses after each epoch's steps were {np.round(losses, 4).tolist()}: "
        "measure the loss on x_val, y_val after the last batch of each epoch"
    )
    if not (isinstance(best_params, dict) and "offset" in best_params):
        raise AssertionError(
            "best_params should be the parameters dict adam_step returned"
        )
    offset = float(np.ravel(best_params["offset"])[0])
    best = int(np.argmin(losses))
    if np.isclose(offset, offsets[best]):
        return
    if np.isclose(offset, offsets[epochs - 1]):
        raise AssertionError(
            f"train_model returns the last epoch's parameters (validation loss "
            f"{losses[-1]:.4g}), but epoch {best + 1} had the lowest "
            f"({losses[best]:.4g}): "
            "keep the parameters whenever the validation loss improves, and return "
            "the best ones"
        )
    if np.isclose(offset, float(c["init_offset"])):
        raise AssertionError(
            "train_model returns the initial parameters: return those of the epoch "
            "with the lowest validation loss"
        )
    raise AssertionError(
        f"train_model returns parameters with a validation loss of {offset**2:.4g}, "
        f"but epoch {best + 1} had the lowest ({losses[best]:.4g}): return the "
        "parameters of the epoch with the lowest validation loss"
    )


def validation_loss(params, x_val, y_val):
    """The provided model's mean squared error on (x_val, y_val)."""
    pred, _ = student_function("model_forward")(params, x_val)
    return float(np.mean((np.asarray(pred) - y_val) ** 2))
