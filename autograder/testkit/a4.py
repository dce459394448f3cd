"""A4's tests, judge side (the grader and an instructor; may use lstm_ref).

The master's helper cell imports this module. It builds every test case
with lstm_ref: the visible cases (``@visible_case``, embedded in the student
notebook as data when it is generated) and the hidden ones, each with the
results the known mistakes and the accepted variants give on the same
inputs. It also holds the provided model as the judge runs it (the sandbox
has no lstm_ref): ``reference_training_parts`` gives lstm_ref's version of
every function train_model uses, so that the training target grades the
loop alone, and ``reference_scaler`` gives lstm_ref's scaler in place of a
student's that fails its probe, so that a mistake is charged once, where
it is made.
"""

# ruff: noqa: F405  (the names of common and a4_visible come by import *)

import numpy as np

import lstm_ref
from autograder.testkit.a4_visible import *  # noqa: F403
from autograder.testkit.common import *  # noqa: F403
from autograder.testkit.judge_side import prepare

prepare("A4")


# --- inputs -------------------------------------------------------------------


def make_series(seed, steps, features):
    """A random walk of shape (T, D), so that every step differs."""
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(size=(steps, features)), axis=0)


def random_grads(seed, scale=1.0, dtype=np.float64):
    """A dict of random arrays shaped like a small model's gradients."""
    rng = np.random.default_rng(seed)
    shapes = {"W_f": (3, 5), "b_f": (3,), "W_out": (2, 3), "b_out": (2,)}
    return {
        key: (scale * rng.normal(size=shape)).astype(dtype)
        for key, shape in shapes.items()
    }


def noisy_sine(seed, length=800):
    """The provided task's series, shape (T, 1)."""
    return lstm_ref.noisy_sines(
        1,
        length,
        noise_std=0.1,
        period_range=(20.0, 40.0),
        amplitude_range=(1.0, 1.0),
        rng=seed,
    )[0][:, None]


def make_forecasting_task(seed, length=800, window=20):
    """The provided task, prepared with lstm_ref: a noisy sine, split in
    time, standardised with the training statistics, cut into windows.

    Returns (x_train, y_train), (x_val, y_val), (x_test, y_test).
    """
    series = noisy_sine(seed, length)
    split = lstm_ref.temporal_split(series, train=0.7, val=0.15)
    scaler = lstm_ref.fit_standard_scaler(series[split.train])
    return [
        lstm_ref.sliding_windows(scaler.transform(series[part]), window)
        for part in split
    ]


# --- the provided model and lstm_ref's parts, as the judge runs them ----------


def reference_init_model(input_size, hidden_size, output_size, rng=None):
    """Parameters: the LSTM's W_f, b_f, ..., W_o, b_o and the head's W_out, b_out."""
    rng = np.random.default_rng(rng)
    params = lstm_ref.init_lstm_params(input_size, hidden_size, rng=rng)
    dense = lstm_ref.init_dense_params(hidden_size, output_size, rng=rng)
    params["W_out"], params["b_out"] = dense["W"], dense["b"]
    return params


def reference_model_forward(params, x):
    """Forecasts of shape (N, K) for windows x of shape (N, L, D), and a cache."""
    n = x.shape[0]
    hidden = params["b_f"].shape[0]
    lstm_params = {k: v for k, v in params.items() if not k.endswith("_out")}
    zeros = np.zeros((n, hidden))  # h0 and c0: (N, H)
    hs, _, lstm_cache = lstm_ref.lstm_forward(x, zeros, zeros, lstm_params)
    head = {"W": params["W_out"], "b": params["b_out"]}
    pred, dense_cache = lstm_ref.dense_forward(hs[:, -1], head)  # (N, K)
    return pred, (lstm_cache, dense_cache, hs.shape)


def reference_model_backward(dpred, cache):
    """Gradients of the loss for every parameter, from dpred = dL/dpred (N, K)."""
    lstm_cache, dense_cache, hs_shape = cache
    dh_last, head_grads = lstm_ref.dense_backward(dpred, dense_cache)
    dhs = np.zeros(hs_shape)  # only the last step feeds the forecast
    dhs[:, -1] = dh_last
    _, _, _, grads = lstm_ref.lstm_backward(dhs, lstm_cache)
    grads["W_out"], grads["b_out"] = head_grads["W"], head_grads["b"]
    return grads


