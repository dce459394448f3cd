"""The cost of the judge's channel to the sandbox: a proxied call, and a notebook.

    python benchmarks/bench_channel.py [--calls 2000]

Starts one sandboxed child (bubblewrap, as the grader does), defines a few
functions in it, and times from the judge:

- a proxied call with small arguments (``add(1.0, 2.0)``), in microseconds;
- a call with the arguments of an A2 cell test (x_t (4, 3), h_prev and c_prev
  (4, 8), a params dict of eight arrays) returning three arrays;
- a call that sends 1 MB and returns it;
- a call whose body calls back into the judge once (a substitution stub);
- the same small function called in-process, for the ratio;
- the time to start a sandbox and hand it a notebook (what grading pays per
  notebook before the first cell; the grader starts the next one ahead of
  time, while nbgrader books the last).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.judge import RemoteFunction  # noqa: E402
from autograder.sandbox import Limits, _Session  # noqa: E402

CELL = """
import numpy as np

def add(a, b):
    return np.add(a, b)

def cell(x_t, h_prev, c_prev, params):
    z = np.concatenate([h_prev, x_t], axis=1)
    f = 1 / (1 + np.exp(-(z @ params["W_f"].T + params["b_f"])))
    return f * np.tanh(c_prev), f * c_prev, f

def echo(x):
    return x

def twice(x):
    return helper(x) * 2
"""


def _time(function, calls: int) -> float:
    """Median microseconds per call over five rounds."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls // 5):
            function()
        rounds.append((time.perf_counter() - start) / (calls // 5) * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    starts = []
    for _ in range(3):
        start = time.perf_counter()
        session = _Session(Limits())
        ready = session.start(time.monotonic() + 60)
        starts.append(time.perf_counter() - start)
        assert ready, "the sandbox did not start (is bubblewrap installed?)"
        if len(starts) < 3:
            session.close()
    channel = session.channel
    channel.deadline = float("inf")
    answer, _ = channel.request({"op": "cell", "source": CELL})
    assert answer.get("error") is None, answer

    add = RemoteFunction(channel, "add")
    cell = RemoteFunction(channel, "cell")
    echo = RemoteFunction(channel, "echo")
    twice = RemoteFunction(channel, "twice")
    rng = np.random.default_rng(0)
    x_t, h_prev, c_prev = (
        rng.normal(size=(4, 3)),
        rng.normal(size=(4, 8)),
        rng.normal(size=(4, 8)),
    )
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(size=(8, 11))
        params[f"b_{gate}"] = rng.normal(size=8)
    big = rng.normal(size=125_000)  # 1 MB

    def local_add(a, b):
        return np.add(a, b)

    figures = {
        "in-process add(1.0, 2.0)": _time(lambda: local_add(1.0, 2.0), args.calls),
        "proxied add(1.0, 2.0)": _time(lambda: add(1.0, 2.0), args.calls),
        "proxied A2 cell step (11 arrays in, 3 out)": _time(
            lambda: cell(x_t, h_prev, c_prev, params), args.calls
        ),
        "proxied echo of 1 MB": _time(lambda: echo(big), max(50, args.calls // 10)),
        "proxied call with one callback": _time(
            lambda: twice.call_with({"helper": lambda x: x + 1}, 1.0), args.calls
        ),
    }
    for name, micros in figures.items():
        print(f"{name:45s} {micros:9.1f} µs")
    ratio = figures["proxied add(1.0, 2.0)"] / figures["in-process add(1.0, 2.0)"]
    print(f"{'proxied / in-process (small call)':45s} {ratio:9.0f} x")
    print(
        f"{'sandbox start to ready (median of 3)':45s} "
        f"{statistics.median(starts) * 1e3:9.1f} ms"
    )
    session.close()


if __name__ == "__main__":
    main()
