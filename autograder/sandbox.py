"""Running a student notebook: student cells in a sandbox, tests in the judge.

``SandboxExecute`` replaces nbgrader's ``Execute`` in the autograde step. It
splits the notebook in two:

- **the sandboxed child** (``child.py``) runs the student's cells and the
  provided cells, in one Python process started under bubblewrap (Debian's
  ``bwrap``, the sandbox Flatpak uses). It never receives a test cell, the
  helper cell, ``lstm_ref``, the solutions or anything of the course
  directory;
- **the judge** (``judge.py``, this process) runs the helper cell and the
  test cells, taken from the assignment's source notebook (never from the
  submission), and reaches the student's functions through the by-value
  channel of ``protocol.py``. The verdict of a test cell is decided here: it
  passes when it ran to the end without an exception.

The child is confined:

- it sees the Python installation and its packages (read-only, with
  ``lstm_ref`` hidden), ``/grader`` (``child.py`` and ``protocol.py``,
  read-only), a working folder and ``/tmp``, both tmpfs mounts of a fixed
  size (``workdir_mib``, ``tmp_mib``), and nothing else: no gradebook, no
  ``source/`` or ``solutions/``, no other submission, no home directory, no
  network (a new, empty network namespace), no other process (a new PID
  namespace);
- its memory over all its processes (``memory_mib``) and its number of
  processes and threads (``max_tasks``) are capped by a control group
  (``cgroups.py``); each process's address space is capped as well, so too
  large an allocation is a ``MemoryError`` in the student's cell;
- the notebook has a wall-clock budget (``timeout``) and each cell one of its
  own (``cell_timeout``); when one runs out the process group is killed;
- output is kept up to ``output_cell_kib`` a cell and ``output_notebook_kib``
  a notebook; the rest is cut, with a line that says so.

Where a limit cannot be enforced on a machine (no cgroup the grader may
create), ``limits_not_enforced()`` says which and why; ``autograde`` prints
it once and every graded notebook's metadata keeps it.

Why bubblewrap: it needs no daemon and no root (unprivileged user
namespaces), starts in milliseconds, and is a Debian package.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from traitlets import Float, Int

from autograder.cgroups import CgroupFactory
from autograder.judge import Channel, Judge, SandboxGone

HERE = Path(__file__).resolve().parent
CHILD_FILES = (HERE / "child.py", HERE / "protocol.py")
SANDBOX_CHILD = "/grader/child.py"
SANDBOX_SEED = "/grader/seed"
WORKDIR = "/submission"
BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"
HELPER_PREFIX = "test_helpers"
# Ungraded demonstrations (training a model to look at its curve) tagged so
# in the source notebook: the grader skips them while the student left them
# as they were.
SKIP_TAG = "grader-skip"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces here."""


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 2048 << 20
    file_bytes: int = 64 << 20
    tmp_bytes: int = 64 << 20
    workdir_bytes: int = 64 << 20
    max_tasks: int = 64
    output_cell_bytes: int = 64 << 10
    max_message_bytes: int = 2048 << 20


@functools.cache
def cgroup_factory() -> CgroupFactory:
    factory = CgroupFactory()
    if factory.available:
        factory.remove_stale()
    return factory


def limits_not_enforced() -> list[str]:
    """The limits this machine cannot enforce, each with the reason."""
    factory = cgroup_factory()
    if factory.available:
        return []
    return [
        "memory over all of a notebook's processes (each process is still "
        f"capped on its own): {factory.problem}",
        f"the number of processes and threads: {factory.problem}",
    ]