def _lent_init(input_size, hidden_size, output_size, rng=None):
    if not (rng is None or isinstance(rng, int | np.integer | np.random.Generator)):
        rng = int(rng.integers(0, 2**63 - 1))  # the student's Generator, in the sandbox
    return reference_init_model(input_size, hidden_size, output_size, rng=rng)


def _lent_forward(params, x):
    pred, cache = reference_model_forward(params, np.asarray(x, dtype=float))
    return pred, lend(cache)  # in the grader the cache stays in the judge


def _unlent(cache):
    return cache.value if type(cache).__name__ == "JudgeOnly" else cache


def _lent_backward(dpred, cache):
    cache = _unlent(cache)
    if not (isinstance(cache, tuple) and len(cache) == 3):
        raise TypeError("model_backward needs the cache model_forward returned")
    return reference_model_backward(np.asarray(dpred, dtype=float), cache)


def reference_validation_loss(params, x_val, y_val):
    """The provided model's mean squared error on (x_val, y_val)."""
    pred, _ = reference_model_forward(params, np.asarray(x_val, dtype=float))
    return float(lstm_ref.mse_loss(pred, np.asarray(y_val, dtype=float))[0])


def _reference_mse(pred, target, mask=None):
    loss, dpred = lstm_ref.mse_loss(np.asarray(pred), np.asarray(target), mask)
    return float(loss), dpred


def _reference_clip(grads, max_norm):
    clipped, norm = lstm_ref.clip_grad_norm(grads, max_norm)
    return clipped, float(norm)


def _reference_adam(
    params, grads, state=None, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8
):
    return lstm_ref.adam_step(
        params, grads, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps
    )


def reference_training_parts():
    """lstm_ref's version of every function train_model uses: the provided
    model, the notebook's validation_loss helper, mse_loss, clip_grad_norm
    and adam_step. The training target is graded with these in place of the
    student's, so that it grades the loop alone."""
    return {
        "init_model": _lent_init,
        "model_forward": _lent_forward,
        "model_backward": _lent_backward,
        "validation_loss": reference_validation_loss,
        "mse_loss": _reference_mse,
        "clip_grad_norm": _reference_clip,
        "adam_step": _reference_adam,
    }


# The names the test cells use for the model (the provided model cell's
# functions need lstm_ref, which the sandbox does not have).
validation_loss = reference_validation_loss


def _reference_scaler(train):
    fitted = lstm_ref.fit_standard_scaler(np.asarray(train, dtype=float))
    return fitted.mean, fitted.scale


def reference_scaler(c, told=None):
    """lstm_ref's fit_standard_scaler if the student's fails its probe on
    case c's training part (None otherwise)."""
    if not probe_fails("fit_standard_scaler", c["args"][:1], c["scaler"]):
        return None
    if told is None or "fit_standard_scaler" not in told:
        print(
            "Your fit_standard_scaler does not pass its own tests: scale_splits is "
            "checked with lstm_ref's in its place."
        )
        if told is not None:
            told.add("fit_standard_scaler")
    return {"fit_standard_scaler": _reference_scaler}


# --- cases ----------------------------------------------------------------------


def windows_case(series, window, horizon, where=""):
    x, y = lstm_ref.sliding_windows(series, window, horizon=horizon)
    count = len(x)
    return {
        "args": (series, window, horizon),
        "expected": (x, y),
        "mistakes": {
            "target_inside": series[window - 1 : window - 1 + count].copy(),
            "ignore_horizon": series[window : window + count].copy(),
        },
        "where": where,
    }


def split_case(series, train, val, where="", keywords=False):
    steps = len(series)
    parts = lstm_ref.temporal_split(series, train=train, val=val)
    a, b = int(train * steps), int((train + val) * steps)
    case_ = {
        "args": (series,) if keywords is None else (series, train, val),
        "kwargs": {},
        "expected": tuple(series[part].copy() for part in parts),
        "no_margin_lengths": [a, b - a, steps - b],
        "product": f"{train} * {steps} as {train * steps!r} and ({train} + {val}) * "
        f"{steps} as {(train + val) * steps!r}",
        "where": where,
    }
    if keywords:
        case_["args"] = (series,)
        case_["kwargs"] = {"train": train, "val": val}
    return case_


