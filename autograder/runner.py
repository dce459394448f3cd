"""Runs one student notebook's cells inside the grading sandbox.

This file is executed by the sandbox's Python (``python -I runner.py``), as a
single file bind-mounted read-only: the rest of ``autograder/`` (the course
directory, the gradebook, the instructor's files) is not visible to it. It
is never imported by the grader. It runs cells with IPython's
``InteractiveShell`` (the semantics of a Jupyter kernel without its ZeroMQ
machinery and start-up cost) and talks to the grader over two private file
descriptors: the grader sends one cell at a time, so while a student's cell
runs the test cells after it have not been sent yet, and the runner answers
each cell with one JSON line carrying the grader's per-run token.

Comparisons student code cannot quietly patch: before any student code runs,
the runner takes private references to everything the tests compare with
(``numpy``, ``numpy.testing``, ``math``, ``builtins``, ``lstm_ref`` and the
modules behind them, and the code objects of their functions). Before every
test cell it puts back anything student code replaced (so a test never runs
with a patched ``np.allclose``), and after every test cell it checks again:
a test during which something was replaced does not pass, and the message
says what was replaced.

The source of a test cell is kept out of ``linecache`` while student code
could read it: IPython files every cell there so that tracebacks can quote
it, which would let ``traceback.print_stack()`` or ``inspect`` in a student's
function print the hidden tests that called it, and let any later cell print
all earlier ones. The runner puts a test cell's lines back only to format the
instructor's traceback of a failed test, then removes them again.

What this does not stop is a student who reads this
file and attacks the runner itself in memory; the sandbox still keeps such
code away from the gradebook, the instructor's files and other students.
"""

from __future__ import annotations

import json
import linecache
import os
import sys
import time
import types

# Modules whose functions the tests compare with. Names student code must not
# rebind in them; functions whose code it must not swap.
WATCHED_MODULES = (
    "builtins",
    "math",
    "numpy",
    "numpy.testing",
    "numpy.testing._private.utils",
    "numpy._core.numeric",
    "numpy._core.fromnumeric",
    "numpy._core.multiarray",
    "numpy.linalg",
    "numpy.linalg._linalg",
    "lstm_ref",
)
# Names the shell itself rebinds in builtins while a cell runs, and the last
# result; everything else in builtins is watched.
UNWATCHED_BUILTINS = {"_", "__", "___", "exit", "quit", "get_ipython", "display"}
# Names the test cells use for modules; if student code rebinds them in the
# notebook's namespace, they are put back before instructor cells and tests.
MODULE_ALIASES = {
    "np": "numpy",
    "numpy": "numpy",
    "lstm_ref": "lstm_ref",
    "math": "math",
    "builtins": "builtins",
}
_MISSING = object()


class Guard:
    """Private references to the watched modules, and a check against them."""

    def __init__(self) -> None:
        import numpy  # noqa: F401  (watched)
        import numpy.testing  # noqa: F401

        import lstm_ref  # noqa: F401

        names = list(WATCHED_MODULES)
        names += sorted(n for n in sys.modules if n.startswith("lstm_ref."))
        self.modules: dict[str, tuple[types.ModuleType, dict, dict]] = {}
        for name in names:
            module = sys.modules.get(name)
            if module is None:
                continue
            namespace = dict(vars(module))
            if name == "builtins":
                namespace = {
                    k: v for k, v in namespace.items() if k not in UNWATCHED_BUILTINS
                }
            code = {
                key: (value.__code__, value.__defaults__, value.__kwdefaults__)
                for key, value in namespace.items()
                if isinstance(value, types.FunctionType)
            }
            self.modules[name] = (module, namespace, code)

    def restore(self, user_ns: dict) -> list[str]:
        """Put back whatever was replaced; return what was (empty: nothing)."""
        changed = []
        for name, (module, namespace, code) in self.modules.items():
            if sys.modules.get(name) is not module:
                changed.append(f"sys.modules[{name!r}]")
                sys.modules[name] = module
            current = vars(module)
            for key, value in namespace.items():
                if current.get(key, _MISSING) is not value:
                    changed.append(f"{name}.{key}")
                    current[key] = value
            for key, (func_code, defaults, kwdefaults) in code.items():
                func = namespace[key]
                if (
                    func.__code__ is not func_code
                    or func.__defaults__ is not defaults
                    or func.__kwdefaults__ is not kwdefaults
                ):
                    changed.append(f"the code of {name}.{key}")
                    func.__code__ = func_code
                    func.__defaults__ = defaults
                    func.__kwdefaults__ = kwdefaults
        for alias, module_name in MODULE_ALIASES.items():
            module = self.modules.get(module_name, (None,))[0]
            value = user_ns.get(alias, _MISSING)
            if module is not None and value is not _MISSING and value is not module:
                changed.append(f"the name {alias!r} (not the module {module_name})")
                user_ns[alias] = module
        return sorted(set(changed))