@functools.cache
def _package_dir(name: str) -> str | None:
    """Where ``python -I`` imports a package from, or None."""
    found = subprocess.run(
        [sys.executable, "-I", "-c", f"import {name}; print({name}.__file__)"],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    if found.returncode != 0:
        return None
    return str(Path(found.stdout.strip()).resolve().parent)


def _readonly_roots() -> list[str]:
    """What the sandbox's Python needs to see: itself and its packages."""
    roots = {
        sys.base_prefix,
        sys.prefix,
        str(Path(sys.executable).resolve().parent.parent),
    }
    # Drop roots inside other roots; /usr is bound anyway.
    chosen: list[str] = []
    for root in sorted(roots, key=len):
        if root.startswith("/usr/") or root == "/usr":
            continue
        if not any(root == c or root.startswith(c + "/") for c in chosen):
            chosen.append(root)
    return chosen


def _hidden_paths(roots: list[str]) -> list[str]:
    """Folders inside the bound roots that the child must not see: lstm_ref
    when it is installed into the environment rather than as an editable
    link to the repository (which is not bound)."""
    hidden = []
    package = _package_dir("lstm_ref")
    if package is not None:
        bound = ["/usr", *roots]
        if any(package == r or package.startswith(r + "/") for r in bound):
            hidden.append(package)
    return hidden


def bwrap_command(
    seed: Path, argv: list[str], limits: Limits | None = None
) -> list[str]:
    limits = limits or Limits()
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
        "--size",
        str(limits.tmp_bytes),
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
    roots = _readonly_roots()
    for root in roots:
        command += ["--ro-bind", root, root]
    for hidden in _hidden_paths(roots):
        command += ["--tmpfs", hidden, "--remount-ro", hidden]
    for path in CHILD_FILES:
        command += ["--ro-bind", str(path), f"/grader/{path.name}"]
    command += ["--ro-bind", str(seed), SANDBOX_SEED]
    command += ["--size", str(limits.workdir_bytes), "--tmpfs", WORKDIR]
    command += ["--chdir", WORKDIR]
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


def _error_output(
    ename: str,
    evalue: str,
    traceback: list[str] | None = None,
):
    return from_dict(
        {
            "output_type": "error",
            "ename": ename,
            "evalue": evalue,
            "traceback": traceback or [f"{ename}: {evalue}"],
        }
    )


class _Session:
    """One sandboxed child process, its cgroup, and the channel to it.

    The child imports IPython and NumPy as soon as it starts and then waits
    for its notebook, so a session started ahead of time (while nbgrader
    does its bookkeeping for the previous notebook) is ready at once.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        # Files the notebook may read (the assignment's data): copied into
        # the sandbox's own sized tmpfs by the child, never written back.
        self.seed = Path(tempfile.mkdtemp(prefix="lstm-grade-"))
        self.cgroup = None
        factory = cgroup_factory()
        if factory.available:
            try:
                self.cgroup = factory.create(
                    limits.memory_bytes + (64 << 20), limits.max_tasks
                )
            except OSError:
                self.cgroup = None
        cmd_read, cmd_write = os.pipe()
        ans_read, ans_write = os.pipe()
        cgroup = self.cgroup
        memory_bytes, file_bytes = limits.memory_bytes, limits.file_bytes

        def before_exec() -> None:
            if cgroup is not None:
                cgroup.join()
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        argv = [sys.executable, "-I", SANDBOX_CHILD, str(cmd_read), str(ans_write)]
        self.process = subprocess.Popen(
            bwrap_command(self.seed, argv, limits),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_sandbox_env(),
            pass_fds=(cmd_read, ans_write),
            preexec_fn=before_exec,  # noqa: PLW1509 (no threads in a grading worker)
            start_new_session=True,
        )
        os.close(cmd_read)
        os.close(ans_write)
        self.channel = Channel(ans_read, cmd_write, limits.max_message_bytes)
        self._fds = (ans_read, cmd_write)
        self._closed = False

    def start(self, deadline: float) -> bool:
        """Hand the child its notebook's folder; True once it is ready."""
        self.channel.deadline = deadline
        try:
            self.channel.send({"cwd": WORKDIR, "seed_dir": SANDBOX_SEED})
            message, _ = self.channel.receive()
            if not message.get("ready"):
                return False
            self.channel.request(
                {
                    "op": "limits",
                    "output_limit": self.limits.output_cell_bytes,
                    "max_payload": self.limits.max_message_bytes,
                }
            )
        except SandboxGone:
            return False
        return True

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> int | None:
        if self._closed:
            return self.process.returncode
        self._closed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self.cgroup is not None:
            self.cgroup.close()
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.seed, ignore_errors=True)
        return self.process.returncode


_spare: _Session | None = None


def _close_spare() -> None:
    global _spare  # noqa: PLW0603 (one spare session per grading process)
    session, _spare = _spare, None
    if session is not None:
        # At exit, after Ctrl-C too: kill it quietly, whatever state it is in.
        with contextlib.suppress(BaseException):
            session.close()


atexit.register(_close_spare)


def _session(limits: Limits) -> _Session:
    """A started session with these limits: the spare one if it matches."""
    global _spare  # noqa: PLW0603
    session, _spare = _spare, None
    if session is not None and session.limits == limits and session.alive():
        return session
    if session is not None:
        session.close()
    return _Session(limits)


