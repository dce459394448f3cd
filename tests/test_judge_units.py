"""The judge's write-back of arguments student code changed in place.

The child (autograder/child.py, run in the sandbox) snapshots a call's
arguments and sends back those the call changed; the judge
(autograder/judge.py) changes its own arguments the same way, so a test sees
what a caller of the student's function would see, and the testkit's
mutation check (autograder/testkit/common.call) can name the argument.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import namedtuple

import numpy as np
from notebook_regions import REPO

from autograder import judge

Cache = namedtuple("Cache", "f c_prev")


def _child():
    sys.path.insert(0, str(REPO / "autograder"))  # child.py imports protocol
    try:
        spec = importlib.util.spec_from_file_location(
            "child", REPO / "autograder/child.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "autograder"))
    return module


def test_the_child_sees_an_array_changed_inside_a_tuple_cache():
    child = _child()
    cache = Cache(np.ones(3), {"W": np.zeros(2)})
    before = child._snapshot(cache)
    assert child._same(before, cache)
    f = cache.f
    f *= 2.0  # e.g. `f = cache.f; f *= ...` in a student's backward
    assert not child._same(before, cache)
    cache = (np.ones(2), [np.zeros(1)])
    before = child._snapshot(cache)
    cache[1][0][0] = 5.0
    assert not child._same(before, cache)


def test_the_judge_writes_a_change_inside_a_tuple_back_into_its_arrays():
    original = Cache(np.ones(3), {"W": np.zeros(2)})
    f, weights = original.f, original.c_prev["W"]
    judge._write_back(original, (np.full(3, 2.0), {"W": np.ones(2)}))
    assert original.f is f  # the same arrays, changed in place
    np.testing.assert_array_equal(f, [2.0, 2.0, 2.0])
    assert original.c_prev["W"] is weights
    np.testing.assert_array_equal(weights, [1.0, 1.0])
