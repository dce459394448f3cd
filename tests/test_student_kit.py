"""The student kit: a generated student notebook needs NumPy only (A4 also
Matplotlib), checks like the grader, and holds no answer.

- the embedded cases are, bit for bit, what the judge module computes with
  lstm_ref, and the embedded key accepts what lstm_ref.questions accepts;
- with the master's solutions pasted in, the notebook runs top to bottom in a
  kernel of ``.venv-student`` (numpy, matplotlib, ipykernel and nbclient
  only: ``make student-venv``) and check_before_submit() finds nothing wrong;
  untouched, it runs to its end and lists what is not written yet;
- a deleted, a copied and a renamed graded cell are reported at home and by
  ``python -m autograder validate``, by the one function the grader uses;
- no code cell uses lstm_ref; a missing NumPy gives one clear message.

A master still in the old form (its helper cell does not import
``autograder.testkit.aN``) is released as before; the tests that need the kit
skip it and say so.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import tokenize
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest
from mistake_catalogue import _MARKER
from notebook_regions import REPO
from notebook_regions import cell_source as _source
from notebook_regions import nbgrader_meta as _nbgrader

from autograder.testkit import common
from autograder.testkit.kit import judge_module, kit_source, visible_cases
from lstm_ref import questions

ASSIGNMENTS = ["A1", "A2", "A3", "A4"]
STUDENT_VENV = REPO / ".venv-student"
STUDENT_PYTHON = STUDENT_VENV / "bin" / "python"


def _master_path(assignment: str) -> Path:
    return REPO / "solutions" / assignment / f"{assignment}.ipynb"


def _student_path(assignment: str) -> Path:
    return REPO / "book" / "assignments" / f"{assignment}.ipynb"


def _module(assignment: str) -> str | None:
    return judge_module(nbformat.read(_master_path(assignment), as_version=4))


CONVERTED = [a for a in ASSIGNMENTS if _module(a) is not None]
_GENERATED: dict[str, dict] = {}


def _generated(assignment: str) -> dict:
    """The student notebook as `python -m autograder generate` writes it now
    (tests/test_assignment_notebooks.py checks the committed one is this)."""
    if assignment not in _GENERATED:
        from autograder.cli import generate_student_notebooks

        folder = Path(os.environ.get("TMPDIR", "/tmp"))
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            (path,) = generate_student_notebooks(assignment, Path(tmp) / "s.ipynb")
            _GENERATED[assignment] = json.loads(path.read_text())
    return copy.deepcopy(_GENERATED[assignment])


def solved_notebook(assignment: str) -> dict:
    """The generated student notebook with the master's solutions pasted in
    (as tests/mistake_catalogue.py's solved_notebook does)."""
    student = _generated(assignment)
    master = json.loads(_master_path(assignment).read_text())
    solutions = {}
    for cell in master["cells"]:
        meta = _nbgrader(cell)
        if meta.get("solution") and cell["cell_type"] == "code":
            lines = _source(cell).splitlines(keepends=True)
            solutions[meta["grade_id"]] = "".join(
                line for line in lines if not _MARKER.match(line)
            )
    for cell in student["cells"]:
        if _nbgrader(cell).get("grade_id") in solutions:
            cell["source"] = solutions[_nbgrader(cell)["grade_id"]]
    return student


def _needs_kit(assignment: str) -> str:
    """The judge module's name; skips an assignment still in the old form."""
    module = _module(assignment)
    if module is None:
        pytest.skip(
            f"{assignment}'s master is still in the old form (its helper cell "
            f"does not import autograder.testkit.{assignment.lower()}): no kit yet"
        )
    return module


def _helper_cell(notebook: dict) -> dict:
    (cell,) = [
        c for c in notebook["cells"] if _nbgrader(c).get("grade_id") == "test_helpers"
    ]
    return cell


def _kit_namespace(notebook: dict) -> dict:
    """The names a student's kernel has after the import and helper cells."""
    namespace: dict = {"__name__": "__main__"}
    setup = next(
        c
        for c in notebook["cells"]
        if c["cell_type"] == "code" and "import numpy as np" in _source(c)
    )
    exec(_source(setup), namespace)
    exec(compile(_source(_helper_cell(notebook)), "<test_helpers>", "exec"), namespace)
    return namespace


def _same_bits(got: object, expected: object, where: str = "case") -> None:
    """Fail unless got is expected bit for bit (arrays: dtype, shape, bytes)."""
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), where
        assert got.dtype == expected.dtype, where
        assert got.shape == expected.shape, where
        assert got.tobytes() == np.ascontiguousarray(expected).tobytes(), where
    elif isinstance(expected, np.generic):
        assert type(got) is type(expected), where
        assert got.tobytes() == expected.tobytes(), where
    elif isinstance(expected, dict):
        assert isinstance(got, dict), where
        assert list(got) == list(expected), where
        for key in expected:
            _same_bits(got[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, list | tuple):
        assert type(got) is type(expected) or (
            isinstance(got, tuple) and isinstance(expected, tuple)
        ), where
        assert len(got) == len(expected), where
        for index, (a, b) in enumerate(zip(got, expected, strict=True)):
            _same_bits(a, b, f"{where}[{index}]")
    elif isinstance(expected, float):
        assert isinstance(got, float), where
        assert struct.pack("<d", got) == struct.pack("<d", expected), where
    else:
        assert type(got) is type(expected), where
        assert got == expected, where


# --- (a) the embedded data ----------------------------------------------------


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_embedded_cases_are_what_the_judge_computes_bit_for_bit(assignment):
    module = _needs_kit(assignment)
    namespace = _kit_namespace(_generated(assignment))
    visible_cases(module)  # imports the module: its builders are registered
    builders = {
        name: builder
        for name, builder in common._BUILDERS.items()
        if builder.__module__ == f"autograder.testkit.{module}"
    }
    assert builders, f"autograder.testkit.{module} registers no visible case"
    embedded = namespace["_EMBEDDED"]
    assert sorted(embedded) == sorted(builders)
    for name, builder in builders.items():
        # Through the student's own decode() and case(): what its tests read.
        _same_bits(namespace["case"](name), builder(), f"{assignment} case {name!r}")


def test_the_bit_for_bit_check_can_fail():
    value = {"x": np.array([1.0, 2.0]), "n": 3, "t": (np.float32(1.5), 0.1)}
    _same_bits(common.decode(common.encode(value)), value)
    nudged = copy.deepcopy(value)
    nudged["x"][1] = np.nextafter(2.0, 3.0)
    with pytest.raises(AssertionError):
        _same_bits(nudged, value)
    with pytest.raises(AssertionError):
        _same_bits({**value, "x": value["x"].astype(np.float32)}, value)


def _candidates(question_id: str) -> list[object]:
    question = questions.QUESTIONS[question_id]
    if question.kind == "choice":
        return ["a", "B", "(c)", "d.", "e", 1, None, *question.choices.values()]
    if question.kind == "shape":
        return [(12, 8), [4, 6], "12x8", "(12, 8)", (1.0, 2), (True,), ()]
    return [0, 0.6, 0.64, "0.6", "0.64", 0.68, 0.6833, 0.21, 64, 64.5, "x", True]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_embedded_key_accepts_what_lstm_ref_accepts_and_explains_it(
    assignment, capsys
):
    _needs_kit(assignment)
    master = json.loads(_master_path(assignment).read_text())
    student = _generated(assignment)
    namespace = _kit_namespace(student)
    key = namespace["_QUESTIONS"]["key"]
    asked = {
        _nbgrader(c)["grade_id"].removeprefix("answer_")
        for c in master["cells"]
        if _nbgrader(c).get("grade_id", "").startswith("answer_")
    }
    assert set(key.QUESTIONS) == asked
    for question_id in sorted(asked):
        cell = next(
            c
            for c in master["cells"]
            if _nbgrader(c).get("grade_id") == f"answer_{question_id}"
        )
        scope: dict = {}
        exec(_source(cell), scope)
        right = scope[f"answer_{question_id}"]
        assert questions.check_answer(question_id, right), (question_id, right)
        assert key.check_answer(question_id, right), question_id
        assert key.feedback(question_id, right) == questions.feedback(
            question_id, right
        )
        for answer in [right, *_candidates(question_id)]:
            assert key.normalise_answer(question_id, answer) == (
                questions.normalise_answer(question_id, answer)
            ), (question_id, answer)
            assert key.check_answer(question_id, answer) == questions.check_answer(
                question_id, answer
            ), (question_id, answer)
        # At home: right at once, with the right-answer feedback.
        namespace[f"answer_{question_id}"] = right
        namespace["check_quick_answer"](f"answer_{question_id}", question_id)
        printed = capsys.readouterr().out
        assert f"Right: answer_{question_id} = {right!r}" in printed
        explanation = questions.feedback(question_id, right)
        if explanation:
            assert explanation in printed


def test_a_numeric_answer_with_too_many_decimals_is_refused_at_home():
    assignment = next((a for a in CONVERTED if _has_numeric(a)), None)
    if assignment is None:
        pytest.skip("no converted assignment asks a numeric quick check yet")
    namespace = _kit_namespace(_generated(assignment))
    key = namespace["_QUESTIONS"]["key"]
    question_id = next(q for q, v in key.QUESTIONS.items() if v.kind == "numeric")
    decimals = key.QUESTIONS[question_id].decimals
    namespace["answer_x"] = 0.123456
    with pytest.raises(AssertionError, match=f"give .*round\\(x(, {decimals})?\\)"):
        namespace["check_quick_answer"]("answer_x", question_id)


def _has_numeric(assignment: str) -> bool:
    ids = [
        _nbgrader(c).get("grade_id", "").removeprefix("answer_")
        for c in json.loads(_master_path(assignment).read_text())["cells"]
    ]
    return any(
        questions.QUESTIONS[i].kind == "numeric"
        for i in ids
        if i in questions.QUESTIONS
    )


# --- (b), (c) the notebooks in a kernel with numpy, matplotlib only ----------


def _student_kernel(tmp_path: Path, monkeypatch) -> str:
    """A kernelspec for .venv-student's Python, found through JUPYTER_PATH."""
    if not STUDENT_PYTHON.exists():
        if os.environ.get("CI"):
            pytest.fail(".venv-student is missing, and CI is set (make student-venv)")
        pytest.skip(".venv-student is missing: run `make student-venv`")
    spec = tmp_path / "jupyter" / "kernels" / "lstm-student"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    str(STUDENT_PYTHON),
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "student (numpy, matplotlib)",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("MPLBACKEND", "agg")
    return "lstm-student"


def _run_in_student_kernel(
    notebook: dict, folder: Path, kernel: str, allow_errors: bool
) -> nbformat.NotebookNode:
    """Save notebook as <folder>/<A>.ipynb (check_before_submit reads it) and
    run it top to bottom there."""
    from nbclient import NotebookClient

    node = nbformat.reads(json.dumps(notebook), as_version=4)
    client = NotebookClient(
        node,
        timeout=600,
        kernel_name=kernel,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(folder)}},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jupyter_client's, not ours
        client.execute()
    return node


