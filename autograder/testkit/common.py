"""The test machinery of the assignments, written once (NumPy only).

Two places use it:

- the grader's judge and an instructor running a master notebook: the master's
  helper cell imports ``autograder.testkit.<assignment>``, which builds on this
  module and adds what only the judge may hold (lstm_ref, the hidden checks);
- the students' notebooks: ``python -m autograder generate`` copies this
  file's source into the generated helper cell, with the visible tests'
  inputs and expected values embedded as data, so a student needs NumPy only.

So nothing here may import anything but NumPy and the standard library, and
nothing here may know an answer: expected values come from ``case()``, which
the judge computes with lstm_ref and the student copy reads from its
embedded data.

Tolerance policy (the course's, for every assignment)
-----------------------------------------------------
A correct float64 implementation agrees with lstm_ref to about 1e-15
relative; any correct order of operations (einsum, fused gates, a sigmoid
through logaddexp or tanh) stays within 1e-12. A wrong formula moves values
by far more than 1e-6. The tolerances sit between, by how the result is
conditioned:

- ``STEP`` (rtol 1e-7, atol 1e-10): one step of elementwise maths and matrix
  products (a gate, the cell update, one cell, a loss, a window);
- ``SEQUENCE`` (rtol 1e-6, atol 1e-9): results accumulated over many steps or
  summed over a batch (a sequence's states, every gradient);
- ``EPSILON`` (rtol 1e-5, atol 1e-8): results where a correct variant adds a
  small epsilon (PyTorch's 1e-6 in norm clipping, Adam's eps inside or
  outside the root, a floor in a relative error);
- ``FLOAT32`` (rtol 1e-4, atol 1e-6): any float32 result, which carries
  about 7 significant digits (machine epsilon 1.2e-7); float32 is tested on
  its own, never against float64 tolerances.
"""

from __future__ import annotations

import re
import signal

import numpy as np

STEP = {"rtol": 1e-7, "atol": 1e-10}
SEQUENCE = {"rtol": 1e-6, "atol": 1e-9}
EPSILON = {"rtol": 1e-5, "atol": 1e-8}
FLOAT32 = {"rtol": 1e-4, "atol": 1e-6}

# The argument names of every graded function (the course's API contract),
# so that a message can say which argument was changed in place.
ARGUMENTS = {
    "rnn_cell_forward": ("x_t", "h_prev", "params"),
    "rnn_forward": ("x", "h0", "params"),
    "rnn_cell_backward": ("dh_t", "cache"),
    "rnn_backward": ("dhs", "cache"),
    "gradient_norms_by_lag": ("x", "h0", "params", "max_lag"),
    "fit_decay_rate": ("norms",),
    "sigmoid": ("z",),
    "forget_gate": ("x_t", "h_prev", "W_f", "b_f"),
    "input_gate": ("x_t", "h_prev", "W_i", "b_i"),
    "candidate": ("x_t", "h_prev", "W_c", "b_c"),
    "output_gate": ("x_t", "h_prev", "W_o", "b_o"),
    "cell_update": ("f_t", "c_prev", "i_t", "c_tilde"),
    "lstm_cell_forward": ("x_t", "h_prev", "c_prev", "params"),
    "lstm_forward": ("x", "h0", "c0", "params"),
    "rel_error": ("a", "b"),
    "numerical_gradient": ("f", "x", "h"),
    "lstm_cell_backward": ("dh_t", "dc_t", "cache"),
    "lstm_backward": ("dhs", "cache"),
    "sliding_windows": ("series", "window", "horizon"),
    "temporal_split": ("series", "train", "val"),
    "fit_standard_scaler": ("train",),
    "scale_splits": ("train", "val", "test"),
    "pad_sequences": ("sequences",),
    "mse_loss": ("pred", "target", "mask"),
    "clip_grad_norm": ("grads", "max_norm"),
    "adam_step": ("params", "grads", "state", "lr", "beta1", "beta2", "eps"),
    "train_model": (
        "x_train",
        "y_train",
        "x_val",
        "y_val",
        "hidden_size",
        "epochs",
        "batch_size",
        "lr",
        "max_norm",
        "rng",
    ),
}

