"""A2's tests, judge side (the grader and an instructor; may use lstm_ref).

The master's helper cell imports this module. It builds every test case
with lstm_ref: the visible cases (``@visible_case``, embedded in the student
notebook as data when it is generated) and the hidden ones, each with the
results the known mistakes give on the same inputs and probes of the
functions the tested one builds on. ``reference_parts`` says which of the
student's functions fail those probes (wrong values, an exception, another
shape, an argument changed in place) and gives lstm_ref's versions to use in
their place, so that a mistake is charged once, where it is made.
"""

# ruff: noqa: F405  (the names of common and a2_visible come by import *)

import numpy as np

import lstm_ref
from autograder.testkit.a2_visible import *  # noqa: F403
from autograder.testkit.common import *  # noqa: F403
from autograder.testkit.judge_side import prepare

prepare("A2")


# --- inputs ---------------------------------------------------------------


def make_step_inputs(seed, n, d, h, scale=1.0):
    """Random x_t (N, D), h_prev (N, H), c_prev (N, H) and LSTM params."""
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


# --- lstm_ref's parts, used in place of a student's part that fails ---------


def _pre_activation(x_t, h_prev, W, b):
    return np.concatenate([h_prev, x_t], axis=1) @ W.T + b  # (N, H)


def reference_sigmoid(z):
    return lstm_ref.sigmoid(np.asarray(z, dtype=float))


def reference_forget_gate(x_t, h_prev, W_f, b_f):
    return lstm_ref.sigmoid(_pre_activation(x_t, h_prev, W_f, b_f))


def reference_input_gate(x_t, h_prev, W_i, b_i):
    return lstm_ref.sigmoid(_pre_activation(x_t, h_prev, W_i, b_i))


def reference_candidate(x_t, h_prev, W_c, b_c):
    return np.tanh(_pre_activation(x_t, h_prev, W_c, b_c))


def reference_output_gate(x_t, h_prev, W_o, b_o):
    return lstm_ref.sigmoid(_pre_activation(x_t, h_prev, W_o, b_o))


def reference_cell_update(f_t, c_prev, i_t, c_tilde):
    return f_t * c_prev + i_t * c_tilde


def reference_lstm_cell_forward(x_t, h_prev, c_prev, params):
    h_t, c_t, cache = lstm_ref.lstm_cell_forward(x_t, h_prev, c_prev, params)
    return h_t, c_t, lend(cache)


REFERENCE = {
    "sigmoid": reference_sigmoid,
    "forget_gate": reference_forget_gate,
    "input_gate": reference_input_gate,
    "candidate": reference_candidate,
    "output_gate": reference_output_gate,
    "cell_update": reference_cell_update,
    "lstm_cell_forward": reference_lstm_cell_forward,
}


def reference_parts(c, names=PARTS):
    """lstm_ref's versions of those of your functions (among names, in the
    order they build on each other) that fail their probes in case c."""
    substitute = {}
    for name in names:
        for probe in c.get("parts", {}).get(name, []):
            expected, arity = probe["expected"], probe.get("arity")
            if not passes(
                name, probe["args"], expected, substitute or None, arity=arity
            ):
                substitute[name] = REFERENCE[name]
                break
    return substitute


def already_told(tested, names):
    """The parts the visible part of ``tested``'s test already said it
    replaced (its case's failing probes), so the hidden part does not say
    it again."""
    return set(parts_that_fail(case(tested), names))


def tell_replaced(tested, substitute, told):
    """Say (once per name) which of the student's parts were replaced."""
    new = [name for name in substitute if name not in told]
    if new:
        told.update(new)
        print(
            f"Your {', '.join(new)} {'does' if len(new) == 1 else 'do'} not pass "
            f"{'its' if len(new) == 1 else 'their'} own tests: {tested} is "
            f"checked with lstm_ref's {', '.join(new)} in "
            f"{'its' if len(new) == 1 else 'their'} place."
        )


# --- cases ------------------------------------------------------------------


def sigmoid_case(z):
    z = np.asarray(z)
    z64 = z.astype(np.float64)
    return {
        "z": z,
        "expected": lstm_ref.sigmoid(z64),
        "mistakes": {"minus": lstm_ref.sigmoid(-z64)},
    }


