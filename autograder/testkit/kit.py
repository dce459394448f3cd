"""The student kit: the helper cell of a generated student notebook.

A master in the new form has the helper cell (grade_id ``test_helpers``)::

    # Test helpers: run this cell before the tests; do not edit it.
    from autograder.testkit.a2 import *  # noqa: F403
    bind(globals())

which needs the autograder and lstm_ref. ``python -m autograder generate``
replaces it, in the student copy nbgrader made, by a cell that needs NumPy
only (``kit_source``):

- the source of ``autograder/testkit/common.py``, then of
  ``autograder/testkit/aN_visible.py`` (if there is one), then of
  ``lstm_ref/_answers.py`` (the quick-check rules), their imports gathered at
  the top;
- as data: every case the judge module ``autograder.testkit.aN`` registers
  with ``@visible_case``, computed now with lstm_ref (``encode`` keeps arrays
  bit for bit); the assignment's quick-check key (salted digests and the
  encrypted right-answer feedback, never an answer); the plan
  check_before_submit follows (graded cells, the visible part of each test);
- ``bind(globals())``.

The cell's nbgrader checksum is recomputed, so ``nbgrader validate`` accepts
the notebook. A master still in the old form keeps its helper cell.
"""

from __future__ import annotations

import ast
import importlib
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.utils import compute_checksum

from autograder.testkit import common
from autograder.testkit.judge_side import submission_plan

TESTKIT = Path(__file__).resolve().parent
REPO = TESTKIT.parents[1]
ANSWERS = REPO / "lstm_ref" / "_answers.py"
HELPER_ID = "test_helpers"
NEW_FORM = re.compile(r"^from autograder\.testkit\.(a\d+) import \*", re.M)
QUICK_CHECK = r'check_quick_answer\(\s*"\w+",\s*"(\w+)"'
HEADER = "# Test helpers: run this cell before the tests; do not edit it."
# Longest piece of a string literal in the data (lines stay within 88).
PIECE = 48
ARRAY_PIECE = 80  # a top-level constant's piece, indented by 4


def judge_module(notebook: NotebookNode) -> str | None:
    """``"a2"`` when the master's helper cell imports autograder.testkit.a2
    (the new form), else None (the old form, kept as it is)."""
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == HELPER_ID:
            match = NEW_FORM.search(cell.source)
            return match.group(1) if match else None
    return None


def _split_imports(source: str, skip: str) -> tuple[list[str], str]:
    """(the top-level imports of a module's source, the source without them,
    without ``from __future__`` lines and without imports of ``skip``)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    imports, drop = [], set()
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        drop.update(range(node.lineno - 1, node.end_lineno))
        module = node.module if isinstance(node, ast.ImportFrom) else ""
        if module == "__future__" or (module or "").startswith(skip):
            continue
        if isinstance(node, ast.Import) and any(
            alias.name.startswith(skip) for alias in node.names
        ):
            continue
        imports.append(re.sub(r"\s*#.*$", "", text))
    kept = [
        line
        for number, line in enumerate(lines)
        if number not in drop and not line.startswith("# ruff: noqa")
    ]
    return imports, "\n".join(kept).strip() + "\n"


def _piece(text: str, width: int = PIECE) -> str:
    """A string literal, split into implicit concatenation when long: at line
    ends, then at spaces (or anywhere, in base64)."""
    if len(text) <= width:
        return repr(text)
    parts = []
    for line in text.splitlines(keepends=True):
        while len(line) > width:
            cut = line.rfind(" ", width // 2, width) + 1 or width
            parts.append(line[:cut])
            line = line[cut:]
        if line:
            parts.append(line)
    return "(" + " ".join(repr(part) for part in parts) + ")"


def _literal(value: object, arrays: dict[str, str]) -> str:
    """Python source for an encoded value; every array becomes a constant of
    its own (one for equal arrays), named in ``arrays`` (source -> name)."""
    if isinstance(value, dict):
        if "__array__" in value:
            fields = [
                f"{k!r}: {_piece(v, ARRAY_PIECE) if k == 'data' else repr(v)}"
                for k, v in value.items()
            ]
            text = "{" + ", ".join(fields) + "}"
            return arrays.setdefault(text, f"_ARRAY_{len(arrays)}")
        inner = ", ".join(f"{k!r}: {_literal(v, arrays)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v, arrays) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(_literal(v, arrays) + ", " for v in value) + ")"
    if isinstance(value, str):
        return _piece(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"cannot embed a {type(value).__name__}")


def visible_cases(module_name: str) -> dict[str, object]:
    """Every case ``autograder.testkit.<module_name>`` registers, encoded."""
    module = importlib.import_module(f"autograder.testkit.{module_name}")
    return {
        name: common.encode(builder())
        for name, builder in common._BUILDERS.items()
        if builder.__module__ == module.__name__
    }


def quick_check_ids(plan: dict) -> list[str]:
    """The question ids the notebook's quick checks ask, in order."""
    ids = []
    for test in plan["tests"]:
        for qid in re.findall(
            r'check_quick_answer\(\s*"\w+",\s*"(\w+)"', test["source"]
        ):
            if qid not in ids:
                ids.append(qid)
    return ids


