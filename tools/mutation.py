"""Mutation testing with mutmut: ``make mutation`` (not part of ``make test``).

For each target below, the tracked files of the work tree are copied into
``_build/mutation/<target>/`` with a ``[tool.mutmut]`` table for that target
appended to the copy's pyproject.toml, and ``mutmut run`` mutates the target's
modules there against the target's tests. The real work tree is never touched.
Then this script prints, per module, how many mutants the tests killed, and
lists every survivor with its diff, marking those that
``tests/mutation_equivalents.md`` explains as equivalent.

A survivor is matched to an entry of that file by its module, its function
and the mutated line(s) (the ``+`` lines of mutmut's diff), not by mutmut's
number, which changes whenever a function changes.

Usage::

    python tools/mutation.py                  # lstm_ref, then the grader
    python tools/mutation.py lstm_ref         # one target
    python tools/mutation.py --max-children 2 lstm_ref

``--report-only`` prints the report of the last run again (after editing
tests/mutation_equivalents.md, say) without running mutmut.

What is not mutated: ``raise`` statements (the exception's class and message
text; the condition that raises is mutated). A message's wording is not
behaviour, and mutmut's string mutants of it ("XX" around the text, upper
case) would otherwise be a third of all survivors.

Kill rate = killed / (mutants - explained). An explained survivor is either
equivalent (no test can tell it from the original) or "message only" (it
changes only the text of an error message, e.g. an argument's name passed to
a check that shows it only when it raises); the two are counted apart.

Exit status 1 when a module of a target with a target rate kills less than
that rate, or has a survivor that the file does not explain (90 % for every
module of both targets).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "_build" / "mutation"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.md"


@dataclass(frozen=True)
class Target:
    modules: tuple[str, ...]  # files to mutate, relative to the repository
    tests: tuple[str, ...]  # the tests that must kill the mutants
    target_rate: float | None  # kill rate required per module, or None


LSTM_REF_TESTS = (
    "tests/test_lstm.py",
    "tests/test_rnn.py",
    "tests/test_gru.py",
    "tests/test_losses.py",
    "tests/test_optim.py",
    "tests/test_data.py",
    "tests/test_gradcheck.py",
    "tests/test_interop.py",
    "tests/test_activations.py",
    "tests/test_checks.py",
    "tests/test_init.py",
    "tests/test_layers.py",
    "tests/test_torch_parity.py",
    "tests/test_public_api.py",
)

TARGETS = {
    "lstm_ref": Target(
        modules=tuple(
            f"lstm_ref/{name}.py"
            for name in (
                "lstm",
                "rnn",
                "gru",
                "losses",
                "optim",
                "data",
                "gradcheck",
                "interop",
            )
        ),
        tests=LSTM_REF_TESTS,
        target_rate=0.90,
    ),
    "grader": Target(
        modules=(
            "autograder/collect.py",
            "autograder/export.py",
            "autograder/report.py",
        ),
        # Unit tests that call the modules' functions on small known inputs
        # with a stand-in course (no nbgrader release, no sandbox), so that a
        # mutant costs a fraction of a second; the end-to-end grading tests
        # (test_grader_outputs, test_platforms, test_cli) would cost seconds
        # each.
        tests=(
            "tests/test_collect_units.py",
            "tests/test_export_units.py",
            "tests/test_report_units.py",
        ),
        target_rate=0.90,
    ),
}

# mutmut's result line: "    lstm_ref.lstm.x_lstm_forward__mutmut_12: killed"
RESULT_LINE = re.compile(r"^\s*(\S+__mutmut_\d+): (.+)$")
# An entry of tests/mutation_equivalents.md:
# - `lstm_ref.lstm.lstm_backward` `mutated line`: why it is equivalent
EQUIVALENT_LINE = re.compile(r"^- `([^`]+)` `(.+)`: (.+)$")


def module_and_function(mutant: str) -> tuple[str, str]:
    """``lstm_ref.lstm.x_lstm_forward__mutmut_3`` -> ("lstm_ref.lstm", "lstm_forward").

    A method is ``xǁClassǁmethod`` in mutmut's names; it becomes ``Class.method``.
    """
    parts = mutant.split(".")
    for k, part in enumerate(parts):
        if part.startswith(("x_", "xǁ")):
            name = ".".join(parts[k:]).rsplit("__mutmut_", 1)[0]
            if name.startswith("xǁ"):
                name = ".".join(p for p in name[2:].split("ǁ") if p)
            else:
                name = name[2:]
            return ".".join(parts[:k]), name
    raise ValueError(f"cannot parse mutmut's mutant name {mutant!r}")


def mutated_lines(diff: str) -> str:
    """The ``+`` lines of a mutant's diff, stripped and joined by `` / ``."""
    lines = [
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(line for line in lines if line)


def load_equivalents(path: Path = EQUIVALENTS) -> dict[tuple[str, str], str]:
    """(qualified function, mutated line) -> the reason it changes nothing."""
    entries: dict[tuple[str, str], str] = {}
    if not path.exists():
        return entries
    for line in path.read_text().splitlines():
        match = EQUIVALENT_LINE.match(line)
        if match:
            function, mutated, reason = match.groups()
            entries[(function, mutated.strip())] = reason.strip()
    return entries


def prepare(name: str, target: Target) -> Path:
    """A fresh copy of the tracked files with this target's mutmut config."""
    work = WORK / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():  # a file deleted in the work tree is skipped
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / rel)
    package = sorted({Path(m).parts[0] for m in target.modules})
    also_copy = sorted(
        {p.name for p in work.iterdir() if p.name not in package and p.name != "tests"}
    )
    config = [
        "",
        "[tool.mutmut]",
        f"source_paths = {package!r}",
        f"only_mutate = {list(target.modules)!r}",
        f"also_copy = {also_copy!r}",
        f"pytest_add_cli_args_test_selection = {list(target.tests)!r}",
        # See the module docstring: raise statements are not mutated.
        "do_not_mutate_patterns = ['^\\s*raise\\b']",
        # Quiet, no cache written into the copy, no -ra summary per mutant.
        "pytest_add_cli_args = ['-q', '-p', 'no:cacheprovider', '-o', 'addopts=']",
        "use_git_change_detection = false",
        "",
    ]
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n".join(config))
    return work