def scaler_case(train, where="", constant=()):
    data = np.asarray(train)
    axes = tuple(range(data.ndim - 1))
    data64 = data.astype(np.float64)
    fitted = lstm_ref.fit_standard_scaler(data64)
    std1 = data64.std(axis=axes, ddof=1) if data64[..., 0].size > 1 else None
    mistakes = {"constant": list(constant)}
    if std1 is not None:
        mistakes["ddof1"] = np.where(std1 < 1e-12, 1.0, std1)
    mistakes["variance"] = np.where(fitted.scale == 1.0, 1.0, fitted.scale**2)
    return {
        "args": (data,),
        "expected": (fitted.mean, fitted.scale),
        "mistakes": mistakes,
        "tol": FLOAT32 if data.dtype == np.float32 else STEP,
        "where": where,
    }


def scale_splits_case(parts, where=""):
    train = parts[0]
    fitted = lstm_ref.fit_standard_scaler(train)

    def with_stats(data):
        stats = lstm_ref.fit_standard_scaler(data)
        return tuple(stats.transform(p) for p in parts)

    return {
        "args": tuple(parts),
        "expected": tuple(fitted.transform(p) for p in parts),
        "scaler": (fitted.mean, fitted.scale),
        "mistakes": {
            "on_val": with_stats(parts[1]),
            "on_all": with_stats(np.concatenate(parts)),
            "each_own": tuple(
                lstm_ref.fit_standard_scaler(p).transform(p) for p in parts
            ),
        },
        "where": where,
    }


def pad_case(sequences, where=""):
    x, mask = lstm_ref.pad_sequences(sequences)
    return {
        "args": (sequences,),
        "expected": (x, mask),
        "mistakes": {"mask_at_end": mask[:, ::-1].copy()},
        "where": where,
    }


def mse_case(pred, target, mask=None, where=""):
    loss, dpred = lstm_ref.mse_loss(pred, target, mask)
    p64, t64 = pred.astype(np.float64), target.astype(np.float64)
    case_ = {
        "args": (pred, target) if mask is None else (pred, target, mask),
        "expected": (float(loss), dpred),
        "tol": FLOAT32 if pred.dtype == np.float32 else STEP,
        "where": where,
        "mistakes": {"sign": -dpred, "no_two": dpred / 2.0},
    }
    n = pred.shape[0]
    if mask is None:
        diff = p64 - t64
        case_["mistakes"]["grad_over_n"] = 2 * diff / n
        case_["mistakes"]["over_n"] = (float(np.sum(diff**2) / n), 2 * diff / n)
    if mask is not None:
        weights = mask[..., None].astype(np.float64)
        diff = (p64 - t64) * weights
        squared = diff**2
        case_["mistakes"].update(
            {
                "plain_mean": (float(np.mean((p64 - t64) ** 2)), None),
                "over_padding": (
                    float(squared.sum() / diff.size),
                    2 * diff / diff.size,
                ),
                "no_k": (
                    float(squared.sum() / mask.sum()),
                    2 * diff / mask.sum(),
                ),
                "over_n": (float(squared.sum() / n), 2 * diff / n),
            }
        )
        case_["mistakes"]["grad_over_n"] = 2 * diff / n
        lengths = mask.sum(axis=1)
        if np.all(lengths > 0) and len(set(lengths.tolist())) > 1:
            per = (lengths * pred.shape[-1] * n)[:, None, None].astype(np.float64)
            case_["mistakes"]["per_sequence"] = (
                float(np.sum(squared / per)),
                2 * diff / per,
            )
        case_["padded"] = ~mask
    return case_


def clip_case(grads, limit, where=""):
    clipped, norm = lstm_ref.clip_grad_norm(grads, limit)
    mistakes = {}
    if norm > limit:
        mistakes["by_value"] = {k: np.clip(g, -limit, limit) for k, g in grads.items()}
        mistakes["each_array"] = {
            k: g * min(1.0, limit / max(float(np.linalg.norm(g)), 1e-300))
            for k, g in grads.items()
        }
    elif norm > 0:
        mistakes["always"] = {k: g * (limit / norm) for k, g in grads.items()}
    return {
        "args": (grads, limit),
        "expected": (clipped, float(norm)),
        "mistakes": mistakes,
        "where": where,
    }