def _gate_parts(x_t, h_prev, params):
    """Probes of sigmoid and the four gates on one step's inputs."""
    parts = {"sigmoid": []}
    for name, (_, weight, bias, _) in GATES.items():
        W, b = params[weight], params[bias]
        z = _pre_activation(x_t, h_prev, W, b)
        if name != "candidate":
            parts["sigmoid"].append({"args": (z,), "expected": lstm_ref.sigmoid(z)})
        parts[name] = [
            {
                "args": (x_t, h_prev, W, b),
                "expected": REFERENCE[name](x_t, h_prev, W, b),
            }
        ]
    return parts


def gate_case(name, seed, n, d, h, scale=1.0):
    x_t, h_prev, _, params = make_step_inputs(seed, n, d, h, scale)
    _, weight, bias, _ = GATES[name]
    W, b = params[weight], params[bias]
    z = _pre_activation(x_t, h_prev, W, b)
    z_swapped = np.concatenate([x_t, h_prev], axis=1) @ W.T + b
    z_no_bias = np.concatenate([h_prev, x_t], axis=1) @ W.T
    squash = np.tanh if name == "candidate" else lstm_ref.sigmoid
    mistakes = {"swapped": squash(z_swapped), "no_bias": squash(z_no_bias)}
    parts = {}
    if name == "candidate":
        mistakes["sigmoid"] = lstm_ref.sigmoid(z)
    else:
        mistakes["tanh"] = np.tanh(z)
        parts["sigmoid"] = [{"args": (z,), "expected": lstm_ref.sigmoid(z)}]
    known = np.concatenate([z.ravel(), z_swapped.ravel(), z_no_bias.ravel()])
    return {
        "args": (x_t, h_prev, W, b),
        "expected": squash(z),
        "mistakes": mistakes,
        "parts": parts,
        "replay": {"sigmoid": {"z": known, "s": lstm_ref.sigmoid(known)}},
    }


def cell_update_case(seed, n, h):
    rng = np.random.default_rng(seed)
    f_t, i_t = rng.uniform(size=(2, n, h))
    c_prev = rng.normal(scale=3.0, size=(n, h))
    c_tilde = np.tanh(rng.normal(size=(n, h)))
    c_t = f_t * c_prev + i_t * c_tilde
    mistakes = {
        "swapped": f_t * c_tilde + i_t * c_prev,
        "squashed": np.tanh(c_t),
        "no_input_gate": f_t * c_prev + c_tilde,
        "no_forget_gate": c_prev + i_t * c_tilde,
    }
    if n == h:
        mistakes["matmul"] = f_t @ c_prev + i_t @ c_tilde
    return {"args": (f_t, c_prev, i_t, c_tilde), "expected": c_t, "mistakes": mistakes}


def _ref_cell(x_t, h_prev, c_prev, params):
    h_t, c_t, _ = lstm_ref.lstm_cell_forward(x_t, h_prev, c_prev, params)
    return h_t, c_t


def cell_case(seed, n, d, h, scale=1.0):
    x_t, h_prev, c_prev, params = make_step_inputs(seed, n, d, h, scale)
    h_ref, c_ref, cache = lstm_ref.lstm_cell_forward(x_t, h_prev, c_prev, params)
    same = {}
    for gate in "fico":
        same[f"W_{gate}"], same[f"b_{gate}"] = params["W_f"], params["b_f"]
    no_bias = {
        k: (np.zeros_like(v) if k.startswith("b_") else v) for k, v in params.items()
    }
    # [x_t, h_prev] @ W.T is [h_prev, x_t] @ W'.T with W's column blocks swapped.
    swapped = {
        k: (np.concatenate([v[:, d:], v[:, :d]], axis=1) if k.startswith("W_") else v)
        for k, v in params.items()
    }
    mistakes = {
        "swapped_return": (c_ref, h_ref),
        "no_tanh": (cache.o * c_ref, c_ref),
        "old_cell": (cache.o * np.tanh(c_prev), c_ref),
        "c_prev_for_h_prev": _ref_cell(x_t, c_prev, c_prev, params),
        "same_weights": _ref_cell(x_t, h_prev, c_prev, same),
        "no_bias": _ref_cell(x_t, h_prev, c_prev, no_bias),
        "swapped_concat": _ref_cell(x_t, h_prev, c_prev, swapped),
        "h_prev_in_update": _h_prev_in_update(cache, h_prev),
        "returns_c_prev": (h_ref, c_prev),
        "no_output_gate": (np.tanh(c_ref), c_ref),
    }
    parts = _gate_parts(x_t, h_prev, params)
    parts["cell_update"] = [
        {"args": (cache.f, c_prev, cache.i, cache.c_tilde), "expected": c_ref}
    ]
    return {
        "args": (x_t, h_prev, c_prev, params),
        "expected": (h_ref, c_ref),
        "mistakes": mistakes,
        "parts": parts,
        "replay": _cell_replay(x_t, h_prev, c_prev, params),
    }