def mutmut(work: Path, *args: str, capture: bool = False) -> str:
    command = [sys.executable, "-m", "mutmut", *args]
    done = subprocess.run(
        command, cwd=work, check=True, text=True, capture_output=capture
    )
    return done.stdout if capture else ""


def report(name: str, target: Target, work: Path, seconds: float) -> bool:
    """Print the kill rate per module and the survivors; True if the target is met."""
    statuses: dict[str, str] = {}
    for line in mutmut(work, "results", "--all", "true", capture=True).splitlines():
        match = RESULT_LINE.match(line)
        if match:
            statuses[match.group(1)] = match.group(2).strip()
    equivalents = load_equivalents()
    by_module: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    explained: dict[str, str] = {}
    for mutant, status in statuses.items():
        module, function = module_and_function(mutant)
        if status in {"killed", "timeout", "caught by type check"}:
            by_module[module]["killed"].append(mutant)
            continue
        diff = mutmut(work, "show", mutant, capture=True)
        key = (f"{module}.{function}", mutated_lines(diff))
        if key in equivalents:
            reason = equivalents[key]
            kind = "message" if reason.startswith("message only") else "equivalent"
            by_module[module][kind].append(mutant)
            explained[mutant] = reason
        else:
            by_module[module][status].append(mutant)
            explained[mutant] = "UNEXPLAINED " + status + "\n" + diff

    ok = True
    print(f"\n== mutmut on {name}: {len(statuses)} mutants in {seconds:.0f} s ==")
    header = (
        f"{'module':28} {'mutants':>7} {'killed':>7} {'equiv.':>7} {'msg':>5}"
        f" {'unexpl.':>7}"
    )
    print(header + f" {'kill rate':>10}")
    for module in sorted(by_module):
        groups = by_module[module]
        total = sum(len(v) for v in groups.values())
        killed = len(groups["killed"])
        equivalent = len(groups["equivalent"])
        message = len(groups["message"])
        other = total - killed - equivalent - message
        tested = total - equivalent - message
        rate = killed / tested if tested else 1.0
        met = target.target_rate is None or (rate >= target.target_rate and not other)
        ok = ok and met
        print(
            f"{module:28} {total:7d} {killed:7d} {equivalent:7d} {message:5d}"
            f" {other:7d}"
            f" {100 * rate:9.1f}%" + ("" if met else "  <- below target")
        )
    for module in sorted(by_module):
        for status, mutants in sorted(by_module[module].items()):
            if status == "killed":
                continue
            for mutant in mutants:
                reason = explained[mutant]
                if status in {"equivalent", "message"}:
                    print(f"  {status} {mutant}: {reason}")
                else:
                    print(f"  {status.upper()} {mutant}\n{reason}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help=f"of {', '.join(TARGETS)}")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target(s) {unknown}; the targets are {list(TARGETS)}")
    ok = True
    for name in args.targets or list(TARGETS):
        target = TARGETS[name]
        if args.report_only:
            ok = report(name, target, WORK / name, float("nan")) and ok
            continue
        work = prepare(name, target)
        start = time.perf_counter()
        log = work / "mutmut-run.log"
        print(f"mutmut run on {name} (progress in {log.relative_to(ROOT)})", flush=True)
        with log.open("w") as out:
            subprocess.run(
                [sys.executable, "-m", "mutmut", "run"]
                + ["--max-children", str(args.max_children)],
                cwd=work,
                check=True,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        seconds = time.perf_counter() - start
        ok = report(name, target, work, seconds) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