def _text_outputs(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "".join(parts)


def _submit_cell(node) -> dict:
    (cell,) = [
        c
        for c in node["cells"]
        if c["cell_type"] == "code" and _source(c).strip() == "check_before_submit()"
    ]
    return cell


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solved_student_notebook_runs_in_a_numpy_only_kernel(
    assignment, tmp_path, monkeypatch
):
    _needs_kit(assignment)
    kernel = _student_kernel(tmp_path, monkeypatch)
    folder = tmp_path / "home"
    folder.mkdir()
    solved = solved_notebook(assignment)
    (folder / f"{assignment}.ipynb").write_text(json.dumps(solved, indent=1))
    node = _run_in_student_kernel(solved, folder, kernel, allow_errors=False)
    report = _text_outputs(_submit_cell(node))
    assert "Nothing to fix: every visible test passes and every graded cell is" in (
        report
    ), report
    assert "graded cells read from" in report


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_untouched_student_notebook_lists_what_is_not_written(
    assignment, tmp_path, monkeypatch
):
    _needs_kit(assignment)
    kernel = _student_kernel(tmp_path, monkeypatch)
    folder = tmp_path / "home"
    folder.mkdir()
    student = _generated(assignment)
    (folder / f"{assignment}.ipynb").write_text(json.dumps(student, indent=1))
    node = _run_in_student_kernel(student, folder, kernel, allow_errors=True)
    for cell in node["cells"]:
        if cell["cell_type"] != "code":
            continue
        meta = _nbgrader(cell)
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        if errors and not meta.get("grade") and not meta.get("solution"):
            pytest.fail(f"{assignment}: an untested cell failed: {errors[0]}")
    report = _text_outputs(_submit_cell(node))
    assert "Not written yet:" in report, report
    functions = [
        name
        for cell in json.loads(_master_path(assignment).read_text())["cells"]
        if _nbgrader(cell).get("solution")
        for name in re.findall(r"^def (\w+)\(", _source(cell), re.M)
    ]
    assert functions
    for name in functions:
        assert re.search(rf"^  - {name}\b", report, re.M), (name, report)
    assert "Graded cells:" not in report  # nothing deleted, copied or renamed


# --- (d) deleted, copied and renamed graded cells ---------------------------


def _expected(grade_ids: list[str]) -> list[dict]:
    return [
        {"grade_id": g, "kind": "test" if g.startswith("test") else "answer"}
        for g in grade_ids
    ]


def _notebook(grade_ids: list[str | None]) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"nbgrader": {"grade_id": g, "solution": True}}
                if g
                else {},
                "source": "",
            }
            for g in grade_ids
        ]
    }