def _start_spare(limits: Limits) -> None:
    global _spare  # noqa: PLW0603
    _close_spare()
    _spare = _Session(limits)


def _source_notebook(config, resources: dict) -> NotebookNode | None:
    """The assignment's source notebook (the instructor's), or None."""
    meta = resources.get("nbgrader", {})
    assignment, notebook = meta.get("assignment"), meta.get("notebook")
    if not assignment or not notebook:
        return None
    root = Path(config.CourseDirectory.get("root", ".") or ".")
    path = root / "source" / assignment / f"{notebook}.ipynb"
    if not path.is_file():
        return None
    return nbformat.read(path, as_version=4)


def judge_cells(
    source: NotebookNode,
) -> tuple[list[tuple[str, str]], dict[str, str], set[str]]:
    """The helper cells, the test cells and the skipped demonstrations of a
    source notebook.

    Helper cells are locked cells with a ``grade_id`` starting with
    ``test_helpers``; test cells are graded cells that are not answers.
    Both run in the judge only, from this (trusted) notebook's text.
    """
    helpers, tests, skipped = [], {}, set()
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        if SKIP_TAG in cell.metadata.get("tags", []):
            skipped.add(cell.source.strip())
            continue
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id") or ""
        if meta.get("solution"):
            continue
        if meta.get("grade"):
            tests[grade_id] = cell.source
        elif grade_id.startswith(HELPER_PREFIX):
            helpers.append((grade_id, cell.source))
    return helpers, tests, skipped