def main() -> int:
    # argv: the descriptors of the cells from the grader and of the answers
    # to it. Everything the notebook prints is captured per cell, so the
    # process's own stdout and stderr go nowhere.
    commands = os.fdopen(int(sys.argv[1]), "r", encoding="utf-8")
    answers = os.fdopen(int(sys.argv[2]), "w", encoding="utf-8", buffering=1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)

    # A warning names the line that triggered it, and with stacklevel > 1
    # that line can be in a hidden test: say the warning, not the line.
    import warnings

    warnings.formatwarning = lambda message, category, filename, lineno, line=None: (
        f"{category.__name__}: {message}\n"
    )
    guard = Guard()  # before any student code

    from IPython.core.displayhook import DisplayHook
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    class ResultHook(DisplayHook):
        """Keep the last expression's value instead of printing it."""

        value = None

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict, md_dict=None) -> None:
            ResultHook.value = {
                k: v for k, v in format_dict.items() if isinstance(v, str)
            }

    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(
        config=config, displayhook_class=ResultHook, colors="NoColor"
    )
    shell.showtraceback = lambda *args, **kwargs: None
    shell.showsyntaxerror = lambda *args, **kwargs: None

    # A test cell's lines leave linecache as soon as IPython files them there;
    # ``private`` holds them for formatting the instructor's traceback.
    file_cell = shell.compile.cache
    private: dict[str, tuple] = {}
    running = {"kind": ""}

    def file_cell_privately(transformed_code, number=0, raw_code=None):
        name = file_cell(transformed_code, number, raw_code)
        if running["kind"] == "test":
            private[name] = linecache.cache.pop(name)
        return name

    shell.compile.cache = file_cell_privately

    # Everything above is the same for every notebook, so the grader starts
    # the process ahead of time and it waits here for its notebook.
    header = json.loads(commands.readline())
    token = header["token"]

    def send(message: dict) -> None:
        message["token"] = token
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    os.chdir(header["cwd"])
    send({"ready": True})

    for line in commands:
        cell = json.loads(line)
        kind = cell["kind"]
        before = guard.restore(shell.user_ns) if kind in ("test", "locked") else []
        ResultHook.value = None
        private.clear()
        running["kind"] = kind
        start = time.perf_counter()
        with capture_output() as captured:
            result = shell.run_cell(cell["source"], store_history=False)
        seconds = time.perf_counter() - start
        running["kind"] = ""
        after = guard.restore(shell.user_ns) if kind == "test" else []
        error = result.error_before_exec or result.error_in_exec
        answer = {
            "index": cell["index"],
            "seconds": seconds,
            "stdout": captured.stdout,
            "stderr": captured.stderr,
            "displays": [
                {k: v for k, v in out.data.items() if isinstance(v, str)}
                for out in captured.outputs
            ],
            "result": ResultHook.value,
            "replaced_before": before,
            "replaced_during": after,
            "error": None,
        }
        if error is not None:
            linecache.cache.update(private)
            try:
                structured = shell.InteractiveTB.structured_traceback(
                    type(error), error, error.__traceback__
                )
            finally:
                for name in private:
                    linecache.cache.pop(name, None)
            answer["error"] = {
                "ename": type(error).__name__,
                "evalue": str(error),
                "traceback": structured,
            }
        send(answer)
    return 0


if __name__ == "__main__":
    # Nothing the notebook does may end this process quietly: SystemExit
    # raised by a cell is caught by the shell; os._exit and crashes end it,
    # and the grader sees that the answers stopped.
    sys.exit(main())