def test_structure_problems_name_each_deleted_copied_and_renamed_cell():
    expected = _expected(["f", "test_f", "g", "test_g", "h"])
    assert (
        common.structure_problems(
            _notebook(["f", "test_f", "g", "test_g", "h"]), expected
        )
        == []
    )
    found = common.structure_problems(
        _notebook(["f", "test_f", None, "f", "g2", "test_g"]), expected
    )
    kinds = {(kind, grade_id) for kind, grade_id, _ in found}
    assert kinds == {("duplicated", "f"), ("renamed", "g"), ("deleted", "h")}
    messages = " ".join(message for _, _, message in found)
    assert "appears 2 times" in messages
    assert "renamed to 'g2'" in messages
    assert "h is missing" in messages
    # An unknown id with no missing neighbour is not a rename of anything.
    ((kind, grade_id, message),) = common.structure_problems(
        _notebook(["f", "test_f", "g", "test_g", "h", "extra"]), expected
    )
    assert (kind, grade_id) == ("renamed", "extra")
    assert "does not have" in message
    # No nbgrader metadata at all: one problem, said once.
    ((kind, _, message),) = common.structure_problems(_notebook([None, None]), expected)
    assert kind == "stripped"


def _broken(solved: dict) -> tuple[dict, dict[str, str]]:
    """solved with its first answer cell deleted, its first test cell copied
    and its second answer cell renamed: (notebook, kind -> grade_id)."""
    notebook = copy.deepcopy(solved)
    cells = notebook["cells"]
    answers = [c for c in cells if _nbgrader(c).get("solution")]
    tests = [c for c in cells if _nbgrader(c).get("grade")]
    deleted, renamed, copied = answers[0], answers[1], tests[0]
    cells.remove(deleted)
    cells.insert(cells.index(copied) + 1, copy.deepcopy(copied))
    old = _nbgrader(renamed)["grade_id"]
    _nbgrader(renamed)["grade_id"] = old + "_mine"
    return notebook, {
        "deleted": _nbgrader(deleted)["grade_id"],
        "duplicated": _nbgrader(copied)["grade_id"],
        "renamed": old,
    }


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_check_before_submit_reports_a_deleted_copied_and_renamed_cell(
    assignment, tmp_path, monkeypatch, capsys
):
    _needs_kit(assignment)
    solved = solved_notebook(assignment)
    broken, which = _broken(solved)
    path = tmp_path / f"{assignment}.ipynb"
    path.write_text(json.dumps(broken))
    namespace = _kit_namespace(solved)
    report = namespace["submit_report"](str(path))
    assert len(report["cells"]) == 3, report["cells"]
    text = " ".join(report["cells"])
    assert f"{which['deleted']} is missing" in text
    assert f"{which['duplicated']} appears 2 times" in text
    assert f"{which['renamed']} was renamed to '{which['renamed']}_mine'" in text
    # Found by itself in the working folder, and said plainly when not found.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert namespace["submit_report"]()["file"] == f"{assignment}.ipynb"
    path.unlink()
    namespace["check_before_submit"]()
    printed = capsys.readouterr().out
    assert "Could not check the graded cells: could not find this notebook's" in (
        printed
    )
    assert f"no {assignment}*.ipynb file in the working folder" in printed