def _adam_variant(params, grads, state, lr, beta1, beta2, eps, how):
    """One Adam step written another way (a correct variant or a mistake)."""
    t = (0 if state is None else state["t"]) + 1
    new = {}
    for key, theta in params.items():
        g = grads[key]
        m_old = np.zeros_like(theta) if state is None else state["m"][key]
        v_old = np.zeros_like(theta) if state is None else state["v"][key]
        m = beta1 * m_old + (1 - beta1) * g
        v = beta2 * v_old + (1 - beta2) * g**2
        with np.errstate(all="ignore"):
            if how == "eps_inside":
                update = (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps)
            elif how == "folded":
                step = np.sqrt(1 - beta2**t) / (1 - beta1**t)
                update = step * m / (np.sqrt(v) + eps)
            elif how == "no_bias_correction":
                update = m / (np.sqrt(v) + eps)
            elif how == "t_minus_one":
                s = t - 1
                update = (m / (1 - beta1**s)) / (np.sqrt(v / (1 - beta2**s)) + eps)
            elif how == "ascent":
                update = -(m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
            else:
                raise ValueError(how)
        new[key] = theta - lr * update
    return new


ADAM_DEFAULTS = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def adam_case(params, grads, state, hypers, where=""):
    full = {**ADAM_DEFAULTS, **hypers}
    new_params, new_state = lstm_ref.adam_step(params, grads, state, **full)
    variant = {
        how: _adam_variant(params, grads, state, **full, how=how)
        for how in ("eps_inside", "folded", "no_bias_correction", "ascent")
    }
    mistakes = {
        "no_bias_correction": variant["no_bias_correction"],
        "ascent": variant["ascent"],
    }
    if state is not None:
        mistakes["t_minus_one"] = _adam_variant(
            params, grads, state, **full, how="t_minus_one"
        )
    if set(hypers) - {"lr"}:
        plain = {**ADAM_DEFAULTS, "lr": full["lr"]}
        mistakes["hypers_ignored"] = lstm_ref.adam_step(params, grads, state, **plain)[
            0
        ]
    t = new_state["t"]
    mistakes["m_hat"] = {
        k: m / (1 - full["beta1"] ** t) for k, m in new_state["m"].items()
    }
    mistakes["v_hat"] = {
        k: v / (1 - full["beta2"] ** t) for k, v in new_state["v"].items()
    }
    return {
        "args": (params, grads, state),
        "kwargs": dict(hypers),
        "expected": (new_params, new_state),
        "accepted": {"eps_inside": variant["eps_inside"], "folded": variant["folded"]},
        "mistakes": mistakes,
        "where": where,
    }


def adam_steps_cases(params, gradient_seeds, hypers, scale=1.0, where=""):
    """The cases of several Adam steps, each from the reference's state."""
    cases, state = [], None
    for number, seed in enumerate(gradient_seeds, start=1):
        grads = random_grads(seed, scale=scale * (1 + number % 3))
        grads = {k: grads[k] for k in params}
        c = adam_case(params, grads, state, hypers, where)
        cases.append(c)
        params, state = c["expected"]
    return cases


def training_case(seed, epochs, offsets, n_train=48, n_val=20, batch_size=16):
    rng = np.random.default_rng(seed)
    window = 4
    return {
        "x_train": rng.normal(size=(n_train, window, 1)),
        "y_train": rng.normal(size=(n_train, 1)),
        "x_val": rng.normal(size=(n_val, window, 1)),
        "y_val": rng.normal(size=(n_val, 1)),
        "hidden_size": 3,
        "epochs": epochs,
        "batch_size": batch_size,
        "batches": -(-n_train // batch_size),
        "offsets": list(offsets),
        "init_offset": 2.0,
        "seconds": 20.0,
    }


# --- the visible cases (embedded in the student notebook) ---------------------


@visible_case("sliding_windows")
def _sliding_windows():
    series = np.linspace(0.0, 1.9, 20).reshape(10, 2)  # T = 10, D = 2
    return windows_case(series, 3, 1)


@visible_case("temporal_split")
def _temporal_split():
    return split_case(np.arange(40.0).reshape(20, 2), 0.7, 0.15)


@visible_case("fit_standard_scaler")
def _fit_standard_scaler():
    train = np.array([[1.0, 10.0, 3.7], [2.0, 30.0, 3.7], [6.0, 20.0, 3.7]])
    return scaler_case(train, constant=[2])


@visible_case("scale_splits")
def _scale_splits():
    rng = np.random.default_rng(240)
    parts = [
        rng.normal(0.0, 1.0, size=(30, 2)),  # training period
        rng.normal(3.0, 2.0, size=(8, 2)),  # the level rises later on
        rng.normal(5.0, 2.0, size=(8, 2)),
    ]
    return scale_splits_case(parts)


@visible_case("pad_sequences")
def _pad_sequences():
    sequences = [
        np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        np.array([[7.0, 8.0]]),
        np.array([[9.0, 10.0], [11.0, 12.0]]),
    ]
    return pad_case(sequences)


def _masked_inputs(seed, shape, garbage=100.0):
    rng = np.random.default_rng(seed)
    pred = rng.normal(size=shape)
    target = rng.normal(size=shape)
    mask = rng.random(shape[:2]) < 0.6
    mask[0, 0] = True
    mask[-1, -1] = False if shape[1] > 1 else mask[-1, -1]
    pred[~mask] = garbage  # garbage at the padded steps must not matter
    return pred, target, mask


@visible_case("mse_loss")
def _mse_loss():
    rng = np.random.default_rng(260)
    pred = rng.normal(size=(3, 4, 2))
    target = rng.normal(size=(3, 4, 2))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=bool)
    pred[~mask] = 100.0  # garbage at the padded steps must not matter
    return mse_case(pred, target, mask)


@visible_case("mse_loss_plain")
def _mse_loss_plain():
    rng = np.random.default_rng(261)
    return mse_case(rng.normal(size=(3, 1, 2)), rng.normal(size=(3, 1, 2)))


@visible_case("clip_grad_norm")
def _clip_grad_norm():
    return clip_case(random_grads(270, scale=10.0), 5.0)


@visible_case("clip_grad_norm_small")
def _clip_grad_norm_small():
    return clip_case(random_grads(271, scale=0.5), 25.0)


@visible_case("adam_first_step")
def _adam_first_step():
    params = {"W": np.ones((2, 3)), "b": np.zeros(2)}
    grads = {
        "W": np.array([[1e-3, -2e-3, 5e-3], [0.3, -0.7, 2.0]]),
        "b": np.array([-1e3, 2.0]),
    }
    return adam_case(params, grads, None, {"lr": 0.01})


@visible_case("adam_steps")
def _adam_steps():
    params = {k: v for k, v in random_grads(284).items() if k in ("W_f", "b_f")}
    return {"steps": adam_steps_cases(params, range(301, 306), {"lr": 0.05})}


@visible_case("train_returns")
def _train_returns():
    return training_case(5, 3, [1.0, 0.5, 0.25])


@visible_case("train_best_epoch")
def _train_best_epoch():
    # The best epoch is the second; the last is worse than it.
    return training_case(6, 4, [0.6, 0.1, 0.4, 0.7])


@visible_case("demo_series")
def _demo_series():
    return {"series": noisy_sine(2024)}


# --- the hidden cases -----------------------------------------------------------


def hidden_windows_cases():
    cases = []
    for seed, steps, feats, win, ahead in [
        (210, 12, 1, 4, 1),
        (211, 30, 3, 5, 3),
        (212, 8, 2, 1, 1),
        (213, 9, 1, 4, 5),
        (214, 50, 4, 10, 2),
        (215, 6, 2, 4, 2),  # exactly window + horizon steps: one window
    ]:
        where = f"T = {steps}, D = {feats}, window = {win}, horizon = {ahead}"
        cases.append(windows_case(make_series(seed, steps, feats), win, ahead, where))
    return cases


def hidden_split_cases():
    cases = []
    for seed, steps, feats, frac_train, frac_val in [
        (220, 100, 2, 0.7, 0.15),
        (227, 90, 1, 0.7, 0.15),
        (221, 57, 1, 0.6, 0.2),
        (222, 33, 3, 0.5, 0.25),
        (223, 200, 1, 0.8, 0.1),
        (224, 10, 2, 0.5, 0.3),
        (225, 37, 1, 0.9, 0.05),
    ]:
        where = f"T = {steps}, train = {frac_train}, val = {frac_val}"
        series = make_series(seed, steps, feats)
        cases.append(split_case(series, frac_train, frac_val, where))
    walk = make_series(226, 40, 1)
    cases.append(split_case(walk, 0.7, 0.15, "the defaults", keywords=None))
    cases.append(split_case(walk, 0.5, 0.25, "train= and val= as keywords", True))
    return cases


def hidden_scaler_cases():
    cases = []
    for seed, shape in [
        (230, (50, 1)),
        (231, (7, 12, 3)),
        (232, (2, 3)),
        (233, (4, 5, 2)),
    ]:
        rng = np.random.default_rng(seed)
        data = 4.0 + 3.0 * rng.normal(size=shape)
        cases.append(scaler_case(data, f"train of shape {shape}"))
    data = np.zeros((3, 4, 3))
    data[..., 0] = 0.3
    data[..., 1] = np.arange(12.0).reshape(3, 4)
    data[..., 2] = -2.0
    cases.append(scaler_case(data, "windows with constant features", constant=[0, 2]))
    rng = np.random.default_rng(234)
    data32 = (4.0 + 3.0 * rng.normal(size=(40, 3))).astype(np.float32)
    cases.append(scaler_case(data32, "float32 train, float32 tolerance"))
    return cases


def hidden_scale_splits_cases():
    cases = []
    for seed, shapes in [
        (241, [(20, 1), (5, 1), (5, 1)]),
        (242, [(6, 10, 3), (2, 10, 3), (3, 10, 3)]),
        (243, [(4, 2), (1, 2), (2, 2)]),
    ]:
        rng = np.random.default_rng(seed)
        pieces = [
            rng.normal(2.0 * k, 1.0 + k, size=shape) for k, shape in enumerate(shapes)
        ]
        pieces[0][..., -1] = 1.5  # a constant training feature
        cases.append(scale_splits_case(pieces, f"parts of shapes {shapes}"))
    return cases


def hidden_pad_cases():
    cases = []
    for seed, lengths, feats in [
        (250, [4, 1, 6, 2], 3),
        (251, [5], 1),
        (252, [2, 0, 3], 2),
        (253, [1, 1], 4),
    ]:
        rng = np.random.default_rng(seed)
        seqs = [rng.normal(size=(length, feats)) for length in lengths]
        cases.append(pad_case(seqs, f"lengths {lengths} and D = {feats}"))
    return cases


def hidden_mse_cases():
    cases = []
    for seed, shape in [(262, (5, 7, 1)), (263, (1, 3, 4)), (264, (4, 2, 3))]:
        pred, target, mask = _masked_inputs(seed, shape, garbage=50.0)
        cases.append(mse_case(pred, target, mask, f"pred of shape {shape}"))
    pred, target, _ = _masked_inputs(265, (2, 3, 4))
    cases.append(mse_case(pred, target, np.ones((2, 3), dtype=bool), "every step real"))
    rng = np.random.default_rng(266)
    cases.append(
        mse_case(rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), None, "no mask")
    )
    pred, target, mask = _masked_inputs(267, (3, 4, 2), garbage=5.0)
    cases.append(
        mse_case(
            pred.astype(np.float32),
            target.astype(np.float32),
            mask,
            "float32 pred and target, float32 tolerance",
        )
    )
    return cases