class SandboxExecute(NbGraderPreprocessor):
    """Run a notebook: its student cells in the sandbox, its tests in the judge."""

    timeout = Int(600, help="Wall-clock seconds for the whole notebook.").tag(
        config=True
    )
    cell_timeout = Int(120, help="Wall-clock seconds for one cell.").tag(config=True)
    startup_timeout = Int(60, help="Seconds to start Python in the sandbox.").tag(
        config=True
    )
    memory_mib = Int(
        2048, help="Memory of the notebook over all its processes (MiB)."
    ).tag(config=True)
    file_mib = Int(64, help="Largest file the notebook may write (MiB).").tag(
        config=True
    )
    tmp_mib = Int(64, help="Size of the notebook's /tmp (MiB).").tag(config=True)
    workdir_mib = Int(64, help="Size of the notebook's working folder (MiB).").tag(
        config=True
    )
    max_tasks = Int(64, help="Processes and threads the notebook may have.").tag(
        config=True
    )
    output_cell_kib = Int(64, help="Output kept per cell (KiB).").tag(config=True)
    output_notebook_kib = Int(1024, help="Output kept per notebook (KiB).").tag(
        config=True
    )
    max_message_mib = Int(
        256, help="Largest message the notebook may send the judge (MiB)."
    ).tag(config=True)
    slack = Float(1.0, help="Seconds allowed beyond a budget for bookkeeping.")

    def limits(self) -> Limits:
        return Limits(
            memory_bytes=self.memory_mib << 20,
            file_bytes=self.file_mib << 20,
            tmp_bytes=self.tmp_mib << 20,
            workdir_bytes=self.workdir_mib << 20,
            max_tasks=self.max_tasks,
            output_cell_bytes=self.output_cell_kib << 10,
            max_message_bytes=self.max_message_mib << 20,
        )

    def preprocess(self, nb: NotebookNode, resources: dict):
        problems: list[str] = []
        source = _source_notebook(self.config, resources)
        helpers, tests, skipped = (
            judge_cells(source) if source is not None else ([], {}, set())
        )
        build_dir = resources.get("metadata", {}).get("path")
        limits = self.limits()
        session = _session(limits)
        self._output_left = self.output_notebook_kib << 10
        self._stats = {"calls": 0, "judge_seconds": 0.0}
        try:
            if build_dir:
                for item in Path(build_dir).iterdir():
                    if (
                        item.is_file()
                        and not item.is_symlink()
                        and item.suffix != ".ipynb"
                    ):
                        shutil.copy(item, session.seed / item.name)
            self._run(nb, session, helpers, tests, skipped, problems)
        finally:
            oom = session.cgroup is not None and session.cgroup.memory_killed()
            tasks = session.cgroup is not None and session.cgroup.tasks_refused()
            code = session.close()
            self.log.debug("sandbox exit code %s", code)
        if oom:
            problems.append(
                f"the notebook's processes ran out of memory together (the cap "
                f"is {self.memory_mib} MiB over all of them)"
            )
        if tasks:
            problems.append(
                f"the notebook tried to run more than {self.max_tasks} processes "
                "and threads at once"
            )
        _start_spare(limits)
        nb.metadata["autograder"] = {
            "problems": problems,
            "limits_not_enforced": limits_not_enforced(),
            # Time the notebook's own code ran (for the grading benchmark).
            "code_seconds": round(self._code_seconds, 4),
            "judge_calls": self._stats["calls"],
        }
        return nb, resources

    _code_seconds = 0.0

    def _outputs(self, outputs: list[NotebookNode]) -> list[NotebookNode]:
        """Outputs within the notebook's budget; what is over it is cut."""
        kept = []
        for output in outputs:
            size = len(json.dumps(output))
            if size > self._output_left:
                kept.append(
                    _stream(
                        "stdout",
                        f"[output cut: the notebook's output passed "
                        f"{self.output_notebook_kib} KiB]\n",
                    )
                )
                self._output_left = 0
                break
            self._output_left -= size
            kept.append(output)
        return kept

    def _run(self, nb, session, helpers, tests, skipped, problems) -> None:
        self._code_seconds = 0.0
        start = time.monotonic()
        notebook_deadline = start + self.timeout + self.slack
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        for cell in code_cells:
            cell.outputs = []
            cell.execution_count = None
        if not session.start(time.monotonic() + self.startup_timeout):
            reason = "the sandbox's Python did not start"
            problems.append(reason)
            self._not_run(code_cells, reason, tests)
            return
        judge = Judge(session.channel)
        for name, helper_source in helpers:
            done = judge.run_helpers(helper_source, name)
            if done["error"]:
                raise RuntimeError(
                    f"the assignment's helper cell {name} failed in the judge: "
                    f"{done['error']['ename']}: {done['error']['evalue']}"
                )
        seen_tests: set[str] = set()
        for number, cell in enumerate(code_cells, start=1):
            if cell.source.strip() in skipped:
                continue
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") or ""
            now = time.monotonic()
            deadline = min(notebook_deadline, now + self.cell_timeout + self.slack)
            if grade_id.startswith(HELPER_PREFIX) and any(
                grade_id == h for h, _ in helpers
            ):
                continue  # ran in the judge, from the source notebook
            try:
                if grade_id in tests and cell.metadata.get("nbgrader", {}).get("grade"):
                    if grade_id in seen_tests:
                        continue
                    seen_tests.add(grade_id)
                    cell.source = tests[grade_id]
                    done = judge.run_test(tests[grade_id], grade_id, deadline)
                    self._stats["calls"] += done["calls"]
                    self._code_seconds += done["seconds"]
                    self._record_test(cell, number, done)
                    continue
                session.channel.deadline = deadline
                answer, _ = session.channel.request(
                    {"op": "cell", "source": cell.source}
                )
                self._code_seconds += float(answer.get("seconds", 0.0) or 0.0)
                cell.outputs = self._outputs(_cell_outputs(answer))
                cell.execution_count = number
                error = answer.get("error")
                if isinstance(error, dict) and error.get("ename") == "MemoryError":
                    problems.append(
                        f"ran out of memory in {_cell_name(cell, number)} "
                        f"(the cap is {self.memory_mib} MiB)"
                    )
            except SandboxGone as gone:
                self._code_seconds += time.monotonic() - now
                self._stopped(
                    cell, number, gone, deadline, notebook_deadline, session, problems
                )
                self._not_run(
                    code_cells[number:],
                    f"not run: the notebook stopped at {_cell_name(cell, number)}",
                    tests,
                )
                return

    def _stopped(
        self, cell, number, gone, deadline, notebook_deadline, session, problems
    ) -> None:
        name = _cell_name(cell, number)
        if gone.why == "timeout":
            per_cell = deadline < notebook_deadline
            budget = (
                f"its {self.cell_timeout} s limit per cell"
                if per_cell
                else f"the notebook's {self.timeout} s time limit"
            )
            message = f"this cell was still running after {budget}; it was stopped"
            problems.append(f"timed out in {name} ({budget})")
            ename = "TimeoutError"
        elif gone.why.startswith("protocol"):
            message = (
                "the notebook's process sent the grader something it cannot "
                f"read ({gone.why.removeprefix('protocol: ')}); it was stopped"
            )
            problems.append(f"the notebook's process was stopped in {name}: {gone.why}")
            ename = "SandboxError"
        else:
            oom = session.cgroup is not None and session.cgroup.memory_killed()
            code = session.close()
            if oom:
                message = (
                    "the notebook's processes used more than the "
                    f"{self.memory_mib} MiB of memory they may have together, "
                    "and were stopped during this cell"
                )
                problems.append(
                    f"ran out of memory in {name} (the cap is {self.memory_mib} "
                    "MiB over all of the notebook's processes)"
                )
            else:
                message = (
                    "the Python process running the notebook stopped during this "
                    f"cell (exit code {code}): os._exit(), a crash, or running out "
                    "of memory"
                )
            problems.append(f"the notebook's process stopped in {name}")
            ename = "DeadKernelError"
        cell.outputs = [_error_output(ename, message)]
        self._fail(cell, message)

    def _record_test(self, cell: NotebookNode, number: int, done: dict) -> None:
        """A test cell's verdict and outputs: the judge's alone. What student
        code printed while the test called it is kept for the instructor in
        the cell's metadata, never as an output of the test."""
        outputs = []
        if done["stdout"]:
            outputs.append(
                _stream("stdout", _cut(done["stdout"], self.output_cell_kib))
            )
        verdict = {"passed": True, "reason": ""}
        error = done["error"]
        if error:
            evalue = error["evalue"]
            if error["ename"] == "MemoryError" or "MemoryError" in evalue:
                evalue += " (your code needed more memory than the grader allows)"
            outputs.append(_error_output(error["ename"], evalue, error["traceback"]))
            verdict = {"passed": False, "reason": f"{error['ename']}: {evalue}"}
        if done["student_output"]:
            verdict["student_output"] = _cut(done["student_output"], 8)
        cell.metadata["autograder"] = verdict
        cell.outputs = self._outputs(outputs)
        cell.execution_count = number

    @staticmethod
    def _fail(cell: NotebookNode, reason: str) -> None:
        if _cell_kind(cell) == "test":
            cell.metadata["autograder"] = {"passed": False, "reason": reason}

    def _not_run(self, cells: list[NotebookNode], reason: str, tests: dict) -> None:
        for cell in cells:
            kind = _cell_kind(cell)
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if kind == "test" and grade_id in tests:
                cell.source = tests[grade_id]
            cell.outputs = [_error_output("NotRun", reason)] if kind == "test" else []
            self._fail(cell, reason)