def test_validate_reports_the_broken_cells_and_passes_the_solved_notebook(tmp_path):
    if not CONVERTED:
        pytest.skip("no master is in the new form yet")
    assignment = CONVERTED[0]
    solved = solved_notebook(assignment)
    broken, which = _broken(solved)
    for name, notebook in [("solved", solved), ("broken", broken)]:
        (tmp_path / f"{name}.ipynb").write_text(json.dumps(notebook, indent=1))

    def validate(name: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "autograder",
                "validate",
                tmp_path / f"{name}.ipynb",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )

    good = validate("solved")
    assert good.returncode == 0, good.stdout + good.stderr
    assert f"{assignment}'s notebook" in good.stdout
    assert "Graded cells: all in place." in good.stdout
    assert "FAIL" not in good.stdout
    bad = validate("broken")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{which['deleted']} is missing" in bad.stdout
    assert f"{which['duplicated']} appears 2 times" in bad.stdout
    assert f"{which['renamed']} was renamed" in bad.stdout
    assert "Not graded:" in bad.stdout  # a copied cell blocks grading


def test_validate_explains_itself():
    shown = subprocess.run(
        [sys.executable, "-m", "autograder", "validate", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "python -m autograder validate" in shown
    assert "--assignment" in shown


# --- (e), (f) nothing to hide, one clear message -----------------------------


def _names(source: str) -> set[str]:
    """The Python names a code cell uses (not its comments or strings)."""
    lines = [l for l in source.splitlines() if not l.lstrip().startswith(("%", "!"))]
    tokens = tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
    return {t.string for t in tokens if t.type == tokenize.NAME}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_code_cell_uses_lstm_ref_and_the_kit_shows_no_answer(assignment):
    _needs_kit(assignment)
    student = _generated(assignment)
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            assert "lstm_ref" not in _names(_source(cell)), _nbgrader(cell)
            assert "autograder" not in _names(_source(cell)), _nbgrader(cell)
    kit = _source(_helper_cell(student))
    # The assignment's own code and the key. (The cases are computed values:
    # a case may hold 0.25 as an input whatever an answer is; common.py and
    # _answers.py are the same for every assignment, and SHA-256's 32-byte
    # blocks are no parameter count.)
    start = kit.find(f"# --- autograder/testkit/{assignment.lower()}_visible.py")
    code = kit[start : kit.index("# --- lstm_ref/_answers.py")] if start >= 0 else ""
    visible = REPO / "autograder" / "testkit" / f"{assignment.lower()}_visible.py"
    assert (start >= 0) == visible.exists()
    key = kit[kit.rindex("\nuse_questions(") : kit.rindex("\nexpect_submission(")]
    assert "AnswerKey(" in key
    master = json.loads(_master_path(assignment).read_text())
    for cell in master["cells"]:
        grade_id = _nbgrader(cell).get("grade_id", "")
        if not grade_id.startswith("answer_"):
            continue
        scope: dict = {}
        exec(_source(cell), scope)
        canonical = questions.normalise_answer(grade_id[7:], scope[grade_id])
        if questions.QUESTIONS[grade_id[7:]].kind != "choice":
            # The canonical text as a number of its own (not 0.64 for 0.6).
            alone = rf"(?<![\w.]){re.escape(canonical)}(?![\w]|\.\d)"
            assert not re.search(alone, code + key), (grade_id, canonical)
    assert "BEGIN HIDDEN" not in kit
    assert "BEGIN SOLUTION" not in kit


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("package", ["numpy", "matplotlib"])
def test_a_missing_package_gets_one_clear_message(assignment, package):
    student = _generated(assignment)
    setup = next(
        _source(c)
        for c in student["cells"]
        if c["cell_type"] == "code" and "import numpy as np" in _source(c)
    )
    if f"import {package}" not in setup:
        pytest.skip(f"{assignment} does not need {package}")
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] == {package!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", blocker + setup],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: this notebook needs"), run.stderr
    assert f"pip install {package}" in last
    assert run.stderr.count("Error") == 1, run.stderr  # one message, no chain


def test_the_kit_source_is_numpy_only():
    """The parts the kit copies import nothing but NumPy and the stdlib."""
    module = CONVERTED[0] if CONVERTED else None
    if module is None:
        pytest.skip("no master is in the new form yet")
    master = nbformat.read(_master_path(module), as_version=4)
    source = kit_source(module, judge_module(master), master)
    imported = set()
    for node in __import__("ast").parse(source).body:
        if type(node).__name__ == "Import":
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif type(node).__name__ == "ImportFrom":
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"numpy"}, imported