# What the notebook's helper cell binds (see bind()): the notebook's
# namespace, and whether it runs in the grader's judge.
_STATE = {
    "namespace": None,
    "in_judge": False,
    "student_error": Exception,
    "not_implemented": NotImplementedError,
    "judge_only": None,
}


def bind(namespace):
    """Let these helpers find the notebook's functions (the helper cell
    calls ``bind(globals())``). In the grader the judge's namespace also
    says how a student's exception arrives."""
    _STATE["namespace"] = namespace
    _STATE["in_judge"] = bool(namespace.get("IN_JUDGE", False))
    # What the helpers are now, so that check_before_submit can tell when a
    # cell gives one of their names another value.
    _STATE["helpers"] = {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and callable(value)
    }
    if _STATE["in_judge"]:
        _STATE["student_error"] = namespace["StudentError"]
        _STATE["not_implemented"] = namespace["StudentNotImplemented"]
        _STATE["judge_only"] = namespace["JudgeOnly"]


def in_judge():
    """Whether the tests run in the grader (your functions in its sandbox)."""
    return _STATE["in_judge"]


def student_function(name):
    """The notebook's function ``name`` (in the grader, a proxy to it)."""
    namespace = _STATE["namespace"]
    if namespace is None:
        raise RuntimeError("run the helper cell first: it calls bind(globals())")
    try:
        return namespace[name]
    except KeyError:
        raise AssertionError(
            f"{name} is not defined: run its cell (and do not rename it)"
        ) from None


def lend(value):
    """``value`` as the judge lends it to student code (a cache the judge
    keeps to itself); unchanged outside the grader."""
    wrap = _STATE["judge_only"]
    return wrap(value) if _STATE["in_judge"] and wrap is not None else value


class TimeLimitExceeded(Exception):
    """Raised inside a call that runs longer than its time limit."""


def _time_is_up(signum, frame):
    raise TimeLimitExceeded()


def _call(function, args, kwargs, substitute, seconds):
    """function(*args, **kwargs); in the grader through the judge's channel."""
    remote = getattr(function, "call_with", None)
    if _STATE["in_judge"] and remote is not None:
        return remote(substitute or None, *args, seconds=seconds, **kwargs)
    names = _STATE["namespace"] if _STATE["namespace"] is not None else {}
    missing = object()
    saved = {key: names.get(key, missing) for key in substitute or {}}
    names.update(substitute or {})
    if seconds is not None:
        signal.signal(signal.SIGALRM, _time_is_up)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args, **kwargs)
    finally:
        if seconds is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for key, value in saved.items():
            if value is missing:
                names.pop(key, None)
            else:
                names[key] = value