def hidden_clip_cases():
    cases = [
        clip_case(random_grads(seed, scale), limit, f"max_norm = {limit}")
        for seed, scale, limit in [
            (272, 10.0, 5.0),
            (273, 0.1, 5.0),
            (274, 3.0, 1.0),
            (275, 1e3, 5.0),
        ]
    ]
    zeros = {"W": np.zeros((2, 3)), "b": np.zeros(2)}
    cases.append(clip_case(zeros, 5.0, "every gradient zero"))
    cases.append(
        clip_case(random_grads(276, 10.0, np.float32), 5.0, "float32 gradients")
    )
    return cases


def hidden_adam_first_cases():
    cases = []
    for seed in [280, 281]:
        params = random_grads(seed)
        grads = random_grads(seed + 10, scale=10.0 ** (seed - 282))
        cases.append(adam_case(params, grads, None, {"lr": 0.003}, "lr = 0.003"))
    return cases


def hidden_adam_steps_cases():
    chain = {"w": np.array([0.5]), "M": np.linspace(-1, 1, 12).reshape(3, 4)}
    hypers = {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}
    cases, state = [], None
    for step in range(1, 13):
        noise = np.random.default_rng(400 + step)
        g = {k: noise.normal(size=v.shape) * (1 + step % 3) for k, v in chain.items()}
        c = adam_case(chain, g, state, hypers, "beta1 = 0.8, beta2 = 0.99, eps = 1e-6")
        cases.append(c)
        chain, state = c["expected"]
    return cases


