"""The dedicated kernel student notebooks are graded in.

nbgrader runs each notebook in the kernel its metadata names, with the
grading account's IPython profile and Jupyter configuration. We grade in a
kernelspec created for the run instead:

- a clean ``IPYTHONDIR`` and ``JUPYTER_CONFIG_DIR`` (temporary, empty but for
  the settings below), so no startup file or profile of the grading account
  runs before the student's code;
- warnings ignored, because nbgrader 0.9.6 gives 0 to a test cell with any
  stderr output and a ``RuntimeWarning`` from NumPy would otherwise cost a
  student the points of a passing test;
- the interpreter of the running command, so the kernel sees the same
  ``numpy`` and ``lstm_ref`` as the grader.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KERNEL_NAME = "lstm-grader"

_KERNEL_CONFIG = """\
c = get_config()  # noqa: F821
# nbgrader zeroes a test cell with any stderr output: keep warnings off it.
c.InteractiveShellApp.exec_lines = [
    "import warnings as _w; _w.simplefilter('ignore'); del _w"
]
c.HistoryManager.enabled = False
# Not the student's concern, and it would clutter the grader's terminal.
c.IPKernelApp.log_level = "ERROR"
"""


@contextmanager
def grading_kernel() -> Iterator[str]:
    """Install the grading kernelspec for the duration; yield its name."""
    with tempfile.TemporaryDirectory(prefix="lstm-grader-") as tmp:
        root = Path(tmp)
        profile = root / "ipython" / "profile_default"
        profile.mkdir(parents=True)
        (profile / "ipython_kernel_config.py").write_text(_KERNEL_CONFIG)
        config_dir = root / "jupyter-config"
        config_dir.mkdir()
        spec_dir = root / "jupyter" / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {
            "argv": [
                sys.executable,
                "-W",
                "ignore",
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
            ],
            "display_name": "LSTM course grader",
            "language": "python",
            "env": {
                "IPYTHONDIR": str(root / "ipython"),
                "JUPYTER_CONFIG_DIR": str(config_dir),
                "PYTHONWARNINGS": "ignore",
                "MPLBACKEND": "Agg",
            },
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
        previous = os.environ.get("JUPYTER_PATH")
        paths = [str(root / "jupyter")] + ([previous] if previous else [])
        os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
        try:
            yield KERNEL_NAME
        finally:
            if previous is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = previous