def snapshot(value):
    """A deep copy of the arrays in value (inside tuples, lists and dicts)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(snapshot(item) for item in value))
    if isinstance(value, list | tuple):
        return type(value)(snapshot(item) for item in value)
    return value


def _same(before, after):
    """Whether after still holds what the snapshot before recorded."""
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and after.dtype == before.dtype
            and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc")
        )
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and after.keys() == before.keys()
            and all(_same(before[key], after[key]) for key in before)
        )
    if isinstance(before, list | tuple):
        return (
            isinstance(after, list | tuple)
            and len(after) == len(before)
            and all(_same(b, a) for b, a in zip(before, after, strict=True))
        )
    return True  # not an array: nothing to compare


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, dict):
        return "a dict"
    return type(value).__name__


def call(
    function,
    *args,
    hint="",
    substitute=None,
    seconds=None,
    may_change=(),
    **kwargs,
):
    """Return function(*args, **kwargs), or fail with a message that says why.

    - A function that is not written yet, raises, needs lstm_ref (which the
      grader does not have) or runs longer than ``seconds`` fails with a
      message saying so.
    - The arguments are copied before the call. If the function changed one
      in place (``c_prev *= f_t``), that is the failure, before any value is
      checked: an argument changed in place would otherwise make the expected
      values wrong. ``may_change`` names arguments it may change.
    - ``substitute`` maps names of your functions to reference functions used
      in their place during the call, so that a mistake in one of them is
      charged once, where it is made, and not again here.
    """
    name = getattr(function, "__name__", "function")
    names = ARGUMENTS.get(name, ())
    before = [snapshot(arg) for arg in args]
    before_kw = {key: snapshot(value) for key, value in kwargs.items()}
    try:
        result = _call(function, args, kwargs, substitute, seconds)
    except _STATE["not_implemented"]:
        raise AssertionError(
            f"{name} is not written yet: it raises NotImplementedError"
        ) from None
    except TimeLimitExceeded:
        raise AssertionError(_too_slow(name, seconds)) from None
    except _STATE["student_error"] as error:
        kind = getattr(error, "type_name", type(error).__name__)
        message = getattr(error, "message", str(error))
        if kind == "TimeLimitExceeded":
            raise AssertionError(_too_slow(name, seconds)) from None
        if "lstm_ref" in message and "not available" in message:
            raise AssertionError(
                f"your {name} uses lstm_ref, which the grader does not have: "
                f"write {name} with NumPy and your own functions (it gets no "
                "points while it needs lstm_ref)"
            ) from None
        inputs = ", ".join(_describe(arg) for arg in args)
        raise AssertionError(
            f"your {name} raised {kind}: {message} "
            f"(called with {inputs}). {hint}".strip()
        ) from None
    changed = [
        names[index] if index < len(names) else f"argument {index + 1}"
        for index, (old, new) in enumerate(zip(before, args, strict=True))
        if not _same(old, new)
    ]
    changed += [key for key, old in before_kw.items() if not _same(old, kwargs[key])]
    changed = [key for key in changed if key not in may_change]
    if changed:
        raise AssertionError(
            f"your {name} changed {', '.join(changed)} in place (an in-place "
            "operation such as `a *= b`, `a += b` or `a[...] = ...` on an "
            "argument): compute new arrays and leave the inputs as they were"
        )
    return result


def _too_slow(name, seconds):
    return (
        f"your {name} was stopped after {seconds:g} s, the time it is "
        "allowed: make it faster (a loop over array elements instead of "
        "NumPy operations? for a training loop, fewer epochs, a smaller "
        "hidden_size or larger batches by default)"
    )


def check_tuple(name, result, names):
    """Fail unless result is a tuple of len(names) values (names: a tuple of
    their names, e.g. ("h_t", "cache"))."""
    shown = "(" + ", ".join(names) + ")"
    assert isinstance(result, tuple), (
        f"{name} should return a tuple {shown}, got {_describe(result)}"
    )
    assert len(result) == len(names), (
        f"{name} should return {len(names)} values {shown}, got {len(result)}"
    )


def check_array(what, value, shape, named="", dtype=None):
    """Fail unless value is a finite NumPy array of the given shape (and
    dtype, if given). ``named`` spells the shape in symbols, e.g. "(N, H)"."""
    expected = f"{named} = {shape}" if named else f"{shape}"
    assert isinstance(value, np.ndarray), (
        f"{what} should be a NumPy array, got {_describe(value)}"
    )
    assert value.shape == tuple(shape), (
        f"{what} has shape {value.shape}, expected {expected}"
    )
    if dtype is not None:
        assert value.dtype == np.dtype(dtype), (
            f"{what} has dtype {value.dtype}, expected {np.dtype(dtype)} "
            "(the dtype of the inputs)"
        )
    assert value.dtype.kind in "biuf", (
        f"{what} should hold numbers, got dtype {value.dtype}"
    )
    assert np.all(np.isfinite(value)), f"{what} contains nan or inf"


def tolerance(value, tol=None):
    """The tolerance for value: ``tol`` (default STEP), or FLOAT32 when value
    is a float32 array."""
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        return FLOAT32
    return STEP if tol is None else tol


def matches(value, expected, tol=None):
    """Whether value is an array of expected's shape, close to it."""
    if expected is None or not isinstance(value, np.ndarray):
        return False
    expected = np.asarray(expected)
    if value.shape != expected.shape or value.dtype.kind not in "biuf":
        return False
    tol = tolerance(value, tol)
    return bool(np.allclose(value, expected, rtol=tol["rtol"], atol=tol["atol"]))