def _cut(text: str, kib: int) -> str:
    limit = kib << 10
    return (
        text if len(text) <= limit else text[:limit] + f"\n[output cut at {kib} KiB]\n"
    )


def _stream(name: str, text: str) -> NotebookNode:
    return from_dict(
        {
            "output_type": "stream",
            "name": name,
            "text": text,
        }
    )


def _cell_outputs(answer: dict) -> list[NotebookNode]:
    """A student cell's outputs, as the child reported them (untrusted)."""
    outputs = []
    for name in ("stdout", "stderr"):
        text = answer.get(name)
        if isinstance(text, str) and text:
            outputs.append(_stream(name, text))
    displays = answer.get("displays")
    for data in displays if isinstance(displays, list) else []:
        data = _mime_bundle(data)
        if data:
            outputs.append(
                from_dict(
                    {
                        "output_type": "display_data",
                        "data": data,
                        "metadata": {"autograder": {"origin": "student"}},
                    }
                )
            )
    result = _mime_bundle(answer.get("result"))
    if result:
        outputs.append(
            from_dict(
                {
                    "output_type": "execute_result",
                    "data": result,
                    "metadata": {"autograder": {"origin": "student"}},
                    "execution_count": None,
                }
            )
        )
    error = answer.get("error")
    if isinstance(error, dict):
        traceback_lines = error.get("traceback")
        if not (
            isinstance(traceback_lines, list)
            and all(isinstance(line, str) for line in traceback_lines)
        ):
            traceback_lines = None
        outputs.append(
            _error_output(
                str(error.get("ename", "Error"))[:100],
                str(error.get("evalue", ""))[:4000],
                traceback_lines,
            )
        )
    return outputs


def _mime_bundle(data: object) -> dict[str, str]:
    if not isinstance(data, dict):
        return {}
    return {
        str(k)[:100]: v
        for k, v in data.items()
        if isinstance(k, str) and isinstance(v, str)
    }


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