def _h_prev_in_update(cache, h_prev):
    """(h_t, c_t) when the cell update gets h_prev in place of c_prev."""
    c_t = cache.f * h_prev + cache.i * cache.c_tilde
    return cache.o * np.tanh(c_t), c_t


def _cell_replay(x_t, h_prev, c_prev, params):
    """What the cell's parts give on the right inputs and on those the known
    mistakes of lstm_cell_forward pass them (c_prev for h_prev, W_f for
    every gate, no bias, [x_t, h_prev])."""
    known = []
    gates = {name: [] for name in GATES}
    updates = []
    for hidden in (h_prev, c_prev):
        for shared in (False, True):
            values = {}
            for name, (_, weight, bias, _) in GATES.items():
                W, b = (
                    (params["W_f"], params["b_f"])
                    if shared
                    else (params[weight], params[bias])
                )
                values[name] = REFERENCE[name](x_t, hidden, W, b)
                gates[name].append(
                    {"args": (x_t, hidden, W, b), "expected": values[name]}
                )
                for bias_term in (b, 0.0):
                    for pair in ([hidden, x_t], [x_t, hidden]):
                        z = np.concatenate(pair, axis=1) @ W.T + bias_term
                        known.append(z.ravel())
            f_t, i_t = values["forget_gate"], values["input_gate"]
            c_tilde = values["candidate"]
            for old_state in (c_prev, h_prev):
                updates.append(
                    {
                        "args": (f_t, old_state, i_t, c_tilde),
                        "expected": f_t * old_state + i_t * c_tilde,
                    }
                )
    known = np.concatenate(known)
    return {
        "sigmoid": {"z": known, "s": lstm_ref.sigmoid(known)},
        **gates,
        "cell_update": updates,
    }


def _run(
    x,
    h0,
    c0,
    params,
    order=None,
    carry_h=True,
    carry_c=True,
    record=None,
    swap_states=False,
):
    """lstm_ref's cell over the steps in order, each result stored at its t
    (and each call appended to ``record``, for a stand-in of the cell);
    ``swap_states`` passes (c, h) where the cell takes (h_prev, c_prev)."""
    n, num_steps, _ = x.shape
    hs = np.zeros((n, num_steps, h0.shape[1]))
    cs = np.zeros_like(hs)
    h_t, c_t = h0, c0
    for t in range(num_steps) if order is None else order:
        args = (x[:, t], h_t if carry_h else h0, c_t if carry_c else c0)
        if swap_states:
            args = (args[0], args[2], args[1])
        h_t, c_t = _ref_cell(*args, params)
        if record is not None:
            record.append({"args": args, "expected": (h_t, c_t)})
        hs[:, t], cs[:, t] = h_t, c_t
    return hs, cs


def forward_case(seed, n, t, d, h):
    x, h0, c0, params = make_sequence_inputs(seed, n, t, d, h)
    hs_ref, cs_ref, _ = lstm_ref.lstm_forward(x, h0, c0, params)
    calls = []  # every call of the cell the right loop and the mistakes make
    _run(x, h0, c0, params, record=calls)
    skipped_first = _run(x, h0, c0, params, order=range(1, t), record=calls)
    missed_last = _run(x, h0, c0, params, order=range(t - 1), record=calls)
    for states in skipped_first:  # step 0 never computed: anything there
        states[:, 0] = np.nan
    for states in missed_last:  # the last step never computed
        states[:, t - 1] = np.nan
    before = (
        np.concatenate([h0[:, None], hs_ref[:, :-1]], axis=1),
        np.concatenate([c0[:, None], cs_ref[:, :-1]], axis=1),
    )
    mistakes = {
        "swapped_return": (cs_ref, hs_ref),
        "from_initial": _run(
            x, h0, c0, params, carry_h=False, carry_c=False, record=calls
        ),
        "skips_first": skipped_first,
        "misses_last": missed_last,
        "before_step": before,
        "c_not_carried": _run(x, h0, c0, params, carry_c=False, record=calls),
        "h_not_carried": _run(x, h0, c0, params, carry_h=False, record=calls),
        "reversed": _run(x, h0, c0, params, order=range(t - 1, -1, -1), record=calls),
        "zero_start": _run(
            x, np.zeros_like(h0), np.zeros_like(c0), params, record=calls
        ),
        "row_zero": (
            np.repeat(hs_ref[:1], n, axis=0),
            np.repeat(cs_ref[:1], n, axis=0),
        ),
        "swapped_states": _run(x, h0, c0, params, swap_states=True, record=calls),
    }
    parts = _gate_parts(x[:, 0], h0, params)
    _, c_1, cache = lstm_ref.lstm_cell_forward(x[:, 0], h0, c0, params)
    parts["cell_update"] = [
        {"args": (cache.f, c0, cache.i, cache.c_tilde), "expected": c_1}
    ]
    parts["lstm_cell_forward"] = [
        {
            "args": (
                x[:, step],
                h0 if step == 0 else hs_ref[:, step - 1],
                c0 if step == 0 else cs_ref[:, step - 1],
                params,
            ),
            "expected": (hs_ref[:, step], cs_ref[:, step]),
            "arity": 3,  # (h_t, c_t, cache)
        }
        for step in range(t)
    ]
    return {
        "args": (x, h0, c0, params),
        "expected": (hs_ref, cs_ref),
        "mistakes": mistakes,
        "parts": parts,
        "replay": {"lstm_cell_forward": calls},
    }