def attempt(function, *args, **kwargs):
    """function(*args, **kwargs), or None if it raises (for a diagnosis)."""
    try:
        return function(*args, **kwargs)
    except Exception:
        return None


def where_it_differs(value, expected, tol=None, axes=None):
    """Words for how value differs from expected: how many entries, the
    largest difference and where, and (with ``axes``, e.g. ("N", "T", "H"))
    which steps or rows are still right."""
    tol = tolerance(value, tol)
    value = np.asarray(value, dtype=float)
    expected = np.asarray(expected, dtype=float)
    close = np.isclose(value, expected, rtol=tol["rtol"], atol=tol["atol"])
    wrong = int(close.size - np.count_nonzero(close))
    gap = np.abs(value - expected)
    worst = np.unravel_index(int(np.argmax(np.where(close, -1.0, gap))), gap.shape)
    index = ", ".join(str(int(i)) for i in worst)
    text = (
        f"{wrong} of {close.size} entries differ; the largest difference is "
        f"{gap[worst]:.3g} at [{index}] (yours {value[worst]:.6g}, expected "
        f"{expected[worst]:.6g})"
    )
    if axes and "T" in axes and value.ndim == len(axes):
        time = axes.index("T")
        other = tuple(i for i in range(value.ndim) if i != time)
        right = np.all(close, axis=other)
        if right.all():
            return text
        first = int(np.argmin(right))
        if first == 0:
            text += "; the first step is already wrong"
        else:
            text += (
                f"; steps 0 to {first - 1} are right, step {first} is the first wrong"
            )
    elif axes and "N" in axes and value.ndim == len(axes) and value.shape[0] > 1:
        rows = np.all(close.reshape(close.shape[0], -1), axis=1)
        if rows.any():
            bad = ", ".join(str(int(i)) for i in np.flatnonzero(~rows))
            text += f"; only the batch rows {bad} are wrong"
    return text


def compare(what, value, expected, *, tol=None, hint="", diagnoses=(), axes=None):
    """Fail unless value is close to expected, with the likely mistake.

    - value must be a finite array of expected's shape (a message says which
      shape was expected);
    - ``diagnoses``: (alternative, message) pairs, each the result a known
      mistake gives (or a function returning it, or None); when value matches
      one, its message is the failure;
    - otherwise the message says what differs, where and by how much, then
      ``hint``.
    """
    expected = np.asarray(expected)
    named = ""
    if axes and len(axes) == expected.ndim:
        named = "(" + ", ".join(axes) + ")"
    check_array(what, value, expected.shape, named)
    if matches(value, expected, tol):
        return
    for alternative, message in diagnoses:
        if callable(alternative):
            alternative = attempt(alternative)
        if alternative is not None and matches(value, alternative, tol):
            raise AssertionError(message)
    detail = where_it_differs(value, expected, tol, axes)
    raise AssertionError(f"{what} is wrong: {detail}. {hint}".strip())


def depends_on_inputs(outputs):
    """Whether a function's results over different inputs look like real
    work: not all zero, and not all the same. ``outputs``: the results for
    two or more different inputs (arrays or tuples of arrays)."""
    flat = []
    for output in outputs:
        parts = output if isinstance(output, tuple | list) else (output,)
        arrays = [np.ravel(np.asarray(p, dtype=float)) for p in parts]
        flat.append(np.concatenate(arrays) if arrays else np.zeros(0))
    if all(np.all(f == 0) for f in flat):
        return False
    first = flat[0]
    return not all(f.shape == first.shape and np.array_equal(f, first) for f in flat)


# The visible tests' inputs and expected values. The judge registers a
# builder per case (computed with lstm_ref when asked); a student notebook
# carries them as data (see encode/decode), generated from the same builders.
_BUILDERS = {}
_BUILT = {}
_EMBEDDED = {}


def visible_case(name):
    """Decorator (judge side): register the builder of the case ``name``, a
    function returning a dict of inputs and expected values."""

    def register(builder):
        _BUILDERS[name] = builder
        return builder

    return register