def key_data(question_ids: list[str]) -> tuple[dict, dict, dict]:
    """(public metadata, key, encrypted feedback) of these questions."""
    from lstm_ref import questions

    meta, key, feedback = {}, {}, {}
    for qid in question_ids:
        question = questions.QUESTIONS[qid]
        meta[qid] = {
            "chapter": question.chapter,
            "kind": question.kind,
            "choices": dict(question.choices) if question.choices else None,
            "decimals": question.decimals,
        }
        key[qid] = tuple(questions._KEY[qid])
        if qid in questions._FEEDBACK:
            feedback[qid] = questions._FEEDBACK[qid]
    return meta, key, feedback


def _ruff(source: str) -> str:
    """source with its imports sorted and formatted as the repository's ruff
    does (unchanged when ruff is not installed)."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which(
        "ruff"
    )
    if ruff is None:
        return source
    for args in (
        ["check", "--select", "I", "--fix", "--quiet", "--exit-zero"],
        ["format", "--quiet"],
    ):
        source = subprocess.run(
            [ruff, *args, "--stdin-filename", "kit_cell.py", "-"],
            input=source,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        ).stdout
    return source


def kit_source(assignment: str, module_name: str, master: dict) -> str:
    """The generated helper cell of ``assignment``'s student notebook."""
    plan = submission_plan(master, assignment)
    parts = [("autograder/testkit/common.py", TESTKIT / "common.py")]
    visible = TESTKIT / f"{module_name}_visible.py"
    if visible.exists():
        parts.append((f"autograder/testkit/{visible.name}", visible))
    parts.append(("lstm_ref/_answers.py", ANSWERS))
    imports, bodies = [], []
    for label, path in parts:
        found, body = _split_imports(path.read_text(encoding="utf-8"), "autograder")
        imports += [line for line in found if line not in imports]
        bodies.append(f"# --- {label} " + "-" * max(3, 72 - len(label)) + "\n\n" + body)
    cases = visible_cases(module_name)
    meta, key, feedback = key_data(quick_check_ids(plan))
    arrays: dict[str, str] = {}
    cases_text = _literal(cases, arrays)
    plan_text = _literal(plan, arrays)
    data = [
        "# --- the data: computed when this notebook was generated " + "-" * 20,
        "",
        *(f"{name} = {text}" for text, name in arrays.items()),
        f"embed_cases({cases_text})",
        "use_questions(",
        "    AnswerKey(",
        "        {qid: Question(qid, prompt='', **meta) for qid, meta in "
        f"{_literal(meta, arrays)}.items()}},",
        f"        {_literal(key, arrays)},",
        f"        {_literal(feedback, arrays)},",
        "    )",
        ")",
        f"expect_submission({plan_text})",
        "bind(globals())",
    ]
    generated = (
        f"# Generated by `python -m autograder generate {assignment}` (NumPy only):\n"
        "# the course's test helpers and quick-check rules, then the visible\n"
        "# tests' cases and the quick-check key (salted digests: no answer is\n"
        "# written here) as data.\n"
    )
    source = (
        f"{HEADER}\n{generated}"
        + "\n".join(imports)
        + "\n\n"
        + "\n\n".join(bodies)
        + "\n\n"
        + "\n".join(data)
        + "\n"
    )
    return _ruff(source).rstrip("\n")


def replace_helper_cell(
    student: NotebookNode, assignment: str, master: NotebookNode
) -> bool:
    """Put the generated kit into ``student``'s helper cell (nbgrader's copy
    of a master in the new form). False, and nothing changed, for a master
    in the old form."""
    module_name = judge_module(master)
    if module_name is None:
        return False
    source = kit_source(assignment, module_name, master)
    for cell in student.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == HELPER_ID:
            cell.source = source
            # Thousands of lines, mostly data: JupyterLab and Notebook 7 show
            # the cell collapsed (click its left bar to read it).
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            if "checksum" in meta:
                meta["checksum"] = compute_checksum(cell)
            return True
    raise ValueError(f"{assignment}'s student notebook has no {HELPER_ID} cell")
