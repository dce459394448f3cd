"""Running a student notebook in a sandbox, and grading its test cells.

``SandboxExecute`` replaces nbgrader's ``Execute`` in the autograde step. It
runs the whole notebook in one Python process (``autograder/runner.py``)
started under bubblewrap (Debian's ``bwrap``, the sandbox Flatpak uses):

- the process sees only a throw-away copy of the student's files (its working
  directory), the Python installation and its packages (read-only), and an
  empty ``/tmp``: not the gradebook, not ``source/`` or ``solutions/``, not
  other students' submissions, not the instructor's home; no network (a new,
  empty network namespace), no other processes (a new PID namespace);
- its address space is capped (``RLIMIT_AS``, ``memory_mib``): an allocation
  beyond it raises ``MemoryError`` in the student's cell;
- the notebook has a wall-clock budget (``timeout``, seconds) and each cell a
  budget of its own (``cell_timeout``); when one runs out the process group is
  killed (a ``while True`` that ignores SIGINT cannot stop that), and the
  tests that finished keep their points;
- files the student's code writes stay in the throw-away copy: they never
  reach the autograded folder or the feedback;
- a clean ``HOME`` and ``IPYTHONDIR``: no startup file or Jupyter
  configuration of the grading account applies.

Why bubblewrap: it needs no daemon and no root (unprivileged user
namespaces), starts in milliseconds, and is a Debian package; a separate
Unix user with file permissions would need root and a careful chmod of every
instructor file, and containers need an engine these machines do not run.

A test cell earns its points when it ran to the end without an exception and
nothing the tests compare with was replaced while it ran (see runner.py);
stderr output (a warning) and the value of its last line do not matter. The
verdict is stored in each test cell's metadata (``autograder``) and read by
``SaveVerdicts``; what went wrong with the notebook as a whole (a timeout, a
crash, replaced functions) is stored in the notebook's metadata.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import resource
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from traitlets import Float, Int

RUNNER = Path(__file__).resolve().parent / "runner.py"
SANDBOX_RUNNER = "/grader/runner.py"
WORKDIR = "/submission"
BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces here."""


@functools.cache
def _package_dir(name: str) -> str:
    """Where ``python -I`` imports a package from (an editable install may
    point outside the environment)."""
    found = subprocess.run(
        [sys.executable, "-I", "-c", f"import {name}; print({name}.__file__)"],
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
    )
    return str(Path(found.stdout.strip()).resolve().parent)


def _readonly_roots() -> list[str]:
    """What the sandbox's Python needs to see: itself and its packages."""
    roots = {
        sys.base_prefix,
        sys.prefix,
        str(Path(sys.executable).resolve().parent.parent),
        _package_dir("lstm_ref"),
    }
    # Drop roots inside other roots; /usr is bound anyway.
    chosen: list[str] = []
    for root in sorted(roots, key=len):
        if root.startswith("/usr/") or root == "/usr":
            continue
        if not any(root == c or root.startswith(c + "/") for c in chosen):
            chosen.append(root)
    return chosen