def case(name):
    """A fresh copy of the inputs and expected values of the case ``name``."""
    if name in _EMBEDDED:
        return decode(_EMBEDDED[name])
    if name not in _BUILT:
        if name not in _BUILDERS:
            raise KeyError(f"no test case {name!r}")
        _BUILT[name] = _BUILDERS[name]()
    return snapshot(_BUILT[name])


def embed_cases(data):
    """Student side: the cases as generated (name -> encoded value)."""
    _EMBEDDED.update(data)


def encode(value):
    """value as JSON-ready data: arrays bit for bit (base64 of their bytes),
    tuples, lists, str-keyed dicts, numbers, strings, None."""
    import base64

    if isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise TypeError("a test case cannot hold an array of Python objects")
        data = {
            "__array__": array.dtype.str,
            "shape": list(array.shape),  # () stays (): a 0-d array
            "data": base64.b64encode(array.tobytes(order="C")).decode("ascii"),
        }
        if isinstance(value, np.generic):
            data["scalar"] = True  # np.float32(1.5), not a 0-d array
        return data
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        assert all(isinstance(key, str) for key in value), "case keys must be str"
        return {"__dict__": {key: encode(item) for key, item in value.items()}}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a test case cannot hold a {type(value).__name__}")


def decode(data):
    """The value that encode() turned into data."""
    import base64

    if isinstance(data, list):
        return [decode(item) for item in data]
    if isinstance(data, dict):
        if "__array__" in data:
            raw = base64.b64decode(data["data"])
            array = np.frombuffer(raw, dtype=np.dtype(data["__array__"]))
            array = array.reshape(data["shape"]).copy()
            return array[()] if data.get("scalar") else array
        if "__tuple__" in data:
            return tuple(decode(item) for item in data["__tuple__"])
        return {key: decode(item) for key, item in data["__dict__"].items()}
    return data


# Quick checks: the key is lstm_ref.questions in the judge and for an
# instructor, and salted hashes embedded in a student notebook. Both offer
# QUESTIONS, normalise_answer, check_answer and feedback.
_QUESTIONS = {"key": None}


def use_questions(key):
    """Set the object that checks quick-check answers (see above)."""
    _QUESTIONS["key"] = key


_KIND_TEXT = {
    "choice": 'one letter, e.g. "a"',
    "numeric": "a number, e.g. 0.5",
    "shape": "a tuple of integers, e.g. (2, 3)",
}


def check_quick_answer(variable, question_id):
    """Say at once whether your answer is right (try as often as you like)."""
    namespace = _STATE["namespace"]
    assert variable in namespace, (
        f"{variable} is not set: assign your answer to it in the cell "
        "above (and delete the raise NotImplementedError() line)"
    )
    value = namespace[variable]
    key = _QUESTIONS["key"]
    question = key.QUESTIONS[question_id]
    if key.normalise_answer(question_id, value) is None:
        problem = getattr(key, "answer_problem", None)
        why = problem(question_id, value) if problem is not None else ""
        if not why:
            why = f"is not {_KIND_TEXT[question.kind]}"
        raise AssertionError(f"{variable} = {value!r} {why}")
    assert key.check_answer(question_id, value), (
        f"{variable} = {value!r} is not right: re-read chapter "
        f"{question.chapter} and try again"
    )
    print(f"Right: {variable} = {value!r}")
    explanation = key.feedback(question_id, value)
    if explanation:
        print(explanation)


# --- Before you submit --------------------------------------------------------
# The graded cells a notebook must hold and the visible part of every test,
# as the generator embeds them in a student notebook (expect_submission) or
# judge_side.prepare reads them from the master (a loader, called when needed).
_SUBMIT = {"plan": None, "loader": None}


def expect_submission(plan=None, loader=None):
    """Set what check_before_submit checks: ``plan`` (a dict with
    "assignment", "cells" as graded_cells() gives them and "tests", each
    {"grade_id", "points", "source"}) or a ``loader`` returning it."""
    _SUBMIT["plan"], _SUBMIT["loader"] = plan, loader