def test_check_before_submit_says_when_a_cell_reuses_a_helpers_name(tmp_path):
    if not CONVERTED:
        pytest.skip("no master is in the new form yet")
    assignment = CONVERTED[0]
    solved = solved_notebook(assignment)
    namespace = _kit_namespace(solved)
    for cell in solved["cells"]:
        if cell["cell_type"] == "code" and _nbgrader(cell).get("solution"):
            exec(_source(cell), namespace)
    path = tmp_path / f"{assignment}.ipynb"
    path.write_text(json.dumps(solved))
    report = namespace["submit_report"](str(path))
    assert report["redefined"] == []
    assert report["unwritten"] == []
    assert report["failed"] == []
    namespace["compare"] = lambda *args, **kwargs: None  # a student's own compare
    assert namespace["submit_report"](str(path))["redefined"] == ["compare"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_kit_cell_keeps_nbgraders_checksum_and_is_shown_collapsed(assignment):
    from nbgrader.utils import compute_checksum

    _needs_kit(assignment)
    notebook = nbformat.reads(json.dumps(_generated(assignment)), as_version=4)
    (cell,) = [
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_helpers"
    ]
    assert cell.metadata.nbgrader.locked
    assert cell.metadata.nbgrader.checksum == compute_checksum(cell)
    assert cell.metadata.jupyter.source_hidden is True
    assert cell.source.startswith(
        "# Test helpers: run this cell before the tests; do not edit it.\n"
    )
    assert cell.source.rstrip().endswith("bind(globals())")