def hidden_training_cases():
    return {
        "returns": training_case(7, 2, [0.9, 0.3], n_train=40, n_val=12, batch_size=8),
        "best": training_case(8, 5, [0.8, 0.5, 0.05, 0.3, 0.2], n_val=10),
    }


# --- the training target ----------------------------------------------------------

TARGET_LOSS = 0.04
TARGET_SECONDS = 30.0


def check_train_target(seed=None):
    """train_model with the student's defaults on a fresh series, with
    lstm_ref's version of every function it uses. The time limit counts
    the student's own code: the time the judge spends in the reference
    model, loss and optimiser (and the channel to them) is not the loop's."""
    import time

    if seed is None:  # fresh entropy from the OS, drawn at grading time
        seed = int(np.random.SeedSequence().entropy % 2**32)
    (x_tr, y_tr), (x_va, y_va), _ = make_forecasting_task(seed)
    in_reference = [0.0]

    def timed(function):
        def reference_part(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                in_reference[0] += time.perf_counter() - start

        return reference_part

    parts = {name: timed(f) for name, f in reference_training_parts().items()}
    hard_stop = 2 * TARGET_SECONDS
    start = time.perf_counter()
    try:
        result = call(
            student_function("train_model"),
            x_tr,
            y_tr,
            x_va,
            y_va,
            rng=seed,
            substitute=parts,
            seconds=hard_stop,
        )
    except AssertionError as error:
        if not str(error).startswith("your train_model was stopped after"):
            raise
        raise AssertionError(
            f"your train_model ran longer than the {TARGET_SECONDS:g} s it is "
            f"allowed and was stopped after {hard_stop:g} s: make it faster (fewer "
            "epochs, a smaller hidden_size or larger batches by default)"
        ) from None
    own = time.perf_counter() - start - in_reference[0]
    check_tuple("train_model", result, ("best_params", "history"))
    best_params = result[0]
    like = reference_init_model(x_tr.shape[2], 1, y_tr.shape[1], rng=0)
    if not (isinstance(best_params, dict) and set(best_params) == set(like)):
        raise AssertionError(
            "best_params should be the parameters dict, with the keys init_model gives"
        )
    loss = reference_validation_loss(best_params, x_va, y_va)
    assert own <= TARGET_SECONDS, (
        f"your train_model took {own:.1f} s of its own (not counting the "
        f"course's model and optimiser), more than the {TARGET_SECONDS:g} s "
        "allowed: use fewer epochs, a smaller hidden_size or larger batches by "
        "default"
    )
    assert loss <= TARGET_LOSS, (
        f"the parameters train_model returned reach a validation loss of "
        f"{loss:.4f} on a fresh series (seed {seed}), above the target of "
        f"{TARGET_LOSS}. This test ran your loop with lstm_ref's mse_loss, "
        "clip_grad_norm and adam_step, so the loop itself falls short: check "
        "your defaults (lr, epochs, batch_size, hidden_size), that each batch "
        "takes one step, and that you keep the best epoch's parameters"
    )
    print(f"Validation loss {loss:.4f}; your loop's own time {own:.1f} s.")