def _plan():
    if _SUBMIT["plan"] is None and _SUBMIT["loader"] is not None:
        _SUBMIT["plan"] = _SUBMIT["loader"]()
    return _SUBMIT["plan"]


def graded_cells(notebook):
    """The cells the grader matches by id, in order, from a notebook's JSON
    dict: [{"grade_id", "kind" ("answer", "test" or "helper"), "points"}]."""
    cells = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(meta, dict) or not meta.get("grade_id"):
            continue
        if meta.get("solution"):
            kind = "answer"
        elif meta.get("grade"):
            kind = "test"
        elif meta.get("locked") and cell.get("cell_type") == "code":
            kind = "helper"
        else:
            continue  # a locked text cell: nothing is graded there
        points = float(meta.get("points") or 0) if kind == "test" else 0.0
        cells.append({"grade_id": meta["grade_id"], "kind": kind, "points": points})
    return cells


_WHAT = {"answer": "answer cell", "test": "test cell", "helper": "helper cell"}


def structure_problems(notebook, expected):
    """What is wrong with the graded cells of ``notebook`` (its JSON dict)
    against ``expected`` (graded_cells() of the assignment's notebook): a list
    of (kind, grade_id, message), kind being "stripped", "duplicated",
    "deleted" or "renamed". The grader makes the same check when it collects
    a notebook (autograder/course.py)."""
    stripped = not any(
        isinstance(cell.get("metadata", {}).get("nbgrader"), dict)
        for cell in notebook.get("cells", [])
    )
    found = [cell["grade_id"] for cell in graded_cells(notebook)]
    if stripped:
        return [
            (
                "stripped",
                "",
                "no cell carries the grader's metadata (were the cells copied "
                "into a new notebook?), so no answer can be matched to its "
                "tests: put your answers into a fresh copy of the assignment "
                "notebook",
            )
        ]
    kinds = {cell["grade_id"]: cell["kind"] for cell in expected}
    order = [cell["grade_id"] for cell in expected]
    problems = []
    counts = {}
    for cell in notebook.get("cells", []):  # every cell the grader knows by id
        meta = cell.get("metadata", {}).get("nbgrader")
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id:
            counts[grade_id] = counts.get(grade_id, 0) + 1
    for grade_id, count in counts.items():
        if count > 1:
            what = _WHAT.get(kinds.get(grade_id), "cell")
            problems.append(
                (
                    "duplicated",
                    grade_id,
                    f"the {what} {grade_id} appears "
                    f"{count} times (copied and pasted?): the grader "
                    "cannot tell which one to grade and does not grade the "
                    "notebook; delete the copies, keep one",
                )
            )
    missing = [grade_id for grade_id in order if grade_id not in counts]
    renamed = {}
    for position, grade_id in enumerate(found):
        if not grade_id or grade_id in kinds:
            continue
        before = [g for g in found[:position] if g in kinds]
        after = [g for g in found[position + 1 :] if g in kinds]
        low = order.index(before[-1]) if before else -1
        high = order.index(after[0]) if after else len(order)
        between = [g for g in missing if low < order.index(g) < high]
        if len(between) == 1 and between[0] not in renamed.values():
            renamed[grade_id] = between[0]
            problems.append(
                (
                    "renamed",
                    between[0],
                    f"the {_WHAT[kinds[between[0]]]} {between[0]} was renamed "
                    f"to {grade_id!r} (its grade id, in the cell's metadata): "
                    f"the grader looks for {between[0]}; put the id back, or "
                    "copy the cell from a fresh copy of the notebook",
                )
            )
        else:
            problems.append(
                (
                    "renamed",
                    grade_id,
                    f"a cell has the grade id {grade_id!r}, which this "
                    "assignment does not have (renamed in the cell's "
                    "metadata?): the grader ignores it",
                )
            )
    for grade_id in missing:
        if grade_id in renamed.values():
            continue
        kind = kinds[grade_id]
        if kind == "answer":
            effect = "the grader puts the empty cell back, so it gets no points"
        elif kind == "test":
            effect = "the grader puts it back and runs it, but you cannot run it"
        else:
            effect = "the tests after it cannot run at home"
        problems.append(
            (
                "deleted",
                grade_id,
                f"the {_WHAT[kind]} {grade_id} is missing (deleted?): {effect}; "
                "copy it back from a fresh copy of the notebook",
            )
        )
    return problems