def bwrap_command(workdir: Path, argv: list[str]) -> list[str]:
    command = [
        BWRAP,
        "--unshare-all",  # network, PID, IPC, UTS, user and cgroup namespaces
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for name in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            command += ["--ro-bind", str(path), f"/{name}"]
    for name in ("ld.so.cache", "localtime"):
        if (Path("/etc") / name).exists():
            command += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for root in _readonly_roots():
        command += ["--ro-bind", root, root]
    command += ["--ro-bind", str(RUNNER), SANDBOX_RUNNER]
    command += ["--bind", str(workdir), WORKDIR, "--chdir", WORKDIR]
    return command + argv


def _sandbox_env() -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp/home",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_CONFIG_DIR": "/tmp/jupyter",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "MPLBACKEND": "Agg",
        "PYTHONWARNINGS": "ignore",
        "PYTHONDONTWRITEBYTECODE": "1",
        # One BLAS thread per notebook: parallel grading uses the cores.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }


def check_sandbox() -> None:
    """Raise SandboxUnavailable with what to do, if bwrap cannot run here."""
    if not Path(BWRAP).exists():
        raise SandboxUnavailable(
            "bubblewrap is not installed: `apt-get install bubblewrap` "
            "(the grader runs student code only inside its sandbox)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        probe = bwrap_command(Path(tmp), [sys.executable, "-I", "-c", "pass"])
        done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise SandboxUnavailable(
                "bubblewrap cannot create a sandbox here: "
                + (done.stderr.strip() or f"exit code {done.returncode}")
            )


def _cell_kind(cell: NotebookNode) -> str:
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("grade") and not meta.get("solution"):
        return "test"
    if meta.get("locked") and not meta.get("solution"):
        return "locked"
    return "student"


def _cell_name(cell: NotebookNode, number: int) -> str:
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    return f"cell {grade_id!r}" if grade_id else f"code cell {number}"


def _error_output(ename: str, evalue: str, traceback: list[str] | None = None):
    return from_dict(
        {
            "output_type": "error",
            "ename": ename,
            "evalue": evalue,
            "traceback": traceback or [f"{ename}: {evalue}"],
        }
    )


def _outputs(answer: dict) -> list[NotebookNode]:
    outputs = []
    for name in ("stdout", "stderr"):
        if answer[name]:
            outputs.append(
                from_dict({"output_type": "stream", "name": name, "text": answer[name]})
            )
    for data in answer["displays"]:
        if data:
            outputs.append(
                from_dict({"output_type": "display_data", "data": data, "metadata": {}})
            )
    if answer["result"]:
        outputs.append(
            from_dict(
                {
                    "output_type": "execute_result",
                    "data": answer["result"],
                    "metadata": {},
                    "execution_count": None,
                }
            )
        )
    if answer["error"]:
        error = answer["error"]
        outputs.append(
            _error_output(error["ename"], error["evalue"], error["traceback"])
        )
    return outputs


class _Session:
    """One sandboxed runner process, its working copy, and the pipes to it.

    The process imports IPython, NumPy and lstm_ref as soon as it starts and
    then waits for its notebook, so a session started ahead of time (while
    nbgrader does its bookkeeping for the previous notebook) is ready at once.
    """

    def __init__(self, memory_bytes: int, file_bytes: int) -> None:
        self.limits = (memory_bytes, file_bytes)
        self.workdir = Path(tempfile.mkdtemp(prefix="lstm-grade-"))
        workdir = self.workdir
        self.token = secrets.token_hex(16)
        cmd_read, self._cmd_write = os.pipe()
        self._ans_read, ans_write = os.pipe()

        def limits() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        argv = [sys.executable, "-I", SANDBOX_RUNNER, str(cmd_read), str(ans_write)]
        self.process = subprocess.Popen(
            bwrap_command(workdir, argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=_sandbox_env(),
            pass_fds=(cmd_read, ans_write),
            preexec_fn=limits,  # noqa: PLW1509 (no threads in a grading worker)
            start_new_session=True,
        )
        os.close(cmd_read)
        os.close(ans_write)
        self._commands = os.fdopen(self._cmd_write, "w", encoding="utf-8")
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._ans_read, selectors.EVENT_READ)
        self._buffer = b""
        self._closed = False

    def send(self, message: dict) -> bool:
        try:
            self._commands.write(json.dumps(message) + "\n")
            self._commands.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def receive(self, deadline: float) -> dict | str:
        """The next answer, or "timeout", or "died"."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            if not self._selector.select(remaining):
                return "timeout"
            chunk = os.read(self._ans_read, 1 << 20)
            if not chunk:
                return "died"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            answer = json.loads(line)
        except ValueError:
            return "died"
        if not isinstance(answer, dict) or answer.get("token") != self.token:
            return "died"
        return answer

    def close(self) -> int | None:
        if self._closed:
            return self.process.returncode
        self._closed = True
        with contextlib.suppress(OSError):
            self._commands.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self._selector.close()
        os.close(self._ans_read)
        if self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return self.process.returncode


_spare: _Session | None = None


def _close_spare() -> None:
    global _spare  # noqa: PLW0603 (one spare session per grading process)
    if _spare is not None:
        _spare.close()
        _spare = None


atexit.register(_close_spare)


def _session(memory_bytes: int, file_bytes: int) -> _Session:
    """A started session with these limits: the spare one if it matches."""
    global _spare  # noqa: PLW0603
    session, _spare = _spare, None
    if (
        session is not None
        and session.limits == (memory_bytes, file_bytes)
        and session.process.poll() is None
    ):
        return session
    if session is not None:
        session.close()
    return _Session(memory_bytes, file_bytes)


def _start_spare(memory_bytes: int, file_bytes: int) -> None:
    global _spare  # noqa: PLW0603
    _close_spare()
    _spare = _Session(memory_bytes, file_bytes)


class SandboxExecute(NbGraderPreprocessor):
    """Execute the notebook in the sandbox and record a verdict per test cell."""

    timeout = Int(600, help="Wall-clock seconds for the whole notebook.").tag(
        config=True
    )
    cell_timeout = Int(120, help="Wall-clock seconds for one cell.").tag(config=True)
    startup_timeout = Int(60, help="Seconds to start Python in the sandbox.").tag(
        config=True
    )
    memory_mib = Int(2048, help="Address-space cap of the notebook (MiB).").tag(
        config=True
    )
    file_mib = Int(64, help="Largest file the notebook may write (MiB).").tag(
        config=True
    )
    slack = Float(1.0, help="Seconds allowed beyond a budget for bookkeeping.")

    def preprocess(self, nb: NotebookNode, resources: dict):
        problems: list[str] = []
        replaced: set[str] = set()
        # The autograded folder: the assignment's other files (data) are
        # copied into the working copy, never the notebook itself.
        build_dir = resources.get("metadata", {}).get("path")
        limits = (self.memory_mib << 20, self.file_mib << 20)
        session = _session(*limits)
        try:
            if build_dir:
                for item in Path(build_dir).iterdir():
                    if item.is_file() and item.suffix != ".ipynb":
                        shutil.copy(item, session.workdir / item.name)
            self._run(nb, session, problems, replaced)
        finally:
            code = session.close()
            self.log.debug("sandbox exit code %s", code)
        _start_spare(*limits)
        if replaced:
            problems.append(
                "student code replaced functions the tests compare with: "
                + ", ".join(sorted(replaced))
                + " (put back before each test)"
            )
        nb.metadata["autograder"] = {
            "problems": problems,
            # Time the notebook's own code ran (for the grading benchmark).
            "code_seconds": round(self._code_seconds, 4),
        }
        return nb, resources

    _code_seconds = 0.0

    def _run(self, nb, session, problems, replaced) -> None:
        self._code_seconds = 0.0
        start = time.monotonic()
        notebook_deadline = start + self.timeout + self.slack
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        for cell in code_cells:
            cell.outputs = []
            cell.execution_count = None
        session.send({"token": session.token, "cwd": WORKDIR})
        ready = session.receive(time.monotonic() + self.startup_timeout)
        if not isinstance(ready, dict):
            reason = "the sandbox's Python did not start"
            problems.append(reason)
            self._not_run(code_cells, reason)
            return
        for number, cell in enumerate(code_cells, start=1):
            kind = _cell_kind(cell)
            now = time.monotonic()
            deadline = min(notebook_deadline, now + self.cell_timeout + self.slack)
            sent = session.send({"index": number, "kind": kind, "source": cell.source})
            answer = session.receive(deadline) if sent else "died"
            self._code_seconds += (
                answer["seconds"]
                if isinstance(answer, dict)
                else time.monotonic() - now
            )
            if isinstance(answer, dict):
                cell.outputs = _outputs(answer)
                cell.execution_count = number
                during = answer["replaced_during"]
                replaced.update(answer["replaced_before"], during)
                if kind == "test":
                    self._verdict(cell, answer, during)
                error = answer["error"]
                if error and error["ename"] == "MemoryError":
                    problems.append(
                        f"ran out of memory in {_cell_name(cell, number)} "
                        f"(the cap is {self.memory_mib} MiB)"
                    )
                continue
            name = _cell_name(cell, number)
            if answer == "timeout":
                per_cell = deadline < notebook_deadline
                budget = (
                    f"its {self.cell_timeout} s limit per cell"
                    if per_cell
                    else f"the notebook's {self.timeout} s time limit"
                )
                message = f"this cell was still running after {budget}; it was stopped"
                problems.append(f"timed out in {name} ({budget})")
                ename = "TimeoutError"
            else:
                code = session.close()
                message = (
                    "the Python process running the notebook stopped during this "
                    f"cell (exit code {code}): os._exit(), a crash, or running out "
                    "of memory"
                )
                problems.append(f"the notebook's process stopped in {name}")
                ename = "DeadKernelError"
            cell.outputs = [_error_output(ename, message)]
            self._fail(cell, message)
            self._not_run(
                code_cells[number:], f"not run: the notebook stopped at {name}"
            )
            return

    @staticmethod
    def _verdict(cell: NotebookNode, answer: dict, replaced: list[str]) -> None:
        if answer["error"]:
            error = answer["error"]
            reason = f"{error['ename']}: {error['evalue']}"
            if error["ename"] == "MemoryError":
                reason += " (your code needed more memory than the grader allows)"
            cell.metadata["autograder"] = {"passed": False, "reason": reason}
        elif replaced:
            reason = (
                "your code replaced " + ", ".join(replaced) + " while this test ran; "
                "tests must compare with the real functions, so no credit"
            )
            cell.outputs.append(_error_output("TamperingError", reason))
            cell.metadata["autograder"] = {"passed": False, "reason": reason}
        else:
            cell.metadata["autograder"] = {"passed": True, "reason": ""}

    @staticmethod
    def _fail(cell: NotebookNode, reason: str) -> None:
        if _cell_kind(cell) == "test":
            cell.metadata["autograder"] = {"passed": False, "reason": reason}

    def _not_run(self, cells: list[NotebookNode], reason: str) -> None:
        for cell in cells:
            cell.outputs = (
                [_error_output("NotRun", reason)] if _cell_kind(cell) == "test" else []
            )
            self._fail(cell, reason)


class SaveVerdicts(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, scoring test cells by SandboxExecute's verdict.

    nbgrader scores a test cell 0 if it wrote to stderr and scores it by the
    value of its last line if that is a number; here a test earns its points
    exactly when it passed.
    """

    def _add_score(self, cell: NotebookNode, resources: dict) -> None:
        verdict = cell.metadata.get("autograder")
        if verdict is None or utils.is_solution(cell):
            super()._add_score(cell, resources)
            return
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        points = float(cell.metadata["nbgrader"]["points"])
        grade.auto_score = points if verdict["passed"] else 0.0
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