# --- the visible cases (embedded in the student notebook) -------------------


@visible_case("sigmoid_values")
def _sigmoid_values():
    return sigmoid_case(np.array([-3.0, -1.0, 0.0, 1.0, 3.0]))


@visible_case("sigmoid_stable")
def _sigmoid_stable():
    return sigmoid_case(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))


for _seed, _name in enumerate(GATES, start=1):
    visible_case(_name)(lambda name=_name, seed=_seed: gate_case(name, seed, 2, 3, 4))


@visible_case("cell_update")
def _cell_update():
    return cell_update_case(5, 2, 4)


@visible_case("lstm_cell_forward")
def _lstm_cell_forward():
    return cell_case(6, 2, 3, 4)


@visible_case("lstm_forward")
def _lstm_forward():
    return forward_case(7, 2, 5, 3, 4)


# --- the hidden cases ---------------------------------------------------------


def hidden_sigmoid_value_cases():
    rng = np.random.default_rng(20)
    cases = [
        sigmoid_case(rng.normal(scale=5.0, size=shape))
        for shape in [(1,), (7,), (3, 4), (2, 3, 5)]
    ]
    return cases


def hidden_sigmoid_float32_case():
    rng = np.random.default_rng(22)
    return sigmoid_case(rng.normal(scale=5.0, size=(3, 4)).astype(np.float32))


def hidden_sigmoid_stable_cases():
    """Large |z| in float64 (no overflow allowed)."""
    rng = np.random.default_rng(21)
    return [
        sigmoid_case(z)
        for z in [
            rng.normal(scale=300.0, size=(4, 6)),
            np.array([-745.5, -709.0, -40.0, 40.0, 709.0, 745.5]),
            np.array([-np.inf, np.inf]),
        ]
    ]


def hidden_sigmoid_stable_float32_case():
    """Large |z| in float32: values only, with float32 tolerance."""
    return sigmoid_case(np.array([-100.0, -20.0, 0.0, 20.0, 100.0], dtype=np.float32))


_GATE_SEEDS = {"forget_gate": 10, "input_gate": 20, "candidate": 30, "output_gate": 40}


def hidden_gate_cases(name):
    base = _GATE_SEEDS[name]
    shapes = [(1, 1, 1), (3, 5, 2), (4, 2, 6), (3, 2, 3)]
    return [
        gate_case(name, base + k, n, d, h, scale=2.0)
        for k, (n, d, h) in enumerate(shapes, start=1)
    ]


def hidden_cell_update_cases():
    return [
        cell_update_case(seed, n, h)
        for seed, (n, h) in [(51, (1, 1)), (52, (3, 5)), (53, (6, 2)), (54, (4, 4))]
    ]


def hidden_cell_cases():
    return [
        cell_case(seed, n, d, h, scale)
        for seed, (n, d, h, scale) in [
            (61, (1, 1, 1, 1.0)),
            (62, (3, 5, 2, 1.0)),
            (63, (5, 2, 7, 1.0)),
            (64, (2, 3, 4, 1000.0)),
        ]
    ]


def hidden_forward_cases():
    return [
        forward_case(seed, n, t, d, h)
        for seed, (n, t, d, h) in [
            (71, (1, 1, 1, 1)),
            (72, (3, 7, 2, 5)),
            (73, (4, 2, 6, 3)),
            (74, (2, 12, 3, 2)),
        ]
    ]