def find_notebook_file(namespace=None, assignment=None):
    """(the path of the running notebook's file, or None; how it was found or
    why not). Looks at the JPY_SESSION_NAME variable Jupyter sets, the
    ``__session__`` and ``__vsc_ipynb_file__`` globals, then the one
    ``<assignment>*.ipynb`` in the working folder."""
    import glob
    import os

    namespace = namespace or {}
    for where, value in (
        ("JPY_SESSION_NAME", os.environ.get("JPY_SESSION_NAME")),
        ("__session__", namespace.get("__session__")),
        ("__vsc_ipynb_file__", namespace.get("__vsc_ipynb_file__")),
    ):
        if not (isinstance(value, str) and value.endswith(".ipynb")):
            continue
        # The path may be relative to where Jupyter started, not to here.
        for candidate in (value, os.path.basename(value)):
            if os.path.isfile(candidate):
                return candidate, f"found through {where}"
    pattern = f"{assignment or ''}*.ipynb"
    matches = sorted(
        path
        for path in glob.glob(pattern)
        if ".ipynb_checkpoints" not in path and os.path.isfile(path)
    )
    if len(matches) == 1:
        return matches[0], "the notebook in the working folder"
    if not matches:
        return None, (
            f"no {pattern} file in the working folder {os.getcwd()}: pass its "
            f'path, e.g. check_before_submit("path/to/{assignment or "A1"}.ipynb")'
        )
    shown = ", ".join(matches)
    return None, (
        f"several notebooks in the working folder ({shown}): pass the one you "
        f'submit, e.g. check_before_submit("{matches[0]}")'
    )


def _first_line(text):
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


def _unwritten_names(plan, namespace):
    """Names the answer cells define that are not defined, or still raise
    NotImplementedError: {name: grade_id}."""
    unwritten = {}
    for cell in plan.get("cells", []):
        for name in cell.get("defines", ()):
            value = namespace.get(name, None)
            code = getattr(value, "__code__", None)
            if name not in namespace or (
                code is not None and "NotImplementedError" in code.co_names
            ):
                unwritten[name] = cell["grade_id"]
    return unwritten


def _run_visible_test(source, grade_id, namespace):
    """("passed" | "unwritten" | "failed", the first line of its message, its
    printed output)."""
    import contextlib
    import io

    printed = io.StringIO()
    scope = dict(namespace)  # the test's own variables stay out of yours
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            exec(compile(source, f"<{grade_id}>", "exec"), scope)
    except NotImplementedError:
        return "unwritten", "raises NotImplementedError", printed.getvalue()
    except Exception as error:  # a failing test, whatever it raised
        message = _first_line(error)
        if isinstance(error, AssertionError) and (
            "is not written yet" in message or " is not set:" in message
        ):
            return "unwritten", message, printed.getvalue()
        if isinstance(error, NameError):
            return "unwritten", f"{message} (run its cell first)", printed.getvalue()
        if not isinstance(error, AssertionError):
            message = f"{type(error).__name__}: {message}"
        return "failed", message or type(error).__name__, printed.getvalue()
    return "passed", "", printed.getvalue()


def _redefined_helpers(plan, namespace):
    """Helper names the notebook has since given another value."""
    helpers = _STATE.get("helpers") or {}
    own = {name for cell in plan.get("cells", []) for name in cell.get("defines", ())}
    return sorted(
        name
        for name, value in helpers.items()
        if name not in own and namespace.get(name, value) is not value
    )


