"""Speed of lstm_forward / lstm_backward, against a naive loop and torch.nn.LSTM.

Prints, for each shape and dtype: forward and forward+backward wall time (the
fastest of several repeats, ours and torch's taken in alternating rounds so
that a slow spell of a shared machine hits both alike), the achieved GFLOP/s
(counting the matrix products only: 2·N·T·4H·(D + H) for the forward, three
times that for forward plus backward), the ratio to a naive per-gate loop of
the cell functions, and, when a Python with torch is available, the ratio to
torch.nn.LSTM on the same shapes (timed in a separate process so the two never
share a thread pool).

    python benchmarks/bench_lstm.py [--torch-python /path/to/python] [--quick]

torch is never a dependency of the project: pass --torch-python to point at an
interpreter that has it (e.g. a separate venv with torch==2.13.0 installed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_ref.init import init_lstm_params  # noqa: E402
from lstm_ref.lstm import (  # noqa: E402
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
)

SHAPES = [(64, 100, 32, 128), (32, 200, 64, 256), (1, 1000, 1, 32)]
DTYPES = ["float32", "float64"]
ROUNDS = 3


def _best_time(fn, repeats: int) -> float:
    """The fastest of ``repeats`` runs after a warm-up.

    The minimum, not the mean: on a shared machine every disturbance only ever
    adds time, so the fastest run is the best estimate of the cost itself.
    """
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.min(times))


def _inputs(n, t, d, h, dtype):
    rng = np.random.default_rng(0)
    params = {k: v.astype(dtype) for k, v in init_lstm_params(d, h, rng=rng).items()}
    x = rng.standard_normal((n, t, d)).astype(dtype)
    h0 = np.zeros((n, h), dtype=dtype)
    dhs = rng.standard_normal((n, t, h)).astype(dtype)
    return x, h0, params, dhs


def time_ours(n, t, d, h, dtype, repeats):
    x, h0, params, dhs = _inputs(n, t, d, h, dtype)

    def fwd():
        return lstm_forward(x, h0, h0, params)

    def fwd_bwd():
        _, _, cache = lstm_forward(x, h0, h0, params)
        return lstm_backward(dhs, cache)

    return _best_time(fwd, repeats), _best_time(fwd_bwd, repeats)


def time_naive(n, t, d, h, dtype, repeats):
    """The teaching code: one lstm_cell_forward/backward call per step."""
    x, h0, params, dhs = _inputs(n, t, d, h, dtype)

    def fwd():
        hh, cc, caches = h0, h0, []
        for step in range(t):
            hh, cc, cache = lstm_cell_forward(x[:, step], hh, cc, params)
            caches.append(cache)
        return caches

    def fwd_bwd():
        caches = fwd()
        dh = dc = np.zeros_like(h0)
        total = None
        for step in range(t - 1, -1, -1):
            _, dh, dc, grads = lstm_cell_backward(dhs[:, step] + dh, dc, caches[step])
            total = grads if total is None else {k: total[k] + grads[k] for k in grads}
        return total

    return _best_time(fwd, repeats), _best_time(fwd_bwd, repeats)


TORCH_SCRIPT = r"""
import json, sys, time
import numpy as np
import torch
n, t, d, h, dtype, repeats = json.loads(sys.argv[1])
torch.manual_seed(0)
dt = getattr(torch, dtype)
lstm = torch.nn.LSTM(d, h, batch_first=True).to(dt)
x = torch.randn(n, t, d, dtype=dt, requires_grad=True)
h0 = torch.zeros(1, n, h, dtype=dt)
dout = torch.randn(n, t, h, dtype=dt)
def fwd():
    with torch.no_grad():
        return lstm(x, (h0, h0))
def fwd_bwd():
    lstm.zero_grad(set_to_none=True)
    x.grad = None
    out, _ = lstm(x, (h0, h0))
    out.backward(dout)
def best(fn):
    fn()
    ts = []
    for _ in range(repeats):
        s = time.perf_counter(); fn(); ts.append(time.perf_counter() - s)
    return float(np.min(ts))
print(json.dumps({"fwd": best(fwd), "fwd_bwd": best(fwd_bwd),
                  "torch": torch.__version__, "threads": torch.get_num_threads()}))
"""


def time_torch(python, n, t, d, h, dtype, repeats):
    out = subprocess.run(
        [python, "-c", TORCH_SCRIPT, json.dumps([n, t, d, h, dtype, repeats])],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _find_torch_python(explicit: str | None) -> str | None:
    candidates = [explicit] if explicit else [sys.executable]
    for python in candidates:
        probe = subprocess.run(
            [python, "-c", "import torch"], capture_output=True, text=True
        )
        if probe.returncode == 0:
            return python
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python", help="a Python interpreter with torch")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive loop")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    torch_python = _find_torch_python(args.torch_python)

    try:
        from threadpoolctl import threadpool_info

        blas = [
            (i["internal_api"], i.get("architecture"), i["num_threads"])
            for i in threadpool_info()
        ]
    except ImportError:
        blas = "threadpoolctl not installed"
    print(f"numpy {np.__version__}, BLAS {blas}, cores {os.cpu_count()}")
    print(f"torch: {'via ' + torch_python if torch_python else 'not available'}")
    header = (
        f"{'(N, T, D, H)':<20}{'dtype':<9}{'fwd ms':>9}{'f+b ms':>9}"
        f"{'GFLOP/s':>9}{'naive×':>8}{'torch fwd':>11}{'torch f+b':>11}"
        f"{'ours/torch f+b':>16}"
    )
    print(header)
    print("-" * len(header))
    for shape in SHAPES:
        n, t, d, h = shape
        flops_fwd = 2 * n * t * 4 * h * (d + h)
        for dtype in DTYPES:
            reps = max(2, repeats // 2) if n == 1 else repeats
            fwd = fwd_bwd = t_fwd = t_fb = float("inf")
            for _ in range(ROUNDS):
                ours = time_ours(n, t, d, h, dtype, reps)
                fwd, fwd_bwd = min(fwd, ours[0]), min(fwd_bwd, ours[1])
                if torch_python:
                    res = time_torch(torch_python, n, t, d, h, dtype, reps)
                    t_fwd = min(t_fwd, res["fwd"] * 1e3)
                    t_fb = min(t_fb, res["fwd_bwd"] * 1e3)
            gflops = 3 * flops_fwd / fwd_bwd / 1e9
            if args.no_naive:
                naive_ratio = float("nan")
            else:
                _, naive_fb = time_naive(n, t, d, h, dtype, max(1, reps // 3))
                naive_ratio = naive_fb / fwd_bwd
            if torch_python:
                ratio = fwd_bwd * 1e3 / t_fb
                torch_cols = f"{t_fwd:>11.2f}{t_fb:>11.2f}{ratio:>15.2f}×"
            else:
                torch_cols = f"{'-':>11}{'-':>11}{'-':>16}"
            print(
                f"{str(shape):<20}{dtype:<9}{fwd * 1e3:>9.2f}{fwd_bwd * 1e3:>9.2f}"
                f"{gflops:>9.2f}{naive_ratio:>7.1f}×{torch_cols}",
                flush=True,
            )
    print(
        "naive× = naive per-gate cell loop time / ours (forward+backward); "
        "ours/torch < 1 means we are faster."
    )


if __name__ == "__main__":
    main()