def submit_report(path=None):
    """What check_before_submit prints, as a dict (see there)."""
    import json

    namespace = _STATE["namespace"]
    if namespace is None:
        raise RuntimeError("run the helper cell first: it calls bind(globals())")
    plan = _plan()
    if plan is None:
        raise RuntimeError("this notebook's helper cell says nothing about its tests")
    report = {
        "assignment": plan.get("assignment", ""),
        "tests": len(plan.get("tests", [])),
        "passed": 0,
        "unwritten": [],
        "failed": [],
        "partial": [],
        "cells": [],
        "redefined": _redefined_helpers(plan, namespace),
        "file": None,
        "file_note": "",
    }
    # name -> the tests that wait for it, in the notebook's order
    unwritten = {name: [] for name in _unwritten_names(plan, namespace)}
    for test in plan.get("tests", []):
        outcome, message, printed = _run_visible_test(
            test["source"], test["grade_id"], namespace
        )
        points = test.get("points", 0)
        if outcome == "passed":
            report["passed"] += 1
            note = next(
                (
                    line.strip()
                    for line in printed.splitlines()
                    if "skipped" in line.lower()
                ),
                "",
            )
            if note:
                report["partial"].append((test["grade_id"], points, note))
        elif outcome == "unwritten":
            named = re.match(r"(?:your )?(\w+) is not (?:written yet|set)", message)
            unwritten.setdefault(named.group(1) if named else message, []).append(
                test["grade_id"]
            )
        else:
            report["failed"].append((test["grade_id"], points, message))
    report["unwritten"] = list(unwritten.items())
    if path is None:
        path, note = find_notebook_file(namespace, report["assignment"])
    else:
        note = "the file you named"
    report["file"], report["file_note"] = path, note
    if path is not None:
        try:
            with open(path, encoding="utf-8") as handle:
                notebook = json.load(handle)
        except (OSError, ValueError) as error:
            report["file"] = None
            report["file_note"] = f"could not read {path}: {error}"
        else:
            report["cells"] = [
                message for _, _, message in structure_problems(notebook, plan["cells"])
            ]
    return report


def check_before_submit(path=None):
    """Run every visible test again and list what is left to do: what is not
    written yet, which tests fail (the first line of each message), and any
    graded cell deleted, copied or renamed in the notebook's file (read as
    last saved, found by itself or at ``path``)."""
    report = submit_report(path)
    lines = []
    if report["unwritten"]:
        lines.append("Not written yet:")
        for name, tests in report["unwritten"]:
            waiting = f" (checked by {', '.join(tests)})" if tests else ""
            lines.append(f"  - {name}{waiting}")
    if report["failed"]:
        lines.append("Failing visible tests:")
        for grade_id, points, message in report["failed"]:
            lines.append(f"  - {grade_id} ({points:g} points): {message}")
    if report["cells"]:
        lines.append("Graded cells:")
        lines += [f"  - {message}" for message in report["cells"]]
    if report["redefined"]:
        names = ", ".join(report["redefined"])
        lines.append("Test helpers:")
        lines.append(
            f"  - your notebook gives another value to {names}, which the "
            "tests use: rename yours and run the helper cell again"
        )
    if report["partial"]:
        lines.append("Checked only in part here:")
        for grade_id, _, note in report["partial"]:
            lines.append(f"  - {grade_id}: {note}")
    if report["file"] is None:
        lines.append(
            "Could not check the graded cells: could not find this notebook's "
            f"file ({report['file_note']})."
        )
    count = (
        len(report["unwritten"])
        + len(report["failed"])
        + len(report["cells"])
        + bool(report["redefined"])
    )
    name = report["assignment"] or "the assignment"
    head = (
        f"Before you submit {name}: {report['passed']} of {report['tests']} "
        "visible tests pass"
    )
    if report["file"] is not None:
        head += f"; graded cells read from {report['file']} (as last saved)"
    print(head + ".")
    if lines:
        print("\n".join(lines))
    if count:
        print(
            f"{count} thing{'s' if count != 1 else ''} to fix. The grader also "
            "runs hidden tests: passing the visible ones is needed, not enough."
        )
    else:
        print(
            "Nothing to fix: every visible test passes"
            + (" and every graded cell is in place" if report["file"] else "")
            + ". Save the notebook and submit it. The grader also runs hidden "
            "tests: passing the visible ones is needed, not enough."
        )
